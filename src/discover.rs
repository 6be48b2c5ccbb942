//! Discovery: every file under a period folder (subfolders included, hidden folders and the
//! output folder excepted) is listed, recognised by content, read, attributed to a unit by
//! what it says about itself, and — when a unit sent two files — one is chosen and the other
//! superseded. Nothing is dropped: each file ends as used, superseded, rejected or ignored,
//! with a Chinese reason.

use std::collections::BTreeMap;

use crate::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::{Config, Unit};
use crate::layout::Layout;
use crate::model::{Issue, IssueCode, RawRecord, Source};
use crate::normalize::Normalizer;
use crate::period::Period;
use crate::read::sheet::{SheetContext, SheetOutcome, SheetStatus, read_sheet, reason};
use crate::read::{self, Format, ReadError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Used,
    Superseded,
    Rejected,
    Ignored,
}

impl FileStatus {
    pub fn label(self) -> &'static str {
        match self {
            FileStatus::Used => "已采用",
            FileStatus::Superseded => "已被取代",
            FileStatus::Rejected => "无法读取",
            FileStatus::Ignored => "已忽略",
        }
    }
}

/// One file of the period folder and what became of it.
#[derive(Debug, Clone)]
pub struct FileEntry {
    /// Path relative to the period folder, `/`-separated.
    pub rel: String,
    pub sha256: String,
    pub status: FileStatus,
    pub unit: Option<String>,
    pub reason: Option<String>,
    pub sheets: Vec<SheetOutcome>,
    /// The document's own modified time, for choosing between versions.
    pub modified: Option<String>,
    /// File-level issues (unit conflicts, superseded, rejected, ignored, skipped sheets).
    pub issues: Vec<Issue>,
}

impl FileEntry {
    fn new(rel: String, sha256: String) -> FileEntry {
        FileEntry {
            rel,
            sha256,
            status: FileStatus::Used,
            unit: None,
            reason: None,
            sheets: Vec::new(),
            modified: None,
            issues: Vec::new(),
        }
    }

    /// A file that could not even be opened.
    pub fn rejected(rel: &str, reason: String) -> FileEntry {
        FileEntry::new(rel.to_string(), String::new()).finish(FileStatus::Rejected, reason)
    }

    fn finish(mut self, status: FileStatus, reason: String) -> FileEntry {
        let code = match status {
            FileStatus::Rejected => Some(IssueCode::RejectedFile),
            FileStatus::Ignored => Some(IssueCode::IgnoredFile),
            FileStatus::Used | FileStatus::Superseded => None,
        };
        if let Some(code) = code {
            let msg = format!("{}：{}", self.rel, reason);
            self.issues.push(Issue::new(code, self.unit.as_deref(), Some(Source::file(&self.rel)), msg));
        }
        self.status = status;
        self.reason = Some(reason);
        self
    }

    /// All records of the used sheets.
    pub fn records(&self) -> impl Iterator<Item = &RawRecord> {
        self.sheets.iter().filter(|s| s.status == SheetStatus::Used).flat_map(|s| s.records.iter())
    }
}

/// Lists every file under `dir`, sorted by relative path; hidden folders and `skip_dir`
/// (the output folder) are not entered.
pub fn list_files(dir: &Path, skip_dir: Option<&Path>) -> std::io::Result<Vec<(String, PathBuf)>> {
    let skip = skip_dir.and_then(|d| std::path::absolute(d).ok());
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), dir.to_path_buf())];
    while let Some((prefix, d)) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let rel = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir {
                let abs = std::path::absolute(&path).ok();
                if name.starts_with('.') || (skip.is_some() && abs == skip) {
                    continue;
                }
                stack.push((rel, path));
            } else {
                out.push((rel, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The units a text names: full names anywhere; aliases only where not followed by 村/社区
/// (汤溪村 is a village, not 汤溪镇).
pub fn units_named<'a>(text: &str, units: &'a [Unit]) -> Vec<&'a Unit> {
    UnitFinder::new(units).named(text)
}

/// The unit a text names exactly (a unit cell or a 填报单位 value).
pub fn unit_exact<'a>(text: &str, units: &'a [Unit]) -> Option<&'a Unit> {
    UnitFinder::new(units).exact(text)
}

/// Unit names and aliases looked up by the substrings of a text, so that finding the units a
/// text names costs the same for 10 units as for 1,400.
#[derive(Debug)]
pub struct UnitFinder<'a> {
    units: &'a [Unit],
    /// Each name or alias with its unit and which of the unit's words it is (`None`: the
    /// full name, `Some(i)`: alias `i`).
    words: HashMap<&'a str, Vec<(usize, Option<usize>)>>,
    /// Length in characters of the longest word.
    longest: usize,
}

impl<'a> UnitFinder<'a> {
    pub fn new(units: &'a [Unit]) -> UnitFinder<'a> {
        let mut words: HashMap<&str, Vec<(usize, Option<usize>)>> = HashMap::default();
        let mut longest = 0;
        for (ui, u) in units.iter().enumerate() {
            let all = std::iter::once((u.name.as_str(), None))
                .chain(u.aliases.iter().enumerate().map(|(ai, a)| (a.as_str(), Some(ai))));
            for (w, which) in all.filter(|(w, _)| !w.is_empty()) {
                words.entry(w).or_default().push((ui, which));
                longest = longest.max(w.chars().count());
            }
        }
        UnitFinder { units, words, longest }
    }

    /// The units `text` names, in the order they appear: a unit at the first place its full
    /// name occurs, else at the first place of its first alias (in configured order) that
    /// is not followed by 村/社区.
    pub fn named(&self, text: &str) -> Vec<&'a Unit> {
        // First position of each unit's name, and of each alias where it counts.
        let mut name_at: HashMap<usize, usize> = HashMap::default();
        let mut alias_at: HashMap<(usize, usize), usize> = HashMap::default();
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        for &at in &starts {
            let rest = text.get(at..).unwrap_or("");
            for (offset, c) in rest.char_indices().take(self.longest) {
                let end = at + offset + c.len_utf8();
                let Some(hits) = text.get(at..end).and_then(|w| self.words.get(w)) else { continue };
                let after = text.get(end..).unwrap_or("");
                for &(ui, which) in hits {
                    match which {
                        None => {
                            name_at.entry(ui).or_insert(at);
                        }
                        Some(ai) if !after.starts_with('村') && !after.starts_with("社区") => {
                            alias_at.entry((ui, ai)).or_insert(at);
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        let mut found: Vec<(usize, usize)> = Vec::new();
        // The units named at all, in configured order.
        let named: std::collections::BTreeSet<usize> =
            name_at.keys().chain(alias_at.keys().map(|(ui, _)| ui)).copied().collect();
        for (ui, u) in named.into_iter().filter_map(|ui| self.units.get(ui).map(|u| (ui, u))) {
            let pos = name_at.get(&ui).or_else(|| (0..u.aliases.len()).find_map(|ai| alias_at.get(&(ui, ai)))).copied();
            if let Some(pos) = pos {
                found.push((pos, ui));
            }
        }
        found.sort_by_key(|(pos, _)| *pos);
        let mut out: Vec<&Unit> = Vec::new();
        for u in found.into_iter().filter_map(|(_, ui)| self.units.get(ui)) {
            if !out.iter().any(|x| x.name == u.name) {
                out.push(u);
            }
        }
        out
    }

    /// The unit a text names exactly (a unit cell or a 填报单位 value).
    pub fn exact(&self, text: &str) -> Option<&'a Unit> {
        let t: String = text.chars().filter(|c| !crate::values::is_space(*c)).collect();
        let whole = self.words.get(t.as_str()).and_then(|hits| hits.iter().map(|(ui, _)| *ui).min());
        whole.and_then(|ui| self.units.get(ui)).or_else(|| match self.named(&t).as_slice() {
            [one] => Some(*one),
            _ => None,
        })
    }
}

/// The value of a "填报单位：XX" statement.
fn filled_unit_statement(text: &str) -> Option<String> {
    let at = text.find("填报单位")?;
    let rest = text.get(at + "填报单位".len()..)?;
    let rest = rest.trim_start_matches([':', '：', ' ', '\u{3000}']);
    let value: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '填' && *c != '（' && *c != '(')
        .collect();
    (!value.is_empty()).then_some(value)
}

/// Everything needed to read the files of one period.
pub struct Discovery<'a> {
    pub config: &'a Config,
    pub layout: &'a Layout,
    pub period: Period,
    finder: UnitFinder<'a>,
    /// For matching a demo sheet's rows with the points sheet's.
    normalizer: Normalizer,
}

impl<'a> Discovery<'a> {
    pub fn new(config: &'a Config, layout: &'a Layout, period: Period) -> Discovery<'a> {
        let unit_names: Vec<&str> = config.units.iter().map(|u| u.name.as_str()).collect();
        let normalizer = Normalizer::new(&config.organiser, &unit_names);
        Discovery { config, layout, period, finder: UnitFinder::new(&config.units), normalizer }
    }
}

impl Discovery<'_> {
    /// Reads one file (bytes already loaded) into an entry.
    pub fn read_file(&self, rel: &str, bytes: &[u8]) -> FileEntry {
        let sha256 = hex(&Sha256::digest(bytes));
        let mut entry = FileEntry::new(rel.to_string(), sha256);
        let file_name = rel.rsplit('/').next().unwrap_or(rel);
        let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
        let guessed = self.finder.named(file_name).first().map(|u| u.name.clone());
        entry.unit = guessed.clone();
        let who = guessed.clone().unwrap_or_else(|| "报送单位".to_string());

        if file_name.starts_with("~$") {
            return entry.finish(FileStatus::Ignored, "Office临时文件（锁定文件），不是报表".to_string());
        }
        if file_name.starts_with('.') {
            return entry.finish(FileStatus::Ignored, "隐藏文件，不是报表".to_string());
        }
        let max = self.config.limits.max_file_mb * 1024 * 1024;
        if bytes.len() as u64 > max {
            return entry.finish(
                FileStatus::Rejected,
                format!("文件大小超过{}MB上限，请让{who}删除无关内容后重新发送", self.config.limits.max_file_mb),
            );
        }
        let format = read::sniff::sniff(bytes, &ext);
        match format {
            Format::Archive => return entry.finish(FileStatus::Ignored, "压缩包：请解压后放入本文件夹".to_string()),
            Format::Other if matches!(ext.as_str(), "zip" | "rar" | "7z") => {
                return entry.finish(FileStatus::Ignored, "压缩包：请解压后放入本文件夹".to_string());
            }
            Format::Other if matches!(ext.as_str(), "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" | "et") => {
                return entry.finish(
                    FileStatus::Rejected,
                    format!("文件已损坏，无法识别为表格：请让{who}用Excel重新保存后发送"),
                );
            }
            Format::Other => return entry.finish(FileStatus::Ignored, "不是表格文件".to_string()),
            Format::Empty => return entry.finish(FileStatus::Rejected, format!("空文件（0字节），请让{who}重新发送")),
            Format::Encrypted => {
                return entry.finish(FileStatus::Rejected, format!("文件已加密，请让{who}取消密码后重新发送"));
            }
            Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods | Format::Csv | Format::Html | Format::Et => {}
        }
        let wb = match read::guarded(|| read::read_workbook(bytes, format, &self.config.limits)) {
            Ok(wb) => wb,
            Err(ReadError::Encrypted) => {
                return entry.finish(FileStatus::Rejected, format!("文件已加密，请让{who}取消密码后重新发送"));
            }
            Err(ReadError::Corrupt(detail)) => {
                return entry.finish(
                    FileStatus::Rejected,
                    format!("文件已损坏，无法打开（{detail}）：请让{who}用Excel重新保存后发送"),
                );
            }
            Err(ReadError::TooLarge(why)) => {
                return entry
                    .finish(FileStatus::Rejected, format!("{why}：请让{who}删除无关内容、用Excel重新保存后发送"));
            }
            Err(e) => return entry.finish(FileStatus::Rejected, e.to_string()),
        };
        entry.modified = wb.modified.clone();
        let ctx = SheetContext {
            layout: self.layout,
            period: Some(self.period),
            campaign_year: self.config.campaign_deadline.year,
            is_1904: wb.is_1904,
            file: rel,
        };
        for sheet in &wb.sheets {
            let outcome = match &sheet.grid {
                Ok(grid) => read_sheet(grid, &ctx),
                Err(e) => SheetOutcome::unreadable(&sheet.name, format!("无法读取：{e}")),
            };
            entry.sheets.push(outcome);
        }
        self.finish_read(entry, file_name)
    }

    /// After reading: sheets skipped, unit attribution, demo-sheet merging.
    fn finish_read(&self, mut entry: FileEntry, file_name: &str) -> FileEntry {
        for s in &entry.sheets {
            if let SheetStatus::Skipped(why) = &s.status
                && (s.rows_nonblank > 0 || why.starts_with("无法读取"))
                && why != crate::layout::TEMPLATE_AUX_REASON
            {
                let sheet = s.name.as_deref().unwrap_or("");
                entry.issues.push(Issue::new(
                    IssueCode::SkippedSheet,
                    None,
                    Some(Source::sheet(&entry.rel, s.name.as_deref())),
                    format!("工作表\u{201C}{sheet}\u{201D}已跳过：{why}"),
                ));
            }
        }
        if !entry.sheets.iter().any(|s| s.status == SheetStatus::Used) {
            let unreadable = entry.sheets.iter().find_map(|s| match &s.status {
                SheetStatus::Skipped(w) if w.starts_with("无法读取") => Some(w.clone()),
                _ => None,
            });
            let why = if let Some(w) = unreadable {
                let who = entry.unit.as_deref().unwrap_or("报送单位");
                if w.contains("上限") {
                    format!("{w}：请让{who}删除无关内容或拆分后重新发送")
                } else {
                    format!("{w}：请让{who}用Excel打开后重新保存再发送")
                }
            } else if entry
                .sheets
                .iter()
                .any(|s| matches!(&s.status, SheetStatus::Skipped(w) if w.starts_with("属于其他月份")))
            {
                format!("文件中没有{}的报表", self.period.chinese())
            } else {
                "文件中没有可识别的报表（未找到含\u{201C}党组织名称\u{201D}列的表头）".to_string()
            };
            return entry.finish(FileStatus::Rejected, why);
        }

        // What the file says about itself, in the order of SPEC §3.2.
        let used: Vec<&SheetOutcome> = entry.sheets.iter().filter(|s| s.status == SheetStatus::Used).collect();
        let mut in_sheet: Vec<(&Unit, String)> = Vec::new();
        for s in &used {
            for (text, _) in &s.statements {
                if let Some(value) = filled_unit_statement(text)
                    && let Some(u) = self.finder.exact(&value)
                {
                    in_sheet.push((u, format!("填报单位\u{201C}{value}\u{201D}")));
                }
            }
        }
        for s in &used {
            for (text, _) in s.statements.iter().filter(|(t, _)| !t.contains("填报单位")) {
                if let Some(u) = self.finder.named(text).first() {
                    in_sheet.push((u, "标题".to_string()));
                }
            }
        }
        let row_units: Vec<Option<&Unit>> = used
            .iter()
            .flat_map(|s| s.records.iter())
            .map(|r| r.unit_text.as_deref().and_then(|t| self.finder.exact(t)))
            .collect();
        let distinct_row_units: Vec<&str> = {
            let mut v: Vec<&str> = row_units.iter().flatten().map(|u| u.name.as_str()).collect();
            v.sort();
            v.dedup();
            v
        };
        let combined = distinct_row_units.len() > 1;
        if distinct_row_units.len() == 1
            && let Some(Some(u)) = row_units.iter().find(|u| u.is_some())
        {
            in_sheet.push((u, "所属单位列".to_string()));
        }
        let by_sheet_name =
            used.iter().filter_map(|s| s.name.as_deref()).find_map(|n| self.finder.named(n).first().copied());
        let by_file_name = self.finder.named(file_name).first().copied();

        let outside: Option<(&Unit, &str)> =
            by_sheet_name.map(|u| (u, "工作表名")).or(by_file_name.map(|u| (u, "文件名")));
        let file_unit: Option<&Unit> = in_sheet.first().map(|(u, _)| *u).or(outside.map(|(u, _)| u));
        if let (Some((u, said)), Some((other, where_))) = (in_sheet.first(), outside)
            && u.name != other.name
            && !combined
        {
            entry.issues.push(Issue::new(
                IssueCode::UnitConflict,
                Some(&u.name),
                Some(Source::file(&entry.rel)),
                format!("{where_}指向{}，但表内{said}为{}：已按表内计入{}，请核实", other.name, u.name, u.name),
            ));
        } else if let Some((u, said)) = in_sheet.first()
            && let Some((other, other_said)) = in_sheet.iter().find(|(o, _)| o.name != u.name)
            && !combined
        {
            entry.issues.push(Issue::new(
                IssueCode::UnitConflict,
                Some(&u.name),
                Some(Source::file(&entry.rel)),
                format!("表内{said}为{}，但{other_said}为{}：已按{said}计入{}，请核实", u.name, other.name, u.name),
            ));
        }
        if file_unit.is_none() && !combined {
            entry.unit = None;
            return entry.finish(
                FileStatus::Rejected,
                "无法确定填报单位：请在表头上方写明\u{201C}填报单位：XX\u{201D}，或用单位名称命名文件".to_string(),
            );
        }
        entry.unit = if combined { None } else { file_unit.map(|u| u.name.clone()) };
        let file_unit_name = file_unit.map(|u| u.name.clone());

        // Attribute each row; a combined file's rows by their own unit column.
        for sheet in entry.sheets.iter_mut().filter(|s| s.status == SheetStatus::Used) {
            let mut kept = Vec::new();
            for mut rec in std::mem::take(&mut sheet.records) {
                let own = rec.unit_text.as_deref().and_then(|t| self.finder.exact(t)).map(|u| u.name.clone());
                match own.or_else(|| file_unit_name.clone()) {
                    Some(u) => {
                        rec.unit = u;
                        kept.push(rec);
                    }
                    None => sheet.rejected.push(crate::model::RejectedRow {
                        source: rec.source.clone(),
                        unit: None,
                        reason: format!(
                            "无法确定\u{201C}{}\u{201D}所属单位：请在所属乡镇（街道）列填写单位名称",
                            rec.raw_name
                        ),
                    }),
                }
            }
            sheet.records = kept;
            for issue in &mut sheet.issues {
                if issue.unit.is_none() {
                    issue.unit = file_unit_name.clone();
                }
            }
            for rej in &mut sheet.rejected {
                if rej.unit.is_none() {
                    rej.unit = file_unit_name.clone();
                }
            }
        }
        for issue in &mut entry.issues {
            if issue.unit.is_none() {
                issue.unit = file_unit_name.clone();
            }
        }
        self.merge_demo_sheets(&mut entry);
        entry
    }

    /// A sheet listing only demo sites beside a sheet of all points marks those
    /// organisations as demo sites; the demo sheet's row is skipped as merged.
    fn merge_demo_sheets(&self, entry: &mut FileEntry) {
        let has_points_sheet = entry.sheets.iter().any(|s| s.status == SheetStatus::Used && !s.demo_sheet);
        if !has_points_sheet {
            return;
        }
        let key = |r: &RawRecord| (r.unit.clone(), self.normalizer.normalize(&r.raw_name).key);
        let (demo_idx, point_idx): (Vec<usize>, Vec<usize>) = (0..entry.sheets.len())
            .filter(|i| entry.sheets.get(*i).is_some_and(|s| s.status == SheetStatus::Used))
            .partition(|i| entry.sheets.get(*i).is_some_and(|s| s.demo_sheet));
        for di in demo_idx {
            let Some(demo_records) = entry.sheets.get(di).map(|s| s.records.clone()) else { continue };
            let mut keep = Vec::new();
            for d in demo_records {
                let k = key(&d);
                let target = point_idx.iter().find_map(|pi| {
                    entry.sheets.get(*pi).and_then(|s| s.records.iter().position(|r| key(r) == k)).map(|ri| (*pi, ri))
                });
                match target.and_then(|(pi, ri)| entry.sheets.get_mut(pi).and_then(|s| s.records.get_mut(ri))) {
                    Some(p) => {
                        p.demo = true;
                        merge_missing(p, &d);
                        if let Some(s) = entry.sheets.get_mut(di) {
                            *s.skipped_by_reason.entry(reason::MERGED_DEMO.to_string()).or_default() += 1;
                        }
                    }
                    None => keep.push(d),
                }
            }
            if let Some(s) = entry.sheets.get_mut(di) {
                s.records = keep;
            }
        }
    }
}

/// Fills fields the points sheet left empty from the demo-site sheet's row.
fn merge_missing(p: &mut RawRecord, d: &RawRecord) {
    p.star = p.star.or(d.star);
    p.target_star = p.target_star.or(d.target_star);
    p.venue = p.venue.or(d.venue);
    p.deadline = p.deadline.or(d.deadline);
    p.acceptance = p.acceptance.or(d.acceptance);
    p.five_have = p.five_have.or(d.five_have);
    for (mine, theirs) in [
        (&mut p.responsible, &d.responsible),
        (&mut p.measures, &d.measures),
        (&mut p.contact_leader, &d.contact_leader),
        (&mut p.progress, &d.progress),
        (&mut p.remarks, &d.remarks),
    ] {
        if mine.is_none() {
            mine.clone_from(theirs);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Words in a file name that mark a newer version.
const NEWER_WORDS: [&str; 10] = ["终稿", "最终", "定稿", "修改", "更正", "修订", "更新", "新版", "v2", "V2"];

fn has_newer_word(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    NEWER_WORDS.iter().any(|w| name.contains(w))
        || name.to_lowercase().contains("v2")
        || name.to_lowercase().contains("v3")
}

/// Chooses one file per unit (SPEC §3.2): a name marking a newer version, then the later
/// document modified time inside the file, then the later name in sort order. Losers
/// become superseded with a reason; a combined file loses per unit.
pub fn supersede(files: &mut [FileEntry], unit_order: &[String]) {
    // unit → indices of used files that provide it
    let mut providers: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate().filter(|(_, f)| f.status == FileStatus::Used) {
        let mut units: Vec<String> = f.records().map(|r| r.unit.clone()).collect();
        if let Some(u) = &f.unit {
            units.push(u.clone());
        }
        units.sort();
        units.dedup();
        for u in units {
            providers.entry(u).or_default().push(i);
        }
    }
    let mut lost: BTreeMap<usize, Vec<(String, usize)>> = BTreeMap::new();
    for unit in unit_order {
        let Some(list) = providers.get(unit).filter(|l| l.len() > 1) else { continue };
        let winner = list
            .iter()
            .copied()
            .max_by(|a, b| {
                let (fa, fb) = (files.get(*a), files.get(*b));
                let key =
                    |f: Option<&FileEntry>| f.map(|f| (has_newer_word(&f.rel), f.modified.clone(), f.rel.clone()));
                key(fa).cmp(&key(fb))
            })
            .unwrap_or(0);
        for &i in list.iter().filter(|i| **i != winner) {
            lost.entry(i).or_default().push((unit.clone(), winner));
        }
    }
    for (i, losses) in lost {
        let Some(f) = files.get(i) else { continue };
        let provided: Vec<String> = {
            let mut v: Vec<String> = f.records().map(|r| r.unit.clone()).chain(f.unit.clone()).collect();
            v.sort();
            v.dedup();
            v
        };
        let winner_names: Vec<(String, String, bool)> = losses
            .iter()
            .filter_map(|(u, w)| files.get(*w).map(|wf| (u.clone(), wf.rel.clone(), wf.sha256 == f.sha256)))
            .collect();
        let Some(f) = files.get_mut(i) else { continue };
        let all_lost = provided.iter().all(|u| losses.iter().any(|(l, _)| l == u));
        for (unit, winner, identical) in &winner_names {
            let why = if *identical {
                format!("与{winner}内容完全相同，按{winner}计")
            } else if has_newer_word(winner) && !has_newer_word(&f.rel) {
                format!("{unit}另有较新版本{winner}（文件名标明修改），本文件不计入")
            } else {
                format!("{unit}另有较新版本{winner}，本文件不计入")
            };
            f.issues.push(Issue::new(
                IssueCode::SupersededFile,
                Some(unit),
                Some(Source::file(&f.rel)),
                format!("{}：{why}", f.rel),
            ));
            if all_lost {
                f.reason = Some(why);
            } else {
                // Only this unit's rows of a combined file are replaced.
                for s in f.sheets.iter_mut().filter(|s| s.status == SheetStatus::Used) {
                    let before = s.records.len();
                    s.records.retain(|r| &r.unit != unit);
                    let n = before - s.records.len();
                    if n > 0 {
                        *s.skipped_by_reason.entry("已被较新文件取代".to_string()).or_default() += n;
                    }
                }
            }
        }
        if all_lost {
            f.status = FileStatus::Superseded;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{filled_unit_statement, has_newer_word, units_named};
    use crate::config::Config;

    #[test]
    fn unit_statements_and_mentions() {
        let c = Config::defaults(std::path::Path::new("."));
        assert_eq!(filled_unit_statement("填报单位：汤溪镇　　填报日期：2015年10月28日").as_deref(), Some("汤溪镇"));
        assert_eq!(filled_unit_statement("填报单位:秋滨街道 填报人：张伟").as_deref(), Some("秋滨街道"));
        let names = |t: &str| units_named(t, &c.units).iter().map(|u| u.name.clone()).collect::<Vec<_>>();
        assert_eq!(names("苏孟乡党建示范带创建情况月报表（2015年10月）"), vec!["苏孟乡"]);
        assert_eq!(names("汤溪村党支部"), Vec::<String>::new());
        assert_eq!(names("罗埠10月报表"), vec!["罗埠镇"]);
        assert_eq!(names("三江街道（秋滨街道用）"), vec!["三江街道", "秋滨街道"]);
    }

    #[test]
    fn newer_version_words() {
        assert!(has_newer_word("苏孟乡（修改版）.xlsx"));
        assert!(has_newer_word("补报/苏孟乡终稿.xlsx"));
        assert!(has_newer_word("苏孟乡v2.xlsx"));
        assert!(!has_newer_word("苏孟乡.xlsx"));
    }
}

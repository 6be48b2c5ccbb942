//! The driver wires the stages together for one period: discover and read every file, choose
//! between versions, match, reconcile, and hand a [`Report`] to the writers. It is the only
//! place that touches the file system for inputs and shows progress.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::config::Config;
use crate::discover::{Discovery, FileEntry, FileStatus, list_files, supersede};
use crate::history::{self, Change, PreviousReport, PreviousState};
use crate::layout::Layout;
use crate::ledger::{self, Decision, Decisions};
use crate::master::Org;
use crate::matching::{MasterIndex, MatchResult, Method};
use crate::model::{Issue, Source};
use crate::period::Period;
use crate::read;
use crate::read::sheet::SheetStatus;
use crate::reconcile::{Reconciled, Record, SheetColumns, reconcile, tally};
use crate::report::{self, Accounting, Report};

/// Everything a period produced.
pub struct PeriodResult {
    pub period: Period,
    pub files: Vec<FileEntry>,
    pub reconciled: Reconciled,
    pub accounting: Accounting,
    /// The period folder relative to the output folder (see [`Report::source_base`]).
    pub source_base: String,
    pub changes: Vec<Change>,
    /// The previous period compared with, if any.
    pub previous: Option<String>,
}

impl PeriodResult {
    pub fn report<'a>(&'a self, config: &'a Config, orgs: &'a [Org]) -> Report<'a> {
        Report {
            config,
            period: self.period,
            files: &self.files,
            orgs,
            records: &self.reconciled.records,
            units: &self.reconciled.units,
            issues: &self.reconciled.issues,
            accounting: self.accounting.clone(),
            source_base: self.source_base.clone(),
            changes: &self.changes,
            previous: self.previous.as_deref(),
        }
    }
}

/// The period of a folder from its name ("2015-10", "201510", "2015年10月").
pub fn period_of_folder(dir: &Path) -> Option<Period> {
    let abs = std::path::absolute(dir).ok()?;
    abs.file_name().and_then(|n| n.to_str()).and_then(Period::parse)
}

fn progress(total: usize, quiet: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(total as u64),
        if quiet { ProgressDrawTarget::hidden() } else { ProgressDrawTarget::stderr() },
    );
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix("读取");
    bar
}

/// Reads every file of a period folder (nothing is matched yet).
pub fn read_period(
    config: &Config,
    layout: &Layout,
    dir: &Path,
    period: Period,
    quiet: bool,
) -> Result<Vec<FileEntry>> {
    let listed = list_files(dir, Some(&config.output)).with_context(|| format!("无法读取文件夹 {}", dir.display()))?;
    let discovery = Discovery::new(config, layout, period);
    let bar = progress(listed.len(), quiet);
    // Files are read on all cores; each file's bytes live only while it is read, and the
    // entries come back in listing order whatever order they finish in.
    let mut files: Vec<FileEntry> = listed
        .par_iter()
        .map(|(rel, path)| {
            bar.set_message(rel.clone());
            let entry = match std::fs::read(path) {
                Ok(bytes) => discovery.read_file(rel, &bytes),
                Err(e) => FileEntry::rejected(rel, format!("无法打开文件：{e}。请确认文件未被其他程序占用")),
            };
            bar.inc(1);
            entry
        })
        .collect();
    bar.finish_and_clear();
    let order: Vec<String> = config.units.iter().map(|u| u.name.clone()).collect();
    supersede(&mut files, &order);
    Ok(files)
}

/// Matches and reconciles the records of the used files, and compares them with the
/// previous report at `previous` if given. Without a master list every record is unmatched
/// (used by `check` outside a workspace).
///
/// # Errors
/// Only the previous report's: unreadable, or not a huizong report.
pub fn process(
    config: &Config,
    orgs: &[Org],
    period: Period,
    files: Vec<FileEntry>,
    previous: Option<&Path>,
    decisions: Decisions,
) -> Result<PeriodResult> {
    let unit_names: Vec<String> = config.units.iter().map(|u| u.name.clone()).collect();
    let t = crate::timing::stage("建立名册索引");
    let index = MasterIndex::new(orgs, &config.organiser, &unit_names, &config.matching).with_decisions(decisions);
    drop(t);
    let positions = unit_positions(&unit_names);
    let unit_pos = |u: &str| positions.get(u).copied().unwrap_or(usize::MAX);

    // Records in report order: configured unit, file, sheet, row. They are moved out of the
    // sheets (which keep their count), not copied.
    let mut files = files;
    let mut raw: Vec<(usize, usize, usize, Box<crate::model::RawRecord>)> = Vec::new();
    let mut sheets: Vec<SheetColumns> = Vec::new();
    let mut issues: Vec<Issue> = Vec::new();
    let mut submitted = BTreeSet::new();
    for (fi, f) in files.iter_mut().enumerate() {
        issues.extend(f.issues.iter().cloned());
        if f.status != FileStatus::Used {
            continue;
        }
        for (si, s) in f.sheets.iter_mut().enumerate().filter(|(_, s)| s.status == SheetStatus::Used) {
            issues.extend(s.issues.iter().cloned());
            let records = s.take_records();
            let mut units: Vec<&str> = Vec::new();
            for r in &records {
                if !units.contains(&r.unit.as_str()) {
                    units.push(&r.unit);
                }
            }
            for u in units.iter().copied().chain(f.unit.as_deref().filter(|_| units.is_empty())) {
                sheets.push(SheetColumns {
                    unit: Some(u.to_string()),
                    source: Source::sheet(&f.rel, s.name.as_deref()),
                    missing: s.missing.clone(),
                    has_records: records.iter().any(|r| r.unit == u),
                    has_demo: records.iter().any(|r| r.unit == u && r.demo),
                });
            }
            for r in records {
                submitted.insert(r.unit.clone());
                raw.push((unit_pos(&r.unit), fi, si, Box::new(r)));
            }
        }
        if let Some(u) = &f.unit {
            submitted.insert(u.clone());
        }
    }
    raw.sort_by_key(|a| (a.0, a.1, a.2, a.3.source.row));
    let t = crate::timing::stage("匹配");
    let records: Vec<Record> = raw
        .into_par_iter()
        .enumerate()
        .map(|(i, (_, _, _, r))| {
            let m = if orgs.is_empty() {
                MatchResult {
                    method: Method::None,
                    org: None,
                    score: 0.0,
                    rules: Vec::new(),
                    candidates: Vec::new(),
                    cross_unit: false,
                    normalized: index.normalize(&r.raw_name).key,
                }
            } else {
                index.match_name(&r.raw_name, &r.unit)
            };
            Record { id: i + 1, raw: r, m, valid: false }
        })
        .collect();
    drop(t);
    let t = crate::timing::stage("核对");
    // The index is not needed any more: it is freed (~140 MB at province scale) beside the
    // reconciling, and last period's report is read in its place on the same thread (140 MB
    // of JSON; only what is compared is kept) before the outputs allocate.
    let (mut reconciled, prev) = rayon::join(
        || reconcile(config, orgs, records, &sheets, &submitted, issues),
        move || {
            drop(index);
            previous.map(|path| {
                let _t = crate::timing::stage("读取上期报告");
                load_previous::<PreviousState>(path)
            })
        },
    );
    drop(t);
    let mut changes = Vec::new();
    let mut previous_period = None;
    if let Some(prev) = prev {
        let prev = prev?;
        let cmp = history::compare(&prev, &reconciled.records, orgs, &mut reconciled.units);
        changes = cmp.changes;
        reconciled.issues.extend(cmp.issues);
        tally(&mut reconciled.units, &reconciled.issues);
        previous_period = Some(prev.period);
    }
    sort_issues(&mut reconciled.issues, &unit_names);
    let accounting = Accounting::of(&files);
    Ok(PeriodResult {
        period,
        files,
        reconciled,
        accounting,
        source_base: String::new(),
        changes,
        previous: previous_period,
    })
}

/// Reads the decision ledger of the workspace (none yet is an empty ledger).
pub fn read_ledger(config: &Config) -> Result<Vec<Decision>> {
    let path = config.dir.join(ledger::FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = std::fs::read(&path).with_context(|| format!("无法读取核实记录 {}", path.display()))?;
    Ok(ledger::parse(&bytes, &path.display().to_string())?)
}

/// Harvests the decisions made in the 待核实 sheets of every summary workbook in the output
/// folder into the ledger (rewritten atomically when anything is new) and returns the
/// decisions to apply, with the number of new ledger lines. Runs before any workbook is
/// rewritten, so a choice made in last run's workbook is never lost.
pub fn harvest(config: &Config, orgs: &[Org]) -> Result<(Decisions, usize)> {
    let mut ledger = read_ledger(config)?;
    let mut new = Vec::new();
    let mut workbooks: Vec<(String, PathBuf)> = match std::fs::read_dir(&config.output) {
        Ok(entries) => entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let period = name.strip_prefix("汇总_")?.strip_suffix(".xlsx")?.to_string();
                Period::parse(&period).map(|p| (p.to_string(), e.path()))
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    workbooks.sort();
    for (period, path) in workbooks {
        let bytes = std::fs::read(&path).with_context(|| format!("无法读取{}", path.display()))?;
        let choices = read::review::review_choices(&bytes).map_err(|e| {
            anyhow::anyhow!("无法读取{}的待核实表（{e}）：如已损坏，请移走该文件后重试", path.display())
        })?;
        for c in &choices {
            new.extend(ledger::from_review(c, orgs, &period));
        }
    }
    let added = ledger::merge(&mut ledger, new);
    if added > 0 {
        let path = config.dir.join(ledger::FILE);
        report::write_atomic(&path, &ledger::format(&ledger)).map_err(|e| write_error(&path, e))?;
    }
    Ok((Decisions::new(&ledger, orgs), added))
}

/// The newest report of an earlier period in the output folder (`汇总_2015-09.json`).
pub fn find_previous(out_dir: &Path, period: Period) -> Option<PathBuf> {
    let entries = std::fs::read_dir(out_dir).ok()?;
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let p = Period::parse(name.strip_prefix("汇总_")?.strip_suffix(".json")?)?;
            (p < period).then_some((p, e.path()))
        })
        .max()
        .map(|(_, path)| path)
}

/// Reads a previous report, each record as `R`; the message says which file and what to do.
pub fn load_previous<R: serde::de::DeserializeOwned>(path: &Path) -> Result<PreviousReport<R>> {
    // Parsed as it is read: a province's report is 140 MB of text.
    let file = std::fs::File::open(path).with_context(|| format!("无法读取上期报告 {}", path.display()))?;
    serde_json::from_reader(std::io::BufReader::with_capacity(1 << 16, file)).with_context(|| {
        format!(
            "上期报告 {} 不是 huizong 生成的 JSON 报告：请用 --previous 指定正确的文件，或移走此文件",
            path.display()
        )
    })
}

/// `to` relative to `from` (both folders), `/`-separated with a trailing `/`; the
/// absolute path when they share no root (another drive on Windows).
pub fn relative_dir(from: &Path, to: &Path) -> String {
    let (Ok(from), Ok(to)) = (std::path::absolute(from), std::path::absolute(to)) else { return String::new() };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return format!("{}/", to.display());
    }
    let mut parts: Vec<String> = a.iter().skip(common).map(|_| "..".to_string()).collect();
    parts.extend(b.iter().skip(common).map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.iter().map(|p| format!("{p}/")).collect()
}

/// Each unit's place in the configured order (a province has 1,400 units: no linear search).
fn unit_positions(unit_names: &[String]) -> crate::HashMap<&str, usize> {
    unit_names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect()
}

/// Issues in report order: configured unit (none last), source, code.
fn sort_issues(issues: &mut [Issue], unit_names: &[String]) {
    let positions = unit_positions(unit_names);
    let pos = |u: &Option<String>| u.as_deref().and_then(|u| positions.get(u).copied()).unwrap_or(usize::MAX);
    issues.sort_by(|a, b| (pos(&a.unit), &a.source, a.code).cmp(&(pos(&b.unit), &b.source, b.code)));
}

/// Paths written for one period.
pub struct Written {
    pub json: PathBuf,
    pub workbook: PathBuf,
    pub unit_lists: Vec<PathBuf>,
}

/// Writes the JSON report, the workbook and the correction lists of a period. Each goes to
/// a temporary file beside its final name first, and all are renamed into place only when
/// every one has been written: a failure leaves the previous outputs intact. Nothing large
/// is held in memory (the JSON is streamed, long sheets are written row by row).
pub fn write_outputs(
    result: &PeriodResult,
    config: &Config,
    orgs: &[Org],
    out_dir: &Path,
    unit_lists: bool,
) -> Result<Written> {
    let report = result.report(config, orgs);
    let json_path = out_dir.join(report::json_name(result.period));
    let xlsx_path = out_dir.join(report::workbook_name(result.period));
    // Each output is written to a temporary file beside its final name in its own task; all
    // are synced (the JSON in its task, the rest together) before any is renamed into place.
    let write_json = || -> Result<tempfile::NamedTempFile> {
        let _t = crate::timing::stage("生成JSON");
        let tmp = report::staged(&json_path).map_err(|e| write_error(&json_path, e))?;
        report::json::write_json(&report, tmp.as_file())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| write_error(&json_path, e))?;
        Ok(tmp)
    };
    // The workbook is saved, not yet synced, and then dropped: its long sheets' temporary
    // files go with it, so the sync below does not write them to disk.
    type Early = Option<std::thread::JoinHandle<std::io::Result<()>>>;
    let write_workbook = |workbook: std::result::Result<report::workbook::Summary, rust_xlsxwriter::XlsxError>| -> Result<(tempfile::NamedTempFile, Early)> {
        let workbook = workbook.context("生成汇总表失败")?;
        let _t = crate::timing::stage("汇总表压缩保存");
        let tmp = report::staged(&xlsx_path).map_err(|e| write_error(&xlsx_path, e))?;
        // Buffered: the zip writer writes each compressed piece as it comes, a few KB at a time.
        let out = std::io::BufWriter::with_capacity(1 << 20, tmp.as_file());
        let out = workbook.save_to_writer(out).context("生成汇总表失败")?;
        out.into_inner().map_err(|e| write_error(&xlsx_path, e.into_error()))?;
        // Its 41 MB (at province scale) go to disk while the lists and the JSON are made,
        // rather than in the sync at the end.
        let early = tmp.as_file().try_clone().map(|f| std::thread::spawn(move || f.sync_data()));
        Ok((tmp, early.ok()))
    };
    let lists_dir = out_dir.join(report::unit_lists::FOLDER);
    let write_lists = || -> Result<Vec<(String, tempfile::NamedTempFile)>> {
        if !unit_lists {
            return Ok(Vec::new());
        }
        let _t = crate::timing::stage("生成问题清单");
        let problems = report::unit_lists::Problems::of(&report);
        let units = problems.units();
        // The lists are made and written by threads of their own, several at once: creating
        // 1,400 files waits on the file system, and the lists made by rust_xlsxwriter (the
        // first, and any the direct writer leaves to it) wait for the threads it starts.
        let next = std::sync::atomic::AtomicUsize::new(0);
        // The first list is made by rust_xlsxwriter, the others after it: they copy the
        // parts every list shares from it (report::list_xml).
        let reference = match units.first() {
            Some(unit) => Some(
                report::unit_lists::reference_list(&report, &problems, unit)
                    .with_context(|| format!("生成{unit}的问题清单失败"))?,
            ),
            None => None,
        };
        let make = |i: usize, unit: &str| -> Result<(String, tempfile::NamedTempFile)> {
            let bytes = match &reference {
                Some(reference) if i == 0 => Ok(reference.bytes().to_vec()),
                Some(reference) => report::unit_lists::unit_list_bytes_from(&report, &problems, unit, reference),
                None => report::unit_lists::unit_list_bytes_of(&report, &problems, unit),
            }
            .with_context(|| format!("生成{unit}的问题清单失败"))?;
            let name = report::unit_lists::file_name(unit, &report);
            let path = lists_dir.join(&name);
            let mut tmp = report::staged(&path).map_err(|e| write_error(&path, e))?;
            std::io::Write::write_all(&mut tmp, &bytes).map_err(|e| write_error(&path, e))?;
            Ok((name, tmp))
        };
        let mut made: Vec<(usize, Result<(String, tempfile::NamedTempFile)>)> = std::thread::scope(|scope| {
            let makers: Vec<_> = (0..LIST_THREADS.min(units.len()))
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(unit) = units.get(i) else { break };
                            let result = make(i, unit);
                            let failed = result.is_err();
                            done.push((i, result));
                            if failed {
                                // The others stop at their next list.
                                next.store(units.len(), std::sync::atomic::Ordering::Relaxed);
                                break;
                            }
                        }
                        done
                    })
                })
                .collect();
            makers.into_iter().flat_map(|m| m.join().unwrap_or_else(|_| Vec::new())).collect()
        });
        made.sort_by_key(|(i, _)| *i);
        // A thread that panicked returned nothing.
        if made.len() < units.len() && made.iter().all(|(_, r)| r.is_ok()) {
            anyhow::bail!("生成问题清单失败");
        }
        made.into_iter().map(|(_, r)| r).collect()
    };
    // The workbook's sheets are written on all cores: 明细 and then the correction lists on
    // one side, the other sheets and then the JSON on the other. The side that finishes its
    // sheets last saves the workbook first (copying the parts compressed as they were written).
    let (xlsx_tmp, lists, json_tmp) = {
        let _t = crate::timing::stage("生成汇总表");
        report::workbook::build_workbook_with(&report, write_workbook, write_lists, write_json)
            .context("生成汇总表失败")?
    };
    let ((xlsx_tmp, early), json_tmp, lists) = (xlsx_tmp?, json_tmp?, lists?);
    // A failed sync may not be reported twice (the pages are then taken as written): its
    // error is the workbook's.
    if let Some(Ok(Err(e))) = early.map(std::thread::JoinHandle::join) {
        return Err(write_error(&xlsx_path, e));
    }
    let _t = crate::timing::stage("写入文件");
    // The workbook and the lists are synced together (the JSON was synced as it was written).
    let unsynced = std::iter::once(xlsx_tmp.as_file()).chain(lists.iter().map(|(_, tmp)| tmp.as_file()));
    report::sync_files(unsynced).map_err(|e| write_error(out_dir, e))?;
    let persist = |tmp: tempfile::NamedTempFile, path: &Path| -> Result<()> {
        tmp.persist(path).map_err(|e| write_error(path, e.error))?;
        Ok(())
    };
    persist(xlsx_tmp, &xlsx_path)?;
    persist(json_tmp, &json_path)?;
    let mut list_paths = Vec::new();
    if unit_lists {
        list_paths = persist_unit_lists(&lists_dir, result.period, lists)?;
    }
    Ok(Written { json: json_path, workbook: xlsx_path, unit_lists: list_paths })
}

/// Renames this period's correction lists into place and removes this period's lists of
/// units that no longer have problems; other periods' lists are left alone.
fn persist_unit_lists(
    dir: &Path,
    period: Period,
    lists: Vec<(String, tempfile::NamedTempFile)>,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建文件夹 {}", dir.display()))?;
    let names: crate::HashSet<String> = lists.iter().map(|(n, _)| n.clone()).collect();
    let mut written = Vec::new();
    for (name, tmp) in lists {
        let path = dir.join(name);
        tmp.persist(&path).map_err(|e| write_error(&path, e.error))?;
        written.push(path);
    }
    let suffix = format!("_问题清单_{period}.xlsx");
    for entry in std::fs::read_dir(dir).with_context(|| format!("无法读取文件夹 {}", dir.display()))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(&suffix) && !names.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| write_error(&entry.path(), e))?;
        }
    }
    Ok(written)
}

/// Threads making, writing and syncing the correction lists.
const LIST_THREADS: usize = 4;

fn write_error(path: &Path, e: std::io::Error) -> anyhow::Error {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        anyhow::anyhow!("无法写入{name}：请先关闭{name}后重试")
    } else {
        anyhow::anyhow!("无法写入{}：{e}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::relative_dir;

    #[test]
    fn relative_dirs_climb_and_descend() {
        assert_eq!(relative_dir(Path::new("/ws/输出"), Path::new("/ws/returns/2015-10")), "../returns/2015-10/");
        assert_eq!(relative_dir(Path::new("/ws"), Path::new("/ws/returns/2015-10")), "returns/2015-10/");
        assert_eq!(relative_dir(Path::new("/a/b/c"), Path::new("/a/x")), "../../x/");
    }
}

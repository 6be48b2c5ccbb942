//! From a sheet grid to return rows: finds the header (anywhere in the first 30 rows, one or
//! two rows, tolerant of wording), classifies every non-blank row as a record, a skipped row
//! (title, header, repeated header, total, footer, merged continuation) or a rejected row
//! (values but no name), and parses each record's fields. Accounting per sheet:
//! `rows_nonblank = records + skipped + rejected`.

use std::collections::{BTreeMap, BTreeSet};

use crate::layout::{FieldKey, HeaderScore, Layout, TEMPLATE_AUX_MARKER, TEMPLATE_AUX_REASON};
use crate::model::{FiveHave, Issue, IssueCode, RawRecord, RejectedRow, Source};
use crate::period::{Period, PeriodMention, mention};
use crate::read::{Grid, GridRow};
use crate::values::{self, CellValue, fold};

/// The header must start within this many rows.
pub const HEADER_SEARCH_ROWS: u32 = 30;

/// Context for reading one sheet.
pub struct SheetContext<'a> {
    pub layout: &'a Layout,
    pub period: Option<Period>,
    pub campaign_year: i32,
    pub is_1904: bool,
    /// The file, relative to the period folder.
    pub file: &'a str,
}

/// Why a row was skipped (the keys of `skipped_by_reason`).
pub mod reason {
    pub const TITLE: &str = "标题行";
    pub const HEADER: &str = "表头行";
    pub const REPEATED_HEADER: &str = "重复表头";
    pub const TOTAL: &str = "合计行";
    pub const FOOTER: &str = "表尾说明";
    pub const CONTINUATION: &str = "合并单元格续行";
    pub const SEQ_ONLY: &str = "仅有序号的空行";
    pub const MERGED_DEMO: &str = "与示范点表合并";
    pub const SHEET_SKIPPED: &str = "所在工作表已跳过";
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetStatus {
    Used,
    Skipped(String),
}

/// Everything read from one sheet.
#[derive(Debug, Clone)]
pub struct SheetOutcome {
    pub name: Option<String>,
    pub status: SheetStatus,
    /// 1-based row of the (last) header row.
    pub header_row: Option<u32>,
    pub rows_nonblank: usize,
    pub records: Vec<RawRecord>,
    pub skipped_by_reason: BTreeMap<String, usize>,
    pub rejected: Vec<RejectedRow>,
    /// Bad values and missing columns, without a unit yet.
    pub issues: Vec<Issue>,
    /// Text of the rows above the header and of the footers, for unit attribution.
    pub statements: Vec<(String, Source)>,
    /// The sheet lists demo sites only (its name or title says 示范点).
    pub demo_sheet: bool,
    /// Fields whose column the sheet lacks.
    pub missing: BTreeSet<FieldKey>,
    /// Records moved out by [`SheetOutcome::take_records`].
    pub taken: usize,
}

impl SheetOutcome {
    /// How many records the sheet yielded (including those already taken).
    pub fn record_count(&self) -> usize {
        self.records.len() + self.taken
    }

    /// Moves the records out (for matching), keeping their count.
    pub fn take_records(&mut self) -> Vec<RawRecord> {
        let records = std::mem::take(&mut self.records);
        self.taken += records.len();
        records
    }

    pub fn skipped(&self) -> usize {
        self.skipped_by_reason.values().sum()
    }

    fn new(name: Option<String>, rows_nonblank: usize) -> SheetOutcome {
        SheetOutcome {
            name,
            status: SheetStatus::Used,
            header_row: None,
            rows_nonblank,
            records: Vec::new(),
            skipped_by_reason: BTreeMap::new(),
            rejected: Vec::new(),
            issues: Vec::new(),
            statements: Vec::new(),
            demo_sheet: false,
            missing: BTreeSet::new(),
            taken: 0,
        }
    }

    /// A sheet the reader could not open (too many cells, damaged XML).
    pub fn unreadable(name: &str, why: String) -> SheetOutcome {
        SheetOutcome::new(Some(name.to_string()), 0).skip_sheet(why)
    }

    fn skip_row(&mut self, why: &str) {
        *self.skipped_by_reason.entry(why.to_string()).or_default() += 1;
    }

    /// Marks the whole sheet skipped; its rows are counted as skipped so nothing is lost.
    fn skip_sheet(mut self, why: String) -> SheetOutcome {
        self.status = SheetStatus::Skipped(why);
        self.records.clear();
        self.rejected.clear();
        self.issues.clear();
        self.skipped_by_reason.clear();
        if self.rows_nonblank > 0 {
            self.skipped_by_reason.insert(reason::SHEET_SKIPPED.to_string(), self.rows_nonblank);
        }
        self
    }
}

/// A recognised header: the row(s) and the column of each field.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// 0-based rows of the header (one or two).
    pub rows: Vec<u32>,
    pub columns: BTreeMap<FieldKey, u32>,
}

impl Header {
    pub fn col(&self, key: FieldKey) -> Option<u32> {
        self.columns.get(&key).copied()
    }

    fn last_row(&self) -> u32 {
        self.rows.iter().copied().max().unwrap_or(0)
    }
}

/// Assigns fields to header cells: exact names first, then the longest contained synonym,
/// each column and each field used once.
pub fn assign_columns(layout: &Layout, cells: &[(u32, String)]) -> BTreeMap<FieldKey, u32> {
    assign_columns_with(cells, |text| layout.header_candidates(text))
}

/// Header candidates of each cell text, remembered: data rows repeat their texts (是, 达标,
/// the same measures), and every data row is checked for being a repeated header.
type CandidateMemo = crate::HashMap<String, Vec<(FieldKey, HeaderScore)>>;

fn assign_columns_with(
    cells: &[(u32, String)],
    mut candidates: impl FnMut(&str) -> Vec<(FieldKey, HeaderScore)>,
) -> BTreeMap<FieldKey, u32> {
    let mut cands: Vec<(HeaderScore, u32, FieldKey)> = Vec::new();
    for (col, text) in cells {
        for (key, score) in candidates(text) {
            cands.push((score, *col, key));
        }
    }
    cands.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_cols = BTreeSet::new();
    let mut out = BTreeMap::new();
    for (_, col, key) in cands {
        if used_cols.contains(&col) || out.contains_key(&key) {
            continue;
        }
        used_cols.insert(col);
        out.insert(key, col);
    }
    out
}

fn row_texts(row: &GridRow) -> Vec<(u32, String)> {
    row.non_blank().map(|(c, v)| (c, v.text())).collect()
}

fn score(columns: &BTreeMap<FieldKey, u32>) -> usize {
    if columns.contains_key(&FieldKey::Name) { columns.keys().filter(|k| **k != FieldKey::Seq).count() } else { 0 }
}

/// Finds the header in the first [`HEADER_SEARCH_ROWS`] rows.
pub fn find_header(grid: &Grid, layout: &Layout) -> Option<Header> {
    find_header_with(grid, layout, &mut CandidateMemo::default())
}

/// [`find_header`], remembering each text's candidates in `memo` (the rows above and below
/// a header repeat their texts, and the data rows are checked against the same memo).
fn find_header_with(grid: &Grid, layout: &Layout, memo: &mut CandidateMemo) -> Option<Header> {
    let rows: Vec<&GridRow> = grid.rows.iter().filter(|r| r.index < HEADER_SEARCH_ROWS && !r.is_blank()).collect();
    let mut best: Option<(usize, Header)> = None;
    for (i, row) in rows.iter().enumerate() {
        let single = assign_columns_with(&row_texts(row), |text| candidates_of(layout, memo, text));
        let s1 = score(&single);
        if s1 == 0 {
            continue;
        }
        let mut candidate = (s1, Header { rows: vec![row.index], columns: single });
        // A two-row header: the next row holds sub-headers under merged parents.
        if let Some(next) = rows.get(i + 1).filter(|n| n.index == row.index + 1) {
            let own: Vec<(u32, String)> = next
                .non_blank()
                .filter(|(c, _)| grid.merge_origin(next.index, *c).is_none_or(|(r, _)| r == next.index))
                .map(|(c, v)| (c, v.text()))
                .collect();
            let all_headerish = !own.is_empty() && own.iter().all(|(_, t)| !candidates_of(layout, memo, t).is_empty());
            if all_headerish {
                let width = row.cells.len().max(next.cells.len()) as u32;
                let composite: Vec<(u32, String)> = (0..width)
                    .filter_map(|c| {
                        let lower = next.get(c);
                        let upper = row.get(c);
                        let v = if lower.is_blank() { upper } else { lower };
                        (!v.is_blank()).then(|| (c, v.text()))
                    })
                    .collect();
                let two = assign_columns_with(&composite, |text| candidates_of(layout, memo, text));
                let s2 = score(&two);
                if s2 > s1 {
                    candidate = (s2, Header { rows: vec![row.index, next.index], columns: two });
                }
            }
        }
        if best.as_ref().is_none_or(|(s, _)| candidate.0 > *s) {
            best = Some(candidate);
        }
    }
    best.map(|(_, h)| h)
}

fn is_total_row(row: &GridRow, header: &Header, layout: &Layout) -> bool {
    let name_col = header.col(FieldKey::Name).unwrap_or(0);
    row.non_blank().take(3).chain(std::iter::once((name_col, row.get(name_col)))).any(|(_, v)| {
        let f = fold(&v.text());
        layout
            .vocab
            .total
            .iter()
            .any(|t| f == *t || (f.starts_with(t.as_str()) && f.chars().count() <= t.chars().count() + 4))
    })
}

fn is_footer_row(row: &GridRow, header: &Header, layout: &Layout) -> bool {
    let Some((_, first)) = row.non_blank().next() else { return false };
    let text = first.text();
    let f = fold(&text);
    if layout.vocab.footer.iter().any(|w| f.starts_with(w.as_str())) {
        return true;
    }
    // A lone statement ("审核：王芳") outside the name column is a footer, not a data row.
    let name_col = header.col(FieldKey::Name).unwrap_or(0);
    let count = row.non_blank().count();
    count <= 3 && row.get(name_col).is_blank() && row.non_blank().all(|(_, v)| v.text().contains(['：', ':']))
}

/// A text's header candidates, looked up in `memo` first.
fn candidates_of(layout: &Layout, memo: &mut CandidateMemo, text: &str) -> Vec<(FieldKey, HeaderScore)> {
    if let Some(known) = memo.get(text) {
        return known.clone();
    }
    let found = layout.header_candidates(text);
    memo.insert(text.to_string(), found.clone());
    found
}

fn is_repeated_header(row: &GridRow, header: &Header, layout: &Layout, memo: &mut CandidateMemo) -> bool {
    // Only a cell that may head the name column makes a header (the columns are assigned
    // from the cells' candidates): looked for first, with each text borrowed, so that a data
    // row (nearly all of them) is passed over without copying its cells' texts.
    // A text that may head no column (most data cells) is not remembered: looking it up
    // again costs less than keeping a copy of every text of the sheet.
    let may_name = |text: &str, memo: &mut CandidateMemo| match memo.get(text) {
        Some(known) => known.iter().any(|(k, _)| *k == FieldKey::Name),
        None => {
            let found = layout.header_candidates(text);
            let names = found.iter().any(|(k, _)| *k == FieldKey::Name);
            if !found.is_empty() {
                memo.insert(text.to_string(), found);
            }
            names
        }
    };
    let names = row.non_blank().any(|(_, v)| match v {
        CellValue::Text(s) => may_name(s.trim_matches(values::is_space), memo),
        other => may_name(&other.text(), memo),
    });
    if !names {
        return false;
    }
    let cols = assign_columns_with(&row_texts(row), |text| candidates_of(layout, memo, text));
    cols.contains_key(&FieldKey::Name) && score(&cols) * 2 >= score(&header.columns).max(1)
}

/// Joins a row's texts for title and footer statements.
fn row_statement(row: &GridRow) -> String {
    row.non_blank().map(|(_, v)| v.text()).collect::<Vec<_>>().join("  ")
}

/// Reads one sheet. `grid.name` is `None` for a CSV.
pub fn read_sheet(grid: &Grid, ctx: &SheetContext<'_>) -> SheetOutcome {
    let sheet_name = grid.name.as_deref();
    let rows_nonblank = grid.non_blank_rows().count();
    let mut out = SheetOutcome::new(grid.name.clone(), rows_nonblank);
    let src = |row: u32, col: u32| Source::cell(ctx.file, sheet_name, row + 1, col);

    let first_text = grid.non_blank_rows().next().and_then(|r| r.non_blank().next()).map(|(_, v)| v.text());
    if first_text.is_some_and(|t| t.starts_with(TEMPLATE_AUX_MARKER)) {
        return out.skip_sheet(TEMPLATE_AUX_REASON.to_string());
    }
    if !grid.visible {
        return out.skip_sheet("隐藏工作表".to_string());
    }
    if rows_nonblank == 0 {
        return out.skip_sheet("空工作表".to_string());
    }
    let mut memo = CandidateMemo::default();
    let Some(header) = find_header_with(grid, ctx.layout, &mut memo) else {
        let first: Vec<String> = grid
            .non_blank_rows()
            .take(3)
            .flat_map(|r| r.non_blank().map(|(_, v)| v.text()).take(6).collect::<Vec<_>>())
            .collect();
        return out.skip_sheet(format!(
            "未找到表头（前几行：{}）：如是报表，请确认表头中有\u{201C}党组织名称\u{201D}一列",
            first.join("、")
        ));
    };
    out.header_row = Some(header.last_row() + 1);
    let first_header_row = header.rows.iter().copied().min().unwrap_or(0);

    // Title lines and the sheet name tell the period and whether this is a demo-site sheet.
    for row in grid.non_blank_rows().filter(|r| r.index < first_header_row) {
        out.statements.push((row_statement(row), src(row.index, row.non_blank().next().map_or(0, |(c, _)| c))));
    }
    if let Some(period) = ctx.period {
        let mut texts: Vec<&str> = sheet_name.into_iter().collect();
        texts.extend(out.statements.iter().map(|(t, _)| t.as_str()));
        let mentions: Vec<PeriodMention> = texts.iter().map(|t| mention(t, period)).collect();
        if !mentions.contains(&PeriodMention::This)
            && let Some(PeriodMention::Other(y, m)) = mentions.iter().find(|m| matches!(m, PeriodMention::Other(..)))
        {
            let named = match y {
                Some(y) => format!("{y}年{m}月"),
                None => format!("{m}月"),
            };
            return out.skip_sheet(format!("属于其他月份（{named}），本次汇总{}", period.chinese()));
        }
    }
    let says_demo = |t: &str| t.contains("示范点") && !t.contains("示范带");
    out.demo_sheet =
        sheet_name.is_some_and(says_demo) || out.statements.iter().any(|(t, _)| says_demo(t) && !t.contains("填报"));

    let mut columns = header.columns.clone();
    // 类别 is the demo column only if its values are demo words.
    if let Some(col) = columns.get(&FieldKey::Demo).copied() {
        let header_text = header.rows.iter().filter_map(|r| grid.get(*r, col)).map(CellValue::text).collect::<String>();
        if !header_text.contains("示范") {
            let any_demo_word = grid
                .rows
                .iter()
                .filter(|r| r.index > header.last_row())
                .any(|r| values::looks_like_demo_word(r.get(col), &ctx.layout.vocab));
            if !any_demo_word {
                columns.remove(&FieldKey::Demo);
            }
        }
    }
    let header = Header { rows: header.rows, columns };
    for key in [
        FieldKey::Responsible,
        FieldKey::Deadline,
        FieldKey::Measures,
        FieldKey::ContactLeader,
        FieldKey::Star,
        FieldKey::Venue,
        FieldKey::Demo,
    ] {
        if header.col(key).is_none() {
            out.missing.insert(key);
        }
    }
    let name_col = header.col(FieldKey::Name).unwrap_or(0);
    if grid.unreadable_cells > 0 {
        out.issues.push(Issue::new(
            IssueCode::BadValue,
            None,
            Some(Source::sheet(ctx.file, sheet_name)),
            format!(
                "有{}个单元格是本程序不认识的错误值（如 #SPILL!、#CALC!），已按空白处理：请在Excel中修正公式或改为数值后重新发送",
                grid.unreadable_cells
            ),
        ));
    }

    if grid.broken_text {
        out.issues.push(Issue::new(
            IssueCode::BadValue,
            None,
            Some(Source::sheet(ctx.file, sheet_name)),
            "文件中有无法识别的字节（既不是UTF-8也不是GB18030编码），相关文字显示为\u{FFFD}：请用Excel打开后另存为CSV（UTF-8）或xlsx后重新发送".to_string(),
        ));
    }

    for row in grid.non_blank_rows() {
        if row.index < first_header_row {
            out.skip_row(reason::TITLE);
            continue;
        }
        if row.index <= header.last_row() {
            out.skip_row(reason::HEADER);
            continue;
        }
        if is_repeated_header(row, &header, ctx.layout, &mut memo) {
            out.skip_row(reason::REPEATED_HEADER);
            continue;
        }
        if is_total_row(row, &header, ctx.layout) {
            out.skip_row(reason::TOTAL);
            continue;
        }
        if is_footer_row(row, &header, ctx.layout) {
            out.statements.push((row_statement(row), src(row.index, row.non_blank().next().map_or(0, |(c, _)| c))));
            out.skip_row(reason::FOOTER);
            continue;
        }
        let name_cell = row.get(name_col);
        if grid.merge_origin(row.index, name_col).is_some_and(|(r, _)| r < row.index) {
            out.skip_row(reason::CONTINUATION);
            continue;
        }
        if name_cell.is_blank() {
            let seq_only = header.col(FieldKey::Seq).is_some_and(|seq| row.non_blank().all(|(c, _)| c == seq));
            if seq_only {
                out.skip_row(reason::SEQ_ONLY);
            } else {
                let shown: Vec<String> = row.non_blank().take(4).map(|(_, v)| v.text()).collect();
                out.rejected.push(RejectedRow {
                    source: src(row.index, name_col),
                    unit: None,
                    reason: format!("此行有数据（{}）但没有党组织名称，请补填名称或删除此行", shown.join("、")),
                });
            }
            continue;
        }
        let record = parse_record(row, &header, ctx, &src, out.demo_sheet, &mut out.issues);
        out.records.push(record);
    }
    out
}

fn parse_record(
    row: &GridRow,
    header: &Header,
    ctx: &SheetContext<'_>,
    src: &dyn Fn(u32, u32) -> Source,
    demo_sheet: bool,
    issues: &mut Vec<Issue>,
) -> RawRecord {
    let layout = ctx.layout;
    let vocab = &layout.vocab;
    let name_col = header.col(FieldKey::Name).unwrap_or(0);
    let mut bad = |key: FieldKey, col: u32, err: values::ValueError| {
        let mut issue = Issue::new(
            IssueCode::BadValue,
            None,
            Some(src(row.index, col)),
            format!("{}：{}", layout.label(key), err.0),
        );
        issue.org_name = Some(row.get(name_col).text());
        issues.push(issue);
    };
    // An error value (#N/A, a formula never calculated) is reported once and read as blank.
    for (key, col) in &header.columns {
        if let CellValue::Error(e) = row.get(*col)
            && *key != FieldKey::Name
        {
            bad(
                *key,
                *col,
                values::ValueError(format!("单元格是错误值\u{201C}{e}\u{201D}，已按空白处理：请在Excel中改为实际内容")),
            );
        }
    }
    let cell =
        |key: FieldKey| header.col(key).map(|c| (c, row.get(c))).filter(|(_, v)| !matches!(v, CellValue::Error(_)));
    let text = |key: FieldKey| cell(key).and_then(|(_, v)| values::text(v));
    let person = |key: FieldKey| cell(key).and_then(|(_, v)| values::person(v));

    let demo = match cell(FieldKey::Demo) {
        Some((c, v)) => values::demo(v, vocab).unwrap_or_else(|e| {
            bad(FieldKey::Demo, c, e);
            false
        }),
        None => false,
    } || demo_sheet;
    let mut star_of = |key: FieldKey| match cell(key) {
        Some((c, v)) => values::star(v, vocab).unwrap_or_else(|e| {
            bad(key, c, e);
            None
        }),
        None => None,
    };
    let star = star_of(FieldKey::Star);
    let target_star = star_of(FieldKey::TargetStar);
    let venue = match cell(FieldKey::Venue) {
        Some((c, v)) => values::venue(v, vocab).unwrap_or_else(|e| {
            bad(FieldKey::Venue, c, e);
            None
        }),
        None => None,
    };
    let deadline = match cell(FieldKey::Deadline) {
        Some((c, v)) => values::date(v, ctx.campaign_year, ctx.is_1904).unwrap_or_else(|e| {
            bad(FieldKey::Deadline, c, e);
            None
        }),
        None => None,
    };
    let acceptance = match cell(FieldKey::Acceptance) {
        Some((c, v)) => values::acceptance(v, vocab).unwrap_or_else(|e| {
            bad(FieldKey::Acceptance, c, e);
            None
        }),
        None => None,
    };
    let five_keys = [
        FieldKey::FiveTeam,
        FieldKey::FiveSystem,
        FieldKey::FiveCarrier,
        FieldKey::FivePosition,
        FieldKey::FiveCulture,
    ];
    let five_have = if five_keys.iter().any(|k| header.col(*k).is_some()) {
        let mut five = [None; 5];
        for (slot, key) in five.iter_mut().zip(five_keys) {
            if let Some((c, v)) = cell(key) {
                *slot = values::yes_no(v, vocab).unwrap_or_else(|e| {
                    bad(key, c, e);
                    None
                });
            }
        }
        let [team, system, carrier, position, culture] = five;
        Some(FiveHave { team, system, carrier, position, culture })
    } else {
        None
    };
    let name_value = row.get(name_col);
    RawRecord {
        source: src(row.index, name_col),
        unit: String::new(),
        unit_text: text(FieldKey::Unit),
        raw_name: name_value.text(),
        demo,
        star,
        target_star,
        venue,
        responsible: person(FieldKey::Responsible),
        deadline,
        measures: text(FieldKey::Measures),
        contact_leader: person(FieldKey::ContactLeader),
        five_have,
        acceptance,
        progress: text(FieldKey::Progress),
        remarks: text(FieldKey::Remarks),
    }
}

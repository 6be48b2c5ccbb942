//! The summary workbook `汇总_<period>.xlsx` (SPEC §6.1): the 13 sheets, always present and in
//! a fixed order, formatted to be printed and filed as is. Input: a [`Report`]. Output: the
//! bytes of the workbook, identical for an identical report (no wall clock anywhere).
//!
//! Every list sheet is built the same way: its rows are plain [`Cell`] values, and one helper
//! writes the title, the header, the rows, the column widths, the filter and the page setup.
//! Text from returns always goes through `write_string`, so "=1+1" stays text.

use std::collections::{BTreeSet, HashMap};

use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula,
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::discover::FileEntry;
use crate::matching::{MatchResult, Method};
use crate::model::{Issue, IssueCode, Source, column_letters};
use crate::read::sheet::SheetStatus;
use crate::reconcile::{Record, UnitSummary};
use crate::report::Report;
use crate::values::Date;

/// The sheets of SPEC §6.1, in order.
#[rustfmt::skip]
pub const SHEETS: [&str; 13] = [
    "汇总", "明细", "问题清单", "待核实", "未匹配", "指标缺口", "星级未达标", "场所不达标", "重复上报", "未上报", "数据问题",
    "环比变化", "说明",
];

/// Data rows a sheet can hold under the title and header rows; longer lists continue in
/// "<name>（续1）"….
const MAX_DATA_ROWS: usize = 1_048_576 - 2;
/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit on a drop-down list written inline (characters, commas included).
const MAX_LIST_CHARS: usize = 255;
const EMPTY: &str = "（无）";
const DASH: &str = "—";

// Columns of 汇总 that other parts (red highlighting, chart) refer to.
const COL_SUBMITTED: u16 = 2;
const COL_QUOTA_POINTS: u16 = 3;
const COL_VALID_POINTS: u16 = 5;
const COL_POINTS_GAP: u16 = 7;
const COL_QUOTA_DEMO: u16 = 9;
const COL_VALID_DEMO: u16 = 11;
const COL_DEMO_GAP: u16 = 14;
const COL_STAR_LOW: u16 = 16;
const COL_VENUE: u16 = 17;
const COL_COMPLIANT: u16 = 20;

/// One cell of a table row.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    Number(f64),
    /// A ratio shown as a percentage ("0.0%").
    Percent(f64),
    /// A similarity score ("0.00").
    Score(f64),
    Source(Source),
    /// An empty answer cell with a drop-down of the given choices.
    Choice(Vec<String>),
    /// Empty but bordered.
    Blank,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Blank, Cell::text)
    }

    fn count(n: u32) -> Cell {
        Cell::Number(f64::from(n))
    }

    fn opt_count(n: Option<u32>) -> Cell {
        n.map_or(Cell::Blank, Cell::count)
    }

    /// A figure that does not apply (a unit without a belt) is shown as —.
    fn count_or_dash(n: Option<u32>) -> Cell {
        n.map_or(Cell::text(DASH), Cell::count)
    }

    fn yes_no(b: bool) -> Cell {
        Cell::text(if b { "是" } else { "否" })
    }

    fn opt_source(s: Option<&Source>) -> Cell {
        s.map_or(Cell::Blank, |s| Cell::Source(s.clone()))
    }

    /// Display width in Excel character units, before clamping.
    fn width(&self) -> f64 {
        match self {
            Cell::Text(s) => text_width(s),
            Cell::Number(n) => text_width(&n.to_string()),
            Cell::Percent(_) => text_width("100.0%"),
            Cell::Score(_) => text_width("0.00"),
            Cell::Source(s) => text_width(&s.display()),
            Cell::Choice(_) | Cell::Blank => 0.0,
        }
    }
}

/// Whether a character takes two columns in a Chinese font (CJK, full-width forms and the
/// punctuation SimSun draws full width, such as — and “”).
fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{2010}'..='\u{2027}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
}

/// Column width for a text: 2 per wide character, 1.1 per other character, plus 2 of padding;
/// the longest line counts.
fn text_width(s: &str) -> f64 {
    let longest =
        s.lines().map(|l| l.chars().map(|c| if is_wide(c) { 2.0 } else { 1.1 }).sum::<f64>()).fold(0.0, f64::max);
    longest + 2.0
}

fn clamp_width(w: f64) -> f64 {
    w.clamp(6.0, 50.0)
}

/// Cuts a text to Excel's cell limit rather than failing the whole workbook.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// A column index as Excel's type; an impossible value is left for rust_xlsxwriter to reject.
fn col_num(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn star_word(n: u8) -> &'static str {
    match n {
        1 => "一星",
        2 => "二星",
        3 => "三星",
        4 => "四星",
        5 => "五星",
        _ => "",
    }
}

fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year, d.month, d.day)
}

/// The cell formats of the workbook.
struct Formats {
    title: Format,
    header: Format,
    text: Format,
    number: Format,
    percent: Format,
    score: Format,
    sign: Format,
    red: Format,
}

impl Formats {
    fn new() -> Formats {
        let body = Format::new()
            .set_font_name("宋体")
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_font_name("黑体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: body.clone().set_bold().set_background_color(Color::RGB(0xD9D9D9)).set_align(FormatAlign::Center),
            number: body.clone(),
            percent: body.clone().set_num_format("0.0%"),
            score: body.clone().set_num_format("0.00"),
            sign: Format::new().set_font_name("宋体").set_font_size(11).set_align(FormatAlign::Right),
            red: Format::new().set_font_color(Color::RGB(0xFF0000)),
            text: body,
        }
    }
}

/// What every sheet shares: the formats and the title.
struct Ctx {
    f: Formats,
    /// "<organiser><title>情况汇总表（2015年10月）"
    title: String,
}

/// Writes a text through one path so that the 来源 cells can become links to the source cell
/// later (the relative path from the output folder is not known here yet).
fn write_source(ws: &mut Worksheet, row: u32, col: u16, source: &Source, format: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, col, clip(&source.display()), format)?;
    Ok(())
}

/// A drop-down offering `items` (as many as fit Excel's inline list limit), or none.
fn choice_validation(items: &[String]) -> Result<Option<DataValidation>, XlsxError> {
    // A comma would split an item in two; a full-width one reads the same.
    let mut kept: Vec<String> = Vec::new();
    let mut len = 0;
    for item in items.iter().map(|s| s.replace(',', "，")) {
        let add = item.chars().count() + usize::from(!kept.is_empty());
        if len + add > MAX_LIST_CHARS {
            break;
        }
        len += add;
        kept.push(item);
    }
    if kept.is_empty() {
        return Ok(None);
    }
    Ok(Some(DataValidation::new().allow_list_strings(&kept)?))
}

fn write_cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => ws.write_string_with_format(row, col, clip(s), &f.text).map(|_| ()),
        Cell::Number(n) if n.is_finite() => ws.write_number_with_format(row, col, *n, &f.number).map(|_| ()),
        Cell::Percent(x) if x.is_finite() => ws.write_number_with_format(row, col, *x, &f.percent).map(|_| ()),
        Cell::Score(x) if x.is_finite() => ws.write_number_with_format(row, col, *x, &f.score).map(|_| ()),
        Cell::Source(s) => write_source(ws, row, col, s, &f.text),
        Cell::Choice(items) => {
            ws.write_blank(row, col, &f.text)?;
            if let Some(dv) = choice_validation(items)? {
                ws.add_data_validation(row, col, row, col, &dv)?;
            }
            Ok(())
        }
        Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Blank => {
            ws.write_blank(row, col, &f.text).map(|_| ())
        }
    }
}

/// Writes `rows` from sheet row `first` on, widening `widths`; returns the next free row.
fn write_rows(
    ws: &mut Worksheet,
    f: &Formats,
    first: u32,
    rows: &[Vec<Cell>],
    widths: &mut [f64],
) -> Result<u32, XlsxError> {
    let mut row = first;
    for cells in rows {
        for (c, cell) in cells.iter().enumerate() {
            write_cell(ws, f, row, col_num(c), cell)?;
            if let Some(w) = widths.get_mut(c) {
                *w = w.max(cell.width());
            }
        }
        row = row.saturating_add(1);
    }
    Ok(row)
}

/// A text across columns `first..=last` (merged when more than one).
fn merged(ws: &mut Worksheet, row: u32, first: u16, last: u16, text: &str, format: &Format) -> Result<(), XlsxError> {
    if last > first {
        ws.merge_range(row, first, row, last, clip(text), format)?;
    } else {
        ws.write_string_with_format(row, first, clip(text), format)?;
    }
    Ok(())
}

/// Row 1: the merged title over `ncols` columns.
fn write_title(ws: &mut Worksheet, ctx: &Ctx, name: &str, ncols: usize) -> Result<(), XlsxError> {
    let title = if name == SHEETS[0] { ctx.title.clone() } else { format!("{}—{name}", ctx.title) };
    merged(ws, 0, 0, col_num(ncols.saturating_sub(1)), &title, &ctx.f.title)?;
    ws.set_row_height(0, 30)?;
    Ok(())
}

/// A4 landscape, one page wide, rows 1–2 repeated, page numbers in the footer; header frozen.
fn page_setup(ws: &mut Worksheet) -> Result<(), XlsxError> {
    ws.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0).set_footer("&C第 &P 页 共 &N 页");
    ws.set_repeat_rows(0, 1)?;
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}

/// Names the sheet and writes title, header and page setup; returns the header widths.
fn frame(ws: &mut Worksheet, ctx: &Ctx, name: &str, headers: &[&str]) -> Result<Vec<f64>, XlsxError> {
    ws.set_name(name)?;
    write_title(ws, ctx, name, headers.len())?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, col_num(c), *h, &ctx.f.header)?;
    }
    page_setup(ws)?;
    Ok(headers.iter().map(|h| text_width(h)).collect())
}

fn set_widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c), clamp_width(*w))?;
    }
    Ok(())
}

/// A list sheet: 序号 plus `headers`, one row per entry of `rows` (numbered here), filtered;
/// `empty` fills the first data row when there is nothing to list. A list longer than
/// `max_rows` continues on "<name>（续1）"….
fn list_sheet(
    wb: &mut Workbook,
    ctx: &Ctx,
    name: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
    empty: &str,
    max_rows: usize,
) -> Result<(), XlsxError> {
    let headers: Vec<&str> = std::iter::once("序号").chain(headers.iter().copied()).collect();
    let last_col = col_num(headers.len().saturating_sub(1));
    let rows: Vec<Vec<Cell>> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| std::iter::once(Cell::Number((i + 1) as f64)).chain(r).collect())
        .collect();
    let chunks: Vec<&[Vec<Cell>]> = if rows.is_empty() { vec![&[]] } else { rows.chunks(max_rows.max(1)).collect() };
    for (i, chunk) in chunks.into_iter().enumerate() {
        let sheet_name = if i == 0 { name.to_string() } else { format!("{name}（续{i}）") };
        let ws = wb.add_worksheet();
        let mut widths = frame(ws, ctx, &sheet_name, &headers)?;
        let end = if chunk.is_empty() {
            merged(ws, 2, 0, last_col, empty, &ctx.f.text)?;
            3
        } else {
            write_rows(ws, &ctx.f, 2, chunk, &mut widths)?
        };
        ws.autofilter(1, 0, end.saturating_sub(1), last_col)?;
        set_widths(ws, &widths)?;
    }
    Ok(())
}

/// The summary workbook as bytes.
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded); text longer than a cell
/// holds is cut rather than refused.
pub fn workbook_bytes(report: &Report<'_>) -> Result<Vec<u8>, XlsxError> {
    let config = report.config;
    let ctx = Ctx {
        f: Formats::new(),
        title: format!("{}{}情况汇总表（{}）", config.organiser, config.title, report.period.chinese()),
    };
    let mut wb = Workbook::new();
    let last = report.period.last_day();
    let year =
        u16::try_from(last.year).map_err(|_| XlsxError::DateTimeRangeError(format!("年份 {} 超出范围", last.year)))?;
    let created = ExcelDateTime::from_ymd(year, last.month, last.day)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&ctx.title)
            .set_author("huizong")
            .set_company(&config.organiser)
            .set_creation_datetime(&created),
    );

    summary_sheet(&mut wb, &ctx, report)?;
    // The list sheets between 汇总 and 说明: their headers after 序号, and their rows.
    let l = Lookup::new(report);
    let lists: [(&[&str], Vec<Vec<Cell>>); 11] = [
        (&DETAIL_HEADERS, detail_rows(report)),
        (&["单位", "严重程度", "问题类型", "组织名称", "说明", "来源"], issue_rows(report)),
        (&REVIEW_HEADERS, review_rows(report)),
        (&["单位", "上报名称", "规范化名称", "最接近的候选", "说明", "来源"], unmatched_rows(report, &l)),
        (
            &["单位", "应建点数", "有效点数", "点数缺口", "应建示范点", "有效示范点", "示范点缺口"],
            gap_rows(report.units),
        ),
        (&["单位", "组织名称", "类型", "星级", "应达星级", "说明", "来源"], star_rows(report, &l)),
        (&["单位", "组织名称", "活动场所", "说明", "来源"], venue_rows(report, &l)),
        (&["单位", "组织名称", "问题类型", "说明", "来源"], duplicate_rows(report, &l)),
        (&["单位", "应建点数", "应建示范点", "说明"], missing_rows(report)),
        (&["单位", "问题类型", "说明", "来源"], data_problem_rows(report)),
        // Month-over-month comparison comes later; until then the sheet says so.
        (&["单位", "组织名称", "变化类型", "上期", "本期", "说明"], Vec::new()),
    ];
    for (name, (headers, rows)) in SHEETS.iter().skip(1).zip(lists) {
        let empty = if *name == "环比变化" { "未找到上期报表，本期不作环比" } else { EMPTY };
        list_sheet(&mut wb, &ctx, name, headers, rows, empty, MAX_DATA_ROWS)?;
    }
    notes_sheet(&mut wb, &ctx, report)?;
    wb.save_to_buffer()
}

// ---------------------------------------------------------------------------------------
// 汇总

fn summary_headers(report: &Report<'_>) -> Vec<String> {
    let rules = &report.config.rules;
    let demo_ok = format!("{}以上示范点", star_word(rules.min_star_demo));
    let points_ok = format!("{}以上点数", star_word(rules.min_star_point));
    #[rustfmt::skip]
    let headers = [
        "序号", "单位", "是否上报", "应建点数", "上报点数", "有效点数", "上月有效点数", "点数缺口", "完成率", "应建示范点",
        "上报示范点", "有效示范点", "上月有效示范点", &demo_ok, "示范点缺口", &points_ok, "星级未达标", "场所不达标", "错误数",
        "警告数", "是否达标",
    ];
    headers.iter().map(|s| s.to_string()).collect()
}

fn ratio(valid: u32, quota: Option<u32>) -> Cell {
    match quota {
        Some(q) if q > 0 => Cell::Percent(f64::from(valid) / f64::from(q)),
        Some(_) | None => Cell::text(DASH),
    }
}

fn unit_row(i: usize, u: &UnitSummary) -> Vec<Cell> {
    vec![
        Cell::Number((i + 1) as f64),
        Cell::text(&u.unit),
        Cell::yes_no(u.submitted),
        Cell::count_or_dash(u.quota_points),
        Cell::count(u.reported_points),
        Cell::count(u.valid_points),
        Cell::opt_count(u.prev_valid_points),
        Cell::count_or_dash(u.points_shortfall),
        ratio(u.valid_points, u.quota_points),
        Cell::count(u.quota_demo),
        Cell::count(u.reported_demo),
        Cell::count(u.valid_demo),
        Cell::opt_count(u.prev_valid_demo),
        Cell::count(u.demo_qualified),
        Cell::count(u.demo_shortfall),
        Cell::count(u.points_star_ok),
        Cell::count(u.star_low),
        Cell::count(u.venue_failures),
        Cell::count(u.errors),
        Cell::count(u.warnings),
        Cell::yes_no(u.compliant),
    ]
}

/// Sum of the figures present; `None` when no unit has one.
fn sum_opt(units: &[UnitSummary], f: impl Fn(&UnitSummary) -> Option<u32>) -> Option<u32> {
    units.iter().filter_map(&f).fold(None, |acc, n| Some(acc.unwrap_or(0) + n))
}

/// The 合计 row, as values. The total 完成率 is over the units with a belt only: valid
/// points of a unit without a quota would otherwise inflate it.
fn total_row(units: &[UnitSummary]) -> Vec<Cell> {
    let sum = |f: fn(&UnitSummary) -> u32| Cell::count(units.iter().map(f).sum());
    let belt_valid: u32 = units.iter().filter(|u| u.quota_points.is_some()).map(|u| u.valid_points).sum();
    let quota = sum_opt(units, |u| u.quota_points);
    vec![
        Cell::Blank,
        Cell::text("合计"),
        Cell::text(format!("已报{}个", units.iter().filter(|u| u.submitted).count())),
        Cell::count_or_dash(quota),
        sum(|u| u.reported_points),
        sum(|u| u.valid_points),
        Cell::opt_count(sum_opt(units, |u| u.prev_valid_points)),
        Cell::count_or_dash(sum_opt(units, |u| u.points_shortfall)),
        ratio(belt_valid, quota),
        sum(|u| u.quota_demo),
        sum(|u| u.reported_demo),
        sum(|u| u.valid_demo),
        Cell::opt_count(sum_opt(units, |u| u.prev_valid_demo)),
        sum(|u| u.demo_qualified),
        sum(|u| u.demo_shortfall),
        sum(|u| u.points_star_ok),
        sum(|u| u.star_low),
        sum(|u| u.venue_failures),
        sum(|u| u.errors),
        sum(|u| u.warnings),
        Cell::text(format!("达标{}个", units.iter().filter(|u| u.compliant).count())),
    ]
}

fn summary_sheet(wb: &mut Workbook, ctx: &Ctx, report: &Report<'_>) -> Result<(), XlsxError> {
    let headers = summary_headers(report);
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let ws = wb.add_worksheet();
    let mut widths = frame(ws, ctx, SHEETS[0], &header_refs)?;
    let mut rows: Vec<Vec<Cell>> = report.units.iter().enumerate().map(|(i, u)| unit_row(i, u)).collect();
    rows.push(total_row(report.units));
    let end = write_rows(ws, &ctx.f, 2, &rows, &mut widths)?;
    let total = end.saturating_sub(1);
    highlight_summary(ws, &ctx.f, total)?;

    // 落款: organiser and date, right-aligned under the table, two rows down.
    let last = col_num(headers.len().saturating_sub(1));
    let first = last.saturating_sub(5);
    merged(ws, end + 1, first, last, &report.config.organiser, &ctx.f.sign)?;
    merged(ws, end + 2, first, last, &chinese_date(report.period.last_day()), &ctx.f.sign)?;
    set_widths(ws, &widths)?;
    if !report.units.is_empty() {
        ws.insert_chart(end + 4, 1, &summary_chart(total.saturating_sub(1)))?;
    }
    Ok(())
}

/// Red for gaps and failures above zero and for 否; a formula rule so "—" is not taken as
/// greater than zero.
fn highlight_summary(ws: &mut Worksheet, f: &Formats, last_row: u32) -> Result<(), XlsxError> {
    for col in [COL_POINTS_GAP, COL_DEMO_GAP, COL_STAR_LOW, COL_VENUE] {
        let a1 = format!("{}3", column_letters(u32::from(col)));
        let rule = ConditionalFormatFormula::new()
            .set_rule(format!("=AND(ISNUMBER({a1}),{a1}>0)").as_str())
            .set_format(&f.red);
        ws.add_conditional_format(2, col, last_row, col, &rule)?;
    }
    for col in [COL_SUBMITTED, COL_COMPLIANT] {
        let rule = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo("否")).set_format(&f.red);
        ws.add_conditional_format(2, col, last_row, col, &rule)?;
    }
    Ok(())
}

/// Quota against valid points and demo sites per unit (rows 3..=`last_unit_row` of 汇总).
fn summary_chart(last_unit_row: u32) -> Chart {
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("各单位示范带点数与示范点完成情况");
    for col in [COL_QUOTA_POINTS, COL_VALID_POINTS, COL_QUOTA_DEMO, COL_VALID_DEMO] {
        chart
            .add_series()
            .set_name((SHEETS[0], 1, col))
            .set_categories((SHEETS[0], 2, 1, last_unit_row, 1))
            .set_values((SHEETS[0], 2, col, last_unit_row, col));
    }
    chart.set_width(960).set_height(360);
    chart
}

// ---------------------------------------------------------------------------------------
// The list sheets

#[rustfmt::skip]
const REVIEW_HEADERS: [&str; 10] = ["单位", "上报名称", "候选1", "相似度1", "候选2", "相似度2", "候选3", "相似度3", "核实结果", "来源"];

#[rustfmt::skip]
const DETAIL_HEADERS: [&str; 17] = [
    "单位", "上报名称", "标准名称", "组织编码", "匹配方式", "相似度", "匹配依据", "是否示范点", "星级", "目标星级", "活动场所", "责任人",
    "完成时限", "联系领导", "验收结果", "是否有效", "来源",
];

/// Indexes over the report the list sheets share.
struct Lookup<'r> {
    records: HashMap<usize, &'r Record>,
}

impl<'r> Lookup<'r> {
    fn new(report: &'r Report<'r>) -> Lookup<'r> {
        Lookup { records: report.records.iter().map(|r| (r.id, r)).collect() }
    }

    fn record(&self, issue: &Issue) -> Option<&'r Record> {
        issue.record.and_then(|id| self.records.get(&id).copied())
    }
}

fn detail_rows(report: &Report<'_>) -> Vec<Vec<Cell>> {
    report
        .records
        .iter()
        .map(|r| {
            let org = report.org(r);
            let raw = &r.raw;
            vec![
                Cell::text(&raw.unit),
                Cell::text(&raw.raw_name),
                Cell::opt_text(org.map(|o| o.name.as_str())),
                Cell::opt_text(org.and_then(|o| o.code.as_deref())),
                Cell::text(r.m.method.label()),
                if r.m.method == Method::None { Cell::Blank } else { Cell::Score(r.m.score) },
                Cell::text(r.m.rules.join("；")),
                Cell::yes_no(raw.demo),
                Cell::opt_count(raw.star.map(u32::from)),
                Cell::opt_count(raw.target_star.map(u32::from)),
                Cell::opt_text(raw.venue.map(|v| v.label())),
                Cell::opt_text(raw.responsible.as_deref()),
                raw.deadline.map_or(Cell::Blank, |d| Cell::text(d.to_string())),
                Cell::opt_text(raw.contact_leader.as_deref()),
                Cell::opt_text(raw.acceptance.map(|a| a.label())),
                Cell::yes_no(r.valid),
                Cell::Source(raw.source.clone()),
            ]
        })
        .collect()
}

fn issue_rows(report: &Report<'_>) -> Vec<Vec<Cell>> {
    report
        .issues
        .iter()
        .map(|i| {
            let middle =
                [Cell::text(i.severity().label()), Cell::text(i.code.label()), Cell::opt_text(i.org_name.as_deref())];
            issue_row(i, false, middle)
        })
        .collect()
}

/// A candidate as the clerk sees it: the official name, with its unit when that is not the
/// row's unit, and with unit and code when two candidates share a name (SPEC §7).
fn candidate_label(report: &Report<'_>, m: &MatchResult, org: usize, row_unit: &str) -> String {
    let Some(o) = report.orgs.get(org) else { return String::new() };
    let shared = m.candidates.iter().filter(|c| report.orgs.get(c.org).is_some_and(|x| x.name == o.name)).count() > 1;
    match (&o.code, shared) {
        (Some(code), true) => format!("{}（{}·{code}）", o.name, o.unit),
        _ if o.unit != row_unit => format!("{}（{}）", o.name, o.unit),
        _ => o.name.clone(),
    }
}

fn review_rows(report: &Report<'_>) -> Vec<Vec<Cell>> {
    report
        .records
        .iter()
        .filter(|r| r.m.method == Method::Review)
        .map(|r| {
            let mut row = vec![Cell::text(&r.raw.unit), Cell::text(&r.raw.raw_name)];
            let mut choices = Vec::new();
            for k in 0..3 {
                match r.m.candidates.get(k) {
                    Some(c) => {
                        let name = candidate_label(report, &r.m, c.org, &r.raw.unit);
                        if !name.is_empty() {
                            choices.push(name.clone());
                        }
                        row.extend([Cell::text(name), Cell::Score(c.score)]);
                    }
                    None => row.extend([Cell::Blank, Cell::Blank]),
                }
            }
            choices.push("否".to_string());
            row.extend([Cell::Choice(choices), Cell::Source(r.raw.source.clone())]);
            row
        })
        .collect()
}

fn candidates_text(report: &Report<'_>, m: &MatchResult, row_unit: &str) -> String {
    let names: Vec<String> = m
        .candidates
        .iter()
        .map(|c| format!("{} {:.2}", candidate_label(report, m, c.org, row_unit), c.score))
        .collect();
    names.join("、")
}

/// Records without an organisation; rows awaiting review are on 待核实 instead.
fn unmatched_rows(report: &Report<'_>, l: &Lookup<'_>) -> Vec<Vec<Cell>> {
    let messages: HashMap<usize, &str> = report
        .issues
        .iter()
        .filter(|i| i.code == IssueCode::Unmatched)
        .filter_map(|i| Some((l.record(i)?.id, i.message.as_str())))
        .collect();
    report
        .records
        .iter()
        .filter(|r| r.m.org.is_none() && r.m.method != Method::Review)
        .map(|r| {
            vec![
                Cell::text(&r.raw.unit),
                Cell::text(&r.raw.raw_name),
                Cell::text(&r.m.normalized),
                Cell::text(candidates_text(report, &r.m, &r.raw.unit)),
                Cell::text(messages.get(&r.id).copied().unwrap_or("名册中未找到该名称")),
                Cell::Source(r.raw.source.clone()),
            ]
        })
        .collect()
}

fn gap_rows(units: &[UnitSummary]) -> Vec<Vec<Cell>> {
    units
        .iter()
        .filter(|u| u.points_shortfall.unwrap_or(0) > 0 || u.demo_shortfall > 0)
        .map(|u| {
            vec![
                Cell::text(&u.unit),
                Cell::count_or_dash(u.quota_points),
                Cell::count(u.valid_points),
                Cell::count_or_dash(u.points_shortfall),
                Cell::count(u.quota_demo),
                Cell::count(u.valid_demo),
                Cell::count(u.demo_shortfall),
            ]
        })
        .collect()
}

/// An issue's row: 单位, then 组织名称 when `with_org`, then `middle`, then 说明 and 来源.
fn issue_row(i: &Issue, with_org: bool, middle: impl IntoIterator<Item = Cell>) -> Vec<Cell> {
    let org = with_org.then(|| Cell::opt_text(i.org_name.as_deref()));
    std::iter::once(Cell::opt_text(i.unit.as_deref()))
        .chain(org)
        .chain(middle)
        .chain([Cell::text(&i.message), Cell::opt_source(i.source.as_ref())])
        .collect()
}

fn issues_of<'r>(report: &'r Report<'_>, codes: &'r [IssueCode]) -> impl Iterator<Item = &'r Issue> {
    report.issues.iter().filter(move |i| codes.contains(&i.code))
}

fn star_rows(report: &Report<'_>, l: &Lookup<'_>) -> Vec<Vec<Cell>> {
    let rules = &report.config.rules;
    issues_of(report, &[IssueCode::PointStarLow, IssueCode::DemoStarLow])
        .map(|i| {
            let demo = i.code == IssueCode::DemoStarLow;
            let min = if demo { rules.min_star_demo } else { rules.min_star_point };
            let star = l.record(i).and_then(|r| r.raw.star).map(u32::from);
            let kind = if demo { "示范点" } else { "一般点" };
            issue_row(i, true, [Cell::text(kind), Cell::opt_count(star), Cell::count(u32::from(min))])
        })
        .collect()
}

fn venue_rows(report: &Report<'_>, l: &Lookup<'_>) -> Vec<Vec<Cell>> {
    issues_of(report, &[IssueCode::VenueSubstandard])
        .map(|i| issue_row(i, true, [Cell::opt_text(l.record(i).and_then(|r| r.raw.venue).map(|v| v.label()))]))
        .collect()
}

/// The other occurrence of a duplicate (the unit's first, valid record of the organisation)
/// or of a cross-unit row (the owning unit's valid record, if it reported one).
fn other_occurrence<'r>(report: &'r Report<'_>, code: IssueCode, rec: &Record) -> Option<&'r Record> {
    let org = rec.m.org?;
    let unit = match code {
        IssueCode::CrossUnit => report.orgs.get(org)?.unit.as_str(),
        _ => rec.raw.unit.as_str(),
    };
    report.records.iter().find(|r| r.id != rec.id && r.valid && r.m.org == Some(org) && r.raw.unit == unit)
}

fn duplicate_rows(report: &Report<'_>, l: &Lookup<'_>) -> Vec<Vec<Cell>> {
    let mut shown: BTreeSet<usize> = BTreeSet::new();
    let mut rows = Vec::new();
    for issue in issues_of(report, &[IssueCode::Duplicate, IssueCode::CrossUnit]) {
        let rec = l.record(issue);
        if let Some(other) = rec.and_then(|r| other_occurrence(report, issue.code, r))
            && shown.insert(other.id)
        {
            let (kind, note) = match issue.code {
                IssueCode::CrossUnit => ("所属单位上报", "该组织所属单位上报的记录（有效）"),
                _ => ("首次上报", "同一组织在本单位首次上报的记录（有效）"),
            };
            rows.push(vec![
                Cell::text(&other.raw.unit),
                Cell::opt_text(report.org(other).map(|o| o.name.as_str())),
                Cell::text(kind),
                Cell::text(note),
                Cell::Source(other.raw.source.clone()),
            ]);
        }
        if rec.is_none_or(|r| shown.insert(r.id)) {
            rows.push(issue_row(issue, true, [Cell::text(issue.code.label())]));
        }
    }
    rows
}

fn missing_rows(report: &Report<'_>) -> Vec<Vec<Cell>> {
    issues_of(report, &[IssueCode::MissingSubmission])
        .map(|i| {
            let unit = report.units.iter().find(|u| i.unit.as_deref() == Some(u.unit.as_str()));
            vec![
                Cell::opt_text(i.unit.as_deref()),
                unit.map_or(Cell::Blank, |u| Cell::count_or_dash(u.quota_points)),
                unit.map_or(Cell::Blank, |u| Cell::count(u.quota_demo)),
                Cell::text(&i.message),
            ]
        })
        .collect()
}

fn data_problem_rows(report: &Report<'_>) -> Vec<Vec<Cell>> {
    let issues = report
        .issues
        .iter()
        .filter(|i| i.code.is_data_problem())
        .map(|i| issue_row(i, false, [Cell::text(i.code.label())]));
    let rejected = report.rejected_rows().into_iter().map(|r| {
        vec![
            Cell::opt_text(r.unit.as_deref()),
            Cell::text("数据行无名称"),
            Cell::text(&r.reason),
            Cell::Source(r.source.clone()),
        ]
    });
    issues.chain(rejected).collect()
}

// ---------------------------------------------------------------------------------------
// 说明

const READING_GUIDE: [&str; 6] = [
    "1. “汇总”表按单位列出应建、上报和有效的点数与示范点；有效记录指名称与名册匹配、属于本单位且未重复上报的记录。缺口大于零、是否达标为“否”的以红色显示。",
    "2. 完成率 = 有效点数 ÷ 应建点数；“—”表示该单位不建示范带；合计行的完成率只计建示范带的单位。",
    "3. “问题清单”列出全部问题：错误须由单位更正，警告请单位核实，提示仅供参考。其余各表按问题类型分列，便于逐项处理。",
    "4. “来源”为“文件名!工作表!单元格”，据此可在原报表中找到对应的行。",
    "5. “待核实”表中的名称与名册不完全一致，请在“核实结果”一栏选定对应的组织，或选“否”。",
    "6. 上方“输入文件”列出本期读取的全部文件及其SHA-256校验值；“行数核对”说明每一个非空行都已计入记录、跳过或拒收，没有遗漏。",
];

const FILE_HEADERS: [&str; 5] = ["文件", "状态", "单位", "SHA-256", "说明"];

/// The 说明 sheet: a key/value layout over five columns, values merged across B:E.
struct Notes<'w> {
    ws: &'w mut Worksheet,
    row: u32,
    widths: Vec<f64>,
    /// Merged value cells, for row heights once the widths are known.
    long: Vec<(u32, String, bool)>,
}

impl Notes<'_> {
    const LAST: u16 = 4;

    fn kv(&mut self, f: &Formats, key: &str, value: &str) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(self.row, 0, clip(key), &f.text)?;
        merged(self.ws, self.row, 1, Self::LAST, value, &f.text)?;
        if let Some(w) = self.widths.first_mut() {
            *w = w.max(text_width(key));
        }
        self.long.push((self.row, value.to_string(), false));
        self.row += 1;
        Ok(())
    }

    fn kv_number(&mut self, f: &Formats, key: &str, n: usize) -> Result<(), XlsxError> {
        self.kv(f, key, "")?;
        self.ws.write_number_with_format(self.row - 1, 1, n as f64, &f.number)?;
        Ok(())
    }

    fn section(&mut self, f: &Formats, heading: &str) -> Result<(), XlsxError> {
        self.row += 1;
        merged(self.ws, self.row, 0, Self::LAST, heading, &f.header)?;
        self.row += 1;
        Ok(())
    }

    fn paragraph(&mut self, f: &Formats, text: &str) -> Result<(), XlsxError> {
        merged(self.ws, self.row, 0, Self::LAST, text, &f.text)?;
        self.long.push((self.row, text.to_string(), true));
        self.row += 1;
        Ok(())
    }

    fn table(&mut self, f: &Formats, rows: &[Vec<Cell>]) -> Result<(), XlsxError> {
        self.row = write_rows(self.ws, f, self.row, rows, &mut self.widths)?;
        Ok(())
    }

    /// Column widths, then heights for merged texts that wrap (Excel does not size those).
    fn finish(self) -> Result<(), XlsxError> {
        set_widths(self.ws, &self.widths)?;
        let widths: Vec<f64> = self.widths.iter().map(|w| clamp_width(*w)).collect();
        for (row, text, whole) in &self.long {
            let span: f64 = widths.iter().skip(usize::from(!*whole)).sum();
            let lines = (text_width(text) / span.max(1.0)).ceil().max(1.0);
            if lines > 1.0 {
                self.ws.set_row_height(*row, 15.0 * lines)?;
            }
        }
        Ok(())
    }
}

fn file_rows(files: &[FileEntry]) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for f in files {
        rows.push(vec![
            Cell::text(&f.rel),
            Cell::text(f.status.label()),
            Cell::opt_text(f.unit.as_deref()),
            Cell::text(&f.sha256),
            Cell::opt_text(f.reason.as_deref()),
        ]);
        if f.status != crate::discover::FileStatus::Used {
            continue;
        }
        for s in &f.sheets {
            let name = format!("　└ 工作表：{}", s.name.as_deref().unwrap_or("（CSV）"));
            let (status, note) = match &s.status {
                SheetStatus::Used => (
                    "已采用",
                    format!(
                        "表头在第{}行；非空行{}，记录{}，跳过{}，拒收{}",
                        s.header_row.map_or(DASH.to_string(), |r| r.to_string()),
                        s.rows_nonblank,
                        s.records.len(),
                        s.skipped(),
                        s.rejected.len()
                    ),
                ),
                SheetStatus::Skipped(why) => ("已跳过", format!("{why}（非空行{}）", s.rows_nonblank)),
            };
            rows.push(vec![Cell::text(name), Cell::text(status), Cell::Blank, Cell::Blank, Cell::text(note)]);
        }
    }
    rows
}

fn notes_sheet(wb: &mut Workbook, ctx: &Ctx, report: &Report<'_>) -> Result<(), XlsxError> {
    let (config, f) = (report.config, &ctx.f);
    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[12])?;
    write_title(ws, ctx, SHEETS[12], 5)?;
    ws.write_string_with_format(1, 0, "项目", &f.header)?;
    merged(ws, 1, 1, Notes::LAST, "内容", &f.header)?;
    page_setup(ws)?;
    let widths = FILE_HEADERS.iter().map(|h| text_width(h)).collect();
    let mut n = Notes { ws, row: 2, widths, long: Vec::new() };

    let rules = &config.rules;
    let m = &config.matching;
    n.kv(f, "工作名称", &config.title)?;
    n.kv(f, "汇总期间", &report.period.chinese())?;
    n.kv(f, "发文单位", &config.organiser)?;
    n.kv(f, "每点最低星级", &format!("{}级", star_word(rules.min_star_point)))?;
    n.kv(f, "示范点最低星级", &format!("{}级", star_word(rules.min_star_demo)))?;
    n.kv(f, "场所要求适用类别", &rules.venue_kinds.join("、"))?;
    n.kv(f, "示范点须有联系领导", if rules.require_contact_leader { "是" } else { "否" })?;
    n.kv(f, "创建截止日期", &chinese_date(config.campaign_deadline))?;
    n.kv(f, "自动匹配线", &format!("{:.2}（相似度达到此值且领先明显时自动匹配）", m.accept))?;
    n.kv(f, "待核实下限", &format!("{:.2}（相似度在此值与自动匹配线之间的列入待核实）", m.review))?;
    n.kv(f, "领先幅度", &format!("{:.2}（自动匹配须领先第二候选的幅度）", m.lead))?;

    n.section(f, "输入文件")?;
    for (c, h) in FILE_HEADERS.iter().enumerate() {
        n.ws.write_string_with_format(n.row, col_num(c), *h, &f.header)?;
    }
    n.row += 1;
    let files = file_rows(report.files);
    if files.is_empty() {
        merged(n.ws, n.row, 0, Notes::LAST, EMPTY, &f.text)?;
        n.row += 1;
    }
    n.table(f, &files)?;

    let a = &report.accounting;
    n.section(f, "行数核对")?;
    n.kv_number(f, "非空行", a.rows_nonblank)?;
    n.kv_number(f, "记录", a.records)?;
    n.kv_number(f, "跳过", a.skipped)?;
    for (why, count) in &a.skipped_by_reason {
        n.kv_number(f, &format!("　其中：{why}"), *count)?;
    }
    n.kv_number(f, "拒收", a.rejected)?;
    let sums = format!(
        "非空行{} {} 记录{} + 跳过{} + 拒收{}",
        a.rows_nonblank,
        if a.balanced() { "=" } else { "≠" },
        a.records,
        a.skipped,
        a.rejected
    );
    let verdict = if a.balanced() {
        format!("成立：{sums}")
    } else {
        format!("不成立：{sums}，请检查程序或报表")
    };
    n.kv(f, "核对结果", &verdict)?;

    n.section(f, "如何阅读本表")?;
    for p in READING_GUIDE {
        n.paragraph(f, p)?;
    }
    n.finish()
}

/// The empty master-list template `huizong init` writes.
pub fn master_template_bytes() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("名册")?;
    for (c, h) in ["单位", "组织名称", "组织编码", "组织类别", "别名", "现星级"].iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
    use rust_xlsxwriter::Workbook;

    use super::{Cell, Ctx, EMPTY, Formats, SHEETS, list_sheet, text_width, workbook_bytes};
    use crate::config::Config;
    use crate::discover::{FileEntry, FileStatus};
    use crate::master::Org;
    use crate::matching::{Candidate, MatchResult, Method};
    use crate::model::{Issue, IssueCode, RawRecord, Source};
    use crate::period::Period;
    use crate::read::sheet::{SheetOutcome, SheetStatus};
    use crate::reconcile::{Record, UnitSummary};
    use crate::report::{Accounting, Report};

    fn org(unit: &str, name: &str, code: &str) -> Org {
        Org {
            unit: unit.into(),
            name: name.into(),
            code: Some(code.into()),
            kind: "村".into(),
            aliases: Vec::new(),
            star: None,
            row: 2,
        }
    }

    fn record(id: usize, unit: &str, name: &str, org: Option<usize>, row: u32, star: Option<u8>) -> Record {
        let method = if org.is_some() { Method::Exact } else { Method::None };
        Record {
            id,
            raw: RawRecord {
                source: Source::cell(&format!("{unit}.xlsx"), Some("10月"), row, 1),
                unit: unit.into(),
                unit_text: None,
                raw_name: name.into(),
                demo: false,
                star,
                target_star: None,
                venue: None,
                responsible: Some("张三".into()),
                deadline: None,
                measures: None,
                contact_leader: None,
                five_have: None,
                acceptance: None,
                progress: None,
                remarks: None,
            },
            m: MatchResult {
                method,
                org,
                score: if org.is_some() { 1.0 } else { 0.0 },
                rules: Vec::new(),
                candidates: org.map(|o| Candidate { org: o, score: 1.0 }).into_iter().collect(),
                cross_unit: false,
                normalized: name.into(),
            },
            valid: org.is_some(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn unit(
        name: &str,
        submitted: bool,
        quota: Option<u32>,
        valid: u32,
        demo: u32,
        valid_demo: u32,
        errors: u32,
        compliant: bool,
    ) -> UnitSummary {
        UnitSummary {
            unit: name.into(),
            submitted,
            quota_points: quota,
            quota_demo: demo,
            reported_points: valid + 1,
            valid_points: valid,
            prev_valid_points: None,
            points_shortfall: quota.map(|q| q.saturating_sub(valid)),
            reported_demo: valid_demo,
            valid_demo,
            prev_valid_demo: None,
            demo_qualified: valid_demo,
            demo_shortfall: demo.saturating_sub(valid_demo),
            points_star_ok: valid,
            star_low: 0,
            venue_failures: 0,
            errors,
            warnings: 1,
            compliant,
        }
    }

    fn sheet(records: Vec<RawRecord>) -> SheetOutcome {
        SheetOutcome {
            name: Some("10月".into()),
            status: SheetStatus::Used,
            header_row: Some(3),
            rows_nonblank: records.len() + 3,
            records,
            skipped_by_reason: BTreeMap::from([("标题行".to_string(), 1), ("表头行".to_string(), 2)]),
            rejected: Vec::new(),
            issues: Vec::new(),
            statements: Vec::new(),
            demo_sheet: false,
            missing: BTreeSet::new(),
        }
    }

    fn file(rel: &str, unit: &str, records: Vec<RawRecord>) -> FileEntry {
        FileEntry {
            rel: rel.into(),
            sha256: "ab".repeat(32),
            status: FileStatus::Used,
            unit: Some(unit.into()),
            reason: None,
            sheets: vec![sheet(records)],
            modified: None,
            issues: Vec::new(),
        }
    }

    struct Fixture {
        config: Config,
        orgs: Vec<Org>,
        records: Vec<Record>,
        units: Vec<UnitSummary>,
        issues: Vec<Issue>,
        files: Vec<FileEntry>,
    }

    fn fixture() -> Fixture {
        let orgs = vec![
            org("苏孟乡", "苏孟乡前村党支部", "001"),
            org("苏孟乡", "苏孟乡后村党支部", "002"),
            org("汤溪镇", "汤溪镇上村党支部", "003"),
        ];
        let records = vec![
            record(1, "苏孟乡", "前村", Some(0), 4, Some(3)),
            record(2, "苏孟乡", "=1+1", None, 5, None),
            record(3, "苏孟乡", "后村", Some(1), 6, Some(2)),
            record(4, "汤溪镇", "上村", Some(2), 4, Some(4)),
        ];
        // Not in the files, so the row accounting stays that of records 1–4.
        let mut review = record(5, "苏孟乡", "前村支部", None, 7, None);
        review.m.method = Method::Review;
        review.m.candidates = vec![Candidate { org: 0, score: 0.85 }, Candidate { org: 1, score: 0.8 }];
        let mut duplicate = record(6, "苏孟乡", "前村", Some(0), 8, Some(3));
        duplicate.valid = false;
        let mut dup =
            Issue::new(IssueCode::Duplicate, Some("苏孟乡"), Some(duplicate.raw.source.clone()), "重复".into());
        dup.record = Some(6);
        dup.org_name = Some("苏孟乡前村党支部".into());
        let records = [records, vec![review, duplicate]].concat();
        let mut low = Issue::new(
            IssueCode::PointStarLow,
            Some("苏孟乡"),
            Some(records[2].raw.source.clone()),
            "后村现为二星级".into(),
        );
        low.record = Some(3);
        low.org_name = Some("苏孟乡后村党支部".into());
        let issues = vec![
            Issue::new(
                IssueCode::Unmatched,
                Some("苏孟乡"),
                Some(records[1].raw.source.clone()),
                "“=1+1”在名册中未找到".into(),
            ),
            low,
            Issue::new(IssueCode::PointsShortfall, Some("苏孟乡"), None, "示范带点数不足".into()),
            dup,
        ];
        let files = vec![
            file("苏孟乡.xlsx", "苏孟乡", records[..3].iter().map(|r| r.raw.clone()).collect()),
            file("汤溪镇.xlsx", "汤溪镇", vec![records[3].raw.clone()]),
        ];
        let units = vec![
            unit("苏孟乡", true, Some(10), 2, 3, 0, 3, false),
            unit("汤溪镇", true, Some(15), 1, 5, 0, 1, false),
            unit("网络经济产业党委", true, None, 0, 8, 8, 0, true),
        ];
        Fixture { config: Config::defaults(Path::new(".")), orgs, records, units, issues, files }
    }

    fn bytes(fx: &Fixture) -> Vec<u8> {
        let report = Report {
            config: &fx.config,
            period: Period::new(2015, 10).expect("period"),
            files: &fx.files,
            orgs: &fx.orgs,
            records: &fx.records,
            units: &fx.units,
            issues: &fx.issues,
            accounting: Accounting::of(&fx.files),
            source_base: "../returns/2015-10/".to_string(),
            changes: &[],
            previous: None,
        };
        workbook_bytes(&report).expect("workbook")
    }

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        open_workbook_from_rs(Cursor::new(bytes)).expect("open")
    }

    fn range(xl: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
        xl.worksheet_range(name).expect("sheet")
    }

    fn at(r: &Range<Data>, row: u32, col: u32) -> Data {
        r.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    fn num(d: &Data) -> f64 {
        match d {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn the_thirteen_sheets_are_present_in_order() {
        let mut xl = open(bytes(&fixture()));
        assert_eq!(xl.sheet_names(), SHEETS.map(String::from).to_vec());
        let r = range(&mut xl, "明细");
        assert_eq!(at(&r, 0, 0), Data::String("金华经济技术开发区党建示范带创建情况汇总表（2015年10月）—明细".into()));
        assert_eq!(at(&r, 1, 0), Data::String("序号".into()));
    }

    #[test]
    fn summary_rows_match_the_unit_figures_and_the_total_sums() {
        let fx = fixture();
        let mut xl = open(bytes(&fx));
        let r = range(&mut xl, "汇总");
        assert_eq!(at(&r, 1, 13), Data::String("四星以上示范点".into()));
        assert_eq!(at(&r, 1, 15), Data::String("三星以上点数".into()));
        for (i, u) in fx.units.iter().enumerate() {
            let row = 2 + i as u32;
            assert_eq!(at(&r, row, 1), Data::String(u.unit.clone()));
            assert_eq!(num(&at(&r, row, 5)), f64::from(u.valid_points));
            assert_eq!(num(&at(&r, row, 11)), f64::from(u.valid_demo));
            assert_eq!(num(&at(&r, row, 18)), f64::from(u.errors));
            match u.quota_points {
                Some(q) => {
                    assert_eq!(num(&at(&r, row, 3)), f64::from(q));
                    assert!((num(&at(&r, row, 8)) - f64::from(u.valid_points) / f64::from(q)).abs() < 1e-9);
                }
                None => {
                    assert_eq!(at(&r, row, 3), Data::String("—".into()));
                    assert_eq!(at(&r, row, 8), Data::String("—".into()));
                }
            }
            assert_eq!(at(&r, row, 6), Data::Empty, "上月有效点数 is blank without a previous period");
            assert_eq!(at(&r, row, 20), Data::String(if u.compliant { "是" } else { "否" }.into()));
        }
        let total = 2 + fx.units.len() as u32;
        assert_eq!(at(&r, total, 1), Data::String("合计".into()));
        assert_eq!(num(&at(&r, total, 3)), 25.0);
        assert_eq!(num(&at(&r, total, 5)), 3.0);
        assert_eq!(num(&at(&r, total, 7)), 22.0);
        assert!((num(&at(&r, total, 8)) - 3.0 / 25.0).abs() < 1e-9);
        assert_eq!(num(&at(&r, total, 9)), 16.0);
        assert_eq!(num(&at(&r, total, 14)), 8.0);
        assert_eq!(num(&at(&r, total, 18)), 4.0);
        assert_eq!(at(&r, total + 2, 15), Data::String("金华经济技术开发区".into()));
        assert_eq!(at(&r, total + 3, 15), Data::String("2015年10月31日".into()));
    }

    #[test]
    fn empty_list_sheets_show_none() {
        let mut xl = open(bytes(&fixture()));
        for name in ["未上报", "场所不达标", "数据问题"] {
            let r = range(&mut xl, name);
            assert_eq!(at(&r, 1, 0), Data::String("序号".into()), "{name}");
            assert_eq!(at(&r, 2, 0), Data::String(EMPTY.into()), "{name}");
        }
        let r = range(&mut xl, "环比变化");
        assert_eq!(at(&r, 2, 0), Data::String("未找到上期报表，本期不作环比".into()));
    }

    #[test]
    fn list_sheets_carry_their_rows() {
        let mut xl = open(bytes(&fixture()));
        let r = range(&mut xl, "未匹配");
        assert_eq!(at(&r, 2, 2), Data::String("=1+1".into()));
        assert_eq!(at(&r, 2, 6), Data::String("苏孟乡.xlsx!10月!B5".into()));
        let r = range(&mut xl, "星级未达标");
        assert_eq!(num(&at(&r, 2, 4)), 2.0);
        assert_eq!(num(&at(&r, 2, 5)), 3.0);
        let r = range(&mut xl, "待核实");
        assert_eq!(at(&r, 2, 3), Data::String("苏孟乡前村党支部".into()));
        assert_eq!(num(&at(&r, 2, 4)), 0.85);
        let r = range(&mut xl, "重复上报");
        let cell = |row, col| at(&r, row, col);
        assert_eq!(
            (cell(2, 3), cell(2, 5)),
            (Data::String("首次上报".into()), Data::String("苏孟乡.xlsx!10月!B4".into()))
        );
        assert_eq!(
            (cell(3, 3), cell(3, 5)),
            (Data::String("重复上报".into()), Data::String("苏孟乡.xlsx!10月!B8".into()))
        );
        let r = range(&mut xl, "未匹配");
        assert_eq!(at(&r, 3, 0), Data::Empty, "the row awaiting review is not listed as unmatched");
        let r = range(&mut xl, "指标缺口");
        assert_eq!(at(&r, 2, 1), Data::String("苏孟乡".into()));
        assert_eq!(at(&r, 4, 0), Data::Empty, "the unit without a gap is not listed");
        let r = range(&mut xl, "说明");
        let texts: Vec<String> = r
            .rows()
            .flat_map(|row| {
                row.iter().filter_map(|c| match c {
                    Data::String(s) => Some(s.clone()),
                    _ => None,
                })
            })
            .collect();
        assert!(texts.iter().any(|t| t.starts_with("成立：非空行10 = 记录4 + 跳过6 + 拒收0")), "{texts:?}");
        assert!(texts.iter().any(|t| t == &"ab".repeat(32)));
    }

    #[test]
    fn return_text_that_looks_like_a_formula_stays_text() {
        let mut xl = open(bytes(&fixture()));
        let r = range(&mut xl, "明细");
        assert_eq!(at(&r, 3, 2), Data::String("=1+1".into()));
        let formulas = xl.worksheet_formula("明细").expect("formulas");
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in 明细");
    }

    #[test]
    fn review_result_offers_the_candidates_and_no() {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes(&fixture()))).expect("zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet4.xml").expect("待核实"), &mut xml)
            .expect("read");
        assert!(xml.contains("<formula1>\"苏孟乡前村党支部,苏孟乡后村党支部,否\"</formula1>"), "{xml}");
    }

    #[test]
    fn two_writes_are_byte_identical() {
        let fx = fixture();
        assert_eq!(bytes(&fx), bytes(&fx));
    }

    #[test]
    fn long_lists_continue_on_numbered_sheets() {
        let ctx = Ctx { f: Formats::new(), title: "标题".into() };
        let mut wb = Workbook::new();
        let rows: Vec<Vec<Cell>> = (0..5).map(|i| vec![Cell::text(format!("第{i}行"))]).collect();
        list_sheet(&mut wb, &ctx, "明细", &["名称"], rows, EMPTY, 2).expect("write");
        let mut xl = open(wb.save_to_buffer().expect("save"));
        assert_eq!(xl.sheet_names(), vec!["明细", "明细（续1）", "明细（续2）"]);
        let r = range(&mut xl, "明细（续2）");
        assert_eq!(num(&at(&r, 2, 0)), 5.0, "numbering continues");
    }

    #[test]
    fn width_counts_chinese_characters_double() {
        assert_eq!(text_width("苏孟乡"), 8.0);
        assert!((text_width("B7") - 4.2).abs() < 1e-9);
        assert_eq!(text_width("第一行\n长的第二行"), 12.0);
    }
}

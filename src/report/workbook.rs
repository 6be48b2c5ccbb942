//! The summary workbook `汇总_<period>.xlsx` (SPEC §6.1): the 13 sheets, always present and in
//! a fixed order, formatted to be printed and filed as is. Input: a [`Report`]. Output: the
//! bytes of the workbook, identical for an identical report (no wall clock anywhere).
//!
//! Every list sheet is built the same way: its rows are plain `Cell` values, and one helper
//! (`write_table`, shared with the correction lists) writes the title, the header, the rows,
//! the column widths, the row heights, the filter and the page setup. Text from returns always
//! goes through `write_string`, so "=1+1" stays text.
//!
//! The layout is computed here, not left to the reader: rust_xlsxwriter's autofit counts a
//! Chinese character as narrow, and neither Excel nor LibreOffice grows a row for wrapped text
//! when it opens a file. Widths and heights come from an estimate of the printed width of each
//! text (a Chinese character is as wide as the font is high, a digit about half of that).

use std::collections::BTreeSet;

use crate::HashMap;

use rayon::prelude::*;
use std::borrow::Cow;

use rust_xlsxwriter::{
    Chart, ChartFont, ChartFormat, ChartLegendPosition, ChartLine, ChartSolidFill, ChartType, Color,
    ConditionalFormatCell, ConditionalFormatCellRule, ConditionalFormatFormula, DataValidation, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, FormatUnderline, Url, Workbook, Worksheet, XlsxError,
};

use crate::discover::FileEntry;
use crate::history::ChangeKind;
use crate::matching::{MatchResult, Method};
use crate::model::{Issue, IssueCode, Source, column_letters};
use crate::period::Period;
use crate::read::sheet::SheetStatus;
use crate::reconcile::{Record, UnitSummary};
use crate::report::Report;
use crate::values::Date;

use super::sheet_xml::{self, XmlCell};

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
/// Excel's limit on the hyperlinks of one worksheet.
const MAX_LINKS: usize = 65_530;
/// Lists longer than this have their 来源 cells as plain text, without links.
const LINKED_ROWS: usize = 10_000;
/// Excel's limit on the length of a link; a longer path is shown as plain text.
const MAX_LINK_CHARS: usize = 2_079;
pub(super) const EMPTY: &str = "（无）";
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

// ---------------------------------------------------------------------------------------
// Page geometry
//
// Column widths are in Excel's character units: a column of width w is 7w + 5 pixels wide at
// 96 dpi (the default font, Calibri 11, has 7-pixel digits). An 11-point character of 宋体 is
// 11 pt = 14.7 px = 2.1 units wide; a digit or Latin letter a little over half of that.

/// Width of a Chinese (full-width) character of the body font, in column units.
const WIDE: f64 = 2.1;
/// Width of a digit, Latin letter or ASCII sign of the body font, in column units.
const NARROW: f64 = 1.1;
/// Inner padding of a cell plus a margin for rounding, in column units.
const PAD: f64 = 1.0;
/// The narrowest and widest column.
const MIN_COL: f64 = 4.0;
const MAX_COL: f64 = 72.0;
// Row heights are whole pixels (0.75 pt), as Excel keeps them and rust_xlsxwriter rounds
// them: the heights reckoned here for the page are the heights written.
/// One line of 11-point text, and the space above and below the lines of a row, in points.
const LINE_PT: f64 = 15.0;
const ROW_PAD_PT: f64 = 5.25;
/// Excel's tallest row (409 points), in whole pixels.
const MAX_ROW_PT: f64 = 408.75;
/// Height of a row left at the default (the chart's rows), in points and pixels.
const DEFAULT_ROW_PT: f64 = 15.0;
const DEFAULT_ROW_PX: u32 = 20;
pub(super) const TITLE_ROW_PT: f64 = 36.0;
/// Height of a 落款 line, in points.
pub(super) const SIGN_ROW_PT: f64 = 22.5;

// Margins in inches: narrow at the sides so that wide tables print as large as possible.
const MARGIN_SIDE: f64 = 0.4;
const MARGIN_TOP: f64 = 0.6;
const MARGIN_BOTTOM: f64 = 0.7;
const MARGIN_HEADER: f64 = 0.3;
const MARGIN_FOOTER: f64 = 0.3;
/// The printable area of an A4 landscape page (297 × 210 mm) inside the margins: width in
/// pixels at 96 dpi, height in points.
const PAGE_WIDTH_PX: f64 = (11.69 - 2.0 * MARGIN_SIDE) * 96.0;
const PAGE_HEIGHT_PT: f64 = (8.27 - MARGIN_TOP - MARGIN_BOTTOM) * 72.0;
/// A list sheet wider than this is narrowed (its long texts wrap), so that printed one page
/// wide it is scaled to no less than about 80 %; a sheet of many columns (明细) to 68 %,
/// or its names would wrap on every line.
const LIST_WIDTH_PX: f64 = PAGE_WIDTH_PX / 0.8;
const WIDE_LIST_WIDTH_PX: f64 = PAGE_WIDTH_PX / 0.68;
const WIDE_LIST_COLUMNS: usize = 12;

/// The width of a column in pixels, as Excel lays it out.
fn col_px(width: f64) -> f64 {
    (width * 7.0 + 5.0).floor()
}

/// Whether a character takes two columns in a Chinese font (CJK, full-width forms and the
/// punctuation and symbols SimSun draws full width, such as — “” ① └ ★).
fn is_wide(c: char) -> bool {
    // Latin text and figures first, then the Chinese characters.
    if c < '\u{2010}' {
        return false;
    }
    if crate::values::is_common_ideograph(c) {
        return true;
    }
    matches!(c,
        '\u{2010}'..='\u{2027}' | '\u{2190}'..='\u{21FF}' | '\u{2460}'..='\u{24FF}' | '\u{2500}'..='\u{27BF}'
        | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
}

fn char_width(c: char) -> f64 {
    if is_wide(c) { WIDE } else { NARROW }
}

/// The widths of the pieces a line of text may break between, in order: a Chinese
/// character alone, a space alone, a run of other characters (a number, a file extension,
/// a cell address) together.
fn pieces(line: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut run = 0.0;
    for c in line.chars() {
        if is_wide(c) || c == ' ' {
            if run > 0.0 {
                out.push(run);
                run = 0.0;
            }
            out.push(char_width(c));
        } else {
            run += NARROW;
        }
    }
    if run > 0.0 {
        out.push(run);
    }
    out
}

/// Column width a text needs on one line (its longest line), padding included.
pub(super) fn text_width(s: &str) -> f64 {
    s.lines().map(|l| l.chars().map(char_width).sum::<f64>()).fold(0.0, f64::max) + PAD
}

/// The narrowest column a text wraps into without breaking a piece (see [`pieces`]).
#[cfg(test)]
fn min_text_width(s: &str) -> f64 {
    text_widths(s).1
}

/// [`text_width`] and [`min_text_width`] of a text in one pass, without cutting it into
/// pieces: every cell of every list is measured.
fn text_widths(s: &str) -> (f64, f64) {
    one_line_widths(s).unwrap_or_else(|| lines_widths(s))
}

/// [`text_widths`] of a text without a line break, summed as [`lines_widths`] sums it;
/// `None` at the first `\n`. Most cells are one line: this spares them cutting into lines.
/// The text is walked by bytes: ASCII and the three-byte characters from U+3000 to U+9FFF
/// (lead bytes E3 to E9, all wide) are told by their first byte, and only other characters
/// are decoded.
fn one_line_widths(s: &str) -> Option<(f64, f64)> {
    let (mut width, mut run, mut widest_piece) = (0.0_f64, 0.0_f64, 0.0_f64);
    let bytes = s.as_bytes();
    let mut at = 0;
    while let Some(&lead) = bytes.get(at) {
        let (wide, space, len) = match lead {
            b'\n' => return None,
            0..=0x7F => (false, lead == b' ', 1),
            0xE3..=0xE9 => (true, false, 3),
            _ => {
                let c = s.get(at..).and_then(|rest| rest.chars().next()).unwrap_or(' ');
                (is_wide(c), false, c.len_utf8())
            }
        };
        let w = if wide { WIDE } else { NARROW };
        width += w;
        if wide || space {
            widest_piece = widest_piece.max(run).max(w);
            run = 0.0;
        } else {
            run += NARROW;
        }
        at += len;
    }
    Some((width + PAD, widest_piece.max(run) + PAD))
}

/// [`text_widths`] of any text, line by line.
fn lines_widths(s: &str) -> (f64, f64) {
    let (mut widest_line, mut widest_piece) = (0.0_f64, 0.0_f64);
    for line in s.lines() {
        let (mut width, mut run) = (0.0, 0.0);
        for c in line.chars() {
            let w = char_width(c);
            width += w;
            if is_wide(c) || c == ' ' {
                widest_piece = widest_piece.max(run).max(w);
                run = 0.0;
            } else {
                run += NARROW;
            }
        }
        widest_line = widest_line.max(width);
        widest_piece = widest_piece.max(run);
    }
    (widest_line + PAD, widest_piece + PAD)
}

/// Lines a text takes in a column of `width` units, breaking between pieces as Excel and
/// LibreOffice do (and inside a piece wider than the column).
pub(super) fn line_count(s: &str, width: f64) -> usize {
    let room = (width - PAD).max(WIDE);
    // No character is wider than NARROW per byte of it (and a line break only ends a line):
    // a short text is one line without looking at it.
    if s.len() as f64 * NARROW <= room + 1e-9 && !s.as_bytes().contains(&b'\n') {
        return 1;
    }
    let lines: usize = s
        .split('\n')
        .map(|line| {
            // Most cells fit on one line: no need to cut them into pieces. No character is
            // wider than NARROW per byte of it, so a short line is not even measured.
            if line.len() as f64 * NARROW <= room + 1e-9 || line.chars().map(char_width).sum::<f64>() <= room + 1e-9 {
                return 1;
            }
            let mut lines = 1;
            let mut x: f64 = 0.0;
            for w in pieces(line) {
                if x > 0.0 && x + w > room + 1e-9 {
                    lines += 1;
                    x = 0.0;
                }
                x += w;
                while x > room + 1e-9 {
                    lines += 1;
                    x -= room;
                }
            }
            lines
        })
        .sum();
    lines.max(1)
}

/// The height of a row whose tallest cell has `lines` lines, in points.
pub(super) fn lines_height(lines: usize) -> f64 {
    (lines as f64 * LINE_PT + ROW_PAD_PT).min(MAX_ROW_PT)
}

/// The narrowest a header may get: split over two lines.
fn header_min_width(h: &str) -> f64 {
    let chars: Vec<char> = h.chars().collect();
    let (first, second) = chars.split_at(chars.len().div_ceil(2));
    let w = |part: &[char]| part.iter().copied().map(char_width).sum::<f64>();
    w(first).max(w(second)) + PAD
}

/// Column widths for a table: each column as wide as its widest text; when the table is
/// wider than `max_px`, the widest columns are narrowed to one common width (their text
/// wraps), but never below the header split over two lines or an unbreakable piece of text.
fn fit_columns(headers: &[&str], rows: &[Vec<Cell>], max_px: f64) -> Vec<f64> {
    let mut fit = ColumnFit::new(headers);
    fit.add(rows);
    fit.finish(max_px)
}

/// The widest text and the widest unbreakable piece of each column, gathered over rows
/// given in parts (a long list is measured chunk by chunk, never held whole).
struct ColumnFit {
    natural: Vec<f64>,
    least: Vec<f64>,
    /// Whether some cell of the column has a line break.
    broken: Vec<bool>,
}

impl ColumnFit {
    fn new(headers: &[&str]) -> ColumnFit {
        ColumnFit {
            natural: headers.iter().map(|h| text_width(h)).collect(),
            least: headers.iter().map(|h| header_min_width(h)).collect(),
            broken: vec![false; headers.len()],
        }
    }

    /// For each column, whether every cell measured is one line in the column's final
    /// `widths`: none breaks a line and the widest is no wider than the column. Row heights
    /// need not look at those cells again.
    fn one_line(&self, widths: &[f64]) -> Vec<bool> {
        self.natural.iter().zip(&self.broken).zip(widths).map(|((n, b), w)| !b && n <= w).collect()
    }

    fn add(&mut self, rows: &[Vec<Cell>]) {
        for row in rows {
            let columns = self.natural.iter_mut().zip(self.least.iter_mut()).zip(self.broken.iter_mut());
            for (cell, ((n, l), b)) in row.iter().zip(columns) {
                let (width, least) = cell.widths();
                *n = n.max(width);
                *l = l.max(least);
                *b = *b || cell.breaks_line();
            }
        }
    }

    /// The widths of both parts of a table.
    fn merge(mut self, other: ColumnFit) -> ColumnFit {
        for (n, o) in self.natural.iter_mut().zip(other.natural) {
            *n = n.max(o);
        }
        for (l, o) in self.least.iter_mut().zip(other.least) {
            *l = l.max(o);
        }
        for (b, o) in self.broken.iter_mut().zip(other.broken) {
            *b = *b || o;
        }
        self
    }

    fn finish(&self, max_px: f64) -> Vec<f64> {
        let (mut natural, mut least) = (self.natural.clone(), self.least.clone());
        for (n, l) in natural.iter_mut().zip(least.iter_mut()) {
            *n = n.clamp(MIN_COL, MAX_COL);
            *l = l.clamp(MIN_COL, *n);
        }
        let fitted = |cap: f64| -> Vec<f64> { natural.iter().zip(&least).map(|(n, l)| n.min(cap).max(*l)).collect() };
        let px = |widths: &[f64]| widths.iter().map(|w| col_px(*w)).sum::<f64>();
        if px(&natural) <= max_px {
            return natural;
        }
        // The largest common cap that fits, by bisection.
        let (mut lo, mut hi) = (0.0, MAX_COL);
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if px(&fitted(mid)) <= max_px {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        fitted(lo)
    }
}

/// The width of the title in pixels (18-point 黑体: 24 px a Chinese character).
fn title_px(title: &str) -> f64 {
    title.chars().map(|c| if is_wide(c) { 24.0 } else { 12.5 }).sum::<f64>() + 24.0
}

/// Widens the widest column so that the table is as wide as its title: Excel clips the text
/// of a merged cell at its edges.
fn widen_for_title(widths: &mut [f64], title: &str) {
    let short = title_px(title) - widths.iter().map(|w| col_px(*w)).sum::<f64>();
    if short > 0.0
        && let Some(widest) = widths.iter_mut().max_by(|a, b| a.total_cmp(b))
    {
        *widest += (short / 7.0).ceil();
    }
}

/// The height a row needs for its wrapped cells, in points. Cells of a column that is
/// `one_line` (as far as that slice reaches) are not measured.
pub(super) fn row_height(cells: &[Cell], widths: &[f64], one_line: &[bool]) -> f64 {
    let lines = cells
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (c, w))| match c {
            // Every cell of the column is one line (see ColumnFit::one_line).
            _ if one_line.get(i) == Some(&true) => 1,
            // Figures never wrap: their column is at least as wide as they are (see
            // Cell::widths), and no figure is as wide as the widest column.
            Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Choice(_) | Cell::Blank => 1,
            _ => line_count(&c.shown(), *w),
        })
        .max()
        .unwrap_or(1);
    lines_height(lines)
}

// ---------------------------------------------------------------------------------------
// Cells and formats

/// One cell of a table row.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell<'a> {
    /// Text, left-aligned and wrapped (borrowed from the report where it can be: a province's
    /// 明细 has 3 million cells).
    Text(Cow<'a, str>),
    /// A short label (是/否, —, 错误), centred.
    Tag(Cow<'a, str>),
    Number(f64),
    /// A ratio shown as a percentage ("0.0%").
    Percent(f64),
    /// A similarity score ("0.00").
    Score(f64),
    /// A 来源 cell: a link to the source cell in the summary workbook, plain text elsewhere.
    Source(Cow<'a, Source>),
    /// An empty answer cell with a drop-down of the given choices.
    Choice(Vec<String>),
    /// Empty but bordered.
    Blank,
}

impl<'a> Cell<'a> {
    pub(super) fn text(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(s.into())
    }

    pub(super) fn tag(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Tag(s.into())
    }

    pub(super) fn opt_text(s: Option<&'a str>) -> Cell<'a> {
        s.map_or(Cell::Blank, Cell::text)
    }

    pub(super) fn count(n: u32) -> Cell<'a> {
        Cell::Number(f64::from(n))
    }

    fn opt_count(n: Option<u32>) -> Cell<'a> {
        n.map_or(Cell::Blank, Cell::count)
    }

    /// A figure that does not apply (a unit without a belt) is shown as —.
    fn count_or_dash(n: Option<u32>) -> Cell<'a> {
        n.map_or(Cell::tag(DASH), Cell::count)
    }

    fn yes_no(b: bool) -> Cell<'a> {
        Cell::tag(if b { "是" } else { "否" })
    }

    fn source(s: &'a Source) -> Cell<'a> {
        Cell::Source(Cow::Borrowed(s))
    }

    pub(super) fn opt_source(s: Option<&'a Source>) -> Cell<'a> {
        s.map_or(Cell::Blank, Cell::source)
    }

    /// The text a reader sees in the cell.
    fn shown(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) | Cell::Tag(s) => Cow::Borrowed(s),
            Cell::Number(n) => n.to_string().into(),
            Cell::Percent(x) => format!("{:.1}%", x * 100.0).into(),
            Cell::Score(x) => format!("{x:.2}").into(),
            Cell::Source(s) => s.display().into(),
            Cell::Choice(_) | Cell::Blank => Cow::Borrowed(""),
        }
    }

    /// How many characters a whole number or a score shows, counted without formatting it
    /// (a province's lists have a million of them); `None` for other cells.
    fn figure_chars(&self) -> Option<usize> {
        match *self {
            // `Display` writes a whole f64 below 1e15 as its digits, with a sign when negative.
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                let mut digits = 1;
                let mut rest = n.abs() as u64;
                while rest >= 10 {
                    rest /= 10;
                    digits += 1;
                }
                Some(digits + usize::from(n.is_sign_negative()))
            }
            // "0.00" to "9.98".
            Cell::Score(x) if (0.0..9.98).contains(&x) => Some(4),
            _ => None,
        }
    }

    /// Whether the cell's text has a line break (figures and choices have none).
    fn breaks_line(&self) -> bool {
        match self {
            Cell::Text(s) | Cell::Tag(s) => s.as_bytes().contains(&b'\n'),
            Cell::Source(s) => s.file.contains('\n') || s.sheet.as_deref().is_some_and(|n| n.contains('\n')),
            Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Choice(_) | Cell::Blank => false,
        }
    }

    /// Width on one line, and the narrowest the cell may get, in column units.
    fn widths(&self) -> (f64, f64) {
        match self {
            Cell::Text(s) | Cell::Tag(s) => text_widths(s),
            // Figures and sources do not wrap: a link does not wrap in LibreOffice, and an
            // address reads badly broken.
            Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Source(_) => {
                let width = self.figure_chars().map_or_else(|| text_width(&self.shown()), narrow_text_width);
                (width, width)
            }
            // The answer is one of the choices.
            Cell::Choice(items) => (items.iter().map(|i| text_width(i)).fold(0.0, f64::max), 0.0),
            Cell::Blank => (0.0, 0.0),
        }
    }
}

/// [`text_width`] of a text of `chars` narrow characters on one line (summed the same way).
fn narrow_text_width(chars: usize) -> f64 {
    (0..chars).fold(0.0, |w, _| w + NARROW) + PAD
}

/// [`clip`] for a text of one's own.
pub(super) fn clip_owned(mut s: String) -> String {
    let kept = clip(&s).len();
    s.truncate(kept);
    s
}

/// Cuts a text to Excel's cell limit rather than failing the whole workbook.
pub(super) fn clip(s: &str) -> &str {
    // No more characters than bytes: most texts need no counting.
    if s.len() <= MAX_CELL_CHARS {
        return s;
    }
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// A column index as Excel's type; an impossible value is left for rust_xlsxwriter to reject.
pub(super) fn col_num(i: usize) -> u16 {
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

pub(super) fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year, d.month, d.day)
}

/// The formats of the cells of one kind of row (ordinary rows, or the bold 合计 row).
pub(super) struct Body {
    text: Format,
    tag: Format,
    number: Format,
    percent: Format,
    score: Format,
    link: Format,
}

impl Body {
    fn new(bold: bool) -> Body {
        let mut text = Format::new()
            .set_font_name("宋体")
            .set_font_size(11)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        if bold {
            text = text.set_bold();
        }
        let centred = text.clone().set_align(FormatAlign::Center);
        Body {
            tag: centred.clone(),
            number: centred.clone(),
            percent: centred.clone().set_num_format("0.0%"),
            score: centred.set_num_format("0.00"),
            // Excel's own hyperlink look, on the table's borders and font.
            link: text.clone().set_font_color(Color::RGB(0x0563C1)).set_underline(FormatUnderline::Single),
            text,
        }
    }
}

/// The cell formats of the workbook.
pub(super) struct Formats {
    title: Format,
    header: Format,
    /// A line of text between the title and the table.
    note: Format,
    pub(super) body: Body,
    total: Body,
    sign: Format,
    sign_right: Format,
    red: Format,
}

impl Formats {
    /// Every format, in a fixed order: registered with the workbook before sheets are
    /// written on several cores, so that format numbers (and the file's bytes) do not
    /// depend on which sheet got there first.
    pub(super) fn all(&self) -> Vec<&Format> {
        let mut out = vec![&self.title, &self.header, &self.note, &self.sign, &self.sign_right, &self.red];
        for b in [&self.body, &self.total] {
            out.extend([&b.text, &b.tag, &b.number, &b.percent, &b.score, &b.link]);
        }
        out
    }

    pub(super) fn new() -> Formats {
        let body = Body::new(false);
        Formats {
            title: Format::new()
                .set_font_name("黑体")
                .set_font_size(18)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: body
                .text
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_align(FormatAlign::Center),
            note: Format::new().set_font_name("宋体").set_font_size(11).set_align(FormatAlign::VerticalCenter),
            sign: Format::new()
                .set_font_name("宋体")
                .set_font_size(12)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            sign_right: Format::new()
                .set_font_name("宋体")
                .set_font_size(12)
                .set_align(FormatAlign::Right)
                .set_align(FormatAlign::VerticalCenter)
                .set_indent(1),
            red: Format::new().set_font_color(Color::RGB(0xFF0000)),
            total: Body::new(true),
            body,
        }
    }
}

/// What every sheet shares.
pub(super) struct Ctx {
    pub(super) f: Formats,
    /// "<organiser><title>情况汇总表（2015年10月）"
    pub(super) title: String,
    /// The period folder relative to the output folder, for links from 来源 cells; `None`
    /// writes 来源 as plain text (the correction lists travel by e-mail).
    pub(super) source_base: Option<String>,
    /// The numbers of the formats registered with the workbook, when they are known: the
    /// longest lists without links are then written as sheet XML (see [`sheet_xml`]).
    pub(super) xf: Option<XfIndices>,
}

/// The links a worksheet may still hold (Excel's 65,530).
struct Links(usize);

impl Links {
    fn new() -> Links {
        Links(MAX_LINKS)
    }
}

/// The link of a 来源 cell: the source file by its path from the output folder and, in a
/// workbook, the cell (`../returns/2015-10/汤溪镇.xlsx#'10月'!B7`). `None` when a link
/// cannot carry the path faithfully.
fn source_url(base: &str, source: &Source) -> Option<Url> {
    let path = format!("{base}{}", source.file);
    // rust_xlsxwriter cuts a link at its first '#' and leaves a path with an escape such as
    // "%20" unescaped: a file name holding either would point elsewhere.
    if path.contains(['#', '%']) {
        return None;
    }
    let mut link = format!("file:///{path}");
    if let Some(sheet) = &source.sheet {
        let cell = source.a1().unwrap_or_else(|| "A1".to_string());
        link.push_str(&format!("#'{}'!{cell}", sheet.replace('\'', "''")));
    }
    (link.chars().count() <= MAX_LINK_CHARS).then(|| Url::new(link).set_text(clip(&source.display())))
}

/// A 来源 cell: `文件名!工作表!单元格`, a link to that cell while the sheet has links left
/// and the context has a base, else plain text.
fn write_source<'f>(
    ws: &mut Worksheet,
    ctx: &Ctx,
    body: &'f Body,
    links: &mut Links,
    (row, col): (u32, u16),
    source: &Source,
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    if links.0 > 0
        && let Some(url) = ctx.source_base.as_deref().and_then(|base| source_url(base, source))
    {
        ws.write_url_with_format(row, col, url, &body.link)?;
        links.0 -= 1;
        return Ok(());
    }
    put_string(ws, (row, col), clip(&source.display()), &body.text, formatting)
}

/// How the cells of a table get their formats. rust_xlsxwriter looks a cell's format up by
/// hashing and comparing it whole, which at province scale costs more than writing the
/// cell; so the cells of a list are written bare and get their formats in bulk.
enum Formatting<'f> {
    /// Each cell its own, looked up cell by cell (汇总 and 说明: few cells, some of them
    /// given another format afterwards).
    Own,
    /// A long list streamed to disk, whose rows cannot be revisited: each column carries
    /// the format most of its cells have, and those cells none of their own. The column
    /// format also shows on the empty cells under the list.
    Columns(Vec<Option<&'f Format>>),
    /// A table held in memory: its cells are written bare and get their formats at the end,
    /// one lookup per run of like cells down a column.
    Runs(Runs<'f>),
}

/// Runs of cells down a column that share a format, to be formatted at once.
#[derive(Default)]
struct Runs<'f> {
    /// Per column, the run being extended: first row, last row, format.
    open: Vec<Option<(u32, u32, &'f Format)>>,
    done: Vec<(u16, u32, u32, &'f Format)>,
}

impl<'f> Formatting<'f> {
    /// Whether the cell at `at` of `format` is written without a format of its own: its
    /// column has it, or it is given later.
    fn bare(&mut self, (row, col): (u32, u16), format: &'f Format) -> bool {
        match self {
            Formatting::Own => false,
            Formatting::Columns(columns) => {
                columns.get(usize::from(col)).copied().flatten().is_some_and(|c| std::ptr::eq(c, format))
            }
            Formatting::Runs(runs) => {
                let c = usize::from(col);
                if runs.open.len() <= c {
                    runs.open.resize(c + 1, None);
                }
                if let Some(slot) = runs.open.get_mut(c) {
                    match slot {
                        Some((_, last, f)) if std::ptr::eq(*f, format) && last.checked_add(1) == Some(row) => {
                            *last = row;
                        }
                        _ => {
                            if let Some((first, last, f)) = slot.take() {
                                runs.done.push((col, first, last, f));
                            }
                            *slot = Some((row, row, format));
                        }
                    }
                }
                true
            }
        }
    }

    /// Gives the cells written bare for [`Formatting::Runs`] their formats.
    fn finish(self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        if let Formatting::Runs(runs) = self {
            let open =
                runs.open.into_iter().enumerate().filter_map(|(c, run)| run.map(|(a, b, f)| (col_num(c), a, b, f)));
            for (col, first, last, format) in runs.done.into_iter().chain(open) {
                ws.set_range_format(first, col, last, col, format)?;
            }
        }
        Ok(())
    }
}

/// Writes a string with `format`, or bare (see [`Formatting`]).
fn put_string<'f>(
    ws: &mut Worksheet,
    at: (u32, u16),
    s: &str,
    format: &'f Format,
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    let own = (!formatting.bare(at, format)).then_some(format);
    super::write_text(ws, at, s, own, format)
}

/// Writes a number with `format`, or bare (see [`Formatting`]).
fn put_number<'f>(
    ws: &mut Worksheet,
    at: (u32, u16),
    n: f64,
    format: &'f Format,
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    if formatting.bare(at, format) {
        ws.write_number(at.0, at.1, n)?;
    } else {
        ws.write_number_with_format(at.0, at.1, n, format)?;
    }
    Ok(())
}

/// A bordered empty cell; written bare, it is nothing until its format comes.
fn put_blank<'f>(
    ws: &mut Worksheet,
    at: (u32, u16),
    format: &'f Format,
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    if !formatting.bare(at, format) {
        ws.write_blank(at.0, at.1, format)?;
    }
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

/// The format a cell is written with (a linked 来源 cell aside, which has its own).
pub(super) fn cell_format<'f>(body: &'f Body, cell: &Cell) -> &'f Format {
    match cell {
        Cell::Tag(_) => &body.tag,
        Cell::Number(n) if n.is_finite() => &body.number,
        Cell::Percent(x) if x.is_finite() => &body.percent,
        Cell::Score(x) if x.is_finite() => &body.score,
        _ => &body.text,
    }
}

/// Writes one cell, with its format or bare (see [`Formatting`]).
fn write_cell<'f>(
    ws: &mut Worksheet,
    ctx: &Ctx,
    body: &'f Body,
    links: &mut Links,
    at: (u32, u16),
    cell: &Cell,
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    let format = cell_format(body, cell);
    match cell {
        Cell::Text(s) | Cell::Tag(s) => put_string(ws, at, clip(s), format, formatting),
        Cell::Number(n) | Cell::Percent(n) | Cell::Score(n) if n.is_finite() => {
            put_number(ws, at, *n, format, formatting)
        }
        Cell::Source(s) => write_source(ws, ctx, body, links, at, s, formatting),
        Cell::Choice(items) => {
            ws.write_blank(at.0, at.1, format)?;
            if let Some(dv) = choice_validation(items)? {
                ws.add_data_validation(at.0, at.1, at.0, at.1, &dv)?;
            }
            Ok(())
        }
        Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Blank => put_blank(ws, at, format, formatting),
    }
}

/// Writes the cells of one row, each with its format.
fn write_cells(
    ws: &mut Worksheet,
    ctx: &Ctx,
    body: &Body,
    links: &mut Links,
    row: u32,
    cells: &[Cell],
) -> Result<(), XlsxError> {
    write_cells_in(ws, ctx, body, links, row, cells, &mut Formatting::Own)
}

/// Writes the cells of one row, with their formats or bare (see [`Formatting`]).
fn write_cells_in<'f>(
    ws: &mut Worksheet,
    ctx: &Ctx,
    body: &'f Body,
    links: &mut Links,
    row: u32,
    cells: &[Cell],
    formatting: &mut Formatting<'f>,
) -> Result<(), XlsxError> {
    for (c, cell) in cells.iter().enumerate() {
        write_cell(ws, ctx, body, links, (row, col_num(c)), cell, formatting)?;
    }
    Ok(())
}

/// The format most cells of each column of `rows` have, for [`Formatting::Columns`].
fn column_formats<'f>(body: &'f Body, rows: &[Vec<Cell>], columns: usize) -> Vec<Option<&'f Format>> {
    let kinds = [&body.text, &body.tag, &body.number, &body.percent, &body.score];
    (0..columns)
        .map(|c| {
            let count = |k: &Format| {
                rows.iter().filter_map(|r| r.get(c)).filter(|cell| std::ptr::eq(cell_format(body, cell), k)).count()
            };
            // The most common; the first of the list on a tie.
            let (n, best) = kinds.iter().map(|k| (count(k), *k)).rev().max_by_key(|(n, _)| *n)?;
            (n > 0).then_some(best)
        })
        .collect()
}

/// Writes `rows` from sheet row `first` on, each as tall as its wrapped text needs in columns
/// of `widths`; returns the next free row.
fn write_rows<'f>(
    ws: &mut Worksheet,
    ctx: &'f Ctx,
    first: u32,
    rows: &[Vec<Cell>],
    (widths, one_line): (&[f64], &[bool]),
    links: &mut Links,
    formatting: &mut Formatting<'f>,
) -> Result<u32, XlsxError> {
    let mut row = first;
    for cells in rows {
        write_cells_in(ws, ctx, &ctx.f.body, links, row, cells, formatting)?;
        // One line is the sheet's default height (see write_table_from).
        let height = row_height(cells, widths, one_line);
        if height != lines_height(1) {
            ws.set_row_height(row, height)?;
        }
        row = row.saturating_add(1);
    }
    Ok(row)
}

/// A text across columns `first..=last` (merged when more than one).
fn merged(ws: &mut Worksheet, row: u32, first: u16, last: u16, text: &str, format: &Format) -> Result<(), XlsxError> {
    let text = clip(text);
    if last > first {
        // The text goes in afterwards when rust_xlsxwriter would write it raw.
        let raw = super::is_written_raw(text);
        ws.merge_range(row, first, row, last, if raw { "" } else { text }, format)?;
        if raw {
            super::write_text(ws, (row, first), text, Some(format), format)?;
        }
        Ok(())
    } else {
        super::write_text(ws, (row, first), text, Some(format), format)
    }
}

/// Row 1: the merged title over columns `0..=last_col`.
fn write_title(ws: &mut Worksheet, ctx: &Ctx, title: &str, last_col: u16) -> Result<(), XlsxError> {
    merged(ws, 0, 0, last_col, title, &ctx.f.title)?;
    ws.set_row_height(0, TITLE_ROW_PT)?;
    Ok(())
}

/// The header row, as tall as its longest wrapped header.
fn write_header(ws: &mut Worksheet, ctx: &Ctx, row: u32, headers: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, col_num(c), *h, &ctx.f.header)?;
    }
    let lines = headers.iter().zip(widths).map(|(h, w)| line_count(h, *w)).max().unwrap_or(1);
    ws.set_row_height(row, lines_height(lines))?;
    Ok(())
}

/// A4 landscape, one page wide and centred, narrow side margins, the rows down to
/// `header_row` repeated on every page and frozen on screen, page numbers in the footer.
fn page_setup(ws: &mut Worksheet, header_row: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(MARGIN_SIDE, MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM, MARGIN_HEADER, MARGIN_FOOTER)
        .set_footer("&C&\"宋体,Regular\"&10第 &P 页 共 &N 页");
    ws.set_repeat_rows(0, header_row)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}

fn set_widths(ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col_num(c), *w)?;
    }
    Ok(())
}

/// Lists longer than this are written in rust_xlsxwriter's low-memory mode.
pub(super) const STREAM_ROWS: usize = 2_000;

/// A table sheet, for [`write_table`].
pub(super) struct Table<'a> {
    pub(super) name: &'a str,
    pub(super) title: &'a str,
    /// A line between the title and the header (a correction list's count).
    pub(super) note: Option<&'a str>,
    pub(super) headers: &'a [&'a str],
    pub(super) rows: &'a [Vec<Cell<'a>>],
    /// What the first data row says when there are no rows.
    pub(super) empty: &'a str,
    /// Whether the header gets an auto-filter (list sheets do, a page of notes does not).
    pub(super) filter: bool,
}

/// The zip compression level of the workbooks huizong writes: the fastest. rust_xlsxwriter's
/// default (6) spends most of a large workbook's save compressing: at province scale (270 MB
/// of sheet XML) level 1 saves in a third of the time, for a file 1.7 times as large (41 MB
/// instead of 24 MB; Excel or WPS shrink it again when they save it).
pub const ZIP_LEVEL: u8 = 1;

/// A new workbook for an output, compressed at [`ZIP_LEVEL`].
pub(super) fn output_workbook() -> Workbook {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    wb
}

/// Writes a table sheet: the merged title, the note if any, the bold shaded header, the rows
/// sized for their wrapped text, the auto-filter and the page setup. Returns the first row
/// under the table and the column widths, for what goes under it.
pub(super) fn write_table(wb: &mut Workbook, ctx: &Ctx, t: &Table<'_>) -> Result<(u32, Vec<f64>), XlsxError> {
    // A long list is written row by row to a temporary file instead of being held in
    // memory (the rows go out in order).
    let streamed = t.rows.len() > STREAM_ROWS;
    let ws = if streamed { wb.add_worksheet_with_constant_memory()? } else { wb.add_worksheet() };
    let rows = |r: std::ops::Range<usize>| Cow::Borrowed(t.rows.get(r).unwrap_or(&[]));
    write_table_from(ws, ctx, t, t.rows.len(), &rows, streamed)
}

/// Rows of a table by range: borrowed from a list, or built on demand.
pub(super) type RowsOf<'r> = dyn Fn(std::ops::Range<usize>) -> Cow<'r, [Vec<Cell<'r>>]> + Sync + 'r;

/// Rows measured and written this many at a time.
const CHUNK_ROWS: usize = 8_192;

/// Column widths for table `t` of `len` rows given by `rows`: each column as wide as its
/// widest text (within `t`'s page), and wide enough together for the title. The rows are
/// measured chunk by chunk on all cores (the widest text wins, in any order). A list of one
/// chunk (every correction list) stays on its thread: it may not be on a pool thread, and
/// handing it over costs more than it saves.
pub(super) fn table_widths(t: &Table<'_>, len: usize, rows: &RowsOf<'_>) -> (Vec<f64>, Vec<bool>) {
    let max_px = if t.headers.len() > WIDE_LIST_COLUMNS { WIDE_LIST_WIDTH_PX } else { LIST_WIDTH_PX };
    let measure = |r: std::ops::Range<usize>| {
        let mut fit = ColumnFit::new(t.headers);
        fit.add(&rows(r));
        fit
    };
    let fit = if len <= CHUNK_ROWS {
        measure(0..len)
    } else {
        chunks(len)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(measure)
            .reduce(|| ColumnFit::new(t.headers), ColumnFit::merge)
    };
    let mut widths = fit.finish(max_px);
    widen_for_title(&mut widths, t.title);
    let one_line = fit.one_line(&widths);
    (widths, one_line)
}

/// The ranges of the chunks of `len` rows.
fn chunks(len: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..len).step_by(CHUNK_ROWS).map(move |s| s..(s + CHUNK_ROWS).min(len))
}

/// Above the rows of table `t`: its sheet name, the title, the note if any and the header;
/// one line is made the sheet's default row height. Returns the header row.
fn write_head(ws: &mut Worksheet, ctx: &Ctx, t: &Table<'_>, widths: &[f64]) -> Result<u32, XlsxError> {
    ws.set_name(t.name)?;
    let last_col = col_num(t.headers.len().saturating_sub(1));
    write_title(ws, ctx, t.title, last_col)?;
    let mut header_row = 1;
    if let Some(note) = t.note {
        merged(ws, 1, 0, last_col, note, &ctx.f.note)?;
        ws.set_row_height(1, lines_height(1))?;
        header_row = 2;
    }
    write_header(ws, ctx, header_row, t.headers, widths)?;
    // Most rows are one line high: that is the sheet's default, and only taller rows get a
    // height of their own.
    ws.set_default_row_height(lines_height(1));
    Ok(header_row)
}

/// What follows the rows of table `t`, which end above row `end`: the auto-filter, the
/// column widths and the page setup.
fn write_tail(ws: &mut Worksheet, t: &Table<'_>, header_row: u32, end: u32, widths: &[f64]) -> Result<(), XlsxError> {
    if t.filter {
        ws.autofilter(header_row, 0, end.saturating_sub(1), col_num(t.headers.len().saturating_sub(1)))?;
    }
    set_widths(ws, widths)?;
    page_setup(ws, header_row)
}

/// Gives each column of a streamed list the format most of its cells have (see
/// [`Formatting::Columns`]), judged on the first chunk.
fn set_column_formats(ws: &mut Worksheet, columns: &[Option<&Format>]) -> Result<(), XlsxError> {
    for (c, format) in columns.iter().enumerate() {
        if let Some(format) = format {
            ws.set_column_format(col_num(c), format)?;
        }
    }
    Ok(())
}

/// Writes table `t` into `ws` with `len` rows given by `rows` (`t.rows` is not used): the
/// rows are measured chunk by chunk, then built again and written chunk by chunk, so a long
/// list is never held whole. `streamed`: `ws` is written row by row to disk (its rows
/// cannot be revisited).
fn write_table_from<'r>(
    ws: &mut Worksheet,
    ctx: &Ctx,
    t: &Table<'_>,
    len: usize,
    rows: &RowsOf<'r>,
    streamed: bool,
) -> Result<(u32, Vec<f64>), XlsxError> {
    let (widths, one_line) = table_widths(t, len, rows);
    let header_row = write_head(ws, ctx, t, &widths)?;
    let first = header_row + 1;
    let end = if len == 0 {
        let last_col = col_num(t.headers.len().saturating_sub(1));
        merged(ws, first, 0, last_col, t.empty, &ctx.f.body.text)?;
        ws.set_row_height(first, lines_height(1))?;
        first + 1
    } else {
        // A list longer than LINKED_ROWS gets no links at all: no one clicks through tens of
        // thousands of rows, a list linked only down to Excel's limit would look broken
        // below it, and the links cost time and memory at province scale (~100 MB); its 来源
        // cells still name file, sheet and cell.
        let mut links = if len > LINKED_ROWS { Links(0) } else { Links::new() };
        // A streamed list gets column formats; a list in memory gets its formats at the end.
        let mut formatting = if !streamed {
            Formatting::Runs(Runs::default())
        } else {
            let columns = column_formats(&ctx.f.body, &rows(0..CHUNK_ROWS.min(len)), t.headers.len());
            set_column_formats(ws, &columns)?;
            Formatting::Columns(columns)
        };
        // Each chunk is written while the next is built.
        let mut next = first;
        let mut pending = chunks(len);
        let mut current = pending.next().map(rows);
        while let Some(chunk) = current {
            let (written, built) = if len <= CHUNK_ROWS {
                (write_rows(ws, ctx, next, &chunk, (&widths, &one_line), &mut links, &mut formatting), None)
            } else {
                rayon::join(
                    || write_rows(ws, ctx, next, &chunk, (&widths, &one_line), &mut links, &mut formatting),
                    || pending.next().map(rows),
                )
            };
            next = written?;
            current = built;
        }
        formatting.finish(ws)?;
        next
    };
    write_tail(ws, t, header_row, end, &widths)?;
    Ok((end, widths))
}

/// The format numbers rust_xlsxwriter gives formats registered with a new workbook, in
/// order: the default format is 0, each other format the next number (a format registered
/// twice keeps its first). Only valid for a workbook that had no other format before.
pub(super) struct XfIndices {
    /// The numbers of [`Body`]'s formats: text, tag, number, percent, score.
    body: [u32; 5],
    pub(super) title: u32,
    pub(super) header: u32,
    pub(super) note: u32,
    pub(super) sign: u32,
    pub(super) sign_right: u32,
}

impl XfIndices {
    /// The numbers of the formats `f` gives, registered (in the order of [`Formats::all`])
    /// with a new workbook.
    pub(super) fn of_formats(f: &Formats) -> Option<XfIndices> {
        XfIndices::registered(&f.all(), f)
    }

    fn registered(formats: &[&Format], f: &Formats) -> Option<XfIndices> {
        let body = &f.body;
        let mut numbered: Vec<&Format> = Vec::new();
        let default = Format::default();
        for f in formats {
            if **f != default && !numbered.contains(f) {
                numbered.push(f);
            }
        }
        let of = |f: &Format| numbered.iter().position(|g| *g == f).and_then(|p| u32::try_from(p + 1).ok());
        Some(XfIndices {
            body: [of(&body.text)?, of(&body.tag)?, of(&body.number)?, of(&body.percent)?, of(&body.score)?],
            title: of(&f.title)?,
            header: of(&f.header)?,
            note: of(&f.note)?,
            sign: of(&f.sign)?,
            sign_right: of(&f.sign_right)?,
        })
    }

    /// The number of `format`, one of `body`'s.
    pub(super) fn of(&self, body: &Body, format: &Format) -> u32 {
        let kinds = [&body.text, &body.tag, &body.number, &body.percent, &body.score];
        kinds.iter().zip(self.body).find(|(k, _)| std::ptr::eq(**k, format)).map_or(0, |(_, n)| n)
    }
}

/// [`write_table_from`] for a long list without links, its rows written as sheet XML and
/// compressed as they are made (see [`sheet_xml`]). `ws` gets everything else, as it would
/// for a streamed list, and is saved without rows; the rows are in the part returned, which
/// replaces `ws`'s XML when the workbook is saved ([`Summary::save_to_writer`]).
fn write_table_direct(
    ws: &mut Worksheet,
    ctx: &Ctx,
    xf: &XfIndices,
    t: &Table<'_>,
    len: usize,
    rows: &RowsOf<'_>,
) -> Result<sheet_xml::FinishedPart, XlsxError> {
    let (widths, single) = table_widths(t, len, rows);
    let body = &ctx.f.body;
    let columns = column_formats(body, &rows(0..CHUNK_ROWS.min(len)), t.headers.len());
    let rows_len = u32::try_from(len).map_err(|_| XlsxError::RowColumnLimitError)?;
    let without_rows = |ws: &mut Worksheet| -> Result<(u32, u32), XlsxError> {
        let header_row = write_head(ws, ctx, t, &widths)?;
        set_column_formats(ws, &columns)?;
        let first = header_row + 1;
        let end = first.checked_add(rows_len).ok_or(XlsxError::RowColumnLimitError)?;
        write_tail(ws, t, header_row, end, &widths)?;
        Ok((first, end))
    };
    let (first, end) = without_rows(ws)?;
    // The same sheet in a workbook of its own with the same format numbers, saved: its XML
    // around the rows. It is the second sheet, as the first is the one selected.
    let mut alone = output_workbook();
    for f in ctx.f.all() {
        alone.register_format(f);
    }
    alone.add_worksheet();
    without_rows(alone.add_worksheet_with_constant_memory()?)?;
    let xml = sheet_xml::entry_text(&alone.save_to_buffer()?, "xl/worksheets/sheet2.xml")?;
    drop(alone);
    let (before, after) = sheet_xml::around_rows(&xml, end).ok_or_else(|| {
        XlsxError::ParameterError(format!(
            "工作表“{}”的结构无法识别（这是程序的缺陷，请把这段信息报告给开发者）",
            t.name
        ))
    })?;
    let mut part = sheet_xml::Part::new(ZIP_LEVEL)?;
    part.write(before.as_bytes())?;
    let one_line = lines_height(1);
    let px = |pt: f64| (pt * 4.0 / 3.0).round() as u32;
    let mut xml = sheet_xml::Rows::default();
    let mut write_chunk = |from: u32, chunk: &[Vec<Cell>]| -> Result<u32, XlsxError> {
        let mut row = from;
        for row_cells in chunk {
            // The 来源 texts first, for the cells to borrow.
            let sources: Vec<String> = row_cells
                .iter()
                .filter_map(|c| match c {
                    Cell::Source(s) => Some(clip_owned(s.display())),
                    _ => None,
                })
                .collect();
            let mut source_texts = sources.iter();
            let mut cells: Vec<(u16, XmlCell)> = Vec::with_capacity(row_cells.len());
            for (c, cell) in row_cells.iter().enumerate() {
                let format = cell_format(body, cell);
                let n = xf.of(body, format);
                // As put_blank: an empty cell whose column has its format is left out.
                let bare = columns.get(c).copied().flatten().is_some_and(|f| std::ptr::eq(f, format));
                let xml_cell = match cell {
                    Cell::Text(s) | Cell::Tag(s) => XmlCell::Text(clip(s), n),
                    Cell::Number(x) | Cell::Percent(x) | Cell::Score(x) if x.is_finite() => XmlCell::Number(*x, n),
                    Cell::Source(_) => XmlCell::Text(source_texts.next().map_or("", String::as_str), n),
                    Cell::Choice(_) => {
                        return Err(XlsxError::ParameterError(format!(
                            "工作表“{}”不应有下拉选项（这是程序的缺陷，请把这段信息报告给开发者）",
                            t.name
                        )));
                    }
                    Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Blank => XmlCell::Blank(n),
                };
                // An empty text is an empty cell to rust_xlsxwriter too.
                let xml_cell = match xml_cell {
                    XmlCell::Text("", n) => XmlCell::Blank(n),
                    other => other,
                };
                if bare && matches!(xml_cell, XmlCell::Blank(_)) {
                    continue;
                }
                cells.push((col_num(c), xml_cell));
            }
            // As write_rows: one line is the sheet's default height, other rows have their own.
            let height = row_height(row_cells, &widths, &single);
            let own = height != one_line;
            xml.row(row, px(if own { height } else { one_line }), own, &cells);
            row = row.saturating_add(1);
        }
        let buf = xml.take();
        part.write(buf)?;
        buf.clear();
        Ok(row)
    };
    // Each chunk is written while the next is built.
    let mut next = first;
    let mut pending = chunks(len);
    let mut current = pending.next().map(rows);
    while let Some(chunk) = current {
        let (written, built) = rayon::join(|| write_chunk(next, &chunk), || pending.next().map(rows));
        next = written?;
        current = built;
    }
    part.write(after.as_bytes())?;
    part.finish()
}

/// The 落款 at `row`: the organiser, and the date centred under it, at the right edge of
/// columns of `widths`.
pub(super) fn write_sign(
    ws: &mut Worksheet,
    ctx: &Ctx,
    row: u32,
    widths: &[f64],
    organiser: &str,
    date: Date,
) -> Result<(), XlsxError> {
    let last_col = col_num(widths.len().saturating_sub(1));
    let (first, right) = sign_block(widths, organiser);
    let format = if right { &ctx.f.sign_right } else { &ctx.f.sign };
    merged(ws, row, first, last_col, organiser, format)?;
    merged(ws, row + 1, first, last_col, &chinese_date(date), format)?;
    ws.set_row_height(row, SIGN_ROW_PT)?;
    ws.set_row_height(row + 1, SIGN_ROW_PT)?;
    Ok(())
}

/// Where the 落款 goes under columns of `widths`: its first column (it ends at the last), and
/// whether it is set right (else centred).
pub(super) fn sign_block(widths: &[f64], organiser: &str) -> (u16, bool) {
    let last_col = col_num(widths.len().saturating_sub(1));
    // Wide enough for the organiser in the 12-point 落款 font, with some air.
    let needed = text_width(organiser) * 12.0 / 11.0 + 4.0;
    let mut first = last_col;
    let mut span = widths.last().copied().unwrap_or(0.0);
    while span < needed && first > 0 {
        first -= 1;
        span += widths.get(usize::from(first)).copied().unwrap_or(0.0);
    }
    // Centred, the date under the organiser; but when a wide column makes the block much
    // wider than the text, centring would pull it away from the right edge.
    (first, span > needed * 1.5)
}

/// A list sheet of the summary workbook: 序号 plus `headers`, one row per entry of `rows`
/// (numbered here); `empty` fills the first data row when there is nothing to list. A list
/// longer than `max_rows` continues on "<name>（续1）"…. The sheets are made standalone
/// (through `wb`, shared with the other lists being written at the same time) and returned
/// in order, to be added to the workbook.
fn list_sheet(
    wb: &std::sync::Mutex<&mut Workbook>,
    ctx: &Ctx,
    name: &str,
    headers: &[&str],
    rows: ListRows<'_>,
    empty: &str,
    max_rows: usize,
) -> Result<Vec<(Worksheet, Option<sheet_xml::FinishedPart>)>, XlsxError> {
    let headers: Vec<&str> = std::iter::once("序号").chain(headers.iter().copied()).collect();
    // A short list is built and numbered once and its chunks borrowed; a long one is built
    // and numbered a chunk at a time (twice: to measure, then to write).
    let (len, built, make): (usize, Vec<Vec<Cell>>, Option<Box<RangeBuilder<'_>>>) = match rows {
        ListRows::Built(build) => {
            let built = numbered(build());
            (built.len(), built, None)
        }
        ListRows::Ranged(len, make) => (len, Vec::new(), Some(make)),
    };
    let max_rows = max_rows.max(1);
    let parts: Vec<std::ops::Range<usize>> = if len == 0 {
        std::iter::once(0..0).collect()
    } else {
        (0..len).step_by(max_rows).map(|s| s..(s + max_rows).min(len)).collect()
    };
    let mut sheets = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        let sheet_name = if i == 0 { name.to_string() } else { format!("{name}（续{i}）") };
        let title = format!("{}—{sheet_name}", ctx.title);
        let table =
            Table { name: &sheet_name, title: &title, note: None, headers: &headers, rows: &[], empty, filter: true };
        // A long list is written row by row to a temporary file instead of being held in
        // memory (the rows go out in order).
        let streamed = part.len() > STREAM_ROWS;
        let mut ws = if streamed {
            match wb.lock() {
                Ok(mut wb) => wb.new_worksheet_with_constant_memory()?,
                Err(poisoned) => poisoned.into_inner().new_worksheet_with_constant_memory()?,
            }
        } else {
            Worksheet::new()
        };
        let start = part.start;
        let rows = |r: std::ops::Range<usize>| {
            let (from, to) = (start + r.start, start + r.end);
            match &make {
                Some(make) => Cow::Owned(numbered_from(make(from..to), from)),
                None => Cow::Borrowed(built.get(from..to).unwrap_or(&[])),
            }
        };
        // The longest lists without links (built a range at a time, so without drop-downs)
        // are written as XML.
        match &ctx.xf {
            Some(xf) if streamed && make.is_some() && part.len() > LINKED_ROWS => {
                let xml = write_table_direct(&mut ws, ctx, xf, &table, part.len(), &rows)?;
                sheets.push((ws, Some(xml)));
            }
            _ => {
                write_table_from(&mut ws, ctx, &table, part.len(), &rows, streamed)?;
                sheets.push((ws, None));
            }
        }
    }
    Ok(sheets)
}

/// The rows of a list sheet: all built at once (short lists), or a count and a builder of
/// any range of them (the long ones: 明细, 问题).
enum ListRows<'f> {
    Built(Box<dyn Fn() -> Vec<Vec<Cell<'f>>> + Send + Sync + 'f>),
    Ranged(usize, Box<dyn Fn(std::ops::Range<usize>) -> Vec<Vec<Cell<'f>>> + Send + Sync + 'f>),
}

/// Builds the rows of a range of a list.
type RangeBuilder<'f> = dyn Fn(std::ops::Range<usize>) -> Vec<Vec<Cell<'f>>> + Send + Sync + 'f;

/// Puts 序号 (`first` + 1, …) in front of each row.
fn numbered_from(rows: Vec<Vec<Cell>>, first: usize) -> Vec<Vec<Cell>> {
    rows.into_iter()
        .enumerate()
        .map(|(i, r)| std::iter::once(Cell::Number((first + i + 1) as f64)).chain(r).collect())
        .collect()
}

/// Puts 序号 (1, 2, …) in front of each row.
pub(super) fn numbered(rows: Vec<Vec<Cell>>) -> Vec<Vec<Cell>> {
    numbered_from(rows, 0)
}

/// The document properties: title, organiser, and the period's last day as the date, so
/// that the file does not depend on when it was written.
pub(super) fn properties(report: &Report<'_>, title: &str) -> Result<DocProperties, XlsxError> {
    let last = report.period.last_day();
    let year =
        u16::try_from(last.year).map_err(|_| XlsxError::DateTimeRangeError(format!("年份 {} 超出范围", last.year)))?;
    let created = ExcelDateTime::from_ymd(year, last.month, last.day)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("huizong")
        .set_company(&report.config.organiser)
        .set_creation_datetime(&created))
}

/// The summary workbook as bytes.
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded); text longer than a cell
/// holds is cut rather than refused.
pub fn workbook_bytes(report: &Report<'_>) -> Result<Vec<u8>, XlsxError> {
    build_workbook(report)?.save_to_buffer()
}

/// The summary workbook, every sheet written, ready to be saved: rust_xlsxwriter's workbook
/// and, for its longest lists, their sheets' XML (see [`sheet_xml`]).
pub struct Summary {
    workbook: Workbook,
    /// Sheet name, and the XML that replaces that sheet's.
    parts: Vec<(String, sheet_xml::FinishedPart)>,
}

impl Summary {
    /// Saves the workbook to `out`. With sheets written as XML, rust_xlsxwriter saves the
    /// workbook in memory (without their rows, it is small) and its parts are copied to
    /// `out`, those sheets' replaced by theirs.
    ///
    /// # Errors
    /// Whatever rust_xlsxwriter or the zip writer report (the disk is full).
    pub fn save_to_writer<W: std::io::Write + std::io::Seek + Send>(mut self, mut out: W) -> Result<W, XlsxError> {
        if self.parts.is_empty() {
            self.workbook.save_to_writer(&mut out)?;
            return Ok(out);
        }
        // rust_xlsxwriter names a sheet's part by its place in the workbook.
        let names: Vec<String> = self.workbook.worksheets().iter().map(Worksheet::name).collect();
        let parts = std::mem::take(&mut self.parts)
            .into_iter()
            .map(|(sheet, xml)| {
                let n = names.iter().position(|n| *n == sheet).ok_or(XlsxError::UnknownWorksheetNameOrIndex(sheet))?;
                Ok((format!("xl/worksheets/sheet{}.xml", n + 1), xml))
            })
            .collect::<Result<Vec<_>, XlsxError>>()?;
        let package = self.workbook.save_to_buffer()?;
        drop(self.workbook);
        sheet_xml::splice(&package, parts, out)
    }

    /// The saved workbook's bytes.
    ///
    /// # Errors
    /// As [`Summary::save_to_writer`].
    pub fn save_to_buffer(self) -> Result<Vec<u8>, XlsxError> {
        self.save_to_writer(std::io::Cursor::new(Vec::new())).map(std::io::Cursor::into_inner)
    }
}

/// Builds the summary workbook, every sheet written, ready to be saved.
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded).
pub fn build_workbook(report: &Report<'_>) -> Result<Summary, XlsxError> {
    build_workbook_with(report, |summary| summary, || (), || ()).and_then(|(summary, (), ())| summary)
}

/// [`build_workbook`], with other work on the cores as they become free: 明细 is written on
/// one side and the other sheets on the other (they take about as long), then `after_detail`
/// runs on the first and `after_rest` on the second. The side that finishes its sheets last
/// first hands the finished workbook to `save`, so saving runs beside the other side's work.
///
/// # Errors
/// None of its own: a sheet that could not be written is handed to `save` as the error.
pub fn build_workbook_with<S: Send, A: Send, R: Send>(
    report: &Report<'_>,
    save: impl FnOnce(Result<Summary, XlsxError>) -> S + Send,
    after_detail: impl FnOnce() -> A + Send,
    after_rest: impl FnOnce() -> R + Send,
) -> Result<(S, A, R), XlsxError> {
    build_summary(report, save, after_detail, after_rest, true)
}

/// The sheets one side of [`build_summary`] wrote: each with its rows as XML, if written so.
type Written = Vec<Result<Vec<(Worksheet, Option<sheet_xml::FinishedPart>)>, XlsxError>>;

/// [`build_workbook_with`]; `as_xml`: the longest lists are written as sheet XML (else all
/// through rust_xlsxwriter, which the tests compare them with).
fn build_summary<S: Send, A: Send, R: Send>(
    report: &Report<'_>,
    save: impl FnOnce(Result<Summary, XlsxError>) -> S + Send,
    after_detail: impl FnOnce() -> A + Send,
    after_rest: impl FnOnce() -> R + Send,
    as_xml: bool,
) -> Result<(S, A, R), XlsxError> {
    let config = report.config;
    let mut ctx = Ctx {
        f: Formats::new(),
        title: format!("{}{}情况汇总表（{}）", config.organiser, config.title, report.period.chinese()),
        source_base: Some(report.source_base.clone()),
        xf: None,
    };
    let mut wb = output_workbook();
    wb.set_properties(&properties(report, &ctx.title)?);
    summary_sheet(&mut wb, &ctx, report)?;
    // The list sheets between 汇总 and 说明: their headers after 序号, and their rows.
    let l = Lookup::new(report);
    // Each list's rows are built just before its sheet is written and dropped after; the
    // long ones a chunk at a time.
    let records = report.records;
    let issues = report.issues;
    let star_issues: Vec<&Issue> = issues_of(report, &[IssueCode::PointStarLow, IssueCode::DemoStarLow]).collect();
    let venue_issues: Vec<&Issue> = issues_of(report, &[IssueCode::VenueSubstandard]).collect();
    let lists: [(&[&str], ListRows<'_>); 11] = [
        (
            &DETAIL_HEADERS,
            ListRows::Ranged(records.len(), Box::new(|r| detail_rows(report, records.get(r).unwrap_or(&[])))),
        ),
        (
            &["单位", "严重程度", "问题类型", "组织名称", "说明", "来源"],
            ListRows::Ranged(issues.len(), Box::new(|r| issue_rows(issues.get(r).unwrap_or(&[])))),
        ),
        (&REVIEW_HEADERS, ListRows::Built(Box::new(|| review_rows(report)))),
        (
            &["单位", "上报名称", "规范化名称", "最接近的候选", "说明", "来源"],
            ListRows::Built(Box::new(|| unmatched_rows(report, &l))),
        ),
        (
            &["单位", "应建点数", "有效点数", "点数缺口", "应建示范点", "有效示范点", "示范点缺口"],
            ListRows::Built(Box::new(|| gap_rows(report.units))),
        ),
        (
            &["单位", "组织名称", "类型", "星级", "应达星级", "说明", "来源"],
            ListRows::Ranged(star_issues.len(), Box::new(|r| star_rows(report, &l, star_issues.get(r).unwrap_or(&[])))),
        ),
        (
            &["单位", "组织名称", "活动场所", "说明", "来源"],
            ListRows::Ranged(venue_issues.len(), Box::new(|r| venue_rows(&l, venue_issues.get(r).unwrap_or(&[])))),
        ),
        (&["单位", "组织名称", "问题类型", "说明", "来源"], ListRows::Built(Box::new(|| duplicate_rows(report, &l)))),
        (&["单位", "应建点数", "应建示范点", "说明"], ListRows::Built(Box::new(|| missing_rows(report)))),
        (&["单位", "问题类型", "说明", "来源"], ListRows::Built(Box::new(|| data_problem_rows(report)))),
        (&["单位", "组织名称", "变化类型", "上期", "本期", "说明"], ListRows::Built(Box::new(|| change_rows(report)))),
    ];
    let no_change = match report.previous {
        Some(p) => format!("与上期（{}）相比没有变化", Period::parse(p).map_or(p.to_string(), |p| p.chinese())),
        None => "未找到上期报表，本期不作环比".to_string(),
    };
    // The lists are written on all cores, each into its own standalone sheets, and added
    // to the workbook in order.
    // Nothing has a format number yet (汇总 is held in memory, and its formats get theirs
    // when the workbook is saved), so these are numbered in order.
    let registered = ctx.f.all();
    for f in &registered {
        wb.register_format(f);
    }
    if as_xml {
        ctx.xf = XfIndices::registered(&registered, &ctx.f);
    }
    drop(registered);
    // 明细, by far the longest, on one side; the other lists on the other.
    let shared = std::sync::Mutex::new(&mut wb);
    let write = |(name, (headers, rows)): (&&str, (&[&str], ListRows<'_>))| {
        let empty = if *name == "环比变化" { no_change.as_str() } else { EMPTY };
        list_sheet(&shared, &ctx, name, headers, rows, empty, MAX_DATA_ROWS)
    };
    // The first side to finish leaves its sheets here; the second takes them, puts the
    // workbook together and saves it, and returns what `save` returned.
    let first_done: std::sync::Mutex<Option<Written>> = std::sync::Mutex::new(None);
    let save = std::sync::Mutex::new(Some(save));
    let finish = |is_detail: bool, mine: Written| {
        let other = {
            let mut slot = first_done.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match slot.take() {
                Some(other) => other,
                None => {
                    *slot = Some(mine);
                    return None;
                }
            }
        };
        let (detail, rest) = if is_detail { (mine, other) } else { (other, mine) };
        let mut wb = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let summary = assemble(&mut wb, &ctx, report, detail.into_iter().chain(rest));
        let save = save.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        save.map(|save| save(summary))
    };
    let mut jobs = SHEETS.iter().skip(1).zip(lists);
    let detail = jobs.next();
    let rest: Vec<_> = jobs.collect();
    let ((saved_a, after_detail), (saved_b, after_rest)) = rayon::join(
        || (finish(true, detail.map(write).into_iter().collect()), after_detail()),
        || (finish(false, rest.into_par_iter().map(write).collect()), after_rest()),
    );
    // Both sides have finished, so one of them has saved.
    let saved = saved_a.or(saved_b).ok_or_else(|| {
        XlsxError::ParameterError("汇总表未能保存（这是程序的缺陷，请把这段信息报告给开发者）".into())
    })?;
    Ok((saved, after_detail, after_rest))
}

/// Puts the summary workbook together from the sheets written by both sides of
/// [`build_summary`], in order, and adds 说明.
fn assemble(
    wb: &mut Workbook,
    ctx: &Ctx,
    report: &Report<'_>,
    written: impl Iterator<Item = Result<Vec<(Worksheet, Option<sheet_xml::FinishedPart>)>, XlsxError>>,
) -> Result<Summary, XlsxError> {
    let mut parts = Vec::new();
    for sheets in written {
        for (ws, xml) in sheets? {
            if let Some(xml) = xml {
                parts.push((ws.name(), xml));
            }
            wb.push_worksheet(ws);
        }
    }
    notes_sheet(wb, ctx, report)?;
    Ok(Summary { workbook: std::mem::take(wb), parts })
}

// ---------------------------------------------------------------------------------------
// 汇总

/// Height of a unit's row on 汇总: a little more air than the lists, as it is read by many.
const SUMMARY_ROW_PT: f64 = 22.5;
/// The chart under the table: no smaller than this on the table's page (else it moves to
/// the next page), no taller than this.
const MIN_CHART_PT: f64 = 200.0;
const MAX_CHART_PT: f64 = 420.0;
/// Room left for rounding between the estimate and the printed page, in points.
const PAGE_SLACK_PT: f64 = 10.0;

/// 汇总's headers, each with how many of its characters the first line holds when the
/// column is narrow ("上月有效|示范点", "应建|点数"); 0 for a column as wide as its content.
/// A header that would break badly wherever it wraps ("应建示|范点") stays on one line.
fn summary_headers(report: &Report<'_>) -> Vec<(String, usize)> {
    let rules = &report.config.rules;
    let demo_ok = format!("{}以上示范点", star_word(rules.min_star_demo));
    let points_ok = format!("{}以上点数", star_word(rules.min_star_point));
    #[rustfmt::skip]
    let headers: [(&str, usize); 21] = [
        ("序号", 2), ("单位", 0), ("是否上报", 2), ("应建点数", 2), ("上报点数", 2), ("有效点数", 2),
        ("上月有效点数", 4), ("点数缺口", 2), ("完成率", 3), ("应建示范点", 5), ("上报示范点", 5), ("有效示范点", 5),
        ("上月有效示范点", 4), (&demo_ok, 4), ("示范点缺口", 3), (&points_ok, 4), ("星级未达标", 5), ("场所不达标", 5),
        ("错误数", 3), ("警告数", 3), ("是否达标", 2),
    ];
    headers.iter().map(|(h, k)| (h.to_string(), *k)).collect()
}

fn ratio(valid: u32, quota: Option<u32>) -> Cell<'static> {
    match quota {
        Some(q) if q > 0 => Cell::Percent(f64::from(valid) / f64::from(q)),
        Some(_) | None => Cell::tag(DASH),
    }
}

fn unit_row(i: usize, u: &UnitSummary) -> Vec<Cell<'_>> {
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
fn total_row(units: &[UnitSummary]) -> Vec<Cell<'_>> {
    let sum = |f: fn(&UnitSummary) -> u32| Cell::count(units.iter().map(f).sum());
    let belt_valid: u32 = units.iter().filter(|u| u.quota_points.is_some()).map(|u| u.valid_points).sum();
    let quota = sum_opt(units, |u| u.quota_points);
    vec![
        Cell::Blank,
        Cell::tag("合计"),
        // The number of 是; "已报9个" would wrap in the narrow column.
        Cell::tag(format!("{}个", units.iter().filter(|u| u.submitted).count())),
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
        Cell::tag(format!("{}个", units.iter().filter(|u| u.compliant).count())),
    ]
}

/// 汇总: the table (one row per unit and the 合计 row), the chart under it, and the 落款
/// (organiser and date) closing the page. The columns are as narrow as their figures allow,
/// with the headers on two lines, so that the table prints one A4 page wide as large as
/// possible; the chart fills the rest of the page, or the next page when too little is left.
fn summary_sheet(wb: &mut Workbook, ctx: &Ctx, report: &Report<'_>) -> Result<(), XlsxError> {
    let headers = summary_headers(report);
    let header_refs: Vec<&str> = headers.iter().map(|(h, _)| h.as_str()).collect();
    let unit_rows: Vec<Vec<Cell>> = report.units.iter().enumerate().map(|(i, u)| unit_row(i, u)).collect();
    let total = total_row(report.units);
    let widths: Vec<f64> = headers
        .iter()
        .enumerate()
        .map(|(c, (h, k))| {
            let head =
                if *k == 0 { text_width("单位") } else { h.chars().take(*k).map(char_width).sum::<f64>() + PAD };
            let cells = unit_rows.iter().chain([&total]).filter_map(|r| r.get(c));
            cells.map(|c| c.widths().0).fold(head, f64::max).clamp(MIN_COL, MAX_COL)
        })
        .collect();
    let last_col = col_num(headers.len().saturating_sub(1));

    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[0])?;
    write_title(ws, ctx, &ctx.title, last_col)?;
    write_header(ws, ctx, 1, &header_refs, &widths)?;
    let header_lines = header_refs.iter().zip(&widths).map(|(h, w)| line_count(h, *w)).max().unwrap_or(1);
    let mut table_pt = TITLE_ROW_PT + lines_height(header_lines);
    let mut links = Links::new();
    let mut row = 2;
    let rows = unit_rows.iter().map(|r| (r, &ctx.f.body)).chain([(&total, &ctx.f.total)]);
    for (cells, body) in rows {
        write_cells(ws, ctx, body, &mut links, row, cells)?;
        let height = row_height(cells, &widths, &[]).max(SUMMARY_ROW_PT);
        ws.set_row_height(row, height)?;
        table_pt += height;
        row += 1;
    }
    let total_at = row - 1;
    highlight_summary(ws, &ctx.f, total_at)?;
    set_widths(ws, &widths)?;
    page_setup(ws, 1)?;

    // What one printed page holds, in the sheet's points: the table is scaled to the width.
    let table_px: f64 = widths.iter().map(|w| col_px(*w)).sum();
    let page_pt = PAGE_HEIGHT_PT / (PAGE_WIDTH_PX / table_px).min(1.0);
    let sign_pt = DEFAULT_ROW_PT + 2.0 * SIGN_ROW_PT;
    let mut sign_at = total_at + 2;
    if !report.units.is_empty() {
        let chart_at = total_at + 2;
        let room = page_pt - table_pt - DEFAULT_ROW_PT - sign_pt - PAGE_SLACK_PT;
        let chart_pt = if room >= MIN_CHART_PT {
            room.min(MAX_CHART_PT)
        } else {
            // A page of its own, under the repeated title and header.
            ws.set_page_breaks(&[chart_at])?;
            let repeated = TITLE_ROW_PT + lines_height(header_lines);
            (page_pt - repeated - sign_pt - PAGE_SLACK_PT).clamp(MIN_CHART_PT, MAX_CHART_PT * 1.5)
        };
        // The chart covers whole rows of the default height, so the 落款 lands under it.
        let chart_rows = (chart_pt / DEFAULT_ROW_PT).floor() as u32;
        let chart = summary_chart(total_at.saturating_sub(1), table_px as u32, chart_rows * DEFAULT_ROW_PX);
        ws.insert_chart(chart_at, 0, &chart)?;
        sign_at = chart_at + chart_rows + 1;
    }

    write_sign(ws, ctx, sign_at, &widths, &report.config.organiser, report.period.last_day())
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

/// Quota against valid points and demo sites per unit (rows 3..=`last_unit_row` of 汇总),
/// `width` × `height` pixels: each quota in a light shade, the valid count in the dark shade
/// of the same colour beside it, with the figures on the columns.
fn summary_chart(last_unit_row: u32, width: u32, height: u32) -> Chart {
    let font = |size: f64, name: &str| ChartFont::new().set_name(name).set_size(size).clone();
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name("各单位示范带点数与示范点完成情况").set_font(&font(14.0, "黑体"));
    let series = [
        (COL_QUOTA_POINTS, 0x9DC3E6),
        (COL_VALID_POINTS, 0x2E75B6),
        (COL_QUOTA_DEMO, 0xF8CBAD),
        (COL_VALID_DEMO, 0xC55A11),
    ];
    for (col, rgb) in series {
        let mut label = rust_xlsxwriter::ChartDataLabel::new();
        label.show_value().set_font(&font(10.0, "宋体"));
        chart
            .add_series()
            .set_name((SHEETS[0], 1, col))
            .set_categories((SHEETS[0], 2, 1, last_unit_row, 1))
            .set_values((SHEETS[0], 2, col, last_unit_row, col))
            .set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb))))
            .set_data_label(&label)
            .set_gap(60);
    }
    chart.x_axis().set_font(&font(11.0, "宋体"));
    chart
        .y_axis()
        .set_font(&font(11.0, "宋体"))
        .set_major_gridlines_line(ChartLine::new().set_color(Color::RGB(0xD9D9D9)));
    chart.legend().set_position(ChartLegendPosition::Bottom).set_font(&font(11.0, "宋体"));
    chart.set_width(width).set_height(height);
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
    /// The valid records of each organisation in each reporting unit, in report order.
    valid: HashMap<(usize, &'r str), Vec<&'r Record>>,
}

impl<'r> Lookup<'r> {
    fn new(report: &'r Report<'r>) -> Lookup<'r> {
        let mut valid: HashMap<(usize, &str), Vec<&Record>> = HashMap::default();
        for r in report.records.iter().filter(|r| r.valid) {
            if let Some(org) = r.m.org {
                valid.entry((org, r.raw.unit.as_str())).or_default().push(r);
            }
        }
        Lookup { records: report.records.iter().map(|r| (r.id, r)).collect(), valid }
    }

    fn record(&self, issue: &Issue) -> Option<&'r Record> {
        issue.record.and_then(|id| self.records.get(&id).copied())
    }
}

fn detail_rows<'r>(report: &'r Report<'_>, records: &'r [Record]) -> Vec<Vec<Cell<'r>>> {
    records
        .iter()
        .map(|r| {
            let org = report.org(r);
            let raw = &r.raw;
            vec![
                Cell::text(&raw.unit),
                Cell::text(&raw.raw_name),
                Cell::opt_text(org.map(|o| o.name.as_str())),
                Cell::opt_text(org.and_then(|o| o.code.as_deref())),
                Cell::tag(r.m.method.label()),
                if r.m.method == Method::None { Cell::Blank } else { Cell::Score(r.m.score) },
                Cell::text(r.m.rules.join("；")),
                Cell::yes_no(raw.demo),
                Cell::opt_count(raw.star.map(u32::from)),
                Cell::opt_count(raw.target_star.map(u32::from)),
                raw.venue.map_or(Cell::Blank, |v| Cell::tag(v.label())),
                Cell::opt_text(raw.responsible.as_deref()),
                raw.deadline.map_or(Cell::Blank, |d| Cell::tag(d.to_string())),
                Cell::opt_text(raw.contact_leader.as_deref()),
                raw.acceptance.map_or(Cell::Blank, |a| Cell::tag(a.label())),
                Cell::yes_no(r.valid),
                Cell::source(&raw.source),
            ]
        })
        .collect()
}

fn issue_rows(issues: &[Issue]) -> Vec<Vec<Cell<'_>>> {
    issues
        .iter()
        .map(|i| {
            let middle =
                [Cell::tag(i.severity().label()), Cell::text(i.code.label()), Cell::opt_text(i.org_name.as_deref())];
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

fn review_rows<'r>(report: &'r Report<'_>) -> Vec<Vec<Cell<'r>>> {
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
            row.extend([Cell::Choice(choices), Cell::source(&r.raw.source)]);
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
fn unmatched_rows<'r>(report: &'r Report<'_>, l: &'r Lookup<'_>) -> Vec<Vec<Cell<'r>>> {
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
                Cell::source(&r.raw.source),
            ]
        })
        .collect()
}

fn gap_rows(units: &[UnitSummary]) -> Vec<Vec<Cell<'_>>> {
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
fn issue_row<'r>(i: &'r Issue, with_org: bool, middle: impl IntoIterator<Item = Cell<'r>>) -> Vec<Cell<'r>> {
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

fn star_rows<'r>(report: &'r Report<'_>, l: &'r Lookup<'_>, issues: &[&'r Issue]) -> Vec<Vec<Cell<'r>>> {
    let rules = &report.config.rules;
    issues
        .iter()
        .map(|i| {
            let demo = i.code == IssueCode::DemoStarLow;
            let min = if demo { rules.min_star_demo } else { rules.min_star_point };
            let star = l.record(i).and_then(|r| r.raw.star).map(u32::from);
            let kind = if demo { "示范点" } else { "一般点" };
            issue_row(i, true, [Cell::tag(kind), Cell::opt_count(star), Cell::count(u32::from(min))])
        })
        .collect()
}

fn venue_rows<'r>(l: &'r Lookup<'_>, issues: &[&'r Issue]) -> Vec<Vec<Cell<'r>>> {
    issues
        .iter()
        .map(|i| {
            issue_row(i, true, [l.record(i).and_then(|r| r.raw.venue).map_or(Cell::Blank, |v| Cell::tag(v.label()))])
        })
        .collect()
}

/// The other occurrence of a duplicate (the unit's first, valid record of the organisation)
/// or of a cross-unit row (the owning unit's valid record, if it reported one).
fn other_occurrence<'r>(report: &'r Report<'_>, l: &Lookup<'r>, code: IssueCode, rec: &Record) -> Option<&'r Record> {
    let org = rec.m.org?;
    let unit = match code {
        IssueCode::CrossUnit => report.orgs.get(org)?.unit.as_str(),
        _ => rec.raw.unit.as_str(),
    };
    l.valid.get(&(org, unit))?.iter().copied().find(|r| r.id != rec.id)
}

fn duplicate_rows<'r>(report: &'r Report<'_>, l: &'r Lookup<'_>) -> Vec<Vec<Cell<'r>>> {
    let mut shown: BTreeSet<usize> = BTreeSet::new();
    let mut rows = Vec::new();
    for issue in issues_of(report, &[IssueCode::Duplicate, IssueCode::CrossUnit]) {
        let rec = l.record(issue);
        if let Some(other) = rec.and_then(|r| other_occurrence(report, l, issue.code, r))
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
                Cell::source(&other.raw.source),
            ]);
        }
        if rec.is_none_or(|r| shown.insert(r.id)) {
            rows.push(issue_row(issue, true, [Cell::text(issue.code.label())]));
        }
    }
    rows
}

fn missing_rows<'r>(report: &'r Report<'_>) -> Vec<Vec<Cell<'r>>> {
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

fn data_problem_rows<'r>(report: &'r Report<'_>) -> Vec<Vec<Cell<'r>>> {
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
            Cell::source(&r.source),
        ]
    });
    issues.chain(rejected).collect()
}

/// A before/after value of a change: a star number, demo site or not, or a venue.
fn change_value(kind: ChangeKind, v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => match kind {
            ChangeKind::StarUp | ChangeKind::StarDown => "未填".to_string(),
            ChangeKind::Added => "未列入".to_string(),
            ChangeKind::Removed => "未上报".to_string(),
            ChangeKind::DemoAdded | ChangeKind::DemoRemoved | ChangeKind::VenueChanged => DASH.to_string(),
        },
        Some(Value::Number(n)) => format!("{n}星"),
        Some(Value::Bool(demo)) => (if *demo { "示范点" } else { "一般点" }).to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other @ (Value::Array(_) | Value::Object(_))) => other.to_string(),
    }
}

/// 环比变化: one row per change against the previous period.
fn change_rows<'r>(report: &'r Report<'_>) -> Vec<Vec<Cell<'r>>> {
    let base = report.previous.and_then(Period::parse).map_or("上期".to_string(), |p| p.chinese());
    report
        .changes
        .iter()
        .map(|c| {
            let (before, after) = match c.kind {
                ChangeKind::Added => (change_value(c.kind, None), "在示范带".to_string()),
                ChangeKind::Removed => ("在示范带".to_string(), change_value(c.kind, None)),
                ChangeKind::StarUp
                | ChangeKind::StarDown
                | ChangeKind::DemoAdded
                | ChangeKind::DemoRemoved
                | ChangeKind::VenueChanged => {
                    (change_value(c.kind, c.before.as_ref()), change_value(c.kind, c.after.as_ref()))
                }
            };
            let note = match c.kind {
                ChangeKind::Added => format!("{base}不在示范带上，本期新列入"),
                ChangeKind::Removed => format!("{base}在示范带上，本期未上报该点"),
                ChangeKind::StarUp
                | ChangeKind::StarDown
                | ChangeKind::DemoAdded
                | ChangeKind::DemoRemoved
                | ChangeKind::VenueChanged => format!("由{before}变为{after}"),
            };
            vec![
                Cell::text(&c.unit),
                Cell::text(&c.org.name),
                Cell::tag(c.kind.label()),
                Cell::tag(before),
                Cell::tag(after),
                Cell::text(note),
            ]
        })
        .collect()
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

/// The 说明 sheet: a key/value layout over five columns, values merged across B:E, with the
/// table of input files in the middle. Widths and heights are set at the end, once every
/// text is known.
struct Notes<'w> {
    ws: &'w mut Worksheet,
    row: u32,
    /// The width the keys need in column A.
    key_width: f64,
    /// The rows of the input-file table.
    table: Vec<(u32, Vec<Cell<'w>>)>,
    /// Merged texts: across B:E, or across A:E when `true`.
    long: Vec<(u32, String, bool)>,
}

impl<'w> Notes<'w> {
    const LAST: u16 = 4;

    fn kv(&mut self, ctx: &Ctx, key: &str, value: &str) -> Result<(), XlsxError> {
        super::write_text(self.ws, (self.row, 0), clip(key), Some(&ctx.f.body.text), &ctx.f.body.text)?;
        merged(self.ws, self.row, 1, Self::LAST, value, &ctx.f.body.text)?;
        self.key_width = self.key_width.max(text_width(key));
        self.long.push((self.row, value.to_string(), false));
        self.row += 1;
        Ok(())
    }

    fn kv_number(&mut self, ctx: &Ctx, key: &str, n: usize) -> Result<(), XlsxError> {
        self.kv(ctx, key, "")?;
        // Left-aligned like the texts of the column.
        self.ws.write_number_with_format(self.row - 1, 1, n as f64, &ctx.f.body.text)?;
        Ok(())
    }

    fn section(&mut self, ctx: &Ctx, heading: &str) -> Result<(), XlsxError> {
        self.row += 1;
        merged(self.ws, self.row, 0, Self::LAST, heading, &ctx.f.header)?;
        self.ws.set_row_height(self.row, lines_height(1))?;
        self.row += 1;
        Ok(())
    }

    fn paragraph(&mut self, ctx: &Ctx, text: &str) -> Result<(), XlsxError> {
        merged(self.ws, self.row, 0, Self::LAST, text, &ctx.f.body.text)?;
        self.long.push((self.row, text.to_string(), true));
        self.row += 1;
        Ok(())
    }

    fn table(&mut self, ctx: &Ctx, rows: Vec<Vec<Cell<'w>>>) -> Result<(), XlsxError> {
        let mut links = Links::new();
        for cells in rows {
            write_cells(self.ws, ctx, &ctx.f.body, &mut links, self.row, &cells)?;
            self.table.push((self.row, cells));
            self.row += 1;
        }
        Ok(())
    }

    /// Column widths, then the heights of the rows whose text wraps.
    fn finish(self) -> Result<(), XlsxError> {
        let rows: Vec<Vec<Cell>> = self.table.iter().map(|(_, cells)| cells.clone()).collect();
        let mut widths = fit_columns(&FILE_HEADERS, &rows, LIST_WIDTH_PX);
        if let Some(w) = widths.first_mut() {
            *w = w.max(self.key_width).min(MAX_COL);
        }
        set_widths(self.ws, &widths)?;
        for (row, cells) in &self.table {
            self.ws.set_row_height(*row, row_height(cells, &widths, &[]))?;
        }
        for (row, text, whole) in &self.long {
            // A merged area is as wide as its columns and the padding between them.
            let cols: Vec<f64> = widths.iter().skip(usize::from(!*whole)).copied().collect();
            let span = cols.iter().sum::<f64>() + (cols.len().saturating_sub(1) as f64) * 5.0 / 7.0;
            self.ws.set_row_height(*row, lines_height(line_count(text, span)))?;
        }
        Ok(())
    }
}

fn file_rows(files: &[FileEntry]) -> Vec<Vec<Cell<'_>>> {
    let mut rows = Vec::new();
    for f in files {
        rows.push(vec![
            Cell::text(&f.rel),
            Cell::tag(f.status.label()),
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
                        s.record_count(),
                        s.skipped(),
                        s.rejected.len()
                    ),
                ),
                SheetStatus::Skipped(why) => ("已跳过", format!("{why}（非空行{}）", s.rows_nonblank)),
            };
            rows.push(vec![Cell::text(name), Cell::tag(status), Cell::Blank, Cell::Blank, Cell::text(note)]);
        }
    }
    rows
}

fn notes_sheet(wb: &mut Workbook, ctx: &Ctx, report: &Report<'_>) -> Result<(), XlsxError> {
    let (config, f) = (report.config, &ctx.f);
    let ws = wb.add_worksheet();
    ws.set_name(SHEETS[12])?;
    write_title(ws, ctx, &format!("{}—{}", ctx.title, SHEETS[12]), Notes::LAST)?;
    ws.write_string_with_format(1, 0, "项目", &f.header)?;
    merged(ws, 1, 1, Notes::LAST, "内容", &f.header)?;
    ws.set_row_height(1, lines_height(1))?;
    page_setup(ws, 1)?;
    let mut n = Notes { ws, row: 2, key_width: 0.0, table: Vec::new(), long: Vec::new() };

    let rules = &config.rules;
    let m = &config.matching;
    n.kv(ctx, "工作名称", &config.title)?;
    n.kv(ctx, "汇总期间", &report.period.chinese())?;
    n.kv(ctx, "发文单位", &config.organiser)?;
    n.kv(ctx, "每点最低星级", &format!("{}级", star_word(rules.min_star_point)))?;
    n.kv(ctx, "示范点最低星级", &format!("{}级", star_word(rules.min_star_demo)))?;
    n.kv(ctx, "场所要求适用类别", &rules.venue_kinds.join("、"))?;
    n.kv(ctx, "示范点须有联系领导", if rules.require_contact_leader { "是" } else { "否" })?;
    n.kv(ctx, "创建截止日期", &chinese_date(config.campaign_deadline))?;
    n.kv(ctx, "自动匹配线", &format!("{:.2}（相似度达到此值且领先明显时自动匹配）", m.accept))?;
    n.kv(ctx, "待核实下限", &format!("{:.2}（相似度在此值与自动匹配线之间的列入待核实）", m.review))?;
    n.kv(ctx, "领先幅度", &format!("{:.2}（自动匹配须领先第二候选的幅度）", m.lead))?;

    n.section(ctx, "输入文件")?;
    for (c, h) in FILE_HEADERS.iter().enumerate() {
        n.ws.write_string_with_format(n.row, col_num(c), *h, &f.header)?;
    }
    n.ws.set_row_height(n.row, lines_height(1))?;
    n.row += 1;
    let files = file_rows(report.files);
    if files.is_empty() {
        merged(n.ws, n.row, 0, Notes::LAST, EMPTY, &f.body.text)?;
        n.row += 1;
    }
    n.table(ctx, files)?;

    let a = &report.accounting;
    n.section(ctx, "行数核对")?;
    n.kv_number(ctx, "非空行", a.rows_nonblank)?;
    n.kv_number(ctx, "记录", a.records)?;
    n.kv_number(ctx, "跳过", a.skipped)?;
    for (why, count) in &a.skipped_by_reason {
        n.kv_number(ctx, &format!("　其中：{why}"), *count)?;
    }
    n.kv_number(ctx, "拒收", a.rejected)?;
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
    n.kv(ctx, "核对结果", &verdict)?;

    n.section(ctx, "如何阅读本表")?;
    for p in READING_GUIDE {
        n.paragraph(ctx, p)?;
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
    use std::borrow::Cow;
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
    use rust_xlsxwriter::Workbook;

    use super::{
        CHUNK_ROWS, Cell, Ctx, EMPTY, Formats, Formatting, LINKED_ROWS, Links, ListRows, MAX_CELL_CHARS, NARROW, PAD,
        SHEETS, STREAM_ROWS, Table, build_summary, char_width, clip, clip_owned, col_px, fit_columns, is_wide,
        line_count, lines_height, lines_widths, list_sheet, min_text_width, numbered, one_line_widths, pieces,
        row_height, sheet_xml, source_url, table_widths, text_width, text_widths, workbook_bytes, write_rows,
        write_source,
    };
    use crate::config::Config;
    use crate::discover::{FileEntry, FileStatus};
    use crate::history::{Change, ChangeKind, OrgRef};
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

    /// A merged text that rust_xlsxwriter would take for rich text is kept as it is, merged
    /// or in one cell.
    #[test]
    fn merged_texts_that_look_like_rich_text_are_kept() {
        let f = super::Formats::new();
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        super::merged(ws, 0, 0, 3, "<r>x</r>", &f.note).expect("merged");
        super::merged(ws, 1, 2, 2, "<r>y</r>", &f.note).expect("one cell");
        let bytes = wb.save_to_buffer().expect("save");
        let mut xl: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("open");
        let range = xl.worksheet_range("Sheet1").expect("sheet");
        assert_eq!(range.get((0, 0)), Some(&Data::String("<r>x</r>".into())));
        assert_eq!(range.get((1, 2)), Some(&Data::String("<r>y</r>".into())));
        let merges = xl.merge_cells_by_sheet_name("Sheet1").expect("merges");
        assert_eq!(merges.len(), 1);
    }

    fn record(id: usize, unit: &str, name: &str, org: Option<usize>, row: u32, star: Option<u8>) -> Record {
        let method = if org.is_some() { Method::Exact } else { Method::None };
        Record {
            id,
            raw: Box::new(RawRecord {
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
            }),
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
            taken: 0,
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
            file("苏孟乡.xlsx", "苏孟乡", records[..3].iter().map(|r| (*r.raw).clone()).collect()),
            file("汤溪镇.xlsx", "汤溪镇", vec![(*records[3].raw).clone()]),
        ];
        let units = vec![
            unit("苏孟乡", true, Some(10), 2, 3, 0, 3, false),
            unit("汤溪镇", true, Some(15), 1, 5, 0, 1, false),
            unit("网络经济产业党委", true, None, 0, 8, 8, 0, true),
        ];
        Fixture { config: Config::defaults(Path::new(".")), orgs, records, units, issues, files }
    }

    fn bytes(fx: &Fixture) -> Vec<u8> {
        bytes_with_changes(fx, &[], None)
    }

    /// The fixture's report for 2015-10.
    fn report_of<'a>(fx: &'a Fixture, changes: &'a [Change], previous: Option<&'a str>) -> Report<'a> {
        Report {
            config: &fx.config,
            period: Period::new(2015, 10).expect("period"),
            files: &fx.files,
            orgs: &fx.orgs,
            records: &fx.records,
            units: &fx.units,
            issues: &fx.issues,
            accounting: Accounting::of(&fx.files),
            source_base: "../returns/2015-10/".to_string(),
            changes,
            previous,
        }
    }

    #[test]
    fn the_summary_is_saved_before_the_second_side_goes_on_to_its_own_work() {
        let fx = fixture();
        let report = report_of(&fx, &[], None);
        let events = std::sync::Mutex::new(Vec::new());
        let note = |what: &'static str| events.lock().expect("events").push(what);
        let (saved, (), ()) = super::build_workbook_with(
            &report,
            |summary| {
                note("save");
                summary.and_then(super::Summary::save_to_buffer)
            },
            || note("after 明细"),
            || note("after the other sheets"),
        )
        .expect("build");
        let events = events.into_inner().expect("events");
        assert_eq!(events.len(), 3, "{events:?}");
        // The side that finished its sheets second saved first, then did its own work.
        assert_ne!(events.last(), Some(&"save"), "{events:?}");
        let xl = open(saved.expect("saved"));
        assert_eq!(xl.sheet_names().len(), SHEETS.len());
    }

    fn bytes_with_changes(fx: &Fixture, changes: &[Change], previous: Option<&str>) -> Vec<u8> {
        workbook_bytes(&report_of(fx, changes, previous)).expect("workbook")
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
        // The 落款 closes the page, under the chart: organiser, and the date under it.
        let organiser = (total + 1..r.height() as u32)
            .flat_map(|row| (0..21).map(move |col| (row, col)))
            .find(|&(row, col)| at(&r, row, col) == Data::String("金华经济技术开发区".into()))
            .expect("落款");
        assert!(organiser.0 > total + 10, "under the chart: {organiser:?}");
        assert_eq!(at(&r, organiser.0 + 1, organiser.1), Data::String("2015年10月31日".into()));
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
    fn changes_against_the_previous_period_are_listed_with_before_and_after() {
        let fx = fixture();
        let org = |name: &str| OrgRef { code: None, name: name.into(), unit: "苏孟乡".into() };
        let change = |kind, name: &str, before: Option<serde_json::Value>, after: Option<serde_json::Value>| Change {
            kind,
            unit: "苏孟乡".into(),
            org: org(name),
            before,
            after,
        };
        let changes = [
            change(ChangeKind::StarDown, "后村党支部", Some(4.into()), Some(3.into())),
            change(ChangeKind::DemoAdded, "前村党支部", Some(false.into()), Some(true.into())),
            change(ChangeKind::Added, "新村党支部", None, None),
            change(ChangeKind::VenueChanged, "上村党支部", Some("达标".into()), Some("无".into())),
        ];
        let mut xl = open(bytes_with_changes(&fx, &changes, Some("2015-09")));
        let r = range(&mut xl, "环比变化");
        let row = |i: u32| (1..7).map(|c| at(&r, 2 + i, c).to_string()).collect::<Vec<_>>();
        assert_eq!(row(0), ["苏孟乡", "后村党支部", "星级下降", "4星", "3星", "由4星变为3星"]);
        assert_eq!(row(1)[3..5], ["一般点", "示范点"]);
        assert_eq!(row(2)[3..6], ["未列入", "在示范带", "2015年9月不在示范带上，本期新列入"]);
        assert_eq!(row(3)[3..5], ["达标", "无"]);
        let mut xl = open(bytes_with_changes(&fx, &[], Some("2015-09")));
        let r = range(&mut xl, "环比变化");
        assert_eq!(at(&r, 2, 0), Data::String("与上期（2015年9月）相比没有变化".into()));
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
    fn the_longest_lists_written_as_xml_are_the_lists_rust_xlsxwriter_writes() {
        // More records and issues than a list with links may have, so 明细 and 问题清单 are
        // written as XML; among the names, what XML and Excel escape, blank and padded
        // texts, and names long enough to wrap.
        let mut fx = fixture();
        let names = ["前村", "a<b>&c", "_x0041_前村", " 前后有空格 ", "控制\u{1}字符\r", "", &"很长的名称".repeat(20)];
        for i in 0..LINKED_ROWS + 5 {
            let name = &names[i % names.len()];
            let org = (i % 4 < 3).then_some(i % 4);
            let record = record(100 + i, "苏孟乡", name, org, 10 + i as u32, Some((i % 5) as u8 + 1));
            let issue = Issue::new(
                IssueCode::Unmatched,
                Some("苏孟乡"),
                Some(record.raw.source.clone()),
                format!("“{name}”在名册中未找到"),
            );
            fx.records.push(record);
            fx.issues.push(issue);
        }
        let report = report_of(&fx, &[], None);
        let build = |as_xml| build_summary(&report, |s| s, || (), || (), as_xml).expect("build").0.expect("build");
        let summary = build(true);
        let names: Vec<&str> = summary.parts.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["明细", "问题清单"]);
        let as_xml = crate::report::package_parts(&summary.save_to_buffer().expect("save"));
        let reference = crate::report::package_parts(&build(false).save_to_buffer().expect("save"));
        let part_names = |p: &[(String, String, Vec<u8>)]| p.iter().map(|(n, _, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(part_names(&as_xml), part_names(&reference));
        for ((name, _, ours), (_, _, theirs)) in as_xml.iter().zip(&reference) {
            let (ours, theirs) = (String::from_utf8_lossy(ours), String::from_utf8_lossy(theirs));
            // rust_xlsxwriter writes a streamed sheet's last row twice when it is taller than
            // one line: the one difference there may be.
            let theirs = match theirs.find("</sheetData>") {
                Some(at) => {
                    format!("{}{}", sheet_xml::without_repeated_last_row(theirs[..at].to_string()), &theirs[at..])
                }
                None => theirs.into_owned(),
            };
            assert!(ours == theirs, "{name} differs");
        }
    }

    #[test]
    fn texts_are_cut_at_excels_limit_in_characters() {
        let chars = |s: &str| s.chars().count();
        // Three bytes a character: longer than the limit in bytes, not in characters.
        let full = "汤".repeat(MAX_CELL_CHARS);
        assert_eq!(clip(&full), full);
        assert_eq!(clip_owned(full.clone()), full);
        let over = "汤".repeat(MAX_CELL_CHARS + 1);
        assert_eq!(chars(clip(&over)), MAX_CELL_CHARS);
        assert_eq!(chars(&clip_owned(over)), MAX_CELL_CHARS);
        let ascii = "a".repeat(40_000);
        assert_eq!(clip(&ascii).len(), MAX_CELL_CHARS);
        assert_eq!(clip("前村"), "前村");
    }

    #[test]
    fn two_writes_are_byte_identical() {
        let fx = fixture();
        assert_eq!(bytes(&fx), bytes(&fx));
    }

    #[test]
    fn long_lists_continue_on_numbered_sheets() {
        let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: None, xf: None };
        let mut wb = Workbook::new();
        let rows: Vec<Vec<Cell>> = (0..5).map(|i| vec![Cell::text(format!("第{i}行"))]).collect();
        let rows = ListRows::Built(Box::new(move || rows.clone()));
        let sheets =
            list_sheet(&std::sync::Mutex::new(&mut wb), &ctx, "明细", &["名称"], rows, EMPTY, 2).expect("write");
        for (ws, _) in sheets {
            wb.push_worksheet(ws);
        }
        let mut xl = open(wb.save_to_buffer().expect("save"));
        assert_eq!(xl.sheet_names(), vec!["明细", "明细（续1）", "明细（续2）"]);
        let r = range(&mut xl, "明细（续2）");
        assert_eq!(num(&at(&r, 2, 0)), 5.0, "numbering continues");
    }

    #[test]
    fn a_list_built_in_chunks_is_the_list_built_whole() {
        // Past one chunk of rows and past the constant-memory threshold, with a text that
        // only appears late (it must still widen its column).
        let n = CHUNK_ROWS * 2 + 17;
        let row = |i: usize| {
            let name = if i == n - 1 {
                "最后一行的名称特别长，列宽应按它计算".to_string()
            } else {
                format!("第{i}行")
            };
            vec![Cell::text(name), Cell::Number(i as f64)]
        };
        let save = |rows: ListRows<'_>| {
            let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: None, xf: None };
            let mut wb = Workbook::new();
            let sheets = list_sheet(&std::sync::Mutex::new(&mut wb), &ctx, "明细", &["名称", "数"], rows, EMPTY, n)
                .expect("write");
            for (ws, _) in sheets {
                wb.push_worksheet(ws);
            }
            wb.save_to_buffer().expect("save")
        };
        let whole = save(ListRows::Built(Box::new(move || (0..n).map(row).collect())));
        let chunked = save(ListRows::Ranged(n, Box::new(move |r| r.map(row).collect())));
        // The sheets, not the files: a workbook without properties carries the time it was
        // saved.
        assert_eq!(sheet_xml(&whole, 1), sheet_xml(&chunked, 1));
        let mut xl = open(chunked);
        let r = range(&mut xl, "明细");
        assert_eq!(num(&at(&r, 2 + CHUNK_ROWS as u32, 0)), (CHUNK_ROWS + 1) as f64, "numbering runs across chunks");
        assert_eq!(at(&r, 1 + n as u32, 1), Data::String("最后一行的名称特别长，列宽应按它计算".into()));
    }

    #[test]
    fn width_counts_chinese_characters_double() {
        assert!((text_width("苏孟乡") - 7.3).abs() < 1e-9);
        assert!((text_width("B7") - 3.2).abs() < 1e-9);
        assert!((text_width("第一行\n长的第二行") - 11.5).abs() < 1e-9);
    }

    #[test]
    fn both_widths_in_one_pass_are_those_of_the_lines_and_pieces() {
        for text in [
            "",
            "苏孟乡",
            "汤溪镇.xlsx!10月!B7",
            "第一行\n长的第二行 with words",
            "330702209200 号\r\n下一行",
            " 前后有空格 ",
            "a\n\nbb",
        ] {
            let natural = text.lines().map(|l| l.chars().map(char_width).sum::<f64>()).fold(0.0, f64::max) + PAD;
            let least = text.lines().flat_map(pieces).fold(0.0, f64::max) + PAD;
            let (w, l) = text_widths(text);
            assert!((w - natural).abs() < 1e-9 && (l - least).abs() < 1e-9, "{text:?}: {w} {l} vs {natural} {least}");
            assert!((text_width(text) - natural).abs() < 1e-9, "{text:?}");
        }
    }

    #[test]
    fn columns_found_one_line_get_the_heights_their_cells_would_have() {
        let long = "工作举措".repeat(40);
        let rows: Vec<Vec<Cell>> = (0..40)
            .map(|i| {
                vec![
                    Cell::text(format!("第{i}行")),
                    Cell::text(if i == 7 { "两\n行".to_string() } else { "一行".to_string() }),
                    Cell::text(if i % 3 == 0 { long.clone() } else { "短".to_string() }),
                    Cell::source(Box::leak(Box::new(Source::cell("汤溪镇.xlsx", Some("10月"), i + 4, 1)))),
                    Cell::Number(f64::from(i)),
                ]
            })
            .collect();
        let t = Table {
            name: "表",
            title: "标题",
            note: None,
            headers: &["名称", "备注", "举措", "来源", "数"],
            rows: &rows,
            empty: EMPTY,
            filter: true,
        };
        let (widths, one_line) = table_widths(&t, rows.len(), &|r| Cow::Borrowed(rows.get(r).unwrap_or(&[])));
        // Short texts, a line break, text wider than the widest column, addresses, figures.
        assert_eq!(one_line, [true, false, false, true, true]);
        for cells in &rows {
            assert_eq!(row_height(cells, &widths, &one_line), row_height(cells, &widths, &[]), "{cells:?}");
        }
        assert!(row_height(&rows[7], &widths, &one_line) > lines_height(1));
        assert!(row_height(&rows[0], &widths, &one_line) > lines_height(2));
    }

    #[test]
    fn a_line_measured_whole_is_measured_to_the_bit_as_line_by_line() {
        for text in [
            "",
            "苏孟乡",
            "汤溪镇.xlsx!10月!B7",
            " 前后有空格 ",
            "末尾回车\r",
            "中\r间",
            "①号 ★ — “引号”",
            "한글 カナ 𠀀",
        ] {
            assert_eq!(one_line_widths(text), Some(lines_widths(text)), "{text:?}");
        }
        assert_eq!(one_line_widths("两\n行"), None);
        // Every character, alone and between others: the first byte tells the width.
        let mut text = String::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32).filter(|c| *c != '\n') {
            text.clear();
            text.extend(['a', c, '中', c, ' ', c]);
            assert_eq!(one_line_widths(&text), Some(lines_widths(&text)), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn the_quick_tests_for_wide_characters_agree_with_the_ranges() {
        let by_ranges = |c: char| {
            matches!(c,
                '\u{2010}'..='\u{2027}' | '\u{2190}'..='\u{21FF}' | '\u{2460}'..='\u{24FF}' | '\u{2500}'..='\u{27BF}'
                | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}'
                | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}' | '\u{20000}'..='\u{3FFFD}')
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_wide(c), by_ranges(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn figures_are_measured_as_wide_as_their_text() {
        let mut cells: Vec<Cell> =
            [0.0, -0.0, 1.0, 9.0, 10.0, 99.0, 120.0, 168_000.0, -42.0, 999_999_999_999_999.0, 1e15]
                .into_iter()
                .map(Cell::Number)
                .collect();
        cells.extend([0.5, 2.25, -1.0, 1e20].map(Cell::Number));
        cells.extend([0.0, 0.004, 0.005, 0.876, 0.97, 0.999, 1.0, 9.97, 9.98, 9.996, 12.5].map(Cell::Score));
        for cell in &cells {
            // Exactly the width of the shown text, to the last bit: the pages are laid out from it.
            let (w, least) = cell.widths();
            assert_eq!((w, least), (text_width(&cell.shown()), text_width(&cell.shown())), "{cell:?}");
        }
        assert!(cells.iter().filter(|c| c.figure_chars().is_some()).count() >= 15);
    }

    #[test]
    fn wrapped_lines_break_between_chinese_characters_but_not_inside_a_number() {
        // Room for four Chinese characters.
        let width = 4.0 * 2.1 + 1.0;
        for (text, lines) in [
            ("苏孟乡", 1),
            ("上月有效示范点", 2),
            ("第一行\n第二行", 2),
            ("330702209200", 2),
            ("山背村党支部活动场所为“不达标”", 4),
            ("", 1),
        ] {
            assert_eq!(line_count(text, width), lines, "{text}");
        }
        assert!((min_text_width("汤溪镇.xlsx!10月!B7") - (8.0 * 1.1 + 1.0)).abs() < 1e-9, ".xlsx!10 stays together");
    }

    #[test]
    fn no_character_is_wider_than_its_bytes_allow() {
        // line_count takes a line of n bytes narrower than n narrow characters as fitting
        // without measuring it.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert!(char_width(c) <= NARROW * c.len_utf8() as f64, "{c:?}");
        }
    }

    #[test]
    fn long_columns_are_narrowed_to_fit_the_page_but_not_below_their_least_width() {
        let long = "很长的说明".repeat(20);
        let rows = vec![vec![Cell::text("苏孟乡"), Cell::text(&long), Cell::text(&long), Cell::Number(330702209200.0)]];
        let widths = fit_columns(&["单位", "说明", "备注", "编码"], &rows, 700.0);
        let px: f64 = widths.iter().map(|w| col_px(*w)).sum();
        assert!(px <= 700.0, "{widths:?}");
        assert!((widths[0] - 7.3).abs() < 1e-9, "short columns keep their width: {widths:?}");
        assert!((widths[1] - widths[2]).abs() < 1e-9, "long columns share the room: {widths:?}");
        assert!((widths[3] - (12.0 * 1.1 + 1.0)).abs() < 1e-9, "a number does not wrap: {widths:?}");
    }

    /// The sheet XML and its relationships, from the workbook's zip.
    fn sheet_xml(bytes: &[u8], n: usize) -> (String, String) {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("zip");
        let mut read = |name: String| {
            let mut s = String::new();
            if let Ok(mut f) = zip.by_name(&name) {
                std::io::Read::read_to_string(&mut f, &mut s).expect("read");
            }
            s
        };
        (read(format!("xl/worksheets/sheet{n}.xml")), read(format!("xl/worksheets/_rels/sheet{n}.xml.rels")))
    }

    #[test]
    fn sources_link_to_the_source_cell_by_relative_path_and_read_as_plain_text() {
        let bytes = bytes(&fixture());
        // 未匹配 is the fifth sheet; its one row comes from 苏孟乡.xlsx, sheet 10月, B5.
        let (xml, rels) = sheet_xml(&bytes, 5);
        assert!(xml.contains(r#"<hyperlink ref="G3" r:id="rId1" location="'10月'!B5"/>"#), "{xml}");
        assert!(rels.contains(r#"Target="../returns/2015-10/苏孟乡.xlsx" TargetMode="External""#), "{rels}");
        let mut xl = open(bytes);
        let r = range(&mut xl, "未匹配");
        assert_eq!(at(&r, 2, 6), Data::String("苏孟乡.xlsx!10月!B5".into()));
    }

    #[test]
    fn a_csv_source_links_to_the_file_and_a_path_a_link_cannot_carry_stays_text() {
        let csv = source_url("../returns/2015-10/", &Source::cell("洋埠镇.csv", None, 12, 2)).expect("link");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_url(0, 0, csv).expect("write");
        let (xml, rels) = sheet_xml(&wb.save_to_buffer().expect("save"), 1);
        assert!(xml.contains(r#"<hyperlink ref="A1" r:id="rId1"/>"#), "no location for a CSV: {xml}");
        assert!(rels.contains(r#"Target="../returns/2015-10/洋埠镇.csv""#), "{rels}");
        assert!(source_url("../returns/2015-10/", &Source::cell("第#1版.xlsx", Some("10月"), 3, 1)).is_none());
        assert!(source_url("../returns/2015-10/", &Source::cell("100%.xlsx", Some("10月"), 3, 1)).is_none());
        let quoted = source_url("", &Source::cell("a.xlsx", Some("it's"), 3, 1)).expect("link");
        let mut wb = Workbook::new();
        wb.add_worksheet().write_url(0, 0, quoted).expect("write");
        let (xml, _) = sheet_xml(&wb.save_to_buffer().expect("save"), 1);
        assert!(xml.contains(r#"location="'it''s'!B3""#), "{xml}");
    }

    #[test]
    fn links_stop_at_excels_limit_per_sheet_and_the_rest_is_plain_text() {
        assert_eq!(Links::new().0, 65_530);
        let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: Some("../r/".into()), xf: None };
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        // A sheet with two links left.
        let mut links = Links(2);
        for row in 0..3 {
            let source = Source::cell("a.xlsx", Some("S"), row + 1, 0);
            write_source(ws, &ctx, &ctx.f.body, &mut links, (row, 0), &source, &mut Formatting::Own).expect("write");
        }
        let bytes = wb.save_to_buffer().expect("save");
        let (xml, _) = sheet_xml(&bytes, 1);
        assert_eq!(xml.matches("<hyperlink ").count(), 2, "{xml}");
        assert!(!xml.contains(r#"<hyperlink ref="A3""#));
        let mut xl = open(bytes);
        let r = range(&mut xl, "Sheet1");
        assert_eq!(at(&r, 2, 0), Data::String("a.xlsx!S!A3".into()), "the third is plain text");
    }

    #[test]
    fn a_list_longer_than_ten_thousand_rows_has_no_links_at_all() {
        let links_in = |rows: usize| {
            let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: Some("../r/".into()), xf: None };
            let mut wb = Workbook::new();
            let make = ListRows::Ranged(
                rows,
                Box::new(|r| {
                    r.map(|i| vec![Cell::Source(Cow::Owned(Source::cell("a.xlsx", Some("S"), i as u32 + 1, 0)))])
                        .collect()
                }),
            );
            let sheets = list_sheet(&std::sync::Mutex::new(&mut wb), &ctx, "明细", &["来源"], make, EMPTY, 1_048_574)
                .expect("write");
            for (ws, _) in sheets {
                wb.push_worksheet(ws);
            }
            let (xml, _) = sheet_xml(&wb.save_to_buffer().expect("save"), 1);
            xml.matches("<hyperlink ").count()
        };
        assert_eq!(links_in(3), 3);
        assert_eq!(links_in(LINKED_ROWS), LINKED_ROWS);
        assert_eq!(links_in(LINKED_ROWS + 1), 0);
    }

    /// Each data cell's format number (its own, else its column's) in a sheet's XML, by
    /// (row, column) from 0.
    fn cell_styles(xml: &str) -> BTreeMap<(u32, u32), u32> {
        let col_re = regex::Regex::new(r#"<col min="(\d+)" max="(\d+)"[^>]*?style="(\d+)""#).expect("regex");
        let mut columns = BTreeMap::new();
        for c in col_re.captures_iter(xml) {
            let (min, max, style): (u32, u32, u32) =
                (c[1].parse().unwrap(), c[2].parse().unwrap(), c[3].parse().unwrap());
            for col in min..=max {
                columns.insert(col - 1, style);
            }
        }
        let cell_re = regex::Regex::new(r#"<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?"#).expect("regex");
        let mut cells = BTreeMap::new();
        for c in cell_re.captures_iter(&xml[xml.find("<sheetData").unwrap_or(0)..]) {
            let col = c[1].bytes().fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1) - 1;
            let row: u32 = c[2].parse::<u32>().unwrap() - 1;
            cells.insert((row, col), c.get(3).map_or(0, |s| s.as_str().parse().unwrap()));
        }
        // A cell left out takes its column's format.
        let rows: BTreeSet<u32> = cells.keys().map(|(r, _)| *r).collect();
        for row in rows {
            for (col, style) in &columns {
                cells.entry((row, *col)).or_insert(*style);
            }
        }
        cells
    }

    #[test]
    fn list_cells_keep_their_formats_when_written_bare() {
        // Runs of like cells broken every few rows: tags between blanks, numbers between
        // blanks and a text, and 来源 cells.
        let row = |i: usize| {
            vec![
                Cell::text(format!("第{i}行")),
                if i.is_multiple_of(3) { Cell::tag("是") } else { Cell::Blank },
                if i.is_multiple_of(5) {
                    Cell::Number(f64::NAN)
                } else if i.is_multiple_of(7) {
                    Cell::text("三星")
                } else {
                    Cell::Number(i as f64)
                },
                Cell::Percent(0.5),
                Cell::Score(0.9),
                Cell::Source(Cow::Owned(Source::cell("a.xlsx", Some("S"), i as u32 + 1, 1))),
            ]
        };
        let headers = ["名称", "是否", "星级", "完成率", "相似度", "来源"];
        let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: None, xf: None };
        let new_workbook = || {
            let mut wb = Workbook::new();
            for f in ctx.f.all() {
                wb.register_format(f);
            }
            wb
        };
        let list = |n: usize| {
            let mut wb = new_workbook();
            let make = ListRows::Ranged(n, Box::new(move |r| r.map(row).collect()));
            let sheets =
                list_sheet(&std::sync::Mutex::new(&mut wb), &ctx, "明细", &headers, make, EMPTY, n).expect("write");
            for (ws, _) in sheets {
                wb.push_worksheet(ws);
            }
            cell_styles(&sheet_xml(&wb.save_to_buffer().expect("save"), 1).0)
        };
        // Every cell given its format as it is written: the reference.
        let shown = 60;
        let mut wb = new_workbook();
        let ws = wb.add_worksheet();
        let rows = numbered((0..shown).map(row).collect());
        write_rows(ws, &ctx, 2, &rows, (&[20.0; 7], &[]), &mut Links(0), &mut Formatting::Own).expect("write");
        let own = cell_styles(&sheet_xml(&wb.save_to_buffer().expect("save"), 1).0);
        let data = |styles: &BTreeMap<(u32, u32), u32>| -> Vec<((u32, u32), u32)> {
            styles.iter().filter(|((r, _), _)| (2..2 + shown as u32).contains(r)).map(|(k, v)| (*k, *v)).collect()
        };
        assert_eq!(data(&own).len(), shown * 7, "every cell of the reference has a format");
        // In memory, formatted afterwards in runs; streamed, formatted by column.
        assert_eq!(data(&list(shown)), data(&own));
        let long = list(STREAM_ROWS + shown);
        assert_eq!(data(&long), data(&own));
        assert!(long.len() >= (STREAM_ROWS + shown) * 7);
    }

    #[test]
    fn one_line_rows_take_the_default_height_and_wrapped_rows_their_own() {
        let ctx = Ctx { f: Formats::new(), title: "标题".into(), source_base: None, xf: None };
        let long = "这一格的文字很长，".repeat(12);
        let rows = ListRows::Built(Box::new(move || {
            vec![vec![Cell::text("短")], vec![Cell::text(long.clone())], vec![Cell::text("也短")]]
        }));
        let mut wb = Workbook::new();
        let sheets =
            list_sheet(&std::sync::Mutex::new(&mut wb), &ctx, "明细", &["名称"], rows, EMPTY, 100).expect("write");
        for (ws, _) in sheets {
            wb.push_worksheet(ws);
        }
        let (xml, _) = sheet_xml(&wb.save_to_buffer().expect("save"), 1);
        let one = lines_height(1);
        assert!(xml.contains(&format!("<sheetFormatPr defaultRowHeight=\"{one}\" customHeight=\"1\"/>")), "{xml}");
        let height = |row: u32| -> f64 {
            let at = xml.find(&format!("<row r=\"{row}\"")).expect("row written");
            let tag = &xml[at..at + xml[at..].find('>').expect("tag end")];
            tag.split("ht=\"").nth(1).and_then(|h| h.split('"').next()).map_or(one, |h| h.parse().expect("height"))
        };
        // Title row 1, header row 2, then the three data rows.
        assert_eq!(height(3), one);
        assert!(height(4) >= lines_height(3), "the wrapped row is {} high", height(4));
        assert_eq!(height(5), one);
    }
}

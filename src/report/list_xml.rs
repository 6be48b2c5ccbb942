//! A correction list's package written directly: its two sheets, shared strings, workbook
//! and core properties as the XML rust_xlsxwriter writes for them, byte for byte, and its
//! other parts copied compressed from a list rust_xlsxwriter made in the same run.
//!
//! A province has 1,400 lists. Saving each through rust_xlsxwriter costs ~0.6 ms: two
//! threads started and joined to assemble the sheets, every cell stored in a map and
//! hashed into the string table, and eleven zip parts compressed, six of them the same in
//! every list (theme, styles, relationships, content types, application properties).
//! Here a list costs its own XML and five compressed parts.
//!
//! The sheet is described as rust_xlsxwriter would hold it after the calls that
//! `workbook::write_table` and `workbook::write_sign` make for a list: cells by row and
//! column with their format numbers, row heights, merged ranges, the filter. A list this
//! does not cover (no rows, more than 2,000, a drop-down, a text over Excel's limit or one
//! written as rich text, a title rust_xlsxwriter would escape) gives `None`, and the list is
//! made by rust_xlsxwriter instead. `tests` in [`super::unit_lists`] compare both ways part
//! by part.

use std::borrow::Cow;
use std::io::{Cursor, Write};

use rust_xlsxwriter::XlsxError;
use zip::{ZipArchive, ZipWriter};

use crate::HashMap;
use crate::report::push_uint;
use crate::report::sheet_xml::{copy_replacing, entry_options, push_escaped};
use crate::report::workbook::{
    Cell, Ctx, SIGN_ROW_PT, STREAM_ROWS, TITLE_ROW_PT, Table, XfIndices, ZIP_LEVEL, cell_format, clip, clip_owned,
    col_num, line_count, lines_height, row_height, sign_block, table_widths,
};

/// Excel's limit on a cell's text, in UTF-16 units (rust_xlsxwriter refuses longer).
const MAX_STRING_UTF16: usize = 32_767;

/// A cell's value as the sheet stores it.
enum Value<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A formatted empty cell.
    Blank,
}

/// One row: its height in pixels if it has one of its own, and its cells by column.
#[derive(Default)]
struct Row<'a> {
    height_px: Option<u32>,
    cells: Vec<(u16, Value<'a>, u32)>,
}

/// A sheet as rust_xlsxwriter holds it before saving.
pub(super) struct Sheet<'a> {
    name: &'a str,
    /// The first sheet is the one shown when the file opens.
    selected: bool,
    header_row: u32,
    last_col: u16,
    widths: Vec<f64>,
    rows: Vec<Row<'a>>,
    merges: Vec<(u32, u16, u32, u16)>,
    filter: Option<(u32, u32)>,
    /// A text rust_xlsxwriter would refuse, or one written as rich text (see
    /// [`super::write_text`]): such a list is left to rust_xlsxwriter.
    unsupported: bool,
}

/// A row height in points as rust_xlsxwriter stores it, in pixels.
fn px(pt: f64) -> u32 {
    (pt * 4.0 / 3.0).round() as u32
}

impl<'a> Sheet<'a> {
    fn row(&mut self, r: u32) -> Option<&mut Row<'a>> {
        let i = r as usize;
        if self.rows.len() <= i {
            self.rows.resize_with(i + 1, Row::default);
        }
        self.rows.get_mut(i)
    }

    /// A cell, as `write_string_with_format` and its kin store it (replacing what was there).
    /// An empty text is a formatted blank.
    fn put(&mut self, r: u32, c: u16, value: Value<'a>, xf: u32) {
        let value = match value {
            Value::Text(s) if s.is_empty() => Value::Blank,
            other => other,
        };
        if let Value::Text(s) = &value
            && (super::is_written_raw(s) || (s.len() > MAX_STRING_UTF16 && s.encode_utf16().count() > MAX_STRING_UTF16))
        {
            self.unsupported = true;
        }
        let Some(row) = self.row(r) else { return };
        match row.cells.binary_search_by_key(&c, |(col, _, _)| *col) {
            Ok(i) => {
                if let Some(cell) = row.cells.get_mut(i) {
                    *cell = (c, value, xf);
                }
            }
            Err(i) => row.cells.insert(i, (c, value, xf)),
        }
    }

    fn height(&mut self, r: u32, pt: f64) {
        if let Some(row) = self.row(r) {
            row.height_px = Some(px(pt));
        }
    }

    /// `workbook::merged`: the text in the first cell, formatted blanks in the rest, and the
    /// range merged when it spans more than one column.
    fn merged(&mut self, r: u32, first: u16, last: u16, text: &'a str, xf: u32) {
        self.put(r, first, Value::Text(Cow::Borrowed(clip(text))), xf);
        if last > first {
            for c in first + 1..=last {
                self.put(r, c, Value::Blank, xf);
            }
            self.merges.push((r, first, r, last));
        }
    }
}

/// Table `t` of a correction list laid out as `workbook::write_table` writes it into a new
/// sheet with formats numbered as `xf`, and, on the first sheet, the 落款 under it. Returns
/// the sheet, or `None` when the list is not one this module writes.
pub(super) fn table_sheet<'a>(
    ctx: &Ctx,
    xf: &XfIndices,
    t: &Table<'a>,
    selected: bool,
    sign: Option<(&'a str, &'a str)>,
) -> Option<Sheet<'a>> {
    let len = t.rows.len();
    // A list longer than STREAM_ROWS goes through rust_xlsxwriter's low-memory mode, whose
    // XML differs (texts inline).
    if len == 0 || len > STREAM_ROWS || t.headers.is_empty() {
        return None;
    }
    let rows = |r: std::ops::Range<usize>| Cow::Borrowed(t.rows.get(r).unwrap_or(&[]));
    let (widths, one_line) = table_widths(t, len, &rows);
    let last_col = col_num(t.headers.len() - 1);
    let mut sheet = Sheet {
        name: t.name,
        selected,
        header_row: 1,
        last_col,
        widths: Vec::new(),
        rows: Vec::with_capacity(len + 6),
        merges: Vec::new(),
        filter: None,
        unsupported: false,
    };
    // write_head
    sheet.merged(0, 0, last_col, t.title, xf.title);
    sheet.height(0, TITLE_ROW_PT);
    if let Some(note) = t.note {
        sheet.merged(1, 0, last_col, note, xf.note);
        sheet.height(1, lines_height(1));
        sheet.header_row = 2;
    }
    let header_row = sheet.header_row;
    for (c, h) in t.headers.iter().enumerate() {
        sheet.put(header_row, col_num(c), Value::Text(Cow::Borrowed(h)), xf.header);
    }
    let lines = t.headers.iter().zip(&widths).map(|(h, w)| line_count(h, *w)).max().unwrap_or(1);
    sheet.height(header_row, lines_height(lines));
    // The rows, each cell with its format (Formatting::Runs gives every cell of the rows
    // its own at the end, empty ones included).
    let body = &ctx.f.body;
    let first = header_row + 1;
    let mut r = first;
    for cells in t.rows {
        for (c, cell) in cells.iter().enumerate() {
            let n = xf.of(body, cell_format(body, cell));
            let value = match cell {
                Cell::Text(s) | Cell::Tag(s) => Value::Text(Cow::Borrowed(clip(s))),
                Cell::Number(x) | Cell::Percent(x) | Cell::Score(x) if x.is_finite() => Value::Number(*x),
                // No links in a list: 来源 is plain text.
                Cell::Source(s) => Value::Text(Cow::Owned(clip_owned(s.display()))),
                Cell::Choice(_) => return None,
                Cell::Number(_) | Cell::Percent(_) | Cell::Score(_) | Cell::Blank => Value::Blank,
            };
            sheet.put(r, col_num(c), value, n);
        }
        let height = row_height(cells, &widths, &one_line);
        if height != lines_height(1) {
            sheet.height(r, height);
        }
        r += 1;
    }
    let end = r;
    // write_tail
    if t.filter {
        sheet.filter = Some((header_row, end - 1));
    }
    if let Some((organiser, date)) = sign {
        let (first_col, right) = sign_block(&widths, organiser);
        let n = if right { xf.sign_right } else { xf.sign };
        sheet.merged(end + 1, first_col, last_col, organiser, n);
        sheet.merged(end + 2, first_col, last_col, date, n);
        sheet.height(end + 1, SIGN_ROW_PT);
        sheet.height(end + 2, SIGN_ROW_PT);
    }
    sheet.widths = widths;
    (!sheet.unsupported).then_some(sheet)
}

/// The shared strings of a workbook, numbered in the order rust_xlsxwriter numbers them when
/// saving: sheet by sheet, row by row, cell by cell.
#[derive(Default)]
struct Strings<'a> {
    ids: HashMap<&'a str, u32>,
    order: Vec<&'a str>,
    count: u32,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        self.count += 1;
        let next = u32::try_from(self.order.len()).unwrap_or(u32::MAX);
        *self.ids.entry(s).or_insert_with(|| {
            self.order.push(s);
            next
        })
    }

    fn xml(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.order.iter().map(|s| s.len() + 16).sum::<usize>() + 256);
        out.extend_from_slice(DECLARATION);
        out.extend_from_slice(b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"");
        push_uint(&mut out, self.count.into());
        out.extend_from_slice(b"\" uniqueCount=\"");
        push_uint(&mut out, self.order.len() as u64);
        out.extend_from_slice(b"\">");
        for s in &self.order {
            if s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']) {
                out.extend_from_slice(b"<si><t xml:space=\"preserve\">");
            } else {
                out.extend_from_slice(b"<si><t>");
            }
            push_escaped(&mut out, s);
            out.extend_from_slice(b"</t></si>");
        }
        out.extend_from_slice(b"</sst>");
        out
    }
}

const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// A column's letters, then a row number from 1.
fn push_ref(out: &mut Vec<u8>, col: u16, row: u32) {
    out.extend_from_slice(crate::model::column_letter_bytes(u32::from(col), &mut [0; 8]));
    push_uint(out, u64::from(row) + 1);
}

fn push_range(out: &mut Vec<u8>, (r1, c1, r2, c2): (u32, u16, u32, u16)) {
    push_ref(out, c1, r1);
    out.push(b':');
    push_ref(out, c2, r2);
}

/// `f64`'s `Display`, as rust_xlsxwriter formats heights and widths.
fn push_display(out: &mut Vec<u8>, x: f64) {
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{x}");
}

impl Sheet<'_> {
    /// The worksheet XML, its texts numbered in `strings`.
    fn xml<'s>(&'s self, strings: &mut Strings<'s>) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.rows.len() * 400 + 2048);
        out.extend_from_slice(DECLARATION);
        out.extend_from_slice(
            b"<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
              xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
              <sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr><dimension ref=\"",
        );
        let last_row = u32::try_from(self.rows.len().saturating_sub(1)).unwrap_or(u32::MAX);
        push_range(&mut out, (0, 0, last_row, self.last_col));
        out.extend_from_slice(b"\"/><sheetViews><sheetView ");
        if self.selected {
            out.extend_from_slice(b"tabSelected=\"1\" ");
        }
        out.extend_from_slice(b"workbookViewId=\"0\"><pane ySplit=\"");
        push_uint(&mut out, u64::from(self.header_row) + 1);
        out.extend_from_slice(b"\" topLeftCell=\"");
        push_ref(&mut out, 0, self.header_row + 1);
        out.extend_from_slice(
            b"\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\"/></sheetView></sheetViews>\
              <sheetFormatPr defaultRowHeight=\"",
        );
        let default_px = px(lines_height(1));
        push_display(&mut out, f64::from(default_px) * 0.75);
        out.extend_from_slice(b"\" customHeight=\"1\"/>");
        self.push_cols(&mut out);
        out.extend_from_slice(b"<sheetData>");
        // The columns each block of 16 rows spans.
        let spans: Vec<Option<(u16, u16)>> = self
            .rows
            .chunks(16)
            .map(|block| {
                let cols = block.iter().flat_map(|r| r.cells.iter().map(|(c, _, _)| *c));
                cols.fold(None, |acc, c| Some(acc.map_or((c, c), |(lo, hi): (u16, u16)| (lo.min(c), hi.max(c)))))
            })
            .collect();
        for (i, row) in self.rows.iter().enumerate() {
            if row.cells.is_empty() && row.height_px.is_none() {
                continue;
            }
            let r = u32::try_from(i).unwrap_or(u32::MAX);
            out.extend_from_slice(b"<row r=\"");
            push_uint(&mut out, u64::from(r) + 1);
            out.push(b'"');
            if let Some(Some((lo, hi))) = spans.get(i / 16) {
                out.extend_from_slice(b" spans=\"");
                push_uint(&mut out, u64::from(*lo) + 1);
                out.push(b':');
                push_uint(&mut out, u64::from(*hi) + 1);
                out.push(b'"');
            }
            // The sheet's default height differs from Excel's, so every row states its own.
            out.extend_from_slice(b" ht=\"");
            push_display(&mut out, f64::from(row.height_px.unwrap_or(default_px)) * 0.75);
            out.extend_from_slice(b"\" customHeight=\"1\"");
            if row.cells.is_empty() {
                out.extend_from_slice(b"/>");
                continue;
            }
            out.push(b'>');
            for (c, value, xf) in &row.cells {
                if matches!(value, Value::Blank) && *xf == 0 {
                    continue;
                }
                out.extend_from_slice(b"<c r=\"");
                push_ref(&mut out, *c, r);
                out.push(b'"');
                if *xf > 0 {
                    out.extend_from_slice(b" s=\"");
                    push_uint(&mut out, u64::from(*xf));
                    out.push(b'"');
                }
                match value {
                    Value::Text(s) => {
                        out.extend_from_slice(b" t=\"s\"><v>");
                        push_uint(&mut out, u64::from(strings.id(s)));
                        out.extend_from_slice(b"</v></c>");
                    }
                    Value::Number(x) => {
                        out.extend_from_slice(b"><v>");
                        out.extend_from_slice(zmij::Buffer::new().format_finite(*x).as_bytes());
                        out.extend_from_slice(b"</v></c>");
                    }
                    Value::Blank => out.extend_from_slice(b"/>"),
                }
            }
            out.extend_from_slice(b"</row>");
        }
        out.extend_from_slice(b"</sheetData>");
        if let Some((header, last)) = self.filter {
            out.extend_from_slice(b"<autoFilter ref=\"");
            push_range(&mut out, (header, 0, last, self.last_col));
            out.extend_from_slice(b"\"/>");
        }
        if !self.merges.is_empty() {
            out.extend_from_slice(b"<mergeCells count=\"");
            push_uint(&mut out, self.merges.len() as u64);
            out.extend_from_slice(b"\">");
            for m in &self.merges {
                out.extend_from_slice(b"<mergeCell ref=\"");
                push_range(&mut out, *m);
                out.extend_from_slice(b"\"/>");
            }
            out.extend_from_slice(b"</mergeCells>");
        }
        out.extend_from_slice(
            "<printOptions horizontalCentered=\"1\"/><pageMargins left=\"0.4\" right=\"0.4\" top=\"0.6\" \
             bottom=\"0.7\" header=\"0.3\" footer=\"0.3\"/><pageSetup paperSize=\"9\" fitToHeight=\"0\" \
             orientation=\"landscape\" horizontalDpi=\"200\" verticalDpi=\"200\"/><headerFooter><oddFooter>\
             &amp;C&amp;\"宋体,Regular\"&amp;10第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter></worksheet>"
                .as_bytes(),
        );
        out
    }

    /// `<cols>`: each column's width as rust_xlsxwriter stores it (whole pixels) and writes
    /// it back (in 1/256 of a digit), neighbours of the same width in one element.
    fn push_cols(&self, out: &mut Vec<u8>) {
        // rust_xlsxwriter's Calibri 11: a digit is 7 pixels, a cell pads 5; Excel's default
        // column is 64 pixels.
        let pixels: Vec<u32> = self
            .widths
            .iter()
            .map(|w| if *w < 1.0 { (w * 12.0).round() as u32 } else { (w * 7.0).round() as u32 + 5 }.min(1790))
            .collect();
        if pixels.is_empty() {
            return;
        }
        out.extend_from_slice(b"<cols>");
        let mut first = 0;
        for run in pixels.chunk_by(|a, b| a == b) {
            let Some(&p) = run.first() else { continue };
            out.extend_from_slice(b"<col min=\"");
            push_uint(out, first as u64 + 1);
            out.extend_from_slice(b"\" max=\"");
            push_uint(out, (first + run.len()) as u64);
            out.extend_from_slice(b"\" width=\"");
            push_display(out, f64::from(p * 256 / 7) / 256.0);
            out.push(b'"');
            if p != 64 {
                out.extend_from_slice(b" customWidth=\"1\"");
            }
            out.extend_from_slice(b"/>");
            first += run.len();
        }
        out.extend_from_slice(b"</cols>");
    }
}

/// What the lists written directly take from the first list of a run, which rust_xlsxwriter
/// made: its package, whose shared parts are copied, and its core properties cut where the
/// title goes (read once, not once a list).
pub struct Reference {
    bytes: Vec<u8>,
    core: Option<(String, String)>,
}

impl Reference {
    /// `bytes`: a correction list saved by rust_xlsxwriter. A package whose core properties
    /// cannot be read gives a reference the direct writer does not use.
    pub(super) fn new(bytes: Vec<u8>) -> Reference {
        let core = core_around_title(&bytes);
        Reference { bytes, core }
    }

    /// The reference list itself.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// The core properties of `package` before and after the title's text.
fn core_around_title(package: &[u8]) -> Option<(String, String)> {
    let mut zip = ZipArchive::new(Cursor::new(package)).ok()?;
    let mut core = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("docProps/core.xml").ok()?, &mut core).ok()?;
    let start = core.find("<dc:title>")? + "<dc:title>".len();
    let end = start + core.get(start..)?.find("</dc:title>")?;
    Some((core.get(..start)?.to_string(), core.get(end..)?.to_string()))
}

/// The package of a list: `reference`'s parts, with the sheets, shared strings, workbook and
/// core properties of `sheets` and `title`. `None` when the reference is not a list of the
/// same two sheets, or `title` is one rust_xlsxwriter would escape (it is made of the unit,
/// the period and the campaign).
///
/// # Errors
/// The zip crate's, writing into memory.
pub(super) fn package(
    reference: &Reference,
    sheets: &[Sheet<'_>; 2],
    title: &str,
) -> Result<Option<Vec<u8>>, XlsxError> {
    let [first, second] = sheets;
    let (Some((before, after)), Some(filter)) = (&reference.core, first.filter) else { return Ok(None) };
    if title.is_empty() || title.contains(['&', '<', '>']) || title.chars().any(|c| c < ' ') {
        return Ok(None);
    }
    let core = format!("{before}{title}{after}");
    let mut strings = Strings::default();
    let sheet1 = first.xml(&mut strings);
    let sheet2 = second.xml(&mut strings);
    let sst = strings.xml();
    let workbook = workbook_xml(first, second, filter);
    let parts: [(&str, &[u8]); 5] = [
        ("xl/workbook.xml", &workbook),
        ("xl/worksheets/sheet1.xml", &sheet1),
        ("xl/worksheets/sheet2.xml", &sheet2),
        ("xl/sharedStrings.xml", &sst),
        ("docProps/core.xml", core.as_bytes()),
    ];
    // A stream, as rust_xlsxwriter writes: sizes and checksums follow each part's data.
    let mut dst = ZipWriter::new_stream(Vec::with_capacity(reference.bytes.len() + sheet1.len() / 3));
    let replaced =
        copy_replacing(&reference.bytes, &mut dst, |name, dst| match parts.iter().find(|(n, _)| *n == name) {
            Some((n, xml)) => {
                dst.start_file(*n, entry_options(ZIP_LEVEL))?;
                dst.write_all(xml)?;
                Ok(true)
            }
            None => Ok(false),
        })?;
    if replaced != parts.len() {
        return Ok(None);
    }
    Ok(Some(dst.finish()?.into_inner()))
}

/// `xl/workbook.xml` of a list: the two sheets, the first one's filter, and both sheets'
/// header rows repeated on every printed page.
fn workbook_xml(first: &Sheet<'_>, second: &Sheet<'_>, (header, last): (u32, u32)) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(DECLARATION);
    out.extend_from_slice(
        b"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
          xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
          <fileVersion appName=\"xl\" lastEdited=\"4\" lowestEdited=\"4\" rupBuild=\"4505\"/>\
          <workbookPr defaultThemeVersion=\"124226\"/><bookViews><workbookView xWindow=\"240\" \
          yWindow=\"15\" windowWidth=\"16095\" windowHeight=\"9660\"/></bookViews><sheets><sheet name=\"",
    );
    push_escaped(&mut out, first.name);
    out.extend_from_slice(b"\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"");
    push_escaped(&mut out, second.name);
    out.extend_from_slice(
        b"\" sheetId=\"2\" r:id=\"rId2\"/></sheets><definedNames>\
          <definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">",
    );
    let abs = |out: &mut Vec<u8>, col: u16, row: u32| {
        out.push(b'$');
        out.extend_from_slice(crate::model::column_letter_bytes(u32::from(col), &mut [0; 8]));
        out.push(b'$');
        push_uint(out, u64::from(row) + 1);
    };
    push_escaped(&mut out, first.name);
    out.push(b'!');
    abs(&mut out, 0, header);
    out.push(b':');
    abs(&mut out, first.last_col, last);
    out.extend_from_slice(b"</definedName>");
    for (i, sheet) in [(1, second), (0, first)] {
        out.extend_from_slice(b"<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"");
        push_uint(&mut out, i);
        out.extend_from_slice(b"\">");
        push_escaped(&mut out, sheet.name);
        out.extend_from_slice(b"!$1:$");
        push_uint(&mut out, u64::from(sheet.header_row) + 1);
        out.extend_from_slice(b"</definedName>");
    }
    out.extend_from_slice(b"</definedNames><calcPr calcId=\"124519\" fullCalcOnLoad=\"1\"/></workbook>");
    out
}

//! The rows of the summary's longest sheets, written as sheet XML directly and compressed
//! as they are made, then spliced into the package rust_xlsxwriter saves.
//!
//! rust_xlsxwriter's constant-memory mode writes such a sheet's rows to a temporary file as
//! XML (at province scale, 270 MB: 明细 alone is 160 MB) and compresses that file again when
//! the workbook is saved, on one core. Here the rows go straight into a deflate stream of
//! their own while the other sheets are written, and saving only copies the compressed
//! bytes. Everything else about the sheet (title, header, widths, filter, page setup) is
//! still rust_xlsxwriter's: the sheet is made by it without its data rows, and the rows are
//! put where its XML holds them. The XML of a row is the XML rust_xlsxwriter writes for it in
//! constant-memory mode, byte for byte (`tests` in [`super::workbook`] compare the two).

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, BufWriter, Cursor, Read, Seek, Write};

use rust_xlsxwriter::XlsxError;
use zip::write::SimpleFileOptions;
use zip::{DateTime, ZipArchive, ZipWriter};

use crate::report::push_uint;

/// A cell as the sheet stores it, with its format number (0: none).
#[derive(Debug, Clone, Copy)]
pub(super) enum XmlCell<'a> {
    Text(&'a str, u32),
    Number(f64, u32),
    /// An empty cell that only carries its format.
    Blank(u32),
}

/// Sheet XML rows, collected a chunk at a time.
#[derive(Default)]
pub(super) struct Rows {
    buf: Vec<u8>,
    /// The cell reference being built ("AB123").
    cell_ref: Vec<u8>,
}

impl Rows {
    /// The XML made so far, to be written out (and cleared).
    pub(super) fn take(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// One `<row>`: `row` from 0, `height_px` its height in pixels, and its cells by column
    /// from 0. A row without cells is written only when `own_height` (rust_xlsxwriter
    /// writes a row it was given a height for, and leaves out one that has nothing).
    pub(super) fn row(&mut self, row: u32, height_px: u32, own_height: bool, cells: &[(u16, XmlCell<'_>)]) {
        if cells.is_empty() && !own_height {
            return;
        }
        let r = row.saturating_add(1);
        self.buf.extend_from_slice(b"<row r=\"");
        push_uint(&mut self.buf, r.into());
        // rust_xlsxwriter formats the height in points as f64's Display does (writing into a
        // Vec cannot fail).
        let ht = f64::from(height_px) * 0.75;
        let _ = write!(self.buf, "\" ht=\"{ht}\" customHeight=\"1\"");
        if cells.is_empty() {
            self.buf.extend_from_slice(b"/>");
            return;
        }
        self.buf.push(b'>');
        for (col, cell) in cells {
            self.cell_ref.clear();
            self.cell_ref.extend_from_slice(crate::model::column_letter_bytes(u32::from(*col), &mut [0; 8]));
            push_uint(&mut self.cell_ref, r.into());
            self.buf.extend_from_slice(b"<c r=\"");
            self.buf.extend_from_slice(&self.cell_ref);
            self.buf.push(b'"');
            let xf = match cell {
                XmlCell::Text(_, xf) | XmlCell::Number(_, xf) | XmlCell::Blank(xf) => *xf,
            };
            if xf > 0 {
                self.buf.extend_from_slice(b" s=\"");
                push_uint(&mut self.buf, xf.into());
                self.buf.push(b'"');
            }
            match cell {
                XmlCell::Number(n, _) => {
                    self.buf.extend_from_slice(b"><v>");
                    self.buf.extend_from_slice(zmij::Buffer::new().format_finite(*n).as_bytes());
                    self.buf.extend_from_slice(b"</v></c>");
                }
                XmlCell::Text(s, _) => {
                    self.buf.extend_from_slice(b" t=\"inlineStr\"><is><t");
                    if s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']) {
                        self.buf.extend_from_slice(b" xml:space=\"preserve\"");
                    }
                    self.buf.push(b'>');
                    push_escaped(&mut self.buf, s);
                    self.buf.extend_from_slice(b"</t></is></c>");
                }
                // rust_xlsxwriter leaves out a blank cell without a format.
                XmlCell::Blank(_) if xf == 0 => {}
                XmlCell::Blank(_) => self.buf.extend_from_slice(b"/>"),
            }
        }
        self.buf.extend_from_slice(b"</row>");
    }
}

/// Whether `s` holds anything rust_xlsxwriter escapes in cell text: `&`, `<`, `>`, a control
/// character other than tab and line feed, U+FFFE or U+FFFF, or an underscore (which may
/// start a literal `_xHHHH_`).
fn needs_escaping(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| {
        (c < 0x20 && c != b'\t' && c != b'\n')
            || matches!(c, b'&' | b'<' | b'>' | b'_')
            || (c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    })
}

/// Cell text as rust_xlsxwriter writes it: a literal `_xHHHH_` gets its underscore escaped
/// as `_x005F`, then XML's three and Excel's `_xHHHH_` for control characters.
pub(super) fn push_escaped(out: &mut Vec<u8>, s: &str) {
    if !needs_escaping(s) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    let s = escape_escapes(s);
    for ch in s.chars() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(ch as u8),
            '\x00'..='\x1F' | '\u{FFFE}' | '\u{FFFF}' => {
                out.extend_from_slice(format!("_x{:04X}_", u32::from(ch)).as_bytes());
            }
            _ => {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

/// `_xHHHH_` written literally becomes `_x005F_xHHHH_` (the length of `_xHHHH_` is 7).
fn escape_escapes(s: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut last = 0;
    for (i, _) in s.match_indices("_x") {
        let literal = i + 7 <= s.len()
            && s.is_char_boundary(i + 6)
            && s.get(i + 6..).is_some_and(|rest| rest.starts_with('_'))
            && s.get(i + 2..i + 6).is_some_and(|hex| hex.chars().all(|c| c.is_ascii_hexdigit()));
        if literal {
            out.push_str(s.get(last..i).unwrap_or_default());
            out.push_str("_x005F");
            last = i;
        }
    }
    // Every escape pushed at least "_x005F".
    if out.is_empty() {
        return Cow::Borrowed(s);
    }
    out.push_str(s.get(last..).unwrap_or_default());
    Cow::Owned(out)
}

/// The zip entry options rust_xlsxwriter writes its parts with, at `level`.
pub(super) fn entry_options(level: u8) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(i64::from(level)))
        .unix_permissions(0o600)
        .last_modified_time(DateTime::default())
        .large_file(false)
}

/// One sheet's XML being compressed, into a one-entry zip in a temporary file.
pub(super) struct Part {
    zip: ZipWriter<BufWriter<File>>,
}

/// A finished sheet: a one-entry zip, to be copied into the package as it is.
pub(super) struct FinishedPart(File);

impl Part {
    pub(super) fn new(level: u8) -> Result<Part, XlsxError> {
        let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, tempfile::tempfile()?));
        zip.start_file("sheet.xml", entry_options(level))?;
        Ok(Part { zip })
    }

    pub(super) fn write(&mut self, xml: &[u8]) -> Result<(), XlsxError> {
        self.zip.write_all(xml)?;
        Ok(())
    }

    pub(super) fn finish(self) -> Result<FinishedPart, XlsxError> {
        let file = self.zip.finish()?.into_inner().map_err(|e| XlsxError::IoError(e.into_error()))?;
        Ok(FinishedPart(file))
    }
}

/// A sheet's XML as rust_xlsxwriter wrote it without its data rows, cut where they go:
/// before `</sheetData>`, with the dimension stretched down to row `last_row` (from 1).
pub(super) fn around_rows(xml: &str, last_row: u32) -> Option<(String, String)> {
    let (before, after) = if let Some(at) = xml.find("</sheetData>") {
        (xml.get(..at)?.to_string(), xml.get(at..)?.to_string())
    } else {
        let at = xml.find("<sheetData/>")?;
        (format!("{}<sheetData>", xml.get(..at)?), format!("</sheetData>{}", xml.get(at + "<sheetData/>".len()..)?))
    };
    let before = without_repeated_last_row(before);
    // <dimension ref="A1:R3"/>: the rows under the header are not in it yet.
    let start = before.find("<dimension ref=\"")? + "<dimension ref=\"".len();
    let end = start + before.get(start..)?.find('"')?;
    let range = before.get(start..end)?;
    let (first, last) = range.split_once(':').unwrap_or((range, range));
    let last_col = last.trim_end_matches(|c: char| c.is_ascii_digit());
    let stretched = format!("{first}:{last_col}{last_row}");
    Some((format!("{}{stretched}{}", before.get(..start)?, before.get(end..)?), after))
}

/// `rows` without a last, empty `<row>` that repeats the one before it. rust_xlsxwriter
/// (0.102) writes one in constant-memory mode when its last row has a height of its own:
/// it flushes that row twice. Here that row is the header, and the list's rows follow it.
pub(super) fn without_repeated_last_row(mut rows: String) -> String {
    let r_of = |row: &str| row.strip_prefix("<row r=\"").and_then(|rest| rest.split('"').next()).map(str::to_string);
    if rows.ends_with("/>")
        && let Some(last) = rows.rfind("<row ")
        && let Some(previous) = rows.get(..last).and_then(|head| head.rfind("<row "))
        && rows.get(last..).is_some_and(|row| row.find('>') == Some(row.len() - 1))
        && r_of(rows.get(last..).unwrap_or_default()) == r_of(rows.get(previous..).unwrap_or_default())
    {
        rows.truncate(last);
    }
    rows
}

/// The XML of entry `name` of a zip package.
pub(super) fn entry_text(package: &[u8], name: &str) -> Result<String, XlsxError> {
    let mut zip = ZipArchive::new(Cursor::new(package))?;
    let mut text = String::new();
    zip.by_name(name)?.read_to_string(&mut text)?;
    Ok(text)
}

/// Writes `package` (rust_xlsxwriter's) to `out` with each entry named in `parts` replaced
/// by that part's, copied without being compressed again. Entries keep their order.
pub(super) fn splice<W: Write + Seek>(
    package: &[u8],
    parts: Vec<(String, FinishedPart)>,
    out: W,
) -> Result<W, XlsxError> {
    let mut parts = parts
        .into_iter()
        .map(|(name, FinishedPart(file))| Ok((name, ZipArchive::new(BufReader::new(file))?)))
        .collect::<Result<Vec<_>, XlsxError>>()?;
    let mut dst = ZipWriter::new(out);
    copy_replacing(package, &mut dst, |entry_name, dst| match parts.iter_mut().find(|(name, _)| name == entry_name) {
        Some((name, part)) => {
            dst.raw_copy_file_rename(part.by_index_raw(0)?, name.as_str())?;
            Ok(true)
        }
        None => Ok(false),
    })?;
    Ok(dst.finish()?)
}

/// Copies the entries of `package` into `dst` in order, compressed as they are, but for those
/// `replace` writes itself (it is given each entry's name and returns whether it wrote it).
/// Returns how many it wrote.
pub(super) fn copy_replacing<W: Write + Seek>(
    package: &[u8],
    dst: &mut ZipWriter<W>,
    mut replace: impl FnMut(&str, &mut ZipWriter<W>) -> Result<bool, XlsxError>,
) -> Result<usize, XlsxError> {
    let mut src = ZipArchive::new(Cursor::new(package))?;
    let mut replaced = 0;
    for i in 0..src.len() {
        let entry = src.by_index_raw(i)?;
        let name = entry.name()?.into_owned();
        if replace(&name, dst)? {
            replaced += 1;
        } else {
            dst.raw_copy_file(entry)?;
        }
    }
    Ok(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_what_excel_reads_back() {
        let escaped = |s: &str| {
            let mut v = Vec::new();
            push_escaped(&mut v, s);
            String::from_utf8(v).expect("utf-8")
        };
        assert_eq!(escaped("汤溪镇，上境村"), "汤溪镇，上境村");
        assert_eq!(escaped("a<b>&c"), "a&lt;b&gt;&amp;c");
        assert_eq!(escaped("行一\n行二\t"), "行一\n行二\t");
        assert_eq!(escaped("a\u{1}b\rc"), "a_x0001_b_x000D_c");
        assert_eq!(escaped("\u{FFFE}\u{FFFF}\u{FF0C}"), "_xFFFE__xFFFF_\u{FF0C}");
        assert_eq!(escaped("_x0041_ and _x12_ and _xABCG_"), "_x005F_x0041_ and _x12_ and _xABCG_");
        assert_eq!(escaped("a_x00e9_b_x00E9_"), "a_x005F_x00e9_b_x005F_x00E9_");
        assert_eq!(escaped("_x004"), "_x004");
        assert_eq!(escaped("snake_case"), "snake_case");
    }

    #[test]
    fn the_rows_go_where_the_sheet_holds_them() {
        let xml = "<worksheet><dimension ref=\"A1:R3\"/><sheetData><row r=\"1\"/></sheetData><autoFilter/></worksheet>";
        let (before, after) = around_rows(xml, 168_003).expect("cut");
        assert_eq!(before, "<worksheet><dimension ref=\"A1:R168003\"/><sheetData><row r=\"1\"/>");
        // The header row flushed twice by rust_xlsxwriter is written once.
        let twice = "<dimension ref=\"A1:B2\"/><sheetData><row r=\"1\"><c/></row><row r=\"2\" ht=\"20\"><c/></row>\
                     <row r=\"2\" ht=\"20\"/></sheetData>";
        let (before, _) = around_rows(twice, 5).expect("cut");
        assert_eq!(
            before,
            "<dimension ref=\"A1:B5\"/><sheetData><row r=\"1\"><c/></row><row r=\"2\" ht=\"20\"><c/></row>"
        );
        let once = "<dimension ref=\"A1:B3\"/><sheetData><row r=\"2\"><c/></row><row r=\"3\" ht=\"20\"/></sheetData>";
        let (before, _) = around_rows(once, 5).expect("cut");
        assert!(before.ends_with("<row r=\"3\" ht=\"20\"/>"), "{before}");
        assert_eq!(after, "</sheetData><autoFilter/></worksheet>");
        let empty = "<worksheet><dimension ref=\"A1\"/><sheetData/></worksheet>";
        let (before, after) = around_rows(empty, 9).expect("cut");
        assert_eq!(before, "<worksheet><dimension ref=\"A1:A9\"/><sheetData>");
        assert_eq!(after, "</sheetData></worksheet>");
        assert!(around_rows("<worksheet/>", 9).is_none());
    }
}

//! CSV returns: UTF-8 with or without BOM, else GB18030 (what Chinese Excel and WPS save),
//! comma-separated (tab-separated when the first line has tabs and no commas). Every cell is text;
//! the value parsers understand numbers stored as text.

use crate::read::{Grid, ReadError};
use crate::values::CellValue;

/// Decodes CSV bytes to text.
pub fn decode(bytes: &[u8]) -> String {
    decode_checked(bytes).0
}

/// Decodes and says whether some bytes could not be decoded (they become U+FFFD).
pub fn decode_checked(bytes: &[u8]) -> (String, bool) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = String::from_utf8_lossy(rest);
        let bad = matches!(text, std::borrow::Cow::Owned(_));
        return (text.into_owned(), bad);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            // Not valid UTF-8: GB18030, unless the file is UTF-8 with a few broken bytes
            // (then UTF-8 loses fewer characters).
            // GB18030 text is invalid UTF-8 almost everywhere; UTF-8 with a damaged byte
            // here and there is valid nearly throughout.
            let invalid: usize = bytes.utf8_chunks().map(|c| c.invalid().len()).sum();
            if invalid <= (bytes.len() / 100).max(8) {
                (String::from_utf8_lossy(bytes).into_owned(), true)
            } else {
                let (gb, _, gb_bad) = encoding_rs::GB18030.decode(bytes);
                (gb.into_owned(), gb_bad)
            }
        }
    }
}

pub fn read(bytes: &[u8]) -> Result<Grid, ReadError> {
    let (text, broken) = decode_checked(bytes);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if !first.contains(',') && first.contains('\t') { '\t' } else { ',' };
    let mut cells = Vec::new();
    for (row, fields) in parse_records(&text, delimiter) {
        for (c, field) in fields.into_iter().enumerate() {
            if !field.trim().is_empty() {
                cells.push((row, c as u32, CellValue::Text(field)));
            }
        }
    }
    let mut grid = Grid::from_cells(None, true, cells, Vec::new());
    grid.broken_text = broken;
    Ok(grid)
}

/// RFC 4180 parsing that keeps the 0-based line each record starts on (blank lines and line
/// breaks inside quotes count, as in the file the user sees). A stray quote inside an
/// unquoted field is kept as text rather than rejected: the file is the user's, not ours.
pub fn parse_records(text: &str, delimiter: char) -> Vec<(u32, Vec<String>)> {
    let mut out = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (0u32, 0u32);
    let (mut in_quotes, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    let mut end_record = |fields: &mut Vec<String>, field: &mut String, start: u32| {
        fields.push(std::mem::take(field));
        let record = std::mem::take(fields);
        if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
            out.push((start, record));
        }
    };
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                c => {
                    if c == '\n' {
                        line += 1;
                    }
                    field.push(c);
                }
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !was_quoted => {
                in_quotes = true;
                was_quoted = true;
            }
            c if c == delimiter => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                end_record(&mut fields, &mut field, start_line);
                was_quoted = false;
                line += 1;
                start_line = line;
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        end_record(&mut fields, &mut field, start_line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{decode, read};
    use crate::values::CellValue;

    #[test]
    fn decodes_utf8_with_and_without_bom_and_gb18030() {
        let text = "党组织名称,星级\n寺平村党支部,4\n";
        assert_eq!(decode(text.as_bytes()), text);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom), text);
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        assert_ne!(gb.as_ref(), text.as_bytes());
        assert_eq!(decode(&gb), text);
        // UTF-8 with one damaged byte stays UTF-8; GB18030 with one is still GB18030.
        let mut damaged = text.repeat(3).into_bytes();
        damaged.push(0xFF);
        let (decoded, broken) = super::decode_checked(&damaged);
        assert!(broken && decoded.starts_with(text));
        let mut gb_damaged = gb.to_vec();
        gb_damaged.extend_from_slice(b"\xff\xfe\x81");
        let (decoded, broken) = super::decode_checked(&gb_damaged);
        assert!(broken && decoded.starts_with(text));
    }

    #[test]
    fn quoted_fields_and_blank_lines() {
        let crlf = read("名称,星级\r\n寺平村,3\r\n\r\n后徐村,4\r\n".as_bytes()).expect("parses");
        assert_eq!(crlf.rows.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 3]);
        let g = read("名称,备注\n\"寺平村,党支部\",\"两行\n备注\"\n\n后徐村,\n".as_bytes()).expect("parses");
        assert_eq!(g.get(1, 0), Some(&CellValue::Text("寺平村,党支部".to_string())));
        assert_eq!(g.get(1, 1), Some(&CellValue::Text("两行\n备注".to_string())));
        assert_eq!(g.rows.len(), 3);
        assert_eq!(g.rows.last().map(|r| r.index), Some(4));
    }
}

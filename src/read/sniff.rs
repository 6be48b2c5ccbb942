//! Recognises a file's format by its content (magic bytes, zip entries, OLE streams), using
//! the extension only to tell a CSV from other text.

use std::io::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
    /// An OOXML workbook encrypted with a password (an OLE file holding `EncryptionInfo`).
    Encrypted,
    /// An HTML table saved with a spreadsheet extension.
    Html,
    /// A WPS `.et` workbook.
    Et,
    /// A zip, rar or 7z archive that is not a workbook.
    Archive,
    Empty,
    Other,
}

impl Format {
    pub fn is_spreadsheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xlsb | Format::Xls | Format::Ods | Format::Csv)
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Encrypted => "加密文件",
            Format::Html => "网页",
            Format::Et => "et",
            Format::Archive => "压缩包",
            Format::Empty => "空文件",
            Format::Other => "其他",
        }
    }
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The format of a file from its bytes; `ext` is the lower-case extension without the dot.
pub fn sniff(bytes: &[u8], ext: &str) -> Format {
    if bytes.is_empty() {
        return Format::Empty;
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return sniff_zip(bytes, ext);
    }
    if bytes.starts_with(&OLE_MAGIC) {
        if contains(bytes, &utf16("EncryptionInfo")) || contains(bytes, &utf16("EncryptedPackage")) {
            return Format::Encrypted;
        }
        if ext == "et" {
            return Format::Et;
        }
        return Format::Xls;
    }
    if bytes.starts_with(b"Rar!") || bytes.starts_with(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) {
        return Format::Archive;
    }
    let head: String = String::from_utf8_lossy(bytes.get(..bytes.len().min(512)).unwrap_or(bytes)).to_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<table")
        || (head.starts_with("<?xml") && head.contains("urn:schemas-microsoft-com:office"))
        || head.contains("<html")
    {
        return Format::Html;
    }
    if ext == "csv" {
        return Format::Csv;
    }
    Format::Other
}

fn sniff_zip(bytes: &[u8], ext: &str) -> Format {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // A damaged zip with a workbook extension is still a workbook to reject as corrupt.
        return Format::Xlsx;
    };
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let has = |name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
    if has("xl/workbook.bin") {
        Format::Xlsb
    } else if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("content.xml") || has("mimetype") {
        Format::Ods
    } else if names.iter().any(|n| n.starts_with("xl/")) || matches!(ext, "xlsx" | "xlsm") {
        // A workbook by name whose parts are elsewhere: let the reader judge (and reject it
        // as damaged if it cannot), rather than calling it an archive to unpack.
        Format::Xlsx
    } else if ext == "xlsb" {
        Format::Xlsb
    } else if ext == "ods" {
        Format::Ods
    } else {
        Format::Archive
    }
}

#[cfg(test)]
mod tests {
    use super::{Format, sniff};

    #[test]
    fn text_files_are_csv_only_by_extension() {
        assert_eq!(sniff(b"a,b\n1,2\n", "csv"), Format::Csv);
        assert_eq!(sniff(b"a,b\n1,2\n", "txt"), Format::Other);
        assert_eq!(sniff(b"", "xlsx"), Format::Empty);
    }

    #[test]
    fn html_saved_as_xls_is_recognised() {
        assert_eq!(sniff(b"<html><body><table><tr><td>1</td></tr></table>", "xls"), Format::Html);
        assert_eq!(sniff(b"\xef\xbb\xbf<!DOCTYPE html>", "xls"), Format::Html);
    }

    #[test]
    fn ole_files_are_xls_unless_encrypted() {
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend_from_slice(&[0; 100]);
        assert_eq!(sniff(&ole, "xlsx"), Format::Xls);
        ole.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&ole, "xlsx"), Format::Encrypted);
    }

    #[test]
    fn archives_are_recognised() {
        assert_eq!(sniff(b"Rar!\x1a\x07\x00", "rar"), Format::Archive);
        assert_eq!(sniff(&[0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C, 0], "7z"), Format::Archive);
    }
}

//! The reporting stage: everything one period produced ([`Report`]), written as the JSON
//! report ([`json`]) and the summary workbook ([`workbook`]). Only this stage touches
//! rust_xlsxwriter. Files are written atomically: a temporary file in the target folder,
//! then a rename.

pub mod json;
mod list_xml;
mod sheet_xml;
pub mod template;
pub mod unit_lists;
pub mod workbook;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::discover::FileEntry;
use crate::master::Org;
use crate::model::{Issue, RejectedRow};
use crate::period::Period;
use crate::read::sheet::SheetStatus;
use crate::reconcile::{Record, UnitSummary};

/// Whether rust_xlsxwriter (0.102) would write a text into the shared strings as it is,
/// taking it for rich text: one that starts with `<r>` and ends with `</r>`. Such a text
/// from a return ("<r>x</r>") would be lost and the file reported as damaged.
pub(crate) fn is_written_raw(s: &str) -> bool {
    s.starts_with("<r>") && s.ends_with("</r>")
}

/// Writes text `s` at (`row`, `col`) with `format` (or none, for a cell formatted later),
/// always as the text it is: one that rust_xlsxwriter would write raw (see
/// [`is_written_raw`]) goes in as rich text of one run in `run`'s font, which it escapes.
pub(crate) fn write_text(
    ws: &mut rust_xlsxwriter::Worksheet,
    (row, col): (u32, u16),
    s: &str,
    format: Option<&rust_xlsxwriter::Format>,
    run: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match (is_written_raw(s), format) {
        (false, Some(f)) => ws.write_string_with_format(row, col, s, f)?,
        (false, None) => ws.write_string(row, col, s)?,
        (true, Some(f)) => ws.write_rich_string_with_format(row, col, &[(run, s)], f)?,
        (true, None) => ws.write_rich_string(row, col, &[(run, s)])?,
    };
    Ok(())
}

/// Every part of a zip package, unpacked, in the package's order: its name, how it is stored
/// (compression, date, permissions) and its content.
#[cfg(test)]
pub(crate) fn package_parts(bytes: &[u8]) -> Vec<(String, String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut part = zip.by_index(i).expect("part");
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut part, &mut content).expect("read");
            let stored = format!("{:?} {:?} {:?}", part.compression(), part.last_modified(), part.unix_mode());
            (part.name().expect("name").into_owned(), stored, content)
        })
        .collect()
}

/// Appends the decimal digits of `n` (the sheet XML's row numbers and format indices, the
/// JSON's ids and rows): a province writes millions of them.
fn push_uint(out: &mut Vec<u8>, n: u64) {
    let start = out.len();
    let mut rest = n;
    loop {
        out.push(b'0' + (rest % 10) as u8);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if let Some(digits) = out.get_mut(start..) {
        digits.reverse();
    }
}

/// Row accounting (SPEC §8): `rows_nonblank = records + skipped + rejected`.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Accounting {
    pub rows_nonblank: usize,
    pub records: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub skipped_by_reason: BTreeMap<String, usize>,
}

impl Accounting {
    /// Totals over the sheets of used files.
    pub fn of(files: &[FileEntry]) -> Accounting {
        let mut a = Accounting::default();
        for f in files.iter().filter(|f| f.status == crate::discover::FileStatus::Used) {
            for s in &f.sheets {
                a.rows_nonblank += s.rows_nonblank;
                a.records += s.record_count();
                a.rejected += s.rejected.len();
                for (k, v) in &s.skipped_by_reason {
                    a.skipped += v;
                    *a.skipped_by_reason.entry(k.clone()).or_default() += v;
                }
            }
        }
        a
    }

    pub fn balanced(&self) -> bool {
        self.rows_nonblank == self.records + self.skipped + self.rejected
    }
}

/// Everything one period produced, ready to be written.
pub struct Report<'a> {
    pub config: &'a Config,
    pub period: Period,
    pub files: &'a [FileEntry],
    pub orgs: &'a [Org],
    pub records: &'a [Record],
    pub units: &'a [UnitSummary],
    /// Sorted: configured unit order (no unit last), then source, then code.
    pub issues: &'a [Issue],
    pub accounting: Accounting,
    /// The period folder relative to the output folder, `/`-separated with a trailing `/`
    /// ("../returns/2015-10/"), for links from 来源 cells to the source files.
    pub source_base: String,
    /// Changes against the previous period, and that period ("2015-09") if one was found.
    pub changes: &'a [crate::history::Change],
    pub previous: Option<&'a str>,
}

impl Report<'_> {
    /// Rejected rows of used files, in file order.
    pub fn rejected_rows(&self) -> Vec<&RejectedRow> {
        self.files
            .iter()
            .filter(|f| f.status == crate::discover::FileStatus::Used)
            .flat_map(|f| f.sheets.iter().filter(|s| s.status == SheetStatus::Used).flat_map(|s| s.rejected.iter()))
            .collect()
    }

    pub fn org(&self, record: &Record) -> Option<&Org> {
        record.m.org.and_then(|i| self.orgs.get(i))
    }
}

/// The file names of a period's outputs.
pub fn json_name(period: Period) -> String {
    format!("汇总_{period}.json")
}

pub fn workbook_name(period: Period) -> String {
    format!("汇总_{period}.xlsx")
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// failed write leaves the previous file intact.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut tmp = staged(path)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Makes written files durable before they are renamed into place. On Linux one `syncfs`
/// per file system flushes them all at once (the lists' folder may be mounted elsewhere): a
/// province's 1,400 correction lists synced one by one wait on the disk 1,400 times.
/// Elsewhere each file is synced.
pub fn sync_files<'a>(files: impl IntoIterator<Item = &'a std::fs::File>) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    for file in one_per_file_system(files)? {
        rustix::fs::syncfs(file)?;
    }
    #[cfg(not(target_os = "linux"))]
    for file in files {
        file.sync_all()?;
    }
    Ok(())
}

/// The first of `files` on each file system.
#[cfg(target_os = "linux")]
fn one_per_file_system<'a>(
    files: impl IntoIterator<Item = &'a std::fs::File>,
) -> std::io::Result<Vec<&'a std::fs::File>> {
    let mut devices = Vec::new();
    let mut firsts = Vec::new();
    for file in files {
        let device = rustix::fs::fstat(file)?.st_dev;
        if !devices.contains(&device) {
            devices.push(device);
            firsts.push(file);
        }
    }
    Ok(firsts)
}

/// A temporary file beside `path` (in the same folder, so that renaming it into place is
/// atomic), removed unless persisted. It is made with the permissions of any file the user
/// saves (read and write for all, less the umask), not a temporary file's owner-only ones:
/// the outputs are documents to pass on.
pub fn staged(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".huizong-").suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Whether files can be made in the system's temporary folder. rust_xlsxwriter writes a long
/// sheet there row by row (its constant-memory mode); it reports when it cannot, but only once
/// the sheet is reached, after the returns are read and matched. Commands that write workbooks
/// check first and say what to fix.
///
/// # Errors
/// The message for the user: which folder, why, and what to set.
pub fn check_temp_dir() -> Result<(), String> {
    tempfile::tempfile().map(drop).map_err(|e| {
        format!(
            "无法在临时文件夹 {} 中创建文件（{e}）：生成 Excel 文件需要可写的临时文件夹。\
             请把环境变量 TMPDIR（Windows 为 TEMP 和 TMP）设为一个可写的文件夹后重试",
            std::env::temp_dir().display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_like_any_saved_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("汇总_2015-10.json");
        write_atomic(&path, b"{}").expect("write");
        let saved = dir.path().join("saved.txt");
        std::fs::write(&saved, b"{}").expect("write");
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        // 0o644 under the usual umask; a temporary file's would be 0o600.
        assert_eq!(mode(&path), mode(&saved), "{:o}", mode(&path));
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("汇总_2015-10.json");
        write_atomic(&path, b"one").expect("first write");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(std::fs::read(&path).expect("read back"), b"two");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("list").filter_map(Result::ok).map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn texts_that_look_like_rich_text_are_kept_as_written() {
        use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
        use rust_xlsxwriter::{Format, Workbook};
        let texts = ["<r>x</r>", "<r><t>a</t></r><r><t>b</t></r>", "<r>", "普通文本 <r>x</r>", "=1+1"];
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let f = Format::new().set_font_name("宋体");
        for (i, t) in texts.iter().enumerate() {
            let row = u32::try_from(i).expect("row");
            super::write_text(ws, (row, 0), t, Some(&f), &f).expect("formatted");
            super::write_text(ws, (row, 1), t, None, &f).expect("bare");
        }
        let bytes = wb.save_to_buffer().expect("save");
        let mut xl: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
        let range = xl.worksheet_range("Sheet1").expect("sheet");
        for (i, t) in texts.iter().enumerate() {
            for col in 0..2 {
                assert_eq!(range.get((i, col)), Some(&Data::String((*t).to_string())), "{t} in column {col}");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn one_sync_per_file_system() {
        use super::one_per_file_system;
        let dir = tempfile::tempdir().expect("tempdir");
        let files: Vec<std::fs::File> = (0..3).map(|_| tempfile::tempfile_in(dir.path()).expect("file")).collect();
        assert_eq!(one_per_file_system(&files).expect("fstat").len(), 1);
        // A file on another file system (the lists' folder mounted elsewhere) gets its own.
        let proc_file = std::fs::File::open("/proc/self/status").expect("proc");
        let mixed = one_per_file_system(files.iter().chain([&proc_file]).chain(&files)).expect("fstat");
        assert_eq!(mixed.len(), 2);
    }
}

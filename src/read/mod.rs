//! The reading stage: turns the bytes of one file into sheets of plain data ([`Grid`]) and
//! then into parsed return rows with their accounting ([`sheet`]). Only this stage touches
//! calamine. Formats are recognised by content ([`sniff`]), not by extension.

pub mod csv;
pub mod grid;
pub mod ods_extent;
pub mod review;
pub mod sheet;
pub mod sniff;
pub mod xls_extent;
pub mod xlsx_merges;

use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};
use thiserror::Error;

pub use grid::{Grid, GridRow, Merge};
pub use sniff::Format;

use crate::config::Limits;
use crate::values::{CellValue, Date};

/// Why a file or a sheet could not be read. Messages are Chinese and say what to do.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ReadError {
    #[error("文件已加密")]
    Encrypted,
    #[error("文件已损坏或不是有效的表格文件（{0}）")]
    Corrupt(String),
    #[error("工作表\u{201C}{sheet}\u{201D}超过{limit}个单元格的上限")]
    TooManyCells { sheet: String, limit: u64 },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    TooLarge(String),
}

/// One sheet as read, or why it could not be.
#[derive(Debug, Clone)]
pub struct SheetRead {
    pub name: String,
    pub visible: bool,
    pub grid: Result<Grid, ReadError>,
}

/// A workbook as read: its sheets in workbook order and what the file says about itself.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    pub sheets: Vec<SheetRead>,
    pub is_1904: bool,
    /// The document's own modified time (ISO text), used to choose between two versions.
    pub modified: Option<String>,
}

/// Reads a workbook of a spreadsheet format from memory. CSV is read by [`csv::read`].
pub fn read_workbook(bytes: &[u8], format: Format, limits: &Limits) -> Result<Workbook, ReadError> {
    let max_cells = limits.max_cells_per_sheet;
    if matches!(format, Format::Xlsx | Format::Xlsb | Format::Ods) {
        check_zip(bytes, limits)?;
    }
    match format {
        Format::Xlsx => read_xlsx(bytes, max_cells),
        Format::Xlsb => read_xlsb(bytes, max_cells),
        Format::Xls => read_xls(bytes, max_cells),
        Format::Ods => read_ods(bytes, max_cells),
        Format::Csv => csv::read(bytes).map(|grid| Workbook {
            sheets: vec![SheetRead { name: String::new(), visible: true, grid: Ok(grid) }],
            is_1904: false,
            modified: None,
        }),
        Format::Encrypted => Err(ReadError::Encrypted),
        Format::Html => Err(ReadError::Unsupported("此文件为网页格式，请用Excel打开后另存为.xlsx".to_string())),
        Format::Et => Err(ReadError::Unsupported("此文件为WPS表格专用格式（.et），请用WPS另存为.xlsx".to_string())),
        Format::Archive | Format::Empty | Format::Other => {
            Err(ReadError::Unsupported("不是可读取的表格文件".to_string()))
        }
    }
}

thread_local! {
    static IN_READER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread is inside [`guarded`] (the panic hook stays quiet there).
pub fn in_reader() -> bool {
    IN_READER.with(std::cell::Cell::get)
}

/// Runs a reader and turns a panic inside it (calamine has overflowing cell references,
/// calamine issues #694/#709) into a rejection: one bad file must not stop the month.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    IN_READER.with(|flag| flag.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    IN_READER.with(|flag| flag.set(false));
    result.unwrap_or_else(|_| Err(ReadError::Corrupt("文件内容超出读取组件能处理的范围".to_string())))
}

/// Refuses a zip whose entries would decompress beyond the limits (a zip bomb), before any
/// entry is inflated: the sizes come from the central directory.
pub fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        // Not readable as a zip: the workbook reader reports it as damaged.
        return Ok(());
    };
    let max_total = limits.max_unzipped_mb.saturating_mul(1024 * 1024);
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(i) else { continue };
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        total = total.saturating_add(size);
        // Small entries compress well legitimately; the ratio matters past a megabyte.
        if size > 1024 * 1024 && size / packed > limits.max_zip_ratio {
            return Err(ReadError::TooLarge(format!(
                "文件中的\u{201C}{}\u{201D}压缩比为{}:1，超过{}:1的上限，疑为恶意压缩文件",
                entry.name().map(|n| n.into_owned()).unwrap_or_default(),
                size / packed,
                limits.max_zip_ratio
            )));
        }
    }
    if total > max_total {
        return Err(ReadError::TooLarge(format!(
            "文件解压后约{}MB，超过{}MB的上限",
            total / (1024 * 1024),
            limits.max_unzipped_mb
        )));
    }
    Ok(())
}

/// Refuses a file one of whose sheets spans more cells than the limit (extents found
/// without building the sheet).
fn check_extents(extents: Option<Vec<Option<xls_extent::Extent>>>, max_cells: u64) -> Result<(), ReadError> {
    for (i, extent) in extents.unwrap_or_default().iter().enumerate() {
        if let Some(e) = extent
            && e.cells() > max_cells
        {
            let range = format!(
                "{}{}:{}{}",
                crate::model::column_letters(e.first_col),
                u64::from(e.first_row) + 1,
                crate::model::column_letters(e.last_col),
                u64::from(e.last_row) + 1
            );
            return Err(ReadError::TooLarge(format!(
                "第{}个工作表的数据范围为{range}，约{}个单元格，超过{}个的上限（可能有误填在远处的单元格）",
                i + 1,
                e.cells(),
                max_cells
            )));
        }
    }
    Ok(())
}

fn corrupt(e: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt(e.to_string())
}

fn is_visible(v: SheetVisible) -> bool {
    matches!(v, SheetVisible::Visible)
}

/// The worksheets of a workbook (chart and dialog sheets hold no return).
fn worksheet_list<'b, R: Reader<Cursor<&'b [u8]>>>(wb: &R) -> Vec<(String, bool)> {
    wb.sheets_metadata()
        .iter()
        .filter(|s| matches!(s.typ, SheetType::WorkSheet))
        .map(|s| (s.name.clone(), is_visible(s.visible)))
        .collect()
}

fn dimensions_to_merge(d: &calamine::Dimensions) -> Merge {
    Merge { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 }
}

fn read_xlsx(bytes: &[u8], max_cells: u64) -> Result<Workbook, ReadError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => ReadError::Encrypted,
        e => corrupt(e),
    })?;
    let is_1904 = wb.has_1904_epoch();
    let modified = wb.workbook_properties().ok().and_then(|p| p.modified);
    let mut parts = xlsx_merges::SheetParts::new(bytes);
    let mut sheets = Vec::new();
    for (name, visible) in worksheet_list(&wb) {
        let grid = (|| {
            let (merges, formulas) = match parts.as_mut().and_then(|p| p.scan(&name)) {
                Some(scanned) => (scanned.merges, scanned.may_have_formulas),
                None => (None, true),
            };
            let merges: Vec<Merge> = match merges {
                Some(merges) => merges,
                None => wb.merge_cells_by_sheet_name(&name).map_err(corrupt)?.iter().map(dimensions_to_merge).collect(),
            };
            let mut reader = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
            let (cells, unreadable) = if formulas {
                collect_cells(formula_cells(&mut reader), &name, max_cells, is_1904)?
            } else {
                // No formula in the sheet: calamine's plain reader does less per cell.
                collect_cells(|| reader.next_cell().map_err(corrupt), &name, max_cells, is_1904)?
            };
            let mut grid = Grid::from_cells(Some(name.clone()), visible, cells, merges);
            grid.unreadable_cells = unreadable;
            Ok(grid)
        })();
        sheets.push(SheetRead { name, visible, grid });
    }
    Ok(Workbook { sheets, is_1904, modified })
}

/// The cells of a sheet read with their formulas.
fn formula_cells<'r, 'a, RS: std::io::Read + std::io::Seek>(
    reader: &'r mut calamine::XlsxCellReader<'a, RS>,
) -> impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, ReadError> + 'r {
    || {
        reader.next_cell_with_formula_metadata().map_err(corrupt).map(|cell| {
            cell.map(|c| {
                // A formula without a cached value (written by openpyxl or a script,
                // never calculated) is not a blank: the reader reports it.
                let value = match (&c.value, &c.formula) {
                    (DataRef::Empty, Some(_)) => DataRef::String(NO_CACHED_VALUE.to_string()),
                    _ => c.value,
                };
                calamine::Cell::new(c.pos, value)
            })
        })
    }
}

/// What a formula cell without a cached value reads as; the sheet reader reports it.
pub const NO_CACHED_VALUE: &str = "#公式无计算结果";

/// Non-blank cells with their 0-based row and column.
type SparseCells = Vec<(u32, u32, CellValue)>;

/// Collects the non-blank cells of a streamed sheet, stopping at the cell limit before
/// anything more is allocated.
fn collect_cells<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, ReadError>,
    sheet: &str,
    max_cells: u64,
    is_1904: bool,
) -> Result<(SparseCells, u32), ReadError> {
    let mut cells = Vec::new();
    let mut skipped_errors = 0u32;
    loop {
        let cell = match next() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            // A cell holding an error value calamine does not know (#SPILL!, #CALC!) fails
            // only that cell: the reader has consumed it and goes on with the next.
            Err(ReadError::Corrupt(msg)) if msg.contains("Unsupported cell error value") && skipped_errors < 10_000 => {
                skipped_errors += 1;
                continue;
            }
            Err(e) => return Err(e),
        };
        let (r, c) = cell.get_position();
        let v = match cell.get_value() {
            DataRef::String(s) if s == NO_CACHED_VALUE => CellValue::Error(NO_CACHED_VALUE.to_string()),
            other => convert_ref(other, is_1904),
        };
        if !v.is_blank() {
            if cells.len() as u64 >= max_cells {
                return Err(ReadError::TooManyCells { sheet: sheet.to_string(), limit: max_cells });
            }
            cells.push((r, c, v));
        }
    }
    Ok((cells, skipped_errors))
}

fn read_xlsb(bytes: &[u8], max_cells: u64) -> Result<Workbook, ReadError> {
    let mut wb: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsbError::Password => ReadError::Encrypted,
        e => corrupt(e),
    })?;
    let is_1904 = wb.has_1904_epoch();
    let mut sheets = Vec::new();
    for (name, visible) in worksheet_list(&wb) {
        let grid = (|| {
            let mut reader = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
            let (cells, unreadable) = collect_cells(|| reader.next_cell().map_err(corrupt), &name, max_cells, is_1904)?;
            let mut grid = Grid::from_cells(Some(name.clone()), visible, cells, Vec::new());
            grid.unreadable_cells = unreadable;
            Ok(grid)
        })();
        sheets.push(SheetRead { name, visible, grid });
    }
    Ok(Workbook { sheets, is_1904, modified: None })
}

fn read_xls(bytes: &[u8], max_cells: u64) -> Result<Workbook, ReadError> {
    // calamine builds every sheet's dense grid when the file is opened: check first.
    let (extents, declared) = xls_extent::sheet_scan(bytes).map_err(ReadError::Corrupt)?;
    if declared > xls_extent::MAX_DECLARED {
        // calamine reserves memory for the declared dimension before reading a cell.
        return Err(ReadError::Corrupt(format!("工作表声明的范围约{declared}个单元格，超出.xls格式的最大范围")));
    }
    check_extents(Some(extents), max_cells)?;
    let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => ReadError::Encrypted,
        e => corrupt(e),
    })?;
    let is_1904 = wb.has_1904_epoch();
    let modified = wb.workbook_properties().ok().and_then(|p| p.modified);
    let mut sheets = Vec::new();
    for (name, visible) in worksheet_list(&wb) {
        let merges: Vec<Merge> =
            wb.merge_cells_by_sheet_name(&name).unwrap_or_default().iter().map(dimensions_to_merge).collect();
        let grid = wb
            .worksheet_range(&name)
            .map_err(corrupt)
            .and_then(|range| range_to_grid(&name, visible, &range, merges, max_cells, is_1904));
        sheets.push(SheetRead { name, visible, grid });
    }
    Ok(Workbook { sheets, is_1904, modified })
}

fn read_ods(bytes: &[u8], max_cells: u64) -> Result<Workbook, ReadError> {
    check_extents(ods_extent::sheet_extents(bytes), max_cells)?;
    let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => ReadError::Encrypted,
        e => corrupt(e),
    })?;
    let modified = wb.workbook_properties().ok().and_then(|p| p.modified);
    let mut sheets = Vec::new();
    for (name, visible) in worksheet_list(&wb) {
        // calamine reports no merged cells for .ods (a documented limitation).
        let grid = wb
            .worksheet_range(&name)
            .map_err(corrupt)
            .and_then(|range| range_to_grid(&name, visible, &range, Vec::new(), max_cells, false));
        sheets.push(SheetRead { name, visible, grid });
    }
    Ok(Workbook { sheets, is_1904: false, modified })
}

fn range_to_grid(
    name: &str,
    visible: bool,
    range: &calamine::Range<Data>,
    merges: Vec<Merge>,
    max_cells: u64,
    is_1904: bool,
) -> Result<Grid, ReadError> {
    let Some((r0, c0)) = range.start() else {
        return Ok(Grid::from_cells(Some(name.to_string()), visible, Vec::new(), merges));
    };
    let mut cells = Vec::new();
    for (r, c, v) in range.used_cells() {
        let v = convert(v, is_1904);
        if !v.is_blank() {
            if cells.len() as u64 >= max_cells {
                return Err(ReadError::TooManyCells { sheet: name.to_string(), limit: max_cells });
            }
            cells.push((r0 + r as u32, c0 + c as u32, v));
        }
    }
    Ok(Grid::from_cells(Some(name.to_string()), visible, cells, merges))
}

fn excel_date(dt: &calamine::ExcelDateTime, is_1904: bool) -> CellValue {
    if dt.is_datetime() {
        match Date::from_excel_serial(dt.as_f64(), is_1904) {
            Some(d) => CellValue::Date(d),
            None => CellValue::Number(dt.as_f64()),
        }
    } else {
        CellValue::Number(dt.as_f64())
    }
}

/// An ISO date or date-time text ("2015-10-31T00:00:00") as a date, else as text.
fn iso_date(s: &str) -> CellValue {
    let date = s.get(..10).and_then(|d| {
        let mut it = d.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let day = it.next()?.parse().ok()?;
        Date::new(y, m, day)
    });
    date.map_or_else(|| CellValue::Text(s.to_string()), CellValue::Date)
}

fn convert(v: &Data, is_1904: bool) -> CellValue {
    match v {
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Float(f) => CellValue::Number(*f),
        Data::String(s) => CellValue::Text(s.clone()),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => excel_date(dt, is_1904),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Error(e) => CellValue::Error(e.to_string()),
        Data::Empty => CellValue::Empty,
    }
}

fn convert_ref(v: &DataRef<'_>, is_1904: bool) -> CellValue {
    match v {
        DataRef::Int(i) => CellValue::Number(*i as f64),
        DataRef::Float(f) => CellValue::Number(*f),
        DataRef::String(s) => CellValue::Text(s.clone()),
        DataRef::SharedString(s) => CellValue::Text((*s).to_string()),
        DataRef::Bool(b) => CellValue::Bool(*b),
        DataRef::DateTime(dt) => excel_date(dt, is_1904),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => CellValue::Text(s.clone()),
        DataRef::Error(e) => CellValue::Error(e.to_string()),
        DataRef::Empty => CellValue::Empty,
    }
}

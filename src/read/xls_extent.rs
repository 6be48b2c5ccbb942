//! Extents of the sheets of a .xls file, found from its cell records before calamine opens
//! it: calamine builds a dense grid of every sheet's bounding box when an .xls is opened, so
//! one stray cell at IV65536 would cost half a gigabyte (SPEC §8). Reads the compound file
//! with the `cfb` crate and walks the BIFF records; it allocates nothing per cell.

use std::io::{Cursor, Read};

/// Cell records calamine turns into cells (BIFF5/8); their first two fields are the row and
/// the column. Blank cells (0x0201, 0x00BE) are not kept by calamine and do not count.
const CELL_RECORDS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];
const MULRK: u16 = 0x00BD;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const DIMENSIONS: u16 = 0x0200;
/// The largest grid a valid BIFF8 sheet can declare (65,536 rows × 256 columns).
pub const MAX_DECLARED: u64 = 65_536 * 256;

/// The number of cells a DIMENSIONS record makes calamine reserve, computed as calamine
/// does (its arithmetic wraps on a corrupt record, so this saturates to "too many").
fn declared_cells(data: &[u8]) -> u64 {
    let u32_at = |at: usize| data.get(at..at + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(u32::from_le_bytes);
    let (rf, rl, cf, cl) = match data.len() {
        10 => (u16_at(data, 0).map(u32::from), u16_at(data, 2).map(u32::from), u16_at(data, 4), u16_at(data, 6)),
        14 | 16 => (u32_at(0), u32_at(4), u16_at(data, 8), u16_at(data, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) else { return 0 };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl < 1 || cl < 1 {
        return 1;
    }
    match ((rl - 1).checked_sub(rf), (u32::from(cl) - 1).checked_sub(u32::from(cf))) {
        (Some(r), Some(c)) => (u64::from(r) + 1).saturating_mul(u64::from(c) + 1),
        _ => u64::MAX,
    }
}

/// The bounding box of one sheet's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    pub first_row: u32,
    pub last_row: u32,
    pub first_col: u32,
    pub last_col: u32,
}

impl Extent {
    pub fn cells(&self) -> u64 {
        let rows = u64::from(self.last_row.saturating_sub(self.first_row)) + 1;
        let cols = u64::from(self.last_col.saturating_sub(self.first_col)) + 1;
        rows.saturating_mul(cols)
    }

    fn add(extent: &mut Option<Extent>, row: u32, col: u32) {
        match extent {
            None => *extent = Some(Extent { first_row: row, last_row: row, first_col: col, last_col: col }),
            Some(e) => {
                e.first_row = e.first_row.min(row);
                e.last_row = e.last_row.max(row);
                e.first_col = e.first_col.min(col);
                e.last_col = e.last_col.max(col);
            }
        }
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

/// Records from `pos` on, as calamine walks them: (type, data), CONTINUE records skipped.
fn records(stream: &[u8], pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = pos;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, at)?;
        let len = usize::from(u16_at(stream, at + 2)?);
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
    .filter(|(typ, _)| *typ != 0x003C)
}

/// The extents of the sheets, found the way calamine finds the sheets (BOUNDSHEET offsets
/// from the workbook globals, nested substreams such as charts skipped). `Err` when the
/// compound file or its workbook stream cannot be read: calamine must not see such a file,
/// since its own reader can allocate without bound on a damaged sector chain.
pub fn sheet_extents(bytes: &[u8]) -> Result<Vec<Option<Extent>>, String> {
    sheet_scan(bytes).map(|(extents, _)| extents)
}

/// The extents and the largest declared dimension (see [`MAX_DECLARED`]).
pub fn sheet_scan(bytes: &[u8]) -> Result<(Vec<Option<Extent>>, u64), String> {
    let mut declared = 0u64;
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or_else(|| "没有 Workbook 数据流".to_string())?;
    let mut stream = Vec::new();
    file.open_stream(name).map_err(|e| e.to_string())?.read_to_end(&mut stream).map_err(|e| e.to_string())?;
    let mut positions = Vec::new();
    for (typ, data) in records(&stream, 0) {
        match typ {
            BOUNDSHEET => positions.extend(
                data.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()).map(|b| u32::from_le_bytes(b) as usize),
            ),
            EOF => break,
            _ => {}
        }
    }
    let mut sheets = Vec::new();
    for pos in positions {
        let mut extent = None;
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (typ, data) in records(&stream, pos) {
            if depth > 0 {
                match typ {
                    BOF => depth += 1,
                    EOF => depth -= 1,
                    _ => {}
                }
                continue;
            }
            match typ {
                BOF if seen_bof => depth += 1,
                BOF => seen_bof = true,
                EOF => break,
                DIMENSIONS => declared = declared.max(declared_cells(data)),
                MULRK => {
                    if let (Some(r), Some(first), Some(last)) =
                        (u16_at(data, 0), u16_at(data, 2), u16_at(data, data.len().saturating_sub(2)))
                    {
                        Extent::add(&mut extent, u32::from(r), u32::from(first));
                        Extent::add(&mut extent, u32::from(r), u32::from(last.max(first)));
                    }
                }
                t if CELL_RECORDS.contains(&t) => {
                    if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                        Extent::add(&mut extent, u32::from(r), u32::from(c));
                    }
                }
                _ => {}
            }
        }
        sheets.push(extent);
    }
    Ok((sheets, declared))
}

#[cfg(test)]
mod tests {
    use super::Extent;

    #[test]
    fn extents_grow_to_cover_every_cell() {
        let mut e = None;
        Extent::add(&mut e, 3, 1);
        Extent::add(&mut e, 65535, 255);
        let e = e.expect("extent");
        assert_eq!((e.first_row, e.last_row, e.first_col, e.last_col), (3, 65535, 1, 255));
        assert_eq!(e.cells(), 65533 * 255);
    }
}

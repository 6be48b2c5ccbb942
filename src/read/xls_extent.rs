//! Extents of the sheets of a .xls file, found from its cell records before calamine opens
//! it: calamine builds a dense grid of every sheet's bounding box when an .xls is opened, so
//! one stray cell at IV65536 would cost half a gigabyte (SPEC §8). Reads the compound file
//! with the `cfb` crate and walks the BIFF records; it allocates nothing per cell.

use std::io::{Cursor, Read};

/// Cell records (BIFF5/8) whose first two fields are the row and the column.
const CELL_RECORDS: [u16; 9] = [0x0203, 0x00FD, 0x027E, 0x0201, 0x0204, 0x0205, 0x0006, 0x00D6, 0x0406];
const MULRK: u16 = 0x00BD;
const MULBLANK: u16 = 0x00BE;
const BOF: u16 = 0x0809;

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

/// The extents of the sheets (one per BOF substream after the workbook globals), or `None`
/// when the file is not a readable compound file (calamine then reports it as damaged).
pub fn sheet_extents(bytes: &[u8]) -> Option<Vec<Option<Extent>>> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|n| file.is_stream(n))?;
    let mut stream = Vec::new();
    file.open_stream(name).ok()?.read_to_end(&mut stream).ok()?;
    let mut sheets: Vec<Option<Extent>> = Vec::new();
    let mut substreams = 0usize;
    let mut pos = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(&stream, pos), u16_at(&stream, pos + 2)) {
        let start = pos + 4;
        let Some(data) = stream.get(start..start + usize::from(len)) else { break };
        pos = start + usize::from(len);
        if typ == BOF {
            substreams += 1;
            // The first substream is the workbook globals; each later one is a sheet.
            if substreams > 1 {
                sheets.push(None);
            }
            continue;
        }
        let Some(current) = sheets.last_mut() else { continue };
        if CELL_RECORDS.contains(&typ) {
            if let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) {
                Extent::add(current, u32::from(r), u32::from(c));
            }
        } else if (typ == MULRK || typ == MULBLANK)
            && let (Some(r), Some(first), Some(last)) =
                (u16_at(data, 0), u16_at(data, 2), u16_at(data, data.len().saturating_sub(2)))
        {
            Extent::add(current, u32::from(r), u32::from(first));
            Extent::add(current, u32::from(r), u32::from(last.max(first)));
        }
    }
    Some(sheets)
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

//! Extents of the sheets of an .ods file, streamed from `content.xml` before calamine
//! opens it: calamine expands repeated rows and columns into a dense grid, so a value far
//! from the rest (or repeated across a whole row) would cost memory out of proportion to
//! the file (SPEC §8). Only counters are kept while streaming.

use std::io::{BufReader, Cursor};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::read::xls_extent::Extent;

fn repeat(e: &BytesStart<'_>, attr: &str) -> u64 {
    e.try_get_attribute(attr).ok().flatten().and_then(|a| a.value.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

fn grow(extent: &mut Option<Extent>, rows: (u64, u64), cols: (u64, u64)) {
    let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    let (r0, r1, c0, c1) = (clamp(rows.0), clamp(rows.1), clamp(cols.0), clamp(cols.1));
    match extent {
        None => *extent = Some(Extent { first_row: r0, last_row: r1, first_col: c0, last_col: c1 }),
        Some(e) => {
            e.first_row = e.first_row.min(r0);
            e.last_row = e.last_row.max(r1);
            e.first_col = e.first_col.min(c0);
            e.last_col = e.last_col.max(c1);
        }
    }
}

/// The extent of each table's non-empty cells, or `None` when the file cannot be streamed
/// (calamine then reports it as damaged).
pub fn sheet_extents(bytes: &[u8]) -> Option<Vec<Option<Extent>>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let content = archive.by_name("content.xml").ok()?;
    let mut reader = Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut tables: Vec<Option<Extent>> = Vec::new();
    let (mut row, mut col, mut rows_rep) = (0u64, 0u64, 1u64);
    loop {
        let event = reader.read_event_into(&mut buf).ok()?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table" => {
                    tables.push(None);
                    row = 0;
                }
                "table:table-row" => {
                    rows_rep = repeat(e, "table:number-rows-repeated");
                    col = 0;
                    if empty {
                        row = row.saturating_add(rows_rep);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let cols_rep = repeat(e, "table:number-columns-repeated");
                    let valued = e.try_get_attribute("office:value-type").ok().flatten().is_some();
                    if (valued || !empty)
                        && let Some(t) = tables.last_mut()
                    {
                        let last_row = row.saturating_add(rows_rep - 1);
                        grow(t, (row, last_row), (col, col.saturating_add(cols_rep - 1)));
                    }
                    col = col.saturating_add(cols_rep);
                }
                _ => {}
            }
        } else if let Event::End(e) = &event
            && e.name().as_ref() == "table:table-row"
        {
            row = row.saturating_add(rows_rep);
        }
        buf.clear();
    }
    Some(tables)
}

//! The physical floor of the benchmarks (SPEC §9): what reading and writing the files costs
//! with the libraries huizong is built on, before any of huizong's own work.
//!
//! ```text
//! cargo run --release --example floor -- read 名册.xlsx returns/2026-10   # C: every cell, files in parallel
//! cargo run --release --example floor -- write OUT.xlsx N   # W: N cells written with rust_xlsxwriter
//! ```
//!
//! `read` opens every spreadsheet named or under a folder named (the master list and the returns) with
//! calamine, on all cores, touches every cell, and prints the number of non-empty cells.
//! `write` writes N cells into one workbook the way a summary looks (rows of 20 columns,
//! about two thirds text drawn from real-looking values, the rest numbers), a new sheet
//! every 1,000,000 rows, in rust_xlsxwriter's constant-memory mode, compressed at the level
//! huizong's outputs use (`huizong::report::workbook::ZIP_LEVEL`).

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};
use rayon::prelude::*;
use rust_xlsxwriter::Workbook;

fn spreadsheets(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let path = e?.path();
        if path.is_dir() {
            spreadsheets(&path, out)?;
        } else if path.extension().and_then(|x| x.to_str()).is_some_and(|x| matches!(x, "xlsx" | "xls" | "ods")) {
            out.push(path);
        }
    }
    Ok(())
}

fn read(paths: &[&str]) -> Result<u64, String> {
    let mut files = Vec::new();
    for p in paths.iter().map(Path::new) {
        if p.is_dir() {
            spreadsheets(p, &mut files).map_err(|e| format!("{}: {e}", p.display()))?;
        } else {
            files.push(p.to_path_buf());
        }
    }
    files.sort();
    let counts: Vec<Result<u64, String>> = files
        .par_iter()
        .map(|path| {
            let mut wb = open_workbook_auto(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut cells = 0u64;
            for name in wb.sheet_names() {
                let range = wb.worksheet_range(&name).map_err(|e| format!("{}: {e}", path.display()))?;
                // Touch every cell as a reader must: text length and numbers.
                for c in range.used_cells() {
                    cells += match c.2 {
                        Data::Empty => 0,
                        Data::String(s) => u64::from(!s.is_empty()),
                        _ => 1,
                    };
                }
            }
            Ok(cells)
        })
        .collect();
    counts.into_iter().sum()
}

const TEXTS: [&str; 12] = [
    "汤溪镇",
    "寺平村党支部",
    "中共汤溪镇寺平村支部委员会",
    "精确匹配",
    "规范“三会一课”，建立党员联系农户制度",
    "达标",
    "王建华",
    "按计划推进",
    "汤溪镇.xlsx!示范带点位!B17",
    "是",
    "否",
    "统一全角半角、去除空格；去除前缀'中共'",
];

fn write(path: &Path, cells: u64) -> Result<(), rust_xlsxwriter::XlsxError> {
    const COLS: u64 = 20;
    const ROWS_PER_SHEET: u64 = 1_000_000;
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(huizong::report::workbook::ZIP_LEVEL);
    let mut written = 0u64;
    let mut sheet = 0;
    while written < cells {
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name(format!("明细{}", sheet + 1))?;
        sheet += 1;
        let mut row = 0u32;
        while written < cells && u64::from(row) < ROWS_PER_SHEET {
            for col in 0..COLS.min(cells - written) {
                let i = written + col;
                if col % 3 == 2 {
                    ws.write_number(row, col as u16, (i % 1000) as f64)?;
                } else {
                    ws.write_string(row, col as u16, TEXTS[(i % TEXTS.len() as u64) as usize])?;
                }
            }
            written += COLS.min(cells - written);
            row += 1;
        }
    }
    wb.save(path)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["read", paths @ ..] if !paths.is_empty() => read(paths).map(|n| println!("{n} cells read")),
        ["write", out, n] => match n.parse::<u64>() {
            Ok(n) => write(Path::new(out), n).map(|()| println!("{n} cells written")).map_err(|e| e.to_string()),
            Err(e) => Err(format!("{n}: {e}")),
        },
        _ => Err("usage: floor read FILE_OR_DIR... | floor write OUT.xlsx CELLS".to_string()),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

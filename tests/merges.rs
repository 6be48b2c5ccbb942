//! The merged ranges huizong finds by searching a sheet's XML (src/read/xlsx_merges.rs) are
//! the ones calamine finds by parsing it, for every .xlsx at hand: calamine's odd test
//! workbooks (../shared/corpora), the fixtures and the samples (made by rust_xlsxwriter,
//! openpyxl and LibreOffice). The same search tells when a sheet has no formula (its
//! cells are then read without calamine's formula bookkeeping): calamine must agree.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx};
use huizong::read::Merge;
use huizong::read::xlsx_merges::SheetParts;

fn xlsx_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            xlsx_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "xlsx" || x == "xlsm") {
            out.push(path);
        }
    }
}

#[test]
fn merged_ranges_found_by_search_are_calamines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["../shared/corpora", "tests/fixtures", "samples"] {
        xlsx_files(&root.join(dir), &mut files);
    }
    files.sort();
    let (mut searched, mut with_merges, mut left, mut with_formulas) = (0, 0, 0, 0);
    for path in &files {
        let Ok(bytes) = std::fs::read(path) else { continue };
        let Some(mut parts) = SheetParts::new(&bytes) else {
            left += 1;
            continue;
        };
        let Ok(mut wb) = Xlsx::new(Cursor::new(bytes.clone())) else { continue };
        for name in wb.sheet_names() {
            let Some(scanned) = parts.scan(&name) else {
                left += 1;
                continue;
            };
            // A sheet said to have no formula has none by calamine's reading either.
            // (Some of calamine's odd test files make it panic: huizong rejects those. The
            // panic is caught, and kept out of the log.)
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut cells = wb.worksheet_cells_reader(&name).ok()?;
                let mut found = false;
                while let Ok(Some(cell)) = cells.next_cell_with_formula_metadata() {
                    found |= cell.formula.is_some();
                }
                Some(found)
            }));
            std::panic::set_hook(hook);
            if let Ok(Some(found)) = read {
                assert!(scanned.may_have_formulas || !found, "{}!{name}: a formula was missed", path.display());
                with_formulas += usize::from(found);
            }
            let Some(ours) = scanned.merges else {
                left += 1;
                continue;
            };
            let theirs: Vec<Merge> = match wb.merge_cells_by_sheet_name(&name) {
                Ok(d) => d
                    .iter()
                    .map(|d| Merge { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 })
                    .collect(),
                Err(e) => panic!("{}!{name}: calamine fails ({e}) where the search found {ours:?}", path.display()),
            };
            assert_eq!(ours, theirs, "{}!{name}", path.display());
            searched += 1;
            with_merges += usize::from(!theirs.is_empty());
        }
    }
    eprintln!(
        "{searched} sheets searched, {with_merges} with merges, {with_formulas} with formulas, {left} left to calamine"
    );
    assert!(with_formulas >= 5, "{with_formulas} sheets with formulas: the formula check saw too few");
    // Most sheets are searched, many of them with merged titles.
    assert!(searched >= 100 && with_merges >= 30, "{searched} sheets searched, {with_merges} with merges, {left} left");
}

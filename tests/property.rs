//! Property test (issue 6): generated messy returns — random title rows, blank rows and
//! columns, merged cells, footers, totals, repeated headers, junk cells anywhere — never
//! panic and always satisfy the accounting identity `rows_nonblank = records + skipped +
//! rejected`, and every planted data row with a name becomes exactly one record. Thousands
//! of sheets go straight through the reader; a few dozen go through real .xlsx files
//! written by rust_xlsxwriter.

use huizong::config::Config;
use huizong::discover::Discovery;
use huizong::layout::Layout;
use huizong::period::Period;
use huizong::read::sheet::{SheetContext, SheetStatus, read_sheet};
use huizong::read::{Grid, Merge};
use huizong::values::CellValue;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: [&str; 8] = [
    "寺平村党支部",
    "汤溪村党支部",
    "仙舟社区党支部",
    "夏家村党支部",
    "上徐村党支部",
    "中戴村",
    "四平村",
    "东夏村党支部",
];
const JUNK: [&str; 8] = ["√", "★★★", "2015-10-31", "优秀", "=SUM(A1)", "#N/A", "  ", "备"];
const HEADERS: [&str; 6] = ["党组织名称", "是否示范点", "星级", "活动场所", "责任人", "完成时限"];

/// A messy sheet and how many named data rows were planted in it.
struct Messy {
    cells: Vec<(u32, u32, CellValue)>,
    merges: Vec<Merge>,
    planted: usize,
}

fn t(s: &str) -> CellValue {
    CellValue::Text(s.to_string())
}

fn messy(rng: &mut Lcg) -> Messy {
    let mut cells = Vec::new();
    let mut merges = Vec::new();
    let offset = rng.below(3) as u32; // blank columns on the left
    let mut row = 0u32;
    for _ in 0..rng.below(4) {
        cells.push((row, offset, t("汤溪镇党建示范带创建情况月报表（2015年10月）")));
        if rng.below(2) == 0 {
            merges.push(Merge { first_row: row, first_col: offset, last_row: row, last_col: offset + 5 });
        }
        row += 1 + rng.below(2) as u32;
    }
    if rng.below(2) == 0 {
        cells.push((row, offset, t("填报单位：汤溪镇　填报日期：2015年10月28日")));
        row += 1;
    }
    for (c, h) in HEADERS.iter().enumerate() {
        cells.push((row, offset + c as u32, t(h)));
    }
    row += 1;
    let mut planted = 0;
    for _ in 0..rng.below(25) {
        match rng.below(10) {
            0 => row += 1, // blank row
            1 => cells.push((row, offset, t("合计"))),
            2 => cells.push((row, offset, t("填表人：张伟"))),
            3 => {
                for (c, h) in HEADERS.iter().enumerate() {
                    cells.push((row, offset + c as u32, t(h)));
                }
            }
            4 => cells.push((row, offset + 1 + rng.below(8) as u32, t(rng.pick(&JUNK)))), // junk, no name
            _ => {
                cells.push((row, offset, t(rng.pick(&NAMES))));
                for c in 1..HEADERS.len() as u32 {
                    if rng.below(3) > 0 {
                        cells.push((row, offset + c, t(rng.pick(&JUNK))));
                    }
                }
                planted += 1;
                // A value merged down over the next row (the next row is a data row too).
                if rng.below(6) == 0 {
                    merges.push(Merge {
                        first_row: row,
                        first_col: offset + 2,
                        last_row: row + 1,
                        last_col: offset + 2,
                    });
                }
            }
        }
        row += 1;
    }
    Messy { cells, merges, planted }
}

fn config() -> Config {
    Config::defaults(std::path::Path::new("."))
}

#[test]
fn generated_messy_sheets_never_panic_and_always_balance() {
    let layout = Layout::embedded();
    let ctx = SheetContext {
        layout: &layout,
        period: Period::new(2015, 10),
        campaign_year: 2015,
        is_1904: false,
        file: "x.xlsx",
    };
    let mut rng = Lcg(42);
    for case in 0..3000 {
        let m = messy(&mut rng);
        let grid = Grid::from_cells(Some("10月".to_string()), true, m.cells, m.merges);
        let out = read_sheet(&grid, &ctx);
        assert_eq!(out.rows_nonblank, out.records.len() + out.skipped() + out.rejected.len(), "case {case}");
        if out.status == SheetStatus::Used {
            // Every planted name is one record; merged continuations of non-name columns
            // never swallow a row.
            assert_eq!(out.records.len(), m.planted, "case {case}: {:?}", out.skipped_by_reason);
        }
    }
}

#[test]
fn generated_messy_workbooks_read_through_real_xlsx_files() {
    let config = config();
    let layout = Layout::embedded();
    let period = Period::new(2015, 10).expect("period");
    let discovery = Discovery::new(&config, &layout, period);
    let mut rng = Lcg(7);
    for case in 0..40 {
        let m = messy(&mut rng);
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("10月").expect("name");
        for (r, c, v) in &m.cells {
            if let CellValue::Text(s) = v {
                ws.write_string(*r, *c as u16, s).expect("write");
            }
        }
        for g in &m.merges {
            if g.first_row != g.last_row || g.first_col != g.last_col {
                let top = m
                    .cells
                    .iter()
                    .find(|(r, c, _)| *r == g.first_row && *c == g.first_col)
                    .map(|(_, _, v)| v.text())
                    .unwrap_or_default();
                // Overlapping merges are refused by the writer, as by Excel: skip those.
                let _ = ws.merge_range(
                    g.first_row,
                    g.first_col as u16,
                    g.last_row,
                    g.last_col as u16,
                    &top,
                    &rust_xlsxwriter::Format::new(),
                );
            }
        }
        let bytes = wb.save_to_buffer().expect("xlsx");
        let entry = discovery.read_file("汤溪镇.xlsx", &bytes);
        for s in &entry.sheets {
            assert_eq!(s.rows_nonblank, s.records.len() + s.skipped() + s.rejected.len(), "case {case}");
        }
    }
}

//! A sheet as plain data, the same for every file format: the non-blank rows with their
//! cells, and the merged regions with their values filled into every covered cell (so a
//! value merged down several rows applies to each row), remembering which cells were filled.

use crate::HashMap;

use crate::values::CellValue;

/// A merged region, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// One row: its 0-based index and its cells from column A on.
#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub index: u32,
    pub cells: Vec<CellValue>,
}

impl GridRow {
    pub fn get(&self, col: u32) -> &CellValue {
        static EMPTY: CellValue = CellValue::Empty;
        self.cells.get(col as usize).unwrap_or(&EMPTY)
    }

    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(CellValue::is_blank)
    }

    /// The non-blank cells with their columns.
    pub fn non_blank(&self) -> impl Iterator<Item = (u32, &CellValue)> {
        self.cells.iter().enumerate().filter(|(_, c)| !c.is_blank()).map(|(i, c)| (i as u32, c))
    }
}

/// A sheet: `name` is `None` for a CSV.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grid {
    pub name: Option<String>,
    /// Cells the reader had to leave out (error values it does not know, like #SPILL!).
    pub unreadable_cells: u32,
    /// Some bytes of the file could not be decoded as text (they show as U+FFFD).
    pub broken_text: bool,
    pub visible: bool,
    /// Rows in ascending order; rows never seen hold no value and are absent.
    pub rows: Vec<GridRow>,
    pub merges: Vec<Merge>,
    /// Cells that hold a copy of a merged region's value: position → region's first cell.
    filled: HashMap<(u32, u32), (u32, u32)>,
}

/// Largest number of cells merge filling may add to one sheet; beyond it merges are kept as
/// read (a pathological file must not grow without bound).
const MAX_MERGE_FILL: u64 = 200_000;

impl Grid {
    /// Builds a grid from sparse cells (0-based row, col); blank cells are dropped.
    pub fn from_cells(
        name: Option<String>,
        visible: bool,
        mut cells: Vec<(u32, u32, CellValue)>,
        merges: Vec<Merge>,
    ) -> Grid {
        cells.retain(|(_, _, v)| !v.is_blank());
        cells.sort_by_key(|(r, c, _)| (*r, *c));
        let mut rows: Vec<GridRow> = Vec::new();
        for (r, c, v) in cells {
            if rows.last().is_none_or(|last| last.index != r) {
                rows.push(GridRow { index: r, cells: Vec::new() });
            }
            if let Some(row) = rows.last_mut() {
                let c = c as usize;
                if row.cells.len() <= c {
                    row.cells.resize(c + 1, CellValue::Empty);
                }
                if let Some(slot) = row.cells.get_mut(c) {
                    *slot = v;
                }
            }
        }
        let mut grid =
            Grid { name, visible, rows, merges, filled: HashMap::default(), unreadable_cells: 0, broken_text: false };
        grid.fill_merges();
        grid
    }

    fn fill_merges(&mut self) {
        let total: u64 = self
            .merges
            .iter()
            .map(|m| {
                (u64::from(m.last_row.saturating_sub(m.first_row)) + 1)
                    * (u64::from(m.last_col.saturating_sub(m.first_col)) + 1)
            })
            .sum();
        if total > MAX_MERGE_FILL {
            return;
        }
        let merges = self.merges.clone();
        for m in merges {
            let Some(value) = self.get(m.first_row, m.first_col).cloned() else { continue };
            if value.is_blank() {
                continue;
            }
            for r in m.first_row..=m.last_row {
                for c in m.first_col..=m.last_col {
                    if (r, c) != (m.first_row, m.first_col) {
                        self.set(r, c, value.clone());
                        self.filled.insert((r, c), (m.first_row, m.first_col));
                    }
                }
            }
        }
    }

    fn set(&mut self, r: u32, c: u32, v: CellValue) {
        let pos = match self.rows.binary_search_by_key(&r, |row| row.index) {
            Ok(pos) => pos,
            Err(pos) => {
                self.rows.insert(pos, GridRow { index: r, cells: Vec::new() });
                pos
            }
        };
        if let Some(row) = self.rows.get_mut(pos) {
            let c = c as usize;
            if row.cells.len() <= c {
                row.cells.resize(c + 1, CellValue::Empty);
            }
            if let Some(slot) = row.cells.get_mut(c) {
                *slot = v;
            }
        }
    }

    pub fn row(&self, r: u32) -> Option<&GridRow> {
        self.rows.binary_search_by_key(&r, |row| row.index).ok().and_then(|i| self.rows.get(i))
    }

    pub fn get(&self, r: u32, c: u32) -> Option<&CellValue> {
        self.row(r).map(|row| row.get(c))
    }

    /// The first cell of the merged region this cell was filled from, if it was.
    pub fn merge_origin(&self, r: u32, c: u32) -> Option<(u32, u32)> {
        self.filled.get(&(r, c)).copied()
    }

    /// The merged region that starts at this cell, if any.
    pub fn merge_at(&self, r: u32, c: u32) -> Option<Merge> {
        self.merges.iter().copied().find(|m| m.first_row == r && m.first_col == c)
    }

    pub fn non_blank_rows(&self) -> impl Iterator<Item = &GridRow> {
        self.rows.iter().filter(|r| !r.is_blank())
    }
}

#[cfg(test)]
mod tests {
    use super::{Grid, Merge};
    use crate::values::CellValue;

    fn t(s: &str) -> CellValue {
        CellValue::Text(s.to_string())
    }

    #[test]
    fn merged_values_fill_every_covered_cell_and_remember_their_origin() {
        let cells = vec![(0, 0, t("五个有")), (2, 1, t("寺平村党支部")), (3, 2, t("措施二"))];
        let merges = vec![
            Merge { first_row: 0, first_col: 0, last_row: 0, last_col: 4 },
            Merge { first_row: 2, first_col: 1, last_row: 3, last_col: 1 },
        ];
        let g = Grid::from_cells(Some("s".into()), true, cells, merges);
        assert_eq!(g.get(0, 4), Some(&t("五个有")));
        assert_eq!(g.get(3, 1), Some(&t("寺平村党支部")));
        assert_eq!(g.merge_origin(3, 1), Some((2, 1)));
        assert_eq!(g.merge_origin(2, 1), None);
        assert_eq!(g.get(3, 2), Some(&t("措施二")));
        assert_eq!(g.get(1, 0), None);
    }

    #[test]
    fn blank_cells_make_no_rows() {
        let g = Grid::from_cells(None, true, vec![(5, 3, t("  ")), (1, 0, CellValue::Empty), (2, 2, t("x"))], vec![]);
        assert_eq!(g.rows.len(), 1);
        assert_eq!(g.rows.first().map(|r| r.index), Some(2));
    }
}

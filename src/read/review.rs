//! Reads back what the clerk chose in the 待核实 sheet of a summary workbook (SPEC §7):
//! rows are found by their header names, never by position, since users sort and filter.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use crate::read::ReadError;

/// One row of 待核实 whose 核实结果 is filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewChoice {
    pub unit: String,
    pub reported: String,
    /// The label chosen (a candidate's label, or 否).
    pub choice: String,
    /// The candidate labels shown on the row.
    pub candidates: Vec<String>,
}

/// The filled-in rows of the 待核实 sheets (and their continuations) of a summary workbook.
pub fn review_choices(bytes: &[u8]) -> Result<Vec<ReviewChoice>, ReadError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt(e.to_string()))?;
    let names: Vec<String> = wb.sheet_names().into_iter().filter(|n| n.starts_with("待核实")).collect();
    let mut out = Vec::new();
    for name in names {
        let range = wb.worksheet_range(&name).map_err(|e| ReadError::Corrupt(e.to_string()))?;
        let rows: Vec<Vec<String>> =
            range.rows().map(|r| r.iter().map(|c| c.to_string().trim().to_string()).collect()).collect();
        let Some((h, header)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.iter().any(|c| c == "核实结果") && r.iter().any(|c| c == "上报名称"))
        else {
            continue;
        };
        let col = |name: &str| header.iter().position(|c| c == name);
        let (Some(unit), Some(reported), Some(result)) = (col("单位"), col("上报名称"), col("核实结果"))
        else {
            continue;
        };
        let candidate_cols: Vec<usize> = (1..=3).filter_map(|k| col(&format!("候选{k}"))).collect();
        for row in rows.iter().skip(h + 1) {
            let get = |i: usize| row.get(i).cloned().unwrap_or_default();
            let choice = get(result);
            if choice.is_empty() || get(reported).is_empty() {
                continue;
            }
            out.push(ReviewChoice {
                unit: get(unit),
                reported: get(reported),
                choice,
                candidates: candidate_cols.iter().map(|c| get(*c)).filter(|c| !c.is_empty()).collect(),
            });
        }
    }
    Ok(out)
}

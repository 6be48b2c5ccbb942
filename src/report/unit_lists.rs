//! Correction lists (SPEC §6.3): one small workbook per unit with at least one 错误 or 警告,
//! `退回修改/<unit>_问题清单_<period>.xlsx`, formatted to be e-mailed back as is.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::model::Severity;
use crate::report::Report;

/// The folder the lists are written to, inside the output folder.
pub const FOLDER: &str = "退回修改";

/// The file name of a unit's list.
pub fn file_name(unit: &str, report: &Report<'_>) -> String {
    format!("{unit}_问题清单_{}.xlsx", report.period)
}

/// Units with at least one error or warning, in configured order.
pub fn units_with_problems<'r>(report: &'r Report<'_>) -> Vec<&'r str> {
    report
        .config
        .units
        .iter()
        .map(|u| u.name.as_str())
        .filter(|u| {
            report
                .issues
                .iter()
                .any(|i| i.unit.as_deref() == Some(*u) && matches!(i.severity(), Severity::Error | Severity::Warning))
        })
        .collect()
}

/// A unit's correction list as bytes.
pub fn unit_list_bytes(report: &Report<'_>, unit: &str) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("问题清单")?;
    ws.write_string(0, 0, format!("{unit}{}问题清单", report.period.chinese()))?;
    wb.save_to_buffer()
}

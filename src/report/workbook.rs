//! The summary workbook `汇总_<period>.xlsx` (SPEC §6.1): the 13 sheets in order.

use rust_xlsxwriter::{Workbook, XlsxError};

use crate::report::Report;

/// The summary workbook as bytes.
pub fn workbook_bytes(report: &Report<'_>) -> Result<Vec<u8>, XlsxError> {
    let _ = report;
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("汇总")?;
    wb.save_to_buffer()
}

/// The empty master-list template `huizong init` writes.
pub fn master_template_bytes() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("名册")?;
    for (c, h) in ["单位", "组织名称", "组织编码", "组织类别", "别名", "现星级"].iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    wb.save_to_buffer()
}

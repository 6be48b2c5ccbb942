//! Correction lists (SPEC §6.3): one small workbook per unit with at least one 错误 or 警告,
//! `退回修改/<unit>_问题清单_<period>.xlsx`, formatted to be e-mailed back as is. Input: a
//! [`Report`] and a unit. Output: the bytes of the workbook, identical for an identical
//! report.
//!
//! The list holds the unit's errors, then its warnings, each in report order, then nothing
//! else: information (提示) stays in the summary workbook. A row of the unit's return with
//! values but no name is an error here too ("数据行无名称"). 来源 is plain text, as the file
//! travels without the returns it points into. The formatting is the summary workbook's
//! (`workbook::write_table`).

use rust_xlsxwriter::XlsxError;

use crate::HashMap;

use crate::model::{Issue, RejectedRow, Severity};
use crate::report::Report;
use crate::report::workbook::{self, Cell, Ctx, Formats, Table};

/// The folder the lists are written to, inside the output folder.
pub const FOLDER: &str = "退回修改";

/// The label of a rejected row in the list.
const REJECTED_ROW: &str = "数据行无名称";

const HEADERS: [&str; 6] = ["序号", "严重程度", "问题类型", "组织名称", "说明", "来源"];

/// The file name of a unit's list.
pub fn file_name(unit: &str, report: &Report<'_>) -> String {
    format!("{unit}_问题清单_{}.xlsx", report.period)
}

fn is_problem(severity: Severity) -> bool {
    match severity {
        Severity::Error | Severity::Warning => true,
        Severity::Info => false,
    }
}

/// Each unit's errors and warnings and its rows with values but no name, gathered in one
/// pass over the report (a province has 1,400 units: no per-unit scans).
pub struct Problems<'r> {
    issues: HashMap<&'r str, Vec<&'r Issue>>,
    rejected: HashMap<&'r str, Vec<&'r RejectedRow>>,
    units: Vec<&'r str>,
}

impl<'r> Problems<'r> {
    pub fn of(report: &'r Report<'_>) -> Problems<'r> {
        let mut issues: HashMap<&str, Vec<&Issue>> = HashMap::default();
        for i in report.issues.iter().filter(|i| is_problem(i.severity())) {
            if let Some(u) = i.unit.as_deref() {
                issues.entry(u).or_default().push(i);
            }
        }
        let mut rejected: HashMap<&str, Vec<&RejectedRow>> = HashMap::default();
        for r in report.rejected_rows() {
            if let Some(u) = r.unit.as_deref() {
                rejected.entry(u).or_default().push(r);
            }
        }
        let units = report
            .config
            .units
            .iter()
            .map(|u| u.name.as_str())
            .filter(|u| issues.contains_key(u) || rejected.contains_key(u))
            .collect();
        Problems { issues, rejected, units }
    }

    /// Units with at least one error or warning (a row without a name counts as an error),
    /// in configured order.
    pub fn units(&self) -> &[&'r str] {
        &self.units
    }
}

/// Units with at least one error or warning (a row without a name counts as an error), in
/// configured order.
pub fn units_with_problems<'r>(report: &'r Report<'_>) -> Vec<&'r str> {
    Problems::of(report).units
}

/// The rows of a unit's list (without 序号) and its counts of errors and warnings.
fn list_rows<'r>(problems: &'r Problems<'_>, unit: &str) -> (Vec<Vec<Cell<'r>>>, usize, usize) {
    let issues: &[&Issue] = problems.issues.get(unit).map_or(&[], Vec::as_slice);
    let issue_row = |i: &'r Issue| -> Vec<Cell<'r>> {
        vec![
            Cell::tag(i.severity().label()),
            Cell::text(i.code.label()),
            Cell::opt_text(i.org_name.as_deref()),
            Cell::text(&i.message),
            Cell::opt_source(i.source.as_ref()),
        ]
    };
    let errors = issues.iter().filter(|i| i.severity() == Severity::Error);
    let warnings = issues.iter().filter(|i| i.severity() == Severity::Warning);
    let rejected: &[&RejectedRow] = problems.rejected.get(unit).map_or(&[], Vec::as_slice);
    let mut rows: Vec<Vec<Cell>> = errors.clone().map(|i| issue_row(i)).collect();
    rows.extend(rejected.iter().map(|r| {
        vec![
            Cell::tag(Severity::Error.label()),
            Cell::text(REJECTED_ROW),
            Cell::Blank,
            Cell::text(&r.reason),
            Cell::opt_source(Some(&r.source)),
        ]
    }));
    rows.extend(warnings.clone().map(|i| issue_row(i)));
    (rows, errors.count() + rejected.len(), warnings.count())
}

/// A unit's correction list as bytes (see [`unit_list_bytes_of`]).
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded).
pub fn unit_list_bytes(report: &Report<'_>, unit: &str) -> Result<Vec<u8>, XlsxError> {
    unit_list_bytes_of(report, &Problems::of(report), unit)
}

/// A unit's correction list as bytes: the sheet 问题清单 (title, the count, the table, the
/// 落款) and a short 说明 on how to read it.
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded).
pub fn unit_list_bytes_of(report: &Report<'_>, problems: &Problems<'_>, unit: &str) -> Result<Vec<u8>, XlsxError> {
    let config = report.config;
    let title = format!("{unit}{}{}报表问题清单", report.period.chinese(), config.title);
    // No source base: 来源 is plain text.
    let ctx = Ctx { f: Formats::new(), title: title.clone(), source_base: None, xf: None };
    let mut wb = workbook::output_workbook();
    wb.set_properties(&workbook::properties(report, &title)?);

    let (rows, errors, warnings) = list_rows(problems, unit);
    let note = format!("共{errors}个错误、{warnings}个警告，请于下次报送前改正");
    let rows = workbook::numbered(rows);
    let table = Table {
        name: "问题清单",
        title: &title,
        note: Some(&note),
        headers: &HEADERS,
        rows: &rows,
        empty: workbook::EMPTY,
        filter: true,
    };
    let (end, widths) = workbook::write_table(&mut wb, &ctx, &table)?;
    let ws = wb.worksheet_from_name("问题清单")?;
    workbook::write_sign(ws, &ctx, end + 1, &widths, &config.organiser, report.period.last_day())?;

    let guide = [
        ["严重程度", "“错误”须改正后重新报送；“警告”请核实，确有问题的请改正，无误的可在备注中说明。"],
        ["来源", "“文件名!工作表!单元格”，指出问题所在的报表文件、工作表和单元格（该行党组织名称所在的单元格）。"],
        ["说明", "每条问题写明哪里不对、应当如何填报。"],
        ["汇总期间", &report.period.chinese()],
        ["汇总单位", &config.organiser],
    ];
    let guide: Vec<Vec<Cell>> = guide.iter().map(|[k, v]| vec![Cell::tag(*k), Cell::text(*v)]).collect();
    let notes_title = format!("{title}—说明");
    let notes = Table {
        name: "说明",
        title: &notes_title,
        note: None,
        headers: &["项目", "内容"],
        rows: &guide,
        empty: workbook::EMPTY,
        filter: false,
    };
    workbook::write_table(&mut wb, &ctx, &notes)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::{file_name, unit_list_bytes, units_with_problems};
    use crate::config::Config;
    use crate::discover::{FileEntry, FileStatus};
    use crate::model::{Issue, IssueCode, RejectedRow, Source};
    use crate::period::Period;
    use crate::read::sheet::{SheetOutcome, SheetStatus};
    use crate::report::{Accounting, Report};

    fn src(file: &str, row: u32) -> Option<Source> {
        Some(Source::cell(file, Some("10月"), row, 1))
    }

    fn issue(code: IssueCode, unit: &str, row: u32, message: &str) -> Issue {
        let mut i = Issue::new(code, Some(unit), src(&format!("{unit}.xlsx"), row), message.into());
        i.org_name = Some(format!("{unit}第{row}行党支部"));
        i
    }

    /// Issues of two units, in report order (unit, then source): errors and warnings mixed,
    /// information, and one issue without a unit.
    fn issues() -> Vec<Issue> {
        vec![
            issue(IssueCode::PlanIncomplete, "苏孟乡", 4, "未填责任人"),
            issue(IssueCode::Unmatched, "苏孟乡", 5, "“青湖村”在名册中未找到"),
            issue(IssueCode::SkippedSheet, "苏孟乡", 6, "工作表已跳过"),
            issue(IssueCode::Duplicate, "苏孟乡", 7, "重复上报"),
            issue(IssueCode::DeadlineLate, "苏孟乡", 8, "完成时限超期"),
            Issue::new(
                IssueCode::PointsShortfall,
                Some("苏孟乡"),
                None,
                "苏孟乡示范带应建10个点，有效9个，缺1个".into(),
            ),
            issue(IssueCode::Unmatched, "汤溪镇", 4, "汤溪镇的错误"),
            issue(IssueCode::NeedsReview, "汤溪镇", 5, "汤溪镇的警告"),
            Issue::new(IssueCode::IgnoredFile, None, Some(Source::file("说明.txt")), "非报表文件".into()),
        ]
    }

    fn file_with_rejected_row() -> FileEntry {
        let sheet = SheetOutcome {
            name: Some("10月".into()),
            status: SheetStatus::Used,
            header_row: Some(3),
            rows_nonblank: 1,
            records: Vec::new(),
            skipped_by_reason: BTreeMap::new(),
            rejected: vec![RejectedRow {
                source: Source::cell("苏孟乡.xlsx", Some("10月"), 9, 1),
                unit: Some("苏孟乡".into()),
                reason: "此行有数据（3、达标）但没有党组织名称，请补填名称或删除此行".into(),
            }],
            issues: Vec::new(),
            statements: Vec::new(),
            demo_sheet: false,
            missing: BTreeSet::new(),
            taken: 0,
        };
        FileEntry {
            rel: "苏孟乡.xlsx".into(),
            sha256: "ab".repeat(32),
            status: FileStatus::Used,
            unit: Some("苏孟乡".into()),
            reason: None,
            sheets: vec![sheet],
            modified: None,
            issues: Vec::new(),
        }
    }

    struct Fixture {
        config: Config,
        issues: Vec<Issue>,
        files: Vec<FileEntry>,
    }

    fn fixture() -> Fixture {
        Fixture { config: Config::defaults(Path::new(".")), issues: issues(), files: vec![file_with_rejected_row()] }
    }

    fn report(fx: &Fixture) -> Report<'_> {
        Report {
            config: &fx.config,
            period: Period::new(2015, 10).expect("period"),
            files: &fx.files,
            orgs: &[],
            records: &[],
            units: &[],
            issues: &fx.issues,
            accounting: Accounting::of(&fx.files),
            source_base: "../returns/2015-10/".into(),
            changes: &[],
            previous: None,
        }
    }

    /// The cells of a sheet as strings (numbers as integers), row by row.
    fn cells(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<Data>> {
        let mut xl: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("open");
        let range = xl.worksheet_range(sheet).expect("sheet");
        range.rows().map(<[Data]>::to_vec).collect()
    }

    fn s(text: &str) -> Data {
        Data::String(text.into())
    }

    #[test]
    fn a_units_list_holds_its_errors_then_its_warnings_and_nothing_else() {
        let fx = fixture();
        let rows = cells(unit_list_bytes(&report(&fx), "苏孟乡").expect("list"), "问题清单");
        assert_eq!(rows[0][0], s("苏孟乡2015年10月党建示范带创建报表问题清单"));
        assert_eq!(rows[1][0], s("共4个错误、2个警告，请于下次报送前改正"));
        assert_eq!(rows[2][..6], ["序号", "严重程度", "问题类型", "组织名称", "说明", "来源"].map(s));
        let table: Vec<[String; 4]> = rows[3..9].iter().map(|r| [1, 2, 4, 5].map(|c| r[c].to_string())).collect();
        let want = [
            ["错误", "名称未匹配", "“青湖村”在名册中未找到", "苏孟乡.xlsx!10月!B5"],
            ["错误", "重复上报", "重复上报", "苏孟乡.xlsx!10月!B7"],
            ["错误", "示范带点数不足", "苏孟乡示范带应建10个点，有效9个，缺1个", ""],
            [
                "错误",
                "数据行无名称",
                "此行有数据（3、达标）但没有党组织名称，请补填名称或删除此行",
                "苏孟乡.xlsx!10月!B9",
            ],
            ["警告", "一点一策不完整", "未填责任人", "苏孟乡.xlsx!10月!B4"],
            ["警告", "完成时限超期", "完成时限超期", "苏孟乡.xlsx!10月!B8"],
        ]
        .map(|r| r.map(String::from));
        assert_eq!(table, want);
        assert_eq!(rows[3][0], Data::Float(1.0));
        assert_eq!(rows[3][3], s("苏孟乡第5行党支部"));
        let text: Vec<String> = rows.iter().flatten().map(|c| c.to_string()).collect();
        for absent in ["汤溪镇", "工作表已跳过", "非报表文件"] {
            assert!(!text.iter().any(|t| t.contains(absent)), "{absent} is not in 苏孟乡's list");
        }
        assert!(text.contains(&"金华经济技术开发区".to_string()) && text.contains(&"2015年10月31日".to_string()));
    }

    #[test]
    fn another_units_list_holds_only_its_own() {
        let fx = fixture();
        let rows = cells(unit_list_bytes(&report(&fx), "汤溪镇").expect("list"), "问题清单");
        assert_eq!(rows[1][0], s("共1个错误、1个警告，请于下次报送前改正"));
        assert_eq!(rows[3][4], s("汤溪镇的错误"));
        assert_eq!(rows[4][4], s("汤溪镇的警告"));
        assert!(rows.get(5).is_none_or(|r| r.iter().all(|c| *c == Data::Empty || c.to_string().contains("开发区"))));
    }

    #[test]
    fn sources_are_plain_text_without_links() {
        let fx = fixture();
        let bytes = unit_list_bytes(&report(&fx), "苏孟乡").expect("list");
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).expect("part");
            let mut xml = String::new();
            std::io::Read::read_to_string(&mut f, &mut xml).expect("read");
            assert!(!xml.contains("<hyperlink"), "{:?} has a link", f.name());
            assert!(!xml.contains("TargetMode=\"External\""), "{:?} points outside", f.name());
        }
    }

    #[test]
    fn two_writes_are_byte_identical() {
        let fx = fixture();
        let r = report(&fx);
        assert_eq!(unit_list_bytes(&r, "苏孟乡").expect("one"), unit_list_bytes(&r, "苏孟乡").expect("two"));
    }

    #[test]
    fn units_with_problems_are_those_with_errors_warnings_or_rejected_rows() {
        let mut fx = fixture();
        assert_eq!(units_with_problems(&report(&fx)), ["苏孟乡", "汤溪镇"]);
        // Only information and a row without a name: 苏孟乡 still has a list.
        fx.issues.retain(|i| i.code == IssueCode::SkippedSheet || i.unit.as_deref() == Some("汤溪镇"));
        assert_eq!(units_with_problems(&report(&fx)), ["苏孟乡", "汤溪镇"]);
        fx.files.clear();
        assert_eq!(units_with_problems(&report(&fx)), ["汤溪镇"]);
        assert_eq!(file_name("汤溪镇", &report(&fx)), "汤溪镇_问题清单_2015-10.xlsx");
    }
}

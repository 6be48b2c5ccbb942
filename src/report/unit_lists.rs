//! Correction lists (SPEC §6.3): one small workbook per unit with at least one 错误 or 警告,
//! `退回修改/<unit>_问题清单_<period>.xlsx`, formatted to be e-mailed back as is. Input: a
//! [`Report`] and a unit. Output: the bytes of the workbook, identical for an identical
//! report.
//!
//! The list holds the unit's errors, then its warnings, each in report order, then nothing
//! else: information (提示) stays in the summary workbook. A row of the unit's return with
//! values but no name is an error here too ("数据行无名称"). 来源 is plain text, as the file
//! travels without the returns it points into. The formatting is the summary workbook's
//! (`workbook::write_table`). A run makes its first list through rust_xlsxwriter and writes
//! the others as the same XML directly ([`unit_list_bytes_from`], `report/list_xml.rs`).

use std::borrow::Cow;

use rust_xlsxwriter::XlsxError;

use crate::HashMap;

use crate::model::{Issue, RejectedRow, Severity};
use crate::report::Report;
use crate::report::list_xml;
pub use crate::report::list_xml::Reference;
use crate::report::workbook::{self, Cell, Ctx, Formats, Table, XfIndices};

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

/// What a unit's list holds: the sheet 问题清单 (title, the count, the table, the 落款) and a
/// short 说明 on how to read it.
struct Content<'r> {
    title: String,
    note: String,
    rows: Vec<Vec<Cell<'r>>>,
    notes_title: String,
    guide: Vec<Vec<Cell<'r>>>,
    date: crate::values::Date,
}

const GUIDE_HEADERS: [&str; 2] = ["项目", "内容"];

impl<'r> Content<'r> {
    fn of(report: &'r Report<'_>, problems: &'r Problems<'_>, unit: &str) -> Content<'r> {
        let config = report.config;
        let title = format!("{unit}{}{}报表问题清单", report.period.chinese(), config.title);
        let (rows, errors, warnings) = list_rows(problems, unit);
        let guide: [(&str, Cow<'r, str>); 5] = [
            ("严重程度", "“错误”须改正后重新报送；“警告”请核实，确有问题的请改正，无误的可在备注中说明。".into()),
            (
                "来源",
                "“文件名!工作表!单元格”，指出问题所在的报表文件、工作表和单元格（该行党组织名称所在的单元格）。".into(),
            ),
            ("说明", "每条问题写明哪里不对、应当如何填报。".into()),
            ("汇总期间", report.period.chinese().into()),
            ("汇总单位", config.organiser.as_str().into()),
        ];
        Content {
            notes_title: format!("{title}—说明"),
            title,
            note: format!("共{errors}个错误、{warnings}个警告，请于下次报送前改正"),
            rows: workbook::numbered(rows),
            guide: guide.into_iter().map(|(k, v)| vec![Cell::tag(k), Cell::Text(v)]).collect(),
            date: report.period.last_day(),
        }
    }

    /// The two tables: 问题清单 and 说明.
    fn tables(&self) -> [Table<'_>; 2] {
        [
            Table {
                name: "问题清单",
                title: &self.title,
                note: Some(&self.note),
                headers: &HEADERS,
                rows: &self.rows,
                empty: workbook::EMPTY,
                filter: true,
            },
            Table {
                name: "说明",
                title: &self.notes_title,
                note: None,
                headers: &GUIDE_HEADERS,
                rows: &self.guide,
                empty: workbook::EMPTY,
                filter: false,
            },
        ]
    }
}

/// The formats of a list, with no source base: 来源 is plain text.
fn list_ctx(title: &str) -> Ctx {
    Ctx { f: Formats::new(), title: title.to_string(), source_base: None, xf: None }
}

/// A unit's correction list as bytes, made by rust_xlsxwriter: the sheet 问题清单 (title,
/// the count, the table, the 落款) and a short 说明 on how to read it. Every format is
/// registered first, in a fixed order, so that the styles and the format numbers are the
/// same in every list (which [`unit_list_bytes_from`] relies on).
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded).
pub fn unit_list_bytes_of(report: &Report<'_>, problems: &Problems<'_>, unit: &str) -> Result<Vec<u8>, XlsxError> {
    let content = Content::of(report, problems, unit);
    let ctx = list_ctx(&content.title);
    let mut wb = workbook::output_workbook();
    for f in ctx.f.all() {
        wb.register_format(f);
    }
    wb.set_properties(&workbook::properties(report, &content.title)?);
    let [list, notes] = content.tables();
    let (end, widths) = workbook::write_table(&mut wb, &ctx, &list)?;
    let ws = wb.worksheet_from_name(list.name)?;
    workbook::write_sign(ws, &ctx, end + 1, &widths, &report.config.organiser, content.date)?;
    workbook::write_table(&mut wb, &ctx, &notes)?;
    wb.save_to_buffer()
}

/// The first list of a run, made by rust_xlsxwriter, as the [`Reference`] the others are
/// written after.
///
/// # Errors
/// Whatever rust_xlsxwriter reports (a limit of Excel exceeded).
pub fn reference_list(report: &Report<'_>, problems: &Problems<'_>, unit: &str) -> Result<Reference, XlsxError> {
    Ok(Reference::new(unit_list_bytes_of(report, problems, unit)?))
}

/// [`unit_list_bytes_of`]'s list, part for part the same, written directly with `reference`
/// (another list of this report, see [`reference_list`]) for the parts every list shares
/// (see `report/list_xml.rs`). A list that module does not write is made by
/// rust_xlsxwriter.
///
/// # Errors
/// Whatever rust_xlsxwriter or the zip writer report.
pub fn unit_list_bytes_from(
    report: &Report<'_>,
    problems: &Problems<'_>,
    unit: &str,
    reference: &Reference,
) -> Result<Vec<u8>, XlsxError> {
    match direct_bytes(report, problems, unit, reference)? {
        Some(bytes) => Ok(bytes),
        None => unit_list_bytes_of(report, problems, unit),
    }
}

/// [`unit_list_bytes_from`] when [`list_xml`] writes the list, else `None`.
fn direct_bytes(
    report: &Report<'_>,
    problems: &Problems<'_>,
    unit: &str,
    reference: &Reference,
) -> Result<Option<Vec<u8>>, XlsxError> {
    let content = Content::of(report, problems, unit);
    let ctx = list_ctx(&content.title);
    let date = workbook::chinese_date(content.date);
    let Some(xf) = XfIndices::of_formats(&ctx.f) else { return Ok(None) };
    let [list, notes] = content.tables();
    let first = list_xml::table_sheet(&ctx, &xf, &list, true, Some((&report.config.organiser, &date)));
    let second = list_xml::table_sheet(&ctx, &xf, &notes, false, None);
    match (first, second) {
        (Some(first), Some(second)) => list_xml::package(reference, &[first, second], &content.title),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::io::Cursor;
    use std::path::Path;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::{
        Problems, direct_bytes, file_name, reference_list, unit_list_bytes, unit_list_bytes_from, unit_list_bytes_of,
        units_with_problems,
    };
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

    /// Fails unless packages `got` and `want` hold the same parts, showing the first that differs.
    fn assert_same_parts(label: &str, got: &[u8], want: &[u8]) {
        let (got, want) = (crate::report::package_parts(got), crate::report::package_parts(want));
        for (g, w) in got.iter().zip(&want) {
            assert!(
                g == w,
                "{label} {} {}:\n{}\n{}",
                g.0,
                g.1,
                String::from_utf8_lossy(&g.2),
                String::from_utf8_lossy(&w.2)
            );
        }
        assert_eq!(got.len(), want.len(), "{label}");
    }

    #[test]
    fn lists_written_directly_have_the_parts_rust_xlsxwriter_writes() {
        let mut fx = fixture();
        let mut odd = fx.config.units[0].clone();
        odd.name = "A&B镇".into();
        fx.config.units.push(odd);
        // Four units without problems yet.
        let names: Vec<String> = fx
            .config
            .units
            .iter()
            .map(|u| u.name.clone())
            .filter(|n| !["苏孟乡", "汤溪镇", "A&B镇"].contains(&n.as_str()))
            .collect();
        let add = |fx: &mut Fixture, unit: &str, n: u32, make: &dyn Fn(u32) -> Issue| {
            fx.issues.extend((0..n).map(make).map(|mut i| {
                i.unit = Some(unit.to_string());
                i
            }));
        };
        // Rows enough that the 落款 starts a block of 16 rows of its own; long sources, so
        // the 落款 sits under the last column alone.
        add(&mut fx, &names[0], 12, &|r| {
            let long = format!("{}第{r}册.xlsx", "很长的文件名".repeat(6));
            Issue::new(IssueCode::Unmatched, None, src(&long, r + 4), format!("第{r}行未匹配"))
        });
        // Texts XML and Excel escape, padded and broken texts, wrapped ones, empty names and
        // sources, a CSV source, a character outside the basic plane, warnings and errors.
        add(&mut fx, &names[1], 40, &|r| {
            let message = match r % 8 {
                0 => "a<b>&c \"引号\" '撇号'".to_string(),
                1 => "控制\u{1}字符\u{1F}".to_string(),
                2 => "_x0041_ 与 _x12_".to_string(),
                3 => " 前后有空格 ".to_string(),
                4 => "第一行\n第二行\n第三行".to_string(),
                5 => "很长的说明，".repeat(40),
                6 => "𠀀村党支部".to_string(),
                _ => String::new(),
            };
            let code = if r % 3 == 0 { IssueCode::NeedsReview } else { IssueCode::Unmatched };
            let source = match r % 4 {
                0 => None,
                1 => Some(Source::cell("浦江镇.csv", None, r + 2, 1)),
                _ => src("浦江镇.xlsx", r + 4),
            };
            let mut i = Issue::new(code, None, source, message);
            i.org_name = (r % 5 != 0).then(|| format!("第{r}党支部"));
            i
        });
        // Left to rust_xlsxwriter: a list too long to hold in memory, a text it would write
        // as it is, a title it would escape.
        add(&mut fx, &names[2], 2_001, &|r| issue(IssueCode::Unmatched, "", r + 4, "未匹配"));
        add(&mut fx, &names[3], 1, &|r| issue(IssueCode::Unmatched, "", r + 4, "<r>x</r>"));
        add(&mut fx, "A&B镇", 1, &|r| issue(IssueCode::Unmatched, "", r + 4, "未匹配"));
        let r = report(&fx);
        let problems = Problems::of(&r);
        let units = problems.units().to_vec();
        assert_eq!(units.len(), 7, "{units:?}");
        let reference = reference_list(&r, &problems, units[0]).expect("reference");
        let mut direct = Vec::new();
        for unit in &units {
            let want = unit_list_bytes_of(&r, &problems, unit).expect("rust_xlsxwriter");
            if let Some(got) = direct_bytes(&r, &problems, unit, &reference).expect("direct") {
                assert_same_parts(unit, &got, &want);
                direct.push(*unit);
            }
            let from = unit_list_bytes_from(&r, &problems, unit, &reference).expect("from");
            assert_same_parts(unit, &from, &want);
        }
        // The text rust_xlsxwriter would have written raw reads back as it is.
        let raw = cells(unit_list_bytes(&r, &names[3]).expect("list"), "问题清单");
        assert_eq!(raw[3][4], s("<r>x</r>"));
        let left = [names[2].as_str(), names[3].as_str(), "A&B镇"];
        let expected: Vec<&str> = units.iter().copied().filter(|u| !left.contains(u)).collect();
        assert_eq!(direct, expected);
    }

    /// A small deterministic generator for the property test below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        /// A text of pieces that lay out differently: Chinese, Latin runs, figures, spaces,
        /// line breaks, characters XML and Excel escape, full-width punctuation, a character
        /// outside the basic plane, long repeats that wrap.
        fn text(&mut self) -> String {
            const PIECES: [&str; 16] = [
                "党支部",
                "合浙村",
                "AB",
                "x.xlsx",
                "123",
                " ",
                "\n",
                "&",
                "<b>",
                "\"",
                "_x0041_",
                "\u{1}",
                "，",
                "𠀀",
                "—",
                "很长的说明文字",
            ];
            let n = 1 + self.below(12);
            let mut s: String = (0..n).map(|_| PIECES[self.below(PIECES.len())]).collect();
            if self.below(10) == 0 {
                s = s.repeat(1 + self.below(30));
            }
            s
        }
    }

    #[test]
    fn random_lists_written_directly_have_the_parts_rust_xlsxwriter_writes() {
        let mut rng = Rng(0x2015_1031);
        for organiser in ["金华市", "中共金华市金东区委组织部 党建示范带工作领导小组办公室", "A"]
        {
            let mut fx = fixture();
            fx.config.organiser = organiser.to_string();
            let template = fx.config.units[0].clone();
            for u in 0..20 {
                let mut unit = template.clone();
                unit.name = format!("随机{u}镇");
                let rows = 1 + rng.below(if u % 5 == 0 { 60 } else { 20 });
                for r in 0..rows {
                    let code = if rng.below(3) == 0 { IssueCode::NeedsReview } else { IssueCode::Unmatched };
                    let source = match rng.below(4) {
                        0 => None,
                        1 => Some(Source::cell(&format!("{}.csv", rng.text()), None, r as u32 + 2, 1)),
                        _ => Some(Source::cell(&format!("{}.xlsx", rng.text()), Some(&rng.text()), r as u32 + 4, 2)),
                    };
                    let mut i = Issue::new(code, Some(&unit.name), source, rng.text());
                    i.org_name = (rng.below(4) != 0).then(|| rng.text());
                    fx.issues.push(i);
                }
                fx.config.units.push(unit);
            }
            let r = report(&fx);
            let problems = Problems::of(&r);
            let units = problems.units().to_vec();
            let reference = reference_list(&r, &problems, units[0]).expect("reference");
            let mut direct = 0;
            for unit in &units {
                let Some(got) = direct_bytes(&r, &problems, unit, &reference).expect("direct") else { continue };
                let want = unit_list_bytes_of(&r, &problems, unit).expect("rust_xlsxwriter");
                assert_same_parts(&format!("{organiser} {unit}"), &got, &want);
                direct += 1;
            }
            assert_eq!(direct, units.len(), "{organiser}: every list here is one the direct writer covers");
        }
    }
}

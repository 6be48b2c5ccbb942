//! Plain data shared by the stages: where a value came from ([`Source`]), the parsed return
//! rows ([`RawRecord`]), the discrepancies ([`Issue`]) and their closed list of codes
//! ([`IssueCode`]). Nothing here does I/O.

use serde::Serialize;

use crate::values::{Acceptance, Date, Venue};

/// Where a value came from: the file (relative to the period folder, `/`-separated), the
/// sheet (`None` for a CSV), the 1-based row and the 0-based column of the cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: String,
    pub sheet: Option<String>,
    /// 1-based row; 0 for a file- or sheet-level source.
    pub row: u32,
    /// 0-based column.
    pub col: u32,
}

impl Source {
    pub fn file(file: &str) -> Source {
        Source { file: file.to_string(), sheet: None, row: 0, col: 0 }
    }

    pub fn sheet(file: &str, sheet: Option<&str>) -> Source {
        Source { file: file.to_string(), sheet: sheet.map(str::to_string), row: 0, col: 0 }
    }

    pub fn cell(file: &str, sheet: Option<&str>, row: u32, col: u32) -> Source {
        Source { file: file.to_string(), sheet: sheet.map(str::to_string), row, col }
    }

    /// The A1 address of the cell, or `None` for a file- or sheet-level source.
    pub fn a1(&self) -> Option<String> {
        (self.row > 0).then(|| {
            let mut s = String::with_capacity(12);
            push_a1(&mut s, self.col, self.row);
            s
        })
    }

    /// `文件名!工作表!单元格` (SPEC §6.1); parts that do not apply are left out. Built in one
    /// string: every 来源 cell of a province's lists is measured and written.
    pub fn display(&self) -> String {
        let sheet_len = self.sheet.as_ref().map_or(0, |s| s.len() + 1);
        let mut s = String::with_capacity(self.file.len() + sheet_len + 13);
        s.push_str(&self.file);
        if let Some(sheet) = &self.sheet {
            s.push('!');
            s.push_str(sheet);
        }
        if self.row > 0 {
            s.push('!');
            push_a1(&mut s, self.col, self.row);
        }
        s
    }
}

/// Appends the address of a cell (0-based column, 1-based row): `B21`.
fn push_a1(out: &mut String, col: u32, row: u32) {
    push_column_letters(out, col);
    // Writing into a String cannot fail.
    let _ = std::fmt::Write::write_fmt(out, format_args!("{row}"));
}

/// The Excel column letters of a 0-based column index (0 → A, 26 → AA), written at the end
/// of `buf` (u32::MAX + 1 has 7 letters in base 26) without allocating: the sheet XML of a
/// province's lists has millions of cell references.
pub fn column_letter_bytes(col: u32, buf: &mut [u8; 8]) -> &[u8] {
    let mut start = buf.len();
    let mut n = u64::from(col) + 1;
    while n > 0 && start > 0 {
        start -= 1;
        if let Some(slot) = buf.get_mut(start) {
            *slot = b'A' + ((n - 1) % 26) as u8;
        }
        n = (n - 1) / 26;
    }
    buf.get(start..).unwrap_or_default()
}

/// Appends the Excel column letters of a 0-based column index (0 → A, 26 → AA).
fn push_column_letters(out: &mut String, col: u32) {
    let mut buf = [0u8; 8];
    out.extend(column_letter_bytes(col, &mut buf).iter().map(|b| char::from(*b)));
}

/// Excel column letters for a 0-based column index (0 → A, 26 → AA).
pub fn column_letters(col: u32) -> String {
    let mut out = String::with_capacity(3);
    push_column_letters(&mut out, col);
    out
}

/// The five "有" of a demonstration site (红色队伍/制度/载体/阵地/文化).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FiveHave {
    #[serde(rename = "队伍")]
    pub team: Option<bool>,
    #[serde(rename = "制度")]
    pub system: Option<bool>,
    #[serde(rename = "载体")]
    pub carrier: Option<bool>,
    #[serde(rename = "阵地")]
    pub position: Option<bool>,
    #[serde(rename = "文化")]
    pub culture: Option<bool>,
}

impl FiveHave {
    pub const LABELS: [&'static str; 5] = ["红色队伍", "红色制度", "红色载体", "红色阵地", "红色文化"];

    pub fn values(&self) -> [Option<bool>; 5] {
        [self.team, self.system, self.carrier, self.position, self.culture]
    }

    pub fn is_empty(&self) -> bool {
        self.values().iter().all(Option::is_none)
    }
}

/// One data row of a return, parsed but not yet matched.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// The name cell.
    pub source: Source,
    /// The unit the row is attributed to (configured full name); set when the file is
    /// attributed.
    pub unit: String,
    /// What the row's own unit column says, if the sheet has one.
    pub unit_text: Option<String>,
    pub raw_name: String,
    pub demo: bool,
    pub star: Option<u8>,
    pub target_star: Option<u8>,
    pub venue: Option<Venue>,
    pub responsible: Option<String>,
    pub deadline: Option<Date>,
    pub measures: Option<String>,
    pub contact_leader: Option<String>,
    /// `None` when the sheet has none of the five-have columns.
    pub five_have: Option<FiveHave>,
    pub acceptance: Option<Acceptance>,
    pub progress: Option<String>,
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

/// The discrepancy kinds of SPEC §5, with stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    Unmatched,
    NeedsReview,
    Duplicate,
    CrossUnit,
    PointsShortfall,
    DemoShortfall,
    PointStarLow,
    DemoStarLow,
    VenueSubstandard,
    PlanIncomplete,
    DeadlineLate,
    ContactMissing,
    FiveHaveMissing,
    MissingSubmission,
    SupersededFile,
    UnitConflict,
    BadValue,
    RejectedFile,
    IgnoredFile,
    SkippedSheet,
    StarDown,
    PointRemoved,
}

impl IssueCode {
    pub const ALL: [IssueCode; 22] = [
        IssueCode::Unmatched,
        IssueCode::NeedsReview,
        IssueCode::Duplicate,
        IssueCode::CrossUnit,
        IssueCode::PointsShortfall,
        IssueCode::DemoShortfall,
        IssueCode::PointStarLow,
        IssueCode::DemoStarLow,
        IssueCode::VenueSubstandard,
        IssueCode::PlanIncomplete,
        IssueCode::DeadlineLate,
        IssueCode::ContactMissing,
        IssueCode::FiveHaveMissing,
        IssueCode::MissingSubmission,
        IssueCode::SupersededFile,
        IssueCode::UnitConflict,
        IssueCode::BadValue,
        IssueCode::RejectedFile,
        IssueCode::IgnoredFile,
        IssueCode::SkippedSheet,
        IssueCode::StarDown,
        IssueCode::PointRemoved,
    ];

    pub fn code(self) -> &'static str {
        match self {
            IssueCode::Unmatched => "unmatched",
            IssueCode::NeedsReview => "needs_review",
            IssueCode::Duplicate => "duplicate",
            IssueCode::CrossUnit => "cross_unit",
            IssueCode::PointsShortfall => "points_shortfall",
            IssueCode::DemoShortfall => "demo_shortfall",
            IssueCode::PointStarLow => "point_star_low",
            IssueCode::DemoStarLow => "demo_star_low",
            IssueCode::VenueSubstandard => "venue_substandard",
            IssueCode::PlanIncomplete => "plan_incomplete",
            IssueCode::DeadlineLate => "deadline_late",
            IssueCode::ContactMissing => "contact_missing",
            IssueCode::FiveHaveMissing => "five_have_missing",
            IssueCode::MissingSubmission => "missing_submission",
            IssueCode::SupersededFile => "superseded_file",
            IssueCode::UnitConflict => "unit_conflict",
            IssueCode::BadValue => "bad_value",
            IssueCode::RejectedFile => "rejected_file",
            IssueCode::IgnoredFile => "ignored_file",
            IssueCode::SkippedSheet => "skipped_sheet",
            IssueCode::StarDown => "star_down",
            IssueCode::PointRemoved => "point_removed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IssueCode::Unmatched => "名称未匹配",
            IssueCode::NeedsReview => "名称待核实",
            IssueCode::Duplicate => "重复上报",
            IssueCode::CrossUnit => "跨单位上报",
            IssueCode::PointsShortfall => "示范带点数不足",
            IssueCode::DemoShortfall => "示范点数量不足",
            IssueCode::PointStarLow => "星级未达标",
            IssueCode::DemoStarLow => "示范点星级未达标",
            IssueCode::VenueSubstandard => "活动场所不达标",
            IssueCode::PlanIncomplete => "一点一策不完整",
            IssueCode::DeadlineLate => "完成时限超期",
            IssueCode::ContactMissing => "示范点未明确联系领导",
            IssueCode::FiveHaveMissing => "示范点\"五个有\"未齐全",
            IssueCode::MissingSubmission => "未上报",
            IssueCode::SupersededFile => "重复提交",
            IssueCode::UnitConflict => "填报单位不一致",
            IssueCode::BadValue => "数据格式有误",
            IssueCode::RejectedFile => "文件无法读取",
            IssueCode::IgnoredFile => "非报表文件",
            IssueCode::SkippedSheet => "工作表已跳过",
            IssueCode::StarDown => "星级下降",
            IssueCode::PointRemoved => "本月移出示范带",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            IssueCode::Unmatched
            | IssueCode::Duplicate
            | IssueCode::CrossUnit
            | IssueCode::PointsShortfall
            | IssueCode::DemoShortfall
            | IssueCode::PointStarLow
            | IssueCode::DemoStarLow
            | IssueCode::VenueSubstandard
            | IssueCode::MissingSubmission
            | IssueCode::RejectedFile => Severity::Error,
            IssueCode::NeedsReview
            | IssueCode::PlanIncomplete
            | IssueCode::DeadlineLate
            | IssueCode::ContactMissing
            | IssueCode::FiveHaveMissing
            | IssueCode::UnitConflict
            | IssueCode::BadValue
            | IssueCode::StarDown => Severity::Warning,
            IssueCode::SupersededFile | IssueCode::IgnoredFile | IssueCode::SkippedSheet | IssueCode::PointRemoved => {
                Severity::Info
            }
        }
    }

    /// Whether the code belongs on the 数据问题 sheet (file, sheet and value problems).
    pub fn is_data_problem(self) -> bool {
        matches!(
            self,
            IssueCode::RejectedFile
                | IssueCode::IgnoredFile
                | IssueCode::SupersededFile
                | IssueCode::SkippedSheet
                | IssueCode::BadValue
                | IssueCode::UnitConflict
        )
    }
}

/// One discrepancy. `record` is the 1-based id of the record it concerns, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub code: IssueCode,
    pub unit: Option<String>,
    pub record: Option<usize>,
    pub source: Option<Source>,
    /// The organisation concerned, for display (official name, else the reported name).
    pub org_name: Option<String>,
    pub message: String,
}

impl Issue {
    pub fn new(code: IssueCode, unit: Option<&str>, source: Option<Source>, message: String) -> Issue {
        Issue { code, unit: unit.map(str::to_string), record: None, source, org_name: None, message }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// A rejected data row: values in the data area but no name (SPEC §8).
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRow {
    pub source: Source,
    pub unit: Option<String>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::{Source, column_letters};

    #[test]
    fn column_letters_cover_one_two_and_three_letters() {
        for (col, want) in [
            (0, "A"),
            (1, "B"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
            (16383, "XFD"),
            (u32::MAX, "MWLQKWV"),
        ] {
            assert_eq!(column_letters(col), want, "column {col}");
        }
    }

    #[test]
    fn source_display_leaves_out_missing_parts() {
        assert_eq!(Source::cell("苏孟乡.xlsx", Some("10月"), 7, 1).display(), "苏孟乡.xlsx!10月!B7");
        assert_eq!(Source::cell("洋埠镇.csv", None, 7, 1).display(), "洋埠镇.csv!B7");
        assert_eq!(Source::sheet("a.xlsx", Some("9月")).display(), "a.xlsx!9月");
        assert_eq!(Source::file("a.txt").display(), "a.txt");
    }
}

//! The machine-readable report `汇总_<period>.json` (SPEC §6.2): English keys, stable shape,
//! deterministic content.

use serde::Serialize;

use crate::discover::FileStatus;
use crate::model::{FiveHave, Issue, Severity, Source};
use crate::read::sheet::SheetStatus;
use crate::reconcile::UnitSummary;
use crate::report::{Accounting, Report};
use crate::values::{Acceptance, Date, Venue};

pub const SCHEMA: &str = "huizong-report/1";

/// A list serialised element by element from the report, never held whole (a province's
/// records would take hundreds of MB as JSON structs).
struct Streamed<'a, F>(&'a Report<'a>, F);

impl<'a, I, T, F> Serialize for Streamed<'a, F>
where
    F: Fn(&'a Report<'a>) -> I,
    I: Iterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.1)(self.0))
    }
}

type RecordIter<'a> = std::iter::Map<
    std::iter::Zip<std::slice::Iter<'a, crate::reconcile::Record>, std::iter::Repeat<&'a Report<'a>>>,
    fn((&'a crate::reconcile::Record, &'a Report<'a>)) -> JsonRecord,
>;
type IssueIter<'a> = std::iter::Map<std::slice::Iter<'a, Issue>, fn(&'a Issue) -> JsonIssue>;

fn record_iter<'a>(report: &'a Report<'a>) -> RecordIter<'a> {
    report.records.iter().zip(std::iter::repeat(report)).map(|(r, report)| json_record(report, r))
}

fn issue_iter<'a>(report: &'a Report<'a>) -> IssueIter<'a> {
    report.issues.iter().map(json_issue)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema: &'static str,
    tool_version: &'static str,
    period: String,
    files: Vec<JsonFile>,
    accounting: &'a Accounting,
    units: &'a [UnitSummary],
    records: Streamed<'a, fn(&'a Report<'a>) -> RecordIter<'a>>,
    issues: Streamed<'a, fn(&'a Report<'a>) -> IssueIter<'a>>,
    changes: &'a [crate::history::Change],
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    sha256: String,
    status: FileStatus,
    unit: Option<String>,
    reason: Option<String>,
    sheets: Vec<JsonSheet>,
}

#[derive(Serialize)]
struct JsonSheet {
    name: Option<String>,
    status: &'static str,
    reason: Option<String>,
    header_row: Option<u32>,
    rows_nonblank: usize,
    records: usize,
    skipped: usize,
    rejected: usize,
}

#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct JsonSource {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub cell: Option<String>,
}

impl From<&Source> for JsonSource {
    fn from(s: &Source) -> JsonSource {
        JsonSource { file: s.file.clone(), sheet: s.sheet.clone(), row: (s.row > 0).then_some(s.row), cell: s.a1() }
    }
}

#[derive(Serialize)]
struct JsonOrg {
    code: Option<String>,
    name: String,
    unit: String,
}

#[derive(Serialize)]
struct JsonCandidate {
    code: Option<String>,
    name: String,
    score: f64,
}

#[derive(Serialize)]
struct JsonMatch {
    method: crate::matching::Method,
    score: f64,
    rules: Vec<String>,
    candidates: Vec<JsonCandidate>,
}

#[derive(Serialize)]
struct JsonRecord {
    id: usize,
    unit: String,
    source: JsonSource,
    raw_name: String,
    org: Option<JsonOrg>,
    #[serde(rename = "match")]
    matched: JsonMatch,
    demo: bool,
    star: Option<u8>,
    target_star: Option<u8>,
    venue: Option<Venue>,
    responsible: Option<String>,
    deadline: Option<Date>,
    measures: Option<String>,
    contact_leader: Option<String>,
    five_have: Option<FiveHave>,
    acceptance: Option<Acceptance>,
    progress: Option<String>,
    remarks: Option<String>,
    valid: bool,
}

#[derive(Serialize)]
struct JsonIssue {
    code: &'static str,
    severity: Severity,
    unit: Option<String>,
    record: Option<usize>,
    source: Option<JsonSource>,
    message: String,
}

fn json_issue(i: &Issue) -> JsonIssue {
    JsonIssue {
        code: i.code.code(),
        severity: i.severity(),
        unit: i.unit.clone(),
        record: i.record,
        source: i.source.as_ref().map(JsonSource::from),
        message: i.message.clone(),
    }
}

/// Rounds a score to four decimals so the JSON does not depend on float noise.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The report as serde writes it.
fn json_report<'r>(report: &'r Report<'r>) -> JsonReport<'r> {
    let files = report
        .files
        .iter()
        .map(|f| JsonFile {
            path: f.rel.clone(),
            sha256: f.sha256.clone(),
            status: f.status,
            unit: f.unit.clone(),
            reason: f.reason.clone(),
            sheets: f
                .sheets
                .iter()
                .map(|s| {
                    let (status, reason) = match &s.status {
                        SheetStatus::Used => ("used", None),
                        SheetStatus::Skipped(r) => ("skipped", Some(r.clone())),
                    };
                    JsonSheet {
                        name: s.name.clone(),
                        status,
                        reason,
                        header_row: s.header_row,
                        rows_nonblank: s.rows_nonblank,
                        records: s.record_count(),
                        skipped: s.skipped(),
                        rejected: s.rejected.len(),
                    }
                })
                .collect(),
        })
        .collect();
    JsonReport {
        schema: SCHEMA,
        tool_version: env!("CARGO_PKG_VERSION"),
        period: report.period.to_string(),
        files,
        accounting: &report.accounting,
        units: report.units,
        records: Streamed(report, record_iter),
        issues: Streamed(report, issue_iter),
        changes: report.changes,
    }
}

/// The JSON report (SPEC §6.2), laid out by [`LineFormatter`], with a final newline.
pub fn to_json(report: &Report<'_>) -> String {
    let mut bytes = Vec::new();
    // Writing into memory cannot fail, and the report holds nothing serde cannot write.
    write_json(report, &mut bytes).expect("bug: report serialisation cannot fail");
    String::from_utf8(bytes).expect("bug: serde_json writes UTF-8")
}

/// Writes the JSON report to `w` as it is serialised (a province's report is large: it is
/// never held as one string).
pub fn write_json(report: &Report<'_>, w: impl std::io::Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut w, LineFormatter::default());
    serde::Serialize::serialize(&json_report(report), &mut ser)?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)
}

/// Lays the report out one item per line down to [`LINE_DEPTH`]: each top-level key on its
/// line, and each file, unit, record, issue and change on one line of its own. Indenting
/// every field as well would make a province's report half again as large, and slower to
/// write and read, for no reader's benefit.
#[derive(Default)]
struct LineFormatter {
    /// Per open array or object: whether its items go on lines of their own, and whether it
    /// has any.
    open: Vec<(bool, bool)>,
}

/// Arrays and objects opened at a smaller depth than this have their items on lines of
/// their own.
const LINE_DEPTH: usize = 2;

impl LineFormatter {
    fn begin<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.open.push((self.open.len() < LINE_DEPTH, false));
        w.write_all(bracket)
    }

    fn end<W: ?Sized + std::io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        if let Some((true, true)) = self.open.pop() {
            self.new_line(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        match self.open.last_mut() {
            Some((lines, has)) => {
                *has = true;
                if *lines { self.new_line(w) } else { Ok(()) }
            }
            None => Ok(()),
        }
    }

    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.open.len() {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for LineFormatter {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.begin(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.begin(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let spaced = self.open.last().is_some_and(|(lines, _)| *lines);
        w.write_all(if spaced { b": " } else { b":" })
    }
}

/// One record of the report, built when it is serialised.
fn json_record(report: &Report<'_>, r: &crate::reconcile::Record) -> JsonRecord {
    let org_json = |i: usize| {
        report.orgs.get(i).map(|o| JsonOrg { code: o.code.clone(), name: o.name.clone(), unit: o.unit.clone() })
    };
    JsonRecord {
        id: r.id,
        unit: r.raw.unit.clone(),
        source: JsonSource::from(&r.raw.source),
        raw_name: r.raw.raw_name.clone(),
        org: r.m.org.and_then(org_json),
        matched: JsonMatch {
            method: r.m.method,
            score: round4(r.m.score),
            rules: r.m.rules.clone(),
            candidates: r
                .m
                .candidates
                .iter()
                .filter_map(|c| {
                    report.orgs.get(c.org).map(|o| JsonCandidate {
                        code: o.code.clone(),
                        name: o.name.clone(),
                        score: round4(c.score),
                    })
                })
                .collect(),
        },
        demo: r.raw.demo,
        star: r.raw.star,
        target_star: r.raw.target_star,
        venue: r.raw.venue,
        responsible: r.raw.responsible.clone(),
        deadline: r.raw.deadline,
        measures: r.raw.measures.clone(),
        contact_leader: r.raw.contact_leader.clone(),
        five_have: r.raw.five_have,
        acceptance: r.raw.acceptance,
        progress: r.raw.progress.clone(),
        remarks: r.raw.remarks.clone(),
        valid: r.valid,
    }
}

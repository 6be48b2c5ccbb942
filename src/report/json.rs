//! The machine-readable report `汇总_<period>.json` (SPEC §6.2): English keys, stable shape,
//! deterministic content.

use std::io::Write;

use serde::Serialize;

use crate::discover::FileStatus;
#[cfg(test)]
use crate::model::{FiveHave, Severity};
use crate::model::{Issue, Source};
use crate::read::sheet::SheetStatus;
use crate::reconcile::UnitSummary;
use crate::report::push_uint;
use crate::report::{Accounting, Report};
#[cfg(test)]
use crate::values::{Acceptance, Date, Venue};

pub const SCHEMA: &str = "huizong-report/1";

#[cfg(test)]
/// A list serialised element by element from the report, never held whole (a province's
/// records would take hundreds of MB as JSON structs).
struct Streamed<'a, F>(&'a Report<'a>, F);

#[cfg(test)]
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

#[cfg(test)]
type RecordIter<'a> = std::iter::Map<
    std::iter::Zip<std::slice::Iter<'a, crate::reconcile::Record>, std::iter::Repeat<&'a Report<'a>>>,
    fn((&'a crate::reconcile::Record, &'a Report<'a>)) -> JsonRecord,
>;
#[cfg(test)]
type IssueIter<'a> = std::iter::Map<std::slice::Iter<'a, Issue>, fn(&'a Issue) -> JsonIssue>;

#[cfg(test)]
fn record_iter<'a>(report: &'a Report<'a>) -> RecordIter<'a> {
    report.records.iter().zip(std::iter::repeat(report)).map(|(r, report)| json_record(report, r))
}

#[cfg(test)]
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
    // The records and the issues: written by `write_record` and `write_issue`; through serde
    // only as the tests' reference.
    #[cfg(test)]
    records: Streamed<'a, fn(&'a Report<'a>) -> RecordIter<'a>>,
    #[cfg(test)]
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

#[cfg(test)]
#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct JsonSource {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u32>,
    pub cell: Option<String>,
}

#[cfg(test)]
impl From<&Source> for JsonSource {
    fn from(s: &Source) -> JsonSource {
        JsonSource { file: s.file.clone(), sheet: s.sheet.clone(), row: (s.row > 0).then_some(s.row), cell: s.a1() }
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct JsonOrg {
    code: Option<String>,
    name: String,
    unit: String,
}

#[cfg(test)]
#[derive(Serialize)]
struct JsonCandidate {
    code: Option<String>,
    name: String,
    score: f64,
}

#[cfg(test)]
#[derive(Serialize)]
struct JsonMatch {
    method: crate::matching::Method,
    score: f64,
    rules: Vec<String>,
    candidates: Vec<JsonCandidate>,
}

#[cfg(test)]
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

#[cfg(test)]
#[derive(Serialize)]
struct JsonIssue {
    code: &'static str,
    severity: Severity,
    unit: Option<String>,
    record: Option<usize>,
    source: Option<JsonSource>,
    message: String,
}

#[cfg(test)]
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

/// The report as serde writes it (without the records and the issues outside the tests).
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
        #[cfg(test)]
        records: Streamed(report, record_iter),
        #[cfg(test)]
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
/// never held as one string). The records and the issues, 99 % of it, are written by
/// [`write_record`] and [`write_issue`]: serde_json wrote each key and each value as
/// separate pieces, and those small writes were most of the JSON's time. The rest goes
/// through serde, laid out by [`LineFormatter`]. The bytes are serde's throughout (a test
/// compares them with [`JsonReport`]'s).
pub fn write_json(report: &Report<'_>, w: impl std::io::Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    let head = json_report(report);
    w.write_all(b"{")?;
    top_value(&mut w, true, "schema", &head.schema)?;
    top_value(&mut w, false, "tool_version", &head.tool_version)?;
    top_value(&mut w, false, "period", &head.period)?;
    top_value(&mut w, false, "files", &head.files)?;
    top_value(&mut w, false, "accounting", head.accounting)?;
    top_value(&mut w, false, "units", head.units)?;
    let mut line = Vec::with_capacity(4096);
    top_lines(&mut w, "records", &mut line, report.records, |line, r| write_record(line, report, r))?;
    top_lines(&mut w, "issues", &mut line, report.issues, write_issue)?;
    top_value(&mut w, false, "changes", head.changes)?;
    w.write_all(b"\n}\n")?;
    std::io::Write::flush(&mut w)
}

/// A top-level key and its value, as [`LineFormatter`] lays them out inside the report.
fn top_value<W: std::io::Write, T: Serialize + ?Sized>(
    w: &mut W,
    first: bool,
    key: &str,
    value: &T,
) -> std::io::Result<()> {
    top_key(w, first, key)?;
    // One level in: the report's own object is open, with this key in it.
    let mut ser = serde_json::Serializer::with_formatter(&mut *w, LineFormatter { open: vec![(true, true)] });
    value.serialize(&mut ser).map_err(std::io::Error::from)
}

fn top_key<W: std::io::Write>(w: &mut W, first: bool, key: &str) -> std::io::Result<()> {
    if !first {
        w.write_all(b",")?;
    }
    w.write_all(b"\n  \"")?;
    w.write_all(key.as_bytes())?;
    w.write_all(b"\": ")
}

/// A top-level list, one item a line: each item is written into `line` by `item`.
fn top_lines<W: std::io::Write, T>(
    w: &mut W,
    key: &str,
    line: &mut Vec<u8>,
    items: &[T],
    item: impl Fn(&mut Vec<u8>, &T),
) -> std::io::Result<()> {
    top_key(w, false, key)?;
    w.write_all(b"[")?;
    for (i, t) in items.iter().enumerate() {
        line.clear();
        if i > 0 {
            line.push(b',');
        }
        line.extend_from_slice(b"\n    ");
        item(line, t);
        w.write_all(line)?;
    }
    w.write_all(if items.is_empty() { b"]" } else { b"\n  ]" })
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
fn push_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most texts need no escape: looked at whole (no early exit, so the compiler checks
    // many bytes at a time) and copied at once.
    if !bytes.iter().fold(false, |any, &b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0C => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x00..=0x1F => b'u',
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        out.extend_from_slice(&[b'\\', escape]);
        if escape == b'u' {
            // A control character: \u00 and its two hex digits.
            out.extend_from_slice(b"00");
            out.extend([b >> 4, b & 0xF].iter().filter_map(|d| HEX.get(usize::from(*d))));
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

fn push_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn push_opt_uint(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => push_uint(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends any other value as serde_json writes it (writing into memory cannot fail, and
/// these values hold nothing serde cannot write).
fn push_value(out: &mut Vec<u8>, value: &impl Serialize) {
    let _ = serde_json::to_writer(&mut *out, value);
}

fn push_source(out: &mut Vec<u8>, s: &Source) {
    out.extend_from_slice(b"{\"file\":");
    push_str(out, &s.file);
    out.extend_from_slice(b",\"sheet\":");
    push_opt_str(out, s.sheet.as_deref());
    out.extend_from_slice(b",\"row\":");
    push_opt_uint(out, (s.row > 0).then_some(u64::from(s.row)));
    out.extend_from_slice(b",\"cell\":");
    push_opt_str(out, s.a1().as_deref());
    out.push(b'}');
}

/// An organisation object's opening (`{"code":…,"name":…`), shared by a record's `org` and
/// its candidates.
fn push_code_and_name(out: &mut Vec<u8>, o: &crate::master::Org) {
    out.extend_from_slice(b"{\"code\":");
    push_opt_str(out, o.code.as_deref());
    out.extend_from_slice(b",\"name\":");
    push_str(out, &o.name);
}

/// One record, as serde writes [`JsonRecord`] (compact: it is inside a list's line).
fn write_record(out: &mut Vec<u8>, report: &Report<'_>, r: &crate::reconcile::Record) {
    out.extend_from_slice(b"{\"id\":");
    push_uint(out, r.id as u64);
    out.extend_from_slice(b",\"unit\":");
    push_str(out, &r.raw.unit);
    out.extend_from_slice(b",\"source\":");
    push_source(out, &r.raw.source);
    out.extend_from_slice(b",\"raw_name\":");
    push_str(out, &r.raw.raw_name);
    out.extend_from_slice(b",\"org\":");
    match r.m.org.and_then(|i| report.orgs.get(i)) {
        Some(o) => {
            push_code_and_name(out, o);
            out.extend_from_slice(b",\"unit\":");
            push_str(out, &o.unit);
            out.push(b'}');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"match\":{\"method\":");
    push_value(out, &r.m.method);
    out.extend_from_slice(b",\"score\":");
    push_value(out, &round4(r.m.score));
    out.extend_from_slice(b",\"rules\":[");
    for (i, rule) in r.m.rules.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, rule);
    }
    out.extend_from_slice(b"],\"candidates\":[");
    let candidates = r.m.candidates.iter().filter_map(|c| report.orgs.get(c.org).map(|o| (o, c.score)));
    for (i, (o, score)) in candidates.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_code_and_name(out, o);
        out.extend_from_slice(b",\"score\":");
        push_value(out, &round4(score));
        out.push(b'}');
    }
    let raw = &r.raw;
    out.extend_from_slice(if raw.demo { b"]},\"demo\":true,\"star\":" } else { b"]},\"demo\":false,\"star\":" });
    push_opt_uint(out, raw.star.map(u64::from));
    out.extend_from_slice(b",\"target_star\":");
    push_opt_uint(out, raw.target_star.map(u64::from));
    out.extend_from_slice(b",\"venue\":");
    push_value(out, &raw.venue);
    out.extend_from_slice(b",\"responsible\":");
    push_opt_str(out, raw.responsible.as_deref());
    out.extend_from_slice(b",\"deadline\":");
    push_value(out, &raw.deadline);
    out.extend_from_slice(b",\"measures\":");
    push_opt_str(out, raw.measures.as_deref());
    out.extend_from_slice(b",\"contact_leader\":");
    push_opt_str(out, raw.contact_leader.as_deref());
    out.extend_from_slice(b",\"five_have\":");
    push_value(out, &raw.five_have);
    out.extend_from_slice(b",\"acceptance\":");
    push_value(out, &raw.acceptance);
    out.extend_from_slice(b",\"progress\":");
    push_opt_str(out, raw.progress.as_deref());
    out.extend_from_slice(b",\"remarks\":");
    push_opt_str(out, raw.remarks.as_deref());
    out.extend_from_slice(if r.valid { b",\"valid\":true}" } else { b",\"valid\":false}" });
}

/// One issue, as serde writes [`JsonIssue`].
fn write_issue(out: &mut Vec<u8>, i: &Issue) {
    out.extend_from_slice(b"{\"code\":");
    push_str(out, i.code.code());
    out.extend_from_slice(b",\"severity\":");
    push_value(out, &i.severity());
    out.extend_from_slice(b",\"unit\":");
    push_opt_str(out, i.unit.as_deref());
    out.extend_from_slice(b",\"record\":");
    push_opt_uint(out, i.record.map(|r| r as u64));
    out.extend_from_slice(b",\"source\":");
    match &i.source {
        Some(s) => push_source(out, s),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"message\":");
    push_str(out, &i.message);
    out.push(b'}');
}

/// The JSON report all through serde: what [`write_json`] must write, byte for byte.
#[cfg(test)]
fn write_json_by_serde(report: &Report<'_>, w: impl std::io::Write) -> std::io::Result<()> {
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

#[cfg(test)]
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{write_json, write_json_by_serde};
    use crate::config::Config;
    use crate::driver;
    use crate::layout::Layout;
    use crate::ledger::Decisions;
    use crate::model::Source;
    use crate::period::Period;

    fn both(report: &crate::report::Report<'_>) -> (String, String) {
        let (mut fast, mut serde) = (Vec::new(), Vec::new());
        write_json(report, &mut fast).expect("write");
        write_json_by_serde(report, &mut serde).expect("write");
        (String::from_utf8(fast).expect("utf-8"), String::from_utf8(serde).expect("utf-8"))
    }

    /// The samples' two months, the second compared with the first, and then texts that JSON
    /// escapes put into every kind of field.
    #[test]
    fn the_report_is_written_byte_for_byte_as_serde_writes_it() {
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let config = Config::load(&samples.join("huizong.toml")).expect("config");
        let orgs = crate::master::load(config.master.as_deref().expect("master"), &config).expect("master list");
        let layout = Layout::embedded();
        let dir = tempfile::tempdir().expect("tempdir");
        let month = |m: u8, previous: Option<&Path>| {
            let period = Period::new(2015, m).expect("period");
            let files = driver::read_period(&config, &layout, &samples.join(format!("returns/{period}")), period, true)
                .expect("read");
            driver::process(&config, &orgs, period, files, previous, Decisions::default()).expect("process")
        };
        let september = month(9, None);
        let (fast, serde) = both(&september.report(&config, &orgs));
        assert_eq!(fast, serde);
        let previous = dir.path().join("汇总_2015-09.json");
        std::fs::write(&previous, fast).expect("write");

        let mut october = month(10, Some(&previous));
        assert!(!october.changes.is_empty() && !october.reconciled.issues.is_empty());
        let (fast, serde) = both(&october.report(&config, &orgs));
        assert_eq!(fast, serde);

        let odd = "引号\"反斜杠\\换行\n回车\r制表\t退格\u{8}换页\u{c}控制\u{1}\u{1f}删除\u{7f}表情😀";
        let records = &mut october.reconciled.records;
        assert!(records.len() >= 2);
        for r in records.iter_mut().take(2) {
            r.raw.raw_name = odd.into();
            r.raw.unit = odd.into();
            r.raw.measures = Some(odd.into());
            r.raw.remarks = Some(String::new());
            r.raw.source = Source::cell(odd, Some(odd), 1_048_576, 16_383);
            r.m.rules.push(odd.into());
            r.m.score = 0.833_333_333;
            r.id = usize::MAX;
        }
        if let Some(r) = records.get_mut(1) {
            r.raw.source = Source::file(odd);
            r.m.org = None;
            r.m.candidates.clear();
        }
        let issue = october.reconciled.issues.first_mut().expect("an issue");
        issue.message = odd.into();
        issue.unit = None;
        issue.record = Some(7);
        issue.source = Some(Source::sheet(odd, None));
        let report = october.report(&config, &orgs);
        let (fast, serde) = both(&report);
        assert_eq!(fast, serde);
        assert!(fast.contains("\\u0001\\u001f") && fast.contains("\\\"反斜杠\\\\换行\\n"), "escapes are written");
    }
}

//! Reconciliation (SPEC §5): from matched records to validity, per-unit counts against the
//! quotas, and every discrepancy with a Chinese message that says what is wrong and what is
//! expected. Pure functions over plain data.

use std::collections::BTreeSet;

use crate::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::layout::FieldKey;
use crate::master::Org;
use crate::matching::{MatchResult, Method};
use crate::model::{FiveHave, Issue, IssueCode, RawRecord, Severity, Source};

/// A return row with its match and validity; `id` is 1-based in report order.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: usize,
    /// Boxed: records are sorted and moved between stages, and a record's fields take
    /// several hundred bytes.
    pub raw: Box<RawRecord>,
    pub m: MatchResult,
    pub valid: bool,
}

/// A used sheet's columns that are missing, for the once-per-sheet issues.
#[derive(Debug, Clone)]
pub struct SheetColumns {
    pub unit: Option<String>,
    pub source: Source,
    pub missing: BTreeSet<FieldKey>,
    pub has_records: bool,
    pub has_demo: bool,
}

/// Per-unit figures of the 汇总 sheet and the JSON `units`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitSummary {
    pub unit: String,
    pub submitted: bool,
    pub quota_points: Option<u32>,
    pub quota_demo: u32,
    pub reported_points: u32,
    pub valid_points: u32,
    pub prev_valid_points: Option<u32>,
    pub points_shortfall: Option<u32>,
    pub reported_demo: u32,
    pub valid_demo: u32,
    pub prev_valid_demo: Option<u32>,
    pub demo_qualified: u32,
    pub demo_shortfall: u32,
    pub points_star_ok: u32,
    pub star_low: u32,
    pub venue_failures: u32,
    pub errors: u32,
    pub warnings: u32,
    pub compliant: bool,
}

pub struct Reconciled {
    pub records: Vec<Record>,
    pub units: Vec<UnitSummary>,
    pub issues: Vec<Issue>,
}

fn chinese_star(n: u8) -> &'static str {
    match n {
        1 => "一星级",
        2 => "二星级",
        3 => "三星级",
        4 => "四星级",
        5 => "五星级",
        _ => "—",
    }
}

fn issue_for(code: IssueCode, rec: &Record, org_name: &str, message: String) -> Issue {
    Issue {
        code,
        unit: Some(rec.raw.unit.clone()),
        record: Some(rec.id),
        source: Some(rec.raw.source.clone()),
        org_name: Some(org_name.to_string()),
        message,
    }
}

/// The discrepancies of one record, setting its validity. `first` is where its unit first
/// reported the same organisation, when it did.
fn record_issues(
    config: &Config,
    orgs: &[Org],
    sheet_of: &HashMap<(&str, Option<&str>), &SheetColumns>,
    rec: &mut Record,
    first: Option<String>,
) -> Vec<Issue> {
    let rules = &config.rules;
    let mut issues = Vec::new();
    let name = rec.raw.raw_name.clone();
    let unit = rec.raw.unit.clone();
    let Some(org_i) = rec.m.org else {
        rec.valid = false;
        let shown: Vec<String> = rec
            .m
            .candidates
            .iter()
            .filter_map(|c| {
                orgs.get(c.org).map(|o| {
                    let other = if o.unit == unit { String::new() } else { format!("，{}", o.unit) };
                    format!("{}（{:.2}{other}）", o.name, c.score)
                })
            })
            .collect();
        if rec.m.method == Method::Review {
            issues.push(issue_for(
                IssueCode::NeedsReview,
                rec,
                &name,
                format!(
                    "\u{201C}{name}\u{201D}可能是：{}。请在汇总表\u{201C}待核实\u{201D}中选定，确认前不计入有效点数",
                    shown.join("、")
                ),
            ));
        } else {
            let hint =
                if shown.is_empty() { String::new() } else { format!("（最接近的是{}）", shown.join("、")) };
            issues.push(issue_for(
                IssueCode::Unmatched,
                rec,
                &name,
                format!("\u{201C}{name}\u{201D}在名册中未找到{hint}：请核对是否为组织全称，如为新建组织请先补入名册"),
            ));
        }
        return issues;
    };
    let Some(org) = orgs.get(org_i) else { return issues };
    if rec.m.cross_unit {
        rec.valid = false;
        issues.push(issue_for(
            IssueCode::CrossUnit,
            rec,
            &org.name,
            format!("\u{201C}{name}\u{201D}是{}的组织（{}），不属于{unit}：请删除或核实后改报", org.unit, org.name),
        ));
        return issues;
    }
    if let Some(first) = first {
        rec.valid = false;
        issues.push(issue_for(
            IssueCode::Duplicate,
            rec,
            &org.name,
            format!("{}重复上报（已在{first}报过）：同一组织只应报一次，请删除重复行", org.name),
        ));
        return issues;
    }
    rec.valid = true;

    let min = if rec.raw.demo { rules.min_star_demo } else { rules.min_star_point };
    let code = if rec.raw.demo { IssueCode::DemoStarLow } else { IssueCode::PointStarLow };
    let role = if rec.raw.demo { "示范点" } else { "示范带各点" };
    match rec.raw.star {
        None => issues.push(issue_for(
            code,
            rec,
            &org.name,
            format!("{}未填星级：{role}应达到{}", org.name, chinese_star(min)),
        )),
        Some(s) if s < min => issues.push(issue_for(
            code,
            rec,
            &org.name,
            format!("{}现为{}，{role}应达到{}", org.name, chinese_star(s), chinese_star(min)),
        )),
        Some(_) => {}
    }
    if rules.venue_kinds.contains(&org.kind)
        && let Some(v) = rec.raw.venue
        && v.fails()
    {
        issues.push(issue_for(
            IssueCode::VenueSubstandard,
            rec,
            &org.name,
            format!("{}活动场所为\u{201C}{}\u{201D}：{}的活动场所应达标", org.name, v.label(), org.kind),
        ));
    }
    let sheet = sheet_of.get(&(rec.raw.source.file.as_str(), rec.raw.source.sheet.as_deref())).copied();
    let has_col = |k: FieldKey| sheet.is_none_or(|s| !s.missing.contains(&k));
    let mut missing = Vec::new();
    if has_col(FieldKey::Responsible) && rec.raw.responsible.is_none() {
        missing.push("责任人");
    }
    if has_col(FieldKey::Deadline) && rec.raw.deadline.is_none() {
        missing.push("完成时限");
    }
    if has_col(FieldKey::Measures) && rec.raw.measures.is_none() {
        missing.push("工作举措");
    }
    if !missing.is_empty() {
        issues.push(issue_for(
            IssueCode::PlanIncomplete,
            rec,
            &org.name,
            format!(
                "{}的\u{201C}一点一策\u{201D}缺少{}：请补填目标、举措、责任人和完成时限",
                org.name,
                missing.join("、")
            ),
        ));
    }
    if let Some(d) = rec.raw.deadline
        && d > config.campaign_deadline
    {
        issues.push(issue_for(
            IssueCode::DeadlineLate,
            rec,
            &org.name,
            format!("{}完成时限为{d}，晚于创建截止日期{}：请调整", org.name, config.campaign_deadline),
        ));
    }
    if rec.raw.demo
        && rules.require_contact_leader
        && has_col(FieldKey::ContactLeader)
        && rec.raw.contact_leader.is_none()
    {
        issues.push(issue_for(
            IssueCode::ContactMissing,
            rec,
            &org.name,
            format!("示范点{}未填联系领导：每个示范点应由一名班子成员联系", org.name),
        ));
    }
    if rec.raw.demo
        && let Some(five) = rec.raw.five_have
    {
        let lacking: Vec<&str> =
            FiveHave::LABELS.iter().zip(five.values()).filter(|(_, v)| *v == Some(false)).map(|(l, _)| *l).collect();
        if !lacking.is_empty() {
            issues.push(issue_for(
                IssueCode::FiveHaveMissing,
                rec,
                &org.name,
                format!("示范点{}尚无{}：示范点应做到\u{201C}五个有\u{201D}", org.name, lacking.join("、")),
            ));
        }
    }
    issues
}

/// Validity, record-level discrepancies, per-sheet missing columns, unit counts, shortfalls
/// and missing submissions. `submitted` lists units with a used file.
pub fn reconcile(
    config: &Config,
    orgs: &[Org],
    mut records: Vec<Record>,
    sheets: &[SheetColumns],
    submitted: &BTreeSet<String>,
    mut issues: Vec<Issue>,
) -> Reconciled {
    let rules = &config.rules;
    // The columns of each sheet, looked up by file and sheet (the first entry of a combined
    // file's sheet, as every unit's entry of it has the same columns).
    let mut sheet_of: HashMap<(&str, Option<&str>), &SheetColumns> = HashMap::default();
    for s in sheets {
        sheet_of.entry((s.source.file.as_str(), s.source.sheet.as_deref())).or_insert(s);
    }
    // Which records repeat an organisation their unit already reported: the first counts.
    // Found in record order; the records are then checked on all cores. Only records that
    // reach the duplicate check of `record_issues` (matched to a listed organisation of
    // their own unit) take part, as they did when this was one loop.
    let mut first_of: HashMap<(&str, usize), usize> = HashMap::default();
    let repeats: Vec<Option<String>> = records
        .iter()
        .enumerate()
        .map(|(i, rec)| {
            let org_i = rec.m.org.filter(|o| !rec.m.cross_unit && orgs.get(*o).is_some())?;
            let first = *first_of.entry((rec.raw.unit.as_str(), org_i)).or_insert(i);
            (first != i).then(|| records.get(first).map(|r| r.raw.source.display()).unwrap_or_default())
        })
        .collect();
    drop(first_of);
    let found: Vec<Vec<Issue>> = records
        .par_iter_mut()
        .zip(repeats)
        .map(|(rec, first)| record_issues(config, orgs, &sheet_of, rec, first))
        .collect();
    issues.extend(found.into_iter().flatten());

    // A missing column is reported once for the sheet, not once per row.
    for s in sheets.iter().filter(|s| s.has_records) {
        let lacking: Vec<&str> =
            [(FieldKey::Responsible, "责任人"), (FieldKey::Deadline, "完成时限"), (FieldKey::Measures, "工作举措")]
                .iter()
                .filter(|(k, _)| s.missing.contains(k))
                .map(|(_, l)| *l)
                .collect();
        if !lacking.is_empty() {
            let cols: Vec<String> = lacking.iter().map(|l| format!("\u{2018}{l}\u{2019}")).collect();
            issues.push(Issue::new(
                IssueCode::PlanIncomplete,
                s.unit.as_deref(),
                Some(s.source.clone()),
                format!(
                    "缺少{}列：\u{201C}一点一策\u{201D}须填写举措、责任人和完成时限，请在表中增加此列",
                    cols.join("、")
                ),
            ));
        }
        if s.has_demo && rules.require_contact_leader && s.missing.contains(&FieldKey::ContactLeader) {
            issues.push(Issue::new(
                IssueCode::ContactMissing,
                s.unit.as_deref(),
                Some(s.source.clone()),
                "缺少\u{2018}联系领导\u{2019}列：每个示范点应明确一名联系的班子成员，请在表中增加此列".to_string(),
            ));
        }
    }

    let mut by_unit: HashMap<&str, Vec<&Record>> = HashMap::default();
    for r in &records {
        by_unit.entry(r.raw.unit.as_str()).or_default().push(r);
    }
    let mut units = Vec::new();
    for u in &config.units {
        let recs: Vec<&Record> = by_unit.get(u.name.as_str()).cloned().unwrap_or_default();
        let valid: Vec<&&Record> = recs.iter().filter(|r| r.valid).collect();
        let is_submitted = submitted.contains(&u.name);
        let count = |f: &dyn Fn(&Record) -> bool| valid.iter().filter(|r| f(r)).count() as u32;
        let min_for = |r: &Record| if r.raw.demo { rules.min_star_demo } else { rules.min_star_point };
        let valid_points = valid.len() as u32;
        let valid_demo = count(&|r| r.raw.demo);
        let venue_failure = |r: &Record| {
            r.m.org.and_then(|i| orgs.get(i)).is_some_and(|o| rules.venue_kinds.contains(&o.kind))
                && r.raw.venue.is_some_and(|v| v.fails())
        };
        let summary = UnitSummary {
            unit: u.name.clone(),
            submitted: is_submitted,
            quota_points: u.points,
            quota_demo: u.demo,
            reported_points: recs.len() as u32,
            valid_points,
            prev_valid_points: None,
            points_shortfall: u.points.map(|q| q.saturating_sub(valid_points)),
            reported_demo: recs.iter().filter(|r| r.raw.demo).count() as u32,
            valid_demo,
            prev_valid_demo: None,
            demo_qualified: count(&|r| r.raw.demo && r.raw.star.is_some_and(|s| s >= rules.min_star_demo)),
            demo_shortfall: u.demo.saturating_sub(valid_demo),
            points_star_ok: count(&|r| r.raw.star.is_some_and(|s| s >= rules.min_star_point)),
            star_low: count(&|r| r.raw.star.is_none_or(|s| s < min_for(r))),
            venue_failures: count(&venue_failure),
            errors: 0,
            warnings: 0,
            compliant: false,
        };
        if !is_submitted {
            issues.push(Issue::new(
                IssueCode::MissingSubmission,
                Some(&u.name),
                None,
                format!("{}本月未上报：请催报", u.name),
            ));
        } else {
            if let (Some(q), Some(gap)) = (u.points, summary.points_shortfall)
                && gap > 0
            {
                issues.push(Issue::new(
                    IssueCode::PointsShortfall,
                    Some(&u.name),
                    None,
                    format!("{}示范带应建{q}个点，有效{}个，缺{gap}个", u.name, summary.valid_points),
                ));
            }
            if summary.demo_shortfall > 0 {
                issues.push(Issue::new(
                    IssueCode::DemoShortfall,
                    Some(&u.name),
                    None,
                    format!(
                        "{}应建{}个示范点，有效{}个，缺{}个",
                        u.name, u.demo, summary.valid_demo, summary.demo_shortfall
                    ),
                ));
            }
        }
        units.push(summary);
    }
    tally(&mut units, &issues);
    Reconciled { records, units, issues }
}

/// Counts each unit's errors and warnings and decides whether it is compliant; run again
/// when later stages (month over month) add issues.
pub fn tally(units: &mut [UnitSummary], issues: &[Issue]) {
    let mut counts: HashMap<&str, (u32, u32)> = HashMap::default();
    for i in issues {
        if let Some(u) = i.unit.as_deref() {
            let c = counts.entry(u).or_default();
            match i.severity() {
                Severity::Error => c.0 += 1,
                Severity::Warning => c.1 += 1,
                Severity::Info => {}
            }
        }
    }
    for s in units.iter_mut() {
        let (e, w) = counts.get(s.unit.as_str()).copied().unwrap_or_default();
        s.errors = e;
        s.warnings = w;
        s.compliant = s.submitted
            && s.points_shortfall.unwrap_or(0) == 0
            && s.demo_shortfall == 0
            && s.star_low == 0
            && s.venue_failures == 0;
    }
}

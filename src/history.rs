//! Month over month (SPEC §7): the previous period's JSON report compared with this
//! period's valid records, by organisation. Produces the `changes` of the report, the
//! `star_down` and `point_removed` discrepancies, and last month's valid counts per unit.
//! Pure functions; reading the previous report is the driver's job.

use serde::{Deserialize, Serialize};

use crate::master::Org;
use crate::model::{Issue, IssueCode};
use crate::reconcile::{Record, UnitSummary};

/// An organisation as the reports name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrgRef {
    pub code: Option<String>,
    pub name: String,
    pub unit: String,
}

/// What huizong reads of a previous report (a subset of SPEC §6.2), with each record as
/// `R`: [`PreviousState`] for comparing, [`PreviousRecord`] for pre-filled templates.
#[derive(Debug, Clone, Deserialize)]
pub struct PreviousReport<R = PreviousRecord> {
    pub period: String,
    pub units: Vec<PreviousUnit>,
    pub records: Vec<R>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PreviousUnit {
    pub unit: String,
    pub submitted: bool,
    pub valid_points: u32,
    pub valid_demo: u32,
}

/// What the comparison needs of a previous record. The record's other fields (plans,
/// contacts, 五有) are passed over as the report is read, not kept: a province's report
/// holds 168,000 records, and keeping them whole cost ~60 MB of the monthly run's peak and
/// a sixth of the reading time.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PreviousState {
    pub org: Option<OrgRef>,
    pub demo: bool,
    pub star: Option<u8>,
    pub venue: Option<String>,
    pub valid: bool,
}

/// A previous record whole, for templates pre-filled with last period's rows: what the
/// comparison reads, and the rest.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PreviousRecord {
    #[serde(flatten)]
    pub state: PreviousState,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub target_star: Option<u8>,
    #[serde(default)]
    pub responsible: Option<String>,
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub measures: Option<String>,
    #[serde(default)]
    pub contact_leader: Option<String>,
    #[serde(default)]
    pub five_have: Option<std::collections::BTreeMap<String, Option<bool>>>,
    #[serde(default)]
    pub acceptance: Option<String>,
    #[serde(default)]
    pub progress: Option<String>,
    #[serde(default)]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    StarUp,
    StarDown,
    DemoAdded,
    DemoRemoved,
    VenueChanged,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "新进示范带",
            ChangeKind::Removed => "移出示范带",
            ChangeKind::StarUp => "星级上升",
            ChangeKind::StarDown => "星级下降",
            ChangeKind::DemoAdded => "新增示范点",
            ChangeKind::DemoRemoved => "不再是示范点",
            ChangeKind::VenueChanged => "活动场所变化",
        }
    }
}

/// One change of one organisation; `before`/`after` are star numbers, yes/no or venue text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub unit: String,
    pub org: OrgRef,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An organisation as one period names it, borrowed from the master list or the previous
/// report (a province compares 150,000 of them; copies are made only for changes).
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrgView<'a> {
    code: Option<&'a str>,
    name: &'a str,
    unit: &'a str,
}

impl<'a> OrgView<'a> {
    fn of(org: &'a OrgRef) -> OrgView<'a> {
        OrgView { code: org.code.as_deref(), name: &org.name, unit: &org.unit }
    }

    /// The key changes are compared by: the code where given, else (unit, name).
    fn key(&self) -> (&'a str, &'a str) {
        match self.code {
            Some(c) => ("", c),
            None => (self.unit, self.name),
        }
    }

    fn owned(&self) -> OrgRef {
        OrgRef { code: self.code.map(str::to_string), name: self.name.to_string(), unit: self.unit.to_string() }
    }
}

/// The state of one organisation in a period.
#[derive(Debug, Clone, PartialEq)]
struct State<'a> {
    org: OrgView<'a>,
    demo: bool,
    star: Option<u8>,
    venue: Option<&'a str>,
    /// This period's first valid record of the organisation (index into the records).
    record: Option<usize>,
}

/// The states of a period by organisation key, in the order first seen (report order).
/// Hashed, not a `BTreeMap`: a province has 150,000 of them, and comparing string keys
/// scattered over the heap took seconds.
#[derive(Default)]
struct States<'a> {
    order: Vec<State<'a>>,
    index: crate::HashMap<(&'a str, &'a str), usize>,
}

impl<'a> States<'a> {
    /// Keeps the first state of each organisation.
    fn add(&mut self, state: State<'a>) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.index.entry(state.org.key()) {
            e.insert(self.order.len());
            self.order.push(state);
        }
    }

    fn get(&self, key: (&str, &str)) -> Option<&State<'a>> {
        self.index.get(&key).and_then(|i| self.order.get(*i))
    }

    fn iter(&self) -> impl Iterator<Item = &State<'a>> {
        self.order.iter()
    }
}

fn current_states<'a>(records: &'a [Record], orgs: &'a [Org]) -> States<'a> {
    let mut out = States::default();
    for (i, r) in records.iter().enumerate().filter(|(_, r)| r.valid) {
        let Some(o) = r.m.org.and_then(|i| orgs.get(i)) else { continue };
        let org = OrgView { code: o.code.as_deref(), name: &o.name, unit: &o.unit };
        let venue = r.raw.venue.map(|v| v.label());
        out.add(State { org, demo: r.raw.demo, star: r.raw.star, venue, record: Some(i) });
    }
    out
}

fn previous_states(prev: &PreviousReport<PreviousState>) -> States<'_> {
    let mut out = States::default();
    for r in prev.records.iter().filter(|r| r.valid) {
        let Some(org) = &r.org else { continue };
        out.add(State { org: OrgView::of(org), demo: r.demo, star: r.star, venue: r.venue.as_deref(), record: None });
    }
    out
}

fn star_text(s: Option<u8>) -> String {
    s.map_or_else(|| "未填".to_string(), |s| format!("{s}星"))
}

/// The outcome of comparing two periods.
pub struct Comparison {
    pub changes: Vec<Change>,
    pub issues: Vec<Issue>,
}

/// Compares this period's valid records with the previous report and fills last month's
/// counts into `units`. Units that sent nothing this month are not compared (their
/// points did not leave the belt; they are `missing_submission`).
pub fn compare(
    prev: &PreviousReport<PreviousState>,
    records: &[Record],
    orgs: &[Org],
    units: &mut [UnitSummary],
) -> Comparison {
    let prev_units: crate::HashMap<&str, &PreviousUnit> = prev.units.iter().map(|p| (p.unit.as_str(), p)).collect();
    for u in units.iter_mut() {
        if let Some(p) = prev_units.get(u.unit.as_str()) {
            u.prev_valid_points = Some(p.valid_points);
            u.prev_valid_demo = Some(p.valid_demo);
        }
    }
    let submitted_units: crate::HashSet<&str> = units.iter().filter(|u| u.submitted).map(|u| u.unit.as_str()).collect();
    let submitted = |unit: &str| submitted_units.contains(unit);
    let before = previous_states(prev);
    let after = current_states(records, orgs);
    let mut changes = Vec::new();
    let mut issues = Vec::new();
    let change = |kind, s: &State, before: Option<serde_json::Value>, after: Option<serde_json::Value>| Change {
        kind,
        unit: s.org.unit.to_string(),
        org: s.org.owned(),
        before,
        after,
    };
    for now in after.iter() {
        let Some(was) = before.get(now.org.key()) else {
            changes.push(change(ChangeKind::Added, now, None, None));
            continue;
        };
        let mut star_down = None;
        match (was.star, now.star) {
            (Some(a), Some(b)) if a != b => {
                let kind = if b > a { ChangeKind::StarUp } else { ChangeKind::StarDown };
                changes.push(change(kind, now, Some(a.into()), Some(b.into())));
                if b < a {
                    star_down = Some(a);
                }
            }
            (Some(a), None) => {
                changes.push(change(ChangeKind::StarDown, now, Some(a.into()), None));
                star_down = Some(a);
            }
            _ => {}
        }
        if now.demo != was.demo {
            let kind = if now.demo { ChangeKind::DemoAdded } else { ChangeKind::DemoRemoved };
            changes.push(change(kind, now, Some(was.demo.into()), Some(now.demo.into())));
        }
        if now.venue != was.venue
            && let (Some(a), Some(b)) = (&was.venue, &now.venue)
        {
            changes.push(change(ChangeKind::VenueChanged, now, Some((*a).into()), Some((*b).into())));
        }
        if let Some(a) = star_down {
            let record = now.record.and_then(|i| records.get(i));
            issues.push(Issue {
                code: IssueCode::StarDown,
                unit: Some(now.org.unit.to_string()),
                record: record.map(|r| r.id),
                source: record.map(|r| r.raw.source.clone()),
                org_name: Some(now.org.name.to_string()),
                message: format!(
                    "{}星级由上月{}降为{}：请核实原因，或在备注中说明",
                    now.org.name,
                    star_text(Some(a)),
                    star_text(now.star)
                ),
            });
        }
    }
    for was in before.iter() {
        if after.get(was.org.key()).is_some() || !submitted(was.org.unit) {
            continue;
        }
        changes.push(change(ChangeKind::Removed, was, None, None));
        issues.push(Issue {
            code: IssueCode::PointRemoved,
            unit: Some(was.org.unit.to_string()),
            record: None,
            source: None,
            org_name: Some(was.org.name.to_string()),
            message: format!("{}上月在示范带上（{}），本月未报或无效：如确已调整请说明", was.org.name, prev.period),
        });
    }
    let positions: crate::HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.unit.as_str(), i)).collect();
    let pos = |u: &str| positions.get(u).copied().unwrap_or(usize::MAX);
    changes.sort_by(|a, b| (pos(&a.unit), &a.org, a.kind).cmp(&(pos(&b.unit), &b.org, b.kind)));
    Comparison { changes, issues }
}

#[cfg(test)]
mod tests {
    use super::{ChangeKind, PreviousReport, PreviousState, PreviousUnit, compare};
    use crate::master::Org;
    use crate::matching::{MatchResult, Method};
    use crate::model::{IssueCode, RawRecord, Source};
    use crate::reconcile::{Record, UnitSummary};
    use crate::values::Venue;

    fn org(name: &str, code: &str) -> Org {
        Org {
            unit: "汤溪镇".into(),
            name: name.into(),
            code: Some(code.into()),
            kind: "村".into(),
            aliases: vec![],
            star: None,
            row: 0,
        }
    }

    fn record(id: usize, org: usize, demo: bool, star: Option<u8>, venue: Option<Venue>) -> Record {
        let raw = RawRecord {
            source: Source::cell("汤溪镇.xlsx", Some("10月"), id as u32 + 3, 1),
            unit: "汤溪镇".into(),
            unit_text: None,
            raw_name: String::new(),
            demo,
            star,
            target_star: None,
            venue,
            responsible: None,
            deadline: None,
            measures: None,
            contact_leader: None,
            five_have: None,
            acceptance: None,
            progress: None,
            remarks: None,
        };
        let m = MatchResult {
            method: Method::Exact,
            org: Some(org),
            score: 1.0,
            rules: vec![],
            candidates: vec![],
            cross_unit: false,
            normalized: String::new(),
        };
        Record { id, raw: Box::new(raw), m, valid: true }
    }

    fn prev(org: &Org, demo: bool, star: Option<u8>, venue: Option<&str>) -> PreviousState {
        PreviousState {
            org: Some(super::OrgRef { code: org.code.clone(), name: org.name.clone(), unit: org.unit.clone() }),
            demo,
            star,
            venue: venue.map(str::to_string),
            valid: true,
        }
    }

    fn unit(submitted: bool) -> UnitSummary {
        UnitSummary {
            unit: "汤溪镇".into(),
            submitted,
            quota_points: Some(15),
            quota_demo: 5,
            reported_points: 0,
            valid_points: 0,
            prev_valid_points: None,
            points_shortfall: None,
            reported_demo: 0,
            valid_demo: 0,
            prev_valid_demo: None,
            demo_qualified: 0,
            demo_shortfall: 0,
            points_star_ok: 0,
            star_low: 0,
            venue_failures: 0,
            errors: 0,
            warnings: 0,
            compliant: false,
        }
    }

    #[test]
    fn every_kind_of_change_and_its_discrepancies() {
        let orgs = vec![
            org("寺平村党支部", "1"),
            org("汤溪村党支部", "2"),
            org("夏家村党支部", "3"),
            org("中戴村党支部", "4"),
        ];
        let previous = PreviousReport {
            period: "2015-09".into(),
            units: vec![PreviousUnit { unit: "汤溪镇".into(), submitted: true, valid_points: 3, valid_demo: 1 }],
            records: vec![
                prev(&orgs[0], true, Some(5), Some("达标")),
                prev(&orgs[1], false, Some(3), Some("达标")),
                prev(&orgs[2], false, Some(4), None),
            ],
        };
        let records = vec![
            record(1, 0, false, Some(4), Some(Venue::Substandard)),
            record(2, 1, true, Some(4), Some(Venue::Standard)),
            record(3, 3, false, Some(3), None),
        ];
        let mut units = vec![unit(true)];
        let cmp = compare(&previous, &records, &orgs, &mut units);
        let kinds: Vec<(ChangeKind, &str)> = cmp.changes.iter().map(|c| (c.kind, c.org.name.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                (ChangeKind::StarDown, "寺平村党支部"),
                (ChangeKind::DemoRemoved, "寺平村党支部"),
                (ChangeKind::VenueChanged, "寺平村党支部"),
                (ChangeKind::StarUp, "汤溪村党支部"),
                (ChangeKind::DemoAdded, "汤溪村党支部"),
                (ChangeKind::Removed, "夏家村党支部"),
                (ChangeKind::Added, "中戴村党支部"),
            ]
        );
        let codes: Vec<IssueCode> = cmp.issues.iter().map(|i| i.code).collect();
        assert_eq!(codes, vec![IssueCode::StarDown, IssueCode::PointRemoved]);
        assert!(cmp.issues[0].message.contains("由上月5星降为4星"), "{}", cmp.issues[0].message);
        assert_eq!(cmp.issues[0].record, Some(1));
        assert_eq!((units[0].prev_valid_points, units[0].prev_valid_demo), (Some(3), Some(1)));
    }

    #[test]
    fn a_unit_that_sent_nothing_has_no_removed_points() {
        let orgs = vec![org("寺平村党支部", "1")];
        let previous = PreviousReport {
            period: "2015-09".into(),
            units: vec![PreviousUnit { unit: "汤溪镇".into(), submitted: true, valid_points: 1, valid_demo: 0 }],
            records: vec![prev(&orgs[0], false, Some(3), None)],
        };
        let mut units = vec![unit(false)];
        let cmp = compare(&previous, &[], &orgs, &mut units);
        assert!(cmp.changes.is_empty());
        assert!(cmp.issues.is_empty());
    }
}

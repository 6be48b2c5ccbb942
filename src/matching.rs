//! Matching reported names against the master list (SPEC §4.2), first within the row's unit,
//! then across all units: exact official name or code, the normalised key, an alias, and a
//! name without its party suffix when that place is unique. A name found only in another
//! unit is a cross-unit match, never a silent one. Then fuzzy: pinyin-aware similarity
//! ([`crate::fuzzy`]) against every organisation of the unit and, through an index, of the
//! other units; only a same-unit candidate clearly ahead of the rest is accepted, the review
//! band asks, and a fuzzy candidate from another unit goes to review at best.

use crate::HashMap;

use serde::Serialize;

use crate::config::Matching;
use crate::fuzzy::{Caution, FuzzyIndex, Prepared, Query, similarity, similarity_to};
use crate::ledger::Decisions;
use crate::master::Org;
use rayon::prelude::*;

use crate::normalize::{Normalized, Normalizer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Exact,
    Normalized,
    Alias,
    Decision,
    Fuzzy,
    Review,
    None,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Exact => "完全一致",
            Method::Normalized => "规范化一致",
            Method::Alias => "别名",
            Method::Decision => "人工核实",
            Method::Fuzzy => "相似匹配",
            Method::Review => "待核实",
            Method::None => "未匹配",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Index into the master list.
    #[serde(skip)]
    pub org: usize,
    pub score: f64,
}

/// The outcome of matching one name.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchResult {
    pub method: Method,
    /// Index into the master list of the organisation matched (in any unit).
    pub org: Option<usize>,
    pub score: f64,
    pub rules: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// The organisation belongs to another unit than the row's.
    pub cross_unit: bool,
    pub normalized: String,
}

/// Lookup tables over the master list.
pub struct MasterIndex<'a> {
    pub orgs: &'a [Org],
    normalizer: Normalizer,
    exact: HashMap<&'a str, Vec<usize>>,
    code: HashMap<&'a str, usize>,
    key: HashMap<String, Vec<usize>>,
    alias: HashMap<String, Vec<usize>>,
    place: HashMap<String, Vec<usize>>,
    prepared: Vec<Prepared>,
    fuzzy: FuzzyIndex,
    by_unit: HashMap<&'a str, Vec<usize>>,
    thresholds: Matching,
    decisions: Decisions,
}

/// A fuzzy candidate with its score.
#[derive(Debug, Clone, Copy)]
struct Scored {
    org: usize,
    score: f64,
    caution: Caution,
    same_unit: bool,
}

/// How a fuzzy score came about, for the report: the two cores, their pinyin and both
/// similarities ("主干'四平'(si ping)与'寺平'(si ping)：字面0.50，拼音1.00").
fn breakdown(q: &Prepared, c: &Prepared) -> String {
    let core = |p: &Prepared| p.core.iter().collect::<String>();
    let sound =
        |p: &Prepared| p.readings.iter().map(|r| r.first().copied().unwrap_or("?")).collect::<Vec<_>>().join(" ");
    let s = similarity(q, c);
    format!(
        "主干'{}'({})与'{}'({})：字面{:.2}，拼音{:.2}",
        core(q),
        sound(q),
        core(c),
        sound(c),
        s.char_sim,
        s.pinyin_sim
    )
}

/// Candidates shown with a review or an unmatched row.
const SHOWN_CANDIDATES: usize = 3;
/// Below this a candidate is not worth showing.
const SHOW_FLOOR: f64 = 0.5;

impl<'a> MasterIndex<'a> {
    pub fn new(orgs: &'a [Org], organiser: &str, unit_names: &[String], thresholds: &Matching) -> MasterIndex<'a> {
        let mut idx = MasterIndex {
            prepared: Vec::with_capacity(orgs.len()),
            fuzzy: FuzzyIndex::default(),
            by_unit: HashMap::default(),
            thresholds: thresholds.clone(),
            decisions: Decisions::default(),
            orgs,
            normalizer: Normalizer::new(organiser, &unit_names.iter().map(String::as_str).collect::<Vec<_>>()),
            // About one entry an organisation: sized once rather than grown by doubling.
            exact: HashMap::with_capacity_and_hasher(orgs.len(), Default::default()),
            code: HashMap::with_capacity_and_hasher(orgs.len(), Default::default()),
            key: HashMap::with_capacity_and_hasher(orgs.len(), Default::default()),
            alias: HashMap::default(),
            place: HashMap::with_capacity_and_hasher(orgs.len(), Default::default()),
        };
        // Normalising and reading the pinyin of every name is the costly part: on all cores.
        let normalized: Vec<(Normalized, Prepared, Vec<Normalized>)> = orgs
            .par_iter()
            .map(|org| {
                let n = idx.normalize(&org.name);
                let p = Prepared::new(&n.key);
                (n, p, org.aliases.iter().map(|a| idx.normalize(a)).collect())
            })
            .collect();
        let (names, prepared): (Vec<(Normalized, Vec<Normalized>)>, Vec<Prepared>) =
            normalized.into_iter().map(|(n, p, a)| ((n, a), p)).unzip();
        // The fuzzy index and the lookup tables are built side by side.
        let (fuzzy, ()) = rayon::join(
            || FuzzyIndex::new(&prepared),
            || {
                for (i, (org, (n, aliases))) in orgs.iter().zip(names).enumerate() {
                    idx.exact.entry(org.name.as_str()).or_default().push(i);
                    if let Some(code) = &org.code {
                        idx.code.insert(code.as_str(), i);
                    }
                    idx.by_unit.entry(org.unit.as_str()).or_default().push(i);
                    idx.place.entry(n.place.clone().unwrap_or_else(|| n.key.clone())).or_default().push(i);
                    idx.key.entry(n.key).or_default().push(i);
                    for a in aliases {
                        let list = idx.alias.entry(a.key).or_default();
                        if !list.contains(&i) {
                            list.push(i);
                        }
                    }
                }
            },
        );
        idx.prepared = prepared;
        idx.fuzzy = fuzzy;
        idx
    }

    /// Applies the decision ledger: a chosen organisation matches with method `decision`,
    /// a rejected one is never offered again for that name.
    pub fn with_decisions(mut self, decisions: Decisions) -> Self {
        self.decisions = decisions;
        self
    }

    pub fn normalize(&self, name: &str) -> Normalized {
        self.normalizer.normalize(name)
    }

    /// Matches `raw` reported by `unit`.
    pub fn match_name(&self, raw: &str, unit: &str) -> MatchResult {
        let raw = raw.trim();
        let n = self.normalize(raw);
        if let Some(org) = self.decisions.chosen(unit, raw) {
            let mut rules = n.rules.clone();
            rules.push("人工核实（核实记录）".to_string());
            return MatchResult {
                method: Method::Decision,
                org: Some(org),
                score: 1.0,
                rules,
                candidates: vec![Candidate { org, score: 1.0 }],
                cross_unit: self.orgs.get(org).is_some_and(|o| o.unit != unit),
                normalized: n.key,
            };
        }
        let in_unit = |list: &[usize]| -> Vec<usize> {
            list.iter().copied().filter(|i| self.orgs.get(*i).is_some_and(|o| o.unit == unit)).collect()
        };
        let result = |method: Method, org: usize, rules: Vec<String>| MatchResult {
            method,
            org: Some(org),
            score: 1.0,
            rules,
            candidates: vec![Candidate { org, score: 1.0 }],
            cross_unit: self.orgs.get(org).is_some_and(|o| o.unit != unit),
            normalized: n.key.clone(),
        };
        let empty: Vec<usize> = Vec::new();
        let exact = self.exact.get(raw).unwrap_or(&empty);
        let by_code = self.code.get(raw).map(|i| vec![*i]).unwrap_or_default();
        let key = self.key.get(&n.key).unwrap_or(&empty);
        // An alias is usually a place ("原溪西村"), reported with a party suffix or without.
        let alias_key =
            self.alias.get(&n.key).or_else(|| n.place.as_ref().and_then(|p| self.alias.get(p))).unwrap_or(&empty);
        // A name without a party suffix ("寺平村") names the organisation of that place.
        let place = if n.place.is_none() { self.place.get(&n.key).unwrap_or(&empty).clone() } else { Vec::new() };
        let mut rules = n.rules.clone();
        let tiers: [(Method, Vec<usize>, Option<&str>); 5] = [
            (Method::Exact, exact.clone(), None),
            (Method::Exact, by_code, Some("按组织编码")),
            (Method::Normalized, key.clone(), None),
            (Method::Alias, alias_key.clone(), Some("名册别名")),
            (Method::Normalized, place, Some("补全党组织类型（本单位唯一）")),
        ];
        // Within the unit first, then across units; a tier decides only when it is unique.
        for scope_all in [false, true] {
            for (method, list, rule) in &tiers {
                let hits = if scope_all { list.clone() } else { in_unit(list) };
                if hits.len() == 1
                    && let Some(org) = hits.first()
                {
                    if let Some(r) = rule {
                        rules.push((*r).to_string());
                    }
                    return result(*method, *org, rules);
                }
            }
        }
        self.fuzzy_match(n, rules, unit, raw)
    }

    /// Tier 4: scores the unit's organisations and the index's candidates from other units.
    fn fuzzy_match(&self, n: Normalized, mut rules: Vec<String>, unit: &str, raw: &str) -> MatchResult {
        let forbidden = self.decisions.forbidden(unit, raw);
        let q = Prepared::new(&n.key);
        let own: &[usize] = self.by_unit.get(unit).map_or(&[], Vec::as_slice);
        let mut pool: Vec<usize> = own.to_vec();
        pool.extend(
            self.fuzzy
                .candidates(&q, self.thresholds.review)
                .into_iter()
                .filter(|i| self.orgs.get(*i).is_some_and(|o| o.unit != unit)),
        );
        // An organisation sharing no syllable with the name scores 0, below SHOW_FLOOR.
        let signature = self.fuzzy.signature_of(&q);
        let query = Query::new(&q);
        let mut scored: Vec<Scored> = pool
            .into_iter()
            .filter(|org| !forbidden.contains(org) && !self.fuzzy.shares_nothing(signature, *org))
            .filter_map(|org| {
                let s = similarity_to(&query, self.prepared.get(org)?);
                let same_unit = self.orgs.get(org).is_some_and(|o| o.unit == unit);
                (s.score >= SHOW_FLOOR).then_some(Scored { org, score: s.score, caution: s.caution, same_unit })
            })
            .collect();
        // Best first; at equal scores the row's own unit first, then master-list order.
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(b.same_unit.cmp(&a.same_unit)).then(a.org.cmp(&b.org)));
        let t = &self.thresholds;
        let candidates = |take: &dyn Fn(&Scored) -> bool| -> Vec<Candidate> {
            scored.iter().filter(|c| take(c)).map(|c| Candidate { org: c.org, score: c.score }).collect()
        };
        let Some(&Scored { org: best, score: best_score, caution, same_unit }) = scored.first() else {
            return MatchResult {
                method: Method::None,
                org: None,
                score: 0.0,
                rules,
                candidates: Vec::new(),
                cross_unit: false,
                normalized: n.key,
            };
        };
        // The lead is over the unit's own runner-up: a homophone in another township (江家 in
        // 苏孟乡 for 蒋家 in 罗埠镇) does not make the unit's own organisation doubtful, but it
        // may not be ahead of it either.
        let second = scored.iter().skip(1).find(|c| c.same_unit).map_or(0.0, |c| c.score);
        let clear_lead = best_score - second >= t.lead - 1e-9;
        // A reported name that is also an abbreviation of other places of the unit (章村 beside
        // 上章村 and 下章村) is ambiguous even when one candidate sounds the same (樟村).
        let abbreviation_family = scored
            .iter()
            .any(|c| c.same_unit && c.org != best && c.caution == Caution::Abbreviation && c.score >= t.review);
        if best_score >= t.accept && clear_lead && same_unit && caution == Caution::None && !abbreviation_family {
            if let Some(c) = self.prepared.get(best) {
                rules.push(breakdown(&q, c));
            }
            return MatchResult {
                method: Method::Fuzzy,
                org: Some(best),
                score: best_score,
                rules,
                candidates: candidates(&|_| true).into_iter().take(SHOWN_CANDIDATES).collect(),
                cross_unit: false,
                normalized: n.key,
            };
        }
        if best_score >= t.review {
            if let Some(c) = self.prepared.get(best) {
                rules.push(breakdown(&q, c));
            }
            // The unit's own reviewable candidates come first, and every one of its
            // abbreviation fits is shown, even past three: the clerk must see them all.
            let own_first = |c: &Scored| c.same_unit && c.score >= t.review;
            let mut ranked: Vec<&Scored> = scored.iter().collect();
            ranked.sort_by(|a, b| {
                own_first(b).cmp(&own_first(a)).then(b.score.total_cmp(&a.score)).then(a.org.cmp(&b.org))
            });
            let mut shown: Vec<Candidate> = Vec::new();
            for c in &ranked {
                let fit = own_first(c) && c.caution == Caution::Abbreviation;
                if shown.len() < SHOWN_CANDIDATES || fit {
                    shown.push(Candidate { org: c.org, score: c.score });
                }
            }
            let why = if caution == Caution::Abbreviation || abbreviation_family {
                "简称或缺少方位字，可能对应多个组织"
            } else if !same_unit {
                "相似组织属于其他单位"
            } else if !clear_lead {
                "多个候选相似度接近"
            } else {
                "相似度未达自动匹配线"
            };
            rules.push(format!("待核实：{why}"));
            return MatchResult {
                method: Method::Review,
                org: None,
                score: best_score,
                rules,
                candidates: shown,
                cross_unit: false,
                normalized: n.key,
            };
        }
        let mut shown = candidates(&|_| true);
        shown.truncate(SHOWN_CANDIDATES);
        MatchResult {
            method: Method::None,
            org: None,
            score: best_score,
            rules,
            candidates: shown,
            cross_unit: false,
            normalized: n.key,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MasterIndex, Method};
    use crate::master::Org;

    fn org(unit: &str, name: &str, code: &str, aliases: &[&str]) -> Org {
        Org {
            unit: unit.to_string(),
            name: name.to_string(),
            code: Some(code.to_string()),
            kind: "村".to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            star: None,
            row: 0,
        }
    }

    fn master() -> Vec<Org> {
        vec![
            org("汤溪镇", "寺平村党支部", "330702106201", &["古寺平"]),
            org("汤溪镇", "汤溪村党支部", "330702106202", &[]),
            org("罗埠镇", "邵家村党支部", "330702107222", &[]),
            org("洋埠镇", "邵家村党支部", "330702108205", &[]),
            org("洋埠镇", "洋埠村党总支", "330702108201", &[]),
        ]
    }

    fn thresholds() -> crate::config::Matching {
        crate::config::Matching { accept: 0.92, review: 0.75, lead: 0.05 }
    }

    fn units() -> Vec<String> {
        ["汤溪镇", "罗埠镇", "洋埠镇"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tiers_in_order() {
        let m = master();
        let idx = MasterIndex::new(&m, "金华经济技术开发区", &units(), &thresholds());
        let r = idx.match_name("寺平村党支部", "汤溪镇");
        assert_eq!((r.method, r.org, r.cross_unit), (Method::Exact, Some(0), false));
        let r = idx.match_name("330702106202", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Exact, Some(1)));
        let r = idx.match_name("中共汤溪镇寺平村支部委员会", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Normalized, Some(0)));
        let r = idx.match_name("古寺平", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Alias, Some(0)));
        let r = idx.match_name("寺平村", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Normalized, Some(0)));
        let r = idx.match_name("新农村党建联盟", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::None, None));
    }

    #[test]
    fn the_same_name_in_two_units_resolves_by_the_rows_unit() {
        let m = master();
        let idx = MasterIndex::new(&m, "", &units(), &thresholds());
        assert_eq!(idx.match_name("邵家村党支部", "罗埠镇").org, Some(2));
        assert_eq!(idx.match_name("邵家村党支部", "洋埠镇").org, Some(3));
        // Reported by a third unit it names two organisations: no match.
        assert_eq!(idx.match_name("邵家村党支部", "汤溪镇").org, None);
    }

    #[test]
    fn another_units_organisation_is_cross_unit() {
        let m = master();
        let idx = MasterIndex::new(&m, "", &units(), &thresholds());
        let r = idx.match_name("洋埠村党总支", "罗埠镇");
        assert_eq!((r.org, r.cross_unit), (Some(4), true));
    }

    fn fuzzy_master() -> Vec<Org> {
        vec![
            org("汤溪镇", "寺平村党支部", "1", &[]),
            org("汤溪镇", "上徐村党支部", "2", &[]),
            org("汤溪镇", "下徐村党支部", "3", &[]),
            org("苏孟乡", "江家村党支部", "4", &[]),
            org("苏孟乡", "姜家村党支部", "5", &[]),
            org("罗埠镇", "前溪边村党支部", "6", &[]),
        ]
    }

    fn fuzzy_units() -> Vec<String> {
        ["汤溪镇", "苏孟乡", "罗埠镇"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_homophone_typo_in_the_unit_is_accepted() {
        let m = fuzzy_master();
        let idx = MasterIndex::new(&m, "", &fuzzy_units(), &thresholds());
        let r = idx.match_name("四平村", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Fuzzy, Some(0)));
        assert!((r.score - 0.97).abs() < 1e-9);
        assert!(
            r.rules.iter().any(|x| x.contains("主干'四平'(si ping)与'寺平'(si ping)：字面0.50，拼音1.00")),
            "{:?}",
            r.rules
        );
    }

    #[test]
    fn a_homophone_of_another_units_organisation_goes_to_review() {
        let m = fuzzy_master();
        let idx = MasterIndex::new(&m, "", &fuzzy_units(), &thresholds());
        let r = idx.match_name("前西边村", "汤溪镇");
        assert_eq!((r.method, r.org), (Method::Review, None));
        assert_eq!(r.candidates.first().map(|c| c.org), Some(5));
    }

    #[test]
    fn an_abbreviation_that_fits_two_villages_goes_to_review_with_both() {
        let m = fuzzy_master();
        let idx = MasterIndex::new(&m, "", &fuzzy_units(), &thresholds());
        let r = idx.match_name("徐村", "汤溪镇");
        assert_eq!(r.method, Method::Review);
        let mut orgs: Vec<usize> = r.candidates.iter().map(|c| c.org).collect();
        orgs.sort_unstable();
        assert_eq!(&orgs[..2], &[1, 2]);
    }

    #[test]
    fn homophone_villages_in_one_unit_are_never_guessed() {
        let m = fuzzy_master();
        let idx = MasterIndex::new(&m, "", &fuzzy_units(), &thresholds());
        // 蒋家 reads jiang jia like both 江家 and 姜家: no clear lead.
        let r = idx.match_name("蒋家村", "苏孟乡");
        assert_eq!(r.method, Method::Review);
        assert_eq!(r.candidates.len(), 2);
    }

    #[test]
    fn a_new_organisation_stays_unmatched() {
        let m = fuzzy_master();
        let idx = MasterIndex::new(&m, "", &fuzzy_units(), &thresholds());
        assert_eq!(idx.match_name("汤溪镇新农村党建联盟", "汤溪镇").method, Method::None);
    }
}

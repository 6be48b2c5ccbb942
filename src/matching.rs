//! Matching reported names against the master list (SPEC §4.2), first within the row's unit,
//! then across all units: exact official name or code, the normalised key, an alias, and a
//! name without its party suffix when that place is unique. A name found only in another
//! unit is a cross-unit match, never a silent one. Fuzzy matching comes in a later issue.

use std::collections::HashMap;

use serde::Serialize;

use crate::master::Org;
use crate::normalize::{Normalized, normalize};

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
    organiser: String,
    unit_names: Vec<String>,
    exact: HashMap<&'a str, Vec<usize>>,
    code: HashMap<&'a str, usize>,
    key: HashMap<String, Vec<usize>>,
    alias: HashMap<String, Vec<usize>>,
    place: HashMap<String, Vec<usize>>,
}

impl<'a> MasterIndex<'a> {
    pub fn new(orgs: &'a [Org], organiser: &str, unit_names: &[String]) -> MasterIndex<'a> {
        let mut idx = MasterIndex {
            orgs,
            organiser: organiser.to_string(),
            unit_names: unit_names.to_vec(),
            exact: HashMap::new(),
            code: HashMap::new(),
            key: HashMap::new(),
            alias: HashMap::new(),
            place: HashMap::new(),
        };
        for (i, org) in orgs.iter().enumerate() {
            idx.exact.entry(org.name.as_str()).or_default().push(i);
            if let Some(code) = &org.code {
                idx.code.insert(code.as_str(), i);
            }
            let n = idx.normalize(&org.name);
            idx.place.entry(n.place.clone().unwrap_or_else(|| n.key.clone())).or_default().push(i);
            idx.key.entry(n.key).or_default().push(i);
            for alias in &org.aliases {
                let a = idx.normalize(alias);
                let list = idx.alias.entry(a.key).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        idx
    }

    pub fn normalize(&self, name: &str) -> Normalized {
        let units: Vec<&str> = self.unit_names.iter().map(String::as_str).collect();
        normalize(name, &self.organiser, &units)
    }

    /// Matches `raw` reported by `unit`.
    pub fn match_name(&self, raw: &str, unit: &str) -> MatchResult {
        let raw = raw.trim();
        let n = self.normalize(raw);
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
        let alias_key = self.alias.get(&n.key).unwrap_or(&empty);
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
        MatchResult {
            method: Method::None,
            org: None,
            score: 0.0,
            rules,
            candidates: Vec::new(),
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

    fn units() -> Vec<String> {
        ["汤溪镇", "罗埠镇", "洋埠镇"].iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn tiers_in_order() {
        let m = master();
        let idx = MasterIndex::new(&m, "金华经济技术开发区", &units());
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
        let idx = MasterIndex::new(&m, "", &units());
        assert_eq!(idx.match_name("邵家村党支部", "罗埠镇").org, Some(2));
        assert_eq!(idx.match_name("邵家村党支部", "洋埠镇").org, Some(3));
        // Reported by a third unit it names two organisations: no match.
        assert_eq!(idx.match_name("邵家村党支部", "汤溪镇").org, None);
    }

    #[test]
    fn another_units_organisation_is_cross_unit() {
        let m = master();
        let idx = MasterIndex::new(&m, "", &units());
        let r = idx.match_name("洋埠村党总支", "罗埠镇");
        assert_eq!((r.org, r.cross_unit), (Some(4), true));
    }
}

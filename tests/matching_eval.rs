//! The matcher against a labelled set (tests/matching/labelled.csv, built from the real
//! villages by tests/matching/make_labelled.py): 345 true variants, 30 ambiguous
//! abbreviations and 75 hard negatives, matched against tests/matching/名册.csv. Prints the
//! figures and asserts: no wrong auto-accept, at least 97% of true variants auto-accepted,
//! every ambiguous abbreviation in review with the right organisations among its candidates,
//! every new organisation unmatched, and no similar-but-different name accepted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use huizong::config::Config;
use huizong::master;
use huizong::matching::{MasterIndex, Method};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/matching")
}

struct Row {
    id: String,
    unit: String,
    reported: String,
    expected: Vec<(String, String)>,
    kind: String,
    expect: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(dir().join("labelled.csv")).expect("labelled.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            // No field holds a comma; reported names may hold spaces, kept as written.
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 7, "malformed line: {line}");
            let names: Vec<&str> = f[3].split('|').filter(|s| !s.is_empty()).collect();
            let units: Vec<&str> = f[4].split('|').filter(|s| !s.is_empty()).collect();
            Row {
                id: f[0].to_string(),
                unit: f[1].to_string(),
                reported: f[2].to_string(),
                expected: names.iter().zip(&units).map(|(n, u)| (n.to_string(), u.to_string())).collect(),
                kind: f[5].to_string(),
                expect: f[6].to_string(),
            }
        })
        .collect()
}

#[test]
fn labelled_set_precision_recall_and_review() {
    let config = Config::defaults(Path::new("."));
    let orgs = master::load(&dir().join("名册.csv"), &config).expect("master list loads");
    let units: Vec<String> = config.units.iter().map(|u| u.name.clone()).collect();
    let index = MasterIndex::new(&orgs, &config.organiser, &units, &config.matching);
    let rows = rows();
    let (mut accept_rows, mut accepted_right, mut wrong_accepts) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    let mut by_method: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for row in &rows {
        let m = index.match_name(&row.reported, &row.unit);
        let got = m.org.and_then(|i| orgs.get(i)).map(|o| (o.name.clone(), o.unit.clone()));
        let auto = matches!(m.method, Method::Exact | Method::Normalized | Method::Alias | Method::Fuzzy);
        let method = match m.method {
            Method::Exact => "exact",
            Method::Normalized => "normalized",
            Method::Alias => "alias",
            Method::Decision => "decision",
            Method::Fuzzy => "fuzzy",
            Method::Review => "review",
            Method::None => "none",
        };
        *by_method.entry(method).or_default() += 1;
        let right = got.as_ref().is_some_and(|g| row.expected.contains(g)) && !m.cross_unit;
        let entry = by_kind.entry(format!("{}/{}", row.kind, row.expect)).or_default();
        entry.0 += 1;
        if auto && (!right || row.expect != "accept") {
            wrong_accepts.push(format!("{} {}「{}」→ {:?} by {method}", row.id, row.unit, row.reported, got));
        }
        let ok = match row.expect.as_str() {
            "accept" => {
                accept_rows += 1;
                if auto && right {
                    accepted_right += 1;
                }
                auto && right
            }
            "review" => {
                let shown: Vec<(String, String)> = m
                    .candidates
                    .iter()
                    .filter_map(|c| orgs.get(c.org))
                    .map(|o| (o.name.clone(), o.unit.clone()))
                    .collect();
                let covered = if row.expected.len() > 3 {
                    shown.len() >= 3 && shown.iter().take(3).all(|s| row.expected.contains(s))
                } else {
                    row.expected.iter().all(|e| shown.contains(e))
                };
                m.method == Method::Review && covered
            }
            "unmatched" => m.method == Method::None,
            "not_accept" => !auto,
            other => panic!("unknown expectation {other}"),
        };
        if ok {
            entry.1 += 1;
        } else {
            let shown: Vec<String> = m
                .candidates
                .iter()
                .filter_map(|c| orgs.get(c.org).map(|o| format!("{}/{} {:.3}", o.name, o.unit, c.score)))
                .collect();
            failures.push(format!(
                "{} [{}] {}「{}」want {:?}, got {method} {:?} {shown:?}",
                row.id, row.expect, row.unit, row.reported, row.expected, got
            ));
        }
    }
    let recall = accepted_right as f64 / accept_rows as f64;
    println!("labelled rows: {}", rows.len());
    println!("true variants auto-accepted: {accepted_right}/{accept_rows} = {:.2}%", recall * 100.0);
    println!("wrong auto-accepts: {}", wrong_accepts.len());
    println!("methods: {by_method:?}");
    for (kind, (n, ok)) in &by_kind {
        println!("  {kind}: {ok}/{n}");
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(wrong_accepts.is_empty(), "wrong auto-accepts:\n{}", wrong_accepts.join("\n"));
    assert!(recall >= 0.97, "recall {recall:.4}");
    let must_hold: Vec<&String> = failures
        .iter()
        .filter(|f| f.contains("[review]") || f.contains("[unmatched]") || f.contains("[not_accept]"))
        .collect();
    assert!(must_hold.is_empty(), "{must_hold:#?}");
}

//! The decision ledger `核实记录.csv` (SPEC §7): what the clerk decided about names in
//! review. Each line says, for a (unit, reported name), that it IS a given organisation
//! (结论 是) or is NOT that organisation (结论 否). The ledger belongs to huizong but stays
//! hand-editable: UTF-8 with BOM so Excel opens it, a malformed line is an error naming the
//! line, and a cell starting with = + - @ is written with a leading ' (removed on reading) so
//! Excel never runs it. Parsing and formatting are pure; the driver does the I/O.

use thiserror::Error;

use crate::master::Org;
use crate::read::csv::{decode, parse_records};
use crate::read::review::ReviewChoice;

pub const FILE: &str = "核实记录.csv";
pub const HEADER: [&str; 6] = ["单位", "上报名称", "结论", "标准名称", "组织编码", "期间"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// The reported name is this organisation.
    Is,
    /// The reported name is not this organisation.
    IsNot,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Is => "是",
            Verdict::IsNot => "否",
        }
    }
}

/// One decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decision {
    pub unit: String,
    pub reported: String,
    pub verdict: Verdict,
    pub name: String,
    pub code: Option<String>,
    /// The period in which it was decided ("2015-10").
    pub period: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum LedgerError {
    #[error("核实记录 {file} 第{line}行：{message}")]
    Line { file: String, line: usize, message: String },
    #[error("核实记录 {file} 的表头应为\u{201C}{expected}\u{201D}：请不要删改第一行")]
    Header { file: String, expected: String },
}

/// A decided name is compared with reported names after trimming white space.
pub fn key(unit: &str, reported: &str) -> (String, String) {
    (unit.trim().to_string(), reported.trim().to_string())
}

fn unprotect(cell: &str) -> String {
    let t = cell.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => t.to_string(),
    }
}

fn protect(cell: &str) -> String {
    let cell = if cell.starts_with(['=', '+', '-', '@']) { format!("'{cell}") } else { cell.to_string() };
    if cell.contains([',', '"', '\n', '\r']) { format!("\"{}\"", cell.replace('"', "\"\"")) } else { cell }
}

/// Parses the ledger; `file` is only used in messages.
pub fn parse(bytes: &[u8], file: &str) -> Result<Vec<Decision>, LedgerError> {
    let text = decode(bytes);
    let mut out = Vec::new();
    let mut records = parse_records(&text, ',').into_iter();
    let header_ok = records
        .next()
        .is_some_and(|(_, h)| h.iter().map(|c| unprotect(c)).collect::<Vec<_>>() == HEADER.map(str::to_string));
    if !header_ok {
        if text.trim().is_empty() {
            return Ok(out);
        }
        return Err(LedgerError::Header { file: file.to_string(), expected: HEADER.join(",") });
    }
    for (row, fields) in records {
        let line = row as usize + 1;
        let bad = |message: String| LedgerError::Line { file: file.to_string(), line, message };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != HEADER.len() {
            return Err(bad(format!("应有{}列（{}），实有{}列", HEADER.len(), HEADER.join("、"), fields.len())));
        }
        let f: Vec<String> = fields.iter().map(|c| unprotect(c)).collect();
        let get = |i: usize| f.get(i).cloned().unwrap_or_default();
        let verdict = match get(2).as_str() {
            "是" => Verdict::Is,
            "否" => Verdict::IsNot,
            other => {
                return Err(bad(format!(
                    "结论\u{201C}{other}\u{201D}无法识别：应为\u{201C}是\u{201D}或\u{201C}否\u{201D}"
                )));
            }
        };
        if get(0).is_empty() || get(1).is_empty() {
            return Err(bad("缺少单位或上报名称".to_string()));
        }
        if get(3).is_empty() && get(4).is_empty() {
            return Err(bad("缺少标准名称和组织编码：至少填写一项".to_string()));
        }
        out.push(Decision {
            unit: get(0),
            reported: get(1),
            verdict,
            name: get(3),
            code: Some(get(4)).filter(|c| !c.is_empty()),
            period: get(5),
        });
    }
    Ok(out)
}

/// Formats the ledger: BOM, header, one line per decision, CRLF line ends (Excel's own).
pub fn format(decisions: &[Decision]) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    s.push_str(&HEADER.join(","));
    s.push_str("\r\n");
    for d in decisions {
        let cells = [
            d.unit.as_str(),
            d.reported.as_str(),
            d.verdict.label(),
            d.name.as_str(),
            d.code.as_deref().unwrap_or(""),
            d.period.as_str(),
        ];
        s.push_str(&cells.iter().map(|c| protect(c)).collect::<Vec<_>>().join(","));
        s.push_str("\r\n");
    }
    s.into_bytes()
}

/// Adds `new` decisions that are not already in `ledger` (same unit, name, verdict and
/// organisation); returns how many were added. Order is kept: later lines win.
pub fn merge(ledger: &mut Vec<Decision>, new: Vec<Decision>) -> usize {
    let mut added = 0;
    for d in new {
        let same = |x: &Decision| {
            key(&x.unit, &x.reported) == key(&d.unit, &d.reported)
                && x.verdict == d.verdict
                && x.name == d.name
                && x.code == d.code
        };
        // Re-deciding the same thing is not news, unless it reverses the last word.
        let last = ledger.iter().rposition(|x| {
            key(&x.unit, &x.reported) == key(&d.unit, &d.reported) && x.name == d.name && x.code == d.code
        });
        if last.and_then(|i| ledger.get(i)).is_some_and(same) {
            continue;
        }
        ledger.push(d);
        added += 1;
    }
    added
}

/// The organisation a decision names: by code where given, else by unit and name.
pub fn resolve(d: &Decision, orgs: &[Org]) -> Option<usize> {
    match &d.code {
        Some(code) => orgs.iter().position(|o| o.code.as_deref() == Some(code.as_str())),
        None => orgs
            .iter()
            .position(|o| o.name == d.name && (o.unit == d.unit || d.unit.is_empty()))
            .or_else(|| orgs.iter().position(|o| o.name == d.name)),
    }
}

/// The organisation a candidate label of the review sheet names: "名称", "名称（单位）" or
/// "名称（单位·编码）" (the forms the workbook writes), looked up in the row's unit first.
pub fn resolve_label(label: &str, row_unit: &str, orgs: &[Org]) -> Option<usize> {
    let label = label.trim();
    let by_name = |name: &str, unit: &str| orgs.iter().position(|o| o.name == name && o.unit == unit);
    if let Some(i) = by_name(label, row_unit) {
        return Some(i);
    }
    if let Some((name, rest)) = label.split_once('（')
        && let Some(inner) = rest.strip_suffix('）')
    {
        return match inner.split_once('·') {
            Some((_, code)) => orgs.iter().position(|o| o.code.as_deref() == Some(code)),
            None => by_name(name, inner),
        };
    }
    orgs.iter().position(|o| o.name == label)
}

/// Turns a choice made in the review sheet into ledger decisions: the chosen candidate is
/// the organisation; 否 means none of the candidates shown is.
pub fn from_review(choice: &ReviewChoice, orgs: &[Org], period: &str) -> Vec<Decision> {
    let decision = |verdict: Verdict, org: usize| {
        orgs.get(org).map(|o| Decision {
            unit: choice.unit.clone(),
            reported: choice.reported.clone(),
            verdict,
            name: o.name.clone(),
            code: o.code.clone(),
            period: period.to_string(),
        })
    };
    if choice.choice == "否" {
        choice
            .candidates
            .iter()
            .filter_map(|c| resolve_label(c, &choice.unit, orgs))
            .filter_map(|o| decision(Verdict::IsNot, o))
            .collect()
    } else {
        resolve_label(&choice.choice, &choice.unit, orgs).and_then(|o| decision(Verdict::Is, o)).into_iter().collect()
    }
}

/// The decisions that apply to matching: for each (unit, reported name) the organisation it
/// is (the last 是 not reversed by a later 否 of the same organisation), and the
/// organisations it is not.
#[derive(Debug, Default)]
pub struct Decisions {
    is: crate::HashMap<(String, String), usize>,
    is_not: crate::HashMap<(String, String), Vec<usize>>,
}

impl Decisions {
    pub fn new(ledger: &[Decision], orgs: &[Org]) -> Decisions {
        let mut out = Decisions::default();
        for d in ledger {
            let Some(org) = resolve(d, orgs) else { continue };
            let k = key(&d.unit, &d.reported);
            match d.verdict {
                Verdict::Is => {
                    out.is.insert(k.clone(), org);
                    if let Some(list) = out.is_not.get_mut(&k) {
                        list.retain(|o| *o != org);
                    }
                }
                Verdict::IsNot => {
                    if out.is.get(&k) == Some(&org) {
                        out.is.remove(&k);
                    }
                    let list = out.is_not.entry(k).or_default();
                    if !list.contains(&org) {
                        list.push(org);
                    }
                }
            }
        }
        out
    }

    pub fn chosen(&self, unit: &str, reported: &str) -> Option<usize> {
        self.is.get(&key(unit, reported)).copied()
    }

    pub fn forbidden(&self, unit: &str, reported: &str) -> &[usize] {
        self.is_not.get(&key(unit, reported)).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.is.is_empty() && self.is_not.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, Decisions, LedgerError, Verdict, format, merge, parse};
    use crate::master::Org;

    fn d(reported: &str, verdict: Verdict, name: &str, code: Option<&str>) -> Decision {
        Decision {
            unit: "汤溪镇".into(),
            reported: reported.into(),
            verdict,
            name: name.into(),
            code: code.map(str::to_string),
            period: "2015-10".into(),
        }
    }

    #[test]
    fn round_trip_with_bom_quotes_and_formula_protection() {
        let ledger = vec![
            d("四平村", Verdict::Is, "寺平村党支部", Some("330702106215")),
            d("=HYPERLINK(\"x\")", Verdict::IsNot, "寺平村党支部", None),
            d("徐村,东", Verdict::IsNot, "上徐村党支部", None),
        ];
        let bytes = format(&ledger);
        assert!(bytes.starts_with("\u{feff}单位,上报名称,结论".as_bytes()));
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert_eq!(parse(&bytes, "核实记录.csv"), Ok(ledger));
    }

    #[test]
    fn malformed_lines_are_errors_that_name_the_line() {
        let text = "单位,上报名称,结论,标准名称,组织编码,期间\n汤溪镇,四平村,是,寺平村党支部,,2015-10\n汤溪镇,徐村,也许,上徐村党支部,,2015-10\n";
        match parse(text.as_bytes(), "核实记录.csv") {
            Err(LedgerError::Line { line, message, .. }) => {
                assert_eq!(line, 3);
                assert!(message.contains("也许"), "{message}");
            }
            other => panic!("expected a line error, got {other:?}"),
        }
        let short = "单位,上报名称,结论,标准名称,组织编码,期间\n汤溪镇,四平村,是\n";
        assert!(matches!(parse(short.as_bytes(), "f"), Err(LedgerError::Line { line: 2, .. })));
        let no_org = "单位,上报名称,结论,标准名称,组织编码,期间\n汤溪镇,四平村,是,,,2015-10\n";
        assert!(matches!(parse(no_org.as_bytes(), "f"), Err(LedgerError::Line { line: 2, .. })));
        assert!(matches!(parse("名称,结论\n".as_bytes(), "f"), Err(LedgerError::Header { .. })));
        assert_eq!(parse(b"", "f"), Ok(vec![]));
    }

    #[test]
    fn merge_skips_repeats_and_keeps_reversals() {
        let mut ledger = vec![d("四平村", Verdict::Is, "寺平村党支部", None)];
        assert_eq!(merge(&mut ledger, vec![d("四平村", Verdict::Is, "寺平村党支部", None)]), 0);
        assert_eq!(merge(&mut ledger, vec![d("四平村", Verdict::IsNot, "寺平村党支部", None)]), 1);
        assert_eq!(ledger.len(), 2);
    }

    #[test]
    fn review_choices_become_decisions() {
        let org = |unit: &str, name: &str, code: &str| Org {
            unit: unit.into(),
            name: name.into(),
            code: Some(code.into()),
            kind: "村".into(),
            aliases: vec![],
            star: None,
            row: 2,
        };
        let orgs = vec![
            org("汤溪镇", "上徐村党支部", "1"),
            org("汤溪镇", "下徐村党支部", "2"),
            org("罗埠镇", "邵家村党支部", "3"),
            org("洋埠镇", "邵家村党支部", "4"),
        ];
        let choice = |picked: &str, candidates: &[&str]| super::ReviewChoice {
            unit: "汤溪镇".into(),
            reported: "徐村".into(),
            choice: picked.into(),
            candidates: candidates.iter().map(|c| c.to_string()).collect(),
        };
        let picked = super::from_review(&choice("下徐村党支部", &["上徐村党支部", "下徐村党支部"]), &orgs, "2015-10");
        assert_eq!(picked, vec![d("徐村", Verdict::Is, "下徐村党支部", Some("2"))]);
        let none = super::from_review(&choice("否", &["上徐村党支部", "下徐村党支部"]), &orgs, "2015-10");
        assert_eq!(
            none.iter().map(|x| (x.verdict, x.code.clone())).collect::<Vec<_>>(),
            vec![(Verdict::IsNot, Some("1".into())), (Verdict::IsNot, Some("2".into()))]
        );
        let labelled = super::from_review(
            &choice("邵家村党支部（洋埠镇·4）", &["邵家村党支部（罗埠镇·3）", "邵家村党支部（洋埠镇·4）"]),
            &orgs,
            "2015-10",
        );
        assert_eq!(labelled.first().and_then(|x| x.code.clone()), Some("4".into()));
        assert!(super::from_review(&choice("不存在的组织", &[]), &orgs, "2015-10").is_empty());
    }

    #[test]
    fn later_lines_win() {
        let orgs = vec![Org {
            unit: "汤溪镇".into(),
            name: "寺平村党支部".into(),
            code: None,
            kind: "村".into(),
            aliases: vec![],
            star: None,
            row: 2,
        }];
        let yes = d("四平村", Verdict::Is, "寺平村党支部", None);
        let no = d("四平村", Verdict::IsNot, "寺平村党支部", None);
        let decided = Decisions::new(std::slice::from_ref(&yes), &orgs);
        assert_eq!(decided.chosen("汤溪镇", " 四平村 "), Some(0));
        let reversed = Decisions::new(&[yes.clone(), no.clone()], &orgs);
        assert_eq!(reversed.chosen("汤溪镇", "四平村"), None);
        assert_eq!(reversed.forbidden("汤溪镇", "四平村"), &[0]);
        let again = Decisions::new(&[yes.clone(), no, yes], &orgs);
        assert_eq!(again.chosen("汤溪镇", "四平村"), Some(0));
        assert!(again.forbidden("汤溪镇", "四平村").is_empty());
    }
}

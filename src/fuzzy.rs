//! Fuzzy similarity of two normalised organisation names (SPEC §4.2, tier 4), and the index
//! that finds candidates across units without comparing all pairs.
//!
//! A name is split into its *core* (the place or enterprise part) and its frequent tokens:
//! the organisation kind (村, 社区, 有限公司 …) and the party suffix (党支部, 党总支, 党委).
//! The tokens weigh little; the core decides. Two cores are compared twice:
//!
//! - by characters: `char_sim = 1 − edit_distance(chars) / longer_length`;
//! - by toneless pinyin, heteronym-aware: two characters are equal when any readings agree
//!   (寺/四 both read *si*), `pinyin_sim = 1 − edit_distance(syllables) / longer_length`.
//!
//! `core = max(char_sim, 0.97 × pinyin_sim)`: a homophone typo scores 0.97, never a full 1.0.
//! Abbreviations are recognised but capped below the accept line: a core that drops a
//! position word of a candidate (徐村 for 上徐村) scores 0.88; a core contained in a longer
//! one (or containing it) scores 0.80–0.89. Kinds that differ (村 vs 社区) multiply by 0.8;
//! party suffixes that differ subtract 0.03. See the README for examples.

use std::collections::HashMap;

use pinyin::ToPinyinMulti;

/// Organisation kinds stripped from the end of a core, longest first.
const KINDS: [&str; 9] = ["有限责任公司", "股份有限公司", "有限公司", "公司", "社区", "商会", "协会", "村", "厂"];
/// Canonical party suffixes (after normalisation).
const PARTIES: [&str; 3] = ["党总支", "党支部", "党委"];
/// Position words whose presence or absence distinguishes real neighbouring villages.
pub const POSITION_WORDS: [char; 13] = ['上', '下', '东', '西', '南', '北', '前', '后', '中', '大', '小', '新', '老'];

/// Score of a homophone-only difference.
pub const HOMOPHONE_FACTOR: f64 = 0.97;
/// Score of an abbreviation that drops a position word of the candidate.
pub const POSITION_FIT_SCORE: f64 = 0.88;

/// A normalised name prepared for fuzzy comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub core: Vec<char>,
    /// Toneless readings of each core character (the character itself when it has none).
    pub readings: Vec<Vec<&'static str>>,
    pub kind: Option<&'static str>,
    pub party: Option<&'static str>,
}

fn readings_of(c: char) -> Vec<&'static str> {
    match c.to_pinyin_multi() {
        Some(multi) => {
            let mut out: Vec<&'static str> = multi.into_iter().map(|p| p.plain()).collect();
            out.dedup();
            out
        }
        None => Vec::new(),
    }
}

impl Prepared {
    /// Splits a normalised key into core, kind and party suffix.
    pub fn new(key: &str) -> Prepared {
        let mut rest = key;
        let party = PARTIES.iter().find(|p| rest.ends_with(*p)).copied();
        if let Some(p) = party {
            rest = rest.strip_suffix(p).unwrap_or(rest);
        }
        let kind = KINDS.iter().find(|k| rest.ends_with(*k) && rest.len() > k.len()).copied();
        if let Some(k) = kind {
            rest = rest.strip_suffix(k).unwrap_or(rest);
        }
        let core: Vec<char> = rest.chars().collect();
        let readings = core.iter().map(|c| readings_of(*c)).collect();
        Prepared { core, readings, kind, party }
    }

    /// The distinct syllables of the core (characters without a reading stand for themselves
    /// through `chars`).
    pub fn syllables(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.readings.iter().flatten().copied()
    }
}

/// Why a score may not be accepted automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caution {
    None,
    /// The reported core is an abbreviation of the candidate's (or the other way round).
    Abbreviation,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    pub score: f64,
    pub char_sim: f64,
    pub pinyin_sim: f64,
    pub caution: Caution,
}

/// Edit distance with a caller-supplied substitution test.
fn edit_distance(a: usize, b: usize, same: impl Fn(usize, usize) -> bool) -> usize {
    let mut prev: Vec<usize> = (0..=b).collect();
    let mut cur = vec![0; b + 1];
    for i in 1..=a {
        if let Some(first) = cur.first_mut() {
            *first = i;
        }
        for j in 1..=b {
            let sub = prev.get(j - 1).copied().unwrap_or(0) + usize::from(!same(i - 1, j - 1));
            let del = prev.get(j).copied().unwrap_or(0) + 1;
            let ins = cur.get(j - 1).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b).copied().unwrap_or(a.max(b))
}

fn same_sound(a: &Prepared, i: usize, b: &Prepared, j: usize) -> bool {
    if a.core.get(i) == b.core.get(j) {
        return true;
    }
    match (a.readings.get(i), b.readings.get(j)) {
        (Some(x), Some(y)) => x.iter().any(|r| y.contains(r)),
        _ => false,
    }
}

fn contains_seq(long: &[char], short: &[char]) -> bool {
    short.len() <= long.len() && long.windows(short.len()).any(|w| w == short)
}

/// Whether `long` is `short` with one position word added (上徐 for 徐).
fn adds_position_word(long: &[char], short: &[char]) -> bool {
    long.len() == short.len() + 1
        && (0..long.len()).any(|i| {
            long.get(i).is_some_and(|c| POSITION_WORDS.contains(c))
                && long.iter().enumerate().filter(|(k, _)| *k != i).map(|(_, c)| c).eq(short.iter())
        })
}

/// Similarity of a reported name `q` to a master-list name `c`, in 0..=1.
pub fn similarity(q: &Prepared, c: &Prepared) -> Similarity {
    let (n, m) = (q.core.len(), c.core.len());
    if n == 0 || m == 0 {
        return Similarity { score: 0.0, char_sim: 0.0, pinyin_sim: 0.0, caution: Caution::None };
    }
    let longer = n.max(m) as f64;
    let char_sim = 1.0 - edit_distance(n, m, |i, j| q.core.get(i) == c.core.get(j)) as f64 / longer;
    let pinyin_sim = 1.0 - edit_distance(n, m, |i, j| same_sound(q, i, c, j)) as f64 / longer;
    let mut core = char_sim.max(HOMOPHONE_FACTOR * pinyin_sim);
    let mut caution = Caution::None;
    if char_sim < 1.0 {
        if adds_position_word(&c.core, &q.core) {
            core = core.max(POSITION_FIT_SCORE);
            caution = Caution::Abbreviation;
        } else if adds_position_word(&q.core, &c.core) {
            // The report names a place that differs by a position word: a neighbour, not this.
            core = core.min(0.80);
            caution = Caution::Abbreviation;
        } else if n.min(m) >= 2 && (contains_seq(&c.core, &q.core) || contains_seq(&q.core, &c.core)) {
            core = core.max(0.80 + 0.09 * (n.min(m) as f64 / longer));
            caution = Caution::Abbreviation;
        }
    }
    let mut score = core;
    if let (Some(a), Some(b)) = (q.kind, c.kind)
        && a != b
    {
        score *= 0.8;
    }
    if let (Some(a), Some(b)) = (q.party, c.party)
        && a != b
    {
        score -= 0.03;
    }
    Similarity { score: score.clamp(0.0, 1.0), char_sim, pinyin_sim, caution }
}

/// An inverted index from syllables and characters to organisations, to find fuzzy
/// candidates across units without comparing all pairs.
#[derive(Debug, Default)]
pub struct FuzzyIndex {
    postings: HashMap<&'static str, Vec<u32>>,
    chars: HashMap<char, Vec<u32>>,
    /// Core length of each organisation, for candidates whose whole core the query covers.
    lens: Vec<u16>,
}

impl FuzzyIndex {
    pub fn new(prepared: &[Prepared]) -> FuzzyIndex {
        let mut idx = FuzzyIndex::default();
        for (i, p) in prepared.iter().enumerate() {
            let id = i as u32;
            idx.lens.push(u16::try_from(p.core.len()).unwrap_or(u16::MAX));
            let mut seen: Vec<&'static str> = Vec::new();
            for s in p.syllables() {
                if !seen.contains(&s) {
                    seen.push(s);
                    idx.postings.entry(s).or_default().push(id);
                }
            }
            let mut seen_c: Vec<char> = Vec::new();
            for (c, r) in p.core.iter().zip(&p.readings) {
                if r.is_empty() && !seen_c.contains(c) {
                    seen_c.push(*c);
                    idx.chars.entry(*c).or_default().push(id);
                }
            }
        }
        idx
    }

    /// Organisations sharing at least half of the query's core positions (by any reading or,
    /// for characters without pinyin, by the character), or whose whole core the query
    /// covers (寺平 inside 寺平小学): every candidate that can score at or above the review
    /// line is one of these.
    pub fn candidates(&self, q: &Prepared) -> Vec<usize> {
        let mut hits: HashMap<u32, u16> = HashMap::new();
        for (c, readings) in q.core.iter().zip(&q.readings) {
            let mut ids: Vec<u32> = Vec::new();
            if readings.is_empty() {
                ids.extend(self.chars.get(c).into_iter().flatten());
            }
            for r in readings {
                ids.extend(self.postings.get(r).into_iter().flatten());
            }
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                *hits.entry(id).or_default() += 1;
            }
        }
        let need = q.core.len().div_ceil(2).max(1) as u16;
        let covers = |id: u32, n: u16| self.lens.get(id as usize).is_some_and(|len| n >= *len);
        let mut out: Vec<usize> =
            hits.into_iter().filter(|(id, n)| *n >= need || covers(*id, *n)).map(|(id, _)| id as usize).collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{Caution, FuzzyIndex, Prepared, similarity};

    fn sim(a: &str, b: &str) -> f64 {
        similarity(&Prepared::new(a), &Prepared::new(b)).score
    }

    #[test]
    fn names_split_into_core_kind_and_party() {
        let p = Prepared::new("寺平村党支部");
        assert_eq!(p.core, vec!['寺', '平']);
        assert_eq!((p.kind, p.party), (Some("村"), Some("党支部")));
        let p = Prepared::new("金华网盛电子商务有限公司党支部");
        assert_eq!(p.core.iter().collect::<String>(), "金华网盛电子商务");
        assert_eq!(p.kind, Some("有限公司"));
        // A one-character place keeps its kind character rather than becoming empty.
        assert_eq!(Prepared::new("村").core, vec!['村']);
    }

    #[test]
    fn homophone_typos_score_as_nearly_identical() {
        assert!((sim("四平村", "寺平村党支部") - 0.97).abs() < 1e-9);
        assert!((sim("前西边村", "前溪边村党支部") - 0.97).abs() < 1e-9);
        assert_eq!(sim("寺平村", "寺平村党支部"), 1.0);
    }

    #[test]
    fn different_places_score_low() {
        assert!(sim("上徐村", "下徐村党支部") < 0.75);
        assert!(sim("寺南村", "寺平村党支部") < 0.75);
        assert!(sim("汤溪镇新农村党建联盟", "寺平村党支部") < 0.5);
    }

    #[test]
    fn abbreviations_reach_review_but_never_accept() {
        let s = similarity(&Prepared::new("徐村"), &Prepared::new("上徐村党支部"));
        assert_eq!(s.caution, Caution::Abbreviation);
        assert!((0.75..0.92).contains(&s.score), "{s:?}");
        let s = similarity(&Prepared::new("上徐村"), &Prepared::new("徐村党支部"));
        assert_eq!(s.caution, Caution::Abbreviation);
        assert!(s.score < 0.92, "{s:?}");
        let s = similarity(&Prepared::new("网盛电商"), &Prepared::new("网盛电商科技有限公司党支部"));
        assert_eq!(s.caution, Caution::Abbreviation);
        assert!(s.score < 0.92, "{s:?}");
    }

    #[test]
    fn a_different_kind_is_penalised() {
        assert!(sim("新园村", "新园社区党支部") < 0.92);
        assert!(sim("新园社区", "新园社区党支部") > 0.99);
    }

    #[test]
    fn the_index_finds_homophones_and_abbreviations() {
        let names = ["寺平村党支部", "下徐村党支部", "上徐村党支部", "仙舟社区党支部"];
        let prepared: Vec<Prepared> = names.iter().map(|n| Prepared::new(n)).collect();
        let idx = FuzzyIndex::new(&prepared);
        assert_eq!(idx.candidates(&Prepared::new("四平村")), vec![0]);
        assert_eq!(idx.candidates(&Prepared::new("徐村")), vec![1, 2]);
        assert!(idx.candidates(&Prepared::new("先舟社区")).contains(&3));
    }
}

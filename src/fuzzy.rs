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

use crate::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the index's small integer keys (token ids, lengths): SipHash's
/// protection against crafted keys buys nothing for ids the index assigns itself.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type IdMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IdHasher>>;

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
    /// The first reading of each core character packed into a number ([`sound_code`]), for
    /// comparing without comparing strings; 0 when there is none or it does not fit.
    sounds: Vec<u64>,
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
        let readings: Vec<Vec<&'static str>> = core.iter().map(|c| readings_of(*c)).collect();
        let sounds = readings.iter().map(|r| r.first().map_or(0, |s| sound_code(s))).collect();
        Prepared { core, readings, sounds, kind, party }
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

/// Edit distance between a sequence of `a` items and one of `b`, with a caller-supplied
/// substitution test `same(i, j)`. A sequence of up to 64 items is compared a column at a time
/// in the bits of a word ([`bit_distance`]); longer ones row by row, the two rows on the stack
/// up to 31 items.
fn edit_distance(a: usize, b: usize, same: impl Fn(usize, usize) -> bool) -> usize {
    const STACK: usize = 32;
    if a == 0 || b == 0 {
        return a.max(b);
    }
    if a <= 64 {
        return bit_distance(a, b, &same);
    }
    if b < STACK {
        let (mut prev, mut cur) = ([0usize; STACK], [0usize; STACK]);
        distance_rows(a, b, &same, &mut prev, &mut cur)
    } else {
        distance_rows(a, b, &same, &mut vec![0; b + 1], &mut vec![0; b + 1])
    }
}

/// Myers' bit-parallel edit distance (in Hyyrö's form): bit `i` of `pv`/`mv` says whether the
/// distance rises or falls from row `i` to row `i + 1` of the current column. `a` is 1..=64.
fn bit_distance(a: usize, b: usize, same: &impl Fn(usize, usize) -> bool) -> usize {
    mask_distance(a, b, |j| (0..a).filter(|&i| same(i, j)).fold(0u64, |eq, i| eq | 1 << i))
}

/// [`bit_distance`] given, for each column `j`, the rows that match it as bits (`eq(j)`).
fn mask_distance(a: usize, b: usize, eq: impl Fn(usize) -> u64) -> usize {
    let rows = if a >= 64 { u64::MAX } else { (1u64 << a) - 1 };
    let last = 1u64 << (a - 1);
    let (mut pv, mut mv) = (rows, 0u64);
    let mut distance = a;
    for j in 0..b {
        let eq = eq(j) & rows;
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let ph = mv | !(xh | pv);
        let mh = pv & xh;
        if ph & last != 0 {
            distance += 1;
        } else if mh & last != 0 {
            distance = distance.saturating_sub(1);
        }
        // The top row is the distance from nothing: it rises by one each column.
        let ph = (ph << 1) | 1;
        let mh = mh << 1;
        pv = (mh | !(xv | ph)) & rows;
        mv = ph & xv & rows;
    }
    distance
}

fn distance_rows(
    a: usize,
    b: usize,
    same: &impl Fn(usize, usize) -> bool,
    prev: &mut [usize],
    cur: &mut [usize],
) -> usize {
    for (j, slot) in prev.iter_mut().enumerate() {
        *slot = j;
    }
    let (mut prev, mut cur) = (prev, cur);
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

/// A toneless syllable's bytes packed into a number (they are at most 6 letters, or 4 with
/// a ü); 0 for a longer one, which is then compared as text.
fn sound_code(syllable: &str) -> u64 {
    let bytes = syllable.as_bytes();
    if bytes.is_empty() || bytes.len() > 8 {
        return 0;
    }
    bytes.iter().fold(0u64, |code, b| code << 8 | u64::from(*b))
}

fn same_sound(a: &Prepared, i: usize, b: &Prepared, j: usize) -> bool {
    if a.core.get(i) == b.core.get(j) {
        return true;
    }
    let (Some(&x), Some(&y)) = (a.sounds.get(i), b.sounds.get(j)) else { return false };
    if x != 0 && x == y {
        return true;
    }
    // Only a heteronym (or a syllable without a code) can agree beyond the first reading.
    match (a.readings.get(i), b.readings.get(j)) {
        (Some(r), Some(s)) if r.len() > 1 || s.len() > 1 || x == 0 || y == 0 => r.iter().any(|t| s.contains(t)),
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

/// A reported name's side of [`similarity`], worked out once for all the candidates it is
/// scored against: for each character and each first reading of its core, the positions
/// where it occurs, as bits. The two edit distances then take one look-up per candidate
/// character instead of a comparison per pair of characters.
pub struct Query<'q> {
    p: &'q Prepared,
    /// Each distinct core character and its positions; empty when the core is longer than
    /// 64 characters (then compared pair by pair).
    chars: Vec<(char, u64)>,
    /// Each distinct nonzero [`sound_code`] of a first reading and its positions.
    sounds: Vec<(u64, u64)>,
    /// Positions whose readings must be compared as text: a heteronym, or a reading
    /// without a code (see [`same_sound`]).
    odd: u64,
    /// Every position of the core.
    all: u64,
}

impl<'q> Query<'q> {
    pub fn new(p: &'q Prepared) -> Query<'q> {
        let mut q = Query { p, chars: Vec::new(), sounds: Vec::new(), odd: 0, all: 0 };
        if p.core.len() > 64 {
            return q;
        }
        q.all = u64::MAX.checked_shr(64 - p.core.len() as u32).unwrap_or(0);
        for (i, c) in p.core.iter().enumerate() {
            let bit = 1u64 << i;
            match q.chars.iter_mut().find(|(d, _)| d == c) {
                Some((_, mask)) => *mask |= bit,
                None => q.chars.push((*c, bit)),
            }
            let code = p.sounds.get(i).copied().unwrap_or(0);
            if code != 0 {
                match q.sounds.iter_mut().find(|(d, _)| *d == code) {
                    Some((_, mask)) => *mask |= bit,
                    None => q.sounds.push((code, bit)),
                }
            }
            if code == 0 || p.readings.get(i).is_some_and(|r| r.len() > 1) {
                q.odd |= bit;
            }
        }
        q
    }

    /// The positions holding character `c`.
    fn chars_at(&self, c: Option<&char>) -> u64 {
        c.and_then(|c| self.chars.iter().find(|(d, _)| d == c)).map_or(0, |(_, mask)| *mask)
    }

    /// The positions that sound like position `j` of `c`: exactly those where
    /// [`same_sound`] holds.
    fn sounds_at(&self, c: &Prepared, j: usize) -> u64 {
        let code = c.sounds.get(j).copied().unwrap_or(0);
        let mut mask = self.chars_at(c.core.get(j));
        if code != 0 {
            mask |= self.sounds.iter().find(|(d, _)| *d == code).map_or(0, |(_, m)| *m);
        }
        // Beyond the first readings only a heteronym or a reading without a code can agree:
        // any position of the query when the candidate's is one, else only the odd ones.
        let theirs = c.readings.get(j).map_or(&[][..], Vec::as_slice);
        let odd = if code == 0 || theirs.len() > 1 { u64::MAX } else { self.odd };
        let mut left = odd & !mask & self.all;
        while left != 0 {
            let i = left.trailing_zeros() as usize;
            left &= left - 1;
            if self.p.readings.get(i).is_some_and(|r| r.iter().any(|t| theirs.contains(t))) {
                mask |= 1 << i;
            }
        }
        mask
    }
}

/// Similarity of a reported name `q` to a master-list name `c`, in 0..=1.
pub fn similarity(q: &Prepared, c: &Prepared) -> Similarity {
    similarity_to(&Query::new(q), c)
}

/// [`similarity`] for a name prepared once for all its candidates ([`Query`]).
pub fn similarity_to(query: &Query<'_>, c: &Prepared) -> Similarity {
    let q = query.p;
    let (n, m) = (q.core.len(), c.core.len());
    if n == 0 || m == 0 {
        return Similarity { score: 0.0, char_sim: 0.0, pinyin_sim: 0.0, caution: Caution::None };
    }
    let longer = n.max(m) as f64;
    let by_masks = n <= 64;
    let char_distance = if by_masks {
        mask_distance(n, m, |j| query.chars_at(c.core.get(j)))
    } else {
        edit_distance(n, m, |i, j| q.core.get(i) == c.core.get(j))
    };
    let char_sim = 1.0 - char_distance as f64 / longer;
    // Sounds agree wherever characters do: identical cores need no second comparison.
    let pinyin_sim = if char_sim == 1.0 {
        1.0
    } else if by_masks {
        1.0 - mask_distance(n, m, |j| query.sounds_at(c, j)) as f64 / longer
    } else {
        1.0 - edit_distance(n, m, |i, j| same_sound(q, i, c, j)) as f64 / longer
    };
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

/// A token of a core position: a toneless syllable, or the character itself when it has
/// no reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Token {
    Syllable(&'static str),
    Char(char),
}

/// The tokens of each position of a core.
fn position_tokens(p: &Prepared) -> Vec<Vec<Token>> {
    p.core
        .iter()
        .zip(&p.readings)
        .map(|(c, r)| if r.is_empty() { vec![Token::Char(*c)] } else { r.iter().map(|s| Token::Syllable(s)).collect() })
        .collect()
}

/// An inverted index from syllables and characters to organisations, to find fuzzy
/// candidates across units without comparing all pairs.
///
/// Postings are kept per token and core length, so a query looks only at the lengths that
/// can reach the review line, and within a length only at the rarest positions it must
/// share (a prefix filter); every candidate so generated is then verified by counting its
/// shared positions exactly.
#[derive(Debug, Default)]
pub struct FuzzyIndex {
    postings: IdMap<(u32, u16), Vec<u32>>,
    /// Token ids by token.
    ids: HashMap<Token, u32>,
    /// The sorted token ids of each organisation's core.
    tokens: Vec<Vec<u32>>,
    /// Each organisation's token ids folded into 128 bits ([`FuzzyIndex::shares_nothing`]).
    signatures: Vec<u128>,
    /// Core lengths present in the list.
    lengths: Vec<u16>,
    /// Organisations by core, for the cores a query contains.
    cores: HashMap<String, Vec<u32>>,
    /// Postings of ordered token pairs (a token at one position, another at a later one) per
    /// core length, for cores of at most [`PAIR_MAX_LEN`] characters.
    pairs: IdMap<(u32, u32, u16), Vec<u32>>,
}

/// Cores up to this length are also indexed by ordered pairs of positions.
const PAIR_MAX_LEN: usize = 8;

/// Token ids folded into 128 bits, one bit each (id mod 128): two sets of ids that share an
/// id share a bit.
fn signature(ids: &[u32]) -> u128 {
    ids.iter().fold(0u128, |s, id| s | 1u128 << (id % 128))
}

fn choose2(n: usize) -> usize {
    n * n.saturating_sub(1) / 2
}

impl FuzzyIndex {
    pub fn new(prepared: &[Prepared]) -> FuzzyIndex {
        let mut idx = FuzzyIndex { tokens: Vec::with_capacity(prepared.len()), ..FuzzyIndex::default() };
        // Reused from one organisation to the next (182,000 of them in a province).
        let mut positions: Vec<Vec<u32>> = Vec::new();
        let mut keys: Vec<(u32, u32)> = Vec::new();
        for (i, p) in prepared.iter().enumerate() {
            let id = i as u32;
            let len = u16::try_from(p.core.len()).unwrap_or(u16::MAX);
            let mut mine: Vec<u32> = Vec::new();
            let tokens = position_tokens(p);
            positions.resize_with(tokens.len(), Vec::new);
            for (pos, ids) in tokens.into_iter().zip(positions.iter_mut()) {
                ids.clear();
                for t in pos {
                    let next = idx.ids.len() as u32;
                    ids.push(*idx.ids.entry(t).or_insert(next));
                }
                mine.extend(ids.iter());
            }
            if positions.len() <= PAIR_MAX_LEN {
                keys.clear();
                for (j1, first) in positions.iter().enumerate() {
                    for second in positions.iter().skip(j1 + 1) {
                        keys.extend(first.iter().flat_map(|a| second.iter().map(move |b| (*a, *b))));
                    }
                }
                keys.sort_unstable();
                keys.dedup();
                for &(a, b) in &keys {
                    idx.pairs.entry((a, b, len)).or_default().push(id);
                }
            }
            mine.sort_unstable();
            mine.dedup();
            for t in &mine {
                idx.postings.entry((*t, len)).or_default().push(id);
            }
            if !idx.lengths.contains(&len) {
                idx.lengths.push(len);
            }
            idx.signatures.push(signature(&mine));
            idx.tokens.push(mine);
            idx.cores.entry(p.core.iter().collect()).or_default().push(id);
        }
        idx.lengths.sort_unstable();
        idx
    }

    /// The signature of a query (see [`FuzzyIndex::shares_nothing`]): its tokens that any
    /// organisation has, folded as the organisations' are.
    pub fn signature_of(&self, q: &Prepared) -> u128 {
        let ids: Vec<u32> = position_tokens(q).iter().flatten().filter_map(|t| self.ids.get(t).copied()).collect();
        signature(&ids)
    }

    /// Whether `org` certainly shares no token with the query of signature `query`: no
    /// syllable and no character without a reading. Then no character of one is the same as,
    /// or sounds like, any character of the other, and [`similarity`] scores the pair 0
    /// (both edit distances are the longer length; an abbreviation shares characters). A
    /// unit's own organisations are all scored against each of its unmatched names, and
    /// this lets most of them be passed over from 16 bytes each, without reading their cores.
    pub fn shares_nothing(&self, query: u128, org: usize) -> bool {
        self.signatures.get(org).is_some_and(|s| s & query == 0)
    }

    /// How many of the query's positions share a token with `org`: `masks` holds, for each
    /// token of the query in order, the positions (as bits) where it occurs. Both lists are
    /// sorted, so they are walked side by side.
    fn hits(&self, query: &[Vec<u32>], masks: &[(u32, u64)], org: u32) -> usize {
        let Some(mine) = self.tokens.get(org as usize) else { return 0 };
        if query.len() > 64 {
            return query.iter().filter(|pos| pos.iter().any(|t| mine.binary_search(t).is_ok())).count();
        }
        let mut hit = 0u64;
        let mut theirs = mine.iter().peekable();
        for (t, mask) in masks {
            while theirs.next_if(|u| *u < t).is_some() {}
            if theirs.peek() == Some(&t) {
                hit |= mask;
            }
        }
        hit.count_ones() as usize
    }

    /// Every organisation that can score at or above `review` against `q`, and a few more.
    ///
    /// A score of at least `review` needs a core similarity of at least `review` (kinds and
    /// party suffixes only lower it), which [`similarity`] gives in three ways:
    ///
    /// - an edit distance of at most `k = ⌊(1 − review) × longer⌋`, by characters or by
    ///   sound: at least `longer − k` of the query's positions then share a reading with the
    ///   candidate, so the candidate shares at least one of any `m − (longer − k) + 1` of
    ///   them — those with the shortest postings generate it, and the count is verified;
    /// - a shorter candidate inside the query (a contained core of two characters or more,
    ///   or the query less one position word): looked up by the query's own substrings;
    /// - the query inside a longer candidate (the same, the other way): all `m` positions
    ///   are shared, so the rarest one generates it.
    pub fn candidates(&self, q: &Prepared, review: f64) -> Vec<usize> {
        let m = q.core.len();
        if m == 0 {
            return Vec::new();
        }
        let query: Vec<Vec<u32>> = position_tokens(q)
            .iter()
            .map(|pos| pos.iter().filter_map(|t| self.ids.get(t).copied()).collect())
            .collect();
        let mut masks: Vec<(u32, u64)> = Vec::new();
        for (i, pos) in query.iter().enumerate().take(64) {
            for t in pos {
                match masks.iter_mut().find(|(q, _)| q == t) {
                    Some((_, mask)) => *mask |= 1 << i,
                    None => masks.push((*t, 1 << i)),
                }
            }
        }
        masks.sort_unstable_by_key(|(t, _)| *t);
        let slack = (1.0 - review).clamp(0.0, 1.0);
        // Matched pairs of an alignment are one to one, so the edit route needs
        // `longer − k ≤ min(m, n)`; a longer candidate may instead hold the whole query.
        let need = |n: usize| -> Option<usize> {
            let longer = m.max(n);
            let k = (slack * longer as f64 + 1e-9).floor() as usize;
            let edits = longer.saturating_sub(k).max(1);
            let by_edits = (edits <= m.min(n)).then_some(edits);
            let inside = (n > m && (m >= 2 || n == m + 1)).then_some(m);
            match (by_edits, inside) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        let mut out: Vec<u32> = Vec::new();
        for &len in &self.lengths {
            let Some(need) = need(usize::from(len)) else { continue };
            // With two positions or more to share, the candidate's matched positions keep
            // their order, so it holds at least C(need, 2) of the query's ordered position
            // pairs: it is in one of any C(m, 2) − C(need, 2) + 1 of their postings. Pairs are
            // far rarer than single syllables, so a province costs little more per query
            // than a district.
            if need >= 2 && usize::from(len) <= PAIR_MAX_LEN && m <= 2 * PAIR_MAX_LEN {
                let mut lists: Vec<(usize, Vec<&Vec<u32>>)> = Vec::new();
                for (i1, first) in query.iter().enumerate() {
                    for second in query.iter().skip(i1 + 1) {
                        let ls: Vec<&Vec<u32>> = first
                            .iter()
                            .flat_map(|a| second.iter().filter_map(move |b| self.pairs.get(&(*a, *b, len))))
                            .collect();
                        lists.push((ls.iter().map(|l| l.len()).sum(), ls));
                    }
                }
                lists.sort_by_key(|(size, _)| *size);
                let take = choose2(m) - choose2(need) + 1;
                let mut generated: Vec<u32> =
                    lists.iter().take(take).flat_map(|(_, ls)| ls.iter().flat_map(|l| l.iter().copied())).collect();
                generated.sort_unstable();
                generated.dedup();
                out.extend(generated.into_iter().filter(|id| self.hits(&query, &masks, *id) >= need));
                continue;
            }
            // The postings of each position at this length, shortest first.
            let mut lists: Vec<(usize, Vec<&Vec<u32>>)> = query
                .iter()
                .map(|pos| {
                    let ls: Vec<&Vec<u32>> = pos.iter().filter_map(|t| self.postings.get(&(*t, len))).collect();
                    (ls.iter().map(|l| l.len()).sum(), ls)
                })
                .collect();
            lists.sort_by_key(|(size, _)| *size);
            let mut generated: Vec<u32> =
                lists.iter().take(m - need + 1).flat_map(|(_, ls)| ls.iter().flat_map(|l| l.iter().copied())).collect();
            generated.sort_unstable();
            generated.dedup();
            out.extend(generated.into_iter().filter(|id| self.hits(&query, &masks, *id) >= need));
        }
        // Shorter cores inside the query: every substring of two characters or more, and
        // the query less one position word.
        let mut inside: Vec<String> = Vec::new();
        for n in 2..m {
            inside.extend(q.core.windows(n).map(|w| w.iter().collect::<String>()));
        }
        for (i, c) in q.core.iter().enumerate() {
            if POSITION_WORDS.contains(c) {
                inside.push(q.core.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| *c).collect());
            }
        }
        for sub in &inside {
            out.extend(self.cores.get(sub).into_iter().flatten().copied());
        }
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(|id| id as usize).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Caution, FuzzyIndex, Prepared, same_sound, similarity};

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
    fn the_bit_parallel_distance_is_the_table_distance() {
        use super::{bit_distance, distance_rows};
        let names: Vec<Vec<char>> =
            ["寺平", "四平", "上徐", "徐", "前溪边", "前西边", "汤溪镇中心", "AB", "", "溪溪溪"]
                .iter()
                .map(|s| s.chars().collect())
                .collect();
        let long: Vec<char> = "金华经济技术开发区".repeat(8).chars().collect();
        let mut compared = 0;
        for q in names.iter().chain([&long]) {
            for c in names.iter().chain([&long]) {
                if q.is_empty() || c.is_empty() || q.len() > 64 {
                    continue;
                }
                let same = |i: usize, j: usize| q.get(i) == c.get(j);
                let table =
                    distance_rows(q.len(), c.len(), &same, &mut vec![0; c.len() + 1], &mut vec![0; c.len() + 1]);
                assert_eq!(bit_distance(q.len(), c.len(), &same), table, "{q:?} {c:?}");
                // A looser test (any two characters of the same group of three) as well.
                let loose =
                    |i: usize, j: usize| q.get(i).zip(c.get(j)).is_some_and(|(x, y)| *x as u32 % 3 == *y as u32 % 3);
                let table =
                    distance_rows(q.len(), c.len(), &loose, &mut vec![0; c.len() + 1], &mut vec![0; c.len() + 1]);
                assert_eq!(bit_distance(q.len(), c.len(), &loose), table, "{q:?} {c:?} loose");
                compared += 1;
            }
        }
        assert!(compared >= 80, "{compared}");
        // 64 items use every bit of the word.
        let sixty_four: Vec<char> = long.iter().copied().take(64).collect();
        let other: Vec<char> = long.iter().copied().skip(3).take(60).collect();
        let same = |i: usize, j: usize| sixty_four.get(i) == other.get(j);
        let table = distance_rows(64, 60, &same, &mut vec![0; 61], &mut vec![0; 61]);
        assert_eq!(bit_distance(64, 60, &same), table);
    }

    #[test]
    fn sounds_compared_by_number_agree_with_the_readings() {
        // Heteronyms (长 chang/zhang, 行 xing/hang, 重 zhong/chong), ü (绿 lü), a character
        // without a reading (A) and plain homophones (寺/四, 溪/西).
        let a = Prepared::new("长行重绿A寺溪张杭冲律虑四西航");
        let mut agree = 0;
        for i in 0..a.core.len() {
            for j in 0..a.core.len() {
                let by_text = a.core[i] == a.core[j] || a.readings[i].iter().any(|r| a.readings[j].contains(r));
                assert_eq!(same_sound(&a, i, &a, j), by_text, "{} {}", a.core[i], a.core[j]);
                agree += usize::from(by_text && i != j);
            }
        }
        // The pairs that sound alike without being the same character are found.
        assert!(agree >= 12, "{agree}");
    }

    #[test]
    fn a_pair_passed_over_by_signature_scores_zero() {
        // The labelled set's master list (real names), with heteronyms (长, 行, 重), ü (绿),
        // characters without a reading (A, 2) and position words added.
        let text = include_str!("../tests/matching/名册.csv");
        let mut names: Vec<String> =
            text.lines().skip(1).filter_map(|l| l.split(',').nth(1)).map(String::from).collect();
        names.extend(
            ["长行村", "张杭村", "重阳村", "冲洋村", "绿水村", "律水村", "A2村", "A村", "上寺平村", "寺平A"]
                .map(String::from),
        );
        let prepared: Vec<Prepared> = names.iter().map(|n| Prepared::new(n)).collect();
        let index = FuzzyIndex::new(&prepared);
        let (mut passed_over, mut pairs) = (0, 0);
        for q in &prepared {
            let signature = index.signature_of(q);
            for (org, c) in prepared.iter().enumerate() {
                pairs += 1;
                if index.shares_nothing(signature, org) {
                    passed_over += 1;
                    let s = similarity(q, c);
                    assert_eq!((s.score, s.char_sim, s.pinyin_sim), (0.0, 0.0, 0.0), "{:?} {:?}", q.core, c.core);
                }
            }
        }
        // Most pairs of place names share no syllable.
        assert!(passed_over * 10 > pairs * 7, "{passed_over} of {pairs}");
    }

    #[test]
    fn a_prepared_query_marks_exactly_the_positions_compared_pair_by_pair() {
        use super::{Query, edit_distance, similarity_to};
        // Heteronyms on either side (长, 行, 重), ü (绿/律), characters without a reading
        // (A, 2), repeated characters and sounds, and homophones (寺/四, 溪/西).
        let names = [
            "长行重绿A寺溪",
            "张杭冲律虑四西",
            "前溪边",
            "前西边",
            "长长张2",
            "A2A",
            "溪西溪西",
            "寺平",
            "四平",
            "重行",
            "冲航",
        ];
        let prepared: Vec<Prepared> = names.iter().map(|n| Prepared::new(n)).collect();
        let mut marked = 0;
        for q in &prepared {
            let query = Query::new(q);
            for c in &prepared {
                for j in 0..c.core.len() {
                    let chars = (0..q.core.len()).filter(|&i| q.core[i] == c.core[j]).fold(0u64, |m, i| m | 1 << i);
                    let sounds = (0..q.core.len()).filter(|&i| same_sound(q, i, c, j)).fold(0u64, |m, i| m | 1 << i);
                    assert_eq!(query.chars_at(c.core.get(j)), chars, "{:?} {:?} {j}", q.core, c.core);
                    assert_eq!(query.sounds_at(c, j), sounds, "{:?} {:?} {j}", q.core, c.core);
                    marked += usize::from(sounds != chars);
                }
                // And the similarity is the one pair-by-pair comparison gives.
                let s = similarity_to(&query, c);
                let longer = q.core.len().max(c.core.len()) as f64;
                let by_pairs = edit_distance(q.core.len(), c.core.len(), |i, j| same_sound(q, i, c, j));
                assert_eq!(s.pinyin_sim, if s.char_sim == 1.0 { 1.0 } else { 1.0 - by_pairs as f64 / longer });
            }
        }
        // Positions that sound alike without being the same character were met.
        assert!(marked >= 40, "{marked}");
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
        assert_eq!(idx.candidates(&Prepared::new("四平村"), 0.75), vec![0]);
        assert_eq!(idx.candidates(&Prepared::new("徐村"), 0.75), vec![1, 2]);
        assert!(idx.candidates(&Prepared::new("先舟社区"), 0.75).contains(&3));
    }
}

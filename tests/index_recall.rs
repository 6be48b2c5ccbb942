//! The fuzzy index against brute force (SPEC §4.2, §9): on a generated province-sized master
//! list (150,000 names built from the characters of the real village names) and noisy
//! queries (homophone typos, dropped and added characters, position words), every
//! organisation that brute force scores at or above the review line must be among the
//! index's candidates in at least 99.5% of cases.

use std::collections::BTreeMap;

use huizong::fuzzy::{FuzzyIndex, POSITION_WORDS, Prepared, similarity};

/// A small deterministic generator (64-bit LCG), so the list is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

/// Characters of the real place names (without kind words), from the labelled set's master list.
fn place_chars() -> Vec<char> {
    let text = include_str!("matching/名册.csv");
    let mut chars: Vec<char> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .flat_map(|name| Prepared::new(name).core)
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

fn province(n: usize, rng: &mut Lcg, pool: &[char]) -> Vec<String> {
    let kinds = ["村党支部", "村党总支", "社区党支部", "村党支部", "村党支部"];
    (0..n)
        .map(|_| {
            let len = 2 + (rng.next() % 3) as usize;
            let core: String = (0..len).map(|_| *rng.pick(pool)).collect();
            format!("{core}{}", rng.pick(&kinds))
        })
        .collect()
}

/// A noisy variant of a name: a homophone typo, a dropped or added character, a position word.
fn noisy(name: &str, rng: &mut Lcg, by_sound: &BTreeMap<&'static str, Vec<char>>) -> String {
    let p = Prepared::new(name);
    let mut core = p.core.clone();
    let i = (rng.next() as usize) % core.len();
    match rng.next() % 4 {
        0 => {
            if let Some(sound) = p.readings[i].first()
                && let Some(chars) = by_sound.get(sound)
            {
                core[i] = *rng.pick(chars);
            }
        }
        1 if core.len() > 2 => {
            core.remove(i);
        }
        2 => core.insert(0, *rng.pick(&POSITION_WORDS)),
        _ => {
            core.remove(0);
        }
    }
    format!("{}村", core.iter().collect::<String>())
}

#[test]
fn index_recall_against_brute_force_is_at_least_99_5_percent() {
    let mut rng = Lcg(20151031);
    let pool = place_chars();
    assert!(pool.len() > 200, "too few characters: {}", pool.len());
    let names = province(150_000, &mut rng, &pool);
    let prepared: Vec<Prepared> = names.iter().map(|n| Prepared::new(n)).collect();
    let index = FuzzyIndex::new(&prepared);
    let mut by_sound: BTreeMap<&'static str, Vec<char>> = BTreeMap::new();
    for c in &pool {
        for r in Prepared::new(&c.to_string()).readings.into_iter().flatten() {
            by_sound.entry(r).or_default().push(*c);
        }
    }
    // The index's filter is derived from the review line, so it is checked at the default
    // line and at a lower one a campaign might configure.
    const LINES: [f64; 2] = [0.75, 0.65];
    let (mut relevant, mut found, mut looked_at) = ([0usize; 2], [0usize; 2], [0usize; 2]);
    for _ in 0..120 {
        let target = rng.pick(&names).clone();
        let q = Prepared::new(&noisy(&target, &mut rng, &by_sound));
        let candidates: Vec<Vec<usize>> = LINES.iter().map(|line| index.candidates(&q, *line)).collect();
        for (i, p) in prepared.iter().enumerate() {
            let score = similarity(&q, p).score;
            for (l, line) in LINES.iter().enumerate() {
                if score >= *line {
                    relevant[l] += 1;
                    if candidates[l].binary_search(&i).is_ok() {
                        found[l] += 1;
                    }
                }
            }
        }
        for (l, c) in candidates.iter().enumerate() {
            looked_at[l] += c.len();
        }
    }
    for (l, line) in LINES.iter().enumerate() {
        assert!(relevant[l] >= 100, "the queries should have relevant organisations: {}", relevant[l]);
        let recall = found[l] as f64 / relevant[l] as f64;
        let share = looked_at[l] as f64 / (120.0 * names.len() as f64);
        println!(
            "review line {line}: index recall {}/{} = {recall:.4}; candidates per query {:.0} ({:.2}% of the list)",
            found[l],
            relevant[l],
            looked_at[l] as f64 / 120.0,
            share * 100.0
        );
        assert!(share < 0.05, "the index should look at a small share of the list, not all pairs: {share:.4}");
        assert!(recall >= 0.995, "recall at {line}: {recall:.4} ({}/{})", found[l], relevant[l]);
    }
}

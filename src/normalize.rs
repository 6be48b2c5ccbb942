//! Organisation names (SPEC §4.1): each rule is a small function that returns the rewritten
//! name when it fired, and [`normalize`] applies them in order, recording the Chinese label
//! of every rule that fired ("去除前缀'中共'"). The result is the key that matching compares.

use crate::values::is_space;

/// What normalisation made of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised key ("寺平村党支部").
    pub key: String,
    /// The key without its party-organisation suffix ("寺平村"), for a name reported without
    /// one; `None` when the key has no such suffix.
    pub place: Option<String>,
    /// "（原XX村）" found in the name: a hint at an old name.
    pub former_name: Option<String>,
    /// Labels of the rules that fired, in order.
    pub rules: Vec<String>,
}

/// Prefixes that name a region or the organiser rather than the organisation.
const REGION_PREFIXES: [&str; 4] = ["金华经济技术开发区", "金华市", "婺城区", "开发区"];
const PARTY_PREFIXES: [&str; 2] = ["中国共产党", "中共"];
/// Annotations users append to a name.
const ANNOTATIONS: [&str; 8] = ["(示范点)", "(示范)", "(新)", "(新增)", "(一般点)", "★", "☆", "*"];
/// Type words that alone are not a name.
const TYPE_WORDS: [&str; 6] = ["党支部", "党总支", "党委", "村", "社区", "支部"];
/// Canonical party-organisation suffixes.
pub const PARTY_SUFFIXES: [&str; 3] = ["党总支", "党支部", "党委"];

/// Rule 1: Unicode NFKC (full width → half width), white space removed, brackets unified.
pub fn fold_width_and_space(name: &str) -> Option<String> {
    let nfkc = crate::values::nfkc(name);
    // Nearly every name is already folded: found so by looking, without building a copy.
    let changes = |c: char| is_space(c) || c.is_control() || "【[〔{〖】]〕}〗".contains(c);
    if matches!(nfkc, std::borrow::Cow::Borrowed(_)) && !name.contains(changes) {
        return None;
    }
    let out: String = nfkc
        .chars()
        .filter(|c| !is_space(*c) && !c.is_control())
        .map(|c| match c {
            '【' | '[' | '〔' | '{' | '〖' => '(',
            '】' | ']' | '〕' | '}' | '〗' => ')',
            c => c,
        })
        .collect();
    (out != name).then_some(out)
}

/// Rule 2: annotations dropped ("(示范点)", "(新)", "★").
pub fn drop_annotations(name: &str) -> Option<String> {
    // Every annotation opens with one of these: most names have none, and are not searched
    // once per annotation.
    if !name.contains(['(', '★', '☆', '*']) {
        return None;
    }
    let mut out = name.to_string();
    for a in ANNOTATIONS {
        out = out.replace(a, "");
    }
    (out != name && !out.is_empty()).then_some(out)
}

/// Rule 3: "(原XX村)" taken out of the name and kept as a hint.
pub fn take_former_name(name: &str) -> Option<(String, String)> {
    let start = name.find("(原")?;
    let rest = name.get(start..)?;
    let end = rest.find(')')?;
    let hint = rest.get("(原".len()..end)?.to_string();
    let out = format!("{}{}", name.get(..start)?, rest.get(end + 1..)?);
    (!out.is_empty() && !hint.is_empty()).then_some((out, hint))
}

/// Drops `prefix` unless only a type word (or nothing) would remain.
pub fn drop_prefix(name: &str, prefix: &str) -> Option<String> {
    let rest = name.strip_prefix(prefix)?;
    (!rest.is_empty() && !TYPE_WORDS.contains(&rest)).then(|| rest.to_string())
}

/// Rule 5: organisation-type suffixes canonicalised.
pub fn canonical_suffix(name: &str) -> Option<(String, &'static str)> {
    // Longest first: 总支部委员会 before 支部委员会 before 委员会; the residents' and
    // villagers' committees before the party committee.
    const TABLE: [(&str, &str, &str); 16] = [
        ("社区居民委员会", "社区", "统一为'社区'"),
        ("社区居委会", "社区", "统一为'社区'"),
        ("居民委员会", "社区", "统一为'社区'"),
        ("居委会", "社区", "统一为'社区'"),
        ("村村民委员会", "村", "统一为'村'"),
        ("村民委员会", "村", "统一为'村'"),
        ("村村委会", "村", "统一为'村'"),
        ("村委会", "村", "统一为'村'"),
        ("党总支部委员会", "党总支", "统一为'党总支'"),
        ("总支部委员会", "党总支", "统一为'党总支'"),
        ("总支", "党总支", "统一为'党总支'"),
        ("党支部委员会", "党支部", "统一为'党支部'"),
        ("支部委员会", "党支部", "统一为'党支部'"),
        ("支部", "党支部", "统一为'党支部'"),
        ("党委员会", "党委", "统一为'党委'"),
        ("委员会", "党委", "统一为'党委'"),
    ];
    for (from, to, label) in TABLE {
        if let Some(stem) = name.strip_suffix(from) {
            // "党总支" and "党支部" already canonical: 党 + 总支 / 党 + 支部.
            let stem = if to.starts_with('党') { stem.strip_suffix('党').unwrap_or(stem) } else { stem };
            // Already canonical ("…党支部" read as 党 + 支部): no copy made to find that out.
            if stem.is_empty() || (name.len() == stem.len() + to.len() && name.ends_with(to)) {
                return None;
            }
            return Some((format!("{stem}{to}"), label));
        }
    }
    None
}

/// Rule 6: Chinese numerals in ordinals (第一党支部 → 第1党支部).
pub fn ordinal_digits(name: &str) -> Option<String> {
    if !name.contains('第') {
        return None;
    }
    let mut out = String::new();
    let mut chars = name.chars().peekable();
    let mut changed = false;
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '第' {
            continue;
        }
        let mut numeral = String::new();
        while let Some(&n) = chars.peek() {
            if "零一二三四五六七八九十".contains(n) {
                numeral.push(n);
                chars.next();
            } else {
                break;
            }
        }
        if numeral.is_empty() {
            continue;
        }
        match chinese_number(&numeral) {
            Some(v) => {
                out.push_str(&v.to_string());
                changed = true;
            }
            None => out.push_str(&numeral),
        }
    }
    changed.then_some(out)
}

fn chinese_number(s: &str) -> Option<u32> {
    let digit = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / '零'.len_utf8()) as u32);
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [d] if *d != '十' => digit(*d),
        ['十'] => Some(10),
        ['十', d] => Some(10 + digit(*d)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', d] => Some(digit(*t)? * 10 + digit(*d)?),
        _ => None,
    }
}

/// The key without a trailing party suffix, when something meaningful remains.
pub fn place_of(key: &str) -> Option<String> {
    PARTY_SUFFIXES
        .iter()
        .find_map(|s| key.strip_suffix(s))
        .filter(|p| !p.is_empty() && !TYPE_WORDS.contains(p))
        .map(str::to_string)
}

/// Applies every rule in order. `organiser` and `unit_names` are the prefixes of this
/// campaign (the organiser and every configured unit's full name — never an alias).
pub fn normalize(name: &str, organiser: &str, unit_names: &[&str]) -> Normalized {
    Normalizer::new(organiser, unit_names).normalize(name)
}

/// The rules of [`normalize`] prepared once for a campaign: the unit names are looked up by
/// the name's own prefixes, so a province of 1,400 units costs no more per name than a
/// district of ten.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// The organiser and the region prefixes, in the order they are tried.
    fixed: Vec<String>,
    units: crate::HashSet<String>,
    /// Length in characters of the longest unit name.
    longest_unit: usize,
}

impl Normalizer {
    pub fn new(organiser: &str, unit_names: &[&str]) -> Normalizer {
        let organiser_folded = fold_width_and_space(organiser).unwrap_or_else(|| organiser.to_string());
        let mut fixed = Vec::new();
        if !organiser_folded.is_empty() {
            fixed.push(organiser_folded);
        }
        fixed.extend(REGION_PREFIXES.iter().map(|p| p.to_string()));
        Normalizer {
            fixed,
            units: unit_names.iter().map(|u| u.to_string()).collect(),
            longest_unit: unit_names.iter().map(|u| u.chars().count()).max().unwrap_or(0),
        }
    }

    /// The longest configured unit name `s` starts with (and may lose, see [`drop_prefix`]).
    fn unit_prefix(&self, s: &str) -> Option<String> {
        let ends: Vec<usize> = s.char_indices().map(|(i, c)| i + c.len_utf8()).take(self.longest_unit).collect();
        ends.into_iter()
            .rev()
            .filter_map(|end| s.get(..end))
            .find(|p| self.units.contains(*p) && drop_prefix(s, p).is_some())
            .map(str::to_string)
    }

    /// Applies every rule in order (see [`normalize`]).
    pub fn normalize(&self, name: &str) -> Normalized {
        let mut rules = Vec::new();
        let mut s = name.to_string();
        if let Some(out) = fold_width_and_space(&s) {
            s = out;
            rules.push("统一全角半角、去除空格".to_string());
        }
        if let Some(out) = drop_annotations(&s) {
            s = out;
            rules.push("去除标注".to_string());
        }
        let mut former_name = None;
        if let Some((out, hint)) = take_former_name(&s) {
            s = out;
            rules.push(format!("原名'{hint}'作为别名线索"));
            former_name = Some(hint);
        }
        // Prefixes may stack ("中共金华经济技术开发区汤溪镇…"): repeat until none fires.
        loop {
            let mut fired = false;
            for p in PARTY_PREFIXES.iter().copied().chain(self.fixed.iter().map(String::as_str)) {
                if let Some(out) = drop_prefix(&s, p) {
                    s = out;
                    rules.push(format!("去除前缀'{p}'"));
                    fired = true;
                }
            }
            while let Some(p) = self.unit_prefix(&s) {
                if let Some(out) = drop_prefix(&s, &p) {
                    s = out;
                    rules.push(format!("去除前缀'{p}'"));
                    fired = true;
                }
            }
            if !fired {
                break;
            }
        }
        if let Some((out, label)) = canonical_suffix(&s) {
            s = out;
            rules.push(label.to_string());
        }
        if let Some(out) = ordinal_digits(&s) {
            s = out;
            rules.push("序数改为阿拉伯数字".to_string());
        }
        let place = place_of(&s);
        Normalized { key: s, place, former_name, rules }
    }
}

#[cfg(test)]
mod tests {
    use super::{
        canonical_suffix, drop_annotations, drop_prefix, fold_width_and_space, normalize, ordinal_digits, place_of,
        take_former_name,
    };

    const UNITS: [&str; 3] = ["汤溪镇", "苏孟乡", "西关街道"];

    #[test]
    fn width_space_and_brackets() {
        assert_eq!(fold_width_and_space("寺平村　党支部").as_deref(), Some("寺平村党支部"));
        assert_eq!(fold_width_and_space("寺平村\u{200B}党支部").as_deref(), Some("寺平村党支部"));
        assert_eq!(fold_width_and_space("寺平村\u{1}党支部\u{7}").as_deref(), Some("寺平村党支部"));
        assert_eq!(fold_width_and_space("寺平村（示范点）").as_deref(), Some("寺平村(示范点)"));
        assert_eq!(fold_width_and_space("寺平村【示范点】").as_deref(), Some("寺平村(示范点)"));
        assert_eq!(fold_width_and_space("寺平村"), None);
    }

    #[test]
    fn every_annotation_is_dropped_wherever_it_stands() {
        for a in super::ANNOTATIONS {
            for name in [format!("寺平村{a}"), format!("{a}寺平村"), format!("寺平{a}村")] {
                assert_eq!(drop_annotations(&name).as_deref(), Some("寺平村"), "{name}");
            }
        }
    }

    #[test]
    fn annotations_and_former_names() {
        assert_eq!(drop_annotations("寺平村党支部(示范点)").as_deref(), Some("寺平村党支部"));
        assert_eq!(drop_annotations("★寺平村").as_deref(), Some("寺平村"));
        assert_eq!(drop_annotations("寺平村"), None);
        assert_eq!(
            take_former_name("新园社区(原新园村)党支部"),
            Some(("新园社区党支部".to_string(), "新园村".to_string()))
        );
    }

    #[test]
    fn prefixes_never_leave_only_a_type_word() {
        assert_eq!(drop_prefix("中共寺平村党支部", "中共").as_deref(), Some("寺平村党支部"));
        assert_eq!(drop_prefix("汤溪镇党委", "汤溪镇"), None);
        assert_eq!(drop_prefix("汤溪村党支部", "汤溪镇"), None);
    }

    #[test]
    fn type_suffixes_are_canonical() {
        let cases = [
            ("寺平村支部委员会", "寺平村党支部"),
            ("寺平村党支部委员会", "寺平村党支部"),
            ("寺平村支部", "寺平村党支部"),
            ("寺平村总支部委员会", "寺平村党总支"),
            ("寺平村总支", "寺平村党总支"),
            ("寺平村委会", "寺平村"),
            ("寺平村村民委员会", "寺平村"),
            ("新园社区居民委员会", "新园社区"),
            ("新园居委会", "新园社区"),
            ("某公司委员会", "某公司党委"),
        ];
        for (from, want) in cases {
            assert_eq!(canonical_suffix(from).map(|(s, _)| s).as_deref(), Some(want), "{from}");
        }
        assert_eq!(canonical_suffix("寺平村党支部"), None);
        assert_eq!(canonical_suffix("寺平村党总支"), None);
        assert_eq!(canonical_suffix("寺平村党委"), None);
    }

    #[test]
    fn ordinals_become_digits() {
        assert_eq!(ordinal_digits("仙舟社区第一党支部").as_deref(), Some("仙舟社区第1党支部"));
        assert_eq!(ordinal_digits("第十二党支部").as_deref(), Some("第12党支部"));
        assert_eq!(ordinal_digits("第二十党支部").as_deref(), Some("第20党支部"));
        assert_eq!(ordinal_digits("第1党支部"), None);
    }

    #[test]
    fn full_names_normalise_to_the_official_key() {
        let n = normalize("中共金华经济技术开发区汤溪镇寺平村支部委员会（示范点）", "金华经济技术开发区", &UNITS);
        assert_eq!(n.key, "寺平村党支部");
        assert_eq!(n.place.as_deref(), Some("寺平村"));
        assert!(n.rules.contains(&"去除前缀'中共'".to_string()), "{:?}", n.rules);
        assert!(n.rules.contains(&"去除前缀'汤溪镇'".to_string()), "{:?}", n.rules);
        assert!(n.rules.contains(&"统一为'党支部'".to_string()), "{:?}", n.rules);
        // The unit's alias is never dropped: 汤溪村 is a real village.
        assert_eq!(normalize("汤溪村党支部", "", &UNITS).key, "汤溪村党支部");
        assert_eq!(normalize("苏孟乡苏孟村委会", "", &UNITS).key, "苏孟村");
        assert_eq!(normalize("汤溪镇党委", "", &UNITS).key, "汤溪镇党委");
        assert!(normalize("寺平村党支部", "", &UNITS).rules.is_empty());
    }

    #[test]
    fn place_keys() {
        assert_eq!(place_of("寺平村党支部").as_deref(), Some("寺平村"));
        assert_eq!(place_of("寺平村"), None);
        assert_eq!(place_of("党支部"), None);
    }
}

//! The return layout: every field of a return row, its typical header names and the value
//! vocabularies, loaded from `templates/return_fields.toml` (embedded). This is the single
//! source of truth for header recognition (here), value parsing ([`crate::values`]) and,
//! later, the template writer.

use crate::HashSet;

use serde::Deserialize;

use crate::values::is_space;

const EMBEDDED: &str = include_str!("../templates/return_fields.toml");

/// The first cell of a template's own sheets (填表说明, the drop-down helper) starts with
/// this text; the reader skips such sheets without any issue.
pub const TEMPLATE_AUX_MARKER: &str = "本页由 huizong 生成";

/// Why the reader skipped a template's own sheet (no discrepancy is raised for it).
pub const TEMPLATE_AUX_REASON: &str = "填报模板的说明页";

/// The fields a return row can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKey {
    Seq,
    Name,
    Unit,
    Demo,
    Star,
    TargetStar,
    Venue,
    Responsible,
    Deadline,
    Measures,
    ContactLeader,
    FiveTeam,
    FiveSystem,
    FiveCarrier,
    FivePosition,
    FiveCulture,
    Acceptance,
    Progress,
    Remarks,
}

impl FieldKey {
    pub fn is_five_have(self) -> bool {
        matches!(
            self,
            FieldKey::FiveTeam
                | FieldKey::FiveSystem
                | FieldKey::FiveCarrier
                | FieldKey::FivePosition
                | FieldKey::FiveCulture
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Ignore,
    Text,
    Unit,
    Demo,
    Star,
    Venue,
    Person,
    Date,
    YesNo,
    Acceptance,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: FieldKey,
    /// The header the template writes and reports show.
    pub label: String,
    pub kind: FieldKind,
    #[serde(default)]
    pub required: bool,
    pub headers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
/// Words of each vocabulary, folded (see [`crate::values::fold`]) when the layout loads.
pub struct Vocab {
    pub yes: Vec<String>,
    pub no: Vec<String>,
    pub demo_yes: Vec<String>,
    pub demo_no: Vec<String>,
    pub venue_ok: Vec<String>,
    pub venue_bad: Vec<String>,
    pub venue_none: Vec<String>,
    pub acceptance_pass: Vec<String>,
    pub acceptance_fail: Vec<String>,
    pub acceptance_pending: Vec<String>,
    pub star_unrated: Vec<String>,
    pub footer: Vec<String>,
    pub total: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    pub fields: Vec<Field>,
    pub vocab: Vocab,
    /// Each field's header synonyms folded once, in field order (filled by `embedded`).
    #[serde(skip)]
    folded: Vec<Vec<String>>,
    /// The first two characters of every folded synonym, and the one-character synonyms: a
    /// header cell names a field only if it holds one of them (most data cells do not).
    #[serde(skip)]
    openings: HashSet<(char, Option<char>)>,
    /// The first characters of `openings` in the Basic Multilingual Plane, one bit each: a
    /// character no opening starts with is passed over without a look-up.
    #[serde(skip)]
    opening_starts: Vec<u64>,
}

/// How well a header cell names a field: exact beats contained, longer beats shorter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HeaderScore {
    pub exact: bool,
    pub len: usize,
}

impl Layout {
    /// The layout compiled into the binary.
    pub fn embedded() -> Layout {
        let mut layout: Layout = toml::from_str(EMBEDDED).expect("bug: templates/return_fields.toml does not parse");
        layout.folded = layout.fields.iter().map(|f| f.headers.iter().map(|h| fold_header(h)).collect()).collect();
        layout.openings = layout.folded.iter().flatten().filter_map(|s| opening(s)).collect();
        layout.opening_starts = vec![0; 0x10000 / 64];
        for (c, _) in &layout.openings {
            if let Some(word) = layout.opening_starts.get_mut(*c as usize / 64) {
                *word |= 1 << (*c as usize % 64);
            }
        }
        // The vocabularies are only ever compared with folded cell text: fold them once here.
        let v = &mut layout.vocab;
        for words in [
            &mut v.yes,
            &mut v.no,
            &mut v.demo_yes,
            &mut v.demo_no,
            &mut v.venue_ok,
            &mut v.venue_bad,
            &mut v.venue_none,
            &mut v.acceptance_pass,
            &mut v.acceptance_fail,
            &mut v.acceptance_pending,
            &mut v.star_unrated,
            &mut v.footer,
            &mut v.total,
        ] {
            for w in words.iter_mut() {
                *w = crate::values::fold(w);
            }
        }
        layout
    }

    pub fn field(&self, key: FieldKey) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn label(&self, key: FieldKey) -> &str {
        self.field(key).map_or("", |f| f.label.as_str())
    }

    /// Every field this header cell could name, with how well it names it.
    pub fn header_candidates(&self, header: &str) -> Vec<(FieldKey, HeaderScore)> {
        let h = fold_header(header);
        if h.is_empty() || looks_like_label_value(header) || !self.may_name_a_field(&h) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (field, synonyms) in self.fields.iter().zip(&self.folded) {
            let mut best: Option<HeaderScore> = None;
            for s in synonyms {
                if s.is_empty() {
                    continue;
                }
                let score = if h == *s {
                    Some(HeaderScore { exact: true, len: s.chars().count() })
                } else if h.contains(s.as_str()) {
                    Some(HeaderScore { exact: false, len: s.chars().count() })
                } else {
                    None
                };
                if score > best {
                    best = score;
                }
            }
            if let Some(score) = best {
                out.push((field.key, score));
            }
        }
        out
    }

    /// Whether folded text `h` holds the opening of some synonym (see `openings`).
    fn may_name_a_field(&self, h: &str) -> bool {
        let mut chars = h.chars().peekable();
        while let Some(c) = chars.next() {
            let starts =
                self.opening_starts.get(c as usize / 64).is_none_or(|word| word & (1 << (c as usize % 64)) != 0);
            if !starts {
                continue;
            }
            if self.openings.contains(&(c, None))
                || chars.peek().is_some_and(|d| self.openings.contains(&(c, Some(*d))))
            {
                return true;
            }
        }
        false
    }
}

/// A synonym's first two characters, or its one character.
fn opening(s: &str) -> Option<(char, Option<char>)> {
    let mut chars = s.chars();
    chars.next().map(|c| (c, chars.next()))
}

/// Folds a header for comparison: NFKC (full width → half width), no white space, brackets
/// unified to `()`, required-field stars and trailing colons dropped.
pub fn fold_header(s: &str) -> String {
    crate::values::nfkc(s)
        .chars()
        .filter(|c| !is_space(*c) && !matches!(c, '*' | '＊' | ':' | '：'))
        .map(|c| match c {
            '【' | '[' | '〔' | '{' | '<' | '《' => '(',
            '】' | ']' | '〕' | '}' | '>' | '》' => ')',
            c => c,
        })
        .collect()
}

/// `填报单位：汤溪镇` is a statement, not a header.
fn looks_like_label_value(s: &str) -> bool {
    let t = s.trim();
    match t.find(['：', ':']) {
        Some(i) => t.get(i..).is_some_and(|rest| rest.chars().skip(1).any(|c| !is_space(c))),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{FieldKey, Layout, fold_header};

    fn best(layout: &Layout, header: &str) -> Option<FieldKey> {
        layout.header_candidates(header).into_iter().max_by_key(|(_, s)| *s).map(|(k, _)| k)
    }

    #[test]
    fn every_synonym_may_name_a_field_inside_other_text_too() {
        let layout = Layout::embedded();
        for synonym in layout.folded.iter().flatten().filter(|s| !s.is_empty()) {
            for text in [synonym.clone(), format!("本单位{synonym}（必填）")] {
                assert!(layout.may_name_a_field(&text), "{text}");
            }
        }
        assert!(!layout.may_name_a_field("汤溪镇寺平村"));
    }

    #[test]
    fn every_synonym_names_its_field_alone_and_inside_a_longer_header() {
        // The quick test for a synonym's opening must let every header through that names a
        // field, in any width and with any wrapping text.
        let layout = Layout::embedded();
        for field in &layout.fields {
            for h in &field.headers {
                let wide: String = h
                    .chars()
                    .map(|c| match c {
                        '(' => '（',
                        ')' => '）',
                        c => c,
                    })
                    .collect();
                for header in [h.clone(), format!("填报{h}（必填）"), format!("*{wide}")] {
                    let keys: Vec<FieldKey> = layout.header_candidates(&header).into_iter().map(|(k, _)| k).collect();
                    assert!(keys.contains(&field.key), "{header} does not name {:?}", field.key);
                }
            }
        }
        assert!(layout.header_candidates("石苏社区党支部").is_empty());
        assert!(layout.header_candidates("2026-10-31").is_empty());
    }

    #[test]
    fn embedded_layout_parses_and_has_a_required_name_field() {
        let layout = Layout::embedded();
        let name = layout.field(FieldKey::Name).expect("name field");
        assert!(name.required);
        assert_eq!(layout.fields.iter().filter(|f| f.required).count(), 1);
    }

    #[test]
    fn headers_fold_width_spaces_and_brackets() {
        assert_eq!(fold_header("星　级"), "星级");
        assert_eq!(fold_header("村（社区）名称"), "村(社区)名称");
        assert_eq!(fold_header("【备注】"), "(备注)");
        assert_eq!(fold_header("*党组织名称："), "党组织名称");
    }

    #[test]
    fn header_wordings_name_their_fields() {
        let layout = Layout::embedded();
        let cases = [
            ("党组织名称", FieldKey::Name),
            ("党组织名称（全称）", FieldKey::Name),
            ("组织名称", FieldKey::Name),
            ("单位名称", FieldKey::Name),
            ("示范点名称", FieldKey::Name),
            ("村（社区）名称", FieldKey::Name),
            ("所属乡镇（街道）", FieldKey::Unit),
            ("乡镇", FieldKey::Unit),
            ("是否示范点", FieldKey::Demo),
            ("点位类型", FieldKey::Demo),
            ("星级", FieldKey::Star),
            ("星　级", FieldKey::Star),
            ("现星级", FieldKey::Star),
            ("目标星级", FieldKey::TargetStar),
            ("创建目标", FieldKey::TargetStar),
            ("活动场所情况", FieldKey::Venue),
            ("场所是否达标", FieldKey::Venue),
            ("责任人", FieldKey::Responsible),
            ("负责人", FieldKey::Responsible),
            ("完成时限", FieldKey::Deadline),
            ("完成时间", FieldKey::Deadline),
            ("工作举措", FieldKey::Measures),
            ("主要措施", FieldKey::Measures),
            ("联系领导", FieldKey::ContactLeader),
            ("联系班子成员", FieldKey::ContactLeader),
            ("红色队伍", FieldKey::FiveTeam),
            ("有红色文化", FieldKey::FiveCulture),
            ("验收结果", FieldKey::Acceptance),
            ("进展情况", FieldKey::Progress),
            ("备注", FieldKey::Remarks),
            ("序号", FieldKey::Seq),
        ];
        for (header, want) in cases {
            assert_eq!(best(&layout, header), Some(want), "{header}");
        }
    }

    #[test]
    fn statements_are_not_headers() {
        let layout = Layout::embedded();
        assert!(layout.header_candidates("填报单位：汤溪镇").is_empty());
        assert!(layout.header_candidates("").is_empty());
        assert!(!layout.header_candidates("责任人：").is_empty());
    }
}

//! Cell values and the pure parsers that turn what people type into typed fields: star
//! levels in every written form, yes/no words, venue status, acceptance results, dates in
//! every listed form (SPEC §3.2). Each parser returns `Ok(None)` for a blank, `Err` with a
//! Chinese explanation for a value it cannot understand.

use std::fmt;

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::layout::Vocab;

/// One cell as the reader hands it over, independent of the file format.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date, already converted with the workbook's date system.
    Date(Date),
    /// An error value such as `#N/A`.
    Error(String),
}

impl CellValue {
    pub fn is_blank(&self) -> bool {
        match self {
            CellValue::Empty => true,
            CellValue::Text(s) => s.chars().all(is_space),
            CellValue::Number(_) | CellValue::Bool(_) | CellValue::Date(_) | CellValue::Error(_) => false,
        }
    }

    /// The value as display text (integers without a decimal point), trimmed.
    pub fn text(&self) -> String {
        match self {
            CellValue::Empty => String::new(),
            CellValue::Text(s) => s.trim_matches(is_space).to_string(),
            CellValue::Number(n) => format_number(*n),
            CellValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            CellValue::Date(d) => d.to_string(),
            CellValue::Error(e) => e.clone(),
        }
    }
}

/// Formats a number the way a person reads it in a cell: `3` not `3.0`.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { format!("{n}") }
}

/// White space in the broad sense users produce: ASCII, U+3000, NBSP and zero-width marks.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00A0}' | '\u{3000}')
}

/// Folds a token for vocabulary comparison: NFKC, no white space, upper case.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in nfkc(s).chars().filter(|c| !is_space(*c)) {
        push_upper(&mut out, c);
    }
    out
}

/// Appends `c` upper-cased; ASCII and the CJK Unified Ideographs (which have no case)
/// without a look-up in the case tables.
fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else if is_common_ideograph(c) {
        out.push(c);
    } else {
        out.extend(c.to_uppercase());
    }
}

/// `s` in Unicode NFKC. A text of ASCII and the CJK Unified Ideographs alone (most cells,
/// names and headers) is normal already, and is not run through the normaliser: neither
/// has a decomposition, and nothing among them composes.
pub fn nfkc(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(|c| c.is_ascii() || is_common_ideograph(c)) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfkc().collect())
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        (1..=12).contains(&month).then_some(())?;
        (day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    pub fn month_end(year: i32, month: u8) -> Option<Date> {
        (1..=12).contains(&month).then(|| Date { year, month, day: days_in_month(year, month) })
    }

    /// Converts an Excel serial day number; `None` outside 1900..=9999.
    pub fn from_excel_serial(serial: f64, is_1904: bool) -> Option<Date> {
        if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
            return None;
        }
        let whole = serial.floor() as i64;
        // Days since 1970-01-01. The 1900 system counts a fictitious 1900-02-29 (serial 60).
        let days = if is_1904 {
            whole - 24107
        } else if whole < 60 {
            whole - 25568
        } else if whole == 60 {
            return Date::new(1900, 2, 28);
        } else {
            whole - 25569
        };
        let (y, m, d) = civil_from_days(days);
        Date::new(y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Howard Hinnant's days-to-civil algorithm (days since 1970-01-01).
fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// Status of an activity venue (活动场所).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Venue {
    #[serde(rename = "达标")]
    Standard,
    #[serde(rename = "不达标")]
    Substandard,
    #[serde(rename = "无")]
    NoVenue,
}

impl Venue {
    pub fn label(self) -> &'static str {
        match self {
            Venue::Standard => "达标",
            Venue::Substandard => "不达标",
            Venue::NoVenue => "无",
        }
    }

    pub fn fails(self) -> bool {
        !matches!(self, Venue::Standard)
    }
}

/// Acceptance result (验收结果).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Acceptance {
    #[serde(rename = "通过")]
    Passed,
    #[serde(rename = "未通过")]
    Failed,
    #[serde(rename = "未验收")]
    Pending,
}

impl Acceptance {
    pub fn label(self) -> &'static str {
        match self {
            Acceptance::Passed => "通过",
            Acceptance::Failed => "未通过",
            Acceptance::Pending => "未验收",
        }
    }
}

/// A value that could not be understood; the message is Chinese and says what is expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError(pub String);

pub type Parsed<T> = Result<Option<T>, ValueError>;

/// Whether folded text is one of the (already folded) words.
fn in_vocab(folded: &str, words: &[String]) -> bool {
    words.iter().any(|w| w == folded)
}

/// Optional text: blank → `None`, else trimmed text.
pub fn text(cell: &CellValue) -> Option<String> {
    let t = cell.text();
    (!t.is_empty()).then_some(t)
}

/// A person's name: trimmed; the inner space people type into two-character names
/// ("张 伟") removed.
pub fn person(cell: &CellValue) -> Option<String> {
    let t = text(cell)?;
    let compact: String = t.chars().filter(|c| !is_space(*c)).collect();
    if compact.chars().count() == 2 && compact.chars().all(is_cjk) { Some(compact) } else { Some(t) }
}

/// The block of CJK Unified Ideographs (U+4E00–U+9FFF) that almost every Chinese text is
/// made of: no case, no decomposition, two columns wide. The quick paths of text handling
/// test for it first (see [`is_cjk`] for every ideograph).
pub fn is_common_ideograph(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn chinese_digit(c: char) -> Option<u8> {
    match c {
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        _ => None,
    }
}

/// A star level 1–5 in any written form: 3, 3.0, "3", 3星, 三星, 三星级, ★★★ (☆ ignored).
/// Blank, 未评 and 0 give `Ok(None)` — "未填星级" for the rules.
pub fn star(cell: &CellValue, vocab: &Vocab) -> Parsed<u8> {
    let bad =
        |shown: &str| ValueError(format!("星级\u{201C}{shown}\u{201D}无法识别，应填1至5的整数（如3、三星级、★★★）"));
    match cell {
        CellValue::Empty => Ok(None),
        CellValue::Number(n) => {
            if *n == 0.0 {
                Ok(None)
            } else if n.fract() == 0.0 && (1.0..=5.0).contains(n) {
                Ok(Some(*n as u8))
            } else {
                Err(bad(&format_number(*n)))
            }
        }
        CellValue::Text(_) => {
            let shown = cell.text();
            let f = fold(&shown);
            if f.is_empty() || in_vocab(&f, &vocab.star_unrated) {
                return Ok(None);
            }
            if f.chars().all(|c| c == '★' || c == '☆') {
                let n = f.chars().filter(|c| *c == '★').count();
                return if (1..=5).contains(&n) { Ok(Some(n as u8)) } else { Err(bad(&shown)) };
            }
            let core = f.trim_end_matches('级').trim_end_matches('星').trim_end_matches('颗');
            if let Ok(n) = core.parse::<f64>() {
                return star(&CellValue::Number(n), vocab).map_err(|_| bad(&shown));
            }
            let mut chars = core.chars();
            match (chars.next().and_then(chinese_digit), chars.next()) {
                (Some(n), None) => Ok(Some(n)),
                _ => Err(bad(&shown)),
            }
        }
        CellValue::Bool(_) | CellValue::Date(_) | CellValue::Error(_) => Err(bad(&cell.text())),
    }
}

/// Yes/no: 是/否, √/×, ✓, Y/N, 1/0 … (the vocabulary of `return_fields.toml`).
pub fn yes_no(cell: &CellValue, vocab: &Vocab) -> Parsed<bool> {
    if cell.is_blank() {
        return Ok(None);
    }
    if let CellValue::Bool(b) = cell {
        return Ok(Some(*b));
    }
    let shown = cell.text();
    let f = fold(&shown);
    if in_vocab(&f, &vocab.yes) {
        Ok(Some(true))
    } else if in_vocab(&f, &vocab.no) {
        Ok(Some(false))
    } else {
        Err(ValueError(format!("\u{201C}{shown}\u{201D}无法识别，应填\u{201C}是\u{201D}或\u{201C}否\u{201D}")))
    }
}

/// Whether a row is a demonstration site: yes/no words or 示范点/一般点; blank = no.
pub fn demo(cell: &CellValue, vocab: &Vocab) -> Result<bool, ValueError> {
    let f = fold(&cell.text());
    if in_vocab(&f, &vocab.demo_yes) {
        return Ok(true);
    }
    if in_vocab(&f, &vocab.demo_no) {
        return Ok(false);
    }
    match yes_no(cell, vocab) {
        Ok(v) => Ok(v.unwrap_or(false)),
        Err(_) => Err(ValueError(format!(
            "是否示范点\u{201C}{}\u{201D}无法识别，应填\u{201C}是\u{201D}\u{201C}否\u{201D}或\u{201C}示范点\u{201D}\u{201C}一般点\u{201D}",
            cell.text()
        ))),
    }
}

/// Whether a column's values look like demo words (for a header as vague as 类别).
pub fn looks_like_demo_word(cell: &CellValue, vocab: &Vocab) -> bool {
    let f = fold(&cell.text());
    in_vocab(&f, &vocab.demo_yes) || in_vocab(&f, &vocab.demo_no)
}

/// Venue status: 达标 / 不达标 / 无.
pub fn venue(cell: &CellValue, vocab: &Vocab) -> Parsed<Venue> {
    if cell.is_blank() {
        return Ok(None);
    }
    let shown = cell.text();
    let f = fold(&shown);
    if in_vocab(&f, &vocab.venue_bad) {
        Ok(Some(Venue::Substandard))
    } else if in_vocab(&f, &vocab.venue_none) {
        Ok(Some(Venue::NoVenue))
    } else if in_vocab(&f, &vocab.venue_ok) {
        Ok(Some(Venue::Standard))
    } else {
        Err(ValueError(format!(
            "活动场所\u{201C}{shown}\u{201D}无法识别，应填\u{201C}达标\u{201D}\u{201C}不达标\u{201D}或\u{201C}无\u{201D}"
        )))
    }
}

/// Acceptance result: 通过 / 未通过 / 未验收.
pub fn acceptance(cell: &CellValue, vocab: &Vocab) -> Parsed<Acceptance> {
    if cell.is_blank() {
        return Ok(None);
    }
    let shown = cell.text();
    let f = fold(&shown);
    if in_vocab(&f, &vocab.acceptance_fail) {
        Ok(Some(Acceptance::Failed))
    } else if in_vocab(&f, &vocab.acceptance_pending) {
        Ok(Some(Acceptance::Pending))
    } else if in_vocab(&f, &vocab.acceptance_pass) {
        Ok(Some(Acceptance::Passed))
    } else {
        Err(ValueError(format!(
            "验收结果\u{201C}{shown}\u{201D}无法识别，应填\u{201C}通过\u{201D}\u{201C}未通过\u{201D}或\u{201C}未验收\u{201D}"
        )))
    }
}

/// A deadline: a date cell, an Excel serial, 2015-10-31, 2015/10/31, 2015.10.31,
/// 2015年10月31日, 2015年10月 (month end), 10月底 and 年底 (in the campaign year).
pub fn date(cell: &CellValue, campaign_year: i32, is_1904: bool) -> Parsed<Date> {
    let bad = |shown: &str| {
        ValueError(format!("完成时限\u{201C}{shown}\u{201D}无法识别，应填日期（如2015-10-31、2015年10月31日、10月底）"))
    };
    match cell {
        CellValue::Empty => Ok(None),
        CellValue::Date(d) => Ok(Some(*d)),
        CellValue::Number(n) => {
            // Serials of 1982..2064 are plausible deadlines; a bare 2015 is a year, not a date.
            if (30_000.0..60_000.0).contains(n) {
                Date::from_excel_serial(*n, is_1904).map(Some).ok_or_else(|| bad(&format_number(*n)))
            } else {
                Err(bad(&format_number(*n)))
            }
        }
        CellValue::Text(_) => {
            let shown = cell.text();
            if shown.is_empty() {
                return Ok(None);
            }
            parse_date_text(&fold(&shown), campaign_year).map(Some).ok_or_else(|| bad(&shown))
        }
        CellValue::Bool(_) | CellValue::Error(_) => Err(bad(&cell.text())),
    }
}

fn parse_date_text(f: &str, campaign_year: i32) -> Option<Date> {
    if f == "年底" || f == "年末" || f == "本年底" || f == "今年底" {
        return Date::new(campaign_year, 12, 31);
    }
    // Text that is a serial number ("42308"); eight digits are 20151031 below.
    if let Ok(n) = f.parse::<f64>()
        && f.len() != 8
    {
        return (30_000.0..60_000.0).contains(&n).then(|| Date::from_excel_serial(n, false)).flatten();
    }
    let nums: Vec<&str> = f.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect();
    let tail: String = f.chars().filter(|c| !c.is_ascii_digit()).collect();
    let n = |i: usize| nums.get(i).and_then(|s| s.parse::<i64>().ok());
    match nums.len() {
        // 20151031
        1 if f.len() == 8 && tail.is_empty() => {
            let v = n(0)?;
            Date::new((v / 10000) as i32, ((v / 100) % 100) as u8, (v % 100) as u8)
        }
        // 10月底 / 10月末 / 10月
        1 if matches!(tail.as_str(), "月底" | "月末" | "月" | "月份") => {
            Date::month_end(campaign_year, u8::try_from(n(0)?).ok()?)
        }
        // 2015年10月 / 2015-10 / 2015.10 / 2015年10月底
        2 if n(0)? >= 1900 && matches!(tail.as_str(), "年月" | "年月底" | "年月末" | "-" | "/" | ".") => {
            Date::month_end(i32::try_from(n(0)?).ok()?, u8::try_from(n(1)?).ok()?)
        }
        // 10月31日 (campaign year)
        2 if tail == "月日" => Date::new(campaign_year, u8::try_from(n(0)?).ok()?, u8::try_from(n(1)?).ok()?),
        3 if n(0)? >= 1900 && matches!(tail.as_str(), "--" | "//" | ".." | "年月日" | "年月" | "-/" | "/-") => {
            Date::new(i32::try_from(n(0)?).ok()?, u8::try_from(n(1)?).ok()?, u8::try_from(n(2)?).ok()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Acceptance, CellValue, Date, Venue, acceptance, date, demo, person, star, venue, yes_no};
    use crate::layout::Layout;

    fn t(s: &str) -> CellValue {
        CellValue::Text(s.to_string())
    }

    #[test]
    fn upper_case_without_the_tables_is_upper_case() {
        for c in (0..0x80).chain(0x4E00..=0x9FFF).chain([0xE9, 0xDF, 0x3B1]).filter_map(char::from_u32) {
            let mut quick = String::new();
            super::push_upper(&mut quick, c);
            assert_eq!(quick, c.to_uppercase().collect::<String>(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn texts_taken_as_normal_already_are_their_own_nfkc() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0..0x80).chain(0x4E00..=0x9FFF).filter_map(char::from_u32) {
            let s = format!("{c}{c}a");
            assert_eq!(super::nfkc(&s), s.nfkc().collect::<String>(), "U+{:04X}", c as u32);
            assert!(matches!(super::nfkc(&s), std::borrow::Cow::Borrowed(_)));
        }
        // Anything else goes through the normaliser: full width, a compatibility ideograph,
        // a combining accent after a Latin letter.
        for (s, normal) in [("ＡＢ１２", "AB12"), ("\u{F900}", "\u{8C48}"), ("e\u{301}", "\u{E9}")] {
            assert_eq!(super::nfkc(s), normal, "{s}");
        }
    }

    fn vocab() -> crate::layout::Vocab {
        Layout::embedded().vocab
    }

    #[test]
    fn stars_in_every_written_form() {
        let v = vocab();
        let cases: Vec<(CellValue, Option<u8>)> = vec![
            (CellValue::Number(3.0), Some(3)),
            (t("3"), Some(3)),
            (t("3.0"), Some(3)),
            (t("3星"), Some(3)),
            (t("3星级"), Some(3)),
            (t("三星"), Some(3)),
            (t("三星级"), Some(3)),
            (t("四星级"), Some(4)),
            (t("五星"), Some(5)),
            (t("★★★"), Some(3)),
            (t("★★★★☆"), Some(4)),
            (t(" ４ "), Some(4)),
            (t("未评"), None),
            (CellValue::Number(0.0), None),
            (t("0"), None),
            (CellValue::Empty, None),
            (t("  "), None),
        ];
        for (cell, want) in cases {
            assert_eq!(star(&cell, &v), Ok(want), "{cell:?}");
        }
    }

    #[test]
    fn stars_that_cannot_be_understood_are_errors() {
        let v = vocab();
        for cell in
            [t("优秀"), CellValue::Number(6.0), CellValue::Number(3.5), t("六星"), t("★★★★★★"), CellValue::Bool(true)]
        {
            let err = star(&cell, &v).expect_err("must not parse");
            assert!(err.0.contains("星级"), "{err:?}");
        }
    }

    #[test]
    fn yes_no_words() {
        let v = vocab();
        for (s, want) in [
            ("是", true),
            ("√", true),
            ("✓", true),
            ("Y", true),
            ("y", true),
            ("1", true),
            ("否", false),
            ("×", false),
            ("N", false),
            ("0", false),
        ] {
            assert_eq!(yes_no(&t(s), &v), Ok(Some(want)), "{s}");
        }
        assert_eq!(yes_no(&CellValue::Number(1.0), &v), Ok(Some(true)));
        assert_eq!(yes_no(&CellValue::Empty, &v), Ok(None));
        assert!(yes_no(&t("也许"), &v).is_err());
    }

    #[test]
    fn demo_accepts_site_words_and_blank_means_no() {
        let v = vocab();
        assert_eq!(demo(&t("示范点"), &v), Ok(true));
        assert_eq!(demo(&t("一般点"), &v), Ok(false));
        assert_eq!(demo(&t("是"), &v), Ok(true));
        assert_eq!(demo(&t("√"), &v), Ok(true));
        assert_eq!(demo(&CellValue::Empty, &v), Ok(false));
        assert!(demo(&t("重点"), &v).is_err());
    }

    #[test]
    fn venue_and_acceptance_words() {
        let v = vocab();
        assert_eq!(venue(&t("达标"), &v), Ok(Some(Venue::Standard)));
        assert_eq!(venue(&t("不达标"), &v), Ok(Some(Venue::Substandard)));
        assert_eq!(venue(&t("无"), &v), Ok(Some(Venue::NoVenue)));
        assert_eq!(venue(&t("无场所"), &v), Ok(Some(Venue::NoVenue)));
        assert_eq!(venue(&CellValue::Empty, &v), Ok(None));
        assert!(venue(&t("很好"), &v).is_err());
        assert_eq!(acceptance(&t("通过"), &v), Ok(Some(Acceptance::Passed)));
        assert_eq!(acceptance(&t("未通过"), &v), Ok(Some(Acceptance::Failed)));
        assert_eq!(acceptance(&t("未验收"), &v), Ok(Some(Acceptance::Pending)));
        assert!(acceptance(&t("还行"), &v).is_err());
    }

    #[test]
    fn dates_in_every_listed_form() {
        let d = |y, m, d| Some(Date::new(y, m, d).expect("valid test date"));
        let cases: Vec<(CellValue, Option<Date>)> = vec![
            (CellValue::Date(Date::new(2015, 10, 31).expect("valid")), d(2015, 10, 31)),
            (CellValue::Number(42308.0), d(2015, 10, 31)),
            (t("42308"), d(2015, 10, 31)),
            (t("2015-10-31"), d(2015, 10, 31)),
            (t("2015/10/31"), d(2015, 10, 31)),
            (t("2015.10.31"), d(2015, 10, 31)),
            (t("2015年10月31日"), d(2015, 10, 31)),
            (t("2015年10月"), d(2015, 10, 31)),
            (t("2015年2月"), d(2015, 2, 28)),
            (t("10月底"), d(2015, 10, 31)),
            (t("11月底"), d(2015, 11, 30)),
            (t("年底"), d(2015, 12, 31)),
            (t("20151031"), d(2015, 10, 31)),
            (t("１２月３１日"), d(2015, 12, 31)),
            (CellValue::Empty, None),
        ];
        for (cell, want) in cases {
            assert_eq!(date(&cell, 2015, false), Ok(want), "{cell:?}");
        }
        for bad in [t("下月"), t("2015-13-01"), t("2015-02-30"), CellValue::Number(2015.0), t("13月底")] {
            assert!(date(&bad, 2015, false).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn excel_serials_in_both_date_systems() {
        assert_eq!(Date::from_excel_serial(1.0, false), Date::new(1900, 1, 1));
        assert_eq!(Date::from_excel_serial(59.0, false), Date::new(1900, 2, 28));
        assert_eq!(Date::from_excel_serial(61.0, false), Date::new(1900, 3, 1));
        assert_eq!(Date::from_excel_serial(42308.0, false), Date::new(2015, 10, 31));
        assert_eq!(Date::from_excel_serial(40846.0, true), Date::new(2015, 10, 31));
        assert_eq!(Date::from_excel_serial(0.0, true), None);
        assert_eq!(date(&CellValue::Number(40846.0), 2015, true), Ok(Date::new(2015, 10, 31)));
    }

    #[test]
    fn person_names_lose_the_padding_of_two_character_names() {
        assert_eq!(person(&t("张 伟")), Some("张伟".to_string()));
        assert_eq!(person(&t("张\u{3000}伟")), Some("张伟".to_string()));
        assert_eq!(person(&t(" 王小明 ")), Some("王小明".to_string()));
        assert_eq!(person(&t("张伟 李强")), Some("张伟 李强".to_string()));
        assert_eq!(person(&CellValue::Empty), None);
    }
}

//! Reporting periods (a year and a month): parsed from folder names and `--period`, and
//! recognised in sheet names and title lines so a sheet of another month is skipped.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::values::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u8,
}

impl Period {
    pub fn new(year: i32, month: u8) -> Option<Period> {
        ((1900..=9999).contains(&year) && (1..=12).contains(&month)).then_some(Period { year, month })
    }

    /// `2015-10`, `201510`, `2015年10月`, `2015.10`, `2015_10` (the whole text).
    pub fn parse(s: &str) -> Option<Period> {
        static RE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^(\d{4})(?:[-._/]|年)?(\d{1,2})月?(?:份)?$").expect("bug: period regex"));
        let folded: String = s.nfkc().filter(|c| !c.is_whitespace()).collect();
        let caps = RE.captures(&folded)?;
        let year = caps.get(1)?.as_str().parse().ok()?;
        let month = caps.get(2)?.as_str().parse().ok()?;
        // `20151` is ambiguous; demand two month digits when there is no separator.
        if folded.len() == 5 {
            return None;
        }
        Period::new(year, month)
    }

    /// 2015年10月
    pub fn chinese(&self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    pub fn last_day(&self) -> Date {
        Date::month_end(self.year, self.month).expect("bug: period month is 1..=12")
    }

    pub fn previous(&self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }

    pub fn next(&self) -> Period {
        if self.month == 12 {
            Period { year: self.year + 1, month: 1 }
        } else {
            Period { year: self.year, month: self.month + 1 }
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What a piece of text (a sheet name or a title line) says about its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodMention {
    /// No month is named.
    None,
    /// The text names this period.
    This,
    /// The text names another month only; carries the first one named.
    Other(Option<i32>, u8),
}

/// Finds month mentions ("9月", "2015年9月", "2015-09", "（2015年10月）") in `text` and
/// compares them with `period`. Dates with a day ("10月28日") and lines that state a filing
/// date (填报日期, 报送时间) are not periods.
pub fn mention(text: &str, period: Period) -> PeriodMention {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:(\d{4})\s*(?:年|[-./]))?\s*(\d{1,2})\s*(?:月份|月)").expect("bug: mention regex")
    });
    static ISO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{4})[-.](\d{1,2})(?:$|[^\d.\-])").expect("bug: iso regex"));
    let folded: String = text.nfkc().collect();
    if ["填报日期", "报送日期", "报送时间", "填报时间", "日期："].iter().any(|w| folded.contains(w))
    {
        return PeriodMention::None;
    }
    let mut first_other = None;
    let mut consider = |year: Option<i32>, month: u8| -> bool {
        if !(1..=12).contains(&month) {
            return false;
        }
        if month == period.month && year.is_none_or(|y| y == period.year) {
            return true;
        }
        if first_other.is_none() {
            first_other = Some((year, month));
        }
        false
    };
    for caps in RE.captures_iter(&folded) {
        let Some(whole) = caps.get(0) else { continue };
        let after = folded.get(whole.end()..).unwrap_or("");
        // 10月28日 is a day, 10月底 a deadline: neither names a reporting period.
        let trimmed = after.trim_start();
        if trimmed.starts_with(|c: char| c.is_ascii_digit()) || trimmed.starts_with(['底', '末', '初', '中']) {
            continue;
        }
        let year = caps.get(1).and_then(|m| m.as_str().parse().ok());
        let Some(month) = caps.get(2).and_then(|m| m.as_str().parse().ok()) else { continue };
        if consider(year, month) {
            return PeriodMention::This;
        }
    }
    for caps in ISO.captures_iter(&folded) {
        let year = caps.get(1).and_then(|m| m.as_str().parse().ok());
        let Some(month) = caps.get(2).and_then(|m| m.as_str().parse().ok()) else { continue };
        if consider(year, month) {
            return PeriodMention::This;
        }
    }
    match first_other {
        Some((y, m)) => PeriodMention::Other(y, m),
        None => PeriodMention::None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Period, PeriodMention, mention};

    #[test]
    fn folder_names_give_the_period() {
        let p = Period::new(2015, 10);
        for s in ["2015-10", "201510", "2015年10月", "2015.10", "2015_10", "2015年10月份", "２０１５-１０"] {
            assert_eq!(Period::parse(s), p, "{s}");
        }
        assert_eq!(Period::parse("2015-9"), Period::new(2015, 9));
        for s in ["returns", "2015-13", "20151", "2015", "10月", "2015-10-01"] {
            assert_eq!(Period::parse(s), None, "{s}");
        }
    }

    #[test]
    fn neighbours_and_last_day() {
        let p = Period::new(2015, 12).expect("valid");
        assert_eq!(p.next(), Period::new(2016, 1).expect("valid"));
        assert_eq!(Period::new(2016, 1).expect("valid").previous(), p);
        assert_eq!(p.last_day().to_string(), "2015-12-31");
        assert_eq!(p.chinese(), "2015年12月");
    }

    #[test]
    fn mentions_in_sheet_names_and_titles() {
        let p = Period::new(2015, 10).expect("valid");
        assert_eq!(mention("10月", p), PeriodMention::This);
        assert_eq!(mention("9月", p), PeriodMention::Other(None, 9));
        assert_eq!(mention("苏孟乡党建示范带创建情况月报表（2015年10月）", p), PeriodMention::This);
        assert_eq!(mention("苏孟乡党建示范带创建情况月报表（2015年9月）", p), PeriodMention::Other(Some(2015), 9));
        assert_eq!(mention("2014年10月", p), PeriodMention::Other(Some(2014), 10));
        assert_eq!(mention("2015-09", p), PeriodMention::Other(Some(2015), 9));
        assert_eq!(mention("填报单位：苏孟乡  填报日期：2015年11月2日", p), PeriodMention::None);
        assert_eq!(mention("完成时限10月底", p), PeriodMention::None);
        assert_eq!(mention("Sheet1", p), PeriodMention::None);
        assert_eq!(mention("示范带点位", p), PeriodMention::None);
    }
}

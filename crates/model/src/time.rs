//! School years (学年) and terms (学期), with their date ranges.
//!
//! A school year runs from 1 September to 31 August. It has two terms: the
//! autumn term (秋季学期) opens it and the spring term (春季学期) closes it.
//!
//! **Boundaries.** So that every date falls in exactly one term, the autumn
//! term of school year *y* covers 1 September *y* to the last day of
//! February *y+1* (the winter holiday belongs to it), and the spring term
//! covers 1 March to 31 August *y+1* (the summer holiday belongs to it).
//! A term's reference date, on which a household's status is judged, is its
//! first day: 1 September or 1 March.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// The first and last school years the calendar accepts.
pub const YEAR_RANGE: std::ops::RangeInclusive<i32> = 1949..=2199;

/// A school year (学年), named by the calendar year in which it starts:
/// `SchoolYear(2016)` is 2016-17, from 2016-09-01 to 2017-08-31.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchoolYear(i32);

impl SchoolYear {
    /// The school year starting in September of `start_year`.
    ///
    /// # Errors
    /// [`ModelError::DateOutOfRange`] outside [`YEAR_RANGE`].
    pub fn new(start_year: i32) -> Result<SchoolYear, ModelError> {
        if YEAR_RANGE.contains(&start_year) {
            Ok(SchoolYear(start_year))
        } else {
            Err(ModelError::DateOutOfRange(format!("school year {start_year}")))
        }
    }

    /// The school year that contains `date`.
    #[must_use]
    pub fn containing(date: NaiveDate) -> SchoolYear {
        if date.month() >= 9 {
            SchoolYear(date.year())
        } else {
            SchoolYear(date.year() - 1)
        }
    }

    /// The calendar year in which it starts.
    #[must_use]
    pub fn start_year(self) -> i32 {
        self.0
    }

    /// The calendar year in which it ends.
    #[must_use]
    pub fn end_year(self) -> i32 {
        self.0 + 1
    }

    /// 1 September of the start year: the statistical date (统计时点) of
    /// stock figures such as enrolment.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        ymd(self.0, 9, 1)
    }

    /// 31 August of the end year.
    #[must_use]
    pub fn last_day(self) -> NaiveDate {
        ymd(self.0 + 1, 8, 31)
    }

    /// True if `date` falls in this school year.
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    /// Its autumn term.
    #[must_use]
    pub fn autumn(self) -> Term {
        Term {
            year: self,
            season: Season::Autumn,
        }
    }

    /// Its spring term.
    #[must_use]
    pub fn spring(self) -> Term {
        Term {
            year: self,
            season: Season::Spring,
        }
    }

    /// Both terms, autumn first.
    #[must_use]
    pub fn terms(self) -> [Term; 2] {
        [self.autumn(), self.spring()]
    }

    /// The school year `n` years later (earlier if negative), or `None`
    /// outside [`YEAR_RANGE`].
    #[must_use]
    pub fn offset(self, n: i32) -> Option<SchoolYear> {
        SchoolYear::new(self.0.checked_add(n)?).ok()
    }

    /// The next school year.
    #[must_use]
    pub fn next(self) -> Option<SchoolYear> {
        self.offset(1)
    }

    /// The previous school year.
    #[must_use]
    pub fn prev(self) -> Option<SchoolYear> {
        self.offset(-1)
    }

    /// The Chinese form, `2016—2017学年`.
    #[must_use]
    pub fn to_chinese(self) -> String {
        format!("{}—{}学年", self.0, self.0 + 1)
    }
}

impl fmt::Display for SchoolYear {
    /// `2016-2017`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.0 + 1)
    }
}

const YEAR_FORMS: &str = "2016-2017, 2016-17, 2016/2017, 2016 or 2016—2017学年";

impl FromStr for SchoolYear {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<SchoolYear, ModelError> {
        let bad = || ModelError::Parse {
            what: "school year",
            input: s.to_string(),
            expected: YEAR_FORMS,
        };
        let t = s.trim();
        let t = t.strip_suffix("学年").unwrap_or(t).trim();
        let t = t.strip_suffix('年').unwrap_or(t);
        let parts: Vec<&str> = t.split(['-', '/', '—', '–', '～', '~', '至']).map(str::trim).collect();
        let start: i32 = parse_digits(parts.first().copied().unwrap_or("")).ok_or_else(bad)?;
        if parts.len() == 2 {
            let end_txt = parts[1].strip_suffix('年').unwrap_or(parts[1]);
            let end: i32 = parse_digits(end_txt).ok_or_else(bad)?;
            let ok = if end_txt.chars().count() == 2 {
                end == (start + 1) % 100
            } else {
                end == start + 1
            };
            if !ok {
                return Err(bad());
            }
        } else if parts.len() != 1 {
            return Err(bad());
        }
        SchoolYear::new(start)
    }
}

impl Serialize for SchoolYear {
    /// Serialized as the starting year, an integer (`2016`).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(self.0)
    }
}

impl<'de> Deserialize<'de> for SchoolYear {
    /// Accepts the starting year as an integer or any form [`FromStr`] takes.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SchoolYear, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SchoolYear;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a school year such as 2016 or \"2016-2017\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<SchoolYear, E> {
                let y = i32::try_from(v).map_err(|_| E::custom(format!("school year {v} out of range")))?;
                SchoolYear::new(y).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<SchoolYear, E> {
                let y = i32::try_from(v).map_err(|_| E::custom(format!("school year {v} out of range")))?;
                SchoolYear::new(y).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SchoolYear, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The two terms of a school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Season {
    /// 秋季学期: opens the school year (1 Sept to end of February).
    Autumn,
    /// 春季学期: closes the school year (1 March to 31 August).
    Spring,
}

impl Season {
    /// `"autumn"` or `"spring"`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Season::Autumn => "autumn",
            Season::Spring => "spring",
        }
    }

    /// `"秋季"` or `"春季"`.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Season::Autumn => "秋季",
            Season::Spring => "春季",
        }
    }
}

/// A term (学期): a season of a school year.
///
/// Written `2016-autumn` (the autumn of school year 2016-17, which starts in
/// calendar 2016) and `2017-spring` (the spring of the same school year,
/// which falls in calendar 2017): the number is always the calendar year in
/// which the term starts.
///
/// ```
/// use eduaid_model::{SchoolYear, Term};
/// let t: Term = "2017年春季学期".parse()?;
/// assert_eq!(t, SchoolYear::new(2016)?.spring());
/// assert_eq!(t.to_string(), "2017-spring");
/// assert_eq!(t.first_day().to_string(), "2017-03-01");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Term {
    /// The school year it belongs to.
    pub year: SchoolYear,
    /// Autumn or spring.
    pub season: Season,
}

impl Term {
    /// The term that starts in calendar year `calendar_year` in `season`:
    /// `Term::new(2017, Season::Spring)` is `2017-spring`.
    ///
    /// # Errors
    /// [`ModelError::DateOutOfRange`] outside the supported years.
    pub fn new(calendar_year: i32, season: Season) -> Result<Term, ModelError> {
        let start = match season {
            Season::Autumn => calendar_year,
            Season::Spring => calendar_year - 1,
        };
        Ok(Term {
            year: SchoolYear::new(start)?,
            season,
        })
    }

    /// The term containing `date` (see the module docs for the boundaries).
    #[must_use]
    pub fn containing(date: NaiveDate) -> Term {
        let year = SchoolYear::containing(date);
        let season = if (3..=8).contains(&date.month()) {
            Season::Spring
        } else {
            Season::Autumn
        };
        Term { year, season }
    }

    /// The calendar year in which the term starts.
    #[must_use]
    pub fn calendar_year(self) -> i32 {
        match self.season {
            Season::Autumn => self.year.start_year(),
            Season::Spring => self.year.end_year(),
        }
    }

    /// The first day: 1 September or 1 March. This is the term's reference
    /// date for household status.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        match self.season {
            Season::Autumn => ymd(self.calendar_year(), 9, 1),
            Season::Spring => ymd(self.calendar_year(), 3, 1),
        }
    }

    /// The last day: the end of February or 31 August.
    #[must_use]
    pub fn last_day(self) -> NaiveDate {
        match self.season {
            Season::Autumn => ymd(self.calendar_year() + 1, 3, 1).pred_opt().unwrap_or(NaiveDate::MAX),
            Season::Spring => ymd(self.calendar_year(), 8, 31),
        }
    }

    /// The reference date on which eligibility is judged: the first day.
    #[must_use]
    pub fn reference_date(self) -> NaiveDate {
        self.first_day()
    }

    /// True if `date` falls in this term.
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        self.first_day() <= date && date <= self.last_day()
    }

    /// The following term, or `None` past the supported years.
    #[must_use]
    pub fn next(self) -> Option<Term> {
        match self.season {
            Season::Autumn => Some(self.year.spring()),
            Season::Spring => self.year.next().map(SchoolYear::autumn),
        }
    }

    /// The preceding term.
    #[must_use]
    pub fn prev(self) -> Option<Term> {
        match self.season {
            Season::Spring => Some(self.year.autumn()),
            Season::Autumn => self.year.prev().map(SchoolYear::spring),
        }
    }

    /// Every term from `self` to `last`, both included (empty if `last` is
    /// before `self`).
    #[must_use]
    pub fn through(self, last: Term) -> Vec<Term> {
        let mut out = Vec::new();
        let mut t = Some(self);
        while let Some(x) = t {
            if x > last {
                break;
            }
            out.push(x);
            t = x.next();
        }
        out
    }

    /// The Chinese form, `2017年春季学期`.
    #[must_use]
    pub fn to_chinese(self) -> String {
        format!("{}年{}学期", self.calendar_year(), self.season.chinese())
    }
}

impl fmt::Display for Term {
    /// `2016-autumn`, `2017-spring`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.calendar_year(), self.season.code())
    }
}

const TERM_FORMS: &str = "2016-autumn, 2017-spring, 2017年春季学期, 2016秋, or 2016-2017学年第一学期";

impl FromStr for Term {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Term, ModelError> {
        let bad = || ModelError::Parse {
            what: "term",
            input: s.to_string(),
            expected: TERM_FORMS,
        };
        let t = s.trim();
        // 2016-2017学年第一学期 / 第二学期
        if let Some((year, rest)) = t.split_once("学年") {
            let sy: SchoolYear = year.parse().map_err(|_| bad())?;
            return match rest.trim() {
                "第一学期" | "上学期" | "第1学期" => Ok(sy.autumn()),
                "第二学期" | "下学期" | "第2学期" => Ok(sy.spring()),
                _ => Err(bad()),
            };
        }
        let lower = t.to_ascii_lowercase();
        // English: 2016-autumn, 2016 autumn, 2016_fall, autumn-2016.
        for (word, season) in [
            ("autumn", Season::Autumn),
            ("fall", Season::Autumn),
            ("spring", Season::Spring),
        ] {
            let rest = if let Some(r) = lower.strip_suffix(word) {
                Some(r)
            } else {
                lower.strip_prefix(word)
            };
            if let Some(r) = rest {
                let r = r.trim_matches(|c: char| c == '-' || c == '_' || c == ' ' || c == '/');
                let y = parse_digits(r).ok_or_else(bad)?;
                return Term::new(y, season);
            }
        }
        // Chinese: 2017年春季学期, 2017春季, 2017年春, 2016秋季学期.
        let c = t.strip_suffix("学期").unwrap_or(t);
        let c = c.strip_suffix('季').unwrap_or(c);
        let (y, season) = if let Some(y) = c.strip_suffix('春') {
            (y, Season::Spring)
        } else if let Some(y) = c.strip_suffix('秋') {
            (y, Season::Autumn)
        } else {
            return Err(bad());
        };
        let y = y.trim().strip_suffix('年').unwrap_or(y.trim());
        Term::new(parse_digits(y).ok_or_else(bad)?, season)
    }
}

impl Serialize for Term {
    /// Serialized as `"2017-spring"`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Term {
    /// Accepts any form [`FromStr`] takes.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Term, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A half-open range of dates, `[from, until)`: a status that holds from
/// `from` and ends on `until` (the first day it no longer holds), or never
/// ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DateRange {
    /// The first day.
    pub from: NaiveDate,
    /// The first day after the range, if it has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl DateRange {
    /// A range from `from` until `until` (exclusive), or open-ended.
    ///
    /// # Errors
    /// [`ModelError::EmptyDateRange`] if `until` is not after `from`.
    pub fn new(from: NaiveDate, until: Option<NaiveDate>) -> Result<DateRange, ModelError> {
        if let Some(u) = until {
            if u <= from {
                return Err(ModelError::EmptyDateRange { from, until: u });
            }
        }
        Ok(DateRange { from, until })
    }

    /// An open-ended range from `from`.
    #[must_use]
    pub fn since(from: NaiveDate) -> DateRange {
        DateRange { from, until: None }
    }

    /// True if `date` is in the range.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|u| date < u)
    }

    /// True if the two ranges share a day.
    #[must_use]
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.until.is_none_or(|u| other.from < u) && other.until.is_none_or(|u| self.from < u)
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.until {
            Some(u) => write!(f, "{} to {}", self.from, u),
            None => write!(f, "from {}", self.from),
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Years are limited to YEAR_RANGE, and month and day are constants that
    // exist in every year, so this never falls back.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Parse a year of ASCII or full-width digits.
fn parse_digits(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 9 {
        return None;
    }
    let mut v: i32 = 0;
    for c in s.chars() {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '０'..='９' => c as u32 - '０' as u32,
            _ => return None,
        };
        v = v.checked_mul(10)?.checked_add(i32::try_from(d).ok()?)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn terms_parse_in_every_form() {
        let spring = Term::new(2017, Season::Spring).unwrap_or_else(|_| SchoolYear(0).spring());
        for s in [
            "2017-spring",
            "2017 Spring",
            "spring-2017",
            "2017年春季学期",
            "2017春",
            "2017年春季",
            "2016-2017学年第二学期",
            "２０１７年春季学期",
        ] {
            assert_eq!(s.parse::<Term>().ok(), Some(spring), "{s}");
        }
        assert_eq!("2016-autumn".parse::<Term>().ok(), Some(spring.year.autumn()));
        assert_eq!("2016-fall".parse::<Term>().ok(), Some(spring.year.autumn()));
        assert_eq!("2016秋季学期".parse::<Term>().ok(), Some(spring.year.autumn()));
        for bad in [
            "",
            "2017",
            "2017-winter",
            "春",
            "2016-2018学年第一学期",
            "99999999999-spring",
        ] {
            assert!(bad.parse::<Term>().is_err(), "{bad}");
        }
    }

    #[test]
    fn boundaries() {
        let a = Term::containing(date("2016-09-01"));
        assert_eq!(a.to_string(), "2016-autumn");
        assert_eq!(Term::containing(date("2017-02-28")), a);
        assert_eq!(Term::containing(date("2017-03-01")).to_string(), "2017-spring");
        assert_eq!(Term::containing(date("2017-08-31")).to_string(), "2017-spring");
        assert_eq!(Term::containing(date("2017-09-01")).to_string(), "2017-autumn");
        assert_eq!(Term::containing(date("2016-02-29")).last_day(), date("2016-02-29"));
        assert_eq!(a.to_chinese(), "2016年秋季学期");
        assert_eq!(a.year.to_chinese(), "2016—2017学年");
    }

    #[test]
    fn school_years_parse() {
        for s in ["2016-2017", "2016-17", "2016/2017", "2016", "2016—2017学年"] {
            assert_eq!(s.parse::<SchoolYear>().ok(), Some(SchoolYear(2016)), "{s}");
        }
        assert!("2016-2018".parse::<SchoolYear>().is_err());
        assert!("2016-18".parse::<SchoolYear>().is_err());
    }
}

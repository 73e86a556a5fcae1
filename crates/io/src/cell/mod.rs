//! Cells as they arrive from any format, and the parsers that turn them into
//! model values: yes/no, dates (text forms and Excel serials), counts,
//! grades, money.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use eduaid_model::{Money, Stage};

mod dates;

pub(crate) use dates::*;

/// One cell of an input row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Nothing there.
    Empty,
    /// Text (CSV cells, xlsx string cells, JSON strings and numbers).
    Text(String),
    /// An xlsx numeric cell without a date format.
    Number(f64),
    /// An xlsx cell with a date format: an Excel serial in the 1900 system.
    Serial(f64),
    /// An xlsx or JSON boolean.
    Bool(bool),
    /// A JSON number, as the file wrote it (`39569`, `4.30102e17`): kept as
    /// text so that a long integer keeps every digit, but known to be a
    /// number, so that a date column reads it as an Excel serial.
    JsonNumber(String),
    /// A typed date (a Parquet `DATE` or timestamp column) in the years 0 to
    /// 9999: read as its ISO text `2017-03-01` would be, without writing
    /// and parsing the text (the same checks, the same messages).
    // Made only by the Parquet reader.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Date(NaiveDate),
    /// A typed integer (a Parquet `INT32`/`INT64` column): read as its
    /// digits would be, without writing and parsing them.
    // Made only by the Parquet reader.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    Int(i64),
    /// A value that cannot be a cell: an Excel error (`#N/A`), a JSON object
    /// or array.
    Bad(String),
}

/// The first year accepted in any date.
const MIN_YEAR: i32 = 1900;
/// The last year accepted in any date.
const MAX_YEAR: i32 = 2199;

/// `s.trim()`, answered at once when `s` opens and ends with a printable
/// ASCII character other than a space (most cells), which no trimming
/// removes.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        // Ending so, only the start may have white space to trim (a
        // name's first character has none: one character looked at).
        (Some(_), Some(z)) if z.is_ascii_graphic() => s.trim_start(),
        _ => s.trim(),
    }
}

impl Cell {
    /// The cell as trimmed text; `None` if empty or only white space.
    pub(crate) fn text(&self) -> Result<Option<String>, String> {
        match self {
            Cell::Empty => Ok(None),
            Cell::Text(s) => {
                let t = trim(s);
                Ok((!t.is_empty()).then(|| t.to_string()))
            }
            Cell::Number(f) => Ok(Some(format!("{f}"))),
            Cell::JsonNumber(s) => Ok(Some(s.clone())),
            Cell::Serial(f) => Ok(Some(from_serial(*f)?.to_string())),
            Cell::Bool(b) => Ok(Some(b.to_string())),
            Cell::Date(d) => Ok(Some(d.to_string())),
            Cell::Int(x) => Ok(Some(x.to_string())),
            Cell::Bad(reason) => Err(reason.clone()),
        }
    }

    /// The cell as trimmed text, as [`Cell::text`], borrowed where the cell
    /// holds text (no copy on the load path).
    pub(crate) fn trimmed(&self) -> Result<Option<Cow<'_, str>>, String> {
        match self {
            Cell::Text(s) => {
                let t = trim(s);
                Ok((!t.is_empty()).then_some(Cow::Borrowed(t)))
            }
            other => Ok(other.text()?.map(Cow::Owned)),
        }
    }

    /// True if the cell holds nothing but white space.
    #[inline(always)]
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            // Most cells open with an ASCII character that is not white space.
            Cell::Text(s) => match s.as_bytes().first() {
                None => true,
                Some(b) if b.is_ascii_graphic() => false,
                // Only white space iff nothing is left once its start is
                // trimmed (which stops at the first other character).
                Some(_) => s.trim_start().is_empty(),
            },
            _ => false,
        }
    }
}

/// Map full-width digits and the punctuation around numbers and dates to
/// ASCII (`２０１７／３／１` → `2017/3/1`) and trim.
pub(crate) fn ascii_digits(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            '／' => '/',
            '，' => ',',
            '＋' => '+',
            '：' => ':',
            other => other,
        })
        .collect()
}

/// [`ascii_digits`] without a copy when the trimmed text is ASCII (which
/// it leaves as it is).
pub(crate) fn ascii_digits_cow(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    if t.is_ascii() {
        Cow::Borrowed(t)
    } else {
        Cow::Owned(ascii_digits(t))
    }
}

/// A yes/no cell: true/false, 是/否, 1/0, √/×, Y/N, yes/no
/// (ASCII case-insensitive).
pub(crate) fn parse_bool(cell: &Cell) -> Result<Option<bool>, String> {
    match cell {
        Cell::Bool(b) => return Ok(Some(*b)),
        // The digits 0 and 1, as their text reads.
        Cell::Int(0) => return Ok(Some(false)),
        Cell::Int(1) => return Ok(Some(true)),
        // The spellings a program writes, read at once (the general path
        // below reads them alike: they need no trimming or case folding).
        Cell::Text(s) => match s.as_str() {
            "false" | "0" | "否" => return Ok(Some(false)),
            "true" | "1" | "是" => return Ok(Some(true)),
            "" => return Ok(None),
            _ => {}
        },
        _ => {}
    }
    parse_bool_general(cell)
}

/// [`parse_bool`] without the quick reading of the usual spellings.
fn parse_bool_general(cell: &Cell) -> Result<Option<bool>, String> {
    if let Cell::Bool(b) = cell {
        return Ok(Some(*b));
    }
    let Some(t) = cell.trimmed()? else {
        return Ok(None);
    };
    let t = ascii_digits_cow(&t);
    let t = if t.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(t.to_ascii_lowercase())
    } else {
        t
    };
    match &*t {
        "true" | "是" | "1" | "√" | "✓" | "✔" | "y" | "yes" => Ok(Some(true)),
        "false" | "否" | "0" | "×" | "✗" | "✘" | "x" | "n" | "no" => Ok(Some(false)),
        _ => Err(format!(
            "{t:?} is not a yes/no value (expected true/false, 是/否, 1/0, √/×, Y/N)"
        )),
    }
}

/// A non-negative whole number: `123`, `１２３`, `1,234`, an xlsx number.
pub(crate) fn parse_count(cell: &Cell) -> Result<Option<u64>, String> {
    if let Cell::Bool(_) = cell {
        return Err("a yes/no value is not a number".into());
    }
    // A typed integer that is not negative is its digits' count (a
    // negative one is refused below, as its text is).
    if let &Cell::Int(x) = cell {
        if let Ok(n) = u64::try_from(x) {
            return Ok(Some(n));
        }
    }
    let Some(t) = cell.text()? else {
        return Ok(None);
    };
    let s = ascii_digits(&t);
    let s = ungroup(&s).ok_or_else(|| format!("{t:?}: thousands separators must group three digits (1,234)"))?;
    let s = s
        .strip_suffix('人')
        .or_else(|| s.strip_suffix('名'))
        .unwrap_or(&s)
        .trim();
    if s.starts_with('-') {
        return Err(format!("{t:?} is negative"));
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{t:?} is not a whole number"));
    }
    s.parse::<u64>().map(Some).map_err(|_| format!("{t:?} is too large"))
}

/// `s` without thousands separators, which must group the digits in threes
/// from the right (`1,234,567`); `None` if a comma stands anywhere else
/// (`1,5`, `12,34`), where dropping it would change the number.
fn ungroup(s: &str) -> Option<String> {
    if !s.contains(',') {
        return Some(s.to_string());
    }
    let (sign, s) = s.strip_prefix(['+', '-']).map_or(("", s), |t| (&s[..1], t));
    let digits_end = s.find(|c: char| !c.is_ascii_digit() && c != ',').unwrap_or(s.len());
    let (num, rest) = s.split_at(digits_end);
    let mut groups = num.split(',');
    let first = groups.next()?;
    let first_ok = !first.is_empty() && first.len() <= 3 && !first.starts_with('0');
    let rest_ok = groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && !rest.contains(',')).then(|| format!("{sign}{}{rest}", num.replace(',', "")))
}

/// A small whole number (an age).
pub(crate) fn parse_u8(cell: &Cell) -> Result<Option<u8>, String> {
    match parse_count(cell)? {
        None => Ok(None),
        Some(n) => u8::try_from(n).map(Some).map_err(|_| format!("{n} is too large")),
    }
}

/// A grade within `stage`: `3`, `３`, `3年级`, `三年级`, `初二`, `高一`, `小班`.
pub(crate) fn parse_grade(cell: &Cell, stage: Option<Stage>) -> Result<Option<u8>, String> {
    // One ASCII digit (most cells) is that grade, as the general path
    // below reads it (a test compares them).
    if let Cell::Text(s) = cell {
        if let &[d @ b'0'..=b'9'] = s.as_bytes() {
            return staged_grade(d - b'0', s, stage).map(Some);
        }
    }
    // A typed integer that fits a byte is that grade, as its digits read
    // (which never open with 初); any other is read as its text.
    if let &Cell::Int(x) = cell {
        if let Ok(g) = u8::try_from(x) {
            return staged_grade(g, "", stage).map(Some);
        }
    }
    parse_grade_general(cell, stage)
}

/// [`parse_grade`] without its quick reading of one digit.
fn parse_grade_general(cell: &Cell, stage: Option<Stage>) -> Result<Option<u8>, String> {
    let Some(t) = cell.trimmed()? else {
        return Ok(None);
    };
    let s = ascii_digits_cow(&t);
    let s = s.strip_suffix("年级").unwrap_or(&s).trim();
    let zh = |c: char| "一二三四五六七八九".chars().position(|x| x == c).map(|i| i + 1);
    let grade = if let Ok(n) = s.parse::<u8>() {
        Some(n)
    } else {
        let mut chars = s.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some(c), None, None) => zh(c),
            (Some('初' | '高'), Some(c), None) => zh(c),
            _ => match s {
                "小班" => Some(1),
                "中班" => Some(2),
                "大班" | "学前班" => Some(3),
                _ => None,
            },
        }
        .and_then(|n| u8::try_from(n).ok())
    };
    let Some(g) = grade else {
        return Err(format!(
            "{t:?} is not a grade (expected 1 to 6, 三年级, 初二, 七年级, 高一, 小班 …)"
        ));
    };
    staged_grade(g, s, stage).map(Some)
}

/// Grade `g`, read from `s`, in `stage`: junior grades counted on from
/// primary (七年级 is 初一) unless `s` says 初, then checked.
fn staged_grade(mut g: u8, s: &str, stage: Option<Stage>) -> Result<u8, String> {
    if stage == Some(Stage::Junior) && (7..=9).contains(&g) && !s.starts_with('初') {
        g -= 6;
    }
    if let Some(stage) = stage {
        stage.check_grade(g).map_err(|e| e.to_string())?;
    }
    Ok(g)
}

/// An amount of money in yuan: `500`, `312.50`, `1,204,500元`, `120.45万元`,
/// an xlsx number.
pub(crate) fn parse_money(cell: &Cell) -> Result<Option<Money>, String> {
    if let Cell::Bool(_) = cell {
        return Err("a yes/no value is not an amount".into());
    }
    let Some(t) = cell.text()? else {
        return Ok(None);
    };
    Money::from_str(&ascii_digits(&t)).map(Some).map_err(|e| e.to_string())
}

/// The largest integer an f64 holds with every integer below it: 2⁵³.
const EXACT_F64_INT: f64 = 9_007_199_254_740_992.0;

/// An id (学籍号, school id, household id): the text normalized as the
/// model does (NFKC, zero-width characters removed, trimmed). Refused: a
/// number in exponent form (`4.30102E+17`, what Excel shows of a long id
/// stored as a number) and a numeric xlsx cell that cannot hold the id
/// exactly (not a whole number, or 2⁵³ or more: the digits past the
/// sixteenth are gone). A whole numeric cell below 2⁵³ reads without `.0`.
#[allow(clippy::float_arithmetic)] // checking that a cell's float is whole
pub(crate) fn parse_id<T: Id>(cell: &Cell) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    // ASCII text is its own normal form (NFKC leaves it, it has no
    // zero-width characters, and the cell's text is trimmed): no
    // normalizing, once here and again in `from_str`.
    if let Cell::Text(s) = cell {
        let t = trim(s);
        if t.is_ascii() {
            if t.is_empty() {
                return Ok(None);
            }
            if is_exponent_form(t) {
                return Err(format!(
                    "{t:?} is a number in exponent form: the id was stored as a number and has lost digits; \
                     format the column as text in excel and type the ids again"
                ));
            }
            return T::normal(t).map(Some).map_err(|e| e.to_string());
        }
    }
    let text = match cell {
        Cell::Number(f) | Cell::Serial(f) => {
            if !f.is_finite() || f.fract() != 0.0 || f.abs() >= EXACT_F64_INT {
                return Err(format!(
                    "the id was stored as a number and has lost digits: format the column as text in excel \
                     and type the ids again (the cell holds {})",
                    if f.abs() < 1e15 {
                        format!("{f}")
                    } else {
                        format!("{f:e}")
                    }
                ));
            }
            format!("{f:.0}")
        }
        Cell::Bool(_) => return Err("a yes/no value is not an id".into()),
        _ => match cell.text()? {
            None => return Ok(None),
            Some(t) => t,
        },
    };
    let normal = eduaid_model::normalize_id(&text);
    if is_exponent_form(&normal) {
        return Err(format!(
            "{text:?} is a number in exponent form: the id was stored as a number and has lost digits; \
             format the column as text in excel and type the ids again"
        ));
    }
    if normal.is_empty() {
        return Ok(None);
    }
    normal.parse::<T>().map(Some).map_err(|e| e.to_string())
}

/// The model's string ids, made from text already in normal form (as
/// `from_str` makes them after normalizing).
pub(crate) trait Id: FromStr {
    /// The id of `normal`, text that [`eduaid_model::normalize_id`] leaves
    /// as it is.
    fn normal(normal: &str) -> Result<Self, eduaid_model::ModelError>;
}

macro_rules! normal_id {
    ($($t:ty),*) => {$(
        impl Id for $t {
            fn normal(normal: &str) -> Result<Self, eduaid_model::ModelError> {
                // Printable ASCII (most ids) is read without allocating.
                normal.parse()
            }
        }
    )*};
}

normal_id!(
    eduaid_model::StudentId,
    eduaid_model::SchoolId,
    eduaid_model::HouseholdId
);

/// True for `4.30102E+17`, `4.3e17`, `1E+05`: digits, an optional
/// fraction, `e` and a signed or unsigned exponent, with either a fraction
/// or a sign (so that an id like `12E3` is not taken for one).
fn is_exponent_form(s: &str) -> bool {
    // Most ids open with a letter or hold no `e`: no exponent form.
    if !s.as_bytes().first().is_some_and(u8::is_ascii_digit) || !s.bytes().any(|b| b | 0x20 == b'e') {
        return false;
    }
    is_exponent_form_full(s)
}

/// The full check of [`is_exponent_form`], without its quick refusal of
/// text that opens with anything but a digit or holds no `e` (which this
/// check refuses too, only later).
fn is_exponent_form_full(s: &str) -> bool {
    let Some((mantissa, exp)) = s.split_once(['e', 'E']) else {
        return false;
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let signed = exp.starts_with(['+', '-']);
    let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    digits(int) && (frac.is_empty() || digits(frac)) && digits(exp) && (signed || !frac.is_empty())
}

/// The model's coded enums: every variant and its English code.
pub(crate) trait Coded: FromStr + Copy + 'static {
    /// Every variant.
    fn all() -> &'static [Self];
    /// The variant's code (`junior`).
    fn code(self) -> &'static str;
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn code(self) -> &'static str {
                <$t>::code(self)
            }
        }
    )*};
}

coded!(
    eduaid_model::Stage,
    eduaid_model::Sex,
    eduaid_model::Hukou,
    eduaid_model::EnrolmentStatus
);

/// [`parse_coded`], reading a cell that holds a variant's code exactly (as
/// a program writes it) at once: `from_str` reads the code as that variant
/// (a test holds every variant to it).
pub(crate) fn parse_code<T: Coded>(cell: &Cell) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    if let Cell::Text(s) = cell {
        if let Some(v) = T::all().iter().find(|v| v.code() == s) {
            return Ok(Some(*v));
        }
    }
    parse_coded(cell)
}

/// A value of one of the model's coded enums (code, Chinese name or alias).
pub(crate) fn parse_coded<T: FromStr>(cell: &Cell) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    let t = match cell {
        Cell::Text(s) => Cow::Borrowed(trim(s)),
        other => match other.trimmed()? {
            Some(t) => t,
            None => return Ok(None),
        },
    };
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<T>().map(Some).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn date_forms() {
        for s in [
            "2017-03-01",
            "2017年3月1日",
            "2017/3/1",
            "2017.3.1",
            "20170301",
            "２０１７年３月１日",
            "2017-03-01 00:00:00",
            "2017/3/1 8:30",
            " 2017-3-1 ",
        ] {
            assert_eq!(parse_date_text(s), Ok(d("2017-03-01")), "{s}");
        }
        let e = parse_date_text("2017-02-30").unwrap_err();
        assert!(e.contains("impossible date 2017-02-30"), "{e}");
        assert!(e.contains("has 28 days"), "{e}");
        assert!(parse_date_text("2016-02-29").is_ok());
        assert!(parse_date_text("2017-13-01").unwrap_err().contains("month 13"));
        for bad in [
            "",
            "abc",
            "17-3-1",
            "2017-3",
            "3/1/2017",
            "2017-03-01x",
            "1800-01-01",
            "2017--1",
        ] {
            assert!(parse_date_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn excel_serials_and_the_1900_bug() {
        assert_eq!(from_serial(1.0), Ok(d("1900-01-01")));
        assert_eq!(from_serial(59.0), Ok(d("1900-02-28")));
        assert!(from_serial(60.0).unwrap_err().contains("leap-year bug"));
        assert_eq!(from_serial(61.0), Ok(d("1900-03-01")));
        assert_eq!(from_serial(42795.0), Ok(d("2017-03-01")));
        assert_eq!(from_serial(42795.75), Ok(d("2017-03-01")));
        assert!(from_serial(0.0).is_err());
        assert!(from_serial(-1.0).is_err());
        assert!(from_serial(f64::NAN).is_err());
        for s in ["1900-01-01", "1900-02-28", "1900-03-01", "2017-03-01", "2199-12-31"] {
            let date = d(s);
            let serial = to_serial(date);
            assert_eq!(from_serial(serial as f64), Ok(date), "{s} -> {serial}");
        }
    }

    /// `parse_code` reads a variant's exact code as that variant without
    /// `from_str`: it holds because `from_str` reads every code so.
    #[test]
    fn every_code_reads_as_its_variant() {
        fn check<T: Coded + PartialEq + std::fmt::Debug>()
        where
            T::Err: std::fmt::Display,
        {
            for v in T::all() {
                let c = Cell::Text(v.code().to_string());
                assert_eq!(parse_coded::<T>(&c), Ok(Some(*v)), "{}", v.code());
                assert_eq!(parse_code::<T>(&c), Ok(Some(*v)), "{}", v.code());
            }
        }
        check::<Stage>();
        check::<eduaid_model::Sex>();
        check::<eduaid_model::Hukou>();
        check::<eduaid_model::EnrolmentStatus>();
    }

    #[test]
    fn one_digit_grades_read_as_the_general_path_reads_them() {
        let stages = Stage::ALL.iter().copied().map(Some).chain([None]);
        for stage in stages {
            for t in ["0", "1", "3", "6", "7", "9", " 7", "10", "１"] {
                let c = Cell::Text(t.into());
                assert_eq!(
                    parse_grade(&c, stage),
                    parse_grade_general(&c, stage),
                    "{t:?} {stage:?}"
                );
            }
        }
    }

    proptest::proptest! {
        /// The quick trim is `str::trim`.
        #[test]
        fn quick_trim_is_trim(t in "[ a-z0-9\t\r\n\u{a0}\u{3000}\u{2003}\u{feff}学０]{0,8}") {
            proptest::prop_assert_eq!(trim(&t), t.trim());
        }

        /// Dates and codes read at once read as the general path reads
        /// them: trimmed text, then `parse_date_text` or `from_str`.
        #[test]
        fn quick_dates_and_codes_are_the_general_ones(t in "[0-9\\- 年月日/.]{0,12}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[ a-z小学初中高]{0,9}") {
            let c = Cell::Text(t);
            let general = match c.trimmed() {
                Ok(None) => Ok(None),
                Ok(Some(t)) => parse_date_text(&t).map(Some),
                Err(e) => Err(e),
            };
            proptest::prop_assert_eq!(parse_date(&c), general);
            let general: Result<Option<Stage>, String> = match c.trimmed() {
                Ok(None) => Ok(None),
                Ok(Some(t)) => t.parse::<Stage>().map(Some).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            proptest::prop_assert_eq!(parse_coded::<Stage>(&c), general);
        }

        /// The usual spellings read at once read as the general path
        /// reads them, and so does any other text.
        #[test]
        fn quick_booleans_are_the_general_ones(
            t in proptest::prop_oneof![
                proptest::sample::select(vec!["true", "false", "0", "1", "是", "否", "", "TRUE", " 1", "0 ", "０", "y", "N"])
                    .prop_map(str::to_string),
                "[ 01tfruealsYN是否０１　]{0,6}",
            ]
        ) {
            let c = Cell::Text(t);
            proptest::prop_assert_eq!(parse_bool(&c), parse_bool_general(&c));
        }

        /// Text the quick check passes over is never in exponent form to
        /// the full check.
        #[test]
        fn exponent_forms_are_found(t in "[0-9a-zA-Z.+\\-]{0,10}") {
            proptest::prop_assert_eq!(is_exponent_form(&t), is_exponent_form_full(&t));
        }
    }

    /// What every parser reads of a cell (and its text, and whether it is
    /// blank), to compare a typed cell with its text.
    fn readings(c: &Cell) -> String {
        use eduaid_model::{Sex, StudentId};
        let grades: Vec<_> = Stage::ALL
            .iter()
            .copied()
            .map(Some)
            .chain([None])
            .map(|st| parse_grade(c, st))
            .collect();
        format!(
            "{:?} {:?} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            c.text(),
            c.trimmed(),
            c.is_blank(),
            parse_date(c),
            parse_bool(c),
            parse_count(c),
            parse_u8(c),
            parse_money(c),
            grades,
            parse_id::<StudentId>(c).map(|o| o.map(|i| i.to_string())),
            parse_code::<Sex>(c),
            parse_coded::<Stage>(c),
            crate::furniture::number(c),
        )
    }

    /// The same reading as a text cell of the digits or the ISO date.
    fn same_as_text(c: &Cell) -> Result<(), proptest::test_runner::TestCaseError> {
        let text = Cell::Text(c.text().unwrap().unwrap());
        proptest::prop_assert_eq!(readings(c), readings(&text), "{:?}", c);
        Ok(())
    }

    #[test]
    fn typed_cells_read_as_their_text() {
        for s in [
            "1850-09-01",
            "1899-12-31",
            "1900-01-01",
            "2017-03-01",
            "2199-12-31",
            "2200-01-01",
            "0000-01-01",
            "9999-12-31",
        ] {
            same_as_text(&Cell::Date(d(s))).unwrap();
        }
        // A date out of the accepted years: the text's message, naming it.
        let e = parse_date(&Cell::Date(d("1850-09-01"))).unwrap_err();
        assert_eq!(e, "\"1850-09-01\": year 1850 is out of range (1900 to 2199)");
        assert_eq!(parse_date(&Cell::Date(d("2017-03-01"))), Ok(Some(d("2017-03-01"))));
        for x in [
            0,
            1,
            2,
            3,
            6,
            7,
            9,
            10,
            12,
            99,
            255,
            256,
            -1,
            -7,
            1_000_000,
            i64::MIN,
            i64::MAX,
        ] {
            same_as_text(&Cell::Int(x)).unwrap();
        }
        // Out of range: the text's messages.
        assert_eq!(parse_u8(&Cell::Int(300)), Err("300 is too large".into()));
        assert_eq!(parse_count(&Cell::Int(-5)), Err("\"-5\" is negative".into()));
        assert!(parse_grade(&Cell::Int(7), Some(Stage::Primary)).is_err());
        assert_eq!(parse_grade(&Cell::Int(8), Some(Stage::Junior)), Ok(Some(2)));
        assert_eq!(parse_bool(&Cell::Int(1)), Ok(Some(true)));
        assert!(parse_bool(&Cell::Int(2)).is_err());
        // An id typed as a number reads as its digits.
        assert_eq!(
            parse_id::<eduaid_model::StudentId>(&Cell::Int(4_305_005)).map(|o| o.map(|i| i.to_string())),
            Ok(Some("4305005".into()))
        );
    }

    proptest::proptest! {
        /// Every typed date from 0000-01-01 to 9999-12-31 and every
        /// integer read as their text does, in every parser.
        #[test]
        fn typed_dates_read_as_their_text(days in 0u64..3_652_425) {
            let date = NaiveDate::from_ymd_opt(0, 1, 1)
                .and_then(|d| d.checked_add_days(chrono::Days::new(days)))
                .unwrap();
            same_as_text(&Cell::Date(date))?;
        }

        #[test]
        fn typed_integers_read_as_their_text(x in proptest::prop_oneof![-300i64..300, proptest::num::i64::ANY]) {
            same_as_text(&Cell::Int(x))?;
        }
    }

    #[test]
    fn booleans() {
        for s in ["true", "TRUE", "是", "1", "√", "Y", "y", "yes"] {
            assert_eq!(parse_bool(&Cell::Text(s.into())), Ok(Some(true)), "{s}");
        }
        for s in ["false", "否", "0", "×", "N", "no", "０"] {
            assert_eq!(parse_bool(&Cell::Text(s.into())), Ok(Some(false)), "{s}");
        }
        assert_eq!(parse_bool(&Cell::Text("  ".into())), Ok(None));
        assert!(parse_bool(&Cell::Text("maybe".into())).is_err());
    }

    #[test]
    fn counts_grades_money() {
        assert_eq!(parse_count(&Cell::Text("１２３".into())), Ok(Some(123)));
        assert_eq!(parse_count(&Cell::Text("1,234".into())), Ok(Some(1234)));
        assert_eq!(parse_count(&Cell::Number(12.0)), Ok(Some(12)));
        assert!(parse_count(&Cell::Number(12.5)).is_err());
        assert!(parse_count(&Cell::Text("-1".into())).is_err());
        let g = |s: &str, st| parse_grade(&Cell::Text(s.into()), Some(st));
        assert_eq!(g("三年级", Stage::Primary), Ok(Some(3)));
        assert_eq!(g("初二", Stage::Junior), Ok(Some(2)));
        assert_eq!(g("七年级", Stage::Junior), Ok(Some(1)));
        assert_eq!(g("9", Stage::Junior), Ok(Some(3)));
        assert!(g("七年级", Stage::Primary).is_err());
        assert!(g("初七", Stage::Junior).is_err());
        assert_eq!(g("大班", Stage::Preschool), Ok(Some(3)));
        assert!(g("7", Stage::Primary).is_err());
        assert_eq!(
            parse_money(&Cell::Text("120.45万元".into())),
            Ok(Some(Money::yuan(1_204_500)))
        );
        assert_eq!(parse_money(&Cell::Number(312.5)), Ok(Some(Money::from_fen(31_250))));
        assert!(parse_money(&Cell::Text("1e3".into())).is_err());
        assert_eq!(
            parse_money(&Cell::Text("１，０００元".into())),
            Ok(Some(Money::yuan(1000)))
        );
        for bad in ["1,5", "5,00", "1.000,00", "12,34,5", "0,5", "１，５"] {
            let e = parse_money(&Cell::Text(bad.into())).unwrap_err();
            assert!(e.contains("thousands separators must group three digits"), "{bad}: {e}");
        }
        assert_eq!(parse_count(&Cell::Text("1,234,567人".into())), Ok(Some(1_234_567)));
        assert!(
            parse_count(&Cell::Text("-1,000".into()))
                .unwrap_err()
                .contains("negative")
        );
        for bad in ["1,5", "12,34", "1,,000", ",5", "0,500"] {
            let e = parse_count(&Cell::Text(bad.into())).unwrap_err();
            assert!(e.contains("thousands separators"), "{bad}: {e}");
        }
    }

    #[test]
    fn short_digit_text_is_not_a_serial() {
        let e = parse_date_text("2009").unwrap_err();
        assert!(e.contains("\"2009\" is a year, not a date"), "{e}");
        for s in ["42795", "60", "0", "39569.75", "１２３"] {
            let e = parse_date_text(s).unwrap_err();
            assert!(e.contains("not read as an excel serial"), "{s}: {e}");
        }
        // A numeric cell (xlsx, JSON number) in a date column is a serial.
        assert_eq!(parse_date(&Cell::Number(42795.0)), Ok(Some(d("2017-03-01"))));
        assert_eq!(parse_date(&Cell::JsonNumber("42795".into())), Ok(Some(d("2017-03-01"))));
        assert_eq!(parse_date(&Cell::Serial(42795.0)), Ok(Some(d("2017-03-01"))));
    }

    #[test]
    fn ids_are_normalized_or_refused() {
        use eduaid_model::StudentId;
        let id = |c: Cell| parse_id::<StudentId>(&c).map(|o| o.map(|i| i.to_string()));
        assert_eq!(id(Cell::Text("Ｇ４３０５００５".into())), Ok(Some("G4305005".into())));
        assert_eq!(
            id(Cell::Text("\u{200B}G4305005\u{FEFF} ".into())),
            Ok(Some("G4305005".into()))
        );
        assert_eq!(id(Cell::Number(4_305_005.0)), Ok(Some("4305005".into())));
        assert_eq!(
            id(Cell::JsonNumber("430102200805011239".into())),
            Ok(Some("430102200805011239".into()))
        );
        assert_eq!(id(Cell::Text("\u{200B}".into())), Ok(None));
        for bad in [
            Cell::Number(4.301_022_008_050_112e17),
            Cell::Number(12.5),
            Cell::Number(9_007_199_254_740_992.0),
        ] {
            let e = id(bad.clone()).unwrap_err();
            assert!(e.contains("stored as a number and has lost digits"), "{bad:?}: {e}");
        }
        for bad in ["4.30102E+17", "4.30102e17", "1E+05", "４．３０１０２Ｅ＋１７"] {
            let e = id(Cell::Text(bad.into())).unwrap_err();
            assert!(e.contains("exponent form"), "{bad}: {e}");
        }
        assert_eq!(id(Cell::Text("12E3".into())), Ok(Some("12E3".into())));
    }

    proptest::proptest! {
        #[test]
        fn every_form_of_a_date_reads_back(days in 0u32..109_572) {
            // Every day from 1900-01-01 to 2199-12-31.
            let date = NaiveDate::from_ymd_opt(1900, 1, 1)
                .and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(days))))
                .unwrap();
            let (y, m, dd) = (date.year(), date.month(), date.day());
            let full: String = format!("{y}年{m}月{dd}日")
                .chars()
                .map(|c| c.to_digit(10).and_then(|v| char::from_u32('０' as u32 + v)).unwrap_or(c))
                .collect();
            for text in [
                date.to_string(),
                format!("{y}年{m}月{dd}日"),
                format!("{y}/{m}/{dd}"),
                format!("{y}.{m}.{dd}"),
                format!("{y}{m:02}{dd:02}"),
                format!("{date} 00:00:00"),
                full,
            ] {
                proptest::prop_assert_eq!(parse_date_text(&text), Ok(date), "{}", text);
            }
            let serial = to_serial(date);
            proptest::prop_assert_eq!(from_serial(serial as f64), Ok(date));
            proptest::prop_assert_eq!(parse_date(&Cell::Serial(format!("{serial}.5").parse().unwrap())), Ok(Some(date)));
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,24}") {
            let c = Cell::Text(s);
            let _ = parse_date(&c);
            let _ = parse_bool(&c);
            let _ = parse_count(&c);
            let _ = parse_money(&c);
            let _ = parse_grade(&c, Some(Stage::Junior));
        }
    }
}

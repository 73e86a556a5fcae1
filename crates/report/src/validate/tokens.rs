//! Reading the numbers of a Chinese text with their units: money (元, 万元,
//! 亿元, and standards per pupil and year), counts (人, 名, 所, 个班 …),
//! percentages, and numbers that are dates or measures; and the repair of
//! decimals a scraper broke.

use rust_decimal::Decimal;

/// Units that can follow a money number, longest first.
const MONEY_UNITS: &[(&str, i64)] = &[("亿元", 100_000_000), ("万元", 10_000), ("元", 1)];
/// Units of counts, longest first; 人 and 名 both count people.
const COUNT_UNITS: &[(&str, &str)] = &[
    ("人次", "人次"),
    ("个班", "班"),
    ("人", "人"),
    ("名", "人"),
    ("所", "所"),
    ("个", "个"),
    ("户", "户"),
    ("班", "班"),
];
/// Units that make a number a date, an age or a measure, not a count.
const OTHER_UNITS: &[&str] = &["年", "月", "日", "岁", "天", "平方米", "次", "分", "周", "小时"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Money,
    Count(&'static str),
    Percent,
    Other,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    /// Value in base units (yuan for money).
    pub(super) value: Decimal,
    pub(super) family: Family,
    /// Start and end (exclusive) in chars, including the unit.
    pub(super) start: usize,
    pub(super) end: usize,
    /// As printed.
    pub(super) raw: String,
    /// Index of the parenthesised group it is in, if any.
    pub(super) group: Option<usize>,
    /// Decimal places printed (for percentages).
    pub(super) dp: u32,
    /// For a money standard, `Some(per_year)`.
    pub(super) per: Option<bool>,
}

/// Repair decimals broken by scraping: a line break before the digit or
/// digits ahead of the decimal point, and the point turned into `、`
/// (`9\n8、86%` → `98.86%`, `67\n3、5875万元` → `673.5875万元`,
/// `\n1、14亿元` → `1.14亿元`). Only a `、` between digits that is followed
/// by a unit of money or a percent sign is restored, so list numbers
/// (`\n2、关于…`) stay as they are.
///
/// ```
/// use eduaid_report::restore_decimals;
/// assert_eq!(restore_decimals("分别为9\n8、86%、9\n8、81%"), "分别为98.86%、98.81%");
/// assert_eq!(restore_decimals("补助资金67\n3、5875万元"), "补助资金673.5875万元");
/// assert_eq!(restore_decimals("120.45万元\n2、关于"), "120.45万元\n2、关于");
/// ```
#[must_use]
pub fn restore_decimals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' || c == '\r' {
            // Skip \r\n as one break.
            let mut j = i + 1;
            if c == '\r' && chars.get(j) == Some(&'\n') {
                j += 1;
            }
            let int_start = j;
            while chars.get(j).is_some_and(char::is_ascii_digit) {
                j += 1;
            }
            let int_end = j;
            if int_end > int_start && chars.get(j) == Some(&'、') {
                let frac_start = j + 1;
                let mut k = frac_start;
                while chars.get(k).is_some_and(char::is_ascii_digit) {
                    k += 1;
                }
                if k > frac_start && unit_follows(&chars, k) {
                    // The digits before the break belong to the number.
                    out.extend_from_slice(&chars[int_start..int_end]);
                    out.push('.');
                    out.extend_from_slice(&chars[frac_start..k]);
                    i = k;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out.into_iter().collect()
}

fn unit_follows(chars: &[char], at: usize) -> bool {
    let mut k = at;
    while chars.get(k) == Some(&' ') {
        k += 1;
    }
    let rest: String = chars.iter().skip(k).take(2).collect();
    rest.starts_with('%') || rest.starts_with('％') || rest.starts_with("万元") || rest.starts_with("亿元")
}

/// Split text into sentences at 。！？； and line breaks.
pub(super) fn sentences(text: &str) -> Vec<String> {
    text.split(['。', '！', '？', '；', '!', '?', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn starts_with_at(chars: &[char], at: usize, pat: &str) -> bool {
    pat.chars().enumerate().all(|(i, p)| chars.get(at + i) == Some(&p))
}

/// Find the numbers of one sentence, with their units.
pub(super) fn tokenize(s: &[char]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut group: Option<usize> = None;
    let mut groups = 0usize;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == '（' || c == '(' {
            group = Some(groups);
            groups += 1;
            i += 1;
            continue;
        }
        if c == '）' || c == ')' {
            group = None;
            i += 1;
            continue;
        }
        if !c.is_ascii_digit() {
            i += 1;
            continue;
        }
        // A digit glued to a letter or after a decimal point of a broken
        // number is not read.
        let start = i;
        let (digits, dp, next) = read_number(s, i);
        i = next;
        if digits.len() > 20 {
            continue;
        }
        let Ok(mut value) = Decimal::from_str_exact(&digits) else {
            continue;
        };
        let mut j = i;
        while s.get(j) == Some(&' ') {
            j += 1;
        }
        let (family, unit_len, scale) = read_unit(s, j);
        if let Some(scale) = scale {
            value = value.checked_mul(Decimal::from(scale)).unwrap_or(value);
        }
        let (per, end) = read_per(s, j + unit_len, family);
        let raw: String = s[start..end.min(s.len())].iter().collect();
        out.push(Token {
            value,
            family,
            start,
            end,
            raw,
            group,
            dp,
            per,
        });
        i = end.max(i);
    }
    out
}

/// The number starting at `at`: its digits (a decimal point kept,
/// thousands separators dropped), its number of decimal places, and where
/// it ends.
fn read_number(s: &[char], at: usize) -> (String, u32, usize) {
    let mut i = at;
    let mut digits = String::new();
    let mut dp: u32 = 0;
    let mut seen_point = false;
    while i < s.len() {
        let ch = s[i];
        if ch.is_ascii_digit() {
            digits.push(ch);
            if seen_point {
                dp = dp.saturating_add(1);
            }
            i += 1;
        } else if ch == '.' && !seen_point && s.get(i + 1).is_some_and(char::is_ascii_digit) {
            seen_point = true;
            digits.push('.');
            i += 1;
        } else if ch == ','
            && !seen_point
            && (1..=3).all(|k| s.get(i + k).is_some_and(char::is_ascii_digit))
            && !s.get(i + 4).is_some_and(char::is_ascii_digit)
        {
            // Thousands separator.
            i += 1;
        } else {
            break;
        }
    }
    (digits, dp, i)
}

/// The unit at `at`: its family, its length in characters, and the scale
/// it puts on the number (万元 is 10 000 yuan), if any.
fn read_unit(s: &[char], at: usize) -> (Family, usize, Option<i64>) {
    if s.get(at) == Some(&'%') || s.get(at) == Some(&'％') {
        (Family::Percent, 1, None)
    } else if let Some((u, scale)) = MONEY_UNITS.iter().find(|(u, _)| starts_with_at(s, at, u)) {
        (Family::Money, u.chars().count(), Some(*scale))
    } else if starts_with_at(s, at, "万人") {
        (Family::Count("人"), 2, Some(10_000))
    } else if let Some(u) = OTHER_UNITS.iter().find(|u| starts_with_at(s, at, u)) {
        (Family::Other, u.chars().count(), None)
    } else if let Some((u, fam)) = COUNT_UNITS.iter().find(|(u, _)| starts_with_at(s, at, u)) {
        (Family::Count(fam), u.chars().count(), None)
    } else {
        (Family::Other, 0, None)
    }
}

/// A money standard's "per" part at `at` (元/生/年, 元/人/年, 元/人,
/// 元/生·年): whether it is yearly, and where the token ends.
fn read_per(s: &[char], at: usize, family: Family) -> (Option<bool>, usize) {
    if family != Family::Money || s.get(at) != Some(&'/') {
        return (None, at);
    }
    let mut k = at;
    let mut yearly = false;
    while s.get(k) == Some(&'/') || s.get(k) == Some(&'·') {
        match s.get(k + 1) {
            Some('年') => yearly = true,
            Some(_) => {}
            None => break,
        }
        k += 2;
    }
    (Some(yearly), k.min(s.len()))
}

pub(super) fn between(s: &[char], from: usize, to: usize) -> String {
    s.get(from.min(to)..to.min(s.len()))
        .map(|x| x.iter().collect())
        .unwrap_or_default()
}

//! The validator (校核): the arithmetic a careful reader checks.
//!
//! - parts sum to their total (`…23429人…56370人…26577人…20588人，总计126864人`,
//!   or `198人（初中起点189名、高中起点9名）`);
//! - a rate equals numerator over denominator at the printed precision,
//!   rounded once (`共307人，在校305人，入学率达99.4%` is 99.3%; 99.4 is
//!   the double rounding 99.3485 → 99.35 → 99.4);
//! - an amount equals count × standard where a standard is stated (`按1000元/生/年…
//!   2409人，补助资金120.45万元`: a per-year standard paid for one term is
//!   half of it).
//!
//! It works on typed figures ([`validate_figures`] with [`Relation`]s) or
//! on plain Chinese text ([`validate_text`]), after
//! [`restore_decimals`] has repaired text whose decimal points a scraper
//! turned into list numbers (`9\n8、86%` → `98.86%`). Every check made is
//! kept, consistent or not, so a report can say what was checked.

use chrono::NaiveDate;
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::doc::{Inline, Table};
use crate::figure::{FigureSet, Value};

/// What kind of arithmetic a check verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Parts add up to a total.
    Sum,
    /// A percentage equals numerator over denominator, rounded once.
    Rate,
    /// An amount equals count × standard.
    Amount,
    /// A count or amount of records equals the records it claims (those of
    /// one term and payment channel), counted again from the records.
    Records,
    /// A figure is dated on or before the report's date.
    Date,
}

impl CheckKind {
    /// The Chinese name, for the validation summary.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            CheckKind::Sum => "分项与合计",
            CheckKind::Rate => "比率",
            CheckKind::Amount => "金额与标准",
            CheckKind::Records => "记录核对",
            CheckKind::Date => "数据日期",
        }
    }
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked.
    pub kind: CheckKind,
    /// Where: the sentence of a text, or the figure keys of a relation.
    pub location: String,
    /// The numbers involved, as printed.
    pub numbers: Vec<String>,
    /// True if the arithmetic holds.
    pub consistent: bool,
    /// What the arithmetic gives, in words (Chinese).
    pub message: String,
}

/// Every check made, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Validation {
    /// The checks that failed.
    #[must_use]
    pub fn findings(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.consistent).collect()
    }

    /// True if every check held.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.checks.iter().all(|c| c.consistent)
    }

    /// Add the checks of another validation.
    pub fn extend(&mut self, other: Validation) {
        self.checks.extend(other.checks);
    }

    /// A one-line summary: `校核5项，发现不一致2项`.
    #[must_use]
    pub fn summary(&self) -> String {
        format!("校核{}项，发现不一致{}项", self.checks.len(), self.findings().len())
    }

    /// The checks as a table for a report's validation summary.
    #[must_use]
    pub fn table(&self, title: &str) -> Table {
        let mut t = Table::new(title, &["序号", "类别", "位置", "涉及数据", "结论", "说明"]);
        for (i, c) in self.checks.iter().enumerate() {
            t.rows.push(vec![
                Inline::text((i + 1).to_string()),
                Inline::text(c.kind.chinese()),
                Inline::text(truncate(&c.location, 60)),
                Inline::text(c.numbers.join("、")),
                Inline::text(if c.consistent { "一致" } else { "不一致" }),
                Inline::text(c.message.clone()),
            ]);
        }
        t
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

// ---------------------------------------------------------------------------
// Typed figures.

/// An arithmetic relation between figures that must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Relation {
    /// The parts (counts of one unit, or amounts) sum to the total.
    Sum {
        /// Keys of the parts.
        parts: Vec<String>,
        /// Key of the total.
        total: String,
    },
    /// A rate figure is numerator over denominator (two count figures).
    Rate {
        /// Key of the rate figure.
        rate: String,
        /// Key of the numerator count.
        numerator: String,
        /// Key of the denominator count.
        denominator: String,
    },
    /// An amount equals a count times a standard times a share (1 for a
    /// full-year standard paid for a year, ½ for one term of it).
    Product {
        /// Key of the amount figure.
        amount: String,
        /// Key of the count figure.
        count: String,
        /// The standard per unit of the count.
        standard: Money,
        /// The share of the standard paid.
        share: Decimal,
    },
    /// A count (or amount) figure equals the records it claims, counted
    /// again from the records themselves: `payments_bank_card_count` must be
    /// the number of records of that term paid to a bank card, not of every
    /// term and channel.
    Records {
        /// Key of the count or amount figure.
        key: String,
        /// The value counted (or summed, in yuan) from the records.
        records: Decimal,
        /// Which records, in words (`2017年春季学期打卡发放记录`).
        basis: String,
    },
    /// A figure describes a day on or before the report's date: data of a
    /// later day is refused (a plan is a setting, not a figure of the data).
    NotAfter {
        /// Key of the figure.
        key: String,
        /// The day the figure describes (the first day of its school year
        /// for a figure of a school year).
        dated: NaiveDate,
        /// The report's date.
        report_date: NaiveDate,
    },
}

/// The label of a figure, for a check's location.
fn label(figures: &FigureSet, key: &str) -> String {
    figures.get(key).map_or_else(|| key.to_string(), |f| f.label.clone())
}

/// Exact value of a count or money figure, and how it prints.
fn exact(figures: &FigureSet, key: &str) -> Result<(Decimal, String), Error> {
    let f = figures.require(key)?;
    let v = match &f.value {
        Value::Count { n, .. } => Decimal::from(*n),
        Value::Money { amount, .. } => amount.as_decimal(),
        Value::Number { value, .. } => *value,
        Value::Rate(r) => r.percent_exact(),
        Value::Date(_) => {
            return Err(Error::InvalidRate {
                key: key.to_string(),
                reason: "a date takes part in no arithmetic".into(),
            });
        }
    };
    Ok((v, f.display()))
}

/// Check typed figures against relations.
///
/// # Errors
/// [`Error::Unknown`] if a relation names a figure the set lacks, and
/// [`Error::InvalidRate`] if a rate relation names a figure that is not a
/// rate.
pub fn validate_figures(figures: &FigureSet, relations: &[Relation]) -> Result<Validation, Error> {
    let mut out = Validation::default();
    for r in relations {
        match r {
            Relation::Sum { parts, total } => {
                let mut sum = Decimal::ZERO;
                let mut numbers = Vec::new();
                for p in parts {
                    let (v, s) = exact(figures, p)?;
                    sum += v;
                    numbers.push(s);
                }
                let (t, ts) = exact(figures, total)?;
                numbers.push(ts.clone());
                let ok = sum == t;
                out.checks.push(Check {
                    kind: CheckKind::Sum,
                    location: format!(
                        "{}＝{}",
                        parts.iter().map(|p| label(figures, p)).collect::<Vec<_>>().join("＋"),
                        label(figures, total)
                    ),
                    numbers,
                    consistent: ok,
                    message: if ok {
                        format!("分项之和{}与合计{ts}一致", sum.normalize())
                    } else {
                        format!("分项之和为{}，与合计{ts}不符", sum.normalize())
                    },
                });
            }
            Relation::Rate {
                rate,
                numerator,
                denominator,
            } => {
                let f = figures.require(rate)?;
                let Value::Rate(rv) = &f.value else {
                    return Err(Error::InvalidRate {
                        key: rate.clone(),
                        reason: "not a rate figure".into(),
                    });
                };
                let (n, ns) = exact(figures, numerator)?;
                let (d, ds) = exact(figures, denominator)?;
                let ok = n == Decimal::from(rv.numerator) && d == Decimal::from(rv.denominator);
                out.checks.push(Check {
                    kind: CheckKind::Rate,
                    location: format!(
                        "{}＝{}÷{}",
                        label(figures, rate),
                        label(figures, numerator),
                        label(figures, denominator)
                    ),
                    numbers: vec![ns.clone(), ds.clone(), rv.to_string()],
                    consistent: ok,
                    message: if ok {
                        format!("{ns}÷{ds}={}，与所列一致", rv)
                    } else {
                        format!(
                            "比率按{}/{}计算，而分子、分母所列为{ns}、{ds}",
                            rv.numerator, rv.denominator
                        )
                    },
                });
            }
            Relation::Product {
                amount,
                count,
                standard,
                share,
            } => {
                let (a, as_) = exact(figures, amount)?;
                let (c, cs) = exact(figures, count)?;
                let expected = c
                    .checked_mul(standard.as_decimal())
                    .and_then(|x| x.checked_mul(*share))
                    .unwrap_or(Decimal::MAX);
                let ok = expected == a;
                let share_txt = if *share == Decimal::ONE {
                    String::new()
                } else {
                    format!("×{}", share.normalize())
                };
                out.checks.push(Check {
                    kind: CheckKind::Amount,
                    location: format!(
                        "{}＝{}×{standard}{share_txt}",
                        label(figures, amount),
                        label(figures, count)
                    ),
                    numbers: vec![cs.clone(), standard.to_string(), as_.clone()],
                    consistent: ok,
                    message: if ok {
                        format!("{cs}×{standard}{share_txt}={}元，与{as_}一致", expected.normalize())
                    } else {
                        format!("{cs}×{standard}{share_txt}={}元，与{as_}不符", expected.normalize())
                    },
                });
            }
            Relation::Records { key, records, basis } => {
                let (v, vs) = exact(figures, key)?;
                let ok = v == *records;
                out.checks.push(Check {
                    kind: CheckKind::Records,
                    location: format!("{}＝{basis}", label(figures, key)),
                    numbers: vec![vs.clone(), records.normalize().to_string()],
                    consistent: ok,
                    message: if ok {
                        format!("{basis}重新计数为{}，与{vs}一致", records.normalize())
                    } else {
                        format!("{basis}重新计数为{}，与所列{vs}不符", records.normalize())
                    },
                });
            }
            Relation::NotAfter {
                key,
                dated,
                report_date,
            } => {
                let f = figures.require(key)?;
                let ok = dated <= report_date;
                let (d, r) = (
                    crate::figure::format_date(*dated),
                    crate::figure::format_date(*report_date),
                );
                out.checks.push(Check {
                    kind: CheckKind::Date,
                    location: label(figures, key),
                    numbers: vec![f.display(), d.clone(), r.clone()],
                    consistent: ok,
                    message: if ok {
                        format!("数据日期{d}不晚于报告日期{r}")
                    } else {
                        format!("数据日期{d}晚于报告日期{r}，报告不得引用")
                    },
                });
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Plain text.

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
enum Family {
    Money,
    Count(&'static str),
    Percent,
    Other,
}

#[derive(Debug, Clone)]
struct Token {
    /// Value in base units (yuan for money).
    value: Decimal,
    family: Family,
    /// Start and end (exclusive) in chars, including the unit.
    start: usize,
    end: usize,
    /// As printed.
    raw: String,
    /// Index of the parenthesised group it is in, if any.
    group: Option<usize>,
    /// Decimal places printed (for percentages).
    dp: u32,
    /// For a money standard, `Some(per_year)`.
    per: Option<bool>,
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
fn sentences(text: &str) -> Vec<String> {
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
fn tokenize(s: &[char]) -> Vec<Token> {
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
        let mut family = Family::Other;
        let mut unit_len = 0;
        if s.get(j) == Some(&'%') || s.get(j) == Some(&'％') {
            family = Family::Percent;
            unit_len = 1;
        } else if let Some((u, scale)) = MONEY_UNITS.iter().find(|(u, _)| starts_with_at(s, j, u)) {
            family = Family::Money;
            unit_len = u.chars().count();
            value = value.checked_mul(Decimal::from(*scale)).unwrap_or(value);
        } else if starts_with_at(s, j, "万人") {
            family = Family::Count("人");
            unit_len = 2;
            value = value.checked_mul(Decimal::from(10_000)).unwrap_or(value);
        } else if let Some(u) = OTHER_UNITS.iter().find(|u| starts_with_at(s, j, u)) {
            unit_len = u.chars().count();
        } else if let Some((u, fam)) = COUNT_UNITS.iter().find(|(u, _)| starts_with_at(s, j, u)) {
            family = Family::Count(fam);
            unit_len = u.chars().count();
        }
        let mut end = j + unit_len;
        // A standard: 元/生/年, 元/人/年, 元/人, 元/生·年.
        let mut per = None;
        if family == Family::Money && s.get(end) == Some(&'/') {
            let mut k = end;
            let mut yearly = false;
            while s.get(k) == Some(&'/') || s.get(k) == Some(&'·') {
                match s.get(k + 1) {
                    Some('年') => yearly = true,
                    Some(_) => {}
                    None => break,
                }
                k += 2;
            }
            per = Some(yearly);
            end = k.min(s.len());
        }
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

fn between(s: &[char], from: usize, to: usize) -> String {
    s.get(from.min(to)..to.min(s.len()))
        .map(|x| x.iter().collect())
        .unwrap_or_default()
}

/// Check the arithmetic of a plain-text report (Chinese). Broken decimals
/// are restored first (see [`restore_decimals`]).
///
/// ```
/// use eduaid_report::validate_text;
/// let v = validate_text("全县三类残疾儿童共307人，在校305人，入学率达99.4%。");
/// assert_eq!(v.findings().len(), 1);
/// assert!(v.findings()[0].message.contains("99.3%"));
/// ```
#[must_use]
pub fn validate_text(text: &str) -> Validation {
    let restored = restore_decimals(text);
    let mut out = Validation::default();
    for sentence in sentences(&restored) {
        let chars: Vec<char> = sentence.chars().collect();
        let tokens = tokenize(&chars);
        check_sums(&sentence, &chars, &tokens, &mut out);
        check_groups(&sentence, &chars, &tokens, &mut out);
        check_rates(&sentence, &chars, &tokens, &mut out);
        check_amounts(&sentence, &chars, &tokens, &mut out);
    }
    out
}

const TOTAL_WORDS: &[&str] = &["总计", "合计", "共计", "总共", "总数为", "总数"];

/// `…a人、b人…，总计c人`: the parts before a total word sum to the number
/// right after it.
fn check_sums(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (ti, t) in tokens.iter().enumerate() {
        if t.group.is_some() || !matches!(t.family, Family::Count(_) | Family::Money) || t.per.is_some() {
            continue;
        }
        let prev_end = if ti == 0 { 0 } else { tokens[ti - 1].end };
        let lead = between(s, prev_end, t.start);
        let lead = lead.trim_end_matches([' ', '：', ':', '为', '达']);
        if !TOTAL_WORDS.iter().any(|w| lead.ends_with(w)) {
            continue;
        }
        let parts: Vec<&Token> = tokens[..ti]
            .iter()
            .filter(|p| p.family == t.family && p.group.is_none() && p.per.is_none())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        push_sum(sentence, &parts, t, out);
    }
}

/// `198人（初中起点189名、高中起点9名）`: a number followed at once by a
/// bracket of at least two numbers of its kind.
fn check_groups(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (ti, t) in tokens.iter().enumerate() {
        if t.group.is_some() || !matches!(t.family, Family::Count(_) | Family::Money) {
            continue;
        }
        let mut k = t.end;
        while s.get(k) == Some(&' ') {
            k += 1;
        }
        if !matches!(s.get(k), Some('（' | '(')) {
            continue;
        }
        let Some(next) = tokens.get(ti + 1) else { continue };
        let Some(g) = next.group else { continue };
        let parts: Vec<&Token> = tokens[ti + 1..]
            .iter()
            .take_while(|p| p.group == Some(g))
            .filter(|p| p.family == t.family)
            .collect();
        if parts.len() < 2 {
            continue;
        }
        push_sum(sentence, &parts, t, out);
    }
}

fn push_sum(sentence: &str, parts: &[&Token], total: &Token, out: &mut Validation) {
    let unit = unit_of(total);
    let mut numbers: Vec<String> = parts.iter().map(|p| p.raw.clone()).collect();
    numbers.push(total.raw.clone());
    // Parts past Decimal's range (about 7.9 × 10²⁸) cannot sum to a printed
    // total, which is at most 20 digits of 亿元: inconsistent, not a panic.
    let Some(sum) = parts.iter().try_fold(Decimal::ZERO, |s, p| s.checked_add(p.value)) else {
        out.checks.push(Check {
            kind: CheckKind::Sum,
            location: sentence.to_string(),
            numbers,
            consistent: false,
            message: format!(
                "分项{}之和超出可计算范围，与所列合计{}不符",
                parts.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join("+"),
                total.raw
            ),
        });
        return;
    };
    let ok = sum == total.value;
    let message = if ok {
        format!("分项之和{}{unit}与合计{}一致", sum.normalize(), total.raw)
    } else {
        let diff = sum.checked_sub(total.value).unwrap_or(Decimal::MAX).abs().normalize();
        format!(
            "分项{}之和为{}{unit}，与所列合计{}不符（相差{diff}{unit}）",
            parts.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join("+"),
            sum.normalize(),
            total.raw
        )
    };
    out.checks.push(Check {
        kind: CheckKind::Sum,
        location: sentence.to_string(),
        numbers,
        consistent: ok,
        message,
    });
}

fn unit_of(t: &Token) -> &'static str {
    match t.family {
        Family::Money => "元",
        Family::Count(u) => u,
        Family::Percent => "%",
        Family::Other => "",
    }
}

/// `共307人，在校305人，入学率达99.4%`: the two nearest counts of one kind
/// before a percentage introduced by 率 or 占.
fn check_rates(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    let mut used_until = 0usize;
    for (pi, p) in tokens.iter().enumerate() {
        if p.family != Family::Percent || p.group.is_some() {
            continue;
        }
        // The nearest two counts before it, with no percentage between.
        let before: Vec<(usize, &Token)> = tokens[..pi]
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, t)| t.family != Family::Percent)
            .filter(|(i, t)| matches!(t.family, Family::Count(_)) && t.group.is_none() && *i >= used_until)
            .take(2)
            .collect();
        let [(bi, b), (_, a)] = before.as_slice() else {
            continue;
        };
        if a.family != b.family {
            continue;
        }
        let words = between(s, a.end, p.start);
        if !(words.contains('率') || words.contains('占')) {
            continue;
        }
        let (num, den) = if a.value <= b.value { (a, b) } else { (b, a) };
        if den.value.is_zero() {
            continue;
        }
        used_until = bi + 1;
        let Some(exact) = num
            .value
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(den.value))
        else {
            continue;
        };
        let printed = p.value;
        let expected = Rounding::HalfUp.round(exact, p.dp);
        let ok = expected == printed || (exact == printed);
        let shown = |d: Decimal, dp: u32| {
            let dp = dp as usize;
            format!("{d:.dp$}")
        };
        let cut = Rounding::Down.round(exact, p.dp + 3);
        let exact_txt = if cut == exact {
            exact.normalize().to_string()
        } else {
            format!("{}…", shown(cut, p.dp + 3))
        };
        let message = if ok {
            format!(
                "{}÷{}={exact_txt}%，保留{}位小数为{}%，一致",
                num.raw,
                den.raw,
                p.dp,
                shown(expected, p.dp)
            )
        } else {
            let twice = Rounding::HalfUp.round(Rounding::HalfUp.round(exact, p.dp + 1), p.dp);
            let cause = if twice == printed {
                format!(
                    "；所列{}系两次舍入所致（{exact_txt}→{}→{}）",
                    p.raw,
                    shown(Rounding::HalfUp.round(exact, p.dp + 1), p.dp + 1),
                    shown(twice, p.dp)
                )
            } else if Rounding::Up.round(exact, p.dp) == printed {
                format!("；所列{}系进一所致", p.raw)
            } else {
                String::new()
            };
            format!(
                "{}÷{}={exact_txt}%，保留{}位小数应为{}%，与所列{}不符{cause}",
                num.raw,
                den.raw,
                p.dp,
                shown(expected, p.dp),
                p.raw
            )
        };
        out.checks.push(Check {
            kind: CheckKind::Rate,
            location: sentence.to_string(),
            numbers: vec![den.raw.clone(), num.raw.clone(), p.raw.clone()],
            consistent: ok,
            message,
        });
    }
}

const AMOUNT_WORDS: &[&str] = &["资金", "金额", "总额", "经费", "共计", "合计"];
const TERM_WORDS: &[&str] = &["春季", "秋季", "学期"];

/// `按1000元/生/年的标准…共资助…2409人，补助资金120.45万元`: a stated
/// standard, then a count, then an amount.
fn check_amounts(sentence: &str, s: &[char], tokens: &[Token], out: &mut Validation) {
    for (si, st) in tokens.iter().enumerate() {
        let Some(yearly) = st.per else { continue };
        if st.group.is_some() {
            continue;
        }
        let rest = &tokens[si + 1..];
        let Some(ci) = rest
            .iter()
            .position(|t| matches!(t.family, Family::Count(_)) && t.group.is_none())
        else {
            continue;
        };
        let count = &rest[ci];
        let Some(amount) = rest[ci + 1..].iter().find(|t| {
            t.family == Family::Money && t.per.is_none() && t.group.is_none() && {
                let lead = between(s, t.start.saturating_sub(4), t.start);
                AMOUNT_WORDS.iter().any(|w| lead.contains(w))
            }
        }) else {
            continue;
        };
        let Some(full) = count.value.checked_mul(st.value) else {
            // Past Decimal's range: no printed amount can match it, and no
            // clamped figure is shown as if it were the product.
            out.checks.push(Check {
                kind: CheckKind::Amount,
                location: sentence.to_string(),
                numbers: vec![st.raw.clone(), count.raw.clone(), amount.raw.clone()],
                consistent: false,
                message: format!("{}×{}超出可计算范围，与所列{}不符", count.raw, st.raw, amount.raw),
            });
            continue;
        };
        let half = full / Decimal::TWO;
        let one_term = TERM_WORDS.iter().any(|w| sentence.contains(w));
        let yuan = |d: Decimal| format!("{}元", d.normalize());
        let (ok, message) = if amount.value == full {
            (
                true,
                format!("{}×{}={}，与{}一致", count.raw, st.raw, yuan(full), amount.raw),
            )
        } else if yearly && one_term && amount.value == half {
            (
                true,
                format!(
                    "年标准按一个学期发放：{}×{}÷2={}，与{}一致",
                    count.raw,
                    st.raw,
                    yuan(half),
                    amount.raw
                ),
            )
        } else {
            let also = if yearly {
                format!("（按一个学期为{}）", yuan(half))
            } else {
                String::new()
            };
            (
                false,
                format!(
                    "{}×{}={}{also}，与所列{}不符",
                    count.raw,
                    st.raw,
                    yuan(full),
                    amount.raw
                ),
            )
        };
        out.checks.push(Check {
            kind: CheckKind::Amount,
            location: sentence.to_string(),
            numbers: vec![st.raw.clone(), count.raw.clone(), amount.raw.clone()],
            consistent: ok,
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_the_seed_forms() {
        assert_eq!(restore_decimals("占在校学生的\n18、49%。"), "占在校学生的18.49%。");
        assert_eq!(restore_decimals("投入\n1、14亿元"), "投入1.14亿元");
        assert_eq!(restore_decimals("资金5\n9、9万元"), "资金59.9万元");
        assert_eq!(restore_decimals("\n1、2021职业教育"), "\n1、2021职业教育");
        assert_eq!(restore_decimals("a\r\n9、4%"), "a9.4%");
    }

    #[test]
    fn sums() {
        let v = validate_text("共有幼儿23429人，小学生56370人、初中生26577人，高中学生20588人，总计126864人。");
        assert_eq!(v.checks.len(), 1);
        assert!(!v.checks[0].consistent);
        assert!(v.checks[0].message.contains("126964"), "{}", v.checks[0].message);
        let v = validate_text("已与198人（初中起点189名、高中起点9名）签订了培养合同。");
        assert_eq!(v.checks.len(), 1);
        assert!(v.checks[0].consistent);
    }

    #[test]
    fn rates_and_double_rounding() {
        let v = validate_text("共307人，在校305人，入学率达99.4%，远超80%的省颁标准。");
        assert_eq!(v.checks.len(), 1);
        let c = &v.checks[0];
        assert!(!c.consistent);
        assert!(
            c.message.contains("99.3%") && c.message.contains("两次舍入"),
            "{}",
            c.message
        );
        assert!(validate_text("共307人，在校305人，入学率达99.3%").is_consistent());
        assert!(validate_text("共307人，在校305人，入学率达99.35%").is_consistent());
    }

    #[test]
    fn amounts_with_a_yearly_standard_for_one_term() {
        let t = "从今年春季起，按1000元/生/年的标准落实到位，共资助学生2409人，补助资金120.45万元。";
        let v = validate_text(t);
        assert_eq!(v.checks.len(), 1);
        assert!(v.checks[0].consistent, "{}", v.checks[0].message);
        let v = validate_text("按1000元/生/年的标准，共资助学生2409人，补助资金130万元。");
        assert!(!v.is_consistent());
    }

    #[test]
    fn commas_and_units() {
        let toks = tokenize(&"共1,204,500元，6-14岁，9 月 29日".chars().collect::<Vec<_>>());
        assert_eq!(toks[0].value, Decimal::from(1_204_500));
        assert_eq!(toks[0].family, Family::Money);
        assert!(toks.iter().skip(1).all(|t| t.family == Family::Other));
    }
}

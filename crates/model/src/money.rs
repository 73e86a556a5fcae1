//! Exact amounts of money in yuan (元), and the rounding rules that are
//! applied once, where a figure is shown.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// How a figure is rounded when it is shown.
///
/// Rounding happens once, at presentation. The default is 四舍五入
/// ([`Rounding::HalfUp`], half away from zero), the rule of published
/// Chinese tables; GB/T 8170's 四舍六入五成双 is [`Rounding::HalfEven`].
/// Note that `Decimal::round_dp` alone is banker's rounding (half even).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// 四舍五入: round half away from zero.
    #[default]
    HalfUp,
    /// GB/T 8170 四舍六入五成双: round half to even.
    HalfEven,
    /// Truncate toward zero (去尾).
    Down,
    /// Round away from zero whenever anything is cut (进一).
    Up,
}

impl Rounding {
    /// The `rust_decimal` strategy that implements this rule.
    #[must_use]
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
        }
    }

    /// Round `value` to `dp` decimal places by this rule.
    #[must_use]
    pub fn round(self, value: Decimal, dp: u32) -> Decimal {
        value.round_dp_with_strategy(dp, self.strategy())
    }
}

/// An exact amount of money in yuan (元), held as a [`Decimal`].
///
/// An amount read from outside (text, a spreadsheet cell, JSON) must be
/// whole fen (分, two decimal places at most); arithmetic between amounts is
/// exact and never rounds, so an intermediate amount may carry more places
/// (half of 0.05元 is 0.025元) until it is rounded, once, where it is shown.
/// `+` and `-` panic when the exact result cannot be held (past ±7.9 × 10²⁸
/// yuan, or more significant digits than a `Decimal` has: they never round
/// silently); use [`Money::checked_add`] and friends where the inputs are
/// not trusted.
///
/// ```
/// use eduaid_model::{Money, Rounding};
/// let total = Money::yuan(500).checked_mul_count(8063).unwrap()
///     + Money::yuan(625).checked_mul_count(4327).unwrap();
/// assert_eq!(total, Money::yuan(6_735_875));
/// assert_eq!(total.wan_yuan().to_string(), "673.5875");
/// assert_eq!(total.to_wan_yuan(2, Rounding::HalfUp).to_string(), "673.59");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero yuan.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// The largest amount a `Money` holds (about 7.9 × 10²⁸ yuan); the
    /// checked operations return `None` past it.
    pub const MAX: Money = Money(Decimal::MAX);

    /// The most negative amount a `Money` holds.
    pub const MIN: Money = Money(Decimal::MIN);

    /// A whole number of yuan.
    #[must_use]
    pub fn yuan(yuan: i64) -> Money {
        Money(Decimal::from(yuan))
    }

    /// An amount given in fen (分, hundredths of a yuan).
    #[must_use]
    pub fn from_fen(fen: i64) -> Money {
        Money(Decimal::new(fen, 2).normalize())
    }

    /// An amount from a decimal number of yuan.
    ///
    /// # Errors
    /// [`ModelError::InvalidMoney`] if the value has finer precision than one
    /// fen.
    pub fn from_decimal(value: Decimal) -> Result<Money, ModelError> {
        let m = Money(value.normalize());
        if m.is_whole_fen() {
            Ok(m)
        } else {
            Err(ModelError::InvalidMoney {
                input: value.to_string(),
                reason: "finer than one fen (more than two decimal places)",
            })
        }
    }

    /// An amount from a decimal number of yuan, with no fen check: for
    /// amounts computed inside the library (a per-day rate times days,
    /// a half of an annual amount), which stay exact.
    #[must_use]
    pub fn from_decimal_exact(value: Decimal) -> Money {
        Money(value.normalize())
    }

    /// An amount given in 万元 (ten thousand yuan), e.g. `673.5875`.
    ///
    /// # Errors
    /// [`ModelError::InvalidMoney`] if the result is finer than one fen or
    /// overflows.
    pub fn from_wan_yuan(wan: Decimal) -> Result<Money, ModelError> {
        let y = wan
            .checked_mul(Decimal::from(10_000))
            .ok_or_else(|| ModelError::InvalidMoney {
                input: format!("{wan}万元"),
                reason: "too large",
            })?;
        Money::from_decimal(y)
    }

    /// The amount in yuan, exact.
    #[must_use]
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// True if the amount is a whole number of fen.
    #[must_use]
    pub fn is_whole_fen(self) -> bool {
        self.0.normalize().scale() <= 2
    }

    /// True if the amount is below zero.
    #[must_use]
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// True if the amount is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The amount in 万元, exact (a shift of the decimal point).
    #[must_use]
    pub fn wan_yuan(self) -> Decimal {
        // Dividing by a power of ten only moves the point: exact for any
        // amount whose scale stays within 28 digits.
        (self.0 / Decimal::from(10_000)).normalize()
    }

    /// The amount in 亿元, exact.
    #[must_use]
    pub fn yi_yuan(self) -> Decimal {
        (self.0 / Decimal::from(100_000_000)).normalize()
    }

    /// The amount in 万元, rounded to `dp` places by `rounding`.
    #[must_use]
    pub fn to_wan_yuan(self, dp: u32, rounding: Rounding) -> Decimal {
        rounding.round(self.wan_yuan(), dp)
    }

    /// The amount in 亿元, rounded to `dp` places by `rounding`.
    #[must_use]
    pub fn to_yi_yuan(self, dp: u32, rounding: Rounding) -> Decimal {
        rounding.round(self.yi_yuan(), dp)
    }

    /// The amount rounded to whole fen by `rounding`: the last step before an
    /// amount is paid or printed.
    #[must_use]
    pub fn round_to_fen(self, rounding: Rounding) -> Money {
        Money(rounding.round(self.0, 2).normalize())
    }

    /// Exact sum, or `None` if it cannot be held exactly (overflow, or
    /// more significant digits than a `Decimal` has, where `Decimal`'s own
    /// `checked_add` would round).
    #[must_use]
    pub fn checked_add(self, other: Money) -> Option<Money> {
        exact_sum(self.0, other.0).map(Money)
    }

    /// Exact difference, or `None` if it cannot be held exactly.
    #[must_use]
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        exact_sum(self.0, -other.0).map(Money)
    }

    /// The amount times a count (of students, days, terms), or `None` if
    /// the product cannot be held exactly.
    #[must_use]
    pub fn checked_mul_count(self, count: u64) -> Option<Money> {
        let p = self.0.checked_mul(Decimal::from(count))?;
        let a = self.0.mantissa().unsigned_abs();
        is_product(p, a, u128::from(count), self.0.scale()).then(|| Money(p.normalize()))
    }

    /// The amount times an exact factor (a share such as 0.5), or `None` if
    /// the product overflows or cannot be held exactly.
    #[must_use]
    pub fn checked_mul_exact(self, factor: Decimal) -> Option<Money> {
        let scale = self.0.scale() + factor.scale();
        // Decimal multiplication rounds when the exact product needs more
        // than 28 fractional digits, or more digits than 96 bits hold.
        if scale > 28 {
            return None;
        }
        let p = self.0.checked_mul(factor)?;
        let (a, f) = (self.0.mantissa().unsigned_abs(), factor.mantissa().unsigned_abs());
        let sign_ok = p.is_zero() || p.is_sign_negative() == (self.0.is_sign_negative() != factor.is_sign_negative());
        (sign_ok && is_product(p, a, f, scale)).then(|| Money(p.normalize()))
    }

    /// The amount divided into `parts` equal parts, exactly.
    ///
    /// # Errors
    /// [`ModelError::MoneyArithmetic`] if `parts` is zero or the quotient is
    /// not exact (¥1 ÷ 3).
    pub fn checked_div_exact(self, parts: u64) -> Result<Money, ModelError> {
        let err = |reason| ModelError::MoneyArithmetic {
            op: format!("{} / {parts}", self.0),
            reason,
        };
        if parts == 0 {
            return Err(err("divide by zero"));
        }
        let d = Decimal::from(parts);
        let q = self.0.checked_div(d).ok_or_else(|| err("overflow"))?;
        // Exact if q × parts is the amount, checked without rounding.
        let same_sign = q.is_zero() || q.is_sign_negative() == self.0.is_sign_negative();
        if same_sign && is_product(self.0, q.mantissa().unsigned_abs(), u128::from(parts), q.scale()) {
            Ok(Money(q.normalize()))
        } else {
            Err(err("lose precision"))
        }
    }

    /// Sum amounts exactly, or `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(iter: I) -> Option<Money> {
        iter.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// Display in yuan with exactly two decimals after rounding by
    /// `rounding`, e.g. `"312.50"`.
    #[must_use]
    pub fn format_yuan(self, rounding: Rounding) -> String {
        let r = rounding.round(self.0, 2);
        format!("{r:.2}")
    }
}

/// `a + b` exactly, or `None` if no `Decimal` holds it: the mantissas are
/// aligned and added in `i128`. An `i128` overflow means the result cannot
/// be held either: with both operands normalized, the one of larger scale
/// ends in a non-zero digit, so the sum has no trailing zero to shed and
/// needs a mantissa far past 96 bits.
fn exact_sum(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (a.normalize(), b.normalize());
    let scale = a.scale().max(b.scale());
    let align = |d: Decimal| d.mantissa().checked_mul(10i128.checked_pow(scale - d.scale())?);
    let mut m = align(a)?.checked_add(align(b)?)?;
    let mut s = scale;
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    Decimal::try_from_i128_with_scale(m, s).ok()
}

/// True if `|r|` is exactly `x × y ÷ 10^scale`, for `x` below 2⁹⁶, `y`
/// below 2⁹⁶ and `scale` at most 28. Both sides are compared as integers
/// below 2¹⁹² modulo 2¹²⁸, 2⁶¹ − 1 and 2³¹ − 1 (pairwise coprime, with a
/// product above 2²¹⁹), so equal residues mean equal numbers.
fn is_product(r: Decimal, x: u128, y: u128, scale: u32) -> bool {
    let m = r.mantissa().unsigned_abs();
    if let Some(shift) = scale.checked_sub(r.scale()) {
        let Some(p) = 10u128.checked_pow(shift) else {
            return false;
        };
        let same = |q: u128| (m % q) * (p % q) % q == (x % q) * (y % q) % q;
        m.wrapping_mul(p) == x.wrapping_mul(y) && same((1 << 61) - 1) && same((1 << 31) - 1)
    } else {
        // r has more places than the product: r's mantissa is x × y × 10^k.
        let p = 10u128.checked_pow(r.scale() - scale);
        p.and_then(|p| x.checked_mul(y)?.checked_mul(p)) == Some(m)
    }
}

impl fmt::Display for Money {
    /// Exact yuan with the unit, e.g. `6735875元` or `312.5元`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.0.normalize())
    }
}

impl FromStr for Money {
    type Err = ModelError;

    /// Parse a yuan amount: `"500"`, `"312.50"`, `"1,204,500"`, `"500元"`,
    /// `"¥500"`, or a 万元 amount written as `"120.45万元"` / `"120.45万"`.
    fn from_str(s: &str) -> Result<Money, ModelError> {
        let bad = |reason| ModelError::InvalidMoney {
            input: s.to_string(),
            reason,
        };
        let t = s.trim();
        let t = t.strip_prefix('¥').or_else(|| t.strip_prefix('￥')).unwrap_or(t).trim();
        let (t, wan) = if let Some(x) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) {
            (x.trim(), true)
        } else {
            (t.strip_suffix('元').unwrap_or(t).trim(), false)
        };
        if t.is_empty() {
            return Err(bad("empty"));
        }
        let cleaned = strip_thousands(t).map_err(bad)?;
        if cleaned.contains(['e', 'E']) {
            return Err(bad("exponent notation is not accepted"));
        }
        let d = Decimal::from_str_exact(&cleaned).map_err(|_| {
            // A well-formed number that does not fit says why.
            let body = cleaned.strip_prefix(['+', '-']).unwrap_or(&cleaned);
            let (int, frac) = body.split_once('.').unwrap_or((body, ""));
            let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
            if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
                bad("not a decimal number")
            } else if frac.len() > 28 {
                bad("finer than one fen (more than two decimal places)")
            } else {
                bad("too large")
            }
        })?;
        if wan {
            Money::from_wan_yuan(d).map_err(|e| match e {
                ModelError::InvalidMoney {
                    reason: "too large", ..
                } => bad("too large"),
                _ => bad("finer than one fen once converted from 万元"),
            })
        } else {
            Money::from_decimal(d)
        }
    }
}

/// `t` without its thousands separators, which must group the whole part
/// in threes from the right (`1,204,500.00`): a comma anywhere else is a
/// decimal comma (`1,5`, `0,5`), a European grouping (`1.000,00`) or a typo
/// (`12,34,5`, `1,,000`), and reading it as a separator would change the
/// amount.
fn strip_thousands(t: &str) -> Result<String, &'static str> {
    if !t.contains(',') {
        return Ok(t.to_string());
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let first_ok = groups
        .first()
        .is_some_and(|g| digits(g) && g.len() <= 3 && !(g.len() > 1 && g.starts_with('0')));
    let first_zero = groups.first() == Some(&"0");
    let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3 && digits(g));
    if frac.contains(',') || !first_ok || first_zero || !rest_ok {
        return Err(
            "thousands separators must group three digits (1,204,500.00); a decimal comma is not accepted: write 1.5, not 1,5",
        );
    }
    Ok(t.chars().filter(|c| *c != ',').collect())
}

impl Serialize for Money {
    /// Serialized as a decimal string in yuan (`"312.5"`), never a float.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.normalize())
    }
}

/// The significant digits an f64 holds for any decimal written with them.
const F64_DIGITS: usize = 15;

impl<'de> Deserialize<'de> for Money {
    /// Accepts a string (`"312.50"`, `"120.45万元"`), an integer, or a float
    /// whose shortest decimal form is whole fen (TOML `312.5`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in yuan, as a string or a number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Ok(Money::yuan(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                if !v.is_finite() {
                    return Err(E::custom("invalid amount: not a finite number"));
                }
                // The shortest representation that reads back as the same
                // f64 is what the author wrote (312.5, 4.05), as long as
                // it has no more significant digits than an f64 keeps
                // (15): past that the number was rounded on reading.
                let shown = format!("{v}");
                let significant = shown
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .skip_while(|b| *b == b'0')
                    .count();
                let trailing_zeros = if shown.contains('.') {
                    0
                } else {
                    shown.bytes().rev().take_while(|b| *b == b'0').count()
                };
                if significant.saturating_sub(trailing_zeros) > F64_DIGITS || v.abs() >= 1e15 {
                    return Err(E::custom(format!(
                        "invalid amount: a number with more than {F64_DIGITS} significant digits cannot be read \
                         exactly as a float (this one became {shown}): write the amount as a string, \
                         e.g. \"12345678901234567.89\""
                    )));
                }
                shown.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Add for Money {
    type Output = Money;
    /// Exact sum. Panics if it cannot be held exactly (past ±7.9 × 10²⁸
    /// yuan), as integer overflow does, rather than round; see
    /// [`Money::checked_add`].
    #[allow(clippy::panic)] // the documented contract of `+`, as for integers
    fn add(self, rhs: Money) -> Money {
        match self.checked_add(rhs) {
            Some(m) => m,
            None => panic!("money overflow: {self} + {rhs} cannot be held exactly"),
        }
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        *self = *self + rhs;
    }
}

impl Sub for Money {
    type Output = Money;
    /// Exact difference. Panics if it cannot be held exactly; see
    /// [`Money::checked_sub`].
    #[allow(clippy::panic)] // the documented contract of `-`, as for integers
    fn sub(self, rhs: Money) -> Money {
        match self.checked_sub(rhs) {
            Some(m) => m,
            None => panic!("money overflow: {self} - {rhs} cannot be held exactly"),
        }
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        *self = *self - rhs;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap_or_default()
    }

    #[test]
    fn parses_the_forms_a_county_writes() {
        assert_eq!("500".parse::<Money>(), Ok(Money::yuan(500)));
        assert_eq!("1,204,500元".parse::<Money>(), Ok(Money::yuan(1_204_500)));
        assert_eq!("120.45万元".parse::<Money>(), Ok(Money::yuan(1_204_500)));
        assert_eq!("673.5875万".parse::<Money>(), Ok(Money::yuan(6_735_875)));
        assert_eq!("¥312.50".parse::<Money>(), Ok(Money::from_fen(31_250)));
        assert!("0.001".parse::<Money>().is_err());
        assert!("1e3".parse::<Money>().is_err());
        assert!("".parse::<Money>().is_err());
        assert!("abc".parse::<Money>().is_err());
    }

    #[test]
    fn thousands_separators_only_in_groups_of_three() {
        assert_eq!("1,000.00".parse::<Money>(), Ok(Money::yuan(1000)));
        assert_eq!("-1,204,500".parse::<Money>(), Ok(Money::yuan(-1_204_500)));
        assert_eq!("￥1,000元".parse::<Money>(), Ok(Money::yuan(1000)));
        assert_eq!("¥ 12,345.5".parse::<Money>(), Ok(Money::from_fen(1_234_550)));
        assert_eq!("1,204.5万元".parse::<Money>(), Ok(Money::yuan(12_045_000)));
        for bad in [
            "1,5",
            "5,00",
            "1.000,00",
            "12,34,5",
            "0,5",
            ",5",
            "1,,000",
            "1,000,",
            "1000,000",
            "01,000",
            "1,000.0,0",
        ] {
            match bad.parse::<Money>() {
                Err(ModelError::InvalidMoney { reason, .. }) => {
                    assert!(
                        reason.starts_with("thousands separators must group three digits"),
                        "{bad}: {reason}"
                    );
                }
                other => panic!("{bad} read as {other:?}"),
            }
        }
    }

    #[test]
    fn floats_longer_than_an_f64_holds_are_refused() {
        let json = |s: &str| serde_json::from_str::<Money>(s).map_err(|e| e.to_string());
        assert_eq!(json("312.5"), Ok(Money::from_fen(31_250)));
        assert_eq!(json("4.05"), Ok(Money::from_fen(405)));
        assert_eq!(json("123456789012.34"), Ok(Money::from_fen(12_345_678_901_234)));
        for bad in [
            "12345678901234567.89",
            "1234567890123456.7",
            "0.1234567890123456789",
            "1e300",
        ] {
            let e = json(bad).unwrap_err();
            assert!(e.contains("write the amount as a string"), "{bad}: {e}");
        }
        // A string keeps every digit.
        assert_eq!(
            json("\"12345678901234567.89\"").map(Money::as_decimal),
            Ok(d("12345678901234567.89"))
        );
    }

    #[test]
    fn wan_yuan_is_exact_and_rounding_is_named() {
        let m = Money::yuan(6_735_875);
        assert_eq!(m.wan_yuan(), d("673.5875"));
        assert_eq!(m.to_wan_yuan(3, Rounding::HalfUp), d("673.588"));
        assert_eq!(m.to_wan_yuan(3, Rounding::HalfEven), d("673.588"));
        let half = Money::yuan(6_735_850);
        assert_eq!(half.to_wan_yuan(2, Rounding::HalfUp), d("673.59"));
        assert_eq!(half.to_wan_yuan(2, Rounding::HalfEven), d("673.58"));
        assert_eq!(Money::yuan(114_000_000).yi_yuan(), d("1.14"));
    }

    #[test]
    fn division_is_exact_or_an_error() {
        assert_eq!(Money::yuan(1250).checked_div_exact(2), Ok(Money::from_fen(62_500)));
        assert_eq!(Money::yuan(625).checked_div_exact(2), Ok(Money::from_fen(31_250)));
        assert!(Money::yuan(1).checked_div_exact(3).is_err());
        assert!(Money::yuan(1).checked_div_exact(0).is_err());
    }

    #[test]
    fn checked_arithmetic_never_rounds() {
        // 29 significant digits plus a fraction: Decimal's own checked_add
        // rounds this to ...333 and says nothing.
        let big = Money::from_decimal_exact(Decimal::MAX - Decimal::ONE_THOUSAND);
        assert_eq!(big.checked_add(Money::from_fen(-210)), None);
        assert_eq!(big.checked_sub(Money::from_fen(210)), None);
        assert_eq!(
            big.checked_add(Money::yuan(-2)).map(Money::as_decimal),
            Some(Decimal::MAX - d("1002"))
        );
        let fen = Money::from_decimal_exact(d("792281625142643375935439503.35"));
        assert_eq!(fen.checked_mul_count(3), None);
        assert_eq!(
            fen.checked_mul_count(2).map(Money::as_decimal),
            Some(d("1584563250285286751870879006.7"))
        );
        assert_eq!(fen.checked_mul_count(1), Some(fen));
        assert_eq!(fen.checked_mul_exact(d("1.5")), None);
        assert_eq!(Money::yuan(3).checked_mul_exact(d("0.5")), Some(Money::from_fen(150)));
        assert_eq!(Money::yuan(-3).checked_mul_exact(d("0.5")), Some(Money::from_fen(-150)));
        assert_eq!(Money::yuan(7).checked_div_exact(7), Ok(Money::yuan(1)));
        assert!(Money::yuan(2).checked_div_exact(7).is_err());
        assert_eq!(Money::from_fen(-150).checked_div_exact(3), Ok(Money::from_fen(-50)));
        assert_eq!(Money::checked_sum([big, big]), None);
    }

    #[test]
    fn parse_errors_say_why() {
        let reason = |s: &str| match s.parse::<Money>() {
            Err(ModelError::InvalidMoney { reason, .. }) => reason,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(reason("99999999999999999999999999999"), "too large");
        assert_eq!(reason("79228162514264337593543950335万元"), "too large");
        assert_eq!(
            reason("0.00000000000000000000000000001"),
            "finer than one fen (more than two decimal places)"
        );
        assert_eq!(reason("1.5.0"), "not a decimal number");
        assert_eq!(reason("-"), "not a decimal number");
        assert_eq!(reason("0.0000001万"), "finer than one fen once converted from 万元");
    }

    #[test]
    fn serde_is_a_string_and_reads_toml_floats() {
        let m = Money::from_fen(31_250);
        assert_eq!(serde_json::to_string(&m).ok(), Some("\"312.5\"".to_string()));
        let back: Money = serde_json::from_str("312.5").unwrap_or_default();
        assert_eq!(back, m);
        let int: Money = serde_json::from_str("500").unwrap_or_default();
        assert_eq!(int, Money::yuan(500));
    }
}

//! Rounding of decimal text as GB/T 8170 describes it, and the check that
//! tells a correctly rounded printed figure from one rounded twice.
//!
//! GB/T 8170-2008 (数值修约规则与极限数值的表示和判定) rounds half to even
//! (四舍六入五成双, [`Rounding::HalfEven`]); published Chinese tables mostly
//! round half away from zero (四舍五入, [`Rounding::HalfUp`]). Both round a
//! negative number by its absolute value and put the sign back, and both
//! forbid rounding in successive steps (不允许连续修约): 15.4546 to a whole
//! number is 15, never 15.455 → 15.46 → 15.5 → 16. [`check_printed`] spots
//! a printed figure that broke that rule, with the model's
//! [`detect_double_rounding`] (the one check the report's validator uses
//! too).

use eduaid_model::rate::{DOUBLE_ROUNDING_DEPTH, MAX_DP, PrintedCheck, Ratio, detect_double_rounding, fixed};
use eduaid_model::{Decimal, Rounding};

use crate::Error;

/// Round `value` to `sig` significant figures (at least one) by `rounding`,
/// e.g. a Wilson bound 0.490197… at three figures is 0.490; `None` if the
/// result is past `Decimal`'s range. For an exact [`Ratio`], round with
/// [`Ratio::round_significant`] instead, which rounds the exact quotient.
#[must_use]
pub fn round_significant(value: Decimal, sig: u32, rounding: Rounding) -> Option<Decimal> {
    value.round_sf_with_strategy(sig.max(1), rounding.strategy())
}

/// Parse a decimal written in full (`"12.1498"`, `"-0.0365"`, `"1,268"`),
/// with no exponent.
///
/// # Errors
/// [`Error::InvalidNumber`] for anything else.
pub fn parse_decimal(text: &str) -> Result<Decimal, Error> {
    let bad = |reason| Error::InvalidNumber {
        input: text.to_string(),
        reason,
    };
    let t: String = text.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Err(bad("empty"));
    }
    if t.contains(['e', 'E']) {
        return Err(bad("exponent notation is not accepted"));
    }
    Decimal::from_str_exact(&t).map_err(|_| bad("not a decimal number"))
}

/// Round `value` to `places` by `rounding`; negative `places` round to tens
/// (-1), hundreds (-2) and so on, as GB/T 8170 allows.
///
/// # Errors
/// [`Error::InvalidParameter`] past 20 places either way, [`Error::Overflow`]
/// if the result does not fit.
pub fn round_decimal(value: Decimal, places: i32, rounding: Rounding) -> Result<Decimal, Error> {
    if places.unsigned_abs() > MAX_DP {
        return Err(Error::InvalidParameter {
            name: "places",
            value: places.to_string(),
            reason: "at most 20 places either side of the point",
        });
    }
    if places >= 0 {
        return Ok(rounding.round(value, places.unsigned_abs()));
    }
    let overflow = || Error::Overflow {
        what: "rounding",
        key: value.to_string(),
    };
    let unit = Decimal::from_i128_with_scale(10i128.pow(places.unsigned_abs()), 0);
    let q = value.checked_div(unit).ok_or_else(overflow)?;
    rounding.round(q, 0).checked_mul(unit).ok_or_else(overflow)
}

/// Round decimal text to `places` by `rounding` and write it back with
/// exactly `places` decimals (none for negative places).
///
/// ```
/// use eduaid_stats::round_str;
/// use eduaid_model::Rounding::{HalfEven, HalfUp};
/// assert_eq!(round_str("0.35", 1, HalfEven)?, "0.4");
/// assert_eq!(round_str("0.45", 1, HalfEven)?, "0.4");
/// assert_eq!(round_str("0.45", 1, HalfUp)?, "0.5");
/// assert_eq!(round_str("1268", -2, HalfEven)?, "1300");
/// # Ok::<(), eduaid_stats::Error>(())
/// ```
///
/// # Errors
/// As [`parse_decimal`] and [`round_decimal`].
pub fn round_str(text: &str, places: i32, rounding: Rounding) -> Result<String, Error> {
    let mut v = round_decimal(parse_decimal(text)?, places, rounding)?;
    if v.is_zero() {
        // -0.04 to one place is 0.0, not -0.0.
        v.set_sign_positive(true);
    }
    Ok(if places >= 0 {
        fixed(v, places.unsigned_abs())
    } else {
        v.normalize().trunc().to_string()
    })
}

/// Parse a printed percentage (`"99.4%"`, `"99.4"`, `"99.4％"`): its value
/// and the number of decimal places it was printed with.
///
/// # Errors
/// [`Error::InvalidNumber`] if it is not a decimal.
pub fn parse_percent(text: &str) -> Result<(Decimal, u32), Error> {
    let t = text.trim();
    let t = t.strip_suffix('%').or_else(|| t.strip_suffix('％')).unwrap_or(t);
    let v = parse_decimal(t)?;
    Ok((v, v.scale()))
}

/// Check a printed percentage (`"99.4%"`) against the exact rate
/// `numerator / denominator`.
///
/// ```
/// use eduaid_stats::check_printed;
/// use eduaid_model::Rounding;
/// use eduaid_model::rate::PrintedCheck;
/// // The seed printed 305/307 as 99.4%: 99.3485… → 99.35 → 99.4.
/// let verdict = check_printed(305, 307, "99.4%", Rounding::HalfUp)?;
/// assert!(matches!(verdict, PrintedCheck::DoubleRounding { .. }));
/// assert_eq!(check_printed(305, 307, "99.3%", Rounding::HalfUp)?, PrintedCheck::Correct);
/// # Ok::<(), eduaid_stats::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidNumber`] if the printed text is not a percentage,
/// [`Error::Degenerate`] if the denominator is zero, [`Error::Overflow`] if
/// the exact value cannot be formed.
pub fn check_printed(
    numerator: i128,
    denominator: i128,
    printed: &str,
    rounding: Rounding,
) -> Result<PrintedCheck, Error> {
    let (value, dp) = parse_percent(printed)?;
    if dp > MAX_DP - DOUBLE_ROUNDING_DEPTH - 2 {
        return Err(Error::InvalidNumber {
            input: printed.to_string(),
            reason: "more than 12 decimal places",
        });
    }
    if denominator == 0 {
        return Err(Error::Degenerate {
            what: "printed-figure check",
            key: format!("{numerator}/{denominator}"),
            reason: "zero denominator",
        });
    }
    // Enough exact places for every first rounding the detector tries, one
    // more to decide its midpoint: then the check never sees a rounded
    // intermediate of our own.
    let places = (dp + DOUBLE_ROUNDING_DEPTH + 2).min(MAX_DP);
    let exact = Ratio::new(numerator, denominator)
        .round_scaled(2, places, Rounding::Down)
        .ok_or_else(|| Error::Overflow {
            what: "printed-figure check",
            key: format!("{numerator}/{denominator}"),
        })?;
    // Truncation could land exactly on a midpoint of a coarser place that
    // the true value lies beyond; nudge by less than the last place when
    // anything was cut.
    let cut = Ratio::new(numerator, denominator).round_scaled(2, places, Rounding::Up) != Some(exact);
    let exact = if cut {
        let tiny = Decimal::new(1, places + 1);
        if exact.is_sign_negative() {
            exact - tiny
        } else {
            exact + tiny
        }
    } else {
        exact
    };
    Ok(detect_double_rounding(exact, value, rounding))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rounding::{HalfEven, HalfUp};

    #[test]
    fn gbt_8170_examples() {
        assert_eq!(round_str("12.1498", 1, HalfEven).unwrap(), "12.1");
        assert_eq!(round_str("12.1498", 0, HalfEven).unwrap(), "12");
        assert_eq!(round_str("10.5002", 0, HalfEven).unwrap(), "11");
        assert_eq!(round_str("1.050", 1, HalfEven).unwrap(), "1.0");
        assert_eq!(round_str("0.35", 1, HalfEven).unwrap(), "0.4");
        assert_eq!(round_str("2500", -3, HalfEven).unwrap(), "2000");
        assert_eq!(round_str("3500", -3, HalfEven).unwrap(), "4000");
        assert_eq!(round_str("-355", -1, HalfEven).unwrap(), "-360");
        assert_eq!(round_str("-325", -1, HalfEven).unwrap(), "-320");
        assert_eq!(round_str("-0.0365", 3, HalfEven).unwrap(), "-0.036");
        assert_eq!(round_str("15.4546", 0, HalfEven).unwrap(), "15");
        assert_eq!(round_str("-325", -1, HalfUp).unwrap(), "-330");
        assert_eq!(round_str("1.050", 1, HalfUp).unwrap(), "1.1");
        assert!(round_str("1e3", 0, HalfUp).is_err());
        assert!(round_str("", 0, HalfUp).is_err());
        assert!(round_str("1", 21, HalfUp).is_err());
        // Decimal::MAX rounded up to tens does not fit: an error, not a panic.
        assert!(round_str("79228162514264337593543950335", -1, HalfUp).is_err());
        assert_eq!(
            round_str("79228162514264337593543950334", -1, Rounding::Down).unwrap(),
            "79228162514264337593543950330"
        );
    }

    #[test]
    fn successive_rounding_is_recognised() {
        match check_printed(305, 307, "99.4%", HalfUp).unwrap() {
            PrintedCheck::DoubleRounding { correct, steps } => {
                assert_eq!(correct, Decimal::new(993, 1));
                assert_eq!(steps, vec![Decimal::new(9935, 2), Decimal::new(994, 1)]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(check_printed(305, 307, "99.3%", HalfUp).unwrap(), PrintedCheck::Correct);
        assert_eq!(
            check_printed(305, 307, "98.0%", HalfUp).unwrap(),
            PrintedCheck::Wrong {
                correct: Decimal::new(993, 1)
            }
        );
        // 15.4546 → 15.455 → 15.46 → 15.5 → 16.
        let v = detect_double_rounding(Decimal::new(154_546, 4), Decimal::from(16), HalfUp);
        assert!(matches!(v, PrintedCheck::DoubleRounding { .. }));
        assert!(check_printed(1, 0, "1%", HalfUp).is_err());
        assert!(check_printed(1, 3, "abc", HalfUp).is_err());
        assert!(check_printed(1, 3, "33.3333333333333%", HalfUp).is_err());
        assert_eq!(
            check_printed(1, 3, "33.333333333333%", HalfUp).unwrap(),
            PrintedCheck::Correct
        );
    }

    #[test]
    fn exact_midpoints_are_not_mistaken() {
        // 1/8 = 12.5% exactly: half up prints 13, half even 12, both correct.
        assert_eq!(check_printed(1, 8, "13%", HalfUp).unwrap(), PrintedCheck::Correct);
        assert_eq!(check_printed(1, 8, "12%", HalfEven).unwrap(), PrintedCheck::Correct);
        // 0.12499…: a value just under a midpoint.
        assert!(
            !check_printed(12_499_999, 100_000_000, "13%", HalfUp)
                .unwrap()
                .is_correct()
        );
    }
}

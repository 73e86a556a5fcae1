//! Resident identity card numbers (居民身份证号码, GB 11643-1999): the
//! check digit and the birth date they embed.

use crate::convert::clamped;
use chrono::NaiveDate;

use crate::{ModelError, Sex};

/// The weights of the 17 body digits in the ISO 7064 MOD 11-2 check:
/// 2¹⁷⁻ⁱ mod 11 for position i from 1.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder of the weighted sum mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// A checked identity card number (身份证号): 18 characters, the check
/// digit right and the birth date a real day no later than the day it is
/// checked on.
///
/// A 15-digit number (the form before 1999) is accepted when its date
/// (19YYMMDD) is valid and is upgraded to the 18-character form (`19`
/// inserted, the check digit computed); it has no check digit of its own
/// to verify.
///
/// ```
/// use eduaid_model::{IdCard, NaiveDate};
/// let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
/// let id = IdCard::parse("11010519491231002X", today)?;
/// assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap_or_default());
/// assert!(IdCard::parse("110105194912310021", today).is_err()); // wrong check digit
/// # Ok::<(), eduaid_model::ModelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdCard {
    number: String,
    birth_date: NaiveDate,
}

impl IdCard {
    /// Check `input` (18 characters, or the legacy 15 digits; a lowercase
    /// `x` is read as `X`) on the day `today`.
    ///
    /// # Errors
    /// [`ModelError::InvalidIdCard`], saying which rule failed; the number
    /// in the message is masked (first 6 and last 4 characters kept).
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdCard, ModelError> {
        let s = input.trim().to_ascii_uppercase();
        let bad = |reason: String| ModelError::InvalidIdCard {
            input: mask(&s),
            reason,
        };
        let b = s.as_bytes();
        match b.len() {
            18 => {
                let (body, check) = b.split_at(17);
                if !body.iter().all(u8::is_ascii_digit) || !check.iter().all(|c| c.is_ascii_digit() || *c == b'X') {
                    return Err(bad("expected 17 digits and a check digit 0-9 or X".into()));
                }
                let birth_date = birth(s.get(6..14).unwrap_or_default()).map_err(bad)?;
                let want = check_digit(body);
                if check.first() != Some(&want) {
                    return Err(bad(format!(
                        "the check digit is {} but the first 17 digits give {} (GB 11643): a digit is mistyped",
                        char::from(check.first().copied().unwrap_or(b'?')),
                        char::from(want)
                    )));
                }
                not_future(birth_date, today).map_err(bad)?;
                Ok(IdCard { number: s, birth_date })
            }
            15 => {
                if !b.iter().all(u8::is_ascii_digit) {
                    return Err(bad(
                        "a 15-character number must be all digits (the pre-1999 form)".into()
                    ));
                }
                let part = |r: std::ops::Range<usize>| s.get(r).unwrap_or_default();
                let date = format!("19{}", part(6..12));
                let birth_date = birth(&date).map_err(|r| bad(format!("{r} (a 15-digit number dates from 19YY)")))?;
                not_future(birth_date, today).map_err(bad)?;
                let mut number = format!("{}{date}{}", part(0..6), part(12..15));
                let check = check_digit(number.as_bytes());
                number.push(char::from(check));
                Ok(IdCard { number, birth_date })
            }
            n => Err(bad(format!(
                "{n} characters: an id card number has 18 (or 15 before 1999)"
            ))),
        }
    }

    /// The number in its 18-character form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.number
    }

    /// The birth date the number embeds.
    #[must_use]
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// The sex the number embeds: the 17th digit is odd for men.
    #[must_use]
    pub fn sex(&self) -> Sex {
        let odd = self.number.as_bytes().get(16).is_some_and(|d| (d - b'0') % 2 == 1);
        if odd { Sex::Male } else { Sex::Female }
    }
}

/// The GB 11643 check character of 17 body digits.
fn check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d.saturating_sub(b'0')) * w)
        .sum();
    CHECK[clamped::<_, usize>(sum % 11)]
}

/// The date of `yyyymmdd`, or why it is none.
fn birth(yyyymmdd: &str) -> Result<NaiveDate, String> {
    let num = |r: std::ops::Range<usize>| yyyymmdd.get(r).and_then(|p| p.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(4..6), num(6..8)) else {
        return Err(format!("the birth date {yyyymmdd} is not a date"));
    };
    let date = i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d));
    match date {
        Some(date) if y >= 1900 => Ok(date),
        _ => Err(format!("the birth date {yyyymmdd} is not a real day")),
    }
}

fn not_future(birth: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if birth > today {
        Err(format!("the birth date {birth} is in the future"))
    } else {
        Ok(())
    }
}

/// An id card number with all but its first 6 and last 4 characters
/// hidden, for messages (`110105********002X`).
#[must_use]
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 10;
    let mut out: String = chars.iter().take(6).collect();
    out.push_str(&"*".repeat(hidden));
    out.extend(chars.iter().skip(6 + hidden));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
    }

    #[test]
    fn the_standard_example_and_computed_check_digits() {
        let id = IdCard::parse("11010519491231002X", today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.birth_date().to_string(), "1949-12-31");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(
            IdCard::parse("11010519491231002x", today()).map(|i| i.as_str().to_string()),
            Ok("11010519491231002X".into())
        );
        // Check digits computed with the weights above.
        assert_eq!(check_digit(b"43010220080501123"), b'9');
        assert!(IdCard::parse("430102200805011239", today()).is_ok());
        assert!(IdCard::parse("430102200805011238", today()).is_err());
        assert_eq!(check_digit(b"11010120170301001"), b'X');
        assert_eq!(
            IdCard::parse("11010120170301001X", today()).map(|i| i.sex()),
            Ok(Sex::Male)
        );
        // Right check digit, impossible year.
        assert!(IdCard::parse("440524188001010014", today()).is_err());
    }

    #[test]
    fn each_fault_is_named() {
        let reason = |s: &str| match IdCard::parse(s, today()) {
            Err(ModelError::InvalidIdCard { reason, input }) => {
                assert!(!input.contains(&s[6..14]) || s.len() < 15, "{input} is not masked");
                reason
            }
            other => panic!("{s}: {other:?}"),
        };
        assert!(reason("110105194912310021").contains("check digit is 1 but the first 17 digits give X"));
        assert!(reason("430102200802301234").contains("not a real day"));
        assert!(reason("430102209905011237").contains("in the future"));
        assert!(reason("43010220080501123").contains("17 characters"));
        assert!(reason("4301022008050112A4").contains("17 digits"));
        assert!(reason("430102990230123").contains("not a real day"));
    }

    #[test]
    fn fifteen_digit_numbers_are_upgraded() {
        let id = IdCard::parse("430102850501123", today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id.birth_date().to_string(), "1985-05-01");
        assert_eq!(id.as_str().len(), 18);
        assert!(id.as_str().starts_with("43010219850501123"));
        assert!(IdCard::parse(id.as_str(), today()).is_ok());
    }

    #[test]
    fn masking_keeps_six_and_four() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
        assert_eq!(mask("123"), "***");
    }
}

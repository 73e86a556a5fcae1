//! Personal data of minors in messages: an error, a warning or a line on a
//! terminal shows a 身份证号 (resident identity number) masked and a
//! student's name only when asked. Files the user asked for keep full
//! values; these functions are for what is shown in passing.

use std::borrow::Cow;

/// Digits kept at the start of a masked identity number (the region code).
const KEEP_HEAD: usize = 6;
/// Digits kept at the end (three digits and the check character).
const KEEP_TAIL: usize = 4;

/// `text` with every identity-number-like run masked: 18 characters (17
/// ASCII digits and a digit or `X`) or 15 digits, not part of a longer run
/// of digits, with a plausible birth date where the identity number holds
/// one (`YYYYMMDD` from the 7th digit, `YYMMDD` in a 15-digit one), keep
/// their first 6 and last 4 characters
/// (`430102200801011234` → `430102********1234`). A leading letter stays
/// (`G430102200801011234` → `G430102********1234`, a 学籍号 built on the
/// identity number). Shorter and longer numbers (amounts, counts, school
/// codes) are left alone.
///
/// ```
/// use eduaid_model::mask_id_numbers;
/// assert_eq!(mask_id_numbers("record G43010220080101123X: bad date"), "record G430102********123X: bad date");
/// assert_eq!(mask_id_numbers("430102080101123"), "430102*****1123");
/// assert_eq!(mask_id_numbers("G001 paid 1204500 yuan"), "G001 paid 1204500 yuan");
/// ```
#[must_use]
pub fn mask_id_numbers(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let mut end = i;
        if end - start == 17 && matches!(bytes.get(end), Some(b'X' | b'x')) {
            end += 1;
        }
        let len = end - start;
        let alnum_after = bytes.get(end).is_some_and(u8::is_ascii_alphanumeric);
        if (len == 18 || len == 15) && !alnum_after && has_birth_date(bytes.get(start..end).unwrap_or_default()) {
            spans.push((start, end));
        }
        i = end;
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(text.get(at..start).unwrap_or_default());
        let id = text.get(start..end).unwrap_or_default();
        out.push_str(id.get(..KEEP_HEAD).unwrap_or_default());
        out.extend(std::iter::repeat_n('*', end - start - KEEP_HEAD - KEEP_TAIL));
        out.push_str(id.get(end - start - KEEP_TAIL..).unwrap_or_default());
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    Cow::Owned(out)
}

/// True if an identity-number-like run holds a plausible birth date: a
/// year 18xx–20xx (18 characters), a month 01–12 and a day 01–31.
fn has_birth_date(id: &[u8]) -> bool {
    let num = |from: usize, len: usize| {
        id.get(from..from + len)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse::<u32>().ok())
    };
    let (year_ok, at) = if id.len() == 18 {
        (num(6, 4).is_some_and(|y| (1800..2100).contains(&y)), 10)
    } else {
        (true, 8)
    };
    year_ok
        && num(at, 2).is_some_and(|m| (1..=12).contains(&m))
        && num(at + 2, 2).is_some_and(|d| (1..=31).contains(&d))
}

/// A person's name as shown when names are not asked for: the first
/// character and a `*` for each of the rest (`张小明` → `张**`; a
/// one-character name → `*`).
///
/// ```
/// use eduaid_model::mask_name;
/// assert_eq!(mask_name("张小明"), "张**");
/// assert_eq!(mask_name("欧阳"), "欧*");
/// assert_eq!(mask_name("A"), "*");
/// ```
#[must_use]
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let n = name.chars().count();
    match name.chars().next() {
        Some(first) if n > 1 => std::iter::once(first).chain(std::iter::repeat_n('*', n - 1)).collect(),
        Some(_) => "*".to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_numbers_are_masked_wherever_they_stand() {
        assert_eq!(mask_id_numbers("430102200801011234"), "430102********1234");
        assert_eq!(mask_id_numbers("id=43010220080101123x."), "id=430102********123x.");
        assert_eq!(
            mask_id_numbers("学籍号G430102200801011234重复"),
            "学籍号G430102********1234重复"
        );
        assert_eq!(
            mask_id_numbers("a 430102200801011234, b 430102200801015678"),
            "a 430102********1234, b 430102********5678"
        );
        // Not identity numbers: too long, too short, glued to letters.
        for keep in [
            "4301022008010112345",
            "43010220080101",
            "430102200801011234Y",
            "12345678901234567",
            "100000000000000",
            "430102200813011234",
        ] {
            assert_eq!(mask_id_numbers(keep), keep);
        }
        assert!(matches!(mask_id_numbers("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn names_keep_their_first_character() {
        assert_eq!(mask_name(" 谢宸玥 "), "谢**");
        assert_eq!(mask_name(""), "");
    }
}

//! Dates in cells: the text forms, Excel serials (1900 system) and the
//! calendar checks.

use super::*;

/// A date cell: ISO `2017-03-01`, `2017年3月1日`, `2017/3/1`, `2017.3.1`,
/// `20170301`, or an Excel serial in a cell that holds a number (a
/// date-formatted or numeric xlsx cell, a JSON number); a time of day after
/// the date is accepted and dropped. Text of digits alone is never a serial:
/// `2009` in a CSV is a year someone typed, not 1905-07-01.
pub(crate) fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Serial(f) | Cell::Number(f) => from_serial(*f).map(Some),
        Cell::JsonNumber(s) => match s.parse::<f64>() {
            Ok(f) => from_serial(f).map(Some),
            Err(_) => Err(format!("{s} is not an excel date serial")),
        },
        Cell::Bool(_) => Err("a yes/no value is not a date".into()),
        // A typed date in the accepted years is that date; any other is
        // read as its ISO text, so that it is refused with the text's
        // message (`"1850-09-01": year 1850 is out of range …`).
        Cell::Date(d) if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) => Ok(Some(*d)),
        Cell::Date(d) => parse_date_text(&d.to_string()).map(Some),
        // `2017-03-01` as it stands, read at once (as `parse_date_text`
        // reads it: no trimming to do).
        Cell::Text(s) if iso_parts(s).is_some() => match iso_parts(s) {
            Some((y, m, d)) => ymd(y, m, d).map(Some).map_err(|reason| format!("{s:?}: {reason}")),
            None => parse_date_text(s).map(Some),
        },
        _ => match cell.trimmed()? {
            None => Ok(None),
            Some(t) => parse_date_text(&t).map(Some),
        },
    }
}

/// `2017-03-01` exactly: its year, month and day (what the general path of
/// [`parse_date_text`] reads it as).
fn iso_parts(s: &str) -> Option<(i32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mut n = [0u32; 3];
    for (i, range) in [(0, 0..4), (1, 5..7), (2, 8..10)] {
        for &c in b.get(range)? {
            if !c.is_ascii_digit() {
                return None;
            }
            n[i] = n[i] * 10 + u32::from(c - b'0');
        }
    }
    Some((i32::try_from(n[0]).ok()?, n[1], n[2]))
}

/// Parse the text forms of a date.
pub(crate) fn parse_date_text(input: &str) -> Result<NaiveDate, String> {
    if let Some((y, m, d)) = iso_parts(input) {
        return ymd(y, m, d).map_err(|reason| format!("{input:?}: {reason}"));
    }
    let s = ascii_digits_cow(input);
    // Drop a time of day: "2017-03-01 08:30:00", "2017-03-01T08:30".
    let date_part = match s.split_once([' ', 'T']) {
        Some((d, time)) => {
            let time = time.trim();
            if !time.is_empty() && !time.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '.') {
                return Err(format!("{input:?} is not a date"));
            }
            d.trim()
        }
        None => &*s,
    };
    let bad = || {
        format!("{input:?} is not a date (expected 2017-03-01, 2017年3月1日, 2017/3/1, 2017.3.1 or an excel serial)")
    };
    let parts: Vec<&str> = if date_part.contains('年') {
        let rest = date_part
            .strip_suffix('日')
            .or_else(|| date_part.strip_suffix('号'))
            .unwrap_or(date_part);
        let (y, rest) = rest.split_once('年').ok_or_else(bad)?;
        let (m, d) = rest.split_once('月').ok_or_else(bad)?;
        vec![y, m, d]
    } else if date_part.contains(['-', '/', '.']) && date_part.chars().filter(|c| !c.is_ascii_digit()).count() == 2 {
        date_part.split(['-', '/', '.']).collect()
    } else if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        vec![&date_part[..4], &date_part[4..6], &date_part[6..]]
    } else if !date_part.is_empty()
        && date_part.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && date_part.split('.').count() <= 2
    {
        // Digits alone in text: a year, or a serial a spreadsheet's CSV
        // export wrote out. Neither is read as a date.
        let is_year = date_part.len() == 4
            && date_part
                .parse::<i32>()
                .is_ok_and(|y| (MIN_YEAR..=MAX_YEAR).contains(&y));
        return Err(if is_year {
            format!("{input:?} is a year, not a date: write the whole date (2017-03-01)")
        } else {
            format!(
                "{input:?} is not a date: a number in text is not read as an excel serial \
                 (format the column as a date in excel, or write 2017-03-01)"
            )
        });
    } else {
        return Err(bad());
    };
    let num = |p: &str| -> Result<u32, String> {
        let p = p.trim();
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse::<u32>().map_err(|_| bad())
    };
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    if y.trim().len() != 4 {
        return Err(format!("{input:?}: the year must have four digits"));
    }
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    let year = i32::try_from(y).map_err(|_| bad())?;
    ymd(year, m, d).map_err(|reason| format!("{input:?}: {reason}"))
}

/// A checked calendar date with a reason for each impossibility.
fn ymd(year: i32, month: u32, day: u32) -> Result<NaiveDate, String> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(format!("year {year} is out of range ({MIN_YEAR} to {MAX_YEAR})"));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} does not exist"));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = days_in_month(year, month);
        format!("impossible date {year:04}-{month:02}-{day:02}: month {month} of {year} has {days} days")
    })
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(31, |d| d.day())
}

/// An Excel serial date in the 1900 date system.
///
/// Serial 1 is 1900-01-01. Excel (after Lotus 1-2-3) treats 1900 as a leap
/// year, so serial 60 is the non-existent 1900-02-29 and every later serial
/// is one day ahead of a plain count: serials 1 to 59 count from 1899-12-31,
/// serials from 61 count from 1899-12-30, and serial 60 (and 0, "1900-01-00")
/// is rejected. A fractional part is a time of day and is dropped.
// A spreadsheet stores a date as an f64 serial; taking its whole part needs
// float operations. The value is range-checked before the cast.
#[allow(clippy::float_arithmetic, clippy::cast_possible_truncation)]
pub(crate) fn from_serial(v: f64) -> Result<NaiveDate, String> {
    if !v.is_finite() || !(0.0..2_958_466.0).contains(&v) {
        // Shown in exponent form when huge, so a message stays one line.
        let shown = if v.abs() < 1e15 {
            format!("{v}")
        } else {
            format!("{v:e}")
        };
        return Err(format!("{shown} is not an excel date serial"));
    }
    let days = v.floor() as i64;
    let base = match days {
        0 => return Err("excel serial 0 is the non-date 1900-01-00".into()),
        60 => return Err("excel serial 60 is 1900-02-29, which does not exist (excel's 1900 leap-year bug)".into()),
        1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31),
        _ => NaiveDate::from_ymd_opt(1899, 12, 30),
    };
    let date = base
        .and_then(|b| b.checked_add_days(chrono::Days::new(days.unsigned_abs())))
        .ok_or_else(|| format!("{v} is not an excel date serial"))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        return Err(format!(
            "excel serial {v} is {date}, out of range ({MIN_YEAR} to {MAX_YEAR})"
        ));
    }
    Ok(date)
}

/// The Excel serial (1900 system) of a date, for writers.
pub(crate) fn to_serial(date: NaiveDate) -> i64 {
    let days = date.signed_duration_since(NaiveDate::MIN).num_days()
        - NaiveDate::from_ymd_opt(1899, 12, 30).map_or(0, |b| b.signed_duration_since(NaiveDate::MIN).num_days());
    if days <= 60 { days - 1 } else { days }
}

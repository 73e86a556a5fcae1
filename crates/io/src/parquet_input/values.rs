//! A Parquet column's values as cells: which physical and logical types
//! are read, and how each becomes the cell a spreadsheet would give.

use chrono::NaiveDate;
use eduaid_model::convert::clamped;
use parquet::basic::{ConvertedType, LogicalType, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType, FixedLenByteArray, Int96};
use parquet::errors::ParquetError;
use parquet::schema::types::ColumnDescriptor;

use crate::cell::Cell;

/// How a column's values become cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conv {
    /// `BOOLEAN`: a yes/no cell.
    Bool,
    /// A signed integer: its decimal digits.
    Int,
    /// An unsigned integer (`UINT_32`, `UINT_64`): its decimal digits.
    UInt,
    /// `DATE`: days since 1970-01-01.
    Date,
    /// `TIMESTAMP`: units since 1970-01-01 00:00; `utc` if an instant (read
    /// as a date in China Standard Time, UTC+8).
    Timestamp {
        /// Units in a second.
        per_second: i64,
        /// Adjusted to UTC.
        utc: bool,
    },
    /// A legacy `INT96` timestamp (Hive, Impala, Spark): an instant, read as
    /// a date in China Standard Time.
    Int96,
    /// `DECIMAL(p, s)`: exact decimal text.
    Decimal {
        /// Digits after the point.
        scale: u32,
    },
    /// `STRING` (or an unannotated byte array): UTF-8 text.
    Text,
    /// `FLOAT` or `DOUBLE`: a number, as an xlsx numeric cell.
    Float,
}

/// Seconds east of UTC in China Standard Time.
const CST: i64 = 8 * 3600;
/// The Julian day of 1970-01-01 (for `INT96`).
const JULIAN_EPOCH: i64 = 2_440_588;
/// The widest decimal read: 38 digits (what 16 bytes hold).
const MAX_DECIMAL_DIGITS: i32 = 38;

impl Conv {
    /// How the column `d` is read, or why it is not.
    pub(crate) fn of(d: &ColumnDescriptor) -> Result<Conv, String> {
        let physical = d.physical_type();
        let shown = || match d.logical_type_ref() {
            Some(l) => format!("{physical} ({l:?})"),
            None if d.converted_type() == ConvertedType::NONE => physical.to_string(),
            None => format!("{physical} ({})", d.converted_type()),
        };
        let not_read = |why: &str| Err(format!("{} {why}", shown()));
        let decimal = |scale: i32, precision: i32| {
            if !(0..=precision).contains(&scale) || !(1..=MAX_DECIMAL_DIGITS).contains(&precision) {
                return Err(format!(
                    "{} is not read: a decimal of more than {MAX_DECIMAL_DIGITS} digits, or a scale outside \
                     0 to its precision",
                    shown()
                ));
            }
            Ok(Conv::Decimal {
                scale: clamped::<_, u32>(scale),
            })
        };
        if let Some(l) = d.logical_type_ref() {
            return match (physical, l) {
                (
                    Physical::INT32 | Physical::INT64 | Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY,
                    LogicalType::Decimal(t),
                ) => decimal(t.scale, t.precision),
                (Physical::INT32, LogicalType::Date) => Ok(Conv::Date),
                (Physical::INT32 | Physical::INT64, LogicalType::Integer(t)) => {
                    Ok(if t.is_signed { Conv::Int } else { Conv::UInt })
                }
                (Physical::INT64, LogicalType::Timestamp(t)) => Ok(Conv::Timestamp {
                    per_second: match t.unit {
                        TimeUnit::MILLIS => 1_000,
                        TimeUnit::MICROS => 1_000_000,
                        TimeUnit::NANOS => 1_000_000_000,
                    },
                    utc: t.is_adjusted_to_u_t_c,
                }),
                (
                    Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY,
                    LogicalType::String | LogicalType::Enum | LogicalType::Json,
                ) => Ok(Conv::Text),
                (_, LogicalType::Time(_)) => not_read("is a time of day, not a value eduaid reads"),
                _ => not_read("is not a type eduaid reads (see docs/file-formats.md)"),
            };
        }
        match (physical, d.converted_type()) {
            (_, ConvertedType::DECIMAL) => decimal(d.type_scale(), d.type_precision()),
            (Physical::BOOLEAN, ConvertedType::NONE) => Ok(Conv::Bool),
            (Physical::INT32, ConvertedType::DATE) => Ok(Conv::Date),
            (
                Physical::INT32 | Physical::INT64,
                ConvertedType::NONE
                | ConvertedType::INT_8
                | ConvertedType::INT_16
                | ConvertedType::INT_32
                | ConvertedType::INT_64,
            ) => Ok(Conv::Int),
            (
                Physical::INT32 | Physical::INT64,
                ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32 | ConvertedType::UINT_64,
            ) => Ok(Conv::UInt),
            (Physical::INT64, ConvertedType::TIMESTAMP_MILLIS) => Ok(Conv::Timestamp {
                per_second: 1_000,
                utc: true,
            }),
            (Physical::INT64, ConvertedType::TIMESTAMP_MICROS) => Ok(Conv::Timestamp {
                per_second: 1_000_000,
                utc: true,
            }),
            (Physical::INT96, ConvertedType::NONE) => Ok(Conv::Int96),
            (Physical::FLOAT | Physical::DOUBLE, ConvertedType::NONE) => Ok(Conv::Float),
            (
                Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY,
                ConvertedType::NONE | ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON,
            ) => Ok(Conv::Text),
            (_, ConvertedType::TIME_MILLIS | ConvertedType::TIME_MICROS) => {
                not_read("is a time of day, not a value eduaid reads")
            }
            _ => not_read("is not a type eduaid reads (see docs/file-formats.md)"),
        }
    }

    /// True for a column of numbers (integers, decimals, floats): an id
    /// stored so has lost any leading zeros.
    pub(crate) fn is_number(self) -> bool {
        matches!(self, Conv::Int | Conv::UInt | Conv::Decimal { .. } | Conv::Float)
    }
}

/// One batch of a column's values (the non-null ones, in order).
#[derive(Debug)]
pub(crate) enum Values {
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    I96(Vec<Int96>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Bytes(Vec<ByteArray>),
    Fixed(Vec<FixedLenByteArray>),
}

/// Read up to `n` rows of a flat column: its definition levels into
/// `defs` (when it is optional) and its values into `values`; returns the
/// rows and the values read.
fn read_typed<T: DataType>(
    r: &mut ColumnReaderImpl<T>,
    n: usize,
    defs: &mut Vec<i16>,
    values: &mut Vec<T::T>,
) -> Result<(usize, usize), ParquetError> {
    values.clear();
    let (records, read, _levels) = r.read_records(n, Some(defs), None, values)?;
    Ok((records, read))
}

impl Values {
    /// An empty batch for a column of `physical` type.
    pub(crate) fn for_type(physical: Physical) -> Values {
        match physical {
            Physical::BOOLEAN => Values::Bool(Vec::new()),
            Physical::INT32 => Values::I32(Vec::new()),
            Physical::INT64 => Values::I64(Vec::new()),
            Physical::INT96 => Values::I96(Vec::new()),
            Physical::FLOAT => Values::F32(Vec::new()),
            Physical::DOUBLE => Values::F64(Vec::new()),
            Physical::BYTE_ARRAY => Values::Bytes(Vec::new()),
            Physical::FIXED_LEN_BYTE_ARRAY => Values::Fixed(Vec::new()),
        }
    }

    /// Read the next batch of up to `n` rows from `reader`.
    pub(crate) fn read(
        &mut self,
        reader: &mut ColumnReader,
        n: usize,
        defs: &mut Vec<i16>,
    ) -> Result<(usize, usize), ParquetError> {
        let mismatch = || ParquetError::General("the column's type changed between row groups".into());
        match (self, reader) {
            (Values::Bool(v), ColumnReader::BoolColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::I32(v), ColumnReader::Int32ColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::I64(v), ColumnReader::Int64ColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::I96(v), ColumnReader::Int96ColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::F32(v), ColumnReader::FloatColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::F64(v), ColumnReader::DoubleColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::Bytes(v), ColumnReader::ByteArrayColumnReader(r)) => read_typed(r, n, defs, v),
            (Values::Fixed(v), ColumnReader::FixedLenByteArrayColumnReader(r)) => read_typed(r, n, defs, v),
            _ => Err(mismatch()),
        }
    }

    /// Value `i` of the batch, converted by `conv`, into `slot` (whose
    /// text buffer is reused). A text longer than `max_record` bytes is a
    /// bad cell.
    pub(crate) fn cell(&self, i: usize, conv: &Conv, slot: &mut Cell, max_record: u64) {
        let missing = || Cell::Bad("the column has fewer values than rows".into());
        *slot = match self {
            Values::Bool(v) => match v.get(i) {
                Some(b) => Cell::Bool(*b),
                None => missing(),
            },
            Values::I32(v) => match v.get(i) {
                Some(x) => integer(
                    i64::from(*x),
                    u64::from(u32::from_ne_bytes(x.to_ne_bytes())),
                    conv,
                    buffer(slot),
                ),
                None => missing(),
            },
            Values::I64(v) => match v.get(i) {
                Some(x) => integer(*x, u64::from_ne_bytes(x.to_ne_bytes()), conv, buffer(slot)),
                None => missing(),
            },
            Values::I96(v) => match v.get(i) {
                Some(x) => int96(x, buffer(slot)),
                None => missing(),
            },
            Values::F32(v) => match v.get(i) {
                Some(x) => Cell::Number(f64::from(*x)),
                None => missing(),
            },
            Values::F64(v) => match v.get(i) {
                Some(x) => Cell::Number(*x),
                None => missing(),
            },
            Values::Bytes(v) => match v.get(i) {
                // A code column repeats a few values: a cell that already
                // holds the text (from the row read into this vector
                // before) is left as it is, neither copied nor checked
                // again (text equal to a `String`'s is UTF-8).
                Some(x) if *conv == Conv::Text && matches!(slot, Cell::Text(t) if t.as_bytes() == x.as_ref()) => {
                    return;
                }
                Some(x) => bytes(x.as_ref(), conv, buffer(slot), max_record),
                None => missing(),
            },
            Values::Fixed(v) => match v.get(i) {
                Some(x) => bytes(x.as_ref(), conv, buffer(slot), max_record),
                None => missing(),
            },
        };
    }
}

/// The text buffer of the cell in `slot`, emptied, to be written again (a
/// row's cells are reused row after row, so a value written as text costs
/// no allocation once the reader is under way); a new one if the cell held
/// no text.
fn buffer(slot: &mut Cell) -> String {
    match std::mem::replace(slot, Cell::Empty) {
        Cell::Text(mut t) => {
            t.clear();
            t
        }
        _ => String::new(),
    }
}

/// An INT32 or INT64 value as a cell (`text` is written only for an
/// unsigned column or a date out of the four-digit years); `unsigned` is
/// its bits read as an unsigned number (what an unsigned column means, as
/// the Parquet spec says).
fn integer(x: i64, unsigned: u64, conv: &Conv, mut text: String) -> Cell {
    use std::fmt::Write as _;
    match *conv {
        Conv::UInt => {
            let _ = write!(text, "{unsigned}");
            Cell::Text(text)
        }
        Conv::Date => days(x, text),
        Conv::Timestamp { per_second, utc } => {
            let seconds = x.div_euclid(per_second.max(1));
            instant(seconds, utc, text)
        }
        Conv::Decimal { scale } => Cell::Text(decimal_text(i128::from(x), scale)),
        // A grade, a count or a number in any other column: the number
        // itself, which every parser reads as it reads its digits.
        _ => Cell::Int(x),
    }
}

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const CE_TO_EPOCH: i64 = 719_163;
/// Days from 0000-01-01 to 1970-01-01: the first day written four-digit.
const FIRST_4_DIGIT_DAY: i64 = -719_528;
/// 9999-12-31, in days from 1970-01-01: the last day written four-digit.
const LAST_4_DIGIT_DAY: i64 = 2_932_896;

/// The date `n` days after 1970-01-01: a date cell for the years 0 to 9999
/// (whose text is ISO `2017-03-01`), else its text as chrono's `%Y-%m-%d`
/// writes it, into `text`.
fn days(n: i64, mut text: String) -> Cell {
    let date = n
        .checked_add(CE_TO_EPOCH)
        .and_then(|d| i32::try_from(d).ok())
        .and_then(NaiveDate::from_num_days_from_ce_opt);
    let Some(d) = date else {
        return Cell::Bad(format!("{n} days from 1970-01-01 is not a date"));
    };
    if (FIRST_4_DIGIT_DAY..=LAST_4_DIGIT_DAY).contains(&n) {
        return Cell::Date(d);
    }
    use std::fmt::Write as _;
    let _ = write!(text, "{}", d.format("%Y-%m-%d"));
    Cell::Text(text)
}

/// The date of an instant `seconds` after 1970-01-01 00:00 (UTC if `utc`,
/// then read in China Standard Time; else local time as written).
fn instant(seconds: i64, utc: bool, text: String) -> Cell {
    let local = if utc { seconds.checked_add(CST) } else { Some(seconds) };
    match local {
        Some(s) => days(s.div_euclid(86_400), text),
        None => Cell::Bad(format!("{seconds} seconds from 1970-01-01 is not a date")),
    }
}

/// A legacy INT96 timestamp: nanoseconds of the day, then the Julian day.
fn int96(x: &Int96, text: String) -> Cell {
    let d = x.data();
    let (Some(lo), Some(hi), Some(day)) = (d.first(), d.get(1), d.get(2)) else {
        return Cell::Bad("an int96 value of the wrong size".into());
    };
    let nanos = (u64::from(*hi) << 32) | u64::from(*lo);
    let seconds_of_day = clamped::<_, i64>(nanos / 1_000_000_000);
    let day = i64::from(*day) - JULIAN_EPOCH;
    match day.checked_mul(86_400).and_then(|s| s.checked_add(seconds_of_day)) {
        Some(s) => instant(s, true, text),
        None => Cell::Bad(format!("julian day {} is not a date", d[2])),
    }
}

/// A byte array value: UTF-8 text (into `text`, emptied), or a decimal's
/// big-endian two's complement unscaled value.
fn bytes(b: &[u8], conv: &Conv, mut text: String, max_record: u64) -> Cell {
    if let Conv::Decimal { scale } = *conv {
        return match be_i128(b) {
            Some(v) => Cell::Text(decimal_text(v, scale)),
            None => Cell::Bad(format!(
                "a decimal of {} bytes is too wide (more than 38 digits)",
                b.len()
            )),
        };
    }
    if clamped::<_, u64>(b.len()) > max_record {
        return Cell::Bad(format!(
            "a value of {} bytes is longer than the limit of one record ({max_record} bytes)",
            b.len()
        ));
    }
    match std::str::from_utf8(b) {
        Ok(s) => {
            text.push_str(s);
            Cell::Text(text)
        }
        Err(e) => Cell::Bad(format!(
            "the value is not UTF-8 text (invalid byte at {}): store text as a UTF-8 STRING column",
            e.valid_up_to()
        )),
    }
}

/// A big-endian two's complement integer of any width, if it fits an i128.
fn be_i128(b: &[u8]) -> Option<i128> {
    let negative = b.first().is_some_and(|x| x & 0x80 != 0);
    let fill = if negative { 0xFF } else { 0x00 };
    let (head, tail) = b.split_at(b.len().saturating_sub(16));
    // Bytes beyond 16 must only extend the sign.
    if head.iter().any(|x| *x != fill) {
        return None;
    }
    let mut buf = [fill; 16];
    buf.get_mut(16 - tail.len()..)?.copy_from_slice(tail);
    let v = i128::from_be_bytes(buf);
    // A sign change between the dropped bytes and the kept ones is an overflow.
    if !head.is_empty() && (v < 0) != negative {
        return None;
    }
    Some(v)
}

/// `v × 10^-scale` as exact decimal text: `12345`, 2 → `123.45`.
pub(crate) fn decimal_text(v: i128, scale: u32) -> String {
    let digits = v.unsigned_abs().to_string();
    let sign = if v < 0 { "-" } else { "" };
    let scale = clamped::<_, usize>(scale);
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = if digits.len() <= scale {
        format!("{}{digits}", "0".repeat(scale + 1 - digits.len()))
    } else {
        digits
    };
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_text() {
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 2), "-0.05");
        assert_eq!(decimal_text(0, 2), "0.00");
        assert_eq!(decimal_text(500, 0), "500");
        assert!(decimal_text(i128::MAX, 38).starts_with("1.70141183460469231731687303715884105727"));
        assert_eq!(be_i128(&[0x30, 0x39]), Some(12345));
        assert_eq!(be_i128(&[0xFF, 0xFB]), Some(-5));
        assert_eq!(be_i128(&[]), Some(0));
        let mut wide = vec![0u8; 17];
        wide[16] = 7;
        assert_eq!(be_i128(&wide), Some(7));
        wide[0] = 1;
        assert_eq!(be_i128(&wide), None);
        // 17 bytes whose kept 16 flip the sign: too wide.
        let mut flip = vec![0u8; 17];
        flip[1] = 0x80;
        assert_eq!(be_i128(&flip), None);
    }

    /// The text of a cell (what the record parsers read of it).
    fn text(c: &Cell) -> Option<String> {
        c.text().ok().flatten()
    }

    #[test]
    fn dates_and_instants() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(days(17226, String::new()), Cell::Date(d("2017-03-01")));
        assert_eq!(days(-1, String::new()), Cell::Date(d("1969-12-31")));
        assert!(matches!(days(i64::MAX, String::new()), Cell::Bad(_)));
        // 2017-02-28T16:00Z is 2017-03-01 00:00 in Beijing.
        assert_eq!(instant(1_488_297_600, true, String::new()), Cell::Date(d("2017-03-01")));
        assert_eq!(
            instant(1_488_297_600, false, String::new()),
            Cell::Date(d("2017-02-28"))
        );
        assert!(matches!(instant(i64::MAX, true, String::new()), Cell::Bad(_)));
        // Beyond the four-digit years: text, as chrono writes it.
        assert_eq!(
            days(LAST_4_DIGIT_DAY + 1, String::new()),
            Cell::Text("+10000-01-01".into())
        );
    }

    /// A date cell's text at the edges of the four-digit years and around
    /// leap days is chrono's `%Y-%m-%d`.
    #[test]
    fn date_cells_read_as_chronos_text_at_the_edges() {
        let chrono_iso = |n: i64| {
            NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(n)))
                .map(|d| d.format("%Y-%m-%d").to_string())
        };
        let edges = [FIRST_4_DIGIT_DAY, LAST_4_DIGIT_DAY];
        for n in edges.iter().flat_map(|e| e - 800..e + 800).chain(-1_000..1_000) {
            assert_eq!(text(&days(n, String::new())), chrono_iso(n), "{n}");
        }
        for (n, iso) in [
            (11_016, "2000-02-29"),
            (-25_508, "1900-03-01"),
            (-719_468, "0000-03-01"),
            (-719_528, "0000-01-01"),
        ] {
            assert_eq!(text(&days(n, String::new())), Some(iso.into()));
        }
        assert!(matches!(days(-719_529, String::new()), Cell::Text(_)));
    }

    proptest::proptest! {
        /// A date cell's text is chrono's `%Y-%m-%d` for every day chrono
        /// knows (years -262 143 to 262 142), and a day beyond is a bad cell.
        #[test]
        fn iso_dates_are_chronos(n in -100_000_000i64..100_000_000) {
            let want = NaiveDate::from_ymd_opt(1970, 1, 1).and_then(|e| {
                let d = chrono::Days::new(n.unsigned_abs());
                if n >= 0 { e.checked_add_days(d) } else { e.checked_sub_days(d) }
            });
            match (days(n, String::new()), want) {
                (c @ (Cell::Text(_) | Cell::Date(_)), Some(d)) => {
                    proptest::prop_assert_eq!(text(&c), Some(d.format("%Y-%m-%d").to_string()));
                }
                (Cell::Bad(_), None) => {}
                (got, want) => proptest::prop_assert!(false, "{n}: {got:?} for {want:?}"),
            }
        }

        /// Integers read as their digits (an unsigned column's written into a
        /// reused buffer).
        #[test]
        fn integers_are_their_digits(x in proptest::num::i64::ANY) {
            let buf = String::from("left over");
            let mut slot = Cell::Text(buf);
            let got = integer(x, u64::from_ne_bytes(x.to_ne_bytes()), &Conv::Int, buffer(&mut slot));
            proptest::prop_assert_eq!(text(&got), Some(x.to_string()));
            let got = integer(x, u64::from_ne_bytes(x.to_ne_bytes()), &Conv::UInt, String::new());
            proptest::prop_assert_eq!(got, Cell::Text(u64::from_ne_bytes(x.to_ne_bytes()).to_string()));
        }
    }
}

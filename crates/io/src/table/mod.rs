//! Result tables: the sheets a command writes for a clerk (entitlements,
//! totals, findings, indicators) to `.xlsx`, `.csv` or `.json`, streamed
//! row by row when they are large, and read back (the entitlements file
//! `reconcile --entitlements` reads).
//!
//! Every file is written atomically ([`AtomicFile`]). A CSV text cell that
//! a spreadsheet would run as a formula is neutralised ([`csv_safe`]); an
//! xlsx text cell is always a string cell, never a formula. An xlsx sheet
//! longer than Excel's 1 048 576 rows continues on a further sheet
//! (`应助名单 (2)`), which [`TableWritten::sheets`] names.
//!
//! The values and sheets, the file names and widths are here; the
//! streaming writer in `writer`, the xlsx cells and whole-sheet writers in
//! `cells`.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use eduaid_model::convert::clamped;
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;

use crate::{AtomicFile, Error};

mod cells;
mod writer;

pub use cells::*;
pub use writer::*;

/// The most rows of an Excel worksheet, the header row included.
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// Neutralise a CSV text cell against formula injection (OWASP): a cell
/// beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is
/// prefixed with `'`, so that a spreadsheet shows it as text instead of
/// running it (`=HYPERLINK(…)` in a name). A plain number (`-12.50`,
/// `+3`, `-1.5%`) is left as it is: it is a value, not a formula.
///
/// ```
/// use eduaid_io::csv_safe;
/// assert_eq!(csv_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(csv_safe("@SUM(A1)"), "'@SUM(A1)");
/// assert_eq!(csv_safe("-12.50"), "-12.50");
/// assert_eq!(csv_safe("张三"), "张三");
/// ```
///
/// The escape is reversible: a text that already begins with quotes before
/// such a character (`'=x`) gains one more quote, and eduaid's CSV reader
/// takes exactly one away again ([`csv_unescape`]), so every text
/// round-trips.
#[must_use]
pub fn csv_safe(text: &str) -> Cow<'_, str> {
    let after_quotes = text.trim_start_matches('\'');
    let quoted = after_quotes.len() != text.len();
    match after_quotes.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if quoted || !is_plain_number(text) => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Undo [`csv_safe`] on a CSV cell as read: one leading `'` is removed
/// from a cell of quotes followed by `=`, `+`, `-`, `@`, a tab or a carriage
/// return; every other cell is returned as it is.
///
/// ```
/// use eduaid_io::{csv_safe, csv_unescape};
/// for s in ["=SUM(A1)", "'=x", "-12.50", "'-12.50", "-张", "'", "甲"] {
///     assert_eq!(csv_unescape(&csv_safe(s)), s);
/// }
/// ```
#[must_use]
pub fn csv_unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if matches!(
                rest.trim_start_matches('\'').chars().next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r')
            ) =>
        {
            rest
        }
        _ => cell,
    }
}

/// `[+-]digits[.digits][%]`: a number as the tool writes one.
fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let body = body.strip_suffix('%').unwrap_or(body);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// One cell of a result table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Val {
    /// Nothing.
    Empty,
    /// Text: neutralised in CSV ([`csv_safe`]), a string cell in xlsx.
    Text(String),
    /// A whole number.
    Int(i128),
    /// Money in yuan, exact; shown with two decimals (四舍五入). An xlsx
    /// number cell formatted `#,##0.00`.
    Money(Money),
    /// Money shown in 万元 (ten thousand yuan): the text is the exact amount
    /// in 万元 (a shift of the decimal point, never rounded); an xlsx number
    /// cell holding the exact amount, formatted `0.0000` (four places, as
    /// reports show 万元).
    Wan(Money),
    /// A percentage as shown, already rounded: `99.87` is 99.87 %. The text
    /// is `99.87%`; an xlsx number cell holding 0.9987, formatted as a
    /// percentage with as many places as the value has (`0.00%`).
    Percent(Decimal),
    /// A plain decimal number (an index, a factor, a margin in points), as
    /// shown; an xlsx number cell with as many places as the value has.
    Number(Decimal),
}

impl Val {
    /// The text shown for the cell (money with two decimals).
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Text(s) => s.clone(),
            Val::Int(n) => n.to_string(),
            Val::Money(m) => m.format_yuan(Rounding::HalfUp),
            Val::Wan(m) => m.wan_yuan().normalize().to_string(),
            Val::Percent(p) => format!("{p}%"),
            Val::Number(n) => n.to_string(),
        }
    }

    /// The text of the cell in a CSV file: [`Val::text`], with text
    /// neutralised by [`csv_safe`]; numbers and money as they are.
    #[must_use]
    pub fn csv_text(&self) -> String {
        match self {
            Val::Text(s) => csv_safe(s).into_owned(),
            other => other.text(),
        }
    }

    /// The cell as JSON: money as an exact decimal string, a whole number
    /// as a number (as a string beyond `i64`), nothing as `null`.
    #[must_use]
    pub fn json(&self) -> serde_json::Value {
        match self {
            Val::Empty => serde_json::Value::Null,
            Val::Text(s) => serde_json::Value::String(s.clone()),
            Val::Int(n) => i64::try_from(*n).map_or_else(|_| serde_json::Value::String(n.to_string()), Into::into),
            Val::Money(m) => serde_json::Value::String(m.as_decimal().normalize().to_string()),
            other => serde_json::Value::String(other.text()),
        }
    }

    /// A percentage cell from the text a rate is shown in (`99.87%`,
    /// `+1.5%`): [`Val::Percent`] if the text is a plain percentage, else the
    /// text itself (`不可计算：…`, `≥ 95%`).
    #[must_use]
    pub fn percent_or_text(text: &str) -> Val {
        text.strip_suffix('%')
            .filter(|n| is_plain_number(n))
            .and_then(|n| n.strip_prefix('+').unwrap_or(n).parse::<Decimal>().ok())
            .map_or_else(|| Val::Text(text.to_string()), Val::Percent)
    }

    /// A number cell from the text a number is shown in (`1.0234`,
    /// `-0.5`): [`Val::Number`] if the text is a plain number, else the
    /// text itself.
    #[must_use]
    pub fn number_or_text(text: &str) -> Val {
        Some(text)
            .filter(|n| is_plain_number(n) && !n.ends_with('%'))
            .and_then(|n| n.strip_prefix('+').unwrap_or(n).parse::<Decimal>().ok())
            .map_or_else(|| Val::Text(text.to_string()), Val::Number)
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}

impl From<u64> for Val {
    fn from(n: u64) -> Val {
        Val::Int(i128::from(n))
    }
}

impl From<i128> for Val {
    fn from(n: i128) -> Val {
        Val::Int(n)
    }
}

impl From<Money> for Val {
    fn from(m: Money) -> Val {
        Val::Money(m)
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Empty, Into::into)
    }
}

/// A table with a name (its worksheet's, or its file's suffix in CSV).
///
/// In a workbook it may have a title above the header and totals rows
/// below the data ([`Sheet::title`], [`Sheet::totals`]); CSV and JSON files
/// hold the header and the data rows alone, so that they read back as data.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// Worksheet name.
    pub name: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows, each as wide as the header.
    pub rows: Vec<Vec<Val>>,
    /// A title written above the header of an xlsx sheet (one merged,
    /// bold row: `2017年春季学期学生资助应助名单`).
    pub title: Option<String>,
    /// Totals rows written, bold, below the data of an xlsx sheet (values,
    /// never formulas: `合计` …).
    pub totals: Vec<Vec<Val>>,
}

impl Sheet {
    /// An empty sheet.
    #[must_use]
    pub fn new(name: &str, header: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
            title: None,
            totals: Vec::new(),
        }
    }

    /// The sheet with a title above its header (xlsx only).
    #[must_use]
    pub fn with_title(mut self, title: &str) -> Sheet {
        self.title = Some(title.to_string());
        self
    }

    /// Add a totals row below the data (xlsx only).
    pub fn push_total(&mut self, row: Vec<Val>) {
        self.totals.push(row);
    }

    /// Add a row.
    pub fn push(&mut self, row: Vec<Val>) {
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by header.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.rows.iter().map(|r| row_json(&self.header, r)).collect())
    }
}

fn row_json(header: &[String], row: &[Val]) -> serde_json::Value {
    let obj: serde_json::Map<String, serde_json::Value> =
        header.iter().cloned().zip(row.iter().map(Val::json)).collect();
    serde_json::Value::Object(obj)
}

/// The kinds of file a result table is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutKind {
    /// Excel workbook, one worksheet per sheet.
    Xlsx,
    /// CSV (UTF-8 with a BOM, for Excel); sheets after the first go to
    /// `<stem>-<sheet>.csv` beside it.
    Csv,
    /// JSON: an object of sheets, each an array of row objects.
    Json,
}

impl OutKind {
    /// The kind a file name's extension names (case-insensitive).
    ///
    /// # Errors
    /// [`Error::UnknownFormat`] for an extension other than `.xlsx`, `.csv`
    /// or `.json`.
    pub fn of(path: &Path) -> Result<OutKind, Error> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" => Ok(OutKind::Xlsx),
            "csv" => Ok(OutKind::Csv),
            "json" => Ok(OutKind::Json),
            _ => Err(Error::UnknownFormat {
                file: path.display().to_string(),
            }),
        }
    }
}

/// The files [`write_sheets`] (or a [`TableWriter`]) writes for sheets
/// named `names` at `path`: `path` itself, and in CSV one sibling
/// `<stem>-<name>.csv` for each sheet after the first.
///
/// ```
/// use std::path::{Path, PathBuf};
/// let files = eduaid_io::table_files(Path::new("d/x.csv"), &["entitlements", "totals"])?;
/// assert_eq!(files, [PathBuf::from("d/x.csv"), PathBuf::from("d/x-totals.csv")]);
/// # Ok::<(), eduaid_io::Error>(())
/// ```
///
/// # Errors
/// [`Error::UnknownFormat`] as [`OutKind::of`].
pub fn table_files(path: &Path, names: &[&str]) -> Result<Vec<PathBuf>, Error> {
    Ok(match OutKind::of(path)? {
        OutKind::Csv => {
            let mut v = vec![path.to_path_buf()];
            v.extend(names.iter().skip(1).map(|n| sibling(path, n)));
            v
        }
        _ => vec![path.to_path_buf()],
    })
}

/// `<stem>-<name>.csv` beside `path`.
fn sibling(path: &Path, name: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|x| x.to_str()).unwrap_or("out");
    let clean: String = name.chars().filter(|c| !matches!(c, '/' | '\\' | ':')).collect();
    path.with_file_name(format!("{stem}-{clean}.csv"))
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

/// The name of the `n`th sheet (from 2) a long sheet continues on:
/// `应助名单 (2)`, cut to fit Excel's 31 characters.
fn continued(name: &str, n: u32) -> String {
    let suffix = format!(" ({n})");
    let keep = 31usize.saturating_sub(suffix.chars().count());
    let base: String = sheet_name(name).chars().take(keep).collect();
    format!("{base}{suffix}")
}

/// Display width: wide (CJK, full-width) characters count two columns.
#[must_use]
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = u32::from(c);
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

/// What a [`TableWriter`] or [`write_sheets`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableWritten {
    /// The files, the one named first.
    pub files: Vec<PathBuf>,
    /// The xlsx sheets a long sheet continued on (`应助名单 (2)` …), in
    /// order; empty when every sheet fitted.
    pub continued: Vec<String>,
    /// The rows streamed into the first sheet.
    pub rows: u64,
}

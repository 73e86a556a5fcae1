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

use std::borrow::Cow;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use eduaid_model::convert::clamped;
use eduaid_model::{Money, Rounding};
use rust_decimal::Decimal;

use crate::{AtomicFile, Error};

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

/// A CSV writer into an atomic file, with its BOM written.
type CsvOut = csv::Writer<AtomicFile>;

enum Inner {
    Csv(Box<CsvOut>),
    Json { file: AtomicFile, rows: u64 },
    Xlsx(Box<XlsxState>),
}

struct XlsxState {
    file: AtomicFile,
    wb: rust_xlsxwriter::Workbook,
    /// Index of the worksheet being filled.
    sheet: usize,
    /// The next row in it.
    row: u32,
    /// How many data rows a sheet takes before the next one.
    max_rows: u32,
    /// Column widths seen, in display columns.
    widths: Vec<usize>,
    formats: Formats,
    /// The title above each worksheet's header, if any.
    title: Option<String>,
    /// The first data row of a worksheet (after the title and header).
    first: u32,
}

/// The cell formats of a workbook: each kind of number with its number
/// format, plain and bold (for totals rows).
struct Formats {
    bold: rust_xlsxwriter::Format,
    title: rust_xlsxwriter::Format,
    plain: NumberFormats,
    strong: NumberFormats,
}

/// Number formats: yuan, 万元, and percentages and decimals by places.
struct NumberFormats {
    text: rust_xlsxwriter::Format,
    int: rust_xlsxwriter::Format,
    money: rust_xlsxwriter::Format,
    wan: rust_xlsxwriter::Format,
    /// `0%`, `0.0%` … `0.000000%`.
    percent: Vec<rust_xlsxwriter::Format>,
    /// `0`, `0.0` … `0.000000`.
    decimal: Vec<rust_xlsxwriter::Format>,
}

/// The most decimal places a percentage or decimal is formatted with.
const MAX_PLACES: usize = 6;

impl NumberFormats {
    fn new(bold: bool) -> NumberFormats {
        let base = || {
            let f = rust_xlsxwriter::Format::new();
            if bold { f.set_bold() } else { f }
        };
        let places = |n: usize| {
            if n == 0 {
                String::new()
            } else {
                format!(".{}", "0".repeat(n))
            }
        };
        NumberFormats {
            text: base(),
            int: base(),
            money: base().set_num_format("#,##0.00"),
            wan: base().set_num_format("0.0000"),
            percent: (0..=MAX_PLACES)
                .map(|n| base().set_num_format(format!("0{}%", places(n))))
                .collect(),
            decimal: (0..=MAX_PLACES)
                .map(|n| base().set_num_format(format!("0{}", places(n))))
                .collect(),
        }
    }

    fn percent(&self, places: u32) -> &rust_xlsxwriter::Format {
        let i = clamped::<_, usize>(places).min(MAX_PLACES);
        &self.percent[i]
    }

    fn decimal(&self, places: u32) -> &rust_xlsxwriter::Format {
        let i = clamped::<_, usize>(places).min(MAX_PLACES);
        &self.decimal[i]
    }
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: rust_xlsxwriter::Format::new().set_bold(),
            title: rust_xlsxwriter::Format::new()
                .set_bold()
                .set_font_size(14)
                .set_align(rust_xlsxwriter::FormatAlign::Center)
                .set_align(rust_xlsxwriter::FormatAlign::VerticalCenter),
            plain: NumberFormats::new(false),
            strong: NumberFormats::new(true),
        }
    }
}

/// Writes a result table row by row, so that a table of millions of rows
/// never sits in memory: CSV and JSON rows go straight to the file, xlsx
/// rows to a constant-memory worksheet. Later, smaller sheets (totals) are
/// added by [`finish`](TableWriter::finish). Nothing replaces the file at
/// the path until `finish` succeeds; dropping the writer leaves it as it
/// was.
///
/// ```
/// use eduaid_io::{TableWriter, Sheet, Val};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("out.csv");
/// let mut w = TableWriter::create(&path, "rows", &["id", "name"])?;
/// w.push(&[Val::from("1"), Val::from("=cmd()")])?;
/// let mut totals = Sheet::new("totals", &["n"]);
/// totals.push(vec![Val::from(1u64)]);
/// let written = w.finish(&[totals])?;
/// assert_eq!(written.files.len(), 2); // out.csv and out-totals.csv
/// let text = std::fs::read_to_string(&path)?;
/// assert!(text.contains("1,'=cmd()"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct TableWriter {
    path: PathBuf,
    name: String,
    header: Vec<String>,
    rows: u64,
    continued: Vec<String>,
    /// Totals rows for the bottom of the first sheet (xlsx only).
    totals: Vec<Vec<Val>>,
    inner: Inner,
}

impl std::fmt::Debug for TableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriter")
            .field("path", &self.path)
            .field("sheet", &self.name)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

fn xlsx_err(file: &Path, e: &rust_xlsxwriter::XlsxError) -> Error {
    Error::Xlsx {
        file: file.display().to_string(),
        reason: e.to_string(),
    }
}

fn csv_err(file: &Path, e: csv::Error) -> Error {
    let file = file.display().to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(&file, io),
        other => Error::io(&file, std::io::Error::other(format!("{other:?}"))),
    }
}

fn col(c: usize) -> u16 {
    clamped::<_, u16>(c)
}

impl TableWriter {
    /// Start writing `path` (its extension names the format) with a first
    /// sheet named `name` with columns `header`. The temporary file is
    /// created here, so an unwritable folder is an error before any row.
    ///
    /// # Errors
    /// [`Error::UnknownFormat`], or [`Error::Io`] / [`Error::Xlsx`] if the
    /// file cannot be started.
    pub fn create(path: &Path, name: &str, header: &[&str]) -> Result<TableWriter, Error> {
        TableWriter::create_with_title(path, name, header, None)
    }

    /// As [`create`](TableWriter::create), with a `title` above the header
    /// of each xlsx worksheet (a CSV or JSON file has no title: its first
    /// line is the header).
    ///
    /// # Errors
    /// As [`create`](TableWriter::create).
    pub fn create_with_title(
        path: &Path,
        name: &str,
        header: &[&str],
        title: Option<&str>,
    ) -> Result<TableWriter, Error> {
        let kind = OutKind::of(path)?;
        let header: Vec<String> = header.iter().map(|h| (*h).to_string()).collect();
        let mut file = AtomicFile::create(path)?;
        let io = |e| Error::io(&path.display().to_string(), e);
        let inner = match kind {
            OutKind::Csv => {
                file.write_all(&[0xEF, 0xBB, 0xBF]).map_err(io)?;
                let mut w = csv::WriterBuilder::new().from_writer(file);
                w.write_record(header.iter().map(|h| csv_safe(h).into_owned()))
                    .map_err(|e| csv_err(path, e))?;
                Inner::Csv(Box::new(w))
            }
            OutKind::Json => {
                let key = serde_json::to_string(name).map_err(|e| io(e.into()))?;
                write!(file, "{{\n  {key}: [").map_err(io)?;
                Inner::Json { file, rows: 0 }
            }
            OutKind::Xlsx => {
                let mut wb = rust_xlsxwriter::Workbook::new();
                // The sheet's rows stream to a temporary file beside the
                // output (same disk, same permissions), not to /tmp.
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                wb.set_tempdir(&dir).map_err(|e| xlsx_err(path, &e))?;
                let mut st = XlsxState {
                    file,
                    wb,
                    sheet: 0,
                    row: 0,
                    max_rows: XLSX_MAX_ROWS - 1,
                    widths: header.iter().map(|h| display_width(h)).collect(),
                    formats: Formats::new(),
                    title: title.map(str::to_string),
                    first: 1,
                };
                st.add_sheet(&sheet_name(name), &header)
                    .map_err(|e| xlsx_err(path, &e))?;
                Inner::Xlsx(Box::new(st))
            }
        };
        Ok(TableWriter {
            path: path.to_path_buf(),
            name: name.to_string(),
            header,
            rows: 0,
            continued: Vec::new(),
            totals: Vec::new(),
            inner,
        })
    }

    /// Add a totals row, written in bold below the last row of an xlsx
    /// sheet when the writer finishes: a value, never a formula. CSV and
    /// JSON files hold data rows alone and do not get it.
    pub fn push_total(&mut self, row: Vec<Val>) {
        self.totals.push(row);
    }

    /// Continue an xlsx sheet on a new worksheet after `rows` data rows
    /// instead of Excel's 1 048 575 (for tests, or for shorter sheets).
    /// No effect on CSV or JSON.
    #[must_use]
    pub fn with_sheet_rows(mut self, rows: u32) -> TableWriter {
        if let Inner::Xlsx(st) = &mut self.inner {
            st.max_rows = rows.clamp(1, XLSX_MAX_ROWS - 1);
        }
        self
    }

    /// The rows written so far.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Write one row of the first sheet.
    ///
    /// # Errors
    /// A failure to write; the file at the path is then left as it was.
    pub fn push(&mut self, row: &[Val]) -> Result<(), Error> {
        let path = &self.path;
        match &mut self.inner {
            Inner::Csv(w) => w
                .write_record(row.iter().map(Val::csv_text))
                .map_err(|e| csv_err(path, e))?,
            Inner::Json { file, rows } => {
                let text = serde_json::to_string(&row_json(&self.header, row))
                    .map_err(|e| Error::io(&path.display().to_string(), e.into()))?;
                let sep = if *rows == 0 { "\n    " } else { ",\n    " };
                write!(file, "{sep}{text}").map_err(|e| Error::io(&path.display().to_string(), e))?;
                *rows += 1;
            }
            Inner::Xlsx(st) => {
                if st.row - st.first >= st.max_rows || st.row >= XLSX_MAX_ROWS {
                    let n = clamped::<_, u32>(st.sheet + 2);
                    let name = continued(&self.name, n);
                    st.add_sheet(&name, &self.header).map_err(|e| xlsx_err(path, &e))?;
                    self.continued.push(name);
                }
                st.write_row(row).map_err(|e| xlsx_err(path, &e))?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Add the further `sheets` (totals …) and replace the file(s) at the
    /// path: in CSV each further sheet goes to `<stem>-<name>.csv`, all
    /// files being committed only once every one is complete.
    ///
    /// # Errors
    /// A failure to write; the files at the paths are then left as they
    /// were (unless the failure is in a rename, after earlier files were
    /// already replaced).
    pub fn finish(mut self, sheets: &[Sheet]) -> Result<TableWritten, Error> {
        let path = self.path;
        let io = |e| Error::io(&path.display().to_string(), e);
        let mut files = vec![path.clone()];
        match self.inner {
            Inner::Csv(w) => {
                let main = w.into_inner().map_err(|e| io(e.into_error()))?;
                let mut others = Vec::new();
                for s in sheets {
                    let p = sibling(&path, &s.name);
                    others.push(csv_file(&p, s)?);
                    files.push(p);
                }
                main.commit()?;
                for f in others {
                    f.commit()?;
                }
            }
            Inner::Json { mut file, .. } => {
                file.write_all(b"\n  ]").map_err(io)?;
                for s in sheets {
                    let key = serde_json::to_string(&s.name).map_err(|e| io(e.into()))?;
                    write!(file, ",\n  {key}: [").map_err(io)?;
                    for (i, r) in s.rows.iter().enumerate() {
                        let text = serde_json::to_string(&row_json(&s.header, r)).map_err(|e| io(e.into()))?;
                        let sep = if i == 0 { "\n    " } else { ",\n    " };
                        write!(file, "{sep}{text}").map_err(io)?;
                    }
                    file.write_all(b"\n  ]").map_err(io)?;
                }
                file.write_all(b"\n}\n").map_err(io)?;
                file.commit()?;
            }
            Inner::Xlsx(mut st) => {
                let x = |e: rust_xlsxwriter::XlsxError| xlsx_err(&path, &e);
                let room = clamped::<_, u32>(self.totals.len());
                if !self.totals.is_empty() && st.row.saturating_add(room) > XLSX_MAX_ROWS {
                    let n = clamped::<_, u32>(st.sheet + 2);
                    let name = continued(&self.name, n);
                    st.add_sheet(&name, &self.header).map_err(x)?;
                    self.continued.push(name);
                }
                for t in &self.totals {
                    st.write_total(t).map_err(x)?;
                }
                st.finish_sheet().map_err(x)?;
                for s in sheets {
                    xlsx_sheet(&mut st.wb, s, &st.formats).map_err(x)?;
                }
                let XlsxState { mut file, mut wb, .. } = *st;
                wb.save_to_writer(&mut file).map_err(x)?;
                file.commit()?;
            }
        }
        Ok(TableWritten {
            files,
            continued: self.continued,
            rows: self.rows,
        })
    }
}

impl XlsxState {
    /// Start a constant-memory worksheet with its header row.
    fn add_sheet(&mut self, name: &str, header: &[String]) -> Result<(), rust_xlsxwriter::XlsxError> {
        if !self.wb.worksheets().is_empty() {
            self.finish_sheet()?;
        }
        let ws = self.wb.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        let first = write_head(ws, self.title.as_deref(), header, &self.formats)?;
        self.sheet = self.wb.worksheets().len().saturating_sub(1);
        self.row = first;
        self.first = first;
        Ok(())
    }

    /// Write a totals row (bold) at the next row.
    fn write_total(&mut self, row: &[Val]) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, v) in row.iter().enumerate() {
            if let Some(w) = self.widths.get_mut(c) {
                *w = (*w).max(val_width(v));
            }
        }
        let ws = self.wb.worksheet_from_index(self.sheet)?;
        write_cells(ws, self.row, row, &self.formats.strong)?;
        self.row += 1;
        Ok(())
    }

    /// Set the column widths of the sheet being filled.
    fn finish_sheet(&mut self) -> Result<(), rust_xlsxwriter::XlsxError> {
        let ws = self.wb.worksheet_from_index(self.sheet)?;
        set_widths(ws, &self.widths)
    }

    fn write_row(&mut self, row: &[Val]) -> Result<(), rust_xlsxwriter::XlsxError> {
        for (c, v) in row.iter().enumerate() {
            if let Some(w) = self.widths.get_mut(c) {
                *w = (*w).max(val_width(v));
            }
        }
        let ws = self.wb.worksheet_from_index(self.sheet)?;
        write_cells(ws, self.row, row, &self.formats.plain)?;
        self.row += 1;
        Ok(())
    }
}

/// Write the title (if any: one bold row merged across the columns) and
/// the header row (bold) of a worksheet, and freeze them so they stay in
/// view; returns the first data row.
fn write_head(
    ws: &mut rust_xlsxwriter::Worksheet,
    title: Option<&str>,
    header: &[String],
    formats: &Formats,
) -> Result<u32, rust_xlsxwriter::XlsxError> {
    let mut row = 0;
    if let Some(t) = title {
        let last = col(header.len().saturating_sub(1));
        if last > 0 {
            ws.merge_range(0, 0, 0, last, t, &formats.title)?;
        } else {
            ws.write_string_with_format(0, 0, t, &formats.title)?;
        }
        ws.set_row_height(0, 24)?;
        row = 1;
    }
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(row, col(c), h, &formats.bold)?;
    }
    ws.set_freeze_panes(row + 1, 0)?;
    Ok(row + 1)
}

/// The display width of a cell, without building its text for long text.
fn val_width(v: &Val) -> usize {
    match v {
        Val::Text(t) if t.len() > 120 => 60,
        Val::Text(t) => display_width(t),
        Val::Empty => 0,
        // The thousands separators `#,##0.00` adds.
        Val::Money(m) => {
            let t = m.format_yuan(Rounding::HalfUp);
            t.len() + t.len().saturating_sub(4) / 3
        }
        other => other.text().len(),
    }
}

fn set_widths(ws: &mut rust_xlsxwriter::Worksheet, widths: &[usize]) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (c, w) in widths.iter().enumerate() {
        let chars = clamped::<_, u32>((*w).clamp(6, 60));
        ws.set_column_width(col(c), chars + 2)?;
    }
    Ok(())
}

/// The nearest double to an exact decimal, for an xlsx number cell: the
/// one place eduaid turns exact money into a float. The cell's number
/// format shows the exact fen (`#,##0.00`) or the 万元 to four places, and
/// a double holds every amount of up to 15 significant digits so that it
/// reads back as the same decimal; a longer one is written as text.
fn cell_number(d: Decimal) -> Option<f64> {
    let exact = d.normalize().to_string();
    let digits = exact.bytes().filter(u8::is_ascii_digit).count();
    if digits > 15 {
        return None;
    }
    exact.parse::<f64>().ok()
}

/// Write one row's cells: text as string cells (never a formula), whole
/// numbers, money, 万元, percentages and decimals as number cells with
/// their number formats where a double holds them exactly, as text
/// otherwise.
fn write_cells(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[Val],
    formats: &NumberFormats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (c, v) in row.iter().enumerate() {
        let c = col(c);
        let number = match v {
            Val::Empty => continue,
            Val::Text(t) => {
                ws.write_string_with_format(r, c, t, &formats.text)?;
                continue;
            }
            Val::Int(n) if n.unsigned_abs() < (1u128 << 53) => {
                cell_number(Decimal::from_i128_with_scale(*n, 0)).map(|x| (x, &formats.int))
            }
            Val::Int(_) => None,
            Val::Money(m) => cell_number(m.as_decimal()).map(|x| (x, &formats.money)),
            Val::Wan(m) => cell_number(m.wan_yuan()).map(|x| (x, &formats.wan)),
            Val::Percent(p) => {
                // Excel holds a percentage as its fraction: 99.87 % is
                // 0.9987, an exact shift of the point.
                let fraction = p.checked_div(Decimal::ONE_HUNDRED);
                fraction.and_then(cell_number).map(|x| (x, formats.percent(p.scale())))
            }
            Val::Number(n) => cell_number(*n).map(|x| (x, formats.decimal(n.scale()))),
        };
        match number {
            Some((x, f)) => {
                ws.write_number_with_format(r, c, x, f)?;
            }
            None => {
                ws.write_string_with_format(r, c, v.text(), &formats.text)?;
            }
        }
    }
    Ok(())
}

/// A whole (small) sheet into a workbook, as an ordinary worksheet: its
/// title, header, rows and totals rows.
fn xlsx_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    s: &Sheet,
    formats: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(&s.name))?;
    let mut widths: Vec<usize> = s.header.iter().map(|h| display_width(h)).collect();
    let first = write_head(ws, s.title.as_deref(), &s.header, formats)?;
    let max = (XLSX_MAX_ROWS - first) as usize;
    if s.rows.len() + s.totals.len() > max {
        return Err(rust_xlsxwriter::XlsxError::RowColumnLimitError);
    }
    let rows = s.rows.iter().map(|r| (r, &formats.plain));
    let totals = s.totals.iter().map(|r| (r, &formats.strong));
    for (i, (row, f)) in rows.chain(totals).enumerate() {
        for (c, v) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(val_width(v));
            }
        }
        let r = first.saturating_add(clamped::<_, u32>(i));
        write_cells(ws, r, row, f)?;
    }
    set_widths(ws, &widths)?;
    Ok(())
}

/// One sheet as a CSV file (BOM, header, rows), not yet committed.
fn csv_file(path: &Path, sheet: &Sheet) -> Result<AtomicFile, Error> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(&[0xEF, 0xBB, 0xBF])
        .map_err(|e| Error::io(&path.display().to_string(), e))?;
    let mut w = csv::WriterBuilder::new().from_writer(file);
    w.write_record(sheet.header.iter().map(|h| csv_safe(h).into_owned()))
        .map_err(|e| csv_err(path, e))?;
    for r in &sheet.rows {
        w.write_record(r.iter().map(Val::csv_text))
            .map_err(|e| csv_err(path, e))?;
    }
    w.into_inner()
        .map_err(|e| Error::io(&path.display().to_string(), e.into_error()))
}

/// Write `sheets` to `path` in the format its extension names, atomically:
/// one workbook with a worksheet per sheet, one JSON object of sheets, or
/// one CSV file per sheet (`<stem>-<name>.csv` after the first; see
/// [`table_files`]).
///
/// # Errors
/// [`Error::UnknownFormat`], or a failure to write (the files at the paths
/// are then left as they were).
pub fn write_sheets(path: &Path, sheets: &[Sheet]) -> Result<TableWritten, Error> {
    let Some((first, rest)) = sheets.split_first() else {
        return Err(Error::Write {
            what: "table",
            key: path.display().to_string(),
            reason: "no sheet to write".into(),
        });
    };
    let header: Vec<&str> = first.header.iter().map(String::as_str).collect();
    let mut w = TableWriter::create_with_title(path, &first.name, &header, first.title.as_deref())?;
    for r in &first.rows {
        w.push(r)?;
    }
    for t in &first.totals {
        w.push_total(t.clone());
    }
    w.finish(rest)
}

/// Write one sheet as a CSV file (UTF-8 with a BOM), atomically, text cells
/// neutralised ([`csv_safe`]).
///
/// # Errors
/// A failure to write; the file is then left as it was.
pub fn write_csv(path: &Path, sheet: &Sheet) -> Result<(), Error> {
    csv_file(path, sheet)?.commit()
}

/// Write sheets as one Excel workbook, atomically; text cells are string
/// cells, never formulas.
///
/// # Errors
/// A failure to write; the file is then left as it was.
pub fn write_xlsx(path: &Path, sheets: &[Sheet]) -> Result<(), Error> {
    let x = |e: rust_xlsxwriter::XlsxError| xlsx_err(path, &e);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let formats = Formats::new();
    for s in sheets {
        xlsx_sheet(&mut wb, s, &formats).map_err(x)?;
    }
    crate::write_atomically(path, |f| wb.save_to_writer(f).map_err(x))
}

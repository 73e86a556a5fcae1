//! Reading a result table back: a sheet this program wrote (or a clerk
//! re-saved) as rows of typed cells with their line, for the files that are
//! not one of the record kinds (the entitlements file).

use std::io::Cursor;
use std::path::Path;

use chrono::NaiveDate;
use eduaid_model::convert::clamped;

use crate::{Error, OutKind};

/// The largest result table read back: 512 MiB.
pub const MAX_TABLE_BYTES: u64 = 512 << 20;
/// The widest result table read back.
const MAX_COLUMNS: usize = 1024;

/// One cell of a table read back, as its file typed it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TableCell {
    /// Nothing there (or only white space).
    Empty,
    /// Text, trimmed: every CSV cell, an xlsx string cell, a JSON string.
    Text(String),
    /// An xlsx number cell without a date format, or a JSON number.
    Number(f64),
    /// An xlsx cell with a date format (a date a spreadsheet re-saved).
    Date(NaiveDate),
    /// An xlsx or JSON boolean.
    Bool(bool),
    /// A value that cannot be a cell: an Excel error (`#N/A`), a duration,
    /// a date cell out of range, a JSON object or array; with the reason.
    Bad(String),
}

impl TableCell {
    /// True if the cell holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        matches!(self, TableCell::Empty)
    }

    fn text(s: &str) -> TableCell {
        let t = s.trim();
        if t.is_empty() {
            TableCell::Empty
        } else {
            TableCell::Text(t.to_string())
        }
    }
}

/// One row of a table read back.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// The line: the row number Excel shows, the CSV line (a record over
    /// several lines by its first), or the 1-based element of a JSON array.
    pub line: u64,
    /// The cells, as many as the file gives (fewer than the header when the
    /// last are empty).
    pub cells: Vec<TableCell>,
}

/// A table read back from a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadTable {
    /// The file, as reports name it.
    pub file: String,
    /// The header cells (the first line, or the first row of the sheet of
    /// two or more cells: a title row above it is skipped).
    pub header: Vec<String>,
    /// The header's line.
    pub header_line: u64,
    /// The rows after the header that are not blank.
    pub rows: Vec<TableRow>,
}

/// Read a result table: a CSV (UTF-8, with or without BOM, or GB18030 as
/// Chinese Excel re-saves it), a JSON file (an array of row objects, or an
/// object of sheets, the sheet named one of `names` or the first), or an
/// xlsx workbook (the worksheet named one of `names`, or the first).
///
/// Bytes are never replaced: a CSV whose bytes are neither valid UTF-8 nor
/// valid GB18030 is refused at the line and column of the first bad byte.
/// An xlsx date cell is read as a date ([`TableCell::Date`]).
///
/// # Errors
/// [`Error::UnknownFormat`] for an extension other than `.csv`, `.json`
/// or `.xlsx`; [`Error::Io`]; [`Error::TooLarge`] over
/// [`MAX_TABLE_BYTES`]; [`Error::Malformed`] for bad bytes, broken CSV or
/// JSON, or a file that is not a workbook.
pub fn read_table(path: &Path, names: &[&str]) -> Result<ReadTable, Error> {
    let file = path.display().to_string();
    OutKind::of(path)?;
    let bytes = read_limited(path, &file)?;
    read_table_bytes(&file, bytes, names)
}

/// [`read_table`] on a file's bytes already in memory (an upload), the
/// format told by the extension of `file`, the name errors give.
///
/// # Errors
/// As [`read_table`].
pub fn read_table_bytes(file: &str, bytes: Vec<u8>, names: &[&str]) -> Result<ReadTable, Error> {
    let kind = OutKind::of(Path::new(file))?;
    let size = clamped::<_, u64>(bytes.len());
    if size > MAX_TABLE_BYTES {
        return Err(Error::TooLarge {
            file: file.to_string(),
            bytes: size,
            max: MAX_TABLE_BYTES,
        });
    }
    let file = file.to_string();
    let mut t = match kind {
        OutKind::Csv => csv_table(&bytes, &file)?,
        OutKind::Json => json_table(&bytes, names, &file)?,
        _ => xlsx_table(bytes, names, &file)?,
    };
    t.file = file;
    Ok(t)
}

/// At most one byte past [`MAX_TABLE_BYTES`] of the file: enough for
/// [`read_table_bytes`] to refuse it as too large.
fn read_limited(path: &Path, file: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;
    let mut v = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TABLE_BYTES + 1).read_to_end(&mut v))
        .map_err(|e| Error::io(file, e))?;
    Ok(v)
}

fn malformed(file: &str, line: u64, reason: String) -> Error {
    Error::Malformed {
        file: file.to_string(),
        line,
        reason,
    }
}

/// Line and column (in characters, 1-based) just after `text`.
fn position(text: &str) -> (u64, u64) {
    let line = text.matches('\n').count() + 1;
    let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (clamped::<_, u64>(line), clamped::<_, u64>(col))
}

/// Decode a CSV strictly: UTF-8 (a BOM says so), else GB18030 without any
/// replacement.
fn decode_strict(bytes: &[u8], file: &str) -> Result<String, Error> {
    let bad = |text: &str, what: &str| {
        let (line, col) = position(text);
        malformed(
            file,
            line,
            format!("column {col}: invalid {what} bytes: save the file as UTF-8 or GBK text"),
        )
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(t) => Ok(t.to_string()),
            Err(e) => Err(bad(&String::from_utf8_lossy(&rest[..e.valid_up_to()]), "UTF-8")),
        };
    }
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    let (result, _read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match std::str::from_utf8(bytes) {
        // GBK text can also be valid UTF-8 (`谢宸玥` reads as `л巫h`):
        // the decoding whose non-ASCII text is more Chinese wins, UTF-8 on
        // a tie.
        Ok(t) => {
            let gbk_ok = matches!(result, encoding_rs::DecoderResult::InputEmpty);
            if gbk_ok && chinese_share(&out) > chinese_share(t) {
                Ok(out)
            } else {
                Ok(t.to_string())
            }
        }
        Err(utf8) => {
            match result {
                encoding_rs::DecoderResult::InputEmpty => Ok(out),
                encoding_rs::DecoderResult::Malformed(..) => {
                    // Neither encoding reads it: name the first place UTF-8
                    // fails when the text before it is not ASCII (a UTF-8
                    // file with a bad byte), else where GB18030 fails.
                    let prefix = &bytes[..utf8.valid_up_to()];
                    if prefix.is_ascii() {
                        Err(bad(&out, "GBK"))
                    } else {
                        Err(bad(&String::from_utf8_lossy(prefix), "UTF-8"))
                    }
                }
                encoding_rs::DecoderResult::OutputFull => Err(bad(&out, "GBK")),
            }
        }
    }
}

/// The share, in thousandths, of the non-ASCII characters of `text` that
/// are Chinese: CJK ideographs, CJK punctuation, full-width forms.
fn chinese_share(text: &str) -> u64 {
    let (mut cjk, mut other) = (0u64, 0u64);
    for c in text.chars().filter(|c| !c.is_ascii()) {
        let u = u32::from(c);
        if (0x4E00..=0x9FFF).contains(&u) || (0x3000..=0x303F).contains(&u) || (0xFF00..=0xFFEF).contains(&u) {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    (cjk * 1000).checked_div(cjk + other).unwrap_or(0)
}

fn csv_table(bytes: &[u8], file: &str) -> Result<ReadTable, Error> {
    let text = decode_strict(bytes, file)?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = ReadTable::default();
    let mut first = true;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            malformed(file, line, e.to_string())
        })?;
        let line = rec.position().map_or(0, csv::Position::line);
        if rec.len() > MAX_COLUMNS {
            return Err(malformed(file, line, format!("more than {MAX_COLUMNS} columns")));
        }
        if first {
            out.header = rec.iter().map(|c| c.trim().to_string()).collect();
            out.header_line = line;
            first = false;
            continue;
        }
        let cells: Vec<TableCell> = rec.iter().map(|c| TableCell::text(crate::csv_unescape(c))).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            out.rows.push(TableRow { line, cells });
        }
    }
    Ok(out)
}

fn json_cell(v: &serde_json::Value) -> TableCell {
    match v {
        serde_json::Value::Null => TableCell::Empty,
        serde_json::Value::String(s) => TableCell::text(s),
        serde_json::Value::Number(n) => match n.as_f64() {
            // Integers beyond a double's exact range keep their digits.
            Some(f) if n.is_f64() || f.abs() < 9_007_199_254_740_992.0 => TableCell::Number(f),
            _ => TableCell::Text(n.to_string()),
        },
        serde_json::Value::Bool(b) => TableCell::Bool(*b),
        _ => TableCell::Bad("a JSON object or array is not a cell".into()),
    }
}

fn json_table(bytes: &[u8], names: &[&str], file: &str) -> Result<ReadTable, Error> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| malformed(file, clamped::<_, u64>(e.line()), format!("column {}: {e}", e.column())))?;
    let rows = match &v {
        serde_json::Value::Array(a) => a.as_slice(),
        serde_json::Value::Object(o) => names
            .iter()
            .find_map(|n| o.get(*n))
            .or_else(|| o.values().next())
            .and_then(serde_json::Value::as_array)
            .map_or(&[][..], Vec::as_slice),
        _ => {
            return Err(malformed(
                file,
                0,
                "expected an array of rows or an object of sheets".into(),
            ));
        }
    };
    let mut out = ReadTable {
        header_line: 1,
        ..ReadTable::default()
    };
    for r in rows {
        if let Some(o) = r.as_object() {
            for k in o.keys() {
                if !out.header.contains(k) {
                    if out.header.len() >= MAX_COLUMNS {
                        return Err(malformed(file, 0, format!("more than {MAX_COLUMNS} columns")));
                    }
                    out.header.push(k.clone());
                }
            }
        }
    }
    for (i, r) in rows.iter().enumerate() {
        let line = clamped::<_, u64>(i + 1);
        let cells = match r.as_object() {
            Some(o) => out
                .header
                .iter()
                .map(|h| o.get(h).map_or(TableCell::Empty, json_cell))
                .collect(),
            None => vec![TableCell::Bad("expected a JSON object (one row)".into())],
        };
        out.rows.push(TableRow { line, cells });
    }
    Ok(out)
}

/// The cells of an xlsx sheet, sparse (a stray far cell costs one cell),
/// after the archive passes [`check_archive`](crate::check_archive).
fn xlsx_table(bytes: Vec<u8>, names: &[&str], file: &str) -> Result<ReadTable, Error> {
    // The archive is checked before calamine inflates or pre-allocates
    // anything it claims (entry sizes, ratios, shared-string counts).
    crate::zipguard::check(
        Cursor::new(&bytes),
        file,
        &crate::ArchiveLimits::default(),
        "an xlsx workbook",
    )?;
    let bad = |reason: String| malformed(file, 0, reason);
    let read = || xlsx_cells(bytes, names);
    // calamine parses untrusted zip and XML: a panic there is an error here.
    let cells = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(Ok(c)) => c,
        Ok(Err(reason)) => return Err(bad(reason)),
        Err(_) => return Err(bad("not a readable xlsx workbook".into())),
    };
    let header_row = xlsx_header_row(&cells);
    Ok(xlsx_rows_of(cells, header_row))
}

/// The non-empty cells of the workbook's sheet first named in `names`
/// (else its first sheet), with their 0-based row and column, sorted by
/// row then column; or why the workbook cannot be read.
fn xlsx_cells(bytes: Vec<u8>, names: &[&str]) -> Result<Vec<(u32, u32, TableCell)>, String> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<Cursor<Vec<u8>>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("not an xlsx workbook: {e}"))?;
    let epoch_1904 = wb.has_1904_epoch();
    let sheets = wb.sheet_names();
    let name = names
        .iter()
        .find(|n| sheets.iter().any(|s| s == *n))
        .map(|n| (*n).to_string())
        .or_else(|| sheets.first().cloned())
        .ok_or("the workbook has no sheet")?;
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|e| format!("cannot read sheet {name:?}: {e}"))?;
    let mut out = Vec::new();
    while let Some(c) = reader.next_cell().map_err(|e| format!("sheet {name:?}: {e}"))? {
        let (r, col) = c.get_position();
        if clamped::<_, usize>(col) >= MAX_COLUMNS {
            return Err(format!("sheet {name:?}: a cell beyond column {MAX_COLUMNS}"));
        }
        let Some(cell) = xlsx_cell(c.get_value(), epoch_1904) else {
            continue;
        };
        out.push((r, col, cell));
    }
    out.sort_by_key(|(r, c, _)| (*r, *c));
    Ok(out)
}

/// One xlsx cell's value as a table cell; `None` for an empty cell. A
/// date of a workbook in the 1904 date system (`epoch_1904`) is moved to
/// the 1900 system.
#[inline]
#[allow(clippy::float_arithmetic)] // a 1904-system serial is moved to the 1900 system by adding days
fn xlsx_cell(value: &calamine::DataRef<'_>, epoch_1904: bool) -> Option<TableCell> {
    use calamine::DataRef;
    Some(match value {
        DataRef::Empty => return None,
        DataRef::Int(i) => TableCell::Text(i.to_string()),
        DataRef::Float(f) => TableCell::Number(*f),
        DataRef::String(s) => TableCell::text(s),
        DataRef::SharedString(s) => TableCell::text(s),
        DataRef::Bool(b) => TableCell::Bool(*b),
        DataRef::DateTime(d) if d.is_duration() => TableCell::Bad("a duration is not a date".into()),
        DataRef::DateTime(d) => {
            let serial = if epoch_1904 { d.as_f64() + 1462.0 } else { d.as_f64() };
            crate::cell::from_serial(serial).map_or_else(TableCell::Bad, TableCell::Date)
        }
        DataRef::DateTimeIso(s) => TableCell::text(s),
        DataRef::DurationIso(_) => TableCell::Bad("a duration is not a date".into()),
        DataRef::Error(e) => TableCell::Bad(format!("excel error {e}")),
    })
}

/// The sheet's header row among its sorted `cells`: the first row of two
/// or more cells (a title above it, one cell merged across the columns as
/// this program writes one, is not the header), else the first row;
/// `None` for an empty sheet.
fn xlsx_header_row(cells: &[(u32, u32, TableCell)]) -> Option<u32> {
    let mut first_wide = None;
    let mut i = 0;
    while let Some((r, ..)) = cells.get(i) {
        let n = cells[i..].iter().take_while(|(x, ..)| x == r).count();
        if n >= 2 {
            first_wide = Some(*r);
            break;
        }
        i += n;
    }
    first_wide.or_else(|| cells.first().map(|(r, ..)| *r))
}

/// The table of the sheet's sorted `cells`: the header from row
/// `header_row` (rows above it are skipped), then a row per row below it
/// with a cell, each as wide as its last cell.
fn xlsx_rows_of(cells: Vec<(u32, u32, TableCell)>, header_row: Option<u32>) -> ReadTable {
    let mut out = ReadTable::default();
    for (r, c, cell) in cells {
        let c = clamped::<_, usize>(c);
        let Some(header) = header_row else { break };
        if r < header {
            continue;
        }
        if r == header {
            out.header_line = u64::from(r) + 1;
            if out.header.len() <= c {
                out.header.resize(c + 1, String::new());
            }
            out.header[c] = match cell {
                TableCell::Text(s) => s,
                TableCell::Number(f) => f.to_string(),
                _ => String::new(),
            };
            continue;
        }
        let line = u64::from(r) + 1;
        if out.rows.last().is_none_or(|row| row.line != line) {
            out.rows.push(TableRow {
                line,
                cells: Vec::new(),
            });
        }
        if let Some(row) = out.rows.last_mut() {
            if row.cells.len() <= c {
                row.cells.resize(c + 1, TableCell::Empty);
            }
            row.cells[c] = cell;
        }
    }
    out
}

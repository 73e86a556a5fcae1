//! Tables out: to a terminal, or to a file a clerk opens (`.xlsx`, `.csv`,
//! `.json`), and read back in (the entitlements file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use eduaid_model::{Money, Rounding};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i128),
    /// Money in yuan, exact; shown with two decimals.
    Money(Money),
}

impl Val {
    /// The text shown for the cell.
    pub(crate) fn text(&self) -> String {
        match self {
            Val::Empty => String::new(),
            Val::Text(s) => s.clone(),
            Val::Int(n) => n.to_string(),
            Val::Money(m) => m.format_yuan(Rounding::HalfUp),
        }
    }

    /// The cell as JSON: money as an exact decimal string.
    fn json(&self) -> serde_json::Value {
        match self {
            Val::Empty => serde_json::Value::Null,
            Val::Text(s) => serde_json::Value::String(s.clone()),
            Val::Int(n) => i64::try_from(*n).map_or_else(|_| serde_json::Value::String(n.to_string()), Into::into),
            Val::Money(m) => serde_json::Value::String(m.as_decimal().normalize().to_string()),
        }
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

/// A table with a name (the worksheet's).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sheet {
    /// Worksheet name.
    pub(crate) name: String,
    /// Column headers.
    pub(crate) header: Vec<String>,
    /// Rows, each as wide as the header.
    pub(crate) rows: Vec<Vec<Val>>,
}

impl Sheet {
    /// An empty sheet.
    pub(crate) fn new(name: &str, header: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub(crate) fn push(&mut self, row: Vec<Val>) {
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by header.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let obj: serde_json::Map<String, serde_json::Value> =
                    self.header.iter().cloned().zip(r.iter().map(Val::json)).collect();
                serde_json::Value::Object(obj)
            })
            .collect();
        serde_json::Value::Array(rows)
    }

    /// Print the sheet as an aligned table (CJK characters count double).
    pub(crate) fn print(&self) {
        let cells: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Val::text).collect()).collect();
        let mut widths: Vec<usize> = self.header.iter().map(|h| width(h)).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(width(c));
                }
            }
        }
        let line = |row: &[String]| {
            let mut s = String::new();
            for (i, c) in row.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                s.push_str(c);
                if i + 1 < row.len() {
                    s.push_str(&" ".repeat(w.saturating_sub(width(c)) + 2));
                }
            }
            s
        };
        outln!("{}", line(&self.header));
        for r in &cells {
            outln!("{}", line(r));
        }
    }
}

/// Display width: wide (CJK, full-width) characters count two columns.
fn width(s: &str) -> usize {
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

/// The kinds of file a table is written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutKind {
    /// Excel workbook, one worksheet per sheet.
    Xlsx,
    /// CSV (UTF-8 with a BOM, for Excel); sheets after the first go to
    /// `<stem>-<sheet>.csv` beside it.
    Csv,
    /// JSON: an object of sheets.
    Json,
}

impl OutKind {
    /// The kind a file name's extension names.
    ///
    /// # Errors
    /// An extension other than `.xlsx`, `.csv` or `.json`.
    pub(crate) fn of(path: &Path) -> anyhow::Result<OutKind> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        Ok(match ext.as_str() {
            "xlsx" => OutKind::Xlsx,
            "csv" => OutKind::Csv,
            "json" => OutKind::Json,
            _ => bail!(
                "{}: cannot tell the format from the file name: use .xlsx, .csv or .json",
                path.display()
            ),
        })
    }
}

/// Write `sheets` to `path` in the format its extension names; returns the
/// files written.
///
/// # Errors
/// An unknown extension or a failed write.
pub(crate) fn write_sheets(path: &Path, sheets: &[Sheet]) -> anyhow::Result<Vec<PathBuf>> {
    let kind = OutKind::of(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
    }
    match kind {
        OutKind::Xlsx => {
            write_xlsx(path, sheets).with_context(|| path.display().to_string())?;
            Ok(vec![path.to_path_buf()])
        }
        OutKind::Json => {
            let obj: serde_json::Map<String, serde_json::Value> =
                sheets.iter().map(|s| (s.name.clone(), s.to_json())).collect();
            let text = serde_json::to_string_pretty(&serde_json::Value::Object(obj))?;
            std::fs::write(path, text).with_context(|| path.display().to_string())?;
            Ok(vec![path.to_path_buf()])
        }
        OutKind::Csv => {
            let mut written = Vec::new();
            for (i, s) in sheets.iter().enumerate() {
                let p = if i == 0 {
                    path.to_path_buf()
                } else {
                    let stem = path.file_stem().and_then(|x| x.to_str()).unwrap_or("out");
                    path.with_file_name(format!("{stem}-{}.csv", s.name))
                };
                write_csv(&p, s).with_context(|| p.display().to_string())?;
                written.push(p);
            }
            Ok(written)
        }
    }
}

fn write_csv(path: &Path, sheet: &Sheet) -> anyhow::Result<()> {
    let mut bytes: Vec<u8> = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        w.write_record(&sheet.header)?;
        for r in &sheet.rows {
            w.write_record(r.iter().map(Val::text))?;
        }
        w.flush()?;
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect()
}

fn write_xlsx(path: &Path, sheets: &[Sheet]) -> anyhow::Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&s.name))?;
        let mut widths: Vec<usize> = s.header.iter().map(|h| width(h)).collect();
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, u16::try_from(c)?, h, &bold)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 1)?;
            for (c, v) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width(&v.text()));
                }
                let c = u16::try_from(c)?;
                match v {
                    Val::Empty => {}
                    Val::Text(t) => {
                        ws.write_string(r, c, t)?;
                    }
                    // Numbers go through their exact decimal text, so what
                    // Excel holds is the nearest double to the exact value.
                    Val::Int(n) => match n.to_string().parse::<f64>() {
                        Ok(x) if n.unsigned_abs() < (1u128 << 53) => {
                            ws.write_number(r, c, x)?;
                        }
                        _ => {
                            ws.write_string(r, c, n.to_string())?;
                        }
                    },
                    Val::Money(m) => {
                        let exact = m.as_decimal().normalize().to_string();
                        match exact.parse::<f64>() {
                            Ok(x) if exact.len() <= 16 => {
                                ws.write_number_with_format(r, c, x, &money)?;
                            }
                            _ => {
                                ws.write_string(r, c, exact)?;
                            }
                        }
                    }
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            let chars = u32::try_from((*w).clamp(6, 60)).unwrap_or(12);
            ws.set_column_width(u16::try_from(c)?, chars + 2)?;
        }
        ws.set_freeze_panes(1, 0)?;
    }
    wb.save(path)?;
    Ok(())
}

/// A table read back from a file: its header and its rows with their line
/// (the row number Excel shows, or the CSV line; the header is line 1).
#[derive(Debug, Default)]
pub(crate) struct ReadTable {
    /// Header cells.
    pub(crate) header: Vec<String>,
    /// `(line, cells)`.
    pub(crate) rows: Vec<(u64, Vec<String>)>,
}

/// Read a table this program wrote (or a clerk re-saved): the sheet named
/// one of `names`, or the first.
///
/// # Errors
/// An unreadable file or unknown format.
pub(crate) fn read_table(path: &Path, names: &[&str]) -> anyhow::Result<ReadTable> {
    let file = path.display().to_string();
    match OutKind::of(path)? {
        OutKind::Csv => {
            let bytes = std::fs::read(path).with_context(|| file.clone())?;
            let text = match std::str::from_utf8(&bytes) {
                Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
                Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
            };
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut out = ReadTable::default();
            for (i, rec) in rdr.records().enumerate() {
                let rec = rec.with_context(|| format!("{file}:{}", i + 1))?;
                let line = rec.position().map_or(u64::try_from(i + 1).unwrap_or(0), |p| p.line());
                let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
                if i == 0 {
                    out.header = cells;
                } else if cells.iter().any(|c| !c.is_empty()) {
                    out.rows.push((line, cells));
                }
            }
            Ok(out)
        }
        OutKind::Json => {
            let text = std::fs::read_to_string(path).with_context(|| file.clone())?;
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{file}:{}:{}: {e}", e.line(), e.column()))?;
            let rows = match &v {
                serde_json::Value::Array(a) => a.clone(),
                serde_json::Value::Object(o) => names
                    .iter()
                    .find_map(|n| o.get(*n))
                    .or_else(|| o.values().next())
                    .and_then(|x| x.as_array().cloned())
                    .unwrap_or_default(),
                _ => bail!("{file}: expected an array of rows or an object of sheets"),
            };
            let mut out = ReadTable::default();
            let mut header: BTreeMap<String, usize> = BTreeMap::new();
            for r in &rows {
                if let Some(o) = r.as_object() {
                    for k in o.keys() {
                        if !header.contains_key(k) {
                            header.insert(k.clone(), out.header.len());
                            out.header.push(k.clone());
                        }
                    }
                }
            }
            for (i, r) in rows.iter().enumerate() {
                let mut cells = vec![String::new(); out.header.len()];
                if let Some(o) = r.as_object() {
                    for (k, v) in o {
                        if let Some(ix) = header.get(k) {
                            cells[*ix] = match v {
                                serde_json::Value::Null => String::new(),
                                serde_json::Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                        }
                    }
                }
                out.rows.push((u64::try_from(i + 1).unwrap_or(0), cells));
            }
            Ok(out)
        }
        OutKind::Xlsx => {
            use calamine::{Data, Reader, Xlsx, open_workbook};
            let mut wb: Xlsx<_> = open_workbook(path).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            let sheet_names = wb.sheet_names();
            let name = names
                .iter()
                .find(|n| sheet_names.iter().any(|s| s == *n))
                .map(|n| (*n).to_string())
                .or_else(|| sheet_names.first().cloned())
                .with_context(|| format!("{file}: the workbook has no sheet"))?;
            let range = wb.worksheet_range(&name).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            let first_row = range.start().map_or(0, |(r, _)| r);
            let mut out = ReadTable::default();
            for (i, row) in range.rows().enumerate() {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::String(s) => s.trim().to_string(),
                        Data::Float(f) => f.to_string(),
                        Data::Int(n) => n.to_string(),
                        Data::Bool(b) => b.to_string(),
                        other => other.to_string(),
                    })
                    .collect();
                let line = u64::from(first_row) + u64::try_from(i).unwrap_or(0) + 1;
                if i == 0 {
                    out.header = cells;
                } else if cells.iter().any(|c| !c.is_empty()) {
                    out.rows.push((line, cells));
                }
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_are_two_columns_wide() {
        assert_eq!(width("abc"), 3);
        assert_eq!(width("学前"), 4);
        assert_eq!(width("（元）"), 6);
    }

    #[test]
    fn worksheet_names_are_cleaned_and_cut() {
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn the_extension_chooses_the_format() {
        assert_eq!(OutKind::of(Path::new("a.XLSX")).ok(), Some(OutKind::Xlsx));
        assert_eq!(OutKind::of(Path::new("a.csv")).ok(), Some(OutKind::Csv));
        assert!(OutKind::of(Path::new("a.pdf")).is_err());
        assert!(OutKind::of(Path::new("noext")).is_err());
    }

    #[test]
    fn money_is_shown_rounded_once_and_kept_exact_in_json() {
        let v = Val::Money(Money::from_fen(1_234_567));
        assert_eq!(v.text(), "12345.67");
        assert_eq!(v.json(), serde_json::json!("12345.67"));
        assert_eq!(Val::Money(Money::yuan(500)).text(), "500.00");
    }
}

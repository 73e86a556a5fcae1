//! Excel worksheets as raw rows.

use super::*;
use eduaid_model::convert::clamped;

/// Read the first visible worksheet (or the named one) of an xlsx into rows,
/// after checking the archive against `limits` (see
/// [`check_archive`](crate::check_archive)).
pub(super) fn xlsx_rows(
    bytes: Vec<u8>,
    sheet: Option<&str>,
    file: &str,
    limits: &crate::ArchiveLimits,
) -> Result<Vec<Raw>, Error> {
    let rows = xlsx_cell_rows(
        bytes,
        |names| sheet.map(str::to_string).or_else(|| first_visible(names)),
        file,
        limits,
    )?;
    Ok(rows.into_iter().map(|(line, cells)| Raw::Cells(line, cells)).collect())
}

/// The sheet a clerk sees first: a hidden sheet (an old list, a lookup
/// table) is never read unless named, and a chart sheet has no cells.
pub(super) fn first_visible(sheets: &[calamine::Sheet]) -> Option<String> {
    let worksheet = |s: &&calamine::Sheet| s.typ == calamine::SheetType::WorkSheet;
    sheets
        .iter()
        .filter(worksheet)
        .find(|s| s.visible == calamine::SheetVisible::Visible)
        .or_else(|| sheets.iter().find(worksheet))
        .map(|s| s.name.clone())
}

/// The rows of one sheet of an xlsx, each with its 1-based row number and
/// its cells up to the last non-empty one: the archive is checked against
/// `limits` first, the cells are streamed, and only rows that hold a cell
/// are built (a stray cell far away costs one row, not a full range).
pub(super) fn xlsx_cell_rows(
    bytes: Vec<u8>,
    choose: impl FnOnce(&[calamine::Sheet]) -> Option<String>,
    file: &str,
    limits: &crate::ArchiveLimits,
) -> Result<Vec<(u64, Vec<Cell>)>, Error> {
    let malformed = |reason: String| Error::Malformed {
        file: file.to_string(),
        line: 0,
        reason,
    };
    crate::zipguard::check(Cursor::new(bytes.as_slice()), file, limits, "an xlsx workbook")?;
    // calamine parses untrusted zip and XML; it is not documented never to
    // panic, so a panic there becomes an error here rather than a crash.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| xlsx_cells(bytes, choose)));
    let cells = match result {
        Ok(Ok(c)) => c,
        Ok(Err(reason)) => return Err(malformed(reason)),
        Err(_) => return Err(malformed("not a readable xlsx workbook".into())),
    };
    let mut rows: Vec<(u64, Vec<Cell>)> = Vec::new();
    let mut last_row: Option<u32> = None;
    for (r, c, cell) in cells {
        if last_row != Some(r) {
            rows.push((u64::from(r) + 1, Vec::new()));
            last_row = Some(r);
        }
        if let Some((_, v)) = rows.last_mut() {
            // Below MAX_COLUMNS: xlsx_cells refuses any cell beyond.
            let c = clamped::<_, usize>(c).min(MAX_COLUMNS - 1);
            if v.len() <= c {
                v.resize(c + 1, Cell::Empty);
            }
            v[c] = cell;
        }
    }
    Ok(rows)
}

/// Read one sheet of an `.xlsx` as text rows, safely: the archive is
/// checked against `limits` ([`check_archive`](crate::check_archive)), the
/// cells are streamed (a stray cell at `XFD1048576` is refused as beyond
/// the widest sheet read, 1024 columns, and a far-away row costs one row,
/// never a full range), and no more than 64 × 2²⁰ cells are read.
///
/// The sheet read is the first of `sheets` the workbook has, else its
/// first visible worksheet. Each row comes with its 1-based row number, and
/// each cell as trimmed text (`None` when empty; a date cell as
/// `YYYY-MM-DD`), or the reason it is not a value (an Excel error such as
/// `#N/A`, a duration).
///
/// # Errors
/// [`Error::ArchiveLimit`] and [`Error::Malformed`] (not a workbook, no
/// worksheet, a cell beyond the widest sheet read, too many cells).
#[allow(clippy::type_complexity)] // rows of cells, each a value or why not
pub fn read_xlsx_sheet(
    bytes: Vec<u8>,
    file: &str,
    sheets: &[&str],
    limits: &crate::ArchiveLimits,
) -> Result<Vec<(u64, Vec<Result<Option<String>, String>>)>, Error> {
    let choose = |names: &[calamine::Sheet]| {
        sheets
            .iter()
            .find(|want| names.iter().any(|s| s.name == **want))
            .map(|s| (*s).to_string())
            .or_else(|| first_visible(names))
    };
    let rows = xlsx_cell_rows(bytes, choose, file, limits)?;
    Ok(rows
        .into_iter()
        .map(|(line, cells)| (line, cells.iter().map(Cell::text).collect()))
        .collect())
}

/// The widest sheet read.
pub(super) const MAX_COLUMNS: usize = 1024;
/// The most non-empty cells read from one sheet: 64 × 2²⁰, a full-height
/// Excel sheet (1 048 576 rows) of 64 columns.
pub(super) const MAX_CELLS: usize = 64 << 20;

/// A cell's reference as Excel shows it (`XFD1048576`), from 0-based row
/// and column.
pub(super) fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let rem = clamped::<_, u8>((c - 1) % 26);
        letters.push(char::from(b'A' + rem));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

#[allow(clippy::float_arithmetic)] // a 1904-system serial is moved to the 1900 system by adding days
pub(super) fn xlsx_cells(
    bytes: Vec<u8>,
    choose: impl FnOnce(&[calamine::Sheet]) -> Option<String>,
) -> Result<Vec<(u32, u32, Cell)>, String> {
    use calamine::{DataRef, Reader, Xlsx};
    let mut wb: Xlsx<Cursor<Vec<u8>>> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| format!("not an xlsx workbook: {e}"))?;
    let epoch_1904 = wb.has_1904_epoch();
    let name = choose(wb.sheets_metadata()).ok_or("the workbook has no worksheet")?;
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|e| format!("cannot read sheet {:?}: {e}", crate::error::clip(&name)))?;
    let mut out = Vec::new();
    while let Some(c) = reader.next_cell().map_err(|e| format!("sheet {name:?}: {e}"))? {
        let (r, col) = c.get_position();
        let cell = match c.get_value() {
            DataRef::Empty => continue,
            DataRef::Int(i) => Cell::Text(i.to_string()),
            DataRef::Float(f) => Cell::Number(*f),
            DataRef::String(s) => Cell::Text(s.clone()),
            DataRef::SharedString(s) => Cell::Text((*s).to_string()),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(d) if d.is_duration() => Cell::Bad("a duration is not a date".into()),
            DataRef::DateTime(d) => Cell::Serial(if epoch_1904 { d.as_f64() + 1462.0 } else { d.as_f64() }),
            DataRef::DateTimeIso(s) => Cell::Text(s.clone()),
            DataRef::DurationIso(_) => Cell::Bad("a duration is not a date".into()),
            DataRef::Error(e) => Cell::Bad(format!("excel error {e}")),
        };
        if clamped::<_, usize>(col) >= MAX_COLUMNS {
            return Err(format!(
                "sheet {:?}: cell {} is beyond the widest sheet read ({MAX_COLUMNS} columns): \
                 delete the stray cell",
                crate::error::clip(&name),
                cell_ref(r, col)
            ));
        }
        out.push((r, col, cell));
        if out.len() > MAX_CELLS {
            return Err(format!("more than {MAX_CELLS} cells"));
        }
    }
    out.sort_by_key(|(r, c, _)| (*r, *c));
    Ok(out)
}

//! Writing cells and heads into xlsx sheets, and whole tables at once.

use super::*;

/// The cell formats of a workbook: each kind of number with its number
/// format, plain and bold (for totals rows).
pub(super) struct Formats {
    bold: rust_xlsxwriter::Format,
    title: rust_xlsxwriter::Format,
    pub(super) plain: NumberFormats,
    pub(super) strong: NumberFormats,
}

/// Number formats: yuan, 万元, and percentages and decimals by places.
pub(super) struct NumberFormats {
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
    pub(super) fn new() -> Formats {
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

pub(super) fn xlsx_err(file: &Path, e: &rust_xlsxwriter::XlsxError) -> Error {
    Error::Xlsx {
        file: file.display().to_string(),
        reason: e.to_string(),
    }
}

pub(super) fn csv_err(file: &Path, e: csv::Error) -> Error {
    let file = file.display().to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(&file, io),
        other => Error::io(&file, std::io::Error::other(format!("{other:?}"))),
    }
}

fn col(c: usize) -> u16 {
    clamped::<_, u16>(c)
}

/// Write the title (if any: one bold row merged across the columns) and
/// the header row (bold) of a worksheet, and freeze them so they stay in
/// view; returns the first data row.
pub(super) fn write_head(
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
pub(super) fn val_width(v: &Val) -> usize {
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

pub(super) fn set_widths(
    ws: &mut rust_xlsxwriter::Worksheet,
    widths: &[usize],
) -> Result<(), rust_xlsxwriter::XlsxError> {
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
pub(super) fn write_cells(
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
pub(super) fn xlsx_sheet(
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
pub(super) fn csv_file(path: &Path, sheet: &Sheet) -> Result<AtomicFile, Error> {
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

//! A table as an xlsx workbook: numbers as numbers where a spreadsheet keeps them exact, dates as dates.

use super::*;

pub(super) fn xlsx(table: &Table, headers: Headers) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let date_format = XFormat::new().set_num_format("yyyy-mm-dd");
    let bold = XFormat::new().set_bold();
    let sheet = wb.add_worksheet();
    sheet.set_name(match headers {
        Headers::Chinese => table.kind.chinese(),
        _ => table.kind.name(),
    })?;
    for (c, col) in table.columns.iter().enumerate() {
        let c = clamped::<_, u16>(c);
        sheet.write_string_with_format(0, c, header(col, headers), &bold)?;
        sheet.set_column_width(c, 14)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = clamped::<_, u32>(r + 1);
        xlsx_row(sheet, r, row, headers, &date_format)?;
    }
    wb.save_to_buffer()
}

/// Write one record's cells into row `r` of an xlsx sheet.
pub(super) fn xlsx_row(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[Out],
    headers: Headers,
    date_format: &rust_xlsxwriter::Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::ExcelDateTime;
    for (c, v) in row.iter().enumerate() {
        let c = clamped::<_, u16>(c);
        match v {
            Out::Empty => {}
            Out::Int(n) if *n <= (1 << 53) => {
                sheet.write_number(r, c, exact_f64(&n.to_string()))?;
            }
            Out::Money(m) if significant_digits(*m) <= 15 => {
                sheet.write_number(r, c, exact_f64(&m.as_decimal().normalize().to_string()))?;
            }
            Out::Date(d) => {
                let month = clamped::<_, u8>(d.month());
                let day = clamped::<_, u8>(d.day());
                let year = clamped::<_, u16>(d.year());
                match ExcelDateTime::from_ymd(year, month, day) {
                    Ok(x) => sheet.write_datetime_with_format(r, c, &x, date_format)?,
                    Err(_) => {
                        sheet.write_number_with_format(r, c, exact_f64(&to_serial(*d).to_string()), date_format)?
                    }
                };
            }
            Out::Bool(b) if headers == Headers::English => {
                sheet.write_boolean(r, c, *b)?;
            }
            other => {
                sheet.write_string(r, c, other.text(headers))?;
            }
        }
    }
    Ok(())
}

/// An f64 from a decimal numeral: the nearest double, which reads back as the
/// same numeral for up to 15 significant digits.
fn exact_f64(s: &str) -> f64 {
    s.parse().unwrap_or_default()
}

fn significant_digits(m: Money) -> usize {
    m.as_decimal()
        .normalize()
        .to_string()
        .chars()
        .filter(char::is_ascii_digit)
        .count()
}

//! Writers: CSV (UTF-8, optionally with a BOM, or GB18030), JSON arrays,
//! JSON Lines and xlsx, with English or Chinese headers. A file is written
//! atomically; a CSV text cell a spreadsheet would run as a formula is
//! neutralised with a leading `'`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use eduaid_model::convert::clamped;
use eduaid_model::{
    DisabledChildrenCount, Disbursement, GradeCount, Household, HouseholdId, Money, PopulationCount, School,
    StatusKind, Student, TeacherCount,
};

use crate::cell::to_serial;
use crate::records::STATUS_COLUMNS;
use crate::{Column, Encoding, Error, FileKind, Format, Headers, WriteOptions};

/// Where a writer writes.
#[non_exhaustive]
pub enum Output<'a> {
    /// A file, written atomically (see [`write_atomically`](crate::write_atomically)):
    /// replaced only when complete, left as it was on any error. Its
    /// extension tells the format unless [`WriteOptions::format`] is set.
    Path(&'a Path),
    /// Any writer; [`WriteOptions::format`] must be set.
    Writer(&'a mut dyn Write),
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Output::Writer(_) => f.write_str("Writer(..)"),
        }
    }
}

impl<'a> From<&'a Path> for Output<'a> {
    fn from(p: &'a Path) -> Output<'a> {
        Output::Path(p)
    }
}

impl<'a> From<&'a std::path::PathBuf> for Output<'a> {
    fn from(p: &'a std::path::PathBuf) -> Output<'a> {
        Output::Path(p.as_path())
    }
}

impl<'a, W: Write> From<&'a mut W> for Output<'a> {
    fn from(w: &'a mut W) -> Output<'a> {
        Output::Writer(w)
    }
}

/// One value to write.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Empty,
    Text(String),
    Int(u64),
    Date(NaiveDate),
    Money(Money),
    Bool(bool),
    /// An English code and its Chinese name.
    Code(String, &'static str),
}

fn code<T: std::fmt::Display>(v: T, zh: &'static str) -> Out {
    Out::Code(v.to_string(), zh)
}

fn opt_date(d: Option<NaiveDate>) -> Out {
    d.map_or(Out::Empty, Out::Date)
}

impl Out {
    fn text(&self, headers: Headers) -> String {
        let zh = headers == Headers::Chinese;
        match self {
            Out::Empty => String::new(),
            Out::Text(s) => s.clone(),
            Out::Int(n) => n.to_string(),
            Out::Date(d) => d.format("%Y-%m-%d").to_string(),
            Out::Money(m) => m.as_decimal().normalize().to_string(),
            Out::Bool(b) => match (zh, b) {
                (true, true) => "是".into(),
                (true, false) => "否".into(),
                (false, b) => b.to_string(),
            },
            Out::Code(c, z) => {
                if zh {
                    (*z).to_string()
                } else {
                    c.clone()
                }
            }
        }
    }

    /// The text of a CSV cell: free text that a spreadsheet would take
    /// for a formula is neutralised (see [`crate::csv_safe`]); numbers,
    /// dates and codes are the tool's own and written as they are.
    fn csv_text(&self, headers: Headers) -> String {
        match self {
            Out::Text(s) => crate::csv_safe(s).into_owned(),
            other => other.text(headers),
        }
    }

    fn json(&self, headers: Headers) -> Option<serde_json::Value> {
        match self {
            Out::Empty => None,
            Out::Int(n) => Some(serde_json::Value::from(*n)),
            Out::Bool(b) => Some(serde_json::Value::Bool(*b)),
            other => Some(serde_json::Value::String(other.text(headers))),
        }
    }
}

/// A table to write: the columns (by English name) and the rows.
struct Table {
    kind: FileKind,
    columns: Vec<&'static Column>,
    rows: Vec<Vec<Out>>,
}

impl Table {
    fn new(kind: FileKind, names: &[&str]) -> Table {
        let columns = names
            .iter()
            .filter_map(|n| kind.columns().iter().find(|c| c.name == *n))
            .collect();
        Table {
            kind,
            columns,
            rows: Vec::new(),
        }
    }

    fn all(kind: FileKind) -> Table {
        Table {
            kind,
            columns: kind.columns().iter().collect(),
            rows: Vec::new(),
        }
    }
}

fn write_table(out: Output<'_>, table: &Table, opts: &WriteOptions) -> Result<(), Error> {
    match out {
        Output::Path(p) => {
            let format = match opts.format {
                Some(f) => f,
                None => Format::from_path(p)?,
            };
            let file = p.display().to_string();
            // Written beside the target and renamed over it when complete:
            // an error or a kill leaves the old file.
            crate::write_atomically(p, |w| emit(w, &file, format, table, opts))
        }
        Output::Writer(w) => {
            let Some(format) = opts.format else {
                return Err(Error::UnknownFormat {
                    file: "(writer)".into(),
                });
            };
            emit(w, "(writer)", format, table, opts)
        }
    }
}

fn header(c: &Column, headers: Headers) -> &'static str {
    match headers {
        Headers::Chinese => c.chinese,
        _ => c.name,
    }
}

fn emit(w: &mut dyn Write, file: &str, format: Format, table: &Table, opts: &WriteOptions) -> Result<(), Error> {
    let io = |e| Error::io(file, e);
    match format {
        Format::Parquet => Err(crate::parquet_input::not_written(file)),
        Format::Csv => {
            let gbk = opts.encoding == Encoding::Gb18030;
            if opts.bom && !gbk {
                w.write_all(&[0xEF, 0xBB, 0xBF]).map_err(io)?;
            }
            let mut cw = csv::WriterBuilder::new().from_writer(w);
            let enc = |s: &str| -> Vec<u8> {
                if gbk {
                    encoding_rs::GB18030.encode(s).0.into_owned()
                } else {
                    s.as_bytes().to_vec()
                }
            };
            let csv_err = |e: csv::Error| Error::io(file, std::io::Error::other(e.to_string()));
            cw.write_record(table.columns.iter().map(|c| enc(header(c, opts.headers))))
                .map_err(csv_err)?;
            for row in &table.rows {
                cw.write_record(row.iter().map(|v| enc(&v.csv_text(opts.headers))))
                    .map_err(csv_err)?;
            }
            cw.flush().map_err(io)
        }
        Format::Json | Format::JsonLines => {
            let lines = format == Format::JsonLines;
            if !lines {
                w.write_all(b"[").map_err(io)?;
            }
            for (i, row) in table.rows.iter().enumerate() {
                let mut obj = serde_json::Map::new();
                for (c, v) in table.columns.iter().zip(row) {
                    if let Some(j) = v.json(opts.headers) {
                        obj.insert(header(c, opts.headers).to_string(), j);
                    }
                }
                let text = serde_json::to_string(&obj).map_err(|e| Error::io(file, std::io::Error::other(e)))?;
                let sep = match (lines, i) {
                    (true, _) => "",
                    (false, 0) => "\n",
                    (false, _) => ",\n",
                };
                write!(w, "{sep}{text}").map_err(io)?;
                if lines {
                    w.write_all(b"\n").map_err(io)?;
                }
            }
            if !lines {
                w.write_all(b"\n]\n").map_err(io)?;
            }
            Ok(())
        }
        Format::Xlsx => {
            let bytes = xlsx(table, opts.headers).map_err(|e| Error::Xlsx {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
            w.write_all(&bytes).map_err(io)
        }
    }
}

fn xlsx(table: &Table, headers: Headers) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
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
fn xlsx_row(
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

/// Where a [`StudentWriter`] puts its rows.
enum Sink {
    Csv {
        w: Box<csv::Writer<crate::AtomicFile>>,
        gbk: bool,
    },
    Json {
        file: crate::AtomicFile,
        lines: bool,
        rows: u64,
    },
    Xlsx(Box<XlsxSink>),
}

struct XlsxSink {
    file: crate::AtomicFile,
    wb: rust_xlsxwriter::Workbook,
    row: u32,
    date_format: rust_xlsxwriter::Format,
}

/// Writes a students file one batch at a time, so a roster of millions is
/// never held in memory: CSV and JSON rows go straight to the file, xlsx
/// rows to a constant-memory worksheet (at most 1 048 575 students, Excel's
/// limit). The columns are those of [`write_students`]. Nothing replaces
/// the file until [`finish`](StudentWriter::finish) succeeds.
///
/// ```
/// use eduaid_io::{StudentWriter, WriteOptions, Input, ReadOptions, read_students};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("students.csv");
/// let csv = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期\n\
///            G1,甲,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01\n";
/// let loaded = read_students(Input::bytes("s.csv", csv.as_bytes()), &ReadOptions::default())?;
/// let mut w = StudentWriter::create(&path, &WriteOptions::default())?;
/// w.write(&loaded.students)?;
/// assert_eq!(w.finish()?, 1);
/// assert!(std::fs::read_to_string(&path)?.starts_with("id,name,sex"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StudentWriter {
    file: String,
    headers: Headers,
    columns: Vec<&'static Column>,
    sink: Sink,
    rows: u64,
}

impl std::fmt::Debug for StudentWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StudentWriter")
            .field("file", &self.file)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl StudentWriter {
    /// Start writing the students file at `path` (its extension names the
    /// format unless [`WriteOptions::format`] is set), header first.
    ///
    /// # Errors
    /// [`Error::UnknownFormat`], or a failure to create the file (an
    /// unwritable folder is found here).
    pub fn create(path: &Path, opts: &WriteOptions) -> Result<StudentWriter, Error> {
        let format = match opts.format {
            Some(f) => f,
            None => Format::from_path(path)?,
        };
        let file = path.display().to_string();
        let io = |e| Error::io(&file, e);
        let table = Table::new(FileKind::Students, STUDENT_BASE);
        let mut out = crate::AtomicFile::create(path)?;
        let sink = match format {
            Format::Parquet => return Err(crate::parquet_input::not_written(&file)),
            Format::Csv => {
                let gbk = opts.encoding == Encoding::Gb18030;
                if opts.bom && !gbk {
                    out.write_all(&[0xEF, 0xBB, 0xBF]).map_err(io)?;
                }
                let mut w = csv::WriterBuilder::new().from_writer(out);
                w.write_record(table.columns.iter().map(|c| encode(header(c, opts.headers), gbk)))
                    .map_err(|e| Error::io(&file, std::io::Error::other(e.to_string())))?;
                Sink::Csv { w: Box::new(w), gbk }
            }
            Format::Json | Format::JsonLines => {
                let lines = format == Format::JsonLines;
                if !lines {
                    out.write_all(b"[").map_err(io)?;
                }
                Sink::Json {
                    file: out,
                    lines,
                    rows: 0,
                }
            }
            Format::Xlsx => {
                let x = |e: rust_xlsxwriter::XlsxError| Error::Xlsx {
                    file: file.clone(),
                    reason: e.to_string(),
                };
                let mut wb = rust_xlsxwriter::Workbook::new();
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => std::path::PathBuf::from("."),
                };
                wb.set_tempdir(&dir).map_err(x)?;
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let sheet = wb.add_worksheet_with_constant_memory().map_err(x)?;
                sheet
                    .set_name(match opts.headers {
                        Headers::Chinese => FileKind::Students.chinese(),
                        _ => FileKind::Students.name(),
                    })
                    .map_err(x)?;
                for (c, col) in table.columns.iter().enumerate() {
                    let c = clamped::<_, u16>(c);
                    sheet
                        .write_string_with_format(0, c, header(col, opts.headers), &bold)
                        .map_err(x)?;
                    sheet.set_column_width(c, 14).map_err(x)?;
                }
                Sink::Xlsx(Box::new(XlsxSink {
                    file: out,
                    wb,
                    row: 1,
                    date_format: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
                }))
            }
        };
        Ok(StudentWriter {
            file,
            headers: opts.headers,
            columns: table.columns,
            sink,
            rows: 0,
        })
    }

    /// Write a batch of students.
    ///
    /// # Errors
    /// A failure to write; the file at the path is then left as it was.
    pub fn write(&mut self, students: &[Student]) -> Result<(), Error> {
        let file = &self.file;
        let io = |e| Error::io(file, e);
        let headers = self.headers;
        for s in students {
            let row = student_row(s);
            match &mut self.sink {
                Sink::Csv { w, gbk } => w
                    .write_record(row.iter().map(|v| encode(&v.csv_text(headers), *gbk)))
                    .map_err(|e| Error::io(file, std::io::Error::other(e.to_string())))?,
                Sink::Json { file: f, lines, rows } => {
                    let mut obj = serde_json::Map::new();
                    for (c, v) in self.columns.iter().zip(&row) {
                        if let Some(j) = v.json(headers) {
                            obj.insert(header(c, headers).to_string(), j);
                        }
                    }
                    let text = serde_json::to_string(&obj).map_err(|e| io(std::io::Error::other(e)))?;
                    let sep = match (*lines, *rows) {
                        (true, _) => "",
                        (false, 0) => "\n",
                        (false, _) => ",\n",
                    };
                    write!(f, "{sep}{text}").map_err(io)?;
                    if *lines {
                        f.write_all(b"\n").map_err(io)?;
                    }
                    *rows += 1;
                }
                Sink::Xlsx(x) => {
                    let r = x.row;
                    let sheet = x.wb.worksheet_from_index(0).map_err(|e| Error::Xlsx {
                        file: file.clone(),
                        reason: e.to_string(),
                    })?;
                    xlsx_row(sheet, r, &row, headers, &x.date_format).map_err(|e| Error::Xlsx {
                        file: file.clone(),
                        reason: e.to_string(),
                    })?;
                    x.row = x.row.saturating_add(1);
                }
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Finish the file and put it in place; returns the students written.
    ///
    /// # Errors
    /// A failure to write; the file at the path is then left as it was.
    pub fn finish(self) -> Result<u64, Error> {
        let file = self.file;
        let io = |e| Error::io(&file, e);
        match self.sink {
            Sink::Csv { w, .. } => w.into_inner().map_err(|e| io(e.into_error()))?.commit()?,
            Sink::Json { mut file, lines, .. } => {
                if !lines {
                    file.write_all(b"\n]\n").map_err(io)?;
                }
                file.commit()?;
            }
            Sink::Xlsx(x) => {
                let XlsxSink { mut file, mut wb, .. } = *x;
                wb.save_to_writer(&mut file).map_err(|e| Error::Xlsx {
                    file: file.path().display().to_string(),
                    reason: e.to_string(),
                })?;
                file.commit()?;
            }
        }
        Ok(self.rows)
    }
}

/// A CSV cell's bytes in the file's encoding.
fn encode(s: &str, gbk: bool) -> Vec<u8> {
    if gbk {
        encoding_rs::GB18030.encode(s).0.into_owned()
    } else {
        s.as_bytes().to_vec()
    }
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

fn school_row(s: &School) -> Vec<Out> {
    vec![
        Out::Text(s.id.to_string()),
        Out::Text(s.name.clone()),
        code(s.kind, s.kind.chinese()),
        code(s.ownership, s.ownership.chinese()),
        Out::Text(s.township.clone()),
        code(s.locality, s.locality.chinese()),
        opt_date(s.nutrition_plan_from),
        s.annual_tuition.map_or(Out::Empty, Out::Money),
    ]
}

/// Write schools, one a row. Their classes do not fit in a row: write them
/// with [`write_classes`] and read both back with
/// [`read_schools_with_classes`](crate::read_schools_with_classes).
///
/// # Errors
/// A failure to write.
pub fn write_schools<'a>(out: impl Into<Output<'a>>, schools: &[School], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Schools);
    t.rows = schools.iter().map(school_row).collect();
    write_table(out.into(), &t, opts)
}

/// Write the classes of the schools, one class a row, school by school.
///
/// # Errors
/// A failure to write.
pub fn write_classes<'a>(out: impl Into<Output<'a>>, schools: &[School], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Classes);
    for s in schools {
        for c in &s.classes {
            t.rows.push(vec![
                Out::Text(s.id.to_string()),
                year(c.year, opts.headers),
                code(c.stage, c.stage.chinese()),
                Out::Int(u64::from(c.grade)),
                Out::Int(u64::from(c.size)),
            ]);
        }
    }
    write_table(out.into(), &t, opts)
}

const STUDENT_BASE: &[&str] = &[
    "id",
    "name",
    "sex",
    "birth_date",
    "school_id",
    "stage",
    "grade",
    "boarder",
    "disability",
    "migrant",
    "left_behind",
    "hukou",
    "agricultural_major",
    "household_id",
    "status",
    "status_since",
    "helper",
];

fn student_row(s: &Student) -> Vec<Out> {
    vec![
        Out::Text(s.id.to_string()),
        Out::Text(s.name.clone()),
        code(s.sex, s.sex.chinese()),
        Out::Date(s.birth_date),
        Out::Text(s.school_id.to_string()),
        code(s.stage, s.stage.chinese()),
        Out::Int(u64::from(s.grade)),
        Out::Bool(s.boarder),
        s.disability.map_or(Out::Empty, |d| code(d, d.chinese())),
        Out::Bool(s.migrant),
        Out::Bool(s.left_behind),
        code(s.hukou, s.hukou.chinese()),
        Out::Bool(s.agricultural_major),
        s.household_id.as_ref().map_or(Out::Empty, |h| Out::Text(h.to_string())),
        code(s.status, s.status.chinese()),
        Out::Date(s.status_since),
        s.helper.clone().map_or(Out::Empty, Out::Text),
    ]
}

/// Write students without their households' status (the `household_id`
/// column links them to a households file).
///
/// # Errors
/// A failure to write.
pub fn write_students<'a>(out: impl Into<Output<'a>>, students: &[Student], opts: &WriteOptions) -> Result<(), Error> {
    let mut t = Table::new(FileKind::Students, STUDENT_BASE);
    t.rows = students.iter().map(student_row).collect();
    write_table(out.into(), &t, opts)
}

/// Write students with their households' status inline, as a county sheet
/// does: a start and an end column (`registered_poor_from`,
/// `registered_poor_until` …) for every status kind any of their households
/// holds.
///
/// # Errors
/// [`Error::Write`] if a student names a household not in `households`, or
/// a household holds two spells of one kind (write a households file for
/// those); or a failure to write.
pub fn write_students_with_status<'a>(
    out: impl Into<Output<'a>>,
    students: &[Student],
    households: &[Household],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let by_id: HashMap<&HouseholdId, &Household> = households.iter().map(|h| (&h.id, h)).collect();
    let mut kinds: Vec<StatusKind> = Vec::new();
    for h in households {
        for s in &h.statuses {
            if !kinds.contains(&s.kind) {
                kinds.push(s.kind);
            }
        }
    }
    let status_cols: Vec<&(StatusKind, &str, &str, &str)> =
        STATUS_COLUMNS.iter().filter(|(k, ..)| kinds.contains(k)).collect();
    let mut names: Vec<&str> = STUDENT_BASE.to_vec();
    for (_, _, from, until) in &status_cols {
        names.push(from);
        names.push(until);
    }
    let mut t = Table::new(FileKind::Students, &names);
    for s in students {
        let mut row = student_row(s);
        let home = match &s.household_id {
            None => None,
            Some(id) => Some(*by_id.get(id).ok_or_else(|| Error::Write {
                what: "student",
                key: s.id.to_string(),
                reason: format!("household {id} is not among the households given"),
            })?),
        };
        for (kind, ..) in &status_cols {
            let spells: Vec<_> = home
                .map(|h| h.statuses.iter().filter(|x| x.kind == *kind).collect())
                .unwrap_or_default();
            match spells.as_slice() {
                [] => row.extend([Out::Empty, Out::Empty]),
                [one] => row.extend([Out::Date(one.range.from), opt_date(one.range.until)]),
                _ => {
                    return Err(Error::Write {
                        what: "student",
                        key: s.id.to_string(),
                        reason: format!(
                            "the household holds {} spells of {kind}: write a households file instead",
                            spells.len()
                        ),
                    });
                }
            }
        }
        t.rows.push(row);
    }
    write_table(out.into(), &t, opts)
}

/// Write households in long format: one status spell a row. A household
/// with no status is written as no row, so it cannot be read back: an
/// [`Error::Write`].
///
/// # Errors
/// [`Error::Write`], or a failure to write.
pub fn write_households<'a>(
    out: impl Into<Output<'a>>,
    households: &[Household],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Households);
    for h in households {
        if h.statuses.is_empty() {
            return Err(Error::Write {
                what: "household",
                key: h.id.to_string(),
                reason: "a household with no status has no row in a households file".into(),
            });
        }
        for s in &h.statuses {
            t.rows.push(vec![
                Out::Text(h.id.to_string()),
                code(s.kind, s.kind.chinese()),
                Out::Date(s.range.from),
                opt_date(s.range.until),
            ]);
        }
    }
    write_table(out.into(), &t, opts)
}

/// Write disbursements.
///
/// # Errors
/// A failure to write.
pub fn write_disbursements<'a>(
    out: impl Into<Output<'a>>,
    disbursements: &[Disbursement],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Disbursements);
    for d in disbursements {
        let program = match (opts.headers, opts.programs.chinese(&d.program)) {
            (Headers::Chinese, Some(zh)) => Out::Text(zh.to_string()),
            _ => Out::Text(d.program.to_string()),
        };
        let term = Out::Code(d.term.to_string(), "");
        let term = match (&term, opts.headers) {
            (_, Headers::Chinese) => Out::Text(d.term.to_chinese()),
            _ => term,
        };
        t.rows.push(vec![
            Out::Text(d.id.clone()),
            Out::Text(d.student_id.to_string()),
            program,
            term,
            Out::Money(d.amount),
            Out::Date(d.paid_on),
            code(d.channel, d.channel.chinese()),
        ]);
    }
    write_table(out.into(), &t, opts)
}

fn year(y: eduaid_model::SchoolYear, headers: Headers) -> Out {
    match headers {
        Headers::Chinese => Out::Text(y.to_chinese()),
        _ => Out::Int(clamped::<_, u64>(y.start_year())),
    }
}

/// Write grade counts.
///
/// # Errors
/// A failure to write.
pub fn write_grade_counts<'a>(
    out: impl Into<Output<'a>>,
    counts: &[GradeCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::GradeCounts);
    for g in counts {
        t.rows.push(vec![
            year(g.year, opts.headers),
            Out::Text(g.school_id.to_string()),
            Out::Text(g.township.clone()),
            code(g.locality, g.locality.chinese()),
            code(g.stage, g.stage.chinese()),
            Out::Int(u64::from(g.grade)),
            code(g.sex, g.sex.chinese()),
            code(g.poverty, g.poverty.chinese()),
            Out::Int(g.enrolled),
            Out::Int(g.new_entrants),
            Out::Int(g.repeaters),
            Out::Int(g.graduates),
            Out::Int(g.transfers_in),
            Out::Int(g.transfers_out),
            Out::Int(g.dropouts),
            Out::Int(g.deaths),
            Out::Int(g.temporary_in),
            Out::Int(g.suspended),
            Out::Int(g.other_in),
            Out::Int(g.other_out),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write school-age population counts.
///
/// # Errors
/// A failure to write.
pub fn write_population<'a>(
    out: impl Into<Output<'a>>,
    counts: &[PopulationCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Population);
    for p in counts {
        t.rows.push(vec![
            year(p.year, opts.headers),
            Out::Text(p.township.clone()),
            Out::Int(u64::from(p.age)),
            code(p.sex, p.sex.chinese()),
            Out::Int(p.count),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write disabled children counts.
///
/// # Errors
/// A failure to write.
pub fn write_disabled<'a>(
    out: impl Into<Output<'a>>,
    counts: &[DisabledChildrenCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Disabled);
    for d in counts {
        t.rows.push(vec![
            year(d.year, opts.headers),
            Out::Text(d.township.clone()),
            code(d.kind, d.kind.chinese()),
            Out::Int(u64::from(d.age)),
            code(d.sex, d.sex.chinese()),
            Out::Int(d.total),
            Out::Int(d.in_school),
        ]);
    }
    write_table(out.into(), &t, opts)
}

/// Write teacher counts.
///
/// # Errors
/// A failure to write.
pub fn write_teachers<'a>(
    out: impl Into<Output<'a>>,
    counts: &[TeacherCount],
    opts: &WriteOptions,
) -> Result<(), Error> {
    let mut t = Table::all(FileKind::Teachers);
    for c in counts {
        t.rows.push(vec![
            year(c.year, opts.headers),
            Out::Text(c.school_id.to_string()),
            code(c.stage, c.stage.chinese()),
            Out::Int(c.teachers),
        ]);
    }
    write_table(out.into(), &t, opts)
}

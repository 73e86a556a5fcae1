//! Students streamed to a file, batch by batch ([`StudentWriter`]).

use super::*;

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
pub(super) fn encode(s: &str, gbk: bool) -> Vec<u8> {
    if gbk {
        encoding_rs::GB18030.encode(s).0.into_owned()
    } else {
        s.as_bytes().to_vec()
    }
}

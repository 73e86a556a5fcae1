//! The streaming table writer: rows into a CSV, JSON or xlsx file, an xlsx
//! sheet continued past Excel's last row.

use super::*;

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

//! Where rows come from: CSV (streamed, UTF-8 or GB18030), JSON arrays,
//! JSON Lines (streamed) and xlsx sheets, all turned into [`Fields`] keyed by
//! the file kind's columns, with the header found, blank rows counted and
//! ragged rows rejected.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use crate::cell::Cell;
use crate::furniture::{Furniture, Sums};
use crate::{Encoding, Error, FileKind, Format, ReadOptions, RowError, UnknownColumns, Warning};

/// Where a file's bytes come from.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Input<'a> {
    /// A file on disk; its name also tells the format.
    Path(&'a Path),
    /// Bytes in memory, with the name used in reports (and, if it has an
    /// extension, to tell the format).
    Bytes {
        /// The name reports give the file.
        name: &'a str,
        /// The content.
        bytes: &'a [u8],
    },
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(p: &'a Path) -> Input<'a> {
        Input::Path(p)
    }
}

impl<'a> From<&'a std::path::PathBuf> for Input<'a> {
    fn from(p: &'a std::path::PathBuf) -> Input<'a> {
        Input::Path(p.as_path())
    }
}

impl<'a> From<&'a str> for Input<'a> {
    /// A path given as text.
    fn from(p: &'a str) -> Input<'a> {
        Input::Path(Path::new(p))
    }
}

impl<'a> Input<'a> {
    /// Bytes in memory named `name`.
    #[must_use]
    pub fn bytes(name: &'a str, bytes: &'a [u8]) -> Input<'a> {
        Input::Bytes { name, bytes }
    }

    /// The name reports use.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Input::Path(p) => p.display().to_string(),
            Input::Bytes { name, .. } => (*name).to_string(),
        }
    }

    pub(crate) fn format(&self, opts: &ReadOptions) -> Result<Format, Error> {
        if let Some(f) = opts.format {
            return Ok(f);
        }
        match self {
            Input::Path(p) => Format::from_path(p),
            Input::Bytes { name, .. } => Format::from_path(Path::new(name)),
        }
    }

    fn size(&self, max: u64) -> Result<u64, Error> {
        let file = self.name();
        let bytes = match self {
            Input::Path(p) => std::fs::metadata(p).map_err(|e| Error::io(&file, e))?.len(),
            Input::Bytes { bytes, .. } => u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        };
        if bytes > max {
            return Err(Error::TooLarge { file, bytes, max });
        }
        Ok(bytes)
    }

    fn open(&self, max: u64) -> Result<Box<dyn BufRead + 'a>, Error> {
        self.size(max)?;
        match self {
            Input::Path(p) => {
                let f = File::open(p).map_err(|e| Error::io(&self.name(), e))?;
                Ok(Box::new(BufReader::with_capacity(SNIFF, f)))
            }
            Input::Bytes { bytes, .. } => Ok(Box::new(Cursor::new(*bytes))),
        }
    }

    fn read_all(&self, max: u64) -> Result<Cow<'a, [u8]>, Error> {
        self.size(max)?;
        match self {
            Input::Path(p) => {
                let mut v = Vec::new();
                File::open(p)
                    .and_then(|f| f.take(max.saturating_add(1)).read_to_end(&mut v))
                    .map_err(|e| Error::io(&self.name(), e))?;
                let bytes = u64::try_from(v.len()).unwrap_or(u64::MAX);
                if bytes > max {
                    return Err(Error::TooLarge {
                        file: self.name(),
                        bytes,
                        max,
                    });
                }
                Ok(Cow::Owned(v))
            }
            Input::Bytes { bytes, .. } => Ok(Cow::Borrowed(bytes)),
        }
    }
}

/// How many bytes are looked at to detect a CSV's encoding.
const SNIFF: usize = 64 * 1024;
/// How many rows from the top may hold the header (title rows above it are
/// skipped with a warning).
const HEADER_SEARCH: usize = 10;

/// A cell-level fault found while parsing a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellError {
    /// The column as the file names it, if the fault is in one column.
    pub column: Option<String>,
    /// Why.
    pub reason: String,
}

impl CellError {
    pub(crate) fn row(reason: impl Into<String>) -> CellError {
        CellError {
            column: None,
            reason: reason.into(),
        }
    }
}

/// A column of a file kind found once, when the program is compiled: its
/// English name and its index in [`FileKind::columns`] (`None` if the kind
/// has no such column). A row reads the cell of a `Col` by index, with no
/// lookup of the name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    kind: FileKind,
    name: &'static str,
    index: Option<usize>,
}

impl Col {
    /// The column `name` (an English name) of `kind`: the first column of
    /// that name, as [`FileKind::index`] finds it.
    pub(crate) const fn of(kind: FileKind, name: &'static str) -> Col {
        let columns = kind.columns();
        let mut i = 0;
        let mut index = None;
        while i < columns.len() {
            if same_text(columns[i].name, name) {
                index = Some(i);
                break;
            }
            i += 1;
        }
        Col { kind, name, index }
    }
}

/// `a == b`, in a `const fn`.
const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A column as the row readers name it: an English name (looked up) or a
/// [`Col`] (found once).
pub(crate) trait ColumnKey: Copy {
    /// The column's English name.
    fn name(self) -> &'static str;
    /// The column's index in the columns of `kind`, if it has it.
    fn index(self, kind: FileKind) -> Option<usize>;
}

impl ColumnKey for &'static str {
    fn name(self) -> &'static str {
        self
    }
    fn index(self, kind: FileKind) -> Option<usize> {
        kind.index_static(self)
    }
}

impl ColumnKey for Col {
    fn name(self) -> &'static str {
        self.name
    }
    fn index(self, kind: FileKind) -> Option<usize> {
        if kind == self.kind {
            self.index
        } else {
            kind.index_static(self.name)
        }
    }
}

/// One data row, its cells keyed by the file kind's columns.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub line: u64,
    kind: FileKind,
    names: Arc<[String]>,
    /// Per column of the kind: the place of its cell in `cells`, if the
    /// file has the column; `None` when `cells` are in the kind's order.
    places: Option<Arc<[Option<usize>]>>,
    /// The cells, in the file's order (a tabular row, moved as it was
    /// read) or in the kind's (a JSON object).
    cells: Vec<Cell>,
}

impl Fields {
    fn idx(&self, name: impl ColumnKey) -> Option<usize> {
        name.index(self.kind)
    }

    /// The cell of column `name` (an English name); empty if absent.
    pub(crate) fn cell(&self, name: impl ColumnKey) -> &Cell {
        let place = |i: usize| match &self.places {
            Some(p) => p.get(i).copied().flatten(),
            None => Some(i),
        };
        self.idx(name)
            .and_then(place)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&Cell::Empty)
    }

    /// The header the file uses for column `name`.
    pub(crate) fn column_name(&self, name: impl ColumnKey) -> String {
        self.idx(name)
            .and_then(|i| self.names.get(i))
            .cloned()
            .unwrap_or_else(|| name.name().to_string())
    }

    /// An error in column `name`.
    pub(crate) fn err(&self, name: impl ColumnKey, reason: impl Into<String>) -> CellError {
        CellError {
            column: Some(self.column_name(name)),
            reason: reason.into(),
        }
    }

    /// An optional value. A blank cell (absent, empty or white space) is
    /// no value without asking `parse`: every cell parser reads a blank
    /// cell so (a test holds each of them to it), and most cells of a
    /// students file are blank status columns.
    pub(crate) fn get<T>(
        &self,
        name: impl ColumnKey,
        parse: impl FnOnce(&Cell) -> Result<Option<T>, String>,
    ) -> Result<Option<T>, CellError> {
        let cell = self.cell(name);
        if cell.is_blank() {
            return Ok(None);
        }
        parse(cell).map_err(|r| self.err(name, r))
    }

    /// A required value: an empty cell is an error.
    pub(crate) fn req<T>(
        &self,
        name: impl ColumnKey,
        parse: impl FnOnce(&Cell) -> Result<Option<T>, String>,
    ) -> Result<T, CellError> {
        self.get(name, parse)?
            .ok_or_else(|| self.err(name, "required value is missing"))
    }

    /// The text of column `name`, if readable (for naming a rejected row).
    pub(crate) fn text(&self, name: impl ColumnKey) -> Option<String> {
        self.cell(name).text().ok().flatten()
    }
}

/// What the reader found next.
#[derive(Debug)]
pub(crate) enum Item {
    /// A data row.
    Row(Fields),
    /// A row rejected before its cells were parsed (ragged, bad JSON).
    Bad(RowError),
    /// A blank row (every cell empty), not a record.
    Blank,
    /// A totals row or a note below the table, skipped with a warning.
    Skipped,
}

/// A raw row from one of the formats.
enum Raw {
    /// A tabular row: its line and cells.
    Cells(u64, Vec<Cell>),
    /// A JSON object: its line and its members, or why it is not one.
    Object(u64, Result<Vec<(String, Cell)>, String>),
    /// A blank line.
    Blank(u64),
    /// A row that could not be split into cells.
    BadRow(u64, String),
}

enum Inner<'a> {
    Csv {
        reader: Box<dyn BufRead + 'a>,
        utf8: bool,
        delimiter: u8,
        /// Whether a record that is one plain line is split in place
        /// ([`plain_record`]); off only in tests, to compare with the
        /// general reader.
        quick: bool,
        /// Physical lines consumed so far.
        line: u64,
        buf: Vec<u8>,
        /// The current record's cells, one after another, and where each
        /// ends: reused record to record.
        data: Vec<u8>,
        ends: Vec<usize>,
    },
    Rows(std::vec::IntoIter<Raw>),
    JsonLines {
        reader: Box<dyn BufRead + 'a>,
        line: u64,
        buf: Vec<u8>,
    },
    /// A Parquet file: its header (line 0), then its rows by number.
    Parquet(Box<crate::parquet_input::ParquetRows>),
}

struct Mapping {
    names: Arc<[String]>,
    /// Per file column: the kind's column index, if known.
    positions: Vec<Option<usize>>,
    /// Per column of the kind: its file column, if the file has it.
    places: Arc<[Option<usize>]>,
    /// Columns up to the last non-empty header cell.
    width: usize,
    /// The header text of each file column.
    headers: Vec<String>,
}

/// The rows of one file of one kind.
pub(crate) struct RowReader<'a> {
    pub file: String,
    pub kind: FileKind,
    pub format: Format,
    pub encoding: Option<&'static str>,
    /// The cell separator of a CSV (given or detected).
    pub delimiter: u8,
    pub warnings: Vec<Warning>,
    pub blank: u64,
    /// Totals rows and notes skipped.
    pub skipped: u64,
    sums: Sums,
    rows: u64,
    max_rows: u64,
    max_record: u64,
    unknown: UnknownColumns,
    inner: Inner<'a>,
    mapping: Option<Mapping>,
    pending: VecDeque<Raw>,
    warned: HashSet<String>,
    /// Rows done with ([`RowReader::recycle`]): the next rows' cells are
    /// read into their vectors and text buffers, so that a row's cells
    /// cost no allocation once the reader is under way.
    spare_rows: Vec<Vec<Cell>>,
    done: bool,
    next_line: u64,
    blanks: std::ops::Range<u64>,
    held: Option<Raw>,
}

impl<'a> RowReader<'a> {
    /// Open `input` as a file of `kind`.
    pub(crate) fn open(input: Input<'a>, kind: FileKind, opts: &ReadOptions) -> Result<RowReader<'a>, Error> {
        let file = input.name();
        let format = input.format(opts)?;
        let max = opts.limits.max_bytes;
        let mut encoding = None;
        let mut first_warnings = Vec::new();
        let mut delimiter = b',';
        let inner = match format {
            Format::Csv => {
                if let Some(d) = opts.delimiter {
                    if !d.is_ascii() || d.is_ascii_alphanumeric() || matches!(d, b'"' | b'\r' | b'\n') {
                        return Err(Error::Unsupported {
                            file,
                            reason: format!("{:?} cannot separate cells", char::from(d)),
                        });
                    }
                }
                let mut r = input.open(max)?;
                let Detected { utf8, doubt } = detect(&mut r, opts.encoding, &file)?;
                if let Some(message) = doubt {
                    first_warnings.push(Warning {
                        file: file.clone(),
                        line: 1,
                        message,
                    });
                }
                refuse_cr_only(&mut r, &file)?;
                let d = match opts.delimiter {
                    Some(d) => d,
                    None => {
                        let head = r.fill_buf().map_err(|e| Error::io(&file, e))?;
                        sniff_delimiter(head.get(..SNIFF).unwrap_or(head))
                    }
                };
                if !utf8 && d >= 0x40 {
                    // GB18030 trail bytes run from 0x40: such a separator
                    // would split Chinese characters.
                    return Err(Error::Unsupported {
                        file,
                        reason: format!("{:?} cannot separate cells of GB18030 text", char::from(d)),
                    });
                }
                encoding = Some(if utf8 { "UTF-8" } else { "GB18030" });
                delimiter = d;
                Inner::Csv {
                    reader: r,
                    utf8,
                    delimiter: d,
                    quick: true,
                    line: 0,
                    buf: Vec::new(),
                    data: Vec::new(),
                    ends: Vec::new(),
                }
            }
            Format::Xlsx => {
                let bytes = input.read_all(max)?;
                Inner::Rows(
                    xlsx_rows(bytes.into_owned(), opts.sheet.as_deref(), &file, &opts.limits.archive)?.into_iter(),
                )
            }
            Format::Parquet => {
                let (rows, warnings) = crate::parquet_input::ParquetRows::open(&input, kind, opts)?;
                first_warnings.extend(warnings);
                Inner::Parquet(rows)
            }
            Format::Json | Format::JsonLines => {
                let mut r = input.open(max)?;
                skip_bom(&mut r, &file)?;
                let first = first_byte(&mut r, &file)?;
                if format == Format::Json && first == Some(b'[') {
                    let mut v = Vec::new();
                    r.read_to_end(&mut v).map_err(|e| Error::io(&file, e))?;
                    Inner::Rows(json_array(&v, &file)?.into_iter())
                } else {
                    Inner::JsonLines {
                        reader: r,
                        line: 0,
                        buf: Vec::new(),
                    }
                }
            }
        };
        Ok(RowReader {
            file,
            kind,
            format,
            encoding,
            delimiter,
            warnings: first_warnings,
            blank: 0,
            skipped: 0,
            sums: Sums::default(),
            rows: 0,
            max_rows: opts.limits.max_rows,
            max_record: opts.limits.max_record,
            unknown: opts.unknown_columns,
            inner,
            mapping: None,
            pending: VecDeque::new(),
            warned: HashSet::new(),
            spare_rows: Vec::new(),
            done: false,
            next_line: 1,
            blanks: 0..0,
            held: None,
        })
    }

    fn raw(&mut self) -> Result<Option<Raw>, Error> {
        if let Some(r) = self.pending.pop_front() {
            return Ok(Some(r));
        }
        // Blank lines a tabular source skipped come before the row that
        // follows them.
        if self.blanks.start < self.blanks.end {
            let line = self.blanks.start;
            self.blanks.start += 1;
            return Ok(Some(Raw::Blank(line)));
        }
        if let Some(r) = self.held.take() {
            return Ok(Some(r));
        }
        let max_record = self.max_record;
        let raw = match &mut self.inner {
            Inner::Rows(it) => it.next(),
            Inner::Parquet(rows) => rows
                .next_row(self.spare_rows.pop().unwrap_or_default())?
                .map(|(line, cells)| Raw::Cells(line, cells)),
            Inner::JsonLines { reader, line, buf } => {
                buf.clear();
                let file = &self.file;
                let (n, whole) = read_line_bounded(reader.as_mut(), buf, max_record).map_err(|e| Error::io(file, e))?;
                if n == 0 {
                    return Ok(None);
                }
                *line += 1;
                if !whole {
                    if buf.last() != Some(&b'\n') {
                        skip_line(reader.as_mut()).map_err(|e| Error::io(file, e))?;
                    }
                    buf.clear();
                    return Ok(Some(Raw::Object(*line, Err(too_long(max_record, "line")))));
                }
                let text = buf.trim_ascii();
                if text.is_empty() {
                    return Ok(Some(Raw::Blank(*line)));
                }
                return Ok(Some(Raw::Object(*line, json_object(text))));
            }
            Inner::Csv {
                reader,
                utf8,
                delimiter,
                quick,
                line,
                buf,
                data,
                ends,
            } => {
                let file = &self.file;
                let mut record = CsvBuffers { line: buf, data, ends };
                csv_row(
                    reader.as_mut(),
                    CsvRead {
                        utf8: *utf8,
                        delimiter: *delimiter,
                        quick: *quick,
                        max: max_record,
                    },
                    line,
                    &mut record,
                    &mut self.spare_rows,
                )
                .map_err(|e| Error::io(file, e))?
            }
        };
        match raw {
            Some(Raw::Cells(line, cells)) if self.format == Format::Xlsx => {
                let gap_from = self.next_line;
                self.next_line = line + 1;
                if line.saturating_sub(gap_from) > self.max_rows {
                    return Err(Error::TooManyRows {
                        file: self.file.clone(),
                        line,
                        max: self.max_rows,
                    });
                }
                Ok(Some(self.after_gap(gap_from, Raw::Cells(line, cells))))
            }
            other => Ok(other),
        }
    }

    /// `raw` starts on line `line`; if lines from `gap_from` were skipped,
    /// return the first as blank and hold the rest.
    fn after_gap(&mut self, gap_from: u64, raw: Raw) -> Raw {
        let line = match &raw {
            Raw::Cells(l, _) | Raw::Object(l, _) | Raw::Blank(l) | Raw::BadRow(l, _) => *l,
        };
        if line > gap_from {
            self.blanks = gap_from + 1..line;
            self.held = Some(raw);
            Raw::Blank(gap_from)
        } else {
            raw
        }
    }

    /// Whether the header, once found, has the kind's column `name`;
    /// `None` before the header is read and for JSON, whose rows name
    /// their own keys.
    pub(crate) fn has_column(&self, name: &str) -> Option<bool> {
        let i = self.kind.index(name)?;
        self.mapping.as_ref().map(|m| m.positions.contains(&Some(i)))
    }

    /// The next item, or `None` at the end.
    pub(crate) fn next_item(&mut self) -> Result<Option<Item>, Error> {
        if self.done {
            return Ok(None);
        }
        let r = self.next_inner();
        if r.is_err() {
            self.done = true;
        }
        r
    }

    fn next_inner(&mut self) -> Result<Option<Item>, Error> {
        if self.mapping.is_none() && !self.is_json_rows() {
            self.find_header()?;
        }
        let Some(raw) = self.raw()? else {
            self.done = true;
            return Ok(None);
        };
        let line = match &raw {
            Raw::Cells(l, _) | Raw::Object(l, _) | Raw::Blank(l) | Raw::BadRow(l, _) => *l,
        };
        self.rows += 1;
        if self.rows > self.max_rows {
            self.done = true;
            return Err(Error::TooManyRows {
                file: self.file.clone(),
                line,
                max: self.max_rows,
            });
        }
        match raw {
            Raw::Blank(_) => {
                self.blank += 1;
                Ok(Some(Item::Blank))
            }
            Raw::Cells(line, cells) => Ok(Some(self.tabular(line, cells))),
            Raw::BadRow(line, reason) => Ok(Some(Item::Bad(self.bad(line, None, reason)))),
            Raw::Object(line, Err(reason)) => Ok(Some(Item::Bad(self.bad(line, None, reason)))),
            Raw::Object(line, Ok(members)) => self.object(line, members).map(Some),
        }
    }

    fn is_json_rows(&self) -> bool {
        matches!(self.format, Format::Json | Format::JsonLines)
    }

    fn bad(&self, line: u64, column: Option<String>, reason: String) -> RowError {
        RowError {
            file: self.file.clone(),
            line,
            column,
            key: None,
            reason,
        }
    }

    fn warn(&mut self, line: u64, message: String) {
        self.warnings.push(Warning {
            file: self.file.clone(),
            line,
            message,
        });
    }

    fn find_header(&mut self) -> Result<(), Error> {
        let mut seen = Vec::new();
        while seen.iter().filter(|r| matches!(r, Raw::Cells(..))).count() < HEADER_SEARCH {
            match self.raw()? {
                Some(r) => seen.push(r),
                None => break,
            }
        }
        let cols = self.kind.columns();
        let required = cols.iter().filter(|c| c.required).count();
        let score = |cells: &[Cell]| {
            let found: HashSet<usize> = cells
                .iter()
                .filter_map(|c| c.text().ok().flatten())
                .filter_map(|t| self.kind.find(&t))
                .filter(|i| cols.get(*i).is_some_and(|c| c.required))
                .collect();
            found.len()
        };
        let single = seen
            .iter()
            .position(|r| matches!(r, Raw::Cells(_, c) if score(c) == required));
        // A header of two rows (merged cells: a group title above its
        // columns, or a name merged down over both rows): each column takes
        // the lower row's text, or the upper's where the lower is empty.
        let two = || {
            seen.windows(2).enumerate().find_map(|(i, w)| match w {
                [Raw::Cells(_, a), Raw::Cells(l, b)] => {
                    let merged = merge_header(a, b);
                    (score(&merged) == required).then_some((i, *l, merged))
                }
                _ => None,
            })
        };
        let (pick, merged) = match single {
            Some(p) => (Some(p), None),
            None => match two() {
                Some((i, l, m)) => (Some(i), Some((l, m))),
                None => (
                    seen.iter()
                        .position(|r| matches!(r, Raw::Cells(_, c) if c.iter().any(|x| !x.is_blank()))),
                    None,
                ),
            },
        };
        let Some(pick) = pick else {
            return Err(Error::NoHeader {
                file: self.file.clone(),
            });
        };
        let mut rest: VecDeque<Raw> = seen.split_off(pick).into();
        let Some(Raw::Cells(first_line, first)) = rest.pop_front() else {
            return Err(Error::NoHeader {
                file: self.file.clone(),
            });
        };
        let (header_line, header) = match merged {
            Some((l, m)) => {
                rest.pop_front();
                self.warn(
                    first_line,
                    format!("lines {first_line} and {l} are read as one header (merged header cells)"),
                );
                (l, m)
            }
            None => (first_line, first),
        };
        for r in &seen {
            match r {
                Raw::Cells(l, c) if c.iter().any(|x| !x.is_blank()) => {
                    self.warn(*l, format!("line {l} above the header is ignored (a title row?)"));
                }
                Raw::BadRow(l, reason) => self.warn(*l, format!("line {l} above the header is ignored: {reason}")),
                _ => {}
            }
        }
        rest.append(&mut self.pending);
        self.pending = rest;
        let texts: Vec<String> = header
            .iter()
            .map(|c| c.text().ok().flatten().unwrap_or_default())
            .collect();
        let width = texts.iter().rposition(|t| !t.is_empty()).map_or(0, |p| p + 1);
        let mut names: Vec<String> = cols.iter().map(|c| c.name.to_string()).collect();
        let mut positions = vec![None; width];
        let mut by_col: Vec<Option<String>> = vec![None; cols.len()];
        for (pos, text) in texts.iter().take(width).enumerate() {
            if text.is_empty() {
                self.warn(header_line, format!("column {} has no header and is ignored", pos + 1));
                continue;
            }
            match self.kind.find(text) {
                Some(i) => {
                    if let Some(first) = &by_col[i] {
                        return Err(Error::DuplicateColumn {
                            file: self.file.clone(),
                            line: header_line,
                            column: cols[i].name,
                            first: first.clone(),
                            second: text.clone(),
                        });
                    }
                    by_col[i] = Some(text.clone());
                    names[i].clone_from(text);
                    positions[pos] = Some(i);
                }
                None => self.unknown_column(header_line, text)?,
            }
        }
        if let Some(c) = cols
            .iter()
            .zip(&by_col)
            .find(|(c, b)| c.required && b.is_none())
            .map(|(c, _)| c)
        {
            if let Some(other) = self.other_separator(&texts) {
                return Err(Error::Malformed {
                    file: self.file.clone(),
                    line: header_line,
                    reason: format!(
                        "missing required column {} ({}): the header is read as one cell, and the separator looks \
                         like {other}: use --delimiter (ReadOptions::delimiter)",
                        c.name, c.chinese
                    ),
                });
            }
            return Err(Error::MissingColumn {
                file: self.file.clone(),
                line: header_line,
                column: c.name,
                chinese: c.chinese,
            });
        }
        let key = self
            .kind
            .key_column()
            .and_then(|k| self.kind.index(k))
            .and_then(|k| positions.iter().position(|p| *p == Some(k)));
        self.sums = Sums::new(key, width);
        let mut places = vec![None; cols.len()];
        for (pos, i) in positions.iter().enumerate() {
            if let Some(slot) = i.and_then(|i| places.get_mut(i)) {
                *slot = Some(pos);
            }
        }
        self.mapping = Some(Mapping {
            names: names.into(),
            places: places.into(),
            positions,
            width,
            headers: texts.into_iter().take(width).collect(),
        });
        Ok(())
    }

    /// The separator a CSV header read as one cell seems to use instead:
    /// `;`, `|` or a tab, shown for a message.
    fn other_separator(&self, header: &[String]) -> Option<&'static str> {
        if self.format != Format::Csv || header.iter().filter(|t| !t.is_empty()).count() > 1 {
            return None;
        }
        let cell = header.iter().find(|t| !t.is_empty())?;
        [('\t', "a tab ('\\t')"), (';', "`;`"), ('|', "`|`"), (',', "`,`")]
            .into_iter()
            .filter(|(c, _)| u8::try_from(*c).ok() != Some(self.delimiter))
            .find(|(c, _)| cell.contains(*c))
            .map(|(_, shown)| shown)
    }

    fn unknown_column(&mut self, line: u64, text: &str) -> Result<(), Error> {
        match self.unknown {
            UnknownColumns::Reject => Err(Error::UnknownColumn {
                file: self.file.clone(),
                line,
                column: text.to_string(),
            }),
            _ => {
                if self.warned.insert(text.to_string()) {
                    self.warn(line, format!("unknown column {text:?} is ignored"));
                }
                Ok(())
            }
        }
    }

    fn tabular(&mut self, line: u64, cells: Vec<Cell>) -> Item {
        if cells.iter().all(Cell::is_blank) {
            self.blank += 1;
            return Item::Blank;
        }
        if self.mapping.is_none() {
            return Item::Bad(self.bad(line, None, "no header".into()));
        }
        if let Some(f) = self.sums.classify(&cells) {
            return self.furniture(line, &cells, f);
        }
        let Some(m) = &self.mapping else {
            return Item::Bad(self.bad(line, None, "no header".into()));
        };
        let n = cells.len();
        let csv = matches!(self.inner, Inner::Csv { .. });
        if (csv && n < m.width) || cells.iter().skip(m.width).any(|c| !c.is_blank()) {
            let reason = format!("the row has {n} cells but the header has {}", m.width);
            return Item::Bad(self.bad(line, None, reason));
        }
        add_numbers(&mut self.sums, &cells);
        Item::Row(Fields {
            line,
            kind: self.kind,
            names: Arc::clone(&m.names),
            places: Some(Arc::clone(&m.places)),
            cells,
        })
    }

    /// Skip a totals row or a note line with one warning (one for a block
    /// of note lines), checking a totals row's sums.
    fn furniture(&mut self, line: u64, cells: &[Cell], f: Furniture) -> Item {
        self.skipped += 1;
        match f {
            Furniture::Totals(label) => {
                let headers = self.mapping.as_ref().map(|m| m.headers.clone()).unwrap_or_default();
                let check = self.sums.check(cells, &headers);
                let label = label.map_or_else(|| "an unlabelled sum row".to_string(), |l| format!("a {l} row"));
                self.warn(
                    line,
                    format!("line {line} is skipped as {label} (totals, not a record): {check}"),
                );
            }
            Furniture::Note(false) => {
                let first = cells
                    .iter()
                    .find_map(|c| c.text().ok().flatten())
                    .map(|t| crate::clip(&t).into_owned())
                    .unwrap_or_default();
                self.warn(
                    line,
                    format!("line {line} is skipped as a note below the table: {first:?}"),
                );
            }
            Furniture::Note(true) => {}
        }
        Item::Skipped
    }

    /// Take back a row's cells once it is parsed: the vector and its text
    /// buffers serve the next rows.
    pub(crate) fn recycle(&mut self, fields: Fields) {
        let mut cells = fields.cells;
        if self.spare_rows.len() >= MAX_SPARE_ROWS || cells.len() > MAX_COLUMNS {
            return;
        }
        // A buffer a long cell grew is not kept.
        for c in &mut cells {
            if matches!(c, Cell::Text(s) if s.capacity() > MAX_SPARE_BYTES) {
                *c = Cell::Empty;
            }
        }
        self.spare_rows.push(cells);
    }

    fn object(&mut self, line: u64, members: Vec<(String, Cell)>) -> Result<Item, Error> {
        let cols = self.kind.columns();
        let mut names: Vec<String> = cols.iter().map(|c| c.name.to_string()).collect();
        let mut cells = vec![Cell::Empty; cols.len()];
        let mut given: Vec<Option<String>> = vec![None; cols.len()];
        for (key, cell) in members {
            match self.kind.find(&key) {
                Some(i) => {
                    if let Some(first) = &given[i] {
                        let reason = format!("members {first:?} and {key:?} both give {}", cols[i].name);
                        return Ok(Item::Bad(self.bad(line, Some(key), reason)));
                    }
                    given[i] = Some(key.clone());
                    names[i] = key;
                    cells[i] = cell;
                }
                None => self.unknown_column(line, &key)?,
            }
        }
        if cells.iter().all(Cell::is_blank) {
            self.blank += 1;
            return Ok(Item::Blank);
        }
        Ok(Item::Row(Fields {
            line,
            kind: self.kind,
            names: names.into(),
            places: None,
            cells,
        }))
    }
}

/// The most row vectors a reader keeps for reuse.
const MAX_SPARE_ROWS: usize = 4;
/// A buffer above this size is not kept for reuse (a rare long record).
const MAX_SPARE_BYTES: usize = 1 << 16;

/// ASCII text is a number only if, white space and commas dropped, it
/// is digits, points and a leading minus: a date (`2016-10-24`) is not.
fn may_be_number(c: &Cell) -> bool {
    match c {
        Cell::Empty => false,
        Cell::Text(s) => {
            let b = s.as_bytes();
            match b.first() {
                // An empty cell holds no number, and most cells open with a
                // letter (ids, codes, yes/no), which no number has.
                None => false,
                Some(c) if c.is_ascii_alphabetic() => false,
                _ if !s.is_ascii() => true,
                _ => {
                    let mut first = true;
                    for &b in b {
                        match b {
                            // White space (as `char::is_whitespace` has it
                            // in ASCII) and commas are passed over.
                            b',' | b'\t'..=b'\r' | b' ' => continue,
                            b'0'..=b'9' | b'.' => {}
                            b'-' if first => {}
                            _ => return false,
                        }
                        first = false;
                    }
                    true
                }
            }
        }
        _ => true,
    }
}

/// [`Sums::add_if`] on a row's cells, looking only at those that may hold
/// a number: ASCII text with a letter or other sign no number has is
/// never one, and reading every id, name and yes/no cell as a possible
/// number was most of a load's allocations.
fn add_numbers(sums: &mut Sums, cells: &[Cell]) {
    sums.add_if(cells, may_be_number);
}

/// Two header rows as one: each column's lower text, or its upper text
/// where the lower cell is empty.
fn merge_header(upper: &[Cell], lower: &[Cell]) -> Vec<Cell> {
    (0..upper.len().max(lower.len()))
        .map(|i| match (upper.get(i), lower.get(i)) {
            (_, Some(l)) if !l.is_blank() => l.clone(),
            (Some(u), _) => u.clone(),
            _ => Cell::Empty,
        })
        .collect()
}

/// Why a record over `max` bytes is refused.
fn too_long(max: u64, what: &str) -> String {
    let size = if max >= 1 << 20 && max % (1 << 20) == 0 {
        format!("{} MiB", max >> 20)
    } else {
        format!("{max} bytes")
    };
    format!("a {what} longer than {size} (the limit of one record; an unclosed quote?)")
}

/// Read up to and including the next `\n` into `buf`, but never more than
/// `max + 1` bytes in all: returns the bytes read and whether the line
/// ended (a `\n` or the end of the file) within `max` bytes. A line over
/// the limit is never held whole; the caller skips its rest.
fn read_line_bounded(reader: &mut dyn BufRead, buf: &mut Vec<u8>, max: u64) -> std::io::Result<(usize, bool)> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut n = 0usize;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((n, n <= max));
        }
        let room = max.saturating_add(1).saturating_sub(buf.len());
        let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) if i < room => (i + 1, true),
            _ => (chunk.len().min(room), false),
        };
        buf.extend_from_slice(chunk.get(..take).unwrap_or_default());
        reader.consume(take);
        n += take;
        if end {
            return Ok((n, buf.len() <= max));
        }
        if buf.len() > max {
            return Ok((n, false));
        }
    }
}

/// Skip to just past the next `\n` (or the end), holding nothing; returns
/// whether a `\n` was found.
fn skip_line(reader: &mut dyn BufRead) -> std::io::Result<bool> {
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(false);
        }
        match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(true);
            }
            None => {
                let len = chunk.len();
                reader.consume(len);
            }
        }
    }
}

/// One byte of a record being skipped: moves `state` through the quotes;
/// true at the line end that ends the record.
fn skip_step(state: &mut CsvState, b: u8, delimiter: u8) -> bool {
    match *state {
        CsvState::Quoted => {
            if b == b'"' {
                *state = CsvState::AfterQuote;
            }
        }
        CsvState::AfterQuote if b == b'"' => *state = CsvState::Quoted,
        _ if b == b'\n' => return true,
        _ if b == delimiter => *state = CsvState::Start,
        CsvState::Start if b == b'"' => *state = CsvState::Quoted,
        _ => *state = CsvState::Plain,
    }
    false
}

/// Skip the rest of a record, from `state`, holding nothing: to the line
/// end outside quotes, or the end of the file. Counts the lines passed.
fn skip_record(reader: &mut dyn BufRead, state: &mut CsvState, delimiter: u8, line: &mut u64) -> std::io::Result<()> {
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(());
        }
        let mut used = 0;
        let mut done = false;
        for &b in chunk {
            used += 1;
            if skip_step(state, b, delimiter) {
                done = true;
                break;
            }
            if b == b'\n' {
                *line += 1;
            }
        }
        reader.consume(used);
        if done {
            return Ok(());
        }
    }
}

/// How a CSV is read: its encoding, separator, whether the quick path is
/// on, and the longest record.
#[derive(Clone, Copy)]
struct CsvRead {
    utf8: bool,
    delimiter: u8,
    quick: bool,
    max: u64,
}

/// The next CSV record as a row of cells (written into a spare row's
/// vector and text buffers), its first line, or why it cannot be split.
fn csv_row(
    reader: &mut dyn BufRead,
    how: CsvRead,
    line: &mut u64,
    record: &mut CsvBuffers<'_>,
    spare_rows: &mut Vec<Vec<Cell>>,
) -> std::io::Result<Option<Raw>> {
    let mut cells = spare_rows.pop().unwrap_or_default();
    if how.quick {
        if let Some(start) = plain_record(reader, how, line, record.ends, &mut cells)? {
            return Ok(Some(Raw::Cells(start, cells)));
        }
    }
    match csv_record_into(reader, how.delimiter, line, record, how.max)? {
        None => {
            spare_rows.push(cells);
            Ok(None)
        }
        Some((start, Ok(()))) => {
            // UTF-8 checked once for the record; a cell is then a slice of
            // it (cells end at ASCII separators).
            let whole = if how.utf8 {
                std::str::from_utf8(record.data).ok()
            } else {
                None
            };
            cells.truncate(record.ends.len());
            let mut from = 0;
            for (i, &end) in record.ends.iter().enumerate() {
                let text = match whole.and_then(|w| w.get(from..end)) {
                    Some(t) => Ok(Cow::Borrowed(t)),
                    None => decode(record.data.get(from..end).unwrap_or_default(), how.utf8),
                };
                from = end;
                put(&mut cells, i, text);
            }
            Ok(Some(Raw::Cells(start, cells)))
        }
        Some((start, Err(reason))) => {
            spare_rows.push(cells);
            Ok(Some(Raw::BadRow(start, reason)))
        }
    }
}

/// Cell `i` of a row being filled: its text buffer reused if it has one.
fn put(cells: &mut Vec<Cell>, i: usize, text: Result<Cow<'_, str>, &'static str>) {
    match cells.get_mut(i) {
        Some(slot) => fill(slot, text),
        None => {
            let mut c = Cell::Empty;
            fill(&mut c, text);
            cells.push(c);
        }
    }
}

/// [`put`] of text known to be valid.
#[inline]
fn put_text(cells: &mut Vec<Cell>, i: usize, text: &str) {
    match cells.get_mut(i) {
        Some(Cell::Text(s)) => {
            s.clear();
            // Only a cell opening with `'` may be escaped.
            s.push_str(if text.starts_with('\'') {
                crate::csv_unescape(text)
            } else {
                text
            });
        }
        _ => put(cells, i, Ok(Cow::Borrowed(text))),
    }
}

/// The quick path of the CSV reader: a record that is one whole line in
/// the reader's buffer and holds no quote is split where it lies (no copy
/// of the line; one search for separators, quotes and the line end), its
/// cells written into `cells`. What [`csv_record_into`] reads such a line
/// as: the cells between separators, one carriage return before the line
/// feed dropped (property test). Returns the record's line, or `None`,
/// having consumed nothing, when the next record is not such a line (a
/// quote, no line feed in the buffer, a line over `how.max` bytes, the
/// end of the file): the general reader then reads it.
fn plain_record(
    reader: &mut dyn BufRead,
    how: CsvRead,
    line: &mut u64,
    ends: &mut Vec<usize>,
    cells: &mut Vec<Cell>,
) -> std::io::Result<Option<u64>> {
    let chunk = match reader.fill_buf() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
        Err(e) => return Err(e),
    };
    ends.clear();
    // A line feed past the record limit makes a record the general reader
    // refuses: look no further (and hold no more separators) than that.
    let limit = usize::try_from(how.max).unwrap_or(usize::MAX);
    let Some(nl) = special_bytes(chunk.get(..limit).unwrap_or(chunk), how.delimiter, ends) else {
        return Ok(None);
    };
    if u64::try_from(nl).map_or(true, |n| n >= how.max) {
        return Ok(None);
    }
    let body_end = match nl.checked_sub(1) {
        Some(cr) if chunk.get(cr) == Some(&b'\r') => cr,
        _ => nl,
    };
    let body = chunk.get(..body_end).unwrap_or_default();
    cells.truncate(ends.len() + 1);
    let last = std::iter::once(body_end);
    match std::str::from_utf8(body) {
        Ok(whole) if how.utf8 => {
            let mut from = 0;
            for (i, end) in ends.iter().copied().chain(last).enumerate() {
                put_text(cells, i, whole.get(from..end).unwrap_or_default());
                from = end + 1;
            }
        }
        _ => {
            let mut from = 0;
            for (i, end) in ends.iter().copied().chain(last).enumerate() {
                put(cells, i, decode(body.get(from..end).unwrap_or_default(), how.utf8));
                from = end + 1;
            }
        }
    }
    reader.consume(nl + 1);
    *line += 1;
    Ok(Some(*line))
}

/// The first line of `chunk` if it holds no quote: where its line feed
/// is, with the places of its separators pushed to `ends`; `None` at a
/// quote or if `chunk` has no line feed. Reads 32 bytes at a time, one
/// bit per byte that is a separator, a quote or a line feed.
fn special_bytes(chunk: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    let mut blocks = chunk.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        let mut mask = 0u32;
        for (j, &b) in block.iter().enumerate() {
            mask |= u32::from(b == delimiter || b == b'"' || b == b'\n') << j;
        }
        while mask != 0 {
            let j = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            match block.get(j) {
                Some(b'\n') => return Some(base + j),
                Some(b'"') => return None,
                _ => ends.push(base + j),
            }
        }
        base += 32;
    }
    for (j, &b) in blocks.remainder().iter().enumerate() {
        if b == b'\n' {
            return Some(base + j);
        } else if b == b'"' {
            return None;
        } else if b == delimiter {
            ends.push(base + j);
        }
    }
    None
}

/// One CSV record: its first line, and its cells or why it has none.
#[cfg(test)]
type CsvRecord = (u64, Result<Vec<Vec<u8>>, String>);

/// The buffers one CSV record is read into, reused record to record: the
/// physical line being read, the cells' bytes one after another, and where
/// each cell ends.
struct CsvBuffers<'b> {
    line: &'b mut Vec<u8>,
    data: &'b mut Vec<u8>,
    ends: &'b mut Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CsvState {
    /// At the start of a cell.
    Start,
    /// In a cell that did not start with a quote.
    Plain,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: the closing quote, or the first of
    /// a doubled one.
    AfterQuote,
}

/// Read one CSV record (RFC 4180: `delimiter`, usually `,`, separates, `"` quotes, `""` is a
/// quote inside quotes, a quoted cell may span lines) and the physical line
/// it starts on. Works on bytes, so it serves UTF-8 and GB18030 alike: no
/// GB18030 multi-byte sequence contains an ASCII byte below `0x30`, `;`,
/// `"`, CR or LF (its trail bytes are `0x30`–`0x39` and `0x40`–`0xFE`), so
/// `,`, `;` and tab are safe separators. A blank line is
/// a record of one empty cell. A quote inside an unquoted cell is kept as
/// text.
///
/// A record over `max` bytes is refused as it is read, never held whole:
/// the rest of its line is skipped, or, inside an open quote (where the
/// record cannot be delimited), the rest of the file.
#[cfg(test)]
fn csv_record(
    reader: &mut dyn BufRead,
    delimiter: u8,
    line: &mut u64,
    buf: &mut Vec<u8>,
    max: u64,
) -> std::io::Result<Option<CsvRecord>> {
    let (mut data, mut ends) = (Vec::new(), Vec::new());
    let mut record = CsvBuffers {
        line: buf,
        data: &mut data,
        ends: &mut ends,
    };
    let Some((start, outcome)) = csv_record_into(reader, delimiter, line, &mut record, max)? else {
        return Ok(None);
    };
    let fields = outcome.map(|()| {
        let mut from = 0;
        ends.iter()
            .map(|&end| {
                let f = data.get(from..end).unwrap_or_default().to_vec();
                from = end;
                f
            })
            .collect()
    });
    Ok(Some((start, fields)))
}

/// [`csv_record`] into reused buffers: on `Ok(())` the record's cells are
/// in `record.data`, each ending where `record.ends` says.
fn csv_record_into(
    reader: &mut dyn BufRead,
    delimiter: u8,
    line: &mut u64,
    record: &mut CsvBuffers<'_>,
    max: u64,
) -> std::io::Result<Option<(u64, Result<(), String>)>> {
    let start = *line + 1;
    let CsvBuffers { line: buf, data, ends } = record;
    // A buffer a long record grew is not kept.
    if data.capacity() > MAX_SPARE_BYTES {
        **data = Vec::new();
    }
    data.clear();
    ends.clear();
    let mut state = CsvState::Start;
    let mut size = 0u64;
    loop {
        buf.clear();
        let left = max.saturating_sub(size);
        let (n, whole) = read_line_bounded(reader, buf, left)?;
        if n == 0 {
            if *line + 1 == start {
                return Ok(None);
            }
            // End of file inside quotes.
            return Ok(Some((
                start,
                Err("a quoted cell that starts on this line is never closed".into()),
            )));
        }
        *line += 1;
        size = size.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
        if !whole {
            // Follow the quotes through what was read and the rest of the
            // record, holding none of it.
            **data = Vec::new();
            ends.clear();
            let mut ended = false;
            for &b in buf.iter() {
                if skip_step(&mut state, b, delimiter) {
                    // The line end that ends the record was the last byte
                    // read (one past the limit).
                    ended = true;
                } else if b == b'\n' {
                    *line += 1;
                }
            }
            buf.clear();
            if !ended {
                skip_record(reader, &mut state, delimiter, line)?;
            }
            // The line count already holds the line the record started on.
            return Ok(Some((start, Err(too_long(max, "record")))));
        }
        let len = buf.len();
        data.reserve(len);
        for (i, &b) in buf.iter().enumerate() {
            let line_end = b == b'\n' || (b == b'\r' && (i + 1 == len || buf.get(i + 1) == Some(&b'\n')));
            match state {
                CsvState::Quoted => {
                    if b == b'"' {
                        state = CsvState::AfterQuote;
                    } else {
                        data.push(b);
                    }
                }
                CsvState::AfterQuote if b == b'"' => {
                    data.push(b'"');
                    state = CsvState::Quoted;
                }
                _ if line_end => {}
                _ if b == delimiter => {
                    ends.push(data.len());
                    state = CsvState::Start;
                }
                CsvState::Start if b == b'"' => state = CsvState::Quoted,
                _ => {
                    data.push(b);
                    state = CsvState::Plain;
                }
            }
        }
        if state != CsvState::Quoted {
            ends.push(data.len());
            return Ok(Some((start, Ok(()))));
        }
    }
}

fn skip_bom(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<bool, Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
        return Ok(true);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::Unsupported {
            file: file.to_string(),
            reason: "UTF-16 text (Excel's \"Unicode text\") is not read: save as CSV UTF-8".into(),
        });
    }
    Ok(false)
}

fn first_byte(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<Option<u8>, Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    // A buffer of nothing but white space is read as JSON Lines (blank).
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()).copied())
}

/// Refuse a CSV whose lines end in a carriage return alone (classic Mac OS,
/// Excel for Mac's "CSV (Macintosh)"): read by LF it would be one line, and
/// its header would swallow the data. Recognised when the first 64 KiB hold
/// a CR not before an LF and no LF at all.
fn refuse_cr_only(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<(), Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    let head = head.get(..SNIFF).unwrap_or(head);
    let lone_cr = head
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && head.get(i + 1).is_some_and(|&n| n != b'\n'));
    if lone_cr && !head.contains(&b'\n') {
        return Err(Error::Unsupported {
            file: file.to_string(),
            reason: "lines end in a carriage return alone (old Mac line endings): save the file with \
                     Windows (CRLF) or Unix (LF) line endings"
                .into(),
        });
    }
    Ok(())
}

/// The encoding a CSV was found to be in.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Detected {
    /// True for UTF-8, false for GB18030.
    utf8: bool,
    /// Why the choice is doubtful, if it is.
    doubt: Option<String>,
}

/// Decide the encoding of a CSV.
fn detect(r: &mut Box<dyn BufRead + '_>, declared: Encoding, file: &str) -> Result<Detected, Error> {
    let sure = |utf8| Detected { utf8, doubt: None };
    let bom = skip_bom(r, file)?;
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    if head.starts_with(&[0x84, 0x31, 0x95, 0x33]) {
        r.consume(4);
        return Ok(sure(false));
    }
    Ok(match declared {
        Encoding::Utf8 => sure(true),
        Encoding::Gb18030 => sure(false),
        _ if bom => sure(true),
        _ => match std::str::from_utf8(head) {
            Ok(text) => judge(text, head),
            // An incomplete sequence at the end of the sniffed block is
            // cut by the buffer, not a fault.
            Err(e) if e.error_len().is_none() => {
                let valid = head.get(..e.valid_up_to()).unwrap_or_default();
                judge(std::str::from_utf8(valid).unwrap_or_default(), valid)
            }
            Err(_) => sure(false),
        },
    })
}

/// Valid UTF-8 text that is also valid GB18030: which reading is Chinese?
///
/// Both decodings of the whole sniffed sample are scored, as chardetng
/// does, by how plausible their characters are in a county's file (see
/// [`plausibility`]). GB18030 is chosen when it scores clearly higher
/// (by [`CLEAR_MARGIN`] a character); a smaller lead keeps UTF-8 with a
/// doubt (a warning) naming the `--encoding` option.
fn judge(text: &str, bytes: &[u8]) -> Detected {
    let utf8 = |doubt| Detected { utf8: true, doubt };
    if text.is_ascii() {
        return utf8(None);
    }
    // A trail byte cut at the end of the block is not a GB18030 fault.
    let gb = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .or_else(|| {
            let cut = bytes.len().saturating_sub(1);
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes.get(..cut)?)
        });
    let Some(gb) = gb else {
        return utf8(None);
    };
    let (as_utf8, as_gb) = (plausibility(text), plausibility(&gb));
    if as_gb >= as_utf8 + CLEAR_MARGIN {
        Detected {
            utf8: false,
            doubt: None,
        }
    } else if as_gb > as_utf8 {
        utf8(Some(format!(
            "read as UTF-8, but the text may be GBK/GB18030 (its non-ASCII characters read as \
             GB18030 score {} a character against {} as UTF-8): if names look garbled, \
             declare the encoding (--encoding gb18030)",
            hundredths(as_gb),
            hundredths(as_utf8)
        )))
    } else {
        utf8(None)
    }
}

/// How much more plausible a decoding must be, in hundredths of a point
/// per character, for GB18030 to be chosen over valid UTF-8 (half a point).
const CLEAR_MARGIN: i64 = 50;

/// A score in hundredths, shown as a decimal (`-50` → `-0.50`).
fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", v.unsigned_abs() / 100, v.unsigned_abs() % 100)
}

/// The mean plausibility of the non-ASCII characters of `text` in a
/// Chinese county's file: a common hanzi (GB2312 level 1) scores 2, a
/// level-2 one 1, any other hanzi −1 (names do use a few, such as 玥, but
/// a page of them is what UTF-8 Cyrillic looks like read as GBK); CJK and full-width punctuation 1;
/// C1 controls, private-use and replacement characters −5; anything else
/// (Cyrillic, Greek, accented Latin: what GBK byte pairs look like read as
/// UTF-8) −1, and −2 more each time such a character touches a hanzi
/// (`л巫`), a mix no real text has.
/// The mean is in hundredths of a point.
fn plausibility(text: &str) -> i64 {
    let (mut sum, mut n) = (0i64, 0u64);
    let mut prev_odd_or_hanzi: Option<bool> = None;
    // A hanzi's score, once found (a sample repeats few characters, and
    // encoding one to GBK to find its level is slow).
    let mut scores: HashMap<char, i64> = HashMap::new();
    for c in text.chars() {
        if c.is_ascii() {
            prev_odd_or_hanzi = None;
            continue;
        }
        let hanzi = ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c);
        let score = if hanzi {
            *scores.entry(c).or_insert_with(|| {
                let mut buf = [0u8; 4];
                let (gbk, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
                match gbk.first() {
                    Some(0xB0..=0xD7) if !unmappable => 2,
                    Some(0xD8..=0xF7) if !unmappable => 1,
                    _ => -1,
                }
            })
        } else {
            match c {
                '\u{3000}'..='\u{303F}'
                | '\u{FF01}'..='\u{FF5E}'
                | '\u{2010}'..='\u{2027}'
                | '·'
                | '×'
                | '√'
                | '★'
                | '○'
                | '●'
                | '℃'
                | '№'
                | '\u{00A0}' => 1,
                '\u{0080}'..='\u{009F}' | '\u{E000}'..='\u{F8FF}' | '\u{FFFD}' => -5,
                _ => -1,
            }
        };
        let odd = !hanzi && score < 0;
        if let Some(prev_odd) = prev_odd_or_hanzi {
            if prev_odd != odd && (odd || prev_odd) {
                sum -= 2;
            }
        }
        prev_odd_or_hanzi = (hanzi || odd).then_some(odd);
        sum += score;
        n += 1;
    }
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    sum.saturating_mul(100).checked_div(n).unwrap_or(0)
}

/// The separator a CSV's first lines suggest: `\t` or `;` when the first
/// line holding any of `,`, `;` or a tab holds no comma, else `,`.
fn sniff_delimiter(head: &[u8]) -> u8 {
    for line in head.split(|b| *b == b'\n').take(HEADER_SEARCH) {
        let count = |d: u8| line.iter().filter(|b| **b == d).count();
        let (commas, tabs, semis) = (count(b','), count(b'\t'), count(b';'));
        if commas + tabs + semis == 0 {
            continue;
        }
        return match (commas, tabs, semis) {
            (0, t, s) if t >= s => b'\t',
            (0, _, _) => b';',
            _ => b',',
        };
    }
    b','
}

/// A CSV cell's bytes as text, or why they are not.
fn decode(bytes: &[u8], utf8: bool) -> Result<Cow<'_, str>, &'static str> {
    if utf8 {
        std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| "invalid UTF-8 text (if the file is GBK, declare the encoding as GB18030)")
    } else {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or("invalid GB18030/GBK text")
    }
}

/// Set a cell to a CSV cell's text, with eduaid's formula escape undone
/// ([`csv_unescape`](crate::csv_unescape)), in the text buffer the cell
/// already has (an earlier row's) when it has one.
fn fill(cell: &mut Cell, text: Result<Cow<'_, str>, &'static str>) {
    let text = match text {
        Ok(t) => t,
        Err(reason) => {
            *cell = Cell::Bad(reason.into());
            return;
        }
    };
    let text = crate::csv_unescape(&text);
    match cell {
        Cell::Text(s) => {
            s.clear();
            s.push_str(text);
        }
        other => *other = Cell::Text(text.to_string()),
    }
}

fn json_cell(v: serde_json::Value) -> Cell {
    match v {
        serde_json::Value::Null => Cell::Empty,
        serde_json::Value::Bool(b) => Cell::Bool(b),
        serde_json::Value::Number(n) => Cell::JsonNumber(n.to_string()),
        serde_json::Value::String(s) => Cell::Text(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            Cell::Bad("a nested JSON array or object is not a cell value".into())
        }
    }
}

fn json_object(text: &[u8]) -> Result<Vec<(String, Cell)>, String> {
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map.into_iter().map(|(k, v)| (k, json_cell(v))).collect()),
        Ok(_) => Err("expected a JSON object".into()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

/// Split a JSON array into its elements, each with the line it starts on.
fn json_array(b: &[u8], file: &str) -> Result<Vec<Raw>, Error> {
    let malformed = |line, reason: &str| Error::Malformed {
        file: file.to_string(),
        line,
        reason: reason.to_string(),
    };
    let mut i = 0usize;
    let mut line = 1u64;
    let skip_ws = |i: &mut usize, line: &mut u64| {
        while let Some(c) = b.get(*i) {
            if !c.is_ascii_whitespace() {
                break;
            }
            if *c == b'\n' {
                *line += 1;
            }
            *i += 1;
        }
    };
    skip_ws(&mut i, &mut line);
    if b.get(i) != Some(&b'[') {
        return Err(malformed(line, "expected a JSON array of objects"));
    }
    i += 1;
    let mut out = Vec::new();
    skip_ws(&mut i, &mut line);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            skip_ws(&mut i, &mut line);
            let (start, start_line) = (i, line);
            let (mut depth, mut in_str, mut esc) = (0u64, false, false);
            while let Some(&c) = b.get(i) {
                if c == b'\n' {
                    line += 1;
                }
                if in_str {
                    if esc {
                        esc = false;
                    } else if c == b'\\' {
                        esc = true;
                    } else if c == b'"' {
                        in_str = false;
                    }
                } else {
                    match c {
                        b'"' => in_str = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' if depth == 0 => break,
                        b']' | b'}' => depth -= 1,
                        b',' if depth == 0 => break,
                        _ => {}
                    }
                }
                i += 1;
            }
            let Some(&end) = b.get(i) else {
                return Err(malformed(line, "the JSON array is not closed"));
            };
            let element = b.get(start..i).unwrap_or_default().trim_ascii();
            out.push(Raw::Object(start_line, json_object(element)));
            i += 1;
            if end != b',' {
                if end == b'}' {
                    return Err(malformed(line, "unbalanced } in the JSON array"));
                }
                break;
            }
        }
    }
    skip_ws(&mut i, &mut line);
    if i < b.len() {
        return Err(malformed(line, "text after the end of the JSON array"));
    }
    Ok(out)
}

/// Read the first visible worksheet (or the named one) of an xlsx into rows,
/// after checking the archive against `limits` (see
/// [`check_archive`](crate::check_archive)).
fn xlsx_rows(
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
fn first_visible(sheets: &[calamine::Sheet]) -> Option<String> {
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
fn xlsx_cell_rows(
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
            let c = usize::try_from(c).unwrap_or(usize::MAX).min(MAX_COLUMNS - 1);
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
const MAX_COLUMNS: usize = 1024;
/// The most non-empty cells read from one sheet: 64 × 2²⁰, a full-height
/// Excel sheet (1 048 576 rows) of 64 columns.
const MAX_CELLS: usize = 64 << 20;

/// A cell's reference as Excel shows it (`XFD1048576`), from 0-based row
/// and column.
fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let rem = u8::try_from((c - 1) % 26).unwrap_or(0);
        letters.push(char::from(b'A' + rem));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

#[allow(clippy::float_arithmetic)] // a 1904-system serial is moved to the 1900 system by adding days
fn xlsx_cells(
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
        if usize::try_from(col).unwrap_or(usize::MAX) >= MAX_COLUMNS {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut r: &[u8] = text;
        let (mut line, mut buf, mut out) = (0, Vec::new(), Vec::new());
        while let Some((l, rec)) = csv_record(&mut r, b',', &mut line, &mut buf, 16 << 20).unwrap() {
            let rec = rec.map(|f| f.into_iter().map(|c| String::from_utf8(c).unwrap()).collect());
            out.push((l, rec));
        }
        out
    }

    proptest::proptest! {
        /// A cell the totals-row sums are not given is never a number to them.
        #[test]
        fn cells_left_out_of_the_sums_are_not_numbers(t in "[0-9.,\\- \t\x0b\x0cA-Za-z:+eE０-９人名元学，．－　]{0,12}") {
            let c = Cell::Text(t);
            if !may_be_number(&c) {
                proptest::prop_assert!(crate::furniture::number(&c).is_none());
            }
        }
    }

    /// Every row `csv_row` reads from `bytes` (through a buffer of `cap`
    /// bytes), shown as text, with the lines counted at the end; rows are
    /// recycled as the reader recycles them.
    fn csv_rows(bytes: &[u8], how: CsvRead, cap: usize) -> (Vec<String>, u64) {
        let mut reader = std::io::BufReader::with_capacity(cap, bytes);
        let (mut line, mut buf, mut data, mut ends) = (0, Vec::new(), Vec::new(), Vec::new());
        let (mut spare, mut out) = (Vec::new(), Vec::new());
        loop {
            let mut record = CsvBuffers {
                line: &mut buf,
                data: &mut data,
                ends: &mut ends,
            };
            match csv_row(&mut reader, how, &mut line, &mut record, &mut spare).unwrap() {
                None => break,
                Some(Raw::Cells(l, cells)) => {
                    out.push(format!("{l}: {cells:?}"));
                    spare.push(cells);
                }
                Some(Raw::BadRow(l, reason)) => out.push(format!("{l}: bad row: {reason}")),
                Some(Raw::Blank(l)) => out.push(format!("{l}: blank")),
                Some(Raw::Object(l, _)) => out.push(format!("{l}: object")),
            }
        }
        (out, line)
    }

    /// CSV as clerks' files hold it: cells of ASCII, Chinese and full-width
    /// text, separators of every kind, quotes (doubled, unclosed, inside a
    /// cell), CR, LF and CRLF, a BOM, formula escapes, and bytes that are
    /// not UTF-8.
    fn csv_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            6 => "[a-z0-9]{1,4}".prop_map(String::into_bytes),
            2 => "[学生甲合计０-９　 ．－]{1,3}".prop_map(String::into_bytes),
            6 => prop::sample::select(vec![",", ";", "\t", "|"]).prop_map(|s| s.as_bytes().to_vec()),
            2 => prop::sample::select(vec!["\"", "\"\""]).prop_map(|s| s.as_bytes().to_vec()),
            3 => prop::sample::select(vec!["\n", "\r\n", "\r", "\r\r\n"]).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec!["\u{FEFF}", "'=", "'-1", "'", " "]).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 1..3),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        /// The quick path reads every file as the general reader does:
        /// the same rows, cells, lines and faults, whatever the buffer
        /// size, encoding, separator and record limit.
        #[test]
        fn quick_csv_rows_are_the_general_readers(
            bytes in csv_bytes(),
            utf8 in proptest::bool::ANY,
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'|']),
            cap in 1usize..80,
            max in proptest::prop_oneof![1u64..40, proptest::strategy::Just(16u64 << 20)],
        ) {
            let how = CsvRead { utf8, delimiter, quick: false, max };
            let general = csv_rows(&bytes, how, cap);
            let quick = csv_rows(&bytes, CsvRead { quick: true, ..how }, cap);
            proptest::prop_assert_eq!(&quick, &general);
            // A buffer holding the whole file (as for bytes in memory).
            let whole = csv_rows(&bytes, CsvRead { quick: true, ..how }, bytes.len().max(1));
            proptest::prop_assert_eq!(&whole, &general);
        }
    }

    #[test]
    fn dates_and_ids_are_not_handed_to_the_sums() {
        for t in ["2016-10-24", "S00000001", "false", "1-2", "12,3-4"] {
            assert!(!may_be_number(&Cell::Text(t.into())), "{t}");
        }
        for t in ["1", " -1,200.5 ", "学生", "１２"] {
            assert!(may_be_number(&Cell::Text(t.into())), "{t}");
        }
    }

    #[test]
    fn csv_records_carry_their_physical_line() {
        let got = records(b"a,b\r\n\r\n\"x\r\ny\",\"say \"\"hi\"\"\"\nc,d\n\n  ,e\"f\nlast");
        let want: Vec<(u64, Result<Vec<String>, String>)> = vec![
            (1, Ok(vec!["a".into(), "b".into()])),
            (2, Ok(vec![String::new()])),
            (3, Ok(vec!["x\r\ny".into(), "say \"hi\"".into()])),
            (5, Ok(vec!["c".into(), "d".into()])),
            (6, Ok(vec![String::new()])),
            (7, Ok(vec!["  ".into(), "e\"f".into()])),
            (8, Ok(vec!["last".into()])),
        ];
        assert_eq!(got, want);
        let open = records(b"a\n\"never\nclosed\n");
        assert_eq!(open[1].0, 2);
        assert!(open[1].1.as_ref().unwrap_err().contains("never closed"));
    }

    #[test]
    fn a_long_record_is_refused_before_it_is_held_whole() {
        // 8 MiB on one line, a limit of 1000 bytes: the buffer never grows
        // past the limit and one read's worth.
        let mut text = b"a,b\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 8 << 20));
        text.extend_from_slice(b"\nc,d\n");
        let mut r = std::io::BufReader::with_capacity(SNIFF, text.as_slice());
        let (mut line, mut buf) = (0, Vec::new());
        let mut got = Vec::new();
        while let Some((l, rec)) = csv_record(&mut r, b',', &mut line, &mut buf, 1000).unwrap() {
            assert!(buf.capacity() < 1 << 20, "the buffer grew to {}", buf.capacity());
            got.push((
                l,
                rec.map(|f| f.len()).map_err(|e| e.contains("longer than 1000 bytes")),
            ));
        }
        assert_eq!(got, vec![(1, Ok(2)), (2, Err(true)), (3, Ok(2))]);
    }

    #[test]
    fn detection_prefers_gbk_for_two_byte_lookalikes() {
        let detect_bytes = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            detect(&mut r, Encoding::Auto, "t").unwrap().utf8
        };
        assert!(detect_bytes("学籍号,姓名".as_bytes()));
        assert!(detect_bytes(b"id,name"));
        let (gbk, _, _) = encoding_rs::GBK.encode("小");
        assert!(std::str::from_utf8(&gbk).is_ok()); // the bytes of "С"
        assert!(!detect_bytes(&gbk));
        let (gbk, _, _) = encoding_rs::GBK.encode("学籍号,姓名");
        assert!(!detect_bytes(&gbk));
        assert!(detect_bytes(b"\xEF\xBB\xBF\xD0\xA1"));
    }

    #[test]
    fn gbk_that_is_valid_utf8_is_scored_over_the_whole_sample() {
        let detect_text = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            detect(&mut r, Encoding::Auto, "t").unwrap()
        };
        // 谢宸玥 in GBK reads as UTF-8 "л巫h": a Cyrillic letter beside a
        // hanzi. Before the scoring, any three-byte character kept UTF-8.
        let (gbk, _, _) = encoding_rs::GBK.encode("id,name\nG001,谢宸玥\n");
        assert_eq!(std::str::from_utf8(&gbk).ok(), Some("id,name\nG001,л巫h\n"));
        assert_eq!(
            detect_text(&gbk),
            Detected {
                utf8: false,
                doubt: None
            }
        );
        // Real UTF-8 Chinese stays UTF-8, however its bytes read in GBK.
        for text in [
            "id,name\nG001,谢宸玥\n",
            "学籍号,姓名,学校\nG001,张伟,甲镇中心小学\n",
            "id,name,school\nG001,Алексей,甲镇中心小学\n",
        ] {
            assert_eq!(
                detect_text(text.as_bytes()),
                Detected {
                    utf8: true,
                    doubt: None
                },
                "{text}"
            );
        }
        assert!(plausibility("谢宸玥") > plausibility("л巫") + CLEAR_MARGIN);
        // Cyrillic alone in UTF-8 reads as common hanzi in GBK (Алексей is
        // 袗谢械泻褋械泄): in a county's file the hanzi are the likelier.
        assert!(!detect_text("id,name\nG001,Алексей\n".as_bytes()).utf8);
    }

    #[test]
    fn separators_are_sniffed_from_the_first_lines() {
        assert_eq!(sniff_delimiter(b"id;name;sex\nG1;a;b\n"), b';');
        assert_eq!(sniff_delimiter(b"id\tname\tsex\n"), b'\t');
        assert_eq!(sniff_delimiter(b"title\n\nid,name\n"), b',');
        assert_eq!(sniff_delimiter(b"id,name;x\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    #[test]
    fn cr_only_line_endings_are_refused() {
        let check = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            refuse_cr_only(&mut r, "t").map_err(|e| e.to_string())
        };
        assert!(check(b"a,b\rc,d\re,f\r").unwrap_err().contains("carriage return alone"));
        assert!(check(b"a,b\r\nc,d\r\n").is_ok());
        assert!(check(b"a,b\nc,\"x\ry\"\n").is_ok());
        assert!(check(b"a,b\r").is_ok());
        assert!(check(b"").is_ok());
    }

    #[test]
    fn json_array_elements_start_where_they_start() {
        let raw = json_array(b"[\n {\"a\": \"[,]\"},\n\n {\"b\": {\"c\": [1, 2]}}, 3 ]", "t").unwrap();
        let lines: Vec<u64> = raw
            .iter()
            .map(|r| match r {
                Raw::Object(l, _) => *l,
                _ => 0,
            })
            .collect();
        assert_eq!(lines, [2, 4, 4]);
        assert!(matches!(&raw[2], Raw::Object(_, Err(e)) if e.contains("expected a JSON object")));
        for bad in [&b"["[..], b"[1,", b"{}", b"[1] x", b"[}"] {
            assert!(json_array(bad, "t").is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}

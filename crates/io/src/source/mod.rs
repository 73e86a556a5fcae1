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
use eduaid_model::convert::clamped;

mod csv_quick;
mod csv_read;
mod encoding;
mod header;
mod json;
mod rows;
mod xlsx;

use csv_quick::*;
use csv_read::*;
use encoding::*;
use json::*;
use rows::*;
pub use xlsx::read_xlsx_sheet;
use xlsx::*;

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
            Input::Bytes { bytes, .. } => clamped::<_, u64>(bytes.len()),
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
                let bytes = clamped::<_, u64>(v.len());
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
    #[inline(always)]
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
    #[inline(always)]
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
    #[inline(always)]
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
    #[inline(always)]
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

/// Open a CSV: the separator given is checked, the encoding detected (a
/// doubt about it is pushed to `warnings`), a file whose lines end in a
/// bare CR refused, and the separator sniffed if none is given. Returns
/// the source, whether the text is UTF-8 (else GB18030) and the separator.
fn open_csv<'a>(
    input: &Input<'a>,
    opts: &ReadOptions,
    file: &str,
    warnings: &mut Vec<Warning>,
) -> Result<(Inner<'a>, bool, u8), Error> {
    if let Some(d) = opts.delimiter {
        if !d.is_ascii() || d.is_ascii_alphanumeric() || matches!(d, b'"' | b'\r' | b'\n') {
            return Err(Error::Unsupported {
                file: file.to_string(),
                reason: format!("{:?} cannot separate cells", char::from(d)),
            });
        }
    }
    let mut r = input.open(opts.limits.max_bytes)?;
    let Detected { utf8, doubt } = detect(&mut r, opts.encoding, file)?;
    if let Some(message) = doubt {
        warnings.push(Warning {
            file: file.to_string(),
            line: 1,
            message,
        });
    }
    refuse_cr_only(&mut r, file)?;
    let d = match opts.delimiter {
        Some(d) => d,
        None => {
            let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
            sniff_delimiter(head.get(..SNIFF).unwrap_or(head))
        }
    };
    if !utf8 && d >= 0x40 {
        // GB18030 trail bytes run from 0x40: such a separator
        // would split Chinese characters.
        return Err(Error::Unsupported {
            file: file.to_string(),
            reason: format!("{:?} cannot separate cells of GB18030 text", char::from(d)),
        });
    }
    let inner = Inner::Csv {
        reader: r,
        utf8,
        delimiter: d,
        quick: true,
        line: 0,
        buf: Vec::new(),
        data: Vec::new(),
        ends: Vec::new(),
    };
    Ok((inner, utf8, d))
}

/// Open a JSON file (read whole when it is an array of objects) or a JSON
/// Lines file (streamed line by line), after any byte order mark.
fn open_json<'a>(input: &Input<'a>, format: Format, max: u64, file: &str) -> Result<Inner<'a>, Error> {
    let mut r = input.open(max)?;
    skip_bom(&mut r, file)?;
    let first = first_byte(&mut r, file)?;
    if format == Format::Json && first == Some(b'[') {
        let mut v = Vec::new();
        r.read_to_end(&mut v).map_err(|e| Error::io(file, e))?;
        Ok(Inner::Rows(json_array(&v, file)?.into_iter()))
    } else {
        Ok(Inner::JsonLines {
            reader: r,
            line: 0,
            buf: Vec::new(),
        })
    }
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
                let (inner, utf8, d) = open_csv(&input, opts, &file, &mut first_warnings)?;
                encoding = Some(if utf8 { "UTF-8" } else { "GB18030" });
                delimiter = d;
                inner
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
            Format::Json | Format::JsonLines => open_json(&input, format, max, &file)?,
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
}

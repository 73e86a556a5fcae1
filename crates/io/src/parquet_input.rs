//! Parquet files as a source of rows (the `parquet` feature).
//!
//! A Parquet file is read as a table: its top-level column names are the
//! header (matched against the file kind's columns as a CSV header is), and
//! each row of each row group is a row of cells, so that every check the
//! CSV and xlsx rows go through applies unchanged. A row is named by its
//! 1-based number in the file, across row groups (`line` in a
//! [`RowError`](crate::RowError)); the header is line 0.
//!
//! Values become the cells a spreadsheet gives: strings as text, booleans
//! as yes/no, integers as their decimal digits, `DECIMAL` as exact decimal
//! text (never through a float), `DATE`, `TIMESTAMP` and `INT96` as the
//! date, `FLOAT`/`DOUBLE` as numbers (refused in a money column). Only the
//! file kind's columns are read; any other is reported as an unknown column.
//!
//! Nothing is allocated from what the file claims before it is checked:
//! the file size is limited ([`Limits::max_bytes`](crate::Limits)), every
//! column chunk must lie inside the file, every page header of the chunks
//! read is checked first (a page of more than [`MAX_PAGE_BYTES`], a
//! dictionary of more than [`MAX_DICTIONARY_VALUES`] values, a codec or an
//! encoding this build does not read are refused), and rows are read in
//! batches of [`BATCH_ROWS`]. The `parquet` crate is not documented never to
//! panic on a corrupt file: a panic while reading becomes an
//! [`Error::Malformed`](crate::Error::Malformed) and ends the file, as for
//! xlsx.

use crate::cell::Cell;
use crate::{Error, FileKind, Input, ReadOptions, Warning};

/// The largest page read, compressed or not: 64 MiB (writers make pages of
/// about 1 MiB).
#[cfg(feature = "parquet")]
pub(crate) const MAX_PAGE_BYTES: u64 = 64 << 20;
/// The most values a dictionary page may hold: 4 194 304 (a writer falls
/// back from a dictionary long before).
#[cfg(feature = "parquet")]
pub(crate) const MAX_DICTIONARY_VALUES: u64 = 1 << 22;
/// Rows read from each column at a time.
#[cfg(feature = "parquet")]
pub(crate) const BATCH_ROWS: usize = 1024;

/// The error for writing a Parquet file: eduaid reads Parquet, it does not
/// write it.
pub(crate) fn not_written(file: &str) -> Error {
    Error::Unsupported {
        file: file.to_string(),
        reason: "parquet files are read, not written: write .csv, .xlsx or .json".into(),
    }
}

#[cfg(feature = "parquet")]
mod pages;
#[cfg(feature = "parquet")]
mod values;

#[cfg(feature = "parquet")]
pub(crate) use imp::ParquetRows;

#[cfg(not(feature = "parquet"))]
pub(crate) use off::ParquetRows;

/// Without the feature: a Parquet file is refused with a message saying
/// how to read it.
#[cfg(not(feature = "parquet"))]
mod off {
    use super::{Cell, Error, FileKind, Input, ReadOptions, Warning};

    /// No Parquet rows can exist in this build.
    pub(crate) enum ParquetRows {}

    impl ParquetRows {
        pub(crate) fn open(
            input: &Input<'_>,
            _kind: FileKind,
            _opts: &ReadOptions,
        ) -> Result<(Box<ParquetRows>, Vec<Warning>), Error> {
            Err(Error::Unsupported {
                file: input.name(),
                reason: "this build does not read parquet files: build eduaid with the `parquet` feature \
                         (cargo install eduaid-cli --features parquet), or convert the file to csv"
                    .into(),
            })
        }

        pub(crate) fn next_row(&mut self, _spare: Vec<Cell>) -> Result<Option<(u64, Vec<Cell>)>, Error> {
            match *self {}
        }
    }
}

#[cfg(feature = "parquet")]
mod imp {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use eduaid_model::convert::clamped;
    use parquet::basic::{ConvertedType, Repetition};
    use parquet::column::reader::ColumnReader;
    use parquet::file::metadata::ParquetMetaData;
    use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
    use parquet::schema::types::{ColumnDescriptor, SchemaDescriptor, Type as SchemaType};

    use super::values::{Conv, Values};
    use super::{BATCH_ROWS, Cell, Error, FileKind, Input, ReadOptions, Warning};
    use crate::ValueType;

    /// The widest file read (as for a sheet).
    const MAX_COLUMNS: usize = 1024;

    /// The bytes of the file: a file on disk (read range by range) or bytes
    /// in memory.
    enum Source {
        File(std::fs::File),
        Bytes(bytes::Bytes),
    }

    /// A file reader over either source.
    enum Reader {
        File(SerializedFileReader<std::fs::File>),
        Bytes(SerializedFileReader<bytes::Bytes>),
    }

    impl Reader {
        fn file(&self) -> &dyn FileReader {
            match self {
                Reader::File(r) => r,
                Reader::Bytes(r) => r,
            }
        }
    }

    /// One column of the file as a header cell, and, if it is one of the
    /// kind's columns, how it is read.
    struct Column {
        name: String,
        read: Option<Leaf>,
    }

    /// A column that is read: its leaf in the schema, how its values become
    /// cells, and the current batch.
    struct Leaf {
        index: usize,
        max_def: i16,
        conv: Conv,
        reader: Option<ColumnReader>,
        defs: Vec<i16>,
        values: Values,
        /// The next definition level and value of the batch.
        level: usize,
        value: usize,
    }

    /// The rows of a Parquet file: the header (line 0), then every row of
    /// every row group.
    pub(crate) struct ParquetRows {
        file: String,
        reader: Reader,
        columns: Vec<Column>,
        header_sent: bool,
        /// The row group being read, and its rows left.
        group: usize,
        left: u64,
        /// Rows of the current batch not yet given out.
        batch_left: usize,
        /// The 1-based number of the last row given out.
        row: u64,
        /// True once an error ended the file.
        done: bool,
        max_record: u64,
    }

    impl std::fmt::Debug for ParquetRows {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("ParquetRows")
                .field("file", &self.file)
                .field("row", &self.row)
                .finish_non_exhaustive()
        }
    }

    fn malformed(file: &str, line: u64, reason: String) -> Error {
        Error::Malformed {
            file: file.to_string(),
            line,
            reason,
        }
    }

    impl ParquetRows {
        /// Open `input` as a Parquet file of `kind`: the footer is parsed,
        /// the schema mapped to the kind's columns, and every column chunk
        /// to be read checked, page by page.
        pub(crate) fn open(
            input: &Input<'_>,
            kind: FileKind,
            opts: &ReadOptions,
        ) -> Result<(Box<ParquetRows>, Vec<Warning>), Error> {
            let file = input.name();
            let max = opts.limits.max_bytes;
            let too_large = |bytes: u64| Error::TooLarge {
                file: file.clone(),
                bytes,
                max,
            };
            let source = match input {
                Input::Path(p) => {
                    let f = std::fs::File::open(p).map_err(|e| Error::io(&file, e))?;
                    let len = f.metadata().map_err(|e| Error::io(&file, e))?.len();
                    if len > max {
                        return Err(too_large(len));
                    }
                    Source::File(f)
                }
                Input::Bytes { bytes, .. } => {
                    let len = clamped::<_, u64>(bytes.len());
                    if len > max {
                        return Err(too_large(len));
                    }
                    Source::Bytes(bytes::Bytes::copy_from_slice(bytes))
                }
            };
            let opened = catch_unwind(AssertUnwindSafe(|| open_reader(source, &file, kind, opts)));
            match opened {
                Ok(r) => r,
                Err(_) => Err(malformed(&file, 0, "not a readable parquet file".into())),
            }
        }

        /// The next row: the header first (line 0), then each row with its
        /// 1-based number; `None` at the end. `spare` is a row vector to
        /// fill (its text buffers are reused).
        pub(crate) fn next_row(&mut self, spare: Vec<Cell>) -> Result<Option<(u64, Vec<Cell>)>, Error> {
            if self.done {
                return Ok(None);
            }
            let result = catch_unwind(AssertUnwindSafe(|| self.next_inner(spare)));
            let result = match result {
                Ok(r) => r,
                Err(_) => Err(malformed(
                    &self.file,
                    self.row + 1,
                    format!(
                        "row group {}: the file is corrupt (the parquet reader stopped)",
                        self.group.saturating_sub(1)
                    ),
                )),
            };
            if result.is_err() {
                self.done = true;
            }
            result
        }

        fn next_inner(&mut self, mut cells: Vec<Cell>) -> Result<Option<(u64, Vec<Cell>)>, Error> {
            if !self.header_sent {
                self.header_sent = true;
                cells.clear();
                cells.extend(self.columns.iter().map(|c| Cell::Text(c.name.clone())));
                return Ok(Some((0, cells)));
            }
            while self.batch_left == 0 {
                if self.left == 0 && !self.next_group()? {
                    return Ok(None);
                }
                self.read_batch()?;
            }
            self.batch_left -= 1;
            self.row += 1;
            cells.truncate(self.columns.len());
            while cells.len() < self.columns.len() {
                cells.push(Cell::Empty);
            }
            let max_record = self.max_record;
            for (c, slot) in self.columns.iter_mut().zip(cells.iter_mut()) {
                match &mut c.read {
                    None => *slot = Cell::Empty,
                    Some(leaf) => {
                        let present = leaf.max_def == 0 || leaf.defs.get(leaf.level).copied() == Some(leaf.max_def);
                        leaf.level += 1;
                        if present {
                            leaf.values.cell(leaf.value, &leaf.conv, slot, max_record);
                            leaf.value += 1;
                        } else {
                            *slot = Cell::Empty;
                        }
                    }
                }
            }
            Ok(Some((self.row, cells)))
        }

        /// Start the next row group with rows; false at the end of the file.
        fn next_group(&mut self) -> Result<bool, Error> {
            let file = self.reader.file();
            loop {
                let Some(meta) = file.metadata().row_groups().get(self.group) else {
                    return Ok(false);
                };
                let g = self.group;
                self.group += 1;
                let rows = u64::try_from(meta.num_rows()).map_err(|_| {
                    malformed(
                        &self.file,
                        self.row,
                        format!("row group {g}: a negative number of rows"),
                    )
                })?;
                if rows == 0 {
                    continue;
                }
                let group = file
                    .get_row_group(g)
                    .map_err(|e| malformed(&self.file, self.row + 1, format!("row group {g}: {e}")))?;
                for c in &mut self.columns {
                    if let Some(leaf) = &mut c.read {
                        let reader = group.get_column_reader(leaf.index).map_err(|e| {
                            malformed(
                                &self.file,
                                self.row + 1,
                                format!("row group {g}: column {:?}: {e}", crate::clip(&c.name)),
                            )
                        })?;
                        leaf.reader = Some(reader);
                    }
                }
                self.left = rows;
                return Ok(true);
            }
        }

        /// Read the next batch of the current row group from every column
        /// read.
        fn read_batch(&mut self) -> Result<(), Error> {
            let n = clamped::<_, usize>(self.left).min(BATCH_ROWS);
            let g = self.group.saturating_sub(1);
            for c in &mut self.columns {
                let Some(leaf) = &mut c.read else { continue };
                let at = |reason: String| {
                    malformed(
                        &self.file,
                        self.row + 1,
                        format!("row group {g}: column {:?}: {reason}", crate::clip(&c.name)),
                    )
                };
                let Some(reader) = leaf.reader.as_mut() else {
                    return Err(at("the column was not opened".into()));
                };
                leaf.defs.clear();
                leaf.level = 0;
                leaf.value = 0;
                let (records, values) = leaf
                    .values
                    .read(reader, n, &mut leaf.defs)
                    .map_err(|e| at(e.to_string()))?;
                if records != n {
                    let last = self.row.saturating_add(clamped::<_, u64>(records));
                    return Err(at(format!(
                        "the column ends after row {last}, before the last row of its row group"
                    )));
                }
                let present = if leaf.max_def == 0 {
                    n
                } else {
                    leaf.defs.iter().filter(|d| **d == leaf.max_def).count()
                };
                if values != present || (leaf.max_def > 0 && leaf.defs.len() != n) {
                    return Err(at(format!(
                        "{values} values for {present} non-null rows (the definition levels and values disagree)"
                    )));
                }
            }
            self.left -= clamped::<_, u64>(n);
            self.batch_left = n;
            Ok(())
        }
    }

    /// Parse the footer and check the file; see [`ParquetRows::open`].
    fn open_reader(
        source: Source,
        file: &str,
        kind: FileKind,
        opts: &ReadOptions,
    ) -> Result<(Box<ParquetRows>, Vec<Warning>), Error> {
        let pages = source.again(file)?;
        let (reader, len) = parse_footer(source, file)?;
        let meta = reader.file().metadata();
        let schema = meta.file_metadata().schema_descr();
        let fields = schema.root_schema().get_fields();
        let leaves = field_leaves(schema, fields.len(), file)?;
        check_row_total(meta, file, opts)?;
        let chunks = Chunks {
            file,
            meta,
            pages: &pages,
            len,
        };
        let mut warnings = Vec::new();
        let mut columns = Vec::with_capacity(fields.len());
        for (pos, field) in fields.iter().enumerate() {
            let leaf = leaves.get(pos).copied().flatten();
            columns.push(column(field, leaf, schema, kind, &chunks, &mut warnings)?);
        }
        let rows = ParquetRows {
            file: file.to_string(),
            reader,
            columns,
            header_sent: false,
            group: 0,
            left: 0,
            batch_left: 0,
            row: 0,
            done: false,
            max_record: opts.limits.max_record,
        };
        Ok((Box::new(rows), warnings))
    }

    /// Parse the file's footer: the file reader and the file's length.
    fn parse_footer(source: Source, file: &str) -> Result<(Reader, u64), Error> {
        let not_parquet = |e: parquet::errors::ParquetError| malformed(file, 0, format!("not a parquet file: {e}"));
        Ok(match source {
            Source::File(f) => {
                let len = Length::len(&f);
                (Reader::File(SerializedFileReader::new(f).map_err(not_parquet)?), len)
            }
            Source::Bytes(b) => {
                let len = Length::len(&b);
                (Reader::Bytes(SerializedFileReader::new(b).map_err(not_parquet)?), len)
            }
        })
    }

    /// Each of the `fields` top-level fields' leaf, if it is a plain value;
    /// a file of more than [`MAX_COLUMNS`] fields is refused.
    fn field_leaves(schema: &SchemaDescriptor, fields: usize, file: &str) -> Result<Vec<Option<usize>>, Error> {
        if fields > MAX_COLUMNS {
            return Err(Error::Unsupported {
                file: file.to_string(),
                reason: format!("{fields} columns: more than the {MAX_COLUMNS} read from one file"),
            });
        }
        let mut leaves: Vec<Option<usize>> = vec![None; fields];
        for (i, _) in schema.columns().iter().enumerate() {
            let root = schema.get_column_root_idx(i);
            if let Some(slot) = leaves.get_mut(root) {
                *slot = Some(i);
            }
        }
        Ok(leaves)
    }

    /// Refuse a file whose row groups claim more rows in all than
    /// [`Limits::max_rows`](crate::Limits).
    fn check_row_total(meta: &ParquetMetaData, file: &str, opts: &ReadOptions) -> Result<(), Error> {
        let total: u64 = meta
            .row_groups()
            .iter()
            .map(|g| clamped::<_, u64>(g.num_rows()))
            .fold(0, u64::saturating_add);
        if total > opts.limits.max_rows {
            return Err(Error::TooManyRows {
                file: file.to_string(),
                line: opts.limits.max_rows.saturating_add(1),
                max: opts.limits.max_rows,
            });
        }
        Ok(())
    }

    /// What checking a column's chunks needs: the file's name, metadata,
    /// bytes (a second handle on them) and length.
    struct Chunks<'m> {
        file: &'m str,
        meta: &'m ParquetMetaData,
        pages: &'m Source,
        len: u64,
    }

    impl Chunks<'_> {
        /// Check the chunk of leaf column `leaf` (top-level column `name`)
        /// in every row group, page header by page header.
        fn check(&self, leaf: usize, max_def: i16, name: &str) -> Result<(), Error> {
            let file = self.file;
            for (g, group) in self.meta.row_groups().iter().enumerate() {
                let chunk = group.columns().get(leaf).ok_or_else(|| {
                    malformed(
                        file,
                        0,
                        format!("row group {g} has no chunk for column {:?}", crate::clip(name)),
                    )
                })?;
                super::pages::check_chunk(&|at| self.pages.read_from(at), chunk, self.len, max_def).map_err(
                    |reason| {
                        malformed(
                            file,
                            0,
                            format!("row group {g}: column {:?}: {reason}", crate::clip(name)),
                        )
                    },
                )?;
            }
            Ok(())
        }
    }

    /// The error for a column of the kind that cannot be read as it is
    /// stored.
    fn unsupported(file: &str, name: &str, col: &crate::Column, what: &str) -> Error {
        Error::Unsupported {
            file: file.to_string(),
            reason: format!("column {:?} ({}): {what}", crate::clip(name), col.chinese),
        }
    }

    /// The top-level field `field`, whose leaf (if a plain value) is
    /// `leaf`, as a column: not read unless it is one of the kind's; read
    /// if it is a plain value of a type its column takes, and its chunks
    /// pass the check. Ids stored as numbers are warned of.
    fn column(
        field: &SchemaType,
        leaf: Option<usize>,
        schema: &SchemaDescriptor,
        kind: FileKind,
        chunks: &Chunks<'_>,
        warnings: &mut Vec<Warning>,
    ) -> Result<Column, Error> {
        let file = chunks.file;
        let name = field.name().to_string();
        let known = kind.find(&name).and_then(|i| kind.columns().get(i));
        let Some(col) = known else {
            return Ok(Column { name, read: None });
        };
        let leaf = match leaf {
            Some(l) if field.is_primitive() && field.get_basic_info().repetition() != Repetition::REPEATED => l,
            _ => {
                return Err(unsupported(
                    file,
                    &name,
                    col,
                    "a nested or repeated column (a group, list or map) is not a value",
                ));
            }
        };
        let descr = schema
            .columns()
            .get(leaf)
            .cloned()
            .ok_or_else(|| unsupported(file, &name, col, "no such leaf"))?;
        let conv = Conv::of(&descr).map_err(|what| unsupported(file, &name, col, &what))?;
        check_conv(file, &name, col, conv, &descr, warnings)?;
        chunks.check(leaf, descr.max_def_level(), &name)?;
        let values = Values::for_type(descr.physical_type());
        Ok(Column {
            name,
            read: Some(Leaf {
                index: leaf,
                max_def: descr.max_def_level(),
                conv,
                reader: None,
                defs: Vec::new(),
                values,
                level: 0,
                value: 0,
            }),
        })
    }

    /// Whether column `col` (named `name` in the file) may be read through
    /// `conv`: money is not read from a float, nor ids from a decimal with
    /// a fraction; ids stored as numbers are warned of.
    fn check_conv(
        file: &str,
        name: &str,
        col: &crate::Column,
        conv: Conv,
        descr: &ColumnDescriptor,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), Error> {
        if col.value == ValueType::Money && matches!(conv, Conv::Float) {
            return Err(unsupported(
                file,
                name,
                col,
                &format!(
                    "money stored as {} is not read (a float cannot hold every amount in fen exactly): \
                     store amounts as DECIMAL(18, 2) or as text",
                    descr.physical_type()
                ),
            ));
        }
        if col.value == ValueType::Id && matches!(conv, Conv::Decimal { scale } if scale > 0) {
            return Err(unsupported(
                file,
                name,
                col,
                &format!(
                    "ids stored as {} (a decimal with a fraction) are not read: store ids as text",
                    type_name(descr)
                ),
            ));
        }
        if col.value == ValueType::Id && conv.is_number() {
            warnings.push(Warning {
                file: file.to_string(),
                line: 0,
                message: format!(
                    "column {:?} holds ids as numbers ({}): an id that began with 0 has lost its leading \
                     zeros, and they are not restored; store ids as text (a STRING column)",
                    crate::clip(name),
                    type_name(descr)
                ),
            });
        }
        Ok(())
    }

    impl Source {
        /// A second handle on the same bytes, for the page check.
        fn again(&self, file: &str) -> Result<Source, Error> {
            Ok(match self {
                Source::File(f) => Source::File(f.try_clone().map_err(|e| Error::io(file, e))?),
                Source::Bytes(b) => Source::Bytes(b.clone()),
            })
        }

        /// The bytes from `start` on.
        fn read_from(&self, start: u64) -> Result<Box<dyn std::io::Read + '_>, String> {
            Ok(match self {
                Source::File(f) => Box::new(f.get_read(start).map_err(|e| e.to_string())?),
                Source::Bytes(b) => Box::new(b.get_read(start).map_err(|e| e.to_string())?),
            })
        }
    }

    /// A column's type as a person reads it: `INT64`, `INT32 (DATE)`.
    fn type_name(descr: &ColumnDescriptor) -> String {
        match (descr.logical_type_ref(), descr.converted_type()) {
            (Some(l), _) => format!("{} ({l:?})", descr.physical_type()),
            (None, ConvertedType::NONE) => descr.physical_type().to_string(),
            (None, c) => format!("{} ({c})", descr.physical_type()),
        }
    }
}

#[cfg(all(test, not(feature = "parquet")))]
mod tests {
    #[test]
    fn without_the_feature_a_parquet_file_is_refused_saying_how_to_read_it() {
        let opts = crate::ReadOptions::default();
        let e = crate::read_students(crate::Input::bytes("s.parquet", b"PAR1"), &opts).unwrap_err();
        assert!(matches!(e, crate::Error::Unsupported { .. }), "{e}");
        assert!(e.to_string().contains("`parquet` feature"), "{e}");
    }
}

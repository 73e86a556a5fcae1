//! Loading files: the load report, the in-memory readers of every kind and
//! the streaming students reader (`students`), with the household book
//! that merges the households rows state (`households`).

use std::collections::hash_map::{DefaultHasher, Entry};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use eduaid_model::convert::clamped;
use eduaid_model::{
    Counts, DisabledChildrenCount, Disbursement, GradeCount, Household, HouseholdId, IdHasher, PopulationCount, School,
    SchoolId, SchoolKind, StatusKind, StatusSpell, Student, TeacherCount,
};

use crate::records::{ClassRow, Context, Record, SpellRow, StudentRow};
use crate::source::{CellError, Fields, Input, Item, RowReader};
use crate::{Error, FileKind, Format, ReadOptions, RowError, Warning};

mod households;
mod students;

pub use households::*;
pub use students::*;

/// A map keyed by an id, hashed as [`MemoryRoster`](eduaid_model::MemoryRoster)
/// hashes them (not SipHash: one lookup per row of a file of millions).
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// What a load did with every row of a file.
///
/// `read` counts the data rows: every row after the header that is not
/// blank. Each is either accepted or rejected, so
/// `read == accepted + rejected` always holds ([`LoadReport::balances`]).
/// Blank rows (every cell empty, or an empty line) are not records: they are
/// counted in `blank` and not in `read`. Serializes (with serde) to JSON for
/// a machine-readable load log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// The file.
    pub file: String,
    /// What kind of file it was read as.
    pub kind: FileKind,
    /// The format it was read as.
    pub format: Format,
    /// The text encoding a CSV was read in (`"UTF-8"` or `"GB18030"`).
    pub encoding: Option<&'static str>,
    /// Data rows read (not counting the header and blank rows).
    pub read: u64,
    /// Rows that became records.
    pub accepted: u64,
    /// Rows rejected; each has an entry in `errors` (except in a streaming
    /// read, which yields them instead of keeping them).
    pub rejected: u64,
    /// Blank rows and lines after the header.
    pub blank: u64,
    /// Rows that are a table's furniture, not records: totals and subtotal
    /// rows (合计, 小计 …) and notes below the table (备注, 填表人 …), each
    /// skipped with a warning (one for a block of notes) and not counted in
    /// `read`.
    pub skipped: u64,
    /// The rejected rows, in file order.
    pub errors: Vec<RowError>,
    /// Warnings: unknown columns, title rows above the header.
    pub warnings: Vec<Warning>,
}

impl LoadReport {
    fn new(rows: &RowReader<'_>) -> LoadReport {
        LoadReport {
            file: rows.file.clone(),
            kind: rows.kind,
            format: rows.format,
            encoding: rows.encoding,
            read: 0,
            accepted: 0,
            rejected: 0,
            blank: 0,
            skipped: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// True if every row read was accepted or rejected.
    #[must_use]
    pub fn balances(&self) -> bool {
        self.read == self.accepted + self.rejected
    }

    /// True if no row was rejected and there was no warning.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.rejected == 0 && self.warnings.is_empty()
    }
}

impl fmt::Display for LoadReport {
    /// A summary line, then every warning and rejected row on its own line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): read {} rows, accepted {}, rejected {}, blank {}",
            self.file, self.kind, self.read, self.accepted, self.rejected, self.blank
        )?;
        if self.skipped > 0 {
            write!(f, ", skipped {} (totals, notes)", self.skipped)?;
        }
        for w in &self.warnings {
            write!(f, "\nwarning: {w}")?;
        }
        for e in &self.errors {
            write!(f, "\nrejected: {e}")?;
        }
        Ok(())
    }
}

/// Records loaded from one file, and the report of the load.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<T> {
    /// The accepted records, in file order.
    pub records: Vec<T>,
    /// What happened to every row.
    pub report: LoadReport,
}

fn row_error(rows: &RowReader<'_>, f: &Fields, e: CellError) -> RowError {
    RowError {
        file: rows.file.clone(),
        line: f.line,
        column: e.column,
        key: rows.kind.key_column().and_then(|k| f.text(k)),
        reason: e.reason,
    }
}

/// Read every row of a file of `T`'s kind, rejecting rows with a repeated
/// key, and hand each accepted record to `accept`, which may reject it too.
fn load<T: Record>(
    input: Input<'_>,
    opts: &ReadOptions,
    mut accept: impl FnMut(T, &Fields) -> Result<(), CellError>,
) -> Result<LoadReport, Error> {
    let mut rows = RowReader::open(input, T::KIND, opts)?;
    let mut report = LoadReport::new(&rows);
    let ctx = Context::new(opts);
    let mut keys: HashMap<String, u64> = HashMap::new();
    while let Some(item) = rows.next_item()? {
        let outcome = match item {
            Item::Blank | Item::Skipped => continue,
            Item::Bad(e) => Err(e),
            Item::Row(f) => {
                let outcome = match T::parse(&f, &ctx) {
                    Err(e) => Err(row_error(&rows, &f, e)),
                    Ok(rec) => {
                        let dup = rec.key().and_then(|k| match keys.entry(k) {
                            Entry::Occupied(o) => Some((o.key().clone(), *o.get())),
                            Entry::Vacant(v) => {
                                v.insert(f.line);
                                None
                            }
                        });
                        match dup {
                            Some((k, first)) => {
                                let column = T::KIND.key_column().map(|c| f.column_name(c));
                                let e = CellError {
                                    column,
                                    reason: format!("duplicate {k} (first on line {first})"),
                                };
                                Err(row_error(&rows, &f, e))
                            }
                            None => accept(rec, &f).map_err(|e| row_error(&rows, &f, e)),
                        }
                    }
                };
                rows.recycle(f);
                outcome
            }
        };
        report.read += 1;
        match outcome {
            Ok(()) => report.accepted += 1,
            Err(e) => {
                report.rejected += 1;
                report.errors.push(e);
            }
        }
    }
    report.blank = rows.blank;
    report.skipped = rows.skipped;
    report.warnings = std::mem::take(&mut rows.warnings);
    Ok(report)
}

pub(crate) fn load_all<T: Record>(input: Input<'_>, opts: &ReadOptions) -> Result<Loaded<T>, Error> {
    let mut records = Vec::new();
    let report = load(input, opts, |r: T, _| {
        records.push(r);
        Ok(())
    })?;
    Ok(Loaded { records, report })
}

/// Read a schools file.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_schools<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<School>, Error> {
    load_all(input.into(), opts)
}

/// Read a classes file: one class a row (`school_id, year, stage, grade,
/// size`).
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_classes<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<ClassRow>, Error> {
    load_all(input.into(), opts)
}

/// Read a schools file and a classes file, and give each school its
/// classes. A class of a school not in the schools file, or of a stage the
/// school does not teach, is a rejected row of the classes file.
///
/// # Errors
/// A file-level [`Error`] of either file; bad rows are in the reports.
pub fn read_schools_with_classes<'a, 'b>(
    schools: impl Into<Input<'a>>,
    classes: impl Into<Input<'b>>,
    opts: &ReadOptions,
) -> Result<(Loaded<School>, LoadReport), Error> {
    let mut loaded = read_schools(schools, opts)?;
    let index: HashMap<SchoolId, usize> = loaded
        .records
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let records = &mut loaded.records;
    let report = load(classes.into(), opts, |row: ClassRow, f| {
        let school = index
            .get(&row.school_id)
            .and_then(|i| records.get_mut(*i))
            .ok_or_else(|| f.err("school_id", format!("unknown school {}", row.school_id)))?;
        if !school.kind.teaches(row.class.stage) {
            return Err(f.err(
                "stage",
                format!(
                    "stage {} is not taught at {} school {}",
                    row.class.stage, school.kind, school.id
                ),
            ));
        }
        school.classes.push(row.class);
        Ok(())
    })?;
    Ok((loaded, report))
}

/// Read a disbursements file. Negative and zero amounts are rejected rows.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_disbursements<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<Disbursement>, Error> {
    load_all(input.into(), opts)
}

/// Read a grade counts file. An empty or absent flow cell (graduates,
/// transfers …) is 0; `enrolled` is required.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_grade_counts<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<GradeCount>, Error> {
    load_all(input.into(), opts)
}

/// Read a school-age population file.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_population<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<PopulationCount>, Error> {
    load_all(input.into(), opts)
}

/// Read a disabled children file.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_disabled<'a>(
    input: impl Into<Input<'a>>,
    opts: &ReadOptions,
) -> Result<Loaded<DisabledChildrenCount>, Error> {
    load_all(input.into(), opts)
}

/// Read a teachers file.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_teachers<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<TeacherCount>, Error> {
    load_all(input.into(), opts)
}

/// The files of a county's aggregate counts; each is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountFiles<'a> {
    /// Grade counts (enrolment and flows).
    pub grades: Option<Input<'a>>,
    /// School-age population.
    pub population: Option<Input<'a>>,
    /// Disabled children of school age.
    pub disabled: Option<Input<'a>>,
    /// Teachers.
    pub teachers: Option<Input<'a>>,
}

/// Read the count files into one [`Counts`], the input of the statistics
/// crate, with the report of each file read (in the order grades,
/// population, disabled, teachers).
///
/// # Errors
/// A file-level [`Error`] of any file; bad rows are in the reports.
pub fn read_counts(files: CountFiles<'_>, opts: &ReadOptions) -> Result<(Counts, Vec<LoadReport>), Error> {
    let mut counts = Counts::default();
    let mut reports = Vec::new();
    if let Some(i) = files.grades {
        let l = read_grade_counts(i, opts)?;
        counts.grades = l.records;
        reports.push(l.report);
    }
    if let Some(i) = files.population {
        let l = read_population(i, opts)?;
        counts.population = l.records;
        reports.push(l.report);
    }
    if let Some(i) = files.disabled {
        let l = read_disabled(i, opts)?;
        counts.disabled = l.records;
        reports.push(l.report);
    }
    if let Some(i) = files.teachers {
        let l = read_teachers(i, opts)?;
        counts.teachers = l.records;
        reports.push(l.report);
    }
    Ok((counts, reports))
}

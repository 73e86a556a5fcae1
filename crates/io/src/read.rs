//! Loading files: the load report, the in-memory readers of every kind and
//! the streaming students reader.

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

/// Read a households file in long format: one status spell a row
/// (`household_id, status, from, until`). The records are the households,
/// in the order they first appear; the report counts rows (spells). A spell
/// that overlaps an earlier spell of the same kind of the same household is
/// a rejected row.
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_households<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<Household>, Error> {
    let mut order: Vec<HouseholdId> = Vec::new();
    let mut map: HashMap<HouseholdId, Household> = HashMap::new();
    let report = load(input.into(), opts, |row: SpellRow, f| {
        let h = map.entry(row.household_id.clone()).or_insert_with(|| {
            order.push(row.household_id.clone());
            Household::new(row.household_id.clone())
        });
        h.add_status(row.kind, row.range.from, row.range.until)
            .map_err(|e| f.err("from", e.to_string()))
    })?;
    let records = order.iter().filter_map(|id| map.remove(id)).collect();
    Ok(Loaded { records, report })
}

/// The households a students file and a households file describe, merged
/// by the rules in docs/file-formats.md:
///
/// - with a households file, it is authoritative: every status kind a
///   student row states must have exactly the spells the file has for that
///   household (a household not in the file has none); a row that disagrees
///   is rejected. A row naming a household not in the file and stating no
///   status adds that household, with no status;
/// - without one, the students' rows build the households: siblings (rows
///   naming the same household id) must state the same spells for every
///   kind both state; a row that disagrees is rejected.
#[derive(Debug, Clone, Default)]
pub struct HouseholdBook {
    /// The households, in the order first seen.
    households: Vec<Household>,
    /// Each household's place in `households`.
    index: IdMap<HouseholdId, usize>,
    authoritative: bool,
}

impl HouseholdBook {
    /// An empty book: households come from the students file.
    #[must_use]
    pub fn new() -> HouseholdBook {
        HouseholdBook::default()
    }

    /// A book holding the households of a households file, which is then
    /// authoritative.
    #[must_use]
    pub fn from_file(households: Vec<Household>) -> HouseholdBook {
        let mut book = HouseholdBook {
            authoritative: true,
            ..HouseholdBook::default()
        };
        for h in households {
            // A repeated id: the later household, in the earlier's place.
            match book.index.get(&h.id).and_then(|i| book.households.get_mut(*i)) {
                Some(known) => *known = h,
                None => book.add(h),
            }
        }
        book
    }

    fn add(&mut self, h: Household) {
        self.index.insert(h.id.clone(), self.households.len());
        self.households.push(h);
    }

    /// Check a student row's household against the book and add it.
    ///
    /// # Errors
    /// The reason the row disagrees with the book.
    pub fn merge(&mut self, row: &Household) -> Result<(), String> {
        match self.compare(row)? {
            Some((i, additions)) => self.extend(i, additions),
            None => self.add(row.clone()),
        }
        Ok(())
    }

    /// [`HouseholdBook::merge`], taking the row's household (no copy when
    /// the book does not have it yet).
    pub(crate) fn merge_owned(&mut self, row: Household) -> Result<(), String> {
        match self.compare(&row)? {
            Some((i, additions)) => self.extend(i, additions),
            None => self.add(row),
        }
        Ok(())
    }

    fn extend(&mut self, i: usize, additions: Vec<StatusSpell>) {
        if let Some(h) = self.households.get_mut(i) {
            h.statuses.extend(additions);
        }
    }

    /// Whether a row's household agrees with the book: `None` if the book
    /// does not have it and may take it, else its place and the spells the
    /// row adds to it.
    fn compare(&self, row: &Household) -> Result<Option<(usize, Vec<StatusSpell>)>, String> {
        let Some((i, known)) = self
            .index
            .get(&row.id)
            .and_then(|i| Some((*i, self.households.get(*i)?)))
        else {
            if self.authoritative && !row.statuses.is_empty() {
                let mut kinds: Vec<StatusKind> = row.statuses.iter().map(|s| s.kind).collect();
                kinds.dedup();
                let kinds: Vec<String> = kinds.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "household {} is not in the households file, so it has no status, but this row gives {}",
                    row.id,
                    kinds.join(", ")
                ));
            }
            return Ok(None);
        };
        let kinds: HashSet<StatusKind> = row.statuses.iter().map(|s| s.kind).collect();
        let mut kinds: Vec<StatusKind> = kinds.into_iter().collect();
        kinds.sort();
        let mut additions = Vec::new();
        for kind in kinds {
            let mine = spells_of(row, kind);
            let theirs = spells_of(known, kind);
            if theirs.is_empty() && !self.authoritative {
                additions.extend(row.statuses.iter().filter(|s| s.kind == kind).cloned());
            } else if mine != theirs {
                let source = if self.authoritative {
                    "the households file"
                } else {
                    "an earlier row"
                };
                return Err(format!(
                    "household {}: this row gives {kind} {} but {source} gives {}",
                    row.id,
                    describe(&mine),
                    describe(&theirs)
                ));
            }
        }
        Ok(Some((i, additions)))
    }

    /// The household with this id.
    #[must_use]
    pub fn get(&self, id: &HouseholdId) -> Option<&Household> {
        self.index.get(id).and_then(|i| self.households.get(*i))
    }

    /// True if the book has this household.
    #[must_use]
    pub fn contains(&self, id: &HouseholdId) -> bool {
        self.index.contains_key(id)
    }

    /// The households, in the order they were first seen.
    #[must_use]
    pub fn into_households(self) -> Vec<Household> {
        self.households
    }

    pub(crate) fn into_map(self) -> HashMap<HouseholdId, Household> {
        let mut households: Vec<Option<Household>> = self.households.into_iter().map(Some).collect();
        self.index
            .into_iter()
            .filter_map(|(id, i)| Some((id, households.get_mut(i)?.take()?)))
            .collect()
    }
}

fn spells_of(h: &Household, kind: StatusKind) -> Vec<eduaid_model::DateRange> {
    let mut v: Vec<_> = h.statuses.iter().filter(|s| s.kind == kind).map(|s| s.range).collect();
    v.sort();
    v
}

fn describe(spells: &[eduaid_model::DateRange]) -> String {
    if spells.is_empty() {
        return "nothing".into();
    }
    spells.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// One accepted row of a students file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRecord {
    /// The row's line.
    pub line: u64,
    /// The student; `household_id` is set when the row names a household or
    /// states a status (then to the derived id `H-<student id>` if the row
    /// names none).
    pub student: Student,
    /// The household as this row states it: its id and the status spells
    /// of the row's status columns (none if the row only names the id).
    pub household: Option<Household>,
    /// The numbers a bank payment file needs (身份证号, 银行卡号, 联系电话),
    /// if the row gives any.
    pub bank: Option<crate::BankDetails>,
}

/// A map keyed by an id, hashed as [`MemoryRoster`](eduaid_model::MemoryRoster)
/// hashes them (not SipHash: one lookup per row of a file of millions).
type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The schools a students file is checked against.
#[derive(Debug, Clone, Default)]
struct SchoolIndex {
    kinds: IdMap<SchoolId, SchoolKind>,
    /// School name → id and kind, `None` when two schools share the name.
    names: IdMap<String, Option<(SchoolId, SchoolKind)>>,
}

/// A students file read one row at a time, so a roster of any size can be
/// processed in constant memory: it keeps no row, only 16 bytes per student
/// for the duplicate check (which [`StudentReader::check_duplicates`] can
/// turn off) and, if given one, the [`HouseholdBook`].
///
/// Yields `Ok` for each accepted row and [`Error::Row`] for each rejected
/// one, and carries on; any other error ends the stream. [`report`] then
/// has the counts (its `errors` list stays empty: the rejected rows were
/// yielded).
///
/// Duplicates are found by a 128-bit fingerprint of each id, so the
/// reader does not hold the ids themselves: an id of up to 15 bytes is its
/// own fingerprint (its bytes and length), a longer one is hashed, and two
/// different long ids are taken for the same with a probability below
/// 10⁻²³ in a roster of 10 million.
///
/// ```
/// use eduaid_io::{Error, Input, ReadOptions, StudentReader};
///
/// let csv = "id,name,sex,birth_date,school_id,stage,grade,hukou,status,status_since\n\
///            P1,甲,male,2009-03-01,S1,primary,2,rural,enrolled,2015-09-01\n\
///            P2,乙,male,2009-02-29,S1,primary,2,rural,enrolled,2015-09-01\n";
/// let mut reader = StudentReader::open(Input::bytes("s.csv", csv.as_bytes()), &ReadOptions::default())?;
/// let mut bad = Vec::new();
/// for item in reader.by_ref() {
///     match item {
///         Ok(record) => assert_eq!(record.student.id.as_str(), "P1"),
///         Err(Error::Row(e)) => bad.push(e.line),
///         Err(e) => return Err(e.into()),
///     }
/// }
/// assert_eq!(bad, [3]);
/// assert_eq!(reader.report().accepted, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`report`]: StudentReader::report
#[derive(Debug)]
pub struct StudentReader<'a> {
    rows: RowReaderBox<'a>,
    report: LoadReport,
    ctx: Context,
    seen: Option<Seen>,
    schools: Option<SchoolIndex>,
    households: Option<HouseholdBook>,
    /// The book takes each row's household, and the record has none (for
    /// loaders that keep only the book).
    book_takes: bool,
    skip: HashSet<u64>,
    /// Warnings about accepted rows so far.
    row_warnings: u64,
}

/// The most row warnings (an implausible age, a birth date other than the
/// id card's) a students load lists one by one; past it, they are counted.
const MAX_ROW_WARNINGS: u64 = 100;

/// `RowReader` has no `Debug`; this wrapper gives the reader one.
struct RowReaderBox<'a>(RowReader<'a>);

impl fmt::Debug for RowReaderBox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowReader")
            .field("file", &self.0.file)
            .finish_non_exhaustive()
    }
}

impl<'a> StudentReader<'a> {
    /// Open a students file.
    ///
    /// # Errors
    /// A file-level [`Error`]: unreadable, unknown format, too large. Header
    /// faults (a missing required column) surface from the first `next`.
    pub fn open(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<StudentReader<'a>, Error> {
        let rows = RowReader::open(input.into(), FileKind::Students, opts)?;
        let report = LoadReport::new(&rows);
        Ok(StudentReader {
            rows: RowReaderBox(rows),
            report,
            ctx: Context::new(opts),
            seen: Some(Seen::default()),
            schools: None,
            households: None,
            book_takes: false,
            skip: HashSet::new(),
            row_warnings: 0,
        })
    }

    /// Check every row's school against `schools`: a row naming a school
    /// not among them, or a stage the school does not teach, is rejected. A
    /// school cell may hold the school's id or, if exactly one school has it,
    /// its name.
    #[must_use]
    pub fn with_schools<'s>(mut self, schools: impl IntoIterator<Item = &'s School>) -> StudentReader<'a> {
        let mut index = SchoolIndex::default();
        for s in schools {
            index.kinds.insert(s.id.clone(), s.kind);
            match index.names.entry(eduaid_model::normalize_id(&s.name)) {
                Entry::Occupied(mut o) => {
                    o.insert(None);
                }
                Entry::Vacant(v) => {
                    v.insert(Some((s.id.clone(), s.kind)));
                }
            }
        }
        self.schools = Some(index);
        self
    }

    /// Check every row's household against `book` and merge it in (see
    /// [`HouseholdBook`]). Without a book the rows' households are yielded
    /// but not checked against each other.
    #[must_use]
    pub fn with_households(mut self, book: HouseholdBook) -> StudentReader<'a> {
        self.households = Some(book);
        self
    }

    /// Let the book take each row's household (no copy): the records then
    /// carry none. For loaders that keep only the book.
    pub(crate) fn households_to_book(mut self) -> StudentReader<'a> {
        self.book_takes = true;
        self
    }

    /// Turn the duplicate-id check on (the default) or off.
    #[must_use]
    pub fn check_duplicates(mut self, on: bool) -> StudentReader<'a> {
        self.seen = on.then(Seen::default);
        self
    }

    /// Skip these lines without counting them (rows a first pass already
    /// rejected): used by [`FileRoster`](crate::FileRoster) to re-read a
    /// file it has checked.
    pub(crate) fn skipping(mut self, lines: HashSet<u64>) -> StudentReader<'a> {
        self.skip = lines;
        self
    }

    /// The counts so far (final once the iterator has ended).
    #[must_use]
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// The report, with the warnings, once the iterator has ended.
    #[must_use]
    pub fn into_report(mut self) -> LoadReport {
        self.finish_report();
        self.report
    }

    /// The household book, with every accepted row's household merged in.
    #[must_use]
    pub fn into_parts(mut self) -> (LoadReport, Option<HouseholdBook>) {
        self.finish_report();
        (self.report, self.households)
    }

    fn finish_report(&mut self) {
        self.report.blank = self.rows.0.blank;
        self.report.skipped = self.rows.0.skipped;
        self.report.warnings.clone_from(&self.rows.0.warnings);
        if self.row_warnings > MAX_ROW_WARNINGS {
            self.report.warnings.push(Warning {
                file: self.rows.0.file.clone(),
                line: 0,
                message: format!(
                    "{} more rows have warnings like the {MAX_ROW_WARNINGS} above (only the first {MAX_ROW_WARNINGS} are listed)",
                    self.row_warnings - MAX_ROW_WARNINGS
                ),
            });
        }
    }

    /// Keep an accepted row's warnings (the first [`MAX_ROW_WARNINGS`]
    /// rows' in full, then only a count).
    fn warn(&mut self, f: &Fields, student: &Student, warnings: Vec<(String, String)>) {
        for (column, message) in warnings {
            self.row_warnings += 1;
            if self.row_warnings <= MAX_ROW_WARNINGS {
                self.rows.0.warnings.push(Warning {
                    file: self.rows.0.file.clone(),
                    line: f.line,
                    message: format!("column {column}: record {}: {message}", student.id),
                });
            }
        }
    }

    fn check(&mut self, f: &Fields, mut row: StudentRow) -> Result<StudentRecord, CellError> {
        if let Some(seen) = &mut self.seen {
            if !seen.insert(fingerprint(row.student.id.as_bytes())) {
                return Err(f.err("id", format!("duplicate student id {}", row.student.id)));
            }
        }
        if let Some(index) = &self.schools {
            let sid = &row.student.school_id;
            let kind = match index.kinds.get(sid) {
                Some(k) => *k,
                None => match index.names.get(sid.as_str()) {
                    Some(Some((id, kind))) => {
                        row.student.school_id = id.clone();
                        *kind
                    }
                    Some(None) => return Err(f.err("school_id", format!("two schools are named {sid}: use the id"))),
                    None => return Err(f.err("school_id", format!("unknown school {sid}"))),
                },
            };
            if !kind.teaches(row.student.stage) {
                return Err(f.err(
                    "stage",
                    format!(
                        "stage {} is not taught at {} school {}",
                        row.student.stage, kind, row.student.school_id
                    ),
                ));
            }
        }
        if let Some(book) = &mut self.households {
            if self.book_takes {
                if let Some(h) = row.household.take() {
                    book.merge_owned(h).map_err(|r| f.err("household_id", r))?;
                }
            } else if let Some(h) = &row.household {
                book.merge(h).map_err(|r| f.err("household_id", r))?;
            }
        }
        let warnings = std::mem::take(&mut row.warnings);
        self.warn(f, &row.student, warnings);
        Ok(StudentRecord {
            line: f.line,
            student: row.student,
            household: row.household,
            bank: row.bank,
        })
    }
}

/// The fingerprints of the ids read so far, for the duplicate check: those
/// that came in increasing order in a sorted list (appended to, and a file
/// sorted by id keeps them all there: no hashing, no scattered memory),
/// the others in a hash set. Every fingerprint in the set is below the
/// last of the list, so one above it is new.
#[derive(Debug, Default)]
struct Seen {
    run: Vec<u128>,
    others: HashSet<u128, BuildHasherDefault<IdHasher>>,
}

impl Seen {
    /// Record `fp`; false if it was recorded before.
    fn insert(&mut self, fp: u128) -> bool {
        match self.run.last() {
            Some(&last) if fp <= last => self.run.binary_search(&fp).is_err() && self.others.insert(fp),
            _ => {
                self.run.push(fp);
                true
            }
        }
    }
}

/// A 128-bit fingerprint of an id: an id of up to 15 bytes is its length
/// in the top byte and its bytes below, big-endian (so no two such ids
/// share one, and ids of one length, such as numbered ones, are in the
/// order of their text); a longer id is two SipHash values under different
/// prefixes, with the top bit set (so it never meets a short id's, and
/// keeps 127 bits).
fn fingerprint(id: impl AsRef<[u8]>) -> u128 {
    let id = id.as_ref();
    if id.len() < 16 {
        let mut bytes = [0u8; 16];
        bytes[0] = clamped::<_, u8>(id.len());
        if let Some(tail) = bytes.get_mut(1..=id.len()) {
            tail.copy_from_slice(id);
        }
        return u128::from_be_bytes(bytes);
    }
    (1 << 127) | hashed_fingerprint(id)
}

/// Two SipHash values of the text `id` (hashed as a `str` is: its bytes,
/// then `0xff`) under different prefixes.
fn hashed_fingerprint(id: &[u8]) -> u128 {
    let mut a = DefaultHasher::new();
    a.write(id);
    a.write_u8(0xff);
    let mut b = DefaultHasher::new();
    0x5eed_u16.hash(&mut b);
    b.write(id);
    b.write_u8(0xff);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

impl StudentReader<'_> {
    /// Whether the file's header has the column `name` (an English name,
    /// [`FileKind::columns`]): `None` until the first row is read, and for
    /// JSON.
    #[must_use]
    pub fn has_column(&self, name: &str) -> Option<bool> {
        self.rows.0.has_column(name)
    }
}

/// The bank payment numbers (身份证号, 银行卡号, 联系电话, [`BankDetails`](crate::BankDetails))
/// a students file gives, by student; empty, after reading only up to its
/// first row, when its header has none of those columns. Rows rejected as
/// records are left out here (the load that computes aid reports them).
///
/// ```
/// use eduaid_io::{Input, ReadOptions, read_bank_details};
/// let csv = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期,一卡通账号,联系电话\n\
///            G1,甲,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01,6217 0012 3456 7890,13812345678\n";
/// let book = read_bank_details(Input::bytes("s.csv", csv.as_bytes()), &ReadOptions::default())?;
/// let g1 = &book[&eduaid_model::StudentId::new("G1")?];
/// assert_eq!(g1.bank_account.as_deref(), Some("6217001234567890"));
/// assert_eq!(g1.masked().phone.as_deref(), Some("138****5678"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A file-level [`Error`]; rejected rows are not errors here.
pub fn read_bank_details<'a>(
    input: impl Into<Input<'a>>,
    opts: &ReadOptions,
) -> Result<HashMap<eduaid_model::StudentId, crate::BankDetails>, Error> {
    let mut reader = StudentReader::open(input, opts)?.check_duplicates(false);
    let mut out = HashMap::new();
    let mut first = true;
    while let Some(item) = reader.next() {
        if first {
            first = false;
            let any = ["id_card", "bank_account", "phone"]
                .iter()
                .map(|c| reader.has_column(c))
                .try_fold(false, |acc, h| h.map(|h| acc || h));
            if any == Some(false) {
                return Ok(out);
            }
        }
        match item {
            Ok(r) => {
                if let Some(b) = r.bank {
                    out.insert(r.student.id, b);
                }
            }
            Err(Error::Row(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

impl Iterator for StudentReader<'_> {
    type Item = Result<StudentRecord, Error>;

    fn next(&mut self) -> Option<Result<StudentRecord, Error>> {
        loop {
            let item = match self.rows.0.next_item() {
                Ok(Some(i)) => i,
                Ok(None) => {
                    self.finish_report();
                    return None;
                }
                Err(e) => {
                    self.finish_report();
                    return Some(Err(e));
                }
            };
            let e = match item {
                Item::Blank | Item::Skipped => continue,
                // A row a first pass rejected is skipped whatever its fault:
                // a ragged row or an unclosed quote as much as a bad cell.
                Item::Bad(e) if !self.skip.is_empty() && self.skip.contains(&e.line) => continue,
                Item::Bad(e) => e,
                Item::Row(f) => {
                    if !self.skip.is_empty() && self.skip.contains(&f.line) {
                        continue;
                    }
                    // (Matched in place: the record, a few hundred bytes,
                    // is not moved through intermediate results.)
                    let fault = match StudentRow::parse(&f, &self.ctx) {
                        Ok(r) => match self.check(&f, r) {
                            Ok(r) => {
                                self.rows.0.recycle(f);
                                self.report.read += 1;
                                self.report.accepted += 1;
                                return Some(Ok(r));
                            }
                            Err(e) => e,
                        },
                        Err(e) => e,
                    };
                    let e = row_error(&self.rows.0, &f, fault);
                    self.rows.0.recycle(f);
                    e
                }
            };
            self.report.read += 1;
            self.report.rejected += 1;
            return Some(Err(Error::Row(Box::new(e))));
        }
    }
}

/// Students loaded into memory, with the households their rows state.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedStudents {
    /// The accepted students, in file order.
    pub students: Vec<Student>,
    /// The households the rows name or imply, merged (siblings must agree).
    pub households: Vec<Household>,
    /// What happened to every row.
    pub report: LoadReport,
}

/// Read a students file into memory, building households from its status
/// columns. To check schools and a households file too, use
/// [`load_roster`](crate::load_roster) or [`StudentReader`].
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_students<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<LoadedStudents, Error> {
    let mut reader = StudentReader::open(input, opts)?
        .with_households(HouseholdBook::new())
        .households_to_book();
    let (students, errors) = drain(&mut reader)?;
    let (mut report, book) = reader.into_parts();
    report.errors = errors;
    Ok(LoadedStudents {
        students,
        households: book.map(HouseholdBook::into_households).unwrap_or_default(),
        report,
    })
}

/// Run a reader to its end, keeping students and rejected rows.
pub(crate) fn drain(reader: &mut StudentReader<'_>) -> Result<(Vec<Student>, Vec<RowError>), Error> {
    let mut students = Vec::new();
    let mut errors = Vec::new();
    for item in reader.by_ref() {
        match item {
            Ok(r) => students.push(r.student),
            Err(Error::Row(e)) => errors.push(*e),
            Err(e) => return Err(e),
        }
    }
    Ok((students, errors))
}

/// A household's spells sorted, for comparisons in tests and writers.
#[must_use]
pub fn sorted_spells(h: &Household) -> Vec<StatusSpell> {
    let mut v = h.statuses.clone();
    v.sort_by_key(|s| (s.kind, s.range));
    v
}

#[cfg(test)]
mod tests {
    use super::{Seen, fingerprint};
    use proptest::prelude::*;

    proptest! {
        /// The duplicate check answers as a set of the ids would, whatever
        /// the order: sorted runs, repeats, long and Chinese ids.
        #[test]
        fn seen_ids_are_a_set(ids in prop::collection::vec(
            prop_oneof![
                3 => (0u32..60).prop_map(|n| format!("S{n:05}")),
                1 => (0u32..60).prop_map(|n| format!("{n}")),
                1 => "[A-Z0-9学]{0,18}",
            ],
            0..80,
        ), sort in 0usize..80) {
            let mut ids = ids;
            let cut = sort.min(ids.len());
            ids[..cut].sort();
            let mut seen = Seen::default();
            let mut set = std::collections::HashSet::new();
            for id in &ids {
                prop_assert_eq!(seen.insert(fingerprint(id)), set.insert(id.clone()), "{}", id);
            }
        }
    }

    proptest::proptest! {
        /// Two ids share a fingerprint only if they are the same id: short
        /// ids exactly, long ones but for a hash collision.
        #[test]
        fn fingerprints_tell_ids_apart(a in "[A-Za-z0-9\\-学生\u{0}]{0,20}", b in "[A-Za-z0-9\\-学生\u{0}]{0,20}") {
            proptest::prop_assert_eq!(fingerprint(&a) == fingerprint(&b), a == b);
        }
    }

    #[test]
    fn short_and_long_ids_never_share_a_fingerprint() {
        let short = fingerprint("S00000001");
        assert_eq!(short >> 120, 9);
        assert_ne!(fingerprint("a"), fingerprint("a\0"));
        // Numbered ids of one length are in order.
        assert!(fingerprint("S00000009") < fingerprint("S00000010"));
        assert_eq!(fingerprint("G430102200805011239") >> 127, 1);
        assert_eq!(fingerprint("123456789012345") >> 127, 0);
        assert_eq!(fingerprint("1234567890123456") >> 127, 1);
    }
}

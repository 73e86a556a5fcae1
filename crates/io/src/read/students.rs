//! The streaming students reader: each row checked against the schools,
//! the households and the ids before it.

use super::*;

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

    /// Check a parsed row against the ids, schools and households before it,
    /// where it lies: its household taken into the book if the reader keeps
    /// them there, its warnings recorded.
    fn check_in_place(&mut self, f: &Fields, row: &mut StudentRow) -> Result<(), CellError> {
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
        Ok(())
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

impl StudentReader<'_> {
    /// The next row: an accepted one handed to `take` with its line (its
    /// cells still at hand), a rejected one returned as the error; `None`
    /// at the end. What [`Iterator::next`] yields, without moving a record
    /// through intermediate results (a loader pushes the student where it
    /// keeps it).
    fn step(&mut self, take: impl FnOnce(&Fields, StudentRow)) -> Option<Result<(), Error>> {
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
                    let fault = match StudentRow::parse(&f, &self.ctx) {
                        Ok(mut r) => match self.check_in_place(&f, &mut r) {
                            Ok(()) => {
                                self.report.read += 1;
                                self.report.accepted += 1;
                                take(&f, r);
                                self.rows.0.recycle(f);
                                return Some(Ok(()));
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

    /// The next row as [`Iterator::next`] reads it, an accepted student
    /// pushed to `students` and its line to `lines` (the household, if the
    /// reader keeps them in its book, is there; the bank numbers are
    /// dropped).
    pub(crate) fn next_into(&mut self, students: &mut Vec<Student>, lines: &mut Vec<u64>) -> Option<Result<(), Error>> {
        self.step(|f, row| {
            students.push(row.student);
            lines.push(f.line);
        })
    }
}

impl Iterator for StudentReader<'_> {
    type Item = Result<StudentRecord, Error>;

    fn next(&mut self) -> Option<Result<StudentRecord, Error>> {
        let mut record = None;
        let step = self.step(|f, row| {
            record = Some(StudentRecord {
                line: f.line,
                student: row.student,
                household: row.household,
                bank: row.bank,
            });
        });
        match step? {
            Ok(()) => record.map(Ok),
            Err(e) => Some(Err(e)),
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

//! Rosters from files: loaded into memory, or streamed from the students
//! file on every visit.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;

use eduaid_model::{
    Household, HouseholdId, MemoryRoster, Roster, RosterError, School, SchoolId, Student, StudentId, Visit,
};

use crate::read::{
    HouseholdBook, LoadReport, Loaded, StudentReader, read_households, read_schools, read_schools_with_classes,
};
use crate::source::Input;
use crate::{BankDetails, Error, ReadOptions, RowError};

/// The files of a roster.
#[derive(Debug, Clone, Copy)]
pub struct RosterFiles<'a> {
    /// The schools file.
    pub schools: Input<'a>,
    /// The students file (with or without inline household status).
    pub students: Input<'a>,
    /// A households file in long format, if there is one; it is then
    /// authoritative over the students file's status columns.
    pub households: Option<Input<'a>>,
    /// A classes file, if there is one: the schools get their classes.
    pub classes: Option<Input<'a>>,
}

impl<'a> RosterFiles<'a> {
    /// Schools and students files, with no households or classes file.
    #[must_use]
    pub fn new(schools: impl Into<Input<'a>>, students: impl Into<Input<'a>>) -> RosterFiles<'a> {
        RosterFiles {
            schools: schools.into(),
            students: students.into(),
            households: None,
            classes: None,
        }
    }

    /// With a households file.
    #[must_use]
    pub fn households(mut self, households: impl Into<Input<'a>>) -> RosterFiles<'a> {
        self.households = Some(households.into());
        self
    }

    /// With a classes file.
    #[must_use]
    pub fn classes(mut self, classes: impl Into<Input<'a>>) -> RosterFiles<'a> {
        self.classes = Some(classes.into());
        self
    }
}

/// A roster loaded into memory, and the report of each file.
#[derive(Debug, Clone)]
pub struct LoadedRoster {
    /// The roster.
    pub roster: MemoryRoster,
    /// The schools file's report.
    pub schools: LoadReport,
    /// The households file's report, if one was read.
    pub households: Option<LoadReport>,
    /// The classes file's report, if one was read.
    pub classes: Option<LoadReport>,
    /// The students file's report. Students are checked against the
    /// schools (unknown school, stage not taught) and the households.
    pub students: LoadReport,
}

fn schools(files: &RosterFiles<'_>, opts: &ReadOptions) -> Result<(Loaded<School>, Option<LoadReport>), Error> {
    match files.classes {
        None => Ok((read_schools(files.schools, opts)?, None)),
        Some(c) => {
            let (schools, classes) = read_schools_with_classes(files.schools, c, opts)?;
            Ok((schools, Some(classes)))
        }
    }
}

fn household_book(files: &RosterFiles<'_>, opts: &ReadOptions) -> Result<(HouseholdBook, Option<LoadReport>), Error> {
    match files.households {
        None => Ok((HouseholdBook::new(), None)),
        Some(h) => {
            let loaded = read_households(h, opts)?;
            Ok((HouseholdBook::from_file(loaded.records), Some(loaded.report)))
        }
    }
}

/// Load a roster into memory: schools (with their classes, if a classes
/// file is given), then households (if a file is given), then students
/// checked against both.
///
/// # Errors
/// A file-level [`Error`] of any of the files; bad rows are in the reports.
pub fn load_roster(files: RosterFiles<'_>, opts: &ReadOptions) -> Result<LoadedRoster, Error> {
    load_roster_with_progress(files, opts, &mut |_| {})
}

/// How often, in student rows, a load reports its progress.
pub const PROGRESS_ROWS: u64 = 4096;

/// As [`load_roster`], calling `progress` with the student rows read so far
/// every [`PROGRESS_ROWS`] rows (for a progress bar or line; a large file
/// takes seconds to read).
///
/// # Errors
/// As [`load_roster`].
pub fn load_roster_with_progress(
    files: RosterFiles<'_>,
    opts: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<LoadedRoster, Error> {
    let (schools, classes_report) = schools(&files, opts)?;
    let (book, households_report) = household_book(&files, opts)?;
    let mut reader = StudentReader::open(files.students, opts)?
        .with_schools(&schools.records)
        .with_households(book)
        .households_to_book();
    // Each accepted row's student (its household is in the book) and line.
    let mut accepted: Vec<Student> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut rows = 0u64;
    while let Some(item) = reader.next_into(&mut accepted, &mut lines) {
        rows += 1;
        if rows % PROGRESS_ROWS == 0 {
            progress(rows);
        }
        match item {
            Ok(()) => {}
            Err(Error::Row(e)) => errors.push(*e),
            Err(e) => return Err(e),
        }
    }
    let (mut report, book) = reader.into_parts();
    let mut roster = MemoryRoster::new();
    for s in &schools.records {
        roster
            .add_school(s.clone())
            .map_err(|e| roster_fault(&schools.report.file, &e))?;
    }
    let households = book.map(HouseholdBook::into_households).unwrap_or_default();
    roster.reserve_households(households.len());
    for h in households {
        roster.add_household(h).map_err(|e| roster_fault(&report.file, &e))?;
    }
    // The reader checks what the roster checks; should they ever differ,
    // the row is still reported, not lost.
    for (at, student, e) in roster.add_students(accepted) {
        report.accepted -= 1;
        report.rejected += 1;
        errors.push(RowError {
            file: report.file.clone(),
            line: lines.get(at).copied().unwrap_or_default(),
            column: None,
            key: Some(student.id.to_string()),
            reason: e.to_string(),
        });
    }
    errors.sort_by_key(|e| e.line);
    report.errors = errors;
    Ok(LoadedRoster {
        roster,
        schools: schools.report,
        households: households_report,
        classes: classes_report,
        students: report,
    })
}

fn roster_fault(file: &str, e: &RosterError) -> Error {
    Error::Malformed {
        file: file.to_string(),
        line: 0,
        reason: e.to_string(),
    }
}

/// A [`Roster`] over files: schools and households in memory, students
/// re-read from their file in batches on every
/// [`visit_students`](Roster::visit_students), so a roster of 10 million
/// students is processed in the memory of one batch.
///
/// [`FileRoster::open`] reads the students file once to check it: the
/// report of that pass is [`FileRoster::students_report`], the rows it
/// rejected are skipped on every later pass, and the households the rows
/// state are merged and kept. CSV and JSON Lines are streamed; a JSON array
/// or an xlsx is read whole on each pass.
///
/// A file of up to [`FileRoster::DEFAULT_KEEP`] students (or the number
/// given to [`FileRoster::open_keeping`]) is read only once: the first
/// pass keeps its students, and their bank payment numbers
/// ([`FileRoster::bank_details`]), and every visit is served from them. A
/// larger file is re-read on every visit, in the memory of one batch: what
/// the first pass kept is dropped as soon as the file proves larger.
///
/// If the file changes between passes so that a row no longer reads, the
/// visit fails with [`RosterError::Backend`].
#[derive(Debug)]
pub struct FileRoster {
    students: PathBuf,
    opts: ReadOptions,
    schools: HashMap<SchoolId, School>,
    households: HashMap<HouseholdId, Household>,
    rejected: HashSet<u64>,
    count: usize,
    /// The students and their bank numbers, if the first pass kept them.
    kept: Option<(Vec<Student>, HashMap<StudentId, BankDetails>)>,
    batch: usize,
    schools_report: LoadReport,
    classes_report: Option<LoadReport>,
    households_report: Option<LoadReport>,
    students_report: LoadReport,
}

impl FileRoster {
    /// The default number of students per batch.
    pub const DEFAULT_BATCH: usize = 4096;

    /// The most students [`FileRoster::open`] keeps in memory from its
    /// first pass (2²⁰, a little over a million: a few hundred MB).
    pub const DEFAULT_KEEP: usize = 1 << 20;

    /// Open the files and check the students file, which must be a path
    /// (it is re-read on every visit).
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the students file is not a path; a
    /// file-level [`Error`] of any file.
    pub fn open(files: RosterFiles<'_>, opts: &ReadOptions) -> Result<FileRoster, Error> {
        FileRoster::open_with_progress(files, opts, &mut |_| {})
    }

    /// As [`open`](FileRoster::open), calling `progress` with the student
    /// rows checked so far every [`PROGRESS_ROWS`] rows.
    ///
    /// # Errors
    /// As [`open`](FileRoster::open).
    pub fn open_with_progress(
        files: RosterFiles<'_>,
        opts: &ReadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<FileRoster, Error> {
        FileRoster::open_keeping(files, opts, FileRoster::DEFAULT_KEEP, progress)
    }

    /// As [`open_with_progress`](FileRoster::open_with_progress), keeping
    /// the students of the first pass if there are at most `keep` of them
    /// (0: never; every visit re-reads the file).
    ///
    /// # Errors
    /// As [`open`](FileRoster::open).
    pub fn open_keeping(
        files: RosterFiles<'_>,
        opts: &ReadOptions,
        keep: usize,
        progress: &mut dyn FnMut(u64),
    ) -> Result<FileRoster, Error> {
        let Input::Path(students) = files.students else {
            return Err(Error::Unsupported {
                file: files.students.name(),
                reason: "a file roster re-reads its students from a file: give a path".into(),
            });
        };
        let (loaded, classes_report) = schools(&files, opts)?;
        let (book, households_report) = household_book(&files, opts)?;
        let mut reader = StudentReader::open(files.students, opts)?
            .with_schools(&loaded.records)
            .with_households(book)
            .households_to_book();
        let mut rejected = HashSet::new();
        let mut errors = Vec::new();
        let mut count = 0usize;
        let mut rows = 0u64;
        let mut kept = (keep > 0).then(|| (Vec::new(), HashMap::new()));
        for item in reader.by_ref() {
            rows += 1;
            if rows % PROGRESS_ROWS == 0 {
                progress(rows);
            }
            match item {
                Ok(r) => {
                    count += 1;
                    if count > keep {
                        kept = None;
                    }
                    if let Some((students, bank)) = &mut kept {
                        if let Some(b) = r.bank {
                            bank.insert(r.student.id.clone(), b);
                        }
                        students.push(r.student);
                    }
                }
                Err(Error::Row(e)) => {
                    rejected.insert(e.line);
                    errors.push(*e);
                }
                Err(e) => return Err(e),
            }
        }
        let (mut students_report, book) = reader.into_parts();
        students_report.errors = errors;
        Ok(FileRoster {
            students: students.to_path_buf(),
            opts: opts.clone(),
            schools: loaded.records.into_iter().map(|s| (s.id.clone(), s)).collect(),
            households: book.map(HouseholdBook::into_map).unwrap_or_default(),
            rejected,
            count,
            kept,
            batch: FileRoster::DEFAULT_BATCH,
            schools_report: loaded.report,
            classes_report,
            households_report,
            students_report,
        })
    }

    /// Set the number of students per batch (at least 1).
    #[must_use]
    pub fn with_batch_size(mut self, n: usize) -> FileRoster {
        self.batch = n.max(1);
        self
    }

    /// The report of the schools file.
    #[must_use]
    pub fn schools_report(&self) -> &LoadReport {
        &self.schools_report
    }

    /// The report of the classes file, if one was read.
    #[must_use]
    pub fn classes_report(&self) -> Option<&LoadReport> {
        self.classes_report.as_ref()
    }

    /// The report of the households file, if one was read.
    #[must_use]
    pub fn households_report(&self) -> Option<&LoadReport> {
        self.households_report.as_ref()
    }

    /// The report of the first pass over the students file.
    #[must_use]
    pub fn students_report(&self) -> &LoadReport {
        &self.students_report
    }

    /// True if the first pass kept the students, so that visits do not
    /// re-read the file.
    #[must_use]
    pub fn is_kept(&self) -> bool {
        self.kept.is_some()
    }

    /// The bank payment numbers (身份证号, 银行卡号, 联系电话) the accepted
    /// rows give, by student, if the first pass kept the students (else
    /// `None`: read them with [`read_bank_details`](crate::read_bank_details)).
    #[must_use]
    pub fn bank_details(&self) -> Option<&HashMap<StudentId, BankDetails>> {
        self.kept.as_ref().map(|(_, bank)| bank)
    }

    /// [`bank_details`](FileRoster::bank_details) moved out (the roster then
    /// holds none).
    pub fn take_bank_details(&mut self) -> Option<HashMap<StudentId, BankDetails>> {
        self.kept.as_mut().map(|(_, bank)| std::mem::take(bank))
    }
}

fn backend(e: Error) -> RosterError {
    RosterError::Backend(Box::new(e))
}

impl Roster for FileRoster {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        if let Some((students, _)) = &self.kept {
            for batch in students.chunks(self.batch.max(1)) {
                if visit(batch).is_break() {
                    break;
                }
            }
            return Ok(());
        }
        let reader = StudentReader::open(Input::Path(&self.students), &self.opts)
            .map_err(backend)?
            .with_schools(self.schools.values())
            .check_duplicates(false)
            .skipping(self.rejected.clone());
        let mut batch: Vec<Student> = Vec::with_capacity(self.batch);
        for item in reader {
            batch.push(item.map_err(backend)?.student);
            if batch.len() >= self.batch {
                if visit(&batch).is_break() {
                    return Ok(());
                }
                batch.clear();
            }
        }
        if !batch.is_empty() {
            let _: ControlFlow<()> = visit(&batch);
        }
        Ok(())
    }

    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        Ok(self.schools.get(id).map(Cow::Borrowed))
    }

    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        Ok(self.households.get(id).map(Cow::Borrowed))
    }

    fn student_count(&self) -> Result<usize, RosterError> {
        Ok(self.count)
    }
}

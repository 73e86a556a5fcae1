//! Data a rule needs that the record lacks (issue 13 item 5): a fee waiver
//! on a school with no tuition on record is not a silent 0.00. Such
//! students are not counted as entitled; they are counted here, by
//! program, with the schools named, and handed to the sink one by one.

use std::collections::BTreeSet;

use eduaid_model::{ProgramId, School, SchoolId, Student, Term};
use serde::Serialize;

use crate::accumulate::SchoolBook;
use crate::program::ProgramInfo;

/// What is missing: the only kind so far is the school's tuition.
pub const MISSING_TUITION: &str = "tuition";

/// One program's students whose amount needs data the record lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingData {
    /// The program.
    pub program: ProgramId,
    /// Its Chinese name.
    pub name: String,
    /// What is missing (`tuition`: the school's tuition, 学费标准).
    pub what: String,
    /// The schools lacking it, by id.
    pub schools: BTreeSet<SchoolId>,
    /// Students concerned (人).
    pub persons: u64,
    /// Student-terms concerned (人次).
    pub person_terms: u64,
}

impl MissingData {
    /// The warning in Chinese, naming the schools and the count.
    #[must_use]
    pub fn chinese(&self) -> String {
        let what = if self.what == MISSING_TUITION {
            "学费标准"
        } else {
            self.what.as_str()
        };
        let schools: Vec<&str> = self.schools.iter().map(SchoolId::as_str).collect();
        format!(
            "{}：{}所学校无{}记录（{}），涉及学生{}人（{}人次），金额无法计算，未计入享受人数和金额",
            self.name,
            self.schools.len(),
            what,
            schools.join("、"),
            self.persons,
            self.person_terms
        )
    }

    /// The warning in English.
    #[must_use]
    pub fn english(&self) -> String {
        let schools: Vec<&str> = self.schools.iter().map(SchoolId::as_str).collect();
        format!(
            "{} ({}): {} school(s) have no {} on record ({}); {} student(s) ({} student-terms) concerned, not counted as entitled: the amount cannot be computed",
            self.name,
            self.program,
            self.schools.len(),
            self.what,
            schools.join(", "),
            self.persons,
            self.person_terms
        )
    }
}

/// A student whose amount needs data the record lacks, as the batch
/// streams it to [`Sink::missing`](crate::Sink::missing).
#[derive(Debug, Clone, Copy)]
pub struct MissingRow<'a> {
    /// The student.
    pub student: &'a Student,
    /// The school.
    pub school: &'a School,
    /// The program.
    pub program: &'a ProgramInfo,
    /// The term.
    pub term: Term,
    /// What is missing (`tuition`).
    pub what: &'static str,
}

/// Missing data by program, as a run adds it up: person-terms, persons,
/// and the schools by their index in the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct MissingAcc {
    counts: Vec<(u64, u64)>,
    schools: Vec<BTreeSet<usize>>,
}

impl MissingAcc {
    pub(crate) fn new(programs: usize) -> MissingAcc {
        MissingAcc {
            counts: vec![(0, 0); programs],
            schools: vec![BTreeSet::new(); programs],
        }
    }

    /// One student-term of program `p` at school `sc`.
    pub(crate) fn term(&mut self, p: usize, sc: usize) {
        if let Some(c) = self.counts.get_mut(p) {
            c.0 += 1;
        }
        if let Some(s) = self.schools.get_mut(p) {
            s.insert(sc);
        }
    }

    /// One more student of program `p`.
    pub(crate) fn person(&mut self, p: usize) {
        if let Some(c) = self.counts.get_mut(p) {
            c.1 += 1;
        }
    }

    /// The list, programs with nothing missing left out.
    pub(crate) fn finish<'a>(
        &self,
        programs: impl Iterator<Item = &'a ProgramInfo>,
        schools: &SchoolBook,
    ) -> Vec<MissingData> {
        programs
            .zip(self.counts.iter().zip(&self.schools))
            .filter(|(_, (c, _))| c.0 > 0)
            .map(|(info, (c, sc))| MissingData {
                program: info.id.clone(),
                name: info.name.clone(),
                what: MISSING_TUITION.to_string(),
                schools: sc.iter().filter_map(|i| schools.id(*i)).cloned().collect(),
                persons: c.1,
                person_terms: c.0,
            })
            .collect()
    }
}

//! Declarative policy test cases, in the manner of OpenFisca's YAML tests:
//! a student, a term, and the amounts expected. A province runs its own
//! file against its overlay with [`run_cases`].
//!
//! ```toml
//! [[case]]
//! name = "registered-poor day pupil, spring 2017"
//! term = "2017-spring"
//! student = { stage = "primary", grade = 3, boarder = false }
//! school = { kind = "primary", locality = "rural", nutrition_plan_from = 2017-06-01 }
//! statuses = [{ kind = "registered_poor", from = 2015-10-01 }]
//! expect = { living-subsidy = 500, nutrition = 88 }
//! why_not = { senior-grant = "stage is 小学" }
//! ```
//!
//! `expect` maps a program to its amount for the term; `0` means "not
//! entitled" (or entitled to nothing). `why_not` maps a program to words its
//! reason must contain; `because` maps a program to words the trace of its
//! entitlement must contain (the rule applied, a parameter, a document), so a
//! case can tell "entitled to 0.00" from "not entitled". Programs a case does
//! not name are not checked.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use eduaid_model::{
    DisabilityKind, EnrolmentStatus, Household, HouseholdId, Hukou, Locality, MemoryRoster, Money, Ownership, School,
    SchoolId, SchoolKind, Sex, Stage, StatusKind, Student, StudentId, Term,
};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{line_col, syntax};
use crate::schema::When;
use crate::{Engine, Error};

/// A file of cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// The policy layer the cases are written for (informational).
    #[serde(default)]
    pub policy: Option<String>,
    /// The cases.
    #[serde(default, rename = "case")]
    pub cases: Vec<Case>,
}

/// One case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What it checks.
    pub name: Spanned<String>,
    /// The term.
    pub term: Term,
    /// The student.
    pub student: CaseStudent,
    /// The school.
    pub school: CaseSchool,
    /// The household's status spells.
    #[serde(default)]
    pub statuses: Vec<CaseStatus>,
    /// Expected amounts by program (0: not entitled).
    #[serde(default)]
    pub expect: BTreeMap<Spanned<String>, Money>,
    /// Words each program's why-not reason must contain.
    #[serde(default)]
    pub why_not: BTreeMap<Spanned<String>, String>,
    /// Words the trace of each program's entitlement must contain (the rule
    /// applied, a parameter, a document): the student must be entitled.
    #[serde(default)]
    pub because: BTreeMap<Spanned<String>, String>,
}

/// The student of a case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStudent {
    /// Stage.
    pub stage: Stage,
    /// Grade.
    pub grade: u8,
    /// Boarder.
    #[serde(default)]
    pub boarder: bool,
    /// Disability.
    #[serde(default)]
    pub disability: Option<DisabilityKind>,
    /// Hukou (default rural).
    #[serde(default)]
    pub hukou: Option<Hukou>,
    /// Agricultural major.
    #[serde(default)]
    pub agricultural_major: bool,
    /// A left-behind child.
    #[serde(default)]
    pub left_behind: bool,
    /// A migrant worker's child.
    #[serde(default)]
    pub migrant: bool,
    /// The day the student left school, if they did.
    #[serde(default)]
    pub left_on: Option<When>,
}

/// The school of a case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSchool {
    /// Kind.
    pub kind: SchoolKind,
    /// Locality (default rural).
    #[serde(default)]
    pub locality: Option<Locality>,
    /// Ownership (default public).
    #[serde(default)]
    pub ownership: Option<Ownership>,
    /// Joined the nutrition plan on.
    #[serde(default)]
    pub nutrition_plan_from: Option<When>,
    /// Annual tuition.
    #[serde(default)]
    pub annual_tuition: Option<Money>,
}

/// A status spell of a case.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStatus {
    /// The status.
    pub kind: StatusKind,
    /// From.
    pub from: When,
    /// Until (exclusive).
    #[serde(default)]
    pub until: Option<When>,
}

/// A case that did not give what it expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFailure {
    /// The case.
    pub name: String,
    /// Where the case is: `file:line`.
    pub at: String,
    /// What differed.
    pub message: String,
}

/// The result of running a file of cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseReport {
    /// Cases run.
    pub cases: usize,
    /// Checks made (one per expected program or reason).
    pub checks: usize,
    /// The failures.
    pub failures: Vec<CaseFailure>,
}

impl CaseReport {
    /// True if every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

fn build(case: &Case) -> Result<(MemoryRoster, StudentId), Error> {
    let mut roster = MemoryRoster::new();
    let mut school = School::new(
        SchoolId::new("CASE-SCHOOL")?,
        "测试学校",
        case.school.kind,
        case.school.ownership.unwrap_or(Ownership::Public),
        "测试镇",
        case.school.locality.unwrap_or(Locality::Rural),
    );
    school.nutrition_plan_from = case.school.nutrition_plan_from.map(|w| w.date);
    school.annual_tuition = case.school.annual_tuition;
    roster.add_school(school)?;
    let mut h = Household::new(HouseholdId::new("CASE-HOUSEHOLD")?);
    for s in &case.statuses {
        h.add_status(s.kind, s.from.date, s.until.map(|u| u.date))?;
    }
    roster.add_household(h)?;
    let id = StudentId::new("CASE-STUDENT")?;
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or(NaiveDate::MIN);
    let (status, since) = match case.student.left_on {
        Some(d) => (EnrolmentStatus::DroppedOut, d.date),
        None => (
            EnrolmentStatus::Enrolled,
            NaiveDate::from_ymd_opt(1990, 9, 1).unwrap_or(NaiveDate::MIN),
        ),
    };
    roster.add_student(Student {
        id: id.clone(),
        name: "测试学生".into(),
        sex: Sex::Female,
        birth_date: birth,
        school_id: SchoolId::new("CASE-SCHOOL")?,
        stage: case.student.stage,
        grade: case.student.grade,
        boarder: case.student.boarder,
        disability: case.student.disability,
        migrant: case.student.migrant,
        left_behind: case.student.left_behind,
        hukou: case.student.hukou.unwrap_or(Hukou::Rural),
        agricultural_major: case.student.agricultural_major,
        household_id: Some(HouseholdId::new("CASE-HOUSEHOLD")?),
        status,
        status_since: since,
        helper: None,
    })?;
    Ok((roster, id))
}

/// Run the cases of `text` (named `file` in messages) against `engine`.
///
/// # Errors
/// [`Error::Syntax`] for a malformed file, [`Error::Invalid`] for a case
/// naming an unknown program or describing an impossible student. Cases
/// whose amounts differ are not errors: they are the report's failures.
pub fn run_cases(engine: &Engine, file: &str, text: &str) -> Result<CaseReport, Error> {
    let parsed: CaseFile = toml::from_str(text).map_err(|e| syntax(file, text, &e))?;
    let known: Vec<String> = engine.programs().map(|p| p.id.to_string()).collect();
    let mut report = CaseReport::default();
    for case in &parsed.cases {
        let (line, column) = line_col(text, case.name.span().start);
        let at = format!("{file}:{line}");
        let invalid = |key: String, message: String, span: std::ops::Range<usize>| {
            let (l, c) = line_col(text, span.start);
            Error::Invalid {
                file: file.to_string(),
                line: l,
                column: c,
                key,
                message,
            }
        };
        for p in case.expect.keys().chain(case.why_not.keys()).chain(case.because.keys()) {
            if !known.iter().any(|k| k == p.get_ref()) {
                return Err(invalid(
                    format!("case {:?}", case.name.get_ref()),
                    format!("unknown program {}", p.get_ref()),
                    p.span(),
                ));
            }
        }
        let (roster, id) = build(case).map_err(|e| Error::Invalid {
            file: file.to_string(),
            line,
            column,
            key: format!("case {:?}", case.name.get_ref()),
            message: e.to_string(),
        })?;
        let ex = engine.explain(&roster, &id, case.term)?;
        report.cases += 1;
        for (p, want) in &case.expect {
            report.checks += 1;
            let got = ex
                .entitled
                .iter()
                .find(|e| e.program.as_str() == p.get_ref())
                .map_or(Money::ZERO, |e| e.amount);
            if got != *want {
                let why = ex
                    .not_entitled
                    .iter()
                    .find(|x| x.0.as_str() == p.get_ref())
                    .map(|x| format!(" (not entitled: {})", x.2))
                    .unwrap_or_default();
                report.failures.push(CaseFailure {
                    name: case.name.get_ref().clone(),
                    at: at.clone(),
                    message: format!("{}: expected {want}, got {got}{why}", p.get_ref()),
                });
            }
        }
        for (p, words) in &case.why_not {
            report.checks += 1;
            let reason = ex
                .not_entitled
                .iter()
                .find(|x| x.0.as_str() == p.get_ref())
                .map(|x| x.2.clone());
            match reason {
                Some(r) if r.contains(words.as_str()) => {}
                Some(r) => report.failures.push(CaseFailure {
                    name: case.name.get_ref().clone(),
                    at: at.clone(),
                    message: format!("{}: reason {r:?} does not contain {words:?}", p.get_ref()),
                }),
                None => report.failures.push(CaseFailure {
                    name: case.name.get_ref().clone(),
                    at: at.clone(),
                    message: format!("{}: entitled, expected not entitled ({words:?})", p.get_ref()),
                }),
            }
        }
        for (p, words) in &case.because {
            report.checks += 1;
            let trace = ex
                .entitled
                .iter()
                .find(|e| e.program.as_str() == p.get_ref())
                .map(|e| e.trace.as_ref().map(ToString::to_string).unwrap_or_default());
            match trace {
                Some(t) if t.contains(words.as_str()) => {}
                Some(t) => report.failures.push(CaseFailure {
                    name: case.name.get_ref().clone(),
                    at: at.clone(),
                    message: format!("{}: trace does not contain {words:?}:\n{t}", p.get_ref()),
                }),
                None => report.failures.push(CaseFailure {
                    name: case.name.get_ref().clone(),
                    at: at.clone(),
                    message: format!("{}: not entitled, expected entitled because {words:?}", p.get_ref()),
                }),
            }
        }
    }
    Ok(report)
}

/// Read `path` and run its cases.
///
/// # Errors
/// [`Error::Io`] and the errors of [`run_cases`].
pub fn run_case_file(engine: &Engine, path: &Path) -> Result<CaseReport, Error> {
    let text = crate::policy::read_toml_text(path)?;
    run_cases(engine, &path.display().to_string(), &text)
}

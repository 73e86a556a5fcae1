//! Turning one row's fields into a model record, for every file kind.

use chrono::NaiveDate;
use eduaid_model::{
    Class, DateRange, DisabilityKind, DisabledChildrenCount, Disbursement, GradeCount, Household, HouseholdId,
    ModelError, PopulationCount, PovertyGroup, ProgramId, School, SchoolId, SchoolYear, Stage, StatusKind, Student,
    StudentId, TeacherCount, Term,
};

use crate::FileKind;
use crate::cell::{Cell, parse_bool, parse_coded, parse_count, parse_date, parse_grade, parse_money, parse_u8};
use crate::source::{CellError, Fields};

/// A record one row of a file of its kind becomes.
pub(crate) trait Record: Sized {
    /// The kind of file.
    const KIND: FileKind;
    /// Parse one row.
    fn parse(f: &Fields, ctx: &Context) -> Result<Self, CellError>;
    /// The key that must be unique in a file, if any.
    fn key(&self) -> Option<String>;
}

/// What parsing may need beyond the row.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Context {
    /// The day yes/no status columns speak of.
    pub status_as_of: Option<NaiveDate>,
}

fn text(c: &Cell) -> Result<Option<String>, String> {
    c.text()
}

fn model(e: &ModelError) -> CellError {
    CellError::row(e.to_string())
}

impl Record for School {
    const KIND: FileKind = FileKind::Schools;

    fn parse(f: &Fields, _: &Context) -> Result<School, CellError> {
        let mut s = School::new(
            f.req("id", parse_coded::<SchoolId>)?,
            f.req("name", text)?,
            f.req("kind", parse_coded)?,
            f.req("ownership", parse_coded)?,
            f.req("township", text)?,
            f.req("locality", parse_coded)?,
        );
        s.nutrition_plan_from = f.get("nutrition_plan_from", parse_date)?;
        s.annual_tuition = f.get("annual_tuition", parse_money)?;
        if s.annual_tuition.is_some_and(|t| t.is_negative()) {
            return Err(f.err("annual_tuition", "negative tuition"));
        }
        s.validate().map_err(|e| model(&e))?;
        Ok(s)
    }

    fn key(&self) -> Option<String> {
        Some(self.id.to_string())
    }
}

/// One class of a school, as a classes file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    /// The school the class belongs to.
    pub school_id: SchoolId,
    /// The class.
    pub class: Class,
}

impl Record for ClassRow {
    const KIND: FileKind = FileKind::Classes;

    fn parse(f: &Fields, _: &Context) -> Result<ClassRow, CellError> {
        let school_id = f.req("school_id", parse_coded)?;
        let year = f.req("year", parse_coded::<SchoolYear>)?;
        let stage: Stage = f.req("stage", parse_coded)?;
        let grade = f.req("grade", |c| parse_grade(c, Some(stage)))?;
        let size = f.req("size", parse_count)?;
        let size = u32::try_from(size).map_err(|_| f.err("size", format!("{size} pupils in one class")))?;
        let class = Class::new(year, stage, grade, size).map_err(|e| f.err("grade", e.to_string()))?;
        Ok(ClassRow { school_id, class })
    }

    fn key(&self) -> Option<String> {
        None
    }
}

/// One row of a students file: the student and the household status it
/// states inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StudentRow {
    pub student: Student,
    /// The household the row names or implies, with the spells it states.
    pub household: Option<Household>,
}

/// The status columns of a students file: the yes/no column, the start and
/// the end column of each status kind.
pub(crate) const STATUS_COLUMNS: &[(StatusKind, &str, &str, &str)] = &[
    (
        StatusKind::RegisteredPoor,
        "registered_poor",
        "registered_poor_from",
        "registered_poor_until",
    ),
    (StatusKind::Monitored, "monitored", "monitored_from", "monitored_until"),
    (StatusKind::Dibao, "dibao", "dibao_from", "dibao_until"),
    (StatusKind::Destitute, "destitute", "destitute_from", "destitute_until"),
    (StatusKind::Orphan, "orphan", "orphan_from", "orphan_until"),
    (
        StatusKind::DeFactoUnsupported,
        "de_facto_unsupported",
        "de_facto_unsupported_from",
        "de_facto_unsupported_until",
    ),
    (StatusKind::Hardship, "hardship", "hardship_from", "hardship_until"),
];

/// The household id derived for a student whose row states a status but
/// names no household.
pub(crate) fn derived_household_id(student: &StudentId) -> Result<HouseholdId, ModelError> {
    HouseholdId::new(format!("H-{student}"))
}

fn yes(c: &Cell) -> Result<Option<bool>, String> {
    parse_bool(c)
}

impl Record for StudentRow {
    const KIND: FileKind = FileKind::Students;

    fn parse(f: &Fields, ctx: &Context) -> Result<StudentRow, CellError> {
        let id: StudentId = f.req("id", parse_coded)?;
        let stage: Stage = f.req("stage", parse_coded)?;
        let student = Student {
            name: f.req("name", text)?,
            sex: f.req("sex", parse_coded)?,
            birth_date: f.req("birth_date", parse_date)?,
            school_id: f.req("school_id", parse_coded)?,
            stage,
            grade: f.req("grade", |c| parse_grade(c, Some(stage)))?,
            boarder: f.get("boarder", yes)?.unwrap_or(false),
            disability: f.get("disability", parse_disability)?,
            migrant: f.get("migrant", yes)?.unwrap_or(false),
            left_behind: f.get("left_behind", yes)?.unwrap_or(false),
            hukou: f.req("hukou", parse_coded)?,
            agricultural_major: f.get("agricultural_major", yes)?.unwrap_or(false),
            household_id: f.get("household_id", parse_coded)?,
            status: f.req("status", parse_coded)?,
            status_since: f.req("status_since", parse_date)?,
            helper: f.get("helper", text)?,
            id,
        };
        student.validate().map_err(|e| match e {
            ModelError::InvalidGrade { .. } => f.err("grade", e.to_string()),
            // The record names the field at fault: report it at its column.
            ModelError::Inconsistent { field: Some(field), .. } => f.err(field, e.to_string()),
            _ => model(&e),
        })?;
        let mut spells = Vec::new();
        for (kind, flag_col, from_col, until_col) in STATUS_COLUMNS {
            let flag = f.get(flag_col, yes)?;
            let from = f.get(from_col, parse_date)?;
            let until = f.get(until_col, parse_date)?;
            if flag == Some(false) && (from.is_some() || until.is_some()) {
                let dated = if from.is_some() { from_col } else { until_col };
                return Err(f.err(flag_col, format!("says no, but {} gives a date", f.column_name(dated))));
            }
            let from = match (flag, from, until) {
                (_, Some(d), _) => d,
                (_, None, Some(_)) => {
                    return Err(f.err(
                        until_col,
                        format!("an end date without a start date ({})", f.column_name(from_col)),
                    ));
                }
                (Some(true), None, None) => match ctx.status_as_of {
                    Some(d) => d,
                    None => {
                        return Err(f.err(
                            flag_col,
                            format!(
                                "says yes but gives no start date ({}); set the status as-of date to read it as holding from that day",
                                f.column_name(from_col)
                            ),
                        ));
                    }
                },
                _ => continue,
            };
            let range = DateRange::new(from, until).map_err(|e| f.err(until_col, e.to_string()))?;
            spells.push((*kind, range));
        }
        let household = match (&student.household_id, spells.is_empty()) {
            (None, true) => None,
            (given, _) => {
                let hid = match given {
                    Some(h) => h.clone(),
                    None => derived_household_id(&student.id).map_err(|e| model(&e))?,
                };
                let mut h = Household::new(hid);
                for (kind, range) in spells {
                    h.add_status(kind, range.from, range.until).map_err(|e| model(&e))?;
                }
                Some(h)
            }
        };
        let mut student = student;
        if let Some(h) = &household {
            student.household_id = Some(h.id.clone());
        }
        Ok(StudentRow { student, household })
    }

    fn key(&self) -> Option<String> {
        Some(self.student.id.to_string())
    }
}

fn parse_disability(c: &Cell) -> Result<Option<DisabilityKind>, String> {
    match c.text()? {
        None => Ok(None),
        Some(t) if matches!(t.as_str(), "无" | "否" | "none" | "None" | "NONE") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|e: ModelError| e.to_string()),
    }
}

/// One row of a households file: a spell of one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpellRow {
    pub household_id: HouseholdId,
    pub kind: StatusKind,
    pub range: DateRange,
}

impl Record for SpellRow {
    const KIND: FileKind = FileKind::Households;

    fn parse(f: &Fields, _: &Context) -> Result<SpellRow, CellError> {
        let household_id = f.req("household_id", parse_coded)?;
        let kind = f.req("status", parse_coded)?;
        let from = f.req("from", parse_date)?;
        let until = f.get("until", parse_date)?;
        let range = DateRange::new(from, until).map_err(|e| f.err("until", e.to_string()))?;
        Ok(SpellRow {
            household_id,
            kind,
            range,
        })
    }

    fn key(&self) -> Option<String> {
        None
    }
}

/// The Chinese names of the programs in `docs/design.md`, read as their ids.
const PROGRAMS: &[(&str, &[&str])] = &[
    ("preschool-aid", &["学前教育资助", "学前资助"]),
    ("fee-waiver", &["义务教育免学杂费", "免学杂费"]),
    ("free-textbooks", &["免费教科书"]),
    (
        "living-subsidy",
        &["家庭经济困难寄宿生生活补助", "寄宿生生活补助", "生活补助"],
    ),
    ("nutrition", &["农村义务教育学生营养改善计划", "营养改善计划"]),
    ("senior-grant", &["普通高中国家助学金"]),
    ("senior-fee-waiver", &["普通高中免学杂费"]),
    ("vocational-grant", &["中职国家助学金"]),
    ("vocational-tuition-waiver", &["中职免学费"]),
    ("rain-and-dew", &["雨露计划"]),
    ("student-loan", &["生源地信用助学贷款"]),
    ("tertiary-grant", &["高校国家助学金"]),
    ("endeavour-scholarship", &["国家励志奖学金"]),
    ("national-scholarship", &["国家奖学金"]),
];

/// The Chinese name of a program id, for writers.
pub(crate) fn program_chinese(id: &ProgramId) -> Option<&'static str> {
    PROGRAMS
        .iter()
        .find(|(code, _)| *code == id.as_str())
        .and_then(|(_, names)| names.first().copied())
}

fn parse_program(c: &Cell) -> Result<Option<ProgramId>, String> {
    let Some(t) = c.text()? else {
        return Ok(None);
    };
    let code = PROGRAMS
        .iter()
        .find(|(_, names)| names.contains(&t.as_str()))
        .map_or(t.as_str(), |(code, _)| code);
    ProgramId::new(code).map(Some).map_err(|e| e.to_string())
}

impl Record for Disbursement {
    const KIND: FileKind = FileKind::Disbursements;

    fn parse(f: &Fields, _: &Context) -> Result<Disbursement, CellError> {
        let d = Disbursement {
            id: f.req("id", text)?,
            student_id: f.req("student_id", parse_coded)?,
            program: f.req("program", parse_program)?,
            term: f.req("term", parse_coded::<Term>)?,
            amount: f.req("amount", parse_money)?,
            paid_on: f.req("paid_on", parse_date)?,
            channel: f.req("channel", parse_coded)?,
        };
        if d.amount.is_negative() {
            return Err(f.err("amount", format!("negative amount {}", d.amount)));
        }
        if d.amount.is_zero() {
            return Err(f.err("amount", "zero amount: a disbursement pays something"));
        }
        d.validate().map_err(|e| model(&e))?;
        Ok(d)
    }

    fn key(&self) -> Option<String> {
        Some(self.id.clone())
    }
}

fn parse_poverty(c: &Cell) -> Result<Option<PovertyGroup>, String> {
    if let Ok(Some(b)) = parse_bool(c) {
        return Ok(Some(if b {
            PovertyGroup::RegisteredPoor
        } else {
            PovertyGroup::Other
        }));
    }
    parse_coded(c)
}

fn count(f: &Fields, name: &str) -> Result<u64, CellError> {
    Ok(f.get(name, parse_count)?.unwrap_or(0))
}

impl Record for GradeCount {
    const KIND: FileKind = FileKind::GradeCounts;

    fn parse(f: &Fields, _: &Context) -> Result<GradeCount, CellError> {
        let stage: Stage = f.req("stage", parse_coded)?;
        let g = GradeCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            school_id: f.req("school_id", parse_coded)?,
            township: f.req("township", text)?,
            locality: f.req("locality", parse_coded)?,
            stage,
            grade: f.req("grade", |c| parse_grade(c, Some(stage)))?,
            sex: f.req("sex", parse_coded)?,
            poverty: f.req("poverty", parse_poverty)?,
            enrolled: f.req("enrolled", parse_count)?,
            new_entrants: count(f, "new_entrants")?,
            repeaters: count(f, "repeaters")?,
            graduates: count(f, "graduates")?,
            transfers_in: count(f, "transfers_in")?,
            transfers_out: count(f, "transfers_out")?,
            dropouts: count(f, "dropouts")?,
            deaths: count(f, "deaths")?,
        };
        g.validate().map_err(|e| model(&e))?;
        Ok(g)
    }

    fn key(&self) -> Option<String> {
        Some(format!(
            "{} {} {} grade {} {} {}",
            self.year, self.school_id, self.stage, self.grade, self.sex, self.poverty
        ))
    }
}

impl Record for PopulationCount {
    const KIND: FileKind = FileKind::Population;

    fn parse(f: &Fields, _: &Context) -> Result<PopulationCount, CellError> {
        Ok(PopulationCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            township: f.req("township", text)?,
            age: f.req("age", parse_u8)?,
            sex: f.req("sex", parse_coded)?,
            count: f.req("count", parse_count)?,
        })
    }

    fn key(&self) -> Option<String> {
        Some(format!("{} {} age {} {}", self.year, self.township, self.age, self.sex))
    }
}

impl Record for DisabledChildrenCount {
    const KIND: FileKind = FileKind::Disabled;

    fn parse(f: &Fields, _: &Context) -> Result<DisabledChildrenCount, CellError> {
        let d = DisabledChildrenCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            township: f.req("township", text)?,
            kind: f.req("kind", parse_coded)?,
            age: f.req("age", parse_u8)?,
            sex: f.req("sex", parse_coded)?,
            total: f.req("total", parse_count)?,
            in_school: f.req("in_school", parse_count)?,
        };
        d.validate().map_err(|e| f.err("in_school", e.to_string()))?;
        Ok(d)
    }

    fn key(&self) -> Option<String> {
        Some(format!(
            "{} {} {} age {} {}",
            self.year, self.township, self.kind, self.age, self.sex
        ))
    }
}

impl Record for TeacherCount {
    const KIND: FileKind = FileKind::Teachers;

    fn parse(f: &Fields, _: &Context) -> Result<TeacherCount, CellError> {
        Ok(TeacherCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            school_id: f.req("school_id", parse_coded)?,
            stage: f.req("stage", parse_coded)?,
            teachers: f.req("teachers", parse_count)?,
        })
    }

    fn key(&self) -> Option<String> {
        Some(format!("{} {} {}", self.year, self.school_id, self.stage))
    }
}

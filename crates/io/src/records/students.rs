//! Students files: one student a row, with the household status the row
//! states inline.

use eduaid_model::{
    DateRange, DisabilityKind, Household, HouseholdId, IdCard, ModelError, Stage, StatusKind, Student, StudentId,
};

use super::bank::{BankDetails, bank_details};
use super::{Context, Record, model, text, yes};
use crate::FileKind;
use crate::cell::{Cell, parse_code, parse_date, parse_grade, parse_id};
use crate::source::{CellError, Col, Fields};

/// One row of a students file: the student and the household status it
/// states inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StudentRow {
    pub student: Student,
    /// The row's numbers for a bank payment file, if it gives any.
    pub bank: Option<BankDetails>,
    /// The household the row names or implies, with the spells it states.
    pub household: Option<Household>,
    /// What is doubtful but not wrong: the column and the message.
    pub warnings: Vec<(String, String)>,
}

/// The id card number (身份证号) a 全国学籍号 embeds: `G` and the 18
/// characters of the number.
fn id_card_in(id: &StudentId) -> Option<&str> {
    // Most ids are not (no text made of them to look at).
    if id.as_bytes().len() != 19 || id.as_bytes().first() != Some(&b'G') {
        return None;
    }
    let card = id.as_str().strip_prefix('G')?;
    let b = card.as_bytes();
    let looks = b.len() == 18
        && b.get(..17).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(17)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'X' || *c == b'x');
    looks.then_some(card)
}

/// The checks of a student against the id card number its 学籍号 may
/// embed and its stage: a 学籍号 whose id card number fails GB 11643 is an
/// error; an age outside the stage's plausible range, and a birth date
/// other than the id card's, are warnings. (A birth date in the future and
/// one after the status date are refused before.)
fn check_student(f: &Fields, s: &Student, ctx: &Context) -> Result<Vec<(String, String)>, CellError> {
    let mut warnings = Vec::new();
    if let Some(card) = id_card_in(&s.id) {
        match IdCard::parse(card, ctx.today) {
            Err(e) => {
                return Err(f.err(
                    col::ID,
                    format!("the 学籍号 is G and an id card number (身份证号), and it fails: {e}"),
                ));
            }
            Ok(c) if c.birth_date() != s.birth_date => warnings.push((
                f.column_name(col::BIRTH_DATE),
                format!(
                    "born on {}, but the id card number in the 学籍号 gives {}",
                    s.birth_date,
                    c.birth_date()
                ),
            )),
            Ok(_) => {}
        }
    }
    // The status date is the day an in-school student joined the school
    // (perhaps in an earlier stage) or the day a student left this stage.
    let age = s.age_on(s.status_since);
    let ages = s.stage.plausible_ages();
    let low = if s.status.is_in_school() { 2 } else { *ages.start() };
    if !(low..=*ages.end()).contains(&age) {
        warnings.push((
            f.column_name(col::BIRTH_DATE),
            format!(
                "aged {age} on the status date {} ({}), implausible for stage {} ({}): \
                 check the birth date and the stage",
                s.status_since,
                s.status,
                s.stage.chinese(),
                if s.status.is_in_school() {
                    format!("{low} to {} when joining", ages.end())
                } else {
                    format!("{} to {}", ages.start(), ages.end())
                }
            ),
        ));
    }
    Ok(warnings)
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

/// The columns of a students file that [`StudentRow`] reads, found when the
/// program is compiled (no lookup by name per row).
pub(super) mod col {
    use super::{Col, FileKind, STATUS_COLUMNS};

    pub(in crate::records) const ID: Col = Col::of(FileKind::Students, "id");
    pub(in crate::records) const STAGE: Col = Col::of(FileKind::Students, "stage");
    pub(in crate::records) const NAME: Col = Col::of(FileKind::Students, "name");
    pub(in crate::records) const SEX: Col = Col::of(FileKind::Students, "sex");
    pub(in crate::records) const BIRTH_DATE: Col = Col::of(FileKind::Students, "birth_date");
    pub(in crate::records) const SCHOOL_ID: Col = Col::of(FileKind::Students, "school_id");
    pub(in crate::records) const GRADE: Col = Col::of(FileKind::Students, "grade");
    pub(in crate::records) const BOARDER: Col = Col::of(FileKind::Students, "boarder");
    pub(in crate::records) const DISABILITY: Col = Col::of(FileKind::Students, "disability");
    pub(in crate::records) const MIGRANT: Col = Col::of(FileKind::Students, "migrant");
    pub(in crate::records) const LEFT_BEHIND: Col = Col::of(FileKind::Students, "left_behind");
    pub(in crate::records) const HUKOU: Col = Col::of(FileKind::Students, "hukou");
    pub(in crate::records) const AGRICULTURAL_MAJOR: Col = Col::of(FileKind::Students, "agricultural_major");
    pub(in crate::records) const HOUSEHOLD_ID: Col = Col::of(FileKind::Students, "household_id");
    pub(in crate::records) const STATUS: Col = Col::of(FileKind::Students, "status");
    pub(in crate::records) const STATUS_SINCE: Col = Col::of(FileKind::Students, "status_since");
    pub(in crate::records) const HELPER: Col = Col::of(FileKind::Students, "helper");
    pub(in crate::records) const ID_CARD: Col = Col::of(FileKind::Students, "id_card");
    pub(in crate::records) const BANK_ACCOUNT: Col = Col::of(FileKind::Students, "bank_account");
    pub(in crate::records) const PHONE: Col = Col::of(FileKind::Students, "phone");
    /// The flag, start and end column of each of [`STATUS_COLUMNS`], in its
    /// order.
    pub(in crate::records) const STATUS_SPELLS: [[Col; 3]; STATUS_COLUMNS.len()] = {
        const S: FileKind = FileKind::Students;
        let mut out = [[ID; 3]; STATUS_COLUMNS.len()];
        let mut i = 0;
        while i < STATUS_COLUMNS.len() {
            let (_, flag, from, until) = STATUS_COLUMNS[i];
            out[i] = [Col::of(S, flag), Col::of(S, from), Col::of(S, until)];
            i += 1;
        }
        out
    };
}

/// The household id derived for a student whose row states a status but
/// names no household.
pub(crate) fn derived_household_id(student: &StudentId) -> Result<HouseholdId, ModelError> {
    let student = student.as_str();
    let mut id = String::with_capacity(student.len() + 2);
    id.push_str("H-");
    id.push_str(student);
    HouseholdId::new(id)
}

/// The student a students row describes, its cells read in the order of
/// the columns below (the first failing cell is the error).
#[inline]
fn read_student(f: &Fields) -> Result<Student, CellError> {
    let id: StudentId = f.req(col::ID, parse_id)?;
    let stage: Stage = f.req(col::STAGE, parse_code)?;
    Ok(Student {
        name: f.req(col::NAME, text)?,
        sex: f.req(col::SEX, parse_code)?,
        birth_date: f.req(col::BIRTH_DATE, parse_date)?,
        school_id: f.req(col::SCHOOL_ID, parse_id)?,
        stage,
        grade: f.req(col::GRADE, |c| parse_grade(c, Some(stage)))?,
        boarder: f.get(col::BOARDER, yes)?.unwrap_or(false),
        disability: f.get(col::DISABILITY, parse_disability)?,
        migrant: f.get(col::MIGRANT, yes)?.unwrap_or(false),
        left_behind: f.get(col::LEFT_BEHIND, yes)?.unwrap_or(false),
        hukou: f.req(col::HUKOU, parse_code)?,
        agricultural_major: f.get(col::AGRICULTURAL_MAJOR, yes)?.unwrap_or(false),
        household_id: f.get(col::HOUSEHOLD_ID, parse_id)?,
        status: f.req(col::STATUS, parse_code)?,
        status_since: f.req(col::STATUS_SINCE, parse_date)?,
        helper: f.get(col::HELPER, text)?,
        id,
    })
}

/// Refuse a student born in the future, then one the model finds
/// invalid (reported at the column at fault where it names one).
#[inline]
fn validate_student(f: &Fields, student: &Student, ctx: &Context) -> Result<(), CellError> {
    // A birth date in the future says more than "born after the status
    // date", which follows from it.
    if student.birth_date > ctx.today {
        return Err(f.err(
            col::BIRTH_DATE,
            format!(
                "born on {}, which is in the future (today is {})",
                student.birth_date, ctx.today
            ),
        ));
    }
    student.validate().map_err(|e| match e {
        ModelError::InvalidGrade { .. } => f.err(col::GRADE, e.to_string()),
        // The record names the field at fault: report it at its column.
        ModelError::Inconsistent { field: Some(field), .. } => f.err(field, e.to_string()),
        _ => model(&e),
    })
}

/// The status spells a students row states, in the order of
/// [`STATUS_COLUMNS`].
#[inline]
fn status_spells(f: &Fields, ctx: &Context) -> Result<Vec<(StatusKind, DateRange)>, CellError> {
    let mut spells = Vec::new();
    // (By reference: the constant is not copied per row.)
    let status_spells: &'static [[Col; 3]; STATUS_COLUMNS.len()] = &col::STATUS_SPELLS;
    for ((kind, ..), cols @ &[flag_col, from_col, until_col]) in STATUS_COLUMNS.iter().zip(status_spells) {
        // Most rows state no status: three blank cells say nothing (as
        // the reading in `status_spell` finds: no flag, no dates).
        if f.cell(flag_col).is_blank() && f.cell(from_col).is_blank() && f.cell(until_col).is_blank() {
            continue;
        }
        if let Some(range) = status_spell(f, ctx, cols)? {
            spells.push((*kind, range));
        }
    }
    Ok(spells)
}

/// The spell one status kind's flag, start and end columns (`cols`)
/// state, not all blank: a start date (or, for a flag saying yes without
/// one, the status as-of date) and an end date if given; `None` for a
/// flag saying no without dates. A flag saying no beside a date, an end
/// without a start, and a yes without a start or an as-of date are
/// errors.
fn status_spell(f: &Fields, ctx: &Context, cols: &[Col; 3]) -> Result<Option<DateRange>, CellError> {
    let &[flag_col, from_col, until_col] = cols;
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
        _ => return Ok(None),
    };
    let range = DateRange::new(from, until).map_err(|e| f.err(until_col, e.to_string()))?;
    Ok(Some(range))
}

/// The household of a student that names one or states a status (under
/// the id [`derived_household_id`] gives if it names none), holding the
/// `spells`; `None` for a student that does neither.
#[inline]
fn household_of(student: &Student, spells: Vec<(StatusKind, DateRange)>) -> Result<Option<Household>, CellError> {
    Ok(match (&student.household_id, spells.is_empty()) {
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
    })
}

impl Record for StudentRow {
    const KIND: FileKind = FileKind::Students;

    fn parse(f: &Fields, ctx: &Context) -> Result<StudentRow, CellError> {
        let mut student = read_student(f)?;
        validate_student(f, &student, ctx)?;
        let mut warnings = check_student(f, &student, ctx)?;
        let bank = bank_details(f, ctx.today, &mut warnings);
        let spells = status_spells(f, ctx)?;
        let household = household_of(&student, spells)?;
        if let Some(h) = &household {
            student.household_id = Some(h.id.clone());
        }
        Ok(StudentRow {
            student,
            bank,
            household,
            warnings,
        })
    }

    fn key(&self) -> Option<String> {
        Some(self.student.id.to_string())
    }
}

pub(super) fn parse_disability(c: &Cell) -> Result<Option<DisabilityKind>, String> {
    match c.text()? {
        None => Ok(None),
        Some(t) if matches!(t.as_str(), "无" | "否" | "none" | "None" | "NONE") => Ok(None),
        Some(t) => t.parse().map(Some).map_err(|e: ModelError| e.to_string()),
    }
}

//! Turning one row's fields into a model record, for every file kind.

use chrono::NaiveDate;
use eduaid_model::{
    Class, DateRange, DisabilityKind, DisabledChildrenCount, Disbursement, GradeCount, Household, HouseholdId, IdCard,
    ModelError, PopulationCount, PovertyGroup, ProgramCatalogue, ProgramId, School, SchoolId, SchoolYear, Stage,
    StatusKind, Student, StudentId, TeacherCount, Term,
};

use crate::FileKind;
use crate::cell::{
    Cell, parse_bool, parse_code, parse_coded, parse_count, parse_date, parse_grade, parse_id, parse_money, parse_u8,
};
use crate::source::{CellError, Col, Fields};

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
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The day yes/no status columns speak of.
    pub status_as_of: Option<NaiveDate>,
    /// Today: a birth date after it is an error.
    pub today: NaiveDate,
    /// The programs a program cell may name.
    pub programs: ProgramCatalogue,
}

impl Context {
    /// The context of a read with these options, today being the system
    /// clock's date (UTC).
    pub(crate) fn new(opts: &crate::ReadOptions) -> Context {
        Context {
            status_as_of: opts.status_as_of,
            today: today(),
            programs: opts.programs.clone(),
        }
    }
}

/// Today's date by the system clock (UTC); 2199-12-31, the last date a
/// cell may hold, if the clock is unreadable (so nothing is in the future).
fn today() -> NaiveDate {
    let latest = NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or(NaiveDate::MAX);
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400);
    match days {
        Ok(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| e.checked_add_days(chrono::Days::new(days)))
            .unwrap_or(latest),
        Err(_) => latest,
    }
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
        use school_col as c;
        let mut s = School::new(
            f.req(c::ID, parse_id::<SchoolId>)?,
            f.req(c::NAME, text)?,
            f.req(c::KIND, parse_coded)?,
            f.req(c::OWNERSHIP, parse_coded)?,
            f.req(c::TOWNSHIP, text)?,
            f.req(c::LOCALITY, parse_coded)?,
        );
        s.nutrition_plan_from = f.get(c::NUTRITION_PLAN_FROM, parse_date)?;
        s.annual_tuition = f.get(c::ANNUAL_TUITION, parse_money)?;
        if s.annual_tuition.is_some_and(|t| t.is_negative()) {
            return Err(f.err(c::ANNUAL_TUITION, "negative tuition"));
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
        let school_id = f.req("school_id", parse_id)?;
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
mod col {
    use super::{Col, FileKind, STATUS_COLUMNS};

    pub(super) const ID: Col = Col::of(FileKind::Students, "id");
    pub(super) const STAGE: Col = Col::of(FileKind::Students, "stage");
    pub(super) const NAME: Col = Col::of(FileKind::Students, "name");
    pub(super) const SEX: Col = Col::of(FileKind::Students, "sex");
    pub(super) const BIRTH_DATE: Col = Col::of(FileKind::Students, "birth_date");
    pub(super) const SCHOOL_ID: Col = Col::of(FileKind::Students, "school_id");
    pub(super) const GRADE: Col = Col::of(FileKind::Students, "grade");
    pub(super) const BOARDER: Col = Col::of(FileKind::Students, "boarder");
    pub(super) const DISABILITY: Col = Col::of(FileKind::Students, "disability");
    pub(super) const MIGRANT: Col = Col::of(FileKind::Students, "migrant");
    pub(super) const LEFT_BEHIND: Col = Col::of(FileKind::Students, "left_behind");
    pub(super) const HUKOU: Col = Col::of(FileKind::Students, "hukou");
    pub(super) const AGRICULTURAL_MAJOR: Col = Col::of(FileKind::Students, "agricultural_major");
    pub(super) const HOUSEHOLD_ID: Col = Col::of(FileKind::Students, "household_id");
    pub(super) const STATUS: Col = Col::of(FileKind::Students, "status");
    pub(super) const STATUS_SINCE: Col = Col::of(FileKind::Students, "status_since");
    pub(super) const HELPER: Col = Col::of(FileKind::Students, "helper");
    pub(super) const ID_CARD: Col = Col::of(FileKind::Students, "id_card");
    pub(super) const BANK_ACCOUNT: Col = Col::of(FileKind::Students, "bank_account");
    pub(super) const PHONE: Col = Col::of(FileKind::Students, "phone");
    /// The flag, start and end column of each of [`STATUS_COLUMNS`], in its
    /// order.
    pub(super) const STATUS_SPELLS: [[Col; 3]; STATUS_COLUMNS.len()] = {
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

/// The columns of a schools file that [`School`]'s reading uses, found
/// when the program is compiled.
mod school_col {
    use super::{Col, FileKind};

    const K: FileKind = FileKind::Schools;
    pub(super) const ID: Col = Col::of(K, "id");
    pub(super) const NAME: Col = Col::of(K, "name");
    pub(super) const KIND: Col = Col::of(K, "kind");
    pub(super) const OWNERSHIP: Col = Col::of(K, "ownership");
    pub(super) const TOWNSHIP: Col = Col::of(K, "township");
    pub(super) const LOCALITY: Col = Col::of(K, "locality");
    pub(super) const NUTRITION_PLAN_FROM: Col = Col::of(K, "nutrition_plan_from");
    pub(super) const ANNUAL_TUITION: Col = Col::of(K, "annual_tuition");
    /// All of them, for the test that each is found.
    #[cfg(test)]
    pub(super) const ALL: [Col; 8] = [
        ID,
        NAME,
        KIND,
        OWNERSHIP,
        TOWNSHIP,
        LOCALITY,
        NUTRITION_PLAN_FROM,
        ANNUAL_TUITION,
    ];
}

/// The columns of a households file (one status spell a row), found when
/// the program is compiled.
mod spell_col {
    use super::{Col, FileKind};

    const K: FileKind = FileKind::Households;
    pub(super) const HOUSEHOLD_ID: Col = Col::of(K, "household_id");
    pub(super) const STATUS: Col = Col::of(K, "status");
    pub(super) const FROM: Col = Col::of(K, "from");
    pub(super) const UNTIL: Col = Col::of(K, "until");
    /// All of them, for the test that each is found.
    #[cfg(test)]
    pub(super) const ALL: [Col; 4] = [HOUSEHOLD_ID, STATUS, FROM, UNTIL];
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

fn yes(c: &Cell) -> Result<Option<bool>, String> {
    parse_bool(c)
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
    for ((kind, ..), &[flag_col, from_col, until_col]) in STATUS_COLUMNS.iter().zip(status_spells) {
        if let Some(range) = status_spell(f, ctx, [flag_col, from_col, until_col])? {
            spells.push((*kind, range));
        }
    }
    Ok(spells)
}

/// The spell one status kind's flag, start and end columns state, if
/// any: a start date (or, for a flag saying yes without one, the status
/// as-of date) and an end date if given. A flag saying no beside a date,
/// an end without a start, and a yes without a start or an as-of date
/// are errors.
#[inline]
fn status_spell(
    f: &Fields,
    ctx: &Context,
    [flag_col, from_col, until_col]: [Col; 3],
) -> Result<Option<DateRange>, CellError> {
    // Most rows state no status: three blank cells say nothing (as
    // the reading below finds: no flag, no dates).
    if f.cell(flag_col).is_blank() && f.cell(from_col).is_blank() && f.cell(until_col).is_blank() {
        return Ok(None);
    }
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

/// The numbers a bank payment file needs, from the optional columns 身份证号,
/// 银行卡号 (一卡通账号) and 联系电话. They never decide aid, so a doubtful
/// one is a warning and left out, not a rejected row: a number cell that
/// has lost digits (Excel keeps 15), an id card number failing GB 11643, a
/// bank account that is not 8 to 30 digits.
fn bank_details(f: &Fields, today: NaiveDate, warnings: &mut Vec<(String, String)>) -> Option<BankDetails> {
    // Most files have none of the three (each blank number is left out).
    if [col::ID_CARD, col::BANK_ACCOUNT, col::PHONE]
        .into_iter()
        .all(|c| f.cell(c).is_blank())
    {
        return None;
    }
    let mut number = |name: Col, check: &dyn Fn(&str) -> Option<String>| -> Option<String> {
        let t = match f.cell(name) {
            c if c.is_blank() => return None,
            Cell::Number(x) | Cell::Serial(x) => {
                if x.fract() != 0.0 || x.abs() >= 1e15 {
                    warnings.push((
                        f.column_name(name),
                        "the number was stored as a number cell and has lost digits: format the column as text in \
                         excel and type it again; left out"
                            .to_string(),
                    ));
                    return None;
                }
                format!("{x:.0}")
            }
            c => c.text().ok().flatten()?,
        };
        let t: String = eduaid_model::normalize_id(&t)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if t.is_empty() {
            return None;
        }
        if let Some(why) = check(&t) {
            warnings.push((f.column_name(name), format!("{why}; left out")));
            return None;
        }
        Some(t)
    };
    let id_card = number(col::ID_CARD, &|t| {
        IdCard::parse(t, today)
            .err()
            .map(|e| format!("not an id card number (身份证号): {e}"))
    });
    let bank_account = number(col::BANK_ACCOUNT, &|t| {
        let ok = (8..=30).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
        (!ok).then(|| "not a bank account number (8 to 30 digits)".to_string())
    });
    let phone = number(col::PHONE, &|t| {
        let ok = (5..=20).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit() || b == b'+');
        (!ok).then(|| "not a telephone number".to_string())
    });
    (id_card.is_some() || bank_account.is_some() || phone.is_some()).then_some(BankDetails {
        id_card,
        bank_account,
        phone,
    })
}

/// What a bank payment file (打卡发放) needs of a student, as the students
/// file gives it: read from the optional columns 身份证号, 银行卡号 (or
/// 一卡通账号 …) and 联系电话, and carried to the entitlement list. Personal
/// data: show it masked ([`BankDetails::masked`]) unless a full number is
/// asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BankDetails {
    /// The resident identity card number (身份证号), checked (GB 11643).
    pub id_card: Option<String>,
    /// The bank card or 一卡通 account the aid is paid to, digits only.
    pub bank_account: Option<String>,
    /// A contact telephone number.
    pub phone: Option<String>,
}

impl BankDetails {
    /// The numbers masked: `430102********1234`, `6217********1234`,
    /// `138****5678`.
    ///
    /// ```
    /// let d = eduaid_io::BankDetails::new(Some("43010220080501123X"), Some("6217001234567891234"), Some("13812345678"));
    /// let m = d.masked();
    /// assert_eq!(m.id_card.as_deref(), Some("430102********123X"));
    /// assert_eq!(m.bank_account.as_deref(), Some("6217***********1234"));
    /// assert_eq!(m.phone.as_deref(), Some("138****5678"));
    /// ```
    #[must_use]
    pub fn masked(&self) -> BankDetails {
        let keep = |s: &str, head: usize, tail: usize| -> String {
            let chars: Vec<char> = s.chars().collect();
            if chars.len() <= head + tail {
                return "*".repeat(chars.len());
            }
            let hidden = chars.len() - head - tail;
            chars[..head]
                .iter()
                .chain(std::iter::repeat_n(&'*', hidden))
                .chain(&chars[head + hidden..])
                .collect()
        };
        BankDetails {
            id_card: self.id_card.as_deref().map(eduaid_model::mask_id_card),
            bank_account: self.bank_account.as_deref().map(|s| keep(s, 4, 4)),
            phone: self.phone.as_deref().map(|s| keep(s, 3, 4)),
        }
    }

    /// Details from the three numbers, as given (unchecked).
    #[must_use]
    pub fn new(id_card: Option<&str>, bank_account: Option<&str>, phone: Option<&str>) -> BankDetails {
        BankDetails {
            id_card: id_card.map(str::to_string),
            bank_account: bank_account.map(str::to_string),
            phone: phone.map(str::to_string),
        }
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
        use spell_col as c;
        let household_id = f.req(c::HOUSEHOLD_ID, parse_id)?;
        let kind = f.req(c::STATUS, parse_coded)?;
        let from = f.req(c::FROM, parse_date)?;
        let until = f.get(c::UNTIL, parse_date)?;
        let range = DateRange::new(from, until).map_err(|e| f.err(c::UNTIL, e.to_string()))?;
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

/// A program cell: the id of the program it names in the catalogue (by
/// id, Chinese name or alias), else the text taken as an id.
fn parse_program(c: &Cell, programs: &ProgramCatalogue) -> Result<Option<ProgramId>, String> {
    let Some(t) = c.text()? else {
        return Ok(None);
    };
    programs.parse(&t).map(Some).map_err(|e| e.to_string())
}

impl Record for Disbursement {
    const KIND: FileKind = FileKind::Disbursements;

    fn parse(f: &Fields, ctx: &Context) -> Result<Disbursement, CellError> {
        let d = Disbursement {
            id: f.req("id", text)?,
            student_id: f.req("student_id", parse_id)?,
            program: f.req("program", |c| parse_program(c, &ctx.programs))?,
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

fn count(f: &Fields, name: &'static str) -> Result<u64, CellError> {
    Ok(f.get(name, parse_count)?.unwrap_or(0))
}

impl Record for GradeCount {
    const KIND: FileKind = FileKind::GradeCounts;

    fn parse(f: &Fields, _: &Context) -> Result<GradeCount, CellError> {
        let stage: Stage = f.req("stage", parse_coded)?;
        let g = GradeCount {
            year: f.req("year", parse_coded::<SchoolYear>)?,
            school_id: f.req("school_id", parse_id)?,
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
            temporary_in: count(f, "temporary_in")?,
            suspended: count(f, "suspended")?,
            other_in: count(f, "other_in")?,
            other_out: count(f, "other_out")?,
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
            school_id: f.req("school_id", parse_id)?,
            stage: f.req("stage", parse_coded)?,
            teachers: f.req("teachers", parse_count)?,
        })
    }

    fn key(&self) -> Option<String> {
        Some(format!("{} {} {}", self.year, self.school_id, self.stage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::ColumnKey;

    /// `Fields::get` reads a blank cell as no value without asking the
    /// parser: it holds only because every parser reads it so.
    #[test]
    fn every_parser_reads_a_blank_cell_as_no_value() {
        fn none<T: std::fmt::Debug>(what: &str, c: &Cell, r: &Result<Option<T>, String>) {
            assert!(matches!(r, Ok(None)), "{what} of {c:?}: {r:?}");
        }
        for c in [
            Cell::Empty,
            Cell::Text(String::new()),
            Cell::Text(" ".into()),
            Cell::Text("\t \u{3000}\u{a0}".into()),
        ] {
            assert!(c.is_blank());
            none("bool", &c, &parse_bool(&c));
            none("yes", &c, &yes(&c));
            none("date", &c, &parse_date(&c));
            none("text", &c, &text(&c));
            none("count", &c, &parse_count(&c));
            none("u8", &c, &parse_u8(&c));
            none("money", &c, &parse_money(&c));
            none("grade", &c, &parse_grade(&c, None));
            none("grade in a stage", &c, &parse_grade(&c, Some(Stage::Junior)));
            none("student id", &c, &parse_id::<StudentId>(&c));
            none("school id", &c, &parse_id::<SchoolId>(&c));
            none("household id", &c, &parse_id::<HouseholdId>(&c));
            none("stage", &c, &parse_coded::<Stage>(&c));
            none("status kind", &c, &parse_coded::<StatusKind>(&c));
            none("school year", &c, &parse_coded::<SchoolYear>(&c));
            none("term", &c, &parse_coded::<Term>(&c));
            none("sex", &c, &parse_coded::<eduaid_model::Sex>(&c));
            none("hukou", &c, &parse_coded::<eduaid_model::Hukou>(&c));
            none("student status", &c, &parse_coded::<eduaid_model::EnrolmentStatus>(&c));
            none("school kind", &c, &parse_coded::<eduaid_model::SchoolKind>(&c));
            none("disability", &c, &parse_disability(&c));
            none("program", &c, &parse_program(&c, &ProgramCatalogue::new()));
            none("poverty", &c, &parse_poverty(&c));
        }
    }

    #[test]
    fn student_columns_found_at_compile_time_are_those_looked_up() {
        let cols = [
            col::ID,
            col::STAGE,
            col::NAME,
            col::SEX,
            col::BIRTH_DATE,
            col::SCHOOL_ID,
            col::GRADE,
            col::BOARDER,
            col::DISABILITY,
            col::MIGRANT,
            col::LEFT_BEHIND,
            col::HUKOU,
            col::AGRICULTURAL_MAJOR,
            col::HOUSEHOLD_ID,
            col::STATUS,
            col::STATUS_SINCE,
            col::HELPER,
            col::ID_CARD,
            col::BANK_ACCOUNT,
            col::PHONE,
        ];
        let kind = FileKind::Students;
        for c in cols.iter().chain(col::STATUS_SPELLS.iter().flatten()) {
            assert!(kind.index(c.name()).is_some(), "{}", c.name());
            assert_eq!(c.index(kind), kind.index(c.name()), "{}", c.name());
        }
        for (i, (_, flag, from, until)) in STATUS_COLUMNS.iter().enumerate() {
            let names: Vec<&str> = col::STATUS_SPELLS[i].iter().map(|c| c.name()).collect();
            assert_eq!(names, [*flag, *from, *until]);
        }
        for (kind, cols) in [
            (FileKind::Schools, &school_col::ALL[..]),
            (FileKind::Households, &spell_col::ALL[..]),
        ] {
            for c in cols {
                assert!(kind.index(c.name()).is_some(), "{kind} {}", c.name());
                assert_eq!(c.index(kind), kind.index(c.name()), "{kind} {}", c.name());
            }
        }
        // Read in a file of another kind, a column is looked up by name.
        let school_id = Col::of(FileKind::Schools, "id");
        assert_eq!(school_id.index(kind), kind.index("id"));
        assert_eq!(
            col::SCHOOL_ID.index(FileKind::Schools),
            FileKind::Schools.index("school_id")
        );
    }
}

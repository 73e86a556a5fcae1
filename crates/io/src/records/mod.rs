//! Turning one row's fields into a model record, for every file kind.

use chrono::NaiveDate;
use eduaid_model::{ModelError, ProgramCatalogue};

use crate::FileKind;
use crate::cell::{Cell, parse_bool};
use crate::source::{CellError, Fields};

mod bank;
mod counts;
mod disbursements;
mod households;
mod schools;
mod students;

pub use bank::BankDetails;
pub(crate) use households::SpellRow;
pub use schools::ClassRow;
pub(crate) use students::{STATUS_COLUMNS, StudentRow};

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

fn yes(c: &Cell) -> Result<Option<bool>, String> {
    parse_bool(c)
}

#[cfg(test)]
mod tests {
    use super::counts::parse_poverty;
    use super::disbursements::parse_program;
    use super::households::spell_col;
    use super::schools::school_col;
    use super::students::{col, parse_disability};
    use super::*;
    use crate::cell::{parse_coded, parse_count, parse_date, parse_grade, parse_id, parse_money, parse_u8};
    use crate::source::{Col, ColumnKey};
    use eduaid_model::{HouseholdId, SchoolId, SchoolYear, Stage, StatusKind, StudentId, Term};

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

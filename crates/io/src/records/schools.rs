//! Schools and classes files: one school, or one class of a school, a
//! row.

use eduaid_model::{Class, School, SchoolId, SchoolYear, Stage};

use super::{Context, Record, model, text};
use crate::FileKind;
use crate::cell::{parse_coded, parse_count, parse_date, parse_grade, parse_id, parse_money};
use crate::source::{CellError, Col, Fields};

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

/// The columns of a schools file that [`School`]'s reading uses, found
/// when the program is compiled.
pub(super) mod school_col {
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
    pub(in crate::records) const ALL: [Col; 8] = [
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

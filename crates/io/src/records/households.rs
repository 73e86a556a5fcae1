//! Households files: one spell of one status of a household a row.

use eduaid_model::{DateRange, HouseholdId, StatusKind};

use super::{Context, Record};
use crate::FileKind;
use crate::cell::{parse_coded, parse_date, parse_id};
use crate::source::{CellError, Col, Fields};

/// The columns of a households file (one status spell a row), found when
/// the program is compiled.
pub(super) mod spell_col {
    use super::{Col, FileKind};

    const K: FileKind = FileKind::Households;
    pub(super) const HOUSEHOLD_ID: Col = Col::of(K, "household_id");
    pub(super) const STATUS: Col = Col::of(K, "status");
    pub(super) const FROM: Col = Col::of(K, "from");
    pub(super) const UNTIL: Col = Col::of(K, "until");
    /// All of them, for the test that each is found.
    #[cfg(test)]
    pub(in crate::records) const ALL: [Col; 4] = [HOUSEHOLD_ID, STATUS, FROM, UNTIL];
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

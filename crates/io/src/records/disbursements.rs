//! Disbursements files: one payment of a program to a student a row.

use eduaid_model::{Disbursement, ProgramCatalogue, ProgramId, Term};

use super::{Context, Record, model, text};
use crate::FileKind;
use crate::cell::{Cell, parse_coded, parse_date, parse_id, parse_money};
use crate::source::{CellError, Fields};

/// A program cell: the id of the program it names in the catalogue (by
/// id, Chinese name or alias), else the text taken as an id.
pub(super) fn parse_program(c: &Cell, programs: &ProgramCatalogue) -> Result<Option<ProgramId>, String> {
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

//! Writers: CSV (UTF-8, optionally with a BOM, or GB18030), JSON arrays,
//! JSON Lines and xlsx, with English or Chinese headers. A file is written
//! atomically; a CSV text cell a spreadsheet would run as a formula is
//! neutralised with a leading `'`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use eduaid_model::convert::clamped;
use eduaid_model::{
    DisabledChildrenCount, Disbursement, GradeCount, Household, HouseholdId, Money, PopulationCount, School,
    StatusKind, Student, TeacherCount,
};

use crate::cell::to_serial;
use crate::records::STATUS_COLUMNS;
use crate::{Column, Encoding, Error, FileKind, Format, Headers, WriteOptions};

mod counts;
mod roster;
mod stream;
mod table;
mod xlsx;

pub use counts::*;
pub use roster::*;
pub use stream::*;
use table::*;
use xlsx::*;

/// Where a writer writes.
#[non_exhaustive]
pub enum Output<'a> {
    /// A file, written atomically (see [`write_atomically`](crate::write_atomically)):
    /// replaced only when complete, left as it was on any error. Its
    /// extension tells the format unless [`WriteOptions::format`] is set.
    Path(&'a Path),
    /// Any writer; [`WriteOptions::format`] must be set.
    Writer(&'a mut dyn Write),
}

impl std::fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Output::Writer(_) => f.write_str("Writer(..)"),
        }
    }
}

impl<'a> From<&'a Path> for Output<'a> {
    fn from(p: &'a Path) -> Output<'a> {
        Output::Path(p)
    }
}

impl<'a> From<&'a std::path::PathBuf> for Output<'a> {
    fn from(p: &'a std::path::PathBuf) -> Output<'a> {
        Output::Path(p.as_path())
    }
}

impl<'a, W: Write> From<&'a mut W> for Output<'a> {
    fn from(w: &'a mut W) -> Output<'a> {
        Output::Writer(w)
    }
}

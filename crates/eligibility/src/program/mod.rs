//! The program trait, the facts a program is evaluated on, traces
//! (`trace.rs`: the steps that explain an answer), and the TOML-defined
//! program (`policy_program.rs`).

mod policy_program;
mod trace;

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use eduaid_model::{Money, ProgramId, Season, Term};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::{Cond, Reads, STAGES, Words, stage_ix};
use crate::policy::{Citation, DatedValue, Policy, ProgramSpec, Rule, Window};
use crate::schema::{AmountDef, Effect, TierDef, When};

pub(crate) use crate::facts::Ymd;
pub use crate::facts::{Facts, TermContext};
pub use policy_program::PolicyProgram;
pub(crate) use policy_program::{PerStage, Prepared};
use trace::date_key;
pub use trace::{Step, Trace};

/// What kind of benefit a program gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// Money paid to the student or family (打卡发放).
    Cash,
    /// Fees not charged (免学费, 免学杂费): the amount is the fees waived
    /// (`waiver`, or `waived`, in policy files).
    #[serde(alias = "waived")]
    Waiver,
    /// Goods or meals (实物): textbooks, school meals.
    InKind,
    /// An upper limit, not an entitlement: a loan cap, or a scholarship the
    /// student may be selected for.
    Ceiling,
}

impl Benefit {
    /// True if the amount is owed to the student (everything but a
    /// ceiling).
    #[must_use]
    pub fn is_owed(self) -> bool {
        self != Benefit::Ceiling
    }

    /// Every kind, in the order totals list them.
    pub const ALL: [Benefit; 4] = [Benefit::Cash, Benefit::Waiver, Benefit::InKind, Benefit::Ceiling];

    /// The code used in policy files and output columns: `cash`, `waiver`,
    /// `in_kind`, `ceiling`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Benefit::Cash => "cash",
            Benefit::Waiver => "waiver",
            Benefit::InKind => "in_kind",
            Benefit::Ceiling => "ceiling",
        }
    }

    /// The words a clerk reads: 现金, 免除费用, 实物, 上限.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Benefit::Cash => "现金",
            Benefit::Waiver => "免除费用",
            Benefit::InKind => "实物",
            Benefit::Ceiling => "上限（非应发）",
        }
    }
}

/// The basis of an entitlement (issue 13 item 3): the rule that decided,
/// in a clerk's words, the tier where the rule has tiers (一档, 二档…),
/// the layer that set the rule and its citation. Borrowed from the
/// engine's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis<'a> {
    /// The rule's id, unique in its program.
    pub rule: &'a str,
    /// Who the rule is for, in a clerk's words.
    pub label: Option<&'a str>,
    /// The tier that set the amount, if the rule has tiers.
    pub tier: Option<&'a str>,
    /// The policy layer that set the rule (`national`, an overlay).
    pub layer: &'a str,
    /// The rule's citation.
    pub cite: &'a Citation,
}

/// A program's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Id, e.g. `living-subsidy`.
    pub id: ProgramId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub english: Option<String>,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// Founding document.
    pub cite: Option<Citation>,
}

/// A program: something evaluated for a student and a term.
///
/// Implement it to add a program in Rust beside the TOML ones. The engine
/// calls [`Program::prepare`] once per term (resolve parameters there),
/// then [`TermProgram::evaluate`] for every student: keep that allocation
/// free when `trace` is `None`.
pub trait Program: Send + Sync + fmt::Debug {
    /// The program's description.
    fn info(&self) -> &ProgramInfo;

    /// Resolve the program for one term.
    ///
    /// # Errors
    /// A program that cannot be resolved for the term (a parameter with a
    /// gap in its dates): [`Error::Unprepared`](crate::Error::Unprepared)
    /// naming what is missing. A student who is simply not entitled is
    /// not an error: that is [`TermProgram::evaluate`] returning `None`.
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error>;
}

/// A program resolved for one term.
pub trait TermProgram: Send + Sync {
    /// The amount owed for the term, or `None` if the student is not
    /// entitled. With a trace, record the conditions, parameters (with
    /// citations) and arithmetic, or a [`Step::NotEntitled`] reason.
    fn evaluate(&self, facts: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Money>;

    /// False if the program can never apply to a student of `stage` this
    /// term, so the engine may skip it (without traces). The default,
    /// `true`, is always correct; override it for speed.
    fn may_apply(&self, stage: eduaid_model::Stage) -> bool {
        let _ = stage;
        true
    }

    /// What [`TermProgram::evaluate`] reads of the student without a
    /// trace, if it reads nothing of the student beyond those facts, the
    /// stage and the [`Facts::statuses`] named there (never
    /// [`Facts::household`] itself); the school and the term it may read
    /// freely. The engine then evaluates the program once for each group of
    /// students of a school who agree on those facts, and counts the group.
    /// Students at school on a reference date who have a leaving date are
    /// always evaluated one by one.
    ///
    /// The default, `None`, is always correct: the program is evaluated for
    /// every student.
    fn reads(&self) -> Option<Reads> {
        None
    }

    /// The basis of the entitlement [`TermProgram::evaluate`] grants the
    /// student (the rule, its tier and citation), if the program states
    /// one. `None` by default (a program written in Rust states none).
    fn basis(&self, facts: &Facts<'_>) -> Option<Basis<'_>> {
        let _ = facts;
        None
    }

    /// True if some rule's amount needs data a record may lack (a tuition
    /// share with no fallback). `false` by default.
    fn may_miss_data(&self) -> bool {
        false
    }

    /// What the rule that decides for the student needs and the record
    /// lacks (`"tuition"`), when [`TermProgram::evaluate`] gave no amount
    /// for that reason. `None` by default.
    fn missing(&self, facts: &Facts<'_>) -> Option<&'static str> {
        let _ = facts;
        None
    }
}

impl<P: Program + ?Sized> Program for Box<P> {
    fn info(&self) -> &ProgramInfo {
        (**self).info()
    }
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error> {
        (**self).prepare(term)
    }
}

impl<P: Program + ?Sized> Program for Arc<P> {
    fn info(&self) -> &ProgramInfo {
        (**self).info()
    }
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error> {
        (**self).prepare(term)
    }
}

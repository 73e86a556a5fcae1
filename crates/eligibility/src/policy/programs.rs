//! Programs, their rules and the limits across programs, as composed.

use chrono::NaiveDate;

use super::Citation;
use crate::Benefit;
use crate::schema::{AmountDef, ConditionsDef, Effect, LimitKind, When};

/// A rule of a program, composed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Id, unique in the program.
    pub id: String,
    /// Who it is for, in a clerk's words.
    pub label: Option<String>,
    /// In force from.
    pub from: Option<When>,
    /// In force until (exclusive).
    pub until: Option<When>,
    /// Grant or deny.
    pub effect: Effect,
    /// Conditions.
    pub when: ConditionsDef,
    /// Amount of a grant.
    pub amount: Option<AmountDef>,
    /// Reason of a deny.
    pub reason: Option<String>,
    /// Citation.
    pub cite: Citation,
    /// The layer that set it.
    pub layer: String,
}

impl Rule {
    /// True if the rule is in force on `date`.
    #[must_use]
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f.date <= date) && self.until.is_none_or(|u| date < u.date)
    }
}

/// A program as the composed policy defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramSpec {
    /// Id, e.g. `living-subsidy`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub english: Option<String>,
    /// Other names a file may give it, every layer's (and a name an overlay
    /// replaced).
    pub aliases: Vec<String>,
    /// The short name charts show, if the policy gives one.
    pub short: Option<String>,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// Free text.
    pub description: Option<String>,
    /// Founding document.
    pub cite: Citation,
    /// Rules, highest precedence first.
    pub rules: Vec<Rule>,
}

/// A rule across programs, composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LimitKind,
    /// Programs covered, in order.
    pub programs: Vec<String>,
    /// The cap parameter of a cap.
    pub cap_per_term: Option<String>,
    /// In force from.
    pub from: Option<When>,
    /// In force until.
    pub until: Option<When>,
    /// Citation.
    pub cite: Citation,
}

impl Limit {
    /// True if in force on `date`.
    #[must_use]
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f.date <= date) && self.until.is_none_or(|u| date < u.date)
    }
}

//! Totals by the basis of each entitlement (issue 13 item 3): by program,
//! rule and tier (一档, 二档…), so that a county can check its tier counts
//! without summing rows.

use std::collections::{BTreeMap, HashSet};

use eduaid_model::{Money, ProgramId, StudentId};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::engine::{Row, Sink, Tally};

/// One program's entitlements by rule and by tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProgramBasis {
    /// By the id of the rule that decided.
    pub by_rule: BTreeMap<String, Tally>,
    /// By tier name (一档, 二档…), for entitlements whose rule has tiers.
    pub by_tier: BTreeMap<String, Tally>,
    /// Entitlements whose program states no basis (a program written in
    /// Rust).
    pub no_basis: Tally,
}

/// A [`Sink`] that tallies entitlements by program, rule and tier: plug
/// it into [`Engine::run`](crate::Engine::run) (or use
/// [`Engine::totals_by_basis`](crate::Engine::totals_by_basis)). Persons
/// are distinct students per rule and per tier; person-terms and amounts
/// add up to the program's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BasisTotals {
    /// By program id.
    pub programs: BTreeMap<ProgramId, ProgramBasis>,
    #[serde(skip)]
    seen: HashSet<(ProgramId, u8, String, StudentId)>,
}

impl BasisTotals {
    /// Program `id`'s breakdown, if it had an entitlement.
    #[must_use]
    pub fn program(&self, id: &str) -> Option<&ProgramBasis> {
        self.programs.iter().find(|(k, _)| k.as_str() == id).map(|(_, v)| v)
    }

    fn add(&mut self, program: &ProgramId, kind: u8, key: &str, student: &StudentId, amount: Money) {
        let first = self
            .seen
            .insert((program.clone(), kind, key.to_string(), student.clone()));
        let pb = self.programs.entry(program.clone()).or_default();
        let t = match kind {
            0 => pb.by_rule.entry(key.to_string()).or_default(),
            1 => pb.by_tier.entry(key.to_string()).or_default(),
            _ => &mut pb.no_basis,
        };
        if first {
            t.persons += 1;
        }
        t.person_terms += 1;
        t.amount = t
            .amount
            .checked_add(amount)
            .unwrap_or_else(|| Money::from_decimal_exact(Decimal::MAX));
    }
}

impl Sink for BasisTotals {
    fn entitlement(&mut self, row: &Row<'_>) -> Result<eduaid_model::Visit, crate::Error> {
        let (p, s) = (&row.program.id, &row.student.id);
        match row.basis {
            Some(b) => {
                self.add(p, 0, b.rule, s, row.amount);
                if let Some(t) = b.tier {
                    self.add(p, 1, t, s, row.amount);
                }
            }
            None => self.add(p, 2, "", s, row.amount),
        }
        Ok(eduaid_model::Visit::Continue(()))
    }
}

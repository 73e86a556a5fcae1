//! Parity indices (gender, poverty, location) and their adjusted form.

use std::fmt;

use eduaid_model::{Decimal, Sex};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::rate::{Rate, Ratio};
use crate::source::{CountSource, Filter, Filtered, GroupKey};

/// The parity index `group / reference` of two decimal values and its
/// adjusted form (`2 − reference/group` above one); `None` when the
/// reference is zero or either is negative.
#[must_use]
pub fn adjusted_parity(group: Decimal, reference: Decimal) -> Option<(Decimal, Decimal)> {
    if group.is_sign_negative() && !group.is_zero() || reference <= Decimal::ZERO {
        return None;
    }
    let index = group.checked_div(reference)?;
    let adjusted = if index <= Decimal::ONE {
        index
    } else {
        Decimal::TWO.checked_sub(reference.checked_div(group)?)?
    };
    Some((index, adjusted))
}

/// Which groups a parity index compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParityKind {
    /// Gender parity index (GPI): female over male.
    Gender,
    /// Registered-poor over other students.
    Poverty,
    /// Location parity: rural over urban.
    Location,
}

impl ParityKind {
    /// The name shown in a table: `女/男`, `建档立卡/非建档立卡`, `农村/城区`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ParityKind::Gender => "女/男",
            ParityKind::Poverty => "建档立卡/非建档立卡",
            ParityKind::Location => "农村/城区",
        }
    }

    /// The disadvantaged group and the reference group.
    #[must_use]
    pub fn groups(self) -> (GroupKey, GroupKey) {
        use eduaid_model::{Locality, PovertyGroup};
        match self {
            ParityKind::Gender => (GroupKey::Sex(Sex::Female), GroupKey::Sex(Sex::Male)),
            ParityKind::Poverty => (
                GroupKey::Poverty(PovertyGroup::RegisteredPoor),
                GroupKey::Poverty(PovertyGroup::Other),
            ),
            ParityKind::Location => (GroupKey::Locality(Locality::Rural), GroupKey::Locality(Locality::Urban)),
        }
    }
}

/// A parity index and its adjusted form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parity {
    /// Which groups.
    pub kind: ParityKind,
    /// The indicator for the disadvantaged group.
    pub group: Rate,
    /// The indicator for the reference group.
    pub reference: Rate,
    /// The parity index, group over reference, exact.
    pub index: Option<Ratio>,
    /// The adjusted index: the index when at most one, else `2 − 1/index`,
    /// exact; symmetric around one and bounded by two.
    pub adjusted: Option<Ratio>,
}

impl fmt::Display for Parity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |r: &Option<Ratio>| {
            r.map_or_else(
                || crate::rate::NO_VALUE.to_string(),
                |r| r.format(2, eduaid_model::Rounding::HalfUp),
            )
        };
        write!(
            f,
            "{} parity index {} (adjusted {})",
            self.kind.label(),
            show(&self.index),
            show(&self.adjusted)
        )
    }
}

/// The parity index of two rates, and the adjusted parity index (UIS GPIA):
/// `F/M` if `F ≤ M`, else `2 − M/F`.
#[must_use]
pub fn parity_index(kind: ParityKind, group: Rate, reference: Rate) -> Parity {
    let valid = group.has_value() && reference.has_value() && group.numerator() >= 0;
    let index = if valid {
        group.ratio.checked_div(&reference.ratio)
    } else {
        None
    };
    let adjusted = index.and_then(|i| {
        let i = if i.denominator < 0 {
            Ratio::new(i.numerator.checked_neg()?, i.denominator.checked_neg()?)
        } else {
            i
        };
        if i.numerator <= i.denominator {
            Some(i)
        } else {
            // 2 − d/n = (2n − d)/n
            Some(Ratio::new(
                i.numerator.checked_mul(2)?.checked_sub(i.denominator)?,
                i.numerator,
            ))
        }
    });
    Parity {
        kind,
        group,
        reference,
        index,
        adjusted,
    }
}

/// The parity index of any indicator computed on counts: the indicator is
/// computed on each group's records (summed first) and compared.
///
/// # Errors
/// The first error of the source or of `indicator`.
pub fn parity<S, F>(source: &S, kind: ParityKind, indicator: F) -> Result<Parity, Error>
where
    S: CountSource + ?Sized,
    F: Fn(&dyn CountSource) -> Result<Rate, Error>,
{
    let (g, r) = kind.groups();
    let group = indicator(&Filtered::new(source, Filter::all().and(&g))?)?;
    let reference = indicator(&Filtered::new(source, Filter::all().and(&r))?)?;
    Ok(parity_index(kind, group, reference))
}

//! The plan the sample county is built from: each school's role and
//! planned enrolment, and the exact apportionment every step uses. Shared by
//! the county's build (`county`) and its counts (`counts`), which depend on
//! this module and not on each other's internals.

use crate::convert::clamped;
use chrono::{Days, NaiveDate};
use eduaid_model::{School, Stage};

/// The role of a school in the county's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    UrbanPublicPrimary,
    UrbanPrivatePrimary,
    UrbanJunior,
    Central,
    RuralJunior,
    NineYear,
    Village,
    TeachingPoint,
    Special,
    KgPublic,
    KgInclusive,
    KgNonInclusive,
    Senior,
    Vocational,
}

impl Group {
    /// Per mille of boarders for a grade.
    pub(crate) fn boarders(self, stage: Stage, grade: u8) -> u64 {
        match (self, stage) {
            (Group::UrbanPrivatePrimary, _) if grade >= 3 => 300,
            (Group::UrbanJunior, _) => 350,
            (Group::Central, _) if grade >= 4 => 250,
            (Group::RuralJunior, _) => 800,
            (Group::NineYear, Stage::Junior) => 650,
            (Group::NineYear, _) if grade >= 5 => 200,
            (Group::Village, _) if grade >= 5 => 50,
            (Group::Special, _) => 700,
            (Group::Senior, _) => 850,
            (Group::Vocational, _) => 750,
            _ => 0,
        }
    }

    /// Relative weight for registered-poor students (0: none).
    pub(crate) fn poor_rate(self) -> u64 {
        match self {
            Group::Central | Group::RuralJunior | Group::NineYear | Group::Village | Group::TeachingPoint => 30,
            Group::UrbanJunior => 20,
            Group::UrbanPublicPrimary => 8,
            Group::KgPublic => 28,
            Group::KgInclusive => 18,
            Group::KgNonInclusive => 12,
            Group::Senior | Group::Vocational => 30,
            Group::UrbanPrivatePrimary | Group::Special => 0,
        }
    }

    pub(crate) fn is_urban_public_primary(self) -> bool {
        self == Group::UrbanPublicPrimary
    }
}

/// A school and its planned 2016-17 enrolment.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) school: School,
    pub(crate) group: Group,
    /// Township index: 0 is the urban district, 1.. the rural townships.
    pub(crate) township: usize,
    /// Enrolment per stage and grade (index 0 is grade 1), 2016-17.
    pub(crate) enrol: Vec<(Stage, Vec<u64>)>,
    /// For a teaching point: the township's central primary, where its
    /// pupils go after grade 4.
    pub(crate) host: Option<usize>,
    /// Helpers (teachers) drawn so far.
    pub(crate) helpers: Vec<String>,
}

impl Plan {
    pub(crate) fn grades_of(&self, stage: Stage) -> u8 {
        match (self.group, stage) {
            (Group::TeachingPoint, Stage::Primary) => 4,
            (_, Stage::Junior) => 3,
            (_, s) => s.max_grade(),
        }
    }
}

/// What the counts need to know of each student beyond the record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetaView {
    pub(crate) school: usize,
    pub(crate) home: usize,
}

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(crate) fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Largest-remainder apportionment of `total` over `weights` (all zero
/// weights: everything to the first).
pub(crate) fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let mut out = vec![0u64; weights.len()];
    if weights.is_empty() {
        return out;
    }
    if sum == 0 {
        out[0] = total;
        return out;
    }
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(*w);
        let q = clamped::<_, u64>(exact / sum);
        out[i] = q;
        given += q;
        rems.push((exact % sum, i));
    }
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total.saturating_sub(given);
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// Apportion with a cap per item (`total` must not exceed the caps' sum).
pub(crate) fn apportion_capped(total: u64, weights: &[u64], caps: &[u64]) -> Vec<u64> {
    let mut out = apportion(total, weights);
    // Move any excess over a cap to the items with the most room.
    let mut excess = 0u64;
    for (o, c) in out.iter_mut().zip(caps) {
        if *o > *c {
            excess += *o - *c;
            *o = *c;
        }
    }
    while excess > 0 {
        let best = out
            .iter()
            .zip(caps)
            .enumerate()
            .filter(|(_, (o, c))| o < c)
            .max_by_key(|(i, (o, c))| (**c - **o, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                out[i] += 1;
                excess -= 1;
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn apportion_is_exact_and_fair(total in 0u64..1_000_000, weights in proptest::collection::vec(0u64..10_000, 1..40)) {
            let out = apportion(total, &weights);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            let sum: u64 = weights.iter().sum();
            if sum > 0 {
                for (o, w) in out.iter().zip(&weights) {
                    // Within one of the exact quota.
                    let exact = u128::from(total) * u128::from(*w);
                    let lo = exact / u128::from(sum);
                    prop_assert!(u128::from(*o) == lo || u128::from(*o) == lo + 1);
                }
            }
        }

        #[test]
        fn apportion_capped_respects_caps(total in 0u64..5_000, caps in proptest::collection::vec(0u64..500, 1..20)) {
            let room: u64 = caps.iter().sum();
            let total = total.min(room);
            let weights: Vec<u64> = caps.iter().map(|c| c * 3 + 1).collect();
            let out = apportion_capped(total, &weights, &caps);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            for (o, c) in out.iter().zip(&caps) {
                prop_assert!(o <= c);
            }
        }
    }
}

//! The net enrolment ratio with the UIS capping.

use eduaid_model::{SchoolYear, Sex};
use serde::{Deserialize, Serialize};

use crate::rate::{Rate, Ratio};

/// A net enrolment ratio (净入学率) by sex with the UIS capping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetEnrolment {
    /// The total, capped if needed.
    pub total: Rate,
    /// Each sex, capped by the same factor.
    pub by_sex: Vec<(Sex, Rate)>,
    /// The capping factor: the largest ratio of the official age group's
    /// enrolment at any level to its population, over the sexes and the
    /// total, when above one.
    pub capping_factor: Option<Ratio>,
    /// The raw total, before capping.
    pub raw_total: Rate,
}

/// The counts of one sex for a net enrolment ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NerCounts {
    /// The sex.
    pub sex: Sex,
    /// Enrolment of the official age group at the level (the numerator).
    pub at_level: i128,
    /// Enrolment of the official age group at any level (the level, the
    /// ones below and above it): the basis of the UIS capping factor.
    /// `None` when unknown; counted as at least `at_level`.
    pub any_level: Option<i128>,
    /// Population of the official age group.
    pub population: i128,
}

impl NerCounts {
    /// The counts of one sex.
    #[must_use]
    pub fn new(sex: Sex, at_level: i128, any_level: Option<i128>, population: i128) -> NerCounts {
        NerCounts {
            sex,
            at_level,
            any_level,
            population,
        }
    }
}

/// The net enrolment ratio from official-age enrolment and population by
/// sex.
///
/// UIS (<http://uis.unesco.org/node/9942>; research/education-statistics.md
/// §1): where the ratio of the age group's enrolment **at any level** to its
/// population exceeds one for a sex or the total (an overestimated
/// enrolment or an underestimated population), male, female and total NERs
/// are all divided by one capping factor, the largest such ratio. The
/// factor comes from the any-level enrolment, not from the NERs: an age
/// group of 560 enrolled at any level of 500 children gives 28/25, and 540
/// at the level becomes 540/560. One factor keeps the parity index.
///
/// When a ratio at the level already exceeds one and the any-level
/// enrolment of some sex is unknown, the capping cannot be done as UIS does
/// it: every rate is then not computable
/// ([`Missing::AnyLevelEnrolment`](crate::rate::Missing)), its raw value kept in
/// [`NetEnrolment::raw_total`]. Any-level counts below the at-level ones
/// are raised to them.
#[must_use]
pub fn net_enrolment_ratio(by_sex: &[NerCounts], year: SchoolYear) -> NetEnrolment {
    let over = |n: i128, d: i128| d > 0 && n > d;
    let n: i128 = by_sex.iter().map(|c| c.at_level).sum();
    let d: i128 = by_sex.iter().map(|c| c.population).sum();
    let total = Ratio::new(n, d);
    let raw: Vec<(Sex, Ratio)> = by_sex
        .iter()
        .map(|c| (c.sex, Ratio::new(c.at_level, c.population)))
        .collect();
    let any_known = by_sex.iter().all(|c| c.any_level.is_some());
    let any = |c: &NerCounts| c.any_level.unwrap_or(c.at_level).max(c.at_level);
    let any_total: i128 = by_sex.iter().map(any).sum();
    let mut cf: Option<Ratio> = None;
    let candidates = by_sex
        .iter()
        .map(|c| Ratio::new(any(c), c.population))
        .chain(std::iter::once(Ratio::new(any_total, d)));
    for r in candidates {
        if over(r.numerator, r.denominator) {
            let bigger = cf.is_none_or(|c| r.compare(&c) == Some(std::cmp::Ordering::Greater));
            if bigger {
                cf = Some(r);
            }
        }
    }
    let needs_cap = raw.iter().any(|(_, r)| over(r.numerator, r.denominator)) || over(n, d);
    let missing = (needs_cap && !any_known).then_some(crate::rate::Missing::AnyLevelEnrolment { year });
    let apply = |r: Ratio| -> Rate {
        let out = match cf {
            Some(c) if r.denominator != 0 => r.checked_div(&c).unwrap_or(Ratio::new(0, 0)),
            _ => r,
        };
        Rate::from_ratio(out).with_years(year, year).with_missing(missing)
    };
    NetEnrolment {
        total: apply(total),
        by_sex: raw.iter().map(|(s, r)| (*s, apply(*r))).collect(),
        capping_factor: if missing.is_some() { None } else { cf },
        raw_total: Rate::from_ratio(total).with_years(year, year),
    }
}

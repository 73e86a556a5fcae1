//! The sample county's student loans (生源地信用助学贷款), loan years 2014
//! to 2017: one record per borrower and year whose counts and amounts are
//! the seed report's ([`figures::STUDENT_LOANS`](crate::figures::STUDENT_LOANS)).

use eduaid_model::{Money, SchoolYear, Stage, StudentLoan};

use crate::convert::clamped;
use crate::county::{COUNTY_NAME, SEED};
use crate::figures::STUDENT_LOANS;
use crate::names::{child_name, surname};
use crate::{Error, SplitMix64, mix};

/// Universities the sample's borrowers attend (real institutions; the
/// borrowers are invented).
const UNIVERSITIES: &[&str] = &[
    "湖南大学",
    "中南大学",
    "湖南师范大学",
    "湘潭大学",
    "长沙理工大学",
    "湖南农业大学",
    "湖南科技大学",
    "南华大学",
    "湖南人文科技学院",
    "娄底职业技术学院",
    "湖南工业大学",
    "吉首大学",
];

/// Postgraduates among each year's borrowers (the rest are 本专科).
const POSTGRADUATES: [u64; 4] = [18, 22, 40, 52];

/// Amounts move in steps of this many yuan.
const STEP: i64 = 500;
/// No loan is below this.
const FLOOR: i64 = 2000;

/// The sample county's loans, from the sample's seed.
///
/// # Errors
/// An [`Error`] if a record fails validation or the totals cannot be met
/// (a bug in this crate, which its tests rule out).
pub fn loans() -> Result<Vec<StudentLoan>, Error> {
    loans_with_seed(SEED)
}

/// The loans of a county built from another seed: other borrowers and
/// amounts, the same counts and totals.
///
/// # Errors
/// As [`loans`].
pub fn loans_with_seed(seed: u64) -> Result<Vec<StudentLoan>, Error> {
    let mut rng = SplitMix64::new(mix(seed ^ 0x4c4f_414e)); // "LOAN"
    let mut out = Vec::new();
    for (&(year, persons, total), &postgraduates) in STUDENT_LOANS.iter().zip(POSTGRADUATES.iter()) {
        let sy = SchoolYear::new(year)?;
        let stages: Vec<Stage> = (0..persons)
            .map(|i| {
                if i < postgraduates {
                    Stage::Postgraduate
                } else {
                    Stage::Tertiary
                }
            })
            .collect();
        let caps: Vec<i64> = stages
            .iter()
            .map(|s| if *s == Stage::Postgraduate { 12_000 } else { 8_000 })
            .collect();
        let mut amounts: Vec<i64> = caps
            .iter()
            .map(|&cap| {
                let steps = clamped::<_, u64>((cap - FLOOR) / STEP);
                FLOOR + STEP * clamped::<_, i64>(rng.range(steps / 2, steps))
            })
            .collect();
        balance(&mut amounts, &caps, total, &mut rng).ok_or_else(|| {
            Error::Build(format!(
                "loan year {year}: cannot reach {total} yuan in {persons} loans"
            ))
        })?;
        for (i, ((stage, amount), _)) in stages.iter().zip(&amounts).zip(&caps).enumerate() {
            let female = rng.chance(1, 2);
            let family = surname(&mut rng);
            let name = child_name(&mut rng, family, female);
            let university = rng.pick(UNIVERSITIES).copied().unwrap_or("湖南大学");
            let id = format!("DK{year}{:04}", i + 1);
            let loan = StudentLoan::new(id.parse()?, &name, university, *stage, sy, Money::yuan(*amount))?
                .with_county(COUNTY_NAME)
                .with_contract(&format!("HT{year}-{:04}", i + 1));
            out.push(loan);
        }
    }
    Ok(out)
}

/// Move amounts in [`STEP`]s within `[FLOOR, cap]` until they sum to
/// `total`; `None` if that is impossible.
fn balance(amounts: &mut [i64], caps: &[i64], total: i64, rng: &mut SplitMix64) -> Option<()> {
    let n = amounts.len();
    if n == 0 || total % STEP != 0 {
        return (n == 0 && total == 0).then_some(());
    }
    let max: i64 = caps.iter().sum();
    let min = FLOOR * i64::try_from(n).ok()?;
    if total > max || total < min {
        return None;
    }
    let mut diff = total - amounts.iter().sum::<i64>();
    let mut i = rng.index(n);
    while diff != 0 {
        let a = amounts.get_mut(i)?;
        let cap = *caps.get(i)?;
        if diff > 0 && *a < cap {
            *a += STEP;
            diff -= STEP;
        } else if diff < 0 && *a > FLOOR {
            *a -= STEP;
            diff += STEP;
        }
        i = (i + 1) % n;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_seed_figures_are_reproduced() -> Result<(), Error> {
        let loans = loans()?;
        for (year, persons, total) in STUDENT_LOANS {
            let of_year: Vec<&StudentLoan> = loans.iter().filter(|l| l.year.start_year() == year).collect();
            let ids: BTreeSet<&str> = of_year.iter().map(|l| l.borrower_id.as_str()).collect();
            assert_eq!(ids.len() as u64, persons, "{year}");
            assert_eq!(of_year.len() as u64, persons, "{year}");
            let sum = Money::checked_sum(of_year.iter().map(|l| l.amount));
            assert_eq!(sum, Some(Money::yuan(total)), "{year}");
            for l in of_year {
                let cap = if l.stage == Stage::Postgraduate { 12_000 } else { 8_000 };
                assert!(l.amount <= Money::yuan(cap) && l.amount >= Money::yuan(FLOOR));
            }
        }
        assert_eq!(loans, loans_with_seed(SEED)?);
        assert!(loans_with_seed(7).is_ok());
        Ok(())
    }
}

//! Step 4b: households (siblings share one) with their status spells,
//! names and helpers.

use super::*;

/// Step 4c: households. Registered-poor students of one home township are
/// grouped into households of one to three children (siblings); every
/// other status is a household of its own.
pub(super) fn make_households(rng: &mut SplitMix64, b: &mut Build) -> Result<(), Error> {
    let mut by_town: Vec<Vec<usize>> = vec![Vec::new(); TOWNSHIPS.len() + 1];
    for (i, m) in b.meta.iter().enumerate() {
        if m.poor {
            by_town[m.home.min(TOWNSHIPS.len())].push(i);
        }
    }
    let mut next = 0usize;
    for town in &mut by_town {
        rng.shuffle(town);
        let mut k = 0;
        while k < town.len() {
            let size = match rng.below(100) {
                0..=64 => 1,
                65..=92 => 2,
                _ => 3,
            };
            let members: Vec<usize> = town.iter().skip(k).take(size).copied().collect();
            k += size;
            next += 1;
            let mut h = Household::new(HouseholdId::new(format!("H{next:07}"))?);
            let from = plus_days(ymd(2014, 10, 8), rng.below(630)); // to mid-2016
            let until = rng.chance(20, 100).then(|| plus_days(ymd(2017, 12, 20), rng.below(10)));
            h.add_status(StatusKind::RegisteredPoor, from, until)?;
            for i in members {
                b.meta[i].household = Some(b.households.len());
            }
            b.households.push(h);
        }
    }
    for i in 0..b.students.len() {
        let extra = b.meta[i].extra;
        if extra == Extra::None {
            continue;
        }
        next += 1;
        let mut h = Household::new(HouseholdId::new(format!("H{next:07}"))?);
        let birth = b.students[i].birth_date;
        let (kind, from, until) = match extra {
            Extra::LateRegistered => (StatusKind::RegisteredPoor, ymd(2017, 5, 10), None),
            Extra::Exited => (
                StatusKind::RegisteredPoor,
                plus_days(ymd(2014, 10, 8), rng.below(400)),
                Some(ymd(2016, 12, 28)),
            ),
            Extra::Dibao => (StatusKind::Dibao, plus_days(ymd(2012, 1, 1), rng.below(1600)), None),
            Extra::Hardship => (StatusKind::Hardship, ymd(2016, 9, 1), Some(ymd(2017, 9, 1))),
            Extra::Orphan => {
                let from = plus_days(birth.max(ymd(2006, 1, 1)), rng.below(2000)).min(ymd(2016, 6, 30));
                (StatusKind::Orphan, from, None)
            }
            Extra::DeFacto => (
                StatusKind::DeFactoUnsupported,
                plus_days(ymd(2015, 3, 1), rng.below(500)),
                None,
            ),
            Extra::Destitute => (StatusKind::Destitute, plus_days(ymd(2014, 1, 1), rng.below(900)), None),
            Extra::None => continue,
        };
        h.add_status(kind, from, until)?;
        b.meta[i].household = Some(b.households.len());
        b.households.push(h);
    }
    for i in 0..b.students.len() {
        if let Some(h) = b.meta[i].household {
            b.students[i].household_id = Some(b.households[h].id.clone());
            b.students[i].hukou = Hukou::Rural;
        }
    }
    Ok(())
}

/// Step 4d: names (siblings share a surname) and helpers for every student
/// of a household ever registered poor.
pub(super) fn name_students(rng: &mut SplitMix64, b: &mut Build) {
    let surnames: Vec<&str> = (0..b.households.len()).map(|_| names::surname(rng)).collect();
    for i in 0..b.students.len() {
        let surname = match b.meta[i].household {
            Some(h) => surnames[h],
            None => names::surname(rng),
        };
        let female = b.students[i].sex == Sex::Female;
        b.students[i].name = names::child_name(rng, surname, female);
        let ever_poor = b.meta[i]
            .household
            .is_some_and(|h| !b.households[h].spells(StatusKind::RegisteredPoor).is_empty());
        if ever_poor {
            // One teacher helps up to four students of the school (一生一责任人).
            let p = &mut b.plans[b.meta[i].school];
            if p.helpers.is_empty() || rng.chance(1, 4) {
                p.helpers.push(names::adult_name(rng));
            }
            b.students[i].helper = p.helpers.last().cloned();
        }
    }
}

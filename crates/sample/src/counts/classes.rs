//! The classes of every school and year, within the caps the plan sets.

use super::*;

/// Enrolment of one school, stage, grade index and year index.
pub(super) fn cell_total(slices: &[Slice], plan: usize, stage: Stage, y: usize, k: usize) -> u64 {
    slices
        .iter()
        .filter(|s| s.plan == plan && s.stage == stage)
        .map(|s| s.enrolled[y][k])
        .sum()
}

pub(super) fn class_cap(group: Group, stage: Stage, y: usize, k: usize) -> u64 {
    let cap = match group {
        Group::UrbanPublicPrimary => 90,
        Group::UrbanPrivatePrimary => 35,
        Group::UrbanJunior => 62,
        Group::Central => 48,
        Group::RuralJunior => 52,
        Group::NineYear => 45,
        Group::Village => 40,
        Group::TeachingPoint => 1000,
        Group::Special => 12,
        Group::KgPublic => 35,
        Group::KgInclusive | Group::KgNonInclusive => 30,
        Group::Senior => 58,
        Group::Vocational => 45,
    };
    // From autumn 2017, first-year classes are within the caps.
    let first_year_cap = match stage {
        Stage::Primary => u64::from(f::FIRST_YEAR_CAP_PRIMARY),
        Stage::Junior => u64::from(f::FIRST_YEAR_CAP_JUNIOR),
        _ => cap,
    };
    if y > Y2016 && k == 0 {
        cap.min(first_year_cap)
    } else {
        cap
    }
}

pub(super) fn split_classes(
    year: SchoolYear,
    stage: Stage,
    k: usize,
    n: u64,
    classes: u64,
) -> Result<Vec<Class>, Error> {
    let mut out = Vec::new();
    if n == 0 || classes == 0 {
        return Ok(out);
    }
    let grade = clamped::<_, u8>(k + 1);
    for c in 0..classes {
        let size = n / classes + u64::from(c < n % classes);
        out.push(Class::new(year, stage, grade, clamped::<_, u32>(size))?);
    }
    Ok(out)
}

/// Classes of every school for 2016-17 to 2018-19; sizes sum to enrolment.
pub(super) fn set_classes(plans: &mut [Plan], slices: &[Slice]) -> Result<(), Error> {
    // The public urban primaries: 113 classes, then 136, then 164.
    let urban: Vec<usize> = (0..plans.len())
        .filter(|i| plans[*i].group.is_urban_public_primary())
        .collect();
    for (y, total) in [
        (Y2016, f::URBAN_PRIMARY_CLASSES_2016),
        (Y2016 + 1, 136),
        (Y2016 + 2, f::URBAN_PRIMARY_CLASSES_2018),
    ] {
        let mut cells = Vec::new();
        for &p in &urban {
            for k in 0..6 {
                let n = cell_total(slices, p, Stage::Primary, y, k);
                // First-year classes from autumn 2017 keep to 50, also when
                // the 2017 entrants reach grade 2.
                let capped = (y > Y2016 && k == 0) || (y == Y2016 + 2 && k == 1);
                let min = if capped {
                    n.div_ceil(u64::from(f::FIRST_YEAR_CAP_PRIMARY))
                } else {
                    n.div_ceil(100)
                };
                cells.push((p, k, n, min.max(u64::from(n > 0)), capped));
            }
        }
        let mut classes: Vec<u64> = cells.iter().map(|c| c.3).collect();
        let mut left = total
            .checked_sub(classes.iter().sum())
            .ok_or_else(|| Error::Build(format!("urban primary classes of year {y} need more than {total}")))?;
        while left > 0 {
            // The next class goes to the cell with the largest average size.
            let best = (0..cells.len())
                .filter(|i| cells[*i].2 > classes[*i] && !cells[*i].4)
                .max_by(|a, b| {
                    (cells[*a].2 * classes[*b])
                        .cmp(&(cells[*b].2 * classes[*a]))
                        .then(b.cmp(a))
                });
            let Some(i) = best else {
                return Err(Error::Build(format!(
                    "no urban primary cell can take another class in year {y}"
                )));
            };
            classes[i] += 1;
            left -= 1;
        }
        let sy = year(y)?;
        for (c, n) in cells.iter().zip(classes) {
            let list = split_classes(sy, Stage::Primary, c.1, c.2, n)?;
            plans[c.0].school.classes.extend(list);
        }
    }
    for (p, plan) in plans.iter_mut().enumerate() {
        if plan.group.is_urban_public_primary() {
            continue;
        }
        for y in Y2016..YEARS {
            let sy = year(y)?;
            for (stage, _) in plan.enrol.clone() {
                for k in 0..usize::from(plan.grades_of(stage)) {
                    let n = cell_total(slices, p, stage, y, k);
                    let classes = n.div_ceil(class_cap(plan.group, stage, y, k));
                    plan.school.classes.extend(split_classes(sy, stage, k, n, classes)?);
                }
            }
        }
    }
    Ok(())
}

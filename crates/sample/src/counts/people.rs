//! The rows beyond grade counts: teachers, the school-age population and
//! disabled children.

use super::*;

pub(super) fn teacher_rows(plans: &[Plan], slices: &[Slice]) -> Result<Vec<TeacherCount>, Error> {
    let mut rows = Vec::new();
    for y in Y2016..YEARS {
        let sy = year(y)?;
        for (p, plan) in plans.iter().enumerate() {
            for (stage, _) in &plan.enrol {
                let n: u64 = slices
                    .iter()
                    .filter(|s| s.plan == p && s.stage == *stage)
                    .map(|s| s.total(y))
                    .sum();
                // Pupils per ten teachers.
                let per_ten = match plan.group {
                    Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary => 190,
                    Group::Central | Group::Village => 150,
                    Group::NineYear => 140,
                    Group::TeachingPoint => 80,
                    Group::UrbanJunior => 135,
                    Group::RuralJunior => 110,
                    Group::Special => 40,
                    Group::KgPublic | Group::KgInclusive | Group::KgNonInclusive => 150,
                    Group::Senior => 140,
                    Group::Vocational => 180,
                };
                let teachers = (n * 10).div_ceil(per_ten).max(1);
                rows.push(TeacherCount {
                    year: sy,
                    school_id: plan.school.id.clone(),
                    stage: *stage,
                    teachers,
                });
            }
        }
    }
    Ok(rows)
}

/// The school-age population (ages 3 to 17) by township, age and sex: the
/// county's enrolment of the age's grade scaled to a plausible enrolment
/// ratio, spread over the townships (the urban district a fifth).
pub(super) fn population_rows(rng: &mut SplitMix64, slices: &[Slice]) -> Result<Vec<PopulationCount>, Error> {
    let towns: Vec<&str> = std::iter::once(URBAN_DISTRICT)
        .chain(TOWNSHIPS.iter().copied())
        .collect();
    let town_weights: Vec<u64> = (0..towns.len())
        .map(|t| {
            if t == 0 {
                22 * 18 * 10
            } else {
                78 * 10 - 40 + rng.below(80)
            }
        })
        .collect();
    let mut rows = Vec::new();
    for y in 0..YEARS {
        let sy = year(y)?;
        for age in 3u8..=17 {
            for sex in [Sex::Male, Sex::Female] {
                let (stages, k, per_cent): (&[Stage], usize, u64) = match age {
                    3..=5 => (&[Stage::Preschool], usize::from(age - 3), 118),
                    6..=11 => (&[Stage::Primary], usize::from(age - 6), 97),
                    12..=14 => (&[Stage::Junior], usize::from(age - 12), 99),
                    _ => (&[Stage::Senior, Stage::Vocational], usize::from(age - 15), 113),
                };
                let enrolled: u64 = slices
                    .iter()
                    .filter(|s| s.sex == sex && stages.contains(&s.stage) && k < s.grades)
                    .map(|s| s.enrolled[y][k])
                    .sum();
                let people = (enrolled * per_cent + 50) / 100;
                for (t, n) in towns.iter().zip(apportion(people, &town_weights)) {
                    rows.push(PopulationCount {
                        year: sy,
                        township: (*t).to_string(),
                        age,
                        sex,
                        count: n,
                    });
                }
            }
        }
    }
    Ok(rows)
}

/// Disabled children of school age in 2016-17: every disabled student of
/// the roster by home township, and those not in school (two of the three
/// kinds aged 6–14, and others outside the indicator's kinds or ages).
pub(super) fn disabled_rows(
    rng: &mut SplitMix64,
    students: &[Student],
    meta: &[MetaView],
) -> Result<Vec<DisabledChildrenCount>, Error> {
    let sept = ymd(2016, 9, 1);
    let sy = SchoolYear::new(2016)?;
    let towns: Vec<&str> = std::iter::once(URBAN_DISTRICT)
        .chain(TOWNSHIPS.iter().copied())
        .collect();
    type Key = (usize, DisabilityKind, u8, Sex);
    let mut cells: Vec<(Key, (u64, u64))> = Vec::new();
    let mut add = |key: (usize, DisabilityKind, u8, Sex), in_school: bool| {
        if let Some(c) = cells.iter_mut().find(|c| c.0 == key) {
            c.1.0 += 1;
            c.1.1 += u64::from(in_school);
        } else {
            cells.push((key, (1, u64::from(in_school))));
        }
    };
    for (s, m) in students.iter().zip(meta) {
        if let Some(kind) = s.disability {
            let age = clamped::<_, u8>(s.age_on(sept));
            add((m.home.min(towns.len() - 1), kind, age, s.sex), s.in_school_on(sept));
        }
    }
    // Not in school: two children of the three kinds aged 6–14, and some
    // the indicator leaves out (other kinds, or too young or old).
    let out_of_school = [
        (DisabilityKind::Intellectual, 9u8),
        (DisabilityKind::Multiple, 8),
        (DisabilityKind::HearingSpeech, 12),
        (DisabilityKind::Physical, 11),
        (DisabilityKind::Physical, 7),
        (DisabilityKind::Intellectual, 16),
        (DisabilityKind::Visual, 5),
    ];
    // Multiple is not one of the three kinds: the two counted are
    // Intellectual 9 and HearingSpeech 12.
    for (kind, age) in out_of_school {
        let town = 1 + rng.index(TOWNSHIPS.len());
        let sex = if rng.chance(1, 2) { Sex::Male } else { Sex::Female };
        add((town, kind, age, sex), false);
    }
    cells.sort_by_key(|c| c.0);
    let mut rows = Vec::new();
    for ((t, kind, age, sex), (total, in_school)) in cells {
        let row = DisabledChildrenCount {
            year: sy,
            township: towns[t].to_string(),
            kind,
            age,
            sex,
            total,
            in_school,
        };
        row.validate()?;
        rows.push(row);
    }
    Ok(rows)
}

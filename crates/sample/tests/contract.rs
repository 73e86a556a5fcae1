//! One test per contract figure of docs/crate-contracts.md, counted from the records.

use eduaid_model::{DisabilityKind, Locality, Money, Ownership, Rounding, SchoolKind, SchoolYear, Stage, StatusKind};
use eduaid_sample::figures as f;

use crate::common::*;

fn count_stage(stage: Stage) -> u64 {
    in_school(spring()).filter(|s| s.stage == stage).count() as u64
}

fn has_on(s: &eduaid_model::Student, kind: StatusKind) -> bool {
    household_of(s).is_some_and(|h| h.has_status_on(kind, spring()))
}

fn any_status_on(s: &eduaid_model::Student) -> bool {
    household_of(s).is_some_and(|h| !h.statuses_on(spring()).is_empty())
}

#[test]
fn students_in_school_by_stage() {
    assert_eq!(count_stage(Stage::Preschool), 23_429);
    assert_eq!(count_stage(Stage::Primary), 56_370);
    assert_eq!(count_stage(Stage::Junior), 26_577);
    assert_eq!(count_stage(Stage::Senior) + count_stage(Stage::Vocational), 20_588);
    assert_eq!(count_stage(Stage::Senior), f::GENERAL_SENIOR);
    assert_eq!(in_school(spring()).count(), 126_964);
    // Some records are of students who left before the school year: none
    // of them counts, on either reference date.
    assert!(students().len() > 126_964);
    assert_eq!(in_school(d("2016-09-01")).count(), 126_964);
    let gone: Vec<_> = students().iter().filter(|s| !s.in_school_on(d("2016-09-01"))).collect();
    assert!(
        gone.iter()
            .all(|s| s.household_id.is_none() && s.left_on() < Some(d("2016-09-01")))
    );
}

#[test]
fn registered_poor_compulsory_and_the_living_subsidy() {
    let poor = |stage| {
        in_school(spring())
            .filter(|s| s.stage == stage && has_on(s, StatusKind::RegisteredPoor))
            .count()
    };
    assert_eq!(poor(Stage::Primary), 8063);
    assert_eq!(poor(Stage::Junior), 4327);
    // No other compulsory student holds any status on the reference date.
    let with_status = in_school(spring())
        .filter(|s| s.stage.is_compulsory() && any_status_on(s))
        .count();
    assert_eq!(with_status, 12_390);
    for s in in_school(spring()).filter(|s| s.stage.is_compulsory() && any_status_on(s)) {
        assert_eq!(
            household_of(s).unwrap().statuses_on(spring()),
            vec![StatusKind::RegisteredPoor]
        );
    }
    let total = Money::yuan(500).checked_mul_count(poor(Stage::Primary) as u64).unwrap()
        + Money::yuan(625).checked_mul_count(poor(Stage::Junior) as u64).unwrap();
    assert_eq!(total, Money::yuan(6_735_875));
    assert_eq!(total.to_wan_yuan(4, Rounding::HalfUp).to_string(), "673.5875");
    // Many of them are day students.
    let day = in_school(spring())
        .filter(|s| s.stage.is_compulsory() && has_on(s, StatusKind::RegisteredPoor) && !s.boarder)
        .count();
    assert!(day > 6000, "{day} day students");
}

#[test]
fn registration_dates_matter() {
    // Registered after the reference date, and exited before it: on the
    // register at some time, not on 2017-03-01.
    let late = students()
        .iter()
        .filter(|s| {
            household_of(s).is_some_and(|h| {
                h.spells(StatusKind::RegisteredPoor)
                    .first()
                    .is_some_and(|sp| sp.range.from == d("2017-05-10"))
            })
        })
        .count();
    let exited = students()
        .iter()
        .filter(|s| household_of(s).is_some_and(|h| h.exited_by(spring())))
        .count();
    assert!(late >= 5, "{late}");
    assert!(exited >= 20, "{exited}");
    for s in students() {
        if let Some(h) = household_of(s) {
            if !h.spells(StatusKind::RegisteredPoor).is_empty() {
                assert!(
                    s.helper.as_deref().is_some_and(|x| !x.is_empty()),
                    "no helper for {}",
                    s.id
                );
            }
        }
    }
}

#[test]
fn preschool_aid() {
    let poor: Vec<_> = in_school(spring())
        .filter(|s| s.stage == Stage::Preschool && has_on(s, StatusKind::RegisteredPoor))
        .collect();
    assert_eq!(poor.len(), 2409);
    assert_eq!(
        Money::yuan(500)
            .checked_mul_count(2409)
            .unwrap()
            .to_wan_yuan(2, Rounding::HalfUp)
            .to_string(),
        "120.45"
    );
    let non_inclusive = poor
        .iter()
        .filter(|s| school_of(s).kind == SchoolKind::KindergartenNonInclusive)
        .count();
    assert!(non_inclusive > 0 && non_inclusive < 2409);
    let with_status = in_school(spring())
        .filter(|s| s.stage == Stage::Preschool && any_status_on(s))
        .count();
    assert_eq!(with_status, 2409);
}

#[test]
fn vocational_grant() {
    let qualifies = |s: &eduaid_model::Student| {
        s.grade <= 2
            && (s.agricultural_major
                || [StatusKind::Hardship, StatusKind::RegisteredPoor, StatusKind::Dibao]
                    .iter()
                    .any(|k| has_on(s, *k)))
    };
    let n = in_school(spring())
        .filter(|s| s.stage == Stage::Vocational && qualifies(s))
        .count() as u64;
    assert_eq!(n, 599);
    assert_eq!(
        Money::yuan(1000)
            .checked_mul_count(n)
            .unwrap()
            .to_wan_yuan(1, Rounding::HalfUp)
            .to_string(),
        "59.9"
    );
    // Grade 3 has qualifying statuses and majors, but no grant.
    assert!(in_school(spring()).any(|s| s.stage == Stage::Vocational && s.grade == 3 && s.agricultural_major));
}

#[test]
fn senior_grant_tiers() {
    let first = [
        StatusKind::Orphan,
        StatusKind::DeFactoUnsupported,
        StatusKind::Destitute,
    ];
    let second = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship];
    let seniors: Vec<_> = in_school(spring()).filter(|s| s.stage == Stage::Senior).collect();
    let tier1 = seniors.iter().filter(|s| first.iter().any(|k| has_on(s, *k))).count() as u64;
    let tier2 = seniors
        .iter()
        .filter(|s| !first.iter().any(|k| has_on(s, *k)) && second.iter().any(|k| has_on(s, *k)))
        .count() as u64;
    assert_eq!((tier1, tier2), (14, 5047));
    let with_status = seniors.iter().filter(|s| any_status_on(s)).count() as u64;
    assert_eq!(with_status, 5061);
    let total =
        Money::yuan(1500).checked_mul_count(tier1).unwrap() + Money::yuan(1000).checked_mul_count(tier2).unwrap();
    assert_eq!(total, Money::yuan(5_068_000));
    assert_eq!(total.to_wan_yuan(1, Rounding::HalfUp).to_string(), "506.8");
}

#[test]
fn rain_and_dew() {
    let autumn = d("2016-09-01");
    let n = students()
        .iter()
        .filter(|s| {
            s.stage == Stage::Vocational
                && s.in_school_on(autumn)
                && s.in_school_on(spring())
                && household_of(s).is_some_and(|h| h.registered_poor_on(autumn) && h.registered_poor_on(spring()))
        })
        .count() as u64;
    assert_eq!(n, 478);
    assert_eq!(2 * n, 956);
    let any_poor = students()
        .iter()
        .filter(|s| {
            s.stage == Stage::Vocational
                && household_of(s).is_some_and(|h| !h.spells(StatusKind::RegisteredPoor).is_empty())
        })
        .count();
    assert_eq!(any_poor, 478);
}

fn rural_compulsory(s: &eduaid_model::School) -> bool {
    s.locality == Locality::Rural && s.kind.stages().iter().any(|x| x.is_compulsory())
}

#[test]
fn nutrition_plan_schools_and_students() {
    let june = d("2017-06-01");
    let schools: Vec<_> = sample().roster.schools().collect();
    let first: Vec<_> = schools.iter().filter(|s| s.nutrition_plan_from == Some(june)).collect();
    assert_eq!(first.len(), 178);
    let n = in_school(june)
        .filter(|s| school_of(s).nutrition_plan_from == Some(june))
        .count() as u64;
    assert_eq!(n, 53_675);
    assert_eq!(
        Money::yuan(4).checked_mul_count(22 * n).unwrap(),
        Money::yuan(4_723_400)
    );
    let rural: Vec<_> = schools.iter().filter(|s| rural_compulsory(s)).collect();
    assert_eq!(rural.len(), 265);
    assert!(rural.iter().all(|s| s.in_nutrition_plan_on(d("2017-09-01"))));
    assert_eq!(
        rural
            .iter()
            .filter(|s| s.nutrition_plan_from == Some(d("2017-09-01")))
            .count(),
        87
    );
    assert!(
        schools
            .iter()
            .filter(|s| !rural_compulsory(s))
            .all(|s| s.nutrition_plan_from.is_none())
    );
    assert!(rural.iter().any(|s| s.kind == SchoolKind::TeachingPoint));
}

#[test]
fn disabled_children() {
    let y = SchoolYear::new(2016).unwrap();
    let rows: Vec<_> = sample()
        .counts
        .disabled
        .iter()
        .filter(|r| r.year == y && r.kind.is_three_kinds() && (6..=14).contains(&r.age))
        .collect();
    let total: u64 = rows.iter().map(|r| r.total).sum();
    let in_school_n: u64 = rows.iter().map(|r| r.in_school).sum();
    assert_eq!((total, in_school_n), (307, 305));
    // Others are recorded and must be left out.
    assert!(sample().counts.disabled.iter().any(|r| !r.kind.is_three_kinds()));
    assert!(
        sample()
            .counts
            .disabled
            .iter()
            .any(|r| r.kind.is_three_kinds() && !(6..=14).contains(&r.age))
    );
    // The roster agrees: 305 students of the three kinds aged 6-14.
    let sept = d("2016-09-01");
    let roster = in_school(sept)
        .filter(|s| s.disability.is_some_and(DisabilityKind::is_three_kinds) && (6..=14).contains(&s.age_on(sept)))
        .count();
    assert_eq!(roster, 305);
    assert!(students().iter().any(|s| school_of(s).kind == SchoolKind::Special));
}

#[test]
fn migrant_share_of_the_urban_district() {
    let urban_primary: Vec<_> = in_school(spring())
        .filter(|s| s.stage == Stage::Primary && school_of(s).locality == Locality::Urban)
        .collect();
    assert_eq!(urban_primary.len(), 8880);
    let migrants = urban_primary.iter().filter(|s| s.migrant).count() as u64;
    assert_eq!(migrants, 1642);
    let public = urban_primary
        .iter()
        .filter(|s| school_of(s).ownership == Ownership::Public)
        .count();
    assert_eq!(public, 8692);
    assert!(urban_primary.iter().all(|s| school_of(s).township == "城关镇"));
    // 1642 / 8880 = 18.4909…% → 18.49%.
    assert_eq!(basis_points(migrants, urban_primary.len() as u64), 1849);
}

#[test]
fn urban_primary_classes() {
    let urban: Vec<_> = sample()
        .roster
        .schools()
        .filter(|s| s.locality == Locality::Urban && s.kind == SchoolKind::Primary && s.ownership == Ownership::Public)
        .collect();
    for (year, classes) in [(2016, 113usize), (2018, 164)] {
        let y = SchoolYear::new(year).unwrap();
        let list: Vec<_> = urban.iter().flat_map(|s| s.classes_in(y)).collect();
        assert_eq!(list.len(), classes, "{year}");
        assert_eq!(list.iter().map(|c| u64::from(c.size)).sum::<u64>(), 8692, "{year}");
    }
    // 8692 / 113 = 76.9, 8692 / 164 = 53.0.
    assert_eq!((8692 * 10 + 113 / 2) / 113, 769);
    assert_eq!((8692 * 10 + 164 / 2) / 164, 530);
    // First-year classes within the caps from autumn 2017, everywhere.
    for s in sample().roster.schools() {
        for c in &s.classes {
            if c.year >= SchoolYear::new(2017).unwrap() && c.grade == 1 {
                match c.stage {
                    Stage::Primary => assert!(c.size <= 50, "{} {:?}", s.name, c),
                    Stage::Junior => assert!(c.size <= 55, "{} {:?}", s.name, c),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn class_sizes_sum_to_enrolment() {
    let y = SchoolYear::new(2016).unwrap();
    let mut by_school = std::collections::HashMap::new();
    for s in in_school(d("2016-09-01")) {
        *by_school.entry((s.school_id.clone(), s.stage, s.grade)).or_insert(0u64) += 1;
    }
    let mut classes = std::collections::HashMap::new();
    for s in sample().roster.schools() {
        for c in s.classes_in(y) {
            *classes.entry((s.id.clone(), c.stage, c.grade)).or_insert(0u64) += u64::from(c.size);
        }
    }
    assert_eq!(by_school, classes);
    // And every year's classes match the grade counts.
    for year in 2016..=2018 {
        let y = SchoolYear::new(year).unwrap();
        let mut counted = std::collections::HashMap::new();
        for g in sample().counts.grades.iter().filter(|g| g.year == y && g.enrolled > 0) {
            *counted.entry((g.school_id.clone(), g.stage, g.grade)).or_insert(0u64) += g.enrolled;
        }
        let mut classes = std::collections::HashMap::new();
        for s in sample().roster.schools() {
            for c in s.classes_in(y) {
                *classes.entry((s.id.clone(), c.stage, c.grade)).or_insert(0u64) += u64::from(c.size);
            }
        }
        assert_eq!(counted, classes, "{year}");
    }
}

#[test]
fn students_are_plausible() {
    let sept = d("2016-09-01");
    for s in students() {
        let base = match s.stage {
            Stage::Preschool => 3,
            Stage::Primary => 6,
            Stage::Junior => 12,
            _ => 15,
        };
        // Those who left in the summer of 2016 were in the grade in 2015-16.
        let on = if s.in_school_on(sept) { sept } else { d("2015-09-01") };
        let age = s.age_on(on);
        let expected = base + u32::from(s.grade) - 1;
        assert!(
            (expected..=expected + 2).contains(&age),
            "{} aged {age} in {} grade {}",
            s.id,
            s.stage,
            s.grade
        );
        assert!(s.name.chars().count() >= 2);
        if s.migrant {
            assert_eq!(school_of(s).locality, Locality::Urban);
        }
    }
    // Boarders mostly in rural junior and nine-year schools among compulsory students.
    let boarders: Vec<_> = in_school(spring())
        .filter(|s| s.stage.is_compulsory() && s.boarder)
        .collect();
    let rural_secondary = boarders
        .iter()
        .filter(|s| {
            school_of(s).locality == Locality::Rural
                && matches!(school_of(s).kind, SchoolKind::Junior | SchoolKind::NineYear)
        })
        .count();
    assert!(rural_secondary * 2 > boarders.len());
    assert!(students().iter().any(|s| s.left_behind));
    // Many schools and townships.
    let towns: std::collections::BTreeSet<_> = sample().roster.schools().map(|s| s.township.clone()).collect();
    assert_eq!(towns.len(), 19);
    assert_eq!(sample().roster.schools().count(), 349);
}

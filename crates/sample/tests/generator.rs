//! The generator: the sample's shares, streamed in batches.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use eduaid_model::{Roster, Stage, StatusKind};
use eduaid_sample::Generator;
use proptest::prelude::*;

#[test]
fn two_hundred_thousand_students_in_batches() {
    let g = Generator::new(200_000, 2017).with_batch_size(5_000);
    let ref_date = "2017-03-01".parse().unwrap();
    let mut batches = 0;
    let mut largest = 0;
    let mut by_stage: HashMap<Stage, u64> = HashMap::new();
    let mut poor: HashMap<Stage, u64> = HashMap::new();
    let mut schools = HashSet::new();
    let mut ids = HashSet::new();
    g.visit_students(&mut |batch| {
        batches += 1;
        largest = largest.max(batch.len());
        for s in batch {
            *by_stage.entry(s.stage).or_default() += 1;
            assert!(ids.insert(s.id.clone()));
            schools.insert(s.school_id.clone());
            if let Some(h) = g.household_of(s).unwrap() {
                if h.registered_poor_on(ref_date) {
                    *poor.entry(s.stage).or_default() += 1;
                    assert!(s.helper.is_some());
                }
            }
        }
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(batches, 40);
    assert_eq!(largest, 5_000);
    assert_eq!(ids.len(), 200_000);
    // The stats agree with what was visited.
    let stats = g.stats();
    for (stage, n) in &stats.by_stage {
        assert_eq!(by_stage.get(stage).copied().unwrap_or(0), *n, "{stage}");
    }
    for (stage, n) in &stats.registered_poor {
        assert_eq!(poor.get(stage).copied().unwrap_or(0), *n, "{stage}");
    }
    // Shares within 0.3 percentage points of the sample's (200000 is one
    // full cycle of 126964 and a part).
    let share = |n: u64, of: u64| n * 100_000 / of;
    for (stage, sample_n) in [
        (Stage::Preschool, 23_429u64),
        (Stage::Primary, 56_370),
        (Stage::Junior, 26_577),
        (Stage::Senior, 16_988),
        (Stage::Vocational, 3_600),
    ] {
        let got = share(by_stage[&stage], 200_000);
        let want = share(sample_n, 126_964);
        assert!(got.abs_diff(want) < 300, "{stage}: {got} vs {want}");
    }
    let poor_primary = share(poor[&Stage::Primary], by_stage[&Stage::Primary]);
    assert!(poor_primary.abs_diff(share(8063, 56_370)) < 300, "{poor_primary}");
    // Many schools, and every one looked up from its id.
    assert!(schools.len() > 500, "{}", schools.len());
    for id in schools.iter().take(200) {
        assert!(g.school(id).unwrap().is_some());
    }
}

#[test]
fn full_cycles_are_exact() {
    let g = Generator::new(2 * 126_964, 5);
    let st = g.stats();
    let by: Vec<u64> = st.by_stage.iter().map(|x| x.1).collect();
    assert_eq!(by, vec![2 * 23_429, 2 * 56_370, 2 * 26_577, 2 * 16_988, 2 * 3_600]);
    let poor: Vec<u64> = st.registered_poor.iter().map(|x| x.1).collect();
    assert_eq!(poor, vec![2 * 2_409, 2 * 8_063, 2 * 4_327, 2 * 3_612, 2 * 478]);
}

#[test]
fn stopping_early_stops() {
    let g = Generator::new(1_000_000, 1).with_batch_size(1_000);
    let mut seen = 0;
    g.visit_students(&mut |batch| {
        seen += batch.len();
        if seen >= 3_000 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(seen, 3_000);
    assert_eq!(g.student_count().unwrap(), 1_000_000);
    // The last student exists and is found by id without a scan.
    let last = g.student_at(999_999).unwrap().unwrap();
    assert_eq!(g.student(&last.id).unwrap(), Some(last));
}

#[test]
fn schools_listing_matches_lookups() {
    let g = Generator::new(50_000, 3);
    let all: Vec<_> = g.schools().collect();
    let stats = g.stats();
    assert_eq!(all.len() as u64, stats.schools.iter().map(|s| s.1).sum::<u64>());
    for s in &all {
        assert_eq!(g.school(&s.id).unwrap().unwrap().into_owned(), s.clone());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_student_is_valid_and_recomputed_identically(n in 1u64..5_000_000, seed in any::<u64>(), pick in any::<u64>()) {
        let g = Generator::new(n, seed);
        let i = pick % n;
        let s = g.student_at(i).unwrap().unwrap();
        s.validate().unwrap();
        prop_assert_eq!(&g.student_at(i).unwrap().unwrap(), &s);
        let school = g.school_of(&s).unwrap();
        prop_assert!(school.kind.teaches(s.stage));
        if let Some(h) = g.household_of(&s).unwrap() {
            h.validate().unwrap();
            prop_assert!(!h.statuses.is_empty());
            if h.has_status_on(StatusKind::RegisteredPoor, "2017-03-01".parse().unwrap()) {
                prop_assert!(s.helper.is_some());
            }
        }
    }
}

//! Two builds give identical data.

use eduaid_sample::county;

use crate::common::sample;

#[test]
fn two_calls_give_identical_data() {
    let b = county();
    let a = sample();
    assert_eq!(a.name, b.name);
    assert_eq!(a.roster.students(), b.roster.students());
    assert_eq!(a.disbursements, b.disbursements);
    assert_eq!(a.planted_faults, b.planted_faults);
    assert_eq!(a.counts, b.counts);
    let mut sa: Vec<_> = a.roster.schools().cloned().collect();
    let mut sb: Vec<_> = b.roster.schools().cloned().collect();
    sa.sort_by(|x, y| x.id.cmp(&y.id));
    sb.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(sa, sb);
    let mut ha: Vec<_> = a.roster.households().cloned().collect();
    let mut hb: Vec<_> = b.roster.households().cloned().collect();
    ha.sort_by(|x, y| x.id.cmp(&y.id));
    hb.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(ha, hb);
}

#[test]
fn other_seeds_keep_the_contract() {
    use eduaid_model::{Stage, StatusKind};
    let spring = "2017-03-01".parse().unwrap();
    for seed in [1u64, 20_170_301] {
        let c = eduaid_sample::county_with_seed(seed).unwrap();
        let students = c.roster.students();
        let in_school = |stage: Stage| {
            students
                .iter()
                .filter(|s| s.stage == stage && s.in_school_on(spring))
                .count()
        };
        assert_eq!(
            [Stage::Preschool, Stage::Primary, Stage::Junior].map(in_school),
            [23_429, 56_370, 26_577],
            "seed {seed}"
        );
        let households: std::collections::HashMap<_, _> = c.roster.households().map(|h| (h.id.clone(), h)).collect();
        let poor = |stage: Stage| {
            students
                .iter()
                .filter(|s| s.stage == stage && s.in_school_on(spring))
                .filter(|s| {
                    s.household_id
                        .as_ref()
                        .is_some_and(|h| households[h].has_status_on(StatusKind::RegisteredPoor, spring))
                })
                .count()
        };
        assert_eq!([Stage::Primary, Stage::Junior].map(poor), [8063, 4327], "seed {seed}");
        assert_eq!(c.planted_faults.len(), 3);
        assert_ne!(c.roster.students(), sample().roster.students());
    }
}

//! The seed report's aid figures (FIGURES.md), reproduced to the yuan by
//! evaluating the sample county under national ← Hunan ← the Hunan county
//! overlay of 2016-17, and the sample's disbursements reconciled to exactly
//! the faults planted in them.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use eduaid::eligibility::{Engine, FindingKind, Row, RunOptions, Scope, Totals, reconcile};
use eduaid::model::{Money, Roster, SchoolKind, Stage, Term};
use eduaid::sample::{FaultKind, SampleCounty, county};
use rust_decimal::Decimal;

/// The sample county, built once for all the tests of this file.
fn sample() -> &'static SampleCounty {
    static C: OnceLock<SampleCounty> = OnceLock::new();
    C.get_or_init(county)
}

fn spring() -> Term {
    eduaid::model::SchoolYear::containing("2017-03-01".parse().unwrap_or_default()).spring()
}

fn autumn() -> Term {
    spring().year.autumn()
}

/// One run over the county for spring 2017: the totals, and how many
/// entitlements of each (program, amount) there are.
struct SpringRun {
    totals: Totals,
    amounts: BTreeMap<(String, Decimal), u64>,
    non_inclusive_preschool: u64,
}

// A test helper: a panic here is a failed test, not a crash on input.
#[allow(clippy::unwrap_used)]
fn spring_run() -> &'static SpringRun {
    static R: OnceLock<SpringRun> = OnceLock::new();
    R.get_or_init(|| {
        let c = sample();
        let engine = Engine::hunan_county_2016().unwrap();
        let mut amounts = BTreeMap::new();
        let mut non_inclusive_preschool = 0;
        let mut sink = |r: &Row<'_>| {
            *amounts
                .entry((r.program.id.to_string(), r.amount.as_decimal()))
                .or_insert(0) += 1;
            if r.program.id.as_str() == "preschool-aid" && r.school.kind == SchoolKind::KindergartenNonInclusive {
                non_inclusive_preschool += 1;
            }
        };
        let totals = engine
            .run(&c.roster, &[spring()], RunOptions::default(), Some(&mut sink))
            .unwrap();
        SpringRun {
            totals,
            amounts,
            non_inclusive_preschool,
        }
    })
}

fn wan(s: &str) -> Money {
    s.parse().unwrap_or_default()
}

fn count(program: &str, amount: i64) -> u64 {
    spring_run()
        .amounts
        .get(&(program.to_string(), Decimal::from(amount)))
        .copied()
        .unwrap_or(0)
}

#[test]
fn every_student_is_evaluated() {
    let t = &spring_run().totals;
    assert_eq!(t.students, sample().roster.student_count().unwrap() as u64);
    assert_eq!(t.evaluated, t.students);
    assert!(t.skipped.is_empty(), "{:?}", t.skipped);
}

#[test]
fn living_subsidy_673_5875_wan() {
    let p = spring_run().totals.program("living-subsidy").unwrap();
    assert_eq!(p.total.amount, wan("673.5875万元"));
    assert_eq!(p.total.amount, Money::yuan(8063 * 500 + 4327 * 625));
    assert_eq!(p.by_stage[&Stage::Primary].person_terms, 8063);
    assert_eq!(p.by_stage[&Stage::Primary].amount, Money::yuan(8063 * 500));
    assert_eq!(p.by_stage[&Stage::Junior].person_terms, 4327);
    assert_eq!(p.by_stage[&Stage::Junior].amount, Money::yuan(4327 * 625));
    assert_eq!(p.total.persons, 12390);
    assert_eq!(count("living-subsidy", 500), 8063);
    assert_eq!(count("living-subsidy", 625), 4327);
    assert_eq!(
        p.total
            .amount
            .to_wan_yuan(4, eduaid::model::Rounding::HalfUp)
            .to_string(),
        "673.5875"
    );
}

#[test]
fn preschool_aid_120_45_wan_including_non_inclusive_kindergartens() {
    let p = spring_run().totals.program("preschool-aid").unwrap();
    assert_eq!(p.total.amount, wan("120.45万元"));
    assert_eq!(p.total.persons, 2409);
    assert_eq!(count("preschool-aid", 500), 2409);
    let n = spring_run().non_inclusive_preschool;
    assert!(n > 0 && n < 2409, "{n}");
}

#[test]
fn vocational_grant_59_9_wan() {
    let p = spring_run().totals.program("vocational-grant").unwrap();
    assert_eq!(p.total.amount, wan("59.9万元"));
    assert_eq!(p.total.persons, 599);
    assert_eq!(count("vocational-grant", 1000), 599);
}

#[test]
fn senior_grant_506_8_wan_in_two_tiers() {
    let p = spring_run().totals.program("senior-grant").unwrap();
    assert_eq!(p.total.amount, wan("506.8万元"));
    assert_eq!(p.total.persons, 5061);
    // First tier 3000/yr (1500 a term): orphans, de facto unsupported,
    // destitute. Second tier 2000/yr (1000): registered poor, dibao,
    // hardship. 14 × 1500 + 5047 × 1000 = 5 068 000.
    assert_eq!(count("senior-grant", 1500), 14);
    assert_eq!(count("senior-grant", 1000), 5047);
}

#[test]
fn nutrition_472_34_wan_for_22_days() {
    let p = spring_run().totals.program("nutrition").unwrap();
    assert_eq!(p.total.amount, wan("472.34万元"));
    assert_eq!(p.total.person_terms, 53675);
    // 22 school days at 4元 each.
    assert_eq!(count("nutrition", 88), 53675);
    assert_eq!(p.by_school.len(), 178);
}

#[test]
fn rain_and_dew_956_person_terms_split_1000_and_1500() {
    let engine = Engine::hunan_county_2016().unwrap();
    let t = engine.totals(&sample().roster, &[autumn(), spring()]).unwrap();
    let p = t.program("rain-and-dew").unwrap();
    assert_eq!(p.total.persons, 478);
    assert_eq!(p.total.person_terms, 956);
    assert_eq!(p.by_term[&autumn()].person_terms, 478);
    assert_eq!(p.by_term[&autumn()].amount, Money::yuan(478 * 1000));
    assert_eq!(p.by_term[&spring()].amount, Money::yuan(478 * 1500));
    assert_eq!(p.total.amount, Money::yuan(478 * 2500));
}

#[test]
fn reconciliation_finds_exactly_the_planted_faults() {
    let c = sample();
    let engine = Engine::hunan_county_2016().unwrap();
    let r = reconcile(&engine, &c.roster, &c.disbursements, &Scope::of(&c.disbursements)).unwrap();
    assert!(r.accounts_for_every_record());
    assert_eq!(r.records, c.disbursements.len() as u64);
    assert_eq!(r.findings.len(), c.planted_faults.len(), "{:#?}", r.findings);
    for f in &c.planted_faults {
        let kind = match f.kind {
            FaultKind::Unpaid => FindingKind::Unpaid,
            FaultKind::DuplicatePayment => FindingKind::Duplicate,
            FaultKind::PaidAfterLeaving => FindingKind::PaidAfterLeaving,
        };
        let found = r
            .findings
            .iter()
            .find(|x| x.kind == kind && x.student == f.student_id && x.program == f.program && x.term == f.term);
        let found = found.unwrap_or_else(|| panic!("planted fault not found: {f:?}"));
        for id in &f.payment_ids {
            if kind != FindingKind::Duplicate || f.payment_ids.first() != Some(id) {
                assert!(found.payments.contains(id), "{found:?} lacks payment {id}");
            }
        }
        if kind == FindingKind::Unpaid {
            assert_eq!(found.owed, Some(f.amount));
        }
    }
    // Everything else matched to the yuan.
    let faulty: u64 = r
        .by_kind
        .iter()
        .filter(|(k, _)| **k != FindingKind::Unpaid)
        .map(|(_, c)| c.records)
        .sum();
    assert_eq!(r.matched.records + faulty, r.records);
}

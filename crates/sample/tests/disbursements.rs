//! The aid paid, and the three planted faults.

use std::collections::{BTreeMap, HashSet};

use eduaid_model::{Money, Roster, Term};
use eduaid_sample::FaultKind;

use crate::common::*;

fn paid(program: &str, term: &str) -> (usize, Money) {
    let term: Term = term.parse().unwrap();
    let list: Vec<_> = sample()
        .disbursements
        .iter()
        .filter(|p| p.program.as_str() == program && p.term == term)
        .collect();
    (list.len(), list.iter().map(|p| p.amount).sum())
}

#[test]
fn every_payment_is_valid_and_unique() {
    let mut ids = HashSet::new();
    for p in &sample().disbursements {
        p.validate().unwrap();
        assert!(ids.insert(p.id.clone()), "duplicate reference {}", p.id);
        assert!(sample().roster.student(&p.student_id).unwrap().is_some());
    }
}

#[test]
fn totals_paid_with_the_faults() {
    // Living subsidy: 12390 owed, one left unpaid.
    assert_eq!(
        paid("living-subsidy", "2017-spring"),
        (12_389, Money::yuan(6_735_875 - 500))
    );
    // Preschool: 2409 owed, one paid twice.
    assert_eq!(
        paid("preschool-aid", "2017-spring"),
        (2410, Money::yuan(1_204_500 + 500))
    );
    assert_eq!(paid("senior-grant", "2017-spring"), (5061, Money::yuan(5_068_000)));
    assert_eq!(paid("vocational-grant", "2017-spring"), (599, Money::yuan(599_000)));
    assert_eq!(paid("rain-and-dew", "2016-autumn"), (478, Money::yuan(478_000)));
    assert_eq!(paid("rain-and-dew", "2017-spring"), (478, Money::yuan(717_000)));
    assert_eq!(paid("nutrition", "2017-spring"), (53_675, Money::yuan(4_723_400)));
}

#[test]
fn planted_faults_are_where_they_say() {
    let faults = &sample().planted_faults;
    let kinds: Vec<FaultKind> = faults.iter().map(|f| f.kind).collect();
    assert_eq!(kinds.len(), 3);
    for k in [
        FaultKind::Unpaid,
        FaultKind::DuplicatePayment,
        FaultKind::PaidAfterLeaving,
    ] {
        assert_eq!(kinds.iter().filter(|x| **x == k).count(), 1);
    }
    let mut per_key: BTreeMap<(String, String, Term), usize> = BTreeMap::new();
    for p in &sample().disbursements {
        *per_key
            .entry((p.student_id.to_string(), p.program.to_string(), p.term))
            .or_default() += 1;
    }
    let twice: Vec<_> = per_key.iter().filter(|(_, n)| **n > 1).collect();
    assert_eq!(twice.len(), 1);
    let after: Vec<_> = sample()
        .disbursements
        .iter()
        .filter(|p| {
            let s = sample().roster.student(&p.student_id).unwrap().unwrap();
            s.left_on().is_some_and(|l| p.paid_on >= l)
        })
        .collect();
    assert_eq!(after.len(), 1);
    for f in faults {
        let s = sample().roster.student(&f.student_id).unwrap().unwrap();
        assert!(s.in_school_on(spring()));
        let n = per_key
            .get(&(f.student_id.to_string(), f.program.to_string(), f.term))
            .copied()
            .unwrap_or(0);
        match f.kind {
            FaultKind::Unpaid => {
                assert_eq!(n, 0);
                assert!(f.payment_ids.is_empty());
            }
            FaultKind::DuplicatePayment => {
                assert_eq!(n, 2);
                assert_eq!(f.payment_ids.len(), 2);
                assert_eq!(twice[0].0.0, f.student_id.to_string());
            }
            FaultKind::PaidAfterLeaving => {
                assert_eq!(n, 1);
                assert!(s.left_on().is_some_and(|l| l > spring() && after[0].paid_on >= l));
                assert_eq!(after[0].student_id, f.student_id);
            }
        }
        assert!(f.amount > Money::yuan(0));
    }
}

//! Student loans (生源地信用助学贷款): the caps by year as declarative cases,
//! and the property that the totals account for every record.

use std::collections::BTreeSet;

use eduaid_eligibility::Policy;
use eduaid_eligibility::loans::{LoanFinding, cap, check_loans, interest_subsidy_share, rate_margin};
use eduaid_model::*;
use proptest::prelude::*;

/// (loan year, stage, cap in yuan or none): the national caps by year.
const CAPS: &[(i32, Stage, Option<i64>)] = &[
    (2013, Stage::Tertiary, Some(6000)),
    (2013, Stage::Postgraduate, None),
    (2014, Stage::Tertiary, Some(8000)),
    (2014, Stage::Postgraduate, Some(12000)),
    (2020, Stage::Tertiary, Some(8000)),
    (2020, Stage::Postgraduate, Some(12000)),
    (2021, Stage::Tertiary, Some(12000)),
    (2021, Stage::Postgraduate, Some(16000)),
    (2022, Stage::Tertiary, Some(12000)),
    (2023, Stage::Tertiary, Some(16000)),
    (2023, Stage::Postgraduate, Some(20000)),
    (2024, Stage::Tertiary, Some(20000)),
    (2024, Stage::Postgraduate, Some(25000)),
    (2006, Stage::Tertiary, None),
];

#[test]
fn the_caps_by_year() {
    let policy = Policy::national().unwrap();
    for &(year, stage, want) in CAPS {
        let got = cap(&policy, SchoolYear::new(year).unwrap(), stage).map(|(m, _)| m);
        assert_eq!(got, want.map(Money::yuan), "{year} {stage:?}");
    }
    // Each cap cites a document; the 2014 and 2024 ones are verified.
    let (_, c2014) = cap(&policy, SchoolYear::new(2014).unwrap(), Stage::Tertiary).unwrap();
    assert_eq!(c2014.doc, "loan-2014");
    let (_, c2024) = cap(&policy, SchoolYear::new(2024).unwrap(), Stage::Postgraduate).unwrap();
    assert_eq!(c2024.number.as_deref(), Some("财教〔2024〕188号"));
}

#[test]
fn a_loan_at_the_cap_passes_and_one_yuan_more_is_found() {
    let policy = Policy::national().unwrap();
    for &(year, stage, want) in CAPS {
        let Some(c) = want else { continue };
        let make = |id: &str, yuan: i64| {
            StudentLoan::new(
                id.parse().unwrap(),
                "某",
                "某大学",
                stage,
                SchoolYear::new(year).unwrap(),
                Money::yuan(yuan),
            )
            .unwrap()
        };
        let check = check_loans(&[make("A", c), make("B", c + 1)], &policy);
        assert_eq!(check.findings.len(), 1, "{year}");
        assert!(
            matches!(&check.findings[0], LoanFinding::OverCap { index: 1, .. }),
            "{year}"
        );
    }
}

#[test]
fn interest_subsidy_and_rate_margin_by_year() {
    let policy = Policy::national().unwrap();
    let y = |n| SchoolYear::new(n).unwrap();
    assert_eq!(
        interest_subsidy_share(&policy, y(2016)).map(|s| s.0),
        Some(Decimal::ONE)
    );
    assert_eq!(rate_margin(&policy, y(2019)), None);
    for (year, bp) in [(2020, 30), (2022, 30), (2023, 60), (2024, 70), (2025, 70)] {
        assert_eq!(
            rate_margin(&policy, y(year)).map(|m| m.0),
            Some(Decimal::new(bp, 4)),
            "{year}"
        );
    }
}

fn loans() -> impl Strategy<Value = Vec<StudentLoan>> {
    prop::collection::vec(
        (
            0u8..12,
            0usize..2,
            2005i32..2027,
            1i64..3_000_000,
            prop::option::of(0i64..800),
        ),
        0..60,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(id, stage, year, fen, rate)| {
                let stage = [Stage::Tertiary, Stage::Postgraduate][stage];
                let mut l = StudentLoan::new(
                    format!("B{id}").parse().unwrap(),
                    "某",
                    "某大学",
                    stage,
                    SchoolYear::new(year).unwrap(),
                    Money::from_fen(fen),
                )
                .unwrap();
                if let Some(r) = rate {
                    l = l.with_rate(Decimal::new(r, 4)).unwrap();
                }
                l
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn totals_account_for_every_record(loans in loans()) {
        let policy = Policy::national().unwrap();
        let check = check_loans(&loans, &policy);
        prop_assert_eq!(check.records, loans.len() as u64);
        prop_assert_eq!(Some(check.amount), Money::checked_sum(loans.iter().map(|l| l.amount)));
        let mut records = 0;
        let mut amount = Money::default();
        for (year, t) in &check.years {
            let of_year: Vec<&StudentLoan> = loans.iter().filter(|l| l.year == *year).collect();
            prop_assert_eq!(t.loans, of_year.len() as u64);
            let ids: BTreeSet<&StudentId> = of_year.iter().map(|l| &l.borrower_id).collect();
            prop_assert_eq!(t.persons, ids.len() as u64);
            let stage_loans: u64 = t.by_stage.values().map(|s| s.loans).sum();
            let stage_amount = Money::checked_sum(t.by_stage.values().map(|s| s.amount));
            prop_assert_eq!(stage_loans, t.loans);
            prop_assert_eq!(stage_amount, Some(t.amount));
            prop_assert!(t.interest_not_computable <= t.loans);
            records += t.loans;
            amount = amount.checked_add(t.amount).unwrap();
        }
        prop_assert_eq!(records, check.records);
        prop_assert_eq!(amount, check.amount);
        // Every duplicate names a borrower with more than one loan that year.
        for f in &check.findings {
            if let LoanFinding::Duplicate { indexes, .. } = f {
                prop_assert!(indexes.len() > 1);
            }
        }
    }
}

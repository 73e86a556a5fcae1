//! Reconciliation finds every kind of fault, with the student and the
//! evidence, and accounts for every record.

use eduaid_eligibility::*;
use eduaid_model::*;

use crate::util::{d, small_county, term};

fn pay(id: &str, student: &str, program: &str, t: &str, amount: i64, on: &str) -> Disbursement {
    Disbursement {
        id: id.into(),
        student_id: StudentId::new(student).unwrap(),
        program: ProgramId::new(program).unwrap(),
        term: term(t),
        amount: Money::yuan(amount),
        paid_on: d(on),
        channel: Channel::BankCard,
    }
}

#[test]
fn every_kind_of_fault_is_found() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let sp = "2017-spring";
    let mut ds = vec![
        pay("P01", "S01", "living-subsidy", sp, 500, "2017-03-27"),
        // S02 (boarder, 500) is left unpaid.
        pay("P05", "S05", "living-subsidy", sp, 600, "2017-03-27"), // owed 625
        pay("P06", "S06", "living-subsidy", sp, 625, "2017-03-27"),
        pay("P06b", "S06", "living-subsidy", sp, 625, "2017-04-18"), // duplicate
        pay("P07", "S07", "living-subsidy", sp, 500, "2017-03-27"),
        pay("P04", "S04", "living-subsidy", sp, 500, "2017-03-27"), // registered only on 2017-05-10
        pay("P14", "S14", "living-subsidy", sp, 625, "2017-04-25"), // left on 2017-04-20
        pay("PX", "NOBODY", "living-subsidy", sp, 500, "2017-03-27"),
        pay("PY", "S01", "bus-fare", sp, 50, "2017-03-27"),
        pay("PZ", "S01", "living-subsidy", "2016-autumn", 500, "2016-10-01"), // out of scope
        pay("P01", "S10", "senior-grant", sp, 1500, "2017-03-28"),            // reference reused
    ];
    let mut zero = pay("P00", "S11", "senior-grant", sp, 1000, "2017-03-28");
    zero.amount = Money::ZERO;
    ds.push(zero);
    let scope = Scope::new([
        (ProgramId::new("living-subsidy").unwrap(), term(sp)),
        (ProgramId::new("senior-grant").unwrap(), term(sp)),
    ]);
    let r = reconcile(&engine, &roster, &ds, &scope).unwrap();
    let kinds = |k: FindingKind| r.of_kind(k).map(|f| f.student.to_string()).collect::<Vec<_>>();
    // S10 and S11 were not validly paid: unpaid. S02 was not paid.
    assert_eq!(kinds(FindingKind::Unpaid), vec!["S02", "S10", "S11"]);
    assert_eq!(kinds(FindingKind::WrongAmount), vec!["S05"]);
    assert_eq!(kinds(FindingKind::Duplicate), vec!["S06"]);
    assert_eq!(kinds(FindingKind::Ineligible), vec!["S04"]);
    assert_eq!(kinds(FindingKind::PaidAfterLeaving), vec!["S14"]);
    assert_eq!(kinds(FindingKind::UnknownStudent), vec!["NOBODY"]);
    assert_eq!(kinds(FindingKind::UnknownProgram), vec!["S01"]);
    assert_eq!(kinds(FindingKind::OutOfScope), vec!["S01"]);
    assert_eq!(kinds(FindingKind::Invalid), vec!["S10", "S11"]);
    let ev = |k: FindingKind| r.of_kind(k).next().unwrap().evidence.clone();
    assert_eq!(ev(FindingKind::WrongAmount), "paid 600元 but 625元 was owed");
    assert!(ev(FindingKind::Duplicate).contains("already paid 625元 on 2017-03-27 (reference P06)"));
    assert_eq!(
        ev(FindingKind::Ineligible),
        "not entitled: not registered-poor on 2017-03-01: registered on 2017-05-10"
    );
    assert_eq!(
        ev(FindingKind::PaidAfterLeaving),
        "paid on 2017-04-25 but the student left school on 2017-04-20 (dropped_out)"
    );
    assert!(
        r.of_kind(FindingKind::Unpaid)
            .next()
            .unwrap()
            .evidence
            .contains("entitled to 500元")
    );
    // Totals account for every record and every yuan.
    assert_eq!(r.records, 12);
    assert!(r.accounts_for_every_record());
    assert_eq!(r.matched.records, 3); // P01, P06, P07
    assert_eq!(r.matched.amount, Money::yuan(1625));
    assert_eq!(
        r.paid,
        Money::yuan(500 + 600 + 625 + 625 + 500 + 500 + 625 + 500 + 50 + 500 + 1500)
    );
    // Owed in scope: living subsidy 3375 and senior grant 2500.
    assert_eq!(r.owed, Money::yuan(3375 + 2500));
    assert_eq!(r.entitlements, 8);
    assert_eq!(r.by_kind[&FindingKind::Unpaid].amount, Money::yuan(500 + 1500 + 1000));
}

#[test]
fn clean_payments_reconcile_to_nothing() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let terms = [term("2016-autumn"), term("2017-spring")];
    let mut ds = Vec::new();
    let mut n = 0;
    let mut sink = |r: &Row<'_>| {
        if r.program.benefit == Benefit::Cash {
            n += 1;
            ds.push(Disbursement {
                id: format!("R{n}"),
                student_id: r.student.id.clone(),
                program: r.program.id.clone(),
                term: r.term,
                amount: r.amount,
                paid_on: r.term.first_day() + chrono::Days::new(20),
                channel: Channel::BankCard,
            });
        }
    };
    engine
        .run(&roster, &terms, RunOptions::default(), Some(&mut sink))
        .unwrap();
    // S14 left on 2017-04-20; paid on 03-21 it is fine.
    let r = reconcile(&engine, &roster, &ds, &Scope::of(&ds)).unwrap();
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert_eq!(r.matched.records, r.records);
    assert_eq!(r.owed, r.paid);
    let all = Scope::all_owed(&engine, &terms);
    assert!(all.contains(&ProgramId::new("senior-grant").unwrap(), term("2016-autumn")));
}

/// Entitlements computed elsewhere (say, another system's export), with no
/// roster behind them.
struct Table {
    owed: OwedMap,
    left: Option<(StudentId, NaiveDate)>,
}

impl Owed for Table {
    fn amount(&self, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money> {
        owed_in(&self.owed, student, program, term)
    }

    fn visit_owed(&self, visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> Visit) -> Result<(), Error> {
        visit_owed_in(&self.owed, visit);
        Ok(())
    }

    fn payee(&self, student: &StudentId) -> Result<Payee, Error> {
        Ok(if student.as_str() == "GHOST" {
            Payee::Unknown
        } else {
            Payee::Known {
                left_on: self.left.as_ref().filter(|(s, _)| s == student).map(|(_, d)| *d),
                status: None,
            }
        })
    }

    fn not_owed(&self, student: &StudentId, program: &ProgramId, term: Term) -> Result<String, Error> {
        Ok(format!("the table owes {student} nothing for {program} {term}"))
    }

    fn knows_program(&self, program: &ProgramId) -> bool {
        program.as_str() != "bus-fare"
    }
}

#[test]
fn a_table_of_entitlements_reconciles_through_the_same_classes() {
    let sp = "2017-spring";
    let key = |s: &str| {
        (
            StudentId::new(s).unwrap(),
            ProgramId::new("living-subsidy").unwrap(),
            term(sp),
        )
    };
    let table = Table {
        owed: [("A", 500), ("B", 625), ("C", 500), ("D", 500)]
            .into_iter()
            .map(|(s, y)| (key(s), Money::yuan(y)))
            .collect(),
        left: Some((StudentId::new("D").unwrap(), d("2017-04-20"))),
    };
    let ds = vec![
        pay("1", "A", "living-subsidy", sp, 500, "2017-03-27"),
        pay("2", "B", "living-subsidy", sp, 600, "2017-03-27"),
        pay("3", "A", "living-subsidy", sp, 500, "2017-04-01"),
        pay("4", "E", "living-subsidy", sp, 500, "2017-03-27"),
        pay("5", "GHOST", "living-subsidy", sp, 500, "2017-03-27"),
        pay("6", "A", "bus-fare", sp, 50, "2017-03-27"),
        pay("7", "D", "living-subsidy", sp, 500, "2017-04-25"),
    ];
    let r = reconcile_owed(&table, &ds, &Scope::of(&ds)).unwrap();
    let kinds: Vec<(FindingKind, &str)> = r.findings.iter().map(|f| (f.kind, f.student.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (FindingKind::UnknownProgram, "A"), // bus-fare sorts first
            (FindingKind::Duplicate, "A"),
            (FindingKind::WrongAmount, "B"),
            (FindingKind::Unpaid, "C"),
            (FindingKind::PaidAfterLeaving, "D"),
            (FindingKind::Ineligible, "E"),
            (FindingKind::UnknownStudent, "GHOST"),
        ]
    );
    let ineligible = r.of_kind(FindingKind::Ineligible).next().unwrap();
    assert_eq!(
        ineligible.evidence,
        "the table owes E nothing for living-subsidy 2017-spring"
    );
    let after = r.of_kind(FindingKind::PaidAfterLeaving).next().unwrap();
    assert_eq!(
        after.evidence,
        "paid on 2017-04-25 but the student left school on 2017-04-20"
    );
    assert_eq!(r.matched.records, 1);
    assert_eq!(r.entitlements, 4);
    assert_eq!(r.owed, Money::yuan(2125));
    assert!(r.accounts_for_every_record());
}

#[test]
fn a_reconciliation_total_past_decimal_is_an_error_not_a_short_total() {
    let table = Table {
        owed: OwedMap::new(),
        left: None,
    };
    let huge = Money::from_decimal_exact(Decimal::MAX);
    let mut a = pay("1", "A", "living-subsidy", "2017-spring", 1, "2017-03-27");
    a.amount = huge;
    let mut b = a.clone();
    b.id = "2".into();
    let e = reconcile_owed(&table, &[a, b], &Scope::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "reconciliation: the total paid overflows: amounts this large cannot be totalled exactly"
    );
}

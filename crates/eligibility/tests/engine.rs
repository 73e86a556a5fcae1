//! The engine on a small county: totals, traces, why-not, streaming, a
//! program written in Rust.

use eduaid_eligibility::*;
use eduaid_model::*;
use rust_decimal::Decimal;

use crate::util::{small_county, term};

fn y(n: i64) -> Money {
    Money::yuan(n)
}

#[test]
fn spring_2017_totals_under_the_county_overlay() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let t = engine.totals(&roster, &[term("2017-spring")]).unwrap();
    assert_eq!(t.students, 15);
    assert_eq!(t.evaluated, 15);
    assert!(t.skipped.is_empty());
    let ls = t.program("living-subsidy").unwrap();
    // S01 day primary RP 500, S02 boarder primary RP 500, S05 day junior
    // RP 625, S06 boarder junior dibao 625, S07 urban day RP 500, S14
    // boarder junior RP (left 2017-04-20, in school on 03-01) 625.
    assert_eq!(ls.total.amount, y(500 + 500 + 625 + 625 + 500 + 625));
    assert_eq!(ls.total.persons, 6);
    assert_eq!(ls.total.person_terms, 6);
    assert_eq!(ls.by_stage[&Stage::Primary].amount, y(1500));
    assert_eq!(ls.by_stage[&Stage::Junior].amount, y(1875));
    assert_eq!(ls.by_school[&SchoolId::new("B1").unwrap()].amount, y(500));
    assert_eq!(ls.by_township["镇A"].amount, y(2875));
    // Nutrition: A1 joined 2017-06-01 (22 days) for S01-S04; A2 since 2012
    // (every weekday 2017-03-01 to 2017-06-30 = 88 days) for S05, S06, and
    // S14 until it left on 2017-04-20 (2017-03-01 to 04-19 = 36 days).
    let n = t.program("nutrition").unwrap();
    assert_eq!(n.total.amount, y(4 * (4 * 22 + 2 * 88 + 36)));
    assert_eq!(n.total.person_terms, 7);
    let pre = t.program("preschool-aid").unwrap();
    assert_eq!(pre.total.amount, y(1000));
    let sg = t.program("senior-grant").unwrap();
    assert_eq!(sg.total.amount, y(2500));
    let vg = t.program("vocational-grant").unwrap();
    assert_eq!(vg.total.amount, y(2000)); // S12 (RP, grade 1) and S15 (agricultural)
    let rd = t.program("rain-and-dew").unwrap();
    assert_eq!(rd.total.amount, y(3000)); // S12 and S13
    let owed: Money = t
        .programs
        .iter()
        .filter(|p| p.benefit.is_owed())
        .map(|p| p.total.amount)
        .sum();
    assert_eq!(t.owed(), owed);
    // Cash, fees waived and goods in kind apart (issue 13 item 4): the
    // textbooks and the meals are in kind, never cash.
    let kind = |id: &str| t.program(id).unwrap().total.amount;
    assert_eq!(t.in_kind(), kind("free-textbooks") + kind("nutrition"));
    assert_eq!(
        t.cash(),
        kind("living-subsidy")
            + kind("preschool-aid")
            + kind("senior-grant")
            + kind("vocational-grant")
            + kind("rain-and-dew")
            + kind("tertiary-grant")
    );
    assert_eq!(
        t.waived(),
        kind("fee-waiver") + kind("senior-fee-waiver") + kind("vocational-tuition-waiver")
    );
    assert_eq!(t.cash() + t.waived() + t.in_kind(), t.owed());
    assert!(t.in_kind() > Money::ZERO && t.cash() < t.owed());
    let by = t.by_benefit();
    assert_eq!(by[&Benefit::Cash], t.cash());
    assert_eq!(by[&Benefit::InKind], t.in_kind());
    assert_eq!(by[&Benefit::Waiver], t.waived());
    assert_eq!(by.len(), 4, "{by:?}");
    assert_eq!(Benefit::InKind.chinese(), "实物");
}

#[test]
fn persons_and_person_terms_are_counted_separately() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let t = engine
        .totals(&roster, &[term("2016-autumn"), term("2017-spring")])
        .unwrap();
    let rd = t.program("rain-and-dew").unwrap();
    assert_eq!(rd.total.persons, 2);
    assert_eq!(rd.total.person_terms, 4);
    assert_eq!(rd.total.amount, y(2 * (1000 + 1500)));
    assert_eq!(rd.by_term[&term("2016-autumn")].amount, y(2000));
    assert_eq!(rd.by_term[&term("2017-spring")].amount, y(3000));
    let ls = t.program("living-subsidy").unwrap();
    // Autumn: only the boarders S02 (500), S06 (625), S14 (625).
    assert_eq!(ls.by_term[&term("2016-autumn")].person_terms, 3);
    assert_eq!(ls.total.persons, 6);
    assert_eq!(ls.total.person_terms, 9);
}

#[test]
fn why_not_speaks_a_clerks_language() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let spring = term("2017-spring");
    let w = |id: &str, p: &str| {
        engine
            .why_not(&roster, &StudentId::new(id).unwrap(), p, spring)
            .unwrap()
    };
    assert_eq!(
        w("S04", "living-subsidy").as_deref(),
        Some("not registered-poor on 2017-03-01: registered on 2017-05-10")
    );
    assert_eq!(w("S01", "living-subsidy"), None);
    let senior = w("S01", "senior-grant").unwrap();
    assert!(
        senior.starts_with("stage is 小学 (primary); the rule covers 普通高中"),
        "{senior}"
    );
    let n = w("S07", "nutrition").unwrap();
    assert!(n.contains("is urban (城区); the rule requires rural"), "{n}");
    let v = w("S13", "vocational-grant").unwrap();
    assert_eq!(v, "in grade 3; the rule covers grades 1, 2");
    let pre = w("S08", "preschool-aid");
    assert_eq!(pre, None);
    assert!(matches!(
        engine.why_not(&roster, &StudentId::new("S01").unwrap(), "no-such", spring),
        Err(Error::UnknownProgram { .. })
    ));
    assert!(matches!(
        engine.why_not(&roster, &StudentId::new("NOBODY").unwrap(), "nutrition", spring),
        Err(Error::UnknownStudent { .. })
    ));
}

#[test]
fn traces_name_rules_conditions_parameters_and_citations() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let ex = engine
        .explain(&roster, &StudentId::new("S01").unwrap(), term("2017-spring"))
        .unwrap();
    let ls = ex
        .entitled
        .iter()
        .find(|e| e.program.as_str() == "living-subsidy")
        .unwrap();
    assert_eq!(ls.amount, y(500));
    let tr = ls.trace.as_ref().unwrap();
    let rule = tr
        .steps
        .iter()
        .find_map(|s| match s {
            Step::Rule { rule, layer, .. } => Some((rule.clone(), layer.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        rule,
        ("registered-poor-day-students".into(), "hunan-county-2016".into())
    );
    let params: Vec<(&str, &Citation)> = tr.parameters().collect();
    assert_eq!(params.len(), 1);
    assert_eq!(params[0].0, "living-subsidy.annual");
    assert_eq!(params[0].1.certainty, schema::Certainty::V);
    assert!(params[0].1.url.as_deref().unwrap_or("").starts_with("http"));
    let text = ex.to_string();
    assert!(
        text.contains("living-subsidy.annual = 1000 (小学) (from 2011-autumn)"),
        "{text}"
    );
    assert!(text.contains("registered-poor on 2017-03-01"), "{text}");
    // The nutrition trace shows the days and the calendar's citation.
    let n = ex.entitled.iter().find(|e| e.program.as_str() == "nutrition").unwrap();
    assert_eq!(n.amount, y(88));
    let nt = n.trace.as_ref().unwrap().to_string();
    assert!(nt.contains("4元/天 × 22 天 (2017-06-01 to 2017-06-30)"), "{nt}");
    assert!(nt.contains("营养改善计划首批"), "{nt}");
    // Every program not entitled has a reason.
    assert!(ex.not_entitled.iter().all(|(_, _, r, _)| !r.is_empty()));
}

#[test]
fn entitlements_over_a_range_of_terms() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let s = roster.student(&StudentId::new("S12").unwrap()).unwrap().unwrap();
    let terms = term("2016-autumn").through(term("2017-spring"));
    let es = engine.entitlements(&roster, &s, &terms).unwrap();
    let rd: Vec<Money> = es
        .iter()
        .filter(|e| e.program.as_str() == "rain-and-dew")
        .map(|e| e.amount)
        .collect();
    assert_eq!(rd, vec![y(1000), y(1500)]);
    assert!(es.iter().all(|e| e.trace.is_some()));
}

#[test]
fn the_sink_sees_every_entitlement_and_the_totals_agree() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let terms = [term("2016-autumn"), term("2017-spring")];
    let mut sum = Decimal::ZERO;
    let mut n = 0u64;
    let mut traced = 0u64;
    let mut sink = |r: &Row<'_>| {
        sum += r.amount.as_decimal();
        n += 1;
        if r.trace.is_some_and(|t| !t.steps.is_empty()) {
            traced += 1;
        }
    };
    let t = engine
        .run(&roster, &terms, RunOptions::traced(), Some(&mut sink))
        .unwrap();
    let total: Decimal = t.programs.iter().map(|p| p.total.amount.as_decimal()).sum();
    assert_eq!(sum, total);
    assert_eq!(n, t.programs.iter().map(|p| p.total.person_terms).sum::<u64>());
    assert_eq!(traced, n);
    let without = engine.totals(&roster, &terms).unwrap();
    assert_eq!(without, t);
}

#[test]
fn missing_school_or_household_is_reported_not_dropped() {
    // A roster that serves a student whose household it does not hold.
    #[derive(Debug)]
    struct Broken(MemoryRoster, Student);
    impl Roster for Broken {
        fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
            self.0.visit_students(visit)?;
            let _ = visit(std::slice::from_ref(&self.1));
            Ok(())
        }
        fn school(&self, id: &SchoolId) -> Result<Option<std::borrow::Cow<'_, School>>, RosterError> {
            self.0.school(id)
        }
        fn household(&self, id: &HouseholdId) -> Result<Option<std::borrow::Cow<'_, Household>>, RosterError> {
            self.0.household(id)
        }
    }
    let mut ghost = crate::util::student("GHOST", "A1", Stage::Primary, 1, false, Some("NOWHERE"));
    ghost.name = "幽灵".into();
    let mut lost = ghost.clone();
    lost.id = StudentId::new("LOST").unwrap();
    lost.school_id = SchoolId::new("ZZ").unwrap();
    let r = Broken(small_county(), ghost);
    let engine = Engine::hunan_county_2016().unwrap();
    let t = engine.totals(&r, &[term("2017-spring")]).unwrap();
    assert_eq!(t.students, 16);
    assert_eq!(t.evaluated, 15);
    assert_eq!(t.skipped.len(), 1);
    assert_eq!(t.skipped[0].reason, "unknown household NOWHERE");
    let r2 = Broken(small_county(), lost);
    let t2 = engine.totals(&r2, &[term("2017-spring")]).unwrap();
    assert_eq!(t2.skipped[0].reason, "unknown school ZZ");
}

/// A program written in Rust: a county's own 200元 a term for left-behind
/// children in rural primaries.
#[derive(Debug)]
struct LeftBehind {
    info: ProgramInfo,
}

struct LeftBehindTerm;

impl TermProgram for LeftBehindTerm {
    fn evaluate(&self, f: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Money> {
        let ok = f.student.left_behind && f.school.locality == Locality::Rural;
        if let Some(t) = trace {
            t.push(Step::Condition {
                text: "a left-behind child in a rural school".into(),
                held: ok,
            });
            if !ok {
                t.push(Step::NotEntitled {
                    reason: "not a left-behind child in a rural school".into(),
                });
            }
        }
        ok.then(|| Money::yuan(200))
    }
}

impl Program for LeftBehind {
    fn info(&self) -> &ProgramInfo {
        &self.info
    }
    fn prepare<'a>(&'a self, _term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, eduaid_eligibility::Error> {
        Ok(Box::new(LeftBehindTerm))
    }
}

#[test]
fn a_rust_program_sits_beside_the_toml_ones() {
    let mut roster = small_county();
    let mut s = crate::util::student("LB1", "A1", Stage::Primary, 2, false, None);
    s.left_behind = true;
    roster.add_student(s).unwrap();
    let mut engine = Engine::hunan_county_2016().unwrap();
    let info = ProgramInfo {
        id: ProgramId::new("left-behind").unwrap(),
        name: "留守儿童关爱补助".into(),
        english: None,
        benefit: Benefit::Cash,
        cite: None,
    };
    engine.add_program(LeftBehind { info: info.clone() }).unwrap();
    assert!(matches!(
        engine.add_program(LeftBehind { info }),
        Err(Error::DuplicateProgram { .. })
    ));
    let t = engine.totals(&roster, &[term("2017-spring")]).unwrap();
    assert_eq!(t.program("left-behind").unwrap().total.amount, y(200));
    assert_eq!(t.program("nutrition").unwrap().total.person_terms, 8);
    let w = engine
        .why_not(
            &roster,
            &StudentId::new("S01").unwrap(),
            "left-behind",
            term("2017-spring"),
        )
        .unwrap();
    assert_eq!(w.as_deref(), Some("not a left-behind child in a rural school"));
}

/// A roster with one rural primary school, A9, in the nutrition plan since
/// 2012, and no students yet.
fn rural_school_in_the_plan() -> MemoryRoster {
    let mut roster = MemoryRoster::new();
    roster
        .add_school(crate::util::school(
            "A9",
            SchoolKind::Primary,
            Locality::Rural,
            Some("2012-09-01"),
        ))
        .unwrap();
    roster
}

#[test]
fn a_mid_term_rate_change_splits_the_days() {
    // One pupil in a rural school in the plan since 2012, autumn 2014:
    // weekdays 2014-09-01..10-31 (45) at 3元 and 2014-11-01..2015-01-15
    // (54) at 4元.
    let mut roster = rural_school_in_the_plan();
    roster
        .add_student(crate::util::student("P", "A9", Stage::Primary, 2, false, None))
        .unwrap();
    let engine = Engine::new(Policy::national().unwrap());
    let t = engine.totals(&roster, &[term("2014-autumn")]).unwrap();
    let d = |a: &str, b: &str| weekdays(a.parse().unwrap(), b.parse().unwrap());
    assert_eq!(d("2014-09-01", "2014-10-31"), 45);
    assert_eq!(d("2014-11-01", "2015-01-15"), 54);
    assert_eq!(t.program("nutrition").unwrap().total.amount, y(45 * 3 + 54 * 4));
    let ex = engine
        .explain(&roster, &StudentId::new("P").unwrap(), term("2014-autumn"))
        .unwrap();
    let n = ex.entitled.iter().find(|e| e.program.as_str() == "nutrition").unwrap();
    let params: Vec<&str> = n.trace.as_ref().unwrap().parameters().map(|p| p.0).collect();
    assert_eq!(params, vec!["nutrition.daily", "nutrition.daily", "calendar"]);
}

#[test]
fn identical_students_are_counted_alike_and_a_leaver_apart() {
    // Three pupils who agree on every fact the programs read, at a rural
    // school in the nutrition plan since 2012; the third leaves on
    // 2017-04-20, so the batch must not give it the others' amounts.
    let mut roster = rural_school_in_the_plan();
    for id in ["P1", "P2", "P3"] {
        let mut s = crate::util::student(id, "A9", Stage::Primary, 2, false, None);
        if id == "P3" {
            s.status = EnrolmentStatus::DroppedOut;
            s.status_since = crate::util::d("2017-04-20");
        }
        roster.add_student(s).unwrap();
    }
    let engine = Engine::hunan_county_2016().unwrap();
    for traces in [false, true] {
        let t = engine
            .run(
                &roster,
                &[term("2016-autumn"), term("2017-spring")],
                RunOptions::default().with_traces(traces),
                None,
            )
            .unwrap();
        let n = t.program("nutrition").unwrap();
        // Autumn 2016 is before the leaving date for all three; spring:
        // 88 school days for P1 and P2, 36 for P3.
        let autumn = n.by_term[&term("2016-autumn")];
        assert_eq!(autumn.person_terms, 3, "traces {traces}");
        assert_eq!(
            n.by_term[&term("2017-spring")].amount,
            y(4 * (2 * 88 + 36)),
            "traces {traces}"
        );
        assert_eq!(n.total.persons, 3);
        assert_eq!(n.total.person_terms, 6);
        let f = t.program("free-textbooks").unwrap();
        assert_eq!(f.total.person_terms, 6);
        assert_eq!(f.by_school[&SchoolId::new("A9").unwrap()].persons, 3);
        assert_eq!(t.persons_entitled, 3);
    }
}

#[test]
fn weekdays_count_mondays_to_fridays() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(weekdays(d("2017-06-01"), d("2017-06-30")), 22);
    assert_eq!(weekdays(d("2017-06-03"), d("2017-06-04")), 0);
    assert_eq!(weekdays(d("2017-06-05"), d("2017-06-05")), 1);
    assert_eq!(weekdays(d("2017-06-05"), d("2017-06-04")), 0);
    // Against a day-by-day count over two years.
    let mut n = 0;
    let mut x = d("2016-01-01");
    while x <= d("2017-12-31") {
        if chrono::Datelike::weekday(&x).num_days_from_monday() < 5 {
            n += 1;
        }
        x = x.succ_opt().unwrap();
    }
    assert_eq!(weekdays(d("2016-01-01"), d("2017-12-31")), n);
}

#[test]
fn a_student_of_a_stage_the_school_does_not_teach_is_still_counted() {
    // A roster that does not check stages (MemoryRoster would refuse it).
    #[derive(Debug)]
    struct Loose(MemoryRoster, Vec<Student>);
    impl Roster for Loose {
        fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
            let _ = visit(&self.1);
            Ok(())
        }
        fn school(&self, id: &SchoolId) -> Result<Option<std::borrow::Cow<'_, School>>, RosterError> {
            self.0.school(id)
        }
        fn household(&self, id: &HouseholdId) -> Result<Option<std::borrow::Cow<'_, Household>>, RosterError> {
            self.0.household(id)
        }
    }
    let senior_at_primary = crate::util::student("Q1", "A1", Stage::Senior, 1, false, Some("OR"));
    let pupil = crate::util::student("Q2", "A1", Stage::Primary, 1, true, Some("RP"));
    let r = Loose(small_county(), vec![senior_at_primary, pupil]);
    let engine = Engine::hunan_county_2016().unwrap();
    let t = engine.totals(&r, &[term("2017-spring")]).unwrap();
    let sg = t.program("senior-grant").unwrap();
    assert_eq!(sg.total.amount, y(1500));
    assert_eq!(sg.by_school[&SchoolId::new("A1").unwrap()].amount, y(1500));
    assert_eq!(sg.by_school[&SchoolId::new("A1").unwrap()].persons, 1);
    assert_eq!(
        t.program("living-subsidy").unwrap().by_school[&SchoolId::new("A1").unwrap()].amount,
        y(500)
    );
}

#[test]
fn a_student_transferred_in_after_the_reference_date_is_owed_nothing_that_term() {
    let mut roster = rural_school_in_the_plan();
    let mut s = crate::util::student("T1", "A9", Stage::Primary, 2, false, None);
    s.status = EnrolmentStatus::TransferredIn;
    s.status_since = crate::util::d("2017-04-01");
    roster.add_student(s).unwrap();
    let engine = Engine::hunan_county_2016().unwrap();
    let spring = engine.totals(&roster, &[term("2017-spring")]).unwrap();
    assert_eq!(spring.evaluated, 1);
    assert_eq!(spring.owed(), Money::ZERO);
    let autumn = engine.totals(&roster, &[term("2017-autumn")]).unwrap();
    assert!(autumn.owed() > Money::ZERO, "at school from autumn 2017");
    let why = engine
        .why_not(
            &roster,
            &StudentId::new("T1").unwrap(),
            "free-textbooks",
            term("2017-spring"),
        )
        .unwrap();
    assert_eq!(
        why.as_deref(),
        Some("joined the school on 2017-04-01 (transferred_in), after the term's reference date 2017-03-01")
    );
}

/// Every row names its rule, tier and citation, and the totals break down
/// by tier (issue 13 item 3): the county's senior grant has 一档 (3000 a
/// year) and 二档 (2000 a year).
#[test]
fn rows_name_their_basis_and_totals_break_down_by_tier() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let spring = term("2017-spring");
    let (t, b) = engine.totals_by_basis(&roster, &[spring]).unwrap();
    let sg = b.program("senior-grant").unwrap();
    assert_eq!(sg.by_tier["一档"].amount, y(1500));
    assert_eq!(sg.by_tier["一档"].persons, 1);
    assert_eq!(sg.by_tier["二档"].amount, y(1000));
    assert_eq!(sg.by_tier["二档"].persons, 1);
    assert_eq!(
        sg.by_rule["county-tiers"].amount,
        t.program("senior-grant").unwrap().total.amount
    );
    // By rule, every program's amounts add up to its total.
    for p in &t.programs {
        let sum: Money = b
            .program(p.id.as_str())
            .map(|x| x.by_rule.values().map(|v| v.amount).sum())
            .unwrap_or(Money::ZERO);
        assert_eq!(sum, p.total.amount, "{}", p.id);
    }
    // Rows carry the basis on both paths (traced and not).
    for traces in [false, true] {
        let mut n = 0;
        let mut sink = |row: &Row<'_>| {
            let basis = row.basis.expect("a policy program states its basis");
            assert!(!basis.rule.is_empty());
            assert!(!basis.cite.title.is_empty(), "{}", basis.rule);
            if row.program.id.as_str() == "senior-grant" {
                assert!(matches!(basis.tier, Some("一档" | "二档")), "{basis:?}");
            }
            n += 1;
        };
        engine
            .run(
                &roster,
                &[spring],
                RunOptions::default().with_traces(traces),
                Some(&mut sink),
            )
            .unwrap();
        assert!(n > 10, "{n}");
    }
}

/// A fee waiver at a school with no tuition on record is missing data
/// (issue 13 item 5): the schools are named and the students counted in
/// the totals' warnings and listed to the sink, never counted as entitled
/// to 0.00; on the packed path too.
#[test]
fn a_waiver_without_tuition_on_record_is_a_warning_not_a_zero() {
    let mut roster = MemoryRoster::new();
    let mut with = crate::util::school("A1", SchoolKind::Primary, Locality::Rural, None);
    with.annual_tuition = Some(y(100));
    roster.add_school(with).unwrap();
    // Private schools charge fees: with none on record, missing data. (A
    // public compulsory school charges none by law: waived at 0.00.)
    for (id, kind) in [("B1", SchoolKind::Primary), ("B2", SchoolKind::Junior)] {
        let mut s = crate::util::school(id, kind, Locality::Rural, None);
        s.ownership = Ownership::Private;
        roster.add_school(s).unwrap();
    }
    let mut public = crate::util::school("C1", SchoolKind::Primary, Locality::Rural, None);
    public.annual_tuition = None;
    roster.add_school(public).unwrap();
    for (i, sc, st) in [
        (1, "A1", Stage::Primary),
        (2, "B1", Stage::Primary),
        (3, "B1", Stage::Primary),
        (4, "B2", Stage::Junior),
        (5, "C1", Stage::Primary),
    ] {
        roster
            .add_student(crate::util::student(&format!("S{i}"), sc, st, 2, false, None))
            .unwrap();
    }
    let engine = Engine::new(Policy::national().unwrap());
    let terms = [term("2021-autumn"), term("2022-spring")];
    let mut listed = Vec::new();
    struct Listing<'a>(&'a mut Vec<(String, String)>);
    impl Sink for Listing<'_> {
        fn entitlement(&mut self, _: &Row<'_>) -> Result<Visit, Error> {
            Ok(Visit::Continue(()))
        }
        fn missing(&mut self, row: &MissingRow<'_>) -> Result<Visit, Error> {
            self.0.push((row.student.id.to_string(), row.program.id.to_string()));
            Ok(Visit::Continue(()))
        }
    }
    let t = engine
        .run(&roster, &terms, RunOptions::default(), Some(&mut Listing(&mut listed)))
        .unwrap();
    let fw = t.program("fee-waiver").unwrap();
    // S1 (school A1, 100 a year) is counted: 50 a term, two terms; S5
    // (public school C1, no fees by law) at 0.00.
    assert_eq!(fw.total.persons, 2);
    assert_eq!(fw.total.amount, y(100));
    assert_eq!(t.missing_data.len(), 1, "{:?}", t.missing_data);
    let m = &t.missing_data[0];
    assert_eq!(m.program.as_str(), "fee-waiver");
    assert_eq!(m.persons, 3);
    assert_eq!(m.person_terms, 6);
    let ids: Vec<&str> = m.schools.iter().map(SchoolId::as_str).collect();
    assert_eq!(ids, ["B1", "B2"]);
    let w = t.warnings();
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("2所学校无学费标准记录（B1、B2）"), "{}", w[0]);
    assert!(w[0].contains("涉及学生3人（6人次）"), "{}", w[0]);
    assert!(
        t.warnings_en()[0].contains("no tuition on record"),
        "{}",
        t.warnings_en()[0]
    );
    listed.sort();
    listed.dedup();
    assert_eq!(listed.len(), 3, "{listed:?}");
    // The traced path and a packed roster agree.
    let slow = engine.run(&roster, &terms, RunOptions::traced(), None).unwrap();
    assert_eq!(slow, t);
    let packed = PackedRoster::new(&roster).unwrap();
    assert_eq!(engine.totals_packed(&packed, &terms).unwrap(), t);
}

#[test]
fn a_traced_batch_gives_each_student_its_own_trace() {
    // The batch writes each student's steps over the previous student's
    // buffers; every trace it hands out must equal the student's own.
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let terms = [term("2016-autumn"), term("2017-spring")];
    let mut rows = Vec::new();
    let mut sink = |r: &Row<'_>| rows.push((r.student.clone(), r.program.id.clone(), r.term, r.trace.cloned()));
    engine
        .run(&roster, &terms, RunOptions::traced(), Some(&mut sink))
        .unwrap();
    assert!(!rows.is_empty());
    for (s, p, t, trace) in rows {
        let own = engine.entitlements(&roster, &s, &[t]).unwrap();
        let want = own.into_iter().find(|x| x.program == p).and_then(|x| x.trace);
        assert!(trace.is_some(), "{} {p}", s.id);
        assert_eq!(trace, want, "{} {p} {t}", s.id);
        let (a, b) = (trace.unwrap(), want.unwrap());
        assert_eq!(a.to_string(), b.to_string());
    }
}

#[test]
fn a_sink_can_stop_or_fail_the_run_on_every_path() {
    let roster = small_county();
    let engine = Engine::hunan_county_2016().unwrap();
    let terms = [term("2017-spring")];
    struct StopAfter(usize, usize);
    impl Sink for StopAfter {
        fn entitlement(&mut self, _: &Row<'_>) -> Result<Visit, Error> {
            self.1 += 1;
            Ok(if self.1 >= self.0 {
                Visit::Break(())
            } else {
                Visit::Continue(())
            })
        }
    }
    #[derive(Debug)]
    struct DiskFull;
    impl std::fmt::Display for DiskFull {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("disk full")
        }
    }
    impl std::error::Error for DiskFull {}
    struct Failing(usize);
    impl Sink for Failing {
        fn entitlement(&mut self, _: &Row<'_>) -> Result<Visit, Error> {
            self.0 += 1;
            Err(Error::Sink(Box::new(DiskFull)))
        }
    }
    let all = engine.totals(&roster, &terms).unwrap();
    assert!(all.programs.iter().map(|p| p.total.person_terms).sum::<u64>() > 3);
    for options in [RunOptions::default(), RunOptions::traced()] {
        let mut stop = StopAfter(3, 0);
        let r = engine.run(&roster, &terms, options, Some(&mut stop));
        assert!(matches!(r, Err(Error::Stopped)), "{options:?}: {r:?}");
        assert_eq!(stop.1, 3, "{options:?}: nothing is given after the sink stops");
        let mut fail = Failing(0);
        let e = engine.run(&roster, &terms, options, Some(&mut fail)).unwrap_err();
        assert_eq!(e.to_string(), "the sink failed: disk full");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(fail.0, 1, "{options:?}: nothing is given after the sink fails");
    }
    // A sink that never stops sees every entitlement, on both paths.
    for options in [RunOptions::default(), RunOptions::traced()] {
        let mut n = 0u64;
        let t = engine
            .run(&roster, &terms, options, Some(&mut |_: &Row<'_>| n += 1))
            .unwrap();
        assert_eq!(t, all);
        assert_eq!(n, all.programs.iter().map(|p| p.total.person_terms).sum::<u64>());
    }
}

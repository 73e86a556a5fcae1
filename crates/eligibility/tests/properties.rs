//! Properties (proptest) over random rosters and terms, under the built-in
//! national ← Hunan ← county policy.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use eduaid_eligibility::schema::{ConditionsDef, Effect, PolicyFile};
use eduaid_eligibility::*;
use eduaid_model::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
struct Spec {
    stage: usize,
    grade: u8,
    kind: usize,
    boarder: bool,
    disabled: bool,
    agri: bool,
    urban_hukou: bool,
    urban_school: bool,
    plan: Option<u16>,
    tuition: Option<u16>,
    left: Option<u16>,
    statuses: Vec<(usize, u16, Option<u16>)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            0usize..7,
            1u8..7,
            0usize..3,
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u16..7000),
            proptest::option::of(0u16..4000),
        ),
        proptest::option::of(0u16..7500),
        proptest::collection::vec((0usize..7, 0u16..7000, proptest::option::of(1u16..3000)), 0..3),
    )
        .prop_map(
            |((stage, grade, kind, boarder, disabled, agri), (uh, us, plan, tuition), left, statuses)| Spec {
                stage,
                grade,
                kind,
                boarder,
                disabled,
                agri,
                urban_hukou: uh,
                urban_school: us,
                plan,
                tuition,
                left,
                statuses,
            },
        )
}

fn day(offset: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2006, 1, 1).unwrap() + chrono::Days::new(u64::from(offset))
}

fn roster(specs: &[Spec]) -> MemoryRoster {
    shared_roster(specs, specs.len())
}

/// Students in `schools` schools (student `i` in school `i % schools`, a
/// school made from the first spec that names it).
fn shared_roster(specs: &[Spec], schools: usize) -> MemoryRoster {
    let mut r = MemoryRoster::new().with_batch_size(4);
    for (i, s) in specs.iter().enumerate() {
        // A student shares the stage of the school's first student.
        let stage = Stage::ALL[specs[i % schools].stage];
        let kinds: &[SchoolKind] = match stage {
            Stage::Preschool => &[SchoolKind::KindergartenInclusive, SchoolKind::KindergartenNonInclusive],
            Stage::Primary => &[SchoolKind::Primary, SchoolKind::TeachingPoint, SchoolKind::NineYear],
            Stage::Junior => &[SchoolKind::Junior, SchoolKind::NineYear],
            Stage::Senior => &[SchoolKind::Senior],
            Stage::Vocational => &[SchoolKind::Vocational],
            _ => &[SchoolKind::Tertiary],
        };
        let kind = kinds[s.kind % kinds.len()];
        let mut school = School::new(
            SchoolId::new(format!("K{i}")).unwrap(),
            format!("学校{i}"),
            kind,
            Ownership::Public,
            format!("镇{}", i % 3),
            if s.urban_school {
                Locality::Urban
            } else {
                Locality::Rural
            },
        );
        school.nutrition_plan_from = s.plan.map(day);
        school.annual_tuition = s.tuition.map(|t| Money::yuan(i64::from(t)));
        if i < schools {
            r.add_school(school).unwrap();
        }
        let mut h = Household::new(HouseholdId::new(format!("H{i}")).unwrap());
        for (k, from, dur) in &s.statuses {
            let from = day(*from);
            let until = dur.map(|d| from + chrono::Days::new(u64::from(d)));
            // Overlapping spells of one kind are refused by the model: skip.
            let _ = h.add_status(StatusKind::ALL[*k], from, until);
        }
        r.add_household(h).unwrap();
        let (status, since) = match s.left {
            Some(l) => (EnrolmentStatus::DroppedOut, day(l)),
            None => (EnrolmentStatus::Enrolled, NaiveDate::from_ymd_opt(2001, 9, 1).unwrap()),
        };
        r.add_student(Student {
            id: StudentId::new(format!("X{i}")).unwrap(),
            name: format!("学生{i}"),
            sex: Sex::Female,
            birth_date: NaiveDate::from_ymd_opt(1995, 1, 1).unwrap(),
            school_id: SchoolId::new(format!("K{}", i % schools)).unwrap(),
            stage,
            grade: 1 + (s.grade - 1) % stage.max_grade(),
            boarder: s.boarder,
            disability: s.disabled.then_some(DisabilityKind::Visual),
            migrant: false,
            left_behind: false,
            hukou: if s.urban_hukou { Hukou::Urban } else { Hukou::Rural },
            agricultural_major: s.agri && matches!(stage, Stage::Vocational | Stage::Tertiary),
            household_id: Some(HouseholdId::new(format!("H{i}")).unwrap()),
            status,
            status_since: since,
            helper: None,
        })
        .unwrap();
    }
    r
}

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::hunan_county_2016().unwrap())
}

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(policy().clone()))
}

fn by_program(t: &Totals) -> BTreeMap<String, (Money, u64)> {
    t.programs
        .iter()
        .map(|p| (p.id.to_string(), (p.total.amount, p.total.person_terms)))
        .collect()
}

fn grand(t: &Totals) -> Money {
    t.programs.iter().map(|p| p.total.amount).sum()
}

/// Add `extra` to every granting rule of `program`, in the flat file.
fn narrowed(program: &str, extra: &ConditionsDef) -> Policy {
    let text = policy().to_toml().unwrap();
    let mut file: PolicyFile = toml::from_str(&text).unwrap();
    for (k, p) in &mut file.programs {
        if k.get_ref() != program {
            continue;
        }
        for r in &mut p.rules {
            if r.effect == Effect::Grant {
                let mut w = extra.clone();
                w.any = Some(vec![r.when.clone()]);
                r.when = w;
            }
        }
    }
    Policy::from_str_single("narrowed.toml", &toml::to_string(&file).unwrap()).unwrap()
}

fn extra_condition(i: usize) -> ConditionsDef {
    let mut c = ConditionsDef::default();
    match i % 6 {
        0 => c.boarder = Some(true),
        1 => c.locality = Some(Locality::Urban),
        2 => c.grades = Some(vec![1, 2]),
        3 => c.hukou = Some(Hukou::Rural),
        4 => c.status_any = Some(vec![StatusKind::RegisteredPoor]),
        _ => c.disabled = Some(false),
    }
    c
}

proptest! {
    // Grouping is where a wrong key would hide: more cases, a few schools.
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn grouping_students_changes_no_total(
        specs in proptest::collection::vec(spec(), 1..40),
        schools in 1usize..4,
        year in 2007i32..2026,
    ) {
        // Without traces the engine evaluates each group of students who
        // agree on everything the programs read once; with traces it
        // evaluates every student. The totals must be identical, and the
        // entitlements streamed to a sink the same.
        let r = shared_roster(&specs, schools.min(specs.len()));
        let y = SchoolYear::new(year).unwrap();
        let mut fast_rows = Vec::new();
        let mut sink = |row: &Row<'_>| fast_rows.push((row.student.id.clone(), row.program.id.clone(), row.term, row.amount));
        let fast = engine().run(&r, &y.terms(), RunOptions::default(), Some(&mut sink)).unwrap();
        let mut slow_rows = Vec::new();
        let mut sink = |row: &Row<'_>| slow_rows.push((row.student.id.clone(), row.program.id.clone(), row.term, row.amount));
        let slow = engine().run(&r, &y.terms(), RunOptions::traced(), Some(&mut sink)).unwrap();
        prop_assert_eq!(fast, slow);
        prop_assert_eq!(fast_rows, slow_rows);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn amounts_are_never_negative_and_sum_to_the_totals(
        specs in proptest::collection::vec(spec(), 1..25),
        year in 2007i32..2026,
    ) {
        let r = roster(&specs);
        let y = SchoolYear::new(year).unwrap();
        let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut sink = |row: &Row<'_>| {
            assert!(!row.amount.is_negative() || row.amount.is_zero(), "{} {}", row.program.id, row.amount);
            *sums.entry(row.program.id.to_string()).or_default() += row.amount.as_decimal();
        };
        let t = engine().run(&r, &y.terms(), RunOptions::default(), Some(&mut sink)).unwrap();
        prop_assert_eq!(t.students, specs.len() as u64);
        for p in &t.programs {
            let s = sums.get(p.id.as_str()).copied().unwrap_or_default();
            prop_assert_eq!(Money::from_decimal_exact(s), p.total.amount);
            let by_stage: Money = p.by_stage.values().map(|x| x.amount).sum();
            let by_school: Money = p.by_school.values().map(|x| x.amount).sum();
            let by_township: Money = p.by_township.values().map(|x| x.amount).sum();
            prop_assert_eq!(by_stage, p.total.amount);
            prop_assert_eq!(by_school, p.total.amount);
            prop_assert_eq!(by_township, p.total.amount);
            prop_assert!(p.total.persons <= p.total.person_terms);
        }
    }

    #[test]
    fn a_school_year_is_its_autumn_plus_its_spring(
        specs in proptest::collection::vec(spec(), 1..25),
        year in 2007i32..2026,
    ) {
        let r = roster(&specs);
        let y = SchoolYear::new(year).unwrap();
        let both = by_program(&engine().totals(&r, &y.terms()).unwrap());
        let a = by_program(&engine().totals(&r, &[y.autumn()]).unwrap());
        let s = by_program(&engine().totals(&r, &[y.spring()]).unwrap());
        for (k, (m, n)) in &both {
            prop_assert_eq!(*m, a[k].0 + s[k].0, "{}", k);
            prop_assert_eq!(*n, a[k].1 + s[k].1, "{}", k);
        }
    }

    #[test]
    fn narrowing_a_condition_never_raises_a_total(
        specs in proptest::collection::vec(spec(), 1..20),
        year in 2007i32..2026,
        program in 0usize..14,
        extra in 0usize..6,
    ) {
        let r = roster(&specs);
        let terms = SchoolYear::new(year).unwrap().terms();
        let id = policy().programs().keys().nth(program).unwrap().clone();
        let narrow = Engine::new(narrowed(&id, &extra_condition(extra)));
        let before = engine().totals(&r, &terms).unwrap();
        let after = narrow.totals(&r, &terms).unwrap();
        prop_assert!(grand(&after) <= grand(&before));
        prop_assert!(after.program(&id).unwrap().total.amount <= before.program(&id).unwrap().total.amount);
        prop_assert!(after.program(&id).unwrap().total.person_terms <= before.program(&id).unwrap().total.person_terms);
    }

    #[test]
    fn an_overlay_that_changes_nothing_changes_no_amount(
        specs in proptest::collection::vec(spec(), 1..25),
        year in 2007i32..2026,
    ) {
        let r = roster(&specs);
        let terms = SchoolYear::new(year).unwrap().terms();
        let noop = Policy::builtin_with(
            "noop.toml",
            "[policy]\nid = \"noop\"\ntitle = \"nothing\"\nbase = \"hunan-county-2016\"\n\
             [parameters.\"senior-grant.average\"]\nvalues = [{ from = \"2015-spring\", until = \"2025-spring\", value = 2000, cite = { doc = \"state-council-2015\" } }]\n",
        ).unwrap();
        let a = engine().totals(&r, &terms).unwrap();
        let b = Engine::new(noop).totals(&r, &terms).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn every_trace_names_each_parameter_it_used_with_its_citation(
        specs in proptest::collection::vec(spec(), 1..12),
        year in 2007i32..2026,
    ) {
        let r = roster(&specs);
        let y = SchoolYear::new(year).unwrap();
        let p = policy();
        for s in r.students() {
            for t in y.terms() {
                let ex = engine().explain(&r, &s.id, t).unwrap();
                for e in &ex.entitled {
                    let trace = e.trace.as_ref().unwrap();
                    let named: Vec<&str> = trace.parameters().map(|x| x.0).collect();
                    for (_, cite) in trace.parameters() {
                        prop_assert!(p.documents().contains_key(&cite.doc), "{}", cite.doc);
                        prop_assert!(!cite.title.is_empty());
                    }
                    let rule_id = trace.steps.iter().find_map(|st| match st {
                        Step::Rule { rule, .. } => Some(rule.clone()),
                        _ => None,
                    }).unwrap();
                    let rule = p.programs()[e.program.as_str()].rules.iter().find(|x| x.id == rule_id).unwrap();
                    let a = rule.amount.as_ref().unwrap();
                    for used in [&a.per_term, &a.per_year, &a.per_day, &a.once_a_year, &a.tuition_share, &a.share].into_iter().flatten() {
                        prop_assert!(named.contains(&used.get_ref().as_str()), "{} lacks {}", e.program, used.get_ref());
                    }
                    if let Some(tiers) = &a.tiers {
                        let hit = tiers.iter().any(|tier| {
                            [&tier.per_year, &tier.per_term].into_iter().flatten().any(|x| named.contains(&x.get_ref().as_str()))
                        });
                        prop_assert!(hit, "no tier parameter named in {}", e.program);
                    }
                    if a.per_day.is_some() {
                        prop_assert!(named.contains(&"calendar"));
                    }
                }
            }
        }
    }

    #[test]
    fn serializing_a_policy_and_reading_it_back_gives_the_same_results(
        specs in proptest::collection::vec(spec(), 1..25),
        year in 2007i32..2026,
    ) {
        let r = roster(&specs);
        let terms = SchoolYear::new(year).unwrap().terms();
        static BACK: OnceLock<Engine> = OnceLock::new();
        let back = BACK.get_or_init(|| {
            Engine::new(Policy::from_str_single("flat.toml", &policy().to_toml().unwrap()).unwrap())
        });
        prop_assert_eq!(engine().totals(&r, &terms).unwrap(), back.totals(&r, &terms).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any text — garbage, or a built-in file with a line cut out — is read
    /// or refused with an error, never a panic.
    #[test]
    fn no_policy_text_panics(garbage in ".{0,200}", cut in 0usize..400) {
        let _ = Policy::builtin_with("g.toml", &garbage);
        let county = HUNAN_COUNTY_2016_TOML.replace("id = \"hunan-county-2016\"", "id = \"cut\"");
        prop_assert!(Policy::builtin_with("whole.toml", &county).is_ok());
        let lines: Vec<&str> = county.lines().collect();
        let i = cut % lines.len();
        let text: String = lines.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
        let _ = Policy::builtin_with("cut.toml", &text);
        let nat: Vec<&str> = NATIONAL_TOML.lines().collect();
        let k = cut % nat.len();
        let text: String = nat.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
        let _ = Policy::from_str_single("cut-national.toml", &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn batch_traces_equal_each_students_own(
        specs in proptest::collection::vec(spec(), 1..25),
        year in 2007i32..2026,
    ) {
        // A traced batch run writes each student's steps over the last
        // student's buffers: what it hands the sink must be exactly the
        // trace of the student evaluated alone.
        let r = roster(&specs);
        let y = SchoolYear::new(year).unwrap();
        let e = engine();
        let mut rows = Vec::new();
        let mut sink = |row: &Row<'_>| {
            rows.push((row.student.clone(), row.program.id.clone(), row.term, row.trace.cloned()));
        };
        e.run(&r, &y.terms(), RunOptions::traced(), Some(&mut sink)).unwrap();
        for (s, p, term, trace) in rows {
            let own = e.entitlements(&r, &s, &[term]).unwrap();
            let want = own.into_iter().find(|x| x.program == p).and_then(|x| x.trace);
            prop_assert!(trace.is_some());
            prop_assert_eq!(trace, want);
        }
    }
}

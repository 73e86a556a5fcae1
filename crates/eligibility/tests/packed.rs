//! The packed path (issue 12) against the reference path: on random
//! rosters, for every built-in catalogue and the anchors overlay, in terms
//! from 2007 to today, the totals and every entitlement streamed without
//! traces (the packed path) equal those computed student by student with
//! traces (the reference path), to the exact decimal; and the packed
//! roster's totals equal both.

use std::sync::OnceLock;

use eduaid_eligibility::*;
use eduaid_model::*;
use proptest::prelude::*;

/// The catalogues: every built-in layer composed, and the anchors overlay.
fn engines() -> &'static [(String, Engine)] {
    static E: OnceLock<Vec<(String, Engine)>> = OnceLock::new();
    E.get_or_init(|| {
        let set = PolicySet::builtin().unwrap();
        let mut out: Vec<(String, Engine)> = set
            .ids()
            .map(|id| (id.to_string(), Engine::new(set.compose(id).unwrap())))
            .collect();
        let anchors = Policy::builtin_with("anchors-2021.toml", include_str!("data/anchors-2021.toml")).unwrap();
        out.push(("anchors-2021".into(), Engine::new(anchors)));
        let exits = Policy::builtin_with("exits.toml", EXITS).unwrap();
        out.push(("exits".into(), Engine::new(exits)));
        out
    })
}

/// An overlay with exit conditions in rules and tiers: with the national
/// rules' 2014-01-01, four thresholds in a term (three years back,
/// 2016-01-01, and the later of three years back and 2020-03-01) until
/// spring 2023, when the last two of them coincide.
const EXITS: &str = r#"
[policy]
id = "exits"
title = "exit conditions"
base = "national"

[documents.t]
title = "test"
issuer = "test"
certainty = "B"

[[programs.senior-grant.rules]]
id = "recent-exit-tiers"
label = "exited within 3 years, tiered by exit since 2016"
from = "2012-autumn"
when = { stages = ["senior"], exited_within_years = 3 }
amount = { tiers = [
  { name = "一档", when = { exited_since = 2016-01-01 }, per_year = "senior-grant.average" },
  { name = "二档", when = {}, per_year = "vocational-grant.annual" },
] }
cite = { doc = "t" }

[[programs.rain-and-dew.rules]]
id = "recent-exit"
label = "exited within 3 years and since 2020-spring"
from = "2015-autumn"
when = { stages = ["vocational", "tertiary"], exited_within_years = 3, exited_since = "2020-spring" }
amount = { per_term = "rain-and-dew.per-term" }
cite = { doc = "t" }
"#;

#[derive(Debug, Clone)]
struct Spec {
    stage: usize,
    grade: u8,
    kind: usize,
    flags: u8,
    hukou: bool,
    school: (bool, bool, Option<u16>, Option<u16>),
    status: (usize, u16),
    household: Option<usize>,
    spells: Vec<(usize, u16, Option<u16>)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (0usize..7, 1u8..13, 0usize..4, any::<u8>(), any::<bool>()),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(0u16..7700),
            proptest::option::of(prop_oneof![Just(0u16), 1u16..9000]),
        ),
        (0usize..7, 0u16..7700),
        proptest::option::of(0usize..6),
        proptest::collection::vec((0usize..7, 0u16..7700, proptest::option::of(1u16..3000)), 0..4),
    )
        .prop_map(
            |((stage, grade, kind, flags, hukou), school, status, household, spells)| Spec {
                stage,
                grade,
                kind,
                flags,
                hukou,
                school,
                status,
                household,
                spells,
            },
        )
}

fn day(offset: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2006, 1, 1).unwrap() + chrono::Days::new(u64::from(offset))
}

/// Students spread over `schools` schools (a school made from the first
/// student that names it, teaching that student's stage) and over a few
/// shared households; some students have none.
fn roster(specs: &[Spec], schools: usize) -> MemoryRoster {
    let mut r = MemoryRoster::new().with_batch_size(3);
    let mut households: Vec<Option<Household>> = vec![None; 6];
    for s in specs {
        if let Some(h) = s.household {
            let home = households[h].get_or_insert_with(|| Household::new(HouseholdId::new(format!("H{h}")).unwrap()));
            for (k, from, dur) in &s.spells {
                let from = day(*from);
                let until = dur.map(|d| from + chrono::Days::new(u64::from(d)));
                // Overlapping spells of one kind are refused by the model.
                let _ = home.add_status(StatusKind::ALL[*k], from, until);
            }
        }
    }
    for h in households.into_iter().flatten() {
        r.add_household(h).unwrap();
    }
    for (i, s) in specs.iter().enumerate() {
        let home = &specs[i % schools];
        let stage = Stage::ALL[home.stage];
        let kinds: Vec<SchoolKind> = SchoolKind::ALL.iter().copied().filter(|k| k.teaches(stage)).collect();
        if i < schools {
            let (urban, private, plan, tuition) = s.school;
            let mut school = School::new(
                SchoolId::new(format!("K{i}")).unwrap(),
                format!("学校{i}"),
                kinds[s.kind % kinds.len()],
                if private { Ownership::Private } else { Ownership::Public },
                format!("镇{}", i % 3),
                if urban { Locality::Urban } else { Locality::Rural },
            );
            school.nutrition_plan_from = plan.map(day);
            school.annual_tuition = tuition.map(|t| Money::from_fen(i64::from(t) * 50));
            r.add_school(school).unwrap();
        }
        let status = EnrolmentStatus::ALL[s.status.0];
        let birth = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        let since = day(s.status.1).max(birth + chrono::Days::new(1));
        r.add_student(Student {
            id: StudentId::new(format!("X{i}")).unwrap(),
            name: format!("学生{i}"),
            sex: Sex::Female,
            birth_date: birth,
            school_id: SchoolId::new(format!("K{}", i % schools)).unwrap(),
            stage,
            grade: 1 + (s.grade - 1) % stage.max_grade(),
            boarder: s.flags & 1 != 0,
            disability: (s.flags & 2 != 0).then_some(DisabilityKind::Visual),
            migrant: s.flags & 4 != 0,
            left_behind: s.flags & 8 != 0,
            hukou: if s.hukou { Hukou::Urban } else { Hukou::Rural },
            agricultural_major: s.flags & 16 != 0 && matches!(stage, Stage::Vocational | Stage::Tertiary),
            household_id: s.household.map(|h| HouseholdId::new(format!("H{h}")).unwrap()),
            status,
            status_since: since,
            helper: None,
        })
        .unwrap();
    }
    r
}

type RowKey = (StudentId, ProgramId, Term, [u8; 16], Option<(String, Option<String>)>);

fn rows(engine: &Engine, r: &MemoryRoster, terms: &[Term], traces: bool) -> (Totals, Vec<RowKey>) {
    let mut rows = Vec::new();
    let mut sink = |row: &Row<'_>| {
        // The decimal's exact form, scale included: the packed path gives
        // back the very value the reference path computes (a `Money`,
        // normalized on both paths).
        rows.push((
            row.student.id.clone(),
            row.program.id.clone(),
            row.term,
            row.amount.as_decimal().serialize(),
            row.basis.map(|b| (b.rule.to_string(), b.tier.map(str::to_string))),
        ));
    };
    let t = engine
        .run(r, terms, RunOptions::default().with_traces(traces), Some(&mut sink))
        .unwrap();
    (t, rows)
}

/// Amount, student-terms and students by program and school.
type BySchool = std::collections::BTreeMap<(ProgramId, SchoolId), (Money, u64, u64)>;

/// The totals by school, added up from the entitlements one by one.
fn by_school_of_rows(engine: &Engine, r: &MemoryRoster, terms: &[Term]) -> BySchool {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = BySchool::new();
    let mut sink = |row: &Row<'_>| {
        let e = out
            .entry((row.program.id.clone(), row.school.id.clone()))
            .or_insert((Money::ZERO, 0, 0));
        e.0 += row.amount;
        e.1 += 1;
        if seen.insert((row.program.id.clone(), row.student.id.clone())) {
            e.2 += 1;
        }
    };
    engine.run(r, terms, RunOptions::default(), Some(&mut sink)).unwrap();
    out
}

/// The totals by school as the run reports them.
fn by_school_of_totals(t: &Totals) -> BySchool {
    t.programs
        .iter()
        .flat_map(|p| {
            p.by_school
                .iter()
                .map(|(s, x)| ((p.id.clone(), s.clone()), (x.amount, x.person_terms, x.persons)))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_packed_path_equals_the_reference_path(
        specs in proptest::collection::vec(spec(), 1..30),
        schools in 1usize..5,
        year in 2007i32..=2026,
        which in 0usize..3,
    ) {
        let r = roster(&specs, schools.min(specs.len()));
        let y = SchoolYear::new(year).unwrap();
        let terms: Vec<Term> = match which {
            0 => y.terms().to_vec(),
            1 => vec![y.spring()],
            _ => vec![y.autumn(), y.spring(), y.next().unwrap_or(y).autumn()],
        };
        let packed = PackedRoster::new(&r).unwrap();
        for (id, engine) in engines() {
            let (fast, fast_rows) = rows(engine, &r, &terms, false);
            let (slow, slow_rows) = rows(engine, &r, &terms, true);
            prop_assert_eq!(&fast, &slow, "{}: totals", id);
            prop_assert_eq!(by_school_of_rows(engine, &r, &terms), by_school_of_totals(&slow), "{}: by school", id);
            prop_assert_eq!(&fast_rows, &slow_rows, "{}: entitlements", id);
            let table = engine.totals_packed(&packed, &terms).unwrap();
            prop_assert_eq!(&table, &slow, "{}: packed roster", id);
        }
    }
}

/// The packed roster's totals in the spring or autumn term of `year`
/// equal the reference path's, for every catalogue.
fn packed_totals_are_the_reference(r: &MemoryRoster, year: i32, autumn: bool) -> Result<(), TestCaseError> {
    let y = SchoolYear::new(year).unwrap();
    let terms = [if autumn { y.autumn() } else { y.spring() }];
    let packed = PackedRoster::new(r).unwrap();
    for (id, engine) in engines() {
        let (slow, _) = rows(engine, r, &terms, true);
        let table = engine.totals_packed(&packed, &terms).unwrap();
        prop_assert_eq!(&table, &slow, "{}: packed roster", id);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Many students alike at each school, in one term: the packed roster
    /// counts them by what they are owed and adds each kind once per
    /// school, which must give what the reference path adds one by one.
    #[test]
    fn students_alike_counted_together_give_the_reference_totals(
        specs in proptest::collection::vec(spec(), 1..6),
        copies in 2usize..12,
        schools in 1usize..4,
        year in 2007i32..=2026,
        autumn in proptest::bool::ANY,
    ) {
        let many: Vec<Spec> = specs.iter().cycle().take(specs.len() * copies).cloned().collect();
        let r = roster(&many, schools.min(many.len()));
        packed_totals_are_the_reference(&r, year, autumn)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Students alike at many schools, nearly every school with one
    /// student (the last `shared` students join the first schools), in
    /// one term: a school with one student of a kept key takes the key's
    /// tallies made once, which must give what the reference path adds.
    #[test]
    fn one_student_per_school_gives_the_reference_totals(
        specs in proptest::collection::vec(spec(), 1..6),
        copies in 2usize..10,
        shared in 0usize..3,
        year in 2007i32..=2026,
        autumn in proptest::bool::ANY,
    ) {
        let many: Vec<Spec> = specs.iter().cycle().take(specs.len() * copies).cloned().collect();
        let r = roster(&many, many.len().saturating_sub(shared).max(1));
        packed_totals_are_the_reference(&r, year, autumn)?;
    }
}

/// A program written in Rust: the engine takes the reference path, and a
/// packed roster is refused with a reason.
#[derive(Debug)]
struct Flat(ProgramInfo);

struct FlatTerm;

impl TermProgram for FlatTerm {
    fn evaluate(&self, _: &Facts<'_>, _: Option<&mut Trace>) -> Option<Money> {
        Some(Money::yuan(1))
    }
}

impl Program for Flat {
    fn info(&self) -> &ProgramInfo {
        &self.0
    }
    fn prepare<'a>(&'a self, _: &TermContext) -> Result<Box<dyn TermProgram + 'a>, eduaid_eligibility::Error> {
        Ok(Box::new(FlatTerm))
    }
}

#[test]
fn an_engine_with_a_rust_program_runs_on_the_roster_not_the_packed_table() {
    let mut engine = Engine::new(Policy::national().unwrap());
    engine
        .add_program(Flat(ProgramInfo {
            id: ProgramId::new("flat").unwrap(),
            name: "一元".into(),
            english: None,
            benefit: Benefit::Cash,
            cite: None,
        }))
        .unwrap();
    let specs: Vec<Spec> = (0..5)
        .map(|i| Spec {
            stage: 1,
            grade: 1,
            kind: 0,
            flags: 0,
            hukou: false,
            school: (false, false, None, None),
            status: (0, 0),
            household: Some(i),
            spells: vec![(0, 0, None)],
        })
        .collect();
    let r = roster(&specs, 1);
    let spring: Term = "2017-spring".parse().unwrap();
    let t = engine.totals(&r, &[spring]).unwrap();
    assert_eq!(t.program("flat").map(|p| p.total.amount), Some(Money::yuan(5)));
    let packed = PackedRoster::new(&r).unwrap();
    assert!(matches!(
        engine.totals_packed(&packed, &[spring]),
        Err(Error::NotPackable)
    ));
}

#[test]
fn a_packed_roster_reports_the_students_it_could_not_link() {
    // A roster whose default visit finds no school for a student.
    #[derive(Debug)]
    struct Broken(MemoryRoster);
    impl Roster for Broken {
        fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
            self.0.visit_students(visit)
        }
        fn school(&self, id: &SchoolId) -> Result<Option<std::borrow::Cow<'_, School>>, RosterError> {
            if id.as_str() == "K1" {
                Ok(None)
            } else {
                self.0.school(id)
            }
        }
        fn household(&self, id: &HouseholdId) -> Result<Option<std::borrow::Cow<'_, Household>>, RosterError> {
            self.0.household(id)
        }
    }
    let specs: Vec<Spec> = (0..4)
        .map(|i| Spec {
            stage: 1,
            grade: 1,
            kind: 0,
            flags: 0,
            hukou: false,
            school: (false, false, None, None),
            status: (0, 0),
            household: Some(i),
            spells: vec![(0, 0, None)],
        })
        .collect();
    let r = Broken(roster(&specs, 2));
    let engine = Engine::new(Policy::national().unwrap());
    let spring: Term = "2017-spring".parse().unwrap();
    let packed = PackedRoster::new(&r).unwrap();
    let a = engine.totals_packed(&packed, &[spring]).unwrap();
    let b = engine.run(&r, &[spring], RunOptions::traced(), None).unwrap();
    assert_eq!(a.skipped.len(), 2);
    assert_eq!(a, b);
}

/// A term whose conditions use more exit thresholds than the packed word
/// has bits for: the engine takes the reference path (same totals as with
/// traces), and a packed roster is refused with a reason, not run wrong.
#[test]
fn too_many_exit_thresholds_take_the_reference_path() {
    let mut text = String::from(
        "[policy]\nid = \"many\"\ntitle = \"many\"\nbase = \"national\"\n[documents.t]\ntitle = \"t\"\nissuer = \"t\"\ncertainty = \"B\"\n",
    );
    for (i, y) in (2014..2021).enumerate() {
        text.push_str(&format!(
            "[[programs.senior-grant.rules]]\nid = \"exit-{i}\"\nlabel = \"x\"\nfrom = \"2012-autumn\"\nwhen = {{ stages = [\"senior\"], grades = [{g}], exited_since = {y}-06-01 }}\namount = {{ per_year = \"senior-grant.average\" }}\ncite = {{ doc = \"t\" }}\n",
            g = 1 + i % 3
        ));
    }
    let engine = Engine::new(Policy::builtin_with("many.toml", &text).unwrap());
    let specs: Vec<Spec> = (0u16..12)
        .map(|i| Spec {
            stage: 3,
            grade: 1 + u8::try_from(i % 3).unwrap(),
            kind: 0,
            flags: 0,
            hukou: false,
            school: (false, false, None, Some(2000)),
            status: (0, 0),
            household: Some(usize::from(i % 6)),
            spells: vec![(0, 3000 + 200 * i, Some(400 + 150 * i))],
        })
        .collect();
    let r = roster(&specs, 1);
    let terms = [Term::new(2021, Season::Autumn).unwrap()];
    let (fast, fast_rows) = rows(&engine, &r, &terms, false);
    let (slow, slow_rows) = rows(&engine, &r, &terms, true);
    assert_eq!(fast, slow);
    assert_eq!(fast_rows, slow_rows);
    assert!(fast.program("senior-grant").unwrap().total.persons > 0, "{fast:?}");
    let packed = PackedRoster::new(&r).unwrap();
    assert!(matches!(engine.totals_packed(&packed, &terms), Err(Error::NotPackable)));
}

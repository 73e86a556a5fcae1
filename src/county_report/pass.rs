//! The report's one pass over the roster (名册只读一遍).
//!
//! The engine runs once, over the autumn and spring terms of the report's
//! school year, through the county's roster [`Watched`] by [`Observed`]
//! (every method forwarded to the county's own) and, as each student goes by on its way to the
//! engine, counts what the report prints of the students themselves
//! ([`RosterFigures`]: students in school by stage, registered-poor
//! students and their helpers, the urban district's pupils and migrant
//! children, the nutrition plan's students) and moves the progress
//! callback. The engine's rows go to [`Pass`], a [`Sink`] that keeps the
//! spring term's totals (the same as a run over the spring term alone: a
//! test holds them equal), the senior grant's tiers, the totals by rule
//! and tier, the missing data by school and, given payments, what is owed
//! to reconcile them with. The schools are listed once, before the pass
//! ([`Roster::visit_schools`]).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Error, MissingAtSchool};
use crate::eligibility::{
    BasisTotals, Engine, MISSING_TUITION, MissingData, MissingRow, OwedMap, Payee, ProgramTotals, Reconciliation, Row,
    RunOptions, Scope, Sink, Tally, Totals, reconcile_owed,
};
use crate::model::{
    Decimal, Disbursement, Linked, Locality, Money, NaiveDate, ProgramId, Roster, RosterError, School, SchoolId, Stage,
    StudentId, Term, Watch, Watched,
};

/// How far the report's pass over the roster has got: students visited,
/// and how many there are if the caller said
/// ([`County::with_progress`](super::County::with_progress)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Students visited so far.
    pub done: u64,
    /// Students in all, if known.
    pub total: Option<u64>,
}

/// The progress callback is called after every this many students (and
/// once at the end).
const PROGRESS_EVERY: u64 = 1024;

/// What the report counts from the roster's schools and students during
/// its one pass: everything it prints of them that is not an entitlement.
#[derive(Debug, Clone)]
pub struct RosterFigures {
    /// The day students are counted in school (the spring term's
    /// reference date).
    pub(super) on: NaiveDate,
    /// Every school ([`Roster::visit_schools`]).
    pub(super) schools: Vec<School>,
    /// Students visited.
    pub(super) students: u64,
    /// Students in school on `on`, by stage.
    pub(super) by_stage: BTreeMap<Stage, u64>,
    /// Of them, registered poor on `on`; and of those, with a helper.
    pub(super) poor: u64,
    pub(super) helped: u64,
    /// Students (any status) of the urban schools, by the school's
    /// township.
    pub(super) urban_students: BTreeMap<String, u64>,
    /// Primary pupils in school on `on` by their school's township:
    /// (migrant children, pupils).
    pub(super) primary_by_township: BTreeMap<String, (u64, u64)>,
    /// The first student the roster could not link to its school or
    /// household (the migrant share is then not computed, as
    /// [`student_share`](crate::stats::student_share) refuses it).
    pub(super) unlinked: Option<Unlinked>,
    /// For each day a nutrition-plan batch may start: the students in
    /// school that day at the schools in the plan that day.
    pub(super) nutrition: BTreeMap<NaiveDate, u64>,
}

/// A student the roster could not link, as the error says it.
#[derive(Debug, Clone)]
pub(super) enum Unlinked {
    /// A school or household the roster does not have.
    Unknown {
        student: StudentId,
        what: &'static str,
        id: String,
    },
    /// Another failure, as its message.
    Other(String),
}

impl Unlinked {
    fn of(e: &RosterError) -> Unlinked {
        match e {
            RosterError::UnknownReference { student, what, id } => Unlinked::Unknown {
                student: student.clone(),
                what,
                id: id.clone(),
            },
            e => Unlinked::Other(e.to_string()),
        }
    }

    /// The error again.
    pub(super) fn error(&self) -> RosterError {
        match self {
            Unlinked::Unknown { student, what, id } => RosterError::UnknownReference {
                student: student.clone(),
                what,
                id: id.clone(),
            },
            Unlinked::Other(m) => RosterError::Backend(m.clone().into()),
        }
    }
}

impl RosterFigures {
    /// Students visited in the pass.
    #[must_use]
    pub fn students(&self) -> u64 {
        self.students
    }

    /// Every school of the roster.
    #[must_use]
    pub fn schools(&self) -> &[School] {
        &self.schools
    }

    /// The urban district: as set, else the township of the urban schools
    /// with the most students, else 城区.
    pub(super) fn urban_district(&self, set: Option<&str>) -> String {
        if let Some(u) = set {
            return u.to_string();
        }
        self.urban_students
            .iter()
            .max_by_key(|(_, c)| **c)
            .map_or_else(|| "城区".to_string(), |(t, _)| t.clone())
    }

    /// The students in school on `day` at the schools in the nutrition
    /// plan that day.
    ///
    /// # Errors
    /// [`Error::NotRead`] if the pass did not count that day.
    pub(super) fn nutrition_students(&self, day: NaiveDate) -> Result<u64, Error> {
        self.nutrition.get(&day).copied().ok_or_else(|| Error::NotRead {
            what: format!("the students in the nutrition plan on {day}"),
        })
    }
}

/// The nutrition plan's schools on one day, and the students counted.
struct PlanDay {
    day: NaiveDate,
    schools: HashSet<SchoolId>,
    students: u64,
}

/// What the wrapper counts as students go by.
struct Counting {
    figures: RosterFigures,
    plan_days: Vec<PlanDay>,
    /// The students payments name, and what is known of each.
    payees: HashMap<StudentId, Payee>,
}

impl Counting {
    fn student(&mut self, linked: &Linked<'_>) {
        let s = linked.student;
        let f = &mut self.figures;
        f.students += 1;
        let on = f.on;
        let school = linked.school.as_ref().ok().map(|(_, sc)| *sc);
        if f.unlinked.is_none() {
            if let Err(e) = &linked.school {
                f.unlinked = Some(Unlinked::of(e));
            } else if let Err(e) = &linked.household {
                f.unlinked = Some(Unlinked::of(e));
            }
        }
        if let Some(sc) = school.filter(|sc| sc.locality == Locality::Urban) {
            bump(&mut f.urban_students, &sc.township, |n| *n += 1);
        }
        if s.in_school_on(on) {
            *f.by_stage.entry(s.stage).or_default() += 1;
            let registered = matches!(&linked.household, Ok(Some(h)) if h.registered_poor_on(on));
            if registered {
                f.poor += 1;
                if s.helper.is_some() {
                    f.helped += 1;
                }
            }
            if let (Stage::Primary, Some(sc)) = (s.stage, school) {
                bump(&mut f.primary_by_township, &sc.township, |(m, n)| {
                    *n += 1;
                    if s.migrant {
                        *m += 1;
                    }
                });
            }
        }
        for d in &mut self.plan_days {
            if d.schools.contains(&s.school_id) && s.in_school_on(d.day) {
                d.students += 1;
            }
        }
        if let Some(p) = self.payees.get_mut(&s.id) {
            if *p == Payee::Unknown {
                *p = Payee::Known {
                    left_on: s.left_on(),
                    status: Some(s.status),
                };
            }
        }
    }
}

/// Change `map[key]` by `f`, adding the key (a clone) only when new.
fn bump<V: Default>(map: &mut BTreeMap<String, V>, key: &str, f: impl FnOnce(&mut V)) {
    match map.get_mut(key) {
        Some(v) => f(v),
        None => {
            let mut v = V::default();
            f(&mut v);
            map.insert(key.to_string(), v);
        }
    }
}

/// What watches the county's roster: counts each student the engine
/// visits ([`Roster::visit_linked`]) and moves the progress callback.
struct Observed<'p> {
    counting: RefCell<Counting>,
    /// The number of the student being visited (1 for the first): the sink
    /// tells one student's rows from the next by it.
    seq: Cell<u64>,
    progress: Option<&'p RefCell<dyn FnMut(Progress) + 'p>>,
    total: Option<u64>,
}

impl Observed<'_> {
    fn report(&self) {
        if let Some(p) = self.progress {
            if let Ok(mut f) = p.try_borrow_mut() {
                f(Progress {
                    done: self.seq.get(),
                    total: self.total,
                });
            }
        }
    }
}

impl Watch for Observed<'_> {
    fn linked(&self, linked: &Linked<'_>) {
        let n = self.seq.get() + 1;
        self.seq.set(n);
        if let Ok(mut c) = self.counting.try_borrow_mut() {
            c.student(linked);
        }
        if n % PROGRESS_EVERY == 0 {
            self.report();
        }
    }
}

/// One program's spring-term sums: entitlements (one per student, so also
/// its persons) and amount, in all, by stage, township and school.
#[derive(Default)]
struct ProgramSums {
    total: (u64, Decimal),
    by_stage: BTreeMap<Stage, (u64, Decimal)>,
    by_township: BTreeMap<String, (u64, Decimal)>,
    by_school: BTreeMap<SchoolId, (u64, Decimal)>,
    /// Missing data: person-terms, persons, schools, and the last student
    /// counted.
    missing: (u64, u64, BTreeSet<SchoolId>, u64),
}

/// Add one entitlement of `amount` to a sum, or fail on overflow.
fn add(sum: &mut (u64, Decimal), amount: Decimal) -> bool {
    sum.0 += 1;
    match sum.1.checked_add(amount) {
        Some(x) => {
            sum.1 = x;
            true
        }
        None => false,
    }
}

fn tally(sum: &(u64, Decimal)) -> Tally {
    Tally {
        persons: sum.0,
        person_terms: sum.0,
        amount: Money::from_decimal_exact(sum.1),
    }
}

/// The engine's rows over the two terms: what the report needs of them.
struct Pass<'s> {
    spring: Term,
    seq: &'s Cell<u64>,
    /// Program index by id, in the engine's order.
    index: HashMap<ProgramId, usize>,
    sums: Vec<ProgramSums>,
    /// Students with an owed spring entitlement, and the last counted.
    persons_entitled: (u64, u64),
    /// The first program whose sum overflowed.
    overflow: Option<String>,
    tiers: BTreeMap<Money, u64>,
    basis: BasisTotals,
    missing: BTreeMap<(String, SchoolId), (MissingAtSchool, BTreeSet<StudentId>)>,
    /// What is owed in the terms the payments cover (`None`: no payments).
    owed: Option<(Vec<Term>, OwedMap)>,
}

impl Pass<'_> {
    /// One entitlement of the run, counted.
    fn take(&mut self, row: &Row<'_>) {
        if let Some((terms, map)) = &mut self.owed {
            if row.program.benefit.is_owed() && terms.contains(&row.term) {
                map.insert((row.student.id.clone(), row.program.id.clone(), row.term), row.amount);
            }
        }
        if row.term != self.spring {
            return;
        }
        if row.program.id.as_str() == "senior-grant" {
            *self.tiers.entry(row.amount).or_default() += 1;
        }
        self.basis.entitlement(row).ok();
        let seq = self.seq.get();
        if row.program.benefit.is_owed() && self.persons_entitled.1 != seq {
            self.persons_entitled = (self.persons_entitled.0 + 1, seq);
        }
        let Some(p) = self.index.get(&row.program.id).and_then(|i| self.sums.get_mut(*i)) else {
            return;
        };
        let a = row.amount.as_decimal();
        let mut ok = add(&mut p.total, a);
        ok &= add(p.by_stage.entry(row.student.stage).or_default(), a);
        let mut town = true;
        bump(&mut p.by_township, &row.school.township, |t| town = add(t, a));
        ok &= town;
        let school = match p.by_school.get_mut(&row.school.id) {
            Some(s) => s,
            None => p.by_school.entry(row.school.id.clone()).or_default(),
        };
        ok &= add(school, a);
        if !ok && self.overflow.is_none() {
            self.overflow = Some(row.program.id.to_string());
        }
    }

    /// One student whose amount needs data the record lacks, listed.
    fn take_missing(&mut self, row: &MissingRow<'_>) {
        if row.term != self.spring {
            return;
        }
        let seq = self.seq.get();
        if let Some(p) = self.index.get(&row.program.id).and_then(|i| self.sums.get_mut(*i)) {
            let m = &mut p.missing;
            m.0 += 1;
            if m.3 != seq {
                m.1 += 1;
                m.3 = seq;
            }
            if !m.2.contains(&row.school.id) {
                m.2.insert(row.school.id.clone());
            }
        }
        let key = (row.program.id.as_str().to_string(), row.school.id.clone());
        let (m, seen) = self.missing.entry(key).or_insert_with(|| {
            (
                MissingAtSchool {
                    program: row.program.id.as_str().to_string(),
                    name: row.program.name.clone(),
                    school: row.school.id.clone(),
                    school_name: row.school.name.clone(),
                    what: row.what.to_string(),
                    persons: 0,
                    person_terms: 0,
                },
                BTreeSet::new(),
            )
        });
        m.person_terms += 1;
        if seen.insert(row.student.id.clone()) {
            m.persons += 1;
        }
    }
}

impl Sink for Pass<'_> {
    fn entitlement(&mut self, row: &Row<'_>) -> Result<crate::model::Visit, crate::eligibility::Error> {
        self.take(row);
        Ok(crate::model::Visit::Continue(()))
    }

    fn missing(&mut self, row: &MissingRow<'_>) -> Result<crate::model::Visit, crate::eligibility::Error> {
        self.take_missing(row);
        Ok(crate::model::Visit::Continue(()))
    }
}

/// The engine's results and the roster's figures the report reads, from
/// one pass.
pub(super) struct Read {
    pub(super) totals: Totals,
    pub(super) two_terms: Totals,
    pub(super) senior_grant_tiers: BTreeMap<Money, u64>,
    pub(super) reconciliation: Option<Reconciliation>,
    pub(super) basis: BasisTotals,
    pub(super) missing: Vec<MissingAtSchool>,
    pub(super) roster: RosterFigures,
}

/// What the pass is asked for besides the entitlements.
pub(super) struct Ask<'p> {
    /// Nutrition-plan days to count besides the days schools joined.
    pub(super) plan_days: Vec<NaiveDate>,
    pub(super) progress: Option<&'p RefCell<dyn FnMut(Progress) + 'p>>,
    pub(super) total: Option<u64>,
}

/// The payments reconciled against the pass's entitlements: the map of
/// what is owed, the payees seen in the pass, and the engine for the
/// evidence of a payment nothing is owed for (looked up by id).
struct PassOwed<'a> {
    engine: &'a Engine,
    roster: &'a dyn Roster,
    map: OwedMap,
    payees: HashMap<StudentId, Payee>,
    known: BTreeSet<&'a str>,
}

impl crate::eligibility::Owed for PassOwed<'_> {
    fn amount(&self, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money> {
        crate::eligibility::owed_in(&self.map, student, program, term)
    }

    fn visit_owed(
        &self,
        visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> crate::model::Visit,
    ) -> Result<(), crate::eligibility::Error> {
        crate::eligibility::visit_owed_in(&self.map, visit);
        Ok(())
    }

    fn payee(&self, student: &StudentId) -> Result<Payee, crate::eligibility::Error> {
        Ok(self.payees.get(student).cloned().unwrap_or(Payee::Unknown))
    }

    fn not_owed(
        &self,
        student: &StudentId,
        program: &ProgramId,
        term: Term,
    ) -> Result<String, crate::eligibility::Error> {
        crate::eligibility::not_owed_evidence(self.engine, self.roster, student, program, term)
    }

    fn knows_program(&self, program: &ProgramId) -> bool {
        self.known.contains(program.as_str())
    }
}

/// Run `engine` once over `roster` for `spring` and the autumn before it,
/// counting the roster's figures on the way, and reconcile the spring
/// term's `disbursements`.
pub(super) fn read(
    engine: &Engine,
    roster: &dyn Roster,
    spring: Term,
    disbursements: Option<&[Disbursement]>,
    ask: &Ask<'_>,
) -> Result<Read, Error> {
    let autumn = spring.prev().ok_or(Error::NoPreviousTerm { term: spring })?;
    let on = spring.reference_date();
    let mut schools = Vec::new();
    roster
        .visit_schools(&mut |s| schools.push(s.clone()))
        .map_err(crate::eligibility::Error::from)?;
    let plan_days = plan_days(&schools, &ask.plan_days);
    // The report speaks of the spring term: its records alone are
    // reconciled (a record of another term is no payment of this one).
    let of_term: Option<Vec<Disbursement>> =
        disbursements.map(|d| d.iter().filter(|x| x.term == spring).cloned().collect());
    let scope = of_term.as_deref().map(Scope::of);
    let payees = of_term
        .iter()
        .flatten()
        .map(|d| (d.student_id.clone(), Payee::Unknown))
        .collect();
    let observed = Watched {
        inner: roster,
        watch: Observed {
            counting: RefCell::new(Counting {
                figures: RosterFigures::nothing_yet(on, schools),
                plan_days,
                payees,
            }),
            seq: Cell::new(0),
            progress: ask.progress,
            total: ask.total,
        },
    };
    let programs: Vec<_> = engine.programs().collect();
    let mut pass = Pass {
        spring,
        seq: &observed.watch.seq,
        index: programs.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect(),
        sums: programs.iter().map(|_| ProgramSums::default()).collect(),
        persons_entitled: (0, 0),
        overflow: None,
        tiers: BTreeMap::new(),
        basis: BasisTotals::default(),
        missing: BTreeMap::new(),
        // The terms the payments cover (as the scope's).
        owed: of_term.as_ref().map(|d| {
            let terms: BTreeSet<Term> = d.iter().map(|x| x.term).collect();
            (terms.into_iter().collect(), OwedMap::new())
        }),
    };
    let two_terms = engine.run(&observed, &[autumn, spring], RunOptions::default(), Some(&mut pass))?;
    observed.watch.report();
    let Counting {
        mut figures,
        plan_days,
        payees,
    } = observed.watch.counting.into_inner();
    // The engine reads the roster through `visit_linked`: had it read it
    // another way, the figures would be empty, so refuse them.
    if figures.students != two_terms.students {
        return Err(Error::NotRead {
            what: format!(
                "the students ({} counted, {} read by the engine)",
                figures.students, two_terms.students
            ),
        });
    }
    figures.nutrition = plan_days.into_iter().map(|d| (d.day, d.students)).collect();
    if let Some(program) = pass.overflow {
        return Err(crate::eligibility::Error::TotalOverflow { program }.into());
    }
    let totals = spring_totals(spring, &two_terms, &programs, &pass);
    let reconciliation = match (pass.owed, of_term, scope) {
        (Some((_, map)), Some(of_term), Some(scope)) => {
            let owed = PassOwed {
                engine,
                roster,
                map,
                payees,
                known: programs.iter().map(|p| p.id.as_str()).collect(),
            };
            Some(reconcile_owed(&owed, &of_term, &scope)?)
        }
        _ => None,
    };
    Ok(Read {
        totals,
        two_terms,
        senior_grant_tiers: pass.tiers,
        reconciliation,
        basis: pass.basis,
        missing: pass.missing.into_values().map(|(m, _)| m).collect(),
        roster: figures,
    })
}

impl RosterFigures {
    /// The figures before any student is counted.
    fn nothing_yet(on: NaiveDate, schools: Vec<School>) -> RosterFigures {
        RosterFigures {
            on,
            schools,
            students: 0,
            by_stage: BTreeMap::new(),
            poor: 0,
            helped: 0,
            urban_students: BTreeMap::new(),
            primary_by_township: BTreeMap::new(),
            unlinked: None,
            nutrition: BTreeMap::new(),
        }
    }
}

/// The days the nutrition plan's schools change (each school's first day
/// in the plan, and the days the caller asks about), with the schools in
/// the plan on each: their students are counted in the pass.
fn plan_days(schools: &[School], asked: &[NaiveDate]) -> Vec<PlanDay> {
    let mut days: BTreeSet<NaiveDate> = schools.iter().filter_map(|s| s.nutrition_plan_from).collect();
    days.extend(asked.iter().copied());
    days.into_iter()
        .map(|day| PlanDay {
            day,
            schools: schools
                .iter()
                .filter(|s| s.in_nutrition_plan_on(day))
                .map(|s| s.id.clone())
                .collect(),
            students: 0,
        })
        .collect()
}

/// The spring term's totals from the pass's sums: the same as the engine's
/// run over the spring term alone.
fn spring_totals(
    spring: Term,
    two_terms: &Totals,
    programs: &[&crate::eligibility::ProgramInfo],
    pass: &Pass<'_>,
) -> Totals {
    let mut out = Vec::with_capacity(programs.len());
    let mut missing_data = Vec::new();
    for (info, sums) in programs.iter().zip(&pass.sums) {
        let total = tally(&sums.total);
        let by_term = if sums.total.0 > 0 {
            BTreeMap::from([(spring, total)])
        } else {
            BTreeMap::new()
        };
        out.push(ProgramTotals {
            id: info.id.clone(),
            name: info.name.clone(),
            benefit: info.benefit,
            total,
            by_term,
            by_stage: sums.by_stage.iter().map(|(k, v)| (*k, tally(v))).collect(),
            by_township: sums.by_township.iter().map(|(k, v)| (k.clone(), tally(v))).collect(),
            by_school: sums.by_school.iter().map(|(k, v)| (k.clone(), tally(v))).collect(),
        });
        let (person_terms, persons, schools, _) = &sums.missing;
        if *person_terms > 0 {
            missing_data.push(MissingData {
                program: info.id.clone(),
                name: info.name.clone(),
                what: MISSING_TUITION.to_string(),
                schools: schools.clone(),
                persons: *persons,
                person_terms: *person_terms,
            });
        }
    }
    Totals {
        terms: vec![spring],
        students: two_terms.students,
        evaluated: two_terms.evaluated,
        skipped: two_terms.skipped.clone(),
        persons_entitled: pass.persons_entitled.0,
        programs: out,
        missing_data,
    }
}

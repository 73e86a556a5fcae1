//! Reconciliation (应补尽补): what was owed against what was paid.
//!
//! Every disbursement record ends in exactly one class — matched,
//! duplicate, wrong amount, ineligible, paid after leaving, unknown
//! student, unknown program, invalid, or out of scope — and every owed
//! entitlement in scope is either paid or reported unpaid, so the totals
//! account for every record.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use eduaid_model::convert::clamped;
use eduaid_model::{Disbursement, EnrolmentStatus, Money, NaiveDate, ProgramId, Roster, StudentId, Term, Visit};
use serde::Serialize;

use crate::program::Benefit;
use crate::{Engine, Error, OwedMap};

/// The kind of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Entitled, not paid (应补未补).
    Unpaid,
    /// Paid, not entitled.
    Ineligible,
    /// Paid more than once for one program and term.
    Duplicate,
    /// Paid an amount other than the amount owed.
    WrongAmount,
    /// Paid on or after the day the student left school.
    PaidAfterLeaving,
    /// Paid to a student the roster does not hold.
    UnknownStudent,
    /// Paid under a program the engine does not know.
    UnknownProgram,
    /// A record that fails validation (amount not positive, not whole fen,
    /// empty or reused reference).
    Invalid,
    /// A record for a program and term outside the reconciliation's scope.
    OutOfScope,
}

impl FindingKind {
    /// In Chinese, for reports.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            FindingKind::Unpaid => "应补未补",
            FindingKind::Ineligible => "不符合条件",
            FindingKind::Duplicate => "重复发放",
            FindingKind::WrongAmount => "金额不符",
            FindingKind::PaidAfterLeaving => "离校后发放",
            FindingKind::UnknownStudent => "学生不在名册",
            FindingKind::UnknownProgram => "未知资助项目",
            FindingKind::Invalid => "记录无效",
            FindingKind::OutOfScope => "不在核对范围",
        }
    }
}

/// One finding, with the student and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The student.
    pub student: StudentId,
    /// The program.
    pub program: ProgramId,
    /// The term.
    pub term: Term,
    /// What was owed, if anything.
    pub owed: Option<Money>,
    /// What this record paid, if it is about a record.
    pub paid: Option<Money>,
    /// The payment reference(s) concerned.
    pub payments: Vec<String>,
    /// The evidence, in words.
    pub evidence: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({:?}) student {} {} {}: {}",
            self.kind.chinese(),
            self.kind,
            self.student,
            self.program,
            self.term,
            self.evidence
        )
    }
}

/// Which programs and terms the payments were meant to cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pairs: BTreeSet<(ProgramId, Term)>,
}

impl Scope {
    /// Every (program, term) that appears in `disbursements`: an entitled
    /// student of such a program and term who was not paid is unpaid.
    #[must_use]
    pub fn of(disbursements: &[Disbursement]) -> Scope {
        Scope {
            pairs: disbursements.iter().map(|d| (d.program.clone(), d.term)).collect(),
        }
    }

    /// An explicit scope.
    #[must_use]
    pub fn new(pairs: impl IntoIterator<Item = (ProgramId, Term)>) -> Scope {
        Scope {
            pairs: pairs.into_iter().collect(),
        }
    }

    /// Every owed (non-ceiling) program of `engine` in each of `terms`.
    #[must_use]
    pub fn all_owed(engine: &Engine, terms: &[Term]) -> Scope {
        let mut pairs = BTreeSet::new();
        for p in engine.programs().filter(|p| p.benefit == Benefit::Cash) {
            for t in terms {
                pairs.insert((p.id.clone(), *t));
            }
        }
        Scope { pairs }
    }

    /// True if the pair is in scope.
    #[must_use]
    pub fn contains(&self, program: &ProgramId, term: Term) -> bool {
        self.pairs.contains(&(program.clone(), term))
    }

    fn terms(&self) -> Vec<Term> {
        let t: BTreeSet<Term> = self.pairs.iter().map(|(_, t)| *t).collect();
        t.into_iter().collect()
    }
}

/// Records and amount of one class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Records (or, for unpaid, entitlements).
    pub records: u64,
    /// Amount paid (or, for unpaid, owed).
    pub amount: Money,
}

/// The result of a reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    /// Disbursement records read.
    pub records: u64,
    /// Amount they paid.
    pub paid: Money,
    /// Records that paid what was owed, when it was owed.
    pub matched: Count,
    /// Records and amounts per finding kind (unpaid counts entitlements).
    pub by_kind: BTreeMap<FindingKind, Count>,
    /// Entitlements in scope.
    pub entitlements: u64,
    /// Amount owed in scope.
    pub owed: Money,
    /// The findings, in student, program, term order.
    pub findings: Vec<Finding>,
}

impl Reconciliation {
    /// The findings of one kind.
    pub fn of_kind(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }

    /// True if the classes add up: every record is matched or in exactly
    /// one finding, and the amounts add up to what was paid.
    #[must_use]
    pub fn accounts_for_every_record(&self) -> bool {
        let (mut n, mut a) = (self.matched.records, Some(self.matched.amount));
        for (k, c) in &self.by_kind {
            if *k != FindingKind::Unpaid {
                n += c.records;
                a = a.and_then(|x| x.checked_add(c.amount));
            }
        }
        n == self.records && a == Some(self.paid)
    }
}

/// Add exactly, or fail: reconciliation never drops a yuan silently.
fn add_to(total: &mut Money, m: Money, what: &'static str) -> Result<(), Error> {
    *total = total.checked_add(m).ok_or(Error::ReconciliationOverflow { what })?;
    Ok(())
}

/// What a reconciliation compares payments with: the amounts owed, and
/// what is known of each student a payment names.
///
/// [`reconcile`] backs it with an engine and a roster. A table of
/// entitlements computed elsewhere (a file another system wrote, a
/// database) can back it too: implement the four required methods and
/// call [`reconcile_owed`]; [`owed_in`] and [`visit_owed_in`] implement
/// the first two over an [`OwedMap`] in memory.
pub trait Owed {
    /// The amount owed to `student` under `program` in `term`, if any.
    fn amount(&self, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money>;

    /// Every amount owed, each (student, program, term) once, in any
    /// order, until `visit` breaks.
    ///
    /// # Errors
    /// An [`Error`] if the backing store fails.
    fn visit_owed(&self, visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> Visit) -> Result<(), Error>;

    /// What is known of the student a payment names.
    ///
    /// # Errors
    /// An [`Error`] if the backing store fails.
    fn payee(&self, student: &StudentId) -> Result<Payee, Error>;

    /// The evidence for a payment when nothing is owed for it: why the
    /// student is not entitled to `program` in `term`, in a clerk's words.
    ///
    /// # Errors
    /// An [`Error`] if the backing store fails.
    fn not_owed(&self, student: &StudentId, program: &ProgramId, term: Term) -> Result<String, Error>;

    /// False if no program of this id exists, so a payment under it is an
    /// unknown program. The default knows every program.
    fn knows_program(&self, program: &ProgramId) -> bool {
        let _ = program;
        true
    }
}

/// [`Owed::amount`] over an [`OwedMap`].
#[must_use]
pub fn owed_in(map: &OwedMap, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money> {
    map.get(&(student.clone(), program.clone(), term)).copied()
}

/// [`Owed::visit_owed`] over an [`OwedMap`].
pub fn visit_owed_in(map: &OwedMap, visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> Visit) {
    for ((s, p, t), m) in map {
        if visit(s, p, *t, *m).is_break() {
            return;
        }
    }
}

/// [`Owed::not_owed`] for an [`Owed`] backed by an engine and a roster:
/// `not entitled: ` and why not, in the engine's words.
///
/// # Errors
/// As [`Engine::why_not`].
pub fn not_owed_evidence<R: Roster + ?Sized>(
    engine: &Engine,
    roster: &R,
    student: &StudentId,
    program: &ProgramId,
    term: Term,
) -> Result<String, Error> {
    let reason = engine
        .why_not(roster, student, program.as_str(), term)?
        .unwrap_or_else(|| "not entitled".into());
    Ok(format!("not entitled: {reason}"))
}

/// What a reconciliation knows of the student a payment names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payee {
    /// Not on the roster: the payment is to an unknown student.
    Unknown,
    /// On the roster.
    Known {
        /// The day the student left school, if they did: a payment on or
        /// after it is paid after leaving.
        left_on: Option<NaiveDate>,
        /// The status they left with, if known, for the evidence.
        status: Option<EnrolmentStatus>,
    },
}

/// The entitlements an engine computes for a roster, as [`reconcile`]
/// compares them with payments.
struct EngineOwed<'a, R: Roster + ?Sized> {
    engine: &'a Engine,
    roster: &'a R,
    map: OwedMap,
    known: BTreeSet<&'a str>,
    /// Each student looked up once.
    students: RefCell<HashMap<StudentId, Payee>>,
}

impl<R: Roster + ?Sized> Owed for EngineOwed<'_, R> {
    fn amount(&self, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money> {
        owed_in(&self.map, student, program, term)
    }

    fn visit_owed(&self, visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> Visit) -> Result<(), Error> {
        visit_owed_in(&self.map, visit);
        Ok(())
    }

    fn payee(&self, student: &StudentId) -> Result<Payee, Error> {
        if let Some(p) = self.students.borrow().get(student) {
            return Ok(p.clone());
        }
        let p = match self.roster.student(student)? {
            None => Payee::Unknown,
            Some(s) => Payee::Known {
                left_on: s.left_on(),
                status: Some(s.status),
            },
        };
        self.students.borrow_mut().insert(student.clone(), p.clone());
        Ok(p)
    }

    fn not_owed(&self, student: &StudentId, program: &ProgramId, term: Term) -> Result<String, Error> {
        not_owed_evidence(self.engine, self.roster, student, program, term)
    }

    fn knows_program(&self, program: &ProgramId) -> bool {
        self.known.contains(program.as_str())
    }
}

/// Reconcile `disbursements` against the entitlements `engine` computes for
/// `roster`, over `scope`.
///
/// # Errors
/// [`Error::Roster`] if the roster fails,
/// [`Error::ReconciliationOverflow`] if the amounts overflow, or the errors
/// of [`Engine::run`].
pub fn reconcile<R: Roster + ?Sized>(
    engine: &Engine,
    roster: &R,
    disbursements: &[Disbursement],
    scope: &Scope,
) -> Result<Reconciliation, Error> {
    let (map, _) = engine.entitlement_map(roster, &scope.terms())?;
    let owed = EngineOwed {
        engine,
        roster,
        map,
        known: engine.programs().map(|p| p.id.as_str()).collect(),
        students: RefCell::new(HashMap::new()),
    };
    reconcile_owed(&owed, disbursements, scope)
}

/// Reconcile `disbursements` against what `owed` says is owed, over
/// `scope`: every record ends in exactly one class, and every owed
/// entitlement in scope is paid or reported unpaid.
///
/// # Errors
/// [`Error::ReconciliationOverflow`] if the amounts overflow, or the
/// errors of `owed`.
pub fn reconcile_owed<O: Owed + ?Sized>(
    owed: &O,
    disbursements: &[Disbursement],
    scope: &Scope,
) -> Result<Reconciliation, Error> {
    // Order each key's records by date, then reference: the first is the
    // payment, the rest are duplicates.
    let mut order: Vec<&Disbursement> = disbursements.iter().collect();
    order.sort_by(|a, b| (a.paid_on, &a.id).cmp(&(b.paid_on, &b.id)));
    let mut c = Classified::default();
    for d in order {
        c.classify(owed, scope, d)?;
    }
    let (entitlements, owed_total) = c.unpaid(owed, scope)?;
    let Classified {
        mut findings,
        matched,
        paid_total,
        ..
    } = c;
    findings.sort_by(|a, b| (&a.student, &a.program, a.term, a.kind).cmp(&(&b.student, &b.program, b.term, b.kind)));
    let mut by_kind: BTreeMap<FindingKind, Count> = BTreeMap::new();
    for f in &findings {
        let c = by_kind.entry(f.kind).or_default();
        c.records += 1;
        let m = if f.kind == FindingKind::Unpaid {
            f.owed.unwrap_or_default()
        } else {
            f.paid.unwrap_or_default()
        };
        add_to(&mut c.amount, m, "total of a kind of finding")?;
    }
    Ok(Reconciliation {
        records: clamped::<_, u64>(disbursements.len()),
        paid: paid_total,
        matched,
        by_kind,
        entitlements,
        owed: owed_total,
        findings,
    })
}

/// The records as they are classified, each into exactly one class: a
/// finding, or matched.
#[derive(Default)]
struct Classified<'d> {
    findings: Vec<Finding>,
    matched: Count,
    paid_total: Money,
    /// Each payment reference, with its record.
    seen_ids: HashMap<&'d str, &'d Disbursement>,
    /// The payment (the first record) of each student, program and term.
    first_of: HashMap<(StudentId, ProgramId, Term), &'d Disbursement>,
}

impl<'d> Classified<'d> {
    /// Classify one record (records come in order of date, then reference).
    fn classify<O: Owed + ?Sized>(&mut self, owed: &O, scope: &Scope, d: &'d Disbursement) -> Result<(), Error> {
        add_to(&mut self.paid_total, d.amount, "total paid")?;
        let mk = |kind, owed: Option<Money>, evidence: String| Finding {
            kind,
            student: d.student_id.clone(),
            program: d.program.clone(),
            term: d.term,
            owed,
            paid: Some(d.amount),
            payments: vec![d.id.clone()],
            evidence,
        };
        if let Err(e) = d.validate() {
            self.findings.push(mk(FindingKind::Invalid, None, e.to_string()));
            return Ok(());
        }
        if let Some(prev) = self.seen_ids.insert(d.id.as_str(), d) {
            let mut f = mk(
                FindingKind::Invalid,
                None,
                format!(
                    "payment reference {} is used twice (also paid on {})",
                    d.id, prev.paid_on
                ),
            );
            f.payments.push(prev.id.clone());
            self.findings.push(f);
            return Ok(());
        }
        if !owed.knows_program(&d.program) {
            self.findings.push(mk(
                FindingKind::UnknownProgram,
                None,
                format!("no program {} in the policy", d.program),
            ));
            return Ok(());
        }
        let Payee::Known { left_on, status } = owed.payee(&d.student_id)? else {
            self.findings.push(mk(
                FindingKind::UnknownStudent,
                None,
                format!("student {} is not in the roster", d.student_id),
            ));
            return Ok(());
        };
        let key = (d.student_id.clone(), d.program.clone(), d.term);
        let owed_here = owed.amount(&d.student_id, &d.program, d.term);
        if !scope.contains(&d.program, d.term) {
            self.findings.push(mk(
                FindingKind::OutOfScope,
                owed_here,
                format!("{} {} is outside the reconciliation's scope", d.program, d.term),
            ));
            return Ok(());
        }
        if let Some(first) = self.first_of.get(&key) {
            let mut f = mk(
                FindingKind::Duplicate,
                owed_here,
                format!(
                    "second payment of {} for {} {}: already paid {} on {} (reference {})",
                    d.amount, d.program, d.term, first.amount, first.paid_on, first.id
                ),
            );
            f.payments.push(first.id.clone());
            self.findings.push(f);
            return Ok(());
        }
        self.first_of.insert(key, d);
        if let Some(left) = left_on {
            if d.paid_on >= left {
                let how = status.map(|s| format!(" ({s})")).unwrap_or_default();
                self.findings.push(mk(
                    FindingKind::PaidAfterLeaving,
                    owed_here,
                    format!("paid on {} but the student left school on {left}{how}", d.paid_on),
                ));
                return Ok(());
            }
        }
        match owed_here {
            None => {
                let evidence = owed.not_owed(&d.student_id, &d.program, d.term)?;
                self.findings.push(mk(FindingKind::Ineligible, None, evidence));
            }
            Some(o) if o.round_to_fen(eduaid_model::Rounding::HalfUp) != d.amount => {
                self.findings.push(mk(
                    FindingKind::WrongAmount,
                    Some(o),
                    format!("paid {} but {} was owed", d.amount, o),
                ));
            }
            Some(_) => {
                self.matched.records += 1;
                add_to(&mut self.matched.amount, d.amount, "matched total")?;
            }
        }
        Ok(())
    }

    /// Add the entitlements in scope never paid as findings; gives their
    /// number and the total owed in scope.
    fn unpaid<O: Owed + ?Sized>(&mut self, owed: &O, scope: &Scope) -> Result<(u64, Money), Error> {
        // Entitled, in scope, never paid.
        let mut owed_total = Money::ZERO;
        let mut entitlements = 0u64;
        let mut failed = None;
        owed.visit_owed(&mut |student, program, term, m| {
            if !scope.contains(program, term) {
                return Visit::Continue(());
            }
            entitlements += 1;
            if let Err(e) = add_to(&mut owed_total, m, "total owed") {
                failed = Some(e);
                return Visit::Break(());
            }
            let key = (student.clone(), program.clone(), term);
            if !self.first_of.contains_key(&key) {
                self.findings.push(Finding {
                    kind: FindingKind::Unpaid,
                    student: key.0,
                    program: key.1,
                    term,
                    owed: Some(m),
                    paid: None,
                    payments: Vec::new(),
                    evidence: format!("entitled to {m} for {program} {term} and no payment is on record"),
                });
            }
            Visit::Continue(())
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok((entitlements, owed_total)),
        }
    }
}

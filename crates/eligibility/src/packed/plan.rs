//! The engine's programs compiled for the packed path: each rule's
//! conditions as masks over the packed word ([`PCond`]), each amount as a
//! table by stage or by school, in integer fen where exact.

use chrono::{Datelike, NaiveDate};
use eduaid_model::convert::clamped;
use eduaid_model::{Money, School};
use rust_decimal::Decimal;

use crate::condition::STAGES;
use crate::engine::{Engine, TermPlan};
use crate::packed::layout::{EXIT_BITS, IN_PLAN, PCond, exit_word, school_word};
use crate::policy::Window;
use crate::program::{PerStage, Prepared};
use crate::schema::LimitKind;

/// The day number of `d` (days from the common era), the unit of every
/// date comparison on the packed path.
pub(crate) fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// An amount: whole fen where it is (the common case, summed as integers),
/// else the exact decimal. `Fen` keeps the decimal's scale, so that
/// [`Amount::dec`] gives back the very value the reference path computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Amount {
    /// A whole number of fen, and the scale of the decimal it came from.
    Fen {
        /// Fen.
        fen: i64,
        /// Decimal places of the original value (at most 28).
        scale: u32,
    },
    /// Any other amount, exact.
    Dec(Decimal),
    /// No amount: the rule needs the school's tuition and the record has
    /// none (counted as missing data, never as an entitlement).
    Missing,
}

impl Amount {
    /// `d` as fen if it is a whole number of fen whose decimal form comes
    /// back unchanged, else as itself.
    pub(crate) fn of(d: Decimal) -> Amount {
        let scale = d.scale();
        let m = d.mantissa();
        let fen = if scale <= 2 {
            m.checked_mul(10i128.pow(2 - scale))
        } else {
            let k = 10i128.pow(scale - 2);
            (m % k == 0).then(|| m / k)
        };
        if let Some(fen) = fen.and_then(|f| i64::try_from(f).ok()) {
            let a = Amount::Fen { fen, scale };
            if a.dec().serialize() == d.serialize() {
                return a;
            }
        }
        Amount::Dec(d)
    }

    /// The exact decimal.
    pub(crate) fn dec(self) -> Decimal {
        match self {
            Amount::Fen { fen, scale } => {
                let mut d = Decimal::new(fen, 2);
                d.rescale(scale);
                d
            }
            Amount::Dec(d) => d,
            Amount::Missing => Decimal::ZERO,
        }
    }

    /// True for [`Amount::Missing`].
    #[inline]
    pub(crate) fn is_missing(self) -> bool {
        matches!(self, Amount::Missing)
    }

    /// A negative amount counts as zero (as the reference path's
    /// `not_negative`).
    pub(crate) fn not_negative(self) -> Amount {
        let negative = match self {
            Amount::Fen { fen, .. } => fen < 0,
            Amount::Dec(d) => d.is_sign_negative(),
            Amount::Missing => false,
        };
        if negative { Amount::of(Decimal::ZERO) } else { self }
    }
}

type Stages = [Option<Amount>; STAGES];

fn stages(v: &PerStage, f: impl Fn(Decimal) -> Option<Decimal>) -> Stages {
    let mut out: Stages = [None; STAGES];
    for (o, d) in out.iter_mut().zip(v) {
        *o = d.and_then(&f).map(Amount::of);
    }
    out
}

/// A per-day amount (school meals), compiled.
#[derive(Debug)]
pub(crate) struct PerDay {
    /// This rule's first segment among the school table's day counts.
    slot: usize,
    /// The segments: first and last day, rate by stage.
    segs: Vec<(NaiveDate, NaiveDate, PerStage)>,
    /// Each segment's rate by stage in fen, with its scale (`None` where
    /// missing).
    fen: Vec<[Option<(i64, u32)>; STAGES]>,
    /// True if the fen rates are all there is: no share, and every rate a
    /// whole number of fen with at most two decimals.
    fast: bool,
    window: Window,
    share: Option<Decimal>,
    /// The last day of the last segment (a student who leaves after it is
    /// owed as one who stays).
    last_day: i32,
}

impl PerDay {
    /// The reference path's arithmetic, exactly: school days of each
    /// segment while in the plan (from `join`) and at school (to `left`),
    /// times the rate of the stage, summed, times the share.
    fn exact(&self, st: usize, join: Option<NaiveDate>, left: Option<NaiveDate>) -> Option<Amount> {
        let mut total = Decimal::ZERO;
        for (a, b, rates) in &self.segs {
            let first = join.map_or(*a, |j| j.max(*a));
            let last = left.map_or(*b, |l| l.min(*b));
            let days = self.window.school_days(first, last);
            let rate = rates[st]?;
            if days == 0 {
                continue;
            }
            total = total.checked_add(rate.checked_mul(Decimal::from(days))?)?;
        }
        if let Some(s) = self.share {
            total = total.checked_mul(s)?;
        }
        if total.is_zero() { None } else { Some(Amount::of(total)) }
    }

    /// From the school's day counts in fen; `Err` if a sum leaves `i64`
    /// (the exact path then decides).
    fn fast(&self, st: usize, days: &[u32]) -> Result<Option<Amount>, ()> {
        let mut total = 0i64;
        let mut scale = 0u32;
        for (k, r) in self.fen.iter().enumerate() {
            let Some((rate, s)) = r[st] else {
                return Ok(None);
            };
            let d = days.get(self.slot + k).copied().unwrap_or(0);
            if d == 0 {
                continue;
            }
            total = rate
                .checked_mul(i64::from(d))
                .and_then(|x| total.checked_add(x))
                .ok_or(())?;
            scale = scale.max(s);
        }
        Ok((total != 0).then_some(Amount::Fen { fen: total, scale }))
    }
}

/// A rule's amount, compiled.
#[derive(Debug)]
enum PAmount {
    /// Never an amount (a deny rule, or one whose amount did not resolve).
    Nothing,
    /// By stage.
    Stage(Stages),
    /// The school's tuition share (slot in the school table), else the
    /// fallback by stage; with no fallback (`missing`), missing data.
    Tuition {
        slot: usize,
        fallback: Stages,
        missing: bool,
    },
    /// By school day.
    PerDay(Box<PerDay>),
    /// The first tier whose conditions hold, by stage.
    Tiers(Vec<(PCond, Stages)>),
}

/// A program compiled for one term: its rules in order.
#[derive(Debug)]
struct PProgram {
    /// The amounts out of line, so that the conditions of a program's
    /// rules sit close together.
    rules: Vec<(PCond, Box<PAmount>)>,
}

/// A limit across programs, for one term.
#[derive(Debug)]
struct PLimit {
    kind: LimitKind,
    members: Vec<usize>,
    cap: Option<Decimal>,
}

/// One term, compiled.
#[derive(Debug)]
pub(crate) struct PTerm {
    /// The reference date's day number.
    pub(crate) ref_day: i32,
    reference: NaiveDate,
    /// A school is in the plan this term if it joined by this day.
    plan_until: NaiveDate,
    window: Option<Window>,
    programs: Vec<PProgram>,
    /// For each stage, the programs that may apply.
    pub(crate) by_stage: Vec<Vec<usize>>,
    limits: Vec<PLimit>,
    /// The exit thresholds (day numbers) and their bits.
    exits: Vec<(i32, u64)>,
    /// The last day of any per-day amount's segments (`i32::MIN`: none).
    perday_last: i32,
}

impl PTerm {
    /// The term's reference date.
    pub(crate) fn reference(&self) -> NaiveDate {
        self.reference
    }

    /// The word of a household whose last exit from poverty by the
    /// reference date is `last_exit` (a day number).
    #[inline]
    pub(crate) fn exit_word(&self, last_exit: Option<i32>) -> u64 {
        exit_word(&self.exits, last_exit)
    }

    /// True if the term has conditions on the exit from poverty.
    #[inline]
    pub(crate) fn reads_exit(&self) -> bool {
        !self.exits.is_empty()
    }

    /// True if a student who left school on day `left` (`i32::MAX`: has
    /// not) is owed as one who stays: no per-day amount runs past it.
    #[inline]
    pub(crate) fn leaving_changes_nothing(&self, left: i32) -> bool {
        left == i32::MAX || left.saturating_sub(1) >= self.perday_last
    }

    /// True if limits across programs apply in the term.
    #[inline]
    pub(crate) fn has_limits(&self) -> bool {
        !self.limits.is_empty()
    }
}

/// Every program of an engine compiled for some terms.
#[derive(Debug)]
pub(crate) struct Packed {
    pub(crate) terms: Vec<PTerm>,
    /// The tuition slots: term and share.
    tuition: Vec<(usize, Decimal)>,
    /// The day-count slots: term, first and last day of the segment.
    days: Vec<(usize, NaiveDate, NaiveDate)>,
    /// Programs whose amount is owed, as bits.
    pub(crate) owed: u64,
}

/// What the packed path reads of a school: its word (kind,
/// locality, ownership: [`school_word`]), when it joined the nutrition
/// plan and its tuition. Schools alike in these are alike to every
/// program (a packed roster keeps each distinct one once).
#[derive(Debug, Clone)]
pub(crate) struct SchoolFacts {
    pub(crate) word: u64,
    pub(crate) plan_from: Option<NaiveDate>,
    pub(crate) tuition: Option<Money>,
}

impl SchoolFacts {
    /// The facts of `s`.
    pub(crate) fn of(s: &School) -> SchoolFacts {
        SchoolFacts {
            word: school_word(s),
            plan_from: s.nutrition_plan_from,
            tuition: s.annual_tuition,
        }
    }

    /// A key equal for facts that give the same amounts to the fen and
    /// the same decimal form (the tuition's scale included).
    pub(crate) fn key(&self) -> (u64, Option<NaiveDate>, Option<[u8; 16]>) {
        (
            self.word,
            self.plan_from,
            self.tuition.map(|t| t.as_decimal().serialize()),
        )
    }
}

/// Each school's facts for the packed path, per term: its word, its
/// tuition amounts and its school days in the plan.
#[derive(Debug, Default)]
pub(crate) struct SchoolTable {
    nt: usize,
    words: Vec<u64>,
    plan_from: Vec<Option<NaiveDate>>,
    tuition: Vec<Option<Option<Amount>>>,
    days: Vec<u32>,
    n_tuition: usize,
    n_days: usize,
}

impl SchoolTable {
    pub(crate) fn new(pk: &Packed) -> SchoolTable {
        SchoolTable {
            nt: pk.terms.len(),
            n_tuition: pk.tuition.len(),
            n_days: pk.days.len(),
            ..SchoolTable::default()
        }
    }

    /// Add the next school (its number is the count before).
    pub(crate) fn add(&mut self, pk: &Packed, s: &SchoolFacts) {
        let w = s.word;
        for t in &pk.terms {
            let in_plan = s.plan_from.is_some_and(|d| d <= t.plan_until);
            self.words.push(if in_plan { w | IN_PLAN } else { w });
        }
        self.plan_from.push(s.plan_from);
        for (_, share) in &pk.tuition {
            self.tuition.push(s.tuition.map(|t| {
                t.as_decimal()
                    .checked_mul(Decimal::new(5, 1))
                    .and_then(|b| b.checked_mul(*share))
                    .map(Amount::of)
            }));
        }
        for (ti, a, b) in &pk.days {
            let first = s.plan_from.map_or(*a, |j| j.max(*a));
            let n = pk
                .terms
                .get(*ti)
                .and_then(|t| t.window.as_ref())
                .map_or(0, |w| w.school_days(first, *b));
            self.days.push(clamped::<_, u32>(n));
        }
    }

    /// The school's word in term `ti`.
    #[inline]
    pub(crate) fn word(&self, sc: usize, ti: usize) -> u64 {
        self.words.get(sc * self.nt + ti).copied().unwrap_or(0)
    }
}

impl Packed {
    /// The engine's programs compiled for `plans`, or `None` if some
    /// program is not a policy program (a Rust program is evaluated on
    /// the reference path), the engine has more than 64 programs, or a
    /// term's conditions use more distinct exit-from-poverty thresholds
    /// than the word has bits for ([`EXIT_BITS`]).
    pub(crate) fn compile(engine: &Engine, plans: &[TermPlan<'_>]) -> Option<Packed> {
        let np = engine.programs.len();
        if np > 64 || engine.sources.len() != np {
            return None;
        }
        let mut pk = Packed {
            terms: Vec::with_capacity(plans.len()),
            tuition: Vec::new(),
            days: Vec::new(),
            owed: 0,
        };
        for (p, prog) in engine.programs.iter().enumerate() {
            if prog.info().benefit.is_owed() {
                pk.owed |= 1u64 << p;
            }
        }
        for (ti, plan) in plans.iter().enumerate() {
            let cx = plan.context();
            let mut programs = Vec::with_capacity(np);
            let mut prepared = Vec::with_capacity(np);
            for src in &engine.sources {
                // The plans were made by `Engine::plan`, which refused a
                // rule that cannot be resolved, so this cannot fail; if it
                // did, the reference path would run instead.
                prepared.push(src.as_deref()?.prepare_rules(cx).ok()?);
            }
            // The term's exit thresholds, each given a bit.
            let mut thresholds = Vec::new();
            for pr in prepared.iter().flatten() {
                pr.cond.exit_thresholds(cx.reference, &mut thresholds);
                if let Prepared::Tiers { tiers, .. } = &pr.amount {
                    for t in tiers {
                        t.0.exit_thresholds(cx.reference, &mut thresholds);
                    }
                }
            }
            if thresholds.len() > EXIT_BITS.len() {
                return None;
            }
            let exits: Vec<(NaiveDate, u64)> = thresholds.into_iter().zip(EXIT_BITS).collect();
            for rules in &prepared {
                let rules = rules
                    .iter()
                    .map(|pr| {
                        Some((
                            PCond::compile(&pr.cond, cx.reference, &exits)?,
                            Box::new(pk.amount(ti, &pr.amount, cx.reference, &exits)?),
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?;
                programs.push(PProgram { rules });
            }
            let perday_last = programs
                .iter()
                .flat_map(|p| &p.rules)
                .filter_map(|(_, a)| match &**a {
                    PAmount::PerDay(pd) => Some(pd.last_day),
                    _ => None,
                })
                .max()
                .unwrap_or(i32::MIN);
            pk.terms.push(PTerm {
                ref_day: day(cx.reference),
                reference: cx.reference,
                plan_until: cx.window.as_ref().map_or(cx.reference, |w| w.last),
                window: cx.window.clone(),
                programs,
                by_stage: plan.by_stage.clone(),
                exits: exits.iter().map(|(d, b)| (day(*d), *b)).collect(),
                perday_last,
                limits: plan
                    .limits
                    .iter()
                    .map(|l| PLimit {
                        kind: l.limit.kind,
                        members: l.members.clone(),
                        cap: l.cap,
                    })
                    .collect(),
            });
        }
        Some(pk)
    }

    fn amount(
        &mut self,
        ti: usize,
        a: &Prepared<'_>,
        reference: NaiveDate,
        exits: &[(NaiveDate, u64)],
    ) -> Option<PAmount> {
        Some(match a {
            Prepared::Deny(_) | Prepared::OtherSeason(_) | Prepared::Unset(_) => PAmount::Nothing,
            Prepared::Fixed { amounts, .. } => PAmount::Stage(stages(amounts, Some)),
            Prepared::Tuition { share, fallback, .. } => {
                let slot = self.tuition.len();
                self.tuition.push((ti, *share));
                let (fallback, missing) = match fallback {
                    Some((f, _)) => (stages(f, |v| v.checked_mul(*share)), false),
                    None => ([None; STAGES], true),
                };
                PAmount::Tuition {
                    slot,
                    fallback,
                    missing,
                }
            }
            Prepared::Tiers { tiers, share } => PAmount::Tiers(
                tiers
                    .iter()
                    .map(|(c, _, amounts, _, _)| {
                        let s = share.as_ref().map(|x| x.0);
                        Some((
                            PCond::compile(c, reference, exits)?,
                            stages(amounts, |v| match s {
                                Some(s) => v.checked_mul(s),
                                None => Some(v),
                            }),
                        ))
                    })
                    .collect::<Option<Vec<_>>>()?,
            ),
            Prepared::PerDay {
                segments,
                window,
                share,
            } => {
                let slot = self.days.len();
                let mut fen = Vec::with_capacity(segments.len());
                let mut fast = share.is_none();
                for (a, b, rates, _) in segments {
                    self.days.push((ti, *a, *b));
                    let mut r: [Option<(i64, u32)>; STAGES] = [None; STAGES];
                    for (o, d) in r.iter_mut().zip(rates) {
                        if let Some(d) = d {
                            match Amount::of(*d) {
                                Amount::Fen { fen, scale } if scale <= 2 => *o = Some((fen, scale)),
                                _ => fast = false,
                            }
                        }
                    }
                    fen.push(r);
                }
                PAmount::PerDay(Box::new(PerDay {
                    slot,
                    segs: segments.iter().map(|(a, b, r, _)| (*a, *b, *r)).collect(),
                    fen,
                    fast,
                    window: window.clone(),
                    share: share.as_ref().map(|x| x.0),
                    last_day: segments.iter().map(|s| day(s.1)).max().unwrap_or(i32::MIN),
                }))
            }
        })
    }

    /// Program `p`'s amount in term `t` for a student of stage `st` at
    /// school `sc` whose packed word is `w`; `left` is the day number the
    /// student left school (`i32::MAX` if not).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn program(
        &self,
        t: &PTerm,
        p: usize,
        w: u64,
        st: usize,
        sc: usize,
        left: i32,
        table: &SchoolTable,
    ) -> Option<Amount> {
        let prog = t.programs.get(p)?;
        for (cond, amount) in &prog.rules {
            if !cond.holds(w) {
                continue;
            }
            return match &**amount {
                PAmount::Nothing => None,
                PAmount::Stage(a) => a[st],
                PAmount::Tuition {
                    slot,
                    fallback,
                    missing,
                } => match table.tuition.get(sc * table.n_tuition + slot).copied().flatten() {
                    Some(at_school) => at_school,
                    None if *missing => Some(Amount::Missing),
                    None => fallback[st],
                },
                PAmount::Tiers(tiers) => tiers.iter().find(|(c, _)| c.holds(w)).and_then(|(_, a)| a[st]),
                PAmount::PerDay(pd) => {
                    let join = table.plan_from.get(sc).copied().flatten();
                    // Leaving after the last segment changes nothing.
                    if left == i32::MAX || left.saturating_sub(1) >= pd.last_day {
                        if pd.fast {
                            let base = sc * table.n_days;
                            let days = table.days.get(base..base + table.n_days).unwrap_or(&[]);
                            if let Ok(a) = pd.fast(st, days) {
                                return a;
                            }
                        }
                        pd.exact(st, join, None)
                    } else {
                        let last = NaiveDate::from_num_days_from_ce_opt(left.saturating_sub(1));
                        pd.exact(st, join, last)
                    }
                }
            };
        }
        None
    }

    /// Evaluate one student in term `t` into `out` (one slot per program;
    /// the slots of the programs that may apply to stage `st` are
    /// overwritten, the others must be `None`), limits applied.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn term(
        &self,
        t: &PTerm,
        w: u64,
        st: usize,
        sc: usize,
        left: i32,
        table: &SchoolTable,
        out: &mut [Option<Amount>],
    ) {
        let Some(progs) = t.by_stage.get(st) else { return };
        for &p in progs {
            if let Some(o) = out.get_mut(p) {
                *o = self.program(t, p, w, st, sc, left, table).map(Amount::not_negative);
            }
        }
        apply_limits(&t.limits, out);
    }
}

/// The limits across programs, exactly as the reference path applies them
/// (in decimals; limits are rare and touch few programs).
fn apply_limits(limits: &[PLimit], out: &mut [Option<Amount>]) {
    // Missing data is no amount: limits neither see nor touch it.
    let get = |out: &[Option<Amount>], m: usize| {
        out.get(m)
            .copied()
            .flatten()
            .filter(|a| !a.is_missing())
            .map(Amount::dec)
    };
    for l in limits {
        match l.kind {
            LimitKind::Exclusive => {
                let mut keep: Option<(usize, Decimal)> = None;
                for &m in &l.members {
                    if let Some(a) = get(out, m) {
                        if keep.is_none_or(|(_, b)| a > b) {
                            keep = Some((m, a));
                        }
                    }
                }
                let Some((k, _)) = keep else { continue };
                for &m in &l.members {
                    if m != k {
                        if let Some(o) = out.get_mut(m) {
                            if !o.is_some_and(Amount::is_missing) {
                                *o = None;
                            }
                        }
                    }
                }
            }
            LimitKind::Cap => {
                let Some(cap) = l.cap else { continue };
                let sum = l
                    .members
                    .iter()
                    .filter_map(|&m| get(out, m))
                    .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
                    .unwrap_or(Decimal::MAX);
                let Some(mut excess) = sum.checked_sub(cap) else {
                    continue;
                };
                for &m in l.members.iter().rev() {
                    if excess <= Decimal::ZERO {
                        break;
                    }
                    if let Some(a) = get(out, m) {
                        let cut = a.min(excess);
                        if let (Some(o), Some(rest)) = (out.get_mut(m), a.checked_sub(cut)) {
                            *o = Some(Amount::of(rest));
                        }
                        excess = excess.checked_sub(cut).unwrap_or(Decimal::ZERO);
                    }
                }
            }
        }
    }
}

/// True if a student whose enrolment mode is `mode` (see
/// [`crate::packed::mode`]) since day `since` is at school on day `on`.
#[inline]
pub(crate) fn in_school(mode: u64, since: i32, on: i32) -> bool {
    match mode {
        // Enrolled or transferred in: at school from `since` on (an
        // enrolment dated after `on` is not yet at school).
        crate::packed::MODE_TRANSFERRED_IN | crate::packed::MODE_IN_SCHOOL => since <= on,
        _ => on < since,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_decimal_form() {
        for s in ["500", "312.5", "312.50", "0", "4.000", "0.001", "-3", "1e-9"] {
            let Ok(d) = s.parse::<Decimal>().or_else(|_| Decimal::from_scientific(s)) else {
                panic!("{s}");
            };
            let a = Amount::of(d);
            assert_eq!(a.dec().serialize(), d.serialize(), "{s}");
        }
        assert_eq!(Amount::of(Decimal::new(3125, 1)), Amount::Fen { fen: 31250, scale: 1 });
        assert!(matches!(Amount::of(Decimal::new(1, 3)), Amount::Dec(_)));
        assert_eq!(Amount::of(Decimal::from(-5)).not_negative().dec(), Decimal::ZERO);
    }
}

//! Conditions compiled for speed, and explained in a clerk's words.

use std::fmt;

use chrono::NaiveDate;
use eduaid_model::{Household, Locality, Ownership, Stage, StatusKind};

use crate::facts::{Facts, StatusSet, Ymd};
use crate::schema::ConditionsDef;

mod flags;
mod words;

pub use flags::Reads;
pub(crate) use flags::{FLAG_COUNT, FLAGS, with_flags};
pub(crate) use words::Words;
use words::{AltHeld, AltsFailed, Join, NotHeld};

/// The English words a clerk reads for a status.
#[must_use]
pub fn status_words(k: StatusKind) -> &'static str {
    match k {
        StatusKind::RegisteredPoor => "registered-poor",
        StatusKind::Monitored => "monitored against relapse",
        StatusKind::Dibao => "on dibao",
        StatusKind::Destitute => "destitute-supported",
        StatusKind::Orphan => "an orphan",
        StatusKind::DeFactoUnsupported => "a de facto unsupported child",
        StatusKind::Hardship => "certified in hardship",
    }
}

/// What the household's record says about `kind` around `date`, when it
/// did not hold it then.
fn status_detail(h: &Household, kind: StatusKind, date: NaiveDate) -> Option<String> {
    let spells = h.spells(kind);
    if let Some(later) = spells.iter().find(|s| s.range.from > date) {
        return Some(if kind == StatusKind::RegisteredPoor {
            format!("registered on {}", later.range.from)
        } else {
            format!("{} from {}", status_words(kind), later.range.from)
        });
    }
    if let Some(ended) = spells.iter().rev().find_map(|s| s.range.until.filter(|u| *u <= date)) {
        return Some(if kind == StatusKind::RegisteredPoor {
            format!("exited poverty on {ended}")
        } else {
            format!("{} until {ended}", status_words(kind))
        });
    }
    None
}

/// Words joined as a clerk says them (the form [`NotHeld`] writes).
#[cfg(test)]
fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [a] => (*a).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Hand `$yes` to `$out` as held if `$held`; otherwise `$no` as failed,
/// and return false from the explaining function.
macro_rules! check {
    ($out:ident, $held:expr, $yes:expr, $no:expr) => {
        if $held {
            $out($yes, true);
        } else {
            $out($no, false);
            return false;
        }
    };
}

/// A condition group, compiled to bit masks.
#[derive(Debug, Clone)]
pub(crate) struct Cond {
    pub(crate) stages: u8,
    pub(crate) grades: u16,
    pub(crate) kinds: u16,
    pub(crate) locality: Option<Locality>,
    pub(crate) ownership: Option<Ownership>,
    pub(crate) hukou: Option<eduaid_model::Hukou>,
    /// What the group asks of each of [`FLAGS`].
    pub(crate) flags: [Option<bool>; FLAG_COUNT],
    pub(crate) statuses: StatusSet,
    pub(crate) status_list: Vec<StatusKind>,
    pub(crate) in_plan: Option<bool>,
    /// Exited poverty on or after this date (by the reference date).
    pub(crate) exited_since: Option<NaiveDate>,
    /// Exited poverty within this many years of the reference date.
    pub(crate) exited_within_years: Option<u32>,
    pub(crate) any: Vec<Cond>,
    pub(crate) def: ConditionsDef,
    /// The words of the stage condition for a student of each stage (by
    /// its number), held or not: made once here, copied per traced student.
    pub(crate) stage_words: Vec<String>,
    /// The status list in words, `not a, b or c` (the start of
    /// [`NotHeld`]'s text), made once here.
    not_held: String,
    /// True if the words of this group and of its alternatives depend on
    /// nothing but the student's own fields, the household's statuses on
    /// the reference date and that date, when the household has no record
    /// to detail (no school, no exit from poverty): what [`Cond::words_key`]
    /// packs.
    plain: bool,
    /// What the alternatives read.
    alt_reads: Reads,
}

/// The words of a stage condition covering `st`, for each stage (by its
/// number): the same text [`Cond::explain_to`] would write.
fn stage_words(st: &[Stage]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for &s in Stage::ALL {
        let i = s as usize;
        if v.len() <= i {
            v.resize(i + 1, String::new());
        }
        let text = if st.contains(&s) {
            format!("stage is {} ({})", s.chinese(), s)
        } else {
            format!(
                "stage is {} ({}); the rule covers {}",
                s.chinese(),
                s,
                Join(st.iter().map(|x| x.chinese()), ", ")
            )
        };
        if let Some(x) = v.get_mut(i) {
            *x = text;
        }
    }
    v
}

/// `not a, b or c` for the statuses of `list` (as [`join_or`]).
fn not_held(list: &[StatusKind]) -> String {
    let mut w = String::from("not ");
    let n = list.len();
    for (i, k) in list.iter().enumerate() {
        if i > 0 {
            w.push_str(if i + 1 == n { " or " } else { ", " });
        }
        w.push_str(status_words(*k));
    }
    w
}

/// True if the words of `def` and of its alternatives name no school and
/// no exit from poverty (see [`Cond::plain`]).
fn plain(def: &ConditionsDef) -> bool {
    def.school_kinds.is_none()
        && def.locality.is_none()
        && def.ownership.is_none()
        && def.in_nutrition_plan.is_none()
        && def.exited_since.is_none()
        && def.exited_within_years.is_none()
        && def.any.as_ref().is_none_or(|v| v.iter().all(plain))
}

/// A date as a number for a [`WordsKey`] (0 for none).
fn date_key(d: NaiveDate) -> u64 {
    use chrono::Datelike as _;
    1 + (i64::from(d.num_days_from_ce()) - i64::from(i32::MIN)).unsigned_abs()
}

/// What a condition's words are the same for, within one run on one
/// policy: the address of what the policy holds that they come from
/// (never 0), and two numbers of what else they depend on. Words with the
/// same key are the same text, so a trace that holds them already need
/// not write them again.
pub(crate) type WordsKey = (usize, u64, u64);

/// Words of a text the policy (or the program) holds for the whole run,
/// keyed by its address and length.
fn fixed(text: &str) -> Words<'_> {
    Words::KeyedStr((text.as_ptr().addr(), text.len() as u64, 0), text)
}

impl Cond {
    pub(crate) fn compile(def: &ConditionsDef) -> Cond {
        Cond {
            stages: def
                .stages
                .as_ref()
                .map_or(0, |v| v.iter().fold(0u8, |a, s| a | (1u8 << (*s as u8)))),
            grades: def
                .grades
                .as_ref()
                .map_or(0, |v| v.iter().fold(0u16, |a, g| a | (1u16 << (*g).min(15)))),
            kinds: def
                .school_kinds
                .as_ref()
                .map_or(0, |v| v.iter().fold(0u16, |a, k| a | (1u16 << (*k as u16)))),
            locality: def.locality,
            ownership: def.ownership,
            hukou: def.hukou,
            flags: FLAGS.map(|fl| (fl.def)(def)),
            statuses: def
                .status_any
                .as_deref()
                .map_or(StatusSet::EMPTY, StatusSet::from_kinds),
            status_list: def.status_any.clone().unwrap_or_default(),
            in_plan: def.in_nutrition_plan,
            exited_since: def.exited_since.map(|w| w.date),
            exited_within_years: def.exited_within_years,
            any: def
                .any
                .as_ref()
                .map_or_else(Vec::new, |v| v.iter().map(Cond::compile).collect()),
            def: def.clone(),
            stage_words: def.stages.as_deref().map_or_else(Vec::new, stage_words),
            not_held: not_held(def.status_any.as_deref().unwrap_or_default()),
            plain: plain(def),
            alt_reads: Reads::NOTHING,
        }
        .with_alt_reads()
    }

    /// This group, knowing what its alternatives read.
    fn with_alt_reads(mut self) -> Cond {
        self.alt_reads = self.any.iter().fold(Reads::NOTHING, |r, c| r | c.reads());
        self
    }

    /// A key of everything the words of this group's alternatives depend
    /// on, for a student whose household has no record to detail (see
    /// [`Cond::plain`]): the student's fields the conditions read, the
    /// statuses held, whether there is a household, and the reference
    /// date. The address of the group's alternatives says whose words.
    fn words_key(&self, f: &Facts<'_>) -> WordsKey {
        let s = f.student;
        let r = self.alt_reads;
        // A disability is named by its kind.
        let disability = if r.covers(Reads::DISABLED) {
            s.disability.map_or(0, |k| u64::from(k as u8) + 1)
        } else {
            0
        };
        let student = u64::from(r.key(s))
            | u64::from(s.stage as u8 & 0xf) << 28
            | disability << 32
            | u64::from(r.mask(f.statuses)) << 40
            | u64::from(f.household.is_some()) << 48;
        (
            std::ptr::from_ref(&self.any).addr(),
            student,
            date_key(f.term.reference),
        )
    }

    /// The student's facts the condition reads.
    pub(crate) fn reads(&self) -> Reads {
        let mut r = Reads::statuses(self.statuses);
        for (on, flag) in [(self.grades != 0, Reads::GRADE), (self.hukou.is_some(), Reads::HUKOU)] {
            if on {
                r = r | flag;
            }
        }
        for (want, fl) in self.flags.iter().zip(&FLAGS) {
            if want.is_some() {
                r = r | fl.reads;
            }
        }
        self.any.iter().fold(r, |a, c| a | c.reads())
    }

    /// True if this group or one of its alternatives asks when the
    /// household exited poverty (which [`Reads`] cannot express: such a
    /// program is evaluated student by student on the reference path, and
    /// resolved per term into the packed word on the packed path).
    pub(crate) fn reads_exit(&self) -> bool {
        self.exited_since.is_some() || self.exited_within_years.is_some() || self.any.iter().any(Cond::reads_exit)
    }

    /// The earliest exit from poverty this group accepts in a term whose
    /// reference date is `reference` (an exit must also fall on or before
    /// it), or `None` if the group does not ask.
    pub(crate) fn exit_threshold(&self, reference: NaiveDate) -> Option<NaiveDate> {
        let within = self.exited_within_years.map(|n| {
            reference
                .checked_sub_months(chrono::Months::new(n.saturating_mul(12)))
                .unwrap_or(NaiveDate::MIN)
        });
        match (self.exited_since, within) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Every exit threshold this group and its alternatives use in a term
    /// whose reference date is `reference`.
    pub(crate) fn exit_thresholds(&self, reference: NaiveDate, out: &mut Vec<NaiveDate>) {
        if let Some(t) = self.exit_threshold(reference) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        for c in &self.any {
            c.exit_thresholds(reference, out);
        }
    }

    /// True if the household's exit from poverty meets this group's
    /// exit condition on the term's reference date (true if it has none).
    fn exit_holds(&self, f: &Facts<'_>) -> bool {
        let date = f.term.reference;
        match self.exit_threshold(date) {
            None => true,
            Some(t) => f.household.and_then(|h| h.exited_on(date)).is_some_and(|u| u >= t),
        }
    }

    /// True if the school is in the nutrition plan during the term.
    fn school_in_plan(f: &Facts<'_>) -> bool {
        let until = f.term.window.as_ref().map_or(f.term.reference, |w| w.last);
        f.school.nutrition_plan_from.is_some_and(|d| d <= until)
    }

    /// The fast check.
    pub(crate) fn holds(&self, f: &Facts<'_>) -> bool {
        let s = f.student;
        (self.stages == 0 || self.stages & (1u8 << (s.stage as u8)) != 0)
            && (self.grades == 0 || self.grades & (1u16 << s.grade.min(15)) != 0)
            && (self.kinds == 0 || self.kinds & (1u16 << (f.school.kind as u16)) != 0)
            && self.locality.is_none_or(|l| l == f.school.locality)
            && self.ownership.is_none_or(|o| o == f.school.ownership)
            && self.hukou.is_none_or(|h| h == s.hukou)
            && self
                .flags
                .iter()
                .zip(&FLAGS)
                .all(|(w, fl)| w.is_none_or(|w| w == (fl.read)(s)))
            && (self.statuses.is_empty() || self.statuses.intersects(f.statuses))
            && self.in_plan.is_none_or(|p| p == Cond::school_in_plan(f))
            && self.exit_holds(f)
            && (self.any.is_empty() || self.any.iter().any(|c| c.holds(f)))
    }

    /// What [`Cond::explain`] would say, without its words: how many of
    /// the conditions hold before the first that fails, and whether none
    /// fails. The same checks in the same order, so a trace can choose
    /// the rule to explain before writing a word of it.
    pub(crate) fn prefix(&self, f: &Facts<'_>) -> (usize, bool) {
        let s = f.student;
        let sch = f.school;
        let mut held = 0usize;
        macro_rules! check {
            ($held:expr) => {
                if $held {
                    held += 1;
                } else {
                    return (held, false);
                }
            };
        }
        if let Some(st) = &self.def.stages {
            check!(st.contains(&s.stage));
        }
        if let Some(g) = &self.def.grades {
            check!(g.contains(&s.grade));
        }
        if let Some(k) = &self.def.school_kinds {
            check!(k.contains(&sch.kind));
        }
        if let Some(l) = self.locality {
            check!(l == sch.locality);
        }
        if let Some(o) = self.ownership {
            check!(o == sch.ownership);
        }
        if let Some(h) = self.hukou {
            check!(h == s.hukou);
        }
        for (want, fl) in self.flags.iter().zip(&FLAGS) {
            if let Some(w) = *want {
                check!(w == (fl.read)(s));
            }
        }
        if !self.statuses.is_empty() {
            check!(self.status_list.iter().any(|k| f.statuses.contains(*k)));
        }
        if let Some(p) = self.in_plan {
            check!(p == Cond::school_in_plan(f));
        }
        let date = f.term.reference;
        if let Some(t) = self.exit_threshold(date) {
            check!(f.household.and_then(|h| h.exited_on(date)).is_some_and(|u| u >= t));
        }
        if !self.any.is_empty() {
            check!(self.any.iter().any(|alt| alt.prefix(f).1));
        }
        (held, true)
    }

    /// The conditions in order, each with whether it held, up to and
    /// including the first that failed (the debug check of `prefix`).
    #[cfg(debug_assertions)]
    pub(crate) fn explain(&self, f: &Facts<'_>) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        self.explain_to(f, &mut |text, held| out.push((text.to_string(), held)));
        out
    }

    /// As [`Cond::explain`], each condition handed to `out` in words (no
    /// text is kept here: a trace writes it into its own buffers).
    pub(crate) fn explain_to(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) {
        // Each part stops (false) at the first condition that fails.
        let _ = self.explain_stage_and_grade(f, out)
            && self.explain_school(f, out)
            && self.explain_student(f, out)
            && self.explain_statuses(f, out)
            && self.explain_plan(f, out)
            && self.explain_exit(f, out)
            && {
                self.explain_alternatives(f, out);
                true
            };
    }

    /// The stage and the grade: false at the first that fails.
    fn explain_stage_and_grade(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let s = f.student;
        if let Some(st) = &self.def.stages {
            if let Some(w) = self.stage_words.get(s.stage as usize) {
                check!(out, st.contains(&s.stage), fixed(w), fixed(w));
            } else {
                check!(
                    out,
                    st.contains(&s.stage),
                    Words::Fmt(format_args!("stage is {} ({})", s.stage.chinese(), s.stage)),
                    Words::Fmt(format_args!(
                        "stage is {} ({}); the rule covers {}",
                        s.stage.chinese(),
                        s.stage,
                        Join(st.iter().map(|x| x.chinese()), ", ")
                    ))
                );
            }
        }
        if let Some(g) = &self.def.grades {
            let key = (std::ptr::from_ref(&self.grades).addr(), u64::from(s.grade), 0);
            check!(
                out,
                g.contains(&s.grade),
                Words::Keyed(key, format_args!("in grade {}", s.grade)),
                Words::Keyed(
                    key,
                    format_args!("in grade {}; the rule covers grades {}", s.grade, Join(g.iter(), ", "))
                )
            );
        }
        true
    }

    /// The school's kind, locality and ownership: false at the first that fails.
    fn explain_school(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let sch = f.school;
        if let Some(k) = &self.def.school_kinds {
            check!(
                out,
                k.contains(&sch.kind),
                Words::Fmt(format_args!("school {} is a {}", sch.name, sch.kind.chinese())),
                Words::Fmt(format_args!(
                    "school {} is a {} ({}); the rule covers {}",
                    sch.name,
                    sch.kind.chinese(),
                    sch.kind,
                    Join(k.iter().map(|x| x.chinese()), ", ")
                ))
            );
        }
        if let Some(l) = self.locality {
            check!(
                out,
                l == sch.locality,
                Words::Fmt(format_args!(
                    "school {} is {} ({})",
                    sch.name,
                    sch.locality,
                    sch.locality.chinese()
                )),
                Words::Fmt(format_args!(
                    "school {} is {} ({}); the rule requires {}",
                    sch.name,
                    sch.locality,
                    sch.locality.chinese(),
                    l
                ))
            );
        }
        if let Some(o) = self.ownership {
            check!(
                out,
                o == sch.ownership,
                Words::Fmt(format_args!(
                    "school {} is {} ({})",
                    sch.name,
                    sch.ownership,
                    sch.ownership.chinese()
                )),
                Words::Fmt(format_args!(
                    "school {} is {} ({}); the rule requires {}",
                    sch.name,
                    sch.ownership,
                    sch.ownership.chinese(),
                    o
                ))
            );
        }
        true
    }

    /// The student's hukou and yes-or-no facts: false at the first that fails.
    fn explain_student(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let s = f.student;
        if let Some(h) = self.hukou {
            let key = (std::ptr::from_ref(&self.hukou).addr(), u64::from(s.hukou as u8), 0);
            check!(
                out,
                h == s.hukou,
                Words::Keyed(key, format_args!("hukou is {} ({})", s.hukou, s.hukou.chinese())),
                Words::Keyed(
                    key,
                    format_args!("hukou is {} ({}); the rule requires {}", s.hukou, s.hukou.chinese(), h)
                )
            );
        }
        for (want, fl) in self.flags.iter().zip(&FLAGS) {
            let Some(w) = *want else { continue };
            let has = (fl.read)(s);
            let words = fl.words[usize::from(has)];
            match (fl.detail)(s).filter(|_| has) {
                Some(d) => {
                    let key = (
                        std::ptr::from_ref(want).addr(),
                        d.as_ptr().addr() as u64,
                        d.len() as u64,
                    );
                    let args = format_args!("{words} ({d})");
                    check!(out, w == has, Words::Keyed(key, args), Words::Keyed(key, args));
                }
                None => {
                    let failed = fl.failed.map_or(words, |f| f[usize::from(has)]);
                    check!(out, w == has, fixed(words), fixed(failed));
                }
            }
        }
        true
    }

    /// The household's statuses on the reference date: false if none the rule names is held.
    fn explain_statuses(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let date = f.term.reference;
        if !self.statuses.is_empty() {
            let held = || {
                self.status_list
                    .iter()
                    .filter(|k| f.statuses.contains(**k))
                    .map(|k| status_words(*k))
            };
            if held().next().is_some() {
                let key = (
                    std::ptr::from_ref(&self.status_list).addr(),
                    u64::from(self.statuses.bits() & f.statuses.bits()),
                    date_key(date),
                );
                out(
                    Words::Keyed(key, format_args!("{} on {}", Join(held(), " and "), Ymd(date))),
                    true,
                );
            } else {
                let not = NotHeld { cond: self, f };
                match f.household {
                    // Nothing on record to detail: the same words for the
                    // same reference date.
                    None => out(
                        Words::Keyed(
                            (std::ptr::from_ref(&self.statuses).addr(), 0, date_key(date)),
                            format_args!("{not}"),
                        ),
                        false,
                    ),
                    Some(_) => out(Words::Fmt(format_args!("{not}")), false),
                }
                return false;
            }
        }
        true
    }

    /// The school in the nutrition plan: false if not as the rule asks.
    fn explain_plan(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let sch = f.school;
        if let Some(p) = self.in_plan {
            let is = Cond::school_in_plan(f);
            if p == is {
                match sch.nutrition_plan_from {
                    // Pieces copied one after another, no formatting.
                    Some(d) => match Ymd(d).ascii() {
                        Some(buf) => out(
                            Words::Parts(&[
                                "school ",
                                &sch.name,
                                " joined the nutrition plan on ",
                                std::str::from_utf8(&buf).unwrap_or_default(),
                            ]),
                            true,
                        ),
                        None => out(
                            Words::Fmt(format_args!("school {} joined the nutrition plan on {d}", sch.name)),
                            true,
                        ),
                    },
                    None => out(
                        Words::Fmt(format_args!("school {} is not in the nutrition plan", sch.name)),
                        true,
                    ),
                }
            } else {
                match (sch.nutrition_plan_from, &f.term.window) {
                    (Some(d), Some(w)) if p => out(
                        Words::Fmt(format_args!(
                            "school {} joined the nutrition plan on {}, after this term's provision ended on {}",
                            sch.name,
                            Ymd(d),
                            Ymd(w.last)
                        )),
                        false,
                    ),
                    (None, _) if p => out(
                        Words::Fmt(format_args!("school {} is not in the nutrition plan", sch.name)),
                        false,
                    ),
                    _ => out(
                        Words::Fmt(format_args!("school {} is in the nutrition plan", sch.name)),
                        false,
                    ),
                }
                return false;
            }
        }
        true
    }

    /// The exit from poverty: false if not on or after the threshold.
    fn explain_exit(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) -> bool {
        let date = f.term.reference;
        if let Some(t) = self.exit_threshold(date) {
            let exit = f.household.and_then(|h| h.exited_on(date));
            let within = self
                .exited_within_years
                .map_or_else(String::new, |n| format!(" (within {n} years of {date})"));
            let no = match (f.household, exit) {
                (None, _) => {
                    format!("not a household that exited poverty (脱贫户) on or after {t}: no household on record")
                }
                (Some(_), Some(u)) => format!("exited poverty (脱贫) on {u}, before {t}{within}"),
                (Some(h), None) => match h.spells(StatusKind::RegisteredPoor).first() {
                    Some(s) if s.range.until.is_some() => format!(
                        "not a household that exited poverty (脱贫户) by {date}: exits on {}",
                        s.range.until.map_or_else(String::new, |u| u.to_string())
                    ),
                    Some(_) => format!("not a household that exited poverty (脱贫户) by {date}: still registered-poor"),
                    None => {
                        format!("not a household that exited poverty (脱贫户) on or after {t}: never registered-poor")
                    }
                },
            };
            check!(
                out,
                exit.is_some_and(|u| u >= t),
                Words::Fmt(format_args!(
                    "exited poverty (脱贫) on {}, on or after {t}{within}",
                    exit.map_or_else(String::new, |u| u.to_string())
                )),
                Words::Str(&no)
            );
        }
        true
    }

    /// The alternatives: the first that holds, or why none does.
    fn explain_alternatives(&self, f: &Facts<'_>, out: &mut dyn FnMut(Words<'_>, bool)) {
        if !self.any.is_empty() {
            // Alternatives that name no school: the same words for the same
            // facts, when no household record is detailed (an alternative
            // that holds details none; one that fails details the
            // household's statuses, if it has a household).
            let key = |detailed: bool| (self.plain && !detailed).then(|| self.words_key(f));
            let words = |args: fmt::Arguments<'_>, held: bool, out: &mut dyn FnMut(Words<'_>, bool)| match key(
                !held && f.household.is_some()
            ) {
                Some(k) => out(Words::Keyed(k, args), held),
                None => out(Words::Fmt(args), held),
            };
            match self.any.iter().find(|alt| alt.prefix(f).1) {
                Some(alt) => words(format_args!("{}", AltHeld { alt, f }), true, out),
                None => words(
                    format_args!("none of the alternatives holds: {}", AltsFailed { alts: &self.any, f }),
                    false,
                    out,
                ),
            }
        }
    }
}

/// The stage index of `s` in per-stage tables.
pub(crate) fn stage_ix(s: Stage) -> usize {
    s as usize
}

/// How many stages there are.
pub(crate) const STAGES: usize = 7;

#[cfg(test)]
mod tests {
    use super::*;
    use eduaid_model::HouseholdId;

    #[test]
    fn status_sets_hold_the_statuses_of_the_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut h = Household::new(HouseholdId::new("H").unwrap());
        h.add_status(StatusKind::RegisteredPoor, d("2015-01-01"), Some(d("2017-01-01")))
            .unwrap();
        h.add_status(StatusKind::Dibao, d("2016-06-01"), None).unwrap();
        let s = StatusSet::of(Some(&h), d("2016-09-01"));
        assert!(s.contains(StatusKind::RegisteredPoor) && s.contains(StatusKind::Dibao));
        assert!(!s.contains(StatusKind::Orphan));
        let later = StatusSet::of(Some(&h), d("2017-03-01"));
        assert!(!later.contains(StatusKind::RegisteredPoor));
        assert!(later.intersects(StatusSet::from_kinds(&[StatusKind::Dibao, StatusKind::Orphan])));
        assert!(StatusSet::of(None, d("2017-03-01")).is_empty());
        assert_eq!(
            status_detail(&h, StatusKind::RegisteredPoor, d("2017-03-01")).as_deref(),
            Some("exited poverty on 2017-01-01")
        );
        assert_eq!(status_detail(&h, StatusKind::Orphan, d("2017-03-01")), None);
    }

    #[test]
    fn every_yes_or_no_fact_goes_from_toml_to_its_condition_words_and_bits() {
        use crate::packed::layout::{FLAG_BITS, PCond, student_word};
        use eduaid_model::{EnrolmentStatus, Hukou, SchoolId, SchoolKind, Sex, StudentId};
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let school = eduaid_model::School::new(
            SchoolId::new("A1").unwrap(),
            "学校A1",
            SchoolKind::Primary,
            Ownership::Public,
            "镇A",
            Locality::Rural,
        );
        let plain = eduaid_model::Student {
            id: StudentId::new("S1").unwrap(),
            name: "学生S1".into(),
            sex: Sex::Female,
            birth_date: d("2012-01-01"),
            school_id: SchoolId::new("A1").unwrap(),
            stage: Stage::Primary,
            grade: 3,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: false,
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: None,
            status: EnrolmentStatus::Enrolled,
            status_since: d("2020-09-01"),
            helper: None,
        };
        let term = crate::facts::TermContext {
            term: "2021-spring".parse().unwrap(),
            reference: d("2021-03-01"),
            window: None,
        };
        let mut keys = std::collections::BTreeSet::new();
        for (i, fl) in FLAGS.iter().enumerate() {
            assert!(keys.insert(fl.key), "{} twice", fl.key);
            for want in [false, true] {
                let text = format!("{} = {want}", fl.key);
                let def: ConditionsDef = toml::from_str(&text).unwrap();
                // The key is the field `def` reads, and no other fact's.
                for (j, other) in FLAGS.iter().enumerate() {
                    assert_eq!((other.def)(&def), (i == j).then_some(want), "{text}: {}", other.key);
                }
                assert_eq!(toml::to_string(&def).unwrap().trim(), text);
                let cond = Cond::compile(&def);
                assert!(cond.reads().covers(fl.reads), "{text}");
                // A fact beyond the packed word's bits is not packed: a
                // program asking for it runs on the streamed path.
                let packed = PCond::compile(&cond, term.reference, &[]);
                assert_eq!(
                    packed.is_some(),
                    u32::try_from(i).is_ok_and(|i| i < FLAG_BITS),
                    "{text}"
                );
                let mut keys_seen = Vec::new();
                for has in [false, true] {
                    let mut s = plain.clone();
                    (fl.set)(&mut s, has);
                    assert_eq!((fl.read)(&s), has, "{}", fl.key);
                    let f = Facts::new(&s, &school, None, &term);
                    let holds = want == has;
                    assert_eq!(cond.holds(&f), holds, "{text}, student {has}");
                    assert_eq!(cond.prefix(&f), (usize::from(holds), holds), "{text}");
                    if let Some(packed) = &packed {
                        assert_eq!(packed.holds(student_word(&s)), holds, "{text}, packed, student {has}");
                    }
                    let mut words: Vec<(String, bool)> = Vec::new();
                    cond.explain_to(&f, &mut |w, held| words.push((w.to_string(), held)));
                    assert_eq!(words.len(), 1, "{text}");
                    assert!(words[0].0.starts_with(fl.words[usize::from(has)]), "{text}: {words:?}");
                    assert_eq!(words[0].1, holds);
                    keys_seen.push(cond.reads().key(&s));
                }
                assert_ne!(keys_seen[0], keys_seen[1], "{text}: the group key tells the two apart");
            }
        }
    }

    #[test]
    fn or_lists_read_naturally() {
        assert_eq!(join_or(&["a"]), "a");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
        assert_eq!(join_or(&[]), "");
    }
}

//! The program trait, the facts a program is evaluated on, traces, and the
//! TOML-defined program.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use eduaid_model::convert::clamped;
use eduaid_model::{Household, Money, ProgramId, School, Season, Student, Term};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::{Cond, Reads, STAGES, StatusSet, Words, stage_ix};
use crate::policy::{Citation, DatedValue, Policy, ProgramSpec, Rule, Window};
use crate::schema::{AmountDef, Effect, When};

/// What kind of benefit a program gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// Money paid to the student or family (打卡发放).
    Cash,
    /// Fees not charged (免学费, 免学杂费): the amount is the fees waived
    /// (`waiver`, or `waived`, in policy files).
    #[serde(alias = "waived")]
    Waiver,
    /// Goods or meals (实物): textbooks, school meals.
    InKind,
    /// An upper limit, not an entitlement: a loan cap, or a scholarship the
    /// student may be selected for.
    Ceiling,
}

impl Benefit {
    /// True if the amount is owed to the student (everything but a
    /// ceiling).
    #[must_use]
    pub fn is_owed(self) -> bool {
        self != Benefit::Ceiling
    }

    /// Every kind, in the order totals list them.
    pub const ALL: [Benefit; 4] = [Benefit::Cash, Benefit::Waiver, Benefit::InKind, Benefit::Ceiling];

    /// The code used in policy files and output columns: `cash`, `waiver`,
    /// `in_kind`, `ceiling`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Benefit::Cash => "cash",
            Benefit::Waiver => "waiver",
            Benefit::InKind => "in_kind",
            Benefit::Ceiling => "ceiling",
        }
    }

    /// The words a clerk reads: 现金, 免除费用, 实物, 上限.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            Benefit::Cash => "现金",
            Benefit::Waiver => "免除费用",
            Benefit::InKind => "实物",
            Benefit::Ceiling => "上限（非应发）",
        }
    }
}

/// The basis of an entitlement (issue 13 item 3): the rule that decided,
/// in a clerk's words, the tier where the rule has tiers (一档, 二档…),
/// the layer that set the rule and its citation. Borrowed from the
/// engine's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Basis<'a> {
    /// The rule's id, unique in its program.
    pub rule: &'a str,
    /// Who the rule is for, in a clerk's words.
    pub label: Option<&'a str>,
    /// The tier that set the amount, if the rule has tiers.
    pub tier: Option<&'a str>,
    /// The policy layer that set the rule (`national`, an overlay).
    pub layer: &'a str,
    /// The rule's citation.
    pub cite: &'a Citation,
}

/// A program's description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Id, e.g. `living-subsidy`.
    pub id: ProgramId,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub english: Option<String>,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// Founding document.
    pub cite: Option<Citation>,
}

/// The term being evaluated: its reference date and school-day window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermContext {
    /// The term.
    pub term: Term,
    /// The day household status is judged on: the term's first day.
    pub reference: NaiveDate,
    /// The meal-provision window, if the policy has a calendar.
    pub window: Option<Window>,
}

/// Everything a program may look at for one student in one term.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The student.
    pub student: &'a Student,
    /// The student's school.
    pub school: &'a School,
    /// The student's household, if any.
    pub household: Option<&'a Household>,
    /// The household's statuses on the reference date.
    pub statuses: StatusSet,
    /// The term.
    pub term: &'a TermContext,
}

impl<'a> Facts<'a> {
    /// The facts of `student` at `school` in the term of `term`, with the
    /// household's statuses taken on the term's reference date.
    #[must_use]
    pub fn new(
        student: &'a Student,
        school: &'a School,
        household: Option<&'a Household>,
        term: &'a TermContext,
    ) -> Facts<'a> {
        Facts {
            student,
            school,
            household,
            statuses: StatusSet::of(household, term.reference),
            term,
        }
    }
}

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// The rule that decided (or came closest).
    Rule {
        /// The program.
        program: String,
        /// The rule's id.
        rule: String,
        /// Who it is for.
        label: Option<String>,
        /// Its layer.
        layer: String,
        /// Its citation.
        cite: Citation,
    },
    /// A condition, and whether it held.
    Condition {
        /// In words.
        text: String,
        /// Whether it held.
        held: bool,
    },
    /// A parameter value used.
    Parameter {
        /// The parameter's name.
        name: String,
        /// The value, as written.
        value: String,
        /// From when it holds.
        from: When,
        /// Its citation.
        cite: Citation,
    },
    /// Arithmetic done, in words.
    Computation {
        /// E.g. `1000元/年 ÷ 2 = 500元`.
        text: String,
    },
    /// A rule across programs applied.
    Limit {
        /// Its id.
        id: String,
        /// What it did.
        text: String,
        /// Its citation.
        cite: Citation,
    },
    /// Why the student is not entitled.
    NotEntitled {
        /// In a clerk's words.
        reason: String,
    },
}

/// The explanation of one decision.
#[derive(Default, Serialize)]
pub struct Trace {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// While a batch run writes a student's steps ([`Trace::restart`] to
    /// [`Trace::finish`]): how many are written. The steps past it are the
    /// previous student's, overwritten in place for their buffers, with no
    /// allocation once the buffers are large enough.
    #[serde(skip)]
    cursor: Option<usize>,
    /// While a batch run rewrites the trace: for each step, the address of
    /// the rule or citation it was last written from (0: none) and which
    /// of its texts (a parameter's stage), so that a step written again
    /// from the same one is not copied again. The policy the addresses
    /// point into is borrowed for the whole run.
    #[serde(skip)]
    sources: Vec<Source>,
    /// The steps a batch run's last use left over ([`Trace::finish`]),
    /// last first: the next use rewrites them in place of new steps, so a
    /// step's buffers outlive a shorter trace.
    #[serde(skip)]
    spare: Vec<Step>,
}

impl Clone for Trace {
    fn clone(&self) -> Trace {
        Trace {
            steps: self.steps.get(..self.len()).unwrap_or(&[]).to_vec(),
            cursor: None,
            sources: Vec::new(),
            spare: Vec::new(),
        }
    }
}

impl PartialEq for Trace {
    /// The same steps.
    fn eq(&self, other: &Trace) -> bool {
        self.steps.get(..self.len()) == other.steps.get(..other.len())
    }
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace")
            .field("steps", &self.steps.get(..self.len()).unwrap_or(&[]))
            .finish()
    }
}

/// What a step of a batch run's trace was written from: the address of a
/// rule, citation or rate the policy holds (0: none), and what else its
/// text depends on, so that a step whose source is unchanged is not
/// written again.
type Source = (usize, u64, u64);

/// A date, or none, as a key of a step's [`Source`] (0 for none).
fn date_key(d: Option<NaiveDate>) -> u64 {
    use chrono::Datelike as _;
    d.map_or(0, |d| {
        1 + (i64::from(d.num_days_from_ce()) - i64::from(i32::MIN)).unsigned_abs()
    })
}

/// `s` made to hold `args`, in its own buffer.
fn set_fmt(s: &mut String, args: fmt::Arguments<'_>) {
    use std::fmt::Write as _;
    s.clear();
    match args.as_str() {
        Some(text) => s.push_str(text),
        None => {
            let _ = s.write_fmt(args);
        }
    }
}

/// `s` made to hold `w`, in its own buffer.
fn set_words(s: &mut String, w: Words<'_>) {
    match w {
        Words::Str(v) => set_str(s, v),
        Words::Fmt(args) => set_fmt(s, args),
    }
}

/// `s` made to hold `v`, in its own buffer.
fn set_str(s: &mut String, v: &str) {
    s.clear();
    s.push_str(v);
}

/// The first text buffer of a spent step, taken and emptied.
fn salvage(step: &mut Step) -> String {
    let s = match step {
        Step::Condition { text, .. }
        | Step::Computation { text }
        | Step::NotEntitled { reason: text }
        | Step::Limit { text, .. }
        | Step::Parameter { value: text, .. }
        | Step::Rule { rule: text, .. } => text,
    };
    let mut s = std::mem::take(s);
    s.clear();
    s
}

impl Trace {
    /// Add a step.
    pub fn push(&mut self, s: Step) {
        match self.next() {
            Some(slot) => *slot = s,
            None => self.append(s),
        }
    }

    /// The steps written (while a batch run writes them, those of the
    /// current student).
    pub(crate) fn len(&self) -> usize {
        self.cursor.unwrap_or(self.steps.len()).min(self.steps.len())
    }

    /// Start the trace's next use: the steps there are overwritten one by
    /// one, keeping their buffers, until [`Trace::finish`].
    pub(crate) fn restart(&mut self) {
        self.cursor = Some(0);
        // Steps changed from outside since: their sources are unknown.
        if self.sources.len() > self.steps.len() + self.spare.len() {
            self.sources.clear();
        }
    }

    /// End a use begun by [`Trace::restart`]: the steps left over from the
    /// previous use are put aside (no longer steps of the trace), for the
    /// next use to write over.
    pub(crate) fn finish(&mut self) {
        if let Some(c) = self.cursor.take() {
            if c < self.steps.len() {
                self.spare.extend(self.steps.drain(c..).rev());
            }
            // A step put aside comes back at the same place (the spares
            // are a stack, the first one on top), so every step's source
            // stays where it is.
        }
    }

    /// While a batch run writes the trace: a step put aside brought back
    /// as the next one to overwrite, if the steps written so far are all
    /// there are.
    #[inline]
    fn unspare(&mut self) {
        if self.cursor == Some(self.steps.len()) {
            if let Some(s) = self.spare.pop() {
                self.steps.push(s);
            }
        }
    }

    /// If step `c` (being rewritten) was last written from `source`, and
    /// `same` says it is still of that kind: count it as written again.
    fn rewritten(&mut self, source: Source, same: impl Fn(&Step) -> bool) -> bool {
        self.unspare();
        let Some(c) = self.cursor else { return false };
        if self.sources.get(c) == Some(&source) && self.steps.get(c).is_some_and(same) {
            self.cursor = Some(c + 1);
            return true;
        }
        false
    }

    /// Record that the step just written came from `source`.
    fn written_from(&mut self, source: Source) {
        let Some(at) = self.cursor.and_then(|c| c.checked_sub(1)) else {
            return;
        };
        if self.sources.len() <= at {
            self.sources.resize(at + 1, (0, 0, 0));
        }
        if let Some(k) = self.sources.get_mut(at) {
            *k = source;
        }
    }

    /// The next step to overwrite, if the trace is being rewritten and has
    /// one left; counted as written.
    fn next(&mut self) -> Option<&mut Step> {
        self.unspare();
        let c = self.cursor?;
        if c >= self.steps.len() {
            return None;
        }
        self.cursor = Some(c + 1);
        if let Some(k) = self.sources.get_mut(c) {
            *k = (0, 0, 0);
        }
        self.steps.get_mut(c)
    }

    /// Add a new step at the end.
    fn append(&mut self, s: Step) {
        self.steps.push(s);
        if self.cursor.is_some() {
            self.cursor = Some(self.steps.len());
        }
    }

    /// Write the next step: over the spent step there, by `reuse` if it is
    /// of the same kind (true if it was), else as `make` builds it from
    /// the spent step's first buffer.
    fn write(&mut self, reuse: impl FnOnce(&mut Step) -> bool, make: impl FnOnce(String) -> Step) {
        match self.next() {
            Some(slot) => {
                if !reuse(slot) {
                    let buf = salvage(slot);
                    *slot = make(buf);
                }
            }
            None => {
                let s = make(String::new());
                self.append(s);
            }
        }
    }

    /// A [`Step::Rule`].
    pub(crate) fn push_rule(&mut self, program: &str, rule: &Rule) {
        // A rule belongs to one program: the same rule, the same step.
        let source = (std::ptr::from_ref(rule).addr(), 0, 0);
        if self.rewritten(source, |s| matches!(s, Step::Rule { program: p, .. } if p == program)) {
            return;
        }
        self.write(
            |slot| match slot {
                Step::Rule {
                    program: p,
                    rule: r,
                    label,
                    layer,
                    cite,
                } => {
                    set_str(p, program);
                    r.clone_from(&rule.id);
                    label.clone_from(&rule.label);
                    layer.clone_from(&rule.layer);
                    cite.clone_from(&rule.cite);
                    true
                }
                _ => false,
            },
            |mut p| {
                p.push_str(program);
                Step::Rule {
                    program: p,
                    rule: rule.id.clone(),
                    label: rule.label.clone(),
                    layer: rule.layer.clone(),
                    cite: rule.cite.clone(),
                }
            },
        );
        self.written_from(source);
    }

    /// A [`Step::Condition`].
    pub(crate) fn push_condition(&mut self, text: Words<'_>, held: bool) {
        self.write(
            |slot| match slot {
                Step::Condition { text: t, held: h } => {
                    set_words(t, text);
                    *h = held;
                    true
                }
                _ => false,
            },
            |mut t| {
                set_words(&mut t, text);
                Step::Condition { text: t, held }
            },
        );
    }

    /// A [`Step::Computation`].
    pub(crate) fn push_computation(&mut self, text: fmt::Arguments<'_>) {
        self.write(
            |slot| match slot {
                Step::Computation { text: t } => {
                    set_fmt(t, text);
                    true
                }
                _ => false,
            },
            |mut t| {
                set_fmt(&mut t, text);
                Step::Computation { text: t }
            },
        );
    }

    /// A [`Step::Computation`] whose text is the same whenever `source`
    /// is (not written again when the step there came from it).
    pub(crate) fn push_computation_from(&mut self, source: Source, text: fmt::Arguments<'_>) {
        if self.rewritten(source, |s| matches!(s, Step::Computation { .. })) {
            return;
        }
        self.push_computation(text);
        self.written_from(source);
    }

    /// A [`Step::Computation`] written before.
    pub(crate) fn push_computation_str(&mut self, text: &str) {
        self.write(
            |slot| match slot {
                Step::Computation { text: t } => {
                    set_str(t, text);
                    true
                }
                _ => false,
            },
            |mut t| {
                t.push_str(text);
                Step::Computation { text: t }
            },
        );
    }

    /// A [`Step::NotEntitled`].
    pub(crate) fn push_not_entitled(&mut self, reason: fmt::Arguments<'_>) {
        self.write(
            |slot| match slot {
                Step::NotEntitled { reason: t } => {
                    set_fmt(t, reason);
                    true
                }
                _ => false,
            },
            |mut t| {
                set_fmt(&mut t, reason);
                Step::NotEntitled { reason: t }
            },
        );
    }

    /// A [`Step::NotEntitled`] with a reason written before.
    pub(crate) fn push_not_entitled_str(&mut self, reason: &str) {
        self.write(
            |slot| match slot {
                Step::NotEntitled { reason: t } => {
                    set_str(t, reason);
                    true
                }
                _ => false,
            },
            |mut t| {
                t.push_str(reason);
                Step::NotEntitled { reason: t }
            },
        );
    }

    /// A [`Step::NotEntitled`] whose reason is the text of step `at` (a
    /// condition written before).
    pub(crate) fn push_not_entitled_as(&mut self, at: usize) {
        self.unspare();
        let c = self.len();
        if self.cursor.is_some() && at < c && c < self.steps.len() {
            let (head, tail) = self.steps.split_at_mut(c);
            if let (Some(Step::Condition { text, .. }), Some(slot)) = (head.get(at), tail.first_mut()) {
                match slot {
                    Step::NotEntitled { reason } => set_str(reason, text),
                    other => {
                        let mut b = salvage(other);
                        b.push_str(text);
                        *other = Step::NotEntitled { reason: b };
                    }
                }
                self.cursor = Some(c + 1);
                if let Some(k) = self.sources.get_mut(c) {
                    *k = (0, 0, 0);
                }
                return;
            }
        }
        let reason = match self.steps.get(at) {
            Some(Step::Condition { text, .. }) => text.clone(),
            _ => String::new(),
        };
        self.push(Step::NotEntitled { reason });
    }

    /// A [`Step::Limit`].
    pub(crate) fn push_limit(&mut self, id: &str, text: fmt::Arguments<'_>, cite: &Citation) {
        self.write(
            |slot| match slot {
                Step::Limit {
                    id: i,
                    text: x,
                    cite: c,
                } => {
                    set_str(i, id);
                    set_fmt(x, text);
                    c.clone_from(cite);
                    true
                }
                _ => false,
            },
            |mut x| {
                set_fmt(&mut x, text);
                Step::Limit {
                    id: id.to_string(),
                    text: x,
                    cite: cite.clone(),
                }
            },
        );
    }

    /// A [`Step::Parameter`]: `value` must be the same text whenever
    /// `cite` (the address of the parameter's own citation) and `variant`
    /// are (a parameter by stage: which stage's value).
    pub(crate) fn push_parameter(
        &mut self,
        name: &str,
        value: fmt::Arguments<'_>,
        from: When,
        cite: &Citation,
        variant: u64,
    ) {
        // The same citation and variant under the same name: the same
        // step, only its date set again.
        let source = (std::ptr::from_ref(cite).addr(), variant, 0);
        self.unspare();
        if let Some(c) = self.cursor {
            if self.sources.get(c) == Some(&source) {
                if let Some(Step::Parameter { name: n, from: f, .. }) = self.steps.get_mut(c) {
                    if n == name {
                        *f = from;
                        self.cursor = Some(c + 1);
                        return;
                    }
                }
            }
        }
        self.write(
            |slot| match slot {
                Step::Parameter {
                    name: n,
                    value: v,
                    from: f,
                    cite: c,
                } => {
                    set_str(n, name);
                    set_fmt(v, value);
                    *f = from;
                    c.clone_from(cite);
                    true
                }
                _ => false,
            },
            |mut v| {
                set_fmt(&mut v, value);
                Step::Parameter {
                    name: name.to_string(),
                    value: v,
                    from,
                    cite: cite.clone(),
                }
            },
        );
        self.written_from(source);
    }

    /// The reason the student is not entitled, if the trace says so.
    #[must_use]
    pub fn why_not(&self) -> Option<&str> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::NotEntitled { reason } => Some(reason.as_str()),
            _ => None,
        })
    }

    /// The parameters used, with their citations.
    pub fn parameters(&self) -> impl Iterator<Item = (&str, &Citation)> {
        self.steps.iter().filter_map(|s| match s {
            Step::Parameter { name, cite, .. } => Some((name.as_str(), cite)),
            _ => None,
        })
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.steps {
            match s {
                Step::Rule {
                    program,
                    rule,
                    label,
                    layer,
                    cite,
                } => {
                    write!(f, "  rule {program}/{rule} [{layer}]")?;
                    if let Some(l) = label {
                        write!(f, ": {l}")?;
                    }
                    writeln!(f, "\n      cited: {cite}")?;
                }
                Step::Condition { text, held } => writeln!(f, "    {} {text}", if *held { "✓" } else { "✗" })?,
                Step::Parameter {
                    name,
                    value,
                    from,
                    cite,
                } => {
                    writeln!(f, "    {name} = {value} (from {from})\n      cited: {cite}")?;
                }
                Step::Computation { text } => writeln!(f, "    = {text}")?,
                Step::Limit { id, text, cite } => writeln!(f, "    limit {id}: {text}\n      cited: {cite}")?,
                Step::NotEntitled { reason } => writeln!(f, "    not entitled: {reason}")?,
            }
        }
        Ok(())
    }
}

/// A program: something evaluated for a student and a term.
///
/// Implement it to add a program in Rust beside the TOML ones. The engine
/// calls [`Program::prepare`] once per term (resolve parameters there),
/// then [`TermProgram::evaluate`] for every student: keep that allocation
/// free when `trace` is `None`.
pub trait Program: Send + Sync + fmt::Debug {
    /// The program's description.
    fn info(&self) -> &ProgramInfo;

    /// Resolve the program for one term.
    ///
    /// # Errors
    /// A program that cannot be resolved for the term (a parameter with a
    /// gap in its dates): [`Error::Unprepared`](crate::Error::Unprepared)
    /// naming what is missing. A student who is simply not entitled is
    /// not an error: that is [`TermProgram::evaluate`] returning `None`.
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error>;
}

/// A program resolved for one term.
pub trait TermProgram: Send + Sync {
    /// The amount owed for the term, or `None` if the student is not
    /// entitled. With a trace, record the conditions, parameters (with
    /// citations) and arithmetic, or a [`Step::NotEntitled`] reason.
    fn evaluate(&self, facts: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Money>;

    /// False if the program can never apply to a student of `stage` this
    /// term, so the engine may skip it (without traces). The default,
    /// `true`, is always correct; override it for speed.
    fn may_apply(&self, stage: eduaid_model::Stage) -> bool {
        let _ = stage;
        true
    }

    /// What [`TermProgram::evaluate`] reads of the student without a
    /// trace, if it reads nothing of the student beyond those facts, the
    /// stage and the [`Facts::statuses`] named there (never
    /// [`Facts::household`] itself); the school and the term it may read
    /// freely. The engine then evaluates the program once for each group of
    /// students of a school who agree on those facts, and counts the group.
    /// Students at school on a reference date who have a leaving date are
    /// always evaluated one by one.
    ///
    /// The default, `None`, is always correct: the program is evaluated for
    /// every student.
    fn reads(&self) -> Option<Reads> {
        None
    }

    /// The basis of the entitlement [`TermProgram::evaluate`] grants the
    /// student (the rule, its tier and citation), if the program states
    /// one. `None` by default (a program written in Rust states none).
    fn basis(&self, facts: &Facts<'_>) -> Option<Basis<'_>> {
        let _ = facts;
        None
    }

    /// True if some rule's amount needs data a record may lack (a tuition
    /// share with no fallback). `false` by default.
    fn may_miss_data(&self) -> bool {
        false
    }

    /// What the rule that decides for the student needs and the record
    /// lacks (`"tuition"`), when [`TermProgram::evaluate`] gave no amount
    /// for that reason. `None` by default.
    fn missing(&self, facts: &Facts<'_>) -> Option<&'static str> {
        let _ = facts;
        None
    }
}

impl<P: Program + ?Sized> Program for Box<P> {
    fn info(&self) -> &ProgramInfo {
        (**self).info()
    }
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error> {
        (**self).prepare(term)
    }
}

impl<P: Program + ?Sized> Program for Arc<P> {
    fn info(&self) -> &ProgramInfo {
        (**self).info()
    }
    fn prepare<'a>(&'a self, term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error> {
        (**self).prepare(term)
    }
}

/// A program defined in a policy file.
#[derive(Debug, Clone)]
pub struct PolicyProgram {
    info: ProgramInfo,
    spec: ProgramSpec,
    policy: Arc<Policy>,
}

impl PolicyProgram {
    /// The program `id` of `policy`.
    #[must_use]
    pub fn new(policy: &Arc<Policy>, id: &str) -> Option<PolicyProgram> {
        let spec = policy.programs().get(id)?.clone();
        let pid = ProgramId::new(id).ok()?;
        Some(PolicyProgram {
            info: ProgramInfo {
                id: pid,
                name: spec.name.clone(),
                english: spec.english.clone(),
                benefit: spec.benefit,
                cite: Some(spec.cite.clone()),
            },
            spec,
            policy: Arc::clone(policy),
        })
    }

    /// The program's rules.
    #[must_use]
    pub fn spec(&self) -> &ProgramSpec {
        &self.spec
    }
}

/// A parameter value used by a prepared rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Use<'a> {
    pub(crate) name: &'a str,
    pub(crate) value: &'a DatedValue,
}

impl Use<'_> {
    /// The parameter's step, for a student of `stage` if given.
    fn push(&self, t: &mut Trace, stage: Option<eduaid_model::Stage>) {
        let (from, cite) = (self.value.from, &self.value.cite);
        match (stage, &self.value.value) {
            (Some(s), crate::policy::Value::ByStage(m)) if m.contains_key(&s) => {
                if let Some(v) = m.get(&s) {
                    t.push_parameter(
                        self.name,
                        format_args!("{} ({})", v.as_decimal(), s.chinese()),
                        from,
                        cite,
                        stage_ix(s) as u64 + 1,
                    );
                }
            }
            _ => t.push_parameter(self.name, format_args!("{}", self.value.value), from, cite, 0),
        }
    }
}

pub(crate) type PerStage = [Option<Decimal>; STAGES];

/// The rule that came closest: conditions held, the rule.
type Closest<'r, 'a> = (usize, &'r PreparedRule<'a>);

#[derive(Debug)]
pub(crate) enum Prepared<'a> {
    Deny(&'a str),
    /// Per-term amount by stage, and how it was computed.
    Fixed {
        amounts: PerStage,
        uses: Vec<Use<'a>>,
        /// The computation in words for each stage with an amount (by
        /// [`stage_ix`]): made once a term, copied per traced student.
        words: Vec<String>,
    },
    PerDay {
        segments: Vec<(NaiveDate, NaiveDate, PerStage, Use<'a>)>,
        window: Window,
        share: Option<(Decimal, Use<'a>)>,
    },
    Tuition {
        share: Decimal,
        share_use: Use<'a>,
        fallback: Option<(PerStage, Use<'a>)>,
    },
    Tiers {
        tiers: Vec<(Cond, &'a str, PerStage, Use<'a>, &'static str)>,
        share: Option<(Decimal, Use<'a>)>,
    },
    /// Paid once a year, in the other term.
    OtherSeason(Season),
    /// A parameter no layer has set (`values = []`, left to a province or
    /// county): the rule grants nothing, and says why.
    Unset(String),
}

impl<'a> Prepared<'a> {
    /// A fixed amount by stage, the parameters it multiplies and how
    /// (`per term`), with its words for each stage.
    fn fixed(amounts: PerStage, uses: Vec<Use<'a>>, how: &'static str) -> Prepared<'a> {
        let mut words = vec![String::new(); STAGES];
        for &st in eduaid_model::Stage::ALL {
            if let (Some(Some(a)), Some(w)) = (amounts.get(stage_ix(st)), words.get_mut(stage_ix(st))) {
                *w = format!("{} ({how}) = {}", UsesText(&uses, st), yuan(*a));
            }
        }
        Prepared::Fixed { amounts, uses, words }
    }
}

/// Why a rule's amount could not be resolved for a term.
#[derive(Debug)]
pub(crate) enum Miss {
    /// A parameter no layer sets: nothing is granted, the reason is traced.
    Unset(String),
    /// A gap in a parameter's dates or a broken rule: the term is refused.
    Gap(String),
}

#[derive(Debug)]
pub(crate) struct PreparedRule<'a> {
    pub(crate) rule: &'a Rule,
    pub(crate) cond: Cond,
    pub(crate) amount: Prepared<'a>,
}

#[derive(Debug)]
struct PreparedProgram<'a> {
    program: &'a PolicyProgram,
    term: Term,
    rules: Vec<PreparedRule<'a>>,
    /// Stages some rule in force can grant to (bit per stage).
    stages: u8,
    /// With no rule in force, why not, in words (written once a term, not
    /// once a student).
    idle: String,
}

fn per_stage(v: &DatedValue, f: impl Fn(Decimal) -> Option<Decimal>) -> PerStage {
    let mut out: PerStage = [None; STAGES];
    for s in eduaid_model::Stage::ALL {
        out[stage_ix(*s)] = v.value.for_stage(*s).and_then(|m| f(m.as_decimal()));
    }
    out
}

/// The stages some grant rule among `rules` can grant to (bit per stage;
/// all bits when a grant rule names no stage).
pub(crate) fn grant_stages(rules: &[PreparedRule<'_>]) -> u8 {
    rules
        .iter()
        .filter(|r| r.rule.effect == Effect::Grant)
        .fold(0u8, |m, r| match &r.rule.when.stages {
            None => u8::MAX,
            Some(v) => v.iter().fold(m, |a, s| a | (1u8 << (*s as u8))),
        })
}

impl PolicyProgram {
    /// The rules in force in the term of `cx`, in order, each with its
    /// conditions compiled and its amount resolved.
    ///
    /// # Errors
    /// [`crate::Error::Unprepared`] for a rule in force whose amount cannot
    /// be resolved (a parameter with no value on the reference date, a
    /// per-day amount with no school-day window, no amount at all).
    pub(crate) fn prepare_rules<'a>(&'a self, cx: &TermContext) -> Result<Vec<PreparedRule<'a>>, crate::Error> {
        self.spec
            .rules
            .iter()
            .filter(|r| r.in_force(cx.reference))
            .map(|rule| {
                let amount = match self.prepare_amount(rule, cx) {
                    Ok(a) => a,
                    Err(Miss::Unset(reason)) => Prepared::Unset(reason),
                    Err(Miss::Gap(reason)) => {
                        return Err(crate::Error::Unprepared {
                            program: self.info.id.to_string(),
                            rule: rule.id.clone(),
                            term: cx.term.to_string(),
                            reason,
                        });
                    }
                };
                Ok(PreparedRule {
                    rule,
                    cond: Cond::compile(&rule.when),
                    amount,
                })
            })
            .collect()
    }

    fn resolve<'a>(&'a self, name: &'a str, date: NaiveDate) -> Result<Use<'a>, Miss> {
        let p = self
            .policy
            .parameter(name)
            .ok_or_else(|| Miss::Gap(format!("unknown parameter {name}")))?;
        match p.at(date) {
            Some(value) => Ok(Use { name, value }),
            None if p.first_day().is_none_or(|first| date < first) => {
                Err(Miss::Unset(format!("no value of {name} is in force on {date}")))
            }
            None => Err(Miss::Gap(format!(
                "no value of {name} is in force on {date}: a gap in the parameter's dates (the rule is in force)"
            ))),
        }
    }

    fn share<'a>(&'a self, a: &'a AmountDef, date: NaiveDate) -> Result<Option<(Decimal, Use<'a>)>, Miss> {
        match &a.share {
            None => Ok(None),
            Some(s) => {
                let u = self.resolve(s.get_ref(), date)?;
                let d = u
                    .value
                    .value
                    .for_stage(eduaid_model::Stage::Primary)
                    .map(Money::as_decimal);
                Ok(d.map(|d| (d, u)))
            }
        }
    }

    fn prepare_amount<'a>(&'a self, rule: &'a Rule, cx: &TermContext) -> Result<Prepared<'a>, Miss> {
        let date = cx.reference;
        if rule.effect == Effect::Deny {
            return Ok(Prepared::Deny(rule.reason.as_deref().unwrap_or("excluded by rule")));
        }
        let Some(a) = &rule.amount else {
            return Err(Miss::Gap("the rule has no amount".into()));
        };
        let share = self.share(a, date)?;
        let times = move |d: Decimal| match &share {
            Some((s, _)) => d.checked_mul(*s),
            None => Some(d),
        };
        let two = Decimal::TWO;
        let mut uses = Vec::new();
        if let Some((_, u)) = &share {
            uses.push(*u);
        }
        if let Some(p) = &a.per_term {
            let u = self.resolve(p.get_ref(), date)?;
            uses.insert(0, u);
            return Ok(Prepared::fixed(per_stage(u.value, times), uses, "per term"));
        }
        if let Some(p) = &a.per_year {
            let u = self.resolve(p.get_ref(), date)?;
            uses.insert(0, u);
            return Ok(Prepared::fixed(
                per_stage(u.value, |d| times(d.checked_div(two)?)),
                uses,
                "per year, half each term",
            ));
        }
        if let Some(p) = &a.once_a_year {
            let season = a.season.unwrap_or(Season::Autumn);
            if cx.term.season != season {
                return Ok(Prepared::OtherSeason(season));
            }
            let u = self.resolve(p.get_ref(), date)?;
            uses.insert(0, u);
            return Ok(Prepared::fixed(per_stage(u.value, times), uses, "once a year"));
        }
        if let Some(p) = &a.per_day {
            let Some(window) = cx.window.clone() else {
                return Err(Miss::Gap(format!(
                    "the policy sets no school-day window for {}",
                    cx.term
                )));
            };
            let param = self
                .policy
                .parameter(p.get_ref())
                .ok_or_else(|| Miss::Gap(format!("unknown parameter {}", p.get_ref())))?;
            let segments: Vec<_> = param
                .segments(window.first, window.last)
                .into_iter()
                .map(|(a0, b0, v)| {
                    (
                        a0,
                        b0,
                        per_stage(v, Some),
                        Use {
                            name: p.get_ref().as_str(),
                            value: v,
                        },
                    )
                })
                .collect();
            if segments.is_empty() {
                let reason = format!("no value of {} is in force during {}", p.get_ref(), cx.term);
                return Err(if param.first_day().is_none_or(|first| window.last < first) {
                    Miss::Unset(reason)
                } else {
                    Miss::Gap(reason)
                });
            }
            let share = self.share(a, date)?;
            return Ok(Prepared::PerDay {
                segments,
                window,
                share,
            });
        }
        if let Some(p) = &a.tuition_share {
            let u = self.resolve(p.get_ref(), date)?;
            let share = u
                .value
                .value
                .for_stage(eduaid_model::Stage::Primary)
                .map_or(Decimal::ZERO, Money::as_decimal);
            let fallback = match &a.fallback_per_year {
                None => None,
                Some(f) => {
                    let fu = self.resolve(f.get_ref(), date)?;
                    Some((per_stage(fu.value, |d| d.checked_div(two)), fu))
                }
            };
            return Ok(Prepared::Tuition {
                share,
                share_use: u,
                fallback,
            });
        }
        if let Some(tiers) = &a.tiers {
            let mut out = Vec::new();
            for t in tiers {
                let (name, yearly) = match (&t.per_year, &t.per_term) {
                    (Some(p), _) => (p.get_ref(), true),
                    (None, Some(p)) => (p.get_ref(), false),
                    (None, None) => return Err(Miss::Gap(format!("tier {} has no amount", t.name))),
                };
                let u = self.resolve(name, date)?;
                let amounts = if yearly {
                    per_stage(u.value, |d| d.checked_div(two))
                } else {
                    per_stage(u.value, Some)
                };
                let how = if yearly { "per year, half each term" } else { "per term" };
                out.push((Cond::compile(&t.when), t.name.as_str(), amounts, u, how));
            }
            let share = self.share(a, date)?;
            return Ok(Prepared::Tiers { tiers: out, share });
        }
        Err(Miss::Gap("the rule's amount is empty".into()))
    }
}

impl Program for PolicyProgram {
    fn info(&self) -> &ProgramInfo {
        &self.info
    }

    fn prepare<'a>(&'a self, cx: &TermContext) -> Result<Box<dyn TermProgram + 'a>, crate::Error> {
        let rules = self.prepare_rules(cx)?;
        let stages = grant_stages(&rules);
        let idle = if rules.is_empty() {
            let from = self.spec.rules.iter().filter_map(|r| r.from).min();
            match from {
                Some(d) if d.date > cx.reference => {
                    format!("{} is not in force in {} (from {d})", self.info.id, cx.term)
                }
                _ => format!("no rule of {} is in force in {}", self.info.id, cx.term),
            }
        } else {
            String::new()
        };
        Ok(Box::new(PreparedProgram {
            program: self,
            term: cx.term,
            rules,
            stages,
            idle,
        }))
    }
}

/// An amount in yuan, as a trace writes it (`312.5元`).
fn yuan(d: Decimal) -> Yuan {
    Yuan(d)
}

/// See [`yuan`].
#[derive(Clone, Copy)]
struct Yuan(Decimal);

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}元", self.0.normalize())
    }
}

impl PreparedProgram<'_> {
    /// The amount of the rule that decided, for the student.
    fn amount(&self, pr: &PreparedRule<'_>, f: &Facts<'_>, mut trace: Option<&mut Trace>) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
        let missing = |t: Option<&mut Trace>, name: &str| {
            if let Some(t) = t {
                t.push_not_entitled(format_args!("no value of {name} for stage {} ({st})", st.chinese()));
            }
            None
        };
        match &pr.amount {
            Prepared::Deny(reason) => {
                if let Some(t) = trace {
                    t.push_not_entitled(format_args!("{reason}"));
                }
                None
            }
            Prepared::OtherSeason(season) => {
                if let Some(t) = trace {
                    t.push_not_entitled(format_args!("paid once a year, in the {} term", season.code()));
                }
                None
            }
            Prepared::Unset(reason) => {
                if let Some(t) = trace {
                    t.push_not_entitled(format_args!("{reason}"));
                }
                None
            }
            Prepared::Fixed { amounts, uses, words } => {
                let Some(a) = amounts[si] else {
                    return missing(trace, uses.first().map_or("", |u| u.name));
                };
                if let Some(t) = trace {
                    for u in uses {
                        u.push(t, Some(st));
                    }
                    t.push_computation_str(words.get(si).map_or("", String::as_str));
                }
                Some(a)
            }
            Prepared::PerDay {
                segments,
                window,
                share,
            } => {
                let join = f.school.nutrition_plan_from;
                let left = f.student.left_on().and_then(|d| d.pred_opt());
                let mut total = Decimal::ZERO;
                let mut parts: Vec<(Decimal, u64, NaiveDate, NaiveDate)> = Vec::new();
                for (a, b, rates, u) in segments {
                    let first = join.map_or(*a, |j| j.max(*a));
                    let last = left.map_or(*b, |l| l.min(*b));
                    let days = window.school_days(first, last);
                    let Some(rate) = rates[si] else {
                        return missing(trace, u.name);
                    };
                    if days == 0 {
                        continue;
                    }
                    let x = rate.checked_mul(Decimal::from(days))?;
                    total = total.checked_add(x)?;
                    if let Some(t) = trace.as_deref_mut() {
                        u.push(t, Some(st));
                        parts.push((rate, days, first, last));
                    }
                }
                if let Some((s, _)) = share {
                    total = total.checked_mul(*s)?;
                }
                if total.is_zero() {
                    if let Some(t) = trace {
                        t.push_not_entitled(format_args!(
                            "no school days in the provision window {} to {} while in the plan and at school",
                            window.first, window.last
                        ));
                    }
                    return None;
                }
                if let Some(t) = trace {
                    if let Some((_, u)) = share {
                        u.push(t, None);
                    }
                    // The words depend on the rule, the stage, the day the
                    // school joined the plan (if after a segment's first
                    // day) and the student's last day (if before a
                    // segment's last).
                    let starts = segments.iter().map(|sg| sg.0).min();
                    let ends = segments.iter().map(|sg| sg.1).max();
                    let source = (
                        segments
                            .first()
                            .and_then(|sg| sg.2.get(si))
                            .map_or(0, |r| std::ptr::from_ref(r).addr()),
                        date_key(join.filter(|j| starts.is_none_or(|a| *j > a))),
                        date_key(left.filter(|l| ends.is_none_or(|b| *l < b))),
                    );
                    t.push_computation_from(
                        source,
                        format_args!(
                            "{} = {} (school days are weekdays of the provision window {} to {})",
                            DayParts(&parts, share.as_ref().map(|x| x.0)),
                            yuan(total),
                            Ymd(window.first),
                            Ymd(window.last)
                        ),
                    );
                    t.push_parameter(
                        "calendar",
                        format_args!("{} to {}", Ymd(window.first), Ymd(window.last)),
                        When::term(self.term),
                        &window.cite,
                        0,
                    );
                }
                Some(total)
            }
            Prepared::Tuition {
                share,
                share_use,
                fallback,
            } => {
                let (base, src) = match (f.school.annual_tuition, fallback) {
                    (Some(t), _) => (
                        t.as_decimal().checked_mul(Decimal::new(5, 1))?,
                        TuitionSrc::School(t.as_decimal()),
                    ),
                    (None, Some((f2, u))) => {
                        let Some(v) = f2[si] else {
                            return missing(trace, u.name);
                        };
                        if let Some(t) = trace.as_deref_mut() {
                            u.push(t, Some(st));
                        }
                        (v, TuitionSrc::Fallback(u.name))
                    }
                    (None, None) => {
                        if let Some(t) = trace {
                            t.push_not_entitled(format_args!(
                                "missing data: school {} has no tuition (学费标准) on record, so the amount cannot be computed; the student is listed in the warnings, not counted",
                                f.school.name
                            ));
                        }
                        return None;
                    }
                };
                let a = base.checked_mul(*share)?;
                if let Some(t) = trace {
                    share_use.push(t, None);
                    t.push_computation(format_args!("{src} × {share} = {}", yuan(a)));
                }
                Some(a)
            }
            Prepared::Tiers { tiers, share } => {
                for (cond, name, amounts, u, how) in tiers {
                    if !cond.holds(f) {
                        continue;
                    }
                    let Some(mut a) = amounts[si] else {
                        return missing(trace, u.name);
                    };
                    if let Some((s, _)) = share {
                        a = a.checked_mul(*s)?;
                    }
                    if let Some(t) = trace {
                        cond.explain_to(f, &mut |text, held| t.push_condition(text, held));
                        u.push(t, Some(st));
                        if let Some((_, su)) = share {
                            su.push(t, None);
                        }
                        t.push_computation(format_args!("tier {name}: {} ({how}) = {}", u.value.value, yuan(a)));
                    }
                    return Some(a);
                }
                if let Some(t) = trace {
                    let names: Vec<&str> = tiers.iter().map(|x| x.1).collect();
                    t.push_not_entitled(format_args!("in none of the tiers {}", names.join(", ")));
                }
                None
            }
        }
    }
}

/// The parameters of a fixed amount multiplied, as a trace writes them
/// (`living-subsidy.annual 1000 × share 0.5`).
struct UsesText<'u, 'a>(&'u [Use<'a>], eduaid_model::Stage);

impl fmt::Display for UsesText<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, u) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" × ")?;
            }
            match u.value.value.for_stage(self.1) {
                Some(m) => write!(f, "{} {}", u.name, m.as_decimal())?,
                None => write!(f, "{} ?", u.name)?,
            }
        }
        Ok(())
    }
}

/// The school days of a per-day amount, as a trace writes them: each
/// segment's rate and days, then the share if any.
struct DayParts<'p>(&'p [(Decimal, u64, NaiveDate, NaiveDate)], Option<Decimal>);

impl fmt::Display for DayParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() && self.1.is_none() {
            return f.write_str("0 school days");
        }
        for (i, (rate, days, first, last)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            write!(f, "{}/天 × {days} 天 ({} to {})", yuan(*rate), Ymd(*first), Ymd(*last))?;
        }
        if let Some(s) = self.1 {
            if !self.0.is_empty() {
                f.write_str(" + ")?;
            }
            write!(f, "× {s}")?;
        }
        Ok(())
    }
}

/// A date as chrono writes it (`2021-03-01`), its digits written directly
/// for years 0 to 9999 (chrono's own `Display` for any other).
#[derive(Clone, Copy)]
pub(crate) struct Ymd(pub(crate) NaiveDate);

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike as _;
        let d = self.0;
        let Ok(y) = u32::try_from(d.year()) else {
            return write!(f, "{d}");
        };
        if y > 9999 {
            return write!(f, "{d}");
        }
        let (m, day) = (d.month(), d.day());
        let digit = |n: u32| b'0' + clamped::<_, u8>(n % 10);
        let buf = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(day / 10),
            digit(day),
        ];
        f.write_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

/// Where a fee waiver's base comes from, as a trace writes it.
#[derive(Clone, Copy)]
enum TuitionSrc<'a> {
    /// The school's tuition, a year.
    School(Decimal),
    /// The fallback parameter's name.
    Fallback(&'a str),
}

impl fmt::Display for TuitionSrc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TuitionSrc::School(t) => write!(f, "school tuition {}/年 ÷ 2", yuan(*t)),
            TuitionSrc::Fallback(name) => write!(f, "{name} (no school tuition on record) ÷ 2"),
        }
    }
}

impl TermProgram for PreparedProgram<'_> {
    fn may_apply(&self, stage: eduaid_model::Stage) -> bool {
        self.stages & (1u8 << (stage as u8)) != 0
    }

    fn may_miss_data(&self) -> bool {
        self.rules
            .iter()
            .any(|pr| matches!(pr.amount, Prepared::Tuition { fallback: None, .. }))
    }

    fn missing(&self, f: &Facts<'_>) -> Option<&'static str> {
        let pr = self.rules.iter().find(|pr| pr.cond.holds(f))?;
        (matches!(pr.amount, Prepared::Tuition { fallback: None, .. }) && f.school.annual_tuition.is_none())
            .then_some(crate::missing::MISSING_TUITION)
    }

    fn basis(&self, f: &Facts<'_>) -> Option<Basis<'_>> {
        let pr = self.rules.iter().find(|pr| pr.cond.holds(f))?;
        if pr.rule.effect == Effect::Deny {
            return None;
        }
        let tier = match &pr.amount {
            Prepared::Tiers { tiers, .. } => Some(tiers.iter().find(|t| t.0.holds(f))?.1),
            _ => None,
        };
        Some(Basis {
            rule: &pr.rule.id,
            label: pr.rule.label.as_deref(),
            tier,
            layer: &pr.rule.layer,
            cite: &pr.rule.cite,
        })
    }

    fn reads(&self) -> Option<Reads> {
        // Conditions read what they name; amounts read the stage, the
        // school, the term and the leaving date (which the engine handles).
        // An exit from poverty is a date per household, not a status of
        // the day: such a program is evaluated student by student.
        let exit = self.rules.iter().any(|pr| {
            pr.cond.reads_exit()
                || matches!(&pr.amount, Prepared::Tiers { tiers, .. } if tiers.iter().any(|t| t.0.reads_exit()))
        });
        // Nor is a student whose school may lack the tuition the amount
        // needs (listed apart, not counted).
        if exit || self.may_miss_data() {
            return None;
        }
        Some(self.rules.iter().fold(Reads::NOTHING, |r, pr| {
            let r = r | pr.cond.reads();
            match &pr.amount {
                Prepared::Tiers { tiers, .. } => tiers.iter().fold(r, |a, t| a | t.0.reads()),
                _ => r,
            }
        }))
    }

    fn evaluate(&self, f: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Money> {
        let Some(t) = trace else {
            // The hot path: the first rule whose conditions hold decides.
            for pr in &self.rules {
                if pr.cond.holds(f) {
                    return self.amount(pr, f, None).map(Money::from_decimal_exact);
                }
            }
            return None;
        };
        if self.rules.is_empty() {
            t.push_not_entitled_str(&self.idle);
            return None;
        }
        // The rule is chosen on what holds; only the chosen one is put in
        // words.
        let mut best: Option<Closest<'_, '_>> = None;
        for pr in &self.rules {
            let (held, all) = pr.cond.prefix(f);
            #[cfg(debug_assertions)]
            {
                // The words say what the count says.
                let e = pr.cond.explain(f);
                let n = e.iter().take_while(|(_, h)| *h).count();
                debug_assert_eq!((held, all), (n, n == e.len()), "prefix and explain disagree");
            }
            if all {
                t.push_rule(self.program.info.id.as_str(), pr.rule);
                pr.cond.explain_to(f, &mut |text, held| t.push_condition(text, held));
                return self.amount(pr, f, Some(t)).map(Money::from_decimal_exact);
            }
            // Ties go to the later rule: the default that exceptions refine.
            if best.as_ref().is_none_or(|(n, _)| held >= *n) {
                best = Some((held, pr));
            }
        }
        if let Some((_, pr)) = best {
            t.push_rule(self.program.info.id.as_str(), pr.rule);
            let first = t.len();
            pr.cond.explain_to(f, &mut |text, held| t.push_condition(text, held));
            // The reason is the first condition that failed, in its words.
            let failed = t
                .steps
                .get(first..t.len())
                .and_then(|e| e.iter().position(|x| matches!(x, Step::Condition { held: false, .. })));
            match failed {
                Some(i) => t.push_not_entitled_as(first + i),
                None => t.push_not_entitled(format_args!("no rule applies")),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_traces_are_written_as_chrono_writes_them() {
        let mut n = 0;
        for y in [-1, 0, 7, 99, 999, 1999, 2021, 9999, 10_000] {
            for (m, d) in [(1, 1), (2, 28), (9, 30), (10, 9), (12, 31)] {
                let date = NaiveDate::from_ymd_opt(y, m, d).expect("a valid day");
                assert_eq!(Ymd(date).to_string(), date.to_string(), "{y}-{m}-{d}");
                n += 1;
            }
        }
        assert_eq!(n, 45);
    }
}

//! Traces: the steps that explain why a student is or is not owed a
//! program's amount, written into reused buffers.

#[allow(clippy::wildcard_imports)]
use super::*;

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
    /// While a batch run writes the trace: condition words written before,
    /// by their key ([`Words::key`], with whether they held), in a small
    /// table of [`SAID`] entries (one per hash of the key, the last one
    /// written kept), so that words with a key are formatted once and
    /// copied after.
    #[serde(skip)]
    said: Vec<(Source, String)>,
    /// While a batch run writes the trace: spent steps of each kind (by
    /// [`Kind`]), at most [`POOL`] of each, for a place whose step changes
    /// kind to take one with its buffers.
    #[serde(skip)]
    pool: [Vec<Step>; 6],
    /// While a batch run writes the trace: the steps (with their sources
    /// and spares) of the last student of each bank but the one in use
    /// ([`Trace::bank`]), and which bank is in use.
    #[serde(skip)]
    banks: Vec<Bank>,
    /// Where in `banks` each bank's steps are (the bank in use: the place
    /// they were taken from, now holding another's).
    #[serde(skip)]
    bank_at: [u8; BANKS],
    #[serde(skip)]
    in_bank: usize,
}

/// A student's steps put aside, with their sources and spares.
#[derive(Default)]
struct Bank {
    steps: Vec<Step>,
    sources: Vec<Source>,
    spare: Vec<Step>,
}

/// How many banks of steps a trace keeps ([`Trace::bank`]).
pub(crate) const BANKS: usize = 16;

/// Each bank at its own place.
const BANK_AT: [u8; BANKS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// How many spent steps of one kind a trace keeps.
const POOL: usize = 8;

/// The kind of a [`Step`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rule,
    Condition,
    Parameter,
    Computation,
    Limit,
    NotEntitled,
}

impl Kind {
    fn of(s: &Step) -> Kind {
        match s {
            Step::Rule { .. } => Kind::Rule,
            Step::Condition { .. } => Kind::Condition,
            Step::Parameter { .. } => Kind::Parameter,
            Step::Computation { .. } => Kind::Computation,
            Step::Limit { .. } => Kind::Limit,
            Step::NotEntitled { .. } => Kind::NotEntitled,
        }
    }
}

/// How many words a batch run's trace keeps by key.
const SAID: usize = 256;

/// The entry of `key` in a table of [`SAID`] entries.
fn said_ix(key: Source) -> usize {
    let h = (key.0 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ key.1.wrapping_mul(0xc2b2_ae3d_27d4_eb4f)
        ^ key.2.wrapping_mul(0x1656_67b1_9e37_79f9);
    usize::from(h.to_be_bytes()[0])
}

impl Clone for Trace {
    fn clone(&self) -> Trace {
        Trace {
            steps: self.steps.get(..self.len()).unwrap_or(&[]).to_vec(),
            cursor: None,
            sources: Vec::new(),
            spare: Vec::new(),
            said: Vec::new(),
            pool: Default::default(),
            banks: Vec::new(),
            bank_at: BANK_AT,
            in_bank: 0,
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
pub(super) fn date_key(d: Option<NaiveDate>) -> u64 {
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
        Words::Str(v) | Words::KeyedStr(_, v) => set_str(s, v),
        Words::Fmt(args) | Words::Keyed(_, args) => set_fmt(s, args),
        Words::Parts(v) => {
            s.clear();
            v.iter().for_each(|p| s.push_str(p));
        }
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

    /// At the start of a batch run's use, before any step is written:
    /// write over the steps of the last student of bank `b` (of at most
    /// [`BANKS`]) instead of the last student's. A program that puts
    /// students of one kind (a stage) in one bank finds its steps there
    /// written from the same sources far more often, and does not write
    /// them again.
    pub(crate) fn bank(&mut self, b: usize) {
        if self.cursor != Some(0) || b == self.in_bank || b >= BANKS {
            return;
        }
        if self.banks.len() != BANKS {
            self.banks.resize_with(BANKS, Bank::default);
            self.bank_at = BANK_AT;
        }
        // One exchange: bank `b`'s steps come in, the steps in use go to
        // its place.
        let at = self.bank_at.get(b).copied().unwrap_or_default();
        let Some(next) = self.banks.get_mut(usize::from(at)) else {
            return;
        };
        std::mem::swap(&mut self.steps, &mut next.steps);
        std::mem::swap(&mut self.sources, &mut next.sources);
        std::mem::swap(&mut self.spare, &mut next.spare);
        if let Some(x) = self.bank_at.get_mut(self.in_bank) {
            *x = at;
        }
        self.in_bank = b;
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
        let c = self.next_ix()?;
        self.steps.get_mut(c)
    }

    /// As [`Trace::next`], its place.
    fn next_ix(&mut self) -> Option<usize> {
        self.unspare();
        let c = self.cursor?;
        if c >= self.steps.len() {
            return None;
        }
        self.cursor = Some(c + 1);
        if let Some(k) = self.sources.get_mut(c) {
            *k = (0, 0, 0);
        }
        Some(c)
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
    ///
    /// A spent step of another kind is put in the pool of its kind, and
    /// one of `kind` taken from its pool in its place, so that steps keep
    /// their buffers when the kinds at a place change from one student to
    /// the next.
    fn write(&mut self, kind: Kind, reuse: impl FnOnce(&mut Step) -> bool, make: impl FnOnce(String) -> Step) {
        let want = kind as usize;
        match self.next_ix().and_then(|c| self.steps.get_mut(c)) {
            Some(slot) => {
                let had = Kind::of(slot) as usize;
                if had != want {
                    if let Some(p) = self.pool.get_mut(want).and_then(Vec::pop) {
                        let old = std::mem::replace(slot, p);
                        if let Some(pool) = self.pool.get_mut(had).filter(|v| v.len() < POOL) {
                            pool.push(old);
                        }
                    } else if let Some(pool) = self.pool.get_mut(had).filter(|v| v.len() < POOL) {
                        pool.push(std::mem::replace(slot, make(String::new())));
                        return;
                    }
                }
                if !reuse(slot) {
                    let buf = salvage(slot);
                    *slot = make(buf);
                }
            }
            None => match self.pool.get_mut(want).and_then(Vec::pop) {
                Some(mut p) => {
                    if !reuse(&mut p) {
                        let buf = salvage(&mut p);
                        p = make(buf);
                    }
                    self.append(p);
                }
                None => {
                    let s = make(String::new());
                    self.append(s);
                }
            },
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
            Kind::Rule,
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

    /// A [`Step::Condition`]. Words with a key are not written again
    /// over a step written from the same key.
    pub(crate) fn push_condition(&mut self, text: Words<'_>, held: bool) {
        let Some((at, k1, k2)) = text.key() else {
            return self.write_condition(text, held);
        };
        let source = (at, k1, k2 ^ (u64::from(held) << 63));
        if self.rewritten(source, |s| matches!(s, Step::Condition { .. })) {
            return;
        }
        if self.cursor.is_none() {
            // Not a batch run: the trace is written once.
            return self.write_condition(text, held);
        }
        let (i, words) = self.said_take(source, |w| {
            let _ = text.write_to(w);
        });
        self.write_condition(Words::Str(&words), held);
        self.said_keep(i, words);
        self.written_from(source);
    }

    /// The text of `source` from the table of words written before (made
    /// by `make` if it is not there), taken out of its entry (number
    /// given) until [`Trace::said_keep`] puts it back.
    fn said_take(&mut self, source: Source, make: impl FnOnce(&mut String)) -> (usize, String) {
        if self.said.len() != SAID {
            self.said.resize_with(SAID, || ((0, 0, 0), String::new()));
        }
        let i = said_ix(source);
        let Some((key, text)) = self.said.get_mut(i) else {
            let mut w = String::new();
            make(&mut w);
            return (i, w);
        };
        let mut w = std::mem::take(text);
        if *key != source {
            w.clear();
            make(&mut w);
            *key = source;
        }
        (i, w)
    }

    /// Put back the text [`Trace::said_take`] took.
    fn said_keep(&mut self, i: usize, text: String) {
        if let Some((_, t)) = self.said.get_mut(i) {
            *t = text;
        }
    }

    /// A [`Step::Condition`], written.
    fn write_condition(&mut self, text: Words<'_>, held: bool) {
        self.write(
            Kind::Condition,
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
            Kind::Computation,
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
        if self.cursor.is_none() {
            return self.push_computation(text);
        }
        // Kept apart from condition words of the same source.
        let (i, words) = self.said_take((source.0, source.1, source.2 ^ (1 << 60)), |w| set_fmt(w, text));
        self.push_computation_str(&words);
        self.said_keep(i, words);
        self.written_from(source);
    }

    /// A [`Step::Computation`] written before.
    pub(crate) fn push_computation_str(&mut self, text: &str) {
        self.write(
            Kind::Computation,
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
            Kind::NotEntitled,
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

    /// A [`Step::NotEntitled`] with a reason written before, held by the
    /// program for the whole run (not written again over a step written
    /// from the same text).
    pub(crate) fn push_not_entitled_str(&mut self, reason: &str) {
        let source = (reason.as_ptr().addr(), reason.len() as u64, 1 << 61);
        if self.rewritten(source, |s| matches!(s, Step::NotEntitled { .. })) {
            return;
        }
        self.write(
            Kind::NotEntitled,
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
        self.written_from(source);
    }

    /// A [`Step::NotEntitled`] whose reason is the text of step `at` (a
    /// condition written before).
    pub(crate) fn push_not_entitled_as(&mut self, at: usize) {
        // The text of a condition written from a key: the same reason
        // whenever that key is.
        let keyed = self
            .sources
            .get(at)
            .filter(|k| k.0 != 0 && self.cursor.is_some_and(|c| at < c))
            .map(|&(a, k1, k2)| (a, k1, k2 ^ (1 << 62)));
        if let Some(source) = keyed {
            if self.rewritten(source, |s| matches!(s, Step::NotEntitled { .. })) {
                return;
            }
            self.push_not_entitled_as_written(at);
            self.written_from(source);
            return;
        }
        self.push_not_entitled_as_written(at);
    }

    /// As [`Trace::push_not_entitled_as`], the reason written.
    fn push_not_entitled_as_written(&mut self, at: usize) {
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
            Kind::Limit,
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
            Kind::Parameter,
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

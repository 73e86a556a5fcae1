//! The program trait, the facts a program is evaluated on, traces, and the
//! TOML-defined program.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use eduaid_model::{Household, Money, ProgramId, School, Season, Student, Term};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::condition::{Cond, Reads, STAGES, StatusSet, stage_ix};
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trace {
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Trace {
    /// Add a step.
    pub fn push(&mut self, s: Step) {
        self.steps.push(s);
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
    fn prepare<'a>(&'a self, term: &TermContext) -> Box<dyn TermProgram + 'a>;
}

/// A program resolved for one term.
pub trait TermProgram: Send + Sync {
    /// The amount owed for the term, or `None` if the student is not
    /// entitled. With a trace, record the conditions, parameters (with
    /// citations) and arithmetic, or a [`Step::NotEntitled`] reason.
    fn evaluate(&self, facts: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Decimal>;

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
    fn prepare<'a>(&'a self, term: &TermContext) -> Box<dyn TermProgram + 'a> {
        (**self).prepare(term)
    }
}

impl<P: Program + ?Sized> Program for Arc<P> {
    fn info(&self) -> &ProgramInfo {
        (**self).info()
    }
    fn prepare<'a>(&'a self, term: &TermContext) -> Box<dyn TermProgram + 'a> {
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
    fn step(&self, stage: Option<eduaid_model::Stage>) -> Step {
        let value = match (stage, &self.value.value) {
            (Some(s), crate::policy::Value::ByStage(m)) => match m.get(&s) {
                Some(v) => format!("{} ({})", v.as_decimal(), s.chinese()),
                None => self.value.value.to_string(),
            },
            _ => self.value.value.to_string(),
        };
        Step::Parameter {
            name: self.name.to_string(),
            value,
            from: self.value.from,
            cite: self.value.cite.clone(),
        }
    }
}

pub(crate) type PerStage = [Option<Decimal>; STAGES];

/// The rule that came closest: conditions held, the rule, the explanation.
type Closest<'r, 'a> = (usize, &'r PreparedRule<'a>, Vec<(String, bool)>);

#[derive(Debug)]
pub(crate) enum Prepared<'a> {
    Deny(&'a str),
    /// Per-term amount by stage, and how it was computed.
    Fixed {
        amounts: PerStage,
        uses: Vec<Use<'a>>,
        how: &'static str,
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
    Unresolved(String),
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
    pub(crate) fn prepare_rules<'a>(&'a self, cx: &TermContext) -> Vec<PreparedRule<'a>> {
        self.spec
            .rules
            .iter()
            .filter(|r| r.in_force(cx.reference))
            .map(|rule| PreparedRule {
                rule,
                cond: Cond::compile(&rule.when),
                amount: self.prepare_amount(rule, cx).unwrap_or_else(Prepared::Unresolved),
            })
            .collect()
    }

    fn resolve<'a>(&'a self, name: &'a str, date: NaiveDate) -> Result<Use<'a>, String> {
        self.policy
            .parameter(name)
            .and_then(|p| p.at(date))
            .map(|value| Use { name, value })
            .ok_or_else(|| format!("no value of {name} is in force on {date}"))
    }

    fn share<'a>(&'a self, a: &'a AmountDef, date: NaiveDate) -> Result<Option<(Decimal, Use<'a>)>, String> {
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

    fn prepare_amount<'a>(&'a self, rule: &'a Rule, cx: &TermContext) -> Result<Prepared<'a>, String> {
        let date = cx.reference;
        if rule.effect == Effect::Deny {
            return Ok(Prepared::Deny(rule.reason.as_deref().unwrap_or("excluded by rule")));
        }
        let Some(a) = &rule.amount else {
            return Err("the rule has no amount".into());
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
            return Ok(Prepared::Fixed {
                amounts: per_stage(u.value, times),
                uses,
                how: "per term",
            });
        }
        if let Some(p) = &a.per_year {
            let u = self.resolve(p.get_ref(), date)?;
            uses.insert(0, u);
            return Ok(Prepared::Fixed {
                amounts: per_stage(u.value, |d| times(d.checked_div(two)?)),
                uses,
                how: "per year, half each term",
            });
        }
        if let Some(p) = &a.once_a_year {
            let season = a.season.unwrap_or(Season::Autumn);
            if cx.term.season != season {
                return Err(format!("paid once a year, in the {} term", season.code()));
            }
            let u = self.resolve(p.get_ref(), date)?;
            uses.insert(0, u);
            return Ok(Prepared::Fixed {
                amounts: per_stage(u.value, times),
                uses,
                how: "once a year",
            });
        }
        if let Some(p) = &a.per_day {
            let Some(window) = cx.window.clone() else {
                return Err(format!("the policy sets no school-day window for {}", cx.term));
            };
            let param = self
                .policy
                .parameter(p.get_ref())
                .ok_or_else(|| format!("unknown parameter {}", p.get_ref()))?;
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
                return Err(format!("no value of {} is in force during {}", p.get_ref(), cx.term));
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
                    (None, None) => return Err(format!("tier {} has no amount", t.name)),
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
        Err("the rule's amount is empty".into())
    }
}

impl Program for PolicyProgram {
    fn info(&self) -> &ProgramInfo {
        &self.info
    }

    fn prepare<'a>(&'a self, cx: &TermContext) -> Box<dyn TermProgram + 'a> {
        let rules = self.prepare_rules(cx);
        let stages = grant_stages(&rules);
        Box::new(PreparedProgram {
            program: self,
            term: cx.term,
            rules,
            stages,
        })
    }
}

fn yuan(d: Decimal) -> String {
    format!("{}元", d.normalize())
}

impl PreparedProgram<'_> {
    /// The amount of the rule that decided, for the student.
    fn amount(&self, pr: &PreparedRule<'_>, f: &Facts<'_>, mut trace: Option<&mut Trace>) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
        let missing = |t: Option<&mut Trace>, name: &str| {
            if let Some(t) = t {
                t.push(Step::NotEntitled {
                    reason: format!("no value of {name} for stage {} ({st})", st.chinese()),
                });
            }
            None
        };
        match &pr.amount {
            Prepared::Deny(reason) => {
                if let Some(t) = trace {
                    t.push(Step::NotEntitled {
                        reason: (*reason).to_string(),
                    });
                }
                None
            }
            Prepared::Unresolved(reason) => {
                if let Some(t) = trace {
                    t.push(Step::NotEntitled { reason: reason.clone() });
                }
                None
            }
            Prepared::Fixed { amounts, uses, how } => {
                let Some(a) = amounts[si] else {
                    return missing(trace, uses.first().map_or("", |u| u.name));
                };
                if let Some(t) = trace {
                    for u in uses {
                        t.push(u.step(Some(st)));
                    }
                    t.push(Step::Computation {
                        text: format!("{} ({how}) = {}", uses_text(uses, st), yuan(a)),
                    });
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
                let mut parts = Vec::new();
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
                        t.push(u.step(Some(st)));
                        parts.push(format!("{}/天 × {days} 天 ({first} to {last})", yuan(rate)));
                    }
                }
                if let Some((s, _)) = share {
                    total = total.checked_mul(*s)?;
                }
                if total.is_zero() {
                    if let Some(t) = trace {
                        t.push(Step::NotEntitled {
                            reason: format!(
                                "no school days in the provision window {} to {} while in the plan and at school",
                                window.first, window.last
                            ),
                        });
                    }
                    return None;
                }
                if let Some(t) = trace {
                    if let Some((s, u)) = share {
                        t.push(u.step(None));
                        parts.push(format!("× {s}"));
                    }
                    t.push(Step::Computation {
                        text: format!(
                            "{} = {} (school days are weekdays of the provision window {} to {})",
                            if parts.is_empty() {
                                "0 school days".to_string()
                            } else {
                                parts.join(" + ")
                            },
                            yuan(total),
                            window.first,
                            window.last
                        ),
                    });
                    t.push(Step::Parameter {
                        name: "calendar".into(),
                        value: format!("{} to {}", window.first, window.last),
                        from: When::term(self.term),
                        cite: window.cite.clone(),
                    });
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
                        format!("school tuition {}/年 ÷ 2", yuan(t.as_decimal())),
                    ),
                    (None, Some((f2, u))) => {
                        let Some(v) = f2[si] else {
                            return missing(trace, u.name);
                        };
                        if let Some(t) = trace.as_deref_mut() {
                            t.push(u.step(Some(st)));
                        }
                        (v, format!("{} (no school tuition on record) ÷ 2", u.name))
                    }
                    (None, None) => {
                        if let Some(t) = trace {
                            t.push(Step::NotEntitled {
                                reason: format!(
                                    "missing data: school {} has no tuition (学费标准) on record, so the amount cannot be computed; the student is listed in the warnings, not counted",
                                    f.school.name
                                ),
                            });
                        }
                        return None;
                    }
                };
                let a = base.checked_mul(*share)?;
                if let Some(t) = trace {
                    t.push(share_use.step(None));
                    t.push(Step::Computation {
                        text: format!("{src} × {share} = {}", yuan(a)),
                    });
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
                        for (text, held) in cond.explain(f) {
                            t.push(Step::Condition { text, held });
                        }
                        t.push(u.step(Some(st)));
                        if let Some((_, su)) = share {
                            t.push(su.step(None));
                        }
                        t.push(Step::Computation {
                            text: format!("tier {name}: {} ({how}) = {}", u.value.value, yuan(a)),
                        });
                    }
                    return Some(a);
                }
                if let Some(t) = trace {
                    let names: Vec<&str> = tiers.iter().map(|x| x.1).collect();
                    t.push(Step::NotEntitled {
                        reason: format!("in none of the tiers {}", names.join(", ")),
                    });
                }
                None
            }
        }
    }

    fn rule_step(&self, r: &Rule) -> Step {
        Step::Rule {
            program: self.program.info.id.to_string(),
            rule: r.id.clone(),
            label: r.label.clone(),
            layer: r.layer.clone(),
            cite: r.cite.clone(),
        }
    }
}

fn uses_text(uses: &[Use<'_>], st: eduaid_model::Stage) -> String {
    uses.iter()
        .map(|u| {
            let v = u
                .value
                .value
                .for_stage(st)
                .map_or_else(|| "?".into(), |m| m.as_decimal().to_string());
            format!("{} {v}", u.name)
        })
        .collect::<Vec<_>>()
        .join(" × ")
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

    fn evaluate(&self, f: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Decimal> {
        let Some(t) = trace else {
            // The hot path: the first rule whose conditions hold decides.
            for pr in &self.rules {
                if pr.cond.holds(f) {
                    return self.amount(pr, f, None);
                }
            }
            return None;
        };
        if self.rules.is_empty() {
            let from = self.program.spec.rules.iter().filter_map(|r| r.from).min();
            t.push(Step::NotEntitled {
                reason: match from {
                    Some(d) if d.date > f.term.reference => {
                        format!("{} is not in force in {} (from {d})", self.program.info.id, self.term)
                    }
                    _ => format!("no rule of {} is in force in {}", self.program.info.id, self.term),
                },
            });
            return None;
        }
        let mut best: Option<Closest<'_, '_>> = None;
        for pr in &self.rules {
            let e = pr.cond.explain(f);
            let held = e.iter().take_while(|(_, h)| *h).count();
            if held == e.len() {
                t.push(self.rule_step(pr.rule));
                for (text, held) in e {
                    t.push(Step::Condition { text, held });
                }
                return self.amount(pr, f, Some(t));
            }
            // Ties go to the later rule: the default that exceptions refine.
            if best.as_ref().is_none_or(|(n, _, _)| held >= *n) {
                best = Some((held, pr, e));
            }
        }
        if let Some((_, pr, e)) = best {
            t.push(self.rule_step(pr.rule));
            let reason = e.iter().find(|(_, h)| !*h).map(|(x, _)| x.clone());
            for (text, held) in e {
                t.push(Step::Condition { text, held });
            }
            t.push(Step::NotEntitled {
                reason: reason.unwrap_or_else(|| "no rule applies".into()),
            });
        }
        None
    }
}

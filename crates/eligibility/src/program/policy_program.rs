//! The program a policy file defines: its rules prepared for a term,
//! evaluated per student, with its trace.

#[allow(clippy::wildcard_imports)]
use super::*;

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
    term: Term,
    rules: Vec<PreparedRule<'a>>,
    /// Stages some rule in force can grant to (bit per stage).
    stages: u8,
    /// With no rule in force, why not, in words (written once a term, not
    /// once a student).
    idle: String,
    /// The program's id as text (each rule's step names it), taken once.
    id: String,
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
            return self.prepare_per_day(a, p.get_ref(), cx);
        }
        if let Some(p) = &a.tuition_share {
            return self.prepare_tuition(a, p.get_ref(), date);
        }
        if let Some(tiers) = &a.tiers {
            return self.prepare_tiers(a, tiers, date);
        }
        Err(Miss::Gap("the rule's amount is empty".into()))
    }

    /// A per-day amount (`per_day = "…"`): the parameter's values over the
    /// term's school-day window, each with its dates.
    fn prepare_per_day<'a>(&'a self, a: &'a AmountDef, name: &'a str, cx: &TermContext) -> Result<Prepared<'a>, Miss> {
        let date = cx.reference;
        let Some(window) = cx.window.clone() else {
            return Err(Miss::Gap(format!(
                "the policy sets no school-day window for {}",
                cx.term
            )));
        };
        let param = self
            .policy
            .parameter(name)
            .ok_or_else(|| Miss::Gap(format!("unknown parameter {}", name)))?;
        let segments: Vec<_> = param
            .segments(window.first, window.last)
            .into_iter()
            .map(|(a0, b0, v)| (a0, b0, per_stage(v, Some), Use { name, value: v }))
            .collect();
        if segments.is_empty() {
            let reason = format!("no value of {} is in force during {}", name, cx.term);
            return Err(if param.first_day().is_none_or(|first| window.last < first) {
                Miss::Unset(reason)
            } else {
                Miss::Gap(reason)
            });
        }
        let share = self.share(a, date)?;
        Ok(Prepared::PerDay {
            segments,
            window,
            share,
        })
    }

    /// A share of the school's tuition (`tuition_share = "…"`), with the
    /// yearly amount used where the school sets no tuition.
    fn prepare_tuition<'a>(&'a self, a: &'a AmountDef, name: &'a str, date: NaiveDate) -> Result<Prepared<'a>, Miss> {
        let two = Decimal::TWO;
        let u = self.resolve(name, date)?;
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
        Ok(Prepared::Tuition {
            share,
            share_use: u,
            fallback,
        })
    }

    /// Tiered amounts (`[[…amount.tiers]]`): each tier's conditions
    /// compiled and its amount by stage.
    fn prepare_tiers<'a>(
        &'a self,
        a: &'a AmountDef,
        tiers: &'a [TierDef],
        date: NaiveDate,
    ) -> Result<Prepared<'a>, Miss> {
        let two = Decimal::TWO;
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
        Ok(Prepared::Tiers { tiers: out, share })
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
            id: self.info.id.to_string(),
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
    fn amount(&self, pr: &PreparedRule<'_>, f: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
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
                    return missing(trace, st, uses.first().map_or("", |u| u.name));
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
            } => self.per_day_amount(segments, window, share.as_ref(), f, trace),
            Prepared::Tuition {
                share,
                share_use,
                fallback,
            } => Self::tuition_amount(*share, share_use, fallback.as_ref(), f, trace),
            Prepared::Tiers { tiers, share } => Self::tier_amount(tiers, share.as_ref(), f, trace),
        }
    }

    /// A per-day amount: the school days the student was at school and the
    /// school in the plan, by segment of the parameter's values.
    #[inline]
    fn per_day_amount(
        &self,
        segments: &[(NaiveDate, NaiveDate, PerStage, Use<'_>)],
        window: &Window,
        share: Option<&(Decimal, Use<'_>)>,
        f: &Facts<'_>,
        mut trace: Option<&mut Trace>,
    ) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
        let join = f.school.nutrition_plan_from;
        let left = f.student.left_on().and_then(|d| d.pred_opt());
        let mut total = Decimal::ZERO;
        let mut parts: Vec<(Decimal, u64, NaiveDate, NaiveDate)> = Vec::new();
        for (a, b, rates, u) in segments {
            let first = join.map_or(*a, |j| j.max(*a));
            let last = left.map_or(*b, |l| l.min(*b));
            let days = window.school_days(first, last);
            let Some(rate) = rates[si] else {
                return missing(trace, st, u.name);
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

    /// A share of the school's tuition, or of the yearly fallback where the
    /// school sets none.
    #[inline]
    fn tuition_amount(
        share: Decimal,
        share_use: &Use<'_>,
        fallback: Option<&(PerStage, Use<'_>)>,
        f: &Facts<'_>,
        mut trace: Option<&mut Trace>,
    ) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
        let (base, src) = match (f.school.annual_tuition, fallback) {
            (Some(t), _) => (
                t.as_decimal().checked_mul(Decimal::new(5, 1))?,
                TuitionSrc::School(t.as_decimal()),
            ),
            (None, Some((f2, u))) => {
                let Some(v) = f2[si] else {
                    return missing(trace, st, u.name);
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
        let a = base.checked_mul(share)?;
        if let Some(t) = trace {
            share_use.push(t, None);
            t.push_computation(format_args!("{src} × {share} = {}", yuan(a)));
        }
        Some(a)
    }

    /// The amount of the first tier whose conditions hold.
    #[inline]
    fn tier_amount(
        tiers: &[(Cond, &str, PerStage, Use<'_>, &'static str)],
        share: Option<&(Decimal, Use<'_>)>,
        f: &Facts<'_>,
        trace: Option<&mut Trace>,
    ) -> Option<Decimal> {
        let st = f.student.stage;
        let si = stage_ix(st);
        for (cond, name, amounts, u, how) in tiers {
            if !cond.holds(f) {
                continue;
            }
            let Some(mut a) = amounts[si] else {
                return missing(trace, st, u.name);
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
        // Students of a stage, with or without a household, write over
        // the last one alike.
        t.bank(stage_ix(f.student.stage) + if f.household.is_some() { STAGES } else { 0 });
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
                t.push_rule(&self.id, pr.rule);
                pr.cond.explain_to(f, &mut |text, held| t.push_condition(text, held));
                return self.amount(pr, f, Some(t)).map(Money::from_decimal_exact);
            }
            // Ties go to the later rule: the default that exceptions refine.
            if best.as_ref().is_none_or(|(n, _)| held >= *n) {
                best = Some((held, pr));
            }
        }
        if let Some((_, pr)) = best {
            t.push_rule(&self.id, pr.rule);
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

/// No amount: the parameter `name` has no value for the student's stage
/// `st` (traced as the reason).
fn missing(t: Option<&mut Trace>, st: eduaid_model::Stage, name: &str) -> Option<Decimal> {
    if let Some(t) = t {
        t.push_not_entitled(format_args!("no value of {name} for stage {} ({st})", st.chinese()));
    }
    None
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

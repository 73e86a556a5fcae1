//! The UIS methods (UNESCO Institute for Statistics): flow rates by grade,
//! the reconstructed cohort, transition, net enrolment with capping, and
//! parity indices.
//!
//! Year alignment follows the UIS glossary: a flow rate of base year *t*
//! divides what happened by *t + 1* by the enrolment of *t*:
//!
//! - promotion `p[g,t] = (E[g+1,t+1] − R[g+1,t+1]) / E[g,t]`; for the last
//!   grade, the graduates of *t* over `E[G,t]`;
//! - repetition `r[g,t] = R[g,t+1] / E[g,t]` (not the percentage of
//!   repeaters `R[g,t]/E[g,t]`, a different indicator);
//! - dropout `d[g,t] = 1 − p − r`, negative when transfers or re-entrants
//!   push `p + r` above one (flagged, and capped in the cohort as the Zambia
//!   code does: `p/cf`, `r/cf` with `cf = p + r`).

use std::fmt;

use eduaid_model::{Decimal, SchoolYear, Sex, Stage};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::rate::{Rate, Ratio};
use crate::source::{CountSource, Filter, Filtered, GroupKey, Tally};

/// The flow rates of one grade from base year *t* to *t + 1*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeFlow {
    /// The stage.
    pub stage: Stage,
    /// The grade.
    pub grade: u8,
    /// Enrolment `E[g,t]`.
    pub enrolled: i128,
    /// Promotees `E[g+1,t+1] − R[g+1,t+1]`, or the graduates of the last
    /// grade.
    pub promoted: i128,
    /// Repeaters of this grade next year, `R[g,t+1]`.
    pub repeaters: i128,
    /// Promotion rate; base year *t*, outcome year *t + 1*.
    pub promotion: Rate,
    /// Repetition rate.
    pub repetition: Rate,
    /// Dropout rate `(E − promoted − repeaters) / E`; its numerator is below
    /// zero (and flagged) when `p + r > 1`.
    pub dropout: Rate,
}

impl GradeFlow {
    /// True if `p + r > 1`: the dropout rate is negative.
    #[must_use]
    pub fn negative_dropout(&self) -> bool {
        self.dropout.numerator() < 0
    }

    /// The effective promotion rate, `p / (1 − r)`: promotees over the pupils
    /// who did not repeat.
    #[must_use]
    pub fn effective_promotion(&self) -> Ratio {
        Ratio::new(self.promoted, self.enrolled - self.repeaters)
    }
}

/// The flow rates of every grade `1..=grades` of `stage` from `base_year` to
/// the year after. Grades without enrolment have rates without value.
pub fn flow_rates<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grades: u8,
    base_year: SchoolYear,
) -> Vec<GradeFlow> {
    let next = base_year.next();
    let at = |y: Option<SchoolYear>, g: u8| y.map(|y| Tally::grade(source, y, stage, g)).unwrap_or_default();
    (1..=grades)
        .map(|g| {
            let e = Tally::grade(source, base_year, stage, g);
            let promoted = if g == grades {
                e.graduates
            } else {
                let up = at(next, g + 1);
                up.enrolled - up.repeaters
            };
            let repeaters = at(next, g).repeaters;
            let years = |r: Rate| match next {
                Some(n) => r.with_years(base_year, n),
                None => r,
            };
            GradeFlow {
                stage,
                grade: g,
                enrolled: e.enrolled,
                promoted,
                repeaters,
                promotion: years(Rate::new(promoted, e.enrolled)),
                repetition: years(Rate::new(repeaters, e.enrolled)),
                dropout: years(Rate::new(e.enrolled - promoted - repeaters, e.enrolled)),
            }
        })
        .collect()
}

/// How many times a pupil of the reconstructed cohort may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepetitionLimit {
    /// No limit: the closed form, `SR_k = Π p/(1 − r)`, exact.
    #[default]
    Unlimited,
    /// At most this many times in each grade; a pupil who would repeat
    /// again drops out.
    PerGrade(u32),
    /// At most this many times over the whole cycle (the Philippines PSA
    /// "repeat once, twice, …"); a pupil who would repeat again drops out.
    PerPupil(u32),
}

/// How flows with `p + r > 1` (negative dropout) enter the cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegativeDropout {
    /// Divide `p` and `r` by the capping factor `cf = p + r` (UIS, the
    /// Zambia code).
    #[default]
    Cap,
    /// Refuse: an [`Error::Degenerate`].
    Reject,
}

/// The parameters of a reconstructed cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortOptions {
    /// The size of the cohort entering grade 1 (1000 by UIS habit).
    pub size: u32,
    /// The repetition limit.
    pub repetition_limit: RepetitionLimit,
    /// The most school years simulated (Zambia uses 11); `None` for no
    /// horizon. With a horizon the simulation is run even when repetition
    /// is unlimited.
    pub horizon: Option<u32>,
    /// Negative dropout handling.
    pub negative_dropout: NegativeDropout,
}

impl Default for CohortOptions {
    fn default() -> CohortOptions {
        CohortOptions {
            size: 1000,
            repetition_limit: RepetitionLimit::Unlimited,
            horizon: None,
            negative_dropout: NegativeDropout::Cap,
        }
    }
}

/// The most grades a reconstructed cohort may have.
pub const MAX_GRADES: usize = 20;

/// The largest repetition limit or horizon simulated year by year.
pub const MAX_SIMULATED: u32 = 100;

/// One grade of a reconstructed cohort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortGrade {
    /// The grade.
    pub grade: u8,
    /// The promotion rate used (after capping).
    pub promotion: Decimal,
    /// The repetition rate used (after capping).
    pub repetition: Decimal,
    /// The capping factor `p + r` applied, when above one.
    pub capping_factor: Option<Decimal>,
    /// Pupils of the cohort who reach the grade.
    pub reached: Decimal,
    /// Pupil-years spent in the grade.
    pub pupil_years: Decimal,
    /// Pupils who drop out of the grade (limit-forced dropouts included).
    pub dropouts: Decimal,
}

/// A reconstructed cohort: survival to each grade, graduates, efficiency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// The cohort size.
    pub size: Decimal,
    /// Each grade, from 1.
    pub grades: Vec<CohortGrade>,
    /// Graduates of the last grade.
    pub graduates: Decimal,
    /// Pupils still in school when the horizon ended.
    pub still_enrolled: Decimal,
}

impl Cohort {
    /// The survival rate to grade `k` (1-based), as a fraction: the share of
    /// the cohort that reaches it.
    #[must_use]
    pub fn survival_to(&self, k: u8) -> Option<Decimal> {
        let g = self.grades.get(usize::from(k).checked_sub(1)?)?;
        g.reached.checked_div(self.size)
    }

    /// The share of the cohort that graduates.
    #[must_use]
    pub fn graduation_share(&self) -> Option<Decimal> {
        self.graduates.checked_div(self.size)
    }

    /// Total pupil-years spent by the cohort.
    #[must_use]
    pub fn pupil_years(&self) -> Decimal {
        self.grades
            .iter()
            .fold(Decimal::ZERO, |a, g| a.saturating_add(g.pupil_years))
    }

    /// Dropouts over the cycle.
    #[must_use]
    pub fn dropouts(&self) -> Decimal {
        self.grades
            .iter()
            .fold(Decimal::ZERO, |a, g| a.saturating_add(g.dropouts))
    }

    /// The coefficient of efficiency: the pupil-years the graduates need at
    /// no repetition (graduates × grades) over the pupil-years actually
    /// spent, dropouts' included; 1 is perfect.
    #[must_use]
    pub fn coefficient_of_efficiency(&self) -> Option<Decimal> {
        let ideal = self.graduates.checked_mul(Decimal::from(self.grades.len()))?;
        ideal.checked_div(self.pupil_years())
    }

    /// Years-input per graduate: pupil-years spent over graduates.
    #[must_use]
    pub fn years_input_per_graduate(&self) -> Option<Decimal> {
        self.pupil_years().checked_div(self.graduates)
    }
}

fn degenerate(key: String, reason: &'static str) -> Error {
    Error::Degenerate {
        what: "reconstructed cohort",
        key,
        reason,
    }
}

fn overflow(key: String) -> Error {
    Error::Overflow {
        what: "reconstructed cohort",
        key,
    }
}

/// Capped flow rates of one grade: `(p, r, cf)`.
fn cap_rates(
    grade: usize,
    p: Decimal,
    r: Decimal,
    how: NegativeDropout,
) -> Result<(Decimal, Decimal, Option<Decimal>), Error> {
    let key = || format!("grade {}", grade + 1);
    if p.is_sign_negative() && !p.is_zero() || r.is_sign_negative() && !r.is_zero() {
        return Err(degenerate(key(), "a negative promotion or repetition rate"));
    }
    let cf = p.checked_add(r).ok_or_else(|| overflow(key()))?;
    if cf <= Decimal::ONE {
        return Ok((p, r, None));
    }
    match how {
        NegativeDropout::Reject => Err(degenerate(key(), "promotion plus repetition exceeds one")),
        NegativeDropout::Cap => {
            let p2 = p.checked_div(cf).ok_or_else(|| overflow(key()))?;
            // r/cf is 1 − p/cf up to the last digit; take the complement so
            // that the capped rates sum to exactly one.
            Ok((p2, Decimal::ONE - p2, Some(cf)))
        }
    }
}

/// Reconstruct a cohort from the promotion and repetition rate of each grade
/// (`(p, r)` as fractions, grade 1 first; the last grade's `p` is its
/// graduation rate).
///
/// Assumptions (UIS): dropouts never return, the rates stay constant over
/// the cohort's life, repeaters face the same rates, migration is ignored.
///
/// ```
/// use eduaid_stats::{reconstructed_cohort, CohortOptions};
/// use eduaid_model::Decimal;
/// let d = |s: &str| Decimal::from_str_exact(s);
/// let c = reconstructed_cohort(&[(d("0.9")?, d("0.1")?), (d("0.8")?, d("0")?)], &CohortOptions::default())?;
/// assert_eq!(c.survival_to(2), Some(d("1")?)); // p/(1−r) = 0.9/0.9
/// assert_eq!(c.graduation_share(), Some(d("0.8")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for no grades or more than [`MAX_GRADES`], a cohort of zero, or a limit or
/// horizon above [`MAX_SIMULATED`]; [`Error::Degenerate`] for negative rates,
/// `p + r > 1` under [`NegativeDropout::Reject`], or a grade everyone
/// repeats for ever under unlimited repetition.
pub fn reconstructed_cohort(rates: &[(Decimal, Decimal)], options: &CohortOptions) -> Result<Cohort, Error> {
    if rates.is_empty() || rates.len() > MAX_GRADES {
        return Err(Error::InvalidParameter {
            name: "rates",
            value: rates.len().to_string(),
            reason: "a cycle of 1 to 20 grades",
        });
    }
    if options.size == 0 {
        return Err(Error::InvalidParameter {
            name: "size",
            value: "0".into(),
            reason: "the cohort must have at least one pupil",
        });
    }
    for (name, v) in [
        ("horizon", options.horizon),
        (
            "repetition_limit",
            match options.repetition_limit {
                RepetitionLimit::Unlimited => None,
                RepetitionLimit::PerGrade(m) | RepetitionLimit::PerPupil(m) => Some(m),
            },
        ),
    ] {
        if let Some(v) = v.filter(|v| *v > MAX_SIMULATED) {
            return Err(Error::InvalidParameter {
                name,
                value: v.to_string(),
                reason: "at most 100 years are simulated",
            });
        }
    }
    let mut capped = Vec::with_capacity(rates.len());
    for (i, (p, r)) in rates.iter().enumerate() {
        capped.push(cap_rates(i, *p, *r, options.negative_dropout)?);
    }
    let size = Decimal::from(options.size);
    match (options.repetition_limit, options.horizon) {
        (RepetitionLimit::Unlimited, None) => closed_form(&capped, size),
        (RepetitionLimit::Unlimited, Some(h)) => simulate(&capped, size, h, false, h),
        (RepetitionLimit::PerGrade(m), h) => simulate(&capped, size, m, true, h.unwrap_or(u32::MAX)),
        (RepetitionLimit::PerPupil(m), h) => simulate(&capped, size, m, false, h.unwrap_or(u32::MAX)),
    }
}

fn grade_u8(i: usize) -> u8 {
    u8::try_from(i + 1).unwrap_or(u8::MAX)
}

/// Unlimited repetition, no horizon: each entrant to grade g spends
/// `1/(1 − r)` years there on average and moves on with probability
/// `p/(1 − r)`.
fn closed_form(rates: &[(Decimal, Decimal, Option<Decimal>)], size: Decimal) -> Result<Cohort, Error> {
    let mut reached = size;
    let mut grades = Vec::with_capacity(rates.len());
    for (i, (p, r, cf)) in rates.iter().enumerate() {
        let key = || format!("grade {}", i + 1);
        let stay = Decimal::ONE - *r;
        if stay <= Decimal::ZERO {
            return Err(degenerate(key(), "every pupil repeats for ever"));
        }
        let years = reached.checked_div(stay).ok_or_else(|| overflow(key()))?;
        let promoted = years.checked_mul(*p).ok_or_else(|| overflow(key()))?;
        grades.push(CohortGrade {
            grade: grade_u8(i),
            promotion: *p,
            repetition: *r,
            capping_factor: *cf,
            reached,
            pupil_years: years,
            dropouts: (reached - promoted).max(Decimal::ZERO),
        });
        reached = promoted;
    }
    Ok(Cohort {
        size,
        grades,
        graduates: reached,
        still_enrolled: Decimal::ZERO,
    })
}

/// Year-by-year simulation: stock by grade and repetitions used. A pupil
/// who would repeat past `limit` drops out; `per_grade` resets the count on
/// promotion.
fn simulate(
    rates: &[(Decimal, Decimal, Option<Decimal>)],
    size: Decimal,
    limit: u32,
    per_grade: bool,
    horizon: u32,
) -> Result<Cohort, Error> {
    let n = rates.len();
    let m = usize::try_from(limit)
        .unwrap_or(usize::MAX)
        .min(usize::try_from(MAX_SIMULATED).unwrap_or(100));
    let mut grades: Vec<CohortGrade> = rates
        .iter()
        .enumerate()
        .map(|(i, (p, r, cf))| CohortGrade {
            grade: grade_u8(i),
            promotion: *p,
            repetition: *r,
            capping_factor: *cf,
            reached: Decimal::ZERO,
            pupil_years: Decimal::ZERO,
            dropouts: Decimal::ZERO,
        })
        .collect();
    // stock[g][j]: pupils in grade g having used j repetitions.
    let mut stock = vec![vec![Decimal::ZERO; m + 1]; n];
    stock[0][0] = size;
    grades[0].reached = size;
    let mut graduates = Decimal::ZERO;
    // Every year someone is promoted or uses up a repetition: the stock is
    // empty after n·(m+1) years at most.
    let years = (n * (m + 1)).min(usize::try_from(horizon).unwrap_or(usize::MAX));
    for _ in 0..years {
        let mut next = vec![vec![Decimal::ZERO; m + 1]; n];
        for g in 0..n {
            let (p, r, _) = rates[g];
            let d = Decimal::ONE - p - r;
            for j in 0..=m {
                let x = stock[g][j];
                if x.is_zero() {
                    continue;
                }
                let key = || format!("grade {}", g + 1);
                let px = x.checked_mul(p).ok_or_else(|| overflow(key()))?;
                let rx = x.checked_mul(r).ok_or_else(|| overflow(key()))?;
                let dx = x.checked_mul(d).ok_or_else(|| overflow(key()))?;
                grades[g].pupil_years += x;
                grades[g].dropouts += dx;
                if g + 1 == n {
                    graduates += px;
                } else {
                    let jj = if per_grade { 0 } else { j };
                    next[g + 1][jj] += px;
                    grades[g + 1].reached += px;
                }
                if j < m {
                    next[g][j + 1] += rx;
                } else {
                    grades[g].dropouts += rx;
                }
            }
        }
        stock = next;
    }
    let still_enrolled = stock.iter().flatten().fold(Decimal::ZERO, |a, x| a + *x);
    Ok(Cohort {
        size,
        grades,
        graduates,
        still_enrolled,
    })
}

/// The reconstructed cohort of `stage` from the flow rates of `base_year`
/// (the flows and the cohort together).
///
/// # Errors
/// As [`reconstructed_cohort`]; [`Error::Degenerate`] for a grade without
/// enrolment.
pub fn reconstructed_cohort_from_counts<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grades: u8,
    base_year: SchoolYear,
    options: &CohortOptions,
) -> Result<(Vec<GradeFlow>, Cohort), Error> {
    let flows = flow_rates(source, stage, grades, base_year);
    let mut rates = Vec::with_capacity(flows.len());
    for f in &flows {
        let key = || format!("{base_year} {stage} grade {}", f.grade);
        let p = f
            .promotion
            .ratio
            .value()
            .ok_or_else(|| degenerate(key(), "no enrolment"))?;
        let r = f
            .repetition
            .ratio
            .value()
            .ok_or_else(|| degenerate(key(), "no enrolment"))?;
        rates.push((p, r));
    }
    let cohort = reconstructed_cohort(&rates, options)?;
    Ok((flows, cohort))
}

fn flow_values(flows: &[GradeFlow], key: &str) -> Result<Vec<(Decimal, Decimal)>, Error> {
    flows
        .iter()
        .map(|f| {
            let missing = || degenerate(format!("{key} grade {}", f.grade), "no enrolment");
            Ok((
                f.promotion.ratio.value().ok_or_else(missing)?,
                f.repetition.ratio.value().ok_or_else(missing)?,
            ))
        })
        .collect()
}

/// Reconstructed cohorts of girls and boys with one capping factor per
/// grade, as UIS and the Zambia code do: where either sex has `p + r > 1`,
/// both sexes' rates are divided by the larger factor, so the parity of
/// their survival is not distorted by capping one sex alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortsBySex {
    /// The girls' cohort.
    pub female: Cohort,
    /// The boys' cohort.
    pub male: Cohort,
    /// The common capping factor of each grade, when above one.
    pub capping_factors: Vec<Option<Decimal>>,
}

impl CohortsBySex {
    /// The gender parity index of survival to grade `k` (female over male)
    /// and its adjusted form.
    #[must_use]
    pub fn survival_parity(&self, k: u8) -> Option<(Decimal, Decimal)> {
        let f = self.female.survival_to(k)?;
        let m = self.male.survival_to(k)?;
        adjusted_parity(f, m)
    }
}

/// The parity index `group / reference` of two decimal values and its
/// adjusted form (`2 − reference/group` above one); `None` when the
/// reference is zero or either is negative.
#[must_use]
pub fn adjusted_parity(group: Decimal, reference: Decimal) -> Option<(Decimal, Decimal)> {
    if group.is_sign_negative() && !group.is_zero() || reference <= Decimal::ZERO {
        return None;
    }
    let index = group.checked_div(reference)?;
    let adjusted = if index <= Decimal::ONE {
        index
    } else {
        Decimal::TWO.checked_sub(reference.checked_div(group)?)?
    };
    Some((index, adjusted))
}

/// The reconstructed cohorts of girls and boys of `stage` from the flow
/// rates of `base_year`, with one capping factor per grade for both.
///
/// # Errors
/// As [`reconstructed_cohort_from_counts`].
pub fn reconstructed_cohorts_by_sex<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grades: u8,
    base_year: SchoolYear,
    options: &CohortOptions,
) -> Result<CohortsBySex, Error> {
    let of = |sex: Sex| {
        flow_rates(
            &Filtered::new(source, Filter::all().and(&GroupKey::Sex(sex))),
            stage,
            grades,
            base_year,
        )
    };
    let key = format!("{base_year} {stage}");
    let mut female = flow_values(&of(Sex::Female), &key)?;
    let mut male = flow_values(&of(Sex::Male), &key)?;
    let mut factors = Vec::with_capacity(female.len());
    for (f, m) in female.iter_mut().zip(male.iter_mut()) {
        let overflow = || overflow(key.clone());
        let cf =
            f.0.checked_add(f.1)
                .ok_or_else(overflow)?
                .max(m.0.checked_add(m.1).ok_or_else(overflow)?);
        if cf > Decimal::ONE {
            if options.negative_dropout == NegativeDropout::Reject {
                return Err(degenerate(key, "promotion plus repetition exceeds one"));
            }
            for x in [&mut *f, &mut *m] {
                x.0 = x.0.checked_div(cf).ok_or_else(overflow)?;
                x.1 = x.1.checked_div(cf).ok_or_else(overflow)?;
            }
            factors.push(Some(cf));
        } else {
            factors.push(None);
        }
    }
    Ok(CohortsBySex {
        female: reconstructed_cohort(&female, options)?,
        male: reconstructed_cohort(&male, options)?,
        capping_factors: factors,
    })
}

/// The percentage of repeaters (留级生比例) of a grade: `R[g,t] / E[g,t]`,
/// both of the same year. Not the repetition rate, which takes the
/// repeaters of the year after (Pineapples issue #1364).
pub fn percentage_of_repeaters<S: CountSource + ?Sized>(source: &S, stage: Stage, grade: u8, year: SchoolYear) -> Rate {
    let t = Tally::grade(source, year, stage, grade);
    Rate::new(t.repeaters, t.enrolled).with_years(year, year)
}

/// The form of a transition rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionForm {
    /// New entrants to the next stage over the last grade's enrolment.
    #[default]
    Gross,
    /// Over the last grade's enrolment less its repeaters next year.
    Effective,
}

/// The transition rate (升学率) from the last grade `last_grade` of `from` in
/// `base_year` to the first grade of `to` the year after:
/// `(E[to 1, t+1] − R[to 1, t+1]) / E[from last, t]`.
pub fn transition_rate<S: CountSource + ?Sized>(
    source: &S,
    from: Stage,
    last_grade: u8,
    to: Stage,
    base_year: SchoolYear,
    form: TransitionForm,
) -> Rate {
    let Some(next) = base_year.next() else {
        return Rate::new(0, 0);
    };
    let entrants = Tally::grade(source, next, to, 1);
    let last = Tally::grade(source, base_year, from, last_grade);
    let mut d = last.enrolled;
    if form == TransitionForm::Effective {
        d -= Tally::grade(source, next, from, last_grade).repeaters;
    }
    Rate::new(entrants.enrolled - entrants.repeaters, d).with_years(base_year, next)
}

/// A net enrolment ratio (净入学率) by sex with the UIS capping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetEnrolment {
    /// The total, capped if needed.
    pub total: Rate,
    /// Each sex, capped by the same factor.
    pub by_sex: Vec<(Sex, Rate)>,
    /// The capping factor: the largest ratio of the official age group's
    /// enrolment at any level to its population, over the sexes and the
    /// total, when above one.
    pub capping_factor: Option<Ratio>,
    /// The raw total, before capping.
    pub raw_total: Rate,
}

/// The counts of one sex for a net enrolment ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NerCounts {
    /// The sex.
    pub sex: Sex,
    /// Enrolment of the official age group at the level (the numerator).
    pub at_level: i128,
    /// Enrolment of the official age group at any level (the level, the
    /// ones below and above it): the basis of the UIS capping factor.
    /// `None` when unknown; counted as at least `at_level`.
    pub any_level: Option<i128>,
    /// Population of the official age group.
    pub population: i128,
}

impl NerCounts {
    /// The counts of one sex.
    #[must_use]
    pub fn new(sex: Sex, at_level: i128, any_level: Option<i128>, population: i128) -> NerCounts {
        NerCounts {
            sex,
            at_level,
            any_level,
            population,
        }
    }
}

/// The net enrolment ratio from official-age enrolment and population by
/// sex.
///
/// UIS (<http://uis.unesco.org/node/9942>; research/education-statistics.md
/// §1): where the ratio of the age group's enrolment **at any level** to its
/// population exceeds one for a sex or the total (an overestimated
/// enrolment or an underestimated population), male, female and total NERs
/// are all divided by one capping factor, the largest such ratio. The
/// factor comes from the any-level enrolment, not from the NERs: an age
/// group of 560 enrolled at any level of 500 children gives 28/25, and 540
/// at the level becomes 540/560. One factor keeps the parity index.
///
/// When a ratio at the level already exceeds one and the any-level
/// enrolment of some sex is unknown, the capping cannot be done as UIS does
/// it: every rate is then not computable
/// ([`Missing::AnyLevelEnrolment`](crate::Missing)), its raw value kept in
/// [`NetEnrolment::raw_total`]. Any-level counts below the at-level ones
/// are raised to them.
#[must_use]
pub fn net_enrolment_ratio(by_sex: &[NerCounts], year: SchoolYear) -> NetEnrolment {
    let over = |n: i128, d: i128| d > 0 && n > d;
    let n: i128 = by_sex.iter().map(|c| c.at_level).sum();
    let d: i128 = by_sex.iter().map(|c| c.population).sum();
    let total = Ratio::new(n, d);
    let raw: Vec<(Sex, Ratio)> = by_sex
        .iter()
        .map(|c| (c.sex, Ratio::new(c.at_level, c.population)))
        .collect();
    let any_known = by_sex.iter().all(|c| c.any_level.is_some());
    let any = |c: &NerCounts| c.any_level.unwrap_or(c.at_level).max(c.at_level);
    let any_total: i128 = by_sex.iter().map(any).sum();
    let mut cf: Option<Ratio> = None;
    let candidates = by_sex
        .iter()
        .map(|c| Ratio::new(any(c), c.population))
        .chain(std::iter::once(Ratio::new(any_total, d)));
    for r in candidates {
        if over(r.numerator, r.denominator) {
            let bigger = cf.is_none_or(|c| r.compare(&c) == Some(std::cmp::Ordering::Greater));
            if bigger {
                cf = Some(r);
            }
        }
    }
    let needs_cap = raw.iter().any(|(_, r)| over(r.numerator, r.denominator)) || over(n, d);
    let missing = (needs_cap && !any_known).then_some(crate::rate::Missing::AnyLevelEnrolment { year });
    let apply = |r: Ratio| -> Rate {
        let out = match cf {
            Some(c) if r.denominator != 0 => r.checked_div(&c).unwrap_or(Ratio::new(0, 0)),
            _ => r,
        };
        Rate::from_ratio(out).with_years(year, year).with_missing(missing)
    };
    NetEnrolment {
        total: apply(total),
        by_sex: raw.iter().map(|(s, r)| (*s, apply(*r))).collect(),
        capping_factor: if missing.is_some() { None } else { cf },
        raw_total: Rate::from_ratio(total).with_years(year, year),
    }
}

/// Which groups a parity index compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParityKind {
    /// Gender parity index (GPI): female over male.
    Gender,
    /// Registered-poor over other students.
    Poverty,
    /// Location parity: rural over urban.
    Location,
}

impl ParityKind {
    /// The name shown in a table: `女/男`, `建档立卡/非建档立卡`, `农村/城区`.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ParityKind::Gender => "女/男",
            ParityKind::Poverty => "建档立卡/非建档立卡",
            ParityKind::Location => "农村/城区",
        }
    }

    /// The disadvantaged group and the reference group.
    #[must_use]
    pub fn groups(self) -> (GroupKey, GroupKey) {
        use eduaid_model::{Locality, PovertyGroup};
        match self {
            ParityKind::Gender => (GroupKey::Sex(Sex::Female), GroupKey::Sex(Sex::Male)),
            ParityKind::Poverty => (
                GroupKey::Poverty(PovertyGroup::RegisteredPoor),
                GroupKey::Poverty(PovertyGroup::Other),
            ),
            ParityKind::Location => (GroupKey::Locality(Locality::Rural), GroupKey::Locality(Locality::Urban)),
        }
    }
}

/// A parity index and its adjusted form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parity {
    /// Which groups.
    pub kind: ParityKind,
    /// The indicator for the disadvantaged group.
    pub group: Rate,
    /// The indicator for the reference group.
    pub reference: Rate,
    /// The parity index, group over reference, exact.
    pub index: Option<Ratio>,
    /// The adjusted index: the index when at most one, else `2 − 1/index`,
    /// exact; symmetric around one and bounded by two.
    pub adjusted: Option<Ratio>,
}

impl fmt::Display for Parity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |r: &Option<Ratio>| {
            r.map_or_else(
                || crate::rate::NO_VALUE.to_string(),
                |r| r.format(2, eduaid_model::Rounding::HalfUp),
            )
        };
        write!(
            f,
            "{} parity index {} (adjusted {})",
            self.kind.label(),
            show(&self.index),
            show(&self.adjusted)
        )
    }
}

/// The parity index of two rates, and the adjusted parity index (UIS GPIA):
/// `F/M` if `F ≤ M`, else `2 − M/F`.
#[must_use]
pub fn parity_index(kind: ParityKind, group: Rate, reference: Rate) -> Parity {
    let valid = group.has_value() && reference.has_value() && group.numerator() >= 0;
    let index = if valid {
        group.ratio.checked_div(&reference.ratio)
    } else {
        None
    };
    let adjusted = index.and_then(|i| {
        let i = if i.denominator < 0 {
            Ratio::new(i.numerator.checked_neg()?, i.denominator.checked_neg()?)
        } else {
            i
        };
        if i.numerator <= i.denominator {
            Some(i)
        } else {
            // 2 − d/n = (2n − d)/n
            Some(Ratio::new(
                i.numerator.checked_mul(2)?.checked_sub(i.denominator)?,
                i.numerator,
            ))
        }
    });
    Parity {
        kind,
        group,
        reference,
        index,
        adjusted,
    }
}

/// The parity index of any indicator computed on counts: the indicator is
/// computed on each group's records (summed first) and compared.
pub fn parity<S, F>(source: &S, kind: ParityKind, indicator: F) -> Parity
where
    S: CountSource + ?Sized,
    F: Fn(&dyn CountSource) -> Rate,
{
    let (g, r) = kind.groups();
    let group = indicator(&Filtered::new(source, Filter::all().and(&g)));
    let reference = indicator(&Filtered::new(source, Filter::all().and(&r)));
    parity_index(kind, group, reference)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::cell;
    use eduaid_model::{GradeCount, PovertyGroup, Rounding};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn y(n: i32) -> SchoolYear {
        SchoolYear::new(n).unwrap()
    }

    /// Two grades over two years; grade 1 of the base year already holds
    /// repeaters (a trap: they are the *percentage of repeaters*, not the
    /// repetition rate).
    fn two_grades() -> Vec<GradeCount> {
        let mut g1 = cell(2015, Stage::Primary, 1, 100);
        g1.repeaters = 7;
        let mut g2 = cell(2015, Stage::Primary, 2, 80);
        g2.graduates = 72;
        let mut n1 = cell(2016, Stage::Primary, 1, 110);
        n1.repeaters = 4;
        let mut n2 = cell(2016, Stage::Primary, 2, 95);
        n2.repeaters = 5;
        vec![g1, g2, n1, n2]
    }

    #[test]
    fn flow_rates_take_repeaters_from_the_next_year() {
        let f = flow_rates(&two_grades(), Stage::Primary, 2, y(2015));
        assert_eq!((f[0].enrolled, f[0].promoted, f[0].repeaters), (100, 90, 4));
        assert_eq!(f[0].repetition.ratio, Ratio::new(4, 100));
        assert_eq!(f[0].dropout.ratio, Ratio::new(6, 100));
        assert_eq!(f[0].promotion.base_year, Some(y(2015)));
        assert_eq!(f[0].promotion.outcome_year, Some(y(2016)));
        assert_eq!(f[0].effective_promotion(), Ratio::new(90, 96));
        // The last grade is promoted by graduating: 72 of 80, 5 repeat.
        assert_eq!((f[1].promoted, f[1].repeaters), (72, 5));
        assert_eq!(f[1].dropout.ratio, Ratio::new(3, 80));
        assert!(!f[1].negative_dropout());
    }

    #[test]
    fn negative_dropout_is_flagged_and_capped() {
        let mut v = two_grades();
        v[3].enrolled = 110; // 105 promotees from 100 pupils
        let f = flow_rates(&v, Stage::Primary, 2, y(2015));
        assert!(f[0].negative_dropout());
        assert!(f[0].dropout.flags().contains(&crate::Flag::NegativeNumerator));
        let (_, c) =
            reconstructed_cohort_from_counts(&v, Stage::Primary, 2, y(2015), &CohortOptions::default()).unwrap();
        // cf = 1.05 + 0.04 = 1.09; p/cf = 105/109.
        assert_eq!(c.grades[0].capping_factor, Some(d("1.09")));
        assert_eq!(Rounding::HalfUp.round(c.grades[0].promotion, 6), d("0.963303"));
        assert_eq!(c.grades[0].promotion + c.grades[0].repetition, Decimal::ONE);
        let reject = CohortOptions {
            negative_dropout: NegativeDropout::Reject,
            ..CohortOptions::default()
        };
        assert!(reconstructed_cohort_from_counts(&v, Stage::Primary, 2, y(2015), &reject).is_err());
    }

    #[test]
    fn cohort_without_repetition_is_a_product() {
        let c = reconstructed_cohort(
            &[(d("0.9"), d("0")), (d("0.8"), d("0")), (d("0.5"), d("0"))],
            &CohortOptions::default(),
        )
        .unwrap();
        assert_eq!(c.survival_to(1), Some(Decimal::ONE));
        assert_eq!(c.survival_to(2), Some(d("0.9")));
        assert_eq!(c.survival_to(3), Some(d("0.72")));
        assert_eq!(c.graduates, d("360"));
        // Pupil-years 1000 + 900 + 720 = 2620; CE = 360·3/2620.
        assert_eq!(c.pupil_years(), d("2620"));
        assert_eq!(
            Rounding::HalfUp.round(c.coefficient_of_efficiency().unwrap(), 4),
            d("0.4122")
        );
        assert_eq!(
            Rounding::HalfUp.round(c.years_input_per_graduate().unwrap(), 4),
            d("7.2778")
        );
        assert_eq!(c.dropouts() + c.graduates, d("1000"));
        assert_eq!(c.survival_to(4), None);
        assert_eq!(c.survival_to(0), None);
    }

    #[test]
    fn simulation_by_year_matches_the_closed_forms() {
        let rates = [(d("0.85"), d("0.1")), (d("0.8"), d("0.15")), (d("0.9"), d("0.05"))];
        // Repeat at most once per grade: each grade passes p(1 + r).
        let once = CohortOptions {
            repetition_limit: RepetitionLimit::PerGrade(1),
            ..CohortOptions::default()
        };
        let c = reconstructed_cohort(&rates, &once).unwrap();
        assert_eq!(c.survival_to(2), Some(d("0.935")));
        assert_eq!(c.survival_to(3), Some(d("0.935") * d("0.92")));
        assert_eq!(c.still_enrolled, Decimal::ZERO);
        // Accounting: every pupil graduates or drops out.
        assert_eq!(c.graduates + c.dropouts(), d("1000"));
        // Per pupil, at most once over the cycle: fewer survive than per grade.
        let pupil = CohortOptions {
            repetition_limit: RepetitionLimit::PerPupil(1),
            ..CohortOptions::default()
        };
        let p = reconstructed_cohort(&rates, &pupil).unwrap();
        assert!(p.graduates < c.graduates);
        assert_eq!(p.graduates + p.dropouts(), d("1000"));
        // A horizon of 3 years: only those who never repeat graduate.
        let h = CohortOptions {
            horizon: Some(3),
            ..CohortOptions::default()
        };
        let hz = reconstructed_cohort(&rates, &h).unwrap();
        assert_eq!(hz.graduates, d("1000") * d("0.85") * d("0.8") * d("0.9"));
        assert!(hz.still_enrolled > Decimal::ZERO);
    }

    #[test]
    fn cohort_parameters_are_checked() {
        let opts = CohortOptions::default();
        assert!(reconstructed_cohort(&[], &opts).is_err());
        assert!(reconstructed_cohort(&[(d("0.5"), d("0.5")); 21], &opts).is_err());
        // The largest simulation allowed finishes, and accounts for everyone.
        let widest = CohortOptions {
            repetition_limit: RepetitionLimit::PerGrade(MAX_SIMULATED),
            ..opts
        };
        let c = reconstructed_cohort(&[(d("0.5"), d("0.5")); MAX_GRADES], &widest).unwrap();
        assert!((c.graduates + c.dropouts() - d("1000")).abs() < d("0.000000000001"));
        assert!(reconstructed_cohort(&[(d("0"), d("1"))], &opts).is_err());
        assert!(reconstructed_cohort(&[(d("-0.1"), d("0"))], &opts).is_err());
        let big = CohortOptions {
            repetition_limit: RepetitionLimit::PerGrade(101),
            ..opts
        };
        assert!(reconstructed_cohort(&[(d("0.5"), d("0.5"))], &big).is_err());
        let zero = CohortOptions { size: 0, ..opts };
        assert!(reconstructed_cohort(&[(d("0.5"), d("0.5"))], &zero).is_err());
        // Everyone repeats, with a limit: they drop out at the limit.
        let lim = CohortOptions {
            repetition_limit: RepetitionLimit::PerGrade(2),
            ..opts
        };
        let c = reconstructed_cohort(&[(d("0"), d("1"))], &lim).unwrap();
        assert_eq!(
            (c.graduates, c.dropouts(), c.pupil_years()),
            (d("0"), d("1000"), d("3000"))
        );
        assert_eq!(c.coefficient_of_efficiency(), Some(d("0")));
        assert_eq!(c.years_input_per_graduate(), None);
    }

    #[test]
    fn one_capping_factor_for_both_sexes() {
        // Grade 1 of 100 girls and 100 boys; next year 110 girls (p + r =
        // 1.12) and 90 boys reach grade 2; 2 of each repeat grade 1.
        let mut v = Vec::new();
        for (sex, up) in [(Sex::Female, 110), (Sex::Male, 90)] {
            let mut g1 = cell(2015, Stage::Primary, 1, 100);
            g1.sex = sex;
            let mut g2 = cell(2015, Stage::Primary, 2, 100);
            g2.sex = sex;
            g2.graduates = 100;
            let mut n1 = cell(2016, Stage::Primary, 1, 100);
            n1.sex = sex;
            n1.repeaters = 2;
            let mut n2 = cell(2016, Stage::Primary, 2, up);
            n2.sex = sex;
            v.extend([g1, g2, n1, n2]);
        }
        let c = reconstructed_cohorts_by_sex(&v, Stage::Primary, 2, y(2015), &CohortOptions::default()).unwrap();
        assert_eq!(c.capping_factors, vec![Some(d("1.12")), None]);
        // Girls: p = 1.10/1.12, r = 0.02/1.12; boys: p = 0.90/1.12.
        assert_eq!(Rounding::HalfUp.round(c.female.grades[0].promotion, 6), d("0.982143"));
        assert_eq!(Rounding::HalfUp.round(c.male.grades[0].promotion, 6), d("0.803571"));
        let (gpi, adj) = c.survival_parity(2).unwrap();
        // Survival p/(1 − r): girls 1.10/1.10 = 1, boys 0.90/1.10.
        assert_eq!(Rounding::HalfUp.round(gpi, 4), d("1.2222"));
        assert_eq!(Rounding::HalfUp.round(adj, 4), d("1.1818"));
        assert_eq!(adjusted_parity(d("1"), d("0")), None);
        assert_eq!(adjusted_parity(d("0.5"), d("1")), Some((d("0.5"), d("0.5"))));
    }

    #[test]
    fn transition_gross_and_effective() {
        let mut p6 = cell(2015, Stage::Primary, 6, 500);
        p6.graduates = 490;
        let mut p6n = cell(2016, Stage::Primary, 6, 480);
        p6n.repeaters = 10;
        let mut j1 = cell(2016, Stage::Junior, 1, 495);
        j1.repeaters = 15;
        let v = vec![p6, p6n, j1];
        let g = transition_rate(&v, Stage::Primary, 6, Stage::Junior, y(2015), TransitionForm::Gross);
        assert_eq!(g.ratio, Ratio::new(480, 500));
        let e = transition_rate(&v, Stage::Primary, 6, Stage::Junior, y(2015), TransitionForm::Effective);
        assert_eq!(e.ratio, Ratio::new(480, 490));
        assert_eq!(e.outcome_year, Some(y(2016)));
    }

    #[test]
    fn ner_capping_keeps_the_parity_index() {
        // Any-level enrolment 105 and 95 of 100 each: the factor is 105/100.
        let n = net_enrolment_ratio(
            &[
                NerCounts::new(Sex::Female, 105, Some(105), 100),
                NerCounts::new(Sex::Male, 95, Some(95), 100),
            ],
            y(2016),
        );
        assert_eq!(n.capping_factor, Some(Ratio::new(105, 100)));
        let f = &n.by_sex[0].1;
        let m = &n.by_sex[1].1;
        assert_eq!(f.ratio.compare(&Ratio::new(1, 1)), Some(std::cmp::Ordering::Equal));
        assert_eq!(m.ratio.compare(&Ratio::new(95, 105)), Some(std::cmp::Ordering::Equal));
        assert_eq!(n.raw_total.ratio, Ratio::new(200, 200));
        let before = parity_index(ParityKind::Gender, Rate::new(105, 100), Rate::new(95, 100));
        let after = parity_index(ParityKind::Gender, f.clone(), m.clone());
        assert_eq!(
            before.index.unwrap().compare(&after.index.unwrap()),
            Some(std::cmp::Ordering::Equal)
        );
        let none = net_enrolment_ratio(&[NerCounts::new(Sex::Female, 90, None, 100)], y(2016));
        assert_eq!(none.capping_factor, None);
        assert_eq!(none.total.ratio, Ratio::new(90, 100));
        assert!(none.total.has_value());
        let empty = net_enrolment_ratio(&[], y(2016));
        assert!(!empty.total.has_value());
    }

    #[test]
    fn parity_and_adjusted_parity() {
        // F ≤ M: GPIA = GPI.
        let a = parity_index(ParityKind::Gender, Rate::new(80, 100), Rate::new(100, 100));
        assert_eq!(a.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("0.80")));
        // F > M: 2 − M/F; F/M = 1.25 → 2 − 0.8 = 1.2.
        let b = parity_index(ParityKind::Gender, Rate::new(100, 100), Rate::new(80, 100));
        assert_eq!(b.index.unwrap().round(2, Rounding::HalfUp), Some(d("1.25")));
        assert_eq!(b.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("1.20")));
        let z = parity_index(ParityKind::Poverty, Rate::new(1, 2), Rate::new(0, 2));
        assert_eq!((z.index, z.adjusted), (None, None));
        // From counts: registered-poor over other, each summed first.
        let mut poor = cell(2016, Stage::Junior, 1, 50);
        poor.poverty = PovertyGroup::RegisteredPoor;
        poor.dropouts = 2;
        let mut other = cell(2016, Stage::Junior, 1, 150);
        other.dropouts = 3;
        let v = vec![poor, other];
        let p = parity(&v, ParityKind::Poverty, |s| {
            crate::dropout_rate(s, Stage::Junior, y(2016), crate::DropoutForm::Definitional).rate
        });
        assert_eq!(p.group.ratio, Ratio::new(2, 50));
        assert_eq!(p.reference.ratio, Ratio::new(3, 150));
        assert_eq!(p.index.unwrap().round(2, Rounding::HalfUp), Some(d("2.00")));
        assert_eq!(p.adjusted.unwrap().round(2, Rounding::HalfUp), Some(d("1.50")));
    }
}

//! The reconstructed cohort: from flow rates, from counts, and for girls
//! and boys under one capping factor.

use eduaid_model::{Decimal, SchoolYear, Sex, Stage};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::source::{CountSource, Filter, Filtered, GroupKey};

use super::flow::{GradeFlow, flow_rates};
use super::parity::adjusted_parity;
use crate::convert::clamped;

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
    clamped::<_, u8>(i + 1)
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
    let m = clamped::<_, usize>(limit).min(clamped::<_, usize>(MAX_SIMULATED));
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
    let years = (n * (m + 1)).min(clamped::<_, usize>(horizon));
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
/// enrolment; as the source's [`visit_grades`](CountSource::visit_grades).
pub fn reconstructed_cohort_from_counts<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    grades: u8,
    base_year: SchoolYear,
    options: &CohortOptions,
) -> Result<(Vec<GradeFlow>, Cohort), Error> {
    let flows = flow_rates(source, stage, grades, base_year)?;
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
            &Filtered::new(source, Filter::all().and(&GroupKey::Sex(sex)))?,
            stage,
            grades,
            base_year,
        )
    };
    let key = format!("{base_year} {stage}");
    let mut female = flow_values(&of(Sex::Female)?, &key)?;
    let mut male = flow_values(&of(Sex::Male)?, &key)?;
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

//! The Chinese official indicators, computed from aggregate counts.
//!
//! - Retention (巩固率): [`retention`], six-year primary, three-year junior
//!   and nine-year compulsory, in the plain, the transfer-adjusted and the
//!   借读 (net increase) form, with deaths and repeaters by explicit option.
//!   A cohort whose intake or years are missing is not computable
//!   ([`Missing`]), never a number.
//! - Annual dropout rate (年辍学率): [`dropout_rate`], definitional or the
//!   aggregate 两基 form, with 休学 and the other increases and decreases.
//! - Enrolment rate of disabled children (残疾儿童少年入学率):
//!   [`disabled_enrolment_rate`], the age band a parameter.
//! - Gross enrolment ratio (毛入学率): [`gross_enrolment_ratio`], the age band
//!   a parameter.
//! - Shares from counts: [`registered_poor_share`]; pupil-teacher ratio
//!   (生师比): [`pupil_teacher_ratio`].
//!
//! Every result names the form it used and keeps its exact counts.

use std::ops::RangeInclusive;

use eduaid_model::{SchoolYear, Stage};
use serde::{Deserialize, Serialize};

use crate::rate::{Missing, Rate, Ratio};
use crate::source::{CountSource, Tally, every};
use crate::{Error, PovertyGroup};
use eduaid_model::{DisabledChildrenCount, PopulationCount, TeacherCount};

/// Which retention rate (巩固率).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionKind {
    /// 小学六年巩固率: primary graduates over the primary intake six years
    /// before.
    PrimarySixYear,
    /// 初中三年巩固率: junior graduates over the junior intake three years
    /// before.
    JuniorThreeYear,
    /// 九年义务教育巩固率: junior graduates over the primary intake nine
    /// years before.
    CompulsoryNineYear,
}

impl RetentionKind {
    /// The Chinese name.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            RetentionKind::PrimarySixYear => "小学六年巩固率",
            RetentionKind::JuniorThreeYear => "初中三年巩固率",
            RetentionKind::CompulsoryNineYear => "九年义务教育巩固率",
        }
    }

    /// The stages the cohort passes through, with the grades counted in
    /// each: `[(Primary, 6)]`, `[(Junior, 3)]`, `[(Primary, 6), (Junior, 3)]`.
    #[must_use]
    pub fn stages(self) -> &'static [(Stage, u8)] {
        match self {
            RetentionKind::PrimarySixYear => &[(Stage::Primary, 6)],
            RetentionKind::JuniorThreeYear => &[(Stage::Junior, 3)],
            RetentionKind::CompulsoryNineYear => &[(Stage::Primary, 6), (Stage::Junior, 3)],
        }
    }

    /// The years from intake to graduation.
    #[must_use]
    pub fn duration(self) -> u8 {
        self.stages().iter().map(|(_, g)| *g).sum()
    }
}

/// The form of a retention rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionForm {
    /// 毕业生数 ÷ 入学时招生数: graduates over the cohort's intake.
    Plain,
    /// 毕业生数 ÷ (招生数 + 转入 − 转出): the intake adjusted by the
    /// cohort's transfers in and out over its years (the 栾川 county form).
    #[default]
    TransferAdjusted,
    /// 毕业生数 ÷ (招生数 + 净增加), 净增加 = (转入 + 借读 + 其他增加) −
    /// (转出 + 休学 + 其他减少), over the cohort's years: the retention with
    /// 借读 of the 泰州 template (research/education-statistics.md §2,
    /// "Transfers", source <https://360docs.net/doc/3719094076.html>).
    NetIncrease,
}

/// How the cohort's intake is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intake {
    /// New entrants (招生数) to the first grade.
    #[default]
    NewEntrants,
    /// Enrolment (在校生) of the first grade on 1 September: the MOE
    /// wording "该年级入学时学生数", repeaters included.
    FirstGradeEnrolment,
}

/// How repeaters (留级生) are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repeaters {
    /// Not adjusted: graduates are counted whatever cohort they began in.
    #[default]
    Ignore,
    /// Repeaters move between cohorts: repeaters found in the cohort's
    /// grade in its year joined it from the cohort before (added to the
    /// denominator, grade 1 excepted when the intake is first-grade
    /// enrolment, which already holds them); the cohort's own members who
    /// repeat a grade leave for the cohort after (deducted).
    AsCohortFlows,
}

/// The options of a retention rate: each adjustment explicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RetentionOptions {
    /// Plain or transfer-adjusted.
    pub form: RetentionForm,
    /// How the intake is measured.
    pub intake: Intake,
    /// Deduct the cohort's deaths (死亡) from the denominator.
    pub deduct_deaths: bool,
    /// How repeaters are treated.
    pub repeaters: Repeaters,
    /// Show rates above 100% as 100% (the raw value is kept).
    pub cap_at_hundred: bool,
}

impl RetentionOptions {
    /// The transfer-adjusted form, nothing else adjusted: the form of the
    /// seed county.
    #[must_use]
    pub fn transfer_adjusted() -> RetentionOptions {
        RetentionOptions::default()
    }

    /// The plain form: graduates over intake.
    #[must_use]
    pub fn plain() -> RetentionOptions {
        RetentionOptions {
            form: RetentionForm::Plain,
            ..RetentionOptions::default()
        }
    }
}

/// A retention rate with the counts it was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Which rate.
    pub kind: RetentionKind,
    /// The options it was computed with.
    pub options: RetentionOptions,
    /// The rate; its base year is the intake year, its outcome year the
    /// graduation year.
    pub rate: Rate,
    /// Graduates (the numerator).
    pub graduates: i128,
    /// The cohort's intake.
    pub intake: i128,
    /// Transfers in over the cohort's years.
    pub transfers_in: i128,
    /// Transfers out over the cohort's years.
    pub transfers_out: i128,
    /// Deaths over the cohort's years.
    pub deaths: i128,
    /// Temporary pupils (借读) who joined over the cohort's years.
    pub temporary_in: i128,
    /// Suspensions (休学) over the cohort's years.
    pub suspended: i128,
    /// Other increases (其他增加) over the cohort's years.
    pub other_in: i128,
    /// Other decreases (其他减少) over the cohort's years.
    pub other_out: i128,
    /// Repeaters who joined the cohort from the one before.
    pub repeaters_in: i128,
    /// The cohort's members who repeated and left for the one after.
    pub repeaters_out: i128,
}

impl Retention {
    /// The form in words, e.g. `毕业生数 ÷ (招生数 + 转入 − 转出)`.
    #[must_use]
    pub fn form_name(&self) -> String {
        let intake = match self.options.intake {
            Intake::NewEntrants => "招生数",
            Intake::FirstGradeEnrolment => "入学时在校生数",
        };
        let mut terms = vec![intake.to_string()];
        match self.options.form {
            RetentionForm::Plain => {}
            RetentionForm::TransferAdjusted => terms.push("+ 转入 − 转出".into()),
            RetentionForm::NetIncrease => terms.push("+ 转入 + 借读 + 其他增加 − 转出 − 休学 − 其他减少".into()),
        }
        if self.options.repeaters == Repeaters::AsCohortFlows {
            terms.push("+ 留级转入 − 留级转出".into());
        }
        if self.options.deduct_deaths {
            terms.push("− 死亡".into());
        }
        if terms.len() == 1 {
            format!("毕业生数 ÷ {intake}")
        } else {
            format!("毕业生数 ÷ ({})", terms.join(" "))
        }
    }
}

/// The retention rate of the cohort that graduates in `graduation_year`.
///
/// The cohort entered the first grade `duration − 1` years before (2014-15
/// for junior graduates of 2016-17); the numerator is the graduates of the
/// last grade counted (grade 6 of primary, grade 3 of junior) in the
/// graduation year. Transfers, deaths and repeaters are summed along the
/// cohort's diagonal: grade g in the intake year plus g − 1.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
///
/// ```
/// use eduaid_stats::{retention, RetentionKind, RetentionOptions};
/// use eduaid_model::{Counts, SchoolYear};
/// let r = retention(&Counts::default(), RetentionKind::JuniorThreeYear, SchoolYear::new(2016)?,
///     RetentionOptions::default())?;
/// assert_eq!(r.rate.format_percent(2), "—"); // no cohort: no value, no panic
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn retention<S: CountSource + ?Sized>(
    source: &S,
    kind: RetentionKind,
    graduation_year: SchoolYear,
    options: RetentionOptions,
) -> Result<Retention, Error> {
    let duration = i32::from(kind.duration());
    let intake_year = graduation_year.offset(1 - duration);
    let diagonal = cohort_diagonal(kind, intake_year);
    let (first_stage, _) = kind.stages()[0];
    let (last_stage, last_grade) = kind.stages()[kind.stages().len() - 1];
    let last = Tally::grade(source, graduation_year, last_stage, last_grade)?;
    let mut r = Retention {
        kind,
        options,
        rate: Rate::new(0, 0),
        graduates: last.graduates,
        intake: 0,
        transfers_in: 0,
        transfers_out: 0,
        deaths: 0,
        temporary_in: 0,
        suspended: 0,
        other_in: 0,
        other_out: 0,
        repeaters_in: 0,
        repeaters_out: 0,
    };
    let mut missing = None;
    // A complete diagonal only: a missing year leaves the rate without value.
    if let (Some(iy), true) = (intake_year, i32::try_from(diagonal.len()).ok() == Some(duration)) {
        let first = Tally::grade(source, iy, first_stage, 1)?;
        r.intake = match options.intake {
            Intake::NewEntrants => first.new_entrants,
            Intake::FirstGradeEnrolment => first.enrolled,
        };
        if first.records == 0 || r.intake <= 0 {
            missing = Some(Missing::Intake {
                stage: first_stage,
                year: iy,
            });
        }
        let gap = sum_diagonal(source, &mut r, &diagonal)?;
        missing = missing.or(gap);
    }
    if missing.is_none() {
        missing = match intake_year {
            None => Some(Missing::YearOutOfRange),
            Some(_) if last.records == 0 => Some(Missing::Grade {
                stage: last_stage,
                grade: last_grade,
                year: graduation_year,
            }),
            Some(_) => None,
        };
    }
    let denominator = r.denominator();
    let adjusted = options.form != RetentionForm::Plain;
    let mut rate = Rate::new(r.graduates, denominator)
        .with_transfer_adjusted(adjusted)
        .with_cap(options.cap_at_hundred)
        .with_missing(missing);
    if let Some(iy) = intake_year {
        rate = rate.with_years(iy, graduation_year);
    }
    r.rate = rate;
    Ok(r)
}

/// The cohort's diagonal: `(year, stage, grade)` for each year it is in
/// school from `intake_year`, as far as school years go.
fn cohort_diagonal(kind: RetentionKind, intake_year: Option<SchoolYear>) -> Vec<(SchoolYear, Stage, u8)> {
    let mut diagonal = Vec::new();
    let mut step = 0i32;
    for (stage, grades) in kind.stages() {
        for grade in 1..=*grades {
            if let Some(y) = intake_year.and_then(|y| y.offset(step)) {
                diagonal.push((y, *stage, grade));
            }
            step += 1;
        }
    }
    diagonal
}

/// Sum the cohort's flows along its diagonal into `r`; the first grade of
/// the diagonal without records, if the form needs every grade (it sums
/// flows along it).
fn sum_diagonal<S: CountSource + ?Sized>(
    source: &S,
    r: &mut Retention,
    diagonal: &[(SchoolYear, Stage, u8)],
) -> Result<Option<Missing>, Error> {
    let options = r.options;
    // What the form needs: the intake and the graduates always; every grade
    // of the diagonal when flows along it are summed.
    let needs_diagonal =
        options.form != RetentionForm::Plain || options.deduct_deaths || options.repeaters == Repeaters::AsCohortFlows;
    let mut missing = None;
    for (i, (y, stage, grade)) in diagonal.iter().enumerate() {
        let t = Tally::grade(source, *y, *stage, *grade)?;
        if missing.is_none() && needs_diagonal && t.records == 0 {
            missing = Some(Missing::Grade {
                stage: *stage,
                grade: *grade,
                year: *y,
            });
        }
        r.transfers_in += t.transfers_in;
        r.transfers_out += t.transfers_out;
        r.deaths += t.deaths;
        r.temporary_in += t.temporary_in;
        r.suspended += t.suspended;
        r.other_in += t.other_in;
        r.other_out += t.other_out;
        if !(i == 0 && options.intake == Intake::FirstGradeEnrolment) {
            r.repeaters_in += t.repeaters;
        }
        // Members of the cohort who repeat this grade appear as its
        // repeaters next year; the last grade's repeaters after the
        // graduation year did not graduate with it.
        if let Some(next) = y.next() {
            r.repeaters_out += Tally::grade(source, next, *stage, *grade)?.repeaters;
        }
    }
    Ok(missing)
}

impl Retention {
    /// The denominator of the form and options: the intake, adjusted by
    /// the flows the form counts.
    fn denominator(&self) -> i128 {
        let mut denominator = self.intake;
        match self.options.form {
            RetentionForm::Plain => {}
            RetentionForm::TransferAdjusted => denominator += self.transfers_in - self.transfers_out,
            RetentionForm::NetIncrease => {
                denominator += (self.transfers_in + self.temporary_in + self.other_in)
                    - (self.transfers_out + self.suspended + self.other_out);
            }
        }
        if self.options.repeaters == Repeaters::AsCohortFlows {
            denominator += self.repeaters_in - self.repeaters_out;
        }
        if self.options.deduct_deaths {
            denominator -= self.deaths;
        }
        denominator
    }
}

/// The form of an annual dropout rate (年辍学率).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropoutForm {
    /// 学年内辍学学生数 ÷ 学年初在校生数: the pupils recorded as dropped out
    /// (辍学: 休学, 退学, 开除, 转出未入学; not graduates, promotions,
    /// repeaters, transfers or deaths), i.e. `(辍学 + 休学) ÷ 在校生`, the
    /// suspensions given apart counted in. Source: the dictionary definition
    /// (research/education-statistics.md §2, <https://www.jidianwang.com/entry/16246101.html>).
    #[default]
    Definitional,
    /// The 两基 aggregate:
    /// `((休学 + 辍学 + 死亡 + 转出 + 其他减少) − (转入 + 其他增加)) ÷ 学年初在校生数`,
    /// the net loss of pupils other than by graduation, 辍学 standing for
    /// 退学 (research/education-statistics.md §2, source
    /// <http://00-edu.com/e/DoPrint/index.php?classid=1078&id=10713>). 借读 is
    /// not in it. It can be negative.
    Aggregate,
}

impl DropoutForm {
    /// The form in words.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            DropoutForm::Definitional => "学年内辍学学生数（含休学） ÷ 学年初在校生数",
            DropoutForm::Aggregate => {
                "((休学 + 辍学 + 死亡 + 转出 + 其他减少) − (转入 + 其他增加)) ÷ 学年初在校生数 (两基口径)"
            }
        }
    }
}

/// An annual dropout rate with its form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropoutRate {
    /// The stage.
    pub stage: Stage,
    /// The form used.
    pub form: DropoutForm,
    /// The rate; base and outcome year are the school year.
    pub rate: Rate,
}

/// The annual dropout rate of a stage over `year` (its flows over its
/// enrolment on 1 September).
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn dropout_rate<S: CountSource + ?Sized>(
    source: &S,
    stage: Stage,
    year: SchoolYear,
    form: DropoutForm,
) -> Result<DropoutRate, Error> {
    let t = Tally::stage(source, year, stage)?;
    let numerator = match form {
        DropoutForm::Definitional => t.dropouts + t.suspended,
        DropoutForm::Aggregate => {
            (t.suspended + t.dropouts + t.deaths + t.transfers_out + t.other_out) - (t.transfers_in + t.other_in)
        }
    };
    let missing = (t.records == 0).then_some(Missing::Enrolment { stage, year });
    Ok(DropoutRate {
        stage,
        form,
        rate: Rate::new(numerator, t.enrolled)
            .with_years(year, year)
            .with_missing(missing),
    })
}

/// The enrolment rate of disabled children (残疾儿童少年入学率) aged `ages`
/// in `year`: those in school over all such children, of the three kinds
/// (三类残疾: visual, hearing-speech, intellectual) if `three_kinds_only`.
/// Counted by residence.
///
/// # Errors
/// As the source's [`visit_disabled`](CountSource::visit_disabled).
pub fn disabled_enrolment_rate<S: CountSource + ?Sized>(
    source: &S,
    year: SchoolYear,
    ages: RangeInclusive<u8>,
    three_kinds_only: bool,
) -> Result<Rate, Error> {
    let (mut n, mut d, mut records) = (0i128, 0i128, 0u64);
    source.visit_disabled(&mut every(|c: &DisabledChildrenCount| {
        if c.year == year && ages.contains(&c.age) && (!three_kinds_only || c.kind.is_three_kinds()) {
            n += i128::from(c.in_school);
            d += i128::from(c.total);
            records = records.saturating_add(1);
        }
    }))?;
    let missing = (records == 0).then_some(Missing::DisabledChildren { year });
    Ok(Rate::new(n, d).with_years(year, year).with_missing(missing))
}

/// The population of ages `ages` in `year`.
///
/// # Errors
/// As the source's [`visit_population`](CountSource::visit_population).
pub fn population<S: CountSource + ?Sized>(
    source: &S,
    year: SchoolYear,
    ages: &RangeInclusive<u8>,
) -> Result<i128, Error> {
    let mut p = 0i128;
    source.visit_population(&mut every(|c: &PopulationCount| {
        if c.year == year && ages.contains(&c.age) {
            p += i128::from(c.count);
        }
    }))?;
    Ok(p)
}

/// The gross enrolment ratio (毛入学率) of `stages` in `year`: enrolment at
/// any age over the population of the age band (e.g. primary 6–11, 高中阶段
/// Senior + Vocational 15–17). It may exceed 100% and is flagged, not
/// capped.
///
/// # Errors
/// As the source's visits.
pub fn gross_enrolment_ratio<S: CountSource + ?Sized>(
    source: &S,
    year: SchoolYear,
    stages: &[Stage],
    ages: RangeInclusive<u8>,
) -> Result<Rate, Error> {
    let enrolled = Tally::of(source, |g| g.year == year && stages.contains(&g.stage))?.enrolled;
    let mut records = 0u64;
    source.visit_population(&mut every(|c: &PopulationCount| {
        if c.year == year && ages.contains(&c.age) {
            records = records.saturating_add(1);
        }
    }))?;
    let missing = (records == 0).then_some(Missing::Population {
        year,
        from_age: *ages.start(),
        to_age: *ages.end(),
    });
    Ok(Rate::new(enrolled, population(source, year, &ages)?)
        .with_years(year, year)
        .with_missing(missing))
}

/// The share of registered-poor (建档立卡) students among the enrolled of
/// `stages` in `year`.
///
/// # Errors
/// As the source's [`visit_grades`](CountSource::visit_grades).
pub fn registered_poor_share<S: CountSource + ?Sized>(
    source: &S,
    year: SchoolYear,
    stages: &[Stage],
) -> Result<Rate, Error> {
    let all = Tally::of(source, |g| g.year == year && stages.contains(&g.stage))?;
    let poor = Tally::of(source, |g| {
        g.year == year && stages.contains(&g.stage) && g.poverty == PovertyGroup::RegisteredPoor
    })?;
    Ok(Rate::new(poor.enrolled, all.enrolled).with_years(year, year))
}

/// The pupil-teacher ratio (生师比) of a stage in `year`: enrolment over
/// full-time teachers (专任教师), headcount. Shown as `x:1` with
/// [`Ratio::format`]; OpenEMIS prints it reduced, the Chinese tables as
/// `x:1`.
///
/// # Errors
/// As the source's visits.
pub fn pupil_teacher_ratio<S: CountSource + ?Sized>(
    source: &S,
    year: SchoolYear,
    stage: Stage,
) -> Result<Ratio, Error> {
    let pupils = Tally::stage(source, year, stage)?.enrolled;
    let mut teachers = 0i128;
    source.visit_teachers(&mut every(|t: &TeacherCount| {
        if t.year == year && t.stage == stage {
            teachers += i128::from(t.teachers);
        }
    }))?;
    Ok(Ratio::new(pupils, teachers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cell, junior_cohort};
    use eduaid_model::{
        Counts, DisabilityKind, DisabledChildrenCount, GradeCount, PopulationCount, Rounding, SchoolId, Sex,
        TeacherCount,
    };

    fn y(n: i32) -> SchoolYear {
        SchoolYear::new(n).unwrap()
    }

    /// Three junior cohorts graduating in 2014-15, 2015-16 and 2016-17 whose
    /// transfer-adjusted retention is the seed's 98.86%, 98.81%, 98.89%.
    fn seed_like_junior() -> Vec<GradeCount> {
        let mut v = Vec::new();
        // 1737 / (1750 + 12 − 5) = 1737 / 1757 = 98.861…%
        v.extend(junior_cohort(2012, 1750, [4, 4, 4], [2, 2, 1], 1737));
        // 1660 / (1670 + 15 − 5) = 1660 / 1680 = 98.809…%
        v.extend(junior_cohort(2013, 1670, [5, 5, 5], [1, 2, 2], 1660));
        // 1780 / (1790 + 12 − 2) = 1780 / 1800 = 98.888…%
        v.extend(junior_cohort(2014, 1790, [4, 4, 4], [1, 0, 1], 1780));
        v
    }

    #[test]
    fn seed_junior_retention_three_years() {
        let counts = seed_like_junior();
        let shown: Vec<String> = [2014, 2015, 2016]
            .iter()
            .map(|g| {
                retention(
                    &counts,
                    RetentionKind::JuniorThreeYear,
                    y(*g),
                    RetentionOptions::default(),
                )
                .unwrap()
                .rate
                .format_percent(2)
            })
            .collect();
        assert_eq!(shown, ["98.86%", "98.81%", "98.89%"]);
        let r = retention(
            &counts,
            RetentionKind::JuniorThreeYear,
            y(2016),
            RetentionOptions::default(),
        )
        .unwrap();
        assert_eq!(
            (r.graduates, r.intake, r.transfers_in, r.transfers_out),
            (1780, 1790, 12, 2)
        );
        assert_eq!(r.rate.base_year, Some(y(2014)));
        assert_eq!(r.rate.outcome_year, Some(y(2016)));
        assert_eq!(r.form_name(), "毕业生数 ÷ (招生数 + 转入 − 转出)");
        // The plain form of the same cohort: 1780 / 1790.
        let p = retention(
            &counts,
            RetentionKind::JuniorThreeYear,
            y(2016),
            RetentionOptions::plain(),
        )
        .unwrap();
        assert_eq!(p.rate.ratio, crate::rate::Ratio::new(1780, 1790));
        assert_eq!(p.form_name(), "毕业生数 ÷ 招生数");
        assert!(!p.rate.flags().contains(&crate::rate::Flag::TransferAdjusted));
    }

    #[test]
    fn primary_six_year_retention_of_a_full_cohort() {
        let mut v = Vec::new();
        for k in 0..6u8 {
            let mut c = cell(2011 + i32::from(k), Stage::Primary, k + 1, 900);
            if k == 0 {
                c.new_entrants = 900;
            }
            if k == 5 {
                c.graduates = 903;
            }
            c.transfers_in = 1;
            c.transfers_out = u64::from(k % 2);
            v.push(c);
        }
        let r = retention(&v, RetentionKind::PrimarySixYear, y(2016), RetentionOptions::default()).unwrap();
        // 903 / (900 + 6 − 3) = 100%.
        assert_eq!(r.rate.format_percent(2), "100.00%");
        assert_eq!(
            r.rate.percent(2, Rounding::HalfUp),
            Some(eduaid_model::Decimal::from(100))
        );
        // A year missing from the diagonal: no value rather than a wrong one.
        let r = retention(&v, RetentionKind::PrimarySixYear, y(2017), RetentionOptions::default()).unwrap();
        assert!(!r.rate.has_value());
    }

    #[test]
    fn nine_year_retention_spans_both_stages() {
        let mut v = Vec::new();
        for k in 0..6u8 {
            let mut c = cell(2008 + i32::from(k), Stage::Primary, k + 1, 500);
            c.new_entrants = if k == 0 { 500 } else { 0 };
            v.push(c);
        }
        for k in 0..3u8 {
            let mut c = cell(2014 + i32::from(k), Stage::Junior, k + 1, 480);
            c.transfers_out = 2;
            c.deaths = u64::from(k == 1);
            c.graduates = if k == 2 { 470 } else { 0 };
            v.push(c);
        }
        let opts = RetentionOptions {
            deduct_deaths: true,
            ..RetentionOptions::default()
        };
        let r = retention(&v, RetentionKind::CompulsoryNineYear, y(2016), opts).unwrap();
        // 470 / (500 − 6 − 1)
        assert_eq!(r.rate.ratio, crate::rate::Ratio::new(470, 493));
        assert_eq!(r.rate.base_year, Some(y(2008)));
        assert_eq!(r.form_name(), "毕业生数 ÷ (招生数 + 转入 − 转出 − 死亡)");
    }

    #[test]
    fn repeaters_move_between_cohorts_on_request() {
        let mut v = junior_cohort(2014, 100, [0; 3], [0; 3], 96);
        // Grade 2 of 2015 holds 3 repeaters from the cohort before; grade 2
        // of 2016 holds 2 of ours who repeat it.
        v[1].repeaters = 3;
        let mut later = cell(2016, Stage::Junior, 2, 100);
        later.repeaters = 2;
        v.push(later);
        let opts = RetentionOptions {
            repeaters: Repeaters::AsCohortFlows,
            ..RetentionOptions::default()
        };
        let r = retention(&v, RetentionKind::JuniorThreeYear, y(2016), opts).unwrap();
        assert_eq!((r.repeaters_in, r.repeaters_out), (3, 2));
        assert_eq!(r.rate.ratio, crate::rate::Ratio::new(96, 101));
        let plain = retention(&v, RetentionKind::JuniorThreeYear, y(2016), RetentionOptions::default()).unwrap();
        assert_eq!(plain.rate.ratio, crate::rate::Ratio::new(96, 100));
    }

    #[test]
    fn retention_over_hundred_is_flagged_and_may_be_capped() {
        let v = junior_cohort(2014, 100, [0; 3], [0; 3], 104);
        let r = retention(&v, RetentionKind::JuniorThreeYear, y(2016), RetentionOptions::plain()).unwrap();
        assert!(
            r.rate
                .flags()
                .contains(&crate::rate::Flag::OverHundred { capped: false })
        );
        let capped = RetentionOptions {
            cap_at_hundred: true,
            ..RetentionOptions::plain()
        };
        let r = retention(&v, RetentionKind::JuniorThreeYear, y(2016), capped).unwrap();
        assert_eq!(r.rate.format_percent(1), "100.0%");
        assert_eq!(
            r.rate.raw_percent(1, Rounding::HalfUp),
            Some(eduaid_model::Decimal::new(1040, 1))
        );
    }

    #[test]
    fn dropout_in_both_forms() {
        let mut a = cell(2016, Stage::Junior, 1, 600);
        a.dropouts = 3;
        a.deaths = 1;
        a.transfers_out = 5;
        a.transfers_in = 2;
        let mut b = cell(2016, Stage::Junior, 2, 400);
        b.dropouts = 1;
        let v = vec![a, b];
        let d = dropout_rate(&v, Stage::Junior, y(2016), DropoutForm::Definitional).unwrap();
        assert_eq!(d.rate.ratio, crate::rate::Ratio::new(4, 1000));
        assert_eq!(d.rate.format_percent(2), "0.40%");
        let g = dropout_rate(&v, Stage::Junior, y(2016), DropoutForm::Aggregate).unwrap();
        // (4 + 1 + 5) − 2 = 8
        assert_eq!(g.rate.ratio, crate::rate::Ratio::new(8, 1000));
        assert!(g.form.name().contains("两基"));
        // More arrivals than departures: a negative aggregate, flagged.
        let mut c = cell(2016, Stage::Primary, 1, 100);
        c.transfers_in = 9;
        let n = dropout_rate(&[c], Stage::Primary, y(2016), DropoutForm::Aggregate).unwrap();
        assert!(n.rate.flags().contains(&crate::rate::Flag::NegativeNumerator));
    }

    fn disabled(kind: DisabilityKind, age: u8, total: u64, in_school: u64) -> DisabledChildrenCount {
        DisabledChildrenCount {
            year: y(2016),
            township: "城关镇".into(),
            kind,
            age,
            sex: Sex::Male,
            total,
            in_school,
        }
    }

    #[test]
    fn seed_disabled_enrolment_rate() {
        let counts = Counts {
            disabled: vec![
                disabled(DisabilityKind::Visual, 6, 100, 100),
                disabled(DisabilityKind::HearingSpeech, 10, 107, 106),
                disabled(DisabilityKind::Intellectual, 14, 100, 99),
                // Not the three kinds, or outside the band: left out.
                disabled(DisabilityKind::Physical, 10, 50, 10),
                disabled(DisabilityKind::Visual, 15, 10, 0),
                disabled(DisabilityKind::Visual, 5, 10, 0),
            ],
            ..Counts::default()
        };
        let r = disabled_enrolment_rate(&counts, y(2016), 6..=14, true).unwrap();
        assert_eq!(r.ratio, crate::rate::Ratio::new(305, 307));
        assert_eq!(r.format_percent(1), "99.3%");
        // The 7–15 band of the local form is a parameter too.
        assert_eq!(
            disabled_enrolment_rate(&counts, y(2016), 7..=15, true).unwrap().ratio,
            crate::rate::Ratio::new(205, 217)
        );
        assert_eq!(
            disabled_enrolment_rate(&counts, y(2016), 6..=14, false).unwrap().ratio,
            crate::rate::Ratio::new(315, 357)
        );
    }

    #[test]
    fn ger_shares_and_pupil_teacher_ratio() {
        let mut poor = cell(2016, Stage::Primary, 1, 120);
        poor.poverty = PovertyGroup::RegisteredPoor;
        let counts = Counts {
            grades: vec![poor, cell(2016, Stage::Primary, 2, 480)],
            population: (6..=11)
                .map(|age| PopulationCount {
                    year: y(2016),
                    township: "城关镇".into(),
                    age,
                    sex: Sex::Female,
                    count: 95,
                })
                .collect(),
            teachers: vec![TeacherCount {
                year: y(2016),
                school_id: SchoolId::new("P1").unwrap(),
                stage: Stage::Primary,
                teachers: 32,
            }],
            ..Counts::default()
        };
        let ger = gross_enrolment_ratio(&counts, y(2016), &[Stage::Primary], 6..=11).unwrap();
        assert_eq!(ger.ratio, crate::rate::Ratio::new(600, 570));
        assert!(ger.flags().contains(&crate::rate::Flag::OverHundred { capped: false }));
        assert_eq!(ger.format_percent(2), "105.26%");
        assert_eq!(
            registered_poor_share(&counts, y(2016), &[Stage::Primary])
                .unwrap()
                .format_percent(0),
            "20%"
        );
        let ptr = pupil_teacher_ratio(&counts, y(2016), Stage::Primary).unwrap();
        assert_eq!(ptr.format(2, Rounding::HalfUp), "18.75");
        assert_eq!(
            pupil_teacher_ratio(&counts, y(2015), Stage::Primary)
                .unwrap()
                .format(2, Rounding::HalfUp),
            "—"
        );
    }
}

//! Retention (巩固率): six-year primary, three-year junior and nine-year
//! compulsory, in the plain, the transfer-adjusted and the 借读 (net
//! increase) form, with deaths and repeaters by explicit option.

use eduaid_model::{SchoolYear, Stage};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::rate::{Missing, Rate};
use crate::source::{CountSource, Tally};

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

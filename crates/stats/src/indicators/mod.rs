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

use eduaid_model::{DisabledChildrenCount, PopulationCount, SchoolYear, Stage, TeacherCount};
use serde::{Deserialize, Serialize};

use crate::rate::{Missing, Rate, Ratio};
use crate::source::{CountSource, Tally, every};
use crate::{Error, PovertyGroup};

mod retention;

pub use retention::{Intake, Repeaters, Retention, RetentionForm, RetentionKind, RetentionOptions, retention};

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

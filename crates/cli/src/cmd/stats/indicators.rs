//! The indicators the counts allow, how each is computed from a count
//! source, and their rows for the county and, with `--by`, each group.

// The standards the report is held to, as the work report states them.
use eduaid::county_report::{DISABLED_ENROLMENT_STANDARD, JUNIOR_RETENTION_STANDARD};
use eduaid::model::rate::{Rate, Ratio};
use eduaid::model::{Counts, Decimal, SchoolYear, Stage};
use eduaid::stats::source::{CountSource, Dimension, GroupKey, breakdown};
use eduaid::stats::{
    DropoutForm, ParityKind, RetentionForm, RetentionKind, RetentionOptions, Target, disabled_enrolment_rate,
    dropout_rate, gross_enrolment_ratio, parity, pupil_teacher_ratio, registered_poor_share, retention,
};

use super::sheet::{Row, Show, push_value};
use crate::cli::{By, StatsArgs};
use crate::output::Sheet;

/// An indicator's value.
pub(super) enum Value {
    /// A rate, shown as a percentage.
    Rate(Rate),
    /// A ratio such as pupils per teacher, shown as `x:1`.
    Ratio(Ratio),
    /// An index such as a parity index, shown as a plain number.
    Index(Option<Ratio>),
}

/// How an indicator is computed from any count source.
type Compute = Box<dyn Fn(&dyn CountSource) -> Result<Value, eduaid::stats::Error>>;

/// One indicator: its names, its standard and how to compute it.
struct Indicator {
    key: String,
    zh: String,
    en: String,
    target: Option<Target>,
    compute: Compute,
}

impl Indicator {
    fn new(key: impl Into<String>, zh: impl Into<String>, en: impl Into<String>, compute: Compute) -> Indicator {
        Indicator {
            key: key.into(),
            zh: zh.into(),
            en: en.into(),
            target: None,
            compute,
        }
    }
}

/// The retention forms offered, with their key suffix and names.
const RETENTION_FORMS: [(RetentionForm, &str, &str, &str); 3] = [
    (RetentionForm::TransferAdjusted, "", "", ""),
    (RetentionForm::Plain, "_plain", "（不调整转学）", " (plain)"),
    (
        RetentionForm::NetIncrease,
        "_net_increase",
        "（含借读等净增加）",
        " (with 借读 and other net increases)",
    ),
];

/// The indicators the counts allow for `year`.
fn indicators(counts: &Counts, year: SchoolYear) -> Vec<Indicator> {
    let mut v = Vec::new();
    retention_indicators(&mut v, year);
    dropout_indicators(&mut v, year);
    poverty_and_disability_indicators(&mut v, counts, year);
    enrolment_indicators(&mut v, counts, year);
    teacher_indicators(&mut v, counts, year);
    v
}

/// Retention of each kind (primary six-year, junior three-year, nine-year
/// compulsory) in each form offered; junior with its provincial standard.
fn retention_indicators(v: &mut Vec<Indicator>, year: SchoolYear) {
    let kinds = [
        (
            RetentionKind::PrimarySixYear,
            "retention_primary_six_year",
            "primary six-year retention",
        ),
        (
            RetentionKind::JuniorThreeYear,
            "retention_junior_three_year",
            "junior three-year retention",
        ),
        (
            RetentionKind::CompulsoryNineYear,
            "retention_compulsory_nine_year",
            "nine-year compulsory retention",
        ),
    ];
    for (kind, key, en) in kinds {
        for (form, suffix, zh_form, en_form) in RETENTION_FORMS {
            let options = RetentionOptions {
                form,
                ..RetentionOptions::default()
            };
            let mut ind = Indicator::new(
                format!("{key}{suffix}"),
                format!("{}{zh_form}", kind.chinese()),
                format!("{en}{en_form}"),
                Box::new(move |s| Ok(Value::Rate(retention(s, kind, year, options)?.rate))),
            );
            if kind == RetentionKind::JuniorThreeYear {
                ind.target = Some(Target::at_least(
                    "初中三年巩固率",
                    Decimal::from(JUNIOR_RETENTION_STANDARD),
                ));
            }
            v.push(ind);
        }
    }
}

/// Annual dropout rates of primary and junior, by definition and in the
/// 两基 aggregate form.
fn dropout_indicators(v: &mut Vec<Indicator>, year: SchoolYear) {
    for (stage, key, zh, en) in [
        (
            Stage::Primary,
            "dropout_primary",
            "小学年辍学率",
            "primary annual dropout rate",
        ),
        (
            Stage::Junior,
            "dropout_junior",
            "初中年辍学率",
            "junior annual dropout rate",
        ),
    ] {
        v.push(Indicator::new(
            key,
            zh,
            en,
            Box::new(move |s| {
                Ok(Value::Rate(
                    dropout_rate(s, stage, year, DropoutForm::Definitional)?.rate,
                ))
            }),
        ));
        v.push(Indicator::new(
            format!("{key}_lianji"),
            format!("{zh}（两基口径）"),
            format!("{en} (两基 aggregate form)"),
            Box::new(move |s| Ok(Value::Rate(dropout_rate(s, stage, year, DropoutForm::Aggregate)?.rate))),
        ));
    }
}

/// The registered-poor share of compulsory students, and disabled
/// children's enrolment with its standard when the counts have them.
fn poverty_and_disability_indicators(v: &mut Vec<Indicator>, counts: &Counts, year: SchoolYear) {
    v.push(Indicator::new(
        "registered_poor_share_compulsory",
        "义务教育建档立卡学生占比",
        "registered-poor share of compulsory students",
        Box::new(move |s| {
            Ok(Value::Rate(registered_poor_share(
                s,
                year,
                &[Stage::Primary, Stage::Junior],
            )?))
        }),
    ));
    if !counts.disabled.is_empty() {
        let mut ind = Indicator::new(
            "disabled_enrolment_6_14",
            "6—14岁三类残疾儿童入学率",
            "enrolment of disabled children aged 6-14 (three kinds)",
            Box::new(move |s| Ok(Value::Rate(disabled_enrolment_rate(s, year, 6..=14, true)?))),
        );
        ind.target = Some(Target::at_least(
            "三类残疾儿童入学率",
            Decimal::from(DISABLED_ENROLMENT_STANDARD),
        ));
        v.push(ind);
    }
}

/// Gross enrolment ratios and their gender parity, when the counts have
/// the population.
fn enrolment_indicators(v: &mut Vec<Indicator>, counts: &Counts, year: SchoolYear) {
    if !counts.population.is_empty() {
        for (stage, lo, hi, key, zh, en) in [
            (
                Stage::Primary,
                6,
                11,
                "ger_primary",
                "小学毛入学率（6—11岁）",
                "primary gross enrolment ratio (ages 6-11)",
            ),
            (
                Stage::Junior,
                12,
                14,
                "ger_junior",
                "初中毛入学率（12—14岁）",
                "junior gross enrolment ratio (ages 12-14)",
            ),
        ] {
            v.push(Indicator::new(
                key,
                zh,
                en,
                Box::new(move |s| Ok(Value::Rate(gross_enrolment_ratio(s, year, &[stage], lo..=hi)?))),
            ));
            v.push(Indicator::new(
                format!("{key}_gpi"),
                format!("{zh}性别均等指数（女/男）"),
                format!("{en}, gender parity index (female/male)"),
                Box::new(move |s| {
                    Ok(Value::Index(
                        parity(s, ParityKind::Gender, |g| {
                            gross_enrolment_ratio(g, year, &[stage], lo..=hi)
                        })?
                        .index,
                    ))
                }),
            ));
        }
    }
}

/// Pupil-teacher ratios, when the counts have the teachers.
fn teacher_indicators(v: &mut Vec<Indicator>, counts: &Counts, year: SchoolYear) {
    if !counts.teachers.is_empty() {
        for (stage, key, zh, en) in [
            (
                Stage::Primary,
                "pupil_teacher_primary",
                "小学生师比",
                "primary pupil-teacher ratio",
            ),
            (
                Stage::Junior,
                "pupil_teacher_junior",
                "初中生师比",
                "junior pupil-teacher ratio",
            ),
        ] {
            v.push(Indicator::new(
                key,
                zh,
                en,
                Box::new(move |s| Ok(Value::Ratio(pupil_teacher_ratio(s, year, stage)?))),
            ));
        }
    }
}

/// A group's name: Chinese as the tables print it, or the English code.
fn group_name(k: &GroupKey, zh: bool) -> String {
    if zh {
        return k.to_string();
    }
    match k {
        GroupKey::Sex(s) => s.code().to_string(),
        GroupKey::Poverty(p) => p.code().to_string(),
        GroupKey::Locality(l) => l.code().to_string(),
        other => other.to_string(),
    }
}

/// The indicators' rows, for the county and, with `--by`, each group;
/// gives how many figures are below their standard.
pub(super) fn indicator_rows(
    sheet: &mut Sheet,
    counts: &Counts,
    year: SchoolYear,
    args: &StatsArgs,
    show: Show,
) -> anyhow::Result<usize> {
    let dim = args.by.map(|b| match b {
        By::Township => Dimension::Township,
        By::School => Dimension::School,
        By::Sex => Dimension::Sex,
        By::Poverty => Dimension::Poverty,
    });
    let cap = |v: Value| match v {
        Value::Rate(r) => Value::Rate(r.with_cap(args.cap)),
        other => other,
    };
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut missed = 0usize;
    for ind in indicators(counts, year) {
        let rows: Vec<(String, Value)> = match dim {
            None => vec![(h("all", "全县").to_string(), (ind.compute)(counts)?)],
            Some(d) => {
                let b = breakdown(counts, d, |s| (ind.compute)(s))?;
                let mut rows = vec![(h("all", "全县").to_string(), b.total)];
                rows.extend(b.groups.into_iter().map(|(k, v)| (group_name(&k, zh), v)));
                rows
            }
        };
        for (group, value) in rows {
            let name = if zh { &ind.zh } else { &ind.en };
            let mut row = Row::new(name, &ind.key, group);
            row.target = ind.target.as_ref();
            if push_value(sheet, row, cap(value), show) {
                missed += 1;
            }
        }
    }
    Ok(missed)
}

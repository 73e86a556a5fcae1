//! `eduaid stats`: the indicators of keeping children in school (控辍保学)
//! from aggregate counts, with their quality flags and the standards they
//! are held to.

// The standards the report is held to, as the work report states them.
use eduaid::county_report::{DISABLED_ENROLMENT_STANDARD, JUNIOR_RETENTION_STANDARD};
use eduaid::model::{Counts, Decimal, Rounding, SchoolYear, Stage};
use eduaid::stats::{
    CountSource, Dimension, DropoutForm, GroupKey, Rate, Ratio, RetentionKind, RetentionOptions, Target, breakdown,
    disabled_enrolment_rate, dropout_rate, gross_enrolment_ratio, pupil_teacher_ratio, registered_poor_share,
    retention,
};

use crate::cli::{By, StatsArgs};
use crate::common::{Ctx, Status};
use crate::inputs::{self, CountPaths};
use crate::output::{self, Sheet, Val};

/// An indicator's value.
enum Value {
    /// A rate, shown as a percentage.
    Rate(Rate),
    /// A ratio such as pupils per teacher, shown as `x:1`.
    Ratio(Ratio),
}

/// How an indicator is computed from any count source.
type Compute = Box<dyn Fn(&dyn CountSource) -> Value>;

/// One indicator: its names, its standard and how to compute it.
struct Indicator {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    target: Option<Target>,
    compute: Compute,
}

/// The indicators the counts allow for `year`.
fn indicators(counts: &Counts, year: SchoolYear) -> Vec<Indicator> {
    let ret = |kind: RetentionKind| -> Compute {
        Box::new(move |s| Value::Rate(retention(s, kind, year, RetentionOptions::transfer_adjusted()).rate))
    };
    let drop = |stage: Stage| -> Compute {
        Box::new(move |s| Value::Rate(dropout_rate(s, stage, year, DropoutForm::Definitional).rate))
    };
    let mut v = vec![
        Indicator {
            key: "retention_primary_six_year",
            zh: "小学六年巩固率",
            en: "primary six-year retention",
            target: None,
            compute: ret(RetentionKind::PrimarySixYear),
        },
        Indicator {
            key: "retention_junior_three_year",
            zh: "初中三年巩固率",
            en: "junior three-year retention",
            target: Some(Target::at_least(
                "初中三年巩固率",
                Decimal::from(JUNIOR_RETENTION_STANDARD),
            )),
            compute: ret(RetentionKind::JuniorThreeYear),
        },
        Indicator {
            key: "retention_compulsory_nine_year",
            zh: "九年义务教育巩固率",
            en: "nine-year compulsory retention",
            target: None,
            compute: ret(RetentionKind::CompulsoryNineYear),
        },
        Indicator {
            key: "dropout_primary",
            zh: "小学年辍学率",
            en: "primary annual dropout rate",
            target: None,
            compute: drop(Stage::Primary),
        },
        Indicator {
            key: "dropout_junior",
            zh: "初中年辍学率",
            en: "junior annual dropout rate",
            target: None,
            compute: drop(Stage::Junior),
        },
        Indicator {
            key: "registered_poor_share_compulsory",
            zh: "义务教育建档立卡学生占比",
            en: "registered-poor share of compulsory students",
            target: None,
            compute: Box::new(move |s| Value::Rate(registered_poor_share(s, year, &[Stage::Primary, Stage::Junior]))),
        },
    ];
    if !counts.disabled.is_empty() {
        v.push(Indicator {
            key: "disabled_enrolment_6_14",
            zh: "6—14岁三类残疾儿童入学率",
            en: "enrolment of disabled children aged 6-14 (three kinds)",
            target: Some(Target::at_least(
                "三类残疾儿童入学率",
                Decimal::from(DISABLED_ENROLMENT_STANDARD),
            )),
            compute: Box::new(move |s| Value::Rate(disabled_enrolment_rate(s, year, 6..=14, true))),
        });
    }
    if !counts.population.is_empty() {
        v.push(Indicator {
            key: "ger_primary",
            zh: "小学毛入学率（6—11岁）",
            en: "primary gross enrolment ratio (ages 6-11)",
            target: None,
            compute: Box::new(move |s| Value::Rate(gross_enrolment_ratio(s, year, &[Stage::Primary], 6..=11))),
        });
        v.push(Indicator {
            key: "ger_junior",
            zh: "初中毛入学率（12—14岁）",
            en: "junior gross enrolment ratio (ages 12-14)",
            target: None,
            compute: Box::new(move |s| Value::Rate(gross_enrolment_ratio(s, year, &[Stage::Junior], 12..=14))),
        });
    }
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
            v.push(Indicator {
                key,
                zh,
                en,
                target: None,
                compute: Box::new(move |s| Value::Ratio(pupil_teacher_ratio(s, year, stage))),
            });
        }
    }
    v
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

/// Run the command.
pub(crate) fn run(args: &StatsArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    inputs::check_dir(args.data.as_ref())?;
    let paths = CountPaths::of(&args.counts, args.data.as_ref());
    let h = |en: &'static str, c: &'static str| if ctx.zh() { c } else { en };
    let sheet_name = h("indicators", "指标");
    if let Some(out) = &args.out {
        output::guard_table_out(out, &[sheet_name], &output::count_inputs(&paths))?;
    }
    if paths.grades.is_none() {
        anyhow::bail!(ctx.t(
            "no grade counts file: give --counts FILE or --data DIR holding grade_counts.csv",
            "缺少年级人数文件：请用 --counts FILE 指定，或 --data DIR 中含 grade_counts.csv",
        ));
    }
    let (counts, rejected) = inputs::load_counts(&paths, ctx)?;
    let years = counts.years();
    let year = match (args.year, years.last()) {
        (Some(y), _) => y,
        (None, Some(y)) => *y,
        (None, None) => anyhow::bail!(ctx.t("the grade counts hold no record", "年级人数文件中没有记录")),
    };
    if !years.contains(&year) {
        ctx.warn(&format!(
            "{} {year}",
            ctx.t(
                "the grade counts have no record of school year",
                "年级人数文件中没有此学年的记录："
            )
        ));
    }
    let zh = ctx.zh();
    let mut sheet = Sheet::new(
        sheet_name,
        &[
            h("indicator", "指标"),
            h("key", "代码"),
            h("group", "分组"),
            h("value", "数值"),
            h("numerator", "分子"),
            h("denominator", "分母"),
            h("flags", "提示"),
            h("standard", "标准"),
            h("met", "是否达标"),
            h("margin_points", "差距（百分点）"),
        ],
    );
    let dim = args.by.map(|b| match b {
        By::Township => Dimension::Township,
        By::School => Dimension::School,
        By::Sex => Dimension::Sex,
        By::Poverty => Dimension::Poverty,
    });
    let mut missed = 0usize;
    for ind in indicators(&counts, year) {
        let rows: Vec<(String, Value)> = match dim {
            None => vec![(h("all", "全县").to_string(), (ind.compute)(&counts))],
            Some(d) => {
                let b = breakdown(&counts, d, |s| (ind.compute)(s));
                let mut rows = vec![(h("all", "全县").to_string(), b.total)];
                rows.extend(b.groups.into_iter().map(|(k, v)| (group_name(&k, zh), v)));
                rows
            }
        };
        for (group, value) in rows {
            let name = if zh { ind.zh } else { ind.en };
            match value {
                Value::Rate(rate) => {
                    let flags: Vec<String> = rate.flags().iter().map(ToString::to_string).collect();
                    let check = ind.target.as_ref().map(|t| t.check(&rate));
                    if check.as_ref().is_some_and(|c| c.met == Some(false)) {
                        missed += 1;
                    }
                    sheet.push(vec![
                        name.into(),
                        ind.key.into(),
                        group.into(),
                        match rate.not_computable {
                            Some(m) if zh => format!("不可计算：{}", m.chinese()),
                            Some(m) => format!("not computable: {m}"),
                            None => rate.format_percent(2),
                        }
                        .into(),
                        rate.numerator().into(),
                        rate.denominator().into(),
                        flags.join("; ").into(),
                        ind.target.as_ref().map(|t| format!("≥ {}%", t.threshold)).into(),
                        check
                            .as_ref()
                            .and_then(|c| c.met)
                            .map(|m| if m { h("yes", "是") } else { h("no", "否") }.to_string())
                            .into(),
                        check.map(|c| c.format_margin(2, Rounding::HalfUp)).into(),
                    ]);
                }
                Value::Ratio(r) => {
                    let undefined = r.is_undefined();
                    sheet.push(vec![
                        name.into(),
                        ind.key.into(),
                        group.into(),
                        format!("{}:1", r.format(1, Rounding::HalfUp)).into(),
                        r.numerator.into(),
                        r.denominator.into(),
                        (if undefined {
                            h("zero denominator", "分母为零")
                        } else {
                            ""
                        })
                        .into(),
                        Val::Empty,
                        Val::Empty,
                        Val::Empty,
                    ]);
                }
            }
        }
    }
    if let Some(out) = &args.out {
        let written = eduaid::io::write_sheets(out, std::slice::from_ref(&sheet.0))?;
        output::report_written(&written, ctx);
    }
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "year": year.to_string(),
            "indicators": sheet.to_json(),
            "targets_missed": missed,
        }))?;
    } else {
        outln!("{} {}", year.to_chinese(), h("indicators", "指标"));
        sheet.print();
        if missed > 0 {
            outln!();
            outln!(
                "{} {missed}",
                ctx.t("figures below their standard:", "未达标准的数据项：")
            );
        }
    }
    Ok(Status::findings_if(missed > 0).max(Status::bad_if(rejected)))
}

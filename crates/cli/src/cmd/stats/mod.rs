//! `eduaid stats`: the indicators of keeping children in school (控辍保学)
//! from aggregate counts, with their quality flags and the standards they
//! are held to; with a roster, net enrolment ratios and class sizes too.
//!
//! Sheets: the indicators (retention in the transfer-adjusted, plain and
//! 借读 forms, both dropout forms, GER, NER and their gender parity indices,
//! class-size bands, shares, pupil-teacher ratios), each rate with its exact
//! counts, raw value, flags and 95% Wilson interval (z = 1.959964, the 97.5%
//! normal quantile); and the UIS flow rates with the reconstructed cohort.

// The standards the report is held to, as the work report states them.
use eduaid::county_report::{DISABLED_ENROLMENT_STANDARD, JUNIOR_RETENTION_STANDARD};
use eduaid::model::rate::{Rate, Ratio};
use eduaid::model::{Counts, Decimal, MemoryRoster, Rounding, SchoolYear, Stage};
use eduaid::stats::source::{CountSource, Dimension, GroupKey, breakdown};
use eduaid::stats::{
    ClassFilter, CohortOptions, DropoutForm, ParityKind, RetentionForm, RetentionKind, RetentionOptions, SizeBand,
    Target, class_sizes, disabled_enrolment_rate, dropout_rate, gross_enrolment_ratio, net_enrolment_from_roster,
    parity, parity_index, pupil_teacher_ratio, reconstructed_cohort_from_counts, registered_poor_share, retention,
    round_significant,
};

use crate::cli::{By, DataArgs, StatsArgs};
use crate::common::{Ctx, Status};
use crate::inputs::{self, CountPaths};
use crate::output::{self, Sheet, Val};

/// An indicator's value.
enum Value {
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

/// How figures are shown: two decimal places, or significant figures.
#[derive(Clone, Copy)]
struct Show {
    sig: Option<u32>,
    zh: bool,
}

impl Show {
    /// A percentage as shown (capped if the rate is), or the reason it is
    /// not computable.
    fn rate(self, rate: &Rate) -> String {
        match rate.not_computable {
            Some(m) if self.zh => format!("不可计算：{}", m.chinese()),
            Some(m) => format!("not computable: {m}"),
            None => match self.sig {
                Some(n) => rate.format_percent_significant(n, Rounding::HalfUp),
                None => rate.format_percent(2),
            },
        }
    }

    /// The raw percentage, never capped; empty without a value.
    fn raw(self, rate: &Rate) -> Val {
        if !rate.has_value() {
            return Val::Empty;
        }
        let v = match self.sig {
            Some(n) => rate.ratio.round_significant(2, n, Rounding::HalfUp),
            None => rate.raw_percent(2, Rounding::HalfUp),
        };
        v.map_or(Val::Empty, Val::Percent)
    }

    /// A fraction (0 to 1) as a percentage.
    fn fraction(self, f: Decimal) -> String {
        let p = f.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(f);
        let v = match self.sig {
            Some(n) => round_significant(p, n, Rounding::HalfUp).unwrap_or(p),
            None => Rounding::HalfUp.round(p, 2),
        };
        format!("{v}%")
    }

    /// The 95% Wilson interval, `[lo%, hi%]`; empty without one.
    fn wilson(self, rate: &Rate) -> Val {
        rate.wilson_95().map_or(Val::Empty, |(lo, hi)| {
            format!("[{}, {}]", self.fraction(lo), self.fraction(hi)).into()
        })
    }

    /// A plain number (an index, a factor) to four places or `sig` figures.
    fn number(self, v: Decimal) -> String {
        match self.sig {
            Some(n) => round_significant(v, n, Rounding::HalfUp).unwrap_or(v).to_string(),
            None => Rounding::HalfUp.round(v, 4).to_string(),
        }
    }
}

/// The header of the indicators sheet.
fn indicator_header(zh: bool) -> Vec<&'static str> {
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    vec![
        h("indicator", "指标"),
        h("key", "代码"),
        h("group", "分组"),
        h("value", "数值"),
        h("raw_value", "原始值"),
        h("numerator", "分子"),
        h("denominator", "分母"),
        h("wilson_95", "95%置信区间"),
        h("flags", "提示"),
        h("standard", "标准"),
        h("met", "是否达标"),
        h("margin_points", "差距（百分点）"),
    ]
}

/// One row of the indicators sheet; returns whether a standard was missed.
fn push_value(sheet: &mut Sheet, row: Row<'_>, value: Value, show: Show) -> bool {
    let Row {
        name,
        key,
        group,
        target,
        note,
        counts,
    } = row;
    let counts =
        counts && matches!(&value, Value::Rate(r) if r.not_computable.is_none()) || matches!(&value, Value::Ratio(_));
    let with_note = |flags: String| match (flags.is_empty(), note) {
        (_, None) => flags,
        (true, Some(n)) => n.to_string(),
        (false, Some(n)) => format!("{flags}; {n}"),
    };
    let h = |en: &'static str, c: &'static str| if show.zh { c } else { en };
    match value {
        Value::Rate(rate) => {
            let flags: Vec<String> = rate
                .flags()
                .iter()
                .map(|f| if show.zh { f.chinese() } else { f.to_string() })
                .collect();
            let check = target.map(|t| t.check(&rate));
            let missed = check.as_ref().is_some_and(|c| c.met == Some(false));
            // A rate over 100% that meets a standard says so: its raw value
            // is not a real retention.
            let met = check
                .as_ref()
                .and_then(|c| c.met)
                .map(|m| match (m, rate.exceeds_hundred()) {
                    (true, true) => h(
                        "yes (raw value over 100%: check the counts)",
                        "是（原始值超过100%，需核查）",
                    ),
                    (true, false) => h("yes", "是"),
                    (false, _) => h("no", "否"),
                });
            sheet.push(vec![
                name.into(),
                key.into(),
                group.into(),
                Val::percent_or_text(&show.rate(&rate)),
                if counts { show.raw(&rate) } else { Val::Empty },
                if counts { rate.numerator().into() } else { Val::Empty },
                if counts { rate.denominator().into() } else { Val::Empty },
                if counts { show.wilson(&rate) } else { Val::Empty },
                with_note(flags.join("; ")).into(),
                target.map(|t| format!("≥ {}%", t.threshold)).into(),
                met.map(str::to_string).into(),
                check.map(|c| c.format_margin(2, Rounding::HalfUp)).into(),
            ]);
            missed
        }
        Value::Ratio(r) => {
            let shown = match (show.sig, r.value()) {
                (Some(_), Some(v)) => format!("{}:1", show.number(v)),
                _ => format!("{}:1", r.format(1, Rounding::HalfUp)),
            };
            sheet.push(vec![
                name.into(),
                key.into(),
                group.into(),
                shown.into(),
                Val::Empty,
                r.numerator.into(),
                r.denominator.into(),
                Val::Empty,
                with_note(
                    (if r.is_undefined() {
                        h("zero denominator", "分母为零")
                    } else {
                        ""
                    })
                    .to_string(),
                )
                .into(),
                Val::Empty,
                Val::Empty,
                Val::Empty,
            ]);
            false
        }
        Value::Index(i) => {
            let shown = i
                .and_then(|r| r.value())
                .map_or_else(|| "—".to_string(), |v| show.number(v));
            sheet.push(vec![
                name.into(),
                key.into(),
                group.into(),
                shown.into(),
                Val::Empty,
                Val::Empty,
                Val::Empty,
                Val::Empty,
                with_note((if i.is_none() { h("no value", "无数值") } else { "" }).to_string()).into(),
                Val::Empty,
                Val::Empty,
                Val::Empty,
            ]);
            false
        }
    }
}

/// What names a row of the indicators sheet.
struct Row<'a> {
    name: &'a str,
    key: &'a str,
    group: String,
    target: Option<&'a Target>,
    note: Option<&'a str>,
    /// Show the exact counts and the Wilson interval (not for a rate that
    /// was rescaled, such as a capped NER, whose terms are not counts).
    counts: bool,
}

impl<'a> Row<'a> {
    /// A row without a standard or note.
    fn new(name: &'a str, key: &'a str, group: String) -> Row<'a> {
        Row {
            name,
            key,
            group,
            target: None,
            note: None,
            counts: true,
        }
    }
}

/// The UIS sheet: flow rates by grade from `year − 1` to `year` and the
/// reconstructed cohort of each stage.
fn uis_sheet(counts: &Counts, year: SchoolYear, show: Show, name: &str) -> Sheet {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut sheet = Sheet::new(
        name,
        &[
            h("stage", "学段"),
            h("grade", "年级"),
            h("base_year", "基年"),
            h("enrolled", "在校生"),
            h("promotion", "升级率"),
            h("repetition", "留级率"),
            h("dropout", "辍学率"),
            h("survival_to_grade", "到达该年级的比例"),
            h("note", "说明"),
        ],
    );
    let Some(base) = year.offset(-1) else {
        return sheet;
    };
    let options = CohortOptions::default();
    for (stage, grades) in [(Stage::Primary, 6u8), (Stage::Junior, 3u8)] {
        let stage_name = if zh { stage.chinese() } else { stage.code() };
        match reconstructed_cohort_from_counts(counts, stage, grades, base, &options) {
            Ok((flows, cohort)) => {
                for f in &flows {
                    sheet.push(vec![
                        stage_name.into(),
                        u64::from(f.grade).into(),
                        base.to_string().into(),
                        f.enrolled.into(),
                        Val::percent_or_text(&show.rate(&f.promotion)),
                        Val::percent_or_text(&show.rate(&f.repetition)),
                        Val::percent_or_text(&show.rate(&f.dropout)),
                        cohort
                            .survival_to(f.grade)
                            .map_or(Val::Empty, |v| Val::percent_or_text(&show.fraction(v))),
                        (if f.negative_dropout() {
                            h("negative dropout: rates capped", "辍学率为负：已按比例压缩")
                        } else {
                            ""
                        })
                        .into(),
                    ]);
                }
                let summary = [
                    (
                        h("graduates per cohort", "队列毕业比例"),
                        cohort
                            .graduation_share()
                            .map(|v| Val::percent_or_text(&show.fraction(v))),
                    ),
                    (
                        h("coefficient of efficiency", "效率系数"),
                        cohort
                            .coefficient_of_efficiency()
                            .map(|v| Val::number_or_text(&show.number(v))),
                    ),
                    (
                        h("years-input per graduate", "每名毕业生投入学年数"),
                        cohort
                            .years_input_per_graduate()
                            .map(|v| Val::number_or_text(&show.number(v))),
                    ),
                ];
                for (label, v) in summary {
                    sheet.push(vec![
                        stage_name.into(),
                        Val::Empty,
                        base.to_string().into(),
                        Val::Empty,
                        Val::Empty,
                        Val::Empty,
                        Val::Empty,
                        v.unwrap_or(Val::Empty),
                        label.into(),
                    ]);
                }
            }
            Err(e) => sheet.push(vec![
                stage_name.into(),
                Val::Empty,
                base.to_string().into(),
                Val::Empty,
                Val::Empty,
                Val::Empty,
                Val::Empty,
                Val::Empty,
                format!("{}{e}", h("not computable: ", "不可计算：")).into(),
            ]),
        }
    }
    sheet
}

/// The roster's rows of the indicators sheet: NER by sex with the UIS
/// capping and its GPI, and class-size bands. Returns rows rejected.
fn roster_rows(
    args: &StatsArgs,
    counts: &Counts,
    year: SchoolYear,
    sheet: &mut Sheet,
    show: Show,
    ctx: &Ctx,
) -> anyhow::Result<u64> {
    let data = DataArgs {
        data: args.data.clone(),
        schools: args.schools.clone(),
        students: args.students.clone(),
        households: None,
        classes: args.classes.clone(),
        status_as_of: None,
    };
    if !inputs::has_roster(&data) {
        return Ok(0);
    }
    let loaded = inputs::load_roster(&data, ctx)?;
    if !counts.population.is_empty() {
        ner_rows(sheet, &loaded.roster, counts, year, args.cap, show)?;
    }
    class_size_rows(sheet, &loaded.roster, year, show)?;
    Ok(loaded.rejected)
}

/// Net enrolment ratios by stage from the roster and the population, by
/// sex, with the UIS capping factor and the gender parity index.
fn ner_rows(
    sheet: &mut Sheet,
    roster: &MemoryRoster,
    counts: &Counts,
    year: SchoolYear,
    cap: bool,
    show: Show,
) -> anyhow::Result<()> {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let all = h("all", "全县").to_string();
    for (stage, lo, hi, key, zh_name, en_name) in [
        (
            Stage::Primary,
            6u8,
            11u8,
            "ner_primary",
            "小学净入学率（6—11岁）",
            "primary net enrolment ratio (ages 6-11)",
        ),
        (
            Stage::Junior,
            12,
            14,
            "ner_junior",
            "初中净入学率（12—14岁）",
            "junior net enrolment ratio (ages 12-14)",
        ),
    ] {
        let ner = net_enrolment_from_roster(roster, counts, year, &[stage], lo..=hi)?;
        let name = if zh { zh_name } else { en_name };
        // The factor is shown where a reader looks for it.
        let note = ner.capping_factor.map(|cf| {
            format!(
                "{}{}",
                h("capped by the any-level factor ", "按各级在校适龄人口压缩，系数 "),
                cf.format(4, Rounding::HalfUp)
            )
        });
        let mut row = Row::new(name, key, all.clone());
        row.note = note.as_deref();
        row.counts = note.is_none();
        push_value(sheet, row, Value::Rate(ner.total.clone().with_cap(cap)), show);
        for (sex, rate) in &ner.by_sex {
            let group = if zh {
                sex.chinese().to_string()
            } else {
                sex.code().to_string()
            };
            let mut row = Row::new(name, key, group);
            row.counts = ner.capping_factor.is_none();
            push_value(sheet, row, Value::Rate(rate.clone().with_cap(cap)), show);
        }
        let f = ner.by_sex.iter().find(|(s, _)| *s == eduaid::model::Sex::Female);
        let m = ner.by_sex.iter().find(|(s, _)| *s == eduaid::model::Sex::Male);
        if let (Some((_, f)), Some((_, m))) = (f, m) {
            let gpi = parity_index(ParityKind::Gender, f.clone(), m.clone());
            let gpi_name = format!(
                "{name}{}",
                h(", gender parity index (female/male)", "性别均等指数（女/男）")
            );
            let gpi_key = format!("{key}_gpi");
            push_value(
                sheet,
                Row::new(&gpi_name, &gpi_key, all.clone()),
                Value::Index(gpi.index),
                show,
            );
        }
    }
    Ok(())
}

/// The shares of classes and of pupils in each class-size band, and the
/// average class size.
fn class_size_rows(sheet: &mut Sheet, roster: &MemoryRoster, year: SchoolYear, show: Show) -> anyhow::Result<()> {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let all = h("all", "全县").to_string();
    let schools = eduaid::stats::schools_of(roster)?;
    let sizes = class_sizes(schools.iter(), year, &ClassFilter::default());
    if sizes.classes > 0 {
        for band in SizeBand::ALL {
            let label = band.chinese();
            let code = format!("{band:?}").to_lowercase();
            let (cn, ck) = (
                format!("{}{label}{}", h("share of classes ", "班额"), h("", "班级占比")),
                format!("class_share_{code}"),
            );
            push_value(
                sheet,
                Row::new(&cn, &ck, all.clone()),
                Value::Rate(sizes.share_of_classes(band)),
                show,
            );
            let (pn, pk) = (
                format!(
                    "{}{label}{}",
                    h("share of pupils in classes ", "班额"),
                    h("", "学生占比")
                ),
                format!("pupil_share_{code}"),
            );
            push_value(
                sheet,
                Row::new(&pn, &pk, all.clone()),
                Value::Rate(sizes.share_of_pupils(band)),
                show,
            );
        }
        push_value(
            sheet,
            Row::new(h("average class size", "平均班额"), "class_size_average", all),
            Value::Ratio(sizes.average()),
            show,
        );
    }
    Ok(())
}

/// The indicators' rows, for the county and, with `--by`, each group;
/// gives how many figures are below their standard.
fn indicator_rows(
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

/// The two tables on the terminal, with the intervals' method and the
/// number of figures below their standard.
fn print_tables(ctx: &Ctx, year: SchoolYear, sheet: &Sheet, uis: &Sheet, missed: usize) {
    let h = |en: &'static str, c: &'static str| if ctx.zh() { c } else { en };
    outln!("{} {}", year.to_chinese(), h("indicators", "指标"));
    sheet.print();
    outln!();
    outln!(
        "{}",
        h(
            "UIS flow rates and reconstructed cohort (flows from the year before)",
            "UIS流动率与重构队列（上一学年至本学年）"
        )
    );
    uis.print();
    outln!();
    outln!(
        "{}",
        h(
            "95% intervals: Wilson, z = 1.959964 (the 97.5% normal quantile).",
            "95%置信区间：Wilson法，z = 1.959964（标准正态分布97.5%分位数）。"
        )
    );
    if missed > 0 {
        outln!();
        outln!(
            "{} {missed}",
            ctx.t("figures below their standard:", "未达标准的数据项：")
        );
    }
}

/// Run the command.
pub(crate) fn run(args: &StatsArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    inputs::check_dir(args.data.as_ref())?;
    let paths = CountPaths::of(&args.counts, args.data.as_ref());
    let h = |en: &'static str, c: &'static str| if ctx.zh() { c } else { en };
    let sheet_name = h("indicators", "指标");
    let uis_name = h("uis_flows", "UIS流动率");
    if let Some(out) = &args.out {
        let mut ins = output::count_inputs(&paths);
        ins.extend(
            [&args.schools, &args.students, &args.classes]
                .into_iter()
                .flatten()
                .cloned(),
        );
        output::guard_table_out(out, &[sheet_name, uis_name], &ins)?;
    }
    if paths.grades.is_none() {
        anyhow::bail!(ctx.t(
            "no grade counts file: give --counts FILE or --data DIR holding grade_counts.csv",
            "缺少年级人数文件：请用 --counts FILE 指定，或 --data DIR 中含 grade_counts.csv",
        ));
    }
    let (counts, mut rejected) = inputs::load_counts(&paths, ctx)?;
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
    let show = Show { sig: args.sig, zh };
    let mut sheet = Sheet::new(sheet_name, &indicator_header(zh));
    let missed = indicator_rows(&mut sheet, &counts, year, args, show)?;
    rejected += roster_rows(args, &counts, year, &mut sheet, show, ctx)?;
    let uis = uis_sheet(&counts, year, show, uis_name);
    if let Some(out) = &args.out {
        let title = if zh {
            format!("{}控辍保学与教育发展指标", year.to_chinese())
        } else {
            format!("Retention, dropout and enrolment indicators, {year}")
        };
        let written = eduaid::io::write_sheets(out, &[sheet.0.clone().with_title(&title), uis.0.clone()])?;
        output::report_written(&written, ctx);
    }
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "year": year.to_string(),
            "capped_at_100": args.cap,
            "wilson_z": "1.959963984540054235524594431",
            "indicators": sheet.to_json(),
            "uis_flows": uis.to_json(),
            "targets_missed": missed,
        }))?;
    } else {
        print_tables(ctx, year, &sheet, &uis, missed);
    }
    Ok(Status::findings_if(missed > 0).max(Status::bad_if(rejected)))
}

//! The project's main job: the sample county's work report on education
//! guarantee in poverty alleviation (脱贫攻坚教育保障工作情况报告), every
//! figure computed from the county's records and checked.
//!
//! ```text
//! cargo run --release --example county_report [-- my_template.txt.j2]
//! ```
//!
//! 1. the sample county (`eduaid::sample::county()`): roster, payments, counts;
//! 2. spring-2017 entitlements and the reconciliation of what was paid
//!    (`eduaid::eligibility`);
//! 3. retention over three school years, the disabled children's enrolment
//!    rate, the migrant share and class sizes (`eduaid::stats`);
//! 4. all of it as typed figures, tables and charts (`eduaid::report`),
//!    filled into the default template (or the one given), checked by the
//!    validator, and written to `out/` as `.docx`, `.html` and `.md` with a
//!    data appendix and the validation summary.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use eduaid::eligibility::{Engine, FindingKind, Reconciliation, Row, Scope, Totals, reconcile};
use eduaid::model::{
    Decimal, Household, Locality, Money, NaiveDate, Ownership, SchoolId, SchoolKind, SchoolYear, Stage, Term,
};
use eduaid::report::{
    Chart, Document, DocxRenderer, Figure, HtmlRenderer, Inline, MarkdownRenderer, Rate, Relation, ReportData, Series,
    Source, Table, Template, Validation, render, to_text, validate_figures, validate_text,
};
use eduaid::sample::SampleCounty;
use eduaid::stats::{
    ClassCap, ClassFilter, RetentionKind, RetentionOptions, SizeBand, StudentFilter, StudentTrait, check_caps,
    class_size_series, disabled_enrolment_rate, retention, student_share,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Where the records come from, for the data appendix.
const ROSTER: &str = "示范县样本名册";
const PAYMENTS: &str = "示范县样本发放记录";
/// The provincial standards the report compares against (inputs, not data).
const JUNIOR_RETENTION_STANDARD: i64 = 95;
const DISABLED_ENROLMENT_STANDARD: i64 = 80;

fn main() -> Result<()> {
    let started = std::time::Instant::now();
    let county = eduaid::sample::county();
    let engine = Engine::hunan_county_2016()?;
    let spring: Term = "2017-spring".parse()?;
    let autumn: Term = "2016-autumn".parse()?;

    // Entitlements of spring 2017 (and the Rain-and-Dew plan's two terms),
    // and what was actually paid against them.
    let totals = engine.totals(&county.roster, &[spring])?;
    let rain_and_dew = engine.totals(&county.roster, &[autumn, spring])?;
    let recon = reconcile(
        &engine,
        &county.roster,
        &county.disbursements,
        &Scope::of(&county.disbursements),
    )?;

    let mut data = ReportData::new();
    words(&mut data, &county)?;
    enrolment(&mut data, &county)?;
    statistics(&mut data, &county)?;
    aid(&mut data, &county, &engine, spring, &totals, &rain_and_dew)?;
    reconciliation(&mut data, &recon)?;

    check_contract(&data)?;

    let template = match std::env::args().nth(1) {
        Some(path) => Template::from_file(Path::new(&path))?,
        None => Template::default_report(),
    };
    let mut doc = template.render(&data)?;

    // The checks: relations between the typed figures, then the report's
    // own text read as a careful reader would.
    let mut validation = validate_figures(&data.figures, &relations(&data)?)?;
    validation.extend(validate_text(&to_text(&doc)?));

    doc.push_data_appendix("附件1");
    push_validation_appendix(&mut doc, &validation);

    std::fs::create_dir_all("out")?;
    let mut docx = DocxRenderer::new();
    let outputs = [
        ("out/county_report.docx", render(&doc, &mut docx)?),
        ("out/county_report.html", render(&doc, &mut HtmlRenderer::new())?),
        ("out/county_report.md", render(&doc, &mut MarkdownRenderer::new())?),
    ];
    for (path, bytes) in &outputs {
        std::fs::write(path, bytes)?;
        let full = std::fs::canonicalize(path)?;
        println!("wrote {} ({} bytes)", full.display(), bytes.len());
    }
    for w in eduaid::report::Renderer::warnings(&docx) {
        println!("note: {w}");
    }
    println!(
        "{}：{} figures from {} students, {} payments; {} (in {:.1?})",
        county.name,
        doc.figures_used().len(),
        county.roster.students().len(),
        county.disbursements.len(),
        validation.summary(),
        started.elapsed()
    );
    for f in validation.findings() {
        println!("  finding: {} — {}", f.location, f.message);
    }
    if !validation.is_consistent() {
        return Err("the report's figures do not check out".into());
    }
    Ok(())
}

/// A figure from the sample's roster or counts.
fn sample(indicator: &str) -> Source {
    Source::indicator(indicator).with_file(ROSTER)
}

/// A figure from the eligibility engine's totals for a program.
fn engine_source(program: &str, what: &str) -> Source {
    Source::program(program)
        .with_indicator(what.to_string())
        .with_file(ROSTER)
}

fn count(key: &str, label: &str, n: u64, unit: &str, source: Source) -> Figure {
    Figure::count(key, label, n, unit, source)
}

fn rate(key: &str, label: &str, numerator: i128, denominator: i128, dp: u32, source: Source) -> Result<Figure> {
    let r = Rate::new(u64::try_from(numerator)?, u64::try_from(denominator)?, dp)?;
    Ok(Figure::rate(key, label, r, source))
}

fn wan(key: &str, label: &str, amount: Money, source: Source) -> Figure {
    Figure::money(key, label, amount, source).in_wan_yuan()
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("bad date {y}-{m}-{d}").into())
}

fn year(start: i32) -> Result<SchoolYear> {
    Ok(SchoolYear::new(start)?)
}

/// The words of the report.
fn words(data: &mut ReportData, county: &SampleCounty) -> Result<()> {
    data.var("county", county.name.clone())?;
    data.var("bureau", format!("{}教育局", county.name))?;
    data.var("school_year", year(2016)?.to_chinese())?;
    data.var("spring_term", "2017年春季学期")?;
    data.var("urban_district", eduaid::sample::URBAN_DISTRICT)?;
    data.list(
        "retention_years",
        vec![
            year(2014)?.to_chinese(),
            year(2015)?.to_chinese(),
            year(2016)?.to_chinese(),
        ],
    )?;
    let input = || Source::indicator("报告设置（输入）");
    data.figure(Figure::date("report_date", "报告日期", date(2017, 9, 30)?, input()))?;
    data.figure(Figure::date(
        "fee_meeting_date",
        "治理违规征订教辅资料工作会议日期",
        date(2017, 7, 11)?,
        input(),
    ))?;
    Ok(())
}

/// Students in school on 2017-03-01 by stage, registered-poor students and
/// their helpers, teachers.
fn enrolment(data: &mut ReportData, county: &SampleCounty) -> Result<()> {
    let on = date(2017, 3, 1)?;
    let homes: HashMap<_, &Household> = county.roster.households().map(|h| (&h.id, h)).collect();
    let mut by_stage: BTreeMap<Stage, u64> = BTreeMap::new();
    let (mut poor, mut helped) = (0u64, 0u64);
    for s in county.roster.students().iter().filter(|s| s.in_school_on(on)) {
        *by_stage.entry(s.stage).or_default() += 1;
        let registered = s
            .household_id
            .as_ref()
            .and_then(|h| homes.get(h))
            .is_some_and(|h| h.registered_poor_on(on));
        if registered {
            poor += 1;
            if s.helper.is_some() {
                helped += 1;
            }
        }
    }
    let n = |s: Stage| by_stage.get(&s).copied().unwrap_or(0);
    let src = || sample("名册：2017-03-01在校生按学段");
    data.figure(count(
        "students_preschool",
        "在园幼儿",
        n(Stage::Preschool),
        "人",
        src(),
    ))?;
    data.figure(count("students_primary", "小学在校生", n(Stage::Primary), "人", src()))?;
    data.figure(count("students_junior", "初中在校生", n(Stage::Junior), "人", src()))?;
    data.figure(count(
        "students_senior_stage",
        "高中阶段在校生（普通高中和中职）",
        n(Stage::Senior) + n(Stage::Vocational),
        "人",
        src(),
    ))?;
    let total = [
        Stage::Preschool,
        Stage::Primary,
        Stage::Junior,
        Stage::Senior,
        Stage::Vocational,
    ]
    .into_iter()
    .map(n)
    .sum();
    data.figure(count("students_total", "在校学生总计", total, "人", src()))?;
    let poor_src = || sample("名册：2017-03-01在校且家庭为建档立卡");
    data.figure(count("poor_students_total", "建档立卡在校学生", poor, "人", poor_src()))?;
    data.figure(count(
        "poor_students_with_helper",
        "已落实帮扶责任人的建档立卡学生",
        helped,
        "人",
        poor_src(),
    ))?;
    data.figure(rate(
        "helper_coverage",
        "帮扶责任人覆盖率",
        i128::from(helped),
        i128::from(poor),
        2,
        poor_src(),
    )?)?;
    let teachers: u64 = county
        .counts
        .teachers
        .iter()
        .filter(|t| t.year.start_year() == 2016)
        .map(|t| t.teachers)
        .sum();
    data.figure(count(
        "teachers_total",
        "专任教师（2016—2017学年）",
        teachers,
        "人",
        sample("基表：2016—2017学年专任教师"),
    ))?;
    Ok(())
}

/// Retention, the disabled children's enrolment, the migrant share, class
/// sizes and the schools of the nutrition plan.
#[allow(clippy::too_many_lines)]
fn statistics(data: &mut ReportData, county: &SampleCounty) -> Result<()> {
    let counts = &county.counts;
    let mut primary = Vec::new();
    let mut junior = Vec::new();
    for (i, y) in (2014..=2016).enumerate() {
        for (kind, key, label, out) in [
            (
                RetentionKind::PrimarySixYear,
                "retention_primary",
                "小学六年巩固率",
                &mut primary,
            ),
            (
                RetentionKind::JuniorThreeYear,
                "retention_junior",
                "初中三年巩固率",
                &mut junior,
            ),
        ] {
            let r = retention(counts, kind, year(y)?, RetentionOptions::transfer_adjusted());
            let label = format!("{label}（{}）", year(y)?.to_chinese());
            let f = rate(
                &format!("{key}_y{}", i + 1),
                &label,
                r.rate.numerator(),
                r.rate.denominator(),
                2,
                sample("统计：巩固率＝毕业生÷（入学数＋转入－转出）"),
            )?;
            if let eduaid::report::Value::Rate(rt) = &f.value {
                out.push(rt.percent());
            }
            data.figure(f)?;
        }
    }
    let standard = || Source::indicator("省颁标准（输入）");
    data.figure(Figure::number(
        "retention_junior_standard",
        "初中三年巩固率省颁标准",
        Decimal::from(JUNIOR_RETENTION_STANDARD),
        None,
        "%",
        standard(),
    ))?;
    let years = ["2014—2015", "2015—2016", "2016—2017"];
    data.chart(
        "retention",
        Chart::line(
            "近三年小学六年、初中三年巩固率",
            "%",
            &years,
            vec![
                Series {
                    name: "小学六年巩固率".into(),
                    values: primary,
                },
                Series {
                    name: "初中三年巩固率".into(),
                    values: junior,
                },
            ],
        )
        .with_threshold("初中省颁标准", Decimal::from(JUNIOR_RETENTION_STANDARD)),
    );

    let disabled = disabled_enrolment_rate(counts, year(2016)?, 6..=14, true);
    let dsrc = || sample("统计：2016—2017学年6—14岁三类残疾儿童");
    data.figure(count(
        "disabled_total",
        "6—14岁三类残疾儿童",
        u64::try_from(disabled.denominator())?,
        "人",
        dsrc(),
    ))?;
    data.figure(count(
        "disabled_in_school",
        "其中在校",
        u64::try_from(disabled.numerator())?,
        "人",
        dsrc(),
    ))?;
    data.figure(rate(
        "disabled_enrolment_rate",
        "三类残疾儿童入学率",
        disabled.numerator(),
        disabled.denominator(),
        1,
        dsrc(),
    )?)?;
    data.figure(Figure::number(
        "disabled_standard",
        "三类残疾儿童入学率省颁标准",
        Decimal::from(DISABLED_ENROLMENT_STANDARD),
        None,
        "%",
        standard(),
    ))?;

    let urban = eduaid::sample::URBAN_DISTRICT;
    let share = student_share(
        &county.roster,
        &StudentFilter::stage(Stage::Primary).in_township(urban),
        date(2017, 3, 1)?,
        StudentTrait::Migrant,
    )?;
    let msrc = || sample("统计：城区小学随迁子女占比（2017-03-01）");
    data.figure(count(
        "migrant_children",
        "城区随迁子女",
        u64::try_from(share.numerator())?,
        "人",
        msrc(),
    ))?;
    data.figure(count(
        "urban_primary_pupils",
        "城区小学在校生",
        u64::try_from(share.denominator())?,
        "人",
        msrc(),
    ))?;
    data.figure(rate(
        "migrant_share",
        "随迁子女占城区小学在校生比例",
        share.numerator(),
        share.denominator(),
        2,
        msrc(),
    )?)?;

    // Class sizes of the public urban primaries, before and after.
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series(county.roster.schools(), &filter);
    let before = series.get(year(2016)?).ok_or("no class sizes for 2016-17")?;
    let after = series.get(year(2018)?).ok_or("no class sizes for 2018-19")?;
    let csrc = |y: &str| sample(&format!("统计：城区公办小学班额（{y}）"));
    data.figure(count(
        "urban_classes_before",
        "城区公办小学班级数（2016—2017学年）",
        before.classes,
        "个班",
        csrc("2016-17"),
    ))?;
    data.figure(count(
        "urban_classes_after",
        "城区公办小学班级数（2018—2019学年）",
        after.classes,
        "个班",
        csrc("2018-19"),
    ))?;
    data.figure(count(
        "urban_public_pupils",
        "城区公办小学在校生",
        before.pupils,
        "人",
        csrc("2016-17"),
    ))?;
    let avg = |c: &eduaid::stats::ClassSizes| {
        Decimal::from(c.pupils)
            .checked_div(Decimal::from(c.classes.max(1)))
            .unwrap_or_default()
    };
    data.figure(Figure::number(
        "class_size_before",
        "平均班额（2016—2017学年）",
        avg(before),
        Some(1),
        "人",
        csrc("2016-17"),
    ))?;
    data.figure(Figure::number(
        "class_size_after",
        "平均班额（2018—2019学年）",
        avg(after),
        Some(1),
        "人",
        csrc("2018-19"),
    ))?;
    let caps = [(Stage::Primary, 50u32), (Stage::Junior, 55u32)].map(|(stage, max)| ClassCap {
        stage,
        grade: Some(1),
        max,
        from: year(2017).unwrap_or(before.year),
    });
    let breaches = check_caps(county.roster.schools(), year(2017)?, &ClassFilter::default(), &caps);
    let cap_src = || {
        Source::indicator(format!(
            "政策输入：2017年秋季起起始年级班额上限；2017—2018学年超额班级{}个",
            breaches.len()
        ))
    };
    data.figure(count("class_cap_primary", "小学起始年级班额上限", 50, "人", cap_src()))?;
    data.figure(count("class_cap_junior", "初中起始年级班额上限", 55, "人", cap_src()))?;
    let band = |c: &eduaid::stats::ClassSizes, b: SizeBand| {
        Decimal::from(c.bands.iter().find(|x| x.band == b).map_or(0, |x| x.classes))
    };
    let bands = [
        SizeBand::Normal,
        SizeBand::Above45,
        SizeBand::Large,
        SizeBand::SuperLarge,
    ];
    data.chart(
        "class_sizes",
        Chart::bar(
            "城区公办小学班额分布",
            "个班",
            &["45人及以下", "46—55人", "大班额56—65人", "超大班额66人及以上"],
            vec![
                Series {
                    name: "2016—2017学年".into(),
                    values: bands.iter().map(|b| band(before, *b)).collect(),
                },
                Series {
                    name: "2018—2019学年".into(),
                    values: bands.iter().map(|b| band(after, *b)).collect(),
                },
            ],
        ),
    );

    // Rural compulsory schools and the nutrition plan's two batches.
    let teaches_compulsory = |k: SchoolKind| k.teaches(Stage::Primary) || k.teaches(Stage::Junior);
    let rural: Vec<&SchoolId> = county
        .roster
        .schools()
        .filter(|s| s.locality == Locality::Rural && teaches_compulsory(s.kind))
        .map(|s| &s.id)
        .collect();
    data.figure(count(
        "rural_schools",
        "农村义务教育学校和教学点",
        u64::try_from(rural.len())?,
        "所",
        sample("名册：农村小学、初中和教学点"),
    ))?;
    let first_day = date(2017, 6, 1)?;
    let second_day = date(2017, 9, 1)?;
    let in_plan = |d: NaiveDate| -> BTreeSet<&SchoolId> {
        county
            .roster
            .schools()
            .filter(|s| s.in_nutrition_plan_on(d))
            .map(|s| &s.id)
            .collect()
    };
    let first = in_plan(first_day);
    let second = in_plan(second_day);
    let first_students = county
        .roster
        .students()
        .iter()
        .filter(|s| first.contains(&s.school_id) && s.in_school_on(first_day))
        .count();
    let second_students: u64 = county
        .counts
        .grades
        .iter()
        .filter(|g| g.year.start_year() == 2017 && second.contains(&g.school_id))
        .map(|g| g.enrolled)
        .sum();
    let nsrc = |what: &str| {
        Source::program("nutrition")
            .with_indicator(what.to_string())
            .with_file(ROSTER)
    };
    data.figure(Figure::date(
        "nutrition_start_date",
        "营养改善计划第一批启动日期",
        first_day,
        nsrc("名册：学校纳入营养改善计划日期"),
    ))?;
    data.figure(Figure::date(
        "nutrition_second_date",
        "营养改善计划第二批启动日期",
        second_day,
        nsrc("名册：学校纳入营养改善计划日期"),
    ))?;
    data.figure(count(
        "nutrition_schools_first",
        "营养改善计划第一批学校",
        u64::try_from(first.len())?,
        "所",
        nsrc("名册：2017-06-01在计划内的学校"),
    ))?;
    data.figure(count(
        "nutrition_students_first",
        "营养改善计划第一批受益学生",
        u64::try_from(first_students)?,
        "人",
        nsrc("名册：上述学校2017-06-01在校生"),
    ))?;
    data.figure(count(
        "nutrition_schools_second",
        "营养改善计划第二批学校",
        u64::try_from(second.len())?,
        "所",
        nsrc("名册：2017-09-01在计划内的学校"),
    ))?;
    data.figure(count(
        "nutrition_students_second",
        "营养改善计划第二批受益学生",
        second_students,
        "人",
        nsrc("基表：上述学校2017—2018学年在校生"),
    ))?;
    Ok(())
}

/// A policy parameter's value for `stage` on `on`.
fn parameter(engine: &Engine, name: &str, stage: Stage, on: NaiveDate) -> Result<Money> {
    engine
        .policy()
        .and_then(|p| p.parameter(name))
        .and_then(|p| p.at(on))
        .and_then(|v| v.value.for_stage(stage))
        .ok_or_else(|| format!("no value of {name} for {stage} on {on}").into())
}

/// Aid of spring 2017 by program and stage, from the eligibility engine.
#[allow(clippy::too_many_lines)]
fn aid(
    data: &mut ReportData,
    county: &SampleCounty,
    engine: &Engine,
    spring: Term,
    totals: &Totals,
    rain_and_dew: &Totals,
) -> Result<()> {
    let on = spring.reference_date();
    let program = |id: &str| totals.program(id).ok_or_else(|| format!("no totals for {id}"));

    let living = program("living-subsidy")?;
    let by = |p: &eduaid::eligibility::ProgramTotals, s: Stage| p.by_stage.get(&s).map_or(0, |t| t.persons);
    let lsrc = |w: &str| engine_source("living-subsidy", w);
    data.figure(count(
        "living_subsidy_students",
        "义务教育生活补助受助学生",
        living.total.persons,
        "人",
        lsrc("测算：春季学期人数"),
    ))?;
    data.figure(count(
        "living_subsidy_primary",
        "其中小学",
        by(living, Stage::Primary),
        "人",
        lsrc("测算：按学段人数"),
    ))?;
    data.figure(count(
        "living_subsidy_junior",
        "其中初中",
        by(living, Stage::Junior),
        "人",
        lsrc("测算：按学段人数"),
    ))?;
    for (stage, key, label) in [
        (
            Stage::Primary,
            "living_subsidy_primary_standard",
            "小学生活补助标准（每生每学期）",
        ),
        (
            Stage::Junior,
            "living_subsidy_junior_standard",
            "初中生活补助标准（每生每学期）",
        ),
    ] {
        let t = living.by_stage.get(&stage).copied().unwrap_or_default();
        let per = t
            .amount
            .checked_div_exact(t.person_terms.max(1))
            .map_err(|e| format!("living subsidy per student: {e}"))?;
        data.figure(Figure::money(key, label, per, lsrc("测算：按学段金额÷人次")))?;
    }
    data.figure(wan(
        "living_subsidy_amount",
        "义务教育生活补助资金",
        living.total.amount,
        lsrc("测算：春季学期金额"),
    ))?;

    let nutrition = program("nutrition")?;
    let daily = parameter(engine, "nutrition.daily", Stage::Primary, on)?;
    let window = engine
        .policy()
        .and_then(|p| p.calendar().window(spring))
        .ok_or("the policy sets no school-day calendar for spring 2017")?;
    let days = window.school_days(date(2017, 6, 1)?, spring.last_day());
    data.figure(Figure::money(
        "nutrition_daily",
        "营养膳食补助标准（每生每天）",
        daily,
        engine_source("nutrition", "政策参数 nutrition.daily"),
    ))?;
    data.figure(count(
        "nutrition_days",
        "营养改善计划春季学期供餐天数",
        days,
        "天",
        engine_source("nutrition", "政策校历：2017-06-01起上课日"),
    ))?;
    data.figure(wan(
        "nutrition_amount",
        "营养膳食补助资金（第一批）",
        nutrition.total.amount,
        engine_source("nutrition", "测算：春季学期金额"),
    ))?;

    let pre = program("preschool-aid")?;
    data.figure(Figure::money(
        "preschool_aid_standard",
        "学前教育资助标准（每生每年）",
        parameter(engine, "preschool-aid.annual", Stage::Preschool, on)?,
        engine_source("preschool-aid", "政策参数 preschool-aid.annual"),
    ))?;
    data.figure(count(
        "preschool_aid_students",
        "学前教育受助幼儿",
        pre.total.persons,
        "人",
        engine_source("preschool-aid", "测算：春季学期人数"),
    ))?;
    data.figure(wan(
        "preschool_aid_amount",
        "学前教育资助资金",
        pre.total.amount,
        engine_source("preschool-aid", "测算：春季学期金额"),
    ))?;

    // The senior grant's two tiers, from the entitlements themselves.
    let mut tiers: BTreeMap<Decimal, u64> = BTreeMap::new();
    let mut tally = |row: &Row<'_>| {
        if row.program.id.as_str() == "senior-grant" {
            *tiers.entry(row.amount).or_default() += 1;
        }
    };
    engine.run(&county.roster, &[spring], false, Some(&mut tally))?;
    let senior = program("senior-grant")?;
    let tier_counts: Vec<u64> = tiers.values().rev().copied().collect();
    let ssrc = |w: &str| engine_source("senior-grant", w);
    data.figure(count(
        "senior_grant_students",
        "普通高中国家助学金受助学生",
        senior.total.persons,
        "人",
        ssrc("测算：春季学期人数"),
    ))?;
    data.figure(count(
        "senior_grant_tier1",
        "其中一档",
        tier_counts.first().copied().unwrap_or(0),
        "人",
        ssrc("测算：按较高标准的人数"),
    ))?;
    data.figure(count(
        "senior_grant_tier2",
        "其中二档",
        tier_counts.iter().skip(1).sum(),
        "人",
        ssrc("测算：按较低标准的人数"),
    ))?;
    data.figure(wan(
        "senior_grant_amount",
        "普通高中国家助学金",
        senior.total.amount,
        ssrc("测算：春季学期金额"),
    ))?;

    let voc = program("vocational-grant")?;
    data.figure(Figure::money(
        "vocational_grant_standard",
        "中职国家助学金标准（每生每年）",
        parameter(engine, "vocational-grant.annual", Stage::Vocational, on)?,
        engine_source("vocational-grant", "政策参数 vocational-grant.annual"),
    ))?;
    data.figure(count(
        "vocational_grant_students",
        "中职国家助学金受助学生",
        voc.total.persons,
        "人",
        engine_source("vocational-grant", "测算：春季学期人数"),
    ))?;
    data.figure(wan(
        "vocational_grant_amount",
        "中职国家助学金",
        voc.total.amount,
        engine_source("vocational-grant", "测算：春季学期金额"),
    ))?;

    let rd = rain_and_dew
        .program("rain-and-dew")
        .ok_or("no totals for rain-and-dew")?;
    let rsrc = |w: &str| engine_source("rain-and-dew", w);
    let per_year = rd
        .total
        .amount
        .checked_div_exact(rd.total.persons.max(1))
        .map_err(|e| format!("rain-and-dew amount per student: {e}"))?;
    for (term, key, label) in [
        (
            spring.prev().ok_or("no autumn term")?,
            "rain_dew_autumn_standard",
            "雨露计划秋季学期标准",
        ),
        (spring, "rain_dew_spring_standard", "雨露计划春季学期标准"),
    ] {
        data.figure(Figure::money(
            key,
            label,
            parameter(
                engine,
                "rain-and-dew.per-term",
                Stage::Vocational,
                term.reference_date(),
            )?,
            rsrc("政策参数 rain-and-dew.per-term"),
        ))?;
    }
    data.figure(Figure::money(
        "rain_dew_standard",
        "雨露计划补助标准（每人两学期）",
        per_year,
        rsrc("测算：两学期金额÷人数"),
    ))?;
    data.figure(count(
        "rain_dew_students",
        "雨露计划受助学生",
        rd.total.persons,
        "人",
        rsrc("测算：两学期人数"),
    ))?;
    data.figure(count(
        "rain_dew_person_terms",
        "雨露计划受助人次",
        rd.total.person_terms,
        "人次",
        rsrc("测算：两学期人次"),
    ))?;
    data.figure(wan(
        "rain_dew_amount",
        "雨露计划补助资金",
        rd.total.amount,
        rsrc("测算：两学期金额"),
    ))?;

    // The table of every program paid in spring 2017, and the charts.
    let mut t = Table::new(
        "2017年春季学期各项学生资助情况",
        &["资助项目", "学段", "受助学生（人）", "人次", "资金（万元）"],
    );
    let mut chart_names = Vec::new();
    let mut chart_amounts = Vec::new();
    let mut by_stage: BTreeMap<Stage, Money> = BTreeMap::new();
    for p in totals
        .programs
        .iter()
        .filter(|p| p.benefit.is_owed() && p.total.persons > 0)
    {
        let stages: Vec<&str> = p.by_stage.keys().map(|s| s.chinese()).collect();
        t.push_row(vec![
            Inline::text(p.name.clone()),
            Inline::text(stages.join("、")),
            Inline::text(p.total.persons.to_string()),
            Inline::text(p.total.person_terms.to_string()),
            Inline::text(p.total.amount.wan_yuan().normalize().to_string()),
        ])?;
        chart_names.push(short_name(p.id.as_str()).to_string());
        chart_amounts.push(p.total.amount.wan_yuan());
        for (s, tally) in &p.by_stage {
            *by_stage.entry(*s).or_default() += tally.amount;
        }
    }
    data.table(
        "aid_by_program",
        t.with_note("资金为应发金额，按政策标准逐人计算，未舍入；人次为受助学生与学期的组合数。"),
    );
    let names: Vec<&str> = chart_names.iter().map(String::as_str).collect();
    data.chart(
        "aid_by_program",
        Chart::bar(
            "2017年春季学期各项目资助资金",
            "万元",
            &names,
            vec![Series {
                name: "资助资金".into(),
                values: chart_amounts.clone(),
            }],
        ),
    );
    let stage_names: Vec<&str> = by_stage.keys().map(|s| s.chinese()).collect();
    data.chart(
        "aid_by_stage",
        Chart::bar(
            "2017年春季学期各学段资助资金",
            "万元",
            &stage_names,
            vec![Series {
                name: "资助资金".into(),
                values: by_stage.values().map(|m| m.wan_yuan()).collect(),
            }],
        ),
    );
    Ok(())
}

/// Short program names for chart labels.
fn short_name(id: &str) -> &str {
    match id {
        "preschool-aid" => "学前资助",
        "fee-waiver" => "免学杂费",
        "free-textbooks" => "免费教科书",
        "living-subsidy" => "生活补助",
        "nutrition" => "营养餐",
        "senior-grant" => "普高助学金",
        "senior-fee-waiver" => "普高免学杂费",
        "vocational-grant" => "中职助学金",
        "vocational-tuition-waiver" => "中职免学费",
        "rain-and-dew" => "雨露计划",
        other => other,
    }
}

/// What was owed against what was paid.
fn reconciliation(data: &mut ReportData, recon: &Reconciliation) -> Result<()> {
    let src = |w: &str| Source::indicator(format!("核对：{w}")).with_file(PAYMENTS);
    let kind = |k: FindingKind| recon.by_kind.get(&k).map_or(0, |c| c.records);
    data.figure(count(
        "entitlements_count",
        "应发资助（学生、项目、学期）",
        recon.entitlements,
        "人次",
        src("应发人次"),
    ))?;
    data.figure(count(
        "payments_count",
        "发放记录",
        recon.records,
        "笔",
        src("发放记录"),
    ))?;
    data.figure(wan("paid_amount", "实发金额", recon.paid, src("实发金额")))?;
    data.figure(count(
        "recon_unpaid",
        "应发未发",
        kind(FindingKind::Unpaid),
        "人次",
        src("应发未发"),
    ))?;
    data.figure(count(
        "recon_duplicate",
        "重复发放",
        kind(FindingKind::Duplicate),
        "笔",
        src("重复发放"),
    ))?;
    data.figure(count(
        "recon_after_leaving",
        "离校后发放",
        kind(FindingKind::PaidAfterLeaving),
        "笔",
        src("离校后发放"),
    ))?;
    Ok(())
}

/// The seed report's figures as FIGURES.md restores and recomputes them
/// (docs/design.md, "The sample county"): what the computed figures must
/// print.
const CONTRACT: &[(&str, &str)] = &[
    ("students_preschool", "23429人"),
    ("students_primary", "56370人"),
    ("students_junior", "26577人"),
    ("students_senior_stage", "20588人"),
    ("students_total", "126964人"),
    ("living_subsidy_students", "12390人"),
    ("living_subsidy_primary", "8063人"),
    ("living_subsidy_junior", "4327人"),
    ("living_subsidy_amount", "673.5875万元"),
    ("nutrition_schools_first", "178所"),
    ("nutrition_students_first", "53675人"),
    ("nutrition_days", "22天"),
    ("nutrition_amount", "472.34万元"),
    ("nutrition_schools_second", "265所"),
    ("nutrition_students_second", "60526人"),
    ("preschool_aid_students", "2409人"),
    ("preschool_aid_amount", "120.45万元"),
    ("senior_grant_students", "5061人"),
    ("senior_grant_tier1", "14人"),
    ("senior_grant_tier2", "5047人"),
    ("senior_grant_amount", "506.8万元"),
    ("vocational_grant_students", "599人"),
    ("vocational_grant_amount", "59.9万元"),
    ("rain_dew_students", "478人"),
    ("rain_dew_person_terms", "956人次"),
    ("retention_primary_y1", "100%"),
    ("retention_primary_y2", "100%"),
    ("retention_primary_y3", "100%"),
    ("retention_junior_y1", "98.86%"),
    ("retention_junior_y2", "98.81%"),
    ("retention_junior_y3", "98.89%"),
    ("disabled_total", "307人"),
    ("disabled_in_school", "305人"),
    ("disabled_enrolment_rate", "99.3%"),
    ("migrant_children", "1642人"),
    ("urban_primary_pupils", "8880人"),
    ("migrant_share", "18.49%"),
    ("rural_schools", "265所"),
    ("urban_classes_before", "113个班"),
    ("urban_classes_after", "164个班"),
    ("urban_public_pupils", "8692人"),
    ("class_size_before", "76.9人"),
    ("class_size_after", "53.0人"),
    ("recon_unpaid", "1人次"),
    ("recon_duplicate", "1笔"),
    ("recon_after_leaving", "1笔"),
];

/// Every contract figure prints as FIGURES.md has it, or an error naming
/// those that do not.
fn check_contract(data: &ReportData) -> Result<()> {
    let wrong: Vec<String> = CONTRACT
        .iter()
        .filter_map(|(key, expected)| {
            let shown = data.figures.get(key).map(Figure::display);
            (shown.as_deref() != Some(*expected)).then(|| format!("{key}: {shown:?}, expected {expected}"))
        })
        .collect();
    println!(
        "FIGURES.md: {} of {} figures match",
        CONTRACT.len() - wrong.len(),
        CONTRACT.len()
    );
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("figures differ from FIGURES.md:\n  {}", wrong.join("\n  ")).into())
    }
}

/// The relations the typed figures must satisfy.
fn relations(data: &ReportData) -> Result<Vec<Relation>> {
    let s = |x: &str| x.to_string();
    let money = |key: &str| -> Result<Money> {
        match &data.figures.require(key)?.value {
            eduaid::report::Value::Money { amount, .. } => Ok(*amount),
            _ => Err(format!("{key} is not an amount").into()),
        }
    };
    let n = |key: &str| -> Result<u64> {
        match &data.figures.require(key)?.value {
            eduaid::report::Value::Count { n, .. } => Ok(*n),
            _ => Err(format!("{key} is not a count").into()),
        }
    };
    let half = Decimal::new(5, 1);
    let per_meal_day = money("nutrition_daily")?
        .checked_mul_count(n("nutrition_days")?)
        .ok_or("nutrition standard overflows")?;
    Ok(vec![
        Relation::Sum {
            parts: [
                "students_preschool",
                "students_primary",
                "students_junior",
                "students_senior_stage",
            ]
            .map(s)
            .to_vec(),
            total: s("students_total"),
        },
        Relation::Sum {
            parts: vec![s("living_subsidy_primary"), s("living_subsidy_junior")],
            total: s("living_subsidy_students"),
        },
        Relation::Sum {
            parts: vec![s("senior_grant_tier1"), s("senior_grant_tier2")],
            total: s("senior_grant_students"),
        },
        Relation::Rate {
            rate: s("disabled_enrolment_rate"),
            numerator: s("disabled_in_school"),
            denominator: s("disabled_total"),
        },
        Relation::Rate {
            rate: s("migrant_share"),
            numerator: s("migrant_children"),
            denominator: s("urban_primary_pupils"),
        },
        Relation::Rate {
            rate: s("helper_coverage"),
            numerator: s("poor_students_with_helper"),
            denominator: s("poor_students_total"),
        },
        // A yearly standard paid for one term is half of it.
        Relation::Product {
            amount: s("preschool_aid_amount"),
            count: s("preschool_aid_students"),
            standard: money("preschool_aid_standard")?,
            share: half,
        },
        Relation::Product {
            amount: s("vocational_grant_amount"),
            count: s("vocational_grant_students"),
            standard: money("vocational_grant_standard")?,
            share: half,
        },
        Relation::Product {
            amount: s("nutrition_amount"),
            count: s("nutrition_students_first"),
            standard: per_meal_day,
            share: Decimal::ONE,
        },
        Relation::Product {
            amount: s("rain_dew_amount"),
            count: s("rain_dew_students"),
            standard: money("rain_dew_standard")?,
            share: Decimal::ONE,
        },
    ])
}

/// Append the validation summary as the second attachment.
fn push_validation_appendix(doc: &mut Document, validation: &Validation) {
    doc.push_appendix("附件2", "数据校核结果");
    doc.paragraph(vec![Inline::text(format!(
        "对报告所用数据之间的勾稽关系（分项与合计、比率与分子分母、金额与人数和标准）及报告正文逐句校核，{}。",
        validation.summary()
    ))]);
    doc.table(validation.table("数据校核明细"));
}

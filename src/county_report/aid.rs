//! 学生资助: the spring term's aid by program and stage, from the
//! engine's totals: living subsidy, nutrition plan, preschool aid, the
//! senior grant and its tiers, the vocational grant, the Rain-and-Dew
//! plan over two terms; the table and charts of every program.

use std::collections::BTreeMap;

use super::gather::{Gather, parameter, per};
use super::keys::Key;
use super::{County, Entitlements, Error};
use crate::eligibility::Totals;
use crate::model::{Money, ProgramCatalogue, Stage, Term};
use crate::report::value::Value;
use crate::report::{Chart, Figure, Inline, Series, Table};

/// A program paid per student at a yearly standard (学前教育资助,
/// 中职国家助学金): its standard, students and amount.
pub(super) struct Grant {
    /// The program id.
    pub(super) id: &'static str,
    /// The policy parameter of its yearly standard.
    pub(super) parameter: &'static str,
    /// The stage the standard is read for.
    pub(super) stage: Stage,
    /// Key and label of the standard, the students and the amount.
    pub(super) standard: (Key, &'static str),
    pub(super) students: (Key, &'static str),
    pub(super) amount: (Key, &'static str),
}

/// Add a [`Grant`]'s three figures.
pub(super) fn grant(g: &mut Gather<'_>, c: &County<'_>, totals: &Totals, grant: &Grant) -> Result<(), Error> {
    let Some(t) = g.program(totals, grant.id)? else {
        return Ok(());
    };
    let p = g.p();
    let (key, label) = grant.standard;
    let standard = parameter(c.engine, grant.parameter, grant.stage, c.spring.reference_date());
    let what = format!("政策参数 {}", grant.parameter);
    let src = p.engine(grant.id, &what, &format!("parameter {}", grant.parameter));
    g.add(standard.map(|m| Figure::money(key, label, m, src)))?;
    let (key, label) = grant.students;
    g.count(
        key,
        label,
        t.total.persons,
        "人",
        p.engine(grant.id, "测算：春季学期人数", "persons"),
    )?;
    let (key, label) = grant.amount;
    g.wan(
        key,
        label,
        t.total.amount,
        p.engine(grant.id, "测算：春季学期金额", "amount"),
    )
}

/// Aid of the spring term by program and stage.
pub(super) fn aid(g: &mut Gather<'_>, c: &County<'_>, e: &Entitlements) -> Result<(), Error> {
    living_subsidy(g, e)?;
    nutrition(g, c, e)?;
    let preschool = Grant {
        id: "preschool-aid",
        parameter: "preschool-aid.annual",
        stage: Stage::Preschool,
        standard: (Key::PreschoolAidStandard, "学前教育资助标准（每生每年）"),
        students: (Key::PreschoolAidStudents, "学前教育受助幼儿"),
        amount: (Key::PreschoolAidAmount, "学前教育资助资金"),
    };
    grant(g, c, &e.totals, &preschool)?;
    senior_grant(g, e)?;
    let vocational = Grant {
        id: "vocational-grant",
        parameter: "vocational-grant.annual",
        stage: Stage::Vocational,
        standard: (Key::VocationalGrantStandard, "中职国家助学金标准（每生每年）"),
        students: (Key::VocationalGrantStudents, "中职国家助学金受助学生"),
        amount: (Key::VocationalGrantAmount, "中职国家助学金"),
    };
    grant(g, c, &e.totals, &vocational)?;
    rain_and_dew(g, c, e)?;
    aid_tables(g, c.spring, &e.totals, &c.catalogue()?)
}

/// The living subsidy of compulsory education (义务教育生活补助): its
/// students, by stage, the standard per stage and the amount.
fn living_subsidy(g: &mut Gather<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(living) = g.program(&e.totals, "living-subsidy")? else {
        return Ok(());
    };
    let p = g.p();
    let src = |zh: &str, en: &str| p.engine("living-subsidy", zh, en);
    g.count(
        Key::LivingSubsidyStudents,
        "义务教育生活补助受助学生",
        living.total.persons,
        "人",
        src("测算：春季学期人数", "persons"),
    )?;
    let stages = [
        (
            Stage::Primary,
            Key::LivingSubsidyPrimary,
            "其中小学",
            Key::LivingSubsidyPrimaryStandard,
            "小学生活补助标准（每生每学期）",
        ),
        (
            Stage::Junior,
            Key::LivingSubsidyJunior,
            "其中初中",
            Key::LivingSubsidyJuniorStandard,
            "初中生活补助标准（每生每学期）",
        ),
    ];
    for (stage, key, label, ..) in stages {
        let n = living.by_stage.get(&stage).map_or(0, |t| t.persons);
        g.count(key, label, n, "人", src("测算：按学段人数", "persons by stage"))?;
    }
    for (stage, .., key, label) in stages {
        let t = living.by_stage.get(&stage).copied().unwrap_or_default();
        let src = src("测算：按学段金额÷人次", "amount ÷ person-terms by stage");
        g.add(per(t.amount, t.person_terms, label).map(|m| Figure::money(key, label, m, src)))?;
    }
    g.wan(
        Key::LivingSubsidyAmount,
        "义务教育生活补助资金",
        living.total.amount,
        src("测算：春季学期金额", "amount"),
    )?;
    Ok(())
}

/// The nutrition plan's first batch (营养膳食补助): the daily standard,
/// the days meals were served in the spring term, the amount, and what
/// students in school for part of the days were paid less.
fn nutrition(g: &mut Gather<'_>, c: &County<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(nutrition) = g.program(&e.totals, "nutrition")? else {
        return Ok(());
    };
    let p = g.p();
    let spring = c.spring;
    let on = spring.reference_date();
    let src = |zh: &str, en: &str| p.engine("nutrition", zh, en);
    let daily = parameter(c.engine, "nutrition.daily", Stage::Primary, on);
    let dsrc = src("政策参数 nutrition.daily", "parameter nutrition.daily");
    let daily_amount = daily.as_ref().ok().copied();
    g.add(daily.map(|d| Figure::money(Key::NutritionDaily, "营养膳食补助标准（每生每天）", d, dsrc)))?;
    let window = c.engine.policy().and_then(|p| p.calendar().window(spring));
    let start = match g.data.figures.get(Key::NutritionStartDate.as_str()).map(|f| &f.value) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    };
    match (window, start) {
        (Some(w), Some(start)) => g.count(
            Key::NutritionDays,
            "营养改善计划春季学期供餐天数",
            w.school_days(start, spring.last_day()),
            "天",
            src(
                &format!("政策校历：{start}起上课日"),
                "school days of the policy calendar from the first batch's start",
            ),
        )?,
        _ => g.add(Err(Error::NoCalendar { term: spring }))?,
    }
    g.wan(
        Key::NutritionAmount,
        "营养膳食补助资金（第一批）",
        nutrition.total.amount,
        src("测算：春季学期金额", "amount"),
    )?;
    // Students in school for only part of the days (joined or left
    // mid-term) are paid by their own days: then the amount is less than
    // students × days × daily, and the report says by how much.
    let count = |key: Key| match g.data.figures.get(key.as_str()).map(|f| &f.value) {
        Some(Value::Count { n, .. }) => Some(*n),
        _ => None,
    };
    let full = daily_amount
        .zip(count(Key::NutritionDays))
        .zip(count(Key::NutritionStudentsFirst))
        .and_then(|((d, days), n)| d.checked_mul_count(days)?.checked_mul_count(n));
    if let Some(full) = full.filter(|f| *f > nutrition.total.amount) {
        g.wan(
            Key::NutritionFullAmount,
            "营养膳食补助资金（按全部学生全勤测算）",
            full,
            src("测算：受益学生×供餐天数×每天标准", "students × days × daily"),
        )?;
        g.wan(
            Key::NutritionPartDaysReduction,
            "营养膳食补助资金（部分天数在校学生少发）",
            full - nutrition.total.amount,
            src("测算：全勤测算−春季学期金额", "full-attendance amount − amount"),
        )?;
    }
    Ok(())
}

/// The senior grant's students, its two tiers and amount.
pub(super) fn senior_grant(g: &mut Gather<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(senior) = g.program(&e.totals, "senior-grant")? else {
        return Ok(());
    };
    let p = g.p();
    let src = |zh: &str, en: &str| p.engine("senior-grant", zh, en);
    let tiers: Vec<u64> = e.senior_grant_tiers.values().rev().copied().collect();
    for (key, label, n, source) in [
        (
            Key::SeniorGrantStudents,
            "普通高中国家助学金受助学生",
            senior.total.persons,
            src("测算：春季学期人数", "persons"),
        ),
        (
            Key::SeniorGrantTier1,
            "其中一档",
            tiers.first().copied().unwrap_or(0),
            src("测算：按较高标准的人数", "entitlements at the highest amount"),
        ),
        (
            Key::SeniorGrantTier2,
            "其中二档",
            tiers.iter().skip(1).sum(),
            src("测算：按较低标准的人数", "entitlements at the lower amounts"),
        ),
    ] {
        g.count(key, label, n, "人", source)?;
    }
    g.wan(
        Key::SeniorGrantAmount,
        "普通高中国家助学金",
        senior.total.amount,
        src("测算：春季学期金额", "amount"),
    )
}

/// The Rain-and-Dew plan over the school year's two terms.
pub(super) fn rain_and_dew(g: &mut Gather<'_>, c: &County<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(rd) = g.program(&e.two_terms, "rain-and-dew")? else {
        return Ok(());
    };
    let p = g.p();
    let src = |zh: &str, en: &str| p.engine("rain-and-dew", zh, en);
    let spring = c.spring;
    let autumn = spring.prev().unwrap_or(spring);
    for (term, key, label) in [
        (autumn, Key::RainDewAutumnStandard, "雨露计划秋季学期标准"),
        (spring, Key::RainDewSpringStandard, "雨露计划春季学期标准"),
    ] {
        let m = parameter(
            c.engine,
            "rain-and-dew.per-term",
            Stage::Vocational,
            term.reference_date(),
        );
        let source = src("政策参数 rain-and-dew.per-term", "parameter rain-and-dew.per-term");
        g.add(m.map(|m| Figure::money(key, label, m, source)))?;
    }
    let standard = per(rd.total.amount, rd.total.persons, "rain-and-dew amount per student");
    let source = src("测算：两学期金额÷人数", "amount ÷ persons over the two terms");
    g.add(standard.map(|m| Figure::money(Key::RainDewStandard, "雨露计划补助标准（每人两学期）", m, source)))?;
    g.count(
        Key::RainDewStudents,
        "雨露计划受助学生",
        rd.total.persons,
        "人",
        src("测算：两学期人数", "persons"),
    )?;
    g.count(
        Key::RainDewPersonTerms,
        "雨露计划受助人次",
        rd.total.person_terms,
        "人次",
        src("测算：两学期人次", "person-terms"),
    )?;
    g.wan(
        Key::RainDewAmount,
        "雨露计划补助资金",
        rd.total.amount,
        src("测算：两学期金额", "amount"),
    )
}

/// The table of every program owed in the term, and the charts by program
/// and by stage.
/// The charts name a program by its short name in the policy's catalogue
/// (`short` in the policy file: 生活补助, 营养餐), else its Chinese name.
pub(super) fn aid_tables(
    g: &mut Gather<'_>,
    spring: Term,
    totals: &Totals,
    programs: &ProgramCatalogue,
) -> Result<(), Error> {
    let term = spring.to_chinese();
    let mut t = Table::new(
        format!("{term}各项学生资助情况"),
        &["资助项目", "学段", "受助学生（人）", "人次", "资金（万元）"],
    );
    let mut names = Vec::new();
    let mut amounts = Vec::new();
    let mut by_stage: BTreeMap<Stage, Money> = BTreeMap::new();
    for program in totals
        .programs
        .iter()
        .filter(|p| p.benefit.is_owed() && p.total.persons > 0)
    {
        let stages: Vec<&str> = program.by_stage.keys().map(|s| s.chinese()).collect();
        let row = t.push_row(vec![
            Inline::text(program.name.clone()),
            Inline::text(stages.join("、")),
            Inline::text(program.total.persons.to_string()),
            Inline::text(program.total.person_terms.to_string()),
            Inline::text(program.total.amount.wan_yuan().normalize().to_string()),
        ]);
        if let Err(e) = row {
            g.add(Err(e.into()))?;
        }
        let short = programs.short(&program.id);
        names.push(short.map_or_else(|| program.name.clone(), str::to_string));
        amounts.push(program.total.amount.wan_yuan());
        for (s, tally) in &program.by_stage {
            *by_stage.entry(*s).or_default() += tally.amount;
        }
    }
    g.data.table(
        "aid_by_program",
        t.with_note("资金为应发金额，按政策标准逐人计算，未舍入；人次为受助学生与学期的组合数。"),
    );
    let stage_names: Vec<String> = by_stage.keys().map(|s| s.chinese().to_string()).collect();
    let stage_amounts = by_stage.values().map(|m| m.wan_yuan()).collect();
    for (key, what, categories, values) in [
        ("aid_by_program", "各项目", names, amounts),
        ("aid_by_stage", "各学段", stage_names, stage_amounts),
    ] {
        let cats: Vec<&str> = categories.iter().map(String::as_str).collect();
        let series = vec![Series {
            name: "资助资金".into(),
            values,
        }];
        g.data.chart(
            key,
            Chart::bar(format!("{term}{what}资助资金"), "万元", &cats, series).with_label_dp(2),
        );
    }
    Ok(())
}

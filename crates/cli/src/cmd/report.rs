//! `eduaid report`: the county work report (工作报告) from the user's own
//! files. Entitlements and the reconciliation come from the eligibility
//! engine, retention, enrolment and class sizes from the statistics crate;
//! every figure goes into the template typed, and the result is checked by
//! the validator before it is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use anyhow::Context as _;
use eduaid_eligibility::{Engine, FindingKind, Reconciliation, Row, Scope, Totals, reconcile};
use eduaid_model::{
    Decimal, Household, Locality, MemoryRoster, Money, NaiveDate, Ownership, SchoolKind, SchoolYear, Stage, Term,
};
use eduaid_report::{
    Block, Chart, DocxRenderer, Figure, HtmlRenderer, Inline, MarkdownRenderer, Rate, Relation, Renderer, ReportData,
    Series, Source, Table, Template, Validation, render, to_text, validate_figures, validate_text,
};
use eduaid_stats::{
    ClassFilter, ClassSizes, RetentionKind, RetentionOptions, SizeBand, StudentFilter, StudentTrait, class_size_series,
    disabled_enrolment_rate, retention, student_share,
};

use crate::cli::{ReportArgs, ReportFormat};
use crate::cmd::stats::{DISABLED_ENROLMENT_STANDARD, JUNIOR_RETENTION_STANDARD};
use crate::common::{Ctx, Status};
use crate::inputs::{self, CountPaths};
use crate::{policy, progress};

/// The national first-year class caps from autumn 2017 (小学 ≤ 50, 初中 ≤ 55),
/// the defaults of `class_cap_primary` and `class_cap_junior`.
const CLASS_CAPS: [(Stage, &str, i64); 2] = [
    (Stage::Primary, "class_cap_primary", 50),
    (Stage::Junior, "class_cap_junior", 55),
];

/// Figures being gathered: a figure that cannot be computed from the
/// user's data is reported and left out (a template that needs it then
/// fails naming its line), never invented.
struct Gather<'a> {
    data: ReportData,
    ctx: &'a Ctx,
    missing: Vec<String>,
    file: String,
}

impl Gather<'_> {
    /// Add a figure, or note why it could not be.
    fn add(&mut self, f: anyhow::Result<Figure>) {
        match f.and_then(|f| self.data.figure(f).map(|_| ()).map_err(Into::into)) {
            Ok(()) => {}
            Err(e) => {
                self.ctx
                    .warn(&format!("{}: {e:#}", self.ctx.t("figure left out", "未生成数据项")));
                self.missing.push(e.to_string());
            }
        }
    }

    fn source(&self, indicator: &str) -> Source {
        Source::indicator(indicator).with_file(self.file.clone())
    }

    fn program(&self, program: &str, what: &str) -> Source {
        Source::program(program)
            .with_indicator(format!("eligibility: {what}"))
            .with_file(self.file.clone())
    }
}

fn count(key: &str, label: &str, n: u64, unit: &str, source: Source) -> anyhow::Result<Figure> {
    Ok(Figure::count(key, label, n, unit, source))
}

fn rate(key: &str, label: &str, numerator: i128, denominator: i128, dp: u32, source: Source) -> anyhow::Result<Figure> {
    let r = u64::try_from(numerator)
        .ok()
        .zip(u64::try_from(denominator).ok())
        .with_context(|| format!("{key}: negative count {numerator} / {denominator}"))?;
    let r = Rate::new(r.0, r.1, dp).with_context(|| format!("{key} ({label})"))?;
    Ok(Figure::rate(key, label, r, source))
}

fn wan(key: &str, label: &str, amount: Money, source: Source) -> anyhow::Result<Figure> {
    Ok(Figure::money(key, label, amount, source).in_wan_yuan())
}

/// Today's date (UTC), from the system clock.
fn today() -> NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    epoch.checked_add_days(chrono::Days::new(days)).unwrap_or(epoch)
}

/// Run the command.
#[allow(clippy::too_many_lines)]
pub(crate) fn run(args: &ReportArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    for s in &args.set {
        let (k, v) = s
            .split_once('=')
            .with_context(|| format!("--set {s:?}: expected KEY=VALUE"))?;
        settings.insert(k.trim().to_string(), v.trim().to_string());
    }
    let template = match &args.template {
        Some(p) => Template::from_file(p)?,
        None => Template::default_report(),
    };
    let engine = policy::engine(&args.policy)?;
    let loaded = inputs::load_roster(&args.data, ctx)?;
    let mut rejected = loaded.rejected;
    let paths = CountPaths::of(&args.counts, args.data.data.as_ref());
    let (counts, r) = inputs::load_counts(&paths, ctx)?;
    rejected += r;
    let disb_path = inputs::pick(args.disbursements.as_ref(), args.data.data.as_ref(), "disbursements");
    let disbursements = match &disb_path {
        Some(p) => {
            let (d, r) = inputs::load_disbursements(p, ctx)?;
            rejected += r;
            Some(d)
        }
        None => {
            ctx.warn(ctx.t(
                "no disbursements file: the reconciliation figures are left out",
                "未给出资金发放文件：不生成核对数据",
            ));
            None
        }
    };
    let spring = args.term;
    let autumn = spring.prev().context("the term has no previous term")?;
    let roster = &loaded.roster;
    let bar = progress::bar(
        u64::try_from(roster.students().len()).unwrap_or(0).saturating_mul(4),
        ctx.t("computing", "计算中"),
        ctx,
    );
    let ticking = progress::Ticking {
        inner: roster,
        bar: &bar,
    };
    let totals = engine.totals(&ticking, &[spring])?;
    let two_terms = engine.totals(&ticking, &[autumn, spring])?;
    let mut tiers: BTreeMap<Decimal, u64> = BTreeMap::new();
    let mut tally = |row: &Row<'_>| {
        if row.program.id.as_str() == "senior-grant" {
            *tiers.entry(row.amount).or_default() += 1;
        }
    };
    engine.run(&ticking, &[spring], false, Some(&mut tally))?;
    let recon = match &disbursements {
        Some(d) => Some(reconcile(&engine, &ticking, d, &Scope::of(d))?),
        None => None,
    };
    bar.finish_and_clear();

    let file = args
        .data
        .data
        .as_ref()
        .map_or_else(|| "user files".to_string(), |d| d.display().to_string());
    let mut g = Gather {
        data: ReportData::new(),
        ctx,
        missing: Vec::new(),
        file,
    };
    words(&mut g, args, &settings, roster, spring)?;
    enrolment(&mut g, roster, &counts, spring);
    statistics(&mut g, roster, &counts, spring, &settings);
    aid(&mut g, &engine, spring, &totals, &two_terms, &tiers);
    if let Some(recon) = &recon {
        reconciliation(&mut g, recon);
    }
    // Settings the computed figures did not take: dates become date figures,
    // anything else a word.
    for (k, v) in &settings {
        if g.data.figures.get(k).is_some() || g.data.vars.contains_key(k) {
            continue;
        }
        match NaiveDate::from_str(v) {
            Ok(d) => g.add(Ok(Figure::date(
                k.clone(),
                k.clone(),
                d,
                Source::indicator("--set (input)"),
            ))),
            Err(_) => {
                g.data.var(k, v.clone())?;
            }
        }
    }

    let mut doc = template.render(&g.data).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n{}",
            ctx.t(
                "hint: give a missing word or date with --set NAME=VALUE, or edit the template (--template FILE)",
                "提示：缺少的文字或日期可用 --set NAME=VALUE 给出，或修改模板（--template FILE）",
            )
        )
    })?;
    let mut validation = validate_figures(&g.data.figures, &relations(&g.data))?;
    validation.extend(validate_text(&to_text(&doc)?));
    doc.push_data_appendix("附件1　报告所用数据及来源");
    push_validation_appendix(&mut doc.blocks, &validation);

    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    let mut formats = args.format.clone();
    formats.dedup();
    let mut written = Vec::new();
    for f in formats {
        let (name, bytes, notes) = match f {
            ReportFormat::Docx => {
                let mut r = DocxRenderer::new();
                let bytes = render(&doc, &mut r)?;
                ("county_report.docx", bytes, r.warnings())
            }
            ReportFormat::Html => (
                "county_report.html",
                render(&doc, &mut HtmlRenderer::new())?,
                Vec::new(),
            ),
            ReportFormat::Md => (
                "county_report.md",
                render(&doc, &mut MarkdownRenderer::new())?,
                Vec::new(),
            ),
        };
        for n in notes {
            ctx.info(&format!("{}: {n}", ctx.t("note", "说明")));
        }
        let path = args.out.join(name);
        std::fs::write(&path, &bytes).with_context(|| path.display().to_string())?;
        written.push((path, bytes.len()));
    }
    if ctx.json {
        let files: Vec<String> = written.iter().map(|(p, _)| p.display().to_string()).collect();
        ctx.print_json(&serde_json::json!({
            "files": files,
            "figures": doc.figures_used().len(),
            "consistent": validation.is_consistent(),
            "validation": validation,
            "left_out": g.missing,
        }))?;
    } else {
        for (p, n) in &written {
            outln!("{} {} ({n} bytes)", ctx.t("wrote", "已写入"), p.display());
        }
        outln!(
            "{}：{} {}；{}",
            g.data
                .vars
                .get("county")
                .and_then(|v| match v {
                    eduaid_report::Var::Text(t) => Some(t.clone()),
                    eduaid_report::Var::List(_) => None,
                })
                .unwrap_or_default(),
            doc.figures_used().len(),
            ctx.t("figures", "项数据"),
            validation.summary()
        );
        for f in validation.findings() {
            outln!("  {}: {} — {}", ctx.t("finding", "问题"), f.location, f.message);
        }
    }
    Ok(Status::findings_if(!validation.is_consistent()).max(Status::bad_if(rejected)))
}

/// The report's words: county, bureau, period, urban district, dates.
fn words(
    g: &mut Gather<'_>,
    args: &ReportArgs,
    settings: &BTreeMap<String, String>,
    roster: &MemoryRoster,
    spring: Term,
) -> anyhow::Result<()> {
    let county = settings.get("county").cloned().unwrap_or_else(|| args.county.clone());
    g.data.var("county", county.clone())?;
    g.data.var(
        "bureau",
        settings
            .get("bureau")
            .cloned()
            .unwrap_or_else(|| format!("{county}教育局")),
    )?;
    g.data.var("school_year", spring.year.to_chinese())?;
    g.data.var("spring_term", spring.to_chinese())?;
    g.data.var("urban_district", urban_district(roster, settings))?;
    let years: Vec<String> = (0..3)
        .rev()
        .filter_map(|k| spring.year.offset(-k))
        .map(SchoolYear::to_chinese)
        .collect();
    g.data.list("retention_years", years)?;
    let report_date = match settings.get("report_date") {
        Some(s) => NaiveDate::from_str(s)
            .with_context(|| format!("--set report_date={s}: expected a date such as 2017-09-30"))?,
        None => today(),
    };
    g.add(Ok(Figure::date(
        "report_date",
        "报告日期",
        report_date,
        Source::indicator("report settings (input)"),
    )));
    Ok(())
}

/// The urban district: as set, else the township of the urban schools with
/// the most students, else 城区.
fn urban_district(roster: &MemoryRoster, settings: &BTreeMap<String, String>) -> String {
    if let Some(u) = settings.get("urban_district") {
        return u.clone();
    }
    let urban: HashMap<_, &str> = roster
        .schools()
        .filter(|s| s.locality == Locality::Urban)
        .map(|s| (&s.id, s.township.as_str()))
        .collect();
    let mut n: BTreeMap<&str, u64> = BTreeMap::new();
    for s in roster.students() {
        if let Some(t) = urban.get(&s.school_id) {
            *n.entry(*t).or_default() += 1;
        }
    }
    n.into_iter()
        .max_by_key(|(_, c)| *c)
        .map_or_else(|| "城区".to_string(), |(t, _)| t.to_string())
}

/// Students in school on the term's reference date by stage, the
/// registered-poor and their helpers, teachers.
fn enrolment(g: &mut Gather<'_>, roster: &MemoryRoster, counts: &eduaid_model::Counts, spring: Term) {
    let on = spring.reference_date();
    let homes: HashMap<_, &Household> = roster.households().map(|h| (&h.id, h)).collect();
    let mut by_stage: BTreeMap<Stage, u64> = BTreeMap::new();
    let (mut poor, mut helped) = (0u64, 0u64);
    for s in roster.students().iter().filter(|s| s.in_school_on(on)) {
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
    let src = g.source(&format!("students in school on {on}, by stage"));
    for (key, label, v) in [
        ("students_preschool", "在园幼儿", n(Stage::Preschool)),
        ("students_primary", "小学在校生", n(Stage::Primary)),
        ("students_junior", "初中在校生", n(Stage::Junior)),
        (
            "students_senior_stage",
            "高中阶段在校生（普通高中和中职）",
            n(Stage::Senior) + n(Stage::Vocational),
        ),
    ] {
        g.add(count(key, label, v, "人", src.clone()));
    }
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
    g.add(count("students_total", "在校学生总计", total, "人", src));
    let psrc = g.source(&format!(
        "students in school on {on} whose household is registered poor"
    ));
    g.add(count(
        "poor_students_total",
        "建档立卡在校学生",
        poor,
        "人",
        psrc.clone(),
    ));
    g.add(count(
        "poor_students_with_helper",
        "已落实帮扶责任人的建档立卡学生",
        helped,
        "人",
        psrc.clone(),
    ));
    g.add(rate(
        "helper_coverage",
        "帮扶责任人覆盖率",
        i128::from(helped),
        i128::from(poor),
        2,
        psrc,
    ));
    let year = spring.year;
    let teachers: u64 = counts
        .teachers
        .iter()
        .filter(|t| t.year == year)
        .map(|t| t.teachers)
        .sum();
    if counts.teachers.iter().any(|t| t.year == year) {
        let src = g.source(&format!("teachers {year}"));
        g.add(count(
            "teachers_total",
            &format!("专任教师（{}）", year.to_chinese()),
            teachers,
            "人",
            src,
        ));
    }
}

/// A setting given as a number, or its default.
fn setting_number(settings: &BTreeMap<String, String>, key: &str, default: i64) -> anyhow::Result<Decimal> {
    match settings.get(key) {
        Some(v) => Decimal::from_str(v).with_context(|| format!("--set {key}={v}: expected a number")),
        None => Ok(Decimal::from(default)),
    }
}

/// Retention, disabled children, migrants, class sizes, rural schools and
/// the nutrition plan's batches.
#[allow(clippy::too_many_lines)]
fn statistics(
    g: &mut Gather<'_>,
    roster: &MemoryRoster,
    counts: &eduaid_model::Counts,
    spring: Term,
    settings: &BTreeMap<String, String>,
) {
    let year = spring.year;
    let mut primary = Vec::new();
    let mut junior = Vec::new();
    let mut labels = Vec::new();
    for (i, k) in (0..3).rev().enumerate() {
        let Some(y) = year.offset(-k) else { continue };
        labels.push(y.to_string());
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
            let r = retention(counts, kind, y, RetentionOptions::transfer_adjusted());
            let f = rate(
                &format!("{key}_y{}", i + 1),
                &format!("{label}（{}）", y.to_chinese()),
                r.rate.numerator(),
                r.rate.denominator(),
                2,
                g.source("stats: retention, graduates ÷ (intake + transfers in − transfers out)"),
            );
            if let Ok(Figure {
                value: eduaid_report::Value::Rate(rt),
                ..
            }) = &f
            {
                out.push(rt.percent());
            }
            g.add(f);
        }
    }
    let standard = |key: &str, default: i64| setting_number(settings, key, default);
    let junior_standard = standard("retention_junior_standard", JUNIOR_RETENTION_STANDARD);
    let disabled_standard = standard("disabled_standard", DISABLED_ENROLMENT_STANDARD);
    let input = || Source::indicator("provincial standard (input)");
    g.add(
        junior_standard
            .as_ref()
            .map(|v| {
                Figure::number(
                    "retention_junior_standard",
                    "初中三年巩固率省颁标准",
                    *v,
                    None,
                    "%",
                    input(),
                )
            })
            .map_err(|e| anyhow::anyhow!("{e:#}")),
    );
    if primary.len() == labels.len() && junior.len() == labels.len() {
        let cats: Vec<&str> = labels.iter().map(String::as_str).collect();
        let mut chart = Chart::line(
            "近三年小学六年、初中三年巩固率",
            "%",
            &cats,
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
        );
        if let Ok(v) = &junior_standard {
            chart = chart.with_threshold("初中省颁标准", *v);
        }
        g.data.chart("retention", chart);
    }

    let disabled = disabled_enrolment_rate(counts, year, 6..=14, true);
    let dsrc = g.source(&format!("stats: disabled children aged 6-14, three kinds, {year}"));
    g.add(
        u64::try_from(disabled.denominator())
            .map_err(Into::into)
            .and_then(|n| count("disabled_total", "6—14岁三类残疾儿童", n, "人", dsrc.clone())),
    );
    g.add(
        u64::try_from(disabled.numerator())
            .map_err(Into::into)
            .and_then(|n| count("disabled_in_school", "其中在校", n, "人", dsrc.clone())),
    );
    g.add(rate(
        "disabled_enrolment_rate",
        "三类残疾儿童入学率",
        disabled.numerator(),
        disabled.denominator(),
        1,
        dsrc,
    ));
    g.add(
        disabled_standard
            .map(|v| Figure::number("disabled_standard", "三类残疾儿童入学率省颁标准", v, None, "%", input())),
    );

    let urban = urban_district(roster, settings);
    let on = spring.reference_date();
    let msrc = g.source(&format!("stats: migrant share of {urban}'s primary pupils, {on}"));
    match student_share(
        roster,
        &StudentFilter::stage(Stage::Primary).in_township(urban),
        on,
        StudentTrait::Migrant,
    ) {
        Ok(share) => {
            g.add(
                u64::try_from(share.numerator())
                    .map_err(Into::into)
                    .and_then(|n| count("migrant_children", "城区随迁子女", n, "人", msrc.clone())),
            );
            g.add(
                u64::try_from(share.denominator())
                    .map_err(Into::into)
                    .and_then(|n| count("urban_primary_pupils", "城区小学在校生", n, "人", msrc.clone())),
            );
            g.add(rate(
                "migrant_share",
                "随迁子女占城区小学在校生比例",
                share.numerator(),
                share.denominator(),
                2,
                msrc,
            ));
        }
        Err(e) => g.add(Err(e.into())),
    }

    class_sizes(g, roster, year, settings);

    let teaches_compulsory = |k: SchoolKind| k.teaches(Stage::Primary) || k.teaches(Stage::Junior);
    let rural = roster
        .schools()
        .filter(|s| s.locality == Locality::Rural && teaches_compulsory(s.kind))
        .count();
    let src = g.source("schools: rural, teaching primary or junior");
    g.add(count(
        "rural_schools",
        "农村义务教育学校和教学点",
        u64::try_from(rural).unwrap_or(0),
        "所",
        src,
    ));

    // The nutrition plan's batches: the dates schools joined, first and last.
    let dates: BTreeSet<NaiveDate> = roster.schools().filter_map(|s| s.nutrition_plan_from).collect();
    let (Some(first_day), Some(second_day)) = (dates.first().copied(), dates.last().copied()) else {
        g.add(Err(anyhow::anyhow!(
            "no school has joined the nutrition plan (schools.nutrition_plan_from)"
        )));
        return;
    };
    let in_plan = |d: NaiveDate| -> BTreeSet<&eduaid_model::SchoolId> {
        roster
            .schools()
            .filter(|s| s.in_nutrition_plan_on(d))
            .map(|s| &s.id)
            .collect()
    };
    let first = in_plan(first_day);
    let second = in_plan(second_day);
    let first_students = roster
        .students()
        .iter()
        .filter(|s| first.contains(&s.school_id) && s.in_school_on(first_day))
        .count();
    let second_year = SchoolYear::containing(second_day);
    let from_counts: u64 = counts
        .grades
        .iter()
        .filter(|c| c.year == second_year && second.contains(&c.school_id))
        .map(|c| c.enrolled)
        .sum();
    let (second_students, second_how) = if counts.grades.iter().any(|c| c.year == second_year) {
        (from_counts, format!("{second_year} grade counts of those schools"))
    } else {
        let n = roster
            .students()
            .iter()
            .filter(|s| second.contains(&s.school_id) && s.in_school_on(second_day))
            .count();
        (
            u64::try_from(n).unwrap_or(0),
            format!("students in school at those schools on {second_day}"),
        )
    };
    let nsrc = |what: &str| Source::program("nutrition").with_indicator(what.to_string());
    g.add(Ok(Figure::date(
        "nutrition_start_date",
        "营养改善计划第一批启动日期",
        first_day,
        nsrc("schools.nutrition_plan_from"),
    )));
    g.add(Ok(Figure::date(
        "nutrition_second_date",
        "营养改善计划第二批启动日期",
        second_day,
        nsrc("schools.nutrition_plan_from"),
    )));
    g.add(count(
        "nutrition_schools_first",
        "营养改善计划第一批学校",
        u64::try_from(first.len()).unwrap_or(0),
        "所",
        nsrc(&format!("schools in the plan on {first_day}")),
    ));
    g.add(count(
        "nutrition_students_first",
        "营养改善计划第一批受益学生",
        u64::try_from(first_students).unwrap_or(0),
        "人",
        nsrc(&format!("students in school at those schools on {first_day}")),
    ));
    g.add(count(
        "nutrition_schools_second",
        "营养改善计划第二批学校",
        u64::try_from(second.len()).unwrap_or(0),
        "所",
        nsrc(&format!("schools in the plan on {second_day}")),
    ));
    g.add(count(
        "nutrition_students_second",
        "营养改善计划第二批受益学生",
        second_students,
        "人",
        nsrc(&second_how),
    ));
}

/// Class sizes of the public urban primaries in the report's year and the
/// latest year the classes file has, and the first-year caps.
fn class_sizes(g: &mut Gather<'_>, roster: &MemoryRoster, year: SchoolYear, settings: &BTreeMap<String, String>) {
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series(roster.schools(), &filter);
    let latest = series.years().into_iter().filter(|y| *y >= year).max();
    let (Some(before), Some(after)) = (series.get(year), latest.and_then(|y| series.get(y))) else {
        g.add(Err(anyhow::anyhow!(
            "no classes of the public urban primaries in {year}: give a classes file (--classes)"
        )));
        return;
    };
    let csrc =
        |c: &ClassSizes| Source::indicator(format!("stats: class sizes of the public urban primaries, {}", c.year));
    g.add(count(
        "urban_classes_before",
        &format!("城区公办小学班级数（{}）", before.year.to_chinese()),
        before.classes,
        "个班",
        csrc(before),
    ));
    g.add(count(
        "urban_classes_after",
        &format!("城区公办小学班级数（{}）", after.year.to_chinese()),
        after.classes,
        "个班",
        csrc(after),
    ));
    g.add(count(
        "urban_public_pupils",
        "城区公办小学在校生",
        before.pupils,
        "人",
        csrc(before),
    ));
    let avg = |c: &ClassSizes| {
        Decimal::from(c.pupils)
            .checked_div(Decimal::from(c.classes.max(1)))
            .unwrap_or_default()
    };
    for (key, c) in [("class_size_before", before), ("class_size_after", after)] {
        g.add(Ok(Figure::number(
            key,
            format!("平均班额（{}）", c.year.to_chinese()),
            avg(c),
            Some(1),
            "人",
            csrc(c),
        )));
    }
    for (_, key, default) in CLASS_CAPS {
        let v = setting_number(settings, key, default).and_then(|d| {
            u64::try_from(d).map_err(|_| anyhow::anyhow!("--set {key}: expected a whole number of pupils"))
        });
        let label = if key == "class_cap_primary" {
            "小学起始年级班额上限"
        } else {
            "初中起始年级班额上限"
        };
        g.add(v.and_then(|n| count(key, label, n, "人", Source::indicator("class-size cap (policy input)"))));
    }
    let band =
        |c: &ClassSizes, b: SizeBand| Decimal::from(c.bands.iter().find(|x| x.band == b).map_or(0, |x| x.classes));
    let bands = [
        SizeBand::Normal,
        SizeBand::Above45,
        SizeBand::Large,
        SizeBand::SuperLarge,
    ];
    g.data.chart(
        "class_sizes",
        Chart::bar(
            "城区公办小学班额分布",
            "个班",
            &["45人及以下", "46—55人", "大班额56—65人", "超大班额66人及以上"],
            vec![
                Series {
                    name: before.year.to_chinese(),
                    values: bands.iter().map(|b| band(before, *b)).collect(),
                },
                Series {
                    name: after.year.to_chinese(),
                    values: bands.iter().map(|b| band(after, *b)).collect(),
                },
            ],
        ),
    );
}

/// A policy parameter's value for `stage` on `on`.
fn parameter(engine: &Engine, name: &str, stage: Stage, on: NaiveDate) -> anyhow::Result<Money> {
    engine
        .policy()
        .and_then(|p| p.parameter(name))
        .and_then(|p| p.at(on))
        .and_then(|v| v.value.for_stage(stage))
        .with_context(|| format!("no value of {name} for {stage} on {on} in the policy"))
}

/// Aid of the spring term by program and stage.
#[allow(clippy::too_many_lines)]
fn aid(
    g: &mut Gather<'_>,
    engine: &Engine,
    spring: Term,
    totals: &Totals,
    two_terms: &Totals,
    tiers: &BTreeMap<Decimal, u64>,
) {
    let on = spring.reference_date();
    let by = |p: &eduaid_eligibility::ProgramTotals, s: Stage| p.by_stage.get(&s).map_or(0, |t| t.persons);
    if let Some(living) = totals.program("living-subsidy") {
        g.add(count(
            "living_subsidy_students",
            "义务教育生活补助受助学生",
            living.total.persons,
            "人",
            g.program("living-subsidy", "persons"),
        ));
        g.add(count(
            "living_subsidy_primary",
            "其中小学",
            by(living, Stage::Primary),
            "人",
            g.program("living-subsidy", "persons by stage"),
        ));
        g.add(count(
            "living_subsidy_junior",
            "其中初中",
            by(living, Stage::Junior),
            "人",
            g.program("living-subsidy", "persons by stage"),
        ));
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
                .map_err(|e| anyhow::anyhow!("{label}: {e}"));
            g.add(per.map(|m| {
                Figure::money(
                    key,
                    label,
                    m,
                    g.program("living-subsidy", "amount ÷ person-terms by stage"),
                )
            }));
        }
        g.add(wan(
            "living_subsidy_amount",
            "义务教育生活补助资金",
            living.total.amount,
            g.program("living-subsidy", "amount"),
        ));
    }
    if let Some(nutrition) = totals.program("nutrition") {
        let daily = parameter(engine, "nutrition.daily", Stage::Primary, on);
        let window = engine.policy().and_then(|p| p.calendar().window(spring));
        g.add(daily.map(|d| {
            Figure::money(
                "nutrition_daily",
                "营养膳食补助标准（每生每天）",
                d,
                g.program("nutrition", "parameter nutrition.daily"),
            )
        }));
        let start = g.data.figures.get("nutrition_start_date").and_then(|f| match f.value {
            eduaid_report::Value::Date(d) => Some(d),
            _ => None,
        });
        match (window, start) {
            (Some(w), Some(start)) => g.add(count(
                "nutrition_days",
                "营养改善计划春季学期供餐天数",
                w.school_days(start, spring.last_day()),
                "天",
                g.program(
                    "nutrition",
                    "school days of the policy calendar from the first batch's start",
                ),
            )),
            _ => g.add(Err(anyhow::anyhow!(
                "nutrition_days: the policy sets no school-day calendar for {spring}, or no school joined the plan"
            ))),
        }
        g.add(wan(
            "nutrition_amount",
            "营养膳食补助资金（第一批）",
            nutrition.total.amount,
            g.program("nutrition", "amount"),
        ));
    }
    if let Some(pre) = totals.program("preschool-aid") {
        g.add(
            parameter(engine, "preschool-aid.annual", Stage::Preschool, on).map(|m| {
                Figure::money(
                    "preschool_aid_standard",
                    "学前教育资助标准（每生每年）",
                    m,
                    g.program("preschool-aid", "parameter preschool-aid.annual"),
                )
            }),
        );
        g.add(count(
            "preschool_aid_students",
            "学前教育受助幼儿",
            pre.total.persons,
            "人",
            g.program("preschool-aid", "persons"),
        ));
        g.add(wan(
            "preschool_aid_amount",
            "学前教育资助资金",
            pre.total.amount,
            g.program("preschool-aid", "amount"),
        ));
    }
    if let Some(senior) = totals.program("senior-grant") {
        let tier_counts: Vec<u64> = tiers.values().rev().copied().collect();
        g.add(count(
            "senior_grant_students",
            "普通高中国家助学金受助学生",
            senior.total.persons,
            "人",
            g.program("senior-grant", "persons"),
        ));
        g.add(count(
            "senior_grant_tier1",
            "其中一档",
            tier_counts.first().copied().unwrap_or(0),
            "人",
            g.program("senior-grant", "entitlements at the highest amount"),
        ));
        g.add(count(
            "senior_grant_tier2",
            "其中二档",
            tier_counts.iter().skip(1).sum(),
            "人",
            g.program("senior-grant", "entitlements at the lower amounts"),
        ));
        g.add(wan(
            "senior_grant_amount",
            "普通高中国家助学金",
            senior.total.amount,
            g.program("senior-grant", "amount"),
        ));
    }
    if let Some(voc) = totals.program("vocational-grant") {
        g.add(
            parameter(engine, "vocational-grant.annual", Stage::Vocational, on).map(|m| {
                Figure::money(
                    "vocational_grant_standard",
                    "中职国家助学金标准（每生每年）",
                    m,
                    g.program("vocational-grant", "parameter vocational-grant.annual"),
                )
            }),
        );
        g.add(count(
            "vocational_grant_students",
            "中职国家助学金受助学生",
            voc.total.persons,
            "人",
            g.program("vocational-grant", "persons"),
        ));
        g.add(wan(
            "vocational_grant_amount",
            "中职国家助学金",
            voc.total.amount,
            g.program("vocational-grant", "amount"),
        ));
    }
    if let Some(rd) = two_terms.program("rain-and-dew") {
        let autumn = spring.prev().unwrap_or(spring);
        for (term, key, label) in [
            (autumn, "rain_dew_autumn_standard", "雨露计划秋季学期标准"),
            (spring, "rain_dew_spring_standard", "雨露计划春季学期标准"),
        ] {
            g.add(
                parameter(
                    engine,
                    "rain-and-dew.per-term",
                    Stage::Vocational,
                    term.reference_date(),
                )
                .map(|m| {
                    Figure::money(
                        key,
                        label,
                        m,
                        g.program("rain-and-dew", "parameter rain-and-dew.per-term"),
                    )
                }),
            );
        }
        let per = rd
            .total
            .amount
            .checked_div_exact(rd.total.persons.max(1))
            .map_err(|e| anyhow::anyhow!("rain-and-dew amount per student: {e}"));
        g.add(per.map(|m| {
            Figure::money(
                "rain_dew_standard",
                "雨露计划补助标准（每人两学期）",
                m,
                g.program("rain-and-dew", "amount ÷ persons over the two terms"),
            )
        }));
        g.add(count(
            "rain_dew_students",
            "雨露计划受助学生",
            rd.total.persons,
            "人",
            g.program("rain-and-dew", "persons"),
        ));
        g.add(count(
            "rain_dew_person_terms",
            "雨露计划受助人次",
            rd.total.person_terms,
            "人次",
            g.program("rain-and-dew", "person-terms"),
        ));
        g.add(wan(
            "rain_dew_amount",
            "雨露计划补助资金",
            rd.total.amount,
            g.program("rain-and-dew", "amount"),
        ));
    }
    aid_tables(g, spring, totals);
}

/// The table of every program owed in the term, and the charts by program
/// and by stage.
fn aid_tables(g: &mut Gather<'_>, spring: Term, totals: &Totals) {
    let mut t = Table::new(
        format!("{}各项学生资助情况", spring.to_chinese()),
        &["资助项目", "学段", "受助学生（人）", "人次", "资金（万元）"],
    );
    let mut names = Vec::new();
    let mut amounts = Vec::new();
    let mut by_stage: BTreeMap<Stage, Money> = BTreeMap::new();
    for p in totals
        .programs
        .iter()
        .filter(|p| p.benefit.is_owed() && p.total.persons > 0)
    {
        let stages: Vec<&str> = p.by_stage.keys().map(|s| s.chinese()).collect();
        if let Err(e) = t.push_row(vec![
            Inline::text(p.name.clone()),
            Inline::text(stages.join("、")),
            Inline::text(p.total.persons.to_string()),
            Inline::text(p.total.person_terms.to_string()),
            Inline::text(p.total.amount.wan_yuan().normalize().to_string()),
        ]) {
            g.add(Err(e.into()));
        }
        names.push(p.name.clone());
        amounts.push(p.total.amount.wan_yuan().round_dp(2));
        for (s, tally) in &p.by_stage {
            *by_stage.entry(*s).or_default() += tally.amount;
        }
    }
    g.data.table(
        "aid_by_program",
        t.with_note("资金为应发金额，按政策标准逐人计算，未舍入；人次为受助学生与学期的组合数。"),
    );
    let cats: Vec<&str> = names.iter().map(String::as_str).collect();
    g.data.chart(
        "aid_by_program",
        Chart::bar(
            format!("{}各项目资助资金", spring.to_chinese()),
            "万元",
            &cats,
            vec![Series {
                name: "资助资金".into(),
                values: amounts,
            }],
        ),
    );
    let stage_names: Vec<&str> = by_stage.keys().map(|s| s.chinese()).collect();
    g.data.chart(
        "aid_by_stage",
        Chart::bar(
            format!("{}各学段资助资金", spring.to_chinese()),
            "万元",
            &stage_names,
            vec![Series {
                name: "资助资金".into(),
                values: by_stage.values().map(|m| m.wan_yuan().round_dp(2)).collect(),
            }],
        ),
    );
}

/// What was owed against what was paid.
fn reconciliation(g: &mut Gather<'_>, recon: &Reconciliation) {
    let src = |w: &str| Source::indicator(format!("eligibility: reconcile, {w}"));
    let kind = |k: FindingKind| recon.by_kind.get(&k).map_or(0, |c| c.records);
    g.add(count(
        "entitlements_count",
        "应发资助（学生、项目、学期）",
        recon.entitlements,
        "人次",
        src("entitlements in scope"),
    ));
    g.add(count(
        "payments_count",
        "发放记录",
        recon.records,
        "笔",
        src("payment records"),
    ));
    g.add(wan("paid_amount", "实发金额", recon.paid, src("amount paid")));
    g.add(count(
        "recon_unpaid",
        "应发未发",
        kind(FindingKind::Unpaid),
        "人次",
        src("unpaid"),
    ));
    g.add(count(
        "recon_duplicate",
        "重复发放",
        kind(FindingKind::Duplicate),
        "笔",
        src("duplicate payments"),
    ));
    g.add(count(
        "recon_after_leaving",
        "离校后发放",
        kind(FindingKind::PaidAfterLeaving),
        "笔",
        src("paid after leaving"),
    ));
}

/// The relations the typed figures must satisfy, for those whose figures
/// are all present.
fn relations(data: &ReportData) -> Vec<Relation> {
    let s = |x: &str| x.to_string();
    let has = |keys: &[&str]| keys.iter().all(|k| data.figures.get(k).is_some());
    let money = |key: &str| match data.figures.get(key).map(|f| &f.value) {
        Some(eduaid_report::Value::Money { amount, .. }) => Some(*amount),
        _ => None,
    };
    let n = |key: &str| match data.figures.get(key).map(|f| &f.value) {
        Some(eduaid_report::Value::Count { n, .. }) => Some(*n),
        _ => None,
    };
    let half = Decimal::new(5, 1);
    let mut out = Vec::new();
    let sum = |parts: &[&str], total: &str, out: &mut Vec<Relation>| {
        if has(parts) && has(&[total]) {
            out.push(Relation::Sum {
                parts: parts.iter().map(|p| s(p)).collect(),
                total: s(total),
            });
        }
    };
    sum(
        &[
            "students_preschool",
            "students_primary",
            "students_junior",
            "students_senior_stage",
        ],
        "students_total",
        &mut out,
    );
    sum(
        &["living_subsidy_primary", "living_subsidy_junior"],
        "living_subsidy_students",
        &mut out,
    );
    sum(
        &["senior_grant_tier1", "senior_grant_tier2"],
        "senior_grant_students",
        &mut out,
    );
    for (r, num, den) in [
        ("disabled_enrolment_rate", "disabled_in_school", "disabled_total"),
        ("migrant_share", "migrant_children", "urban_primary_pupils"),
        ("helper_coverage", "poor_students_with_helper", "poor_students_total"),
    ] {
        if has(&[r, num, den]) {
            out.push(Relation::Rate {
                rate: s(r),
                numerator: s(num),
                denominator: s(den),
            });
        }
    }
    for (amount, cnt, standard, share) in [
        (
            "preschool_aid_amount",
            "preschool_aid_students",
            money("preschool_aid_standard"),
            half,
        ),
        (
            "vocational_grant_amount",
            "vocational_grant_students",
            money("vocational_grant_standard"),
            half,
        ),
        (
            "rain_dew_amount",
            "rain_dew_students",
            money("rain_dew_standard"),
            Decimal::ONE,
        ),
        (
            "nutrition_amount",
            "nutrition_students_first",
            money("nutrition_daily").and_then(|d| d.checked_mul_count(n("nutrition_days")?)),
            Decimal::ONE,
        ),
    ] {
        if let (true, Some(standard)) = (has(&[amount, cnt]), standard) {
            out.push(Relation::Product {
                amount: s(amount),
                count: s(cnt),
                standard,
                share,
            });
        }
    }
    out
}

/// Append the validation summary as the second attachment.
fn push_validation_appendix(blocks: &mut Vec<Block>, validation: &Validation) {
    blocks.push(Block::PageBreak);
    blocks.push(Block::Paragraph(vec![Inline::text("附件2　数据校核结果")]));
    blocks.push(Block::Paragraph(vec![Inline::text(format!(
        "对报告所用数据之间的勾稽关系（分项与合计、比率与分子分母、金额与人数和标准）及报告正文逐句校核，{}。",
        validation.summary()
    ))]));
    blocks.push(Block::Table(validation.table("数据校核明细")));
}

//! `eduaid report`: the county work report (工作报告) from the user's own
//! files. The report's data comes from the facade's `county_report`, as
//! the `county_report` example builds the sample county's: entitlements and
//! the reconciliation from the eligibility engine, retention, enrolment and
//! class sizes from the statistics crate, every figure typed. This command
//! loads the files, turns `--set` into settings, fills the template, checks
//! the result with the validator and writes it.

use std::collections::BTreeMap;
use std::str::FromStr;

use anyhow::Context as _;
use eduaid::county_report::{
    self, CLASS_CAP_JUNIOR, CLASS_CAP_PRIMARY, County, CountyReport, DISABLED_ENROLMENT_STANDARD,
    JUNIOR_RETENTION_STANDARD, Missing, Presentation, Settings, SourceLanguage, parse_date,
};
use eduaid::model::convert::clamped;
use eduaid::model::{Decimal, NaiveDate};
use eduaid::report::{
    Document, DocxRenderer, Figure, HtmlRenderer, MarkdownRenderer, Renderer, Source, Template, Validation, render,
};

use crate::cli::{ReportArgs, ReportFormat};
use crate::common::{Ctx, Status};
use crate::inputs::{self, CountPaths};
use crate::{output, policy, progress};

/// Figures that could not be computed from the user's data: each is
/// reported as met and left out (a template that needs it then fails
/// naming its line), never invented.
struct LeftOut<'a> {
    ctx: &'a Ctx,
    missing: Vec<String>,
}

impl LeftOut<'_> {
    /// Warn that a figure is left out, and why.
    fn note(&mut self, e: &anyhow::Error) {
        self.ctx
            .warn(&format!("{}: {e:#}", self.ctx.t("figure left out", "未生成数据项")));
        self.missing.push(e.to_string());
    }
}

/// A report error in the command's words: what to give when a file is
/// missing.
fn explain(e: county_report::Error) -> anyhow::Error {
    match e {
        county_report::Error::NoClasses { .. } => anyhow::anyhow!("{e}: give a classes file (--classes)"),
        e => e.into(),
    }
}

/// Today's date (UTC), from the system clock.
fn today() -> NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    epoch.checked_add_days(chrono::Days::new(days)).unwrap_or(epoch)
}

/// A setting given as a number, or its default.
fn setting_number(settings: &BTreeMap<String, String>, key: &str, default: Decimal) -> anyhow::Result<Decimal> {
    match settings.get(key) {
        Some(v) => Decimal::from_str(v).with_context(|| format!("--set {key}={v}: expected a number")),
        None => Ok(default),
    }
}

/// The report's settings from `--county` and `--set`: a standard or cap
/// that is not a number is left out (and noted), a report date that is not
/// a date is an error.
fn report_settings(
    args: &ReportArgs,
    set: &BTreeMap<String, String>,
    file: String,
    cited: Vec<Figure>,
    left_out: &mut LeftOut<'_>,
) -> anyhow::Result<Settings> {
    let county = set.get("county").cloned().unwrap_or_else(|| args.county.clone());
    let report_date = match set.get("report_date") {
        Some(s) => parse_date(s).with_context(|| {
            format!("--set report_date={s}: expected a date such as 2017-09-30, 2017年9月30日 or 2017/9/30")
        })?,
        None => today(),
    };
    let mut standard = |key: &str, default: i64| {
        setting_number(set, key, Decimal::from(default))
            .map_err(|e| left_out.note(&e))
            .ok()
    };
    let junior_retention_standard = standard("retention_junior_standard", JUNIOR_RETENTION_STANDARD);
    let disabled_enrolment_standard = standard("disabled_standard", DISABLED_ENROLMENT_STANDARD);
    let mut cap = |key: &str, default: u64| {
        setting_number(set, key, Decimal::from(default))
            .and_then(|d| {
                u64::try_from(d).map_err(|_| anyhow::anyhow!("--set {key}: expected a whole number of pupils"))
            })
            .map_err(|e| left_out.note(&e))
            .ok()
    };
    let class_cap_primary = cap("class_cap_primary", CLASS_CAP_PRIMARY);
    let class_cap_junior = cap("class_cap_junior", CLASS_CAP_JUNIOR);
    Ok(Settings {
        bureau: set.get("bureau").cloned(),
        addressee: set.get("addressee").cloned(),
        urban_district: set.get("urban_district").cloned(),
        report_date: Some(report_date),
        junior_retention_standard,
        disabled_enrolment_standard,
        class_cap_primary,
        class_cap_junior,
        cited,
        on_missing: Missing::LeaveOut,
        // Sources in Chinese, naming the data the county gave.
        presentation: Presentation {
            sources: SourceLanguage::Chinese,
            roster_file: Some(file),
            schools_file: None,
            payments_file: None,
        },
        ..Settings::new(county)
    })
}

/// The file a report format is written to, in the `--out` folder: the
/// official document, or the working paper (底稿) with the machine
/// appendices.
fn file_name(f: ReportFormat, working: bool) -> String {
    let ext = match f {
        ReportFormat::Docx => "docx",
        ReportFormat::Html => "html",
        ReportFormat::Md => "md",
    };
    if working {
        format!("county_report_底稿.{ext}")
    } else {
        format!("county_report.{ext}")
    }
}

/// Run the command.
pub(crate) fn run(args: &ReportArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let settings = parse_settings(args)?;
    // Before any work: no report file is one of the inputs, and the
    // folder takes a new file.
    let mut formats = args.format.clone();
    formats.dedup();
    let (loans_path, cited_path) = guard_files(args, &formats)?;
    let template = match &args.template {
        Some(p) => Template::from_file(p)?,
        None => Template::default_report(),
    };
    let cited = read_cited(cited_path.as_deref(), ctx)?;
    let engine = policy::engine(&args.policy)?;
    let loaded = inputs::load_roster(&args.data, ctx)?;
    let mut rejected = loaded.rejected;
    let paths = CountPaths::of(&args.counts, args.data.data.as_ref());
    let (counts, r) = inputs::load_counts(&paths, ctx)?;
    rejected += r;
    let disbursements = load_disbursements(args, &engine, ctx, &mut rejected)?;
    let loans = match &loans_path {
        Some(p) => {
            let (l, r) = crate::cmd::loans::load_loans(p, ctx)?;
            rejected += r;
            Some(l)
        }
        None => None,
    };
    let cited_keys: Vec<String> = cited.iter().map(|f| f.key.clone()).collect();
    let file = args
        .data
        .data
        .as_ref()
        .map_or_else(|| "user files".to_string(), |d| d.display().to_string());
    let mut left_out = LeftOut {
        ctx,
        missing: Vec::new(),
    };
    let roster = &loaded.roster;
    let mut county = County::new(roster, &counts, &engine, args.term).with_settings(report_settings(
        args,
        &settings,
        file,
        cited,
        &mut left_out,
    )?);
    if let Some(d) = &disbursements {
        county = county.with_disbursements(d);
    }
    if let Some(l) = &loans {
        county = county.with_loans(l);
    }
    // One pass over the roster: the engine and the report's own counts,
    // the bar moved by the report's progress callback.
    let students = clamped::<_, u64>(roster.students().len());
    let bar = progress::bar(students, ctx.t("computing", "计算中"), ctx);
    let county = county.with_progress(Some(students), |p| bar.set_position(p.done));
    let entitlements = county.entitlements().map_err(explain)?;
    bar.finish_and_clear();
    let mut report = county.build_from(&entitlements).map_err(explain)?;
    // One line per section left out, naming the file that would fill it
    // (the working paper carries the same lines); the figures themselves
    // go to --json's left_out.
    for e in std::mem::take(&mut report.left_out) {
        left_out.missing.push(explain(e).to_string());
    }
    for line in report.missing_sections() {
        ctx.warn(&line);
    }
    settings_as_figures(&mut report, &settings, &mut left_out)?;

    let doc = template.render(&report.data).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n{}",
            ctx.t(
                "hint: give a missing word or date with --set NAME=VALUE, or edit the template (--template FILE)",
                "提示：缺少的文字或日期可用 --set NAME=VALUE 给出，或修改模板（--template FILE）",
            )
        )
    })?;
    warn_unprinted(&doc, &cited_keys, ctx);
    let validation = report.validate(&doc)?;
    // The official document carries no machine appendices; the working
    // paper (底稿) has the data sources, the checks and what was left out.
    let mut working = doc.clone();
    report.push_appendices(&mut working, &validation);

    // Every format rendered first, then each file written atomically.
    let rendered = render_all(&formats, &doc, &working, args, ctx)?;
    let mut written = Vec::new();
    for (path, bytes) in rendered {
        eduaid::io::write_file_atomically(&path, &bytes)?;
        written.push((path, bytes.len()));
    }
    print_summary(&written, &report, &doc, &validation, &left_out, ctx)?;
    Ok(Status::findings_if(!validation.is_consistent()).max(Status::bad_if(rejected)))
}

/// The `--set KEY=VALUE` settings, by key.
fn parse_settings(args: &ReportArgs) -> anyhow::Result<BTreeMap<String, String>> {
    let mut settings: BTreeMap<String, String> = BTreeMap::new();
    for s in &args.set {
        let (k, v) = s
            .split_once('=')
            .with_context(|| format!("--set {s:?}: expected KEY=VALUE"))?;
        settings.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(settings)
}

/// Refuse to write a report file over one of the inputs (or into a folder
/// that takes no new file); the loans and cited-figures files to read.
fn guard_files(
    args: &ReportArgs,
    formats: &[ReportFormat],
) -> anyhow::Result<(Option<std::path::PathBuf>, Option<std::path::PathBuf>)> {
    let files: Vec<std::path::PathBuf> = formats
        .iter()
        .flat_map(|f| [false, true].map(|w| args.out.join(file_name(*f, w))))
        .collect();
    let mut read = output::roster_inputs(&args.data);
    read.extend(output::count_inputs(&CountPaths::of(
        &args.counts,
        args.data.data.as_ref(),
    )));
    read.extend(inputs::pick(
        args.disbursements.as_ref(),
        args.data.data.as_ref(),
        "disbursements",
    ));
    let loans_path = inputs::pick(args.loans.as_ref(), args.data.data.as_ref(), "loans");
    read.extend(loans_path.clone());
    // Cited figures: as given, else cited.csv (.xlsx, .json) in --data, as
    // `eduaid sample` writes it.
    let cited_path = inputs::pick(args.cited.as_ref(), args.data.data.as_ref(), "cited");
    read.extend(cited_path.clone());
    read.extend(args.template.iter().cloned());
    read.extend(output::policy_inputs(&args.policy.policy));
    output::guard_outputs(&files, &read)?;
    Ok((loans_path, cited_path))
}

/// Cited figures (引用数据): refused as a whole if one row is bad, naming
/// its line, so that no half-read file fills the report.
fn read_cited(path: Option<&std::path::Path>, ctx: &Ctx) -> anyhow::Result<Vec<Figure>> {
    Ok(match path {
        Some(p) => {
            let figures = county_report::read_cited(p)?;
            ctx.info(&format!(
                "{} {}: {} {}",
                ctx.t("read", "已读取"),
                p.display(),
                figures.len(),
                ctx.t("cited figures", "项引用数据")
            ));
            figures
        }
        None => Vec::new(),
    })
}

/// The disbursements, if a file is given or found (its rejected rows added
/// to `rejected`); without one, a warning that the reconciliation figures
/// are left out.
fn load_disbursements(
    args: &ReportArgs,
    engine: &eduaid::eligibility::Engine,
    ctx: &Ctx,
    rejected: &mut u64,
) -> anyhow::Result<Option<Vec<eduaid::model::Disbursement>>> {
    let disb_path = inputs::pick(args.disbursements.as_ref(), args.data.data.as_ref(), "disbursements");
    Ok(match &disb_path {
        Some(p) => {
            let (d, r) = inputs::load_disbursements(p, &policy::catalogue(engine)?, ctx)?;
            *rejected += r;
            Some(d)
        }
        None => {
            ctx.warn(ctx.t(
                "no disbursements file: the reconciliation figures are left out",
                "未给出资金发放文件：不生成核对数据",
            ));
            None
        }
    })
}

/// Settings the computed figures did not take: dates become date figures,
/// anything else a word.
fn settings_as_figures(
    report: &mut CountyReport,
    settings: &BTreeMap<String, String>,
    left_out: &mut LeftOut<'_>,
) -> anyhow::Result<()> {
    for (k, v) in settings {
        if report.data.figures.get(k).is_some() || report.data.vars.contains_key(k) {
            continue;
        }
        match parse_date(v) {
            Some(d) => {
                let f = Figure::date(k.clone(), k.clone(), d, Source::indicator("--set (input)"));
                if let Err(e) = report.data.figure(f) {
                    left_out.note(&e.into());
                }
            }
            None => {
                report.data.var(k, v.clone())?;
            }
        }
    }
    Ok(())
}

/// A cited figure the template does not print is named, not dropped
/// silently (a misspelt key).
fn warn_unprinted(doc: &Document, cited_keys: &[String], ctx: &Ctx) {
    let used = doc.figures_used();
    let check_only = |k: &str| county_report::CITED_KEYS.iter().any(|c| c.key == k && !c.printed);
    for k in cited_keys
        .iter()
        .filter(|k| !used.iter().any(|u| u.key == **k) && !check_only(k))
    {
        ctx.warn(&format!(
            "{} {k}",
            ctx.t(
                "cited figure not printed by the template:",
                "引用数据未被报告模板使用："
            )
        ));
    }
}

/// The document and the working paper in every format: each file's path
/// and bytes (the Word renderer's notes on the document printed).
fn render_all(
    formats: &[ReportFormat],
    doc: &Document,
    working: &Document,
    args: &ReportArgs,
    ctx: &Ctx,
) -> anyhow::Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
    let mut rendered = Vec::new();
    for &f in formats {
        for (d, w) in [(doc, false), (working, true)] {
            let (bytes, notes) = match f {
                ReportFormat::Docx => {
                    let mut r = DocxRenderer::new();
                    let bytes = render(d, &mut r)?;
                    (bytes, r.warnings())
                }
                ReportFormat::Html => (render(d, &mut HtmlRenderer::new())?, Vec::new()),
                ReportFormat::Md => (render(d, &mut MarkdownRenderer::new())?, Vec::new()),
            };
            if !w {
                for n in notes {
                    ctx.info(&format!("{}: {n}", ctx.t("note", "说明")));
                }
            }
            rendered.push((args.out.join(file_name(f, w)), bytes));
        }
    }
    Ok(rendered)
}

/// What was written and found: JSON with `--json`, else one line per file,
/// the county's count of figures with the validation's summary, and each
/// finding.
fn print_summary(
    written: &[(std::path::PathBuf, usize)],
    report: &CountyReport,
    doc: &Document,
    validation: &Validation,
    left_out: &LeftOut<'_>,
    ctx: &Ctx,
) -> anyhow::Result<()> {
    if ctx.json {
        let files: Vec<String> = written.iter().map(|(p, _)| p.display().to_string()).collect();
        ctx.print_json(&serde_json::json!({
            "files": files,
            "figures": doc.figures_used().len(),
            "consistent": validation.is_consistent(),
            "validation": validation,
            "left_out": left_out.missing,
        }))?;
    } else {
        for (p, n) in written {
            outln!("{} {} ({n} bytes)", ctx.t("wrote", "已写入"), p.display());
        }
        outln!(
            "{}：{} {}；{}",
            report
                .data
                .vars
                .get("county")
                .and_then(|v| match v {
                    eduaid::report::Var::Text(t) => Some(t.clone()),
                    eduaid::report::Var::List(_) => None,
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
    Ok(())
}

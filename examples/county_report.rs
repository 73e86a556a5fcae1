//! The project's main job: the sample county's work report on education
//! guarantee in poverty alleviation (脱贫攻坚教育保障工作情况报告), every
//! figure computed from the county's records and checked.
//!
//! ```text
//! cargo run --release --example county_report [-- my_template.txt.j2]
//! ```
//!
//! 1. the sample county (`eduaid::sample::county()`): roster, payments, counts;
//! 2. its report data (`eduaid::county_report`): spring-2017 entitlements
//!    and the reconciliation of what was paid (`eduaid::eligibility`),
//!    retention over three school years, the disabled children's enrolment
//!    rate, the migrant share and class sizes (`eduaid::stats`), all of it
//!    as typed figures, tables and charts (`eduaid::report`);
//!    with the seed's cited figures read from `examples/county_report_cited.csv`;
//! 3. checked against the seed report's figures (FIGURES.md), filled into
//!    the default template (or the one given), checked by the validator,
//!    and written to `out/` as `.docx`, `.html` and `.md` (the official
//!    document, GB/T 9704), and as the working paper `county_report_底稿`
//!    (`.docx`, `.md`) with the data appendix and the validation summary.

use std::path::Path;

use eduaid::county_report::{County, Missing, Presentation, Settings};
use eduaid::eligibility::Engine;
use eduaid::model::{NaiveDate, SchoolYear, Term};
use eduaid::report::{DocxRenderer, Figure, HtmlRenderer, MarkdownRenderer, ReportData, Source, Template, render};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Where the records come from, for the data appendix.
const ROSTER: &str = "示范县样本名册";
const PAYMENTS: &str = "示范县样本发放记录";

fn main() -> Result<()> {
    let started = std::time::Instant::now();
    let county = eduaid::sample::county();
    let engine = Engine::hunan_county_2016()?;
    let spring: Term = "2017-spring".parse()?;

    // What the seed report says of itself: its date, the urban district,
    // the years it compares, and its sources named in Chinese.
    let settings = Settings {
        urban_district: Some(eduaid::sample::URBAN_DISTRICT.to_string()),
        report_date: Some(date(2017, 9, 30)?),
        class_sizes_after: Some(SchoolYear::new(2018)?),
        nutrition_batches: Some([date(2017, 6, 1)?, date(2017, 9, 1)?]),
        cited: eduaid::county_report::read_cited(Path::new(CITED))?,
        on_missing: Missing::Fail,
        presentation: Presentation {
            roster_file: Some(ROSTER.to_string()),
            schools_file: Some(ROSTER.to_string()),
            payments_file: Some(PAYMENTS.to_string()),
            ..Presentation::default()
        },
        ..Settings::new(county.name.clone())
    };
    let loans = eduaid::sample::loans()?;
    let mut report = County::new(&county.roster, &county.counts, &engine, spring)
        .with_disbursements(&county.disbursements)
        .with_loans(&loans)
        .with_settings(settings)
        .build()?;
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "治理违规征订教辅资料工作会议日期",
        date(2017, 7, 11)?,
        Source::indicator("报告设置（输入）"),
    ))?;

    check_contract(&report.data)?;

    let template = match std::env::args().nth(1) {
        Some(path) => Template::from_file(Path::new(&path))?,
        None => Template::default_report(),
    };
    let doc = template.render(&report.data)?;

    // The checks: relations between the typed figures, then the report's
    // own text read as a careful reader would.
    let validation = report.validate(&doc)?;
    // The official document (GB/T 9704) carries no machine appendices; the
    // working paper (底稿) is the same report with the data sources, the
    // check results and what was left out.
    let mut working = doc.clone();
    report.push_appendices(&mut working, &validation);

    std::fs::create_dir_all("out")?;
    let mut docx = DocxRenderer::new();
    let outputs = [
        ("out/county_report.docx", render(&doc, &mut docx)?),
        ("out/county_report.html", render(&doc, &mut HtmlRenderer::new())?),
        ("out/county_report.md", render(&doc, &mut MarkdownRenderer::new())?),
        (
            "out/county_report_底稿.docx",
            render(&working, &mut DocxRenderer::new())?,
        ),
        (
            "out/county_report_底稿.md",
            render(&working, &mut MarkdownRenderer::new())?,
        ),
    ];
    for (path, bytes) in &outputs {
        // Replaced only when complete: a failure leaves the old report.
        eduaid::io::write_file_atomically(Path::new(path), bytes)?;
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

/// The figures the seed report gives that no record of the sample county
/// holds (teachers recruited, money invested, graduates, an earlier year's
/// Rain-and-Dew plan), as a clerk enters them: a cited-figures file (键,
/// 名称, 数值, 单位, 出处), the same file `eduaid report --cited` reads. They
/// are marked as cited in the data appendix and checked where a relation
/// joins them (198 = 189 + 9; 930 × 1000元 = 93万元).
const CITED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/county_report_cited.csv");

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("bad date {y}-{m}-{d}").into())
}

/// The seed report's figures as FIGURES.md restores and recomputes them
/// (docs/crate-contracts.md, "The sample county"): what the computed figures must
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
    ("class_size_after", "53人"),
    ("recon_unpaid", "1人次"),
    ("recon_duplicate", "1笔"),
    ("recon_after_leaving", "1笔"),
    // Student loans 2014-2017, from the sample's loan records.
    ("loans_y1_persons", "469人"),
    ("loans_y1_amount", "323.5万元"),
    ("loans_y2_persons", "513人"),
    ("loans_y2_amount", "352.5万元"),
    ("loans_y3_persons", "671人"),
    ("loans_y3_amount", "538.7万元"),
    ("loans_y4_persons", "749人"),
    ("loans_y4_amount", "609.45万元"),
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

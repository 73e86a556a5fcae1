//! The county work report's data built through the facade
//! (`eduaid::county_report`) for the sample county: the seed report's
//! figures by key, a rendered report that checks out, and settings that
//! change what is printed.

use std::sync::OnceLock;

use eduaid::county_report::{County, Entitlements, Error, Missing, Presentation, Settings, SourceLanguage};
use eduaid::eligibility::Engine;
use eduaid::model::{Counts, Decimal, Term};
use eduaid::report::{Figure, Relation, ReportData, Source, Template, Var};
use eduaid::sample::SampleCounty;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The sample county, built once for all the tests of this file.
fn sample() -> &'static SampleCounty {
    static C: OnceLock<SampleCounty> = OnceLock::new();
    C.get_or_init(eduaid::sample::county)
}

fn spring() -> Result<Term> {
    Ok("2017-spring".parse()?)
}

/// The engine's results for the sample county, computed once.
fn entitlements(engine: &Engine) -> Result<&'static Entitlements> {
    static E: OnceLock<Entitlements> = OnceLock::new();
    if let Some(e) = E.get() {
        return Ok(e);
    }
    let c = sample();
    let e = Entitlements::compute(engine, &c.roster, spring()?, Some(&c.disbursements))?;
    Ok(E.get_or_init(|| e))
}

/// The sample county's report data with `settings`.
fn build(engine: &Engine, settings: Settings) -> Result<eduaid::county_report::CountyReport> {
    let c = sample();
    let county = County::new(&c.roster, &c.counts, engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_settings(settings);
    Ok(county.build_from(entitlements(engine)?)?)
}

/// A figure as printed, or a note that it is missing.
fn shown(data: &ReportData, key: &str) -> String {
    data.figures
        .get(key)
        .map_or_else(|| format!("no figure {key}"), Figure::display)
}

fn word(data: &ReportData, name: &str) -> Option<String> {
    match data.vars.get(name) {
        Some(Var::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

#[test]
fn the_sample_county_figures_come_out_of_the_facade() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let report = build(&engine, Settings::new(sample().name.clone()))?;
    assert!(report.left_out.is_empty(), "{:?}", report.left_out);
    let data = &report.data;
    for (key, want) in [
        ("students_total", "126964人"),
        ("living_subsidy_students", "12390人"),
        ("living_subsidy_amount", "673.5875万元"),
        ("nutrition_schools_first", "178所"),
        ("nutrition_days", "22天"),
        ("preschool_aid_amount", "120.45万元"),
        ("senior_grant_tier1", "14人"),
        ("rain_dew_person_terms", "956人次"),
        ("retention_junior_y3", "98.89%"),
        ("disabled_enrolment_rate", "99.3%"),
        ("migrant_share", "18.49%"),
        ("class_size_after", "53.0人"),
        ("recon_unpaid", "1人次"),
        ("retention_junior_standard", "95%"),
    ] {
        assert_eq!(shown(data, key), want, "{key}");
    }
    // The urban district is found from the schools when not set.
    assert_eq!(word(data, "urban_district").as_deref(), Some("城关镇"));
    assert_eq!(word(data, "bureau").as_deref(), Some("示范县教育局"));
    assert!(data.tables.contains_key("aid_by_program"));
    for chart in ["retention", "class_sizes", "aid_by_program", "aid_by_stage"] {
        assert!(data.charts.contains_key(chart), "{chart}");
    }
    Ok(())
}

#[test]
fn the_default_template_renders_and_checks_out() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let settings = Settings {
        report_date: "2017-09-30".parse().ok(),
        ..Settings::new(sample().name.clone())
    };
    let mut report = build(&engine, settings)?;
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "会议日期",
        "2017-07-11".parse()?,
        Source::indicator("test"),
    ))?;
    let mut doc = Template::default_report().render(&report.data)?;
    let validation = report.validate(&doc)?;
    assert!(validation.is_consistent(), "{}", validation.summary());
    assert!(validation.checks.len() >= 10 + 9, "{}", validation.summary());
    let before = doc.blocks.len();
    report.push_appendices(&mut doc, &validation);
    assert!(doc.blocks.len() > before + 4);
    Ok(())
}

#[test]
fn settings_change_what_the_report_prints() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let settings = Settings {
        urban_district: Some("城关镇".into()),
        junior_retention_standard: Some(Decimal::from(99)),
        class_cap_primary: None,
        presentation: Presentation {
            sources: SourceLanguage::English,
            roster_file: Some("roster.csv".into()),
            ..Presentation::default()
        },
        ..Settings::new("甲县")
    };
    let report = build(&engine, settings)?;
    let data = &report.data;
    assert_eq!(word(data, "county").as_deref(), Some("甲县"));
    assert_eq!(word(data, "bureau").as_deref(), Some("甲县教育局"));
    assert_eq!(shown(data, "retention_junior_standard"), "99%");
    assert_eq!(
        data.charts
            .get("retention")
            .and_then(|c| c.threshold.as_ref())
            .map(|t| t.value),
        Some(Decimal::from(99))
    );
    assert!(data.figures.get("class_cap_primary").is_none());
    assert_eq!(shown(data, "class_cap_junior"), "55人");
    // The figures are the same; their sources speak English and name the file.
    assert_eq!(shown(data, "living_subsidy_amount"), "673.5875万元");
    let source = data.figures.require("living_subsidy_students")?.source.to_string();
    assert!(source.contains("eligibility: persons"), "{source}");
    assert!(source.contains("roster.csv"), "{source}");
    Ok(())
}

#[test]
fn every_amount_is_checked_against_its_count_and_standard() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let relations = build(&engine, Settings::new("示范县"))?.relations()?;
    let amounts: Vec<String> = relations
        .into_iter()
        .filter_map(|r| match r {
            Relation::Product { amount, .. } => Some(amount),
            _ => None,
        })
        .collect();
    assert_eq!(
        amounts,
        [
            "preschool_aid_amount",
            "vocational_grant_amount",
            "nutrition_amount",
            "rain_dew_amount"
        ]
    );
    Ok(())
}

#[test]
fn without_counts_figures_are_left_out_or_an_error() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    let counts = Counts::default();
    let county = County::new(&c.roster, &counts, &engine, spring()?);
    let e = entitlements(&engine)?;
    // Left out: the roster's figures are still there, the retention rates
    // (no grade counts, a zero denominator) are not, and say why.
    let report = county.build_from(e)?;
    assert_eq!(shown(&report.data, "students_total"), "126964人");
    assert!(report.data.figures.get("retention_junior_y3").is_none());
    assert!(report.data.figures.get("teachers_total").is_none());
    assert!(
        report
            .left_out
            .iter()
            .any(|e| e.to_string().starts_with("retention_primary_y1")),
        "{:?}",
        report.left_out
    );
    // Failing: the first one missing (the teachers, counted before the
    // rates) is the error.
    let strict = Settings {
        on_missing: Missing::Fail,
        ..Settings::default()
    };
    let err = county.with_settings(strict).build_from(e).err();
    assert!(matches!(err, Some(Error::NoTeachers { .. })), "{err:?}");
    Ok(())
}

#[test]
fn names_from_data_never_become_report_markup() -> Result {
    use eduaid::report::{Block, MarkdownRenderer, render};
    let engine = Engine::hunan_county_2016()?;
    let fill = |words: &[(&str, &str)]| -> Result<eduaid::report::Document> {
        let settings = Settings {
            report_date: "2017-09-30".parse().ok(),
            ..Settings::new(sample().name.clone())
        };
        let mut report = build(&engine, settings)?;
        let day = Figure::date(
            "fee_meeting_date",
            "会议日期",
            "2017-07-11".parse()?,
            Source::indicator("test"),
        );
        report.data.figure(day)?;
        // A township's name and the bureau as a county's files might give them.
        for (name, value) in words {
            report
                .data
                .vars
                .insert((*name).to_string(), Var::Text((*value).to_string()));
        }
        Ok(Template::default_report().render(&report.data)?)
    };
    let plain = fill(&[])?;
    let doc = fill(&[
        ("urban_district", "\n# 伪造的报告标题"),
        ("bureau", "教育局\u{E000}x\u{E001}"),
    ])?;
    assert_eq!(doc.title, plain.title);
    assert_eq!(doc.blocks.len(), plain.blocks.len());
    let headings = |d: &eduaid::report::Document| -> Vec<String> {
        d.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(h.text.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(headings(&doc), headings(&plain));
    let text = eduaid::report::to_text(&doc)?;
    assert!(text.contains(" # 伪造的报告标题接收进城务工人员随迁子女"), "{text}");
    assert!(
        doc.subtitle
            .as_deref()
            .unwrap_or("")
            .contains("教育局\u{E000}x\u{E001}")
    );
    let md = String::from_utf8(render(&doc, &mut MarkdownRenderer::new())?)?;
    assert!(!md.lines().any(|l| l.contains("伪造") && l.starts_with('#')), "{md}");
    Ok(())
}

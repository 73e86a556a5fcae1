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
        ("class_size_after", "53人"),
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

/// Under the national catalogue alone (the CLI's default), the county
/// overlay's parameters are missing and its calendar is the national one:
/// the report leaves out what needs the overlay, and the nutrition plan,
/// paid by each student's days in school, is worded with the full-attendance
/// figure and the difference, which the validator checks as a sum.
#[test]
fn the_national_catalogue_alone_gives_a_consistent_report() -> Result {
    let engine = Engine::new(eduaid::eligibility::Policy::national()?);
    let settings = Settings {
        report_date: "2017-09-30".parse().ok(),
        ..Settings::new(sample().name.clone())
    };
    // Not `build`: its entitlements are cached for the county overlay.
    let c = sample();
    let national = Entitlements::compute(&engine, &c.roster, spring()?, Some(&c.disbursements))?;
    let mut report = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_settings(settings)
        .build_from(&national)?;
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "会议日期",
        "2017-07-11".parse()?,
        Source::indicator("test"),
    ))?;
    let doc = Template::default_report().render(&report.data)?;
    let validation = report.validate(&doc)?;
    assert!(validation.is_consistent(), "{}", validation.summary());
    let data = &report.data;
    let (amount, reduction, full) = (
        shown(data, "nutrition_amount"),
        shown(data, "nutrition_part_days_reduction"),
        shown(data, "nutrition_full_amount"),
    );
    assert_eq!(full, "601.16万元");
    assert_eq!(amount, "600.7544万元");
    assert_eq!(reduction, "0.4056万元");
    // The sentence was checked, and the three figures are tied by a sum.
    let text = eduaid::report::to_text(&doc)?;
    assert!(text.contains("比全部学生全勤测算的601.16万元少0.4056万元"), "{text}");
    let tied = report.relations()?.into_iter().any(|r| {
        matches!(r, Relation::Sum { ref parts, ref total }
            if total == "nutrition_full_amount" && parts.contains(&"nutrition_part_days_reduction".to_string()))
    });
    assert!(tied);
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
    // Not computable, with the missing input named, never a number.
    assert!(
        report
            .left_out
            .iter()
            .any(|e| matches!(e, Error::NotComputable { key, reason, .. }
            if key == "retention_junior_y3" && reason.starts_with("缺少初中"))),
        "{:?}",
        report.left_out
    );
    // One line per section left out, naming the file that fills it, and
    // the default template still renders.
    let missing = report.missing_sections();
    assert!(missing.iter().any(|l| l.contains("grade_counts.csv")), "{missing:?}");
    assert!(missing.iter().any(|l| l.contains("teachers.csv")), "{missing:?}");
    // No payments were given to this county either.
    assert!(missing.iter().any(|l| l.contains("disbursements.csv")), "{missing:?}");
    let text = eduaid::report::to_text(&Template::default_report().render(&report.data)?)?;
    assert!(!text.contains("巩固率"), "{text}");
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
        doc.signature
            .first()
            .is_some_and(|s| s.contains("教育局\u{E000}x\u{E001}"))
    );
    let md = String::from_utf8(render(&doc, &mut MarkdownRenderer::new())?)?;
    assert!(!md.lines().any(|l| l.contains("伪造") && l.starts_with('#')), "{md}");
    Ok(())
}

/// The report's figures with `key` replaced by `figure`.
fn planted(data: &ReportData, key: &str, figure: &Figure) -> Result<eduaid::report::FigureSet> {
    let mut set = eduaid::report::FigureSet::new();
    for f in data.figures.iter() {
        set.insert(if f.key == key { figure.clone() } else { f.clone() })?;
    }
    Ok(set)
}

#[test]
fn the_payments_paragraph_counts_the_terms_card_payments_and_a_wrong_count_is_caught() -> Result {
    use eduaid::model::Money;
    use eduaid::report::CheckKind;
    let engine = Engine::hunan_county_2016()?;
    let report = build(&engine, Settings::new(sample().name.clone()))?;
    let data = &report.data;
    // Spring 2017 paid to bank cards: the in-kind meals and the autumn 2016
    // Rain-and-Dew payments are not among them.
    assert_eq!(shown(data, "payments_bank_card_count"), "20937笔");
    assert_eq!(shown(data, "payments_bank_card_amount"), "1432.4375万元");
    assert_eq!(shown(data, "payments_in_kind_count"), "53675笔");
    assert_eq!(shown(data, "payments_count"), "74612笔");
    let table = data.tables.get("payments_by_term").ok_or("no payments table")?;
    assert_eq!(table.rows.len(), 3);
    let relations = report.relations()?;
    let checked = eduaid::report::validate_figures(&data.figures, &relations)?;
    assert!(checked.is_consistent(), "{}", checked.summary());
    // The old paragraph's figures, every record of every term and channel:
    // each is caught.
    for (key, wrong) in [
        (
            "payments_bank_card_count",
            Figure::count(
                "payments_bank_card_count",
                "打卡发放笔数",
                75_090,
                "笔",
                Source::indicator("planted"),
            ),
        ),
        (
            "payments_bank_card_amount",
            Figure::money(
                "payments_bank_card_amount",
                "打卡发放金额",
                Money::from_fen(1_952_577_500),
                Source::indicator("planted"),
            )
            .in_wan_yuan(),
        ),
        (
            "payments_count",
            Figure::count("payments_count", "发放记录", 75_090, "笔", Source::indicator("planted")),
        ),
    ] {
        let figures = planted(data, key, &wrong)?;
        let v = eduaid::report::validate_figures(&figures, &relations)?;
        let findings = v.findings();
        assert!(
            findings.iter().any(|c| c.kind == CheckKind::Records),
            "{key}: {}",
            v.summary()
        );
    }
    Ok(())
}

/// The sample report dated `day`, rendered with `template`, and its checks.
fn dated_report(engine: &Engine, day: &str, template: &Template) -> Result<(String, eduaid::report::Validation)> {
    let settings = Settings {
        report_date: day.parse().ok(),
        class_sizes_after: Some(eduaid::model::SchoolYear::new(2018)?),
        ..Settings::new(sample().name.clone())
    };
    let mut report = build(engine, settings)?;
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "会议日期",
        "2017-07-11".parse()?,
        Source::indicator("test"),
    ))?;
    let doc = template.render(&report.data)?;
    let validation = report.validate(&doc)?;
    Ok((eduaid::report::to_text(&doc)?, validation))
}

#[test]
fn a_later_years_classes_are_a_plan_worded_as_one_and_later_data_is_refused() -> Result {
    use eduaid::report::CheckKind;
    let engine = Engine::hunan_county_2016()?;
    let default = Template::default_report();
    // Dated 2017-09-30, the 2018-19 classes are a plan: "可…扩充到", "可…降至".
    let (text, v) = dated_report(&engine, "2017-09-30", &default)?;
    assert!(v.is_consistent(), "{:?}", v.findings());
    assert!(text.contains("可由113个班扩充到164个班"), "{text}");
    assert!(text.contains("可由76.9人降至53人"), "{text}");
    assert!(!text.contains("得到有效化解"), "{text}");
    assert!(v.checks.iter().any(|c| c.kind == CheckKind::Date && c.consistent));
    // The plan worded as done is caught.
    let done = Template::new(
        "done",
        default
            .source()
            .replace("城区公办小学可由", "城区公办小学由")
            .replace("平均班额可由", "平均班额由"),
    );
    let (_, v) = dated_report(&engine, "2017-09-30", &done)?;
    let wrong: Vec<String> = v
        .findings()
        .iter()
        .filter(|c| c.kind == CheckKind::Date)
        .map(|c| c.numbers.join("、"))
        .collect();
    assert_eq!(wrong, ["164个班", "53人"]);
    // Dated before the second batch of the nutrition plan started (and before
    // the school year 2016-17 ended), figures of later days are refused.
    let (_, v) = dated_report(&engine, "2017-06-30", &default)?;
    let refused: Vec<&str> = v
        .findings()
        .iter()
        .filter(|c| c.kind == CheckKind::Date)
        .map(|c| c.location.as_str())
        .collect();
    assert!(refused.iter().any(|l| l.contains("营养改善计划第二批")), "{refused:?}");
    Ok(())
}

#[test]
fn presentation_rounds_once_by_the_stated_rule() -> Result {
    let engine = Engine::hunan_county_2016()?;
    let (text, _) = dated_report(&engine, "2017-09-30", &Template::default_report())?;
    // Equal rates are said once; an average is not written "53.0人".
    assert!(text.contains("小学六年巩固率均为100%"), "{text}");
    assert!(!text.contains("100%、100%、100%"), "{text}");
    assert!(!text.contains("53.0人"), "{text}");
    let report = build(&engine, Settings::new(sample().name.clone()))?;
    let chart = report.data.charts.get("aid_by_program").ok_or("no chart")?;
    assert_eq!(chart.label_dp, Some(2));
    for s in &chart.series {
        for v in &s.values {
            let label = chart.label(*v);
            let dp = label.split('.').nth(1).map_or(0, str::len);
            assert!(dp <= 2, "{label}");
        }
    }
    Ok(())
}

#[test]
fn cited_figures_are_marked_cited_and_checked() -> Result {
    use eduaid::model::Money;
    let engine = Engine::hunan_county_2016()?;
    let cite = |total: u64| {
        let src = || Source::indicator("种子报告");
        vec![
            Figure::count("teacher_training_total", "签约", total, "人", src()),
            Figure::count("teacher_training_junior_entry", "初中起点", 189, "名", src()),
            Figure::count("teacher_training_senior_entry", "高中起点", 9, "名", src()),
            Figure::count("rain_dew_prior_person_terms", "人次", 930, "人次", src()),
            Figure::money("rain_dew_prior_amount", "资金", Money::yuan(930_000), src()).in_wan_yuan(),
            Figure::money("rain_dew_prior_standard", "标准", Money::yuan(1000), src()),
        ]
    };
    let settings = |total| Settings {
        cited: cite(total),
        ..Settings::new(sample().name.clone())
    };
    let report = build(&engine, settings(198))?;
    let f = report.data.figures.require("rain_dew_prior_amount")?;
    assert_eq!(f.display(), "93万元");
    assert!(f.source.to_string().contains("引用（非计算）"), "{}", f.source);
    let checked = eduaid::report::validate_figures(&report.data.figures, &report.relations()?)?;
    assert!(checked.is_consistent(), "{}", checked.summary());
    let text = eduaid::report::to_text(&Template::default_report().render(&report.data)?)?;
    assert!(
        text.contains("已与198人（初中起点189名、高中起点9名）签订培养合同"),
        "{text}"
    );
    assert!(text.contains("补助930人次、资金93万元"), "{text}");
    // A cited total that its cited parts do not make is caught.
    let wrong = build(&engine, settings(199))?;
    let checked = eduaid::report::validate_figures(&wrong.data.figures, &wrong.relations()?)?;
    assert_eq!(checked.findings().len(), 1, "{}", checked.summary());
    Ok(())
}

/// The seed's student loans (生源地信用助学贷款) 2014-2017, from the sample
/// county's loan records: each figure printed as the seed prints it, checked
/// against the records, a wrong one caught, and a loan year after the
/// report's date refused.
#[test]
fn the_loan_sentence_reproduces_the_seed_and_a_wrong_figure_is_caught() -> Result {
    use eduaid::model::Money;
    use eduaid::report::CheckKind;
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    let loans = eduaid::sample::loans()?;
    let settings = Settings {
        report_date: "2017-09-30".parse().ok(),
        ..Settings::new(c.name.clone())
    };
    let county = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_loans(&loans)
        .with_settings(settings);
    let mut report = county.build_from(entitlements(&engine)?)?;
    let data = &report.data;
    let seed = [
        ("469人", "323.5万元"),
        ("513人", "352.5万元"),
        ("671人", "538.7万元"),
        ("749人", "609.45万元"),
    ];
    for (i, (persons, amount)) in seed.iter().enumerate() {
        assert_eq!(shown(data, &format!("loans_y{}_persons", i + 1)), *persons);
        assert_eq!(shown(data, &format!("loans_y{}_amount", i + 1)), *amount);
    }
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "会议日期",
        "2017-07-11".parse()?,
        Source::indicator("test"),
    ))?;
    let doc = Template::default_report().render(&report.data)?;
    let text = eduaid::report::to_text(&doc)?;
    assert!(
        text.contains(
            "2014年助学贷款469人，贷款资金323.5万元；2015年助学贷款513人，贷款资金352.5万元；\
             2016年助学贷款671人，贷款资金538.7万元；2017年助学贷款749人，贷款资金609.45万元。"
        ),
        "{text}"
    );
    let validation = report.validate(&doc)?;
    assert!(validation.is_consistent(), "{}", validation.summary());
    let relations = report.relations()?;
    for (key, wrong) in [
        (
            "loans_y4_persons",
            Figure::count("loans_y4_persons", "贷款人数", 750, "人", Source::indicator("planted")),
        ),
        (
            "loans_y2_amount",
            Figure::money(
                "loans_y2_amount",
                "贷款金额",
                Money::yuan(3_525_500),
                Source::indicator("planted"),
            )
            .in_wan_yuan(),
        ),
    ] {
        let figures = planted(&report.data, key, &wrong)?;
        let v = eduaid::report::validate_figures(&figures, &relations)?;
        assert!(
            v.findings().iter().any(|c| c.kind == CheckKind::Records),
            "{key}: {}",
            v.summary()
        );
    }
    // Dated before the 2017 loan year began, the report may not give it.
    let early = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_loans(&loans)
        .with_settings(Settings {
            report_date: "2017-08-31".parse().ok(),
            ..Settings::new(c.name.clone())
        })
        .build_from(entitlements(&engine)?)?;
    let v = eduaid::report::validate_figures(&early.data.figures, &early.relations()?)?;
    assert!(
        v.findings().iter().any(|f| f.kind == CheckKind::Date),
        "{}",
        v.summary()
    );
    Ok(())
}

#[test]
fn the_working_paper_has_the_tiers_the_loans_against_their_caps_and_the_missing_data() -> Result {
    use eduaid::county_report::MissingAtSchool;
    use eduaid::model::Money;
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    // The seed's loans, and one more record of a 2014 borrower over the cap.
    let mut loans = eduaid::sample::loans()?;
    let mut extra = loans[0].clone();
    extra.amount = Money::yuan(13_000);
    loans.push(extra);
    let e = entitlements(&engine)?;
    // A private school without its tuition on record (the sample has none).
    let with_missing = Entitlements {
        missing: vec![MissingAtSchool {
            program: "senior-fee-waiver".into(),
            name: "普通高中免学杂费".into(),
            school: "S9001".parse()?,
            school_name: "某民办高中".into(),
            what: eduaid::eligibility::MISSING_TUITION.into(),
            persons: 37,
            person_terms: 37,
        }],
        ..e.clone()
    };
    let report = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_loans(&loans)
        .with_settings(Settings {
            report_date: "2017-09-30".parse().ok(),
            ..Settings::new(c.name.clone())
        })
        .build_from(&with_missing)?;
    let doc = Template::default_report().render(&report.data)?;
    let mut working = doc.clone();
    report.push_appendices(&mut working, &report.validate(&doc)?);
    let md = |d: &eduaid::report::Document| -> Result<String> {
        let bytes = eduaid::report::render(d, &mut eduaid::report::MarkdownRenderer::new())?;
        Ok(String::from_utf8(bytes)?)
    };
    let (text, official) = (md(&working)?, md(&doc)?);
    for want in [
        "附件3",
        "资助分档、助学贷款和缺少数据明细",
        // The senior grant by tier, adding up to the program.
        "普通高中国家助学金 | 一档 | 14 | 14 | 2.1",
        "普通高中国家助学金 | 二档 | 5047 | 5047 | 504.7",
        "各档人次和资金之和与项目合计一致",
        "合计 | 5061 | 5061 | 506.8",
        // Loans by year against the caps; the planted record found twice.
        "2014年 | 469 | 470 | 324.8 | 8000 | 12000 | 1 | 1 | 发现问题2条",
        "2017年 | 749 | 749 | 609.45 | 8000 | 12000 | 0 | 0 | 符合",
        "贷款13000.00元，超过当年上限",
        "在2014年度有2笔贷款",
        // Missing data by school.
        "普通高中免学杂费 | S9001 | 某民办高中 | 学费标准 | 37 | 37",
        "有学生37人（各项目分别计）因所在学校缺少数据无法计算资助金额",
    ] {
        assert!(text.contains(want), "{want} missing from the working paper:\n{text}");
        assert!(!official.contains(want), "{want} in the official document");
    }
    Ok(())
}

/// The identifiers a template names inside `{{ … }}` and `{% … %}`.
fn template_names(source: &str) -> std::collections::BTreeSet<String> {
    const SYNTAX: &[&str] = &[
        "if", "elif", "else", "endif", "is", "defined", "and", "or", "not", "join", "text", "value", "table", "chart",
        "for", "in", "endfor",
    ];
    let mut out = std::collections::BTreeSet::new();
    let mut rest = source;
    while let Some(i) = rest.find(['{']) {
        let after = &rest[i + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                rest = after;
                continue;
            }
        };
        let Some(end) = after.find(close) else { break };
        let inside = &after[1..end];
        // Strings ("plan", "、") are not names.
        let unquoted: String = inside.split('"').step_by(2).collect();
        for w in unquoted.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if w.starts_with(|c: char| c.is_ascii_lowercase()) && !SYNTAX.contains(&w) {
                out.insert(w.to_string());
            }
        }
        rest = &after[end..];
    }
    out
}

#[test]
fn every_key_the_template_names_is_produced_and_every_figure_produced_is_printed_or_listed() -> Result {
    use eduaid::county_report::keys::{FIGURE_KEYS, Key, Origin, TABLES_AND_CHARTS, Use, WORDS, figure_key};
    // The typed keys are the catalogue, in its order, each named as the
    // catalogue names it.
    assert_eq!(Key::ALL.len(), FIGURE_KEYS.len());
    for (k, f) in Key::ALL.iter().zip(FIGURE_KEYS) {
        assert_eq!(k.as_str(), f.key);
        assert_eq!(Key::parse(f.key), Some(*k));
        assert_eq!(k.entry(), Some(f));
    }
    assert_eq!(Key::parse("students_totl"), None);
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    let loans = eduaid::sample::loans()?;
    let cited_path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/county_report_cited.csv");
    let cited = eduaid::county_report::read_cited(std::path::Path::new(cited_path))?;
    // An upload's bytes read as the file on disk is, with nothing written.
    let from_bytes = eduaid::county_report::read_cited_bytes("county_report_cited.csv", std::fs::read(cited_path)?)?;
    assert_eq!(from_bytes, cited);
    assert!(eduaid::county_report::read_cited_bytes("引用数据.txt", b"a,b".to_vec()).is_err());
    // The main job's report: every input the sample county has.
    let settings = Settings {
        report_date: "2017-09-30".parse().ok(),
        cited,
        ..Settings::new(c.name.clone())
    };
    let mut report = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_loans(&loans)
        .with_settings(settings)
        .build_from(entitlements(&engine)?)?;
    report.data.figure(Figure::date(
        "fee_meeting_date",
        "会议日期",
        "2017-07-11".parse()?,
        Source::indicator("test"),
    ))?;
    let doc = Template::default_report().render(&report.data)?;
    // Printed in the body, its tables or the signature (落款: the date).
    let mut used: std::collections::BTreeSet<&str> = doc.figures_used().iter().map(|f| f.key.as_str()).collect();
    for f in report.data.figures.iter() {
        if doc.signature.iter().any(|line| line.contains(&f.display())) && f.key == "report_date" {
            used.insert(f.key.as_str());
        }
    }
    // Every key the template names is a figure of the catalogue, a word, a
    // table or a chart.
    let named = template_names(eduaid::report::DEFAULT_TEMPLATE);
    let unknown: Vec<&String> = named
        .iter()
        .filter(|n| figure_key(n).is_none() && !WORDS.contains(&n.as_str()) && !TABLES_AND_CHARTS.contains(&n.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "the template names keys nothing produces: {unknown:?}"
    );
    // Every catalogue key is named by the template.
    let unnamed: Vec<&str> = FIGURE_KEYS
        .iter()
        .filter(|f| !named.contains(f.key) && f.used != Use::Check)
        .map(|f| f.key)
        .collect();
    assert!(
        unnamed.is_empty(),
        "listed as printed but not in the template: {unnamed:?}"
    );
    // Every word, table and chart is produced.
    for w in WORDS {
        assert!(report.data.vars.contains_key(*w), "word {w} not produced");
    }
    // Every figure produced is in the catalogue, and printed unless listed
    // as printed only sometimes or used to check another.
    let wrong: Vec<String> = report
        .data
        .figures
        .iter()
        .filter_map(|f| match figure_key(&f.key) {
            None => Some(format!("{} is produced but not in the catalogue", f.key)),
            Some(k) if k.used == Use::Printed && !used.contains(f.key.as_str()) => {
                Some(format!("{} is produced but not printed", f.key))
            }
            Some(_) => None,
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every figure printed is produced, and every printed key of the
    // catalogue is produced for the sample county.
    for k in FIGURE_KEYS.iter().filter(|k| k.used == Use::Printed) {
        assert!(report.data.figures.get(k.key).is_some(), "{} not produced", k.key);
    }
    // The cited keys the CLI's help lists are the catalogue's cited keys.
    let cited_keys: Vec<&str> = FIGURE_KEYS
        .iter()
        .filter(|k| k.origin == Origin::Cited)
        .map(|k| k.key)
        .collect();
    let mut listed: Vec<&str> = eduaid::county_report::CITED_KEYS.iter().map(|c| c.key).collect();
    let mut catalogue = cited_keys.clone();
    listed.sort_unstable();
    catalogue.sort_unstable();
    assert_eq!(listed, catalogue);
    for c in eduaid::county_report::CITED_KEYS {
        assert_eq!(
            c.printed,
            figure_key(c.key).is_some_and(|k| k.used != Use::Check),
            "{}",
            c.key
        );
    }
    Ok(())
}

/// A roster that forwards every method to the sample county's and counts
/// how often each student is visited, the schools listed and the students
/// looked up by id.
struct Counting<R> {
    inner: R,
    visits: std::cell::RefCell<std::collections::HashMap<eduaid::model::StudentId, u32>>,
    school_lists: std::cell::Cell<u32>,
    lookups: std::cell::Cell<u32>,
    /// A student of a school the roster does not have, visited first.
    stray: Option<eduaid::model::Student>,
}

impl<R> Counting<R> {
    fn new(inner: R) -> Counting<R> {
        Counting {
            inner,
            visits: Default::default(),
            school_lists: Default::default(),
            lookups: Default::default(),
            stray: None,
        }
    }

    fn saw(&self, s: &eduaid::model::Student) {
        *self.visits.borrow_mut().entry(s.id.clone()).or_default() += 1;
    }
}

impl<R: eduaid::model::Roster> eduaid::model::Roster for Counting<R> {
    fn visit_students(
        &self,
        visit: &mut dyn FnMut(&[eduaid::model::Student]) -> eduaid::model::Visit,
    ) -> std::result::Result<(), eduaid::model::RosterError> {
        if let Some(s) = &self.stray {
            self.saw(s);
            if visit(std::slice::from_ref(s)).is_break() {
                return Ok(());
            }
        }
        self.inner.visit_students(&mut |batch| {
            batch.iter().for_each(|s| self.saw(s));
            visit(batch)
        })
    }
    fn school(
        &self,
        id: &eduaid::model::SchoolId,
    ) -> std::result::Result<Option<std::borrow::Cow<'_, eduaid::model::School>>, eduaid::model::RosterError> {
        self.inner.school(id)
    }
    fn household(
        &self,
        id: &eduaid::model::HouseholdId,
    ) -> std::result::Result<Option<std::borrow::Cow<'_, eduaid::model::Household>>, eduaid::model::RosterError> {
        self.inner.household(id)
    }
    fn student(
        &self,
        id: &eduaid::model::StudentId,
    ) -> std::result::Result<Option<eduaid::model::Student>, eduaid::model::RosterError> {
        self.lookups.set(self.lookups.get() + 1);
        self.inner.student(id)
    }
    fn student_count(&self) -> std::result::Result<usize, eduaid::model::RosterError> {
        self.inner.student_count()
    }
    fn visit_schools(
        &self,
        visit: &mut dyn FnMut(&eduaid::model::School),
    ) -> std::result::Result<(), eduaid::model::RosterError> {
        self.school_lists.set(self.school_lists.get() + 1);
        self.inner.visit_schools(visit)
    }
    fn visit_linked(
        &self,
        visit: &mut dyn FnMut(eduaid::model::Linked<'_>) -> eduaid::model::Visit,
    ) -> std::result::Result<(), eduaid::model::RosterError> {
        if self.stray.is_some() {
            // The trait's default, over visit_students (the stray student
            // then comes with its error).
            let plain = Plain(self);
            return plain.visit_linked(visit);
        }
        self.inner.visit_linked(&mut |linked| {
            self.saw(linked.student);
            visit(linked)
        })
    }
}

/// A roster with the trait's defaults over a [`Counting`] one.
struct Plain<'a, R>(&'a Counting<R>);

impl<R: eduaid::model::Roster> eduaid::model::Roster for Plain<'_, R> {
    fn visit_students(
        &self,
        visit: &mut dyn FnMut(&[eduaid::model::Student]) -> eduaid::model::Visit,
    ) -> std::result::Result<(), eduaid::model::RosterError> {
        self.0.visit_students(visit)
    }
    fn school(
        &self,
        id: &eduaid::model::SchoolId,
    ) -> std::result::Result<Option<std::borrow::Cow<'_, eduaid::model::School>>, eduaid::model::RosterError> {
        self.0.school(id)
    }
    fn household(
        &self,
        id: &eduaid::model::HouseholdId,
    ) -> std::result::Result<Option<std::borrow::Cow<'_, eduaid::model::Household>>, eduaid::model::RosterError> {
        self.0.household(id)
    }
}

#[test]
fn the_report_reads_each_student_once_and_reports_its_progress() -> Result {
    use eduaid::county_report::Progress;
    use eduaid::model::Roster;
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    let loans = eduaid::sample::loans()?;
    let roster = Counting::new(&c.roster);
    let n = u64::try_from(c.roster.students().len())?;
    let seen = std::cell::RefCell::new(Vec::<Progress>::new());
    let report = County::new(&roster, &c.counts, &engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_loans(&loans)
        .with_settings(Settings::new(c.name.clone()))
        .with_progress(Some(n), |p| seen.borrow_mut().push(p))
        .build()?;
    // Every student visited exactly once, the schools listed once.
    let visits = roster.visits.borrow();
    assert_eq!(visits.len(), c.roster.students().len());
    let more: Vec<_> = visits.iter().filter(|(_, v)| **v != 1).take(5).collect();
    assert!(more.is_empty(), "students visited more than once: {more:?}");
    assert_eq!(roster.school_lists.get(), 1);
    // Lookups by id only for payments nothing is owed for.
    let not_owed = report.data.figures.get("recon_unpaid").map(Figure::display);
    assert!(
        roster.lookups.get() < 100,
        "{} lookups ({not_owed:?})",
        roster.lookups.get()
    );
    // Progress: rising, ending at the total.
    let seen = seen.borrow();
    assert!(seen.len() > 100, "{} calls", seen.len());
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert_eq!(
        seen.last(),
        Some(&Progress {
            done: n,
            total: Some(n)
        })
    );
    // The same report as from the cached entitlements over the roster
    // itself.
    let direct = County::new(&c.roster, &c.counts, &engine, spring()?)
        .with_disbursements(&c.disbursements)
        .with_loans(&loans)
        .with_settings(Settings::new(c.name.clone()))
        .build_from(entitlements(&engine)?)?;
    let all =
        |d: &ReportData| -> Vec<(String, String)> { d.figures.iter().map(|f| (f.key.clone(), f.display())).collect() };
    assert_eq!(all(&report.data), all(&direct.data));
    assert_eq!(roster.student_count()?, c.roster.students().len());
    Ok(())
}

#[test]
fn the_one_pass_gives_what_separate_runs_give() -> Result {
    use eduaid::eligibility::{Scope, reconcile};
    use eduaid::model::{MemoryRoster, Ownership, SchoolKind};
    let engine = Engine::hunan_county_2016()?;
    let c = sample();
    let spring = spring()?;
    let autumn = spring.prev().ok_or("no autumn")?;
    let same = |engine: &Engine, roster: &dyn eduaid::model::Roster, e: &Entitlements| -> Result {
        assert_eq!(e.totals, engine.totals(roster, &[spring])?);
        assert_eq!(e.two_terms, engine.totals(roster, &[autumn, spring])?);
        let of_term: Vec<_> = c.disbursements.iter().filter(|d| d.term == spring).cloned().collect();
        let recon = reconcile(engine, roster, &of_term, &Scope::of(&of_term))?;
        assert_eq!(e.reconciliation.as_ref(), Some(&recon));
        Ok(())
    };
    let e = entitlements(&engine)?;
    same(&engine, &c.roster, e)?;
    assert!(e.totals.missing_data.is_empty() && e.totals.skipped.is_empty());
    // Public senior schools without their tuition on record (missing
    // data), and a student of a school the roster does not have (skipped).
    let mut planted = MemoryRoster::new();
    for s in c.roster.schools() {
        let mut s = s.clone();
        if s.kind == SchoolKind::Senior && s.ownership == Ownership::Public {
            s.annual_tuition = None;
        }
        planted.add_school(s)?;
    }
    for h in c.roster.households() {
        planted.add_household(h.clone())?;
    }
    for s in c.roster.students() {
        planted.add_student(s.clone())?;
    }
    let mut roster = Counting::new(&planted);
    let mut stray = c.roster.students()[0].clone();
    stray.id = "STRAY0001".parse()?;
    stray.school_id = "NO-SUCH-SCHOOL".parse()?;
    roster.stray = Some(stray);
    // The national catalogue waives senior fees at the school's tuition.
    let national = Engine::new(eduaid::eligibility::Policy::national()?);
    let e = Entitlements::compute(&national, &roster, spring, Some(&c.disbursements))?;
    assert!(!e.totals.missing_data.is_empty(), "no missing data planted");
    assert!(!e.missing.is_empty());
    assert_eq!(e.totals.skipped.len(), 1);
    same(&national, &roster, &e)?;
    // The migrant share is refused, as the statistics refuse it for a
    // roster that cannot link a student.
    let report = County::new(&roster, &c.counts, &national, spring)
        .with_settings(Settings::new(c.name.clone()))
        .build_from(&e)?;
    assert!(report.data.figures.get("migrant_share").is_none());
    assert!(
        report.left_out.iter().any(|x| x.to_string().contains("NO-SUCH-SCHOOL")),
        "{:?}",
        report.left_out
    );
    Ok(())
}

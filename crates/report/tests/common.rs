//! Fixtures shared by the test modules.

use chrono::NaiveDate;
use eduaid_model::Money;
use eduaid_report::value::Percentage;
use eduaid_report::{Chart, Document, Figure, Inline, ReportData, Series, Source, Table, fig};
use rust_decimal::Decimal;

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fixed small document exercising every block kind.
pub(crate) fn small_document() -> Document {
    let total = Figure::count(
        "students_total",
        "在校学生总数",
        126_964,
        "人",
        Source::indicator("sum of stages"),
    );
    let amount = Figure::money(
        "living_subsidy_amount",
        "义务教育生活补助资金",
        Money::yuan(6_735_875),
        Source::program("living-subsidy").with_file("disbursements.csv"),
    )
    .in_wan_yuan();
    let rate = Figure::rate(
        "disabled_enrolment_rate",
        "三类残疾儿童入学率",
        Percentage::new(305, 307, 1).unwrap(),
        Source::indicator("enrolment.disabled"),
    );
    let mut doc = Document::new("示范县教育扶贫工作报告");
    doc.subtitle = Some("示范县教育局　2017年7月11日".into());
    doc.text("现将有关情况报告如下。");
    doc.heading(1, "组织领导");
    doc.heading(2, "完善责任体系");
    doc.paragraph(vec![Inline::text("全县在校学生"), fig(&total), Inline::text("。")]);
    doc.heading(3, "控辍保学");
    doc.heading(4, "特殊群体");
    doc.paragraph(vec![
        Inline::text("三类残疾儿童共307人，在校305人，入学率达"),
        fig(&rate),
        Inline::text("。"),
    ]);
    doc.heading(1, "学生资助");
    let mut t = Table::new("春季学期资助情况", &["项目", "人数", "金额"]);
    t.push_row(vec![Inline::text("生活补助"), Inline::text("12390人"), fig(&amount)])
        .unwrap();
    t.push_row(vec![
        Inline::text("学前资助 | 非普惠"),
        Inline::text("2409人"),
        Inline::text("120.45万元"),
    ])
    .unwrap();
    doc.table(t.with_note("金额单位：万元"));
    doc.chart(Chart::bar(
        "各项目资助资金",
        "万元",
        &["生活补助", "学前资助"],
        vec![Series {
            name: "资金".into(),
            values: vec![Decimal::new(6_735_875, 4), Decimal::new(12_045, 2)],
        }],
    ));
    doc.note(vec![Inline::text("数据截至2017年春季学期。")]);
    doc.push_data_appendix("附件1");
    doc
}

/// Data for the default template, with the sample county's figures.
pub(crate) fn default_data() -> ReportData {
    let mut d = ReportData::new();
    d.var("county", "示范县").unwrap();
    d.var("bureau", "示范县教育局").unwrap();
    d.var("addressee", "示范县人民政府").unwrap();
    d.var("school_year", "2016—2017学年").unwrap();
    d.var("spring_term", "2017年春季学期").unwrap();
    d.var("urban_district", "城关镇").unwrap();
    d.list(
        "retention_years",
        vec!["2014—2015学年".into(), "2015—2016学年".into(), "2016—2017学年".into()],
    )
    .unwrap();
    let src = || Source::indicator("test fixture");
    let count = |k: &str, n: u64, u: &str| Figure::count(k, k, n, u, src());
    let money = |k: &str, y: i64| Figure::money(k, k, Money::yuan(y), src()).in_wan_yuan();
    let rate = |k: &str, n: u64, dn: u64, p: u32| Figure::rate(k, k, Percentage::new(n, dn, p).unwrap(), src());
    let pct = |k: &str, v: i64| Figure::number(k, k, Decimal::from(v), None, "%", src());
    let figures = vec![
        Figure::date("report_date", "报告日期", date(2017, 9, 30), src()),
        count("poor_students_total", 22_000, "人"),
        count("poor_students_with_helper", 22_000, "人"),
        rate("helper_coverage", 22_000, 22_000, 2),
        rate("retention_primary_y1", 1000, 1000, 2),
        rate("retention_primary_y2", 1000, 1000, 2),
        rate("retention_primary_y3", 1000, 1000, 2),
        rate("retention_junior_y1", 9886, 10_000, 2),
        rate("retention_junior_y2", 9881, 10_000, 2),
        rate("retention_junior_y3", 9889, 10_000, 2),
        pct("retention_junior_standard", 95),
        count("migrant_children", 1642, "人"),
        count("urban_primary_pupils", 8880, "人"),
        rate("migrant_share", 1642, 8880, 2),
        count("disabled_total", 307, "人"),
        count("disabled_in_school", 305, "人"),
        rate("disabled_enrolment_rate", 305, 307, 1),
        pct("disabled_standard", 80),
        count("rural_schools", 265, "所"),
        count("urban_classes_before", 113, "个班"),
        count("urban_classes_after", 164, "个班"),
        count("urban_public_pupils", 8692, "人"),
        Figure::number(
            "class_size_before",
            "班额",
            Decimal::from(8692) / Decimal::from(113),
            Some(1),
            "人",
            src(),
        ),
        Figure::number(
            "class_size_after",
            "班额",
            Decimal::from(8692) / Decimal::from(164),
            Some(1),
            "人",
            src(),
        ),
        count("class_cap_primary", 50, "人"),
        count("class_cap_junior", 55, "人"),
        Figure::date("fee_meeting_date", "会议日期", date(2017, 7, 11), src()),
        count("students_preschool", 23_429, "人"),
        count("students_primary", 56_370, "人"),
        count("students_junior", 26_577, "人"),
        count("students_senior_stage", 20_588, "人"),
        count("students_total", 126_964, "人"),
        count("living_subsidy_students", 12_390, "人"),
        count("living_subsidy_primary", 8063, "人"),
        count("living_subsidy_junior", 4327, "人"),
        money("living_subsidy_amount", 6_735_875),
        Figure::date("nutrition_start_date", "启动日期", date(2017, 6, 1), src()),
        count("nutrition_days", 22, "天"),
        count("nutrition_schools_first", 178, "所"),
        count("nutrition_students_first", 53_675, "人"),
        money("nutrition_amount", 4_723_400),
        Figure::date("nutrition_second_date", "第二批日期", date(2017, 9, 1), src()),
        count("nutrition_schools_second", 265, "所"),
        count("nutrition_students_second", 60_526, "人"),
        Figure::money("preschool_aid_standard", "标准", Money::yuan(1000), src()),
        count("preschool_aid_students", 2409, "人"),
        money("preschool_aid_amount", 1_204_500),
        count("senior_grant_students", 5061, "人"),
        count("senior_grant_tier1", 14, "人"),
        count("senior_grant_tier2", 5047, "人"),
        money("senior_grant_amount", 5_068_000),
        Figure::money("vocational_grant_standard", "标准", Money::yuan(2000), src()),
        count("vocational_grant_students", 599, "人"),
        money("vocational_grant_amount", 599_000),
        Figure::money("rain_dew_standard", "标准", Money::yuan(2500), src()),
        Figure::money("rain_dew_autumn_standard", "标准", Money::yuan(1000), src()),
        Figure::money("rain_dew_spring_standard", "标准", Money::yuan(1500), src()),
        Figure::money("living_subsidy_primary_standard", "标准", Money::yuan(500), src()),
        Figure::money("living_subsidy_junior_standard", "标准", Money::yuan(625), src()),
        Figure::money("nutrition_daily", "标准", Money::yuan(4), src()),
        count("rain_dew_students", 478, "人"),
        count("rain_dew_person_terms", 956, "人次"),
        money("rain_dew_amount", 1_195_000),
        count("entitlements_count", 30_000, "人次"),
        count("payments_count", 30_000, "笔"),
        money("paid_amount", 20_000_000),
        count("recon_unpaid", 1, "人次"),
        count("recon_duplicate", 1, "笔"),
        count("recon_after_leaving", 1, "笔"),
        count("teachers_total", 8000, "人"),
    ];
    for f in figures {
        d.figure(f).unwrap();
    }
    let mut t = Table::new("春季学期各项资助", &["项目", "人数", "金额"]);
    t.push_row(vec![
        Inline::text("生活补助"),
        Inline::text("12390人"),
        Inline::text("673.5875万元"),
    ])
    .unwrap();
    d.table("aid_by_program", t);
    let mut t = Table::new(
        "发放记录按学期和发放方式统计",
        &["学期", "发放方式", "笔数", "金额（万元）"],
    );
    t.push_row(vec![
        Inline::text("2017年春季学期"),
        Inline::text("打卡发放"),
        Inline::text("30000"),
        Inline::text("2000"),
    ])
    .unwrap();
    d.table("payments_by_term", t);
    let s = |name: &str, v: &[i64]| Series {
        name: name.into(),
        values: v.iter().map(|x| Decimal::from(*x)).collect(),
    };
    d.chart(
        "retention",
        Chart::line(
            "巩固率",
            "%",
            &["2014—2015", "2015—2016", "2016—2017"],
            vec![s("小学", &[100, 100, 100])],
        )
        .with_threshold("省颁标准", Decimal::from(95)),
    );
    d.chart(
        "class_sizes",
        Chart::bar(
            "班额分布",
            "个班",
            &["≤45", "46—55", "56—65", "≥66"],
            vec![s("2016—2017", &[0, 0, 0, 113])],
        ),
    );
    d.chart(
        "aid_by_program",
        Chart::bar("资助资金", "万元", &["生活补助"], vec![s("资金", &[673])]),
    );
    d.chart(
        "aid_by_stage",
        Chart::bar("受助学生", "人", &["小学", "初中"], vec![s("人数", &[8063, 4327])]),
    );
    d
}

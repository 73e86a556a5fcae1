//! The sample county's retention, dropout and enrolment indicators over its
//! school years, broken down by township and poverty status, with quality
//! flags and the province's targets.
//!
//! Run with `cargo run --example retention`.

use eduaid::model::{Decimal, Locality, Ownership, Rounding, SchoolYear, Stage};
use eduaid::stats::series::{retention_series, years_of};
use eduaid::stats::source::{Dimension, breakdown};
use eduaid::stats::{
    ClassFilter, DropoutForm, ParityKind, RetentionKind, RetentionOptions, StudentFilter, StudentTrait, Target,
    class_size_series, disabled_enrolment_rate, dropout_rate, parity, retention, student_share,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let county = eduaid::sample::county();
    let counts = &county.counts;
    let options = RetentionOptions::transfer_adjusted();
    let junior_target = Target::at_least("初中三年巩固率", Decimal::from(95));
    let disabled_target = Target::at_least("三类残疾儿童少年入学率", Decimal::from(80));

    let last = SchoolYear::new(2016)?;
    let form = retention(counts, RetentionKind::JuniorThreeYear, last, options)?.form_name();
    println!("{} — 巩固率: {form}", county.name);
    for kind in [
        RetentionKind::PrimarySixYear,
        RetentionKind::JuniorThreeYear,
        RetentionKind::CompulsoryNineYear,
    ] {
        for (year, r) in retention_series(counts, kind, options)?.points {
            println!("  {} {}: {}", year.to_chinese(), kind.chinese(), r.rate);
        }
    }

    for dim in [Dimension::Township, Dimension::Poverty] {
        let by = if dim == Dimension::Township {
            "分乡镇"
        } else {
            "分建档立卡"
        };
        println!("\n{} 初中三年巩固率, {by}", last.to_chinese());
        let b = breakdown(counts, dim, |s| {
            Ok(retention(s, RetentionKind::JuniorThreeYear, last, options)?.rate)
        })?;
        for (group, rate) in &b.groups {
            println!("  {group:<8} {rate}  {}", junior_target.check(rate));
        }
        println!("  {:<8} {}  {}", "全县", b.total, junior_target.check(&b.total));
    }

    let parity = parity(counts, ParityKind::Poverty, |s| {
        Ok(retention(s, RetentionKind::JuniorThreeYear, last, options)?.rate)
    })?;
    println!("  {parity}");

    println!("\n年辍学率 (学年内辍学 ÷ 学年初在校生 / 两基口径)");
    for year in years_of(counts)? {
        let [p, j] = [Stage::Primary, Stage::Junior].map(|stage| {
            let [a, b] = [DropoutForm::Definitional, DropoutForm::Aggregate]
                .map(|form| dropout_rate(counts, stage, year, form).map(|d| d.rate.format_percent(2)));
            Ok::<_, eduaid::stats::Error>(format!("{} {} / {}", stage.chinese(), a?, b?))
        });
        println!("  {}: {}; {}", year.to_chinese(), p?, j?);
    }

    let disabled = disabled_enrolment_rate(counts, last, 6..=14, true)?;
    println!(
        "\n三类残疾儿童少年入学率 (6-14岁): {} — {}",
        disabled.format_percent(1),
        disabled_target.check(&disabled)
    );

    let migrants = StudentFilter::stage(Stage::Primary).in_township("城关镇");
    let share = student_share(&county.roster, &migrants, "2017-03-01".parse()?, StudentTrait::Migrant)?;
    println!("城关镇小学随迁子女占比: {share}");

    let urban = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    println!("\n城区公办小学班额");
    for (year, d) in class_size_series(county.roster.schools(), &urban).points {
        println!(
            "  {}: {} 个班, 平均 {} 人, 大班额及以上 {}",
            year.to_chinese(),
            d.classes,
            d.average().format(1, Rounding::HalfUp),
            d.share_large_or_more().format_percent(1)
        );
    }
    Ok(())
}

//! `eduaid stats`: the indicators of keeping children in school (控辍保学)
//! from aggregate counts, with their quality flags and the standards they
//! are held to; with a roster, net enrolment ratios and class sizes too.
//!
//! Sheets: the indicators (retention in the transfer-adjusted, plain and
//! 借读 forms, both dropout forms, GER, NER and their gender parity indices,
//! class-size bands, shares, pupil-teacher ratios), each rate with its exact
//! counts, raw value, flags and 95% Wilson interval (z = 1.959964, the 97.5%
//! normal quantile); and the UIS flow rates with the reconstructed cohort.

mod indicators;
mod roster;
mod sheet;
mod uis;

use eduaid::model::SchoolYear;

use crate::cli::StatsArgs;
use crate::common::{Ctx, Status};
use crate::inputs::{self, CountPaths};
use crate::output::{self, Sheet};
use indicators::indicator_rows;
use roster::roster_rows;
use sheet::{Show, indicator_header};
use uis::uis_sheet;

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

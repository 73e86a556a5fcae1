//! The roster's rows of the indicators sheet: net enrolment ratios by sex
//! and class-size bands.

use eduaid::model::{Counts, MemoryRoster, Rounding, SchoolYear, Stage};
use eduaid::stats::{ClassFilter, ParityKind, SizeBand, class_sizes, net_enrolment_from_roster, parity_index};

use super::indicators::Value;
use super::sheet::{Row, Show, push_value};
use crate::cli::{DataArgs, StatsArgs};
use crate::common::Ctx;
use crate::inputs;
use crate::output::Sheet;

/// The roster's rows of the indicators sheet: NER by sex with the UIS
/// capping and its GPI, and class-size bands. Returns rows rejected.
pub(super) fn roster_rows(
    args: &StatsArgs,
    counts: &Counts,
    year: SchoolYear,
    sheet: &mut Sheet,
    show: Show,
    ctx: &Ctx,
) -> anyhow::Result<u64> {
    let data = DataArgs {
        data: args.data.clone(),
        schools: args.schools.clone(),
        students: args.students.clone(),
        households: None,
        classes: args.classes.clone(),
        status_as_of: None,
    };
    if !inputs::has_roster(&data) {
        return Ok(0);
    }
    let loaded = inputs::load_roster(&data, ctx)?;
    if !counts.population.is_empty() {
        ner_rows(sheet, &loaded.roster, counts, year, args.cap, show)?;
    }
    class_size_rows(sheet, &loaded.roster, year, show)?;
    Ok(loaded.rejected)
}

/// Net enrolment ratios by stage from the roster and the population, by
/// sex, with the UIS capping factor and the gender parity index.
fn ner_rows(
    sheet: &mut Sheet,
    roster: &MemoryRoster,
    counts: &Counts,
    year: SchoolYear,
    cap: bool,
    show: Show,
) -> anyhow::Result<()> {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let all = h("all", "全县").to_string();
    for (stage, lo, hi, key, zh_name, en_name) in [
        (
            Stage::Primary,
            6u8,
            11u8,
            "ner_primary",
            "小学净入学率（6—11岁）",
            "primary net enrolment ratio (ages 6-11)",
        ),
        (
            Stage::Junior,
            12,
            14,
            "ner_junior",
            "初中净入学率（12—14岁）",
            "junior net enrolment ratio (ages 12-14)",
        ),
    ] {
        let ner = net_enrolment_from_roster(roster, counts, year, &[stage], lo..=hi)?;
        let name = if zh { zh_name } else { en_name };
        // The factor is shown where a reader looks for it.
        let note = ner.capping_factor.map(|cf| {
            format!(
                "{}{}",
                h("capped by the any-level factor ", "按各级在校适龄人口压缩，系数 "),
                cf.format(4, Rounding::HalfUp)
            )
        });
        let mut row = Row::new(name, key, all.clone());
        row.note = note.as_deref();
        row.counts = note.is_none();
        push_value(sheet, row, Value::Rate(ner.total.clone().with_cap(cap)), show);
        for (sex, rate) in &ner.by_sex {
            let group = if zh {
                sex.chinese().to_string()
            } else {
                sex.code().to_string()
            };
            let mut row = Row::new(name, key, group);
            row.counts = ner.capping_factor.is_none();
            push_value(sheet, row, Value::Rate(rate.clone().with_cap(cap)), show);
        }
        let f = ner.by_sex.iter().find(|(s, _)| *s == eduaid::model::Sex::Female);
        let m = ner.by_sex.iter().find(|(s, _)| *s == eduaid::model::Sex::Male);
        if let (Some((_, f)), Some((_, m))) = (f, m) {
            let gpi = parity_index(ParityKind::Gender, f.clone(), m.clone());
            let gpi_name = format!(
                "{name}{}",
                h(", gender parity index (female/male)", "性别均等指数（女/男）")
            );
            let gpi_key = format!("{key}_gpi");
            push_value(
                sheet,
                Row::new(&gpi_name, &gpi_key, all.clone()),
                Value::Index(gpi.index),
                show,
            );
        }
    }
    Ok(())
}

/// The shares of classes and of pupils in each class-size band, and the
/// average class size.
fn class_size_rows(sheet: &mut Sheet, roster: &MemoryRoster, year: SchoolYear, show: Show) -> anyhow::Result<()> {
    let zh = show.zh;
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let all = h("all", "全县").to_string();
    let schools = eduaid::stats::schools_of(roster)?;
    let sizes = class_sizes(schools.iter(), year, &ClassFilter::default());
    if sizes.classes > 0 {
        for band in SizeBand::ALL {
            let label = band.chinese();
            let code = format!("{band:?}").to_lowercase();
            let (cn, ck) = (
                format!("{}{label}{}", h("share of classes ", "班额"), h("", "班级占比")),
                format!("class_share_{code}"),
            );
            push_value(
                sheet,
                Row::new(&cn, &ck, all.clone()),
                Value::Rate(sizes.share_of_classes(band)),
                show,
            );
            let (pn, pk) = (
                format!(
                    "{}{label}{}",
                    h("share of pupils in classes ", "班额"),
                    h("", "学生占比")
                ),
                format!("pupil_share_{code}"),
            );
            push_value(
                sheet,
                Row::new(&pn, &pk, all.clone()),
                Value::Rate(sizes.share_of_pupils(band)),
                show,
            );
        }
        push_value(
            sheet,
            Row::new(h("average class size", "平均班额"), "class_size_average", all),
            Value::Ratio(sizes.average()),
            show,
        );
    }
    Ok(())
}

//! 化解城区大班额: class sizes of the public urban primaries in the report's
//! year and a later one (a plan when it begins after the report's date),
//! the first-year caps and the chart of size bands.

use super::gather::{Gather, Origin};
use super::keys::Key;
use super::{CLASS_CAPS_FROM, Error, RosterFigures};
use crate::model::{Decimal, Locality, Ownership, SchoolYear, Stage};
use crate::report::{Chart, Figure, Series};
use crate::stats::{ClassCap, ClassFilter, ClassSizes, SizeBand, check_caps, class_size_series};

/// Class sizes of the public urban primaries in the report's year and a
/// later one, and the first-year caps.
pub(super) fn class_sizes(g: &mut Gather<'_>, year: SchoolYear, r: &RosterFigures) -> Result<(), Error> {
    let s = g.settings;
    let p = g.p();
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series(r.schools.iter(), &filter);
    let later = s
        .class_sizes_after
        .or_else(|| series.years().into_iter().filter(|y| *y >= year).max());
    let (Some(before), Some(after)) = (series.get(year), later.and_then(|y| series.get(y))) else {
        return g.add(Err(Error::NoClasses { year }));
    };
    let planned = s.report_date.is_some_and(|d| after.year.first_day() > d);
    let csrc = |cs: &ClassSizes| {
        let y = cs.year.start_year();
        let what = if planned && cs.year == after.year {
            "规划：班级文件所列城区公办小学计划班额"
        } else {
            "统计：城区公办小学班额"
        };
        p.source(
            None,
            Origin::Schools,
            &format!("{what}（{y}-{:02}）", (y + 1).rem_euclid(100)),
            &format!("stats: class sizes of the public urban primaries, {}", cs.year),
        )
    };
    // Classes of a school year that begins after the report's date are a
    // plan (the schools' planned classes), worded as a plan.
    let tense = if planned { "plan" } else { "done" };
    g.data.var("class_sizes_tense", tense)?;
    for (key, cs) in [(Key::UrbanClassesBefore, before), (Key::UrbanClassesAfter, after)] {
        let what = if planned && key.as_str().ends_with("after") {
            "规划"
        } else {
            ""
        };
        let label = format!("城区公办小学{what}班级数（{}）", cs.year.to_chinese());
        g.count(key, &label, cs.classes, "个班", csrc(cs))?;
    }
    for key in [Key::UrbanClassesAfter, Key::ClassSizeAfter] {
        g.dated.push((key.to_string(), after.year.first_day()));
        if planned {
            g.plans.insert(key.to_string());
        }
    }
    g.dated.push((Key::UrbanClassesBefore.into(), before.year.first_day()));
    g.count(
        Key::UrbanPublicPupils,
        "城区公办小学在校生",
        before.pupils,
        "人",
        csrc(before),
    )?;
    let avg = |cs: &ClassSizes| {
        Decimal::from(cs.pupils)
            .checked_div(Decimal::from(cs.classes.max(1)))
            .unwrap_or_default()
    };
    for (key, cs) in [(Key::ClassSizeBefore, before), (Key::ClassSizeAfter, after)] {
        let what = if planned && key.as_str().ends_with("after") {
            "规划"
        } else {
            ""
        };
        let label = format!("{what}平均班额（{}）", cs.year.to_chinese());
        g.add(Ok(Figure::number(key, label, avg(cs), Some(1), "人", csrc(cs))))?;
    }
    class_caps(g, r)?;
    size_bands_chart(g, before, after, planned);
    Ok(())
}

/// The first-year class-size caps (小学、初中起始年级班额上限), with the
/// number of classes above them in the year they apply from.
fn class_caps(g: &mut Gather<'_>, r: &RosterFigures) -> Result<(), Error> {
    let s = g.settings;
    let p = g.p();
    let caps = [
        (
            Stage::Primary,
            Key::ClassCapPrimary,
            "小学起始年级班额上限",
            s.class_cap_primary,
        ),
        (
            Stage::Junior,
            Key::ClassCapJunior,
            "初中起始年级班额上限",
            s.class_cap_junior,
        ),
    ];
    let from = match s.class_caps_from {
        Some(y) => y,
        None => SchoolYear::new(CLASS_CAPS_FROM)?,
    };
    let checked: Vec<ClassCap> = caps
        .iter()
        .filter_map(|(stage, _, _, max)| {
            Some(ClassCap {
                stage: *stage,
                grade: Some(1),
                max: u32::try_from((*max)?).ok()?,
                from,
            })
        })
        .collect();
    let breaches = check_caps(r.schools.iter(), from, &ClassFilter::default(), &checked);
    let cap_src = p.source(
        None,
        Origin::Input,
        &format!(
            "政策输入：{}年秋季起起始年级班额上限；{}超额班级{}个",
            from.start_year(),
            from.to_chinese(),
            breaches.len()
        ),
        "class-size cap (policy input)",
    );
    for (_, key, label, max) in caps {
        if let Some(n) = max {
            g.count(key, label, n, "人", cap_src.clone())?;
        }
    }
    Ok(())
}

/// The chart of classes by size band, in the report's year and the later
/// one (marked 规划 when it is a plan).
fn size_bands_chart(g: &mut Gather<'_>, before: &ClassSizes, after: &ClassSizes, planned: bool) {
    let band =
        |cs: &ClassSizes, b: SizeBand| Decimal::from(cs.bands.iter().find(|x| x.band == b).map_or(0, |x| x.classes));
    let bands = [
        SizeBand::Normal,
        SizeBand::Above45,
        SizeBand::Large,
        SizeBand::SuperLarge,
    ];
    let series = Vec::from([before, after].map(|cs| Series {
        name: if planned && cs.year == after.year {
            format!("{}（规划）", cs.year.to_chinese())
        } else {
            cs.year.to_chinese()
        },
        values: bands.iter().map(|b| band(cs, *b)).collect(),
    }));
    g.data.chart(
        "class_sizes",
        Chart::bar(
            "城区公办小学班额分布",
            "个班",
            &["45人及以下", "46—55人", "大班额56—65人", "超大班额66人及以上"],
            series,
        ),
    );
}

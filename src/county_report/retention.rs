//! 控辍保学 and special groups: retention over three school years (with
//! the provincial standard and its chart), disabled children's enrolment,
//! the migrant share of the urban district's primary pupils, and the
//! rural schools; then the class sizes and the nutrition plan's batches.

use super::class_sizes::class_sizes;
use super::gather::{Gather, Origin, rate};
use super::keys::Key;
use super::nutrition::nutrition_batches;
use super::{County, Error, RosterFigures};
use crate::model::rate::Rate;
use crate::model::{Decimal, Locality, SchoolKind, Stage};
use crate::report::value::Value;
use crate::report::{Chart, Figure, Series};
use crate::stats::{RetentionKind, RetentionOptions, disabled_enrolment_rate, retention};
use eduaid_model::convert::clamped;

/// Retention, disabled children, migrants, class sizes, rural schools and
/// the nutrition plan's batches.
pub(super) fn statistics(g: &mut Gather<'_>, c: &County<'_>, r: &RosterFigures) -> Result<(), Error> {
    retention_rates(g, c)?;
    disabled_children(g, c)?;
    migrant_share(g, c, r)?;
    class_sizes(g, c.spring.year, r)?;
    rural_schools(g, r)?;
    nutrition_batches(g, c, r)
}

/// A provincial standard the county's settings give, as an input figure.
fn standard(g: &mut Gather<'_>, key: Key, label: &str, value: Option<Decimal>) -> Result<(), Error> {
    let Some(v) = value else { return Ok(()) };
    let src = g
        .p()
        .source(None, Origin::Input, "省颁标准（输入）", "provincial standard (input)");
    g.add(Ok(Figure::number(key, label, v, None, "%", src)))
}

/// Primary six-year and junior three-year retention over the last three
/// school years, the junior standard, and their chart.
fn retention_rates(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let s = g.settings;
    let p = g.p();
    let year = c.spring.year;
    let mut primary = Vec::new();
    let mut junior = Vec::new();
    let mut labels = Vec::new();
    let rsrc = p.source(
        None,
        Origin::Roster,
        "统计：巩固率＝毕业生÷（入学数＋转入－转出）",
        "stats: retention, graduates ÷ (intake + transfers in − transfers out)",
    );
    for (i, k) in (0..3).rev().enumerate() {
        let Some(y) = year.offset(-k) else { continue };
        labels.push(y.to_string().replace('-', "—"));
        for (kind, key, label, out) in [
            (
                RetentionKind::PrimarySixYear,
                Key::retention(false, i + 1),
                "小学六年巩固率",
                &mut primary,
            ),
            (
                RetentionKind::JuniorThreeYear,
                Key::retention(true, i + 1),
                "初中三年巩固率",
                &mut junior,
            ),
        ] {
            // Three years, so a key for each.
            let Some(fkey) = key else { continue };
            let r = retention(c.counts, kind, y, RetentionOptions::transfer_adjusted())?;
            let flabel = format!("{label}（{}）", y.to_chinese());
            let f = match &r.rate.not_computable {
                Some(m) => Err(Error::NotComputable {
                    key: fkey.to_string(),
                    label: flabel,
                    reason: m.chinese(),
                }),
                None => rate(fkey, &flabel, r.rate.numerator(), r.rate.denominator(), 2, rsrc.clone()),
            };
            g.dated.push((fkey.to_string(), y.last_day()));
            if let Ok(Figure {
                value: Value::Rate(rt), ..
            }) = &f
            {
                out.push(rt.percent());
            }
            g.add(f)?;
        }
    }
    standard(
        g,
        Key::RetentionJuniorStandard,
        "初中三年巩固率省颁标准",
        s.junior_retention_standard,
    )?;
    if primary.len() == labels.len() && junior.len() == labels.len() {
        let cats: Vec<&str> = labels.iter().map(String::as_str).collect();
        let series = Vec::from(
            [("小学六年巩固率", primary), ("初中三年巩固率", junior)].map(|(name, values)| Series {
                name: name.into(),
                values,
            }),
        );
        let mut chart = Chart::line("近三年小学六年、初中三年巩固率", "%", &cats, series);
        if let Some(v) = s.junior_retention_standard {
            chart = chart.with_threshold("初中省颁标准", v);
        }
        g.data.chart("retention", chart);
    }
    Ok(())
}

/// Disabled children aged 6-14 of the three kinds, those in school, their
/// enrolment rate and its standard.
fn disabled_children(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let p = g.p();
    let year = c.spring.year;
    let disabled = disabled_enrolment_rate(c.counts, year, 6..=14, true)?;
    let dsrc = p.source(
        None,
        Origin::Roster,
        &format!("统计：{}6—14岁三类残疾儿童", year.to_chinese()),
        &format!("stats: disabled children aged 6-14, three kinds, {year}"),
    );
    g.count_of(
        Key::DisabledTotal,
        "6—14岁三类残疾儿童",
        disabled.denominator(),
        "人",
        dsrc.clone(),
    )?;
    g.count_of(
        Key::DisabledInSchool,
        "其中在校",
        disabled.numerator(),
        "人",
        dsrc.clone(),
    )?;
    g.add(match &disabled.not_computable {
        Some(m) => Err(Error::NotComputable {
            key: Key::DisabledEnrolmentRate.to_string(),
            label: "三类残疾儿童入学率".to_string(),
            reason: m.chinese(),
        }),
        None => rate(
            Key::DisabledEnrolmentRate,
            "三类残疾儿童入学率",
            disabled.numerator(),
            disabled.denominator(),
            1,
            dsrc,
        ),
    })?;
    standard(
        g,
        Key::DisabledStandard,
        "三类残疾儿童入学率省颁标准",
        g.settings.disabled_enrolment_standard,
    )
}

/// The share of migrant workers' children among the urban district's
/// primary pupils in school on the spring term's reference date.
fn migrant_share(g: &mut Gather<'_>, c: &County<'_>, r: &RosterFigures) -> Result<(), Error> {
    let p = g.p();
    let on = c.spring.reference_date();
    let urban = g.urban.clone();
    let msrc = p.source(
        None,
        Origin::Roster,
        &format!("统计：城区小学随迁子女占比（{on}）"),
        &format!("stats: migrant share of {urban}'s primary pupils, {on}"),
    );
    // The share of migrant children among the urban district's primary
    // pupils in school (as `stats::student_share` counts it: refused if
    // the roster cannot link a student).
    let share = match &r.unlinked {
        Some(u) => Err(crate::stats::Error::from(u.error())),
        None => {
            let (m, n) = r.primary_by_township.get(&urban).copied().unwrap_or((0, 0));
            let y = crate::model::SchoolYear::containing(on);
            Ok(Rate::new(i128::from(m), i128::from(n)).with_years(y, y))
        }
    };
    match share {
        Ok(share) => {
            g.count_of(
                Key::MigrantChildren,
                "城区随迁子女",
                share.numerator(),
                "人",
                msrc.clone(),
            )?;
            g.count_of(
                Key::UrbanPrimaryPupils,
                "城区小学在校生",
                share.denominator(),
                "人",
                msrc.clone(),
            )?;
            g.add(rate(
                Key::MigrantShare,
                "随迁子女占城区小学在校生比例",
                share.numerator(),
                share.denominator(),
                2,
                msrc,
            ))
        }
        Err(e) => g.add(Err(e.into())),
    }
}

/// Rural schools and teaching points that teach primary or junior pupils.
fn rural_schools(g: &mut Gather<'_>, r: &RosterFigures) -> Result<(), Error> {
    let p = g.p();
    let teaches_compulsory = |k: SchoolKind| k.teaches(Stage::Primary) || k.teaches(Stage::Junior);
    let rural = r
        .schools
        .iter()
        .filter(|s| s.locality == Locality::Rural && teaches_compulsory(s.kind))
        .count();
    let src = p.source(
        None,
        Origin::Roster,
        "名册：农村小学、初中和教学点",
        "schools: rural, teaching primary or junior",
    );
    g.count(
        Key::RuralSchools,
        "农村义务教育学校和教学点",
        clamped::<_, u64>(rural),
        "所",
        src,
    )
}

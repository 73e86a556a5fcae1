//! The nutrition plan's (营养改善计划) two batches: their start days,
//! schools and students. The plan's amount and meal days are in
//! [`aid`](super::aid).

use std::collections::BTreeSet;

use super::gather::{Gather, Origin};
use super::keys::Key;
use super::{County, Error, RosterFigures};
use crate::model::{NaiveDate, SchoolId, SchoolYear};
use crate::report::Figure;
use eduaid_model::convert::clamped;

/// The nutrition plan's two batches: their days, schools and students.
pub(super) fn nutrition_batches(g: &mut Gather<'_>, c: &County<'_>, r: &RosterFigures) -> Result<(), Error> {
    let p = g.p();
    let [first_day, second_day] = match g.settings.nutrition_batches {
        Some(days) => days,
        None => {
            let days: BTreeSet<NaiveDate> = r.schools.iter().filter_map(|s| s.nutrition_plan_from).collect();
            match (days.first(), days.last()) {
                (Some(a), Some(b)) => [*a, *b],
                _ => return g.add(Err(Error::NoNutritionPlan)),
            }
        }
    };
    let in_plan = |d: NaiveDate| -> BTreeSet<&SchoolId> {
        r.schools
            .iter()
            .filter(|s| s.in_nutrition_plan_on(d))
            .map(|s| &s.id)
            .collect()
    };
    // Counted in the roster's pass: the students in school that day at the
    // schools in the plan that day.
    let at = |d: NaiveDate| r.nutrition_students(d);
    let first = in_plan(first_day);
    let second = in_plan(second_day);
    let second_year = SchoolYear::containing(second_day);
    let grades = || c.counts.grades.iter().filter(|gc| gc.year == second_year);
    let (second_students, zh, en) = if grades().next().is_some() {
        let n = grades()
            .filter_map(|gc| second.contains(&gc.school_id).then_some(gc.enrolled))
            .sum();
        (
            n,
            format!("基表：上述学校{}在校生", second_year.to_chinese()),
            format!("{second_year} grade counts of those schools"),
        )
    } else {
        (
            at(second_day)?,
            format!("名册：上述学校{second_day}在校生"),
            format!("students in school at those schools on {second_day}"),
        )
    };
    let nsrc = |zh: &str, en: &str| p.source(Some("nutrition"), Origin::Schools, zh, en);
    let joined = nsrc("名册：学校纳入营养改善计划日期", "schools.nutrition_plan_from");
    g.add(Ok(Figure::date(
        Key::NutritionStartDate,
        "营养改善计划第一批启动日期",
        first_day,
        joined.clone(),
    )))?;
    g.add(Ok(Figure::date(
        Key::NutritionSecondDate,
        "营养改善计划第二批启动日期",
        second_day,
        joined,
    )))?;
    let schools_on = |d: NaiveDate| {
        nsrc(
            &format!("名册：{d}在计划内的学校"),
            &format!("schools in the plan on {d}"),
        )
    };
    let n_first = clamped::<_, u64>(first.len());
    let n_second = clamped::<_, u64>(second.len());
    g.count(
        Key::NutritionSchoolsFirst,
        "营养改善计划第一批学校",
        n_first,
        "所",
        schools_on(first_day),
    )?;
    g.count(
        Key::NutritionStudentsFirst,
        "营养改善计划第一批受益学生",
        at(first_day)?,
        "人",
        nsrc(
            &format!("名册：上述学校{first_day}在校生"),
            &format!("students in school at those schools on {first_day}"),
        ),
    )?;
    g.count(
        Key::NutritionSchoolsSecond,
        "营养改善计划第二批学校",
        n_second,
        "所",
        schools_on(second_day),
    )?;
    for key in [
        Key::NutritionSecondDate,
        Key::NutritionSchoolsSecond,
        Key::NutritionStudentsSecond,
    ] {
        g.dated.push((key.to_string(), second_day));
    }
    g.count(
        Key::NutritionStudentsSecond,
        "营养改善计划第二批受益学生",
        second_students,
        "人",
        nsrc(&zh, &en),
    )
}

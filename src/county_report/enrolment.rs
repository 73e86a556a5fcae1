//! Students in school by stage (学段), the registered-poor students and
//! their helpers (帮扶责任人), and the teachers counted in the base forms.

use super::gather::{Gather, Origin, rate};
use super::keys::Key;
use super::{County, Error, RosterFigures};
use crate::model::Stage;

/// Students in school on the term's reference date by stage, the
/// registered-poor and their helpers, teachers.
pub(super) fn enrolment(g: &mut Gather<'_>, c: &County<'_>, r: &RosterFigures) -> Result<(), Error> {
    let on = c.spring.reference_date();
    let (poor, helped) = (r.poor, r.helped);
    let n = |s: Stage| r.by_stage.get(&s).copied().unwrap_or(0);
    let total: u64 = [
        Stage::Preschool,
        Stage::Primary,
        Stage::Junior,
        Stage::Senior,
        Stage::Vocational,
    ]
    .into_iter()
    .map(n)
    .sum();
    let p = g.p();
    let src = p.source(
        None,
        Origin::Roster,
        &format!("名册：{on}在校生按学段"),
        &format!("students in school on {on}, by stage"),
    );
    for (key, label, v) in [
        (Key::StudentsPreschool, "在园幼儿", n(Stage::Preschool)),
        (Key::StudentsPrimary, "小学在校生", n(Stage::Primary)),
        (Key::StudentsJunior, "初中在校生", n(Stage::Junior)),
        (
            Key::StudentsSeniorStage,
            "高中阶段在校生（普通高中和中职）",
            n(Stage::Senior) + n(Stage::Vocational),
        ),
        (Key::StudentsTotal, "在校学生总计", total),
    ] {
        g.count(key, label, v, "人", src.clone())?;
        g.dated.push((key.to_string(), on));
    }
    let psrc = p.source(
        None,
        Origin::Roster,
        &format!("名册：{on}在校且家庭为建档立卡"),
        &format!("students in school on {on} whose household is registered poor"),
    );
    g.count(Key::PoorStudentsTotal, "建档立卡在校学生", poor, "人", psrc.clone())?;
    g.count(
        Key::PoorStudentsWithHelper,
        "已落实帮扶责任人的建档立卡学生",
        helped,
        "人",
        psrc.clone(),
    )?;
    g.add(rate(
        Key::HelperCoverage,
        "帮扶责任人覆盖率",
        i128::from(helped),
        i128::from(poor),
        2,
        psrc,
    ))?;
    let year = c.spring.year;
    if !c.counts.teachers.iter().any(|t| t.year == year) {
        return g.absent(Error::NoTeachers { year });
    }
    let teachers: u64 = c
        .counts
        .teachers
        .iter()
        .filter(|t| t.year == year)
        .map(|t| t.teachers)
        .sum();
    let src = p.source(
        None,
        Origin::Roster,
        &format!("基表：{}专任教师", year.to_chinese()),
        &format!("teachers {year}"),
    );
    g.count(
        Key::TeachersTotal,
        &format!("专任教师（{}）", year.to_chinese()),
        teachers,
        "人",
        src,
    )
}

//! `eduaid evaluate`: every student's entitlements for the terms asked,
//! with totals by program and stage.

use eduaid_eligibility::{Benefit, Row, Totals};
use eduaid_model::{Money, Roster};

use crate::cli::EvaluateArgs;
use crate::common::{Ctx, Status, wan};
use crate::output::{OutKind, Sheet, Val, write_sheets};
use crate::{inputs, policy, progress};

/// The columns of the entitlements sheet: English name and Chinese header.
/// `eduaid reconcile --entitlements` reads either.
pub(crate) const ENTITLEMENT_COLUMNS: &[(&str, &str)] = &[
    ("student_id", "学籍号"),
    ("name", "姓名"),
    ("school_id", "学校标识码"),
    ("school", "学校"),
    ("township", "乡镇"),
    ("stage", "学段"),
    ("grade", "年级"),
    ("program", "资助项目"),
    ("program_name", "项目名称"),
    ("benefit", "资助方式"),
    ("term", "学期"),
    ("amount", "金额（元）"),
    ("left_on", "离校日期"),
];

/// The name of the entitlements sheet in each language.
pub(crate) const ENTITLEMENT_SHEETS: &[&str] = &["entitlements", "应助名单"];

/// A kind of benefit in words.
pub(crate) fn benefit_words(b: Benefit, zh: bool) -> &'static str {
    match (b, zh) {
        (Benefit::Cash, false) => "cash",
        (Benefit::Waiver, false) => "waiver",
        (Benefit::InKind, false) => "in kind",
        (Benefit::Ceiling, false) => "ceiling",
        (Benefit::Cash, true) => "现金（打卡发放）",
        (Benefit::Waiver, true) => "免除",
        (Benefit::InKind, true) => "实物",
        (Benefit::Ceiling, true) => "上限（非应发）",
    }
}

/// Run the command.
pub(crate) fn run(args: &EvaluateArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    if let Some(out) = &args.out {
        OutKind::of(out)?;
    }
    let engine = policy::engine(&args.policy)?;
    let (roster, rejected) = inputs::open_roster(&args.data, ctx)?;
    let zh = ctx.zh();
    let header: Vec<&str> = ENTITLEMENT_COLUMNS
        .iter()
        .map(|(en, c)| if zh { *c } else { *en })
        .collect();
    let mut rows = Sheet::new(if zh { "应助名单" } else { "entitlements" }, &header);
    let want_rows = args.out.is_some();
    let mut sink = |r: &Row<'_>| {
        if !want_rows {
            return;
        }
        let stage = if zh {
            r.student.stage.chinese()
        } else {
            r.student.stage.code()
        };
        rows.push(vec![
            r.student.id.to_string().into(),
            r.student.name.clone().into(),
            r.school.id.to_string().into(),
            r.school.name.clone().into(),
            r.school.township.clone().into(),
            stage.into(),
            u64::from(r.student.grade).into(),
            r.program.id.to_string().into(),
            r.program.name.clone().into(),
            benefit_words(r.program.benefit, zh).into(),
            r.term.to_string().into(),
            Money::from_decimal_exact(r.amount).into(),
            r.student.left_on().map(|d| d.to_string()).into(),
        ]);
    };
    let total = u64::try_from(roster.student_count()?).unwrap_or(0);
    let bar = progress::bar(total, ctx.t("evaluating", "计算中"), ctx);
    let ticking = progress::Ticking {
        inner: &roster,
        bar: &bar,
    };
    let totals = engine.run(&ticking, &args.term, false, Some(&mut sink))?;
    bar.finish_and_clear();
    for s in &totals.skipped {
        errln!(
            "{}: {} {}: {}",
            ctx.t("skipped", "未计算"),
            ctx.t("student", "学生"),
            s.student,
            s.reason
        );
    }
    let skipped = u64::try_from(totals.skipped.len()).unwrap_or(0);
    let (by_program, by_stage) = summary_sheets(&totals, zh);
    if let Some(out) = &args.out {
        let files = write_sheets(out, &[rows, by_program.clone(), by_stage.clone()])?;
        for f in files {
            ctx.info(&format!("{} {}", ctx.t("wrote", "已写入"), f.display()));
        }
    }
    if ctx.json {
        ctx.print_json(&totals)?;
    } else {
        let terms: Vec<String> = totals.terms.iter().map(ToString::to_string).collect();
        if zh {
            outln!(
                "{}：在册学生 {} 人，计算 {} 人，享受资助 {} 人，应发合计 {} 元（{} 万元）",
                terms.join("、"),
                totals.students,
                totals.evaluated,
                totals.persons_entitled,
                crate::common::yuan(totals.owed()),
                wan(totals.owed())
            );
        } else {
            outln!(
                "{}: {} students, {} evaluated, {} entitled; owed {} yuan ({} 万元)",
                terms.join(", "),
                totals.students,
                totals.evaluated,
                totals.persons_entitled,
                crate::common::yuan(totals.owed()),
                wan(totals.owed())
            );
        }
        outln!();
        by_program.print();
        outln!();
        by_stage.print();
    }
    Ok(Status::bad_if(rejected + skipped))
}

/// The totals by program, and by program and stage.
fn summary_sheets(totals: &Totals, zh: bool) -> (Sheet, Sheet) {
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut by_program = Sheet::new(
        h("totals", "汇总"),
        &[
            h("program", "资助项目"),
            h("name", "项目名称"),
            h("benefit", "资助方式"),
            h("persons", "人数"),
            h("person_terms", "人次"),
            h("amount_yuan", "金额（元）"),
            h("amount_wan_yuan", "金额（万元）"),
        ],
    );
    let mut by_stage = Sheet::new(
        h("by_stage", "分学段"),
        &[
            h("program", "资助项目"),
            h("stage", "学段"),
            h("persons", "人数"),
            h("person_terms", "人次"),
            h("amount_yuan", "金额（元）"),
        ],
    );
    for p in totals.programs.iter().filter(|p| p.total.person_terms > 0) {
        by_program.push(vec![
            p.id.to_string().into(),
            p.name.clone().into(),
            benefit_words(p.benefit, zh).into(),
            p.total.persons.into(),
            p.total.person_terms.into(),
            p.total.amount.into(),
            wan(p.total.amount).into(),
        ]);
        for (stage, t) in &p.by_stage {
            by_stage.push(vec![
                p.id.to_string().into(),
                (if zh { stage.chinese() } else { stage.code() }).into(),
                t.persons.into(),
                t.person_terms.into(),
                t.amount.into(),
            ]);
        }
    }
    let owed = totals.owed();
    by_program.push(vec![
        h("total (owed)", "合计（应发）").into(),
        Val::Empty,
        Val::Empty,
        totals.persons_entitled.into(),
        totals
            .programs
            .iter()
            .filter(|p| p.benefit.is_owed())
            .map(|p| p.total.person_terms)
            .sum::<u64>()
            .into(),
        owed.into(),
        wan(owed).into(),
    ]);
    (by_program, by_stage)
}

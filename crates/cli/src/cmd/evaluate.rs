//! `eduaid evaluate`: every student's entitlements for the terms asked,
//! with totals by program and stage.

use std::collections::HashMap;
use std::path::Path;

use eduaid::eligibility::{Benefit, Row, RunOptions, Totals};
use eduaid::io::{ENTITLEMENT_COLUMNS, TableWriter};
use eduaid::model::convert::clamped;
use eduaid::model::{Money, Roster};

use crate::cli::EvaluateArgs;
use crate::common::{Ctx, Status, wan};
use crate::output::{self, Sheet, Val};
use crate::{inputs, policy, progress};

/// The sheets `evaluate --out` writes, in English and in Chinese: the
/// entitlements (one row per student, program and term), the totals by
/// program and by program and stage. In CSV the second and third go to
/// `<stem>-<sheet>.csv` beside the file.
const SHEETS: [[&str; 3]; 2] = [["entitlements", "totals", "by_stage"], ["应助名单", "汇总", "分学段"]];

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

/// One row of the entitlements file ([`ENTITLEMENT_COLUMNS`]): the student,
/// the school, the program, the amount, and its basis (the rule, the tier
/// and the policy document that set it).
pub(crate) fn entitlement_cells(r: &Row<'_>, zh: bool) -> [Val; 16] {
    let stage = if zh {
        r.student.stage.chinese()
    } else {
        r.student.stage.code()
    };
    let basis = r.basis.as_ref();
    [
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
        (if zh { r.term.to_chinese() } else { r.term.to_string() }).into(),
        r.amount.into(),
        r.student.left_on().map(|d| d.to_string()).into(),
        basis.map(|b| b.label.unwrap_or(b.rule).to_string()).into(),
        basis.and_then(|b| b.tier).map(str::to_string).into(),
        basis.map(|b| b.cite.to_string()).into(),
    ]
}

/// Run the command.
pub(crate) fn run(args: &EvaluateArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let zh = ctx.zh();
    let names = SHEETS[usize::from(zh)];
    // Before any work: the output is not an input, its folder takes a file;
    // the rows then stream into it as they are computed.
    if let Some(out) = &args.out {
        let mut read = output::roster_inputs(&args.data);
        read.extend(output::policy_inputs(&args.policy.policy));
        output::guard_table_out(out, &names, &read)?;
    }
    let engine = policy::engine(&args.policy)?;
    // A term the policy cannot resolve (a parameter with a gap in its
    // dates) is refused before the files are read.
    for term in &args.term {
        engine.plan(*term)?;
    }
    // The students file is read once: the roster keeps its students (and
    // their bank numbers) unless the file is too large to hold.
    let (mut roster, rejected) = inputs::open_roster(&args.data, ctx)?;
    let mut list = match &args.out {
        Some(out) => Some(EntitlementList::create(
            args,
            out,
            roster.take_bank_details(),
            names[0],
            ctx,
        )?),
        None => None,
    };
    let totals = compute(&engine, &roster, &args.term, list.as_mut(), ctx)?;
    report_skipped(&totals, zh, ctx);
    let skipped = clamped::<_, u64>(totals.skipped.len());
    let (by_program, by_stage) = summary_sheets(&totals, names);
    if let (Some(list), Some(out)) = (list, &args.out) {
        list.finish(out, (&by_program, &by_stage), &engine, args, ctx)?;
    }
    print_totals(&totals, &by_program, &by_stage, zh, ctx)?;
    Ok(Status::bad_if(rejected + skipped))
}

/// The students file's bank payment numbers, by student.
type BankBook = HashMap<eduaid::model::StudentId, eduaid::io::BankDetails>;

/// The entitlement list `--out` writes, its rows streamed in as they are
/// computed: the writer, the bank columns, the totals rows kept so far and
/// the first write error (after which nothing more is written).
struct EntitlementList {
    writer: TableWriter,
    zh: bool,
    /// The bank payment columns the students file gives (身份证号, 银行卡号,
    /// 联系电话), by student: masked unless `--full-numbers`.
    bank: BankBook,
    bank_columns: Vec<BankColumn>,
    /// The list's totals row per kind of benefit: rows and amount.
    totals: [(u64, Money); 4],
    write_error: Option<eduaid::io::Error>,
}

impl EntitlementList {
    /// Create the `--out` file with its header (and the bank columns the
    /// students file has) and its title; `kept` are the bank numbers the
    /// roster's read kept.
    fn create(args: &EvaluateArgs, out: &Path, kept: Option<BankBook>, sheet: &str, ctx: &Ctx) -> anyhow::Result<Self> {
        let zh = ctx.zh();
        let (bank, bank_columns) = bank_details(args, kept, ctx)?;
        let mut header: Vec<&str> = ENTITLEMENT_COLUMNS
            .iter()
            .map(|(en, c)| if zh { *c } else { *en })
            .collect();
        header.extend(bank_columns.iter().map(|c| bank_header(*c, zh)));
        let title = list_title(&args.term, zh);
        let writer = TableWriter::create_with_title(out, sheet, &header, Some(&title))?;
        Ok(EntitlementList {
            writer,
            zh,
            bank,
            bank_columns,
            totals: [(0, Money::ZERO); 4],
            write_error: None,
        })
    }

    /// Write one entitlement (with the student's bank numbers) and count
    /// it in the totals of its kind of benefit; nothing after a failed write.
    fn push(&mut self, r: &Row<'_>) {
        if self.write_error.is_some() {
            return;
        }
        let t = &mut self.totals[benefit_index(r.program.benefit)];
        t.0 += 1;
        t.1 = t.1.checked_add(r.amount).unwrap_or(t.1);
        let mut row = entitlement_cells(r, self.zh).to_vec();
        if !self.bank_columns.is_empty() {
            let b = self.bank.get(&r.student.id);
            for c in &self.bank_columns {
                let v = b.and_then(|b| match c {
                    BankColumn::IdCard => b.id_card.clone(),
                    BankColumn::Account => b.bank_account.clone(),
                    BankColumn::Phone => b.phone.clone(),
                });
                row.push(v.into());
            }
        }
        if let Err(e) = self.writer.push(&row) {
            self.write_error = Some(e);
        }
    }

    /// Finish the file: the totals rows below the list, the totals by
    /// program (titled) and by stage, the 说明 sheets; then say what was
    /// written.
    fn finish(
        mut self,
        out: &Path,
        (by_program, by_stage): (&Sheet, &Sheet),
        engine: &eduaid::eligibility::Engine,
        args: &EvaluateArgs,
        ctx: &Ctx,
    ) -> anyhow::Result<()> {
        let zh = self.zh;
        for row in list_total_rows(&self.totals, zh) {
            self.writer.push_total(row);
        }
        let title = list_title(&args.term, zh);
        let mut sheets = vec![
            by_program
                .0
                .clone()
                .with_title(&format!("{title}{}", if zh { "（汇总）" } else { ": totals" })),
            by_stage.0.clone(),
        ];
        sheets.extend(output::about_sheets(
            out,
            zh,
            &about_items(engine, &args.term, &args.data, zh),
        ));
        let written = self.writer.finish(&sheets)?;
        output::report_written(&written, ctx);
        Ok(())
    }
}

/// Compute the terms' entitlements over the roster under a progress bar,
/// each row streamed into the list if there is one; a failed write of the
/// list is the error.
fn compute<R: Roster + ?Sized>(
    engine: &eduaid::eligibility::Engine,
    roster: &R,
    terms: &[eduaid::model::Term],
    mut list: Option<&mut EntitlementList>,
    ctx: &Ctx,
) -> anyhow::Result<Totals> {
    let mut sink = |r: &Row<'_>| {
        if let Some(l) = list.as_mut() {
            l.push(r);
        }
    };
    let total = clamped::<_, u64>(roster.student_count()?);
    let bar = progress::bar(total, ctx.t("evaluating", "计算中"), ctx);
    let ticking = progress::ticking(roster, &bar);
    let totals = engine.run(&ticking, terms, RunOptions::default(), Some(&mut sink))?;
    bar.finish_and_clear();
    if let Some(e) = list.and_then(|l| l.write_error.take()) {
        return Err(e.into());
    }
    Ok(totals)
}

/// The students skipped (on stderr), then the students whose aid needs
/// data the records lack (a fee waiver at a school with no tuition on
/// record) as warnings: listed, not counted at 0.00.
fn report_skipped(totals: &Totals, zh: bool, ctx: &Ctx) {
    for s in &totals.skipped {
        errln!(
            "{}: {} {}: {}",
            ctx.t("skipped", "未计算"),
            ctx.t("student", "学生"),
            s.student,
            s.reason
        );
    }
    let warnings = if zh { totals.warnings() } else { totals.warnings_en() };
    for w in &warnings {
        ctx.warn(w);
    }
}

/// The totals on stdout: JSON with `--json`, else one line of the terms'
/// students and amounts, then the tables by program and by stage.
fn print_totals(totals: &Totals, by_program: &Sheet, by_stage: &Sheet, zh: bool, ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.json {
        ctx.print_json(totals)?;
    } else {
        let terms: Vec<String> = totals
            .terms
            .iter()
            .map(|t| if zh { t.to_chinese() } else { t.to_string() })
            .collect();
        let y = crate::common::yuan;
        if zh {
            outln!(
                "{}：在册学生 {} 人，计算 {} 人，享受资助 {} 人；现金（打卡发放）{} 元（{} 万元），免除 {} 元，实物 {} 元",
                terms.join("、"),
                totals.students,
                totals.evaluated,
                totals.persons_entitled,
                y(totals.cash()),
                wan(totals.cash()),
                y(totals.waived()),
                y(totals.in_kind())
            );
        } else {
            outln!(
                "{}: {} students, {} evaluated, {} entitled; cash {} yuan ({} 万元), waived {} yuan, in kind {} yuan",
                terms.join(", "),
                totals.students,
                totals.evaluated,
                totals.persons_entitled,
                y(totals.cash()),
                wan(totals.cash()),
                y(totals.waived()),
                y(totals.in_kind())
            );
        }
        outln!();
        by_program.print();
        outln!();
        by_stage.print();
    }
    Ok(())
}

/// A column a bank payment file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BankColumn {
    IdCard,
    Account,
    Phone,
}

fn bank_header(c: BankColumn, zh: bool) -> &'static str {
    match (c, zh) {
        (BankColumn::IdCard, true) => "身份证号",
        (BankColumn::Account, true) => "银行卡号",
        (BankColumn::Phone, true) => "联系电话",
        (BankColumn::IdCard, false) => "id_card",
        (BankColumn::Account, false) => "bank_account",
        (BankColumn::Phone, false) => "phone",
    }
}

/// The students file's bank payment numbers by student (masked unless
/// `--full-numbers`), and the columns that hold any; nothing when the file
/// has none of those columns. `kept` are those the roster's read kept;
/// without them (a file too large to keep) the file is read for them.
fn bank_details(args: &EvaluateArgs, kept: Option<BankBook>, ctx: &Ctx) -> anyhow::Result<(BankBook, Vec<BankColumn>)> {
    let mut book = match kept {
        Some(kept) => kept,
        None => {
            let Some(path) = inputs::pick(args.data.students.as_ref(), args.data.data.as_ref(), "students") else {
                return Ok(Default::default());
            };
            eduaid::io::read_bank_details(eduaid::io::Input::Path(&path), &inputs::read_options(&args.data))?
        }
    };
    if book.is_empty() {
        return Ok((book, Vec::new()));
    }
    if !args.full_numbers {
        for b in book.values_mut() {
            *b = b.masked();
        }
    }
    let mut columns = Vec::new();
    for (c, has) in [
        (BankColumn::IdCard, book.values().any(|b| b.id_card.is_some())),
        (BankColumn::Account, book.values().any(|b| b.bank_account.is_some())),
        (BankColumn::Phone, book.values().any(|b| b.phone.is_some())),
    ] {
        if has {
            columns.push(c);
        }
    }
    ctx.info(&if args.full_numbers {
        ctx.t(
            "the list holds identity card, bank account and telephone numbers in full (--full-numbers): keep it as the bank's data",
            "名单中写出了完整的身份证号、银行卡号和联系电话（--full-numbers）：请按个人信息妥善保管",
        )
        .to_string()
    } else {
        ctx.t(
            "identity card, bank account and telephone numbers are masked in the list; give --full-numbers for a bank payment file",
            "名单中的身份证号、银行卡号和联系电话只写部分号码；制作银行代发文件请加 --full-numbers",
        )
        .to_string()
    });
    Ok((book, columns))
}

/// The title above the entitlement list of a workbook:
/// `2017年春季学期学生资助应助名单`.
fn list_title(terms: &[eduaid::model::Term], zh: bool) -> String {
    if zh {
        let t: Vec<String> = terms.iter().map(|t| t.to_chinese()).collect();
        format!("{}学生资助应助名单", t.join("、"))
    } else {
        let t: Vec<String> = terms.iter().map(ToString::to_string).collect();
        format!("Student aid entitlements, {}", t.join(", "))
    }
}

/// The four kinds of benefit, in the order the list's totals rows show
/// them.
const BENEFITS: [(Benefit, &str, &str); 4] = [
    (Benefit::Cash, "total cash", "现金合计"),
    (Benefit::Waiver, "total waived", "免除合计"),
    (Benefit::InKind, "total in kind", "实物合计"),
    (Benefit::Ceiling, "total ceilings (not owed)", "上限合计（非应发）"),
];

fn benefit_index(b: Benefit) -> usize {
    BENEFITS.iter().position(|(x, ..)| *x == b).unwrap_or(0)
}

/// The totals rows below the entitlement list of a workbook, one per kind
/// of benefit present (cash, fees waived and goods in kind are never added
/// together): the label in the 学籍号 column, the rows (人次) in the name
/// column, the amount in the amount column. `read_entitlements` skips them.
fn list_total_rows(totals: &[(u64, Money); 4], zh: bool) -> Vec<Vec<Val>> {
    let mut rows = Vec::new();
    for ((n, amount), (benefit, en, c)) in totals.iter().zip(BENEFITS) {
        if *n == 0 {
            continue;
        }
        let mut row = vec![Val::Empty; ENTITLEMENT_COLUMNS.len()];
        row[0] = (if zh { c } else { en }).into();
        row[1] = (if zh { format!("{n}人次") } else { format!("{n} rows") }).into();
        row[9] = benefit_words(benefit, zh).into();
        row[11] = (*amount).into();
        rows.push(row);
    }
    rows
}

/// What the 说明 sheet of an output says: the policy layers, the terms,
/// the inputs.
pub(crate) fn about_items(
    engine: &eduaid::eligibility::Engine,
    terms: &[eduaid::model::Term],
    data: &crate::cli::DataArgs,
    zh: bool,
) -> Vec<(&'static str, &'static str, String)> {
    let title = engine.policy().map(|p| p.title().to_string()).unwrap_or_default();
    let terms: Vec<String> = terms
        .iter()
        .map(|t| if zh { t.to_chinese() } else { t.to_string() })
        .collect();
    let inputs: Vec<String> = output::roster_inputs(data)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    vec![
        ("policy layers", "政策层", policy::engine_layers(engine)),
        ("policy", "政策", title),
        ("terms", "学期", terms.join(if zh { "、" } else { ", " })),
        ("inputs", "输入文件", inputs.join(if zh { "；" } else { "; " })),
    ]
}

/// The totals by program, and by program and stage.
fn summary_sheets(totals: &Totals, names: [&str; 3]) -> (Sheet, Sheet) {
    let zh = names == SHEETS[1];
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut by_program = Sheet::new(
        names[1],
        &[
            h("program", "项目编号"),
            h("name", "资助项目"),
            h("benefit", "资助方式"),
            h("persons", "人数"),
            h("person_terms", "人次"),
            h("amount_yuan", "金额（元）"),
            h("amount_wan_yuan", "金额（万元）"),
        ],
    );
    let mut by_stage = Sheet::new(
        names[2],
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
            Val::Wan(p.total.amount),
        ]);
        for (stage, t) in &p.by_stage {
            // A clerk reads the program's name; the English sheet keeps the id.
            by_stage.push(vec![
                (if zh { p.name.clone() } else { p.id.to_string() }).into(),
                (if zh { stage.chinese() } else { stage.code() }).into(),
                t.persons.into(),
                t.person_terms.into(),
                t.amount.into(),
            ]);
        }
    }
    // One totals row per kind of benefit: cash, fees waived and goods in
    // kind are never added together as if all were money paid out.
    for (benefit, en, zh_label) in [
        (Benefit::Cash, "total cash", "现金合计"),
        (Benefit::Waiver, "total waived", "免除合计"),
        (Benefit::InKind, "total in kind", "实物合计"),
    ] {
        let of: Vec<_> = totals
            .programs
            .iter()
            .filter(|p| p.benefit == benefit && p.total.person_terms > 0)
            .collect();
        if of.is_empty() {
            continue;
        }
        let amount = totals.of_benefit(benefit);
        by_program.push(vec![
            h(en, zh_label).into(),
            Val::Empty,
            benefit_words(benefit, zh).into(),
            Val::Empty,
            of.iter().map(|p| p.total.person_terms).sum::<u64>().into(),
            amount.into(),
            Val::Wan(amount),
        ]);
    }
    (by_program, by_stage)
}

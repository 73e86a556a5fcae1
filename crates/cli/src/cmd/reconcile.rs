//! `eduaid reconcile`: what was paid against what was owed (应补尽补),
//! written as a spreadsheet a clerk works through line by line.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use eduaid::eligibility::{FindingKind, Owed, OwedMap, Payee, Reconciliation, Scope, reconcile, reconcile_owed};
use eduaid::model::convert::clamped;
use eduaid::model::{MemoryRoster, Money, NaiveDate, ProgramCatalogue, ProgramId, Roster, StudentId, Term};

use crate::cli::ReconcileArgs;
use crate::common::{Ctx, Status};
use crate::output::{self, Sheet, Val};
use crate::{inputs, policy, progress};

/// The sheets `reconcile --out` writes, in English and in Chinese: the
/// findings, and the summary (in CSV `<stem>-<sheet>.csv` beside the file).
const SHEETS: [[&str; 2]; 2] = [["findings", "summary"], ["核对问题", "汇总"]];

/// A student as the findings sheet names them.
#[derive(Debug, Clone, Default)]
struct Who {
    name: String,
    school: String,
}

/// Run the command.
pub(crate) fn run(args: &ReconcileArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let names = SHEETS[usize::from(ctx.zh())];
    inputs::check_dir(args.data.data.as_ref())?;
    let disb_path = disbursements_path(args, ctx)?;
    if let Some(out) = &args.out {
        let mut read = output::roster_inputs(&args.data);
        read.extend(output::policy_inputs(&args.policy.policy));
        read.push(disb_path.clone());
        read.extend(args.entitlements.iter().cloned());
        output::guard_table_out(out, &names, &read)?;
    }
    let Checked {
        recon,
        who,
        rejected,
        about,
    } = match &args.entitlements {
        Some(ent) => against_entitlements(args, ent, &disb_path, ctx)?,
        None => against_roster(args, &disb_path, ctx)?,
    };
    let zh = ctx.zh();
    let programs = zh_program_names(args, zh);
    let findings = findings_sheet(&recon, &who, &programs, names[0], zh);
    let summary = summary_sheet(&recon, names[1], zh);
    if let Some(out) = &args.out {
        write_out(out, findings, &summary, about, (args, &disb_path), ctx)?;
    }
    if ctx.json {
        ctx.print_json(&recon)?;
    } else {
        print_findings(&recon, &summary, &programs, ctx);
    }
    Ok(Status::findings_if(!recon.findings.is_empty()).max(Status::bad_if(rejected)))
}

/// The disbursements file: `--disbursements`, else the one in `--data`.
fn disbursements_path(args: &ReconcileArgs, ctx: &Ctx) -> anyhow::Result<PathBuf> {
    inputs::pick(args.disbursements.as_ref(), args.data.data.as_ref(), "disbursements").context(ctx.t(
        "no disbursements file: give --disbursements FILE (or --data DIR holding disbursements.csv)",
        "缺少资金发放文件：请用 --disbursements FILE 指定（或 --data DIR 中含 disbursements.csv）",
    ))
}

/// A reconciliation done: the findings, the students they name, the rows
/// rejected in the inputs and what the 说明 sheet says of the policy.
struct Checked {
    recon: Reconciliation,
    who: HashMap<StudentId, Who>,
    rejected: u64,
    /// The 说明 sheet's items: the policy layers, the terms, the inputs
    /// (none when the entitlements come from a file).
    about: Vec<(&'static str, &'static str, String)>,
}

/// What was paid against an entitlements file written by `evaluate --out`.
fn against_entitlements(args: &ReconcileArgs, ent: &Path, disb_path: &Path, ctx: &Ctx) -> anyhow::Result<Checked> {
    let programs = policy::compose(&args.policy)?.catalogue()?;
    let (disbursements, rejected_d) = inputs::load_disbursements(disb_path, &programs, ctx)?;
    let table = read_entitlements(ent, &programs, ctx)?;
    let recon = reconcile_owed(&table, &disbursements, &Scope::of(&disbursements))?;
    Ok(Checked {
        recon,
        who: table.who,
        rejected: rejected_d + table.rejected,
        about: Vec::new(),
    })
}

/// What was paid against what the policy owes the roster's students,
/// computed under a progress bar; a roster is required.
fn against_roster(args: &ReconcileArgs, disb_path: &Path, ctx: &Ctx) -> anyhow::Result<Checked> {
    if !inputs::has_roster(&args.data) {
        anyhow::bail!(ctx.t(
            "give either --entitlements FILE, or the roster (--data DIR, or --schools and --students) to compute them",
            "请给出 --entitlements FILE，或给出名册（--data DIR，或 --schools 和 --students）以计算应发",
        ));
    }
    let engine = policy::engine(&args.policy)?;
    let about = crate::cmd::evaluate::about_items(&engine, &[], &args.data, ctx.zh());
    let loaded = inputs::load_roster(&args.data, ctx)?;
    let (disbursements, rejected_d) = inputs::load_disbursements(disb_path, &policy::catalogue(&engine)?, ctx)?;
    let total = clamped::<_, u64>(loaded.roster.student_count()?);
    let bar = progress::bar(total, ctx.t("reconciling", "核对中"), ctx);
    let ticking = progress::ticking(&loaded.roster, &bar);
    let recon = reconcile(&engine, &ticking, &disbursements, &Scope::of(&disbursements))?;
    bar.finish_and_clear();
    let who = who_of(&recon, &loaded.roster)?;
    Ok(Checked {
        recon,
        who,
        rejected: loaded.rejected + rejected_d,
        about,
    })
}

/// The name and school of each student the findings name, from the roster.
fn who_of(recon: &Reconciliation, roster: &MemoryRoster) -> anyhow::Result<HashMap<StudentId, Who>> {
    let mut who = HashMap::new();
    for f in &recon.findings {
        if who.contains_key(&f.student) {
            continue;
        }
        if let Some(s) = roster.student(&f.student)? {
            let school = roster
                .school(&s.school_id)?
                .map_or_else(|| s.school_id.to_string(), |sc| sc.name.clone());
            who.insert(f.student.clone(), Who { name: s.name, school });
        }
    }
    Ok(who)
}

/// Programs by their Chinese names in Chinese output (the policy given, or
/// the national catalogue); none in English.
fn zh_program_names(args: &ReconcileArgs, zh: bool) -> Vec<(String, String)> {
    if zh {
        policy::engine(&args.policy)
            .map(|e| e.programs().map(|p| (p.id.to_string(), p.name.clone())).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    }
}

/// Write the `--out` file: the findings (titled), the summary and the 说明
/// sheets, which name the entitlements and disbursements files read; then
/// say what was written.
fn write_out(
    out: &Path,
    findings: Sheet,
    summary: &Sheet,
    mut about: Vec<(&'static str, &'static str, String)>,
    (args, disb_path): (&ReconcileArgs, &Path),
    ctx: &Ctx,
) -> anyhow::Result<()> {
    let zh = ctx.zh();
    if let Some(ent) = &args.entitlements {
        about.push(("entitlements", "应助名单", ent.display().to_string()));
    }
    about.push(("disbursements", "发放记录", disb_path.display().to_string()));
    about.retain(|(en, _, v)| *en != "terms" || !v.is_empty());
    let title = if zh {
        "学生资助资金发放核对问题清单（应补尽补）"
    } else {
        "Student aid paid against owed: findings"
    };
    let mut sheets = vec![findings.0.with_title(title), summary.0.clone()];
    sheets.extend(output::about_sheets(out, zh, &about));
    let written = eduaid::io::write_sheets(out, &sheets)?;
    output::report_written(&written, ctx);
    Ok(())
}

/// The summary on the terminal, then each finding: in Chinese with the
/// programs' Chinese names, in English as the finding words itself.
fn print_findings(recon: &Reconciliation, summary: &Sheet, programs: &[(String, String)], ctx: &Ctx) {
    summary.print();
    if !recon.findings.is_empty() {
        outln!();
        for f in &recon.findings {
            if ctx.zh() {
                outln!(
                    "{}：学生 {} {} {}：{}",
                    f.kind.chinese(),
                    f.student,
                    program_name(programs, f.program.as_str()),
                    f.term.to_chinese(),
                    crate::zh::program_names(&ctx.msg(&f.evidence), programs)
                );
            } else {
                outln!("{f}");
            }
        }
    }
}

/// A program's Chinese name, or its id where the catalogue lacks it.
fn program_name<'a>(programs: &'a [(String, String)], id: &'a str) -> &'a str {
    programs.iter().find(|(p, _)| p == id).map_or(id, |(_, n)| n.as_str())
}

fn findings_sheet(
    recon: &Reconciliation,
    who: &HashMap<StudentId, Who>,
    programs: &[(String, String)],
    name: &str,
    zh: bool,
) -> Sheet {
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut s = Sheet::new(
        name,
        &[
            h("no", "序号"),
            h("finding", "问题"),
            h("kind", "问题代码"),
            h("student_id", "学籍号"),
            h("name", "姓名"),
            h("school", "学校"),
            h("program", "资助项目"),
            h("term", "学期"),
            h("owed", "应发（元）"),
            h("paid", "实发（元）"),
            h("payments", "发放流水号"),
            h("evidence", "说明"),
            h("action_taken", "处理情况"),
            h("handled_by", "经办人"),
        ],
    );
    for (i, f) in recon.findings.iter().enumerate() {
        let w = who.get(&f.student).cloned().unwrap_or_default();
        s.push(vec![
            clamped::<_, u64>(i + 1).into(),
            f.kind.chinese().into(),
            kind_code(f.kind).into(),
            f.student.to_string().into(),
            w.name.into(),
            w.school.into(),
            program_name(programs, f.program.as_str()).to_string().into(),
            (if zh { f.term.to_chinese() } else { f.term.to_string() }).into(),
            f.owed.into(),
            f.paid.into(),
            f.payments.join(", ").into(),
            (if zh {
                crate::zh::program_names(&crate::zh::chinese(&f.evidence), programs)
            } else {
                f.evidence.clone()
            })
            .into(),
            Val::Empty,
            Val::Empty,
        ]);
    }
    s
}

fn kind_code(k: FindingKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{k:?}"))
}

fn summary_sheet(recon: &Reconciliation, name: &str, zh: bool) -> Sheet {
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    let mut s = Sheet::new(
        name,
        &[
            h("class", "类别"),
            h("records", "笔数/人次"),
            h("amount_yuan", "金额（元）"),
            h("amount_wan_yuan", "金额（万元）"),
        ],
    );
    let mut row = |label: String, n: u64, m: Money| s.push(vec![label.into(), n.into(), m.into(), Val::Wan(m)]);
    row(h("payment records", "发放记录").into(), recon.records, recon.paid);
    row(
        h("matched", "核对无误").into(),
        recon.matched.records,
        recon.matched.amount,
    );
    for (k, c) in &recon.by_kind {
        let label = if zh {
            k.chinese().to_string()
        } else {
            format!("{} ({})", k.chinese(), kind_code(*k))
        };
        row(label, c.records, c.amount);
    }
    row(
        h("entitlements in scope", "应发（核对范围内）").into(),
        recon.entitlements,
        recon.owed,
    );
    s
}

/// The entitlements file read back.
#[derive(Debug, Default)]
struct EntitlementTable {
    owed: OwedMap,
    left_on: HashMap<StudentId, NaiveDate>,
    students: BTreeSet<StudentId>,
    who: HashMap<StudentId, Who>,
    rejected: u64,
}

/// Read an entitlements file (`eduaid evaluate --out`) through
/// `eduaid-io`, its program cells by the policy's names, reporting each
/// rejected row by file, line and column.
fn read_entitlements(path: &Path, programs: &ProgramCatalogue, ctx: &Ctx) -> anyhow::Result<EntitlementTable> {
    let read = eduaid::io::read_entitlements(path, programs)?;
    let mut out = EntitlementTable::default();
    for e in &read.errors {
        errln!("{}: {e}", ctx.t("rejected", "已拒绝"));
    }
    out.rejected = clamped::<_, u64>(read.errors.len());
    for e in read.entitlements {
        if e.is_ceiling() {
            continue;
        }
        out.owed.insert((e.student_id.clone(), e.program, e.term), e.amount);
        if let Some(d) = e.left_on {
            out.left_on.insert(e.student_id.clone(), d);
        }
        out.who.entry(e.student_id.clone()).or_insert(Who {
            name: e.name,
            school: e.school,
        });
        out.students.insert(e.student_id);
    }
    ctx.info(&format!(
        "{}: {} {}, {} {}",
        read.file,
        out.owed.len(),
        ctx.t("entitlements", "条应发"),
        out.rejected,
        ctx.t("rows rejected", "行被拒绝")
    ));
    Ok(out)
}

/// An entitlements file as a reconciliation reads it. It holds no roster:
/// every student is taken as known (a payment to a student it does not
/// list is ineligible rather than unknown), with the leaving date the file
/// gives, and every program as known.
impl Owed for EntitlementTable {
    fn amount(&self, student: &StudentId, program: &ProgramId, term: Term) -> Option<Money> {
        eduaid::eligibility::owed_in(&self.owed, student, program, term)
    }

    fn visit_owed(
        &self,
        visit: &mut dyn FnMut(&StudentId, &ProgramId, Term, Money) -> eduaid::model::Visit,
    ) -> Result<(), eduaid::eligibility::Error> {
        eduaid::eligibility::visit_owed_in(&self.owed, visit);
        Ok(())
    }

    fn payee(&self, student: &StudentId) -> Result<Payee, eduaid::eligibility::Error> {
        Ok(Payee::Known {
            left_on: self.left_on.get(student).copied(),
            status: None,
        })
    }

    fn not_owed(
        &self,
        student: &StudentId,
        program: &ProgramId,
        term: Term,
    ) -> Result<String, eduaid::eligibility::Error> {
        Ok(if self.students.contains(student) {
            format!("the entitlements file owes nothing for {program} {term}")
        } else {
            format!("student {student} has no entitlement in the entitlements file")
        })
    }
}

//! `eduaid loans`: the county's student loans (生源地信用助学贷款) checked
//! against the catalogue's caps: a table by loan year and stage, and the
//! findings (over the cap, a borrower twice in a year, a year outside the
//! catalogue).

use std::path::{Path, PathBuf};

use clap::Args;
use eduaid::eligibility::loans::{LoanCheck, check_loans};
use eduaid::io::Input;
use eduaid::model::{Rounding, Stage, StudentLoan};

use crate::cli::PolicyChoice;
use crate::common::{Ctx, Status, wan, yuan};
use crate::output::{Sheet, Val};
use crate::{inputs, policy};

/// `eduaid loans`.
#[derive(Debug, Args)]
pub(crate) struct LoansArgs {
    /// A folder holding loans.csv (or .xlsx, .json, .jsonl), as `eduaid sample` writes it
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    /// Student loans file: one loan a row (身份证号, 贷款学生姓名, 就读高校, 学生类型, 贷款年度, 贷款金额 …)
    #[arg(long, value_name = "FILE")]
    pub(crate) loans: Option<PathBuf>,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
}

/// Read a loans file, printing its load report; the loans and the rows
/// rejected.
///
/// # Errors
/// A file-level fault.
pub(crate) fn load_loans(path: &Path, ctx: &Ctx) -> anyhow::Result<(Vec<StudentLoan>, u64)> {
    let loaded = eduaid::io::read_loans(Input::Path(path), &inputs::base_options())?;
    let rejected = inputs::print_report(&loaded.report, ctx);
    Ok((loaded.records, rejected))
}

/// Run the command.
pub(crate) fn run(args: &LoansArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    inputs::check_dir(args.data.as_ref())?;
    let Some(path) = inputs::pick(args.loans.as_ref(), args.data.as_ref(), "loans") else {
        anyhow::bail!(
            "{}",
            ctx.t(
                "no loans file: give --loans FILE, or --data DIR holding loans.csv",
                "未给出助学贷款文件：请用 --loans 指定文件，或用 --data 指定含 loans.csv 的文件夹",
            )
        );
    };
    let policy = policy::compose(&args.policy)?;
    policy::announce(&policy, args.policy.policy.is_empty());
    let (loans, rejected) = load_loans(&path, ctx)?;
    let check = check_loans(&loans, &policy);
    if ctx.json {
        ctx.print_json(&check)?;
    } else {
        print(&check, ctx);
    }
    Ok(Status::bad_if(rejected).max(Status::findings_if(!check.is_clean())))
}

fn print(check: &LoanCheck, ctx: &Ctx) {
    let zh = ctx.zh();
    let header: Vec<&str> = if zh {
        vec![
            "贷款年度",
            "人数",
            "笔数",
            "金额（元）",
            "金额（万元）",
            "本专科人数",
            "本专科金额",
            "本专科上限",
            "研究生人数",
            "研究生金额",
            "研究生上限",
            "财政贴息（元）",
            "贴息无法计算（笔）",
        ]
    } else {
        vec![
            "year",
            "persons",
            "loans",
            "amount",
            "amount (10k yuan)",
            "undergrad persons",
            "undergrad amount",
            "undergrad cap",
            "postgrad persons",
            "postgrad amount",
            "postgrad cap",
            "interest subsidy",
            "subsidy not computable",
        ]
    };
    let mut sheet = Sheet::new(if zh { "助学贷款" } else { "loans" }, &header);
    let count = |n: u64| Val::Int(i128::from(n));
    for (year, t) in &check.years {
        let mut row = vec![
            Val::Text(year.start_year().to_string()),
            count(t.persons),
            count(t.loans),
            Val::Money(t.amount),
            Val::Text(wan(t.amount)),
        ];
        for stage in [Stage::Tertiary, Stage::Postgraduate] {
            let s = t.by_stage.get(&stage);
            row.push(count(s.map_or(0, |s| s.persons)));
            row.push(s.map_or(Val::Empty, |s| Val::Money(s.amount)));
            row.push(t.caps.get(&stage).map_or(Val::Empty, |c| Val::Money(*c)));
        }
        // No rate on any record: nothing computed, nothing shown.
        row.push(if t.interest_not_computable == t.loans {
            Val::Empty
        } else {
            Val::Money(t.interest_subsidy.round_to_fen(Rounding::HalfUp))
        });
        row.push(count(t.interest_not_computable));
        sheet.push(row);
    }
    sheet.print();
    if zh {
        outln!("合计：{}笔，{}元", check.records, yuan(check.amount));
    } else {
        outln!("total: {} loans, {} yuan", check.records, yuan(check.amount));
    }
    if check.findings.is_empty() {
        outln!("{}", ctx.t("no findings", "未发现问题"));
    } else {
        if zh {
            outln!("发现问题{}条：", check.findings.len());
        } else {
            outln!("{} findings:", check.findings.len());
        }
        for f in &check.findings {
            outln!("  {}", if zh { f.chinese() } else { f.english() });
        }
    }
}

//! `eduaid import`: put a county's files into its store, each file
//! recorded as an import with its counts. Rejected rows are reported as by
//! every command; with any rejected row nothing is kept unless `--keep-valid`.

use std::path::PathBuf;

use clap::Args;
use eduaid::store::{FileCounts, Store};

use crate::cli::{DataArgs, PolicyChoice};
use crate::common::{Ctx, Status};
use crate::inputs;

/// `eduaid import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The county's store (a SQLite file, created if missing) [default: county.db in the user's data folder]
    #[arg(long, value_name = "FILE")]
    pub(crate) store: Option<PathBuf>,
    /// Files of the roster.
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Disbursement records (payments made) to keep as well
    #[arg(long, value_name = "FILE")]
    pub(crate) disbursements: Option<PathBuf>,
    /// The policy whose program names (Chinese names, aliases) the disbursements may use.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Keep the rows that were accepted even if some were rejected (by default a file with rejected rows is not kept)
    #[arg(long)]
    pub(crate) keep_valid: bool,
}

/// The counts of a load report, for the store's import record.
fn counts(r: &eduaid::io::LoadReport, kind: &str) -> FileCounts {
    FileCounts {
        file: r.file.clone(),
        kind: kind.to_string(),
        read: r.read,
        accepted: r.accepted,
        rejected: r.rejected,
    }
}

/// Read the roster's files (without printing their reports).
fn load(data: &DataArgs, ctx: &Ctx) -> anyhow::Result<eduaid::io::LoadedRoster> {
    use anyhow::Context as _;
    use eduaid::io::{Input, RosterFiles};
    inputs::check_dir(data.data.as_ref())?;
    let dir = data.data.as_ref();
    let schools = inputs::pick(data.schools.as_ref(), dir, "schools").with_context(|| {
        ctx.t(
            "no schools file: give --schools FILE or --data DIR",
            "缺少学校文件：请用 --schools FILE 或 --data DIR 指定",
        )
        .to_string()
    })?;
    let students = inputs::pick(data.students.as_ref(), dir, "students").with_context(|| {
        ctx.t(
            "no students file: give --students FILE or --data DIR",
            "缺少学生文件：请用 --students FILE 或 --data DIR 指定",
        )
        .to_string()
    })?;
    let households = inputs::pick(data.households.as_ref(), dir, "households");
    let classes = inputs::pick(data.classes.as_ref(), dir, "classes");
    let mut files = RosterFiles::new(Input::Path(&schools), Input::Path(&students));
    if let Some(h) = &households {
        files = files.households(Input::Path(h));
    }
    if let Some(c) = &classes {
        files = files.classes(Input::Path(c));
    }
    Ok(eduaid::io::load_roster(files, &inputs::read_options(data))?)
}

/// Run the command.
pub(crate) fn run(args: &ImportArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let path = args.store.clone().unwrap_or_else(crate::cmd::serve::default_store);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let dir = args.data.data.as_ref();
    let disbursements = inputs::pick(args.disbursements.as_ref(), dir, "disbursements");
    let has_roster = inputs::has_roster(&args.data);
    if !has_roster && disbursements.is_none() {
        anyhow::bail!(
            "{}",
            ctx.t(
                "nothing to import: give --data DIR, --schools and --students, or --disbursements",
                "没有可导入的文件：请用 --data DIR、--schools 与 --students，或 --disbursements 指定"
            )
        );
    }
    // Read everything first: nothing goes into the store from a run with
    // rejected rows unless the clerk says so.
    let roster = if has_roster { Some(load(&args.data, ctx)?) } else { None };
    let payments = match &disbursements {
        Some(p) => Some(eduaid::io::read_disbursements(
            eduaid::io::Input::Path(p),
            &eduaid::io::ReadOptions {
                programs: crate::policy::compose(&args.policy)?.catalogue()?,
                ..inputs::base_options()
            },
        )?),
        None => None,
    };
    let mut rejected = 0;
    if let Some(l) = &roster {
        rejected += inputs::print_report(&l.schools, ctx);
        if let Some(r) = &l.classes {
            rejected += inputs::print_report(r, ctx);
        }
        if let Some(r) = &l.households {
            rejected += inputs::print_report(r, ctx);
        }
        rejected += inputs::print_report(&l.students, ctx);
    }
    if let Some(p) = &payments {
        rejected += inputs::print_report(&p.report, ctx);
    }
    if rejected > 0 && !args.keep_valid {
        errln!(
            "{}",
            ctx.t(
                "nothing was imported: fix the rejected rows, or give --keep-valid to keep the rest",
                "未导入任何数据：请改正被拒绝的行，或加 --keep-valid 只导入其余各行"
            )
        );
        return Ok(Status::BadInput);
    }
    let mut store = Store::open(&path)?;
    if let Some(l) = &roster {
        let mut files = vec![counts(&l.schools, "schools")];
        if let Some(r) = &l.classes {
            files.push(counts(r, "classes"));
        }
        if let Some(r) = &l.households {
            files.push(counts(r, "households"));
        }
        files.push(counts(&l.students, "students"));
        store.import_roster(&l.roster, &files)?;
    }
    if let Some(p) = &payments {
        store.import_disbursements(&p.records, &counts(&p.report, "disbursements"))?;
    }
    let c = store.counts()?;
    if ctx.zh() {
        outln!(
            "已导入 {}：学校 {} 所，学生 {} 人，家庭 {} 户，发放记录 {} 条（共 {} 次导入）",
            path.display(),
            c.schools,
            c.students,
            c.households,
            c.disbursements,
            c.imports
        );
    } else {
        outln!(
            "imported into {}: {} schools, {} students, {} households, {} disbursements ({} imports)",
            path.display(),
            c.schools,
            c.students,
            c.households,
            c.disbursements,
            c.imports
        );
    }
    Ok(Status::bad_if(rejected))
}

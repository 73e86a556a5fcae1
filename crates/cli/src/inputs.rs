//! Reading the user's files through `eduaid-io`: the roster, the counts and
//! the disbursements, with every rejected row reported on stderr and
//! counted.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use eduaid::io::{CountFiles, Encoding, FileRoster, Input, LoadReport, ReadOptions, RosterFiles};
use eduaid::model::{Counts, Disbursement, MemoryRoster, ProgramCatalogue};

use crate::cli::{CountArgs, DataArgs, Delimiter, InputEncoding};
use crate::common::Ctx;

/// The extensions a file under its usual name may have, in the order tried.
const EXTENSIONS: &[&str] = &["csv", "xlsx", "json", "jsonl", "txt", "ndjson", "xlsm", "parquet"];

/// The file `stem.<ext>` in `dir`, for the first extension that exists.
pub(crate) fn find_in(dir: &Path, stem: &str) -> Option<PathBuf> {
    EXTENSIONS
        .iter()
        .map(|e| dir.join(format!("{stem}.{e}")))
        .find(|p| p.is_file())
}

/// The file given explicitly, else the one under its usual name in `dir`.
pub(crate) fn pick(explicit: Option<&PathBuf>, dir: Option<&PathBuf>, stem: &str) -> Option<PathBuf> {
    explicit.cloned().or_else(|| dir.and_then(|d| find_in(d, stem)))
}

/// Check that a folder given with `--data` exists.
pub(crate) fn check_dir(dir: Option<&PathBuf>) -> anyhow::Result<()> {
    if let Some(d) = dir {
        if !d.is_dir() {
            bail!("{}: not a folder", d.display());
        }
    }
    Ok(())
}

/// The `--encoding` and `--delimiter` of this run, set once from the
/// command line by [`set_text_options`].
static TEXT: std::sync::OnceLock<(Encoding, Option<u8>)> = std::sync::OnceLock::new();

/// Record the run's `--encoding` and `--delimiter`, which every input file
/// is read with.
pub(crate) fn set_text_options(encoding: InputEncoding, delimiter: Delimiter) {
    let _ = TEXT.set((encoding.into(), delimiter.0));
}

/// The read options every input of the run shares: `--encoding`,
/// `--delimiter`.
pub(crate) fn base_options() -> ReadOptions {
    let (encoding, delimiter) = TEXT.get().copied().unwrap_or((Encoding::Auto, None));
    ReadOptions {
        encoding,
        delimiter,
        ..ReadOptions::default()
    }
}

/// The read options of a run.
pub(crate) fn read_options(data: &DataArgs) -> ReadOptions {
    ReadOptions {
        status_as_of: data.status_as_of,
        ..base_options()
    }
}

/// Print a load report's warnings and rejected rows (always) and its
/// summary (unless quiet); return the rows rejected.
pub(crate) fn print_report(report: &LoadReport, ctx: &Ctx) -> u64 {
    for w in &report.warnings {
        ctx.warn(&w.to_string());
    }
    for e in &report.errors {
        errln!("{}: {}", ctx.t("rejected", "已拒绝"), ctx.msg(&e.to_string()));
    }
    if report.rejected > 0 && report.errors.is_empty() {
        errln!(
            "{}: {} {}",
            report.file,
            report.rejected,
            ctx.t("rows rejected", "行被拒绝")
        );
    }
    ctx.info(&if ctx.zh() {
        format!(
            "{}（{}）：读取 {} 行，接受 {} 行，拒绝 {} 行",
            report.file,
            report.kind.chinese(),
            report.read,
            report.accepted,
            report.rejected
        )
    } else {
        format!(
            "{} ({}): read {} rows, accepted {}, rejected {}",
            report.file, report.kind, report.read, report.accepted, report.rejected
        )
    });
    report.rejected
}

/// A roster loaded from files, and the rows rejected over all of them.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// The roster.
    pub(crate) roster: MemoryRoster,
    /// Rows rejected in any file.
    pub(crate) rejected: u64,
}

/// Whether a roster can be loaded from these arguments.
pub(crate) fn has_roster(data: &DataArgs) -> bool {
    data.students.is_some() || data.data.as_ref().is_some_and(|d| find_in(d, "students").is_some())
}

/// The paths of a roster: schools, students, households, classes.
type RosterPaths = (PathBuf, PathBuf, Option<PathBuf>, Option<PathBuf>);

/// Resolve the roster's files.
fn roster_paths(data: &DataArgs, ctx: &Ctx) -> anyhow::Result<RosterPaths> {
    check_dir(data.data.as_ref())?;
    let dir = data.data.as_ref();
    let schools = pick(data.schools.as_ref(), dir, "schools").with_context(|| {
        ctx.t(
            "no schools file: give --schools FILE or --data DIR",
            "缺少学校文件：请用 --schools FILE 或 --data DIR 指定",
        )
        .to_string()
    })?;
    let students = pick(data.students.as_ref(), dir, "students").with_context(|| {
        ctx.t(
            "no students file: give --students FILE or --data DIR",
            "缺少学生文件：请用 --students FILE 或 --data DIR 指定",
        )
        .to_string()
    })?;
    let households = pick(data.households.as_ref(), dir, "households");
    let classes = pick(data.classes.as_ref(), dir, "classes");
    Ok((schools, students, households, classes))
}

/// The `RosterFiles` of resolved paths.
fn roster_files(paths: &RosterPaths) -> RosterFiles<'_> {
    let (schools, students, households, classes) = paths;
    let mut files = RosterFiles::new(Input::Path(schools), Input::Path(students));
    if let Some(h) = households {
        files = files.households(Input::Path(h));
    }
    if let Some(c) = classes {
        files = files.classes(Input::Path(c));
    }
    files
}

/// What a meter says while a students file is read.
fn reading(students: &Path, ctx: &Ctx) -> String {
    if ctx.zh() {
        format!("正在读取学生文件 {}", students.display())
    } else {
        format!("reading students {}", students.display())
    }
}

/// Load the roster the arguments name into memory.
///
/// # Errors
/// A missing schools or students file, or a file-level fault of any file.
pub(crate) fn load_roster(data: &DataArgs, ctx: &Ctx) -> anyhow::Result<Loaded> {
    let paths = roster_paths(data, ctx)?;
    let meter = crate::progress::bar(0, &reading(&paths.1, ctx), ctx);
    let loaded = eduaid::io::load_roster_with_progress(roster_files(&paths), &read_options(data), &mut |n| {
        meter.set_position(n);
    })?;
    meter.finish_and_clear();
    let mut rejected = print_report(&loaded.schools, ctx);
    if let Some(r) = &loaded.classes {
        rejected += print_report(r, ctx);
    }
    if let Some(r) = &loaded.households {
        rejected += print_report(r, ctx);
    }
    rejected += print_report(&loaded.students, ctx);
    Ok(Loaded {
        roster: loaded.roster,
        rejected,
    })
}

/// Open the roster the arguments name for streaming: schools and
/// households in memory, students re-read from their file on each pass, so
/// a roster of millions runs in the memory of one batch. Returns the roster
/// and the rows rejected.
///
/// # Errors
/// As [`load_roster`].
pub(crate) fn open_roster(data: &DataArgs, ctx: &Ctx) -> anyhow::Result<(FileRoster, u64)> {
    let paths = roster_paths(data, ctx)?;
    let meter = crate::progress::bar(0, &reading(&paths.1, ctx), ctx);
    let roster = FileRoster::open_with_progress(roster_files(&paths), &read_options(data), &mut |n| {
        meter.set_position(n);
    })?;
    meter.finish_and_clear();
    let mut rejected = print_report(roster.schools_report(), ctx);
    if let Some(r) = roster.classes_report() {
        rejected += print_report(r, ctx);
    }
    if let Some(r) = roster.households_report() {
        rejected += print_report(r, ctx);
    }
    rejected += print_report(roster.students_report(), ctx);
    Ok((roster, rejected))
}

/// Load a disbursements file, its program cells read by the names in
/// `programs` (the policy's).
///
/// # Errors
/// A file-level fault.
pub(crate) fn load_disbursements(
    path: &Path,
    programs: &ProgramCatalogue,
    ctx: &Ctx,
) -> anyhow::Result<(Vec<Disbursement>, u64)> {
    let opts = ReadOptions {
        programs: programs.clone(),
        ..base_options()
    };
    let loaded = eduaid::io::read_disbursements(Input::Path(path), &opts)?;
    let rejected = print_report(&loaded.report, ctx);
    Ok((loaded.records, rejected))
}

/// The count files the arguments name (explicitly or in `dir`).
#[derive(Debug, Default)]
pub(crate) struct CountPaths {
    /// Grade counts.
    pub(crate) grades: Option<PathBuf>,
    /// Population.
    pub(crate) population: Option<PathBuf>,
    /// Disabled children.
    pub(crate) disabled: Option<PathBuf>,
    /// Teachers.
    pub(crate) teachers: Option<PathBuf>,
}

impl CountPaths {
    /// Resolve the count files.
    pub(crate) fn of(args: &CountArgs, dir: Option<&PathBuf>) -> CountPaths {
        CountPaths {
            grades: pick(args.counts.as_ref(), dir, "grade_counts"),
            population: pick(args.population.as_ref(), dir, "population"),
            disabled: pick(args.disabled.as_ref(), dir, "disabled"),
            teachers: pick(args.teachers.as_ref(), dir, "teachers"),
        }
    }
}

/// Load the count files.
///
/// # Errors
/// A file-level fault of any file.
pub(crate) fn load_counts(paths: &CountPaths, ctx: &Ctx) -> anyhow::Result<(Counts, u64)> {
    let files = CountFiles {
        grades: paths.grades.as_deref().map(Input::Path),
        population: paths.population.as_deref().map(Input::Path),
        disabled: paths.disabled.as_deref().map(Input::Path),
        teachers: paths.teachers.as_deref().map(Input::Path),
    };
    let (counts, reports) = eduaid::io::read_counts(files, &base_options())?;
    let rejected = reports.iter().map(|r| print_report(r, ctx)).sum();
    Ok((counts, rejected))
}

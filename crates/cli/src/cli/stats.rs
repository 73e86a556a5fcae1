//! The arguments of `counts` and `stats`.

use super::*;

/// How `eduaid stats` breaks its indicators down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum By {
    /// By township (乡镇).
    Township,
    /// By school.
    School,
    /// By sex.
    Sex,
    /// By poverty group (建档立卡 or not).
    Poverty,
}

/// The count files.
#[derive(Debug, Clone, Args)]
pub(crate) struct CountArgs {
    /// Grade counts file (enrolment and flows by school, grade, sex and poverty group)
    #[arg(long, value_name = "FILE")]
    pub(crate) counts: Option<PathBuf>,
    /// School-age population file
    #[arg(long, value_name = "FILE")]
    pub(crate) population: Option<PathBuf>,
    /// Disabled children file
    #[arg(long, value_name = "FILE")]
    pub(crate) disabled: Option<PathBuf>,
    /// Teachers file
    #[arg(long, value_name = "FILE")]
    pub(crate) teachers: Option<PathBuf>,
}

/// `eduaid stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// A folder holding grade_counts, population, disabled and teachers files under their usual names
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    /// Count files.
    #[command(flatten)]
    pub(crate) counts: CountArgs,
    /// School year of the figures (for retention, the graduation year), e.g. 2016 for 2016-17 [default: the latest in the file]
    #[arg(long, value_parser = parse_year, value_name = "YEAR")]
    pub(crate) year: Option<SchoolYear>,
    /// Break every indicator down by township, school, sex or poverty group
    #[arg(long, value_enum, value_name = "DIMENSION")]
    pub(crate) by: Option<By>,
    /// Show rates above 100% as 100% (the raw value stays in its own column, flagged)
    #[arg(long)]
    pub(crate) cap: bool,
    /// Round figures to N significant figures instead of two decimal places
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) sig: Option<u32>,
    /// Schools file, for class sizes [default: schools in --data]
    #[arg(long, value_name = "FILE")]
    pub(crate) schools: Option<PathBuf>,
    /// Students file, for net enrolment ratios by age and class sizes [default: students in --data]
    #[arg(long, value_name = "FILE")]
    pub(crate) students: Option<PathBuf>,
    /// Classes file, for class-size bands [default: classes in --data]
    #[arg(long, value_name = "FILE")]
    pub(crate) classes: Option<PathBuf>,
    /// Write the indicators to this file (.xlsx, .csv or .json), replaced only when complete; never one of the inputs
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

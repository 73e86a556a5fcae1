//! The arguments of the student-aid commands (evaluate, explain, why-not, reconcile, policy)
//! and the data and policy options they share.

use super::*;

/// Where a roster comes from.
#[derive(Debug, Clone, Args)]
pub(crate) struct DataArgs {
    /// A folder holding the files under their usual names (schools.csv, students.csv, households.csv …), as `eduaid sample` writes them
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    /// Schools file (.csv, .json, .jsonl or .xlsx)
    #[arg(long, value_name = "FILE")]
    pub(crate) schools: Option<PathBuf>,
    /// Students file, optionally with household status columns
    #[arg(long, value_name = "FILE")]
    pub(crate) students: Option<PathBuf>,
    /// Households file (status spells, one a row); authoritative over the students file's status columns
    #[arg(long, value_name = "FILE")]
    pub(crate) households: Option<PathBuf>,
    /// Classes file (class sizes)
    #[arg(long, value_name = "FILE")]
    pub(crate) classes: Option<PathBuf>,
    /// The day yes/no status columns (建档立卡 = 是) speak of, for rows that give no start date
    #[arg(long, value_name = "DATE")]
    pub(crate) status_as_of: Option<chrono::NaiveDate>,
}

/// Which policy to apply.
#[derive(Debug, Clone, Args)]
pub(crate) struct PolicyChoice {
    /// Policy layer: a built-in id (national, hunan, hunan-county-2016) or an overlay .toml file; repeat to stack, the last one on top [default: national; every run prints the layers it applies]
    #[arg(long = "policy", value_name = "ID|FILE")]
    pub(crate) policy: Vec<String>,
}

/// `eduaid evaluate`.
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    /// Files of the roster.
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Term to evaluate, e.g. 2017-spring or 2017年春季学期; repeat for several
    #[arg(long, required = true, value_parser = parse_term, value_name = "TERM")]
    pub(crate) term: Vec<Term>,
    /// Write the per-student entitlements and the totals to this file (.xlsx, .csv or .json), replaced only when complete; never one of the inputs. A .csv gets two files beside it: <stem>-totals.csv and <stem>-by_stage.csv (with --lang zh: <stem>-汇总.csv, <stem>-分学段.csv). In .xlsx, rows past Excel's 1,048,576 continue on sheet "entitlements (2)"
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Write identity card, bank account and telephone numbers (columns 身份证号, 银行卡号/一卡通账号, 联系电话 of the students file) in full in the --out file, as a bank payment file needs them; without it they are masked (430102********1234, 6217***********1234, 138****5678). Keep such a file as the bank's data: do not e-mail or share it
    #[arg(long)]
    pub(crate) full_numbers: bool,
}

/// `eduaid explain`.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// Student ids (学籍号)
    #[arg(required = true, value_name = "STUDENT_ID")]
    pub(crate) students_ids: Vec<String>,
    /// Files of the roster.
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Term, e.g. 2017-spring
    #[arg(long, required = true, value_parser = parse_term, value_name = "TERM")]
    pub(crate) term: Term,
}

/// `eduaid why-not`.
#[derive(Debug, Args)]
pub(crate) struct WhyNotArgs {
    /// Student id (学籍号)
    #[arg(value_name = "STUDENT_ID")]
    pub(crate) student: String,
    /// Program ids, e.g. living-subsidy (see `eduaid policy list`)
    #[arg(required = true, value_name = "PROGRAM")]
    pub(crate) programs: Vec<String>,
    /// Files of the roster.
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Term, e.g. 2017-spring
    #[arg(long, required = true, value_parser = parse_term, value_name = "TERM")]
    pub(crate) term: Term,
}

/// `eduaid reconcile`.
#[derive(Debug, Args)]
pub(crate) struct ReconcileArgs {
    /// Entitlements file written by `eduaid evaluate --out` (instead of the roster and policy)
    #[arg(long, value_name = "FILE")]
    pub(crate) entitlements: Option<PathBuf>,
    /// Disbursements file: the aid actually paid
    #[arg(long, value_name = "FILE")]
    pub(crate) disbursements: Option<PathBuf>,
    /// Files of the roster (when no entitlements file is given).
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Write the findings for a clerk to work through (.xlsx, .csv or .json), replaced only when complete; never one of the inputs. A .csv gets <stem>-summary.csv beside it (with --lang zh: <stem>-汇总.csv)
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// `eduaid policy`.
#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: PolicyCmd,
}

/// `eduaid policy …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCmd {
    /// List the programs of the policy with their kind of benefit and founding document
    List {
        /// Policy.
        #[command(flatten)]
        policy: PolicyChoice,
    },
    /// Show one program: its rules, its dated values and their citations
    Show {
        /// Program id, e.g. living-subsidy
        #[arg(value_name = "PROGRAM")]
        program: String,
        /// Policy.
        #[command(flatten)]
        policy: PolicyChoice,
    },
    /// Check a policy overlay file against the built-in layers it is based on
    Check {
        /// The overlay (.toml)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Run a file of declarative policy test cases
    Test {
        /// The test cases (.toml)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Policy.
        #[command(flatten)]
        policy: PolicyChoice,
    },
}

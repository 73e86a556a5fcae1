//! What every command shares: the run's settings and its outcome.

use eduaid_model::{Money, Rounding};

use crate::cli::Lang;

/// How a command ended, ordered by severity: the exit code is the worst
/// status met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Status {
    /// Nothing to report: exit 0.
    Clean,
    /// Findings (unpaid students, failed checks or tests): exit 1.
    Findings,
    /// Bad input (rejected rows, unknown ids): exit 2.
    BadInput,
}

impl Status {
    /// The process exit code.
    pub(crate) fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
            Status::BadInput => 2,
        }
    }

    /// `Findings` if `cond`, else `Clean`.
    pub(crate) fn findings_if(cond: bool) -> Status {
        if cond { Status::Findings } else { Status::Clean }
    }

    /// `BadInput` if `rejected` rows were reported, else `Clean`.
    pub(crate) fn bad_if(rejected: u64) -> Status {
        if rejected > 0 { Status::BadInput } else { Status::Clean }
    }
}

/// The run's global settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Language of messages.
    pub(crate) lang: Lang,
    /// No progress bars, no summaries.
    pub(crate) quiet: bool,
    /// JSON on stdout.
    pub(crate) json: bool,
}

impl Ctx {
    /// The message in the run's language.
    pub(crate) fn t<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// True for Chinese.
    pub(crate) fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// An informational line on stderr, unless quiet.
    pub(crate) fn info(&self, msg: &str) {
        if !self.quiet {
            errln!("{msg}");
        }
    }

    /// A warning on stderr (always shown).
    pub(crate) fn warn(&self, msg: &str) {
        errln!("{}: {msg}", self.t("warning", "警告"));
    }

    /// Print `value` as pretty JSON on stdout.
    pub(crate) fn print_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> anyhow::Result<()> {
        outln!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }
}

/// An amount in yuan with two decimals, rounded 四舍五入 once, here.
pub(crate) fn yuan(m: Money) -> String {
    m.format_yuan(Rounding::HalfUp)
}

/// An amount in 万元, exact (a shift of the decimal point, no rounding).
pub(crate) fn wan(m: Money) -> String {
    m.wan_yuan().normalize().to_string()
}

//! The command line: its arguments (clap derive, English help from the doc
//! comments) and the Chinese help put in place at startup.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgAction, Args, Command, Parser, Subcommand, ValueEnum};
use eduaid::model::{SchoolYear, Term};

mod aid;
mod help;
mod report;
mod sample;
mod stats;

pub(crate) use aid::*;
pub(crate) use help::*;
pub(crate) use report::*;
pub(crate) use sample::*;
pub(crate) use stats::*;

/// The language of help and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    /// English.
    En,
    /// Chinese (中文).
    Zh,
}

/// eduaid: student aid, retention statistics and the county work report for
/// education poverty-alleviation work (教育扶贫), on your own spreadsheets.
#[derive(Debug, Parser)]
#[command(name = "eduaid", version, propagate_version = true, max_term_width = 110)]
pub(crate) struct Cli {
    /// Language of help and messages: en or zh (default: from LC_ALL / LANG)
    #[arg(long, global = true, value_enum, value_name = "LANG", display_order = 900)]
    pub(crate) lang: Option<Lang>,
    /// Print no progress bar and no summary of the files read (errors still go to stderr)
    #[arg(long, short = 'q', global = true, display_order = 901)]
    pub(crate) quiet: bool,
    /// Print machine-readable JSON on stdout instead of tables
    #[arg(long, global = true, display_order = 902)]
    pub(crate) json: bool,
    /// Text encoding of CSV inputs: utf8, gb18030 (also reads GBK) or auto (detect)
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "ENCODING",
        display_order = 903
    )]
    pub(crate) encoding: InputEncoding,
    /// Cell separator of CSV inputs: ',' ';' '\t' (or tab) '|', or auto (detect from the header line)
    #[arg(long, global = true, value_parser = parse_delimiter, default_value = "auto", value_name = "SEP", display_order = 904)]
    pub(crate) delimiter: Delimiter,
    /// Print students' names on the terminal (by default a name is shown as its first character and *; files you ask for always hold full names)
    #[arg(long, global = true, display_order = 905)]
    pub(crate) show_names: bool,
    /// The command to run.
    #[command(subcommand)]
    pub(crate) command: Cmd,
}

/// The text encoding of CSV inputs (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputEncoding {
    /// Detect: a BOM, else valid UTF-8 unless it reads far better as GB18030.
    Auto,
    /// UTF-8.
    #[value(alias = "utf-8")]
    Utf8,
    /// GB18030 (reads GBK and GB2312 too).
    #[value(alias = "gbk", alias = "gb2312")]
    Gb18030,
}

impl From<InputEncoding> for eduaid::io::Encoding {
    fn from(e: InputEncoding) -> eduaid::io::Encoding {
        match e {
            InputEncoding::Auto => eduaid::io::Encoding::Auto,
            InputEncoding::Utf8 => eduaid::io::Encoding::Utf8,
            InputEncoding::Gb18030 => eduaid::io::Encoding::Gb18030,
        }
    }
}

/// The cell separator of CSV inputs (`--delimiter`): `None` detects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delimiter(pub(crate) Option<u8>);

/// Parse `--delimiter`: `auto`, `,`, `;`, `|`, a tab (`\t`, `tab` or the
/// character itself).
pub(crate) fn parse_delimiter(s: &str) -> Result<Delimiter, String> {
    match s {
        "auto" => Ok(Delimiter(None)),
        "\\t" | "tab" | "\t" => Ok(Delimiter(Some(b'\t'))),
        "," | ";" | "|" => Ok(Delimiter(s.bytes().next())),
        "，" => Ok(Delimiter(Some(b','))),
        "；" => Ok(Delimiter(Some(b';'))),
        _ => Err(format!("{s:?} is not a separator: use ',', ';', '\\t', '|' or auto")),
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Cmd {
    /// Compute every student's entitlements for a term, with totals by program and stage
    Evaluate(EvaluateArgs),
    /// Explain one or more students' entitlements: every rule, condition, value and citation
    Explain(ExplainArgs),
    /// Say why a student is not entitled to a program: the first failed condition, with citations
    WhyNot(WhyNotArgs),
    /// Reconcile what was paid against what was owed: unpaid, ineligible, duplicate, wrong amount, after leaving
    Reconcile(ReconcileArgs),
    /// Retention, dropout and enrolment indicators from grade counts, with their flags
    Stats(StatsArgs),
    /// Write the county work report (DOCX, HTML or Markdown) from your own files
    Report(Box<ReportArgs>),
    /// Check the arithmetic of a report someone wrote by hand (.txt, .md, .html or .docx)
    Validate(ValidateArgs),
    /// The policy catalogue: list programs, show one, check an overlay, run policy tests
    Policy(PolicyArgs),
    /// Write the sample county (or a larger generated one) as files to try every command on
    Sample(SampleArgs),
    /// The workbench in the browser (学生资助工作台) on the county's store: import, totals, students, reconciliation, downloads
    Serve(crate::cmd::serve::ServeArgs),
    /// Put the county's files into its store (a SQLite file), each recorded as an import
    Import(crate::cmd::import::ImportArgs),
    /// Student loans (生源地信用助学贷款): totals by loan year and stage, checked against the year's caps (over the cap, a borrower twice in a year)
    Loans(crate::cmd::loans::LoansArgs),
}

/// The language the command line was built in ([`command`]), for the
/// value parsers' messages.
static HELP_LANG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

fn chinese() -> bool {
    HELP_LANG.get() == Some(&Lang::Zh)
}

/// Parse a term in any form the model reads.
fn parse_term(s: &str) -> Result<Term, String> {
    s.parse::<Term>().map_err(|e| {
        if chinese() {
            "不是学期：请写作 2017年春季学期、2016年秋季学期、2017-spring、2016-autumn、2016秋 或 2016-2017学年第一学期"
                .to_string()
        } else {
            e.to_string()
        }
    })
}

/// Parse a school year (2016, 2016-17, 2016-2017).
fn parse_year(s: &str) -> Result<SchoolYear, String> {
    s.parse::<SchoolYear>().map_err(|e| {
        if chinese() {
            "不是学年：请写作 2016、2016-17 或 2016-2017（表示2016—2017学年）".to_string()
        } else {
            e.to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_chooses_the_language() {
        assert_eq!(detect_lang(&args(&["eduaid", "--lang", "zh", "stats"])), Lang::Zh);
        assert_eq!(detect_lang(&args(&["eduaid", "stats", "--lang=zh"])), Lang::Zh);
        assert_eq!(detect_lang(&args(&["eduaid", "--lang", "en"])), Lang::En);
    }

    #[test]
    fn every_command_and_argument_has_chinese_help() {
        fn walk(cmd: &Command, path: &str, missing: &mut Vec<String>) {
            if zh(path).is_none() {
                missing.push(path.to_string());
            }
            let name = path.rsplit(' ').next().unwrap_or("");
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if zh(&format!("{name} --{id}")).is_none() && zh(&format!("--{id}")).is_none() {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for s in cmd.get_subcommands() {
                let p = if path.is_empty() {
                    s.get_name().to_string()
                } else {
                    format!("{path} {}", s.get_name())
                };
                walk(s, &p, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&<Cli as clap::CommandFactory>::command(), "", &mut missing);
        assert!(missing.is_empty(), "no Chinese help for {missing:?}");
    }

    #[test]
    fn encoding_and_delimiter_are_options_of_every_command() {
        let cli = Cli::try_parse_from(["eduaid", "stats", "--encoding", "gbk", "--delimiter", "\\t"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.encoding, InputEncoding::Gb18030);
        assert_eq!(cli.delimiter, Delimiter(Some(b'\t')));
        let cli = Cli::try_parse_from(["eduaid", "--delimiter", ";", "evaluate", "--term", "2017-spring"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (cli.encoding, cli.delimiter),
            (InputEncoding::Auto, Delimiter(Some(b';')))
        );
        let cli = Cli::try_parse_from(["eduaid", "stats"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cli.delimiter, Delimiter(None));
        assert!(Cli::try_parse_from(["eduaid", "stats", "--delimiter", "x"]).is_err());
    }

    #[test]
    fn the_chinese_command_is_valid() {
        command(Lang::Zh).debug_assert();
        command(Lang::En).debug_assert();
    }
}

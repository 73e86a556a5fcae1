//! The `eduaid` command line: every capability of the eduaid libraries on a
//! county's own spreadsheets, for staff who do not write Rust.
//!
//! Exit codes: 0 success; 1 findings (unpaid students, validation failures,
//! failed policy tests, missed targets); 2 bad input or usage (an unreadable
//! file, a missing column, rejected rows, an unknown student or program, and
//! every clap usage error).
#![forbid(unsafe_code)]

/// `println!` that never panics: a closed pipe (`eduaid … | head`) ends
/// the output, not the program with a panic. Every line goes through
/// [`common::shown`]: control characters from data escaped, identity
/// numbers masked, whichever command printed it.
macro_rules! outln {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), "{}", $crate::common::shown(&format!($($arg)*)));
    }};
}

/// `print!` that never panics, escaped and masked as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), "{}", $crate::common::shown(&format!($($arg)*)));
    }};
}

/// `eprintln!` that never panics, escaped and masked as [`outln!`].
macro_rules! errln {
    () => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock());
    }};
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), "{}", $crate::common::shown(&format!($($arg)*)));
    }};
}

mod cli;
mod cmd;
mod common;
mod inputs;
mod output;
mod policy;
mod progress;
mod serve;
mod zh;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::cli::{Cli, Cmd};
use crate::common::{Ctx, Status};

/// Print a clap error or help in `lang` and exit as clap would: 0 for help
/// and version (on stdout), 2 for a usage error (on stderr).
fn usage_exit(e: &clap::Error, lang: cli::Lang) -> ! {
    use clap::error::ErrorKind;
    use std::io::Write as _;
    let mut text = cli::localize_error(&e.render().to_string(), lang);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = write!(std::io::stdout().lock(), "{text}");
            std::process::exit(0)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = write!(std::io::stderr().lock(), "{text}");
            std::process::exit(2)
        }
        _ => {
            let _ = write!(std::io::stderr().lock(), "{text}");
            std::process::exit(2)
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::detect_lang(&args);
    let matches = match cli::command(lang).try_get_matches_from(&args) {
        Ok(m) => m,
        // Help and version print and exit 0; usage errors print (in the
        // run's language) and exit 2.
        Err(e) => usage_exit(&e, lang),
    };
    let parsed = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => usage_exit(&e, lang),
    };
    inputs::set_text_options(parsed.encoding, parsed.delimiter);
    let ctx = Ctx {
        lang: parsed.lang.unwrap_or(lang),
        quiet: parsed.quiet,
        json: parsed.json,
        show_names: parsed.show_names,
    };
    policy::set_announce(ctx.lang, ctx.quiet);
    let result = match parsed.command {
        Cmd::Evaluate(a) => cmd::evaluate::run(&a, &ctx),
        Cmd::Explain(a) => cmd::explain::run_explain(&a, &ctx),
        Cmd::WhyNot(a) => cmd::explain::run_why_not(&a, &ctx),
        Cmd::Reconcile(a) => cmd::reconcile::run(&a, &ctx),
        Cmd::Stats(a) => cmd::stats::run(&a, &ctx),
        Cmd::Report(a) => cmd::report::run(&a, &ctx),
        Cmd::Validate(a) => cmd::validate::run(&a, &ctx),
        Cmd::Policy(a) => cmd::policy::run(&a, &ctx),
        Cmd::Sample(a) => cmd::sample::run(&a, &ctx),
        Cmd::Serve(a) => cmd::serve::run(&a, &ctx),
        Cmd::Import(a) => cmd::import::run(&a, &ctx),
        Cmd::Loans(a) => cmd::loans::run(&a, &ctx),
    };
    match result {
        Ok(status) => ExitCode::from(status.code()),
        Err(e) => {
            // The chain, each cause once (io errors already name their source).
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            // Data in an error (a name, an id, a cell) is shown safely:
            // control characters escaped, identity numbers masked.
            errln!("{}{}", ctx.t("error: ", "错误："), common::shown(&ctx.msg(&msg)));
            ExitCode::from(Status::BadInput.code())
        }
    }
}

//! What every command shares: the run's settings and its outcome, and how
//! data is shown on a terminal.

use std::borrow::Cow;

use eduaid::model::{Money, Rounding, mask_id_numbers, mask_name};

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
    /// Show students' names on the terminal (`--show-names`).
    pub(crate) show_names: bool,
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
            errln!("{}", shown(msg));
        }
    }

    /// A warning on stderr (always shown), in the run's language.
    pub(crate) fn warn(&self, msg: &str) {
        errln!("{}{}", self.t("warning: ", "警告："), shown(&self.msg(msg)));
    }

    /// A message from a library (a warning, an error, a reason) in the
    /// run's language: under Chinese its fixed phrases are put in Chinese
    /// ([`crate::zh::chinese`]).
    pub(crate) fn msg(&self, text: &str) -> String {
        if self.zh() {
            crate::zh::chinese(text)
        } else {
            text.to_string()
        }
    }

    /// A student's name as the terminal shows it: masked (`张**`) unless
    /// `--show-names`, and escaped ([`terminal`]) either way.
    pub(crate) fn name(&self, name: &str) -> String {
        if self.show_names {
            terminal(name).into_owned()
        } else {
            terminal(&mask_name(name)).into_owned()
        }
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

/// Text from data as it may be written to a terminal: every control
/// character but line feed and tab (ESC, which starts the terminal's own
/// commands, BEL, CR, backspace, DEL, the C1 set) and every bidirectional
/// override (which reorders what is shown) escaped as `\u{1b}`. The one
/// place data meets the terminal: every line of data printed goes through
/// it, directly or through [`shown`].
pub(crate) fn terminal(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A message that may hold data (an error, a warning, a reason) as the
/// terminal shows it: identity numbers masked (`430102********1234`,
/// [`mask_id_numbers`]) and escaped ([`terminal`]).
pub(crate) fn shown(text: &str) -> String {
    terminal(&mask_id_numbers(text)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_data_are_escaped() {
        assert_eq!(terminal("张三"), "张三");
        assert_eq!(
            terminal("\u{1b}[2J\u{1b}]0;owned\u{7}李四"),
            "\\u{1b}[2J\\u{1b}]0;owned\\u{7}李四"
        );
        assert_eq!(
            terminal("a\rb\u{8}c\u{9b}d\u{202e}e"),
            "a\\u{d}b\\u{8}c\\u{9b}d\\u{202e}e"
        );
        assert_eq!(terminal("line\nnext\tcell"), "line\nnext\tcell");
        assert_eq!(shown("G430102200801011234\u{1b}[31m"), "G430102********1234\\u{1b}[31m");
    }

    #[test]
    fn names_are_masked_unless_asked_for() {
        let ctx = |show_names| Ctx {
            lang: Lang::Zh,
            quiet: true,
            json: false,
            show_names,
        };
        assert_eq!(ctx(false).name("谢宸玥"), "谢**");
        assert_eq!(ctx(true).name("谢宸玥\u{1b}[2J"), "谢宸玥\\u{1b}[2J");
    }
}

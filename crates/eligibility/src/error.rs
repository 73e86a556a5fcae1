//! The one error type of the eligibility crate.

use eduaid_model::{ModelError, RosterError, StudentId};
use thiserror::Error;

/// Everything that can go wrong reading a policy, building an engine,
/// evaluating a roster or running policy test cases.
///
/// Messages are lowercase, with no trailing period, and name the file, line,
/// column and key (or the student) that caused them.
#[derive(Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// A policy or test-case file that is not valid TOML, or that does not
    /// match the schema (an unknown field, a value of the wrong type).
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file (or the name given to an embedded text).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What the TOML reader said.
        message: String,
    },
    /// A well-formed file whose content is wrong: an unknown program,
    /// parameter or document, overlapping date ranges, a missing citation.
    #[error("{file}:{line}:{column}: {key}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The key at fault, e.g. `programs.nutrition.rules[0].amount`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// Overlays whose `base` links form a cycle.
    #[error("overlay cycle: {chain}")]
    OverlayCycle {
        /// The layers of the cycle, e.g. `a -> b -> a`.
        chain: String,
    },
    /// A layer names a base that was not supplied.
    #[error("{file}: policy {layer} is based on unknown policy {base}")]
    UnknownBase {
        /// The file of the layer.
        file: String,
        /// The layer's id.
        layer: String,
        /// The missing base.
        base: String,
    },
    /// Two layers with the same id, or a layer requested that was not
    /// supplied.
    #[error("policy layer {id}: {message}")]
    Layer {
        /// The layer id.
        id: String,
        /// What is wrong.
        message: String,
    },
    /// A file that could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The path.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A program id that the engine does not know.
    #[error("unknown program {id}")]
    UnknownProgram {
        /// The id asked for.
        id: String,
    },
    /// Two programs with the same id in one engine.
    #[error("duplicate program {id}")]
    DuplicateProgram {
        /// The repeated id.
        id: String,
    },
    /// A student the roster does not hold.
    #[error("unknown student {student}")]
    UnknownStudent {
        /// The id asked for.
        student: StudentId,
    },
    /// An amount that overflowed or could not be computed exactly.
    #[error("student {student}: program {program}: {message}")]
    Amount {
        /// The student.
        student: StudentId,
        /// The program.
        program: String,
        /// What failed.
        message: String,
    },
    /// A program that cannot be resolved for a term: a rule in force whose
    /// parameter has no value on the term's reference date (a gap in the
    /// parameter's dates), a per-day amount with no school-day window, a
    /// rule with no amount. Refused when the term is planned, never turned
    /// into a silent "not entitled".
    #[error("program {program}, rule {rule}, term {term}: {reason}")]
    Unprepared {
        /// The program.
        program: String,
        /// The rule (its id in the policy file).
        rule: String,
        /// The term (`2017 spring`).
        term: String,
        /// What is missing.
        reason: String,
    },
    /// The sink of a run stopped it (returned `Visit::Break`): the run has
    /// no totals, since they would miss the students not yet evaluated.
    #[error("the run was stopped by its sink before every student was evaluated")]
    Stopped,
    /// A sink's own failure (a file that cannot be written, a database
    /// that refuses a row), boxed: it ends the run.
    #[error("the sink failed: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A total too large to hold.
    #[error("program {program}: total overflows")]
    TotalOverflow {
        /// The program.
        program: String,
    },
    /// A packed roster asked of an engine the packed path cannot run: one
    /// with a program written in Rust, more than 64 programs, or a term
    /// whose conditions use more than six exit-from-poverty thresholds.
    #[error(
        "the packed roster runs policy programs only (at most 64, with at most six exit-from-poverty thresholds a term): run the engine on the roster itself"
    )]
    NotPackable,
    /// A roster past what a packed roster numbers.
    #[error("the roster has too many {what} for a packed roster (at most 4 294 967 294)")]
    TooLarge {
        /// What there are too many of.
        what: &'static str,
    },
    /// A reconciliation total too large to hold exactly.
    #[error("reconciliation: the {what} overflows: amounts this large cannot be totalled exactly")]
    ReconciliationOverflow {
        /// Which total: `total paid`, `matched total`, `total owed` or
        /// `total of a kind of finding`.
        what: &'static str,
    },
    /// The roster's backend failed.
    #[error(transparent)]
    Roster(#[from] RosterError),
    /// A model value was rejected.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A policy that could not be written back as TOML.
    #[error("cannot write policy as toml: {0}")]
    Serialize(String),
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub(crate) fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let mut line = 1;
    let mut col = 1;
    for (i, c) in text.char_indices() {
        if i >= at {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// A syntax error from the TOML reader, placed in `file`.
pub(crate) fn syntax(file: &str, text: &str, e: &toml::de::Error) -> Error {
    let (line, column) = e.span().map_or((0, 0), |s| line_col(text, s.start));
    Error::Syntax {
        file: file.to_string(),
        line,
        column,
        message: e.message().trim_end_matches('.').to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let t = "a = 1\n名称 = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        let at = t.find('=').map(|_| t.rfind('=').unwrap_or(0)).unwrap_or(0);
        assert_eq!(line_col(t, at), (2, 4));
    }
}

//! Which name of a template line was undefined: the names a template binds
//! itself, and those its expressions use that neither it nor the data
//! holds.

use std::collections::BTreeSet;

/// The names a template binds itself: macro names and their arguments,
/// `for` loop variables, `set` and `with` targets.
pub(super) fn bound_names(source: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = source;
    while let Some(start) = rest.find("{%") {
        let body = &rest[start + 2..];
        let end = body.find("%}").unwrap_or(body.len());
        let tag = body[..end].trim_matches(|c: char| c == '-' || c == '+' || c.is_whitespace());
        let (head, tail) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        let targets = match head {
            "macro" => tail.split_once(')').map_or(tail, |(a, _)| a),
            "for" => tail.split(" in ").next().unwrap_or(""),
            "set" | "with" => tail.split('=').next().unwrap_or(""),
            _ => "",
        };
        let mut after_eq = false;
        for word in targets.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '=')) {
            // A macro's default values (`f=none`) are not names it binds.
            let name = word.split('=').next().unwrap_or("");
            if !name.is_empty() && !after_eq && !name.starts_with(|c: char| c.is_ascii_digit()) {
                out.insert(name.to_string());
            }
            after_eq = word.ends_with('=');
        }
        rest = body.get(end..).unwrap_or("");
    }
    out
}

/// Names used in the expressions of one template line that the context
/// does not hold (a best effort to say which name was undefined).
pub(super) fn undefined_names(line: &str, known: &BTreeSet<String>) -> Vec<String> {
    const BUILTIN: &[&str] = &[
        "fig",
        "table",
        "chart",
        "loop",
        "range",
        "true",
        "false",
        "none",
        "and",
        "or",
        "not",
        "in",
        "is",
        "if",
        "else",
        "elif",
        "endif",
        "for",
        "endfor",
        "set",
        "endset",
        "defined",
        "undefined",
        "length",
        "join",
        "upper",
        "lower",
        "default",
        "first",
        "last",
        "round",
        "int",
        "float",
        "string",
        "trim",
        "replace",
        "with",
        "endwith",
        "macro",
        "endmacro",
    ];
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(start) = rest.find(['{']) {
        let after = &rest[start + 1..];
        let Some(kind) = after.chars().next() else { break };
        if kind != '{' && kind != '%' {
            rest = after;
            continue;
        }
        let close = if kind == '{' { "}}" } else { "%}" };
        let body = &after[1..];
        let end = body.find(close).unwrap_or(body.len());
        let expr = &body[..end];
        let mut prev = ' ';
        let mut word = String::new();
        let mut in_str = false;
        for c in expr.chars().chain(std::iter::once(' ')) {
            if c == '"' || c == '\'' {
                in_str = !in_str;
            }
            if !in_str && (c.is_ascii_alphanumeric() || c == '_') {
                word.push(c);
                continue;
            }
            if !word.is_empty() {
                let first = word.chars().next().unwrap_or('0');
                let is_attr = prev == '.' || prev == '|';
                if !is_attr
                    && !first.is_ascii_digit()
                    && !known.contains(&word)
                    && !BUILTIN.contains(&word.as_str())
                    && !out.contains(&word)
                {
                    out.push(word.clone());
                }
                word.clear();
            }
            if !c.is_whitespace() {
                prev = c;
            }
        }
        rest = &body[end.min(body.len())..];
    }
    out
}

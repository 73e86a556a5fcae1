//! Templates (模板): the narrative is a minijinja template a county edits;
//! every figure in it is filled from data.
//!
//! A template renders to a light markup that becomes a [`Document`]:
//!
//! | line | becomes |
//! |---|---|
//! | `% 标题` | the title (`%% 副标题` the line under it) |
//! | `# 组织领导` … `#### 细项` | a heading at level 1–4, numbered 一、/（一）/ 1./（1） |
//! | `> 说明` | a note |
//! | `{{ table("aid_by_program") }}` alone on a line | the table with that key |
//! | `{{ chart("aid_by_stage") }}` alone on a line | the chart with that key |
//! | a blank line | ends a paragraph (lines of one paragraph join without a space) |
//!
//! Figures are variables named by their key: `{{ students_total }}` prints
//! `126964人` and keeps the typed figure in the document (for the data
//! appendix); `fig("students_total")` does the same by name. A figure also
//! has `.text` (printed, as plain text), `.number`, `.unit`, `.label`, `.n`
//! (a count's integer), `.percent` (a rate's printed percentage) and
//! `.value` (a count, a rate's percentage or a plain number), for
//! comparisons such as `{% if retention_junior.value >= 95 %}`. Plain
//! words come from [`ReportData::vars`].
//!
//! Undefined names are errors ([`minijinja::UndefinedBehavior::Strict`]):
//! a template that names a figure the data lacks fails with
//! [`Error::Template`] naming the template line, never a blank in the
//! report.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value as JValue};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Block, Document, Heading, Inline, Table};
use crate::figure::{Figure, FigureSet, Value};

const FIG_OPEN: char = '\u{E000}';
const MARK_CLOSE: char = '\u{E001}';
const BLOCK_OPEN: char = '\u{E002}';

/// The default work-report template (Chinese, official style), following
/// the structure of a county's education poverty-alleviation work report.
pub const DEFAULT_TEMPLATE: &str = include_str!("../templates/county_report.txt.j2");

/// A word or a list of words for a template (the county's name, the years).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Var {
    /// One string.
    Text(String),
    /// A list of strings.
    List(Vec<String>),
}

/// Everything a template can name: figures, words, tables and charts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportData {
    /// The figures, by key.
    pub figures: FigureSet,
    /// Words (the county's name, the period), by name.
    #[serde(default)]
    pub vars: BTreeMap<String, Var>,
    /// Tables, by key, for `table("key")`.
    #[serde(default)]
    pub tables: BTreeMap<String, Table>,
    /// Charts, by key, for `chart("key")`.
    #[serde(default)]
    pub charts: BTreeMap<String, Chart>,
}

impl ReportData {
    /// Empty data.
    #[must_use]
    pub fn new() -> ReportData {
        ReportData::default()
    }

    /// Add a figure.
    ///
    /// # Errors
    /// As [`FigureSet::insert`], and [`Error::DuplicateKey`] if a variable
    /// has the same name.
    pub fn figure(&mut self, figure: Figure) -> Result<&mut ReportData, Error> {
        if self.vars.contains_key(&figure.key) {
            return Err(Error::DuplicateKey { key: figure.key });
        }
        self.figures.insert(figure)?;
        Ok(self)
    }

    /// Set a word.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] or [`Error::DuplicateKey`] (a figure of that name).
    pub fn var(&mut self, name: &str, value: impl Into<String>) -> Result<&mut ReportData, Error> {
        self.set_var(name, Var::Text(value.into()))
    }

    /// Set a list of words.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] or [`Error::DuplicateKey`] (a figure of that name).
    pub fn list(&mut self, name: &str, values: Vec<String>) -> Result<&mut ReportData, Error> {
        self.set_var(name, Var::List(values))
    }

    fn set_var(&mut self, name: &str, v: Var) -> Result<&mut ReportData, Error> {
        if !crate::figure::is_identifier(name) {
            return Err(Error::InvalidKey { key: name.to_string() });
        }
        if self.figures.get(name).is_some() {
            return Err(Error::DuplicateKey { key: name.to_string() });
        }
        self.vars.insert(name.to_string(), v);
        Ok(self)
    }

    /// Add a table under `key`.
    pub fn table(&mut self, key: &str, table: Table) -> &mut ReportData {
        self.tables.insert(key.to_string(), table);
        self
    }

    /// Add a chart under `key`.
    pub fn chart(&mut self, key: &str, chart: Chart) -> &mut ReportData {
        self.charts.insert(key.to_string(), chart);
        self
    }
}

/// A figure as a template sees it.
#[derive(Debug)]
struct FigureObject(Figure);

impl Object for FigureObject {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &JValue) -> Option<JValue> {
        let f = &self.0;
        match key.as_str()? {
            "text" => Some(JValue::from(f.display())),
            "number" => Some(JValue::from(f.value.number_text())),
            "unit" => Some(JValue::from(f.value.unit_text())),
            "label" => Some(JValue::from(f.label.clone())),
            "key" => Some(JValue::from(f.key.clone())),
            "n" => match &f.value {
                Value::Count { n, .. } => Some(JValue::from(*n)),
                _ => None,
            },
            "percent" => match &f.value {
                // For comparisons in `if` only; the printed text is exact.
                Value::Rate(r) => r.percent().to_f64().map(JValue::from),
                _ => None,
            },
            "value" => match &f.value {
                Value::Count { n, .. } => Some(JValue::from(*n)),
                Value::Rate(r) => r.percent().to_f64().map(JValue::from),
                Value::Number { value, .. } => value.to_f64().map(JValue::from),
                _ => None,
            },
            _ => None,
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        Self: Sized + 'static,
    {
        write!(f, "{FIG_OPEN}{}{MARK_CLOSE}", self.0.key)
    }
}

/// A template and its name (the name appears in errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    name: String,
    source: String,
}

impl Template {
    /// A template from its text.
    #[must_use]
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            source: source.into(),
        }
    }

    /// The built-in work-report template, [`DEFAULT_TEMPLATE`].
    #[must_use]
    pub fn default_report() -> Template {
        Template::new("county_report.txt.j2", DEFAULT_TEMPLATE)
    }

    /// Read a template file.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn from_file(path: &std::path::Path) -> Result<Template, Error> {
        let source = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Template::new(path.display().to_string(), source))
    }

    /// The template's text.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Fill the template from `data` and build the document.
    ///
    /// # Errors
    /// [`Error::Template`] naming the line for a syntax error, an undefined
    /// name, or an unknown figure, table or chart.
    pub fn render(&self, data: &ReportData) -> Result<Document, Error> {
        let text = self.render_text(data)?;
        parse_markup(&text, data)
    }

    /// Fill the template and return the markup (figures as markers).
    fn render_text(&self, data: &ReportData) -> Result<String, Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| self.error(&e, &BTreeSet::new()))?;
        env.set_syntax(syntax);
        let figures: Arc<BTreeMap<String, Figure>> =
            Arc::new(data.figures.iter().map(|f| (f.key.clone(), f.clone())).collect());
        let figs = Arc::clone(&figures);
        env.add_function("fig", move |key: String| -> Result<JValue, minijinja::Error> {
            figs.get(&key)
                .map(|f| JValue::from_object(FigureObject(f.clone())))
                .ok_or_else(|| minijinja::Error::new(ErrorKind::UndefinedError, format!("unknown figure {key:?}")))
        });
        let tables: BTreeSet<String> = data.tables.keys().cloned().collect();
        env.add_function("table", move |key: String| -> Result<String, minijinja::Error> {
            if tables.contains(&key) {
                Ok(format!("{BLOCK_OPEN}table:{key}{MARK_CLOSE}"))
            } else {
                Err(minijinja::Error::new(
                    ErrorKind::UndefinedError,
                    format!("unknown table {key:?}"),
                ))
            }
        });
        let charts: BTreeSet<String> = data.charts.keys().cloned().collect();
        env.add_function("chart", move |key: String| -> Result<String, minijinja::Error> {
            if charts.contains(&key) {
                Ok(format!("{BLOCK_OPEN}chart:{key}{MARK_CLOSE}"))
            } else {
                Err(minijinja::Error::new(
                    ErrorKind::UndefinedError,
                    format!("unknown chart {key:?}"),
                ))
            }
        });
        let mut ctx: BTreeMap<String, JValue> = BTreeMap::new();
        for (k, v) in &data.vars {
            let v = match v {
                Var::Text(s) => JValue::from(s.clone()),
                Var::List(l) => JValue::from(l.clone()),
            };
            ctx.insert(k.clone(), v);
        }
        for (k, f) in figures.iter() {
            ctx.insert(k.clone(), JValue::from_object(FigureObject(f.clone())));
        }
        let known: BTreeSet<String> = ctx.keys().cloned().collect();
        let to_err = |e: &minijinja::Error| self.error(e, &known);
        env.add_template(&self.name, &self.source).map_err(|e| to_err(&e))?;
        let tmpl = env.get_template(&self.name).map_err(|e| to_err(&e))?;
        tmpl.render(JValue::from(ctx)).map_err(|e| to_err(&e))
    }

    fn error(&self, e: &minijinja::Error, known: &BTreeSet<String>) -> Error {
        let line = e.line().unwrap_or(0);
        let mut message = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        if e.kind() == ErrorKind::UndefinedError && e.detail().is_none() {
            let text = self.source.lines().nth(line.saturating_sub(1)).unwrap_or("");
            let missing = undefined_names(text, known);
            if !missing.is_empty() {
                message = format!("{message}: no figure or variable named {}", missing.join(", "));
            }
        }
        Error::Template {
            name: self.name.clone(),
            line,
            message,
        }
    }
}

/// Names used in the expressions of one template line that the context
/// does not hold (a best effort to say which name was undefined).
fn undefined_names(line: &str, known: &BTreeSet<String>) -> Vec<String> {
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

/// Turn filled-in markup into a document.
fn parse_markup(text: &str, data: &ReportData) -> Result<Document, Error> {
    let mut doc = Document::default();
    let mut para: Vec<Inline> = Vec::new();
    let flush = |para: &mut Vec<Inline>, doc: &mut Document| {
        if para
            .iter()
            .any(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()))
        {
            doc.blocks.push(Block::Paragraph(std::mem::take(para)));
        }
        para.clear();
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut para, &mut doc);
            continue;
        }
        if let Some(t) = line.strip_prefix("%%") {
            flush(&mut para, &mut doc);
            doc.subtitle = Some(plain(t.trim(), data)?);
            continue;
        }
        if let Some(t) = line.strip_prefix('%') {
            flush(&mut para, &mut doc);
            doc.title = plain(t.trim(), data)?;
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&hashes) && line[hashes..].starts_with(' ') {
            flush(&mut para, &mut doc);
            doc.blocks.push(Block::Heading(Heading {
                level: u8::try_from(hashes).unwrap_or(1),
                text: plain(line[hashes..].trim(), data)?,
            }));
            continue;
        }
        if let Some(t) = line.strip_prefix('>') {
            flush(&mut para, &mut doc);
            doc.blocks.push(Block::Note(inlines(t.trim(), data)?));
            continue;
        }
        // Block markers split the paragraph around them.
        let mut rest = line;
        while let Some(i) = rest.find(BLOCK_OPEN) {
            para.extend(inlines(&rest[..i], data)?);
            let after = &rest[i + BLOCK_OPEN.len_utf8()..];
            let end = after.find(MARK_CLOSE).unwrap_or(after.len());
            let marker = &after[..end];
            flush(&mut para, &mut doc);
            let unknown = |what, key: &str| Error::Unknown {
                what,
                key: key.to_string(),
            };
            if let Some(k) = marker.strip_prefix("table:") {
                let t = data.tables.get(k).ok_or_else(|| unknown("table", k))?;
                doc.blocks.push(Block::Table(t.clone()));
            } else if let Some(k) = marker.strip_prefix("chart:") {
                let c = data.charts.get(k).ok_or_else(|| unknown("chart", k))?;
                doc.blocks.push(Block::Chart(c.clone()));
            }
            rest = after.get(end + MARK_CLOSE.len_utf8()..).unwrap_or("");
        }
        if !rest.is_empty() {
            para.extend(inlines(rest, data)?);
        }
    }
    flush(&mut para, &mut doc);
    // Merge adjacent text so each paragraph is text, figure, text, ….
    for b in &mut doc.blocks {
        if let Block::Paragraph(p) | Block::Note(p) = b {
            let mut merged: Vec<Inline> = Vec::with_capacity(p.len());
            for i in p.drain(..) {
                match (merged.last_mut(), i) {
                    (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
                    (_, i) => merged.push(i),
                }
            }
            *p = merged;
        }
    }
    Ok(doc)
}

/// Split text with figure markers into inlines.
fn inlines(text: &str, data: &ReportData) -> Result<Vec<Inline>, Error> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(FIG_OPEN) {
        if i > 0 {
            out.push(Inline::Text(rest[..i].to_string()));
        }
        let after = &rest[i + FIG_OPEN.len_utf8()..];
        let end = after.find(MARK_CLOSE).unwrap_or(after.len());
        let key = &after[..end];
        out.push(Inline::Figure(data.figures.require(key)?.clone()));
        rest = after.get(end + MARK_CLOSE.len_utf8()..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
    Ok(out)
}

/// Text with figures printed in place (titles and headings).
fn plain(text: &str, data: &ReportData) -> Result<String, Error> {
    Ok(inlines(text, data)?.iter().map(Inline::plain).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Source;

    fn data() -> ReportData {
        let mut d = ReportData::new();
        d.figure(Figure::count("total", "在校生", 126_964, "人", Source::default()))
            .unwrap();
        d.var("county", "示范县").unwrap();
        d
    }

    #[test]
    fn markup_becomes_blocks() {
        let t = Template::new(
            "t",
            "% {{ county }}工作报告\n\n# 总体情况\n全县共有在校生{{ total }}，\n较上年持平。\n\n> 数据截至春季学期\n",
        );
        let doc = t.render(&data()).unwrap();
        assert_eq!(doc.title, "示范县工作报告");
        assert_eq!(doc.blocks.len(), 3);
        let Block::Paragraph(p) = &doc.blocks[1] else {
            panic!("not a paragraph")
        };
        assert_eq!(crate::doc::plain_text(p), "全县共有在校生126964人，较上年持平。");
        assert!(matches!(p[1], Inline::Figure(_)));
    }

    #[test]
    fn a_missing_figure_names_the_line() {
        let t = Template::new("t.j2", "% 标题\n\n第一行\n共{{ totl }}人\n");
        match t.render(&data()) {
            Err(Error::Template { line, message, name }) => {
                assert_eq!(line, 4);
                assert_eq!(name, "t.j2");
                assert!(message.contains("totl"), "{message}");
            }
            other => panic!("expected a template error, got {other:?}"),
        }
        let t = Template::new("t.j2", "a\n{{ total.nope }}\n");
        assert!(matches!(t.render(&data()), Err(Error::Template { line: 2, .. })));
        let t = Template::new("t.j2", "a\nb\n{{ fig(\"nope\") }}\n");
        assert!(matches!(t.render(&data()), Err(Error::Template { line: 3, .. })));
        let t = Template::new("t.j2", "{{ table(\"nope\") }}\n");
        assert!(matches!(t.render(&data()), Err(Error::Template { line: 1, .. })));
    }

    #[test]
    fn attributes_are_available() {
        let t = Template::new(
            "t",
            "{{ total.number }}|{{ total.unit }}|{% if total.n > 100000 %}big{% endif %}|{{ total.label }}",
        );
        let doc = t.render(&data()).unwrap();
        let Block::Paragraph(p) = &doc.blocks[0] else {
            panic!("not a paragraph")
        };
        assert_eq!(crate::doc::plain_text(p), "126964|人|big|在校生");
    }
}

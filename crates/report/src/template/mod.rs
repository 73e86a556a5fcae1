//! Templates (模板): the narrative is a minijinja template a county edits;
//! every figure in it is filled from data.
//!
//! A template renders to a light markup that becomes a [`Document`]:
//!
//! | line | becomes |
//! |---|---|
//! | `% 标题` | the title (`%% 副标题` the line under it) |
//! | `%to 县人民政府：` | the addressee (主送机关), flush left under the title |
//! | `%from 某县教育局` | a line of the signature (落款: issuing body, then date) at the end of the body |
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
//! Values from data are text, never markup: a township named
//! `\n# 标题` prints as those characters in its paragraph, not as a heading.
//! What a template writes itself (and its macros) is markup.
//!
//! Templates are user files, so they run on a budget: at most
//! [`MAX_TEMPLATE_FUEL`] steps, [`MAX_TEMPLATE_OUTPUT`] bytes of output and
//! [`MAX_TEMPLATE_RANGE`] items from one `range()`; going over is an
//! [`Error::Template`] naming the limit.
//!
//! Undefined names are errors ([`minijinja::UndefinedBehavior::Strict`]):
//! a template that names a figure the data lacks fails with
//! [`Error::Template`] naming the template line, never a blank in the
//! report.
//!
//! Here: the data and the template, run by minijinja; `markup` turns the
//! filled-in text into the document, `names` finds which name of a failing
//! line was undefined.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use eduaid_model::convert::clamped;
use minijinja::value::{Object, ObjectRepr};
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value as JValue};
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Document, Table};
use crate::figure::{Figure, FigureSet};
use crate::value::Value;

mod markup;
mod names;

use markup::{BLOCK_OPEN, FIG_OPEN, LIT_OPEN, MARK_CLOSE, parse_markup};
use names::{bound_names, undefined_names};

/// The most steps (minijinja's fuel: about one per instruction) a template
/// may take. The built-in report takes about 10 000.
pub const MAX_TEMPLATE_FUEL: u64 = 20_000_000;
/// The most bytes of markup a template may write.
pub const MAX_TEMPLATE_OUTPUT: usize = 16 << 20;
/// The most items `range()` gives in a template.
pub const MAX_TEMPLATE_RANGE: usize = 10_000;

/// The default work-report template (Chinese, official style), following
/// the structure of a county's education poverty-alleviation work report.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/county_report.txt.j2");

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

    /// A figure made into a string (`"共" ~ total`) is its printed text;
    /// printed on its own (`{{ total }}`) it stays a typed figure.
    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        Self: Sized + 'static,
    {
        f.write_str(&self.0.display())
    }
}

/// The rendered markup, capped at [`MAX_TEMPLATE_OUTPUT`] bytes: a write
/// past the cap fails, and the render with it.
struct Capped {
    out: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len().saturating_add(buf.len()) > MAX_TEMPLATE_OUTPUT {
            self.over = true;
            return Err(std::io::Error::other("template output too large"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Values printed from data, by the index their marker carries, and their
/// total length in bytes.
type Literals = Arc<std::sync::Mutex<(Vec<String>, usize)>>;

fn output_too_large() -> String {
    format!(
        "the template writes more than {} MiB, the limit of its output (a loop too many?)",
        MAX_TEMPLATE_OUTPUT >> 20
    )
}

/// `range()` as minijinja's, but never more than [`MAX_TEMPLATE_RANGE`] items.
fn capped_range(lower: i64, upper: Option<i64>, step: Option<i64>) -> Result<JValue, minijinja::Error> {
    let (start, end) = match upper {
        Some(u) => (lower, u),
        None => (0, lower),
    };
    let step = step.unwrap_or(1);
    let too_many = || {
        minijinja::Error::new(
            ErrorKind::InvalidOperation,
            format!("range({start}, {end}, {step}) has more than {MAX_TEMPLATE_RANGE} items"),
        )
    };
    let span = i128::from(end) - i128::from(start);
    let len = match step {
        0 => {
            return Err(minijinja::Error::new(
                ErrorKind::InvalidOperation,
                "range with a step of 0",
            ));
        }
        s if (s > 0) != (span > 0) || span == 0 => 0,
        s => (span.abs() + i128::from(s).abs() - 1) / i128::from(s).abs(),
    };
    if len > clamped::<_, i128>(MAX_TEMPLATE_RANGE) {
        return Err(too_many());
    }
    let items: Vec<i64> = std::iter::successors(Some(start), |x| x.checked_add(step))
        .take(clamped::<_, usize>(len))
        .collect();
    Ok(JValue::from(items))
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
        let (text, literals) = self.render_text(data)?;
        parse_markup(&text, data, &literals)
    }

    /// Fill the template and return the markup (figures and values from
    /// data as markers) and the values the markers index.
    fn render_text(&self, data: &ReportData) -> Result<(String, Vec<String>), Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_fuel(Some(MAX_TEMPLATE_FUEL));
        env.add_function("range", capped_range);
        // Values are "escaped" into markers: what the template writes
        // itself, and its macros' output, is markup ("safe"); a value from
        // data is text.
        env.set_auto_escape_callback(|_| AutoEscape::Custom(std::borrow::Cow::Borrowed("eduaid-markup")));
        let literals: Literals = Arc::default();
        let lits = Arc::clone(&literals);
        env.set_formatter(move |out, _state, value| {
            if value.is_safe() {
                return out
                    .write_str(value.as_str().unwrap_or_default())
                    .map_err(minijinja::Error::from);
            }
            if let Some(f) = value.downcast_object_ref::<FigureObject>() {
                return write!(out, "{FIG_OPEN}{}{MARK_CLOSE}", f.0.key).map_err(minijinja::Error::from);
            }
            let mut lits = lits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let text = value.to_string();
            // Values are held aside, so they count against the output cap
            // here (the markup only carries their markers).
            lits.1 = lits.1.saturating_add(text.len());
            if lits.1 > MAX_TEMPLATE_OUTPUT {
                return Err(minijinja::Error::new(ErrorKind::InvalidOperation, output_too_large()));
            }
            let index = lits.0.len();
            lits.0.push(text);
            write!(out, "{LIT_OPEN}{index}{MARK_CLOSE}").map_err(minijinja::Error::from)
        });
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
        env.add_function("table", block_marker("table", data.tables.keys().cloned().collect()));
        env.add_function("chart", block_marker("chart", data.charts.keys().cloned().collect()));
        let ctx = context(data, &figures);
        let known: BTreeSet<String> = ctx.keys().cloned().collect();
        let to_err = |e: &minijinja::Error| self.error(e, &known);
        env.add_template(&self.name, &self.source).map_err(|e| to_err(&e))?;
        let tmpl = env.get_template(&self.name).map_err(|e| to_err(&e))?;
        let mut out = Capped {
            out: Vec::new(),
            over: false,
        };
        match tmpl.render_captured_to(JValue::from(ctx), &mut out) {
            Ok(_) => {}
            Err(e) if out.over => {
                return Err(Error::Template {
                    name: self.name.clone(),
                    line: e.line().unwrap_or(0),
                    message: output_too_large(),
                });
            }
            Err(e) => return Err(to_err(&e)),
        }
        drop(env);
        let text = String::from_utf8(out.out).map_err(|_| Error::Template {
            name: self.name.clone(),
            line: 0,
            message: "the output is not UTF-8 text".into(),
        })?;
        let literals = std::mem::take(&mut literals.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0);
        Ok((text, literals))
    }

    fn error(&self, e: &minijinja::Error, known: &BTreeSet<String>) -> Error {
        let line = e.line().unwrap_or(0);
        let mut message = match e.detail() {
            Some(d) => format!("{}: {d}", e.kind()),
            None => e.kind().to_string(),
        };
        if e.kind() == ErrorKind::OutOfFuel {
            message = format!(
                "the template takes more than {MAX_TEMPLATE_FUEL} steps, the limit of its work (a loop too deep?)"
            );
        }
        if e.kind() == ErrorKind::UndefinedError && e.detail().is_none() {
            let text = self.source.lines().nth(line.saturating_sub(1)).unwrap_or("");
            // Names the template binds itself (macros and their arguments,
            // loop and `set` variables) are not missing figures.
            let mut known = known.clone();
            known.extend(bound_names(&self.source));
            let missing = undefined_names(text, &known);
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

/// The template function `table(key)` or `chart(key)`: a block marker for
/// a table or chart the data holds, an error for one it does not.
fn block_marker(
    kind: &'static str,
    keys: BTreeSet<String>,
) -> impl Fn(String) -> Result<JValue, minijinja::Error> + Send + Sync + 'static {
    move |key: String| {
        if keys.contains(&key) {
            Ok(JValue::from_safe_string(format!(
                "{BLOCK_OPEN}{kind}:{key}{MARK_CLOSE}"
            )))
        } else {
            Err(minijinja::Error::new(
                ErrorKind::UndefinedError,
                format!("unknown {kind} {key:?}"),
            ))
        }
    }
}

/// The names a template sees: the data's variables, then its figures.
fn context(data: &ReportData, figures: &BTreeMap<String, Figure>) -> BTreeMap<String, JValue> {
    let mut ctx: BTreeMap<String, JValue> = BTreeMap::new();
    for (k, v) in &data.vars {
        let v = match v {
            Var::Text(s) => JValue::from(s.clone()),
            Var::List(l) => JValue::from(l.clone()),
        };
        ctx.insert(k.clone(), v);
    }
    for (k, f) in figures {
        ctx.insert(k.clone(), JValue::from_object(FigureObject(f.clone())));
    }
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Block, Inline};
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

    fn message(t: &str) -> (usize, String) {
        match Template::new("t.j2", t).render(&data()) {
            Err(Error::Template { line, message, .. }) => (line, message),
            Err(other) => panic!("expected a template error, got {other:?}"),
            Ok(doc) => panic!("expected a template error, got {} blocks", doc.blocks.len()),
        }
    }

    #[test]
    fn runaway_templates_stop_fast_with_the_limit_named() {
        let start = std::time::Instant::now();
        let deep = "a\n{% for a in range(100000) %}{% for b in range(100000) %}{% for c in range(100000) %}x{% endfor %}{% endfor %}{% endfor %}\n";
        let (line, m) = message(deep);
        assert_eq!(line, 2);
        assert!(m.contains("range(0, 100000, 1) has more than 10000 items"), "{m}");
        let (_, m) = message(
            "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{% endfor %}{% endfor %}{% endfor %}",
        );
        assert!(m.contains("more than 20000000 steps"), "{m}");
        let (_, m) = message("{{ \"x\" * 10**9 }}");
        assert!(m.contains("too large"), "{m}");
        let (_, m) = message("{% for i in range(10000) %}{{ \"x\" * 10000 }}{% endfor %}");
        assert!(m.contains("writes more than 16 MiB"), "{m}");
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn values_from_data_are_text_not_markup() {
        let mut d = data();
        d.var("township", "\n# 伪造的报告标题").unwrap();
        d.var("marker", "a\u{E000}b\u{E001}c\u{E002}table:x\u{E001}").unwrap();
        let t = Template::new(
            "t",
            "% {{ county }}工作报告\n\n# 总体情况\n{{ township }}共有在校生{{ total }}。\n\n{{ marker }}\n\n{% macro h(x) %}## {{ x }}{% endmacro %}{{ h(township) }}\n",
        );
        let doc = t.render(&d).unwrap();
        assert_eq!(doc.title, "示范县工作报告");
        let Block::Paragraph(p) = &doc.blocks[1] else {
            panic!("not a paragraph: {:?}", doc.blocks[1])
        };
        assert_eq!(crate::doc::plain_text(p), " # 伪造的报告标题共有在校生126964人。");
        assert!(matches!(p[1], Inline::Figure(_)));
        let Block::Paragraph(p) = &doc.blocks[2] else {
            panic!("not a paragraph: {:?}", doc.blocks[2])
        };
        assert_eq!(crate::doc::plain_text(p), "a\u{E000}b\u{E001}c\u{E002}table:x\u{E001}");
        // The template's own markup (here a macro's) is still markup; the
        // value inside it is still text.
        let Block::Heading(h) = &doc.blocks[3] else {
            panic!("not a heading: {:?}", doc.blocks[3])
        };
        assert_eq!(h.text, "# 伪造的报告标题");
        assert_eq!(doc.blocks.len(), 4);
    }

    #[test]
    fn errors_name_the_attribute_not_a_macro_argument() {
        let (line, m) = message("{% macro show(f) %}\n{{ f.nope }}\n{% endmacro %}\n\n{{ show(total) }}\n");
        assert!(m.contains("nope"), "line {line}: {m}");
        assert!(!m.contains("named f"), "{m}");
        let (line, m) = message("{% macro show(f, g=1) %}{{ f }}{{ missing }}{% endmacro %}\n{{ show(total) }}\n");
        assert!(m.ends_with("no figure or variable named missing"), "line {line}: {m}");
        let (_, m) = message("{% for x, y in [[1, 2]] %}{% set z = 3 %}{{ x }}{{ y }}{{ z }}{{ gone }}{% endfor %}");
        assert!(m.contains("gone") && !m.contains(" x") && !m.contains(" z"), "{m}");
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

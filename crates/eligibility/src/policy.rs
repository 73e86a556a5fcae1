//! Reading policy files and composing overlays into one [`Policy`].
//!
//! A [`Layer`] is one parsed file. A [`PolicySet`] holds layers by id and
//! composes a chain `national ← province ← county ← user` by following each
//! layer's `base`. Composition is where every cross-reference is checked,
//! so errors name the file, line and key of the reference at fault.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;
use eduaid_model::{Money, Stage, Term};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{line_col, syntax};
use crate::schema::{
    AmountDef, Certainty, CiteDef, ConditionsDef, DefaultWindowDef, DocumentDef, Effect, Header, LimitDef, LimitKind,
    ParameterDef, PolicyFile, ProgramDef, RuleDef, TermWindowDef, Unit, ValueDef, When,
};
use crate::{Benefit, Error};

/// The built-in national catalogue, 2007 to today.
pub const NATIONAL_TOML: &str = include_str!("../policy/national.toml");
/// The built-in Hunan provincial overlay.
pub const HUNAN_TOML: &str = include_str!("../policy/hunan.toml");
/// The built-in Hunan county overlay of school year 2016-17 (the seed
/// county's rules).
pub const HUNAN_COUNTY_2016_TOML: &str = include_str!("../policy/hunan-county-2016.toml");

/// A citation, resolved: the document and the clause.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The document's key.
    pub doc: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Document number (文号).
    pub number: Option<String>,
    /// Date issued.
    pub date: Option<When>,
    /// Clause.
    pub clause: Option<String>,
    /// Where it can be read.
    pub url: Option<String>,
    /// How sure: the use site's, or else the document's.
    pub certainty: Certainty,
    /// A note.
    pub note: Option<String>,
}

impl Clone for Citation {
    fn clone(&self) -> Citation {
        Citation {
            doc: self.doc.clone(),
            title: self.title.clone(),
            issuer: self.issuer.clone(),
            number: self.number.clone(),
            date: self.date,
            clause: self.clause.clone(),
            url: self.url.clone(),
            certainty: self.certainty,
            note: self.note.clone(),
        }
    }

    /// Field by field, into the buffers already there (a trace reuses
    /// its steps from one student to the next).
    fn clone_from(&mut self, o: &Citation) {
        self.doc.clone_from(&o.doc);
        self.title.clone_from(&o.title);
        self.issuer.clone_from(&o.issuer);
        self.number.clone_from(&o.number);
        self.date = o.date;
        self.clause.clone_from(&o.clause);
        self.url.clone_from(&o.url);
        self.certainty = o.certainty;
        self.note.clone_from(&o.note);
    }
}

impl Citation {
    /// True if the title is an issuing document's title (it has a 文号,
    /// or reads as one: "关于…", "…通知/意见/办法/决定/公告/规定"), not a
    /// description of what a source says.
    #[must_use]
    pub fn is_document_title(&self) -> bool {
        let main = self.title.split(" (").next().unwrap_or(&self.title);
        self.number.is_some()
            || main.contains("关于")
            || ["通知", "意见", "办法", "决定", "公告", "规定"]
                .iter()
                .any(|e| main.ends_with(e))
    }
}

impl fmt::Display for Citation {
    /// `《title》 (issuer, number, date) clause [V] url` for a document's
    /// title (a parenthesised remark after it stays outside 《》); a
    /// description is printed as it is, without 《》.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_document_title() {
            match self.title.split_once(" (") {
                Some((main, rest)) => write!(f, "《{main}》 ({rest}")?,
                None => write!(f, "《{}》", self.title)?,
            }
        } else {
            f.write_str(&self.title)?;
        }
        write!(f, " ({}", self.issuer)?;
        if let Some(n) = &self.number {
            write!(f, ", {n}")?;
        }
        if let Some(d) = &self.date {
            write!(f, ", {d}")?;
        }
        f.write_str(")")?;
        if let Some(c) = &self.clause {
            write!(f, " {c}")?;
        }
        write!(f, " [{}]", self.certainty)?;
        if let Some(u) = &self.url {
            write!(f, " {u}")?;
        }
        Ok(())
    }
}

/// A parameter's value: one amount (or share), or one per stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// The same for every stage.
    Amount(Money),
    /// Per stage.
    ByStage(BTreeMap<Stage, Money>),
}

impl Value {
    /// The value for `stage`, if it has one.
    #[must_use]
    pub fn for_stage(&self, stage: Stage) -> Option<Money> {
        match self {
            Value::Amount(m) => Some(*m),
            Value::ByStage(m) => m.get(&stage).copied(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Amount(m) => write!(f, "{}", m.as_decimal()),
            Value::ByStage(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(s, v)| format!("{} {}", s.chinese(), v.as_decimal()))
                    .collect();
                f.write_str(&parts.join(", "))
            }
        }
    }
}

/// One value of a parameter over `[from, until)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedValue {
    /// From.
    pub from: When,
    /// Until (exclusive), if it ends.
    pub until: Option<When>,
    /// The value.
    pub value: Value,
    /// Its citation.
    pub cite: Citation,
    /// The layer that set it.
    pub layer: String,
}

impl DatedValue {
    /// True if it holds on `date`.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.date <= date && self.until.is_none_or(|u| date < u.date)
    }
}

/// A dated parameter: each layer's values, the top layer winning where it
/// has a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// Its name, e.g. `nutrition.daily`.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Its unit.
    pub unit: Unit,
    /// The values of each layer, bottom (national) first.
    layers: Vec<Vec<DatedValue>>,
}

impl Parameter {
    /// The value in force on `date`: the topmost layer's value that holds
    /// on that day.
    #[must_use]
    pub fn at(&self, date: NaiveDate) -> Option<&DatedValue> {
        self.layers
            .iter()
            .rev()
            .find_map(|l| l.iter().find(|v| v.contains(date)))
    }

    /// The first day any layer gives the parameter a value, if one does.
    /// Before it the parameter is not yet set (a parameter declared with
    /// `values = []` is left to a province or county): a rule using it
    /// grants nothing. A day after it that no value covers is a gap in
    /// the parameter's dates.
    #[must_use]
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.layers.iter().flatten().map(|v| v.from.date).min()
    }

    /// The values in force over `[first, last]`, each with the sub-range
    /// (first day, last day) it covers, in date order.
    #[must_use]
    pub fn segments(&self, first: NaiveDate, last: NaiveDate) -> Vec<(NaiveDate, NaiveDate, &DatedValue)> {
        let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
        cuts.insert(first);
        for l in &self.layers {
            for v in l {
                for d in [Some(v.from.date), v.until.map(|u| u.date)].into_iter().flatten() {
                    if d > first && d <= last {
                        cuts.insert(d);
                    }
                }
            }
        }
        let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
        let mut out: Vec<(NaiveDate, NaiveDate, &DatedValue)> = Vec::new();
        for (i, start) in cuts.iter().enumerate() {
            let end = cuts.get(i + 1).and_then(|d| d.pred_opt()).unwrap_or(last);
            if let Some(v) = self.at(*start) {
                match out.last_mut() {
                    Some(prev) if std::ptr::eq(prev.2, v) => prev.1 = end,
                    _ => out.push((*start, end, v)),
                }
            }
        }
        out
    }

    /// The effective timeline, flattened over the layers.
    #[must_use]
    pub fn timeline(&self) -> Vec<DatedValue> {
        let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
        for l in &self.layers {
            for v in l {
                cuts.insert(v.from.date);
                if let Some(u) = v.until {
                    cuts.insert(u.date);
                }
            }
        }
        let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
        let mut out: Vec<DatedValue> = Vec::new();
        let mut last_src: Option<*const DatedValue> = None;
        for (i, start) in cuts.iter().enumerate() {
            let src = self.at(*start);
            let next = cuts.get(i + 1).copied();
            match src {
                None => last_src = None,
                Some(v) => {
                    let same = last_src.is_some_and(|p| std::ptr::eq(p, v));
                    let until = next.map(|d| when_like(d, v));
                    if same {
                        if let Some(prev) = out.last_mut() {
                            prev.until = until;
                        }
                    } else {
                        let mut nv = v.clone();
                        nv.from = if start == &v.from.date {
                            v.from
                        } else {
                            When::date(*start)
                        };
                        nv.until = until;
                        out.push(nv);
                    }
                    last_src = Some(v);
                }
            }
        }
        // A last open segment that the source closed keeps its own end.
        if let Some(last) = out.last_mut() {
            if last.until.is_none() {
                if let Some(src) = self.at(last.from.date) {
                    last.until = src.until;
                }
            }
        }
        out
    }
}

/// `d` written as a term if it is a term's first day and `v` was written by
/// terms, else as a date.
fn when_like(d: NaiveDate, v: &DatedValue) -> When {
    let t = Term::containing(d);
    if v.from.term.is_some() && t.first_day() == d {
        When::term(t)
    } else {
        When::date(d)
    }
}

/// A rule of a program, composed.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Id, unique in the program.
    pub id: String,
    /// Who it is for, in a clerk's words.
    pub label: Option<String>,
    /// In force from.
    pub from: Option<When>,
    /// In force until (exclusive).
    pub until: Option<When>,
    /// Grant or deny.
    pub effect: Effect,
    /// Conditions.
    pub when: ConditionsDef,
    /// Amount of a grant.
    pub amount: Option<AmountDef>,
    /// Reason of a deny.
    pub reason: Option<String>,
    /// Citation.
    pub cite: Citation,
    /// The layer that set it.
    pub layer: String,
}

impl Rule {
    /// True if the rule is in force on `date`.
    #[must_use]
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f.date <= date) && self.until.is_none_or(|u| date < u.date)
    }
}

/// A program as the composed policy defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramSpec {
    /// Id, e.g. `living-subsidy`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub english: Option<String>,
    /// Other names a file may give it, every layer's (and a name an overlay
    /// replaced).
    pub aliases: Vec<String>,
    /// The short name charts show, if the policy gives one.
    pub short: Option<String>,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// Free text.
    pub description: Option<String>,
    /// Founding document.
    pub cite: Citation,
    /// Rules, highest precedence first.
    pub rules: Vec<Rule>,
}

/// A rule across programs, composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: LimitKind,
    /// Programs covered, in order.
    pub programs: Vec<String>,
    /// The cap parameter of a cap.
    pub cap_per_term: Option<String>,
    /// In force from.
    pub from: Option<When>,
    /// In force until.
    pub until: Option<When>,
    /// Citation.
    pub cite: Citation,
}

impl Limit {
    /// True if in force on `date`.
    #[must_use]
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f.date <= date) && self.until.is_none_or(|u| date < u.date)
    }
}

/// One term's meal-provision window: the school days counted by per-day
/// amounts are the weekdays (Monday to Friday) from `first` to `last`,
/// both included, less the `closed` days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// First day.
    pub first: NaiveDate,
    /// Last day (inclusive).
    pub last: NaiveDate,
    /// Closed days (holidays), as inclusive ranges.
    pub closed: Vec<(NaiveDate, NaiveDate)>,
    /// Where the window comes from.
    pub cite: Citation,
}

impl Window {
    /// School days from `first` to `last` (both included) inside the window.
    #[must_use]
    pub fn school_days(&self, first: NaiveDate, last: NaiveDate) -> u64 {
        let a = first.max(self.first);
        let b = last.min(self.last);
        if a > b {
            return 0;
        }
        let mut n = weekdays(a, b);
        for (cf, cl) in &self.closed {
            let x = (*cf).max(a);
            let y = (*cl).min(b);
            if x <= y {
                n = n.saturating_sub(weekdays(x, y));
            }
        }
        n
    }
}

/// Weekdays (Monday to Friday) from `a` to `b`, both included.
#[must_use]
pub fn weekdays(a: NaiveDate, b: NaiveDate) -> u64 {
    use chrono::Datelike;
    if a > b {
        return 0;
    }
    let days = u64::try_from((b - a).num_days() + 1).unwrap_or(0);
    let weeks = days / 7;
    let mut n = weeks * 5;
    let start = u64::from(a.weekday().num_days_from_monday());
    for i in 0..days % 7 {
        if (start + i) % 7 < 5 {
            n += 1;
        }
    }
    n
}

/// The school-day calendar of the composed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    default: Option<(DefaultWindowDef, Citation)>,
    terms: BTreeMap<Term, (TermWindowDef, Citation)>,
}

impl Calendar {
    /// The provision window of `term`, or `None` if the policy sets none.
    #[must_use]
    pub fn window(&self, term: Term) -> Option<Window> {
        let (def, cite) = self.default.as_ref()?;
        let (season_pair, y0) = match term.season {
            eduaid_model::Season::Autumn => (&def.autumn, term.calendar_year()),
            eduaid_model::Season::Spring => (&def.spring, term.calendar_year()),
        };
        let first = month_day(&season_pair[0], y0, term)?;
        let last = month_day(&season_pair[1], y0, term)?;
        let mut w = Window {
            first,
            last,
            closed: Vec::new(),
            cite: cite.clone(),
        };
        if let Some((t, c)) = self.terms.get(&term) {
            if let Some(f) = t.first {
                w.first = f.date;
            }
            if let Some(l) = t.last {
                w.last = l.date;
            }
            w.closed = t.closed.iter().map(|[a, b]| (a.date, b.date)).collect();
            w.cite = c.clone();
        }
        Some(w)
    }
}

/// `"MM-DD"` placed in the term: a month before the term's first month
/// belongs to the next calendar year (autumn's January).
fn month_day(s: &str, year: i32, term: Term) -> Option<NaiveDate> {
    let (m, d) = s.split_once('-')?;
    let m: u32 = m.trim().parse().ok()?;
    let d: u32 = d.trim().parse().ok()?;
    let start_month = if term.season == eduaid_model::Season::Autumn {
        9
    } else {
        3
    };
    let y = if m < start_month { year + 1 } else { year };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// One parsed policy file.
#[derive(Debug, Clone)]
pub struct Layer {
    file: String,
    text: String,
    parsed: PolicyFile,
}

impl Layer {
    /// Parse `text`, naming it `file` in errors.
    ///
    /// # Errors
    /// [`Error::Syntax`] for invalid TOML or a field the schema does not
    /// know.
    pub fn parse(file: &str, text: &str) -> Result<Layer, Error> {
        let parsed: PolicyFile = toml::from_str(text).map_err(|e| syntax(file, text, &e))?;
        Ok(Layer {
            file: file.to_string(),
            text: text.to_string(),
            parsed,
        })
    }

    /// Read and parse a file.
    ///
    /// # Errors
    /// [`Error::Io`] or the errors of [`Layer::parse`].
    pub fn read(path: &Path) -> Result<Layer, Error> {
        let text = read_toml_text(path)?;
        Layer::parse(&path.display().to_string(), &text)
    }

    /// The layer's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.parsed.policy.id
    }

    /// The layer's base, if any.
    #[must_use]
    pub fn base(&self) -> Option<&str> {
        self.parsed.policy.base.as_ref().map(|b| b.get_ref().as_str())
    }

    /// The file name given.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The parsed content.
    #[must_use]
    pub fn content(&self) -> &PolicyFile {
        &self.parsed
    }

    fn err(&self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) -> Error {
        let (line, column) = line_col(&self.text, span.start);
        Error::Invalid {
            file: self.file.clone(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A set of layers by id, from which chains are composed.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    layers: BTreeMap<String, Layer>,
}

impl PolicySet {
    /// An empty set.
    #[must_use]
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// The built-in layers: `national`, `hunan` and `hunan-county-2016`.
    ///
    /// # Errors
    /// Only if a built-in file is broken (a test guards against it).
    pub fn builtin() -> Result<PolicySet, Error> {
        let mut s = PolicySet::new();
        s.add(Layer::parse("policy/national.toml", NATIONAL_TOML)?)?;
        s.add(Layer::parse("policy/hunan.toml", HUNAN_TOML)?)?;
        s.add(Layer::parse("policy/hunan-county-2016.toml", HUNAN_COUNTY_2016_TOML)?)?;
        Ok(s)
    }

    /// Add a layer.
    ///
    /// # Errors
    /// [`Error::Layer`] if a layer with the same id is already present.
    pub fn add(&mut self, layer: Layer) -> Result<&mut PolicySet, Error> {
        let id = layer.id().to_string();
        if let Some(old) = self.layers.get(&id) {
            return Err(Error::Layer {
                id,
                message: format!("defined twice, in {} and {}", old.file, layer.file),
            });
        }
        self.layers.insert(id, layer);
        Ok(self)
    }

    /// Parse `text` and add it.
    ///
    /// # Errors
    /// As [`Layer::parse`] and [`PolicySet::add`].
    pub fn add_str(&mut self, file: &str, text: &str) -> Result<&mut PolicySet, Error> {
        self.add(Layer::parse(file, text)?)
    }

    /// The ids of the layers held.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.layers.keys().map(String::as_str)
    }

    /// Compose the chain ending in layer `top`: its base, the base's base
    /// and so on down to a layer without a base, applied bottom first.
    ///
    /// # Errors
    /// [`Error::Layer`] if `top` is missing, [`Error::UnknownBase`],
    /// [`Error::OverlayCycle`], and every error of the layers' content.
    pub fn compose(&self, top: &str) -> Result<Policy, Error> {
        let mut chain: Vec<&Layer> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut cur = self.layers.get(top).ok_or_else(|| Error::Layer {
            id: top.to_string(),
            message: "no such layer".into(),
        })?;
        loop {
            if seen.iter().any(|s| s == cur.id()) {
                seen.push(cur.id().to_string());
                let start = seen.iter().position(|s| s == cur.id()).unwrap_or(0);
                return Err(Error::OverlayCycle {
                    chain: seen[start..].join(" -> "),
                });
            }
            seen.push(cur.id().to_string());
            chain.push(cur);
            match cur.base() {
                None => break,
                Some(b) => {
                    cur = self.layers.get(b).ok_or_else(|| Error::UnknownBase {
                        file: cur.file.clone(),
                        layer: cur.id().to_string(),
                        base: b.to_string(),
                    })?;
                }
            }
        }
        chain.reverse();
        Policy::from_chain(&chain)
    }
}

/// A composed policy: documents, dated parameters, programs with their
/// rules in precedence order, limits across programs, and the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    layers: Vec<String>,
    title: String,
    description: Option<String>,
    documents: BTreeMap<String, DocumentDef>,
    parameters: BTreeMap<String, Parameter>,
    programs: BTreeMap<String, ProgramSpec>,
    limits: Vec<Limit>,
    calendar: Calendar,
}

impl Policy {
    /// The national catalogue alone.
    ///
    /// # Errors
    /// Only if a built-in file is broken.
    pub fn national() -> Result<Policy, Error> {
        PolicySet::builtin()?.compose("national")
    }

    /// National ← Hunan ← the Hunan county overlay of 2016-17: the policy
    /// the sample county is evaluated under.
    ///
    /// # Errors
    /// Only if a built-in file is broken.
    pub fn hunan_county_2016() -> Result<Policy, Error> {
        PolicySet::builtin()?.compose("hunan-county-2016")
    }

    /// Compose the built-in layers up to `base` and then `overlay_text` on
    /// top (its `base` must name one of the built-in layers).
    ///
    /// # Errors
    /// Every error of [`PolicySet::compose`].
    pub fn builtin_with(file: &str, overlay_text: &str) -> Result<Policy, Error> {
        let mut set = PolicySet::builtin()?;
        let layer = Layer::parse(file, overlay_text)?;
        let id = layer.id().to_string();
        set.add(layer)?;
        set.compose(&id)
    }

    /// Parse one self-contained file (no base).
    ///
    /// # Errors
    /// As [`PolicySet::compose`].
    pub fn from_str_single(file: &str, text: &str) -> Result<Policy, Error> {
        let layer = Layer::parse(file, text)?;
        Policy::from_chain(&[&layer])
    }

    /// The layer ids, bottom first.
    #[must_use]
    pub fn layers(&self) -> &[String] {
        &self.layers
    }

    /// The title of the top layer.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The programs, by id.
    #[must_use]
    pub fn programs(&self) -> &BTreeMap<String, ProgramSpec> {
        &self.programs
    }

    /// The parameters, by name.
    #[must_use]
    pub fn parameters(&self) -> &BTreeMap<String, Parameter> {
        &self.parameters
    }

    /// A parameter.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.get(name)
    }

    /// The limits across programs.
    #[must_use]
    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    /// The calendar.
    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The documents, by key.
    #[must_use]
    pub fn documents(&self) -> &BTreeMap<String, DocumentDef> {
        &self.documents
    }

    /// Write the composed policy back as one self-contained TOML file
    /// (no base): reading it gives a policy with the same results.
    ///
    /// # Errors
    /// [`Error::Serialize`] if the TOML writer fails.
    pub fn to_toml(&self) -> Result<String, Error> {
        let file = self.to_file();
        toml::to_string(&file).map_err(|e| Error::Serialize(e.to_string()))
    }

    fn to_file(&self) -> PolicyFile {
        let sp = |s: &str| Spanned::new(0..0, s.to_string());
        let cite = |c: &Citation| CiteDef {
            doc: sp(&c.doc),
            clause: c.clause.clone(),
            certainty: Some(c.certainty),
            note: c.note.clone(),
        };
        let documents = self.documents.iter().map(|(k, d)| (sp(k), d.clone())).collect();
        let parameters = self
            .parameters
            .values()
            .map(|p| {
                let values = p
                    .timeline()
                    .iter()
                    .map(|v| ValueDef {
                        from: Spanned::new(0..0, v.from),
                        until: v.until,
                        value: match &v.value {
                            Value::Amount(m) => Some(*m),
                            Value::ByStage(_) => None,
                        },
                        by_stage: match &v.value {
                            Value::Amount(_) => None,
                            Value::ByStage(m) => Some(m.clone()),
                        },
                        cite: cite(&v.cite),
                    })
                    .collect();
                (
                    sp(&p.name),
                    ParameterDef {
                        description: Some(p.description.clone()),
                        unit: Some(p.unit),
                        values,
                    },
                )
            })
            .collect();
        let programs = self
            .programs
            .values()
            .map(|p| {
                let rules = p
                    .rules
                    .iter()
                    .map(|r| RuleDef {
                        id: sp(&r.id),
                        label: r.label.clone(),
                        from: r.from,
                        until: r.until,
                        effect: r.effect,
                        when: r.when.clone(),
                        amount: r.amount.clone(),
                        reason: r.reason.clone(),
                        cite: Some(cite(&r.cite)),
                        disabled: false,
                    })
                    .collect();
                (
                    sp(&p.id),
                    ProgramDef {
                        name: Some(p.name.clone()),
                        english: p.english.clone(),
                        aliases: p.aliases.clone(),
                        short: p.short.clone(),
                        benefit: Some(p.benefit),
                        description: p.description.clone(),
                        cite: Some(cite(&p.cite)),
                        rules,
                    },
                )
            })
            .collect();
        let limits = self
            .limits
            .iter()
            .map(|l| LimitDef {
                id: sp(&l.id),
                kind: l.kind,
                programs: l.programs.iter().map(|p| sp(p)).collect(),
                cap_per_term: l.cap_per_term.as_deref().map(sp),
                from: l.from,
                until: l.until,
                cite: Some(cite(&l.cite)),
                disabled: false,
            })
            .collect();
        let calendar = crate::schema::CalendarDef {
            default: self.calendar.default.as_ref().map(|(d, c)| {
                let mut d = d.clone();
                d.cite = cite(c);
                d
            }),
            terms: self
                .calendar
                .terms
                .iter()
                .map(|(t, (w, c))| {
                    let mut w = w.clone();
                    w.cite = cite(c);
                    (sp(&t.to_string()), w)
                })
                .collect(),
        };
        PolicyFile {
            policy: Header {
                id: self.layers.join("+"),
                title: self.title.clone(),
                base: None,
                description: if self.layers.len() == 1 {
                    self.description.clone()
                } else {
                    Some(format!("composed from {}", self.layers.join(" <- ")))
                },
            },
            documents,
            parameters,
            programs,
            limits,
            calendar: Some(calendar),
        }
    }

    /// Compose layers given bottom first; each layer after the first must be
    /// based on the one before it.
    ///
    /// # Errors
    /// Every content error, with file, line and key.
    pub fn from_layers(layers: &[Layer]) -> Result<Policy, Error> {
        let refs: Vec<&Layer> = layers.iter().collect();
        for w in refs.windows(2) {
            if w[1].base() != Some(w[0].id()) {
                return Err(Error::UnknownBase {
                    file: w[1].file.clone(),
                    layer: w[1].id().to_string(),
                    base: w[1].base().unwrap_or("(none)").to_string(),
                });
            }
        }
        Policy::from_chain(&refs)
    }

    fn from_chain(chain: &[&Layer]) -> Result<Policy, Error> {
        let mut p = Policy {
            layers: Vec::new(),
            title: String::new(),
            description: None,
            documents: BTreeMap::new(),
            parameters: BTreeMap::new(),
            programs: BTreeMap::new(),
            limits: Vec::new(),
            calendar: Calendar {
                default: None,
                terms: BTreeMap::new(),
            },
        };
        let mut doc_layer: BTreeMap<String, String> = BTreeMap::new();
        for layer in chain {
            p.apply(layer, &mut doc_layer)?;
        }
        p.catalogue()?;
        Ok(p)
    }

    fn cite(&self, layer: &Layer, c: &CiteDef, key: &str) -> Result<Citation, Error> {
        let d = self.documents.get(c.doc.get_ref()).ok_or_else(|| {
            layer.err(
                c.doc.span(),
                format!("{key}.doc"),
                format!("unknown document {}", c.doc.get_ref()),
            )
        })?;
        Ok(Citation {
            doc: c.doc.get_ref().clone(),
            title: d.title.clone(),
            issuer: d.issuer.clone(),
            number: d.number.clone(),
            date: d.date,
            clause: c.clause.clone(),
            url: d.url.clone(),
            certainty: c.certainty.unwrap_or(d.certainty),
            note: c.note.clone(),
        })
    }

    #[allow(clippy::too_many_lines)]
    fn apply(&mut self, layer: &Layer, doc_layer: &mut BTreeMap<String, String>) -> Result<(), Error> {
        let f = &layer.parsed;
        let lid = layer.id().to_string();
        self.layers.push(lid.clone());
        self.title.clone_from(&f.policy.title);
        self.description.clone_from(&f.policy.description);

        // Documents: never silently redefined.
        for (k, d) in &f.documents {
            if let Some(other) = doc_layer.get(k.get_ref()) {
                return Err(layer.err(
                    k.span(),
                    format!("documents.{}", k.get_ref()),
                    format!("document already defined in layer {other}"),
                ));
            }
            doc_layer.insert(k.get_ref().clone(), lid.clone());
            self.documents.insert(k.get_ref().clone(), d.clone());
        }

        // Every value within the range of its kind (crate::ranges).
        crate::ranges::check_layer(f, |name| self.parameters.get(name).map(|p| p.unit))
            .map_err(|e| layer.err(e.span, e.key, e.reason))?;

        // Parameters: a layer's values override the layers below where they
        // hold; within a layer, date ranges must not overlap.
        for (k, def) in &f.parameters {
            let name = k.get_ref().clone();
            let key = format!("parameters.{name}");
            let mut values = Vec::new();
            let mut sorted: Vec<&ValueDef> = def.values.iter().collect();
            sorted.sort_by_key(|v| v.from.get_ref().date);
            let unit = match (self.parameters.get(&name), def.unit) {
                (Some(p), Some(u)) if p.unit != u => {
                    return Err(layer.err(
                        k.span(),
                        format!("{key}.unit"),
                        format!("unit {u:?} differs from the base's {:?}", p.unit),
                    ));
                }
                (Some(p), _) => p.unit,
                (None, Some(u)) => u,
                (None, None) => {
                    return Err(layer.err(
                        k.span(),
                        key,
                        "a parameter a layer introduces needs a unit and a description",
                    ));
                }
            };
            for (i, v) in sorted.iter().enumerate() {
                let vkey = format!("{key}.values (from {})", v.from.get_ref());
                let from = *v.from.get_ref();
                let next_from = sorted.get(i + 1).map(|n| *n.from.get_ref());
                if let Some(u) = v.until {
                    if u.date <= from.date {
                        return Err(layer.err(v.from.span(), vkey, format!("until {u} is not after from {from}")));
                    }
                    if let Some(n) = next_from {
                        if n.date < u.date {
                            return Err(layer.err(
                                v.from.span(),
                                vkey,
                                format!("date range {from} to {u} overlaps the value from {n}"),
                            ));
                        }
                    }
                }
                if next_from.is_some_and(|n| n.date == from.date) {
                    return Err(layer.err(v.from.span(), vkey, format!("two values start on {from}")));
                }
                let value = match (&v.value, &v.by_stage) {
                    (Some(m), None) => Value::Amount(*m),
                    (None, Some(b)) if !b.is_empty() => Value::ByStage(b.clone()),
                    _ => {
                        return Err(layer.err(v.from.span(), vkey, "give exactly one of value and by_stage"));
                    }
                };
                let negative = match &value {
                    Value::Amount(m) => m.is_negative(),
                    Value::ByStage(b) => b.values().any(|m| m.is_negative()),
                };
                if negative {
                    return Err(layer.err(v.from.span(), vkey, "negative value"));
                }
                if unit == Unit::Share && !matches!(value, Value::Amount(_)) {
                    return Err(layer.err(v.from.span(), vkey, "a share is one value, not by stage"));
                }
                let cite = self.cite(layer, &v.cite, &format!("{vkey}.cite"))?;
                values.push(DatedValue {
                    from,
                    until: v.until.or(next_from),
                    value,
                    cite,
                    layer: lid.clone(),
                });
            }
            let entry = self.parameters.entry(name.clone()).or_insert_with(|| Parameter {
                name: name.clone(),
                description: String::new(),
                unit,
                layers: Vec::new(),
            });
            if let Some(d) = &def.description {
                entry.description.clone_from(d);
            }
            if entry.description.is_empty() {
                return Err(layer.err(k.span(), key, "a parameter a layer introduces needs a description"));
            }
            entry.layers.push(values);
        }

        // Programs.
        for (k, def) in &f.programs {
            let id = k.get_ref().clone();
            let key = format!("programs.{id}");
            if !self.programs.contains_key(&id) {
                let (Some(name), Some(benefit), Some(c)) = (&def.name, def.benefit, &def.cite) else {
                    return Err(layer.err(
                        k.span(),
                        key,
                        format!("unknown program {id}: a program a layer introduces needs name, benefit and cite"),
                    ));
                };
                let cite = self.cite(layer, c, &format!("{key}.cite"))?;
                self.programs.insert(
                    id.clone(),
                    ProgramSpec {
                        id: id.clone(),
                        name: name.clone(),
                        english: def.english.clone(),
                        aliases: def.aliases.clone(),
                        short: def.short.clone(),
                        benefit,
                        description: def.description.clone(),
                        cite,
                        rules: Vec::new(),
                    },
                );
            } else {
                let c = match &def.cite {
                    Some(c) => Some(self.cite(layer, c, &format!("{key}.cite"))?),
                    None => None,
                };
                if let Some(spec) = self.programs.get_mut(&id) {
                    if let Some(b) = def.benefit {
                        if b != spec.benefit {
                            return Err(layer.err(
                                k.span(),
                                format!("{key}.benefit"),
                                "an overlay cannot change a program's benefit kind",
                            ));
                        }
                    }
                    if let Some(n) = def.name.as_ref().filter(|n| **n != spec.name) {
                        spec.aliases.push(std::mem::replace(&mut spec.name, n.clone()));
                    }
                    spec.aliases.extend(def.aliases.iter().cloned());
                    if def.short.is_some() {
                        spec.short.clone_from(&def.short);
                    }
                    if def.english.is_some() {
                        spec.english.clone_from(&def.english);
                    }
                    if def.description.is_some() {
                        spec.description.clone_from(&def.description);
                    }
                    if let Some(c) = c {
                        spec.cite = c;
                    }
                }
            }
            let mut seen_ids: BTreeSet<&str> = BTreeSet::new();
            let mut new_rules: Vec<Rule> = Vec::new();
            for (i, r) in def.rules.iter().enumerate() {
                let rkey = format!("{key}.rules[{i}] ({})", r.id.get_ref());
                if !seen_ids.insert(r.id.get_ref()) {
                    return Err(layer.err(r.id.span(), rkey, "rule id used twice in this file"));
                }
                let existing = self
                    .programs
                    .get(&id)
                    .and_then(|p| p.rules.iter().position(|x| &x.id == r.id.get_ref()));
                if r.disabled {
                    match existing {
                        Some(pos) => {
                            if let Some(p) = self.programs.get_mut(&id) {
                                p.rules.remove(pos);
                            }
                        }
                        None => return Err(layer.err(r.id.span(), rkey, "no rule with this id to disable")),
                    }
                    continue;
                }
                let rule = self.check_rule(layer, r, &rkey)?;
                match existing {
                    Some(pos) => {
                        if let Some(p) = self.programs.get_mut(&id) {
                            p.rules[pos] = rule;
                        }
                    }
                    None => new_rules.push(rule),
                }
            }
            if let Some(p) = self.programs.get_mut(&id) {
                // A layer's new rules take precedence over the layers below:
                // exceptions in the manner of default logic.
                new_rules.append(&mut p.rules);
                p.rules = new_rules;
            }
        }

        // Limits.
        for (i, l) in f.limits.iter().enumerate() {
            let key = format!("limits[{i}] ({})", l.id.get_ref());
            let pos = self.limits.iter().position(|x| &x.id == l.id.get_ref());
            if l.disabled {
                match pos {
                    Some(p) => {
                        self.limits.remove(p);
                    }
                    None => return Err(layer.err(l.id.span(), key, "no limit with this id to disable")),
                }
                continue;
            }
            for p in &l.programs {
                if !self.programs.contains_key(p.get_ref()) {
                    return Err(layer.err(
                        p.span(),
                        format!("{key}.programs"),
                        format!("unknown program {}", p.get_ref()),
                    ));
                }
            }
            if l.programs.len() < 2 && l.kind == LimitKind::Exclusive {
                return Err(layer.err(l.id.span(), key, "an exclusive limit needs at least two programs"));
            }
            if l.kind == LimitKind::Cap {
                let Some(c) = &l.cap_per_term else {
                    return Err(layer.err(l.id.span(), key, "a cap needs cap_per_term"));
                };
                self.check_param(layer, c, &format!("{key}.cap_per_term"), &[Unit::YuanPerTerm])?;
            }
            let Some(c) = &l.cite else {
                return Err(layer.err(l.id.span(), key, "a limit needs a cite"));
            };
            let cite = self.cite(layer, c, &format!("{key}.cite"))?;
            let limit = Limit {
                id: l.id.get_ref().clone(),
                kind: l.kind,
                programs: l.programs.iter().map(|p| p.get_ref().clone()).collect(),
                cap_per_term: l.cap_per_term.as_ref().map(|c| c.get_ref().clone()),
                from: l.from,
                until: l.until,
                cite,
            };
            match pos {
                Some(p) => self.limits[p] = limit,
                None => self.limits.push(limit),
            }
        }

        // Calendar.
        if let Some(cal) = &f.calendar {
            if let Some(d) = &cal.default {
                for (name, pair) in [("autumn", &d.autumn), ("spring", &d.spring)] {
                    for s in pair {
                        let ok = s
                            .split_once('-')
                            .and_then(|(m, dd)| Some((m.parse::<u32>().ok()?, dd.parse::<u32>().ok()?)))
                            .is_some_and(|(m, dd)| NaiveDate::from_ymd_opt(2001, m, dd).is_some());
                        if !ok {
                            return Err(layer.err(
                                d.cite.doc.span(),
                                format!("calendar.default.{name}"),
                                format!("invalid month-day {s:?}: expected \"MM-DD\""),
                            ));
                        }
                    }
                }
                let c = self.cite(layer, &d.cite, "calendar.default.cite")?;
                self.calendar.default = Some((d.clone(), c));
            }
            for (k, w) in &cal.terms {
                let key = format!("calendar.terms.{}", k.get_ref());
                let term: Term = k
                    .get_ref()
                    .parse()
                    .map_err(|e: eduaid_model::ModelError| layer.err(k.span(), key.clone(), e.to_string()))?;
                for x in [w.first, w.last].into_iter().flatten() {
                    if !term.contains(x.date) {
                        return Err(layer.err(k.span(), key, format!("{x} is not in term {term}")));
                    }
                }
                if let (Some(a), Some(b)) = (w.first, w.last) {
                    if b.date < a.date {
                        return Err(layer.err(k.span(), key, format!("last day {b} is before first day {a}")));
                    }
                }
                let c = self.cite(layer, &w.cite, &format!("{key}.cite"))?;
                self.calendar.terms.insert(term, (w.clone(), c));
            }
        }
        Ok(())
    }

    fn check_param(&self, layer: &Layer, r: &Spanned<String>, key: &str, units: &[Unit]) -> Result<(), Error> {
        match self.parameters.get(r.get_ref()) {
            None => Err(layer.err(r.span(), key, format!("unknown parameter {}", r.get_ref()))),
            Some(p) if !units.contains(&p.unit) => Err(layer.err(
                r.span(),
                key,
                format!("parameter {} is in {:?}, expected {:?}", r.get_ref(), p.unit, units),
            )),
            Some(_) => Ok(()),
        }
    }

    fn check_conditions(layer: &Layer, c: &ConditionsDef, span: &Range<usize>, key: &str) -> Result<(), Error> {
        if let Some(g) = &c.grades {
            if g.iter().any(|x| *x == 0 || *x > 6) {
                return Err(layer.err(span.clone(), format!("{key}.grades"), "grades run from 1 to 6"));
            }
        }
        if let Some(any) = &c.any {
            if any.is_empty() {
                return Err(layer.err(span.clone(), format!("{key}.any"), "an empty any never holds"));
            }
            for (i, a) in any.iter().enumerate() {
                Policy::check_conditions(layer, a, span, &format!("{key}.any[{i}]"))?;
            }
        }
        Ok(())
    }

    fn check_rule(&self, layer: &Layer, r: &RuleDef, key: &str) -> Result<Rule, Error> {
        let span = r.id.span();
        let Some(c) = &r.cite else {
            return Err(layer.err(span, format!("{key}.cite"), "every rule needs a cite"));
        };
        let cite = self.cite(layer, c, &format!("{key}.cite"))?;
        if let (Some(a), Some(b)) = (r.from, r.until) {
            if b.date <= a.date {
                return Err(layer.err(span, key, format!("until {b} is not after from {a}")));
            }
        }
        Policy::check_conditions(layer, &r.when, &span, &format!("{key}.when"))?;
        match r.effect {
            Effect::Deny => {
                if r.reason.is_none() {
                    return Err(layer.err(span, format!("{key}.reason"), "a deny rule needs a reason"));
                }
                if r.amount.is_some() {
                    return Err(layer.err(span, format!("{key}.amount"), "a deny rule has no amount"));
                }
            }
            Effect::Grant => {
                let Some(a) = &r.amount else {
                    return Err(layer.err(span, format!("{key}.amount"), "a grant rule needs an amount"));
                };
                self.check_amount(layer, a, &span, &format!("{key}.amount"))?;
            }
        }
        Ok(Rule {
            id: r.id.get_ref().clone(),
            label: r.label.clone(),
            from: r.from,
            until: r.until,
            effect: r.effect,
            when: r.when.clone(),
            amount: r.amount.clone(),
            reason: r.reason.clone(),
            cite,
            layer: layer.id().to_string(),
        })
    }

    fn check_amount(&self, layer: &Layer, a: &AmountDef, span: &Range<usize>, key: &str) -> Result<(), Error> {
        let kinds = [
            a.per_term.is_some(),
            a.per_year.is_some(),
            a.per_day.is_some(),
            a.once_a_year.is_some(),
            a.tuition_share.is_some(),
            a.tiers.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(layer.err(
                span.clone(),
                key,
                "give exactly one of per_term, per_year, per_day, once_a_year, tuition_share and tiers",
            ));
        }
        let money_year = [Unit::YuanPerYear];
        if let Some(p) = &a.per_term {
            self.check_param(layer, p, &format!("{key}.per_term"), &[Unit::YuanPerTerm])?;
        }
        if let Some(p) = &a.per_year {
            self.check_param(layer, p, &format!("{key}.per_year"), &money_year)?;
        }
        if let Some(p) = &a.once_a_year {
            self.check_param(layer, p, &format!("{key}.once_a_year"), &money_year)?;
        }
        if let Some(p) = &a.per_day {
            self.check_param(layer, p, &format!("{key}.per_day"), &[Unit::YuanPerDay])?;
        }
        if let Some(p) = &a.tuition_share {
            self.check_param(layer, p, &format!("{key}.tuition_share"), &[Unit::Share])?;
        }
        if let Some(p) = &a.fallback_per_year {
            if a.tuition_share.is_none() {
                return Err(layer.err(p.span(), format!("{key}.fallback_per_year"), "only with tuition_share"));
            }
            self.check_param(layer, p, &format!("{key}.fallback_per_year"), &money_year)?;
        }
        if a.season.is_some() && a.once_a_year.is_none() {
            return Err(layer.err(span.clone(), format!("{key}.season"), "only with once_a_year"));
        }
        if let Some(p) = &a.share {
            self.check_param(layer, p, &format!("{key}.share"), &[Unit::Share])?;
        }
        if let Some(tiers) = &a.tiers {
            if tiers.is_empty() {
                return Err(layer.err(span.clone(), format!("{key}.tiers"), "an empty tier table"));
            }
            for (i, t) in tiers.iter().enumerate() {
                let tkey = format!("{key}.tiers[{i}] ({})", t.name);
                Policy::check_conditions(layer, &t.when, span, &format!("{tkey}.when"))?;
                match (&t.per_year, &t.per_term) {
                    (Some(p), None) => self.check_param(layer, p, &format!("{tkey}.per_year"), &money_year)?,
                    (None, Some(p)) => self.check_param(layer, p, &format!("{tkey}.per_term"), &[Unit::YuanPerTerm])?,
                    _ => {
                        return Err(layer.err(span.clone(), tkey, "a tier needs exactly one of per_year and per_term"));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Read a policy or test-case file as text: UTF-8, with or without a byte
/// order mark.
///
/// # Errors
/// [`Error::Io`] if it cannot be read, or [`Error::Syntax`] at the line and
/// column of the first byte that is not UTF-8 (a binary file, or a file
/// saved as GBK).
pub fn read_toml_text(path: &Path) -> Result<String, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        file: file.clone(),
        source,
    })?;
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let good = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = good.matches('\n').count() + 1;
            let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(Error::Syntax {
                file,
                line,
                column,
                message:
                    "not UTF-8 text: a binary file, or one saved in another encoding (such as GBK); save it as UTF-8"
                        .into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn month_days_fall_in_the_terms_years() {
        let autumn: Term = "2016-autumn".parse().unwrap();
        let spring: Term = "2017-spring".parse().unwrap();
        assert_eq!(month_day("09-01", 2016, autumn), Some(d("2016-09-01")));
        assert_eq!(month_day("01-15", 2016, autumn), Some(d("2017-01-15")));
        assert_eq!(month_day("07-10", 2017, spring), Some(d("2017-07-10")));
        assert_eq!(month_day("02-30", 2017, spring), None);
        assert_eq!(month_day("x", 2017, spring), None);
    }

    #[test]
    fn windows_count_weekdays_less_closed_days() {
        let p = Policy::hunan_county_2016().unwrap();
        let w = p.calendar().window("2017-spring".parse().unwrap()).unwrap();
        assert_eq!((w.first, w.last), (d("2017-03-01"), d("2017-06-30")));
        assert_eq!(w.school_days(d("2017-06-01"), d("2017-12-31")), 22);
        assert_eq!(w.school_days(d("2017-07-01"), d("2017-07-31")), 0);
        let mut closed = w;
        closed.closed = vec![(d("2017-06-03"), d("2017-06-06"))];
        // The 3rd and 4th are a weekend: two weekdays closed.
        assert_eq!(closed.school_days(d("2017-06-01"), d("2017-06-30")), 20);
        let n = Policy::national().unwrap();
        let a = n.calendar().window("2016-autumn".parse().unwrap()).unwrap();
        assert_eq!((a.first, a.last), (d("2016-09-01"), d("2017-01-15")));
    }

    #[test]
    fn citations_display_every_part() {
        let p = Policy::national().unwrap();
        let v = p.parameter("nutrition.daily").unwrap().at(d("2015-01-01")).unwrap();
        let text = v.cite.to_string();
        // A description, not a document's title: no 《》.
        assert!(text.starts_with("营养改善计划膳食补助标准提高到每生每天4元"), "{text}");
        // A document's title in 《》, its remark outside.
        let g = p
            .parameter("senior-grant.average")
            .unwrap()
            .at(d("2012-01-01"))
            .unwrap();
        let text = g.cite.to_string();
        assert!(
            text.starts_with("《关于建立普通高中家庭经济困难学生国家资助制度的意见》 (国家助学金平均每生每年1500元"),
            "{text}"
        );
        assert!(Certainty::legend().contains("V2: 仅见二手来源"));
        assert!(text.contains("[V] http"), "{text}");
        assert_eq!(v.value, Value::Amount(Money::yuan(4)));
    }

    #[test]
    fn a_timeline_flattens_the_layers() {
        let p = Policy::hunan_county_2016().unwrap();
        let t = p.parameter("rain-and-dew.per-term").unwrap().timeline();
        let spans: Vec<(String, Option<String>, String)> = t
            .iter()
            .map(|v| (v.from.to_string(), v.until.map(|u| u.to_string()), v.value.to_string()))
            .collect();
        assert_eq!(
            spans,
            vec![
                (
                    "2015-autumn".to_string(),
                    Some("2017-spring".to_string()),
                    "1000".to_string()
                ),
                ("2017-spring".to_string(), None, "1500".to_string()),
            ]
        );
    }
}

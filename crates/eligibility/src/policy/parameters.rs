//! Dated parameters: each layer's values over their dates.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use eduaid_model::{Money, Stage, Term};

use super::Citation;
use crate::schema::{Unit, When};

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
    pub(super) layers: Vec<Vec<DatedValue>>,
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

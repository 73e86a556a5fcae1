//! Composition: one layer applied on the layers below it (documents,
//! parameters, programs and their rules, limits, calendar).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use eduaid_model::Term;
use toml::Spanned;

use super::{Citation, DatedValue, Layer, Limit, Parameter, Policy, ProgramSpec, Rule, Value};
use crate::Error;
use crate::schema::{
    CalendarDef, CiteDef, DefaultWindowDef, LimitDef, LimitKind, ParameterDef, ProgramDef, TermWindowDef, Unit,
    ValueDef, When,
};

impl Policy {
    pub(super) fn cite(&self, layer: &Layer, c: &CiteDef, key: &str) -> Result<Citation, Error> {
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

    /// Apply `layer` on the layers composed so far, in this order:
    /// documents, the ranges of its values, parameters, programs and their
    /// rules, limits, calendar. `doc_layer` says which layer defined each
    /// document.
    pub(super) fn apply(&mut self, layer: &Layer, doc_layer: &mut BTreeMap<String, String>) -> Result<(), Error> {
        let f = &layer.parsed;
        let lid = layer.id().to_string();
        self.layers.push(lid.clone());
        self.title.clone_from(&f.policy.title);
        self.description.clone_from(&f.policy.description);
        self.apply_documents(layer, &lid, doc_layer)?;

        // Every value within the range of its kind (crate::ranges).
        crate::ranges::check_layer(f, |name| self.parameters.get(name).map(|p| p.unit))
            .map_err(|e| layer.err(e.span, e.key, e.reason))?;

        for (k, def) in &f.parameters {
            self.apply_parameter(layer, &lid, k, def)?;
        }
        for (k, def) in &f.programs {
            self.apply_program(layer, k, def)?;
        }
        for (i, l) in f.limits.iter().enumerate() {
            self.apply_limit(layer, i, l)?;
        }
        if let Some(cal) = &f.calendar {
            self.apply_calendar(layer, cal)?;
        }
        Ok(())
    }

    /// Documents: never silently redefined.
    fn apply_documents(
        &mut self,
        layer: &Layer,
        lid: &str,
        doc_layer: &mut BTreeMap<String, String>,
    ) -> Result<(), Error> {
        for (k, d) in &layer.parsed.documents {
            if let Some(other) = doc_layer.get(k.get_ref()) {
                return Err(layer.err(
                    k.span(),
                    format!("documents.{}", k.get_ref()),
                    format!("document already defined in layer {other}"),
                ));
            }
            doc_layer.insert(k.get_ref().clone(), lid.to_string());
            self.documents.insert(k.get_ref().clone(), d.clone());
        }
        Ok(())
    }

    /// A parameter: a layer's values override the layers below where they
    /// hold; within a layer, date ranges must not overlap.
    fn apply_parameter(
        &mut self,
        layer: &Layer,
        lid: &str,
        k: &Spanned<String>,
        def: &ParameterDef,
    ) -> Result<(), Error> {
        let name = k.get_ref().clone();
        let key = format!("parameters.{name}");
        let unit = self.parameter_unit(layer, k, &key, def)?;
        let values = self.dated_values(layer, lid, &key, unit, def)?;
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
        Ok(())
    }

    /// The unit of a parameter: the base's, which a layer may repeat but not
    /// change; a parameter a layer introduces must give it.
    fn parameter_unit(&self, layer: &Layer, k: &Spanned<String>, key: &str, def: &ParameterDef) -> Result<Unit, Error> {
        match (self.parameters.get(k.get_ref()), def.unit) {
            (Some(p), Some(u)) if p.unit != u => Err(layer.err(
                k.span(),
                format!("{key}.unit"),
                format!("unit {u:?} differs from the base's {:?}", p.unit),
            )),
            (Some(p), _) => Ok(p.unit),
            (None, Some(u)) => Ok(u),
            (None, None) => Err(layer.err(
                k.span(),
                key,
                "a parameter a layer introduces needs a unit and a description",
            )),
        }
    }

    /// The values a layer gives a parameter, in date order, each in force
    /// until the next one starts (or its own `until`).
    fn dated_values(
        &self,
        layer: &Layer,
        lid: &str,
        key: &str,
        unit: Unit,
        def: &ParameterDef,
    ) -> Result<Vec<DatedValue>, Error> {
        let mut values = Vec::new();
        let mut sorted: Vec<&ValueDef> = def.values.iter().collect();
        sorted.sort_by_key(|v| v.from.get_ref().date);
        for (i, v) in sorted.iter().enumerate() {
            let vkey = format!("{key}.values (from {})", v.from.get_ref());
            let from = *v.from.get_ref();
            let next_from = sorted.get(i + 1).map(|n| *n.from.get_ref());
            check_dates(layer, v, &vkey, next_from)?;
            let value = value_of(layer, v, &vkey, unit)?;
            let cite = self.cite(layer, &v.cite, &format!("{vkey}.cite"))?;
            values.push(DatedValue {
                from,
                until: v.until.or(next_from),
                value,
                cite,
                layer: lid.to_string(),
            });
        }
        Ok(values)
    }

    /// A program: a new one (with its name, benefit and cite) or an overlay
    /// of one below, then its rules.
    fn apply_program(&mut self, layer: &Layer, k: &Spanned<String>, def: &ProgramDef) -> Result<(), Error> {
        let id = k.get_ref().clone();
        let key = format!("programs.{id}");
        if self.programs.contains_key(&id) {
            self.amend_program(layer, k, &key, def)?;
        } else {
            self.add_program(layer, k, &key, def)?;
        }
        self.apply_rules(layer, &id, &key, def)
    }

    /// A program a layer introduces.
    fn add_program(&mut self, layer: &Layer, k: &Spanned<String>, key: &str, def: &ProgramDef) -> Result<(), Error> {
        let id = k.get_ref();
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
        Ok(())
    }

    /// An overlay of a program below: a new name (the old one kept as an
    /// alias), aliases, short name, English name, description, cite; never
    /// its benefit kind.
    fn amend_program(&mut self, layer: &Layer, k: &Spanned<String>, key: &str, def: &ProgramDef) -> Result<(), Error> {
        let c = match &def.cite {
            Some(c) => Some(self.cite(layer, c, &format!("{key}.cite"))?),
            None => None,
        };
        if let Some(spec) = self.programs.get_mut(k.get_ref()) {
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
        Ok(())
    }

    /// A program's rules: a rule replaces the one below with its id, or is
    /// disabled, or is new; new rules go before the rules below.
    fn apply_rules(&mut self, layer: &Layer, id: &str, key: &str, def: &ProgramDef) -> Result<(), Error> {
        let mut seen_ids: BTreeSet<&str> = BTreeSet::new();
        let mut new_rules: Vec<Rule> = Vec::new();
        for (i, r) in def.rules.iter().enumerate() {
            let rkey = format!("{key}.rules[{i}] ({})", r.id.get_ref());
            if !seen_ids.insert(r.id.get_ref()) {
                return Err(layer.err(r.id.span(), rkey, "rule id used twice in this file"));
            }
            let existing = self
                .programs
                .get(id)
                .and_then(|p| p.rules.iter().position(|x| &x.id == r.id.get_ref()));
            if r.disabled {
                match existing {
                    Some(pos) => {
                        if let Some(p) = self.programs.get_mut(id) {
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
                    if let Some(p) = self.programs.get_mut(id) {
                        p.rules[pos] = rule;
                    }
                }
                None => new_rules.push(rule),
            }
        }
        if let Some(p) = self.programs.get_mut(id) {
            // A layer's new rules take precedence over the layers below:
            // exceptions in the manner of default logic.
            new_rules.append(&mut p.rules);
            p.rules = new_rules;
        }
        Ok(())
    }

    /// The `i`th limit of a layer: replaces the one below with its id, or
    /// disables it, or is new.
    fn apply_limit(&mut self, layer: &Layer, i: usize, l: &LimitDef) -> Result<(), Error> {
        let key = format!("limits[{i}] ({})", l.id.get_ref());
        let pos = self.limits.iter().position(|x| &x.id == l.id.get_ref());
        if l.disabled {
            match pos {
                Some(p) => {
                    self.limits.remove(p);
                }
                None => return Err(layer.err(l.id.span(), key, "no limit with this id to disable")),
            }
            return Ok(());
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
        Ok(())
    }

    /// The calendar: the default window, then the windows of particular terms.
    fn apply_calendar(&mut self, layer: &Layer, cal: &CalendarDef) -> Result<(), Error> {
        if let Some(d) = &cal.default {
            self.apply_default_window(layer, d)?;
        }
        for (k, w) in &cal.terms {
            self.apply_term_window(layer, k, w)?;
        }
        Ok(())
    }

    /// The default provision window: month-days `"MM-DD"`.
    fn apply_default_window(&mut self, layer: &Layer, d: &DefaultWindowDef) -> Result<(), Error> {
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
        Ok(())
    }

    /// The window of one term: its first and last days within the term, in order.
    fn apply_term_window(&mut self, layer: &Layer, k: &Spanned<String>, w: &TermWindowDef) -> Result<(), Error> {
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
        Ok(())
    }
}

/// A value's dates within its layer: `until` after `from` and not past the
/// next value's start; no two values starting on one day.
fn check_dates(layer: &Layer, v: &ValueDef, vkey: &str, next_from: Option<When>) -> Result<(), Error> {
    let from = *v.from.get_ref();
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
    Ok(())
}

/// A value: one amount or amounts by stage (a share is one amount), never
/// negative.
fn value_of(layer: &Layer, v: &ValueDef, vkey: &str, unit: Unit) -> Result<Value, Error> {
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
    Ok(value)
}

//! Composition: one layer applied on the layers below it (documents,
//! parameters, programs and their rules, limits, calendar).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use eduaid_model::Term;

use super::{Citation, DatedValue, Layer, Limit, Parameter, Policy, ProgramSpec, Rule, Value};
use crate::Error;
use crate::schema::{CiteDef, LimitKind, Unit, ValueDef};

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

    #[allow(clippy::too_many_lines)]
    pub(super) fn apply(&mut self, layer: &Layer, doc_layer: &mut BTreeMap<String, String>) -> Result<(), Error> {
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
}

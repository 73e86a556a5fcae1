//! The checks of a layer's references: parameters of the right unit, rules,
//! amounts and conditions.

use std::ops::Range;

use toml::Spanned;

use super::{Layer, Policy, Rule};
use crate::Error;
use crate::schema::{AmountDef, ConditionsDef, Effect, RuleDef, Unit};

impl Policy {
    pub(super) fn check_param(
        &self,
        layer: &Layer,
        r: &Spanned<String>,
        key: &str,
        units: &[Unit],
    ) -> Result<(), Error> {
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

    pub(super) fn check_rule(&self, layer: &Layer, r: &RuleDef, key: &str) -> Result<Rule, Error> {
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

//! Range checks of a policy layer's values by kind, run once when a layer
//! is applied: a value of the right type but an impossible size (a `share`
//! of 5 gave a day pupil five times the boarder rate) is refused with its
//! file, line, column and key, before any student is evaluated.
//!
//! | kind | accepted |
//! |---|---|
//! | `share` parameter | 0 to 1 |
//! | `yuan_per_day` parameter | 0 to [`MAX_PER_DAY`] |
//! | `yuan_per_term` parameter | 0 to [`MAX_PER_TERM`] |
//! | `yuan_per_year` parameter | 0 to [`MAX_PER_YEAR`] |
//! | a condition's `grades` | 1 to the highest grade of its `stages` (of any stage: 6) |
//! | a calendar term's window | inside the term, `first` not after `last`; closed days inside the window |
//!
//! A negative amount is refused by the layer's own checks ("negative
//! value").

use std::ops::Range;

use eduaid_model::{Money, Stage, Term};

use crate::schema::{ConditionsDef, PolicyFile, Unit};

/// The most a per-day parameter may be, in yuan (the nutrition subsidy is
/// 3 to 5 元/天).
pub(crate) const MAX_PER_DAY: i64 = 100;
/// The most a per-term parameter may be, in yuan.
pub(crate) const MAX_PER_TERM: i64 = 50_000;
/// The most a per-year parameter may be, in yuan (the largest national
/// grant or loan is 25 000 元 a year).
pub(crate) const MAX_PER_YEAR: i64 = 100_000;

/// A value out of its range: where, under which key, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fault {
    /// The span in the layer's text the error points at.
    pub span: Range<usize>,
    /// The key, as the layer's other errors name keys.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// Check every value of layer `f` whose kind gives it a range; `unit_of`
/// gives the unit of a parameter a lower layer defined.
pub(crate) fn check_layer(f: &PolicyFile, unit_of: impl Fn(&str) -> Option<Unit>) -> Result<(), Fault> {
    for (k, def) in &f.parameters {
        let Some(unit) = def.unit.or_else(|| unit_of(k.get_ref())) else {
            continue;
        };
        for v in &def.values {
            let key = format!("parameters.{}.values (from {})", k.get_ref(), v.from.get_ref());
            let fault = |reason: String| Fault {
                span: v.from.span(),
                key: key.clone(),
                reason,
            };
            let amounts = v.value.iter().map(|m| (None, *m));
            let by_stage = v.by_stage.iter().flatten().map(|(s, m)| (Some(*s), *m));
            for (stage, m) in amounts.chain(by_stage) {
                if let Some(reason) = out_of_range(unit, m) {
                    let at = stage.map(|s| format!(" for {}", s.chinese())).unwrap_or_default();
                    let shown = if unit == Unit::Share {
                        m.as_decimal().normalize().to_string()
                    } else {
                        m.to_string()
                    };
                    return Err(fault(format!("{shown}{at} {reason}")));
                }
            }
        }
    }
    for (k, def) in &f.programs {
        for r in &def.rules {
            let key = format!("programs.{}.rules.{}.when", k.get_ref(), r.id.get_ref());
            check_grades(&r.when, &key).map_err(|reason| Fault {
                span: r.id.span(),
                key: format!("{key}.grades"),
                reason,
            })?;
            let tiers = r.amount.iter().flat_map(|a| a.tiers.iter().flatten());
            for t in tiers {
                let key = format!(
                    "programs.{}.rules.{}.amount.tiers.{}.when",
                    k.get_ref(),
                    r.id.get_ref(),
                    t.name
                );
                check_grades(&t.when, &key).map_err(|reason| Fault {
                    span: r.id.span(),
                    key: format!("{key}.grades"),
                    reason,
                })?;
            }
        }
    }
    if let Some(cal) = &f.calendar {
        for (k, w) in &cal.terms {
            let fault = |reason: String| Fault {
                span: k.span(),
                key: format!("calendar.terms.{}", k.get_ref()),
                reason,
            };
            // An unreadable key is the layer's own check to report.
            let Ok(term) = k.get_ref().parse::<Term>() else {
                continue;
            };
            let (lo, hi) = (term.first_day(), term.last_day());
            let first = w.first.map_or(lo, |d| d.date);
            let last = w.last.map_or(hi, |d| d.date);
            for (name, d) in [("first", first), ("last", last)] {
                if d < lo || d > hi {
                    return Err(fault(format!("{name} {d} is outside the term ({lo} to {hi})")));
                }
            }
            if first > last {
                return Err(fault(format!("first {first} is after last {last}")));
            }
            for [a, b] in &w.closed {
                if a.date > b.date || a.date < first || b.date > last {
                    return Err(fault(format!(
                        "closed days {} to {} are not a range inside the window {first} to {last}",
                        a.date, b.date
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Why `m` is out of the range of `unit`, if it is (negative amounts are
/// left to the layer's own check).
fn out_of_range(unit: Unit, m: Money) -> Option<String> {
    if m.is_negative() {
        return None;
    }
    let (max, what) = match unit {
        Unit::Share => {
            return (m > Money::yuan(1))
                .then(|| "is not a share: a share is a fraction from 0 to 1 (0.5 is half)".to_string());
        }
        Unit::YuanPerDay => (MAX_PER_DAY, "a day"),
        Unit::YuanPerTerm => (MAX_PER_TERM, "a term"),
        Unit::YuanPerYear => (MAX_PER_YEAR, "a year"),
    };
    (m > Money::yuan(max)).then(|| format!("is more than {max} yuan {what} per student: is a digit too many?"))
}

/// Why a condition's grades cannot be, if one cannot: each must be from 1
/// to the highest grade of the condition's stages (6 without stages).
fn check_grades(c: &ConditionsDef, key: &str) -> Result<(), String> {
    if let Some(grades) = &c.grades {
        let max = match &c.stages {
            Some(stages) if !stages.is_empty() => stages.iter().map(|s| s.max_grade()).max().unwrap_or(6),
            _ => Stage::ALL.iter().map(|s| s.max_grade()).max().unwrap_or(6),
        };
        if let Some(g) = grades.iter().find(|g| !(1..=max).contains(*g)) {
            let of = match &c.stages {
                Some(s) if !s.is_empty() => {
                    let names: Vec<&str> = s.iter().map(|s| s.chinese()).collect();
                    format!(" of {}", names.join("/"))
                }
                _ => String::new(),
            };
            return Err(format!("grade {g} does not exist{of} (grades are 1 to {max})"));
        }
    }
    for (i, sub) in c.any.iter().flatten().enumerate() {
        check_grades(sub, &format!("{key}.any[{i}]"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[policy]\nid = \"mine\"\ntitle = \"t\"\nbase = \"hunan-county-2016\"\n\n";

    fn overlay(body: &str) -> Result<(), String> {
        crate::Policy::builtin_with("mine.toml", &format!("{HEAD}{body}"))
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_share_of_five_is_refused_where_it_is_written() {
        let e = overlay(
            "[parameters.\"living-subsidy.day-share\"]\nvalues = [\n  { from = \"2019-autumn\", value = 5, cite = { doc = \"nonboarder-2019\" } },\n]\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with(
                "mine.toml:8:12: parameters.living-subsidy.day-share.values (from 2019-autumn): 5 is not a share"
            ),
            "{e}"
        );
        assert!(
            overlay("[parameters.\"living-subsidy.day-share\"]\nvalues = [\n  { from = \"2019-autumn\", value = 0.6, cite = { doc = \"nonboarder-2019\" } },\n]\n")
                .is_ok()
        );
    }

    #[test]
    fn amounts_grades_and_windows_have_ranges() {
        let e = overlay("[parameters.\"nutrition.daily\"]\nvalues = [\n  { from = \"2021-autumn\", value = \"400\", cite = { doc = \"gf-2015-67\" } },\n]\n")
            .unwrap_err();
        assert!(e.contains("is more than 100 yuan a day per student"), "{e}");
        let e = overlay(
            "[[programs.vocational-grant.rules]]\nid = \"rural-or-hardship\"\nwhen = { stages = [\"vocational\"], grades = [1, 4] }\namount = { per_year = \"vocational-grant.annual\" }\ncite = { doc = \"cj-2007-84\" }\n",
        )
        .unwrap_err();
        assert!(e.contains("grade 4 does not exist of 中职 (grades are 1 to 3)"), "{e}");
        let e = overlay("[calendar.terms.\"2017-spring\"]\nlast = 2017-09-30\ncite = { doc = \"gf-2015-67\" }\n")
            .unwrap_err();
        assert!(
            e.contains("calendar.terms.2017-spring: last 2017-09-30 is outside the term"),
            "{e}"
        );
    }

    #[test]
    fn each_unit_has_its_range() {
        let m = |s: &str| s.parse::<Money>().unwrap_or_default();
        assert_eq!(out_of_range(Unit::Share, m("0.5")), None);
        assert_eq!(out_of_range(Unit::Share, m("1")), None);
        assert!(out_of_range(Unit::Share, m("5")).is_some_and(|r| r.contains("0 to 1")));
        assert_eq!(out_of_range(Unit::YuanPerDay, m("4")), None);
        assert!(out_of_range(Unit::YuanPerDay, m("400")).is_some());
        assert_eq!(out_of_range(Unit::YuanPerYear, m("8000")), None);
        assert!(out_of_range(Unit::YuanPerYear, m("1250000")).is_some());
        assert!(out_of_range(Unit::YuanPerTerm, m("50001")).is_some());
    }
}

//! The school-day calendar: each term's meal-provision window.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use eduaid_model::Term;
use eduaid_model::convert::clamped;

use super::Citation;
use crate::schema::{DefaultWindowDef, TermWindowDef};

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
    let days = clamped::<_, u64>((b - a).num_days() + 1);
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
    pub(super) default: Option<(DefaultWindowDef, Citation)>,
    pub(super) terms: BTreeMap<Term, (TermWindowDef, Citation)>,
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
pub(super) fn month_day(s: &str, year: i32, term: Term) -> Option<NaiveDate> {
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

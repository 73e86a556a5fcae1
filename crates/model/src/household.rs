//! Households (家庭) and their poverty and assistance status over time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{DateRange, HouseholdId, ModelError};

coded_enum! {
    /// A status a household (or child) can hold over a date range.
    pub enum StatusKind ("household status") {
        /// 建档立卡贫困户: on the national poverty register. The spell ends on
        /// the day the household exited poverty (脱贫).
        RegisteredPoor = "registered_poor", "建档立卡", "建档立卡贫困户", "贫困户";
        /// 防止返贫监测对象: monitored against relapse into poverty.
        Monitored = "monitored", "防止返贫监测对象", "监测对象", "监测户";
        /// 低保 / 农村低保: minimum living allowance.
        Dibao = "dibao", "低保", "农村低保", "低保户";
        /// 特困供养: destitute support.
        Destitute = "destitute", "特困供养", "特困", "特困供养人员";
        /// 孤儿.
        Orphan = "orphan", "孤儿";
        /// 事实无人抚养儿童: a de facto unsupported child.
        DeFactoUnsupported = "de_facto_unsupported", "事实无人抚养儿童", "事实孤儿";
        /// 家庭经济困难: certified financial hardship.
        Hardship = "hardship", "家庭经济困难", "经济困难";
    }
}

/// One spell of a status: the household held `kind` over `range`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusSpell {
    /// The status.
    pub kind: StatusKind,
    /// When it held; `until` is the first day it no longer held (for
    /// [`StatusKind::RegisteredPoor`], the day of exit from poverty).
    #[serde(flatten)]
    pub range: DateRange,
}

/// A household (家庭) and its statuses over time.
///
/// ```
/// use chrono::NaiveDate;
/// use eduaid_model::{Household, HouseholdId, StatusKind};
/// let d = |s: &str| s.parse::<NaiveDate>();
/// let mut h = Household::new(HouseholdId::new("H1")?);
/// h.add_status(StatusKind::RegisteredPoor, d("2017-05-10")?, None)?;
/// assert!(!h.has_status_on(StatusKind::RegisteredPoor, d("2017-03-01")?));
/// assert!(h.has_status_on(StatusKind::RegisteredPoor, d("2017-09-01")?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Household {
    /// Unique id.
    pub id: HouseholdId,
    /// Its status spells, in any order; spells of one kind never overlap.
    #[serde(default)]
    pub statuses: Vec<StatusSpell>,
}

impl Household {
    /// A household with no status.
    #[must_use]
    pub fn new(id: HouseholdId) -> Household {
        Household {
            id,
            statuses: Vec::new(),
        }
    }

    /// Add a spell of `kind` from `from` until `until` (exclusive).
    ///
    /// # Errors
    /// [`ModelError::EmptyDateRange`] for an empty range, and
    /// [`ModelError::Inconsistent`] if it overlaps a spell of the same kind.
    pub fn add_status(
        &mut self,
        kind: StatusKind,
        from: NaiveDate,
        until: Option<NaiveDate>,
    ) -> Result<(), ModelError> {
        let range = DateRange::new(from, until)?;
        if let Some(s) = self
            .statuses
            .iter()
            .find(|s| s.kind == kind && s.range.overlaps(&range))
        {
            return Err(ModelError::Inconsistent {
                what: "household",
                id: self.id.to_string(),
                field: Some("statuses"),
                reason: format!("{kind} {range} overlaps {kind} {}", s.range),
            });
        }
        self.statuses.push(StatusSpell { kind, range });
        Ok(())
    }

    /// Check that no two spells of one kind overlap (for records built by
    /// hand or deserialized).
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] naming the first overlap.
    pub fn validate(&self) -> Result<(), ModelError> {
        for (i, a) in self.statuses.iter().enumerate() {
            for b in &self.statuses[i + 1..] {
                if a.kind == b.kind && a.range.overlaps(&b.range) {
                    return Err(ModelError::Inconsistent {
                        what: "household",
                        id: self.id.to_string(),
                        field: Some("statuses"),
                        reason: format!("{} {} overlaps {} {}", a.kind, a.range, b.kind, b.range),
                    });
                }
            }
        }
        Ok(())
    }

    /// True if the household held `kind` on `date`.
    #[must_use]
    pub fn has_status_on(&self, kind: StatusKind, date: NaiveDate) -> bool {
        self.statuses.iter().any(|s| s.kind == kind && s.range.contains(date))
    }

    /// The spells of `kind`, earliest first.
    #[must_use]
    pub fn spells(&self, kind: StatusKind) -> Vec<&StatusSpell> {
        let mut v: Vec<&StatusSpell> = self.statuses.iter().filter(|s| s.kind == kind).collect();
        v.sort_by_key(|s| s.range.from);
        v
    }

    /// Registered poor (建档立卡) on `date`.
    #[must_use]
    pub fn registered_poor_on(&self, date: NaiveDate) -> bool {
        self.has_status_on(StatusKind::RegisteredPoor, date)
    }

    /// Formerly registered (脱贫户): had exited poverty by `date`, and is not
    /// registered again on it.
    #[must_use]
    pub fn exited_by(&self, date: NaiveDate) -> bool {
        !self.registered_poor_on(date)
            && self
                .statuses
                .iter()
                .any(|s| s.kind == StatusKind::RegisteredPoor && s.range.until.is_some_and(|u| u <= date))
    }

    /// The last exit from poverty on or before `date`, if any.
    #[must_use]
    pub fn exited_on(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.statuses
            .iter()
            .filter(|s| s.kind == StatusKind::RegisteredPoor)
            .filter_map(|s| s.range.until)
            .filter(|u| *u <= date)
            .max()
    }

    /// The statuses held on `date`.
    #[must_use]
    pub fn statuses_on(&self, date: NaiveDate) -> Vec<StatusKind> {
        let mut v: Vec<StatusKind> = self
            .statuses
            .iter()
            .filter(|s| s.range.contains(date))
            .map(|s| s.kind)
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// In words a clerk understands, why the household did or did not hold
    /// `kind` on `date`: "registered on 2017-05-10", "exited on 2016-12-31",
    /// "never registered".
    #[must_use]
    pub fn describe_status_on(&self, kind: StatusKind, date: NaiveDate) -> String {
        let spells = self.spells(kind);
        if let Some(s) = spells.iter().find(|s| s.range.contains(date)) {
            return format!("{} ({}) {}", kind.chinese(), kind, s.range);
        }
        if let Some(later) = spells.iter().find(|s| s.range.from > date) {
            return format!("{} ({}) only from {}", kind.chinese(), kind, later.range.from);
        }
        if let Some(ended) = spells.iter().rev().find_map(|s| s.range.until.filter(|u| *u <= date)) {
            return format!("{} ({}) ended on {}", kind.chinese(), kind, ended);
        }
        format!("never {} ({})", kind.chinese(), kind)
    }
}

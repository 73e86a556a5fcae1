//! The validator (校核): the arithmetic a careful reader checks.
//!
//! - parts sum to their total (`…23429人…56370人…26577人…20588人，总计126864人`,
//!   or `198人（初中起点189名、高中起点9名）`);
//! - a rate equals numerator over denominator at the printed precision,
//!   rounded once (`共307人，在校305人，入学率达99.4%` is 99.3%; 99.4 is
//!   the double rounding 99.3485 → 99.35 → 99.4);
//! - an amount equals count × standard where a standard is stated (`按1000元/生/年…
//!   2409人，补助资金120.45万元`: a per-year standard paid for one term is
//!   half of it).
//!
//! It works on typed figures ([`validate_figures`] with [`Relation`]s) or
//! on plain Chinese text ([`validate_text`]), after
//! [`restore_decimals`] has repaired text whose decimal points a scraper
//! turned into list numbers (`9\n8、86%` → `98.86%`). Every check made is
//! kept, consistent or not, so a report can say what was checked.
//!
//! Here are the checks and their outcome; `figures` checks typed figures,
//! `tokens` reads the numbers of a text with their units and `text` checks
//! them. A percentage rounded in successive steps is recognised by the
//! model's [`detect_double_rounding`](eduaid_model::rate::detect_double_rounding),
//! the check the statistics crate uses too.

use serde::{Deserialize, Serialize};

use crate::doc::{Inline, Table};

mod figures;
mod text;
mod tokens;

pub use figures::{Relation, validate_figures};
pub use text::validate_text;
pub use tokens::restore_decimals;

/// What kind of arithmetic a check verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Parts add up to a total.
    Sum,
    /// A percentage equals numerator over denominator, rounded once.
    Rate,
    /// An amount equals count × standard.
    Amount,
    /// A count or amount of records equals the records it claims (those of
    /// one term and payment channel), counted again from the records.
    Records,
    /// A figure is dated on or before the report's date.
    Date,
}

impl CheckKind {
    /// The Chinese name, for the validation summary.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            CheckKind::Sum => "分项与合计",
            CheckKind::Rate => "比率",
            CheckKind::Amount => "金额与标准",
            CheckKind::Records => "记录核对",
            CheckKind::Date => "数据日期",
        }
    }
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// What was checked.
    pub kind: CheckKind,
    /// Where: the sentence of a text, or the figure keys of a relation.
    pub location: String,
    /// The numbers involved, as printed.
    pub numbers: Vec<String>,
    /// True if the arithmetic holds.
    pub consistent: bool,
    /// What the arithmetic gives, in words (Chinese).
    pub message: String,
}

/// Every check made, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validation {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Validation {
    /// The checks that failed.
    #[must_use]
    pub fn findings(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.consistent).collect()
    }

    /// True if every check held.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.checks.iter().all(|c| c.consistent)
    }

    /// Add the checks of another validation.
    pub fn extend(&mut self, other: Validation) {
        self.checks.extend(other.checks);
    }

    /// A one-line summary: `校核5项，发现不一致2项`.
    #[must_use]
    pub fn summary(&self) -> String {
        format!("校核{}项，发现不一致{}项", self.checks.len(), self.findings().len())
    }

    /// The checks as a table for a report's validation summary.
    #[must_use]
    pub fn table(&self, title: &str) -> Table {
        let mut t = Table::new(title, &["序号", "类别", "位置", "涉及数据", "结论", "说明"]);
        for (i, c) in self.checks.iter().enumerate() {
            t.rows.push(vec![
                Inline::text((i + 1).to_string()),
                Inline::text(c.kind.chinese()),
                Inline::text(truncate(&c.location, 60)),
                Inline::text(c.numbers.join("、")),
                Inline::text(if c.consistent { "一致" } else { "不一致" }),
                Inline::text(c.message.clone()),
            ]);
        }
        t
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

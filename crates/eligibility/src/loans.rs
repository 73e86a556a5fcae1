//! Student loans (生源地信用助学贷款) checked against the catalogue: per-year
//! totals, amounts over the year's cap, a borrower twice in a year, years
//! the catalogue does not cover, and the interest the state pays while the
//! student studies (在校期间财政贴息).
//!
//! The policy is data: the caps are the parameter `student-loan.cap` (by
//! stage: `tertiary` 本专科, `postgraduate` 研究生), the share of interest
//! the state pays while studying is `student-loan.interest-subsidy`, and
//! the rate's margin below the LPR is `student-loan.rate-below-lpr` (in
//! percentage points; for the record: the rate itself is the contract's). A loan's year is a school
//! year; the value in force on its first day (1 September) applies, as
//! loans are contracted in the autumn.
//!
//! Every amount is exact: totals are sums of the records' yuan and fen,
//! the interest is `amount × rate × share` unrounded; round where it is
//! shown.
//!
//! ```
//! use eduaid_eligibility::{Policy, loans::check_loans};
//! use eduaid_model::{Money, SchoolYear, Stage, StudentLoan};
//! let policy = Policy::national()?;
//! let loans = vec![
//!     StudentLoan::new("B1".parse()?, "张三", "湖南大学", Stage::Tertiary, SchoolYear::new(2016)?, Money::yuan(8000))?,
//!     StudentLoan::new("B2".parse()?, "李四", "中南大学", Stage::Tertiary, SchoolYear::new(2016)?, Money::yuan(9000))?,
//! ];
//! let check = check_loans(&loans, &policy);
//! let y = &check.years[&SchoolYear::new(2016)?];
//! assert_eq!((y.persons, y.amount), (2, Money::yuan(17000)));
//! assert_eq!(check.findings.len(), 1); // 9000 is over the 8000 cap
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use eduaid_model::{Decimal, Money, NaiveDate, SchoolYear, Stage, StudentId, StudentLoan};
use serde::Serialize;

use crate::{Citation, Policy};

/// The parameter of the yearly caps, by stage.
pub const CAP_PARAMETER: &str = "student-loan.cap";
/// The parameter of the share of interest the state pays while studying.
pub const SUBSIDY_PARAMETER: &str = "student-loan.interest-subsidy";
/// The parameter of the rate's margin below the LPR.
pub const MARGIN_PARAMETER: &str = "student-loan.rate-below-lpr";

/// A loan year's first day: the day its cap is read.
#[must_use]
pub fn reference_date(year: SchoolYear) -> NaiveDate {
    year.first_day()
}

/// The cap in force for `stage` in loan year `year`, with its citation, if
/// the catalogue has one.
#[must_use]
pub fn cap(policy: &Policy, year: SchoolYear, stage: Stage) -> Option<(Money, &Citation)> {
    let v = policy.parameter(CAP_PARAMETER)?.at(reference_date(year))?;
    Some((v.value.for_stage(stage)?, &v.cite))
}

/// The share of interest the state pays while studying in loan year
/// `year` (1 = all of it), with its citation, if the catalogue has one.
#[must_use]
pub fn interest_subsidy_share(policy: &Policy, year: SchoolYear) -> Option<(Decimal, &Citation)> {
    let v = policy.parameter(SUBSIDY_PARAMETER)?.at(reference_date(year))?;
    Some((v.value.for_stage(Stage::Tertiary)?.as_decimal(), &v.cite))
}

/// The rate's margin below the LPR in loan year `year` as a fraction
/// (0.003 is 30 basis points; the catalogue writes percentage points,
/// 0.30), with its citation, if the catalogue has one.
#[must_use]
pub fn rate_margin(policy: &Policy, year: SchoolYear) -> Option<(Decimal, &Citation)> {
    let v = policy.parameter(MARGIN_PARAMETER)?.at(reference_date(year))?;
    Some((
        v.value.for_stage(Stage::Tertiary)?.as_decimal() / Decimal::ONE_HUNDRED,
        &v.cite,
    ))
}

/// Persons, loans and amount of one group of loans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoanTally {
    /// Distinct borrowers (人).
    pub persons: u64,
    /// Loan records (笔).
    pub loans: u64,
    /// The amount lent, exact.
    pub amount: Money,
}

/// One loan year's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearTotals {
    /// Distinct borrowers (人): the figure a work report gives as 助学贷款N人.
    pub persons: u64,
    /// Loan records (笔).
    pub loans: u64,
    /// The amount lent, exact (贷款资金).
    pub amount: Money,
    /// By stage: 本专科 and 研究生.
    pub by_stage: BTreeMap<Stage, LoanTally>,
    /// The caps in force, by stage, where the catalogue has them.
    pub caps: BTreeMap<Stage, Money>,
    /// The interest the state pays for the year (在校期间财政贴息): each
    /// loan's `amount × rate × share` for the loans whose rate is known,
    /// exact.
    pub interest_subsidy: Money,
    /// Loans whose interest subsidy cannot be computed (no contract rate
    /// on the record, or no subsidy share in the catalogue).
    pub interest_not_computable: u64,
}

/// What is wrong with a loan record or a group of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoanFinding {
    /// The amount is above the year's cap for the stage.
    OverCap {
        /// The record's index in the input.
        index: usize,
        /// The borrower.
        borrower: StudentId,
        /// The loan year.
        year: SchoolYear,
        /// The stage.
        stage: Stage,
        /// The amount borrowed.
        amount: Money,
        /// The cap in force.
        cap: Money,
        /// The cap's citation, as printed.
        cite: String,
    },
    /// The borrower has more than one loan in the year (a student holds
    /// one 生源地 loan a year).
    Duplicate {
        /// The indexes of the records in the input.
        indexes: Vec<usize>,
        /// The borrower.
        borrower: StudentId,
        /// The loan year.
        year: SchoolYear,
        /// The loans' sum.
        amount: Money,
    },
    /// The catalogue has no cap for the year and stage (before the loans
    /// began, or postgraduates before autumn 2014).
    OutsideCatalogue {
        /// The record's index in the input.
        index: usize,
        /// The borrower.
        borrower: StudentId,
        /// The loan year.
        year: SchoolYear,
        /// The stage.
        stage: Stage,
    },
}

impl LoanFinding {
    /// The finding in English.
    #[must_use]
    pub fn english(&self) -> String {
        match self {
            LoanFinding::OverCap {
                index,
                borrower,
                year,
                stage,
                amount,
                cap,
                cite,
            } => format!(
                "record {}: borrower {borrower}, {year}: {} loan of {} is over the cap of {} ({cite})",
                index + 1,
                stage.code(),
                amount.format_yuan(eduaid_model::Rounding::HalfUp),
                cap.format_yuan(eduaid_model::Rounding::HalfUp),
            ),
            LoanFinding::Duplicate {
                indexes,
                borrower,
                year,
                amount,
            } => format!(
                "records {}: borrower {borrower} has {} loans in {year}, {} in all (one loan a year)",
                join_indexes(indexes, ", "),
                indexes.len(),
                amount.format_yuan(eduaid_model::Rounding::HalfUp),
            ),
            LoanFinding::OutsideCatalogue {
                index,
                borrower,
                year,
                stage,
            } => format!(
                "record {}: borrower {borrower}, {year}: the catalogue has no {} loan cap for that year",
                index + 1,
                stage.code()
            ),
        }
    }

    /// The finding in Chinese.
    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            LoanFinding::OverCap {
                index,
                borrower,
                year,
                stage,
                amount,
                cap,
                cite,
            } => format!(
                "第{}条：{borrower}，{}年度{}贷款{}元，超过当年上限{}元（{cite}）",
                index + 1,
                year.start_year(),
                stage_chinese(*stage),
                amount.format_yuan(eduaid_model::Rounding::HalfUp),
                cap.format_yuan(eduaid_model::Rounding::HalfUp),
            ),
            LoanFinding::Duplicate {
                indexes,
                borrower,
                year,
                amount,
            } => format!(
                "第{}条：{borrower}在{}年度有{}笔贷款，合计{}元（每人每年一笔）",
                join_indexes(indexes, "、"),
                year.start_year(),
                indexes.len(),
                amount.format_yuan(eduaid_model::Rounding::HalfUp),
            ),
            LoanFinding::OutsideCatalogue {
                index,
                borrower,
                year,
                stage,
            } => format!(
                "第{}条：{borrower}，{}年度，政策目录无{}贷款上限",
                index + 1,
                year.start_year(),
                stage_chinese(*stage)
            ),
        }
    }
}

fn join_indexes(indexes: &[usize], separator: &str) -> String {
    indexes
        .iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(separator)
}

/// A loan's stage as a loan ledger names it: 本专科 or 研究生.
fn stage_chinese(stage: Stage) -> &'static str {
    match stage {
        Stage::Postgraduate => "研究生",
        Stage::Tertiary => "本专科",
        other => other.chinese(),
    }
}

/// The check of a set of loan records: every record is in exactly one
/// year's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoanCheck {
    /// Totals by loan year.
    pub years: BTreeMap<SchoolYear, YearTotals>,
    /// Findings, in the order of the records (duplicates at the first).
    pub findings: Vec<LoanFinding>,
    /// Records checked.
    pub records: u64,
    /// Their amount, exact.
    pub amount: Money,
}

impl LoanCheck {
    /// True if nothing was found.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Check loan records against the policy's caps: totals by year and stage,
/// findings, interest subsidy. Never fails or panics: a sum past `Money`'s
/// range (28 digits, far beyond any ledger) keeps the total before that
/// addition.
#[must_use]
pub fn check_loans(loans: &[StudentLoan], policy: &Policy) -> LoanCheck {
    let mut check = LoanCheck::default();
    let mut borrowers: BTreeMap<SchoolYear, HashMap<&StudentId, Vec<usize>>> = BTreeMap::new();
    let mut stage_borrowers: BTreeMap<(SchoolYear, Stage), BTreeSet<&StudentId>> = BTreeMap::new();
    let add = |a: Money, b: Money| a.checked_add(b).unwrap_or(a);
    for (index, loan) in loans.iter().enumerate() {
        check.records += 1;
        check.amount = add(check.amount, loan.amount);
        let y = check.years.entry(loan.year).or_default();
        y.loans += 1;
        y.amount = add(y.amount, loan.amount);
        let s = y.by_stage.entry(loan.stage).or_default();
        s.loans += 1;
        s.amount = add(s.amount, loan.amount);
        stage_borrowers
            .entry((loan.year, loan.stage))
            .or_default()
            .insert(&loan.borrower_id);
        borrowers
            .entry(loan.year)
            .or_default()
            .entry(&loan.borrower_id)
            .or_default()
            .push(index);
        match cap(policy, loan.year, loan.stage) {
            Some((c, cite)) => {
                y.caps.insert(loan.stage, c);
                if loan.amount > c {
                    check.findings.push(LoanFinding::OverCap {
                        index,
                        borrower: loan.borrower_id.clone(),
                        year: loan.year,
                        stage: loan.stage,
                        amount: loan.amount,
                        cap: c,
                        cite: cite.to_string(),
                    });
                }
            }
            None => check.findings.push(LoanFinding::OutsideCatalogue {
                index,
                borrower: loan.borrower_id.clone(),
                year: loan.year,
                stage: loan.stage,
            }),
        }
        let interest = match (loan.rate, interest_subsidy_share(policy, loan.year)) {
            (Some(rate), Some((share, _))) => loan.amount.checked_mul_exact(rate * share),
            _ => None,
        };
        match interest {
            Some(i) => y.interest_subsidy = add(y.interest_subsidy, i),
            None => y.interest_not_computable += 1,
        }
    }
    for (year, by_borrower) in &borrowers {
        if let Some(y) = check.years.get_mut(year) {
            y.persons = by_borrower.len() as u64;
        }
        let mut dups: Vec<(&&StudentId, &Vec<usize>)> = by_borrower.iter().filter(|(_, v)| v.len() > 1).collect();
        dups.sort_by_key(|(_, v)| v[0]);
        for (borrower, indexes) in dups {
            let amount = indexes
                .iter()
                .filter_map(|&i| loans.get(i))
                .fold(Money::default(), |a, l| add(a, l.amount));
            check.findings.push(LoanFinding::Duplicate {
                indexes: indexes.clone(),
                borrower: (*borrower).clone(),
                year: *year,
                amount,
            });
        }
    }
    for ((year, stage), set) in stage_borrowers {
        if let Some(s) = check.years.get_mut(&year).and_then(|y| y.by_stage.get_mut(&stage)) {
            s.persons = set.len() as u64;
        }
    }
    check.findings.sort_by_key(|f| match f {
        LoanFinding::OverCap { index, .. } | LoanFinding::OutsideCatalogue { index, .. } => *index,
        LoanFinding::Duplicate { indexes, .. } => indexes.first().copied().unwrap_or(0),
    });
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(id: &str, stage: Stage, year: i32, yuan: i64) -> StudentLoan {
        let year = SchoolYear::new(year).unwrap_or_else(|e| panic!("{e}"));
        StudentLoan::new(
            id.parse().unwrap_or_else(|e| panic!("{e}")),
            "某",
            "某大学",
            stage,
            year,
            Money::yuan(yuan),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn totals_findings_and_interest() -> Result<(), Box<dyn std::error::Error>> {
        let policy = Policy::national()?;
        let mut loans = vec![
            loan("A", Stage::Tertiary, 2016, 8000),
            loan("B", Stage::Postgraduate, 2016, 12000),
            loan("A", Stage::Tertiary, 2016, 500),
            loan("C", Stage::Postgraduate, 2013, 6000),
            loan("D", Stage::Tertiary, 2005, 3000),
        ];
        loans[1] = loans[1].clone().with_rate(Decimal::new(435, 4))?;
        let c = check_loans(&loans, &policy);
        let y = &c.years[&SchoolYear::new(2016)?];
        assert_eq!((y.persons, y.loans, y.amount), (2, 3, Money::yuan(20500)));
        assert_eq!(y.by_stage[&Stage::Postgraduate].persons, 1);
        assert_eq!(y.caps[&Stage::Tertiary], Money::yuan(8000));
        assert_eq!(y.interest_subsidy, Money::yuan(522));
        assert_eq!(y.interest_not_computable, 2);
        assert_eq!(c.records, 5);
        let kinds: Vec<&str> = c
            .findings
            .iter()
            .map(|f| match f {
                LoanFinding::OverCap { .. } => "over",
                LoanFinding::Duplicate { .. } => "dup",
                LoanFinding::OutsideCatalogue { .. } => "outside",
            })
            .collect();
        assert_eq!(kinds, ["dup", "outside", "outside"]);
        assert!(c.findings[0].chinese().contains("2笔贷款"));
        Ok(())
    }
}

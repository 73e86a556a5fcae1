//! 生源地信用助学贷款: persons and amount of the last four loan years up
//! to the report's, each counted again from the loan records and dated by
//! its loan year.

use std::collections::BTreeSet;

use super::gather::{Gather, Origin};
use super::keys::Key;
use super::{County, Error};
use crate::eligibility::loans::check_loans;
use crate::model::{Decimal, SchoolYear, StudentLoan};
use crate::report::Relation;

/// The student loans (生源地信用助学贷款) of the last four loan years up to
/// the report's: persons (distinct borrowers) and amount of each, from
/// [`check_loans`], each figure also counted again from the records
/// ([`Relation::Records`]) and dated by its loan year's first day.
pub(super) fn student_loans(g: &mut Gather<'_>, c: &County<'_>, loans: &[StudentLoan]) -> Result<(), Error> {
    let last = c.spring.calendar_year();
    // The totals do not depend on the caps; an engine built without a
    // policy checks against the national catalogue.
    let check = check_loans(loans, &*c.loan_policy()?);
    let years: Vec<SchoolYear> = check.years.keys().copied().filter(|y| y.start_year() <= last).collect();
    let years = &years[years.len().saturating_sub(4)..];
    let source = g.p().source(
        Some("student-loan"),
        Origin::Input,
        "生源地信用助学贷款记录（贷款年度、借款人、贷款金额）",
        "student loans: the loan records (year, borrower, amount)",
    );
    let mut labels = Vec::new();
    for (i, y) in years.iter().enumerate() {
        let Some(t) = check.years.get(y) else { continue };
        // Four years at most, so a key for each.
        let Some([pk, ak]) = Key::loans(i + 1) else { continue };
        let year = y.start_year();
        g.count(
            pk,
            &format!("{year}年生源地信用助学贷款人数"),
            t.persons,
            "人",
            source.clone(),
        )?;
        g.wan(ak, &format!("{year}年生源地信用助学贷款金额"), t.amount, source.clone())?;
        // Counted again from the records, not through the check.
        let of_year: Vec<&StudentLoan> = loans.iter().filter(|l| l.year == *y).collect();
        let borrowers: BTreeSet<&str> = of_year.iter().map(|l| l.borrower_id.as_str()).collect();
        let amount: Decimal = of_year.iter().map(|l| l.amount.as_decimal()).sum();
        g.records.push(Relation::Records {
            key: pk.to_string(),
            records: Decimal::from(borrowers.len()),
            basis: format!("{year}年度贷款记录的借款人"),
        });
        g.records.push(Relation::Records {
            key: ak.to_string(),
            records: amount,
            basis: format!("{year}年度贷款记录金额"),
        });
        g.dated.push((pk.to_string(), y.first_day()));
        g.dated.push((ak.to_string(), y.first_day()));
        labels.push(format!("{year}年"));
    }
    if !labels.is_empty() {
        g.data.list("loan_years", labels)?;
    }
    Ok(())
}

//! Check the arithmetic of a plain-text work report, as a careful reader
//! would: parts against totals, rates against their numerator and
//! denominator at the printed precision (and double rounding), amounts
//! against a stated standard.
//!
//! ```text
//! cargo run --example validate_seed [-- report.txt]
//! ```
//!
//! Without an argument it reads the seed report shipped with the report
//! crate's tests (a county report whose decimals a scraper broke:
//! `9\n8、86%` is 98.86%); the validator restores them first. On the seed
//! it finds exactly two inconsistencies: the total 126864 (the parts sum to
//! 126964) and 99.4% (305/307 is 99.3%; 99.4 is a double rounding).

use eduaid::report::validate_text;

const SEED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/report/tests/data/seed_report.txt");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| SEED.to_string());
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let validation = validate_text(&text);
    println!("{path}: {}", validation.summary());
    for check in &validation.checks {
        let verdict = if check.consistent { "ok  " } else { "FAIL" };
        println!("[{verdict}] {}：{}", check.kind.chinese(), check.numbers.join("、"));
        println!("       {}", check.message);
        if !check.consistent {
            println!("       句子：{}", check.location);
        }
    }
    let findings = validation.findings();
    println!("{} finding(s)", findings.len());
    Ok(())
}

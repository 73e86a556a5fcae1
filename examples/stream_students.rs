//! Ten million generated students streamed through the full built-in
//! catalogue for spring 2017: throughput and peak memory. The generator
//! makes each batch of students from their index, so memory stays flat in
//! the roster's size.
//!
//! `cargo run --release --example stream_students [students]`

use std::time::Instant;

use eduaid::eligibility::Engine;
use eduaid::model::{Roster, Term};
use eduaid::sample::Generator;

/// Peak resident memory (VmHWM) in kB, from /proc/self/status.
fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

// Throughput is a rate for people to read, not money: a float is right here.
#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)]
fn per_second(n: u64, seconds: f64) -> f64 {
    n as f64 / seconds.max(1e-9)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = match std::env::args().nth(1) {
        Some(a) => a.parse()?,
        None => 10_000_000,
    };
    let engine = Engine::hunan_county_2016()?;
    let spring: Term = "2017-spring".parse()?;
    let roster = Generator::new(n, 2017);

    // Generation alone, to tell its cost from the engine's.
    let start = Instant::now();
    let mut seen = 0u64;
    roster.visit_students(&mut |batch| {
        seen += batch.len() as u64;
        std::ops::ControlFlow::Continue(())
    })?;
    let generate = start.elapsed();
    let before = peak_kb();

    let start = Instant::now();
    let totals = engine.totals(&roster, &[spring])?;
    let run = start.elapsed();
    let after = peak_kb();

    println!(
        "{seen} students generated in {:.2?} ({:.0}/s)",
        generate,
        per_second(seen, generate.as_secs_f64())
    );
    println!(
        "{} students evaluated ({} skipped) in {:.2?}: {:.0} students/s including generation",
        totals.evaluated,
        totals.skipped.len(),
        run,
        per_second(totals.students, run.as_secs_f64())
    );
    for p in totals.programs.iter().filter(|p| p.total.person_terms > 0) {
        println!(
            "  {:<26} {:>10}人次 {:>16}元",
            p.id.as_str(),
            p.total.person_terms,
            p.total.amount.as_decimal().to_string()
        );
    }
    println!(
        "cash: {}万元, waived: {}万元, in kind: {}万元",
        totals.cash().wan_yuan(),
        totals.waived().wan_yuan(),
        totals.in_kind().wan_yuan()
    );
    let schools = totals.programs.iter().map(|p| p.by_school.len()).max().unwrap_or(0);
    println!(
        "schools with an entitlement: {schools} (memory grows with them: per-school totals and groups of alike students)"
    );
    println!(
        "peak memory (VmHWM): {} kB after generating, {} kB after the run",
        before.unwrap_or(0),
        after.unwrap_or(0)
    );
    Ok(())
}

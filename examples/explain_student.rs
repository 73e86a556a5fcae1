//! One student's entitlements for spring 2017, each explained down to the
//! policy document, and for every other program why not — in a clerk's
//! words.
//!
//! `cargo run --example explain_student [student-id]`

use std::ops::ControlFlow;

use eduaid::eligibility::Engine;
use eduaid::model::{Roster, Stage, StatusKind, StudentId, Term};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let county = eduaid::sample::county();
    let engine = Engine::hunan_county_2016()?;
    let spring: Term = "2017年春季学期".parse()?;

    // The student asked for, or a registered-poor day pupil of the county.
    let id =
        match std::env::args().nth(1) {
            Some(id) => StudentId::new(id)?,
            None => {
                let mut found = None;
                county.roster.visit_students(&mut |batch| {
                    let hit =
                        batch.iter().find(|s| {
                            s.stage == Stage::Primary
                                && !s.boarder
                                && county.roster.household_of(s).ok().flatten().is_some_and(|h| {
                                    h.has_status_on(StatusKind::RegisteredPoor, spring.reference_date())
                                })
                        });
                    match hit {
                        Some(s) => {
                            found = Some(s.id.clone());
                            ControlFlow::Break(())
                        }
                        None => ControlFlow::Continue(()),
                    }
                })?;
                found.ok_or("no registered-poor day pupil in the sample")?
            }
        };

    let explanation = engine.explain(&county.roster, &id, spring)?;
    println!("{explanation}");
    let owed: eduaid::model::Money = explanation
        .entitled
        .iter()
        .filter(|e| e.benefit.is_owed())
        .map(|e| e.amount)
        .sum();
    println!("owed for {}: {owed}", spring.to_chinese());
    Ok(())
}

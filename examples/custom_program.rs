//! A program written in Rust beside the built-in TOML ones: a county's
//! transport subsidy (交通补助) of 100元 a term for rural boarders in
//! compulsory education, evaluated with the whole catalogue over the sample
//! county.
//!
//! `cargo run --example custom_program`

use eduaid::eligibility::{Benefit, Engine, Facts, Program, ProgramInfo, Step, TermContext, TermProgram, Trace};
use eduaid::model::{Locality, Money, ProgramId, Stage, Term};

/// The program: described once, prepared once per term.
#[derive(Debug)]
struct Transport {
    info: ProgramInfo,
}

/// The program resolved for a term: here, a fixed amount.
struct TransportTerm {
    per_term: Money,
}

impl Program for Transport {
    fn info(&self) -> &ProgramInfo {
        &self.info
    }

    fn prepare<'a>(&'a self, _term: &TermContext) -> Result<Box<dyn TermProgram + 'a>, eduaid::eligibility::Error> {
        Ok(Box::new(TransportTerm {
            per_term: Money::yuan(100),
        }))
    }
}

impl TermProgram for TransportTerm {
    fn evaluate(&self, f: &Facts<'_>, trace: Option<&mut Trace>) -> Option<Money> {
        let ok = f.student.boarder && f.student.stage.is_compulsory() && f.school.locality == Locality::Rural;
        if let Some(t) = trace {
            t.push(Step::Condition {
                text: "a boarder in a rural compulsory school".into(),
                held: ok,
            });
            if !ok {
                t.push(Step::NotEntitled {
                    reason: "not a boarder in a rural compulsory school".into(),
                });
            }
        }
        ok.then_some(self.per_term)
    }

    fn may_apply(&self, stage: Stage) -> bool {
        stage.is_compulsory()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let county = eduaid::sample::county();
    let mut engine = Engine::hunan_county_2016()?;
    engine.add_program(Transport {
        info: ProgramInfo {
            id: ProgramId::new("transport")?,
            name: "交通补助".into(),
            english: Some("transport subsidy".into()),
            benefit: Benefit::Cash,
            cite: None,
        },
    })?;
    let spring: Term = "2017-spring".parse()?;
    let totals = engine.totals(&county.roster, &[spring])?;
    println!("{} {}: {} students", county.name, spring.to_chinese(), totals.students);
    for p in &totals.programs {
        if p.total.person_terms > 0 {
            println!(
                "  {:<28} {:>6}人次  {:>12}万元",
                format!("{} ({})", p.name, p.id),
                p.total.person_terms,
                p.total.amount.wan_yuan()
            );
        }
    }
    let transport = totals.program("transport").map_or(Money::ZERO, |p| p.total.amount);
    // Cash, waived fees and in-kind benefits are kept apart, never added.
    println!(
        "transport subsidy: {transport}; cash in all {}, waived {}, in kind {}",
        totals.cash(),
        totals.waived(),
        totals.in_kind()
    );
    Ok(())
}

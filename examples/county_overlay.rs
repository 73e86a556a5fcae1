//! A county's own TOML overlay on the built-in policy: it changes one value
//! (Rain-and-Dew at 2000元 a term from spring 2017) and adds one program (a
//! 200元-a-term subsidy for left-behind children in rural primaries),
//! restating nothing else. The overlay's own test cases run against it.
//!
//! `cargo run --example county_overlay`

use eduaid::eligibility::cases::run_cases;
use eduaid::eligibility::{Engine, Policy};
use eduaid::model::Term;

const OVERLAY: &str = r#"
[policy]
id = "my-county-2017"
title = "某县2017年教育扶贫资助补充政策"
base = "hunan-county-2016"

[documents.my-county-2017-3]
title = "某县关于提高雨露计划补助标准和设立留守儿童关爱补助的通知"
issuer = "某县扶贫办 教育局"
number = "某扶发〔2017〕3号"
date = 2017-02-20
certainty = "B"

# One value changed: the layers below keep everything else.
[parameters."rain-and-dew.per-term"]
values = [
  { from = "2017-spring", value = 2000, cite = { doc = "my-county-2017-3", clause = "第一条" } },
]

# One program added.
[programs.left-behind]
name = "留守儿童关爱补助"
english = "left-behind children's subsidy"
benefit = "cash"
cite = { doc = "my-county-2017-3", clause = "第二条" }

[[programs.left-behind.rules]]
id = "rural-primary"
label = "农村小学留守儿童"
from = "2017-spring"
when = { stages = ["primary"], locality = "rural", left_behind = true }
amount = { per_term = "left-behind.per-term" }
cite = { doc = "my-county-2017-3", clause = "第二条" }

[parameters."left-behind.per-term"]
description = "留守儿童关爱补助 per term"
unit = "yuan_per_term"
values = [{ from = "2017-spring", value = 200, cite = { doc = "my-county-2017-3", clause = "第二条" } }]
"#;

const CASES: &str = r#"
[[case]]
name = "Rain-and-Dew at the county's 2000 from spring 2017"
term = "2017-spring"
student = { stage = "vocational", grade = 1 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-10-01 }]
expect = { rain-and-dew = 2000 }

[[case]]
name = "a left-behind pupil in a rural primary"
term = "2017-spring"
student = { stage = "primary", grade = 2, left_behind = true }
school = { kind = "primary" }
expect = { left-behind = 200 }

[[case]]
name = "not left behind"
term = "2017-spring"
student = { stage = "primary", grade = 2 }
school = { kind = "primary" }
expect = { left-behind = 0 }
why_not = { left-behind = "not a left-behind child" }

[[case]]
name = "autumn 2016 keeps the county's 1000"
term = "2016-autumn"
student = { stage = "vocational", grade = 1 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-10-01 }]
expect = { rain-and-dew = 1000 }
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let county = eduaid::sample::county();
    let spring: Term = "2017-spring".parse()?;
    let base = Engine::hunan_county_2016()?;
    let mine = Engine::new(Policy::builtin_with("my-county-2017.toml", OVERLAY)?);
    println!(
        "layers: {}",
        mine.policy().map(|p| p.layers().join(" <- ")).unwrap_or_default()
    );

    let before = base.totals(&county.roster, &[spring])?;
    let after = mine.totals(&county.roster, &[spring])?;
    for p in &after.programs {
        let was = before.program(p.id.as_str()).map(|x| x.total.amount);
        if was != Some(p.total.amount) {
            println!(
                "{} ({}): {} -> {}",
                p.name,
                p.id,
                was.map_or_else(|| "new".to_string(), |m| m.to_string()),
                p.total.amount
            );
        }
    }
    println!("cash: {} -> {}", before.cash(), after.cash());
    println!("waived: {} -> {}", before.waived(), after.waived());
    println!("in kind: {} -> {}", before.in_kind(), after.in_kind());

    let report = run_cases(&mine, "my-county-2017-cases.toml", CASES)?;
    println!(
        "{} cases, {} checks, {} failures",
        report.cases,
        report.checks,
        report.failures.len()
    );
    for f in &report.failures {
        println!("  {} {}: {}", f.at, f.name, f.message);
    }
    Ok(())
}

//! The built-in declarative policy test cases pass, and a failing case is
//! reported with its file and line.

use eduaid_eligibility::cases::run_cases;
use eduaid_eligibility::{Engine, HUNAN_COUNTY_CASES_TOML, NATIONAL_CASES_TOML, Policy};

#[test]
fn national_cases_pass() {
    let engine = Engine::new(Policy::national().unwrap());
    let r = run_cases(&engine, "cases-national.toml", NATIONAL_CASES_TOML).unwrap();
    assert!(r.passed(), "{:#?}", r.failures);
    assert!(r.cases >= 20, "{}", r.cases);
}

#[test]
fn hunan_county_cases_pass() {
    let engine = Engine::hunan_county_2016().unwrap();
    let r = run_cases(&engine, "cases-hunan-county-2016.toml", HUNAN_COUNTY_CASES_TOML).unwrap();
    assert!(r.passed(), "{:#?}", r.failures);
    assert!(r.cases >= 15, "{}", r.cases);
}

#[test]
fn a_wrong_expectation_is_a_failure_with_its_line() {
    let engine = Engine::hunan_county_2016().unwrap();
    let text = r#"
[[case]]
name = "wrong on purpose"
term = "2017-spring"
student = { stage = "primary", grade = 3 }
school = { kind = "primary" }
statuses = [{ kind = "registered_poor", from = 2015-10-01 }]
expect = { living-subsidy = 499 }
"#;
    let r = run_cases(&engine, "mine.toml", text).unwrap();
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].at, "mine.toml:3");
    assert!(
        r.failures[0].message.contains("expected 499元, got 500元"),
        "{}",
        r.failures[0].message
    );
}

#[test]
fn a_case_naming_an_unknown_program_is_an_error() {
    let engine = Engine::hunan_county_2016().unwrap();
    let text = r#"
[[case]]
name = "typo"
term = "2017-spring"
student = { stage = "primary", grade = 3 }
school = { kind = "primary" }
expect = { living-subsidyy = 500 }
"#;
    let e = run_cases(&engine, "mine.toml", text).unwrap_err().to_string();
    assert!(e.starts_with("mine.toml:7:"), "{e}");
    assert!(e.contains("unknown program living-subsidyy"), "{e}");
}

/// `exited_within_years` in an overlay (a county paying households for
/// three years after they exit poverty), checked by declarative cases in
/// two terms on each side of the window, one after 2020.
#[test]
fn exited_within_years_counts_from_the_term() {
    let overlay = r#"
[policy]
id = "three-years"
title = "three years after exit"
base = "national"

[documents.t]
title = "县教育扶贫资助通知 (test)"
issuer = "县教育局"
certainty = "B"

[[programs.rain-and-dew.rules]]
id = "recent-exit"
label = "脱贫三年内的家庭子女"
from = "2015-autumn"
when = { stages = ["vocational"], exited_within_years = 3 }
amount = { per_term = "rain-and-dew.per-term" }
cite = { doc = "t" }
"#;
    let engine = Engine::new(Policy::builtin_with("three-years.toml", overlay).unwrap());
    let cases = r#"
[[case]]
name = "exited 2017-06-30, spring 2020: within three years"
term = "2020-spring"
student = { stage = "vocational", grade = 1 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-01-01, until = 2017-06-30 }]
expect = { rain-and-dew = 1500 }

[[case]]
name = "exited 2017-06-30, autumn 2020: more than three years"
term = "2020-autumn"
student = { stage = "vocational", grade = 1 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-01-01, until = 2017-06-30 }]
expect = { rain-and-dew = 0 }
why_not = { rain-and-dew = "exited poverty" }

[[case]]
name = "exited 2020-12-31, autumn 2023: within three years"
term = "2023-autumn"
student = { stage = "vocational", grade = 2 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-01-01, until = 2020-12-31 }]
expect = { rain-and-dew = 1500 }

[[case]]
name = "exits after the term: still registered, not yet a 脱贫户"
term = "2016-autumn"
student = { stage = "vocational", grade = 2 }
school = { kind = "vocational" }
statuses = [{ kind = "registered_poor", from = 2015-01-01, until = 2018-12-31 }]
expect = { rain-and-dew = 1500 }
"#;
    let r = run_cases(&engine, "three-years-cases.toml", cases).unwrap();
    assert!(r.passed(), "{:#?}", r.failures);
    assert_eq!(r.cases, 4);
}

/// A province states its public senior schools' tuition; private (民办)
/// senior students in the four categories are then waived that amount, not
/// their own school's tuition (issue 13 item 6).
const PUBLIC_SENIOR_TUITION: &str = r#"
[policy]
id = "a-province"
title = "a province stating its public senior tuition"
base = "national"

[documents.prov-2016-1]
title = "某省普通高中学费标准"
issuer = "某省发展改革委 财政厅 教育厅"
certainty = "B"

[parameters."senior-fee-waiver.public-tuition"]
values = [
  { from = "2016-autumn", value = 1200, cite = { doc = "prov-2016-1" } },
  { from = "2022-autumn", value = 1600, cite = { doc = "prov-2016-1" } },
]
"#;

#[test]
fn private_seniors_are_waived_at_the_public_rate() {
    let engine = Engine::new(Policy::builtin_with("a-province.toml", PUBLIC_SENIOR_TUITION).unwrap());
    let text = r#"
[[case]]
name = "private senior, registered-poor, autumn 2017: half of the public 1200, not of its own 9000"
term = "2017-autumn"
student = { stage = "senior", grade = 1 }
school = { kind = "senior", ownership = "private", annual_tuition = 9000 }
statuses = [{ kind = "registered_poor", from = 2015-01-01 }]
expect = { senior-fee-waiver = 600 }

[[case]]
name = "private senior, household exited poverty, spring 2023 (transition): half of the public 1600"
term = "2023-spring"
student = { stage = "senior", grade = 2 }
school = { kind = "senior", ownership = "private", annual_tuition = 9000 }
statuses = [{ kind = "registered_poor", from = 2015-01-01, until = 2020-06-30 }]
expect = { senior-fee-waiver = 800 }

[[case]]
name = "private senior in no group, spring 2023: nothing"
term = "2023-spring"
student = { stage = "senior", grade = 2 }
school = { kind = "senior", ownership = "private", annual_tuition = 9000 }
expect = { senior-fee-waiver = 0 }

[[case]]
name = "public senior, dibao, autumn 2017: its own tuition"
term = "2017-autumn"
student = { stage = "senior", grade = 1 }
school = { kind = "senior", ownership = "public", annual_tuition = 1000 }
statuses = [{ kind = "dibao", from = 2015-01-01 }]
expect = { senior-fee-waiver = 500 }
"#;
    let r = run_cases(&engine, "private.toml", text).unwrap();
    assert!(r.passed(), "{:#?}", r.failures);
    assert_eq!(r.cases, 4);
}

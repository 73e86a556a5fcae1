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

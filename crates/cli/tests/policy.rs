//! `eduaid policy`.

use crate::common::*;

#[test]
fn list_and_show_give_programs_values_and_citations() {
    let r = run_expect(0, &["policy", "list", "--policy", "hunan-county-2016"]);
    for id in ["living-subsidy", "nutrition", "rain-and-dew", "senior-grant"] {
        assert!(r.stdout.contains(id), "{id}");
    }
    assert!(r.stdout.contains("national ← hunan ← hunan-county-2016"));
    let j = run_expect(0, &["--json", "policy", "list", "--policy", "national"]).json();
    assert_eq!(j["layers"], serde_json::json!(["national"]));
    let r = run_expect(
        0,
        &["policy", "show", "living-subsidy", "--policy", "hunan-county-2016"],
    );
    assert!(r.stdout.contains("registered-poor-day-students"), "{}", r.stdout);
    assert!(r.stdout.contains("living-subsidy.annual"), "{}", r.stdout);
    assert!(r.stdout.contains("cited:"));
    // The names a file may give the program, from the policy files.
    assert!(r.stdout.contains("also named in files: 寄宿生生活补助"), "{}", r.stdout);
    assert!(r.stdout.contains("short name in charts: 生活补助"), "{}", r.stdout);
    // The marks after each citation are explained.
    assert!(r.stdout.contains("Certainty of each citation:"), "{}", r.stdout);
    assert!(r.stdout.contains("B: believed"), "{}", r.stdout);
    let j = run_expect(0, &["--json", "policy", "show", "nutrition"]).json();
    assert_eq!(j["aliases"], serde_json::json!(["营养改善计划"]));
    assert!(!j["rules"].as_array().unwrap().is_empty());
    assert!(
        j["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "nutrition.daily")
    );
    let r = run_expect(2, &["policy", "show", "free-lunch"]);
    assert!(r.stderr.contains("unknown program free-lunch"), "{}", r.stderr);
}

#[test]
fn check_accepts_a_good_overlay_and_names_the_line_of_a_bad_one() {
    let (d, f) = temp_path("my-county.toml");
    std::fs::write(&f, COUNTY_OVERLAY).unwrap();
    let r = run_expect(0, &["policy", "check", &p(&f)]);
    assert!(r.stdout.contains("my-county"), "{}", r.stdout);
    let bad = d.path().join("bad.toml");
    std::fs::write(&bad, COUNTY_OVERLAY.replace("value = 800", "value = ")).unwrap();
    let r = run_expect(2, &["policy", "check", &p(&bad)]);
    assert!(r.stderr.contains("bad.toml:15:"), "{}", r.stderr);
    std::fs::write(&bad, COUNTY_OVERLAY.replace("doc = \"my-doc\"", "doc = \"nowhere\"")).unwrap();
    let r = run_expect(2, &["policy", "check", &p(&bad)]);
    assert!(r.stderr.contains("bad.toml:"), "{}", r.stderr);
    std::fs::write(
        &bad,
        COUNTY_OVERLAY.replace("base = \"hunan-county-2016\"", "base = \"atlantis\""),
    )
    .unwrap();
    let r = run_expect(2, &["policy", "check", &p(&bad)]);
    assert!(r.stderr.contains("atlantis"), "{}", r.stderr);
}

const CASES: &str = r#"policy = "hunan-county-2016"

[[case]]
name = "registered-poor day pupil, spring 2017"
term = "2017-spring"
student = { stage = "primary", grade = 3 }
school = { kind = "primary" }
statuses = [{ kind = "registered_poor", from = 2015-10-01 }]
expect = { living-subsidy = 500 }

[[case]]
name = "registered after the reference date"
term = "2017-spring"
student = { stage = "primary", grade = 3 }
school = { kind = "primary" }
statuses = [{ kind = "registered_poor", from = 2017-05-10 }]
expect = { living-subsidy = 0 }
why_not = { living-subsidy = "not registered-poor on 2017-03-01" }
"#;

#[test]
fn test_runs_the_users_cases_and_exits_1_on_a_failure() {
    let (d, f) = temp_path("cases.toml");
    std::fs::write(&f, CASES).unwrap();
    let r = run_expect(0, &["policy", "test", &p(&f)]);
    assert!(r.stdout.contains("2 cases, 3 checks, 0 failed"), "{}", r.stdout);
    // Under the national policy alone the county exception is missing.
    let r = run_expect(1, &["policy", "test", &p(&f), "--policy", "national"]);
    assert!(r.stdout.contains("FAILED"), "{}", r.stdout);
    let wrong = d.path().join("wrong.toml");
    std::fs::write(&wrong, CASES.replace("living-subsidy = 500", "living-subsidy = 400")).unwrap();
    let r = run_expect(1, &["--json", "policy", "test", &p(&wrong)]);
    let j = r.json();
    assert_eq!(j["failures"].as_array().unwrap().len(), 1);
    assert!(
        j["failures"][0]["at"].as_str().unwrap().ends_with("wrong.toml:4"),
        "{j}"
    );
    std::fs::write(&wrong, CASES.replace("living-subsidy = 500", "free-lunch = 1")).unwrap();
    let r = run_expect(2, &["policy", "test", &p(&wrong)]);
    assert!(r.stderr.contains("unknown program free-lunch"), "{}", r.stderr);
    assert!(r.stderr.contains("wrong.toml:9:"), "{}", r.stderr);
}

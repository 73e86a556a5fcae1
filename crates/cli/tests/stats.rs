//! `eduaid stats`.

use crate::common::*;

fn value<'a>(j: &'a serde_json::Value, key: &str, group: &str) -> &'a serde_json::Value {
    j["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key && r["group"] == group)
        .unwrap_or_else(|| panic!("no {key} for {group}"))
}

#[test]
fn retention_of_the_sample_is_the_reports() {
    let dir = sample_dir();
    for (year, primary, junior) in [
        ("2014", "100.00%", "98.86%"),
        ("2015", "100.00%", "98.81%"),
        ("2016", "100.00%", "98.89%"),
    ] {
        let r = run_expect(0, &["--json", "-q", "stats", "--data", &p(dir), "--year", year]);
        let j = r.json();
        assert_eq!(
            value(&j, "retention_primary_six_year", "all")["value"],
            primary,
            "{year}"
        );
        let jr = value(&j, "retention_junior_three_year", "all");
        assert_eq!(jr["value"], junior, "{year}");
        assert_eq!(jr["met"], "yes");
        assert!(jr["flags"].as_str().unwrap().contains("transfer-adjusted"));
    }
    let j = run_expect(0, &["--json", "-q", "stats", "--data", &p(dir), "--year", "2016-17"]).json();
    let d = value(&j, "disabled_enrolment_6_14", "all");
    assert_eq!(
        (d["numerator"].clone(), d["denominator"].clone()),
        (305.into(), 307.into())
    );
}

#[test]
fn a_breakdown_has_a_row_per_group_whose_counts_add_up() {
    let dir = sample_dir();
    let j = run_expect(
        0,
        &[
            "--json",
            "-q",
            "stats",
            "--data",
            &p(dir),
            "--year",
            "2016",
            "--by",
            "sex",
        ],
    )
    .json();
    let all = value(&j, "retention_junior_three_year", "all");
    let m = value(&j, "retention_junior_three_year", "male");
    let f = value(&j, "retention_junior_three_year", "female");
    let n = |v: &serde_json::Value, k: &str| v[k].as_i64().unwrap();
    assert_eq!(n(m, "numerator") + n(f, "numerator"), n(all, "numerator"));
    assert_eq!(n(m, "denominator") + n(f, "denominator"), n(all, "denominator"));
    let t = run_expect(
        0,
        &[
            "--json",
            "-q",
            "stats",
            "--data",
            &p(dir),
            "--year",
            "2016",
            "--by",
            "township",
        ],
    )
    .json();
    let groups = t["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"] == "dropout_junior")
        .count();
    assert!(groups > 10, "one row per township and the total: {groups}");
}

#[test]
fn a_rate_below_its_standard_is_a_finding() {
    let (d, counts) = temp_path("grade_counts.csv");
    let mut text =
        String::from("year,school_id,township,locality,stage,grade,sex,poverty,enrolled,new_entrants,graduates\n");
    text.push_str("2014,J1,甲镇,rural,junior,1,female,other,100,100,0\n");
    text.push_str("2015,J1,甲镇,rural,junior,2,female,other,95,0,0\n");
    text.push_str("2016,J1,甲镇,rural,junior,3,female,other,90,0,80\n");
    std::fs::write(&counts, text).unwrap();
    let (_o, out) = temp_path("stats.xlsx");
    let r = run_expect(1, &["--json", "stats", "--counts", &p(&counts), "--out", &p(&out)]);
    let jr = value(&r.json(), "retention_junior_three_year", "all").clone();
    assert_eq!(jr["value"], "80.00%");
    assert_eq!(jr["met"], "no");
    assert_eq!(jr["margin_points"], "-15.00");
    assert!(out.is_file());
    // The year defaults to the latest; a year the file lacks gives no value.
    let r = run_expect(0, &["--json", "-q", "stats", "--counts", &p(&counts), "--year", "2010"]);
    assert!(r.stderr.is_empty() || r.stderr.contains("2010"));
    // No cohort in the file: not computable, with the reason, never a number.
    let shown = value(&r.json(), "retention_junior_three_year", "all")["value"].clone();
    let shown = shown.as_str().unwrap_or_default();
    assert!(
        shown.starts_with("not computable: no junior grade-1 intake in 2008")
            || shown.starts_with("不可计算：缺少初中2008"),
        "{shown}"
    );
    drop(d);
}

#[test]
fn broken_count_files_exit_2() {
    let r = run_expect(2, &["stats"]);
    assert!(r.stderr.contains("no grade counts file"), "{}", r.stderr);
    let (_d, counts) = temp_path("grade_counts.csv");
    std::fs::write(&counts, "year,school_id,stage,grade\n2016,J1,junior,1\n").unwrap();
    let r = run_expect(2, &["stats", "--counts", &p(&counts)]);
    assert!(r.stderr.contains("missing required column"), "{}", r.stderr);
    let mut text = std::fs::read_to_string(sample_dir().join("grade_counts.csv")).unwrap();
    text = text.replacen("\n2", "\nnot-a-year", 1);
    std::fs::write(&counts, text).unwrap();
    let r = run_expect(2, &["-q", "stats", "--counts", &p(&counts), "--year", "2016"]);
    assert!(r.stderr.contains("grade_counts.csv:2"), "{}", r.stderr);
    assert!(r.stdout.contains("98.89%"), "the other rows still count: {}", r.stdout);
}

#[test]
fn out_naming_an_input_is_refused_before_any_work() {
    let d = copy_dir(sample_dir());
    let counts = d.path().join("grade_counts.csv");
    let before = std::fs::read(&counts).unwrap();
    let r = run(&["stats", "--data", &p(d.path()), "--out", &p(&counts)]);
    assert_refused_before_work(&r, &counts, &before);
}

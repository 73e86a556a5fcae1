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

/// A junior cohort in a file with Chinese headers and the new flows:
/// per year 在校生 100, 招生 100 in 2014, 毕业 98 in 2016; (转入, 转出, 辍学,
/// 借读, 休学, 其他增加, 其它减少) = (3,1,0,2,1,0,0), (2,4,0,1,0,1,2),
/// (0,2,1,3,1,0,1).
fn flows_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let (d, counts) = temp_path("grade_counts.csv");
    let mut text = String::from(
        "学年,学校标识码,乡镇,城乡,学段,年级,性别,建档立卡,在校生数,招生数,毕业生数,转入数,转出数,辍学数,借读数,休学,其他增加,其它减少\n",
    );
    text.push_str("2014,J1,甲镇,rural,junior,1,female,other,100,100,0,3,1,0,2,1,0,0\n");
    text.push_str("2015,J1,甲镇,rural,junior,2,female,other,100,0,0,2,4,0,1,0,1,2\n");
    text.push_str("2016,J1,甲镇,rural,junior,3,female,other,100,0,98,0,2,1,3,1,0,1\n");
    std::fs::write(&counts, text).unwrap();
    (d, counts)
}

#[test]
fn every_retention_and_dropout_form_from_the_new_flows() {
    let (_d, counts) = flows_file();
    let j = run_expect(0, &["--json", "-q", "stats", "--counts", &p(&counts), "--year", "2016"]).json();
    // Transfer-adjusted: 98 / (100 + 5 − 7) = 100%.
    assert_eq!(value(&j, "retention_junior_three_year", "all")["value"], "100.00%");
    // Plain: 98 / 100.
    assert_eq!(value(&j, "retention_junior_three_year_plain", "all")["value"], "98.00%");
    // With 借读: 98 / (100 + (5 + 6 + 1) − (7 + 2 + 3)) = 98 / 100.
    let n = value(&j, "retention_junior_three_year_net_increase", "all");
    assert_eq!(
        (n["numerator"].clone(), n["denominator"].clone()),
        (98.into(), 100.into())
    );
    // Definitional dropout: (辍学 1 + 休学 1) / 100; 两基:
    // (休学 1 + 辍学 1 + 死亡 0 + 转出 2 + 其他减少 1) − (转入 0 + 其他增加 0) = 5.
    assert_eq!(value(&j, "dropout_junior", "all")["value"], "2.00%");
    assert_eq!(value(&j, "dropout_junior_lianji", "all")["value"], "5.00%");
    // The Wilson interval of 98/100 with z = 1.959964: 92.9988…% to 99.4498…%.
    assert_eq!(
        value(&j, "retention_junior_three_year_plain", "all")["wilson_95"],
        "[93.00%, 99.45%]"
    );
    assert_eq!(j["wilson_z"], "1.959963984540054235524594431");
    // Three significant figures.
    let s = run_expect(
        0,
        &[
            "--json",
            "-q",
            "stats",
            "--counts",
            &p(&counts),
            "--year",
            "2016",
            "--sig",
            "3",
        ],
    )
    .json();
    assert_eq!(value(&s, "retention_junior_three_year_plain", "all")["value"], "98.0%");
    // A stage without records is not computable, in Chinese too.
    let z = run_expect(
        0,
        &[
            "--json",
            "-q",
            "--lang",
            "zh",
            "stats",
            "--counts",
            &p(&counts),
            "--year",
            "2016",
        ],
    )
    .json();
    let row = z["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["代码"] == "dropout_primary")
        .unwrap();
    assert_eq!(row["数值"], "不可计算：缺少小学2016—2017学年在校生记录");
    assert_eq!(row["分子"], serde_json::Value::Null);
}

#[test]
fn over_hundred_never_meets_a_standard_silently_and_caps_on_request() {
    let (_d, counts) = temp_path("grade_counts.csv");
    let mut text =
        String::from("year,school_id,township,locality,stage,grade,sex,poverty,enrolled,new_entrants,graduates\n");
    text.push_str("2014,J1,甲镇,rural,junior,1,female,other,100,100,0\n");
    text.push_str("2015,J1,甲镇,rural,junior,2,female,other,100,0,0\n");
    text.push_str("2016,J1,甲镇,rural,junior,3,female,other,100,0,105\n");
    std::fs::write(&counts, text).unwrap();
    let j = run_expect(0, &["--json", "-q", "stats", "--counts", &p(&counts)]).json();
    let r = value(&j, "retention_junior_three_year", "all");
    assert_eq!(r["value"], "105.00%");
    assert_eq!(r["met"], "yes (raw value over 100%: check the counts)");
    assert!(r["flags"].as_str().unwrap().contains("over 100%"));
    let c = run_expect(0, &["--json", "-q", "stats", "--counts", &p(&counts), "--cap"]).json();
    let r = value(&c, "retention_junior_three_year", "all");
    assert_eq!(r["value"], "100.00%");
    assert_eq!(r["raw_value"], "105.00%");
    assert!(r["flags"].as_str().unwrap().contains("over 100%, capped"));
    assert_eq!(r["met"], "yes (raw value over 100%: check the counts)");
    assert_eq!(c["capped_at_100"], true);
}

#[test]
fn the_whole_library_is_reachable_and_written_to_csv_and_xlsx() {
    let dir = sample_dir();
    let (_o, out) = temp_path("stats.csv");
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
            "--out",
            &p(&out),
        ],
    )
    .json();
    for key in [
        "retention_primary_six_year_plain",
        "retention_compulsory_nine_year_net_increase",
        "dropout_primary_lianji",
        "ger_primary_gpi",
        "ner_primary",
        "ner_junior_gpi",
        "class_share_large",
        "pupil_share_superlarge",
        "class_size_average",
    ] {
        let _ = value(&j, key, "all");
    }
    // NER by sex, capped by the factor of enrolment at any level.
    let _ = value(&j, "ner_primary", "female");
    let flows = j["uis_flows"].as_array().unwrap();
    assert!(flows.iter().any(|r| r["note"] == "coefficient of efficiency"));
    assert!(flows.iter().any(|r| r["stage"] == "junior" && r["grade"] == 3));
    assert!(out.is_file());
    let uis_csv = out.with_file_name("stats-uis_flows.csv");
    assert!(uis_csv.is_file(), "{}", uis_csv.display());
    let (_x, xlsx) = temp_path("stats.xlsx");
    run_expect(
        0,
        &[
            "-q",
            "--lang",
            "zh",
            "stats",
            "--data",
            &p(dir),
            "--year",
            "2016",
            "--out",
            &p(&xlsx),
        ],
    );
    assert!(xlsx.is_file());
}

//! `eduaid sample`.

use crate::common::*;

#[test]
fn the_sample_county_is_written_as_every_kind_of_file() {
    let dir = sample_dir();
    for f in [
        "schools.csv",
        "classes.csv",
        "students.csv",
        "households.csv",
        "disbursements.csv",
        "grade_counts.csv",
        "population.csv",
        "disabled.csv",
        "teachers.csv",
        "loans.csv",
        "planted_faults.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let students = std::fs::read_to_string(dir.join("students.csv")).unwrap();
    assert!(students.starts_with("\u{feff}id,name,sex,birth_date,school_id,stage,grade"));
    // The BOM makes Chinese Excel open the file as UTF-8.
    let faults: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("planted_faults.json")).unwrap()).unwrap();
    assert_eq!(faults.as_array().map(Vec::len), Some(3));
}

#[test]
fn a_generated_county_has_the_students_asked_for_and_reports_them_in_json() {
    let d = tempfile::tempdir().unwrap();
    let r = run_expect(0, &["--json", "sample", "--out", &p(d.path()), "--students", "1234"]);
    let j = r.json();
    let files = j["files"].as_array().unwrap();
    let students = files
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with("students.csv"))
        .unwrap();
    assert_eq!(students["records"], 1234);
    let text = std::fs::read_to_string(d.path().join("students.csv")).unwrap();
    assert_eq!(text.lines().count(), 1235);
    // A different seed gives different students.
    let d2 = tempfile::tempdir().unwrap();
    run_expect(
        0,
        &["sample", "--out", &p(d2.path()), "--students", "1234", "--seed", "99"],
    );
    assert_ne!(text, std::fs::read_to_string(d2.path().join("students.csv")).unwrap());
}

#[test]
fn xlsx_gbk_and_json_samples_are_read_back_by_evaluate() {
    for (format, students, chinese) in [
        ("xlsx", "students.xlsx", false),
        ("gbk", "students.csv", true),
        ("json", "students.json", false),
        ("jsonl", "students.jsonl", true),
    ] {
        let d = tempfile::tempdir().unwrap();
        let mut args = vec![
            "sample",
            "--out",
            d.path().to_str().unwrap(),
            "--students",
            "800",
            "--format",
            format,
        ];
        if chinese {
            args.push("--chinese");
        }
        run_expect(0, &args);
        assert!(d.path().join(students).is_file(), "{format}: {students}");
        if format == "gbk" {
            let bytes = std::fs::read(d.path().join(students)).unwrap();
            assert!(std::str::from_utf8(&bytes).is_err(), "a GBK file is not UTF-8");
        }
        let r = run_expect(
            0,
            &[
                "--json",
                "-q",
                "evaluate",
                "--data",
                d.path().to_str().unwrap(),
                "--term",
                "2017-spring",
            ],
        );
        assert_eq!(r.json()["students"], 800, "{format}");
        assert_eq!(r.json()["evaluated"], 800, "{format}");
    }
}

#[test]
fn sample_into_a_file_path_fails_with_exit_2() {
    let (_d, file) = temp_path("taken");
    std::fs::write(&file, "x").unwrap();
    let r = run_expect(2, &["sample", "--out", &p(&file), "--students", "10"]);
    assert!(r.stderr.contains("error"), "{}", r.stderr);
}

#[test]
fn an_unwritable_out_folder_is_an_error_before_generating() {
    let (_d, file) = temp_path("plain");
    std::fs::write(&file, "x").unwrap();
    let r = run_expect(
        2,
        &["sample", "--out", &p(&file.join("county")), "--students", "2000000000"],
    );
    assert!(r.stderr.contains("plain"), "{}", r.stderr);
}

//! `eduaid report`.

use crate::common::*;

#[test]
fn the_sample_report_is_written_checked_and_passes_the_validator() {
    let dir = sample_dir();
    let out = tempfile::tempdir().unwrap();
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "report",
            "--data",
            &p(dir),
            "--out",
            &p(out.path()),
            "--format",
            "md",
            "--format",
            "docx",
            "--format",
            "html",
            "--county",
            "示范县",
            "--policy",
            "hunan-county-2016",
            "--set",
            "fee_meeting_date=2017-07-11",
            "--set",
            "report_date=2017-09-30",
        ],
    );
    let j = r.json();
    assert_eq!(j["consistent"], true, "{j}");
    assert!(j["figures"].as_u64().unwrap() > 50);
    let md = std::fs::read_to_string(out.path().join("county_report.md")).unwrap();
    for want in [
        "示范县脱贫攻坚教育保障工作情况报告",
        "673.5875万元",
        "120.45万元",
        "98.86%",
        "126964人",
        "2017年9月30日",
    ] {
        assert!(md.contains(want), "{want} missing from the report");
    }
    let html = std::fs::read_to_string(out.path().join("county_report.html")).unwrap();
    assert!(html.contains("673.5875万元"));
    let docx = out.path().join("county_report.docx");
    assert_eq!(&std::fs::read(&docx).unwrap()[..2], b"PK");
    // The Word file's text passes the validator too.
    let v = run_expect(0, &["--json", "validate", &p(&docx)]).json();
    assert_eq!(v["consistent"], true);
    assert!(!v["checks"].as_array().unwrap().is_empty());
}

#[test]
fn schools_students_households_and_payments_alone_write_the_report() {
    // A county's files without counts, classes or teachers: what can be
    // derived is written, each section left out is named once with the file
    // that would fill it, and no county-only word (a meeting's date) is
    // required.
    let d = tempfile::tempdir().unwrap();
    for f in ["schools.csv", "students.csv", "households.csv", "disbursements.csv"] {
        std::fs::copy(sample_dir().join(f), d.path().join(f)).unwrap();
    }
    let out = d.path().join("out");
    let r = run_expect(
        0,
        &[
            "report",
            "--data",
            &p(d.path()),
            "--policy",
            "hunan-county-2016",
            "--out",
            &p(&out),
            "--format",
            "md",
            "--format",
            "docx",
            "--set",
            "report_date=2017年9月30日",
        ],
    );
    for file in ["grade_counts.csv", "disabled.csv", "classes.csv", "teachers.csv"] {
        assert_eq!(r.stderr.matches(file).count(), 1, "{file}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("denominator"), "{}", r.stderr);
    assert_eq!(&std::fs::read(out.join("county_report.docx")).unwrap()[..2], b"PK");
    let md = std::fs::read_to_string(out.join("county_report.md")).unwrap();
    for want in ["126964人", "673.5875万元", "20937笔", "2017年9月30日"] {
        assert!(md.contains(want), "{want} missing from the report");
    }
    assert!(!md.contains("巩固率均为"), "{md}");
    // The official document has no machine appendices; the working paper
    // (底稿) has them, and names the files that would fill what is missing.
    assert!(!md.contains("数据校核结果"), "{md}");
    let working = std::fs::read_to_string(out.join("county_report_底稿.md")).unwrap();
    assert!(working.contains("数据校核结果"));
    assert!(working.contains(r"grade\_counts.csv"), "{working}");
    assert!(out.join("county_report_底稿.docx").exists());
}

#[test]
fn a_users_own_template_is_filled_from_their_files() {
    let dir = sample_dir();
    let (d, tpl) = temp_path("mine.txt.j2");
    std::fs::write(
        &tpl,
        "% {{ county }}资助简报\n\n# 资助\n{{ spring_term }}共资助义务教育阶段学生{{ living_subsidy_students }}，补助资金{{ living_subsidy_amount }}。\n",
    )
    .unwrap();
    let out = d.path().join("out");
    run_expect(
        0,
        &[
            "-q",
            "report",
            "--data",
            &p(dir),
            "--template",
            &p(&tpl),
            "--policy",
            "hunan-county-2016",
            "--format",
            "md",
            "--out",
            &p(&out),
            "--county",
            "示范县",
        ],
    );
    let md = std::fs::read_to_string(out.join("county_report.md")).unwrap();
    assert!(
        md.contains("2017年春季学期共资助义务教育阶段学生12390人，补助资金673.5875万元。"),
        "{md}"
    );
    // A template naming a figure the data lacks.
    std::fs::write(&tpl, "% 标题\n\n第一行\n{{ no_such_figure }}\n").unwrap();
    let r = run_expect(
        2,
        &[
            "-q",
            "report",
            "--data",
            &p(dir),
            "--template",
            &p(&tpl),
            "--out",
            &p(&out),
        ],
    );
    assert!(r.stderr.contains("line"), "{}", r.stderr);
    let r = run_expect(
        2,
        &[
            "-q",
            "report",
            "--data",
            &p(dir),
            "--template",
            "/nonexistent.j2",
            "--out",
            &p(&out),
        ],
    );
    assert!(r.stderr.contains("/nonexistent.j2"), "{}", r.stderr);
}

#[test]
fn a_report_file_naming_an_input_is_refused_before_any_work() {
    let d = copy_dir(sample_dir());
    let template = d.path().join("county_report.md");
    std::fs::write(&template, "# {{ county }}\n").unwrap();
    let before = std::fs::read(&template).unwrap();
    let r = run(&[
        "report",
        "--data",
        &p(d.path()),
        "--template",
        &p(&template),
        "--format",
        "md",
        "--out",
        &p(d.path()),
    ]);
    assert_refused_before_work(&r, &template, &before);
}

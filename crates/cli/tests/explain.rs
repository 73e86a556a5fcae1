//! `eduaid explain` and `eduaid why-not`.

use crate::common::*;

/// The planted unpaid student: a registered-poor primary pupil owed the
/// living subsidy.
fn unpaid_student() -> String {
    let faults: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample_dir().join("planted_faults.json")).unwrap()).unwrap();
    faults
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "unpaid")
        .unwrap()["student_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn explain_traces_every_program_with_citations() {
    let id = unpaid_student();
    let r = run_expect(
        0,
        &[
            "-q",
            "explain",
            &id,
            "--data",
            &p(sample_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stdout.contains(&id));
    assert!(r.stdout.contains("ENTITLED living-subsidy: 500.00"), "{}", r.stdout);
    assert!(r.stdout.contains("cited:"), "{}", r.stdout);
    assert!(r.stdout.contains("not entitled senior-grant"), "{}", r.stdout);
    let j = run_expect(
        0,
        &[
            "--json",
            "-q",
            "explain",
            &id,
            "--data",
            &p(sample_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    )
    .json();
    let ex = &j.as_array().unwrap()[0];
    assert_eq!(ex["student"], id.as_str());
    assert!(
        ex["entitled"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["program"] == "living-subsidy" && e["amount"] == "500")
    );
}

#[test]
fn explain_an_unknown_student_exits_2_but_explains_the_others() {
    let id = unpaid_student();
    let r = run_expect(
        2,
        &[
            "-q",
            "explain",
            "NOBODY-1",
            &id,
            "--data",
            &p(sample_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("unknown student NOBODY-1"), "{}", r.stderr);
    assert!(r.stdout.contains(&id));
}

#[test]
fn why_not_gives_the_first_failed_condition_with_its_citation() {
    let dir = sample_dir();
    let students = read_csv(&dir.join("students.csv"));
    let schools = read_csv(&dir.join("schools.csv"));
    let urban: Vec<&String> = schools
        .iter()
        .filter(|s| s["locality"] == "urban")
        .map(|s| &s["id"])
        .collect();
    let pupil = students
        .iter()
        .find(|s| s["stage"] == "primary" && urban.contains(&&s["school_id"]) && s["status"] == "enrolled")
        .unwrap();
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "why-not",
            &pupil["id"],
            "nutrition",
            "senior-grant",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    let a = r.json();
    let nutrition = &a.as_array().unwrap()[0];
    assert_eq!(nutrition["entitled"], false);
    assert!(nutrition["reason"].as_str().unwrap().contains("urban"), "{nutrition}");
    assert!(!nutrition["citations"].as_array().unwrap().is_empty());
    let senior = &a.as_array().unwrap()[1];
    assert_eq!(senior["entitled"], false);
    // The human form.
    let r = run_expect(
        0,
        &[
            "-q",
            "why-not",
            &pupil["id"],
            "nutrition",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stdout.contains("is not entitled to nutrition"), "{}", r.stdout);
    assert!(r.stdout.contains("cited:"), "{}", r.stdout);
}

#[test]
fn why_not_an_entitled_student_says_so() {
    let id = unpaid_student();
    let r = run_expect(
        0,
        &[
            "-q",
            "why-not",
            &id,
            "living-subsidy",
            "--data",
            &p(sample_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(
        r.stdout.contains("is entitled to living-subsidy: 500.00"),
        "{}",
        r.stdout
    );
}

#[test]
fn why_not_an_unknown_program_or_student_exits_2() {
    let r = run_expect(
        2,
        &[
            "why-not",
            "X1",
            "free-lunch",
            "--data",
            &p(small_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("unknown program free-lunch"), "{}", r.stderr);
    let r = run_expect(
        2,
        &[
            "why-not",
            "X1",
            "nutrition",
            "--data",
            &p(small_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("unknown student X1"), "{}", r.stderr);
}

#[test]
fn names_are_masked_and_escaped_and_ids_masked_on_the_terminal() {
    let id = unpaid_student();
    let dir = copy_dir(sample_dir());
    let students = dir.path().join("students.csv");
    let text = std::fs::read_to_string(&students).unwrap();
    let line = text.lines().position(|l| l.starts_with(&format!("{id},"))).unwrap() + 1;
    set_cell(&students, line, "name", "谢宸玥\u{1b}[2J\u{1b}]0;pwned\u{7}");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = extra.iter().map(|s| (*s).to_string()).collect();
        v.extend(
            ["-q", "explain", &id, "--data", &p(dir.path()), "--term", "2017-spring"]
                .iter()
                .map(|s| (*s).to_string()),
        );
        v
    };
    let r = run_expect(0, &args(&[]));
    assert!(
        !r.stdout.contains('\u{1b}') && !r.stdout.contains('\u{7}'),
        "{:?}",
        r.stdout
    );
    let masked = format!(
        "谢{}",
        "*".repeat("谢宸玥\u{1b}[2J\u{1b}]0;pwned\u{7}".chars().count() - 1)
    );
    assert!(r.stdout.contains(&format!("{id} {masked} — ")), "{}", r.stdout);
    assert!(!r.stdout.contains("宸玥"), "{}", r.stdout);
    let r = run_expect(0, &args(&["--show-names"]));
    assert!(!r.stdout.contains('\u{1b}'), "{:?}", r.stdout);
    assert!(
        r.stdout.contains("谢宸玥\\u{1b}[2J\\u{1b}]0;pwned\\u{7}"),
        "{}",
        r.stdout
    );
    let j = run_expect(0, &args(&["--json"])).json();
    assert_eq!(j[0]["name"], masked.as_str());
    // An identity number in an error is masked.
    let r = run(&[
        "-q",
        "explain",
        "G430102200801011234",
        "--data",
        &p(sample_dir()),
        "--policy",
        "hunan-county-2016",
        "--term",
        "2017-spring",
    ]);
    assert!(r.stderr.contains("G430102********1234"), "{}", r.stderr);
    assert!(!r.stderr.contains("200801011234"), "{}", r.stderr);
}

#[test]
fn why_not_takes_a_chinese_program_name_and_answers_in_chinese() {
    let dir = small_dir();
    let students = read_csv(&dir.join("students.csv"));
    let senior = students
        .iter()
        .find(|s| s.get("stage").is_some_and(|x| x == "senior"))
        .unwrap();
    let r = run_expect(
        0,
        &[
            "--lang",
            "zh",
            "why-not",
            &senior["id"],
            "寄宿生生活补助",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
        ],
    );
    assert!(
        r.stdout
            .contains("不享受 家庭经济困难寄宿生生活补助（living-subsidy）（2017年春季学期）"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("学段为普通高中"), "{}", r.stdout);
    let r = run_expect(
        2,
        &[
            "--lang",
            "zh",
            "why-not",
            "X",
            "无此项目",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("没有资助项目 无此项目"), "{}", r.stderr);
}

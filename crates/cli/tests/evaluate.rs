//! `eduaid evaluate`.

use crate::common::*;

fn program<'a>(totals: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    totals["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no program {id}"))
}

#[test]
fn the_sample_county_gives_the_contract_figures_of_spring_2017() {
    let dir = sample_dir();
    let (_d, out) = temp_path("entitlements.csv");
    let r = run_expect(
        0,
        &[
            "--json",
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&out),
        ],
    );
    let t = r.json();
    let living = program(&t, "living-subsidy");
    assert_eq!(living["total"]["persons"], 12390);
    assert_eq!(living["total"]["amount"], "6735875");
    assert_eq!(living["by_stage"]["primary"]["persons"], 8063);
    assert_eq!(living["by_stage"]["junior"]["persons"], 4327);
    let pre = program(&t, "preschool-aid");
    assert_eq!(
        (pre["total"]["persons"].clone(), pre["total"]["amount"].clone()),
        (2409.into(), "1204500".into())
    );
    let senior = program(&t, "senior-grant");
    assert_eq!(
        (senior["total"]["persons"].clone(), senior["total"]["amount"].clone()),
        (5061.into(), "5068000".into())
    );
    let voc = program(&t, "vocational-grant");
    assert_eq!(
        (voc["total"]["persons"].clone(), voc["total"]["amount"].clone()),
        (599.into(), "599000".into())
    );
    assert_eq!(program(&t, "nutrition")["total"]["amount"], "4723400");

    // The per-student file agrees with the totals, and the by-program and
    // by-stage sheets go beside it.
    let rows = read_csv(&out);
    let living_rows: Vec<_> = rows.iter().filter(|r| r["program"] == "living-subsidy").collect();
    assert_eq!(living_rows.len(), 12390);
    assert!(living_rows.iter().all(|r| r["term"] == "2017-spring"));
    let sum: u64 = living_rows
        .iter()
        .map(|r| r["amount"].trim_end_matches(".00").parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, 6_735_875);
    assert!(out.with_file_name("entitlements-totals.csv").is_file());
    assert!(out.with_file_name("entitlements-by_stage.csv").is_file());
    // The tables are printed without --json, in yuan and 万元.
    let human = run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017年春季学期",
        ],
    );
    assert!(human.stdout.contains("673.5875"), "{}", human.stdout);
    assert!(human.stdout.contains("6735875.00"));
}

#[test]
fn rain_and_dew_counts_person_terms_over_two_terms() {
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "evaluate",
            "--data",
            &p(sample_dir()),
            "--term",
            "2016-autumn",
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    let rd = program(&r.json(), "rain-and-dew").clone();
    assert_eq!(rd["total"]["persons"], 478);
    assert_eq!(rd["total"]["person_terms"], 956);
    assert_eq!(rd["total"]["amount"], (478 * 2500).to_string());
}

#[test]
fn a_county_overlay_changes_the_amounts_and_a_broken_chain_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let overlay = d.path().join("my-county.toml");
    std::fs::write(&overlay, COUNTY_OVERLAY).unwrap();
    let dir = sample_dir();
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--policy",
            "national",
            "--policy",
            "hunan-2017",
            "--policy",
            &p(&overlay),
        ],
    );
    assert_eq!(
        program(&r.json(), "preschool-aid")["total"]["amount"],
        (2409 * 400).to_string()
    );
    // national alone: no county exception, so day students get no living subsidy.
    let n = run_expect(
        0,
        &[
            "--json",
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--policy",
            "national",
        ],
    );
    assert_ne!(program(&n.json(), "living-subsidy")["total"]["amount"], "6735875");
    // An overlay on top of a layer it is not based on.
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--policy",
            &p(&overlay),
            "--policy",
            "national",
        ],
    );
    assert!(r.stderr.contains("is not under national"), "{}", r.stderr);
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--policy",
            "atlantis",
        ],
    );
    assert!(r.stderr.contains("unknown policy atlantis"), "{}", r.stderr);
}

#[test]
fn bad_rows_are_reported_with_file_line_and_column_and_the_run_goes_on() {
    let d = copy_dir(small_dir());
    let students = d.path().join("students.csv");
    set_cell(&students, 6, "birth_date", "2008-02-30");
    set_cell(&students, 10, "grade", "9");
    let (_o, out) = temp_path("ent.json");
    let r = run_expect(
        2,
        &[
            "--json",
            "evaluate",
            "--data",
            &p(d.path()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&out),
        ],
    );
    assert!(r.stderr.contains("students.csv:6: column birth_date"), "{}", r.stderr);
    assert!(r.stderr.contains("impossible date 2008-02-30"), "{}", r.stderr);
    assert!(r.stderr.contains("students.csv:10: column grade"), "{}", r.stderr);
    assert!(r.stderr.contains("rejected 2"), "{}", r.stderr);
    assert_eq!(r.json()["students"], 1998);
    // The output is written all the same.
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(!written["entitlements"].as_array().unwrap().is_empty());
    assert!(written["totals"].is_array());
}

#[test]
fn missing_and_unreadable_inputs_exit_2_naming_the_file() {
    let small = small_dir();
    let r = run_expect(
        2,
        &["evaluate", "--data", "/nonexistent/eduaid", "--term", "2017-spring"],
    );
    assert!(r.stderr.contains("/nonexistent/eduaid"));
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--schools",
            &p(&small.join("schools.csv")),
            "--students",
            "/nonexistent/s.csv",
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("/nonexistent/s.csv"), "{}", r.stderr);
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--students",
            &p(&small.join("students.csv")),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains("no schools file"), "{}", r.stderr);
    // A students file without a required column.
    let d = copy_dir(small);
    let text = std::fs::read_to_string(d.path().join("students.csv")).unwrap();
    std::fs::write(
        d.path().join("students.csv"),
        text.replacen("id,name,sex,", "id,name,gender,", 1),
    )
    .unwrap();
    let r = run_expect(2, &["evaluate", "--data", &p(d.path()), "--term", "2017-spring"]);
    assert!(
        r.stderr.contains("students.csv:1: missing required column sex"),
        "{}",
        r.stderr
    );
    // An output format the command cannot write, refused before any work.
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--data",
            &p(small),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            "x.pdf",
        ],
    );
    assert!(r.stderr.contains("x.pdf"), "{}", r.stderr);
    // A legacy workbook.
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--schools",
            &p(&small.join("schools.csv")),
            "--students",
            "old.xls",
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(r.stderr.contains(".xls"), "{}", r.stderr);
}

#[test]
fn quiet_runs_print_nothing_on_stderr() {
    let r = run_expect(
        0,
        &["-q", "evaluate", "--data", &p(small_dir()), "--term", "2017-spring"],
    );
    // Quiet leaves only warnings (missing data the amounts need): no load
    // summary, no policy line, no progress.
    assert!(r.stderr.lines().all(|l| l.starts_with("warning: ")), "{}", r.stderr);
    // In Chinese with the Chinese colon.
    let r = run_expect(
        0,
        &[
            "-q",
            "--lang",
            "zh",
            "evaluate",
            "--data",
            &p(small_dir()),
            "--term",
            "2017-spring",
        ],
    );
    assert!(!r.stderr.is_empty());
    assert!(r.stderr.lines().all(|l| l.starts_with("警告：")), "{}", r.stderr);
    let r = run_expect(0, &["evaluate", "--data", &p(small_dir()), "--term", "2017-spring"]);
    assert!(
        r.stderr.contains("students.csv (students): read 2000 rows"),
        "{}",
        r.stderr
    );
    // No progress bar when stderr is not a terminal (a long run writes a
    // plain line every few seconds instead).
    assert!(!r.stderr.contains('\r') && !r.stderr.contains("[="), "{}", r.stderr);
}

#[test]
fn out_naming_an_input_is_refused_before_any_work() {
    let d = copy_dir(sample_dir());
    let students = d.path().join("students.csv");
    let before = std::fs::read(&students).unwrap();
    let base = ["evaluate", "--data", &p(d.path()), "--term", "2017-spring", "--out"];
    // The file itself, by another spelling, and a hard link to it.
    let link = d.path().join("link.csv");
    std::fs::hard_link(&students, &link).unwrap();
    let dotted = d.path().join(".").join("students.csv");
    for out in [&students, &dotted] {
        let r = run(&[&base[..], &[&p(out)]].concat());
        assert_refused_before_work(&r, &students, &before);
    }
    let r = run(&[
        "evaluate",
        "--data",
        &p(d.path()),
        "--students",
        &p(&link),
        "--policy",
        "hunan-county-2016",
        "--term",
        "2017-spring",
        "--out",
        &p(&students),
    ]);
    assert_refused_before_work(&r, &students, &before);
    // A sibling file the CSV output would write: x-totals.csv.
    let sibling = d.path().join("x-totals.csv");
    std::fs::copy(&students, &sibling).unwrap();
    let r = run(&[
        "evaluate",
        "--data",
        &p(d.path()),
        "--students",
        &p(&sibling),
        "--policy",
        "hunan-county-2016",
        "--term",
        "2017-spring",
        "--out",
        &p(&d.path().join("x.csv")),
    ]);
    assert_refused_before_work(&r, &sibling, &before);
    assert!(!d.path().join("x.csv").exists());
}

#[test]
fn an_unwritable_out_folder_is_an_error_before_any_work() {
    let dir = sample_dir();
    // A "folder" that is a file: nothing can be created in it.
    let (_d, file) = temp_path("plain");
    std::fs::write(&file, "x").unwrap();
    let r = run_expect(
        2,
        &[
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&file.join("out.csv")),
        ],
    );
    assert!(r.stderr.contains("plain"), "{}", r.stderr);
    assert!(!r.stderr.contains("accepted"), "inputs were read first: {}", r.stderr);
}

#[test]
fn csv_out_neutralises_formulas_in_names_and_keeps_amounts_numbers() {
    let d = copy_dir(sample_dir());
    let students = d.path().join("students.csv");
    for line in 2..=40 {
        set_cell(&students, line, "name", "=1+2");
    }
    let out = d.path().join("out").join("ent.csv");
    let r = run_expect(
        0,
        &[
            "evaluate",
            "--data",
            &p(d.path()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&out),
        ],
    );
    // The sibling files are named after writing.
    for f in ["ent.csv", "ent-totals.csv", "ent-by_stage.csv"] {
        assert!(r.stderr.contains(f), "{f} not named: {}", r.stderr);
        assert!(out.with_file_name(f).exists());
    }
    let rows = read_csv(&out);
    assert!(rows.iter().any(|r| r["name"] == "'=1+2"), "no neutralised name");
    assert!(rows.iter().all(|r| r["name"] != "=1+2"));
    for r in &rows {
        let a = &r["amount"];
        assert!(a.parse::<f64>().is_ok() && !a.starts_with('\''), "amount {a:?}");
    }
}

#[test]
fn xlsx_and_json_out_hold_every_row_streamed() {
    let dir = small_dir();
    let (_c, csv) = temp_path("e.csv");
    run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&csv),
        ],
    );
    let n = read_csv(&csv).len();
    assert!(n > 1000, "{n}");
    let (_j, json) = temp_path("e.json");
    run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&json),
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["entitlements"].as_array().unwrap().len(), n);
    assert!(v["totals"].as_array().unwrap().len() > 1);
    assert!(!v["by_stage"].as_array().unwrap().is_empty());
    let (_x, xlsx) = temp_path("e.xlsx");
    run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
            "--out",
            &p(&xlsx),
        ],
    );
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    // The about sheet names the policy layers applied.
    assert_eq!(wb.sheet_names(), ["entitlements", "totals", "by_stage", "about"]);
    let about = wb.worksheet_range("about").unwrap();
    assert!(
        about.rows().any(|r| r
            .iter()
            .any(|c| matches!(c, calamine::Data::String(s) if s == "national ← hunan ← hunan-county-2016"))),
        "{about:?}"
    );
    // A title above the header, the rows, and a totals row per kind of
    // benefit below them (values, not formulas).
    let list = wb.worksheet_range("entitlements").unwrap();
    let first = |r: usize| list.get((r, 0)).map(ToString::to_string).unwrap_or_default();
    assert!(first(0).starts_with("Student aid entitlements"), "{}", first(0));
    assert_eq!(first(1), "student_id");
    let totals: Vec<String> = (n + 2..list.height()).map(first).collect();
    assert!(
        !totals.is_empty() && totals.iter().all(|t| t.starts_with("total")),
        "{totals:?}"
    );
    assert!(
        wb.worksheet_formula("entitlements")
            .unwrap()
            .used_cells()
            .all(|(_, _, f)| f.is_empty())
    );
}

/// A students file with the columns a bank payment file needs, made from
/// the first `rows` students of the small county.
fn students_with_bank_columns(dir: &std::path::Path, rows: usize) -> std::path::PathBuf {
    let text = std::fs::read_to_string(small_dir().join("students.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().take(rows + 1).enumerate() {
        out.push_str(line);
        out.push_str(&match i {
            0 => ",身份证号码,一卡通账号,联系电话\n".to_string(),
            // Every row the same numbers; the last rows' account is not a
            // bank account (warned, left out).
            _ if i + 3 > rows => ",11010519491231002X,12AB,13812345678\n".to_string(),
            _ => ",11010519491231002X,6217 0012 3456 7890 123,13812345678\n".to_string(),
        });
    }
    let path = dir.join("students.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn the_entitlement_list_carries_bank_columns_masked_unless_full_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let d = tempfile::tempdir().unwrap();
    let students = students_with_bank_columns(d.path(), 40);
    let out = d.path().join("名单.xlsx");
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = [
            "evaluate",
            "--lang",
            "zh",
            "--schools",
            &p(&small_dir().join("schools.csv")),
            "--students",
            &p(&students),
            "--households",
            &p(&small_dir().join("households.csv")),
            "--term",
            "2017-spring",
            "--out",
            &p(&out),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        a.extend(extra.iter().map(ToString::to_string));
        a
    };
    let r = run_expect(0, &args(&[]));
    assert!(r.stderr.contains("--full-numbers"), "{}", r.stderr);
    let read = |wb: &mut Xlsx<_>| {
        let list = wb.worksheet_range("应助名单").unwrap();
        let header: Vec<String> = list.rows().nth(1).unwrap().iter().map(ToString::to_string).collect();
        let col = |h: &str| {
            header
                .iter()
                .position(|x| x == h)
                .unwrap_or_else(|| panic!("{h}: {header:?}"))
        };
        let (id, card, account, phone, amount) = (
            col("学籍号"),
            col("身份证号"),
            col("银行卡号"),
            col("联系电话"),
            col("金额（元）"),
        );
        let row = list.rows().nth(2).unwrap().to_vec();
        let _ = id;
        (
            row[card].clone(),
            row[account].clone(),
            row[phone].clone(),
            row[amount].clone(),
        )
    };
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let (card, account, phone, amount) = read(&mut wb);
    assert_eq!(card, Data::String("110105********002X".into()));
    assert_eq!(account, Data::String("6217***********0123".into()));
    assert_eq!(phone, Data::String("138****5678".into()));
    assert!(matches!(amount, Data::Float(_)), "amounts are number cells: {amount:?}");
    assert!(r.stderr.contains("银行卡号不正确"), "{}", r.stderr);
    // The totals sheet: yuan and 万元 as numbers.
    let totals = wb.worksheet_range("汇总").unwrap();
    assert!(
        totals
            .rows()
            .skip(2)
            .all(|r| matches!(r[5], Data::Float(_)) && matches!(r[6], Data::Float(_))),
        "{totals:?}"
    );

    let r = run_expect(0, &args(&["--full-numbers"]));
    assert!(r.stderr.contains("完整"), "{}", r.stderr);
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let (card, account, phone, ..) = read(&mut wb);
    assert_eq!(card, Data::String("11010519491231002X".into()));
    assert_eq!(
        account,
        Data::String("6217001234567890123".into()),
        "digits only, as text"
    );
    assert_eq!(phone, Data::String("13812345678".into()));

    // The list, with its title, totals rows and bank columns, is read back.
    let disb = d.path().join("disbursements.csv");
    std::fs::write(&disb, "id,student_id,program,term,amount,paid_on,channel\n").unwrap();
    let r = run(&[
        "reconcile",
        "--lang",
        "zh",
        "--entitlements",
        &p(&out),
        "--disbursements",
        &p(&disb),
    ]);
    assert!(!r.stderr.contains("已拒绝"), "{}", r.stderr);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
}

#[test]
fn data_in_an_error_line_reaches_the_terminal_escaped() {
    // A rejected row's value goes to stderr: the escape sequence a crafted
    // cell holds is shown as text, never sent to the terminal.
    let d = copy_dir(small_dir());
    let students = d.path().join("students.csv");
    set_cell(&students, 2, "school_id", "S\u{1b}[2J\u{1b}]0;pwned\u{7}");
    let r = run(&["evaluate", "--data", &p(d.path()), "--term", "2017-spring"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{7}'),
        "{:?}",
        r.stderr
    );
    assert!(r.stderr.contains("\\u{1b}[2J"), "{}", r.stderr);
}

#[test]
fn the_default_policy_is_national_and_every_run_names_its_layers() {
    let r = run_expect(
        0,
        &[
            "--json",
            "evaluate",
            "--data",
            &p(sample_dir()),
            "--term",
            "2017-spring",
        ],
    );
    assert!(
        r.stderr.contains("policy: national (") && r.stderr.contains("the default"),
        "{}",
        r.stderr
    );
    let r = run_expect(
        0,
        &[
            "--lang",
            "zh",
            "--json",
            "evaluate",
            "--data",
            &p(sample_dir()),
            "--policy",
            "hunan-county-2016",
            "--term",
            "2017-spring",
        ],
    );
    assert!(
        r.stderr.contains("政策：national ← hunan ← hunan-county-2016（"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_gap_in_a_parameters_dates_is_refused_before_the_files_are_read() {
    let d = tempfile::tempdir().unwrap();
    let overlay = d.path().join("gap.toml");
    std::fs::write(
        &overlay,
        r#"[policy]
id = "gap-county"
title = "某县交通补助"
base = "hunan-county-2016"

[documents.my-2017-1]
title = "某县关于交通补助的通知"
issuer = "某县财政局 教育局"
number = "某财教〔2017〕1号"
date = 2017-08-01
certainty = "B"

[programs.county-transport]
name = "交通补助"
english = "transport subsidy"
benefit = "cash"
cite = { doc = "my-2017-1" }

[[programs.county-transport.rules]]
id = "rural-boarders"
label = "农村寄宿生"
when = { boarder = true, locality = "rural" }
amount = { per_term = "county-transport.per-term" }
cite = { doc = "my-2017-1", clause = "第三条" }

[parameters."county-transport.per-term"]
description = "交通补助 per term"
unit = "yuan_per_term"
values = [
  { from = "2015-autumn", until = "2016-autumn", value = 100, cite = { doc = "my-2017-1" } },
  { from = "2017-autumn", value = 150, cite = { doc = "my-2017-1" } },
]
"#,
    )
    .unwrap();
    let dir = sample_dir();
    let args = |term: &'static str, lang: &'static str| {
        vec![
            "--lang".to_string(),
            lang.to_string(),
            "evaluate".to_string(),
            "--data".to_string(),
            p(dir),
            "--term".to_string(),
            term.to_string(),
            "--policy".to_string(),
            "hunan-county-2016".to_string(),
            "--policy".to_string(),
            p(&overlay),
        ]
    };
    let r = run_expect(2, &args("2017-spring", "en"));
    assert!(
        r.stderr.contains(
            "program county-transport, rule rural-boarders, term 2017-spring: no value of county-transport.per-term is in force on 2017-03-01"
        ),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("students.csv"),
        "refused before the files are read: {}",
        r.stderr
    );
    let r = run_expect(2, &args("2017-spring", "zh"));
    assert!(r.stderr.contains("该参数的日期有断档"), "{}", r.stderr);
    // The terms on either side of the gap run.
    run_expect(0, &args("2017-autumn", "en"));
}

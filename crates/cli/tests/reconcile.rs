//! `eduaid reconcile`.

use std::collections::BTreeSet;

use crate::common::*;

/// The planted faults as (kind, student) pairs in the reconciliation's words.
fn planted() -> BTreeSet<(String, String)> {
    let faults: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample_dir().join("planted_faults.json")).unwrap()).unwrap();
    faults
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let kind = match f["kind"].as_str().unwrap() {
                "duplicate_payment" => "duplicate",
                k => k,
            };
            (kind.to_string(), f["student_id"].as_str().unwrap().to_string())
        })
        .collect()
}

fn found(j: &serde_json::Value) -> BTreeSet<(String, String)> {
    j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["student"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn reconciling_the_sample_finds_exactly_the_planted_faults() {
    let dir = sample_dir();
    let (_d, out) = temp_path("findings.xlsx");
    let r = run_expect(
        1,
        &[
            "--json",
            "-q",
            "reconcile",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--out",
            &p(&out),
        ],
    );
    let j = r.json();
    assert_eq!(found(&j), planted());
    assert_eq!(
        j["matched"]["records"].as_u64().unwrap() + 2,
        j["records"].as_u64().unwrap()
    );
    let xlsx = std::fs::read(&out).unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    // The human form names each finding in Chinese and English.
    let r = run_expect(
        1,
        &["-q", "reconcile", "--data", &p(dir), "--policy", "hunan-county-2016"],
    );
    assert!(r.stdout.contains("应补未补"), "{}", r.stdout);
    assert!(r.stdout.contains("重复发放"));
    assert!(r.stdout.contains("离校后发放"));
}

#[test]
fn reconciling_from_an_entitlements_file_finds_the_same() {
    let dir = sample_dir();
    let (_d, ent) = temp_path("ent.csv");
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
            "2016-autumn",
            "--term",
            "2017-spring",
            "--out",
            &p(&ent),
        ],
    );
    let (_o, out) = temp_path("findings.csv");
    let r = run_expect(
        1,
        &[
            "--json",
            "-q",
            "reconcile",
            "--entitlements",
            &p(&ent),
            "--disbursements",
            &p(&dir.join("disbursements.csv")),
            "--out",
            &p(&out),
        ],
    );
    assert_eq!(found(&r.json()), planted());
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 1 + 3, "{text}");
    assert!(text.contains("action_taken"), "a column for the clerk: {text}");
}

/// Disbursements paying exactly the cash entitlements of a small county.
fn pay_everything(dir: &std::path::Path) -> (tempfile::TempDir, Vec<String>) {
    let (d, ent) = temp_path("ent.csv");
    run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--out",
            &p(&ent),
        ],
    );
    let mut lines = vec!["id,student_id,program,term,amount,paid_on,channel".to_string()];
    for (i, r) in read_csv(&ent).iter().filter(|r| r["benefit"] == "cash").enumerate() {
        lines.push(format!(
            "P{i:05},{},{},2017-spring,{},2017-04-01,bank_card",
            r["student_id"], r["program"], r["amount"]
        ));
    }
    (d, lines)
}

#[test]
fn full_payment_is_clean_and_each_fault_is_found() {
    let dir = small_dir();
    let (d, lines) = pay_everything(dir);
    assert!(lines.len() > 10, "the small county has cash aid");
    let disb = d.path().join("disbursements.csv");
    std::fs::write(&disb, lines.join("\n")).unwrap();
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "reconcile",
            "--data",
            &p(dir),
            "--disbursements",
            &p(&disb),
        ],
    );
    assert!(r.json()["findings"].as_array().unwrap().is_empty());

    // One payment left out, one paid twice, one paid a wrong amount, one to
    // a student who does not exist.
    let mut broken = lines;
    let dropped = broken.remove(1);
    let dropped_student = dropped.split(',').nth(1).unwrap().to_string();
    let twice = broken[1].replacen('P', "Q", 1);
    broken.push(twice);
    let mut wrong: Vec<String> = broken[2].split(',').map(str::to_string).collect();
    wrong[4] = "1.23".into();
    broken[2] = wrong.join(",");
    broken.push("Z00001,NOBODY,living-subsidy,2017-spring,500,2017-04-01,bank_card".into());
    std::fs::write(&disb, broken.join("\n")).unwrap();
    let r = run_expect(
        1,
        &[
            "--json",
            "-q",
            "reconcile",
            "--data",
            &p(dir),
            "--disbursements",
            &p(&disb),
        ],
    );
    let kinds: Vec<(String, String)> = found(&r.json()).into_iter().collect();
    assert!(kinds.contains(&("unpaid".into(), dropped_student)), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.0 == "duplicate"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k.0 == "wrong_amount"), "{kinds:?}");
    assert!(
        kinds.contains(&("unknown_student".into(), "NOBODY".into())),
        "{kinds:?}"
    );
}

#[test]
fn a_bad_payment_row_is_reported_and_the_rest_reconciled() {
    let dir = small_dir();
    let (d, mut lines) = pay_everything(dir);
    let mut bad: Vec<String> = lines[3].split(',').map(str::to_string).collect();
    bad[4] = "-500".into();
    lines[3] = bad.join(",");
    let disb = d.path().join("disbursements.csv");
    std::fs::write(&disb, lines.join("\n")).unwrap();
    let r = run_expect(
        2,
        &["--json", "reconcile", "--data", &p(dir), "--disbursements", &p(&disb)],
    );
    assert!(r.stderr.contains("disbursements.csv:4"), "{}", r.stderr);
    // The rejected payment leaves its entitlement unpaid.
    let j = r.json();
    assert_eq!(j["findings"].as_array().unwrap().len(), 1);
    assert_eq!(j["findings"][0]["kind"], "unpaid");
}

#[test]
fn reconcile_needs_payments_and_something_to_compare_them_with() {
    let r = run_expect(2, &["reconcile", "--schools", "s.csv", "--students", "t.csv"]);
    assert!(r.stderr.contains("no disbursements file"), "{}", r.stderr);
    let r = run_expect(
        2,
        &[
            "reconcile",
            "--disbursements",
            &p(&sample_dir().join("disbursements.csv")),
        ],
    );
    assert!(r.stderr.contains("--entitlements"), "{}", r.stderr);
    // A broken entitlements file: a bad amount is a reported row.
    let (d, ent) = temp_path("ent.csv");
    std::fs::write(
        &ent,
        "student_id,program,term,amount\nS1,living-subsidy,2017-spring,abc\nS2,living-subsidy,2017-spring,500\n",
    )
    .unwrap();
    let disb = d.path().join("d.csv");
    std::fs::write(&disb, "id,student_id,program,term,amount,paid_on,channel\nP1,S2,living-subsidy,2017-spring,500,2017-04-01,bank_card\n").unwrap();
    let r = run_expect(
        2,
        &[
            "--json",
            "reconcile",
            "--entitlements",
            &p(&ent),
            "--disbursements",
            &p(&disb),
        ],
    );
    assert!(r.stderr.contains("ent.csv:2: column amount"), "{}", r.stderr);
    assert_eq!(r.json()["matched"]["records"], 1);
}

#[test]
fn a_chinese_workbook_of_entitlements_is_read_back() {
    let dir = small_dir();
    let (d, lines) = pay_everything(dir);
    let disb = d.path().join("disbursements.csv");
    std::fs::write(&disb, lines.join("\n")).unwrap();
    let ent = d.path().join("应助名单.xlsx");
    run_expect(
        0,
        &[
            "-q",
            "--lang",
            "zh",
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--out",
            &p(&ent),
        ],
    );
    let out = d.path().join("核对.xlsx");
    let r = run_expect(
        0,
        &[
            "--json",
            "-q",
            "reconcile",
            "--entitlements",
            &p(&ent),
            "--disbursements",
            &p(&disb),
            "--out",
            &p(&out),
        ],
    );
    let j = r.json();
    assert!(j["findings"].as_array().unwrap().is_empty(), "{j}");
    assert_eq!(j["matched"]["records"].as_u64().unwrap() + 1, lines.len() as u64);
    assert!(out.is_file());
}

#[test]
fn out_naming_the_disbursements_is_refused_before_any_work() {
    let d = copy_dir(sample_dir());
    let disb = d.path().join("disbursements.csv");
    let before = std::fs::read(&disb).unwrap();
    let r = run(&["reconcile", "--data", &p(d.path()), "--out", &p(&disb)]);
    assert_refused_before_work(&r, &disb, &before);
}

#[test]
fn an_entitlements_file_with_a_negative_amount_or_bad_bytes_is_refused() {
    let dir = sample_dir();
    let (d, ent) = temp_path("ent.csv");
    run_expect(
        0,
        &[
            "-q",
            "evaluate",
            "--data",
            &p(dir),
            "--term",
            "2017-spring",
            "--out",
            &p(&ent),
        ],
    );
    let disb = p(&dir.join("disbursements.csv"));
    let mut text = std::fs::read_to_string(&ent).unwrap();
    let first = text.lines().nth(1).unwrap().to_string();
    // The amount is the twelfth column.
    let mut bad: Vec<String> = first.split(',').map(str::to_string).collect();
    bad[11] = "-45.00".to_string();
    text = text.replacen(&first, &bad.join(","), 1);
    let neg = d.path().join("neg.csv");
    std::fs::write(&neg, &text).unwrap();
    let r = run_expect(2, &["reconcile", "--entitlements", &p(&neg), "--disbursements", &disb]);
    assert!(r.stderr.contains("neg.csv:2: column amount"), "{}", r.stderr);
    assert!(r.stderr.contains("negative"), "{}", r.stderr);
    // A stray byte: refused with its place, never read as U+FFFD.
    let mut bytes = std::fs::read(&ent).unwrap();
    let at = bytes.iter().position(|b| *b == b'\n').unwrap() + 3;
    bytes[at] = 0xFF;
    let junk = d.path().join("junk.csv");
    std::fs::write(&junk, &bytes).unwrap();
    let r = run_expect(2, &["reconcile", "--entitlements", &p(&junk), "--disbursements", &disb]);
    assert!(r.stderr.contains("junk.csv:2: column 3: invalid UTF-8"), "{}", r.stderr);
}

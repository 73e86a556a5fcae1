//! Hostile input and invariants (issue 7): every file a county might send,
//! however broken, gets a clear error or a load report that accounts for
//! every row — never a panic, never a row silently dropped or defaulted.
//!
//! - `tests/hostile/manifest.json` (and each `manifest-*.json` beside it) lists the corpus of bad inputs under
//!   `tests/hostile/`, each with the reader it goes through and exactly what
//!   must come out: the file-level error, or the counts (read, accepted,
//!   rejected, blank) with every rejected row's line, column and reason and
//!   every warning. Every corpus file must be listed.
//! - Inputs too big to commit (an enormous JSON, a million-deep nesting,
//!   limits exceeded) are made here.
//! - The fuzz targets' bodies (`fuzz/src/lib.rs`) are compiled in, every
//!   input kept under `fuzz/corpus/<target>/` is replayed through them, and
//!   proptest feeds them arbitrary bytes: CI checks what the fuzzer found
//!   on the stable toolchain, without cargo-fuzz.
//! - Property tests: structured files with planted faults load with exactly
//!   the counts planted; `Money`'s checked arithmetic is exact or `None`;
//!   disbursements summed in any order give the same totals to the fen.

// Test code: a panic here is a failed test, not a crash on input.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use eduaid_io::{
    Encoding, Error as IoError, Format, Input, LoadReport, ReadOptions, RosterFiles, StudentReader, UnknownColumns,
    WriteOptions, load_roster, read_disbursements, read_grade_counts, read_households, read_schools, read_students,
    write_disbursements,
};
use eduaid_model::{Channel, Disbursement, Money, ProgramId, StudentId, Term};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value;

#[allow(unreachable_pub, dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod targets;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    root().join("tests/hostile")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// The manifest
// ---------------------------------------------------------------------------

/// What a case produced, in the terms the manifest speaks.
#[derive(Debug)]
enum Outcome {
    /// A load: the report's counts, rejected rows and warnings.
    Load(LoadReport),
    /// A file-level error (its message).
    Error(String),
    /// A successful parse of a non-tabular input (a policy, a template).
    Ok,
    /// The checks of the text validator: (consistent, message) each.
    Checks(Vec<(bool, String)>),
}

fn options(case: &Value) -> ReadOptions {
    let mut o = ReadOptions::default();
    let Some(opts) = case.get("options") else {
        return o;
    };
    if let Some(e) = opts.get("encoding").and_then(Value::as_str) {
        o.encoding = match e {
            "utf8" => Encoding::Utf8,
            "gb18030" => Encoding::Gb18030,
            "auto" => Encoding::Auto,
            other => panic!("unknown encoding {other} in the manifest"),
        };
    }
    if let Some(f) = opts.get("format").and_then(Value::as_str) {
        o.format = Some(match f {
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" => Format::JsonLines,
            "xlsx" => Format::Xlsx,
            other => panic!("unknown format {other} in the manifest"),
        });
    }
    if let Some(n) = opts.get("max_rows").and_then(Value::as_u64) {
        o.limits.max_rows = n;
    }
    if let Some(n) = opts.get("max_bytes").and_then(Value::as_u64) {
        o.limits.max_bytes = n;
    }
    if let Some(n) = opts.get("max_record").and_then(Value::as_u64) {
        o.limits.max_record = n;
    }
    if let Some(s) = opts.get("sheet").and_then(Value::as_str) {
        o.sheet = Some(s.to_string());
    }
    if let Some(d) = opts.get("status_as_of").and_then(Value::as_str) {
        o.status_as_of = d.parse().ok();
    }
    if let Some(d) = opts.get("delimiter").and_then(Value::as_str) {
        o.delimiter = if d == "auto" { None } else { d.bytes().next() };
    }
    if opts.get("unknown_columns").and_then(Value::as_str) == Some("reject") {
        o.unknown_columns = UnknownColumns::Reject;
    }
    o
}

/// The invariants of every report, whatever the case expects.
fn check_invariants(r: &LoadReport, records: usize) -> Result<(), String> {
    if !r.balances() {
        return Err(format!("report does not balance: {r}"));
    }
    if r.errors.len() as u64 != r.rejected {
        return Err(format!("{} errors for {} rejected rows", r.errors.len(), r.rejected));
    }
    if records as u64 != r.accepted {
        return Err(format!("{records} records for {} accepted rows", r.accepted));
    }
    Ok(())
}

fn load(reader: &str, name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Outcome, String> {
    let input = Input::bytes(name, bytes);
    let outcome = match reader {
        "students" => read_students(input, opts).map(|l| (l.students.len(), l.report)),
        "schools" => read_schools(input, opts).map(|l| (l.records.len(), l.report)),
        "disbursements" => read_disbursements(input, opts).map(|l| (l.records.len(), l.report)),
        "households" => read_households(input, opts).map(|l| (l.report.accepted as usize, l.report)),
        "grade_counts" => read_grade_counts(input, opts).map(|l| (l.records.len(), l.report)),
        "students_stream" => return Ok(stream(input, opts)),
        "roster" => {
            let schools = read(&corpus().join("schools.csv"));
            let files = RosterFiles::new(Input::bytes("schools.csv", &schools), input);
            load_roster(files, opts).map(|l| (eduaid_model::Roster::student_count(&l.roster).unwrap_or(0), l.students))
        }
        other => return Err(format!("unknown reader {other}")),
    };
    match outcome {
        Ok((records, report)) => {
            check_invariants(&report, records)?;
            Ok(Outcome::Load(report))
        }
        Err(e) => Ok(Outcome::Error(e.to_string())),
    }
}

/// The streaming reader: the rows it yields rejected become the report's
/// errors, so a case reads the same as with `read_students`.
fn stream(input: Input<'_>, opts: &ReadOptions) -> Outcome {
    let mut reader = match StudentReader::open(input, opts) {
        Ok(r) => r,
        Err(e) => return Outcome::Error(e.to_string()),
    };
    let mut errors = Vec::new();
    let mut accepted = 0u64;
    for item in reader.by_ref() {
        match item {
            Ok(_) => accepted += 1,
            Err(IoError::Row(e)) => errors.push(*e),
            Err(e) => return Outcome::Error(e.to_string()),
        }
    }
    let mut report = reader.into_report();
    assert_eq!(report.accepted, accepted, "the streaming report miscounts");
    report.errors = errors;
    Outcome::Load(report)
}

fn run(case: &Value) -> Result<Outcome, String> {
    let reader = case["reader"].as_str().ok_or("no reader")?;
    let file = case["file"].as_str().ok_or("no file")?;
    let path = corpus().join(file);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or(file).to_string();
    let opts = options(case);
    match reader {
        "policy" => {
            let text = String::from_utf8_lossy(&read(&path)).into_owned();
            Ok(match eduaid_eligibility::Policy::builtin_with(&name, &text) {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e.to_string()),
            })
        }
        "policy_set" => {
            let mut set = eduaid_eligibility::PolicySet::builtin().map_err(|e| e.to_string())?;
            let mut result = Ok(());
            for f in case["files"].as_array().ok_or("policy_set needs files")? {
                let f = f.as_str().ok_or("a file name")?;
                let text = String::from_utf8_lossy(&read(&corpus().join(f))).into_owned();
                if let Err(e) = set.add_str(f, &text) {
                    result = Err(e.to_string());
                    break;
                }
            }
            let top = case["top"].as_str().ok_or("policy_set needs top")?;
            Ok(
                match result.and_then(|()| set.compose(top).map_err(|e| e.to_string())) {
                    Ok(_) => Outcome::Ok,
                    Err(e) => Outcome::Error(e),
                },
            )
        }
        "template" => {
            use eduaid_report::{Figure, ReportData, Source, Template};
            let text = String::from_utf8_lossy(&read(&path)).into_owned();
            let mut data = ReportData::new();
            data.var("county", "示范县").map_err(|e| e.to_string())?;
            let f = Figure::count(
                "preschool_aided",
                "学前资助人数",
                2409,
                "人",
                Source::program("preschool-aid"),
            );
            data.figure(f).map_err(|e| e.to_string())?;
            data.figure(Figure::money(
                "preschool_amount",
                "学前资助资金",
                Money::yuan(1_204_500),
                Source::program("preschool-aid"),
            ))
            .map_err(|e| e.to_string())?;
            Ok(match Template::new(name.as_str(), text).render(&data) {
                Ok(_) => Outcome::Ok,
                Err(e) => Outcome::Error(e.to_string()),
            })
        }
        "validate_text" => {
            let text = String::from_utf8_lossy(&read(&path)).into_owned();
            let v = eduaid_report::validate_text(&text);
            Ok(Outcome::Checks(
                v.checks.into_iter().map(|c| (c.consistent, c.message)).collect(),
            ))
        }
        _ => load(reader, &name, &read(&path), &opts),
    }
}

/// Compare an outcome with the case's `expect`; `Err` says how they differ.
fn compare(outcome: &Outcome, expect: &Value) -> Result<(), String> {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match outcome {
        Outcome::Error(msg) => match text(expect, "error") {
            Some(want) if msg.contains(&want) => Ok(()),
            Some(want) => Err(format!("error {msg:?} does not contain {want:?}")),
            None => Err(format!("unexpected error: {msg}")),
        },
        Outcome::Ok => match expect.get("ok").and_then(Value::as_bool) {
            Some(true) => Ok(()),
            _ => Err("parsed without error, but an error was expected".into()),
        },
        Outcome::Checks(checks) => {
            let findings: Vec<&String> = checks.iter().filter(|(ok, _)| !ok).map(|(_, m)| m).collect();
            let want_checks = expect["checks"].as_u64().ok_or("expect.checks missing")?;
            let want_findings = expect["findings"].as_array().ok_or("expect.findings missing")?;
            if checks.len() as u64 != want_checks || findings.len() != want_findings.len() {
                return Err(format!("{} checks, findings {findings:?}", checks.len()));
            }
            for (got, want) in findings.iter().zip(want_findings) {
                let want = want.as_str().ok_or("a finding is a string")?;
                if !got.contains(want) {
                    return Err(format!("finding {got:?} does not contain {want:?}"));
                }
            }
            Ok(())
        }
        Outcome::Load(r) => {
            if let Some(e) = text(expect, "error") {
                return Err(format!("expected error {e:?}, got a load: {r}"));
            }
            let counts = (r.read, r.accepted, r.rejected, r.blank);
            let want = |k: &str| {
                expect
                    .get(k)
                    .and_then(Value::as_u64)
                    .ok_or(format!("expect.{k} missing"))
            };
            let want_counts = (want("read")?, want("accepted")?, want("rejected")?, want("blank")?);
            if counts != want_counts {
                return Err(format!(
                    "counts (read, accepted, rejected, blank) {counts:?}, want {want_counts:?}\n{r}"
                ));
            }
            let rows = expect
                .get("rows")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if rows.len() != r.errors.len() {
                return Err(format!(
                    "{} rejected rows listed, {} rejected\n{r}",
                    rows.len(),
                    r.errors.len()
                ));
            }
            for (got, want) in r.errors.iter().zip(&rows) {
                let line = want["line"].as_u64().ok_or("a row needs a line")?;
                let reason = text(want, "reason").ok_or("a row needs a reason")?;
                let column_ok = text(want, "column").is_none_or(|c| got.column.as_deref() == Some(c.as_str()));
                let key_ok = text(want, "key").is_none_or(|k| got.key.as_deref() == Some(k.as_str()));
                if got.line != line || !got.reason.contains(&reason) || !column_ok || !key_ok {
                    return Err(format!("rejected row {got} does not match {want}"));
                }
            }
            let warnings = expect
                .get("warnings")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if warnings.len() != r.warnings.len() {
                return Err(format!(
                    "{} warnings listed, {} given\n{r}",
                    warnings.len(),
                    r.warnings.len()
                ));
            }
            for (got, want) in r.warnings.iter().zip(&warnings) {
                let want = want.as_str().ok_or("a warning is a string")?;
                if !got.to_string().contains(want) {
                    return Err(format!("warning {got} does not contain {want:?}"));
                }
            }
            Ok(())
        }
    }
}

/// The cases of `manifest.json` and of every `manifest-*.json` beside it
/// (one per class of fault, so that each class's cases live together).
fn manifest() -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap_or_else(|e| panic!("{}: {e}", corpus().display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name == "manifest.json" || (name.starts_with("manifest-") && name.ends_with(".json"))
        })
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in &files {
        let text = String::from_utf8(read(f)).unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        cases.extend(v.as_array().cloned().unwrap_or_default());
    }
    cases
}

/// Show what a case produces (for writing the manifest):
/// `HOSTILE_SHOW=1 cargo test --test tests hostile -- --nocapture`.
fn show(case: &Value, outcome: &Outcome) {
    let mut s = format!("== {} ({})\n", case["file"], case["reader"]);
    match outcome {
        Outcome::Load(r) => {
            let _ = writeln!(s, "{r}");
            for e in &r.errors {
                let _ = writeln!(s, "  row line={} column={:?} key={:?}", e.line, e.column, e.key);
            }
        }
        other => {
            let _ = writeln!(s, "{other:?}");
        }
    }
    eprint!("{s}");
}

#[test]
fn every_bad_input_gets_its_exact_error() {
    let cases = manifest();
    assert!(cases.len() >= 50, "the corpus has shrunk to {} cases", cases.len());
    let verbose = std::env::var_os("HOSTILE_SHOW").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = match run(case) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e}", case["file"]));
                continue;
            }
        };
        if verbose {
            show(case, &outcome);
        }
        if let Err(e) = compare(&outcome, &case["expect"]) {
            failures.push(format!("{} ({}): {e}", case["file"], case["reader"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_file_is_in_the_manifest() {
    let listed: Vec<String> = manifest()
        .iter()
        .flat_map(|c| {
            let mut v: Vec<String> = c["file"].as_str().map(str::to_string).into_iter().collect();
            if let Some(fs) = c["files"].as_array() {
                v.extend(fs.iter().filter_map(Value::as_str).map(str::to_string));
            }
            v
        })
        .collect();
    let mut missing = Vec::new();
    for dir in ["csv", "json", "xlsx", "policy", "template", "text"] {
        let entries = std::fs::read_dir(corpus().join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
        for entry in entries.flatten() {
            let f = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !listed.contains(&f) {
                missing.push(f);
            }
        }
    }
    assert!(missing.is_empty(), "corpus files no case reads: {missing:?}");
}

// ---------------------------------------------------------------------------
// Workbooks: merged cells, hidden sheets, formulas (made with rust_xlsxwriter)
// ---------------------------------------------------------------------------

mod workbooks {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

    const HEADER: [&str; 10] = [
        "学籍号",
        "姓名",
        "性别",
        "出生日期",
        "学校",
        "学段",
        "年级",
        "户籍",
        "学籍状态",
        "学籍状态日期",
    ];

    fn row(i: u32) -> [String; 10] {
        [
            format!("G{i:03}"),
            "学生甲".into(),
            "女".into(),
            "2008-05-01".into(),
            "S1".into(),
            "小学".into(),
            "3".into(),
            "农村".into(),
            "在读".into(),
            "2014-09-01".into(),
        ]
    }

    fn fixed(wb: &mut Workbook) {
        // A fixed creation time, so that regenerating gives the same bytes.
        let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(2017, 3, 1).ok();
        if let Some(dt) = dt {
            let props = rust_xlsxwriter::DocProperties::new().set_creation_datetime(&dt);
            wb.set_properties(&props);
        }
    }

    fn students_sheet(ws: &mut rust_xlsxwriter::Worksheet, rows: u32) -> Result<(), XlsxError> {
        for (c, h) in (0u16..).zip(HEADER) {
            ws.write_string(0, c, h)?;
        }
        for r in 1..=rows {
            for (c, v) in (0u16..).zip(row(r)) {
                ws.write_string(r, c, v)?;
            }
        }
        Ok(())
    }

    /// The school cell merged down three rows, as county sheets do for a
    /// school's block: only the first row of a merged range holds a value.
    pub(super) fn merged() -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        fixed(&mut wb);
        let ws = wb.add_worksheet().set_name("学生")?;
        students_sheet(ws, 4)?;
        let centre = Format::new().set_align(FormatAlign::Center);
        ws.merge_range(1, 4, 3, 4, "S1", &centre)?;
        // A merged title-like range in the middle of the data.
        ws.merge_range(6, 0, 6, 9, "以下空白", &centre)?;
        wb.save_to_buffer()
    }

    /// A hidden first sheet holding other students; the visible sheet is
    /// the one a clerk sees.
    pub(super) fn hidden_sheet() -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        fixed(&mut wb);
        let hidden = wb.add_worksheet().set_name("旧名单")?;
        students_sheet(hidden, 5)?;
        hidden.set_hidden(true);
        let ws = wb.add_worksheet().set_name("学生")?;
        students_sheet(ws, 2)?;
        ws.set_active(true);
        wb.save_to_buffer()
    }

    /// Payments whose amounts and dates are formulas: one with a cached
    /// result, one without (as a file written by a program and never
    /// opened in Excel), and one that evaluates to an error.
    pub(super) fn formulas() -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        fixed(&mut wb);
        let ws = wb.add_worksheet().set_name("资金发放")?;
        let header = ["流水号", "学籍号", "资助项目", "学期", "金额", "发放日期", "发放方式"];
        for (c, h) in (0u16..).zip(header) {
            ws.write_string(0, c, h)?;
        }
        let date = Format::new().set_num_format("yyyy-mm-dd");
        for r in 1..=4u32 {
            ws.write_string(r, 0, format!("D{r}"))?;
            ws.write_string(r, 1, format!("G{r:03}"))?;
            ws.write_string(r, 2, "生活补助")?;
            ws.write_string(r, 3, "2017年春季学期")?;
            ws.write_string(r, 6, "打卡发放")?;
        }
        // D1: plain values; a date cell.
        ws.write_number(1, 4, 500)?;
        ws.write_number_with_format(1, 5, 42840, &date)?;
        // D2: formulas with their cached results.
        ws.write_formula(2, 4, rust_xlsxwriter::Formula::new("=250*2").set_result("500"))?;
        ws.write_formula_with_format(2, 5, rust_xlsxwriter::Formula::new("=F2").set_result("42840"), &date)?;
        // D3: a formula never calculated: its cached value is 0.
        ws.write_formula(3, 4, "=E2")?;
        ws.write_number_with_format(3, 5, 42840, &date)?;
        // D4: a formula whose result is an error.
        ws.write_formula(4, 4, rust_xlsxwriter::Formula::new("=1/0").set_result("#DIV/0!"))?;
        ws.write_number_with_format(4, 5, 42840, &date)?;
        wb.save_to_buffer()
    }

    /// Excel serial dates in number cells: a good one, serial 60 (Excel's
    /// 29 February 1900), a negative one, and a fractional one.
    pub(super) fn serials() -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        fixed(&mut wb);
        let ws = wb.add_worksheet();
        students_sheet(ws, 5)?;
        ws.write_number(1, 3, 39569)?;
        ws.write_number(2, 3, 60)?;
        ws.write_number(3, 3, -5)?;
        ws.write_number(4, 3, 39569.75)?;
        ws.write_number(5, 3, 1e300)?;
        wb.save_to_buffer()
    }

    /// Every fixture: its file name under `tests/hostile/xlsx/` and maker.
    pub(super) type Maker = fn() -> Result<Vec<u8>, XlsxError>;
    pub(super) const ALL: [(&str, Maker); 4] = [
        ("merged-cells.xlsx", merged),
        ("hidden-sheet.xlsx", hidden_sheet),
        ("formulas.xlsx", formulas),
        ("serials.xlsx", serials),
    ];
}

/// The committed workbooks are what the makers make, read for read
/// (`EDUAID_REGENERATE=1` rewrites them).
#[test]
fn workbook_fixtures_are_current() {
    let regenerate = std::env::var_os("EDUAID_REGENERATE").is_some();
    for (name, make) in workbooks::ALL {
        let fresh = make().unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = corpus().join("xlsx").join(name);
        if regenerate {
            std::fs::write(&path, &fresh).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let committed = read(&path);
        let opts = ReadOptions::default();
        let a = read_students(Input::bytes(name, &committed), &opts).map(|l| l.report.to_string());
        let b = read_students(Input::bytes(name, &fresh), &opts).map(|l| l.report.to_string());
        assert_eq!(
            a.map_err(|e| e.to_string()),
            b.map_err(|e| e.to_string()),
            "{name} is stale: EDUAID_REGENERATE=1 rewrites it"
        );
    }
}

// ---------------------------------------------------------------------------
// Inputs too big to commit, and limits
// ---------------------------------------------------------------------------

const HEADER_ZH: &str = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期";

fn student_line(i: usize) -> String {
    format!("G{i:06},学生甲,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01")
}

fn json_object(i: usize) -> String {
    format!(
        "{{\"学籍号\":\"G{i:06}\",\"姓名\":\"学生甲\",\"性别\":\"女\",\"出生日期\":\"2008-05-01\",\"学校\":\"S1\",\
         \"学段\":\"小学\",\"年级\":3,\"户籍\":\"农村\",\"学籍状态\":\"在读\",\"学籍状态日期\":\"2014-09-01\"}}"
    )
}

#[test]
fn an_enormous_json_array_loads_whole_or_is_refused_by_the_size_limit() {
    let n = 25_000;
    let body: Vec<String> = (0..n).map(json_object).collect();
    let text = format!("[\n{}\n]\n", body.join(",\n"));
    assert!(text.len() > 4 << 20, "{}", text.len());
    let l = read_students(Input::bytes("big.json", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (n as u64, n as u64, 0)
    );
    let mut small = ReadOptions::default();
    small.limits.max_bytes = 1 << 20;
    let e = read_students(Input::bytes("big.json", text.as_bytes()), &small).unwrap_err();
    assert!(matches!(e, IoError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("exceeds the limit of 1048576 bytes"), "{e}");
}

#[test]
fn a_million_deep_nesting_is_a_row_fault_or_a_malformed_file_not_a_stack_overflow() {
    let depth = 1_000_000;
    // Inside a cell of an element: the element is rejected, the others load.
    let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let text = format!("[\n{},\n{{\"学籍号\": {deep}}},\n{}\n]", json_object(1), json_object(2));
    let l = read_students(Input::bytes("deep.json", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (3, 2, 1),
        "{}",
        l.report
    );
    assert_eq!(l.report.errors[0].line, 3);
    assert!(l.report.errors[0].reason.contains("recursion limit"), "{}", l.report);
    // The same in JSON Lines.
    let text = format!("{}\n{{\"学籍号\": {deep}}}\n", json_object(1));
    let l = read_students(Input::bytes("deep.jsonl", text.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (2, 1, 1),
        "{}",
        l.report
    );
    // An array that never closes.
    let open = "[".repeat(depth);
    let e = read_students(Input::bytes("open.json", open.as_bytes()), &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("the JSON array is not closed"), "{e}");
    // A CSV cell of a million brackets is just text.
    let csv = format!(
        "{HEADER_ZH}\n{}\n",
        student_line(1).replacen("学生甲", &"[".repeat(depth), 1)
    );
    let l = read_students(Input::bytes("deep.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!((l.report.read, l.report.accepted), (1, 1));
}

#[test]
fn the_row_limit_is_an_error_in_every_format() {
    let mut opts = ReadOptions::default();
    opts.limits.max_rows = 100;
    let rows: Vec<String> = (0..101).map(student_line).collect();
    let csv = format!("{HEADER_ZH}\n{}\n", rows.join("\n"));
    let jsonl: Vec<String> = (0..101).map(json_object).collect();
    let jsonl = jsonl.join("\n");
    let json = format!("[{}]", jsonl.replace('\n', ","));
    for (name, bytes) in [
        ("rows.csv", csv.as_bytes()),
        ("rows.jsonl", jsonl.as_bytes()),
        ("rows.json", json.as_bytes()),
    ] {
        let e = read_students(Input::bytes(name, bytes), &opts).unwrap_err();
        assert!(matches!(e, IoError::TooManyRows { max: 100, .. }), "{name}: {e}");
        assert!(e.to_string().contains("more than 100 rows"), "{name}: {e}");
        // Exactly at the limit is fine.
        let mut at = opts.clone();
        at.limits.max_rows = 101;
        let l = read_students(Input::bytes(name, bytes), &at).unwrap();
        assert_eq!(l.report.accepted, 101, "{name}");
    }
    // Blank rows count toward the limit: a file of blank lines cannot run on.
    let blanks = format!("{HEADER_ZH}\n{}", "\n".repeat(200));
    let e = read_students(Input::bytes("blank.csv", blanks.as_bytes()), &opts).unwrap_err();
    assert!(matches!(e, IoError::TooManyRows { .. }), "{e}");
    // The streaming reader ends with the same error, after the rows within it.
    let mut reader = StudentReader::open(Input::bytes("rows.csv", csv.as_bytes()), &opts).unwrap();
    let items: Vec<_> = reader.by_ref().collect();
    assert_eq!(items.len(), 101);
    assert!(matches!(items.last(), Some(Err(IoError::TooManyRows { .. }))));
    assert!(reader.next().is_none(), "the stream goes on after a fatal error");
}

#[test]
fn the_row_limit_counts_an_xlsx_sheet_too() {
    let wb = workbooks::merged().unwrap();
    let mut opts = ReadOptions::default();
    opts.limits.max_rows = 3;
    let e = read_students(Input::bytes("m.xlsx", &wb), &opts).unwrap_err();
    assert!(matches!(e, IoError::TooManyRows { max: 3, .. }), "{e}");
}

#[test]
fn the_size_limit_is_an_error_for_files_on_disk() {
    let dir = std::env::temp_dir().join(format!("eduaid-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: Vec<String> = (0..50).map(student_line).collect();
    let csv = format!("{HEADER_ZH}\n{}\n", rows.join("\n"));
    let wb = workbooks::merged().unwrap();
    let mut opts = ReadOptions::default();
    opts.limits.max_bytes = 1000;
    for (name, bytes) in [
        ("s.csv", csv.as_bytes()),
        ("s.jsonl", csv.as_bytes()),
        ("s.xlsx", wb.as_slice()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = read_students(&path, &opts).unwrap_err();
        assert!(matches!(e, IoError::TooLarge { max: 1000, .. }), "{name}: {e}");
        assert!(e.to_string().contains(name), "{e}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_record_that_never_ends_is_one_rejected_row() {
    // An unclosed quote in the first data row swallows the rest: one row
    // rejected, named by the line it starts on, and nothing else claimed.
    let rows: Vec<String> = (0..1000).map(student_line).collect();
    let csv = format!("{HEADER_ZH}\n\"{}\n", rows.join("\n"));
    let l = read_students(Input::bytes("q.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (1, 0, 1),
        "{}",
        l.report
    );
    assert_eq!(l.report.errors[0].line, 2);
    assert!(l.report.errors[0].reason.contains("never closed"), "{}", l.report);
}

/// The streaming `FileRoster`, which checks the students file once and
/// re-reads it on every visit skipping the rows it rejected, gives exactly
/// the students `load_roster` keeps, for every CSV of the corpus.
#[test]
fn the_file_roster_visits_exactly_the_rows_load_roster_accepts() {
    use eduaid_io::FileRoster;
    use eduaid_model::Roster;
    let schools = corpus().join("schools.csv");
    let mut compared = 0;
    for entry in std::fs::read_dir(corpus().join("csv")).unwrap().flatten() {
        let path = entry.path();
        let opts = ReadOptions::default();
        let name = path.display().to_string();
        let memory = load_roster(RosterFiles::new(&schools, &path), &opts);
        let file = FileRoster::open(RosterFiles::new(&schools, &path), &opts);
        let (memory, file) = match (memory, file) {
            (Ok(m), Ok(f)) => (m, f.with_batch_size(2)),
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string(), "{name}");
                continue;
            }
            (a, b) => panic!("{name}: load_roster {:?} but FileRoster {:?}", a.err(), b.err()),
        };
        let r = file.students_report();
        assert!(r.balances(), "{name}: {r}");
        assert_eq!(r.to_string(), memory.students.to_string(), "{name}");
        let mut visited = Vec::new();
        file.visit_students(&mut |batch| {
            visited.extend(batch.iter().map(|s| s.id.as_str().to_string()));
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        let kept: Vec<String> = memory
            .roster
            .students()
            .iter()
            .map(|s| s.id.as_str().to_string())
            .collect();
        assert_eq!(visited, kept, "{name}");
        assert_eq!(visited.len() as u64, r.accepted, "{name}");
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} files compared");
}

// ---------------------------------------------------------------------------
// The fuzz corpus, replayed
// ---------------------------------------------------------------------------

/// A fuzz target's body.
type Target = fn(&[u8]);

const TARGETS: [(&str, Target); 6] = [
    ("csv", targets::csv),
    ("json", targets::json),
    ("xlsx", targets::xlsx),
    ("policy", targets::policy),
    ("values", targets::values),
    ("validate_text", targets::validate_text),
];

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let mut counts = BTreeMap::new();
    for (target, run) in TARGETS {
        let dir = root().join("fuzz/corpus").join(target);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut n = 0;
        for entry in entries.flatten() {
            let data = read(&entry.path());
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(
                outcome.is_ok(),
                "fuzz/corpus/{target}/{} fails",
                entry.file_name().to_string_lossy()
            );
            n += 1;
        }
        assert!(n > 0, "fuzz/corpus/{target} is empty");
        counts.insert(target, n);
    }
    eprintln!("fuzz corpus replayed: {counts:?}");
}

#[test]
fn the_hostile_corpus_goes_through_the_fuzz_targets_too() {
    for dir in ["csv", "json", "xlsx", "policy", "text", "template"] {
        for entry in std::fs::read_dir(corpus().join(dir)).unwrap().flatten() {
            let data = read(&entry.path());
            for (_, run) in TARGETS {
                run(&data);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

/// One planted row of a generated students file.
#[derive(Debug, Clone)]
enum Planted {
    Good,
    BadDate,
    BadBool,
    Short,
    Long,
    Blank,
    DuplicateOfFirst,
    MissingName,
}

fn planted() -> impl Strategy<Value = Planted> {
    prop_oneof![
        6 => Just(Planted::Good),
        1 => Just(Planted::BadDate),
        1 => Just(Planted::BadBool),
        1 => Just(Planted::Short),
        1 => Just(Planted::Long),
        1 => Just(Planted::Blank),
        1 => Just(Planted::DuplicateOfFirst),
        1 => Just(Planted::MissingName),
    ]
}

/// A students file with the planted rows, in CSV with the given line
/// endings and padding, the counts it must load with (read, accepted,
/// rejected, blank) and the lines that must be rejected.
fn planted_csv(rows: &[Planted], crlf: &[bool], pad: &str) -> (String, (u64, u64, u64, u64), Vec<u64>) {
    let mut out = format!("{HEADER_ZH},是否寄宿\r\n");
    let (mut read, mut accepted, mut blank) = (0u64, 0u64, 0u64);
    let mut bad_lines = Vec::new();
    let mut first_good = None;
    for (i, p) in rows.iter().enumerate() {
        let base = |id: usize| format!("G{id:06}{pad},学生甲{pad},女,2008-05-01,S1,小学,3,农村,在读,2014-09-01");
        let line = match p {
            Planted::Good => {
                first_good.get_or_insert(i);
                accepted += 1;
                format!("{},是", base(i))
            }
            Planted::BadDate => base(i).replace("2008-05-01", "2008-02-30") + ",否",
            Planted::BadBool => format!("{},也许", base(i)),
            Planted::Short => base(i).replace(",2014-09-01", ""),
            Planted::Long => format!("{},是,多余", base(i)),
            Planted::Blank => {
                blank += 1;
                if i % 2 == 0 {
                    String::new()
                } else {
                    ",,,, ,,,,,,".to_string()
                }
            }
            Planted::DuplicateOfFirst => match first_good {
                // A repeat of an accepted id is rejected; before any good
                // row it is a fresh id and accepted.
                Some(f) => format!("{},否", base(f)),
                None => {
                    first_good = Some(i);
                    accepted += 1;
                    format!("{},否", base(i))
                }
            },
            Planted::MissingName => base(i).replace("学生甲", " ") + ",",
        };
        if !matches!(p, Planted::Blank) {
            read += 1;
            if accepted < read - bad_lines.len() as u64 {
                // This row was not counted as accepted above: it is bad.
                bad_lines.push(i as u64 + 2);
            }
        }
        out.push_str(&line);
        out.push_str(if crlf.get(i).copied().unwrap_or(false) {
            "\r\n"
        } else {
            "\n"
        });
    }
    (out, (read, accepted, read - accepted, blank), bad_lines)
}

fn arbitrary_money() -> impl Strategy<Value = Money> {
    // Mantissas over the whole 96-bit range, at 0 to 2 decimal places:
    // amounts from a fen to the largest a Decimal holds.
    let max = (1i128 << 96) - 1;
    prop_oneof![
        (-max..=max, 0u32..=2),
        (-1_000_000_000_000i128..1_000_000_000_000, 0u32..=2),
        ((max - 1000)..=max, 0u32..=2),
    ]
    .prop_filter_map("whole fen", |(m, s)| {
        Money::from_decimal(Decimal::from_i128_with_scale(m, s)).ok()
    })
}

/// An amount as an exact number of fen.
fn fen(m: Money) -> Option<i128> {
    let d = m.as_decimal();
    let scale = d.scale();
    if scale > 2 {
        return None;
    }
    d.mantissa().checked_mul(10i128.pow(2 - scale))
}

/// True if `fen` fen can be held as a `Decimal` exactly.
fn representable(fen: i128) -> bool {
    let max = (1i128 << 96) - 1;
    let (mut m, mut s) = (fen, 2);
    while s > 0 && m % 10 == 0 {
        m /= 10;
        s -= 1;
    }
    m.abs() <= max
}

fn check_exact(op: &str, got: Option<Money>, exact: Option<i128>) -> Result<(), TestCaseError> {
    match (got, exact) {
        (Some(r), Some(e)) => prop_assert_eq!(fen(r), Some(e), "{} gave {} instead of {} fen", op, r, e),
        (Some(r), None) => prop_assert!(false, "{} gave {} for an unrepresentable result", op, r),
        (None, Some(e)) => prop_assert!(!representable(e), "{} gave None for {} fen, which fits", op, e),
        (None, None) => {}
    }
    Ok(())
}

const PROGRAMS: [&str; 5] = [
    "living-subsidy",
    "nutrition",
    "preschool-aid",
    "senior-grant",
    "rain-and-dew",
];

fn disbursement(i: usize, program: usize, fen: i64) -> Disbursement {
    Disbursement {
        id: format!("D{i:05}"),
        student_id: StudentId::new(format!("G{:04}", i % 97)).unwrap(),
        program: ProgramId::new(PROGRAMS[program % PROGRAMS.len()]).unwrap(),
        term: "2017-spring".parse::<Term>().unwrap(),
        amount: Money::from_fen(fen),
        paid_on: "2017-04-15".parse().unwrap(),
        channel: Channel::BankCard,
    }
}

fn totals(ds: &[Disbursement]) -> BTreeMap<String, Money> {
    let mut t: BTreeMap<String, Money> = BTreeMap::new();
    for d in ds {
        let slot = t.entry(d.program.as_str().to_string()).or_insert(Money::ZERO);
        *slot = slot.checked_add(d.amount).unwrap();
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_break_a_reader(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        targets::csv(&data);
        targets::json(&data);
        targets::xlsx(&data);
    }

    #[test]
    fn csv_like_text_never_breaks_a_reader(
        sel in any::<u8>(),
        cells in proptest::collection::vec("[\"\r\n,;\t a-z0-9学生甲是否√年月日万元.\\-/]{0,12}", 0..40),
    ) {
        let mut data = vec![sel];
        data.extend_from_slice(format!("{HEADER_ZH}\n").as_bytes());
        data.extend_from_slice(cells.join(",").as_bytes());
        targets::csv(&data);
    }

    #[test]
    fn damaged_workbooks_never_break_the_xlsx_reader(
        which in 0usize..4,
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut wb = (workbooks::ALL[which].1)().unwrap();
        for (at, byte) in flips {
            let i = at.index(wb.len());
            wb[i] = byte;
        }
        targets::xlsx(&wb);
        let n = cut.index(wb.len());
        targets::xlsx(&wb[..n]);
    }

    #[test]
    fn arbitrary_text_never_breaks_the_value_parsers(s in "\\PC{0,40}") {
        targets::values(s.as_bytes());
        targets::validate_text(s.as_bytes());
    }

    #[test]
    fn number_like_text_never_breaks_the_value_parsers(s in "[0-9０-９.,年月日号春秋季学期第一二\\-/ 万亿元%％人、\n()（）]{0,40}") {
        targets::values(s.as_bytes());
        targets::validate_text(s.as_bytes());
    }

    #[test]
    fn planted_faults_load_with_exactly_the_counts_planted(
        rows in proptest::collection::vec(planted(), 0..60),
        crlf in proptest::collection::vec(any::<bool>(), 60),
        pad in prop_oneof![Just(""), Just(" "), Just("\t"), Just("\u{3000}")],
    ) {
        let (csv, want, bad_lines) = planted_csv(&rows, &crlf, pad);
        let l = read_students(Input::bytes("planted.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
        let r = &l.report;
        prop_assert_eq!((r.read, r.accepted, r.rejected, r.blank), want, "{}", r);
        prop_assert_eq!(l.students.len() as u64, r.accepted);
        prop_assert_eq!(r.errors.len() as u64, r.rejected);
        // Exactly the planted rows are rejected, each named by its line.
        let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
        prop_assert_eq!(lines, bad_lines, "{}", r);
        // The same rows as JSON Lines... are a different format; the
        // streaming reader over the same CSV gives the same counts.
        let mut reader = StudentReader::open(Input::bytes("planted.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
        let yielded = reader.by_ref().count() as u64;
        let s = reader.report();
        prop_assert_eq!((s.read, s.accepted, s.rejected, s.blank), want);
        prop_assert_eq!(yielded, s.read);
    }

    #[test]
    fn money_checked_arithmetic_is_exact_or_none(a in arbitrary_money(), b in arbitrary_money(), n in any::<u64>()) {
        let (fa, fb) = (fen(a).unwrap(), fen(b).unwrap());
        check_exact("add", a.checked_add(b), fa.checked_add(fb).filter(|s| representable(*s)))?;
        check_exact("sub", a.checked_sub(b), fa.checked_sub(fb).filter(|s| representable(*s)))?;
        check_exact(
            "mul_count",
            a.checked_mul_count(n),
            fa.checked_mul(i128::from(n)).filter(|s| representable(*s)),
        )?;
        // A sum is exact, or None if some partial sum cannot be held.
        let partial = |x: i128, y: i128| x.checked_add(y).filter(|s| representable(*s));
        check_exact("sum", Money::checked_sum([a, b, a]), partial(fa, fb).and_then(|s| partial(s, fa)))?;
        // Dividing into parts is exact or an error, never a rounded share.
        let parts = n % 7 + 1;
        if let Ok(q) = a.checked_div_exact(parts) {
            prop_assert_eq!(q.checked_mul_count(parts), Some(a));
        }
    }

    #[test]
    fn disbursements_sum_to_the_same_totals_in_any_order(
        items in proptest::collection::vec((0usize..5, 1i64..10_000_000_000), 1..200),
        seed in any::<u64>(),
    ) {
        let ds: Vec<Disbursement> = items.iter().enumerate().map(|(i, (p, f))| disbursement(i, *p, *f)).collect();
        let want = totals(&ds);
        let all: i128 = items.iter().map(|(_, f)| i128::from(*f)).sum();
        let grand = Money::checked_sum(want.values().copied()).unwrap();
        prop_assert_eq!(fen(grand), Some(all));
        // Shuffled (a deterministic shuffle from the seed), reversed, and
        // summed pairwise: the same totals to the fen.
        let mut shuffled = ds.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, usize::try_from(s % (i as u64 + 1)).unwrap());
        }
        prop_assert_eq!(&totals(&shuffled), &want);
        let mut reversed = ds.clone();
        reversed.reverse();
        prop_assert_eq!(&totals(&reversed), &want);
        let pairwise: Vec<Money> = shuffled.chunks(2).map(|c| Money::checked_sum(c.iter().map(|d| d.amount)).unwrap()).collect();
        prop_assert_eq!(fen(Money::checked_sum(pairwise).unwrap()), Some(all));
        // Written in the shuffled order and read back: nothing lost, the same totals.
        let mut buf = Vec::new();
        write_disbursements(&mut buf, &shuffled, &WriteOptions::excel_csv()).unwrap();
        let back = read_disbursements(Input::bytes("d.csv", &buf), &ReadOptions::default()).unwrap();
        prop_assert_eq!(back.report.accepted, ds.len() as u64);
        prop_assert_eq!(&totals(&back.records), &want);
    }
}

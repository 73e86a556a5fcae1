//! Result tables: CSV injection neutralised, xlsx text never a formula,
//! long xlsx sheets continued, and the entitlements file read back
//! strictly.

use std::io::Write as _;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use eduaid_io::{
    Error, Format, Input, ReadOptions, Sheet, TableWriter, Val, WriteOptions, read_entitlements, read_students,
    write_sheets, write_students,
};
use eduaid_model::{Money, ProgramCatalogue};

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"点击\")";

fn hostile_sheet() -> Sheet {
    let mut s = Sheet::new("rows", &["name", "note", "amount", "count", "margin"]);
    s.push(vec![
        Val::from(FORMULA),
        Val::from("@SUM(A1:A2)"),
        Val::Money(Money::from_fen(-1250)),
        Val::Int(-3),
        Val::from("-1.50"),
    ]);
    s.push(vec![
        Val::from("+cmd|' /C calc'!A0"),
        Val::from("\tx"),
        Val::Money(Money::yuan(500)),
        Val::Int(7),
        Val::from("张三"),
    ]);
    s
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_text_that_would_run_as_a_formula_is_neutralised_and_numbers_stay_numbers() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.csv");
    write_sheets(&path, &[hostile_sheet()]).unwrap();
    let rows = csv_rows(&path);
    assert_eq!(rows[1][0], format!("'{FORMULA}"));
    assert_eq!(rows[1][1], "'@SUM(A1:A2)");
    assert_eq!(rows[1][2], "-12.50");
    assert_eq!(rows[1][3], "-3");
    assert_eq!(rows[1][4], "-1.50");
    assert_eq!(rows[2][0], "'+cmd|' /C calc'!A0");
    assert_eq!(rows[2][1], "'\tx");
    assert_eq!(rows[2][4], "张三");
}

#[test]
fn a_record_file_neutralises_its_text_cells_too() {
    let loaded = read_students(
        Input::Path(&crate::common::data("students.csv")),
        &ReadOptions::default(),
    )
    .unwrap();
    let mut students = loaded.students;
    students[0].name = FORMULA.to_string();
    let mut out = Vec::new();
    let opts = WriteOptions {
        format: Some(Format::Csv),
        ..WriteOptions::default()
    };
    write_students(&mut out, &students, &opts).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"'=HYPERLINK("), "{}", &text[..300]);
    assert!(!text.contains(",\"=HYPERLINK"));
}

/// Every formula of every sheet of a workbook.
fn formulas(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let f = wb.worksheet_formula(&name).unwrap();
        out.extend(f.used_cells().map(|(_, _, s)| s.clone()).filter(|s| !s.is_empty()));
    }
    out
}

#[test]
fn xlsx_text_is_a_string_cell_never_a_formula() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.xlsx");
    write_sheets(&path, &[hostile_sheet()]).unwrap();
    assert!(formulas(&path).is_empty());
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let r = wb.worksheet_range("rows").unwrap();
    assert_eq!(r.get_value((1, 0)), Some(&Data::String(FORMULA.into())));
    assert_eq!(r.get_value((1, 2)), Some(&Data::Float(-12.5)));
    // The record writer too.
    let loaded = read_students(
        Input::Path(&crate::common::data("students.csv")),
        &ReadOptions::default(),
    )
    .unwrap();
    let mut students = loaded.students;
    students[0].name = FORMULA.to_string();
    let path = d.path().join("students.xlsx");
    write_students(&path, &students, &WriteOptions::default()).unwrap();
    assert!(formulas(&path).is_empty());
}

#[test]
fn a_long_xlsx_sheet_continues_on_further_sheets() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("long.xlsx");
    let mut w = TableWriter::create(&path, "应助名单", &["n"])
        .unwrap()
        .with_sheet_rows(3);
    for i in 0..7u64 {
        w.push(&[Val::from(i)]).unwrap();
    }
    let mut totals = Sheet::new("汇总", &["rows"]);
    totals.push(vec![Val::from(7u64)]);
    let written = w.finish(&[totals]).unwrap();
    assert_eq!(written.continued, ["应助名单 (2)", "应助名单 (3)"]);
    assert_eq!(written.rows, 7);
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), ["应助名单", "应助名单 (2)", "应助名单 (3)", "汇总"]);
    let mut seen = Vec::new();
    for name in ["应助名单", "应助名单 (2)", "应助名单 (3)"] {
        let r = wb.worksheet_range(name).unwrap();
        assert_eq!(
            r.get_value((0, 0)),
            Some(&Data::String("n".into())),
            "{name} has its header"
        );
        for row in r.rows().skip(1) {
            seen.push(row[0].clone());
        }
    }
    let want: Vec<Data> = (0..7).map(|i| Data::Float(f64::from(i))).collect();
    assert_eq!(seen, want);
}

#[test]
fn a_streamed_json_table_is_one_object_of_sheets() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.json");
    let mut s2 = Sheet::new("totals", &["n"]);
    s2.push(vec![Val::from(2u64)]);
    write_sheets(&path, &[hostile_sheet(), s2, Sheet::new("empty", &["x"])]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["rows"][0]["name"], FORMULA);
    assert_eq!(v["rows"][0]["amount"], "-12.5");
    assert_eq!(v["rows"][1]["count"], 7);
    assert_eq!(v["totals"][0]["n"], 2);
    assert_eq!(v["empty"], serde_json::json!([]));
}

#[test]
fn a_failed_table_write_leaves_every_old_file() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("out.csv");
    std::fs::write(&path, "old").unwrap();
    let mut w = TableWriter::create(&path, "rows", &["n"]).unwrap();
    w.push(&[Val::from(1u64)]).unwrap();
    drop(w); // an error in the computation: the writer is dropped
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
}

const HEADER: &str = "student_id,name,school,program,benefit,term,amount,left_on\n";

fn ent_file(d: &Path, name: &str, body: &[u8]) -> std::path::PathBuf {
    let p = d.join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(body).unwrap();
    p
}

#[test]
fn entitlements_refuse_negative_amounts_exponent_ids_and_duplicates() {
    let d = tempfile::tempdir().unwrap();
    let body = format!(
        "{HEADER}G1,甲,S,living-subsidy,cash,2017-spring,500,\n\
         G2,乙,S,living-subsidy,cash,2017-spring,-500,\n\
         4.30102E+17,丙,S,living-subsidy,cash,2017-spring,500,\n\
         G1,甲,S,living-subsidy,cash,2017-spring,500,\n\
         G3,丁,S,living-subsidy,cash,2017-spring,500,2017-03-01\n\
         G4,戊,S,living-subsidy,cash,2017-spring,500,42795\n"
    );
    let p = ent_file(d.path(), "ent.csv", body.as_bytes());
    let f = read_entitlements(&p, &ProgramCatalogue::new()).unwrap();
    assert_eq!(f.read, 6);
    let ids: Vec<String> = f.entitlements.iter().map(|e| e.student_id.to_string()).collect();
    assert_eq!(ids, ["G1", "G3"]);
    assert_eq!(f.entitlements[1].left_on, Some("2017-03-01".parse().unwrap()));
    let errs: Vec<(u64, Option<&str>, &str)> = f
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.reason.as_str()))
        .collect();
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert_eq!((errs[0].0, errs[0].1), (3, Some("amount")));
    assert!(errs[0].2.contains("negative"), "{}", errs[0].2);
    assert_eq!((errs[1].0, errs[1].1), (4, Some("student_id")));
    assert!(errs[1].2.contains("exponent"), "{}", errs[1].2);
    assert_eq!(errs[2].0, 5);
    assert!(
        errs[2].2.contains("duplicate") && errs[2].2.contains("line 2"),
        "{}",
        errs[2].2
    );
    assert_eq!((errs[3].0, errs[3].1), (7, Some("left_on")));
}

#[test]
fn entitlements_with_invalid_bytes_are_refused_at_their_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    // UTF-8 (a BOM) with a stray byte on line 3.
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend_from_slice(HEADER.as_bytes());
    body.extend_from_slice("G1,甲,S,living-subsidy,cash,2017-spring,500,\n".as_bytes());
    body.extend_from_slice(b"G2,\xFF,S,living-subsidy,cash,2017-spring,500,\n");
    let p = ent_file(d.path(), "bom.csv", &body);
    let e = read_entitlements(&p, &ProgramCatalogue::new()).unwrap_err();
    assert!(matches!(e, Error::Malformed { line: 3, .. }), "{e}");
    assert!(e.to_string().contains("column 4"), "{e}");
    // UTF-8 without a BOM: Chinese before the bad byte.
    let p = ent_file(d.path(), "nobom.csv", &body[3..]);
    let e = read_entitlements(&p, &ProgramCatalogue::new()).unwrap_err();
    assert!(matches!(e, Error::Malformed { line: 3, .. }), "{e}");
    // GBK, as Chinese Excel re-saves it, is read.
    let gbk = encoding_rs::GBK
        .encode(&format!("{HEADER}G1,谢宸玥,S,living-subsidy,cash,2017-spring,500,\n"))
        .0
        .into_owned();
    let p = ent_file(d.path(), "gbk.csv", &gbk);
    let f = read_entitlements(&p, &ProgramCatalogue::new()).unwrap();
    assert_eq!(f.entitlements[0].name, "谢宸玥");
    // The same text in UTF-8 without a BOM stays UTF-8.
    let utf8 = format!("{HEADER}G1,谢宸玥,S,living-subsidy,cash,2017-spring,500,\n");
    let p = ent_file(d.path(), "utf8.csv", utf8.as_bytes());
    assert_eq!(
        read_entitlements(&p, &ProgramCatalogue::new()).unwrap().entitlements[0].name,
        "谢宸玥"
    );
    // Neither UTF-8 nor GB18030: refused, never replaced with U+FFFD.
    let p = ent_file(d.path(), "junk.csv", &[HEADER.as_bytes(), b"G1,\x81\x20,S\n"].concat());
    let e = read_entitlements(&p, &ProgramCatalogue::new()).unwrap_err();
    assert!(matches!(e, Error::Malformed { line: 2, .. }), "{e}");
}

#[test]
fn entitlements_re_saved_by_a_spreadsheet_keep_dates_and_refuse_shortened_ids() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("ent.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("应助名单").unwrap();
    for (c, h) in ["学籍号", "姓名", "资助项目", "学期", "金额（元）", "离校日期"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date = XFormat::new().set_num_format("yyyy/m/d");
    // A date cell, a bare serial number, an id kept exactly, an id Excel
    // turned into a number too long to hold.
    ws.write_string(1, 0, "G1").unwrap();
    ws.write_string(1, 2, "living-subsidy").unwrap();
    ws.write_string(1, 3, "2017年春季学期").unwrap();
    ws.write_number(1, 4, 500.0).unwrap();
    ws.write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(2017, 3, 1).unwrap(), &date)
        .unwrap();
    ws.write_number(2, 0, 12345.0).unwrap();
    ws.write_string(2, 2, "living-subsidy").unwrap();
    ws.write_string(2, 3, "2017-spring").unwrap();
    ws.write_number(2, 4, 312.5).unwrap();
    ws.write_number(2, 5, 42795.0).unwrap();
    ws.write_number(3, 0, "430102200901012345".parse::<f64>().unwrap())
        .unwrap();
    ws.write_string(3, 2, "living-subsidy").unwrap();
    ws.write_string(3, 3, "2017-spring").unwrap();
    ws.write_number(3, 4, 500.0).unwrap();
    wb.save(&path).unwrap();
    let f = read_entitlements(&path, &ProgramCatalogue::new()).unwrap();
    assert_eq!(f.entitlements.len(), 2, "{:?}", f.errors);
    let first = &f.entitlements[0];
    assert_eq!(first.left_on, Some("2017-03-01".parse().unwrap()));
    assert_eq!(first.amount, Money::yuan(500));
    assert_eq!(first.line, 2);
    let second = &f.entitlements[1];
    assert_eq!(second.student_id.to_string(), "12345");
    assert_eq!(second.left_on, Some("2017-03-01".parse().unwrap()));
    assert_eq!(second.amount, Money::from_fen(31250));
    assert_eq!(f.errors.len(), 1);
    assert_eq!((f.errors[0].line, f.errors[0].column.as_deref()), (4, Some("学籍号")));
    assert!(f.errors[0].reason.contains("cannot hold"), "{}", f.errors[0].reason);
}

#[test]
fn an_entitlements_file_without_an_amount_column_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = ent_file(d.path(), "e.csv", b"student_id,program,term\nG1,x,2017-spring\n");
    let e = read_entitlements(&p, &ProgramCatalogue::new()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::MissingColumn {
                column: "amount",
                line: 1,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn students_streamed_in_batches_are_the_students_written_whole() {
    let loaded = read_students(
        Input::Path(&crate::common::data("students.csv")),
        &ReadOptions::default(),
    )
    .unwrap();
    let students = loaded.students;
    assert!(students.len() > 5);
    let d = tempfile::tempdir().unwrap();
    for (ext, headers) in [
        ("csv", eduaid_io::Headers::English),
        ("csv", eduaid_io::Headers::Chinese),
        ("json", eduaid_io::Headers::English),
        ("jsonl", eduaid_io::Headers::Chinese),
        ("xlsx", eduaid_io::Headers::Chinese),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (ext, h))| (format!("{i}.{ext}"), h))
    {
        let ext = ext.as_str();
        let opts = WriteOptions {
            headers,
            ..WriteOptions::default()
        };
        let whole = d.path().join(format!("whole.{ext}"));
        write_students(&whole, &students, &opts).unwrap();
        let streamed = d.path().join(format!("streamed.{ext}"));
        let mut w = eduaid_io::StudentWriter::create(&streamed, &opts).unwrap();
        for batch in students.chunks(3) {
            w.write(batch).unwrap();
        }
        assert!(!streamed.exists(), "nothing in place before finish");
        assert_eq!(w.finish().unwrap(), students.len() as u64);
        let back = read_students(Input::Path(&streamed), &ReadOptions::default()).unwrap();
        assert_eq!(back.students, students, "{ext} {headers:?}");
        if !ext.ends_with("xlsx") {
            assert_eq!(
                std::fs::read(&streamed).unwrap(),
                std::fs::read(&whole).unwrap(),
                "{ext}"
            );
        }
    }
}

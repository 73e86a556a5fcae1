//! Encodings, JSON and xlsx specifics: line numbers, Excel cells, BOMs.

use eduaid_io::*;
use eduaid_model::{Money, SchoolKind};

const HEAD: &str = "id,name,kind,ownership,township,locality,nutrition_plan_from,annual_tuition";

fn schools(text: &[u8], name: &str) -> Loaded<eduaid_model::School> {
    read_schools(Input::bytes(name, text), &ReadOptions::default()).unwrap()
}

#[test]
fn utf8_with_and_without_bom_and_gbk_detected_or_declared() {
    let body = format!("{HEAD}\nS1,甲镇中心小学,小学,公办,甲镇,农村,２０１７年６月１日,\"1,200元\"\n");
    let plain = schools(body.as_bytes(), "a.csv");
    assert_eq!(plain.report.encoding, Some("UTF-8"));
    let s = &plain.records[0];
    assert_eq!(
        (s.kind, s.annual_tuition),
        (SchoolKind::Primary, Some(Money::yuan(1200)))
    );
    assert_eq!(s.nutrition_plan_from, Some("2017-06-01".parse().unwrap()));

    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(body.as_bytes());
    let with_bom = schools(&bom, "b.csv");
    assert_eq!(with_bom.records, plain.records);
    assert!(with_bom.report.is_clean(), "{}", with_bom.report);

    let (gbk, _, _) = encoding_rs::GBK.encode(&body);
    let detected = schools(&gbk, "c.csv");
    assert_eq!(detected.report.encoding, Some("GB18030"));
    assert_eq!(detected.records, plain.records);

    // Declared UTF-8 on a GBK file: the rows with Chinese fail, each
    // reported, and nothing is garbled silently.
    let utf8 = ReadOptions {
        encoding: Encoding::Utf8,
        ..ReadOptions::default()
    };
    let wrong = read_schools(Input::bytes("d.csv", &gbk), &utf8).unwrap();
    assert_eq!((wrong.report.read, wrong.report.rejected), (1, 1));
    assert!(
        wrong.report.errors[0].reason.contains("invalid UTF-8"),
        "{}",
        wrong.report
    );

    let utf16 = [0xFF, 0xFE, b'i', 0];
    let e = read_schools(Input::bytes("e.csv", &utf16), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
}

#[test]
fn the_format_comes_from_the_extension_or_the_caller() {
    assert_eq!(Format::from_path("a/学生.CSV".as_ref()).unwrap(), Format::Csv);
    assert_eq!(Format::from_path("a.jsonl".as_ref()).unwrap(), Format::JsonLines);
    assert_eq!(Format::from_path("a.xlsx".as_ref()).unwrap(), Format::Xlsx);
    assert!(matches!(
        Format::from_path("a.xls".as_ref()),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        Format::from_path("a.doc".as_ref()),
        Err(Error::UnknownFormat { .. })
    ));
    let body = format!("{HEAD}\nS1,甲,primary,public,甲镇,rural,,\n");
    let forced = read_schools(
        Input::bytes("export.dat", body.as_bytes()),
        &ReadOptions::with_format(Format::Csv),
    )
    .unwrap();
    assert_eq!(forced.records.len(), 1);
}

#[test]
fn other_separators_can_be_declared() {
    let body = "学校标识码\t学校名称\t学校类型\t办学性质\t乡镇\t城乡\nS1\t甲镇中心小学\t小学\t公办\t甲镇\t农村\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(body);
    let tabs = ReadOptions {
        delimiter: Some(b'\t'),
        ..ReadOptions::default()
    };
    let l = read_schools(Input::bytes("schools.txt", &gbk), &tabs).unwrap();
    assert_eq!(
        (l.report.accepted, l.report.encoding),
        (1, Some("GB18030")),
        "{}",
        l.report
    );
    assert_eq!(l.records[0].name, "甲镇中心小学");
    let quote = ReadOptions {
        delimiter: Some(b'"'),
        ..ReadOptions::default()
    };
    assert!(read_schools(Input::bytes("s.csv", b"id"), &quote).is_err());
    let bar = ReadOptions {
        delimiter: Some(b'|'),
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_schools(Input::bytes("s.csv", &gbk), &bar),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn blank_lines_are_counted_not_read() {
    let body = format!(
        "{HEAD}\n\nS1,甲,primary,public,甲镇,rural,,\n,,,,,,,\n\nS2,乙,primary,public,甲镇,rural,,2017-02-30\n"
    );
    let l = schools(body.as_bytes(), "a.csv");
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected, l.report.blank),
        (2, 1, 1, 3)
    );
    assert_eq!(l.report.errors[0].line, 6);
}

#[test]
fn json_arrays_report_the_line_an_element_starts_on() {
    let json = r#"[
  {"id": "S1", "name": "甲镇中心小学", "kind": "primary", "ownership": "public",
   "township": "甲镇", "locality": "rural"},
  {"id": "S2", "name": "乙", "kind": "university", "ownership": "public",
   "township": "甲镇", "locality": "rural"},
  "not an object",
  {"id": "S3", "name": "丙", "kind": "primary", "ownership": "public", "township": "乙乡",
   "locality": "rural", "annual_tuition": 800, "备注": "x"},
  {"id": "S4", "name": ["nested"], "kind": "primary", "ownership": "public", "township": "乙乡", "locality": "rural"},
  {"id": "S5", "kind": "primary", "ownership": "public", "township": "乙乡", "locality": "rural"}
]"#;
    let l = schools(json.as_bytes(), "schools.json");
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (6, 2, 4),
        "{}",
        l.report
    );
    let got: Vec<(u64, Option<&str>)> = l.report.errors.iter().map(|e| (e.line, e.column.as_deref())).collect();
    assert_eq!(
        got,
        [(4, Some("kind")), (6, None), (9, Some("name")), (10, Some("name"))]
    );
    assert_eq!(l.records[1].annual_tuition, Some(Money::yuan(800)));
    assert_eq!(l.report.warnings.len(), 1);
    let e = read_schools(Input::bytes("s.json", b"[{\"id\": \"S1\"},"), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Malformed { .. }), "{e}");
}

#[test]
fn json_lines_count_blank_lines_and_reject_broken_ones() {
    let text = "{\"id\":\"S1\",\"name\":\"甲\",\"kind\":\"primary\",\"ownership\":\"public\",\"township\":\"t\",\"locality\":\"rural\"}\n\
                \n\
                {\"id\":\"S2\",\"name\":\n\
                {\"id\":\"S3\",\"name\":\"丙\",\"kind\":\"primary\",\"ownership\":\"public\",\"township\":\"t\",\"locality\":\"rural\"}\n";
    let l = schools(text.as_bytes(), "s.jsonl");
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected, l.report.blank),
        (3, 2, 1, 1)
    );
    assert_eq!(l.report.errors[0].line, 3);
    assert!(l.report.errors[0].reason.contains("invalid JSON"));
}

#[test]
fn xlsx_cells_of_every_type_and_sheet_rows_as_lines() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy年m月d日");
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "示范县学校名单").unwrap();
    for (c, h) in [
        "学校标识码",
        "学校名称",
        "学校类型",
        "办学性质",
        "乡镇",
        "城乡",
        "营养改善计划实施日期",
        "学费",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    // Row 4: a date cell, a number for money, a number for the id.
    ws.write_number(3, 0, 4301.0).unwrap();
    ws.write_string(3, 1, "甲镇中心小学 ").unwrap();
    ws.write_string(3, 2, "小学").unwrap();
    ws.write_string(3, 3, "公办").unwrap();
    ws.write_string(3, 4, "甲镇").unwrap();
    ws.write_string(3, 5, "农村").unwrap();
    ws.write_datetime_with_format(3, 6, ExcelDateTime::from_ymd(2017, 6, 1).unwrap(), &date)
        .unwrap();
    ws.write_number(3, 7, 312.5).unwrap();
    // Row 6 (after a blank row 5): a plain number as the date (a serial),
    // then a serial that is Excel's phantom 1900-02-29.
    for (r, serial) in [(5u32, 42887.0), (6, 60.0)] {
        ws.write_string(r, 0, format!("S{r}")).unwrap();
        ws.write_string(r, 1, "乙").unwrap();
        ws.write_string(r, 2, "primary").unwrap();
        ws.write_string(r, 3, "public").unwrap();
        ws.write_string(r, 4, "乙乡").unwrap();
        ws.write_string(r, 5, "rural").unwrap();
        ws.write_number(r, 6, serial).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let l = schools(&bytes, "schools.xlsx");
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected, l.report.blank),
        (3, 2, 1, 1),
        "{}",
        l.report
    );
    assert_eq!(l.records[0].id.as_str(), "4301");
    assert_eq!(l.records[0].name, "甲镇中心小学");
    assert_eq!(l.records[0].nutrition_plan_from, Some("2017-06-01".parse().unwrap()));
    assert_eq!(l.records[0].annual_tuition, Some(Money::from_fen(31_250)));
    assert_eq!(l.records[1].nutrition_plan_from, Some("2017-06-01".parse().unwrap()));
    let e = &l.report.errors[0];
    assert_eq!((e.line, e.column.as_deref()), (7, Some("营养改善计划实施日期")));
    assert!(e.reason.contains("leap-year bug"), "{e}");
    assert!(l.report.warnings[0].message.contains("above the header"));
    // A named sheet that does not exist is a file error.
    let opts = ReadOptions {
        sheet: Some("无此表".into()),
        ..ReadOptions::default()
    };
    assert!(read_schools(Input::bytes("schools.xlsx", &bytes), &opts).is_err());
}

const STUDENTS_HEAD: &str = "学籍号,姓名,性别,出生日期,学校,学段,年级,户籍,学籍状态,学籍状态日期";

#[test]
fn long_ids_stored_as_numbers_are_refused_short_ones_read_without_a_point() {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in STUDENTS_HEAD.split(',').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    // An 18-digit 学籍号 typed into a General cell: Excel keeps 15
    // significant digits (430102200805011000), and shows 4.30102E+17.
    let long: f64 = "430102200805011234".parse().unwrap();
    let ids: [(u32, f64); 3] = [(1, long), (2, 4_305_005.0), (3, 4_305_006.5)];
    for (r, id) in ids {
        ws.write_number(r, 0, id).unwrap();
        for (c, v) in [
            "学生甲",
            "女",
            "2008-05-01",
            "S1",
            "小学",
            "3",
            "农村",
            "在读",
            "2014-09-01",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16 + 1, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let l = read_students(Input::bytes("students.xlsx", &bytes), &ReadOptions::default()).unwrap();
    assert_eq!((l.report.accepted, l.report.rejected), (1, 2), "{}", l.report);
    assert_eq!(l.students[0].id.as_str(), "4305005");
    for e in &l.report.errors {
        assert_eq!(e.column.as_deref(), Some("学籍号"));
        assert!(
            e.reason
                .contains("the id was stored as a number and has lost digits: format the column as text in excel"),
            "{e}"
        );
    }
}

#[test]
fn ids_that_normalize_alike_are_duplicates() {
    let body = format!(
        "{STUDENTS_HEAD}\nＧ４３０５００５,学生甲,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01\n\
         G4305005\u{200B},学生乙,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01\n"
    );
    let l = read_students(Input::bytes("s.csv", body.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(l.students[0].id.as_str(), "G4305005");
    assert_eq!((l.report.accepted, l.report.rejected), (1, 1), "{}", l.report);
    assert!(l.report.errors[0].reason.contains("duplicate student id G4305005"));
}

#[test]
fn gbk_names_that_are_valid_utf8_are_read_as_gbk() {
    let text = "id,name,sex,birth_date,school_id,stage,grade,hukou,status,status_since\n\
                G001,谢宸玥,female,2008-05-01,S1,primary,3,rural,enrolled,2014-09-01\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    assert!(std::str::from_utf8(&gbk).is_ok());
    let l = read_students(Input::bytes("s.csv", &gbk), &ReadOptions::default()).unwrap();
    assert_eq!(l.report.encoding, Some("GB18030"));
    assert_eq!(l.students[0].name, "谢宸玥");
}

#[test]
fn semicolons_and_tabs_are_detected_or_explained() {
    let row = "G001,学生甲,女,2008-05-01,S1,小学,3,农村,在读,2014-09-01";
    for sep in [";", "\t"] {
        let body = format!("{STUDENTS_HEAD}\n{row}\n").replace(',', sep);
        let l = read_students(Input::bytes("s.csv", body.as_bytes()), &ReadOptions::default()).unwrap();
        assert_eq!(l.report.accepted, 1, "{sep:?}: {}", l.report);
        let commas = ReadOptions {
            delimiter: Some(b','),
            ..ReadOptions::default()
        };
        let e = read_students(Input::bytes("s.csv", body.as_bytes()), &commas)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("the separator looks like") && e.contains("--delimiter"),
            "{e}"
        );
    }
}

#[test]
fn a_json_number_in_a_date_column_is_a_serial_but_text_digits_are_not() {
    let json = r#"[{"学籍号": 4305005, "姓名": "甲", "性别": "女", "出生日期": 39569, "学校": "S1", "学段": "小学", "年级": 3, "户籍": "农村", "学籍状态": "在读", "学籍状态日期": "2014-09-01"},
{"学籍号": "G2", "姓名": "甲", "性别": "女", "出生日期": "2009", "学校": "S1", "学段": "小学", "年级": 3, "户籍": "农村", "学籍状态": "在读", "学籍状态日期": "2014-09-01"}]"#;
    let l = read_students(Input::bytes("s.json", json.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(l.students[0].birth_date.to_string(), "2008-05-01");
    assert_eq!(l.students[0].id.as_str(), "4305005");
    assert!(
        l.report.errors[0].reason.contains("\"2009\" is a year, not a date"),
        "{}",
        l.report
    );
}

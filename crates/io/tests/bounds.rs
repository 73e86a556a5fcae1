//! Bounded resources (issue 11 §3): an `.xlsx` is checked before calamine
//! parses it, a stray far cell costs nothing, a long record is refused as it
//! is read, and no error echoes a megabyte-long value.

use std::io::{Cursor, Write as _};
use std::time::{Duration, Instant};

use eduaid_io::{
    ArchiveLimits, Error, Input, Limits, ReadOptions, check_archive, read_schools, read_students, read_xlsx_sheet,
};
use zip::write::SimpleFileOptions;

const CT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WB: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WB_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// A workbook of one sheet whose `sheetData` holds `rows`, with shared
/// strings `sst`.
fn workbook(dimension: &str, rows: &str, sst: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
    );
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in [
        ("[Content_Types].xml", CT),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WB),
        ("xl/_rels/workbook.xml.rels", WB_RELS),
        ("xl/worksheets/sheet1.xml", sheet.as_str()),
        ("xl/sharedStrings.xml", sst),
    ] {
        w.start_file(name, SimpleFileOptions::default()).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn sst(unique: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{unique}" uniqueCount="{unique}"><si><t>学校代码</t></si><si><t>学校名称</t></si></sst>"#
    )
}

const HEADER: &str = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>"#;

#[test]
fn shared_strings_claiming_1e14_are_refused_before_calamine_reserves() {
    let bytes = workbook("A1:B1", HEADER, &sst("100000000000000"));
    assert!(bytes.len() < 2500, "{} bytes", bytes.len());
    let e = read_schools(Input::bytes("s.xlsx", &bytes), &ReadOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "s.xlsx: xl/sharedStrings.xml: claims 100000000000000 strings (uniqueCount) but holds 2"
    );
    // The honest workbook is read (to its missing columns).
    let ok = workbook("A1:B1", HEADER, &sst("2"));
    let e = read_schools(Input::bytes("s.xlsx", &ok), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::MissingColumn { .. }), "{e}");
}

#[test]
fn a_stray_cell_at_xfd1048576_is_refused_without_a_full_range() {
    let rows = format!(r#"{HEADER}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let bytes = workbook("A1:XFD1048576", &rows, &sst("2"));
    let t = Instant::now();
    let e = read_students(Input::bytes("s.xlsx", &bytes), &ReadOptions::default()).unwrap_err();
    assert!(
        e.to_string()
            .contains("cell XFD1048576 is beyond the widest sheet read (1024 columns)"),
        "{e}"
    );
    let e = read_xlsx_sheet(bytes, "e.xlsx", &["应发名单"], &ArchiveLimits::default()).unwrap_err();
    assert!(
        e.to_string().starts_with("e.xlsx: sheet \"Sheet1\": cell XFD1048576"),
        "{e}"
    );
    // A far row in a sane column is one row, not a million.
    let rows = format!(r#"{HEADER}<row r="1048576"><c r="B1048576"><v>7</v></c></row>"#);
    let bytes = workbook("A1:B1048576", &rows, &sst("2"));
    let got = read_xlsx_sheet(bytes, "e.xlsx", &[], &ArchiveLimits::default()).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].0, 1_048_576);
    assert_eq!(got[1].1, vec![Ok(None), Ok(Some("7".to_string()))]);
    assert!(t.elapsed() < Duration::from_secs(20));
}

/// Rewrite the declared uncompressed size (local and central headers).
fn declare(bytes: &mut [u8], from: u32, to: u32) {
    let mut n = 0;
    for i in 0..bytes.len().saturating_sub(30) {
        let at = match &bytes[i..i + 4] {
            b"PK\x03\x04" => i + 22,
            b"PK\x01\x02" => i + 24,
            _ => continue,
        };
        if bytes[at..at + 4] == from.to_le_bytes() {
            bytes[at..at + 4].copy_from_slice(&to.to_le_bytes());
            n += 1;
        }
    }
    assert_eq!(n, 2, "both headers patched");
}

#[test]
fn zip_bombs_are_refused_by_ratio_and_by_their_true_size() {
    // 16 MiB of one repeated row: a few tens of KiB compressed.
    let row = r#"<row><c t="inlineStr"><is><t>炸弹</t></is></c></row>"#;
    let body = row.repeat((16 << 20) / row.len());
    let size = u32::try_from(body.len()).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file("xl/worksheets/sheet1.xml", SimpleFileOptions::default())
        .unwrap();
    w.write_all(body.as_bytes()).unwrap();
    drop(body);
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let t = Instant::now();
    let e = read_students(Input::bytes("bomb.xlsx", &bomb), &ReadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.starts_with("bomb.xlsx: xl/worksheets/sheet1.xml: compression ratio ")
            && msg.ends_with(":1 exceeds the limit of 100:1"),
        "{msg}"
    );
    assert!(matches!(
        e,
        Error::ArchiveLimit {
            limit: "compression ratio",
            max: 100,
            ..
        }
    ));
    // The same entry declared 50 KB (under the ratio's grace): inflating it
    // stops one byte past what it declares.
    let mut liar = bomb.clone();
    declare(&mut liar, size, 50_000);
    let e = read_students(Input::bytes("bomb.xlsx", &liar), &ReadOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "bomb.xlsx: xl/worksheets/sheet1.xml: inflates to more than the 50000 bytes it declares (a zip bomb?)"
    );
    assert!(check_archive(Cursor::new(&liar), "b.docx", &ArchiveLimits::default()).is_err());
    // A declared size over the entry limit is refused from the directory.
    let small = ArchiveLimits {
        max_entry_size: 1 << 20,
        ..ArchiveLimits::default()
    };
    let e = check_archive(Cursor::new(&bomb), "b.docx", &small).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("b.docx: xl/worksheets/sheet1.xml: uncompressed size {size} bytes exceeds the limit of 1048576 bytes")
    );
    assert!(t.elapsed() < Duration::from_secs(30));
}

fn opts(max_record: u64) -> ReadOptions {
    ReadOptions {
        limits: Limits {
            max_record,
            ..Limits::default()
        },
        ..ReadOptions::default()
    }
}

#[test]
fn a_long_record_is_a_rejected_row_and_the_rest_loads() {
    let header = "id,name,kind,ownership,township,locality\n";
    let long = "y".repeat(5000);
    let csv =
        format!("{header}S1,a,primary,public,t,rural\nS2,{long},primary,public,t,rural\nS3,c,primary,public,t,rural\n");
    let l = read_schools(Input::bytes("s.csv", csv.as_bytes()), &opts(1000)).unwrap();
    assert_eq!(
        (l.report.read, l.report.accepted, l.report.rejected),
        (3, 2, 1),
        "{}",
        l.report
    );
    let e = &l.report.errors[0];
    assert_eq!(e.line, 3);
    assert!(e.reason.starts_with("a record longer than 1000 bytes"), "{}", e.reason);
    // Inside an open quote the record runs on over lines, and is followed
    // to its closing quote.
    let quoted = format!("{header}S1,\"{long}\n{long}\",primary,public,t,rural\nS3,c,primary,public,t,rural\n");
    let l = read_schools(Input::bytes("s.csv", quoted.as_bytes()), &opts(1000)).unwrap();
    assert_eq!((l.report.accepted, l.report.rejected), (1, 1), "{}", l.report);
    assert_eq!(l.report.errors[0].line, 2);
    assert_eq!(l.records[0].id.as_str(), "S3");

    let jsonl = format!(
        "{{\"id\":\"S1\",\"name\":\"a\",\"kind\":\"primary\",\"ownership\":\"public\",\"township\":\"t\",\"locality\":\"rural\"}}\n\
         {{\"id\":\"S2\",\"name\":\"{long}\"}}\n\
         {{\"id\":\"S3\",\"name\":\"c\",\"kind\":\"primary\",\"ownership\":\"public\",\"township\":\"t\",\"locality\":\"rural\"}}\n"
    );
    let l = read_schools(Input::bytes("s.jsonl", jsonl.as_bytes()), &opts(1000)).unwrap();
    assert_eq!((l.report.accepted, l.report.rejected), (2, 1), "{}", l.report);
    assert_eq!(l.report.errors[0].line, 2);
    assert!(l.report.errors[0].reason.starts_with("a line longer than 1000 bytes"));
}

#[test]
fn no_error_echoes_a_megabyte_value() {
    let header = "id,name,kind,ownership,township,locality\n";
    let huge = "9".repeat(1 << 20);
    let csv = format!("{header}S1,a,{huge},public,t,rural\n");
    let l = read_schools(Input::bytes("s.csv", csv.as_bytes()), &ReadOptions::default()).unwrap();
    assert_eq!(l.report.rejected, 1, "{}", l.report);
    let shown = l.report.errors[0].to_string();
    assert!(shown.len() < 600, "{} bytes: {}", shown.len(), &shown[..200]);
    assert!(shown.contains('…'), "{shown}");
    let mut header = "x".repeat(1 << 20);
    header.push_str(",id\n");
    let o = ReadOptions {
        unknown_columns: eduaid_io::UnknownColumns::Reject,
        ..ReadOptions::default()
    };
    let e = read_schools(Input::bytes("s.csv", header.as_bytes()), &o).unwrap_err();
    assert!(e.to_string().len() < 200, "{}", e.to_string().len());
}

#[test]
fn a_table_read_back_checks_the_workbook_before_calamine_reserves() {
    // The entitlements file (`reconcile --entitlements`) goes through
    // `read_table`: the same archive check as every other xlsx reader.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("应发名单.xlsx");
    std::fs::write(&p, workbook("A1:B1", HEADER, &sst("100000000000000"))).unwrap();
    let e = eduaid_io::read_table(&p, &["应发名单"]).unwrap_err();
    assert!(
        e.to_string()
            .contains("claims 100000000000000 strings (uniqueCount) but holds 2"),
        "{e}"
    );
    std::fs::write(&p, workbook("A1:B1", HEADER, &sst("2"))).unwrap();
    let t = eduaid_io::read_table(&p, &["应发名单"]).unwrap();
    assert_eq!(t.header, ["学校代码", "学校名称"]);
}

//! `eduaid validate`.

use crate::common::*;

#[test]
fn a_double_rounded_rate_is_a_finding() {
    let (_d, f) = temp_path("report.txt");
    std::fs::write(&f, "全县6—14岁三类残疾儿童共307人，在校305人，入学率达99.4%。\n").unwrap();
    let r = run_expect(1, &["validate", &p(&f)]);
    assert!(r.stdout.contains("99.3%"), "{}", r.stdout);
    assert!(r.stdout.contains("INCONSISTENT"), "{}", r.stdout);
    let j = run_expect(1, &["--json", "validate", &p(&f)]).json();
    assert_eq!(j["consistent"], false);
}

#[test]
fn consistent_text_in_any_format_passes() {
    let (d, f) = temp_path("report.md");
    std::fs::write(&f, "全县三类残疾儿童共307人，在校305人，入学率达99.3%。\n").unwrap();
    let r = run_expect(0, &["validate", &p(&f)]);
    assert!(r.stdout.contains("校核1项，发现不一致0项"), "{}", r.stdout);
    let html = d.path().join("r.html");
    std::fs::write(
        &html,
        "<html><body><p>全县三类残疾儿童共307人，在校305人，入学率达99.4%。</p></body></html>",
    )
    .unwrap();
    run_expect(1, &["validate", &p(&html)]);
}

#[test]
fn unreadable_reports_exit_2() {
    let r = run_expect(2, &["validate", "/nonexistent/report.txt"]);
    assert!(r.stderr.contains("/nonexistent/report.txt"), "{}", r.stderr);
    let (_d, f) = temp_path("fake.docx");
    std::fs::write(&f, "not a zip").unwrap();
    let r = run_expect(2, &["validate", &p(&f)]);
    assert!(r.stderr.contains("fake.docx"), "{}", r.stderr);
    let r = run_expect(2, &["validate", "old.doc"]);
    assert!(r.stderr.contains(".docx"), "{}", r.stderr);
}

#[test]
fn what_is_not_a_report_is_refused_not_passed() {
    let (d, empty) = temp_path("empty.txt");
    std::fs::write(&empty, "  \n").unwrap();
    let r = run_expect(2, &["validate", &p(&empty)]);
    assert!(r.stderr.contains("empty"), "{}", r.stderr);
    let binary = d.path().join("binary.txt");
    std::fs::write(&binary, b"\xff\xfe\x00").unwrap();
    let r = run_expect(2, &["validate", &p(&binary)]);
    assert!(r.stderr.contains("not a text report"), "{}", r.stderr);
    let nuls = d.path().join("nuls.md");
    std::fs::write(&nuls, "共307人\0\0\0\0").unwrap();
    let r = run_expect(2, &["validate", &p(&nuls)]);
    assert!(r.stderr.contains("binary data"), "{}", r.stderr);
    let sheet = d.path().join("figures.xlsx");
    std::fs::write(&sheet, b"PK\x03\x04").unwrap();
    let r = run_expect(2, &["validate", &p(&sheet)]);
    assert!(r.stderr.contains("not a report"), "{}", r.stderr);
}

/// A Word file whose `word/document.xml` is `xml`.
fn docx(path: &std::path::Path, xml: &str) {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    w.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(xml.as_bytes()).unwrap();
    w.finish().unwrap();
}

#[test]
fn a_docx_bomb_is_refused_before_it_is_inflated() {
    let (d, ok) = temp_path("ok.docx");
    docx(
        &ok,
        "<w:document><w:body><w:p><w:r><w:t>全县三类残疾儿童共307人，在校305人，入学率达99.35%。</w:t></w:r></w:p></w:body></w:document>",
    );
    run_expect(0, &["validate", &p(&ok)]);
    // 32 MiB of empty paragraphs in a few tens of KiB.
    let bomb = d.path().join("bomb.docx");
    docx(
        &bomb,
        &format!(
            "<w:document><w:body>{}</w:body></w:document>",
            "<w:p/>".repeat(32 << 20 >> 3)
        ),
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let r = run_expect(2, &["validate", &p(&bomb)]);
    assert!(
        r.stderr.contains("bomb.docx: word/document.xml: compression ratio")
            && r.stderr.contains("exceeds the limit of 100:1"),
        "{}",
        r.stderr
    );
}

//! The DOCX package read back: the zip opens, every XML part parses,
//! relationships resolve, images are present, the layout is GB/T 9704's.

use std::collections::BTreeMap;
use std::io::Read;

use eduaid_report::{CjkFont, DocxRenderer, Renderer, render};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::common::small_document;
use crate::snapshots::{TINY_PNG, docx_of_small_document};

fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().to_string(), data);
    }
    out
}

/// Parse a whole XML part; returns (element count, relationship targets).
fn parse(name: &str, data: &[u8]) -> (usize, Vec<(String, String)>) {
    let mut reader = Reader::from_reader(data);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut elements = 0;
    let mut rels = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                elements += 1;
                depth += 1;
                let _ = e;
            }
            Ok(Event::Empty(e)) => {
                elements += 1;
                if e.name().as_ref() == b"Relationship" {
                    let get = |k: &[u8]| {
                        e.attributes()
                            .map(|a| a.unwrap())
                            .find(|a| a.key.as_ref() == k)
                            .map(|a| String::from_utf8(a.value.to_vec()).unwrap())
                            .unwrap()
                    };
                    rels.push((get(b"Id"), get(b"Target")));
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(_) => {}
            Err(e) => panic!("{name} does not parse at {}: {e}", reader.buffer_position()),
        }
        buf.clear();
    }
    assert_eq!(depth, 0, "{name} is unbalanced");
    (elements, rels)
}

#[test]
fn every_part_parses_and_every_relationship_resolves() {
    let p = parts(&docx_of_small_document());
    for required in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/footer1.xml",
        "word/footer2.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
        "docProps/app.xml",
        "word/media/chart1.png",
    ] {
        assert!(p.contains_key(required), "{required} missing");
    }
    let mut total = 0;
    for (name, data) in &p {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            total += parse(name, data).0;
        }
    }
    assert!(total > 200);
    // Relationships point at parts that exist.
    for (rels_part, base) in [("_rels/.rels", ""), ("word/_rels/document.xml.rels", "word/")] {
        let (_, rels) = parse(rels_part, &p[rels_part]);
        assert!(!rels.is_empty());
        for (id, target) in rels {
            assert!(
                p.contains_key(&format!("{base}{target}")),
                "{rels_part}: {id} → {target} missing"
            );
        }
    }
    // Every r:embed and r:id in the document names a relationship.
    let doc = String::from_utf8(p["word/document.xml"].clone()).unwrap();
    let rels = String::from_utf8(p["word/_rels/document.xml.rels"].clone()).unwrap();
    for attr in ["r:embed=\"", "r:id=\""] {
        for piece in doc.split(attr).skip(1) {
            let id = piece.split('"').next().unwrap();
            assert!(rels.contains(&format!("Id=\"{id}\"")), "{id} has no relationship");
        }
    }
    // Every part has a content type.
    let ct = String::from_utf8(p["[Content_Types].xml"].clone()).unwrap();
    for name in p.keys() {
        let ext = name.rsplit('.').next().unwrap();
        assert!(
            ct.contains(&format!("PartName=\"/{name}\"")) || ct.contains(&format!("Extension=\"{ext}\"")),
            "{name} has no content type"
        );
    }
    assert_eq!(p["word/media/chart1.png"], TINY_PNG);
}

#[test]
fn the_layout_is_the_official_one() {
    let p = parts(&docx_of_small_document());
    let doc = String::from_utf8(p["word/document.xml"].clone()).unwrap();
    let styles = String::from_utf8(p["word/styles.xml"].clone()).unwrap();
    let footer = String::from_utf8(p["word/footer1.xml"].clone()).unwrap();
    let settings = String::from_utf8(p["word/settings.xml"].clone()).unwrap();
    // A4, margins 37/35/28/26 mm.
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(doc.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""));
    // Fonts named for East Asian text, at the standard sizes.
    assert!(styles.contains("w:eastAsia=\"方正小标宋简体\"") && styles.contains("<w:sz w:val=\"44\"/>"));
    assert!(styles.contains("w:eastAsia=\"仿宋_GB2312\"") && styles.contains("<w:sz w:val=\"32\"/>"));
    assert!(styles.contains("w:eastAsia=\"黑体\"") && styles.contains("w:eastAsia=\"楷体_GB2312\""));
    assert!(styles.contains("w:line=\"560\" w:lineRule=\"exact\""));
    assert!(styles.contains("w:firstLineChars=\"200\""));
    // Page numbers — 1 — in 宋体 四号, odd right and even left.
    assert!(footer.contains("— </w:t>") && footer.contains(" PAGE ") && footer.contains(" —</w:t>"));
    assert!(footer.contains("w:val=\"right\""));
    assert!(
        String::from_utf8(p["word/footer2.xml"].clone())
            .unwrap()
            .contains("w:val=\"left\"")
    );
    assert!(styles.contains("w:eastAsia=\"宋体\"") && styles.contains("<w:sz w:val=\"28\"/>"));
    assert!(settings.contains("<w:evenAndOddHeaders/>"));
    // Headings numbered and styled; bordered tables; the title first.
    assert!(doc.contains("<w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t xml:space=\"preserve\">一、组织领导"));
    assert!(doc.contains("<w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t xml:space=\"preserve\">（一）完善责任体系"));
    assert!(doc.contains("1.控辍保学") && doc.contains("（1）特殊群体"));
    assert!(doc.contains("<w:insideV w:val=\"single\""));
    assert!(doc.find("Title").unwrap() < doc.find("Heading1").unwrap());
    assert!(doc.contains("学前资助 | 非普惠"));
}

#[test]
fn charts_are_pictures_with_a_cjk_font_or_tables_without_one() {
    let mut r = DocxRenderer::new();
    let bytes = render(&small_document(), &mut r).unwrap();
    let p = parts(&bytes);
    match CjkFont::discover() {
        Ok(font) => {
            let png = &p["word/media/chart1.png"];
            assert_eq!(&png[1..4], b"PNG", "{}", font.path().display());
            // 900 × 500 drawn at twice the size.
            assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1800);
            assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1000);
            assert!(r.warnings().is_empty());
        }
        Err(e) => {
            assert!(e.to_string().contains("fonts-noto-cjk"));
            assert!(!p.contains_key("word/media/chart1.png"));
            assert_eq!(r.warnings().len(), 1);
            let doc = String::from_utf8(p["word/document.xml"].clone()).unwrap();
            assert!(doc.contains("（图1数据）各项目资助资金"));
        }
    }
}

#[test]
fn without_pictures_every_chart_is_a_table() {
    let mut r = DocxRenderer::without_pictures();
    let p = parts(&render(&small_document(), &mut r).unwrap());
    assert!(!p.keys().any(|k| k.starts_with("word/media/")));
    assert_eq!(r.warnings().len(), 1);
}

mod properties {
    use eduaid_report::{Document, DocxRenderer, Inline, Table, render};
    use proptest::prelude::*;

    use super::{parse, parts};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the text, every part of the package is well-formed XML
        /// with no character XML 1.0 forbids.
        #[test]
        fn any_text_makes_a_well_formed_package(title in "\\PC{0,20}", texts in proptest::collection::vec(any::<String>(), 1..6)) {
            let mut doc = Document::new(title);
            for (i, t) in texts.iter().enumerate() {
                doc.heading(u8::try_from(i % 4).unwrap() + 1, t.clone());
                doc.paragraph(vec![Inline::text(t.clone())]);
            }
            let mut table = Table::new(texts[0].clone(), &["甲", "乙"]);
            table.push_row(vec![Inline::text(texts[0].clone()), Inline::text(texts[texts.len() - 1].clone())]).unwrap();
            doc.table(table);
            let p = parts(&render(&doc, &mut DocxRenderer::without_pictures()).unwrap());
            for (name, data) in &p {
                let text = String::from_utf8(data.clone()).unwrap();
                prop_assert!(!text.chars().any(|c| c < ' ' && !matches!(c, '\t' | '\n' | '\r')), "{}", name);
                parse(name, data);
            }
        }
    }
}

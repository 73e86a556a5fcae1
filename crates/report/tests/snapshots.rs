//! Snapshot tests: the Markdown and the DOCX `word/document.xml` of a fixed
//! small document. `UPDATE_SNAPSHOTS=1 cargo test -p eduaid-report` rewrites
//! the expected files under `tests/snapshots/`.

use std::io::Read;
use std::path::PathBuf;

use eduaid_report::{DocxRenderer, MarkdownRenderer, render};

use crate::common::small_document;

/// A valid 1×1 PNG, so the DOCX snapshot does not depend on fonts.
pub(crate) const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xff, 0xff, 0x3f, 0x00, 0x05, 0xfe, 0x02, 0xfe, 0xa7, 0x35, 0x81, 0x84,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

fn check(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_SNAPSHOTS=1", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{name} differs from the snapshot at line {}:\n expected: {:?}\n   actual: {:?}\n(UPDATE_SNAPSHOTS=1 rewrites it)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

pub(crate) fn docx_of_small_document() -> Vec<u8> {
    let mut r = DocxRenderer::with_rasterizer(|_svg| Ok(TINY_PNG.to_vec()));
    render(&small_document(), &mut r).unwrap()
}

#[test]
fn markdown_snapshot() {
    let md = String::from_utf8(render(&small_document(), &mut MarkdownRenderer::new()).unwrap()).unwrap();
    check("small_document.md", &md);
}

#[test]
fn docx_document_xml_snapshot() {
    let bytes = docx_of_small_document();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // One paragraph, row or table boundary a line, so a diff reads well.
    let pretty = xml
        .replace("</w:p>", "</w:p>\n")
        .replace("<w:tbl>", "\n<w:tbl>")
        .replace("</w:tr>", "</w:tr>\n");
    check("small_document.document.xml", &pretty);
}

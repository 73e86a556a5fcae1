//! HTML and Markdown back ends, and a back end written by a user.

use eduaid_report::{Error, HtmlRenderer, Inline, MarkdownRenderer, Renderer, Table, render, to_text};

use crate::common::small_document;

#[test]
fn html_is_one_self_contained_page() {
    let html = String::from_utf8(render(&small_document(), &mut HtmlRenderer::new()).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
    assert!(html.contains("@media print") && html.contains("@page{size:A4;margin:37mm 26mm 35mm 28mm"));
    assert!(html.contains("@media (max-width:640px)"));
    // Charts inline as SVG, with their Chinese labels as text.
    assert!(html.contains("<svg") && html.contains("生活补助"));
    assert!(!html.contains("<?xml"));
    // Nothing fetched from elsewhere.
    for needle in ["<link", "src=\"http", "href=\"http", "<script", "@import"] {
        assert!(!html.contains(needle), "{needle}");
    }
    // Figures carry their source; text is escaped.
    assert!(html.contains("title=\"在校学生总数：指标 sum of stages\">126964人</span>"));
    assert!(html.contains("<h2>一、组织领导</h2>") && html.contains("<h3>（一）完善责任体系</h3>"));
    assert!(html.contains("<caption>表1　春季学期资助情况</caption>"));
}

#[test]
fn markdown_has_gfm_tables_and_numbered_headings() {
    let md = String::from_utf8(render(&small_document(), &mut MarkdownRenderer::new()).unwrap()).unwrap();
    assert!(md.starts_with("# 示范县教育扶贫工作报告\n"));
    assert!(md.contains("\n## 一、组织领导\n") && md.contains("\n### （一）完善责任体系\n"));
    assert!(md.contains("| 项目 | 人数 | 金额 |\n| --- | --- | --- |\n| 生活补助 | 12390人 | 673.5875万元 |"));
    assert!(md.contains("学前资助 \\| 非普惠"));
    assert!(md.contains("**图1　各项目资助资金**"));
}

/// A user's back end: only the three required methods.
#[derive(Default)]
struct Outline(Vec<String>);

impl Renderer for Outline {
    fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error> {
        self.0
            .push(format!("{}{number}{text}", "  ".repeat(usize::from(level - 1))));
        Ok(())
    }
    fn paragraph(&mut self, _: &[Inline]) -> Result<(), Error> {
        Ok(())
    }
    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        Ok(self.0.join("\n").into_bytes())
    }
}

#[test]
fn a_user_can_add_a_back_end() {
    let out = render(&small_document(), &mut Outline::default()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "一、组织领导\n  （一）完善责任体系\n    1.控辍保学\n      （1）特殊群体\n二、学生资助"
    );
    // And through a trait object.
    let mut boxed: Box<dyn Renderer> = Box::new(MarkdownRenderer::new());
    assert!(!render(&small_document(), &mut boxed).unwrap().is_empty());
}

#[test]
fn plain_text_and_malformed_tables() {
    let text = to_text(&small_document()).unwrap();
    assert!(text.contains("三类残疾儿童共307人，在校305人，入学率达99.3%。"));
    let mut doc = small_document();
    let mut t = Table::new("坏表", &["a", "b"]);
    t.rows.push(vec![Inline::text("1")]);
    doc.table(t);
    assert!(matches!(
        to_text(&doc),
        Err(Error::TableShape {
            row: 1,
            found: 1,
            expected: 2,
            ..
        })
    ));
}

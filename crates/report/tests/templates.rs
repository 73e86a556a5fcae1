//! Templates: the default report, strict undefined names.

use eduaid_report::{Block, Error, ReportData, Template, to_text, validate_text};

use crate::common::default_data;

#[test]
fn the_default_template_renders_every_section() {
    let doc = Template::default_report().render(&default_data()).unwrap();
    assert_eq!(doc.title, "示范县脱贫攻坚教育保障工作情况报告");
    // GB/T 9704: the addressee under the title, the signature (issuing body,
    // then date) at the end of the body, nothing under the title.
    assert_eq!(doc.subtitle, None);
    assert_eq!(doc.addressee.as_deref(), Some("示范县人民政府："));
    assert_eq!(doc.signature, ["示范县教育局", "2017年9月30日"]);
    let numbers: Vec<String> = doc
        .heading_numbers()
        .into_iter()
        .map(|(n, h)| format!("{n}{}", h.text))
        .collect();
    let level1: Vec<&String> = numbers.iter().filter(|n| n.contains('、')).collect();
    assert_eq!(level1.len(), 5, "{numbers:?}");
    assert!(level1[2].starts_with("三、立足“两降低”"));
    assert!(level1[3].starts_with("四、瞄准“两补齐”"));
    assert!(numbers.iter().any(|n| n == "（四）化解城区大班额"));
    let text = to_text(&doc).unwrap();
    for s in [
        "总计126964人",
        "补助资金673.5875万元",
        "入学率达99.3%，高于80%的省颁标准",
        "均达到初中三年巩固率95%的省颁标准",
        "由113个班扩充到164个班",
        "平均班额由76.9人降至53人",
        "2017年7月11日",
        "按1000元/生/年的标准",
        "120.45万元",
        "占城区小学在校生8880人的18.49%",
    ] {
        assert!(text.contains(s), "missing {s:?} in\n{text}");
    }
    assert!(doc.blocks.iter().any(|b| matches!(b, Block::Chart(_))));
    assert!(doc.blocks.iter().any(|b| matches!(b, Block::Table(_))));
    // No template syntax and no marker leaks into the text.
    assert!(!text.contains("{{") && !text.contains('\u{E000}') && !text.contains('\u{E002}'));
    // The report's own arithmetic holds.
    let v = validate_text(&text);
    assert!(v.is_consistent(), "{:#?}", v.findings());
    assert!(v.checks.len() >= 6, "{:#?}", v.checks);
}

#[test]
fn the_default_template_names_no_real_place_or_official() {
    let t = Template::default_report();
    for name in ["双峰", "娄底", "永丰", "彭石清", "杜家毫", "许达哲", "习近平", "湖南"] {
        assert!(!t.source().contains(name), "{name}");
    }
}

#[test]
fn a_missing_figure_in_the_default_template_names_its_line() {
    let mut data = default_data();
    let mut kept = eduaid_report::FigureSet::new();
    for f in data.figures.iter().filter(|f| f.key != "disabled_in_school") {
        kept.insert(f.clone()).unwrap();
    }
    data.figures = kept;
    let t = Template::default_report();
    let expected = t
        .source()
        .lines()
        .position(|l| l.contains("{{ disabled_in_school }}"))
        .unwrap()
        + 1;
    match t.render(&data) {
        Err(Error::Template { line, message, .. }) => {
            assert_eq!(line, expected);
            assert!(message.contains("disabled_in_school"), "{message}");
            let shown = Error::Template {
                line,
                message,
                name: "x".into(),
            }
            .to_string();
            assert!(shown.starts_with(&format!("template x, line {expected}: ")));
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn syntax_errors_and_unknown_blocks_are_errors() {
    let data = ReportData::new();
    assert!(matches!(
        Template::new("bad", "a\n{% if %}\n").render(&data),
        Err(Error::Template { line: 2, .. })
    ));
    assert!(matches!(
        Template::new("bad", "a\n\n{{ chart(\"nope\") }}\n").render(&data),
        Err(Error::Template { line: 3, .. })
    ));
}

#[test]
fn a_county_can_write_its_own_words() {
    let t = Template::new(
        "mine",
        "% {{ county }}简报\n# 资助\n{% for y in retention_years %}{{ y }}{% if not loop.last %}、{% endif %}{% endfor %}，\n资助{{ fig(\"living_subsidy_students\") }}。\n",
    );
    let doc = t.render(&default_data()).unwrap();
    let text = to_text(&doc).unwrap();
    assert!(
        text.contains("2014—2015学年、2015—2016学年、2016—2017学年，资助12390人。"),
        "{text}"
    );
    assert_eq!(doc.figures_used().len(), 1);
}

mod properties {
    use eduaid_report::Template;
    use proptest::prelude::*;

    use crate::common::default_data;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any template text renders or fails with an error; it never panics.
        #[test]
        fn any_template_renders_or_errs(src in "[%#> a-z_{}()\"\\n一二|.0-9]{0,80}") {
            let _ = Template::new("t", src).render(&default_data());
        }
    }
}

#[test]
fn the_signature_and_the_note_of_attachments_close_the_body() {
    use eduaid_report::{DocxRenderer, render};
    let mut doc = Template::default_report().render(&default_data()).unwrap();
    doc.push_appendix("附件1", "报告所用数据及来源");
    doc.text("明细");
    doc.push_appendix("附件2", "数据校核结果");
    let text = to_text(&doc).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s} missing in {text}"));
    // Addressee right under the title; then the body; 附件说明; 落款; the
    // attachments themselves.
    assert!(at("示范县人民政府：") < at("根据中央"));
    assert!(at("坚决打赢教育脱贫攻坚战") < at("附件：1．报告所用数据及来源"));
    assert!(at("　　　2．数据校核结果") < at("示范县教育局\n2017年9月30日"));
    assert!(at("2017年9月30日") < at("附件1\n"));
    // The Word file names its fonts, with fallbacks.
    let bytes = render(&doc, &mut DocxRenderer::without_pictures()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut fonts = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/fontTable.xml").unwrap(), &mut fonts).unwrap();
    for f in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "altName"] {
        assert!(fonts.contains(f), "{f}");
    }
    // The signature's page carries text: the paragraph before it keeps
    // with it.
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
    let before = xml.find("2．数据校核结果").unwrap();
    let para = xml[..before].rfind("<w:p>").unwrap();
    assert!(xml[para..before].contains("<w:keepNext/>"), "{}", &xml[para..before]);
}

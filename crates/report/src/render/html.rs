//! HTML: one self-contained page (embedded CSS, charts inline as SVG), a
//! print stylesheet in the official layout, readable on a phone.

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Inline, Table};
use crate::render::Renderer;

/// Writes one self-contained HTML page.
#[derive(Debug, Default, Clone)]
pub struct HtmlRenderer {
    title: String,
    body: String,
}

impl HtmlRenderer {
    /// An empty renderer.
    #[must_use]
    pub fn new() -> HtmlRenderer {
        HtmlRenderer::default()
    }
}

/// Escape text for HTML content and attributes.
#[must_use]
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn inline_html(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for i in inlines {
        match i {
            Inline::Text(t) => s.push_str(&escape(t)),
            Inline::Figure(f) => {
                s.push_str(&format!(
                    "<span class=\"fig\" title=\"{}：{}\">{}</span>",
                    escape(&f.label),
                    escape(&f.source.to_string()),
                    escape(&f.display())
                ));
            }
        }
    }
    s
}

fn is_numeric(i: &Inline) -> bool {
    match i {
        Inline::Figure(_) => true,
        Inline::Text(t) => t.chars().next().is_some_and(|c| c.is_ascii_digit()) && t.chars().count() <= 12,
    }
}

const CSS: &str = r#"
:root{--ink:#1b1b1b;--muted:#555;--rule:#333}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#efede7;color:var(--ink);font-family:"FangSong_GB2312","仿宋_GB2312","FangSong","STFangsong","仿宋","Noto Serif CJK SC","Source Han Serif SC","Songti SC",serif;font-size:18px;line-height:1.9}
main{max-width:46em;margin:2em auto;padding:3em 3.5em 4em;background:#fff;box-shadow:0 1px 6px rgba(0,0,0,.15)}
h1{font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","STZhongsong","华文中宋","Noto Serif CJK SC","Source Han Serif SC",serif;font-size:1.55em;font-weight:700;text-align:center;line-height:1.5;margin:0 0 .4em}
.subtitle{text-align:center;text-indent:0;margin-bottom:1em}
h2,h3,h4,h5{font-size:1em;margin:.6em 0 0;text-indent:2em;line-height:1.9}
h2{font-family:"黑体","SimHei","Heiti SC","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-weight:400}
h3{font-family:"楷体_GB2312","KaiTi_GB2312","楷体","KaiTi","STKaiti","Kaiti SC",serif;font-weight:400}
h4{font-weight:700}
h5{font-weight:400}
p{margin:0;text-indent:2em;text-align:justify}
.fig{border-bottom:1px dotted #a89a7c}
.table-wrap{overflow-x:auto;margin:.8em 0 1em;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;min-width:100%;font-size:.8em;line-height:1.55}
caption{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;caption-side:top;padding:.3em 0;font-size:1.1em}
th,td{border:1px solid var(--rule);padding:.25em .5em;vertical-align:middle}
th{background:#f4f2ec;font-weight:700;text-align:center}
td.num{text-align:right;white-space:nowrap}
.table-note,.note{text-indent:0;font-size:.85em;color:var(--muted)}
figure{margin:1em 0;text-align:center}
figure svg{width:100%;height:auto;max-width:900px}
figcaption{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-size:.95em}
.page-break{border:0;border-top:1px dashed #bbb;margin:2em 0}
.appendix-label{text-indent:0;font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif}
h2.appendix-title{text-indent:0;text-align:center;font-size:1.3em;font-weight:700;font-family:"方正小标宋简体","STZhongsong","Noto Serif CJK SC",serif;margin:.4em 0 .8em}
@media (max-width:640px){
 body{background:#fff;font-size:17px;line-height:1.8}
 main{margin:0;padding:1.2em 1em 2em;box-shadow:none}
 h1{font-size:1.35em}
}
@media print{
 @page{size:A4;margin:37mm 26mm 35mm 28mm;@bottom-center{content:"— " counter(page) " —";font-family:"宋体","SimSun","Noto Serif CJK SC",serif;font-size:14pt}}
 body{background:#fff;font-size:16pt;line-height:28pt}
 main{max-width:none;margin:0;padding:0;box-shadow:none}
 h1{font-size:22pt;line-height:1.4;font-weight:400}
 .fig{border:0}
 table{font-size:11pt}
 table,figure{break-inside:avoid}
 h2,h3,h4,h5{break-after:avoid}
 .page-break{border:0;margin:0;break-before:page}
}
"#;

impl Renderer for HtmlRenderer {
    fn title(&mut self, title: &str, subtitle: Option<&str>) -> Result<(), Error> {
        self.title = title.to_string();
        self.body.push_str(&format!("<h1>{}</h1>\n", escape(title)));
        if let Some(s) = subtitle {
            self.body
                .push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(s)));
        }
        Ok(())
    }

    fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error> {
        let h = level.clamp(1, 4) + 1;
        self.body
            .push_str(&format!("<h{h}>{}{}</h{h}>\n", escape(number), escape(text)));
        Ok(())
    }

    fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        self.body.push_str(&format!("<p>{}</p>\n", inline_html(inlines)));
        Ok(())
    }

    fn table(&mut self, number: usize, table: &Table) -> Result<(), Error> {
        let b = &mut self.body;
        b.push_str("<div class=\"table-wrap\"><table>\n");
        b.push_str(&format!(
            "<caption>表{number}　{}</caption>\n<thead><tr>",
            escape(&table.title)
        ));
        for h in &table.header {
            b.push_str(&format!("<th>{}</th>", escape(h)));
        }
        b.push_str("</tr></thead>\n<tbody>\n");
        for row in &table.rows {
            b.push_str("<tr>");
            for c in row {
                let class = if is_numeric(c) { " class=\"num\"" } else { "" };
                b.push_str(&format!("<td{class}>{}</td>", inline_html(std::slice::from_ref(c))));
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</tbody></table></div>\n");
        if let Some(n) = &table.note {
            b.push_str(&format!("<p class=\"table-note\">注：{}</p>\n", escape(n)));
        }
        Ok(())
    }

    fn chart(&mut self, number: usize, chart: &Chart) -> Result<(), Error> {
        let svg = chart.to_svg()?;
        // The XML declaration, if any, is not allowed inside HTML.
        let svg = match svg.find("<svg") {
            Some(i) => &svg[i..],
            None => svg.as_str(),
        };
        self.body.push_str(&format!(
            "<figure role=\"img\" aria-label=\"{}\">\n{}\n<figcaption>图{number}　{}</figcaption>\n</figure>\n",
            escape(&chart.title),
            svg.trim(),
            escape(&chart.title)
        ));
        Ok(())
    }

    fn note(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        self.body
            .push_str(&format!("<p class=\"note\">注：{}</p>\n", inline_html(inlines)));
        Ok(())
    }

    fn appendix(&mut self, label: &str, title: &str) -> Result<(), Error> {
        self.body.push_str(&format!(
            "<section class=\"appendix\"><p class=\"appendix-label\">{}</p>\n<h2 class=\"appendix-title\">{}</h2></section>\n",
            escape(label),
            escape(title)
        ));
        Ok(())
    }

    fn page_break(&mut self) -> Result<(), Error> {
        self.body.push_str("<hr class=\"page-break\">\n");
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
            escape(&self.title),
            self.body
        );
        self.body.clear();
        Ok(page.into_bytes())
    }
}

//! Word (DOCX): the OOXML package written by hand, in the official document
//! layout of GB/T 9704-2012 as far as a work report uses it.
//!
//! - A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right.
//! - Title in 方正小标宋简体 二号 (22 pt), centred.
//! - Body in 仿宋_GB2312 三号 (16 pt), exactly 28 pt line spacing, first line
//!   indented two characters; digits and Latin letters in Times New Roman.
//! - 一、 headings in 黑体, （一） headings in 楷体_GB2312, 1. headings in
//!   bold 仿宋, （1） headings in 仿宋.
//! - Page numbers `— 1 —` in 宋体 四号 (14 pt): odd pages at the right, even
//!   pages at the left, one character in from the margin.
//! - Tables with single borders all round; a header row repeated on every
//!   page.
//! - Every font is named for East Asian text (`w:eastAsia`), so Word and
//!   LibreOffice pick the Chinese face.
//!
//! Charts are embedded as PNG, rasterised with [`CjkFont`]; if no CJK font
//! can be found the chart's data is written as a table instead and
//! [`Renderer::warnings`] says so.

use std::io::{Cursor, Write};

use eduaid_model::convert::clamped;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Inline, Table, plain_text};
use crate::raster::CjkFont;
use crate::render::Renderer;

/// Text width between the margins, in twentieths of a point: 210 mm − 28 mm
/// − 26 mm.
const TEXT_WIDTH_TWIPS: u32 = 8845;
/// Chart width in EMU (150 mm).
const CHART_CX: u64 = 5_400_000;

/// Turns a chart's SVG into PNG bytes.
pub type Rasterizer = Box<dyn Fn(&str) -> Result<Vec<u8>, Error>>;

/// Writes a `.docx` package.
#[derive(Default)]
pub struct DocxRenderer {
    body: String,
    media: Vec<Vec<u8>>,
    font: Option<Result<CjkFont, String>>,
    rasterizer: Option<Rasterizer>,
    warnings: Vec<String>,
    title: String,
    drawings: u32,
}

impl std::fmt::Debug for DocxRenderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocxRenderer")
            .field("font", &self.font)
            .field("custom_rasterizer", &self.rasterizer.is_some())
            .field("images", &self.media.len())
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl DocxRenderer {
    /// A renderer that looks for a CJK font ([`CjkFont::discover`]) the
    /// first time it draws a chart.
    #[must_use]
    pub fn new() -> DocxRenderer {
        DocxRenderer::default()
    }

    /// A renderer that draws chart labels with `font`.
    #[must_use]
    pub fn with_font(font: CjkFont) -> DocxRenderer {
        DocxRenderer {
            font: Some(Ok(font)),
            ..DocxRenderer::default()
        }
    }

    /// A renderer that writes charts as data tables (no font needed).
    #[must_use]
    pub fn without_pictures() -> DocxRenderer {
        DocxRenderer {
            font: Some(Err("pictures turned off".into())),
            ..DocxRenderer::default()
        }
    }

    /// A renderer that turns chart SVG into PNG with `rasterizer` (another
    /// rasteriser, or a fixed image for tests).
    #[must_use]
    pub fn with_rasterizer(rasterizer: impl Fn(&str) -> Result<Vec<u8>, Error> + 'static) -> DocxRenderer {
        DocxRenderer {
            rasterizer: Some(Box::new(rasterizer)),
            ..DocxRenderer::default()
        }
    }

    fn para(&mut self, style: &str, extra_ppr: &str, runs: &str) {
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{extra_ppr}</w:pPr>{runs}</w:p>"
        ));
    }

    /// Keep the last paragraph written on the page of the next one.
    fn keep_last_with_next(&mut self) {
        // After its style, as the schema orders a paragraph's properties.
        let Some(p) = self.body.rfind("<w:p><w:pPr><w:pStyle ") else {
            return;
        };
        let end = self.body[p..].find("</w:pPr>").map_or(self.body.len(), |q| p + q);
        if self.body[p..end].contains("<w:keepNext/>") {
            return;
        }
        if let Some(q) = self.body[p..].find("/>") {
            self.body.insert_str(p + q + 2, "<w:keepNext/>");
        }
    }

    fn font(&mut self) -> Result<&CjkFont, String> {
        if self.font.is_none() {
            self.font = Some(CjkFont::discover().map_err(|e| e.to_string()));
        }
        match &self.font {
            Some(Ok(f)) => Ok(f),
            Some(Err(e)) => Err(e.clone()),
            None => Err("no font".into()),
        }
    }
}

/// Escape text for XML, dropping the characters XML 1.0 does not allow
/// (control characters other than tab and line breaks, U+FFFE, U+FFFF),
/// which would make Word report the file as corrupt.
fn esc(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}'))
        .collect();
    crate::render::html::escape(&clean)
}

/// A run of text (`w:t` keeps its spaces).
fn run(text: &str, rpr: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let rpr = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    format!("<w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(text))
}

fn runs(inlines: &[Inline], rpr: &str) -> String {
    // Adjacent text is merged so the XML (and its snapshot) stays small.
    run(&plain_text(inlines), rpr)
}

/// Column widths in twips: a column whose cells are short gets room for
/// them on one line; what is left goes to the long columns in proportion
/// to how much more they need.
fn column_widths(table: &Table) -> Vec<u32> {
    // 小四 (12 pt) is 120 twips a half-character, 五号 (10.5 pt) 105; each
    // cell has 170 twips of margins.
    const MARGINS: u32 = 170;
    let half_char = table_font_half_points(table) * 5;
    let n = clamped::<_, u32>(table.header.len().max(1));
    let avail = TEXT_WIDTH_TWIPS.saturating_sub(n * MARGINS) / half_char;
    let mut min = Vec::new();
    let mut want = Vec::new();
    for (i, h) in table.header.iter().enumerate() {
        let cells = table
            .rows
            .iter()
            .filter_map(|r| r.get(i))
            .map(|c| text_width(&c.plain()));
        let widest = cells.clone().chain([text_width(h)]).max().unwrap_or(4).max(4);
        let short = cells
            .filter(|w| *w <= 16)
            .chain([text_width(h).min(10)])
            .max()
            .unwrap_or(4)
            .max(4);
        // Two half-characters of slack: substituted fonts run wider.
        min.push(short.max(widest.min(12)) + 2);
        want.push(widest.min(80) + 2);
    }
    let sum_min: u32 = min.iter().sum();
    let sum_want: u32 = want.iter().sum();
    let half_chars: Vec<u32> = if sum_want <= avail {
        want.iter().map(|w| w * avail / sum_want.max(1)).collect()
    } else if sum_min <= avail {
        let extra = avail - sum_min;
        let need: u32 = want.iter().zip(&min).map(|(w, m)| w.saturating_sub(*m)).sum();
        want.iter()
            .zip(&min)
            .map(|(w, m)| m + w.saturating_sub(*m) * extra / need.max(1))
            .collect()
    } else {
        min.iter().map(|m| m * avail / sum_min.max(1)).collect()
    };
    half_chars.iter().map(|w| w * half_char + MARGINS).collect()
}

/// Table text is 小四 (12 pt); a table of five or more columns is set in
/// 五号 (10.5 pt) to fit the page. In half-points.
fn table_font_half_points(table: &Table) -> u32 {
    if table.header.len() >= 5 { 21 } else { 24 }
}

/// The display width of a string in half-characters (CJK counts two).
fn text_width(s: &str) -> u32 {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

impl Renderer for DocxRenderer {
    fn title(&mut self, title: &str, subtitle: Option<&str>) -> Result<(), Error> {
        self.title = title.to_string();
        for line in title.lines() {
            self.para("Title", "", &run(line, ""));
        }
        if let Some(s) = subtitle {
            self.para("Subtitle", "", &run(s, ""));
        }
        // One blank line between the title and the body, as the standard
        // sets it.
        self.para("Normal", "", "");
        Ok(())
    }

    fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error> {
        let style = format!("Heading{}", level.clamp(1, 4));
        self.para(&style, "", &run(&format!("{number}{text}"), ""));
        Ok(())
    }

    fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        self.para("Normal", "", &runs(inlines, ""));
        Ok(())
    }

    fn note(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        let mut v = vec![Inline::text("注：")];
        v.extend_from_slice(inlines);
        self.para("Note", "", &runs(&v, ""));
        Ok(())
    }

    fn appendix(&mut self, label: &str, title: &str) -> Result<(), Error> {
        self.para("AppendixLabel", "", &run(label, ""));
        self.para("Title", "", &run(title, ""));
        self.para("Normal", "", "");
        Ok(())
    }

    fn addressee(&mut self, to: &str) -> Result<(), Error> {
        // 主送机关: under the title, flush left.
        self.para("Normal", NO_INDENT, &run(to, ""));
        Ok(())
    }

    fn attachments(&mut self, titles: &[String]) -> Result<(), Error> {
        // 附件说明: one blank line after the body, two characters in, kept
        // on the page of the body's last lines and of the signature.
        self.keep_last_with_next();
        self.para("Normal", "<w:keepNext/>", "");
        for line in crate::render::attachment_lines(titles) {
            self.para("Normal", "<w:keepNext/>", &run(&line, ""));
        }
        Ok(())
    }

    fn signature(&mut self, lines: &[String]) -> Result<(), Error> {
        // 落款: two blank lines, then the issuing body and the date
        // right-aligned, four characters from the right margin. The page of
        // the signature carries body text (GB/T 9704): the last paragraph
        // before it keeps with it.
        self.keep_last_with_next();
        let keep = "<w:keepNext/>";
        self.para("Normal", keep, "");
        self.para("Normal", keep, "");
        for (i, l) in lines.iter().enumerate() {
            let keep = if i + 1 < lines.len() { "<w:keepNext/>" } else { "" };
            self.para("Normal", &format!("{keep}{SIGNATURE}"), &run(l, ""));
        }
        Ok(())
    }

    fn page_break(&mut self) -> Result<(), Error> {
        self.body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
        Ok(())
    }

    fn table(&mut self, number: usize, table: &Table) -> Result<(), Error> {
        self.para("Caption", "", &run(&format!("表{number}　{}", table.title), ""));
        let n = table.header.len().max(1);
        let widths = column_widths(table);
        let mut x = String::new();
        x.push_str(
            "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>\
             <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
             </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/>\
             <w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"04A0\" w:firstRow=\"1\" \
             w:lastRow=\"0\" w:firstColumn=\"1\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>",
        );
        for cw in &widths {
            x.push_str(&format!("<w:gridCol w:w=\"{cw}\"/>"));
        }
        x.push_str("</w:tblGrid>");
        let hp = table_font_half_points(table);
        let size = format!("<w:sz w:val=\"{hp}\"/><w:szCs w:val=\"{hp}\"/>");
        // Exact line height: the font size plus a quarter.
        let line = hp * 25 / 2;
        let cell = |text: &str, width: u32, header: bool, numeric: bool| -> String {
            let jc = if header {
                "center"
            } else if numeric {
                "right"
            } else {
                "left"
            };
            let rpr = if header {
                format!("<w:b/><w:bCs/>{size}")
            } else {
                size.clone()
            };
            format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>\
                 <w:p><w:pPr><w:pStyle w:val=\"TableText\"/><w:spacing w:line=\"{line}\" w:lineRule=\"exact\"/>\
                 <w:jc w:val=\"{jc}\"/></w:pPr>{}</w:p></w:tc>",
                run(text, &rpr)
            )
        };
        x.push_str("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>");
        for (i, h) in table.header.iter().enumerate() {
            x.push_str(&cell(
                h,
                widths.get(i).copied().unwrap_or(TEXT_WIDTH_TWIPS),
                true,
                false,
            ));
        }
        x.push_str("</w:tr>");
        for row in &table.rows {
            x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (i, c) in row.iter().enumerate().take(n) {
                let numeric = matches!(c, Inline::Figure(_))
                    || c.plain().chars().next().is_some_and(|ch| ch.is_ascii_digit())
                        && c.plain().chars().count() <= 12;
                x.push_str(&cell(
                    &c.plain(),
                    widths.get(i).copied().unwrap_or(TEXT_WIDTH_TWIPS),
                    false,
                    numeric,
                ));
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl>");
        self.body.push_str(&x);
        if let Some(note) = &table.note {
            self.para("Note", "", &run(&format!("注：{note}"), ""));
        } else {
            // Word needs a paragraph between two tables; it also spaces
            // the table from the text that follows.
            self.para("Note", "", "");
        }
        Ok(())
    }

    fn chart(&mut self, number: usize, chart: &Chart) -> Result<(), Error> {
        let svg = chart.to_svg()?;
        let png = if let Some(r) = &self.rasterizer {
            r(&svg).map_err(|e| e.to_string())
        } else {
            match self.font() {
                Ok(font) => font.svg_to_png(&svg, 2.0).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            }
        };
        let png = match png {
            Ok(p) => p,
            Err(reason) => {
                self.warnings
                    .push(format!("chart {number} ({}) written as a table: {reason}", chart.title));
                let mut t = chart.data_table();
                t.title = format!("（图{number}数据）{}", chart.title);
                return self.table(number, &t);
            }
        };
        self.media.push(png);
        self.drawings += 1;
        let id = self.drawings;
        let rid = format!("rIdImg{}", self.media.len());
        let cy = CHART_CX * 500 / 900;
        let name = esc(&chart.title);
        let drawing = format!(
            "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
             <wp:extent cx=\"{CHART_CX}\" cy=\"{cy}\"/><wp:effectExtent l=\"0\" t=\"0\" r=\"0\" b=\"0\"/>\
             <wp:docPr id=\"{id}\" name=\"图{number}\" descr=\"{name}\"/>\
             <wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>\
             <a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
             <pic:pic><pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"chart{id}.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
             <pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
             <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{CHART_CX}\" cy=\"{cy}\"/></a:xfrm>\
             <a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>\
             </wp:inline></w:drawing></w:r>"
        );
        self.para("Figure", "", &drawing);
        self.para("Caption", "", &run(&format!("图{number}　{}", chart.title), ""));
        Ok(())
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        let document = document_xml(&self.body);
        let mut parts: Vec<(String, Vec<u8>)> = vec![
            ("[Content_Types].xml".into(), content_types().into_bytes()),
            ("_rels/.rels".into(), ROOT_RELS.as_bytes().to_vec()),
            ("docProps/core.xml".into(), core_xml(&self.title).into_bytes()),
            ("docProps/app.xml".into(), APP_XML.as_bytes().to_vec()),
            ("word/document.xml".into(), document.into_bytes()),
            ("word/styles.xml".into(), STYLES_XML.as_bytes().to_vec()),
            ("word/settings.xml".into(), SETTINGS_XML.as_bytes().to_vec()),
            ("word/fontTable.xml".into(), FONT_TABLE_XML.as_bytes().to_vec()),
            ("word/footer1.xml".into(), footer_xml(true).into_bytes()),
            ("word/footer2.xml".into(), footer_xml(false).into_bytes()),
            (
                "word/_rels/document.xml.rels".into(),
                document_rels(self.media.len()).into_bytes(),
            ),
        ];
        for (i, png) in self.media.iter().enumerate() {
            parts.push((format!("word/media/chart{}.png", i + 1), png.clone()));
        }
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, data) in &parts {
            let fail = |e: String| Error::Docx {
                part: name.clone(),
                reason: e,
            };
            zip.start_file(name.as_str(), opts).map_err(|e| fail(e.to_string()))?;
            zip.write_all(data).map_err(|e| fail(e.to_string()))?;
        }
        let cursor = zip.finish().map_err(|e| Error::Docx {
            part: "zip".into(),
            reason: e.to_string(),
        })?;
        self.body.clear();
        self.media.clear();
        self.drawings = 0;
        Ok(cursor.into_inner())
    }
}

/// A paragraph without the first-line indent.
const NO_INDENT: &str = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"left\"/>";
/// A signature line: right-aligned, four characters (4 × 16 pt) in.
const SIGNATURE: &str =
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\" w:right=\"1280\" w:rightChars=\"400\"/><w:jc w:val=\"right\"/>";

/// `word/fontTable.xml`: the fonts GB/T 9704 names, each with the fonts a
/// system without it should use instead (altName, then family and
/// charset, so Word and LibreOffice pick a CJK face of the same kind).
const FONT_TABLE_XML: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:fonts xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"仿宋\"><w:altName w:val=\"FangSong\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"方正小标宋简体\"><w:altName w:val=\"方正小标宋_GBK\"/><w:charset w:val=\"86\"/><w:family w:val=\"script\"/><w:pitch w:val=\"variable\"/></w:font>",
    "<w:font w:name=\"方正小标宋_GBK\"><w:altName w:val=\"宋体\"/><w:charset w:val=\"86\"/><w:family w:val=\"script\"/><w:pitch w:val=\"variable\"/></w:font>",
    "<w:font w:name=\"黑体\"><w:altName w:val=\"SimHei\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"楷体_GB2312\"><w:altName w:val=\"楷体\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"楷体\"><w:altName w:val=\"KaiTi\"/><w:charset w:val=\"86\"/><w:family w:val=\"modern\"/><w:pitch w:val=\"fixed\"/></w:font>",
    "<w:font w:name=\"宋体\"><w:altName w:val=\"SimSun\"/><w:charset w:val=\"86\"/><w:family w:val=\"auto\"/><w:pitch w:val=\"variable\"/></w:font>",
    "<w:font w:name=\"Times New Roman\"><w:charset w:val=\"00\"/><w:family w:val=\"roman\"/><w:pitch w:val=\"variable\"/></w:font>",
    "</w:fonts>\n"
);

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// `word/document.xml` around the body XML.
fn document_xml(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\" \
         xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" \
         xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" \
         xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
         <w:body>{body}<w:sectPr>\
         <w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
         <w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\" w:header=\"851\" w:footer=\"1304\" w:gutter=\"0\"/>\
         <w:cols w:space=\"425\"/><w:docGrid w:linePitch=\"560\"/>\
         </w:sectPr></w:body></w:document>\n"
    )
}

fn content_types() -> String {
    let ct = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Default Extension=\"png\" ContentType=\"image/png\"/>\
         <Override PartName=\"/word/document.xml\" ContentType=\"{ct}.document.main+xml\"/>\
         <Override PartName=\"/word/styles.xml\" ContentType=\"{ct}.styles+xml\"/>\
         <Override PartName=\"/word/settings.xml\" ContentType=\"{ct}.settings+xml\"/>\
         <Override PartName=\"/word/fontTable.xml\" ContentType=\"{ct}.fontTable+xml\"/>\
         <Override PartName=\"/word/footer1.xml\" ContentType=\"{ct}.footer+xml\"/>\
         <Override PartName=\"/word/footer2.xml\" ContentType=\"{ct}.footer+xml\"/>\
         <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
         <Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
         </Types>\n"
    )
}

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>\n";

fn document_rels(images: usize) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
         <Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
         <Relationship Id=\"rIdFonts\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
         <Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
         <Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>",
    );
    for i in 1..=images {
        s.push_str(&format!(
            "<Relationship Id=\"rIdImg{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/chart{i}.png\"/>"
        ));
    }
    s.push_str("</Relationships>\n");
    s
}

fn core_xml(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <dc:title>{}</dc:title><dc:creator>eduaid</dc:creator><dc:language>zh-CN</dc:language>\
         </cp:coreProperties>\n",
        esc(title)
    )
}

const APP_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>eduaid-report</Application></Properties>\n";

const SETTINGS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/>\
<w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>\n";

/// The footer with the page number `— 1 —`: odd pages at the right, even
/// at the left, one character (14 pt = 280 twips) in from the margin.
fn footer_xml(odd: bool) -> String {
    let (jc, ind) = if odd {
        ("right", "<w:ind w:right=\"280\"/>")
    } else {
        ("left", "<w:ind w:left=\"280\"/>")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:ftr xmlns:w=\"{W_NS}\" xmlns:r=\"{R_NS}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>\
         <w:r><w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>\n"
    )
}

/// Fonts for a style: Latin in `latin`, Chinese in `east_asia`.
macro_rules! fonts {
    ($latin:literal, $ea:literal) => {
        concat!(
            "<w:rFonts w:ascii=\"",
            $latin,
            "\" w:hAnsi=\"",
            $latin,
            "\" w:eastAsia=\"",
            $ea,
            "\" w:cs=\"",
            $latin,
            "\"/>"
        )
    };
}

const STYLES_XML: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:docDefaults><w:rPrDefault><w:rPr>",
    fonts!("Times New Roman", "仿宋_GB2312"),
    "<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/>",
    "</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"560\" w:lineRule=\"exact\"/>",
    "</w:pPr></w:pPrDefault></w:docDefaults>",
    // Body: 仿宋_GB2312 三号, first line indented two characters.
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>",
    "<w:pPr><w:widowControl w:val=\"0\"/><w:spacing w:line=\"560\" w:lineRule=\"exact\"/>",
    "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr>",
    "<w:rPr>",
    fonts!("Times New Roman", "仿宋_GB2312"),
    "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>",
    // Title: 方正小标宋简体 二号, centred.
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:spacing w:line=\"700\" w:lineRule=\"exact\"/>",
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr>",
    fonts!("Times New Roman", "方正小标宋简体"),
    "<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"Subtitle\"><w:name w:val=\"Subtitle\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:pPr><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr>",
    "<w:rPr>",
    fonts!("Times New Roman", "楷体_GB2312"),
    "</w:rPr></w:style>",
    // 一、 黑体.
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr>",
    fonts!("Times New Roman", "黑体"),
    "</w:rPr></w:style>",
    // （一） 楷体_GB2312.
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr>",
    fonts!("Times New Roman", "楷体_GB2312"),
    "</w:rPr></w:style>",
    // 1. 仿宋 bold.
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"3\"/></w:pPr>",
    "<w:rPr><w:b/><w:bCs/></w:rPr></w:style>",
    // （1） 仿宋.
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading4\"><w:name w:val=\"heading 4\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:outlineLvl w:val=\"4\"/></w:pPr></w:style>",
    // 附件1: 黑体 三号 at the top left.
    "<w:style w:type=\"paragraph\" w:styleId=\"AppendixLabel\"><w:name w:val=\"Appendix Label\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Title\"/><w:pPr><w:keepNext/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr><w:rPr>",
    fonts!("Times New Roman", "黑体"),
    "</w:rPr></w:style>",
    // Captions of tables and figures: 黑体 四号, centred.
    "<w:style w:type=\"paragraph\" w:styleId=\"Caption\"><w:name w:val=\"caption\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:next w:val=\"Normal\"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before=\"120\" w:after=\"60\" w:line=\"400\" w:lineRule=\"exact\"/>",
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr><w:rPr>",
    fonts!("Times New Roman", "黑体"),
    "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>",
    // Table text: 仿宋 小四, single spacing, no indent.
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"320\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr>",
    "<w:rPr><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/></w:rPr></w:style>",
    // Notes: 仿宋 四号.
    "<w:style w:type=\"paragraph\" w:styleId=\"Note\"><w:name w:val=\"Note\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:pPr><w:spacing w:before=\"60\" w:after=\"120\" w:line=\"400\" w:lineRule=\"exact\"/>",
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr>",
    "<w:rPr><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>",
    // Pictures: automatic line height, or an exact one would clip them.
    "<w:style w:type=\"paragraph\" w:styleId=\"Figure\"><w:name w:val=\"Figure\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:pPr><w:keepNext/><w:spacing w:before=\"120\" w:line=\"240\" w:lineRule=\"auto\"/>",
    "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"center\"/></w:pPr></w:style>",
    // Page numbers: 宋体 四号.
    "<w:style w:type=\"paragraph\" w:styleId=\"Footer\"><w:name w:val=\"footer\"/><w:basedOn w:val=\"Normal\"/>",
    "<w:pPr><w:spacing w:line=\"240\" w:lineRule=\"auto\"/><w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/></w:pPr><w:rPr>",
    fonts!("宋体", "宋体"),
    "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/></w:rPr></w:style>",
    "</w:styles>\n"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_escape_and_keep_spaces() {
        assert_eq!(
            run("a<b & c", ""),
            "<w:r><w:t xml:space=\"preserve\">a&lt;b &amp; c</w:t></w:r>"
        );
        assert_eq!(run("", "<w:b/>"), "");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(esc("a\u{1}b\u{ffff}c\td"), "abc\td");
    }

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(text_width("ab中"), 4);
    }
}

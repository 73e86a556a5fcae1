//! # eduaid-report: the county work report in Word, HTML and Markdown
//!
//! The last step of the eduaid chain. The eligibility crate says who is
//! owed which aid, the statistics crate computes retention and enrolment;
//! this crate receives their results as typed [`Figure`]s and writes the
//! work report (工作报告) a county education bureau submits. It depends on
//! `eduaid-model` alone: the caller converts results into figures, so the
//! report can be built from any source.
//!
//! ## Architecture
//!
//! ```text
//!  figures (FigureSet) ─┐
//!  words, tables, charts ├─ ReportData ─► Template (minijinja) ─► Document ─► Renderer ─► bytes
//!                       │                                           │        ├ DocxRenderer  (.docx, GB/T 9704)
//!                       │                                           │        ├ HtmlRenderer  (.html, one file)
//!                       │                                           │        ├ MarkdownRenderer (.md)
//!                       │                                           │        └ your own back end
//!                       └─ Relations ─► validate_figures ─┐         └─► to_text ─► validate_text
//!                                                         └──────────► Validation (checks and findings)
//! ```
//!
//! Every item has one public path. The modules are private and their
//! items are at the crate root, except [`value`], which keeps its path
//! because its `Value` is also a name at the eligibility crate's root.
//!
//! - Figures: a [`Figure`] is a key, a label, a [`value::Value`] and a
//!   [`Source`]. A value is a count (人, 人次, 所, 个班), an amount of
//!   [`Money`](eduaid_model::Money) (shown in 元/万元/亿元 with its
//!   significant decimals: 673.5875万元, 1.14亿元), a
//!   [`value::Percentage`] (the model's exact
//!   [`Rate`](eduaid_model::rate::Rate), the one the statistics crate
//!   computes, printed at a precision and rounding: 98.86%), a date
//!   (2017年7月11日) or a plain number. Rounding happens once, when shown.
//! - The document: the format-independent [`Document`] — title, headings
//!   at the official levels (一、 /（一）/ 1. /（1）, numbered
//!   automatically), paragraphs mixing text and figures, tables, charts,
//!   notes, and the data appendix ([`Document::push_data_appendix`]).
//! - The template: the narrative as a user-editable minijinja [`Template`]
//!   ([`DEFAULT_TEMPLATE`] follows a county report's structure); an
//!   undefined figure is an error naming the template line.
//! - Rendering: the [`Renderer`] trait (three required methods) and the
//!   DOCX, HTML, Markdown and plain-text back ends ([`render()`]).
//! - Charts: bar and line [`Chart`]s drawn with plotters to SVG, turned
//!   into PNG for Word with resvg and a CJK font found on the machine
//!   ([`CjkFont::discover`]). A chart knows nothing of the document; the
//!   document knows a chart's data as a table ([`Chart::data_table`]).
//! - The validator: the arithmetic a careful reader checks — parts and
//!   totals, rates at the printed precision (and double rounding, by the
//!   model's [`detect_double_rounding`](eduaid_model::rate::detect_double_rounding)),
//!   amounts against a stated standard — on typed figures
//!   ([`validate_figures`]) or on plain text ([`validate_text`]).
//!
//! ## Example
//! ```
//! use eduaid_model::Money;
//! use eduaid_report::*;
//!
//! let mut data = ReportData::new();
//! data.var("county", "示范县")?;
//! data.figure(Figure::count("preschool_aided", "学前资助人数", 2409, "人", Source::program("preschool-aid")))?;
//! data.figure(
//!     Figure::money("preschool_amount", "学前资助资金", Money::yuan(1_204_500), Source::program("preschool-aid"))
//!         .in_wan_yuan(),
//! )?;
//! let template = Template::new(
//!     "report",
//!     "% {{ county }}学前教育资助情况\n\n# 资助情况\n今年春季学期，共资助{{ preschool_aided }}，补助资金{{ preschool_amount }}。\n",
//! );
//! let doc = template.render(&data)?;
//! let md = String::from_utf8(render(&doc, &mut MarkdownRenderer::new())?)?;
//! assert!(md.contains("## 一、资助情况"));
//! assert!(md.contains("共资助2409人，补助资金120.45万元。"));
//!
//! // The text of the report checks out.
//! assert!(validate_text(&to_text(&doc)?).is_consistent());
//! // And a Word file is a zip package.
//! let docx = render(&doc, &mut DocxRenderer::without_pictures())?;
//! assert_eq!(&docx[..2], b"PK");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod chart;
mod doc;
mod error;
mod figure;
mod raster;
mod render;
mod template;
mod validate;
pub mod value;

pub use chart::{Chart, ChartKind, Series, Threshold};
pub use doc::{Block, Document, Heading, Inline, Numbering, Table, chinese_numeral, fig, heading_number, plain_text};
pub use error::Error;
pub use figure::{Figure, FigureSet, Source};
pub use raster::CjkFont;
pub use render::{
    DocxRenderer, HtmlRenderer, MarkdownRenderer, Rasterizer, Renderer, TextRenderer, attachment_lines, render, to_text,
};
pub use template::{
    DEFAULT_TEMPLATE, MAX_TEMPLATE_FUEL, MAX_TEMPLATE_OUTPUT, MAX_TEMPLATE_RANGE, ReportData, Template, Var,
};
pub use validate::{Check, CheckKind, Relation, Validation, restore_decimals, validate_figures, validate_text};

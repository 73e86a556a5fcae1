//! The [`Renderer`] trait and its back ends: [`DocxRenderer`] (Word, GB/T
//! 9704-2012), [`HtmlRenderer`] (one self-contained page), and
//! [`MarkdownRenderer`] (GFM), plus [`TextRenderer`], the smallest
//! possible back end and the one the validator reads.
//!
//! A back end implements three methods — [`Renderer::heading`],
//! [`Renderer::paragraph`] and [`Renderer::finish`] — and overrides the
//! defaulted ones (title, tables, charts, notes, page breaks) where its
//! format can do better. [`render`] walks a [`Document`], numbers headings,
//! tables and charts, and calls the back end.

mod docx;
mod html;
mod markdown;

pub use docx::{DocxRenderer, Rasterizer};
pub use html::HtmlRenderer;
pub use markdown::MarkdownRenderer;

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Block, Document, Inline, Numbering, Table, plain_text};

/// A back end that writes a [`Document`] in one format.
///
/// Required: [`heading`](Renderer::heading), [`paragraph`](Renderer::paragraph),
/// [`finish`](Renderer::finish). The rest have defaults built on those:
/// override [`table`](Renderer::table) and [`chart`](Renderer::chart) for a
/// format that has real tables and pictures.
///
/// ```
/// use eduaid_report::{render, Document, Error, Inline, Renderer};
/// /// Counts the paragraphs (a back end in eleven lines).
/// #[derive(Default)]
/// struct Count(usize);
/// impl Renderer for Count {
///     fn heading(&mut self, _: u8, _: &str, _: &str) -> Result<(), Error> { Ok(()) }
///     fn paragraph(&mut self, _: &[Inline]) -> Result<(), Error> { self.0 += 1; Ok(()) }
///     fn finish(&mut self) -> Result<Vec<u8>, Error> { Ok(self.0.to_string().into_bytes()) }
/// }
/// let mut doc = Document::new("标题");
/// doc.text("正文。");
/// assert_eq!(render(&doc, &mut Count::default())?, b"2"); // title + one paragraph
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Renderer {
    /// A heading at `level` (1–4) with its number (`一、`, `（一）`, `1.`,
    /// `（1）`) and its words.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error>;

    /// A body paragraph.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error>;

    /// The finished file's bytes.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn finish(&mut self) -> Result<Vec<u8>, Error>;

    /// The title and the line under it. Default: paragraphs.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn title(&mut self, title: &str, subtitle: Option<&str>) -> Result<(), Error> {
        self.paragraph(&[Inline::text(title)])?;
        if let Some(s) = subtitle {
            self.paragraph(&[Inline::text(s)])?;
        }
        Ok(())
    }

    /// Table number `number`. Default: the caption and one paragraph per
    /// row, `header：cell；…`.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn table(&mut self, number: usize, table: &Table) -> Result<(), Error> {
        self.paragraph(&[Inline::text(format!("表{number}　{}", table.title))])?;
        for row in &table.rows {
            let cells: Vec<String> = table
                .header
                .iter()
                .zip(row)
                .map(|(h, c)| format!("{h}：{}", c.plain()))
                .collect();
            self.paragraph(&[Inline::text(cells.join("；"))])?;
        }
        if let Some(n) = &table.note {
            self.note(&[Inline::text(n.clone())])?;
        }
        Ok(())
    }

    /// Chart number `number`. Default: its data as a table captioned 图N.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn chart(&mut self, number: usize, chart: &Chart) -> Result<(), Error> {
        let mut t = chart.data_table();
        t.title = format!("（图{number}数据）{}", chart.title);
        self.table(number, &t)
    }

    /// A note. Default: a paragraph starting 注：.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn note(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        let mut v = vec![Inline::text("注：")];
        v.extend_from_slice(inlines);
        self.paragraph(&v)
    }

    /// The head of an attachment: `附件1` and its title. Default: two
    /// paragraphs.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn appendix(&mut self, label: &str, title: &str) -> Result<(), Error> {
        self.paragraph(&[Inline::text(label)])?;
        self.paragraph(&[Inline::text(title)])
    }

    /// The addressee (主送机关) under the title. Default: a paragraph.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn addressee(&mut self, to: &str) -> Result<(), Error> {
        self.paragraph(&[Inline::text(to)])
    }

    /// The note of attachments (附件说明) after the body: `附件：1．…`, one
    /// line each. Default: paragraphs.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn attachments(&mut self, titles: &[String]) -> Result<(), Error> {
        for line in attachment_lines(titles) {
            self.paragraph(&[Inline::text(line)])?;
        }
        Ok(())
    }

    /// The signature (落款): issuing body and date at the end of the body.
    /// Default: paragraphs.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn signature(&mut self, lines: &[String]) -> Result<(), Error> {
        for l in lines {
            self.paragraph(&[Inline::text(l.clone())])?;
        }
        Ok(())
    }

    /// A page break. Default: nothing.
    ///
    /// # Errors
    /// Whatever the back end fails with.
    fn page_break(&mut self) -> Result<(), Error> {
        Ok(())
    }

    /// Messages about what could not be rendered as asked (a chart printed
    /// as a table for want of a font).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Forward every method, required and defaulted, so a borrowed or boxed
/// renderer behaves exactly as the renderer it holds.
macro_rules! forward_renderer {
    ($($ty:ty),*) => {$(
        impl<R: Renderer + ?Sized> Renderer for $ty {
            fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error> {
                (**self).heading(level, number, text)
            }
            fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error> {
                (**self).paragraph(inlines)
            }
            fn finish(&mut self) -> Result<Vec<u8>, Error> {
                (**self).finish()
            }
            fn title(&mut self, title: &str, subtitle: Option<&str>) -> Result<(), Error> {
                (**self).title(title, subtitle)
            }
            fn table(&mut self, number: usize, table: &Table) -> Result<(), Error> {
                (**self).table(number, table)
            }
            fn chart(&mut self, number: usize, chart: &Chart) -> Result<(), Error> {
                (**self).chart(number, chart)
            }
            fn note(&mut self, inlines: &[Inline]) -> Result<(), Error> {
                (**self).note(inlines)
            }
            fn appendix(&mut self, label: &str, title: &str) -> Result<(), Error> {
                (**self).appendix(label, title)
            }
            fn page_break(&mut self) -> Result<(), Error> {
                (**self).page_break()
            }
            fn addressee(&mut self, to: &str) -> Result<(), Error> {
                (**self).addressee(to)
            }
            fn attachments(&mut self, titles: &[String]) -> Result<(), Error> {
                (**self).attachments(titles)
            }
            fn signature(&mut self, lines: &[String]) -> Result<(), Error> {
                (**self).signature(lines)
            }
            fn warnings(&self) -> Vec<String> {
                (**self).warnings()
            }
        }
    )*};
}

forward_renderer!(&mut R, Box<R>);

/// Render `doc` with `renderer`: the title, then every block in order,
/// headings, tables and charts numbered as they come.
///
/// # Errors
/// [`Error::TableShape`] for a malformed table, or the back end's error.
pub fn render<R: Renderer + ?Sized>(doc: &Document, renderer: &mut R) -> Result<Vec<u8>, Error> {
    doc.validate()?;
    renderer.title(&doc.title, doc.subtitle.as_deref())?;
    if let Some(to) = &doc.addressee {
        renderer.addressee(to)?;
    }
    // The body ends where the first attachment (附件) begins: the note of
    // attachments and the signature go there, as GB/T 9704 places them.
    let attachments: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Appendix { title, .. } => Some(title.clone()),
            _ => None,
        })
        .collect();
    let first = doc.blocks.iter().position(|b| matches!(b, Block::Appendix { .. }));
    let end = match first {
        Some(i) if i > 0 && matches!(doc.blocks[i - 1], Block::PageBreak) => i - 1,
        Some(i) => i,
        None => doc.blocks.len(),
    };
    let mut numbering = Numbering::default();
    let (mut tables, mut charts) = (0usize, 0usize);
    for (i, b) in doc.blocks.iter().enumerate() {
        if i == end {
            close_body(doc, renderer, &attachments)?;
        }
        match b {
            Block::Heading(h) => {
                let n = numbering.next(h.level);
                renderer.heading(h.level, &n, &h.text)?;
            }
            Block::Paragraph(p) => renderer.paragraph(p)?,
            Block::Table(t) => {
                tables += 1;
                renderer.table(tables, t)?;
            }
            Block::Chart(c) => {
                charts += 1;
                renderer.chart(charts, c)?;
            }
            Block::Note(n) => renderer.note(n)?,
            Block::PageBreak => renderer.page_break()?,
            Block::Appendix { label, title } => renderer.appendix(label, title)?,
        }
    }
    if end == doc.blocks.len() {
        close_body(doc, renderer, &attachments)?;
    }
    renderer.finish()
}

/// The note of attachments and the signature, after the body.
fn close_body<R: Renderer + ?Sized>(doc: &Document, renderer: &mut R, attachments: &[String]) -> Result<(), Error> {
    if !attachments.is_empty() {
        renderer.attachments(attachments)?;
    }
    if !doc.signature.is_empty() {
        renderer.signature(&doc.signature)?;
    }
    Ok(())
}

/// The lines of a note of attachments: `附件：1．数据来源`, then
/// `　　　2．…` aligned under the first title (one title: no number).
#[must_use]
pub fn attachment_lines(titles: &[String]) -> Vec<String> {
    if let [only] = titles {
        return vec![format!("附件：{only}")];
    }
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let lead = if i == 0 { "附件：" } else { "　　　" };
            format!("{lead}{}．{t}", i + 1)
        })
        .collect()
}

/// Plain text, one paragraph a line: the smallest back end, and what the
/// text validator reads.
#[derive(Debug, Default, Clone)]
pub struct TextRenderer {
    out: String,
}

impl TextRenderer {
    /// An empty renderer.
    #[must_use]
    pub fn new() -> TextRenderer {
        TextRenderer::default()
    }
}

impl Renderer for TextRenderer {
    fn heading(&mut self, _level: u8, number: &str, text: &str) -> Result<(), Error> {
        self.out.push_str(number);
        self.out.push_str(text);
        self.out.push('\n');
        Ok(())
    }

    fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        self.out.push_str(&plain_text(inlines));
        self.out.push('\n');
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        Ok(std::mem::take(&mut self.out).into_bytes())
    }
}

/// Render `doc` as plain text.
///
/// # Errors
/// [`Error::TableShape`] for a malformed table.
pub fn to_text(doc: &Document) -> Result<String, Error> {
    let bytes = render(doc, &mut TextRenderer::new())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

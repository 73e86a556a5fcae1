//! The document model: what a report says, independent of the format it is
//! written in.
//!
//! A [`Document`] is a title and a list of [`Block`]s: headings at the four
//! official levels (一、 /（一）/ 1. /（1）, numbered automatically),
//! paragraphs whose [`Inline`]s mix text and typed [`Figure`]s, tables,
//! charts and notes.

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::chart::Chart;
use crate::figure::Figure;

/// A piece of a paragraph or a table cell: text, or a typed figure printed
/// in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// A figure, printed as its [`Figure::display`].
    Figure(Figure),
}

impl Inline {
    /// Plain text.
    #[must_use]
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text(s.into())
    }

    /// The text as printed.
    #[must_use]
    pub fn plain(&self) -> String {
        match self {
            Inline::Text(t) => t.clone(),
            Inline::Figure(f) => f.display(),
        }
    }
}

/// The text of a run of inlines as printed.
#[must_use]
pub fn plain_text(inlines: &[Inline]) -> String {
    inlines.iter().map(Inline::plain).collect()
}

/// A heading at one of the four official levels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 1 (一、), 2 (（一）), 3 (1.) or 4 (（1）).
    pub level: u8,
    /// The heading's words, without the number.
    pub text: String,
}

/// A table with a header row; every row has the header's width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The caption (numbered 表1, 表2 … when rendered).
    pub title: String,
    /// The column headings.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Inline>>,
    /// A note printed under the table (units, sources).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Table {
    /// An empty table with a caption and header.
    #[must_use]
    pub fn new(title: impl Into<String>, header: &[&str]) -> Table {
        Table {
            title: title.into(),
            header: header.iter().map(|h| (*h).to_string()).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Add a row.
    ///
    /// # Errors
    /// [`Error::TableShape`] if the row is not as wide as the header.
    pub fn push_row(&mut self, row: Vec<Inline>) -> Result<(), Error> {
        if row.len() != self.header.len() {
            return Err(Error::TableShape {
                title: self.title.clone(),
                row: self.rows.len() + 1,
                found: row.len(),
                expected: self.header.len(),
            });
        }
        self.rows.push(row);
        Ok(())
    }

    /// Set the note.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.note = Some(note.into());
        self
    }

    /// Check every row's width.
    ///
    /// # Errors
    /// [`Error::TableShape`] naming the first bad row.
    pub fn validate(&self) -> Result<(), Error> {
        for (i, r) in self.rows.iter().enumerate() {
            if r.len() != self.header.len() {
                return Err(Error::TableShape {
                    title: self.title.clone(),
                    row: i + 1,
                    found: r.len(),
                    expected: self.header.len(),
                });
            }
        }
        Ok(())
    }
}

/// One block of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Block {
    /// A numbered heading.
    Heading(Heading),
    /// A body paragraph (first line indented two characters).
    Paragraph(Vec<Inline>),
    /// A table.
    Table(Table),
    /// A chart.
    Chart(Chart),
    /// A note (注), set smaller than the body.
    Note(Vec<Inline>),
    /// Start a new page (before an appendix).
    PageBreak,
    /// The head of an attachment (附件): its label (`附件1`) at the top left
    /// and its title centred, as GB/T 9704 sets them.
    Appendix {
        /// `附件1`.
        label: String,
        /// The attachment's title.
        title: String,
    },
}

/// A report.
///
/// ```
/// use eduaid_report::{Document, Figure, Inline, Source};
/// let mut doc = Document::new("示范县教育扶贫工作报告");
/// doc.heading(1, "组织领导");
/// doc.heading(2, "完善责任体系");
/// doc.paragraph(vec![
///     Inline::text("共资助学生"),
///     Inline::Figure(Figure::count("n", "受助学生", 12390, "人", Source::default())),
///     Inline::text("。"),
/// ]);
/// let numbers: Vec<String> = doc.heading_numbers().into_iter().map(|(n, _)| n).collect();
/// assert_eq!(numbers, ["一、", "（一）"]);
/// assert_eq!(doc.figures_used().len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The title, centred above the body.
    pub title: String,
    /// A line under the title (issuing body, date), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// The addressee (主送机关), flush left under the title, as GB/T 9704
    /// sets it (`县人民政府：`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressee: Option<String>,
    /// The body.
    pub blocks: Vec<Block>,
    /// The signature (落款) at the end of the body, before any attachment:
    /// the issuing body, then the date, right-aligned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature: Vec<String>,
}

impl Document {
    /// An empty document with a title.
    #[must_use]
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            subtitle: None,
            addressee: None,
            blocks: Vec::new(),
            signature: Vec::new(),
        }
    }

    /// Add a heading at `level` (clamped to 1–4).
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading(Heading {
            level: level.clamp(1, 4),
            text: text.into(),
        }));
    }

    /// Add a paragraph.
    pub fn paragraph(&mut self, inlines: Vec<Inline>) {
        self.blocks.push(Block::Paragraph(inlines));
    }

    /// Add a paragraph of plain text.
    pub fn text(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(vec![Inline::Text(text.into())]));
    }

    /// Add a note.
    pub fn note(&mut self, inlines: Vec<Inline>) {
        self.blocks.push(Block::Note(inlines));
    }

    /// Add a table.
    pub fn table(&mut self, table: Table) {
        self.blocks.push(Block::Table(table));
    }

    /// Add a chart.
    pub fn chart(&mut self, chart: Chart) {
        self.blocks.push(Block::Chart(chart));
    }

    /// The number of every heading, in order, with the heading.
    #[must_use]
    pub fn heading_numbers(&self) -> Vec<(String, &Heading)> {
        let mut n = Numbering::default();
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((n.next(h.level), h)),
                _ => None,
            })
            .collect()
    }

    /// Every figure printed in the document (paragraphs, notes and tables),
    /// first use first, each key once.
    #[must_use]
    pub fn figures_used(&self) -> Vec<&Figure> {
        let mut out: Vec<&Figure> = Vec::new();
        for b in &self.blocks {
            let runs: Vec<&[Inline]> = match b {
                Block::Paragraph(i) | Block::Note(i) => vec![i.as_slice()],
                Block::Table(t) => t.rows.iter().map(Vec::as_slice).collect(),
                _ => Vec::new(),
            };
            for run in runs {
                for inl in run {
                    if let Inline::Figure(f) = inl {
                        if !out.iter().any(|g| g.key == f.key) {
                            out.push(f);
                        }
                    }
                }
            }
        }
        out
    }

    /// Check every table's shape.
    ///
    /// # Errors
    /// [`Error::TableShape`].
    pub fn validate(&self) -> Result<(), Error> {
        for b in &self.blocks {
            if let Block::Table(t) = b {
                t.validate()?;
            }
        }
        Ok(())
    }

    /// Start an attachment (附件) on a new page: its label (`附件1`) and
    /// title.
    pub fn push_appendix(&mut self, label: &str, title: &str) {
        self.blocks.push(Block::PageBreak);
        self.blocks.push(Block::Appendix {
            label: label.to_string(),
            title: title.to_string(),
        });
    }

    /// Append the data appendix (数据来源) as attachment `label` (`附件1`):
    /// a table of every figure the document prints, with its value, how it
    /// was computed and its source.
    pub fn push_data_appendix(&mut self, label: &str) {
        let mut t = Table::new("数据明细", &["序号", "数据项", "数值", "计算与精度", "来源"]);
        let rows: Vec<Vec<Inline>> = self
            .figures_used()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    Inline::text((i + 1).to_string()),
                    Inline::text(f.label.clone()),
                    Inline::text(f.display()),
                    Inline::text(f.value.precision_note()),
                    Inline::text(f.source.to_string()),
                ]
            })
            .collect();
        t.rows = rows;
        t.note = Some("数值按所列精度在呈现时一次舍入；金额为精确值，单位元。".to_string());
        self.push_appendix(label, "报告所用数据及来源");
        self.blocks.push(Block::Table(t));
    }
}

/// Automatic heading numbers: 一、 /（一）/ 1. /（1）.
#[derive(Debug, Default, Clone)]
pub struct Numbering {
    counters: [u32; 4],
}

impl Numbering {
    /// The number of the next heading at `level` (1–4; others clamp).
    pub fn next(&mut self, level: u8) -> String {
        let l = usize::from(level.clamp(1, 4)) - 1;
        self.counters[l] += 1;
        for c in &mut self.counters[l + 1..] {
            *c = 0;
        }
        heading_number(level, self.counters[l])
    }
}

/// The number of the `n`th heading at `level`: `一、`, `（二）`, `3.`,
/// `（4）`.
#[must_use]
pub fn heading_number(level: u8, n: u32) -> String {
    match level.clamp(1, 4) {
        1 => format!("{}、", chinese_numeral(n)),
        2 => format!("（{}）", chinese_numeral(n)),
        3 => format!("{n}."),
        _ => format!("（{n}）"),
    }
}

/// A number in Chinese numerals as headings write it, up to 9999
/// (一, 十, 十一, 二十三, 一百零五); larger numbers stay in digits.
#[must_use]
pub fn chinese_numeral(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let digits = [n / 1000, (n / 100) % 10, (n / 10) % 10, n % 10];
    let units = ["千", "百", "十", ""];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in digits.iter().enumerate() {
        if d == 0 {
            if !out.is_empty() {
                zero = true;
            }
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        // 十一 rather than 一十一 when the number starts at the tens.
        if !(i == 2 && d == 1 && out.is_empty()) {
            out.push_str(D[d as usize]);
        }
        out.push_str(units[i]);
    }
    out
}

/// A chart's data in the document: the chart module draws, the document
/// model knows how a chart reads as a table (so `chart` does not depend on
/// `doc`).
impl Chart {
    /// The chart's data as a table (for formats without pictures, and for
    /// readers who want the numbers).
    #[must_use]
    pub fn data_table(&self) -> Table {
        let mut header: Vec<&str> = vec!["类别"];
        header.extend(self.series.iter().map(|s| s.name.as_str()));
        let mut t = Table::new(self.title.clone(), &header);
        for (i, c) in self.categories.iter().enumerate() {
            let mut row = vec![Inline::text(c.clone())];
            for s in &self.series {
                let v = s.values.get(i).map(|v| self.label(*v)).unwrap_or_default();
                row.push(Inline::text(format!("{v}{}", self.unit)));
            }
            t.rows.push(row);
        }
        if let Some(th) = &self.threshold {
            t.note = Some(format!("{}：{}{}", th.label, th.value.normalize(), self.unit));
        }
        t
    }
}

/// Make an inline figure.
#[must_use]
pub fn fig(f: &Figure) -> Inline {
    Inline::Figure(f.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let got: Vec<String> = [1, 2, 10, 11, 20, 23, 100, 105, 110]
            .iter()
            .map(|&n| chinese_numeral(n))
            .collect();
        assert_eq!(
            got,
            [
                "一",
                "二",
                "十",
                "十一",
                "二十",
                "二十三",
                "一百",
                "一百零五",
                "一百一十"
            ]
        );
    }

    #[test]
    fn numbering_resets_deeper_levels() {
        let mut n = Numbering::default();
        let seq: Vec<String> = [1, 2, 2, 3, 4, 3, 1, 2].iter().map(|&l| n.next(l)).collect();
        assert_eq!(seq, ["一、", "（一）", "（二）", "1.", "（1）", "2.", "二、", "（一）"]);
    }

    #[test]
    fn table_rows_must_fit_the_header() {
        let mut t = Table::new("表", &["a", "b"]);
        assert!(t.push_row(vec![Inline::text("1")]).is_err());
        assert!(t.push_row(vec![Inline::text("1"), Inline::text("2")]).is_ok());
    }
}

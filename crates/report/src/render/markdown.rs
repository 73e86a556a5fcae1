//! Markdown (GitHub-flavoured): headings, paragraphs, GFM tables; a chart
//! becomes its data table, since Markdown has no pictures of its own.

use crate::Error;
use crate::chart::Chart;
use crate::doc::{Inline, Table, plain_text};
use crate::render::Renderer;

/// Writes GitHub-flavoured Markdown.
#[derive(Debug, Default, Clone)]
pub struct MarkdownRenderer {
    out: String,
}

impl MarkdownRenderer {
    /// An empty renderer.
    #[must_use]
    pub fn new() -> MarkdownRenderer {
        MarkdownRenderer::default()
    }

    fn block(&mut self, s: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(s);
        self.out.push('\n');
    }
}

/// Escape the characters Markdown would read as markup.
fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// `1. 文字` at the start of a paragraph would become a list item.
fn escape_list_number(text: String) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text.get(digits..digits + 1) {
        Some("." | ")") if digits > 0 => format!("{}\\{}", &text[..digits], &text[digits..]),
        _ => text,
    }
}

fn cell(s: &str) -> String {
    escape(&s.replace(['\n', '\r'], " "))
}

impl Renderer for MarkdownRenderer {
    fn title(&mut self, title: &str, subtitle: Option<&str>) -> Result<(), Error> {
        self.block(&format!("# {}", escape(title)));
        if let Some(s) = subtitle {
            self.block(&escape(s));
        }
        Ok(())
    }

    fn heading(&mut self, level: u8, number: &str, text: &str) -> Result<(), Error> {
        let hashes = "#".repeat(usize::from(level.clamp(1, 4)) + 1);
        self.block(&format!("{hashes} {}{}", escape(number), escape(text)));
        Ok(())
    }

    fn paragraph(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        let text = escape(&plain_text(inlines));
        // A paragraph that starts like a list item must not become one.
        let text = match text.chars().next() {
            Some('-' | '+') => format!("\\{text}"),
            _ => escape_list_number(text),
        };
        self.block(&text);
        Ok(())
    }

    fn table(&mut self, number: usize, table: &Table) -> Result<(), Error> {
        self.block(&format!("**表{number}　{}**", escape(&table.title)));
        let mut s = String::new();
        s.push('|');
        for h in &table.header {
            s.push_str(&format!(" {} |", cell(h)));
        }
        s.push_str("\n|");
        for _ in &table.header {
            s.push_str(" --- |");
        }
        for row in &table.rows {
            s.push_str("\n|");
            for c in row {
                s.push_str(&format!(" {} |", cell(&c.plain())));
            }
        }
        self.block(&s);
        if let Some(n) = &table.note {
            self.block(&format!("注：{}", escape(n)));
        }
        Ok(())
    }

    fn chart(&mut self, number: usize, chart: &Chart) -> Result<(), Error> {
        let t = chart.data_table();
        self.block(&format!("**图{number}　{}**（数据）", escape(&chart.title)));
        let mut s = String::from("|");
        for h in &t.header {
            s.push_str(&format!(" {} |", cell(h)));
        }
        s.push_str("\n|");
        for _ in &t.header {
            s.push_str(" --- |");
        }
        for row in &t.rows {
            s.push_str("\n|");
            for c in row {
                s.push_str(&format!(" {} |", cell(&c.plain())));
            }
        }
        self.block(&s);
        if let Some(n) = &t.note {
            self.block(&format!("注：{}", escape(n)));
        }
        Ok(())
    }

    fn note(&mut self, inlines: &[Inline]) -> Result<(), Error> {
        self.block(&format!("> 注：{}", escape(&plain_text(inlines))));
        Ok(())
    }

    fn appendix(&mut self, label: &str, title: &str) -> Result<(), Error> {
        self.block(&format!("## {}　{}", escape(label), escape(title)));
        Ok(())
    }

    fn page_break(&mut self) -> Result<(), Error> {
        self.block("---");
        Ok(())
    }

    fn finish(&mut self) -> Result<Vec<u8>, Error> {
        Ok(std::mem::take(&mut self.out).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("a|b*c_"), "a\\|b\\*c\\_");
        assert_eq!(cell("x\ny"), "x y");
        assert_eq!(escape_list_number("12. 项".into()), "12\\. 项");
        assert_eq!(escape_list_number("2017年".into()), "2017年");
    }
}

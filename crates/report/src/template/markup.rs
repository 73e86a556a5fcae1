//! The light markup a template renders to, and its reading into a
//! [`Document`]: title lines, headings, notes, tables and charts on a line
//! of their own, paragraphs of text and figures.

use super::ReportData;
use crate::Error;
use crate::doc::{Block, Document, Heading, Inline};
use eduaid_model::convert::clamped;

/// Opens a figure printed by key.
pub(super) const FIG_OPEN: char = '\u{E000}';
/// Closes a figure, a value or a block.
pub(super) const MARK_CLOSE: char = '\u{E001}';
/// Opens a table or a chart on a line of its own.
pub(super) const BLOCK_OPEN: char = '\u{E002}';
/// Opens a value printed from data: its text is held aside and the markup
/// carries only its index, so nothing in data (a newline, `#`, `%`, a
/// marker character) is ever read as markup.
pub(super) const LIT_OPEN: char = '\u{E003}';

/// Turn filled-in markup into a document.
pub(super) fn parse_markup(text: &str, data: &ReportData, lits: &[String]) -> Result<Document, Error> {
    let mut doc = Document::default();
    let mut para: Vec<Inline> = Vec::new();
    let flush = |para: &mut Vec<Inline>, doc: &mut Document| {
        if para
            .iter()
            .any(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()))
        {
            doc.blocks.push(Block::Paragraph(std::mem::take(para)));
        }
        para.clear();
    };
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut para, &mut doc);
            continue;
        }
        if let Some(t) = line.strip_prefix("%to ") {
            flush(&mut para, &mut doc);
            doc.addressee = Some(plain(t.trim(), data, lits)?);
            continue;
        }
        if let Some(t) = line.strip_prefix("%from ") {
            flush(&mut para, &mut doc);
            doc.signature.push(plain(t.trim(), data, lits)?);
            continue;
        }
        if let Some(t) = line.strip_prefix("%%") {
            flush(&mut para, &mut doc);
            doc.subtitle = Some(plain(t.trim(), data, lits)?);
            continue;
        }
        if let Some(t) = line.strip_prefix('%') {
            flush(&mut para, &mut doc);
            doc.title = plain(t.trim(), data, lits)?;
            continue;
        }
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&hashes) && line[hashes..].starts_with(' ') {
            flush(&mut para, &mut doc);
            doc.blocks.push(Block::Heading(Heading {
                level: clamped::<_, u8>(hashes),
                text: plain(line[hashes..].trim(), data, lits)?,
            }));
            continue;
        }
        if let Some(t) = line.strip_prefix('>') {
            flush(&mut para, &mut doc);
            doc.blocks.push(Block::Note(inlines(t.trim(), data, lits)?));
            continue;
        }
        // Block markers split the paragraph around them.
        let mut rest = line;
        while let Some(i) = rest.find(BLOCK_OPEN) {
            para.extend(inlines(&rest[..i], data, lits)?);
            let after = &rest[i + BLOCK_OPEN.len_utf8()..];
            let end = after.find(MARK_CLOSE).unwrap_or(after.len());
            let marker = &after[..end];
            flush(&mut para, &mut doc);
            let unknown = |what, key: &str| Error::Unknown {
                what,
                key: key.to_string(),
            };
            if let Some(k) = marker.strip_prefix("table:") {
                let t = data.tables.get(k).ok_or_else(|| unknown("table", k))?;
                doc.blocks.push(Block::Table(t.clone()));
            } else if let Some(k) = marker.strip_prefix("chart:") {
                let c = data.charts.get(k).ok_or_else(|| unknown("chart", k))?;
                doc.blocks.push(Block::Chart(c.clone()));
            }
            rest = after.get(end + MARK_CLOSE.len_utf8()..).unwrap_or("");
        }
        if !rest.is_empty() {
            para.extend(inlines(rest, data, lits)?);
        }
    }
    flush(&mut para, &mut doc);
    // Merge adjacent text so each paragraph is text, figure, text, ….
    for b in &mut doc.blocks {
        if let Block::Paragraph(p) | Block::Note(p) = b {
            let mut merged: Vec<Inline> = Vec::with_capacity(p.len());
            for i in p.drain(..) {
                match (merged.last_mut(), i) {
                    (Some(Inline::Text(a)), Inline::Text(b)) => a.push_str(&b),
                    (_, i) => merged.push(i),
                }
            }
            *p = merged;
        }
    }
    Ok(doc)
}

/// Split text with figure and value markers into inlines.
fn inlines(text: &str, data: &ReportData, lits: &[String]) -> Result<Vec<Inline>, Error> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find([FIG_OPEN, LIT_OPEN]) {
        if i > 0 {
            out.push(Inline::Text(rest[..i].to_string()));
        }
        let open = rest[i..].chars().next().unwrap_or(FIG_OPEN);
        let after = &rest[i + open.len_utf8()..];
        let end = after.find(MARK_CLOSE).unwrap_or(after.len());
        let key = &after[..end];
        if open == LIT_OPEN {
            // A value from data: its own text, on one line.
            let lit = key
                .parse::<usize>()
                .ok()
                .and_then(|n| lits.get(n))
                .map_or("", String::as_str);
            out.push(Inline::Text(lit.replace(['\n', '\r', '\t'], " ")));
        } else {
            out.push(Inline::Figure(data.figures.require(key)?.clone()));
        }
        rest = after.get(end + MARK_CLOSE.len_utf8()..).unwrap_or("");
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
    Ok(out)
}

/// Text with figures printed in place (titles and headings).
fn plain(text: &str, data: &ReportData, lits: &[String]) -> Result<String, Error> {
    let text: String = inlines(text, data, lits)?.iter().map(Inline::plain).collect();
    Ok(text.trim().to_string())
}

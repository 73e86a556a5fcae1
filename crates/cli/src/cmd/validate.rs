//! `eduaid validate`: the figure validator on a report someone wrote by
//! hand — parts and totals, rates at their printed precision (and double
//! rounding), amounts against a stated standard.

use std::path::Path;

use anyhow::{Context as _, bail};
use eduaid::model::convert::clamped;
use eduaid::report::validate_text;

use crate::cli::ValidateArgs;
use crate::common::{Ctx, Status, shown};
use crate::output::Sheet;

/// Run the command.
pub(crate) fn run(args: &ValidateArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let text = read_text(&args.file)?;
    let v = validate_text(&text);
    if ctx.json {
        ctx.print_json(&serde_json::json!({
            "file": args.file.display().to_string(),
            "consistent": v.is_consistent(),
            "checks": v.checks,
        }))?;
    } else {
        let zh = ctx.zh();
        let h = |en: &'static str, c: &'static str| if zh { c } else { en };
        let mut sheet = Sheet::new(
            "checks",
            &[
                h("no", "序号"),
                h("kind", "类别"),
                h("result", "结论"),
                h("numbers", "涉及数据"),
                h("message", "说明"),
            ],
        );
        for (i, c) in v.checks.iter().enumerate() {
            sheet.push(vec![
                clamped::<_, u64>(i + 1).into(),
                c.kind.chinese().into(),
                (if c.consistent {
                    h("ok", "一致")
                } else {
                    h("INCONSISTENT", "不一致")
                })
                .into(),
                shown(&c.numbers.join("、")).into(),
                shown(&c.message).into(),
            ]);
        }
        outln!("{}: {}", args.file.display(), v.summary());
        if !v.checks.is_empty() {
            sheet.print();
        }
        for f in v.findings() {
            outln!();
            outln!("{}: {}", h("finding", "问题"), shown(&f.location));
            outln!("  {}", shown(&f.message));
        }
    }
    Ok(Status::findings_if(!v.is_consistent()))
}

/// The text of a report: a Word file's paragraphs, an HTML file without its
/// tags, or a text or Markdown file as it is.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "docx" => docx_text(path).with_context(|| file.clone()),
        "doc" | "wps" => bail!("{file}: the legacy Word format is not read: save it as .docx or .txt"),
        "xlsx" | "xls" | "xlsm" | "et" | "csv" | "pdf" | "zip" => {
            bail!("{file}: a .{ext} file is not a report: give the report as .docx, .txt, .md or .html")
        }
        _ => {
            let bytes = std::fs::read(path).with_context(|| file.clone())?;
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let (t, _, had_errors) = encoding_rs::GB18030.decode(e.as_bytes());
                    if had_errors {
                        bail!("{file}: not a text report: the bytes are neither UTF-8 nor GBK text");
                    }
                    t.into_owned()
                }
            };
            check_is_text(&file, &text)?;
            Ok(if ext == "html" || ext == "htm" {
                strip_tags(&text)
            } else {
                text
            })
        }
    }
}

/// Refuse what cannot be a report: an empty file, or binary data that
/// happens to decode (NUL bytes and other control characters).
fn check_is_text(file: &str, text: &str) -> anyhow::Result<()> {
    let body = text.trim_start_matches('\u{feff}');
    if body.trim().is_empty() {
        bail!("{file}: the report is empty");
    }
    let controls = body
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if body.contains('\0') || controls * 100 > body.chars().count() {
        bail!("{file}: not a text report: it holds binary data ({controls} control characters)");
    }
    Ok(())
}

/// The most text taken from a Word report: far more than any report
/// (a 300-page report is about 1 MB of text).
const MAX_DOCX_TEXT: usize = 64 << 20;

/// The paragraphs of `word/document.xml`, one a line. The archive is
/// checked first ([`eduaid::io::check_archive`]: sizes, ratio, a zip bomb)
/// and the XML is streamed, never held whole.
fn docx_text(path: &Path) -> anyhow::Result<String> {
    use quick_xml::events::Event;
    let file = path.display().to_string();
    let mut f = std::fs::File::open(path)?;
    eduaid::io::check_archive(&mut f, &file, &eduaid::io::ArchiveLimits::default()).map_err(|e| match e {
        eduaid::io::Error::Malformed { .. } if zip::ZipArchive::new(&f).is_err() => {
            anyhow::anyhow!("not a Word (.docx) file")
        }
        other => anyhow::anyhow!(other.to_string().trim_start_matches(&format!("{file}: ")).to_string()),
    })?;
    let mut zip = zip::ZipArchive::new(f).context("not a Word (.docx) file")?;
    let entry = zip
        .by_name("word/document.xml")
        .context("no word/document.xml: not a Word (.docx) file")?;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        buf.clear();
        if out.len() > MAX_DOCX_TEXT {
            bail!("more than {} MiB of text: not a report", MAX_DOCX_TEXT >> 20);
        }
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Event::Empty(e) if e.name().as_ref() == b"w:tab" => out.push('\t'),
            Event::Empty(e) if e.name().as_ref() == b"w:br" => out.push('\n'),
            Event::Text(t) if in_text => out.push_str(&t.xml_content()?),
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = r.resolve_char_ref()? {
                    out.push(c);
                    continue;
                }
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                out.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// HTML as text: tags dropped, block ends as line breaks, the usual
/// entities decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut tag = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                if ["p", "br", "li", "tr", "h1", "h2", "h3", "h4", "div", "td", "th"]
                    .iter()
                    .any(|b| t == *b || t.starts_with(&format!("{b} ")))
                {
                    out.push('\n');
                }
            }
            (true, _) => tag.push(c),
            (false, _) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_lines_of_text() {
        let t = strip_tags("<p>共307人&nbsp;在校305人</p><p>入学率99.3%</p>");
        assert_eq!(t.trim(), "共307人 在校305人\n\n入学率99.3%");
    }
}

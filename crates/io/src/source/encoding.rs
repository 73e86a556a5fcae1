//! Detecting a CSV's encoding: UTF-8 or GB18030 (GBK).

use super::*;
use eduaid_model::convert::clamped;

/// The encoding a CSV was found to be in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Detected {
    /// True for UTF-8, false for GB18030.
    pub(super) utf8: bool,
    /// Why the choice is doubtful, if it is.
    pub(super) doubt: Option<String>,
}

/// Decide the encoding of a CSV.
pub(super) fn detect(r: &mut Box<dyn BufRead + '_>, declared: Encoding, file: &str) -> Result<Detected, Error> {
    let sure = |utf8| Detected { utf8, doubt: None };
    let bom = skip_bom(r, file)?;
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    if head.starts_with(&[0x84, 0x31, 0x95, 0x33]) {
        r.consume(4);
        return Ok(sure(false));
    }
    Ok(match declared {
        Encoding::Utf8 => sure(true),
        Encoding::Gb18030 => sure(false),
        _ if bom => sure(true),
        _ => match std::str::from_utf8(head) {
            Ok(text) => judge(text, head),
            // An incomplete sequence at the end of the sniffed block is
            // cut by the buffer, not a fault.
            Err(e) if e.error_len().is_none() => {
                let valid = head.get(..e.valid_up_to()).unwrap_or_default();
                judge(std::str::from_utf8(valid).unwrap_or_default(), valid)
            }
            Err(_) => sure(false),
        },
    })
}

/// Valid UTF-8 text that is also valid GB18030: which reading is Chinese?
///
/// Both decodings of the whole sniffed sample are scored, as chardetng
/// does, by how plausible their characters are in a county's file (see
/// [`plausibility`]). GB18030 is chosen when it scores clearly higher
/// (by [`CLEAR_MARGIN`] a character); a smaller lead keeps UTF-8 with a
/// doubt (a warning) naming the `--encoding` option.
pub(super) fn judge(text: &str, bytes: &[u8]) -> Detected {
    let utf8 = |doubt| Detected { utf8: true, doubt };
    if text.is_ascii() {
        return utf8(None);
    }
    // A trail byte cut at the end of the block is not a GB18030 fault.
    let gb = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .or_else(|| {
            let cut = bytes.len().saturating_sub(1);
            encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes.get(..cut)?)
        });
    let Some(gb) = gb else {
        return utf8(None);
    };
    let (as_utf8, as_gb) = (plausibility(text), plausibility(&gb));
    if as_gb >= as_utf8 + CLEAR_MARGIN {
        Detected {
            utf8: false,
            doubt: None,
        }
    } else if as_gb > as_utf8 {
        utf8(Some(format!(
            "read as UTF-8, but the text may be GBK/GB18030 (its non-ASCII characters read as \
             GB18030 score {} a character against {} as UTF-8): if names look garbled, \
             declare the encoding (--encoding gb18030)",
            hundredths(as_gb),
            hundredths(as_utf8)
        )))
    } else {
        utf8(None)
    }
}

/// How much more plausible a decoding must be, in hundredths of a point
/// per character, for GB18030 to be chosen over valid UTF-8 (half a point).
pub(super) const CLEAR_MARGIN: i64 = 50;

/// A score in hundredths, shown as a decimal (`-50` → `-0.50`).
pub(super) fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", v.unsigned_abs() / 100, v.unsigned_abs() % 100)
}

/// The mean plausibility of the non-ASCII characters of `text` in a
/// Chinese county's file: a common hanzi (GB2312 level 1) scores 2, a
/// level-2 one 1, any other hanzi −1 (names do use a few, such as 玥, but
/// a page of them is what UTF-8 Cyrillic looks like read as GBK); CJK and full-width punctuation 1;
/// C1 controls, private-use and replacement characters −5; anything else
/// (Cyrillic, Greek, accented Latin: what GBK byte pairs look like read as
/// UTF-8) −1, and −2 more each time such a character touches a hanzi
/// (`л巫`), a mix no real text has.
/// The mean is in hundredths of a point.
pub(super) fn plausibility(text: &str) -> i64 {
    let (mut sum, mut n) = (0i64, 0u64);
    let mut prev_odd_or_hanzi: Option<bool> = None;
    // A hanzi's score, once found (a sample repeats few characters, and
    // encoding one to GBK to find its level is slow).
    let mut scores: HashMap<char, i64> = HashMap::new();
    for c in text.chars() {
        if c.is_ascii() {
            prev_odd_or_hanzi = None;
            continue;
        }
        let hanzi = ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c);
        let score = if hanzi {
            *scores.entry(c).or_insert_with(|| {
                let mut buf = [0u8; 4];
                let (gbk, _, unmappable) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
                match gbk.first() {
                    Some(0xB0..=0xD7) if !unmappable => 2,
                    Some(0xD8..=0xF7) if !unmappable => 1,
                    _ => -1,
                }
            })
        } else {
            match c {
                '\u{3000}'..='\u{303F}'
                | '\u{FF01}'..='\u{FF5E}'
                | '\u{2010}'..='\u{2027}'
                | '·'
                | '×'
                | '√'
                | '★'
                | '○'
                | '●'
                | '℃'
                | '№'
                | '\u{00A0}' => 1,
                '\u{0080}'..='\u{009F}' | '\u{E000}'..='\u{F8FF}' | '\u{FFFD}' => -5,
                _ => -1,
            }
        };
        let odd = !hanzi && score < 0;
        if let Some(prev_odd) = prev_odd_or_hanzi {
            if prev_odd != odd && (odd || prev_odd) {
                sum -= 2;
            }
        }
        prev_odd_or_hanzi = (hanzi || odd).then_some(odd);
        sum += score;
        n += 1;
    }
    let n = clamped::<_, i64>(n);
    sum.saturating_mul(100).checked_div(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_prefers_gbk_for_two_byte_lookalikes() {
        let detect_bytes = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            detect(&mut r, Encoding::Auto, "t").unwrap().utf8
        };
        assert!(detect_bytes("学籍号,姓名".as_bytes()));
        assert!(detect_bytes(b"id,name"));
        let (gbk, _, _) = encoding_rs::GBK.encode("小");
        assert!(std::str::from_utf8(&gbk).is_ok()); // the bytes of "С"
        assert!(!detect_bytes(&gbk));
        let (gbk, _, _) = encoding_rs::GBK.encode("学籍号,姓名");
        assert!(!detect_bytes(&gbk));
        assert!(detect_bytes(b"\xEF\xBB\xBF\xD0\xA1"));
    }

    #[test]
    fn gbk_that_is_valid_utf8_is_scored_over_the_whole_sample() {
        let detect_text = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            detect(&mut r, Encoding::Auto, "t").unwrap()
        };
        // 谢宸玥 in GBK reads as UTF-8 "л巫h": a Cyrillic letter beside a
        // hanzi. Before the scoring, any three-byte character kept UTF-8.
        let (gbk, _, _) = encoding_rs::GBK.encode("id,name\nG001,谢宸玥\n");
        assert_eq!(std::str::from_utf8(&gbk).ok(), Some("id,name\nG001,л巫h\n"));
        assert_eq!(
            detect_text(&gbk),
            Detected {
                utf8: false,
                doubt: None
            }
        );
        // Real UTF-8 Chinese stays UTF-8, however its bytes read in GBK.
        for text in [
            "id,name\nG001,谢宸玥\n",
            "学籍号,姓名,学校\nG001,张伟,甲镇中心小学\n",
            "id,name,school\nG001,Алексей,甲镇中心小学\n",
        ] {
            assert_eq!(
                detect_text(text.as_bytes()),
                Detected {
                    utf8: true,
                    doubt: None
                },
                "{text}"
            );
        }
        assert!(plausibility("谢宸玥") > plausibility("л巫") + CLEAR_MARGIN);
        // Cyrillic alone in UTF-8 reads as common hanzi in GBK (Алексей is
        // 袗谢械泻褋械泄): in a county's file the hanzi are the likelier.
        assert!(!detect_text("id,name\nG001,Алексей\n".as_bytes()).utf8);
    }
}

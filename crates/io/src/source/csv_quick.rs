//! The quick path of the CSV reader: a record that is one plain line.

use super::*;
use eduaid_model::convert::clamped;

/// The quick path of the CSV reader: a record that is one whole line in
/// the reader's buffer and holds no quote is split where it lies (no copy
/// of the line; one search for separators, quotes and the line end), its
/// cells written into `cells`. What [`csv_record_into`] reads such a line
/// as: the cells between separators, one carriage return before the line
/// feed dropped (property test). Returns the record's line, or `None`,
/// having consumed nothing, when the next record is not such a line (a
/// quote, no line feed in the buffer, a line over `how.max` bytes, the
/// end of the file): the general reader then reads it.
pub(super) fn plain_record(
    reader: &mut dyn BufRead,
    how: CsvRead,
    line: &mut u64,
    ends: &mut Vec<usize>,
    cells: &mut Vec<Cell>,
) -> std::io::Result<Option<u64>> {
    let chunk = match reader.fill_buf() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Ok(None),
        Err(e) => return Err(e),
    };
    ends.clear();
    // A line feed past the record limit makes a record the general reader
    // refuses: look no further (and hold no more separators) than that.
    let limit = clamped::<_, usize>(how.max);
    let Some(nl) = special_bytes(chunk.get(..limit).unwrap_or(chunk), how.delimiter, ends) else {
        return Ok(None);
    };
    if u64::try_from(nl).map_or(true, |n| n >= how.max) {
        return Ok(None);
    }
    let body_end = match nl.checked_sub(1) {
        Some(cr) if chunk.get(cr) == Some(&b'\r') => cr,
        _ => nl,
    };
    let body = chunk.get(..body_end).unwrap_or_default();
    cells.truncate(ends.len() + 1);
    match std::str::from_utf8(body) {
        Ok(whole) if how.utf8 => put_line(cells, whole, ends),
        _ => {
            let last = std::iter::once(body_end);
            let mut from = 0;
            for (i, end) in ends.iter().copied().chain(last).enumerate() {
                put(cells, i, decode(body.get(from..end).unwrap_or_default(), how.utf8));
                from = end + 1;
            }
        }
    }
    reader.consume(nl + 1);
    *line += 1;
    Ok(Some(*line))
}

/// The cells of a plain line `whole` (its separators at `ends`) written
/// into `cells` (at most one more than `ends`), as [`put`] writes each:
/// the text buffers of the cells already there reused, a cell opening
/// with `'` unescaped.
fn put_line(cells: &mut Vec<Cell>, whole: &str, ends: &[usize]) {
    let mut from = 0;
    for i in 0..=ends.len() {
        let end = ends.get(i).copied().unwrap_or(whole.len());
        let text = whole.get(from..end).unwrap_or_default();
        from = end + 1;
        match cells.get_mut(i) {
            // Only a cell opening with `'` may be escaped.
            Some(Cell::Text(s)) if text.as_bytes().first() != Some(&b'\'') => {
                s.clear();
                s.push_str(text);
            }
            Some(slot) => fill(slot, Ok(Cow::Borrowed(text))),
            None => cells.push(Cell::Text(crate::csv_unescape(text).to_string())),
        }
    }
}

/// The first line of `chunk` if it holds no quote: where its line feed
/// is, with the places of its separators pushed to `ends`; `None` at a
/// quote or if `chunk` has no line feed. Reads 32 bytes at a time, one
/// bit per byte that is a separator, a quote or a line feed.
pub(super) fn special_bytes(chunk: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    let mut blocks = chunk.chunks_exact(32);
    let mut base = 0;
    for block in &mut blocks {
        let mut mask = 0u32;
        for (j, &b) in block.iter().enumerate() {
            mask |= u32::from(b == delimiter || b == b'"' || b == b'\n') << j;
        }
        while mask != 0 {
            let j = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            match block.get(j) {
                Some(b'\n') => return Some(base + j),
                Some(b'"') => return None,
                _ => ends.push(base + j),
            }
        }
        base += 32;
    }
    for (j, &b) in blocks.remainder().iter().enumerate() {
        if b == b'\n' {
            return Some(base + j);
        } else if b == b'"' {
            return None;
        } else if b == delimiter {
            ends.push(base + j);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row `csv_row` reads from `bytes` (through a buffer of `cap`
    /// bytes), shown as text, with the lines counted at the end; rows are
    /// recycled as the reader recycles them.
    fn csv_rows(bytes: &[u8], how: CsvRead, cap: usize) -> (Vec<String>, u64) {
        let mut reader = std::io::BufReader::with_capacity(cap, bytes);
        let (mut line, mut buf, mut data, mut ends) = (0, Vec::new(), Vec::new(), Vec::new());
        let (mut spare, mut out) = (Vec::new(), Vec::new());
        loop {
            let mut record = CsvBuffers {
                line: &mut buf,
                data: &mut data,
                ends: &mut ends,
            };
            match csv_row(&mut reader, how, &mut line, &mut record, &mut spare).unwrap() {
                None => break,
                Some(Raw::Cells(l, cells)) => {
                    out.push(format!("{l}: {cells:?}"));
                    spare.push(cells);
                }
                Some(Raw::BadRow(l, reason)) => out.push(format!("{l}: bad row: {reason}")),
                Some(Raw::Blank(l)) => out.push(format!("{l}: blank")),
                Some(Raw::Object(l, _)) => out.push(format!("{l}: object")),
            }
        }
        (out, line)
    }

    /// CSV as clerks' files hold it: cells of ASCII, Chinese and full-width
    /// text, separators of every kind, quotes (doubled, unclosed, inside a
    /// cell), CR, LF and CRLF, a BOM, formula escapes, and bytes that are
    /// not UTF-8.
    fn csv_bytes() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            6 => "[a-z0-9]{1,4}".prop_map(String::into_bytes),
            2 => "[学生甲合计０-９　 ．－]{1,3}".prop_map(String::into_bytes),
            6 => prop::sample::select(vec![",", ";", "\t", "|"]).prop_map(|s| s.as_bytes().to_vec()),
            2 => prop::sample::select(vec!["\"", "\"\""]).prop_map(|s| s.as_bytes().to_vec()),
            3 => prop::sample::select(vec!["\n", "\r\n", "\r", "\r\r\n"]).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec!["\u{FEFF}", "'=", "'-1", "'", " "]).prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::collection::vec(any::<u8>(), 1..3),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        /// The quick path reads every file as the general reader does:
        /// the same rows, cells, lines and faults, whatever the buffer
        /// size, encoding, separator and record limit.
        #[test]
        fn quick_csv_rows_are_the_general_readers(
            bytes in csv_bytes(),
            utf8 in proptest::bool::ANY,
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'|']),
            cap in 1usize..80,
            max in proptest::prop_oneof![1u64..40, proptest::strategy::Just(16u64 << 20)],
        ) {
            let how = CsvRead { utf8, delimiter, quick: false, max };
            let general = csv_rows(&bytes, how, cap);
            let quick = csv_rows(&bytes, CsvRead { quick: true, ..how }, cap);
            proptest::prop_assert_eq!(&quick, &general);
            // A buffer holding the whole file (as for bytes in memory).
            let whole = csv_rows(&bytes, CsvRead { quick: true, ..how }, bytes.len().max(1));
            proptest::prop_assert_eq!(&whole, &general);
        }
    }
}

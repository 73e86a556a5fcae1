//! The general CSV reader: records, quotes, line ends and cells.

use super::*;
use eduaid_model::convert::clamped;

/// Why a record over `max` bytes is refused.
pub(super) fn too_long(max: u64, what: &str) -> String {
    let size = if max >= 1 << 20 && max % (1 << 20) == 0 {
        format!("{} MiB", max >> 20)
    } else {
        format!("{max} bytes")
    };
    format!("a {what} longer than {size} (the limit of one record; an unclosed quote?)")
}

/// Read up to and including the next `\n` into `buf`, but never more than
/// `max + 1` bytes in all: returns the bytes read and whether the line
/// ended (a `\n` or the end of the file) within `max` bytes. A line over
/// the limit is never held whole; the caller skips its rest.
pub(super) fn read_line_bounded(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: u64,
) -> std::io::Result<(usize, bool)> {
    let max = clamped::<_, usize>(max);
    let mut n = 0usize;
    let stopped = scan(reader, |chunk| {
        let room = max.saturating_add(1).saturating_sub(buf.len());
        let (take, end) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) if i < room => (i + 1, true),
            _ => (chunk.len().min(room), false),
        };
        buf.extend_from_slice(chunk.get(..take).unwrap_or_default());
        n += take;
        (take, end || buf.len() > max)
    })?;
    Ok((n, if stopped { buf.len() <= max } else { n <= max }))
}

/// Skip to just past the next `\n` (or the end), holding nothing; returns
/// whether a `\n` was found.
pub(super) fn skip_line(reader: &mut dyn BufRead) -> std::io::Result<bool> {
    scan(reader, |chunk| match chunk.iter().position(|&b| b == b'\n') {
        Some(i) => (i + 1, true),
        None => (chunk.len(), false),
    })
}

/// Hand `step` each filling of `reader`'s buffer (retrying an interrupted
/// read) until it says stop or the file ends; `step` says how many bytes
/// it used, which are consumed. Returns whether `step` stopped it.
fn scan(reader: &mut dyn BufRead, mut step: impl FnMut(&[u8]) -> (usize, bool)) -> std::io::Result<bool> {
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(false);
        }
        let (used, stop) = step(chunk);
        reader.consume(used);
        if stop {
            return Ok(true);
        }
    }
}

/// One byte of a record being skipped: moves `state` through the quotes;
/// true at the line end that ends the record.
pub(super) fn skip_step(state: &mut CsvState, b: u8, delimiter: u8) -> bool {
    match *state {
        CsvState::Quoted => {
            if b == b'"' {
                *state = CsvState::AfterQuote;
            }
        }
        CsvState::AfterQuote if b == b'"' => *state = CsvState::Quoted,
        _ if b == b'\n' => return true,
        _ if b == delimiter => *state = CsvState::Start,
        CsvState::Start if b == b'"' => *state = CsvState::Quoted,
        _ => *state = CsvState::Plain,
    }
    false
}

/// Skip the rest of a record, from `state`, holding nothing: to the line
/// end outside quotes, or the end of the file. Counts the lines passed.
pub(super) fn skip_record(
    reader: &mut dyn BufRead,
    state: &mut CsvState,
    delimiter: u8,
    line: &mut u64,
) -> std::io::Result<()> {
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(());
        }
        let mut used = 0;
        let mut done = false;
        for &b in chunk {
            used += 1;
            if skip_step(state, b, delimiter) {
                done = true;
                break;
            }
            if b == b'\n' {
                *line += 1;
            }
        }
        reader.consume(used);
        if done {
            return Ok(());
        }
    }
}

/// How a CSV is read: its encoding, separator, whether the quick path is
/// on, and the longest record.
#[derive(Clone, Copy)]
pub(super) struct CsvRead {
    pub(super) utf8: bool,
    pub(super) delimiter: u8,
    pub(super) quick: bool,
    pub(super) max: u64,
}

/// The next CSV record as a row of cells (written into a spare row's
/// vector and text buffers), its first line, or why it cannot be split.
pub(super) fn csv_row(
    reader: &mut dyn BufRead,
    how: CsvRead,
    line: &mut u64,
    record: &mut CsvBuffers<'_>,
    spare_rows: &mut Vec<Vec<Cell>>,
) -> std::io::Result<Option<Raw>> {
    let mut cells = spare_rows.pop().unwrap_or_default();
    if how.quick {
        if let Some(start) = plain_record(reader, how, line, record.ends, &mut cells)? {
            return Ok(Some(Raw::Cells(start, cells)));
        }
    }
    match csv_record_into(reader, how.delimiter, line, record, how.max)? {
        None => {
            spare_rows.push(cells);
            Ok(None)
        }
        Some((start, Ok(()))) => {
            // UTF-8 checked once for the record; a cell is then a slice of
            // it (cells end at ASCII separators).
            let whole = if how.utf8 {
                std::str::from_utf8(record.data).ok()
            } else {
                None
            };
            cells.truncate(record.ends.len());
            let mut from = 0;
            for (i, &end) in record.ends.iter().enumerate() {
                let text = match whole.and_then(|w| w.get(from..end)) {
                    Some(t) => Ok(Cow::Borrowed(t)),
                    None => decode(record.data.get(from..end).unwrap_or_default(), how.utf8),
                };
                from = end;
                put(&mut cells, i, text);
            }
            Ok(Some(Raw::Cells(start, cells)))
        }
        Some((start, Err(reason))) => {
            spare_rows.push(cells);
            Ok(Some(Raw::BadRow(start, reason)))
        }
    }
}

/// Cell `i` of a row being filled: its text buffer reused if it has one.
pub(super) fn put(cells: &mut Vec<Cell>, i: usize, text: Result<Cow<'_, str>, &'static str>) {
    match cells.get_mut(i) {
        Some(slot) => fill(slot, text),
        None => {
            let mut c = Cell::Empty;
            fill(&mut c, text);
            cells.push(c);
        }
    }
}

/// One CSV record: its first line, and its cells or why it has none.
#[cfg(test)]
pub(super) type CsvRecord = (u64, Result<Vec<Vec<u8>>, String>);

/// The buffers one CSV record is read into, reused record to record: the
/// physical line being read, the cells' bytes one after another, and where
/// each cell ends.
pub(super) struct CsvBuffers<'b> {
    pub(super) line: &'b mut Vec<u8>,
    pub(super) data: &'b mut Vec<u8>,
    pub(super) ends: &'b mut Vec<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CsvState {
    /// At the start of a cell.
    Start,
    /// In a cell that did not start with a quote.
    Plain,
    /// Inside quotes.
    Quoted,
    /// Just after a quote inside quotes: the closing quote, or the first of
    /// a doubled one.
    AfterQuote,
}

/// Read one CSV record (RFC 4180: `delimiter`, usually `,`, separates, `"` quotes, `""` is a
/// quote inside quotes, a quoted cell may span lines) and the physical line
/// it starts on. Works on bytes, so it serves UTF-8 and GB18030 alike: no
/// GB18030 multi-byte sequence contains an ASCII byte below `0x30`, `;`,
/// `"`, CR or LF (its trail bytes are `0x30`–`0x39` and `0x40`–`0xFE`), so
/// `,`, `;` and tab are safe separators. A blank line is
/// a record of one empty cell. A quote inside an unquoted cell is kept as
/// text.
///
/// A record over `max` bytes is refused as it is read, never held whole:
/// the rest of its line is skipped, or, inside an open quote (where the
/// record cannot be delimited), the rest of the file.
#[cfg(test)]
pub(super) fn csv_record(
    reader: &mut dyn BufRead,
    delimiter: u8,
    line: &mut u64,
    buf: &mut Vec<u8>,
    max: u64,
) -> std::io::Result<Option<CsvRecord>> {
    let (mut data, mut ends) = (Vec::new(), Vec::new());
    let mut record = CsvBuffers {
        line: buf,
        data: &mut data,
        ends: &mut ends,
    };
    let Some((start, outcome)) = csv_record_into(reader, delimiter, line, &mut record, max)? else {
        return Ok(None);
    };
    let fields = outcome.map(|()| {
        let mut from = 0;
        ends.iter()
            .map(|&end| {
                let f = data.get(from..end).unwrap_or_default().to_vec();
                from = end;
                f
            })
            .collect()
    });
    Ok(Some((start, fields)))
}

/// [`csv_record`] into reused buffers: on `Ok(())` the record's cells are
/// in `record.data`, each ending where `record.ends` says.
pub(super) fn csv_record_into(
    reader: &mut dyn BufRead,
    delimiter: u8,
    line: &mut u64,
    record: &mut CsvBuffers<'_>,
    max: u64,
) -> std::io::Result<Option<(u64, Result<(), String>)>> {
    let start = *line + 1;
    let CsvBuffers { line: buf, data, ends } = record;
    // A buffer a long record grew is not kept.
    if data.capacity() > MAX_SPARE_BYTES {
        **data = Vec::new();
    }
    data.clear();
    ends.clear();
    let mut state = CsvState::Start;
    let mut size = 0u64;
    loop {
        buf.clear();
        let left = max.saturating_sub(size);
        let (n, whole) = read_line_bounded(reader, buf, left)?;
        if n == 0 {
            if *line + 1 == start {
                return Ok(None);
            }
            // End of file inside quotes.
            return Ok(Some((
                start,
                Err("a quoted cell that starts on this line is never closed".into()),
            )));
        }
        *line += 1;
        size = size.saturating_add(clamped::<_, u64>(n));
        if !whole {
            // Follow the quotes through what was read and the rest of the
            // record, holding none of it.
            **data = Vec::new();
            ends.clear();
            let mut ended = false;
            for &b in buf.iter() {
                if skip_step(&mut state, b, delimiter) {
                    // The line end that ends the record was the last byte
                    // read (one past the limit).
                    ended = true;
                } else if b == b'\n' {
                    *line += 1;
                }
            }
            buf.clear();
            if !ended {
                skip_record(reader, &mut state, delimiter, line)?;
            }
            // The line count already holds the line the record started on.
            return Ok(Some((start, Err(too_long(max, "record")))));
        }
        let len = buf.len();
        data.reserve(len);
        for (i, &b) in buf.iter().enumerate() {
            let line_end = b == b'\n' || (b == b'\r' && (i + 1 == len || buf.get(i + 1) == Some(&b'\n')));
            match state {
                CsvState::Quoted => {
                    if b == b'"' {
                        state = CsvState::AfterQuote;
                    } else {
                        data.push(b);
                    }
                }
                CsvState::AfterQuote if b == b'"' => {
                    data.push(b'"');
                    state = CsvState::Quoted;
                }
                _ if line_end => {}
                _ if b == delimiter => {
                    ends.push(data.len());
                    state = CsvState::Start;
                }
                CsvState::Start if b == b'"' => state = CsvState::Quoted,
                _ => {
                    data.push(b);
                    state = CsvState::Plain;
                }
            }
        }
        if state != CsvState::Quoted {
            ends.push(data.len());
            return Ok(Some((start, Ok(()))));
        }
    }
}

pub(super) fn skip_bom(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<bool, Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        r.consume(3);
        return Ok(true);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(Error::Unsupported {
            file: file.to_string(),
            reason: "UTF-16 text (Excel's \"Unicode text\") is not read: save as CSV UTF-8".into(),
        });
    }
    Ok(false)
}

pub(super) fn first_byte(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<Option<u8>, Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    // A buffer of nothing but white space is read as JSON Lines (blank).
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()).copied())
}

/// Refuse a CSV whose lines end in a carriage return alone (classic Mac OS,
/// Excel for Mac's "CSV (Macintosh)"): read by LF it would be one line, and
/// its header would swallow the data. Recognised when the first 64 KiB hold
/// a CR not before an LF and no LF at all.
pub(super) fn refuse_cr_only(r: &mut Box<dyn BufRead + '_>, file: &str) -> Result<(), Error> {
    let head = r.fill_buf().map_err(|e| Error::io(file, e))?;
    let head = head.get(..SNIFF).unwrap_or(head);
    let lone_cr = head
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'\r' && head.get(i + 1).is_some_and(|&n| n != b'\n'));
    if lone_cr && !head.contains(&b'\n') {
        return Err(Error::Unsupported {
            file: file.to_string(),
            reason: "lines end in a carriage return alone (old Mac line endings): save the file with \
                     Windows (CRLF) or Unix (LF) line endings"
                .into(),
        });
    }
    Ok(())
}

/// The separator a CSV's first lines suggest: `\t` or `;` when the first
/// line holding any of `,`, `;` or a tab holds no comma, else `,`.
pub(super) fn sniff_delimiter(head: &[u8]) -> u8 {
    for line in head.split(|b| *b == b'\n').take(HEADER_SEARCH) {
        let count = |d: u8| line.iter().filter(|b| **b == d).count();
        let (commas, tabs, semis) = (count(b','), count(b'\t'), count(b';'));
        if commas + tabs + semis == 0 {
            continue;
        }
        return match (commas, tabs, semis) {
            (0, t, s) if t >= s => b'\t',
            (0, _, _) => b';',
            _ => b',',
        };
    }
    b','
}

/// A CSV cell's bytes as text, or why they are not.
pub(super) fn decode(bytes: &[u8], utf8: bool) -> Result<Cow<'_, str>, &'static str> {
    if utf8 {
        std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| "invalid UTF-8 text (if the file is GBK, declare the encoding as GB18030)")
    } else {
        encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .ok_or("invalid GB18030/GBK text")
    }
}

/// Set a cell to a CSV cell's text, with eduaid's formula escape undone
/// ([`csv_unescape`](crate::csv_unescape)), in the text buffer the cell
/// already has (an earlier row's) when it has one.
pub(super) fn fill(cell: &mut Cell, text: Result<Cow<'_, str>, &'static str>) {
    let text = match text {
        Ok(t) => t,
        Err(reason) => {
            *cell = Cell::Bad(reason.into());
            return;
        }
    };
    let text = crate::csv_unescape(&text);
    match cell {
        Cell::Text(s) => {
            s.clear();
            s.push_str(text);
        }
        other => *other = Cell::Text(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &[u8]) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut r: &[u8] = text;
        let (mut line, mut buf, mut out) = (0, Vec::new(), Vec::new());
        while let Some((l, rec)) = csv_record(&mut r, b',', &mut line, &mut buf, 16 << 20).unwrap() {
            let rec = rec.map(|f| f.into_iter().map(|c| String::from_utf8(c).unwrap()).collect());
            out.push((l, rec));
        }
        out
    }

    #[test]
    fn csv_records_carry_their_physical_line() {
        let got = records(b"a,b\r\n\r\n\"x\r\ny\",\"say \"\"hi\"\"\"\nc,d\n\n  ,e\"f\nlast");
        let want: Vec<(u64, Result<Vec<String>, String>)> = vec![
            (1, Ok(vec!["a".into(), "b".into()])),
            (2, Ok(vec![String::new()])),
            (3, Ok(vec!["x\r\ny".into(), "say \"hi\"".into()])),
            (5, Ok(vec!["c".into(), "d".into()])),
            (6, Ok(vec![String::new()])),
            (7, Ok(vec!["  ".into(), "e\"f".into()])),
            (8, Ok(vec!["last".into()])),
        ];
        assert_eq!(got, want);
        let open = records(b"a\n\"never\nclosed\n");
        assert_eq!(open[1].0, 2);
        assert!(open[1].1.as_ref().unwrap_err().contains("never closed"));
    }

    #[test]
    fn a_long_record_is_refused_before_it_is_held_whole() {
        // 8 MiB on one line, a limit of 1000 bytes: the buffer never grows
        // past the limit and one read's worth.
        let mut text = b"a,b\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 8 << 20));
        text.extend_from_slice(b"\nc,d\n");
        let mut r = std::io::BufReader::with_capacity(SNIFF, text.as_slice());
        let (mut line, mut buf) = (0, Vec::new());
        let mut got = Vec::new();
        while let Some((l, rec)) = csv_record(&mut r, b',', &mut line, &mut buf, 1000).unwrap() {
            assert!(buf.capacity() < 1 << 20, "the buffer grew to {}", buf.capacity());
            got.push((
                l,
                rec.map(|f| f.len()).map_err(|e| e.contains("longer than 1000 bytes")),
            ));
        }
        assert_eq!(got, vec![(1, Ok(2)), (2, Err(true)), (3, Ok(2))]);
    }

    #[test]
    fn separators_are_sniffed_from_the_first_lines() {
        assert_eq!(sniff_delimiter(b"id;name;sex\nG1;a;b\n"), b';');
        assert_eq!(sniff_delimiter(b"id\tname\tsex\n"), b'\t');
        assert_eq!(sniff_delimiter(b"title\n\nid,name\n"), b',');
        assert_eq!(sniff_delimiter(b"id,name;x\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    #[test]
    fn cr_only_line_endings_are_refused() {
        let check = |b: &[u8]| {
            let mut r: Box<dyn BufRead> = Box::new(b);
            refuse_cr_only(&mut r, "t").map_err(|e| e.to_string())
        };
        assert!(check(b"a,b\rc,d\re,f\r").unwrap_err().contains("carriage return alone"));
        assert!(check(b"a,b\r\nc,d\r\n").is_ok());
        assert!(check(b"a,b\nc,\"x\ry\"\n").is_ok());
        assert!(check(b"a,b\r").is_ok());
        assert!(check(b"").is_ok());
    }
}

//! Turning raw rows into items: records, blank rows, totals rows and notes.

use super::*;

impl RowReader<'_> {
    pub(super) fn tabular(&mut self, line: u64, cells: Vec<Cell>) -> Item {
        if cells.iter().all(Cell::is_blank) {
            self.blank += 1;
            return Item::Blank;
        }
        if self.mapping.is_none() {
            return Item::Bad(self.bad(line, None, "no header".into()));
        }
        if let Some(f) = self.sums.classify(&cells) {
            return self.furniture(line, &cells, f);
        }
        let Some(m) = &self.mapping else {
            return Item::Bad(self.bad(line, None, "no header".into()));
        };
        let n = cells.len();
        let csv = matches!(self.inner, Inner::Csv { .. });
        if (csv && n < m.width) || cells.iter().skip(m.width).any(|c| !c.is_blank()) {
            let reason = format!("the row has {n} cells but the header has {}", m.width);
            return Item::Bad(self.bad(line, None, reason));
        }
        add_numbers(&mut self.sums, &cells);
        Item::Row(Fields {
            line,
            kind: self.kind,
            names: Arc::clone(&m.names),
            places: Some(Arc::clone(&m.places)),
            cells,
        })
    }

    /// Skip a totals row or a note line with one warning (one for a block
    /// of note lines), checking a totals row's sums.
    pub(super) fn furniture(&mut self, line: u64, cells: &[Cell], f: Furniture) -> Item {
        self.skipped += 1;
        match f {
            Furniture::Totals(label) => {
                let headers = self.mapping.as_ref().map(|m| m.headers.clone()).unwrap_or_default();
                let check = self.sums.check(cells, &headers);
                let label = label.map_or_else(|| "an unlabelled sum row".to_string(), |l| format!("a {l} row"));
                self.warn(
                    line,
                    format!("line {line} is skipped as {label} (totals, not a record): {check}"),
                );
            }
            Furniture::Note(false) => {
                let first = cells
                    .iter()
                    .find_map(|c| c.text().ok().flatten())
                    .map(|t| crate::clip(&t).into_owned())
                    .unwrap_or_default();
                self.warn(
                    line,
                    format!("line {line} is skipped as a note below the table: {first:?}"),
                );
            }
            Furniture::Note(true) => {}
        }
        Item::Skipped
    }

    /// Take back a row's cells once it is parsed: the vector and its text
    /// buffers serve the next rows.
    pub(crate) fn recycle(&mut self, fields: Fields) {
        let mut cells = fields.cells;
        if self.spare_rows.len() >= MAX_SPARE_ROWS || cells.len() > MAX_COLUMNS {
            return;
        }
        // A buffer a long cell grew is not kept.
        for c in &mut cells {
            if matches!(c, Cell::Text(s) if s.capacity() > MAX_SPARE_BYTES) {
                *c = Cell::Empty;
            }
        }
        self.spare_rows.push(cells);
    }

    pub(super) fn object(&mut self, line: u64, members: Vec<(String, Cell)>) -> Result<Item, Error> {
        let cols = self.kind.columns();
        let mut names: Vec<String> = cols.iter().map(|c| c.name.to_string()).collect();
        let mut cells = vec![Cell::Empty; cols.len()];
        let mut given: Vec<Option<String>> = vec![None; cols.len()];
        for (key, cell) in members {
            match self.kind.find(&key) {
                Some(i) => {
                    if let Some(first) = &given[i] {
                        let reason = format!("members {first:?} and {key:?} both give {}", cols[i].name);
                        return Ok(Item::Bad(self.bad(line, Some(key), reason)));
                    }
                    given[i] = Some(key.clone());
                    names[i] = key;
                    cells[i] = cell;
                }
                None => self.unknown_column(line, &key)?,
            }
        }
        if cells.iter().all(Cell::is_blank) {
            self.blank += 1;
            return Ok(Item::Blank);
        }
        Ok(Item::Row(Fields {
            line,
            kind: self.kind,
            names: names.into(),
            places: None,
            cells,
        }))
    }
}

/// The most row vectors a reader keeps for reuse.
pub(super) const MAX_SPARE_ROWS: usize = 4;
/// A buffer above this size is not kept for reuse (a rare long record).
pub(super) const MAX_SPARE_BYTES: usize = 1 << 16;

/// ASCII text is a number only if, white space and commas dropped, it
/// is digits, points and a leading minus: a date (`2016-10-24`) is not.
/// Text opening with a character no number holds (a name's first, a
/// school's) is none either.
#[inline]
pub(super) fn may_be_number(c: &Cell) -> bool {
    match c {
        // A typed date's text (`2016-10-24`) is not a number.
        Cell::Empty | Cell::Date(_) => false,
        Cell::Text(s) => {
            match s.as_bytes().first() {
                // An empty cell holds no number, and most cells open with a
                // letter (ids, codes, yes/no), which no number has.
                None => false,
                Some(c) if c.is_ascii_alphabetic() => false,
                Some(c) if !c.is_ascii() => s.chars().next().is_some_and(crate::furniture::may_be_in_number),
                Some(_) => ascii_may_be_number(s.as_bytes()),
            }
        }
        _ => true,
    }
}

/// [`may_be_number`] of text opening with an ASCII character: its ASCII
/// bytes (up to the first that is not) as a number's, any other character
/// left to [`number`](crate::furniture::number).
fn ascii_may_be_number(bytes: &[u8]) -> bool {
    let mut first = true;
    for &b in bytes {
        match b {
            // White space (as `char::is_whitespace` has it in ASCII) and
            // commas are passed over.
            b',' | b'\t'..=b'\r' | b' ' => continue,
            b'0'..=b'9' | b'.' => {}
            b'-' if first => {}
            // Not ASCII: the full reading decides.
            0x80.. => return true,
            _ => return false,
        }
        first = false;
    }
    true
}

/// [`Sums::add_if`] on a row's cells, looking only at those that may hold
/// a number: ASCII text with a letter or other sign no number has is
/// never one, and reading every id, name and yes/no cell as a possible
/// number was most of a load's allocations.
pub(super) fn add_numbers(sums: &mut Sums, cells: &[Cell]) {
    sums.add_if(cells, may_be_number);
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// A cell the totals-row sums are not given is never a number to them.
        #[test]
        fn cells_left_out_of_the_sums_are_not_numbers(t in "[0-9.,\\- \t\x0b\x0cA-Za-z:+eE０-９人名元学，．－　]{0,12}") {
            let c = Cell::Text(t);
            if !may_be_number(&c) {
                proptest::prop_assert!(crate::furniture::number(&c).is_none());
            }
        }
    }

    #[test]
    fn dates_and_ids_are_not_handed_to_the_sums() {
        // Nor names and schools: text opening with a character no number
        // holds.
        for t in [
            "2016-10-24",
            "S00000001",
            "false",
            "1-2",
            "12,3-4",
            "学生",
            "学生000001",
        ] {
            assert!(!may_be_number(&Cell::Text(t.into())), "{t}");
        }
        for t in ["1", " -1,200.5 ", "１２", "　１２", "１２人", "人名"] {
            assert!(may_be_number(&Cell::Text(t.into())), "{t}");
        }
    }
}

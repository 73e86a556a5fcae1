//! Finding a file's header row and mapping its columns.

use super::*;

/// The columns a header maps to the kind's: per kind column, the header
/// text naming it; per file column, the kind column it is; and per kind
/// column, the text of the file column that holds it, if any.
struct ColumnMap {
    names: Vec<String>,
    positions: Vec<Option<usize>>,
    by_col: Vec<Option<String>>,
}

impl RowReader<'_> {
    /// Find the header among the first rows, put the rows below it back to
    /// be read as data, and map its columns to the kind's.
    pub(super) fn find_header(&mut self) -> Result<(), Error> {
        let mut seen = self.header_candidates()?;
        let (pick, merged) = pick_header(self.kind, &seen);
        let Some(pick) = pick else {
            return Err(Error::NoHeader {
                file: self.file.clone(),
            });
        };
        let (header_line, header, mut rest) = self.take_header(&mut seen, pick, merged)?;
        self.warn_above_header(&seen);
        rest.append(&mut self.pending);
        self.pending = rest;
        let texts: Vec<String> = header
            .iter()
            .map(|c| c.text().ok().flatten().unwrap_or_default())
            .collect();
        let width = texts.iter().rposition(|t| !t.is_empty()).map_or(0, |p| p + 1);
        let map = self.map_columns(header_line, &texts, width)?;
        self.check_required(header_line, &texts, &map.by_col)?;
        self.set_mapping(map, width, texts);
        Ok(())
    }

    /// The rows the header is looked for in: up to [`HEADER_SEARCH`] rows
    /// of cells (with the blank and bad rows among them), fewer at the end
    /// of the file.
    fn header_candidates(&mut self) -> Result<Vec<Raw>, Error> {
        let mut seen = Vec::new();
        while seen.iter().filter(|r| matches!(r, Raw::Cells(..))).count() < HEADER_SEARCH {
            match self.raw()? {
                Some(r) => seen.push(r),
                None => break,
            }
        }
        Ok(seen)
    }

    /// Split the header (row `pick` of `seen`, and the row below it if
    /// `merged` says two rows are one header) from the rows read: `seen`
    /// keeps the rows above it; returned are the header's line and cells
    /// and the rows below it. A merged header is warned of.
    fn take_header(
        &mut self,
        seen: &mut Vec<Raw>,
        pick: usize,
        merged: Option<(u64, Vec<Cell>)>,
    ) -> Result<(u64, Vec<Cell>, VecDeque<Raw>), Error> {
        let mut rest: VecDeque<Raw> = seen.split_off(pick).into();
        let Some(Raw::Cells(first_line, first)) = rest.pop_front() else {
            return Err(Error::NoHeader {
                file: self.file.clone(),
            });
        };
        let (header_line, header) = match merged {
            Some((l, m)) => {
                rest.pop_front();
                self.warn(
                    first_line,
                    format!("lines {first_line} and {l} are read as one header (merged header cells)"),
                );
                (l, m)
            }
            None => (first_line, first),
        };
        Ok((header_line, header, rest))
    }

    /// Warn of each row above the header that is not blank: a title row
    /// or a row that could not be split into cells.
    fn warn_above_header(&mut self, above: &[Raw]) {
        for r in above {
            match r {
                Raw::Cells(l, c) if c.iter().any(|x| !x.is_blank()) => {
                    self.warn(*l, format!("line {l} above the header is ignored (a title row?)"));
                }
                Raw::BadRow(l, reason) => self.warn(*l, format!("line {l} above the header is ignored: {reason}")),
                _ => {}
            }
        }
    }

    /// Map the header's first `width` texts to the kind's columns: a
    /// column without a header is warned of and ignored, a kind column
    /// named twice is an error, an unknown one goes to
    /// [`RowReader::unknown_column`].
    fn map_columns(&mut self, header_line: u64, texts: &[String], width: usize) -> Result<ColumnMap, Error> {
        let cols = self.kind.columns();
        let mut names: Vec<String> = cols.iter().map(|c| c.name.to_string()).collect();
        let mut positions = vec![None; width];
        let mut by_col: Vec<Option<String>> = vec![None; cols.len()];
        for (pos, text) in texts.iter().take(width).enumerate() {
            if text.is_empty() {
                self.warn(header_line, format!("column {} has no header and is ignored", pos + 1));
                continue;
            }
            match self.kind.find(text) {
                Some(i) => {
                    if let Some(first) = &by_col[i] {
                        return Err(Error::DuplicateColumn {
                            file: self.file.clone(),
                            line: header_line,
                            column: cols[i].name,
                            first: first.clone(),
                            second: text.clone(),
                        });
                    }
                    by_col[i] = Some(text.clone());
                    names[i].clone_from(text);
                    positions[pos] = Some(i);
                }
                None => self.unknown_column(header_line, text)?,
            }
        }
        Ok(ColumnMap {
            names,
            positions,
            by_col,
        })
    }

    /// The error for the first required column the header lacks, if any:
    /// a CSV header read as one cell that seems to use another separator
    /// says so.
    fn check_required(&self, header_line: u64, texts: &[String], by_col: &[Option<String>]) -> Result<(), Error> {
        let cols = self.kind.columns();
        if let Some(c) = cols
            .iter()
            .zip(by_col)
            .find(|(c, b)| c.required && b.is_none())
            .map(|(c, _)| c)
        {
            if let Some(other) = self.other_separator(texts) {
                return Err(Error::Malformed {
                    file: self.file.clone(),
                    line: header_line,
                    reason: format!(
                        "missing required column {} ({}): the header is read as one cell, and the separator looks \
                         like {other}: use --delimiter (ReadOptions::delimiter)",
                        c.name, c.chinese
                    ),
                });
            }
            return Err(Error::MissingColumn {
                file: self.file.clone(),
                line: header_line,
                column: c.name,
                chinese: c.chinese,
            });
        }
        Ok(())
    }

    /// Keep the header's mapping, and start the sums of the totals rows
    /// with the key column's place.
    fn set_mapping(&mut self, map: ColumnMap, width: usize, texts: Vec<String>) {
        let ColumnMap { names, positions, .. } = map;
        let cols = self.kind.columns();
        let key = self
            .kind
            .key_column()
            .and_then(|k| self.kind.index(k))
            .and_then(|k| positions.iter().position(|p| *p == Some(k)));
        self.sums = Sums::new(key, width);
        let mut places = vec![None; cols.len()];
        for (pos, i) in positions.iter().enumerate() {
            if let Some(slot) = i.and_then(|i| places.get_mut(i)) {
                *slot = Some(pos);
            }
        }
        self.mapping = Some(Mapping {
            names: names.into(),
            places: places.into(),
            positions,
            width,
            headers: texts.into_iter().take(width).collect(),
        });
    }

    /// The separator a CSV header read as one cell seems to use instead:
    /// `;`, `|` or a tab, shown for a message.
    pub(super) fn other_separator(&self, header: &[String]) -> Option<&'static str> {
        if self.format != Format::Csv || header.iter().filter(|t| !t.is_empty()).count() > 1 {
            return None;
        }
        let cell = header.iter().find(|t| !t.is_empty())?;
        [('\t', "a tab ('\\t')"), (';', "`;`"), ('|', "`|`"), (',', "`,`")]
            .into_iter()
            .filter(|(c, _)| u8::try_from(*c).ok() != Some(self.delimiter))
            .find(|(c, _)| cell.contains(*c))
            .map(|(_, shown)| shown)
    }

    pub(super) fn unknown_column(&mut self, line: u64, text: &str) -> Result<(), Error> {
        match self.unknown {
            UnknownColumns::Reject => Err(Error::UnknownColumn {
                file: self.file.clone(),
                line,
                column: text.to_string(),
            }),
            _ => {
                if self.warned.insert(text.to_string()) {
                    self.warn(line, format!("unknown column {text:?} is ignored"));
                }
                Ok(())
            }
        }
    }
}

/// How many of the kind's required columns `cells` name.
fn required_found(kind: FileKind, cols: &[crate::Column], cells: &[Cell]) -> usize {
    let found: HashSet<usize> = cells
        .iter()
        .filter_map(|c| c.text().ok().flatten())
        .filter_map(|t| kind.find(&t))
        .filter(|i| cols.get(*i).is_some_and(|c| c.required))
        .collect();
    found.len()
}

/// Which of the rows `seen` is the header: the first row naming every
/// required column; else the first of two rows that, merged, name them
/// all (with the lower row's line and the merged cells); else the first
/// row that is not blank; `None` if every row is blank.
fn pick_header(kind: FileKind, seen: &[Raw]) -> (Option<usize>, Option<(u64, Vec<Cell>)>) {
    let cols = kind.columns();
    let required = cols.iter().filter(|c| c.required).count();
    let single = seen
        .iter()
        .position(|r| matches!(r, Raw::Cells(_, c) if required_found(kind, cols, c) == required));
    match single {
        Some(p) => (Some(p), None),
        None => match two_row_header(kind, seen, required) {
            Some((i, l, m)) => (Some(i), Some((l, m))),
            None => (
                seen.iter()
                    .position(|r| matches!(r, Raw::Cells(_, c) if c.iter().any(|x| !x.is_blank()))),
                None,
            ),
        },
    }
}

/// A header of two rows (merged cells: a group title above its columns,
/// or a name merged down over both rows): each column takes the lower
/// row's text, or the upper's where the lower is empty. The first such
/// pair of `seen` naming all `required` columns: the upper row's index,
/// the lower row's line and the merged cells.
fn two_row_header(kind: FileKind, seen: &[Raw], required: usize) -> Option<(usize, u64, Vec<Cell>)> {
    let cols = kind.columns();
    seen.windows(2).enumerate().find_map(|(i, w)| match w {
        [Raw::Cells(_, a), Raw::Cells(l, b)] => {
            let merged = merge_header(a, b);
            (required_found(kind, cols, &merged) == required).then_some((i, *l, merged))
        }
        _ => None,
    })
}

/// Two header rows as one: each column's lower text, or its upper text
/// where the lower cell is empty.
pub(super) fn merge_header(upper: &[Cell], lower: &[Cell]) -> Vec<Cell> {
    (0..upper.len().max(lower.len()))
        .map(|i| match (upper.get(i), lower.get(i)) {
            (_, Some(l)) if !l.is_blank() => l.clone(),
            (Some(u), _) => u.clone(),
            _ => Cell::Empty,
        })
        .collect()
}

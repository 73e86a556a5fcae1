//! Finding a file's header row and mapping its columns.

use super::*;

impl RowReader<'_> {
    pub(super) fn find_header(&mut self) -> Result<(), Error> {
        let mut seen = Vec::new();
        while seen.iter().filter(|r| matches!(r, Raw::Cells(..))).count() < HEADER_SEARCH {
            match self.raw()? {
                Some(r) => seen.push(r),
                None => break,
            }
        }
        let cols = self.kind.columns();
        let required = cols.iter().filter(|c| c.required).count();
        let score = |cells: &[Cell]| {
            let found: HashSet<usize> = cells
                .iter()
                .filter_map(|c| c.text().ok().flatten())
                .filter_map(|t| self.kind.find(&t))
                .filter(|i| cols.get(*i).is_some_and(|c| c.required))
                .collect();
            found.len()
        };
        let single = seen
            .iter()
            .position(|r| matches!(r, Raw::Cells(_, c) if score(c) == required));
        // A header of two rows (merged cells: a group title above its
        // columns, or a name merged down over both rows): each column takes
        // the lower row's text, or the upper's where the lower is empty.
        let two = || {
            seen.windows(2).enumerate().find_map(|(i, w)| match w {
                [Raw::Cells(_, a), Raw::Cells(l, b)] => {
                    let merged = merge_header(a, b);
                    (score(&merged) == required).then_some((i, *l, merged))
                }
                _ => None,
            })
        };
        let (pick, merged) = match single {
            Some(p) => (Some(p), None),
            None => match two() {
                Some((i, l, m)) => (Some(i), Some((l, m))),
                None => (
                    seen.iter()
                        .position(|r| matches!(r, Raw::Cells(_, c) if c.iter().any(|x| !x.is_blank()))),
                    None,
                ),
            },
        };
        let Some(pick) = pick else {
            return Err(Error::NoHeader {
                file: self.file.clone(),
            });
        };
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
        for r in &seen {
            match r {
                Raw::Cells(l, c) if c.iter().any(|x| !x.is_blank()) => {
                    self.warn(*l, format!("line {l} above the header is ignored (a title row?)"));
                }
                Raw::BadRow(l, reason) => self.warn(*l, format!("line {l} above the header is ignored: {reason}")),
                _ => {}
            }
        }
        rest.append(&mut self.pending);
        self.pending = rest;
        let texts: Vec<String> = header
            .iter()
            .map(|c| c.text().ok().flatten().unwrap_or_default())
            .collect();
        let width = texts.iter().rposition(|t| !t.is_empty()).map_or(0, |p| p + 1);
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
        if let Some(c) = cols
            .iter()
            .zip(&by_col)
            .find(|(c, b)| c.required && b.is_none())
            .map(|(c, _)| c)
        {
            if let Some(other) = self.other_separator(&texts) {
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
        Ok(())
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

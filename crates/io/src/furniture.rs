//! The furniture of a clerk's table that is not a record: totals and
//! subtotal rows (合计, 小计, 总计, 共计, or a row whose key column is empty
//! while its numbers are the sums of the rows above), and notes below the
//! table (备注, 说明, 填表人, 审核人, 日期 …). Such rows are skipped with one
//! warning each, counted in [`LoadReport::skipped`](crate::LoadReport), and a
//! totals row's numbers are checked against the rows they sum.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::cell::{Cell, ascii_digits};

/// Labels of a totals row; `小计` closes a group, the others the table.
const TOTAL_LABELS: &[&str] = &["合计", "小计", "总计", "共计", "总合计", "累计"];

/// Words that open a note line below a table.
const NOTE_WORDS: &[&str] = &[
    "备注",
    "说明",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "审核",
    "复核人",
    "负责人",
    "单位负责人",
    "经办人",
    "联系人",
    "联系电话",
    "填表日期",
    "填报日期",
    "制表日期",
    "日期",
    "注",
    "附注",
    "单位盖章",
    "盖章",
];

/// What a furniture row is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Furniture {
    /// A totals or subtotal row, with its label (`合计` …) if it has one.
    Totals(Option<String>),
    /// A note line below the table; true if it continues the note lines
    /// above.
    Note(bool),
}

/// Running sums of the data rows, per file column, for checking totals rows.
#[derive(Debug, Default)]
pub(crate) struct Sums {
    /// The file column of the kind's key (学籍号 …), if the file has one.
    pub key: Option<usize>,
    /// Data rows since the start.
    all_rows: u64,
    /// Per file column: the sum of its numbers since the start.
    all: Vec<Option<Decimal>>,
    /// Data rows since the last totals row.
    group_rows: u64,
    /// Per file column: the sum since the last totals row.
    group: Vec<Option<Decimal>>,
    /// A note line was the last non-blank row: a one-cell line after it
    /// continues the notes.
    in_notes: bool,
}

/// White space (also full-width) removed: `合  计` reads as `合计`.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The number a cell holds, if any: an xlsx number, or text such as
/// `1,200.50`, `１２００`, `20人`, `3名`, `1200元`. The second value is true
/// for a head count (`人`, `名`).
pub(crate) fn number(cell: &Cell) -> Option<(Decimal, bool)> {
    match cell {
        Cell::Number(f) => Decimal::from_str(&format!("{f}")).ok().map(|d| (d, false)),
        Cell::JsonNumber(s) => Decimal::from_str(s).ok().map(|d| (d, false)),
        Cell::Text(s) => {
            let t = compact(&ascii_digits(s)).replace(',', "");
            let (t, heads) = match t.strip_suffix(['人', '名']) {
                Some(rest) => (rest.to_string(), true),
                None => (t.strip_suffix('元').unwrap_or(&t).to_string(), false),
            };
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
                return None;
            }
            Decimal::from_str(&t).ok().map(|d| (d, heads))
        }
        _ => None,
    }
}

fn text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(s) => Some(compact(s)).filter(|t| !t.is_empty()),
        _ => None,
    }
}

/// The totals label a cell holds: `合计`, `小计（一中）`, `全县合计`.
pub(crate) fn total_label(t: &str) -> Option<String> {
    let t = t.trim_end_matches([':', '：']);
    TOTAL_LABELS.iter().find_map(|l| {
        let hit = t.starts_with(l) || (t.ends_with(l) && t.chars().count() <= 12);
        hit.then(|| (*l).to_string())
    })
}

/// True if the text opens a note: `备注：…`, `填表人：张三`, `注1：…`,
/// `说明`.
pub(crate) fn is_note(t: &str) -> bool {
    NOTE_WORDS.iter().any(|w| {
        t.strip_prefix(w).is_some_and(|rest| {
            rest.is_empty()
                || rest.starts_with([':', '：', '(', '（', '、', '.', '．'])
                || rest.starts_with(|c: char| c.is_ascii_digit())
                || w.chars().count() >= 3
        })
    })
}

impl Sums {
    /// Sums for a table whose key is in file column `key`.
    pub(crate) fn new(key: Option<usize>, width: usize) -> Sums {
        Sums {
            key,
            all: vec![None; width],
            group: vec![None; width],
            ..Sums::default()
        }
    }

    /// What the row is if it is furniture, not a record. `cells` are the
    /// row's cells by file column.
    pub(crate) fn classify(&mut self, cells: &[Cell]) -> Option<Furniture> {
        let filled: Vec<(usize, &Cell)> = cells.iter().enumerate().filter(|(_, c)| !c.is_blank()).collect();
        let key_text = self.key.and_then(|k| cells.get(k)).and_then(text);
        let key_free = |at: usize| {
            self.key
                .is_none_or(|k| k == at || cells.get(k).is_none_or(Cell::is_blank))
        };
        // A totals label in one of the first cells, the key column empty
        // or holding the label itself.
        for (at, cell) in filled.iter().take(3) {
            if let Some(label) = text(cell).as_deref().and_then(total_label) {
                if key_free(*at) {
                    self.in_notes = false;
                    return Some(Furniture::Totals(Some(label)));
                }
            }
        }
        if let Some((at, first)) = filled.first() {
            let t = text(first);
            let notes = t.as_deref().is_some_and(is_note);
            let continued = self.in_notes && filled.len() == 1 && t.is_some();
            if (notes || continued) && key_free(*at) {
                let more = self.in_notes;
                self.in_notes = true;
                return Some(Furniture::Note(more));
            }
        }
        self.in_notes = false;
        // No label: the key column empty, every filled cell a number, and
        // at least one of them the sum of the rows above.
        if key_text.is_none() && self.key.is_some() && !filled.is_empty() {
            let numbers: Option<Vec<(usize, Decimal, bool)>> = filled
                .iter()
                .map(|(at, c)| number(c).map(|(d, h)| (*at, d, h)))
                .collect();
            if let Some(numbers) = numbers {
                if numbers.iter().any(|(at, d, heads)| self.matches(*at, *d, *heads)) {
                    return Some(Furniture::Totals(None));
                }
            }
        }
        None
    }

    /// True if `value` in column `at` is the sum (or, for a head count, the
    /// number) of the rows of the group or of the table.
    fn matches(&self, at: usize, value: Decimal, heads: bool) -> bool {
        if heads {
            return value == Decimal::from(self.group_rows) || value == Decimal::from(self.all_rows);
        }
        let g = self.group.get(at).copied().flatten();
        let a = self.all.get(at).copied().flatten();
        (g.is_some() && g == Some(value)) || (a.is_some() && a == Some(value))
    }

    /// Add a data row's numbers.
    pub(crate) fn add(&mut self, cells: &[Cell]) {
        self.all_rows += 1;
        self.group_rows += 1;
        for (at, cell) in cells.iter().enumerate() {
            let Some((d, _)) = number(cell) else { continue };
            for v in [&mut self.all, &mut self.group] {
                if v.len() <= at {
                    v.resize(at + 1, None);
                }
                if let Some(slot) = v.get_mut(at) {
                    *slot = Some(slot.unwrap_or_default().saturating_add(d));
                }
            }
        }
    }

    /// Check a totals row's numbers against the rows above and close the
    /// group: the sentence for the row's warning. `names` are the file's
    /// headers by column.
    pub(crate) fn check(&mut self, cells: &[Cell], names: &[String]) -> String {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        let mut unchecked = Vec::new();
        let rows = self.group_rows;
        for (at, cell) in cells.iter().enumerate() {
            if self.key == Some(at) {
                continue;
            }
            let Some((value, heads)) = number(cell) else { continue };
            let name = names.get(at).cloned().unwrap_or_else(|| format!("column {}", at + 1));
            let shown = |d: Decimal| d.normalize().to_string();
            if self.matches(at, value, heads) {
                good.push(name);
            } else if heads {
                bad.push(format!(
                    "{name}: the row says {}, the table has {} rows ({rows} since the last total)",
                    shown(value),
                    self.all_rows
                ));
            } else {
                match (
                    self.group.get(at).copied().flatten(),
                    self.all.get(at).copied().flatten(),
                ) {
                    (Some(g), Some(a)) => bad.push(format!(
                        "{name}: the row says {}, the {rows} rows above sum to {} ({} in the whole table)",
                        shown(value),
                        shown(g),
                        shown(a)
                    )),
                    _ => unchecked.push(name),
                }
            }
        }
        self.group_rows = 0;
        self.group.iter_mut().for_each(|g| *g = None);
        let mut parts = Vec::new();
        if !good.is_empty() {
            parts.push(format!("its sums match the rows above in {}", good.join(", ")));
        }
        if !bad.is_empty() {
            parts.push(format!("it does NOT match: {}", bad.join("; ")));
        }
        if !unchecked.is_empty() {
            parts.push(format!("not checkable (no numbers above): {}", unchecked.join(", ")));
        }
        if parts.is_empty() {
            parts.push("it holds no number to check".into());
        }
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn labels_and_notes() {
        assert_eq!(total_label("合计"), Some("合计".into()));
        assert_eq!(total_label("全县合计"), Some("合计".into()));
        assert_eq!(total_label("小计（一中）"), Some("小计".into()));
        assert_eq!(total_label("张三"), None);
        assert!(is_note("填表人：张三"));
        assert!(is_note("备注"));
        assert!(is_note("注1：本表"));
        assert!(is_note("日期:2017年3月1日"));
        assert!(!is_note("日期格式"));
        assert!(!is_note("注册"));
    }

    #[test]
    fn numbers() {
        assert_eq!(number(&t("20人")), Some((Decimal::from(20), true)));
        assert_eq!(number(&t("1,200.50")), Some((Decimal::new(120_050, 2), false)));
        assert_eq!(number(&t("１２")), Some((Decimal::from(12), false)));
        assert_eq!(number(&t("小学")), None);
        assert_eq!(number(&Cell::Number(3.5)), Some((Decimal::new(35, 1), false)));
    }

    #[test]
    fn an_unlabelled_sum_row_is_totals_only_if_a_number_is_a_sum() {
        let mut s = Sums::new(Some(0), 3);
        s.add(&[t("G1"), t("甲"), Cell::Number(100.0)]);
        s.add(&[t("G2"), t("乙"), Cell::Number(50.0)]);
        assert_eq!(s.classify(&[Cell::Empty, Cell::Empty, Cell::Number(151.0)]), None);
        assert_eq!(
            s.classify(&[Cell::Empty, Cell::Empty, Cell::Number(150.0)]),
            Some(Furniture::Totals(None))
        );
        let names = vec!["学籍号".into(), "姓名".into(), "金额".into()];
        let msg = s.check(&[Cell::Empty, t("2人"), Cell::Number(150.0)], &names);
        assert!(msg.contains("match the rows above in 姓名, 金额"), "{msg}");
    }
}

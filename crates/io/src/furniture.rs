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
    /// Per file column: the sum of its plain whole numbers (up to nine
    /// digits, most numbers of a roster) not yet added to `all` and
    /// `group` ([`Sums::settle`] does, before they are read): an integer
    /// sum instead of two `Decimal` sums a cell.
    pending: Vec<Option<u128>>,
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
        Cell::Int(x) => Some((Decimal::from(*x), false)),
        Cell::Text(s) if s.is_ascii() => ascii_number(s),
        // A character that is none of these stays in the text below and
        // makes it no number: names, schools, dates in Chinese.
        Cell::Text(s) if !s.chars().all(may_be_in_number) => None,
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

/// The number of a text cell of one to nine ASCII digits and nothing else,
/// as [`number`] reads it (a whole number, not a head count).
fn plain_whole(cell: &Cell) -> Option<u32> {
    let Cell::Text(s) = cell else { return None };
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    s.bytes()
        .try_fold(0u32, |n, b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// True for a character [`number`] may read in a number: ASCII digits,
/// points, minus and commas, white space, the full-width forms
/// [`ascii_digits`] maps to those, and the units `人`, `名`, `元`.
pub(crate) fn may_be_in_number(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            '.' | '-' | ',' | '０'..='９' | '．' | '－' | '，' | '人' | '名' | '元'
        )
        || c.is_whitespace()
}

/// [`number`] of ASCII text, without a copy unless the text holds white
/// space or a comma inside it: what the general path reads, since
/// [`ascii_digits`] leaves ASCII as it is and no ASCII text ends in `人`,
/// `名` or `元`.
fn ascii_number(s: &str) -> Option<(Decimal, bool)> {
    let t = s.trim();
    let number_byte = |b: u8| b.is_ascii_digit() || b == b'.' || b == b'-';
    if t.is_empty() {
        return None;
    }
    if t.bytes().all(number_byte) {
        return Decimal::from_str(t).ok().map(|d| (d, false));
    }
    let squeezed: String = t.chars().filter(|c| !c.is_whitespace() && *c != ',').collect();
    if squeezed.is_empty() || !squeezed.bytes().all(number_byte) {
        return None;
    }
    Decimal::from_str(&squeezed).ok().map(|d| (d, false))
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

    /// True if the row is surely a record, so that [`Sums::classify`]
    /// would find nothing (and change nothing): no note lines above, the
    /// key column holding text, no `计` (which ends every totals label) in
    /// the first three filled cells, and the first filled cell not opening
    /// with a note word (all of them Chinese: text opening with an ASCII
    /// character opens no note). A cheap check of the bytes, with no copy;
    /// when it says no, `classify` decides.
    pub(crate) fn surely_record(&self, cells: &[Cell]) -> bool {
        if self.in_notes {
            return false;
        }
        let Some(Cell::Text(key)) = self.key.and_then(|k| cells.get(k)) else {
            return false;
        };
        if crate::cell::trim(key).is_empty() {
            return false;
        }
        // ASCII text holds no `计`.
        let total_word = |t: &str| !t.is_ascii() && t.contains('计');
        let mut filled = cells.iter().filter(|c| !c.is_blank()).take(3);
        if let Some(Cell::Text(first)) = filled.next() {
            if !first.trim_start().starts_with(|c: char| c.is_ascii()) || total_word(first) {
                return false;
            }
        }
        filled.all(|c| !matches!(c, Cell::Text(t) if total_word(t)))
    }

    /// What the row is if it is furniture, not a record. `cells` are the
    /// row's cells by file column.
    pub(crate) fn classify(&mut self, cells: &[Cell]) -> Option<Furniture> {
        if self.surely_record(cells) {
            return None;
        }
        self.classify_slow(cells)
    }

    /// [`Sums::classify`] without the pre-check.
    fn classify_slow(&mut self, cells: &[Cell]) -> Option<Furniture> {
        self.settle();
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
    #[cfg(test)]
    pub(crate) fn add(&mut self, cells: &[Cell]) {
        self.add_if(cells, |_| true);
    }

    /// Add a data row's numbers, looking only at the cells `may_be` passes
    /// (it must pass every cell that holds a number).
    pub(crate) fn add_if(&mut self, cells: &[Cell], may_be: impl Fn(&Cell) -> bool) {
        self.all_rows += 1;
        self.group_rows += 1;
        for (at, cell) in cells.iter().enumerate() {
            if !may_be(cell) {
                continue;
            }
            if let Some(n) = plain_whole(cell) {
                if self.pending.len() <= at {
                    self.pending.resize(at + 1, None);
                }
                if let Some(slot) = self.pending.get_mut(at) {
                    *slot = Some(slot.unwrap_or_default().saturating_add(u128::from(n)));
                }
                continue;
            }
            let Some((d, _)) = number(cell) else { continue };
            self.add_to_sums(at, d);
        }
    }

    /// Add `d` to column `at`'s sums.
    fn add_to_sums(&mut self, at: usize, d: Decimal) {
        for v in [&mut self.all, &mut self.group] {
            if v.len() <= at {
                v.resize(at + 1, None);
            }
            if let Some(slot) = v.get_mut(at) {
                *slot = Some(slot.unwrap_or_default().saturating_add(d));
            }
        }
    }

    /// Add the pending whole numbers to the sums (exact: the sums of whole
    /// numbers of up to nine digits reach no `Decimal` limit, so the order
    /// of the additions changes nothing).
    fn settle(&mut self) {
        for at in 0..self.pending.len() {
            if let Some(Some(n)) = self.pending.get_mut(at).map(Option::take) {
                // (`From<u128>` would panic past the largest Decimal.)
                let d = <Decimal as rust_decimal::prelude::FromPrimitive>::from_u128(n).unwrap_or(Decimal::MAX);
                self.add_to_sums(at, d);
            }
        }
    }

    /// Check a totals row's numbers against the rows above and close the
    /// group: the sentence for the row's warning. `names` are the file's
    /// headers by column.
    pub(crate) fn check(&mut self, cells: &[Cell], names: &[String]) -> String {
        self.settle();
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

    proptest::proptest! {
        /// Whole numbers summed apart and settled give the sums of adding
        /// each number as `number` reads it; `plain_whole` reads as `number`.
        #[test]
        fn pending_whole_numbers_sum_as_numbers(
            rows in proptest::collection::vec(
                proptest::collection::vec("[0-9]{1,11}|-?[0-9]{1,3}(\\.[0-9]{1,2})?| ?[0-9]{1,3} ?|[0-9]{1,3}人|学生", 0..5),
                0..8,
            ),
            close in 0usize..8,
        ) {
            let mut s = Sums::new(Some(9), 5);
            let mut all: Vec<Option<Decimal>> = vec![None; 5];
            let mut group = all.clone();
            for (i, row) in rows.iter().enumerate() {
                let cells: Vec<Cell> = row.iter().map(|t| Cell::Text(t.clone())).collect();
                for (at, c) in cells.iter().enumerate() {
                    if let Some(n) = plain_whole(c) {
                        proptest::prop_assert_eq!(number(c), Some((Decimal::from(n), false)));
                    }
                    if let Some((d, _)) = number(c) {
                        for v in [&mut all, &mut group] {
                            if v.len() <= at {
                                v.resize(at + 1, None);
                            }
                            v[at] = Some(v[at].unwrap_or_default() + d);
                        }
                    }
                }
                s.add(&cells);
                if i == close {
                    // A totals row settles the sums before it closes the group.
                    s.check(&[], &[]);
                    group.iter_mut().for_each(|g| *g = None);
                    proptest::prop_assert_eq!(&s.all, &all);
                    proptest::prop_assert_eq!(&s.group, &group);
                }
            }
            s.settle();
            proptest::prop_assert_eq!(&s.all, &all);
            proptest::prop_assert_eq!(&s.group, &group);
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number(&t("20人")), Some((Decimal::from(20), true)));
        assert_eq!(number(&t("1,200.50")), Some((Decimal::new(120_050, 2), false)));
        assert_eq!(number(&t("１２")), Some((Decimal::from(12), false)));
        assert_eq!(number(&t("小学")), None);
        assert_eq!(number(&Cell::Number(3.5)), Some((Decimal::new(35, 1), false)));
    }

    /// Pieces of cell text: labels, note words, numbers, ids, names, white
    /// space, and the characters the pre-check looks for.
    const PIECES: &[&str] = &[
        "",
        " ",
        "\u{3000}",
        "合计",
        "小计",
        "全县合计",
        "总合计",
        "计",
        "合 计",
        "备注",
        "备注：",
        "填表人",
        "注1",
        "日期",
        "说明",
        "：",
        ":",
        "G1",
        "S0001",
        "12",
        "1,200",
        "-3.5",
        "学生",
        "甲",
        "计划",
        "人",
        "false",
        "2016-10-24",
        "a",
    ];

    fn cell_strategy() -> impl proptest::strategy::Strategy<Value = Cell> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Cell::Empty),
            (0..4u8).prop_map(|n| Cell::Number(f64::from(n * 50))),
            proptest::collection::vec(0..PIECES.len(), 0..4)
                .prop_map(|ix| Cell::Text(ix.iter().map(|i| PIECES[*i]).collect())),
        ]
    }

    proptest::proptest! {
        /// The pre-check never passes a row that the full classification
        /// takes for furniture, whatever came before it (data rows summed,
        /// note lines).
        #[test]
        fn the_pre_check_never_passes_furniture(
            key in proptest::option::of(0usize..3),
            before in proptest::collection::vec(proptest::collection::vec(cell_strategy(), 0..5), 0..4),
            row in proptest::collection::vec(cell_strategy(), 0..6),
        ) {
            let mut s = Sums::new(key, 5);
            for r in &before {
                if s.classify_slow(r).is_none() {
                    s.add(r);
                }
            }
            if s.surely_record(&row) {
                let in_notes = s.in_notes;
                proptest::prop_assert_eq!(s.classify_slow(&row), None);
                proptest::prop_assert_eq!(s.in_notes, in_notes);
            }
        }

        /// The ASCII fast path of `number` reads what the general path reads.
        #[test]
        fn ascii_numbers_read_as_before(t in "[0-9.,\\- \t\x0b\x0cA-Za-z:+eE]{0,12}") {
            let general = || {
                let t = compact(&ascii_digits(&t)).replace(',', "");
                if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
                    return None;
                }
                Decimal::from_str(&t).ok().map(|d| (d, false))
            };
            proptest::prop_assert_eq!(number(&Cell::Text(t.clone())), general());
        }
    }

    proptest::proptest! {
        /// The characters left out by the pre-filter of `number` make no
        /// number on the general path either.
        #[test]
        fn text_with_other_characters_is_no_number(t in "[0-9.,\\- ０-９．－，人名元学甲计\u{3000}]{0,10}") {
            let general = {
                let t = compact(&ascii_digits(&t)).replace(',', "");
                let (t, heads) = match t.strip_suffix(['人', '名']) {
                    Some(rest) => (rest.to_string(), true),
                    None => (t.strip_suffix('元').unwrap_or(&t).to_string(), false),
                };
                if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
                    None
                } else {
                    Decimal::from_str(&t).ok().map(|d| (d, heads))
                }
            };
            proptest::prop_assert_eq!(number(&Cell::Text(t)), general);
        }
    }

    #[test]
    fn the_pre_check_leaves_totals_and_notes_to_the_classification() {
        let mut s = Sums::new(Some(0), 3);
        s.add(&[t("G1"), t("甲"), Cell::Number(100.0)]);
        for row in [
            vec![t("合计"), Cell::Empty, Cell::Number(100.0)],
            vec![t("G1"), t("小计（一中）"), Cell::Number(100.0)],
            vec![Cell::Empty, Cell::Empty, Cell::Number(100.0)],
            vec![t(" 备注：本表"), Cell::Empty, Cell::Empty],
            vec![Cell::Number(1.0), t("甲"), Cell::Number(100.0)],
        ] {
            assert!(!s.surely_record(&row), "{row:?}");
        }
        assert!(s.surely_record(&[t("G2"), t("学生"), Cell::Number(100.0)]));
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

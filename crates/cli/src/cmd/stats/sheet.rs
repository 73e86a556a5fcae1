//! How figures are shown, and the rows of the indicators sheet: a rate
//! with its counts, flags and standard, a ratio, an index.

use eduaid::model::rate::{Rate, Ratio};
use eduaid::model::{Decimal, Rounding};
use eduaid::stats::{Target, round_significant};

use super::indicators::Value;
use crate::output::{Sheet, Val};

/// How figures are shown: two decimal places, or significant figures.
#[derive(Clone, Copy)]
pub(super) struct Show {
    /// Significant figures (`--sig`), else two decimal places.
    pub(super) sig: Option<u32>,
    /// Chinese words.
    pub(super) zh: bool,
}

impl Show {
    /// A percentage as shown (capped if the rate is), or the reason it is
    /// not computable.
    pub(super) fn rate(self, rate: &Rate) -> String {
        match rate.not_computable {
            Some(m) if self.zh => format!("不可计算：{}", m.chinese()),
            Some(m) => format!("not computable: {m}"),
            None => match self.sig {
                Some(n) => rate.format_percent_significant(n, Rounding::HalfUp),
                None => rate.format_percent(2),
            },
        }
    }

    /// The raw percentage, never capped; empty without a value.
    pub(super) fn raw(self, rate: &Rate) -> Val {
        if !rate.has_value() {
            return Val::Empty;
        }
        let v = match self.sig {
            Some(n) => rate.ratio.round_significant(2, n, Rounding::HalfUp),
            None => rate.raw_percent(2, Rounding::HalfUp),
        };
        v.map_or(Val::Empty, Val::Percent)
    }

    /// A fraction (0 to 1) as a percentage.
    pub(super) fn fraction(self, f: Decimal) -> String {
        let p = f.checked_mul(Decimal::ONE_HUNDRED).unwrap_or(f);
        let v = match self.sig {
            Some(n) => round_significant(p, n, Rounding::HalfUp).unwrap_or(p),
            None => Rounding::HalfUp.round(p, 2),
        };
        format!("{v}%")
    }

    /// The 95% Wilson interval, `[lo%, hi%]`; empty without one.
    pub(super) fn wilson(self, rate: &Rate) -> Val {
        rate.wilson_95().map_or(Val::Empty, |(lo, hi)| {
            format!("[{}, {}]", self.fraction(lo), self.fraction(hi)).into()
        })
    }

    /// A plain number (an index, a factor) to four places or `sig` figures.
    pub(super) fn number(self, v: Decimal) -> String {
        match self.sig {
            Some(n) => round_significant(v, n, Rounding::HalfUp).unwrap_or(v).to_string(),
            None => Rounding::HalfUp.round(v, 4).to_string(),
        }
    }
}

/// The header of the indicators sheet.
pub(super) fn indicator_header(zh: bool) -> Vec<&'static str> {
    let h = |en: &'static str, c: &'static str| if zh { c } else { en };
    vec![
        h("indicator", "指标"),
        h("key", "代码"),
        h("group", "分组"),
        h("value", "数值"),
        h("raw_value", "原始值"),
        h("numerator", "分子"),
        h("denominator", "分母"),
        h("wilson_95", "95%置信区间"),
        h("flags", "提示"),
        h("standard", "标准"),
        h("met", "是否达标"),
        h("margin_points", "差距（百分点）"),
    ]
}

/// One row of the indicators sheet; returns whether a standard was missed.
pub(super) fn push_value(sheet: &mut Sheet, row: Row<'_>, value: Value, show: Show) -> bool {
    match value {
        Value::Rate(rate) => push_rate(sheet, row, &rate, show),
        Value::Ratio(r) => {
            push_ratio(sheet, row, &r, show);
            false
        }
        Value::Index(i) => {
            push_index(sheet, row, i, show);
            false
        }
    }
}

/// The flags cell: the flags, then the row's note after `; `.
fn with_note(flags: String, note: Option<&str>) -> String {
    match (flags.is_empty(), note) {
        (_, None) => flags,
        (true, Some(n)) => n.to_string(),
        (false, Some(n)) => format!("{flags}; {n}"),
    }
}

/// The 是否达标 cell of a rate held to a standard: yes or no, and a yes
/// with a raw value over 100% says so (it is not a real retention).
fn met_words(met: Option<bool>, rate: &Rate, show: Show) -> Option<&'static str> {
    let h = |en: &'static str, c: &'static str| if show.zh { c } else { en };
    met.map(|m| match (m, rate.exceeds_hundred()) {
        (true, true) => h(
            "yes (raw value over 100%: check the counts)",
            "是（原始值超过100%，需核查）",
        ),
        (true, false) => h("yes", "是"),
        (false, _) => h("no", "否"),
    })
}

/// A rate's row: the percentage, its exact counts, raw value and Wilson
/// interval (when the row shows counts and the rate is computable), its
/// flags and its standard; returns whether the standard was missed.
fn push_rate(sheet: &mut Sheet, row: Row<'_>, rate: &Rate, show: Show) -> bool {
    let counts = row.counts && rate.not_computable.is_none();
    let flags: Vec<String> = rate
        .flags()
        .iter()
        .map(|f| if show.zh { f.chinese() } else { f.to_string() })
        .collect();
    let check = row.target.map(|t| t.check(rate));
    let missed = check.as_ref().is_some_and(|c| c.met == Some(false));
    let met = met_words(check.as_ref().and_then(|c| c.met), rate, show);
    sheet.push(vec![
        row.name.into(),
        row.key.into(),
        row.group.into(),
        Val::percent_or_text(&show.rate(rate)),
        if counts { show.raw(rate) } else { Val::Empty },
        if counts { rate.numerator().into() } else { Val::Empty },
        if counts { rate.denominator().into() } else { Val::Empty },
        if counts { show.wilson(rate) } else { Val::Empty },
        with_note(flags.join("; "), row.note).into(),
        row.target.map(|t| format!("≥ {}%", t.threshold)).into(),
        met.map(str::to_string).into(),
        check.map(|c| c.format_margin(2, Rounding::HalfUp)).into(),
    ]);
    missed
}

/// A ratio's row, `x:1` with its numerator and denominator.
fn push_ratio(sheet: &mut Sheet, row: Row<'_>, r: &Ratio, show: Show) {
    let h = |en: &'static str, c: &'static str| if show.zh { c } else { en };
    let shown = match (show.sig, r.value()) {
        (Some(_), Some(v)) => format!("{}:1", show.number(v)),
        _ => format!("{}:1", r.format(1, Rounding::HalfUp)),
    };
    let flag = if r.is_undefined() {
        h("zero denominator", "分母为零")
    } else {
        ""
    };
    sheet.push(vec![
        row.name.into(),
        row.key.into(),
        row.group.into(),
        shown.into(),
        Val::Empty,
        r.numerator.into(),
        r.denominator.into(),
        Val::Empty,
        with_note(flag.to_string(), row.note).into(),
        Val::Empty,
        Val::Empty,
        Val::Empty,
    ]);
}

/// An index's row: the number, or — without a value.
fn push_index(sheet: &mut Sheet, row: Row<'_>, i: Option<Ratio>, show: Show) {
    let h = |en: &'static str, c: &'static str| if show.zh { c } else { en };
    let shown = i
        .and_then(|r| r.value())
        .map_or_else(|| "—".to_string(), |v| show.number(v));
    let flag = if i.is_none() { h("no value", "无数值") } else { "" };
    sheet.push(vec![
        row.name.into(),
        row.key.into(),
        row.group.into(),
        shown.into(),
        Val::Empty,
        Val::Empty,
        Val::Empty,
        Val::Empty,
        with_note(flag.to_string(), row.note).into(),
        Val::Empty,
        Val::Empty,
        Val::Empty,
    ]);
}

/// What names a row of the indicators sheet.
pub(super) struct Row<'a> {
    /// The indicator's name.
    pub(super) name: &'a str,
    /// Its key.
    pub(super) key: &'a str,
    /// The group (全县, a township …).
    pub(super) group: String,
    /// The standard it is held to.
    pub(super) target: Option<&'a Target>,
    /// A note after the flags.
    pub(super) note: Option<&'a str>,
    /// Show the exact counts and the Wilson interval (not for a rate that
    /// was rescaled, such as a capped NER, whose terms are not counts).
    pub(super) counts: bool,
}

impl<'a> Row<'a> {
    /// A row without a standard or note.
    pub(super) fn new(name: &'a str, key: &'a str, group: String) -> Row<'a> {
        Row {
            name,
            key,
            group,
            target: None,
            note: None,
            counts: true,
        }
    }
}

//! Cited figures (引用数据): what the county's report states that no record
//! of the county holds (teachers recruited, money invested, graduates
//! employed, an earlier year's Rain-and-Dew plan), entered by the clerk
//! with the document each comes from.
//!
//! A cited-figures file is a table (CSV UTF-8 or GBK, `.xlsx`, or JSON, as
//! [`read_table`](crate::io::read_table) reads) with one figure a row:
//!
//! | 键 (`key`) | 名称 (`label`) | 数值 (`value`) | 单位 (`unit`) | 出处 (`source`) |
//! |---|---|---|---|---|
//! | `teachers_special_post` | 特岗教师 | 234 | 名 | 《…工作报告》 |
//! | `invest_weak_schools` | 薄改、教学点和周转房投入 | 5272 | 万元 | 《…工作报告》 |
//! | `invest_equipment` | 教育设施设备投入 | 1.14 | 亿元 | 《…工作报告》 |
//!
//! The unit decides the kind of figure ([`cited_figure`]): 元, 万元 and 亿元
//! are amounts (shown in that unit, exact), `%` a percentage, an empty unit
//! with a date (2017-07-11, 2017年7月11日) a date, any other unit a count
//! when the value is whole (人, 名, 所, 个, 人次) and a number otherwise.
//! The figures go into [`Settings::cited`](super::Settings::cited); the
//! report marks their source 引用（非计算） and checks them where a relation
//! joins them (198 = 189 + 9).

use std::str::FromStr;

use super::Error;
use crate::model::{Decimal, Money, NaiveDate};
use crate::report::value::MoneyUnit;
use crate::report::{Figure, Source};

/// The columns of a cited-figures file: the Chinese header, then the
/// English one (either is accepted), and whether the column is required.
pub const CITED_COLUMNS: [(&str, &str, bool); 5] = [
    ("键", "key", true),
    ("名称", "label", true),
    ("数值", "value", true),
    ("单位", "unit", false),
    ("出处", "source", false),
];

/// A cited figure the default template reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CitedKey {
    /// The figure's key.
    pub key: &'static str,
    /// What it is, as the seed report words it.
    pub label: &'static str,
    /// True if the template prints it; false if it only checks another
    /// (a standard that an amount must be the product of).
    pub printed: bool,
}

/// The cited figures the default template reads, in its order.
pub const CITED_KEYS: &[CitedKey] = &[
    CitedKey {
        key: "aiding_organs",
        label: "援建的县直机关",
        printed: true,
    },
    CitedKey {
        key: "aided_schools",
        label: "援建学校",
        printed: true,
    },
    CitedKey {
        key: "aided_canteens",
        label: "援建食堂",
        printed: true,
    },
    CitedKey {
        key: "invest_weak_schools",
        label: "薄改、教学点和周转房投入",
        printed: true,
    },
    CitedKey {
        key: "invest_equipment",
        label: "教育设施设备投入",
        printed: true,
    },
    CitedKey {
        key: "poverty_loan_amount",
        label: "教育扶贫贷款",
        printed: true,
    },
    CitedKey {
        key: "poverty_loan_schools",
        label: "教育扶贫贷款计划改造学校",
        printed: true,
    },
    CitedKey {
        key: "rain_dew_prior_person_terms",
        label: "雨露计划上一学年补助人次",
        printed: true,
    },
    CitedKey {
        key: "rain_dew_prior_amount",
        label: "雨露计划上一学年补助资金",
        printed: true,
    },
    CitedKey {
        key: "rain_dew_prior_standard",
        label: "雨露计划上一学年补助标准（每人次）",
        printed: false,
    },
    CitedKey {
        key: "teacher_training_total",
        label: "农村小学教师公费定向培养签约",
        printed: true,
    },
    CitedKey {
        key: "teacher_training_junior_entry",
        label: "其中初中起点",
        printed: true,
    },
    CitedKey {
        key: "teacher_training_senior_entry",
        label: "其中高中起点",
        printed: true,
    },
    CitedKey {
        key: "graduates_registered",
        label: "离校未就业高校毕业生（入库）",
        printed: true,
    },
    CitedKey {
        key: "graduates_employed",
        label: "其中已就业",
        printed: true,
    },
    CitedKey {
        key: "teachers_added_3y",
        label: "前3年补充义务教育阶段教师",
        printed: true,
    },
    CitedKey {
        key: "teachers_special_post",
        label: "特岗教师",
        printed: true,
    },
    CitedKey {
        key: "teachers_funded_normal",
        label: "安置公费师范生",
        printed: true,
    },
    CitedKey {
        key: "teachers_recruited",
        label: "公开招聘教师",
        printed: true,
    },
    CitedKey {
        key: "teachers_high_degree",
        label: "引进高学历人才",
        printed: true,
    },
    CitedKey {
        key: "teachers_intern",
        label: "顶岗实习公费师范生",
        printed: true,
    },
];

/// A date as the data files and clerks write it: `2017-09-30`,
/// `2017/9/30`, `2017.9.30`, `2017年9月30日` or `20170930`.
#[must_use]
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let parts: Vec<&str> = s
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .map(str::trim)
        .collect();
    let [y, m, d] = parts.as_slice() else { return None };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A number as a clerk writes it: `5272`, `1.14`, `2,134`, `2，134`.
fn parse_number(s: &str) -> Option<Decimal> {
    let t: String = s
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
        .collect();
    Decimal::from_str(&t).ok()
}

/// One cited figure from what a row of the file says: `value` in `unit`
/// (see the [module](self) for what each unit makes), its source the
/// document `source`.
///
/// # Errors
/// [`Error::Cited`] naming the key: a key that is not `[a-z][a-z0-9_]*`, an
/// empty label, a value that is not a number (or a date, without a unit),
/// a negative value, an amount finer than one fen.
pub fn cited_figure(key: &str, label: &str, value: &str, unit: &str, source: &str) -> Result<Figure, Error> {
    let bad = |reason: String| Error::Cited {
        at: String::new(),
        key: key.to_string(),
        reason,
    };
    let (label, unit, value) = (label.trim(), unit.trim(), value.trim());
    if label.is_empty() {
        return Err(bad("no label (名称)".to_string()));
    }
    let src = Source::indicator(source.trim());
    let figure = if let Some(n) = parse_number(value) {
        if n.is_sign_negative() {
            return Err(bad(format!("negative value {value}")));
        }
        let money = |scale: i64, shown: MoneyUnit| {
            n.checked_mul(Decimal::from(scale))
                .ok_or_else(|| bad(format!("{value}{unit} is too large")))
                .and_then(|y| Money::from_decimal(y).map_err(|e| bad(e.to_string())))
                .map(|m| Figure::money(key, label, m, src.clone()).with_money_unit(shown))
        };
        match unit {
            "元" => money(1, MoneyUnit::Yuan)?,
            "万元" => money(10_000, MoneyUnit::Wan)?,
            "亿元" => money(100_000_000, MoneyUnit::Yi)?,
            "%" | "％" => Figure::number(key, label, n, None, "%", src),
            _ => match u64::try_from(n.normalize()) {
                Ok(whole) if n.fract().is_zero() && !unit.is_empty() => Figure::count(key, label, whole, unit, src),
                _ => Figure::number(key, label, n, None, unit, src),
            },
        }
    } else if let (true, Some(d)) = (unit.is_empty() || unit == "日期", parse_date(value)) {
        Figure::date(key, label, d, src)
    } else {
        return Err(bad(format!(
            "value {value:?} is not a number{}",
            if unit.is_empty() { " or a date" } else { "" }
        )));
    };
    figure.validate().map_err(|e| bad(e.to_string()))?;
    Ok(figure)
}

/// The sample county's cited figures (the seed report's teachers,
/// investment, buildings, graduates, training and the earlier year's
/// Rain-and-Dew plan) as a cited-figures file: the main job's
/// `examples/county_report_cited.csv`, which `eduaid sample` writes as
/// `cited.csv` beside the county's other files.
pub const SAMPLE_CITED_CSV: &str = include_str!("../../examples/county_report_cited.csv");

/// Read a cited-figures file (CSV, `.xlsx` or JSON; the columns of
/// [`CITED_COLUMNS`], Chinese or English headers). A row without a source
/// is cited from the file itself.
///
/// # Errors
/// [`Error::CitedFile`] when the file cannot be read or lacks a required
/// column; [`Error::Cited`] for the first bad row (its line, key and why),
/// or a key given twice (both lines).
#[cfg(feature = "io")]
pub fn read_cited(path: &std::path::Path) -> Result<Vec<Figure>, Error> {
    let table = crate::io::read_table(path, &["引用数据", "cited"]).map_err(|e| Error::CitedFile {
        file: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let name = path
        .file_name()
        .map_or_else(|| table.file.clone(), |n| n.to_string_lossy().into_owned());
    cited_from_table(&table, &name)
}

/// [`read_cited`] on a file's bytes already in memory (an upload to the
/// workbench), named `name` (its extension tells the format).
///
/// # Errors
/// As [`read_cited`].
#[cfg(feature = "io")]
pub fn read_cited_bytes(name: &str, bytes: Vec<u8>) -> Result<Vec<Figure>, Error> {
    let table = crate::io::read_table_bytes(name, bytes, &["引用数据", "cited"]).map_err(|e| Error::CitedFile {
        file: name.to_string(),
        reason: e.to_string(),
    })?;
    cited_from_table(&table, name)
}

/// The cited figures of a table read back, `name` the file's name in
/// messages.
#[cfg(feature = "io")]
fn cited_from_table(table: &crate::io::ReadTable, name: &str) -> Result<Vec<Figure>, Error> {
    use crate::io::TableCell;
    let file = table.file.clone();
    let name = name.to_string();
    let mut columns = [None; 5];
    for (slot, (zh, en, required)) in columns.iter_mut().zip(CITED_COLUMNS) {
        *slot = table
            .header
            .iter()
            .position(|h| h.trim() == zh || h.trim().eq_ignore_ascii_case(en));
        if required && slot.is_none() {
            return Err(Error::CitedFile {
                file,
                reason: format!("no column {zh} ({en}); the columns are 键, 名称, 数值, 单位, 出处"),
            });
        }
    }
    let mut out: Vec<(u64, Figure)> = Vec::new();
    for row in &table.rows {
        let cell = |i: Option<usize>| -> String {
            match i.and_then(|i| row.cells.get(i)) {
                Some(TableCell::Text(t)) => t.clone(),
                Some(TableCell::Number(x)) => x.to_string(),
                Some(TableCell::Date(d)) => d.to_string(),
                Some(TableCell::Bool(b)) => b.to_string(),
                Some(TableCell::Bad(why)) => format!("#{why}"),
                _ => String::new(),
            }
        };
        let [key, label, value, unit, source] = columns.map(cell);
        let at = format!("{file}:{}", row.line);
        let key = key.trim().to_string();
        let source = if source.trim().is_empty() { name.clone() } else { source };
        let f = cited_figure(&key, &label, &value, &unit, &source).map_err(|e| match e {
            Error::Cited { key, reason, .. } => Error::Cited {
                at: at.clone(),
                key,
                reason,
            },
            e => e,
        })?;
        if let Some((line, _)) = out.iter().find(|(_, g)| g.key == f.key) {
            return Err(Error::Cited {
                at,
                key,
                reason: format!("given twice (also on line {line})"),
            });
        }
        out.push((row.line, f));
    }
    Ok(out.into_iter().map(|(_, f)| f).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::value::Value;

    #[test]
    fn the_unit_decides_the_kind_of_figure() -> Result<(), Error> {
        let f = |value: &str, unit: &str| cited_figure("k", "名称", value, unit, "某文件");
        assert_eq!(f("234", "名")?.display(), "234名");
        assert_eq!(f("5272", "万元")?.display(), "5272万元");
        assert_eq!(f("1.14", "亿元")?.display(), "1.14亿元");
        assert!(matches!(f("1.14", "亿元")?.value, Value::Money { amount, .. } if amount == Money::yuan(114_000_000)));
        assert_eq!(f("1,000", "元")?.display(), "1000元");
        assert_eq!(f("98.5", "%")?.display(), "98.5%");
        assert_eq!(f("2017年7月11日", "")?.display(), "2017年7月11日");
        assert_eq!(f("12.5", "平方米")?.display(), "12.5平方米");
        assert_eq!(f("234", "名")?.source.indicator.as_deref(), Some("某文件"));
        Ok(())
    }

    #[test]
    fn a_bad_row_is_refused_naming_its_key() {
        let e = |key: &str, label: &str, value: &str, unit: &str| {
            cited_figure(key, label, value, unit, "").map_or_else(|e| e.to_string(), |f| format!("{f:?}"))
        };
        assert_eq!(
            e("k", "名称", "五十二", "名"),
            "cited figure k: value \"五十二\" is not a number"
        );
        assert_eq!(e("k", "名称", "-3", "名"), "cited figure k: negative value -3");
        assert_eq!(e("k", "", "3", "名"), "cited figure k: no label (名称)");
        assert!(e("Bad-Key", "名称", "3", "名").starts_with("cited figure Bad-Key: "));
        assert!(e("k", "名称", "0.001", "元").starts_with("cited figure k: "));
    }
}

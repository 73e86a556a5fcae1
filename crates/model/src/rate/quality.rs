//! What a reader needs to trust a rate: why it has no value ([`Missing`])
//! and its quality [`Flag`]s.

use std::fmt;

use crate::{SchoolYear, Stage};
use serde::{Deserialize, Serialize};

/// Why an indicator is not computable: the input it needs is not in the
/// data. Such a rate has no value and shows no number, whatever its counts
/// would give (a nine-year retention of a file without primary records
/// would otherwise divide junior graduates by junior transfers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "missing", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Missing {
    /// No intake: no record of the cohort's first grade in its intake year,
    /// or an intake of zero.
    Intake {
        /// The stage the cohort entered.
        stage: Stage,
        /// The intake year.
        year: SchoolYear,
    },
    /// No record of a grade the cohort passes through, in the year it is
    /// there (its transfers, or its graduates, are unknown).
    Grade {
        /// The stage.
        stage: Stage,
        /// The grade.
        grade: u8,
        /// The school year.
        year: SchoolYear,
    },
    /// The intake year would be before the first school year the model
    /// represents.
    YearOutOfRange,
    /// No enrolment record of the stage in the year.
    Enrolment {
        /// The stage.
        stage: Stage,
        /// The school year.
        year: SchoolYear,
    },
    /// No population record of the ages in the year.
    Population {
        /// The school year.
        year: SchoolYear,
        /// The youngest age.
        from_age: u8,
        /// The oldest age.
        to_age: u8,
    },
    /// No record of disabled children of the ages in the year.
    DisabledChildren {
        /// The school year.
        year: SchoolYear,
    },
    /// No enrolment of the official age group at any level: the NER cannot
    /// be capped as UIS caps it.
    AnyLevelEnrolment {
        /// The school year.
        year: SchoolYear,
    },
}

impl Missing {
    /// The reason in Chinese, e.g. `缺少小学2008—2009学年一年级招生数`.
    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            Missing::Intake { stage, year } => {
                format!("缺少{}{}一年级招生数", stage.chinese(), year.to_chinese())
            }
            Missing::Grade { stage, grade, year } => {
                format!("缺少{}{}{}年级的记录", stage.chinese(), year.to_chinese(), grade)
            }
            Missing::YearOutOfRange => "入学年份超出可表示的学年范围".to_string(),
            Missing::Enrolment { stage, year } => {
                format!("缺少{}{}在校生记录", stage.chinese(), year.to_chinese())
            }
            Missing::Population { year, from_age, to_age } => {
                format!("缺少{}{from_age}—{to_age}岁人口记录", year.to_chinese())
            }
            Missing::DisabledChildren { year } => format!("缺少{}残疾儿童少年记录", year.to_chinese()),
            Missing::AnyLevelEnrolment { year } => {
                format!("缺少{}适龄人口在各级学校的在校生数", year.to_chinese())
            }
        }
    }
}

impl fmt::Display for Missing {
    /// The reason in English, e.g. `no primary grade-1 intake in 2008-2009`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Missing::Intake { stage, year } => write!(f, "no {} grade-1 intake in {year}", stage.code()),
            Missing::Grade { stage, grade, year } => {
                write!(f, "no record of {} grade {grade} in {year}", stage.code())
            }
            Missing::YearOutOfRange => f.write_str("the intake year is out of range"),
            Missing::Enrolment { stage, year } => write!(f, "no {} enrolment in {year}", stage.code()),
            Missing::Population { year, from_age, to_age } => {
                write!(f, "no population aged {from_age}-{to_age} in {year}")
            }
            Missing::DisabledChildren { year } => write!(f, "no disabled children recorded in {year}"),
            Missing::AnyLevelEnrolment { year } => {
                write!(f, "no enrolment of the official age group at any level in {year}")
            }
        }
    }
}

/// A quality flag on a [`Rate`](super::Rate): what a reader must know before trusting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Flag {
    /// The denominator is zero: the rate has no value (never NaN).
    ZeroDenominator,
    /// The denominator is below zero (an intake adjusted by more transfers
    /// out than there were pupils): the rate has no meaningful value.
    NegativeDenominator,
    /// The numerator is below zero (e.g. the aggregate dropout form when
    /// more pupils arrived than left).
    NegativeNumerator,
    /// The rate exceeds 100%; `capped` says whether the shown value is held
    /// at 100% (the raw value is kept either way).
    OverHundred {
        /// The shown value is capped at 100%.
        capped: bool,
    },
    /// The denominator is below the threshold: read the Wilson interval.
    SmallDenominator {
        /// The threshold in force.
        threshold: u64,
    },
    /// The denominator was adjusted by transfers in and out.
    TransferAdjusted,
    /// An input the indicator needs is missing: no value, whatever the
    /// counts.
    NotComputable(Missing),
}

impl Flag {
    /// The flag in Chinese, e.g. `分母为零`, `超过100%`.
    #[must_use]
    pub fn chinese(&self) -> String {
        match self {
            Flag::ZeroDenominator => "分母为零".to_string(),
            Flag::NegativeDenominator => "分母为负".to_string(),
            Flag::NegativeNumerator => "分子为负".to_string(),
            Flag::OverHundred { capped: true } => "超过100%，按100%显示".to_string(),
            Flag::OverHundred { capped: false } => "超过100%".to_string(),
            Flag::SmallDenominator { threshold } => format!("分母小于{threshold}，请看置信区间"),
            Flag::TransferAdjusted => "已按转学调整".to_string(),
            Flag::NotComputable(m) => format!("不可计算：{}", m.chinese()),
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flag::ZeroDenominator => f.write_str("zero denominator"),
            Flag::NegativeDenominator => f.write_str("negative denominator"),
            Flag::NegativeNumerator => f.write_str("negative numerator"),
            Flag::OverHundred { capped: true } => f.write_str("over 100%, capped"),
            Flag::OverHundred { capped: false } => f.write_str("over 100%"),
            Flag::SmallDenominator { threshold } => write!(f, "denominator below {threshold}"),
            Flag::TransferAdjusted => f.write_str("transfer-adjusted"),
            Flag::NotComputable(m) => write!(f, "not computable: {m}"),
        }
    }
}

//! Stages (学段), schools and their classes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{ModelError, Money, SchoolId, SchoolYear};

coded_enum! {
    /// A stage of education (学段). Grades are counted from 1 within a stage.
    pub enum Stage ("stage") {
        /// 学前: kindergarten (3 years, 小班/中班/大班, and 学前班).
        Preschool = "preschool", "学前", "学前教育", "幼儿园", "kindergarten";
        /// 小学: primary (6 grades).
        Primary = "primary", "小学";
        /// 初中: junior secondary (3 grades; 4 in a 五四制 system).
        Junior = "junior", "初中";
        /// 普通高中: general senior secondary (3 grades).
        Senior = "senior", "普通高中", "高中";
        /// 中职: secondary vocational (3 grades).
        Vocational = "vocational", "中职", "中等职业教育";
        /// 高职/本科: tertiary, undergraduate or higher vocational (up to 5
        /// grades).
        Tertiary = "tertiary", "高等教育", "本专科", "高职", "本科";
        /// 研究生: postgraduate (up to 6 grades).
        Postgraduate = "postgraduate", "研究生";
    }
}

impl Stage {
    /// The highest grade of the stage.
    #[must_use]
    pub fn max_grade(self) -> u8 {
        match self {
            Stage::Preschool | Stage::Senior | Stage::Vocational => 3,
            Stage::Primary | Stage::Postgraduate => 6,
            Stage::Junior => 4,
            Stage::Tertiary => 5,
        }
    }

    /// The ages (in whole years) a student of this stage plausibly has:
    /// preschool 2–8, primary 5–16, junior 10–19, senior 13–22, vocational
    /// 13–30, tertiary 15–45, postgraduate 18–60. Wide on purpose (late
    /// entry, repeated grades, adult learners): an age outside is almost
    /// certainly a mistyped birth date or stage, and is worth a warning.
    #[must_use]
    pub fn plausible_ages(self) -> std::ops::RangeInclusive<u32> {
        match self {
            Stage::Preschool => 2..=8,
            Stage::Primary => 5..=16,
            Stage::Junior => 10..=19,
            Stage::Senior => 13..=22,
            Stage::Vocational => 13..=30,
            Stage::Tertiary => 15..=45,
            Stage::Postgraduate => 18..=60,
        }
    }

    /// True for the nine years of compulsory education (义务教育).
    #[must_use]
    pub fn is_compulsory(self) -> bool {
        matches!(self, Stage::Primary | Stage::Junior)
    }

    /// True for senior secondary (高中阶段): general senior and vocational.
    #[must_use]
    pub fn is_upper_secondary(self) -> bool {
        matches!(self, Stage::Senior | Stage::Vocational)
    }

    /// Check that `grade` exists in this stage.
    ///
    /// # Errors
    /// [`ModelError::InvalidGrade`] otherwise.
    pub fn check_grade(self, grade: u8) -> Result<u8, ModelError> {
        if (1..=self.max_grade()).contains(&grade) {
            Ok(grade)
        } else {
            Err(ModelError::InvalidGrade {
                stage: self.code(),
                grade,
                max: self.max_grade(),
            })
        }
    }
}

coded_enum! {
    /// What kind of school it is.
    pub enum SchoolKind ("school kind") {
        /// 普惠性幼儿园: a publicly subsidised kindergarten with capped fees.
        KindergartenInclusive = "kindergarten_inclusive", "普惠性幼儿园", "inclusive_kindergarten";
        /// 非普惠性幼儿园: a kindergarten outside the inclusive scheme.
        KindergartenNonInclusive = "kindergarten_non_inclusive", "非普惠性幼儿园", "non_inclusive_kindergarten";
        /// 小学.
        Primary = "primary", "小学";
        /// 初级中学.
        Junior = "junior", "初中", "初级中学";
        /// 九年一贯制学校: primary and junior in one school.
        NineYear = "nine_year", "九年一贯制学校", "九年一贯制";
        /// 普通高中 (including 完全中学 for their senior part).
        Senior = "senior", "普通高中", "高中";
        /// 中等职业学校.
        Vocational = "vocational", "中等职业学校", "中职";
        /// 教学点: a small rural school site, usually the lower primary
        /// grades.
        TeachingPoint = "teaching_point", "教学点";
        /// 特殊教育学校.
        Special = "special", "特殊教育学校", "特教学校";
        /// 高等学校.
        Tertiary = "tertiary", "高等学校", "高校";
    }
}

impl SchoolKind {
    /// The stages this kind of school teaches.
    #[must_use]
    pub fn stages(self) -> &'static [Stage] {
        match self {
            SchoolKind::KindergartenInclusive | SchoolKind::KindergartenNonInclusive => &[Stage::Preschool],
            SchoolKind::Primary | SchoolKind::TeachingPoint => &[Stage::Primary],
            SchoolKind::Junior => &[Stage::Junior],
            SchoolKind::NineYear | SchoolKind::Special => &[Stage::Primary, Stage::Junior],
            SchoolKind::Senior => &[Stage::Senior],
            SchoolKind::Vocational => &[Stage::Vocational],
            SchoolKind::Tertiary => &[Stage::Tertiary, Stage::Postgraduate],
        }
    }

    /// True if a student of `stage` can attend this kind of school.
    #[must_use]
    pub fn teaches(self, stage: Stage) -> bool {
        self.stages().contains(&stage)
    }

    /// True for kindergartens in the inclusive (普惠性) scheme.
    #[must_use]
    pub fn is_inclusive_kindergarten(self) -> bool {
        self == SchoolKind::KindergartenInclusive
    }

    /// True for any kindergarten.
    #[must_use]
    pub fn is_kindergarten(self) -> bool {
        matches!(
            self,
            SchoolKind::KindergartenInclusive | SchoolKind::KindergartenNonInclusive
        )
    }
}

coded_enum! {
    /// Who runs the school.
    pub enum Ownership ("ownership") {
        /// 公办.
        Public = "public", "公办";
        /// 民办.
        Private = "private", "民办";
    }
}

coded_enum! {
    /// Where the school is: the urban district (城区) or the countryside
    /// (乡村, towns included).
    pub enum Locality ("locality") {
        /// 城区.
        Urban = "urban", "城区", "城镇";
        /// 农村 / 乡村.
        Rural = "rural", "农村", "乡村";
    }
}

/// One class (班) of a school in one school year, with its size (班额).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Class {
    /// The school year the class exists in.
    pub year: SchoolYear,
    /// Its stage.
    pub stage: Stage,
    /// Its grade within the stage.
    pub grade: u8,
    /// Number of pupils (班额).
    pub size: u32,
}

impl Class {
    /// A validated class.
    ///
    /// # Errors
    /// [`ModelError::InvalidGrade`] if the grade is not in the stage.
    pub fn new(year: SchoolYear, stage: Stage, grade: u8, size: u32) -> Result<Class, ModelError> {
        stage.check_grade(grade)?;
        Ok(Class {
            year,
            stage,
            grade,
            size,
        })
    }
}

/// A school (学校): kindergarten, teaching point, primary, junior, nine-year,
/// senior, vocational, special or tertiary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    /// Unique id.
    pub id: SchoolId,
    /// Name, e.g. 甲镇中心小学.
    pub name: String,
    /// Kind of school.
    pub kind: SchoolKind,
    /// Public or private.
    pub ownership: Ownership,
    /// The township (乡镇) or urban district it belongs to.
    pub township: String,
    /// Urban district or rural.
    pub locality: Locality,
    /// The day the school joined the nutrition improvement plan (营养改善计划),
    /// if it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nutrition_plan_from: Option<NaiveDate>,
    /// Annual tuition (学费) per student where one is charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_tuition: Option<Money>,
    /// The school's classes, by school year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<Class>,
}

impl School {
    /// A school with no nutrition plan, no tuition and no classes; set those
    /// fields directly.
    #[must_use]
    pub fn new(
        id: SchoolId,
        name: impl Into<String>,
        kind: SchoolKind,
        ownership: Ownership,
        township: impl Into<String>,
        locality: Locality,
    ) -> School {
        School {
            id,
            name: name.into(),
            kind,
            ownership,
            township: township.into(),
            locality,
            nutrition_plan_from: None,
            annual_tuition: None,
            classes: Vec::new(),
        }
    }

    /// True if the school is in the nutrition plan on `date`.
    #[must_use]
    pub fn in_nutrition_plan_on(&self, date: NaiveDate) -> bool {
        self.nutrition_plan_from.is_some_and(|d| d <= date)
    }

    /// The classes of one school year.
    pub fn classes_in(&self, year: SchoolYear) -> impl Iterator<Item = &Class> {
        self.classes.iter().filter(move |c| c.year == year)
    }

    /// Check the record's fields against each other: tuition not negative and
    /// whole fen, every class of a stage the school teaches.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] naming the first contradiction.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |field: &'static str, reason: String| ModelError::Inconsistent {
            what: "school",
            id: self.id.to_string(),
            field: Some(field),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(bad("name", "empty name".into()));
        }
        if let Some(t) = self.annual_tuition {
            if t.is_negative() || !t.is_whole_fen() {
                return Err(bad(
                    "annual_tuition",
                    format!("annual tuition {t} is negative or finer than one fen"),
                ));
            }
        }
        for c in &self.classes {
            if !self.kind.teaches(c.stage) {
                return Err(bad("classes", format!("a {} class in a {} school", c.stage, self.kind)));
            }
            c.stage
                .check_grade(c.grade)
                .map_err(|e| bad("classes", e.to_string()))?;
        }
        Ok(())
    }
}

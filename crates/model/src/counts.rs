//! Aggregate counts for statistics: what a county's base forms (基表) hold.
//!
//! Stock figures (enrolment, teachers, classes) are counted at the
//! statistical date, 1 September of the school year; flow figures
//! (graduates, transfers, dropouts, deaths, 借读, 休学 and the other
//! increases and decreases) cover the school year, from
//! 1 September to 31 August. Each record is one cell of a breakdown: a
//! school, grade, sex and poverty group, so any total is a sum of records.

use serde::{Deserialize, Serialize};

use crate::{DisabilityKind, Locality, ModelError, SchoolId, SchoolYear, Sex, Stage};

coded_enum! {
    /// A student's poverty group, for breakdowns.
    pub enum PovertyGroup ("poverty group") {
        /// 建档立卡 (registered poor, or formerly registered and monitored).
        RegisteredPoor = "registered_poor", "建档立卡";
        /// Every other student.
        Other = "other", "非建档立卡", "其他";
    }
}

/// Counts for one grade of one school in one school year, for one sex and
/// poverty group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCount {
    /// School year.
    pub year: SchoolYear,
    /// School.
    pub school_id: SchoolId,
    /// Township (乡镇) of the school.
    pub township: String,
    /// Urban or rural.
    pub locality: Locality,
    /// Stage.
    pub stage: Stage,
    /// Grade within the stage.
    pub grade: u8,
    /// Sex.
    pub sex: Sex,
    /// Poverty group.
    pub poverty: PovertyGroup,
    /// Enrolled on 1 September (在校生, stock).
    pub enrolled: u64,
    /// New entrants (招生) this year; for grade 1, the intake.
    #[serde(default)]
    pub new_entrants: u64,
    /// Repeaters (留级生) among the enrolled.
    #[serde(default)]
    pub repeaters: u64,
    /// Graduates (毕业生) at the end of the year, for the last grade.
    #[serde(default)]
    pub graduates: u64,
    /// Transferred in (转入) during the year.
    #[serde(default)]
    pub transfers_in: u64,
    /// Transferred out (转出) during the year.
    #[serde(default)]
    pub transfers_out: u64,
    /// Dropped out (辍学) during the year.
    #[serde(default)]
    pub dropouts: u64,
    /// Died (死亡) during the year.
    #[serde(default)]
    pub deaths: u64,
    /// Joined as temporary pupils (借读, studying here without a 学籍 of the
    /// school) during the year: an increase of the 泰州 retention template's
    /// 净增加.
    #[serde(default)]
    pub temporary_in: u64,
    /// Suspended schooling (休学) during the year. Give it apart from
    /// [`dropouts`](Self::dropouts) (which then holds 退学, 开除 and 转出未入学
    /// only): the 两基 form counts 休学 and 退学 as separate decreases.
    #[serde(default)]
    pub suspended: u64,
    /// Other increases (其他增加) during the year, e.g. pupils returning from
    /// 休学 or brought back to school (劝返).
    #[serde(default)]
    pub other_in: u64,
    /// Other decreases (其他减少) during the year, not a dropout, transfer,
    /// suspension or death.
    #[serde(default)]
    pub other_out: u64,
}

impl GradeCount {
    /// Check the grade and that no flow exceeds what it could come from.
    ///
    /// # Errors
    /// [`ModelError::InvalidGrade`] or [`ModelError::Inconsistent`].
    pub fn validate(&self) -> Result<(), ModelError> {
        self.stage.check_grade(self.grade)?;
        if self.repeaters > self.enrolled {
            return Err(ModelError::Inconsistent {
                what: "count",
                id: format!("{} {} {} grade {}", self.year, self.school_id, self.stage, self.grade),
                field: Some("repeaters"),
                reason: format!("{} repeaters among {} enrolled", self.repeaters, self.enrolled),
            });
        }
        Ok(())
    }
}

/// The school-age population (适龄人口) of one age, sex and township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopulationCount {
    /// School year (population on 1 September).
    pub year: SchoolYear,
    /// Township of residence.
    pub township: String,
    /// Age in whole years on 1 September.
    pub age: u8,
    /// Sex.
    pub sex: Sex,
    /// Number of children.
    pub count: u64,
}

/// Disabled children of school age (残疾儿童少年) of one kind, age and
/// township, and how many of them are in school (随班就读, 特教学校 or 送教上门
/// with a 学籍).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledChildrenCount {
    /// School year.
    pub year: SchoolYear,
    /// Township of residence.
    pub township: String,
    /// Kind of disability.
    pub kind: DisabilityKind,
    /// Age in whole years on 1 September.
    pub age: u8,
    /// Sex.
    pub sex: Sex,
    /// All such children living there.
    pub total: u64,
    /// Of them, in school.
    pub in_school: u64,
}

impl DisabledChildrenCount {
    /// Check that no more are in school than there are.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] otherwise.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.in_school > self.total {
            return Err(ModelError::Inconsistent {
                what: "count",
                id: format!("{} {} {} age {}", self.year, self.township, self.kind, self.age),
                field: Some("in_school"),
                reason: format!("{} in school of {} children", self.in_school, self.total),
            });
        }
        Ok(())
    }
}

/// Full-time teachers (专任教师) of a school and stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherCount {
    /// School year.
    pub year: SchoolYear,
    /// School.
    pub school_id: SchoolId,
    /// Stage taught.
    pub stage: Stage,
    /// Headcount.
    pub teachers: u64,
}

/// All the aggregate counts of a county: the input of the statistics crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Enrolment and flows by grade.
    #[serde(default)]
    pub grades: Vec<GradeCount>,
    /// School-age population.
    #[serde(default)]
    pub population: Vec<PopulationCount>,
    /// Disabled children of school age.
    #[serde(default)]
    pub disabled: Vec<DisabledChildrenCount>,
    /// Teachers.
    #[serde(default)]
    pub teachers: Vec<TeacherCount>,
}

impl Counts {
    /// The school years that appear in the grade counts, in order.
    #[must_use]
    pub fn years(&self) -> Vec<SchoolYear> {
        let mut v: Vec<SchoolYear> = self.grades.iter().map(|g| g.year).collect();
        v.sort();
        v.dedup();
        v
    }
}

//! Students (学生) and their attributes.

use crate::convert::clamped;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{HouseholdId, ModelError, SchoolId, Stage, StudentId};

coded_enum! {
    /// Sex (性别).
    pub enum Sex ("sex") {
        /// 男.
        Male = "male", "男", "m";
        /// 女.
        Female = "female", "女", "f";
    }
}

coded_enum! {
    /// Kind of disability (残疾类别). Visual, hearing-speech and intellectual
    /// are the three kinds (三类残疾) of the enrolment-rate indicator.
    pub enum DisabilityKind ("disability kind") {
        /// 视力残疾.
        Visual = "visual", "视力残疾", "视力";
        /// 听力语言残疾.
        HearingSpeech = "hearing_speech", "听力语言残疾", "听力残疾", "听力";
        /// 智力残疾.
        Intellectual = "intellectual", "智力残疾", "智力";
        /// 肢体残疾.
        Physical = "physical", "肢体残疾", "肢体";
        /// 精神残疾.
        Mental = "mental", "精神残疾", "精神";
        /// 多重残疾.
        Multiple = "multiple", "多重残疾", "多重";
        /// Any other.
        Other = "other", "其他残疾", "其他";
    }
}

impl DisabilityKind {
    /// True for the three kinds (三类残疾): visual, hearing-speech,
    /// intellectual.
    #[must_use]
    pub fn is_three_kinds(self) -> bool {
        matches!(
            self,
            DisabilityKind::Visual | DisabilityKind::HearingSpeech | DisabilityKind::Intellectual
        )
    }
}

coded_enum! {
    /// Household registration (户籍) of the student.
    pub enum Hukou ("hukou") {
        /// 农村户籍 / 农业户口.
        Rural = "rural", "农村", "农业", "农村户籍";
        /// 城镇户籍 / 非农业户口.
        Urban = "urban", "城镇", "非农业", "城镇户籍";
    }
}

coded_enum! {
    /// A student's enrolment status (学籍状态).
    pub enum EnrolmentStatus ("enrolment status") {
        /// 在读.
        Enrolled = "enrolled", "在读", "在校", "在籍";
        /// 休学.
        Suspended = "suspended", "休学";
        /// 辍学.
        DroppedOut = "dropped_out", "辍学";
        /// 转入: joined from another school, and in school.
        TransferredIn = "transferred_in", "转入";
        /// 转出: left for another school.
        TransferredOut = "transferred_out", "转出";
        /// 毕业.
        Graduated = "graduated", "毕业";
        /// 死亡.
        Deceased = "deceased", "死亡";
    }
}

impl EnrolmentStatus {
    /// True if a student in this status is at school.
    #[must_use]
    pub fn is_in_school(self) -> bool {
        matches!(self, EnrolmentStatus::Enrolled | EnrolmentStatus::TransferredIn)
    }
}

/// A student (学生): who they are, where they study, and the attributes the
/// aid programs and the statistics look at. The household's status over time
/// lives in [`Household`](crate::Household).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    /// Unique id (学籍号).
    pub id: StudentId,
    /// Name (姓名). The sample county's names are synthetic.
    pub name: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// The school attended.
    pub school_id: SchoolId,
    /// Stage (学段).
    pub stage: Stage,
    /// Grade (年级) within the stage, from 1.
    pub grade: u8,
    /// Boards at school (寄宿生) rather than a day student (走读生).
    #[serde(default)]
    pub boarder: bool,
    /// Kind of disability, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disability: Option<DisabilityKind>,
    /// A migrant worker's child (随迁子女).
    #[serde(default)]
    pub migrant: bool,
    /// A left-behind child (留守儿童).
    #[serde(default)]
    pub left_behind: bool,
    /// Household registration.
    pub hukou: Hukou,
    /// Studies an agricultural major (涉农专业), for vocational students.
    #[serde(default)]
    pub agricultural_major: bool,
    /// The household the student belongs to, for poverty status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<HouseholdId>,
    /// Enrolment status.
    pub status: EnrolmentStatus,
    /// The day the status took effect. Before it, a student whose status
    /// is not in school was enrolled, and a student enrolled or transferred
    /// in was not yet at school.
    pub status_since: NaiveDate,
    /// The assigned helper (帮扶责任人), one per poor student.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helper: Option<String>,
}

impl Student {
    /// Age in whole years on `date` (negative ages are reported as 0).
    #[must_use]
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let mut age = date.year() - self.birth_date.year();
        if (date.month(), date.day()) < (self.birth_date.month(), self.birth_date.day()) {
            age -= 1;
        }
        clamped::<_, u32>(age)
    }

    /// True if the student was at school on `date`: enrolled or transferred
    /// in on or before `date` (an in-school status dates the day the
    /// student joined), or in a leaving status that took effect after
    /// `date`.
    #[must_use]
    pub fn in_school_on(&self, date: NaiveDate) -> bool {
        if self.status.is_in_school() {
            self.status_since <= date
        } else {
            date < self.status_since
        }
    }

    /// The day the student left school, if the status says they did.
    #[must_use]
    pub fn left_on(&self) -> Option<NaiveDate> {
        (!self.status.is_in_school()).then_some(self.status_since)
    }

    /// Check the record's fields against each other: grade in the stage,
    /// born before the status date, a non-empty name.
    ///
    /// # Errors
    /// [`ModelError::InvalidGrade`] or [`ModelError::Inconsistent`].
    pub fn validate(&self) -> Result<(), ModelError> {
        self.stage.check_grade(self.grade)?;
        let bad = |field: &'static str, reason: String| ModelError::Inconsistent {
            what: "student",
            id: self.id.to_string(),
            field: Some(field),
            reason,
        };
        // Blank (`trim().is_empty()`), found at a name's first letter.
        if self.name.chars().all(char::is_whitespace) {
            return Err(bad("name", "empty name".into()));
        }
        if self.birth_date >= self.status_since {
            return Err(bad(
                "status_since",
                format!(
                    "born on {} but status {} since {}",
                    self.birth_date, self.status, self.status_since
                ),
            ));
        }
        if self.agricultural_major && self.stage != Stage::Vocational && self.stage != Stage::Tertiary {
            return Err(bad(
                "agricultural_major",
                format!("an agricultural major in stage {}", self.stage),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SchoolId, Stage, StudentId};

    fn student(status: EnrolmentStatus, since: &str) -> Student {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        Student {
            id: StudentId::new("P1").unwrap(),
            name: "学生甲".into(),
            sex: Sex::Female,
            birth_date: d("2008-05-01"),
            school_id: SchoolId::new("S1").unwrap(),
            stage: Stage::Primary,
            grade: 3,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: false,
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: None,
            status,
            status_since: d(since),
            helper: None,
        }
    }

    #[test]
    fn at_school_depends_on_the_status_and_its_date() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let enrolled = student(EnrolmentStatus::Enrolled, "2014-09-01");
        assert!(enrolled.in_school_on(d("2017-03-01")));
        // Enrolled from 1 September 2017: not at school in spring 2017, as
        // a transfer-in on the same day is not.
        let later = student(EnrolmentStatus::Enrolled, "2017-09-01");
        assert!(!later.in_school_on(d("2017-03-01")));
        assert!(later.in_school_on(d("2017-09-01")));
        assert_eq!(enrolled.left_on(), None);
        // Transferred in on 1 April: not yet at this school on 1 March.
        let arrived = student(EnrolmentStatus::TransferredIn, "2017-04-01");
        assert!(!arrived.in_school_on(d("2017-03-01")));
        assert!(arrived.in_school_on(d("2017-04-01")));
        assert_eq!(arrived.left_on(), None);
        // Dropped out on 20 April: at school until the day before.
        let left = student(EnrolmentStatus::DroppedOut, "2017-04-20");
        assert!(left.in_school_on(d("2017-04-19")));
        assert!(!left.in_school_on(d("2017-04-20")));
        assert_eq!(left.left_on(), Some(d("2017-04-20")));
    }

    #[test]
    fn a_contradiction_names_the_field_to_correct() {
        let mut s = student(EnrolmentStatus::Enrolled, "2007-09-01");
        s.birth_date = "2008-05-01".parse().unwrap();
        match s.validate() {
            Err(ModelError::Inconsistent { field, reason, .. }) => {
                assert_eq!(field, Some("status_since"));
                assert!(reason.starts_with("born on 2008-05-01"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let mut s = student(EnrolmentStatus::Enrolled, "2014-09-01");
        s.agricultural_major = true;
        assert!(matches!(
            s.validate(),
            Err(ModelError::Inconsistent {
                field: Some("agricultural_major"),
                ..
            })
        ));
    }
}

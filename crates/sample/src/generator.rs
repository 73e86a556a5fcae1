//! Larger counties with the sample's shares, generated on demand.
//!
//! A [`Generator`] is a [`Roster`] of any number of students that holds
//! none of them: every student is a pure function of `(seed, index)`, every
//! school of its id, every household of the student it belongs to. Visiting
//! 10 million students allocates one batch at a time; looking up a school
//! or household recomputes it from the id. Memory is flat in the roster's
//! size, which is what the eligibility benchmark needs.
//!
//! **Shares.** Students are dealt in cycles of 126964, the sample county's
//! size. Within a cycle an affine permutation of the position decides the
//! stage and, within the stage, the status, so every full cycle has exactly
//! the sample's students by stage (23429 preschool, 56370 primary, 26577
//! junior, 16988 senior, 3600 vocational) and exactly its registered-poor,
//! dibao, hardship and other status counts (2409, 8063, 4327, … ). A partial
//! last cycle has them in proportion, to within a fraction of a per cent.
//! Sex, grade, school, names and dates come from a hash of the index.

use std::borrow::Cow;
use std::ops::ControlFlow;

use chrono::NaiveDate;
use eduaid_model::{
    DisabilityKind, EnrolmentStatus, Household, HouseholdId, Hukou, Locality, Ownership, Roster, RosterError, School,
    SchoolId, SchoolKind, Sex, Stage, StatusKind, Student, StudentId, Visit,
};

use crate::convert::clamped;
use crate::names::{self, TOWNSHIPS, URBAN_DISTRICT};
use crate::plan::{plus_days, ymd};
use crate::rng::{SplitMix64, mix, scale};

/// Students per cycle: the sample county's size.
const CYCLE: u64 = 126_964;
/// Multiplier of the cycle permutation (a prime not dividing the cycle).
const CYCLE_MUL: u64 = 48_271;
/// Multiplier of the within-stage permutation (a prime dividing no stage).
const STAGE_MUL: u64 = 7_919;

/// Stage, students per cycle, grades, average school size.
const STAGES: [(Stage, u64, u64, u64); 5] = [
    (Stage::Preschool, 23_429, 3, 120),
    (Stage::Primary, 56_370, 6, 180),
    (Stage::Junior, 26_577, 3, 550),
    (Stage::Senior, 16_988, 3, 2_800),
    (Stage::Vocational, 3_600, 3, 3_600),
];

/// A student's status category, dealt exactly per cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    Poor,
    Dibao,
    Hardship,
    Orphan,
    DeFacto,
    Destitute,
    AgMajor,
    Plain,
}

fn categories(stage: Stage) -> &'static [(Cat, u64)] {
    match stage {
        Stage::Preschool => &[(Cat::Poor, 2_409)],
        Stage::Primary => &[(Cat::Poor, 8_063)],
        Stage::Junior => &[(Cat::Poor, 4_327)],
        Stage::Senior => &[
            (Cat::Poor, 3_612),
            (Cat::Dibao, 705),
            (Cat::Hardship, 730),
            (Cat::Orphan, 6),
            (Cat::DeFacto, 4),
            (Cat::Destitute, 4),
        ],
        Stage::Vocational => &[
            (Cat::Poor, 478),
            (Cat::Dibao, 52),
            (Cat::Hardship, 107),
            (Cat::AgMajor, 260),
        ],
        _ => &[],
    }
}

/// A generated county of `students` students with the sample's shares.
///
/// ```
/// use eduaid_model::{Roster, Stage};
/// use eduaid_sample::Generator;
///
/// let g = Generator::new(10_000, 42);
/// assert_eq!(g.student_count()?, 10_000);
/// let mut primary = 0;
/// g.visit_students(&mut |batch| {
///     for s in batch {
///         let school = g.school_of(s).unwrap();
///         assert!(school.kind.teaches(s.stage));
///         primary += usize::from(s.stage == Stage::Primary);
///     }
///     std::ops::ControlFlow::Continue(())
/// })?;
/// assert!((4300..4600).contains(&primary)); // 56370 / 126964 ≈ 44.4%
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    students: u64,
    seed: u64,
    batch: usize,
    townships: u64,
}

/// What a generator will produce, counted without generating: exact for
/// every full cycle of 126964 students.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratorStats {
    /// Students by stage.
    pub by_stage: Vec<(Stage, u64)>,
    /// Registered-poor students by stage.
    pub registered_poor: Vec<(Stage, u64)>,
    /// Schools by stage.
    pub schools: Vec<(Stage, u64)>,
}

impl Generator {
    /// A county of `students` students, deterministic in `seed`.
    #[must_use]
    pub fn new(students: u64, seed: u64) -> Generator {
        Generator {
            students,
            seed,
            batch: 4096,
            townships: (students / 7_000).clamp(1, 100_000) + 1,
        }
    }

    /// Set the number of students per batch (at least 1).
    #[must_use]
    pub fn with_batch_size(mut self, n: usize) -> Generator {
        self.batch = n.max(1);
        self
    }

    /// How many students.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.students
    }

    /// True for a county without students.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.students == 0
    }

    /// Townships, the urban district included.
    #[must_use]
    pub fn townships(&self) -> u64 {
        self.townships
    }

    fn schools_of(&self, stage: Stage) -> u64 {
        STAGES
            .iter()
            .find(|s| s.0 == stage)
            .map_or(0, |s| (self.students * s.1 / CYCLE).div_ceil(s.3).max(1))
    }

    /// Stage and category of student `i`, exact per cycle.
    fn deal(&self, i: u64) -> (Stage, Cat, u64) {
        let cycle = i / CYCLE;
        let j = (CYCLE_MUL * (i % CYCLE) + mix(self.seed ^ cycle) % CYCLE) % CYCLE;
        let mut start = 0u64;
        for (stage, size, _, _) in STAGES {
            if j < start + size {
                let r = j - start;
                let q = (STAGE_MUL * r + mix(self.seed.rotate_left(17) ^ cycle) % size) % size;
                let mut from = 0u64;
                for (cat, n) in categories(stage) {
                    if q < from + n {
                        return (stage, *cat, q);
                    }
                    from += n;
                }
                return (stage, Cat::Plain, q);
            }
            start += size;
        }
        (Stage::Primary, Cat::Plain, 0)
    }

    /// What the generator will produce, counted from the deal alone.
    #[must_use]
    pub fn stats(&self) -> GeneratorStats {
        let mut by_stage: Vec<(Stage, u64)> = STAGES.iter().map(|s| (s.0, 0)).collect();
        let mut poor = by_stage.clone();
        for i in 0..self.students {
            let (stage, cat, _) = self.deal(i);
            if let Some(x) = by_stage.iter_mut().find(|x| x.0 == stage) {
                x.1 += 1;
            }
            if cat == Cat::Poor {
                if let Some(x) = poor.iter_mut().find(|x| x.0 == stage) {
                    x.1 += 1;
                }
            }
        }
        GeneratorStats {
            schools: STAGES.iter().map(|s| (s.0, self.schools_of(s.0))).collect(),
            by_stage,
            registered_poor: poor,
        }
    }

    fn township_name(&self, k: u64) -> String {
        if k == 0 {
            return URBAN_DISTRICT.to_string();
        }
        let n = clamped::<_, u64>(TOWNSHIPS.len());
        let base = TOWNSHIPS[clamped::<_, usize>((k - 1) % n)];
        if k <= n {
            base.to_string()
        } else {
            format!("{base}{}", (k - 1) / n + 1)
        }
    }

    /// True if school `idx` of `stage` is in the urban district (18%).
    fn school_is_urban(&self, stage: Stage, idx: u64) -> bool {
        let h = mix(self.seed ^ mix(idx ^ 0x5C00_1000) ^ u64::from(stage_code(stage)));
        scale(h, 100) < 18
    }

    fn school_id(stage: Stage, idx: u64) -> Result<SchoolId, RosterError> {
        Ok(SchoolId::new(format!("NS-{}-{idx:06}", stage.code()))?)
    }

    fn school_for(&self, stage: Stage, idx: u64) -> Option<School> {
        if idx >= self.schools_of(stage) {
            return None;
        }
        let urban = self.school_is_urban(stage, idx);
        let township = if urban {
            0
        } else {
            1 + idx % (self.townships - 1).max(1)
        };
        let town = self.township_name(township);
        let (kind, label) = match stage {
            Stage::Preschool if idx % 3 == 2 => (SchoolKind::KindergartenNonInclusive, "双语幼儿园"),
            Stage::Preschool => (SchoolKind::KindergartenInclusive, "幼儿园"),
            Stage::Primary if is_teaching_point(idx) => (SchoolKind::TeachingPoint, "教学点"),
            Stage::Primary => (SchoolKind::Primary, "小学"),
            Stage::Junior => (SchoolKind::Junior, "中学"),
            Stage::Senior => (SchoolKind::Senior, "高级中学"),
            _ => (SchoolKind::Vocational, "职业中专学校"),
        };
        let private = kind == SchoolKind::KindergartenNonInclusive || (stage == Stage::Preschool && idx % 3 == 1);
        let id = Generator::school_id(stage, idx).ok()?;
        let mut school = School::new(
            id,
            format!("{town}第{}{label}", idx + 1),
            kind,
            if private { Ownership::Private } else { Ownership::Public },
            town,
            if urban { Locality::Urban } else { Locality::Rural },
        );
        if !urban && stage.is_compulsory() {
            school.nutrition_plan_from = Some(if idx % 3 == 2 { ymd(2017, 9, 1) } else { ymd(2017, 6, 1) });
        }
        Some(school)
    }

    /// Every school, generated on the fly.
    pub fn schools(&self) -> impl Iterator<Item = School> + '_ {
        STAGES
            .iter()
            .flat_map(move |s| (0..self.schools_of(s.0)).filter_map(move |i| self.school_for(s.0, i)))
    }

    /// Student number `i` (from 0), or `None` past the end.
    ///
    /// # Errors
    /// A [`RosterError`] if a generated record fails validation (it does not).
    pub fn student_at(&self, i: u64) -> Result<Option<Student>, RosterError> {
        if i >= self.students {
            return Ok(None);
        }
        let (stage, cat, _) = self.deal(i);
        let mut rng = SplitMix64::new(mix(self.seed ^ mix(i)));
        let grades = STAGES.iter().find(|s| s.0 == stage).map_or(3, |s| s.2);
        let grade = clamped::<_, u8>(1 + rng.below(grades));
        let schools = self.schools_of(stage);
        let mut idx = rng.below(schools);
        if stage == Stage::Primary && grade > 4 && is_teaching_point(idx) {
            idx -= 1;
        }
        // Only the school's id and locality are needed: no School is built.
        let school_id = Generator::school_id(stage, idx)?;
        let rural = !self.school_is_urban(stage, idx);
        let female = rng.chance(48, 100);
        let surname = names::surname(&mut rng);
        let base = match stage {
            Stage::Preschool => 3,
            Stage::Primary => 6,
            Stage::Junior => 12,
            _ => 15,
        };
        let age = base + u64::from(grade) - 1 + u64::from(rng.chance(6, 100));
        let birth = plus_days(ymd(2016 - clamped::<_, i32>(age) - 1, 9, 2), rng.below(365));
        let entry = ymd(2016 - i32::from(grade) + 1, 9, 1);
        let migrant = !rural && stage == Stage::Primary && cat == Cat::Plain && rng.chance(185, 1000);
        let boarder_rate = match (stage, rural) {
            (Stage::Junior, true) => 750,
            (Stage::Junior, false) | (Stage::Primary, true) if grade >= 4 => 200,
            (Stage::Senior | Stage::Vocational, _) => 800,
            _ => 0,
        };
        let has_household = !matches!(cat, Cat::Plain | Cat::AgMajor);
        Ok(Some(Student {
            id: StudentId::new(format!("N{i:010}"))?,
            name: names::child_name(&mut rng, surname, female),
            sex: if female { Sex::Female } else { Sex::Male },
            birth_date: birth,
            school_id,
            stage,
            grade,
            boarder: rng.chance(boarder_rate, 1000),
            disability: rng.chance(25, 10_000).then_some(DisabilityKind::Intellectual),
            migrant,
            left_behind: rural && stage != Stage::Senior && rng.chance(30, 100),
            hukou: if rural || migrant || has_household {
                Hukou::Rural
            } else {
                Hukou::Urban
            },
            agricultural_major: stage == Stage::Vocational
                && (cat == Cat::AgMajor || (cat == Cat::Poor && rng.chance(2, 5))),
            household_id: if has_household {
                Some(HouseholdId::new(format!("NH{i:010}"))?)
            } else {
                None
            },
            status: EnrolmentStatus::Enrolled,
            status_since: entry.max(plus_days(birth, 1)),
            helper: (cat == Cat::Poor).then(|| names::adult_name(&mut rng)),
        }))
    }

    fn household_at(&self, i: u64) -> Result<Option<Household>, RosterError> {
        if i >= self.students {
            return Ok(None);
        }
        let (_, cat, _) = self.deal(i);
        let mut rng = SplitMix64::new(mix(self.seed ^ mix(i) ^ 0xF00D));
        let mut h = Household::new(HouseholdId::new(format!("NH{i:010}"))?);
        let from: NaiveDate = plus_days(ymd(2014, 10, 8), rng.below(630));
        match cat {
            Cat::Poor => h.add_status(StatusKind::RegisteredPoor, from, None)?,
            Cat::Dibao => h.add_status(StatusKind::Dibao, from, None)?,
            Cat::Hardship => h.add_status(StatusKind::Hardship, ymd(2016, 9, 1), Some(ymd(2017, 9, 1)))?,
            Cat::Orphan => h.add_status(StatusKind::Orphan, from, None)?,
            Cat::DeFacto => h.add_status(StatusKind::DeFactoUnsupported, from, None)?,
            Cat::Destitute => h.add_status(StatusKind::Destitute, from, None)?,
            Cat::AgMajor | Cat::Plain => return Ok(None),
        }
        Ok(Some(h))
    }
}

fn is_teaching_point(idx: u64) -> bool {
    idx % 12 == 11
}

fn stage_code(stage: Stage) -> u8 {
    match stage {
        Stage::Preschool => 1,
        Stage::Primary => 2,
        Stage::Junior => 3,
        Stage::Senior => 4,
        Stage::Vocational => 5,
        Stage::Tertiary => 6,
        Stage::Postgraduate => 7,
    }
}

fn parse_index(id: &str, prefix: &str) -> Option<u64> {
    let digits = id.strip_prefix(prefix)?;
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Roster for Generator {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        let batch = clamped::<_, u64>(self.batch);
        let mut buffer = Vec::with_capacity(self.batch);
        let mut start = 0u64;
        while start < self.students {
            buffer.clear();
            for i in start..(start + batch).min(self.students) {
                if let Some(s) = self.student_at(i)? {
                    buffer.push(s);
                }
            }
            if let ControlFlow::Break(()) = visit(&buffer) {
                break;
            }
            start += batch;
        }
        Ok(())
    }

    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        let mut parts = id.as_str().splitn(3, '-');
        let (Some("NS"), Some(stage), Some(idx)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let (Ok(stage), Ok(idx)) = (stage.parse::<Stage>(), idx.parse::<u64>()) else {
            return Ok(None);
        };
        let found = self.school_for(stage, idx).filter(|s| &s.id == id);
        Ok(found.map(Cow::Owned))
    }

    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        match parse_index(id.as_str(), "NH") {
            Some(i) => Ok(self.household_at(i)?.map(Cow::Owned)),
            None => Ok(None),
        }
    }

    fn student(&self, id: &StudentId) -> Result<Option<Student>, RosterError> {
        match parse_index(id.as_str(), "N") {
            Some(i) => self.student_at(i),
            None => Ok(None),
        }
    }

    fn student_count(&self) -> Result<usize, RosterError> {
        usize::try_from(self.students).map_err(|e| RosterError::Backend(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cycle_has_the_sample_shares_exactly() {
        let g = Generator::new(CYCLE, 1);
        let st = g.stats();
        let by: Vec<u64> = st.by_stage.iter().map(|x| x.1).collect();
        assert_eq!(by, vec![23_429, 56_370, 26_577, 16_988, 3_600]);
        let poor: Vec<u64> = st.registered_poor.iter().map(|x| x.1).collect();
        assert_eq!(poor, vec![2_409, 8_063, 4_327, 3_612, 478]);
    }

    #[test]
    fn permutations_are_bijections() {
        assert_eq!(gcd(CYCLE_MUL, CYCLE), 1);
        for (_, size, _, _) in STAGES {
            assert_eq!(gcd(STAGE_MUL, size), 1);
        }
        let total: u64 = STAGES.iter().map(|s| s.1).sum();
        assert_eq!(total, CYCLE);
    }

    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 { a } else { gcd(b, a % b) }
    }

    #[test]
    fn lookups_recompute_the_same_records() {
        let g = Generator::new(5_000, 9);
        for i in [0u64, 1, 17, 4_999] {
            let s = g.student_at(i).unwrap().unwrap();
            assert_eq!(g.student(&s.id).unwrap(), Some(s.clone()));
            let school = g.school_of(&s).unwrap();
            assert!(school.kind.teaches(s.stage));
            if let Some(h) = &s.household_id {
                assert!(g.household(h).unwrap().is_some());
            }
        }
        assert!(g.student_at(5_000).unwrap().is_none());
        assert!(g.student(&StudentId::new("N99").unwrap()).unwrap().is_none());
        assert!(
            g.school(&SchoolId::new("NS-primary-999999").unwrap())
                .unwrap()
                .is_none()
        );
        assert!(g.school(&SchoolId::new("bogus").unwrap()).unwrap().is_none());
    }
}

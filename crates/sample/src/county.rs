//! The sample county (示范县): schools, students, households, aid paid and
//! the planted faults, built deterministically from one seed.
//!
//! The build runs in steps, each exact where the contract demands it:
//! 1. the schools, by township (18 rural townships and the urban district
//!    城关镇), with the nutrition-plan dates;
//! 2. enrolment per school and grade, apportioned by largest remainder so
//!    that each stage's total is the contract's, and the nutrition plan's
//!    first batch holds 53675 students on 2017-06-01;
//! 3. registered-poor students apportioned over the cells the same way,
//!    then the other statuses (dibao, hardship, orphans …) where the
//!    contract allows them;
//! 4. the students who leave school in spring or summer 2017, disabled
//!    students, migrant and left-behind children, households (siblings
//!    share one), names and helpers;
//! 5. the counts and classes ([`crate::counts`]), then the aid paid with the
//!    three planted faults.

use chrono::{Days, NaiveDate};
use eduaid_model::{
    Channel, Counts, DisabilityKind, Disbursement, EnrolmentStatus, Household, HouseholdId, Hukou, Locality,
    MemoryRoster, Money, Ownership, ProgramId, School, SchoolId, SchoolKind, SchoolYear, Sex, Stage, StatusKind,
    Student, StudentId, Term,
};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::figures as f;
use crate::names::{self, TOWNSHIPS, URBAN_DISTRICT};
use crate::plan::{Group, MetaView, Plan, apportion, apportion_capped, plus_days, ymd};
use crate::rng::SplitMix64;

mod households;
mod leavers;
mod payments;
mod schools;
mod students;

use households::*;
use leavers::*;
use payments::*;
use schools::*;
use students::*;

/// The seed of the sample county. Changing it changes every record (but not
/// the contract figures, which hold for any seed).
pub const SEED: u64 = 0x5EED_2017_0301;

/// The name of the sample county.
pub const COUNTY_NAME: &str = "示范县";

/// How many students of the nutrition plan's first batch leave school
/// between 2017-03-01 and 2017-06-01 (inclusive).
pub(crate) const EARLY_LEAVERS_FIRST_BATCH: u64 = 24;

/// Senior students whose households hold dibao (second tier of the grant).
const SENIOR_DIBAO: usize = 705;
/// Senior students in certified hardship (second tier).
const SENIOR_HARDSHIP: usize = 730;
/// Registered-poor vocational students by grade (478 in all, 330 in grades 1-2).
const VOCATIONAL_POOR: [(u8, u64); 3] = [(1, 172), (2, 158), (3, 148)];
/// Vocational grades 1-2 without registration but with a grant: dibao,
/// hardship, and agricultural majors with no status (330 + 269 = 599).
const VOCATIONAL_DIBAO: usize = 52;
const VOCATIONAL_HARDSHIP: usize = 67;
const VOCATIONAL_AGRICULTURAL: usize = 150;

/// The sample county: a roster of school year 2016-17, the aid actually
/// paid, the faults planted in it, and the aggregate counts.
#[derive(Debug, Clone)]
pub struct SampleCounty {
    /// The county's (synthetic) name, 示范县.
    pub name: String,
    /// Schools, households and students of 2016-17.
    pub roster: MemoryRoster,
    /// Aid paid for autumn 2016 (Rain-and-Dew) and spring 2017, with the
    /// planted faults.
    pub disbursements: Vec<Disbursement>,
    /// The faults planted in [`disbursements`](SampleCounty::disbursements),
    /// for reconciliation to find.
    pub planted_faults: Vec<PlantedFault>,
    /// Grade counts 2009-10 to 2018-19, population, disabled children and
    /// teachers.
    ///
    /// Grade counts are by school, stage, grade, sex and poverty group (the
    /// students' group on 2017-03-01, carried along their cohort). 2016-17
    /// is the roster itself: its enrolment is the 126964 students, its
    /// flows the spring and summer leavers. Earlier years are simulated
    /// backwards from it and later ones forwards, holding in every cell
    /// `enrolled(y+1, g+1) − repeaters(y+1, g+1) = enrolled(y, g) +
    /// transfers_in − transfers_out − dropouts − deaths − repeaters(y+1, g)`,
    /// so a cohort's graduates are its intake plus transfers in minus
    /// transfers out minus its losses. The primary cohorts graduating in
    /// 2014-15 to 2016-17 lose nobody (100%); the junior cohorts of those
    /// years lose exactly enough for 98.86%, 98.81% and 98.89%; no repeater
    /// leaves or joins them. The 265 rural compulsory schools hold 60526 in
    /// 2017-18, the public urban primaries 8692 in 2018-19. Classes of every
    /// school for 2016-17 to 2018-19 sum to these counts. Population (ages
    /// 3–17, by township) gives enrolment ratios of about 85% preschool,
    /// 103% primary, 101% junior and 88% senior secondary; disabled
    /// children are the roster's plus those out of school.
    pub counts: Counts,
    /// The townships, the urban district first.
    pub townships: Vec<String>,
}

/// What is wrong with a planted fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// An eligible student was left unpaid (应助未助).
    Unpaid,
    /// The same student was paid twice for one program and term.
    DuplicatePayment,
    /// A payment dated after the student left school.
    PaidAfterLeaving,
}

/// A fault planted in the sample county's disbursements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedFault {
    /// What is wrong.
    pub kind: FaultKind,
    /// The student concerned.
    pub student_id: StudentId,
    /// The program.
    pub program: ProgramId,
    /// The term.
    pub term: Term,
    /// The amount concerned: owed but unpaid, paid twice, or paid after
    /// leaving.
    pub amount: Money,
    /// The payment references involved (none for an unpaid student).
    pub payment_ids: Vec<String>,
    /// In words, for a clerk.
    pub description: String,
}

/// The planned statuses of a student beyond the registered-poor cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Extra {
    None,
    /// Registered on 2017-05-10: not poor on the reference date.
    LateRegistered,
    /// Exited poverty on 2016-12-28: not poor on the reference date.
    Exited,
    Dibao,
    Hardship,
    Orphan,
    DeFacto,
    Destitute,
}

#[derive(Debug, Clone)]
struct Meta {
    school: usize,
    poor: bool,
    extra: Extra,
    home: usize,
    household: Option<usize>,
}

/// Everything the build produces before the roster is assembled.
struct Build {
    plans: Vec<Plan>,
    students: Vec<Student>,
    meta: Vec<Meta>,
    households: Vec<Household>,
}

/// Build the sample county, reporting any record the model rejects.
///
/// # Errors
/// An [`Error`] if a record fails the model's validation — a bug in this
/// crate, which its tests rule out.
pub fn county_or_error() -> Result<SampleCounty, Error> {
    county_with_seed(SEED)
}

/// A county built like the sample from another seed: other names, other
/// schools' sizes, other records, the same contract figures.
///
/// # Errors
/// An [`Error`] if a record fails the model's validation or the plan cannot
/// be met for this seed (the crate's tests try several seeds).
pub fn county_with_seed(seed: u64) -> Result<SampleCounty, Error> {
    let mut rng = SplitMix64::new(seed);
    let mut plans = make_schools(&mut rng)?;
    allocate_enrolment(&mut rng, &mut plans);
    let (students, meta) = make_students(&mut rng, &plans)?;
    let mut b = Build {
        plans,
        students,
        meta,
        households: Vec::new(),
    };
    assign_extras(&mut rng, &mut b);
    let fault_leaver = assign_leavers(&mut rng, &mut b)?;
    assign_migrants_and_disability(&mut rng, &mut b);
    add_earlier_leavers(&mut rng, &mut b)?;
    make_households(&mut rng, &mut b)?;
    name_students(&mut rng, &mut b);
    let view = b.meta_view();
    let counts = crate::counts::build(&mut rng, &mut b.plans, &b.students, &view, &b.households)?;
    let (disbursements, planted_faults) = pay(&mut rng, &b, &fault_leaver)?;
    let mut roster = MemoryRoster::new();
    let townships = std::iter::once(URBAN_DISTRICT)
        .chain(TOWNSHIPS.iter().copied())
        .map(String::from)
        .collect();
    for p in b.plans {
        roster.add_school(p.school)?;
    }
    for h in b.households {
        roster.add_household(h)?;
    }
    for s in b.students {
        roster.add_student(s)?;
    }
    Ok(SampleCounty {
        name: COUNTY_NAME.to_string(),
        roster,
        disbursements,
        planted_faults,
        counts,
        townships,
    })
}

impl Build {
    fn meta_view(&self) -> Vec<MetaView> {
        self.meta
            .iter()
            .map(|m| MetaView {
                school: m.school,
                home: m.home,
            })
            .collect()
    }
}

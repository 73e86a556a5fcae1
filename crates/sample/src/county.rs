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
use crate::rng::SplitMix64;

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

/// The role of a school in the county's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    UrbanPublicPrimary,
    UrbanPrivatePrimary,
    UrbanJunior,
    Central,
    RuralJunior,
    NineYear,
    Village,
    TeachingPoint,
    Special,
    KgPublic,
    KgInclusive,
    KgNonInclusive,
    Senior,
    Vocational,
}

impl Group {
    /// Per mille of boarders for a grade.
    fn boarders(self, stage: Stage, grade: u8) -> u64 {
        match (self, stage) {
            (Group::UrbanPrivatePrimary, _) if grade >= 3 => 300,
            (Group::UrbanJunior, _) => 350,
            (Group::Central, _) if grade >= 4 => 250,
            (Group::RuralJunior, _) => 800,
            (Group::NineYear, Stage::Junior) => 650,
            (Group::NineYear, _) if grade >= 5 => 200,
            (Group::Village, _) if grade >= 5 => 50,
            (Group::Special, _) => 700,
            (Group::Senior, _) => 850,
            (Group::Vocational, _) => 750,
            _ => 0,
        }
    }

    /// Relative weight for registered-poor students (0: none).
    fn poor_rate(self) -> u64 {
        match self {
            Group::Central | Group::RuralJunior | Group::NineYear | Group::Village | Group::TeachingPoint => 30,
            Group::UrbanJunior => 20,
            Group::UrbanPublicPrimary => 8,
            Group::KgPublic => 28,
            Group::KgInclusive => 18,
            Group::KgNonInclusive => 12,
            Group::Senior | Group::Vocational => 30,
            Group::UrbanPrivatePrimary | Group::Special => 0,
        }
    }

    pub(crate) fn is_urban_public_primary(self) -> bool {
        self == Group::UrbanPublicPrimary
    }
}

/// A school and its planned 2016-17 enrolment.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) school: School,
    pub(crate) group: Group,
    /// Township index: 0 is the urban district, 1.. the rural townships.
    pub(crate) township: usize,
    /// Enrolment per stage and grade (index 0 is grade 1), 2016-17.
    pub(crate) enrol: Vec<(Stage, Vec<u64>)>,
    /// For a teaching point: the township's central primary, where its
    /// pupils go after grade 4.
    pub(crate) host: Option<usize>,
    /// Helpers (teachers) drawn so far.
    helpers: Vec<String>,
}

impl Plan {
    pub(crate) fn grades_of(&self, stage: Stage) -> u8 {
        match (self.group, stage) {
            (Group::TeachingPoint, Stage::Primary) => 4,
            (_, Stage::Junior) => 3,
            (_, s) => s.max_grade(),
        }
    }
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

pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(crate) fn plus_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Largest-remainder apportionment of `total` over `weights` (all zero
/// weights: everything to the first).
pub(crate) fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let mut out = vec![0u64; weights.len()];
    if weights.is_empty() {
        return out;
    }
    if sum == 0 {
        out[0] = total;
        return out;
    }
    let mut rems: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    let mut given = 0u64;
    for (i, w) in weights.iter().enumerate() {
        let exact = u128::from(total) * u128::from(*w);
        let q = u64::try_from(exact / sum).unwrap_or(0);
        out[i] = q;
        given += q;
        rems.push((exact % sum, i));
    }
    rems.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total.saturating_sub(given);
    for (_, i) in rems {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

/// Apportion with a cap per item (`total` must not exceed the caps' sum).
fn apportion_capped(total: u64, weights: &[u64], caps: &[u64]) -> Vec<u64> {
    let mut out = apportion(total, weights);
    // Move any excess over a cap to the items with the most room.
    let mut excess = 0u64;
    for (o, c) in out.iter_mut().zip(caps) {
        if *o > *c {
            excess += *o - *c;
            *o = *c;
        }
    }
    while excess > 0 {
        let best = out
            .iter()
            .zip(caps)
            .enumerate()
            .filter(|(_, (o, c))| o < c)
            .max_by_key(|(i, (o, c))| (**c - **o, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match best {
            Some(i) => {
                out[i] += 1;
                excess -= 1;
            }
            None => break,
        }
    }
    out
}

const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六"];
const KG_NAMES: &[&str] = &[
    "小太阳",
    "阳光",
    "启明星",
    "童之梦",
    "蓝天",
    "金色摇篮",
    "七色花",
    "小博士",
    "快乐宝贝",
    "春苗",
    "新蕾",
    "彩虹",
];

fn school_id(township: usize, seq: usize) -> Result<SchoolId, Error> {
    Ok(SchoolId::new(format!("S{township:02}{seq:03}"))?)
}

/// Step 1: the schools.
fn make_schools(rng: &mut SplitMix64) -> Result<Vec<Plan>, Error> {
    let mut plans = Vec::new();
    let mut seq = [0usize; 19];
    let june = ymd(2017, 6, 1);
    let september = ymd(2017, 9, 1);
    let mut add = |plans: &mut Vec<Plan>,
                   township: usize,
                   name: String,
                   kind: SchoolKind,
                   ownership: Ownership,
                   group: Group,
                   nutrition: Option<NaiveDate>,
                   tuition: Option<i64>|
     -> Result<usize, Error> {
        seq[township] += 1;
        let (town, locality) = if township == 0 {
            (URBAN_DISTRICT, Locality::Urban)
        } else {
            (TOWNSHIPS[township - 1], Locality::Rural)
        };
        let mut school = School::new(
            school_id(township, seq[township])?,
            name,
            kind,
            ownership,
            town,
            locality,
        );
        school.nutrition_plan_from = nutrition;
        school.annual_tuition = tuition.map(Money::yuan);
        plans.push(Plan {
            school,
            group,
            township,
            enrol: Vec::new(),
            host: None,
            helpers: Vec::new(),
        });
        Ok(plans.len() - 1)
    };
    use Group as G;
    use Ownership::{Private, Public};
    // The urban district.
    for n in NUMERALS.iter().take(5) {
        let name = format!("城关镇第{n}完全小学");
        add(
            &mut plans,
            0,
            name,
            SchoolKind::Primary,
            Public,
            G::UrbanPublicPrimary,
            None,
            None,
        )?;
    }
    add(
        &mut plans,
        0,
        "育才实验小学".into(),
        SchoolKind::Primary,
        Private,
        G::UrbanPrivatePrimary,
        None,
        Some(9000),
    )?;
    for n in NUMERALS.iter().take(5) {
        let name = format!("城关镇第{n}初级中学");
        add(
            &mut plans,
            0,
            name,
            SchoolKind::Junior,
            Public,
            G::UrbanJunior,
            None,
            None,
        )?;
    }
    for n in NUMERALS.iter().take(3) {
        let name = format!("{COUNTY_NAME}第{n}中学");
        add(
            &mut plans,
            0,
            name,
            SchoolKind::Senior,
            Public,
            G::Senior,
            None,
            Some(1300),
        )?;
    }
    add(
        &mut plans,
        0,
        format!("{COUNTY_NAME}博雅高级中学"),
        SchoolKind::Senior,
        Private,
        G::Senior,
        None,
        Some(8000),
    )?;
    add(
        &mut plans,
        0,
        format!("{COUNTY_NAME}职业中专学校"),
        SchoolKind::Vocational,
        Public,
        G::Vocational,
        None,
        Some(2000),
    )?;
    add(
        &mut plans,
        0,
        format!("{COUNTY_NAME}机关幼儿园"),
        SchoolKind::KindergartenInclusive,
        Public,
        G::KgPublic,
        None,
        Some(1600),
    )?;
    for (i, n) in KG_NAMES.iter().take(11).enumerate() {
        let name = format!("城关镇{n}幼儿园");
        if i % 2 == 0 {
            add(
                &mut plans,
                0,
                name,
                SchoolKind::KindergartenInclusive,
                Private,
                G::KgInclusive,
                None,
                Some(2400),
            )?;
        } else {
            add(
                &mut plans,
                0,
                name,
                SchoolKind::KindergartenNonInclusive,
                Private,
                G::KgNonInclusive,
                None,
                Some(6000),
            )?;
        }
    }
    // The rural townships: 18 central primaries, 18 juniors, 12 nine-year
    // schools, 126 village primaries, 90 teaching points and the special
    // school make the 265 rural compulsory schools; 178 of them join the
    // nutrition plan on 2017-06-01, the other 87 on 2017-09-01.
    let mut tp_seen = 0usize;
    for t in 1..=TOWNSHIPS.len() {
        let town = TOWNSHIPS[t - 1];
        let mut villages: Vec<String> = Vec::new();
        let mut village = |rng: &mut SplitMix64| {
            let mut v = names::village(rng);
            // Distinct within the township (324 names to draw from).
            for _ in 0..100 {
                if !villages.contains(&v) {
                    break;
                }
                v = names::village(rng);
            }
            villages.push(v.clone());
            v
        };
        let name = format!("{town}中心小学");
        let central = add(
            &mut plans,
            t,
            name,
            SchoolKind::Primary,
            Public,
            G::Central,
            Some(june),
            None,
        )?;
        add(
            &mut plans,
            t,
            format!("{town}中学"),
            SchoolKind::Junior,
            Public,
            G::RuralJunior,
            Some(june),
            None,
        )?;
        if t <= 12 {
            let v = village(rng);
            add(
                &mut plans,
                t,
                format!("{town}{v}学校"),
                SchoolKind::NineYear,
                Public,
                G::NineYear,
                Some(june),
                None,
            )?;
        }
        for k in 0..7 {
            let v = village(rng);
            let date = if k < 5 { june } else { september };
            add(
                &mut plans,
                t,
                format!("{town}{v}村小学"),
                SchoolKind::Primary,
                Public,
                G::Village,
                Some(date),
                None,
            )?;
        }
        for _ in 0..5 {
            let v = village(rng);
            let date = if tp_seen % 9 < 4 { june } else { september };
            tp_seen += 1;
            let i = add(
                &mut plans,
                t,
                format!("{town}{v}教学点"),
                SchoolKind::TeachingPoint,
                Public,
                G::TeachingPoint,
                Some(date),
                None,
            )?;
            if let Some(p) = plans.get_mut(i) {
                p.host = Some(central);
            }
        }
        if t == 1 {
            let name = format!("{COUNTY_NAME}特殊教育学校");
            add(
                &mut plans,
                t,
                name,
                SchoolKind::Special,
                Public,
                G::Special,
                Some(september),
                None,
            )?;
        }
        if t == 1 || t == 8 {
            add(
                &mut plans,
                t,
                format!("{town}高级中学"),
                SchoolKind::Senior,
                Public,
                G::Senior,
                None,
                Some(1100),
            )?;
        }
        add(
            &mut plans,
            t,
            format!("{town}中心幼儿园"),
            SchoolKind::KindergartenInclusive,
            Public,
            G::KgPublic,
            None,
            Some(1200),
        )?;
        for k in 0..2 {
            let n = rng.pick(KG_NAMES).copied().unwrap_or("春苗");
            if k == 0 {
                let name = format!("{town}{n}幼儿园");
                add(
                    &mut plans,
                    t,
                    name,
                    SchoolKind::KindergartenInclusive,
                    Private,
                    G::KgInclusive,
                    None,
                    Some(1800),
                )?;
            } else {
                let name = format!("{town}{n}双语幼儿园");
                add(
                    &mut plans,
                    t,
                    name,
                    SchoolKind::KindergartenNonInclusive,
                    Private,
                    G::KgNonInclusive,
                    None,
                    Some(4200),
                )?;
            }
        }
    }
    Ok(plans)
}

/// Per-grade weights with a little noise (per mille of an even share).
fn grade_split(rng: &mut SplitMix64, total: u64, grades: u8, base: &[u64]) -> Vec<u64> {
    let weights: Vec<u64> = (0..usize::from(grades))
        .map(|g| base.get(g).copied().unwrap_or(100) * rng.range(92, 108))
        .collect();
    apportion(total, &weights)
}

fn noisy(rng: &mut SplitMix64, w: u64) -> u64 {
    w * rng.range(75, 125)
}

/// Step 2: enrolment per school and grade.
fn allocate_enrolment(rng: &mut SplitMix64, plans: &mut [Plan]) {
    use Group as G;
    let first = |p: &Plan| p.school.nutrition_plan_from == Some(ymd(2017, 6, 1));
    let primary_weight = |g: Group, first_batch: bool| -> u64 {
        match (g, first_batch) {
            (G::Central, _) => 800,
            (G::NineYear, _) => 420,
            (G::Village, true) => 200,
            (G::Village, false) => 160,
            (G::TeachingPoint, true) => 48,
            (G::TeachingPoint, false) => 30,
            _ => 0,
        }
    };
    let primary_grades = [104u64, 102, 100, 99, 98, 97];
    // Primary.
    let mut totals = vec![0u64; plans.len()];
    let urban_pub: Vec<usize> = idx(plans, |p| p.group == G::UrbanPublicPrimary);
    let w: Vec<u64> = urban_pub.iter().map(|_| noisy(rng, 100)).collect();
    for (i, n) in urban_pub.iter().zip(apportion(f::URBAN_PUBLIC_PRIMARY, &w)) {
        totals[*i] = n;
    }
    for i in idx(plans, |p| p.group == G::UrbanPrivatePrimary) {
        totals[i] = f::URBAN_PRIVATE_PRIMARY;
    }
    let special_primary = 64u64;
    for i in idx(plans, |p| p.group == G::Special) {
        totals[i] = special_primary;
    }
    let rural: Vec<usize> = idx(plans, |p| primary_weight(p.group, first(p)) > 0);
    let w: Vec<u64> = rural
        .iter()
        .map(|i| noisy(rng, primary_weight(plans[*i].group, first(&plans[*i]))))
        .collect();
    let rural_total = f::PRIMARY - f::URBAN_PRIMARY - special_primary;
    for (i, n) in rural.iter().zip(apportion(rural_total, &w)) {
        totals[*i] = n;
    }
    let mut primary_first = 0u64;
    for (i, p) in plans.iter_mut().enumerate() {
        if p.school.kind.teaches(Stage::Primary) && totals[i] > 0 {
            let g = p.grades_of(Stage::Primary);
            p.enrol
                .push((Stage::Primary, grade_split(rng, totals[i], g, &primary_grades)));
            if first(p) {
                primary_first += totals[i];
            }
        }
    }
    // Junior: the first batch's junior students make its 53675 on
    // 2017-06-01 together with its primary pupils, allowing for the early
    // leavers; the urban juniors take the rest.
    let special_junior = 38u64;
    let junior_first = f::NUTRITION_FIRST_STUDENTS + EARLY_LEAVERS_FIRST_BATCH - primary_first;
    let mut totals = vec![0u64; plans.len()];
    let rural: Vec<usize> = idx(plans, |p| matches!(p.group, G::RuralJunior | G::NineYear));
    let w: Vec<u64> = rural
        .iter()
        .map(|i| noisy(rng, if plans[*i].group == G::RuralJunior { 780 } else { 300 }))
        .collect();
    for (i, n) in rural.iter().zip(apportion(junior_first, &w)) {
        totals[*i] = n;
    }
    for i in idx(plans, |p| p.group == G::Special) {
        totals[i] = special_junior;
    }
    let urban: Vec<usize> = idx(plans, |p| p.group == G::UrbanJunior);
    let w: Vec<u64> = urban.iter().map(|_| noisy(rng, 100)).collect();
    let urban_total = f::JUNIOR - junior_first - special_junior;
    for (i, n) in urban.iter().zip(apportion(urban_total, &w)) {
        totals[*i] = n;
    }
    for (i, p) in plans.iter_mut().enumerate() {
        if totals[i] > 0 {
            p.enrol
                .push((Stage::Junior, grade_split(rng, totals[i], 3, &[102, 100, 98])));
        }
    }
    // Preschool, senior, vocational.
    let kg_weight = |p: &Plan| match (p.group, p.township) {
        (G::KgPublic, 0) => 900,
        (G::KgPublic, _) => 420,
        (G::KgInclusive, 0) => 400,
        (G::KgNonInclusive, 0) => 350,
        (G::KgInclusive, _) => 200,
        (G::KgNonInclusive, _) => 180,
        _ => 0,
    };
    let kgs: Vec<usize> = idx(plans, |p| kg_weight(p) > 0);
    let w: Vec<u64> = kgs.iter().map(|i| noisy(rng, kg_weight(&plans[*i]))).collect();
    for (i, n) in kgs.iter().zip(apportion(f::PRESCHOOL, &w)) {
        let split = grade_split(rng, n, 3, &[96, 100, 104]);
        plans[*i].enrol.push((Stage::Preschool, split));
    }
    let seniors: Vec<usize> = idx(plans, |p| p.group == G::Senior);
    let w: Vec<u64> = seniors
        .iter()
        .map(|i| match (plans[*i].township, plans[*i].school.ownership) {
            (0, Ownership::Private) => 100,
            (0, _) => 450 - 50 * u64::try_from(*i % 4).unwrap_or(0),
            _ => 240,
        })
        .collect();
    for (i, n) in seniors.iter().zip(apportion(f::GENERAL_SENIOR, &w)) {
        let split = grade_split(rng, n, 3, &[103, 100, 97]);
        plans[*i].enrol.push((Stage::Senior, split));
    }
    for i in idx(plans, |p| p.group == G::Vocational) {
        plans[i]
            .enrol
            .push((Stage::Vocational, apportion(f::VOCATIONAL, &[1250, 1200, 1150])));
    }
}

fn idx(plans: &[Plan], pred: impl Fn(&Plan) -> bool) -> Vec<usize> {
    plans
        .iter()
        .enumerate()
        .filter(|(_, p)| pred(p))
        .map(|(i, _)| i)
        .collect()
}

fn stage_base_age(stage: Stage) -> u64 {
    match stage {
        Stage::Preschool => 3,
        Stage::Primary => 6,
        Stage::Junior => 12,
        Stage::Senior | Stage::Vocational => 15,
        Stage::Tertiary | Stage::Postgraduate => 18,
    }
}

/// A birth date for age `age` on 2016-09-01.
fn birth_for_age(rng: &mut SplitMix64, age: u64) -> NaiveDate {
    let year = 2016 - i32::try_from(age).unwrap_or(0) - 1;
    plus_days(ymd(year, 9, 2), rng.below(365))
}

fn entry_date(grade: u8) -> NaiveDate {
    ymd(2016 - i32::from(grade) + 1, 9, 1)
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

/// What the counts need to know of each student beyond the record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MetaView {
    pub(crate) school: usize,
    pub(crate) home: usize,
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

/// Step 3a: one student per enrolment place, with the registered-poor
/// cells apportioned exactly per stage.
fn make_students(rng: &mut SplitMix64, plans: &[Plan]) -> Result<(Vec<Student>, Vec<Meta>), Error> {
    // Registered-poor counts per (plan, stage, grade) cell.
    let targets = [
        (Stage::Preschool, f::POOR_PRESCHOOL),
        (Stage::Primary, f::POOR_PRIMARY),
        (Stage::Junior, f::POOR_JUNIOR),
        (
            Stage::Senior,
            f::SENIOR_GRANT_SECOND_TIER - u64::try_from(SENIOR_DIBAO + SENIOR_HARDSHIP).unwrap_or(0),
        ),
    ];
    let mut poor_cells: std::collections::HashMap<(usize, Stage, u8), u64> = std::collections::HashMap::new();
    for (stage, total) in targets {
        let mut cells = Vec::new();
        for (i, p) in plans.iter().enumerate() {
            for (s, grades) in &p.enrol {
                if *s == stage {
                    for (g, n) in grades.iter().enumerate() {
                        cells.push((i, u8::try_from(g + 1).unwrap_or(1), *n, p.group.poor_rate()));
                    }
                }
            }
        }
        let weights: Vec<u64> = cells.iter().map(|c| c.2 * c.3 * rng.range(80, 120)).collect();
        let caps: Vec<u64> = cells.iter().map(|c| if c.3 == 0 { 0 } else { c.2 }).collect();
        for (c, n) in cells.iter().zip(apportion_capped(total, &weights, &caps)) {
            poor_cells.insert((c.0, stage, c.1), n);
        }
    }
    // Vocational: 478 registered poor over the grades.
    for i in idx(plans, |p| p.group == Group::Vocational) {
        for (g, n) in VOCATIONAL_POOR {
            poor_cells.insert((i, Stage::Vocational, g), n);
        }
    }
    let mut students = Vec::new();
    let mut meta = Vec::new();
    for (i, p) in plans.iter().enumerate() {
        for (stage, grades) in &p.enrol {
            for (g0, n) in grades.iter().enumerate() {
                let grade = u8::try_from(g0 + 1).unwrap_or(1);
                let poor = poor_cells.get(&(i, *stage, grade)).copied().unwrap_or(0).min(*n);
                let males = rng.share(*n, 520).min(*n);
                let mut poor_males = (poor * males + rng.below(*n)).checked_div(*n).unwrap_or(0);
                poor_males = poor_males.min(poor).min(males);
                if poor - poor_males > *n - males {
                    poor_males = poor - (*n - males);
                }
                for k in 0..*n {
                    let male = k < males;
                    let is_poor = if male {
                        k < poor_males
                    } else {
                        k - males < poor - poor_males
                    };
                    let (birth, since, status) = dates_for(rng, p.group, *stage, grade);
                    let id = StudentId::new(format!("G{:09}", students.len() + 1))?;
                    let home = home_township(rng, p);
                    let urban_school = p.township == 0;
                    let hukou = if !urban_school || is_poor || rng.chance(45, 100) {
                        Hukou::Rural
                    } else {
                        Hukou::Urban
                    };
                    let rural_child = !urban_school && *stage != Stage::Senior && *stage != Stage::Vocational;
                    let left_behind = rural_child && rng.chance(if is_poor { 420 } else { 320 }, 1000);
                    students.push(Student {
                        id,
                        name: String::new(),
                        sex: if male { Sex::Male } else { Sex::Female },
                        birth_date: birth,
                        school_id: p.school.id.clone(),
                        stage: *stage,
                        grade,
                        boarder: rng.chance(p.group.boarders(*stage, grade), 1000),
                        disability: None,
                        migrant: false,
                        left_behind,
                        hukou,
                        agricultural_major: *stage == Stage::Vocational && is_poor && rng.chance(2, 5),
                        household_id: None,
                        status,
                        status_since: since,
                        helper: None,
                    });
                    meta.push(Meta {
                        school: i,
                        poor: is_poor,
                        extra: Extra::None,
                        home,
                        household: None,
                    });
                }
            }
        }
    }
    Ok((students, meta))
}

fn home_township(rng: &mut SplitMix64, p: &Plan) -> usize {
    let anywhere = |rng: &mut SplitMix64, urban_percent: u64| {
        if rng.chance(urban_percent, 100) {
            0
        } else {
            1 + rng.index(TOWNSHIPS.len())
        }
    };
    match p.group {
        Group::Senior | Group::Vocational if p.township == 0 => anywhere(rng, 30),
        Group::Special => anywhere(rng, 20),
        Group::UrbanJunior => anywhere(rng, 65),
        _ => p.township,
    }
}

/// Birth date, status date and status of a new student: most enrolled
/// since the stage began, a few transferred in since.
fn dates_for(rng: &mut SplitMix64, group: Group, stage: Stage, grade: u8) -> (NaiveDate, NaiveDate, EnrolmentStatus) {
    let mut age = stage_base_age(stage) + u64::from(grade) - 1;
    if group == Group::Special {
        age += rng.range(1, 2);
    } else if rng.chance(6, 100) {
        age += 1;
    }
    let birth = birth_for_age(rng, age);
    let entry = entry_date(grade);
    let compulsory = stage.is_compulsory();
    if compulsory && grade > 1 && rng.chance(25, 1000) {
        // Transferred in during an earlier year of the stage.
        let span = u64::try_from((ymd(2016, 8, 31) - entry).num_days()).unwrap_or(0);
        let since = plus_days(entry, rng.below(span.max(1)));
        return (birth, since.max(plus_days(birth, 1)), EnrolmentStatus::TransferredIn);
    }
    (birth, entry.max(plus_days(birth, 1)), EnrolmentStatus::Enrolled)
}

/// Step 3b: statuses other than the registered-poor cells.
fn assign_extras(rng: &mut SplitMix64, b: &mut Build) {
    let pick = |rng: &mut SplitMix64, b: &Build, pred: &dyn Fn(usize) -> bool| -> Vec<usize> {
        let mut v: Vec<usize> = (0..b.students.len()).filter(|i| pred(*i)).collect();
        rng.shuffle(&mut v);
        v
    };
    // Seniors: 705 dibao + 730 hardship (second tier with the 3612 poor),
    // 6 orphans, 4 de facto unsupported and 4 destitute (first tier).
    let seniors = pick(rng, b, &|i| b.students[i].stage == Stage::Senior && !b.meta[i].poor);
    let plan = [
        (Extra::Dibao, SENIOR_DIBAO),
        (Extra::Hardship, SENIOR_HARDSHIP),
        (Extra::Orphan, 6),
        (Extra::DeFacto, 4),
        (Extra::Destitute, 4),
    ];
    let mut it = seniors.into_iter();
    for (extra, n) in plan {
        for i in it.by_ref().take(n) {
            b.meta[i].extra = extra;
        }
    }
    // Vocational grades 1-2: 52 dibao, 67 hardship and 150 agricultural
    // majors without status join the 330 registered poor for 599 grants.
    let voc12 = pick(rng, b, &|i| {
        let s = &b.students[i];
        s.stage == Stage::Vocational && s.grade <= 2 && !b.meta[i].poor
    });
    let mut it = voc12.into_iter();
    for i in it.by_ref().take(VOCATIONAL_DIBAO) {
        b.meta[i].extra = Extra::Dibao;
    }
    for i in it.by_ref().take(VOCATIONAL_HARDSHIP) {
        b.meta[i].extra = Extra::Hardship;
    }
    for i in it.by_ref().take(VOCATIONAL_AGRICULTURAL) {
        b.students[i].agricultural_major = true;
    }
    // Grade 3: 40 in hardship, a third in agricultural majors (no grant).
    let voc3 = pick(rng, b, &|i| {
        let s = &b.students[i];
        s.stage == Stage::Vocational && s.grade == 3 && !b.meta[i].poor
    });
    for (k, i) in voc3.into_iter().enumerate() {
        if k < 40 {
            b.meta[i].extra = Extra::Hardship;
        } else if k % 3 == 0 {
            b.students[i].agricultural_major = true;
        }
    }
    // Compulsory: a few registered after the reference date, and a few who
    // exited poverty before it; neither is poor on 2017-03-01.
    for (stage, late, exited) in [(Stage::Primary, 4usize, 28usize), (Stage::Junior, 3, 17)] {
        let v = pick(rng, b, &|i| {
            b.students[i].stage == stage
                && !b.meta[i].poor
                && b.plans[b.meta[i].school].township != 0
                && b.plans[b.meta[i].school].group != Group::Special
        });
        let mut it = v.into_iter();
        for i in it.by_ref().take(late) {
            b.meta[i].extra = Extra::LateRegistered;
        }
        for i in it.by_ref().take(exited) {
            b.meta[i].extra = Extra::Exited;
        }
    }
}

/// The leaving information of the fault student.
#[derive(Debug, Clone)]
struct FaultLeaver {
    index: usize,
}

fn set_left(s: &mut Student, status: EnrolmentStatus, on: NaiveDate) {
    s.status = status;
    s.status_since = on;
}

/// Step 4a: who leaves school in spring or summer 2017 (nobody leaves
/// before 2017-03-01, so the in-school counts of 2016-09-01 and 2017-03-01
/// agree).
fn assign_leavers(rng: &mut SplitMix64, b: &mut Build) -> Result<FaultLeaver, Error> {
    let first_batch =
        |b: &Build, i: usize| b.plans[b.meta[i].school].school.nutrition_plan_from == Some(ymd(2017, 6, 1));
    let early = |rng: &mut SplitMix64| plus_days(ymd(2017, 4, 6), rng.below(57)); // to 2017-06-01
    let late = |rng: &mut SplitMix64| plus_days(ymd(2017, 7, 3), rng.below(54)); // to 2017-08-25
    let spring = |rng: &mut SplitMix64| plus_days(ymd(2017, 4, 6), rng.below(142)); // to 2017-08-25
    let mut taken = vec![false; b.students.len()];
    // Teaching-point pupils finishing grade 4 move to the central primary.
    for ((s, m), t) in b.students.iter_mut().zip(&b.meta).zip(taken.iter_mut()) {
        if b.plans[m.school].group == Group::TeachingPoint && s.grade == 4 {
            let on = plus_days(ymd(2017, 7, 3), rng.below(12));
            set_left(s, EnrolmentStatus::TransferredOut, on);
            *t = true;
        }
    }
    // The fault student: registered-poor, urban junior, left on 2017-03-20.
    let fault = (0..b.students.len())
        .find(|i| {
            b.meta[*i].poor && b.plans[b.meta[*i].school].group == Group::UrbanJunior && b.students[*i].grade == 2
        })
        .ok_or(Error::Build(
            "no registered-poor urban junior student for the planted fault".into(),
        ))?;
    set_left(
        &mut b.students[fault],
        EnrolmentStatus::TransferredOut,
        ymd(2017, 3, 20),
    );
    taken[fault] = true;
    type Pred<'a> = &'a dyn Fn(&Build, usize) -> bool;
    let choose = |rng: &mut SplitMix64,
                  b: &mut Build,
                  taken: &mut Vec<bool>,
                  n: usize,
                  pred: Pred<'_>,
                  status: EnrolmentStatus,
                  date: &dyn Fn(&mut SplitMix64) -> NaiveDate| {
        let mut v: Vec<usize> = (0..b.students.len())
            .filter(|i| !taken[*i] && b.plans[b.meta[*i].school].group != Group::Special && pred(b, *i))
            .collect();
        rng.shuffle(&mut v);
        for i in v.into_iter().take(n) {
            let on = date(rng);
            set_left(&mut b.students[i], status, on);
            taken[i] = true;
        }
    };
    use EnrolmentStatus::{Deceased, DroppedOut, TransferredOut};
    let compulsory = |b: &Build, i: usize| b.students[i].stage.is_compulsory();
    let junior_not_poor = |b: &Build, i: usize| b.students[i].stage == Stage::Junior && !b.meta[i].poor;
    // The first batch of the nutrition plan: exactly 24 leave by 2017-06-01.
    choose(
        rng,
        b,
        &mut taken,
        15,
        &|b, i| first_batch(b, i) && compulsory(b, i),
        TransferredOut,
        &early,
    );
    choose(
        rng,
        b,
        &mut taken,
        8,
        &|b, i| first_batch(b, i) && junior_not_poor(b, i),
        DroppedOut,
        &early,
    );
    choose(
        rng,
        b,
        &mut taken,
        1,
        &|b, i| first_batch(b, i) && b.students[i].stage == Stage::Primary && b.students[i].grade == 3,
        Deceased,
        &early,
    );
    choose(
        rng,
        b,
        &mut taken,
        120,
        &|b, i| first_batch(b, i) && compulsory(b, i),
        TransferredOut,
        &late,
    );
    choose(
        rng,
        b,
        &mut taken,
        10,
        &|b, i| first_batch(b, i) && junior_not_poor(b, i),
        DroppedOut,
        &late,
    );
    // Everyone else.
    let group = |b: &Build, i: usize| b.plans[b.meta[i].school].group;
    let others: [(usize, Pred<'_>, EnrolmentStatus); 9] = [
        (60, &|b, i| b.students[i].stage == Stage::Preschool, TransferredOut),
        (
            25,
            &|b, i| matches!(group(b, i), Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary),
            TransferredOut,
        ),
        (20, &|b, i| group(b, i) == Group::UrbanJunior, TransferredOut),
        (
            3,
            &|b, i| group(b, i) == Group::UrbanJunior && !b.meta[i].poor,
            DroppedOut,
        ),
        (
            10,
            &|b, i| compulsory(b, i) && !first_batch(b, i) && b.plans[b.meta[i].school].township != 0,
            TransferredOut,
        ),
        (30, &|b, i| b.students[i].stage == Stage::Senior, TransferredOut),
        (
            12,
            &|b, i| b.students[i].stage == Stage::Senior && !b.meta[i].poor,
            DroppedOut,
        ),
        (15, &|b, i| b.students[i].stage == Stage::Vocational, TransferredOut),
        (
            20,
            &|b, i| b.students[i].stage == Stage::Vocational && !b.meta[i].poor,
            DroppedOut,
        ),
    ];
    for (n, pred, status) in others {
        choose(rng, b, &mut taken, n, pred, status, &spring);
    }
    choose(
        rng,
        b,
        &mut taken,
        1,
        &|b, i| b.students[i].stage == Stage::Senior,
        Deceased,
        &spring,
    );
    // Not every number of graduates admits a loss whose retention rounds
    // to the contract's 98.89%: move junior graduates out in the summer
    // until it does.
    let target = f::JUNIOR_RETENTION[2].1;
    for _ in 0..100 {
        let graduates = b
            .students
            .iter()
            .filter(|s| s.stage == Stage::Junior && s.grade == 3 && s.status.is_in_school())
            .count();
        if crate::counts::loss_for(u64::try_from(graduates).unwrap_or(0), target).is_some() {
            break;
        }
        let grade3 = |b: &Build, i: usize| {
            b.students[i].stage == Stage::Junior
                && b.students[i].grade == 3
                && b.plans[b.meta[i].school].group == Group::UrbanJunior
        };
        choose(rng, b, &mut taken, 1, &grade3, TransferredOut, &early);
    }
    Ok(FaultLeaver { index: fault })
}

/// Step 4b: migrant children (exactly 1642 of the urban primary pupils),
/// and disabled students (exactly 305 of the three kinds aged 6–14 in
/// school).
fn assign_migrants_and_disability(rng: &mut SplitMix64, b: &mut Build) {
    let group = |b: &Build, i: usize| b.plans[b.meta[i].school].group;
    let mut v: Vec<usize> = (0..b.students.len())
        .filter(|i| matches!(group(b, *i), Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary) && !b.meta[*i].poor)
        .collect();
    rng.shuffle(&mut v);
    for i in v
        .into_iter()
        .take(usize::try_from(f::MIGRANT_URBAN_PRIMARY).unwrap_or(0))
    {
        mark_migrant(&mut b.students[i], &mut b.meta[i]);
    }
    for i in 0..b.students.len() {
        let g = group(b, i);
        let rate = match g {
            Group::UrbanJunior => 90,
            Group::KgPublic | Group::KgInclusive | Group::KgNonInclusive if b.plans[b.meta[i].school].township == 0 => {
                80
            }
            _ => 0,
        };
        if rate > 0 && !b.meta[i].poor && b.meta[i].extra == Extra::None && rng.chance(rate, 1000) {
            mark_migrant(&mut b.students[i], &mut b.meta[i]);
        }
    }
    // Disability: every special-school student, then mainstream pupils.
    let three = [
        DisabilityKind::Intellectual,
        DisabilityKind::HearingSpeech,
        DisabilityKind::Visual,
    ];
    let others = [
        DisabilityKind::Physical,
        DisabilityKind::Multiple,
        DisabilityKind::Mental,
    ];
    let sept = ymd(2016, 9, 1);
    for i in 0..b.students.len() {
        if group(b, i) == Group::Special {
            let k = if rng.chance(88, 100) {
                three[rng.index(3)]
            } else {
                others[rng.index(3)]
            };
            b.students[i].disability = Some(k);
        }
    }
    let counted = |s: &Student| {
        s.disability.is_some_and(DisabilityKind::is_three_kinds)
            && (6..=14).contains(&s.age_on(sept))
            && s.in_school_on(sept)
    };
    let have = u64::try_from(b.students.iter().filter(|s| counted(s)).count()).unwrap_or(0);
    let need = usize::try_from(f::DISABLED_IN_SCHOOL.saturating_sub(have)).unwrap_or(0);
    let mut v: Vec<usize> = (0..b.students.len())
        .filter(|i| {
            let s = &b.students[*i];
            s.stage.is_compulsory()
                && s.status.is_in_school()
                && (6..=14).contains(&s.age_on(sept))
                && group(b, *i) != Group::Special
        })
        .collect();
    rng.shuffle(&mut v);
    let mut it = v.into_iter();
    for i in it.by_ref().take(need) {
        b.students[i].disability = Some(three[rng.index(3)]);
    }
    // Mainstream pupils with other kinds of disability.
    for i in it.by_ref().take(45) {
        b.students[i].disability = Some(others[rng.index(2)]);
    }
    // A few older junior students of the three kinds (aged 15 and over).
    let mut older: Vec<usize> = (0..b.students.len())
        .filter(|i| {
            let s = &b.students[*i];
            s.stage == Stage::Junior && s.status.is_in_school() && s.age_on(sept) >= 15 && s.disability.is_none()
        })
        .collect();
    rng.shuffle(&mut older);
    for i in older.into_iter().take(4) {
        b.students[i].disability = Some(three[rng.index(3)]);
    }
}

/// Records of students who dropped out or transferred out in the summer of
/// 2016, before school year 2016-17 began: kept in the register (控辍保学
/// 台账), in school on neither reference date.
fn add_earlier_leavers(rng: &mut SplitMix64, b: &mut Build) -> Result<(), Error> {
    let candidates: Vec<usize> = (0..b.plans.len())
        .filter(|i| {
            matches!(
                b.plans[*i].group,
                Group::Central
                    | Group::RuralJunior
                    | Group::NineYear
                    | Group::Village
                    | Group::UrbanJunior
                    | Group::Senior
            )
        })
        .collect();
    for k in 0..36u64 {
        let Some(&p) = rng.pick(&candidates) else {
            break;
        };
        let plan = &b.plans[p];
        let Some((stage, grades)) = plan.enrol.first() else {
            continue;
        };
        let stage = *stage;
        let grade = u8::try_from(rng.index(grades.len()) + 1).unwrap_or(1);
        let (birth, _, _) = dates_for(rng, plan.group, stage, grade);
        // A year older than this year's pupils of the grade: they were in it
        // in 2015-16.
        let birth = birth.checked_sub_days(Days::new(365)).unwrap_or(birth);
        let status = if k % 3 == 0 {
            EnrolmentStatus::TransferredOut
        } else {
            EnrolmentStatus::DroppedOut
        };
        let male = rng.chance(55, 100);
        b.students.push(Student {
            id: StudentId::new(format!("G{:09}", b.students.len() + 1))?,
            name: String::new(),
            sex: if male { Sex::Male } else { Sex::Female },
            birth_date: birth,
            school_id: plan.school.id.clone(),
            stage,
            grade,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: plan.township != 0 && rng.chance(2, 5),
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: None,
            status,
            status_since: plus_days(ymd(2016, 6, 15), rng.below(72)),
            helper: None,
        });
        b.meta.push(Meta {
            school: p,
            poor: false,
            extra: Extra::None,
            home: plan.township,
            household: None,
        });
    }
    Ok(())
}

fn mark_migrant(s: &mut Student, m: &mut Meta) {
    s.migrant = true;
    s.left_behind = false;
    s.hukou = Hukou::Rural;
    m.home = 0;
}

/// Step 4c: households. Registered-poor students of one home township are
/// grouped into households of one to three children (siblings); every
/// other status is a household of its own.
fn make_households(rng: &mut SplitMix64, b: &mut Build) -> Result<(), Error> {
    let mut by_town: Vec<Vec<usize>> = vec![Vec::new(); TOWNSHIPS.len() + 1];
    for (i, m) in b.meta.iter().enumerate() {
        if m.poor {
            by_town[m.home.min(TOWNSHIPS.len())].push(i);
        }
    }
    let mut next = 0usize;
    for town in &mut by_town {
        rng.shuffle(town);
        let mut k = 0;
        while k < town.len() {
            let size = match rng.below(100) {
                0..=64 => 1,
                65..=92 => 2,
                _ => 3,
            };
            let members: Vec<usize> = town.iter().skip(k).take(size).copied().collect();
            k += size;
            next += 1;
            let mut h = Household::new(HouseholdId::new(format!("H{next:07}"))?);
            let from = plus_days(ymd(2014, 10, 8), rng.below(630)); // to mid-2016
            let until = rng.chance(20, 100).then(|| plus_days(ymd(2017, 12, 20), rng.below(10)));
            h.add_status(StatusKind::RegisteredPoor, from, until)?;
            for i in members {
                b.meta[i].household = Some(b.households.len());
            }
            b.households.push(h);
        }
    }
    for i in 0..b.students.len() {
        let extra = b.meta[i].extra;
        if extra == Extra::None {
            continue;
        }
        next += 1;
        let mut h = Household::new(HouseholdId::new(format!("H{next:07}"))?);
        let birth = b.students[i].birth_date;
        let (kind, from, until) = match extra {
            Extra::LateRegistered => (StatusKind::RegisteredPoor, ymd(2017, 5, 10), None),
            Extra::Exited => (
                StatusKind::RegisteredPoor,
                plus_days(ymd(2014, 10, 8), rng.below(400)),
                Some(ymd(2016, 12, 28)),
            ),
            Extra::Dibao => (StatusKind::Dibao, plus_days(ymd(2012, 1, 1), rng.below(1600)), None),
            Extra::Hardship => (StatusKind::Hardship, ymd(2016, 9, 1), Some(ymd(2017, 9, 1))),
            Extra::Orphan => {
                let from = plus_days(birth.max(ymd(2006, 1, 1)), rng.below(2000)).min(ymd(2016, 6, 30));
                (StatusKind::Orphan, from, None)
            }
            Extra::DeFacto => (
                StatusKind::DeFactoUnsupported,
                plus_days(ymd(2015, 3, 1), rng.below(500)),
                None,
            ),
            Extra::Destitute => (StatusKind::Destitute, plus_days(ymd(2014, 1, 1), rng.below(900)), None),
            Extra::None => continue,
        };
        h.add_status(kind, from, until)?;
        b.meta[i].household = Some(b.households.len());
        b.households.push(h);
    }
    for i in 0..b.students.len() {
        if let Some(h) = b.meta[i].household {
            b.students[i].household_id = Some(b.households[h].id.clone());
            b.students[i].hukou = Hukou::Rural;
        }
    }
    Ok(())
}

/// Step 4d: names (siblings share a surname) and helpers for every student
/// of a household ever registered poor.
fn name_students(rng: &mut SplitMix64, b: &mut Build) {
    let surnames: Vec<&str> = (0..b.households.len()).map(|_| names::surname(rng)).collect();
    for i in 0..b.students.len() {
        let surname = match b.meta[i].household {
            Some(h) => surnames[h],
            None => names::surname(rng),
        };
        let female = b.students[i].sex == Sex::Female;
        b.students[i].name = names::child_name(rng, surname, female);
        let ever_poor = b.meta[i]
            .household
            .is_some_and(|h| !b.households[h].spells(StatusKind::RegisteredPoor).is_empty());
        if ever_poor {
            // One teacher helps up to four students of the school (一生一责任人).
            let p = &mut b.plans[b.meta[i].school];
            if p.helpers.is_empty() || rng.chance(1, 4) {
                p.helpers.push(names::adult_name(rng));
            }
            b.students[i].helper = p.helpers.last().cloned();
        }
    }
}

fn program(id: &str) -> Result<ProgramId, Error> {
    Ok(ProgramId::new(id)?)
}

/// Step 5: the aid paid, and the three planted faults.
fn pay(rng: &mut SplitMix64, b: &Build, fault: &FaultLeaver) -> Result<(Vec<Disbursement>, Vec<PlantedFault>), Error> {
    let spring = SchoolYear::new(2016)?.spring();
    let autumn = SchoolYear::new(2016)?.autumn();
    let on = spring.reference_date();
    let on_autumn = autumn.reference_date();
    let june = ymd(2017, 6, 1);
    let mut out = Vec::new();
    let mut faults = Vec::new();
    let status_on = |i: usize, kind: StatusKind, date: NaiveDate| {
        b.meta[i]
            .household
            .is_some_and(|h| b.households[h].has_status_on(kind, date))
    };
    // The unpaid student: a rural registered-poor primary pupil.
    let unpaid = (0..b.students.len()).find(|i| {
        let s = &b.students[*i];
        s.stage == Stage::Primary
            && b.meta[*i].poor
            && b.plans[b.meta[*i].school].township != 0
            && s.status.is_in_school()
    });
    // The duplicate: a registered-poor preschool child.
    let duplicate = (0..b.students.len())
        .rev()
        .find(|i| b.students[*i].stage == Stage::Preschool && b.meta[*i].poor && b.students[*i].status.is_in_school());
    let mut serial = 0u64;
    let mut push = |out: &mut Vec<Disbursement>,
                    i: usize,
                    prog: &str,
                    term: Term,
                    amount: i64,
                    paid_on: NaiveDate,
                    channel: Channel|
     -> Result<String, Error> {
        serial += 1;
        let id = format!("{}-{}-{serial:07}", term, prog);
        out.push(Disbursement {
            id: id.clone(),
            student_id: b.students[i].id.clone(),
            program: program(prog)?,
            term,
            amount: Money::yuan(amount),
            paid_on,
            channel,
        });
        Ok(id)
    };
    for (i, s) in b.students.iter().enumerate() {
        if !s.in_school_on(on) {
            continue;
        }
        let poor = status_on(i, StatusKind::RegisteredPoor, on);
        let jitter = rng.below(3);
        match s.stage {
            Stage::Primary | Stage::Junior if poor => {
                let amount = if s.stage == Stage::Primary { 500 } else { 625 };
                if Some(i) == unpaid {
                    faults.push(PlantedFault {
                        kind: FaultKind::Unpaid,
                        student_id: s.id.clone(),
                        program: program("living-subsidy")?,
                        term: spring,
                        amount: Money::yuan(amount),
                        payment_ids: Vec::new(),
                        description: format!(
                            "registered-poor primary pupil {} was owed the living subsidy and not paid",
                            s.id
                        ),
                    });
                    continue;
                }
                let id = push(
                    &mut out,
                    i,
                    "living-subsidy",
                    spring,
                    amount,
                    plus_days(ymd(2017, 3, 27), jitter),
                    Channel::BankCard,
                )?;
                if i == fault.index {
                    faults.push(PlantedFault {
                        kind: FaultKind::PaidAfterLeaving,
                        student_id: s.id.clone(),
                        program: program("living-subsidy")?,
                        term: spring,
                        amount: Money::yuan(amount),
                        payment_ids: vec![id],
                        description: format!(
                            "junior student {} transferred out on {} and was paid on {}",
                            s.id,
                            s.status_since,
                            plus_days(ymd(2017, 3, 27), jitter)
                        ),
                    });
                }
            }
            Stage::Preschool if poor => {
                let id = push(
                    &mut out,
                    i,
                    "preschool-aid",
                    spring,
                    500,
                    plus_days(ymd(2017, 3, 29), jitter),
                    Channel::BankCard,
                )?;
                if Some(i) == duplicate {
                    let again = push(
                        &mut out,
                        i,
                        "preschool-aid",
                        spring,
                        500,
                        ymd(2017, 4, 18),
                        Channel::BankCard,
                    )?;
                    faults.push(PlantedFault {
                        kind: FaultKind::DuplicatePayment,
                        student_id: s.id.clone(),
                        program: program("preschool-aid")?,
                        term: spring,
                        amount: Money::yuan(500),
                        payment_ids: vec![id, again],
                        description: format!("preschool child {} was paid the spring 2017 preschool aid twice", s.id),
                    });
                }
            }
            Stage::Senior => {
                let first = [
                    StatusKind::Orphan,
                    StatusKind::DeFactoUnsupported,
                    StatusKind::Destitute,
                ]
                .iter()
                .any(|k| status_on(i, *k, on));
                let second = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
                    .iter()
                    .any(|k| status_on(i, *k, on));
                let amount = if first {
                    1500
                } else if second {
                    1000
                } else {
                    0
                };
                if amount > 0 {
                    push(
                        &mut out,
                        i,
                        "senior-grant",
                        spring,
                        amount,
                        plus_days(ymd(2017, 3, 28), jitter),
                        Channel::BankCard,
                    )?;
                }
            }
            Stage::Vocational => {
                let status = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
                    .iter()
                    .any(|k| status_on(i, *k, on));
                if s.grade <= 2 && (status || s.agricultural_major) {
                    push(
                        &mut out,
                        i,
                        "vocational-grant",
                        spring,
                        1000,
                        plus_days(ymd(2017, 3, 30), jitter),
                        Channel::BankCard,
                    )?;
                }
                if poor && status_on(i, StatusKind::RegisteredPoor, on_autumn) && s.in_school_on(on_autumn) {
                    push(
                        &mut out,
                        i,
                        "rain-and-dew",
                        autumn,
                        1000,
                        plus_days(ymd(2016, 11, 16), jitter),
                        Channel::BankCard,
                    )?;
                    push(
                        &mut out,
                        i,
                        "rain-and-dew",
                        spring,
                        1500,
                        plus_days(ymd(2017, 4, 3), jitter),
                        Channel::BankCard,
                    )?;
                }
            }
            _ => {}
        }
    }
    // Nutrition plan, first batch: 22 school days at 4元 in June 2017, in kind.
    for (i, s) in b.students.iter().enumerate() {
        let school = &b.plans[b.meta[i].school].school;
        if s.in_school_on(june) && school.nutrition_plan_from == Some(june) {
            push(&mut out, i, "nutrition", spring, 88, ymd(2017, 6, 30), Channel::InKind)?;
        }
    }
    Ok((out, faults))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn apportion_is_exact_and_fair(total in 0u64..1_000_000, weights in proptest::collection::vec(0u64..10_000, 1..40)) {
            let out = apportion(total, &weights);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            let sum: u64 = weights.iter().sum();
            if sum > 0 {
                for (o, w) in out.iter().zip(&weights) {
                    // Within one of the exact quota.
                    let exact = u128::from(total) * u128::from(*w);
                    let lo = exact / u128::from(sum);
                    prop_assert!(u128::from(*o) == lo || u128::from(*o) == lo + 1);
                }
            }
        }

        #[test]
        fn apportion_capped_respects_caps(total in 0u64..5_000, caps in proptest::collection::vec(0u64..500, 1..20)) {
            let room: u64 = caps.iter().sum();
            let total = total.min(room);
            let weights: Vec<u64> = caps.iter().map(|c| c * 3 + 1).collect();
            let out = apportion_capped(total, &weights, &caps);
            prop_assert_eq!(out.iter().sum::<u64>(), total);
            for (o, c) in out.iter().zip(&caps) {
                prop_assert!(o <= c);
            }
        }
    }

    #[test]
    fn the_plan_has_265_rural_compulsory_schools() {
        let mut rng = SplitMix64::new(SEED);
        let plans = make_schools(&mut rng).unwrap();
        let rural = plans
            .iter()
            .filter(|p| {
                p.school.locality == Locality::Rural && p.school.kind.stages().iter().any(|s| s.is_compulsory())
            })
            .count();
        assert_eq!(rural, 265);
        let june = plans
            .iter()
            .filter(|p| p.school.nutrition_plan_from == Some(ymd(2017, 6, 1)))
            .count();
        assert_eq!(june, 178);
        // Every teaching point hands its pupils to a central primary.
        for p in plans.iter().filter(|p| p.group == Group::TeachingPoint) {
            let host = p.host.map(|h| plans[h].group);
            assert_eq!(host, Some(Group::Central));
        }
    }
}

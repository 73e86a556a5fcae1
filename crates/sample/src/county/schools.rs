//! Steps 1 and 2: the schools of the plan, and their enrolment per grade.

use super::*;
use crate::convert::clamped;
use Ownership::{Private, Public};

/// The numerals of the urban schools' names (第一 … 第六).
const NUMERALS: &[&str] = &["一", "二", "三", "四", "五", "六"];
/// The kindergartens' names: the urban district's in order, the
/// townships' drawn.
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

/// What stands for `{x}` in a row's name.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// Nothing: the name has no `{x}`.
    Nothing,
    /// The numeral of the school within its row: 一, 二, 三 …
    Numeral,
    /// The urban kindergarten name of this index.
    Kindergarten(usize),
    /// A kindergarten name drawn at random.
    DrawnKindergarten,
    /// A village name drawn at random, distinct within the township.
    Village,
}

/// When a row's schools join the nutrition plan.
#[derive(Debug, Clone, Copy)]
enum Joins {
    /// Never (the urban district, senior schools, kindergartens).
    Never,
    /// On 2017-06-01.
    June,
    /// On 2017-09-01.
    September,
    /// The first five of the row on 2017-06-01, the rest on 2017-09-01.
    FirstFiveInJune,
    /// Four in every nine of all such schools of the county, counted across
    /// townships, on 2017-06-01; the others on 2017-09-01.
    FourInNine,
}

/// Which rural townships (numbered from 1) have a row's schools.
#[derive(Debug, Clone, Copy)]
enum Towns {
    /// Every township.
    Every,
    /// Townships 1 to this one.
    UpTo(usize),
    /// These townships.
    Only(&'static [usize]),
}

impl Towns {
    fn has(self, t: usize) -> bool {
        match self {
            Towns::Every => true,
            Towns::UpTo(n) => t <= n,
            Towns::Only(ts) => ts.contains(&t),
        }
    }
}

/// One row of the plan: `count` schools of one group, named from a
/// pattern in which `{town}` is the township, `{county}` the county and
/// `{x}` the row's [`Part`].
#[derive(Debug, Clone, Copy)]
struct Row {
    count: usize,
    name: &'static str,
    part: Part,
    group: Group,
    ownership: Ownership,
    /// Annual tuition in yuan.
    tuition: Option<i64>,
    joins: Joins,
}

const fn row(
    count: usize,
    name: &'static str,
    part: Part,
    group: Group,
    ownership: Ownership,
    tuition: Option<i64>,
    joins: Joins,
) -> Row {
    Row {
        count,
        name,
        part,
        group,
        ownership,
        tuition,
        joins,
    }
}

/// The urban district's schools, in the order their ids are given, before
/// its kindergartens ([`URBAN_KINDERGARTENS`]).
#[rustfmt::skip]
const URBAN: &[Row] = &[
    row(5, "城关镇第{x}完全小学", Part::Numeral, Group::UrbanPublicPrimary, Public, None, Joins::Never),
    row(1, "育才实验小学", Part::Nothing, Group::UrbanPrivatePrimary, Private, Some(9000), Joins::Never),
    row(5, "城关镇第{x}初级中学", Part::Numeral, Group::UrbanJunior, Public, None, Joins::Never),
    row(3, "{county}第{x}中学", Part::Numeral, Group::Senior, Public, Some(1300), Joins::Never),
    row(1, "{county}博雅高级中学", Part::Nothing, Group::Senior, Private, Some(8000), Joins::Never),
    row(1, "{county}职业中专学校", Part::Nothing, Group::Vocational, Public, Some(2000), Joins::Never),
    row(1, "{county}机关幼儿园", Part::Nothing, Group::KgPublic, Public, Some(1600), Joins::Never),
];

/// The urban district's private kindergartens: this many, inclusive
/// (普惠) and not by turns, the first inclusive.
const URBAN_KINDERGARTENS: usize = 11;

/// The urban private kindergarten of index `i`.
fn urban_kindergarten(i: usize) -> Row {
    if i % 2 == 0 {
        row(
            1,
            "城关镇{x}幼儿园",
            Part::Kindergarten(i),
            Group::KgInclusive,
            Private,
            Some(2400),
            Joins::Never,
        )
    } else {
        row(
            1,
            "城关镇{x}幼儿园",
            Part::Kindergarten(i),
            Group::KgNonInclusive,
            Private,
            Some(6000),
            Joins::Never,
        )
    }
}

/// Each rural township's schools, in order: 18 central primaries, 18
/// juniors, 12 nine-year schools, 126 village primaries, 90 teaching
/// points and the special school make the 265 rural compulsory schools;
/// 178 of them join the nutrition plan on 2017-06-01, the other 87 on
/// 2017-09-01.
#[rustfmt::skip]
const TOWNSHIP: &[(Towns, Row)] = &[
    (Towns::Every, row(1, "{town}中心小学", Part::Nothing, Group::Central, Public, None, Joins::June)),
    (Towns::Every, row(1, "{town}中学", Part::Nothing, Group::RuralJunior, Public, None, Joins::June)),
    (Towns::UpTo(12), row(1, "{town}{x}学校", Part::Village, Group::NineYear, Public, None, Joins::June)),
    (Towns::Every, row(7, "{town}{x}村小学", Part::Village, Group::Village, Public, None, Joins::FirstFiveInJune)),
    (Towns::Every, row(5, "{town}{x}教学点", Part::Village, Group::TeachingPoint, Public, None, Joins::FourInNine)),
    (Towns::Only(&[1]), row(1, "{county}特殊教育学校", Part::Nothing, Group::Special, Public, None, Joins::September)),
    (Towns::Only(&[1, 8]), row(1, "{town}高级中学", Part::Nothing, Group::Senior, Public, Some(1100), Joins::Never)),
    (Towns::Every, row(1, "{town}中心幼儿园", Part::Nothing, Group::KgPublic, Public, Some(1200), Joins::Never)),
    (Towns::Every, row(1, "{town}{x}幼儿园", Part::DrawnKindergarten, Group::KgInclusive, Private, Some(1800), Joins::Never)),
    (Towns::Every, row(1, "{town}{x}双语幼儿园", Part::DrawnKindergarten, Group::KgNonInclusive, Private, Some(4200), Joins::Never)),
];

/// The kind of school a group's schools are.
fn kind_of(group: Group) -> SchoolKind {
    match group {
        Group::UrbanPublicPrimary | Group::UrbanPrivatePrimary | Group::Central | Group::Village => SchoolKind::Primary,
        Group::UrbanJunior | Group::RuralJunior => SchoolKind::Junior,
        Group::NineYear => SchoolKind::NineYear,
        Group::TeachingPoint => SchoolKind::TeachingPoint,
        Group::Special => SchoolKind::Special,
        Group::KgPublic | Group::KgInclusive => SchoolKind::KindergartenInclusive,
        Group::KgNonInclusive => SchoolKind::KindergartenNonInclusive,
        Group::Senior => SchoolKind::Senior,
        Group::Vocational => SchoolKind::Vocational,
    }
}

/// The schools of the plan as they are made: ids numbered per township,
/// village names distinct within a township, teaching points handed to
/// their township's central primary.
struct Schools {
    plans: Vec<Plan>,
    seq: [usize; 19],
    /// Teaching points made so far, county-wide ([`Joins::FourInNine`]).
    teaching_points: usize,
}

impl Schools {
    /// Make the schools of `row` in township `township` (0: the urban
    /// district).
    fn add_row(
        &mut self,
        rng: &mut SplitMix64,
        township: usize,
        row: &Row,
        villages: &mut Vec<String>,
    ) -> Result<(), Error> {
        let (town, locality) = match township.checked_sub(1) {
            None => (URBAN_DISTRICT, Locality::Urban),
            Some(t) => (TOWNSHIPS[t], Locality::Rural),
        };
        for k in 0..row.count {
            let x = match row.part {
                Part::Nothing => String::new(),
                Part::Numeral => NUMERALS.get(k).copied().unwrap_or_default().to_string(),
                Part::Kindergarten(i) => KG_NAMES.get(i).copied().unwrap_or_default().to_string(),
                Part::DrawnKindergarten => rng.pick(KG_NAMES).copied().unwrap_or("春苗").to_string(),
                Part::Village => distinct_village(rng, villages),
            };
            let name = row
                .name
                .replace("{town}", town)
                .replace("{county}", COUNTY_NAME)
                .replace("{x}", &x);
            let nutrition = match row.joins {
                Joins::Never => None,
                Joins::June => Some(ymd(2017, 6, 1)),
                Joins::September => Some(ymd(2017, 9, 1)),
                Joins::FirstFiveInJune => Some(if k < 5 { ymd(2017, 6, 1) } else { ymd(2017, 9, 1) }),
                Joins::FourInNine => {
                    let june = self.teaching_points % 9 < 4;
                    self.teaching_points += 1;
                    Some(if june { ymd(2017, 6, 1) } else { ymd(2017, 9, 1) })
                }
            };
            self.seq[township] += 1;
            let mut school = School::new(
                school_id(township, self.seq[township])?,
                name,
                kind_of(row.group),
                row.ownership,
                town,
                locality,
            );
            school.nutrition_plan_from = nutrition;
            school.annual_tuition = row.tuition.map(Money::yuan);
            self.plans.push(Plan {
                school,
                group: row.group,
                township,
                enrol: Vec::new(),
                host: None,
                helpers: Vec::new(),
            });
        }
        Ok(())
    }
}

/// A village name not yet in `villages` (324 names to draw from; after 100
/// draws the last is taken), recorded there.
fn distinct_village(rng: &mut SplitMix64, villages: &mut Vec<String>) -> String {
    let mut v = names::village(rng);
    for _ in 0..100 {
        if !villages.contains(&v) {
            break;
        }
        v = names::village(rng);
    }
    villages.push(v.clone());
    v
}

/// Step 1: the schools, from the tables [`URBAN`], [`URBAN_KINDERGARTENS`]
/// and [`TOWNSHIP`].
pub(super) fn make_schools(rng: &mut SplitMix64) -> Result<Vec<Plan>, Error> {
    let mut s = Schools {
        plans: Vec::new(),
        seq: [0; 19],
        teaching_points: 0,
    };
    for r in URBAN
        .iter()
        .copied()
        .chain((0..URBAN_KINDERGARTENS).map(urban_kindergarten))
    {
        s.add_row(rng, 0, &r, &mut Vec::new())?;
    }
    for t in 1..=TOWNSHIPS.len() {
        let mut villages = Vec::new();
        let first = s.plans.len();
        for (towns, r) in TOWNSHIP {
            if towns.has(t) {
                s.add_row(rng, t, r, &mut villages)?;
            }
        }
        let central = (first..s.plans.len()).find(|i| s.plans[*i].group == Group::Central);
        for p in &mut s.plans[first..] {
            if p.group == Group::TeachingPoint {
                p.host = central;
            }
        }
    }
    Ok(s.plans)
}

/// Per-grade weights with a little noise (per mille of an even share).
pub(super) fn grade_split(rng: &mut SplitMix64, total: u64, grades: u8, base: &[u64]) -> Vec<u64> {
    let weights: Vec<u64> = (0..usize::from(grades))
        .map(|g| base.get(g).copied().unwrap_or(100) * rng.range(92, 108))
        .collect();
    apportion(total, &weights)
}

pub(super) fn noisy(rng: &mut SplitMix64, w: u64) -> u64 {
    w * rng.range(75, 125)
}

/// Step 2: enrolment per school and grade.
pub(super) fn allocate_enrolment(rng: &mut SplitMix64, plans: &mut [Plan]) {
    let primary_first = allocate_primary(rng, plans);
    allocate_junior(rng, plans, primary_first);
    allocate_preschool(rng, plans);
    allocate_senior_and_vocational(rng, plans);
}

/// True for a school of the nutrition plan's first batch (from 2017-06-01).
fn first_batch(p: &Plan) -> bool {
    p.school.nutrition_plan_from == Some(ymd(2017, 6, 1))
}

/// The weight of a rural primary school in the rural pupils' share (0 for
/// the others).
fn rural_primary_weight(g: Group, first_batch: bool) -> u64 {
    use Group as G;
    match (g, first_batch) {
        (G::Central, _) => 800,
        (G::NineYear, _) => 420,
        (G::Village, true) => 200,
        (G::Village, false) => 160,
        (G::TeachingPoint, true) => 48,
        (G::TeachingPoint, false) => 30,
        _ => 0,
    }
}

/// The weight of a kindergarten in the county's preschool children (0 for
/// the other schools).
fn kindergarten_weight(p: &Plan) -> u64 {
    use Group as G;
    match (p.group, p.township) {
        (G::KgPublic, 0) => 900,
        (G::KgPublic, _) => 420,
        (G::KgInclusive, 0) => 400,
        (G::KgNonInclusive, 0) => 350,
        (G::KgInclusive, _) => 200,
        (G::KgNonInclusive, _) => 180,
        _ => 0,
    }
}

/// Primary pupils: the urban schools' figures, then the rest over the
/// rural schools. Returns the pupils of the nutrition plan's first batch.
fn allocate_primary(rng: &mut SplitMix64, plans: &mut [Plan]) -> u64 {
    use Group as G;
    let primary_grades = [104u64, 102, 100, 99, 98, 97];
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
    let rural: Vec<usize> = idx(plans, |p| rural_primary_weight(p.group, first_batch(p)) > 0);
    let w: Vec<u64> = rural
        .iter()
        .map(|i| noisy(rng, rural_primary_weight(plans[*i].group, first_batch(&plans[*i]))))
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
            if first_batch(p) {
                primary_first += totals[i];
            }
        }
    }
    primary_first
}

/// Junior students: the first batch's junior students make its 53675 on
/// 2017-06-01 together with its `primary_first` pupils, allowing for the
/// early leavers; the urban juniors take the rest.
fn allocate_junior(rng: &mut SplitMix64, plans: &mut [Plan], primary_first: u64) {
    use Group as G;
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
}

/// Preschool children over the kindergartens.
fn allocate_preschool(rng: &mut SplitMix64, plans: &mut [Plan]) {
    let kgs: Vec<usize> = idx(plans, |p| kindergarten_weight(p) > 0);
    let w: Vec<u64> = kgs
        .iter()
        .map(|i| noisy(rng, kindergarten_weight(&plans[*i])))
        .collect();
    for (i, n) in kgs.iter().zip(apportion(f::PRESCHOOL, &w)) {
        let split = grade_split(rng, n, 3, &[96, 100, 104]);
        plans[*i].enrol.push((Stage::Preschool, split));
    }
}

/// General senior students over the senior schools, and the vocational
/// school's students.
fn allocate_senior_and_vocational(rng: &mut SplitMix64, plans: &mut [Plan]) {
    use Group as G;
    let seniors: Vec<usize> = idx(plans, |p| p.group == G::Senior);
    let w: Vec<u64> = seniors
        .iter()
        .map(|i| match (plans[*i].township, plans[*i].school.ownership) {
            (0, Ownership::Private) => 100,
            (0, _) => 450 - 50 * clamped::<_, u64>(*i % 4),
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

pub(super) fn idx(plans: &[Plan], pred: impl Fn(&Plan) -> bool) -> Vec<usize> {
    plans
        .iter()
        .enumerate()
        .filter(|(_, p)| pred(p))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! A tiny roster builder for the tests.

use chrono::NaiveDate;
use eduaid_model::*;

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn school(id: &str, kind: SchoolKind, locality: Locality, plan: Option<&str>) -> School {
    let mut s = School::new(
        SchoolId::new(id).unwrap(),
        format!("学校{id}"),
        kind,
        Ownership::Public,
        format!("镇{}", &id[..1]),
        locality,
    );
    s.nutrition_plan_from = plan.map(d);
    s
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn student(
    id: &str,
    school: &str,
    stage: Stage,
    grade: u8,
    boarder: bool,
    household: Option<&str>,
) -> Student {
    Student {
        id: StudentId::new(id).unwrap(),
        name: format!("学生{id}"),
        sex: Sex::Male,
        birth_date: d("2005-01-01"),
        school_id: SchoolId::new(school).unwrap(),
        stage,
        grade,
        boarder,
        disability: None,
        migrant: false,
        left_behind: false,
        hukou: Hukou::Rural,
        agricultural_major: false,
        household_id: household.map(|h| HouseholdId::new(h).unwrap()),
        status: EnrolmentStatus::Enrolled,
        status_since: d("2012-09-01"),
        helper: None,
    }
}

pub(crate) fn household(id: &str, spells: &[(StatusKind, &str)]) -> Household {
    let mut h = Household::new(HouseholdId::new(id).unwrap());
    for (k, from) in spells {
        h.add_status(*k, d(from), None).unwrap();
    }
    h
}

/// A small county: a rural primary in the plan from 2017-06-01, a rural
/// junior, an urban primary, a kindergarten of each kind, a senior high and
/// a vocational school, with students of every status.
pub(crate) fn small_county() -> MemoryRoster {
    let mut r = MemoryRoster::new().with_batch_size(3);
    for s in [
        school("A1", SchoolKind::Primary, Locality::Rural, Some("2017-06-01")),
        school("A2", SchoolKind::Junior, Locality::Rural, Some("2012-09-01")),
        school("B1", SchoolKind::Primary, Locality::Urban, None),
        school("C1", SchoolKind::KindergartenInclusive, Locality::Rural, None),
        school("C2", SchoolKind::KindergartenNonInclusive, Locality::Urban, None),
        school("D1", SchoolKind::Senior, Locality::Urban, None),
        school("E1", SchoolKind::Vocational, Locality::Urban, None),
    ] {
        r.add_school(s).unwrap();
    }
    let hs = [
        household("RP", &[(StatusKind::RegisteredPoor, "2015-10-01")]),
        household("LATE", &[(StatusKind::RegisteredPoor, "2017-05-10")]),
        household("DB", &[(StatusKind::Dibao, "2014-01-01")]),
        household("OR", &[(StatusKind::Orphan, "2010-01-01")]),
        household("HS", &[(StatusKind::Hardship, "2016-01-01")]),
    ];
    for h in hs {
        r.add_household(h).unwrap();
    }
    let mut students = vec![
        student("S01", "A1", Stage::Primary, 3, false, Some("RP")),
        student("S02", "A1", Stage::Primary, 4, true, Some("RP")),
        student("S03", "A1", Stage::Primary, 5, false, None),
        student("S04", "A1", Stage::Primary, 1, false, Some("LATE")),
        student("S05", "A2", Stage::Junior, 2, false, Some("RP")),
        student("S06", "A2", Stage::Junior, 3, true, Some("DB")),
        student("S07", "B1", Stage::Primary, 2, false, Some("RP")),
        student("S08", "C1", Stage::Preschool, 2, false, Some("HS")),
        student("S09", "C2", Stage::Preschool, 3, false, Some("RP")),
        student("S10", "D1", Stage::Senior, 1, false, Some("OR")),
        student("S11", "D1", Stage::Senior, 2, false, Some("DB")),
        student("S12", "E1", Stage::Vocational, 1, false, Some("RP")),
        student("S13", "E1", Stage::Vocational, 3, false, Some("RP")),
    ];
    let mut left = student("S14", "A2", Stage::Junior, 1, true, Some("RP"));
    left.status = EnrolmentStatus::DroppedOut;
    left.status_since = d("2017-04-20");
    students.push(left);
    let mut agri = student("S15", "E1", Stage::Vocational, 2, false, None);
    agri.agricultural_major = true;
    students.push(agri);
    for s in students {
        r.add_student(s).unwrap();
    }
    r
}

pub(crate) fn term(s: &str) -> Term {
    s.parse().unwrap()
}

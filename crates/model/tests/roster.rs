//! The roster trait's defaults agree with the in-memory roster's overrides.

use std::borrow::Cow;

use eduaid_model::*;

fn roster() -> MemoryRoster {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let mut r = MemoryRoster::new().with_batch_size(2);
    for (id, kind) in [
        ("S2", SchoolKind::Primary),
        ("S1", SchoolKind::Junior),
        ("S3", SchoolKind::Primary),
    ] {
        r.add_school(School::new(
            SchoolId::new(id).unwrap(),
            id,
            kind,
            Ownership::Public,
            "甲镇",
            Locality::Rural,
        ))
        .unwrap();
    }
    for (i, (school, stage)) in [("S2", Stage::Primary), ("S1", Stage::Junior), ("S2", Stage::Primary)]
        .iter()
        .enumerate()
    {
        r.add_student(Student {
            id: StudentId::new(format!("P{i}")).unwrap(),
            name: format!("学生{i}"),
            sex: Sex::Male,
            birth_date: d("2006-01-01"),
            school_id: SchoolId::new(*school).unwrap(),
            stage: *stage,
            grade: 1,
            boarder: false,
            disability: None,
            migrant: false,
            left_behind: false,
            hukou: Hukou::Rural,
            agricultural_major: false,
            household_id: None,
            status: EnrolmentStatus::Enrolled,
            status_since: d("2016-09-01"),
            helper: None,
        })
        .unwrap();
    }
    r
}

/// A roster that implements only the three required methods.
struct Minimal(MemoryRoster);

impl Roster for Minimal {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        self.0.visit_students(visit)
    }
    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        self.0.school(id)
    }
    fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        self.0.household(id)
    }
}

#[test]
fn defaults_answer_what_the_overrides_answer() {
    let full = roster();
    let minimal = Minimal(roster());
    assert_eq!(minimal.student_count().unwrap(), 3);
    let id = StudentId::new("P1").unwrap();
    assert_eq!(minimal.student(&id).unwrap(), full.student(&id).unwrap());
    assert_eq!(minimal.student(&StudentId::new("nobody").unwrap()).unwrap(), None);

    let mut by_default = Vec::new();
    minimal
        .visit_schools(&mut |s| by_default.push(s.id.to_string()))
        .unwrap();
    assert_eq!(
        by_default,
        ["S2", "S1"],
        "schools of students, in order of first appearance"
    );
    let mut overridden = Vec::new();
    full.visit_schools(&mut |s| overridden.push(s.id.to_string())).unwrap();
    assert_eq!(
        overridden,
        ["S1", "S2", "S3"],
        "every school, by id, including S3 with no students"
    );
    // Through a reference and a box too.
    let boxed: Box<dyn Roster> = Box::new(roster());
    assert_eq!(boxed.student_count().unwrap(), 3);
    let by_ref: &dyn Roster = &full;
    assert_eq!(by_ref.student_count().unwrap(), 3);
}

#[test]
fn money_limits_are_where_checked_arithmetic_stops() {
    assert_eq!(Money::MAX.checked_add(Money::from_fen(1)), None);
    assert_eq!(Money::MIN.checked_sub(Money::from_fen(1)), None);
    assert_eq!(Money::checked_sum([Money::MAX, Money::yuan(1)]), None);
    assert_eq!(
        Money::checked_sum([Money::yuan(1), Money::yuan(2)]),
        Some(Money::yuan(3))
    );
}

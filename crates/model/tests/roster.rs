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
    let mut h = Household::new(HouseholdId::new("H1").unwrap());
    h.add_status(StatusKind::RegisteredPoor, d("2015-01-01"), None).unwrap();
    r.add_household(h).unwrap();
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
            household_id: (i != 1).then(|| HouseholdId::new("H1").unwrap()),
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

type Link = (String, Result<(String, usize), String>, Result<Option<String>, String>);

fn links(r: &dyn Roster, stop_after: usize) -> Vec<Link> {
    let mut out = Vec::new();
    r.visit_linked(&mut |l| {
        out.push((
            l.student.id.to_string(),
            l.school
                .map(|(no, s)| (s.id.to_string(), no))
                .map_err(|e| e.to_string()),
            l.household
                .map(|h| h.map(|h| h.id.to_string()))
                .map_err(|e| e.to_string()),
        ));
        if out.len() == stop_after {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    })
    .unwrap();
    out
}

#[test]
fn linked_visits_agree_with_lookups_by_id() {
    let full = roster();
    let minimal = Minimal(roster());
    for r in [&full as &dyn Roster, &minimal] {
        let got = links(r, usize::MAX);
        let ids: Vec<_> = got
            .iter()
            .map(|(s, sc, h)| (s.as_str(), sc.as_ref().unwrap().0.as_str(), h.clone().unwrap()))
            .collect();
        assert_eq!(
            ids,
            [
                ("P0", "S2", Some("H1".to_string())),
                ("P1", "S1", None),
                ("P2", "S2", Some("H1".to_string()))
            ]
        );
        // One number per school, distinct between schools, small.
        let no: Vec<usize> = got.iter().map(|(_, sc, _)| sc.as_ref().unwrap().1).collect();
        assert_eq!(no[0], no[2]);
        assert_ne!(no[0], no[1]);
        assert!(no.iter().all(|n| *n < 3), "{no:?}");
        // A break stops the visit.
        assert_eq!(links(r, 2).len(), 2);
    }
}

/// A roster that has lost school S1 and household H1.
struct Broken(MemoryRoster);

impl Roster for Broken {
    fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
        self.0.visit_students(visit)
    }
    fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
        if id.as_str() == "S1" {
            Ok(None)
        } else {
            self.0.school(id)
        }
    }
    fn household(&self, _: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
        Err(RosterError::Backend("household table is locked".into()))
    }
}

#[test]
fn a_linked_visit_reports_a_missing_school_or_household_with_the_student() {
    let got = links(&Broken(roster()), usize::MAX);
    assert_eq!(got.len(), 3, "every student is visited");
    assert_eq!(got[1].1, Err("student P1 refers to unknown school S1".to_string()));
    assert_eq!(got[1].2, Ok(None));
    assert_eq!(
        got[0].2,
        Err("roster backend failed: household table is locked".to_string())
    );
    assert_eq!(got[0].1.as_ref().map(|x| x.0.as_str()), Ok("S2"));
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

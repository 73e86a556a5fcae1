//! Builders shared by the topic files.

use eduaid_model::{
    Class, GradeCount, Locality, Ownership, PovertyGroup, School, SchoolId, SchoolKind, SchoolYear, Sex, Stage,
};

/// A school year.
pub(crate) fn y(n: i32) -> SchoolYear {
    SchoolYear::new(n).unwrap()
}

/// A grade record with only enrolment set.
pub(crate) fn cell(year: i32, stage: Stage, grade: u8, enrolled: u64) -> GradeCount {
    GradeCount {
        year: y(year),
        school_id: SchoolId::new("S1").unwrap(),
        township: "城关镇".into(),
        locality: Locality::Urban,
        stage,
        grade,
        sex: Sex::Female,
        poverty: PovertyGroup::Other,
        enrolled,
        new_entrants: 0,
        repeaters: 0,
        graduates: 0,
        transfers_in: 0,
        transfers_out: 0,
        dropouts: 0,
        deaths: 0,
        temporary_in: 0,
        suspended: 0,
        other_in: 0,
        other_out: 0,
    }
}

/// A primary school with the given class sizes in one year.
pub(crate) fn school_with_classes(id: &str, year: i32, ownership: Ownership, sizes: &[u32]) -> School {
    let mut s = School::new(
        SchoolId::new(id).unwrap(),
        format!("{id}小学"),
        SchoolKind::Primary,
        ownership,
        "城关镇",
        Locality::Urban,
    );
    s.classes = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| Class::new(y(year), Stage::Primary, u8::try_from(i % 6 + 1).unwrap(), *n).unwrap())
        .collect();
    s
}

/// `total` pupils spread over `classes` classes as evenly as possible.
pub(crate) fn even_sizes(total: u32, classes: u32) -> Vec<u32> {
    (0..classes)
        .map(|i| total / classes + u32::from(i < total % classes))
        .collect()
}

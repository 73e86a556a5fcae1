//! Test doubles: grade records built by hand.

use eduaid_model::{GradeCount, Locality, PovertyGroup, SchoolId, SchoolYear, Sex, Stage};

/// A grade record of school J1 (junior) or P1 (primary) in 城关镇, female,
/// other poverty group, everything zero but enrolment.
pub(crate) fn cell(year: i32, stage: Stage, grade: u8, enrolled: u64) -> GradeCount {
    GradeCount {
        year: SchoolYear::new(year).unwrap(),
        school_id: SchoolId::new(if stage == Stage::Junior { "J1" } else { "P1" }).unwrap(),
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

/// A junior cohort entering in `intake_year` with `intake` new entrants,
/// `tin` transfers in and `tout` out spread over its three years, and
/// `graduates` at the end.
pub(crate) fn junior_cohort(
    intake_year: i32,
    intake: u64,
    tin: [u64; 3],
    tout: [u64; 3],
    graduates: u64,
) -> Vec<GradeCount> {
    (0..3u8)
        .map(|k| {
            let mut c = cell(intake_year + i32::from(k), Stage::Junior, k + 1, intake);
            if k == 0 {
                c.new_entrants = intake;
            }
            if k == 2 {
                c.graduates = graduates;
            }
            c.transfers_in = tin[usize::from(k)];
            c.transfers_out = tout[usize::from(k)];
            c
        })
        .collect()
}

//! The report's figure keys (数据项): every figure the county report can
//! produce, the section that produces it, and how the default template
//! uses it. The keys join the facade (which computes the figures) and the
//! template (which names them); a test builds the sample county's report
//! and checks both ways that every key the template names is produced (or
//! given: a word, a setting, a cited figure) and every figure produced is
//! printed or listed here as not printed, with the reason.

/// How the default template uses a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Use {
    /// Printed whenever the figure is there.
    Printed,
    /// Printed only in some cases (an alternative wording, a difference
    /// that exists only when some students were in school for part of the
    /// days, a payment channel the county used).
    Sometimes,
    /// Not printed: it checks another figure (a standard an amount must be
    /// the product of).
    Check,
    /// Not printed by the default template: in the data for a county's own
    /// template and the working paper.
    Unused,
}

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Computed from the county's records by a section of this module.
    Computed,
    /// Cited from another document ([`cited_figure`](super::cited_figure)).
    Cited,
    /// A setting the caller gives (`--set fee_meeting_date=…`).
    Setting,
}

/// One figure key of the county report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FigureKey {
    /// The key, as templates and relations name it.
    pub key: &'static str,
    /// The section (file of this module) that produces it.
    pub section: &'static str,
    /// Where it comes from.
    pub origin: Origin,
    /// How the default template uses it.
    pub used: Use,
}

/// A computed key.
const fn k(key: &'static str, section: &'static str, used: Use) -> FigureKey {
    FigureKey {
        key,
        section,
        origin: Origin::Computed,
        used,
    }
}

/// A cited key.
const fn cited(key: &'static str, used: Use) -> FigureKey {
    FigureKey {
        key,
        section: "cited",
        origin: Origin::Cited,
        used,
    }
}

use Use::{Check, Printed, Sometimes};

/// Every figure key of the county report, by section.
pub const FIGURE_KEYS: &[FigureKey] = &[
    k("report_date", "gather", Printed),
    // enrolment
    k("students_preschool", "enrolment", Printed),
    k("students_primary", "enrolment", Printed),
    k("students_junior", "enrolment", Printed),
    k("students_senior_stage", "enrolment", Printed),
    k("students_total", "enrolment", Printed),
    k("poor_students_total", "enrolment", Printed),
    k("poor_students_with_helper", "enrolment", Printed),
    k("helper_coverage", "enrolment", Printed),
    // Printed only when no cited teacher figures are given.
    k("teachers_total", "enrolment", Sometimes),
    // retention
    // The second and third years are printed unless all three are the same
    // (均为100%).
    k("retention_primary_y1", "retention", Printed),
    k("retention_primary_y2", "retention", Sometimes),
    k("retention_primary_y3", "retention", Sometimes),
    k("retention_junior_y1", "retention", Printed),
    k("retention_junior_y2", "retention", Sometimes),
    k("retention_junior_y3", "retention", Sometimes),
    k("retention_junior_standard", "retention", Printed),
    k("disabled_total", "retention", Printed),
    k("disabled_in_school", "retention", Printed),
    k("disabled_enrolment_rate", "retention", Printed),
    k("disabled_standard", "retention", Printed),
    k("migrant_children", "retention", Printed),
    k("urban_primary_pupils", "retention", Printed),
    k("migrant_share", "retention", Printed),
    k("rural_schools", "retention", Printed),
    // class sizes
    k("urban_classes_before", "class_sizes", Printed),
    k("urban_classes_after", "class_sizes", Printed),
    k("urban_public_pupils", "class_sizes", Printed),
    k("class_size_before", "class_sizes", Printed),
    k("class_size_after", "class_sizes", Printed),
    k("class_cap_primary", "class_sizes", Printed),
    k("class_cap_junior", "class_sizes", Printed),
    // nutrition plan's batches
    k("nutrition_start_date", "nutrition", Printed),
    k("nutrition_second_date", "nutrition", Printed),
    k("nutrition_schools_first", "nutrition", Printed),
    k("nutrition_students_first", "nutrition", Printed),
    k("nutrition_schools_second", "nutrition", Printed),
    k("nutrition_students_second", "nutrition", Printed),
    // aid
    k("living_subsidy_students", "aid", Printed),
    k("living_subsidy_primary", "aid", Printed),
    k("living_subsidy_junior", "aid", Printed),
    k("living_subsidy_primary_standard", "aid", Printed),
    k("living_subsidy_junior_standard", "aid", Printed),
    k("living_subsidy_amount", "aid", Printed),
    k("nutrition_daily", "aid", Printed),
    k("nutrition_days", "aid", Printed),
    k("nutrition_amount", "aid", Printed),
    // Only when some students were in school for part of the days.
    k("nutrition_full_amount", "aid", Sometimes),
    k("nutrition_part_days_reduction", "aid", Sometimes),
    k("preschool_aid_standard", "aid", Printed),
    k("preschool_aid_students", "aid", Printed),
    k("preschool_aid_amount", "aid", Printed),
    k("senior_grant_students", "aid", Printed),
    k("senior_grant_tier1", "aid", Printed),
    k("senior_grant_tier2", "aid", Printed),
    k("senior_grant_amount", "aid", Printed),
    k("vocational_grant_standard", "aid", Printed),
    k("vocational_grant_students", "aid", Printed),
    k("vocational_grant_amount", "aid", Printed),
    k("rain_dew_autumn_standard", "aid", Printed),
    k("rain_dew_spring_standard", "aid", Printed),
    k("rain_dew_standard", "aid", Printed),
    k("rain_dew_students", "aid", Printed),
    k("rain_dew_person_terms", "aid", Printed),
    k("rain_dew_amount", "aid", Printed),
    // payments: the term's records by channel, printed for the channels used
    k("entitlements_count", "payments", Printed),
    k("payments_count", "payments", Printed),
    k("paid_amount", "payments", Printed),
    k("payments_bank_card_count", "payments", Sometimes),
    k("payments_bank_card_amount", "payments", Sometimes),
    k("payments_in_kind_count", "payments", Sometimes),
    k("payments_in_kind_amount", "payments", Sometimes),
    k("payments_cash_count", "payments", Sometimes),
    k("payments_cash_amount", "payments", Sometimes),
    k("payments_offset_count", "payments", Sometimes),
    k("payments_offset_amount", "payments", Sometimes),
    k("payments_other_count", "payments", Sometimes),
    k("payments_other_amount", "payments", Sometimes),
    k("recon_unpaid", "payments", Printed),
    k("recon_duplicate", "payments", Printed),
    k("recon_after_leaving", "payments", Printed),
    // loans: the last four loan years, as many as the records have
    k("loans_y1_persons", "loans", Printed),
    k("loans_y1_amount", "loans", Printed),
    k("loans_y2_persons", "loans", Sometimes),
    k("loans_y2_amount", "loans", Sometimes),
    k("loans_y3_persons", "loans", Sometimes),
    k("loans_y3_amount", "loans", Sometimes),
    k("loans_y4_persons", "loans", Sometimes),
    k("loans_y4_amount", "loans", Sometimes),
    // cited (引用数据)
    cited("aiding_organs", Printed),
    cited("aided_schools", Printed),
    cited("aided_canteens", Printed),
    cited("invest_weak_schools", Printed),
    cited("invest_equipment", Printed),
    cited("poverty_loan_amount", Printed),
    cited("poverty_loan_schools", Printed),
    cited("rain_dew_prior_person_terms", Printed),
    cited("rain_dew_prior_amount", Printed),
    cited("rain_dew_prior_standard", Check),
    cited("teacher_training_total", Printed),
    cited("teacher_training_junior_entry", Printed),
    cited("teacher_training_senior_entry", Printed),
    cited("graduates_registered", Printed),
    cited("graduates_employed", Printed),
    cited("teachers_added_3y", Printed),
    cited("teachers_special_post", Printed),
    cited("teachers_funded_normal", Printed),
    cited("teachers_recruited", Printed),
    cited("teachers_high_degree", Printed),
    cited("teachers_intern", Printed),
    // settings
    FigureKey {
        key: "fee_meeting_date",
        section: "settings",
        origin: Origin::Setting,
        used: Printed,
    },
];

/// The words (not figures) the report gives the template.
pub const WORDS: &[&str] = &[
    "county",
    "bureau",
    "addressee",
    "school_year",
    "spring_term",
    "urban_district",
    "retention_years",
    "loan_years",
    "class_sizes_tense",
];

/// The tables and charts the report gives the template.
pub const TABLES_AND_CHARTS: &[&str] = &[
    "aid_by_program",
    "aid_by_stage",
    "payments_by_term",
    "retention",
    "class_sizes",
];

/// The catalogue entry of `key`.
#[must_use]
pub fn figure_key(key: &str) -> Option<&'static FigureKey> {
    FIGURE_KEYS.iter().find(|f| f.key == key)
}

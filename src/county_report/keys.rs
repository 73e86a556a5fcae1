//! The report's figure keys (数据项): every figure the county report can
//! produce, the section that produces it, and how the default template
//! uses it. The keys join the facade (which computes the figures) and the
//! template (which names them); a test builds the sample county's report
//! and checks both ways that every key the template names is produced (or
//! given: a word, a setting, a cited figure) and every figure produced is
//! printed or listed here as not printed, with the reason.
//!
//! The sections name figures by [`Key`], whose variants are this
//! catalogue: a misspelt key does not compile, and [`Key::as_str`] is the
//! name the template uses.

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

/// Defines [`Key`] and [`FIGURE_KEYS`] from one list: each key's variant,
/// its name in templates and relations, its section, origin and use.
macro_rules! figure_keys {
    ($($variant:ident = $key:literal, $section:literal, $origin:ident, $used:ident;)*) => {
        /// A figure key of the county report (数据项): its variant names the
        /// figure in the code, [`Key::as_str`] in templates and relations,
        /// so a misspelt key does not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Key {
            $(
                #[doc = concat!("`", $key, "` (", $section, ").")]
                $variant,
            )*
        }

        impl Key {
            /// Every key, in the catalogue's order.
            pub const ALL: &'static [Key] = &[$(Key::$variant),*];

            /// The key as templates and relations name it.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Key::$variant => $key,)*
                }
            }

            /// The key named `name`, if the catalogue has it.
            #[must_use]
            pub fn parse(name: &str) -> Option<Key> {
                match name {
                    $($key => Some(Key::$variant),)*
                    _ => None,
                }
            }
        }

        /// Every figure key of the county report, by section.
        pub const FIGURE_KEYS: &[FigureKey] = &[
            $(FigureKey {
                key: $key,
                section: $section,
                origin: Origin::$origin,
                used: Use::$used,
            },)*
        ];
    };
}

figure_keys! {
    ReportDate = "report_date", "gather", Computed, Printed;
    // enrolment
    StudentsPreschool = "students_preschool", "enrolment", Computed, Printed;
    StudentsPrimary = "students_primary", "enrolment", Computed, Printed;
    StudentsJunior = "students_junior", "enrolment", Computed, Printed;
    StudentsSeniorStage = "students_senior_stage", "enrolment", Computed, Printed;
    StudentsTotal = "students_total", "enrolment", Computed, Printed;
    PoorStudentsTotal = "poor_students_total", "enrolment", Computed, Printed;
    PoorStudentsWithHelper = "poor_students_with_helper", "enrolment", Computed, Printed;
    HelperCoverage = "helper_coverage", "enrolment", Computed, Printed;
    // Printed only when no cited teacher figures are given.
    TeachersTotal = "teachers_total", "enrolment", Computed, Sometimes;
    // retention
    // The second and third years are printed unless all three are the same
    // (均为100%).
    RetentionPrimaryY1 = "retention_primary_y1", "retention", Computed, Printed;
    RetentionPrimaryY2 = "retention_primary_y2", "retention", Computed, Sometimes;
    RetentionPrimaryY3 = "retention_primary_y3", "retention", Computed, Sometimes;
    RetentionJuniorY1 = "retention_junior_y1", "retention", Computed, Printed;
    RetentionJuniorY2 = "retention_junior_y2", "retention", Computed, Sometimes;
    RetentionJuniorY3 = "retention_junior_y3", "retention", Computed, Sometimes;
    RetentionJuniorStandard = "retention_junior_standard", "retention", Computed, Printed;
    DisabledTotal = "disabled_total", "retention", Computed, Printed;
    DisabledInSchool = "disabled_in_school", "retention", Computed, Printed;
    DisabledEnrolmentRate = "disabled_enrolment_rate", "retention", Computed, Printed;
    DisabledStandard = "disabled_standard", "retention", Computed, Printed;
    MigrantChildren = "migrant_children", "retention", Computed, Printed;
    UrbanPrimaryPupils = "urban_primary_pupils", "retention", Computed, Printed;
    MigrantShare = "migrant_share", "retention", Computed, Printed;
    RuralSchools = "rural_schools", "retention", Computed, Printed;
    // class sizes
    UrbanClassesBefore = "urban_classes_before", "class_sizes", Computed, Printed;
    UrbanClassesAfter = "urban_classes_after", "class_sizes", Computed, Printed;
    UrbanPublicPupils = "urban_public_pupils", "class_sizes", Computed, Printed;
    ClassSizeBefore = "class_size_before", "class_sizes", Computed, Printed;
    ClassSizeAfter = "class_size_after", "class_sizes", Computed, Printed;
    ClassCapPrimary = "class_cap_primary", "class_sizes", Computed, Printed;
    ClassCapJunior = "class_cap_junior", "class_sizes", Computed, Printed;
    // nutrition plan's batches
    NutritionStartDate = "nutrition_start_date", "nutrition", Computed, Printed;
    NutritionSecondDate = "nutrition_second_date", "nutrition", Computed, Printed;
    NutritionSchoolsFirst = "nutrition_schools_first", "nutrition", Computed, Printed;
    NutritionStudentsFirst = "nutrition_students_first", "nutrition", Computed, Printed;
    NutritionSchoolsSecond = "nutrition_schools_second", "nutrition", Computed, Printed;
    NutritionStudentsSecond = "nutrition_students_second", "nutrition", Computed, Printed;
    // aid
    LivingSubsidyStudents = "living_subsidy_students", "aid", Computed, Printed;
    LivingSubsidyPrimary = "living_subsidy_primary", "aid", Computed, Printed;
    LivingSubsidyJunior = "living_subsidy_junior", "aid", Computed, Printed;
    LivingSubsidyPrimaryStandard = "living_subsidy_primary_standard", "aid", Computed, Printed;
    LivingSubsidyJuniorStandard = "living_subsidy_junior_standard", "aid", Computed, Printed;
    LivingSubsidyAmount = "living_subsidy_amount", "aid", Computed, Printed;
    NutritionDaily = "nutrition_daily", "aid", Computed, Printed;
    NutritionDays = "nutrition_days", "aid", Computed, Printed;
    NutritionAmount = "nutrition_amount", "aid", Computed, Printed;
    // Only when some students were in school for part of the days.
    NutritionFullAmount = "nutrition_full_amount", "aid", Computed, Sometimes;
    NutritionPartDaysReduction = "nutrition_part_days_reduction", "aid", Computed, Sometimes;
    PreschoolAidStandard = "preschool_aid_standard", "aid", Computed, Printed;
    PreschoolAidStudents = "preschool_aid_students", "aid", Computed, Printed;
    PreschoolAidAmount = "preschool_aid_amount", "aid", Computed, Printed;
    SeniorGrantStudents = "senior_grant_students", "aid", Computed, Printed;
    SeniorGrantTier1 = "senior_grant_tier1", "aid", Computed, Printed;
    SeniorGrantTier2 = "senior_grant_tier2", "aid", Computed, Printed;
    SeniorGrantAmount = "senior_grant_amount", "aid", Computed, Printed;
    VocationalGrantStandard = "vocational_grant_standard", "aid", Computed, Printed;
    VocationalGrantStudents = "vocational_grant_students", "aid", Computed, Printed;
    VocationalGrantAmount = "vocational_grant_amount", "aid", Computed, Printed;
    RainDewAutumnStandard = "rain_dew_autumn_standard", "aid", Computed, Printed;
    RainDewSpringStandard = "rain_dew_spring_standard", "aid", Computed, Printed;
    RainDewStandard = "rain_dew_standard", "aid", Computed, Printed;
    RainDewStudents = "rain_dew_students", "aid", Computed, Printed;
    RainDewPersonTerms = "rain_dew_person_terms", "aid", Computed, Printed;
    RainDewAmount = "rain_dew_amount", "aid", Computed, Printed;
    // payments: the term's records by channel, printed for the channels used
    EntitlementsCount = "entitlements_count", "payments", Computed, Printed;
    PaymentsCount = "payments_count", "payments", Computed, Printed;
    PaidAmount = "paid_amount", "payments", Computed, Printed;
    PaymentsBankCardCount = "payments_bank_card_count", "payments", Computed, Sometimes;
    PaymentsBankCardAmount = "payments_bank_card_amount", "payments", Computed, Sometimes;
    PaymentsInKindCount = "payments_in_kind_count", "payments", Computed, Sometimes;
    PaymentsInKindAmount = "payments_in_kind_amount", "payments", Computed, Sometimes;
    PaymentsCashCount = "payments_cash_count", "payments", Computed, Sometimes;
    PaymentsCashAmount = "payments_cash_amount", "payments", Computed, Sometimes;
    PaymentsOffsetCount = "payments_offset_count", "payments", Computed, Sometimes;
    PaymentsOffsetAmount = "payments_offset_amount", "payments", Computed, Sometimes;
    PaymentsOtherCount = "payments_other_count", "payments", Computed, Sometimes;
    PaymentsOtherAmount = "payments_other_amount", "payments", Computed, Sometimes;
    ReconUnpaid = "recon_unpaid", "payments", Computed, Printed;
    ReconDuplicate = "recon_duplicate", "payments", Computed, Printed;
    ReconAfterLeaving = "recon_after_leaving", "payments", Computed, Printed;
    // loans: the last four loan years, as many as the records have
    LoansY1Persons = "loans_y1_persons", "loans", Computed, Printed;
    LoansY1Amount = "loans_y1_amount", "loans", Computed, Printed;
    LoansY2Persons = "loans_y2_persons", "loans", Computed, Sometimes;
    LoansY2Amount = "loans_y2_amount", "loans", Computed, Sometimes;
    LoansY3Persons = "loans_y3_persons", "loans", Computed, Sometimes;
    LoansY3Amount = "loans_y3_amount", "loans", Computed, Sometimes;
    LoansY4Persons = "loans_y4_persons", "loans", Computed, Sometimes;
    LoansY4Amount = "loans_y4_amount", "loans", Computed, Sometimes;
    // cited (引用数据)
    AidingOrgans = "aiding_organs", "cited", Cited, Printed;
    AidedSchools = "aided_schools", "cited", Cited, Printed;
    AidedCanteens = "aided_canteens", "cited", Cited, Printed;
    InvestWeakSchools = "invest_weak_schools", "cited", Cited, Printed;
    InvestEquipment = "invest_equipment", "cited", Cited, Printed;
    PovertyLoanAmount = "poverty_loan_amount", "cited", Cited, Printed;
    PovertyLoanSchools = "poverty_loan_schools", "cited", Cited, Printed;
    RainDewPriorPersonTerms = "rain_dew_prior_person_terms", "cited", Cited, Printed;
    RainDewPriorAmount = "rain_dew_prior_amount", "cited", Cited, Printed;
    RainDewPriorStandard = "rain_dew_prior_standard", "cited", Cited, Check;
    TeacherTrainingTotal = "teacher_training_total", "cited", Cited, Printed;
    TeacherTrainingJuniorEntry = "teacher_training_junior_entry", "cited", Cited, Printed;
    TeacherTrainingSeniorEntry = "teacher_training_senior_entry", "cited", Cited, Printed;
    GraduatesRegistered = "graduates_registered", "cited", Cited, Printed;
    GraduatesEmployed = "graduates_employed", "cited", Cited, Printed;
    TeachersAdded3y = "teachers_added_3y", "cited", Cited, Printed;
    TeachersSpecialPost = "teachers_special_post", "cited", Cited, Printed;
    TeachersFundedNormal = "teachers_funded_normal", "cited", Cited, Printed;
    TeachersRecruited = "teachers_recruited", "cited", Cited, Printed;
    TeachersHighDegree = "teachers_high_degree", "cited", Cited, Printed;
    TeachersIntern = "teachers_intern", "cited", Cited, Printed;
    FeeMeetingDate = "fee_meeting_date", "settings", Setting, Printed;
}

impl Key {
    /// The retention rate of `kind` in the `n`th of the three years shown
    /// (1: the report's year).
    #[must_use]
    pub const fn retention(junior: bool, n: usize) -> Option<Key> {
        Some(match (junior, n) {
            (false, 1) => Key::RetentionPrimaryY1,
            (false, 2) => Key::RetentionPrimaryY2,
            (false, 3) => Key::RetentionPrimaryY3,
            (true, 1) => Key::RetentionJuniorY1,
            (true, 2) => Key::RetentionJuniorY2,
            (true, 3) => Key::RetentionJuniorY3,
            _ => return None,
        })
    }

    /// Borrowers and amount of the `n`th loan year shown (1: the earliest).
    #[must_use]
    pub const fn loans(n: usize) -> Option<[Key; 2]> {
        Some(match n {
            1 => [Key::LoansY1Persons, Key::LoansY1Amount],
            2 => [Key::LoansY2Persons, Key::LoansY2Amount],
            3 => [Key::LoansY3Persons, Key::LoansY3Amount],
            4 => [Key::LoansY4Persons, Key::LoansY4Amount],
            _ => return None,
        })
    }

    /// Records and amount paid through the channel of code `code`
    /// (`bank_card`, `in_kind`, `cash`, `offset`, `other`).
    #[must_use]
    pub fn payments(code: &str) -> Option<[Key; 2]> {
        Some(match code {
            "bank_card" => [Key::PaymentsBankCardCount, Key::PaymentsBankCardAmount],
            "in_kind" => [Key::PaymentsInKindCount, Key::PaymentsInKindAmount],
            "cash" => [Key::PaymentsCashCount, Key::PaymentsCashAmount],
            "offset" => [Key::PaymentsOffsetCount, Key::PaymentsOffsetAmount],
            "other" => [Key::PaymentsOtherCount, Key::PaymentsOtherAmount],
            _ => return None,
        })
    }

    /// The catalogue entry of the key.
    #[must_use]
    pub fn entry(self) -> Option<&'static FigureKey> {
        figure_key(self.as_str())
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.as_str().to_string()
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

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

//! The contract figures the sample county reproduces (docs/crate-contracts.md, "The
//! sample county"), as constants other crates' tests can name.
//!
//! All are for school year 2016-17 unless the name says otherwise; "in
//! school" means [`Student::in_school_on`](eduaid_model::Student::in_school_on)
//! the spring 2017 reference date, 2017-03-01.

/// Preschool children in school on 2017-03-01.
pub const PRESCHOOL: u64 = 23_429;
/// Primary pupils in school on 2017-03-01.
pub const PRIMARY: u64 = 56_370;
/// Junior secondary students in school on 2017-03-01.
pub const JUNIOR: u64 = 26_577;
/// Senior secondary students (general senior and vocational) on 2017-03-01.
pub const SENIOR_SECONDARY: u64 = 20_588;
/// Of them, general senior (普通高中): a choice of the sample, not the seed.
pub const GENERAL_SENIOR: u64 = 16_988;
/// Of them, secondary vocational (中职): a choice of the sample, not the seed.
pub const VOCATIONAL: u64 = 3_600;
/// All students in school on 2017-03-01 (the seed prints 126864, 100 short).
pub const TOTAL: u64 = 126_964;

/// Registered-poor (建档立卡) primary pupils on 2017-03-01.
pub const POOR_PRIMARY: u64 = 8_063;
/// Registered-poor junior students on 2017-03-01.
pub const POOR_JUNIOR: u64 = 4_327;
/// Registered-poor preschool children on 2017-03-01.
pub const POOR_PRESCHOOL: u64 = 2_409;

/// Vocational national grant recipients, spring 2017.
pub const VOCATIONAL_GRANT: u64 = 599;
/// General senior national grant, first tier (orphan, de facto unsupported, destitute).
pub const SENIOR_GRANT_FIRST_TIER: u64 = 14;
/// General senior national grant, second tier (registered poor, dibao, hardship).
pub const SENIOR_GRANT_SECOND_TIER: u64 = 5_047;
/// Registered-poor vocational students in school in autumn 2016 and spring 2017 (雨露计划).
pub const RAIN_AND_DEW: u64 = 478;

/// Schools that join the nutrition plan on 2017-06-01.
pub const NUTRITION_FIRST_SCHOOLS: u64 = 178;
/// Students in school at those schools on 2017-06-01.
pub const NUTRITION_FIRST_STUDENTS: u64 = 53_675;
/// School days of the nutrition plan in spring 2017 (June).
pub const NUTRITION_DAYS_SPRING_2017: u64 = 22;
/// Rural compulsory schools, all in the nutrition plan from 2017-09-01.
pub const RURAL_COMPULSORY_SCHOOLS: u64 = 265;
/// Students of those schools in the 2017-18 grade counts.
pub const NUTRITION_STUDENTS_2017_18: u64 = 60_526;

/// Disabled children aged 6–14 of the three kinds (`Counts::disabled`).
pub const DISABLED_THREE_KINDS: u64 = 307;
/// Of them, in school.
pub const DISABLED_IN_SCHOOL: u64 = 305;

/// Primary pupils of the urban district (城关镇).
pub const URBAN_PRIMARY: u64 = 8_880;
/// Of them, in the public urban primaries' classes.
pub const URBAN_PUBLIC_PRIMARY: u64 = 8_692;
/// Of them, in the one private (民办) urban primary.
pub const URBAN_PRIVATE_PRIMARY: u64 = 188;
/// Migrant children (随迁子女) among the urban district's primary pupils.
pub const MIGRANT_URBAN_PRIMARY: u64 = 1_642;
/// Classes of the public urban primaries in 2016-17.
pub const URBAN_PRIMARY_CLASSES_2016: u64 = 113;
/// Classes of the public urban primaries in 2018-19 (same 8692 pupils).
pub const URBAN_PRIMARY_CLASSES_2018: u64 = 164;
/// First-year class caps from autumn 2017: primary.
pub const FIRST_YEAR_CAP_PRIMARY: u32 = 50;
/// First-year class caps from autumn 2017: junior.
pub const FIRST_YEAR_CAP_JUNIOR: u32 = 55;

/// Primary six-year retention in basis points (0.01%) for the cohorts
/// graduating in the school years starting 2014, 2015 and 2016.
pub const PRIMARY_RETENTION: [(i32, u64); 3] = [(2014, 10_000), (2015, 10_000), (2016, 10_000)];
/// Junior three-year retention in basis points, same years.
pub const JUNIOR_RETENTION: [(i32, u64); 3] = [(2014, 9_886), (2015, 9_881), (2016, 9_889)];
/// Student-origin credit loans (生源地信用助学贷款) by loan year: borrowers
/// (人) and the amount lent in yuan, as the seed report gives them
/// (2014年助学贷款469人，贷款资金323.5万元 …).
pub const STUDENT_LOANS: [(i32, u64, i64); 4] = [
    (2014, 469, 3_235_000),
    (2015, 513, 3_525_000),
    (2016, 671, 5_387_000),
    (2017, 749, 6_094_500),
];

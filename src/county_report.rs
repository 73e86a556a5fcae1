//! # The county work report's data (工作报告数据)
//!
//! Everything the county work report on education guarantee in poverty
//! alleviation (脱贫攻坚教育保障工作情况报告) prints, computed from what a
//! county has: its [`Roster`] in memory ([`MemoryRoster`]), the
//! aggregate [`Counts`] of its base forms, the payments made
//! ([`Disbursement`]s), an eligibility [`Engine`] and the spring term
//! reported on. The figures are typed (they know their unit, precision and
//! source), so the same data fills the default template or a county's own,
//! and the validator can check the arithmetic of the result.
//!
//! The steps, each one call:
//!
//! 1. [`County`] is the input: the records, the term and the [`Settings`]
//!    that differ from county to county (name, urban district, provincial
//!    standards, class-size caps, dates) and how the report presents its
//!    sources ([`Presentation`]).
//! 2. [`County::build`] runs the engine over the roster (the term's
//!    entitlements, the two terms of the Rain-and-Dew plan, the senior
//!    grant's tiers and, given the payments, the reconciliation:
//!    [`Entitlements`]), then gathers the words, figures, tables and charts
//!    of students by stage, registered-poor students and their helpers,
//!    retention over three years, disabled and migrant children, class sizes,
//!    the nutrition plan's two batches, every aid program and the
//!    reconciliation into a [`CountyReport`]. [`County::entitlements`] and
//!    [`County::build_from`] split the two halves, for a caller that reads
//!    the roster through a wrapper (a progress bar).
//! 3. The caller fills a [`Template`](crate::report::Template) with
//!    [`CountyReport::data`]; [`CountyReport::validate`] checks the rendered
//!    document (the relations between the figures, [`CountyReport::relations`],
//!    then its text) and [`CountyReport::push_appendices`] appends the data
//!    appendix and the validation summary.
//!
//! What cannot be computed from a county's data (no classes file, a policy
//! without a parameter) is either an error or left out and noted in
//! [`CountyReport::left_out`], as [`Settings::on_missing`] says; a template
//! that names a figure left out then fails naming its line, so nothing is
//! ever invented.
//!
//! The `county_report` example (the sample county's report, checked against
//! the seed report's figures) and the `eduaid report` command both build
//! their report here.
//!
//! The sample county's report data (this example needs the `sample`
//! feature, on by default):
//!
#![cfg_attr(feature = "sample", doc = "```")]
#![cfg_attr(not(feature = "sample"), doc = "```ignore")]
//! use eduaid::county_report::{County, Settings};
//! use eduaid::eligibility::Engine;
//!
//! let sample = eduaid::sample::county();
//! let engine = Engine::hunan_county_2016()?;
//! let report = County::new(&sample.roster, &sample.counts, &engine, "2017-spring".parse()?)
//!     .with_disbursements(&sample.disbursements)
//!     .with_settings(Settings::new(&sample.name))
//!     .build()?;
//! let shown = |key: &str| report.data.figures.get(key).map(|f| f.display());
//! assert_eq!(shown("students_total").as_deref(), Some("126964人"));
//! assert_eq!(shown("living_subsidy_amount").as_deref(), Some("673.5875万元"));
//! assert_eq!(shown("recon_duplicate").as_deref(), Some("1笔"));
//! assert!(report.left_out.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::eligibility::loans::check_loans;
use crate::eligibility::{Engine, FindingKind, ProgramTotals, Reconciliation, Row, Scope, Totals, reconcile};
use crate::model::{
    Channel, Counts, Decimal, Disbursement, Household, Locality, MemoryRoster, ModelError, Money, NaiveDate, Ownership,
    Roster, SchoolId, SchoolKind, SchoolYear, Stage, StudentLoan, Term,
};
use crate::report::{
    Block, Chart, Check, CheckKind, Document, Figure, Inline, Rate, Relation, ReportData, Series, Source, Table,
    Validation, Value, to_text, validate_figures, validate_text,
};
use crate::stats::{
    ClassCap, ClassFilter, ClassSizes, RetentionKind, RetentionOptions, SizeBand, StudentFilter, StudentTrait,
    check_caps, class_size_series, disabled_enrolment_rate, retention, student_share,
};

/// The provincial standard for three-year junior retention (初中三年巩固率),
/// in percent: the standard the seed county's report cites.
pub const JUNIOR_RETENTION_STANDARD: i64 = 95;
/// The provincial standard for the enrolment of disabled children of the
/// three kinds (三类残疾儿童入学率), in percent.
pub const DISABLED_ENROLMENT_STANDARD: i64 = 80;
/// The national cap on first-year primary class size (小学起始年级班额)
/// from autumn 2017.
pub const CLASS_CAP_PRIMARY: u64 = 50;
/// The national cap on first-year junior class size (初中起始年级班额)
/// from autumn 2017.
pub const CLASS_CAP_JUNIOR: u64 = 55;
/// The school year the national class-size caps apply from (2017—2018学年).
const CLASS_CAPS_FROM: i32 = 2017;

/// Why a report figure could not be computed, or the report not built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The eligibility engine or the reconciliation failed.
    #[error(transparent)]
    Eligibility(#[from] crate::eligibility::Error),
    /// A statistic could not be computed.
    #[error(transparent)]
    Stats(#[from] crate::stats::Error),
    /// A figure, word or table was refused, or a relation names a figure
    /// the data lacks.
    #[error(transparent)]
    Report(#[from] crate::report::Error),
    /// A value of the model could not be made (a school year out of range).
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A count too large (or negative) for a figure.
    #[error(transparent)]
    Count(#[from] std::num::TryFromIntError),
    /// A rate whose numerator or denominator is negative.
    #[error("{key}: negative count {numerator} / {denominator}")]
    NegativeCount {
        /// The figure key.
        key: String,
        /// The numerator.
        numerator: i128,
        /// The denominator.
        denominator: i128,
    },
    /// A rate the report cannot show (a zero denominator).
    #[error("{key} ({label})")]
    Rate {
        /// The figure key.
        key: String,
        /// The figure's label.
        label: String,
        /// What is wrong with the rate.
        source: crate::report::Error,
    },
    /// A statistic whose inputs are missing: not computable, never a number.
    #[error("{key} ({label}): 不可计算：{reason}")]
    NotComputable {
        /// The figure key.
        key: String,
        /// The figure's label.
        label: String,
        /// The missing input, in Chinese (缺少…).
        reason: String,
    },
    /// An amount that does not divide exactly into a per-student standard.
    #[error("{what}: {reason}")]
    Division {
        /// The standard being computed.
        what: String,
        /// Why it does not divide.
        reason: ModelError,
    },
    /// A policy parameter the policy does not give for the stage and day.
    #[error("no value of {name} for {stage} on {on} in the policy")]
    NoParameter {
        /// The parameter (`nutrition.daily`).
        name: String,
        /// The stage.
        stage: Stage,
        /// The day.
        on: NaiveDate,
    },
    /// No school-day calendar for the term, or no first batch of the
    /// nutrition plan, so no count of meal days.
    #[error("nutrition_days: the policy sets no school-day calendar for {term}, or no school joined the plan")]
    NoCalendar {
        /// The term.
        term: Term,
    },
    /// No school has a date of joining the nutrition plan.
    #[error("no school has joined the nutrition plan (schools.nutrition_plan_from)")]
    NoNutritionPlan,
    /// No classes of the public urban primaries in the report's year (or
    /// in the later year compared with it).
    #[error("no classes of the public urban primaries in {year}")]
    NoClasses {
        /// The report's school year.
        year: SchoolYear,
    },
    /// The engine has no program of this id ([`Missing::Fail`] only).
    #[error("no totals for {program}")]
    NoProgram {
        /// The program id.
        program: String,
    },
    /// The counts have no teachers in the report's year
    /// ([`Missing::Fail`] only).
    #[error("no teachers counted in {year}")]
    NoTeachers {
        /// The report's school year.
        year: SchoolYear,
    },
    /// A relation's standard (an amount per student) is missing or not an
    /// amount ([`Missing::Fail`] only).
    #[error("no standard to check {key} against")]
    NoStandard {
        /// The amount figure the relation checks.
        key: String,
    },
    /// The report's term is the first the model knows, so the Rain-and-Dew
    /// plan's two terms cannot be counted.
    #[error("the term has no previous term")]
    NoPreviousTerm {
        /// The report's term.
        term: Term,
    },
}

/// What to do with a figure that cannot be computed from the county's data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Missing {
    /// Leave it out and note why in [`CountyReport::left_out`]: the rest of
    /// the report is still built (a template naming the figure then fails
    /// naming its line). A program the engine does not have, a year with no
    /// teachers counted and a relation without its figures are left out
    /// silently.
    #[default]
    LeaveOut,
    /// Stop at the first, with its error.
    Fail,
}

/// The language of the data appendix's sources (来源): how each figure was
/// computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SourceLanguage {
    /// `名册：2017-03-01在校生按学段`, `测算：春季学期人数`.
    #[default]
    Chinese,
    /// `students in school on 2017-03-01, by stage`, `eligibility: persons`.
    English,
}

/// How the data appendix names each figure's source: in which language,
/// and which file it was computed from. Two reports built from the same
/// data with different presentations print the same figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    /// The language of the sources.
    pub sources: SourceLanguage,
    /// The file (or data set) named in the source of figures computed from
    /// the students, households, counts and the engine's entitlements.
    pub roster_file: Option<String>,
    /// The file named in the source of the class-size and nutrition-plan
    /// figures, computed from the schools and their classes.
    pub schools_file: Option<String>,
    /// The file named in the source of the reconciliation figures.
    pub payments_file: Option<String>,
}

impl Default for Presentation {
    /// Chinese sources naming no file.
    fn default() -> Presentation {
        Presentation {
            sources: SourceLanguage::Chinese,
            roster_file: None,
            schools_file: None,
            payments_file: None,
        }
    }
}

/// What differs from county to county, and how the report reads.
///
/// Build with [`Settings::new`] and change what needs changing:
/// `Settings { urban_district: Some("城关镇".into()), ..Settings::new("示范县") }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The county's name (县名), the word `county`.
    pub county: String,
    /// The bureau that reports, the word `bureau` (`None`: 〈county〉教育局).
    pub bureau: Option<String>,
    /// The addressee (主送机关) under the title, the word `addressee`
    /// (`None`: 〈county〉人民政府).
    pub addressee: Option<String>,
    /// The urban district (城区) whose primary pupils' migrant share is
    /// reported, the word `urban_district` (`None`: the township of the
    /// urban schools with the most students, else 城区).
    pub urban_district: Option<String>,
    /// The report's date, the figure `report_date` (`None`: no such figure).
    pub report_date: Option<NaiveDate>,
    /// The provincial standard for three-year junior retention, in percent
    /// (`None`: no figure `retention_junior_standard`, and no threshold line
    /// in the retention chart).
    pub junior_retention_standard: Option<Decimal>,
    /// The provincial standard for disabled children's enrolment, in
    /// percent (`None`: no figure `disabled_standard`).
    pub disabled_enrolment_standard: Option<Decimal>,
    /// The first-year primary class cap (`None`: no figure
    /// `class_cap_primary`).
    pub class_cap_primary: Option<u64>,
    /// The first-year junior class cap (`None`: no figure
    /// `class_cap_junior`).
    pub class_cap_junior: Option<u64>,
    /// The school year the caps apply from, whose oversized first-year
    /// classes the Chinese sources count (`None`: 2017—2018).
    pub class_caps_from: Option<SchoolYear>,
    /// The later school year whose class sizes are compared with the
    /// report's (`None`: the latest year of the classes, at or after the
    /// report's).
    pub class_sizes_after: Option<SchoolYear>,
    /// The start days of the nutrition plan's first and second batches
    /// (`None`: the first and the last day a school joined).
    pub nutrition_batches: Option<[NaiveDate; 2]>,
    /// Figures cited from another document (引用), not computed from the
    /// county's records: the teachers recruited, money invested, an earlier
    /// year's Rain-and-Dew plan. Each is added as given, its source marked
    /// 引用（非计算）, and checked where a relation joins it to others.
    pub cited: Vec<Figure>,
    /// What to do with a figure that cannot be computed.
    pub on_missing: Missing,
    /// How the report presents its sources, charts and appendices.
    pub presentation: Presentation,
}

impl Settings {
    /// The settings of county `county`: the provincial standards
    /// ([`JUNIOR_RETENTION_STANDARD`], [`DISABLED_ENROLMENT_STANDARD`]),
    /// the national class caps ([`CLASS_CAP_PRIMARY`], [`CLASS_CAP_JUNIOR`])
    /// from 2017—2018, everything else from the data, no report date,
    /// figures that cannot be computed left out, the default
    /// [`Presentation`].
    #[must_use]
    pub fn new(county: impl Into<String>) -> Settings {
        Settings {
            county: county.into(),
            bureau: None,
            addressee: None,
            urban_district: None,
            report_date: None,
            junior_retention_standard: Some(Decimal::from(JUNIOR_RETENTION_STANDARD)),
            disabled_enrolment_standard: Some(Decimal::from(DISABLED_ENROLMENT_STANDARD)),
            class_cap_primary: Some(CLASS_CAP_PRIMARY),
            class_cap_junior: Some(CLASS_CAP_JUNIOR),
            class_caps_from: None,
            class_sizes_after: None,
            nutrition_batches: None,
            cited: Vec::new(),
            on_missing: Missing::LeaveOut,
            presentation: Presentation::default(),
        }
    }
}

impl Default for Settings {
    /// [`Settings::new`] for 本县 ("this county").
    fn default() -> Settings {
        Settings::new("本县")
    }
}

/// What a county has, and its settings: the input of the report.
#[derive(Debug, Clone)]
pub struct County<'a> {
    /// Schools, households and students.
    pub roster: &'a MemoryRoster,
    /// The base forms' counts: grades over the years, disabled children,
    /// teachers.
    pub counts: &'a Counts,
    /// The payments made, for the reconciliation (`None`: no reconciliation
    /// figures).
    pub disbursements: Option<&'a [Disbursement]>,
    /// The student loans (生源地信用助学贷款) made, for the loan sentence
    /// (`None`: the sentence is left out).
    pub loans: Option<&'a [StudentLoan]>,
    /// The engine that computes the entitlements.
    pub engine: &'a Engine,
    /// The spring term reported on; its school year is the report's year.
    pub spring: Term,
    /// What differs from county to county.
    pub settings: Settings,
}

impl<'a> County<'a> {
    /// A county's records for the report on `spring`, with the default
    /// [`Settings`] and no payments.
    #[must_use]
    pub fn new(roster: &'a MemoryRoster, counts: &'a Counts, engine: &'a Engine, spring: Term) -> County<'a> {
        County {
            roster,
            counts,
            disbursements: None,
            loans: None,
            engine,
            spring,
            settings: Settings::default(),
        }
    }

    /// The payments made, to reconcile against what was owed.
    #[must_use]
    pub fn with_disbursements(mut self, disbursements: &'a [Disbursement]) -> County<'a> {
        self.disbursements = Some(disbursements);
        self
    }

    /// The student loans made: the report gives persons and amount of the
    /// last four loan years up to the report's (the autumn after its
    /// spring term).
    #[must_use]
    pub fn with_loans(mut self, loans: &'a [StudentLoan]) -> County<'a> {
        self.loans = Some(loans);
        self
    }

    /// Other settings.
    #[must_use]
    pub fn with_settings(mut self, settings: Settings) -> County<'a> {
        self.settings = settings;
        self
    }

    /// The engine's results over `roster`: the same students as
    /// [`County::roster`], possibly read through a wrapper (one that moves a
    /// progress bar).
    ///
    /// # Errors
    /// As [`Entitlements::compute`].
    pub fn entitlements<R: Roster + ?Sized>(&self, roster: &R) -> Result<Entitlements, Error> {
        Entitlements::compute(self.engine, roster, self.spring, self.disbursements)
    }

    /// The report: [`County::entitlements`] over the roster, then
    /// [`County::build_from`].
    ///
    /// # Errors
    /// As both.
    pub fn build(&self) -> Result<CountyReport, Error> {
        self.build_from(&self.entitlements(self.roster)?)
    }

    /// The report's words, figures, tables and charts, from the county's
    /// records and the engine's results.
    ///
    /// # Errors
    /// A word or figure the report data refuses; with [`Missing::Fail`],
    /// the first figure that cannot be computed.
    pub fn build_from(&self, entitlements: &Entitlements) -> Result<CountyReport, Error> {
        let mut g = Gather {
            data: ReportData::new(),
            left_out: Vec::new(),
            records: Vec::new(),
            dated: Vec::new(),
            plans: BTreeSet::new(),
            settings: &self.settings,
            urban: urban_district(self.roster, self.settings.urban_district.as_deref()),
        };
        words(&mut g, self)?;
        enrolment(&mut g, self)?;
        statistics(&mut g, self)?;
        aid(&mut g, self, entitlements)?;
        if let (Some(recon), Some(paid)) = (&entitlements.reconciliation, self.disbursements) {
            reconciliation(&mut g, self.spring, recon, paid)?;
        }
        if let Some(loans) = self.loans {
            student_loans(&mut g, self, loans)?;
        }
        for f in &self.settings.cited {
            let mut f = f.clone();
            let what = f.source.indicator.take().unwrap_or_default();
            f.source.indicator = Some(format!("引用（非计算）：{what}"));
            g.add(Ok(f))?;
        }
        Ok(CountyReport {
            data: g.data,
            left_out: g.left_out,
            records: g.records,
            dated: g.dated,
            plans: g.plans,
            on_missing: self.settings.on_missing,
        })
    }
}

/// The eligibility engine's results the report reads.
#[derive(Debug, Clone)]
pub struct Entitlements {
    /// Every program's totals in the spring term.
    pub totals: Totals,
    /// Totals over the autumn and spring terms (the Rain-and-Dew plan pays
    /// per school year).
    pub two_terms: Totals,
    /// The senior grant's entitlements in the spring term, counted by
    /// amount (its tiers).
    pub senior_grant_tiers: BTreeMap<Decimal, u64>,
    /// What was paid against what was owed in the spring term (its
    /// records only), given the payments.
    pub reconciliation: Option<Reconciliation>,
}

impl Entitlements {
    /// Run `engine` over `roster` for `spring` and the autumn before it,
    /// and reconcile `disbursements` (over the terms they cover).
    ///
    /// # Errors
    /// [`Error::NoPreviousTerm`], or the engine's error.
    pub fn compute<R: Roster + ?Sized>(
        engine: &Engine,
        roster: &R,
        spring: Term,
        disbursements: Option<&[Disbursement]>,
    ) -> Result<Entitlements, Error> {
        let autumn = spring.prev().ok_or(Error::NoPreviousTerm { term: spring })?;
        // One pass over the spring term gives its totals and, through the
        // sink, the senior grant's tiers.
        let mut tiers: BTreeMap<Decimal, u64> = BTreeMap::new();
        let mut tally = |row: &Row<'_>| {
            if row.program.id.as_str() == "senior-grant" {
                *tiers.entry(row.amount).or_default() += 1;
            }
        };
        let totals = engine.run(roster, &[spring], false, Some(&mut tally))?;
        let two_terms = engine.totals(roster, &[autumn, spring])?;
        // The report speaks of the spring term: its records alone are
        // reconciled (a record of another term is no payment of this one).
        let reconciliation = disbursements
            .map(|d| {
                let of_term: Vec<Disbursement> = d.iter().filter(|x| x.term == spring).cloned().collect();
                reconcile(engine, roster, &of_term, &Scope::of(&of_term))
            })
            .transpose()?;
        Ok(Entitlements {
            totals,
            two_terms,
            senior_grant_tiers: tiers,
            reconciliation,
        })
    }
}

/// A county's report data, ready for a template.
#[derive(Debug)]
pub struct CountyReport {
    /// The words, figures, tables and charts, by key. A caller may add its
    /// own before rendering.
    pub data: ReportData,
    /// Why each figure left out could not be computed, in the order met
    /// ([`Missing::LeaveOut`]).
    pub left_out: Vec<Error>,
    /// Figures counted from records, with the value counted again from the
    /// records they claim ([`Relation::Records`]).
    records: Vec<Relation>,
    /// The day each dated figure describes ([`Relation::NotAfter`]).
    dated: Vec<(String, NaiveDate)>,
    /// Figures that are plans, not data: their sentence must word them as
    /// plans.
    plans: BTreeSet<String>,
    on_missing: Missing,
}

impl CountyReport {
    /// The relations the figures must satisfy (parts and totals, rates and
    /// their counts, amounts as persons × standard), for those whose
    /// figures are present.
    ///
    /// # Errors
    /// With [`Missing::Fail`], a figure a relation names that the data
    /// lacks ([`Error::Report`]) or a standard that is not an amount
    /// ([`Error::NoStandard`]).
    pub fn relations(&self) -> Result<Vec<Relation>, Error> {
        let figures = &self.data.figures;
        let strict = self.on_missing == Missing::Fail;
        let present = |keys: &[&str]| -> Result<bool, Error> {
            for k in keys {
                match figures.require(k) {
                    Ok(_) => {}
                    Err(e) if strict => return Err(e.into()),
                    Err(_) => return Ok(false),
                }
            }
            Ok(true)
        };
        let money = |key: &str| match figures.get(key).map(|f| &f.value) {
            Some(Value::Money { amount, .. }) => Some(*amount),
            _ => None,
        };
        let n = |key: &str| match figures.get(key).map(|f| &f.value) {
            Some(Value::Count { n, .. }) => Some(*n),
            _ => None,
        };
        let s = |keys: &[&str]| keys.iter().map(|k| (*k).to_string()).collect::<Vec<String>>();
        let mut out = Vec::new();
        for (parts, total) in [
            (
                &[
                    "students_preschool",
                    "students_primary",
                    "students_junior",
                    "students_senior_stage",
                ][..],
                "students_total",
            ),
            (
                &["living_subsidy_primary", "living_subsidy_junior"][..],
                "living_subsidy_students",
            ),
            (
                &["senior_grant_tier1", "senior_grant_tier2"][..],
                "senior_grant_students",
            ),
        ] {
            if present(parts)? && present(&[total])? {
                out.push(Relation::Sum {
                    parts: s(parts),
                    total: total.to_string(),
                });
            }
        }
        for [rate, numerator, denominator] in [
            ["disabled_enrolment_rate", "disabled_in_school", "disabled_total"],
            ["migrant_share", "migrant_children", "urban_primary_pupils"],
            ["helper_coverage", "poor_students_with_helper", "poor_students_total"],
        ] {
            if present(&[rate, numerator, denominator])? {
                out.push(Relation::Rate {
                    rate: rate.to_string(),
                    numerator: numerator.to_string(),
                    denominator: denominator.to_string(),
                });
            }
        }
        // A yearly standard paid for one term is half of it.
        let half = Decimal::new(5, 1);
        let per_meal_day = money("nutrition_daily").and_then(|d| d.checked_mul_count(n("nutrition_days")?));
        let products = vec![
            (
                "preschool_aid_amount",
                "preschool_aid_students",
                money("preschool_aid_standard"),
                half,
            ),
            (
                "vocational_grant_amount",
                "vocational_grant_students",
                money("vocational_grant_standard"),
                half,
            ),
            (
                // Paid by days in school: the full-attendance figure is the
                // product, the amount that less the reduction (a sum below).
                if figures.get("nutrition_full_amount").is_some() {
                    "nutrition_full_amount"
                } else {
                    "nutrition_amount"
                },
                "nutrition_students_first",
                per_meal_day,
                Decimal::ONE,
            ),
            (
                "rain_dew_amount",
                "rain_dew_students",
                money("rain_dew_standard"),
                Decimal::ONE,
            ),
        ];
        for (amount, count, standard, share) in products {
            if !present(&[amount, count])? {
                continue;
            }
            match standard {
                Some(standard) => out.push(Relation::Product {
                    amount: amount.to_string(),
                    count: count.to_string(),
                    standard,
                    share,
                }),
                None if strict => {
                    return Err(Error::NoStandard {
                        key: amount.to_string(),
                    });
                }
                None => {}
            }
        }
        // Only where some students were in school for part of the days.
        if [
            "nutrition_amount",
            "nutrition_part_days_reduction",
            "nutrition_full_amount",
        ]
        .iter()
        .all(|k| figures.get(k).is_some())
        {
            out.push(Relation::Sum {
                parts: s(&["nutrition_amount", "nutrition_part_days_reduction"]),
                total: "nutrition_full_amount".to_string(),
            });
        }
        // Cited figures (引用) are optional: checked when given.
        let given = |keys: &[&str]| keys.iter().all(|k| figures.get(k).is_some());
        let (parts, total) = (
            ["teacher_training_junior_entry", "teacher_training_senior_entry"],
            "teacher_training_total",
        );
        if given(&parts) && given(&[total]) {
            out.push(Relation::Sum {
                parts: s(&parts),
                total: total.to_string(),
            });
        }
        let (amount, count) = ("rain_dew_prior_amount", "rain_dew_prior_person_terms");
        if let (true, Some(standard)) = (given(&[amount, count]), money("rain_dew_prior_standard")) {
            out.push(Relation::Product {
                amount: amount.to_string(),
                count: count.to_string(),
                standard,
                share: Decimal::ONE,
            });
        }
        let report_date = match figures.get("report_date").map(|f| &f.value) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        if let Some(report_date) = report_date {
            for (key, dated) in &self.dated {
                if !self.plans.contains(key) && figures.get(key).is_some() {
                    out.push(Relation::NotAfter {
                        key: key.clone(),
                        dated: *dated,
                        report_date,
                    });
                }
            }
        }
        for r in &self.records {
            let keys: Vec<&str> = match r {
                Relation::Records { key, .. } => vec![key.as_str()],
                Relation::Sum { parts, total } => parts.iter().chain([total]).map(String::as_str).collect(),
                _ => Vec::new(),
            };
            if present(&keys)? {
                out.push(r.clone());
            }
        }
        Ok(out)
    }

    /// The report's sections whose figures the data lacks, one line each,
    /// naming the file (or setting) that would fill it: the default
    /// template leaves each such section (or sentence) out.
    #[must_use]
    pub fn missing_sections(&self) -> Vec<String> {
        let has = |k: &str| self.data.figures.get(k).is_some();
        SECTIONS
            .iter()
            .filter(|(_, keys, _)| !keys.iter().all(|k| has(k)))
            .map(|(section, _, file)| format!("“{section}”未写入：缺少{file}"))
            .collect()
    }

    /// Check `doc`, rendered from [`CountyReport::data`]: the relations
    /// between its figures, then its text read as a careful reader would.
    ///
    /// # Errors
    /// As [`CountyReport::relations`], and a relation the figures cannot
    /// be checked by ([`Error::Report`]).
    pub fn validate(&self, doc: &Document) -> Result<Validation, Error> {
        let mut validation = validate_figures(&self.data.figures, &self.relations()?)?;
        validation.extend(self.plans_worded_as_plans(doc));
        validation.extend(validate_text(&to_text(doc)?));
        Ok(validation)
    }

    /// Every plan figure printed in `doc` stands in a clause that words it
    /// as a plan: 可、能、将、计划、预计 or 力争 before it in the clause.
    #[must_use]
    pub fn plans_worded_as_plans(&self, doc: &Document) -> Validation {
        const WORDS: [&str; 6] = ["可", "能", "将", "计划", "预计", "力争"];
        let mut out = Validation::default();
        for block in &doc.blocks {
            let Block::Paragraph(inlines) = block else { continue };
            let mut clause = String::new();
            for inline in inlines {
                match inline {
                    Inline::Text(t) => {
                        for ch in t.chars() {
                            if matches!(ch, '，' | '；' | '。' | '：') {
                                clause.clear();
                            } else {
                                clause.push(ch);
                            }
                        }
                    }
                    Inline::Figure(f) => {
                        if self.plans.contains(&f.key) {
                            let ok = WORDS.iter().any(|w| clause.contains(w));
                            out.checks.push(Check {
                                kind: CheckKind::Date,
                                location: format!("{clause}{}", f.display()),
                                numbers: vec![f.display()],
                                consistent: ok,
                                message: if ok {
                                    format!("{}为规划数，按规划表述", f.label)
                                } else {
                                    format!("{}为规划数，句中未以“可”“将”“计划”等表述，不得写作已完成", f.label)
                                },
                            });
                        }
                        clause.push_str(&f.display());
                    }
                }
            }
        }
        out
    }

    /// Append the data appendix (every figure printed, with its source) and
    /// the validation summary to `doc`.
    pub fn push_appendices(&self, doc: &mut Document, validation: &Validation) {
        doc.push_data_appendix("附件1");
        doc.push_appendix("附件2", "数据校核结果");
        doc.text(format!(
            "对报告所用数据之间的勾稽关系（分项与合计、比率与分子分母、金额与人数和标准）及报告正文逐句校核，{}。",
            validation.summary()
        ));
        doc.table(validation.table("数据校核明细"));
        let missing = self.missing_sections();
        if !missing.is_empty() {
            doc.push_appendix("附件3", "未写入报告的内容");
            for line in missing {
                doc.text(line);
            }
        }
    }
}

/// Each section of the default template that needs data beyond the
/// students, households and schools: its name, the figures it needs and
/// the file (or setting) that would give them.
const SECTIONS: &[(&str, &[&str], &str)] = &[
    (
        "控辍保学（近三年巩固率）",
        &[
            "retention_primary_y1",
            "retention_primary_y2",
            "retention_primary_y3",
            "retention_junior_y1",
            "retention_junior_y2",
            "retention_junior_y3",
        ],
        "各年级入学、转入转出和毕业人数文件 grade_counts.csv（三个学年）",
    ),
    (
        "生源地信用助学贷款",
        &["loans_y1_persons", "loans_y1_amount"],
        "助学贷款文件 loans.csv（贷款年度、借款人、贷款金额）",
    ),
    (
        "三类残疾儿童入学率",
        &["disabled_enrolment_rate"],
        "残疾儿童文件 disabled.csv",
    ),
    (
        "随迁子女占比",
        &["migrant_share"],
        "students.csv 中城区小学生的随迁子女标记",
    ),
    (
        "化解城区大班额",
        &["class_size_before", "class_size_after"],
        "班级文件 classes.csv（本学年及以后学年的城区公办小学班级）",
    ),
    (
        "帮扶责任人覆盖率",
        &["helper_coverage"],
        "households.csv 中的建档立卡家庭（及 students.csv 的帮扶责任人列）",
    ),
    (
        "义务教育生活补助",
        &[
            "living_subsidy_students",
            "living_subsidy_primary_standard",
            "living_subsidy_junior_standard",
        ],
        "政策中的生活补助项目（living-subsidy）",
    ),
    (
        "营养改善计划",
        &["nutrition_amount", "nutrition_days", "nutrition_students_first"],
        "schools.csv 的 nutrition_plan_from 列和政策中的校历（nutrition）",
    ),
    (
        "非普惠性幼儿园建档立卡幼儿资助",
        &["preschool_aid_standard", "preschool_aid_students"],
        "政策参数 preschool-aid.annual（如 --policy hunan-county-2016）",
    ),
    (
        "雨露计划",
        &["rain_dew_students", "rain_dew_standard"],
        "政策中的雨露计划项目（rain-and-dew）",
    ),
    (
        "资金发放核对",
        &["payments_count"],
        "资金发放记录文件 disbursements.csv",
    ),
    ("专任教师", &["teachers_total"], "教师文件 teachers.csv"),
];

/// What a source speaks of, for the file it names.
#[derive(Debug, Clone, Copy)]
enum Origin {
    /// Students, households, counts, entitlements.
    Roster,
    /// Schools and their classes.
    Schools,
    /// Payments.
    Payments,
    /// A setting: no file.
    Input,
}

impl Presentation {
    /// The source of a figure, in the chosen language, naming its file.
    fn source(&self, program: Option<&str>, origin: Origin, zh: &str, en: &str) -> Source {
        let text = match self.sources {
            SourceLanguage::Chinese => zh,
            SourceLanguage::English => en,
        };
        let file = match origin {
            Origin::Roster => self.roster_file.as_ref(),
            Origin::Schools => self.schools_file.as_ref(),
            Origin::Payments => self.payments_file.as_ref(),
            Origin::Input => None,
        };
        let mut source = Source::indicator(text);
        source.program = program.map(str::to_string);
        source.file = file.cloned();
        source
    }

    /// The source of a figure the eligibility engine computed for `program`.
    fn engine(&self, program: &str, zh: &str, en: &str) -> Source {
        self.source(Some(program), Origin::Roster, zh, &format!("eligibility: {en}"))
    }
}

/// Figures being gathered.
struct Gather<'a> {
    data: ReportData,
    left_out: Vec<Error>,
    /// Relations of figures counted from records.
    records: Vec<Relation>,
    /// The day each dated figure describes.
    dated: Vec<(String, NaiveDate)>,
    /// Figures that are plans (a later year's planned classes), to be worded
    /// as plans (可、能、将、计划).
    plans: BTreeSet<String>,
    settings: &'a Settings,
    /// The urban district, as set or found.
    urban: String,
}

impl<'a> Gather<'a> {
    /// The presentation.
    fn p(&self) -> &'a Presentation {
        &self.settings.presentation
    }

    /// Add a figure, or leave it out (noting why) or fail, as set.
    fn add(&mut self, figure: Result<Figure, Error>) -> Result<(), Error> {
        match figure.and_then(|f| self.data.figure(f).map(|_| ()).map_err(Error::from)) {
            Ok(()) => Ok(()),
            Err(e) if self.settings.on_missing == Missing::Fail => Err(e),
            Err(e) => {
                self.left_out.push(e);
                Ok(())
            }
        }
    }

    /// Something the data does not have at all: an error only if failing.
    fn absent(&self, e: Error) -> Result<(), Error> {
        match self.settings.on_missing {
            Missing::Fail => Err(e),
            Missing::LeaveOut => Ok(()),
        }
    }

    /// Add a count.
    fn count(&mut self, key: &str, label: &str, n: u64, unit: &str, source: Source) -> Result<(), Error> {
        self.add(Ok(Figure::count(key, label, n, unit, source)))
    }

    /// Add a count computed as a wide integer.
    fn count_of(&mut self, key: &str, label: &str, n: i128, unit: &str, source: Source) -> Result<(), Error> {
        let n = u64::try_from(n).map_err(Error::from);
        self.add(n.map(|n| Figure::count(key, label, n, unit, source)))
    }

    /// Add an amount shown in 万元.
    fn wan(&mut self, key: &str, label: &str, amount: Money, source: Source) -> Result<(), Error> {
        self.add(Ok(Figure::money(key, label, amount, source).in_wan_yuan()))
    }

    /// Program `id`'s totals, if the engine has it.
    fn program<'t>(&self, totals: &'t Totals, id: &str) -> Result<Option<&'t ProgramTotals>, Error> {
        match totals.program(id) {
            Some(p) => Ok(Some(p)),
            None => self
                .absent(Error::NoProgram {
                    program: id.to_string(),
                })
                .map(|()| None),
        }
    }
}

/// A rate figure of `dp` decimal places.
fn rate(key: &str, label: &str, numerator: i128, denominator: i128, dp: u32, source: Source) -> Result<Figure, Error> {
    let negative = || Error::NegativeCount {
        key: key.to_string(),
        numerator,
        denominator,
    };
    let n = u64::try_from(numerator).map_err(|_| negative())?;
    let d = u64::try_from(denominator).map_err(|_| negative())?;
    let r = Rate::new(n, d, dp).map_err(|source| Error::Rate {
        key: key.to_string(),
        label: label.to_string(),
        source,
    })?;
    Ok(Figure::rate(key, label, r, source))
}

/// `amount` divided exactly into `parts` (at least one).
fn per(amount: Money, parts: u64, what: &str) -> Result<Money, Error> {
    amount
        .checked_div_exact(parts.max(1))
        .map_err(|reason| Error::Division {
            what: what.to_string(),
            reason,
        })
}

/// A policy parameter's value for `stage` on `on`.
fn parameter(engine: &Engine, name: &str, stage: Stage, on: NaiveDate) -> Result<Money, Error> {
    engine
        .policy()
        .and_then(|p| p.parameter(name))
        .and_then(|p| p.at(on))
        .and_then(|v| v.value.for_stage(stage))
        .ok_or_else(|| Error::NoParameter {
            name: name.to_string(),
            stage,
            on,
        })
}

/// The urban district: as set, else the township of the urban schools with
/// the most students, else 城区.
fn urban_district(roster: &MemoryRoster, set: Option<&str>) -> String {
    if let Some(u) = set {
        return u.to_string();
    }
    let urban: HashMap<_, &str> = roster
        .schools()
        .filter(|s| s.locality == Locality::Urban)
        .map(|s| (&s.id, s.township.as_str()))
        .collect();
    let mut n: BTreeMap<&str, u64> = BTreeMap::new();
    for s in roster.students() {
        if let Some(t) = urban.get(&s.school_id) {
            *n.entry(*t).or_default() += 1;
        }
    }
    n.into_iter()
        .max_by_key(|(_, c)| *c)
        .map_or_else(|| "城区".to_string(), |(t, _)| t.to_string())
}

/// The report's words: county, bureau, period, urban district, the date.
fn words(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let s = g.settings;
    let spring = c.spring;
    g.data.var("county", s.county.clone())?;
    let bureau = s.bureau.clone().unwrap_or_else(|| format!("{}教育局", s.county));
    g.data.var("bureau", bureau)?;
    let to = s.addressee.clone().unwrap_or_else(|| format!("{}人民政府", s.county));
    g.data.var("addressee", to)?;
    g.data.var("school_year", spring.year.to_chinese())?;
    g.data.var("spring_term", spring.to_chinese())?;
    g.data.var("urban_district", g.urban.clone())?;
    let years: Vec<String> = (0..3)
        .rev()
        .filter_map(|k| spring.year.offset(-k))
        .map(SchoolYear::to_chinese)
        .collect();
    g.data.list("retention_years", years)?;
    if let Some(day) = s.report_date {
        let source = g
            .p()
            .source(None, Origin::Input, "报告设置（输入）", "report settings (input)");
        g.add(Ok(Figure::date("report_date", "报告日期", day, source)))?;
    }
    Ok(())
}

/// Students in school on the term's reference date by stage, the
/// registered-poor and their helpers, teachers.
fn enrolment(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let on = c.spring.reference_date();
    let homes: HashMap<_, &Household> = c.roster.households().map(|h| (&h.id, h)).collect();
    let mut by_stage: BTreeMap<Stage, u64> = BTreeMap::new();
    let (mut poor, mut helped) = (0u64, 0u64);
    for s in c.roster.students().iter().filter(|s| s.in_school_on(on)) {
        *by_stage.entry(s.stage).or_default() += 1;
        let registered = s
            .household_id
            .as_ref()
            .and_then(|h| homes.get(h))
            .is_some_and(|h| h.registered_poor_on(on));
        if registered {
            poor += 1;
            if s.helper.is_some() {
                helped += 1;
            }
        }
    }
    let n = |s: Stage| by_stage.get(&s).copied().unwrap_or(0);
    let total: u64 = [
        Stage::Preschool,
        Stage::Primary,
        Stage::Junior,
        Stage::Senior,
        Stage::Vocational,
    ]
    .into_iter()
    .map(n)
    .sum();
    let p = g.p();
    let src = p.source(
        None,
        Origin::Roster,
        &format!("名册：{on}在校生按学段"),
        &format!("students in school on {on}, by stage"),
    );
    for (key, label, v) in [
        ("students_preschool", "在园幼儿", n(Stage::Preschool)),
        ("students_primary", "小学在校生", n(Stage::Primary)),
        ("students_junior", "初中在校生", n(Stage::Junior)),
        (
            "students_senior_stage",
            "高中阶段在校生（普通高中和中职）",
            n(Stage::Senior) + n(Stage::Vocational),
        ),
        ("students_total", "在校学生总计", total),
    ] {
        g.count(key, label, v, "人", src.clone())?;
        g.dated.push((key.to_string(), on));
    }
    let psrc = p.source(
        None,
        Origin::Roster,
        &format!("名册：{on}在校且家庭为建档立卡"),
        &format!("students in school on {on} whose household is registered poor"),
    );
    g.count("poor_students_total", "建档立卡在校学生", poor, "人", psrc.clone())?;
    g.count(
        "poor_students_with_helper",
        "已落实帮扶责任人的建档立卡学生",
        helped,
        "人",
        psrc.clone(),
    )?;
    g.add(rate(
        "helper_coverage",
        "帮扶责任人覆盖率",
        i128::from(helped),
        i128::from(poor),
        2,
        psrc,
    ))?;
    let year = c.spring.year;
    if !c.counts.teachers.iter().any(|t| t.year == year) {
        return g.absent(Error::NoTeachers { year });
    }
    let teachers: u64 = c
        .counts
        .teachers
        .iter()
        .filter(|t| t.year == year)
        .map(|t| t.teachers)
        .sum();
    let src = p.source(
        None,
        Origin::Roster,
        &format!("基表：{}专任教师", year.to_chinese()),
        &format!("teachers {year}"),
    );
    g.count(
        "teachers_total",
        &format!("专任教师（{}）", year.to_chinese()),
        teachers,
        "人",
        src,
    )
}

/// Retention, disabled children, migrants, class sizes, rural schools and
/// the nutrition plan's batches.
fn statistics(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let s = g.settings;
    let p = g.p();
    let year = c.spring.year;
    let mut primary = Vec::new();
    let mut junior = Vec::new();
    let mut labels = Vec::new();
    let rsrc = p.source(
        None,
        Origin::Roster,
        "统计：巩固率＝毕业生÷（入学数＋转入－转出）",
        "stats: retention, graduates ÷ (intake + transfers in − transfers out)",
    );
    for (i, k) in (0..3).rev().enumerate() {
        let Some(y) = year.offset(-k) else { continue };
        labels.push(y.to_string().replace('-', "—"));
        for (kind, key, label, out) in [
            (
                RetentionKind::PrimarySixYear,
                "retention_primary",
                "小学六年巩固率",
                &mut primary,
            ),
            (
                RetentionKind::JuniorThreeYear,
                "retention_junior",
                "初中三年巩固率",
                &mut junior,
            ),
        ] {
            let r = retention(c.counts, kind, y, RetentionOptions::transfer_adjusted())?;
            let (fkey, flabel) = (format!("{key}_y{}", i + 1), format!("{label}（{}）", y.to_chinese()));
            let f = match &r.rate.not_computable {
                Some(m) => Err(Error::NotComputable {
                    key: fkey,
                    label: flabel,
                    reason: m.chinese(),
                }),
                None => rate(
                    &fkey,
                    &flabel,
                    r.rate.numerator(),
                    r.rate.denominator(),
                    2,
                    rsrc.clone(),
                ),
            };
            g.dated.push((format!("{key}_y{}", i + 1), y.last_day()));
            if let Ok(Figure {
                value: Value::Rate(rt), ..
            }) = &f
            {
                out.push(rt.percent());
            }
            g.add(f)?;
        }
    }
    let input = || p.source(None, Origin::Input, "省颁标准（输入）", "provincial standard (input)");
    if let Some(v) = s.junior_retention_standard {
        g.add(Ok(Figure::number(
            "retention_junior_standard",
            "初中三年巩固率省颁标准",
            v,
            None,
            "%",
            input(),
        )))?;
    }
    if primary.len() == labels.len() && junior.len() == labels.len() {
        let cats: Vec<&str> = labels.iter().map(String::as_str).collect();
        let series = Vec::from(
            [("小学六年巩固率", primary), ("初中三年巩固率", junior)].map(|(name, values)| Series {
                name: name.into(),
                values,
            }),
        );
        let mut chart = Chart::line("近三年小学六年、初中三年巩固率", "%", &cats, series);
        if let Some(v) = s.junior_retention_standard {
            chart = chart.with_threshold("初中省颁标准", v);
        }
        g.data.chart("retention", chart);
    }

    let disabled = disabled_enrolment_rate(c.counts, year, 6..=14, true)?;
    let dsrc = p.source(
        None,
        Origin::Roster,
        &format!("统计：{}6—14岁三类残疾儿童", year.to_chinese()),
        &format!("stats: disabled children aged 6-14, three kinds, {year}"),
    );
    g.count_of(
        "disabled_total",
        "6—14岁三类残疾儿童",
        disabled.denominator(),
        "人",
        dsrc.clone(),
    )?;
    g.count_of(
        "disabled_in_school",
        "其中在校",
        disabled.numerator(),
        "人",
        dsrc.clone(),
    )?;
    g.add(match &disabled.not_computable {
        Some(m) => Err(Error::NotComputable {
            key: "disabled_enrolment_rate".to_string(),
            label: "三类残疾儿童入学率".to_string(),
            reason: m.chinese(),
        }),
        None => rate(
            "disabled_enrolment_rate",
            "三类残疾儿童入学率",
            disabled.numerator(),
            disabled.denominator(),
            1,
            dsrc,
        ),
    })?;
    if let Some(v) = s.disabled_enrolment_standard {
        g.add(Ok(Figure::number(
            "disabled_standard",
            "三类残疾儿童入学率省颁标准",
            v,
            None,
            "%",
            input(),
        )))?;
    }

    let on = c.spring.reference_date();
    let urban = g.urban.clone();
    let msrc = p.source(
        None,
        Origin::Roster,
        &format!("统计：城区小学随迁子女占比（{on}）"),
        &format!("stats: migrant share of {urban}'s primary pupils, {on}"),
    );
    let filter = StudentFilter::stage(Stage::Primary).in_township(urban);
    match student_share(c.roster, &filter, on, StudentTrait::Migrant) {
        Ok(share) => {
            g.count_of(
                "migrant_children",
                "城区随迁子女",
                share.numerator(),
                "人",
                msrc.clone(),
            )?;
            g.count_of(
                "urban_primary_pupils",
                "城区小学在校生",
                share.denominator(),
                "人",
                msrc.clone(),
            )?;
            g.add(rate(
                "migrant_share",
                "随迁子女占城区小学在校生比例",
                share.numerator(),
                share.denominator(),
                2,
                msrc,
            ))?;
        }
        Err(e) => g.add(Err(e.into()))?,
    }

    class_sizes(g, c)?;

    let teaches_compulsory = |k: SchoolKind| k.teaches(Stage::Primary) || k.teaches(Stage::Junior);
    let rural = c
        .roster
        .schools()
        .filter(|s| s.locality == Locality::Rural && teaches_compulsory(s.kind))
        .count();
    let src = p.source(
        None,
        Origin::Roster,
        "名册：农村小学、初中和教学点",
        "schools: rural, teaching primary or junior",
    );
    g.count(
        "rural_schools",
        "农村义务教育学校和教学点",
        u64::try_from(rural).unwrap_or(0),
        "所",
        src,
    )?;
    nutrition_batches(g, c)
}

/// Class sizes of the public urban primaries in the report's year and a
/// later one, and the first-year caps.
fn class_sizes(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let s = g.settings;
    let p = g.p();
    let year = c.spring.year;
    let filter = ClassFilter {
        stage: Some(Stage::Primary),
        locality: Some(Locality::Urban),
        ownership: Some(Ownership::Public),
        ..ClassFilter::default()
    };
    let series = class_size_series(c.roster.schools(), &filter);
    let later = s
        .class_sizes_after
        .or_else(|| series.years().into_iter().filter(|y| *y >= year).max());
    let (Some(before), Some(after)) = (series.get(year), later.and_then(|y| series.get(y))) else {
        return g.add(Err(Error::NoClasses { year }));
    };
    let planned = s.report_date.is_some_and(|d| after.year.first_day() > d);
    let csrc = |cs: &ClassSizes| {
        let y = cs.year.start_year();
        let what = if planned && cs.year == after.year {
            "规划：班级文件所列城区公办小学计划班额"
        } else {
            "统计：城区公办小学班额"
        };
        p.source(
            None,
            Origin::Schools,
            &format!("{what}（{y}-{:02}）", (y + 1).rem_euclid(100)),
            &format!("stats: class sizes of the public urban primaries, {}", cs.year),
        )
    };
    // Classes of a school year that begins after the report's date are a
    // plan (the schools' planned classes), worded as a plan.
    let tense = if planned { "plan" } else { "done" };
    g.data.var("class_sizes_tense", tense)?;
    for (key, cs) in [("urban_classes_before", before), ("urban_classes_after", after)] {
        let what = if planned && key.ends_with("after") {
            "规划"
        } else {
            ""
        };
        let label = format!("城区公办小学{what}班级数（{}）", cs.year.to_chinese());
        g.count(key, &label, cs.classes, "个班", csrc(cs))?;
    }
    for key in ["urban_classes_after", "class_size_after"] {
        g.dated.push((key.to_string(), after.year.first_day()));
        if planned {
            g.plans.insert(key.to_string());
        }
    }
    g.dated.push(("urban_classes_before".into(), before.year.first_day()));
    g.count(
        "urban_public_pupils",
        "城区公办小学在校生",
        before.pupils,
        "人",
        csrc(before),
    )?;
    let avg = |cs: &ClassSizes| {
        Decimal::from(cs.pupils)
            .checked_div(Decimal::from(cs.classes.max(1)))
            .unwrap_or_default()
    };
    for (key, cs) in [("class_size_before", before), ("class_size_after", after)] {
        let what = if planned && key.ends_with("after") {
            "规划"
        } else {
            ""
        };
        let label = format!("{what}平均班额（{}）", cs.year.to_chinese());
        g.add(Ok(Figure::number(key, label, avg(cs), Some(1), "人", csrc(cs))))?;
    }
    let caps = [
        (
            Stage::Primary,
            "class_cap_primary",
            "小学起始年级班额上限",
            s.class_cap_primary,
        ),
        (
            Stage::Junior,
            "class_cap_junior",
            "初中起始年级班额上限",
            s.class_cap_junior,
        ),
    ];
    let from = match s.class_caps_from {
        Some(y) => y,
        None => SchoolYear::new(CLASS_CAPS_FROM)?,
    };
    let checked: Vec<ClassCap> = caps
        .iter()
        .filter_map(|(stage, _, _, max)| {
            Some(ClassCap {
                stage: *stage,
                grade: Some(1),
                max: u32::try_from((*max)?).ok()?,
                from,
            })
        })
        .collect();
    let breaches = check_caps(c.roster.schools(), from, &ClassFilter::default(), &checked);
    let cap_src = p.source(
        None,
        Origin::Input,
        &format!(
            "政策输入：{}年秋季起起始年级班额上限；{}超额班级{}个",
            from.start_year(),
            from.to_chinese(),
            breaches.len()
        ),
        "class-size cap (policy input)",
    );
    for (_, key, label, max) in caps {
        if let Some(n) = max {
            g.count(key, label, n, "人", cap_src.clone())?;
        }
    }
    let band =
        |cs: &ClassSizes, b: SizeBand| Decimal::from(cs.bands.iter().find(|x| x.band == b).map_or(0, |x| x.classes));
    let bands = [
        SizeBand::Normal,
        SizeBand::Above45,
        SizeBand::Large,
        SizeBand::SuperLarge,
    ];
    let series = Vec::from([before, after].map(|cs| Series {
        name: if planned && cs.year == after.year {
            format!("{}（规划）", cs.year.to_chinese())
        } else {
            cs.year.to_chinese()
        },
        values: bands.iter().map(|b| band(cs, *b)).collect(),
    }));
    g.data.chart(
        "class_sizes",
        Chart::bar(
            "城区公办小学班额分布",
            "个班",
            &["45人及以下", "46—55人", "大班额56—65人", "超大班额66人及以上"],
            series,
        ),
    );
    Ok(())
}

/// The nutrition plan's two batches: their days, schools and students.
fn nutrition_batches(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
    let p = g.p();
    let [first_day, second_day] = match g.settings.nutrition_batches {
        Some(days) => days,
        None => {
            let days: BTreeSet<NaiveDate> = c.roster.schools().filter_map(|s| s.nutrition_plan_from).collect();
            match (days.first(), days.last()) {
                (Some(a), Some(b)) => [*a, *b],
                _ => return g.add(Err(Error::NoNutritionPlan)),
            }
        }
    };
    let in_plan = |d: NaiveDate| -> BTreeSet<&SchoolId> {
        c.roster
            .schools()
            .filter(|s| s.in_nutrition_plan_on(d))
            .map(|s| &s.id)
            .collect()
    };
    let at = |schools: &BTreeSet<&SchoolId>, d: NaiveDate| {
        let n = c
            .roster
            .students()
            .iter()
            .filter(|s| schools.contains(&s.school_id) && s.in_school_on(d))
            .count();
        u64::try_from(n).unwrap_or(0)
    };
    let first = in_plan(first_day);
    let second = in_plan(second_day);
    let second_year = SchoolYear::containing(second_day);
    let grades = || c.counts.grades.iter().filter(|gc| gc.year == second_year);
    let (second_students, zh, en) = if grades().next().is_some() {
        let n = grades()
            .filter_map(|gc| second.contains(&gc.school_id).then_some(gc.enrolled))
            .sum();
        (
            n,
            format!("基表：上述学校{}在校生", second_year.to_chinese()),
            format!("{second_year} grade counts of those schools"),
        )
    } else {
        (
            at(&second, second_day),
            format!("名册：上述学校{second_day}在校生"),
            format!("students in school at those schools on {second_day}"),
        )
    };
    let nsrc = |zh: &str, en: &str| p.source(Some("nutrition"), Origin::Schools, zh, en);
    let joined = nsrc("名册：学校纳入营养改善计划日期", "schools.nutrition_plan_from");
    g.add(Ok(Figure::date(
        "nutrition_start_date",
        "营养改善计划第一批启动日期",
        first_day,
        joined.clone(),
    )))?;
    g.add(Ok(Figure::date(
        "nutrition_second_date",
        "营养改善计划第二批启动日期",
        second_day,
        joined,
    )))?;
    let schools_on = |d: NaiveDate| {
        nsrc(
            &format!("名册：{d}在计划内的学校"),
            &format!("schools in the plan on {d}"),
        )
    };
    let n_first = u64::try_from(first.len()).unwrap_or(0);
    let n_second = u64::try_from(second.len()).unwrap_or(0);
    g.count(
        "nutrition_schools_first",
        "营养改善计划第一批学校",
        n_first,
        "所",
        schools_on(first_day),
    )?;
    g.count(
        "nutrition_students_first",
        "营养改善计划第一批受益学生",
        at(&first, first_day),
        "人",
        nsrc(
            &format!("名册：上述学校{first_day}在校生"),
            &format!("students in school at those schools on {first_day}"),
        ),
    )?;
    g.count(
        "nutrition_schools_second",
        "营养改善计划第二批学校",
        n_second,
        "所",
        schools_on(second_day),
    )?;
    for key in [
        "nutrition_second_date",
        "nutrition_schools_second",
        "nutrition_students_second",
    ] {
        g.dated.push((key.to_string(), second_day));
    }
    g.count(
        "nutrition_students_second",
        "营养改善计划第二批受益学生",
        second_students,
        "人",
        nsrc(&zh, &en),
    )
}

/// A program paid per student at a yearly standard (学前教育资助,
/// 中职国家助学金): its standard, students and amount.
struct Grant {
    /// The program id.
    id: &'static str,
    /// The policy parameter of its yearly standard.
    parameter: &'static str,
    /// The stage the standard is read for.
    stage: Stage,
    /// Key and label of the standard, the students and the amount.
    standard: [&'static str; 2],
    students: [&'static str; 2],
    amount: [&'static str; 2],
}

/// Add a [`Grant`]'s three figures.
fn grant(g: &mut Gather<'_>, c: &County<'_>, totals: &Totals, grant: &Grant) -> Result<(), Error> {
    let Some(t) = g.program(totals, grant.id)? else {
        return Ok(());
    };
    let p = g.p();
    let [key, label] = grant.standard;
    let standard = parameter(c.engine, grant.parameter, grant.stage, c.spring.reference_date());
    let what = format!("政策参数 {}", grant.parameter);
    let src = p.engine(grant.id, &what, &format!("parameter {}", grant.parameter));
    g.add(standard.map(|m| Figure::money(key, label, m, src)))?;
    let [key, label] = grant.students;
    g.count(
        key,
        label,
        t.total.persons,
        "人",
        p.engine(grant.id, "测算：春季学期人数", "persons"),
    )?;
    let [key, label] = grant.amount;
    g.wan(
        key,
        label,
        t.total.amount,
        p.engine(grant.id, "测算：春季学期金额", "amount"),
    )
}

/// Aid of the spring term by program and stage.
fn aid(g: &mut Gather<'_>, c: &County<'_>, e: &Entitlements) -> Result<(), Error> {
    let p = g.p();
    let spring = c.spring;
    let on = spring.reference_date();
    if let Some(living) = g.program(&e.totals, "living-subsidy")? {
        let src = |zh: &str, en: &str| p.engine("living-subsidy", zh, en);
        g.count(
            "living_subsidy_students",
            "义务教育生活补助受助学生",
            living.total.persons,
            "人",
            src("测算：春季学期人数", "persons"),
        )?;
        let stages = [
            (
                Stage::Primary,
                "living_subsidy_primary",
                "其中小学",
                "living_subsidy_primary_standard",
                "小学生活补助标准（每生每学期）",
            ),
            (
                Stage::Junior,
                "living_subsidy_junior",
                "其中初中",
                "living_subsidy_junior_standard",
                "初中生活补助标准（每生每学期）",
            ),
        ];
        for (stage, key, label, ..) in stages {
            let n = living.by_stage.get(&stage).map_or(0, |t| t.persons);
            g.count(key, label, n, "人", src("测算：按学段人数", "persons by stage"))?;
        }
        for (stage, .., key, label) in stages {
            let t = living.by_stage.get(&stage).copied().unwrap_or_default();
            let src = src("测算：按学段金额÷人次", "amount ÷ person-terms by stage");
            g.add(per(t.amount, t.person_terms, label).map(|m| Figure::money(key, label, m, src)))?;
        }
        g.wan(
            "living_subsidy_amount",
            "义务教育生活补助资金",
            living.total.amount,
            src("测算：春季学期金额", "amount"),
        )?;
    }
    if let Some(nutrition) = g.program(&e.totals, "nutrition")? {
        let src = |zh: &str, en: &str| p.engine("nutrition", zh, en);
        let daily = parameter(c.engine, "nutrition.daily", Stage::Primary, on);
        let dsrc = src("政策参数 nutrition.daily", "parameter nutrition.daily");
        let daily_amount = daily.as_ref().ok().copied();
        g.add(daily.map(|d| Figure::money("nutrition_daily", "营养膳食补助标准（每生每天）", d, dsrc)))?;
        let window = c.engine.policy().and_then(|p| p.calendar().window(spring));
        let start = match g.data.figures.get("nutrition_start_date").map(|f| &f.value) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        match (window, start) {
            (Some(w), Some(start)) => g.count(
                "nutrition_days",
                "营养改善计划春季学期供餐天数",
                w.school_days(start, spring.last_day()),
                "天",
                src(
                    &format!("政策校历：{start}起上课日"),
                    "school days of the policy calendar from the first batch's start",
                ),
            )?,
            _ => g.add(Err(Error::NoCalendar { term: spring }))?,
        }
        g.wan(
            "nutrition_amount",
            "营养膳食补助资金（第一批）",
            nutrition.total.amount,
            src("测算：春季学期金额", "amount"),
        )?;
        // Students in school for only part of the days (joined or left
        // mid-term) are paid by their own days: then the amount is less than
        // students × days × daily, and the report says by how much.
        let count = |key: &str| match g.data.figures.get(key).map(|f| &f.value) {
            Some(Value::Count { n, .. }) => Some(*n),
            _ => None,
        };
        let full = daily_amount
            .zip(count("nutrition_days"))
            .zip(count("nutrition_students_first"))
            .and_then(|((d, days), n)| d.checked_mul_count(days)?.checked_mul_count(n));
        if let Some(full) = full.filter(|f| *f > nutrition.total.amount) {
            g.wan(
                "nutrition_full_amount",
                "营养膳食补助资金（按全部学生全勤测算）",
                full,
                src("测算：受益学生×供餐天数×每天标准", "students × days × daily"),
            )?;
            g.wan(
                "nutrition_part_days_reduction",
                "营养膳食补助资金（部分天数在校学生少发）",
                full - nutrition.total.amount,
                src("测算：全勤测算−春季学期金额", "full-attendance amount − amount"),
            )?;
        }
    }
    let preschool = Grant {
        id: "preschool-aid",
        parameter: "preschool-aid.annual",
        stage: Stage::Preschool,
        standard: ["preschool_aid_standard", "学前教育资助标准（每生每年）"],
        students: ["preschool_aid_students", "学前教育受助幼儿"],
        amount: ["preschool_aid_amount", "学前教育资助资金"],
    };
    grant(g, c, &e.totals, &preschool)?;
    senior_grant(g, e)?;
    let vocational = Grant {
        id: "vocational-grant",
        parameter: "vocational-grant.annual",
        stage: Stage::Vocational,
        standard: ["vocational_grant_standard", "中职国家助学金标准（每生每年）"],
        students: ["vocational_grant_students", "中职国家助学金受助学生"],
        amount: ["vocational_grant_amount", "中职国家助学金"],
    };
    grant(g, c, &e.totals, &vocational)?;
    rain_and_dew(g, c, e)?;
    aid_tables(g, spring, &e.totals)
}

/// The senior grant's students, its two tiers and amount.
fn senior_grant(g: &mut Gather<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(senior) = g.program(&e.totals, "senior-grant")? else {
        return Ok(());
    };
    let p = g.p();
    let src = |zh: &str, en: &str| p.engine("senior-grant", zh, en);
    let tiers: Vec<u64> = e.senior_grant_tiers.values().rev().copied().collect();
    for (key, label, n, source) in [
        (
            "senior_grant_students",
            "普通高中国家助学金受助学生",
            senior.total.persons,
            src("测算：春季学期人数", "persons"),
        ),
        (
            "senior_grant_tier1",
            "其中一档",
            tiers.first().copied().unwrap_or(0),
            src("测算：按较高标准的人数", "entitlements at the highest amount"),
        ),
        (
            "senior_grant_tier2",
            "其中二档",
            tiers.iter().skip(1).sum(),
            src("测算：按较低标准的人数", "entitlements at the lower amounts"),
        ),
    ] {
        g.count(key, label, n, "人", source)?;
    }
    g.wan(
        "senior_grant_amount",
        "普通高中国家助学金",
        senior.total.amount,
        src("测算：春季学期金额", "amount"),
    )
}

/// The Rain-and-Dew plan over the school year's two terms.
fn rain_and_dew(g: &mut Gather<'_>, c: &County<'_>, e: &Entitlements) -> Result<(), Error> {
    let Some(rd) = g.program(&e.two_terms, "rain-and-dew")? else {
        return Ok(());
    };
    let p = g.p();
    let src = |zh: &str, en: &str| p.engine("rain-and-dew", zh, en);
    let spring = c.spring;
    let autumn = spring.prev().unwrap_or(spring);
    for (term, key, label) in [
        (autumn, "rain_dew_autumn_standard", "雨露计划秋季学期标准"),
        (spring, "rain_dew_spring_standard", "雨露计划春季学期标准"),
    ] {
        let m = parameter(
            c.engine,
            "rain-and-dew.per-term",
            Stage::Vocational,
            term.reference_date(),
        );
        let source = src("政策参数 rain-and-dew.per-term", "parameter rain-and-dew.per-term");
        g.add(m.map(|m| Figure::money(key, label, m, source)))?;
    }
    let standard = per(rd.total.amount, rd.total.persons, "rain-and-dew amount per student");
    let source = src("测算：两学期金额÷人数", "amount ÷ persons over the two terms");
    g.add(standard.map(|m| Figure::money("rain_dew_standard", "雨露计划补助标准（每人两学期）", m, source)))?;
    g.count(
        "rain_dew_students",
        "雨露计划受助学生",
        rd.total.persons,
        "人",
        src("测算：两学期人数", "persons"),
    )?;
    g.count(
        "rain_dew_person_terms",
        "雨露计划受助人次",
        rd.total.person_terms,
        "人次",
        src("测算：两学期人次", "person-terms"),
    )?;
    g.wan(
        "rain_dew_amount",
        "雨露计划补助资金",
        rd.total.amount,
        src("测算：两学期金额", "amount"),
    )
}

/// Short program names for chart labels.
fn short_name(id: &str) -> Option<&'static str> {
    Some(match id {
        "preschool-aid" => "学前资助",
        "fee-waiver" => "免学杂费",
        "free-textbooks" => "免费教科书",
        "living-subsidy" => "生活补助",
        "nutrition" => "营养餐",
        "senior-grant" => "普高助学金",
        "senior-fee-waiver" => "普高免学杂费",
        "vocational-grant" => "中职助学金",
        "vocational-tuition-waiver" => "中职免学费",
        "rain-and-dew" => "雨露计划",
        _ => return None,
    })
}

/// The table of every program owed in the term, and the charts by program
/// and by stage.
fn aid_tables(g: &mut Gather<'_>, spring: Term, totals: &Totals) -> Result<(), Error> {
    let term = spring.to_chinese();
    let mut t = Table::new(
        format!("{term}各项学生资助情况"),
        &["资助项目", "学段", "受助学生（人）", "人次", "资金（万元）"],
    );
    let mut names = Vec::new();
    let mut amounts = Vec::new();
    let mut by_stage: BTreeMap<Stage, Money> = BTreeMap::new();
    for program in totals
        .programs
        .iter()
        .filter(|p| p.benefit.is_owed() && p.total.persons > 0)
    {
        let stages: Vec<&str> = program.by_stage.keys().map(|s| s.chinese()).collect();
        let row = t.push_row(vec![
            Inline::text(program.name.clone()),
            Inline::text(stages.join("、")),
            Inline::text(program.total.persons.to_string()),
            Inline::text(program.total.person_terms.to_string()),
            Inline::text(program.total.amount.wan_yuan().normalize().to_string()),
        ]);
        if let Err(e) = row {
            g.add(Err(e.into()))?;
        }
        let short = short_name(program.id.as_str());
        names.push(short.map_or_else(|| program.name.clone(), str::to_string));
        amounts.push(program.total.amount.wan_yuan());
        for (s, tally) in &program.by_stage {
            *by_stage.entry(*s).or_default() += tally.amount;
        }
    }
    g.data.table(
        "aid_by_program",
        t.with_note("资金为应发金额，按政策标准逐人计算，未舍入；人次为受助学生与学期的组合数。"),
    );
    let stage_names: Vec<String> = by_stage.keys().map(|s| s.chinese().to_string()).collect();
    let stage_amounts = by_stage.values().map(|m| m.wan_yuan()).collect();
    for (key, what, categories, values) in [
        ("aid_by_program", "各项目", names, amounts),
        ("aid_by_stage", "各学段", stage_names, stage_amounts),
    ] {
        let cats: Vec<&str> = categories.iter().map(String::as_str).collect();
        let series = vec![Series {
            name: "资助资金".into(),
            values,
        }];
        g.data.chart(
            key,
            Chart::bar(format!("{term}{what}资助资金"), "万元", &cats, series).with_label_dp(2),
        );
    }
    Ok(())
}

/// The records of each term and channel: their number and amount.
type Tally = BTreeMap<(Term, Channel), (u64, Money)>;

/// Count the records by term and payment channel.
fn tally(paid: &[Disbursement]) -> Tally {
    let mut t = Tally::new();
    for d in paid {
        let e = t.entry((d.term, d.channel)).or_insert((0, Money::ZERO));
        e.0 += 1;
        e.1 += d.amount;
    }
    t
}

/// What was owed against what was paid in the spring term, and every
/// term's records by payment channel.
fn reconciliation(
    g: &mut Gather<'_>,
    spring: Term,
    recon: &Reconciliation,
    paid: &[Disbursement],
) -> Result<(), Error> {
    let p = g.p();
    let src = |zh: &str, en: &str| {
        p.source(
            None,
            Origin::Payments,
            &format!("核对：{zh}"),
            &format!("eligibility: reconcile, {en}"),
        )
    };
    let term = spring.to_chinese();
    let by = tally(paid);
    // The report's figures, from the reconciliation of the term's records.
    g.count(
        "entitlements_count",
        &format!("{term}应发资助（学生、项目）"),
        recon.entitlements,
        "人次",
        src("应发人次", "entitlements in scope"),
    )?;
    g.count(
        "payments_count",
        &format!("{term}发放记录"),
        recon.records,
        "笔",
        src("本学期发放记录", "payment records of the term"),
    )?;
    g.wan(
        "paid_amount",
        &format!("{term}发放金额"),
        recon.paid,
        src("本学期发放金额", "amount paid in the term"),
    )?;
    let (mut n_all, mut a_all) = (0u64, Money::ZERO);
    let (mut count_keys, mut amount_keys) = (Vec::new(), Vec::new());
    for ((_, channel), (n, amount)) in by.iter().filter(|((t, _), _)| *t == spring) {
        let code = channel.code();
        let name = channel.chinese();
        let (ck, ak) = (format!("payments_{code}_count"), format!("payments_{code}_amount"));
        let basis = format!("{term}{name}记录");
        let csrc = src(&format!("{name}记录笔数"), &format!("records paid by {code}"));
        g.count(&ck, &format!("{term}{name}笔数"), *n, "笔", csrc)?;
        let asrc = src(&format!("{name}金额"), &format!("amount paid by {code}"));
        g.wan(&ak, &format!("{term}{name}金额"), *amount, asrc)?;
        g.records.push(Relation::Records {
            key: ck.clone(),
            records: Decimal::from(*n),
            basis: basis.clone(),
        });
        g.records.push(Relation::Records {
            key: ak.clone(),
            records: amount.as_decimal(),
            basis: format!("{basis}金额"),
        });
        g.dated.push((ck.clone(), spring.last_day()));
        g.dated.push((ak.clone(), spring.last_day()));
        count_keys.push(ck);
        amount_keys.push(ak);
        n_all += n;
        a_all += *amount;
    }
    g.records.push(Relation::Records {
        key: "payments_count".into(),
        records: Decimal::from(n_all),
        basis: format!("{term}全部发放记录"),
    });
    g.records.push(Relation::Records {
        key: "paid_amount".into(),
        records: a_all.as_decimal(),
        basis: format!("{term}全部发放记录金额"),
    });
    let kind = |k: FindingKind| recon.by_kind.get(&k).map_or(0, |c| c.records);
    for (key, label, k, unit, source) in [
        (
            "recon_unpaid",
            "应发未发",
            FindingKind::Unpaid,
            "人次",
            src("应发未发", "unpaid"),
        ),
        (
            "recon_duplicate",
            "重复发放",
            FindingKind::Duplicate,
            "笔",
            src("重复发放", "duplicate payments"),
        ),
        (
            "recon_after_leaving",
            "离校后发放",
            FindingKind::PaidAfterLeaving,
            "笔",
            src("离校后发放", "paid after leaving"),
        ),
    ] {
        g.count(key, label, kind(k), unit, source)?;
    }
    // Every term's records by channel, for the table.
    let mut t = Table::new(
        "发放记录按学期和发放方式统计",
        &["学期", "发放方式", "笔数", "金额（万元）"],
    );
    for ((term, channel), (n, amount)) in &by {
        let row = t.push_row(vec![
            Inline::text(term.to_chinese()),
            Inline::text(channel.chinese()),
            Inline::text(n.to_string()),
            Inline::text(amount.wan_yuan().normalize().to_string()),
        ]);
        if let Err(e) = row {
            g.add(Err(e.into()))?;
        }
    }
    g.data.table(
        "payments_by_term",
        t.with_note("按发放记录逐笔统计；金额未舍入。实物发放（如营养膳食）不是打卡发放。"),
    );
    for (parts, total) in [(count_keys, "payments_count"), (amount_keys, "paid_amount")] {
        g.records.push(Relation::Sum {
            parts,
            total: total.to_string(),
        });
    }
    Ok(())
}

/// The student loans (生源地信用助学贷款) of the last four loan years up to
/// the report's: persons (distinct borrowers) and amount of each, from
/// [`check_loans`], each figure also counted again from the records
/// ([`Relation::Records`]) and dated by its loan year's first day.
fn student_loans(g: &mut Gather<'_>, c: &County<'_>, loans: &[StudentLoan]) -> Result<(), Error> {
    let last = c.spring.calendar_year();
    // The totals do not depend on the caps; an engine built without a
    // policy checks against the national catalogue.
    let national;
    let policy = match c.engine.policy() {
        Some(p) => p,
        None => {
            national = crate::eligibility::Policy::national()?;
            &national
        }
    };
    let check = check_loans(loans, policy);
    let years: Vec<SchoolYear> = check.years.keys().copied().filter(|y| y.start_year() <= last).collect();
    let years = &years[years.len().saturating_sub(4)..];
    let source = g.p().source(
        Some("student-loan"),
        Origin::Input,
        "生源地信用助学贷款记录（贷款年度、借款人、贷款金额）",
        "student loans: the loan records (year, borrower, amount)",
    );
    let mut labels = Vec::new();
    for (i, y) in years.iter().enumerate() {
        let Some(t) = check.years.get(y) else { continue };
        let (pk, ak) = (format!("loans_y{}_persons", i + 1), format!("loans_y{}_amount", i + 1));
        let year = y.start_year();
        g.count(
            &pk,
            &format!("{year}年生源地信用助学贷款人数"),
            t.persons,
            "人",
            source.clone(),
        )?;
        g.wan(
            &ak,
            &format!("{year}年生源地信用助学贷款金额"),
            t.amount,
            source.clone(),
        )?;
        // Counted again from the records, not through the check.
        let of_year: Vec<&StudentLoan> = loans.iter().filter(|l| l.year == *y).collect();
        let borrowers: BTreeSet<&str> = of_year.iter().map(|l| l.borrower_id.as_str()).collect();
        let amount: Decimal = of_year.iter().map(|l| l.amount.as_decimal()).sum();
        g.records.push(Relation::Records {
            key: pk.clone(),
            records: Decimal::from(borrowers.len()),
            basis: format!("{year}年度贷款记录的借款人"),
        });
        g.records.push(Relation::Records {
            key: ak.clone(),
            records: amount,
            basis: format!("{year}年度贷款记录金额"),
        });
        g.dated.push((pk, y.first_day()));
        g.dated.push((ak, y.first_day()));
        labels.push(format!("{year}年"));
    }
    if !labels.is_empty() {
        g.data.list("loan_years", labels)?;
    }
    Ok(())
}

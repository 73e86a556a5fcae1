//! # The county work report's data (工作报告数据)
//!
//! Everything the county work report on education guarantee in poverty
//! alleviation (脱贫攻坚教育保障工作情况报告) prints, computed from what a
//! county has: its [`Roster`] (in memory, [`MemoryRoster`](crate::model::MemoryRoster),
//! or any backend: the students are read once), the
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
//! 2. [`County::build`] reads the roster once: the engine runs over the
//!    autumn and spring terms while the report counts what it prints of
//!    the students themselves ([`RosterFigures`]), giving the term's
//!    entitlements, the two terms of the Rain-and-Dew plan, the senior
//!    grant's tiers and, given the payments, the reconciliation
//!    ([`Entitlements`]); a progress callback
//!    ([`County::with_progress`]) follows the pass. It then gathers the words, figures, tables and charts
//!    of students by stage, registered-poor students and their helpers,
//!    retention over three years, disabled and migrant children, class sizes,
//!    the nutrition plan's two batches, every aid program and the
//!    reconciliation into a [`CountyReport`]. [`County::entitlements`] (the
//!    pass) and [`County::build_from`] split the two halves, for a caller
//!    that builds several reports from one pass.
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
//! One file per section: `enrolment` (students by stage, the
//! registered-poor and their helpers, teachers), `retention` (retention,
//! disabled and migrant children, rural schools), `class_sizes`,
//! `nutrition` (the plan's batches), `aid` (every program of the term),
//! `payments` (the reconciliation), `loans` (student loans), [`cited`
//! figures](cited_figure) (引用数据), `checks` (the relations and the
//! text), `working_paper` (the appendices of the 底稿) and `gather` (how a
//! figure is added, its source, the words), and `pass` (the one pass over
//! the roster). [`keys`] lists every figure key ([`Key`]) with its section
//! and how the default template uses it.
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

use std::collections::{BTreeMap, BTreeSet};

mod aid;
mod checks;
pub mod cited;
mod class_sizes;
mod enrolment;
mod gather;
pub mod keys;
mod loans;
mod nutrition;
mod pass;
mod payments;
mod retention;
mod working_paper;

pub use cited::{CITED_COLUMNS, CITED_KEYS, CitedKey, SAMPLE_CITED_CSV, cited_figure, parse_date};
#[cfg(feature = "io")]
pub use cited::{read_cited, read_cited_bytes};
pub use keys::Key;
pub use pass::{Progress, RosterFigures};
pub use working_paper::MissingAtSchool;

use crate::eligibility::loans::check_loans;
use crate::eligibility::{BasisTotals, Engine, Reconciliation, Totals};
use crate::model::{
    Counts, Decimal, Disbursement, ModelError, Money, NaiveDate, Roster, SchoolYear, Stage, StudentLoan, Term,
};
use crate::report::{Figure, Relation, ReportData};

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
    /// A cited figure (引用数据) refused: where it stands (`file:line`, or
    /// empty), its key and why.
    #[error("{}cited figure {key}: {reason}", at_prefix(.at))]
    Cited {
        /// The file and line of its row (empty when not read from a file).
        at: String,
        /// The figure's key as written.
        key: String,
        /// Why it was refused.
        reason: String,
    },
    /// A cited-figures file that cannot be read, or lacks a column.
    #[error("{file}: cited figures: {reason}")]
    CitedFile {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The roster's pass did not count what the report asks of it: the
    /// entitlements given to [`County::build_from`] were read for another
    /// term or with other nutrition-plan days (read them with
    /// [`County::entitlements`] of the same county), or the engine read
    /// the roster other than through [`Roster::visit_linked`].
    #[error("the roster's pass did not count {what}")]
    NotRead {
        /// What was not counted.
        what: String,
    },
    /// The report's term is the first the model knows, so the Rain-and-Dew
    /// plan's two terms cannot be counted.
    #[error("the term has no previous term")]
    NoPreviousTerm {
        /// The report's term.
        term: Term,
    },
}

/// `"{at}: "`, or nothing for an empty `at`.
fn at_prefix(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!("{at}: ")
    }
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
///
/// The roster is any [`Roster`] (a county may back it with its own
/// database): the report lists its schools once
/// ([`Roster::visit_schools`]) and visits its students once
/// ([`Roster::visit_linked`]), the engine and the report's own counts in
/// the same pass. Payments to a student nothing is owed to are explained
/// by looking the student up by id ([`Roster::student`]). A backend that
/// keeps the trait's default `visit_schools` or `student` scans the
/// students for them: override them where it can list schools or find a
/// student by id.
pub struct County<'a> {
    /// Schools, households and students.
    pub roster: &'a dyn Roster,
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
    /// Called as the students are visited, with the total if given.
    progress: Option<(Option<u64>, ProgressFn<'a>)>,
}

/// A progress callback, called through a shared `County`.
type ProgressFn<'a> = std::cell::RefCell<Box<dyn FnMut(Progress) + 'a>>;

impl std::fmt::Debug for County<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("County")
            .field("counts", &self.counts)
            .field("disbursements", &self.disbursements.map(<[Disbursement]>::len))
            .field("loans", &self.loans.map(<[StudentLoan]>::len))
            .field("spring", &self.spring)
            .field("settings", &self.settings)
            .field("progress", &self.progress.as_ref().map(|(total, _)| total))
            .finish_non_exhaustive()
    }
}

impl<'a> County<'a> {
    /// A county's records for the report on `spring`, with the default
    /// [`Settings`] and no payments.
    #[must_use]
    pub fn new(roster: &'a dyn Roster, counts: &'a Counts, engine: &'a Engine, spring: Term) -> County<'a> {
        County {
            roster,
            counts,
            disbursements: None,
            loans: None,
            engine,
            spring,
            settings: Settings::default(),
            progress: None,
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

    /// Call `progress` as the students are visited (every 1 024 students
    /// and once at the end), with `total` students in all if the caller
    /// knows it (a progress bar's length). The report does not ask the
    /// roster for the total, which for some backends is a scan.
    #[must_use]
    pub fn with_progress(mut self, total: Option<u64>, progress: impl FnMut(Progress) + 'a) -> County<'a> {
        self.progress = Some((total, std::cell::RefCell::new(Box::new(progress))));
        self
    }

    /// The policy the loans are checked against: the engine's, else the
    /// national catalogue (the totals do not depend on the caps).
    fn loan_policy(&self) -> Result<std::borrow::Cow<'a, crate::eligibility::Policy>, Error> {
        Ok(match self.engine.policy() {
            Some(p) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(crate::eligibility::Policy::national()?),
        })
    }

    /// The names of the programs, as the policy of [`County::loan_policy`]
    /// gives them: the chart labels' short names.
    fn catalogue(&self) -> Result<crate::model::ProgramCatalogue, Error> {
        Ok(self.loan_policy()?.catalogue()?)
    }

    /// Other settings.
    #[must_use]
    pub fn with_settings(mut self, settings: Settings) -> County<'a> {
        self.settings = settings;
        self
    }

    /// The one pass over the roster: the engine's results for the spring
    /// term and the autumn before it, the reconciliation of the payments,
    /// and what the report counts of the schools and students themselves
    /// ([`RosterFigures`]), moving the progress callback.
    ///
    /// # Errors
    /// As [`Entitlements::compute`].
    pub fn entitlements(&self) -> Result<Entitlements, Error> {
        let progress = self.progress.as_ref().map(|(_, f)| {
            let f: &std::cell::RefCell<dyn FnMut(Progress) + 'a> = f;
            f
        });
        let ask = pass::Ask {
            plan_days: self.settings.nutrition_batches.map(Vec::from).unwrap_or_default(),
            progress,
            total: self.progress.as_ref().and_then(|(t, _)| *t),
        };
        Entitlements::read(self.engine, self.roster, self.spring, self.disbursements, &ask)
    }

    /// The report: [`County::entitlements`] (the one pass over the
    /// roster), then [`County::build_from`].
    ///
    /// # Errors
    /// As both.
    pub fn build(&self) -> Result<CountyReport, Error> {
        self.build_from(&self.entitlements()?)
    }

    /// The report's words, figures, tables and charts, from the county's
    /// counts, payments and loans and the pass over its roster.
    ///
    /// # Errors
    /// A word or figure the report data refuses; with [`Missing::Fail`],
    /// the first figure that cannot be computed; [`Error::NotRead`] if
    /// `entitlements` were read for another term.
    pub fn build_from(&self, entitlements: &Entitlements) -> Result<CountyReport, Error> {
        if entitlements.roster.on != self.spring.reference_date() {
            return Err(Error::NotRead {
                what: format!("the students on {}", self.spring.reference_date()),
            });
        }
        let mut g = gather::Gather {
            data: ReportData::new(),
            left_out: Vec::new(),
            records: Vec::new(),
            dated: Vec::new(),
            plans: BTreeSet::new(),
            settings: &self.settings,
            urban: entitlements
                .roster
                .urban_district(self.settings.urban_district.as_deref()),
        };
        let r = &entitlements.roster;
        gather::words(&mut g, self)?;
        enrolment::enrolment(&mut g, self, r)?;
        retention::statistics(&mut g, self, r)?;
        aid::aid(&mut g, self, entitlements)?;
        if let (Some(recon), Some(paid)) = (&entitlements.reconciliation, self.disbursements) {
            payments::reconciliation(&mut g, self.spring, recon, paid)?;
        }
        if let Some(loans) = self.loans {
            loans::student_loans(&mut g, self, loans)?;
        }
        let mut working = vec![
            working_paper::tiers(self.spring, entitlements)?,
            working_paper::missing(self.spring, entitlements)?,
        ];
        if let Some(loans) = self.loans {
            working.extend(working_paper::loans(
                &check_loans(loans, &*self.loan_policy()?),
                self.spring.calendar_year(),
            )?);
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
            working,
        })
    }
}

/// What the report reads from the roster in its one pass: the eligibility
/// engine's results and the report's own counts of the schools and
/// students.
#[derive(Debug, Clone)]
pub struct Entitlements {
    /// Every program's totals in the spring term.
    pub totals: Totals,
    /// Totals over the autumn and spring terms (the Rain-and-Dew plan pays
    /// per school year).
    pub two_terms: Totals,
    /// The senior grant's entitlements in the spring term, counted by
    /// amount (its tiers).
    pub senior_grant_tiers: BTreeMap<Money, u64>,
    /// What was paid against what was owed in the spring term (its
    /// records only), given the payments.
    pub reconciliation: Option<Reconciliation>,
    /// The spring term's entitlements by program, rule and tier (一档,
    /// 二档…), for the working paper.
    pub basis: BasisTotals,
    /// The spring term's students whose amount a rule could not compute for
    /// want of data, by program and school (in that order), for the
    /// working paper.
    pub missing: Vec<MissingAtSchool>,
    /// What the report counts of the roster's schools and students.
    pub roster: RosterFigures,
}

impl Entitlements {
    /// Run `engine` over `roster` for `spring` and the autumn before it,
    /// in one pass over the students that also counts the report's own
    /// figures of them, and reconcile the spring term's `disbursements`.
    /// The spring term's totals are the same as a run over the spring term
    /// alone.
    ///
    /// # Errors
    /// [`Error::NoPreviousTerm`], or the engine's error.
    pub fn compute(
        engine: &Engine,
        roster: &dyn Roster,
        spring: Term,
        disbursements: Option<&[Disbursement]>,
    ) -> Result<Entitlements, Error> {
        let ask = pass::Ask {
            plan_days: Vec::new(),
            progress: None,
            total: None,
        };
        Entitlements::read(engine, roster, spring, disbursements, &ask)
    }

    fn read(
        engine: &Engine,
        roster: &dyn Roster,
        spring: Term,
        disbursements: Option<&[Disbursement]>,
        ask: &pass::Ask<'_>,
    ) -> Result<Entitlements, Error> {
        let r = pass::read(engine, roster, spring, disbursements, ask)?;
        Ok(Entitlements {
            totals: r.totals,
            two_terms: r.two_terms,
            senior_grant_tiers: r.senior_grant_tiers,
            reconciliation: r.reconciliation,
            basis: r.basis,
            missing: r.missing,
            roster: r.roster,
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
    /// The working paper's tables (tiers, loans, missing data).
    working: Vec<working_paper::Part>,
}

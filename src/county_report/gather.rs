//! Gathering the report's figures: [`Gather`] adds each figure (or leaves
//! it out, or fails, as [`Settings::on_missing`](super::Settings::on_missing)
//! says), the sources in the presentation's language, the helpers every
//! section uses (rates, exact divisions, policy parameters), and the
//! report's words (county, bureau, addressee, terms, the date).

use std::collections::BTreeSet;

use super::keys::Key;
use super::{County, Error, Missing, Presentation, Settings, SourceLanguage};
use crate::eligibility::{Engine, ProgramTotals, Totals};
use crate::model::{Money, NaiveDate, SchoolYear, Stage};
use crate::report::value::Percentage;
use crate::report::{Figure, Relation, ReportData, Source};

/// What a source speaks of, for the file it names.
#[derive(Debug, Clone, Copy)]
pub(super) enum Origin {
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
    pub(super) fn source(&self, program: Option<&str>, origin: Origin, zh: &str, en: &str) -> Source {
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
    pub(super) fn engine(&self, program: &str, zh: &str, en: &str) -> Source {
        self.source(Some(program), Origin::Roster, zh, &format!("eligibility: {en}"))
    }
}

/// Figures being gathered.
pub(super) struct Gather<'a> {
    pub(super) data: ReportData,
    pub(super) left_out: Vec<Error>,
    /// Relations of figures counted from records.
    pub(super) records: Vec<Relation>,
    /// The day each dated figure describes.
    pub(super) dated: Vec<(String, NaiveDate)>,
    /// Figures that are plans (a later year's planned classes), to be worded
    /// as plans (可、能、将、计划).
    pub(super) plans: BTreeSet<String>,
    pub(super) settings: &'a Settings,
    /// The urban district, as set or found.
    pub(super) urban: String,
}

impl<'a> Gather<'a> {
    /// The presentation.
    pub(super) fn p(&self) -> &'a Presentation {
        &self.settings.presentation
    }

    /// Add a figure, or leave it out (noting why) or fail, as set.
    pub(super) fn add(&mut self, figure: Result<Figure, Error>) -> Result<(), Error> {
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
    pub(super) fn absent(&self, e: Error) -> Result<(), Error> {
        match self.settings.on_missing {
            Missing::Fail => Err(e),
            Missing::LeaveOut => Ok(()),
        }
    }

    /// Add a count.
    pub(super) fn count(&mut self, key: Key, label: &str, n: u64, unit: &str, source: Source) -> Result<(), Error> {
        self.add(Ok(Figure::count(key, label, n, unit, source)))
    }

    /// Add a count computed as a wide integer.
    pub(super) fn count_of(&mut self, key: Key, label: &str, n: i128, unit: &str, source: Source) -> Result<(), Error> {
        let n = u64::try_from(n).map_err(Error::from);
        self.add(n.map(|n| Figure::count(key, label, n, unit, source)))
    }

    /// Add an amount shown in 万元.
    pub(super) fn wan(&mut self, key: Key, label: &str, amount: Money, source: Source) -> Result<(), Error> {
        self.add(Ok(Figure::money(key, label, amount, source).in_wan_yuan()))
    }

    /// Program `id`'s totals, if the engine has it.
    pub(super) fn program<'t>(&self, totals: &'t Totals, id: &str) -> Result<Option<&'t ProgramTotals>, Error> {
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
pub(super) fn rate(
    key: Key,
    label: &str,
    numerator: i128,
    denominator: i128,
    dp: u32,
    source: Source,
) -> Result<Figure, Error> {
    let negative = || Error::NegativeCount {
        key: key.to_string(),
        numerator,
        denominator,
    };
    let n = u64::try_from(numerator).map_err(|_| negative())?;
    let d = u64::try_from(denominator).map_err(|_| negative())?;
    let r = Percentage::new(n, d, dp).map_err(|source| Error::Rate {
        key: key.to_string(),
        label: label.to_string(),
        source,
    })?;
    Ok(Figure::rate(key, label, r, source))
}

/// `amount` divided exactly into `parts` (at least one).
pub(super) fn per(amount: Money, parts: u64, what: &str) -> Result<Money, Error> {
    amount
        .checked_div_exact(parts.max(1))
        .map_err(|reason| Error::Division {
            what: what.to_string(),
            reason,
        })
}

/// A policy parameter's value for `stage` on `on`.
pub(super) fn parameter(engine: &Engine, name: &str, stage: Stage, on: NaiveDate) -> Result<Money, Error> {
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

/// The report's words: county, bureau, period, urban district, the date.
pub(super) fn words(g: &mut Gather<'_>, c: &County<'_>) -> Result<(), Error> {
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
        g.add(Ok(Figure::date(Key::ReportDate, "报告日期", day, source)))?;
    }
    Ok(())
}

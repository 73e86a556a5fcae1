//! The report's checks: the relations its figures must satisfy (parts
//! and totals, rates and their counts, amounts as persons × standard,
//! figures counted again from records, dates not after the report's),
//! then its text, and plans worded as plans.

use super::keys::Key;
use super::{CountyReport, Error, Missing};
use crate::model::{Decimal, Money, NaiveDate};
use crate::report::FigureSet;
use crate::report::value::Value;
use crate::report::{
    Block, Check, CheckKind, Document, Inline, Relation, Validation, to_text, validate_figures, validate_text,
};

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
        let f = Present {
            figures: &self.data.figures,
            strict: self.on_missing == Missing::Fail,
        };
        let mut out = Vec::new();
        f.sums_and_rates(&mut out)?;
        f.products(&mut out)?;
        f.cited(&mut out);
        if let Some(report_date) = f.date(Key::ReportDate) {
            for (key, dated) in &self.dated {
                if !self.plans.contains(key) && f.figures.get(key).is_some() {
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
            if f.present_str(&keys)? {
                out.push(r.clone());
            }
        }
        Ok(out)
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
}

/// The report's figures, asked whether the figures a relation names are
/// there: with `strict` ([`Missing::Fail`]) a missing one is an error,
/// otherwise the relation is left out.
struct Present<'a> {
    figures: &'a FigureSet,
    strict: bool,
}

/// Names of figures, as a relation holds them.
fn names(keys: &[Key]) -> Vec<String> {
    keys.iter().map(Key::to_string).collect()
}

impl Present<'_> {
    /// True if every figure named is there (an error if one is not, when
    /// strict).
    fn present_str(&self, keys: &[&str]) -> Result<bool, Error> {
        for k in keys {
            match self.figures.require(k) {
                Ok(_) => {}
                Err(e) if self.strict => return Err(e.into()),
                Err(_) => return Ok(false),
            }
        }
        Ok(true)
    }

    /// As [`Present::present_str`], for typed keys.
    fn present(&self, keys: &[Key]) -> Result<bool, Error> {
        self.present_str(&keys.iter().map(|k| k.as_str()).collect::<Vec<&str>>())
    }

    /// True if every figure named is there (optional figures: never an
    /// error).
    fn given(&self, keys: &[Key]) -> bool {
        keys.iter().all(|k| self.figures.get(k.as_str()).is_some())
    }

    /// The amount of a money figure.
    fn money(&self, key: Key) -> Option<Money> {
        match self.figures.get(key.as_str()).map(|f| &f.value) {
            Some(Value::Money { amount, .. }) => Some(*amount),
            _ => None,
        }
    }

    /// The number of a count figure.
    fn count(&self, key: Key) -> Option<u64> {
        match self.figures.get(key.as_str()).map(|f| &f.value) {
            Some(Value::Count { n, .. }) => Some(*n),
            _ => None,
        }
    }

    /// The day of a date figure.
    fn date(&self, key: Key) -> Option<NaiveDate> {
        match self.figures.get(key.as_str()).map(|f| &f.value) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    /// Parts and their totals; rates and their counts.
    fn sums_and_rates(&self, out: &mut Vec<Relation>) -> Result<(), Error> {
        for (parts, total) in [
            (
                &[
                    Key::StudentsPreschool,
                    Key::StudentsPrimary,
                    Key::StudentsJunior,
                    Key::StudentsSeniorStage,
                ][..],
                Key::StudentsTotal,
            ),
            (
                &[Key::LivingSubsidyPrimary, Key::LivingSubsidyJunior][..],
                Key::LivingSubsidyStudents,
            ),
            (
                &[Key::SeniorGrantTier1, Key::SeniorGrantTier2][..],
                Key::SeniorGrantStudents,
            ),
        ] {
            if self.present(parts)? && self.present(&[total])? {
                out.push(Relation::Sum {
                    parts: names(parts),
                    total: total.to_string(),
                });
            }
        }
        for [rate, numerator, denominator] in [
            [Key::DisabledEnrolmentRate, Key::DisabledInSchool, Key::DisabledTotal],
            [Key::MigrantShare, Key::MigrantChildren, Key::UrbanPrimaryPupils],
            [Key::HelperCoverage, Key::PoorStudentsWithHelper, Key::PoorStudentsTotal],
        ] {
            if self.present(&[rate, numerator, denominator])? {
                out.push(Relation::Rate {
                    rate: rate.to_string(),
                    numerator: numerator.to_string(),
                    denominator: denominator.to_string(),
                });
            }
        }
        Ok(())
    }

    /// Amounts as persons × standard (× the share of a yearly standard
    /// paid in one term), and the nutrition plan's reduction for part days.
    fn products(&self, out: &mut Vec<Relation>) -> Result<(), Error> {
        let figures = self.figures;
        // A yearly standard paid for one term is half of it.
        let half = Decimal::new(5, 1);
        let per_meal_day = self
            .money(Key::NutritionDaily)
            .and_then(|d| d.checked_mul_count(self.count(Key::NutritionDays)?));
        let products = vec![
            (
                Key::PreschoolAidAmount,
                Key::PreschoolAidStudents,
                self.money(Key::PreschoolAidStandard),
                half,
            ),
            (
                Key::VocationalGrantAmount,
                Key::VocationalGrantStudents,
                self.money(Key::VocationalGrantStandard),
                half,
            ),
            (
                // Paid by days in school: the full-attendance figure is the
                // product, the amount that less the reduction (a sum below).
                if figures.get(Key::NutritionFullAmount.as_str()).is_some() {
                    Key::NutritionFullAmount
                } else {
                    Key::NutritionAmount
                },
                Key::NutritionStudentsFirst,
                per_meal_day,
                Decimal::ONE,
            ),
            (
                Key::RainDewAmount,
                Key::RainDewStudents,
                self.money(Key::RainDewStandard),
                Decimal::ONE,
            ),
        ];
        for (amount, count, standard, share) in products {
            if !self.present(&[amount, count])? {
                continue;
            }
            match standard {
                Some(standard) => out.push(Relation::Product {
                    amount: amount.to_string(),
                    count: count.to_string(),
                    standard,
                    share,
                }),
                None if self.strict => {
                    return Err(Error::NoStandard {
                        key: amount.to_string(),
                    });
                }
                None => {}
            }
        }
        // Only where some students were in school for part of the days.
        if self.given(&[
            Key::NutritionAmount,
            Key::NutritionPartDaysReduction,
            Key::NutritionFullAmount,
        ]) {
            out.push(Relation::Sum {
                parts: names(&[Key::NutritionAmount, Key::NutritionPartDaysReduction]),
                total: Key::NutritionFullAmount.to_string(),
            });
        }
        Ok(())
    }

    /// Cited figures (引用) are optional: checked when given.
    fn cited(&self, out: &mut Vec<Relation>) {
        let (parts, total) = (
            [Key::TeacherTrainingJuniorEntry, Key::TeacherTrainingSeniorEntry],
            Key::TeacherTrainingTotal,
        );
        if self.given(&parts) && self.given(&[total]) {
            out.push(Relation::Sum {
                parts: names(&parts),
                total: total.to_string(),
            });
        }
        let (amount, count) = (Key::RainDewPriorAmount, Key::RainDewPriorPersonTerms);
        if let (true, Some(standard)) = (self.given(&[amount, count]), self.money(Key::RainDewPriorStandard)) {
            out.push(Relation::Product {
                amount: amount.to_string(),
                count: count.to_string(),
                standard,
                share: Decimal::ONE,
            });
        }
    }
}

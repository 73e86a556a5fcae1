//! The report's checks: the relations its figures must satisfy (parts
//! and totals, rates and their counts, amounts as persons × standard,
//! figures counted again from records, dates not after the report's),
//! then its text, and plans worded as plans.

use super::keys::Key;
use super::{CountyReport, Error, Missing};
use crate::model::Decimal;
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
        let figures = &self.data.figures;
        let strict = self.on_missing == Missing::Fail;
        let present_str = |keys: &[&str]| -> Result<bool, Error> {
            for k in keys {
                match figures.require(k) {
                    Ok(_) => {}
                    Err(e) if strict => return Err(e.into()),
                    Err(_) => return Ok(false),
                }
            }
            Ok(true)
        };
        let present = |keys: &[Key]| present_str(&keys.iter().map(|k| k.as_str()).collect::<Vec<&str>>());
        let money = |key: Key| match figures.get(key.as_str()).map(|f| &f.value) {
            Some(Value::Money { amount, .. }) => Some(*amount),
            _ => None,
        };
        let n = |key: Key| match figures.get(key.as_str()).map(|f| &f.value) {
            Some(Value::Count { n, .. }) => Some(*n),
            _ => None,
        };
        let s = |keys: &[Key]| keys.iter().map(Key::to_string).collect::<Vec<String>>();
        let mut out = Vec::new();
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
            if present(parts)? && present(&[total])? {
                out.push(Relation::Sum {
                    parts: s(parts),
                    total: total.to_string(),
                });
            }
        }
        for [rate, numerator, denominator] in [
            [Key::DisabledEnrolmentRate, Key::DisabledInSchool, Key::DisabledTotal],
            [Key::MigrantShare, Key::MigrantChildren, Key::UrbanPrimaryPupils],
            [Key::HelperCoverage, Key::PoorStudentsWithHelper, Key::PoorStudentsTotal],
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
        let per_meal_day = money(Key::NutritionDaily).and_then(|d| d.checked_mul_count(n(Key::NutritionDays)?));
        let products = vec![
            (
                Key::PreschoolAidAmount,
                Key::PreschoolAidStudents,
                money(Key::PreschoolAidStandard),
                half,
            ),
            (
                Key::VocationalGrantAmount,
                Key::VocationalGrantStudents,
                money(Key::VocationalGrantStandard),
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
                money(Key::RainDewStandard),
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
            Key::NutritionAmount,
            Key::NutritionPartDaysReduction,
            Key::NutritionFullAmount,
        ]
        .iter()
        .all(|k| figures.get(k.as_str()).is_some())
        {
            out.push(Relation::Sum {
                parts: s(&[Key::NutritionAmount, Key::NutritionPartDaysReduction]),
                total: Key::NutritionFullAmount.to_string(),
            });
        }
        // Cited figures (引用) are optional: checked when given.
        let given = |keys: &[Key]| keys.iter().all(|k| figures.get(k.as_str()).is_some());
        let (parts, total) = (
            [Key::TeacherTrainingJuniorEntry, Key::TeacherTrainingSeniorEntry],
            Key::TeacherTrainingTotal,
        );
        if given(&parts) && given(&[total]) {
            out.push(Relation::Sum {
                parts: s(&parts),
                total: total.to_string(),
            });
        }
        let (amount, count) = (Key::RainDewPriorAmount, Key::RainDewPriorPersonTerms);
        if let (true, Some(standard)) = (given(&[amount, count]), money(Key::RainDewPriorStandard)) {
            out.push(Relation::Product {
                amount: amount.to_string(),
                count: count.to_string(),
                standard,
                share: Decimal::ONE,
            });
        }
        let report_date = match figures.get(Key::ReportDate.as_str()).map(|f| &f.value) {
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
            if present_str(&keys)? {
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

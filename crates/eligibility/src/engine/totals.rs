//! The totals a run sums: persons, person-terms and amounts by program,
//! stage and township, and the students skipped.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Persons (人), person-terms (人次) and amount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Distinct students entitled (人).
    pub persons: u64,
    /// Entitlements, one per student and term (人次).
    pub person_terms: u64,
    /// Amount, exact.
    pub amount: Money,
}

/// A program's totals, broken down.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramTotals {
    /// Id.
    pub id: ProgramId,
    /// Chinese name.
    pub name: String,
    /// Kind of benefit.
    pub benefit: Benefit,
    /// All.
    pub total: Tally,
    /// By term.
    pub by_term: BTreeMap<Term, Tally>,
    /// By stage.
    pub by_stage: BTreeMap<Stage, Tally>,
    /// By township (乡镇) of the school.
    pub by_township: BTreeMap<String, Tally>,
    /// By school, in order of school id (reads like a
    /// `BTreeMap<SchoolId, Tally>` and serializes as one).
    pub by_school: SchoolTallies,
}

/// A student the batch could not evaluate, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The student.
    pub student: StudentId,
    /// Why.
    pub reason: String,
}

impl Skipped {
    /// The school (with the roster's number for it) and household of a
    /// linked student, or `None` once the reason it cannot be evaluated is
    /// pushed onto `skipped`: every run over a roster skips an unlinked
    /// student the same way.
    #[inline]
    pub(crate) fn or_link<'a>(
        linked: &eduaid_model::Linked<'a>,
        skipped: &mut Vec<Skipped>,
    ) -> Option<(usize, &'a School, Option<&'a Household>)> {
        let school = match &linked.school {
            Ok((no, found)) => (*no, *found),
            Err(e) => {
                skipped.push(Skipped::unlinked(&linked.student.id, e));
                return None;
            }
        };
        match &linked.household {
            Ok(h) => Some((school.0, school.1, *h)),
            Err(e) => {
                skipped.push(Skipped::unlinked(&linked.student.id, e));
                None
            }
        }
    }

    /// A student the roster could not link to its school or household.
    pub(crate) fn unlinked(student: &StudentId, e: &eduaid_model::RosterError) -> Skipped {
        Skipped {
            student: student.clone(),
            reason: match e {
                eduaid_model::RosterError::UnknownReference { what, id, .. } => format!("unknown {what} {id}"),
                e => e.to_string(),
            },
        }
    }
}

/// The totals of a batch run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// The terms evaluated.
    pub terms: Vec<Term>,
    /// Students read from the roster.
    pub students: u64,
    /// Students evaluated (`students` = `evaluated` + skipped).
    pub evaluated: u64,
    /// Students that could not be evaluated.
    pub skipped: Vec<Skipped>,
    /// Students entitled to anything owed (not counting ceilings).
    pub persons_entitled: u64,
    /// Per program, in the engine's order.
    pub programs: Vec<ProgramTotals>,
    /// Per program, the students whose amount needs data the record lacks
    /// (a fee waiver at a school with no tuition on record): not counted
    /// in `programs`, listed here with the schools named.
    pub missing_data: Vec<MissingData>,
}

impl Totals {
    /// The totals of program `id`.
    #[must_use]
    pub fn program(&self, id: &str) -> Option<&ProgramTotals> {
        self.programs.iter().find(|p| p.id.as_str() == id)
    }

    /// The amount owed over all programs (ceilings excluded): cash, fees
    /// waived and goods in kind **together**. A clerk's "应发" is
    /// [`Totals::cash`]; show the three apart ([`Totals::by_benefit`]),
    /// never this sum as money to pay out. Saturates at the largest amount
    /// a `Decimal` holds rather than overflow.
    #[must_use]
    pub fn owed(&self) -> Money {
        self.programs
            .iter()
            .filter(|p| p.benefit.is_owed())
            .try_fold(Money::ZERO, |a, p| a.checked_add(p.total.amount))
            .unwrap_or_else(|| Money::from_decimal_exact(Decimal::MAX))
    }

    /// The warnings a clerk must read, in Chinese: one per program with
    /// missing data, naming the schools and the count.
    #[must_use]
    pub fn warnings(&self) -> Vec<String> {
        self.missing_data.iter().map(MissingData::chinese).collect()
    }

    /// The same warnings in English.
    #[must_use]
    pub fn warnings_en(&self) -> Vec<String> {
        self.missing_data.iter().map(MissingData::english).collect()
    }

    /// The total of the programs of one kind of benefit. Saturates as
    /// [`Totals::owed`].
    #[must_use]
    pub fn of_benefit(&self, benefit: Benefit) -> Money {
        self.programs
            .iter()
            .filter(|p| p.benefit == benefit)
            .try_fold(Money::ZERO, |a, p| a.checked_add(p.total.amount))
            .unwrap_or_else(|| Money::from_decimal_exact(Decimal::MAX))
    }

    /// Cash paid to students or families (现金, 打卡发放): what is owed as
    /// money.
    #[must_use]
    pub fn cash(&self) -> Money {
        self.of_benefit(Benefit::Cash)
    }

    /// Fees waived (免除费用): money not charged, not paid out.
    #[must_use]
    pub fn waived(&self) -> Money {
        self.of_benefit(Benefit::Waiver)
    }

    /// Goods and meals in kind (实物: textbooks, school meals), at their
    /// funding value.
    #[must_use]
    pub fn in_kind(&self) -> Money {
        self.of_benefit(Benefit::InKind)
    }

    /// The amounts by kind of benefit, for each kind some program has:
    /// cash, fees waived, goods in kind, and ceilings (loan caps,
    /// scholarships if awarded) apart from what is owed. Each saturates
    /// as [`Totals::owed`].
    #[must_use]
    pub fn by_benefit(&self) -> BTreeMap<Benefit, Money> {
        let mut out = BTreeMap::new();
        for p in &self.programs {
            out.entry(p.benefit).or_insert_with(|| self.of_benefit(p.benefit));
        }
        out
    }
}

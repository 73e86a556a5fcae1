//! Step 5: the aid paid, with the three planted faults.

use super::*;

pub(super) fn program(id: &str) -> Result<ProgramId, Error> {
    Ok(ProgramId::new(id)?)
}

/// The terms paid for and their reference dates.
#[derive(Debug, Clone, Copy)]
struct Terms {
    spring: Term,
    autumn: Term,
    /// The spring term's reference date (2017-03-01).
    on: NaiveDate,
    /// The autumn term's reference date (2016-09-01).
    on_autumn: NaiveDate,
}

/// The payments made so far, numbered in the order they are made, and the
/// faults planted among them.
struct Ledger<'a> {
    b: &'a Build,
    out: Vec<Disbursement>,
    faults: Vec<PlantedFault>,
    serial: u64,
}

impl Ledger<'_> {
    /// Pay student `i`; the payment's reference.
    fn push(
        &mut self,
        i: usize,
        prog: &str,
        term: Term,
        amount: i64,
        paid_on: NaiveDate,
        channel: Channel,
    ) -> Result<String, Error> {
        self.serial += 1;
        let id = format!("{}-{}-{:07}", term, prog, self.serial);
        self.out.push(Disbursement {
            id: id.clone(),
            student_id: self.b.students[i].id.clone(),
            program: program(prog)?,
            term,
            amount: Money::yuan(amount),
            paid_on,
            channel,
        });
        Ok(id)
    }

    /// True if student `i`'s household has status `kind` on `date`.
    fn status_on(&self, i: usize, kind: StatusKind, date: NaiveDate) -> bool {
        self.b.meta[i]
            .household
            .is_some_and(|h| self.b.households[h].has_status_on(kind, date))
    }
}

/// Step 5: the aid paid, and the three planted faults.
pub(super) fn pay(
    rng: &mut SplitMix64,
    b: &Build,
    fault: &FaultLeaver,
) -> Result<(Vec<Disbursement>, Vec<PlantedFault>), Error> {
    let spring = SchoolYear::new(2016)?.spring();
    let autumn = SchoolYear::new(2016)?.autumn();
    let terms = Terms {
        spring,
        autumn,
        on: spring.reference_date(),
        on_autumn: autumn.reference_date(),
    };
    let june = ymd(2017, 6, 1);
    let mut l = Ledger {
        b,
        out: Vec::new(),
        faults: Vec::new(),
        serial: 0,
    };
    // The unpaid student: a rural registered-poor primary pupil.
    let unpaid = (0..b.students.len()).find(|i| {
        let s = &b.students[*i];
        s.stage == Stage::Primary
            && b.meta[*i].poor
            && b.plans[b.meta[*i].school].township != 0
            && s.status.is_in_school()
    });
    // The duplicate: a registered-poor preschool child.
    let duplicate = (0..b.students.len())
        .rev()
        .find(|i| b.students[*i].stage == Stage::Preschool && b.meta[*i].poor && b.students[*i].status.is_in_school());
    for (i, s) in b.students.iter().enumerate() {
        if !s.in_school_on(terms.on) {
            continue;
        }
        let poor = l.status_on(i, StatusKind::RegisteredPoor, terms.on);
        let jitter = rng.below(3);
        match s.stage {
            Stage::Primary | Stage::Junior if poor => {
                pay_living_subsidy(&mut l, i, s, jitter, Some(i) == unpaid, i == fault.index, terms)?;
            }
            Stage::Preschool if poor => pay_preschool(&mut l, i, s, jitter, Some(i) == duplicate, terms)?,
            Stage::Senior => pay_senior(&mut l, i, jitter, terms)?,
            Stage::Vocational => pay_vocational(&mut l, i, s, poor, jitter, terms)?,
            _ => {}
        }
    }
    // Nutrition plan, first batch: 22 school days at 4元 in June 2017, in kind.
    for (i, s) in b.students.iter().enumerate() {
        let school = &b.plans[b.meta[i].school].school;
        if s.in_school_on(june) && school.nutrition_plan_from == Some(june) {
            l.push(i, "nutrition", spring, 88, ymd(2017, 6, 30), Channel::InKind)?;
        }
    }
    Ok((l.out, l.faults))
}

/// The living subsidy of a registered-poor compulsory student, unless it
/// is the one left `unpaid`; `left` if the student was paid after leaving.
fn pay_living_subsidy(
    l: &mut Ledger<'_>,
    i: usize,
    s: &Student,
    jitter: u64,
    unpaid: bool,
    left: bool,
    terms: Terms,
) -> Result<(), Error> {
    let amount = if s.stage == Stage::Primary { 500 } else { 625 };
    if unpaid {
        l.faults.push(PlantedFault {
            kind: FaultKind::Unpaid,
            student_id: s.id.clone(),
            program: program("living-subsidy")?,
            term: terms.spring,
            amount: Money::yuan(amount),
            payment_ids: Vec::new(),
            description: format!(
                "registered-poor primary pupil {} was owed the living subsidy and not paid",
                s.id
            ),
        });
        return Ok(());
    }
    let id = l.push(
        i,
        "living-subsidy",
        terms.spring,
        amount,
        plus_days(ymd(2017, 3, 27), jitter),
        Channel::BankCard,
    )?;
    if left {
        l.faults.push(PlantedFault {
            kind: FaultKind::PaidAfterLeaving,
            student_id: s.id.clone(),
            program: program("living-subsidy")?,
            term: terms.spring,
            amount: Money::yuan(amount),
            payment_ids: vec![id],
            description: format!(
                "junior student {} transferred out on {} and was paid on {}",
                s.id,
                s.status_since,
                plus_days(ymd(2017, 3, 27), jitter)
            ),
        });
    }
    Ok(())
}

/// The preschool aid of a registered-poor child, paid twice to the
/// `duplicate`.
fn pay_preschool(
    l: &mut Ledger<'_>,
    i: usize,
    s: &Student,
    jitter: u64,
    duplicate: bool,
    terms: Terms,
) -> Result<(), Error> {
    let id = l.push(
        i,
        "preschool-aid",
        terms.spring,
        500,
        plus_days(ymd(2017, 3, 29), jitter),
        Channel::BankCard,
    )?;
    if duplicate {
        let again = l.push(
            i,
            "preschool-aid",
            terms.spring,
            500,
            ymd(2017, 4, 18),
            Channel::BankCard,
        )?;
        l.faults.push(PlantedFault {
            kind: FaultKind::DuplicatePayment,
            student_id: s.id.clone(),
            program: program("preschool-aid")?,
            term: terms.spring,
            amount: Money::yuan(500),
            payment_ids: vec![id, again],
            description: format!("preschool child {} was paid the spring 2017 preschool aid twice", s.id),
        });
    }
    Ok(())
}

/// The general senior grant: 1500 a term in the first tier, 1000 in the
/// second.
fn pay_senior(l: &mut Ledger<'_>, i: usize, jitter: u64, terms: Terms) -> Result<(), Error> {
    let first = [
        StatusKind::Orphan,
        StatusKind::DeFactoUnsupported,
        StatusKind::Destitute,
    ]
    .iter()
    .any(|k| l.status_on(i, *k, terms.on));
    let second = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
        .iter()
        .any(|k| l.status_on(i, *k, terms.on));
    let amount = if first {
        1500
    } else if second {
        1000
    } else {
        0
    };
    if amount > 0 {
        l.push(
            i,
            "senior-grant",
            terms.spring,
            amount,
            plus_days(ymd(2017, 3, 28), jitter),
            Channel::BankCard,
        )?;
    }
    Ok(())
}

/// The vocational grant (grades 1–2, with a status or an agricultural
/// major) and Rain-and-Dew (registered-poor in both terms).
fn pay_vocational(
    l: &mut Ledger<'_>,
    i: usize,
    s: &Student,
    poor: bool,
    jitter: u64,
    terms: Terms,
) -> Result<(), Error> {
    let status = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
        .iter()
        .any(|k| l.status_on(i, *k, terms.on));
    if s.grade <= 2 && (status || s.agricultural_major) {
        l.push(
            i,
            "vocational-grant",
            terms.spring,
            1000,
            plus_days(ymd(2017, 3, 30), jitter),
            Channel::BankCard,
        )?;
    }
    if poor && l.status_on(i, StatusKind::RegisteredPoor, terms.on_autumn) && s.in_school_on(terms.on_autumn) {
        l.push(
            i,
            "rain-and-dew",
            terms.autumn,
            1000,
            plus_days(ymd(2016, 11, 16), jitter),
            Channel::BankCard,
        )?;
        l.push(
            i,
            "rain-and-dew",
            terms.spring,
            1500,
            plus_days(ymd(2017, 4, 3), jitter),
            Channel::BankCard,
        )?;
    }
    Ok(())
}

//! Step 5: the aid paid, with the three planted faults.

use super::*;

pub(super) fn program(id: &str) -> Result<ProgramId, Error> {
    Ok(ProgramId::new(id)?)
}

/// Step 5: the aid paid, and the three planted faults.
pub(super) fn pay(
    rng: &mut SplitMix64,
    b: &Build,
    fault: &FaultLeaver,
) -> Result<(Vec<Disbursement>, Vec<PlantedFault>), Error> {
    let spring = SchoolYear::new(2016)?.spring();
    let autumn = SchoolYear::new(2016)?.autumn();
    let on = spring.reference_date();
    let on_autumn = autumn.reference_date();
    let june = ymd(2017, 6, 1);
    let mut out = Vec::new();
    let mut faults = Vec::new();
    let status_on = |i: usize, kind: StatusKind, date: NaiveDate| {
        b.meta[i]
            .household
            .is_some_and(|h| b.households[h].has_status_on(kind, date))
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
    let mut serial = 0u64;
    let mut push = |out: &mut Vec<Disbursement>,
                    i: usize,
                    prog: &str,
                    term: Term,
                    amount: i64,
                    paid_on: NaiveDate,
                    channel: Channel|
     -> Result<String, Error> {
        serial += 1;
        let id = format!("{}-{}-{serial:07}", term, prog);
        out.push(Disbursement {
            id: id.clone(),
            student_id: b.students[i].id.clone(),
            program: program(prog)?,
            term,
            amount: Money::yuan(amount),
            paid_on,
            channel,
        });
        Ok(id)
    };
    for (i, s) in b.students.iter().enumerate() {
        if !s.in_school_on(on) {
            continue;
        }
        let poor = status_on(i, StatusKind::RegisteredPoor, on);
        let jitter = rng.below(3);
        match s.stage {
            Stage::Primary | Stage::Junior if poor => {
                let amount = if s.stage == Stage::Primary { 500 } else { 625 };
                if Some(i) == unpaid {
                    faults.push(PlantedFault {
                        kind: FaultKind::Unpaid,
                        student_id: s.id.clone(),
                        program: program("living-subsidy")?,
                        term: spring,
                        amount: Money::yuan(amount),
                        payment_ids: Vec::new(),
                        description: format!(
                            "registered-poor primary pupil {} was owed the living subsidy and not paid",
                            s.id
                        ),
                    });
                    continue;
                }
                let id = push(
                    &mut out,
                    i,
                    "living-subsidy",
                    spring,
                    amount,
                    plus_days(ymd(2017, 3, 27), jitter),
                    Channel::BankCard,
                )?;
                if i == fault.index {
                    faults.push(PlantedFault {
                        kind: FaultKind::PaidAfterLeaving,
                        student_id: s.id.clone(),
                        program: program("living-subsidy")?,
                        term: spring,
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
            }
            Stage::Preschool if poor => {
                let id = push(
                    &mut out,
                    i,
                    "preschool-aid",
                    spring,
                    500,
                    plus_days(ymd(2017, 3, 29), jitter),
                    Channel::BankCard,
                )?;
                if Some(i) == duplicate {
                    let again = push(
                        &mut out,
                        i,
                        "preschool-aid",
                        spring,
                        500,
                        ymd(2017, 4, 18),
                        Channel::BankCard,
                    )?;
                    faults.push(PlantedFault {
                        kind: FaultKind::DuplicatePayment,
                        student_id: s.id.clone(),
                        program: program("preschool-aid")?,
                        term: spring,
                        amount: Money::yuan(500),
                        payment_ids: vec![id, again],
                        description: format!("preschool child {} was paid the spring 2017 preschool aid twice", s.id),
                    });
                }
            }
            Stage::Senior => {
                let first = [
                    StatusKind::Orphan,
                    StatusKind::DeFactoUnsupported,
                    StatusKind::Destitute,
                ]
                .iter()
                .any(|k| status_on(i, *k, on));
                let second = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
                    .iter()
                    .any(|k| status_on(i, *k, on));
                let amount = if first {
                    1500
                } else if second {
                    1000
                } else {
                    0
                };
                if amount > 0 {
                    push(
                        &mut out,
                        i,
                        "senior-grant",
                        spring,
                        amount,
                        plus_days(ymd(2017, 3, 28), jitter),
                        Channel::BankCard,
                    )?;
                }
            }
            Stage::Vocational => {
                let status = [StatusKind::RegisteredPoor, StatusKind::Dibao, StatusKind::Hardship]
                    .iter()
                    .any(|k| status_on(i, *k, on));
                if s.grade <= 2 && (status || s.agricultural_major) {
                    push(
                        &mut out,
                        i,
                        "vocational-grant",
                        spring,
                        1000,
                        plus_days(ymd(2017, 3, 30), jitter),
                        Channel::BankCard,
                    )?;
                }
                if poor && status_on(i, StatusKind::RegisteredPoor, on_autumn) && s.in_school_on(on_autumn) {
                    push(
                        &mut out,
                        i,
                        "rain-and-dew",
                        autumn,
                        1000,
                        plus_days(ymd(2016, 11, 16), jitter),
                        Channel::BankCard,
                    )?;
                    push(
                        &mut out,
                        i,
                        "rain-and-dew",
                        spring,
                        1500,
                        plus_days(ymd(2017, 4, 3), jitter),
                        Channel::BankCard,
                    )?;
                }
            }
            _ => {}
        }
    }
    // Nutrition plan, first batch: 22 school days at 4元 in June 2017, in kind.
    for (i, s) in b.students.iter().enumerate() {
        let school = &b.plans[b.meta[i].school].school;
        if s.in_school_on(june) && school.nutrition_plan_from == Some(june) {
            push(&mut out, i, "nutrition", spring, 88, ymd(2017, 6, 30), Channel::InKind)?;
        }
    }
    Ok((out, faults))
}

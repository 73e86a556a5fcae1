//! Student loans (生源地信用助学贷款, student-origin credit loans): what a
//! student borrowed for one school year, as the county's loan records list it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{ModelError, Money, SchoolYear, Stage, StudentId};

/// One student-origin credit loan (生源地信用助学贷款): one borrower, one
/// school year (贷款年度), the amount borrowed (贷款金额).
///
/// The amount is what the student borrowed, not a standard: it must be
/// positive and whole fen; whether it is within the year's cap is for the
/// policy to say (`eduaid_eligibility::loans`). Build one with
/// [`StudentLoan::new`], which validates, or deserialize and call
/// [`StudentLoan::validate`].
///
/// ```
/// use eduaid_model::{Money, SchoolYear, Stage, StudentLoan};
/// let loan = StudentLoan::new("430581199901011234".parse()?, "张三", "北京大学", Stage::Tertiary, SchoolYear::new(2016)?, Money::yuan(8000))?
///     .with_contract("HT2016-001");
/// assert_eq!(loan.contract_id.as_deref(), Some("HT2016-001"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentLoan {
    /// The borrower: the student's identity card number (身份证号) or any
    /// id unique to the student in the county's records.
    pub borrower_id: StudentId,
    /// The borrower's name (贷款学生姓名).
    pub name: String,
    /// The county (区县) that issued the loan, where the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// The university or college attended (就读高校).
    pub university: String,
    /// Undergraduate or higher vocational ([`Stage::Tertiary`], 本专科) or
    /// postgraduate ([`Stage::Postgraduate`], 研究生).
    pub stage: Stage,
    /// The school year of the loan (贷款年度): `2016` is the loan contracted
    /// in autumn 2016 for school year 2016-17.
    pub year: SchoolYear,
    /// The amount borrowed for the year, in yuan (贷款金额).
    pub amount: Money,
    /// The loan contract's number (合同编号), where the file has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// The contract's annual interest rate as a fraction (`0.0435` for
    /// 4.35 %), where the file has one; the interest subsidy while studying
    /// (在校期间财政贴息) is computable only with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
}

impl StudentLoan {
    /// A validated loan record without contract number or rate.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] as [`StudentLoan::validate`] says.
    pub fn new(
        borrower_id: StudentId,
        name: &str,
        university: &str,
        stage: Stage,
        year: SchoolYear,
        amount: Money,
    ) -> Result<StudentLoan, ModelError> {
        let loan = StudentLoan {
            borrower_id,
            name: name.trim().to_owned(),
            county: None,
            university: university.trim().to_owned(),
            stage,
            year,
            amount,
            contract_id: None,
            rate: None,
        };
        loan.validate()?;
        Ok(loan)
    }

    /// The same loan with its contract number (empty text is none).
    #[must_use]
    pub fn with_contract(mut self, contract_id: &str) -> StudentLoan {
        let c = contract_id.trim();
        self.contract_id = (!c.is_empty()).then(|| c.to_owned());
        self
    }

    /// The same loan with the issuing county (empty text is none).
    #[must_use]
    pub fn with_county(mut self, county: &str) -> StudentLoan {
        let c = county.trim();
        self.county = (!c.is_empty()).then(|| c.to_owned());
        self
    }

    /// The same loan with its annual contract rate.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] if the rate is negative or 1 (100 %) or
    /// more.
    pub fn with_rate(mut self, rate: Decimal) -> Result<StudentLoan, ModelError> {
        self.rate = Some(rate);
        self.validate()?;
        Ok(self)
    }

    /// Check the record: a name and a university, a tertiary or
    /// postgraduate stage, an amount positive and whole fen, a rate (if
    /// any) in `[0, 1)`.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] naming the field at fault.
    pub fn validate(&self) -> Result<(), ModelError> {
        let fault = |field: &'static str, reason: String| ModelError::Inconsistent {
            what: "student loan",
            id: self.borrower_id.as_str().to_owned(),
            field: Some(field),
            reason,
        };
        if self.name.trim().is_empty() {
            return Err(fault("name", "empty borrower name".into()));
        }
        if self.university.trim().is_empty() {
            return Err(fault("university", "empty university".into()));
        }
        if !matches!(self.stage, Stage::Tertiary | Stage::Postgraduate) {
            return Err(fault(
                "stage",
                format!(
                    "stage {} is not tertiary (本专科) or postgraduate (研究生)",
                    self.stage.code()
                ),
            ));
        }
        if self.amount.is_negative() || self.amount.is_zero() || !self.amount.is_whole_fen() {
            return Err(fault(
                "amount",
                format!("amount {} must be positive and whole fen", self.amount),
            ));
        }
        if let Some(r) = self.rate {
            if r.is_sign_negative() || r >= Decimal::ONE {
                return Err(fault(
                    "rate",
                    format!("rate {r} must be a fraction from 0 to below 1 (0.0435 for 4.35%)"),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loan(stage: Stage, amount: Money) -> Result<StudentLoan, ModelError> {
        StudentLoan::new("B1".parse()?, "张三", "湖南大学", stage, SchoolYear::new(2016)?, amount)
    }

    #[test]
    fn valid_loans_build_and_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let l = loan(Stage::Postgraduate, Money::yuan(12000))?
            .with_contract(" HT1 ")
            .with_county("双峰县");
        assert_eq!(l.contract_id.as_deref(), Some("HT1"));
        let json = serde_json::to_string(&l)?;
        let back: StudentLoan = serde_json::from_str(&json)?;
        assert_eq!(back, l);
        Ok(())
    }

    #[test]
    fn invalid_loans_name_the_field() -> Result<(), Box<dyn std::error::Error>> {
        for (stage, amount, field) in [
            (Stage::Senior, Money::yuan(1), "stage"),
            (Stage::Tertiary, Money::yuan(0), "amount"),
            (Stage::Tertiary, Money::yuan(-5), "amount"),
            (Stage::Tertiary, Money::from_decimal_exact(Decimal::new(1, 3)), "amount"),
        ] {
            match loan(stage, amount) {
                Err(ModelError::Inconsistent { field: Some(f), .. }) => assert_eq!(f, field),
                other => return Err(format!("expected {field} fault, got {other:?}").into()),
            }
        }
        assert!(loan(Stage::Tertiary, Money::yuan(1))?.with_rate(Decimal::ONE).is_err());
        assert!(
            loan(Stage::Tertiary, Money::yuan(1))?
                .with_rate(Decimal::new(435, 4))
                .is_ok()
        );
        Ok(())
    }
}

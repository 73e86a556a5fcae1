//! Aid actually paid (资金发放记录), to reconcile against what is owed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{ModelError, Money, ProgramId, StudentId, Term};

coded_enum! {
    /// How a payment reached the student.
    pub enum Channel ("payment channel") {
        /// 打卡发放: to the student's or guardian's bank card.
        BankCard = "bank_card", "打卡发放", "银行卡", "一卡通";
        /// 现金.
        Cash = "cash", "现金";
        /// 冲抵: offset against fees or meals at school.
        Offset = "offset", "冲抵", "抵扣";
        /// 实物: in kind (meals, textbooks).
        InKind = "in_kind", "实物";
        /// Any other channel.
        Other = "other", "其他";
    }
}

/// One payment of one program to one student for one term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disbursement {
    /// The payment's own reference (流水号), unique in a file.
    pub id: String,
    /// The student paid.
    pub student_id: StudentId,
    /// The program paid.
    pub program: ProgramId,
    /// The term paid for.
    pub term: Term,
    /// The amount, in yuan.
    pub amount: Money,
    /// The day it was paid.
    pub paid_on: NaiveDate,
    /// How it was paid.
    pub channel: Channel,
}

impl Disbursement {
    /// Check the amount: positive and whole fen.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] otherwise.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.amount.is_negative() || self.amount.is_zero() || !self.amount.is_whole_fen() {
            return Err(ModelError::Inconsistent {
                what: "disbursement",
                id: self.id.clone(),
                field: Some("amount"),
                reason: format!("amount {} must be positive and whole fen", self.amount),
            });
        }
        if self.id.trim().is_empty() {
            return Err(ModelError::Inconsistent {
                what: "disbursement",
                id: String::new(),
                field: Some("id"),
                reason: "empty payment reference".into(),
            });
        }
        Ok(())
    }
}

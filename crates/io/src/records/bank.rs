//! The numbers a bank payment file needs of a student, read from a
//! students file's optional columns.

use chrono::NaiveDate;
use eduaid_model::IdCard;

use super::students::col;
use crate::cell::Cell;
use crate::source::{Col, Fields};

/// The numbers a bank payment file needs, from the optional columns 身份证号,
/// 银行卡号 (一卡通账号) and 联系电话. They never decide aid, so a doubtful
/// one is a warning and left out, not a rejected row: a number cell that
/// has lost digits (Excel keeps 15), an id card number failing GB 11643, a
/// bank account that is not 8 to 30 digits.
pub(super) fn bank_details(f: &Fields, today: NaiveDate, warnings: &mut Vec<(String, String)>) -> Option<BankDetails> {
    // Most files have none of the three (each blank number is left out).
    if [col::ID_CARD, col::BANK_ACCOUNT, col::PHONE]
        .into_iter()
        .all(|c| f.cell(c).is_blank())
    {
        return None;
    }
    let mut number = |name: Col, check: &dyn Fn(&str) -> Option<String>| -> Option<String> {
        let t = match f.cell(name) {
            c if c.is_blank() => return None,
            Cell::Number(x) | Cell::Serial(x) => {
                if x.fract() != 0.0 || x.abs() >= 1e15 {
                    warnings.push((
                        f.column_name(name),
                        "the number was stored as a number cell and has lost digits: format the column as text in \
                         excel and type it again; left out"
                            .to_string(),
                    ));
                    return None;
                }
                format!("{x:.0}")
            }
            c => c.text().ok().flatten()?,
        };
        let t: String = eduaid_model::normalize_id(&t)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if t.is_empty() {
            return None;
        }
        if let Some(why) = check(&t) {
            warnings.push((f.column_name(name), format!("{why}; left out")));
            return None;
        }
        Some(t)
    };
    let id_card = number(col::ID_CARD, &|t| {
        IdCard::parse(t, today)
            .err()
            .map(|e| format!("not an id card number (身份证号): {e}"))
    });
    let bank_account = number(col::BANK_ACCOUNT, &|t| {
        let ok = (8..=30).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
        (!ok).then(|| "not a bank account number (8 to 30 digits)".to_string())
    });
    let phone = number(col::PHONE, &|t| {
        let ok = (5..=20).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit() || b == b'+');
        (!ok).then(|| "not a telephone number".to_string())
    });
    (id_card.is_some() || bank_account.is_some() || phone.is_some()).then_some(BankDetails {
        id_card,
        bank_account,
        phone,
    })
}

/// What a bank payment file (打卡发放) needs of a student, as the students
/// file gives it: read from the optional columns 身份证号, 银行卡号 (or
/// 一卡通账号 …) and 联系电话, and carried to the entitlement list. Personal
/// data: show it masked ([`BankDetails::masked`]) unless a full number is
/// asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BankDetails {
    /// The resident identity card number (身份证号), checked (GB 11643).
    pub id_card: Option<String>,
    /// The bank card or 一卡通 account the aid is paid to, digits only.
    pub bank_account: Option<String>,
    /// A contact telephone number.
    pub phone: Option<String>,
}

impl BankDetails {
    /// The numbers masked: `430102********1234`, `6217********1234`,
    /// `138****5678`.
    ///
    /// ```
    /// let d = eduaid_io::BankDetails::new(Some("43010220080501123X"), Some("6217001234567891234"), Some("13812345678"));
    /// let m = d.masked();
    /// assert_eq!(m.id_card.as_deref(), Some("430102********123X"));
    /// assert_eq!(m.bank_account.as_deref(), Some("6217***********1234"));
    /// assert_eq!(m.phone.as_deref(), Some("138****5678"));
    /// ```
    #[must_use]
    pub fn masked(&self) -> BankDetails {
        let keep = |s: &str, head: usize, tail: usize| -> String {
            let chars: Vec<char> = s.chars().collect();
            if chars.len() <= head + tail {
                return "*".repeat(chars.len());
            }
            let hidden = chars.len() - head - tail;
            chars[..head]
                .iter()
                .chain(std::iter::repeat_n(&'*', hidden))
                .chain(&chars[head + hidden..])
                .collect()
        };
        BankDetails {
            id_card: self.id_card.as_deref().map(eduaid_model::mask_id_card),
            bank_account: self.bank_account.as_deref().map(|s| keep(s, 4, 4)),
            phone: self.phone.as_deref().map(|s| keep(s, 3, 4)),
        }
    }

    /// Details from the three numbers, as given (unchecked).
    #[must_use]
    pub fn new(id_card: Option<&str>, bank_account: Option<&str>, phone: Option<&str>) -> BankDetails {
        BankDetails {
            id_card: id_card.map(str::to_string),
            bank_account: bank_account.map(str::to_string),
            phone: phone.map(str::to_string),
        }
    }
}

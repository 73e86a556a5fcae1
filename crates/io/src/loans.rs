//! Student-loan records (生源地信用助学贷款台账): one loan a row.
//!
//! The columns, with the Chinese headers a county's loan ledger uses
//! (贷款学生姓名, 身份证号, 就读高校, 贷款年度, 贷款金额 …), are
//! [`LOAN_COLUMNS`]. Every row is a loan or a rejected row naming the file,
//! line, column and reason; the counts add up (read = accepted + rejected).
//! A borrower twice in one year is not rejected here: that is a finding of
//! the loan check (`eduaid_eligibility::loans`), which sees every record.

use std::path::Path;

use eduaid_model::{Money, SchoolYear, Stage, StudentLoan};
use rust_decimal::Decimal;

use crate::cell::{Cell, parse_coded, parse_id, parse_money};
use crate::read::load_all;
use crate::records::{Context, Record};
use crate::schema::{Column, FileKind, ValueType as V};
use crate::source::{CellError, Fields};
use crate::{Error, Headers, Input, Loaded, ReadOptions, Sheet, Val, write_csv, write_xlsx};

/// The columns of a loans file, in the order [`write_loans`] writes them.
pub static LOAN_COLUMNS: &[Column] = &[
    Column {
        name: "borrower_id",
        chinese: "身份证号",
        aliases: &[
            "贷款学生身份证号",
            "借款人身份证号",
            "学生身份证号",
            "证件号码",
            "学籍号",
            "student_id",
            "id_card",
        ],
        required: true,
        value: V::Id,
    },
    Column {
        name: "name",
        chinese: "贷款学生姓名",
        aliases: &["学生姓名", "借款人姓名", "借款学生姓名", "姓名"],
        required: true,
        value: V::Text,
    },
    Column {
        name: "county",
        chinese: "区县",
        aliases: &["县区", "县(市、区)", "经办县", "贷款县"],
        required: false,
        value: V::Text,
    },
    Column {
        name: "university",
        chinese: "就读高校",
        aliases: &["就读学校", "高校名称", "学校名称", "就读院校", "school"],
        required: true,
        value: V::Text,
    },
    Column {
        name: "stage",
        chinese: "学生类型",
        aliases: &["学历层次", "学段", "培养层次", "学生类别"],
        required: true,
        value: V::Code("Stage"),
    },
    Column {
        name: "year",
        chinese: "贷款年度",
        aliases: &["贷款年份", "学年", "年度", "school_year"],
        required: true,
        value: V::SchoolYear,
    },
    Column {
        name: "amount",
        chinese: "贷款金额",
        aliases: &["贷款金额(元)", "合同金额", "借款金额", "金额"],
        required: true,
        value: V::Money,
    },
    Column {
        name: "contract_id",
        chinese: "合同编号",
        aliases: &["贷款合同号", "合同号", "贷款编号", "contract"],
        required: false,
        value: V::Text,
    },
    Column {
        name: "rate",
        chinese: "贷款利率",
        aliases: &["执行利率", "年利率", "利率"],
        required: false,
        value: V::Text,
    },
];

/// The stage of a loan: 本专科 (tertiary) or 研究生 (postgraduate), also
/// 本科, 专科, 高职, 硕士, 博士.
fn parse_loan_stage(cell: &Cell) -> Result<Option<Stage>, String> {
    let Some(t) = cell.text()? else {
        return Ok(None);
    };
    let stage = match t.as_str() {
        "专科" | "高职高专" | "本科生" | "专科生" | "本专科生" | "undergraduate" => Stage::Tertiary,
        "硕士" | "博士" | "硕士研究生" | "博士研究生" | "研究生" | "graduate" => Stage::Postgraduate,
        _ => match parse_coded::<Stage>(cell)? {
            Some(s) => s,
            None => return Ok(None),
        },
    };
    if matches!(stage, Stage::Tertiary | Stage::Postgraduate) {
        Ok(Some(stage))
    } else {
        Err(format!(
            "{t:?} is not a stage of a student loan: expected 本专科 or 研究生"
        ))
    }
}

/// A loan year: `2016`, `2016年`, `2016年度`, `2016-2017`.
fn parse_loan_year(cell: &Cell) -> Result<Option<SchoolYear>, String> {
    let Some(t) = cell.text()? else {
        return Ok(None);
    };
    let t = t.trim().strip_suffix('度').unwrap_or(t.trim());
    t.parse::<SchoolYear>().map(Some).map_err(|e| e.to_string())
}

/// An annual rate: `0.0435`, `4.35%`, `4.35`（a number above 1 is read as a
/// percentage).
fn parse_rate(cell: &Cell) -> Result<Option<Decimal>, String> {
    let Some(t) = cell.text()? else {
        return Ok(None);
    };
    let body = t.trim();
    let (body, percent) = match body.strip_suffix(['%', '％']) {
        Some(b) => (b.trim(), true),
        None => (body, false),
    };
    let d: Decimal = body
        .parse()
        .map_err(|_| format!("{t:?} is not a rate (0.0435 or 4.35%)"))?;
    Ok(Some(if percent || d >= Decimal::ONE {
        d / Decimal::ONE_HUNDRED
    } else {
        d
    }))
}

fn text(c: &Cell) -> Result<Option<String>, String> {
    c.text()
}

impl Record for StudentLoan {
    const KIND: FileKind = FileKind::Loans;

    fn parse(f: &Fields, _: &Context) -> Result<StudentLoan, CellError> {
        let amount: Money = f.req("amount", parse_money)?;
        if amount.is_negative() || amount.is_zero() {
            return Err(f.err(
                "amount",
                format!("amount {amount} must be positive: a loan lends something"),
            ));
        }
        if !amount.is_whole_fen() {
            return Err(f.err("amount", format!("amount {amount} is not whole fen")));
        }
        let loan = StudentLoan {
            borrower_id: f.req("borrower_id", parse_id)?,
            name: f.req("name", text)?,
            county: f.get("county", text)?,
            university: f.req("university", text)?,
            stage: f.req("stage", parse_loan_stage)?,
            year: f.req("year", parse_loan_year)?,
            amount,
            contract_id: f.get("contract_id", text)?,
            rate: f.get("rate", parse_rate)?,
        };
        if let Some(r) = loan.rate {
            if r.is_sign_negative() || r >= Decimal::ONE {
                return Err(f.err("rate", format!("rate {r} is not a fraction from 0 to below 1")));
            }
        }
        loan.validate().map_err(|e| CellError::row(e.to_string()))?;
        Ok(loan)
    }

    fn key(&self) -> Option<String> {
        None
    }
}

/// Read a student-loans file (CSV in UTF-8 or GBK, JSON, JSON Lines or
/// xlsx; English or Chinese headers).
///
/// # Errors
/// A file-level [`Error`]; bad rows are in the report.
pub fn read_loans<'a>(input: impl Into<Input<'a>>, opts: &ReadOptions) -> Result<Loaded<StudentLoan>, Error> {
    load_all(input.into(), opts)
}

/// The loans as a sheet, with English or Chinese headers (and stages).
#[must_use]
pub fn loans_sheet(loans: &[StudentLoan], headers: Headers) -> Sheet {
    let chinese = headers == Headers::Chinese;
    let header: Vec<&str> = LOAN_COLUMNS
        .iter()
        .map(|c| if chinese { c.chinese } else { c.name })
        .collect();
    let mut sheet = Sheet::new(if chinese { "助学贷款" } else { "loans" }, &header);
    for l in loans {
        let stage = if chinese { l.stage.chinese() } else { l.stage.code() };
        sheet.push(vec![
            Val::Text(l.borrower_id.to_string()),
            Val::Text(l.name.clone()),
            l.county.clone().map_or(Val::Empty, Val::Text),
            Val::Text(l.university.clone()),
            Val::Text(stage.to_owned()),
            Val::Int(i128::from(l.year.start_year())),
            Val::Money(l.amount),
            l.contract_id.clone().map_or(Val::Empty, Val::Text),
            l.rate.map_or(Val::Empty, |r| Val::Text(r.normalize().to_string())),
        ]);
    }
    sheet
}

/// Write loans as CSV (UTF-8 with a BOM) or xlsx by the path's extension,
/// atomically.
///
/// # Errors
/// A failure to write; the file is then left as it was.
pub fn write_loans(path: &Path, loans: &[StudentLoan], headers: Headers) -> Result<(), Error> {
    let sheet = loans_sheet(loans, headers);
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        write_xlsx(path, &[sheet])
    } else {
        write_csv(path, &sheet)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Fields::get` reads a blank cell as no value without asking the
    /// parser: so do the loans file's parsers.
    #[test]
    fn loan_parsers_read_a_blank_cell_as_no_value() {
        for c in [Cell::Empty, Cell::Text(String::new()), Cell::Text(" \u{3000}".into())] {
            assert_eq!(parse_loan_stage(&c), Ok(None), "{c:?}");
            assert_eq!(parse_loan_year(&c), Ok(None), "{c:?}");
            assert_eq!(parse_rate(&c), Ok(None), "{c:?}");
            assert_eq!(text(&c), Ok(None), "{c:?}");
        }
    }

    fn read(text: &str) -> Result<Loaded<StudentLoan>, Error> {
        read_loans(
            Input::Bytes {
                name: "loans.csv",
                bytes: text.as_bytes(),
            },
            &ReadOptions::default(),
        )
    }

    #[test]
    fn chinese_headers_read_and_bad_rows_are_named() -> Result<(), Box<dyn std::error::Error>> {
        let text = "贷款学生姓名,身份证号,就读高校,学历层次,贷款年度,贷款金额,合同编号\n\
                    张三,B1,湖南大学,本科,2016年,8000,HT1\n\
                    李四,B2,中南大学,硕士研究生,2016-2017,12000.00,\n\
                    王五,B3,湖南大学,高中,2016,8000,\n\
                    赵六,B4,湖南大学,本专科,2016,-5,\n\
                    钱七,B5,湖南大学,本专科,某年,100,\n";
        let loaded = read(text)?;
        assert_eq!(loaded.records.len(), 2);
        assert_eq!(loaded.records[1].stage, Stage::Postgraduate);
        assert_eq!(loaded.records[0].contract_id.as_deref(), Some("HT1"));
        let r = &loaded.report;
        assert_eq!(r.read, 5);
        assert_eq!(r.read, r.accepted + r.rejected);
        let cols: Vec<Option<&str>> = r.errors.iter().map(|e| e.column.as_deref()).collect();
        assert_eq!(cols, [Some("学历层次"), Some("贷款金额"), Some("贷款年度")]);
        assert_eq!(r.errors[0].line, 4);
        Ok(())
    }

    #[test]
    fn written_loans_read_back() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let loan = StudentLoan::new(
            "B1".parse()?,
            "张三",
            "湖南大学",
            Stage::Tertiary,
            SchoolYear::new(2014)?,
            Money::yuan(6000),
        )?
        .with_rate(Decimal::new(615, 4))?;
        for (name, headers) in [
            ("a.csv", Headers::Chinese),
            ("b.csv", Headers::English),
            ("c.xlsx", Headers::Chinese),
        ] {
            let path = dir.path().join(name);
            write_loans(&path, std::slice::from_ref(&loan), headers)?;
            let back = read_loans(path.as_path(), &ReadOptions::default())?;
            assert_eq!(back.records, vec![loan.clone()], "{name}");
        }
        Ok(())
    }
}

//! The working paper (底稿): the report's machine appendices, kept out of
//! the official document (GB/T 9704). The data appendix (every figure
//! printed, with its source), the check results, and the tables a
//! reviewer checks the report's figures against: the aid programs by tier
//! (一档, 二档…), the student loans by year against the year's caps with
//! the records over a cap, the students whose amount a rule could not
//! compute for want of data (by school), and the sections left out.

use std::collections::BTreeMap;

use super::keys::Key;
use super::{CountyReport, Entitlements, Error};
use crate::eligibility::MISSING_TUITION;
use crate::eligibility::loans::{LoanCheck, LoanFinding};
use crate::model::{Money, SchoolId, SchoolYear, Stage, Term};
use crate::report::{Document, Inline, Table, Validation};

/// A part of the working paper's tables: a lead sentence and, if any, its
/// table.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// What the table shows, or what was found when there is none.
    pub(crate) lead: String,
    /// The table.
    pub(crate) table: Option<Table>,
}

/// Students of one program at one school whose amount needs data the
/// record lacks (a private school's tuition): not counted as entitled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAtSchool {
    /// The program's id.
    pub program: String,
    /// The program's Chinese name.
    pub name: String,
    /// The school.
    pub school: SchoolId,
    /// The school's name.
    pub school_name: String,
    /// What is missing (`tuition`: the school's tuition, 学费标准).
    pub what: String,
    /// Students concerned (人).
    pub persons: u64,
    /// Student-terms concerned (人次).
    pub person_terms: u64,
}

/// 万元, exact, as the report's tables print amounts.
fn wan(m: Money) -> String {
    m.wan_yuan().normalize().to_string()
}

/// Push a row of texts, or keep the error for the caller.
fn row(t: &mut Table, cells: Vec<String>) -> Result<(), Error> {
    t.push_row(cells.into_iter().map(Inline::text).collect())
        .map_err(Error::from)
}

/// The aid programs of the term by tier (一档, 二档…), each program's tiers
/// followed by its total, from the engine's totals by rule and tier.
pub(crate) fn tiers(spring: Term, e: &Entitlements) -> Result<Part, Error> {
    let term = spring.to_chinese();
    let mut t = Table::new(
        format!("{term}各资助项目分档统计"),
        &["资助项目", "档次", "受助学生（人）", "人次", "资金（万元）"],
    );
    let mut programs = 0usize;
    let mut uneven = Vec::new();
    for p in e.totals.programs.iter().filter(|p| p.total.person_terms > 0) {
        let Some(basis) = e.basis.program(p.id.as_str()) else {
            continue;
        };
        if basis.by_tier.is_empty() {
            continue;
        }
        programs += 1;
        let (mut n, mut m) = (0u64, Money::ZERO);
        for (tier, tally) in &basis.by_tier {
            n += tally.person_terms;
            m += tally.amount;
            row(
                &mut t,
                vec![
                    p.name.clone(),
                    tier.clone(),
                    tally.persons.to_string(),
                    tally.person_terms.to_string(),
                    wan(tally.amount),
                ],
            )?;
        }
        if n != p.total.person_terms || m != p.total.amount {
            uneven.push(format!(
                "{}各档之和为{n}人次、{}万元，其余为不分档的规则",
                p.name,
                wan(m)
            ));
        }
        let check = "合计".to_string();
        row(
            &mut t,
            vec![
                p.name.clone(),
                check,
                p.total.persons.to_string(),
                p.total.person_terms.to_string(),
                wan(p.total.amount),
            ],
        )?;
    }
    Ok(if programs == 0 {
        Part {
            lead: format!("{term}没有按档次资助的项目。"),
            table: None,
        }
    } else {
        Part {
            lead: format!(
                "{term}按档次资助的项目{programs}个，各档受助学生、人次和资金按决定每笔资助的政策规则及其档次统计，资金为应发金额，未舍入；{}。",
                if uneven.is_empty() {
                    "各档人次和资金之和与项目合计一致".to_string()
                } else {
                    uneven.join("；")
                }
            ),
            table: Some(t.with_note("受助学生按学生去重；人次为学生与学期的组合数。")),
        }
    })
}

/// The loan year of a finding, if it has one.
fn finding_year(f: &LoanFinding) -> Option<SchoolYear> {
    match f {
        LoanFinding::OverCap { year, .. }
        | LoanFinding::Duplicate { year, .. }
        | LoanFinding::OutsideCatalogue { year, .. } => Some(*year),
        _ => None,
    }
}

/// The most findings listed one a row; the rest are counted.
const MAX_FINDINGS: usize = 500;

/// The student loans of every loan year up to `last` (a calendar year):
/// persons, records and amounts against the caps in force, the records
/// over a cap and the borrowers with two loans in a year, then each
/// finding.
pub(crate) fn loans(check: &LoanCheck, last: i32) -> Result<Vec<Part>, Error> {
    let mut t = Table::new(
        "生源地信用助学贷款按贷款年度核对",
        &[
            "贷款年度",
            "人数",
            "笔数",
            "金额（万元）",
            "本专科上限（元）",
            "研究生上限（元）",
            "超过上限（笔）",
            "同一年度重复（人）",
            "核对",
        ],
    );
    let in_scope = |y: &SchoolYear| y.start_year() <= last;
    let mut by_year: BTreeMap<SchoolYear, (u64, u64, u64)> = BTreeMap::new();
    for f in &check.findings {
        let Some(y) = finding_year(f) else { continue };
        let e = by_year.entry(y).or_default();
        match f {
            LoanFinding::OverCap { .. } => e.0 += 1,
            LoanFinding::Duplicate { .. } => e.1 += 1,
            _ => e.2 += 1,
        }
    }
    let cap = |t: &crate::eligibility::loans::YearTotals, s: Stage| {
        t.caps
            .get(&s)
            .map_or_else(|| "无".to_string(), |m| m.as_decimal().normalize().to_string())
    };
    for (y, totals) in check.years.iter().filter(|(y, _)| in_scope(y)) {
        let (over, twice, outside) = by_year.get(y).copied().unwrap_or_default();
        let found = over + twice + outside;
        row(
            &mut t,
            vec![
                format!("{}年", y.start_year()),
                totals.persons.to_string(),
                totals.loans.to_string(),
                wan(totals.amount),
                cap(totals, Stage::Tertiary),
                cap(totals, Stage::Postgraduate),
                over.to_string(),
                twice.to_string(),
                if found == 0 {
                    "符合".to_string()
                } else {
                    format!("发现问题{found}条")
                },
            ],
        )?;
    }
    let findings: Vec<&LoanFinding> = check
        .findings
        .iter()
        .filter(|f| finding_year(f).is_none_or(|y| in_scope(&y)))
        .collect();
    let years = check.years.keys().filter(|y| in_scope(y)).count();
    let mut parts = vec![Part {
        lead: format!(
            "助学贷款记录{}笔，按贷款年度统计人数（借款人去重）、笔数和金额，逐笔对照当年贷款上限（本专科、研究生），并检查同一借款人在同一年度的重复贷款；{}个贷款年度中{}。",
            check.records,
            years,
            if findings.is_empty() {
                "未发现问题".to_string()
            } else {
                format!("发现问题{}条，逐条列于下表", findings.len())
            }
        ),
        table: Some(t.with_note("金额未舍入；上限为当年政策目录所载，“无”为目录中该学段当年无贷款。")),
    }];
    if !findings.is_empty() {
        let mut f = Table::new("助学贷款记录问题", &["序号", "问题（第N条为贷款文件中记录的序号）"]);
        for (i, x) in findings.iter().take(MAX_FINDINGS).enumerate() {
            row(&mut f, vec![(i + 1).to_string(), x.chinese()])?;
        }
        let rest = findings.len().saturating_sub(MAX_FINDINGS);
        let f = if rest > 0 {
            f.with_note(format!("另有{rest}条未列出，见 eduaid loans 的输出。"))
        } else {
            f
        };
        parts.push(Part {
            lead: "助学贷款记录中发现的问题：".to_string(),
            table: Some(f),
        });
    }
    Ok(parts)
}

/// The students of the term whose amount a rule could not compute for want
/// of data, by program and school.
pub(crate) fn missing(spring: Term, e: &Entitlements) -> Result<Part, Error> {
    let term = spring.to_chinese();
    if e.missing.is_empty() {
        return Ok(Part {
            lead: format!("{term}没有因缺少数据而无法计算资助金额的学生。"),
            table: None,
        });
    }
    let mut t = Table::new(
        format!("{term}因缺少数据无法计算资助金额的学生"),
        &["资助项目", "学校代码", "学校名称", "缺少的数据", "学生（人）", "人次"],
    );
    let mut persons = 0u64;
    let mut schools = std::collections::BTreeSet::new();
    for m in &e.missing {
        persons += m.persons;
        schools.insert(&m.school);
        let what = if m.what == MISSING_TUITION {
            "学费标准".to_string()
        } else {
            m.what.clone()
        };
        row(
            &mut t,
            vec![
                m.name.clone(),
                m.school.as_str().to_string(),
                m.school_name.clone(),
                what,
                m.persons.to_string(),
                m.person_terms.to_string(),
            ],
        )?;
    }
    Ok(Part {
        lead: format!(
            "{term}有学生{persons}人（各项目分别计）因所在学校缺少数据无法计算资助金额，未计入受助人数和资金，涉及{}所学校，按项目和学校列于下表；补齐学校数据后重新计算。",
            schools.len()
        ),
        table: Some(t),
    })
}

/// Append the tables of `parts` to `doc` under one appendix.
pub(crate) fn push_parts(doc: &mut Document, label: &str, parts: &[Part]) {
    doc.push_appendix(label, "资助分档、助学贷款和缺少数据明细");
    for p in parts {
        doc.text(p.lead.clone());
        if let Some(t) = &p.table {
            doc.table(t.clone());
        }
    }
}

/// Each section of the default template that needs data beyond the
/// students, households and schools: its name, the figures it needs and
/// the file (or setting) that would give them.
const SECTIONS: &[(&str, &[Key], &str)] = &[
    (
        "控辍保学（近三年巩固率）",
        &[
            Key::RetentionPrimaryY1,
            Key::RetentionPrimaryY2,
            Key::RetentionPrimaryY3,
            Key::RetentionJuniorY1,
            Key::RetentionJuniorY2,
            Key::RetentionJuniorY3,
        ],
        "各年级入学、转入转出和毕业人数文件 grade_counts.csv（三个学年）",
    ),
    (
        "生源地信用助学贷款",
        &[Key::LoansY1Persons, Key::LoansY1Amount],
        "助学贷款文件 loans.csv（贷款年度、借款人、贷款金额）",
    ),
    (
        "三类残疾儿童入学率",
        &[Key::DisabledEnrolmentRate],
        "残疾儿童文件 disabled.csv",
    ),
    (
        "随迁子女占比",
        &[Key::MigrantShare],
        "students.csv 中城区小学生的随迁子女标记",
    ),
    (
        "化解城区大班额",
        &[Key::ClassSizeBefore, Key::ClassSizeAfter],
        "班级文件 classes.csv（本学年及以后学年的城区公办小学班级）",
    ),
    (
        "帮扶责任人覆盖率",
        &[Key::HelperCoverage],
        "households.csv 中的建档立卡家庭（及 students.csv 的帮扶责任人列）",
    ),
    (
        "义务教育生活补助",
        &[
            Key::LivingSubsidyStudents,
            Key::LivingSubsidyPrimaryStandard,
            Key::LivingSubsidyJuniorStandard,
        ],
        "政策中的生活补助项目（living-subsidy）",
    ),
    (
        "营养改善计划",
        &[Key::NutritionAmount, Key::NutritionDays, Key::NutritionStudentsFirst],
        "schools.csv 的 nutrition_plan_from 列和政策中的校历（nutrition）",
    ),
    (
        "非普惠性幼儿园建档立卡幼儿资助",
        &[Key::PreschoolAidStandard, Key::PreschoolAidStudents],
        "政策参数 preschool-aid.annual（如 --policy hunan-county-2016）",
    ),
    (
        "雨露计划",
        &[Key::RainDewStudents, Key::RainDewStandard],
        "政策中的雨露计划项目（rain-and-dew）",
    ),
    (
        "资金发放核对",
        &[Key::PaymentsCount],
        "资金发放记录文件 disbursements.csv",
    ),
    ("专任教师", &[Key::TeachersTotal], "教师文件 teachers.csv"),
];

impl CountyReport {
    /// The report's sections whose figures the data lacks, one line each,
    /// naming the file (or setting) that would fill it: the default
    /// template leaves each such section (or sentence) out.
    #[must_use]
    pub fn missing_sections(&self) -> Vec<String> {
        let has = |k: &Key| self.data.figures.get(k.as_str()).is_some();
        SECTIONS
            .iter()
            .filter(|(_, keys, _)| !keys.iter().all(&has))
            .map(|(section, _, file)| format!("“{section}”未写入：缺少{file}"))
            .collect()
    }

    /// Append the data appendix (every figure printed, with its source) and
    /// the validation summary to `doc`.
    pub fn push_appendices(&self, doc: &mut Document, validation: &Validation) {
        doc.push_data_appendix("附件1");
        doc.push_appendix("附件2", "数据校核结果");
        doc.text(format!(
            "对报告所用数据之间的勾稽关系（分项与合计、比率与分子分母、金额与人数和标准）及报告正文逐句校核，{}。",
            validation.summary()
        ));
        doc.table(validation.table("数据校核明细"));
        push_parts(doc, "附件3", &self.working);
        let missing = self.missing_sections();
        if !missing.is_empty() {
            doc.push_appendix("附件4", "未写入报告的内容");
            for line in missing {
                doc.text(line);
            }
        }
    }
}

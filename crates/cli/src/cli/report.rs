//! The arguments of `report` and `validate`.

use super::*;

/// Output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Word (.docx).
    Docx,
    /// One HTML file.
    Html,
    /// Markdown.
    Md,
}

/// `eduaid report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Files of the roster.
    #[command(flatten)]
    pub(crate) data: DataArgs,
    /// Count files.
    #[command(flatten)]
    pub(crate) counts: CountArgs,
    /// Disbursements file, for the reconciliation paragraph
    #[arg(long, value_name = "FILE")]
    pub(crate) disbursements: Option<PathBuf>,
    /// Student loans file (one loan a row: 身份证号, 贷款学生姓名, 就读高校, 学生类型, 贷款年度, 贷款金额 …), for the loan sentence and the working paper's loan tables [default: loans.csv in --data]
    #[arg(long, value_name = "FILE")]
    pub(crate) loans: Option<PathBuf>,
    /// Cited figures (引用数据) that no record holds, with the document they come from: a table with columns 键 (key), 名称 (label), 数值 (value), 单位 (unit: 人/名/所/个 counts, 元/万元/亿元 amounts, % a percentage), 出处 (source); e.g. teachers_special_post,特岗教师,234,名,《…》. Keys the default template prints: teachers_added_3y, teachers_special_post, teachers_funded_normal, teachers_recruited, teachers_high_degree, teachers_intern, aiding_organs, aided_schools, aided_canteens, invest_weak_schools, invest_equipment, poverty_loan_amount, poverty_loan_schools, teacher_training_total, teacher_training_junior_entry, teacher_training_senior_entry, graduates_registered, graduates_employed, rain_dew_prior_person_terms, rain_dew_prior_amount, rain_dew_prior_standard [default: cited.csv in --data, as eduaid sample writes it]
    #[arg(long, value_name = "FILE")]
    pub(crate) cited: Option<PathBuf>,
    /// Policy.
    #[command(flatten)]
    pub(crate) policy: PolicyChoice,
    /// Report template (minijinja) [default: the built-in county report]
    #[arg(long, value_name = "FILE")]
    pub(crate) template: Option<PathBuf>,
    /// Output format; repeat for several
    #[arg(long, value_enum, default_value = "docx", value_name = "FORMAT")]
    pub(crate) format: Vec<ReportFormat>,
    /// Folder to write the report into: county_report.docx, .html or .md, each replaced only when complete; never one of the inputs
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// The spring term the report covers
    #[arg(long, default_value = "2017-spring", value_parser = parse_term, value_name = "TERM")]
    pub(crate) term: Term,
    /// The county's name
    #[arg(long, default_value = "本县", value_name = "NAME")]
    pub(crate) county: String,
    /// A word, number or date for the report (repeatable). Keys: county, bureau (reporting body, 落款), addressee (主送机关), urban_district (城区), report_date (2017-09-30, 2017年9月30日, 2017/9/30 or 20170930), retention_junior_standard (percent, default 95), disabled_standard (percent, default 80), class_cap_primary (default 50), class_cap_junior (default 55); any other key is a word or date the template may name, e.g. fee_meeting_date=2017-07-11
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) set: Vec<String>,
}

/// `eduaid validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The report: .txt, .md, .html or .docx
    #[arg(value_name = "REPORT")]
    pub(crate) file: PathBuf,
}

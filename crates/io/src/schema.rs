//! The columns of every file kind: English name, Chinese header, aliases,
//! whether required, and the type of value.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

use eduaid_model::convert::clamped;

/// The kinds of file eduaid reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileKind {
    /// Schools (学校).
    Schools,
    /// Classes (班级) of schools, with their sizes (班额): one class a row.
    Classes,
    /// Students (学生), optionally with their household status inline.
    Students,
    /// Household status spells in long format (one spell a row).
    Households,
    /// Aid paid (资金发放记录).
    Disbursements,
    /// Enrolment and flows by school, grade, sex and poverty group.
    GradeCounts,
    /// School-age population.
    Population,
    /// Disabled children of school age.
    Disabled,
    /// Full-time teachers.
    Teachers,
    /// Student-origin credit loans (生源地信用助学贷款), one loan a row.
    Loans,
}

impl FileKind {
    /// Every kind, in documentation order.
    pub const ALL: &'static [FileKind] = &[
        FileKind::Schools,
        FileKind::Classes,
        FileKind::Students,
        FileKind::Households,
        FileKind::Disbursements,
        FileKind::GradeCounts,
        FileKind::Population,
        FileKind::Disabled,
        FileKind::Teachers,
        FileKind::Loans,
    ];

    /// The English name, used for file and sheet names (`students`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Schools => "schools",
            FileKind::Classes => "classes",
            FileKind::Students => "students",
            FileKind::Households => "households",
            FileKind::Disbursements => "disbursements",
            FileKind::GradeCounts => "grade_counts",
            FileKind::Population => "population",
            FileKind::Disabled => "disabled",
            FileKind::Teachers => "teachers",
            FileKind::Loans => "loans",
        }
    }

    /// The Chinese name, used for sheet names when writing Chinese headers.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            FileKind::Schools => "学校",
            FileKind::Classes => "班级",
            FileKind::Students => "学生",
            FileKind::Households => "家庭状态",
            FileKind::Disbursements => "资金发放",
            FileKind::GradeCounts => "年级人数",
            FileKind::Population => "适龄人口",
            FileKind::Disabled => "残疾儿童",
            FileKind::Teachers => "专任教师",
            FileKind::Loans => "助学贷款",
        }
    }

    /// The columns of this kind of file, in the order writers write them.
    #[must_use]
    pub const fn columns(self) -> &'static [Column] {
        match self {
            FileKind::Schools => SCHOOLS,
            FileKind::Classes => CLASSES,
            FileKind::Students => STUDENTS,
            FileKind::Households => HOUSEHOLDS,
            FileKind::Disbursements => DISBURSEMENTS,
            FileKind::GradeCounts => GRADE_COUNTS,
            FileKind::Population => POPULATION,
            FileKind::Disabled => DISABLED,
            FileKind::Teachers => TEACHERS,
            FileKind::Loans => crate::loans::LOAN_COLUMNS,
        }
    }

    /// The column a rejected row is named by in reports, if the kind has a
    /// single-column key.
    pub(crate) fn key_column(self) -> Option<&'static str> {
        match self {
            FileKind::Schools | FileKind::Students | FileKind::Disbursements => Some("id"),
            FileKind::Households => Some("household_id"),
            FileKind::GradeCounts | FileKind::Teachers | FileKind::Classes => Some("school_id"),
            FileKind::Population | FileKind::Disabled => Some("township"),
            FileKind::Loans => Some("borrower_id"),
        }
    }

    /// The index of the column `name` (an English name) in
    /// [`FileKind::columns`].
    ///
    /// One hash lookup in a table built once per kind: the readers look up
    /// every column of every row by name, and a scan of the kind's
    /// columns, comparing names, was a large part of loading a students
    /// file.
    pub(crate) fn index(self, name: &str) -> Option<usize> {
        type Names = HashMap<&'static str, usize, BuildHasherDefault<eduaid_model::IdHasher>>;
        static TABLES: OnceLock<Vec<Names>> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            FileKind::ALL
                .iter()
                .map(|kind| {
                    let mut table = Names::default();
                    for (i, c) in kind.columns().iter().enumerate() {
                        table.entry(c.name).or_insert(i);
                    }
                    table
                })
                .collect()
        });
        match FileKind::ALL
            .iter()
            .position(|k| *k == self)
            .and_then(|k| tables.get(k))
        {
            Some(t) => t.get(name).copied(),
            None => self.columns().iter().position(|c| c.name == name),
        }
    }

    /// [`FileKind::index`] of a name the program holds (a literal): found
    /// by the name's address after the first time, in a small two-way
    /// cache (a set per address hash; a miss looks the name up and takes
    /// the set's older slot), with no hashing or comparing of its text.
    /// Sound because static text is never freed, so an address and length
    /// always stand for the same name.
    pub(crate) fn index_static(self, name: &'static str) -> Option<usize> {
        #[derive(Clone, Copy)]
        struct Slot {
            addr: usize,
            len: usize,
            kind: Option<FileKind>,
            index: Option<usize>,
        }
        const SETS: usize = 512;
        const EMPTY: Slot = Slot {
            addr: 0,
            len: 0,
            kind: None,
            index: None,
        };
        thread_local! {
            static CACHE: RefCell<[[Slot; 2]; SETS]> = const { RefCell::new([[EMPTY; 2]; SETS]) };
        }
        let addr = name.as_ptr().addr();
        let len = name.len();
        // Fibonacci hashing: the top bits of the product, so that nearby
        // addresses spread over the sets.
        let key = clamped::<_, u64>(addr ^ len.rotate_left(20));
        let hash = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let at = clamped::<_, usize>(hash >> (u64::BITS - SETS.trailing_zeros()));
        CACHE.with(|c| {
            let mut cache = c.borrow_mut();
            let set = cache.get_mut(at)?;
            let hit = |s: &Slot| s.addr == addr && s.len == len && s.kind == Some(self);
            if hit(&set[0]) {
                return set[0].index;
            }
            if hit(&set[1]) {
                return set[1].index;
            }
            let index = self.index(name);
            set[1] = set[0];
            set[0] = Slot {
                addr,
                len,
                kind: Some(self),
                index,
            };
            index
        })
    }

    /// The column a header cell names, if any.
    pub(crate) fn find(self, header: &str) -> Option<usize> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        self.lookup().get(&key).copied()
    }

    /// Every column's normalized names (English, Chinese, aliases) to its
    /// index, the first column winning a shared name: built once per kind,
    /// so that matching a header cell costs one hash lookup. (Normalizing
    /// every name for every cell made a 6 MB CSV of three 1-million-cell
    /// rows take a minute in the header search.)
    fn lookup(self) -> &'static HashMap<String, usize> {
        static TABLES: OnceLock<HashMap<FileKind, HashMap<String, usize>>> = OnceLock::new();
        static EMPTY: OnceLock<HashMap<String, usize>> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            FileKind::ALL
                .iter()
                .map(|kind| {
                    let mut table = HashMap::new();
                    for (i, c) in kind.columns().iter().enumerate() {
                        for name in [c.name, c.chinese].iter().chain(c.aliases) {
                            table.entry(header_key(name)).or_insert(i);
                        }
                    }
                    (*kind, table)
                })
                .collect()
        });
        tables.get(&self).unwrap_or_else(|| EMPTY.get_or_init(HashMap::new))
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of value a column holds, for documentation and writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// Free text (trimmed).
    Text,
    /// An identifier: non-empty text without surrounding white space.
    Id,
    /// A date.
    Date,
    /// A yes/no value; an empty cell is no.
    YesNo,
    /// A non-negative whole number.
    Count,
    /// A grade within the stage.
    Grade,
    /// An amount of money in yuan.
    Money,
    /// One of a model enum's codes or Chinese names; the string names the
    /// enum.
    Code(&'static str),
    /// A school year (`2016`, `2016-2017`, `2016—2017学年`).
    SchoolYear,
    /// A term (`2017-spring`, `2017年春季学期`).
    Term,
}

/// One column of a file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The English snake_case header (the model's field name).
    pub name: &'static str,
    /// The Chinese header writers use.
    pub chinese: &'static str,
    /// Further headers read as this column.
    pub aliases: &'static [&'static str],
    /// A required column must be in the header and every row must fill it.
    pub required: bool,
    /// The type of its values.
    pub value: ValueType,
}

/// Normalize a header for matching: lowercase ASCII, no white space,
/// underscores or hyphens, no required-marker (`*`, `(必填)`).
pub(crate) fn header_key(h: &str) -> String {
    let h = h.trim().trim_start_matches('\u{feff}');
    let h = h.trim_matches(['*', '＊']);
    let h = h
        .strip_suffix("(必填)")
        .or_else(|| h.strip_suffix("（必填）"))
        .unwrap_or(h);
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

const fn col(
    name: &'static str,
    chinese: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    value: ValueType,
) -> Column {
    Column {
        name,
        chinese,
        aliases,
        required,
        value,
    }
}

use ValueType as V;

static SCHOOLS: &[Column] = &[
    col(
        "id",
        "学校标识码",
        &["school_id", "学校代码", "学校编号", "学校编码"],
        true,
        V::Id,
    ),
    col("name", "学校名称", &["学校", "校名"], true, V::Text),
    col(
        "kind",
        "学校类型",
        &["办学类型", "学校类别"],
        true,
        V::Code("SchoolKind"),
    ),
    col(
        "ownership",
        "办学性质",
        &["公办民办", "举办者类型"],
        true,
        V::Code("Ownership"),
    ),
    col("township", "乡镇", &["所在乡镇", "乡镇街道"], true, V::Text),
    col(
        "locality",
        "城乡",
        &["城乡分类", "城乡类型", "所在地区类型"],
        true,
        V::Code("Locality"),
    ),
    col(
        "nutrition_plan_from",
        "营养改善计划实施日期",
        &["纳入营养改善计划时间", "营养改善计划起始日期"],
        false,
        V::Date,
    ),
    col(
        "annual_tuition",
        "学费",
        &["年学费", "学费标准", "学费(元/年)"],
        false,
        V::Money,
    ),
];

static CLASSES: &[Column] = &[
    col(
        "school_id",
        "学校标识码",
        &["学校代码", "学校编号", "学校"],
        true,
        V::Id,
    ),
    col("year", "学年", &["school_year"], true, V::SchoolYear),
    col("stage", "学段", &[], true, V::Code("Stage")),
    col("grade", "年级", &[], true, V::Grade),
    col("size", "班额", &["人数", "班级人数", "学生数"], true, V::Count),
];

static STUDENTS: &[Column] = &[
    col(
        "id",
        "学籍号",
        &["student_id", "全国学籍号", "学生编号", "学号"],
        true,
        V::Id,
    ),
    col("name", "姓名", &["学生姓名"], true, V::Text),
    col("sex", "性别", &[], true, V::Code("Sex")),
    col("birth_date", "出生日期", &["出生年月日", "生日"], true, V::Date),
    col(
        "school_id",
        "学校",
        &["学校标识码", "学校代码", "学校编号", "就读学校"],
        true,
        V::Id,
    ),
    col("stage", "学段", &["学习阶段"], true, V::Code("Stage")),
    col("grade", "年级", &[], true, V::Grade),
    col(
        "boarder",
        "是否寄宿",
        &["寄宿生", "寄宿", "是否寄宿生"],
        false,
        V::YesNo,
    ),
    col(
        "disability",
        "残疾类别",
        &["残疾类型", "残疾情况"],
        false,
        V::Code("DisabilityKind"),
    ),
    col(
        "migrant",
        "随迁子女",
        &["是否随迁子女", "进城务工人员随迁子女"],
        false,
        V::YesNo,
    ),
    col("left_behind", "留守儿童", &["是否留守儿童"], false, V::YesNo),
    col(
        "hukou",
        "户籍",
        &["户口性质", "户籍性质", "户口类别"],
        true,
        V::Code("Hukou"),
    ),
    col("agricultural_major", "涉农专业", &["是否涉农专业"], false, V::YesNo),
    col(
        "household_id",
        "户编号",
        &["家庭编号", "户号", "家庭户编号"],
        false,
        V::Id,
    ),
    col(
        "status",
        "学籍状态",
        &["在校状态", "学生状态"],
        true,
        V::Code("EnrolmentStatus"),
    ),
    col(
        "status_since",
        "学籍状态日期",
        &["状态日期", "状态变动日期", "学籍变动日期"],
        true,
        V::Date,
    ),
    col("helper", "帮扶责任人", &["帮扶人", "帮扶责任人姓名"], false, V::Text),
    // What a bank payment file needs (打卡发放): read and carried to the
    // entitlement list, never used in computing aid.
    col(
        "id_card",
        "身份证号",
        &[
            "身份证号码",
            "身份证",
            "公民身份号码",
            "居民身份证号",
            "居民身份证号码",
            "学生身份证号",
            "证件号码",
            "身份证件号码",
        ],
        false,
        V::Text,
    ),
    col(
        "bank_account",
        "银行卡号",
        &[
            "一卡通账号",
            "一卡通号",
            "一卡通卡号",
            "惠民惠农一卡通账号",
            "社保卡号",
            "社会保障卡号",
            "银行账号",
            "银行卡账号",
            "收款账号",
            "存折账号",
            "卡号",
        ],
        false,
        V::Text,
    ),
    col(
        "phone",
        "联系电话",
        &[
            "手机号",
            "手机号码",
            "电话",
            "联系方式",
            "家长电话",
            "监护人电话",
            "监护人联系电话",
        ],
        false,
        V::Text,
    ),
    col(
        "registered_poor",
        "建档立卡",
        &["是否建档立卡", "建档立卡户", "建档立卡贫困户", "是否建档立卡贫困户"],
        false,
        V::YesNo,
    ),
    col(
        "registered_poor_from",
        "建档立卡时间",
        &["建档立卡日期", "纳入建档立卡时间"],
        false,
        V::Date,
    ),
    col(
        "registered_poor_until",
        "脱贫时间",
        &["exited_on", "脱贫日期", "标注脱贫时间"],
        false,
        V::Date,
    ),
    col(
        "monitored",
        "防止返贫监测对象",
        &["是否监测对象", "监测对象", "监测户"],
        false,
        V::YesNo,
    ),
    col("monitored_from", "纳入监测时间", &["监测起始日期"], false, V::Date),
    col(
        "monitored_until",
        "解除监测时间",
        &["风险消除时间", "监测结束日期"],
        false,
        V::Date,
    ),
    col("dibao", "低保", &["是否低保", "低保户", "农村低保"], false, V::YesNo),
    col(
        "dibao_from",
        "低保起始日期",
        &["纳入低保时间", "低保时间"],
        false,
        V::Date,
    ),
    col("dibao_until", "低保结束日期", &["退出低保时间"], false, V::Date),
    col(
        "destitute",
        "特困供养",
        &["特困", "是否特困", "特困供养人员"],
        false,
        V::YesNo,
    ),
    col(
        "destitute_from",
        "特困供养起始日期",
        &["纳入特困时间", "特困时间"],
        false,
        V::Date,
    ),
    col("destitute_until", "特困供养结束日期", &["退出特困时间"], false, V::Date),
    col("orphan", "孤儿", &["是否孤儿"], false, V::YesNo),
    col("orphan_from", "孤儿认定日期", &["孤儿起始日期"], false, V::Date),
    col("orphan_until", "孤儿结束日期", &[], false, V::Date),
    col(
        "de_facto_unsupported",
        "事实无人抚养儿童",
        &["是否事实无人抚养儿童", "事实孤儿"],
        false,
        V::YesNo,
    ),
    col(
        "de_facto_unsupported_from",
        "事实无人抚养认定日期",
        &["事实无人抚养儿童起始日期"],
        false,
        V::Date,
    ),
    col(
        "de_facto_unsupported_until",
        "事实无人抚养结束日期",
        &[],
        false,
        V::Date,
    ),
    col(
        "hardship",
        "家庭经济困难",
        &["是否家庭经济困难", "经济困难", "家庭经济困难学生"],
        false,
        V::YesNo,
    ),
    col(
        "hardship_from",
        "家庭经济困难认定日期",
        &["困难认定日期", "家庭经济困难起始日期"],
        false,
        V::Date,
    ),
    col("hardship_until", "家庭经济困难结束日期", &[], false, V::Date),
];

static HOUSEHOLDS: &[Column] = &[
    col("household_id", "户编号", &["id", "家庭编号", "户号"], true, V::Id),
    col(
        "status",
        "身份类别",
        &["kind", "状态", "类别", "困难类别"],
        true,
        V::Code("StatusKind"),
    ),
    col("from", "起始日期", &["开始日期", "认定日期", "纳入时间"], true, V::Date),
    col(
        "until",
        "结束日期",
        &["截止日期", "退出日期", "退出时间"],
        false,
        V::Date,
    ),
];

static DISBURSEMENTS: &[Column] = &[
    col("id", "流水号", &["发放编号", "编号", "序列号"], true, V::Text),
    col("student_id", "学籍号", &["全国学籍号", "学生编号"], true, V::Id),
    col(
        "program",
        "资助项目",
        &["项目", "项目代码", "program_id"],
        true,
        V::Code("ProgramId"),
    ),
    col("term", "学期", &["发放学期", "资助学期"], true, V::Term),
    col("amount", "金额", &["发放金额", "资助金额", "金额(元)"], true, V::Money),
    col("paid_on", "发放日期", &["发放时间", "支付日期"], true, V::Date),
    col(
        "channel",
        "发放方式",
        &["发放渠道", "支付方式"],
        true,
        V::Code("Channel"),
    ),
];

static GRADE_COUNTS: &[Column] = &[
    col("year", "学年", &["school_year"], true, V::SchoolYear),
    col(
        "school_id",
        "学校标识码",
        &["学校代码", "学校编号", "学校"],
        true,
        V::Id,
    ),
    col("township", "乡镇", &["所在乡镇"], true, V::Text),
    col("locality", "城乡", &["城乡分类"], true, V::Code("Locality")),
    col("stage", "学段", &[], true, V::Code("Stage")),
    col("grade", "年级", &[], true, V::Grade),
    col("sex", "性别", &[], true, V::Code("Sex")),
    col(
        "poverty",
        "建档立卡",
        &["贫困类别", "是否建档立卡"],
        true,
        V::Code("PovertyGroup"),
    ),
    col("enrolled", "在校生数", &["在校生", "在校人数"], true, V::Count),
    col("new_entrants", "招生数", &["新生数", "招生"], false, V::Count),
    col("repeaters", "留级生数", &["留级", "复读生数"], false, V::Count),
    col("graduates", "毕业生数", &["毕业", "毕业人数"], false, V::Count),
    col("transfers_in", "转入数", &["转入", "转入人数"], false, V::Count),
    col("transfers_out", "转出数", &["转出", "转出人数"], false, V::Count),
    col("dropouts", "辍学数", &["辍学", "辍学人数"], false, V::Count),
    col("deaths", "死亡数", &["死亡", "死亡人数"], false, V::Count),
    col("temporary_in", "借读数", &["借读", "借读人数"], false, V::Count),
    col("suspended", "休学数", &["休学", "休学人数"], false, V::Count),
    col("other_in", "其他增加", &["其他增加数", "其它增加"], false, V::Count),
    col("other_out", "其他减少", &["其他减少数", "其它减少"], false, V::Count),
];

static POPULATION: &[Column] = &[
    col("year", "学年", &["school_year"], true, V::SchoolYear),
    col("township", "乡镇", &["所在乡镇"], true, V::Text),
    col("age", "年龄", &["周岁"], true, V::Count),
    col("sex", "性别", &[], true, V::Code("Sex")),
    col("count", "人数", &["适龄人口数", "人口数"], true, V::Count),
];

static DISABLED: &[Column] = &[
    col("year", "学年", &["school_year"], true, V::SchoolYear),
    col("township", "乡镇", &["所在乡镇"], true, V::Text),
    col("kind", "残疾类别", &["残疾类型"], true, V::Code("DisabilityKind")),
    col("age", "年龄", &["周岁"], true, V::Count),
    col("sex", "性别", &[], true, V::Code("Sex")),
    col("total", "残疾儿童数", &["总数", "人数"], true, V::Count),
    col("in_school", "在校数", &["入学数", "在校人数"], true, V::Count),
];

static TEACHERS: &[Column] = &[
    col("year", "学年", &["school_year"], true, V::SchoolYear),
    col(
        "school_id",
        "学校标识码",
        &["学校代码", "学校编号", "学校"],
        true,
        V::Id,
    ),
    col("stage", "学段", &[], true, V::Code("Stage")),
    col("teachers", "专任教师数", &["专任教师", "教师数"], true, V::Count),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_header_is_ambiguous_within_a_kind() {
        for kind in FileKind::ALL {
            let mut seen = std::collections::HashMap::new();
            for (i, c) in kind.columns().iter().enumerate() {
                for h in std::iter::once(&c.name)
                    .chain(std::iter::once(&c.chinese))
                    .chain(c.aliases)
                {
                    if let Some(j) = seen.insert(header_key(h), i) {
                        assert_eq!(i, j, "{kind}: header {h} names two columns");
                    }
                }
            }
        }
    }

    #[test]
    fn every_name_and_alias_finds_its_column() {
        for kind in FileKind::ALL {
            for (i, c) in kind.columns().iter().enumerate() {
                for h in [c.name, c.chinese].iter().chain(c.aliases) {
                    assert_eq!(kind.find(h), Some(i), "{kind}: {h}");
                    assert_eq!(
                        kind.find(&format!(" *{}(必填) ", h.to_uppercase())),
                        Some(i),
                        "{kind}: {h}"
                    );
                }
            }
        }
    }

    #[test]
    fn headers_match_loosely() {
        assert_eq!(
            FileKind::Students.find(" 出生日期 "),
            FileKind::Students.index("birth_date")
        );
        assert_eq!(
            FileKind::Students.find("Birth Date"),
            FileKind::Students.index("birth_date")
        );
        assert_eq!(FileKind::Students.find("*学籍号(必填)"), FileKind::Students.index("id"));
        assert_eq!(FileKind::Students.find("学 生 姓 名"), FileKind::Students.index("name"));
        assert_eq!(FileKind::Students.find("序号"), None);
    }
}

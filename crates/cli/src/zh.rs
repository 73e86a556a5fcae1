//! Messages from the libraries in Chinese. `eduaid-io`, `eduaid-stats` and
//! `eduaid-eligibility` word their warnings, errors and reasons in English
//! (with the Chinese terms in parentheses); under `--lang zh` the command
//! line puts the fixed parts of those sentences in Chinese, phrase by
//! phrase, leaving the data in them (files, lines, ids, dates, amounts) as
//! it is. A phrase not in the table stays English: the message is never
//! lost, only less translated.

/// English phrases and their Chinese, longest and most specific first.
const PHRASES: &[(&str, &str)] = &[
    // eduaid-eligibility: whole clauses of a reason, before the short words
    // below (" for ", " is ") can split them.
    ("; the rule is for boarders", "；本规则适用于寄宿生"),
    ("; the rule is for day students", "；本规则适用于走读生"),
    ("; the rule requires public", "；本规则要求公办"),
    ("; the rule requires private", "；本规则要求民办"),
    ("; the rule requires urban", "；本规则要求城区"),
    ("; the rule requires rural", "；本规则要求农村"),
    (" is public (公办)", " 为公办"),
    (" is private (民办)", " 为民办"),
    (" is urban (城区)", " 为城区学校"),
    (" is rural (农村)", " 为农村学校"),
    // eduaid-eligibility: a term the policy cannot resolve
    // (`Error::Unprepared`) and a parameter not yet set.
    (
        ": a gap in the parameter's dates (the rule is in force)",
        "：该参数的日期有断档而规则仍在执行，请在政策文件中补齐该参数的取值",
    ),
    (", term ", "，"),
    (": no value of ", "：没有取值：参数 "),
    ("no value of ", "没有取值：参数 "),
    (" is in force on ", "，日期 "),
    (" is in force during ", "，期间 "),
    (", rule ", "，规则 "),
    // eduaid-eligibility: reconciliation evidence.
    ("payment reference ", "发放流水号 "),
    (" is used twice (also paid on ", " 重复使用（另一笔发放于 "),
    ("no program ", "没有资助项目 "),
    (" in the policy", "（政策中无此项目）"),
    ("program ", "资助项目 "),
    (" is not in the roster", " 不在名册中"),
    (" is outside the reconciliation's scope", " 不在本次核对范围内"),
    ("second payment of ", "第二次发放 "),
    (": already paid ", "：已发放 "),
    (" (reference ", "（流水号 "),
    (" but the student left school on ", "，但学生离校日期为 "),
    ("paid on ", "发放日期 "),
    (" was owed", " 为应发金额"),
    (" but ", "，但 "),
    ("paid ", "实发 "),
    ("entitled to ", "应享受 "),
    (" and no payment is on record", "，但没有发放记录"),
    (" for ", "，"),
    ("not entitled: ", "不符合条件："),
    // eduaid-io: the header, furniture, columns.
    (
        " above the header is ignored (a title row?)",
        " 行在表头之上，已忽略（标题行？）",
    ),
    (" above the header is ignored: ", " 行在表头之上，已忽略："),
    (
        " are read as one header (merged header cells)",
        " 行合并读作一个表头（合并单元格）",
    ),
    (" has no header and is ignored", " 没有表头，已忽略"),
    (" is ignored", " 已忽略"),
    ("unknown column ", "未知列 "),
    (" (totals, not a record): ", "（合计行，不是记录）："),
    (
        " is skipped as a note below the table: ",
        " 行是表格下方的备注，已跳过：",
    ),
    (" is skipped as ", " 行已跳过，识别为 "),
    ("its sums match the rows above in ", "与上方各行之和一致："),
    ("it does NOT match: ", "与上方各行之和不一致："),
    ("not checkable (no numbers above): ", "无法核对（上方没有数字）："),
    ("more rows have warnings like the", "行有类似上述的警告（只列出前"),
    ("above (only the first", "条，共列出"),
    ("are listed)", "条）"),
    ("missing required column ", "缺少必需的列 "),
    ("required value is missing", "必填项为空"),
    ("impossible date ", "不存在的日期 "),
    ("duplicate student id ", "学籍号重复 "),
    ("unknown school ", "未知学校 "),
    ("is not taught at", "不在所属学校的办学范围："),
    (
        "the id was stored as a number and has lost digits: format the column as text in excel and type the ids again",
        "编号被存成了数字，已丢失位数：请在 Excel 中把该列设为文本格式后重新录入",
    ),
    (
        "the number was stored as a number cell and has lost digits: format the column as text in excel and type it again",
        "号码被存成了数字，已丢失位数：请在 Excel 中把该列设为文本格式后重新录入",
    ),
    ("; left out", "；未写入名单"),
    ("not an id card number (身份证号): ", "身份证号不正确："),
    (
        "not a bank account number (8 to 30 digits)",
        "银行卡号不正确（应为 8 至 30 位数字）",
    ),
    ("not a telephone number", "联系电话不正确"),
    ("invalid id card number ", "身份证号不正确 "),
    (
        "an id card number has 18 (or 15 before 1999)",
        "身份证号应为 18 位（1999 年前为 15 位）",
    ),
    (" characters: ", " 位："),
    ("born on ", "出生日期 "),
    (
        ", but the id card number in the 学籍号 gives ",
        "，但学籍号中的身份证号为 ",
    ),
    (", which is in the future (today is ", "，晚于今天（"),
    ("implausible for stage", "与学段不符"),
    ("check the birth date and the stage", "请核对出生日期和学段"),
    ("when joining", "入学时"),
    ("on the status date", "（学籍状态日期"),
    ("aged ", "年龄 "),
    ("record ", "记录 "),
    ("column ", "列 "),
    ("lines ", "第 "),
    ("line ", "第 "),
    ("No such file or directory (os error 2)", "文件或文件夹不存在"),
    ("Permission denied (os error 13)", "没有权限"),
    ("Is a directory (os error 21)", "这是文件夹，不是文件"),
    ("not a folder", "不是文件夹"),
    ("rows rejected", "行被拒绝"),
    // eduaid-eligibility: why a rule does not hold.
    ("none of the alternatives holds: ", "以下条件均不满足："),
    ("; the rule covers grades ", "；本规则适用于年级 "),
    ("; the rule covers ", "；本规则适用于"),
    ("; the rule requires ", "；本规则要求"),
    ("stage is ", "学段为"),
    ("in grade ", "年级为"),
    ("hukou is ", "户籍为"),
    ("a boarder (寄宿生)", "寄宿生"),
    ("a day student (走读生)", "走读生"),
    ("does not study an agricultural major (涉农专业)", "非涉农专业学生"),
    ("studies an agricultural major (涉农专业)", "涉农专业学生"),
    ("not a left-behind child (留守儿童)", "非留守儿童"),
    ("a left-behind child (留守儿童)", "留守儿童"),
    ("not a migrant worker's child (随迁子女)", "非随迁子女"),
    ("a migrant worker's child (随迁子女)", "随迁子女"),
    ("not disabled", "非残疾学生"),
    ("disabled (", "残疾（"),
    (": no household on record", "：无家庭记录"),
    ("has no such status on record", "无此状态记录"),
    ("household ", "家庭 "),
    ("monitored against relapse", "防止返贫监测对象"),
    ("registered-poor", "建档立卡户"),
    ("on dibao", "低保户"),
    ("destitute-supported", "特困供养人员"),
    ("a de facto unsupported child", "事实无人抚养儿童"),
    ("an orphan", "孤儿"),
    ("certified in hardship", "家庭经济困难学生"),
    (
        "not a household that exited poverty (脱贫户) on or after ",
        "不是以下日期及以后脱贫的家庭（脱贫户）：",
    ),
    (
        "not a household that exited poverty (脱贫户) by ",
        "截至以下日期不是脱贫户：",
    ),
    ("exited poverty (脱贫) on ", "脱贫日期 "),
    ("still registered-poor", "仍为建档立卡户"),
    ("never registered-poor", "从未建档立卡"),
    ("joined the nutrition plan on ", "纳入营养改善计划的日期为 "),
    ("is not in the nutrition plan", "未纳入营养改善计划"),
    ("is in the nutrition plan", "已纳入营养改善计划"),
    ("after this term's provision ended on ", "晚于本学期供餐结束日 "),
    ("the entitlements file owes nothing for ", "应助名单中没有此项应发："),
    ("has no entitlement in the entitlements file", "不在应助名单中"),
    ("no enrolment", "无在校生"),
    ("reconstructed cohort has no finite value at ", "重构队列无法计算："),
    ("school ", "学校 "),
    (" is a ", " 为"),
    (" is ", " 为"),
    (" and ", " 且 "),
    (" or ", " 或 "),
    (" on or before ", " 当日或之前 "),
    (" on or after ", " 当日或之后 "),
    (" before ", " 早于 "),
    (" after ", " 晚于 "),
    (" within ", " 在 "),
    (" years of ", " 年内，自 "),
    (" by ", " 截至 "),
    (" on ", " 于 "),
    ("not ", "不是"),
];

/// `text` with the phrases of [`PHRASES`] in Chinese, and a stage's
/// English code after its Chinese name dropped (`小学 (primary)` is 小学).
pub(crate) fn chinese(text: &str) -> String {
    let mut out = text.to_string();
    for (en, zh) in PHRASES {
        if out.contains(en) {
            out = out.replace(en, zh);
        }
    }
    for stage in eduaid::model::Stage::ALL {
        let both = format!("{} ({})", stage.chinese(), stage.code());
        if out.contains(&both) {
            out = out.replace(&both, stage.chinese());
        }
    }
    // An enrolment status in parentheses: `(transferred_out)` is （转出）.
    for status in eduaid::model::EnrolmentStatus::ALL {
        for code in [format!(" ({})", status.code()), format!("({})", status.code())] {
            if out.contains(&code) {
                out = out.replace(&code, &format!("（{}）", status.chinese()));
            }
        }
    }
    balance_brackets(&terms_in_chinese(&out))
}

/// `text` with each term code standing alone (`2017-spring`, not part of a
/// longer token such as a payment reference `2017-spring-preschool-0021`)
/// in Chinese (2017年春季学期).
pub(crate) fn terms_in_chinese(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['s', 'a']) {
        let (before, at) = rest.split_at(i);
        let word = ["spring", "autumn"].into_iter().find(|w| at.starts_with(w));
        let year = before.len().checked_sub(5).and_then(|j| before.get(j..));
        let boundary_before = before
            .len()
            .checked_sub(6)
            .and_then(|j| before.get(j..))
            .and_then(|t| t.chars().next())
            .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-');
        match (word, year) {
            (Some(w), Some(y))
                if boundary_before
                    && y.ends_with('-')
                    && y[..4].chars().all(|c| c.is_ascii_digit())
                    && !at[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
            {
                out.push_str(&before[..before.len() - 5]);
                out.push_str(&y[..4]);
                out.push_str(if w == "spring" {
                    "年春季学期"
                } else {
                    "年秋季学期"
                });
                rest = &at[w.len()..];
            }
            _ => {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A parenthesis opened in Chinese by the phrases (`（流水号 `) closed in
/// Chinese too; ASCII pairs in the data stay as they are.
fn balance_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Vec<bool> = Vec::new();
    for c in text.chars() {
        match c {
            '（' => open.push(true),
            '(' => open.push(false),
            ')' if open.pop() == Some(true) => {
                out.push('）');
                continue;
            }
            '）' => {
                open.pop();
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `text` with each program id followed by a space (`living-subsidy `, as
/// reasons and evidence write it) put as the program's Chinese name.
pub(crate) fn program_names(text: &str, names: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (id, name) in names {
        let key = format!("{id} ");
        if out.contains(&key) {
            out = out.replace(&key, &format!("{name} "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_and_warnings_read_in_chinese() {
        assert_eq!(
            chinese("a day student (走读生); the rule is for boarders"),
            "走读生；本规则适用于寄宿生"
        );
        assert_eq!(
            chinese("school 城关镇第一初级中学 is urban (城区); the rule requires rural"),
            "学校 城关镇第一初级中学 为城区学校；本规则要求农村"
        );
        assert_eq!(
            chinese("stage is 普通高中 (senior); the rule covers 小学, 初中"),
            "学段为普通高中；本规则适用于小学, 初中"
        );
        assert_eq!(
            chinese("paid on 2017-03-28 but the student left school on 2017-03-20 (transferred_out)"),
            "发放日期 2017-03-28，但学生离校日期为 2017-03-20（转出）"
        );
        assert_eq!(
            chinese(
                "second payment of 500元 for preschool-aid 2017-spring: already paid 500元 on 2017-03-29 (reference 2017-spring-preschool-aid-0021414)"
            ),
            "第二次发放 500元，preschool-aid 2017年春季学期：已发放 500元 于 2017-03-29（流水号 2017-spring-preschool-aid-0021414）"
        );
        assert_eq!(
            terms_in_chinese("2016-autumn, x2017-spring, 2017-springs, 2017-spring"),
            "2016年秋季学期, x2017-spring, 2017-springs, 2017年春季学期"
        );
        assert_eq!(balance_brackets("a (b) （c) (d"), "a (b) （c） (d");
        assert_eq!(
            chinese(
                "program county-transport, rule rural-boarders, term 2017-spring: no value of county-transport.per-term is in force on 2017-03-01: a gap in the parameter's dates (the rule is in force)"
            ),
            "资助项目 county-transport，规则 rural-boarders，2017年春季学期：没有取值：参数 county-transport.per-term，日期 2017-03-01：该参数的日期有断档而规则仍在执行，请在政策文件中补齐该参数的取值"
        );
        assert_eq!(
            program_names(
                "应享受 500元，living-subsidy 2017年春季学期",
                &[("living-subsidy".into(), "寄宿生生活补助".into())]
            ),
            "应享受 500元，寄宿生生活补助 2017年春季学期"
        );
        assert_eq!(
            chinese("s.csv:1: line 1 above the header is ignored (a title row?)"),
            "s.csv:1: 第 1 行在表头之上，已忽略（标题行？）"
        );
        assert_eq!(
            chinese("not registered-poor or on dibao on 2017-03-01: no household on record"),
            "不是建档立卡户 或 低保户 于 2017-03-01：无家庭记录"
        );
    }
}

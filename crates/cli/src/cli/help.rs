//! The language of help and messages: its choice, the Chinese help put in place at startup
//! and clap's errors in Chinese.

use super::*;

/// The language asked for by `--lang` on the command line, else by the
/// locale (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set), else by
/// the system's language (`sys-locale`: on Windows, where LANG is unset,
/// the user's display language, `zh-CN` on a Chinese PC).
pub(crate) fn detect_lang(args: &[OsString]) -> Lang {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned());
    while let Some(a) = it.next() {
        let value = if a == "--lang" {
            it.next()
        } else {
            a.strip_prefix("--lang=").map(str::to_string)
        };
        if let Some(v) = value {
            return if v.eq_ignore_ascii_case("zh") {
                Lang::Zh
            } else {
                Lang::En
            };
        }
    }
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                };
            }
        }
    }
    match sys_locale::get_locale() {
        Some(l) if l.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The command, with its help in `lang`.
pub(crate) fn command(lang: Lang) -> Command {
    let _ = HELP_LANG.set(lang);
    let cmd = <Cli as clap::CommandFactory>::command();
    match lang {
        Lang::En => cmd.about(ABOUT_EN),
        Lang::Zh => localize(cmd, ""),
    }
}

const ABOUT_EN: &str = "eduaid: student aid, retention statistics and the county work report for education \
poverty-alleviation work, on your own spreadsheets (CSV UTF-8/GBK, JSON, XLSX).\n\
Exit codes: 0 success, 1 findings (unpaid students, failed checks or tests), 2 bad input or usage.";

/// Chinese help: by `command path.argument id`, or by the command path alone
/// for its description. Arguments not listed under their command fall back
/// to the entry for the bare argument id.
const ZH: &[(&str, &str)] = &[
    (
        "",
        "eduaid：教育扶贫学生资助、控辍保学统计与县级工作报告工具，直接处理您的表格（CSV UTF-8/GBK、JSON、XLSX）。\n\
         退出码：0 成功；1 发现问题（应补未补、校核不一致、政策测试失败）；2 输入或用法错误。",
    ),
    ("--lang", "帮助和提示的语言：en 或 zh（默认按 LC_ALL / LANG）"),
    ("--quiet", "不显示进度条和文件读取汇总（错误仍输出到标准错误）"),
    ("--json", "在标准输出打印机器可读的 JSON，而不是表格"),
    (
        "--encoding",
        "CSV 输入文件的编码：utf8、gb18030（也可读 GBK）或 auto（自动识别）",
    ),
    (
        "--delimiter",
        "CSV 输入文件的分隔符：',' ';' '\\t'（或 tab）'|'，或 auto（按表头行识别）",
    ),
    (
        "--show_names",
        "在终端显示学生姓名（默认只显示姓名首字加 *；您要求写出的文件始终保留完整姓名）",
    ),
    ("evaluate", "计算每名学生某学期应享受的资助，并按项目、学段汇总"),
    ("explain", "逐条解释学生的资助：规则、条件、标准及政策依据"),
    ("why-not", "说明学生为何不能享受某项资助：第一个不满足的条件及政策依据"),
    (
        "reconcile",
        "核对实发与应发：应补未补、不符合条件、重复发放、金额不符、离校后发放",
    ),
    ("stats", "根据年级人数统计巩固率、辍学率、入学率等指标及其提示"),
    ("report", "根据您自己的数据生成县级工作报告（DOCX、HTML 或 Markdown）"),
    ("validate", "校核人工撰写的报告中的数据（.txt、.md、.html 或 .docx）"),
    ("policy", "政策目录：列出项目、查看项目、检查叠加政策文件、运行政策测试"),
    ("policy list", "列出政策中的资助项目、资助方式和设立文件"),
    ("policy show", "查看一个项目：规则、分时段标准及政策依据"),
    ("policy check", "检查叠加政策文件（.toml）与其所依据的内置政策"),
    ("policy test", "运行声明式政策测试用例文件"),
    ("sample", "生成示范县（或更大的模拟县）数据文件，用于试用各项命令"),
    (
        "--data",
        "存放数据文件的文件夹（schools.csv、students.csv、households.csv 等，即 eduaid sample 生成的文件名）",
    ),
    ("--schools", "学校文件（.csv、.json、.jsonl 或 .xlsx）"),
    ("--students", "学生文件，可含家庭状态列"),
    (
        "--households",
        "家庭状态文件（每行一个状态时段），优先于学生文件中的状态列",
    ),
    ("--classes", "班级文件（班额）"),
    (
        "--status_as_of",
        "学生文件中“是/否”状态列所指的日期（用于未填开始日期的行）",
    ),
    (
        "--policy",
        "政策层：内置编号（national、hunan、hunan-county-2016）或叠加政策 .toml 文件；可重复，最后一个在最上层［默认 national（国家政策）；每次运行都会显示所用的政策层］",
    ),
    ("--term", "学期，如 2017-spring 或 2017年春季学期"),
    (
        "evaluate --term",
        "要计算的学期，如 2017-spring 或 2017年春季学期；可重复",
    ),
    (
        "evaluate --out",
        "把逐生应助名单和汇总写入此文件（.xlsx、.csv 或 .json），写完后才替换原文件；不能是输入文件。.csv 会在旁边另写两个文件：<文件名>-汇总.csv、<文件名>-分学段.csv（英文界面为 <文件名>-totals.csv、<文件名>-by_stage.csv）。.xlsx 超过 Excel 的 1048576 行时续写在工作表“应助名单 (2)”",
    ),
    (
        "--full_numbers",
        "在 --out 文件中写出完整的身份证号、银行卡号（一卡通账号）和联系电话（取自学生文件的这些列），供银行代发使用；不加此项时这些号码只写部分（如 430102********1234、6217***********1234、138****5678）。含完整号码的文件请按个人信息妥善保管，不要通过邮件或聊天工具传送",
    ),
    ("--students_ids", "学籍号（可多个）"),
    ("--student", "学籍号"),
    ("--programs", "资助项目编号，如 living-subsidy（见 eduaid policy list）"),
    (
        "--entitlements",
        "由 eduaid evaluate --out 生成的应助名单文件（代替名册和政策）",
    ),
    ("--disbursements", "资金发放记录文件（实际发放）"),
    (
        "reconcile --out",
        "把核对结果写成便于逐条处理的表格（.xlsx、.csv 或 .json），写完后才替换原文件；不能是输入文件。.csv 会在旁边另写 <文件名>-汇总.csv（英文界面为 <文件名>-summary.csv）",
    ),
    (
        "stats --data",
        "存放 grade_counts、population、disabled、teachers 文件的文件夹",
    ),
    ("--counts", "年级人数文件（按学校、年级、性别、贫困类别的在校生和流动）"),
    ("--population", "适龄人口文件"),
    ("--disabled", "残疾儿童文件"),
    ("--teachers", "专任教师文件"),
    (
        "--year",
        "统计学年（巩固率为毕业学年），如 2016 表示 2016—2017 学年［默认：文件中最新学年］",
    ),
    ("--by", "按乡镇、学校、性别或贫困类别分组统计"),
    ("--cap", "超过100%的比率按100%显示（原始值单列并标注）"),
    ("--sig", "按 N 位有效数字修约，而不是保留两位小数"),
    ("stats --schools", "学校文件，用于班额统计［默认：--data 中的 schools］"),
    (
        "stats --students",
        "学生文件，用于按年龄的净入学率和班额［默认：--data 中的 students］",
    ),
    ("stats --classes", "班级文件，用于班额分段［默认：--data 中的 classes］"),
    (
        "stats --out",
        "把指标写入此文件（.xlsx、.csv 或 .json），写完后才替换原文件；不能是输入文件",
    ),
    ("--template", "报告模板（minijinja）［默认：内置县级工作报告模板］"),
    ("--format", "输出格式；可重复"),
    (
        "report --out",
        "报告输出文件夹：county_report.docx、.html 或 .md，每个文件写完后才替换原文件；不能是输入文件",
    ),
    ("report --term", "报告所述的春季学期"),
    ("--county", "县名"),
    (
        "--set",
        "报告用的文字、数值或日期（可重复）。可用的键：county（县名）、bureau（报告单位，落款）、addressee（主送机关）、urban_district（城区）、report_date（报告日期，可写作 2017-09-30、2017年9月30日、2017/9/30 或 20170930）、retention_junior_standard（初中三年巩固率省颁标准，百分数，默认95）、disabled_standard（三类残疾儿童入学率省颁标准，百分数，默认80）、class_cap_primary（小学起始年级班额上限，默认50）、class_cap_junior（初中起始年级班额上限，默认55）；其他键为模板可引用的文字或日期，如 fee_meeting_date=2017-07-11",
    ),
    (
        "report --loans",
        "助学贷款文件（每行一笔贷款：身份证号、贷款学生姓名、就读高校、学生类型、贷款年度、贷款金额等），用于报告的助学贷款段落和底稿的贷款核对表［默认：--data 中的 loans.csv］",
    ),
    (
        "report --cited",
        "引用数据文件：记录中没有、引自其他文件的数据及其出处。表格列为 键、名称、数值、单位（人/名/所/个 为计数，元/万元/亿元 为金额，% 为百分数）、出处，如 teachers_special_post,特岗教师,234,名,《…》。默认模板使用的键：teachers_added_3y、teachers_special_post、teachers_funded_normal、teachers_recruited、teachers_high_degree、teachers_intern、aiding_organs、aided_schools、aided_canteens、invest_weak_schools、invest_equipment、poverty_loan_amount、poverty_loan_schools、teacher_training_total、teacher_training_junior_entry、teacher_training_senior_entry、graduates_registered、graduates_employed、rain_dew_prior_person_terms、rain_dew_prior_amount、rain_dew_prior_standard［默认：--data 中的 cited.csv，即 eduaid sample 生成的文件］",
    ),
    ("--file", "文件"),
    ("validate --file", "报告文件：.txt、.md、.html 或 .docx"),
    ("--program", "资助项目编号，如 living-subsidy"),
    ("sample --out", "输出文件夹（不存在则创建）"),
    ("sample --students", "生成指定学生人数的模拟县，而不是示范县"),
    ("--seed", "模拟县的随机种子"),
    ("sample --format", "文件格式"),
    ("--chinese", "使用中文表头和取值（学籍号、小学等）"),
    (
        "serve",
        "在浏览器中打开学生资助工作台（基于本县数据库）：导入、汇总、查学生、核对发放、下载",
    ),
    (
        "--addr",
        "监听地址，默认仅本机（127.0.0.1:8080）；其他地址须使用令牌（--token 或环境变量 EDUAID_TOKEN，否则自动生成并显示）",
    ),
    (
        "--store",
        "本县数据库文件（SQLite，不存在则新建）［默认：用户数据文件夹中的 county.db］",
    ),
    (
        "--token",
        "访问令牌（请求头 Authorization: Bearer 令牌，或页面地址中的 ?token=令牌）",
    ),
    (
        "import",
        "把本县的数据文件导入数据库（SQLite 文件），每个文件记录为一次导入",
    ),
    ("import --disbursements", "同时导入的资金发放记录文件"),
    (
        "loans",
        "生源地信用助学贷款：按贷款年度和学生类型汇总人数和金额，对照当年贷款上限检查（超上限、同一年度重复贷款）",
    ),
    (
        "loans --data",
        "含 loans.csv（或 .xlsx、.json、.jsonl）的文件夹，即 eduaid sample 生成的文件夹",
    ),
    (
        "loans --loans",
        "助学贷款文件：每行一笔贷款（身份证号、贷款学生姓名、就读高校、学生类型、贷款年度、贷款金额等）",
    ),
    (
        "--keep_valid",
        "即使有被拒绝的行，也导入其余各行（默认：有被拒绝的行时不导入）",
    ),
];

pub(super) fn zh(key: &str) -> Option<&'static str> {
    ZH.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// A usage error (or help) from clap in the run's language: clap words its
/// errors in English, so under `--lang zh` the parts it uses are put in
/// Chinese (`error:` 错误, `Usage:` 用法, `unexpected argument` 无法识别的参数 …);
/// the values and argument names stay as typed.
pub(crate) fn localize_error(text: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return text.to_string();
    }
    const WORDS: &[(&str, &str)] = &[
        ("error: ", "错误："),
        ("Usage: ", "用法："),
        ("For more information, try '--help'.", "更多信息请加 --help 查看。"),
        (
            "the following required arguments were not provided:",
            "缺少以下必需的参数：",
        ),
        ("unexpected argument '", "无法识别的参数 '"),
        ("unrecognized subcommand '", "没有这个命令 '"),
        ("' found", "'"),
        ("invalid value '", "无效的值 '"),
        ("' for '", "'，参数 '"),
        ("a value is required for '", "缺少参数的值 '"),
        ("but none was supplied", "但没有给出值"),
        ("the argument '", "参数 '"),
        ("' cannot be used multiple times", "' 只能给出一次"),
        ("' cannot be used with '", "' 不能与 '"),
        ("  [possible values: ", "  ［可选值："),
        ("[possible values: ", "［可选值："),
        ("  tip: a similar argument exists: ", "  提示：相近的参数是 "),
        ("  tip: a similar subcommand exists: ", "  提示：相近的命令是 "),
        ("  tip: some similar subcommands exist: ", "  提示：相近的命令有 "),
        ("  tip: to pass '", "  提示：要把 '"),
        ("tip: ", "提示："),
        ("unexpected value '", "多余的值 '"),
        ("' requires a subcommand but one was not provided", "' 需要一个命令"),
        ("requires a subcommand but one was not provided", "需要一个命令"),
        ("  [subcommands: ", "  ［命令："),
        // The Chinese headings set by `localize`, which clap ends with an
        // ASCII colon.
        ("命令:\n", "命令：\n"),
        ("选项:\n", "选项：\n"),
        ("参数:\n", "参数：\n"),
        ("Commands:", "命令："),
        ("Options:", "选项："),
        ("Arguments:", "参数："),
        ("[OPTIONS]", "[选项]"),
        ("[default: ", "［默认："),
        ("[aliases: ", "［又名："),
    ];
    let mut out = text.to_string();
    for (en, zh) in WORDS {
        out = out.replace(en, zh);
    }
    // Close each bracket opened in Chinese above with its Chinese match.
    let mut closed = String::with_capacity(out.len());
    let mut open = 0usize;
    for c in out.chars() {
        match c {
            '［' => {
                open += 1;
                closed.push(c);
            }
            ']' if open > 0 => {
                open -= 1;
                closed.push('］');
            }
            _ => closed.push(c),
        }
    }
    closed
}

/// Put the Chinese help on `cmd` (whose path is `path`) and its
/// subcommands.
fn localize(mut cmd: Command, path: &str) -> Command {
    if let Some(about) = zh(path) {
        cmd = cmd.about(about);
    }
    let name = path.rsplit(' ').next().unwrap_or("");
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        let help = zh(&format!("{name} --{id}")).or_else(|| zh(&format!("--{id}")));
        // The Chinese help names the values itself: clap's list would say
        // "Possible values:" and describe them in English.
        cmd = cmd.mut_arg(&id, |a| {
            let takes_values = a.get_action().takes_values();
            let a = a.help_heading("选项").hide_possible_values(takes_values);
            match help {
                Some(h) => a.help(h),
                None => a,
            }
        });
    }
    cmd = cmd
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading("选项"),
        )
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        )
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}");
    if cmd.has_subcommands() {
        cmd = cmd.disable_help_subcommand(true);
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for s in subs {
        let sub_path = if path.is_empty() {
            s.clone()
        } else {
            format!("{path} {s}")
        };
        cmd = cmd.mut_subcommand(&s, |sc| localize(sc, &sub_path));
    }
    cmd
}

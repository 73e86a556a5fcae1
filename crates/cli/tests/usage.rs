//! Usage, help in two languages, and exit codes.

use crate::common::*;

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    run_expect(2, &[] as &[&str]);
    let r = run_expect(2, &["evaluate", "--bogus"]);
    assert!(r.stderr.contains("--bogus"));
    run_expect(2, &["evaluate", "--data", "x"]); // --term is required
    let r = run_expect(2, &["evaluate", "--data", "x", "--term", "2017-winter"]);
    assert!(r.stderr.contains("2017-winter"));
    run_expect(2, &["stats", "--by", "planet"]);
    run_expect(2, &["frobnicate"]);
    let r = run_expect(0, &["--help"]);
    assert!(r.stdout.contains("Exit codes"));
    assert!(r.stdout.contains("why-not"));
    run_expect(0, &["--version"]);
    let r = run_expect(0, &["reconcile", "--help"]);
    assert!(r.stdout.contains("--entitlements"));
}

#[test]
fn help_is_in_chinese_by_flag_or_locale() {
    let r = run_expect(0, &["--lang", "zh", "--help"]);
    assert!(r.stdout.contains("退出码"), "{}", r.stdout);
    assert!(r.stdout.contains("核对实发与应发"));
    let r = run_expect(0, &["evaluate", "--help", "--lang=zh"]);
    assert!(r.stdout.contains("要计算的学期"), "{}", r.stdout);
    let out = eduaid()
        .env("LANG", "zh_CN.UTF-8")
        .args(["policy", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("运行声明式政策测试用例文件"), "{text}");
    // --lang wins over the locale.
    let out = eduaid()
        .env("LC_ALL", "zh_CN.UTF-8")
        .args(["--lang", "en", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Exit codes"));
    // Messages follow the language too.
    let r = run_expect(2, &["--lang", "zh", "evaluate", "--term", "2017-spring"]);
    assert!(r.stderr.contains("缺少学校文件"), "{}", r.stderr);
}

#[test]
fn usage_errors_and_help_headings_are_chinese_under_zh() {
    let r = run_expect(0, &["--lang", "zh", "evaluate", "--help"]);
    for want in ["用法：eduaid evaluate [选项]", "\n选项：\n", "--full-numbers"] {
        assert!(r.stdout.contains(want), "{want}: {}", r.stdout);
    }
    // Headings end in the Chinese colon, not clap's ASCII one.
    for english in ["Usage:", "Options:", "Possible values", "[default:", "选项:"] {
        assert!(!r.stdout.contains(english), "{english}: {}", r.stdout);
    }
    let r = run_expect(0, &["--lang", "zh", "--help"]);
    assert!(r.stdout.contains("\n命令：\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("命令:"), "{}", r.stdout);
    let r = run_expect(2, &["--lang", "zh", "evaluate", "--bogus"]);
    assert!(r.stderr.starts_with("错误：无法识别的参数 '--bogus'"), "{}", r.stderr);
    assert!(r.stderr.contains("更多信息请加 --help 查看"), "{}", r.stderr);
    let r = run_expect(2, &["--lang", "zh", "evaluate", "--term", "2017-winter"]);
    assert!(r.stderr.contains("不是学期"), "{}", r.stderr);
    let r = run_expect(2, &["--lang", "zh", "evaluate"]);
    assert!(r.stderr.contains("缺少以下必需的参数"), "{}", r.stderr);
    // In English, clap's own words.
    let r = run_expect(2, &["evaluate", "--bogus"]);
    assert!(r.stderr.starts_with("error: unexpected argument"), "{}", r.stderr);
}

#[test]
fn library_messages_are_chinese_under_zh() {
    let d = tempfile::tempdir().unwrap();
    // A title row above the header: io's warning, in Chinese.
    let students = d.path().join("students.csv");
    let text = std::fs::read_to_string(small_dir().join("students.csv")).unwrap();
    std::fs::write(
        &students,
        format!("示范县学生名单\n{}", text.trim_start_matches('\u{feff}')),
    )
    .unwrap();
    let r = run(&[
        "--lang",
        "zh",
        "evaluate",
        "--schools",
        &p(&small_dir().join("schools.csv")),
        "--students",
        &p(&students),
        "--term",
        "2017-spring",
    ]);
    assert!(r.stderr.contains("第 1 行在表头之上，已忽略"), "{}", r.stderr);
    assert!(r.stderr.contains("（学生）：读取 2000 行"), "{}", r.stderr);
    // A missing file.
    let r = run_expect(
        2,
        &[
            "--lang",
            "zh",
            "reconcile",
            "--data",
            &p(small_dir()),
            "--disbursements",
            "nope.csv",
        ],
    );
    assert!(r.stderr.contains("nope.csv: 文件或文件夹不存在"), "{}", r.stderr);
}

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

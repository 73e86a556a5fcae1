//! `eduaid loans`: the sample county's loans reproduce the seed's figures;
//! findings and rejected rows set the exit code.

use crate::common::*;

#[test]
fn the_sample_loans_give_the_seed_figures_in_english_and_chinese() {
    let dir = sample_dir();
    let r = run_expect(0, &["loans", "--data", &p(dir)]);
    for (year, persons, wan) in [
        ("2014", "469", "323.5"),
        ("2015", "513", "352.5"),
        ("2016", "671", "538.7"),
        ("2017", "749", "609.45"),
    ] {
        let line = r.stdout.lines().find(|l| l.starts_with(year)).unwrap();
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!((cells[1], cells[4]), (persons, wan), "{line}");
    }
    assert!(r.stdout.contains("no findings"), "{}", r.stdout);
    let zh = run_expect(0, &["--lang", "zh", "loans", "--loans", &p(&dir.join("loans.csv"))]);
    assert!(
        zh.stdout.contains("贷款年度") && zh.stdout.contains("未发现问题"),
        "{}",
        zh.stdout
    );
    let j = run_expect(0, &["--json", "loans", "--data", &p(dir)]).json();
    assert_eq!(j["years"]["2017"]["persons"], 749);
    assert_eq!(j["records"], 2402);
}

#[test]
fn over_the_cap_and_twice_in_a_year_are_findings_and_a_bad_row_is_rejected() {
    let (_d, path) = temp_path("loans.csv");
    std::fs::write(
        &path,
        "贷款学生姓名,身份证号,就读高校,学历层次,贷款年度,贷款金额\n\
         张三,B1,湖南大学,本科,2016,8500\n\
         李四,B2,中南大学,研究生,2021,16000\n\
         李四,B2,中南大学,研究生,2021,1000\n",
    )
    .unwrap();
    let r = run_expect(1, &["--lang", "zh", "loans", "--loans", &p(&path)]);
    assert!(r.stdout.contains("超过当年上限8000.00元"), "{}", r.stdout);
    assert!(r.stdout.contains("2笔贷款"), "{}", r.stdout);
    std::fs::write(
        &path,
        "贷款学生姓名,身份证号,就读高校,学历层次,贷款年度,贷款金额\n张三,B1,湖南大学,高中,2016,5000\n",
    )
    .unwrap();
    let r = run_expect(2, &["loans", "--loans", &p(&path)]);
    assert!(
        r.stderr.contains(":2:") && r.stderr.contains("学历层次"),
        "{}",
        r.stderr
    );
}

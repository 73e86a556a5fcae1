//! `eduaid report` from a county's own files: the loans file and the cited
//! figures (引用数据) given on the command line fill the loan sentence and
//! the cited sections, as the main job's example does.

use std::path::PathBuf;

use crate::common::*;

/// The seed's cited figures, as the `county_report` example reads them.
fn seed_cited() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/county_report_cited.csv")
}

#[test]
fn report_loans_and_cited_files_fill_the_loan_and_cited_sections() {
    // Only the four roster and payment files in the folder; the loans and
    // the cited figures are named on the command line.
    let d = tempfile::tempdir().unwrap();
    for f in ["schools.csv", "students.csv", "households.csv", "disbursements.csv"] {
        std::fs::copy(sample_dir().join(f), d.path().join(f)).unwrap();
    }
    let out = d.path().join("out");
    let r = run_expect(
        0,
        &[
            "--json",
            "report",
            "--data",
            &p(d.path()),
            "--loans",
            &p(&sample_dir().join("loans.csv")),
            "--cited",
            &p(&seed_cited()),
            "--policy",
            "hunan-county-2016",
            "--out",
            &p(&out),
            "--format",
            "md",
            "--format",
            "docx",
            "--county",
            "示范县",
            "--set",
            "report_date=2017年9月30日",
            "--set",
            "addressee=示范县人民政府办公室",
        ],
    );
    let j = r.json();
    assert_eq!(j["consistent"], true, "{j}");
    // No cited figure is reported unused (the standard only checks the amount).
    assert!(!r.stderr.contains("cited figure not printed"), "{}", r.stderr);
    let md = std::fs::read_to_string(out.join("county_report.md")).unwrap();
    for want in [
        "2014年助学贷款469人，贷款资金323.5万元",
        "2017年助学贷款749人，贷款资金609.45万元",
        "前3年共补充义务教育阶段教师760人，今年又落实特岗教师计划234名",
        "今年共投入5272万元进行全面薄改",
        "投入1.14亿元进行教育设施设备改善",
        "申请教育扶贫贷款2.134亿元，计划完成61所中小学的校舍改造",
        "108个县直机关援建学校72所、食堂108个",
        "已与198人（初中起点189名、高中起点9名）签订培养合同",
        "对纳入离校未就业高校毕业生实名信息数据库的447名，已有426名实现就业",
        "上一学年秋季和春季学期职业教育补助930人次、资金93万元",
        "示范县人民政府办公室：",
    ] {
        assert!(md.contains(want), "{want} missing from the report:\n{md}");
    }
    let working = std::fs::read_to_string(out.join("county_report_底稿.md")).unwrap();
    // Cited figures are marked as cited, the loans' figures counted again
    // from the records, and the cited sum checked.
    assert!(working.contains("引用（非计算）"), "{working}");
    assert!(working.contains("2017年度贷款记录的借款人"), "{working}");
    assert!(
        working.contains("其中初中起点＋其中高中起点＝农村小学教师公费定向培养签约"),
        "{working}"
    );
    assert!(!working.contains("loans.csv（贷款年度"), "{working}");
    // The working paper's tables: tiers, loans by year against the caps,
    // missing data.
    for want in [
        "| 普通高中国家助学金 | 一档 | 14 | 14 | 2.1 |",
        "| 2017年 | 749 | 749 | 609.45 | 8000 | 12000 | 0 | 0 | 符合 |",
        "没有因缺少数据而无法计算资助金额的学生",
    ] {
        assert!(
            working.contains(want),
            "{want} missing from the working paper:\n{working}"
        );
    }
}

#[test]
fn a_bad_cited_file_is_refused_naming_its_line_before_the_roster_is_read() {
    let d = tempfile::tempdir().unwrap();
    let cited = d.path().join("引用数据.csv");
    std::fs::write(
        &cited,
        "键,名称,数值,单位,出处\nteachers_special_post,特岗教师,234,名,县教育局文件\nteachers_recruited,公开招聘教师,五十二,名,县教育局文件\n",
    )
    .unwrap();
    let r = run_expect(
        2,
        &[
            "report",
            "--data",
            &p(sample_dir()),
            "--cited",
            &p(&cited),
            "--out",
            &p(&d.path().join("out")),
        ],
    );
    assert!(r.stderr.contains(":3: cited figure teachers_recruited"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("students.csv"),
        "read the roster first: {}",
        r.stderr
    );
    // A file without the value column names the columns it needs.
    std::fs::write(&cited, "键,名称\nteachers_special_post,特岗教师\n").unwrap();
    let r = run_expect(
        2,
        &[
            "report",
            "--data",
            &p(sample_dir()),
            "--cited",
            &p(&cited),
            "--out",
            &p(&d.path().join("out")),
        ],
    );
    assert!(r.stderr.contains("no column 数值 (value)"), "{}", r.stderr);
}

#[test]
fn the_sample_folder_alone_gives_the_full_report() {
    // `eduaid sample` writes the seed's cited figures beside the loans:
    // the same file the main job reads.
    let dir = sample_dir();
    assert_eq!(
        std::fs::read(dir.join("cited.csv")).unwrap(),
        std::fs::read(seed_cited()).unwrap()
    );
    // `eduaid report --data` takes loans.csv and cited.csv from the folder,
    // as it takes the other files.
    let out = tempfile::tempdir().unwrap();
    let r = run_expect(
        0,
        &[
            "--json",
            "report",
            "--data",
            &p(dir),
            "--policy",
            "hunan-county-2016",
            "--out",
            &p(out.path()),
            "--format",
            "md",
            "--county",
            "示范县",
            "--set",
            "report_date=2017年9月30日",
            "--set",
            "fee_meeting_date=2017-07-11",
        ],
    );
    let j = r.json();
    assert_eq!(j["consistent"], true, "{j}");
    assert!(!r.stderr.contains("cited figure not printed"), "{}", r.stderr);
    let md = std::fs::read_to_string(out.path().join("county_report.md")).unwrap();
    for want in [
        "2017年助学贷款749人，贷款资金609.45万元",
        "前3年共补充义务教育阶段教师760人，今年又落实特岗教师计划234名",
        "申请教育扶贫贷款2.134亿元，计划完成61所中小学的校舍改造",
        "上一学年秋季和春季学期职业教育补助930人次、资金93万元",
    ] {
        assert!(md.contains(want), "{want} missing from the report:\n{md}");
    }
}

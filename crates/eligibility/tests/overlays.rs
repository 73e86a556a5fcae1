//! Overlays compose: a user file changes one value or adds a program
//! without copying the rest; a composed policy round-trips through TOML.

use eduaid_eligibility::*;
use eduaid_model::*;

use crate::util::{small_county, term};

const ONE_VALUE: &str = r#"
[policy]
id = "my-county"
title = "a county raising the primary living subsidy from autumn 2017"
base = "hunan-county-2016"

[documents.my-2017-1]
title = "某县关于提高小学生活补助标准的通知"
issuer = "某县财政局 教育局"
number = "某财教〔2017〕1号"
date = 2017-08-01
certainty = "B"

[parameters."living-subsidy.annual"]
values = [
  { from = "2017-autumn", by_stage = { primary = 1200, junior = 1250 }, cite = { doc = "my-2017-1", clause = "第二条" } },
]

[programs.county-transport]
name = "交通补助"
english = "transport subsidy"
benefit = "cash"
cite = { doc = "my-2017-1" }

[[programs.county-transport.rules]]
id = "rural-boarders"
label = "农村寄宿生"
when = { boarder = true, locality = "rural" }
amount = { per_term = "county-transport.per-term" }
cite = { doc = "my-2017-1", clause = "第三条" }

[parameters."county-transport.per-term"]
description = "交通补助 per term"
unit = "yuan_per_term"
values = [{ from = "2017-autumn", value = 150, cite = { doc = "my-2017-1" } }]
"#;

#[test]
fn a_user_file_changes_one_value_and_adds_one_program() {
    let roster = small_county();
    let base = Engine::hunan_county_2016().unwrap();
    let mine = Engine::new(Policy::builtin_with("my.toml", ONE_VALUE).unwrap());
    let spring = term("2017-spring");
    let autumn = term("2017-autumn");
    // Spring 2017 is untouched; every other program is unchanged.
    assert_eq!(
        base.totals(&roster, &[spring]).unwrap().programs,
        mine.totals(&roster, &[spring])
            .unwrap()
            .programs
            .into_iter()
            .filter(|p| p.id.as_str() != "county-transport")
            .collect::<Vec<_>>()
    );
    let b = base.totals(&roster, &[autumn]).unwrap();
    let m = mine.totals(&roster, &[autumn]).unwrap();
    // Primary: S01, S02, S07 and S04 (registered since 2017-05-10) at 600
    // instead of 500.
    let ls = |t: &Totals| {
        t.program("living-subsidy")
            .unwrap()
            .by_stage
            .get(&Stage::Primary)
            .unwrap()
            .amount
    };
    assert_eq!(ls(&b), Money::yuan(2000));
    assert_eq!(ls(&m), Money::yuan(2400));
    // Transport for the rural boarders S02 and S06 (S14 left in April).
    assert_eq!(m.program("county-transport").unwrap().total.amount, Money::yuan(300));
    assert!(b.program("county-transport").is_none());
    for p in &b.programs {
        if p.id.as_str() != "living-subsidy" {
            assert_eq!(Some(p), m.program(p.id.as_str()), "{}", p.id);
        }
    }
    // The new value is cited from the user's document.
    let ex = mine.explain(&roster, &StudentId::new("S01").unwrap(), autumn).unwrap();
    let t = ex
        .entitled
        .iter()
        .find(|e| e.program.as_str() == "living-subsidy")
        .unwrap();
    let (name, cite) = t.trace.as_ref().unwrap().parameters().next().unwrap();
    assert_eq!(name, "living-subsidy.annual");
    assert_eq!(cite.number.as_deref(), Some("某财教〔2017〕1号"));
}

#[test]
fn an_overlay_can_disable_or_replace_a_rule() {
    let roster = small_county();
    let spring = term("2017-spring");
    let off = Policy::builtin_with(
        "off.toml",
        "[policy]\nid = \"off\"\ntitle = \"t\"\nbase = \"hunan-county-2016\"\n[[programs.living-subsidy.rules]]\nid = \"registered-poor-day-students\"\ndisabled = true\n",
    )
    .unwrap();
    let t = Engine::new(off).totals(&roster, &[spring]).unwrap();
    // Only the boarders S02, S06, S14 remain.
    assert_eq!(
        t.program("living-subsidy").unwrap().total.amount,
        Money::yuan(500 + 625 + 625)
    );
    let half = Policy::builtin_with(
        "half.toml",
        r#"[policy]
id = "half"
title = "t"
base = "hunan-county-2016"
[[programs.living-subsidy.rules]]
id = "registered-poor-day-students"
from = "2017-spring"
when = { stages = ["primary", "junior"], boarder = false, status_any = ["registered_poor"] }
amount = { per_year = "living-subsidy.annual", share = "living-subsidy.day-share" }
cite = { doc = "county-report-2017" }
"#,
    );
    // The share has no value before autumn 2019: the rule cannot be
    // resolved, and says so.
    let e = Engine::new(half.unwrap());
    let w = e
        .why_not(&roster, &StudentId::new("S01").unwrap(), "living-subsidy", spring)
        .unwrap()
        .unwrap();
    assert_eq!(w, "no value of living-subsidy.day-share is in force on 2017-03-01");
}

#[test]
fn an_overlay_that_changes_nothing_changes_no_amount() {
    let roster = small_county();
    let terms = term("2015-autumn").through(term("2018-spring"));
    let base = Engine::hunan_county_2016().unwrap().totals(&roster, &terms).unwrap();
    let empty = Policy::builtin_with(
        "e.toml",
        "[policy]\nid = \"e\"\ntitle = \"nothing\"\nbase = \"hunan-county-2016\"\n",
    )
    .unwrap();
    assert_eq!(Engine::new(empty).totals(&roster, &terms).unwrap(), base);
    let same = Policy::builtin_with(
        "s.toml",
        "[policy]\nid = \"s\"\ntitle = \"restates a value\"\nbase = \"hunan-county-2016\"\n[parameters.\"nutrition.daily\"]\nvalues = [{ from = 2014-11-01, until = 2021-09-01, value = 4, cite = { doc = \"nutrition-2014\" } }]\n",
    )
    .unwrap();
    assert_eq!(Engine::new(same).totals(&roster, &terms).unwrap(), base);
}

#[test]
fn a_composed_policy_round_trips_through_toml() {
    let roster = small_county();
    let p = Policy::hunan_county_2016().unwrap();
    let text = p.to_toml().unwrap();
    let back = Policy::from_str_single("flat.toml", &text).unwrap();
    let terms = term("2010-autumn").through(term("2025-spring"));
    let a = Engine::new(p).totals(&roster, &terms).unwrap();
    let b = Engine::new(back.clone()).totals(&roster, &terms).unwrap();
    assert_eq!(a, b);
    // And the written form is stable.
    let again = back.to_toml().unwrap();
    if again != text {
        std::fs::write("/tmp/elig-a.toml", &text).unwrap();
        std::fs::write("/tmp/elig-b.toml", &again).unwrap();
    }
    assert!(again == text, "the written form changed on a second round trip");
}

#[test]
fn parameter_timelines_layer_over_each_other() {
    let p = Policy::hunan_county_2016().unwrap();
    let rd = p.parameter("rain-and-dew.per-term").unwrap();
    let at = |d: &str| rd.at(d.parse().unwrap()).map(|v| v.value.clone());
    assert_eq!(at("2015-03-01"), None);
    assert_eq!(at("2016-09-01"), Some(Value::Amount(Money::yuan(1000))));
    assert_eq!(at("2017-03-01"), Some(Value::Amount(Money::yuan(1500))));
    assert_eq!(rd.at("2016-09-01".parse().unwrap()).unwrap().layer, "hunan-county-2016");
    let n = Policy::national().unwrap();
    let daily = n.parameter("nutrition.daily").unwrap();
    let seg = daily.segments("2014-09-01".parse().unwrap(), "2015-01-15".parse().unwrap());
    assert_eq!(seg.len(), 2);
    assert_eq!(seg[0].1.to_string(), "2014-10-31");
    assert_eq!(seg[1].0.to_string(), "2014-11-01");
    let pre = p.parameter("preschool-aid.annual").unwrap();
    assert!(
        n.parameter("preschool-aid.annual")
            .unwrap()
            .at("2017-03-01".parse().unwrap())
            .is_none()
    );
    assert_eq!(pre.at("2017-03-01".parse().unwrap()).unwrap().layer, "hunan");
}

#[test]
fn closed_days_and_caps_from_an_overlay() {
    let roster = small_county();
    let spring = term("2017-spring");
    let text = r#"
[policy]
id = "cap"
title = "a cap and a holiday"
base = "hunan-county-2016"

[documents.cap-doc]
title = "某县文件"
issuer = "某县"
certainty = "B"

[calendar.terms."2017-spring"]
last = 2017-06-30
closed = [[2017-06-05, 2017-06-06]]
cite = { doc = "cap-doc" }

[parameters."county.cap"]
description = "cap on living subsidy plus nutrition, per term"
unit = "yuan_per_term"
values = [{ from = "2016-autumn", value = 550, cite = { doc = "cap-doc" } }]

[[limits]]
id = "cap-two"
kind = "cap"
programs = ["living-subsidy", "nutrition"]
cap_per_term = "county.cap"
cite = { doc = "cap-doc", clause = "第一条" }
"#;
    let e = Engine::new(Policy::builtin_with("cap.toml", text).unwrap());
    let ex = e.explain(&roster, &StudentId::new("S01").unwrap(), spring).unwrap();
    let amount = |p: &str| ex.entitled.iter().find(|x| x.program.as_str() == p).map(|x| x.amount);
    // 20 school days in June less the two closed ones: 80元 of meals; the
    // living subsidy (500) and meals together are capped at 550: the
    // excess comes off the last listed, nutrition.
    assert_eq!(amount("living-subsidy"), Some(Money::yuan(500)));
    assert_eq!(amount("nutrition"), Some(Money::yuan(50)));
    let n = ex.entitled.iter().find(|x| x.program.as_str() == "nutrition").unwrap();
    let text = n.trace.as_ref().unwrap().to_string();
    assert!(text.contains("4元/天 × 20 天"), "{text}");
    assert!(
        text.contains("limit cap-two: together capped at 550元 a term: reduced by 30元"),
        "{text}"
    );
}

#[test]
fn a_gap_in_a_parameters_dates_is_an_error_not_a_silent_nothing() {
    // The transport subsidy is set for 2015-16 and again from autumn 2017:
    // spring 2017 falls in the gap while the rule is in force.
    let gap = ONE_VALUE.replace(
        r#"values = [{ from = "2017-autumn", value = 150, cite = { doc = "my-2017-1" } }]"#,
        r#"values = [
  { from = "2015-autumn", until = "2016-autumn", value = 100, cite = { doc = "my-2017-1" } },
  { from = "2017-autumn", value = 150, cite = { doc = "my-2017-1" } },
]"#,
    );
    assert_ne!(gap, ONE_VALUE, "the test's policy must differ from ONE_VALUE");
    let engine = Engine::new(Policy::builtin_with("gap.toml", &gap).unwrap());
    let roster = small_county();
    let err = engine.totals(&roster, &[term("2017-spring")]).unwrap_err();
    match &err {
        Error::Unprepared {
            program,
            rule,
            term,
            reason,
        } => {
            assert_eq!(
                (program.as_str(), rule.as_str()),
                ("county-transport", "rural-boarders")
            );
            assert_eq!(term, "2017-spring");
            assert!(
                reason.contains("county-transport.per-term") && reason.contains("gap"),
                "{reason}"
            );
        }
        other => panic!("expected Unprepared, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("program county-transport, rule rural-boarders, term 2017-spring: "),
        "{err}"
    );
    // Every way of running refuses the term; the terms on either side run.
    assert!(matches!(
        engine.plan(term("2017-spring")),
        Err(Error::Unprepared { .. })
    ));
    let s01 = StudentId::new("S01").unwrap();
    assert!(engine.explain(&roster, &s01, term("2017-spring")).is_err());
    let ok = engine
        .totals(&roster, &[term("2016-spring"), term("2017-autumn")])
        .unwrap();
    assert!(ok.program("county-transport").unwrap().total.amount > Money::ZERO);
    // Before the parameter's first value it is simply not yet set: no
    // error, nothing granted, and why-not says so.
    let early = engine.totals(&roster, &[term("2015-spring")]).unwrap();
    assert_eq!(early.program("county-transport").unwrap().total.amount, Money::ZERO);
}

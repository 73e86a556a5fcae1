use chrono::NaiveDate;
use eduaid_model::{Money, Term};

use super::calendar::month_day;
use super::{Policy, Value};
use crate::schema::Certainty;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn month_days_fall_in_the_terms_years() {
    let autumn: Term = "2016-autumn".parse().unwrap();
    let spring: Term = "2017-spring".parse().unwrap();
    assert_eq!(month_day("09-01", 2016, autumn), Some(d("2016-09-01")));
    assert_eq!(month_day("01-15", 2016, autumn), Some(d("2017-01-15")));
    assert_eq!(month_day("07-10", 2017, spring), Some(d("2017-07-10")));
    assert_eq!(month_day("02-30", 2017, spring), None);
    assert_eq!(month_day("x", 2017, spring), None);
}

#[test]
fn windows_count_weekdays_less_closed_days() {
    let p = Policy::hunan_county_2016().unwrap();
    let w = p.calendar().window("2017-spring".parse().unwrap()).unwrap();
    assert_eq!((w.first, w.last), (d("2017-03-01"), d("2017-06-30")));
    assert_eq!(w.school_days(d("2017-06-01"), d("2017-12-31")), 22);
    assert_eq!(w.school_days(d("2017-07-01"), d("2017-07-31")), 0);
    let mut closed = w;
    closed.closed = vec![(d("2017-06-03"), d("2017-06-06"))];
    // The 3rd and 4th are a weekend: two weekdays closed.
    assert_eq!(closed.school_days(d("2017-06-01"), d("2017-06-30")), 20);
    let n = Policy::national().unwrap();
    let a = n.calendar().window("2016-autumn".parse().unwrap()).unwrap();
    assert_eq!((a.first, a.last), (d("2016-09-01"), d("2017-01-15")));
}

#[test]
fn citations_display_every_part() {
    let p = Policy::national().unwrap();
    let v = p.parameter("nutrition.daily").unwrap().at(d("2015-01-01")).unwrap();
    let text = v.cite.to_string();
    // A description, not a document's title: no 《》.
    assert!(text.starts_with("营养改善计划膳食补助标准提高到每生每天4元"), "{text}");
    // A document's title in 《》, its remark outside.
    let g = p
        .parameter("senior-grant.average")
        .unwrap()
        .at(d("2012-01-01"))
        .unwrap();
    let text = g.cite.to_string();
    assert!(
        text.starts_with("《关于建立普通高中家庭经济困难学生国家资助制度的意见》 (国家助学金平均每生每年1500元"),
        "{text}"
    );
    assert!(Certainty::legend().contains("V2: 仅见二手来源"));
    assert!(text.contains("[V] http"), "{text}");
    assert_eq!(v.value, Value::Amount(Money::yuan(4)));
}

#[test]
fn a_timeline_flattens_the_layers() {
    let p = Policy::hunan_county_2016().unwrap();
    let t = p.parameter("rain-and-dew.per-term").unwrap().timeline();
    let spans: Vec<(String, Option<String>, String)> = t
        .iter()
        .map(|v| (v.from.to_string(), v.until.map(|u| u.to_string()), v.value.to_string()))
        .collect();
    assert_eq!(
        spans,
        vec![
            (
                "2015-autumn".to_string(),
                Some("2017-spring".to_string()),
                "1000".to_string()
            ),
            ("2017-spring".to_string(), None, "1500".to_string()),
        ]
    );
}

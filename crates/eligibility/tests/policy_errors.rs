//! Policy files that are wrong are errors naming the file, line and key.

use eduaid_eligibility::{Error, Layer, Policy, PolicySet};

const HEAD: &str = r#"[policy]
id = "mine"
title = "a user overlay"
base = "hunan-county-2016"
"#;

fn overlay(body: &str) -> Result<Policy, Error> {
    Policy::builtin_with("mine.toml", &format!("{HEAD}{body}"))
}

fn msg(body: &str) -> String {
    overlay(body).unwrap_err().to_string()
}

#[test]
fn invalid_toml_names_line_and_column() {
    let e = msg("\n[parameters.\"x\"\nunit = 1\n");
    assert!(e.starts_with("mine.toml:6:"), "{e}");
}

#[test]
fn unknown_fields_are_errors() {
    let e = msg("\n[programs.nutrition]\nnmae = \"x\"\n");
    assert!(e.starts_with("mine.toml:7:1:"), "{e}");
    assert!(e.contains("unknown field `nmae`"), "{e}");
    let e = msg("\n[[programs.nutrition.rules]]\nid = \"r\"\nwhen = { stage = [\"primary\"] }\n");
    assert!(e.contains("unknown field `stage`"), "{e}");
    assert!(e.starts_with("mine.toml:8:"), "{e}");
}

#[test]
fn an_unknown_program_is_an_error() {
    let e = msg(
        "\n[[programs.living-subsidyy.rules]]\nid = \"r\"\nwhen = {}\namount = { per_year = \"living-subsidy.annual\" }\ncite = { doc = \"gf-2015-67\" }\n",
    );
    assert!(e.starts_with("mine.toml:6:"), "{e}");
    assert!(
        e.contains("programs.living-subsidyy: unknown program living-subsidyy"),
        "{e}"
    );
    let e = msg(
        "\n[[limits]]\nid = \"x\"\nkind = \"exclusive\"\nprograms = [\"nutrition\", \"nutrtion\"]\ncite = { doc = \"gf-2015-67\" }\n",
    );
    assert!(e.starts_with("mine.toml:9:"), "{e}");
    assert!(e.contains("unknown program nutrtion"), "{e}");
}

#[test]
fn unknown_parameters_and_documents_are_errors() {
    let e = msg(
        "\n[[programs.nutrition.rules]]\nid = \"r\"\namount = { per_day = \"nutrition.dayly\" }\ncite = { doc = \"gf-2015-67\" }\n",
    );
    assert!(e.starts_with("mine.toml:8:"), "{e}");
    assert!(e.contains("unknown parameter nutrition.dayly"), "{e}");
    let e = msg(
        "\n[[programs.nutrition.rules]]\nid = \"r\"\namount = { per_day = \"nutrition.daily\" }\ncite = { doc = \"no-such-doc\" }\n",
    );
    assert!(e.starts_with("mine.toml:9:"), "{e}");
    assert!(e.contains("unknown document no-such-doc"), "{e}");
    let e = msg(
        "\n[[programs.nutrition.rules]]\nid = \"r\"\namount = { per_year = \"nutrition.daily\" }\ncite = { doc = \"gf-2015-67\" }\n",
    );
    assert!(e.contains("is in YuanPerDay, expected [YuanPerYear]"), "{e}");
}

#[test]
fn overlapping_date_ranges_are_errors() {
    let e = msg(
        "\n[parameters.\"nutrition.daily\"]\nvalues = [\n  { from = 2020-01-01, until = 2021-01-01, value = 6, cite = { doc = \"gf-2015-67\" } },\n  { from = 2020-06-01, value = 7, cite = { doc = \"gf-2015-67\" } },\n]\n",
    );
    assert!(e.starts_with("mine.toml:8:"), "{e}");
    assert!(
        e.contains("date range 2020-01-01 to 2021-01-01 overlaps the value from 2020-06-01"),
        "{e}"
    );
    let e = msg(
        "\n[parameters.\"nutrition.daily\"]\nvalues = [\n  { from = \"2020-spring\", value = 6, cite = { doc = \"gf-2015-67\" } },\n  { from = 2020-03-01, value = 7, cite = { doc = \"gf-2015-67\" } },\n]\n",
    );
    assert!(e.contains("two values start on"), "{e}");
    let e = msg(
        "\n[parameters.\"nutrition.daily\"]\nvalues = [{ from = 2020-01-01, until = 2019-01-01, value = 6, cite = { doc = \"gf-2015-67\" } }]\n",
    );
    assert!(e.contains("until 2019-01-01 is not after from 2020-01-01"), "{e}");
}

#[test]
fn rules_need_citations_amounts_and_reasons() {
    let e = msg("\n[[programs.nutrition.rules]]\nid = \"r\"\namount = { per_day = \"nutrition.daily\" }\n");
    assert!(e.contains("every rule needs a cite"), "{e}");
    let e = msg("\n[[programs.nutrition.rules]]\nid = \"r\"\ncite = { doc = \"gf-2015-67\" }\n");
    assert!(e.contains("a grant rule needs an amount"), "{e}");
    let e = msg("\n[[programs.nutrition.rules]]\nid = \"r\"\neffect = \"deny\"\ncite = { doc = \"gf-2015-67\" }\n");
    assert!(e.contains("a deny rule needs a reason"), "{e}");
    let e = msg(
        "\n[[programs.nutrition.rules]]\nid = \"r\"\namount = { per_day = \"nutrition.daily\", per_year = \"living-subsidy.annual\" }\ncite = { doc = \"gf-2015-67\" }\n",
    );
    assert!(e.contains("give exactly one of"), "{e}");
    let e = msg("\n[[programs.nutrition.rules]]\nid = \"nope\"\ndisabled = true\n");
    assert!(e.contains("no rule with this id to disable"), "{e}");
    let e = msg("\n[parameters.\"new.thing\"]\nvalues = []\n");
    assert!(e.contains("needs a unit"), "{e}");
}

#[test]
fn documents_are_never_silently_redefined() {
    let e = msg("\n[documents.gf-2015-67]\ntitle = \"x\"\nissuer = \"y\"\ncertainty = \"B\"\n");
    assert!(e.starts_with("mine.toml:6:"), "{e}");
    assert!(e.contains("document already defined in layer national"), "{e}");
}

#[test]
fn overlay_cycles_and_missing_bases_are_errors() {
    let mut set = PolicySet::new();
    set.add_str("a.toml", "[policy]\nid = \"a\"\ntitle = \"a\"\nbase = \"b\"\n")
        .unwrap();
    set.add_str("b.toml", "[policy]\nid = \"b\"\ntitle = \"b\"\nbase = \"c\"\n")
        .unwrap();
    set.add_str("c.toml", "[policy]\nid = \"c\"\ntitle = \"c\"\nbase = \"a\"\n")
        .unwrap();
    let e = set.compose("a").unwrap_err();
    assert!(matches!(e, Error::OverlayCycle { .. }));
    assert_eq!(e.to_string(), "overlay cycle: a -> b -> c -> a");
    let mut set = PolicySet::new();
    set.add_str("a.toml", "[policy]\nid = \"a\"\ntitle = \"a\"\nbase = \"a\"\n")
        .unwrap();
    assert_eq!(set.compose("a").unwrap_err().to_string(), "overlay cycle: a -> a");
    let e = Policy::builtin_with("x.toml", "[policy]\nid = \"x\"\ntitle = \"x\"\nbase = \"hunann\"\n").unwrap_err();
    assert_eq!(e.to_string(), "x.toml: policy x is based on unknown policy hunann");
    let mut set = PolicySet::builtin().unwrap();
    let dup = set
        .add_str("n.toml", "[policy]\nid = \"national\"\ntitle = \"again\"\n")
        .unwrap_err();
    assert!(dup.to_string().contains("defined twice"), "{dup}");
    assert!(set.compose("nope").is_err());
}

#[test]
fn layers_in_the_wrong_order_are_refused() {
    let n = Layer::parse("n.toml", eduaid_eligibility::NATIONAL_TOML).unwrap();
    let c = Layer::parse("c.toml", eduaid_eligibility::HUNAN_COUNTY_2016_TOML).unwrap();
    let e = Policy::from_layers(&[n, c]).unwrap_err();
    assert!(e.to_string().contains("based on unknown policy hunan"), "{e}");
}

#[test]
fn every_builtin_rule_and_value_has_a_citation_with_a_certainty() {
    let p = Policy::hunan_county_2016().unwrap();
    for prog in p.programs().values() {
        for r in &prog.rules {
            assert!(!r.cite.title.is_empty(), "{}/{}", prog.id, r.id);
        }
    }
    let mut values = 0;
    for param in p.parameters().values() {
        for v in param.timeline() {
            assert!(!v.cite.title.is_empty(), "{}", param.name);
            values += 1;
        }
    }
    assert!(values >= 35, "{values}");
    assert_eq!(p.programs().len(), 14);
    for id in [
        "preschool-aid",
        "fee-waiver",
        "free-textbooks",
        "living-subsidy",
        "nutrition",
        "senior-grant",
        "senior-fee-waiver",
        "vocational-grant",
        "vocational-tuition-waiver",
        "rain-and-dew",
        "student-loan",
        "tertiary-grant",
        "endeavour-scholarship",
        "national-scholarship",
    ] {
        assert!(p.programs().contains_key(id), "{id}");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_an_error_at_its_first_bad_byte() {
    let dir = std::env::temp_dir().join(format!("eduaid-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gbk.toml");
    // 中 in GBK (D6 D0) on the second line, after four characters.
    std::fs::write(&path, b"id = \"x\"\nab = \"\xd6\xd0\"\n").unwrap();
    let e = Layer::read(&path).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:2:7: not UTF-8 text", path.display())), "{e}");
    // A byte order mark is fine.
    std::fs::write(&path, "\u{feff}# 注释\n".as_bytes()).unwrap();
    assert_eq!(eduaid_eligibility::read_toml_text(&path).unwrap(), "# 注释\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

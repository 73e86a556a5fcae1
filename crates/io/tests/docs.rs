//! docs/file-formats.md documents every column of every file kind exactly as
//! the code reads it: the tables there are checked against the schema.

use eduaid_io::{Column, FileKind, ValueType};

fn value(v: ValueType) -> String {
    match v {
        ValueType::Text => "text".into(),
        ValueType::Id => "id".into(),
        ValueType::Date => "date".into(),
        ValueType::YesNo => "yes/no".into(),
        ValueType::Count => "whole number".into(),
        ValueType::Grade => "grade".into(),
        ValueType::Money => "money".into(),
        ValueType::Code(e) => format!("code ({e})"),
        ValueType::SchoolYear => "school year".into(),
        ValueType::Term => "term".into(),
        _ => "other".into(),
    }
}

fn row(c: &Column) -> String {
    let aliases = c
        .aliases
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let required = if c.required { "**yes**" } else { "no" };
    format!(
        "| `{}` | `{}` | {} | {} | {} |",
        c.name,
        c.chinese,
        aliases,
        value(c.value),
        required
    )
}

/// The markdown table of a file kind's columns.
pub(crate) fn table(kind: FileKind) -> String {
    let mut t = String::from("| column | Chinese header | also read as | value | required |\n|---|---|---|---|---|\n");
    for c in kind.columns() {
        t.push_str(&row(c));
        t.push('\n');
    }
    t
}

#[test]
fn format_md_has_every_column_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/file-formats.md");
    let doc = std::fs::read_to_string(path).unwrap();
    if std::env::var("EDUAID_PRINT_TABLES").is_ok() {
        for kind in FileKind::ALL {
            println!("### {kind}\n{}", table(*kind));
        }
    }
    for kind in FileKind::ALL {
        let t = table(*kind);
        assert!(
            doc.contains(&t),
            "docs/file-formats.md lacks the current table of {kind}:\n{t}"
        );
    }
}

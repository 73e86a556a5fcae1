//! eduaid-report depends on eduaid-model alone among the eduaid crates.

#[test]
fn depends_on_the_model_only() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap_or("");
    let ours: Vec<&str> = deps
        .lines()
        .filter_map(|l| l.split('=').next())
        .map(str::trim)
        .filter(|n| n.starts_with("eduaid"))
        .collect();
    assert_eq!(ours, ["eduaid-model"]);
}

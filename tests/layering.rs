//! The crate graph stays as designed: the model depends on nothing of ours,
//! every library depends on the model and on no sibling library.

use std::collections::BTreeMap;
use std::process::Command;

/// The workspace's own packages and, for each, the workspace packages it
/// depends on (normal dependencies only), read from `cargo metadata`.
fn workspace_graph() -> Result<BTreeMap<String, Vec<String>>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&o.stderr))),
        Err(e) => return Err(format!("cannot run cargo metadata: {e}")),
    };
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let packages = meta["packages"].as_array().cloned().unwrap_or_default();
    let names: Vec<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect();
    let mut graph = BTreeMap::new();
    for p in &packages {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        let deps = p["dependencies"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|d| d["kind"].is_null())
            .filter_map(|d| d["name"].as_str().map(str::to_string))
            .filter(|d| names.contains(d))
            .collect();
        graph.insert(name, deps);
    }
    Ok(graph)
}

#[test]
fn model_depends_on_nothing_of_ours() {
    let g = workspace_graph().unwrap();
    assert_eq!(g.get("eduaid-model").map(Vec::len), Some(0), "{g:?}");
}

#[test]
fn libraries_meet_only_through_the_model() {
    let g = workspace_graph().unwrap();
    let libraries = [
        "eduaid-io",
        "eduaid-sample",
        "eduaid-eligibility",
        "eduaid-stats",
        "eduaid-report",
        "eduaid-store",
    ];
    for lib in libraries {
        let deps = g.get(lib).unwrap_or_else(|| panic!("{lib} is not a workspace member"));
        assert_eq!(
            deps,
            &vec!["eduaid-model".to_string()],
            "{lib} must depend on eduaid-model alone"
        );
    }
}

#[test]
fn the_command_line_depends_on_the_facade_alone() {
    // The CLI sees the libraries the way a user's program does: through
    // `eduaid`, never by reaching into a library crate of its own accord.
    let g = workspace_graph().unwrap();
    let deps = g
        .get("eduaid-cli")
        .unwrap_or_else(|| panic!("eduaid-cli is not a workspace member"));
    assert_eq!(deps, &vec!["eduaid".to_string()], "{g:?}");
}

#[test]
fn every_sibling_dependency_carries_a_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap_or_default();
    for line in manifest
        .lines()
        .filter(|l| l.starts_with("eduaid-") && l.contains("path"))
    {
        assert!(line.contains("version"), "sibling dependency without a version: {line}");
    }
}

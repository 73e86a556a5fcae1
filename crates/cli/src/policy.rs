//! Building the eligibility engine from `--policy` arguments: built-in
//! layer ids and overlay files, stacked in the order given.

use std::path::Path;

use anyhow::bail;
use eduaid::eligibility::{Engine, Layer, Policy, PolicySet};

use crate::cli::PolicyChoice;

/// The policy used when none is named: the built-in Hunan county overlay of
/// 2016-17 (national ← hunan ← hunan-county-2016).
pub(crate) const DEFAULT_POLICY: &str = "hunan-county-2016";

/// Other names accepted for the built-in layers.
const ALIASES: &[(&str, &str)] = &[
    ("hunan-county", "hunan-county-2016"),
    ("hunan-2017", "hunan-county-2016"),
    ("hunan-county-2017", "hunan-county-2016"),
    ("china", "national"),
];

/// True if the argument names a file rather than a built-in layer.
fn is_file(arg: &str) -> bool {
    arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\') || Path::new(arg).is_file()
}

/// Compose the policy the arguments name.
///
/// # Errors
/// An unreadable or invalid overlay (naming file, line and column), an
/// unknown layer, or layers that are not one chain.
pub(crate) fn compose(choice: &PolicyChoice) -> anyhow::Result<Policy> {
    let mut set = PolicySet::builtin()?;
    let mut named: Vec<String> = Vec::new();
    for arg in &choice.policy {
        if is_file(arg) {
            let layer = Layer::read(Path::new(arg))?;
            let id = layer.id().to_string();
            set.add(layer)?;
            named.push(id);
        } else {
            let id = ALIASES
                .iter()
                .find(|(a, _)| a.eq_ignore_ascii_case(arg))
                .map_or(arg.as_str(), |(_, id)| id);
            if !set.ids().any(|x| x == id) {
                let known: Vec<&str> = set.ids().collect();
                bail!("unknown policy {arg}: the built-in policies are {}", known.join(", "));
            }
            named.push(id.to_string());
        }
    }
    let top = named.last().map_or(DEFAULT_POLICY, String::as_str);
    let policy = set.compose(top)?;
    for id in &named {
        if !policy.layers().iter().any(|l| l == id) {
            bail!(
                "policy {id} is not under {top}: {top} is based on {} (each overlay names its base)",
                policy.layers().join(" ← ")
            );
        }
    }
    Ok(policy)
}

/// The engine of the policy the arguments name.
///
/// # Errors
/// As [`compose`].
pub(crate) fn engine(choice: &PolicyChoice) -> anyhow::Result<Engine> {
    Ok(Engine::new(compose(choice)?))
}

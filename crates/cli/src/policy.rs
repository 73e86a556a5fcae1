//! Building the eligibility engine from `--policy` arguments: built-in
//! layer ids and overlay files, stacked in the order given.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::bail;
use eduaid::eligibility::{Engine, Layer, Policy, PolicySet};
use eduaid::model::ProgramCatalogue;

use crate::cli::{Lang, PolicyChoice};

/// The policy used when none is named: the national catalogue alone. A
/// province's or county's overlay is applied only when named (`--policy
/// hunan-county-2016`), and every command that evaluates says which layers
/// it used ([`announce`]).
pub(crate) const DEFAULT_POLICY: &str = "national";

/// How [`engine`] announces the layers: the run's language and `--quiet`,
/// set once at startup ([`set_announce`]).
static ANNOUNCE: OnceLock<(Lang, bool)> = OnceLock::new();

/// Set how [`engine`] announces the policy layers it uses.
pub(crate) fn set_announce(lang: Lang, quiet: bool) {
    let _ = ANNOUNCE.set((lang, quiet));
}

/// The layers of a policy, bottom first, as one line:
/// `national ← hunan ← hunan-county-2016`.
pub(crate) fn layers_line(policy: &Policy) -> String {
    policy.layers().join(" ← ")
}

/// The line that says which policy a run applies, in `lang`:
/// `政策：national ← hunan ← hunan-county-2016（某县…）`; `default` if no
/// policy was named.
pub(crate) fn policy_line(policy: &Policy, lang: Lang, default: bool) -> String {
    let layers = layers_line(policy);
    match lang {
        Lang::Zh => format!(
            "政策：{layers}（{}）{}",
            policy.title(),
            if default {
                "［默认；省、县政策用 --policy 指定］"
            } else {
                ""
            }
        ),
        Lang::En => format!(
            "policy: {layers} ({}){}",
            policy.title(),
            if default {
                " [the default; name a province's or county's overlay with --policy]"
            } else {
                ""
            }
        ),
    }
}

/// Print the policy line on stderr (unless `--quiet`), so that no run
/// applies a policy silently.
pub(crate) fn announce(policy: &Policy, default: bool) {
    let (lang, quiet) = ANNOUNCE.get().copied().unwrap_or((Lang::En, false));
    if !quiet {
        errln!("{}", policy_line(policy, lang, default));
    }
}

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

/// The engine of the policy the arguments name; the layers it uses are
/// announced on stderr ([`announce`]).
///
/// # Errors
/// As [`compose`].
pub(crate) fn engine(choice: &PolicyChoice) -> anyhow::Result<Engine> {
    let policy = compose(choice)?;
    announce(&policy, choice.policy.is_empty());
    Ok(Engine::new(policy))
}

/// The names of an engine's programs, as its policy gives them (Chinese
/// names, aliases): what a program cell may say in the files it reads and
/// what a Chinese file writes. An engine without a policy has the national
/// catalogue's names.
///
/// # Errors
/// A built-in policy that does not compose (a bug).
pub(crate) fn catalogue(engine: &Engine) -> anyhow::Result<ProgramCatalogue> {
    Ok(match engine.policy() {
        Some(p) => p.catalogue()?,
        None => Policy::national()?.catalogue()?,
    })
}

/// The layers an engine applies, as [`layers_line`] (empty for an engine
/// without a policy).
pub(crate) fn engine_layers(engine: &Engine) -> String {
    engine.policy().map(layers_line).unwrap_or_default()
}

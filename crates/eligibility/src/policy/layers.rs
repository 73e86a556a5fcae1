//! Loading policy files and layering them: [`Layer`], [`PolicySet`] and
//! the chains they compose into a [`Policy`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use super::{Calendar, HUNAN_COUNTY_2016_TOML, HUNAN_TOML, NATIONAL_TOML, Policy};
use crate::Error;
use crate::error::{line_col, syntax};
use crate::schema::PolicyFile;

/// One parsed policy file.
#[derive(Debug, Clone)]
pub struct Layer {
    file: String,
    text: String,
    pub(super) parsed: PolicyFile,
}

impl Layer {
    /// Parse `text`, naming it `file` in errors.
    ///
    /// # Errors
    /// [`Error::Syntax`] for invalid TOML or a field the schema does not
    /// know.
    pub fn parse(file: &str, text: &str) -> Result<Layer, Error> {
        let parsed: PolicyFile = toml::from_str(text).map_err(|e| syntax(file, text, &e))?;
        Ok(Layer {
            file: file.to_string(),
            text: text.to_string(),
            parsed,
        })
    }

    /// Read and parse a file.
    ///
    /// # Errors
    /// [`Error::Io`] or the errors of [`Layer::parse`].
    pub fn read(path: &Path) -> Result<Layer, Error> {
        let text = read_toml_text(path)?;
        Layer::parse(&path.display().to_string(), &text)
    }

    /// The layer's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.parsed.policy.id
    }

    /// The layer's base, if any.
    #[must_use]
    pub fn base(&self) -> Option<&str> {
        self.parsed.policy.base.as_ref().map(|b| b.get_ref().as_str())
    }

    /// The file name given.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The parsed content.
    #[must_use]
    pub fn content(&self) -> &PolicyFile {
        &self.parsed
    }

    pub(super) fn err(&self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) -> Error {
        let (line, column) = line_col(&self.text, span.start);
        Error::Invalid {
            file: self.file.clone(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A set of layers by id, from which chains are composed.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    layers: BTreeMap<String, Layer>,
}

impl PolicySet {
    /// An empty set.
    #[must_use]
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// The built-in layers: `national`, `hunan` and `hunan-county-2016`.
    ///
    /// # Errors
    /// Only if a built-in file is broken (a test guards against it).
    pub fn builtin() -> Result<PolicySet, Error> {
        let mut s = PolicySet::new();
        s.add(Layer::parse("policy/national.toml", NATIONAL_TOML)?)?;
        s.add(Layer::parse("policy/hunan.toml", HUNAN_TOML)?)?;
        s.add(Layer::parse("policy/hunan-county-2016.toml", HUNAN_COUNTY_2016_TOML)?)?;
        Ok(s)
    }

    /// Add a layer.
    ///
    /// # Errors
    /// [`Error::Layer`] if a layer with the same id is already present.
    pub fn add(&mut self, layer: Layer) -> Result<&mut PolicySet, Error> {
        let id = layer.id().to_string();
        if let Some(old) = self.layers.get(&id) {
            return Err(Error::Layer {
                id,
                message: format!("defined twice, in {} and {}", old.file, layer.file),
            });
        }
        self.layers.insert(id, layer);
        Ok(self)
    }

    /// Parse `text` and add it.
    ///
    /// # Errors
    /// As [`Layer::parse`] and [`PolicySet::add`].
    pub fn add_str(&mut self, file: &str, text: &str) -> Result<&mut PolicySet, Error> {
        self.add(Layer::parse(file, text)?)
    }

    /// The ids of the layers held.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.layers.keys().map(String::as_str)
    }

    /// Compose the chain ending in layer `top`: its base, the base's base
    /// and so on down to a layer without a base, applied bottom first.
    ///
    /// # Errors
    /// [`Error::Layer`] if `top` is missing, [`Error::UnknownBase`],
    /// [`Error::OverlayCycle`], and every error of the layers' content.
    pub fn compose(&self, top: &str) -> Result<Policy, Error> {
        let mut chain: Vec<&Layer> = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut cur = self.layers.get(top).ok_or_else(|| Error::Layer {
            id: top.to_string(),
            message: "no such layer".into(),
        })?;
        loop {
            if seen.iter().any(|s| s == cur.id()) {
                seen.push(cur.id().to_string());
                let start = seen.iter().position(|s| s == cur.id()).unwrap_or(0);
                return Err(Error::OverlayCycle {
                    chain: seen[start..].join(" -> "),
                });
            }
            seen.push(cur.id().to_string());
            chain.push(cur);
            match cur.base() {
                None => break,
                Some(b) => {
                    cur = self.layers.get(b).ok_or_else(|| Error::UnknownBase {
                        file: cur.file.clone(),
                        layer: cur.id().to_string(),
                        base: b.to_string(),
                    })?;
                }
            }
        }
        chain.reverse();
        Policy::from_chain(&chain)
    }
}

impl Policy {
    /// The national catalogue alone.
    ///
    /// # Errors
    /// Only if a built-in file is broken.
    pub fn national() -> Result<Policy, Error> {
        PolicySet::builtin()?.compose("national")
    }

    /// National ← Hunan ← the Hunan county overlay of 2016-17: the policy
    /// the sample county is evaluated under.
    ///
    /// # Errors
    /// Only if a built-in file is broken.
    pub fn hunan_county_2016() -> Result<Policy, Error> {
        PolicySet::builtin()?.compose("hunan-county-2016")
    }

    /// Compose the built-in layers up to `base` and then `overlay_text` on
    /// top (its `base` must name one of the built-in layers).
    ///
    /// # Errors
    /// Every error of [`PolicySet::compose`].
    pub fn builtin_with(file: &str, overlay_text: &str) -> Result<Policy, Error> {
        let mut set = PolicySet::builtin()?;
        let layer = Layer::parse(file, overlay_text)?;
        let id = layer.id().to_string();
        set.add(layer)?;
        set.compose(&id)
    }

    /// Parse one self-contained file (no base).
    ///
    /// # Errors
    /// As [`PolicySet::compose`].
    pub fn from_str_single(file: &str, text: &str) -> Result<Policy, Error> {
        let layer = Layer::parse(file, text)?;
        Policy::from_chain(&[&layer])
    }

    /// Compose layers given bottom first; each layer after the first must be
    /// based on the one before it.
    ///
    /// # Errors
    /// Every content error, with file, line and key.
    pub fn from_layers(layers: &[Layer]) -> Result<Policy, Error> {
        let refs: Vec<&Layer> = layers.iter().collect();
        for w in refs.windows(2) {
            if w[1].base() != Some(w[0].id()) {
                return Err(Error::UnknownBase {
                    file: w[1].file.clone(),
                    layer: w[1].id().to_string(),
                    base: w[1].base().unwrap_or("(none)").to_string(),
                });
            }
        }
        Policy::from_chain(&refs)
    }

    fn from_chain(chain: &[&Layer]) -> Result<Policy, Error> {
        let mut p = Policy {
            layers: Vec::new(),
            title: String::new(),
            description: None,
            documents: BTreeMap::new(),
            parameters: BTreeMap::new(),
            programs: BTreeMap::new(),
            limits: Vec::new(),
            calendar: Calendar {
                default: None,
                terms: BTreeMap::new(),
            },
        };
        let mut doc_layer: BTreeMap<String, String> = BTreeMap::new();
        for layer in chain {
            p.apply(layer, &mut doc_layer)?;
        }
        p.catalogue()?;
        Ok(p)
    }
}

/// Read a policy or test-case file as text: UTF-8, with or without a byte
/// order mark.
///
/// # Errors
/// [`Error::Io`] if it cannot be read, or [`Error::Syntax`] at the line and
/// column of the first byte that is not UTF-8 (a binary file, or a file
/// saved as GBK).
pub fn read_toml_text(path: &Path) -> Result<String, Error> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        file: file.clone(),
        source,
    })?;
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let good = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let line = good.matches('\n').count() + 1;
            let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(Error::Syntax {
                file,
                line,
                column,
                message:
                    "not UTF-8 text: a binary file, or one saved in another encoding (such as GBK); save it as UTF-8"
                        .into(),
            })
        }
    }
}

//! Reading policy files and composing overlays into one [`Policy`].
//!
//! A [`Layer`] is one parsed file. A [`PolicySet`] holds layers by id and
//! composes a chain `national ← province ← county ← user` by following each
//! layer's `base`. Composition is where every cross-reference is checked,
//! so errors name the file, line and key of the reference at fault.

mod calendar;
mod checks;
mod citation;
mod compose;
mod layers;
mod parameters;
mod programs;
#[cfg(test)]
mod tests;
mod to_toml;

use std::collections::BTreeMap;

use crate::schema::DocumentDef;

pub use self::calendar::{Calendar, Window, weekdays};
pub use self::citation::Citation;
pub use self::layers::{Layer, PolicySet, read_toml_text};
pub use self::parameters::{DatedValue, Parameter, Value};
pub use self::programs::{Limit, ProgramSpec, Rule};

/// The built-in national catalogue, 2007 to today.
pub const NATIONAL_TOML: &str = include_str!("../../policy/national.toml");
/// The built-in Hunan provincial overlay.
pub const HUNAN_TOML: &str = include_str!("../../policy/hunan.toml");
/// The built-in Hunan county overlay of school year 2016-17 (the seed
/// county's rules).
pub const HUNAN_COUNTY_2016_TOML: &str = include_str!("../../policy/hunan-county-2016.toml");

/// A composed policy: documents, dated parameters, programs with their
/// rules in precedence order, limits across programs, and the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    layers: Vec<String>,
    title: String,
    description: Option<String>,
    documents: BTreeMap<String, DocumentDef>,
    parameters: BTreeMap<String, Parameter>,
    programs: BTreeMap<String, ProgramSpec>,
    limits: Vec<Limit>,
    calendar: Calendar,
}

impl Policy {
    /// The layer ids, bottom first.
    #[must_use]
    pub fn layers(&self) -> &[String] {
        &self.layers
    }

    /// The title of the top layer.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The programs, by id.
    #[must_use]
    pub fn programs(&self) -> &BTreeMap<String, ProgramSpec> {
        &self.programs
    }

    /// The parameters, by name.
    #[must_use]
    pub fn parameters(&self) -> &BTreeMap<String, Parameter> {
        &self.parameters
    }

    /// A parameter.
    #[must_use]
    pub fn parameter(&self, name: &str) -> Option<&Parameter> {
        self.parameters.get(name)
    }

    /// The limits across programs.
    #[must_use]
    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    /// The calendar.
    #[must_use]
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The documents, by key.
    #[must_use]
    pub fn documents(&self) -> &BTreeMap<String, DocumentDef> {
        &self.documents
    }
}

//! The program catalogue (资助项目目录): each program's id, its Chinese name
//! and the other names a clerk's file may give it.
//!
//! The names come from the policy files (`eduaid-eligibility` builds a
//! [`ProgramCatalogue`] from a composed policy, built-ins plus a county's
//! overlay); `eduaid-io` reads a program cell and writes a Chinese program
//! column through one, so the policy is the only place a program is named.

use std::collections::BTreeMap;

use crate::{ModelError, ProgramId};

/// One program's names: its id, its Chinese name (项目名称, what a
/// Chinese file writes) and the other names it goes by (简称、别名).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProgramNames {
    /// The id, e.g. `living-subsidy`.
    pub id: ProgramId,
    /// The Chinese name, e.g. `家庭经济困难寄宿生生活补助`.
    pub chinese: String,
    /// Other names a file may give it, e.g. `寄宿生生活补助`.
    pub aliases: Vec<String>,
    /// The short name a chart or a narrow column shows, e.g. `生活补助`
    /// (a name a file may give it too); `None` shows the Chinese name.
    pub short: Option<String>,
}

impl ProgramNames {
    /// A program's id and Chinese name, with no aliases.
    #[must_use]
    pub fn new(id: ProgramId, chinese: impl Into<String>) -> ProgramNames {
        ProgramNames {
            id,
            chinese: chinese.into(),
            aliases: Vec::new(),
            short: None,
        }
    }

    /// The same names with this short name.
    #[must_use]
    pub fn with_short(mut self, short: impl Into<String>) -> ProgramNames {
        self.short = Some(short.into());
        self
    }

    /// The short name, else the Chinese name.
    #[must_use]
    pub fn short_or_chinese(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.chinese)
    }

    /// The same names with these aliases added.
    #[must_use]
    pub fn with_aliases<S: Into<String>>(mut self, aliases: impl IntoIterator<Item = S>) -> ProgramNames {
        self.aliases.extend(aliases.into_iter().map(Into::into));
        self
    }
}

/// The programs a file may name, looked up by id, Chinese name or alias.
///
/// An empty catalogue ([`ProgramCatalogue::default`]) knows no names: a
/// program cell is read as the id it holds and a program is written as
/// its id.
///
/// ```
/// use eduaid_model::{ProgramCatalogue, ProgramId, ProgramNames};
///
/// let mut c = ProgramCatalogue::new();
/// let id = ProgramId::new("living-subsidy")?;
/// c.insert(ProgramNames::new(id.clone(), "家庭经济困难寄宿生生活补助").with_aliases(["生活补助"]))?;
/// assert_eq!(c.id_of("生活补助"), Some(&id));
/// assert_eq!(c.chinese(&id), Some("家庭经济困难寄宿生生活补助"));
/// // A name the catalogue does not know is taken as an id.
/// assert_eq!(c.parse("nutrition")?.as_str(), "nutrition");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramCatalogue {
    /// The programs, in the order inserted.
    programs: Vec<ProgramNames>,
    /// Every name (id, Chinese name, alias) → its program's index.
    by_name: BTreeMap<String, usize>,
}

impl ProgramCatalogue {
    /// An empty catalogue: ids only.
    #[must_use]
    pub fn new() -> ProgramCatalogue {
        ProgramCatalogue::default()
    }

    /// Add a program's names, or more names of a program already in the
    /// catalogue (a county's overlay renaming it, adding aliases): a new
    /// Chinese name replaces the old one, which stays an alias, and a new
    /// short name replaces the old one.
    ///
    /// # Errors
    /// [`ModelError::Inconsistent`] if one of its names (id, Chinese name,
    /// alias or short name) already names another program, or a name is
    /// blank; the catalogue is then unchanged.
    pub fn insert(&mut self, names: ProgramNames) -> Result<(), ModelError> {
        let index = self
            .programs
            .iter()
            .position(|p| p.id == names.id)
            .unwrap_or(self.programs.len());
        let all = std::iter::once(names.id.as_str())
            .chain(std::iter::once(names.chinese.as_str()))
            .chain(names.aliases.iter().map(String::as_str))
            .chain(names.short.as_deref());
        for name in all.clone() {
            let fault = |reason: String| ModelError::Inconsistent {
                what: "program catalogue",
                id: names.id.to_string(),
                field: Some("aliases"),
                reason,
            };
            if name.trim().is_empty() {
                return Err(fault("a program name is blank".into()));
            }
            if let Some(&other) = self.by_name.get(name) {
                if other != index {
                    let other = self.programs.get(other).map_or("", |p| p.id.as_str());
                    return Err(fault(format!("the name {name} already names program {other}")));
                }
            }
        }
        let names_owned: Vec<String> = all.map(str::to_string).collect();
        for name in names_owned {
            self.by_name.insert(name, index);
        }
        match self.programs.get_mut(index) {
            Some(p) => {
                let old = std::mem::replace(&mut p.chinese, names.chinese);
                if names.short.is_some() {
                    p.short = names.short;
                }
                for name in std::iter::once(old).chain(names.aliases) {
                    if name != p.chinese && !p.aliases.contains(&name) {
                        p.aliases.push(name);
                    }
                }
            }
            None => {
                let mut names = names;
                let mut aliases = Vec::with_capacity(names.aliases.len());
                for a in std::mem::take(&mut names.aliases) {
                    if a != names.chinese && !aliases.contains(&a) {
                        aliases.push(a);
                    }
                }
                names.aliases = aliases;
                self.programs.push(names);
            }
        }
        Ok(())
    }

    /// The program a name (id, Chinese name, alias or short name, exactly)
    /// names.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&ProgramNames> {
        self.by_name.get(name).and_then(|&i| self.programs.get(i))
    }

    /// The id of the program a name names.
    #[must_use]
    pub fn id_of(&self, name: &str) -> Option<&ProgramId> {
        self.get(name).map(|p| &p.id)
    }

    /// The Chinese name of a program, if the catalogue has it.
    #[must_use]
    pub fn chinese(&self, id: &ProgramId) -> Option<&str> {
        self.get(id.as_str())
            .filter(|p| p.id == *id)
            .map(|p| p.chinese.as_str())
    }

    /// The short name of a program (`营养餐`), else its Chinese name, if
    /// the catalogue has it.
    #[must_use]
    pub fn short(&self, id: &ProgramId) -> Option<&str> {
        self.get(id.as_str())
            .filter(|p| p.id == *id)
            .map(ProgramNames::short_or_chinese)
    }

    /// A program cell's text as a program: the id of the program it names,
    /// else the text itself taken as an id.
    ///
    /// # Errors
    /// [`ModelError::InvalidId`] if the text names no program and is no
    /// valid id.
    pub fn parse(&self, text: &str) -> Result<ProgramId, ModelError> {
        match self.id_of(text) {
            Some(id) => Ok(id.clone()),
            None => ProgramId::new(text),
        }
    }

    /// The programs, in the order inserted.
    pub fn iter(&self) -> impl Iterator<Item = &ProgramNames> {
        self.programs.iter()
    }

    /// The number of programs.
    #[must_use]
    pub fn len(&self) -> usize {
        self.programs.len()
    }

    /// True if the catalogue knows no program.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.programs.is_empty()
    }
}

impl<'a> IntoIterator for &'a ProgramCatalogue {
    type Item = &'a ProgramNames;
    type IntoIter = std::slice::Iter<'a, ProgramNames>;

    fn into_iter(self) -> Self::IntoIter {
        self.programs.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ProgramId {
        ProgramId::new(s).unwrap()
    }

    #[test]
    fn every_name_finds_its_program_and_unknown_text_is_an_id() {
        let mut c = ProgramCatalogue::new();
        c.insert(
            ProgramNames::new(id("nutrition"), "农村义务教育学生营养改善计划")
                .with_aliases(["营养改善计划"])
                .with_short("营养餐"),
        )
        .unwrap();
        c.insert(ProgramNames::new(id("rain-and-dew"), "雨露计划")).unwrap();
        for name in ["nutrition", "农村义务教育学生营养改善计划", "营养改善计划", "营养餐"] {
            assert_eq!(c.parse(name).unwrap(), id("nutrition"), "{name}");
        }
        assert_eq!(c.parse("营养午餐").unwrap(), id("营养午餐"));
        assert_eq!(c.short(&id("nutrition")), Some("营养餐"));
        assert_eq!(c.short(&id("rain-and-dew")), Some("雨露计划"));
        assert_eq!(c.short(&id("营养餐")), None);
        assert!(c.parse("a\u{200b}b").is_err());
        assert_eq!(c.chinese(&id("nutrition")), Some("农村义务教育学生营养改善计划"));
        assert_eq!(c.chinese(&id("营养改善计划")), None, "an alias is no id");
        assert_eq!(ProgramCatalogue::new().chinese(&id("nutrition")), None);
    }

    #[test]
    fn a_name_of_two_programs_is_refused_and_leaves_the_catalogue_as_it_was() {
        let mut c = ProgramCatalogue::new();
        c.insert(ProgramNames::new(id("fee-waiver"), "义务教育免学杂费").with_aliases(["免学杂费"]))
            .unwrap();
        let before = c.clone();
        let e = c
            .insert(ProgramNames::new(id("senior-fee-waiver"), "普通高中免学杂费").with_aliases(["免学杂费"]))
            .unwrap_err();
        assert!(
            e.to_string().contains("免学杂费 already names program fee-waiver"),
            "{e}"
        );
        assert_eq!(c, before);
        let blank = c.insert(ProgramNames::new(id("x"), " ")).unwrap_err();
        assert!(blank.to_string().contains("blank"), "{blank}");
    }

    #[test]
    fn a_program_named_again_takes_its_new_name_and_keeps_the_old_as_an_alias() {
        let mut c = ProgramCatalogue::new();
        c.insert(ProgramNames::new(id("rain-and-dew"), "雨露计划")).unwrap();
        c.insert(ProgramNames::new(id("rain-and-dew"), "雨露计划职业教育补助").with_aliases(["雨露补助", "雨露补助"]))
            .unwrap();
        assert_eq!(c.len(), 1);
        let p = c.get("雨露计划").unwrap();
        assert_eq!(p.chinese, "雨露计划职业教育补助");
        assert_eq!(p.aliases, ["雨露计划", "雨露补助"]);
        assert_eq!(c.parse("雨露补助").unwrap(), id("rain-and-dew"));
    }
}

//! The program catalogue a composed policy gives the rest of the workspace:
//! each program's id, Chinese name and aliases (资助项目目录), so that a
//! file naming a program in Chinese is read by the same names the policy
//! files give it, a county's own programs included.

use eduaid_model::{ProgramCatalogue, ProgramId, ProgramNames};

use crate::{Error, Policy};

impl Policy {
    /// The catalogue of this policy's programs: each program's id, its
    /// Chinese name (`name` in the policy file), its `aliases`, every
    /// layer's, with a name an overlay replaced kept as an alias, and its
    /// `short` name. Hand it
    /// to `eduaid-io` (`ReadOptions::programs`, `WriteOptions::programs`)
    /// to read and write program names in Chinese.
    ///
    /// ```
    /// use eduaid_eligibility::Policy;
    /// use eduaid_model::ProgramId;
    ///
    /// let c = Policy::national()?.catalogue()?;
    /// assert_eq!(c.parse("营养改善计划")?.as_str(), "nutrition");
    /// assert_eq!(c.chinese(&ProgramId::new("rain-and-dew")?), Some("雨露计划"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Layer`] if one name (an id, a Chinese name or an alias)
    /// names two programs, or a name is blank: a composed policy never
    /// has one, since composing checks it; [`Error::Model`] for a program
    /// id that is no valid id.
    pub fn catalogue(&self) -> Result<ProgramCatalogue, Error> {
        let mut c = ProgramCatalogue::new();
        for p in self.programs().values() {
            let mut names = ProgramNames::new(ProgramId::new(p.id.as_str())?, p.name.as_str())
                .with_aliases(p.aliases.iter().map(String::as_str));
            if let Some(short) = &p.short {
                names = names.with_short(short.as_str());
            }
            c.insert(names).map_err(|e| Error::Layer {
                id: self.layers().last().cloned().unwrap_or_default(),
                message: format!("programs.{}: {e}", p.id),
            })?;
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_national_name_and_alias_reads_as_its_program() {
        let c = Policy::national().unwrap().catalogue().unwrap();
        for (name, id) in [
            ("学前教育资助", "preschool-aid"),
            ("学前资助", "preschool-aid"),
            ("营养餐", "nutrition"),
            ("普高助学金", "senior-grant"),
            ("免学杂费", "fee-waiver"),
            ("寄宿生生活补助", "living-subsidy"),
            ("生活补助", "living-subsidy"),
            ("营养改善计划", "nutrition"),
            ("生源地信用助学贷款", "student-loan"),
            ("国家奖学金", "national-scholarship"),
        ] {
            assert_eq!(c.parse(name).unwrap().as_str(), id, "{name}");
        }
        assert_eq!(c.len(), Policy::national().unwrap().programs().len());
    }

    #[test]
    fn an_alias_naming_two_programs_is_refused_when_the_policy_is_composed() {
        let overlay = r#"
[policy]
id = "clash"
base = "national"
title = "a county whose alias names two programs"

[programs.senior-fee-waiver]
aliases = ["免学杂费"]
"#;
        let e = Policy::builtin_with("clash.toml", overlay).unwrap_err().to_string();
        assert!(
            e.contains("clash") && e.contains("免学杂费 already names program fee-waiver"),
            "{e}"
        );
    }

    #[test]
    fn an_overlay_renaming_a_program_keeps_the_old_name_as_an_alias() {
        let overlay = r#"
[policy]
id = "renamed"
base = "national"
title = "a county that names Rain-and-Dew its own way"

[programs.rain-and-dew]
name = "雨露计划职业教育补助"
aliases = ["雨露补助"]
"#;
        let policy = Policy::builtin_with("renamed.toml", overlay).unwrap();
        let c = policy.catalogue().unwrap();
        let id = ProgramId::new("rain-and-dew").unwrap();
        assert_eq!(c.chinese(&id), Some("雨露计划职业教育补助"));
        for name in ["雨露计划", "雨露补助", "雨露计划职业教育补助"] {
            assert_eq!(c.parse(name).unwrap(), id, "{name}");
        }
        // The composed policy written out and read back names it the same.
        let back = Policy::from_str_single("renamed.toml", &policy.to_toml().unwrap()).unwrap();
        assert_eq!(back.catalogue().unwrap(), c);
    }
}

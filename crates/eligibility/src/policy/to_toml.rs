//! Writing a composed policy back as one self-contained TOML file.

use toml::Spanned;

use super::{Citation, Policy, Value};
use crate::Error;
use crate::schema::{CiteDef, Header, LimitDef, ParameterDef, PolicyFile, ProgramDef, RuleDef, ValueDef};

impl Policy {
    /// Write the composed policy back as one self-contained TOML file
    /// (no base): reading it gives a policy with the same results.
    ///
    /// # Errors
    /// [`Error::Serialize`] if the TOML writer fails.
    pub fn to_toml(&self) -> Result<String, Error> {
        let file = self.to_file();
        toml::to_string(&file).map_err(|e| Error::Serialize(e.to_string()))
    }

    fn to_file(&self) -> PolicyFile {
        let sp = |s: &str| Spanned::new(0..0, s.to_string());
        let cite = |c: &Citation| CiteDef {
            doc: sp(&c.doc),
            clause: c.clause.clone(),
            certainty: Some(c.certainty),
            note: c.note.clone(),
        };
        let documents = self.documents.iter().map(|(k, d)| (sp(k), d.clone())).collect();
        let parameters = self
            .parameters
            .values()
            .map(|p| {
                let values = p
                    .timeline()
                    .iter()
                    .map(|v| ValueDef {
                        from: Spanned::new(0..0, v.from),
                        until: v.until,
                        value: match &v.value {
                            Value::Amount(m) => Some(*m),
                            Value::ByStage(_) => None,
                        },
                        by_stage: match &v.value {
                            Value::Amount(_) => None,
                            Value::ByStage(m) => Some(m.clone()),
                        },
                        cite: cite(&v.cite),
                    })
                    .collect();
                (
                    sp(&p.name),
                    ParameterDef {
                        description: Some(p.description.clone()),
                        unit: Some(p.unit),
                        values,
                    },
                )
            })
            .collect();
        let programs = self
            .programs
            .values()
            .map(|p| {
                let rules = p
                    .rules
                    .iter()
                    .map(|r| RuleDef {
                        id: sp(&r.id),
                        label: r.label.clone(),
                        from: r.from,
                        until: r.until,
                        effect: r.effect,
                        when: r.when.clone(),
                        amount: r.amount.clone(),
                        reason: r.reason.clone(),
                        cite: Some(cite(&r.cite)),
                        disabled: false,
                    })
                    .collect();
                (
                    sp(&p.id),
                    ProgramDef {
                        name: Some(p.name.clone()),
                        english: p.english.clone(),
                        aliases: p.aliases.clone(),
                        short: p.short.clone(),
                        benefit: Some(p.benefit),
                        description: p.description.clone(),
                        cite: Some(cite(&p.cite)),
                        rules,
                    },
                )
            })
            .collect();
        let limits = self
            .limits
            .iter()
            .map(|l| LimitDef {
                id: sp(&l.id),
                kind: l.kind,
                programs: l.programs.iter().map(|p| sp(p)).collect(),
                cap_per_term: l.cap_per_term.as_deref().map(sp),
                from: l.from,
                until: l.until,
                cite: Some(cite(&l.cite)),
                disabled: false,
            })
            .collect();
        let calendar = crate::schema::CalendarDef {
            default: self.calendar.default.as_ref().map(|(d, c)| {
                let mut d = d.clone();
                d.cite = cite(c);
                d
            }),
            terms: self
                .calendar
                .terms
                .iter()
                .map(|(t, (w, c))| {
                    let mut w = w.clone();
                    w.cite = cite(c);
                    (sp(&t.to_string()), w)
                })
                .collect(),
        };
        PolicyFile {
            policy: Header {
                id: self.layers.join("+"),
                title: self.title.clone(),
                base: None,
                description: if self.layers.len() == 1 {
                    self.description.clone()
                } else {
                    Some(format!("composed from {}", self.layers.join(" <- ")))
                },
            },
            documents,
            parameters,
            programs,
            limits,
            calendar: Some(calendar),
        }
    }
}

//! Writing a composed policy back as one self-contained TOML file.

use toml::Spanned;

use super::{Citation, Limit, Parameter, Policy, ProgramSpec, Rule, Value};
use crate::Error;
use crate::schema::{CalendarDef, CiteDef, Header, LimitDef, ParameterDef, PolicyFile, ProgramDef, RuleDef, ValueDef};

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
        PolicyFile {
            policy: self.header(),
            documents: self.documents.iter().map(|(k, d)| (sp(k), d.clone())).collect(),
            parameters: self
                .parameters
                .values()
                .map(|p| (sp(&p.name), parameter_def(p)))
                .collect(),
            programs: self.programs.values().map(|p| (sp(&p.id), program_def(p))).collect(),
            limits: self.limits.iter().map(limit_def).collect(),
            calendar: Some(self.calendar_def()),
        }
    }

    /// The header of the composed file: the layers' ids joined by `+`, no base.
    fn header(&self) -> Header {
        Header {
            id: self.layers.join("+"),
            title: self.title.clone(),
            base: None,
            description: if self.layers.len() == 1 {
                self.description.clone()
            } else {
                Some(format!("composed from {}", self.layers.join(" <- ")))
            },
        }
    }

    /// The calendar, each entry with its citation.
    fn calendar_def(&self) -> CalendarDef {
        CalendarDef {
            default: self.calendar.default.as_ref().map(|(d, c)| {
                let mut d = d.clone();
                d.cite = cite_def(c);
                d
            }),
            terms: self
                .calendar
                .terms
                .iter()
                .map(|(t, (w, c))| {
                    let mut w = w.clone();
                    w.cite = cite_def(c);
                    (sp(&t.to_string()), w)
                })
                .collect(),
        }
    }
}

/// A key or name as the file writes it (no span: it was not read).
fn sp(s: &str) -> Spanned<String> {
    Spanned::new(0..0, s.to_string())
}

/// A citation as the file writes it.
fn cite_def(c: &Citation) -> CiteDef {
    CiteDef {
        doc: sp(&c.doc),
        clause: c.clause.clone(),
        certainty: Some(c.certainty),
        note: c.note.clone(),
    }
}

/// A parameter with its whole timeline (the values in force, every layer composed).
fn parameter_def(p: &Parameter) -> ParameterDef {
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
            cite: cite_def(&v.cite),
        })
        .collect();
    ParameterDef {
        description: Some(p.description.clone()),
        unit: Some(p.unit),
        values,
    }
}

/// A program with its rules.
fn program_def(p: &ProgramSpec) -> ProgramDef {
    ProgramDef {
        name: Some(p.name.clone()),
        english: p.english.clone(),
        aliases: p.aliases.clone(),
        short: p.short.clone(),
        benefit: Some(p.benefit),
        description: p.description.clone(),
        cite: Some(cite_def(&p.cite)),
        rules: p.rules.iter().map(rule_def).collect(),
    }
}

/// A rule of a program.
fn rule_def(r: &Rule) -> RuleDef {
    RuleDef {
        id: sp(&r.id),
        label: r.label.clone(),
        from: r.from,
        until: r.until,
        effect: r.effect,
        when: r.when.clone(),
        amount: r.amount.clone(),
        reason: r.reason.clone(),
        cite: Some(cite_def(&r.cite)),
        disabled: false,
    }
}

/// A limit across programs.
fn limit_def(l: &Limit) -> LimitDef {
    LimitDef {
        id: sp(&l.id),
        kind: l.kind,
        programs: l.programs.iter().map(|p| sp(p)).collect(),
        cap_per_term: l.cap_per_term.as_deref().map(sp),
        from: l.from,
        until: l.until,
        cite: Some(cite_def(&l.cite)),
        disabled: false,
    }
}

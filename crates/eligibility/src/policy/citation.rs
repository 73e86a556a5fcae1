//! A citation, resolved from a policy file's documents.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::schema::{Certainty, When};

/// A citation, resolved: the document and the clause.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The document's key.
    pub doc: String,
    /// Title.
    pub title: String,
    /// Issuer.
    pub issuer: String,
    /// Document number (文号).
    pub number: Option<String>,
    /// Date issued.
    pub date: Option<When>,
    /// Clause.
    pub clause: Option<String>,
    /// Where it can be read.
    pub url: Option<String>,
    /// How sure: the use site's, or else the document's.
    pub certainty: Certainty,
    /// A note.
    pub note: Option<String>,
}

impl Clone for Citation {
    fn clone(&self) -> Citation {
        Citation {
            doc: self.doc.clone(),
            title: self.title.clone(),
            issuer: self.issuer.clone(),
            number: self.number.clone(),
            date: self.date,
            clause: self.clause.clone(),
            url: self.url.clone(),
            certainty: self.certainty,
            note: self.note.clone(),
        }
    }

    /// Field by field, into the buffers already there (a trace reuses
    /// its steps from one student to the next).
    fn clone_from(&mut self, o: &Citation) {
        self.doc.clone_from(&o.doc);
        self.title.clone_from(&o.title);
        self.issuer.clone_from(&o.issuer);
        self.number.clone_from(&o.number);
        self.date = o.date;
        self.clause.clone_from(&o.clause);
        self.url.clone_from(&o.url);
        self.certainty = o.certainty;
        self.note.clone_from(&o.note);
    }
}

impl Citation {
    /// True if the title is an issuing document's title (it has a 文号,
    /// or reads as one: "关于…", "…通知/意见/办法/决定/公告/规定"), not a
    /// description of what a source says.
    #[must_use]
    pub fn is_document_title(&self) -> bool {
        let main = self.title.split(" (").next().unwrap_or(&self.title);
        self.number.is_some()
            || main.contains("关于")
            || ["通知", "意见", "办法", "决定", "公告", "规定"]
                .iter()
                .any(|e| main.ends_with(e))
    }
}

impl fmt::Display for Citation {
    /// `《title》 (issuer, number, date) clause [V] url` for a document's
    /// title (a parenthesised remark after it stays outside 《》); a
    /// description is printed as it is, without 《》.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_document_title() {
            match self.title.split_once(" (") {
                Some((main, rest)) => write!(f, "《{main}》 ({rest}")?,
                None => write!(f, "《{}》", self.title)?,
            }
        } else {
            f.write_str(&self.title)?;
        }
        write!(f, " ({}", self.issuer)?;
        if let Some(n) = &self.number {
            write!(f, ", {n}")?;
        }
        if let Some(d) = &self.date {
            write!(f, ", {d}")?;
        }
        f.write_str(")")?;
        if let Some(c) = &self.clause {
            write!(f, " {c}")?;
        }
        write!(f, " [{}]", self.certainty)?;
        if let Some(u) = &self.url {
            write!(f, " {u}")?;
        }
        Ok(())
    }
}

//! Conditions in words: texts made before or formatted when written, and
//! the alternatives of a group, held or failed.

use super::*;

/// A condition in words, as [`Cond::explain_to`] hands it on: a text
/// made before (copied, not formatted), or one to format.
#[derive(Clone, Copy)]
pub(crate) enum Words<'a> {
    /// A text made before.
    Str(&'a str),
    /// A text to format.
    Fmt(fmt::Arguments<'a>),
    /// A text to format, the same whenever the key is.
    Keyed(WordsKey, fmt::Arguments<'a>),
    /// A text made before, the same whenever the key is.
    KeyedStr(WordsKey, &'a str),
    /// Texts one after another.
    Parts(&'a [&'a str]),
}

impl Words<'_> {
    /// Write the words to `w`.
    pub(crate) fn write_to(self, w: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Words::Str(s) | Words::KeyedStr(_, s) => w.write_str(s),
            Words::Fmt(a) | Words::Keyed(_, a) => w.write_fmt(a),
            Words::Parts(v) => v.iter().try_for_each(|p| w.write_str(p)),
        }
    }

    /// What the words are the same for, if known.
    pub(crate) fn key(self) -> Option<WordsKey> {
        match self {
            Words::Keyed(k, _) | Words::KeyedStr(k, _) => Some(k),
            Words::Str(_) | Words::Fmt(_) | Words::Parts(_) => None,
        }
    }
}

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// An alternative that holds, in words: each of its conditions, joined
/// by commas (written straight into the trace's buffer).
pub(super) struct AltHeld<'c, 'f> {
    pub(super) alt: &'c Cond,
    pub(super) f: &'c Facts<'f>,
}

impl fmt::Display for AltHeld<'_, '_> {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Ok(());
        let mut first = true;
        self.alt.explain_to(self.f, &mut |text, _| {
            if r.is_ok() {
                if !first {
                    r = w.write_str(", ");
                }
                if r.is_ok() {
                    r = text.write_to(w);
                }
                first = false;
            }
        });
        r
    }
}

/// Alternatives none of which holds, in words: the condition each failed
/// on, joined by semicolons.
pub(super) struct AltsFailed<'c, 'f> {
    pub(super) alts: &'c [Cond],
    pub(super) f: &'c Facts<'f>,
}

impl fmt::Display for AltsFailed<'_, '_> {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Ok(());
        let mut first = true;
        for alt in self.alts {
            alt.explain_to(self.f, &mut |text, held| {
                if !held && r.is_ok() {
                    if !first {
                        r = w.write_str("; ");
                    }
                    if r.is_ok() {
                        r = text.write_to(w);
                    }
                    first = false;
                }
            });
        }
        r
    }
}

/// Statuses not held on the reference date, in words, with what the
/// household's record says of each (`not registered-poor on 2021-03-01:
/// registered on 2021-05-10`).
pub(super) struct NotHeld<'c, 'f> {
    pub(super) cond: &'c Cond,
    pub(super) f: &'c Facts<'f>,
}

impl fmt::Display for NotHeld<'_, '_> {
    fn fmt(&self, w: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = &self.cond.status_list;
        let date = self.f.term.reference;
        w.write_str(&self.cond.not_held)?;
        write!(w, " on {}", Ymd(date))?;
        match self.f.household {
            None => w.write_str(": no household on record"),
            Some(h) => {
                let mut details = list.iter().filter_map(|k| status_detail(h, *k, date)).peekable();
                if details.peek().is_none() {
                    write!(w, ": household {} has no such status on record", h.id)
                } else {
                    w.write_str(": ")?;
                    for (i, d) in details.enumerate() {
                        if i > 0 {
                            w.write_str("; ")?;
                        }
                        w.write_str(&d)?;
                    }
                    Ok(())
                }
            }
        }
    }
}

/// Items written one after another with a separator between them.
pub(super) struct Join<I>(pub(super) I, pub(super) &'static str);

impl<I> fmt::Display for Join<I>
where
    I: Iterator + Clone,
    I::Item: fmt::Display,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.0.clone().enumerate() {
            if i > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "{x}")?;
        }
        Ok(())
    }
}

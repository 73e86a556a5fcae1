//! Progress on stderr: a bar on a terminal; when stderr is not a terminal
//! (a log file, a pipe, a scheduled task), a plain line every few seconds,
//! so that a long run is never silent. Nothing when the run is quiet. And a
//! roster wrapper that advances a meter as students are visited, and the
//! loading of a roster with a meter.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use eduaid::model::convert::clamped;
use eduaid::model::{Linked, Roster, Student, Watch, Watched};
use indicatif::{ProgressBar, ProgressStyle};

use crate::common::Ctx;

/// How often a progress line is written when stderr is not a terminal.
const EVERY: Duration = Duration::from_secs(5);

/// Progress of one step: a bar on a terminal, lines every [`EVERY`]
/// elsewhere, or nothing.
#[derive(Debug)]
pub(crate) struct Meter {
    bar: ProgressBar,
    lines: Option<Lines>,
}

/// The plain lines of a meter when stderr is not a terminal.
#[derive(Debug)]
struct Lines {
    message: String,
    /// The whole, if known (0: unknown).
    len: u64,
    zh: bool,
    done: Cell<u64>,
    last: Cell<Instant>,
    start: Instant,
}

impl Lines {
    fn tick(&self) {
        let now = Instant::now();
        if now.duration_since(self.last.get()) < EVERY {
            return;
        }
        self.last.set(now);
        let done = self.done.get();
        let secs = now.duration_since(self.start).as_secs();
        let line = match (self.len, self.zh) {
            (0, true) => format!("{}：已处理 {done} 行（{secs} 秒）", self.message),
            (0, false) => format!("{}: {done} rows done ({secs} s)", self.message),
            (len, true) => format!(
                "{}：{done} / {len}（{}%，{secs} 秒）",
                self.message,
                done.saturating_mul(100).checked_div(len).unwrap_or(0)
            ),
            (len, false) => format!(
                "{}: {done} / {len} ({}%, {secs} s)",
                self.message,
                done.saturating_mul(100).checked_div(len).unwrap_or(0)
            ),
        };
        errln!("{line}");
    }
}

impl Meter {
    /// Advance by `n` steps.
    pub(crate) fn inc(&self, n: u64) {
        self.bar.inc(n);
        if let Some(l) = &self.lines {
            l.done.set(l.done.get().saturating_add(n));
            l.tick();
        }
    }

    /// Set the steps done.
    pub(crate) fn set_position(&self, n: u64) {
        self.bar.set_position(n);
        if let Some(l) = &self.lines {
            l.done.set(n);
            l.tick();
        }
    }

    /// Remove the bar (a line-writing meter writes nothing more).
    pub(crate) fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// A meter of `len` steps (0 when the whole is not known).
pub(crate) fn bar(len: u64, message: &str, ctx: &Ctx) -> Meter {
    if ctx.quiet {
        return Meter {
            bar: ProgressBar::hidden(),
            lines: None,
        };
    }
    if !std::io::stderr().is_terminal() {
        let now = Instant::now();
        return Meter {
            bar: ProgressBar::hidden(),
            lines: Some(Lines {
                message: message.to_string(),
                len,
                zh: ctx.zh(),
                done: Cell::new(0),
                last: Cell::new(now),
                start: now,
            }),
        };
    }
    let pb = if len == 0 {
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{msg} {pos} ({elapsed})") {
            pb.set_style(style);
        }
        pb.enable_steady_tick(Duration::from_millis(200));
        pb
    } else {
        let pb = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
            pb.set_style(style.progress_chars("=> "));
        }
        pb
    };
    pb.set_message(message.to_string());
    Meter { bar: pb, lines: None }
}

/// What advances a meter as a roster hands over students: each batch of
/// [`Roster::visit_students`], and the students of [`Roster::visit_linked`]
/// 4 096 at a time, not one by one.
#[derive(Debug)]
pub(crate) struct Tick<'a> {
    bar: &'a Meter,
    seen: Cell<u64>,
}

impl Watch for Tick<'_> {
    fn batch(&self, students: &[Student]) {
        self.bar.inc(clamped::<_, u64>(students.len()));
    }

    fn linked(&self, _: &Linked<'_>) {
        let seen = self.seen.get() + 1;
        if seen == 4096 {
            self.bar.inc(seen);
            self.seen.set(0);
        } else {
            self.seen.set(seen);
        }
    }

    fn linked_done(&self) {
        self.bar.inc(self.seen.replace(0));
    }
}

/// A roster that advances `bar` by the students visited; every method is
/// forwarded, so a roster's own faster way is kept under the meter.
pub(crate) type Ticking<'a, R> = Watched<'a, R, Tick<'a>>;

/// `inner`, advancing `bar` by the students visited.
pub(crate) fn ticking<'a, R: Roster + ?Sized>(inner: &'a R, bar: &'a Meter) -> Ticking<'a, R> {
    Watched {
        inner,
        watch: Tick {
            bar,
            seen: Cell::new(0),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use eduaid::model::{Household, HouseholdId, RosterError, School, SchoolId, Visit};
    use eduaid::sample::Generator;

    /// A roster whose own `visit_linked` is marked, to see that the
    /// wrapper uses it rather than the trait's default.
    struct Joined(Generator, Cell<u32>);

    impl Roster for Joined {
        fn visit_students(&self, visit: &mut dyn FnMut(&[Student]) -> Visit) -> Result<(), RosterError> {
            self.0.visit_students(visit)
        }
        fn school(&self, id: &SchoolId) -> Result<Option<Cow<'_, School>>, RosterError> {
            self.0.school(id)
        }
        fn household(&self, id: &HouseholdId) -> Result<Option<Cow<'_, Household>>, RosterError> {
            self.0.household(id)
        }
        fn visit_linked(&self, visit: &mut dyn FnMut(Linked<'_>) -> Visit) -> Result<(), RosterError> {
            self.1.set(self.1.get() + 1);
            self.0.visit_linked(visit)
        }
    }

    #[test]
    fn the_meter_forwards_visit_linked_and_counts_every_student() {
        let roster = Joined(Generator::new(10_000, 7), Cell::new(0));
        let meter = Meter {
            bar: ProgressBar::hidden(),
            lines: None,
        };
        let ticking = ticking(&roster, &meter);
        let mut n = 0u64;
        ticking
            .visit_linked(&mut |_| {
                n += 1;
                Visit::Continue(())
            })
            .unwrap();
        assert_eq!(roster.1.get(), 1, "the roster's own visit_linked was used");
        assert_eq!(n, 10_000);
        assert_eq!(meter.bar.position(), n);
    }
}

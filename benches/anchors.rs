//! The engine on the anchors roster (issue 12): the synthetic county of
//! `shared/bench/anchors/` converted to eduaid's CSV, under the anchors'
//! eight spring-2021 programs (`anchors-2021.toml`, an overlay on the
//! national catalogue), reported per student so it reads beside the
//! hand-written baseline's `per_student_ns`.
//!
//! The roster is not committed: `scripts/anchors.sh` generates and converts
//! it (and builds and runs the baseline beside this bench). Point
//! `EDUAID_ANCHORS_DIR` at a folder holding one or more converted rosters
//! as subfolders `realistic`, `leave`, `schools` (each with `schools.csv`
//! and `students.csv`); without it, or without any of them, the bench says
//! so and measures nothing.
//!
//! For each roster, in one run:
//! - `stream`: [`Engine::totals`] on the loaded roster (each student read
//!   through `Roster::visit_linked` and evaluated on its packed word);
//! - `packed`: [`Engine::totals_packed`] on a [`PackedRoster`] built once
//!   (the columnar table; its build is timed apart, as `pack`);
//! - `traces` (realistic roster only): [`Engine::run`] with traces.
//!
//! Before timing, the grand total is checked against the baseline's
//! (seed 42: 326 660 122.50 yuan at 1M students) when `EDUAID_ANCHORS_TOTAL`
//! gives it, and the three ways must agree with each other.
//!
//! `EDUAID_ANCHORS_DIR=/path cargo bench -p eduaid --bench anchors`
//!
//! With `EDUAID_ANCHORS_ROUNDS=R` the bench skips criterion and prints, for
//! each roster, one JSON line with the median and the fastest of R timed
//! runs of each way, in ns per student (what `scripts/anchors.sh` reads,
//! beside the baseline's own median). `EDUAID_ANCHORS_ONLY=packed`,
//! `stream` or `traces` times that way alone (for a profiler);
//! `EDUAID_ANCHORS_SHOW=K` prints every trace of the first K students
//! and times nothing (the text a change must keep).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use eduaid::eligibility::{Engine, PackedRoster, Policy, Row, RunOptions};
use eduaid::io::{ReadOptions, RosterFiles, load_roster};
use eduaid::model::{MemoryRoster, Money, Term};

const OVERLAY: &str = include_str!("../crates/eligibility/tests/data/anchors-2021.toml");

fn load(dir: &Path) -> Result<MemoryRoster, Box<dyn std::error::Error>> {
    let t0 = Instant::now();
    let schools = dir.join("schools.csv");
    let students = dir.join("students.csv");
    let loaded = load_roster(
        RosterFiles::new(schools.as_path(), students.as_path()),
        &ReadOptions::default(),
    )?;
    eprintln!(
        "anchors: loaded {} in {:.2} s",
        dir.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(loaded.roster)
}

fn grand(t: &eduaid::eligibility::Totals) -> Money {
    t.programs.iter().map(|p| p.total.amount).sum()
}

fn run(c: &mut Criterion) -> Result<(), Box<dyn std::error::Error>> {
    let Some(base) = std::env::var_os("EDUAID_ANCHORS_DIR").map(PathBuf::from) else {
        eprintln!("anchors bench: EDUAID_ANCHORS_DIR is not set; run scripts/anchors.sh to generate the rosters");
        return Ok(());
    };
    let engine = Engine::new(Policy::builtin_with("anchors-2021.toml", OVERLAY)?);
    let spring: Term = "2021-spring".parse()?;
    let want: Option<Money> = std::env::var("EDUAID_ANCHORS_TOTAL").ok().and_then(|v| v.parse().ok());
    let mut found = false;
    for name in ["realistic", "leave", "schools"] {
        let dir = base.join(name);
        if !dir.join("students.csv").is_file() {
            eprintln!("anchors bench: no {} roster; skipped", dir.display());
            continue;
        }
        found = true;
        // EDUAID_ANCHORS_ONLY=load times loading only: the median and the
        // fastest of R loads, in seconds (JSON, for scripts/anchors.sh).
        if std::env::var("EDUAID_ANCHORS_ONLY").is_ok_and(|v| v == "load") {
            let rounds = std::env::var("EDUAID_ANCHORS_ROUNDS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(3)
                .max(1);
            let mut ms: Vec<u128> = Vec::new();
            for _ in 0..rounds {
                let t0 = Instant::now();
                black_box(load(&dir)?);
                ms.push(t0.elapsed().as_millis());
            }
            ms.sort_unstable();
            let (med, min) = (ms[ms.len() / 2], ms[0]);
            println!(
                "{{\"roster\":\"{name}\",\"rounds\":{rounds},\"load_s\":{}.{:03},\"load_min_s\":{}.{:03}}}",
                med / 1000,
                med % 1000,
                min / 1000,
                min % 1000
            );
            continue;
        }
        let roster = load(&dir)?;
        let n = roster.students().len() as u64;
        // EDUAID_ANCHORS_SHOW=K prints every trace (`Display`) of the
        // first K students and stops: the text a change must keep.
        if let Some(k) = std::env::var("EDUAID_ANCHORS_SHOW")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            show(&engine, &roster, spring, k)?;
            continue;
        }
        let t0 = Instant::now();
        let packed = PackedRoster::new(&roster)?;
        eprintln!(
            "anchors: {name}: packed {n} students in {:.3} s",
            t0.elapsed().as_secs_f64()
        );
        let streamed = engine.totals(&roster, &[spring])?;
        let on_table = engine.totals_packed(&packed, &[spring])?;
        if streamed != on_table {
            return Err(format!("{name}: the packed table's totals differ from the streamed run's").into());
        }
        let total = grand(&streamed);
        eprintln!("anchors: {name}: grand total {total} yuan over {n} students");
        if let Some(w) = want {
            if total != w {
                return Err(format!("{name}: grand total {total}, the baseline's {w}").into());
            }
        }
        if let Some(rounds) = std::env::var("EDUAID_ANCHORS_ROUNDS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            rounds_json(name, n, rounds.max(1), &engine, &roster, &packed, spring);
            continue;
        }
        let mut g = c.benchmark_group(format!("anchors-{name}"));
        g.throughput(Throughput::Elements(n));
        g.sample_size(10);
        g.warm_up_time(Duration::from_millis(500));
        g.measurement_time(Duration::from_secs(6));
        g.bench_function(BenchmarkId::new("engine", "packed"), |b| {
            b.iter(|| black_box(engine.totals_packed(&packed, &[spring]).ok()));
        });
        g.bench_function(BenchmarkId::new("engine", "stream"), |b| {
            b.iter(|| black_box(engine.totals(&roster, &[spring]).ok()));
        });
        g.bench_function(BenchmarkId::new("engine", "pack"), |b| {
            b.iter(|| black_box(PackedRoster::new(&roster).ok()));
        });
        if name == "realistic" {
            g.bench_function(BenchmarkId::new("engine", "traces"), |b| {
                b.iter(|| {
                    let mut steps = 0usize;
                    let mut sink = |r: &Row<'_>| steps += r.trace.map_or(0, |t| t.steps.len());
                    black_box(
                        engine
                            .run(&roster, &[spring], RunOptions::traced(), Some(&mut sink))
                            .ok(),
                    );
                    black_box(steps)
                });
            });
        }
        g.finish();
    }
    if !found {
        eprintln!(
            "anchors bench: no converted roster under {}; run scripts/anchors.sh",
            base.display()
        );
    }
    Ok(())
}

/// Every trace of the first `k` students of `roster` in `term`, in
/// order: entitled programs (as the batch with traces streams them) and
/// the others (as [`Engine::explain`] gives them).
fn show(engine: &Engine, roster: &MemoryRoster, term: Term, k: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut want = std::collections::BTreeMap::new();
    for s in roster.students().iter().take(k) {
        let ex = engine.explain(roster, &s.id, term)?;
        println!("{ex}");
        for (id, _, _, t) in &ex.not_entitled {
            println!("{id}:\n{t}");
        }
        for e in &ex.entitled {
            let t = e.trace.as_ref().map(ToString::to_string).unwrap_or_default();
            want.insert((s.id.clone(), e.program.clone()), t);
        }
    }
    // The same students' traces from a traced batch run over the whole
    // roster (each trace's buffers reused from student to student) must
    // be their explanations' (on stderr: stdout is the text to compare).
    let mut got = std::collections::BTreeMap::new();
    let mut sink = |row: &Row<'_>| {
        let key = (row.student.id.clone(), row.program.id.clone());
        if want.contains_key(&key) {
            got.insert(key, row.trace.map(ToString::to_string).unwrap_or_default());
        }
    };
    engine.run(roster, &[term], RunOptions::traced(), Some(&mut sink))?;
    if got != want {
        return Err(format!(
            "the traced batch run's traces differ from the explanations ({} rows)",
            want.len()
        )
        .into());
    }
    eprintln!(
        "anchors: the traced batch run's {} traces equal the explanations'",
        want.len()
    );
    Ok(())
}

/// Tenths of a nanosecond per student.
#[derive(Clone, Copy)]
struct Ns(u128);

impl std::fmt::Display for Ns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Median and fastest of `rounds` runs of `f`, per student.
fn timed(rounds: usize, n: u64, f: &mut dyn FnMut()) -> (Ns, Ns) {
    let n = u128::from(n.max(1));
    let mut ns: Vec<u128> = (0..rounds)
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_nanos() * 10 / n
        })
        .collect();
    ns.sort_unstable();
    (Ns(ns[ns.len() / 2]), Ns(ns[0]))
}

fn rounds_json(
    name: &str,
    n: u64,
    rounds: usize,
    engine: &Engine,
    roster: &MemoryRoster,
    packed: &PackedRoster,
    spring: Term,
) {
    let terms = [spring];
    // EDUAID_ANCHORS_ONLY=packed|stream|traces times that way only (for
    // profiling).
    let only = std::env::var("EDUAID_ANCHORS_ONLY").ok();
    let one = |way: &str, f: &mut dyn FnMut()| {
        let (med, min) = timed(rounds, n, f);
        println!("{{\"roster\":\"{name}\",\"n\":{n},\"rounds\":{rounds},\"{way}_ns\":{med},\"{way}_min_ns\":{min}}}");
    };
    match only.as_deref() {
        Some("packed") => {
            return one("packed", &mut || {
                black_box(engine.totals_packed(packed, &terms).ok());
            });
        }
        Some("stream") => {
            return one("stream", &mut || {
                black_box(engine.totals(roster, &terms).ok());
            });
        }
        Some("traces") => {
            return one("traces", &mut || {
                let mut steps = 0usize;
                let mut sink = |r: &Row<'_>| steps += r.trace.map_or(0, |t| t.steps.len());
                black_box(engine.run(roster, &terms, RunOptions::traced(), Some(&mut sink)).ok());
                black_box(steps);
            });
        }
        _ => {}
    }
    let (packed_med, packed_min) = timed(rounds, n, &mut || {
        black_box(engine.totals_packed(packed, &terms).ok());
    });
    let (stream_med, stream_min) = timed(rounds, n, &mut || {
        black_box(engine.totals(roster, &terms).ok());
    });
    let (pack_med, pack_min) = timed(rounds.min(5), n, &mut || {
        black_box(PackedRoster::new(roster).ok());
    });
    let (traces_med, traces_min) = if name == "realistic" {
        timed(rounds.min(3), n, &mut || {
            let mut steps = 0usize;
            let mut sink = |r: &Row<'_>| steps += r.trace.map_or(0, |t| t.steps.len());
            black_box(engine.run(roster, &terms, RunOptions::traced(), Some(&mut sink)).ok());
            black_box(steps);
        })
    } else {
        (Ns(0), Ns(0))
    };
    println!(
        "{{\"roster\":\"{name}\",\"n\":{n},\"rounds\":{rounds},\"packed_ns\":{packed_med},\"packed_min_ns\":{packed_min},\"stream_ns\":{stream_med},\"stream_min_ns\":{stream_min},\"pack_ns\":{pack_med},\"pack_min_ns\":{pack_min},\"traces_ns\":{traces_med},\"traces_min_ns\":{traces_min}}}"
    );
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if let Err(e) = run(&mut c) {
        eprintln!("anchors bench failed: {e}");
        std::process::exit(1);
    }
    c.final_summary();
}

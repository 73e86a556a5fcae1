//! Loading a roster from Parquet against loading it from CSV (issue 12,
//! "A Parquet input"): the anchors roster (`scripts/anchors.sh`, the
//! `realistic` one by default) converted once to typed Parquet files, then
//! both loaded into a [`MemoryRoster`](eduaid::model::MemoryRoster) with
//! [`load_roster`] in the same run.
//!
//! `EDUAID_ANCHORS_DIR` names the folder of converted rosters (as for the
//! `anchors` bench: subfolders with `schools.csv` and `students.csv`);
//! `EDUAID_PARQUET_DIR` the folder the Parquet files are written to (once:
//! a `<roster>/students.parquet` newer than its CSV is reused), default
//! `<EDUAID_ANCHORS_DIR>/parquet`. `EDUAID_PARQUET_ROSTER` picks the roster
//! (default `realistic`).
//!
//! The Parquet files are what a data centre's tools write: one row group of
//! `EDUAID_PARQUET_GROUP_ROWS` rows (default 131 072) after another, pages
//! snappy-compressed with dictionaries, each column in the type of its
//! values (docs/file-formats.md section 9): `grade` INT32, dates
//! `INT32 (DATE)`, yes/no columns BOOLEAN, amounts `INT64 (DECIMAL(12, 2))`,
//! ids, names and codes `BYTE_ARRAY (STRING)`; an empty CSV cell is a null.
//!
//! Before timing, both loads must give the same students, schools, load
//! reports and warnings.
//!
//! ```text
//! EDUAID_ANCHORS_DIR=/path/sets-1000000 EDUAID_PARQUET_DIR=/path/parquet \
//!     cargo bench -p eduaid --features parquet --bench parquet_load
//! ```
//!
//! With `EDUAID_ANCHORS_ROUNDS=R` the bench skips criterion and loads the
//! roster R times from each format, alternating (CSV, Parquet, CSV, …),
//! and prints one JSON line with the median and the fastest of each, in
//! seconds, and the median CPU time of each (user and system, from
//! `/proc/self/stat`: steadier than the wall clock on a busy machine). `EDUAID_ANCHORS_ONLY=csv` or `parquet` loads once from that
//! format and times nothing else (for callgrind; the conversion and the
//! check are skipped when the files exist).

use std::hint::black_box;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput};
use eduaid::io::{FileKind, LoadedRoster, ReadOptions, RosterFiles, ValueType, load_roster};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One column of the Parquet file being written: its type, and the values
/// of the current row group.
enum Values {
    Text(Vec<Option<ByteArray>>),
    Date(Vec<Option<i32>>),
    Int(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
    Fen(Vec<Option<i64>>),
}

impl Values {
    fn for_value(v: Option<ValueType>) -> Values {
        match v {
            Some(ValueType::Date) => Values::Date(Vec::new()),
            Some(ValueType::Grade | ValueType::Count) => Values::Int(Vec::new()),
            Some(ValueType::YesNo) => Values::Bool(Vec::new()),
            Some(ValueType::Money) => Values::Fen(Vec::new()),
            _ => Values::Text(Vec::new()),
        }
    }

    fn decl(&self, name: &str) -> String {
        match self {
            Values::Text(_) => format!("optional binary {name} (STRING)"),
            Values::Date(_) => format!("optional int32 {name} (DATE)"),
            Values::Int(_) => format!("optional int32 {name}"),
            Values::Bool(_) => format!("optional boolean {name}"),
            Values::Fen(_) => format!("optional int64 {name} (DECIMAL(12, 2))"),
        }
    }

    /// Add the CSV cell `cell` (row `line`, column `name`).
    fn push(&mut self, cell: &str, line: usize, name: &str) -> Res<()> {
        let bad = |what: &str| format!("line {line}: column {name}: {cell:?} is not {what}");
        let some = !cell.is_empty();
        match self {
            Values::Text(v) => v.push(some.then(|| ByteArray::from(cell))),
            Values::Date(v) => v.push(if some {
                let d: NaiveDate = cell.parse().map_err(|_| bad("a date"))?;
                Some(i32::try_from(d.signed_duration_since(NaiveDate::default()).num_days())?)
            } else {
                None
            }),
            Values::Int(v) => v.push(if some {
                Some(cell.parse().map_err(|_| bad("a number"))?)
            } else {
                None
            }),
            Values::Bool(v) => v.push(match cell {
                "" => None,
                "true" => Some(true),
                "false" => Some(false),
                _ => return Err(bad("true or false").into()),
            }),
            Values::Fen(v) => v.push(if some {
                let d: rust_decimal::Decimal = cell.parse().map_err(|_| bad("an amount"))?;
                let fen = (d * rust_decimal::Decimal::ONE_HUNDRED).normalize();
                Some(i64::try_from(fen).map_err(|_| bad("an amount in whole fen"))?)
            } else {
                None
            }),
        }
        Ok(())
    }

    /// Write the row group's values as the next column, and clear them.
    fn write<W: std::io::Write + Send>(
        &mut self,
        g: &mut parquet::file::writer::SerializedRowGroupWriter<'_, W>,
    ) -> Res<()> {
        let mut cw = g.next_column()?.ok_or("fewer columns than the schema")?;
        macro_rules! put {
            ($t:ty, $v:expr) => {{
                let defs: Vec<i16> = $v.iter().map(|x| i16::from(x.is_some())).collect();
                let vals: Vec<_> = $v.drain(..).flatten().collect();
                cw.typed::<$t>().write_batch(&vals, Some(&defs), None)?;
            }};
        }
        match self {
            Values::Text(v) => put!(ByteArrayType, v),
            Values::Date(v) | Values::Int(v) => put!(Int32Type, v),
            Values::Bool(v) => put!(BoolType, v),
            Values::Fen(v) => put!(Int64Type, v),
        }
        cw.close()?;
        Ok(())
    }
}

/// Write the CSV file `csv` of `kind` (no quoted cells, as the anchors
/// roster is) as the Parquet file `out`, `group_rows` rows to a row group.
fn convert(kind: FileKind, csv: &Path, out: &Path, group_rows: usize) -> Res<u64> {
    let mut lines = std::io::BufReader::new(std::fs::File::open(csv)?).lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("an empty csv file")??
        .split(',')
        .map(String::from)
        .collect();
    let mut cols: Vec<Values> = header
        .iter()
        .map(|h| Values::for_value(kind.columns().iter().find(|c| c.name == h).map(|c| c.value)))
        .collect();
    let decls: Vec<String> = cols.iter().zip(&header).map(|(c, h)| c.decl(h)).collect();
    let schema = Arc::new(parse_message_type(&format!(
        "message roster {{ {}; }}",
        decls.join("; ")
    ))?);
    let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
    let tmp = out.with_extension("parquet.part");
    let mut w = SerializedFileWriter::new(std::fs::File::create(&tmp)?, schema, Arc::new(props))?;
    let mut rows = 0u64;
    let mut in_group = 0usize;
    for (i, line) in lines.enumerate() {
        let line = line?;
        if line.is_empty() {
            continue;
        }
        let mut cells = line.split(',');
        for (c, name) in cols.iter_mut().zip(&header) {
            c.push(cells.next().unwrap_or(""), i + 1, name)?;
        }
        rows += 1;
        in_group += 1;
        if in_group == group_rows {
            let mut g = w.next_row_group()?;
            for c in &mut cols {
                c.write(&mut g)?;
            }
            g.close()?;
            in_group = 0;
        }
    }
    if in_group > 0 {
        let mut g = w.next_row_group()?;
        for c in &mut cols {
            c.write(&mut g)?;
        }
        g.close()?;
    }
    w.close()?;
    std::fs::rename(&tmp, out)?;
    Ok(rows)
}

/// True if `out` exists and is newer than `src`.
fn fresh(out: &Path, src: &Path) -> bool {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    matches!((m(out), m(src)), (Some(o), Some(s)) if o >= s)
}

/// The roster's files in one format.
struct Files {
    schools: PathBuf,
    students: PathBuf,
}

impl Files {
    fn load(&self) -> Res<LoadedRoster> {
        Ok(load_roster(
            RosterFiles::new(self.schools.as_path(), self.students.as_path()),
            &ReadOptions::default(),
        )?)
    }
}

/// Both loads agree: students, schools, reports (counts and warnings).
fn same(csv: &LoadedRoster, pq: &LoadedRoster) -> Res<()> {
    for (what, a, b) in [
        ("students", &csv.students, &pq.students),
        ("schools", &csv.schools, &pq.schools),
    ] {
        if (a.read, a.accepted, a.rejected) != (b.read, b.accepted, b.rejected) {
            return Err(format!("{what}: the counts differ: csv {a}, parquet {b}").into());
        }
        let w = |r: &eduaid::io::LoadReport| {
            r.warnings
                .iter()
                .map(|w| (w.line, w.message.clone()))
                .collect::<Vec<_>>()
        };
        if w(a) != w(b) {
            return Err(format!("{what}: the warnings differ").into());
        }
    }
    if csv.roster.students() != pq.roster.students() {
        return Err("the students differ".into());
    }
    if !csv.roster.schools().eq(pq.roster.schools()) {
        return Err("the schools differ".into());
    }
    Ok(())
}

/// The CPU time (user and system) this process has used, in hundredths of
/// a second, from `/proc/self/stat` (Linux; `None` elsewhere): on a busy
/// machine a load's CPU time varies less than its wall-clock time.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses).
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut f = rest.split(' ').skip(11);
    // USER_HZ is 100 on every Linux the project builds for.
    Some(f.next()?.parse::<u64>().ok()? + f.next()?.parse::<u64>().ok()?)
}

fn seconds(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0])
}

fn run(c: &mut Criterion) -> Res<()> {
    let Some(base) = std::env::var_os("EDUAID_ANCHORS_DIR").map(PathBuf::from) else {
        eprintln!("parquet_load bench: EDUAID_ANCHORS_DIR is not set; run scripts/anchors.sh to generate the rosters");
        return Ok(());
    };
    let name = std::env::var("EDUAID_PARQUET_ROSTER").unwrap_or_else(|_| "realistic".into());
    let dir = base.join(&name);
    let csv = Files {
        schools: dir.join("schools.csv"),
        students: dir.join("students.csv"),
    };
    if !csv.students.is_file() {
        eprintln!("parquet_load bench: no {}; skipped", csv.students.display());
        return Ok(());
    }
    let out = std::env::var_os("EDUAID_PARQUET_DIR")
        .map_or_else(|| base.join("parquet"), PathBuf::from)
        .join(&name);
    std::fs::create_dir_all(&out)?;
    let pq = Files {
        schools: out.join("schools.parquet"),
        students: out.join("students.parquet"),
    };
    let group_rows = std::env::var("EDUAID_PARQUET_GROUP_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(131_072usize)
        .max(1);
    for (kind, from, to) in [
        (FileKind::Schools, &csv.schools, &pq.schools),
        (FileKind::Students, &csv.students, &pq.students),
    ] {
        if !fresh(to, from) {
            let t0 = Instant::now();
            let rows = convert(kind, from, to, group_rows)?;
            eprintln!(
                "parquet_load: wrote {} ({rows} rows, {} bytes) in {:.1} s",
                to.display(),
                std::fs::metadata(to)?.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
    match std::env::var("EDUAID_ANCHORS_ONLY").as_deref() {
        Ok("csv") => {
            black_box(csv.load()?);
            return Ok(());
        }
        Ok("parquet") => {
            black_box(pq.load()?);
            return Ok(());
        }
        _ => {}
    }
    let t0 = Instant::now();
    let from_csv = csv.load()?;
    let t1 = Instant::now();
    let from_pq = pq.load()?;
    eprintln!(
        "parquet_load: {name}: csv {:.2} s, parquet {:.2} s (first loads)",
        (t1 - t0).as_secs_f64(),
        t1.elapsed().as_secs_f64()
    );
    same(&from_csv, &from_pq)?;
    let n = from_csv.roster.students().len() as u64;
    drop((from_csv, from_pq));
    if let Some(rounds) = std::env::var("EDUAID_ANCHORS_ROUNDS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let (mut c_s, mut p_s, mut c_cpu, mut p_cpu) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds.max(1) {
            for (files, wall, cpu) in [(&csv, &mut c_s, &mut c_cpu), (&pq, &mut p_s, &mut p_cpu)] {
                let (t0, cpu0) = (Instant::now(), cpu_ticks());
                black_box(files.load()?);
                wall.push(t0.elapsed().as_secs_f64());
                if let (Some(a), Some(b)) = (cpu0, cpu_ticks()) {
                    cpu.push(b.saturating_sub(a));
                }
            }
        }
        let ((cm, cf), (pm, pf)) = (seconds(c_s), seconds(p_s));
        let cpu = if c_cpu.is_empty() || p_cpu.is_empty() {
            String::new()
        } else {
            let median = |mut v: Vec<u64>| {
                v.sort_unstable();
                let t = v[v.len() / 2];
                format!("{}.{:02}", t / 100, t % 100)
            };
            format!(",\"csv_cpu_s\":{},\"parquet_cpu_s\":{}", median(c_cpu), median(p_cpu))
        };
        println!(
            "{{\"roster\":\"{name}\",\"students\":{n},\"rounds\":{rounds},\"csv_s\":{cm:.3},\"csv_min_s\":{cf:.3},\"parquet_s\":{pm:.3},\"parquet_min_s\":{pf:.3}{cpu}}}"
        );
        return Ok(());
    }
    let mut g = c.benchmark_group(format!("load-{name}"));
    g.throughput(Throughput::Elements(n));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(20));
    g.bench_function(BenchmarkId::new("load", "csv"), |b| {
        b.iter(|| black_box(csv.load().ok()));
    });
    g.bench_function(BenchmarkId::new("load", "parquet"), |b| {
        b.iter(|| black_box(pq.load().ok()));
    });
    g.finish();
    Ok(())
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if let Err(e) = run(&mut c) {
        eprintln!("parquet_load bench: {e}");
        std::process::exit(1);
    }
    c.final_summary();
}

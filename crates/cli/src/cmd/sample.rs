//! `eduaid sample`: the sample county, or a larger generated one, written
//! as files in the io crate's formats so every other command can be tried
//! on them.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use eduaid::io::{Encoding, Headers, WriteOptions};
use eduaid::model::convert::clamped;
use eduaid::model::{Counts, Disbursement, Household, Roster, School, SchoolYear, Student};
use eduaid::sample::{Generator, PlantedFault};

use crate::cli::{SampleArgs, SampleFormat};
use crate::common::{Ctx, Status};
use crate::{output, progress};

/// What is written.
struct County {
    name: String,
    schools: Vec<School>,
    /// The students, unless they were streamed to the file as generated.
    students: Vec<Student>,
    /// How many students the county has.
    student_count: usize,
    households: Vec<Household>,
    disbursements: Vec<Disbursement>,
    counts: Counts,
    faults: Vec<PlantedFault>,
}

/// Run the command.
pub(crate) fn run(args: &SampleArgs, ctx: &Ctx) -> anyhow::Result<Status> {
    let (ext, opts) = write_options(args)?;
    let path = |stem: &str| -> PathBuf { args.out.join(format!("{stem}.{ext}")) };
    // Before generating: the folder exists and takes a new file.
    output::guard_outputs(&[path("students")], &[])?;
    // A generated county's students stream to their file as they are
    // generated (committed before the other files); the sample county's
    // are written below.
    let county = match args.students {
        None => sample_county()?,
        Some(n) => {
            let mut w = eduaid::io::StudentWriter::create(&path("students"), &opts)?;
            let c = generated(n, args.seed, ctx, &mut w)?;
            w.finish()?;
            c
        }
    };
    let streamed = args.students.is_some();
    let mut written: Vec<(PathBuf, usize)> = Vec::new();
    let mut put = |stem: &str, n: usize, f: &dyn Fn(&Path) -> Result<(), eduaid::io::Error>| -> anyhow::Result<()> {
        let p = path(stem);
        f(&p)?;
        written.push((p, n));
        Ok(())
    };
    put("schools", county.schools.len(), &|p| {
        eduaid::io::write_schools(p, &county.schools, &opts)
    })?;
    let classes: usize = county.schools.iter().map(|s| s.classes.len()).sum();
    if classes > 0 {
        put("classes", classes, &|p| {
            eduaid::io::write_classes(p, &county.schools, &opts)
        })?;
    }
    put("students", county.student_count, &|p| {
        if streamed {
            Ok(())
        } else {
            eduaid::io::write_students(p, &county.students, &opts)
        }
    })?;
    put("households", county.households.len(), &|p| {
        eduaid::io::write_households(p, &county.households, &opts)
    })?;
    if !county.disbursements.is_empty() {
        put("disbursements", county.disbursements.len(), &|p| {
            eduaid::io::write_disbursements(p, &county.disbursements, &opts)
        })?;
    }
    let c = &county.counts;
    if !c.grades.is_empty() {
        put("grade_counts", c.grades.len(), &|p| {
            eduaid::io::write_grade_counts(p, &c.grades, &opts)
        })?;
    }
    if !c.population.is_empty() {
        put("population", c.population.len(), &|p| {
            eduaid::io::write_population(p, &c.population, &opts)
        })?;
    }
    if !c.disabled.is_empty() {
        put("disabled", c.disabled.len(), &|p| {
            eduaid::io::write_disabled(p, &c.disabled, &opts)
        })?;
    }
    if !c.teachers.is_empty() {
        put("teachers", c.teachers.len(), &|p| {
            eduaid::io::write_teachers(p, &c.teachers, &opts)
        })?;
    }
    if !streamed {
        loans_and_cited(&args.out, ext, opts.headers, &mut written)?;
    }
    if !county.faults.is_empty() {
        let p = args.out.join("planted_faults.json");
        let text = serde_json::to_string_pretty(&county.faults)?;
        eduaid::io::write_file_atomically(&p, text.as_bytes())?;
        written.push((p, county.faults.len()));
    }
    print_written(ctx, &county, &written)?;
    Ok(Status::Clean)
}

/// The files' extension and how they are written, by the chosen format.
fn write_options(args: &SampleArgs) -> anyhow::Result<(&'static str, WriteOptions)> {
    let (ext, encoding) = match args.format {
        SampleFormat::Csv => ("csv", Encoding::Utf8),
        SampleFormat::Gbk => ("csv", Encoding::Gb18030),
        SampleFormat::Xlsx => ("xlsx", Encoding::Utf8),
        SampleFormat::Json => ("json", Encoding::Utf8),
        SampleFormat::Jsonl => ("jsonl", Encoding::Utf8),
    };
    let opts = WriteOptions {
        format: None,
        headers: if args.chinese {
            Headers::Chinese
        } else {
            Headers::English
        },
        encoding,
        bom: true, // UTF-8 CSV starts with a BOM, so that Chinese Excel opens it as UTF-8
        // A Chinese program column names the programs as the national policy does.
        programs: eduaid::eligibility::Policy::national()?.catalogue()?,
    };
    Ok((ext, opts))
}

/// The sample county's loans and the seed report's cited figures, beside
/// its records.
fn loans_and_cited(out: &Path, ext: &str, headers: Headers, written: &mut Vec<(PathBuf, usize)>) -> anyhow::Result<()> {
    // The sample county's student loans, 2014-2017 (CSV in UTF-8, or
    // xlsx): what the report's loan sentence and `eduaid loans` read.
    let loans = eduaid::sample::loans()?;
    let p = out.join(if ext == "xlsx" { "loans.xlsx" } else { "loans.csv" });
    eduaid::io::write_loans(&p, &loans, headers)?;
    written.push((p, loans.len()));
    // The seed report's cited figures (引用数据), which no record gives:
    // with them `eduaid report --data` on this folder writes the full
    // report (CSV in UTF-8 with a BOM whatever the format, as the
    // report reads it).
    let p = out.join("cited.csv");
    eduaid::io::write_file_atomically(&p, eduaid::county_report::SAMPLE_CITED_CSV.as_bytes())?;
    let rows = eduaid::county_report::SAMPLE_CITED_CSV
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    written.push((p, rows));
    Ok(())
}

/// What was written, file by file with its number of records (JSON with
/// `--json`).
fn print_written(ctx: &Ctx, county: &County, written: &[(PathBuf, usize)]) -> anyhow::Result<()> {
    if ctx.json {
        let files: Vec<serde_json::Value> = written
            .iter()
            .map(|(p, n)| serde_json::json!({ "file": p.display().to_string(), "records": n }))
            .collect();
        ctx.print_json(&serde_json::json!({ "county": county.name, "files": files }))?;
    } else {
        outln!(
            "{} {}: {} {}",
            ctx.t("wrote", "已生成"),
            county.name,
            county.student_count,
            ctx.t("students", "名学生")
        );
        for (p, n) in written {
            outln!("  {}  ({n})", p.display());
        }
    }
    Ok(())
}

/// The sample county, its records in a stable order.
fn sample_county() -> anyhow::Result<County> {
    let c = eduaid::sample::try_county()?;
    let mut schools: Vec<School> = c.roster.schools().cloned().collect();
    schools.sort_by(|a, b| a.id.cmp(&b.id));
    let mut households: Vec<Household> = c
        .roster
        .households()
        .filter(|h| !h.statuses.is_empty())
        .cloned()
        .collect();
    households.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(County {
        name: c.name.clone(),
        schools,
        students: c.roster.students().to_vec(),
        student_count: c.roster.students().len(),
        households,
        disbursements: c.disbursements,
        counts: c.counts,
        faults: c.planted_faults,
    })
}

/// A generated county of `n` students, with grade counts of 2016-17
/// derived from its roster; the students are written to `students` batch
/// by batch, never all held.
fn generated(n: u64, seed: u64, ctx: &Ctx, students: &mut eduaid::io::StudentWriter) -> anyhow::Result<County> {
    let g = Generator::new(n, seed);
    let bar = progress::bar(n, ctx.t("generating", "生成中"), ctx);
    let mut household_ids = BTreeSet::new();
    let mut count = 0usize;
    let mut failed: Option<eduaid::io::Error> = None;
    g.visit_students(&mut |batch| {
        for s in batch {
            if let Some(h) = &s.household_id {
                household_ids.insert(h.clone());
            }
        }
        if let Err(e) = students.write(batch) {
            failed = Some(e);
            return ControlFlow::Break(());
        }
        count += batch.len();
        bar.inc(clamped::<_, u64>(batch.len()));
        ControlFlow::Continue(())
    })?;
    bar.finish_and_clear();
    if let Some(e) = failed {
        return Err(e.into());
    }
    let mut households = Vec::new();
    for id in &household_ids {
        if let Some(h) = g.household(id)? {
            if !h.statuses.is_empty() {
                households.push(h.into_owned());
            }
        }
    }
    let mut schools: Vec<School> = g.schools().collect();
    schools.sort_by(|a, b| a.id.cmp(&b.id));
    let year = SchoolYear::new(2016)?;
    let grades = eduaid::stats::grade_counts_from_roster(&g, year, year.first_day())?;
    Ok(County {
        name: format!("模拟县（{n}名学生，种子{seed}）"),
        schools,
        students: Vec::new(),
        student_count: count,
        households,
        disbursements: Vec::new(),
        counts: Counts {
            grades,
            ..Counts::default()
        },
        faults: Vec::new(),
    })
}

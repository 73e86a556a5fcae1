//! Tables out: to a terminal here; to files through `eduaid-io`
//! ([`eduaid::io::write_sheets`], [`eduaid::io::TableWriter`]), which writes
//! every file atomically and neutralises CSV formulas. And the check every
//! command makes of its output paths before any work.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
pub(crate) use eduaid::io::Val;
use eduaid::io::{TableWritten, display_width};

use crate::cli::DataArgs;
use crate::common::Ctx;
use crate::inputs::{self, CountPaths};

/// A result table ([`eduaid::io::Sheet`]) that the terminal can print too.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sheet(pub(crate) eduaid::io::Sheet);

impl std::ops::Deref for Sheet {
    type Target = eduaid::io::Sheet;
    fn deref(&self) -> &eduaid::io::Sheet {
        &self.0
    }
}

impl Sheet {
    /// An empty sheet.
    pub(crate) fn new(name: &str, header: &[&str]) -> Sheet {
        Sheet(eduaid::io::Sheet::new(name, header))
    }

    /// Add a row.
    pub(crate) fn push(&mut self, row: Vec<Val>) {
        self.0.push(row);
    }

    /// Print the sheet as an aligned table (CJK characters count double).
    pub(crate) fn print(&self) {
        let cells: Vec<Vec<String>> = self.rows.iter().map(|r| r.iter().map(Val::text).collect()).collect();
        let mut widths: Vec<usize> = self.header.iter().map(|h| display_width(h)).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(display_width(c));
                }
            }
        }
        let line = |row: &[String]| {
            let mut s = String::new();
            for (i, c) in row.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                s.push_str(c);
                if i + 1 < row.len() {
                    s.push_str(&" ".repeat(w.saturating_sub(display_width(c)) + 2));
                }
            }
            s
        };
        outln!("{}", line(&self.header));
        for r in &cells {
            outln!("{}", line(r));
        }
    }
}

/// The sheet that says how an output file was made (说明 / about): the
/// policy layers applied, the terms, the program and its version, the
/// input files. For an xlsx or JSON output only: a CSV holds data rows
/// alone (a comment line would be read as a row), so for CSV the same is
/// printed on stderr as the run goes. `items` are (English, Chinese,
/// value).
pub(crate) fn about_sheets(out: &Path, zh: bool, items: &[(&str, &str, String)]) -> Vec<eduaid::io::Sheet> {
    if matches!(eduaid::io::OutKind::of(out), Ok(eduaid::io::OutKind::Csv) | Err(_)) {
        return Vec::new();
    }
    let (name, key, value) = if zh {
        ("说明", "项目", "内容")
    } else {
        ("about", "item", "value")
    };
    let mut s = eduaid::io::Sheet::new(name, &[key, value]);
    let program = format!("eduaid {}", env!("CARGO_PKG_VERSION"));
    let made = [("made by", "生成程序", program)];
    for (en, c, v) in items.iter().map(|(a, b, c)| (*a, *b, c.clone())).chain(made) {
        s.push(vec![Val::from(if zh { c } else { en }), Val::from(v)]);
    }
    vec![s]
}

/// The files a roster's arguments read (those that exist).
pub(crate) fn roster_inputs(data: &DataArgs) -> Vec<PathBuf> {
    let dir = data.data.as_ref();
    [
        inputs::pick(data.schools.as_ref(), dir, "schools"),
        inputs::pick(data.students.as_ref(), dir, "students"),
        inputs::pick(data.households.as_ref(), dir, "households"),
        inputs::pick(data.classes.as_ref(), dir, "classes"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The count files the arguments read.
pub(crate) fn count_inputs(paths: &CountPaths) -> Vec<PathBuf> {
    [&paths.grades, &paths.population, &paths.disabled, &paths.teachers]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
}

/// The policy overlay files among `--policy` values.
pub(crate) fn policy_inputs(policy: &[String]) -> Vec<PathBuf> {
    policy.iter().map(PathBuf::from).filter(|p| p.is_file()).collect()
}

/// The file `path` names, for comparing: canonical if it exists, else its
/// canonical folder joined with its name.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), path.file_name()) {
        (Ok(d), Some(n)) => d.join(n),
        _ => path.to_path_buf(),
    }
}

/// True if `a` and `b` are one file: the same canonical path, or (on Unix)
/// the same device and inode (a hard link).
fn same_file(a: &Path, b: &Path) -> bool {
    if canonical(a) == canonical(b) {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    false
}

/// Check, before any work, the files a command will write: none of them is
/// one of the command's `inputs` (after canonicalisation, hard links
/// included), and each one's folder exists (it is created) and takes a new
/// file.
///
/// # Errors
/// An output that is an input (exit 2, said in Chinese first), or a folder
/// that cannot be created or written.
pub(crate) fn guard_outputs(files: &[PathBuf], inputs: &[PathBuf]) -> anyhow::Result<()> {
    for f in files {
        if let Some(i) = inputs.iter().find(|i| same_file(f, i)) {
            anyhow::bail!(
                "拒绝写入：输出文件 {f} 就是本命令的输入文件 {i}，写入会覆盖输入；请换一个输出文件名或文件夹 \
                 (refused: the output {f} is the input {i} of this command and would replace it; \
                 choose another output name or folder)",
                f = f.display(),
                i = i.display()
            );
        }
    }
    for f in files {
        if let Some(parent) = f.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| parent.display().to_string())?;
        }
        eduaid::io::check_writable(f)?;
    }
    Ok(())
}

/// The table files `--out` means for sheets named `names` (the file, and in
/// CSV its siblings), checked by [`guard_outputs`].
///
/// # Errors
/// An unknown extension, or as [`guard_outputs`].
pub(crate) fn guard_table_out(out: &Path, names: &[&str], inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let files = eduaid::io::table_files(out, names)?;
    guard_outputs(&files, inputs)?;
    Ok(files)
}

/// Say what was written: every file, and the sheets a long sheet continued
/// on.
pub(crate) fn report_written(w: &TableWritten, ctx: &Ctx) {
    for f in &w.files {
        ctx.info(&format!("{} {}", ctx.t("wrote", "已写入"), f.display()));
    }
    if !w.continued.is_empty() {
        let names = w.continued.join(if ctx.zh() { "、" } else { ", " });
        ctx.warn(&if ctx.zh() {
            format!(
                "明细超过 Excel 每个工作表 {} 行的上限，续写在工作表 {names}",
                eduaid::io::XLSX_MAX_ROWS
            )
        } else {
            format!(
                "the rows exceed Excel's limit of {} rows a worksheet: continued on sheet {names}",
                eduaid::io::XLSX_MAX_ROWS
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_by_two_names_is_the_same_file() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("students.csv");
        std::fs::write(&a, "x").unwrap();
        let via_dot = d.path().join(".").join("students.csv");
        assert!(same_file(&a, &via_dot));
        assert!(!same_file(&a, &d.path().join("out.csv")));
        #[cfg(unix)]
        {
            let link = d.path().join("link.csv");
            std::fs::hard_link(&a, &link).unwrap();
            assert!(same_file(&a, &link));
        }
    }
}

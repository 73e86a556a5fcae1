//! The arguments of `sample`.

use super::*;

/// File formats `eduaid sample` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SampleFormat {
    /// CSV, UTF-8.
    Csv,
    /// CSV, GBK (as Chinese Excel saves it).
    Gbk,
    /// Excel workbook.
    Xlsx,
    /// JSON array.
    Json,
    /// JSON Lines.
    Jsonl,
}

/// `eduaid sample`.
#[derive(Debug, Args)]
pub(crate) struct SampleArgs {
    /// Folder to write the files into (created if missing)
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Generate a county of this many students instead of the sample county
    #[arg(long, value_name = "N")]
    pub(crate) students: Option<u64>,
    /// Seed of a generated county
    #[arg(long, default_value_t = 2017, value_name = "SEED")]
    pub(crate) seed: u64,
    /// File format
    #[arg(long, value_enum, default_value = "csv", value_name = "FORMAT")]
    pub(crate) format: SampleFormat,
    /// Write Chinese column headers and values (学籍号, 小学 …)
    #[arg(long)]
    pub(crate) chinese: bool,
}

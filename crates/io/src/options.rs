//! What the caller chooses: format, encoding, limits, headers.

use std::path::Path;

use chrono::NaiveDate;
use eduaid_model::ProgramCatalogue;

use crate::Error;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// Comma-separated values, UTF-8 or GBK/GB18030 (`.csv`, `.txt`).
    Csv,
    /// A JSON array of flat objects (`.json`).
    Json,
    /// JSON Lines: one flat object per line (`.jsonl`, `.ndjson`).
    JsonLines,
    /// An Excel workbook (`.xlsx`, `.xlsm`).
    Xlsx,
    /// Apache Parquet (`.parquet`): read only, and only when eduaid-io is
    /// built with the `parquet` feature (otherwise refused with
    /// [`Error::Unsupported`]).
    Parquet,
}

impl Format {
    /// The format a file name's extension names (case-insensitive).
    ///
    /// # Errors
    /// [`Error::Unsupported`] for `.xls` and `.et` (save them as `.xlsx`),
    /// [`Error::UnknownFormat`] for any other extension.
    pub fn from_path(path: &Path) -> Result<Format, Error> {
        let file = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::JsonLines),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "parquet" => Ok(Format::Parquet),
            "xls" | "et" => Err(Error::Unsupported {
                file,
                reason: format!("the legacy .{ext} workbook format is not read: save the sheet as .xlsx or .csv"),
            }),
            _ => Err(Error::UnknownFormat { file }),
        }
    }
}

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Encoding {
    /// Detect: a UTF-8 BOM means UTF-8; otherwise, if the first 64 KiB are
    /// not valid UTF-8, GB18030 (a superset of GBK and GB2312, what Chinese
    /// Excel writes when it saves "CSV (逗号分隔)"); if they are valid in
    /// both, the decoding whose characters are clearly more plausible
    /// Chinese (common hanzi rather than Cyrillic beside hanzi: the GBK
    /// bytes of `谢宸玥` are the UTF-8 of `л巫h`), with a warning when the
    /// lead is small.
    #[default]
    Auto,
    /// UTF-8, with or without a BOM.
    Utf8,
    /// GB18030, which reads GBK and GB2312 too.
    Gb18030,
}

/// What to do with a header cell that names no known column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnknownColumns {
    /// Ignore the column and report a [`Warning`](crate::Warning) naming it
    /// (the default: county sheets carry 序号, 备注, 联系电话 …).
    #[default]
    Warn,
    /// Refuse the file with [`Error::UnknownColumn`].
    Reject,
}

/// Limits whose excess is an error, so that a wrong or hostile file cannot
/// exhaust memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The largest file read, in bytes ([`Error::TooLarge`]). Default
    /// 4 GiB. Whole-file formats (JSON arrays and `.xlsx`) hold the file in
    /// memory; CSV and JSON Lines are streamed.
    pub max_bytes: u64,
    /// The most data rows read ([`Error::TooManyRows`]); blank rows count
    /// too. Default 50 million.
    pub max_rows: u64,
    /// The longest record (a CSV record, a JSON Lines line), in bytes: a
    /// longer one is a rejected row, refused while it is read, never held
    /// whole (its rest is skipped; inside an open quote, the rest of the
    /// file). Default 16 MiB.
    pub max_record: u64,
    /// Limits on an `.xlsx` archive, checked before it is parsed.
    pub archive: crate::ArchiveLimits,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 4 << 30,
            max_rows: 50_000_000,
            max_record: 16 << 20,
            archive: crate::ArchiveLimits::default(),
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// The format; `None` tells it from the file name's extension.
    pub format: Option<Format>,
    /// The text encoding of CSV files.
    pub encoding: Encoding,
    /// Unknown columns: warn (default) or reject the file.
    pub unknown_columns: UnknownColumns,
    /// Size and row limits.
    pub limits: Limits,
    /// The worksheet to read from an `.xlsx`; `None` reads the first
    /// visible worksheet (a hidden sheet is read only when named).
    pub sheet: Option<String>,
    /// The day a students file's yes/no status columns (建档立卡 = 是,
    /// 低保 = 是 …) speak of, for rows that give no start date: the spell is
    /// taken to hold from this day on. Without it such a row is rejected,
    /// because the model's statuses are dated. See docs/file-formats.md.
    pub status_as_of: Option<NaiveDate>,
    /// The CSV cell separator: `None` (the default) detects it from the
    /// first lines (a tab or `;` when the first line holding a separator
    /// holds no comma, else `,`); `Some(b'\t')`, `Some(b';')` … sets it. An
    /// ASCII byte other than a letter, a digit, `"`, CR and LF; in GB18030
    /// text also below `0x40` (so not `|`), since GB18030's trail bytes
    /// start there.
    pub delimiter: Option<u8>,
    /// The programs a program cell may name by their Chinese name or an
    /// alias (营养改善计划 → `nutrition`), as the policy files give them
    /// (`eduaid_eligibility::Policy::catalogue`). The default, an empty
    /// catalogue, reads a program cell as the id it holds.
    pub programs: ProgramCatalogue,
}

impl ReadOptions {
    /// Default options with the format set explicitly.
    #[must_use]
    pub fn with_format(format: Format) -> ReadOptions {
        ReadOptions {
            format: Some(format),
            ..ReadOptions::default()
        }
    }
}

/// Which header names a writer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Headers {
    /// English snake_case (the model's field names); values as codes
    /// (`primary`, `true`).
    #[default]
    English,
    /// Chinese headers (`学生姓名`, `学段`); values in Chinese (`小学`, `是`).
    Chinese,
}

/// How to write a file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriteOptions {
    /// The format; `None` tells it from the file name's extension.
    pub format: Option<Format>,
    /// English or Chinese headers.
    pub headers: Headers,
    /// CSV encoding: [`Encoding::Gb18030`] writes GB18030 (GBK for every
    /// character GBK has); anything else writes UTF-8.
    pub encoding: Encoding,
    /// Start a UTF-8 CSV with a byte-order mark, so that Excel opens it as
    /// UTF-8 rather than the system code page.
    pub bom: bool,
    /// The programs' Chinese names, which a file with Chinese headers
    /// writes in its program column (`eduaid_eligibility::Policy::catalogue`).
    /// The default, an empty catalogue, writes every program as its id.
    pub programs: ProgramCatalogue,
}

impl WriteOptions {
    /// Options for a CSV that Chinese Excel opens correctly: UTF-8 with a
    /// BOM and Chinese headers.
    #[must_use]
    pub fn excel_csv() -> WriteOptions {
        WriteOptions {
            format: Some(Format::Csv),
            headers: Headers::Chinese,
            encoding: Encoding::Utf8,
            bom: true,
            programs: ProgramCatalogue::new(),
        }
    }
}

//! A table of cells and how it is written as CSV, JSON or JSON Lines.

use super::*;

/// One value to write.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Out {
    Empty,
    Text(String),
    Int(u64),
    Date(NaiveDate),
    Money(Money),
    Bool(bool),
    /// An English code and its Chinese name.
    Code(String, &'static str),
}

pub(super) fn code<T: std::fmt::Display>(v: T, zh: &'static str) -> Out {
    Out::Code(v.to_string(), zh)
}

pub(super) fn opt_date(d: Option<NaiveDate>) -> Out {
    d.map_or(Out::Empty, Out::Date)
}

impl Out {
    pub(super) fn text(&self, headers: Headers) -> String {
        let zh = headers == Headers::Chinese;
        match self {
            Out::Empty => String::new(),
            Out::Text(s) => s.clone(),
            Out::Int(n) => n.to_string(),
            Out::Date(d) => d.format("%Y-%m-%d").to_string(),
            Out::Money(m) => m.as_decimal().normalize().to_string(),
            Out::Bool(b) => match (zh, b) {
                (true, true) => "是".into(),
                (true, false) => "否".into(),
                (false, b) => b.to_string(),
            },
            Out::Code(c, z) => {
                if zh {
                    (*z).to_string()
                } else {
                    c.clone()
                }
            }
        }
    }

    /// The text of a CSV cell: free text that a spreadsheet would take
    /// for a formula is neutralised (see [`crate::csv_safe`]); numbers,
    /// dates and codes are the tool's own and written as they are.
    pub(super) fn csv_text(&self, headers: Headers) -> String {
        match self {
            Out::Text(s) => crate::csv_safe(s).into_owned(),
            other => other.text(headers),
        }
    }

    pub(super) fn json(&self, headers: Headers) -> Option<serde_json::Value> {
        match self {
            Out::Empty => None,
            Out::Int(n) => Some(serde_json::Value::from(*n)),
            Out::Bool(b) => Some(serde_json::Value::Bool(*b)),
            other => Some(serde_json::Value::String(other.text(headers))),
        }
    }
}

/// A table to write: the columns (by English name) and the rows.
pub(super) struct Table {
    pub(super) kind: FileKind,
    pub(super) columns: Vec<&'static Column>,
    pub(super) rows: Vec<Vec<Out>>,
}

impl Table {
    pub(super) fn new(kind: FileKind, names: &[&str]) -> Table {
        let columns = names
            .iter()
            .filter_map(|n| kind.columns().iter().find(|c| c.name == *n))
            .collect();
        Table {
            kind,
            columns,
            rows: Vec::new(),
        }
    }

    pub(super) fn all(kind: FileKind) -> Table {
        Table {
            kind,
            columns: kind.columns().iter().collect(),
            rows: Vec::new(),
        }
    }
}

pub(super) fn write_table(out: Output<'_>, table: &Table, opts: &WriteOptions) -> Result<(), Error> {
    match out {
        Output::Path(p) => {
            let format = match opts.format {
                Some(f) => f,
                None => Format::from_path(p)?,
            };
            let file = p.display().to_string();
            // Written beside the target and renamed over it when complete:
            // an error or a kill leaves the old file.
            crate::write_atomically(p, |w| emit(w, &file, format, table, opts))
        }
        Output::Writer(w) => {
            let Some(format) = opts.format else {
                return Err(Error::UnknownFormat {
                    file: "(writer)".into(),
                });
            };
            emit(w, "(writer)", format, table, opts)
        }
    }
}

pub(super) fn header(c: &Column, headers: Headers) -> &'static str {
    match headers {
        Headers::Chinese => c.chinese,
        _ => c.name,
    }
}

fn emit(w: &mut dyn Write, file: &str, format: Format, table: &Table, opts: &WriteOptions) -> Result<(), Error> {
    let io = |e| Error::io(file, e);
    match format {
        Format::Parquet => Err(crate::parquet_input::not_written(file)),
        Format::Csv => {
            let gbk = opts.encoding == Encoding::Gb18030;
            if opts.bom && !gbk {
                w.write_all(&[0xEF, 0xBB, 0xBF]).map_err(io)?;
            }
            let mut cw = csv::WriterBuilder::new().from_writer(w);
            let enc = |s: &str| -> Vec<u8> {
                if gbk {
                    encoding_rs::GB18030.encode(s).0.into_owned()
                } else {
                    s.as_bytes().to_vec()
                }
            };
            let csv_err = |e: csv::Error| Error::io(file, std::io::Error::other(e.to_string()));
            cw.write_record(table.columns.iter().map(|c| enc(header(c, opts.headers))))
                .map_err(csv_err)?;
            for row in &table.rows {
                cw.write_record(row.iter().map(|v| enc(&v.csv_text(opts.headers))))
                    .map_err(csv_err)?;
            }
            cw.flush().map_err(io)
        }
        Format::Json | Format::JsonLines => {
            let lines = format == Format::JsonLines;
            if !lines {
                w.write_all(b"[").map_err(io)?;
            }
            for (i, row) in table.rows.iter().enumerate() {
                let mut obj = serde_json::Map::new();
                for (c, v) in table.columns.iter().zip(row) {
                    if let Some(j) = v.json(opts.headers) {
                        obj.insert(header(c, opts.headers).to_string(), j);
                    }
                }
                let text = serde_json::to_string(&obj).map_err(|e| Error::io(file, std::io::Error::other(e)))?;
                let sep = match (lines, i) {
                    (true, _) => "",
                    (false, 0) => "\n",
                    (false, _) => ",\n",
                };
                write!(w, "{sep}{text}").map_err(io)?;
                if lines {
                    w.write_all(b"\n").map_err(io)?;
                }
            }
            if !lines {
                w.write_all(b"\n]\n").map_err(io)?;
            }
            Ok(())
        }
        Format::Xlsx => {
            let bytes = xlsx(table, opts.headers).map_err(|e| Error::Xlsx {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
            w.write_all(&bytes).map_err(io)
        }
    }
}

//! The check of a column chunk before the `parquet` crate reads it: the
//! chunk lies inside the file, its codec is one this build reads, and
//! every page header (read here with a small Thrift compact-protocol
//! reader that allocates nothing from what it reads) claims sizes within
//! [`MAX_PAGE_BYTES`], a dictionary of at most [`MAX_DICTIONARY_VALUES`]
//! values, and an encoding whose decoder allocates only what it is given.
//!
//! The crate sizes its buffers from these claims (a page is decompressed
//! into a buffer of its claimed size, a dictionary is resized to its
//! claimed count): checked here, a crafted header cannot make it allocate
//! gigabytes.

use std::io::Read;

use parquet::basic::{Compression, Type as Physical};
use parquet::file::metadata::ColumnChunkMetaData;

use super::{MAX_DICTIONARY_VALUES, MAX_PAGE_BYTES};

/// The longest page header read (statistics in a header can hold values).
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// How deep Thrift structs may nest in a page header.
const MAX_DEPTH: u8 = 16;
/// The page types of the Parquet format.
const DICTIONARY_PAGE: i64 = 2;
/// Encodings whose decoders size a buffer from a count in the page's data
/// (`DELTA_LENGTH_BYTE_ARRAY`, `DELTA_BYTE_ARRAY`): not read.
const UNBOUNDED_ENCODINGS: [(i64, &str); 2] = [(6, "DELTA_LENGTH_BYTE_ARRAY"), (7, "DELTA_BYTE_ARRAY")];

/// The codecs this build reads.
pub(super) fn codec_read(c: Compression) -> bool {
    matches!(c, Compression::UNCOMPRESSED | Compression::SNAPPY)
}

/// Check the chunk `chunk` of a file of `file_len` bytes, reading its page
/// headers through `read_from` (the file's bytes from an offset on).
pub(super) fn check_chunk<'a, F>(
    read_from: &F,
    chunk: &ColumnChunkMetaData,
    file_len: u64,
    _physical: Physical,
) -> Result<(), String>
where
    F: Fn(u64) -> Result<Box<dyn Read + 'a>, String>,
{
    let codec = chunk.compression();
    if !codec_read(codec) {
        return Err(format!(
            "compressed with {codec}, which this build does not read: write the file with SNAPPY \
             compression or none"
        ));
    }
    let start = chunk
        .dictionary_page_offset()
        .unwrap_or_else(|| chunk.data_page_offset());
    let (Ok(start), Ok(len)) = (u64::try_from(start), u64::try_from(chunk.compressed_size())) else {
        return Err("a negative offset or size in the file's metadata".into());
    };
    let end = start.saturating_add(len);
    // Data lies between the leading "PAR1" and the footer's last 8 bytes.
    if start < 4 || end > file_len.saturating_sub(8) {
        return Err(format!(
            "the column chunk (bytes {start} to {end}) lies outside the file's {file_len} bytes: the file is \
             truncated or corrupt"
        ));
    }
    let mut offset = start;
    while offset < end {
        let room = end - offset;
        let mut r = Compact {
            r: read_from(offset)?.take(room.min(MAX_HEADER_BYTES)),
            read: 0,
        };
        let h = r
            .page_header()
            .map_err(|e| format!("the page header at byte {offset}: {e}"))?;
        let at = |what: String| format!("the page at byte {offset}: {what}");
        let (Ok(compressed), Ok(uncompressed)) = (u64::try_from(h.compressed), u64::try_from(h.uncompressed)) else {
            return Err(at("a negative page size".into()));
        };
        if compressed > MAX_PAGE_BYTES || uncompressed > MAX_PAGE_BYTES {
            return Err(at(format!(
                "a page of {} bytes is larger than the {} MiB read",
                compressed.max(uncompressed),
                MAX_PAGE_BYTES >> 20
            )));
        }
        if compressed > room - r.read {
            return Err(at("the page runs past the end of its column chunk".into()));
        }
        if h.kind == DICTIONARY_PAGE {
            let values = h.values.unwrap_or(0);
            if !(0..=i64::try_from(MAX_DICTIONARY_VALUES).unwrap_or(i64::MAX)).contains(&values) {
                return Err(at(format!(
                    "a dictionary of {values} values (more than the {MAX_DICTIONARY_VALUES} read)"
                )));
            }
        }
        if let Some(&(_, name)) = UNBOUNDED_ENCODINGS.iter().find(|(e, _)| h.encoding == Some(*e)) {
            return Err(at(format!(
                "the {name} encoding is not read (its decoder trusts counts in the data): write the \
                 file with PLAIN or dictionary encoding"
            )));
        }
        offset = offset.saturating_add(r.read).saturating_add(compressed);
    }
    Ok(())
}

/// What the check needs of a page header.
#[derive(Debug, Default)]
struct PageHeader {
    kind: i64,
    uncompressed: i64,
    compressed: i64,
    /// The value count of a dictionary page.
    values: Option<i64>,
    /// The values' encoding of a data page.
    encoding: Option<i64>,
}

/// A Thrift compact-protocol reader that counts what it reads and holds
/// nothing it reads but integers.
struct Compact<R> {
    r: R,
    read: u64,
}

impl<R: Read> Compact<R> {
    fn byte(&mut self) -> Result<u8, String> {
        let mut b = [0u8; 1];
        self.r
            .read_exact(&mut b)
            .map_err(|_| "the header ends early".to_string())?;
        self.read += 1;
        Ok(b[0])
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint of more than 10 bytes".into())
    }

    fn zigzag(&mut self) -> Result<i64, String> {
        let v = self.varint()?;
        let half = i64::try_from(v >> 1).unwrap_or(i64::MAX);
        Ok(if v & 1 == 0 { half } else { -half - 1 })
    }

    fn skip_bytes(&mut self, n: u64) -> Result<(), String> {
        let copied = std::io::copy(&mut (&mut self.r).take(n), &mut std::io::sink())
            .map_err(|_| "the header ends early".to_string())?;
        if copied != n {
            return Err("the header ends early".into());
        }
        self.read += n;
        Ok(())
    }

    /// Skip one value of compact type `ty`.
    fn skip(&mut self, ty: u8, depth: u8) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("structs nested too deep".into());
        }
        match ty {
            1 | 2 => Ok(()),
            3 => self.byte().map(drop),
            4..=6 => self.varint().map(drop),
            7 => self.skip_bytes(8),
            8 => {
                let n = self.varint()?;
                self.skip_bytes(n)
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = match h >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let elem = h & 0x0F;
                for _ in 0..n {
                    // A bool in a list is a byte of its own.
                    if matches!(elem, 1 | 2) {
                        self.byte()?;
                    } else {
                        self.skip(elem, depth + 1)?;
                    }
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                for _ in 0..n {
                    self.skip(kv >> 4, depth + 1)?;
                    self.skip(kv & 0x0F, depth + 1)?;
                }
                Ok(())
            }
            12 => self.fields(depth + 1, |_, _, _| Ok(false)),
            other => Err(format!("unknown thrift type {other}")),
        }
    }

    /// Read a struct's fields: `f` reads the fields it wants (returning
    /// true), the rest are skipped.
    fn fields(
        &mut self,
        depth: u8,
        mut f: impl FnMut(&mut Self, i16, u8) -> Result<bool, String>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("structs nested too deep".into());
        }
        let mut id: i16 = 0;
        loop {
            let b = self.byte()?;
            if b == 0 {
                return Ok(());
            }
            let ty = b & 0x0F;
            id = match b >> 4 {
                0 => i16::try_from(self.zigzag()?).map_err(|_| "a field id out of range".to_string())?,
                delta => id.saturating_add(i16::from(delta)),
            };
            if !f(self, id, ty)? {
                self.skip(ty, depth)?;
            }
        }
    }

    /// An i32 field (compact type 5), or an error.
    fn int(&mut self, ty: u8) -> Result<i64, String> {
        if ty != 5 {
            return Err(format!("a field of thrift type {ty} where an i32 is expected"));
        }
        self.zigzag()
    }

    fn page_header(&mut self) -> Result<PageHeader, String> {
        let mut h = PageHeader::default();
        let (mut has_size, mut has_kind) = (0, false);
        self.fields(0, |r, id, ty| {
            match id {
                1 => {
                    h.kind = r.int(ty)?;
                    has_kind = true;
                }
                2 => {
                    h.uncompressed = r.int(ty)?;
                    has_size += 1;
                }
                3 => {
                    h.compressed = r.int(ty)?;
                    has_size += 1;
                }
                // DataPageHeader: 2 is the encoding.
                5 if ty == 12 => r.fields(1, |r, id, ty| match id {
                    2 => {
                        h.encoding = Some(r.int(ty)?);
                        Ok(true)
                    }
                    _ => Ok(false),
                })?,
                // DictionaryPageHeader: 1 is the number of values.
                7 if ty == 12 => r.fields(1, |r, id, ty| match id {
                    1 => {
                        h.values = Some(r.int(ty)?);
                        Ok(true)
                    }
                    _ => Ok(false),
                })?,
                // DataPageHeaderV2: 4 is the encoding.
                8 if ty == 12 => r.fields(1, |r, id, ty| match id {
                    4 => {
                        h.encoding = Some(r.int(ty)?);
                        Ok(true)
                    }
                    _ => Ok(false),
                })?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        if !has_kind || has_size != 2 {
            return Err("a page header without its type or sizes".into());
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(bytes: &[u8]) -> Result<PageHeader, String> {
        Compact { r: bytes, read: 0 }.page_header()
    }

    #[test]
    fn page_headers_are_read_and_bounded() {
        // type 0 (data), uncompressed 100, compressed 50, data page header
        // {num_values 10, encoding 0}: zigzag 100 = 200 (0xC8 0x01).
        let h = header(&[
            0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64, 0x2C, 0x15, 0x14, 0x15, 0x00, 0x00, 0x00,
        ])
        .unwrap();
        assert_eq!(
            (h.kind, h.uncompressed, h.compressed, h.encoding),
            (0, 100, 50, Some(0))
        );
        // Truncated, a deep nest, a missing size.
        assert!(header(&[0x15, 0x00, 0x15]).is_err());
        let mut deep = vec![0x9C];
        deep.extend([0x1C; 40]);
        deep.push(0);
        assert!(header(&deep).unwrap_err().contains("too deep"));
        assert!(header(&[0x15, 0x00, 0x00]).unwrap_err().contains("without"));
        // A binary claiming 2^60 bytes is skipped by reading, not by allocating.
        let mut big = vec![0x48];
        big.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
        assert!(header(&big).unwrap_err().contains("ends early"));
    }
}

//! The check of a column chunk before the `parquet` crate reads it: the
//! chunk lies inside the file, its codec is one this build reads, and
//! every page header (read here with a small Thrift compact-protocol
//! reader that allocates nothing from what it reads) claims sizes within
//! [`MAX_PAGE_BYTES`], a dictionary of at most [`MAX_DICTIONARY_VALUES`]
//! values, and, for the delta encodings of byte arrays (whose decoder
//! sizes a vector by a count in the page's data), data counts within the
//! page's value count.
//!
//! The crate sizes its buffers from these claims (a page is decompressed
//! into a buffer of its claimed size, a dictionary is resized to its
//! claimed count): checked here, a crafted header cannot make it allocate
//! gigabytes.

use std::io::Read;

use eduaid_model::convert::clamped;
use parquet::basic::Compression;
use parquet::file::metadata::ColumnChunkMetaData;

use super::{MAX_DICTIONARY_VALUES, MAX_PAGE_BYTES};

/// The longest page header read (statistics in a header can hold values).
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// How deep Thrift structs may nest in a page header.
const MAX_DEPTH: u8 = 16;
/// The page types of the Parquet format.
const DICTIONARY_PAGE: i64 = 2;
/// Encodings whose decoders size a buffer from a count in the page's data
/// (`DELTA_LENGTH_BYTE_ARRAY`, `DELTA_BYTE_ARRAY`): that count is checked
/// against the page's value count before the crate reads the page.
const DELTA_ENCODINGS: [(i64, &str); 2] = [(DELTA_LENGTH, "DELTA_LENGTH_BYTE_ARRAY"), (7, "DELTA_BYTE_ARRAY")];
/// The `DELTA_LENGTH_BYTE_ARRAY` encoding.
const DELTA_LENGTH: i64 = 6;
/// The most values a delta-encoded page may hold: 4 194 304 (its decoder
/// holds a 4-byte length for each).
const MAX_DELTA_VALUES: u64 = 1 << 22;

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
    max_def: i16,
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
            if !(0..=clamped::<_, i64>(MAX_DICTIONARY_VALUES)).contains(&values) {
                return Err(at(format!(
                    "a dictionary of {values} values (more than the {MAX_DICTIONARY_VALUES} read)"
                )));
            }
        }
        if let Some(&(encoding, name)) = DELTA_ENCODINGS.iter().find(|(e, _)| h.encoding == Some(*e)) {
            let body = offset.saturating_add(r.read);
            check_delta_page(read_from, body, compressed, codec, &h, max_def, encoding)
                .map_err(|e| at(format!("{name}: {e}")))?;
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
    /// The value count (nulls included) of a data page.
    data_values: Option<i64>,
    /// The definition levels' encoding of a data page v1.
    def_encoding: Option<i64>,
    /// The bytes of definition and repetition levels of a data page v2
    /// (uncompressed, before the values).
    v2_levels: Option<(i64, i64)>,
    /// Whether a data page v2's values are compressed (default true).
    v2_uncompressed: bool,
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
        let half = clamped::<_, i64>(v >> 1);
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
                // DataPageHeader: 1 values, 2 encoding, 3 levels' encoding.
                5 if ty == 12 => r.fields(1, |r, id, ty| match id {
                    1 => {
                        h.data_values = Some(r.int(ty)?);
                        Ok(true)
                    }
                    2 => {
                        h.encoding = Some(r.int(ty)?);
                        Ok(true)
                    }
                    3 => {
                        h.def_encoding = Some(r.int(ty)?);
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
                // DataPageHeaderV2: 1 values, 4 encoding, 5 and 6 the
                // levels' bytes, 7 whether the values are compressed.
                8 if ty == 12 => {
                    let (mut def, mut rep) = (0, 0);
                    r.fields(1, |r, id, ty| match id {
                        1 => {
                            h.data_values = Some(r.int(ty)?);
                            Ok(true)
                        }
                        4 => {
                            h.encoding = Some(r.int(ty)?);
                            Ok(true)
                        }
                        5 => {
                            def = r.int(ty)?;
                            Ok(true)
                        }
                        6 => {
                            rep = r.int(ty)?;
                            Ok(true)
                        }
                        // A bool field holds its value in its type.
                        7 if ty == 2 => {
                            h.v2_uncompressed = true;
                            Ok(true)
                        }
                        _ => Ok(false),
                    })?;
                    h.v2_levels = Some((def, rep));
                }
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

/// Check a page of a delta encoding for byte arrays: the value counts in
/// its data (which the crate's decoder sizes a vector by) must not exceed
/// the page's value count, itself at most [`MAX_DELTA_VALUES`]. The page
/// (at most [`MAX_PAGE_BYTES`], checked) is read and decompressed for it.
fn check_delta_page<'a, F>(
    read_from: &F,
    body: u64,
    compressed: u64,
    codec: Compression,
    h: &PageHeader,
    max_def: i16,
    encoding: i64,
) -> Result<(), String>
where
    F: Fn(u64) -> Result<Box<dyn Read + 'a>, String>,
{
    let values = h
        .data_values
        .and_then(|v| u64::try_from(v).ok())
        .ok_or("no value count")?;
    if values > MAX_DELTA_VALUES {
        return Err(format!(
            "a page of {values} values (more than the {MAX_DELTA_VALUES} read)"
        ));
    }
    let mut raw = Vec::with_capacity(clamped::<_, usize>(compressed));
    read_from(body)?
        .take(compressed)
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    if clamped::<_, u64>(raw.len()) != compressed {
        return Err("the page ends early".into());
    }
    let limit = clamped::<_, usize>(h.uncompressed);
    let snappy = codec == Compression::SNAPPY;
    let data = match h.v2_levels {
        Some((def, rep)) => {
            let levels = usize::try_from(def.saturating_add(rep)).map_err(|_| "negative level sizes")?;
            let rest = raw.get(levels..).ok_or("levels longer than the page")?;
            if snappy && !h.v2_uncompressed {
                unsnappy(rest, limit)?
            } else {
                rest.to_vec()
            }
        }
        None => {
            let page = if snappy { unsnappy(&raw, limit)? } else { raw };
            if max_def == 0 {
                page
            } else {
                // RLE levels: a 4-byte little-endian length, then the levels.
                if h.def_encoding != Some(3) {
                    return Err("definition levels not in the RLE encoding".into());
                }
                let len = page.get(..4).ok_or("the page ends early")?;
                let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
                let start = clamped::<_, usize>(len).saturating_add(4);
                page.get(start..).ok_or("levels longer than the page")?.to_vec()
            }
        }
    };
    let mut pos = 0usize;
    let check = |total: u64| {
        if total > values {
            Err(format!("the data claims {total} values in a page of {values}"))
        } else {
            Ok(())
        }
    };
    if encoding == DELTA_LENGTH {
        return check(delta_header(&data, &mut pos)?.2);
    }
    // DELTA_BYTE_ARRAY: the prefix lengths, then the suffixes as
    // DELTA_LENGTH_BYTE_ARRAY, which starts where the crate's decoder of
    // the prefix lengths ends.
    let (block, minis, total) = delta_header(&data, &mut pos)?;
    check(total)?;
    skip_delta_blocks(&data, &mut pos, block, minis, total)?;
    check(delta_header(&data, &mut pos)?.2)
}

/// A snappy block, refused if it claims more than `limit` bytes.
fn unsnappy(input: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let len = snap::raw::decompress_len(input).map_err(|e| e.to_string())?;
    if len > limit {
        return Err(format!("{len} bytes decompressed, more than the page's {limit}"));
    }
    snap::raw::Decoder::new()
        .decompress_vec(input)
        .map_err(|e| e.to_string())
}

/// An unsigned LEB128 varint of `data` at `pos`.
fn uleb(data: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *data.get(*pos).ok_or("the page ends early")?;
        *pos += 1;
        v |= u64::from(b & 0x7F).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("a varint of more than 10 bytes".into())
}

/// A `DELTA_BINARY_PACKED` header: block size, miniblocks a block and the
/// total value count (the first value is skipped).
fn delta_header(data: &[u8], pos: &mut usize) -> Result<(u64, u64, u64), String> {
    let block = uleb(data, pos)?;
    let minis = uleb(data, pos)?;
    let total = uleb(data, pos)?;
    uleb(data, pos)?;
    if minis == 0 || block == 0 || block % minis != 0 {
        return Err(format!("a block of {block} values in {minis} miniblocks"));
    }
    Ok((block, minis, total))
}

/// Move `pos` past the blocks of a `DELTA_BINARY_PACKED` run of `total`
/// values, to where the crate's decoder ends after reading them all: the
/// end of the last block, counting only the miniblocks that hold values.
fn skip_delta_blocks(data: &[u8], pos: &mut usize, block: u64, minis: u64, total: u64) -> Result<(), String> {
    let per_mini = block / minis;
    let mut left = total.saturating_sub(1);
    while left > 0 {
        uleb(data, pos)?; // min delta
        let n = usize::try_from(minis).map_err(|_| "too many miniblocks")?;
        let widths = data.get(*pos..pos.saturating_add(n)).ok_or("the page ends early")?;
        *pos += n;
        let mut end = *pos as u64;
        let mut remaining = left;
        for &w in widths {
            if remaining == 0 {
                break;
            }
            remaining = remaining.saturating_sub(per_mini);
            end = end.saturating_add(u64::from(w).saturating_mul(per_mini) / 8);
        }
        *pos = usize::try_from(end).map_err(|_| "a block past the page")?;
        if *pos > data.len() {
            return Err("a block past the end of the page".into());
        }
        left = left.saturating_sub(block);
    }
    Ok(())
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

//! Zip archives (`.xlsx`, `.docx`) checked before they are parsed, as
//! Apache POI's `ZipSecureFile` does: a few kilobytes of zip can declare,
//! or secretly hold, gigabytes of XML, and a parser that trusts them
//! allocates until the process aborts (no `catch_unwind` catches that).
//!
//! [`check_archive`] reads the central directory and refuses an archive
//! with too many entries, an entry or a total whose declared uncompressed
//! size is over the limit, or an entry compressed more than a ratio allows;
//! then it inflates every entry into nothing, through a `take` of its
//! declared size, so an entry that holds more than it declares is refused
//! too. Last, a workbook's shared strings (`xl/sharedStrings.xml`) may not
//! claim (`uniqueCount`) more strings than they hold: calamine reserves
//! room for that many before it reads one.

use std::io::{BufReader, Read, Seek};

use crate::Error;
use eduaid_model::convert::clamped;

/// Limits on a zip archive (an `.xlsx` or `.docx`), checked by
/// [`check_archive`] before the archive is parsed. A hit is an
/// [`Error::ArchiveLimit`] naming the file, the entry, the limit and its
/// value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArchiveLimits {
    /// The most entries (files) in the archive. Default 10 000 (a workbook
    /// of a hundred sheets has a few hundred).
    pub max_entries: u64,
    /// The largest declared uncompressed size of one entry, in bytes.
    /// Default 1 GiB (a full Excel sheet of a million rows and twenty
    /// columns is about 600 MB of XML).
    pub max_entry_size: u64,
    /// The largest declared uncompressed size of all entries together, in
    /// bytes. Default 2 GiB.
    pub max_total_size: u64,
    /// The highest compression ratio (uncompressed : compressed) of an
    /// entry larger than [`ArchiveLimits::ratio_grace`]. Default 100, POI's
    /// minimum inflate ratio of 0.01.
    pub max_ratio: u64,
    /// Entries no larger than this many bytes (uncompressed) are not held
    /// to the ratio. Default 100 KiB, as POI.
    pub ratio_grace: u64,
    /// The most strings a workbook's shared-strings part may claim
    /// (`uniqueCount`) beyond those it holds. Default 1 048 576.
    pub max_claimed_strings: u64,
}

impl Default for ArchiveLimits {
    fn default() -> ArchiveLimits {
        ArchiveLimits {
            max_entries: 10_000,
            max_entry_size: 1 << 30,
            max_total_size: 2 << 30,
            max_ratio: 100,
            ratio_grace: 100 << 10,
            max_claimed_strings: 1 << 20,
        }
    }
}

/// Check a zip archive (`.xlsx`, `.docx`) against `limits` before it is
/// parsed; `file` names it in errors. Inflates every entry once (into
/// nothing), so it costs about what reading the archive costs, and never
/// holds an inflated entry in memory.
///
/// # Errors
/// [`Error::ArchiveLimit`] for a limit hit; [`Error::Malformed`] for an
/// archive that is not a zip, an entry that cannot be inflated or that
/// holds more than it declares, and shared strings that claim more strings
/// than they hold.
pub fn check_archive<R: Read + Seek>(reader: R, file: &str, limits: &ArchiveLimits) -> Result<(), Error> {
    check(reader, file, limits, "a zip archive")
}

/// [`check_archive`], with `what` the archive should be (`an xlsx
/// workbook`) for the error when it is not a zip at all.
pub(crate) fn check<R: Read + Seek>(reader: R, file: &str, limits: &ArchiveLimits, what: &str) -> Result<(), Error> {
    let malformed = |reason: String| Error::Malformed {
        file: file.to_string(),
        line: 0,
        reason,
    };
    let limit =
        |entry: Option<&str>, limit: &'static str, value: u64, max: u64, unit: &'static str| Error::ArchiveLimit {
            file: file.to_string(),
            entry: entry.map(str::to_string),
            limit,
            value,
            max,
            unit,
        };
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| malformed(format!("not {what}: {e}")))?;
    let count = clamped::<_, u64>(zip.len());
    if count > limits.max_entries {
        return Err(limit(None, "number of entries", count, limits.max_entries, ""));
    }
    // The central directory first: nothing is inflated before every
    // declared size is known to be within the limits.
    let mut total = 0u64;
    let mut entries = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let e = zip
            .by_index_raw(i)
            .map_err(|e| malformed(format!("entry {} cannot be read: {e}", i + 1)))?;
        let (name, size, packed) = (e.name().to_string(), e.size(), e.compressed_size());
        if size > limits.max_entry_size {
            return Err(limit(
                Some(&name),
                "uncompressed size",
                size,
                limits.max_entry_size,
                " bytes",
            ));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_size {
            return Err(limit(
                Some(&name),
                "total uncompressed size",
                total,
                limits.max_total_size,
                " bytes",
            ));
        }
        if size > limits.ratio_grace {
            let ratio = size / packed.max(1);
            if ratio >= limits.max_ratio {
                return Err(limit(Some(&name), "compression ratio", ratio, limits.max_ratio, ":1"));
            }
        }
        entries.push((name, size));
    }
    // Then each entry inflated, never past one byte more than it declares.
    for (i, (name, size)) in entries.into_iter().enumerate() {
        let entry = zip
            .by_index(i)
            .map_err(|e| malformed(format!("{name}: cannot be inflated: {e}")))?;
        let mut counted = Counted {
            inner: entry.take(size.saturating_add(1)),
            n: 0,
        };
        let shared = name.eq_ignore_ascii_case("xl/sharedStrings.xml")
            || name.to_ascii_lowercase().ends_with("/sharedstrings.xml");
        let strings = if shared {
            Some(shared_strings(&mut counted).map_err(|reason| malformed(format!("{name}: {reason}")))?)
        } else {
            std::io::copy(&mut counted, &mut std::io::sink())
                .map_err(|e| malformed(format!("{name}: cannot be inflated: {e}")))?;
            None
        };
        if counted.n > size {
            return Err(malformed(format!(
                "{name}: inflates to more than the {size} bytes it declares (a zip bomb?)"
            )));
        }
        if let Some((claimed, held)) = strings {
            if claimed > held.saturating_add(limits.max_claimed_strings) {
                return Err(malformed(format!(
                    "{name}: claims {claimed} strings (uniqueCount) but holds {held}"
                )));
            }
        }
    }
    Ok(())
}

/// A reader that counts the bytes read through it.
struct Counted<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n = self.n.saturating_add(clamped::<_, u64>(n));
        Ok(n)
    }
}

/// The strings the shared-strings part claims (its `uniqueCount`, 0 when
/// absent) and the `si` elements it holds. Reads the part to its end.
fn shared_strings<R: Read>(r: &mut R) -> Result<(u64, u64), String> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(r));
    let mut buf = Vec::new();
    let (mut claimed, mut held) = (0u64, 0u64);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                b"si" => held += 1,
                b"sst" => {
                    let attr = e
                        .try_get_attribute("uniqueCount")
                        .map_err(|err| format!("not well-formed XML: {err}"))?;
                    if let Some(a) = attr {
                        let text = String::from_utf8_lossy(&a.value).into_owned();
                        claimed = text
                            .trim()
                            .parse()
                            .map_err(|_| format!("uniqueCount {:?} is not a count", crate::error::clip(&text)))?;
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => return Err(format!("not well-formed XML: {err}")),
        }
    }
    Ok((claimed, held))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write as _};

    use zip::write::SimpleFileOptions;

    use super::*;

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in parts {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn check(bytes: &[u8], limits: &ArchiveLimits) -> Result<(), String> {
        check_archive(Cursor::new(bytes), "t.xlsx", limits).map_err(|e| e.to_string())
    }

    #[test]
    fn each_limit_is_named_with_its_value() {
        let small = zip_of(&[("a.xml", b"<a/>"), ("b.xml", b"<b/>")]);
        assert!(check(&small, &ArchiveLimits::default()).is_ok());
        let few = ArchiveLimits {
            max_entries: 1,
            ..ArchiveLimits::default()
        };
        assert_eq!(
            check(&small, &few).unwrap_err(),
            "t.xlsx: number of entries 2 exceeds the limit of 1"
        );
        let tiny = ArchiveLimits {
            max_entry_size: 3,
            ..ArchiveLimits::default()
        };
        assert_eq!(
            check(&small, &tiny).unwrap_err(),
            "t.xlsx: a.xml: uncompressed size 4 bytes exceeds the limit of 3 bytes"
        );
        let total = ArchiveLimits {
            max_total_size: 7,
            ..ArchiveLimits::default()
        };
        assert!(
            check(&small, &total)
                .unwrap_err()
                .contains("b.xml: total uncompressed size 8 bytes")
        );
        let zeros = vec![b' '; 1 << 20];
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)]);
        let e = check(&bomb, &ArchiveLimits::default()).unwrap_err();
        assert!(
            e.starts_with("t.xlsx: xl/worksheets/sheet1.xml: compression ratio "),
            "{e}"
        );
        assert!(e.ends_with(":1 exceeds the limit of 100:1"), "{e}");
    }

    #[test]
    fn shared_strings_may_not_claim_more_than_they_hold() {
        let sst = |count: &str| {
            format!(
                "<?xml version=\"1.0\"?><sst xmlns=\"x\" count=\"9\" uniqueCount=\"{count}\"><si><t>a</t></si><si><t>b</t></si></sst>"
            )
        };
        let ok = zip_of(&[("xl/sharedStrings.xml", sst("2").as_bytes())]);
        assert!(check(&ok, &ArchiveLimits::default()).is_ok());
        let strict = ArchiveLimits {
            max_claimed_strings: 0,
            ..ArchiveLimits::default()
        };
        let liar = zip_of(&[("xl/sharedStrings.xml", sst("100000000000000").as_bytes())]);
        assert_eq!(
            check(&liar, &strict).unwrap_err(),
            "t.xlsx: xl/sharedStrings.xml: claims 100000000000000 strings (uniqueCount) but holds 2"
        );
        assert!(check(&liar, &ArchiveLimits::default()).is_err());
        let odd = zip_of(&[("xl/sharedStrings.xml", sst("1e14").as_bytes())]);
        assert!(
            check(&odd, &ArchiveLimits::default())
                .unwrap_err()
                .contains("uniqueCount \"1e14\" is not a count")
        );
    }

    #[test]
    fn an_entry_that_holds_more_than_it_declares_is_refused() {
        // Stored (uncompressed) so the declared sizes can be patched in
        // place: the local header and the central directory both claim
        // 10 bytes of a 100-byte entry.
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("x.xml", stored).unwrap();
        w.write_all(&[b'a'; 100]).unwrap();
        let mut bytes = w.finish().unwrap().into_inner();
        let patched = patch_uncompressed_size(&mut bytes, 100, 10);
        assert_eq!(patched, 2);
        let e = check(&bytes, &ArchiveLimits::default()).unwrap_err();
        assert!(e.contains("x.xml"), "{e}");
    }

    /// Rewrite the uncompressed-size field of every local and central
    /// header from `from` to `to`; returns how many were rewritten.
    pub(crate) fn patch_uncompressed_size(bytes: &mut [u8], from: u32, to: u32) -> usize {
        let mut n = 0;
        let mut i = 0;
        while i + 4 <= bytes.len() {
            let sig = &bytes[i..i + 4];
            let at = if sig == b"PK\x03\x04" {
                Some(i + 22)
            } else if sig == b"PK\x01\x02" {
                Some(i + 24)
            } else {
                None
            };
            if let Some(at) = at {
                if bytes[at..at + 4] == from.to_le_bytes() {
                    bytes[at..at + 4].copy_from_slice(&to.to_le_bytes());
                    n += 1;
                }
            }
            i += 1;
        }
        n
    }
}

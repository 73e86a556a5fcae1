//! Rasterising chart SVG to PNG (for Word) with resvg and an open CJK font.
//!
//! [`CjkFont::discover`] looks, in order, at the file named by the
//! `EDUAID_CJK_FONT` environment variable, at the standard paths of the
//! Debian packages `fonts-noto-cjk`, `fonts-wqy-microhei`,
//! `fonts-wqy-zenhei`, `fonts-arphic-uming` and `fonts-droid-fallback`, at
//! the usual macOS and Windows fonts, and at any file under
//! `/usr/share/fonts` whose name marks it as CJK. If none is found it falls
//! back to the font embedded in the crate ([`CjkFont::embedded`]): a subset
//! of Noto Sans CJK SC covering GB 2312 (SIL Open Font License 1.1, see
//! `fonts/README.md`), so charts have Chinese labels on any machine. A
//! label outside GB 2312 renders only with an installed font.

// Pixel sizes are floats in resvg's API: a scale factor, not money.
#![allow(clippy::float_arithmetic, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use resvg::{tiny_skia, usvg};

use crate::Error;

impl CjkFont {
    /// Where Debian, macOS and Windows keep fonts with Chinese glyphs.
    pub const CANDIDATES: &'static [&'static str] = &[
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
        "/System/Library/Fonts/PingFang.ttc",
        "/System/Library/Fonts/STHeiti Light.ttc",
        "/Library/Fonts/Arial Unicode.ttf",
        "C:\\Windows\\Fonts\\msyh.ttc",
        "C:\\Windows\\Fonts\\simsun.ttc",
    ];
}

/// The label of the embedded font in [`CjkFont::path`].
const EMBEDDED_FONT_NAME: &str = "(embedded) eduaid-cjk-sans-gb2312.otf";

/// The embedded GB 2312 subset of Noto Sans CJK SC (`fonts/README.md`).
static EMBEDDED_FONT: &[u8] = include_bytes!("../fonts/eduaid-cjk-sans-gb2312.otf");

/// File-name fragments that mark a font as covering Chinese.
const CJK_NAME_HINTS: &[&str] = &[
    "cjk",
    "wqy",
    "droidsansfallback",
    "uming",
    "ukai",
    "sourcehan",
    "simsun",
    "msyh",
];

/// A font database holding one CJK font, ready to rasterise charts.
#[derive(Debug, Clone)]
pub struct CjkFont {
    db: Arc<usvg::fontdb::Database>,
    family: String,
    path: PathBuf,
}

impl CjkFont {
    /// Find a CJK font (see the module docs for where it looks).
    ///
    /// # Errors
    /// [`Error::NoCjkFont`] listing the places searched, or [`Error::Io`]
    /// if `EDUAID_CJK_FONT` names a file that cannot be read.
    pub fn discover() -> Result<CjkFont, Error> {
        if let Some(p) = std::env::var_os("EDUAID_CJK_FONT") {
            return CjkFont::from_file(Path::new(&p));
        }
        for c in CjkFont::CANDIDATES {
            let p = Path::new(c);
            if p.is_file() {
                if let Ok(f) = CjkFont::from_file(p) {
                    return Ok(f);
                }
            }
        }
        let mut found = Vec::new();
        scan(Path::new("/usr/share/fonts"), 0, &mut found);
        found.sort();
        for p in found {
            if let Ok(f) = CjkFont::from_file(&p) {
                return Ok(f);
            }
        }
        CjkFont::embedded()
    }

    /// The font embedded in the crate: "eduaid CJK Sans", a GB 2312 subset
    /// of Noto Sans CJK SC under the SIL Open Font License 1.1.
    ///
    /// # Errors
    /// [`Error::NoCjkFont`] only if the embedded data were corrupt.
    pub fn embedded() -> Result<CjkFont, Error> {
        CjkFont::from_data(EMBEDDED_FONT.to_vec(), Path::new(EMBEDDED_FONT_NAME))
    }

    /// True if this is the embedded subset rather than an installed font.
    #[must_use]
    pub fn is_embedded(&self) -> bool {
        self.path == Path::new(EMBEDDED_FONT_NAME)
    }

    /// Load a font file (`.ttf`, `.otf` or `.ttc`).
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read, [`Error::NoCjkFont`] if it holds
    /// no font face.
    pub fn from_file(path: &Path) -> Result<CjkFont, Error> {
        let data = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        CjkFont::from_data(data, path)
    }

    /// Load font data that came from `path` (a label for messages).
    fn from_data(data: Vec<u8>, path: &Path) -> Result<CjkFont, Error> {
        let mut db = usvg::fontdb::Database::new();
        db.load_font_data(data);
        let family = db
            .faces()
            .find_map(|f| {
                // Prefer the Simplified Chinese family of a collection.
                f.families
                    .iter()
                    .find(|(n, _)| n.ends_with(" SC") || n.contains("Micro Hei") || n.contains("Zen Hei"))
                    .or_else(|| f.families.first())
                    .map(|(n, _)| n.clone())
            })
            .ok_or_else(|| Error::NoCjkFont {
                searched: format!("{} (no font face in it)", path.display()),
            })?;
        db.set_sans_serif_family(family.clone());
        db.set_serif_family(family.clone());
        Ok(CjkFont {
            db: Arc::new(db),
            family,
            path: path.to_path_buf(),
        })
    }

    /// The font family used (`Noto Sans CJK SC`).
    #[must_use]
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The file it was loaded from.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rasterise an SVG document to PNG at `scale` times its size.
    ///
    /// # Errors
    /// [`Error::Chart`] if the SVG does not parse or the image would be
    /// empty or too large.
    pub fn svg_to_png(&self, svg: &str, scale: f32) -> Result<Vec<u8>, Error> {
        let bad = |reason: String| Error::Chart {
            title: "svg".into(),
            reason,
        };
        let opt = usvg::Options {
            fontdb: Arc::clone(&self.db),
            font_family: self.family.clone(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| bad(e.to_string()))?;
        let scale = if scale.is_finite() && scale > 0.0 { scale } else { 1.0 };
        let size = tree.size();
        let w = (size.width() * scale).ceil();
        let h = (size.height() * scale).ceil();
        if !(1.0..=8192.0).contains(&w) || !(1.0..=8192.0).contains(&h) {
            return Err(bad(format!("image size {w}×{h} out of range")));
        }
        let mut pixmap = tiny_skia::Pixmap::new(w as u32, h as u32).ok_or_else(|| bad("empty image".into()))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::from_scale(scale, scale),
            &mut pixmap.as_mut(),
        );
        pixmap.encode_png().map_err(|e| bad(e.to_string()))
    }
}

fn scan(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    if depth > 4 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scan(&p, depth + 1, out);
        } else {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            let font = [".ttf", ".otf", ".ttc"].iter().any(|x| name.ends_with(x));
            if font && CJK_NAME_HINTS.iter().any(|h| name.contains(h)) {
                out.push(p);
            }
        }
    }
}

#[cfg(test)]
mod embedded_font_tests {
    use super::*;

    /// Count the pixels that are not white in a PNG rendering of `text`.
    fn inked(font: &CjkFont, text: &str) -> usize {
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="30" font-size="24" font-family="{}">{text}</text></svg>"#,
            font.family()
        );
        let png = font.svg_to_png(&svg, 1.0).unwrap();
        let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
        pixmap.pixels().iter().filter(|p| p.red() < 200).count()
    }

    #[test]
    fn the_embedded_font_draws_chinese_labels() {
        let font = CjkFont::embedded().unwrap();
        assert!(font.is_embedded());
        assert_eq!(font.family(), "eduaid CJK Sans");
        // A label that is drawn leaves ink; the glyphs are really there.
        assert!(inked(&font, "初中三年巩固率") > 200);
        assert!(inked(&font, "城关镇生活补助") > 200);
        // A character outside GB 2312 has no glyph in the subset: no ink.
        assert_eq!(inked(&font, "𠀀"), 0);
    }
}

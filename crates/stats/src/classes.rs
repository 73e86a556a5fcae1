//! Class sizes (班额): the distribution over the national bands, as shares
//! of classes and of pupils, the average, and caps checked class by class.
//!
//! The bands: normal (≤ 45), 46–55 (偏大), large (大班额, 56–65) and
//! super-large (超大班额, ≥ 66). A county's own caps, such as the seed's
//! first-year limits from autumn 2017 (primary ≤ 50, junior ≤ 55), are
//! [`ClassCap`]s.

use std::fmt;

use eduaid_model::{Class, Locality, Ownership, School, SchoolId, SchoolYear, Stage};
use serde::{Deserialize, Serialize};

use crate::rate::{Rate, Ratio};
use crate::series::Series;

/// A class-size band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeBand {
    /// 45 or fewer pupils.
    Normal,
    /// 46 to 55 (偏大).
    Above45,
    /// 大班额: 56 to 65.
    Large,
    /// 超大班额: 66 or more.
    SuperLarge,
}

impl SizeBand {
    /// Every band, smallest first.
    pub const ALL: [SizeBand; 4] = [
        SizeBand::Normal,
        SizeBand::Above45,
        SizeBand::Large,
        SizeBand::SuperLarge,
    ];

    /// The band of a class of `size` pupils.
    #[must_use]
    pub fn of(size: u32) -> SizeBand {
        match size {
            0..=45 => SizeBand::Normal,
            46..=55 => SizeBand::Above45,
            56..=65 => SizeBand::Large,
            _ => SizeBand::SuperLarge,
        }
    }

    /// The Chinese label, e.g. `大班额(56-65人)`.
    #[must_use]
    pub fn chinese(self) -> &'static str {
        match self {
            SizeBand::Normal => "45人及以下",
            SizeBand::Above45 => "46-55人",
            SizeBand::Large => "大班额(56-65人)",
            SizeBand::SuperLarge => "超大班额(66人及以上)",
        }
    }
}

impl fmt::Display for SizeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.chinese())
    }
}

/// Which classes to count: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassFilter {
    /// Stage of the class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Grade of the class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<u8>,
    /// The school's locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<Locality>,
    /// The school's township.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township: Option<String>,
    /// Public or private schools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// One school.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<SchoolId>,
}

impl ClassFilter {
    /// True if the school is selected.
    #[must_use]
    pub fn matches_school(&self, s: &School) -> bool {
        self.locality.is_none_or(|l| l == s.locality)
            && self.township.as_ref().is_none_or(|t| *t == s.township)
            && self.ownership.is_none_or(|o| o == s.ownership)
            && self.school.as_ref().is_none_or(|id| *id == s.id)
    }

    /// True if the class is selected (its school aside).
    #[must_use]
    pub fn matches_class(&self, c: &Class) -> bool {
        self.stage.is_none_or(|st| st == c.stage) && self.grade.is_none_or(|g| g == c.grade)
    }
}

/// Classes and pupils of one band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandCount {
    /// The band.
    pub band: SizeBand,
    /// Classes in it.
    pub classes: u64,
    /// Pupils in those classes.
    pub pupils: u64,
}

/// The class-size distribution of a set of classes in one school year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassSizes {
    /// The school year.
    pub year: SchoolYear,
    /// Classes counted.
    pub classes: u64,
    /// Pupils in them.
    pub pupils: u64,
    /// The largest class, if any.
    pub largest: Option<u32>,
    /// Each band, smallest first (all four, empty ones included).
    pub bands: Vec<BandCount>,
}

impl ClassSizes {
    /// The average class size: pupils over classes (no value without
    /// classes).
    #[must_use]
    pub fn average(&self) -> Ratio {
        Ratio::of_counts(self.pupils, self.classes)
    }

    fn band(&self, band: SizeBand) -> BandCount {
        self.bands
            .iter()
            .find(|b| b.band == band)
            .copied()
            .unwrap_or(BandCount {
                band,
                classes: 0,
                pupils: 0,
            })
    }

    /// The share of classes in `band`.
    #[must_use]
    pub fn share_of_classes(&self, band: SizeBand) -> Rate {
        Rate::of_counts(self.band(band).classes, self.classes).with_years(self.year, self.year)
    }

    /// The share of pupils who sit in classes of `band`.
    #[must_use]
    pub fn share_of_pupils(&self, band: SizeBand) -> Rate {
        Rate::of_counts(self.band(band).pupils, self.pupils).with_years(self.year, self.year)
    }

    /// The share of classes that are large or super-large (56 or more, the
    /// 大班额 indicator).
    #[must_use]
    pub fn share_large_or_more(&self) -> Rate {
        let n = self.band(SizeBand::Large).classes + self.band(SizeBand::SuperLarge).classes;
        Rate::of_counts(n, self.classes).with_years(self.year, self.year)
    }
}

/// The class-size distribution of the classes of `year` in `schools` that
/// `filter` selects.
///
/// ```
/// use eduaid_stats::{class_sizes, ClassFilter, SizeBand};
/// use eduaid_model::{Class, Locality, Ownership, School, SchoolId, SchoolKind, SchoolYear, Stage};
/// let y = SchoolYear::new(2016)?;
/// let mut s = School::new(SchoolId::new("U1")?, "城关一小", SchoolKind::Primary,
///     Ownership::Public, "城关镇", Locality::Urban);
/// s.classes = vec![Class::new(y, Stage::Primary, 1, 70)?, Class::new(y, Stage::Primary, 2, 44)?];
/// let d = class_sizes([&s], y, &ClassFilter::default());
/// assert_eq!(d.average().format(1, eduaid_model::Rounding::HalfUp), "57.0");
/// assert_eq!(d.share_of_classes(SizeBand::SuperLarge).format_percent(0), "50%");
/// assert_eq!(d.share_of_pupils(SizeBand::SuperLarge).format_percent(1), "61.4%");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn class_sizes<'a, I>(schools: I, year: SchoolYear, filter: &ClassFilter) -> ClassSizes
where
    I: IntoIterator<Item = &'a School>,
{
    let mut bands: Vec<BandCount> = SizeBand::ALL
        .iter()
        .map(|b| BandCount {
            band: *b,
            classes: 0,
            pupils: 0,
        })
        .collect();
    let mut out = ClassSizes {
        year,
        classes: 0,
        pupils: 0,
        largest: None,
        bands: Vec::new(),
    };
    for school in schools.into_iter().filter(|s| filter.matches_school(s)) {
        for c in school.classes_in(year).filter(|c| filter.matches_class(c)) {
            let size = u64::from(c.size);
            out.classes = out.classes.saturating_add(1);
            out.pupils = out.pupils.saturating_add(size);
            out.largest = out.largest.max(Some(c.size));
            if let Some(b) = bands.iter_mut().find(|b| b.band == SizeBand::of(c.size)) {
                b.classes = b.classes.saturating_add(1);
                b.pupils = b.pupils.saturating_add(size);
            }
        }
    }
    out.bands = bands;
    out
}

/// A cap on class size (班额上限) in force from a school year, for a stage
/// and optionally one grade: "from autumn 2017, first-year primary ≤ 50".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCap {
    /// The stage.
    pub stage: Stage,
    /// The grade, or every grade of the stage.
    pub grade: Option<u8>,
    /// The most pupils a class may hold.
    pub max: u32,
    /// The first school year the cap applies to.
    pub from: SchoolYear,
}

impl ClassCap {
    /// True if the cap applies to `class`.
    #[must_use]
    pub fn applies_to(&self, class: &Class) -> bool {
        class.stage == self.stage && self.grade.is_none_or(|g| g == class.grade) && class.year >= self.from
    }
}

/// A class over its cap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapBreach {
    /// The school.
    pub school: SchoolId,
    /// The class.
    pub class: Class,
    /// The cap it is over.
    pub cap: ClassCap,
    /// Pupils over the cap.
    pub excess: u32,
}

/// Every class of `year` in the selected schools that exceeds a cap that
/// applies to it, class by class (an average within the cap hides a class
/// over it).
pub fn check_caps<'a, I>(schools: I, year: SchoolYear, filter: &ClassFilter, caps: &[ClassCap]) -> Vec<CapBreach>
where
    I: IntoIterator<Item = &'a School>,
{
    let mut out = Vec::new();
    for school in schools.into_iter().filter(|s| filter.matches_school(s)) {
        for c in school.classes_in(year).filter(|c| filter.matches_class(c)) {
            for cap in caps.iter().filter(|cap| cap.applies_to(c) && c.size > cap.max) {
                out.push(CapBreach {
                    school: school.id.clone(),
                    class: c.clone(),
                    cap: cap.clone(),
                    excess: c.size - cap.max,
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.school, a.class.grade, a.class.size).cmp(&(&b.school, b.class.grade, b.class.size)));
    out
}

/// The class-size distribution of every school year in which the selected
/// schools have classes.
pub fn class_size_series<'a, I>(schools: I, filter: &ClassFilter) -> Series<ClassSizes>
where
    I: IntoIterator<Item = &'a School>,
{
    let schools: Vec<&School> = schools.into_iter().filter(|s| filter.matches_school(s)).collect();
    let years = schools
        .iter()
        .flat_map(|s| s.classes.iter().filter(|c| filter.matches_class(c)).map(|c| c.year));
    Series::over(years, |y| class_sizes(schools.iter().copied(), y, filter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_edges() {
        assert_eq!(SizeBand::of(0), SizeBand::Normal);
        assert_eq!(SizeBand::of(45), SizeBand::Normal);
        assert_eq!(SizeBand::of(46), SizeBand::Above45);
        assert_eq!(SizeBand::of(55), SizeBand::Above45);
        assert_eq!(SizeBand::of(56), SizeBand::Large);
        assert_eq!(SizeBand::of(65), SizeBand::Large);
        assert_eq!(SizeBand::of(66), SizeBand::SuperLarge);
        assert_eq!(SizeBand::of(u32::MAX), SizeBand::SuperLarge);
    }
}

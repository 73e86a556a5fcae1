//! Charts (图): bars and lines drawn with plotters' SVG backend.
//!
//! A [`Chart`] holds exact data (decimals); only drawing converts to
//! floating point, for pixel coordinates. A chart knows nothing of the
//! document it is placed in: its data as a document table
//! (`Chart::data_table`) is written beside the document model, in `doc`. The SVG names the generic
//! `sans-serif` family, so a browser picks its own CJK font and
//! [`crate::raster`] maps it to the CJK font it found.

// Charts genuinely need floats: these are pixel coordinates and axis
// ranges, never money. Amounts stay `Decimal` in the chart's data and are
// converted only to place a bar.
#![allow(
    clippy::float_arithmetic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap
)]

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The chart's plotting area: categories along x, values up y.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<SegmentedCoord<RangedCoordi32>, RangedCoordf64>>;

/// Bars or lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// Vertical bars, one group per category, one bar per series.
    Bar,
    /// One line per series across the categories (years).
    Line,
}

/// One series of values, one per category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    /// The legend name.
    pub name: String,
    /// The values, exact.
    pub values: Vec<Decimal>,
}

/// A horizontal line a series should stay above (a provincial standard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    /// Its label (`省颁标准 95%`).
    pub label: String,
    /// Its value on the y axis.
    pub value: Decimal,
}

/// A chart with its data.
///
/// ```
/// use eduaid_report::{Chart, ChartKind, Series};
/// use rust_decimal::Decimal;
/// let c = Chart::bar("各学段受助学生", "人", &["学前", "小学"], vec![
///     Series { name: "受助学生".into(), values: vec![Decimal::from(2409), Decimal::from(8063)] },
/// ]);
/// let svg = c.to_svg()?;
/// assert!(svg.starts_with("<svg") && svg.contains("学前"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chart {
    /// The caption (numbered 图1, 图2 … when rendered).
    pub title: String,
    /// The unit of the y axis (`人`, `万元`, `%`).
    pub unit: String,
    /// Bars or lines.
    pub kind: ChartKind,
    /// The x-axis categories (programs, stages, years).
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// A standard to draw as a dashed line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// The decimal places of the value labels (`None`: as given): rounded
    /// once, half away from zero (四舍五入), trailing zeros dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_dp: Option<u32>,
}

const WIDTH: u32 = 900;
const HEIGHT: u32 = 500;
const FONT: &str = "sans-serif";
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x2e, 0x5c, 0x8a),
    RGBColor(0xc0, 0x39, 0x2b),
    RGBColor(0x7d, 0x8c, 0x3a),
    RGBColor(0xd6, 0x89, 0x10),
    RGBColor(0x6c, 0x5b, 0x7b),
];

impl Chart {
    /// A bar chart.
    #[must_use]
    pub fn bar(title: impl Into<String>, unit: impl Into<String>, categories: &[&str], series: Vec<Series>) -> Chart {
        Chart {
            title: title.into(),
            unit: unit.into(),
            kind: ChartKind::Bar,
            categories: categories.iter().map(|c| (*c).to_string()).collect(),
            series,
            threshold: None,
            label_dp: None,
        }
    }

    /// A line chart.
    #[must_use]
    pub fn line(title: impl Into<String>, unit: impl Into<String>, categories: &[&str], series: Vec<Series>) -> Chart {
        Chart {
            kind: ChartKind::Line,
            ..Chart::bar(title, unit, categories, series)
        }
    }

    /// Add a threshold line.
    #[must_use]
    pub fn with_threshold(mut self, label: impl Into<String>, value: Decimal) -> Chart {
        self.threshold = Some(Threshold {
            label: label.into(),
            value,
        });
        self
    }

    /// Check that there is data and every series has one value per
    /// category.
    ///
    /// # Errors
    /// [`Error::Chart`] saying what is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |reason: String| Error::Chart {
            title: self.title.clone(),
            reason,
        };
        if self.categories.is_empty() {
            return Err(bad("no categories".into()));
        }
        if self.series.is_empty() {
            return Err(bad("no series".into()));
        }
        for s in &self.series {
            if s.values.len() != self.categories.len() {
                return Err(bad(format!(
                    "series {:?} has {} values for {} categories",
                    s.name,
                    s.values.len(),
                    self.categories.len()
                )));
            }
        }
        Ok(())
    }

    /// Round the value labels to `dp` decimal places (四舍五入, once,
    /// trailing zeros dropped): `1093.2302` 万元 labelled `1093.23`.
    #[must_use]
    pub fn with_label_dp(mut self, dp: u32) -> Chart {
        self.label_dp = Some(dp);
        self
    }

    /// A value as labelled: rounded to [`Chart::label_dp`] places, trailing
    /// zeros dropped.
    #[must_use]
    pub fn label(&self, v: Decimal) -> String {
        match self.label_dp {
            Some(dp) => eduaid_model::Rounding::HalfUp.round(v, dp).normalize().to_string(),
            None => v.normalize().to_string(),
        }
    }

    /// Draw the chart as an SVG document.
    ///
    /// # Errors
    /// [`Error::Chart`] if the data is malformed or drawing fails.
    pub fn to_svg(&self) -> Result<String, Error> {
        self.validate()?;
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw(&root).map_err(|reason| Error::Chart {
                title: self.title.clone(),
                reason,
            })?;
            root.present().map_err(|e| Error::Chart {
                title: self.title.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(buf)
    }

    fn values_f64(&self) -> Vec<Vec<f64>> {
        self.series
            .iter()
            .map(|s| s.values.iter().map(|v| v.to_f64().unwrap_or(0.0)).collect())
            .collect()
    }

    fn y_range(&self) -> (f64, f64) {
        let vals: Vec<f64> = self.values_f64().into_iter().flatten().collect();
        let th = self.threshold.as_ref().and_then(|t| t.value.to_f64());
        let max = vals.iter().copied().chain(th).fold(0.0_f64, f64::max);
        let min = vals.iter().copied().chain(th).fold(f64::INFINITY, f64::min);
        match self.kind {
            ChartKind::Bar => (0.0, nice_ceiling(max * 1.15)),
            ChartKind::Line => {
                let span = (max - min).max(1.0);
                let lo = (min - span * 0.6).floor().max(0.0);
                let hi = (max + span * 0.4).ceil();
                (lo, if hi > lo { hi } else { lo + 1.0 })
            }
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        // No caption inside the picture: every back end prints one under
        // it (图1 …), as official documents do.
        let legend_h = if self.series.len() > 1 || self.threshold.is_some() {
            44
        } else {
            0
        };
        let (_, body) = root.split_vertically(16 + legend_h);
        let n = self.categories.len() as i32;
        let (lo, hi) = self.y_range();
        let mut chart = ChartBuilder::on(&body)
            .margin_left(14)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(60)
            .y_label_area_size(78)
            .build_cartesian_2d((0..(n - 1).max(0)).into_segmented(), lo..hi)
            .map_err(err)?;
        let cats = self.categories.clone();
        let unit = self.unit.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .bold_line_style(RGBColor(0xdd, 0xdd, 0xdd))
            .light_line_style(TRANSPARENT)
            .x_labels(cats.len())
            .y_label_style((FONT, 18))
            // Category labels are drawn below, wrapped to their slot.
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|y| format_tick(*y))
            .y_desc(unit)
            .axis_desc_style((FONT, 19))
            .draw()
            .map_err(err)?;

        let values = self.values_f64();
        Self::draw_category_labels(root, &chart, &cats, lo)?;
        match self.kind {
            ChartKind::Bar => self.draw_bars(root, &chart, &values, lo)?,
            ChartKind::Line => self.draw_lines(root, &mut chart, &values)?,
        }
        self.draw_threshold(root, &chart)?;
        self.draw_legend(root).map_err(err)?;
        Ok(())
    }

    /// The category labels under the x axis, each wrapped to its slot.
    fn draw_category_labels<DB: DrawingBackend>(
        root: &DrawingArea<DB, Shift>,
        chart: &Plot<'_, DB>,
        cats: &[String],
        lo: f64,
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        for (i, c) in cats.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(i as i32), lo));
            let (x_next, _) = chart.backend_coord(&(SegmentValue::CenterOf(i as i32 + 1), lo));
            let slot = (x_next - x).abs().max(40);
            for (k, line) in wrap_label(c, slot, 19).iter().enumerate() {
                let style = TextStyle::from((FONT, 19).into_font())
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Top));
                root.draw(&Text::new(line.clone(), (x, y + 10 + 22 * k as i32), style))
                    .map_err(err)?;
            }
        }
        Ok(())
    }

    /// Bars side by side in each category's slot, each with its value above.
    fn draw_bars<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &Plot<'_, DB>,
        values: &[Vec<f64>],
        lo: f64,
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let n = self.categories.len() as i32;
        let ns = values.len().max(1) as i32;
        let slot_width = {
            let (a, _) = chart.backend_coord(&(SegmentValue::Exact(0), lo));
            let (b, _) = chart.backend_coord(&(SegmentValue::Last, lo));
            f64::from((b - a).max(1)) / f64::from(n.max(1))
        };
        for (ci, _) in self.categories.iter().enumerate() {
            let ci = ci as i32;
            let (x0, y0) = chart.backend_coord(&(SegmentValue::Exact(ci), lo));
            let slot = slot_width;
            let group = slot * 0.7;
            let bar_w = group / f64::from(ns);
            let start = x0 as f64 + (slot - group) / 2.0;
            for (si, s) in values.iter().enumerate() {
                let v = s.get(ci as usize).copied().unwrap_or(0.0);
                let (_, yv) = chart.backend_coord(&(SegmentValue::Exact(ci), v));
                let bx0 = (start + bar_w * si as f64) as i32;
                let bx1 = (start + bar_w * (si as f64 + 1.0)) as i32 - 2;
                let color = PALETTE[si % PALETTE.len()];
                root.draw(&Rectangle::new([(bx0, yv), (bx1.max(bx0 + 1), y0)], color.filled()))
                    .map_err(err)?;
                let label = self.series[si]
                    .values
                    .get(ci as usize)
                    .map(|d| self.label(*d))
                    .unwrap_or_default();
                let style = TextStyle::from((FONT, 18).into_font())
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Bottom));
                root.draw(&Text::new(label, ((bx0 + bx1) / 2, yv - 3), style))
                    .map_err(err)?;
            }
        }
        Ok(())
    }

    /// A line with round markers per series, each point labelled (the
    /// second series' labels below its points, so two lines' do not meet).
    fn draw_lines<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &mut Plot<'_, DB>,
        values: &[Vec<f64>],
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        for (si, s) in values.iter().enumerate() {
            let color = PALETTE[si % PALETTE.len()];
            let pts: Vec<(SegmentValue<i32>, f64)> = s
                .iter()
                .enumerate()
                .map(|(i, v)| (SegmentValue::CenterOf(i as i32), *v))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(3)))
                .map_err(err)?;
            chart
                .draw_series(pts.iter().map(|p| Circle::new(p.clone(), 5, color.filled())))
                .map_err(err)?;
            for (i, p) in pts.iter().enumerate() {
                let (px, py) = chart.backend_coord(p);
                let label = self.series[si]
                    .values
                    .get(i)
                    .map(|d| self.label(*d))
                    .unwrap_or_default();
                let below = si % 2 == 1;
                let style = TextStyle::from((FONT, 18).into_font())
                    .color(&color)
                    .pos(Pos::new(HPos::Center, if below { VPos::Top } else { VPos::Bottom }));
                let dy = if below { 9 } else { -9 };
                root.draw(&Text::new(label, (px, py + dy), style)).map_err(err)?;
            }
        }
        Ok(())
    }

    /// The threshold (a provincial standard) as a dashed red line.
    fn draw_threshold<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        chart: &Plot<'_, DB>,
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        if let Some(th) = &self.threshold {
            let v = th.value.to_f64().unwrap_or(0.0);
            let (x0, y) = chart.backend_coord(&(SegmentValue::Exact(0), v));
            let (x1, _) = chart.backend_coord(&(SegmentValue::Last, v));
            let x1 = x1.max(x0 + 1);
            let mut x = x0;
            while x < x1 {
                let end = (x + 12).min(x1);
                root.draw(&PathElement::new(vec![(x, y), (end, y)], RED.stroke_width(2)))
                    .map_err(err)?;
                x += 20;
            }
        }
        Ok(())
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        if self.series.len() <= 1 && self.threshold.is_none() {
            return Ok(());
        }
        // Entries laid out from an estimate of one em per CJK character.
        let mut entries: Vec<(String, RGBColor, bool)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), PALETTE[i % PALETTE.len()], false))
            .collect();
        if let Some(th) = &self.threshold {
            entries.push((
                format!("{}（{}{}）", th.label, th.value.normalize(), self.unit),
                RED,
                true,
            ));
        }
        let width_of = |s: &str| -> i32 { s.chars().map(|c| if c.is_ascii() { 11 } else { 20 }).sum::<i32>() + 40 };
        let total: i32 = entries.iter().map(|(s, _, _)| width_of(s) + 24).sum();
        let mut x = ((WIDTH as i32) - total) / 2;
        let y = 30;
        for (name, color, dashed) in entries {
            if dashed {
                root.draw(&PathElement::new(vec![(x, y), (x + 12, y)], color.stroke_width(2)))?;
                root.draw(&PathElement::new(vec![(x + 18, y), (x + 30, y)], color.stroke_width(2)))?;
            } else {
                root.draw(&Rectangle::new([(x, y - 7), (x + 30, y + 7)], color.filled()))?;
            }
            let style = TextStyle::from((FONT, 20).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            let w = width_of(&name);
            root.draw(&Text::new(name, (x + 38, y), style))?;
            x += w + 24;
        }
        Ok(())
    }
}

/// Split a label into at most two lines that fit `width` pixels at `size`
/// (a CJK character is one em wide, a Latin one about half).
fn wrap_label(label: &str, width: i32, size: i32) -> Vec<String> {
    let w = |s: &str| -> i32 { s.chars().map(|c| if c.is_ascii() { size / 2 + 1 } else { size }).sum() };
    if w(label) <= width - 6 {
        return vec![label.to_string()];
    }
    let chars: Vec<char> = label.chars().collect();
    let half = chars.len().div_ceil(2);
    vec![chars[..half].iter().collect(), chars[half..].iter().collect()]
}

/// A round number at or above `x` for the top of an axis.
fn nice_ceiling(x: f64) -> f64 {
    if !(x.is_finite()) || x <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * mag >= x {
            return m * mag;
        }
    }
    10.0 * mag
}

/// An axis tick label without float noise: `100`, `2.5`.
fn format_tick(y: f64) -> String {
    let r = (y * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        Chart::line(
            "初中三年巩固率",
            "%",
            &["2014—2015", "2015—2016", "2016—2017"],
            vec![Series {
                name: "初中".into(),
                values: vec![Decimal::new(9886, 2), Decimal::new(9881, 2), Decimal::new(9889, 2)],
            }],
        )
        .with_threshold("省颁标准", Decimal::from(95))
    }

    #[test]
    fn svg_has_labels_and_values() {
        let svg = chart().to_svg().unwrap();
        assert!(svg.contains("初中"));
        assert!(svg.contains("98.86"));
        assert!(svg.contains("2015—2016"));
        assert!(svg.contains("省颁标准"));
    }

    #[test]
    fn malformed_charts_are_errors() {
        let mut c = chart();
        c.series[0].values.pop();
        assert!(matches!(c.to_svg(), Err(Error::Chart { .. })));
        c.categories.clear();
        assert!(c.to_svg().is_err());
    }

    #[test]
    fn long_labels_wrap_in_two() {
        assert_eq!(wrap_label("学前", 80, 19), ["学前"]);
        assert_eq!(wrap_label("普高免学杂费", 80, 19), ["普高免", "学杂费"]);
    }

    #[test]
    fn ticks_and_ceilings() {
        assert_eq!(format_tick(100.0), "100");
        assert_eq!(format_tick(2.5), "2.5");
        assert_eq!(nice_ceiling(673.0), 800.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }
}

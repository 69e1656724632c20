//! What a figure is, as data: panels of series on labelled axes, a caption, the post's
//! claim and the numeric checks behind its verdict.
//!
//! The library computes everything a figure shows; a renderer (the `saddle report`
//! command draws with plotters) only maps these types to pixels, so that the CSV of a
//! figure ([`Figure::csv`]) is exactly the data drawn.

use std::fmt::Write as _;

/// Colours by role, mapped to a fixed palette by the renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Blue: simulation, the main series.
    Blue,
    /// Red: the post's emphasis (|x_n| ≤ |x₀|, the concave direction, an exact curve).
    Red,
    /// Green: the convex direction, a second simulation.
    Green,
    /// Orange: a wrong or literal formula.
    Orange,
    /// Purple: a third series.
    Purple,
    /// Grey: contours, guides.
    Grey,
    /// Black: exact references.
    Black,
}

/// How a series is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A solid polyline through the points.
    Line,
    /// A dashed polyline through the points.
    Dashed,
    /// Markers of the given radius (pixels at 800 px width).
    Points {
        /// Marker radius.
        radius: u32,
    },
    /// A histogram: each point is (bin centre, height) and bars are `width` wide.
    Bars {
        /// Bin width in x units.
        width: f64,
    },
    /// Points with vertical error bars from `Series::band`.
    ErrorBars,
    /// A shaded band between `Series::band` lower and upper values, with a line at the points.
    Band,
}

/// One series of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The legend entry (`None`: not in the legend).
    pub label: Option<String>,
    /// How it is drawn.
    pub kind: Kind,
    /// Its colour.
    pub colour: Colour,
    /// The points `(x, y)`.
    pub points: Vec<(f64, f64)>,
    /// Lower and upper values at each point (error bars and bands), else empty.
    pub band: Vec<(f64, f64)>,
}

impl Series {
    /// A series of `kind` with no band.
    pub fn new(label: Option<&str>, kind: Kind, colour: Colour, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.map(str::to_owned),
            kind,
            colour,
            points,
            band: Vec::new(),
        }
    }
    /// A solid line.
    pub fn line(label: &str, colour: Colour, points: Vec<(f64, f64)>) -> Self {
        Self::new(Some(label), Kind::Line, colour, points)
    }
    /// Points with error bars `(lo, hi)`.
    pub fn error_bars(
        label: &str,
        colour: Colour,
        points: Vec<(f64, f64)>,
        band: Vec<(f64, f64)>,
    ) -> Self {
        Self {
            band,
            ..Self::new(Some(label), Kind::ErrorBars, colour, points)
        }
    }
    /// Removes the series from the legend.
    pub fn unlabelled(mut self) -> Self {
        self.label = None;
        self
    }
}

/// An axis: label (with units or symbols), range and scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The label.
    pub label: String,
    /// The range shown, `lo < hi` (both `> 0` on a log axis).
    pub range: (f64, f64),
    /// Logarithmic scale.
    pub log: bool,
}

impl Axis {
    /// A linear axis.
    pub fn linear(label: &str, lo: f64, hi: f64) -> Self {
        Self {
            label: label.to_owned(),
            range: (lo, hi),
            log: false,
        }
    }
    /// A logarithmic axis.
    pub fn log(label: &str, lo: f64, hi: f64) -> Self {
        Self {
            log: true,
            ..Self::linear(label, lo, hi)
        }
    }
}

/// One plot area.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The panel's title (short).
    pub title: String,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis.
    pub y: Axis,
    /// The series, drawn in order.
    pub series: Vec<Series>,
    /// Same scale on both axes (contour plots).
    pub equal_aspect: bool,
}

impl Panel {
    /// A panel with no series.
    pub fn new(title: &str, x: Axis, y: Axis) -> Self {
        Self {
            title: title.to_owned(),
            x,
            y,
            series: Vec::new(),
            equal_aspect: false,
        }
    }
    /// Adds a series.
    pub fn with(mut self, s: Series) -> Self {
        self.series.push(s);
        self
    }
}

/// A numeric check behind a verdict: what was compared, the statistic, the threshold
/// and the sample size, in one line; and whether it passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The line shown, for example `KS D = 0.004 < 0.0061 at α = 0.01, 10⁵ samples`.
    pub text: String,
    /// Whether the comparison came out as the verdict says.
    pub passed: bool,
}

impl Check {
    /// A check with its line and outcome.
    pub fn new(passed: bool, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            passed,
        }
    }
}

/// A figure of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The file stem (the post's image name where it has one).
    pub name: &'static str,
    /// A short title.
    pub title: String,
    /// The caption: states every parameter.
    pub caption: String,
    /// The panels, drawn left to right, `columns` per row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    /// The numeric checks.
    pub checks: Vec<Check>,
}

impl Figure {
    /// The data drawn, one row per point: `panel,series,index,kind,x,y,lo,hi` with a
    /// header line: the panel's title, the series' legend label (empty if none), the
    /// series' index within its panel (which tells unlabelled polylines apart), how it is
    /// drawn, the point, and its band (`lo`, `hi` empty without one). Numbers are written in Rust's shortest
    /// round-trip form, so the CSV is a function of the data alone.
    pub fn csv(&self) -> String {
        let mut out = String::from("panel,series,index,kind,x,y,lo,hi\n");
        for p in &self.panels {
            for (index, s) in p.series.iter().enumerate() {
                let kind = match s.kind {
                    Kind::Line => "line",
                    Kind::Dashed => "dashed",
                    Kind::Points { .. } => "points",
                    Kind::Bars { .. } => "bars",
                    Kind::ErrorBars => "error_bars",
                    Kind::Band => "band",
                };
                let label = s.label.as_deref().unwrap_or("");
                for (i, &(x, y)) in s.points.iter().enumerate() {
                    let _ = write!(
                        out,
                        "{},{},{index},{kind},{x},{y},",
                        csv_field(&p.title),
                        csv_field(label)
                    );
                    match s.band.get(i) {
                        Some((lo, hi)) => {
                            let _ = writeln!(out, "{lo},{hi}");
                        }
                        None => out.push_str(",\n"),
                    }
                }
            }
        }
        out
    }
    /// Whether every check passed.
    pub fn all_passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

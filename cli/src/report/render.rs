//! Draws a [`Figure`] with plotters, to SVG and to PNG. Text uses DejaVu Sans, embedded
//! through the `dejavu` crate and drawn by ab_glyph, so no system font is needed.
//!
//! Everything drawn is clipped to the panel's axis ranges here (plotters does not clip
//! lines), so a series may extend beyond the range it is shown in.

use anyhow::{Context, anyhow};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use saddle_sde::report::{Colour, Figure, Kind, Panel};
use std::path::Path;
use std::sync::Once;

/// Pixels per panel; a figure is at most [`MAX_COLUMNS`] panels wide, so that it stays
/// readable shown 800 px wide.
const PANEL: (u32, u32) = (480, 440);
const MAX_COLUMNS: usize = 2;
const FONT: &str = "sans-serif";

static FONT_INIT: Once = Once::new();

/// Registers the embedded font once.
fn fonts() -> anyhow::Result<()> {
    let mut result = Ok(());
    FONT_INIT.call_once(|| {
        result = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| anyhow!("the embedded DejaVu Sans font did not load"));
    });
    result
}

fn rgb(c: Colour) -> RGBColor {
    match c {
        Colour::Blue => RGBColor(31, 119, 180),
        Colour::Red => RGBColor(214, 39, 40),
        Colour::Green => RGBColor(44, 160, 44),
        Colour::Orange => RGBColor(255, 127, 14),
        Colour::Purple => RGBColor(148, 103, 189),
        Colour::Grey => RGBColor(170, 170, 170),
        Colour::Black => RGBColor(0, 0, 0),
    }
}

/// The image size of `fig`.
pub fn size(fig: &Figure) -> (u32, u32) {
    let cols = fig.columns.clamp(1, fig.panels.len().clamp(1, MAX_COLUMNS));
    let rows = fig.panels.len().div_ceil(cols).max(1);
    (PANEL.0 * cols as u32, PANEL.1 * rows as u32)
}

/// The figure as an SVG document.
pub fn svg(fig: &Figure) -> anyhow::Result<String> {
    fonts()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size(fig)).into_drawing_area();
        draw(&root, fig)?;
        root.present().map_err(|e| anyhow!("{e}"))?;
    }
    Ok(out)
}

/// The figure as a PNG file at `path`.
pub fn png(fig: &Figure, path: &Path) -> anyhow::Result<()> {
    fonts()?;
    let root = BitMapBackend::new(path, size(fig)).into_drawing_area();
    draw(&root, fig)?;
    root.present()
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("writing {}", path.display()))
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, fig: &Figure) -> anyhow::Result<()> {
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let cols = fig.columns.clamp(1, fig.panels.len().clamp(1, MAX_COLUMNS));
    let rows = fig.panels.len().div_ceil(cols).max(1);
    let areas = root.split_evenly((rows, cols));
    for (area, panel) in areas.iter().zip(&fig.panels) {
        let (xr, yr) = ranges(panel);
        match (panel.x.log, panel.y.log) {
            (false, false) => chart(area, panel, xr.0..xr.1, yr.0..yr.1),
            (true, false) => chart(area, panel, (xr.0..xr.1).log_scale(), yr.0..yr.1),
            (false, true) => chart(area, panel, xr.0..xr.1, (yr.0..yr.1).log_scale()),
            (true, true) => chart(
                area,
                panel,
                (xr.0..xr.1).log_scale(),
                (yr.0..yr.1).log_scale(),
            ),
        }?;
    }
    Ok(())
}

/// The ranges shown: the panel's, widened on one axis for equal aspect.
fn ranges(p: &Panel) -> ((f64, f64), (f64, f64)) {
    let (mut x, mut y) = (p.x.range, p.y.range);
    if p.equal_aspect && !p.x.log && !p.y.log {
        // the plotting area, without the label areas and margins below
        let (w, h) = ((PANEL.0 - 90) as f64, (PANEL.1 - 110) as f64);
        let (sx, sy) = ((x.1 - x.0) / w, (y.1 - y.0) / h);
        if sx > sy {
            let half = 0.5 * sx * h;
            let mid = 0.5 * (y.0 + y.1);
            y = (mid - half, mid + half);
        } else {
            let half = 0.5 * sy * w;
            let mid = 0.5 * (x.0 + x.1);
            x = (mid - half, mid + half);
        }
    }
    (x, y)
}

fn tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e4).contains(&a) {
        let e = a.log10().round();
        if (a / 10f64.powf(e) - 1.0).abs() < 1e-9 {
            return format!("{}1e{}", if v < 0.0 { "-" } else { "" }, e as i32);
        }
        return format!("{v:.1e}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn chart<DB, X, Y>(area: &DrawingArea<DB, Shift>, p: &Panel, xr: X, yr: Y) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| anyhow!("{e}");
    let mut c = ChartBuilder::on(area)
        .caption(&p.title, (FONT, 19))
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(66)
        .build_cartesian_2d(xr, yr)
        .map_err(err)?;
    c.configure_mesh()
        .x_desc(p.x.label.as_str())
        .y_desc(p.y.label.as_str())
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 17))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(err)?;
    let clip = Clip::new(p);
    let mut labelled = false;
    for s in &p.series {
        let col = rgb(s.colour);
        let anno = match &s.kind {
            Kind::Line => c
                .draw_series(
                    clip.polyline(&s.points)
                        .into_iter()
                        .map(|seg| PathElement::new(seg, col.stroke_width(2))),
                )
                .map_err(err)?,
            Kind::Dashed => {
                let mut segs = Vec::new();
                for seg in clip.polyline(&s.points) {
                    segs.extend(dashes(&clip, &seg));
                }
                c.draw_series(
                    segs.into_iter()
                        .map(|d| PathElement::new(d, col.stroke_width(2))),
                )
                .map_err(err)?
            }
            Kind::Points { radius } => c
                .draw_series(
                    s.points
                        .iter()
                        .filter(|p| clip.inside(**p))
                        .map(|&p| Circle::new(p, *radius, col.mix(0.8).filled())),
                )
                .map_err(err)?,
            Kind::Bars { width } => {
                let base = clip.y.0.max(if p.y.log { clip.y.0 } else { 0.0 });
                c.draw_series(s.points.iter().filter_map(|&(x, y)| {
                    let (x0, x1) = (
                        (x - width / 2.0).max(clip.x.0),
                        (x + width / 2.0).min(clip.x.1),
                    );
                    let top = y.min(clip.y.1);
                    (x0 < x1 && top > base)
                        .then(|| Rectangle::new([(x0, base), (x1, top)], col.mix(0.55).filled()))
                }))
                .map_err(err)?
            }
            Kind::ErrorBars => {
                let bars = s
                    .points
                    .iter()
                    .zip(&s.band)
                    .filter(|(p, _)| clip.inside(**p))
                    .map(|(&(x, y), &(lo, hi))| {
                        ErrorBar::new_vertical(
                            x,
                            lo.max(clip.y.0),
                            y,
                            hi.min(clip.y.1),
                            col.stroke_width(2),
                            8,
                        )
                    });
                c.draw_series(bars).map_err(err)?;
                c.draw_series(
                    s.points
                        .iter()
                        .filter(|p| clip.inside(**p))
                        .map(|&p| Circle::new(p, 3, col.filled())),
                )
                .map_err(err)?
            }
            Kind::Band => {
                let mut poly: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .zip(&s.band)
                    .map(|(&(x, _), &(_, hi))| clip.clamp((x, hi)))
                    .collect();
                poly.extend(
                    s.points
                        .iter()
                        .zip(&s.band)
                        .rev()
                        .map(|(&(x, _), &(lo, _))| clip.clamp((x, lo))),
                );
                c.draw_series(std::iter::once(Polygon::new(poly, col.mix(0.2).filled())))
                    .map_err(err)?;
                c.draw_series(
                    clip.polyline(&s.points)
                        .into_iter()
                        .map(|seg| PathElement::new(seg, col.stroke_width(2))),
                )
                .map_err(err)?
            }
        };
        if let Some(label) = &s.label {
            labelled = true;
            let (style, len): (ShapeStyle, i32) = match s.kind {
                Kind::Points { .. } | Kind::ErrorBars => (col.filled().stroke_width(8), 8),
                Kind::Bars { .. } => (col.mix(0.55).filled().stroke_width(12), 16),
                Kind::Dashed => (col.stroke_width(2), 8),
                Kind::Line | Kind::Band => (col.stroke_width(2), 18),
            };
            anno.label(label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + len, y)], style));
        }
    }
    if labelled {
        c.configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .label_font((FONT, 15))
            .position(clip.emptiest_corner(&p.series))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}

/// Clipping in data coordinates (log axes clip in log space).
struct Clip {
    x: (f64, f64),
    y: (f64, f64),
    xlog: bool,
    ylog: bool,
}

impl Clip {
    fn new(p: &Panel) -> Self {
        let (x, y) = ranges(p);
        Self {
            x,
            y,
            xlog: p.x.log,
            ylog: p.y.log,
        }
    }
    fn inside(&self, (x, y): (f64, f64)) -> bool {
        x.is_finite()
            && y.is_finite()
            && self.x.0 <= x
            && x <= self.x.1
            && self.y.0 <= y
            && y <= self.y.1
    }
    fn clamp(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (x.clamp(self.x.0, self.x.1), y.clamp(self.y.0, self.y.1))
    }
    fn fwd(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            if self.xlog { x.ln() } else { x },
            if self.ylog { y.ln() } else { y },
        )
    }
    fn back(&self, (x, y): (f64, f64)) -> (f64, f64) {
        (
            if self.xlog { x.exp() } else { x },
            if self.ylog { y.exp() } else { y },
        )
    }
    /// The corner whose box (45% of the width, 35% of the height) holds the fewest
    /// points of the series: where the legend hides the least.
    fn emptiest_corner(&self, series: &[saddle_sde::report::Series]) -> SeriesLabelPosition {
        let lo = self.fwd((self.x.0, self.y.0));
        let hi = self.fwd((self.x.1, self.y.1));
        let mut counts = [0usize; 4]; // UR, UL, LR, LL
        for s in series {
            for &p in &s.points {
                if !self.inside(p) {
                    continue;
                }
                let q = self.fwd(p);
                let (u, v) = ((q.0 - lo.0) / (hi.0 - lo.0), (q.1 - lo.1) / (hi.1 - lo.1));
                let (right, left, up, down) = (u > 0.55, u < 0.45, v > 0.65, v < 0.35);
                counts[0] += usize::from(right && up);
                counts[1] += usize::from(left && up);
                counts[2] += usize::from(right && down);
                counts[3] += usize::from(left && down);
            }
        }
        let best = (0..4).min_by_key(|&i| counts[i]).unwrap_or(0);
        [
            SeriesLabelPosition::UpperRight,
            SeriesLabelPosition::UpperLeft,
            SeriesLabelPosition::LowerRight,
            SeriesLabelPosition::LowerLeft,
        ][best]
            .clone()
    }
    /// The parts of a polyline inside the box (Liang–Barsky per segment).
    fn polyline(&self, pts: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let lo = self.fwd((self.x.0, self.y.0));
        let hi = self.fwd((self.x.1, self.y.1));
        let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut cur: Vec<(f64, f64)> = Vec::new();
        for w in pts.windows(2) {
            let (a, b) = (self.fwd(w[0]), self.fwd(w[1]));
            let ok = [a.0, a.1, b.0, b.1].iter().all(|v| v.is_finite());
            let seg = if ok { liang_barsky(a, b, lo, hi) } else { None };
            match seg {
                Some((p, q)) => {
                    let (p, q) = (self.back(p), self.back(q));
                    if cur.last() != Some(&p) {
                        if cur.len() > 1 {
                            out.push(std::mem::take(&mut cur));
                        }
                        cur.clear();
                        cur.push(p);
                    }
                    cur.push(q);
                }
                None => {
                    if cur.len() > 1 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                }
            }
        }
        if cur.len() > 1 {
            out.push(cur);
        }
        out
    }
}

fn liang_barsky(
    a: (f64, f64),
    b: (f64, f64),
    lo: (f64, f64),
    hi: (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - lo.0),
        (dx, hi.0 - a.0),
        (-dy, a.1 - lo.1),
        (dy, hi.1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    (t0 <= t1).then_some((
        (a.0 + t0 * dx, a.1 + t0 * dy),
        (a.0 + t1 * dx, a.1 + t1 * dy),
    ))
}

/// A polyline cut into dashes of about 1/60 of the panel's width (in the axes' own,
/// possibly logarithmic, coordinates).
fn dashes(clip: &Clip, seg: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let lo = clip.fwd((clip.x.0, clip.y.0));
    let hi = clip.fwd((clip.x.1, clip.y.1));
    let (sx, sy) = (hi.0 - lo.0, hi.1 - lo.1);
    let dash = 1.0 / 60.0;
    let mut out = Vec::new();
    let mut on = true;
    let mut left = dash;
    let mut cur = vec![seg[0]];
    for w in seg.windows(2) {
        let (a, b) = (clip.fwd(w[0]), clip.fwd(w[1]));
        let len = ((b.0 - a.0) / sx).hypot((b.1 - a.1) / sy);
        let mut t = 0.0;
        while len > 0.0 && (1.0 - t) * len > left {
            t += left / len;
            let p = clip.back((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
            if on {
                cur.push(p);
                out.push(std::mem::take(&mut cur));
            } else {
                cur = vec![p];
            }
            on = !on;
            left = dash;
        }
        left -= (1.0 - t) * len;
        if on {
            cur.push(w[1]);
        }
    }
    if on && cur.len() > 1 {
        out.push(cur);
    }
    out
}

//! The post's example: gradient descent on a two-minimum surface that is "shaken" by a
//! random translation at every step (`sdg_0noise`, `sdg_1noise`, `sdg_2noise`).
//!
//! The post does not give its surface. Here it is the report's double well
//! `f(x, y) = (x² − 4)²/16 + y²/2`, and a step is `x ← x − lr·∇f(x − δ)`,
//! `δ ~ N(0, s²I)` (the surface translated by `δ`). Averaged over `δ`, the surface is
//! `E f(x − δ) = f(x) + (3s²/c²)·x²/2 + const` near the origin (the quartic's Jensen
//! term), so its x-curvature at the saddle is `−1 + 3s²/c²`: still negative for
//! `s = 1` (`−¼`: the runs linger along the ridge), positive for `s = 2` (`+2`: the
//! saddle becomes the bottom of the averaged surface and traps the runs).

use super::surface::{DoubleWell, Plan, Runs, ShakenDescent, descend};
use super::{Z_CHECK, count, sig, wilson};
use crate::error::Result;
use crate::report::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};

const WELL: DoubleWell = DoubleWell { c: 2.0 };
const LR: f64 = 0.02;
const START: (f64, f64) = (0.4, 2.5);
const STEPS: usize = 1000;
const EVERY: usize = 10;
const RADIUS: f64 = 0.5;
const NOISE: [f64; 3] = [0.0, 1.0, 2.0];
const CONF: f64 = super::CONF_CHECK;

fn plan(s: &Settings, k: u64) -> Plan {
    Plan {
        start: START,
        steps: STEPS,
        paths: s.pick(20_000, 4_000),
        every: EVERY,
        radius: RADIUS,
        keep: 300,
        seed: s.seed_for("sdg", k),
    }
}

/// The runs at each noise level `s = 0, 1, 2` (the same for the three figures).
fn study(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Vec<Runs>> {
    NOISE
        .iter()
        .enumerate()
        .map(|(k, &noise)| {
            let step = ShakenDescent {
                well: WELL,
                lr: LR,
                s: noise,
            };
            descend(step, &plan(s, k as u64), &mut |f| {
                progress((k as f64 + f) / NOISE.len() as f64)
            })
        })
        .collect()
}

fn figure(
    name: &'static str,
    which: usize,
    s: &Settings,
    progress: &mut dyn FnMut(f64),
) -> Result<Figure> {
    let runs = study(s, progress)?;
    let noise = NOISE[which];
    let own = &runs[which];
    let paths = own.paths;
    let colours = [Colour::Blue, Colour::Green, Colour::Red];

    let mut p1 = Panel::new(
        &format!("shaken by N(0, {}²) translations", noise),
        Axis::linear("x₁", -3.5, 3.5),
        Axis::linear("x₂", -2.0, 3.0),
    );
    p1.equal_aspect = true;
    p1.series = WELL.contour_series(&[0.1, 0.4, 1.0, 1.5, 2.5, 4.0]);
    p1.series.push(Series::new(
        Some("one run"),
        Kind::Line,
        Colour::Black,
        own.path0.clone(),
    ));
    let ends: Vec<(f64, f64)> = own.ends.clone();
    p1.series.push(Series::new(
        Some(&format!("x_{STEPS} of {} runs", ends.len())),
        Kind::Points { radius: 3 },
        colours[which],
        ends,
    ));
    p1.series.push(Series::new(
        Some(&format!("|x| = {RADIUS}")),
        Kind::Dashed,
        Colour::Orange,
        (0..=100)
            .map(|i| {
                let a = std::f64::consts::TAU * i as f64 / 100.0;
                (RADIUS * a.cos(), RADIUS * a.sin())
            })
            .collect(),
    ));

    let mut p2 = Panel::new(
        "runs near the saddle",
        Axis::linear("step n", 0.0, STEPS as f64),
        Axis::linear(&format!("fraction with |x_n| < {RADIUS}"), 0.0, 1.0),
    );
    for (k, r) in runs.iter().enumerate() {
        let (mut pts, mut band) = (Vec::new(), Vec::new());
        for (j, &c) in r.near.iter().enumerate() {
            let (p, ci) = wilson(c, r.paths, CONF)?;
            pts.push((((j + 1) * EVERY) as f64, p));
            band.push((ci.lower, ci.upper));
        }
        let mut series = Series::new(
            Some(&format!("s = {}", NOISE[k])),
            Kind::Band,
            colours[k],
            pts,
        );
        series.band = band;
        p2.series.push(series);
    }
    let last = STEPS / EVERY - 1;
    let ci = |k: usize, j: usize| wilson(runs[k].near[j], runs[k].paths, CONF).map(|x| x.1);
    let (c0, c1, c2) = (ci(0, last)?, ci(1, last)?, ci(2, last)?);
    let rising = c0.upper < c1.lower && c1.upper < c2.lower;
    let fmt = |k: usize| -> Result<String> {
        let (p, c) = wilson(runs[k].near[last], runs[k].paths, CONF)?;
        Ok(format!(
            "{} [{}, {}]",
            sig(p, 3),
            sig(c.lower, 3),
            sig(c.upper, 3)
        ))
    };
    let mut checks = vec![Check::new(
        rising,
        format!(
            "fraction of runs within {RADIUS} of the saddle after {STEPS} steps rises with s: {} (s = 0), {} (s = 1), {} (s = 2); Wilson intervals at 1 − 2·10⁻⁶, {} runs each, disjoint",
            fmt(0)?,
            fmt(1)?,
            fmt(2)?,
            count(paths)
        ),
    )];
    let curvature = -1.0 + 3.0 * noise * noise / (WELL.c * WELL.c);
    match which {
        0 => {
            let end = *own.path0.last().expect("a run has a start");
            let d = (end.0 - WELL.c).hypot(end.1);
            checks.push(Check::new(
                d < 1e-6 && own.diverged == 0,
                format!("without noise every run is the same descent; it ends {} from the minimum (2, 0)", sig(d, 2)),
            ));
        }
        1 => {
            // not rolling into the basin: fewer runs end at a minimum than without
            // shaking; and lingering: each run's share of time near the saddle, averaged
            // over the runs, above the unshaken descent's (one deterministic run)
            let (o1, o0) = (&runs[1].occupation, &runs[0].occupation);
            let lo = o1.mean() - Z_CHECK * o1.stderr();
            let (m1, i1) = wilson(runs[1].at_minimum, runs[1].paths, CONF)?;
            let (m0, i0) = wilson(runs[0].at_minimum, runs[0].paths, CONF)?;
            let settle = (WELL.c * WELL.c - 3.0 * noise * noise).sqrt();
            checks.push(Check::new(
                i1.upper < i0.lower && lo > o0.mean(),
                format!(
                    "not into the basin: {} [{}, {}] of the runs with s = 1 end within {RADIUS} of a minimum (±2, 0), against {} [{}, {}] without shaking (Wilson at 1 − 2·10⁻⁶); they settle near the averaged surface's minima x₁ = ±√(c² − 3s²) = ±{}. Lingering: a run spends {} ± {} (s.e.) of its {STEPS} steps within {RADIUS} of the saddle, against {} without shaking (lower bound at 1 − 2·10⁻⁶: {})",
                    sig(m1, 3),
                    sig(i1.lower, 3),
                    sig(i1.upper, 3),
                    sig(m0, 3),
                    sig(i0.lower, 3),
                    sig(i0.upper, 3),
                    sig(settle, 3),
                    sig(o1.mean(), 3),
                    sig(o1.stderr(), 2),
                    sig(o0.mean(), 3),
                    sig(lo, 3)
                ),
            ));
        }
        _ => {
            checks.push(Check::new(
                c2.lower > 0.5,
                format!(
                    "trapped: most runs with s = 2 end near the saddle ({}); averaged x-curvature at the saddle −1 + 3s²/c² = {curvature} > 0",
                    fmt(2)?
                ),
            ));
        }
    }
    let diverged: u64 = runs.iter().map(|r| r.diverged).sum();
    checks.push(Check::new(
        diverged == 0,
        format!(
            "no run diverged ({diverged} of {} non-finite)",
            count(3 * paths)
        ),
    ));
    Ok(Figure {
        name,
        title: format!("Gradient descent on a shaken surface, s = {noise}"),
        caption: format!(
            "{} (the post does not give its surface; minima (±2, 0), saddle (0, 0)). Each step \
             x ← x − lr ∇f(x − δ), δ ~ N(0, s² I) (the surface translated by δ), lr = {LR}, \
             x₀ = ({}, {}), {STEPS} steps, {} runs per s. Left: the end points of 300 runs and one \
             run. Right: the fraction of runs within {RADIUS} of the saddle for s = 0, 1, 2 with 1 − 2·10⁻⁶ \
             Wilson bands. Averaged over δ the surface is x₁⁴/(4c²) + (3s²/c² − 1)x₁²/2 + x₂²/2 + \
             const: its x₁-curvature at the saddle is −1 + 3s²/c² = −1, −0.25, +2 for s = 0, 1, 2, \
             and its minima sit at x₁ = ±√(c² − 3s²) = ±2, ±1 for s = 0, 1 (for s = 2 the saddle \
             itself is the minimum). Strong shaking turns the saddle into the bottom of the \
             averaged surface: a trap made by the mean, beside the post's zero-mean attractive noise.",
            WELL.formula(),
            START.0,
            START.1,
            count(paths)
        ),
        panels: vec![p1, p2],
        columns: 2,
        checks,
    })
}

/// `sdg_0noise`: no shaking.
pub(crate) fn sdg_0noise(s: &Settings, p: &mut dyn FnMut(f64)) -> Result<Figure> {
    figure("sdg_0noise", 0, s, p)
}
/// `sdg_1noise`: shaken with standard deviation 1.
pub(crate) fn sdg_1noise(s: &Settings, p: &mut dyn FnMut(f64)) -> Result<Figure> {
    figure("sdg_1noise", 1, s, p)
}
/// `sdg_2noise`: shaken with standard deviation 2.
pub(crate) fn sdg_2noise(s: &Settings, p: &mut dyn FnMut(f64)) -> Result<Figure> {
    figure("sdg_2noise", 2, s, p)
}

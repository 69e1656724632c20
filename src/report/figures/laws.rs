//! The post's limit-law figures: `stat_dist` (the stationary Pearson IV laws and the
//! boundary case without one), `correlated` (the `|ρ| = 1` inverse-gamma limit against
//! the post's literal formula) and `uncorelated` (the Gaussian mixture of Case 2 at
//! finite times).
//!
//! Simulation design of the limit laws (as `tests/analytic/analytic_limits_mc.rs`):
//! the law-equivalent one-noise model ([`LawEquivalentSaddle`], the same generator as
//! the saddle SDE, hence the same law at every time) stepped with Milstein from a fixed
//! `x₀` to `T`, and a one-sample Kolmogorov–Smirnov test of `N` terminal values at
//! `α ≈ 0.001`, `D_crit = 1.95/√N`. Full mode: `N = 30 000`, `dt = 10⁻³`, `T = 40`;
//! quick mode: `N = 5 000`, `dt = 2·10⁻³`, `T = 30`.
//!
//! Relaxation: far out, `ln|x|` is a random walk with drift `a − σ²/2 = −1` and
//! volatility `σ = 2`; conditioned on reaching a level `R` it has drift `+1`, so `R` is
//! reached after `≈ ln R` time units with standard deviation `≈ 2√(ln R)`. The levels
//! carrying the last `D_crit/4` of mass must be populated by `T`. Full mode:
//! `D_crit/4 ≈ 0.0028`, beyond `R ≈ 4·10⁴` for both stationary laws of `stat_dist`,
//! reached after `ln R` + 3 standard deviations `≈ 31` time units (the tests'
//! conservative `R ≈ 10⁵` gives `≈ 33`), well before `T = 40`. Quick mode makes the
//! weaker claim at its own, larger `D_crit`: `D_crit/4 ≈ 0.0069`, beyond `R ≈ 6·10³`,
//! reached after `≈ 28` time units, so `T = 30` leaves a margin of 2 time units
//! (`T = 40` would cost about a fifth more time).
//!
//! Discretisation: Milstein is weak order 1, so the chain's invariant law is `O(dt)`
//! from the exact one in CDF, bounded by `2.5·dt` as in the tests (`2.5·10⁻³` at
//! `dt = 10⁻³`, `5·10⁻³` at `2·10⁻³`). For the KS test to keep its size at the chosen
//! `N` that bound must be at most `D_crit/3`; this compares constants of the design, so
//! it is stated in the captions, not shown as a check, and a setting that violated it
//! is refused with an error (`bias_design`).

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::{CONF_CHECK, Z_CHECK, ks_crit};
use crate::analytic::inverse_gamma_limit::InverseGammaLimit;
use crate::analytic::saddle::fourth_central_moment;
use crate::analytic::stationary::StationaryLaw;
use crate::analytic::uncorrelated::UncorrelatedLaw;
use crate::ensemble::{Collect, Ensemble, Histogram, run_ordered};
use crate::error::{Error, Result};
use crate::integrate::Grid;
use crate::models::{LawEquivalentSaddle, SaddleSde};
use crate::noise::path_rng;
use crate::scheme::{EulerMaruyama, Milstein, ScalarScheme};
use crate::sde::ScalarSde;
use crate::uncertainty::{
    Proportion, QuantileInterval, kolmogorov_sf, ks_distance, ks_distance_two,
};
use rand_distr::Distribution;
use statrs::distribution::{Continuous, ContinuousCDF, InverseGamma, Normal};

/// Bound on the CDF bias of the Milstein chain's law, per unit of `dt` (the tests'
/// `5·10⁻³` at `dt = 2·10⁻³`); see `bias_design`.
const BIAS_PER_DT: f64 = 2.5;

/// Values at `times` of `paths` paths of `sde` (scheme `scheme`) from `x0`, time-major
/// (`out[k]` holds the values at `times[k]` in path order); progress mapped to
/// `[lo, hi]`.
#[allow(clippy::too_many_arguments)]
fn simulate<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: Grid,
    times: &[f64],
    paths: u64,
    seed: u64,
    progress: &mut dyn FnMut(f64),
    (lo, hi): (f64, f64),
) -> Result<Vec<Vec<f64>>>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    let snaps = Ensemble::new(sde, scheme)
        .start(x0)
        .grid(grid)
        .paths(paths)
        .seed(seed)
        .progress(|d, t| progress(lo + (hi - lo) * d as f64 / t as f64))
        .snapshots(times, paths)?;
    let nt = times.len();
    let out: Vec<Vec<f64>> = (0..nt)
        .map(|k| snaps.kept.iter().skip(k).step_by(nt).copied().collect())
        .collect();
    if out.iter().flatten().any(|x| !x.is_finite()) {
        return Err(Error::DoesNotExist {
            what: "figure sample",
            condition: "every simulated path must stay finite".into(),
        });
    }
    Ok(out)
}

/// Sorts a sample in place and returns it.
fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// The density histogram of `xs` on `[lo, hi)` with `bins` bins, normalised by the
/// whole sample (mass outside the range counts), as bars or as a line.
/// The density histogram of `xs` as blue bars labelled `label`.
fn bars(label: &str, xs: &[f64], (lo, hi): (f64, f64), bins: usize) -> Result<Series> {
    Ok(Series::new(
        Some(label),
        Kind::Bars {
            width: (hi - lo) / bins as f64,
        },
        Colour::Blue,
        density(xs, lo, hi, bins)?,
    ))
}

fn density(xs: &[f64], lo: f64, hi: f64, bins: usize) -> Result<Vec<(f64, f64)>> {
    let mut h = Histogram::new(lo, hi, bins)?;
    for &x in xs {
        h.push(x);
    }
    let w = h.resolution();
    let n = xs.len() as f64;
    Ok(h.counts()
        .iter()
        .enumerate()
        .map(|(k, &c)| (h.bin_left(k) + 0.5 * w, c as f64 / (n * w)))
        .collect())
}

/// `f` on `n` equally spaced points of `[lo, hi]`.
fn curve(lo: f64, hi: f64, n: usize, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (n - 1) as f64;
            (x, f(x))
        })
        .collect()
}

/// `sup |F − G|` over the `i/4000` quantiles of `F` (grid error ≤ 1/4000 plus the
/// variation of `G` between nodes).
fn law_distance(f_inv: impl Fn(f64) -> f64, f: impl Fn(f64) -> f64, g: impl Fn(f64) -> f64) -> f64 {
    (1..4000)
        .map(|i| {
            let x = f_inv(i as f64 / 4000.0);
            (f(x) - g(x)).abs()
        })
        .fold(0.0, f64::max)
}

/// Four significant digits.
fn g4(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let e = x.abs().log10().floor() as i32;
    if (-3..5).contains(&e) {
        let d = (3 - e).max(0) as usize;
        format!("{x:.d$}")
    } else {
        format!("{x:.3e}")
    }
}

/// `n` with thousands separated by a thin space.
fn count_str(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// The one-sample KS acceptance check line against the true law.
pub(super) fn ks_accept(what: &str, d: f64, n: u64) -> Check {
    let crit = ks_crit(n as f64);
    Check::new(
        d < crit,
        format!(
            "{what}: KS D = {} < D_crit = {} at α = 2·10⁻⁶ (p = {}), {} samples",
            g4(d),
            g4(crit),
            g4(kolmogorov_sf((n as f64).sqrt() * d)),
            count_str(n),
        ),
    )
}

/// The design argument on Milstein's bias for `n` samples at step `dt`, as a caption
/// sentence: its CDF bias bound `2.5·dt` is at most `D_crit/3`, so the KS test keeps its
/// size. A design argument, not a check (it compares constants and cannot fail at run
/// time).
///
/// # Errors
/// [`Error::DoesNotExist`] if a setting violates it.
fn bias_design(n: u64, dt: f64) -> Result<String> {
    let crit = ks_crit(n as f64);
    let bias = BIAS_PER_DT * dt;
    if bias > crit / 3.0 {
        return Err(Error::DoesNotExist {
            what: "limit-law simulation design",
            condition: format!(
                "Milstein's CDF bias bound 2.5·dt = {} must be at most D_crit/3 = {} \
                 (dt = {dt}, {n} samples)",
                g4(bias),
                g4(crit / 3.0)
            ),
        });
    }
    Ok(format!(
        "Design: Milstein's CDF bias bound 2.5·dt = {} is at most D_crit/3 = {}, the \
         argument of tests/analytic/analytic_limits_mc.rs, so the KS test keeps its size.",
        g4(bias),
        g4(crit / 3.0)
    ))
}

/// The one-sample KS rejection (power) check against a wrong law at distance `d0`
/// from the true one (required `≥ 2·D_crit`, so that acceptance of the true law forces
/// rejection of this one).
pub(super) fn ks_reject(what: &str, d: f64, d0: f64, n: u64) -> Check {
    let crit = ks_crit(n as f64);
    Check::new(
        d > crit && d0 >= 2.0 * crit,
        format!(
            "{what} rejected: KS D = {} > D_crit = {} (its distance from the exact law \
             D₀ = {} ≥ 2·D_crit)",
            g4(d),
            g4(crit),
            g4(d0)
        ),
    )
}

/// Effort of the limit-law simulations: (paths, dt).
fn limit_effort(s: &Settings) -> (u64, f64) {
    s.pick((30_000, 1e-3), (5_000, 2e-3))
}

/// `stat_dist`: the stationary laws of the post's figure, `a = 1, τ = −1`:
/// `(σ, ρ) = (2, 0)` and `(2, 0.95)` against the Pearson IV density, and `(√2, 0)`,
/// where none exists, as finite-time histograms that keep spreading.
pub(crate) fn stat_dist(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (n, dt) = limit_effort(s);
    let design = bias_design(n, dt)?;
    let t_end = s.pick(40.0, 30.0);
    let (lo, hi, bins) = (-4.0, 4.0, 80);
    let mut panels = Vec::new();
    let mut checks = Vec::new();
    // (i), (ii): the stationary law exists
    for (k, rho) in [0.0, 0.95].into_iter().enumerate() {
        let sde = SaddleSde::new(1.0, 2.0, -1.0, rho)?;
        let law = StationaryLaw::new(&sde)?;
        let model = LawEquivalentSaddle::new(sde);
        let band = (0.35 * k as f64, 0.35 * (k + 1) as f64);
        let xs = simulate(
            &model,
            &Milstein,
            0.0,
            Grid::new(t_end, dt)?,
            &[t_end],
            n,
            s.seed_for("stat_dist", k as u64),
            progress,
            band,
        )?;
        let xs = sorted(xs.into_iter().next().unwrap_or_default());
        let what = format!("(σ, ρ) = (2, {rho})");
        let d = ks_distance(&xs, |x| law.cdf(x));
        checks.push(ks_accept(
            &format!("{what} against the Pearson IV law"),
            d,
            n,
        ));
        if rho == 0.0 {
            // the Gaussian with the Student-t's scale 1/√2
            let gauss = Normal::new(0.0, 0.5f64.sqrt()).map_err(|_| Error::DoesNotExist {
                what: "Gaussian alternative",
                condition: "a positive scale".into(),
            })?;
            let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), |x| gauss.cdf(x));
            let dg = ks_distance(&xs, |x| gauss.cdf(x));
            checks.push(ks_reject(
                &format!("{what}: the Gaussian N(0, ½) alternative"),
                dg,
                d0,
                n,
            ));
        } else {
            let mirror = StationaryLaw::new(&SaddleSde::new(1.0, 2.0, -1.0, -rho)?)?;
            let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), |x| mirror.cdf(x));
            let dm = ks_distance(&xs, |x| mirror.cdf(x));
            checks.push(ks_reject(
                &format!("{what}: the mirror law (opposite atan sign, ρ = −{rho})"),
                dm,
                d0,
                n,
            ));
        }
        let title = if rho == 0.0 {
            "σ = 2, ρ = 0: Student-t, ν = ½".to_string()
        } else {
            format!("σ = 2, ρ = {rho}: Pearson IV")
        };
        panels.push(
            Panel::new(
                &title,
                Axis::linear("x", lo, hi),
                Axis::linear("density", 0.0, 0.8),
            )
            .with(bars(
                &format!("x_T, T = {t_end} (Milstein)"),
                &xs,
                (lo, hi),
                bins,
            )?)
            .with(Series::line(
                "stationary density (closed form)",
                Colour::Black,
                curve(lo, hi, 401, |x| law.pdf(x)),
            )),
        );
    }
    // (iii): a = σ²/2, no stationary law
    let sde = SaddleSde::new(1.0, 2f64.sqrt(), -1.0, 0.0)?;
    let none = StationaryLaw::new(&sde).is_err();
    checks.push(Check::new(
        none,
        "(σ, ρ) = (√2, 0): a = σ²/2, StationaryLaw refuses (growth rate a − σ²/2 = 0, \
         p ∝ (2x² + 1)^(−1/2) is not normalisable)",
    ));
    let times = [2.0, 8.0, 32.0];
    let model = LawEquivalentSaddle::new(sde);
    // no KS test here: the coarser step is enough for the spread
    let dt_spread = 2e-3;
    let all = simulate(
        &model,
        &Milstein,
        0.0,
        Grid::new(32.0, dt_spread)?,
        &times,
        n,
        s.seed_for("stat_dist", 2),
        progress,
        (0.7, 1.0),
    )?;
    let mut panel = Panel::new(
        "σ = √2, ρ = 0: no stationary law",
        Axis::linear("x", lo, hi),
        Axis::linear("density", 0.0, 0.8),
    );
    let colours = [Colour::Blue, Colour::Green, Colour::Purple];
    // each quantile interval at the per-check level
    let conf = CONF_CHECK;
    let mut iqrs = Vec::new();
    let mut last_mass = 0.0;
    for ((xs, &t), &c) in all.into_iter().zip(&times).zip(&colours) {
        let xs = sorted(xs);
        let q1 = QuantileInterval::from_sorted(&xs, 0.25, conf)?;
        let q3 = QuantileInterval::from_sorted(&xs, 0.75, conf)?;
        iqrs.push((
            t,
            q3.estimate - q1.estimate,
            q3.lower - q1.upper,
            q3.upper - q1.lower,
        ));
        let dens = density(&xs, lo, hi, bins)?;
        last_mass = dens.iter().map(|p| p.1).sum::<f64>() * (hi - lo) / bins as f64;
        panel = panel.with(Series::new(
            Some(&format!("x_t histogram, t = {t}")),
            Kind::Line,
            c,
            dens,
        ));
    }
    // the non-normalisable p scaled to the t = 32 histogram's mass on [lo, hi]:
    // ∫ (2x² + 1)^(−1/2) dx = asinh(√2 x)/√2
    let r2 = 2f64.sqrt();
    let c = last_mass / (((r2 * hi).asinh() - (r2 * lo).asinh()) / r2);
    panel = panel.with(Series::new(
        Some("∝ (2x² + 1)^(−1/2), scaled (not a density)"),
        Kind::Dashed,
        Colour::Grey,
        curve(lo, hi, 401, |x| c / (2.0 * x * x + 1.0).sqrt()),
    ));
    panels.push(panel);
    let grows = iqrs.windows(2).all(|w| w[0].3 < w[1].2);
    checks.push(Check::new(
        grows,
        format!(
            "(√2, 0): the spread keeps growing: interquartile range {} (order-statistic \
             intervals at confidence 1 − 2·10⁻⁶ each, disjoint and increasing), {} samples each",
            iqrs.iter()
                .map(|(t, e, l, u)| format!("{} [{}, {}] at t = {t}", g4(*e), g4(*l), g4(*u)))
                .collect::<Vec<_>>()
                .join(", "),
            count_str(n)
        ),
    ));
    progress(1.0);
    Ok(Figure {
        name: "stat_dist",
        title: "Stationary distributions, a = 1, τ = −1".into(),
        caption: format!(
            "Terminal values of the saddle SDE dx = a x dt + σ x dW + τ dU with a = 1, τ = −1, \
             simulated as the law-equivalent one-noise model with Milstein, dt = {dt}, \
             x₀ = 0, {} paths per panel. Left: (σ, ρ) = (2, 0) at T = {t_end} over the \
             closed-form stationary density (Student-t, ν = ½, scale 1/√2). Middle: \
             (σ, ρ) = (2, 0.95) at T = {t_end} over the Pearson IV density (mode 0.633). \
             Right: (σ, ρ) = (√2, 0), where a = σ²/2 and no stationary law exists (the post \
             draws one): histograms at t = 2, 8, 32 (dt = {dt_spread}) keep spreading and lose mass from view; \
             the dashed curve is the non-normalisable zero-flux solution, scaled to the t = 32 histogram's mass in view, not a \
             density. Histograms are normalised by all paths (mass outside [−4, 4] \
             included); bins of width 0.1. {design}",
            count_str(n)
        ),
        panels,
        columns: 3,
        checks,
    })
}

/// `correlated`: the `|ρ| = 1` limit at the post's parameters `a = 1, σ = 2, τ = −2`:
/// the corrected shifted inverse gamma `x = 1 + Z` against the post's literal
/// `x = 1 − 1/γ`.
pub(crate) fn correlated(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (n, dt) = limit_effort(s);
    let design = bias_design(n, dt)?;
    let t_end = s.pick(40.0, 30.0);
    let (lo, hi, bins) = (-3.0, 6.0, 90);
    let sde = SaddleSde::new(1.0, 2.0, -2.0, 1.0)?;
    let law = InverseGammaLimit::new(&sde)?;
    // start on the opposite side of the shift, so the paths must cross it
    let x0 = law.shift() - law.sign();
    let xs = simulate(
        &LawEquivalentSaddle::new(sde),
        &Milstein,
        x0,
        Grid::new(t_end, dt)?,
        &[t_end],
        n,
        s.seed_for("correlated", 0),
        progress,
        (0.0, 0.95),
    )?;
    let xs = sorted(xs.into_iter().next().unwrap_or_default());
    let crit = ks_crit(n as f64);
    // the post: x = −(γ⁻¹ + τ/σ) = 1 − 1/γ, γ ~ Gamma(shape ½, scale ½), i.e.
    // 1/γ ~ InvGamma(½, scale 2) (statrs' second parameter)
    let bad = |what: &'static str| Error::DoesNotExist {
        what,
        condition: "positive parameters".into(),
    };
    let blog_z = InverseGamma::new(0.5, 2.0).map_err(|_| bad("literal law"))?;
    let literal_cdf = |x: f64| if x >= 1.0 { 1.0 } else { blog_z.sf(1.0 - x) };
    let literal_pdf = |x: f64| if x >= 1.0 { 0.0 } else { blog_z.pdf(1.0 - x) };
    let scale_cdf = |x: f64| if x <= 1.0 { 0.0 } else { blog_z.cdf(x - 1.0) };
    let mut checks = vec![ks_accept(
        "x_T against the corrected law 1 + InvGamma(½, scale ½)",
        ks_distance(&xs, |x| law.cdf(x)),
        n,
    )];
    // the supports (−∞, 1) and (1, ∞) are disjoint: D₀ = 1
    checks.push(ks_reject(
        "The post's literal formula 1 − 1/γ, γ ~ Gamma(½, scale ½)",
        ks_distance(&xs, literal_cdf),
        1.0,
        n,
    ));
    let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), scale_cdf);
    checks.push(ks_reject(
        "The right side with the post's scale reading, 1 + 1/γ",
        ks_distance(&xs, scale_cdf),
        d0,
        n,
    ));
    let wrong = xs
        .iter()
        .filter(|&&x| law.sign() * (x - law.shift()) <= 0.0)
        .count();
    let frac = wrong as f64 / n as f64;
    let w = Proportion::new(wrong as u64, n)?.wilson(CONF_CHECK)?;
    // the limit CDF is 0 at the shift (1 on the other side for sign < 0), so the KS
    // distance to the corrected law is at least the wrong-side fraction: a fraction
    // at or above D_crit would by itself reject the corrected law
    checks.push(Check::new(
        frac < crit,
        format!(
            "Paths on the wrong side (x_T ≤ 1), started at x₀ = {x0}: {wrong} of {} = {} \
             (Wilson interval at 1 − 2·10⁻⁶ [{}, {}]) < D_crit = {}: the exact law puts no mass \
             there, its CDF is 0 at x = 1, so the KS distance is at least this fraction \
             and a fraction at or above D_crit would by itself reject the corrected law",
            count_str(n),
            g4(frac),
            g4(w.lower),
            g4(w.upper),
            g4(crit)
        ),
    ));
    let panel = Panel::new(
        "a = 1, σ = 2, τ = −2, ρ = 1",
        Axis::linear("x", lo, hi),
        Axis::linear("density", 0.0, 0.6),
    )
    .with(bars(
        &format!("x_T, T = {t_end} (Milstein)"),
        &xs,
        (lo, hi),
        bins,
    )?)
    .with(Series::line(
        "corrected: x = 1 + Z, Z ~ InvGamma(½, scale ½)",
        Colour::Black,
        curve(lo, hi, 451, |x| law.pdf(x)),
    ))
    .with(Series::new(
        Some("post's formula: x = 1 − 1/γ, γ ~ Gamma(½, scale ½)"),
        Kind::Dashed,
        Colour::Orange,
        curve(lo, hi, 451, literal_pdf),
    ));
    progress(1.0);
    Ok(Figure {
        name: "correlated",
        title: "The ρ = 1 limit law: corrected, and the post's formula".into(),
        caption: format!(
            "Terminal values x_T of dx = a x dt + σ x dW + τ dU with a = 1, σ = 2, τ = −2, \
             ρ = 1 (U = W), simulated as the law-equivalent one-noise model with Milstein, \
             dt = {dt}, T = {t_end}, x₀ = {x0} (the side the post predicts), {} paths; \
             density histogram (bins 0.1, normalised by all paths) over the corrected limit \
             law x = 1 + Z, Z ~ InvGamma(shape 1 − 2a/σ² = ½, scale 2|aτ|/σ³ = ½), support \
             (1, ∞), mode 4/3; dashed: the post's literal x = −(γ⁻¹ + τ/σ) = 1 − 1/γ with γ \
             Gamma of shape ½ and scale ½, support (−∞, 1), on the wrong side of x = 1. \
             {design}",
            count_str(n)
        ),
        panels: vec![panel],
        columns: 1,
        checks,
    })
}

/// `uncorelated`: the law of `x_t` for `ρ = 0` at finite times, the Gaussian mixture of
/// Case 2, against the two-noise SDE.
pub(crate) fn uncorelated(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (a, sigma, tau, x0) = (0.5, 0.8, 0.5, 1.0);
    let times = [0.5, 1.0, 2.0];
    let n: u64 = s.pick(100_000, 10_000);
    let n_mix: u64 = s.pick(20_000, 4_000);
    let n_comp: u64 = s.pick(20_000, 2_000);
    let sampler_steps = 1024;
    let dt = 1e-3;
    let sde = SaddleSde::new(a, sigma, tau, 0.0)?;
    let sims = simulate(
        &sde,
        &EulerMaruyama,
        x0,
        Grid::new(2.0, dt)?,
        &times,
        n,
        s.seed_for("uncorelated", 0),
        progress,
        (0.0, 0.5),
    )?;
    // each moment z-test two-sided at the per-check level
    let z_crit = Z_CHECK;
    let ranges = [(-1.5, 4.5), (-2.0, 6.0), (-3.0, 12.0)];
    let mut panels = Vec::new();
    let mut checks = Vec::new();
    for (k, (xs, &t)) in sims.into_iter().zip(&times).enumerate() {
        let law = UncorrelatedLaw::new(&sde, x0, t)?.with_steps(sampler_steps)?;
        let seed_mix = s.seed_for("uncorelated", 1 + k as u64);
        let mix = run_ordered(
            n_mix,
            Collect::default,
            |i, acc| acc.0.push(law.sample(&mut path_rng(seed_mix, i))),
            |_, _| {},
        )
        .0;
        let seed_comp = s.seed_for("uncorelated", 10 + k as u64);
        let comps = run_ordered(
            n_comp,
            Collect::default,
            |i, acc| {
                let (m, v) = law.sample_component(&mut path_rng(seed_comp, i));
                acc.0.extend_from_slice(&[m, v]);
            },
            |_, _| {},
        )
        .0;
        progress(0.5 + 0.5 * (k + 1) as f64 / times.len() as f64);
        // two-sample KS
        let xs = sorted(xs);
        let mix = sorted(mix);
        let d = ks_distance_two(&xs, &mix);
        let (nf, mf) = (n as f64, n_mix as f64);
        let en = (nf * mf / (nf + mf)).sqrt();
        let crit = ks_crit(en * en);
        checks.push(Check::new(
            d < crit,
            format!(
                "t = {t}: two-sample KS, SDE against the mixture sampler: D = {} < D_crit = {} \
                 at α = 2·10⁻⁶ (p = {}), {} and {} samples",
                g4(d),
                g4(crit),
                g4(kolmogorov_sf(en * d)),
                count_str(n),
                count_str(n_mix)
            ),
        ));
        // moments: standard errors from the exact moments (the sample fourth moment is
        // unreliable here: its own variance involves μ₈/μ₄², huge at kurtosis ~ 283)
        let mean = xs.iter().sum::<f64>() / nf;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        let (e_mean, e_var) = (law.mean(), law.variance());
        let mu4 = fourth_central_moment(&sde, x0, t);
        let se_mean = (e_var / nf).sqrt();
        // Var s² = (μ₄ − σ⁴(n − 3)/(n − 1))/n for the unbiased sample variance
        let se_var = ((mu4 - e_var * e_var * (nf - 3.0) / (nf - 1.0)) / nf).sqrt();
        let z_mean = (mean - e_mean) / se_mean;
        let z_var = (var - e_var) / se_var;
        let kurt = mu4 / (e_var * e_var);
        checks.push(Check::new(
            z_mean.abs() < z_crit && z_var.abs() < z_crit,
            format!(
                "t = {t}: mean {} vs exact {} (z = {z_mean:.2}), variance {} vs exact {} (z = {z_var:.2}); \
                 standard errors {} = √(σ²/n) from the exact variance and {} = \
                 √((μ₄ − σ⁴(n − 3)/(n − 1))/n), the standard error of s² from the exact \
                 fourth moment; |z| < {z_crit:.2} \
                 (two-sided, α = 2·10⁻⁶ each). The exact kurtosis is {}: the \
                 sampling law of s² is right-skewed at this n, so the |z| bound on the \
                 variance is approximate",
                g4(mean),
                g4(e_mean),
                g4(var),
                g4(e_var),
                g4(se_mean),
                g4(se_var),
                g4(kurt)
            ),
        ));
        // the mixture density: the average of the sampled components' densities
        let (lo, hi) = ranges[k];
        let bins = 60;
        let dens = curve(lo, hi, 301, |x| {
            let mut acc = 0.0;
            for c in comps.chunks_exact(2) {
                let (m, v) = (c[0], c[1]);
                acc +=
                    (-(x - m).powi(2) / (2.0 * v)).exp() / (2.0 * std::f64::consts::PI * v).sqrt();
            }
            acc / n_comp as f64
        });
        let ymax = dens.iter().map(|p| p.1).fold(0.0, f64::max);
        panels.push(
            Panel::new(
                &format!("t = {t}"),
                Axis::linear("x", lo, hi),
                Axis::linear("density", 0.0, (1.3 * ymax * 10.0).ceil() / 10.0),
            )
            .with(bars("x_t, two-noise SDE (EM)", &xs, (lo, hi), bins)?)
            .with(Series::line(
                "mixture density (mean of sampled components)",
                Colour::Black,
                dens,
            )),
        );
    }
    Ok(Figure {
        name: "uncorelated",
        title: "Case 2 (ρ = 0): a Gaussian mixture at finite times".into(),
        caption: format!(
            "x_t of dx = a x dt + σ x dW + τ dU with a = {a}, σ = {sigma}, τ = {tau}, ρ = 0, \
             x₀ = {x0}, at t = 0.5, 1, 2: the two-noise SDE with Euler–Maruyama, dt = {dt}, \
             {} paths (histograms normalised by all paths). Black: the law of x_t as the \
             Gaussian mixture x_t | W ~ N(x₀Φ_t, τ²Φ_t²∫₀ᵗΦ_s⁻²ds), Φ_t = e^((a−σ²/2)t+σW_t), \
             estimated as the average of the component densities over {} sampled paths of W \
             ({sampler_steps} steps each) — itself a Monte Carlo curve. The component means \
             are lognormal, the variances are not. The KS checks compare the SDE with {} \
             draws of the mixture sampler.",
            count_str(n),
            count_str(n_comp),
            count_str(n_mix)
        ),
        panels,
        columns: 3,
        checks,
    })
}

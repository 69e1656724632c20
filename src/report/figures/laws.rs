//! The post's limit-law figures: `stat_dist` (the stationary Pearson IV laws and the
//! boundary case without one), `correlated` (the `|ρ| = 1` inverse-gamma limit against
//! the post's literal formula) and `uncorelated` (the Gaussian mixture of Case 2 at
//! finite times).
//!
//! Simulation design of the limit laws (as `tests/analytic/analytic_limits_mc.rs`):
//! the law-equivalent one-noise model ([`LawEquivalentSaddle`], the same generator as
//! the saddle SDE, hence the same law at every time) stepped with Milstein from a fixed
//! `x₀` to `T`, and a one-sample Kolmogorov–Smirnov test of `N` terminal values at the
//! per-check level `α = 2·10⁻⁶`, `D_crit = 2.628/√N`, plus a bias allowance. Full mode:
//! `N = 30 000`, `dt = 10⁻³`, `T = 40`; quick mode: `N = 5 000`, `dt = 2·10⁻³`, `T = 30`.
//!
//! Relaxation: far out, `ln|x|` is a random walk with drift `a − σ²/2 = −1` and
//! volatility `σ = 2`; conditioned on reaching a level `R` it has drift `+1`, so `R` is
//! reached after `≈ ln R` time units with standard deviation `≈ 2√(ln R)`. The levels
//! carrying the last `D_crit/4` of mass must be populated by `T`. Full mode:
//! `D_crit/4 ≈ 0.0038`, beyond `R ≈ 2·10⁴` for both stationary laws of `stat_dist`,
//! reached after `ln R` + 3 standard deviations `≈ 29` time units (the tests'
//! conservative `R ≈ 10⁵` gives `≈ 33`), well before `T = 40`. Quick mode makes the
//! weaker claim at its own, larger `D_crit`: `D_crit/4 ≈ 0.0093`, beyond `R ≈ 3·10³`,
//! reached after `≈ 26` time units, so `T = 30` leaves a margin of 4 time units.
//!
//! Discretisation, derived from the step (a Richardson pair, not a guessed bound):
//! Milstein is weak order 1, so the chain's CDF at step `h` is `F_h = F + h·c + O(h²)`
//! and `F_h − F = F_2h − F_h + O(h²)`. Every path is also run at `2h` on the same
//! Brownian path ([`Mlmc::richardson_pair`]) and the KS checks accept at
//! `D_crit + B̂` with `B̂ = B₀ + 2·2.628·√(q_max/N)` from
//! [`richardson_ks_allowance`]: `B₀ = sup|F̂_2h − F̂_h|` estimates the bias and the
//! second term bounds its own sampling error at the check's level. The size of a check
//! is then at most about `2α`; the `O(h²)` remainder is not allowed for. The power
//! checks reject at the same threshold and require their alternative to be at least
//! twice it away from the exact law. The coarse run costs half a fine one.

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::{CONF_CHECK, Z_CHECK, ks_crit};
use crate::analytic::inverse_gamma_limit::InverseGammaLimit;
use crate::analytic::saddle::fourth_central_moment;
use crate::analytic::stationary::StationaryLaw;
use crate::analytic::uncorrelated::UncorrelatedLaw;
use crate::ensemble::{Collect, Ensemble, Histogram, run_ordered};
use crate::error::{Error, Result};
use crate::integrate::Grid;
use crate::mlmc::{Coupling, Mlmc};
use crate::models::{LawEquivalentSaddle, SaddleSde};
use crate::noise::path_rng;
use crate::scheme::{Milstein, ScalarScheme};
use crate::sde::ScalarSde;
use crate::uncertainty::{
    Proportion, QuantileInterval, RichardsonKs, kolmogorov_sf, ks_distance, ks_distance_two,
    richardson_ks_allowance,
};
use statrs::distribution::{Continuous, ContinuousCDF, InverseGamma, Normal};

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

/// The end values at `t_end` of `n` paths of the law-equivalent model of `sde` from
/// `x0`, Milstein at step `dt` (sorted), with the Richardson bias allowance of their KS
/// test: the same paths at `2·dt` on the same Brownian path
/// ([`Mlmc::richardson_pair`], level 1 of `t_end/(2·dt)` base steps).
fn limit_sample(
    sde: &SaddleSde,
    x0: f64,
    t_end: f64,
    dt: f64,
    n: u64,
    seed: u64,
) -> Result<(Vec<f64>, RichardsonKs)> {
    let model = LawEquivalentSaddle::new(sde.clone());
    let coarse_steps = (t_end / (2.0 * dt)).round() as usize;
    let (fine, coarse) = Mlmc::new(&model, Coupling::TruncatedMilstein)
        .start(x0)
        .horizon(t_end)
        .base_steps(coarse_steps)
        .refine(2)
        .seed(seed)
        .richardson_pair(1, n)?;
    let rich = richardson_ks_allowance(&fine, &coarse, ks_crit(1.0))?;
    Ok((sorted(fine), rich))
}

/// The one-sample KS acceptance check against the true law, at `D_crit` plus the
/// Richardson bias allowance `rich` of a Milstein sample at step `dt`.
fn ks_accept_biased(what: &str, d: f64, n: u64, rich: &RichardsonKs, dt: f64) -> Check {
    let crit = ks_crit(n as f64);
    Check::new(
        d < crit + rich.allowance,
        format!(
            "{what}: KS D = {} < D_crit + B̂ = {} + {} at α = 2·10⁻⁶ (p = {} without the \
             allowance), {} samples; B̂ = B₀ + 2·2.63·√(q_max/n) is the bias allowance from \
             the same paths at step 2·dt = {}: B₀ = sup|F̂_2dt − F̂_dt| = {}, q_max = {}",
            g4(d),
            g4(crit),
            g4(rich.allowance),
            g4(kolmogorov_sf((n as f64).sqrt() * d)),
            count_str(n),
            2.0 * dt,
            g4(rich.b0),
            g4(rich.q_max),
        ),
    )
}

/// The one-sample KS rejection (power) check against a wrong law at distance `d0` from
/// the true one, at the threshold `D_crit + B̂` of [`ks_accept_biased`] (`d0` is required
/// to be at least twice that threshold, so that acceptance of the true law forces
/// rejection of this one).
fn ks_reject_biased(what: &str, d: f64, d0: f64, n: u64, rich: &RichardsonKs) -> Check {
    let limit = ks_crit(n as f64) + rich.allowance;
    Check::new(
        d > limit && d0 >= 2.0 * limit,
        format!(
            "{what} rejected: KS D = {} > D_crit + B̂ = {} (its distance from the exact law \
             D₀ = {} ≥ 2·(D_crit + B̂))",
            g4(d),
            g4(limit),
            g4(d0)
        ),
    )
}

/// The caption sentence on the bias allowance.
const BIAS_CAPTION: &str = "Discretisation bias is allowed for from the step, not guessed: \
     every path is also run at 2·dt on the same Brownian path (a Richardson pair; \
     Milstein is weak order 1, so F_dt − F = F_2dt − F_dt + O(dt²)), and each KS check \
     accepts at D_crit + B̂ with B̂ = sup|F̂_2dt − F̂_dt| + 2·2.63·√(q_max/n), q_max the \
     largest share of pairs straddling one x (size ≤ about 2α).";

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
    let t_end = s.pick(40.0, 30.0);
    let (lo, hi, bins) = (-4.0, 4.0, 80);
    let mut panels = Vec::new();
    let mut checks = Vec::new();
    // (i), (ii): the stationary law exists
    for (k, rho) in [0.0, 0.95].into_iter().enumerate() {
        let sde = SaddleSde::new(1.0, 2.0, -1.0, rho)?;
        let law = StationaryLaw::new(&sde)?;
        let (xs, rich) = limit_sample(&sde, 0.0, t_end, dt, n, s.seed_for("stat_dist", k as u64))?;
        progress(0.35 * (k + 1) as f64);
        let what = format!("(σ, ρ) = (2, {rho})");
        let d = ks_distance(&xs, |x| law.cdf(x));
        checks.push(ks_accept_biased(
            &format!("{what} against the Pearson IV law"),
            d,
            n,
            &rich,
            dt,
        ));
        if rho == 0.0 {
            // the Gaussian with the Student-t's scale 1/√2
            let gauss = Normal::new(0.0, 0.5f64.sqrt()).map_err(|_| Error::DoesNotExist {
                what: "Gaussian alternative",
                condition: "a positive scale".into(),
            })?;
            let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), |x| gauss.cdf(x));
            let dg = ks_distance(&xs, |x| gauss.cdf(x));
            checks.push(ks_reject_biased(
                &format!("{what}: the Gaussian N(0, ½) alternative"),
                dg,
                d0,
                n,
                &rich,
            ));
        } else {
            let mirror = StationaryLaw::new(&SaddleSde::new(1.0, 2.0, -1.0, -rho)?)?;
            let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), |x| mirror.cdf(x));
            let dm = ks_distance(&xs, |x| mirror.cdf(x));
            checks.push(ks_reject_biased(
                &format!("{what}: the mirror law (opposite atan sign, ρ = −{rho})"),
                dm,
                d0,
                n,
                &rich,
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
             included); bins of width 0.1. {BIAS_CAPTION}",
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
    let t_end = s.pick(40.0, 30.0);
    let (lo, hi, bins) = (-3.0, 6.0, 90);
    let sde = SaddleSde::new(1.0, 2.0, -2.0, 1.0)?;
    let law = InverseGammaLimit::new(&sde)?;
    // start on the opposite side of the shift, so the paths must cross it
    let x0 = law.shift() - law.sign();
    let (xs, rich) = limit_sample(&sde, x0, t_end, dt, n, s.seed_for("correlated", 0))?;
    progress(0.95);
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
    let mut checks = vec![ks_accept_biased(
        "x_T against the corrected law 1 + InvGamma(½, scale ½)",
        ks_distance(&xs, |x| law.cdf(x)),
        n,
        &rich,
        dt,
    )];
    // the supports (−∞, 1) and (1, ∞) are disjoint: D₀ = 1
    checks.push(ks_reject_biased(
        "The post's literal formula 1 − 1/γ, γ ~ Gamma(½, scale ½)",
        ks_distance(&xs, literal_cdf),
        1.0,
        n,
        &rich,
    ));
    let d0 = law_distance(|p| law.inverse_cdf(p), |x| law.cdf(x), scale_cdf);
    checks.push(ks_reject_biased(
        "The right side with the post's scale reading, 1 + 1/γ",
        ks_distance(&xs, scale_cdf),
        d0,
        n,
        &rich,
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
             {BIAS_CAPTION}",
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
    // Richardson pairs (fine at dt, coarse at 2·dt on the same noise), one run per time
    let mut sims = Vec::with_capacity(times.len());
    for (k, &t) in times.iter().enumerate() {
        sims.push(
            Mlmc::new(&sde, Coupling::EulerMaruyama)
                .start(x0)
                .horizon(t)
                .base_steps((t / (2.0 * dt)).round() as usize)
                .refine(2)
                .seed(s.seed_for("uncorelated", 20 + k as u64))
                .richardson_pair(1, n)?,
        );
        progress(0.5 * (k + 1) as f64 / times.len() as f64);
    }
    // each moment z-test two-sided at the per-check level
    let z_crit = Z_CHECK;
    let ranges = [(-1.5, 4.5), (-2.0, 6.0), (-3.0, 12.0)];
    let mut panels = Vec::new();
    let mut checks = Vec::new();
    for (k, ((xs, xs_coarse), &t)) in sims.into_iter().zip(&times).enumerate() {
        let law = UncorrelatedLaw::new(&sde, x0, t)?.with_steps(sampler_steps)?;
        let seed_mix = s.seed_for("uncorelated", 1 + k as u64);
        // the sampler's draws at `sampler_steps` and at half as many (same W, same Z),
        // interleaved
        // (an odd step count, refused, would leave NaN, which the allowance refuses)
        let mix_pairs = run_ordered(
            n_mix,
            Collect::default,
            |i, acc| {
                let (f, c) = law
                    .sample_richardson(&mut path_rng(seed_mix, i))
                    .unwrap_or((f64::NAN, f64::NAN));
                acc.0.extend_from_slice(&[f, c]);
            },
            |_, _| {},
        )
        .0;
        let mix: Vec<f64> = mix_pairs.iter().step_by(2).copied().collect();
        let mix_coarse: Vec<f64> = mix_pairs.iter().skip(1).step_by(2).copied().collect();
        let rich_sde = richardson_ks_allowance(&xs, &xs_coarse, ks_crit(1.0))?;
        let rich_mix = richardson_ks_allowance(&mix, &mix_coarse, ks_crit(1.0))?;
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
        let allowance = rich_sde.allowance + rich_mix.allowance;
        checks.push(Check::new(
            d < crit + allowance,
            format!(
                "t = {t}: two-sample KS, SDE against the mixture sampler: D = {} < D_crit + B̂ \
                 = {} + {} at α = 2·10⁻⁶ (p = {} without the allowance), {} and {} samples; \
                 B̂ = B̂_EM + B̂_mixture, the Richardson bias allowances of EM at dt (from the \
                 same paths at 2·dt: B₀ = {}) and of the sampler's trapezoid rule at \
                 {sampler_steps} steps (from the same W at {} steps: B₀ = {})",
                g4(d),
                g4(crit),
                g4(allowance),
                g4(kolmogorov_sf(en * d)),
                count_str(n),
                count_str(n_mix),
                g4(rich_sde.b0),
                sampler_steps / 2,
                g4(rich_mix.b0),
            ),
        ));
        // moments: standard errors from the exact moments (the sample fourth moment is
        // unreliable here: its own variance involves μ₈/μ₄², huge at kurtosis ~ 283)
        let mean = xs.iter().sum::<f64>() / nf;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        // the Euler–Maruyama chain's own exact moments at this dt (ρ = 0): E x_{k+1} =
        // (1 + a·dt) E x_k, E x²_{k+1} = ((1 + a·dt)² + σ²dt) E x²_k + τ²dt, so the z-tests
        // carry no discretisation bias; the SDE's exact moments are printed beside them
        let steps = (t / dt).round() as i32;
        let e_mean = x0 * (1.0 + a * dt).powi(steps);
        let mut e2 = x0 * x0;
        for _ in 0..steps {
            e2 = ((1.0 + a * dt).powi(2) + sigma * sigma * dt) * e2 + tau * tau * dt;
        }
        let e_var = e2 - e_mean * e_mean;
        // the fourth moment enters only the standard error: the SDE's, O(dt) from EM's
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
                "t = {t}: mean {} vs the EM chain's exact {} (z = {z_mean:.2}; the SDE's {}), \
                 variance {} vs the EM chain's exact {} (z = {z_var:.2}; the SDE's {}); \
                 standard errors {} = √(σ²/n) from the exact variance and {} = \
                 √((μ₄ − σ⁴(n − 3)/(n − 1))/n), the standard error of s² from the exact \
                 fourth moment; |z| < {z_crit:.2} \
                 (two-sided, α = 2·10⁻⁶ each). The exact kurtosis is {}: the \
                 sampling law of s² is right-skewed at this n, so the |z| bound on the \
                 variance is approximate",
                g4(mean),
                g4(e_mean),
                g4(law.mean()),
                g4(var),
                g4(e_var),
                g4(law.variance()),
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
             draws of the mixture sampler. Both have an O(h) bias (EM's step, the sampler's \
             trapezoid rule for ∫Φ⁻²): the KS checks allow for it by Richardson pairs (EM at \
             2·dt on the same noise, the sampler at half its steps on the same W), and the \
             moment checks compare with the EM chain's own exact moments at dt, next to the \
             SDE's.",
            count_str(n),
            count_str(n_comp),
            count_str(n_mix)
        ),
        panels,
        columns: 3,
        checks,
    })
}

//! The post's escape strategies, at the optimiser level ([`crate::optim`]):
//! `perturbed_sgd`, `svrg`, `minibatch`, `learning_rate`, `annealing` and `relu`.
//!
//! Every figure runs the finite-sum model `f_j(x) = −(a + ξ_j)x²/2 − η_j x` with
//! `N = 100 000` samples and `a = 1`, started at `x₀ = 0.1` and stopped when the iterate
//! leaves `(−1, 1)`, through the optimisers' own ensembles ([`Sgd::escape`],
//! [`Sgd::landmarks`], [`Sgd::escape_tail`], [`Sgd::terminal_of`]); the references are
//! the exact exit quantities of the diffusion limits ([`exact`]) and the laws of
//! [`crate::optim::theory`]. Where the discrete optimiser and its limit differ by a
//! discretisation bias (discrete monitoring and overshoot, `O(√lr)`), both are drawn
//! and the checks test only what the claim needs.

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::laws::{ks_accept, ks_reject};
use super::{Z_CHECK, count, sig};
use crate::analytic::stationary::StationaryLaw;
use crate::ensemble::{Histogram, MeanVar};
use crate::error::{Error, Result};
use crate::escape::{Estimate, ExitStats, exact};
use crate::models::SaddleSde;
use crate::optim::theory::{ReluLimit, SvrgLimit, tail_exponent};
use crate::optim::{EscapeRun, FiniteSum, Optimizer, Sampling, Schedule, Sgd};
use crate::uncertainty::{Proportion, ks_distance};
use rayon::prelude::*;
use statrs::distribution::{Continuous, ContinuousCDF, InverseGamma};

/// The curvature `a` of every figure: the full gradient is `−a x`.
const A: f64 = 1.0;
/// The start.
const X0: f64 = 0.1;
/// The escape interval is `(−HALF, HALF)`.
const HALF: f64 = 1.0;
/// Samples of every finite sum.
const SAMPLES: usize = 100_000;

/// The figure's data set: `N` pairs with standard deviations `s_xi`, `s_eta` and
/// correlation `rho`, from the figure's seed 0 (so the values of a knob share the same
/// standardised draws, only scaled).
fn data(s: &Settings, name: &str, s_xi: f64, s_eta: f64, rho: f64) -> Result<FiniteSum> {
    FiniteSum::new(A, s_xi, s_eta, rho, SAMPLES, s.seed_for(name, 0))
}

/// Escape runs from `x₀` out of `(−1, 1)`.
fn escape_run(max_steps: usize, runs: u64) -> Result<EscapeRun> {
    EscapeRun::new(X0, -HALF, HALF, max_steps, runs)
}

/// Plain SGD on `d` with rate `lr` and minibatches of one sample (with replacement).
fn sgd1(d: &FiniteSum, lr: f64) -> Result<Sgd<'_>> {
    Sgd::new(d, lr, 1, Sampling::WithReplacement)
}

/// The SDE an optimiser approximates (an error where none is established).
fn limit_of(sgd: &Sgd<'_>) -> Result<SaddleSde> {
    sgd.diffusion_limit()?
        .map(|(m, _)| m)
        .ok_or_else(|| Error::DoesNotExist {
            what: "diffusion limit of the optimiser",
            condition: "plain SGD with a constant rate".into(),
        })
}

/// `progress` restricted to `[lo, hi]`.
fn part<F: FnMut(f64) + ?Sized>(progress: &mut F, lo: f64, hi: f64) -> impl FnMut(f64) + '_ {
    move |f| progress(lo + (hi - lo) * f.clamp(0.0, 1.0))
}

/// `n` points spaced evenly on `[lo, hi]`, or evenly in `ln` when `log`.
fn grid(lo: f64, hi: f64, n: usize, log: bool) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let u = i as f64 / (n - 1) as f64;
            if log {
                lo * (hi / lo).powf(u)
            } else {
                lo + (hi - lo) * u
            }
        })
        .collect()
}

/// A vertical guide at `x` from `lo` to `hi`.
fn vline(x: f64, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    vec![(x, lo), (x, hi)]
}

/// A point `(x, y)` with its interval `(lo, hi)`.
type Row = (f64, f64, (f64, f64));

/// Points with error bars.
fn bars(label: &str, colour: Colour, rows: &[Row]) -> Series {
    Series::error_bars(
        label,
        colour,
        rows.iter().map(|r| (r.0, r.1)).collect(),
        rows.iter().map(|r| r.2).collect(),
    )
}

/// An estimate as a point with `± 2` standard errors.
fn two_se(x: f64, e: Estimate) -> Row {
    (
        x,
        e.estimate,
        (e.estimate - 2.0 * e.stderr, e.estimate + 2.0 * e.stderr),
    )
}

/// A proportion as a point with its Wilson 95 % interval.
fn wilson95(x: f64, p: Proportion) -> Result<Row> {
    let w = p.wilson(0.95)?;
    Ok((x, p.estimate(), (w.lower, w.upper)))
}

/// `(a − b)/se(a − b)` for two independent estimates.
fn z_diff(a: Estimate, b: Estimate) -> f64 {
    (a.estimate - b.estimate) / a.stderr.hypot(b.stderr)
}

/// A proportion as an estimate with its plug-in standard error.
fn as_estimate(p: Proportion) -> Estimate {
    Estimate {
        estimate: p.estimate(),
        stderr: p.stderr(),
    }
}

/// `x` with at most `digits` significant digits and no trailing zeros (`6`, `0.25`).
fn short(x: f64, digits: usize) -> String {
    let s = sig(x, digits);
    if s.contains('.') && !s.contains('e') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `x ± se` with three significant digits.
fn pm(e: Estimate) -> String {
    format!("{} ± {}", sig(e.estimate, 3), sig(e.stderr, 2))
}

/// The mean exit time, or an error naming the censored runs.
fn mean_exit(st: &ExitStats, what: &'static str) -> Result<Estimate> {
    st.mean_exit_time().ok_or_else(|| Error::DoesNotExist {
        what,
        condition: format!(
            "every run must exit within the budget; {} of {} censored, {} non-finite",
            st.censored(),
            st.paths(),
            st.blown_up()
        ),
    })
}

/// The exit proportion before the budget.
fn exit_share(st: &ExitStats) -> Result<Proportion> {
    Proportion::new(st.exits_upper() + st.exits_lower(), st.paths())
}

/// `perturbed_sgd`: perturbed SGD at a non-attractive and an attractive saddle, against
/// the perturbation `p`: mean exit time, and the chance of being away from the saddle
/// long after relaxation against the diffusion limit's stationary law.
pub(crate) fn perturbed_sgd(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "perturbed_sgd";
    let (lr, s_eta, rho) = (0.002, 2.0, 0.0);
    // σ² = lr·s_ξ²: below 2a (non-attractive) and above it (attractive)
    let saddles = [(1.0, "non-attractive, σ² = 1"), (4.0, "attractive, σ² = 4")];
    let ps = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05];
    let runs: u64 = s.pick(3_000, 600);
    // 200 time units: over 30 times the longest mean exit time
    let budget = 100_000;
    let (t_end, runs_end): (f64, u64) = (20.0, s.pick(1_000, 250));
    let steps_end = (t_end / lr).round() as usize;
    let sets = saddles
        .iter()
        .map(|&(q, _)| data(s, name, (q / lr).sqrt(), s_eta, rho))
        .collect::<Result<Vec<_>>>()?;
    let sgd = |d, p| sgd1(d, lr)?.perturb(p);
    // exact references on a grid of p (each mean exit time is a nested quadrature of
    // about 0.1 s)
    let fine = grid(0.0, 0.05, s.pick(11, 4), false);
    let curves = fine
        .par_iter()
        .map(|&p| -> Result<(f64, f64, f64)> {
            let m0 = limit_of(&sgd(&sets[0], p)?)?;
            let m1 = limit_of(&sgd(&sets[1], p)?)?;
            let law = StationaryLaw::new(&m1)?;
            Ok((
                exact::interval_exit(&m0, X0, -HALF, HALF)?.mean_exit_time,
                exact::interval_exit(&m1, X0, -HALF, HALF)?.mean_exit_time,
                law.sf(HALF) + law.cdf(-HALF),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    progress(0.05);
    // the runs: mean exit time (both saddles), then P(|x_T| > 1) (the attractive one)
    let run = escape_run(budget, runs)?;
    let mut means: Vec<Vec<Estimate>> = vec![Vec::new(), Vec::new()];
    let jobs = (2 * ps.len()) as f64;
    for (j, d) in sets.iter().enumerate() {
        for (i, &p) in ps.iter().enumerate() {
            let k = (j * ps.len() + i) as f64;
            let st = sgd(d, p)?.escape(
                &run,
                s.seed_for(name, 1 + k as u64),
                &mut part(
                    progress,
                    0.05 + 0.3 * k / jobs,
                    0.05 + 0.3 * (k + 1.0) / jobs,
                ),
            )?;
            means[j].push(mean_exit(&st, "mean exit time of perturbed SGD")?);
        }
    }
    let mut away = Vec::new();
    let mut non_finite = 0;
    for (i, &p) in ps.iter().enumerate() {
        let f = i as f64 / ps.len() as f64;
        let (mv, bad) = sgd(&sets[1], p)?.terminal_of(
            X0,
            steps_end,
            runs_end,
            s.seed_for(name, 100 + i as u64),
            |x| f64::from(u8::from(x.abs() > HALF)),
            &mut part(
                progress,
                0.35 + 0.65 * f,
                0.35 + 0.65 * (f + 1.0 / ps.len() as f64),
            ),
        )?;
        // a run that ended non-finite is counted as outside (−1, 1)
        non_finite += bad;
        let k = (mv.mean() * mv.count() as f64).round() as u64 + bad;
        away.push(Proportion::new(k, mv.count() + bad)?);
    }
    // checks
    let mut checks = Vec::new();
    let last = ps.len() - 1;
    for (j, &(q, label)) in saddles.iter().enumerate() {
        let z = z_diff(means[j][0], means[j][last]);
        checks.push(Check::new(
            z > Z_CHECK,
            format!(
                "{label}: the mean exit time falls from {} at p = 0 to {} at p = {} \
                 (t = n·lr, ± s.e., {} runs each): z = {} > {Z_CHECK:.2} (one-sided; \
                 σ² {} 2a)",
                pm(means[j][0]),
                pm(means[j][last]),
                ps[last],
                count(runs),
                sig(z, 3),
                if q < 2.0 * A { "<" } else { ">" }
            ),
        ));
    }
    let max_mass = curves.iter().map(|c| c.2).fold(0.0, f64::max);
    let w999 = away[last].wilson(super::CONF_CHECK)?;
    checks.push(Check::new(
        max_mass < 1.0 && w999.upper < 1.0,
        format!(
            "no guarantee at the attractive saddle: the diffusion limit's stationary mass \
             outside (−1, 1) is at most {} < 1 over p ∈ [0, {}], and the discrete \
             P(|x| > 1 at t = {t_end}) at p = {} is {}, Wilson interval at 1 − 2·10⁻⁶ [{}, {}] \
             below 1 ({} runs)",
            sig(max_mass, 3),
            ps[last],
            ps[last],
            sig(away[last].estimate(), 3),
            sig(w999.lower, 3),
            sig(w999.upper, 3),
            count(runs_end)
        ),
    ));
    let z_odds = z_diff(as_estimate(away[last]), as_estimate(away[0]));
    checks.push(Check::new(
        z_odds > Z_CHECK,
        format!(
            "the odds rise at the attractive saddle: P(|x| > 1 at t = {t_end}) from {} at \
             p = 0 to {} at p = {}: z = {} > {Z_CHECK:.2} (one-sided, {} runs each; {} \
             non-finite)",
            sig(away[0].estimate(), 3),
            sig(away[last].estimate(), 3),
            ps[last],
            sig(z_odds, 3),
            count(runs_end),
            non_finite
        ),
    ));
    // panels
    let ymax = means
        .iter()
        .flatten()
        .map(|e| e.estimate + 2.0 * e.stderr)
        .chain(curves.iter().map(|c| c.0.max(c.1)))
        .fold(0.0, f64::max);
    let mut left = Panel::new(
        "mean exit time from (−1, 1)",
        Axis::linear("perturbation p", -0.002, 0.052),
        Axis::linear("E[T] (t = n·lr)", 0.0, (1.15 * ymax).ceil()),
    );
    for (j, &(_, label)) in saddles.iter().enumerate() {
        let (line, pts) = if j == 0 {
            (Colour::Black, Colour::Blue)
        } else {
            (Colour::Red, Colour::Green)
        };
        let exact_pts = fine
            .iter()
            .zip(&curves)
            .map(|(&p, c)| (p, if j == 0 { c.0 } else { c.1 }))
            .collect();
        let rows: Vec<_> = ps
            .iter()
            .zip(&means[j])
            .map(|(&p, &e)| two_se(p, e))
            .collect();
        left = left
            .with(Series::line(&format!("SDE, {label}"), line, exact_pts))
            .with(bars(&format!("SGD ± 2 s.e., {label}"), pts, &rows));
    }
    let rows = ps
        .iter()
        .zip(&away)
        .map(|(&p, &q)| wilson95(p, q))
        .collect::<Result<Vec<_>>>()?;
    let right = Panel::new(
        &format!("attractive saddle: P(|x| > 1) at t = {t_end}"),
        Axis::linear("perturbation p", -0.002, 0.052),
        Axis::linear("probability", 0.0, 1.05),
    )
    .with(Series::new(
        Some("escape certain"),
        Kind::Dashed,
        Colour::Grey,
        vec![(-0.002, 1.0), (0.052, 1.0)],
    ))
    .with(Series::line(
        "stationary law of the SDE: mass outside (−1, 1)",
        Colour::Red,
        fine.iter().zip(&curves).map(|(&p, c)| (p, c.2)).collect(),
    ))
    .with(bars("SGD, Wilson 95 %", Colour::Green, &rows));
    progress(1.0);
    Ok(Figure {
        name,
        title: "Perturbed SGD: faster passage, no guarantee".into(),
        caption: format!(
            "Perturbed SGD x ← x + lr((a + ξ̄)x + η̄) + p·Z, Z ~ N(0, 1), on the finite sum \
             f_j = −(a + ξ_j)x²/2 − η_j x with N = {} samples, a = {A}, lr = {lr}, \
             minibatches of 1 (with replacement), s_η = {s_eta}, ρ = {rho}, from x₀ = {X0}, \
             at two curvature noises: s_ξ = √500 (σ² = lr·s_ξ² = 1 < 2a: a non-attractive \
             saddle) and s_ξ = √2000 (σ² = 4 > 2a: attractive). Left: mean exit time from \
             (−1, 1) in t = n·lr, SGD ± 2 s.e. ({} runs per point, budget {} steps, every \
             run exited) and the exact mean exit time of the diffusion limit dx = ax dt + \
             σx dW + τ dU with τ² = lr·s_η² + p²/lr (scale function and speed measure). \
             The SGD points sit slightly above the lines (by up to about 8 %): the \
             iterate is monitored only at the steps and overshoots by O(√lr); this bias \
             is drawn, not tested. Right, at the attractive saddle: P(|x_t| > 1) at \
             t = {t_end} ({} steps without stopping; the law has relaxed: at t = 10 and \
             t = 20 the proportions agree within their standard errors, measured with \
             4 000 runs) against p, SGD with Wilson 95 % intervals ({} runs per \
             point), and the mass outside (−1, 1) of the diffusion limit's stationary \
             law (Pearson IV, here Student-t with ν = 1 − 2a/σ² = ½ since ρ = 0). What to \
             see: the perturbation speeds the passage through both saddles and raises the \
             odds of being away from the attractive one, but that saddle keeps attracting: \
             for every p the stationary law keeps mass near it, so the iterate keeps \
             returning and the perturbation does not guarantee escape.",
            count(SAMPLES as u64),
            count(runs),
            count(budget as u64),
            count(steps_end as u64),
            count(runs_end),
        ),
        panels: vec![left, right],
        columns: 2,
        checks,
    })
}

/// The density of `xs` on `[lo, hi)` in `bins` bins, normalised by the whole sample
/// (mass outside the range counts), each bin with the Wilson 95 % interval of its
/// proportion divided by the bin width.
fn density_bars(xs: &[f64], lo: f64, hi: f64, bins: usize) -> Result<Vec<Row>> {
    let mut h = Histogram::new(lo, hi, bins)?;
    for &x in xs {
        h.push(x);
    }
    let w = h.resolution();
    let n = xs.len() as u64;
    h.counts()
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let (x, p, (l, u)) = wilson95(h.bin_left(k) + 0.5 * w, Proportion::new(c, n)?)?;
            Ok((x, p / w, (l / w, u / w)))
        })
        .collect()
}

/// `sup |F − G|` of two inverse-gamma laws on a fine logarithmic grid (the laws are
/// smooth, so the grid error is far below the KS resolution).
fn inverse_gamma_distance(f: &InverseGamma, g: &InverseGamma) -> f64 {
    grid(1e-4, 1e6, 4001, true)
        .into_iter()
        .map(|y| (f.cdf(y) - g.cdf(y)).abs())
        .fold(0.0, f64::max)
}

/// The tail exponent of the discrete inner loop `y ← (1 + lr(a + ξ_J))y + lr·a·x*`: the
/// root `κ > 0` of `(1/N) Σ_j |1 + lr(a + ξ_j)|^κ = 1` (Kesten), by bisection on
/// `[κ₀/2, 2κ₀]` around the limit's `κ₀`; NaN if that does not bracket it.
fn chain_tail_exponent(d: &FiniteSum, lr: f64, k0: f64) -> f64 {
    let logs: Vec<f64> = d
        .xi()
        .iter()
        .map(|x| (1.0 + lr * (A + x)).abs().ln())
        .collect();
    let h = |k: f64| (logs.iter().map(|l| (k * l).exp()).sum::<f64>() / logs.len() as f64).ln();
    let (mut lo, mut hi) = (0.5 * k0, 2.0 * k0);
    if !(h(lo) < 0.0 && h(hi) > 0.0) {
        return f64::NAN;
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if h(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `svrg`: the end of SVRG's inner loop against the inverse-gamma limit, for a long and
/// a short loop, and the geometric growth of the landmarks over outer loops.
pub(crate) fn svrg(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "svrg";
    // at lr = 10⁻³ the discrete growth sat about 0.006 (one standard error of the check)
    // below the limit's over 12 seeds; halving lr halves that bias, and halving the runs
    // keeps the cost
    let lr: f64 = 5e-4;
    let sigma2 = 8.0;
    let s_xi = (sigma2 / lr).sqrt();
    // η cancels in SVRG's step: any slope noise gives the same runs
    let s_eta = 1.0;
    let outer = 5;
    let runs: u64 = s.pick(1_750, 800);
    let loops = [
        (10.0, "long loop, m·lr = 10", Colour::Blue),
        (0.5, "short loop, m·lr = 0.5", Colour::Green),
    ];
    let d = data(s, name, s_xi, s_eta, 0.0)?;
    let mut results = Vec::new();
    for (j, &(ml, _, _)) in loops.iter().enumerate() {
        let inner = (ml / lr).round() as usize;
        let sgd =
            Sgd::new(&d, lr, 1, Sampling::WithReplacement)?.optimizer(Optimizer::Svrg { inner })?;
        // the long loop costs 20 times the short one
        let (lo, hi) = if j == 0 { (0.0, 0.95) } else { (0.95, 1.0) };
        let lm = sgd.landmarks(
            X0,
            outer,
            runs,
            s.seed_for(name, 1 + j as u64),
            &mut part(progress, lo, hi),
        )?;
        results.push((SvrgLimit::of(&sgd)?, lm));
    }
    let limit = &results[0].0;
    let law = limit.law();
    let (shape, scale) = (limit.shape(), limit.scale());
    let g = limit.log_growth();
    // the ratios Y = (x − x*)/x* at the end of every inner loop: independent, with
    // one law (the recursion restarts from y = 0 with fresh noise, and is linear in x*)
    let first: Vec<Vec<f64>> = results
        .iter()
        .map(|(_, lm)| {
            let mut r: Vec<f64> = (0..outer).flat_map(|k| lm.ratios(k)).collect();
            r.sort_by(f64::total_cmp);
            r
        })
        .collect();
    let ks: Vec<f64> = first
        .iter()
        .map(|r| ks_distance(r, |y| law.cdf(y)))
        .collect();
    let n_first = first[0].len() as u64;
    let crit = super::ks_crit(n_first as f64);
    let wrong = InverseGamma::new(1.2 * shape, scale).map_err(|e| Error::DoesNotExist {
        what: "the alternative inverse-gamma law",
        condition: e.to_string(),
    })?;
    let d_wrong = ks_distance(&first[0], |y| wrong.cdf(y));
    let d0 = inverse_gamma_distance(law, &wrong);
    let (growth, bad) = results[0].1.log_growth();
    let growth = growth.ok_or_else(|| Error::DoesNotExist {
        what: "growth of SVRG's landmarks",
        condition: "at least two runs with finite, non-zero landmarks".into(),
    })?;
    let z_g = (growth.estimate - g) / growth.stderr;
    let shrink: Vec<Proportion> = results.iter().map(|(_, lm)| lm.shrinking()).collect();
    let min_factor = d
        .xi()
        .iter()
        .map(|x| 1.0 + lr * (A + x))
        .fold(f64::INFINITY, f64::min);
    let kappa = chain_tail_exponent(&d, lr, shape);
    let mut checks = vec![ks_accept(
        &format!(
            "long loop (m·lr = 10, {} relaxation times): (x − x*)/x* at the end of the \
             inner loops against InverseGamma(shape {shape}, scale {})",
            sig(10.0 / limit.relaxation_time(), 2),
            sig(scale, 3)
        ),
        ks[0],
        n_first,
    )];
    checks.push(Check::new(
        ks[1] > crit,
        format!(
            "short loop (m·lr = 0.5, {} relaxation times) departs from the limit: KS D = {} \
             > D_crit = {} at α = 2·10⁻⁶, {} inner loops",
            sig(0.5 / limit.relaxation_time(), 2),
            sig(ks[1], 3),
            sig(crit, 3),
            count(first[1].len() as u64)
        ),
    ));
    checks.push(ks_reject(
        &format!(
            "power: a shape off by 20 % (InverseGamma({}, {})) against the long loop",
            sig(1.2 * shape, 3),
            sig(scale, 3)
        ),
        d_wrong,
        d0,
        n_first,
    ));
    checks.push(Check::new(
        z_g.abs() <= Z_CHECK && bad == 0,
        format!(
            "long loop: growth of ln|x*| per outer loop {} (s.e., {} runs × {outer} loops) \
             against the limit's g = E ln(1 + Y) = {}: |z| = {} ≤ {Z_CHECK:.2}; {bad} runs \
             left out",
            pm(growth),
            count(runs),
            sig(g, 4),
            sig(z_g.abs(), 3)
        ),
    ));
    checks.push(Check::new(
        shrink.iter().all(|p| p.successes == 0),
        format!(
            "|x*| never shrank: {} of {} long and {} of {} short inner loops ended with \
             |x*_{{k+1}}| ≤ |x*_k| (guaranteed on every path since min_j 1 + lr(a + ξ_j) = \
             {} > 0)",
            shrink[0].successes,
            count(shrink[0].trials),
            shrink[1].successes,
            count(shrink[1].trials),
            sig(min_factor, 3)
        ),
    ));
    // panel A: log₁₀ Y
    let (lo, hi, bins) = (-1.8, 3.2, 50);
    let mut left = Panel::new(
        "end of the inner loops",
        Axis::linear("log₁₀((x − x*)/x*)", lo, hi),
        Axis::linear("density", 0.0, 1.0),
    )
    .with(Series::line(
        &format!(
            "limit: InverseGamma({shape}, {}) (diffusion limit, m → ∞)",
            sig(scale, 3)
        ),
        Colour::Black,
        grid(lo, hi, 241, false)
            .into_iter()
            .map(|u| {
                let y = 10f64.powf(u);
                (u, law.pdf(y) * y * std::f64::consts::LN_10)
            })
            .collect(),
    ));
    let mut ytop: f64 = 0.0;
    for (j, &(_, label, colour)) in loops.iter().enumerate() {
        let logs: Vec<f64> = first[j]
            .iter()
            .map(|&y| {
                if y > 0.0 {
                    y.log10()
                } else {
                    f64::NEG_INFINITY
                }
            })
            .collect();
        let rows = density_bars(&logs, lo, hi, bins)?;
        ytop = rows.iter().map(|r| r.2.1).fold(ytop, f64::max);
        left = left.with(bars(&format!("SVRG, {label}, Wilson 95 %"), colour, &rows));
    }
    // room above the peak for the legend
    left.y = Axis::linear("density", 0.0, (1.5 * ytop * 10.0).ceil() / 10.0);
    // panel B: mean ln|x*_k/x*_0|
    let mut right = Panel::new(
        "landmarks over outer loops",
        Axis::linear("outer loop k", -0.2, outer as f64 + 0.2),
        Axis::linear(
            "mean ln|x*_k / x*_0|",
            -0.2,
            (g * outer as f64 + 0.8).ceil(),
        ),
    )
    .with(Series::line(
        &format!("k·g, g = {} (limit)", sig(g, 4)),
        Colour::Black,
        vec![(0.0, 0.0), (outer as f64, g * outer as f64)],
    ));
    for (j, &(_, label, colour)) in loops.iter().enumerate() {
        let lm = &results[j].1;
        let rows: Vec<_> = (0..=outer)
            .map(|k| {
                let mut mv = MeanVar::default();
                for i in 0..lm.runs() {
                    let r = lm.run(i);
                    mv.push((r[k] / r[0]).abs().ln());
                }
                let se = if k == 0 { 0.0 } else { mv.stderr() };
                two_se(
                    k as f64,
                    Estimate {
                        estimate: mv.mean(),
                        stderr: se,
                    },
                )
            })
            .collect();
        right = right.with(bars(&format!("SVRG ± 2 s.e., {label}"), colour, &rows));
    }
    progress(1.0);
    Ok(Figure {
        name,
        title: "SVRG: inverse-gamma inner loops, geometric escape".into(),
        caption: format!(
            "SVRG on the finite sum f_j = −(a + ξ_j)x²/2 − η_j x (N = {} samples, a = {A}, \
             s_ξ = √(8/lr) ≈ {}, η cancels exactly in the variance-reduced step) with \
             lr = {lr}, minibatches of 1, from x₀ = {X0}: every m steps the landmark x* ← x, \
             and the step is x ← x + lr(a x + ξ̄(x − x*)). In the diffusion limit σ² = lr·s_ξ² = \
             {sigma2} > 2a, and at the end of a long inner loop Y = (x − x*)/x* ~ \
             InverseGamma(shape 1 − 2a/σ² = {shape}, scale 2a/σ² = {}): x − x* has a scale \
             proportional to |x*|, the distance of the landmark from the saddle. Left: the \
             density of log₁₀ Y at the end of the inner loops ({} runs × {outer} loops, \
             independent), for a long loop \
             (m = {} steps, m·lr = 10) and a short one (m = {}, m·lr = 0.5), against the \
             limit's density f(y)·y·ln 10 (relaxation time 1/(σ²/2 − a) = {} in t = n·lr). \
             Right: mean ln|x*_k/x*_0| over k = 0…{outer} outer loops (± 2 s.e.), against \
             k·g with g = E ln(1 + Y) the limit's growth per loop. What to see: the long \
             loop follows the limit law and |x*| grows geometrically, by g per outer loop; \
             the short loop has not relaxed (its Y is stochastically smaller) and grows \
             more slowly, but also geometrically: SVRG escapes in the outer loop. At \
             this lr the discrete inner loop's own tail exponent, the root κ of \
             (1/N) Σ_j |1 + lr(a + ξ_j)|^κ = 1, is {} against the limit's {shape}.",
            count(SAMPLES as u64),
            sig(s_xi, 3),
            sig(scale, 3),
            count(runs),
            count((10.0 / lr).round() as u64),
            count((0.5 / lr).round() as u64),
            sig(limit.relaxation_time(), 3),
            sig(kappa, 4),
        ),
        panels: vec![left, right],
        columns: 2,
        checks,
    })
}

/// `minibatch`: escape against the minibatch size across the SDE's crossover
/// `B* = lr·s_ξ²/(2a)`, and full-batch gradient descent, which never gets stuck.
pub(crate) fn minibatch(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "minibatch";
    // lr·s_ξ² = 6: B* = 3; the step noise lr·s_ξ/√B is at most 0.095
    let (lr, s_eta, rho): (f64, f64, f64) = (0.0015, 1.0, 0.0);
    let s_xi = (6.0 / lr).sqrt();
    let b_star = lr * s_xi * s_xi / (2.0 * A);
    let batches = [1usize, 2, 3, 4, 6, 8, 12, 16];
    let horizon_steps = 4_000;
    let t_h = horizon_steps as f64 * lr;
    // 300 time units: 25 times the longest mean exit time
    let budget = 200_000;
    let runs: u64 = s.pick(1_200, 200);
    let d = data(s, name, s_xi, s_eta, rho)?;
    let model_at = |b: f64| SaddleSde::new(A, s_xi * (lr / b).sqrt(), s_eta * (lr / b).sqrt(), rho);
    // the exact curves' grid (an exit-time CDF and a mean exit time, about 0.1 s a point)
    let fine = grid(1.0, 16.0, s.pick(9, 5), true);
    let curves = fine
        .par_iter()
        .map(|&b| -> Result<(f64, f64)> {
            let m = model_at(b)?;
            Ok((
                exact::exit_time_cdf(&m, X0, -HALF, HALF, &[t_h])?[0],
                exact::interval_exit(&m, X0, -HALF, HALF)?.mean_exit_time,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    progress(0.05);
    let (mut p_rows, mut m_rows, mut shares, mut step_noise) = (vec![], vec![], vec![], 0.0f64);
    let jobs = batches.len() as f64;
    for (i, &b) in batches.iter().enumerate() {
        let sgd = Sgd::new(&d, lr, b, Sampling::WithReplacement)?;
        step_noise = step_noise.max(sgd.step_noise()?.unwrap_or(f64::NAN));
        let seed = s.seed_for(name, 1 + i as u64);
        let f = i as f64 / jobs;
        let short = sgd.escape(
            &escape_run(horizon_steps, runs)?,
            seed,
            &mut part(progress, 0.05 + 0.95 * f, 0.05 + 0.95 * (f + 0.3 / jobs)),
        )?;
        let long = sgd.escape(
            &escape_run(budget, runs)?,
            seed,
            &mut part(
                progress,
                0.05 + 0.95 * (f + 0.3 / jobs),
                0.05 + 0.95 * (f + 1.0 / jobs),
            ),
        )?;
        let p = exit_share(&short)?;
        shares.push(p);
        p_rows.push(wilson95(b as f64, p)?);
        if let Some(e) = long.mean_exit_time() {
            m_rows.push(two_se(b as f64, e));
        }
    }
    // full batch: B = N without replacement is gradient descent, x_n = x₀(1 + lr·a)ⁿ
    let gd_step = ((1.0 / X0).ln() / (lr * A).ln_1p()).ceil() as usize;
    let gd = Sgd::new(&d, lr, SAMPLES, Sampling::WithoutReplacement)?.escape(
        &escape_run(2 * gd_step, 2)?,
        s.seed_for(name, 100),
        &mut |_| {},
    )?;
    let gd_mean = gd.mean_exit_time();
    let gd_ok = gd.exits_upper() == 2
        && gd_mean
            .is_some_and(|e| (e.estimate / lr).round() as usize == gd_step && e.stderr == 0.0);
    let last = batches.len() - 1;
    let z = z_diff(as_estimate(shares[last]), as_estimate(shares[0]));
    let checks = vec![
        Check::new(
            z > Z_CHECK,
            format!(
                "larger minibatches raise the odds: P(T ≤ {}) from {} at B = 1 to {} at \
                 B = {}: z = {} > {Z_CHECK:.2} (one-sided, {} runs each)",
                short(t_h, 3),
                sig(shares[0].estimate(), 3),
                sig(shares[last].estimate(), 3),
                batches[last],
                sig(z, 3),
                count(runs)
            ),
        ),
        Check::new(
            gd_ok,
            format!(
                "full batch (B = N = {} without replacement) is gradient descent: both runs \
                 leave through +1 at step {} = ⌈ln(1/x₀)/ln(1 + lr·a)⌉ exactly (measured: \
                 {})",
                count(SAMPLES as u64),
                gd_step,
                gd_mean.map_or_else(
                    || "no exit".to_string(),
                    |e| format!("step {}, s.e. {}", sig(e.estimate / lr, 6), e.stderr)
                )
            ),
        ),
    ];
    let x_axis = || Axis::log("minibatch size B", 0.8, 20.0);
    let mmax = m_rows
        .iter()
        .map(|r| r.2.1)
        .chain(curves.iter().map(|c| c.1))
        .fold(0.0, f64::max);
    let ytop = (1.1 * mmax).ceil();
    let panels = vec![
        Panel::new(
            &format!(
                "P(T ≤ {}) (H = {} steps)",
                short(t_h, 3),
                count(horizon_steps as u64)
            ),
            x_axis(),
            Axis::linear("probability", 0.0, 1.05),
        )
        .with(Series::new(
            Some("B* = lr·s_ξ²/(2a)"),
            Kind::Dashed,
            Colour::Grey,
            vline(b_star, 0.0, 1.05),
        ))
        .with(Series::line(
            "SDE, σ² = lr·s_ξ²/B (backward equation)",
            Colour::Black,
            fine.iter().zip(&curves).map(|(&b, c)| (b, c.0)).collect(),
        ))
        .with(bars("SGD, Wilson 95 %", Colour::Blue, &p_rows)),
        Panel::new(
            "mean exit time from (−1, 1)",
            x_axis(),
            Axis::linear("E[T] (t = n·lr)", 0.0, ytop),
        )
        .with(Series::new(
            Some("B*"),
            Kind::Dashed,
            Colour::Grey,
            vline(b_star, 0.0, ytop),
        ))
        .with(Series::line(
            "SDE (scale function, speed measure)",
            Colour::Black,
            fine.iter().zip(&curves).map(|(&b, c)| (b, c.1)).collect(),
        ))
        .with(bars("SGD ± 2 s.e.", Colour::Blue, &m_rows)),
    ];
    progress(1.0);
    Ok(Figure {
        name,
        title: "Larger minibatches: less attractive noise".into(),
        caption: format!(
            "Minibatch SGD (with replacement) on the finite sum f_j = −(a + ξ_j)x²/2 − η_j x \
             with N = {} samples, a = {A}, lr = {lr}, s_ξ = √(6/lr) ≈ {}, s_η = {s_eta}, \
             ρ = {rho}, from x₀ = {X0}, for B = {}. The diffusion limit has σ² = lr·s_ξ²/B \
             and τ² = lr·s_η²/B: the saddle attracts (σ² > 2a) for B below \
             B* = lr·s_ξ²/(2a) = {} (dashed); the step noise lr·s_ξ/√B is at most {}. Left: \
             the probability of leaving (−1, 1) within H = {} steps \
             (t = {}), SGD with Wilson 95 % intervals ({} runs per B) and the SDE's exact \
             P(T ≤ t) (backward equation) over continuous B. Right: mean exit time, SGD \
             ± 2 s.e. (the same runs continued to a budget of {} steps; every run exited) \
             and the SDE's exact value. Full-batch gradient descent (B = N without \
             replacement: no noise) leaves at step {gd_step} = ⌈ln(1/x₀)/ln(1 + lr·a)⌉ \
             (t = {}), as a check. What to see: the odds of leaving within H grow with B, \
             from about 0.4 at B = 1, where the saddle attracts, to nearly 1 at B = 16, and \
             the escape gets faster; the full batch never gets stuck.",
            count(SAMPLES as u64),
            sig(s_xi, 3),
            batches
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            short(b_star, 3),
            sig(step_noise, 2),
            count(horizon_steps as u64),
            short(t_h, 3),
            count(runs),
            count(budget as u64),
            short(gd_step as f64 * lr, 4),
        ),
        panels,
        columns: 2,
        checks,
    })
}

/// `learning_rate`: escape steps and the growth rate of `ln|x|` per step against the
/// learning rate, with the trap thresholds of the SDE and of the discrete optimiser.
pub(crate) fn learning_rate(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "learning_rate";
    let (s_xi, s_eta, rho) = (5.0, 1.0, 0.0);
    let rates = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1];
    let runs: u64 = s.pick(10_000, 2_000);
    let budget = 200_000;
    let (lr_lo, lr_hi) = (0.001, 0.1);
    let d = data(s, name, s_xi, s_eta, rho)?;
    let sde_star = 2.0 * A / (s_xi * s_xi);
    let sde_rate = |lr: f64| (A - lr * s_xi * s_xi / 2.0) * lr;
    // the discrete threshold: the root of the exact rate below the SDE's, by bisection
    let disc_star = if d.discrete_rate(sde_star)? < 0.0 && d.discrete_rate(lr_lo)? > 0.0 {
        let (mut lo, mut hi) = (lr_lo, sde_star);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if d.discrete_rate(mid)? > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(0.5 * (lo + hi))
    } else {
        None
    };
    // the mean exit time's grid (a nested quadrature, about 0.1 s a point) and the
    // growth rates' (cheap)
    let coarse = grid(lr_lo, lr_hi, s.pick(13, 5), true);
    let exit_curve = coarse
        .par_iter()
        .map(|&lr| -> Result<(f64, f64)> {
            let m = d.diffusion_limit(lr, 1)?;
            Ok((
                lr,
                exact::interval_exit(&m, X0, -HALF, HALF)?.mean_exit_time / lr,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let fine = grid(lr_lo, lr_hi, 81, true);
    let rate_curve = fine
        .iter()
        .map(|&lr| Ok((lr, d.discrete_rate(lr)?)))
        .collect::<Result<Vec<_>>>()?;
    progress(0.05);
    let mut steps = Vec::new();
    for (i, &lr) in rates.iter().enumerate() {
        let f = i as f64 / rates.len() as f64;
        let st = Sgd::new(&d, lr, 1, Sampling::WithReplacement)?.escape(
            &escape_run(budget, runs)?,
            s.seed_for(name, 1 + i as u64),
            &mut part(
                progress,
                0.05 + 0.95 * f,
                0.05 + 0.95 * (f + 1.0 / rates.len() as f64),
            ),
        )?;
        let e = mean_exit(&st, "mean exit step of SGD")?;
        steps.push(Estimate {
            estimate: e.estimate / lr,
            stderr: e.stderr / lr,
        });
    }
    // the rates that escape by growth (discrete rate > 0), consecutive pairs
    let mut escaping = Vec::new();
    for (i, &lr) in rates.iter().enumerate() {
        if d.discrete_rate(lr)? > 0.0 {
            escaping.push(i);
        }
    }
    let zs: Vec<f64> = escaping
        .windows(2)
        .map(|w| z_diff(steps[w[0]], steps[w[1]]))
        .collect();
    let z_min = zs.iter().copied().fold(f64::INFINITY, f64::min);
    let first = escaping.first().copied().unwrap_or(0);
    let last = escaping.last().copied().unwrap_or(0);
    let checks = vec![
        Check::new(
            zs.len() >= 2 && z_min > Z_CHECK,
            format!(
                "learning takes longer: the mean exit step rises as lr falls, from {} at \
                 lr = {} to {} at lr = {}, at each of the {} consecutive pairs of rates \
                 whose discrete growth rate is positive: smallest z = {} > {Z_CHECK:.2} \
                 (one-sided, {} runs per rate)",
                pm(steps[last]),
                rates[last],
                pm(steps[first]),
                rates[first],
                zs.len(),
                sig(z_min, 3),
                count(runs)
            ),
        ),
        Check::new(
            disc_star.is_some_and(|r| r < sde_star),
            format!(
                "the discrete optimiser is trapped at a smaller rate: the root of \
                 (1/N) Σ_j ln|1 + lr(a + ξ_j)| is lr = {} < the SDE's 2a/s_ξ² = {}",
                disc_star.map_or_else(|| "none below the SDE's".into(), |r| sig(r, 4)),
                sig(sde_star, 4)
            ),
        ),
    ];
    let x_axis = || Axis::log("learning rate lr", 0.8 * lr_lo, 1.25 * lr_hi);
    let smax = steps
        .iter()
        .map(|e| e.estimate + 2.0 * e.stderr)
        .chain(exit_curve.iter().map(|c| c.1))
        .fold(0.0, f64::max);
    let smin = steps
        .iter()
        .map(|e| e.estimate - 2.0 * e.stderr)
        .chain(exit_curve.iter().map(|c| c.1))
        .fold(f64::INFINITY, f64::min);
    let (ylo, yhi) = (0.5 * smin, 2.0 * smax);
    let mut left = Panel::new(
        "mean exit step from (−1, 1)",
        x_axis(),
        Axis::log("E[steps]", ylo, yhi),
    )
    .with(Series::line(
        "SDE: exact E[T]/lr",
        Colour::Black,
        exit_curve,
    ))
    .with(bars(
        "SGD ± 2 s.e.",
        Colour::Blue,
        &rates
            .iter()
            .zip(&steps)
            .map(|(&lr, &e)| two_se(lr, e))
            .collect::<Vec<_>>(),
    ));
    let rate_lo = rate_curve
        .iter()
        .map(|c| c.1)
        .chain(fine.iter().map(|&lr| sde_rate(lr)))
        .fold(0.0, f64::min);
    let rate_hi = rate_curve
        .iter()
        .map(|c| c.1)
        .chain(fine.iter().map(|&lr| sde_rate(lr)))
        .fold(0.0, f64::max);
    // in units of 10⁻³ per step, on a range of whole tens (so that 0 is a tick)
    let per_mille = |v: Vec<(f64, f64)>| v.into_iter().map(|(x, y)| (x, 1e3 * y)).collect();
    let (rlo, rhi) = (
        (0.11 * rate_lo * 1e3).floor() * 10.0,
        (0.13 * rate_hi * 1e3).ceil() * 10.0,
    );
    let mut right = Panel::new(
        "growth rate of ln|x| (no slope noise)",
        x_axis(),
        Axis::linear("rate per 1000 steps", rlo, rhi),
    )
    .with(Series::new(
        None,
        Kind::Line,
        Colour::Grey,
        vec![(0.8 * lr_lo, 0.0), (1.25 * lr_hi, 0.0)],
    ))
    .with(Series::line(
        "SDE: (a − lr·s_ξ²/2)·lr",
        Colour::Black,
        per_mille(fine.iter().map(|&lr| (lr, sde_rate(lr))).collect()),
    ))
    .with(Series::line(
        "SGD, exact: (1/N) Σ ln|1 + lr(a + ξ_j)|",
        Colour::Blue,
        per_mille(rate_curve),
    ))
    .with(Series::new(
        Some("SDE threshold 2a/s_ξ²"),
        Kind::Dashed,
        Colour::Black,
        vline(sde_star, rlo, rhi),
    ));
    if let Some(r) = disc_star {
        right = right.with(Series::new(
            Some("discrete threshold"),
            Kind::Dashed,
            Colour::Blue,
            vline(r, rlo, rhi),
        ));
        left = left.with(Series::new(
            Some("discrete threshold"),
            Kind::Dashed,
            Colour::Blue,
            vline(r, ylo, yhi),
        ));
    }
    left = left.with(Series::new(
        Some("SDE threshold"),
        Kind::Dashed,
        Colour::Black,
        vline(sde_star, ylo, yhi),
    ));
    progress(1.0);
    Ok(Figure {
        name,
        title: "A smaller learning rate: less attractive noise, slower learning".into(),
        caption: format!(
            "Plain SGD (minibatches of 1, with replacement) on the finite sum \
             f_j = −(a + ξ_j)x²/2 − η_j x with N = {} samples, a = {A}, s_ξ = {s_xi}, \
             s_η = {s_eta}, ρ = {rho}, from x₀ = {X0}, for lr = {}. In t = n·lr its \
             diffusion limit has σ² = lr·s_ξ² and τ² = lr·s_η²: the learning rate scales \
             both noises by √lr, and the saddle attracts for lr > 2a/s_ξ² = {}. Left: mean \
             number of steps to leave (−1, 1), SGD ± 2 s.e. ({} runs per rate, budget {} \
             steps, every run exited) and the SDE's exact mean exit time divided by lr; at \
             the larger rates SGD sits above the SDE (discrete monitoring and overshoot, \
             step noise lr·s_ξ up to {}), which is drawn, not tested. Right: the almost-sure \
             growth rate of ln|x| per step without slope noise, the SDE's (a − lr·s_ξ²/2)·lr \
             and the exact rate of SGD on this data set, (1/N) Σ_j ln|1 + lr(a + ξ_j)|; \
             where it is negative the saddle attracts. What to see: lowering lr below the \
             threshold removes the trap (the growth rate turns positive), but every escape \
             then takes more steps, about ln(1/x₀)/(a·lr); above the threshold the saddle \
             attracts and the iterate leaves (−1, 1) only through its slope noise. The \
             discrete optimiser is trapped already below the SDE's threshold.",
            count(SAMPLES as u64),
            rates
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            short(sde_star, 3),
            count(runs),
            count(budget as u64),
            sig(lr_hi * s_xi, 2),
        ),
        panels: vec![left, right],
        columns: 2,
        checks,
    })
}

/// `annealing`: the survival of the escape step under annealed learning rates, with
/// their power tails, against a constant rate.
pub(crate) fn annealing(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "annealing";
    let (s_xi, s_eta, rho) = (2.0, 1.0, 0.0);
    let max_steps = 1_000_000;
    // (schedule, lr₀, fit from, runs, label, colour): each fit starts a decade past the
    // bulk of its escapes (fitting inside the bulk biases γ̂)
    let cases = [
        (
            Schedule::Harmonic,
            0.5,
            10_000,
            s.pick(10_000u64, 2_000),
            "lr₀/n, lr₀ = 0.5",
            Colour::Red,
        ),
        (
            Schedule::Harmonic,
            1.0,
            1_000,
            s.pick(100_000, 20_000),
            "lr₀/n, lr₀ = 1",
            Colour::Blue,
        ),
        (
            Schedule::InverseTime { n0: 50.0 },
            0.015,
            10_000,
            s.pick(10_000, 2_000),
            "lr₀/(1 + n/50), lr₀ = 0.015",
            Colour::Green,
        ),
        (
            Schedule::Constant,
            0.02,
            1_000,
            s.pick(10_000, 2_000),
            "constant lr = 0.02",
            Colour::Purple,
        ),
    ];
    let d = data(s, name, s_xi, s_eta, rho)?;
    let mut panel = Panel::new(
        "survival of the escape step",
        Axis::log("step n", 1.0, 1.2 * max_steps as f64),
        Axis::log("P(N > n)", 1e-6, 1.5),
    );
    let mut checks = Vec::new();
    let mut blown = 0;
    let work: f64 = [0.4, 0.05, 0.5, 0.05].iter().sum();
    let mut done = 0.0;
    for (i, &(schedule, lr0, from, runs, label, colour)) in cases.iter().enumerate() {
        let share = [0.4, 0.05, 0.5, 0.05][i] / work;
        let sgd = Sgd::new(&d, lr0, 1, Sampling::WithReplacement)?.schedule(schedule)?;
        let tail = sgd.escape_tail(
            &escape_run(max_steps, runs)?,
            from,
            s.seed_for(name, 1 + i as u64),
            &mut part(progress, done, done + share),
        )?;
        done += share;
        blown += tail.blown_up();
        let surv: Vec<(usize, Proportion)> = tail
            .survival()
            .into_iter()
            .filter(|(_, p)| p.successes > 0)
            .collect();
        let mut band = Series::new(
            Some(label),
            Kind::Band,
            colour,
            surv.iter()
                .map(|(n, p)| (*n as f64, p.estimate()))
                .collect(),
        );
        band.band = surv
            .iter()
            .map(|(_, p)| p.wilson(0.95).map(|w| (w.lower, w.upper)))
            .collect::<Result<_>>()?;
        panel = panel.with(band);
        let Some(gamma) = tail_exponent(schedule, A, lr0) else {
            continue;
        };
        let at_from = surv
            .iter()
            .find(|(n, _)| *n == from)
            .map(|(_, p)| p.estimate());
        let fit = tail.tail_exponent();
        if let Some(s0) = at_from {
            let (n0, n1) = (from as f64, max_steps as f64);
            // one legend entry for the dashed lines
            let dashed = (i == 0).then_some("dashed: predicted slopes −γ");
            panel = panel.with(Series::new(
                dashed,
                Kind::Dashed,
                colour,
                vec![(n0, s0), (n1, s0 * (n1 / n0).powf(-gamma))],
            ));
        }
        let (text, passed) = match fit {
            Some((e, k)) => {
                let z = (e.estimate - gamma) / e.stderr;
                (
                    format!(
                        "{label}: γ̂ = {} (censored Pareto MLE beyond n = {}, {} escapes of {} \
                         runs, budget {} steps) against a·lr₀{} = {gamma}: |z| = {} ≤ {Z_CHECK:.2}",
                        pm(e),
                        count(from as u64),
                        count(k),
                        count(runs),
                        count(max_steps as u64),
                        if matches!(schedule, Schedule::InverseTime { .. }) {
                            "·n₀"
                        } else {
                            ""
                        },
                        sig(z.abs(), 3)
                    ),
                    z.abs() <= Z_CHECK,
                )
            }
            None => (format!("{label}: no escape beyond n = {from}"), false),
        };
        checks.push(Check::new(passed, text));
        if i == 0
            && let Some((e, _)) = fit
        {
            let upper = e.estimate + Z_CHECK * e.stderr;
            checks.push(Check::new(
                upper < 1.0,
                format!(
                    "{label} escapes surely but with infinite mean time: \
                         γ̂ + {Z_CHECK:.2} s.e. = {} < 1",
                    sig(upper, 3)
                ),
            ));
        }
        if let (Schedule::InverseTime { n0 }, Some((e, _))) = (schedule, fit) {
            // the exponent without n₀ (as if the rate were lr₀/n) is a plausible slip
            let wrong = gamma / n0;
            let z1 = (e.estimate - wrong).abs() / e.stderr;
            checks.push(Check::new(
                z1 > Z_CHECK,
                format!(
                    "power: the fit for {label} rejects the exponent a·lr₀ = {} that forgets \
                     n₀: |γ̂ − {}|/s.e. = {} > {Z_CHECK:.2}",
                    sig(wrong, 3),
                    sig(wrong, 3),
                    sig(z1, 3)
                ),
            ));
        }
    }
    progress(1.0);
    Ok(Figure {
        name,
        title: "Annealing: certain escape, power-law waiting".into(),
        caption: format!(
            "SGD (minibatches of 1, with replacement) on the finite sum f_j = −(a + ξ_j)x²/2 \
             − η_j x with N = {} samples, a = {A}, s_ξ = {s_xi}, s_η = {s_eta}, ρ = {rho}, \
             from x₀ = {X0}, with the learning rate lr_n of step n annealed as lr₀/n \
             (lr₀ = 0.5 and 1), as lr₀/(1 + n/n₀) (lr₀ = 0.015, n₀ = 50, which behaves \
             like 0.75/n), or constant (0.02). Drawn: the survival P(N > n) of the step N at \
             which the iterate leaves (−1, 1), at ten steps per decade with Wilson 95 % \
             bands (runs: {} for lr₀ = 0.5, {} for lr₀ = 1, {} for the others; budget {} \
             steps; {blown} runs non-finite), and the predicted power tails \
             P(N > n) ~ C·n^(−γ), γ = a·lr₀ (a·lr₀·n₀), as dashed lines of that slope \
             from the start of each fit. What to see: with an annealed rate the noise sums \
             converge while the drift a·Σ lr_n diverges, so every run escapes, but the \
             waiting time has a power tail: for a·lr₀ ≤ 1 its mean is infinite (lr₀ = 0.5: \
             a few runs in a thousand are still at the saddle after 10⁶ steps). A constant \
             rate below the trap threshold escapes with an exponential tail.",
            count(SAMPLES as u64),
            count(cases[0].3),
            count(cases[1].3),
            count(cases[2].3),
            count(max_steps as u64),
        ),
        panels: vec![panel],
        columns: 1,
        checks,
    })
}

/// The ReLU limit's `P(T ≤ t_h)` and mean exit time from `(−1, 1)`, both from the
/// backward equation: the mean as the integral of the survival, on 1000 intervals up to
/// the time where the survival falls below 10⁻⁹ (found on a first, coarse solve to
/// `t_h`). [`exact::interval_exit_of`] agrees (the tests compare them) but costs about
/// 0.5 s a point on this limit (its scale function is a quadrature across the kink).
fn relu_exit(r: &ReluLimit, t_h: f64) -> Result<(f64, f64)> {
    let coarse = grid(0.0, t_h, 201, false);
    let cdf = exact::exit_time_cdf_of(r, X0, -HALF, HALF, &coarse)?;
    let p = cdf[cdf.len() - 1];
    let cut = coarse
        .iter()
        .zip(&cdf)
        .find(|(_, f)| 1.0 - **f < 1e-9)
        .map_or(t_h, |(t, _)| *t);
    let times = grid(0.0, cut, 1001, false);
    let cdf = exact::exit_time_cdf_of(r, X0, -HALF, HALF, &times)?;
    let mean = cdf
        .windows(2)
        .zip(times.windows(2))
        .map(|(f, t)| (t[1] - t[0]) * (1.0 - 0.5 * (f[0] + f[1])))
        .sum();
    Ok((p, mean))
}

/// `relu`: smooth SGD against SGD on the piecewise-linear ("ReLU") loss across the
/// smooth trap threshold of the curvature noise.
pub(crate) fn relu(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let name = "relu";
    let (lr, s_eta, rho, width) = (0.001, 1.0, 0.0, 1.0);
    let noises = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 120.0];
    let horizon_steps = 10_000;
    let t_h = horizon_steps as f64 * lr;
    // 300 time units: 20 times the longest mean exit time
    let budget = 300_000;
    let runs: u64 = s.pick(1_000, 200);
    let runs_mean: u64 = s.pick(400, 100);
    let s_star = (2.0 * A / lr).sqrt();
    // the exact curves on a grid of s_ξ: for the smooth limit the backward equation's
    // P(T ≤ t_H) and the mean exit time (nested quadrature, about 0.1 s a point); for
    // the ReLU limit both from the backward equation (`relu_exit`)
    let fine = grid(10.0, 120.0, s.pick(9, 4), false);
    let curves = fine
        .par_iter()
        .map(|&sx| -> Result<[f64; 4]> {
            let d = data(s, name, sx, s_eta, rho)?;
            let m = limit_of(&sgd1(&d, lr)?)?;
            let r = ReluLimit::of(&sgd1(&d, lr)?.optimizer(Optimizer::Relu { width })?)?;
            let (relu_p, relu_mean) = relu_exit(&r, t_h)?;
            Ok([
                exact::exit_time_cdf(&m, X0, -HALF, HALF, &[t_h])?[0],
                exact::interval_exit(&m, X0, -HALF, HALF)?.mean_exit_time,
                relu_p,
                relu_mean,
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    progress(0.05);
    // per s_ξ: (smooth P, relu P, smooth mean, relu mean, relu exact P)
    let mut rows = Vec::new();
    let jobs = noises.len() as f64;
    for (i, &sx) in noises.iter().enumerate() {
        let d = data(s, name, sx, s_eta, rho)?;
        let smooth = sgd1(&d, lr)?;
        let relu = smooth.clone().optimizer(Optimizer::Relu { width })?;
        let seed = s.seed_for(name, 1 + i as u64);
        let f = 0.05 + 0.95 * i as f64 / jobs;
        let step = 0.95 / jobs;
        let p_smooth = exit_share(&smooth.escape(
            &escape_run(horizon_steps, runs)?,
            seed,
            &mut part(progress, f, f + 0.45 * step),
        )?)?;
        let p_relu = exit_share(&relu.escape(
            &escape_run(horizon_steps, runs)?,
            seed,
            &mut part(progress, f + 0.45 * step, f + 0.5 * step),
        )?)?;
        let m_smooth = smooth
            .escape(
                &escape_run(budget, runs_mean)?,
                s.seed_for(name, 100 + i as u64),
                &mut part(progress, f + 0.5 * step, f + 0.95 * step),
            )?
            .mean_exit_time();
        let m_relu = relu
            .escape(
                &escape_run(budget, runs_mean)?,
                s.seed_for(name, 100 + i as u64),
                &mut part(progress, f + 0.95 * step, f + step),
            )?
            .mean_exit_time();
        let exact_relu =
            exact::exit_time_cdf_of(&ReluLimit::of(&relu)?, X0, -HALF, HALF, &[t_h])?[0];
        rows.push((p_smooth, p_relu, m_smooth, m_relu, exact_relu));
    }
    // checks
    let mut out_of_interval = 0;
    let mut fewest = (u64::MAX, 0.0);
    for (&sx, r) in noises.iter().zip(&rows) {
        // the backward equation's value may exceed 1 by rounding
        // the Clopper–Pearson interval at 1 − 2·10⁻⁶ misses the true P with probability at
        // most 2·10⁻⁶ for every P and number of runs n; Wilson's does not (at n = 200 a
        // P just above its upper end at k = n − 1, 0.99980, is missed with probability
        // 0.04). At the backward equation's P here (1 − P ≤ 1.3·10⁻¹⁰) both miss exactly
        // when a run has not exited: size 1 − Pⁿ ≤ 2.5·10⁻⁸ per s_ξ at n = 200 runs,
        // 1.2·10⁻⁷ at 1 000 (binomial enumeration)
        if !r
            .1
            .clopper_pearson(super::CONF_CHECK)?
            .contains(r.4.min(1.0))
        {
            out_of_interval += 1;
        }
        if r.1.successes < fewest.0 {
            fewest = (r.1.successes, sx);
        }
    }
    let last = noises.len() - 1;
    let (ps_last, pr_last) = (as_estimate(rows[last].0), as_estimate(rows[last].1));
    let z_last = z_diff(pr_last, ps_last);
    let drift_time = (HALF - X0) / (A * width);
    let relu_z_max = rows
        .iter()
        .filter_map(|r| r.3)
        .map(|e| (e.estimate - drift_time) / e.stderr)
        .fold(f64::NEG_INFINITY, f64::max);
    let relu_all = rows.iter().all(|r| r.3.is_some());
    let gd_time = (HALF / X0).ln() / A;
    let smooth_last = noises
        .iter()
        .zip(&rows)
        .rev()
        .find_map(|(&sx, r)| r.2.map(|e| (sx, e)));
    let smooth_z = smooth_last.map_or(f64::NAN, |(_, e)| (e.estimate - gd_time) / e.stderr);
    let checks = vec![
        Check::new(
            out_of_interval == 0,
            format!(
                "ReLU escapes within t = {} at every s_ξ: fewest exits {} of {} (s_ξ = {}); \
                 {} of {} Clopper–Pearson intervals at 1 − 2·10⁻⁶ (exact: coverage at least \
                 1 − 2·10⁻⁶ for every p) contain the ReLU limit's exact P(T ≤ {}) (1 − P ≤ {})",
                short(t_h, 3),
                count(fewest.0),
                count(runs),
                fewest.1,
                noises.len() - out_of_interval,
                noises.len(),
                short(t_h, 3),
                sig(
                    rows.iter().map(|r| 1.0 - r.4).fold(0.0, f64::max).max(0.0),
                    2
                )
            ),
        ),
        Check::new(
            z_last > Z_CHECK,
            format!(
                "at s_ξ = {} the smooth optimiser's P(T ≤ {}) = {} is below ReLU's {}: \
                 z = {} > {Z_CHECK:.2} (one-sided, {} runs each)",
                noises[last],
                short(t_h, 3),
                sig(ps_last.estimate, 3),
                sig(pr_last.estimate, 4),
                sig(z_last, 3),
                count(runs)
            ),
        ),
        Check::new(
            relu_all && relu_z_max <= Z_CHECK && smooth_z > Z_CHECK,
            format!(
                "noise never slows ReLU's escape and slows the smooth one's: every ReLU mean \
                 exit time is at most the noiseless drift time (1 − x₀)/(a·w) = {} (largest \
                 z = {} ≤ {Z_CHECK:.2}, one-sided, {} runs per s_ξ), while the smooth \
                 optimiser's at s_ξ = {} is {} against its noiseless ln(1/x₀)/a = {} \
                 (z = {} > {Z_CHECK:.2})",
                sig(drift_time, 3),
                sig(relu_z_max, 3),
                count(runs_mean),
                smooth_last.map_or(f64::NAN, |x| x.0),
                smooth_last.map_or_else(|| "censored".into(), |x| pm(x.1)),
                sig(gd_time, 3),
                sig(smooth_z, 3)
            ),
        ),
    ];
    // panels
    let x_axis = || Axis::linear("curvature noise s_ξ", 5.0, 125.0);
    let p_rows = |relu: bool| -> Result<Vec<_>> {
        noises
            .iter()
            .zip(&rows)
            .map(|(&sx, r)| wilson95(sx, if relu { r.1 } else { r.0 }))
            .collect()
    };
    let m_rows = |relu: bool| -> Vec<_> {
        noises
            .iter()
            .zip(&rows)
            .filter_map(|(&sx, r)| (if relu { r.3 } else { r.2 }).map(|e| two_se(sx, e)))
            .collect()
    };
    let curve = |k: usize| -> Vec<(f64, f64)> {
        fine.iter()
            .zip(&curves)
            .map(|(&sx, c)| (sx, c[k]))
            .collect()
    };
    let smooth_means = m_rows(false);
    let relu_means = m_rows(true);
    let mmax = smooth_means
        .iter()
        .chain(&relu_means)
        .map(|r| r.2.1)
        .chain(curves.iter().map(|c| c[1]))
        .fold(0.0, f64::max);
    let ytop = (1.1 * mmax).ceil();
    let panels = vec![
        Panel::new(
            &format!(
                "P(T ≤ {}) ({} steps)",
                short(t_h, 3),
                count(horizon_steps as u64)
            ),
            x_axis(),
            Axis::linear("probability", 0.0, 1.05),
        )
        .with(Series::new(
            Some("smooth trap threshold s* = √(2aB/lr)"),
            Kind::Dashed,
            Colour::Grey,
            vline(s_star, 0.0, 1.05),
        ))
        .with(Series::line("smooth: SDE", Colour::Black, curve(0)))
        .with(bars(
            "smooth SGD, Wilson 95 %",
            Colour::Blue,
            &p_rows(false)?,
        ))
        .with(Series::line("ReLU: limit", Colour::Red, curve(2)))
        .with(bars("ReLU SGD, Wilson 95 %", Colour::Green, &p_rows(true)?)),
        Panel::new(
            "mean exit time from (−1, 1)",
            x_axis(),
            Axis::linear("E[T] (t = n·lr)", 0.0, ytop),
        )
        .with(Series::new(
            Some("s*"),
            Kind::Dashed,
            Colour::Grey,
            vline(s_star, 0.0, ytop),
        ))
        .with(Series::line("smooth: SDE", Colour::Black, curve(1)))
        .with(bars("smooth SGD ± 2 s.e.", Colour::Blue, &smooth_means))
        .with(Series::line("ReLU: limit", Colour::Red, curve(3)))
        .with(bars("ReLU SGD ± 2 s.e.", Colour::Green, &relu_means)),
    ];
    progress(1.0);
    Ok(Figure {
        name,
        title: "ReLU losses remove the attractive noise".into(),
        caption: format!(
            "SGD (minibatches of 1, with replacement, lr = {lr}) on the finite sum with \
             N = {} samples, a = {A}, s_η = {s_eta}, ρ = {rho}, from x₀ = {X0}, against the \
             curvature noise s_ξ, on the smooth loss f_j = −(a + ξ_j)x²/2 − η_j x and on the \
             piecewise-linear (ReLU) loss f_j = −(a + ξ_j)·w·|x| − η_j x with w = {width}. \
             The smooth optimiser's diffusion limit has σ² = lr·s_ξ² and attracts beyond \
             s* = √(2a/lr) = {} (dashed); on the ReLU loss the curvature noise becomes a \
             push lr·w·ξ̄·sign(x) that does not shrink with x, and the limit is a Brownian \
             motion with drift a·w·sign(x) (optim::theory::ReluLimit). Left: the \
             probability of leaving (−1, 1) within {} steps (t = {}), SGD with \
             Wilson 95 % intervals ({} runs per point) and the limits' exact P(T ≤ t) \
             (backward equation). Right: mean exit time, SGD ± 2 s.e. ({} other runs per \
             point, budget {} steps, every run exited) and the limits' exact values (the \
             smooth one from the scale function and speed measure, the ReLU one as the \
             integral of the backward equation's survival, with b²(0) set to the mean of \
             its sides: a single point carries no time). The ReLU points sit slightly above their line at \
             large s_ξ (the overshoot of a step lr·w·s_ξ up to {}), which is drawn, not \
             tested. What to see: the smooth optimiser is slowed and then trapped as s_ξ \
             grows past s*; the ReLU optimiser leaves at every noise level, faster the \
             noisier it is, never slower than its noiseless drift time (1 − x₀)/(a·w).",
            count(SAMPLES as u64),
            sig(s_star, 3),
            count(horizon_steps as u64),
            short(t_h, 3),
            count(runs),
            count(runs_mean),
            count(budget as u64),
            sig(lr * width * 120.0, 2),
        ),
        panels,
        columns: 2,
        checks,
    })
}

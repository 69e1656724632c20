//! Shared test helpers: log-log slope fits, normal quantiles, an independent adaptive
//! Gauss–Kronrod quadrature, the one- and two-sample Kolmogorov–Smirnov statistics (the
//! library's, on sorted copies),
//! and ordered ensembles of terminal values; the tests' critical values are in [`tol`].
//!
//! Each test crate (`tests/<group>/main.rs`) includes this module with
//! `#[path = "../common/mod.rs"] mod common;`, and its modules use `crate::common`.
//! Not every crate uses every helper, hence `dead_code` is allowed here.
#![allow(dead_code)]

use saddle_sde::ensemble::{Merge, run_ordered};
use saddle_sde::integrate::{Grid, StopReason, terminal};
use saddle_sde::noise::path_rng;
use saddle_sde::scheme::ScalarScheme;
use saddle_sde::sde::ScalarSde;

pub mod tol;

const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

fn gk15(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> (f64, f64) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let fc = f(c);
    let mut k = fc * WGK[7];
    let mut g = fc * WG[3];
    for j in 0..7 {
        let x = h * XGK[j];
        let s = f(c - x) + f(c + x);
        k += WGK[j] * s;
        if j % 2 == 1 {
            g += WG[j / 2] * s;
        }
    }
    (k * h, ((k - g) * h).abs())
}

/// Adaptive Gauss–Kronrod (7/15) on `[a, b]`: bisects the interval with the largest
/// error estimate until the total estimate is below `tol` (absolute) or 20 000
/// intervals. Independent of the crate's tanh-sinh rule.
pub fn gk_adaptive(f: impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    let mut parts = vec![{
        let (v, e) = gk15(&f, a, b);
        (a, b, v, e)
    }];
    for _ in 0..20_000 {
        let (total_err, worst) = parts.iter().enumerate().fold((0.0, 0), |(s, w), (i, p)| {
            (s + p.3, if p.3 > parts[w].3 { i } else { w })
        });
        if total_err < tol {
            break;
        }
        let (lo, hi, _, _) = parts.swap_remove(worst);
        let mid = 0.5 * (lo + hi);
        let (v1, e1) = gk15(&f, lo, mid);
        let (v2, e2) = gk15(&f, mid, hi);
        parts.push((lo, mid, v1, e1));
        parts.push((mid, hi, v2, e2));
    }
    parts.iter().map(|p| p.2).sum()
}

/// One-sample KS statistic `sup |F_N − F|` of `xs` against `cdf` (sorts `xs`, then
/// [`saddle_sde::uncertainty::ks_distance`]).
pub fn ks_one(xs: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    saddle_sde::uncertainty::ks_distance(xs, cdf)
}

/// Two-sample KS statistic (sorts both, then
/// [`saddle_sde::uncertainty::ks_distance_two`]).
pub fn ks_two(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_by(|x, y| x.total_cmp(y));
    b.sort_by(|x, y| x.total_cmp(y));
    saddle_sde::uncertainty::ks_distance_two(a, b)
}

/// Values collected in path order.
#[derive(Default)]
pub struct Collect(pub Vec<f64>);

impl Merge for Collect {
    fn merge(&mut self, other: &Self) {
        self.0.extend_from_slice(&other.0);
    }
}

/// Terminal values of `paths` paths (seed `seed`), in path order; panics if any path
/// blows up (none should for these models).
pub fn terminals<S, Sch, const M: usize>(
    sde: &S,
    scheme: &Sch,
    x0: f64,
    grid: &Grid,
    paths: u64,
    seed: u64,
) -> Vec<f64>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    let out = run_ordered(
        paths,
        Collect::default,
        |i, acc| {
            let mut rng = path_rng(seed, i);
            let end = terminal(sde, scheme, x0, grid, &mut rng).expect("finite x0");
            assert_eq!(end.reason, StopReason::EndTime, "path {i} blew up");
            acc.0.push(end.x);
        },
        |_, _| {},
    );
    out.0
}

/// Sample mean and standard error.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Least-squares slope of `ln y` against `ln x` ([`saddle_sde::convergence::loglog_slope`]).
pub fn loglog_slope(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len());
    saddle_sde::convergence::loglog_slope(x, y)
}

/// The least-squares weights of a slope: `slope = Σ wᵢ yᵢ` with
/// `wᵢ = (xᵢ − x̄)/Σ(xⱼ − x̄)²`.
pub fn slope_weights(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    x.iter().map(|a| (a - mx) / sxx).collect()
}

/// Batch means for a slope fitted on shared paths: `groups[b]` holds the y-values
/// (already on the fitted scale, e.g. `ln e`) of independent group `b` at the abscissae
/// `x`. Returns `(mean of the group slopes, sd(group slopes)/√B)`: the standard error
/// of the slope fitted to the whole sample, whatever the correlation between the points
/// within a group.
pub fn batch_slope_se(x: &[f64], groups: &[Vec<f64>]) -> (f64, f64) {
    let w = slope_weights(x);
    let each: Vec<f64> = groups
        .iter()
        .map(|y| w.iter().zip(y).map(|(a, b)| a * b).sum())
        .collect();
    mean_se(&each)
}

/// The linearised slope of `ln |y|` in each batch, for a delta-method standard error
/// with the covariance of the points taken from independent batches: `whole[i]` is the
/// whole-sample `yᵢ`, `groups[b][i]` batch `b`'s. To first order the whole-sample slope
/// moves by `Σ wᵢ δyᵢ/yᵢ`, so batch `b` contributes `l_b = Σ wᵢ (y_{b,i} − yᵢ)/yᵢ`;
/// the batches are independent and identically distributed (equal sizes), hence
/// `se = sd(l_b)/√B` whatever the correlation of the points within a batch. Unlike the
/// slopes of the batches themselves, this needs only the whole sample to resolve each
/// `yᵢ`, not each batch. Returns the linearised contributions `l_b`.
pub fn linearised_slopes(x: &[f64], whole: &[f64], groups: &[Vec<f64>]) -> Vec<f64> {
    let w = slope_weights(x);
    groups
        .iter()
        .map(|g| {
            w.iter()
                .zip(whole)
                .zip(g)
                .map(|((w, y), yb)| w * (yb - y) / y)
                .sum()
        })
        .collect()
}

/// `sd(l_b)/√B` of [`linearised_slopes`] (or of their differences between two fits).
pub fn batch_se(l: &[f64]) -> f64 {
    mean_se(l).1
}

/// A delta-method standard error of a least-squares slope of `yᵢ` on `xᵢ` when the
/// `yᵢ` have standard errors `seᵢ` but an unknown correlation (e.g. the same seed at
/// every point): by Minkowski's inequality `sd(Σ wᵢ yᵢ) ≤ Σ |wᵢ| seᵢ`, whatever the
/// correlation, so this is an upper bound (equality at correlation ±1 with the signs
/// of the weights), and exact to first order only for the worst case.
pub fn slope_se_bound(x: &[f64], se: &[f64]) -> f64 {
    slope_weights(x)
        .iter()
        .zip(se)
        .map(|(w, s)| w.abs() * s)
        .sum()
}

/// The level at which a margin of `margin/se` standard errors is the two-sided
/// critical value, `2Φ(−margin/se)`: the estimated false-failure probability of a band
/// whose nearer edge is `margin` from the estimate (with the true value taken at the
/// estimate).
pub fn band_alpha(margin: f64, se: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    2.0 * Normal::standard().cdf(-margin / se)
}

/// The standard normal upper quantile `Φ⁻¹(1 − α)` (statrs' inverse CDF): the critical
/// value of a **one-sided** z-test at level `α`.
pub fn z_upper(alpha: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(1.0 - alpha)
}

/// The critical value of a **two-sided** z-test at level `α`: `Φ⁻¹(1 − α/2)`, so that
/// `P(|Z| ≥ z) = α` (3.29 at 10⁻³, 4.75 at 2·10⁻⁶).
pub fn z_two_sided(alpha: f64) -> f64 {
    z_upper(0.5 * alpha)
}

/// The seed of every property test's generator unless `PROPTEST_RNG_SEED` is set.
pub const PROPTEST_SEED: u64 = 0x5add_1e5d_e000_0011;

/// proptest's configuration for this crate's property tests: `cases` cases drawn from a
/// **fixed seed**, so `cargo test` and CI test the same inputs on every run and a red
/// run is a real, reproducible failure rather than the luck of a new random seed.
/// `PROPTEST_RNG_SEED=<u64>` and `PROPTEST_CASES=<n>` override both, to explore beyond
/// the pinned cases (e.g. `PROPTEST_CASES=20000 PROPTEST_RNG_SEED=7 cargo test
/// --release --test inputs`); a failure found that way is kept as a test or a
/// committed regression seed in `tests/proptest-regressions/`.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    use proptest::test_runner::{Config, RngSeed};
    let env = Config::default(); // parses the PROPTEST_* variables
    Config {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            env.cases
        } else {
            cases
        },
        rng_seed: if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
            env.rng_seed
        } else {
            RngSeed::Fixed(PROPTEST_SEED)
        },
        ..env
    }
}

//! The Lévy-area sampler's conditional law given the increments.
//!
//! Given (ΔW₁, ΔW₂) over a step h, the Lévy area has mean 0 and variance
//! v = h²/12 + h(ΔW₁² + ΔW₂²)/12. We draw N = 400 000 triples (ΔW₁, ΔW₂, A) with h = 0.5,
//! bin them into 10 bins of |ΔW|²/h with equal probability (χ²₂ deciles: the edges are
//! −2 ln(1 − k/10)), and in each bin test
//! - the mean: Z = ΣA / √(Σv) ~ N(0, 1);
//! - the variance: Z = Σ(A² − v) / √(Σ(A² − v)²) ~ N(0, 1) (self-normalised);
//!
//! 20 two-sided z-tests per sampler, for the samplers with p = 1 and p = 4 terms: 40 in
//! all, each two-sided at the suite's per-test level α = 2·10⁻⁶ (|z| < 4.75).
//! The same statistic must reject the wrong formula v' = h²/12 (power check), so the
//! test can fail.
//!
//! Unconditionally, the area over [0, h] has density sech(πx/h)/h, CDF
//! (2/π) atan(e^{πx/h}) (Lévy 1951). A Kolmogorov–Smirnov test with N = 200 000 at
//! α = 2·10⁻⁶ (critical value 2.63/√N) checks the whole law for the default sampler at
//! h = 10⁻³ (p = 5 terms).
//!
//! The accuracy bound behind `LevyArea::for_step` (Mrongowius–Rößler:
//! E|A − Ã|² ≤ h²/(6π²p²) for two motions) is checked on an explicit coupling, see
//! `explicit_coupling_is_within_the_mrongowius_rossler_bound`.

use crate::common::tol::KS_EACH;
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use saddle_sde::noise::{LevyArea, conditional_variance, path_rng};
use std::f64::consts::PI;

fn binned_z(sampler: &LevyArea, h: f64, n: usize, wrong: bool) -> Vec<(f64, f64)> {
    let edges: Vec<f64> = (1..10)
        .map(|k| -2.0 * (1.0 - k as f64 / 10.0).ln())
        .collect();
    let mut sums = vec![(0.0f64, 0.0f64, 0.0f64, 0.0f64); 10]; // ΣA, Σv, Σ(A²−v), Σ(A²−v)²
    let mut rng = path_rng(31, 0);
    let sq = h.sqrt();
    for _ in 0..n {
        let z1: f64 = StandardNormal.sample(&mut rng);
        let z2: f64 = StandardNormal.sample(&mut rng);
        let (w1, w2) = (sq * z1, sq * z2);
        let a = sampler.sample(&mut rng, w1, w2);
        let r2 = z1 * z1 + z2 * z2;
        let bin = edges.iter().filter(|&&e| r2 > e).count();
        let v = if wrong {
            h * h / 12.0
        } else {
            conditional_variance(h, w1, w2)
        };
        let s = &mut sums[bin];
        s.0 += a;
        s.1 += v;
        s.2 += a * a - v;
        s.3 += (a * a - v) * (a * a - v);
    }
    sums.iter()
        .map(|s| (s.0 / s.1.sqrt(), s.2 / s.3.sqrt()))
        .collect()
}

#[test]
fn conditional_mean_and_variance_per_bin() {
    // 40 two-sided tests (2 samplers × 10 bins × mean and variance)
    let crit = crate::common::tol::Z_EACH;
    for p in [1, 4] {
        let sampler = LevyArea::with_terms(p, 0.5).unwrap();
        let z = binned_z(&sampler, 0.5, 400_000, false);
        for (b, (zm, zv)) in z.iter().enumerate() {
            eprintln!("p = {p}, bin {b}: z_mean = {zm:.2}, z_var = {zv:.2}");
            assert!(
                zm.abs() < crit && zv.abs() < crit,
                "p = {p}, bin {b}: z = ({zm}, {zv}), critical {crit}"
            );
        }
        let wrong = binned_z(&sampler, 0.5, 400_000, true);
        assert!(
            wrong.iter().any(|(_, zv)| zv.abs() > crit),
            "the variance test cannot tell the wrong formula h²/12 apart"
        );
    }
}

#[test]
fn unconditional_law_is_levys_sech_law() {
    let h = 1e-3;
    let sampler = LevyArea::for_step(h).unwrap();
    let n = 200_000;
    let mut rng = path_rng(32, 0);
    let sq = h.sqrt();
    let mut xs: Vec<f64> = (0..n)
        .map(|_| {
            let w1 = sq * rng.sample::<f64, _>(StandardNormal);
            let w2 = sq * rng.sample::<f64, _>(StandardNormal);
            sampler.sample(&mut rng, w1, w2)
        })
        .collect();
    xs.sort_by(f64::total_cmp);
    let cdf = |x: f64| 2.0 / PI * (PI * x / h).exp().atan();
    let d = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n as f64).max((i + 1) as f64 / n as f64 - f)
        })
        .fold(0.0, f64::max);
    let crit = KS_EACH / (n as f64).sqrt();
    eprintln!("KS D = {d:.5}, critical {crit:.5}");
    assert!(d < crit);
}

/// `Σ_{k>p} 1/k²`, from the small end.
fn tail_sum(p: usize) -> f64 {
    let head: f64 = (1..=p).rev().map(|k| 1.0 / (k * k) as f64).sum();
    PI * PI / 6.0 - head
}

/// An explicit coupling of the true area with the sampler's, for two motions over a unit
/// step (areas scale with h). Write the series tail `r > p` as
/// `2π·R = Σ_{k>p} [X₁ₖ(Y₂ₖ − √2 w₂) − X₂ₖ(Y₁ₖ − √2 w₁)]/k`. Given the X's, the part
/// linear in the Y's is exactly normal, `√V·Z` with `V = Σ_{k>p}(X₁ₖ² + X₂ₖ²)/k²` and
/// Z ~ N(0, 1) independent of the X's. The sampler's tail in law is the same expression
/// with `√V` replaced by `√(2a_p)`, `a_p = Σ_{k>p} 1/k²` (the W-linear part is kept
/// exactly, and Z is independent of it, of the increments and of the first p terms).
/// So, with Z shared, `2π(R − R̃) = (√V − √(2a_p))·Z` and
///
/// E|A − Ã|² = E(√V − √(2a_p))² / (4π²),
///
/// whatever the increments. The test estimates that mean from N = 200 000 draws of the
/// X's (terms p+1…p+400; the omitted terms change Var V by 4Σ_{k>p+400} k⁻⁴ ≤ 2.1·10⁻⁸)
/// and checks, one-sided at α = 2·10⁻⁶ (mean + 3.09 measured standard errors), that it is
/// below Mrongowius and Rößler's bound 1/(6π²p²), the bound `for_step` relies on.
/// Power check: the same estimate must exceed the bound for 4p terms, so a coupling error
/// near zero (a broken estimate) fails. For large p the delta method gives
/// E(√V − √(2a_p))² ≈ Var V/(8a_p) ≈ 1/(6p²), so the MSE tends to 1/(24π²p²): a quarter
/// of the bound (RMS half of it), and 4 times the bound for 4p. At small p,
/// Σ_{k>p} k⁻⁴ is well below 1/(3p³) and the ratio is smaller (RMS 0.29 of the bound at
/// p = 1, measured).
#[test]
fn explicit_coupling_is_within_the_mrongowius_rossler_bound() {
    let n = 200_000usize;
    let z = crate::common::tol::Z_EACH_ONE;
    for p in [1usize, 2, 5, 10] {
        let a = tail_sum(p);
        let extra = 400usize;
        let omitted = tail_sum(p + extra);
        let mut rng = path_rng(33, p as u64);
        let (mut s1, mut s2) = (0.0f64, 0.0f64);
        for _ in 0..n {
            let mut v = 2.0 * omitted; // the omitted terms, by their mean
            for k in p + 1..=p + extra {
                let x1: f64 = rng.sample(StandardNormal);
                let x2: f64 = rng.sample(StandardNormal);
                v += (x1 * x1 + x2 * x2) / (k * k) as f64;
            }
            let d = (v.sqrt() - (2.0 * a).sqrt()).powi(2) / (4.0 * PI * PI);
            s1 += d;
            s2 += d * d;
        }
        let mean = s1 / n as f64;
        let se = ((s2 / n as f64 - mean * mean) / (n as f64 - 1.0)).sqrt();
        let bound = |q: f64| 1.0 / (6.0 * PI * PI * q * q);
        eprintln!(
            "p = {p}: E|A − Ã|²·p²/h² = {:.5} ± {:.5} (bound {:.5}; RMS ratio to the bound {:.3})",
            mean * (p * p) as f64,
            se * (p * p) as f64,
            bound(1.0),
            (mean / bound(p as f64)).sqrt()
        );
        assert!(
            mean + z * se < bound(p as f64),
            "p = {p}: coupling MSE {mean:.3e} ± {se:.1e} above the bound {:.3e}",
            bound(p as f64)
        );
        assert!(
            mean - z * se > bound(4.0 * p as f64),
            "p = {p}: coupling MSE {mean:.3e} ± {se:.1e} implausibly small (power check)"
        );
    }
}

/// `LevyArea::economical` is the documented rule `p = max(1, ⌈c_e/√h⌉)`, checked over
/// steps from 10⁻¹² to 10 (twelve per decade) and at its switch points. What that rule
/// implies follows by algebra from `p√h ≥ c_e` and the coupling bound checked above
/// (RMS area error per step ≤ `h/(π√6·p)` ≤ `h^{3/2}/(π√6·c_e)`, so Milstein keeps strong
/// order 1), and it never takes more terms than `for_step`. This test pins the rule, so a
/// change of the constant or of the rounding fails it; it does not measure the sampler's
/// error (the coupling test does) nor why `c_e` is the cost-optimal constant (measured,
/// not tested: `examples/strong_error_cost.rs`).
#[test]
fn economical_rule_is_the_documented_rule() {
    let c = LevyArea::ECONOMICAL_TERMS_CONSTANT;
    assert_eq!(c, 0.028);
    for k in -144..=12 {
        let h = 10f64.powf(k as f64 / 12.0);
        let e = LevyArea::economical(h).unwrap();
        let p = e.terms();
        assert_eq!(e.step(), h);
        assert_eq!(p, ((c / h.sqrt()).ceil() as usize).max(1), "h = {h:e}");
        // one ulp of slack: p·√h rounds
        assert!(
            p as f64 * h.sqrt() >= c * (1.0 - 1e-15),
            "h = {h:e}: p = {p}"
        );
        assert!(p <= LevyArea::for_step(h).unwrap().terms(), "h = {h:e}");
    }
    // the documented switch points: p = 1 above c² = 7.84e-4, 2 down to (c/2)² = 1.96e-4
    let terms = |h: f64| LevyArea::economical(h).unwrap().terms();
    assert_eq!(terms(1e-3), 1);
    assert_eq!(terms(7.85e-4), 1);
    assert_eq!(terms(7.83e-4), 2);
    assert_eq!(terms(1.97e-4), 2);
    assert_eq!(terms(1.95e-4), 3);
    assert_eq!(terms(0.5f64.powi(14)), 4);
    assert!(LevyArea::economical(1e-14).is_err());
    assert!(LevyArea::economical(f64::NAN).is_err());
}

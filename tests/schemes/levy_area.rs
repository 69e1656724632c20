//! The Lévy-area sampler's conditional law given the increments.
//!
//! Given (ΔW₁, ΔW₂) over a step h, the Lévy area has mean 0 and variance
//! v = h²/12 + h(ΔW₁² + ΔW₂²)/12. We draw N = 400 000 triples (ΔW₁, ΔW₂, A) with h = 0.5,
//! bin them into 10 bins of |ΔW|²/h with equal probability (χ²₂ deciles: the edges are
//! −2 ln(1 − k/10)), and in each bin test
//! - the mean: Z = ΣA / √(Σv) ~ N(0, 1);
//! - the variance: Z = Σ(A² − v) / √(Σ(A² − v)²) ~ N(0, 1) (self-normalised);
//!
//! 20 two-sided z-tests with family-wise α = 0.001 (Bonferroni: |z| < Φ⁻¹(1 − 0.001/40) = 4.06 each).
//! The same statistic must reject the wrong formula v' = h²/12 (power check), so the
//! test can fail.
//!
//! Unconditionally, the area over [0, h] has density sech(πx/h)/h, CDF
//! (2/π) atan(e^{πx/h}) (Lévy 1951). A Kolmogorov–Smirnov test with N = 200 000 at
//! α = 0.001 (critical value 1.95/√N) checks the whole law for the default sampler at
//! h = 10⁻³ (p = 10 terms).

use crate::common;
use crate::common::tol::KS_001;
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
    let crit = common::z_upper(0.001 / 40.0);
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
    let crit = KS_001 / (n as f64).sqrt();
    eprintln!("KS D = {d:.5}, critical {crit:.5}");
    assert!(d < crit);
}

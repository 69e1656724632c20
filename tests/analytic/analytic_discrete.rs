//! The blog's discrete models and growth rates: the coin flip x_{n+1} = (1 ± σ)x_n,
//! the diffusive walk, and the continuous Lyapunov rate a − σ²/2.
//!
//! Monte Carlo design (fixed before running): z-tests reject at |z| > 4.75
//! (two-sided α = 2·10⁻⁶); KS at D > 2.63/√N (α = 2·10⁻⁶). The coin-flip and walk
//! simulations are exact (no discretisation). The continuous-rate test uses Milstein
//! with dt = 10⁻⁴; its bias in E ln|x_T|/T is O(σ⁴ dt) ≈ 2·10⁻³ at σ = 2, a tenth of
//! the standard error 2/√(T N) = 0.02.

use crate::common;
use crate::common::tol::{KS_EACH, Z_EACH};
use crate::common::{mean_se, terminals};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use saddle_sde::analytic::coin_flip::{CoinFlip, DiffusiveWalk};
use saddle_sde::analytic::growth::{discrete_per_step_rate, lyapunov_rate};
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::noise::PathRng;
use saddle_sde::scheme::Milstein;
use statrs::distribution::{ContinuousCDF, Normal};

/// P(|x_n| < |x₀|) by enumerating all 2ⁿ coin sequences and multiplying the factors
/// (independent of the binomial sum and of logarithms).
fn enumerate_p_shrink(sigma: f64, n: u32) -> f64 {
    let mut hits = 0u64;
    for bits in 0u64..(1 << n) {
        let mut f = 1.0f64;
        for i in 0..n {
            f *= if bits >> i & 1 == 1 {
                1.0 + sigma
            } else {
                1.0 - sigma
            };
        }
        if f.abs() < 1.0 {
            hits += 1;
        }
    }
    hits as f64 / (1u64 << n) as f64
}

#[test]
fn p_shrink_matches_enumeration() {
    // σ values away from the thresholds (where the float product is ambiguous)
    for sigma in [0.05, 0.1, 0.5, 0.8, 0.9, 1.05, 1.2, 1.3, 1.5, 1.8, 2.5] {
        let c = CoinFlip::new(sigma).unwrap();
        for n in 1..=12u32 {
            assert_eq!(
                c.p_shrink(n as u64).unwrap(),
                enumerate_p_shrink(sigma, n),
                "σ = {sigma}, n = {n}"
            );
        }
    }
    assert!(CoinFlip::new(0.1).unwrap().p_shrink(0).is_err());
    assert!(CoinFlip::new(-0.1).is_err());
}

/// The O(√n) and normal-approximation branches of p_shrink against a direct sum of
/// binomial probabilities over every k (the old O(n) loop), including σ = 0, 1, 2, and
/// `--steps 1e18` returning at once (it used to loop 1e18 times).
#[test]
fn p_shrink_large_n_matches_direct_sum_and_does_not_hang() {
    let direct = |c: &CoinFlip, n: u64| -> f64 {
        let (up, down) = ((1.0 + c.sigma()).ln(), (1.0 - c.sigma()).abs().ln());
        (0..=n)
            .filter(|&k| {
                let heads = if k == 0 { 0.0 } else { k as f64 * up };
                let tails = if k == n { 0.0 } else { (n - k) as f64 * down };
                heads + tails < 0.0
            })
            .map(|k| c.prob_heads(n, k))
            .sum()
    };
    for sigma in [0.0, 1e-3, 0.05, 0.5, 1.0, 1.3, 1.9, 2.0, 3.0] {
        let c = CoinFlip::new(sigma).unwrap();
        for n in [1u64, 2, 7, 62, 63, 64, 100, 1001, 40_000] {
            let (got, want) = (c.p_shrink(n).unwrap(), direct(&c, n));
            assert!(
                (got - want).abs() <= 1e-9 * want.max(1e-300),
                "σ = {sigma}, n = {n}: {got} vs {want}"
            );
        }
        // just below and above the switch to the normal approximation (error O(1/n))
        let n = 1u64 << 20;
        let (a, b) = (c.p_shrink(n).unwrap(), c.p_shrink(n + 2).unwrap());
        assert!((a - b).abs() < 1e-4, "σ = {sigma}: {a} vs {b}");
        // n = 10¹⁸ used to loop n times; it must now return (a regression would hang
        // this test visibly; pass/fail tests do not time anything).
        let p = c.p_shrink(1_000_000_000_000_000_000).unwrap();
        assert!((0.0..=1.0).contains(&p), "σ = {sigma}: {p}");
    }
    // σ = 0.05: ln(1.05) + ln(0.95) < 0, so almost every long sequence shrinks
    assert!(CoinFlip::new(0.05).unwrap().p_shrink(1 << 30).unwrap() > 1.0 - 1e-12);
}

/// The blog: 3/4 at n = 2 and "at least 11/16" at n = 4. Both hold exactly for
/// 0 < σ < √2 and fail beyond.
#[test]
fn blog_coin_flip_claims_hold_only_for_sigma_below_sqrt2() {
    for sigma in [0.01, 0.1, 0.5, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4] {
        let c = CoinFlip::new(sigma).unwrap();
        assert_eq!(c.p_shrink(2).unwrap(), 0.75, "σ = {sigma}");
        assert!(c.p_shrink(4).unwrap() >= 11.0 / 16.0, "σ = {sigma}");
    }
    assert_eq!(
        CoinFlip::new(0.9).unwrap().p_shrink(4).unwrap(),
        15.0 / 16.0
    );
    for sigma in [1.42, 1.5, 1.9, 2.0, 3.0] {
        let c = CoinFlip::new(sigma).unwrap();
        assert!(c.p_shrink(2).unwrap() <= 0.25, "σ = {sigma}");
        assert!(c.p_shrink(4).unwrap() < 11.0 / 16.0, "σ = {sigma}");
    }
    // x_n → 0 almost surely iff the per-step rate ½ln|1 − σ²| < 0, i.e. 0 < σ < √2
    assert!(discrete_per_step_rate(1.4).unwrap() < 0.0);
    assert!(discrete_per_step_rate(1.5).unwrap() > 0.0);
    // the most likely factor at even n is (1 − σ²)^{n/2}
    let c = CoinFlip::new(0.3).unwrap();
    assert!((c.most_likely_factor(10).unwrap() - 0.91f64.powi(5)).abs() < 1e-15);
    assert!(c.most_likely_factor(3).is_none());
}

/// Simulated coin flips (σ = 0.1, 0.9, 1.5; n = 4; N = 10⁵ each, seeds fixed):
/// the fraction with |x_n| < |x₀| against p_shrink (binomial z-test, α = 2·10⁻⁶), the
/// sample mean of x_n against x₀ (z-test), and the per-step rate (1/n)ln|x_n/x₀|
/// against ½ln|1 − σ²| (z-test; σ = 0.1, 0.9 only, since ln 0 never occurs there).
#[test]
fn coin_flip_simulation() {
    let n = 4u64;
    let paths = 100_000usize;
    for (i, sigma) in [0.1, 0.9, 1.5].into_iter().enumerate() {
        let c = CoinFlip::new(sigma).unwrap();
        let mut rng = PathRng::seed_from_u64(400 + i as u64);
        let mut shrink = 0usize;
        let mut xs = Vec::with_capacity(paths);
        let mut logs = Vec::with_capacity(paths);
        for _ in 0..paths {
            let mut x = 1.0f64;
            for _ in 0..n {
                x *= if rng.next_u64() & 1 == 1 {
                    1.0 + sigma
                } else {
                    1.0 - sigma
                };
            }
            shrink += usize::from(x.abs() < 1.0);
            xs.push(x);
            logs.push(x.abs().ln() / n as f64);
        }
        let p = c.p_shrink(n).unwrap();
        let phat = shrink as f64 / paths as f64;
        let z = (phat - p) / (p * (1.0 - p) / paths as f64).sqrt();
        assert!(
            z.abs() < Z_EACH,
            "σ = {sigma}: p̂ = {phat}, p = {p}, z = {z}"
        );
        let (m, se) = mean_se(&xs);
        assert!(
            ((m - c.mean(1.0, n)) / se).abs() < Z_EACH,
            "σ = {sigma}: mean {m}"
        );
        if sigma < 1.0 {
            let (r, se) = mean_se(&logs);
            let rate = discrete_per_step_rate(sigma).unwrap();
            assert!(
                ((r - rate) / se).abs() < Z_EACH,
                "σ = {sigma}: rate {r} vs {rate}"
            );
        }
    }
}

/// ½ln(1 − σ²) < −σ²/2 for 0 < σ < 1 (the blog's rate is only the leading term), and
/// at σ = 0.9 the difference is detected by simulation: 10⁵ four-step paths give a
/// z-statistic against −σ²/2 far beyond 4.75.
#[test]
fn blog_discrete_rate_is_only_leading_order() {
    for sigma in [0.01, 0.1, 0.5, 0.9] {
        let exact = discrete_per_step_rate(sigma).unwrap();
        assert!(exact < -0.5 * sigma * sigma);
        let rel = (exact + 0.5 * sigma * sigma).abs() / (0.5 * sigma * sigma);
        // relative gap ≈ σ²/2 (next term −σ⁴/4)
        assert!((rel - 0.5 * sigma * sigma).abs() < sigma.powi(4));
    }
    let sigma = 0.9f64;
    let mut rng = PathRng::seed_from_u64(450);
    let logs: Vec<f64> = (0..100_000)
        .map(|_| {
            (0..4)
                .map(|_| {
                    if rng.next_u64() & 1 == 1 {
                        (1.0 + sigma).ln()
                    } else {
                        (1.0 - sigma).ln()
                    }
                })
                .sum::<f64>()
                / 4.0
        })
        .collect();
    let (r, se) = mean_se(&logs);
    assert!(((r + 0.5 * sigma * sigma) / se).abs() > Z_EACH);
}

/// The diffusive walk x_N = x₀ + Σ η_i, η_i ~ N(0, τ²): N = 16, τ = 0.5, 20 000 walks.
/// KS against N(x₀, τ²N) (standard deviation τ√N = 2) passes; the reading of the blog's
/// N(0, τ√N) as (mean, variance), i.e. standard deviation √2, is rejected (same KS,
/// α = 2·10⁻⁶).
#[test]
fn diffusive_walk_law() {
    let (tau, steps, x0) = (0.5, 16u64, 1.0);
    let w = DiffusiveWalk::new(tau).unwrap();
    let law = w.law(x0, steps).unwrap();
    assert_eq!(w.std_dev(steps), 2.0);
    assert_eq!(w.variance(steps), 4.0);
    let mut rng = PathRng::seed_from_u64(500);
    let mut xs: Vec<f64> = (0..20_000)
        .map(|_| {
            x0 + (0..steps)
                .map(|_| {
                    tau * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, &mut rng)
                })
                .sum::<f64>()
        })
        .collect();
    let crit = KS_EACH / (20_000f64).sqrt();
    let d = common::ks_one(&mut xs, |x| law.cdf(x));
    assert!(d < crit, "D = {d}");
    let variance_reading = Normal::new(x0, (tau * (steps as f64).sqrt()).sqrt()).unwrap();
    let d_wrong = common::ks_one(&mut xs, |x| variance_reading.cdf(x));
    assert!(
        d_wrong > crit,
        "variance reading not rejected: D = {d_wrong}"
    );
    assert!(DiffusiveWalk::new(0.0).is_err());
    assert!(w.law(x0, 0).is_err());
}

/// Continuous rate: with τ = 0, ln|x_T|/T has mean a − σ²/2 exactly. Milstein,
/// dt = 10⁻⁴, T = 1, N = 10 000 paths, z-test α = 2·10⁻⁶. Sets: the blog's a = 1,
/// σ = 2 (rate −1, attractive) and a = 0.5, σ = 0.5 (rate 0.375, repulsive).
#[test]
fn lyapunov_rate_by_simulation() {
    for (i, (a, s)) in [(1.0, 2.0), (0.5, 0.5)].into_iter().enumerate() {
        let sde = SaddleSde::new(a, s, 0.0, 0.0).unwrap();
        assert_eq!(lyapunov_rate(&sde), a - 0.5 * s * s);
        let m = LawEquivalentSaddle::new(sde.clone());
        let xs = terminals(
            &m,
            &Milstein,
            1.0,
            &Grid::new(1.0, 1e-4).unwrap(),
            10_000,
            600 + i as u64,
        );
        let logs: Vec<f64> = xs.iter().map(|x| x.abs().ln()).collect();
        let (r, se) = mean_se(&logs);
        let z = (r - lyapunov_rate(&sde)) / se;
        assert!(z.abs() < Z_EACH, "a = {a}, σ = {s}: rate {r}, z = {z}");
    }
}

//! The |ρ| = 1 limit law against its derivation, independent quadrature and the
//! blog's statement.

use crate::common;
use crate::common::gk_adaptive;
use crate::common::tol::KS_EACH;
use rand::SeedableRng;
use saddle_sde::Error;
use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::PathRng;
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::function::gamma::ln_gamma;

const SETS: [(f64, f64, f64, f64); 5] = [
    (1.0, 2.0, -2.0, 1.0),
    (0.5, 2.0, 1.0, 1.0),
    (0.5, 2.0, -1.0, -1.0),
    (-0.5, 1.0, -1.0, -1.0),
    (-2.0, 1.0, 0.7, 1.0),
];

fn law(p: (f64, f64, f64, f64)) -> InverseGammaLimit {
    InverseGammaLimit::new(&SaddleSde::new(p.0, p.1, p.2, p.3).unwrap()).unwrap()
}

/// The density is the zero-flux solution p ∝ |y|^{2a/σ²−2} exp(2aμ/(σ²y)) on the
/// side y·sign > 0 (y = x + μ), normalised by Γ(shape)/scale^shape: checked in closed
/// form, written from the Fokker–Planck solution rather than from statrs.
#[test]
fn density_is_the_zero_flux_solution() {
    for p in SETS {
        let (a, s, tau, rho) = p;
        let l = law(p);
        let mu = rho * tau / s;
        assert_eq!(l.shape(), 1.0 - 2.0 * a / (s * s));
        assert!((l.scale() - 2.0 * (a * tau).abs() / s.powi(3)).abs() < 1e-15);
        assert_eq!(l.shift(), -mu);
        assert_eq!(l.sign(), -(a * rho * tau).signum());
        for z in [0.01, 0.3, 1.0, 2.5, 40.0] {
            let y = l.sign() * z;
            let x = y - mu;
            let ln_fp = (2.0 * a / (s * s) - 2.0) * y.abs().ln()
                + 2.0 * a * mu / (s * s * y)
                + l.shape() * l.scale().ln()
                - ln_gamma(l.shape());
            assert!((l.ln_pdf(x) - ln_fp).abs() < 1e-12, "{p:?} z = {z}");
            assert!((l.pdf(x) - ln_fp.exp()).abs() < 1e-12 * ln_fp.exp().max(1e-300));
            // wrong side has no mass
            assert_eq!(l.pdf(-l.sign() * z - mu), 0.0);
        }
    }
}

/// CDF against Gauss–Kronrod integration of the density (z = e^u substitution over
/// the support), to 1e-8 relative; mode is the density's maximum and equals
/// ρστ/(a − σ²); the median inverts the CDF.
#[test]
fn cdf_mode_median_against_independent_evaluation() {
    for p in SETS {
        let l = law(p);
        let (a, s, tau, rho) = p;
        for z in [0.05, 0.4, 1.0, 3.0, 20.0] {
            let x = l.shift() + l.sign() * z;
            // P(Z ≤ z) by quadrature in u = ln z
            let below = gk_adaptive(
                |u| {
                    let zz = u.exp();
                    l.pdf(l.shift() + l.sign() * zz) * zz
                },
                -60.0,
                z.ln(),
                1e-14,
            );
            let want = if l.sign() > 0.0 { below } else { 1.0 - below };
            assert!(
                (l.cdf(x) - want).abs() < 1e-8 * want.min(1.0 - want) + 4e-15,
                "{p:?} z = {z}"
            );
            assert!((l.cdf(x) + l.sf(x) - 1.0).abs() < 1e-14);
        }
        let mode = rho * s * tau / (a - s * s);
        assert!((l.mode() - mode).abs() < 1e-14 * mode.abs().max(1.0));
        let h = 1e-4;
        assert!(l.pdf(mode) > l.pdf(mode + h) && l.pdf(mode) > l.pdf(mode - h));
        assert!((l.cdf(l.median()) - 0.5).abs() < 1e-12);
        for u in [1e-6, 0.1, 0.5, 0.9, 1.0 - 1e-6] {
            assert!((l.cdf(l.inverse_cdf(u)) - u).abs() < 1e-9, "{p:?} u = {u}");
        }
    }
}

/// Moments: E[x] = 0 exactly when a < 0 (shape > 1), the fixed point of m' = a m;
/// Var = τ²/(−2a − σ²) when a < −σ²/2, the fixed point of the second-moment equation.
#[test]
fn moments_match_moment_equation_fixed_points() {
    for p in SETS {
        let l = law(p);
        let (a, s, tau, _) = p;
        assert_eq!(l.mean().is_some(), a < 0.0);
        if let Some(m) = l.mean() {
            assert!(m.abs() < 1e-14);
        }
        assert_eq!(l.variance().is_some(), a < -0.5 * s * s);
        if let Some(v) = l.variance() {
            assert!((v - tau * tau / (-2.0 * a - s * s)).abs() < 1e-13);
        }
    }
}

/// The sampler (statrs' 1/Gamma, shifted and signed) against the CDF: KS with
/// N = 20 000, critical value 2.63/√N (α = 2·10⁻⁶), fixed seed.
#[test]
fn sampler_matches_cdf() {
    for (i, p) in SETS.iter().enumerate() {
        let l = law(*p);
        let mut rng = PathRng::seed_from_u64(300 + i as u64);
        let mut xs: Vec<f64> = (0..20_000)
            .map(|_| rand_distr::Distribution::sample(&l, &mut rng))
            .collect();
        let d = common::ks_one(&mut xs, |x| l.cdf(x));
        assert!(d < KS_EACH / (20_000f64).sqrt(), "{p:?}: D = {d}");
    }
}

/// γ = 1/Z is Gamma with **rate** 2|aτ|/σ³ (the blog says scale).
#[test]
fn reciprocal_is_gamma_with_rate_not_scale() {
    let l = law((1.0, 2.0, -2.0, 1.0));
    let g = l.reciprocal_gamma();
    assert_eq!((g.shape(), g.rate()), (0.5, 0.5));
    for z in [0.2, 1.0, 5.0] {
        // P(Z ≤ z) = P(γ ≥ 1/z)
        assert!((l.inverse_gamma().cdf(z) - g.sf(1.0 / z)).abs() < 1e-14);
    }
}

#[test]
fn existence_conditions() {
    let msg = |a: f64, s: f64, tau: f64, rho: f64| match InverseGammaLimit::new(
        &SaddleSde::new(a, s, tau, rho).unwrap(),
    ) {
        Err(Error::DoesNotExist { condition, .. }) => condition,
        other => panic!("expected DoesNotExist, got {other:?}"),
    };
    assert!(msg(1.0, 2.0, -2.0, 0.5).contains("|rho| = 0.5 < 1"));
    assert!(msg(2.0, 2.0, -2.0, 1.0).contains(">= sigma^2/2"));
    assert!(msg(0.0, 2.0, -2.0, 1.0).contains("a = 0"));
    assert!(msg(0.5, 2.0, 0.0, 1.0).contains("tau = 0"));
    assert!(msg(-0.5, 0.0, 1.0, 1.0).contains("sigma = 0"));
}

/// Finding C: for `sign = −1` the lower tail is Z's upper tail; quantiles at
/// p < 1e-16 must come from Z's survival function, not from `1 − p` (which is 1).
#[test]
fn lower_tail_quantiles_for_negative_sign() {
    let l = law((0.5, 2.0, -1.0, -1.0));
    let l = if l.sign() < 0.0 {
        l
    } else {
        law((1.0, 2.0, -2.0, 1.0))
    };
    assert_eq!(l.sign(), -1.0);
    for p in [1e-30, 1e-20, 1e-17, 1e-8, 0.3, 0.9] {
        let x = l.inverse_cdf(p);
        let back = l.cdf(x);
        assert!(
            ((back - p) / p).abs() < 1e-8,
            "p = {p}: cdf(F^-1(p)) = {back}"
        );
    }
    assert_eq!(l.inverse_cdf(0.0), f64::NEG_INFINITY);
    assert_eq!(l.inverse_cdf(1.0), l.shift());
}

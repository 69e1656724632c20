//! The stationary law (Pearson IV) against independent evaluations: the complex
//! gamma function against identities and an infinite product, the closed-form
//! normalising constant and the CDF against adaptive Gauss–Kronrod quadrature of the
//! density, the `ρ = 0` reduction against statrs' Student-t, and the existence
//! conditions.

use crate::common;
use crate::common::gk_adaptive;
use crate::common::tol::KS_EACH;
use num_complex::Complex64;
use saddle_sde::Error;
use saddle_sde::analytic::special::{ln_gamma_complex, ln_gamma_ratio_sq, tanh_sinh};
use saddle_sde::analytic::stationary::StationaryLaw;
use saddle_sde::models::SaddleSde;
use statrs::distribution::{Continuous, ContinuousCDF};
use std::f64::consts::{FRAC_PI_2, PI};

/// Parameter sets (a, σ, τ, ρ): the blog's figures, both signs of τ and ρ, a ≤ 0.
const SETS: [(f64, f64, f64, f64); 8] = [
    (1.0, 2.0, -1.0, 0.0),
    (1.0, 2.0, -1.0, 0.95),
    (1.0, 2.0, 1.0, -0.95),
    (0.5, 1.5, 1.0, -0.6),
    (0.5, 1.5, -2.0, 0.3),
    (0.0, 1.0, 0.7, 0.4),
    (-0.5, 1.0, -0.8, 0.5),
    (-1.5, 1.0, 1.2, -0.8),
];

fn law(p: (f64, f64, f64, f64)) -> StationaryLaw {
    StationaryLaw::new(&SaddleSde::new(p.0, p.1, p.2, p.3).unwrap()).unwrap()
}

/// ∫ f(x) dx over the part of ℝ between two angles, by adaptive Gauss–Kronrod, for a
/// law with centre `c`, scale `s` and tails `∝ |x|^{−2m}`. With φ the angle from the
/// lower end (`x = c − s cot φ`) or ψ from the upper end (`x = c + s cot ψ`), and
/// φ = v^k, k = 1/(2m − 1) (`k = 1` if `2m − 1 ≥ 1`), the integrand
/// `f(x) s / sin²φ · k v^{k−1}` is bounded at the ends. `lower_end` says which end the
/// angles are measured from; integrates over angles in `[from, to]`.
fn integrate_angle(
    f: &impl Fn(f64) -> f64,
    c: f64,
    s: f64,
    m: f64,
    lower_end: bool,
    from: f64,
    to: f64,
) -> f64 {
    let k = 1.0 / (2.0 * m - 1.0).min(1.0);
    let sign = if lower_end { -1.0 } else { 1.0 };
    gk_adaptive(
        |v: f64| {
            if v <= 0.0 {
                return 0.0;
            }
            let phi = v.powf(k);
            let sp = phi.sin();
            f(c + sign * s / phi.tan()) * s / (sp * sp) * k * v.powf(k - 1.0)
        },
        from.powf(1.0 / k),
        to.powf(1.0 / k),
        1e-14,
    )
}

/// Reference (P(X ≤ x), P(X > x)) by [`integrate_angle`].
fn reference_masses(l: &StationaryLaw, x: f64) -> (f64, f64) {
    let (m, _, s, c) = l.pearson_parameters();
    let f = |x: f64| l.pdf(x);
    if x <= c {
        let phi = s.atan2(c - x);
        let lower = integrate_angle(&f, c, s, m, true, 0.0, phi);
        let upper = integrate_angle(&f, c, s, m, true, phi, FRAC_PI_2)
            + integrate_angle(&f, c, s, m, false, 0.0, FRAC_PI_2);
        (lower, upper)
    } else {
        let psi = s.atan2(x - c);
        let upper = integrate_angle(&f, c, s, m, false, 0.0, psi);
        let lower = integrate_angle(&f, c, s, m, false, psi, FRAC_PI_2)
            + integrate_angle(&f, c, s, m, true, 0.0, FRAC_PI_2);
        (lower, upper)
    }
}

/// E[g(X)] by the same reference quadrature.
fn reference_expectation(l: &StationaryLaw, r: i32) -> f64 {
    let (m, _, s, c) = l.pearson_parameters();
    let f = |x: f64| x.powi(r) * l.pdf(x);
    // the tails of x^r p(x) are ∝ |x|^{r−2m}: use m − r/2 in the exponent
    let me = m - 0.5 * r as f64;
    integrate_angle(&f, c, s, me, true, 0.0, FRAC_PI_2)
        + integrate_angle(&f, c, s, me, false, 0.0, FRAC_PI_2)
}

#[test]
fn complex_ln_gamma_matches_identities() {
    // |Γ(½ + iy)|² = π/cosh(πy), |Γ(1 + iy)|² = πy/sinh(πy), |Γ(iy)|² = π/(y sinh(πy))
    for y in [0.1, 0.5, 1.0, 3.0, 10.0, 40.0] {
        let half = 2.0 * ln_gamma_complex(Complex64::new(0.5, y)).re;
        let want = PI.ln() - (PI * y).cosh().ln();
        assert!((half - want).abs() < 1e-12 * want.abs().max(1.0), "y = {y}");
        let one = 2.0 * ln_gamma_complex(Complex64::new(1.0, y)).re;
        let want = (PI * y / (PI * y).sinh()).ln();
        assert!((one - want).abs() < 1e-12 * want.abs().max(1.0), "y = {y}");
    }
    // real axis against statrs, and the recurrence Γ(z + 1) = zΓ(z) off the axis
    for x in [0.3, 0.75, 1.5, 7.2, 33.0] {
        let g = ln_gamma_complex(Complex64::new(x, 0.0));
        assert!((g.re - statrs::function::gamma::ln_gamma(x)).abs() < 1e-13 * g.re.abs().max(1.0));
        let z = Complex64::new(x, 1.7);
        let lhs = ln_gamma_complex(z + 1.0);
        let rhs = ln_gamma_complex(z) + z.ln();
        assert!((lhs - rhs).norm() < 1e-12 * lhs.norm().max(1.0), "x = {x}");
    }
    assert!(ln_gamma_complex(Complex64::new(-1.0, 0.0)).re.is_nan());
}

/// The Pearson IV constant |Γ(m + iy)/Γ(m)|² against the infinite product
/// Π_{n≥0} (1 + y²/(m + n)²)⁻¹, summed in logs to n = 10⁶ with the tail by
/// Euler–Maclaurin (integral + half term + first derivative term): independent of
/// the Stirling series, accurate to ~1e-15.
#[test]
fn gamma_ratio_matches_infinite_product() {
    for (m, y) in [
        (0.75, 0.3),
        (0.75, 1.52),
        (1.0, 4.0),
        (2.5, 0.9),
        (0.55, 7.0),
        (4.0, 12.0),
    ] {
        let n_max = 1_000_000u64;
        let f = |u: f64| (y * y / (u * u)).ln_1p();
        let mut s = 0.0;
        for n in 0..n_max {
            s += f(m + n as f64);
        }
        let u = m + n_max as f64;
        // ∫_u^∞ ln(1 + y²/v²) dv = 2y·atan(y/u) − u·ln(1 + y²/u²)
        let integral = 2.0 * y * (y / u).atan() - u * (y * y / (u * u)).ln_1p();
        let fprime = -2.0 * y * y / (u * (u * u + y * y));
        let tail = integral + 0.5 * f(u) - fprime / 12.0;
        let series = -(s + tail);
        let closed = ln_gamma_ratio_sq(m, y);
        assert!(
            (closed - series).abs() < 1e-10 * series.abs().max(1e-3),
            "m = {m}, y = {y}: {closed} vs {series}"
        );
    }
}

#[test]
fn tanh_sinh_handles_endpoint_singularities() {
    // ∫₀¹ s^{−1/2} ds = 2, ∫₀^{π/2} sin s ds = 1
    assert!((tanh_sinh(|s, _| s.powf(-0.5), 1.0, 1e-14) - 2.0).abs() < 1e-13);
    // documented truncation loss for strong singularities: ≈ 10^{−61(1−β)}/(1−β)
    let strong = tanh_sinh(|s, _| s.powf(-0.9), 1.0, 1e-14);
    assert!((strong - 10.0).abs() < 1e-4 && strong < 10.0);
    assert!((tanh_sinh(|s, _| s.sin(), FRAC_PI_2, 1e-14) - 1.0).abs() < 1e-14);
}

/// Closed-form normalisation: ∫pdf = 1 by independent quadrature (1e-9), and the two
/// half-masses from the closed-form constant sum to 1 (1e-12).
#[test]
fn density_is_normalised_by_the_closed_form_constant() {
    for p in SETS {
        let l = law(p);
        let (lo_ref, hi_ref) = reference_masses(&l, 0.0);
        let total = lo_ref + hi_ref;
        assert!((total - 1.0).abs() < 1e-9, "{p:?}: ∫pdf = {total}");
        let (lo, hi) = l.split_masses();
        assert!((lo + hi - 1.0).abs() < 1e-12, "{p:?}: {lo} + {hi}");
    }
}

/// CDF and survival function against Gauss–Kronrod integration of the density, at
/// points across the bulk and the tails: each to 1e-8 relative to its own value, plus
/// 4e-15 absolute (a value near 1 is computed as 1 − the small tail mass, which carries
/// an absolute rounding error of a few ulps of 1).
#[test]
fn cdf_matches_quadrature_of_density() {
    for p in SETS {
        let l = law(p);
        let (_, _, alpha, lambda) = l.pearson_parameters();
        for q in [-1e4, -30.0, -3.0, -0.7, -0.1, 0.0, 0.2, 1.0, 4.0, 50.0, 1e5] {
            let x = lambda + alpha * q;
            let (lower, upper) = reference_masses(&l, x);
            let (c, s) = (l.cdf(x), l.sf(x));
            assert!(
                (c - lower).abs() < 1e-8 * lower + 4e-15,
                "{p:?} x = {x}: cdf {c} vs {lower}"
            );
            assert!(
                (s - upper).abs() < 1e-8 * upper + 4e-15,
                "{p:?} x = {x}: sf {s} vs {upper}"
            );
        }
        assert_eq!(l.cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(l.cdf(f64::INFINITY), 1.0);
        assert!(l.cdf(f64::NAN).is_nan());
    }
}

#[test]
fn ln_pdf_is_log_of_pdf_and_quantile_inverts_cdf() {
    for p in SETS {
        let l = law(p);
        for x in [-100.0, -2.0, -0.3, 0.0, 0.4, 3.0, 250.0] {
            assert!((l.ln_pdf(x) - l.pdf(x).ln()).abs() < 1e-13);
        }
        for u in [1e-9, 1e-4, 0.01, 0.2, 0.5, 0.77, 0.99, 1.0 - 1e-7] {
            let x = l.inverse_cdf(u);
            assert!(
                (l.cdf(x) - u).abs() < 1e-12 * u.min(1.0 - u).max(1e-3),
                "{p:?} u = {u}"
            );
        }
        assert!((l.cdf(l.median()) - 0.5).abs() < 1e-13);
        assert!(l.inverse_cdf(1.5).is_nan());
        assert_eq!(l.inverse_cdf(0.0), f64::NEG_INFINITY);
    }
}

/// ρ = 0: Student-t with ν = 1 − 2a/σ² degrees of freedom and scale |τ|/(σ√ν).
#[test]
fn rho_zero_reduces_to_students_t() {
    for (a, s, tau) in [
        (1.0, 2.0, -1.0),
        (0.3, 1.0, 2.0),
        (-2.0, 1.5, 0.5),
        (0.0, 1.0, 1.0),
    ] {
        let l = StationaryLaw::new(&SaddleSde::new(a, s, tau, 0.0).unwrap()).unwrap();
        let dof = 1.0 - 2.0 * a / (s * s);
        let t =
            statrs::distribution::StudentsT::new(0.0, tau.abs() / (s * dof.sqrt()), dof).unwrap();
        let st = l.student_t().unwrap();
        assert!(
            (st.freedom() - dof).abs() < 1e-15
                && (st.scale() - t.scale()).abs() < 1e-15 * t.scale()
        );
        for x in [-40.0, -1.3, 0.0, 0.6, 9.0] {
            assert!(
                (l.pdf(x) - t.pdf(x)).abs() < 1e-12 * t.pdf(x),
                "a = {a} x = {x}"
            );
            assert!((l.cdf(x) - t.cdf(x)).abs() < 1e-10, "a = {a} x = {x}");
        }
    }
    assert!(law((1.0, 2.0, -1.0, 0.95)).student_t().is_none());
}

/// The mode x = ρστ/(a − σ²) is where p' = 0 (central difference) and a maximum.
#[test]
fn mode_is_stationary_point_of_density() {
    for p in SETS {
        let l = law(p);
        let m = l.mode();
        let h = 1e-5 * (1.0 + m.abs());
        let d = (l.ln_pdf(m + h) - l.ln_pdf(m - h)) / (2.0 * h);
        assert!(d.abs() < 1e-7, "{p:?}: d ln p / dx = {d} at {m}");
        assert!(l.pdf(m) > l.pdf(m + 0.1) && l.pdf(m) > l.pdf(m - 0.1));
    }
}

/// Moments exist iff order < 1 − 2a/σ²; mean 0 and variance τ²/(−2a − σ²) agree with
/// quadrature and with Pearson's formulas.
#[test]
fn moments_exist_exactly_when_stated_and_agree_with_quadrature() {
    for p in SETS {
        let l = law(p);
        let bound = 1.0 - 2.0 * p.0 / (p.1 * p.1);
        assert_eq!(l.moment_order_bound(), bound);
        assert_eq!(l.mean().is_some(), bound > 1.0);
        assert_eq!(l.variance().is_some(), bound > 2.0);
        let (m, nu, alpha, lambda) = l.pearson_parameters();
        if let Some(mean) = l.mean() {
            let q = reference_expectation(&l, 1);
            assert!((q - mean).abs() < 1e-8, "{p:?}: {q}");
            let pearson = lambda - alpha * nu / (2.0 * (m - 1.0));
            assert!((pearson - mean).abs() < 1e-12);
        }
        if let Some(var) = l.variance() {
            let q = reference_expectation(&l, 2);
            assert!((q - var).abs() < 1e-8 * var, "{p:?}: {q} vs {var}");
            let r = 2.0 * (m - 1.0);
            let pearson = alpha * alpha * (r * r + nu * nu) / (r * r * (r - 1.0));
            assert!((pearson - var).abs() < 1e-12 * var);
        }
    }
}

/// The blog's mode formula: y = aμ/(a − σ²), x = y − μ = ρστ/(a − σ²).
#[test]
fn blog_mode_formula_in_y_and_x() {
    for p in SETS {
        let l = law(p);
        let mu = p.3 * p.2 / p.1;
        let y_mode = p.0 * mu / (p.0 - p.1 * p.1);
        assert!((l.mode() - (y_mode - mu)).abs() < 1e-14);
    }
}

fn does_not_exist(a: f64, s: f64, tau: f64, rho: f64) -> String {
    match StationaryLaw::new(&SaddleSde::new(a, s, tau, rho).unwrap()) {
        Err(Error::DoesNotExist { condition, .. }) => condition,
        other => panic!("expected DoesNotExist, got {other:?}"),
    }
}

/// No law for a ≥ σ²/2 (including the blog's (σ, ρ) = (√2, 0) figure, a = σ²/2
/// exactly), |ρ| = 1, τ = 0 or σ = 0; the message names the failing condition.
#[test]
fn existence_conditions() {
    // σ = √2 rounds to σ²/2 = 1 + 2.2e-16: treated as the boundary a = σ²/2
    assert!(does_not_exist(1.0, std::f64::consts::SQRT_2, -1.0, 0.0).contains("a = 1"));
    assert!(does_not_exist(1.0, 1.0, -1.0, 0.0).contains("a = 1 >= sigma^2/2"));
    assert!(does_not_exist(0.6, 1.0, 1.0, 0.3).contains(">= sigma^2/2"));
    assert!(does_not_exist(0.1, 1.0, 1.0, 1.0).contains("|rho| = 1"));
    assert!(does_not_exist(0.1, 1.0, 1.0, -1.0).contains("|rho| = 1"));
    assert!(does_not_exist(0.1, 1.0, 0.0, 0.2).contains("tau = 0"));
    assert!(does_not_exist(-1.0, 0.0, 1.0, 0.2).contains("sigma = 0"));
}

/// The inversion sampler against the CDF: KS with N = 20 000 per set, critical value
/// 2.63/√N (α = 2·10⁻⁶), fixed seeds.
#[test]
fn sampler_matches_cdf() {
    use rand::SeedableRng;
    for (i, p) in SETS.iter().enumerate() {
        let l = law(*p);
        let mut rng = saddle_sde::noise::PathRng::seed_from_u64(1000 + i as u64);
        let mut xs: Vec<f64> = (0..20_000)
            .map(|_| rand_distr::Distribution::sample(&l, &mut rng))
            .collect();
        let d = common::ks_one(&mut xs, |x| l.cdf(x));
        assert!(d < KS_EACH / (20_000f64).sqrt(), "{p:?}: D = {d}");
    }
}

/// The laws can be shared across threads and cloned.
#[test]
fn laws_are_send_sync_clone() {
    fn is<T: Send + Sync + Clone>() {}
    is::<StationaryLaw>();
    is::<saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit>();
    is::<saddle_sde::analytic::uncorrelated::UncorrelatedLaw>();
    is::<saddle_sde::analytic::coin_flip::CoinFlip>();
    is::<saddle_sde::analytic::coin_flip::DiffusiveWalk>();
}

/// Hard corners: strong skew (ρ → ±1, |ν| up to 112), light tails (a = −5) and
/// near-boundary heavy tails (a/σ² = 0.49, 0.499, where far quantiles exceed the f64
/// range). The closed-form half-masses sum to 1; finite quantiles invert the CDF to
/// 1e-12; infinite ones are returned only when the mass beyond ±f64::MAX exceeds the
/// level; the CDF agrees with the reference quadrature to 1e-8 relative where the
/// reference can represent the law (2m − 1 ≥ 0.05) and resolve its peak (m ≤ 100). Small σ (m = 10⁴, |ν| = 6·10³):
/// the documented accuracy 10⁻¹⁴(m + |ν|) replaces 1e-12 for the identities.
#[test]
fn hard_corners() {
    let sets = [
        (1.0, 2.0, -1.0, 0.999),
        (1.0, 2.0, -1.0, 0.99999),
        (-5.0, 1.0, 1.0, 0.9),
        (0.49, 1.0, 1.0, 0.5),
        (0.499, 1.0, -3.0, -0.7),
        (-1.0, 0.01, 1.0, 0.3),
    ];
    for p in sets {
        let l = law(p);
        let (m, nu, _, _) = l.pearson_parameters();
        let tol = 1e-12f64.max(1e-14 * (m + nu.abs()));
        let (lo, hi) = l.split_masses();
        assert!((lo + hi - 1.0).abs() < tol, "{p:?}");
        for i in 0..=20 {
            let u = match i {
                0 => 1e-9,
                20 => 1.0 - 1e-9,
                _ => i as f64 / 20.0,
            };
            let q = l.inverse_cdf(u);
            if q == f64::NEG_INFINITY {
                assert!(l.cdf(-f64::MAX) >= u * (1.0 - 1e-12), "{p:?} u = {u}");
            } else if q == f64::INFINITY {
                assert!(l.sf(f64::MAX) >= (1.0 - u) * (1.0 - 1e-12), "{p:?} u = {u}");
            } else {
                assert!((l.cdf(q) - u).abs() < tol, "{p:?} u = {u}: {}", l.cdf(q));
            }
        }
        let (_, _, alpha, lambda) = l.pearson_parameters();
        // the reference quadrature needs the angle φ = v^{1/(2m−1)} to stay representable:
        // at 2m − 1 = 0.02 or 0.002 a large part of the mass lies beyond |x| = 1e308
        if 2.0 * m - 1.0 < 0.05 || m > 100.0 {
            continue;
        }
        for q in [-1e3, -1.0, 0.0, 1.0, 1e3] {
            let x = lambda + alpha * q;
            let (lower, upper) = reference_masses(&l, x);
            assert!(
                (l.cdf(x) - lower).abs() < 1e-8 * lower + 4e-15,
                "{p:?} x = {x}: {} vs {lower}",
                l.cdf(x)
            );
            assert!(
                (l.sf(x) - upper).abs() < 1e-8 * upper + 4e-15,
                "{p:?} x = {x}: {} vs {upper}",
                l.sf(x)
            );
        }
    }
}

/// Finding B: parameters where the law exists mathematically but σ² underflows or
/// `m + |ν|` is beyond the documented accuracy range are a typed error, never a law
/// whose every method returns NaN.
#[test]
fn unrepresentable_parameters_are_typed_errors() {
    for (a, s, t, r) in [
        (-1.0, 1e-170, 1.0, 0.0), // σ² underflows: m = ∞
        (-1.0, 1e-170, 1.0, 0.5),
        (-1.0, 1e-5, 1.0, 0.0), // m = 1e10 > 1e8
        (-1e300, 1e-10, 1.0, 0.3),
    ] {
        let sde = SaddleSde::new(a, s, t, r).unwrap();
        match StationaryLaw::new(&sde) {
            Err(Error::DoesNotExist { condition, .. }) => {
                assert!(condition.contains("sigma"), "{condition}")
            }
            other => panic!("({a}, {s}, {t}, {r}): expected DoesNotExist, got {other:?}"),
        }
    }
    // just inside the bound the law is usable (m = 1 + 1e6)
    let law = StationaryLaw::new(&SaddleSde::new(-1.0, 1e-3, 1.0, 0.0).unwrap()).unwrap();
    assert!((law.cdf(0.0) - 0.5).abs() < 1e-6);
}

/// Finding C: for a strongly skewed law (ρ → 1, ν ≈ −141, `P(x ≤ −μ)` ≈ 1e-97) the
/// lower-tail quantiles at p < 1e-16 lie above the centre; they must not be computed
/// from `1 − p` (which is 1).
#[test]
fn lower_tail_quantiles_above_the_centre_keep_their_digits() {
    let law = StationaryLaw::new(&SaddleSde::new(-1.0, 1.0, 1.0, 0.9999).unwrap()).unwrap();
    assert!(law.split_masses().0 < 1e-30);
    for p in [1e-25, 1e-18, 1e-10, 0.1, 0.4] {
        let x = law.inverse_cdf(p);
        let back = law.cdf(x);
        assert!(
            ((back - p) / p).abs() < 1e-8,
            "p = {p}: cdf(F^-1(p)) = {back}"
        );
    }
}

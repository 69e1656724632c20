//! The generic exit references (any time-homogeneous scalar diffusion, scale exponent
//! by quadrature) against the saddle SDE's closed forms, and against the independent
//! closed forms of geometric Brownian motion and Ornstein–Uhlenbeck.

use saddle_sde::Error;
use saddle_sde::escape::exact::{
    Homogeneous, OneDimDiffusion, exit_time_cdf, exit_time_cdf_of, interval_exit, interval_exit_of,
    level_passage, level_passage_of, scale_exponent, scale_exponent_of,
};
use saddle_sde::models::{Gbm, OrnsteinUhlenbeck, SaddleSde};

/// (a, σ, τ, ρ, x0, l, r): both sides of σ² = 2a, ρ ≠ 0, τ < 0, a < 0, σ = 0, |ρ| = 1.
const CASES: [(f64, f64, f64, f64, f64, f64, f64); 7] = [
    (1.0, 1.0, 0.5, 0.3, 0.1, -0.5, 1.0),
    (1.0, 2.0, -0.7, -0.4, 0.0, -1.0, 0.8),
    (0.5, 0.8, -1.0, 0.6, 0.2, -0.6, 0.9),
    (1.0, 1.6, 0.4, 0.0, -0.1, -1.2, 1.0),
    (-0.5, 0.7, 0.5, 0.5, 0.3, -0.8, 1.0),
    (2.0, 0.0, 0.8, 0.0, 0.1, -0.4, 0.5),
    (1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 2.0),
];

fn rel(x: f64, y: f64) -> f64 {
    (x - y).abs() / y.abs()
}

#[test]
fn saddle_closed_form_scale_exponent_matches_generic_quadrature() {
    let mut worst = 0f64;
    for &(a, s, t, r, _, _, _) in &CASES {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let d = Homogeneous::new(&m);
        // for ρ = 1 the diffusion vanishes at x = −τ/σ = −1; stay on its right
        for x in [-0.9, -0.3, 0.4, 1.7, 5.0] {
            let closed = scale_exponent(&m, x).unwrap();
            let generic = scale_exponent_of(&d, x).unwrap();
            let err = (closed - generic).abs() / (1.0 + closed.abs());
            worst = worst.max(err);
            assert!(err <= 1e-12, "{a} {s} {t} {r} x={x}: {closed} vs {generic}");
        }
    }
    eprintln!("max |F closed − F generic| / (1 + |F|) = {worst:.2e}");
}

#[test]
fn saddle_interval_exit_matches_generic() {
    let (mut wp, mut wt) = (0f64, 0f64);
    for &(a, s, t, r, x0, l, u) in &CASES {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let closed = interval_exit(&m, x0, l, u).unwrap();
        let generic = interval_exit_of(&Homogeneous::new(&m), x0, l, u).unwrap();
        wp = wp.max(rel(generic.p_upper, closed.p_upper));
        wp = wp.max(rel(generic.p_lower, closed.p_lower));
        wt = wt.max(rel(generic.mean_exit_time, closed.mean_exit_time));
        assert!(
            wp < 1e-10 && wt < 1e-10,
            "{a} {s} {t} {r}: {closed:?} vs {generic:?}"
        );
    }
    eprintln!("max relative difference: P {wp:.2e}, E[T] {wt:.2e}");
}

#[test]
fn saddle_exit_time_cdf_matches_generic() {
    for &(a, s, t, r, x0, l, u) in &CASES[..5] {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let times = [0.0, 0.1, 1.0, 5.0];
        let closed = exit_time_cdf(&m, x0, l, u, &times).unwrap();
        let generic = exit_time_cdf_of(&Homogeneous::new(&m), x0, l, u, &times).unwrap();
        for (c, g) in closed.iter().zip(&generic) {
            assert!((c - g).abs() < 1e-12, "{c} vs {g}");
        }
    }
}

#[test]
fn saddle_level_passage_matches_generic_away_from_the_transition() {
    // (a, σ, τ, ρ): transient σ² < 2a, recurrent σ² > 2a (τ < 0, ρ ≠ 0), a < 0,
    // σ = 0 on both sides of a = 0
    let cases = [
        (1.0, 1.0, 0.5, 0.3),
        (1.0, 2.0, -0.7, -0.4),
        (-0.5, 0.7, 0.5, 0.5),
        (-1.0, 0.0, 0.8, 0.0),
        (2.0, 0.0, 0.8, 0.0),
    ];
    let (mut wp, mut wt) = (0f64, 0f64);
    for (a, s, t, r) in cases {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let d = Homogeneous::new(&m);
        for (x0, level) in [(0.1, 1.0), (0.0, -0.8)] {
            let closed = level_passage(&m, x0, level).unwrap();
            let far = if level > x0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            let generic = level_passage_of(&d, x0, level, far).unwrap();
            wp = wp.max(rel(generic.probability, closed.probability));
            assert!(
                rel(generic.probability, closed.probability) < 1e-9,
                "{a} {s} {t} {r} {level}: {closed:?} vs {generic:?}"
            );
            match (closed.mean_time, generic.mean_time) {
                (None, None) => {}
                (Some(c), Some(g)) => {
                    wt = wt.max(rel(g, c));
                    assert!(rel(g, c) < 1e-8, "{a} {s} {t} {r}: {c} vs {g}");
                }
                other => panic!("{a} {s} {t} {r}: {other:?}"),
            }
        }
    }
    eprintln!("max relative difference: P {wp:.2e}, E[T] {wt:.2e}");
}

/// GBM `dx = μx dt + s x dB`: `s'(x) = x^{−γ}`, `γ = 2μ/s²`, and `ln x` is Brownian
/// motion with drift `ν = μ − s²/2`, so `E[T] = (p ln r + (1 − p) ln l − ln x0)/ν`.
#[test]
fn gbm_against_its_closed_forms() {
    for (mu, s) in [(0.1, 0.4), (-0.3, 0.5), (0.8, 0.6)] {
        let g = Gbm::new(mu, s).unwrap();
        let d = Homogeneous::new(&g);
        let gamma = 2.0 * mu / (s * s);
        let nu = mu - 0.5 * s * s;
        let sc = |x: f64| x.powf(1.0 - gamma);
        let (x0, l, r) = (1.0, 0.4, 3.0);
        let p = (sc(x0) - sc(l)) / (sc(r) - sc(l));
        let mean = (p * r.ln() + (1.0 - p) * l.ln() - x0.ln()) / nu;
        let e = interval_exit_of(&d, x0, l, r).unwrap();
        assert!(rel(e.p_upper, p) < 1e-11, "{mu} {s}: {} vs {p}", e.p_upper);
        assert!(
            rel(e.mean_exit_time, mean) < 1e-10,
            "{} vs {mean}",
            e.mean_exit_time
        );
        // one-sided: the other end of the state space is 0 (up) or +∞ (down)
        let up = level_passage_of(&d, x0, r, 0.0).unwrap();
        if gamma < 1.0 {
            assert!(
                rel(up.probability, (x0 / r).powf(1.0 - gamma)) < 1e-11,
                "{up:?}"
            );
            assert_eq!(up.mean_time, None);
        } else {
            assert_eq!(up.probability, 1.0);
            let t = up.mean_time.unwrap();
            assert!(rel(t, (r / x0).ln() / nu) < 1e-9, "{t}");
        }
        let down = level_passage_of(&d, x0, l, f64::INFINITY).unwrap();
        if gamma > 1.0 {
            assert!(
                rel(down.probability, (l / x0).powf(gamma - 1.0)) < 1e-11,
                "{down:?}"
            );
            assert_eq!(down.mean_time, None);
        } else {
            assert_eq!(down.probability, 1.0);
            let t = down.mean_time.unwrap();
            assert!(rel(t, (l / x0).ln() / nu) < 1e-9, "{t}");
        }
    }
}

/// OU `dx = θ(m − x) dt + s dB` has the scale density `exp(θ(x − m)²/s²)`: the saddle's
/// `σ = 0` closed form with `a = −θ`, `τ = s`, shifted by `m`.
#[test]
fn ornstein_uhlenbeck_against_the_closed_form_scale_density() {
    let (theta, mean, s) = (1.5, 0.3, 0.7);
    let ou = OrnsteinUhlenbeck::new(theta, mean, s).unwrap();
    let d = Homogeneous::new(&ou);
    let x = 1.1;
    let f = scale_exponent_of(&d, x).unwrap();
    let exact = -theta * ((x - mean).powi(2) - mean * mean) / (s * s);
    assert!(
        (f - exact).abs() < 1e-12 * (1.0 + exact.abs()),
        "{f} vs {exact}"
    );
    let shifted = SaddleSde::new(-theta, 0.0, s, 0.0).unwrap();
    let (x0, l, r) = (0.5, -0.9, 1.4);
    let g = interval_exit_of(&d, x0, l, r).unwrap();
    let c = interval_exit(&shifted, x0 - mean, l - mean, r - mean).unwrap();
    assert!(rel(g.p_upper, c.p_upper) < 1e-11, "{g:?} vs {c:?}");
    assert!(
        rel(g.mean_exit_time, c.mean_exit_time) < 1e-10,
        "{g:?} vs {c:?}"
    );
}

struct Custom;
impl OneDimDiffusion for Custom {
    fn drift(&self, x: f64) -> f64 {
        -x.powi(3)
    }
    fn b2(&self, x: f64) -> f64 {
        x * x - 0.25 // vanishes at ±½
    }
}

#[test]
fn generic_bad_input_is_a_typed_error() {
    assert!(matches!(
        interval_exit_of(&Custom, 0.0, -1.0, 1.0),
        Err(Error::DoesNotExist { .. })
    ));
    assert!(matches!(
        exit_time_cdf_of(&Custom, 0.0, -1.0, 1.0, &[1.0]),
        Err(Error::DoesNotExist { .. })
    ));
    let e = interval_exit_of(&Custom, 2.0, 1.0, 3.0).unwrap();
    assert!(e.p_upper > 0.0 && e.p_upper < 1.0 && e.mean_exit_time > 0.0);
    match level_passage_of(&Custom, 0.7, 1.0, 1.5) {
        Err(Error::Param(p)) => assert_eq!(p.name, "far"),
        other => panic!("{other:?}"),
    }
    // at the transition σ² = 2a the tails are logarithmic: undecidable generically,
    // while the closed form decides it
    let m = SaddleSde::new(1.0, 2f64.sqrt(), 0.5, 0.3).unwrap();
    assert!(matches!(
        level_passage_of(&Homogeneous::new(&m), 0.1, 1.0, f64::NEG_INFINITY),
        Err(Error::DoesNotExist { .. })
    ));
    assert_eq!(level_passage(&m, 0.1, 1.0).unwrap().mean_time, None);
}

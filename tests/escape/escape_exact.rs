//! Exact exit references against independent evaluations: the closed-form scale
//! exponent against composite Gauss–Legendre quadrature of `2ax/b²`, and the
//! quadrature-based exit probability and mean exit time against a fine RK4 solve of
//! the boundary-value problems `Lp = 0`, `Lu = −1`.

use saddle_sde::Error;
use saddle_sde::escape::exact::{interval_exit, level_passage, scale_exponent};
use saddle_sde::models::SaddleSde;

/// Composite 5-point Gauss–Legendre on `n` panels: an independent quadrature.
fn gauss_legendre(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let nodes = [
        (0.0, 128.0 / 225.0),
        (0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (-0.538_469_310_105_683_1, 0.478_628_670_499_366_5),
        (0.906_179_845_938_664, 0.236_926_885_056_189_1),
        (-0.906_179_845_938_664, 0.236_926_885_056_189_1),
    ];
    let w = (b - a) / n as f64;
    let mut s = 0.0;
    for i in 0..n {
        let c = a + (i as f64 + 0.5) * w;
        for (x, wt) in nodes {
            s += wt * f(c + 0.5 * w * x);
        }
    }
    0.5 * w * s
}

/// RK4 on `y = (u, u')` for `½b²u'' + a x u' = −src`, from `l` with `(u, u') = y0`;
/// returns the state at `x0` and at `r`.
fn rk4(
    m: &SaddleSde,
    src: f64,
    y0: [f64; 2],
    l: f64,
    x0: f64,
    r: f64,
    n: usize,
) -> ([f64; 2], [f64; 2]) {
    let rhs = |x: f64, y: [f64; 2]| {
        [
            y[1],
            -2.0 * (src + m.a() * x * y[1]) / m.diffusion_squared(x),
        ]
    };
    let run = |mut y: [f64; 2], from: f64, to: f64, steps: usize| {
        let h = (to - from) / steps as f64;
        for i in 0..steps {
            let x = from + i as f64 * h;
            let k1 = rhs(x, y);
            let k2 = rhs(
                x + 0.5 * h,
                [y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]],
            );
            let k3 = rhs(
                x + 0.5 * h,
                [y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]],
            );
            let k4 = rhs(x + h, [y[0] + h * k3[0], y[1] + h * k3[1]]);
            for j in 0..2 {
                y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);
            }
        }
        y
    };
    let n1 = ((x0 - l) / (r - l) * n as f64).ceil() as usize;
    let at_x0 = run(y0, l, x0, n1);
    let at_r = run(at_x0, x0, r, n - n1);
    (at_x0, at_r)
}

/// (p_upper, mean exit time) from the BVP solved by shooting: `w` with
/// `w(l) = 0, w'(l) = 1` solves `Lw = 0`, so `p = w/w(r)`; `v` with `v(l) = v'(l) = 0`
/// solves `Lv = −1`, so `u = v − v(r) w/w(r)`.
fn bvp(m: &SaddleSde, x0: f64, l: f64, r: f64) -> (f64, f64) {
    let n = 40_000;
    let (w0, wr) = rk4(m, 0.0, [0.0, 1.0], l, x0, r, n);
    let (v0, vr) = rk4(m, 1.0, [0.0, 0.0], l, x0, r, n);
    let p = w0[0] / wr[0];
    (p, v0[0] - vr[0] * p)
}

/// Parameter sets (a, σ, τ, ρ, x0, l, r) on both sides of σ² = 2a, with ρ ≠ 0,
/// τ < 0, a < 0 and the degenerate cases σ = 0 and |ρ| = 1 (b vanishing outside).
const CASES: [(f64, f64, f64, f64, f64, f64, f64); 7] = [
    (1.0, 1.0, 0.5, 0.3, 0.1, -0.5, 1.0),
    (1.0, 2.0, -0.7, -0.4, 0.0, -1.0, 0.8),
    (0.5, 0.8, -1.0, 0.6, 0.2, -0.6, 0.9),
    (1.0, 1.6, 0.4, 0.0, -0.1, -1.2, 1.0),
    (-0.5, 0.7, 0.5, 0.5, 0.3, -0.8, 1.0),
    (2.0, 0.0, 0.8, 0.0, 0.1, -0.4, 0.5),
    (1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 2.0),
];

#[test]
fn scale_exponent_closed_form_matches_quadrature() {
    for &(a, s, t, r, _, _, _) in &CASES {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        // for ρ = 1 the diffusion vanishes at x = −τ/σ = −1; stay on its right
        for x in [-0.9, -0.3, 0.4, 1.7] {
            let f = scale_exponent(&m, x).unwrap();
            let q = gauss_legendre(|y| 2.0 * a * y / m.diffusion_squared(y), 0.0, x, 400);
            assert!(
                (f - q).abs() <= 1e-12 * (1.0 + q.abs()),
                "{a} {s} {t} {r} x={x}: {f} vs {q}"
            );
        }
    }
}

#[test]
fn interval_exit_matches_boundary_value_solve() {
    for &(a, s, t, r, x0, l, u) in &CASES {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let e = interval_exit(&m, x0, l, u).unwrap();
        let (p, mean) = bvp(&m, x0, l, u);
        let rel = |x: f64, y: f64| (x - y).abs() / y.abs();
        assert!(
            rel(e.p_upper, p) < 1e-8,
            "case {a} {s} {t} {r}: p {} vs {p}",
            e.p_upper
        );
        assert!(
            rel(e.p_lower, 1.0 - p) < 1e-8,
            "p_lower {} vs {}",
            e.p_lower,
            1.0 - p
        );
        assert!(
            rel(e.mean_exit_time, mean) < 1e-8,
            "case {a} {s} {t} {r}: T {} vs {mean}",
            e.mean_exit_time
        );
    }
}

#[test]
fn brownian_motion_closed_forms() {
    // a = σ = 0: x = x0 + τU. P(up) = (x0−l)/(r−l), E[T] = (x0−l)(r−x0)/τ².
    let m = SaddleSde::new(0.0, 0.0, -1.5, 0.2).unwrap();
    let e = interval_exit(&m, 0.3, -1.0, 2.0).unwrap();
    assert!((e.p_upper - 1.3 / 3.0).abs() < 1e-13);
    assert!((e.mean_exit_time - 1.3 * 1.7 / 2.25).abs() < 1e-12);
}

#[test]
fn one_sided_level_regimes() {
    // σ²/(2a) = 0.5: transient, level missed with positive probability, mean infinite
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let p = level_passage(&m, 0.1, 1.0).unwrap();
    assert!(p.probability > 0.0 && p.probability < 1.0 && p.mean_time.is_none());
    // it is the limit l → −∞ of the interval problem: P(up from (l, r)) increases to it
    // (s(r) − s(l) grows as l decreases) with an error ∝ |l|^{1 − 2a/σ²} = 1/|l|
    let far = interval_exit(&m, 0.1, -1e6, 1.0).unwrap();
    let gap = p.probability - far.p_upper;
    assert!(
        gap > 0.0 && gap < 1e-6,
        "{} vs {}",
        far.p_upper,
        p.probability
    );
    // at the transition σ² = 2a: hit surely, mean infinite
    let m = SaddleSde::new(1.0, 2f64.sqrt(), 0.5, 0.3).unwrap();
    let p = level_passage(&m, 0.1, 1.0).unwrap();
    assert_eq!((p.probability, p.mean_time), (1.0, None));
    // attractive σ²/(2a) = 2, τ < 0, ρ ≠ 0: finite mean, the limit of the interval means
    let m = SaddleSde::new(1.0, 2.0, -0.7, -0.4).unwrap();
    let p = level_passage(&m, 0.0, 0.8).unwrap();
    let t = p.mean_time.unwrap();
    assert_eq!(p.probability, 1.0);
    // the interval means increase to it as l → −∞; the gap is O(ln|l| / √|l|) here
    // (speed-measure tail ∫ |y|^{2a/σ²−2} = ∫ |y|^{−3/2}, and the scale factor
    // s(r) − s(l) ~ |l|^{1/2}), ≈ 2e-3 times a constant of order 1 at |l| = 1e8
    let means: Vec<f64> = [1e4, 1e6, 1e8]
        .iter()
        .map(|&l| interval_exit(&m, 0.0, -l, 0.8).unwrap().mean_exit_time)
        .collect();
    assert!(
        means[0] < means[1] && means[1] < means[2] && means[2] < t,
        "{means:?} vs {t}"
    );
    assert!((t - means[2]) / t < 1e-3, "{means:?} vs {t}");
    // a lower level is the mirrored upper level
    let low = level_passage(&m, 0.0, -0.8).unwrap();
    let mirror = SaddleSde::new(1.0, 2.0, 0.7, -0.4).unwrap();
    assert_eq!(low, level_passage(&mirror, 0.0, 0.8).unwrap());
}

#[test]
fn bad_input_is_a_typed_error() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    match interval_exit(&m, 2.0, -1.0, 1.0) {
        Err(Error::Param(p)) => assert_eq!(p.name, "x0"),
        other => panic!("{other:?}"),
    }
    // τ = 0: b(0) = 0 inside the interval
    let m = SaddleSde::new(1.0, 1.0, 0.0, 0.0).unwrap();
    assert!(matches!(
        interval_exit(&m, 0.1, -1.0, 1.0),
        Err(Error::DoesNotExist { .. })
    ));
    assert!(matches!(level_passage(&m, 0.1, 0.1), Err(Error::Param(_))));
}

/// The Crank–Nicolson exit-time CDF integrates to the quadrature mean:
/// `E[T] = ∫₀^∞ (1 − P(T ≤ t)) dt`, evaluated by the trapezoid rule on 0.01-spaced
/// times up to 40 (the survival there must be below 1e-8; its exponential tail then
/// adds less than 1e-7 beyond 40 for the decay rates ≥ 0.1 here). Independent methods;
/// agreement to 1e-4 relative (CN and trapezoid errors are both O(1e-5) here).
#[test]
fn exit_time_cdf_integrates_to_the_mean_exit_time() {
    use saddle_sde::escape::exact::exit_time_cdf;
    for &(a, s, t, r, x0, l, u) in &CASES[..4] {
        let m = SaddleSde::new(a, s, t, r).unwrap();
        let times: Vec<f64> = (0..=4000).map(|k| k as f64 * 0.01).collect();
        let cdf = exit_time_cdf(&m, x0, l, u, &times).unwrap();
        assert!(cdf.windows(2).all(|w| w[1] >= w[0] - 1e-9), "monotone");
        let surv: Vec<f64> = cdf.iter().map(|c| 1.0 - c).collect();
        assert!(surv[4000] < 1e-8, "case {a} {s}: S(40) = {}", surv[4000]);
        let mean: f64 = surv.windows(2).map(|w| 0.005 * (w[0] + w[1])).sum();
        let exact = interval_exit(&m, x0, l, u).unwrap().mean_exit_time;
        assert!((mean - exact).abs() < 1e-4 * exact, "{mean} vs {exact}");
    }
}

/// Small σ: the passage probability must tend to the σ = 0 one (the σ-dependence is
/// O(σ²)). The far-tail range once stopped at 40/κ, which for small σ (κ = 2a/σ² − 1 huge)
/// ends inside the Gaussian core of width τ/√|a|: P came out 0.658 against 0.818 at
/// σ = 1e-3, τ = 5.
#[test]
fn passage_references_tend_to_sigma_zero() {
    use saddle_sde::escape::exact::level_passage;
    use saddle_sde::models::SaddleSde;
    let at = |sigma: f64, a: f64| {
        level_passage(&SaddleSde::new(a, sigma, 5.0, 0.0).unwrap(), 0.0, 1.0).unwrap()
    };
    // transient (a > σ²/2): the probability
    let (p0, p) = (at(0.0, 1.0).probability, at(1e-3, 1.0).probability);
    assert!(
        (p - p0).abs() < 1e-4,
        "P: σ = 1e-3 gives {p}, σ = 0 gives {p0}"
    );
    // recurrent (a < 0): the mean passage time, which needs the centred F (the closed
    // form lost its digits to cancellation at σ = 1e-3 and the quadrature spent its
    // budget). Both references are good to about 1e-10 relative; the σ-dependence is
    // O(σ) = 1e-3 relative at most, so 1e-2 separates them from a wrong F (which moves
    // the time by O(1)) and from a refusal.
    let (t0, t) = (
        at(0.0, -1.0).mean_time.expect("finite at sigma = 0"),
        at(1e-3, -1.0).mean_time.expect("finite at sigma = 1e-3"),
    );
    assert!(
        ((t - t0) / t0).abs() < 1e-2,
        "E[T]: σ = 1e-3 gives {t}, σ = 0 gives {t0}"
    );
}

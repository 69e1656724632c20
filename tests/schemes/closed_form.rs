//! The closed-form reference in its special cases, and the exact moments against an
//! independent evaluation.

use crate::common::tol::Z_EACH;
use crate::common::{band_alpha, batch_slope_se, loglog_slope};
use rayon::prelude::*;
use saddle_sde::analytic::saddle::{mean, pathwise_terminal, second_moment, variance};
use saddle_sde::integrate::terminal_on_path;
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::{BrownianPath, LevyArea, path_rng};
use saddle_sde::scheme::{EulerMaruyama, Milstein};

/// RK4 on the moment ODEs m' = a m, s' = (2a + σ²)s + 2ρστ m + τ², 20 000 steps.
fn moments_by_ode(m: &SaddleSde, x0: f64, t: f64) -> (f64, f64) {
    let (a, s, tau, rho) = (m.a(), m.sigma(), m.tau(), m.rho());
    let f = |y: [f64; 2]| {
        [
            a * y[0],
            (2.0 * a + s * s) * y[1] + 2.0 * rho * s * tau * y[0] + tau * tau,
        ]
    };
    let n = 20_000;
    let h = t / n as f64;
    let mut y = [x0, x0 * x0];
    for _ in 0..n {
        let k1 = f(y);
        let k2 = f([y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]]);
        let k3 = f([y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]]);
        let k4 = f([y[0] + h * k3[0], y[1] + h * k3[1]]);
        for i in 0..2 {
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    (y[0], y[1])
}

#[test]
fn moments_match_an_independent_ode_solve() {
    // Includes the removable singularities of φ(c, t): a = 0, 2a + σ² = 0, a + σ² = 0.
    let cases = [
        (1.0, 1.0, 0.5, 0.3, 0.1, 1.0),
        (0.5, 1.5, -1.0, 0.8, 0.1, 2.0),
        (-1.0, 0.5, 2.0, -0.7, -0.4, 3.0),
        (0.0, 0.7, 1.0, 0.5, 1.0, 1.5),
        (-0.5, 1.0, 1.0, -0.2, 0.3, 1.0), // 2a + σ² = 0
        (-1.0, 1.0, -0.5, 0.9, 2.0, 1.0), // a + σ² = 0
        (1.0, 2.0, -1.0, 0.95, 0.0, 0.5),
        (0.3, 0.0, 1.0, 0.0, 1.0, 2.0),
    ];
    for (a, s, tau, rho, x0, t) in cases {
        let m = SaddleSde::new(a, s, tau, rho).unwrap();
        let (m1, m2) = moments_by_ode(&m, x0, t);
        let (e1, e2) = (mean(&m, x0, t), second_moment(&m, x0, t));
        assert!(
            (e1 - m1).abs() <= 1e-10 * m1.abs().max(1e-3),
            "mean {a} {s} {tau} {rho}: {e1} vs {m1}"
        );
        assert!(
            (e2 - m2).abs() <= 1e-10 * m2.abs(),
            "second moment {a} {s} {tau} {rho}: {e2} vs {m2}"
        );
        // The cancellation-free variance formula against the ODE's E[x²] − m².
        let v = variance(&m, x0, t);
        assert!(
            v >= 0.0 && (v - (m2 - m1 * m1)).abs() <= 1e-9 * m2,
            "variance {v} vs {}",
            m2 - m1 * m1
        );
    }
}

/// Milstein's strong error against the pathwise reference over H = 2⁻³…2⁻⁷ on paths
/// with fine step 2⁻¹², 4 000 paths. Special cases are commutative, so Milstein is
/// order 1 without areas; the reference must agree with it at that order. Returns the
/// slope and its batch-means standard error (the errors at different H share paths:
/// the slope is fitted in each of 20 batches of 200 consecutive paths, se = sd/√20).
fn milstein_slope(m: &SaddleSde, seed: u64) -> (f64, f64) {
    let fine = 1usize << 12;
    let areas = LevyArea::for_step(1.0 / fine as f64).unwrap();
    let logs = [3u32, 4, 5, 6, 7];
    let per_path: Vec<[f64; 5]> = (0..4_000u64)
        .into_par_iter()
        .map(|i| {
            let path =
                BrownianPath::<2>::sample(&mut path_rng(seed, i), 1.0, fine, Some(&areas)).unwrap();
            let exact = pathwise_terminal(m, 0.3, path.steps());
            logs.map(|lg| {
                let steps = path.coarsen(1 << (12 - lg)).unwrap();
                (terminal_on_path(m, &Milstein, 0.3, &steps).unwrap().x - exact).abs()
            })
        })
        .collect();
    let sum =
        |p: &[[f64; 5]]| -> Vec<f64> { (0..5).map(|k| p.iter().map(|e| e[k]).sum()).collect() };
    let h: Vec<f64> = logs.iter().map(|&lg| 0.5f64.powi(lg as i32)).collect();
    let groups: Vec<Vec<f64>> = per_path
        .chunks(200)
        .map(|g| sum(g).iter().map(|v| v.ln()).collect())
        .collect();
    let lh: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    (
        loglog_slope(&h, &sum(&per_path)),
        batch_slope_se(&lh, &groups).1,
    )
}

#[test]
fn special_cases_of_the_pathwise_solution() {
    // τ = 0: x_T = x0·exp((a − σ²/2)T + σW_T) exactly.
    let m = SaddleSde::new(0.7, 0.9, 0.0, 0.4).unwrap();
    let path = BrownianPath::<2>::sample(&mut path_rng(5, 0), 1.0, 64, None).unwrap();
    let w: f64 = path.steps().iter().map(|s| s.dz[0]).sum();
    let exact = 0.3 * ((0.7 - 0.405) + 0.9 * w).exp();
    assert!((pathwise_terminal(&m, 0.3, path.steps()) - exact).abs() < 1e-13 * exact.abs());

    // Each special case: Milstein converges to the reference at order 1. The fitted
    // slope over H = 2⁻³…2⁻⁷ with 1 000 paths is not exactly 1: for ρ = −1 (the diffusion
    // σx + ρτ = 1.5x + 1 vanishes at x = −2/3) 20 seeds gave 0.887 ± 0.040 (mean ± sd)
    // with this crate's normals and 0.904 ± 0.037 with rand_distr's on the same
    // generator, and 0.89–0.91 at 20 000 paths: pre-asymptotic, not a sampling artefact. The
    // bound |p − 1| ≤ 0.25 separates order 1 from Euler–Maruyama's order ½ (0.5 lies
    // 6 sd beyond it) and sits 3.4 sd below the ρ = −1 mean (false-alarm rate about
    // 3·10⁻⁴). (Until the generator changed in issue 11 the bound was ±0.15, which that
    // case crosses in about one seed in six.) Item 5: with 1 000 paths the batch-means
    // s.e. of the ρ = −1 slope was 0.029 (0.866 ± 0.029, 4.1 s.e. inside the band, a size
    // of 5·10⁻⁵); at 4 000 paths (+3 s) it is 0.868 ± 0.020, 6.0 s.e. inside (size
    // ≈ 2·10⁻⁹ with the true slope at the estimate), and each case must resolve the band
    // (4.75 s.e. ≤ 0.25; a guard on the standard error only).
    for (name, m, seed) in [
        ("tau = 0", SaddleSde::new(1.0, 1.0, 0.0, 0.3).unwrap(), 1),
        ("sigma = 0", SaddleSde::new(1.0, 0.0, 0.5, 0.3).unwrap(), 2),
        ("rho = 1", SaddleSde::new(1.0, 1.0, 0.5, 1.0).unwrap(), 3),
        ("rho = -1", SaddleSde::new(0.5, 1.5, -1.0, -1.0).unwrap(), 4),
    ] {
        let (p, se) = milstein_slope(&m, seed);
        let margin = 0.25 - (p - 1.0).abs();
        eprintln!(
            "{name}: Milstein slope {p:.3} ± {se:.3} (batch means), band 1 ± 0.25: margin \
             {:.1} se, α ≈ {:.1e}",
            margin / se,
            band_alpha(margin, se)
        );
        assert!(
            Z_EACH * se <= 0.25,
            "{name}: slope {p} ± {se} not resolved in 1 ± 0.25"
        );
        assert!((p - 1.0).abs() <= 0.25, "{name}: slope {p}");
    }
    // σ = 0 is additive noise: EM is Milstein there.
    let m = SaddleSde::new(1.0, 0.0, 0.5, 0.3).unwrap();
    let path = BrownianPath::<2>::sample(&mut path_rng(6, 0), 1.0, 64, None).unwrap();
    let a = terminal_on_path(&m, &EulerMaruyama, 0.3, path.steps())
        .unwrap()
        .x;
    let b = terminal_on_path(&m, &Milstein, 0.3, path.steps())
        .unwrap()
        .x;
    assert_eq!(a.to_bits(), b.to_bits());
}

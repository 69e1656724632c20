//! Convergence order of the exit-time estimators in the step size: the naive
//! (grid-only) barrier check has bias O(√h), the Brownian-bridge correction O(h).

use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, ExitDomain, ExitSpec, exact};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::EulerMaruyama;

/// Least-squares slope of `ln |e|` against `ln h`.
fn slope(h: &[f64], e: &[f64]) -> f64 {
    let x: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let y: Vec<f64> = e.iter().map(|v| v.abs().ln()).collect();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

/// Mean exit time of the saddle SDE (a, σ, τ, ρ) = (1, 1, 0.5, 0.3) from (−0.5, 1)
/// started at 0.1, whose exact value is ≈ 1.0842, by EM on the law-equivalent model at
/// h = 0.08, 0.04, 0.02, 0.01.
///
/// Sampling error: the exit time has standard deviation ≈ 0.85, so with N = 2·10⁶
/// paths per step size the standard error is 0.85/√(2·10⁶) ≈ 6e-4. The biases are
/// ≈ 0.95·√h (naive: ≈ 0.1 at h = 0.01) and ≈ 1.0·h (bridge: ≈ 0.01 at h = 0.01), so
/// even the smallest is ≈ 16 standard errors. A 3σ error on the smallest bias moves
/// its log by ≤ 0.2 and the fitted slope (over ln 8 of step range) by ≤ 0.1; the
/// acceptance bands below are that wide around the theoretical orders 1/2 and 1, and
/// were fixed before the run. The uncorrected horizon is 200 (P(T > 200) is far below
/// 1e-30 here), and every path must exit.
#[test]
fn bridge_correction_raises_the_order_from_one_half_to_one() {
    let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let (x0, l, r) = (0.1, -0.5, 1.0);
    let exact = exact::interval_exit(&saddle, x0, l, r)
        .unwrap()
        .mean_exit_time;
    let model = LawEquivalentSaddle::new(saddle);
    let hs = [0.08, 0.04, 0.02, 0.01];
    let paths = 2_000_000;
    let errors = |c: Correction| -> Vec<f64> {
        hs.iter()
            .map(|&h| {
                let spec = ExitSpec::new(ExitDomain::interval(l, r).unwrap(), x0, 200.0, h)
                    .unwrap()
                    .with_correction(c);
                let s = Ensemble::new(&model, &EulerMaruyama)
                    .paths(paths)
                    .seed(2024)
                    .exits(&spec)
                    .unwrap();
                let m = s.mean_exit_time().expect("every path exits");
                assert!(m.stderr < 1e-3, "{m:?}");
                m.estimate - exact
            })
            .collect()
    };
    let naive = errors(Correction::None);
    let bridge = errors(Correction::Bridge);
    let (p_naive, p_bridge) = (slope(&hs, &naive), slope(&hs, &bridge));
    eprintln!("naive errors {naive:?} slope {p_naive:.3}");
    eprintln!("bridge errors {bridge:?} slope {p_bridge:.3}");
    // the naive check is late: its bias is positive at every step size
    assert!(naive.iter().all(|&e| e > 0.0));
    assert!((0.4..=0.6).contains(&p_naive), "naive order {p_naive}");
    assert!((0.9..=1.1).contains(&p_bridge), "bridge order {p_bridge}");
    assert!(p_bridge - p_naive > 0.3);
    // and the corrected estimator is better at every step size
    assert!(naive.iter().zip(&bridge).all(|(n, b)| b.abs() < 0.5 * n));
    // the shifted barrier removes the leading √h term too (its remainder is o(√h)
    // with no clean order at these sizes): at least halve the naive error everywhere
    let shift = errors(Correction::Shift);
    eprintln!("shift errors {shift:?}");
    assert!(naive.iter().zip(&shift).all(|(n, s)| s.abs() < 0.5 * n));
}

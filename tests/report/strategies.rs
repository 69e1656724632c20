//! The escape strategies: `perturbed_sgd`, `svrg`, `minibatch`, `learning_rate`,
//! `annealing`, `relu`. Each test builds the figure in quick mode, asserts its checks,
//! and adds a power check: a plausible wrong answer that the figure's data must reject.

use crate::common::tol::Z_EACH;
use crate::{assert_sound, build, check};
use saddle_sde::escape::exact;
use saddle_sde::models::SaddleSde;
use saddle_sde::optim::theory::{ReluLimit, SvrgLimit};
use saddle_sde::optim::{FiniteSum, Optimizer, Sampling, Sgd};
use saddle_sde::report::{Figure, Series, Settings};

/// The series of panel `panel` whose label starts with `prefix` (exactly one).
fn series<'f>(f: &'f Figure, panel: usize, prefix: &str) -> &'f Series {
    let found: Vec<_> = f.panels[panel]
        .series
        .iter()
        .filter(|s| s.label.as_deref().is_some_and(|l| l.starts_with(prefix)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{}: series starting with {prefix:?}",
        f.name
    );
    found[0]
}

/// The estimate and standard error behind a `± 2 s.e.` bar `[lo, hi]`: the bar is for
/// the eye; the tests reject at `Z_EACH` standard errors, the suite's per-test level.
fn est_se(lo: f64, hi: f64) -> (f64, f64) {
    (0.5 * (lo + hi), 0.25 * (hi - lo))
}

/// Perturbation speeds the passage through both saddles and raises the odds of being
/// away from the attractive one, whose stationary law still keeps mass near it.
#[test]
fn perturbed_sgd_speeds_passage_but_guarantees_nothing() {
    let f = build("perturbed_sgd", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "non-attractive, σ² = 1: the mean exit time falls").passed);
    assert!(check(&f, "attractive, σ² = 4: the mean exit time falls").passed);
    assert!(check(&f, "no guarantee at the attractive saddle").passed);
    assert!(check(&f, "the odds rise").passed);
    // the line is the diffusion limit with τ² = lr·s_η² + p²/lr (lr = 0.002, s_η = 2)
    let tau = |p: f64| (0.002 * 4.0 + p * p / 0.002).sqrt();
    let mean = |tau: f64| {
        let m = SaddleSde::new(1.0, 2.0, tau, 0.0).unwrap();
        exact::interval_exit(&m, 0.1, -1.0, 1.0)
            .unwrap()
            .mean_exit_time
    };
    for &(p, y) in &series(&f, 0, "SDE, attractive").points {
        assert!((y - mean(tau(p))).abs() < 1e-6 * y, "p = {p}: {y}");
    }
    // power: a limit without the perturbation's variance is rejected by every SGD
    // estimate at p > 0 (|z| > Z_EACH)
    let bars = series(&f, 0, "SGD ± 2 s.e., attractive");
    let without = mean(tau(0.0));
    for (&(p, _), &(lo, hi)) in bars.points.iter().zip(&bars.band) {
        let (est, se) = est_se(lo, hi);
        let z = (est - without) / se;
        assert!(p == 0.0 || z.abs() > Z_EACH, "p = {p}: z = {z}");
    }
}

/// The end of a long inner loop follows the inverse-gamma limit, a short one does not,
/// and the landmark grows by g per outer loop.
#[test]
fn svrg_inner_loops_are_inverse_gamma_and_escape_geometrically() {
    let f = build("svrg", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "long loop (m·lr = 10").passed);
    assert!(check(&f, "short loop (m·lr = 0.5").passed);
    // power: a shape off by 20 % is rejected by the same sample
    assert!(check(&f, "power: a shape off by 20 %").passed);
    assert!(check(&f, "growth of ln|x*| per outer loop").passed);
    assert!(check(&f, "never shrank").passed);
    // after 5 loops the mean growth is 5g: a z-test at Z_EACH (it was "inside the
    // ± 2 s.e. bar", a test at α = 0.046); power: a growth rate off by 20 % is
    // rejected at the same critical value
    let g = SvrgLimit::new(1.0, 8f64.sqrt()).unwrap().log_growth();
    let long = series(&f, 1, "SVRG ± 2 s.e., long loop");
    let (&(k, _), &(lo, hi)) = (long.points.last().unwrap(), long.band.last().unwrap());
    assert_eq!(k, 5.0);
    let (est, se) = est_se(lo, hi);
    let z = (est - 5.0 * g) / se;
    assert!(
        z.abs() < Z_EACH,
        "{est} ± {se} against {}: z = {z}",
        5.0 * g
    );
    for wrong in [0.8 * g, 1.2 * g] {
        let z = (est - 5.0 * wrong) / se;
        assert!(z.abs() > Z_EACH, "{wrong}: z = {z}");
    }
}

/// Larger minibatches raise the odds of leaving, and the full batch is gradient descent.
#[test]
fn larger_minibatches_raise_the_odds_and_the_full_batch_never_sticks() {
    let f = build("minibatch", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "larger minibatches raise the odds").passed);
    // gradient descent's exit step, counted here: x ← x(1 + lr·a) from 0.1 past 1
    let (mut x, mut n) = (0.1f64, 0);
    while x < 1.0 {
        x *= 1.0 + 0.0015;
        n += 1;
    }
    let gd = check(&f, "full batch");
    assert!(
        gd.passed && gd.text.contains(&format!("at step {n} ")),
        "{}",
        gd.text
    );
    // the SDE line at B = 1: σ² = lr·s_ξ² = 6, τ² = lr·s_η² = 0.0015, P(T ≤ 6)
    let line = series(&f, 0, "SDE, σ² = lr·s_ξ²/B");
    let m = SaddleSde::new(1.0, 6f64.sqrt(), 0.0015f64.sqrt(), 0.0).unwrap();
    let p1 = exact::exit_time_cdf(&m, 0.1, -1.0, 1.0, &[6.0]).unwrap()[0];
    assert_eq!(line.points[0].0, 1.0);
    assert!((line.points[0].1 - p1).abs() < 1e-9);
    // power: "the minibatch does not matter" (B = 16 as likely to leave as B = 1) is
    // rejected at the suite's level by the figure's own check (one-sided z > 4.75
    // on the difference of the two proportions, asserted passed above), not read
    // off the plotted 95 % bars; the bars' last point is B = 16
    let sgd = series(&f, 0, "SGD, Wilson 95 %");
    assert_eq!(sgd.points.last().unwrap().0, 16.0);
    let raise = check(&f, "larger minibatches raise the odds");
    assert!(
        raise.text.contains("at B = 16") && raise.text.contains("> 4.75"),
        "{}",
        raise.text
    );
}

/// A smaller learning rate takes more steps; the discrete optimiser is trapped below the
/// SDE's threshold, by an O(lr) correction.
#[test]
fn smaller_learning_rates_escape_slower_and_the_discrete_trap_comes_first() {
    let f = build("learning_rate", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "learning takes longer").passed);
    assert!(check(&f, "trapped at a smaller rate").passed);
    // the thresholds drawn: the SDE's 2a/s_ξ² = 0.08, the discrete one below it but not
    // by a factor (power: the slip a/s_ξ² = 0.04 would be rejected)
    let sde = series(&f, 1, "SDE threshold").points[0].0;
    let discrete = series(&f, 1, "discrete threshold").points[0].0;
    assert!((sde - 0.08).abs() < 1e-12);
    assert!(discrete > 0.06 && discrete < 0.08, "{discrete}");
    // the exact discrete rate changes sign there (the figure's data set is seed 0 of the
    // figure)
    let seed = Settings::quick(1).seed_for("learning_rate", 0);
    let d = FiniteSum::new(1.0, 5.0, 1.0, 0.0, 100_000, seed).unwrap();
    assert!(d.discrete_rate(0.99 * discrete).unwrap() > 0.0);
    assert!(d.discrete_rate(1.01 * discrete).unwrap() < 0.0);
}

/// Annealed rates escape with power tails of exponent a·lr₀ (a·lr₀·n₀); for lr₀ = 0.5
/// the mean escape time is infinite; a constant rate has an exponential tail.
#[test]
fn annealing_escapes_with_a_power_tail() {
    let f = build("annealing", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "lr₀/n, lr₀ = 0.5: γ̂").passed);
    assert!(check(&f, "lr₀/n, lr₀ = 1: γ̂").passed);
    assert!(check(&f, "lr₀/(1 + n/50), lr₀ = 0.015: γ̂").passed);
    // the infinite mean: a finite-mean tail (γ ≥ 1) is rejected for lr₀ = 0.5
    assert!(check(&f, "infinite mean time").passed);
    // power: the inverse-time fit rejects the exponent that forgets n₀
    assert!(check(&f, "power: the fit for lr₀/(1 + n/50)").passed);
    // the constant rate's survival dies out before 10³ steps; the annealed ones reach
    // 10⁵
    let last = |prefix: &str| series(&f, 0, prefix).points.last().unwrap().0;
    assert!(last("constant") < 1e3);
    for prefix in ["lr₀/n, lr₀ = 0.5", "lr₀/(1 + n/50)"] {
        assert!(last(prefix) >= 1e5, "{prefix}");
    }
}

/// ReLU SGD leaves at every curvature noise, no slower than its noiseless drift, where
/// smooth SGD is trapped; the ReLU limit's line agrees with the scale-function mean.
#[test]
fn relu_removes_the_attractive_noise() {
    let f = build("relu", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "ReLU escapes within t = 10 at every s_ξ").passed);
    assert!(check(&f, "is below ReLU's").passed);
    // power: the smooth optimiser fails the bound that ReLU passes
    assert!(check(&f, "noise never slows ReLU's escape").passed);
    // the ReLU line (backward equation's survival integrated) against interval_exit_of
    let line = series(&f, 1, "ReLU: limit");
    for &(s_xi, y) in [line.points[0], *line.points.last().unwrap()].iter() {
        let d = FiniteSum::new(1.0, s_xi, 1.0, 0.0, 100, 1).unwrap();
        let relu = Sgd::new(&d, 0.001, 1, Sampling::WithReplacement)
            .unwrap()
            .optimizer(Optimizer::Relu { width: 1.0 })
            .unwrap();
        let e = exact::interval_exit_of(&ReluLimit::of(&relu).unwrap(), 0.1, -1.0, 1.0)
            .unwrap()
            .mean_exit_time;
        assert!((y - e).abs() < 1e-3 * e, "s_ξ = {s_xi}: {y} against {e}");
    }
}

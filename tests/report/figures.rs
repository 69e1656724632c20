//! The post's illustrations and its discrete models: `gradient_descent1`,
//! `saddle_point`, `gradient_descent2`, `sdg_*noise`, `stage_*`. Each test builds the
//! figure in quick mode and asserts its checks; the checks that carry the verdicts of
//! docs/blog-claims.md rows 33–39 are named here so that the rows can cite them.

use crate::{assert_sound, build, check};
use saddle_sde::report::Settings;

/// Row 33: GD converges to the minimum at the linear rate max|1 − lr·λ| = 0.9, and does
/// not converge above lr = 2/λ_max (the check's power: the same measurement at a step
/// size outside the condition).
#[test]
fn gradient_descent_converges_linearly_to_a_minimum() {
    let f = build("gradient_descent1", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "measured contraction per step").passed);
    assert!(check(&f, "from the minimum (2, 0)").passed);
    assert!(check(&f, "power: with lr = 1.05").passed);
}

/// Row 34: one negative and one positive Hessian eigenvalue at the saddle.
#[test]
fn saddle_point_has_one_negative_and_one_positive_curvature() {
    let f = build("saddle_point", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "one negative, one positive").passed);
    // the red profile has a maximum at 0, the green one a minimum
    let red = &f.panels[1].series[0].points;
    let green = &f.panels[1].series[1].points;
    let mid = red.len() / 2;
    assert_eq!(red[mid].0, 0.0);
    assert!(red[mid - 1].1 < red[mid].1 && red[mid + 1].1 < red[mid].1);
    assert!(green[mid - 1].1 > green[mid].1 && green[mid + 1].1 > green[mid].1);
}

/// Row 35: the number of iterates near the saddle grows by ln 10/ln(1 + lr) per decade
/// of the start's distance to the stable manifold, as the linearisation predicts.
#[test]
fn gradient_descent_lingers_near_the_saddle() {
    let f = build("gradient_descent2", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "linearisation").passed);
    assert!(check(&f, "extra steps per decade").passed);
    assert!(check(&f, "every run escapes").passed);
}

/// Rows 36–38: without shaking GD finds the minimum; with s = 1 the runs stay out of
/// the basin (they settle at the averaged minima ±1) and linger near the saddle; with
/// s = 2 most end near the saddle; the fraction near the saddle rises with s (disjoint
/// 1 − 2·10⁻⁶ Wilson intervals: the check fails if any two levels overlap).
#[test]
fn shaking_traps_sgd_at_the_saddle() {
    let s = Settings::quick(1);
    let f0 = build("sdg_0noise", &s);
    let f1 = build("sdg_1noise", &s);
    let f2 = build("sdg_2noise", &s);
    for f in [&f0, &f1, &f2] {
        assert_sound(f);
        assert!(check(f, "rises with s").passed);
        assert!(check(f, "no run diverged").passed);
    }
    assert!(check(&f0, "same descent").passed);
    assert!(check(&f1, "not into the basin").passed);
    assert!(check(&f2, "trapped").passed);
    // the three figures share the runs: the same fraction curves
    assert_eq!(f0.panels[1], f1.panels[1]);
    assert_eq!(f1.panels[1], f2.panels[1]);
}

/// Rows 5, 6, 39: the trees' exact probabilities are the post's 1/2, 3/4, 11/16 and the
/// simulated leaves match them.
#[test]
fn coin_flip_trees_match_the_exact_probabilities() {
    for name in ["stage_1_scr", "stage_2_scr", "stage_4_scr"] {
        let f = build(name, &Settings::quick(1));
        assert_sound(&f);
        assert!(check(&f, "the post's value").passed);
        assert!(check(&f, "simulated P(").passed);
        assert!(check(&f, "every leaf's").passed);
    }
}

/// Row 10: the red fractions at n = 10, 20, 100, 1000 against the exact ones.
#[test]
fn stage_n_matches_the_exact_red_fractions() {
    let f = build("stage_n", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "exact red fractions").passed);
    assert!(check(&f, "simulated red fraction").passed);
}

/// The same seed gives the same figure on 1 and 2 threads, and another seed another one.
#[test]
fn figures_are_reproducible_across_thread_counts() {
    let in_pool = |n: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| build("sdg_1noise", &Settings::quick(seed)).csv())
    };
    let one = in_pool(1, 1);
    assert_eq!(one, in_pool(2, 1));
    assert_ne!(one, in_pool(2, 2));
}

//! The limit-law figures: `stat_dist`, `correlated`, `uncorelated`.

use crate::{assert_sound, build, check, time_figures};
use saddle_sde::report::Settings;

#[test]
fn stat_dist_quick() {
    let f = build("stat_dist", &Settings::quick(1));
    assert_sound(&f);
    assert_eq!(f.panels.len(), 3);
    // power: the Gaussian alternative and the mirror law are rejected (the checks pass
    // only if the KS statistic exceeds the critical value)
    assert!(check(&f, "Gaussian N(0, ½) alternative rejected").passed);
    assert!(check(&f, "mirror law").passed);
    assert!(check(&f, "StationaryLaw refuses").passed);
}

#[test]
fn correlated_quick() {
    let f = build("correlated", &Settings::quick(1));
    assert_sound(&f);
    // power: the post's literal formula is rejected, and it is drawn on the wrong side
    assert!(check(&f, "literal formula").passed);
    let literal = f.panels[0]
        .series
        .iter()
        .find(|s| {
            s.label
                .as_deref()
                .is_some_and(|l| l.starts_with("post's formula"))
        })
        .unwrap();
    assert!(literal.points.iter().all(|&(x, y)| x < 1.0 || y == 0.0));
    let corrected = &f.panels[0].series[1];
    assert!(corrected.points.iter().all(|&(x, y)| x > 1.0 || y == 0.0));
}

#[test]
fn uncorelated_quick() {
    let f = build("uncorelated", &Settings::quick(1));
    assert_sound(&f);
    assert_eq!(f.checks.len(), 6);
    // power: the histogram of the SDE must not also match a Gaussian with the exact
    // mean and variance at t = 2 (the mixture is skewed): the bars' mass left of the
    // mean is visibly above ½
    let bars = &f.panels[2].series[0];
    let w = 15.0 / 60.0;
    let mean: f64 = 0.5f64.mul_add(2.0, 0.0).exp(); // x₀ e^{at} = e
    let left: f64 = bars
        .points
        .iter()
        .filter(|p| p.0 < mean)
        .map(|p| p.1 * w)
        .sum();
    assert!(left > 0.55, "mass left of the mean {left}");
}

#[test]
#[ignore = "timing: cargo test --release --test report -- --ignored --nocapture"]
fn timings() {
    time_figures(&["stat_dist", "correlated", "uncorelated"]);
}

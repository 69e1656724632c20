//! The limit-law figures: `stat_dist`, `correlated`, `uncorelated`.

use crate::{assert_sound, build, check};
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
    // the bias allowance is measured from the Richardson pair, and stated
    let ks = check(&f, "(σ, ρ) = (2, 0) against the Pearson IV law");
    assert!(ks.text.contains("D_crit + B̂") && ks.text.contains("step 2·dt = 0.004"));
    assert!(f.caption.contains("Richardson pair"));
}

#[test]
fn correlated_quick() {
    let f = build("correlated", &Settings::quick(1));
    assert_sound(&f);
    // power: the post's literal formula is rejected, and it is drawn on the wrong side
    assert!(check(&f, "literal formula").passed);
    assert!(
        check(&f, "x_T against the corrected law")
            .text
            .contains("D_crit + B̂")
    );
    assert!(f.caption.contains("Richardson pair"));
    // the wrong-side fraction: its interval, and why it is compared with D_crit
    let wrong = check(&f, "wrong side");
    assert!(
        wrong.text.contains("Wilson interval") && wrong.text.contains("at least this fraction")
    );
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
    // the moment tests' standard errors come from the exact moments, and they compare
    // with the EM chain's own exact moments (no discretisation bias); the KS checks
    // carry both Richardson allowances
    for t in ["0.5", "1", "2"] {
        let c = check(&f, &format!("t = {t}: mean"));
        assert!(
            c.text
                .contains("standard error of s² from the exact fourth moment")
                && c.text.contains("the EM chain's exact"),
            "{}",
            c.text
        );
        let ks = check(&f, &format!("t = {t}: two-sample KS"));
        assert!(ks.text.contains("B̂ = B̂_EM + B̂_mixture"), "{}", ks.text);
    }
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

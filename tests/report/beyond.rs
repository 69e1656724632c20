//! The crate's own figures: `strong_order`, `escape_time`; and reproducibility.

use crate::{assert_sound, build, check};
use saddle_sde::escape::exact;
use saddle_sde::models::SaddleSde;
use saddle_sde::report::Settings;

#[test]
fn strong_order_quick() {
    let f = build("strong_order", &Settings::quick(1));
    assert_sound(&f);
    // power: Milstein without the Lévy area is order ½, not 1
    assert!(check(&f, "without Lévy areas").passed);
    // each slope carries its standard error, and the sample must resolve it
    for needle in ["EM strong order", "Milstein (with", "without Lévy areas"] {
        let c = check(&f, needle);
        assert!(
            c.text.contains("(s.e.)") && c.text.contains("4.75 s.e. ="),
            "{}",
            c.text
        );
    }
    // the Fourier terms of the reference's Lévy areas: p = ⌈1/(π√(6h₀))⌉ = 12 at h₀ = 2⁻¹³
    assert!(f.caption.contains("12 Fourier terms"), "{}", f.caption);
    let labels: Vec<_> = f.panels[0]
        .series
        .iter()
        .filter_map(|s| s.label.clone())
        .collect();
    assert!(
        labels.iter().any(|l| l.starts_with("EM, slope 0.")),
        "{labels:?}"
    );
}

#[test]
fn escape_time_quick() {
    let f = build("escape_time", &Settings::quick(1));
    assert_sound(&f);
    assert_eq!(f.panels.len(), 2);
    // power: a wrong reference (the exact mean exit time × 1.3) is rejected at most
    // ratios by a z-test at the suite's level (|z| > Z_EACH; the shown bars are
    // ± 1.96 s.e., from which the s.e. is read back)
    // (the figure's parameters: a = 1, τ = 0.5, ρ = 0.3, x₀ = 0, interval (−4, 4))
    assert!(f.caption.contains("a = 1, τ = 0.5, ρ = 0.3") && f.caption.contains("(−4, 4)"));
    assert!(f.caption.contains("r = σ²/(2a)") && f.caption.contains("σ = √(2ar)"));
    let mc = &f.panels[0].series[1];
    let mut outside = 0;
    for (&(q, _), &(lo, hi)) in mc.points.iter().zip(&mc.band) {
        let m = SaddleSde::new(1.0, (2.0 * q).sqrt(), 0.5, 0.3).unwrap();
        let e = exact::interval_exit(&m, 0.0, -4.0, 4.0)
            .unwrap()
            .mean_exit_time;
        let (est, se) = (0.5 * (lo + hi), (hi - lo) / (2.0 * 1.96));
        if ((est - 1.3 * e) / se).abs() > crate::common::tol::Z_EACH {
            outside += 1;
        }
    }
    assert!(
        outside >= mc.points.len() - 1,
        "wrong reference accepted at {outside}"
    );
}

#[test]
fn figure_is_the_same_on_one_and_two_threads() {
    let csv = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| build("correlated", &Settings::quick(3)).csv())
    };
    assert_eq!(csv(1), csv(2));
}

//! The bridge test's quiet band (`integrate::monitor::QuietBand`): on a step that starts
//! and ends in the band the `Exit` monitor skips the bridge test, which must change
//! nothing. Checked bit for bit: each path run with `Exit::with_band` against the same
//! path with `Exit::new` (no band), for both saddle forms, geometric Brownian motion and
//! Ornstein–Uhlenbeck, coarse and fine steps, and a window where the band is clipped by
//! a shifted window; and the band's defining property (no step with both ends in it
//! reaches the cutoff) on a fine grid of starts with the worst end, with a power check
//! that a band 2 % wider at a tight end fails it. (The ensemble, which builds the band
//! once, is checked against lone `exit_path` runs, which use no band, in
//! `tests/ensembles/engine.rs::exit_ensemble_equals_its_single_paths`.) A band that is
//! too wide changes exit decisions: the power check builds the band for a step 4 times
//! too short (so a band far too wide for the real step) and finds paths whose results
//! differ.

use saddle_sde::integrate::monitor::{
    BRIDGE_CUTOFF, Exit, ExitWindow, LocalVariance, ModelVariance, QuietBand,
};
use saddle_sde::integrate::{Grid, ScalarStepper, StopReason, run};
use saddle_sde::models::{Gbm, LawEquivalentSaddle, OrnsteinUhlenbeck, SaddleSde};
use saddle_sde::noise::{ScalarNoise, path_rng};
use saddle_sde::scheme::EulerMaruyama;
use saddle_sde::sde::ScalarSde;

/// Runs `paths` paths with `Exit::with_band(band)` and with `Exit::new`, returning how
/// many ended differently (end value bits or reason).
fn differences<S: ScalarSde<M> + Sync, const M: usize>(
    sde: &S,
    w: ExitWindow,
    band: QuietBand,
    grid: &Grid,
    x0: f64,
    paths: u64,
) -> usize {
    let noise = ScalarNoise::for_run(&EulerMaruyama, sde, grid).unwrap();
    let st = ScalarStepper::new(sde, &EulerMaruyama);
    let mut differ = 0;
    for i in 0..paths {
        let one = |mon: &mut Exit<ModelVariance<'_, S, M>, true>| -> (u64, StopReason) {
            let mut x = x0;
            let why = saddle_sde::with_source!(noise, |src| run(
                &mut st.clone(),
                src,
                mon,
                &mut x,
                &mut path_rng(5, i)
            ));
            (x.to_bits(), why)
        };
        let a = one(&mut Exit::with_band(w, ModelVariance(sde), band));
        let b = one(&mut Exit::new(w, ModelVariance(sde)));
        differ += usize::from(a != b);
    }
    differ
}

/// How many starts `x`, on a grid of 100 001 points of the closed interval `band`, have a
/// barrier exponent `2(c − x)(c − y)` below the cutoff `40·b²(x)·h` for the end `y` in
/// the band nearest that barrier, where the exponent is least; the band's defining
/// property is that none has (then no step with both ends in the band has, as the
/// exponent grows with `y`'s distance from `c`). The grid is much finer than the band's
/// construction, whose pieces of the start's distance grow by 10 %.
fn firing_starts<S: ScalarSde<M>, const M: usize>(
    m: &S,
    (c_lo, c_hi): (f64, f64),
    band: (f64, f64),
    h: f64,
) -> usize {
    const N: usize = 100_000;
    let mut firing = 0;
    for i in 0..=N {
        let x = band.0 + (band.1 - band.0) * i as f64 / N as f64;
        let cut = BRIDGE_CUTOFF * ModelVariance(m).b2(0.0, x) * h;
        let e_lo = 2.0 * (x - c_lo) * (band.0 - c_lo);
        let e_hi = 2.0 * (c_hi - x) * (c_hi - band.1);
        firing += usize::from(e_lo < cut || e_hi < cut);
    }
    firing
}

/// The blog's model has `b²` smallest near `x = −ρτ/σ = −0.15`, so the band reaches
/// closer to the lower barrier (−0.5) than to the upper (1): each side's distance
/// follows the variance near its own barrier.
#[test]
fn each_side_of_the_band_follows_the_variance_near_its_barrier() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let (blo, bhi) = QuietBand::new(&ExitWindow::barriers(-0.5, 1.0), &ModelVariance(&m), 1e-3)
        .ends()
        .unwrap();
    // D_lo² ≈ 20·b²(−0.5 + D_lo)·h and D_hi² ≈ 20·b²(1 − D_hi)·h: about 0.078 and 0.156
    let (d_lo, d_hi) = (blo + 0.5, 1.0 - bhi);
    assert!((0.07..0.09).contains(&d_lo), "D_lo = {d_lo}");
    assert!((0.15..0.16).contains(&d_hi), "D_hi = {d_hi}");
}

#[test]
fn the_band_changes_nothing_and_a_too_wide_band_would() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let law = LawEquivalentSaddle::new(m.clone());
    for &(lo, hi, h) in &[(-0.5, 1.0, 1e-3), (-0.5, 1.0, 2e-2), (-0.2, 0.3, 5e-3)] {
        let w = ExitWindow::barriers(lo, hi);
        let grid = Grid::new(20.0, h).unwrap();
        let band = QuietBand::new(&w, &ModelVariance(&m), h);
        let (blo, bhi) = band.ends().expect("a two-sided window has a band");
        // the defining property on a fine grid of steps with both ends in the band
        assert_eq!(firing_starts(&m, (lo, hi), (blo, bhi), h), 0, "h = {h}");
        // power: either end 2 % of its distance closer to its barrier lets the test
        // fire (the band is tight at both, so the check above can fail)
        let wider_lo = (lo + 0.98 * (blo - lo), bhi);
        let wider_hi = (blo, hi - 0.98 * (hi - bhi));
        assert!(firing_starts(&m, (lo, hi), wider_lo, h) > 0, "h = {h}");
        assert!(firing_starts(&m, (lo, hi), wider_hi, h) > 0, "h = {h}");
        assert_eq!(
            differences(&m, w, band, &grid, 0.05, 400),
            0,
            "two-noise, h = {h}"
        );
        let band_law = QuietBand::new(&w, &ModelVariance(&law), h);
        assert_eq!(
            differences(&law, w, band_law, &grid, 0.05, 400),
            0,
            "law form, h = {h}"
        );
        // power: a band built for h/4 is too wide for steps of h
        let wide = QuietBand::new(&w, &ModelVariance(&m), h / 4.0);
        assert!(wide.ends().unwrap().0 < blo);
        assert!(
            differences(&m, w, wide, &grid, 0.05, 400) > 0,
            "h = {h}: a band too wide changed no path (the test has no power)"
        );
    }
    // a window shifted inside the barriers clips the band to the window
    let mut w = ExitWindow::barriers(-0.5, 1.0);
    (w.lo, w.hi) = (-0.3, 0.6);
    let band = QuietBand::new(&w, &ModelVariance(&m), 1e-3);
    let (blo, bhi) = band.ends().unwrap();
    assert!(blo >= w.lo && bhi <= w.hi);
    assert_eq!(
        differences(&m, w, band, &Grid::new(20.0, 1e-3).unwrap(), 0.05, 200),
        0
    );
    // no band without finite barriers
    let mut one_sided = ExitWindow::barriers(-0.5, 1.0);
    one_sided.bridge_lo = f64::NEG_INFINITY;
    assert!(
        QuietBand::new(&one_sided, &ModelVariance(&m), 1e-3)
            .ends()
            .is_none()
    );
}

/// Geometric Brownian motion (`b² = σ²x²`) and Ornstein–Uhlenbeck (`b² = s²`) bound
/// their variance too, so their exits get a band: the same checks on their own windows
/// (the grid property and paths with and without the band, bit for bit), with their
/// power checks: a band built for h/4 changes paths, and a band 2 % wider fails the
/// grid check at the ends where the band is tight (both of OU's, GBM's upper one, where
/// `b²` is largest).
#[test]
fn the_known_models_bands_change_nothing() {
    let gbm = Gbm::new(0.5, 0.8).unwrap();
    let ou = OrnsteinUhlenbeck::new(1.0, 0.0, 0.7).unwrap();
    for h in [1e-3, 1e-2] {
        let grid = Grid::new(20.0, h).unwrap();
        let w = ExitWindow::barriers(0.5, 2.0);
        let band = QuietBand::new(&w, &ModelVariance(&gbm), h);
        let ends = band.ends().expect("GBM has a band");
        assert_eq!(firing_starts(&gbm, (0.5, 2.0), ends, h), 0, "GBM, h = {h}");
        let wider = (ends.0, 2.0 - 0.98 * (2.0 - ends.1));
        assert!(
            firing_starts(&gbm, (0.5, 2.0), wider, h) > 0,
            "GBM, h = {h}"
        );
        assert_eq!(
            differences(&gbm, w, band, &grid, 1.0, 400),
            0,
            "GBM, h = {h}"
        );
        let wide = QuietBand::new(&w, &ModelVariance(&gbm), h / 4.0);
        assert!(
            differences(&gbm, w, wide, &grid, 1.0, 400) > 0,
            "GBM, h = {h}"
        );
        let w = ExitWindow::barriers(-1.0, 1.0);
        let band = QuietBand::new(&w, &ModelVariance(&ou), h);
        let (blo, bhi) = band.ends().expect("OU has a band");
        assert_eq!(
            firing_starts(&ou, (-1.0, 1.0), (blo, bhi), h),
            0,
            "OU, h = {h}"
        );
        let wider = (-1.0 + 0.98 * (blo + 1.0), 1.0 - 0.98 * (1.0 - bhi));
        assert!(firing_starts(&ou, (-1.0, 1.0), wider, h) > 0, "OU, h = {h}");
        assert_eq!(differences(&ou, w, band, &grid, 0.0, 400), 0, "OU, h = {h}");
        let wide = QuietBand::new(&w, &ModelVariance(&ou), h / 4.0);
        assert!(
            differences(&ou, w, wide, &grid, 0.0, 400) > 0,
            "OU, h = {h}"
        );
    }
    // no variance, no band
    let still = OrnsteinUhlenbeck::new(1.0, 0.0, 0.0).unwrap();
    let w = ExitWindow::barriers(-1.0, 1.0);
    assert!(
        QuietBand::new(&w, &ModelVariance(&still), 1e-3)
            .ends()
            .is_none()
    );
}

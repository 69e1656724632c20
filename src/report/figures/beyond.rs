//! The crate's own figures, beyond the post: `strong_order` (the strong orders of the
//! three schemes on shared Brownian paths) and `escape_time` (mean exit time and the
//! probability of exit before a horizon across the transition `σ²/(2a) = 1`).

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::Z_CHECK;
use crate::convergence::{StrongErrors, StrongOrderDesign, batch_slope, strong_errors_in_batches};
use crate::ensemble::{Ensemble, MeanVar};
use crate::error::{Error, Result};
use crate::escape::{Correction, ExitDomain, ExitSpec, exact};
use crate::models::SaddleSde;
use crate::noise::LevyArea;
use crate::scheme::EulerMaruyama;
use rayon::prelude::*;

/// Three significant digits.
fn g3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let e = x.abs().log10().floor() as i32;
    if (-3..5).contains(&e) {
        let d = (2 - e).max(0) as usize;
        format!("{x:.d$}")
    } else {
        format!("{x:.2e}")
    }
}

/// `strong_order`: strong error against the step for EM, Milstein with Lévy areas and
/// Milstein without them, on the shared-path harness of [`crate::convergence`].
pub(crate) fn strong_order(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (a, sigma, tau, rho, x0) = (1.0, 1.0, 0.5, 0.3, 0.1);
    let design = StrongOrderDesign {
        t: 1.0,
        fine_log2: 13,
        coarse_log2: vec![3, 4, 5, 6, 7, 8],
        paths: s.pick(4_000, 2_000),
    };
    let m = SaddleSde::new(a, sigma, tau, rho)?;
    // 20 batches of consecutive paths: the errors at different h share paths and are
    // correlated, so the slopes' standard errors are batch means (`batch_slope`)
    let parts = strong_errors_in_batches(
        &m,
        x0,
        &design,
        s.seed_for("strong_order", 0),
        20,
        |d, t| progress(d as f64 / t as f64),
    )?;
    let e: StrongErrors = StrongErrors::merged(&parts).expect("20 batches of one design");
    // error bars: ± 2 standard errors
    type Points = Vec<(f64, f64)>;
    let bars = |col: &[MeanVar]| -> (Points, Points) {
        let pts = e.h.iter().zip(col).map(|(&h, v)| (h, v.mean())).collect();
        let band = col
            .iter()
            .map(|v| (v.mean() - 2.0 * v.stderr(), v.mean() + 2.0 * v.stderr()))
            .collect();
        (pts, band)
    };
    let ((s_em, se_em), (s_mil, se_mil), (s_comm, se_comm)) = (
        batch_slope(&parts, |p| &p.em),
        batch_slope(&parts, |p| &p.milstein),
        batch_slope(&parts, |p| &p.commutative),
    );
    let mut panel = Panel::new(
        "strong error at T = 1",
        Axis::log("step h", 2f64.powi(-9), 2f64.powi(-2)),
        Axis::log("E|X_T^h − X_T|", 1e-4, 1.0),
    );
    for (name, col, sl, c) in [
        ("EM", &e.em, s_em, Colour::Blue),
        ("Milstein (Lévy areas)", &e.milstein, s_mil, Colour::Red),
        (
            "Milstein without Lévy areas",
            &e.commutative,
            s_comm,
            Colour::Green,
        ),
    ] {
        let (pts, band) = bars(col);
        panel = panel.with(Series::error_bars(
            &format!("{name}, slope {sl:.2}"),
            c,
            pts,
            band,
        ));
    }
    // reference slopes through the coarsest EM and Milstein points
    let (h0, h1) = (e.h[0], *e.h.last().unwrap_or(&e.h[0]));
    let through = |y0: f64, p: f64| vec![(h0, y0), (h1, y0 * (h1 / h0).powf(p))];
    panel = panel
        .with(Series::new(
            Some("slope ½"),
            Kind::Dashed,
            Colour::Grey,
            through(2.0 * e.em[0].mean(), 0.5),
        ))
        .with(Series::new(
            Some("slope 1"),
            Kind::Dashed,
            Colour::Black,
            through(0.5 * e.milstein[0].mean(), 1.0),
        ));
    let reference = e.reference.mean();
    let smallest = e.milstein.last().map_or(f64::NAN, MeanVar::mean);
    // the tolerances are the tests' allowance for pre-asymptotic bias; the sample
    // must resolve the slope to within them (Z_CHECK s.e. below the tolerance, so that
    // a slope at the target fails with probability ≤ CHECK_ALPHA; a guard on the
    // standard error only, which batch means estimate to about 16 %), otherwise the
    // check fails for want of paths
    let order = |what: &str, sl: f64, se: f64, target: f64, tol: f64| {
        Check::new(
            (sl - target).abs() <= tol && Z_CHECK * se <= tol,
            format!(
                "{what}: slope {sl:.3} ± {se:.3} (s.e.) by batch means, required {target} ± \
                 {tol} (the allowance for pre-asymptotic bias) with {Z_CHECK:.2} s.e. = {:.3} \
                 ≤ {tol}",
                Z_CHECK * se
            ),
        )
    };
    let checks = vec![
        order("EM strong order", s_em, se_em, 0.5, 0.1),
        order(
            "Milstein (with Lévy areas) strong order",
            s_mil,
            se_mil,
            1.0,
            0.1,
        ),
        Check::new(
            s_comm < 0.7 && Z_CHECK * se_comm <= 0.2,
            format!(
                "Milstein without Lévy areas: slope {s_comm:.3} ± {se_comm:.3} (s.e.) by batch \
                 means, required < 0.7 (order ½ for non-commutative noise, with an \
                 allowance of 0.2 for pre-asymptotic bias) with {Z_CHECK:.2} s.e. = {:.3} \
                 ≤ 0.2",
                Z_CHECK * se_comm
            ),
        ),
        Check::new(
            reference < 0.1 * smallest,
            format!(
                "reference self-error |ref(h₀) − ref(2h₀)| = {} < 0.1 × smallest Milstein error {}",
                g3(reference),
                g3(smallest)
            ),
        ),
    ];
    progress(1.0);
    Ok(Figure {
        name: "strong_order",
        title: "Strong convergence orders on shared Brownian paths".into(),
        caption: format!(
            "Strong error E|X_T^h − X_T| at T = 1 of dx = a x dt + σ x dW + τ dU with \
             (a, σ, τ, ρ, x₀) = ({a}, {sigma}, {tau}, {rho}, {x0}) for h = 2⁻³ … 2⁻⁸, \
             against the closed-form pathwise solution on a fine path of step h₀ = 2⁻¹³ \
             with Lévy areas ({terms} Fourier terms + tail); the coarse increments and \
             iterated integrals come from the same path by Chen's relation. {} paths; \
             error bars ± 2 standard errors of the mean error; slopes are least-squares \
             fits on log-log axes, their standard errors by batch means (the slope's \
             spread over 20 batches of consecutive paths, divided by √20), which holds \
             although the errors at different h share paths and are correlated. The noise is non-commutative \
             (σ, τ ≠ 0, |ρ| < 1), so Milstein needs the Lévy area for order 1; without \
             it, it is order ½ like EM.",
            design.paths,
            terms = LevyArea::for_step(design.t / f64::from(1u32 << design.fine_log2))?.terms()
        ),
        panels: vec![panel],
        columns: 1,
        checks,
    })
}

/// `escape_time`: mean exit time from `(−4, 4)` and `P(T ≤ H)` across the ratio
/// `r = σ²/(2a)`, Monte Carlo (EM with the bridge correction, as `saddle escape-study`)
/// over the exact scale-function / backward-equation references.
pub(crate) fn escape_time(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (a, tau, rho, x0, half, horizon, dt) = (1.0, 0.5, 0.3, 0.0, 4.0, 4.0, 1e-3);
    let mean_horizon = 1000.0;
    let ratios = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5];
    let paths: u64 = s.pick(10_000, 1_000);
    let model = |ratio: f64| SaddleSde::new(a, (2.0 * a * ratio).sqrt(), tau, rho);
    // exact curves on a fine grid
    let step: f64 = s.pick(0.05, 0.2);
    let fine: Vec<f64> = (0..)
        .map(|i| 0.2 + step * f64::from(i))
        .take_while(|&q| q <= 2.6 + 1e-9)
        .collect();
    let exact_at = |q: f64| -> Result<((f64, f64), (f64, f64))> {
        let m = model(q)?;
        Ok((
            (q, exact::interval_exit(&m, x0, -half, half)?.mean_exit_time),
            (q, exact::exit_time_cdf(&m, x0, -half, half, &[horizon])?[0]),
        ))
    };
    // the curve's grid, then the Monte Carlo ratios; independent of the thread count
    // (collected in order)
    let (mut mean_curve, mut p_curve): (Vec<_>, Vec<_>) = fine
        .iter()
        .chain(&ratios)
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&&q| exact_at(q))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let at_ratios: Vec<(f64, f64)> = mean_curve
        .split_off(fine.len())
        .into_iter()
        .zip(p_curve.split_off(fine.len()))
        .map(|(m, p)| (m.1, p.1))
        .collect();
    progress(0.05);
    // each of the 2 quantities × the ratios at the per-check level
    let tests = 2 * ratios.len();
    let alpha = super::super::CHECK_ALPHA;
    let z = super::Z_CHECK;
    let (mut mean_pts, mut mean_band, mut p_pts, mut p_band) = (vec![], vec![], vec![], vec![]);
    let (mut mean_out, mut p_out, mut zmax_mean, mut zmax_p) = (0, 0, 0.0f64, 0.0f64);
    let censored = |what: &'static str| Error::DoesNotExist {
        what,
        condition: "every path must exit before the mean horizon".into(),
    };
    for (k, &q) in ratios.iter().enumerate() {
        let m = model(q)?;
        let seed = s.seed_for("escape_time", k as u64);
        let (mean_exact, p_exact) = at_ratios[k];
        let short = ExitSpec::new(ExitDomain::interval(-half, half)?, x0, horizon, dt)?
            .with_correction(Correction::Bridge);
        let long = ExitSpec::new(ExitDomain::interval(-half, half)?, x0, mean_horizon, dt)?
            .with_correction(Correction::Bridge);
        let p = Ensemble::new(&m, &EulerMaruyama)
            .paths(paths)
            .seed(seed)
            .exits(&short)?
            .p_exit_before_horizon()
            .ok_or_else(|| censored("exit proportion"))?;
        let mean = Ensemble::new(&m, &EulerMaruyama)
            .paths(paths)
            .seed(seed)
            .exits(&long)?
            .mean_exit_time()
            .ok_or_else(|| censored("mean exit time"))?;
        // shown: 95% intervals; checked: the Bonferroni ones
        let w95 = p.wilson(0.95)?;
        p_pts.push((q, p.estimate()));
        p_band.push((w95.lower, w95.upper));
        if !p.wilson(1.0 - alpha)?.contains(p_exact) {
            p_out += 1;
        }
        zmax_p = zmax_p.max(((p.estimate() - p_exact) / p.stderr().max(f64::MIN_POSITIVE)).abs());
        mean_pts.push((q, mean.estimate));
        mean_band.push((
            mean.estimate - 1.96 * mean.stderr,
            mean.estimate + 1.96 * mean.stderr,
        ));
        let zm = (mean.estimate - mean_exact) / mean.stderr;
        if zm.abs() > z {
            mean_out += 1;
        }
        zmax_mean = zmax_mean.max(zm.abs());
        progress(0.05 + 0.95 * (k + 1) as f64 / ratios.len() as f64);
    }
    let n_r = ratios.len();
    let checks = vec![
        Check::new(
            mean_out == 0,
            format!(
                "mean exit time: {} of {n_r} Monte Carlo means within z·s.e. of the exact \
                 value, z = {z:.2} (two-sided, α = {alpha:.0e} each of {tests} tests; \
                 measured standard errors); largest |z| = {zmax_mean:.2}",
                n_r - mean_out
            ),
        ),
        Check::new(
            p_out == 0,
            format!(
                "P(T ≤ {horizon}): {} of {n_r} Wilson intervals at confidence 1 − {alpha:.2e} \
                 (α = {alpha:.0e} each of {tests} tests) contain the exact \
                 value; largest |z| = {zmax_p:.2}",
                n_r - p_out
            ),
        ),
    ];
    let ymax = mean_curve.iter().map(|p| p.1).fold(0.0, f64::max);
    let x_axis = || Axis::linear("σ²/(2a)", 0.0, 2.75);
    let panels = vec![
        Panel::new(
            &format!("mean exit time from (−{half}, {half})"),
            x_axis(),
            Axis::linear("E[T]", 0.0, (1.2 * ymax).ceil()),
        )
        .with(Series::line(
            "exact (scale function, speed measure)",
            Colour::Black,
            mean_curve,
        ))
        .with(Series::error_bars(
            "Monte Carlo ± 1.96 s.e.",
            Colour::Blue,
            mean_pts,
            mean_band,
        )),
        Panel::new(
            &format!("P(T ≤ {horizon})"),
            x_axis(),
            Axis::linear("probability", 0.0, 1.0),
        )
        .with(Series::line(
            "exact (backward equation)",
            Colour::Black,
            p_curve,
        ))
        .with(Series::error_bars(
            "Monte Carlo, 95% Wilson interval",
            Colour::Blue,
            p_pts,
            p_band,
        )),
    ];
    Ok(Figure {
        name: "escape_time",
        title: "Escape from the saddle across σ²/(2a) = 1".into(),
        caption: format!(
            "Exit of dx = a x dt + σ x dW + τ dU from the interval (−{half}, {half}), \
             started at x₀ = {x0}, with a = {a}, τ = {tau}, ρ = {rho}. The horizontal axis is \
             the ratio r = σ²/(2a) (r = 1 is the transition: the saddle is attractive \
             without τ for r > 1), so each point has σ = √(2ar), here √(2r) at a = {a}; \
             Monte Carlo at r in {{{}}}. Monte Carlo: the two-noise SDE with Euler–Maruyama \
             and the Brownian-bridge correction of discrete monitoring, dt = {dt}, {paths} \
             paths per point (the same paths for both panels: horizon {horizon} for \
             P(T ≤ {horizon}), {mean_horizon} for the mean, where every path had exited). \
             Curves: exact mean exit time from the scale function and speed measure, and \
             P(T ≤ {horizon}) from the backward Kolmogorov equation (Crank–Nicolson). For \
             r > 1, although the saddle is attractive without τ, with τ ≠ 0 the path still \
             leaves every bounded interval; the multiplicative noise slows the escape from \
             the wide interval (−{half}, {half}) across the transition.",
            ratios
                .iter()
                .map(|q| q.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        panels,
        columns: 2,
        checks,
    })
}

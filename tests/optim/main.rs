//! Test crate `optim`: the finite-sum SGD model and its optimisers.
//!
//! `cargo test --release --test optim`.

use saddle_sde::Error;
use saddle_sde::noise::{NoiseSource, path_rng};
use saddle_sde::optim::{EscapeRun, FiniteSum, Optimizer, Sampling, Schedule, Sgd};

mod strategies;

#[path = "../common/mod.rs"]
mod common;

use common::tol::{Z_EACH, chi2_crit};

fn param_name(e: Error) -> &'static str {
    match e {
        Error::Param(p) => p.name,
        other => panic!("not a parameter error: {other}"),
    }
}

/// The population moments are exactly the requested ones (to rounding), so the full
/// gradient is exactly −a x.
#[test]
fn population_moments_are_exact() {
    for &(sx, se, rho) in &[
        (2.0, 1.0, 0.3),
        (0.5, 3.0, -0.9),
        (1.0, 1.0, 1.0),
        (0.0, 2.0, 0.0),
    ] {
        let d = FiniteSum::new(1.5, sx, se, rho, 200, 11).unwrap();
        let n = d.samples() as f64;
        let m = |v: &[f64]| v.iter().sum::<f64>() / n;
        let (mx, me) = (m(d.xi()), m(d.eta()));
        assert!(mx.abs() < 1e-12 && me.abs() < 1e-12);
        let vx = d.xi().iter().map(|x| x * x).sum::<f64>() / n;
        let ve = d.eta().iter().map(|x| x * x).sum::<f64>() / n;
        let c = d.xi().iter().zip(d.eta()).map(|(x, y)| x * y).sum::<f64>() / n;
        assert!((vx - sx * sx).abs() < 1e-10, "{vx}");
        assert!((ve - se * se).abs() < 1e-10, "{ve}");
        assert!((c - rho * sx * se).abs() < 1e-10, "{c}");
        for x in [-2.0, 0.3, 5.0] {
            let full: f64 = (0..d.samples()).map(|j| d.gradient(j, x)).sum::<f64>() / n;
            assert!((full - d.full_gradient(x)).abs() < 1e-10);
        }
    }
}

#[test]
fn bad_input_names_the_parameter() {
    assert_eq!(
        param_name(FiniteSum::new(f64::NAN, 1.0, 1.0, 0.0, 10, 1).unwrap_err()),
        "a"
    );
    assert_eq!(
        param_name(FiniteSum::new(1.0, -1.0, 1.0, 0.0, 10, 1).unwrap_err()),
        "s_xi"
    );
    assert_eq!(
        param_name(FiniteSum::new(1.0, 1.0, 1.0, 1.5, 10, 1).unwrap_err()),
        "rho"
    );
    assert_eq!(
        param_name(FiniteSum::new(1.0, 1.0, 1.0, 0.0, 2, 1).unwrap_err()),
        "samples"
    );
    let d = FiniteSum::new(1.0, 1.0, 1.0, 0.0, 10, 1).unwrap();
    assert_eq!(
        param_name(Sgd::new(&d, 0.0, 1, Sampling::WithReplacement).unwrap_err()),
        "lr"
    );
    assert_eq!(
        param_name(Sgd::new(&d, 0.1, 11, Sampling::WithoutReplacement).unwrap_err()),
        "batch"
    );
    let s = Sgd::new(&d, 0.1, 2, Sampling::WithReplacement).unwrap();
    assert_eq!(
        param_name(
            s.clone()
                .optimizer(Optimizer::Momentum { beta: 1.0 })
                .unwrap_err()
        ),
        "beta"
    );
    assert_eq!(
        param_name(
            s.clone()
                .optimizer(Optimizer::Svrg { inner: 0 })
                .unwrap_err()
        ),
        "inner"
    );
    assert_eq!(
        param_name(
            s.clone()
                .schedule(Schedule::InverseTime { n0: -1.0 })
                .unwrap_err()
        ),
        "n0"
    );
    assert_eq!(param_name(s.perturb(f64::INFINITY).unwrap_err()), "perturb");
    assert_eq!(
        param_name(EscapeRun::new(2.0, -1.0, 1.0, 10, 10).unwrap_err()),
        "x0"
    );
    assert_eq!(
        param_name(EscapeRun::new(0.0, 1.0, 1.0, 10, 10).unwrap_err()),
        "upper"
    );
}

/// The variance of a batch mean without replacement carries the finite-population
/// factor (N − B)/(N − 1). Statistic: z = (s² − V)/se(s²) over K = 200 000 batches,
/// se from the sample fourth moment (batch means of a Gaussian-like population are
/// light-tailed); reject at |z| > 4.75 (α = 2·10⁻⁶). Power: the same z against the
/// with-replacement value s²/B (twice as large here) is far outside.
#[test]
fn minibatch_variance_has_the_finite_population_factor() {
    let (n, b, k) = (50usize, 25usize, 200_000u64);
    let d = FiniteSum::new(1.0, 2.0, 1.0, 0.5, n, 3).unwrap();
    for (sampling, expected) in [
        (
            Sampling::WithoutReplacement,
            4.0 / b as f64 * (n - b) as f64 / (n - 1) as f64,
        ),
        (Sampling::WithReplacement, 4.0 / b as f64),
    ] {
        let src = Sgd::new(&d, 0.01, b, sampling).unwrap().source(1).unwrap();
        let mut st = src.path_state();
        let mut out = src.buffer();
        let mut rng = path_rng(5, 0);
        let (mut s1, mut s2, mut s4) = (0.0, 0.0, 0.0);
        let mut xs = Vec::with_capacity(k as usize);
        for i in 0..k {
            src.draw(&mut st, i as usize, 0, &mut rng, &mut out);
            xs.push(out.xi);
            s1 += out.xi;
        }
        let mean = s1 / k as f64;
        for x in &xs {
            let c = x - mean;
            s2 += c * c;
            s4 += c.powi(4);
        }
        let var = s2 / (k - 1) as f64;
        let m4 = s4 / k as f64;
        let se = ((m4 - var * var) / k as f64).sqrt();
        let z = (var - expected) / se;
        assert!(
            z.abs() < Z_EACH,
            "{sampling:?}: variance {var} vs {expected}, z = {z}"
        );
        if sampling == Sampling::WithoutReplacement {
            let wrong = 4.0 / b as f64;
            let zw = (var - wrong) / se;
            assert!(
                zw.abs() > Z_EACH,
                "power: the with-replacement value is not rejected, z = {zw}"
            );
        }
    }
}

/// SVRG's variance-reduced gradient is −a x − ξ̄_J (x − x*): the slope noise η cancels.
/// With no curvature noise (s_ξ = 0) SVRG is therefore deterministic even with a large
/// s_η: every run leaves (−1, 1) upwards at the step where x0(1 + lr a)ⁿ first reaches 1,
/// while plain SGD on the same data spreads.
#[test]
fn svrg_cancels_the_slope_noise() {
    let d = FiniteSum::new(1.0, 0.0, 5.0, 0.0, 100, 9).unwrap();
    let (lr, x0) = (0.01, 0.1);
    let run = EscapeRun::new(x0, -1.0, 1.0, 2_000, 300).unwrap();
    let svrg = Sgd::new(&d, lr, 1, Sampling::WithReplacement)
        .unwrap()
        .optimizer(Optimizer::Svrg { inner: 10 })
        .unwrap();
    let s = svrg.escape(&run, 4, &mut |_| {}).unwrap();
    let n_exact = ((1.0f64 / x0).ln() / (1.0 + lr).ln()).ceil();
    assert_eq!(s.exits_upper(), 300);
    let t = s.times_upper();
    assert!(
        (t.mean() - n_exact * lr).abs() < 1e-9,
        "{} vs {}",
        t.mean(),
        n_exact * lr
    );
    assert!(t.variance() < 1e-20);
    let sgd = Sgd::new(&d, lr, 1, Sampling::WithReplacement).unwrap();
    let s = sgd.escape(&run, 4, &mut |_| {}).unwrap();
    assert!(
        s.exits_lower() > 0 && s.times_upper().variance() > 1e-4,
        "plain SGD should spread"
    );
}

/// Results do not depend on the thread count, for every optimiser and sampling.
#[test]
fn escape_is_identical_for_any_thread_count() {
    let d = FiniteSum::new(1.0, 3.0, 1.0, 0.4, 200, 2).unwrap();
    let run = EscapeRun::new(0.1, -1.0, 1.0, 3_000, 700).unwrap();
    let base = Sgd::new(&d, 0.02, 4, Sampling::WithoutReplacement).unwrap();
    let variants = [
        base.clone(),
        base.clone().perturb(0.05).unwrap(),
        base.clone().schedule(Schedule::Harmonic).unwrap(),
        base.clone()
            .optimizer(Optimizer::Momentum { beta: 0.9 })
            .unwrap(),
        base.clone()
            .optimizer(Optimizer::Svrg { inner: 20 })
            .unwrap(),
        Sgd::new(&d, 0.02, 4, Sampling::WithReplacement).unwrap(),
        base.clone()
            .schedule(Schedule::InverseTime { n0: 50.0 })
            .unwrap(),
        base.clone()
            .optimizer(Optimizer::Relu { width: 0.5 })
            .unwrap(),
    ];
    for v in &variants {
        let in_pool = |n: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
                .install(|| v.escape(&run, 8, &mut |_| {}).unwrap())
        };
        assert_eq!(in_pool(1), in_pool(2));
    }
}

/// Momentum with β = 0 is plain SGD, bit for bit (the velocity starts at 0).
#[test]
fn momentum_zero_is_sgd() {
    let d = FiniteSum::new(1.0, 2.0, 1.0, 0.0, 100, 2).unwrap();
    let run = EscapeRun::new(0.1, -1.0, 1.0, 2_000, 200).unwrap();
    let sgd = Sgd::new(&d, 0.02, 2, Sampling::WithReplacement).unwrap();
    let mom = sgd
        .clone()
        .optimizer(Optimizer::Momentum { beta: 0.0 })
        .unwrap();
    assert_eq!(
        sgd.escape(&run, 1, &mut |_| {}).unwrap(),
        mom.escape(&run, 1, &mut |_| {}).unwrap()
    );
}

/// Weighted least squares of `y = b0 + b1·u` with weights `1/se²`: `(b0, se(b0), b1, se(b1))`.
fn wls(u: &[f64], y: &[f64], se: &[f64]) -> (f64, f64, f64, f64) {
    let w: Vec<f64> = se.iter().map(|s| 1.0 / (s * s)).collect();
    let sw: f64 = w.iter().sum();
    let su: f64 = w.iter().zip(u).map(|(w, u)| w * u).sum();
    let suu: f64 = w.iter().zip(u).map(|(w, u)| w * u * u).sum();
    let sy: f64 = w.iter().zip(y).map(|(w, y)| w * y).sum();
    let suy: f64 = w.iter().zip(u).zip(y).map(|((w, u), y)| w * u * y).sum();
    let det = sw * suu - su * su;
    let b1 = (sw * suy - su * sy) / det;
    let b0 = (suu * sy - su * suy) / det;
    (b0, (suu / det).sqrt(), b1, (sw / det).sqrt())
}

/// The diffusion limit: SGD with minibatches of B = 4 (with replacement) and rate lr,
/// on data with s_ξ = σ√(B/lr), s_η = τ√(B/lr), is the saddle SDE with (σ, τ, ρ) in
/// the time t = n·lr. Escape from (−1, 1), x0 = 0.1, W1's (a, σ, τ, ρ) = (1, 1, 0.5, 0.3):
/// discrete monitoring makes the exit late by O(√lr) (the overshoot of a random walk),
/// so the mean exit time and the exit probability are fitted as `v(lr) = v₀ + c√lr`
/// over lr = 0.04 … 0.0025 (40 000 runs each, weights from the measured standard
/// errors), and the intercept v₀ must match the SDE's exact value (scale function and
/// speed measure) within 4.75 of its standard error (α = 2·10⁻⁶ each). The rate: v₀ + c√lr fits the mean exit times (χ², 3 degrees
/// of freedom, < 29.2), and c > 4.75 se. How much better it fits than v₀ + d·lr is
/// printed, not asserted: that comparison has no known size at this sample (over eight
/// independent seed sets of 40 000 runs, χ²_lin − χ²_√ ranged from −4.0 to 17.8 and was
/// below 4 in two; until issue 11 changed the generator it was asserted > 4). The
/// intercept's standard error covers sampling only; an omitted O(lr) term would shift
/// it by about 0.013·d over these rates, which the χ² check bounds. Power: the limit
/// with σ² = lr·s_ξ² (the batch size forgotten) has σ = 2, whose exact mean exit time is
/// rejected by the same intercept.
#[test]
fn sgd_converges_to_its_diffusion_limit() {
    use saddle_sde::escape::exact::interval_exit;
    use saddle_sde::models::SaddleSde;
    let (a, sig, tau, rho, x0, b) = (1.0, 1.0, 0.5, 0.3, 0.1, 4usize);
    let exact = interval_exit(&SaddleSde::new(a, sig, tau, rho).unwrap(), x0, -1.0, 1.0).unwrap();
    let lrs = [0.04, 0.02, 0.01, 0.005, 0.0025];
    let runs = 40_000u64;
    let (mut u, mut t, mut t_se, mut p, mut p_se) = (vec![], vec![], vec![], vec![], vec![]);
    for (k, &lr) in lrs.iter().enumerate() {
        let scale = (b as f64 / lr).sqrt();
        let d = FiniteSum::new(a, sig * scale, tau * scale, rho, 20_000, 100 + k as u64).unwrap();
        let limit = d.diffusion_limit(lr, b).unwrap();
        assert!((limit.sigma() - sig).abs() < 1e-12 && (limit.tau() - tau).abs() < 1e-12);
        let sgd = Sgd::new(&d, lr, b, Sampling::WithReplacement).unwrap();
        let run = EscapeRun::new(x0, -1.0, 1.0, (40.0 / lr) as usize, runs).unwrap();
        let s = sgd.escape(&run, 200 + k as u64, &mut |_| {}).unwrap();
        assert_eq!(s.censored(), 0);
        let m = s.mean_exit_time().unwrap();
        let pu = s.p_upper().unwrap();
        u.push(lr.sqrt());
        t.push(m.estimate);
        t_se.push(m.stderr);
        p.push(pu.estimate());
        p_se.push(pu.stderr());
    }
    let (t0, t0_se, c, c_se) = wls(&u, &t, &t_se);
    // goodness of fit of v₀ + c√lr (χ² with 3 degrees of freedom, critical value 29.2
    // at α = 2·10⁻⁶); v₀ + d·lr's χ² is printed beside it
    let chi2 = |u: &[f64], y: &[f64], se: &[f64]| {
        let (b0, _, b1, _) = wls(u, y, se);
        u.iter()
            .zip(y)
            .zip(se)
            .map(|((u, y), s)| ((y - b0 - b1 * u) / s).powi(2))
            .sum::<f64>()
    };
    let lr_u: Vec<f64> = lrs.to_vec();
    let (chi_sqrt, chi_lin) = (chi2(&u, &t, &t_se), chi2(&lr_u, &t, &t_se));
    eprintln!("χ²: √lr model {chi_sqrt}, lr model {chi_lin}");
    assert!(
        chi_sqrt < chi2_crit(3),
        "v₀ + c√lr does not fit: χ² = {chi_sqrt}"
    );
    eprintln!(
        "E[T](lr) = {t0} ± {t0_se} + ({c} ± {c_se})√lr; exact {}",
        exact.mean_exit_time
    );
    assert!(
        (t0 - exact.mean_exit_time).abs() < Z_EACH * t0_se,
        "mean exit time limit {t0} vs {}",
        exact.mean_exit_time
    );
    assert!(
        c > Z_EACH * c_se,
        "the √lr term is not resolved: c = {c} ± {c_se}"
    );
    let (p0, p0_se, pc, pc_se) = wls(&u, &p, &p_se);
    eprintln!(
        "P(upper)(lr) = {p0} ± {p0_se} + ({pc} ± {pc_se})√lr; exact {}",
        exact.p_upper
    );
    assert!(
        (p0 - exact.p_upper).abs() < Z_EACH * p0_se,
        "exit probability limit {p0} vs {}",
        exact.p_upper
    );
    // power: forgetting the batch size (σ² = lr·s_ξ² = 4σ²) gives another limit
    let wrong = interval_exit(
        &SaddleSde::new(a, 2.0 * sig, 2.0 * tau, rho).unwrap(),
        x0,
        -1.0,
        1.0,
    )
    .unwrap();
    assert!(
        (t0 - wrong.mean_exit_time).abs() > Z_EACH * t0_se,
        "power: {t0} vs {}",
        wrong.mean_exit_time
    );
}

/// The ReLU loss removes the attractive noise: with curvature noise strong enough that
/// smooth SGD is trapped (σ² = lr·s_ξ²/B = 4 > 2a = 2, no slope noise), a smooth run
/// leaves (−1, 1) only if ln x reaches ln(1/x0) against the drift a − σ²/2 = −1, which in
/// the diffusion limit has probability exp(−2·1·ln 10/σ²) = 0.32: most runs stay near the
/// saddle for the whole budget (a Binomial(400, 0.68) count falls to 200 with probability
/// below 10⁻¹²). On −(a + ξ_j) w |x| the curvature noise becomes a bounded kick
/// lr·w·ξ̄·sign(x) that does not shrink with x: every run leaves, within a few hundred
/// steps (a walk with steps ≈ lr·w·s_ξ = 0.1 leaves (−1, 1) in about 100).
#[test]
fn relu_loss_removes_the_attractive_noise() {
    let d = FiniteSum::new(1.0, 20.0, 0.0, 0.0, 1_000, 6).unwrap();
    let run = EscapeRun::new(0.1, -1.0, 1.0, 20_000, 400).unwrap();
    let smooth = Sgd::new(&d, 0.01, 1, Sampling::WithReplacement).unwrap();
    assert!((smooth.diffusion_limit().unwrap().unwrap().0.sigma() - 2.0).abs() < 1e-12);
    let s = smooth.escape(&run, 1, &mut |_| {}).unwrap();
    assert!(
        s.censored() > 200,
        "smooth SGD should be trapped: {} of 400 censored",
        s.censored()
    );
    let relu = smooth
        .clone()
        .optimizer(Optimizer::Relu { width: 0.5 })
        .unwrap();
    assert!(relu.diffusion_limit().unwrap().is_none());
    let r = relu.escape(&run, 1, &mut |_| {}).unwrap();
    assert_eq!(r.censored(), 0);
    let t = r.mean_exit_time().unwrap().estimate;
    assert!(t < 10.0, "mean exit time {t} (t = n·lr, 1000 steps)");
}

/// The perturbed optimiser's diffusion limit adds p²/lr to τ² and scales ρ by τ₀/τ;
/// without replacement σ² carries (N − B)/(N − 1); the full batch has no noise.
#[test]
fn diffusion_limit_parameters() {
    let d = FiniteSum::new(1.0, 10.0, 5.0, 0.3, 101, 1).unwrap();
    let (m, dt) = Sgd::new(&d, 0.01, 1, Sampling::WithReplacement)
        .unwrap()
        .perturb(0.02)
        .unwrap()
        .diffusion_limit()
        .unwrap()
        .unwrap();
    let tau = (0.25f64 + 0.0004 / 0.01).sqrt();
    assert_eq!(dt, 0.01);
    assert!((m.sigma() - 1.0).abs() < 1e-12 && (m.tau() - tau).abs() < 1e-12);
    assert!((m.rho() - 0.3 * 0.5 / tau).abs() < 1e-12);
    let (m, _) = Sgd::new(&d, 0.01, 51, Sampling::WithoutReplacement)
        .unwrap()
        .diffusion_limit()
        .unwrap()
        .unwrap();
    assert!((m.sigma() - (0.01 * 100.0 / 51.0 * 50.0 / 100.0f64).sqrt()).abs() < 1e-12);
    let (m, _) = Sgd::new(&d, 0.01, 101, Sampling::WithoutReplacement)
        .unwrap()
        .diffusion_limit()
        .unwrap()
        .unwrap();
    assert_eq!((m.sigma(), m.tau()), (0.0, 0.0));
}

/// The trap threshold. In the diffusion limit the saddle attracts when
/// lr·s_ξ²/B > 2a; the discrete optimiser attracts when its exact rate
/// λ = E ln|1 + lr(a + ξ)| < 0 (`FiniteSum::discrete_rate`, B = 1), which agrees to leading
/// order only. At lr = 0.1, a = 1: (i) the simulated rate (1/n) ln|x_n| (n = 1000, 4000
/// runs, standard error from the sample) matches λ at three values of s_ξ (|z| < 4.75,
/// α = 2·10⁻⁶ each); (ii) at the SDE's threshold s_ξ = √(2a/lr) the simulated rate is
/// clearly negative (the power check: the SDE's 0 is rejected): the discrete optimiser is
/// already trapped there; (iii) the discrete threshold s*, the root of λ, lies below it,
/// and the simulated rate at s* is consistent with 0; (iv) at lr = 0.001 the discrete
/// rate at the SDE's threshold is below 2% of the unperturbed rate lr·a (the thresholds
/// converge as lr → 0).
#[test]
fn the_discrete_trap_threshold_differs_from_the_sde_at_finite_lr() {
    let (a, lr, n) = (1.0, 0.1, 1000usize);
    let rate_at = |s: f64, lr: f64| {
        FiniteSum::new(a, s, 0.0, 0.0, 100_000, 1)
            .unwrap()
            .discrete_rate(lr)
            .unwrap()
    };
    let simulate = |s: f64, seed: u64| {
        let d = FiniteSum::new(a, s, 0.0, 0.0, 100_000, 1).unwrap();
        let sgd = Sgd::new(&d, lr, 1, Sampling::WithReplacement).unwrap();
        let (mv, bad) = sgd
            .terminal_of(1.0, n, 4000, seed, |x| x.abs().ln() / n as f64, &mut |_| {})
            .unwrap();
        assert_eq!(bad, 0);
        (mv.mean(), mv.stderr())
    };
    let s_sde = (2.0 * a / lr).sqrt();
    for (k, s) in [0.9 * s_sde, s_sde, 1.1 * s_sde].into_iter().enumerate() {
        let (m, se) = simulate(s, 10 + k as u64);
        let z = (m - rate_at(s, lr)) / se;
        assert!(
            z.abs() < Z_EACH,
            "s_ξ = {s}: simulated {m} ± {se}, exact {}",
            rate_at(s, lr)
        );
    }
    let (m, se) = simulate(s_sde, 20);
    assert!(
        m < -Z_EACH * se,
        "at the SDE threshold the discrete rate {m} ± {se} is not negative"
    );
    // the discrete threshold, by bisection on the exact rate (decreasing in s here)
    let (mut lo, mut hi) = (0.5 * s_sde, s_sde);
    assert!(rate_at(lo, lr) > 0.0 && rate_at(hi, lr) < 0.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if rate_at(mid, lr) > 0.0 {
            lo = mid
        } else {
            hi = mid
        }
    }
    let s_star = 0.5 * (lo + hi);
    eprintln!("lr = {lr}: discrete threshold s* = {s_star}, SDE threshold {s_sde}");
    assert!(s_star < 0.95 * s_sde);
    let (m, se) = simulate(s_star, 30);
    assert!(
        m.abs() < Z_EACH * se,
        "at s* the simulated rate {m} ± {se} is not 0"
    );
    let lr2 = 0.001;
    let s2 = (2.0 * a / lr2).sqrt();
    let rel = rate_at(s2, lr2) / (lr2 * a);
    assert!(
        rel.abs() < 0.02,
        "at lr = 0.001 the rate at the SDE threshold is {rel} of lr·a"
    );
}

/// Larger minibatches reduce the attractive noise: σ² = lr·s_ξ²/B. With lr = 0.01,
/// s_ξ = 20, no slope noise, x0 = 0.1, the limit's σ² = 4/B against 2a = 2: B = 1 is
/// trapped (a − σ²/2 = −1: a run reaches the upper end only with probability 0.32, so a
/// majority stays near the saddle for the whole budget of 20 000 steps), B = 2 sits at
/// the threshold, B = 4 and 8 repel (a − σ²/2 = ½, ¾: every run leaves within the
/// budget, whose length is 200 time units). Statistic: the censored fraction over 400
/// runs with 1 − 2·10⁻⁶ Wilson intervals; the check fails unless the fractions fall with B,
/// with disjoint intervals between B = 1 and B = 4.
#[test]
fn larger_minibatches_escape_the_trap() {
    use saddle_sde::uncertainty::Proportion;
    let d = FiniteSum::new(1.0, 20.0, 0.0, 0.0, 1_000, 6).unwrap();
    let run = EscapeRun::new(0.1, -1.0, 1.0, 20_000, 400).unwrap();
    let censored: Vec<u64> = [1usize, 2, 4, 8]
        .iter()
        .map(|&b| {
            Sgd::new(&d, 0.01, b, Sampling::WithReplacement)
                .unwrap()
                .escape(&run, 40 + b as u64, &mut |_| {})
                .unwrap()
                .censored()
        })
        .collect();
    eprintln!("censored of 400 for B = 1, 2, 4, 8: {censored:?}");
    assert!(censored.windows(2).all(|w| w[0] >= w[1]), "{censored:?}");
    let ci = |k: u64| Proportion::new(k, 400).unwrap().wilson(0.999).unwrap();
    assert!(
        ci(censored[0]).lower > 0.5,
        "B = 1 should trap a majority: {censored:?}"
    );
    assert!(
        ci(censored[2]).upper < ci(censored[0]).lower,
        "{censored:?}"
    );
    assert_eq!(censored[3], 0, "{censored:?}");
}

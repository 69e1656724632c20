//! Monte Carlo exit statistics against the exact references, on both sides of the
//! transition σ² = 2a, with ρ ≠ 0 and τ < 0; and reproducibility across thread counts.
//!
//! # Discretisation bias: a Richardson pair, derived from the step size
//! Every comparison with an exact (continuous-time) value below is a z-test at the
//! suite's per-test level α = 2·10⁻⁶ (two-sided, `Z_EACH` = 4.7534) with an allowance
//! for the bias of the estimator at the step h, estimated by a Richardson pair
//! ([`Richardson`]). With the bridge correction the exit probability and the mean exit
//! time are weak order 1 in h (Gobet 2000; measured slope 1.0 in `escape_order`), so
//! bias_h = E[Y_h] − Y = E[Y_2h − Y_h] + O(h²) =: D + O(h²). D is estimated from a
//! coupled fine/coarse sample: each path is run at h and at 2h on the same Brownian
//! path (the coarse increment is the sum of two fine ones), which is level 1 of
//! [`Mlmc::survey_exit`] with `base_steps` = horizon/(2h) and `refine(2)`: its `mean`
//! is d̄ = −D̂ (it samples P_h − P_2h) and `√(variance/samples)` its standard error se_d.
//! The test is
//!
//! ```text
//! |Ȳ_h − exact| < Z_EACH·se_h + |d̄| + Z_EACH·se_d,
//! ```
//!
//! which fails with probability ≤ P(|Ȳ_h − E Y_h| ≥ Z_EACH·se_h) + P(|d̄ − E d̄| ≥
//! Z_EACH·se_d) ≤ 2α = 4·10⁻⁶ (union bound), up to the O(h²) remainder, which is not
//! allowed for. The previous allowances (h on P, 2h on E[T], 0.1·h on the repulsive P)
//! were measured at one reference case and reused on the others.
//!
//! Why level 1 of the MLMC exit survey has the mean of the ensemble's estimator (read
//! in `src/mlmc/mod.rs`, `src/integrate/monitor.rs`, `src/escape/mod.rs`): both step
//! the same model with the same scheme (EM: `Coupling::EulerMaruyama`; Milstein on the
//! one-noise law-equivalent model: `Coupling::TruncatedMilstein`, whose
//! `CommutativeMilstein` step is `Milstein` with the symmetric iterated integral
//! (ΔW² − h)/2, the only one a single noise has); both stop a path that lands on or
//! beyond a barrier at t + h through that side; between two inside points both use the
//! one `bridge_crossing` formula with the local variance b²(t, x) of the step's start
//! and the unshifted barriers. The ensemble's `Exit` draws a uniform U and exits below
//! if U < p_lo, above if p_lo ≤ U < p_lo + p_hi; the survey's `Survival::step` carries
//! the conditional probabilities of exactly those events (`min(p_lo, 1)`,
//! `min(p_lo + p_hi, 1) − min(p_lo, 1)`), so its P_h is the conditional expectation of
//! the ensemble's exit indicator given the Brownian path, with the same mean. Its
//! `E[min(τ, T)]` adds h per step begun alive, i.e. the mean of the recorded exit time
//! t + h capped at the horizon T, which is the ensemble's mean exit time whenever no
//! path is censored (asserted below; the horizons are ≥ 25 mean exit times).
//! Seeds of the pair differ from the ensembles' (the union bound needs no independence).

use crate::common::tol::Z_EACH;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, ExitDomain, ExitSpec, ExitStats, PathExit, exact, exit_path};
use saddle_sde::mlmc::{Coupling, ExitPayoff, ExitQuantity, Mlmc};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use saddle_sde::sde::ScalarMilsteinSde;

/// The Richardson estimate of the bias at the fine step of an exit spec (module doc):
/// d̄ = mean of P_h − P_2h over [`PAIRS`] coupled pairs, and its standard error.
#[derive(Debug, Clone, Copy)]
struct Richardson {
    d: f64,
    se: f64,
}

impl Richardson {
    /// Coupled pairs at the spec's step h and at 2h, for the exit of (`lower`, `upper`)
    /// from the spec's start, up to its horizon (an infinite end: no barrier there).
    fn exit<S: ScalarMilsteinSde<M> + Sync, const M: usize>(
        what: &str,
        sde: &S,
        coupling: Coupling,
        spec: &ExitSpec,
        (lower, upper): (f64, f64),
        quantity: ExitQuantity,
        seed: u64,
    ) -> Self {
        let steps = spec.grid().steps();
        assert_eq!(
            steps % 2,
            0,
            "the coarse grid needs an even number of fine steps"
        );
        let (levels, _) = Mlmc::new(sde, coupling)
            .start(spec.x0())
            .horizon(spec.grid().t_end())
            .base_steps(steps / 2)
            .refine(2)
            .seed(seed)
            // level 0 (2 lone coarse paths) is not used; survey_exit refuses a zero count
            .survey_exit(
                &ExitPayoff {
                    lower,
                    upper,
                    quantity,
                },
                &[2, PAIRS],
            )
            .unwrap();
        let l1 = levels[1];
        assert_eq!(l1.steps, steps, "the fine level is the spec's grid");
        let r = Self {
            d: l1.mean,
            se: (l1.variance / l1.samples as f64).sqrt(),
        };
        eprintln!(
            "{what}: Richardson {quantity:?} d = {:.3e} ± {:.3e} (N = {PAIRS}), allowance {:.3e}",
            r.d,
            r.se,
            r.allowance()
        );
        r
    }
    /// |d̄| + Z_EACH·se_d: the bias bound for weak order 1.
    fn allowance(&self) -> f64 {
        self.d.abs() + Z_EACH * self.se
    }
}

/// (a, σ, τ, ρ, x0, l, r), with σ²/(2a) = 0.5, 2, 0.64, 1.28 and −0.49 (a < 0).
const CASES: [(f64, f64, f64, f64, f64, f64, f64); 5] = [
    (1.0, 1.0, 0.5, 0.3, 0.1, -0.5, 1.0),
    (1.0, 2.0, -0.7, -0.4, 0.0, -1.0, 0.8),
    (0.5, 0.8, -1.0, 0.6, 0.2, -0.6, 0.9),
    (1.0, 1.6, 0.4, 0.0, -0.1, -1.2, 1.0),
    (-0.5, 0.7, 0.5, 0.5, 0.3, -0.8, 1.0),
];

/// Coupled pairs per Richardson estimate (module doc): a quarter of the ensembles'
/// paths, for cost (the pairs of the file add ≈ 8 s to its wall time). Measured: se_d
/// is 0.15–0.38 of the ensemble's se_h on the one-noise cases (e.g. case 0, P:
/// 4.2·10⁻⁴ against 2.5·10⁻³; one-sided T: 5.6·10⁻³ against 3.5·10⁻²) and 0.40 (P) and
/// 0.58 (T) on the two-noise model, so Z_EACH·se_d widens the sampling band by that
/// fraction; the pair difference of an exit quantity is not small (the fine and the
/// coarse path can part at a near-miss of the barrier and exit an excursion apart).
const PAIRS: u64 = 10_000;

/// For each case: P(exit through r) and E[T] from N = 40 000 paths of EM on the
/// law-equivalent model with the bridge correction at h = 5·10⁻⁴, horizon 100 (no path
/// censored). Statistic: |Ȳ_h − exact| with Ȳ_h the sample proportion (plug-in
/// standard error se_h) or the sample mean exit time; critical value
/// Z_EACH·se_h + |d̄| + Z_EACH·se_d, with d̄ ± se_d the Richardson estimate of the bias
/// at h from [`PAIRS`] coupled EM pairs (h, 2h) of the same case (module doc). Size
/// ≤ 2α = 4·10⁻⁶ per assertion, up to the O(h²) remainder (10 assertions).
#[test]
fn monte_carlo_matches_exact_exit_probability_and_mean_time() {
    let (paths, dt) = (40_000, 5e-4);
    for (k, &(a, s, t, rho, x0, l, r)) in CASES.iter().enumerate() {
        let saddle = SaddleSde::new(a, s, t, rho).unwrap();
        let ex = exact::interval_exit(&saddle, x0, l, r).unwrap();
        let model = LawEquivalentSaddle::new(saddle);
        let spec = ExitSpec::new(ExitDomain::interval(l, r).unwrap(), x0, 100.0, dt).unwrap();
        let st = Ensemble::new(&model, &EulerMaruyama)
            .paths(paths)
            .seed(11 + k as u64)
            .exits(&spec)
            .unwrap();
        assert_eq!((st.censored(), st.blown_up()), (0, 0));
        let p = st.p_upper().unwrap();
        let m = st.mean_exit_time().unwrap();
        eprintln!(
            "case {k}: P {:.5}±{:.5} vs {:.5}; T {:.5}±{:.5} vs {:.5}",
            p.estimate(),
            p.stderr(),
            ex.p_upper,
            m.estimate,
            m.stderr,
            ex.mean_exit_time
        );
        let pair = |q, seed| {
            Richardson::exit(
                &format!("case {k}"),
                &model,
                Coupling::EulerMaruyama,
                &spec,
                (l, r),
                q,
                seed,
            )
        };
        let bp = pair(ExitQuantity::UpperBeforeHorizon, 111 + k as u64);
        let bt = pair(ExitQuantity::MeanExitTime, 211 + k as u64);
        assert!(
            (p.estimate() - ex.p_upper).abs() < Z_EACH * p.stderr() + bp.allowance(),
            "case {k}: P {p:?} vs {}, bias {bp:?}",
            ex.p_upper
        );
        assert!(
            (m.estimate - ex.mean_exit_time).abs() < Z_EACH * m.stderr + bt.allowance(),
            "case {k}: T {m:?} vs {}, bias {bt:?}",
            ex.mean_exit_time
        );
        assert_eq!(st.exits_upper() + st.exits_lower(), paths);
    }
}

/// One-sided level in the attractive regime (σ²/(2a) = 2, τ < 0, ρ ≠ 0): every path
/// reaches the level, with the exact finite mean. N = 40 000 paths, Milstein on the
/// law-equivalent model + bridge at h = 10⁻³, horizon 400 (censoring is counted and
/// must be 0 — P(T > 400) is negligible given E[T] ≈ 4.7 and the exponential tail of a
/// positive-recurrent diffusion). Statistic |T̄_h − E[T]|, critical value
/// Z_EACH·se_h + |d̄| + Z_EACH·se_d with d̄ ± se_d from [`PAIRS`] coupled truncated-
/// Milstein pairs (h, 2h) for the level 0.8 with no lower barrier (module doc); size
/// ≤ 2α = 4·10⁻⁶ up to the O(h²) remainder.
///
/// The blow-up bound is set to 1e300: the exact mean has no bound, and at the default
/// 1e12 a path is stopped with exact probability 8.95·10⁻⁷ (the scale function,
/// `exact::interval_exit(…, −1e12, 0.8)`; P(|x| ≥ 10¹²) falls like |x|^(−1/2) here), so
/// "no blow-up in 40 000 paths" had a 3.5 % false-alarm rate. With the bound at 1e300
/// that probability is below 10⁻¹⁴⁰, and a blow-up can only be a non-finite value (the
/// pairs have no bound at all: the two differ only on that negligible event).
#[test]
fn one_sided_level_attractive_regime() {
    let saddle = SaddleSde::new(1.0, 2.0, -0.7, -0.4).unwrap();
    let ex = exact::level_passage(&saddle, 0.0, 0.8).unwrap();
    let truth = ex.mean_time.unwrap();
    let model = LawEquivalentSaddle::new(saddle);
    let dt = 1e-3;
    let spec = ExitSpec::new(ExitDomain::below_level(0.8).unwrap(), 0.0, 400.0, dt)
        .unwrap()
        .with_bound(1e300)
        .unwrap();
    let st = Ensemble::new(&model, &Milstein)
        .paths(40_000)
        .seed(5)
        .exits(&spec)
        .unwrap();
    assert_eq!((st.censored(), st.blown_up(), st.exits_lower()), (0, 0, 0));
    let m = st.mean_exit_time().unwrap();
    eprintln!(
        "one-sided: T {:.4}±{:.4} vs {truth:.4}",
        m.estimate, m.stderr
    );
    let bt = Richardson::exit(
        "one-sided",
        &model,
        Coupling::TruncatedMilstein,
        &spec,
        (f64::NEG_INFINITY, 0.8),
        ExitQuantity::MeanExitTime,
        105,
    );
    assert!(
        (m.estimate - truth).abs() < Z_EACH * m.stderr + bt.allowance(),
        "{m:?} vs {truth}, bias {bt:?}"
    );
}

/// Repulsive regime (σ²/(2a) = 0.5): the level 1 is missed with positive probability —
/// the path runs off to −∞, which the bound turns into a counted blow-up. With the
/// bound at −B, B = 1e3, the estimate targets the interval (−B, 1), whose exact P
/// differs from the one-sided limit by O(1/B) ≈ 1e-3 here, so we compare with the
/// interval reference. N = 20 000 paths, EM + bridge at h = 2·10⁻³, horizon 60.
/// Statistic P̂_h − P (each side one assertion), critical value
/// Z_EACH·se_h + |d̄| + Z_EACH·se_d (+ the censored fraction on the low side), d̄ ± se_d
/// from [`PAIRS`] coupled EM pairs (h, 2h) for the exit of (−B, 1) before the horizon
/// (module doc); size ≤ 2α = 4·10⁻⁶ per assertion up to the O(h²) remainder. (The pairs
/// treat −B as a barrier with the bridge test, the ensemble as a bound checked at grid
/// points; a path that reaches −B returns to 1 with probability ≈ 10⁻³, so the two
/// biases differ by far less than se_d.)
#[test]
fn one_sided_level_repulsive_regime_counts_runaways() {
    let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let bound = 1e3;
    let reference = exact::interval_exit(&saddle, 0.1, -bound, 1.0)
        .unwrap()
        .p_upper;
    let limit = exact::level_passage(&saddle, 0.1, 1.0).unwrap();
    assert!(limit.mean_time.is_none() && limit.probability < 1.0);
    let model = LawEquivalentSaddle::new(saddle);
    let dt = 2e-3;
    let spec = ExitSpec::new(ExitDomain::below_level(1.0).unwrap(), 0.1, 60.0, dt)
        .unwrap()
        .with_bound(bound)
        .unwrap();
    let st = Ensemble::new(&model, &EulerMaruyama)
        .paths(20_000)
        .seed(9)
        .exits(&spec)
        .unwrap();
    assert!(st.blown_up() > 0);
    assert!(
        st.mean_exit_time().is_none(),
        "censored or blown-up paths: no unconditional mean"
    );
    let p = st.p_upper().unwrap();
    eprintln!(
        "repulsive: P {:.4}±{:.4} vs {reference:.4} (limit {:.4}), censored {}",
        p.estimate(),
        p.stderr(),
        limit.probability,
        st.censored()
    );
    let bp = Richardson::exit(
        "repulsive",
        &model,
        Coupling::EulerMaruyama,
        &spec,
        (-bound, 1.0),
        ExitQuantity::UpperBeforeHorizon,
        109,
    );
    // censored paths (neither at the level nor beyond the bound by t = 60) are counted;
    // they can only lower the estimate, so allow their fraction on that side
    let cens = st.censored() as f64 / st.paths() as f64;
    assert!(p.estimate() - reference < Z_EACH * p.stderr() + bp.allowance());
    assert!(reference - p.estimate() < Z_EACH * p.stderr() + bp.allowance() + cens);
}

/// The summary is the same bit for bit on 1 and 3 threads, and is the in-order fold of
/// the single-path function.
#[test]
fn reproducible_for_any_thread_count() {
    let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let model = LawEquivalentSaddle::new(saddle);
    let spec = ExitSpec::new(ExitDomain::interval(-0.5, 1.0).unwrap(), 0.1, 2.0, 1e-2)
        .unwrap()
        .with_correction(Correction::Bridge);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                Ensemble::new(&model, &EulerMaruyama)
                    .paths(40_000)
                    .seed(3)
                    .exits(&spec)
                    .unwrap()
            })
    };
    let one = run(1);
    assert_eq!(one, run(3));
    let mut fold = ExitStats::new(2.0, 1000).unwrap();
    for i in 0..40_000 {
        fold.push(exit_path(&model, &EulerMaruyama, &spec, 3, i).unwrap());
    }
    assert_eq!(fold.p_upper(), one.p_upper());
    assert_eq!(fold.censored(), one.censored());
    assert!(one.censored() > 0, "horizon 2 censors some paths");
    assert!(matches!(
        exit_path(&model, &EulerMaruyama, &spec, 3, 0).unwrap(),
        PathExit::Upper(_) | PathExit::Lower(_) | PathExit::Censored
    ));
}

/// Input errors are typed and name the parameter.
#[test]
fn bad_exit_input_is_rejected() {
    use saddle_sde::Error;
    let name = |r: Result<ExitSpec, Error>| match r {
        Err(Error::Param(p)) => p.name,
        other => panic!("{other:?}"),
    };
    let d = ExitDomain::interval(-1.0, 1.0).unwrap();
    assert_eq!(name(ExitSpec::new(d, 1.5, 1.0, 0.01)), "x0");
    assert_eq!(name(ExitSpec::new(d, 0.0, 1.0, 0.0)), "dt");
    assert_eq!(name(ExitSpec::new(d, 0.0, f64::NAN, 0.01)), "horizon");
    assert_eq!(
        name(ExitSpec::new(d, 0.0, 1.0, 0.01).unwrap().with_bound(0.5)),
        "bound"
    );
    assert!(matches!(
        ExitDomain::interval(1.0, -1.0),
        Err(Error::Param(_))
    ));
    let model = LawEquivalentSaddle::new(SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap());
    let spec = ExitSpec::new(d, 0.0, 1.0, 0.01).unwrap();
    assert!(matches!(
        Ensemble::new(&model, &EulerMaruyama)
            .paths(0)
            .seed(1)
            .exits(&spec),
        Err(Error::Param(_))
    ));
}

/// The two-noise saddle SDE itself (what `saddle escape --scheme em` steps) has the
/// same exit law: on the attractive case with τ < 0 and ρ ≠ 0, N = 40 000 paths of EM
/// with two noises + bridge at h = 5·10⁻⁴, the same two statistics and critical values
/// as `monte_carlo_matches_exact_exit_probability_and_mean_time`, with d̄ ± se_d from
/// [`PAIRS`] coupled EM pairs (h, 2h) of the two-noise model itself; size ≤ 2α = 4·10⁻⁶
/// per assertion up to the O(h²) remainder.
#[test]
fn two_noise_model_has_the_same_exit_law() {
    let (a, s, t, rho, x0, l, r) = CASES[1];
    let saddle = SaddleSde::new(a, s, t, rho).unwrap();
    let ex = exact::interval_exit(&saddle, x0, l, r).unwrap();
    let dt = 5e-4;
    let spec = ExitSpec::new(ExitDomain::interval(l, r).unwrap(), x0, 100.0, dt).unwrap();
    let st = Ensemble::new(&saddle, &EulerMaruyama)
        .paths(40_000)
        .seed(21)
        .exits(&spec)
        .unwrap();
    assert_eq!((st.censored(), st.blown_up()), (0, 0));
    let (p, m) = (st.p_upper().unwrap(), st.mean_exit_time().unwrap());
    let pair = |q, seed| {
        Richardson::exit(
            "two-noise",
            &saddle,
            Coupling::EulerMaruyama,
            &spec,
            (l, r),
            q,
            seed,
        )
    };
    let (bp, bt) = (
        pair(ExitQuantity::UpperBeforeHorizon, 121),
        pair(ExitQuantity::MeanExitTime, 221),
    );
    assert!(
        (p.estimate() - ex.p_upper).abs() < Z_EACH * p.stderr() + bp.allowance(),
        "{p:?} vs {}, bias {bp:?}",
        ex.p_upper
    );
    assert!(
        (m.estimate - ex.mean_exit_time).abs() < Z_EACH * m.stderr + bt.allowance(),
        "{m:?} vs {}, bias {bt:?}",
        ex.mean_exit_time
    );
}

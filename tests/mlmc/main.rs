//! Test crate `mlmc`: the multilevel estimator. Each coupling's variance rate `β` is
//! measured on the saddle SDE with non-commutative noise; the smoothed tail keeps `β`
//! above 1; the level table passes Giles' consistency check; the realised RMSE over
//! independent runs against the exact value is within `ε`; results do not depend on the
//! thread count; bad input is a typed error.

#[path = "../common/mod.rs"]
mod common;

use saddle_sde::Error;
use saddle_sde::analytic::saddle as exact;
use saddle_sde::escape::exact::{exit_time_cdf, interval_exit};
use saddle_sde::mlmc::{Coupling, ExitPayoff, ExitQuantity, LevelStats, Mlmc, Tail, Terminal};
use saddle_sde::models::SaddleSde;

/// A light-tailed non-commutative case (`σω = 0.5 ≠ 0`; with `a = −1`, `σ = 0.5` every
/// moment used here is moderate), so that sample variances are reliable.
fn light() -> SaddleSde {
    SaddleSde::new(-1.0, 0.5, 1.0, 0.0).unwrap()
}

/// The slope of `ln V_ℓ` against `ln h_ℓ` over `levels`, weighted by the sampling
/// variance of `ln V_ℓ`, `(κ_ℓ − 1)/N_ℓ` (delta method), with its standard error.
fn beta_fit(table: &[LevelStats], levels: std::ops::RangeInclusive<usize>) -> (f64, f64) {
    let pts: Vec<(f64, f64, f64)> = table[levels]
        .iter()
        .map(|l| {
            let var_ln = (l.kurtosis - 1.0) / l.samples as f64;
            (-(l.steps as f64).ln(), l.variance.ln(), 1.0 / var_ln)
        })
        .collect();
    let sw: f64 = pts.iter().map(|p| p.2).sum();
    let mx = pts.iter().map(|p| p.2 * p.0).sum::<f64>() / sw;
    let my = pts.iter().map(|p| p.2 * p.1).sum::<f64>() / sw;
    let sxx: f64 = pts.iter().map(|p| p.2 * (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| p.2 * (p.0 - mx) * (p.1 - my)).sum();
    (sxy / sxx, (1.0 / sxx).sqrt())
}

/// Measured `β` of each coupling for `φ(x) = x`, fitted over levels 4–9 (h = 1/16 …
/// 1/512, past the pre-asymptotic levels), 40 000 samples per level, seed 11.
/// Acceptance (the issue's): EM 1 ± 0.2, Milstein 2 ± 0.3, antithetic 2 ± 0.3, and
/// Milstein without the area clearly below 2: `β + 3 se < 1.6`. Each fit's standard
/// error (from the kurtosis of each level) must be below a third of its tolerance,
/// so that the bound is decided by the rate, not by sampling noise.
#[test]
fn level_variance_rates_of_each_coupling() {
    let m = light();
    let phi = Terminal(|x: f64| x);
    let survey = |c| {
        Mlmc::new(&m, c)
            .start(0.5)
            .seed(11)
            .survey(&phi, &[40_000; 10])
            .unwrap()
            .0
    };
    for (c, target, tol) in [
        (Coupling::EulerMaruyama, 1.0, 0.2),
        (Coupling::Milstein, 2.0, 0.3),
        (Coupling::Antithetic, 2.0, 0.3),
    ] {
        let (beta, se) = beta_fit(&survey(c), 4..=9);
        eprintln!("{c:?}: beta = {beta:.3} ± {se:.3}");
        assert!(
            se < tol / common::tol::Z_EACH,
            "{c:?}: se {se} too large to test ±{tol}"
        );
        assert!(
            (beta - target).abs() <= tol,
            "{c:?}: beta = {beta} ± {se}, want {target} ± {tol}"
        );
    }
    let (beta, se) = beta_fit(&survey(Coupling::TruncatedMilstein), 4..=9);
    eprintln!("TruncatedMilstein: beta = {beta:.3} ± {se:.3}");
    assert!(
        beta + common::tol::Z_EACH_ONE * se < 1.6,
        "truncated Milstein: beta = {beta} ± {se}"
    );
}

/// `P(x_T > K)`: the raw indicator's level differences are `O(1)` on the event that
/// fine and coarse paths end on different sides of `K`, whose probability is of the
/// order of the strong error, so `β` collapses to ½ with EM and to 1 with Milstein.
/// Smoothed over the last step, Milstein's `β` is 3/2 (Giles 2008b). Levels 3–8,
/// 40 000 samples, seed 12, `K = 0.5` (near the median, where the indicator is
/// hardest). Thresholds, each at three standard errors of its fit: smoothed Milstein
/// `β > 1.3`; raw Milstein `β < 1.25`; raw EM `β < 0.75`.
#[test]
fn smoothed_tail_keeps_beta_above_one() {
    let m = light();
    let run = |c: Coupling, raw: bool| {
        let mlmc = Mlmc::new(&m, c).start(0.5).seed(12);
        let table = if raw {
            mlmc.survey(
                &Terminal(|x: f64| f64::from(u8::from(x > 0.5))),
                &[40_000; 9],
            )
        } else {
            mlmc.survey(&Tail { threshold: 0.5 }, &[40_000; 9])
        };
        beta_fit(&table.unwrap().0, 3..=8)
    };
    let (smooth, se_s) = run(Coupling::Milstein, false);
    let (raw, se_r) = run(Coupling::Milstein, true);
    let (raw_em, se_e) = run(Coupling::EulerMaruyama, true);
    eprintln!(
        "tail beta: Milstein smoothed {smooth:.3} ± {se_s:.3}, raw {raw:.3} ± {se_r:.3}; \
         EM raw {raw_em:.3} ± {se_e:.3}"
    );
    assert!(
        smooth - common::tol::Z_EACH_ONE * se_s > 1.3,
        "smoothed beta = {smooth} ± {se_s}"
    );
    assert!(
        raw + common::tol::Z_EACH_ONE * se_r < 1.25,
        "raw Milstein beta = {raw} ± {se_r}"
    );
    assert!(
        raw_em + common::tol::Z_EACH_ONE * se_e < 0.75,
        "raw EM beta = {raw_em} ± {se_e}"
    );
}

/// Giles' consistency check (`mlmc_test`): on every level ℓ ≥ 1,
/// `E[P_ℓ − P_{ℓ−1}] = E[P_ℓ] − E[P_{ℓ−1}]`. The discrepancy
/// `d = mean_ℓ(Y) − (mean_ℓ(P_f) − mean_{ℓ−1}(P_f)) = mean_{ℓ−1}(P_f) − mean_ℓ(P_c)`
/// is a difference of two independent means, so its standard deviation is at most
/// `(√V_ℓ + √Var_ℓ(P_f))/√N_ℓ + √(Var_{ℓ−1}(P_f)/N_{ℓ−1})` (Minkowski:
/// `√Var P_c ≤ √Var P_f + √Var Y`); `d` over that bound is then at most a standard
/// normal in size. 9 levels × 3 couplings, each two-sided at the suite's
/// per-test level α = 2·10⁻⁶: |z| < 4.75. Power: against level ℓ − 2's fine mean instead of ℓ − 1's
/// (a coarse path that is not the fine path's coarsening) the check fails by far.
#[test]
fn level_table_is_consistent() {
    let m = light();
    for c in [
        Coupling::EulerMaruyama,
        Coupling::Milstein,
        Coupling::Antithetic,
    ] {
        let (t, _) = Mlmc::new(&m, c)
            .start(0.5)
            .seed(13)
            .survey(&Terminal(|x: f64| x * x), &[20_000; 10])
            .unwrap();
        let z = |l: usize, k: usize| {
            let n = |i: usize| t[i].samples as f64;
            let d = t[l].mean - (t[l].mean_fine - t[k].mean_fine);
            let bound = (t[l].variance.sqrt() + t[l].variance_fine.sqrt()) / n(l).sqrt()
                + (t[k].variance_fine / n(k)).sqrt();
            d / bound
        };
        for l in 1..t.len() {
            assert!(
                z(l, l - 1).abs() < common::tol::Z_EACH,
                "{c:?} level {l}: z = {}",
                z(l, l - 1)
            );
        }
        assert!(
            z(2, 0).abs() > 10.0,
            "{c:?}: the check has no power: z = {}",
            z(2, 0)
        );
    }
}

/// The realised RMSE against the exact `E[x_T²]` over 20 independent runs (seeds
/// 100…119) at `ε = 2·10⁻³` on the light case, for each order-1 coupling. If the errors
/// are centred normal with RMSE ≤ ε, `20·MSE/ε² ≤ χ²₂₀` and `χ²₂₀(1 − 2·10⁻⁶) = 63.53`: the
/// test asserts realised RMSE ≤ ε·√(63.53/20) = 1.78 ε (α = 2·10⁻⁶). Power: an
/// estimator whose RMSE were 2ε would pass with probability `P(χ²₂₀ ≤ 11.3) ≈ 0.06`.
#[test]
fn realised_rmse_is_within_eps() {
    let m = light();
    let want = exact::second_moment(&m, 0.5, 1.0);
    let eps = 2e-3;
    for c in [Coupling::Milstein, Coupling::Antithetic] {
        let mse: f64 = (100..120)
            .map(|s| {
                let r = Mlmc::new(&m, c)
                    .start(0.5)
                    .seed(s)
                    .estimate(&Terminal(|x: f64| x * x), eps)
                    .unwrap();
                assert!(
                    r.converged && r.rmse() <= eps * (1.0 + 1e-9),
                    "{c:?} seed {s}: {r:?}"
                );
                (r.estimate - want).powi(2)
            })
            .sum::<f64>()
            / 20.0;
        eprintln!("{c:?}: realised rmse / eps = {:.3}", mse.sqrt() / eps);
        assert!(
            mse.sqrt() <= (common::tol::chi2_crit(20) / 20.0).sqrt() * eps,
            "{c:?}: realised rmse {}",
            mse.sqrt()
        );
    }
}

/// The estimate and every level's statistics are the same bit for bit on one thread
/// and on two.
#[test]
fn same_result_on_any_thread_count() {
    let m = light();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                Mlmc::new(&m, Coupling::Milstein)
                    .start(0.5)
                    .seed(3)
                    .estimate(&Tail { threshold: 0.5 }, 3e-3)
                    .unwrap()
            })
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.estimate.to_bits(), b.estimate.to_bits());
    for (x, y) in a.levels.iter().zip(&b.levels) {
        assert_eq!(
            (x.samples, x.mean.to_bits(), x.variance.to_bits()),
            (y.samples, y.mean.to_bits(), y.variance.to_bits())
        );
    }
}

/// W1's interval (−0.5, 1) from x0 = 0.1 (the escape benchmark).
fn w1() -> SaddleSde {
    SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap()
}

/// Measured `β` of the exit quantities on W1's interval, horizon 5, n₀ = 8, levels 3–8,
/// 20 000 samples per level, seed 21. With the conditional bridge survival the level
/// differences are smooth in the path except where a discrete exit separates fine and
/// coarse; EM's `β` is about ½ (Higham et al. 2013) and Milstein's about 1 (measured
/// 0.79 and 0.84 when this test was written). Asserted at three standard errors of each fit
/// (the standard errors from each level's kurtosis): EM `β < 0.7`, Milstein `β > 0.65`,
/// and Milstein above EM.
#[test]
fn exit_quantities_have_the_measured_rates() {
    let m = w1();
    for quantity in [ExitQuantity::UpperBeforeHorizon, ExitQuantity::MeanExitTime] {
        let exit = ExitPayoff {
            lower: -0.5,
            upper: 1.0,
            quantity,
        };
        let fit = |c| {
            let (t, _) = Mlmc::new(&m, c)
                .start(0.1)
                .horizon(5.0)
                .base_steps(8)
                .seed(21)
                .survey_exit(&exit, &[20_000; 9])
                .unwrap();
            beta_fit(&t, 3..=8)
        };
        let (em, se_em) = fit(Coupling::EulerMaruyama);
        let (mil, se_mil) = fit(Coupling::Milstein);
        eprintln!("{quantity:?}: beta EM {em:.3} ± {se_em:.3}, Milstein {mil:.3} ± {se_mil:.3}");
        assert!(
            em + common::tol::Z_EACH_ONE * se_em < 0.7,
            "{quantity:?}: EM beta {em} ± {se_em}"
        );
        assert!(
            mil - common::tol::Z_EACH_ONE * se_mil > 0.65,
            "{quantity:?}: Milstein beta {mil} ± {se_mil}"
        );
        assert!(
            mil - em > common::tol::Z_EACH_ONE * se_em.hypot(se_mil),
            "{quantity:?}"
        );
    }
}

/// The realised RMSE of `P(exit at the upper end before H)` against the exact
/// scale-function value `p_upper` over 20 runs (seeds 200…219) at `ε = 3·10⁻³`, W1's
/// interval, `H = 10`, n₀ = 32, Milstein. `p_upper − P(exit up before H)` lies in
/// `[0, P(τ > H)]`, and `P(τ > 10)` (from the exact exit-time law) is asserted below
/// `ε/100`, so it cannot move the test. Threshold as in `realised_rmse_is_within_eps`:
/// realised RMSE ≤ 1.78 ε (χ²₂₀, α = 2·10⁻⁶).
#[test]
fn exit_probability_realised_rmse_is_within_eps() {
    let m = w1();
    let want = interval_exit(&m, 0.1, -0.5, 1.0).unwrap().p_upper;
    let tail = 1.0 - exit_time_cdf(&m, 0.1, -0.5, 1.0, &[10.0]).unwrap()[0];
    let eps = 3e-3;
    assert!(tail < eps / 100.0, "P(tau > 10) = {tail}");
    let exit = ExitPayoff {
        lower: -0.5,
        upper: 1.0,
        quantity: ExitQuantity::UpperBeforeHorizon,
    };
    let mse: f64 = (200..220)
        .map(|s| {
            let r = Mlmc::new(&m, Coupling::Milstein)
                .start(0.1)
                .horizon(10.0)
                .base_steps(32)
                .seed(s)
                .estimate_exit(&exit, eps)
                .unwrap();
            assert!(
                r.converged && r.rmse() <= eps * (1.0 + 1e-9),
                "seed {s}: {r:?}"
            );
            (r.estimate - want).powi(2)
        })
        .sum::<f64>()
        / 20.0;
    eprintln!(
        "exit probability: realised rmse / eps = {:.3}",
        mse.sqrt() / eps
    );
    assert!(
        mse.sqrt() <= (common::tol::chi2_crit(20) / 20.0).sqrt() * eps,
        "realised rmse {}",
        mse.sqrt()
    );
}

/// Bad input is a typed error naming the parameter.
#[test]
fn bad_input_is_a_typed_error() {
    let m = light();
    let phi = Terminal(|x: f64| x);
    let name = |e: Error| match e {
        Error::Param(p) => p.name,
        e => panic!("not a parameter error: {e}"),
    };
    let mk = || Mlmc::new(&m, Coupling::Milstein).start(0.5);
    assert_eq!(name(mk().estimate(&phi, 0.0).unwrap_err()), "eps");
    assert_eq!(name(mk().estimate(&phi, f64::NAN).unwrap_err()), "eps");
    assert_eq!(
        name(mk().refine(3).estimate(&phi, 0.1).unwrap_err()),
        "refine"
    );
    assert_eq!(
        name(mk().base_steps(0).estimate(&phi, 0.1).unwrap_err()),
        "base_steps"
    );
    assert_eq!(
        name(mk().horizon(-1.0).estimate(&phi, 0.1).unwrap_err()),
        "t_end"
    );
    assert_eq!(
        name(mk().start(f64::INFINITY).estimate(&phi, 0.1).unwrap_err()),
        "x0"
    );
    assert_eq!(
        name(mk().levels(3, 2).estimate(&phi, 0.1).unwrap_err()),
        "min_level"
    );
    assert_eq!(
        name(mk().levels(2, 60).estimate(&phi, 0.1).unwrap_err()),
        "max_level"
    );
    assert_eq!(
        name(mk().initial_samples(1).estimate(&phi, 0.1).unwrap_err()),
        "initial_samples"
    );
    assert_eq!(name(mk().survey(&phi, &[]).unwrap_err()), "samples");
    let anti = || Mlmc::new(&m, Coupling::Antithetic).start(0.5);
    assert_eq!(
        name(anti().refine(4).estimate(&phi, 0.1).unwrap_err()),
        "refine"
    );
    assert_eq!(
        name(anti().estimate(&Tail { threshold: 0.0 }, 0.1).unwrap_err()),
        "coupling"
    );
    let exit = |lower, upper| ExitPayoff {
        lower,
        upper,
        quantity: ExitQuantity::MeanExitTime,
    };
    assert_eq!(
        name(mk().estimate_exit(&exit(0.6, 1.0), 0.1).unwrap_err()),
        "lower"
    );
    assert_eq!(
        name(mk().estimate_exit(&exit(-1.0, 0.5), 0.1).unwrap_err()),
        "upper"
    );
    assert_eq!(
        name(mk().estimate_exit(&exit(f64::NAN, 1.0), 0.1).unwrap_err()),
        "lower"
    );
    assert_eq!(
        name(
            mk().estimate_exit(&exit(f64::NEG_INFINITY, f64::INFINITY), 0.1)
                .unwrap_err()
        ),
        "upper"
    );
    assert_eq!(
        name(anti().estimate_exit(&exit(-1.0, 1.0), 0.1).unwrap_err()),
        "coupling"
    );
    assert_eq!(
        name(mk().levels(1, 5).estimate(&phi, 0.1).unwrap_err()),
        "min_level"
    );
    assert_eq!(
        name(mk().weak_order(0.0).estimate(&phi, 0.1).unwrap_err()),
        "weak_order"
    );
    assert_eq!(
        name(
            mk().estimate(
                &Tail {
                    threshold: f64::NAN
                },
                0.1
            )
            .unwrap_err()
        ),
        "threshold"
    );
    assert_eq!(
        name(
            mk().start(f64::NAN)
                .estimate_exit(&exit(-1.0, 1.0), 0.1)
                .unwrap_err()
        ),
        "x0"
    );
    // level 30 of R = 4 from T = 1 would be a step of 1e-18, below what the Lévy area allows
    assert_eq!(
        name(
            mk().refine(4)
                .levels(2, 30)
                .estimate(&phi, 0.1)
                .unwrap_err()
        ),
        "max_level"
    );
    // a payoff that is not finite is an error, never a NaN estimate
    let e = mk().estimate(&Terminal(|x: f64| x.ln()), 0.1).unwrap_err();
    assert!(matches!(e, Error::DoesNotExist { .. }), "{e}");
}

/// The Richardson pair is level ℓ of the estimator, sample for sample: the mean of
/// `fine − coarse` over the pairs is the level mean of `φ(x) = x` in the survey (the
/// same paths, summed in another order: equal to rounding), the fine values are the
/// level's fine payoffs, the pairs do not depend on the thread count, and bad input is a
/// typed error naming the parameter.
#[test]
fn richardson_pair_is_a_level_of_the_estimator() {
    let m = w1();
    for coupling in [
        Coupling::EulerMaruyama,
        Coupling::Milstein,
        Coupling::TruncatedMilstein,
    ] {
        let mk = || {
            Mlmc::new(&m, coupling)
                .start(0.1)
                .horizon(1.0)
                .base_steps(8)
                .seed(4)
        };
        let n = 3000;
        let (fine, coarse) = mk().richardson_pair(2, n).unwrap();
        assert_eq!((fine.len(), coarse.len()), (n as usize, n as usize));
        let (table, _) = mk().survey(&Terminal(|x: f64| x), &[2, 2, n]).unwrap();
        let d = fine.iter().zip(&coarse).map(|(f, c)| f - c).sum::<f64>() / n as f64;
        let pf = fine.iter().sum::<f64>() / n as f64;
        assert!(
            (d - table[2].mean).abs() < 1e-12,
            "{coupling:?}: {d} vs {}",
            table[2].mean
        );
        assert!((pf - table[2].mean_fine).abs() < 1e-12, "{coupling:?}");
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| mk().richardson_pair(2, n).unwrap());
        assert_eq!(one, (fine, coarse), "{coupling:?}");
    }
    let name = |r: Result<(Vec<f64>, Vec<f64>), Error>| match r {
        Err(Error::Param(p)) => p.name,
        other => panic!("{other:?}"),
    };
    let mk = |c| Mlmc::new(&m, c).horizon(1.0).base_steps(8);
    assert_eq!(
        name(mk(Coupling::EulerMaruyama).richardson_pair(0, 10)),
        "level"
    );
    assert_eq!(
        name(mk(Coupling::EulerMaruyama).richardson_pair(1, 0)),
        "samples"
    );
    assert_eq!(
        name(mk(Coupling::Antithetic).richardson_pair(1, 10)),
        "coupling"
    );
    assert_eq!(
        name(mk(Coupling::EulerMaruyama).richardson_pair(41, 10)),
        "level"
    );
    assert_eq!(
        name(mk(Coupling::EulerMaruyama).richardson_pair(1, u64::MAX)),
        "samples"
    );
    assert_eq!(
        name(
            mk(Coupling::EulerMaruyama)
                .horizon(f64::NAN)
                .richardson_pair(1, 10)
        ),
        "t_end"
    );
}

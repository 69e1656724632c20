//! Monte Carlo exit statistics against the exact references, on both sides of the
//! transition σ² = 2a, with ρ ≠ 0 and τ < 0; and reproducibility across thread counts.

use crate::common::tol::Z_EACH;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, ExitDomain, ExitSpec, ExitStats, PathExit, exact, exit_path};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::{EulerMaruyama, Milstein};

/// (a, σ, τ, ρ, x0, l, r), with σ²/(2a) = 0.5, 2, 0.64, 1.28 and −0.49 (a < 0).
const CASES: [(f64, f64, f64, f64, f64, f64, f64); 5] = [
    (1.0, 1.0, 0.5, 0.3, 0.1, -0.5, 1.0),
    (1.0, 2.0, -0.7, -0.4, 0.0, -1.0, 0.8),
    (0.5, 0.8, -1.0, 0.6, 0.2, -0.6, 0.9),
    (1.0, 1.6, 0.4, 0.0, -0.1, -1.2, 1.0),
    (-0.5, 0.7, 0.5, 0.5, 0.3, -0.8, 1.0),
];

/// For each case: P(exit through r) and E[T] from 40 000 paths of EM with the bridge
/// correction at dt = 5e-4 must lie within 4.75 standard errors (two-sided at
/// the suite's per-test level α = 2·10⁻⁶ per comparison) plus the
/// discretisation bias allowance. The bias of the bridge-corrected mean exit time is
/// ≈ 1.05·h at the reference case (measured in `escape_order`), 5e-4 here against a
/// standard error ≈ 0.85/√40 000 ≈ 4e-3 — an eighth of it; we allow 2h for it in
/// E[T] and h in P (whose bias is smaller, ≈ 0.1·h in the same run).
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
        assert!(
            (p.estimate() - ex.p_upper).abs() < Z_EACH * p.stderr() + dt,
            "case {k}: P {p:?} vs {}",
            ex.p_upper
        );
        assert!(
            (m.estimate - ex.mean_exit_time).abs() < Z_EACH * m.stderr + 2.0 * dt,
            "case {k}: T {m:?} vs {}",
            ex.mean_exit_time
        );
        assert_eq!(st.exits_upper() + st.exits_lower(), paths);
    }
}

/// One-sided level in the attractive regime (σ²/(2a) = 2, τ < 0, ρ ≠ 0): every path
/// reaches the level, with the exact finite mean. 40 000 paths, Milstein + bridge at
/// dt = 1e-3, horizon 400 (censoring is counted and must be 0 — P(T > 400) is
/// negligible given E[T] ≈ 4.7 and the exponential tail of a positive-recurrent
/// diffusion). Same 1 − 2·10⁻⁶ level, allowance 2h for the bias.
///
/// The blow-up bound is set to 1e300: the exact mean has no bound, and at the default
/// 1e12 a path is stopped with exact probability 8.95·10⁻⁷ (the scale function,
/// `exact::interval_exit(…, −1e12, 0.8)`; P(|x| ≥ 10¹²) falls like |x|^(−1/2) here), so
/// "no blow-up in 40 000 paths" had a 3.5 % false-alarm rate. With the bound at 1e300
/// that probability is below 10⁻¹⁴⁰, and a blow-up can only be a non-finite value.
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
    assert!(
        (m.estimate - truth).abs() < Z_EACH * m.stderr + 2.0 * dt,
        "{m:?} vs {truth}"
    );
}

/// Repulsive regime (σ²/(2a) = 0.5): the level 1 is missed with positive probability —
/// the path runs off to −∞, which the bound turns into a counted blow-up. With the
/// bound at −B, B = 1e3, the estimate targets the interval (−B, 1), whose exact P
/// differs from the one-sided limit by O(1/B) ≈ 1e-3 here, so we compare with the
/// interval reference (1 − 2·10⁻⁶, 20 000 paths, dt = 2e-3 with the bridge correction,
/// bias ≈ 0.1·h ≈ 2e-4 allowed).
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
    // censored paths (neither at the level nor beyond the bound by t = 60) are counted;
    // they can only lower the estimate, so allow their fraction on that side
    let cens = st.censored() as f64 / st.paths() as f64;
    assert!(p.estimate() - reference < Z_EACH * p.stderr() + dt * 0.1);
    assert!(reference - p.estimate() < Z_EACH * p.stderr() + dt * 0.1 + cens);
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
/// same exit law: same 1 − 2·10⁻⁶ test and allowances as above, on the attractive case with
/// τ < 0 and ρ ≠ 0.
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
    let (p, m) = (st.p_upper().unwrap(), st.mean_exit_time().unwrap());
    assert!(
        (p.estimate() - ex.p_upper).abs() < Z_EACH * p.stderr() + dt,
        "{p:?} vs {}",
        ex.p_upper
    );
    assert!(
        (m.estimate - ex.mean_exit_time).abs() < Z_EACH * m.stderr + 2.0 * dt,
        "{m:?} vs {}",
        ex.mean_exit_time
    );
}

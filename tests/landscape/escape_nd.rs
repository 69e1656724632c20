//! Stochastic escape of the d-dimensional local saddle, checked against the 1-D exact
//! results where the directions decouple (independent Brownian motions across
//! directions: each direction is the scalar saddle SDE, and the directions are
//! independent).

use saddle_sde::ensemble::NdEnsemble;
use saddle_sde::escape::exact::{exit_time_cdf, interval_exit};
use saddle_sde::integrate::{Grid, NdScheme};
use saddle_sde::landscape::{BallObs, DirectionObs, StopWhen};
use saddle_sde::mlmc::{Coupling, ExitPayoff, ExitQuantity, Mlmc};
use saddle_sde::models::LocalSaddle;

/// Two-sided normal quantile at α = 2·10⁻⁶.
use crate::common::tol::Z_EACH;

/// `k` identical unstable directions (a, σ, τ, ρ) = (1, 2, 0.1, 0.3), whose attractive
/// noise wins (σ² = 4 > 2a), and two stable ones, all independent.
fn saddle(k: usize) -> LocalSaddle {
    let mut a = vec![1.0; k];
    let mut s = vec![2.0; k];
    let mut t = vec![0.1; k];
    let mut r = vec![0.3; k];
    a.extend([-1.0, -0.5]);
    s.extend([0.5, 0.3]);
    t.extend([0.2, 0.4]);
    r.extend([0.0, -0.5]);
    LocalSaddle::with_pairwise_rho(a, s, t, &r).unwrap()
}

/// P(every unstable direction attracted) = p^k. Each unstable direction starts at 0.1
/// in (r, R) = (0.01, 1); p = P(hit 0.01 before 1) is the 1-D exact value (scale
/// function) of the marginal. k = 1…4 with two stable directions beside them, 4 000
/// paths each, EM with the bridge test at h = 10⁻³, horizon 100 (no path censored).
/// Statistic: z = (p̂_all − p^k)/√(p̂(1 − p̂)/n) with the measured proportion, compared
/// with 4.75 plus a bias allowance derived from the step: each direction's chain is the
/// 1-D EM chain of its marginal, whose exit probability at h has the bias
/// p_h − p = E[P_2h − P_h] + O(h²) (weak order 1 with the bridge test), measured on
/// 10 000 coupled pairs at h and 2h (`Mlmc::survey_exit`, level 1) as d̄ ± se_d; then
/// |p_h^k − p^k| ≤ k·|p_h − p|, and the test is |p̂_all − p^k| < 4.75·se + k(|d̄| + 4.75·se_d)
/// (size ≤ 2α = 4·10⁻⁶ each, four tests; the bias was argued "below 0.003" before). The
/// number of attracted directions is Binomial(k, p): Pearson's χ² over the k + 1 counts
/// below the 1 − 2·10⁻⁶ quantile of χ²_k (its bias is not allowed for). Power: for k ≥ 2
/// the one-direction value p is rejected at the same threshold.
#[test]
fn all_directions_attracted_is_a_product() {
    let n = 4_000u64;
    // the marginal chain's bias at h = 1e-3, from a Richardson pair (P(upper) = 1 − p:
    // the same difference up to its sign)
    let marginal = saddle(1).marginal(0).unwrap();
    let (levels, _) = Mlmc::new(&marginal, Coupling::EulerMaruyama)
        .start(0.1)
        .horizon(100.0)
        .base_steps(50_000)
        .seed(9)
        .survey_exit(
            &ExitPayoff {
                lower: 0.01,
                upper: 1.0,
                quantity: ExitQuantity::UpperBeforeHorizon,
            },
            &[2, 10_000],
        )
        .unwrap();
    let l1 = &levels[1];
    assert_eq!(l1.steps, 100_000);
    let (d, se_d) = (l1.mean, (l1.variance / l1.samples as f64).sqrt());
    let bias_1d = d.abs() + Z_EACH * se_d;
    eprintln!(
        "marginal exit probability: P_h − P_2h = {d:.2e} ± {se_d:.2e}, allowance {bias_1d:.2e}"
    );
    for k in 1..=4usize {
        let m = saddle(k);
        let p = interval_exit(&m.marginal(0).unwrap(), 0.1, 0.01, 1.0)
            .unwrap()
            .p_lower;
        let watched: Vec<usize> = (0..k).collect();
        let obs = DirectionObs::new(&m, &watched, 0.01, 1.0, StopWhen::All).unwrap();
        let mut x0 = vec![0.1; k];
        x0.extend([0.0, 0.0]);
        let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
            .start(x0)
            .grid(Grid::new(100.0, 1e-3).unwrap())
            .paths(n)
            .seed(10 + k as u64)
            .observe(&obs)
            .unwrap();
        assert_eq!(s.censored(), 0);
        let all = s.all_attracted().unwrap();
        let (est, se) = (all.estimate(), all.stderr());
        let z = (est - p.powi(k as i32)) / se;
        eprintln!(
            "k = {k}: P(all attracted) = {est:.4} ± {se:.4}, p^k = {:.4}, z = {z:.2}",
            p.powi(k as i32)
        );
        let allowance = k as f64 * bias_1d;
        assert!(
            (est - p.powi(k as i32)).abs() < Z_EACH * se + allowance,
            "k = {k}: {est} ± {se} vs {} (allowance {allowance})",
            p.powi(k as i32)
        );
        if k >= 2 {
            assert!((est - p).abs() > Z_EACH * se + bias_1d, "power at k = {k}");
        }
        // the count of attracted directions against Binomial(k, p)
        let counts = s.attracted_count();
        let binom = |j: usize| {
            let c = (0..j).fold(1.0, |c, i| c * (k - i) as f64 / (i + 1) as f64);
            c * p.powi(j as i32) * (1.0 - p).powi((k - j) as i32)
        };
        let chi2: f64 = (0..=k)
            .map(|j| {
                let e = n as f64 * binom(j);
                (counts[j] as f64 - e).powi(2) / e
            })
            .sum();
        // 1 − 2·10⁻⁶ quantiles of χ² with 1…4 degrees of freedom
        let crit = crate::common::tol::chi2_crit(k as u32);
        assert!(chi2 < crit, "k = {k}: χ² = {chi2}, counts {counts:?}");
    }
}

/// The exit time from the box (−1, 1)³ of independent directions is the minimum of
/// the directions' exit times: E[T_box] = ∫ Π_i P(T_i > t) dt, with each P(T_i ≤ t)
/// the 1-D exact law (`exit_time_cdf`, Crank–Nicolson on the backward equation,
/// about 10⁻⁶). One unstable direction and two stable ones with strong additive noise
/// (so that all three matter), 8 000 paths, EM with the bridge test at h = 10⁻³,
/// horizon 40. Statistic: z of the mean first-exit time with its sample standard error,
/// |z| < 4.75 (α = 2·10⁻⁶). Power: the unstable direction's own mean exit time (the
/// stable ones ignored) is rejected.
#[test]
fn box_exit_time_is_the_minimum_of_independent_directions() {
    let m = LocalSaddle::with_pairwise_rho(
        vec![1.0, -1.0, -0.5],
        vec![0.5, 0.5, 0.3],
        vec![0.3, 1.0, 0.8],
        &[0.3, 0.0, 0.2],
    )
    .unwrap();
    let x0 = [0.1, 0.0, 0.2];
    let t_max = 40.0;
    let times: Vec<f64> = (0..=40_000).map(|i| i as f64 * t_max / 40_000.0).collect();
    let mut surv = vec![1.0; times.len()];
    for (i, &x) in x0.iter().enumerate() {
        let cdf = exit_time_cdf(&m.marginal(i).unwrap(), x, -1.0, 1.0, &times).unwrap();
        for (s, c) in surv.iter_mut().zip(&cdf) {
            *s *= 1.0 - c;
        }
    }
    assert!(surv[surv.len() - 1] < 1e-9);
    let dt = t_max / 40_000.0;
    let exact: f64 = surv.windows(2).map(|w| 0.5 * (w[0] + w[1]) * dt).sum();
    let obs = DirectionObs::new(&m, &[0, 1, 2], -1.0, 1.0, StopWhen::First).unwrap();
    let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
        .start(x0.to_vec())
        .grid(Grid::new(t_max, 1e-3).unwrap())
        .paths(8_000)
        .seed(21)
        .observe(&obs)
        .unwrap();
    assert_eq!(s.p_exit().unwrap().estimate(), 1.0);
    assert_eq!(s.censored(), 0);
    let t = s.mean_first_exit().unwrap();
    let z = (t.estimate - exact) / t.stderr;
    eprintln!(
        "E[T_box] = {} ± {}, exact {exact}, z = {z:.2}",
        t.estimate, t.stderr
    );
    assert!(z.abs() < Z_EACH);
    let alone = interval_exit(&m.marginal(0).unwrap(), 0.1, -1.0, 1.0)
        .unwrap()
        .mean_exit_time;
    assert!(
        ((t.estimate - alone) / t.stderr).abs() > Z_EACH,
        "power: {alone}"
    );
}

/// The time to leave the ball ‖x‖ < 1 with one unstable direction and silent stable
/// ones started at 0 is the 1-D exit time from (−1, 1): 4 000 paths, EM at h = 10⁻⁴,
/// the ball tested at grid points (no bridge: the late-detection bias is about
/// 0.58·b·√h/|drift| ≈ 0.004 at the exit, a fifth of the standard error 0.022), z-test
/// at α = 2·10⁻⁶. Against k: with k independent unstable copies the ball is left
/// sooner (the norm grows in every unstable direction): the mean time falls with k for
/// k = 1, 2, 4, 8 (started at the same norm 0.1, one stable noisy direction beside
/// them), each step by more than 4.75 combined standard errors.
#[test]
fn ball_exit_time_against_dimension_and_index() {
    let run = |m: &LocalSaddle, x0: Vec<f64>, h: f64, seed: u64| {
        NdEnsemble::new(m, NdScheme::EulerMaruyama)
            .start(x0)
            .grid(Grid::new(60.0, h).unwrap())
            .paths(4_000)
            .seed(seed)
            .observe(&BallObs::new(m.a().len(), 0.0, 1.0).unwrap())
            .unwrap()
    };
    let (a, s, t, r) = (1.0, 0.5, 0.3, 0.3);
    let m = LocalSaddle::with_pairwise_rho(
        vec![a, -1.0, -2.0],
        vec![s, 0.0, 0.0],
        vec![t, 0.0, 0.0],
        &[r, 0.0, 0.0],
    )
    .unwrap();
    let e = run(&m, vec![0.1, 0.0, 0.0], 1e-4, 31);
    assert_eq!(e.escaped(), 4_000);
    let got = e.mean_escape_time().unwrap();
    let exact = interval_exit(&m.marginal(0).unwrap(), 0.1, -1.0, 1.0)
        .unwrap()
        .mean_exit_time;
    let z = (got.estimate - exact) / got.stderr;
    eprintln!(
        "ball exit {} ± {}, 1-D exact {exact}",
        got.estimate, got.stderr
    );
    assert!(z.abs() < Z_EACH, "z = {z}");
    let mut prev: Option<saddle_sde::escape::Estimate> = None;
    for k in [1usize, 2, 4, 8] {
        let mut av = vec![a; k];
        av.push(-1.0);
        let mut sv = vec![s; k];
        sv.push(0.5);
        let mut tv = vec![t; k];
        tv.push(0.3);
        let mut rv = vec![r; k];
        rv.push(0.0);
        let m = LocalSaddle::with_pairwise_rho(av, sv, tv, &rv).unwrap();
        let mut x0 = vec![0.1 / (k as f64).sqrt(); k];
        x0.push(0.0);
        let e = run(&m, x0, 1e-3, 40 + k as u64);
        let got = e.mean_escape_time().unwrap();
        eprintln!(
            "k = {k}, d = {}: mean ball exit {} ± {}",
            k + 1,
            got.estimate,
            got.stderr
        );
        if let Some(p) = prev {
            let se = (p.stderr.powi(2) + got.stderr.powi(2)).sqrt();
            assert!(p.estimate - got.estimate > Z_EACH * se, "k = {k}");
        }
        prev = Some(got);
    }
}

/// Different unstable directions and any number of stable ones: P(all attracted) =
/// Π p_i with each p_i the 1-D exact value of its own marginal. Three unstable
/// directions with different (a, σ, τ, ρ) (each trapped alone with a different
/// probability), beside 0, 2 and 6 stable directions with their own noise (which must
/// not change the answer: the directions are independent). 4 000 paths each, EM with
/// the bridge test at h = 10⁻³, horizon 100; z = (p̂ − Π p_i)/√(p̂(1 − p̂)/n),
/// |z| < 4.75 (α = 2·10⁻⁶ each, three tests). Power: fully dependent directions would
/// give min p_i = 0.757 against Π p_i = 0.524, rejected by the same z. (p₁³ = 0.554, the
/// answer with the first direction's parameters everywhere, is only about 2.5 standard
/// errors away at n = 4 000, too close to serve as a power check.)
#[test]
fn all_attracted_is_the_product_of_different_directions_in_any_dimension() {
    let unstable = [
        (1.0, 2.0, 0.1, 0.3),
        (0.5, 1.5, 0.2, -0.2),
        (2.0, 2.5, 0.05, 0.5),
    ];
    let stable = [
        (-1.0, 0.5, 0.2, 0.0),
        (-0.5, 0.3, 0.4, -0.5),
        (-2.0, 1.0, 0.1, 0.2),
        (-0.3, 0.0, 0.3, 0.0),
        (-1.5, 0.8, 0.0, 0.0),
        (-0.8, 0.2, 0.6, 0.9),
    ];
    let p: Vec<f64> = unstable
        .iter()
        .map(|&(a, s, t, r)| {
            let m = saddle_sde::models::SaddleSde::new(a, s, t, r).unwrap();
            interval_exit(&m, 0.1, 0.01, 1.0).unwrap().p_lower
        })
        .collect();
    let prod: f64 = p.iter().product();
    eprintln!("p_i = {p:?}, product {prod}");
    for (j, m_stable) in [0usize, 2, 6].into_iter().enumerate() {
        let dirs: Vec<_> = unstable.iter().chain(&stable[..m_stable]).collect();
        let m = LocalSaddle::with_pairwise_rho(
            dirs.iter().map(|d| d.0).collect(),
            dirs.iter().map(|d| d.1).collect(),
            dirs.iter().map(|d| d.2).collect(),
            &dirs.iter().map(|d| d.3).collect::<Vec<_>>(),
        )
        .unwrap();
        let mut x0 = vec![0.1; 3];
        x0.extend(vec![0.0; m_stable]);
        let s = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
            .start(x0)
            .grid(Grid::new(100.0, 1e-3).unwrap())
            .paths(4_000)
            .seed(60 + j as u64)
            .observe(&DirectionObs::new(&m, &[0, 1, 2], 0.01, 1.0, StopWhen::All).unwrap())
            .unwrap();
        assert_eq!(s.censored(), 0);
        let all = s.all_attracted().unwrap();
        let (est, se) = (all.estimate(), all.stderr());
        let z = (est - prod) / se;
        eprintln!("{m_stable} stable directions: {est:.4} ± {se:.4}, z = {z:.2}");
        assert!(z.abs() < Z_EACH, "{m_stable} stable: {est} vs {prod}");
        let dependent = p.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(((est - dependent) / se).abs() > Z_EACH, "power");
    }
}

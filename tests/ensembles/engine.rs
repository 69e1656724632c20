//! The run engine: monitors, stop reasons, lanes against lone paths, validation before
//! the parallel section, per-path starts and models, and n-dimensional ensembles.

use crate::common::tol::Z_EACH;
use saddle_sde::analytic::saddle as exact;
use saddle_sde::ensemble::{
    Ensemble, Histogram, NdEnsemble, ProjectedObs, SnapshotObs, TerminalObs,
};
use saddle_sde::escape::{Correction, ExitDomain, ExitObs, ExitSpec};
use saddle_sde::integrate::monitor::{
    BlowUp, Closure, EndValue, Exit, ExitWindow, ModelVariance, Occupation, Snapshots, Trajectory,
};
use saddle_sde::integrate::{
    Grid, NdScheme, ScalarStepper, Side, StopReason, run, run_lanes, run_stream,
};
use saddle_sde::models::{LawEquivalentSaddle, LocalSaddle, SaddleSde};
use saddle_sde::noise::{Gaussian, GaussianAreas, Given, StepNoise, TwoPoint, path_rng};
use saddle_sde::scheme::{EulerMaruyama, Milstein};

/// The bug the engine removed: Milstein with a step too small for Lévy areas used to
/// come back as `Ok` with count 0 and mean NaN from the ensemble, while the single-path
/// driver returned the error. Now every path goes through one validated source.
#[test]
fn milstein_with_a_tiny_step_is_an_error_everywhere() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(1e-12, 1e-14).unwrap();
    let ens = Ensemble::new(&m, &Milstein)
        .start(0.1)
        .grid(grid)
        .paths(10)
        .terminal();
    let one = saddle_sde::integrate::terminal(&m, &Milstein, 0.1, &grid, &mut path_rng(1, 0));
    let e1 = ens.unwrap_err().to_string();
    let e2 = one.unwrap_err().to_string();
    assert_eq!(e1, e2);
    assert!(e1.contains("h = "), "{e1}");
    let snaps = Ensemble::new(&m, &Milstein)
        .start(0.1)
        .grid(grid)
        .paths(10)
        .snapshots(&[0.0, 1e-12], 1);
    assert!(snaps.is_err());
}

#[test]
fn a_histogram_holding_counts_is_refused() {
    let mut h = Histogram::new(-1.0, 1.0, 4).unwrap();
    h.push(0.0);
    let e = TerminalObs::new()
        .histogram(h.clone())
        .unwrap_err()
        .to_string();
    assert!(e.contains("histogram"), "{e}");
    let g = Grid::new(1.0, 0.1).unwrap();
    assert!(
        SnapshotObs::new(&g, &[1.0], 0)
            .unwrap()
            .histogram(h)
            .is_err()
    );
}

#[test]
fn missing_or_bad_settings_name_the_parameter() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.1).unwrap();
    let msg = |r: saddle_sde::Result<_>| {
        r.map(|_: saddle_sde::ensemble::TerminalSummary| ())
            .unwrap_err()
            .to_string()
    };
    assert!(
        msg(Ensemble::new(&m, &EulerMaruyama)
            .grid(g)
            .paths(5)
            .terminal())
        .contains("x0")
    );
    assert!(
        msg(Ensemble::new(&m, &EulerMaruyama)
            .start(0.1)
            .paths(5)
            .terminal())
        .contains("grid")
    );
    assert!(
        msg(Ensemble::new(&m, &EulerMaruyama)
            .start(0.1)
            .grid(g)
            .terminal())
        .contains("paths")
    );
    let bad_start = Ensemble::new(&m, &EulerMaruyama)
        .start_with(|i| if i == 7 { f64::NAN } else { 0.1 })
        .grid(g)
        .paths(10)
        .terminal();
    assert!(msg(bad_start).contains("x0"));
    // a per-path start outside the exit domain is caught before any path runs
    let spec = ExitSpec::new(ExitDomain::interval(-1.0, 1.0).unwrap(), 0.1, 1.0, 0.1).unwrap();
    let obs = ExitObs::<_, true>::new(&m, &spec, ModelVariance(&m)).unwrap();
    let r = Ensemble::new(&m, &EulerMaruyama)
        .start_with(|i| i as f64 * 0.3)
        .grid(g)
        .paths(5)
        .observe(&obs);
    assert!(r.unwrap_err().to_string().contains("x0 = 1.2"));
    // exits need one model
    let r = Ensemble::new(&m, &EulerMaruyama)
        .model_with(|_| m.clone())
        .paths(5)
        .exits(&spec);
    assert!(r.unwrap_err().to_string().contains("model"));
}

/// A stream of 50 paths through 4 lanes, with and without Lévy areas: lanes take new
/// paths mid-stream (fresh path states in used lanes), some paths exit and some reach
/// the grid's end, and the stream runs dry while lanes are mid-block. Every path's end
/// state and stop reason equals its lone run bit for bit; and a grid of no steps ends
/// every path at once, as `run` does.
#[test]
fn streaming_lanes_equal_lone_paths() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let window = ExitWindow::barriers(-0.5, 0.6);
    let mon = || Exit::<_, true>::new(window, ModelVariance(&m));
    let n = 50;
    for (t_end, dt) in [(0.7, 1e-2), (0.0, 1e-2)] {
        let grid = Grid::new(t_end, dt).unwrap();
        for areas in [false, true] {
            let mut st = ScalarStepper::new(&m, &Milstein);
            let gauss = Gaussian::<2>::new(&grid).unwrap();
            let with_areas = GaussianAreas::<2>::new(&grid).unwrap();
            let mut mons: Vec<_> = (0..n).map(|_| mon()).collect();
            let mut rngs: Vec<_> = (0..n).map(|i| path_rng(13, i)).collect();
            let mut ends = vec![None; n as usize];
            let starts: Vec<f64> = (0..n).map(|i| -0.3 + 0.8 * i as f64 / n as f64).collect();
            let paths = starts
                .iter()
                .zip(mons.iter_mut().zip(rngs.iter_mut()))
                .map(|(&x0, (m, r))| (x0, m, r));
            let done = |i: usize, x: f64, why: StopReason| {
                assert!(ends[i].is_none(), "path {i} finished twice");
                ends[i] = Some((x, why));
            };
            if areas {
                run_stream::<_, _, _, _, 4>(&mut st, &with_areas, paths, done);
            } else {
                run_stream::<_, _, _, _, 4>(&mut st, &gauss, paths, done);
            }
            let (mut exited, mut at_end) = (0, 0);
            for i in 0..n as usize {
                let (xe, why) = ends[i].expect("every path finishes");
                let mut x = starts[i];
                let mut rng = path_rng(13, i as u64);
                let lone = if areas {
                    run(&mut st, &with_areas, &mut mon(), &mut x, &mut rng)
                } else {
                    run(&mut st, &gauss, &mut mon(), &mut x, &mut rng)
                };
                assert_eq!((xe.to_bits(), why), (x.to_bits(), lone), "path {i}");
                match why {
                    StopReason::Exited { .. } => exited += 1,
                    StopReason::EndTime => at_end += 1,
                    _ => {}
                }
            }
            if t_end > 0.0 {
                // both kinds of ending occur
                assert!(
                    exited >= 10 && at_end >= 10,
                    "{exited} exited, {at_end} at end"
                );
            } else {
                assert_eq!(at_end, n, "no steps: every path ends at once");
            }
        }
    }
}

/// Exit monitors stop lanes at different steps (run_lanes hands them to run_stream);
/// every lane must still equal its lone path bit for bit.
#[test]
fn stopping_lanes_equal_lone_paths() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(3.0, 1e-2).unwrap();
    let window = ExitWindow::barriers(-0.5, 0.6);
    for areas in [false, true] {
        let mut st = ScalarStepper::new(&m, &Milstein);
        let gauss = Gaussian::<2>::new(&grid).unwrap();
        let with_areas = GaussianAreas::<2>::new(&grid).unwrap();
        let mon = || Exit::<_, true>::new(window, ModelVariance(&m));
        let mut xs = [0.1; 8];
        let mut mons: [_; 8] = std::array::from_fn(|_| mon());
        let mut rngs: [_; 8] = std::array::from_fn(|l| path_rng(9, l as u64));
        let lanes = if areas {
            run_lanes(&mut st, &with_areas, &mut mons, &mut xs, &mut rngs)
        } else {
            run_lanes(&mut st, &gauss, &mut mons, &mut xs, &mut rngs)
        };
        let mut distinct = std::collections::HashSet::new();
        for l in 0..8 {
            let mut x = 0.1;
            let mut rng = path_rng(9, l as u64);
            let lone = if areas {
                run(&mut st, &with_areas, &mut mon(), &mut x, &mut rng)
            } else {
                run(&mut st, &gauss, &mut mon(), &mut x, &mut rng)
            };
            assert_eq!(lone, lanes[l]);
            assert_eq!(x.to_bits(), xs[l].to_bits());
            if let StopReason::Exited { t, .. } = lone {
                distinct.insert(t.to_bits());
            }
        }
        // the lanes really did stop at different times
        assert!(distinct.len() >= 4, "{distinct:?}");
    }
}

#[test]
fn stop_reasons_carry_side_and_time() {
    // dx = x dt, no noise: x_n = 0.5·1.1^n with h = 0.1 passes 1 at n = 8 (0.5·1.1⁸ = 1.07)
    let m = SaddleSde::new(1.0, 0.0, 0.0, 0.0).unwrap();
    let g = Grid::new(2.0, 0.1).unwrap();
    let src = Gaussian::<2>::new(&g).unwrap();
    let mut st = ScalarStepper::new(&m, &EulerMaruyama);
    let mut x = 0.5;
    let why = run(
        &mut st,
        &src,
        &mut BlowUp::new(1.0).unwrap(),
        &mut x,
        &mut path_rng(1, 0),
    );
    assert!(
        matches!(why, StopReason::BlownUp { t } if (t - 0.8).abs() < 1e-12),
        "{why:?}"
    );
    let mut x = 0.5;
    let mut stop = Closure::new(|n: usize, _t: f64, _x: &f64| n == 2);
    let why = run(&mut st, &src, &mut stop, &mut x, &mut path_rng(1, 0));
    assert!(
        matches!(why, StopReason::Requested { t } if (t - 0.3).abs() < 1e-12),
        "{why:?}"
    );
    let window = ExitWindow::barriers(-1.0, 1.0);
    let mut x = -0.5;
    let why = run(
        &mut st,
        &src,
        &mut Exit::<_, false>::new(window, ModelVariance(&m)),
        &mut x,
        &mut path_rng(1, 0),
    );
    assert!(
        matches!(why, StopReason::Exited { side: Side::Lower, t } if (t - 0.8).abs() < 1e-12),
        "{why:?}"
    );
    // overflow without a monitor that checks each step: detected once, at the end
    let big = SaddleSde::new(1e300, 0.0, 0.0, 0.0).unwrap();
    let mut st = ScalarStepper::new(&big, &EulerMaruyama);
    let mut x = 1.0;
    assert_eq!(
        run(&mut st, &src, &mut EndValue, &mut x, &mut path_rng(1, 0)),
        StopReason::NonFinite
    );
    // a pair of monitors: the first that stops wins, both record
    let mut st = ScalarStepper::new(&m, &EulerMaruyama);
    let mut pair = (Trajectory::default(), BlowUp::new(1.0).unwrap());
    let mut x = 0.5;
    run(&mut st, &src, &mut pair, &mut x, &mut path_rng(1, 0));
    assert_eq!(pair.0.values.len(), 9);
    assert_eq!(pair.0.values[8].to_bits(), x.to_bits());
}

#[test]
fn snapshots_read_the_trajectory_at_their_indices() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.01).unwrap();
    let src = Gaussian::<2>::new(&g).unwrap();
    let mut st = ScalarStepper::new(&m, &EulerMaruyama);
    let idx = [0, 0, 17, 50, 100];
    let mut both = (Snapshots::new(&idx).unwrap(), Trajectory::default());
    let mut x = 0.1;
    run(&mut st, &src, &mut both, &mut x, &mut path_rng(4, 2));
    assert!(both.0.complete());
    let want: Vec<f64> = idx.iter().map(|&k| both.1.values[k]).collect();
    assert_eq!(both.0.values(), &want[..]);
    assert!(Snapshots::new(&[3, 2]).is_err());
}

/// A run over a prefix of a grid draws exactly what the full run draws: its end value
/// is the full trajectory's value at that step, for prefixes that end inside a block of
/// bulk-drawn normals (37, 64 + 5) and at a block's end (64), with and without areas.
#[test]
fn a_prefix_run_is_the_start_of_the_full_run() {
    use saddle_sde::integrate::terminal;
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.01).unwrap();
    let full = |areas: bool| {
        let mut st = ScalarStepper::new(&m, &EulerMaruyama);
        let mut st_m = ScalarStepper::new(&m, &Milstein);
        let mut tr = Trajectory::default();
        let mut x = 0.1;
        if areas {
            let src = GaussianAreas::<2>::new(&g).unwrap();
            run(&mut st_m, &src, &mut tr, &mut x, &mut path_rng(9, 1));
        } else {
            let src = Gaussian::<2>::new(&g).unwrap();
            run(&mut st, &src, &mut tr, &mut x, &mut path_rng(9, 1));
        }
        tr.values
    };
    let (em, mil) = (full(false), full(true));
    for k in [37usize, 64, 69] {
        let p = g.prefix(k).unwrap();
        let a = terminal(&m, &EulerMaruyama, 0.1, &p, &mut path_rng(9, 1)).unwrap();
        let b = terminal(&m, &Milstein, 0.1, &p, &mut path_rng(9, 1)).unwrap();
        assert_eq!(a.x.to_bits(), em[k].to_bits(), "EM, prefix {k}");
        assert_eq!(
            b.x.to_bits(),
            mil[k].to_bits(),
            "Milstein with areas, prefix {k}"
        );
    }
}

/// The given source reproduces the Gaussian source's path from the same draws.
#[test]
fn a_given_path_replays_the_drawn_one() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.01).unwrap();
    // The Gaussian source draws each block of 64 steps' normals in one bulk fill (a
    // whole block even when fewer steps remain).
    let block = saddle_sde::noise::GAUSSIAN_BLOCK;
    let mut rng = path_rng(3, 3);
    let mut z = vec![[0.0f64; 2]; g.steps().div_ceil(block) * block];
    for b in z.chunks_mut(block) {
        saddle_sde::noise::fill_standard_normals(&mut rng, b.as_flattened_mut());
    }
    let steps: Vec<StepNoise<2>> = z[..g.steps()]
        .iter()
        .map(|z| StepNoise::without_areas(g.h(), z.map(|v| v * g.h().sqrt())))
        .collect();
    let replay = saddle_sde::integrate::terminal_on_path(&m, &EulerMaruyama, 0.1, &steps).unwrap();
    let drawn =
        saddle_sde::integrate::terminal(&m, &EulerMaruyama, 0.1, &g, &mut path_rng(3, 3)).unwrap();
    assert_eq!(replay.x.to_bits(), drawn.x.to_bits());
    let mut uneven = steps.clone();
    uneven[5].h *= 2.0;
    assert!(Given::new(&uneven).is_err());
    assert!(Given::<2>::new(&[]).is_err());
}

/// Occupation time of Brownian motion (a = σ = 0, τ = 1) in [−r, r] up to T:
/// E = ∫_0^T P(|B_s| ≤ r) ds = ∫_0^T (2Φ(r/√s) − 1) ds.
/// Statistic: z = (mean − E)/(sample s.e.), N = 20 000 paths, h = 1e-3 (the grid
/// sees excursions across the edges ±r only at grid times, a bias of order √h times the
/// local time at ±r; the run with h = 1e-3 shows MC − E = −8e-4 against a standard
/// error of 2.3e-3), two-sided α = 2·10⁻⁶ (|z| < 4.75).
/// Power: the wrong set [−r/2, r/2] has E = 0.341 against 0.581, about a hundred
/// standard errors away.
#[test]
fn occupation_time_of_brownian_motion() {
    use statrs::distribution::{ContinuousCDF, Normal};
    let (r, t_end) = (0.5, 1.0);
    let phi = Normal::standard();
    let n_q = 20_000;
    // midpoint rule on s ∈ (0, T]; the integrand is bounded by 1 and smooth away from 0
    let expect: f64 = (0..n_q)
        .map(|k| {
            let s = (k as f64 + 0.5) / n_q as f64 * t_end;
            2.0 * phi.cdf(r / s.sqrt()) - 1.0
        })
        .sum::<f64>()
        * t_end
        / n_q as f64;
    let bm = SaddleSde::new(0.0, 0.0, 1.0, 0.0).unwrap();
    let g = Grid::new(t_end, 1e-3).unwrap();
    let src = Gaussian::<2>::new(&g).unwrap();
    let mut st = ScalarStepper::new(&bm, &EulerMaruyama);
    let n = 20_000u64;
    let times: Vec<f64> = (0..n)
        .map(|i| {
            let mut occ = Occupation::new(-r, r).unwrap();
            run(&mut st, &src, &mut occ, &mut 0.0, &mut path_rng(77, i));
            occ.time()
        })
        .collect();
    let mean = times.iter().sum::<f64>() / n as f64;
    let var = times.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let z = (mean - expect) / (var / n as f64).sqrt();
    println!("occupation: MC {mean:.5}, exact {expect:.5}, z = {z:.2}");
    assert!(z.abs() < Z_EACH, "z = {z}");
}

/// Per-path models: the terminal mean of a mixture of two drifts is the mixture of the
/// exact means. Statistic: z with the exact variance of each half, N = 2·10 000,
/// α = 2·10⁻⁶ two-sided.
#[test]
fn per_path_models_and_starts() {
    let a = SaddleSde::new(1.0, 0.5, 0.2, 0.3).unwrap();
    let b = SaddleSde::new(-1.0, 0.5, 0.2, 0.3).unwrap();
    let g = Grid::new(1.0, 1e-3).unwrap();
    let n = 20_000u64;
    let s = Ensemble::new(&a, &Milstein)
        .model_with(|i| if i % 2 == 0 { a.clone() } else { b.clone() })
        .start_with(|i| if i % 2 == 0 { 0.1 } else { -0.2 })
        .grid(g)
        .paths(n)
        .seed(5)
        .terminal()
        .unwrap();
    let expect = 0.5 * (exact::mean(&a, 0.1, 1.0) + exact::mean(&b, -0.2, 1.0));
    // Var of the mixture mean with equal halves: (Var_a + Var_b)/(4·n/2)
    let var = (exact::variance(&a, 0.1, 1.0) + exact::variance(&b, -0.2, 1.0)) / (2.0 * n as f64);
    let z = (s.mean() - expect) / var.sqrt();
    println!(
        "per-path models: MC {:.5}, exact {expect:.5}, z = {z:.2}",
        s.mean()
    );
    assert!(z.abs() < Z_EACH, "z = {z}");
}

/// The unstable coordinate of a LocalSaddle is a saddle SDE of its own: the n-dimensional
/// ensemble's terminal mean of x₁ against the exact E[x_T]. Statistic: z with the exact
/// variance, N = 20 000, α = 2·10⁻⁶ two-sided; EM's weak bias at h = 1e-3 is ≈ 1e-4·|E|,
/// far below the standard error (≈ 0.006).
#[test]
fn nd_ensemble_matches_the_scalar_law_and_is_thread_invariant() {
    let (a, s, t, rho) = ([1.0, -1.0], [0.5, 0.4], [0.2, 0.3], [0.3, -0.2]);
    let m = LocalSaddle::with_pairwise_rho(a.to_vec(), s.to_vec(), t.to_vec(), &rho).unwrap();
    let g = Grid::new(1.0, 1e-3).unwrap();
    let n = 20_000u64;
    let pool = |k| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap()
    };
    let go = |scheme, grid, paths| {
        NdEnsemble::new(&m, scheme)
            .start(vec![0.1, 0.2])
            .grid(grid)
            .paths(paths)
            .seed(3)
            .terminal_of(|x: &[f64]| x[0])
            .unwrap()
    };
    let coarse = Grid::new(1.0, 1e-2).unwrap();
    let one = pool(1).install(|| go(NdScheme::Milstein, coarse, 2_000));
    let two = pool(2).install(|| go(NdScheme::Milstein, coarse, 2_000));
    assert_eq!(one.mean().to_bits(), two.mean().to_bits());
    assert_eq!(one.variance().to_bits(), two.variance().to_bits());
    let one = go(NdScheme::EulerMaruyama, g, n);
    let law = SaddleSde::new(a[0], s[0], t[0], rho[0]).unwrap();
    let z = (one.mean() - exact::mean(&law, 0.1, 1.0))
        / (exact::variance(&law, 0.1, 1.0) / n as f64).sqrt();
    println!(
        "nd x1: MC {:.5}, exact {:.5}, z = {z:.2}",
        one.mean(),
        exact::mean(&law, 0.1, 1.0)
    );
    assert!(z.abs() < Z_EACH, "z = {z}");
    // snapshots and exits of a coordinate go through the same engine
    let snaps = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
        .start(vec![0.1, 0.2])
        .grid(g)
        .paths(200)
        .snapshots_of(|x: &[f64]| x[1], &[0.0, 0.5], 2)
        .unwrap();
    assert_eq!(snaps.kept[0], 0.2);
    let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5).unwrap(), 0.1, 20.0, 1e-2)
        .unwrap()
        .with_correction(Correction::None);
    let exits = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
        .start(vec![0.1, 0.2])
        .grid(*spec.grid())
        .paths(500)
        .observe(&ProjectedObs::new(
            |x: &[f64]| x[0],
            ExitObs::without_model(&spec).unwrap(),
        ))
        .unwrap();
    assert_eq!(exits.paths(), 500);
    assert!(exits.exits_upper() + exits.exits_lower() > 400);
    assert!(ExitObs::without_model(&spec.clone().with_correction(Correction::Bridge)).is_err());
}

/// Exits stream through the lanes (a lane whose path stops takes the chunk's next path)
/// with the same generators as `exit_path`: every path's ending, side and time equals its
/// single-path run, for every correction, one and two noises, EM and Milstein with areas.
#[test]
fn exit_ensemble_equals_its_single_paths() {
    use saddle_sde::ensemble::{CHUNK, Merge};
    use saddle_sde::scheme::ScalarScheme;
    use saddle_sde::sde::ScalarSde;
    fn check<S, Sch, const M: usize>(sde: &S, scheme: &Sch, spec: &ExitSpec, n: u64)
    where
        S: ScalarSde<M> + Sync,
        Sch: ScalarScheme<S, M> + Sync,
    {
        let stats = Ensemble::new(sde, scheme)
            .paths(n)
            .seed(8)
            .exits(spec)
            .unwrap();
        // fold the single paths as the ensemble does: chunks of CHUNK paths, in order
        let mut folded = saddle_sde::escape::ExitStats::new(5.0, 1000).unwrap();
        for c in 0..n.div_ceil(CHUNK) {
            let mut part = saddle_sde::escape::ExitStats::new(5.0, 1000).unwrap();
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                part.push(saddle_sde::escape::exit_path(sde, scheme, spec, 8, i).unwrap());
            }
            folded.merge(&part);
        }
        // same counts, and the same exit-time moments and histogram bit for bit
        assert_eq!(stats, folded, "{:?}", spec.correction());
        assert!(stats.exits_upper() > 0 && stats.exits_lower() > 0);
    }
    let saddle = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let law = LawEquivalentSaddle::new(saddle.clone());
    for c in [Correction::None, Correction::Bridge, Correction::Shift] {
        let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5).unwrap(), 0.1, 5.0, 1e-2)
            .unwrap()
            .with_correction(c);
        // 301 paths: not a multiple of any lane width, so lanes run dry mid-chunk too
        check(&law, &EulerMaruyama, &spec, 301);
        check(&saddle, &EulerMaruyama, &spec, 301);
        check(&saddle, &Milstein, &spec, 61);
    }
}

/// Observables refuse settings they would silently get wrong.
#[test]
fn observables_refuse_what_they_cannot_do() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let law = LawEquivalentSaddle::new(m.clone());
    let fine = Grid::new(1.0, 0.01).unwrap();
    let other = Grid::new(10.0, 0.1).unwrap();
    // snapshots placed on one grid, run on another
    let obs = SnapshotObs::new(&fine, &[0.5], 0).unwrap();
    let e = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(other)
        .paths(4)
        .observe(&obs);
    assert!(e.unwrap_err().to_string().contains("grid"));
    // exits with two-point increments, and two-point with a scheme that needs areas
    let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5).unwrap(), 0.1, 5.0, 1e-2).unwrap();
    let e = Ensemble::new(&law, &EulerMaruyama)
        .increments(saddle_sde::ensemble::Increments::TwoPoint)
        .paths(4)
        .exits(&spec);
    assert!(e.unwrap_err().to_string().contains("increments"));
    let e = Ensemble::new(&m, &Milstein)
        .increments(saddle_sde::ensemble::Increments::TwoPoint)
        .start(0.1)
        .grid(fine)
        .paths(4)
        .terminal();
    assert!(e.unwrap_err().to_string().contains("increments"));
    // the observable's bridge flag must match the spec's correction
    let shift = spec.clone().with_correction(Correction::Shift);
    assert!(ExitObs::<_, true>::new(&m, &shift, ModelVariance(&m)).is_err());
    // a shift wider than half the interval leaves no window around the start
    let narrow = ExitSpec::new(ExitDomain::interval(-0.01, 0.01).unwrap(), 0.0, 5.0, 0.5)
        .unwrap()
        .with_correction(Correction::Shift);
    let e = Ensemble::new(&m, &EulerMaruyama).paths(4).exits(&narrow);
    let msg = e.unwrap_err().to_string();
    assert!(msg.contains("shifted window"), "{msg}");
    // a bridge observable with per-path models
    let obs = ExitObs::<_, true>::new(&m, &spec, ModelVariance(&m)).unwrap();
    let e = Ensemble::new(&m, &EulerMaruyama)
        .model_with(|_| m.clone())
        .start(0.1)
        .grid(*spec.grid())
        .paths(4)
        .observe(&obs);
    assert!(e.unwrap_err().to_string().contains("model"));
}

/// A snapshot value that overflowed to +∞ is counted as blown up, not averaged in.
#[test]
fn infinite_snapshots_are_blown_up() {
    let m = SaddleSde::new(1e10, 0.0, 0.0, 0.0).unwrap();
    let g = Grid::new(1.0, 0.5).unwrap();
    let s = Ensemble::new(&m, &EulerMaruyama)
        .start(1e300)
        .grid(g)
        .paths(3)
        .snapshots(&[0.5], 0)
        .unwrap();
    assert_eq!(s.blown_up, 3);
    assert_eq!(s.moments[0].count(), 0);
}

/// An n-dimensional stepper given noise of the wrong size ends the path as non-finite
/// instead of reading out of bounds.
#[test]
fn mismatched_nd_noise_ends_non_finite() {
    use saddle_sde::integrate::NdStepper;
    use saddle_sde::noise::{NdGaussian, NoiseNeeds};
    let m = LocalSaddle::with_pairwise_rho(
        vec![1.0, -1.0],
        vec![0.5, 0.4],
        vec![0.2, 0.3],
        &[0.3, -0.2],
    )
    .unwrap();
    let g = Grid::new(1.0, 0.1).unwrap();
    let wrong = NdGaussian::new(4, &g, NoiseNeeds::Increments).unwrap(); // Milstein needs areas
    let mut x = [0.1, 0.2];
    let why = run(
        &mut NdStepper::new(&m, NdScheme::Milstein),
        &wrong,
        &mut EndValue,
        &mut x[..],
        &mut path_rng(1, 0),
    );
    assert_eq!(why, StopReason::NonFinite);
    let right = NdScheme::Milstein.source(&m, &g).unwrap();
    let mut x = [0.1, 0.2];
    let why = run(
        &mut NdStepper::new(&m, NdScheme::Milstein),
        &right,
        &mut EndValue,
        &mut x[..],
        &mut path_rng(1, 0),
    );
    assert_eq!(why, StopReason::EndTime);
}

/// `area_terms(p)` runs Milstein with the p-term Lévy-area sampler: each path equals a
/// lone run on `GaussianAreas::with_areas(LevyArea::with_terms(p, h))`, bit for bit; the
/// default equals `area_terms` with `LevyArea::for_step`'s p; p = 0 is refused, also
/// with per-path models.
#[test]
fn area_terms_picks_the_levy_area_sampler() {
    use saddle_sde::noise::LevyArea;
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 1e-2).unwrap();
    let n = 37u64;
    let run_with = |p: Option<usize>| {
        let e = Ensemble::new(&m, &Milstein)
            .start(0.1)
            .grid(g)
            .paths(n)
            .seed(5);
        match p {
            Some(p) => e.area_terms(p),
            None => e,
        }
        .snapshots(&[1.0], n)
        .unwrap()
        .kept
    };
    for p in [1usize, 3] {
        let got = run_with(Some(p));
        let src =
            GaussianAreas::<2>::with_areas(&g, LevyArea::with_terms(p, g.h()).unwrap()).unwrap();
        for i in 0..n {
            let mut x = 0.1;
            run(
                &mut ScalarStepper::new(&m, &Milstein),
                &src,
                &mut EndValue,
                &mut x,
                &mut path_rng(5, i),
            );
            assert_eq!(got[i as usize].to_bits(), x.to_bits(), "p = {p}, path {i}");
        }
    }
    let default_p = LevyArea::for_step(g.h()).unwrap().terms();
    assert_eq!(run_with(None), run_with(Some(default_p)));
    assert_ne!(run_with(Some(1)), run_with(Some(default_p)));
    let e = Ensemble::new(&m, &Milstein)
        .model_with(|_| m.clone())
        .start(0.1)
        .grid(g)
        .paths(4)
        .area_terms(0)
        .terminal();
    assert!(e.unwrap_err().to_string().contains("terms"));
}

/// Records every call the engine makes to a path's monitor, draws one word from the
/// path's generator after each step (as a bridge test would), and stops the path after
/// step `stop_at` (never if `None`).
struct Rec {
    stop_at: Option<usize>,
    log: Vec<(u8, usize, u64, u64)>,
}

impl Rec {
    fn new(stop_at: Option<usize>) -> Self {
        Self {
            stop_at,
            log: Vec::new(),
        }
    }
}

impl saddle_sde::integrate::monitor::Monitor<f64> for Rec {
    const CAN_STOP: bool = true;
    fn start(&mut self, x0: &f64) {
        self.log.push((0, 0, 0, x0.to_bits()));
    }
    fn before_step(&mut self, n: usize, t: f64, x: &f64) {
        self.log.push((1, n, t.to_bits(), x.to_bits()));
    }
    fn after_step<R: rand::Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &f64,
        rng: &mut R,
    ) -> Option<StopReason> {
        let w = rng.next_u64();
        self.log
            .push((2, n, t.to_bits() ^ h.to_bits(), y.to_bits() ^ w));
        (Some(n) == self.stop_at).then_some(StopReason::Requested { t: t + h })
    }
}

/// Streams paths that stop after the given steps through `L` lanes and checks each
/// path's end, its stop reason and every call its monitor saw (with the generator's
/// draws interleaved) against a lone run; `done` must be called once per path.
fn stream_matches_lone_runs<Src, const L: usize>(
    model: &SaddleSde,
    src: &Src,
    stops: &[Option<usize>],
    what: &str,
) where
    Src: saddle_sde::noise::NoiseSource<Noise = StepNoise<2>>,
{
    let mut st = ScalarStepper::new(model, &EulerMaruyama);
    let start = |i: usize| 0.1 + 0.01 * i as f64;
    let mut mons: Vec<Rec> = stops.iter().map(|&s| Rec::new(s)).collect();
    let mut rngs: Vec<_> = (0..stops.len()).map(|i| path_rng(21, i as u64)).collect();
    let mut ends = vec![None; stops.len()];
    let paths = mons
        .iter_mut()
        .zip(rngs.iter_mut())
        .enumerate()
        .map(|(i, (m, r))| (start(i), m, r));
    run_stream::<_, _, _, _, L>(&mut st, src, paths, |i, x, why| {
        assert!(ends[i].is_none(), "{what}: path {i} finished twice");
        ends[i] = Some((x.to_bits(), why));
    });
    for (i, &stop) in stops.iter().enumerate() {
        let mut lone = Rec::new(stop);
        let mut x = start(i);
        let why = run(&mut st, src, &mut lone, &mut x, &mut path_rng(21, i as u64));
        assert_eq!(ends[i], Some((x.to_bits(), why)), "{what}: path {i}");
        assert_eq!(mons[i].log, lone.log, "{what}: path {i}'s calls");
    }
}

/// The stream's rounds against lone runs, call by call, in the cases where lanes move
/// between batches: several lanes stopping in one round while the stream is dry (the
/// swap of the last lane into a stopped one's place), a stopped lane taking the next
/// path, stops on the last step of a block (63), the first of the next (64) and the
/// grid's last step (129, where the monitor's reason must win over the grid's end),
/// one lane, more lanes than paths, no paths, a source without blocks (`Given`) and a
/// path that overflows.
#[test]
fn stream_rounds_make_the_calls_of_lone_runs() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    // 130 steps: two whole blocks of 64 and a short one
    let src = Gaussian::<2>::new(&Grid::new(1.3, 1e-2).unwrap()).unwrap();
    assert_eq!(saddle_sde::noise::NoiseSource::steps(&src), 130);
    let spread: Vec<Option<usize>> = (0..40)
        .map(|i| Some((i * 37 + 11) % 150).filter(|&s| s < 130))
        .collect();
    let cases: [(&str, Vec<Option<usize>>); 6] = [
        ("four lanes stop in one round, stream dry", vec![Some(5); 4]),
        (
            "a new path, then three stop together",
            vec![Some(2), Some(30), Some(30), Some(30), Some(30)],
        ),
        (
            "block and grid ends",
            vec![Some(63), Some(64), Some(129), None, Some(0), Some(1), None],
        ),
        ("two paths", vec![None, Some(10)]),
        ("no paths", vec![]),
        ("forty paths, spread stops", spread.clone()),
    ];
    for (what, stops) in &cases {
        stream_matches_lone_runs::<_, 4>(&m, &src, stops, what);
        stream_matches_lone_runs::<_, 16>(&m, &src, stops, what);
    }
    stream_matches_lone_runs::<_, 1>(&m, &src, &[None, Some(3), Some(64)], "one lane");
    // a source without blocks: 100 given steps
    let steps: Vec<StepNoise<2>> = (0..100)
        .map(|k| {
            let u = ((k * 7919) % 101) as f64 / 101.0 - 0.5;
            StepNoise::without_areas(1e-2, [0.1 * u, -0.07 * u])
        })
        .collect();
    let given = Given::new(&steps).unwrap();
    let stops = [
        Some(63),
        Some(64),
        Some(99),
        None,
        Some(5),
        Some(5),
        Some(5),
    ];
    stream_matches_lone_runs::<_, 4>(&m, &given, &stops, "given steps");
    // overflow: the grid's end reports the non-finite state, as a lone run does
    let big = SaddleSde::new(1e300, 0.0, 0.0, 0.0).unwrap();
    stream_matches_lone_runs::<_, 4>(&big, &src, &[None, None, Some(0)], "overflow");
    let mut st = ScalarStepper::new(&big, &EulerMaruyama);
    let mut mon = Rec::new(None);
    let mut x = 1.0;
    let why = run(&mut st, &src, &mut mon, &mut x, &mut path_rng(21, 0));
    assert_eq!(
        why,
        StopReason::NonFinite,
        "the overflow case reaches a non-finite end"
    );
}

/// Lanes in lock-step (a monitor that never stops) equal lone runs bit for bit both
/// ways a step's noise is drawn: each lane drawing and stepping in one pass (Gaussian
/// increments, blocked or drawn step by step) and every lane drawing first
/// (`NoiseSource::DRAW_LANES_FIRST`: the Lévy areas' sources, blocked or step by step,
/// the latter drawing from the path's generator inside the step loop), on a grid that
/// ends inside a block.
#[test]
fn lock_step_lanes_equal_lone_runs_either_way_of_drawing() {
    use saddle_sde::noise::{LevyArea, NoiseSource, Stepwise};
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(1.3, 1e-2).unwrap();
    let mut st = ScalarStepper::new(&m, &Milstein);
    const { assert!(!<Gaussian<2> as NoiseSource>::DRAW_LANES_FIRST) };
    const { assert!(!<Stepwise<2, false> as NoiseSource>::DRAW_LANES_FIRST) };
    const { assert!(<GaussianAreas<2> as NoiseSource>::DRAW_LANES_FIRST) };
    const { assert!(<Stepwise<2, true> as NoiseSource>::DRAW_LANES_FIRST) };
    fn check<St, Src, const L: usize>(st: &mut St, src: &Src, what: &str)
    where
        St: saddle_sde::integrate::Stepper<State = f64, Noise = Src::Noise>,
        Src: NoiseSource,
    {
        let mut xs: [f64; L] = std::array::from_fn(|l| 0.1 + 0.01 * l as f64);
        let mut rngs: [_; L] = std::array::from_fn(|l| path_rng(17, l as u64));
        let why = run_lanes(st, src, &mut [EndValue; L], &mut xs, &mut rngs);
        for l in 0..L {
            let mut x = 0.1 + 0.01 * l as f64;
            let lone = run(st, src, &mut EndValue, &mut x, &mut path_rng(17, l as u64));
            assert_eq!(
                (xs[l].to_bits(), why[l]),
                (x.to_bits(), lone),
                "{what}, {L} lanes, lane {l}"
            );
        }
    }
    // Gaussian lays two noises out step-major across the lanes (eight at a time, the
    // rest one by one) and one noise lane by lane: 16, 8, 12 and 3 lanes cover whole
    // groups, a remainder and a remainder alone (and 32, the width one noise runs at);
    // 130 steps, two whole blocks and part of a third.
    let gauss = Gaussian::<2>::new(&grid).unwrap();
    check::<_, _, 16>(&mut st, &gauss, "Gaussian");
    check::<_, _, 12>(&mut st, &gauss, "Gaussian");
    check::<_, _, 3>(&mut st, &gauss, "Gaussian");
    let law = LawEquivalentSaddle::new(m.clone());
    let mut st1 = ScalarStepper::new(&law, &EulerMaruyama);
    let gauss1 = Gaussian::<1>::new(&grid).unwrap();
    check::<_, _, 32>(&mut st1, &gauss1, "Gaussian, one noise");
    check::<_, _, 16>(&mut st1, &gauss1, "Gaussian, one noise");
    check::<_, _, 12>(&mut st1, &gauss1, "Gaussian, one noise");
    let areas = LevyArea::for_step(grid.h()).unwrap();
    check::<_, _, 8>(&mut st, &gauss, "Gaussian");
    check::<_, _, 8>(
        &mut st,
        &Stepwise::<2, false>::new(&grid).unwrap(),
        "Stepwise",
    );
    check::<_, _, 8>(
        &mut st,
        &GaussianAreas::<2>::new(&grid).unwrap(),
        "GaussianAreas",
    );
    let stepwise_areas = Stepwise::<2, true>::with_areas(&grid, areas).unwrap();
    check::<_, _, 8>(&mut st, &stepwise_areas, "Stepwise with areas");
}

/// A monitor that screens its steps: quiet on `(lo, hi)`; on any other step it draws a
/// word from the path's generator, logs the call, and stops the path at step `stop_at`
/// or when the word is a multiple of 50. `calls` counts every `after_step`, quiet or not.
#[derive(Clone)]
struct Screened {
    lo: f64,
    hi: f64,
    stop_at: Option<usize>,
    x: f64,
    log: Vec<(usize, u64, u64, u64, u64)>,
    calls: usize,
}

impl Screened {
    /// Path `i`'s monitor: ranges differ between paths; from path 40 on, some are empty
    /// (every step seen), one by a NaN end.
    fn new(i: usize, stop_at: Option<usize>) -> Self {
        let (lo, hi) = match i {
            77 => (f64::NAN, 0.3),
            i if i >= 40 && i % 11 == 0 => (0.5, -0.5),
            i => (-0.2 - 0.02 * (i % 5) as f64, 0.3 + 0.01 * (i % 3) as f64),
        };
        Self {
            lo,
            hi,
            stop_at,
            x: f64::NAN,
            log: Vec::new(),
            calls: 0,
        }
    }
}

impl saddle_sde::integrate::monitor::Monitor<f64> for Screened {
    const CAN_STOP: bool = true;
    const SCREENS: bool = true;
    fn quiet(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }
    fn before_step(&mut self, _: usize, _: f64, x: &f64) {
        self.x = *x;
    }
    fn after_step<R: rand::Rng + ?Sized>(
        &mut self,
        n: usize,
        t: f64,
        h: f64,
        y: &f64,
        rng: &mut R,
    ) -> Option<StopReason> {
        self.calls += 1;
        let calm = |v: f64| v > self.lo && v < self.hi;
        if calm(self.x) && calm(*y) {
            return None;
        }
        let w = rng.next_u64();
        self.log
            .push((n, t.to_bits(), self.x.to_bits(), y.to_bits(), w));
        (Some(n) == self.stop_at || w.is_multiple_of(50))
            .then_some(StopReason::Requested { t: t + h })
    }
}

/// Streams `stops.len()` paths with [`Screened`] monitors through `L` lanes (the
/// screened lock-step while every lane holds a path, then lane by lane) and checks each
/// path's end, its stop reason and every call its monitor logged (each with the word it
/// drew) against a lone run. Returns the paths stopped by their monitor, those of them
/// stopped on step 63, 64 or 129, the paths that reached the grid's end, the calls
/// logged, and the calls the stream's monitors received and the lone runs' did.
fn screened_stream_matches_lone_runs<Src, const L: usize>(
    model: &SaddleSde,
    src: &Src,
    stops: &[Option<usize>],
    what: &str,
) -> [usize; 6]
where
    Src: saddle_sde::noise::NoiseSource<Noise = StepNoise<2>>,
{
    let mut st = ScalarStepper::new(model, &EulerMaruyama);
    let h = src.h();
    // starts on both sides of the quiet ranges' ends
    let start = |i: usize| -0.3 + 0.011 * (i % 61) as f64;
    let mut mons: Vec<Screened> = stops
        .iter()
        .enumerate()
        .map(|(i, &s)| Screened::new(i, s))
        .collect();
    let mut rngs: Vec<_> = (0..stops.len()).map(|i| path_rng(23, i as u64)).collect();
    let mut ends = vec![None; stops.len()];
    let paths = mons
        .iter_mut()
        .zip(rngs.iter_mut())
        .enumerate()
        .map(|(i, (m, r))| (start(i), m, r));
    run_stream::<_, _, _, _, L>(&mut st, src, paths, |i, x, why| {
        assert!(ends[i].is_none(), "{what}: path {i} finished twice");
        ends[i] = Some((x.to_bits(), why));
    });
    let mut seen = [0; 6];
    for (i, &stop) in stops.iter().enumerate() {
        let mut lone = Screened::new(i, stop);
        let mut x = start(i);
        let why = run(&mut st, src, &mut lone, &mut x, &mut path_rng(23, i as u64));
        assert_eq!(
            ends[i],
            Some((x.to_bits(), why)),
            "{what}, {L} lanes: path {i}"
        );
        assert_eq!(mons[i].log, lone.log, "{what}, {L} lanes: path {i}'s calls");
        match why {
            StopReason::Requested { t } => {
                seen[0] += 1;
                let n = (t / h).round() as usize - 1;
                seen[1] += usize::from([63, 64, 129].contains(&n));
            }
            StopReason::EndTime => seen[2] += 1,
            other => panic!("{what}: path {i} stopped with {other:?}"),
        }
        seen[3] += lone.log.len();
        seen[4] += mons[i].calls;
        seen[5] += lone.calls;
    }
    seen
}

/// Streams of screening monitors step their lanes together, block by block, and call a
/// monitor only on the steps that start or end outside its quiet range; each path must
/// still equal its lone run, call for call. Cases: Gaussian increments (4 lanes lane by
/// lane, 8, 12, 16 and 32 laid out step-major) and two-point ones; paths that start
/// outside their range, ranges that differ between paths, empty ones (one by a NaN
/// end); grids of 130 steps (stops on the last step of a block, 63, the first of the
/// next, 64, and the grid's last step, 129, of a short third block), of 64 (the grid
/// ends with a whole block), of 30 (shorter than a block) and of none; paths that reach
/// the grid's end, lanes left at block ends when the stream runs dry, and fewer paths
/// than lanes.
#[test]
fn screened_streams_make_the_calls_of_lone_runs() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let stops: Vec<Option<usize>> = (0..150)
        .map(|i| match i % 7 {
            0 => Some(63),
            1 => Some(64),
            2 => Some(129),
            3 => None,
            _ => Some((i * 37 + 11) % 200).filter(|&s| s < 130),
        })
        .collect();
    let grids = [
        Grid::with_steps(1.3, 130).unwrap(),
        Grid::with_steps(0.64, 64).unwrap(),
        Grid::with_steps(0.3, 30).unwrap(),
        Grid::new(0.0, 1e-2).unwrap(),
    ];
    for (g, grid) in grids.iter().enumerate() {
        let gauss = Gaussian::<2>::new(grid).unwrap();
        let two = TwoPoint::<2>::new(grid).unwrap();
        let what = format!("{} steps", grid.steps());
        let mut seen = vec![
            screened_stream_matches_lone_runs::<_, 4>(&m, &gauss, &stops, &what),
            screened_stream_matches_lone_runs::<_, 8>(&m, &gauss, &stops, &what),
            screened_stream_matches_lone_runs::<_, 12>(&m, &gauss, &stops, &what),
            screened_stream_matches_lone_runs::<_, 16>(&m, &gauss, &stops, &what),
            screened_stream_matches_lone_runs::<_, 32>(&m, &gauss, &stops, &what),
            screened_stream_matches_lone_runs::<_, 16>(&m, &two, &stops, &what),
        ];
        seen.push(screened_stream_matches_lone_runs::<_, 32>(
            &m,
            &gauss,
            &stops[..20],
            &what,
        ));
        seen.push(screened_stream_matches_lone_runs::<_, 16>(
            &m,
            &gauss,
            &stops[..16],
            &what,
        ));
        if g == 0 {
            // not vacuous: paths stop early, some on a block's or the grid's last step,
            // some reach the grid's end, the monitors see many steps, and the stream
            // skipped the quiet ones (a lone run calls the monitor on every step)
            for s in &seen[..6] {
                let [stopped, at_ends, at_end, logged, calls, lone_calls] = *s;
                assert!(
                    stopped >= 50
                        && at_ends >= 5
                        && at_end >= 5
                        && logged >= 2000
                        && calls < lone_calls * 3 / 4,
                    "{seen:?}"
                );
            }
        }
    }
}

/// The quiet ranges the engine screens steps with: an exit monitor without the bridge
/// test is quiet on its window; with it, on its band (empty without one); a pair on the
/// intersection of its parts'; `EndValue` everywhere; monitors that watch every step
/// (occupation times) do not screen.
#[test]
fn quiet_ranges_of_the_monitors() {
    use saddle_sde::integrate::monitor::{Monitor, NoVariance, QuietBand};
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let w = ExitWindow::barriers(-0.5, 1.0);
    let plain = Exit::<_, false>::new(w, NoVariance);
    assert_eq!(plain.quiet(), (-0.5, 1.0));
    let band = QuietBand::new(&w, &ModelVariance(&m), 1e-3);
    let banded = Exit::<_, true>::with_band(w, ModelVariance(&m), band);
    let (lo, hi) = banded.quiet();
    assert!(-0.5 < lo && lo < hi && hi < 1.0, "({lo}, {hi})");
    let (elo, ehi) = Exit::<_, true>::new(w, ModelVariance(&m)).quiet();
    assert!(elo >= ehi, "no band: nothing is quiet ({elo}, {ehi})");
    assert_eq!(
        Monitor::<f64>::quiet(&EndValue),
        (f64::NEG_INFINITY, f64::INFINITY)
    );
    let narrow = Exit::<_, false>::new(ExitWindow::barriers(-0.2, 2.0), NoVariance);
    assert_eq!((narrow, banded).quiet(), (-0.2, hi));
    assert_eq!((banded, plain).quiet(), (lo, hi));
    // a NaN end makes a range empty, and a pair's with it
    let nan = Exit::<_, false>::new(ExitWindow::barriers(f64::NAN, 1.0), NoVariance);
    let (plo, phi) = (nan, EndValue).quiet();
    assert!(plo >= phi || plo.is_nan() || phi.is_nan(), "({plo}, {phi})");
    const { assert!(<(Exit<NoVariance, false>, EndValue) as Monitor<f64>>::SCREENS) };
    const { assert!(!<(Exit<NoVariance, false>, Occupation) as Monitor<f64>>::SCREENS) };
}

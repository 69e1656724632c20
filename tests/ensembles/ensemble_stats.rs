//! Streaming ensemble summaries: histograms and quantiles, terminal summaries with a
//! blow-up bound, snapshots at chosen times; all deterministic for any thread count.

use saddle_sde::ensemble::{Ensemble, Histogram, Merge, SnapshotObs, TerminalObs};
use saddle_sde::integrate::Grid;
use saddle_sde::models::SaddleSde;
use saddle_sde::scheme::EulerMaruyama;

fn pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn histogram_merge_is_exact_and_quantiles_are_within_one_bin() {
    let data: Vec<f64> = (0..10_000)
        .map(|i| ((i * 7919) % 10_000) as f64 / 10_000.0 * 4.0 - 2.0)
        .collect();
    let mut whole = Histogram::new(-1.5, 1.5, 300).unwrap();
    data.iter().for_each(|&x| whole.push(x));
    // merging parts in any grouping gives the same counts
    let mut parts: Vec<Histogram> = data
        .chunks(999)
        .map(|c| {
            let mut h = Histogram::new(-1.5, 1.5, 300).unwrap();
            c.iter().for_each(|&x| h.push(x));
            h
        })
        .collect();
    let mut merged = parts.remove(0);
    parts.iter().for_each(|p| merged.merge(p));
    assert_eq!(merged, whole);
    assert_eq!(whole.below() + whole.above(), 2500);
    let mut sorted = data.clone();
    sorted.sort_by(f64::total_cmp);
    for p in [0.2, 0.5, 0.75] {
        let emp = sorted[(p * data.len() as f64).ceil() as usize - 1];
        let q = whole.quantile(p).unwrap();
        assert!(
            (q - emp).abs() <= whole.resolution(),
            "p = {p}: {q} vs {emp}"
        );
    }
    // quantiles in the unresolved tails are refused, not guessed
    assert_eq!(whole.quantile(0.05), None);
    assert_eq!(whole.quantile(0.95), None);
    assert!((whole.cdf(0.0).unwrap() - 0.5).abs() < 1e-3);
    assert!(Histogram::new(1.0, 1.0, 10).is_err());
    assert!(Histogram::new(0.0, 1.0, 0).is_err());
}

#[test]
fn terminal_summary_extends_terminal_stats_and_counts_blow_ups() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(1.0, 1e-2).unwrap();
    let base = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(grid)
        .paths(5000)
        .seed(3)
        .terminal()
        .unwrap();
    let s = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(grid)
        .paths(5000)
        .seed(3)
        .observe(&TerminalObs::new().bound(f64::INFINITY).unwrap())
        .unwrap();
    assert_eq!(s.moments, base.moments);
    assert_eq!(s.blown_up, base.blown_up);
    let hist = Histogram::new(-2.0, 2.0, 400).unwrap();
    let run = |t| {
        pool(t, || {
            Ensemble::new(&m, &EulerMaruyama)
                .start(0.1)
                .grid(grid)
                .paths(5000)
                .seed(3)
                .observe(
                    &TerminalObs::new()
                        .bound(1.0)
                        .unwrap()
                        .histogram(hist.clone())
                        .unwrap(),
                )
                .unwrap()
        })
    };
    let bounded = run(1);
    assert_eq!(bounded, run(2));
    assert!(bounded.blown_up > 0);
    assert_eq!(bounded.moments.count() + bounded.blown_up, 5000);
    let h = bounded.histogram.as_ref().unwrap();
    assert_eq!(h.total(), bounded.moments.count());
    // a non-finite run: EM multiplies |x| by ≈ |1 + 1 + 31.6 z| per step for 1000
    // steps, so everything overflows and is counted, nothing averaged
    let wild = SaddleSde::new(1000.0, 1000.0, 1.0, 0.0).unwrap();
    let fine = Grid::new(1.0, 1e-3).unwrap();
    let s = Ensemble::new(&wild, &EulerMaruyama)
        .start(1.0)
        .grid(fine)
        .paths(300)
        .seed(1)
        .observe(&TerminalObs::new().bound(f64::INFINITY).unwrap())
        .unwrap();
    assert_eq!(s.blown_up, 300);
    assert_eq!(s.moments.count(), 0);
    // a histogram template that already holds counts is a typed error naming it (its
    // counts would otherwise be added to the ensemble's)
    let mut used = Histogram::new(-2.0, 2.0, 400).unwrap();
    used.push(0.5);
    let named = |e: saddle_sde::Error| {
        matches!(&e, saddle_sde::Error::Param(p) if p.name == "histogram")
            && e.to_string().contains("histogram")
    };
    assert!(named(
        TerminalObs::new().histogram(used.clone()).unwrap_err()
    ));
    assert!(named(
        SnapshotObs::new(&grid, &[1.0], 0)
            .unwrap()
            .histogram(used)
            .unwrap_err()
    ));
}

#[test]
fn snapshots_match_terminal_paths_and_are_thread_invariant() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(1.0, 1e-2).unwrap();
    let n = 3000;
    let run = |t| {
        pool(t, || {
            Ensemble::new(&m, &EulerMaruyama)
                .start(0.1)
                .grid(grid)
                .paths(n)
                .seed(9)
                .observe(
                    &SnapshotObs::new(&grid, &[0.0, 0.25, 1.0], n)
                        .unwrap()
                        .bound(f64::INFINITY)
                        .unwrap(),
                )
                .unwrap()
        })
    };
    let s = run(1);
    assert_eq!(s, run(2));
    assert_eq!(s.times, vec![0.0, 0.25, 1.0]);
    assert_eq!(s.kept.len(), 3 * n as usize);
    // at T the snapshot is the terminal value of the same path
    let base = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(grid)
        .paths(n)
        .seed(9)
        .terminal()
        .unwrap();
    assert_eq!(s.moments[2], base.moments);
    assert_eq!(s.moments[0].mean(), 0.1);
    for i in [0u64, 1, 1234] {
        let mut rng = saddle_sde::noise::path_rng(9, i);
        let end =
            saddle_sde::integrate::terminal(&m, &EulerMaruyama, 0.1, &grid, &mut rng).unwrap();
        assert_eq!(s.kept[i as usize * 3 + 2], end.x);
    }
    // the histogram quantile of the snapshot at T is within one bin of the sample
    // quantile of the kept values
    let hist = Histogram::new(-4.0, 4.0, 800).unwrap();
    let h = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(grid)
        .paths(n)
        .seed(9)
        .observe(
            &SnapshotObs::new(&grid, &[1.0], 0)
                .unwrap()
                .bound(f64::INFINITY)
                .unwrap()
                .histogram(hist)
                .unwrap(),
        )
        .unwrap();
    let mut end: Vec<f64> = s.kept.chunks(3).map(|r| r[2]).collect();
    end.sort_by(f64::total_cmp);
    let hq = &h.histograms.as_ref().unwrap()[0];
    let q = hq.quantile(0.5).unwrap();
    assert!((q - end[(n as usize / 2) - 1]).abs() <= hq.resolution());
    let bad_times = |times: &[f64]| {
        SnapshotObs::new(&grid, times, 0)
            .and_then(|o| o.bound(1.0))
            .and_then(|o| {
                Ensemble::new(&m, &EulerMaruyama)
                    .start(0.1)
                    .grid(grid)
                    .paths(10)
                    .seed(1)
                    .observe(&o)
            })
            .is_err()
    };
    assert!(bad_times(&[0.5, 0.2]));
    assert!(bad_times(&[2.0]));
    // the same through the short form
    assert!(
        Ensemble::new(&m, &EulerMaruyama)
            .start(0.1)
            .grid(grid)
            .paths(10)
            .seed(1)
            .snapshots(&[0.5, 0.2], 0)
            .is_err()
    );
}

#[test]
fn progress_reports_every_batch_up_to_the_total() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let grid = Grid::new(0.1, 1e-2).unwrap();
    let mut seen = Vec::new();
    Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(grid)
        .paths(40_000)
        .seed(1)
        .progress(|d, t| seen.push((d, t)))
        .observe(&TerminalObs::new().bound(f64::INFINITY).unwrap())
        .unwrap();
    // batches of 64 chunks of 256 paths = 16 384 paths
    assert_eq!(
        seen,
        vec![(16_384, 40_000), (32_768, 40_000), (40_000, 40_000)]
    );
}

/// Regression: `integrate::terminal` with Milstein on a commutative model (no Lévy
/// area) must use `I_(1,1) = (ΔB² − h)/2`, i.e. agree with a hand-made step.
#[test]
fn terminal_milstein_without_areas_uses_the_increment_squared() {
    use saddle_sde::models::LawEquivalentSaddle;
    use saddle_sde::noise::{StepNoise, path_rng};
    use saddle_sde::scheme::{Milstein, ScalarScheme};
    let m = LawEquivalentSaddle::new(SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap());
    let grid = Grid::new(0.1, 0.1).unwrap();
    let driver = saddle_sde::integrate::terminal(&m, &Milstein, 0.1, &grid, &mut path_rng(1, 0))
        .unwrap()
        .x;
    let mut rng = path_rng(1, 0);
    // one step, but the source fills a whole block of 64 steps' normals
    let mut z = [0.0; saddle_sde::noise::GAUSSIAN_BLOCK];
    saddle_sde::noise::fill_standard_normals(&mut rng, &mut z);
    let z = z[0];
    let by_hand = Milstein.step(
        &m,
        0.0,
        0.1,
        &StepNoise::without_areas(0.1, [0.1f64.sqrt() * z]),
    );
    assert_eq!(driver, by_hand);
}

#[test]
fn public_summary_types_are_send_sync_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Histogram>();
    check::<saddle_sde::ensemble::TerminalSummary>();
    check::<saddle_sde::ensemble::Snapshots>();
    check::<saddle_sde::escape::ExitStats>();
    check::<saddle_sde::escape::ExitSpec>();
    check::<saddle_sde::escape::ExitDomain>();
    check::<saddle_sde::escape::Estimate>();
    check::<saddle_sde::escape::exact::IntervalExit>();
}

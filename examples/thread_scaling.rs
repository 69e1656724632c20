//! # Two threads against one, measured in alternating pairs
//!
//! The throughput bench (`cargo bench --bench throughput`) measures each row on one
//! thread and then, minutes later, on two; on a VM whose speed drifts by ±10–30 % over
//! minutes, the ratio of two such figures mixes the code's scaling with the host's
//! drift. This example measures the ratio in **pairs taken back to back**: a run on one
//! thread, then the same run on two, repeated `pairs` times, alternating which comes
//! first, optionally with a pause before each run; it prints each row's median ratio with
//! its range and interquartile range, and
//! beside it the same ratio for a loop of pure register arithmetic (eight independent
//! multiply-add chains per thread, no memory), the host's ceiling for latency-bound code.
//!
//! The rows are those of the bench (the same workloads, paths and seeds): W1 two-noise
//! EM and its law-equivalent form (20 000 paths, T = 1, dt = 1e-3), the exit problem
//! from (−0.5, 1) with and without the bridge test (20 000 paths), Milstein with the Lévy
//! area (default and economical p) and EM at h = 1e-3 (2 000 paths), and the economical
//! row again with 20 000 paths.
//!
//! Run with `cargo run --release --example thread_scaling -- [pairs] [pause_ms]`
//! (default 7 pairs, no pause; well under a minute). Nothing here is a pass/fail test.
//!
//! **What it showed on the development VM (2 vCPUs).** The register loop scales
//! 1.95–1.99×, but the engine's rows moved with the host's idle and wake-up behaviour,
//! not with the code: without a pause, a worker of the other pool still spinning after
//! its job takes a core from the run being timed (a 6 ms run then scales 1.2×); with a
//! pause of 50 ms the idle vCPU is descheduled and has to be woken (the same 6 ms run:
//! 0.97×; a 130 ms exit run: 1.18×). The criterion bench runs its iterations back to
//! back, which avoids both, so docs/performance.md quotes the bench.

use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, ExitDomain, ExitSpec};
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::noise::LevyArea;
use saddle_sde::scheme::{EulerMaruyama, Milstein, ScalarScheme};
use saddle_sde::sde::ScalarSde;
use std::hint::black_box;
use std::time::Instant;

/// Eight independent multiply-add chains on each of `threads` threads, `n` rounds each.
fn register_loop(n: u64, threads: usize) {
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(move || {
                let mut a = [1.0f64, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7];
                for _ in 0..n {
                    for v in a.iter_mut() {
                        *v = *v * 0.999_999 + 1e-7;
                    }
                }
                black_box(a);
            });
        }
    });
}

/// Median, range and interquartile range of a sample (sorted in place).
fn summary(v: &mut [f64]) -> (f64, f64, f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let x = p * (v.len() - 1) as f64;
        let (i, f) = (x.floor() as usize, x.fract());
        if i + 1 < v.len() {
            v[i] * (1.0 - f) + v[i + 1] * f
        } else {
            v[i]
        }
    };
    (q(0.5), v[0], v[v.len() - 1], q(0.25), q(0.75))
}

type Job<'a> = Box<dyn Fn() + Sync + 'a>;

/// The terminal moments of `paths` paths to T on `grid` (seed 1, x0 = 0.1), with `p`
/// Lévy-area terms when given.
fn terminal<'a, S, Sch, const M: usize>(
    m: &'a S,
    scheme: &'a Sch,
    grid: Grid,
    paths: u64,
    p: Option<usize>,
) -> Job<'a>
where
    S: ScalarSde<M> + Sync,
    Sch: ScalarScheme<S, M> + Sync,
{
    Box::new(move || {
        let e = Ensemble::new(m, scheme)
            .start(0.1)
            .grid(grid)
            .paths(paths)
            .seed(1);
        let e = match p {
            Some(p) => e.area_terms(p),
            None => e,
        };
        black_box(e.terminal().expect("terminal").mean());
    })
}

/// The exits of 20 000 paths of EM under `spec` (seed 1).
fn exits<'a>(m: &'a SaddleSde, spec: &'a ExitSpec) -> Job<'a> {
    Box::new(move || {
        let s = Ensemble::new(m, &EulerMaruyama)
            .paths(20_000)
            .seed(1)
            .exits(spec)
            .expect("exits");
        black_box(s.censored());
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pairs: usize = std::env::args().nth(1).map_or(Ok(7), |s| s.parse())?;
    let pause_ms: u64 = std::env::args().nth(2).map_or(Ok(0), |s| s.parse())?;
    if pairs == 0 {
        return Err("pairs must be at least 1".into());
    }
    let pools = [1, 2].map(|t| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("thread pool")
    });
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    let law = LawEquivalentSaddle::new(m.clone());
    let grid = Grid::new(1.0, 1e-3)?;
    let spec = ExitSpec::new(ExitDomain::interval(-0.5, 1.0)?, 0.1, 50.0, 1e-3)?;
    let bridge = spec.clone().with_correction(Correction::Bridge);
    let none = spec.with_correction(Correction::None);
    let economical = LevyArea::economical(grid.h())?.terms();
    type Row<'a> = (&'a str, Job<'a>);
    let rows: Vec<Row> = vec![
        (
            "w1/em_two_noise",
            terminal(&m, &EulerMaruyama, grid, 20_000, None),
        ),
        (
            "w1/law_equivalent_em",
            terminal(&law, &EulerMaruyama, grid, 20_000, None),
        ),
        ("escape/bridge", exits(&m, &bridge)),
        ("escape/none", exits(&m, &none)),
        (
            "milstein/area (p = 5)",
            terminal(&m, &Milstein, grid, 2_000, None),
        ),
        (
            "milstein/area_economical",
            terminal(&m, &Milstein, grid, 2_000, Some(economical)),
        ),
        (
            "milstein/em",
            terminal(&m, &EulerMaruyama, grid, 2_000, None),
        ),
        (
            "milstein/area_economical, 20 000 paths",
            terminal(&m, &Milstein, grid, 20_000, Some(economical)),
        ),
        (
            "register loop (the host's ceiling)",
            Box::new(|| unreachable!("timed separately")),
        ),
    ];
    println!(
        "{pairs} pairs per row, each pair one run on 1 thread and one on 2, back to back, {pause_ms} ms pause before each run"
    );
    println!(
        "{:<40} {:>8} {:>15} {:>15} {:>12}",
        "row", "median", "range", "IQR", "1-thread s"
    );
    for (name, run) in &rows {
        let ceiling = name.starts_with("register");
        let time = |threads: usize| {
            std::thread::sleep(std::time::Duration::from_millis(pause_ms));
            let t = Instant::now();
            if ceiling {
                register_loop(100_000_000, threads);
            } else {
                pools[threads - 1].install(run);
            }
            t.elapsed().as_secs_f64()
        };
        // one warm-up of each
        let _ = (time(1), time(2));
        let mut ratios = Vec::with_capacity(pairs);
        let mut one = Vec::with_capacity(pairs);
        for k in 0..pairs {
            let (t1, t2) = if k % 2 == 0 {
                let t1 = time(1);
                (t1, time(2))
            } else {
                let t2 = time(2);
                (time(1), t2)
            };
            // two threads do twice the work in the ceiling loop, the same work otherwise
            ratios.push(if ceiling { 2.0 * t1 / t2 } else { t1 / t2 });
            one.push(t1);
        }
        let (med, lo, hi, q1, q3) = summary(&mut ratios);
        let (t1, ..) = summary(&mut one);
        println!(
            "{name:<40} {med:>7.2}× {:>15} {:>15} {t1:>12.6}",
            format!("{lo:.2}–{hi:.2}"),
            format!("{q1:.2}–{q3:.2}")
        );
    }
    Ok(())
}

//! Benchmark W1: the saddle SDE with (a, σ, τ, ρ, x0) = (1, 1, 0.5, 0.3, 0.1), T = 1,
//! dt = 1e-3, 100 000 paths, Euler–Maruyama, keeping only the terminal mean and
//! variance. Also times drawing the same number of standard normals alone (same
//! generator, same per-path seeding) and prints the ratio of the two times.
//!
//! Everything runs on one thread, so the rates are per core. Run with
//! `cargo bench --bench w1`. Also timed: the law-equivalent one-noise form with EM in
//! lock-step lanes (the distribution-only path) and with lone paths, Milstein on it, and
//! EM on it with two-point increments ±√h (simplified weak Euler, weak order 1).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand_distr::{Distribution, StandardNormal};
use saddle_sde::ensemble::{Ensemble, Increments, TerminalSummary};
use saddle_sde::integrate::{Grid, terminal};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::noise::path_rng;
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use std::hint::black_box;
use std::time::{Duration, Instant};

const PATHS: u64 = 100_000;
const STEPS: u64 = 1_000;

fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

/// The W1 ensemble: start 0.1, `PATHS` paths.
fn ensemble<'a, S, Sch, const M: usize>(
    m: &'a S,
    s: &'a Sch,
    grid: &Grid,
    seed: u64,
) -> Ensemble<'a, S, Sch, M>
where
    S: saddle_sde::sde::ScalarSde<M> + Sync,
    Sch: saddle_sde::scheme::ScalarScheme<S, M> + Sync,
{
    Ensemble::new(m, s)
        .start(0.1)
        .grid(*grid)
        .paths(PATHS)
        .seed(seed)
}

fn mean(s: TerminalSummary) -> f64 {
    s.mean()
}

/// W1 itself: EM, terminal mean and variance only.
fn w1_em(m: &SaddleSde, grid: &Grid) -> (f64, f64) {
    let s = ensemble(m, &EulerMaruyama, grid, 1).terminal().unwrap();
    (s.mean(), s.variance())
}

/// The same number of normals (two per path-step), same generator and seeding, summed.
fn normals_only(seed: u64) -> f64 {
    let mut total = 0.0;
    for i in 0..PATHS {
        let mut rng = path_rng(seed, i);
        let mut s = 0.0;
        for _ in 0..2 * STEPS {
            let z: f64 = StandardNormal.sample(&mut rng);
            s += z;
        }
        total += s;
    }
    total
}

/// Law-equivalent one-noise form with EM: one normal and one square root per step.
fn law_equivalent_em(m: &LawEquivalentSaddle, grid: &Grid) -> f64 {
    mean(
        ensemble(m, &EulerMaruyama, grid, black_box(1))
            .terminal()
            .unwrap(),
    )
}

/// One lone path at a time (no lock-step lanes), for comparison.
fn law_equivalent_em_lone(m: &LawEquivalentSaddle, grid: &Grid) -> f64 {
    let mut acc = 0.0;
    for i in 0..PATHS {
        acc += terminal(m, &EulerMaruyama, 0.1, grid, &mut path_rng(black_box(1), i))
            .unwrap()
            .x;
    }
    acc
}

fn time<F: FnMut() -> R, R>(mut f: F, reps: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..reps {
        black_box(f());
    }
    start.elapsed() / reps
}

fn bench(c: &mut Criterion) {
    let m = saddle_sde::fixtures::w1().model;
    let law = LawEquivalentSaddle::new(m.clone());
    let grid = Grid::new(1.0, 1e-3).unwrap();
    let pool = one_thread();
    let mut g = c.benchmark_group("w1");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(PATHS * STEPS));
    g.bench_function(BenchmarkId::new("em_two_noise", "1 thread"), |b| {
        b.iter(|| pool.install(|| black_box(w1_em(&m, &grid))))
    });
    g.bench_function(BenchmarkId::new("normals_only", "2 per step"), |b| {
        b.iter(|| black_box(normals_only(black_box(1))))
    });
    g.bench_function(BenchmarkId::new("law_equivalent_em", "1 thread"), |b| {
        b.iter(|| pool.install(|| black_box(law_equivalent_em(&law, &grid))))
    });
    g.bench_function(
        BenchmarkId::new("law_equivalent_em_lone_paths", "1 thread"),
        |b| b.iter(|| black_box(law_equivalent_em_lone(&law, &grid))),
    );
    g.bench_function(
        BenchmarkId::new("law_equivalent_em_two_point", "1 thread"),
        |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(mean(
                        ensemble(&law, &EulerMaruyama, &grid, black_box(1))
                            .increments(Increments::TwoPoint)
                            .terminal()
                            .unwrap(),
                    ))
                })
            })
        },
    );
    g.bench_function(
        BenchmarkId::new("law_equivalent_milstein", "1 thread"),
        |b| {
            b.iter(|| {
                pool.install(|| {
                    black_box(mean(
                        ensemble(&law, &Milstein, &grid, 1).terminal().unwrap(),
                    ))
                })
            })
        },
    );
    g.finish();

    // The ratio asked for by the W1 definition, from a direct timing of both.
    let t_em = time(|| pool.install(|| w1_em(&m, &grid)), 3);
    let t_norm = time(|| normals_only(black_box(1)), 3);
    let t_law = time(|| pool.install(|| law_equivalent_em(&law, &grid)), 3);
    let rate = (PATHS * STEPS) as f64 / t_em.as_secs_f64();
    println!(
        "W1: EM {:.3} s, normals alone {:.3} s, ratio {:.3}, {:.3e} path-steps/s, {:.2} ns per normal",
        t_em.as_secs_f64(),
        t_norm.as_secs_f64(),
        t_em.as_secs_f64() / t_norm.as_secs_f64(),
        rate,
        t_norm.as_secs_f64() * 1e9 / (2 * PATHS * STEPS) as f64
    );
    println!(
        "law-equivalent EM: {:.3} s, {:.3e} path-steps/s",
        t_law.as_secs_f64(),
        (PATHS * STEPS) as f64 / t_law.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);

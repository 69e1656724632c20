//! The throughput table of docs/performance.md, every row in one criterion run (so that
//! the ratios compare like with like on a noisy machine):
//!
//! | id | workload |
//! |---|---|
//! | `normals/bulk` | standard normals from `fill_standard_normals`, fills of 128 (the engine's block for two noises) on one path generator |
//! | `normals/rand_distr` | the same number from rand_distr's `StandardNormal` (its ziggurat) on a plain xoshiro256++ |
//! | `w1/em_two_noise` | W1: (a, σ, τ, ρ, x0) = (1, 1, 0.5, 0.3, 0.1), T = 1, dt = 1e-3, EM, terminal mean and variance |
//! | `w1/law_equivalent_em` | W1 in the law-equivalent one-noise form |
//! | `escape/bridge`, `escape/none` | exit from (−0.5, 1), x0 = 0.1, dt = 1e-3, horizon 50, EM on the two-noise model, with and without the Brownian-bridge correction |
//! | `milstein/area`, `milstein/em` | one step of Milstein with the Lévy area (p = 5 terms, `LevyArea::for_step`) against one EM step, h = 1e-3, the two-noise model; `milstein/area_p10` with 10 terms (before this release), `milstein/area_economical` with `LevyArea::economical`'s p = 1 (near the least cost at a given strong error to leading order, still order 1) |
//!
//! Each workload runs on a one-thread and on a two-thread rayon pool (`…/1` and
//! `…/2`). Throughput is in path-steps (or normals) per second. Run with
//! `cargo bench --bench throughput`; `-- w1` selects a group.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, ExitDomain, ExitSpec};
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::noise::{LevyArea, fill_standard_normals, path_rng};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use std::hint::black_box;
use std::time::Duration;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

fn w1() -> SaddleSde {
    saddle_sde::fixtures::w1().model
}

fn normals(c: &mut Criterion) {
    const N: usize = 2_000_000;
    let mut g = c.benchmark_group("normals");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("bulk", |b| {
        let mut buf = [0.0; 128];
        b.iter(|| {
            let mut rng = path_rng(1, 0);
            let mut s = 0.0;
            for _ in 0..N / 128 {
                fill_standard_normals(&mut rng, &mut buf);
                s += buf[0];
            }
            black_box(s)
        })
    });
    g.bench_function("rand_distr", |b| {
        b.iter(|| {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
            let mut s = 0.0;
            for _ in 0..N {
                let z: f64 = StandardNormal.sample(&mut rng);
                s += z;
            }
            black_box(s)
        })
    });
    g.finish();
}

fn w1_rows(c: &mut Criterion) {
    const PATHS: u64 = 20_000;
    let m = w1();
    let law = LawEquivalentSaddle::new(m.clone());
    let grid = Grid::new(1.0, 1e-3).expect("grid");
    let mut g = c.benchmark_group("w1");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(PATHS * 1000));
    for threads in [1, 2] {
        let p = pool(threads);
        g.bench_function(BenchmarkId::new("em_two_noise", threads), |b| {
            b.iter(|| {
                p.install(|| {
                    let s = Ensemble::new(&m, &EulerMaruyama)
                        .start(0.1)
                        .grid(grid)
                        .paths(PATHS)
                        .seed(1)
                        .terminal()
                        .expect("W1");
                    black_box((s.mean(), s.variance()))
                })
            })
        });
        g.bench_function(BenchmarkId::new("law_equivalent_em", threads), |b| {
            b.iter(|| {
                p.install(|| {
                    let s = Ensemble::new(&law, &EulerMaruyama)
                        .start(0.1)
                        .grid(grid)
                        .paths(PATHS)
                        .seed(1)
                        .terminal()
                        .expect("W1 law");
                    black_box((s.mean(), s.variance()))
                })
            })
        });
    }
    g.finish();
}

fn escape_rows(c: &mut Criterion) {
    const PATHS: u64 = 20_000;
    let m = w1();
    let domain = ExitDomain::interval(-0.5, 1.0).expect("domain");
    let mut g = c.benchmark_group("escape");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    // Path-steps per run, measured once for each correction (the mean exit time over
    // dt; without the bridge test paths exit later, so the two rows step different
    // numbers of path-steps), so that each row's throughput is in its own path-steps
    // per second.
    let spec = ExitSpec::new(domain, 0.1, 50.0, 1e-3).expect("spec");
    let rows = [("bridge", Correction::Bridge), ("none", Correction::None)].map(|(name, corr)| {
        let spec = spec.clone().with_correction(corr);
        let stats = Ensemble::new(&m, &EulerMaruyama)
            .paths(PATHS)
            .seed(1)
            .exits(&spec)
            .expect("exits");
        let steps = (stats.mean_exit_time().expect("exits").estimate / 1e-3 * PATHS as f64) as u64;
        println!("escape/{name}: {steps} path-steps per run of {PATHS} paths");
        (name, spec, steps)
    });
    for threads in [1, 2] {
        let p = pool(threads);
        for (name, spec, steps) in &rows {
            g.throughput(Throughput::Elements(*steps));
            g.bench_function(BenchmarkId::new(*name, threads), |b| {
                b.iter(|| {
                    p.install(|| {
                        black_box(
                            Ensemble::new(&m, &EulerMaruyama)
                                .paths(PATHS)
                                .seed(1)
                                .exits(spec)
                                .expect("exits")
                                .censored(),
                        )
                    })
                })
            });
        }
    }
    g.finish();
}

fn milstein_rows(c: &mut Criterion) {
    const PATHS: u64 = 2_000;
    let m = w1();
    let grid = Grid::new(1.0, 1e-3).expect("grid");
    let mut g = c.benchmark_group("milstein");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.throughput(Throughput::Elements(PATHS * 1000));
    for threads in [1, 2] {
        let p = pool(threads);
        // the default sampler (p = 5 at this h), the one before this release
        // (p = ⌈0.3/√h⌉ = 10, one thread only) and the economical rule (p = 1 at this h)
        let economical = LevyArea::economical(grid.h()).expect("h").terms();
        for (name, terms) in [
            ("area", None),
            ("area_p10", Some(10)),
            ("area_economical", Some(economical)),
        ] {
            if threads > 1 && terms == Some(10) {
                continue;
            }
            g.bench_function(BenchmarkId::new(name, threads), |b| {
                b.iter(|| {
                    p.install(|| {
                        let e = Ensemble::new(&m, &Milstein)
                            .start(0.1)
                            .grid(grid)
                            .paths(PATHS)
                            .seed(1);
                        let e = match terms {
                            Some(t) => e.area_terms(t),
                            None => e,
                        };
                        black_box(e.terminal().expect("Milstein").mean())
                    })
                })
            });
        }
        g.bench_function(BenchmarkId::new("em", threads), |b| {
            b.iter(|| {
                p.install(|| {
                    black_box(
                        Ensemble::new(&m, &EulerMaruyama)
                            .start(0.1)
                            .grid(grid)
                            .paths(PATHS)
                            .seed(1)
                            .terminal()
                            .expect("EM")
                            .mean(),
                    )
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, normals, w1_rows, escape_rows, milstein_rows);
criterion_main!(benches);

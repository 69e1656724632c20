//! # Strong error against cost: Euler–Maruyama and Milstein with the Lévy area
//!
//! On the saddle SDE with non-commuting noise (W1's parameters, T = 1, x0 = 0.1) this
//! example measures, for each step h:
//!
//! - the **strong error** E|x_T^h − x_T| of EM and of Milstein (with the Lévy area)
//!   against the closed-form pathwise solution on the same Brownian path (fine step
//!   2⁻¹⁴ with areas, coarsened exactly by Chen's relation), over 2 000 paths, with its
//!   standard error;
//! - the **cost** of one path to T in nanoseconds, timed on one thread with the
//!   ensemble engine (lock-step lanes, bulk normals), 20 000 paths per timing.
//!
//! and prints both, so that the cost to reach a given strong error can be read off
//! (docs/performance.md plots it). Milstein's area needs `4p + 1` normals per step with
//! p = ⌈0.3/√h⌉, so its cost per step grows like h^(−1/2) and its cost per path like
//! h^(−3/2), against EM's h^(−1); its error falls like h against EM's h^(1/2).
//!
//! Run with `cargo run --release --example strong_error_cost`.

use rayon::prelude::*;
use saddle_sde::analytic::saddle::pathwise_terminal;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::integrate::{Grid, terminal_on_path};
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::{BrownianPath, LevyArea, path_rng};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use std::time::Instant;

/// Mean and standard error of a sample.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Nanoseconds per path to T = 1 at step `h`, best of three timings on one thread.
fn cost<Sch>(model: &SaddleSde, scheme: &Sch, h: f64, paths: u64) -> f64
where
    Sch: saddle_sde::scheme::ScalarScheme<SaddleSde, 2> + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let grid = Grid::new(1.0, h).expect("grid");
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let s = pool.install(|| {
                Ensemble::new(model, scheme)
                    .start(0.1)
                    .grid(grid)
                    .paths(paths)
                    .seed(1)
                    .terminal()
                    .expect("run")
            });
            std::hint::black_box(s.mean());
            t.elapsed().as_secs_f64() * 1e9 / paths as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() -> Result<(), saddle_sde::Error> {
    let model = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    let fine_log = 14u32;
    let fine = 1usize << fine_log;
    let areas = LevyArea::for_step(1.0 / fine as f64)?;
    let logs = [4u32, 5, 6, 7, 8, 9, 10];
    let paths = 2_000u64;
    // errors[path][level] for EM and Milstein
    let errors: Vec<[[f64; 7]; 2]> = (0..paths)
        .into_par_iter()
        .map(|i| {
            let path = BrownianPath::<2>::sample(&mut path_rng(77, i), 1.0, fine, Some(&areas))
                .expect("path");
            let exact = pathwise_terminal(&model, 0.1, path.steps());
            let mut e = [[0.0; 7]; 2];
            for (k, &lg) in logs.iter().enumerate() {
                let steps = path.coarsen(1 << (fine_log - lg)).expect("coarsen");
                e[0][k] = (terminal_on_path(&model, &EulerMaruyama, 0.1, &steps)
                    .expect("EM")
                    .x
                    - exact)
                    .abs();
                e[1][k] = (terminal_on_path(&model, &Milstein, 0.1, &steps)
                    .expect("Milstein")
                    .x
                    - exact)
                    .abs();
            }
            e
        })
        .collect();
    println!(
        "{:>10} {:>22} {:>14} {:>22} {:>14} {:>6}",
        "h", "EM error ± se", "EM ns/path", "Milstein error ± se", "Mil ns/path", "p"
    );
    for (k, &lg) in logs.iter().enumerate() {
        let h = 0.5f64.powi(lg as i32);
        let em: Vec<f64> = errors.iter().map(|e| e[0][k]).collect();
        let mil: Vec<f64> = errors.iter().map(|e| e[1][k]).collect();
        let (em_m, em_se) = mean_se(&em);
        let (mil_m, mil_se) = mean_se(&mil);
        let timing_paths = (2e7 * h).clamp(2_000.0, 20_000.0) as u64;
        let c_em = cost(&model, &EulerMaruyama, h, timing_paths);
        let c_mil = cost(&model, &Milstein, h, timing_paths / 4);
        println!(
            "{h:>10.6} {:>12.3e} ± {:>7.1e} {c_em:>14.0} {:>12.3e} ± {:>7.1e} {c_mil:>14.0} {:>6}",
            em_m,
            em_se,
            mil_m,
            mil_se,
            LevyArea::for_step(h)?.terms()
        );
    }
    Ok(())
}

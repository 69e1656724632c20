//! # W1 throughput: terminal moments of the saddle SDE on a given number of threads
//!
//! The foundation workload W1: `(a, σ, τ, ρ, x0) = (1, 1, 0.5, 0.3, 0.1)`, `T = 1`,
//! `dt = 1e-3`, 100 000 paths, Euler–Maruyama on the two-noise model, keeping only the
//! terminal mean and variance ([`Ensemble::terminal`]). Prints the wall time, the path
//! and step rates, and the moments (which must not depend on the thread count).
//!
//! Run with `cargo run --release --example w1_throughput -- <threads> [paths]`.

use saddle_sde::{ensemble::Ensemble, integrate::Grid, models::SaddleSde, scheme::EulerMaruyama};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().map_or(Ok(1), |s| s.parse())?;
    let paths: u64 = args.next().map_or(Ok(100_000), |s| s.parse())?;
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    let grid = Grid::new(1.0, 1e-3)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let start = Instant::now();
    let s = pool.install(|| {
        Ensemble::new(&m, &EulerMaruyama)
            .start(0.1)
            .grid(grid)
            .paths(paths)
            .seed(1)
            .terminal()
    })?;
    let secs = start.elapsed().as_secs_f64();
    let steps = paths as f64 * grid.steps() as f64;
    println!(
        "W1 threads={threads} paths={paths} wall={secs:.3}s paths/s={:.0} steps/s={:.3e} mean={:.6} var={:.6}",
        paths as f64 / secs,
        steps / secs,
        s.mean(),
        s.variance()
    );
    Ok(())
}

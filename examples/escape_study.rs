//! # Escape study: how long noisy gradient descent lingers at a saddle
//!
//! Along the unstable axis of a saddle, noisy gradient descent follows
//! `dx = a x dt + σ x dW + τ dU`. The blog's point is that the multiplicative noise
//! `σ` lowers the growth rate to `a − σ²/2`, so for `σ²/(2a) > 1` the saddle becomes
//! *attractive*: descent no longer flees it at an exponential rate.
//!
//! This example prints two tables, exact references next to Monte Carlo (EM with the
//! Brownian-bridge exit correction on the two-noise saddle SDE):
//!
//! 1. the mean exit time from `(−R, R)` and the probability of leaving before a
//!    horizon `H`, against `σ²/(2a)` from 0.25 to 3 at fixed `τ`, `ρ`;
//! 2. the mean exit time against the radius `R` on each side of the transition: for
//!    large `R` it grows like `ln R / (a − σ²/2)` below it (slope 2 per unit of
//!    `ln R` at `σ²/(2a) = 0.5`), and like `R^{1 − 2a/σ²}` above it (`√R` at
//!    `σ²/(2a) = 2`, with `ln R` corrections at moderate `R`), because the recurrent
//!    path keeps coming back to the saddle.
//!
//! The exact mean exit time comes from the speed measure (nested quadrature), and
//! `P(T ≤ H)` from the backward Kolmogorov equation (Crank–Nicolson).
//!
//! Run with `cargo run --release --example escape_study [paths] [dt]`
//! (defaults 10 000 paths per row, dt = 1e-3). The same tables come from
//! `saddle escape-study`.

// The tables are application code shared with the `saddle escape-study` command: one
// file, compiled into both.
#[path = "../cli/src/tables.rs"]
mod tables;

use saddle_sde::escape::Estimate;
use tables::{StudyConfig, radius_table, transition_table};

fn mc(e: Option<Estimate>) -> String {
    e.map_or("censored".into(), |e| {
        format!("{:.4} ± {:.4}", e.estimate, e.stderr)
    })
}

fn main() -> Result<(), saddle_sde::Error> {
    let mut args = std::env::args().skip(1);
    let mut cfg = StudyConfig::default();
    if let Some(p) = args.next().and_then(|s| s.parse().ok()) {
        cfg.paths = p;
    }
    if let Some(dt) = args.next().and_then(|s| s.parse().ok()) {
        cfg.dt = dt;
    }
    println!(
        "a = {}, τ = {}, ρ = {}, x0 = {}; Monte Carlo: {} paths per row, dt = {}",
        cfg.a, cfg.tau, cfg.rho, cfg.x0, cfg.paths, cfg.dt
    );
    println!(
        "\n1. Across the transition: exit from (−{r}, {r}), horizon H = {h}",
        r = cfg.radius,
        h = cfg.horizon
    );
    println!(
        "{:>8} {:>12} {:>20} {:>12} {:>20}",
        "σ²/(2a)", "E[T] exact", "E[T] MC", "P(T≤H) PDE", "P(T≤H) MC"
    );
    for r in transition_table(&cfg, |_, _| {})? {
        println!(
            "{:>8.2} {:>12.4} {:>20} {:>12.4} {:>20}",
            r.ratio,
            r.mean_exact,
            mc(r.mean_mc),
            r.p_before_exact,
            r.p_before_mc.wilson(0.95).map(|w| format!(
                "{:.3} [{:.3}, {:.3}]",
                r.p_before_mc.estimate(),
                w.lower,
                w.upper
            ))?
        );
    }
    println!("\n2. Mean exit time from (−R, R) against R");
    println!(
        "{:>8} {:>6} {:>12} {:>20}",
        "σ²/(2a)", "R", "E[T] exact", "E[T] MC"
    );
    for r in radius_table(&cfg, |_, _| {})? {
        println!(
            "{:>8.2} {:>6.1} {:>12.4} {:>20}",
            r.ratio,
            r.radius,
            r.mean_exact,
            mc(r.mean_mc)
        );
    }
    Ok(())
}

//! `saddle escape-study`: the two tables of the escape study.

use crate::output::{with_threads, Progress};
use crate::tables::{radius_table, transition_table, StudyConfig};
use saddle_sde::escape::Estimate;

/// Arguments of `saddle escape-study`.
#[derive(Debug, Clone, clap::Args)]
pub struct StudyArgs {
    /// Drift rate a > 0.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub a: f64,
    /// Additive noise τ.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub tau: f64,
    /// Correlation ρ.
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    pub rho: f64,
    /// Half-width R of the interval (−R, R) in the transition table.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub radius: f64,
    /// Horizon H of P(T ≤ H).
    #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
    pub horizon: f64,
    /// Monte Carlo time step.
    #[arg(long, default_value_t = 1e-3, allow_negative_numbers = true)]
    pub dt: f64,
    /// Monte Carlo paths per row.
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub paths: u64,
    /// Seed.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the tables as JSON.
    #[arg(long)]
    pub json: bool,
}

fn mc(e: Option<Estimate>) -> String {
    e.map_or("censored".into(), |e| {
        format!("{:.4} ± {:.4}", e.estimate, e.stderr)
    })
}

/// Runs `saddle escape-study`.
pub fn run(args: StudyArgs) -> anyhow::Result<()> {
    let cfg = StudyConfig {
        a: args.a,
        tau: args.tau,
        rho: args.rho,
        radius: args.radius,
        horizon: args.horizon,
        dt: args.dt,
        paths: args.paths,
        seed: args.seed,
        ..StudyConfig::default()
    };
    let (transition, radius) = with_threads(args.threads, || {
        let mut p = Progress::new("transition");
        let t = transition_table(&cfg, |d, n| p.update(d as u64, n as u64));
        let mut p = Progress::new("radius");
        let r = radius_table(&cfg, |d, n| p.update(d as u64, n as u64));
        (t, r)
    })?;
    let (transition, radius) = (transition?, radius?);
    if args.json {
        let v = serde_json::json!({ "transition": transition, "radius": radius });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "Escape of dx = a x dt + σ x dW + τ dU from (−R, R), a = {}, τ = {}, ρ = {}, x0 = {}, \
         MC: EM + bridge, dt = {}, {} paths/row",
        cfg.a, cfg.tau, cfg.rho, cfg.x0, cfg.dt, cfg.paths
    );
    println!(
        "\nMean exit time and P(T ≤ {}) across the transition, R = {}",
        cfg.horizon, cfg.radius
    );
    println!(
        "{:>8} {:>7} {:>12} {:>20} {:>12} {:>20}",
        "σ²/(2a)", "σ", "E[T] exact", "E[T] MC", "P exact", "P MC"
    );
    for r in &transition {
        println!(
            "{:>8.3} {:>7.4} {:>12.5} {:>20} {:>12.5} {:>20}",
            r.ratio,
            r.sigma,
            r.mean_exact,
            mc(r.mean_mc),
            r.p_before_exact,
            mc(Some(r.p_before_mc))
        );
    }
    println!("\nMean exit time against the radius R");
    println!(
        "{:>8} {:>7} {:>14} {:>22}",
        "σ²/(2a)", "R", "E[T] exact", "E[T] MC"
    );
    for r in &radius {
        println!(
            "{:>8.3} {:>7.3} {:>14.5} {:>22}",
            r.ratio,
            r.radius,
            r.mean_exact,
            mc(r.mean_mc)
        );
    }
    Ok(())
}

//! `saddle escape-study`: the two tables of the escape study.

use crate::output::{DEFAULT_SEED, Progress, Table, num, with_threads};
use crate::tables::{StudyConfig, radius_table, transition_table};
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
    /// Seed (row k of the transition table uses seed + k).
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Values of σ²/(2a) of the transition table, comma-separated (each finite, ≥ 0).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true,
          default_values_t = [0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0])]
    pub ratios: Vec<f64>,
    /// Radii R of the radius table, comma-separated (each finite, > 0).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true,
          default_values_t = [0.5, 1.0, 2.0, 4.0, 8.0])]
    pub radii: Vec<f64>,
    /// Values of σ²/(2a) of the radius table, comma-separated (each finite, ≥ 0).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true,
          default_values_t = [0.5, 2.0])]
    pub radius_ratios: Vec<f64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the tables as JSON.
    #[arg(long)]
    pub json: bool,
}

fn mc(e: Option<Estimate>) -> String {
    e.map_or("censored".into(), |e| {
        format!("{} ± {}", num(e.estimate), num(e.stderr))
    })
}

/// A proportion with its 95% Wilson interval.
fn wilson(p: &saddle_sde::uncertainty::Proportion) -> String {
    match p.wilson(0.95) {
        Ok(w) => format!("{} [{}, {}]", num(p.estimate()), num(w.lower), num(w.upper)),
        Err(e) => e.to_string(),
    }
}

/// Checks a list option: non-empty, every value finite and `> 0` (or `≥ 0`).
fn check_list(name: &str, values: &[f64], zero_ok: bool) -> anyhow::Result<()> {
    anyhow::ensure!(
        !values.is_empty(),
        "invalid parameter {name}: give at least one value"
    );
    for &v in values {
        let ok = v.is_finite() && (v > 0.0 || (zero_ok && v == 0.0));
        let allowed = if zero_ok { ">= 0" } else { "> 0" };
        anyhow::ensure!(
            ok,
            "invalid parameter {name} = {v}: must be finite and {allowed}"
        );
    }
    Ok(())
}

/// Runs `saddle escape-study`.
pub fn run(args: StudyArgs) -> anyhow::Result<()> {
    check_list("ratios", &args.ratios, true)?;
    check_list("radii", &args.radii, false)?;
    check_list("radius-ratios", &args.radius_ratios, true)?;
    let cfg = StudyConfig {
        ratios: args.ratios.clone(),
        radii: args.radii.clone(),
        radius_ratios: args.radius_ratios.clone(),
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
         MC: scheme em + bridge, dt = {}, {} paths/row, seed {}",
        cfg.a, cfg.tau, cfg.rho, cfg.x0, cfg.dt, cfg.paths, cfg.seed
    );
    println!(
        "\nMean exit time and P(T ≤ {}) across the transition, R = {}",
        cfg.horizon, cfg.radius
    );
    let mut t = Table::new(&[
        "σ²/(2a)",
        "σ",
        "E[T] exact",
        "E[T] MC ± s.e.",
        "P exact",
        "P MC ± s.e.",
    ]);
    for r in &transition {
        t.row(&[
            num(r.ratio),
            num(r.sigma),
            num(r.mean_exact),
            mc(r.mean_mc),
            num(r.p_before_exact),
            wilson(&r.p_before_mc),
        ]);
    }
    print!("{}", t.render());
    println!("\nMean exit time against the radius R");
    let mut t = Table::new(&["σ²/(2a)", "R", "E[T] exact", "E[T] MC ± s.e."]);
    for r in &radius {
        t.row(&[
            num(r.ratio),
            num(r.radius),
            num(r.mean_exact),
            mc(r.mean_mc),
        ]);
    }
    print!("{}", t.render());
    Ok(())
}

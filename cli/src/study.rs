//! `saddle escape-study`: the two tables of the escape study.

use crate::output::{DEFAULT_SEED, Progress, Table, VERSION, num, short, with_threads};
use crate::parts::{self, CheckpointArgs};
use crate::tables::{
    RadiusRow, StudyConfig, TransitionRow, radius_row, radius_rows, transition_row,
};
use saddle_sde::escape::Estimate;
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;

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
    /// Checkpoints of the study (a unit of work is a row of a table).
    #[command(flatten)]
    pub checkpoint: CheckpointArgs,
}

/// The rows finished so far: the state a checkpoint holds. Each row's numbers depend on
/// the input and its index only (row k of the transition table uses seed + k, row j of
/// the radius table seed + 1000 + j), so the rows left can be run after a restart.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StudyState {
    transition_rows: u64,
    radius_rows: u64,
    transition: Vec<TransitionRow>,
    radius: Vec<RadiusRow>,
}

impl StudyState {
    fn done(&self) -> u64 {
        (self.transition.len() + self.radius.len()) as u64
    }
    fn total(&self) -> u64 {
        self.transition_rows + self.radius_rows
    }
}

impl parts::State for StudyState {
    fn marks(&self) -> ((u64, u64), u64, bool) {
        ((0, self.total()), self.done(), self.done() == self.total())
    }
    fn sound(&self) -> bool {
        self.transition.len() as u64 <= self.transition_rows
            && self.radius.len() as u64 <= self.radius_rows
            && (self.radius.is_empty() || self.transition.len() as u64 == self.transition_rows)
    }
    fn done_text(&self) -> String {
        format!("{} of {} rows", self.done(), self.total())
    }
}

/// The full input of the study: what a checkpoint must match.
fn input(cfg: &StudyConfig) -> serde_json::Value {
    serde_json::json!({
        "command": "escape-study",
        "version": VERSION,
        "a": cfg.a, "tau": cfg.tau, "rho": cfg.rho, "x0": cfg.x0, "radius": cfg.radius,
        "horizon": cfg.horizon, "ratios": cfg.ratios, "radii": cfg.radii,
        "radius_ratios": cfg.radius_ratios, "dt": cfg.dt, "paths": cfg.paths,
        "seed": cfg.seed, "mean_horizon": cfg.mean_horizon,
    })
}

/// Runs the rows `state` still lacks, calling `after` after each.
fn run_rows(
    cfg: &StudyConfig,
    state: &mut StudyState,
    after: &mut (dyn FnMut(&StudyState) -> ControlFlow<()> + Send),
) -> saddle_sde::Result<()> {
    let mut p = Progress::new("transition");
    while state.transition.len() < cfg.ratios.len() {
        state
            .transition
            .push(transition_row(cfg, state.transition.len())?);
        p.update(state.transition.len() as u64, cfg.ratios.len() as u64);
        if after(state).is_break() {
            return Ok(());
        }
    }
    let mut p = Progress::new("radius");
    let total = radius_rows(cfg);
    while state.radius.len() < total {
        state.radius.push(radius_row(cfg, state.radius.len())?);
        p.update(state.radius.len() as u64, total as u64);
        if after(state).is_break() {
            return Ok(());
        }
    }
    Ok(())
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

/// Checks one scalar option, named as it is typed.
fn check_scalar(name: &str, v: f64, ok: bool, allowed: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        ok,
        "invalid parameter {name} = {}: must be {allowed}",
        short(v)
    );
    Ok(())
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
            "invalid parameter {name} = {}: must be finite and {allowed}",
            short(v)
        );
    }
    Ok(())
}

/// Runs `saddle escape-study`.
pub fn run(args: StudyArgs) -> anyhow::Result<()> {
    // every option checked here, under the name it is typed with, before the tables
    // build their models and intervals from it
    check_scalar(
        "a",
        args.a,
        args.a > 0.0 && args.a.is_finite(),
        "finite and > 0",
    )?;
    check_scalar("tau", args.tau, args.tau.is_finite(), "finite")?;
    check_scalar(
        "rho",
        args.rho,
        (-1.0..=1.0).contains(&args.rho),
        "in [-1, 1]",
    )?;
    let positive = |v: f64| v > 0.0 && v.is_finite();
    check_scalar(
        "radius",
        args.radius,
        positive(args.radius),
        "finite and > 0",
    )?;
    check_scalar(
        "horizon",
        args.horizon,
        positive(args.horizon),
        "finite and > 0",
    )?;
    check_scalar("dt", args.dt, positive(args.dt), "finite and > 0")?;
    anyhow::ensure!(args.paths >= 1, "invalid parameter paths = 0: must be >= 1");
    // the longest rows: the mean-exit-time runs go up to their own cap (1000), the
    // probability runs to --horizon
    let longest = args.horizon.max(StudyConfig::default().mean_horizon);
    let steps = longest / args.dt;
    anyhow::ensure!(
        steps <= 1e12,
        "invalid parameter dt = {}: runs of up to {} time units (--horizon, and the mean \
         exit time's cap) need {} steps per path, more than 1e12",
        short(args.dt),
        short(longest),
        short(steps.ceil())
    );
    crate::output::check_cost("escape-study", args.paths, steps.ceil() as usize)?;
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
    // a reference or a run that fails: say at which options
    let list = |v: &[f64]| v.iter().map(|&r| short(r)).collect::<Vec<_>>().join(",");
    let at = |e: saddle_sde::Error| {
        anyhow::anyhow!(
            "{e} (at --a {} --tau {} --rho {} --radius {} --ratios {} --radii {} \
             --radius-ratios {} --horizon {} --dt {}; sigma² = ratio·2a)",
            short(args.a),
            short(args.tau),
            short(args.rho),
            short(args.radius),
            list(&args.ratios),
            list(&args.radii),
            list(&args.radius_ratios),
            short(args.horizon),
            short(args.dt)
        )
    };
    let state = parts::checkpointed(
        &args.checkpoint.parts(),
        &parts::header("escape-study", &input(&cfg)),
        || {
            Ok(StudyState {
                transition_rows: cfg.ratios.len() as u64,
                radius_rows: radius_rows(&cfg) as u64,
                transition: Vec::new(),
                radius: Vec::new(),
            })
        },
        |state, after| with_threads(args.threads, || run_rows(&cfg, state, after))?.map_err(at),
    )?;
    let (transition, radius) = (state.transition, state.radius);
    if args.json {
        let v = serde_json::json!({ "transition": transition, "radius": radius });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "Escape of dx = a x dt + σ x dW + τ dU from (−R, R), a = {}, τ = {}, ρ = {}, x0 = {}, \
         MC: scheme em + bridge, dt = {}, {} paths/row, seed {}",
        short(cfg.a),
        short(cfg.tau),
        cfg.rho,
        short(cfg.x0),
        short(cfg.dt),
        cfg.paths,
        cfg.seed
    );
    println!(
        "\nMean exit time and P(T ≤ {}) across the transition, R = {}",
        short(cfg.horizon),
        short(cfg.radius)
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

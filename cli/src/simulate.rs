//! `saddle simulate`: terminal statistics of an ensemble beside the exact moments,
//! each with its uncertainty.

use crate::output::{
    DEFAULT_SEED, FileFormat, Progress, Table, VERSION, check_cost, file_format, num, short,
    with_threads, write_atomic,
};
use crate::parts::{self, Outcome, PartArgs};
use crate::scheme::SchemeArg;
use anyhow::Result;
use clap::Args;
use saddle_sde::analytic::saddle as exact;
use saddle_sde::ensemble::{
    Ensemble, Histogram, Increments, Partial, TerminalObs, TerminalSummary,
};
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::uncertainty::{ExactMoments, Proportion, QuantileInterval, mean_report};
use serde_json::{Value, json};
use std::ops::ControlFlow;
use std::path::PathBuf;

/// Arguments of `saddle simulate`. The defaults are benchmark W1 with fewer paths.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Drift rate a (> 0: unstable axis of the saddle).
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub a: f64,
    /// Multiplicative (attractive) noise σ ≥ 0.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub sigma: f64,
    /// Additive (diffusive) noise τ.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub tau: f64,
    /// Correlation ρ of W and U, in [−1, 1].
    #[arg(long, default_value_t = 0.3, allow_hyphen_values = true)]
    pub rho: f64,
    /// Initial state x0.
    #[arg(long, default_value_t = 0.1, allow_hyphen_values = true)]
    pub x0: f64,
    /// End time T.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub t: f64,
    /// Time step (the grid uses the largest step ≤ dt that divides T).
    #[arg(long, default_value_t = 1e-3, allow_hyphen_values = true)]
    pub dt: f64,
    /// Number of paths.
    #[arg(long, default_value_t = 100_000)]
    pub paths: u64,
    /// Seed; path i uses the generator of (seed, i).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Scheme and model form (the same meaning in every subcommand).
    #[arg(long, value_enum, default_value_t = SchemeArg::Em)]
    pub scheme: SchemeArg,
    /// Confidence of the quantile and proportion intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the result, with the full input, to FILE (.json or .csv), atomically;
    /// with --shard, the shard's file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Checkpoints, resumption and shards.
    #[command(flatten)]
    pub parts: PartArgs,
}

/// The part of a run this command folds paths into, and what it calls after each batch.
type Part<'p> = (
    &'p mut Partial<TerminalSummary>,
    &'p mut (dyn FnMut(&Partial<TerminalSummary>) -> ControlFlow<()> + Send),
);

/// Paths of the pilot run that sets the histogram's range.
const PILOT: u64 = 2_000;
/// Bins of the terminal-value histogram.
const BINS: usize = 20_000;

/// Runs the chosen scheme and model form: moments, blow-ups and a histogram of the
/// terminal values. The histogram's range comes from a pilot of the first paths (their
/// 0.1% and 99.9% sample quantiles, widened by half the span each side); quantiles
/// outside it come out as unbounded interval ends, never wrong ones.
fn run_ensemble(args: &SimulateArgs, model: &SaddleSde, grid: &Grid, part: Part) -> Result<()> {
    use saddle_sde::scheme::{EulerMaruyama, Milstein};
    let law = LawEquivalentSaddle::new(model.clone());
    let increments = match args.scheme {
        SchemeArg::LawTwoPoint => Increments::TwoPoint,
        _ => Increments::Gaussian,
    };
    macro_rules! ens {
        ($m:expr, $s:expr) => {
            summarise(
                || {
                    Ensemble::new($m, $s)
                        .start(args.x0)
                        .grid(*grid)
                        .seed(args.seed)
                        .increments(increments)
                },
                args,
                grid,
                part,
            )
        };
    }
    match args.scheme {
        SchemeArg::Em => ens!(model, &EulerMaruyama),
        SchemeArg::Milstein => ens!(model, &Milstein),
        SchemeArg::LawEm | SchemeArg::LawTwoPoint => ens!(&law, &EulerMaruyama),
        SchemeArg::LawMilstein => ens!(&law, &Milstein),
    }
}

/// The pilot and the main run of one ensemble (`make` builds it afresh for each).
fn summarise<'a, S, Sch, const M: usize>(
    make: impl Fn() -> Ensemble<'a, S, Sch, M> + Sync,
    args: &SimulateArgs,
    grid: &Grid,
    (part, after): Part,
) -> Result<()>
where
    S: saddle_sde::sde::ScalarSde<M> + Sync + 'a,
    Sch: saddle_sde::scheme::ScalarScheme<S, M> + Sync + 'a,
{
    let pilot = args.paths.min(PILOT);
    let snap = with_threads(args.threads, || {
        make().paths(pilot).snapshots(&[grid.t_end()], pilot)
    })??;
    let mut xs = snap.kept;
    xs.retain(|x| x.is_finite());
    xs.sort_by(f64::total_cmp);
    let mut obs = TerminalObs::new();
    if !xs.is_empty() {
        let q = |f: f64| xs[((f * (xs.len() - 1) as f64).round() as usize).min(xs.len() - 1)];
        let (lo, hi) = (q(0.001), q(0.999));
        let pad = 0.5 * (hi - lo).max(1e-12 * lo.abs().max(1.0));
        // a pilot range past f64 (values near ±1e308) gives no histogram: the quantiles
        // are then reported as not available
        if let Ok(h) = Histogram::new(lo - pad, hi + pad, BINS) {
            obs = obs.histogram(h)?;
        }
    }
    with_threads(args.threads, || {
        let mut progress = Progress::new("simulate");
        make()
            .paths(args.paths)
            .progress(|d, t| progress.update(d, t))
            .observe_part(&obs, part, after)
    })??;
    Ok(())
}

/// The full input, recorded in every output.
fn input(args: &SimulateArgs, grid: &Grid) -> Value {
    json!({
        "command": "simulate",
        "version": VERSION,
        "a": args.a, "sigma": args.sigma, "tau": args.tau, "rho": args.rho,
        "x0": args.x0, "t": grid.t_end(),
        "dt_requested": args.dt, "dt": grid.h(), "steps": grid.steps(),
        "paths": args.paths, "seed": args.seed, "scheme": args.scheme.name(),
        "confidence": args.confidence,
    })
}

/// Runs the command.
pub fn run(args: SimulateArgs) -> Result<()> {
    let model = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    let grid = Grid::new(args.t, args.dt)?;
    if !(args.confidence > 0.0 && args.confidence < 1.0) {
        anyhow::bail!(
            "invalid parameter confidence = {}: must be in (0, 1)",
            args.confidence
        );
    }
    if args.paths < 2 {
        anyhow::bail!(
            "invalid parameter paths = {}: must be >= 2 (a standard error needs two paths)",
            args.paths
        );
    }
    check_cost("simulate", args.paths, grid.steps())?;
    if args.parts.shard.is_none() {
        args.out.as_deref().map(file_format).transpose()?;
    }
    let start = std::time::Instant::now();
    let outcome = parts::drive(
        &args.parts,
        parts::header("simulate", &input(&args, &grid)),
        args.paths,
        args.out.as_deref(),
        |part, after| run_ensemble(&args, &model, &grid, (part, after)),
    )?;
    match outcome {
        Outcome::Done(summary) => report(&args, &summary, Some(start.elapsed().as_secs_f64())),
        Outcome::ShardWritten { path, paths } => {
            parts::shard_done(&path, &paths, &args.parts);
            Ok(())
        }
    }
}

/// Prints (and with --out writes) the result of a finished run, here or in
/// `saddle merge` (`seconds`: the run's wall time, when it ran in one piece).
pub fn report(args: &SimulateArgs, ens: &TerminalSummary, seconds: Option<f64>) -> Result<()> {
    let model = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    let grid = Grid::new(args.t, args.dt)?;
    let format = args.out.as_deref().map(file_format).transpose()?;
    let t = grid.t_end();
    let n = ens.moments.count();
    // no statistics of fewer than two finite terminal values: say why, by the options
    anyhow::ensure!(
        n >= 2,
        "no terminal statistics: {} of {} paths blew up (|x| past the bound or not finite) \
         before t = {t} at --a {} --sigma {} --tau {} --rho {} --x0 {} --dt {}; at least 2 \
         must stay finite (shorten --t or --dt, or lower --a and --sigma)",
        ens.blown_up,
        args.paths,
        short(args.a),
        short(args.sigma),
        short(args.tau),
        short(args.rho),
        short(args.x0),
        short(args.dt)
    );
    let exact_moments = ExactMoments {
        mean: Some(exact::mean(&model, args.x0, t)),
        variance: Some(exact::variance(&model, args.x0, t)),
        fourth_central: Some(exact::fourth_central_moment(&model, args.x0, t)),
    };
    let (em, ev, m4) = (
        exact_moments.mean.unwrap_or(f64::NAN),
        exact_moments.variance.unwrap_or(f64::NAN),
        exact_moments.fourth_central.unwrap_or(f64::NAN),
    );
    let mean = mean_report(ens.moments.mean(), ens.moments.variance(), n, exact_moments)?;
    // the sample variance's standard error √((μ₄ − Var²)/n), from the exact moments
    let var_se = ((m4 - ev * ev).max(0.0) / n as f64).sqrt();
    let var_est = ens.moments.variance();
    let blown = Proportion::new(ens.blown_up, args.paths)?;
    let blown_iv = blown.wilson(args.confidence)?;
    let quantiles: Vec<QuantileInterval> = match &ens.histogram {
        Some(h) if h.total() > 0 => [0.1, 0.5, 0.9]
            .iter()
            .map(|&p| QuantileInterval::from_histogram(h, p, args.confidence))
            .collect::<saddle_sde::Result<_>>()?,
        _ => Vec::new(),
    };
    let heavy = mean.heavy_tail.map(|h| h.to_string());
    let record = json!({
        "input": input(args, &grid),
        "mean": {
            "estimate": mean.estimate,
            "stderr": mean.stderr,
            "stderr_from": if mean.uses_exact_variance() { "exact variance" } else { "sample variance" },
            "sample_stderr": mean.sample_stderr,
            "z": mean.z,
        },
        "variance": {"estimate": var_est, "stderr": var_se, "z": (var_est - ev) / var_se},
        "exact": {"mean": em, "variance": ev, "fourth_central_moment": m4},
        "heavy_tail": heavy,
        "quantiles": quantiles.iter().map(|q| json!({
            "p": q.p, "estimate": q.estimate, "lower": q.lower, "upper": q.upper,
            "confidence": q.confidence, "interval": q.label(),
        })).collect::<Vec<_>>(),
        "blown_up": {"count": ens.blown_up, "fraction": blown.estimate(),
                     "wilson": [blown_iv.lower, blown_iv.upper]},
        "seconds": seconds,
    });
    if args.json {
        println!("{record}");
    } else {
        print_table(args, &model, &grid, &record, &quantiles);
    }
    if let (Some(path), Some(format)) = (&args.out, format) {
        let text = match format {
            FileFormat::Json => serde_json::to_string_pretty(&record)? + "\n",
            FileFormat::Csv => crate::output::flat_csv(&record),
        };
        write_atomic(path, &text)?;
    }
    Ok(())
}

/// The growth rate `a − σ²/2` as the header shows it; where it overflows, in words.
fn rate_text(rate: f64) -> String {
    if rate.is_finite() {
        short(rate)
    } else {
        "beyond the range of f64".into()
    }
}

fn print_table(
    args: &SimulateArgs,
    model: &SaddleSde,
    grid: &Grid,
    r: &Value,
    quantiles: &[QuantileInterval],
) {
    let f = |v: &Value| v.as_f64().map_or("n/a".into(), num);
    println!(
        "saddle SDE  a = {}, σ = {}, τ = {}, ρ = {}, x0 = {}   (a − σ²/2 = {})",
        short(args.a),
        short(args.sigma),
        short(args.tau),
        short(args.rho),
        short(args.x0),
        rate_text(model.lyapunov_rate())
    );
    println!(
        "{} paths, scheme {}, T = {}, {} steps of {:.3e}, seed {}",
        args.paths,
        args.scheme,
        grid.t_end(),
        grid.steps(),
        grid.h(),
        args.seed
    );
    let mut t = Table::new(&["", "simulated", "std. error", "exact", "z"]);
    let m = &r["mean"];
    let v = &r["variance"];
    t.row(&[
        "E[x_T]".to_string(),
        f(&m["estimate"]),
        f(&m["stderr"]),
        f(&r["exact"]["mean"]),
        m["z"].as_f64().map_or("n/a".into(), |z| format!("{z:.2}")),
    ]);
    t.row(&[
        "Var[x_T]".to_string(),
        f(&v["estimate"]),
        f(&v["stderr"]),
        f(&r["exact"]["variance"]),
        v["z"].as_f64().map_or("n/a".into(), |z| format!("{z:.2}")),
    ]);
    print!("{}", t.render());
    println!(
        "std. errors from the exact moments (the mean's from the sample variance would be {})",
        f(&m["sample_stderr"])
    );
    if let Some(h) = r["heavy_tail"].as_str() {
        println!(
            "warning: {h}; the mean and variance are unreliable here, use the median and quantiles"
        );
    }
    if let Some(q) = quantiles.first() {
        let mut t = Table::new(&["quantile", "estimate", &q.label()]);
        for q in quantiles {
            t.row(&[
                format!("{}%", q.p * 100.0),
                num(q.estimate),
                // an order-statistic bound past the sample: there is none
                format!(
                    "[{}, {}]",
                    if q.lower.is_finite() {
                        num(q.lower)
                    } else {
                        "none".to_string()
                    },
                    if q.upper.is_finite() {
                        num(q.upper)
                    } else {
                        "none".to_string()
                    }
                ),
            ]);
        }
        print!("{}", t.render());
    } else {
        println!("quantiles: not available with --scheme {}", args.scheme);
    }
    let b = &r["blown_up"];
    let secs = r["seconds"]
        .as_f64()
        .map_or(String::new(), |s| format!("; {s:.2} s"));
    println!(
        "blown up {} ({}% Wilson interval of the fraction [{}, {}]){secs}",
        b["count"],
        args.confidence * 100.0,
        f(&b["wilson"][0]),
        f(&b["wilson"][1]),
    );
}

//! `saddle escape`: first exit of the saddle SDE from an interval or past a level.

use crate::output::{
    DEFAULT_SEED, FileFormat, Progress, Table, VERSION, check_cost, domain_text, file_format, num,
    short, with_threads, write_atomic,
};
use crate::parts::{self, Outcome, PartArgs};
use crate::scheme::SchemeArg;
use saddle_sde::ensemble::{Ensemble, Partial};
use saddle_sde::escape::{Correction, Estimate, ExitDomain, ExitSpec, ExitStats, exact};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use saddle_sde::uncertainty::{Proportion, QuantileInterval};
use serde::Serialize;
use std::ops::ControlFlow;
use std::path::PathBuf;

/// The monitoring correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CorrectionArg {
    /// Brownian-bridge crossing probability with the local diffusion (bias O(dt)).
    Bridge,
    /// Barriers shifted inward by 0.5826·g·√dt.
    Shift,
    /// Grid-point checks only (bias O(√dt)).
    None,
}

impl From<CorrectionArg> for Correction {
    fn from(c: CorrectionArg) -> Self {
        match c {
            CorrectionArg::Bridge => Correction::Bridge,
            CorrectionArg::Shift => Correction::Shift,
            CorrectionArg::None => Correction::None,
        }
    }
}

/// Arguments of `saddle escape`.
///
/// `--scheme` means what it means in `simulate`: `em` and `milstein` step the two-noise
/// SDE (Milstein with Lévy areas), `law-em` and `law-milstein` the law-equivalent
/// one-noise model dx = a x dt + √(σ²x² + 2ρστx + τ²) dB, which has the same exit laws
/// and needs no Lévy area (cheaper for Milstein). With both --lower and --upper the exit
/// is from the interval; with one, past that level; with neither, from (−1, 1).
#[derive(Debug, Clone, clap::Args)]
pub struct EscapeArgs {
    /// Drift rate a.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub a: f64,
    /// Multiplicative noise σ ≥ 0.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub sigma: f64,
    /// Additive noise τ.
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    pub tau: f64,
    /// Correlation ρ of W and U, in [−1, 1].
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    pub rho: f64,
    /// Start x0, strictly inside the domain.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub x0: f64,
    /// Lower barrier l < x0 (with neither barrier given: the interval (−1, 1)).
    #[arg(long, allow_negative_numbers = true)]
    pub lower: Option<f64>,
    /// Upper barrier r > x0 (with neither barrier given: the interval (−1, 1)).
    #[arg(long, allow_negative_numbers = true)]
    pub upper: Option<f64>,
    /// Time step (the largest step ≤ dt dividing the horizon is used).
    #[arg(long, default_value_t = 1e-3, allow_negative_numbers = true)]
    pub dt: f64,
    /// Number of paths.
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true)]
    pub paths: u64,
    /// Seed: with it, every number is fixed bit for bit whatever --threads is.
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Scheme and model form (the same meaning in every subcommand; law-two-point is
    /// for simulate only).
    #[arg(long, value_enum, default_value_t = SchemeArg::Em)]
    pub scheme: SchemeArg,
    /// Horizon: paths still inside then are reported as censored.
    #[arg(long, default_value_t = 100.0, allow_negative_numbers = true)]
    pub horizon: f64,
    /// Correction of the discrete-monitoring bias.
    #[arg(long, value_enum, default_value_t = CorrectionArg::Bridge)]
    pub correction: CorrectionArg,
    /// Blow-up bound on a side without barrier: |x| beyond it counts as blown up.
    #[arg(long, default_value_t = 1e12, allow_negative_numbers = true)]
    pub bound: f64,
    /// Bins of the exit-time histogram on [0, horizon] (quantile resolution
    /// horizon/bins).
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub time_bins: usize,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the result to FILE (.json or .csv), atomically; with --shard, the
    /// shard's file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Checkpoints, resumption and shards.
    #[command(flatten)]
    pub parts: PartArgs,
    /// Run as one rank of `mpirun -np R saddle escape … --mpi`: rank r runs shard r+1
    /// of R and rank 0 merges the R states and prints the result, bit for bit the
    /// single process's (needs saddle built with `--features mpi`; not with --shard,
    /// --checkpoint or --resume).
    #[arg(long)]
    pub mpi: bool,
}

/// Exact infinite-horizon references.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ExactJson {
    /// P(exit through the upper side).
    pub p_exit_upper: f64,
    /// Mean exit time, `null` when infinite.
    pub mean_exit_time: Option<f64>,
}

/// The `--json` record (schema of issue 4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscapeJson {
    /// P(exit through the upper side before the horizon).
    pub p_exit_upper: Estimate,
    /// P(exit through the lower side before the horizon).
    pub p_exit_lower: Estimate,
    /// Mean exit time; `null` if any path was censored or blew up.
    pub mean_exit_time: Option<Estimate>,
    /// Paths still inside at the horizon.
    pub censored: u64,
    /// Paths that became non-finite or passed the bound.
    pub blown_up: u64,
    /// Exact references, `null` when not available (diffusion vanishing in the domain).
    pub exact: Option<ExactJson>,
    /// Number of paths.
    pub paths: u64,
    /// Seed.
    pub seed: u64,
    /// Wilson intervals of the two exit proportions at 95%.
    pub intervals: IntervalsJson,
    /// Exit-time quantiles (10%, 50%, 90%) with 95% order-statistic intervals from the
    /// exit-time histogram.
    pub exit_time_quantiles: Vec<QuantileInterval>,
    /// The full input: parameters, domain, grid, paths, seed, scheme, version.
    pub input: serde_json::Value,
}

/// 95% Wilson intervals `[lower, upper]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalsJson {
    /// Of P(exit upper).
    pub p_exit_upper: [f64; 2],
    /// Of P(exit lower).
    pub p_exit_lower: [f64; 2],
    /// Of P(exit before the horizon).
    pub p_exit_before_horizon: [f64; 2],
}

/// Confidence of the printed intervals.
const CONFIDENCE: f64 = 0.95;

fn wilson(k: u64, n: u64) -> anyhow::Result<[f64; 2]> {
    let w = Proportion::new(k, n)?.wilson(CONFIDENCE)?;
    Ok([w.lower, w.upper])
}

/// The exact references for the domain, with the exact P(exit lower) (`None` where they
/// do not exist).
fn exact_refs(model: &SaddleSde, x0: f64, domain: ExitDomain) -> Option<(ExactJson, f64)> {
    match (domain.lower(), domain.upper()) {
        (Some(l), Some(r)) => exact::interval_exit(model, x0, l, r).ok().map(|e| {
            let j = ExactJson {
                p_exit_upper: e.p_upper,
                mean_exit_time: Some(e.mean_exit_time),
            };
            (j, e.p_lower)
        }),
        (None, Some(r)) => exact::level_passage(model, x0, r).ok().map(|p| {
            let j = ExactJson {
                p_exit_upper: p.probability,
                mean_exit_time: p.mean_time,
            };
            (j, 0.0)
        }),
        (Some(l), None) => exact::level_passage(model, x0, l).ok().map(|p| {
            let j = ExactJson {
                p_exit_upper: 0.0,
                mean_exit_time: p.mean_time,
            };
            (j, p.probability)
        }),
        (None, None) => None,
    }
}

/// Runs the Monte Carlo on the chosen scheme, for the chunks of `part` not yet done.
fn simulate(
    args: &EscapeArgs,
    saddle: &SaddleSde,
    spec: &ExitSpec,
    part: &mut Partial<ExitStats>,
    after: &mut (dyn FnMut(&Partial<ExitStats>) -> ControlFlow<()> + Send),
    label: Option<String>,
) -> anyhow::Result<()> {
    // progress lines labelled `label`, or none (the ranks of an MPI run but rank 0)
    let mut progress = label.map(Progress::new);
    let cb = |d, t| {
        if let Some(p) = progress.as_mut() {
            p.update(d, t);
        }
    };
    let (paths, seed) = (args.paths, args.seed);
    let law = LawEquivalentSaddle::new(saddle.clone());
    if args.scheme == SchemeArg::LawTwoPoint {
        anyhow::bail!(
            "--scheme law-two-point is for `saddle simulate` only: exits need Gaussian \
             increments (choose em, milstein, law-em or law-milstein)"
        );
    }
    with_threads(args.threads, || match args.scheme {
        SchemeArg::Em => Ensemble::new(saddle, &EulerMaruyama)
            .paths(paths)
            .seed(seed)
            .progress(cb)
            .exits_part(spec, part, after),
        SchemeArg::Milstein => Ensemble::new(saddle, &Milstein)
            .paths(paths)
            .seed(seed)
            .progress(cb)
            .exits_part(spec, part, after),
        SchemeArg::LawEm => Ensemble::new(&law, &EulerMaruyama)
            .paths(paths)
            .seed(seed)
            .progress(cb)
            .exits_part(spec, part, after),
        _ => Ensemble::new(&law, &Milstein)
            .paths(paths)
            .seed(seed)
            .progress(cb)
            .exits_part(spec, part, after),
    })?
    .map_err(Into::into)
}
/// A proportion's estimate with its plug-in standard error (the Wilson interval is
/// reported beside it).
fn plug_in(p: Option<Proportion>) -> anyhow::Result<Estimate> {
    let p = p.ok_or_else(|| anyhow::anyhow!("no paths were run"))?;
    Ok(Estimate {
        estimate: p.estimate(),
        stderr: p.stderr(),
    })
}

/// The model, the exit problem and the full input of `saddle escape`.
fn setup(args: &EscapeArgs) -> anyhow::Result<(SaddleSde, ExitSpec, serde_json::Value)> {
    let saddle = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    let (lower, upper) = match (args.lower, args.upper) {
        (None, None) => (Some(-1.0), Some(1.0)),
        ends => ends,
    };
    let domain = ExitDomain::from_ends(lower, upper)?;
    let spec = ExitSpec::new(domain, args.x0, args.horizon, args.dt)?
        .with_correction(args.correction.into())
        .with_bound(args.bound)?
        .with_time_bins(args.time_bins)?;
    let input = serde_json::json!({
        "command": "escape",
        "version": VERSION,
        "a": args.a, "sigma": args.sigma, "tau": args.tau, "rho": args.rho, "x0": args.x0,
        "lower": domain.lower(), "upper": domain.upper(),
        "horizon": spec.grid().t_end(), "dt_requested": args.dt, "dt": spec.grid().h(),
        "steps": spec.grid().steps(), "paths": args.paths, "seed": args.seed,
        "scheme": args.scheme.name(), "correction": spec.correction().name(),
        "bound": args.bound, "time_bins": args.time_bins,
    });
    Ok((saddle, spec, input))
}

/// Runs `saddle escape`.
pub fn run(args: EscapeArgs) -> anyhow::Result<()> {
    if args.mpi {
        #[cfg(feature = "mpi")]
        return crate::mpi_run::escape(&args);
        #[cfg(not(feature = "mpi"))]
        anyhow::bail!(
            "--mpi needs saddle built with MPI support: cargo build --release -p saddle-cli \
             --features mpi"
        );
    }
    let (saddle, spec, input) = setup(&args)?;
    check_cost("escape", args.paths, spec.grid().steps())?;
    if args.parts.shard.is_none() {
        args.out.as_deref().map(file_format).transpose()?;
    }
    let outcome = parts::drive(
        &args.parts,
        parts::header("escape", &input),
        args.paths,
        args.out.as_deref(),
        |part, after| simulate(&args, &saddle, &spec, part, after, Some("escape".into())),
    )?;
    match outcome {
        Outcome::Done(stats) => report(&args, &stats),
        Outcome::ShardWritten { path, paths } => {
            parts::shard_done(&path, &paths, &args.parts);
            Ok(())
        }
    }
}

/// Shard `k` of `n` of a run, its parameters checked, ready to run: what `--shard K/N`
/// computes before it writes its file (the same paths, the same random numbers), for a
/// rank of an MPI run.
#[cfg(feature = "mpi")]
pub struct Shard<'a> {
    args: &'a EscapeArgs,
    saddle: SaddleSde,
    spec: ExitSpec,
    header: parts::Header,
    part: Partial<ExitStats>,
    label: Option<String>,
}

/// Checks the parameters of shard `k` of `n`. `lead`: whether this process notes a long
/// run's cost, checks --out (it alone writes it) and prints progress lines.
///
/// # Errors
/// Invalid parameters, an --out FILE of the wrong kind, and `n` larger than the run's
/// number of chunks.
#[cfg(feature = "mpi")]
pub fn prepare_shard(args: &EscapeArgs, k: u64, n: u64, lead: bool) -> anyhow::Result<Shard<'_>> {
    let (saddle, spec, input) = setup(args)?;
    let steps = spec.grid().steps();
    // the note on a long run's cost from the lead only, the refusal of an overflow on
    // every rank
    if lead || args.paths.checked_mul(steps as u64).is_none() {
        check_cost("escape", args.paths, steps)?;
    }
    if lead {
        args.out.as_deref().map(file_format).transpose()?;
    }
    let mut header = parts::header("escape", &input);
    header.shard = Some((k, n));
    let part = Partial::shard(args.paths, saddle_sde::ensemble::CHUNK, k, n)?;
    Ok(Shard {
        args,
        saddle,
        spec,
        header,
        part,
        label: lead.then(|| format!("escape, shard {k}/{n}")),
    })
}

#[cfg(feature = "mpi")]
impl Shard<'_> {
    /// Runs the shard to its end: its part-file header and its state.
    ///
    /// # Errors
    /// What the simulation returns.
    pub fn run(mut self) -> anyhow::Result<(parts::Header, Partial<ExitStats>)> {
        simulate(
            self.args,
            &self.saddle,
            &self.spec,
            &mut self.part,
            &mut |_| ControlFlow::Continue(()),
            self.label,
        )?;
        Ok((self.header, self.part))
    }
}

/// Prints (and with --out writes) the result of a finished run, here or in
/// `saddle merge`.
pub fn report(args: &EscapeArgs, stats: &ExitStats) -> anyhow::Result<()> {
    let (saddle, spec, input) = setup(args)?;
    let domain = spec.domain();
    let format = args.out.as_deref().map(file_format).transpose()?;
    let refs = exact_refs(&saddle, args.x0, domain);
    let n = stats.paths();
    let exited = stats.exits_upper() + stats.exits_lower();
    let intervals = IntervalsJson {
        p_exit_upper: wilson(stats.exits_upper(), n)?,
        p_exit_lower: wilson(stats.exits_lower(), n)?,
        p_exit_before_horizon: wilson(exited, n)?,
    };
    let exit_time_quantiles = if stats.histogram().total() > 0 {
        [0.1, 0.5, 0.9]
            .iter()
            .map(|&p| QuantileInterval::from_histogram(stats.histogram(), p, CONFIDENCE))
            .collect::<saddle_sde::Result<Vec<_>>>()?
    } else {
        Vec::new()
    };
    let record = EscapeJson {
        p_exit_upper: plug_in(stats.p_upper())?,
        p_exit_lower: plug_in(stats.p_lower())?,
        mean_exit_time: stats.mean_exit_time(),
        censored: stats.censored(),
        blown_up: stats.blown_up(),
        exact: refs.map(|r| r.0),
        paths: stats.paths(),
        seed: args.seed,
        intervals,
        exit_time_quantiles,
        input,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        print_table(args, &spec, stats, &record, refs.map(|r| r.1));
    }
    if let (Some(path), Some(format)) = (&args.out, format) {
        let text = match format {
            FileFormat::Json => serde_json::to_string_pretty(&record)? + "\n",
            FileFormat::Csv => to_csv(&record),
        };
        write_atomic(path, &text)?;
    }
    Ok(())
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| format!("{v:e}"))
}

/// One header line and one row.
fn to_csv(r: &EscapeJson) -> String {
    let header = "p_exit_upper,p_exit_upper_stderr,p_exit_lower,p_exit_lower_stderr,\
                  mean_exit_time,mean_exit_time_stderr,censored,blown_up,\
                  exact_p_exit_upper,exact_mean_exit_time,paths,seed,\
                  p_exit_upper_wilson95_lower,p_exit_upper_wilson95_upper,\
                  p_exit_lower_wilson95_lower,p_exit_lower_wilson95_upper";
    let row = [
        format!("{:e}", r.p_exit_upper.estimate),
        format!("{:e}", r.p_exit_upper.stderr),
        format!("{:e}", r.p_exit_lower.estimate),
        format!("{:e}", r.p_exit_lower.stderr),
        opt(r.mean_exit_time.map(|m| m.estimate)),
        opt(r.mean_exit_time.map(|m| m.stderr)),
        r.censored.to_string(),
        r.blown_up.to_string(),
        opt(r.exact.map(|e| e.p_exit_upper)),
        opt(r.exact.and_then(|e| e.mean_exit_time)),
        r.paths.to_string(),
        r.seed.to_string(),
        format!("{:e}", r.intervals.p_exit_upper[0]),
        format!("{:e}", r.intervals.p_exit_upper[1]),
        format!("{:e}", r.intervals.p_exit_lower[0]),
        format!("{:e}", r.intervals.p_exit_lower[1]),
    ]
    .join(",");
    // the input, flattened as input.<name> columns
    let input = crate::output::flat_csv(&serde_json::json!({ "input": r.input }));
    let mut lines = input.lines();
    let (ih, ir) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    format!("{header},{ih}\n{row},{ir}\n")
}

fn print_table(
    args: &EscapeArgs,
    spec: &ExitSpec,
    s: &ExitStats,
    r: &EscapeJson,
    p_lower: Option<f64>,
) {
    let d = spec.domain();
    println!(
        "exit of dx = {} x dt + {} x dW + {} dU (ρ = {}) from x0 = {} out of {}",
        short(args.a),
        short(args.sigma),
        short(args.tau),
        short(args.rho),
        short(args.x0),
        domain_text(d.lower(), d.upper())
    );
    println!(
        "{} paths, seed {}, scheme {}, h = {:e} ({} steps to horizon {}), correction {}",
        s.paths(),
        args.seed,
        args.scheme,
        spec.grid().h(),
        spec.grid().steps(),
        spec.grid().t_end(),
        spec.correction().name()
    );
    let ex = r.exact;
    let mut t = Table::new(&[
        "quantity",
        "Monte Carlo",
        "std. error",
        "95% interval",
        "exact (T=∞)",
    ]);
    let iv = |w: [f64; 2]| format!("[{}, {}] Wilson", num(w[0]), num(w[1]));
    let mut line = |name: &str, e: Option<Estimate>, w: Option<[f64; 2]>, x: Option<f64>| {
        let (m, se) = e.map_or(("n/a".into(), "".into()), |e| {
            (num(e.estimate), num(e.stderr))
        });
        let x = x.map_or("n/a".into(), num);
        t.row(&[name.to_string(), m, se, w.map_or(String::new(), iv), x]);
    };
    let i = r.intervals;
    line(
        "P(exit upper)",
        Some(r.p_exit_upper),
        Some(i.p_exit_upper),
        ex.map(|e| e.p_exit_upper),
    );
    line(
        "P(exit lower)",
        Some(r.p_exit_lower),
        Some(i.p_exit_lower),
        p_lower,
    );
    line(
        "P(exit before horizon)",
        plug_in(s.p_exit_before_horizon()).ok(),
        Some(i.p_exit_before_horizon),
        None,
    );
    line(
        "E[T]",
        r.mean_exit_time,
        None,
        ex.and_then(|e| e.mean_exit_time),
    );
    line("E[T | exit]", s.mean_exit_time_given_exit(), None, None);
    print!("{}", t.render());
    if let Some(q) = r.exit_time_quantiles.first() {
        let mut t = Table::new(&["exit time", "estimate", &q.label()]);
        for q in &r.exit_time_quantiles {
            let est = if q.estimate.is_nan() {
                "> horizon".to_string()
            } else {
                num(q.estimate)
            };
            t.row(&[
                format!("{}% quantile", q.p * 100.0),
                est,
                // an order-statistic bound past the sample: exit times are >= 0, and
                // above there is no bound
                format!(
                    "[{}, {}]",
                    if q.lower == f64::NEG_INFINITY {
                        num(0.0)
                    } else {
                        num(q.lower)
                    },
                    if q.upper == f64::INFINITY {
                        "none".to_string()
                    } else {
                        num(q.upper)
                    }
                ),
            ]);
        }
        print!("{}", t.render());
    }
    println!(
        "censored (inside at horizon): {}   blown up: {}",
        r.censored, r.blown_up
    );
}

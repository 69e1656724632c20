//! `saddle sgd`: escape of SGD and its variants from an interval around the saddle, on
//! the finite-sum model of `saddle_sde::optim`, beside the diffusion-limit SDE's exact
//! exit probability and mean exit time.

use crate::output::{DEFAULT_SEED, Progress, Table, VERSION, num, short, with_threads};
use crate::parts::{self, CheckpointArgs};
use saddle_sde::ensemble::{CHUNK, Partial};
use saddle_sde::escape::{Estimate, exact};
use saddle_sde::optim::theory::{ReluLimit, SvrgLimit, tail_exponent};
use saddle_sde::optim::{EscapeRun, FiniteSum, Optimizer, Sampling, Schedule, Sgd};
use serde::Serialize;

/// The optimiser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OptimizerArg {
    /// Minibatch SGD with a constant rate.
    Sgd,
    /// SGD plus N(0, p²) every step (--perturb).
    Perturbed,
    /// SVRG with inner loops of --inner steps.
    Svrg,
    /// Heavy-ball momentum --beta.
    Momentum,
    /// SGD with the rate lr/n (--n0 given: lr/(1 + n/n0)).
    Annealed,
    /// SGD on the piecewise-linear loss −(a + ξ_j) w |x| − η_j x (--width).
    Relu,
}

/// Arguments of `saddle sgd`.
#[derive(Debug, Clone, clap::Args)]
pub struct SgdArgs {
    /// The update rule.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Sgd)]
    pub optimizer: OptimizerArg,
    /// Curvature of the unstable direction: the full gradient is −a x.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub a: f64,
    /// Standard deviation of the per-sample curvature offsets ξ_j.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub s_xi: f64,
    /// Standard deviation of the per-sample slope offsets η_j.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    pub s_eta: f64,
    /// Correlation of ξ_j and η_j, in [−1, 1].
    #[arg(long, default_value_t = 0.3, allow_negative_numbers = true)]
    pub rho: f64,
    /// Number of samples N of the finite sum.
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub samples: usize,
    /// Learning rate (the initial one for --optimizer annealed).
    #[arg(long, default_value_t = 0.01, allow_negative_numbers = true)]
    pub lr: f64,
    /// Minibatch size B.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
    pub batch: usize,
    /// Draw minibatches without replacement (default: with).
    #[arg(long)]
    pub without_replacement: bool,
    /// Perturbation p (perturbed only; 0 elsewhere unless given).
    #[arg(long, allow_negative_numbers = true)]
    pub perturb: Option<f64>,
    /// Momentum β in [0, 1) (momentum; default 0.9).
    #[arg(long, allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// Inner loop length m (svrg; default 100).
    #[arg(long, allow_negative_numbers = true)]
    pub inner: Option<usize>,
    /// n0 of the rate lr/(1 + n/n0) (annealed; without it the rate is lr/n).
    #[arg(long, allow_negative_numbers = true)]
    pub n0: Option<f64>,
    /// Width w of the piecewise-linear loss (relu; default 0.1).
    #[arg(long, allow_negative_numbers = true)]
    pub width: Option<f64>,
    /// Start x0, inside (lower, upper).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub x0: f64,
    /// Lower end of the interval.
    #[arg(long, default_value_t = -1.0, allow_negative_numbers = true)]
    pub lower: f64,
    /// Upper end of the interval.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub upper: f64,
    /// Steps after which a run still inside is censored.
    #[arg(long, default_value_t = 100_000, allow_negative_numbers = true)]
    pub max_steps: usize,
    /// Number of runs.
    #[arg(long, default_value_t = 10_000, allow_negative_numbers = true)]
    pub runs: u64,
    /// Seed of the runs and of the data set: every number is fixed bit for bit whatever
    /// --threads is.
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Checkpoints of the runs.
    #[command(flatten)]
    pub checkpoint: CheckpointArgs,
}

/// The full input of a run: what a checkpoint must match to be resumed.
fn input(args: &SgdArgs) -> serde_json::Value {
    serde_json::json!({
        "command": "sgd",
        "version": VERSION,
        "optimizer": format!("{:?}", args.optimizer).to_lowercase(),
        "a": args.a, "s_xi": args.s_xi, "s_eta": args.s_eta, "rho": args.rho,
        "samples": args.samples, "lr": args.lr, "batch": args.batch,
        "without_replacement": args.without_replacement, "perturb": args.perturb,
        "beta": args.beta, "inner": args.inner, "n0": args.n0, "width": args.width,
        "x0": args.x0, "lower": args.lower, "upper": args.upper,
        "max_steps": args.max_steps, "runs": args.runs, "seed": args.seed,
    })
}

/// The diffusion-limit SDE and its exact exit values.
#[derive(Debug, Clone, Serialize)]
pub struct SdeJson {
    /// σ of the limit.
    pub sigma: f64,
    /// τ of the limit.
    pub tau: f64,
    /// ρ of the limit.
    pub rho: f64,
    /// The time one step stands for: lr, or lr/(1 − β) for momentum.
    pub time_per_step: f64,
    /// Exact P(exit through the upper end) (`null` when the exact reference does not
    /// exist, see `note`).
    pub p_exit_upper: Option<f64>,
    /// Exact mean exit time, in units of the limit's time t = n·time_per_step (t = n·lr
    /// except for momentum).
    pub mean_exit_time: Option<f64>,
    /// The same in steps.
    pub mean_exit_steps: Option<f64>,
    /// Why the exact values are missing (the diffusion vanishes somewhere in the
    /// interval, e.g. without slope noise, with |ρ| = 1, or for the full batch).
    pub note: Option<String>,
    /// σ√(time per step), the per-step noise of the multiplicative factor: the limit
    /// needs it small.
    pub step_noise: f64,
}

/// The ReLU loss's diffusion limit (`saddle_sde::optim::theory::ReluLimit`): drift
/// `a·w·sign x`, variance rates `v₊`, `v₋` on `x ≷ 0`, in t = n·lr.
#[derive(Debug, Clone, Serialize)]
pub struct ReluJson {
    /// `a·w`.
    pub drift: f64,
    /// Variance rate for `x > 0`.
    pub variance_positive: f64,
    /// Variance rate for `x < 0`.
    pub variance_negative: f64,
    /// The time one step stands for (lr).
    pub time_per_step: f64,
    /// Exact P(exit through the upper end).
    pub p_exit_upper: Option<f64>,
    /// Exact mean exit time, in units of t = n·lr.
    pub mean_exit_time: Option<f64>,
    /// The same in steps.
    pub mean_exit_steps: Option<f64>,
    /// Why the exact values are missing.
    pub note: Option<String>,
}

/// SVRG's inner-loop limit (`saddle_sde::optim::theory::SvrgLimit`).
#[derive(Debug, Clone, Serialize)]
pub struct SvrgJson {
    /// The curvature noise σ = s_ξ√(lr φ/B) per unit time.
    pub sigma: f64,
    /// Shape `1 − 2a/σ²` of `(x − x*)/x*` at the end of a long inner loop (`null`: no
    /// limit, σ² ≤ 2a).
    pub shape: Option<f64>,
    /// Its scale `2a/σ²`.
    pub scale: Option<f64>,
    /// Mean growth of `ln|x*|` per outer loop in the limit, `E ln(1 + Y)`.
    pub log_growth_per_outer_loop: Option<f64>,
    /// Inner loop length in time units, `m·lr`, against the relaxation time
    /// `1/(σ²/2 − a)`: the limit needs the first much larger.
    pub inner_time: f64,
    /// `1/(σ²/2 − a)`.
    pub relaxation_time: Option<f64>,
    /// Why there is no limit law (`null` when there is one).
    pub note: Option<String>,
}

/// The annealed schedule's escape-time tail (`saddle_sde::optim::theory::tail_exponent`).
#[derive(Debug, Clone, Serialize)]
pub struct TailJson {
    /// `γ` of `P(N > n) ~ C n^{−γ}`: `a·lr` for lr/n, `a·lr·n0` for lr/(1 + n/n0).
    pub exponent: f64,
    /// Whether the mean escape step is infinite (`γ ≤ 1`).
    pub infinite_mean: bool,
}

/// The `--json` record.
#[derive(Debug, Clone, Serialize)]
pub struct SgdJson {
    /// The optimiser.
    pub optimizer: String,
    /// P(exit through the upper end within --max-steps), with its standard error.
    pub p_exit_upper: Estimate,
    /// P(exit through the lower end within --max-steps).
    pub p_exit_lower: Estimate,
    /// Mean exit step over the runs that exited, with its standard error (`null` when
    /// none did); with censored runs it is the mean given exit.
    pub mean_exit_steps: Option<Estimate>,
    /// Runs still inside after --max-steps.
    pub censored: u64,
    /// Runs that ended non-finite.
    pub blown_up: u64,
    /// Runs.
    pub runs: u64,
    /// The diffusion limit (the saddle SDE) and its exact exit values; `null` for
    /// annealed rates, SVRG and the ReLU loss, which have their own blocks below.
    pub sde: Option<SdeJson>,
    /// relu: the kinked Brownian limit and its exact exit values.
    pub relu_limit: Option<ReluJson>,
    /// svrg: the inner loop's inverse-gamma limit.
    pub svrg_limit: Option<SvrgJson>,
    /// annealed: the predicted power tail of the escape step.
    pub tail: Option<TailJson>,
    /// The crate version.
    pub version: &'static str,
}

fn estimate(p: saddle_sde::uncertainty::Proportion) -> Estimate {
    Estimate {
        estimate: p.estimate(),
        stderr: p.stderr(),
    }
}

/// Runs `saddle sgd`.
pub fn run(args: SgdArgs) -> anyhow::Result<()> {
    let data = FiniteSum::new(
        args.a,
        args.s_xi,
        args.s_eta,
        args.rho,
        args.samples,
        args.seed,
    )?;
    let sampling = if args.without_replacement {
        Sampling::WithoutReplacement
    } else {
        Sampling::WithReplacement
    };
    let mut sgd = Sgd::new(&data, args.lr, args.batch, sampling)?;
    if let Some(p) = args.perturb {
        sgd = sgd.perturb(p)?;
    }
    let ignored = [
        ("beta", args.beta.is_some(), OptimizerArg::Momentum),
        ("inner", args.inner.is_some(), OptimizerArg::Svrg),
        ("width", args.width.is_some(), OptimizerArg::Relu),
        ("n0", args.n0.is_some(), OptimizerArg::Annealed),
    ];
    for (name, given, needs) in ignored {
        if given && args.optimizer != needs {
            let needs = format!("{needs:?}").to_lowercase();
            eprintln!("warning: --{name} is ignored without --optimizer {needs}");
        }
    }
    let (beta, inner, width) = (
        args.beta.unwrap_or(0.9),
        args.inner.unwrap_or(100),
        args.width.unwrap_or(0.1),
    );
    sgd = match args.optimizer {
        OptimizerArg::Sgd => sgd,
        OptimizerArg::Perturbed => {
            if args.perturb.is_none() {
                anyhow::bail!(
                    "invalid parameter perturb: required with --optimizer perturbed (a value >= 0)"
                );
            }
            sgd
        }
        OptimizerArg::Svrg => sgd.optimizer(Optimizer::Svrg { inner })?,
        OptimizerArg::Momentum => sgd.optimizer(Optimizer::Momentum { beta })?,
        OptimizerArg::Annealed => sgd.schedule(match args.n0 {
            Some(n0) => Schedule::InverseTime { n0 },
            None => Schedule::Harmonic,
        })?,
        OptimizerArg::Relu => sgd.optimizer(Optimizer::Relu { width })?,
    };
    let spec = EscapeRun::new(args.x0, args.lower, args.upper, args.max_steps, args.runs)?;
    // runs × steps × batch gradient evaluations: an overflow refused, a long run announced
    let per_run = (args.max_steps as u128) * (args.batch as u128);
    anyhow::ensure!(
        (args.runs as u128) * per_run <= u64::MAX as u128,
        "invalid parameter batch = {}: runs × max-steps × batch ({} × {} × {}) must be at most \
         {:e} sample gradients",
        args.batch,
        args.runs,
        args.max_steps,
        args.batch,
        u64::MAX as f64
    );
    // the exit steps are binned on the limit's time axis [0, max-steps × lr]
    if args.lr > 0.0 && (args.max_steps as f64 * args.lr) < 1e-300 {
        anyhow::bail!(
            "invalid parameter lr = {}: must make max-steps × lr (the time axis of the exit \
             histogram) at least 1e-300; here it is {:e}",
            short(args.lr),
            args.max_steps as f64 * args.lr
        );
    }
    crate::output::check_cost_of(
        "sgd",
        "runs",
        args.runs,
        per_run.min(u64::MAX as u128) as usize,
    )?;
    // its coefficients come from several options: name them
    let limit = sgd.diffusion_limit().map_err(|e| {
        anyhow::anyhow!(
            "{e} (the diffusion limit of --a {} --s-xi {} --s-eta {} --rho {} --lr {} --batch {} \
             --perturb {})",
            short(args.a),
            short(args.s_xi),
            short(args.s_eta),
            short(args.rho),
            short(args.lr),
            args.batch,
            args.perturb.map_or("none".to_string(), short)
        )
    })?;
    let sde = match limit {
        Some((m, dt)) => {
            let e = exact::interval_exit(&m, args.x0, args.lower, args.upper);
            Some(SdeJson {
                sigma: m.sigma(),
                tau: m.tau(),
                rho: m.rho(),
                time_per_step: dt,
                p_exit_upper: e.as_ref().ok().map(|e| e.p_upper),
                mean_exit_time: e.as_ref().ok().map(|e| e.mean_exit_time),
                mean_exit_steps: e.as_ref().ok().map(|e| e.mean_exit_time / dt),
                note: e.err().map(|e| format!("no exact exit values: {e}")),
                step_noise: m.sigma() * dt.sqrt(),
            })
        }
        None => None,
    };
    let relu_limit = match args.optimizer {
        OptimizerArg::Relu => {
            let l = ReluLimit::of(&sgd)?;
            let e = exact::interval_exit_of(&l, args.x0, args.lower, args.upper);
            let (vp, vn) = l.variance_rates();
            Some(ReluJson {
                drift: l.drift_speed(),
                variance_positive: vp,
                variance_negative: vn,
                time_per_step: args.lr,
                p_exit_upper: e.as_ref().ok().map(|e| e.p_upper),
                mean_exit_time: e.as_ref().ok().map(|e| e.mean_exit_time),
                mean_exit_steps: e.as_ref().ok().map(|e| e.mean_exit_time / args.lr),
                note: e.err().map(|e| format!("no exact exit values: {e}")),
            })
        }
        _ => None,
    };
    let svrg_limit = match args.optimizer {
        OptimizerArg::Svrg if args.perturb.is_none() => {
            let sigma = sgd.curvature_noise();
            let l = SvrgLimit::new(args.a, sigma);
            let note = l
                .as_ref()
                .err()
                .map(|e| format!("no inverse-gamma limit: {e}"));
            let l = l.ok();
            Some(SvrgJson {
                sigma,
                shape: l.as_ref().map(SvrgLimit::shape),
                scale: l.as_ref().map(SvrgLimit::scale),
                log_growth_per_outer_loop: l.as_ref().map(SvrgLimit::log_growth),
                inner_time: inner as f64 * args.lr,
                relaxation_time: l.as_ref().map(SvrgLimit::relaxation_time),
                note,
            })
        }
        _ => None,
    };
    let tail = match args.optimizer {
        OptimizerArg::Annealed => {
            let schedule = match args.n0 {
                Some(n0) => Schedule::InverseTime { n0 },
                None => Schedule::Harmonic,
            };
            tail_exponent(schedule, args.a, args.lr).map(|g| TailJson {
                exponent: g,
                infinite_mean: g <= 1.0,
            })
        }
        _ => None,
    };
    let mut progress = Progress::new("sgd");
    let runs = args.runs;
    // run i draws from (seed, i) only: a checkpoint holds the runs' merged summary
    let stats = parts::checkpointed(
        &args.checkpoint.parts(),
        &parts::header("sgd", &input(&args)),
        || Ok(Partial::whole(runs, CHUNK)?),
        |part, after| {
            with_threads(args.threads, || {
                sgd.escape_part(&spec, args.seed, part, |p| {
                    progress.update(p.paths_done(), runs);
                    after(p)
                })
            })?
            .map_err(Into::into)
        },
    )?
    .finish()?;
    let (pu, pl) = (
        stats.p_upper().expect("runs >= 1"),
        stats.p_lower().expect("runs >= 1"),
    );
    let mean_steps = stats.mean_exit_time_given_exit().map(|e| Estimate {
        estimate: e.estimate / args.lr,
        stderr: e.stderr / args.lr,
    });
    let out = SgdJson {
        optimizer: format!("{:?}", args.optimizer).to_lowercase(),
        p_exit_upper: estimate(pu),
        p_exit_lower: estimate(pl),
        mean_exit_steps: mean_steps,
        censored: stats.censored(),
        blown_up: stats.blown_up(),
        runs,
        sde,
        relu_limit,
        svrg_limit,
        tail,
        version: VERSION,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let mut t = Table::new(&[
        "quantity",
        "optimiser (Monte Carlo)",
        "diffusion limit (exact)",
    ]);
    let sde_cell = |f: &dyn Fn(&SdeJson) -> Option<f64>| {
        out.sde.as_ref().and_then(f).map_or("—".to_owned(), num)
    };
    t.row(&[
        "P(exit upper)".to_owned(),
        format!(
            "{} ± {}",
            num(out.p_exit_upper.estimate),
            num(out.p_exit_upper.stderr)
        ),
        match &out.relu_limit {
            Some(r) => r.p_exit_upper.map_or("—".to_owned(), num),
            None => sde_cell(&|s| s.p_exit_upper),
        },
    ]);
    t.row(&[
        "mean exit step".to_owned(),
        out.mean_exit_steps
            .map_or("— (no run exited)".to_owned(), |e| {
                format!("{} ± {}", num(e.estimate), num(e.stderr))
            }),
        match &out.relu_limit {
            Some(r) => r.mean_exit_steps.map_or("—".to_owned(), num),
            None => sde_cell(&|s| s.mean_exit_steps),
        },
    ]);
    t.row(&[
        "censored".to_owned(),
        format!("{} of {}", out.censored, runs),
        "0".to_owned(),
    ]);
    print!("{}", t.render());
    match &out.sde {
        Some(s) => {
            println!(
                "diffusion limit: dx = a x dt + σ x dW + τ dU with σ = {}, τ = {}, ρ = {}, one step = {} time units",
                num(s.sigma),
                num(s.tau),
                num(s.rho),
                num(s.time_per_step)
            );
            if let Some(n) = &s.note {
                println!("{n}");
            }
        }
        None => {
            if let Some(r) = &out.relu_limit {
                println!(
                    "diffusion limit (ReLU loss): Brownian motion with drift {}·sign x and variance rate {} (x > 0), {} (x < 0), one step = {} time units",
                    num(r.drift),
                    num(r.variance_positive),
                    num(r.variance_negative),
                    num(r.time_per_step)
                );
            } else if let Some(v) = &out.svrg_limit {
                match (
                    v.shape,
                    v.scale,
                    v.log_growth_per_outer_loop,
                    v.relaxation_time,
                ) {
                    (Some(k), Some(th), Some(g), Some(rt)) => println!(
                        "SVRG limit: (x − x*)/x* at the end of a long inner loop is InverseGamma(shape {}, scale {}); ln|x*| grows by {} per outer loop (inner loop {} time units against the relaxation time {})",
                        num(k),
                        num(th),
                        num(g),
                        num(v.inner_time),
                        num(rt)
                    ),
                    _ => println!(
                        "SVRG: {}",
                        v.note.as_deref().unwrap_or("no inverse-gamma limit")
                    ),
                }
            } else if let Some(t) = &out.tail {
                println!(
                    "annealed rate: P(escape step > n) ~ C n^(−{}){}",
                    num(t.exponent),
                    if t.infinite_mean {
                        ": the mean escape step is infinite, and the mean above is over the runs that exited within --max-steps"
                    } else {
                        ""
                    }
                );
            } else {
                println!(
                    "no diffusion limit is established for this optimiser (for momentum see saddle_sde::optim::Sgd::diffusion_limit)"
                );
            }
        }
    }
    if let Some(s) = out.sde.as_ref().filter(|s| s.step_noise > 0.2) {
        println!(
            "warning: the per-step noise σ√(time per step) = {} is not small, so the diffusion limit is a poor guide here (it needs lr·s_xi/√B ≪ 1)",
            num(s.step_noise)
        );
    }
    if out.censored > 0 {
        println!(
            "{} runs censored: the mean exit step is over the runs that exited",
            out.censored
        );
    }
    Ok(())
}

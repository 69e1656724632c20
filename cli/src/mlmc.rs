//! `saddle mlmc`: a multilevel Monte Carlo estimate to a target RMSE, with the level
//! table, the fitted rates and the cost beside plain Monte Carlo's.

use crate::output::{DEFAULT_SEED, Table, VERSION, num, short, with_threads};
use crate::parts::{self, CheckpointArgs};
use anyhow::Result;
use clap::{Args, ValueEnum};
use saddle_sde::analytic::saddle as exact;
use saddle_sde::escape::exact::{exit_time_cdf, interval_exit};
use saddle_sde::mlmc::{
    Coupling, ExitPayoff, ExitQuantity, Mlmc, MlmcEstimate, MlmcState, Tail, Terminal,
};
use saddle_sde::models::SaddleSde;
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::time::Instant;

/// What to estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum QuantityArg {
    /// E(x_T), the mean.
    Mean,
    /// E(x_T²), the second moment.
    SecondMoment,
    /// P(x_T > K) (needs --threshold), smoothed over the last step.
    Tail,
    /// P(exit from (--lower, --upper) through the upper end before T).
    ExitUpper,
    /// E[min(τ, T)], τ the exit time from (--lower, --upper).
    ExitTime,
}

/// The coupling of fine and coarse paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CouplingArg {
    /// Euler–Maruyama (β = 1).
    Em,
    /// Milstein with Lévy areas (β = 2).
    Milstein,
    /// Milstein without the Lévy area (β = 1 for this non-commutative noise).
    TruncatedMilstein,
    /// Giles–Szpruch antithetic truncated Milstein (β = 2 for smooth payoffs; not for
    /// --quantity tail).
    Antithetic,
}

impl From<CouplingArg> for Coupling {
    fn from(c: CouplingArg) -> Self {
        match c {
            CouplingArg::Em => Coupling::EulerMaruyama,
            CouplingArg::Milstein => Coupling::Milstein,
            CouplingArg::TruncatedMilstein => Coupling::TruncatedMilstein,
            CouplingArg::Antithetic => Coupling::Antithetic,
        }
    }
}

/// Arguments of `saddle mlmc`. The model defaults are benchmark W1.
#[derive(Args, Debug)]
pub struct MlmcArgs {
    /// Drift rate a.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub a: f64,
    /// Multiplicative noise σ ≥ 0.
    #[arg(long, default_value_t = 1.0, allow_hyphen_values = true)]
    pub sigma: f64,
    /// Additive noise τ.
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
    /// The quantity.
    #[arg(long, value_enum, default_value_t = QuantityArg::SecondMoment)]
    pub quantity: QuantityArg,
    /// The threshold K of --quantity tail.
    #[arg(long, allow_hyphen_values = true)]
    pub threshold: Option<f64>,
    /// Lower end of the exit interval (exit quantities only; default -0.5; -inf for
    /// none).
    #[arg(long, allow_hyphen_values = true)]
    pub lower: Option<f64>,
    /// Upper end of the exit interval (exit quantities only; default 1; inf for none).
    #[arg(long, allow_hyphen_values = true)]
    pub upper: Option<f64>,
    /// Target root-mean-square error ε.
    #[arg(long, default_value_t = 1e-2, allow_hyphen_values = true)]
    pub eps: f64,
    /// Coupling of the fine and coarse paths.
    #[arg(long, value_enum, default_value_t = CouplingArg::Milstein)]
    pub coupling: CouplingArg,
    /// Refinement factor R between levels (2 or 4).
    #[arg(long, default_value_t = 2)]
    pub refine: usize,
    /// Steps on level 0.
    #[arg(long, default_value_t = 1)]
    pub base_steps: usize,
    /// Samples on each new level before its variance is estimated.
    #[arg(long, default_value_t = 1000)]
    pub initial_samples: u64,
    /// Fix the weak order α of the bias test (default: fitted, clamped to [0.5, 1]).
    #[arg(long, allow_hyphen_values = true)]
    pub weak_order: Option<f64>,
    /// The largest finest level L_max.
    #[arg(long, default_value_t = 20)]
    pub max_level: usize,
    /// The most path-steps the run may plan to spend (fine and coarse steps of every
    /// sample; 1e12 is about 3 core-hours at 1e8 path-steps/s). The run stops with the
    /// planned cost, before drawing, when the target needs more.
    #[arg(long, default_value_t = 1e12, allow_hyphen_values = true)]
    pub max_cost: f64,
    /// Seed; sample i of level ℓ uses a generator fixed by (seed, ℓ, i).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Checkpoints of the run (a unit of work is 64 chunks of samples of one level; the
    /// state holds every level's running sums and the algorithm's decisions).
    #[command(flatten)]
    pub checkpoint: CheckpointArgs,
}

impl parts::State for MlmcState {
    fn marks(&self) -> ((u64, u64), u64, bool) {
        (
            (0, self.levels() as u64),
            self.samples(),
            self.is_complete(),
        )
    }
    fn done_text(&self) -> String {
        format!("{} samples on {} levels", self.samples(), self.levels())
    }
}

fn input(args: &MlmcArgs) -> Value {
    json!({
        "command": "mlmc",
        "version": VERSION,
        "a": args.a, "sigma": args.sigma, "tau": args.tau, "rho": args.rho,
        "x0": args.x0, "t": args.t,
        "quantity": args.quantity.to_possible_value().map(|v| v.get_name().to_string()),
        "threshold": args.threshold,
        "lower": exit_quantity(args.quantity).map(|_| lower(args)),
        "upper": exit_quantity(args.quantity).map(|_| upper(args)),
        "eps": args.eps, "coupling": Coupling::from(args.coupling).name(),
        "refine": args.refine, "base_steps": args.base_steps,
        "initial_samples": args.initial_samples, "max_level": args.max_level,
        "weak_order": args.weak_order,
        "seed": args.seed,
    })
}

fn lower(args: &MlmcArgs) -> f64 {
    args.lower.unwrap_or(-0.5)
}

fn upper(args: &MlmcArgs) -> f64 {
    args.upper.unwrap_or(1.0)
}

/// A number for a table, or `n/a` where it is undefined (a kurtosis or a rate when a
/// level's variance or mean is 0).
fn cell(x: f64) -> String {
    if x.is_finite() { num(x) } else { "n/a".into() }
}

fn exit_quantity(q: QuantityArg) -> Option<ExitQuantity> {
    match q {
        QuantityArg::ExitUpper => Some(ExitQuantity::UpperBeforeHorizon),
        QuantityArg::ExitTime => Some(ExitQuantity::MeanExitTime),
        _ => None,
    }
}

/// Runs the command.
pub fn run(args: MlmcArgs) -> Result<()> {
    let model = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    let threshold = match (args.quantity, args.threshold) {
        (QuantityArg::Tail, None) => {
            anyhow::bail!("invalid parameter threshold: --quantity tail needs --threshold K")
        }
        (QuantityArg::Tail, Some(k)) if !k.is_finite() => {
            anyhow::bail!("invalid parameter threshold = {k}: must be finite")
        }
        (QuantityArg::Tail, Some(k)) => k,
        (_, Some(k)) => anyhow::bail!(
            "invalid parameter threshold = {k}: only --quantity tail takes a threshold"
        ),
        (_, None) => f64::NAN,
    };
    let exit = exit_quantity(args.quantity);
    if exit.is_none()
        && let Some((name, v)) = [("lower", args.lower), ("upper", args.upper)]
            .into_iter()
            .find_map(|(n, v)| v.map(|v| (n, v)))
    {
        anyhow::bail!(
            "invalid parameter {name} = {v}: only the exit quantities (--quantity exit-upper or \
             exit-time) take an interval"
        );
    }
    if args.coupling == CouplingArg::Antithetic
        && args.quantity != QuantityArg::Mean
        && args.quantity != QuantityArg::SecondMoment
    {
        anyhow::bail!(
            "invalid parameter coupling = antithetic: must be em, milstein or truncated-milstein \
             for --quantity {} (the antithetic twin's last step and exits are not handled)",
            args.quantity
                .to_possible_value()
                .map_or(String::new(), |v| v.get_name().to_string())
        );
    }
    if !(2..=40).contains(&args.max_level) {
        anyhow::bail!(
            "invalid parameter max_level = {}: must be in [2, 40]",
            args.max_level
        );
    }
    let start = Instant::now();
    let verbose =
        std::io::stderr().is_terminal() || std::env::var_os("SADDLE_PROGRESS_SECS").is_some();
    // the adaptive run from `state`, `after` called after each batch of samples
    let estimate = |state: &mut MlmcState,
                    after: &mut (dyn FnMut(&MlmcState) -> ControlFlow<()> + Send)|
     -> Result<Option<MlmcEstimate>> {
        with_threads(args.threads, || {
            let mut last = (usize::MAX, 0u64);
            let progress = |level: usize, n: u64| {
                if verbose && (level, n) != last {
                    last = (level, n);
                    eprintln!(
                        "mlmc: level {level}: {n} samples ({:.1} s)",
                        start.elapsed().as_secs_f64()
                    );
                }
            };
            let mut mlmc = Mlmc::new(&model, args.coupling.into())
                .start(args.x0)
                .horizon(args.t)
                .refine(args.refine)
                .base_steps(args.base_steps)
                .initial_samples(args.initial_samples)
                .levels(2, args.max_level)
                .max_cost(args.max_cost)
                .seed(args.seed)
                .progress(progress);
            if let Some(a) = args.weak_order {
                mlmc = mlmc.weak_order(a);
            }
            let after = |s: &MlmcState| after(s);
            match args.quantity {
                QuantityArg::Mean => {
                    mlmc.estimate_part(&Terminal(|x: f64| x), args.eps, state, after)
                }
                QuantityArg::SecondMoment => {
                    mlmc.estimate_part(&Terminal(|x: f64| x * x), args.eps, state, after)
                }
                QuantityArg::Tail => {
                    mlmc.estimate_part(&Tail { threshold }, args.eps, state, after)
                }
                QuantityArg::ExitUpper | QuantityArg::ExitTime => mlmc.estimate_exit_part(
                    &ExitPayoff {
                        lower: lower(&args),
                        upper: upper(&args),
                        quantity: exit.expect("an exit quantity"),
                    },
                    args.eps,
                    state,
                    after,
                ),
            }
        })?
        .map_err(|e| match e {
            // a run that blew up: say at which options
            saddle_sde::Error::DoesNotExist { .. } => anyhow::anyhow!(
                "{e} (at --a {} --sigma {} --tau {} --rho {} --x0 {} --t {} --base-steps {})",
                short(args.a),
                short(args.sigma),
                short(args.tau),
                short(args.rho),
                short(args.x0),
                short(args.t),
                args.base_steps
            ),
            other => other.into(),
        })
    };
    // sample i of level l draws from (seed, l, i) only, and every decision of the
    // algorithm is a function of the level sums: the state saved between batches
    // continues the run exactly
    let mut state = parts::checkpointed(
        &args.checkpoint.parts(),
        &parts::header("mlmc", &input(&args)),
        || Ok(MlmcState::new()),
        |state, after| estimate(state, after).map(|_| ()),
    )?;
    // the finished state gives the estimate without sampling
    let r = estimate(&mut state, &mut |_| ControlFlow::Continue(()))?
        .ok_or_else(|| anyhow::anyhow!("the MLMC run stopped before it finished"))?;
    let seconds = start.elapsed().as_secs_f64();
    let exact_value = match args.quantity {
        QuantityArg::Mean => Some(exact::mean(&model, args.x0, args.t)),
        QuantityArg::SecondMoment => Some(exact::second_moment(&model, args.x0, args.t)),
        _ => None,
    }
    .filter(|v| v.is_finite());
    // exits: the exact values without a horizon (scale function, speed measure) and
    // the probability of not having exited by T, which bounds the gap for P(exit up)
    let (lo, hi) = (lower(&args), upper(&args));
    let unbounded = match exit {
        Some(q) if lo.is_finite() && hi.is_finite() => interval_exit(&model, args.x0, lo, hi)
            .ok()
            .zip(
                exit_time_cdf(&model, args.x0, lo, hi, &[args.t])
                    .ok()
                    .map(|c| 1.0 - c[0]),
            )
            .map(|(e, tail)| {
                let v = match q {
                    ExitQuantity::UpperBeforeHorizon => e.p_upper,
                    ExitQuantity::MeanExitTime => e.mean_exit_time,
                };
                (v, tail)
            }),
        _ => None,
    };
    let record = json!({
        "input": input(&args),
        "estimate": r.estimate,
        "rmse": r.rmse(),
        "std_error": r.std_error,
        "bias": r.bias,
        "converged": r.converged,
        "exact": exact_value,
        "exact_without_horizon": unbounded.map(|u| u.0),
        "p_not_exited_by_t": unbounded.map(|u| u.1),
        "rates": {"alpha": r.rates.alpha, "beta": r.rates.beta, "gamma": r.rates.gamma},
        "alpha_used": r.alpha_used,
        "levels": r.levels.iter().map(|l| json!({
            "level": l.level, "steps": l.steps, "samples": l.samples,
            "mean": l.mean, "variance": l.variance, "kurtosis": l.kurtosis,
            "mean_fine": l.mean_fine, "variance_fine": l.variance_fine,
            "cost": l.cost, "seconds": l.seconds,
        })).collect::<Vec<_>>(),
        "path_steps": r.path_steps,
        "plain_path_steps": r.plain_path_steps,
        "seconds": seconds,
    });
    if args.json {
        println!("{record}");
    } else {
        print_tables(&args, &r, exact_value, unbounded, seconds);
    }
    if !r.converged {
        anyhow::bail!(
            "did not converge: the estimated bias {} after level L_max = {} exceeds eps/√2 = {}; \
             raise --max-level or --base-steps",
            num(r.bias),
            args.max_level,
            num(args.eps / 2f64.sqrt())
        );
    }
    Ok(())
}

fn print_tables(
    args: &MlmcArgs,
    r: &MlmcEstimate,
    exact_value: Option<f64>,
    unbounded: Option<(f64, f64)>,
    seconds: f64,
) {
    let what = match args.quantity {
        QuantityArg::Mean => "E[x_T]".to_string(),
        QuantityArg::SecondMoment => "E[x_T²]".to_string(),
        QuantityArg::Tail => format!("P(x_T > {})", args.threshold.unwrap_or(f64::NAN)),
        QuantityArg::ExitUpper => format!(
            "P(exit ({}, {}) at the upper end before T)",
            lower(args),
            upper(args)
        ),
        QuantityArg::ExitTime => format!(
            "E[min(τ, T)], τ the exit time from ({}, {})",
            lower(args),
            upper(args)
        ),
    };
    println!(
        "saddle SDE  a = {}, σ = {}, τ = {}, ρ = {}, x0 = {}, T = {}",
        short(args.a),
        short(args.sigma),
        short(args.tau),
        short(args.rho),
        short(args.x0),
        short(args.t)
    );
    println!(
        "MLMC of {what}, coupling {}, R = {}, n0 = {}, eps = {}, seed {}",
        r.coupling.name(),
        r.refine,
        args.base_steps,
        args.eps,
        args.seed
    );
    let mut t = Table::new(&["", "value"]);
    t.row(&["estimate".to_string(), num(r.estimate)]);
    t.row(&["RMSE (estimated)".to_string(), num(r.rmse())]);
    t.row(&[
        "  standard error √(Σ V_ℓ/N_ℓ)".to_string(),
        num(r.std_error),
    ]);
    t.row(&["  bias (extrapolated)".to_string(), num(r.bias)]);
    if let Some(e) = exact_value {
        t.row(&["exact".to_string(), num(e)]);
        t.row(&["error".to_string(), num(r.estimate - e)]);
    }
    if let Some((v, tail)) = unbounded {
        t.row(&["exact without a horizon (T = ∞)".to_string(), num(v)]);
        t.row(&["P(not exited by T) (exact)".to_string(), num(tail)]);
    }
    print!("{}", t.render());
    let mut t = Table::new(&[
        "ℓ",
        "steps",
        "N_ℓ",
        "E[P_ℓ−P_ℓ₋₁]",
        "V_ℓ",
        "kurtosis",
        "E[P_ℓ]",
        "Var[P_ℓ]",
        "cost/sample",
        "s",
    ]);
    for l in &r.levels {
        t.row(&[
            l.level.to_string(),
            l.steps.to_string(),
            l.samples.to_string(),
            cell(l.mean),
            cell(l.variance),
            if l.kurtosis.is_finite() {
                format!("{:.1}", l.kurtosis)
            } else {
                "n/a".into()
            },
            cell(l.mean_fine),
            cell(l.variance_fine),
            num(l.cost),
            format!("{:.2}", l.seconds),
        ]);
    }
    print!("{}", t.render());
    // the relative standard error of a sample variance is about √((κ − 1)/N)
    if let Some((l, rel)) = r
        .levels
        .iter()
        .map(|l| (l.level, ((l.kurtosis - 1.0) / l.samples as f64).sqrt()))
        .filter(|(_, rel)| rel.is_finite())
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .filter(|(_, rel)| *rel > 0.25)
    {
        println!(
            "warning: heavy tails: V_{l} has a relative standard error of about {:.0}% \
             (√((κ − 1)/N)), so the RMSE estimate and the rates are uncertain",
            100.0 * rel
        );
    }
    let rate = |x: f64| {
        if x.is_finite() {
            format!("{x:.2}")
        } else {
            "n/a".into()
        }
    };
    println!(
        "fitted over ℓ ≥ 1: α = {} (weak), β = {} (variance), γ = {} (cost); the bias test \
         used α = {:.2}",
        rate(r.rates.alpha),
        rate(r.rates.beta),
        rate(r.rates.gamma),
        r.alpha_used
    );
    println!(
        "cost: {} path-steps; plain MC at the finest step would need {} ({}× more); {:.2} s",
        num(r.path_steps),
        cell(r.plain_path_steps),
        cell(r.plain_path_steps / r.path_steps),
        seconds
    );
}

//! `saddle optimise`: gradient descent, momentum, Nesterov, Newton and saddle-free Newton
//! on a quadratic saddle `f = ½ xᵀHx` (`saddle_sde::landscape`): the iterates of one
//! run, or escape statistics over many starts, with and without gradient noise.

use crate::output::{DEFAULT_SEED, Progress, Table, VERSION, num, with_threads};
use crate::parts::{self, CheckpointArgs};
use saddle_sde::ensemble::{CHUNK, Partial};
use saddle_sde::escape::Estimate;
use saddle_sde::landscape::{EscapeSpec, MAX_PATH_STEPS, Method, Optimiser, Quadratic, Start};
use serde::Serialize;

/// The method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Gradient descent x ← x − η g.
    Gd,
    /// Heavy-ball momentum (--beta).
    Momentum,
    /// Nesterov's accelerated gradient (--beta).
    Nesterov,
    /// Newton x ← x − η (H + μI)⁻¹ g (--damping μ, default 0).
    Newton,
    /// Saddle-free Newton x ← x − η (|H| + μI)⁻¹ g (--damping μ, default 0).
    Sfn,
}

/// Arguments of `saddle optimise`.
#[derive(Debug, Clone, clap::Args)]
pub struct OptimiseArgs {
    /// The update rule.
    #[arg(long, value_enum, default_value_t = MethodArg::Gd)]
    pub method: MethodArg,
    /// Eigenvalues of the Hessian H, comma-separated (default: 2,-2, the saddle
    /// f = x₁² − x₂² of the lecture slides). Negative ones are the unstable directions.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true, default_values_t = vec![2.0, -2.0])]
    pub eigenvalues: Vec<f64>,
    /// Rotate H by a Haar-random rotation drawn with this seed (default: H diagonal).
    #[arg(long)]
    pub rotate: Option<u64>,
    /// Learning rate η.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub lr: f64,
    /// Momentum β in [0, 1) (momentum, nesterov; default 0.9).
    #[arg(long, allow_negative_numbers = true)]
    pub beta: Option<f64>,
    /// Damping μ ≥ 0 (newton, sfn; default 0).
    #[arg(long, allow_negative_numbers = true)]
    pub damping: Option<f64>,
    /// Gradient noise s: each gradient gets s·N(0, I) added (0: deterministic).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub noise: f64,
    /// Start, comma-separated (one value per eigenvalue; default: 0.5 in the first
    /// direction, 1e-3 in the others). Ignored with --radius.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub x0: Option<Vec<f64>>,
    /// Random starts, uniform on the sphere of this radius around the saddle (one per
    /// run).
    #[arg(long, allow_negative_numbers = true)]
    pub radius: Option<f64>,
    /// Print the iterates of one run of this many steps (from --x0, noise from --seed)
    /// instead of escape statistics.
    #[arg(long, allow_negative_numbers = true)]
    pub iterates: Option<usize>,
    /// A run has escaped when ‖x‖ ≥ outer.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub outer: f64,
    /// A run is attracted by the saddle when ‖x‖ ≤ inner.
    #[arg(long, default_value_t = 1e-12, allow_negative_numbers = true)]
    pub inner: f64,
    /// Steps after which a run still between the balls is censored.
    #[arg(long, default_value_t = 1_000_000, allow_negative_numbers = true)]
    pub max_steps: usize,
    /// Number of runs (default: 1 for a deterministic run from a fixed --x0, 1000
    /// otherwise).
    #[arg(long, allow_negative_numbers = true)]
    pub runs: Option<u64>,
    /// Seed of the random starts and of the gradient noise: every number is fixed bit
    /// for bit whatever --threads is.
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Checkpoints of the escape statistics.
    #[command(flatten)]
    pub checkpoint: CheckpointArgs,
}

/// The full input of an escape-statistics run: what a checkpoint must match.
fn input(args: &OptimiseArgs, x0: &[f64], runs: u64) -> serde_json::Value {
    serde_json::json!({
        "command": "optimise",
        "version": VERSION,
        "method": format!("{:?}", args.method).to_lowercase(),
        "eigenvalues": args.eigenvalues, "rotate": args.rotate, "lr": args.lr,
        "beta": args.beta, "damping": args.damping, "noise": args.noise,
        "x0": args.radius.is_none().then_some(x0), "radius": args.radius,
        "outer": args.outer, "inner": args.inner, "max_steps": args.max_steps,
        "runs": runs, "seed": args.seed,
    })
}

/// A proportion with its standard error and 95% Wilson interval.
#[derive(Debug, Clone, Serialize)]
pub struct ProportionJson {
    /// The fraction.
    pub estimate: f64,
    /// √(p̂(1 − p̂)/n).
    pub stderr: f64,
    /// The 95% Wilson interval.
    pub wilson95: [f64; 2],
}

/// The escape statistics printed by `saddle optimise --json`.
#[derive(Debug, Clone, Serialize)]
pub struct EscapeJson {
    /// gd, momentum, nesterov, newton or sfn.
    pub method: &'static str,
    /// The eigenvalues of H, ascending.
    pub eigenvalues: Vec<f64>,
    /// η.
    pub lr: f64,
    /// s.
    pub noise: f64,
    /// Per eigenvalue, the growth factor per step without noise (> 1: escaping).
    pub growth_factors: Vec<f64>,
    /// Number of runs.
    pub runs: u64,
    /// Runs that reached ‖x‖ ≥ outer.
    pub escaped: u64,
    /// Runs that reached ‖x‖ ≤ inner.
    pub attracted: u64,
    /// Runs still between the balls after --max-steps.
    pub censored: u64,
    /// Runs that overflowed.
    pub non_finite: u64,
    /// The fraction escaped.
    pub p_escape: ProportionJson,
    /// The fraction attracted.
    pub p_attracted: ProportionJson,
    /// Mean steps to escape over the escaped runs (null if none; its stderr is null
    /// when only one run escaped).
    pub mean_escape_steps: Option<Estimate>,
    /// Mean steps to attraction over the attracted runs (null if none).
    pub mean_attract_steps: Option<Estimate>,
    /// Fewest and most steps to escape (null if none escaped).
    pub escape_steps_range: Option<[f64; 2]>,
    /// The crate version.
    pub version: &'static str,
}

fn proportion(p: saddle_sde::uncertainty::Proportion) -> anyhow::Result<ProportionJson> {
    let w = p.wilson(0.95)?;
    Ok(ProportionJson {
        estimate: p.estimate(),
        stderr: p.stderr(),
        wilson95: [w.lower, w.upper],
    })
}

/// Runs `saddle optimise`.
pub fn run(args: OptimiseArgs) -> anyhow::Result<()> {
    let momentum = matches!(args.method, MethodArg::Momentum | MethodArg::Nesterov);
    let newton = matches!(args.method, MethodArg::Newton | MethodArg::Sfn);
    for (given, name, needs) in [
        (
            args.beta.is_some() && !momentum,
            "beta",
            "momentum or nesterov",
        ),
        (
            args.damping.is_some() && !newton,
            "damping",
            "newton or sfn",
        ),
        (
            args.iterates.is_some() && args.radius.is_some(),
            "radius",
            "escape statistics (it is ignored with --iterates)",
        ),
    ] {
        if given {
            eprintln!("warning: --{name} is ignored without --method {needs}");
        }
    }
    let beta = args.beta.unwrap_or(0.9);
    let damping = args.damping.unwrap_or(0.0);
    let method = match args.method {
        MethodArg::Gd => Method::GradientDescent,
        MethodArg::Momentum => Method::HeavyBall { beta },
        MethodArg::Nesterov => Method::Nesterov { beta },
        MethodArg::Newton => Method::Newton { damping },
        MethodArg::Sfn => Method::SaddleFreeNewton { damping },
    };
    // checked under the option's name (the library names the matrix it builds)
    if let Some(v) = args.eigenvalues.iter().find(|v| !v.is_finite()) {
        anyhow::bail!("invalid parameter eigenvalues = {v}: must be finite (each of them)");
    }
    let q = match args.rotate {
        Some(seed) => Quadratic::rotated(&args.eigenvalues, seed)?,
        None => Quadratic::diagonal(&args.eigenvalues)?,
    };
    let opt = Optimiser::new(&q, method, args.lr)?.gradient_noise(args.noise)?;
    let d = q.dim();
    let x0 = args
        .x0
        .clone()
        .unwrap_or_else(|| (0..d).map(|i| if i == 0 { 0.5 } else { 1e-3 }).collect());
    anyhow::ensure!(
        x0.len() == d,
        "invalid parameter x0: {} values given, one per eigenvalue ({d}) needed",
        x0.len()
    );
    if let Some(n) = args.iterates
        && !(1..=MAX_PATH_STEPS).contains(&n)
    {
        anyhow::bail!(
            "invalid parameter iterates = {n}: must be in [1, {MAX_PATH_STEPS}] (every iterate \
             is kept and printed; the escape statistics take --max-steps)"
        );
    }
    if let Some(steps) = args.iterates {
        if args.checkpoint.any() {
            anyhow::bail!(
                "invalid parameter iterates = {steps}: --checkpoint and --resume are for escape \
                 statistics, not for the iterates of one run"
            );
        }
        return iterates(&args, &opt, &x0, steps);
    }
    let start = match args.radius {
        Some(radius) => Start::Sphere { radius },
        None => Start::Point(x0.clone()),
    };
    let deterministic = args.noise == 0.0 && args.radius.is_none();
    let runs = args.runs.unwrap_or(if deterministic { 1 } else { 1_000 });
    anyhow::ensure!(runs >= 1, "invalid parameter runs = 0: must be >= 1");
    // runs × steps: an overflow refused, a long run announced
    crate::output::check_cost_of("optimise", "runs", runs, args.max_steps)?;
    let spec = EscapeSpec::new(start, args.outer, args.max_steps)?
        .inner(args.inner)?
        .paths(runs)
        .seed(args.seed);
    let mut progress = Progress::new("optimise");
    // run i draws its start and noise from (seed, i) only: a checkpoint holds the runs'
    // merged summary
    let s = parts::checkpointed(
        &args.checkpoint.parts(),
        &parts::header("optimise", &input(&args, &x0, runs)),
        || Ok(Partial::whole(runs, CHUNK)?),
        |part, after| {
            with_threads(args.threads, || {
                opt.escape_part(&spec, part, |p| {
                    progress.update(p.paths_done(), runs);
                    after(p)
                })
            })?
            .map_err(Into::into)
        },
    )?
    .finish()?;
    let out = EscapeJson {
        method: method.name(),
        eigenvalues: q.eigenvalues().to_vec(),
        lr: args.lr,
        noise: args.noise,
        growth_factors: opt.growth_factors(),
        runs: s.paths(),
        escaped: s.escaped(),
        attracted: s.attracted(),
        censored: s.censored(),
        non_finite: s.non_finite(),
        p_escape: proportion(s.p_escape().expect("runs >= 1"))?,
        p_attracted: proportion(s.p_attracted().expect("runs >= 1"))?,
        mean_escape_steps: s.mean_escape_time(),
        mean_attract_steps: s.mean_attract_time(),
        escape_steps_range: s.escape_range().map(|(a, b)| [a, b]),
        version: VERSION,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    // one run (or one escaped run) has no sample standard error: the value alone
    let pm = |e: Option<Estimate>| {
        e.map_or("—".to_owned(), |e| {
            if e.stderr.is_finite() {
                format!("{} ± {}", num(e.estimate), num(e.stderr))
            } else {
                format!("{} (one run: no standard error)", num(e.estimate))
            }
        })
    };
    let prop = |p: &ProportionJson| {
        format!(
            "{} (95% Wilson [{}, {}])",
            num(p.estimate),
            num(p.wilson95[0]),
            num(p.wilson95[1])
        )
    };
    let mut t = Table::new(&["quantity", "value"]);
    t.row(&["method".to_owned(), method.name().to_owned()]);
    t.row(&[
        "eigenvalues (growth factor per step)".to_owned(),
        out.eigenvalues
            .iter()
            .zip(&out.growth_factors)
            .map(|(l, g)| format!("{} ({})", num(*l), num(*g)))
            .collect::<Vec<_>>()
            .join(", "),
    ]);
    t.row(&["runs".to_owned(), out.runs.to_string()]);
    t.row(&["P(escape: ‖x‖ ≥ outer)".to_owned(), prop(&out.p_escape)]);
    t.row(&[
        "P(attracted: ‖x‖ ≤ inner)".to_owned(),
        prop(&out.p_attracted),
    ]);
    t.row(&["mean steps to escape".to_owned(), pm(out.mean_escape_steps)]);
    t.row(&[
        "mean steps to attraction".to_owned(),
        pm(out.mean_attract_steps),
    ]);
    t.row(&[
        "censored".to_owned(),
        format!("{} of {}", out.censored, out.runs),
    ]);
    if out.non_finite > 0 {
        t.row(&["overflowed".to_owned(), out.non_finite.to_string()]);
    }
    print!("{}", t.render());
    Ok(())
}

/// The iterates of one run as a table (n, x_1…x_d, f, ‖x‖) or JSON.
fn iterates(args: &OptimiseArgs, opt: &Optimiser, x0: &[f64], steps: usize) -> anyhow::Result<()> {
    let path = opt.path(x0, steps, args.seed)?;
    let q = opt.quadratic();
    if args.json {
        let mut rows = Vec::with_capacity(path.len());
        for (n, x) in path.iter().enumerate() {
            rows.push(serde_json::json!({
                "n": n,
                "x": x,
                "f": q.value(x)?,
                "norm": x.iter().map(|v| v * v).sum::<f64>().sqrt(),
            }));
        }
        let v = serde_json::json!({
            "method": opt.method().name(),
            "eigenvalues": q.eigenvalues(),
            "lr": opt.lr(),
            "noise": opt.noise(),
            "iterates": rows,
            "overflowed": path.len() < steps + 1,
            "version": VERSION,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    let mut header = vec!["n".to_owned()];
    header.extend((1..=q.dim()).map(|i| format!("x{i}")));
    header.extend(["f".to_owned(), "‖x‖".to_owned()]);
    let mut t = Table::new(&header);
    for (n, x) in path.iter().enumerate() {
        let mut row = vec![n.to_string()];
        row.extend(x.iter().map(|v| num(*v)));
        row.push(num(q.value(x)?));
        row.push(num(x.iter().map(|v| v * v).sum::<f64>().sqrt()));
        t.row(&row);
    }
    print!("{}", t.render());
    if path.len() < steps + 1 {
        println!(
            "the run stopped after {} steps: ‖x‖² or f would overflow at the next",
            path.len() - 1
        );
    }
    Ok(())
}

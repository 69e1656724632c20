//! `saddle simulate`: terminal statistics of an ensemble beside the exact moments.

use crate::output::{with_threads, Progress};
use anyhow::Result;
use clap::{Args, ValueEnum};
use saddle_sde::analytic::saddle as exact;
use saddle_sde::ensemble::{Ensemble, Increments, TerminalSummary};
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use serde_json::json;

/// Which scheme and which form of the model.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SchemeArg {
    /// Euler–Maruyama on the two-noise SDE (pathwise in W, U).
    Em,
    /// Milstein with Lévy areas on the two-noise SDE (strong order 1).
    Milstein,
    /// Euler–Maruyama on the law-equivalent one-noise form (distribution only).
    LawEm,
    /// Milstein on the law-equivalent one-noise form (distribution only).
    LawMilstein,
    /// EM on the law-equivalent form with two-point increments ±√h (simplified weak
    /// Euler: weak order 1, the same moment recursions as EM; distribution only).
    LawTwoPoint,
}

impl SchemeArg {
    fn name(self) -> &'static str {
        match self {
            Self::Em => "em",
            Self::Milstein => "milstein",
            Self::LawEm => "law-em",
            Self::LawMilstein => "law-milstein",
            Self::LawTwoPoint => "law-two-point",
        }
    }
}

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
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::Em)]
    pub scheme: SchemeArg,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(args: SimulateArgs) -> Result<()> {
    let model = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    let grid = Grid::new(args.t, args.dt)?;
    let start = std::time::Instant::now();
    let stats: TerminalSummary = with_threads(args.threads, || {
        let mut progress = Progress::new("simulate");
        let bar = |d, t| progress.update(d, t);
        let law = LawEquivalentSaddle::new(model.clone());
        let (x0, p, s) = (args.x0, args.paths, args.seed);
        // one chain for every scheme: start, grid, paths, seed, progress
        macro_rules! ensemble {
            ($m:expr, $s:expr) => {
                Ensemble::new($m, $s).start(x0).grid(grid).paths(p).seed(s).progress(bar)
            };
        }
        match args.scheme {
            SchemeArg::Em => ensemble!(&model, &EulerMaruyama).terminal(),
            SchemeArg::Milstein => ensemble!(&model, &Milstein).terminal(),
            SchemeArg::LawEm => ensemble!(&law, &EulerMaruyama).terminal(),
            SchemeArg::LawMilstein => ensemble!(&law, &Milstein).terminal(),
            SchemeArg::LawTwoPoint => ensemble!(&law, &EulerMaruyama)
                .increments(Increments::TwoPoint)
                .terminal(),
        }
    })??;
    let seconds = start.elapsed().as_secs_f64();
    let t = grid.t_end();
    let (em, ev) = (
        exact::mean(&model, args.x0, t),
        exact::variance(&model, args.x0, t),
    );
    let mean = stats.mean();
    let se = stats.moments.stderr();
    if args.json {
        let out = json!({
            "params": {"a": args.a, "sigma": args.sigma, "tau": args.tau, "rho": args.rho, "x0": args.x0, "t": t},
            "scheme": args.scheme.name(),
            "dt": grid.h(),
            "steps": grid.steps(),
            "paths": args.paths,
            "seed": args.seed,
            "mean": {"estimate": mean, "stderr": se},
            "variance": {"estimate": stats.variance()},
            "exact": {"mean": em, "variance": ev},
            "blown_up": stats.blown_up,
            "seconds": seconds,
        });
        println!("{out}");
    } else {
        println!(
            "saddle SDE  a = {}, σ = {}, τ = {}, ρ = {}, x0 = {}   (a − σ²/2 = {})",
            args.a,
            args.sigma,
            args.tau,
            args.rho,
            args.x0,
            model.lyapunov_rate()
        );
        println!(
            "{} paths, scheme {}, T = {t}, {} steps of {:.3e}, seed {}",
            args.paths,
            args.scheme.name(),
            grid.steps(),
            grid.h(),
            args.seed
        );
        println!("{:<12}{:>16}{:>16}{:>16}", "", "simulated", "exact", "z");
        println!(
            "{:<12}{:>16.6}{:>16.6}{:>16.2}",
            "E[x_T]",
            mean,
            em,
            (mean - em) / se
        );
        println!(
            "{:<12}{:>16.6}{:>16.6}{:>16}",
            "Var[x_T]",
            stats.variance(),
            ev,
            ""
        );
        println!(
            "standard error of the mean {se:.3e}; blown up {}; {seconds:.2} s",
            stats.blown_up
        );
    }
    Ok(())
}

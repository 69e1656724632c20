//! `saddle hessian`: the probability that a random symmetric (GOE) matrix is positive
//! definite, for n = 1 … --max-n, against seed 002's independence heuristic 2⁻ⁿ, the
//! exact small-n values and the Dean–Majumdar rate (`saddle_sde::landscape::goe`).

use crate::output::{DEFAULT_SEED, Progress, Table, VERSION, num, with_threads};
use saddle_sde::escape::Estimate;
use saddle_sde::landscape::goe::{
    LD_RATE, LdFit, PositiveDefinite, PositiveDefiniteResult, Row, Weighted,
};
use saddle_sde::uncertainty::Interval;
use serde::Serialize;

/// Arguments of `saddle hessian`.
#[derive(Debug, Clone, clap::Args)]
pub struct HessianArgs {
    /// The largest size n of the plain and conditional Monte Carlo (1 … 32).
    #[arg(long, default_value_t = 8, allow_negative_numbers = true)]
    pub max_n: usize,
    /// Plain Monte Carlo samples per size (and conditional draws, unless
    /// --conditional-samples is given).
    #[arg(long, default_value_t = 1_000_000, allow_negative_numbers = true)]
    pub samples: u64,
    /// Draws of the conditional estimator per size (default: --samples).
    #[arg(long, allow_negative_numbers = true)]
    pub conditional_samples: Option<u64>,
    /// Particles of each resampled estimate.
    #[arg(long, default_value_t = 2_000, allow_negative_numbers = true)]
    pub particles: usize,
    /// Independent resampled estimates per size (their spread is the standard error).
    #[arg(long, default_value_t = 100, allow_negative_numbers = true)]
    pub replicates: u64,
    /// First size of the large-deviation fit.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    pub fit_from: usize,
    /// Last size of the large-deviation fit (default: max(--max-n, 12)); the resampled
    /// estimator runs up to it.
    #[arg(long, allow_negative_numbers = true)]
    pub fit_to: Option<usize>,
    /// Seed: every number is fixed bit for bit whatever --threads is.
    #[arg(long, default_value_t = DEFAULT_SEED, allow_negative_numbers = true)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The large-deviation fit and the estimates it used.
#[derive(Debug, Clone, Serialize)]
pub struct FitJson {
    /// The fit: `ln P_n = −θ n² + a n + b` by weighted least squares over
    /// `from … to` (`theta`, `linear`, `constant` with standard errors; `chi2`, `dof`).
    #[serde(flatten)]
    pub fit: LdFit,
    /// The sizes of the fit.
    pub n: Vec<usize>,
    /// `ln P̂_n` of the resampled estimator at those sizes, with `se/P̂`.
    pub ln_p: Vec<Option<Estimate>>,
}

/// The `--json` record. Every array runs over `n`; `null` where a value does not exist.
#[derive(Debug, Clone, Serialize)]
pub struct HessianJson {
    /// The sizes 1 … --max-n.
    pub n: Vec<usize>,
    /// Plain Monte Carlo: the share of positive definite matrices, with the plug-in
    /// standard error √(p̂(1 − p̂)/N) (0 at zero hits: see `wilson95`).
    pub p_positive_definite: Vec<Estimate>,
    /// Exact values: ½, (2 − √2)/4, then `null`.
    pub exact: Vec<Option<f64>>,
    /// The independence heuristic 2⁻ⁿ.
    pub independent_signs: Vec<f64>,
    /// Positive definite matrices among the plain samples.
    pub hits: Vec<u64>,
    /// The Wilson 95 % interval of the plain estimate.
    pub wilson95: Vec<Interval>,
    /// Plain Monte Carlo: how many matrices had k negative eigenvalues, k = 0 … n.
    pub index_counts: Vec<Vec<u64>>,
    /// The sequential conditional (importance) estimator: unbiased, with its sample
    /// standard error and effective sample size (far below `samples`, the weights are
    /// degenerate and the standard error is no guide).
    pub conditional: Vec<Weighted>,
    /// The conditional estimator with resampling (particle system): the mean of
    /// `replicates` independent unbiased estimates and its standard error.
    pub resampled: Vec<Weighted>,
    /// 2⁻ⁿ/P̂ (resampled): how many times the heuristic overstates P_n (`null` if P̂ = 0).
    pub heuristic_factor: Vec<Option<Estimate>>,
    /// Saddles per minimum P(0 < index < n)/P(index = 0) from the plain index counts
    /// (delta-method standard error); `null` for n = 1 or below 20 hits or saddles,
    /// where that standard error is no guide (see the resampled key).
    pub saddles_per_minimum: Vec<Option<Estimate>>,
    /// The same from the resampled estimate, (1 − 2P̂)/P̂ (the GOE is symmetric, so
    /// P(index = n) = P(index = 0)); `null` for n = 1.
    pub saddles_per_minimum_resampled: Vec<Option<Estimate>>,
    /// The heuristic's saddles per minimum, 2ⁿ − 2.
    pub saddles_per_minimum_independent_signs: Vec<f64>,
    /// The Dean–Majumdar rate ln 3/4.
    pub ld_rate: f64,
    /// exp(−(ln 3/4) n²).
    pub large_deviation: Vec<f64>,
    /// The weighted least-squares fit of ln P_n = −θ n² + a n + b to the resampled
    /// estimates.
    pub ld_fit: FitJson,
    /// Plain samples per size.
    pub samples: u64,
    /// Conditional draws per size.
    pub conditional_samples: u64,
    /// Particles per resampled estimate.
    pub particles: usize,
    /// Resampled estimates per size.
    pub replicates: u64,
    /// The seed.
    pub seed: u64,
    /// The crate version.
    pub version: &'static str,
}

impl HessianJson {
    fn new(r: &PositiveDefiniteResult, max_n: usize) -> Self {
        let rows: Vec<&Row> = r.rows.iter().take(max_n).collect();
        let plain = |row: &Row| {
            row.plain
                .as_ref()
                .expect("n <= max_n has plain Monte Carlo")
                .clone()
        };
        let fit_rows = &r.rows[r.fit.from - 1..r.fit.to];
        Self {
            n: rows.iter().map(|row| row.n).collect(),
            p_positive_definite: rows.iter().map(|row| plain(row).estimate()).collect(),
            exact: rows.iter().map(|row| row.exact).collect(),
            independent_signs: rows.iter().map(|row| row.independent_signs()).collect(),
            hits: rows.iter().map(|row| plain(row).hits()).collect(),
            wilson95: rows.iter().map(|row| plain(row).wilson95()).collect(),
            index_counts: rows.iter().map(|row| plain(row).index_counts).collect(),
            conditional: rows
                .iter()
                .map(|row| {
                    row.conditional
                        .expect("n <= max_n has the conditional estimator")
                })
                .collect(),
            resampled: rows.iter().map(|row| row.resampled).collect(),
            heuristic_factor: rows.iter().map(|row| row.heuristic_factor()).collect(),
            saddles_per_minimum: rows.iter().map(|row| plain(row).saddle_ratio()).collect(),
            saddles_per_minimum_resampled: rows.iter().map(|row| row.saddle_ratio()).collect(),
            saddles_per_minimum_independent_signs: rows
                .iter()
                .map(|row| row.heuristic_saddle_ratio())
                .collect(),
            ld_rate: LD_RATE,
            large_deviation: rows.iter().map(|row| row.large_deviation()).collect(),
            ld_fit: FitJson {
                fit: r.fit,
                n: fit_rows.iter().map(|row| row.n).collect(),
                ln_p: fit_rows
                    .iter()
                    .map(|row| row.resampled.ln_estimate())
                    .collect(),
            },
            samples: r.samples,
            conditional_samples: r.conditional_samples,
            particles: r.particles,
            replicates: r.replicates,
            seed: r.seed,
            version: VERSION,
        }
    }
}

/// `x ± se`.
fn pm(e: Estimate) -> String {
    format!("{} ± {}", num(e.estimate), num(e.stderr))
}

/// Runs `saddle hessian`.
pub fn run(args: HessianArgs) -> anyhow::Result<()> {
    let mut study = PositiveDefinite::new(args.max_n, args.samples, args.seed)?
        .particles(args.particles)?
        .replicates(args.replicates)?
        .fit_range(args.fit_from, args.fit_to.unwrap_or(args.max_n.max(12)))?;
    if let Some(k) = args.conditional_samples {
        study = study.conditional_samples(k)?;
    }
    // draws × sizes (and particles): an overflow refused, a long run announced
    let sizes = args.max_n.max(1);
    crate::output::check_cost_of("hessian", "samples", args.samples, sizes)?;
    if let Some(k) = args.conditional_samples {
        crate::output::check_cost_of("hessian", "conditional-samples", k, sizes)?;
    }
    crate::output::check_cost_of(
        "hessian",
        "replicates",
        args.replicates,
        args.particles.saturating_mul(sizes),
    )?;
    let mut progress = Progress::new("hessian");
    let r = with_threads(args.threads, || {
        study.run(&mut |f| progress.update((f * 1e6) as u64, 1_000_000))
    })??;
    let out = HessianJson::new(&r, args.max_n);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "P(a GOE matrix is positive definite): plain Monte Carlo ({} samples per n), the \
         conditional estimator ({} draws), the same with resampling ({} estimates of {} \
         particles), against 2⁻ⁿ",
        r.samples, r.conditional_samples, r.replicates, r.particles
    );
    let mut t = Table::new(&[
        "n",
        "hits",
        "plain P̂ [Wilson 95 %]",
        "conditional ± s.e. (eff. draws)",
        "resampled ± s.e.",
        "exact",
        "2⁻ⁿ",
        "2⁻ⁿ/P̂ (resampled) ± s.e.",
        "saddles/minimum (resampled) ± s.e.",
        "2ⁿ − 2",
    ]);
    for (i, row) in r.rows.iter().take(args.max_n).enumerate() {
        let w = out.wilson95[i];
        let c = out.conditional[i];
        t.row(&[
            row.n.to_string(),
            out.hits[i].to_string(),
            format!(
                "{} [{}, {}]",
                num(out.p_positive_definite[i].estimate),
                num(w.lower),
                num(w.upper)
            ),
            format!("{} ({})", pm(c.estimate), num(c.effective_samples.round())),
            pm(row.resampled.estimate),
            row.exact.map_or("—".to_owned(), num),
            num(row.independent_signs()),
            row.heuristic_factor().map_or("—".to_owned(), pm),
            row.saddle_ratio().map_or("—".to_owned(), pm),
            num(row.heuristic_saddle_ratio()),
        ]);
    }
    print!("{}", t.render());
    if r.rows.len() > args.max_n {
        println!("the resampled estimator beyond --max-n (for the fit):");
        let mut t = Table::new(&[
            "n",
            "resampled ± s.e.",
            "ln P̂ ± s.e.",
            "fit",
            "−(ln 3/4) n²",
            "2⁻ⁿ/P̂ ± s.e.",
        ]);
        for row in &r.rows[args.max_n..] {
            t.row(&[
                row.n.to_string(),
                pm(row.resampled.estimate),
                row.resampled.ln_estimate().map_or("—".to_owned(), pm),
                num(r.fit.ln_p(row.n)),
                num(-LD_RATE * (row.n * row.n) as f64),
                row.heuristic_factor().map_or("—".to_owned(), pm),
            ]);
        }
        print!("{}", t.render());
    }
    let f = &r.fit;
    println!(
        "large deviations: ln P_n = −θ n² + a n + b fitted over n = {} … {} (weights 1/se²): \
         θ = {}, a = {}, b = {}, χ² = {} on {} degrees of freedom; Dean–Majumdar θ = ln 3/4 = {}",
        f.from,
        f.to,
        pm(f.theta),
        pm(f.linear),
        pm(f.constant),
        num(f.chi2),
        f.dof,
        num(LD_RATE)
    );
    if let Some(c) = out
        .conditional
        .iter()
        .zip(&out.n)
        .find(|(c, _)| c.effective_samples < 1e-3 * c.samples as f64)
    {
        println!(
            "from n = {} the conditional estimator's weights are degenerate (effective draws \
             below 0.1 % of the draws): its standard error is no guide there; use the \
             resampled column",
            c.1
        );
    }
    Ok(())
}

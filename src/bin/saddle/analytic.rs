//! `saddle analytic`: what the answer should be, from the library's closed forms.
//!
//! Every number printed comes from a `saddle_sde::analytic` function.

use anyhow::Result;
use saddle_sde::analytic::coin_flip::CoinFlip;
use saddle_sde::analytic::growth::lyapunov_rate;
use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
use saddle_sde::analytic::saddle::{mean, variance};
use saddle_sde::analytic::stationary::{gaussian_limit, StationaryLaw};
use saddle_sde::models::SaddleSde;
use serde_json::{json, Value};
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::statistics::{Median, Mode};

/// Arguments of `saddle analytic`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Drift rate a (any real).
    #[arg(long, allow_hyphen_values = true)]
    pub a: f64,
    /// Multiplicative noise intensity σ ≥ 0.
    #[arg(long, allow_hyphen_values = true)]
    pub sigma: f64,
    /// Additive noise intensity τ (any real).
    #[arg(long, allow_hyphen_values = true)]
    pub tau: f64,
    /// Correlation ρ ∈ [−1, 1] of the two noises.
    #[arg(long, allow_hyphen_values = true)]
    pub rho: f64,
    /// Initial state x₀ for the mean and variance at time t.
    #[arg(long, allow_hyphen_values = true)]
    pub x0: f64,
    /// Time t ≥ 0 for the mean and variance.
    #[arg(long, allow_hyphen_values = true)]
    pub t: f64,
    /// Number of steps n ≥ 1 of the coin-flip model x_{n+1} = (1 ± σ) x_n.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Computes the report as a JSON value.
///
/// # Errors
/// A parameter error naming the parameter for invalid input (and naming `t` when the
/// moments overflow).
pub fn report(args: &Args) -> Result<Value> {
    let sde = SaddleSde::new(args.a, args.sigma, args.tau, args.rho)?;
    if !args.x0.is_finite() {
        anyhow::bail!("invalid parameter x0 = {}: must be finite", args.x0);
    }
    if !(args.t >= 0.0 && args.t.is_finite()) {
        anyhow::bail!("invalid parameter t = {}: must be finite and >= 0", args.t);
    }
    let m = mean(&sde, args.x0, args.t);
    let v = variance(&sde, args.x0, args.t);
    if !(m.is_finite() && v.is_finite()) {
        anyhow::bail!(
            "invalid parameter t = {}: the mean or variance at this time overflows f64",
            args.t
        );
    }
    let stationary = match StationaryLaw::new(&sde) {
        Ok(law) => json!({
            "family": law.family(),
            "mode": law.mode(),
            "median": law.median(),
            "density_at_0": law.pdf(0.0),
            "cdf_at_0": law.cdf(0.0),
        }),
        Err(_) => match gaussian_limit(&sde) {
            Ok(normal) => json!({
                "family": "Gaussian",
                "mode": normal.mode(),
                "median": normal.median(),
                "density_at_0": normal.pdf(0.0),
                "cdf_at_0": normal.cdf(0.0),
            }),
            Err(_) => Value::Null,
        },
    };
    let inverse_gamma_limit = match InverseGammaLimit::new(&sde) {
        Ok(law) => json!({
            "shape": law.shape(),
            "scale": law.scale(),
            "shift": law.shift(),
            "sign": law.sign() as i64,
            "mode": law.mode(),
        }),
        Err(_) => Value::Null,
    };
    let coin_flip = match args.steps {
        Some(n) => {
            let c = CoinFlip::new(args.sigma)?;
            json!({ "steps": n, "p_shrink": c.p_shrink(n)? })
        }
        None => Value::Null,
    };
    Ok(json!({
        "lyapunov_rate": lyapunov_rate(&sde),
        "mean": m,
        "variance": v,
        "stationary": stationary,
        "inverse_gamma_limit": inverse_gamma_limit,
        "coin_flip": coin_flip,
    }))
}

fn table(value: &Value, prefix: &str, out: &mut String) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match v {
                    Value::Object(_) => table(v, &key, out),
                    Value::Null => out.push_str(&format!("{key:<30} (does not exist)\n")),
                    other => out.push_str(&format!("{key:<30} {other}\n")),
                }
            }
        }
        other => out.push_str(&format!("{prefix:<30} {other}\n")),
    }
}

/// Runs `saddle analytic`.
///
/// # Errors
/// As [`report`].
pub fn run(args: Args) -> Result<()> {
    let value = report(&args)?;
    if args.json {
        println!("{value}");
    } else {
        let mut s = String::new();
        table(&value, "", &mut s);
        print!("{s}");
    }
    Ok(())
}

//! `saddle analytic`: what the answer should be, from the library's closed forms.
//!
//! Every number printed comes from a `saddle_sde::analytic` function.

use crate::output::num;
use anyhow::Result;
use saddle_sde::analytic::coin_flip::CoinFlip;
use saddle_sde::analytic::growth::lyapunov_rate;
use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
use saddle_sde::analytic::saddle::moments;
use saddle_sde::analytic::stationary::{StationaryLaw, gaussian_limit};
use saddle_sde::models::SaddleSde;
use serde_json::{Value, json};
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::statistics::{Median, Mode};

/// Arguments of `saddle analytic`. Every parameter is optional: each answer is given
/// when the parameters it needs are (the growth rate needs a and σ; the moments at time
/// t all six; the stationary and |ρ| = 1 laws a, σ, τ, ρ; the coin flip σ and steps).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Drift rate a (any real).
    #[arg(long, allow_hyphen_values = true)]
    pub a: Option<f64>,
    /// Multiplicative noise intensity σ ≥ 0.
    #[arg(long, allow_hyphen_values = true)]
    pub sigma: Option<f64>,
    /// Additive noise intensity τ (any real).
    #[arg(long, allow_hyphen_values = true)]
    pub tau: Option<f64>,
    /// Correlation ρ ∈ [−1, 1] of the two noises.
    #[arg(long, allow_hyphen_values = true)]
    pub rho: Option<f64>,
    /// Initial state x₀ for the mean and variance at time t.
    #[arg(long, allow_hyphen_values = true)]
    pub x0: Option<f64>,
    /// Time t ≥ 0 for the mean and variance.
    #[arg(long, allow_hyphen_values = true)]
    pub t: Option<f64>,
    /// Number of steps n ≥ 1 of the coin-flip model x_{n+1} = (1 ± σ) x_n.
    #[arg(long)]
    pub steps: Option<u64>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The options missing for a query, as `--x0, --t`, or `None` when all are given.
fn missing(given: &[(&str, bool)]) -> Option<String> {
    let m: Vec<String> = given
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| format!("--{n}"))
        .collect();
    (!m.is_empty()).then(|| m.join(", "))
}

/// Computes the report as a JSON value: one key per answer that could be computed
/// (`null` when it does not exist, with the library's reason under `does_not_exist`),
/// and under `not_computed` the options each other answer needs.
///
/// # Errors
/// A parameter error naming the parameter for invalid input (and the overflowing term
/// and its parameters when the moments overflow); an error listing the options when no answer can be computed.
pub fn report(args: &Args) -> Result<Value> {
    let mut out = serde_json::Map::new();
    let mut reasons = serde_json::Map::new();
    let mut not_computed = serde_json::Map::new();
    let (a, sigma, tau, rho) = (args.a, args.sigma, args.tau, args.rho);
    let full = match (a, sigma, tau, rho) {
        (Some(a), Some(s), Some(t), Some(r)) => Some(SaddleSde::new(a, s, t, r)?),
        _ => None,
    };
    // growth rate: a and σ
    match (a, sigma) {
        (Some(a), Some(s)) => {
            let sde = SaddleSde::new(a, s, 0.0, 0.0)?;
            out.insert("lyapunov_rate".into(), json!(lyapunov_rate(&sde)));
        }
        _ => {
            let m = missing(&[("a", a.is_some()), ("sigma", sigma.is_some())]);
            not_computed.insert("lyapunov_rate".into(), json!(m));
        }
    }
    // moments at time t: all six
    match (&full, args.x0, args.t) {
        (Some(sde), Some(x0), Some(t)) => {
            // x0 and t checked, and an overflow blamed on the term (and so the
            // parameters) that causes it
            let m = moments(sde, x0, t)?;
            out.insert("mean".into(), json!(m.mean));
            out.insert("variance".into(), json!(m.variance));
        }
        _ => {
            let m = missing(&[
                ("a", a.is_some()),
                ("sigma", sigma.is_some()),
                ("tau", tau.is_some()),
                ("rho", rho.is_some()),
                ("x0", args.x0.is_some()),
                ("t", args.t.is_some()),
            ]);
            not_computed.insert("mean".into(), json!(m));
            not_computed.insert("variance".into(), json!(m));
        }
    }
    // the laws: a, σ, τ, ρ
    if let Some(sde) = &full {
        let stationary = match StationaryLaw::new(sde) {
            Ok(law) => json!({
                "family": law.family(),
                "mode": law.mode(),
                "median": law.median(),
                "density_at_0": law.pdf(0.0),
                "cdf_at_0": law.cdf(0.0),
            }),
            Err(pearson) => match gaussian_limit(sde) {
                Ok(normal) => json!({
                    "family": "Gaussian",
                    "mode": normal.mode(),
                    "median": normal.median(),
                    "density_at_0": normal.pdf(0.0),
                    "cdf_at_0": normal.cdf(0.0),
                }),
                Err(gauss) => {
                    // σ = 0 is the Gaussian case; otherwise the Pearson law's reason
                    let why = if sde.sigma() == 0.0 { gauss } else { pearson };
                    reasons.insert("stationary".into(), json!(why.to_string()));
                    Value::Null
                }
            },
        };
        out.insert("stationary".into(), stationary);
        let ig = match InverseGammaLimit::new(sde) {
            Ok(law) => json!({
                "shape": law.shape(),
                "scale": law.scale(),
                "shift": law.shift(),
                "sign": law.sign() as i64,
                "mode": law.mode(),
            }),
            Err(e) => {
                reasons.insert("inverse_gamma_limit".into(), json!(e.to_string()));
                Value::Null
            }
        };
        out.insert("inverse_gamma_limit".into(), ig);
    } else {
        let m = missing(&[
            ("a", a.is_some()),
            ("sigma", sigma.is_some()),
            ("tau", tau.is_some()),
            ("rho", rho.is_some()),
        ]);
        not_computed.insert("stationary".into(), json!(m));
        not_computed.insert("inverse_gamma_limit".into(), json!(m));
    }
    // the coin flip: σ and steps
    match (sigma, args.steps) {
        (Some(s), Some(n)) => {
            let c = CoinFlip::new(s)?;
            out.insert(
                "coin_flip".into(),
                json!({ "sigma": s, "steps": n, "p_shrink": c.p_shrink(n)? }),
            );
        }
        _ => {
            let m = missing(&[("sigma", sigma.is_some()), ("steps", args.steps.is_some())]);
            not_computed.insert("coin_flip".into(), json!(m));
        }
    }
    if out.is_empty() {
        anyhow::bail!(
            "nothing to compute: give --a and --sigma (growth rate), --a --sigma --tau --rho \
             (stationary laws), also --x0 --t (moments), or --sigma and --steps (coin flip)"
        );
    }
    if !reasons.is_empty() {
        out.insert("does_not_exist".into(), Value::Object(reasons));
    }
    if !not_computed.is_empty() {
        out.insert("not_computed".into(), Value::Object(not_computed));
    }
    Ok(Value::Object(out))
}

/// Rows `(key, value)` of the table, nested keys joined with `.`.
fn table(value: &Value, prefix: &str, reasons: &Value, t: &mut Vec<(String, String)>) {
    let Value::Object(map) = value else {
        t.push((prefix.to_string(), value.to_string()));
        return;
    };
    for (k, v) in map {
        if prefix.is_empty() && (k == "does_not_exist" || k == "not_computed") {
            continue;
        }
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            Value::Object(_) => table(v, &key, reasons, t),
            Value::Null => {
                // the library's reason, which names the failing condition
                let why = reasons[k.as_str()]
                    .as_str()
                    .map_or("(does not exist)".to_string(), str::to_string);
                t.push((key, why));
            }
            Value::Number(n) if n.is_f64() => t.push((key, num(n.as_f64().unwrap_or(f64::NAN)))),
            Value::String(s) => t.push((key, s.clone())),
            other => t.push((key, other.to_string())),
        }
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
        let mut rows = Vec::new();
        table(&value, "", &value["does_not_exist"], &mut rows);
        // keys left, values left-aligned after the widest key: long reasons never push
        // the numbers out of line
        let w = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (k, v) in rows {
            println!("{k:<w$}  {v}");
        }
        if let Value::Object(m) = &value["not_computed"] {
            for (k, v) in m {
                println!("{k}: not computed, needs {}", v.as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}

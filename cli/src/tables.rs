//! The escape study the blog implies: how long noisy gradient descent lingers near the
//! saddle, across the transition `σ²/(2a) = 1`.
//!
//! Application code, not library: it composes the public exit API of `saddle_sde`.
//! It is a module of the `saddle` binary (`saddle escape-study`) and is included by
//! `examples/escape_study.rs` through `#[path]`, so both print the same tables from one
//! implementation.
//!
//! For `σ² < 2a` the multiplicative noise only slows the escape; for `σ² > 2a` the
//! saddle is attractive almost surely in the absence of `τ`, and with `τ ≠ 0` the path
//! is recurrent: it still leaves any bounded interval, but the mean time to reach
//! distance `R` grows like a power of `R` instead of like `ln R`
//! (see `saddle_sde::escape::exact` for the one-sided limit, finite iff `σ² > 2a`).
//!
//! Both tables put the exact references next to Monte Carlo estimates from
//! `saddle_sde::ensemble::Ensemble::exits` (Euler–Maruyama with the bridge correction on
//! the two-noise saddle SDE).

use saddle_sde::ensemble::Ensemble;
use saddle_sde::escape::{Correction, Estimate, ExitDomain, ExitSpec, exact};
use saddle_sde::models::SaddleSde;
use saddle_sde::scheme::EulerMaruyama;
use saddle_sde::uncertainty::Proportion;
use saddle_sde::{Error, ParamError, Result};

/// A parameter error naming `name` unless `ok`.
fn check(name: &'static str, value: f64, ok: bool, allowed: &str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Param(ParamError {
            name,
            value,
            allowed: allowed.into(),
        }))
    }
}

/// Settings of the study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyConfig {
    /// Drift rate `a > 0`.
    pub a: f64,
    /// Additive noise `τ`.
    pub tau: f64,
    /// Correlation `ρ`.
    pub rho: f64,
    /// Start `x0` (inside every interval).
    pub x0: f64,
    /// Half-width `R` of the interval `(−R, R)` of the transition table.
    pub radius: f64,
    /// Horizon `H` of `P(T ≤ H)`.
    pub horizon: f64,
    /// Values of `σ²/(2a)` of the transition table.
    pub ratios: Vec<f64>,
    /// Radii of the radius table.
    pub radii: Vec<f64>,
    /// Values of `σ²/(2a)` of the radius table (one per side of the transition).
    pub radius_ratios: Vec<f64>,
    /// Monte Carlo step.
    pub dt: f64,
    /// Monte Carlo paths per row.
    pub paths: u64,
    /// Seed.
    pub seed: u64,
    /// Horizon of the mean-exit-time runs; paths still inside are counted as censored.
    pub mean_horizon: f64,
}

impl Default for StudyConfig {
    /// `a = 1, τ = 0.5, ρ = 0.3, x0 = 0, R = 1, H = 2`, `σ²/(2a)` from 0.25 to 3,
    /// radii 0.5 to 8 at `σ²/(2a) = 0.5` and `2`, `dt = 1e-3`, 10 000 paths, seed 1.
    fn default() -> Self {
        Self {
            a: 1.0,
            tau: 0.5,
            rho: 0.3,
            x0: 0.0,
            radius: 1.0,
            horizon: 2.0,
            ratios: vec![0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.5, 2.0, 3.0],
            radii: vec![0.5, 1.0, 2.0, 4.0, 8.0],
            radius_ratios: vec![0.5, 2.0],
            dt: 1e-3,
            paths: 10_000,
            seed: 1,
            mean_horizon: 1000.0,
        }
    }
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TransitionRow {
    /// `σ²/(2a)`.
    pub ratio: f64,
    /// `σ`.
    pub sigma: f64,
    /// Exact `E[T]` from `(−R, R)`.
    pub mean_exact: f64,
    /// Monte Carlo `E[T]` (`None` if some path was censored at the mean horizon).
    pub mean_mc: Option<Estimate>,
    /// `P(T ≤ H)` from the backward equation.
    pub p_before_exact: f64,
    /// Monte Carlo `P(T ≤ H)`.
    pub p_before_mc: Proportion,
}

/// One row of the radius table.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RadiusRow {
    /// `σ²/(2a)`.
    pub ratio: f64,
    /// Radius `R` of `(−R, R)`.
    pub radius: f64,
    /// Exact `E[T]`.
    pub mean_exact: f64,
    /// Monte Carlo `E[T]` (`None` if some path was censored).
    pub mean_mc: Option<Estimate>,
}

fn model(cfg: &StudyConfig, ratio: f64) -> Result<SaddleSde> {
    check(
        "a",
        cfg.a,
        cfg.a > 0.0 && cfg.a.is_finite(),
        "finite and > 0",
    )?;
    check(
        "ratio",
        ratio,
        ratio >= 0.0 && ratio.is_finite(),
        "finite and >= 0",
    )?;
    SaddleSde::new(cfg.a, (2.0 * cfg.a * ratio).sqrt(), cfg.tau, cfg.rho)
}

fn mc_mean(cfg: &StudyConfig, m: &SaddleSde, r: f64, seed: u64) -> Result<Option<Estimate>> {
    let spec = ExitSpec::new(
        ExitDomain::interval(-r, r)?,
        cfg.x0,
        cfg.mean_horizon,
        cfg.dt,
    )?
    .with_correction(Correction::Bridge);
    Ok(Ensemble::new(m, &EulerMaruyama)
        .paths(cfg.paths)
        .seed(seed)
        .exits(&spec)?
        .mean_exit_time())
}

/// Row `k` of [`transition_table`]: its values depend on `cfg` and `k` only (seed
/// `seed + k`), so rows can be computed apart, in any order, and give the table's.
///
/// # Errors
/// As [`transition_table`]; a parameter error naming `row` if `k` is not a row.
pub fn transition_row(cfg: &StudyConfig, k: usize) -> Result<TransitionRow> {
    if k >= cfg.ratios.len() {
        check("row", k as f64, false, "a row of the transition table")?;
    }
    let ratio = cfg.ratios[k];
    let m = model(cfg, ratio)?;
    let r = cfg.radius;
    let ex = exact::interval_exit(&m, cfg.x0, -r, r)?;
    let p_exact = exact::exit_time_cdf(&m, cfg.x0, -r, r, &[cfg.horizon])?[0];
    let seed = cfg.seed.wrapping_add(k as u64);
    let spec = ExitSpec::new(ExitDomain::interval(-r, r)?, cfg.x0, cfg.horizon, cfg.dt)?;
    let short = Ensemble::new(&m, &EulerMaruyama)
        .paths(cfg.paths)
        .seed(seed)
        .exits(&spec)?;
    Ok(TransitionRow {
        ratio,
        sigma: m.sigma(),
        mean_exact: ex.mean_exit_time,
        mean_mc: mc_mean(cfg, &m, r, seed)?,
        p_before_exact: p_exact,
        p_before_mc: short
            .p_exit_before_horizon()
            .ok_or_else(|| check("paths", 0.0, false, ">= 1").unwrap_err())?,
    })
}

/// Mean exit time from `(−R, R)` and `P(T ≤ H)` against `σ²/(2a)`; `progress(row,
/// rows)` after each row.
///
/// Row `k` uses seed `seed + k` for both its runs (horizon `H` for `P(T ≤ H)`, and
/// `mean_horizon` for the mean), so the two share their paths and their sampling
/// errors are correlated.
///
/// # Errors
/// Parameter errors for invalid settings (`a ≤ 0`, negative ratio, `x0` outside,
/// `dt`, `paths`), and the errors of the references.
// the whole table at once: what examples/escape_study.rs prints (the `saddle`
// binary runs the rows one by one, to checkpoint between them)
#[allow(dead_code)]
pub fn transition_table(
    cfg: &StudyConfig,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<TransitionRow>> {
    let mut rows = Vec::with_capacity(cfg.ratios.len());
    for k in 0..cfg.ratios.len() {
        rows.push(transition_row(cfg, k)?);
        progress(k + 1, cfg.ratios.len());
    }
    Ok(rows)
}

/// Rows of the radius table: one per ratio of `radius_ratios` and radius of `radii`.
pub fn radius_rows(cfg: &StudyConfig) -> usize {
    cfg.radius_ratios.len() * cfg.radii.len()
}

/// Row `j` of [`radius_table`] (ratio `j / radii`, radius `j % radii`, seed
/// `seed + 1000 + j`): it depends on `cfg` and `j` only.
///
/// # Errors
/// As [`radius_table`]; a parameter error naming `row` if `j` is not a row.
pub fn radius_row(cfg: &StudyConfig, j: usize) -> Result<RadiusRow> {
    if j >= radius_rows(cfg) {
        check("row", j as f64, false, "a row of the radius table")?;
    }
    let (ratio, r) = (
        cfg.radius_ratios[j / cfg.radii.len()],
        cfg.radii[j % cfg.radii.len()],
    );
    let m = model(cfg, ratio)?;
    let seed = cfg.seed.wrapping_add(1000 + j as u64);
    Ok(RadiusRow {
        ratio,
        radius: r,
        mean_exact: exact::interval_exit(&m, cfg.x0, -r, r)?.mean_exit_time,
        mean_mc: mc_mean(cfg, &m, r, seed)?,
    })
}

/// Mean exit time from `(−R, R)` against `R`, for each ratio in `radius_ratios`;
/// `progress(row, rows)` after each row.
///
/// # Errors
/// As [`transition_table`].
// the whole table at once: what examples/escape_study.rs prints (the `saddle`
// binary runs the rows one by one, to checkpoint between them)
#[allow(dead_code)]
pub fn radius_table(
    cfg: &StudyConfig,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<RadiusRow>> {
    let total = radius_rows(cfg);
    let mut rows = Vec::with_capacity(total);
    for j in 0..total {
        rows.push(radius_row(cfg, j)?);
        progress(j + 1, total);
    }
    Ok(rows)
}

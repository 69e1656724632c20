//! The figure builders, one module per group of the post's figures, and the helpers
//! they share.

pub(crate) mod beyond;
pub(crate) mod coin;
pub(crate) mod gd;
pub(crate) mod hessian;
pub(crate) mod landscape;
pub(crate) mod laws;
pub(crate) mod sgd;
pub(crate) mod strategies;
mod surface;

use crate::error::Result;
use crate::uncertainty::{Interval, Proportion};

/// The two-sided 99.9% normal quantile.
pub(crate) const Z999: f64 = 3.290_526_731_491_926;

/// `k/n` with its Wilson interval at `confidence`.
pub(crate) fn wilson(k: u64, n: u64, confidence: f64) -> Result<(f64, Interval)> {
    let p = Proportion::new(k, n)?;
    Ok((p.estimate(), p.wilson(confidence)?))
}

/// A number with `digits` significant digits, without trailing noise.
pub(crate) fn sig(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&mag) {
        return format!("{x:.*e}", digits.saturating_sub(1));
    }
    let decimals = (digits as i32 - 1 - mag).max(0) as usize;
    format!("{x:.decimals$}")
}

/// `n` with thin spaces between groups of three digits (`100 000`).
pub(crate) fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    out
}

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

/// The two-sided normal critical value at the per-check level
/// [`super::CHECK_ALPHA`] = 2·10⁻⁶: Φ⁻¹(1 − α/2) (checked against statrs by
/// `critical_values_are_the_quantiles`). Every z-check of the report rejects at
/// |z| > `Z_CHECK`; a one-sided power check (z > `Z_CHECK`) is then at α/2.
pub(crate) const Z_CHECK: f64 = 4.753_424_308_822_899;

/// The confidence of every Wilson interval a check asks to contain an exact value:
/// 1 − [`super::CHECK_ALPHA`].
pub(crate) const CONF_CHECK: f64 = 1.0 - super::CHECK_ALPHA;

/// The one-sample Kolmogorov–Smirnov critical distance at [`super::CHECK_ALPHA`] for
/// `n` draws (asymptotic Kolmogorov law): `√(ln(2/α)/2)/√n` = 2.628/√n (the law's
/// higher terms are below 10⁻²⁴ there); for two samples pass `nm/(n + m)` as `n`.
pub(crate) fn ks_crit(n: f64) -> f64 {
    ((2.0 / super::CHECK_ALPHA).ln() / 2.0).sqrt() / n.sqrt()
}

/// The upper χ² critical value with `dof` degrees of freedom at [`super::CHECK_ALPHA`].
pub(crate) fn chi2_crit(dof: f64) -> f64 {
    use statrs::distribution::{ChiSquared, ContinuousCDF};
    ChiSquared::new(dof)
        .map(|c| c.inverse_cdf(1.0 - super::CHECK_ALPHA))
        .unwrap_or(f64::NAN)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ContinuousCDF, Normal};

    #[test]
    fn critical_values_are_the_quantiles() {
        let z = Normal::standard().inverse_cdf(1.0 - super::super::CHECK_ALPHA / 2.0);
        assert!((Z_CHECK - z).abs() < 1e-9, "{z}");
        let k = crate::uncertainty::kolmogorov_sf(ks_crit(1.0));
        assert!((k / super::super::CHECK_ALPHA - 1.0).abs() < 1e-9, "{k}");
        assert!(
            (chi2_crit(5.0) - 34.380_22).abs() < 1e-3,
            "{}",
            chi2_crit(5.0)
        );
    }
}

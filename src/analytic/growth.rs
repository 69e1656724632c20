//! Growth rates: the continuous Lyapunov exponent and the blog's discrete per-step rate.
//!
//! **Continuous.** Without diffusive noise, `x_t = x₀ exp((a − σ²/2)t + σW_t)`, so
//! `(1/t) ln|x_t/x₀| → a − σ²/2` almost surely: the attractive noise lowers the growth
//! rate by `σ²/2`, and the saddle is attractive iff `a < σ²/2`.
//!
//! **Discrete.** For `x_{n+1} = (1 + ξ_n)x_n` with `ξ_n = ±σ` equally likely,
//! `(1/n) ln|x_n/x₀| → E ln|1 + ξ| = ½ ln|1 − σ²|` almost surely (strong law of large
//! numbers). The blog's `−σ²/2` is only the leading term:
//! `½ ln(1 − σ²) = −σ²/2 − σ⁴/4 − σ⁶/6 − …` for `σ < 1`. The discrete walk shrinks to 0
//! almost surely iff `|1 − σ²| < 1`, i.e. `0 < σ < √2`.

use crate::error::{Result, non_negative};
use crate::models::SaddleSde;

/// The almost-sure growth rate `a − σ²/2` of `dx = a x dt + σ x dW`.
///
/// ```
/// use saddle_sde::{analytic::growth::lyapunov_rate, models::SaddleSde};
/// assert_eq!(lyapunov_rate(&SaddleSde::new(1.0, 2.0, -1.0, 0.0).unwrap()), -1.0);
/// ```
pub fn lyapunov_rate(sde: &SaddleSde) -> f64 {
    sde.lyapunov_rate()
}

/// The almost-sure per-step growth rate of the coin-flip model, `E ln|1 + ξ| =
/// ½ ln|1 − σ²|` (`−∞` at `σ = 1`, where a tail sets `x` to 0).
///
/// # Errors
/// A parameter error naming `sigma` unless it is finite and `≥ 0`.
///
/// ```
/// use saddle_sde::analytic::growth::discrete_per_step_rate;
/// let r = discrete_per_step_rate(0.1).unwrap();
/// assert!((r - 0.5 * 0.99f64.ln()).abs() < 1e-16);
/// assert!(r < -0.1 * 0.1 / 2.0); // strictly below the blog's −σ²/2
/// ```
pub fn discrete_per_step_rate(sigma: f64) -> Result<f64> {
    non_negative("sigma", sigma)?;
    Ok(0.5 * (1.0 - sigma * sigma).abs().ln())
}

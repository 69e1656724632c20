//! The blog's discrete models: the attractive-noise coin flip and the diffusive walk.
//!
//! **Coin flip.** `x_{n+1} = (1 + ξ_n) x_n`, `ξ_n = ±σ` with probability ½ each,
//! independent. After `n` steps with `k` heads, `x_n = (1 + σ)^k (1 − σ)^{n−k} x₀`, `k`
//! binomial(`n`, ½). Hence `E[x_n] = x₀` for every `n` and
//!
//! ```text
//! P(|x_n| < |x₀|) = 2⁻ⁿ Σ_k C(n, k) · 1[k ln(1 + σ) + (n − k) ln|1 − σ| < 0].
//! ```
//!
//! This depends on `σ`: at `n = 2` it is `3/4` only for `0 < σ < √2` (`1/4` for
//! `√2 ≤ σ < 2`, `0` for `σ ≥ 2`). At `n = 4` it is `11/16` for `0 < σ ≤ σ₁ ≈ 0.8393`
//! (`σ³ + 2σ² = 2`), `15/16` for `σ₁ < σ < σ₂ ≈ 1.1069` (`(1 + σ)³(σ − 1) = 1`),
//! `11/16` again up to `√2`, then `5/16`, `1/16` (from `σ ≈ 1.7167`) and `0` (from
//! `σ = 2`). So the blog's "3/4 at n = 2" and "at least 11/16 at n = 4" hold exactly
//! for `0 < σ < √2`.
//!
//! **Diffusive walk.** `x_N = x₀ + Σ_{i=1}^N η_i` with `η_i` i.i.d., mean 0 and
//! standard deviation `τ`: mean `x₀`, **variance `Nτ²`** (standard deviation `τ√N`),
//! and exactly `N(x₀, Nτ²)` (variance convention) when the `η_i` are Gaussian. The
//! blog's `N(0, τ√N)` is right only if the second argument is read as a standard
//! deviation.

use crate::error::{Result, count, finite, non_negative, positive};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::factorial::ln_binomial;

/// The coin-flip model `x_{n+1} = (1 ± σ) x_n`.
///
/// ```
/// use saddle_sde::analytic::coin_flip::CoinFlip;
/// let c = CoinFlip::new(0.1)?;
/// assert_eq!(c.p_shrink(2)?, 0.75);
/// assert_eq!(c.p_shrink(4)?, 11.0 / 16.0);
/// assert_eq!(CoinFlip::new(1.5)?.p_shrink(2)?, 0.25);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoinFlip {
    sigma: f64,
}

impl CoinFlip {
    /// The model with step `±sigma`.
    ///
    /// # Errors
    /// A parameter error naming `sigma` unless it is finite and `≥ 0`.
    pub fn new(sigma: f64) -> Result<Self> {
        non_negative("sigma", sigma)?;
        Ok(Self { sigma })
    }

    /// `σ`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The factor `x_n/x₀ = (1 + σ)^k (1 − σ)^{n−k}` after `k` heads in `n` steps.
    pub fn factor(&self, n: u64, k: u64) -> f64 {
        (1.0 + self.sigma).powf(k as f64) * (1.0 - self.sigma).powf((n - k.min(n)) as f64)
    }

    /// `P(k heads in n steps) = C(n, k) 2⁻ⁿ`.
    pub fn prob_heads(&self, n: u64, k: u64) -> f64 {
        if k > n {
            return 0.0;
        }
        (ln_binomial(n, k) - n as f64 * std::f64::consts::LN_2).exp()
    }

    /// `P(|x_n| < |x₀|)` for `x₀ ≠ 0` (see the module docs), in `O(√n)` time at most.
    ///
    /// `k ln(1 + σ) + (n − k) ln|1 − σ|` increases with `k` (for `σ > 0`), so the
    /// shrink set is `k ≤ K`, `K` the largest `k` with
    /// `k < n·ln|1 − σ|/(ln|1 − σ| − ln(1 + σ))` (located from that threshold and then
    /// confirmed with the comparison itself, so boundary equality counts as not
    /// shrinking; empty for `σ = 0` and `σ ≥ 2`, `K = n − 1` for `σ = 1`). Then
    /// `P = P(Binomial(n, ½) ≤ K)`:
    /// - `n ≤ 62`: an exact integer count over `2ⁿ` (converted to `f64` with a single
    ///   rounding, so correctly rounded; exact as a float for `n ≤ 53`);
    /// - `62 < n ≤ 2²⁰`: the binomial probabilities summed over the window
    ///   `|k − n/2| ≤ 40√n` (the rest is below `e⁻³²⁰⁰`), relative error `~10⁻¹⁰`;
    ///   for `K ≥ n/2` as one minus the upper tail, so the result never exceeds 1;
    /// - `n > 2²⁰`: the normal approximation with continuity correction, whose error
    ///   for the symmetric binomial is `O(1/n)` (`< 10⁻⁶`). statrs' `Binomial::cdf` is
    ///   not used: its incomplete-beta continued fraction stops after 140 terms, too
    ///   few near the median for large `n`.
    ///
    /// # Errors
    /// A parameter error naming `steps` if `n = 0`.
    pub fn p_shrink(&self, n: u64) -> Result<f64> {
        count("steps", n as usize)?;
        let up = (1.0 + self.sigma).ln();
        let down = (1.0 - self.sigma).abs().ln();
        let shrinks = |k: u64| {
            let heads = if k == 0 { 0.0 } else { k as f64 * up };
            let tails = if k == n { 0.0 } else { (n - k) as f64 * down };
            heads + tails < 0.0
        };
        // K = number of shrinking head counts minus one, as "count" to avoid −1
        let shrink_count: u64 = if !shrinks(0) {
            0
        } else if down == f64::NEG_INFINITY {
            n // σ = 1: every k < n gives x_n = 0
        } else {
            // k < c with c = n·down/(down − up) ∈ (0, n) here (down < 0 < up)
            let c = n as f64 * (down / (down - up));
            let mut cnt = (c.ceil().max(1.0) as u64).min(n + 1); // candidate: k ≤ cnt − 1
            for _ in 0..4096 {
                if cnt <= n && shrinks(cnt) {
                    cnt += 1;
                } else if cnt > 1 && !shrinks(cnt - 1) {
                    cnt -= 1;
                } else {
                    break;
                }
            }
            cnt
        };
        if shrink_count == 0 {
            return Ok(0.0);
        }
        let k_max = shrink_count - 1;
        if k_max >= n {
            return Ok(1.0);
        }
        if n <= 62 {
            // exact: count sequences with integer binomials, divide by 2ⁿ once
            let mut c: u64 = 1; // C(n, 0)
            let mut hits: u64 = 0;
            for k in 0..=k_max {
                hits += c;
                // C(n, k+1) = C(n, k)(n − k)/(k + 1), exact in u128
                c = (c as u128 * (n - k) as u128 / (k + 1) as u128) as u64;
            }
            Ok(hits as f64 / 2f64.powi(n as i32))
        } else if n <= 1 << 20 {
            let half = 0.5 * n as f64;
            let w = 40.0 * (n as f64).sqrt();
            if (k_max as f64) < half {
                let lo = (half - w).max(0.0) as u64;
                Ok((lo..=k_max).map(|k| self.prob_heads(n, k)).sum())
            } else {
                // past the median, 1 minus the upper tail (below ½): summing the lower
                // side's ~10⁻¹⁰-accurate terms could exceed 1 when K is near n
                let hi = ((half + w) as u64).min(n);
                Ok(1.0 - (k_max + 1..=hi).map(|k| self.prob_heads(n, k)).sum::<f64>())
            }
        } else {
            let z = (k_max as f64 + 0.5 - 0.5 * n as f64) / (0.5 * (n as f64).sqrt());
            Ok(Normal::standard().cdf(z))
        }
    }

    /// `E[x_n] = x₀` (each factor has mean `1`).
    pub fn mean(&self, x0: f64, _n: u64) -> f64 {
        x0
    }

    /// The most likely value of `x_n/x₀` for even `n`: `(1 − σ²)^{n/2}` (`k = n/2`
    /// heads is the binomial mode); `None` for odd `n`, which has two modes.
    pub fn most_likely_factor(&self, n: u64) -> Option<f64> {
        n.is_multiple_of(2).then(|| self.factor(n, n / 2))
    }
}

/// The diffusive walk `x_N = x₀ + Σ_{i=1}^N η_i`, `η_i ~ N(0, τ²)` i.i.d.
///
/// ```
/// use saddle_sde::analytic::coin_flip::DiffusiveWalk;
/// use statrs::statistics::Distribution;
/// let law = DiffusiveWalk::new(0.5)?.law(1.0, 16)?;
/// // standard deviation τ√N = 2, variance τ²N = 4
/// assert!((law.variance().unwrap() - 4.0).abs() < 1e-15);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffusiveWalk {
    tau: f64,
}

impl DiffusiveWalk {
    /// The walk with noise standard deviation `|tau|`.
    ///
    /// # Errors
    /// A parameter error naming `tau` unless it is finite and non-zero.
    pub fn new(tau: f64) -> Result<Self> {
        finite("tau", tau)?;
        positive("tau", tau.abs())
            .map_err(|_| crate::error::param("tau", tau, "finite and != 0"))?;
        Ok(Self { tau })
    }

    /// Standard deviation of `x_N`: `|τ|√N`.
    pub fn std_dev(&self, n: u64) -> f64 {
        self.tau.abs() * (n as f64).sqrt()
    }

    /// Variance of `x_N`: `τ²N`.
    pub fn variance(&self, n: u64) -> f64 {
        self.tau * self.tau * n as f64
    }

    /// The law of `x_N`, `N(x₀, τ²N)` (statrs' `Normal` takes the standard deviation).
    ///
    /// # Errors
    /// Parameter errors naming `x0` (not finite) or `steps` (`N = 0`).
    pub fn law(&self, x0: f64, n: u64) -> Result<Normal> {
        finite("x0", x0)?;
        count("steps", n as usize)?;
        Normal::new(x0, self.std_dev(n)).map_err(|_| crate::error::param("tau", self.tau, "finite"))
    }
}

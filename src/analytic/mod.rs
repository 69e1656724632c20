//! Analytic results: what the answer should be.
//!
//! - [`saddle`]: the blog's pathwise solution on a given Brownian path, and the exact
//!   `E[x_t]`, `E[x_t²]`, `Var[x_t]` for all `a, σ, τ, ρ, x₀`;
//! - [`growth`]: the continuous growth rate `a − σ²/2` and the blog's discrete per-step
//!   rate;
//! - [`stationary`]: the stationary law (Pearson type IV) for `|ρ| < 1`;
//! - [`inverse_gamma_limit`]: the `|ρ| = 1` limit, a shifted, signed inverse gamma;
//! - [`coin_flip`]: the blog's discrete model `x_{n+1} = (1 + ξ)x_n`, `ξ = ±σ`, and the
//!   diffusive-noise walk;
//! - [`uncorrelated`]: the law of `x_t` at a finite time as a Gaussian mixture;
//! - [`special`]: complex log-gamma, tanh-sinh quadrature, root finding;
//! - [`known`]: geometric Brownian motion and Ornstein–Uhlenbeck.

pub mod coin_flip;
pub mod growth;
pub mod inverse_gamma_limit;
pub mod known;
pub mod saddle;
pub mod special;
pub mod stationary;
pub mod uncorrelated;

//! Analytic results: what the answer should be.
//!
//! - [`saddle`]: the blog's pathwise solution on a given Brownian path, and the exact
//!   `E[x_t]`, `E[x_t²]`, `Var[x_t]` for all `a, σ, τ, ρ, x₀`;
//! - [`known`]: geometric Brownian motion and Ornstein–Uhlenbeck.

pub mod known;
pub mod saddle;

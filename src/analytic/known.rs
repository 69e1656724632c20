//! Exact answers for the known-answer models [`Gbm`] and [`OrnsteinUhlenbeck`].

use crate::models::{Gbm, OrnsteinUhlenbeck};

/// Geometric Brownian motion at time `t` given `W_t`: `x₀ exp((μ − σ²/2)t + σW_t)`.
pub fn gbm_exact(m: &Gbm, x0: f64, t: f64, w_t: f64) -> f64 {
    x0 * ((m.mu() - 0.5 * m.sigma() * m.sigma()) * t + m.sigma() * w_t).exp()
}

/// `E[x_t] = x₀e^{μt}` for geometric Brownian motion.
pub fn gbm_mean(m: &Gbm, x0: f64, t: f64) -> f64 {
    x0 * (m.mu() * t).exp()
}

/// `E[x_t²] = x₀² e^{(2μ+σ²)t}` for geometric Brownian motion.
pub fn gbm_second_moment(m: &Gbm, x0: f64, t: f64) -> f64 {
    x0 * x0 * ((2.0 * m.mu() + m.sigma() * m.sigma()) * t).exp()
}

/// `E[x_t] = m + (x₀ − m)e^{−θt}` for Ornstein–Uhlenbeck.
pub fn ou_mean(p: &OrnsteinUhlenbeck, x0: f64, t: f64) -> f64 {
    p.mean() + (x0 - p.mean()) * (-p.theta() * t).exp()
}

/// `Var[x_t] = s²(1 − e^{−2θt})/(2θ)` (`= s²t` at `θ = 0`) for Ornstein–Uhlenbeck.
pub fn ou_variance(p: &OrnsteinUhlenbeck, t: f64) -> f64 {
    let th = p.theta();
    let s2 = p.s() * p.s();
    if th == 0.0 {
        s2 * t
    } else {
        -s2 * (-2.0 * th * t).exp_m1() / (2.0 * th)
    }
}

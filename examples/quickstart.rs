//! Quick start: simulate the saddle SDE and compare with the exact moments.
//!
//! Builds the model dx = a x dt + σ x dW + τ dU with corr(W, U) = ρ, runs 50 000 paths
//! with Euler–Maruyama and with Milstein (which samples the Lévy area of W and V), and
//! prints the terminal mean and variance beside the closed forms
//! E[x_t] = x0 e^{at} and Var[x_t] from `analytic::saddle`.
//!
//! Run with `cargo run --release --example quickstart`.

use saddle_sde::analytic::saddle as exact;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::integrate::Grid;
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::scheme::{EulerMaruyama, Milstein};

fn main() -> Result<(), saddle_sde::Error> {
    let (a, sigma, tau, rho, x0, t) = (1.0, 1.0, 0.5, 0.3, 0.1, 1.0);
    let model = SaddleSde::new(a, sigma, tau, rho)?;
    let grid = Grid::new(t, 1e-3)?;
    let rate = model.lyapunov_rate();
    let verdict = if rate < 0.0 {
        "negative: the saddle attracts"
    } else if rate > 0.0 {
        "positive: paths escape the saddle"
    } else {
        "zero: the borderline case"
    };
    println!("a − σ²/2 = {rate} ({verdict})");
    println!(
        "exact:     E[x_T] = {:.5}  Var[x_T] = {:.5}",
        exact::mean(&model, x0, t),
        exact::variance(&model, x0, t)
    );
    let em = Ensemble::new(&model, &EulerMaruyama)
        .start(x0)
        .grid(grid)
        .paths(50_000)
        .seed(1)
        .terminal()?;
    println!(
        "EM:        E[x_T] = {:.5} ± {:.5}  Var[x_T] = {:.5}",
        em.mean(),
        em.moments.stderr(),
        em.variance()
    );
    let mil = Ensemble::new(&model, &Milstein)
        .start(x0)
        .grid(grid)
        .paths(50_000)
        .seed(1)
        .terminal()?;
    println!(
        "Milstein:  E[x_T] = {:.5} ± {:.5}  Var[x_T] = {:.5}",
        mil.mean(),
        mil.moments.stderr(),
        mil.variance()
    );
    // Only the law matters here, so the one-noise form is as good and cheaper.
    let law = LawEquivalentSaddle::new(model.clone());
    let le = Ensemble::new(&law, &Milstein)
        .start(x0)
        .grid(grid)
        .paths(50_000)
        .seed(1)
        .terminal()?;
    println!(
        "one-noise: E[x_T] = {:.5} ± {:.5}  Var[x_T] = {:.5}",
        le.mean(),
        le.moments.stderr(),
        le.variance()
    );
    Ok(())
}

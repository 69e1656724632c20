//! `saddle`: the command-line face of the `saddle_sde` library.
//!
//! Every number it prints is computed by a library function; this binary only parses
//! arguments, picks the types, and formats.

mod analytic;
mod progress;
mod simulate;

use clap::{Parser, Subcommand};

/// Simulate and analyse the noisy-gradient-descent saddle SDE
/// dx = a x dt + σ x dW + τ dU, corr(W, U) = ρ.
#[derive(Parser)]
#[command(name = "saddle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate many paths and print terminal statistics beside the exact moments.
    Simulate(simulate::SimulateArgs),
    /// Closed-form answers: growth rate, moments at time t, the stationary law, the
    /// |ρ| = 1 inverse-gamma limit and the coin-flip model.
    Analytic(analytic::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
        Command::Analytic(args) => analytic::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

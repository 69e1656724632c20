//! The `saddle` command line.

mod analytic;

use clap::{Parser, Subcommand};

/// Simulation and analysis of the saddle SDE dx = a x dt + σ x dW + τ dU.
#[derive(Debug, Parser)]
#[command(name = "saddle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Closed-form answers: growth rate, moments at time t, the stationary law, the
    /// |ρ| = 1 inverse-gamma limit and the coin-flip model.
    Analytic(analytic::Args),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analytic(args) => analytic::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

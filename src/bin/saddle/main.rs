//! `saddle`: the command-line face of the `saddle_sde` library.
//!
//! Every number it prints is computed by a library function; this binary only parses
//! arguments, picks the types, and formats.

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
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simulate(args) => simulate::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
}

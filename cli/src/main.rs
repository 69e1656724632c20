//! `saddle`: the command-line face of the `saddle_sde` library.
//!
//! Every number it prints comes from a library function; this binary only parses
//! arguments, picks a thread pool, shows progress and formats results, and (in
//! `tables`) composes the library's exit API into the escape study's tables.

mod analytic;
mod claims;
mod escape;
mod hessian;
mod mlmc;
#[cfg(feature = "mpi")]
mod mpi_run;
mod optimise;
mod output;
mod parts;
mod report;
mod scheme;
mod sgd;
mod simulate;
mod study;
mod tables;

use clap::{Parser, Subcommand};

/// Simulate and analyse the noisy-gradient-descent saddle SDE
/// dx = a x dt + σ x dW + τ dU (Itô, corr(W, U) = ρ).
#[derive(Debug, Parser)]
#[command(name = "saddle", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The blog post reproduced figure by figure, each figure checked: writes report/
    /// (index.html, index.md, the figures as SVG, PNG and CSV, claims.json,
    /// manifest.json).
    Report(report::Args),
    /// Simulate many paths and print terminal statistics beside the exact moments.
    Simulate(simulate::SimulateArgs),
    /// Closed-form answers: growth rate, moments at time t, the stationary law, the
    /// |ρ| = 1 inverse-gamma limit and the coin-flip model.
    Analytic(analytic::Args),
    /// First exit from an interval or past a level: Monte Carlo with exit-time bias
    /// correction, next to the exact references.
    Escape(escape::EscapeArgs),
    /// SGD and its variants (perturbed, SVRG, momentum, annealed, ReLU) escaping the
    /// saddle on a finite-sum model, beside the diffusion-limit SDE's exact exit values.
    Sgd(sgd::SgdArgs),
    /// Gradient descent, momentum, Nesterov, Newton and saddle-free Newton on a quadratic
    /// saddle f = ½ xᵀHx, with optional gradient noise: the iterates of one run, or how
    /// many starts escape and how fast.
    Optimise(optimise::OptimiseArgs),
    /// How rare minima are among random critical points: the probability that a random
    /// symmetric (GOE) matrix is positive definite, n = 1 … --max-n, against the
    /// independence heuristic 2⁻ⁿ, and saddles per minimum.
    Hessian(hessian::HessianArgs),
    /// The escape study: mean exit time and P(escape before a horizon) across the
    /// transition σ²/(2a) = 1, and mean exit time against the radius R.
    EscapeStudy(study::StudyArgs),
    /// Multilevel Monte Carlo: E(x_T), E(x_T²), P(x_T > K), P(exit through the upper end
    /// before T) or E[min(τ, T)] to a target RMSE, with the level table, the fitted rates
    /// and the cost beside plain Monte Carlo's.
    Mlmc(mlmc::MlmcArgs),
    /// The blog post's claims with their verdicts, tests and figures: the Markdown of
    /// docs/blog-claims.md, or with --json the report's claims.json.
    Claims(claims::Args),
    /// Combines the shard files of one run (`escape` or `simulate` with --shard K/N
    /// --out FILE) into the run's result, bit for bit what the single run gives.
    Merge(parts::MergeArgs),
}

/// Runs `saddle merge`: rebuilds the sharded command from the files' recorded
/// arguments and prints its result from the merged state.
fn merge(args: parts::MergeArgs) -> anyhow::Result<()> {
    let head = std::fs::read(&args.files[0])
        .map_err(|e| anyhow::anyhow!("reading {}: {e}", args.files[0].display()))?;
    let command = if head.starts_with(b"saddle-part 1\n") {
        let line = head[14..].split(|&b| b == b'\n').next().unwrap_or(&[]);
        let h: serde_json::Value = serde_json::from_slice(line).unwrap_or_default();
        h["command"].as_str().unwrap_or("").to_string()
    } else {
        String::new()
    };
    let rebuild = |h: &parts::Header| {
        let mut argv = vec!["saddle".to_string(), h.command.clone()];
        argv.extend(h.argv.iter().cloned());
        Cli::try_parse_from(argv).map(|c| c.command).map_err(|e| {
            let first = e.to_string().lines().next().unwrap_or("").to_string();
            anyhow::anyhow!(
                "{}: the recorded arguments do not parse ({first})",
                args.files[0].display()
            )
        })
    };
    match command.as_str() {
        "escape" => {
            let (h, stats) = parts::merge_files(&args.files)?;
            let Command::Escape(mut e) = rebuild(&h)? else {
                anyhow::bail!(
                    "{}: not a shard file of `saddle escape`",
                    args.files[0].display()
                );
            };
            e.parts = parts::PartArgs::default();
            e.mpi = false;
            (e.json, e.out) = (args.json, args.out);
            escape::report(&e, &stats)
        }
        "simulate" => {
            let (h, summary) = parts::merge_files(&args.files)?;
            let Command::Simulate(mut e) = rebuild(&h)? else {
                anyhow::bail!(
                    "{}: not a shard file of `saddle simulate`",
                    args.files[0].display()
                );
            };
            e.parts = parts::PartArgs::default();
            (e.json, e.out) = (args.json, args.out);
            simulate::report(&e, &summary, None)
        }
        _ => anyhow::bail!(
            "{} is not a shard file of `saddle escape` or `saddle simulate`",
            args.files[0].display()
        ),
    }
}

/// Installs a panic hook under which a write to a closed pipe (`saddle … | head`) ends
/// the process quietly with status 141, as a shell reports a process killed by
/// SIGPIPE, instead of a panic message; every other panic keeps the default report.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// Joins a negative number given as its own word to the option before it
/// (`--lower -inf` → `--lower=-inf`, `--paths -1` → `--paths=-1`), so that clap reads it
/// as that option's value and the usual range check refuses it with the flag's name,
/// instead of clap taking it for an unknown option.
pub(crate) fn join_negative_values(
    args: impl Iterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        if a == "--" {
            // everything after `--` is positional, as given
            out.push(a);
            out.extend(args.by_ref());
            break;
        }
        let negative = a
            .to_str()
            .is_some_and(|s| s.starts_with('-') && s.len() > 1 && s.parse::<f64>().is_ok());
        let prev_takes = out
            .last()
            .and_then(|p| p.to_str())
            .is_some_and(|p| p.starts_with("--") && p.len() > 2 && !p.contains('='));
        if negative && prev_takes {
            let mut joined = out.pop().expect("checked above");
            joined.push("=");
            joined.push(&a);
            out.push(joined);
        } else {
            out.push(a);
        }
    }
    out
}

fn main() -> std::process::ExitCode {
    quiet_broken_pipe();
    parts::install_signal_handler();
    let command = Cli::parse_from(join_negative_values(std::env::args_os())).command;
    // the library's names that differ from the options that set them
    let renames: &[(&str, &str)] = match &command {
        Command::Simulate(_) | Command::Mlmc(_) | Command::Analytic(_) => &[("t_end", "t")],
        Command::Escape(_) | Command::EscapeStudy(_) => &[("t_end", "horizon")],
        _ => &[],
    };
    let result = match command {
        Command::Report(args) => report::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Analytic(args) => analytic::run(args),
        Command::Escape(args) => escape::run(args),
        Command::EscapeStudy(args) => study::run(args),
        Command::Sgd(args) => sgd::run(args),
        Command::Optimise(args) => optimise::run(args),
        Command::Hessian(args) => hessian::run(args),
        Command::Mlmc(args) => mlmc::run(args),
        Command::Claims(args) => claims::run(args),
        Command::Merge(args) => merge(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // the failure of an MPI run, already printed by rank 0
        #[cfg(feature = "mpi")]
        Err(e) if e.downcast_ref::<mpi_run::ReportedByRoot>().is_some() => {
            std::process::ExitCode::from(2)
        }
        Err(e) if e.downcast_ref::<parts::Interrupted>().is_some() => {
            eprintln!("{e:#}");
            std::process::ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {}", rename_words(&format!("{e:#}"), renames));
            std::process::ExitCode::from(2)
        }
    }
}

/// `text` with each whole word `from` (not part of a longer name) replaced by `to`.
fn rename_words(text: &str, renames: &[(&str, &str)]) -> String {
    let part = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = text.to_string();
    for (from, to) in renames {
        let mut s = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(from) {
            let before = rest[..i].chars().next_back();
            let after = rest[i + from.len()..].chars().next();
            s.push_str(&rest[..i]);
            if before.is_none_or(|c| !part(c)) && after.is_none_or(|c| !part(c)) {
                s.push_str(to);
            } else {
                s.push_str(from);
            }
            rest = &rest[i + from.len()..];
        }
        s.push_str(rest);
        out = s;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rename_words;

    #[test]
    fn renames_whole_words_only() {
        let r = [("t_end", "t")];
        assert_eq!(
            rename_words("invalid parameter t_end = -2: > t_end/2", &r),
            "invalid parameter t = -2: > t/2"
        );
        assert_eq!(rename_words("t_end_x and xt_end", &r), "t_end_x and xt_end");
    }
}

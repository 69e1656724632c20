//! `saddle report`: the blog post's figures, reproduced and checked, written to a
//! directory that opens in a browser (`index.html`) or on a forge (`index.md`).
//!
//! The library computes every figure ([`saddle_sde::report`]) and every claim's
//! verdict ([`saddle_sde::claims`]); this module renders them (plotters), writes the
//! pages, `claims.json`, `seed-claims.json` and `manifest.json`, and replaces the output directory only
//! once the new report is complete.

mod page;
mod render;

use crate::output::{DEFAULT_SEED, VERSION, with_threads};
use anyhow::{Context, bail};
use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use saddle_sde::report::{Figure, SECTIONS, Settings};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `saddle report`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The directory to write (replaced only when the new report is complete).
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// Fewer paths and coarser grids, the same figures and checks (about 10× faster).
    #[arg(long)]
    quick: bool,
    /// The seed every simulation derives its own from.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Only these figures (comma-separated names, e.g. stat_dist,correlated); the pages
    /// then show only them.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// One figure's outcome, as the pages and the manifest need it.
pub struct Built {
    /// The section's name.
    pub name: &'static str,
    /// The post's section heading.
    pub post_section: &'static str,
    /// The figure (`None`: no figure yet).
    pub figure: Option<Figure>,
    /// Seconds spent building and drawing it.
    pub seconds: f64,
}

impl Built {
    /// The figure's title, or "No figure yet".
    pub fn title(&self) -> &str {
        self.figure
            .as_ref()
            .map_or("No figure yet", |f| f.title.as_str())
    }
}

/// Runs `saddle report`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let start = Instant::now();
    for name in &args.only {
        if !SECTIONS.iter().any(|s| s.name == name) {
            let names: Vec<&str> = SECTIONS.iter().map(|s| s.name).collect();
            bail!(
                "invalid parameter only = {name}: must be one of {}",
                names.join(", ")
            );
        }
    }
    let out = args.out.clone();
    if out.as_os_str().is_empty() || out.file_name().is_none() {
        bail!(
            "invalid parameter out = {:?}: must name a directory",
            out.display().to_string()
        );
    }
    if out.exists() && !out.is_dir() {
        bail!(
            "invalid parameter out = {}: exists and is not a directory",
            out.display()
        );
    }
    if out.is_dir() && !replaceable(&out)? {
        bail!(
            "invalid parameter out = {}: an existing directory that is neither empty nor a saddle report (no manifest.json of saddle-sde); it would be replaced, so choose another",
            out.display()
        );
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        bail!(
            "invalid parameter out = {}: the parent directory {} does not exist",
            out.display(),
            parent.display()
        );
    }
    let name = out
        .file_name()
        .expect("checked above")
        .to_string_lossy()
        .into_owned();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).with_context(|| format!("removing {}", tmp.display()))?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let result = build_into(&tmp, &args, start);
    match result {
        Ok((figures, failed)) => {
            replace_dir(&tmp, &out)?;
            let index = out.join("index.html");
            if !failed.is_empty() {
                bail!(
                    "report written to {}, but checks did not pass in: {} (see the ✗ lines; with another --seed a check at level α fails with probability about α)",
                    index.display(),
                    failed.join(", ")
                );
            }
            eprintln!(
                "report: wrote {} in {:.1} s ({figures} figures, every check passed)",
                index.display(),
                start.elapsed().as_secs_f64(),
            );
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Whether `dir` may be replaced: it is empty, or it is a report of this crate.
fn replaceable(dir: &Path) -> anyhow::Result<bool> {
    let mut entries =
        std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    if entries.next().is_none() {
        return Ok(true);
    }
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return Ok(false);
    };
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Ok(manifest["crate"] == "saddle-sde")
}

/// Swaps the finished report into place: the old one is moved aside first and removed
/// only after the new one has its name.
fn replace_dir(tmp: &Path, out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let old = out.with_file_name(format!(
            ".{}.old-{}",
            out.file_name().expect("a name").to_string_lossy(),
            std::process::id()
        ));
        std::fs::rename(out, &old)
            .with_context(|| format!("moving the old {} aside", out.display()))?;
        std::fs::rename(tmp, out)
            .with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    } else {
        std::fs::rename(tmp, out)
            .with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
    }
    Ok(())
}

/// Builds the figures into `dir`; returns how many were drawn and the names of those
/// with failed checks.
fn build_into(dir: &Path, args: &Args, start: Instant) -> anyhow::Result<(usize, Vec<String>)> {
    let settings = if args.quick {
        Settings::quick(args.seed)
    } else {
        Settings::full(args.seed)
    };
    let threads = args.threads;
    let mut built = Vec::new();
    let style =
        ProgressStyle::with_template("{prefix:>18} [{bar:30}] {percent:>3}% {elapsed:>4} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let sections = SECTIONS
        .iter()
        .filter(|s| args.only.is_empty() || args.only.iter().any(|n| n == s.name));
    for section in sections {
        let t0 = Instant::now();
        let bar = ProgressBar::new(1000)
            .with_style(style.clone())
            .with_prefix(section.name);
        let figure = with_threads(threads, || {
            section.build(&settings, &mut |f: f64| {
                bar.set_position((f.clamp(0.0, 1.0) * 1000.0) as u64)
            })
        })??;
        if let Some(fig) = &figure {
            bar.set_message("drawing");
            std::fs::write(dir.join(format!("{}.csv", fig.name)), fig.csv())?;
            std::fs::write(dir.join(format!("{}.svg", fig.name)), render::svg(fig)?)?;
            render::png(fig, &dir.join(format!("{}.png", fig.name)))?;
        }
        let seconds = t0.elapsed().as_secs_f64();
        let status = match &figure {
            None => "no figure yet (optimiser experiments)".to_owned(),
            Some(f) => {
                let ok = f.checks.iter().filter(|c| c.passed).count();
                format!("{ok}/{} checks passed", f.checks.len())
            }
        };
        bar.finish_and_clear();
        eprintln!("report: {:<18} {seconds:6.1} s  {status}", section.name);
        built.push(Built {
            name: section.name,
            post_section: section.post_section,
            figure,
            seconds,
        });
    }
    let failed: Vec<String> = built
        .iter()
        .filter(|b| b.figure.as_ref().is_some_and(|f| !f.all_passed()))
        .map(|b| b.name.to_owned())
        .collect();
    let command: Vec<String> = std::env::args().collect();
    let meta = page::Meta {
        version: VERSION,
        seed: args.seed,
        quick: args.quick,
        threads: threads.unwrap_or_else(rayon::current_num_threads),
        command: command.join(" "),
        seconds: start.elapsed().as_secs_f64(),
    };
    std::fs::write(
        dir.join("claims.json"),
        serde_json::to_string_pretty(&crate::claims::claims_json())?,
    )?;
    std::fs::write(
        dir.join("seed-claims.json"),
        serde_json::to_string_pretty(&crate::claims::seed_claims_json())?,
    )?;
    std::fs::write(dir.join("manifest.json"), page::manifest(&meta, &built)?)?;
    std::fs::write(dir.join("index.html"), page::html(&meta, &built))?;
    std::fs::write(dir.join("index.md"), page::markdown(&meta, &built))?;
    Ok((built.iter().filter(|b| b.figure.is_some()).count(), failed))
}

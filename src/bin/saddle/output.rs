//! Output helpers shared by the subcommands: atomic files, thread pools, progress.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Writes `contents` to `path` atomically: a temporary file in the same directory,
/// flushed and synced, then renamed over `path`. An interrupted run leaves either the
/// old file or none, never a half-written one.
pub fn write_atomic(path: &Path, contents: &str) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("--out {}: not a file name", path.display()))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> anyhow::Result<()> {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The output format implied by a file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.json`
    Json,
    /// `.csv`
    Csv,
}

/// The format of `--out FILE`, from its extension.
pub fn file_format(path: &Path) -> anyhow::Result<FileFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "json" => Ok(FileFormat::Json),
        Some(e) if e == "csv" => Ok(FileFormat::Csv),
        _ => anyhow::bail!(
            "--out {}: the extension must be .json or .csv",
            path.display()
        ),
    }
}

/// Runs `f` on a rayon pool of `threads` threads (all cores when `None`).
pub fn with_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> anyhow::Result<T> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        anyhow::ensure!(n >= 1, "invalid parameter threads = {n}: must be >= 1");
        b = b.num_threads(n);
    }
    Ok(b.build()?.install(f))
}

/// A progress callback for the library's `progress(done, total)`: it shows an
/// indicatif bar on stderr once a run has lasted a second, and nothing when stderr is
/// not a terminal.
pub struct Progress {
    start: Instant,
    bar: Option<ProgressBar>,
    enabled: bool,
    label: String,
}

impl Progress {
    /// A progress reporter labelled `label`.
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            start: Instant::now(),
            bar: None,
            enabled: std::io::stderr().is_terminal(),
            label: label.into(),
        }
    }
    /// Reports `done` of `total` paths.
    pub fn update(&mut self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.start.elapsed() >= Duration::from_secs(1) && done < total {
            let bar = ProgressBar::new(total);
            if let Ok(style) = ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} paths, {elapsed} elapsed, eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(self.label.clone());
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            if done >= total {
                bar.finish_and_clear();
            }
        }
    }
}

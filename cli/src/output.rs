//! Output helpers shared by the subcommands: atomic files, thread pools, progress.

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Writes `contents` to `path` atomically (see [`write_atomic_bytes`]).
pub fn write_atomic(path: &Path, contents: &str) -> anyhow::Result<()> {
    write_atomic_bytes(path, contents.as_bytes())
}

/// Temporary files being written, removed by the signal handler if the process is
/// interrupted (`tempfile` removes them on every other exit).
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes the temporary files of writes in flight (from the signal handler).
pub fn remove_temporaries() {
    if let Ok(list) = TEMPORARIES.lock() {
        for p in list.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Writes `contents` to `path` atomically: a temporary file created exclusively, with
/// an unpredictable name, in the same directory (so a planted symlink is never
/// followed), flushed and synced, given the permissions of the file it replaces, then
/// renamed over `path`. An interrupted run leaves either the old file or none, never a
/// half-written one; SIGINT and SIGTERM remove the temporary.
///
/// # Errors
/// If `path` has no file name, is a directory or a read-only file, or its directory
/// cannot be written.
pub fn write_atomic_bytes(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let dir = check_out(path)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".saddle-").suffix(".tmp");
    // a new file gets the usual permissions (0666 less the umask), not tempfile's 0600;
    // a replaced file keeps its own (set below)
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(&dir).with_context(|| {
        format!(
            "--out {}: cannot create a file in {}",
            path.display(),
            dir.display()
        )
    })?;
    let tmp_path = tmp.path().to_path_buf();
    if let Ok(mut list) = TEMPORARIES.lock() {
        list.push(tmp_path.clone());
    }
    let result = (|| -> anyhow::Result<()> {
        tmp.write_all(contents)?;
        if let Ok(meta) = std::fs::metadata(path) {
            tmp.as_file().set_permissions(meta.permissions())?;
        }
        tmp.as_file().sync_all()?;
        Ok(())
    })()
    .with_context(|| format!("writing {}", path.display()));
    let result = result.and_then(|()| {
        tmp.persist(path)
            .map(|_| ())
            .with_context(|| format!("--out {}: cannot replace it", path.display()))
    });
    if let Ok(mut list) = TEMPORARIES.lock() {
        list.retain(|p| p != &tmp_path);
    }
    result
}

/// Checks, before a run, that `path` can be written: a file name in an existing,
/// writable directory, not a directory and not read-only. Returns the directory.
///
/// # Errors
/// A one-line message naming `path` and what is wrong.
pub fn check_out(path: &Path) -> anyhow::Result<PathBuf> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.file_name().is_none() {
        anyhow::bail!("--out {}: not a file name", path.display());
    }
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => anyhow::bail!(
            "--out {}: {} is not a directory",
            path.display(),
            dir.display()
        ),
        Err(_) => anyhow::bail!(
            "--out {}: the directory {} does not exist",
            path.display(),
            dir.display()
        ),
    }
    if let Ok(m) = std::fs::metadata(path) {
        if m.is_dir() {
            anyhow::bail!("--out {}: is a directory", path.display());
        }
        if m.permissions().readonly() {
            anyhow::bail!(
                "--out {}: the file is read-only; it is not replaced",
                path.display()
            );
        }
    }
    Ok(dir)
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
    check_out(path)?;
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
        anyhow::ensure!(
            (1..=MAX_THREADS).contains(&n),
            "invalid parameter threads = {n}: must be in [1, {MAX_THREADS}]"
        );
        b = b.num_threads(n);
    }
    Ok(b.build()?.install(f))
}

/// The most worker threads `--threads` accepts (results never depend on the count;
/// thousands of threads only cost time to start).
pub const MAX_THREADS: usize = 1024;

/// Refuses a run whose `paths × steps` overflows, and says on stderr how many
/// path-steps a long run (over 10¹⁰) will take before it starts.
pub fn check_cost(label: &str, paths: u64, steps: usize) -> anyhow::Result<()> {
    check_cost_of(label, "paths", paths, steps)
}

/// [`check_cost`] for a count typed as `--{count}` (`runs` for the optimisers).
pub fn check_cost_of(label: &str, count: &str, paths: u64, steps: usize) -> anyhow::Result<()> {
    let total = paths.checked_mul(steps as u64).ok_or_else(|| {
        anyhow::anyhow!(
            "invalid parameter {count} = {paths}: {count} × steps per path ({steps}) must be \
             at most {:e} path-steps; lower {count} or the steps (--max-steps, or the time \
             over --dt)",
            u64::MAX as f64
        )
    })?;
    if total > 10_000_000_000 {
        eprintln!(
            "{label}: up to {:.2e} path-steps ({paths} {count} × {steps} steps), about {:.1} \
             core-hours at 1e8 path-steps/s",
            total as f64,
            total as f64 / 1e8 / 3600.0
        );
    }
    Ok(())
}

/// The seed every subcommand uses when `--seed` is not given.
pub const DEFAULT_SEED: u64 = 1;

/// Seconds between plain progress lines when stderr is not a terminal (overridable
/// with the environment variable `SADDLE_PROGRESS_SECS`, e.g. for tests).
const PLAIN_PROGRESS_SECS: f64 = 5.0;

/// A progress callback for the library's `progress(done, total)`. On a terminal it
/// shows an indicatif bar once a run has lasted a second; otherwise (batch jobs, logs)
/// it writes a plain line such as `simulate: 40% (400000/1000000 paths)` every few
/// seconds.
pub struct Progress {
    start: Instant,
    bar: Option<ProgressBar>,
    terminal: bool,
    every: Duration,
    last_line: Instant,
    label: String,
}

impl Progress {
    /// A progress reporter labelled `label`.
    pub fn new(label: impl Into<String>) -> Self {
        let secs = std::env::var("SADDLE_PROGRESS_SECS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .unwrap_or(PLAIN_PROGRESS_SECS);
        let now = Instant::now();
        Self {
            start: now,
            bar: None,
            terminal: std::io::stderr().is_terminal(),
            every: Duration::from_secs_f64(secs),
            last_line: now,
            label: label.into(),
        }
    }
    /// Reports `done` of `total` paths.
    pub fn update(&mut self, done: u64, total: u64) {
        if !self.terminal {
            if self.last_line.elapsed() >= self.every && done < total {
                self.last_line = Instant::now();
                let pct = 100.0 * done as f64 / total.max(1) as f64;
                eprintln!(
                    "{}: {pct:.0}% ({done}/{total} paths, {:.0} s)",
                    self.label,
                    self.start.elapsed().as_secs_f64()
                );
            }
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

/// A number in a message: the shortest decimal that reads back to it, or scientific
/// notation where that would be long (from 1e9 up and below 1e-6), so that 1e308 is not
/// printed as a 309-digit string (the library's messages follow the same rule).
pub fn short(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A number for a table: fixed notation with 6 significant digits for magnitudes in
/// [1e-4, 1e6), scientific otherwise, so that large values stay short.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "∞".into()
        } else {
            "-∞".into()
        };
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if (1e-4..1e6).contains(&a) {
        let decimals = (5 - a.log10().floor() as i32).clamp(0, 9) as usize;
        format!("{x:.decimals$}")
    } else {
        format!("{x:.5e}")
    }
}

/// A table whose column widths follow their widest cell (two spaces between
/// columns), so that no value runs into its neighbour. The first column is left
/// aligned, the others right aligned.
#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with this header row.
    pub fn new<S: ToString>(header: &[S]) -> Self {
        Self {
            rows: vec![header.iter().map(ToString::to_string).collect()],
        }
    }
    /// Appends a row.
    pub fn row<S: ToString>(&mut self, cells: &[S]) {
        self.rows
            .push(cells.iter().map(ToString::to_string).collect());
    }
    /// The formatted table, one line per row.
    pub fn render(&self) -> String {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let width = |c: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..cols).map(width).collect();
        let mut out = String::new();
        for r in &self.rows {
            let mut line = String::new();
            for (c, cell) in r.iter().enumerate() {
                let pad = widths[c].saturating_sub(cell.chars().count());
                if c == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A domain as users write it: `(l, r)`, `x < r` or `x > l`.
pub fn domain_text(lower: Option<f64>, upper: Option<f64>) -> String {
    match (lower, upper) {
        (Some(l), Some(r)) => format!("({l}, {r})"),
        (None, Some(r)) => format!("x < {r}"),
        (Some(l), None) => format!("x > {l}"),
        (None, None) => "ℝ".into(),
    }
}

/// The crate version, recorded in every file the CLI writes.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A JSON object flattened to one CSV header line and one row: nested keys joined
/// with `.`, arrays indexed (`quantiles.0.p`), strings quoted when they hold a comma
/// or a quote.
pub fn flat_csv(v: &serde_json::Value) -> String {
    fn walk(v: &serde_json::Value, key: String, out: &mut Vec<(String, String)>) {
        use serde_json::Value;
        let join = |k: &str| {
            if key.is_empty() {
                k.to_string()
            } else {
                format!("{key}.{k}")
            }
        };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, join(k), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| walk(x, join(&i.to_string()), out)),
            Value::Null => out.push((key, String::new())),
            Value::String(s) if s.contains([',', '"']) => {
                out.push((key, format!("\"{}\"", s.replace('"', "\"\""))))
            }
            Value::String(s) => out.push((key, s.clone())),
            other => out.push((key, other.to_string())),
        }
    }
    let mut cells = Vec::new();
    walk(v, String::new(), &mut cells);
    let (h, r): (Vec<_>, Vec<_>) = cells.into_iter().unzip();
    format!("{}\n{}\n", h.join(","), r.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short() {
        assert_eq!(num(1.5), "1.50000");
        assert_eq!(num(-0.001234567), "-0.00123457");
        assert_eq!(num(123456.7), "123457");
        assert_eq!(num(1.234e13), "1.23400e13");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn columns_never_touch() {
        let mut t = Table::new(&["", "a", "b"]);
        t.row(&["x", &num(1.2e300), &num(-3.0e-200)]);
        let text = t.render();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line.split_whitespace().count(), 3, "{text}");
    }

    #[test]
    fn domains_read_as_written() {
        assert_eq!(domain_text(None, Some(1.0)), "x < 1");
        assert_eq!(domain_text(Some(-0.5), None), "x > -0.5");
        assert_eq!(domain_text(Some(-1.0), Some(1.0)), "(-1, 1)");
    }
}

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

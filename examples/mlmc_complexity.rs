//! # Multilevel Monte Carlo against plain Monte Carlo: cost to a target RMSE
//!
//! W1's model (a, σ, τ, ρ) = (1, 1, 0.5, 0.3), x0 = 0.1, T = 1; the target is E[x_T²],
//! whose exact value is known. For each ε this example measures, side by side in one
//! run, the path-steps and the wall time of
//!
//! - **plain Monte Carlo with Euler–Maruyama**: the step is the largest `h = T/n` whose
//!   EM bias for E[x_T²] is at most ε/√2 (EM's first two moments follow an exact linear
//!   recursion, so its bias is computed, not guessed), and the number of paths is
//!   `⌈2 Var(x_T²)/ε²⌉` with the exact variance, so that its RMSE is ε like MLMC's. When
//!   that run would exceed `--plain-budget` path-steps, its cost is **extrapolated**
//!   from the path-step rate measured on the largest ε (and marked so);
//! - **MLMC** ([`saddle_sde::mlmc`]) with the EM, Milstein-with-area and antithetic
//!   couplings (`--skip-em-below ε` skips the EM coupling below that ε: it costs
//!   O(ε⁻²(log ε)²) and takes long).
//!
//! It prints one table row per (ε, method), writes the table to
//! `docs/img/mlmc_complexity.csv` and draws cost·ε² against ε into
//! `docs/img/mlmc_complexity.svg` (and `.png`): flat lines are O(ε⁻²) methods.
//! `--replot docs/img/mlmc_complexity.csv` redraws the figure from a saved table.
//!
//! With `--verify RUNS` it instead runs MLMC `RUNS` times (seeds 100, 101, …) at each ε
//! with each coupling given by `--couplings` and prints the realised RMSE against the
//! exact value over ε (the test `tests/mlmc` does this at ε = 2·10⁻³ on a lighter case).
//! Each finished run is appended to `--log FILE` (default `docs/img/mlmc_verify.csv`:
//! ε, coupling, seed, estimate, error, seconds); runs already in the log are read back,
//! not run again, so a check of many hours can be stopped and continued.
//!
//! ```text
//! cargo run --release --example mlmc_complexity -- --eps 1e-2,3e-3,1e-3
//! cargo run --release --example mlmc_complexity -- --verify 20 --eps 1e-2,3e-3 --couplings antithetic
//! ```

use plotters::prelude::*;
use saddle_sde::analytic::saddle as exact;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::integrate::Grid;
use saddle_sde::mlmc::{Coupling, Mlmc, Terminal};
use saddle_sde::models::SaddleSde;
use saddle_sde::scheme::EulerMaruyama;
use std::time::Instant;

const X0: f64 = 0.1;
const T: f64 = 1.0;

/// EM's E[x_T²] with `n` steps: the exact recursion of its first two moments.
fn em_second_moment(m: &SaddleSde, n: usize) -> f64 {
    let h = T / n as f64;
    let (a, s, tau, rho) = (m.a(), m.sigma(), m.tau(), m.rho());
    let (mut m1, mut m2) = (X0, X0 * X0);
    for _ in 0..n {
        let g = 1.0 + a * h;
        m2 = g * g * m2 + h * (s * s * m2 + 2.0 * rho * s * tau * m1 + tau * tau);
        m1 *= g;
    }
    m2
}

/// The fewest EM steps whose bias for E[x_T²] is at most `target`.
fn em_steps_for_bias(m: &SaddleSde, target: f64) -> usize {
    let want = exact::second_moment(m, X0, T);
    let ok = |n: usize| (em_second_moment(m, n) - want).abs() <= target;
    let mut hi = 1;
    while !ok(hi) {
        hi *= 2;
    }
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if ok(mid) { hi = mid } else { lo = mid }
    }
    hi
}

struct Row {
    eps: f64,
    /// `plain`, or the coupling's name.
    key: &'static str,
    method: String,
    path_steps: f64,
    seconds: f64,
    extrapolated: bool,
    error: f64,
    rmse: f64,
}

fn list(s: &str) -> Vec<f64> {
    s.split(',').map(|v| v.parse().expect("a number")).collect()
}

fn couplings(s: &str) -> Vec<Coupling> {
    s.split(',')
        .map(|c| match c {
            "em" => Coupling::EulerMaruyama,
            "milstein" => Coupling::Milstein,
            "antithetic" => Coupling::Antithetic,
            "truncated-milstein" => Coupling::TruncatedMilstein,
            _ => panic!("unknown coupling {c}"),
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |k: &str| {
        args.iter()
            .position(|a| a == k)
            .map(|i| args[i + 1].clone())
    };
    let eps_list = list(&get("--eps").unwrap_or("1e-2,3e-3,1e-3".into()));
    let budget: f64 = get("--plain-budget").map_or(6e10, |v| v.parse().unwrap());
    let skip_em: f64 = get("--skip-em-below").map_or(2e-3, |v| v.parse().unwrap());
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
    let want = exact::second_moment(&m, X0, T);
    let var = exact::raw_moments(&m, X0, T)[4] - want * want;
    println!("W1, E[x_T²] = {want:.6} (exact), Var(x_T²) = {var:.4} (exact)");

    if let Some(runs) = get("--verify") {
        let runs: u64 = runs.parse()?;
        let cs = couplings(&get("--couplings").unwrap_or("milstein,antithetic".into()));
        // One line per finished run, appended as it finishes, so that a long check can be
        // stopped and continued: runs already in the log are not run again.
        let log_path = get("--log").unwrap_or("docs/img/mlmc_verify.csv".into());
        let mut done = std::collections::HashMap::new();
        if let Ok(text) = std::fs::read_to_string(&log_path) {
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                if f.len() == 6 {
                    let key = (f[0].to_string(), f[1].to_string(), f[2].parse::<u64>()?);
                    done.insert(key, (f[3].parse::<f64>()?, f[5].parse::<f64>()?));
                }
            }
        } else {
            std::fs::write(&log_path, "eps,coupling,seed,estimate,error,seconds\n")?;
        }
        println!("eps       coupling     runs  realised RMSE/eps  mean error/eps  seconds");
        for &eps in &eps_list {
            for &c in &cs {
                let mut errs = Vec::new();
                let mut seconds = 0.0;
                for seed in 100..100 + runs {
                    let key = (format!("{eps:e}"), c.name().to_string(), seed);
                    let (estimate, secs) = match done.get(&key) {
                        Some(&v) => v,
                        None => {
                            let t0 = Instant::now();
                            let r = Mlmc::new(&m, c)
                                .start(X0)
                                .horizon(T)
                                .seed(seed)
                                .estimate(&Terminal(|x: f64| x * x), eps)?;
                            let secs = t0.elapsed().as_secs_f64();
                            let mut f = std::fs::OpenOptions::new().append(true).open(&log_path)?;
                            use std::io::Write;
                            writeln!(
                                f,
                                "{},{},{seed},{:e},{:e},{secs:.1}",
                                key.0,
                                key.1,
                                r.estimate,
                                r.estimate - want
                            )?;
                            (r.estimate, secs)
                        }
                    };
                    errs.push(estimate - want);
                    seconds += secs;
                }
                let mse = errs.iter().map(|e| e * e).sum::<f64>() / runs as f64;
                let mean = errs.iter().sum::<f64>() / runs as f64;
                println!(
                    "{eps:<9.0e} {:<12} {runs:>4}  {:>17.3}  {:>14.3}  {:>7.1}",
                    c.name(),
                    mse.sqrt() / eps,
                    mean / eps,
                    seconds
                );
            }
        }
        // RUNS·MSE/ε² ≤ χ²_RUNS(0.999) if the RMSE is ε and the errors are normal
        println!(
            "(with 20 runs, realised RMSE/eps up to 1.505 is consistent with RMSE = eps at α = 0.001)"
        );
        return Ok(());
    }

    let mut rows: Vec<Row> = Vec::new();
    if let Some(csv) = get("--replot") {
        // redraw the figure from the table a previous run wrote
        for line in std::fs::read_to_string(csv)?.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            rows.push(Row {
                eps: f[0].parse()?,
                key: match f[1] {
                    "plain" => "plain",
                    "em" => "em",
                    "milstein" => "milstein",
                    _ => "antithetic",
                },
                method: f[1].to_string(),
                path_steps: f[2].parse()?,
                seconds: f[3].parse()?,
                extrapolated: f[4] == "true",
                error: f[5].parse().unwrap_or(f64::NAN),
                rmse: f[6].parse()?,
            });
        }
        return plot(&rows);
    }
    let mut plain_rate = None::<f64>;
    for &eps in &eps_list {
        // plain MC with EM
        let n = em_steps_for_bias(&m, eps / 2f64.sqrt());
        let paths = (2.0 * var / (eps * eps)).ceil();
        let steps = paths * n as f64;
        let (seconds, extrapolated, error) = if steps <= budget {
            let t0 = Instant::now();
            let s = Ensemble::new(&m, &EulerMaruyama)
                .start(X0)
                .grid(Grid::with_steps(T, n)?)
                .paths(paths as u64)
                .seed(1)
                .terminal()?;
            let secs = t0.elapsed().as_secs_f64();
            plain_rate.get_or_insert(steps / secs);
            let mv = s.moments;
            let k = mv.count() as f64;
            let second = mv.mean() * mv.mean() + mv.variance() * (k - 1.0) / k;
            (secs, false, second - want)
        } else {
            let rate =
                plain_rate.ok_or("the first eps must be cheap enough to measure plain MC")?;
            (steps / rate, true, f64::NAN)
        };
        rows.push(Row {
            eps,
            key: "plain",
            method: format!("plain EM (n = {n}, N = {paths:.3e})"),
            path_steps: steps,
            seconds,
            extrapolated,
            error,
            rmse: eps,
        });
        for c in [
            Coupling::EulerMaruyama,
            Coupling::Milstein,
            Coupling::Antithetic,
        ] {
            if c == Coupling::EulerMaruyama && eps < skip_em {
                continue;
            }
            let t0 = Instant::now();
            let r = Mlmc::new(&m, c)
                .start(X0)
                .horizon(T)
                .seed(1)
                .estimate(&Terminal(|x: f64| x * x), eps)?;
            rows.push(Row {
                eps,
                key: c.name(),
                method: format!("MLMC {} (L = {})", c.name(), r.levels.len() - 1),
                path_steps: r.path_steps,
                seconds: t0.elapsed().as_secs_f64(),
                extrapolated: false,
                error: r.estimate - want,
                rmse: r.rmse(),
            });
        }
        for r in rows.iter().filter(|r| r.eps == eps) {
            let error = if r.error.is_finite() {
                format!("{:>10.2e}", r.error)
            } else {
                format!("{:>10}", "not run")
            };
            let how = if r.extrapolated {
                " (extrapolated)"
            } else {
                ""
            };
            println!(
                "eps {:<7.0e} {:<34} path-steps {:>10.3e}  {:>9.1} s{how}  error {error}  est. RMSE {:.2e}",
                r.eps, r.method, r.path_steps, r.seconds, r.rmse
            );
        }
        let plain = rows
            .iter()
            .find(|r| r.eps == eps && r.key == "plain")
            .map(|r| (r.path_steps, r.seconds));
        if let Some((ps, sec)) = plain {
            for r in rows.iter().filter(|r| r.eps == eps && r.key != "plain") {
                println!(
                    "    plain / {:<28}: {:>7.1}× in path-steps, {:>7.1}× in wall time",
                    r.method,
                    ps / r.path_steps,
                    sec / r.seconds
                );
            }
        }
    }
    std::fs::create_dir_all("docs/img")?;
    let mut csv = String::from("eps,method,path_steps,seconds,extrapolated,error,rmse\n");
    for r in &rows {
        csv += &format!(
            "{},{},{},{},{},{},{}\n",
            r.eps, r.key, r.path_steps, r.seconds, r.extrapolated, r.error, r.rmse
        );
    }
    std::fs::write("docs/img/mlmc_complexity.csv", csv)?;
    plot(&rows)
}

/// Draws the figure (`docs/img/mlmc_complexity.svg` and `.png`) from the table.
fn plot(rows: &[Row]) -> Result<(), Box<dyn std::error::Error>> {
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded DejaVu Sans font did not load")?;
    std::fs::create_dir_all("docs/img")?;
    let (svg, png) = (
        "docs/img/mlmc_complexity.svg",
        "docs/img/mlmc_complexity.png",
    );
    draw(SVGBackend::new(svg, (1100, 480)).into_drawing_area(), rows)?;
    draw(
        BitMapBackend::new(png, (1100, 480)).into_drawing_area(),
        rows,
    )?;
    println!("\nwrote {svg} and {png}");
    Ok(())
}

/// Two panels: path-steps·ε² and seconds·ε² against ε, log–log.
fn draw<DB>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    rows: &[Row],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, 2));
    let methods: [(&str, RGBColor, &str); 4] = [
        (
            "plain",
            RGBColor(31, 119, 180),
            "plain MC, Euler–Maruyama (hollow: extrapolated)",
        ),
        ("em", RGBColor(255, 127, 14), "MLMC, EM coupling"),
        (
            "milstein",
            RGBColor(44, 160, 44),
            "MLMC, Milstein with area",
        ),
        (
            "antithetic",
            RGBColor(214, 39, 40),
            "MLMC, antithetic Milstein",
        ),
    ];
    for (panel, (title, unit, value)) in panels.iter().zip([
        ("path-steps × ε²", "path-steps·ε²", 0usize),
        ("wall time × ε² (2 threads)", "seconds·ε²", 1usize),
    ]) {
        let y = |r: &Row| if value == 0 { r.path_steps } else { r.seconds } * r.eps * r.eps;
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, 0.0f64, f64::MAX, 0.0f64);
        for r in rows {
            (x0, x1, y0, y1) = (x0.min(r.eps), x1.max(r.eps), y0.min(y(r)), y1.max(y(r)));
        }
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!("E[x_T²] on W1 to RMSE ε: {title}"),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(
                (x0 / 1.5..x1 * 1.5).log_scale(),
                (y0 / 2.0..y1 * 30.0).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("ε")
            .y_desc(unit)
            .x_labels(4)
            .x_label_formatter(&|v| format!("{v:.0e}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .label_style(("sans-serif", 12))
            .draw()?;
        for (prefix, colour, label) in methods {
            let pts: Vec<(f64, f64, bool)> = rows
                .iter()
                .filter(|r| r.key == prefix)
                .map(|r| (r.eps, y(r), r.extrapolated))
                .collect();
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(LineSeries::new(
                    pts.iter().map(|p| (p.0, p.1)),
                    colour.stroke_width(2),
                ))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2))
                });
            chart.draw_series(pts.iter().map(|&(x, v, ex)| {
                if ex {
                    Circle::new((x, v), 5, colour.stroke_width(2))
                } else {
                    Circle::new((x, v), 4, colour.filled())
                }
            }))?;
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 12))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

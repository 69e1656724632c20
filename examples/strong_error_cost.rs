//! # Strong error against cost: Euler–Maruyama and Milstein with the Lévy area
//!
//! On the saddle SDE with non-commuting noise (W1's parameters, T = 1, x0 = 0.1) this
//! example measures, for each step h = 2⁻⁴ … 2⁻¹²:
//!
//! - the **strong error** E|x_T^h − x_T| of EM and of Milstein fed the *exact* Lévy
//!   areas, against the closed-form pathwise solution on the same Brownian path (fine
//!   step 2⁻¹⁴ with areas, coarsened exactly by Chen's relation), over 2 000 paths;
//! - the **area sampler's share** of Milstein's error, for the sampler with p Fourier
//!   terms: e_s(p) = E|x^h(ΔW, A) − x^h(ΔW, Ã_p)|, both runs of Milstein on the same
//!   increments, A the exact area and Ã_p the sampler's, coupled explicitly (below);
//! - the **cost** of one path to T in nanoseconds on one thread with the ensemble engine
//!   (lock-step lanes, bulk normals), best of five timings.
//!
//! Milstein with the sampler then has strong error at most e_exact + e_s(p) (triangle
//! inequality on a space that carries the Brownian path and both areas). The example
//! compares the sampler before this release, p = ⌈0.3/√h⌉ (Wiktorsson's error bound, kept
//! as [`LevyArea::for_step_many`]),
//! with [`LevyArea::for_step`], p = ⌈1/(π√(6h))⌉ (the Mrongowius–Rößler bound), and
//! with p = 1 at every h (cheapest; its area error, O(√h) globally, ends strong order 1
//! in the limit), and with [`LevyArea::economical`], p = ⌈0.028/√h⌉ (order 1, the
//! least cost at a given strong error). It fits the constants behind the economical
//! rule, K₁ (exact-area error ≈ K₁h) and K₂ (sampler's share ≈ K₂√h/p), prints the
//! cost-optimal c = K₂/(2K₁) (errors added) and K₂/(√2K₁) (in quadrature), and draws
//! strong error against cost into `docs/img/strong_error_cost.svg`.
//!
//! `cargo run --release --example strong_error_cost -- a σ τ ρ` runs another model
//! (no figure), to re-fit the constants for it.
//!
//! **The coupling.** Over a step, write the series tail r > p of 2πA/h as
//! Σ_{r>p} [ζ₁ᵣ(η₂ᵣ + c₂) − ζ₂ᵣ(η₁ᵣ + c₁)]/r with c = √(2/h)ΔZ. Given the ζ's, the part in
//! the η's is exactly √V·Z, V = Σ_{r>p}(ζ₁ᵣ² + ζ₂ᵣ²)/r², Z ~ N(0, 1). The exact area uses
//! √V·Z; the sampler's uses √(2a_p)·Z, a_p = Σ_{r>p} 1/r², which gives it exactly the
//! sampler's law (`tests/schemes/levy_area.rs`). The ζ's are drawn for r ≤ p + 100; the
//! rest of the c-linear part is drawn exactly, and V's rest by its mean (its variance,
//! 4Σ_{r>p+100} r⁻⁴ < 1.3·10⁻⁶, is dropped).
//!
//! Run with `cargo run --release --example strong_error_cost` (about a minute on two cores).

use plotters::prelude::*;
use rayon::prelude::*;
use saddle_sde::analytic::saddle::pathwise_terminal;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::integrate::{Grid, terminal_on_path};
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::{BrownianPath, LevyArea, StepNoise, path_rng, standard_normal};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use std::f64::consts::PI;
use std::time::Instant;

const LOGS: [u32; 9] = [4, 5, 6, 7, 8, 9, 10, 11, 12];
const PATHS: u64 = 2_000;
/// ζ's drawn beyond the p kept terms in the coupling.
const EXTRA: usize = 100;

/// Mean and standard error of a sample.
fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// `Σ_{r>p} 1/r²`.
fn tail_sum(p: usize) -> f64 {
    PI * PI / 6.0 - (1..=p).rev().map(|r| 1.0 / (r * r) as f64).sum::<f64>()
}

/// Nanoseconds per path to T = 1 at step `h`, best of five timings on one thread
/// (`terms`: the Lévy area's Fourier terms, `None` for the default).
fn cost<Sch>(model: &SaddleSde, scheme: &Sch, h: f64, paths: u64, terms: Option<usize>) -> f64
where
    Sch: saddle_sde::scheme::ScalarScheme<SaddleSde, 2> + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let grid = Grid::new(1.0, h).expect("grid");
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let s = pool.install(|| {
                let e = Ensemble::new(model, scheme)
                    .start(0.1)
                    .grid(grid)
                    .paths(paths)
                    .seed(1);
                match terms {
                    Some(p) => e.area_terms(p),
                    None => e,
                }
                .terminal()
                .expect("run")
            });
            std::hint::black_box(s.mean());
            t.elapsed().as_secs_f64() * 1e9 / paths as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// One step's increments with the exact area and the `p`-term sampler's area, coupled
/// as in the module docs.
fn coupled_step(rng: &mut impl rand::Rng, h: f64, p: usize) -> (StepNoise<2>, StepNoise<2>) {
    let sq = h.sqrt();
    let dz = [sq * standard_normal(rng), sq * standard_normal(rng)];
    let c = [(2.0 / h).sqrt() * dz[0], (2.0 / h).sqrt() * dz[1]];
    let mut head = 0.0;
    for r in 1..=p {
        let (z1, e1, z2, e2) = (
            standard_normal(rng),
            standard_normal(rng),
            standard_normal(rng),
            standard_normal(rng),
        );
        head += (z1 * (e2 + c[1]) - z2 * (e1 + c[0])) / r as f64;
    }
    let (mut lin, mut v) = (0.0, 0.0);
    for r in p + 1..=p + EXTRA {
        let (z1, z2) = (standard_normal(rng), standard_normal(rng));
        lin += (z1 * c[1] - z2 * c[0]) / r as f64;
        v += (z1 * z1 + z2 * z2) / (r * r) as f64;
    }
    let rest = tail_sum(p + EXTRA);
    lin += rest.sqrt() * (standard_normal(rng) * c[1] - standard_normal(rng) * c[0]);
    v += 2.0 * rest;
    let z = standard_normal(rng);
    let k = h / (2.0 * PI);
    let exact = k * (head + lin + v.sqrt() * z);
    let sampled = k * (head + lin + (2.0 * tail_sum(p)).sqrt() * z);
    let step = |a: f64| StepNoise::from_areas(h, dz, [[0.0, a], [-a, 0.0]]);
    (step(exact), step(sampled))
}

/// e_s(p) at step `h`: mean and standard error over `PATHS` paths.
fn sampler_error(model: &SaddleSde, h: f64, p: usize) -> (f64, f64) {
    let n = (1.0 / h).round() as usize;
    let d: Vec<f64> = (0..PATHS)
        .into_par_iter()
        .map(|i| {
            let mut rng = path_rng(91 + p as u64, i);
            let (exact, sampled): (Vec<_>, Vec<_>) =
                (0..n).map(|_| coupled_step(&mut rng, h, p)).unzip();
            let x = |s: &[StepNoise<2>]| {
                terminal_on_path(model, &Milstein, 0.1, s)
                    .expect("Milstein")
                    .x
            };
            (x(&exact) - x(&sampled)).abs()
        })
        .collect();
    mean_se(&d)
}

struct Row {
    h: f64,
    em: (f64, f64),
    em_ns: f64,
    mil: (f64, f64),
    before: (usize, (f64, f64), f64),
    after: (usize, (f64, f64), f64),
    one: ((f64, f64), f64),
    econ: (usize, (f64, f64), f64),
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // optional model parameters `a σ τ ρ` (default W1's, the blog's); the figure is
    // written only for the default
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("model parameters a σ τ ρ must be numbers: {e}"))?;
    let model = match args[..] {
        [] => SaddleSde::new(1.0, 1.0, 0.5, 0.3)?,
        [a, sigma, tau, rho] => SaddleSde::new(a, sigma, tau, rho)?,
        _ => return Err("pass no arguments or the four model parameters a σ τ ρ".into()),
    };
    println!("model: {model:?}");
    let fine_log = 14u32;
    let fine = 1usize << fine_log;
    let areas = LevyArea::for_step(1.0 / fine as f64)?;
    // errors[path][level] for EM and Milstein with exact areas
    let errors: Vec<[[f64; LOGS.len()]; 2]> = (0..PATHS)
        .into_par_iter()
        .map(|i| {
            let path = BrownianPath::<2>::sample(&mut path_rng(77, i), 1.0, fine, Some(&areas))
                .expect("path");
            let exact = pathwise_terminal(&model, 0.1, path.steps());
            let mut e = [[0.0; LOGS.len()]; 2];
            for (k, &lg) in LOGS.iter().enumerate() {
                let steps = path.coarsen(1 << (fine_log - lg)).expect("coarsen");
                e[0][k] = (terminal_on_path(&model, &EulerMaruyama, 0.1, &steps)
                    .expect("EM")
                    .x
                    - exact)
                    .abs();
                e[1][k] = (terminal_on_path(&model, &Milstein, 0.1, &steps)
                    .expect("Milstein")
                    .x
                    - exact)
                    .abs();
            }
            e
        })
        .collect();
    let mut rows = Vec::new();
    println!(
        "{:>9} {:>19} {:>8} {:>19} | {:>3} {:>19} {:>9} | {:>3} {:>19} {:>9}",
        "h",
        "EM error ± se",
        "EM ns",
        "Mil exact-area err",
        "p",
        "e_s before ± se",
        "ns before",
        "p",
        "e_s default ± se",
        "ns default"
    );
    for (k, &lg) in LOGS.iter().enumerate() {
        let h = 0.5f64.powi(lg as i32);
        let em: Vec<f64> = errors.iter().map(|e| e[0][k]).collect();
        let mil: Vec<f64> = errors.iter().map(|e| e[1][k]).collect();
        // about 4·10⁶ path-steps (≥ 15 ms) per EM timing
        let timing_paths = (4e6 * h).clamp(2_000.0, 250_000.0) as u64;
        let (pb, pa, pe) = (
            LevyArea::for_step_many(h)?.terms(),
            LevyArea::for_step(h)?.terms(),
            LevyArea::economical(h)?.terms(),
        );
        let row = Row {
            h,
            em: mean_se(&em),
            em_ns: cost(&model, &EulerMaruyama, h, timing_paths, None),
            mil: mean_se(&mil),
            before: (
                pb,
                sampler_error(&model, h, pb),
                cost(&model, &Milstein, h, timing_paths / 4, Some(pb)),
            ),
            after: (
                pa,
                sampler_error(&model, h, pa),
                cost(&model, &Milstein, h, timing_paths / 4, None),
            ),
            one: (
                sampler_error(&model, h, 1),
                cost(&model, &Milstein, h, timing_paths / 4, Some(1)),
            ),
            econ: (
                pe,
                sampler_error(&model, h, pe),
                cost(&model, &Milstein, h, timing_paths / 4, Some(pe)),
            ),
        };
        println!(
            "{:>9.6} {:>10.3e} ± {:>6.1e} {:>8.0} {:>10.3e} ± {:>6.1e} | {:>3} {:>10.3e} ± {:>6.1e} {:>9.0} | {:>3} {:>10.3e} ± {:>6.1e} {:>9.0}",
            row.h,
            row.em.0,
            row.em.1,
            row.em_ns,
            row.mil.0,
            row.mil.1,
            row.before.0,
            row.before.1.0,
            row.before.1.1,
            row.before.2,
            row.after.0,
            row.after.1.0,
            row.after.1.1,
            row.after.2
        );
        rows.push(row);
    }
    println!(
        "\nMilstein with the sampler: strong error ≤ exact-area error + e_s (upper bound ± se)"
    );
    for r in &rows {
        let ub = |e: (f64, f64)| (r.mil.0 + e.0, (r.mil.1 * r.mil.1 + e.1 * e.1).sqrt());
        let (b, a, o) = (ub(r.before.1), ub(r.after.1), ub(r.one.0));
        println!(
            "h = 2^-{:<2} before {:.3e} ± {:.1e} at {:>6.0} ns; default {:.3e} ± {:.1e} at {:>6.0} ns ({:.2}× cheaper); p = 1: {:.3e} ± {:.1e} at {:>6.0} ns (e_s {:.2e} ± {:.1e})",
            (-r.h.log2()).round(),
            b.0,
            b.1,
            r.before.2,
            a.0,
            a.1,
            r.after.2,
            r.before.2 / r.after.2,
            o.0,
            o.1,
            r.one.1,
            r.one.0.0,
            r.one.0.1
        );
    }
    println!(
        "\neconomical rule p = ⌈{}/√h⌉:",
        LevyArea::ECONOMICAL_TERMS_CONSTANT
    );
    for r in &rows {
        let (p, e, ns) = r.econ;
        println!(
            "h = 2^-{:<2} p = {p:>2}: e_s {:.2e} ± {:.1e}, bound {:.3e}, {:>7.0} ns; default (p = {:>2}): {:.3e}, {:>7.0} ns",
            (-r.h.log2()).round(),
            e.0,
            e.1,
            r.mil.0 + e.0,
            ns,
            r.after.0,
            r.mil.0 + r.after.1.0,
            r.after.2
        );
    }
    // The cost-optimal constant (leading order as h → 0): exact-area error ≈ K₁h (K₁ the
    // mean of error/h over h ≤ 2⁻¹⁰), the sampler's share ≈ K₂√h/p (K₂ from the p ≥ 3
    // rows of the rules `before` and `default`, where K₂(p) has settled; at p = 1 and 2
    // it is smaller, so there the area's share is below the model's and the rule errs
    // on the side of accuracy).
    let small: Vec<&Row> = rows.iter().filter(|r| r.h <= 1.0 / 1024.0).collect();
    let k1 = small.iter().map(|r| r.mil.0 / r.h).sum::<f64>() / small.len() as f64;
    let k2_one: Vec<String> = rows
        .iter()
        .filter(|r| r.h <= 1.0 / 256.0)
        .map(|r| format!("{:.3}", r.one.0.0 / r.h.sqrt()))
        .collect();
    let k2s: Vec<f64> = rows
        .iter()
        .flat_map(|r| {
            [(r.before.0, r.before.1.0), (r.after.0, r.after.1.0)].map(|(p, e)| (p, e, r.h))
        })
        .filter(|&(p, _, _)| p >= 3)
        .map(|(p, e, h)| e * p as f64 / h.sqrt())
        .collect();
    let k2 = k2s.iter().sum::<f64>() / k2s.len() as f64;
    let k2_spread =
        (k2s.iter().map(|k| (k - k2) * (k - k2)).sum::<f64>() / (k2s.len() - 1) as f64).sqrt();
    if k2 <= 0.0 {
        println!("\nK₂ = 0: the noise commutes, the area does not matter and p = 1 is cheapest");
        return Ok(());
    }
    let (c_add, c_quad) = (k2 / (2.0 * k1), k2 / (2f64.sqrt() * k1));
    // leading cost at a fixed error, ∝ c·g(c)^{3/2}
    let lead_add = |c: f64| c * (k1 + k2 / c).powf(1.5);
    let lead_quad = |c: f64| c * (k1 * k1 + k2 * k2 / (c * c)).powf(0.75);
    let (ce, cb) = (
        LevyArea::ECONOMICAL_TERMS_CONSTANT,
        1.0 / (PI * 6f64.sqrt()),
    );
    println!(
        "\nK₁ = {k1:.3} (mean exact-area Milstein error / h, h ≤ 2⁻¹⁰); K₂ = {k2:.4} (spread {k2_spread:.4} over {} rows with p ≥ 3; rows with equal p share random streams); at p = 1, e_s/√h = [{}] for h = 2⁻⁸ … 2⁻¹²",
        k2s.len(),
        k2_one.join(", ")
    );
    println!(
        "cost-optimal c: {c_add:.4} (errors added), {c_quad:.4} (in quadrature); the library's c_e = {ce}"
    );
    println!(
        "leading cost of c_e over the optimum: {:.3} (added), {:.3} (quadrature); for_step's c = {cb:.3} over c_e: {:.2} (added), {:.2} (quadrature)",
        lead_add(ce) / lead_add(c_add),
        lead_quad(ce) / lead_quad(c_quad),
        lead_add(cb) / lead_add(ce),
        lead_quad(cb) / lead_quad(ce)
    );
    if !args.is_empty() {
        return Ok(());
    }
    plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
        .map_err(|_| "the embedded DejaVu Sans font did not load")?;
    std::fs::create_dir_all("docs/img")?;
    let (svg, png) = (
        "docs/img/strong_error_cost.svg",
        "docs/img/strong_error_cost.png",
    );
    draw(SVGBackend::new(svg, (760, 520)).into_drawing_area(), &rows)?;
    draw(
        BitMapBackend::new(png, (760, 520)).into_drawing_area(),
        &rows,
    )?;
    println!("\nwrote {svg} and {png}");
    Ok(())
}

/// Strong error against nanoseconds per path, log–log: EM, and Milstein with the
/// sampler before, by default, with one term and with the economical rule (upper bounds
/// e_exact + e_s).
fn draw<DB>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    rows: &[Row],
) -> Result<(), Box<dyn std::error::Error>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let em: Vec<(f64, f64)> = rows.iter().map(|r| (r.em_ns, r.em.0)).collect();
    let before: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.before.2, r.mil.0 + r.before.1.0))
        .collect();
    let after: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.after.2, r.mil.0 + r.after.1.0))
        .collect();
    let one: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.one.1, r.mil.0 + r.one.0.0))
        .collect();
    let econ: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.econ.2, r.mil.0 + r.econ.1.0))
        .collect();
    let all = em
        .iter()
        .chain(&before)
        .chain(&after)
        .chain(&one)
        .chain(&econ);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, 0.0f64, f64::MAX, 0.0f64);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Strong error at T = 1 against cost (W1's model, one core)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (x0 / 1.5..x1 * 1.5).log_scale(),
            (y0 / 1.5..y1 * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("ns per path")
        .y_desc("E|x_T^h − x_T|")
        .x_label_formatter(&|v| format!("{v:.0e}"))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(("sans-serif", 13))
        .draw()?;
    let series = [
        (&em, RGBColor(31, 119, 180), "Euler–Maruyama"),
        (
            &before,
            RGBColor(214, 39, 40),
            "Milstein, area p = ⌈0.3/√h⌉ (before)",
        ),
        (
            &after,
            RGBColor(44, 160, 44),
            "Milstein, area p = ⌈0.13/√h⌉ (default)",
        ),
        (
            &one,
            RGBColor(148, 103, 189),
            "Milstein, area p = 1 (order ½ in the limit)",
        ),
        (
            &econ,
            RGBColor(255, 127, 14),
            "Milstein, area p = ⌈0.028/√h⌉ (economical)",
        ),
    ];
    for (pts, colour, label) in series {
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(2)));
        chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    root.present()?;
    Ok(())
}

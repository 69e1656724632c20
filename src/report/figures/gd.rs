//! Gradient descent on a two-minimum surface: `gradient_descent1` (it finds a
//! minimum), `saddle_point` (the saddle's two principal curves) and
//! `gradient_descent2` (iterates cluster near the saddle).

use super::sig;
use super::surface::{DoubleWell, Plan, ShakenDescent, descend};
use crate::error::Result;
use crate::report::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use nalgebra::{Matrix2, SymmetricEigen};

const WELL: DoubleWell = DoubleWell { c: 2.0 };
const LEVELS: [f64; 7] = [0.1, 0.4, 0.8, 1.0, 1.5, 2.5, 4.0];

fn map_panel(title: &str, half_width: f64, half_height: f64) -> Panel {
    let mut p = Panel::new(
        title,
        Axis::linear("x₁", -half_width, half_width),
        Axis::linear("x₂", -half_height, half_height),
    );
    p.series = WELL.contour_series(&LEVELS);
    p.equal_aspect = true;
    p
}

fn gd(lr: f64, start: (f64, f64), steps: usize) -> Result<Vec<(f64, f64)>> {
    let plan = Plan {
        start,
        steps,
        paths: 1,
        every: steps,
        radius: 0.0,
        keep: 1,
        seed: 0,
    };
    Ok(descend(
        ShakenDescent {
            well: WELL,
            lr,
            s: 0.0,
        },
        &plan,
        &mut |_| {},
    )?
    .path0)
}

fn dist(p: (f64, f64), q: (f64, f64)) -> f64 {
    (p.0 - q.0).hypot(p.1 - q.1)
}

/// `gradient_descent1`: from a poor start, gradient descent converges to a minimum,
/// linearly at the rate `max_i |1 − lr·λ_i|` set by the Hessian there.
pub(crate) fn gradient_descent1(_: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (lr, start, steps) = (0.1, (3.4, 2.6), 200);
    let path = gd(lr, start, steps)?;
    progress(0.5);
    let min = (WELL.c, 0.0);
    let d: Vec<(f64, f64)> = path
        .iter()
        .enumerate()
        .map(|(n, &p)| (n as f64, dist(p, min).max(1e-300)))
        .collect();
    // Hessian at the minimum: diag(2, 1); rate max |1 − lr λ| = 0.9
    let rate_exact = [2.0, 1.0]
        .iter()
        .map(|l: &f64| (1.0 - lr * l).abs())
        .fold(0.0, f64::max);
    let tail = &d[steps / 2..];
    let rate = ((tail[tail.len() - 1].1).ln() - tail[0].1.ln()) / (tail.len() - 1) as f64;
    let rate = rate.exp();
    let lr_big = 1.05;
    let big = gd(lr_big, start, steps)?;
    let end_big = *big.last().expect("a run has a start");
    let big_converged =
        end_big.0.is_finite() && dist(end_big, min).min(dist(end_big, (-WELL.c, 0.0))) < 1e-3;
    // the largest Hessian eigenvalue on {f ≤ f(x₀)}: (3x² − c²)/c² at the widest x of
    // the set, x² = c² + 2c√f(x₀) (the x₂ curvature is 1)
    let c2 = WELL.c * WELL.c;
    let x2_max = c2 + 2.0 * WELL.c * WELL.f(start.0, start.1).sqrt();
    let l_max = ((3.0 * x2_max - c2) / c2).max(1.0);
    // the corrected condition's power: lr = 0.1 is below 2/λ_max at the minimum but
    // not below 2/L from (10, 0), and diverges there
    let far = gd(lr, (10.0, 0.0), 20)?;
    let far_end = *far.last().expect("a run has a start");
    let far_l = (3.0 * 100.0 - c2) / c2;
    progress(1.0);
    let p1 = map_panel(&format!("GD on {}", WELL.formula()), 3.8, 2.9)
        .with(Series::new(
            Some(&format!("x_n, lr = {lr}")),
            Kind::Line,
            Colour::Red,
            path.clone(),
        ))
        .with(Series::new(
            None,
            Kind::Points { radius: 3 },
            Colour::Red,
            path.clone(),
        ))
        .with(Series::new(
            Some("minima (±2, 0)"),
            Kind::Points { radius: 6 },
            Colour::Black,
            vec![(-WELL.c, 0.0), (WELL.c, 0.0)],
        ));
    let p2 = Panel::new(
        "distance to the minimum",
        Axis::linear("step n", 0.0, steps as f64),
        Axis::log("|x_n − x*|", 1e-10, 10.0),
    )
    .with(Series::line("gradient descent", Colour::Red, d.clone()))
    .with(Series::new(
        Some(&format!("slope of {rate_exact}ⁿ (exact rate)")),
        Kind::Dashed,
        Colour::Black,
        vec![
            (0.0, 3.0),
            (steps as f64, 3.0 * rate_exact.powi(steps as i32)),
        ],
    ));
    let end = *path.last().expect("a run has a start");
    Ok(Figure {
        name: "gradient_descent1",
        title: "Gradient descent finds a minimum".to_owned(),
        caption: format!(
            "{}: minima (±2, 0) with Hessian diag(2, 1), saddle (0, 0) with Hessian diag(−1, 1). \
             Gradient descent x_(n+1) = x_n − lr ∇f(x_n), lr = {lr}, from x₀ = ({}, {}), {steps} steps. \
             Near the minimum the error contracts by max|1 − lr·λ_i| = {rate_exact} per step. \
             Convergence from x₀ needs lr < 2/L with L the largest curvature on {{f ≤ f(x₀)}} \
             (2/λ_max = 1 at the minimum is not enough far out).",
            WELL.formula(),
            start.0,
            start.1
        ),
        panels: vec![p1, p2],
        columns: 2,
        checks: vec![
            Check::new(
                dist(end, min) < 1e-8,
                format!(
                    "x_{steps} is {} from the minimum (2, 0)",
                    sig(dist(end, min), 2)
                ),
            ),
            Check::new(
                (rate - rate_exact).abs() < 1e-3,
                format!(
                    "measured contraction per step over the last {} steps {} = {rate_exact} ± 0.001",
                    steps / 2,
                    sig(rate, 6)
                ),
            ),
            Check::new(
                !big_converged,
                format!(
                    "power: with lr = {lr_big} > 2/λ_max = 1 the same start does not converge (x_{steps} = ({}, {}))",
                    sig(end_big.0, 3),
                    sig(end_big.1, 3)
                ),
            ),
            Check::new(
                lr < 2.0 / l_max,
                format!(
                    "the condition holds from x₀: lr = {lr} < 2/L = {}, L = {} the largest Hessian eigenvalue on {{f ≤ f(x₀)}}",
                    sig(2.0 / l_max, 3),
                    sig(l_max, 3)
                ),
            ),
            Check::new(
                !(far_end.0.is_finite() && far_end.0.abs() < 1e3),
                format!(
                    "a bound at the minimum alone is not enough: from (10, 0), where the curvature is {} (2/L = {}), lr = {lr} diverges (|x₁| after 20 steps: {})",
                    sig(far_l, 3),
                    sig(2.0 / far_l, 3),
                    if far_end.0.is_finite() {
                        sig(far_end.0.abs(), 3)
                    } else {
                        "non-finite".to_owned()
                    }
                ),
            ),
        ],
    })
}

/// `saddle_point`: along the green curve (the Hessian's positive direction) the saddle
/// looks like a minimum, along the red one (negative direction) like a maximum.
pub(crate) fn saddle_point(_: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let w = 2.6;
    let k = 200;
    let u = |i: usize| -w + 2.0 * w * i as f64 / k as f64;
    let red: Vec<(f64, f64)> = (0..=k).map(|i| (u(i), 0.0)).collect();
    let green: Vec<(f64, f64)> = (0..=k).map(|i| (0.0, u(i))).collect();
    let p1 = map_panel("the saddle at (0, 0)", w, w)
        .with(Series::new(
            Some("red curve: x₂ = 0"),
            Kind::Line,
            Colour::Red,
            red,
        ))
        .with(Series::new(
            Some("green curve: x₁ = 0"),
            Kind::Line,
            Colour::Green,
            green,
        ))
        .with(Series::new(
            Some("saddle"),
            Kind::Points { radius: 6 },
            Colour::Black,
            vec![(0.0, 0.0)],
        ));
    let along_red: Vec<(f64, f64)> = (0..=k).map(|i| (u(i), WELL.f(u(i), 0.0))).collect();
    let along_green: Vec<(f64, f64)> = (0..=k).map(|i| (u(i), WELL.f(0.0, u(i)))).collect();
    let p2 = Panel::new(
        "f along the two curves",
        Axis::linear("u", -w, w),
        Axis::linear("f", 0.0, 4.5),
    )
    .with(Series::line(
        "f(u, 0): a maximum at 0",
        Colour::Red,
        along_red,
    ))
    .with(Series::line(
        "f(0, u): a minimum at 0",
        Colour::Green,
        along_green,
    ));
    // the Hessian at the saddle by central differences, step 1e-4 (error O(1e-8))
    let e = 1e-4;
    let f = |x: f64, y: f64| WELL.f(x, y);
    let hxx = (f(e, 0.0) - 2.0 * f(0.0, 0.0) + f(-e, 0.0)) / (e * e);
    let hyy = (f(0.0, e) - 2.0 * f(0.0, 0.0) + f(0.0, -e)) / (e * e);
    let hxy = (f(e, e) - f(e, -e) - f(-e, e) + f(-e, -e)) / (4.0 * e * e);
    let eig = SymmetricEigen::new(Matrix2::new(hxx, hxy, hxy, hyy));
    let mut l = [eig.eigenvalues[0], eig.eigenvalues[1]];
    l.sort_by(f64::total_cmp);
    let (gx, gy) = WELL.grad(0.0, 0.0);
    progress(1.0);
    Ok(Figure {
        name: "saddle_point",
        title: "A saddle point: a minimum along one curve, a maximum along the other".to_owned(),
        caption: format!(
            "{} near its saddle (0, 0). The red curve (x₂ = 0) and the green curve (x₁ = 0) are the \
             Hessian's eigen-directions; right: f along each.",
            WELL.formula()
        ),
        panels: vec![p1, p2],
        columns: 2,
        checks: vec![Check::new(
            gx == 0.0 && gy == 0.0 && (l[0] + 1.0).abs() < 1e-6 && (l[1] - 1.0).abs() < 1e-6,
            format!(
                "∇f(0, 0) = 0; Hessian eigenvalues by central differences {} and {} (exact −1, 1): one negative, one positive",
                sig(l[0], 7),
                sig(l[1], 7)
            ),
        )],
    })
}

/// `gradient_descent2`: started ε from the stable manifold (the x₂ axis), gradient
/// descent spends about `ln(r/ε)/ln(1 + lr)` steps within `r` of the saddle.
pub(crate) fn gradient_descent2(_: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let (lr, steps, r, y0) = (0.1, 250usize, 0.25, 2.5);
    let eps = [1e-3, 1e-4, 1e-5];
    let colours = [Colour::Blue, Colour::Green, Colour::Purple];
    let mut p1 = map_panel("iterates cluster near the saddle", 3.0, 2.7);
    let circle: Vec<(f64, f64)> = (0..=100)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / 100.0;
            (r * a.cos(), r * a.sin())
        })
        .collect();
    p1.series.push(Series::new(
        Some(&format!("|x| = {r}")),
        Kind::Dashed,
        Colour::Black,
        circle,
    ));
    let mut p2 = Panel::new(
        "distance to the saddle",
        Axis::linear("step n", 0.0, steps as f64),
        Axis::log("|x_n|", 1e-3, 5.0),
    );
    let (mut counts, mut predicted, mut escaped) = (Vec::new(), Vec::new(), true);
    for (j, (&e, &col)) in eps.iter().zip(&colours).enumerate() {
        let path = gd(lr, (e, y0), steps)?;
        progress((j + 1) as f64 / eps.len() as f64);
        let inside = path.iter().filter(|p| p.0.hypot(p.1) < r).count();
        // the linearisation: x_n = ε(1 + lr)ⁿ, y_n = y₀(1 − lr)ⁿ
        let lin = (0..=steps)
            .filter(|&n| {
                let (x, y) = (
                    e * (1.0 + lr).powi(n as i32),
                    y0 * (1.0 - lr).powi(n as i32),
                );
                x.hypot(y) < r
            })
            .count();
        counts.push(inside);
        predicted.push(lin);
        let end = *path.last().expect("a run has a start");
        escaped &= dist(end, (WELL.c, 0.0)) < 1e-3;
        p1.series.push(Series::new(
            Some(&format!("x₀ = ({e}, {y0})")),
            Kind::Line,
            col,
            path.clone(),
        ));
        p1.series.push(Series::new(
            None,
            Kind::Points { radius: 3 },
            col,
            path.clone(),
        ));
        p2.series.push(Series::line(
            &format!("ε = {e}"),
            col,
            path.iter()
                .enumerate()
                .map(|(n, p)| (n as f64, p.0.hypot(p.1)))
                .collect(),
        ));
    }
    let per_decade: Vec<f64> = counts
        .windows(2)
        .map(|w| w[1] as f64 - w[0] as f64)
        .collect();
    let exact_per_decade = std::f64::consts::LN_10 / (1.0 + lr).ln();
    Ok(Figure {
        name: "gradient_descent2",
        title: "Gradient descent proceeds slowly near a saddle point".to_owned(),
        caption: format!(
            "{}; gradient descent with lr = {lr} from (ε, {y0}), ε = 10⁻³, 10⁻⁴, 10⁻⁵, {steps} steps, every \
             iterate drawn. The x₂ axis is the saddle's stable manifold; near the saddle x₁ grows by \
             1 + lr and x₂ shrinks by 1 − lr per step, so each factor 10 closer to the stable \
             manifold adds ln 10/ln(1 + lr) = {} steps near the saddle.",
            WELL.formula(),
            sig(exact_per_decade, 4)
        ),
        panels: vec![p1, p2],
        columns: 2,
        checks: vec![
            Check::new(
                counts
                    .iter()
                    .zip(&predicted)
                    .all(|(c, p)| c.abs_diff(*p) <= 1),
                format!(
                    "iterates within {r} of the saddle {:?}, linearisation {:?} (agree to ±1)",
                    counts, predicted
                ),
            ),
            Check::new(
                per_decade
                    .iter()
                    .all(|d| (d - exact_per_decade).abs() <= 2.0),
                format!(
                    "extra steps per decade of ε {:?} against ln 10/ln(1 + lr) = {} (±2: each count is an integer, ±1)",
                    per_decade,
                    sig(exact_per_decade, 4)
                ),
            ),
            Check::new(
                escaped,
                "every run escapes: it ends within 10⁻³ of the minimum (2, 0)",
            ),
        ],
    })
}

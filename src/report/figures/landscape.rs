//! Saddles in `d` dimensions, the claims of the other seed documents:
//! `optimiser_paths` (GD, Newton and saddle-free Newton on `x₁² − x₂²`),
//! `escape_vs_lambda` (escape time against the unstable eigenvalue) and `escape_nd`
//! (the d-dimensional local saddle: how often the attractive noise holds every unstable
//! direction).

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::{sig, wilson};
use crate::ensemble::NdEnsemble;
use crate::error::Result;
use crate::escape::exact::interval_exit;
use crate::integrate::{Grid, NdScheme};
use crate::landscape::{
    BallObs, DirectionObs, EscapeSpec, Method, Optimiser, Quadratic, Start, StopWhen,
};
use crate::models::LocalSaddle;

/// Steps for a coordinate growing by `m` per step to reach `r` from `c0`.
fn steps_to(c0: f64, r: f64, m: f64) -> f64 {
    ((r / c0).ln() / m.ln()).ceil()
}

/// `optimiser_paths`: the iterates of GD (off and on the stable axis), Newton and
/// saddle-free Newton on `f = x₁² − x₂²`, in the plane and as `‖x_n‖` against `n`.
pub(crate) fn optimiser_paths(_s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let q = Quadratic::x1_squared_minus_x2_squared();
    let (eta, x0, eps, steps) = (0.05, 0.9, 0.02, 80usize);
    let gd = Optimiser::new(&q, Method::GradientDescent, eta)?;
    let newton = Optimiser::new(&q, Method::Newton { damping: 0.0 }, 0.5)?;
    let sfn = Optimiser::new(&q, Method::SaddleFreeNewton { damping: 0.0 }, 0.5)?;
    let runs = [
        ("GD, η = 0.05, ε off the axis", &gd, eps, Colour::Blue),
        ("GD, η = 0.05, on the stable axis", &gd, 0.0, Colour::Red),
        ("Newton, η = 0.5", &newton, eps, Colour::Orange),
        ("saddle-free Newton, η = 0.5", &sfn, eps, Colour::Green),
    ];
    let mut plane = Panel::new(
        "iterates in the plane (f = x₁² − x₂²)",
        Axis::linear("x₁ (stable)", -1.0, 1.0),
        Axis::linear("x₂ (unstable)", -0.2, 1.2),
    );
    // level sets f = ±c: the hyperbolas x₂ = ±√(x₁² − c), x₁ = ±√(x₂² + c)
    for c in [0.25, 0.5] {
        let pts = |sign: f64, swap: bool| -> Vec<(f64, f64)> {
            (0..=60)
                .map(|i| {
                    let u = -1.2 + 2.4 * i as f64 / 60.0;
                    let v = sign * (u * u + c).sqrt();
                    if swap { (v, u) } else { (u, v) }
                })
                .collect()
        };
        for sign in [-1.0, 1.0] {
            plane = plane
                .with(Series::new(
                    None,
                    Kind::Dashed,
                    Colour::Grey,
                    pts(sign, true),
                ))
                .with(Series::new(
                    None,
                    Kind::Dashed,
                    Colour::Grey,
                    pts(sign, false),
                ));
        }
    }
    let mut norms = Panel::new(
        "distance from the saddle",
        Axis::linear("step n", 0.0, steps as f64),
        Axis::log("‖x_n‖", 1e-12, 10.0),
    );
    let mut paths = Vec::new();
    for (k, (label, opt, e, colour)) in runs.iter().enumerate() {
        let p = opt.path(&[x0, *e], steps, 0)?;
        let inside: Vec<(f64, f64)> = p
            .iter()
            .take_while(|x| x[1].abs() < 1.2)
            .map(|x| (x[0], x[1]))
            .collect();
        plane = plane.with(Series::new(
            Some(label),
            Kind::Points { radius: 2 },
            *colour,
            inside,
        ));
        let nrm: Vec<(f64, f64)> = p
            .iter()
            .enumerate()
            .map(|(n, x)| (n as f64, x[0].hypot(x[1])))
            .filter(|&(_, r)| r > 1e-12 && r < 10.0)
            .collect();
        norms = norms.with(Series::line(label, *colour, nrm));
        paths.push(p);
        progress((k + 1) as f64 / runs.len() as f64);
    }
    // the checks: the runs against the per-direction multipliers
    let on_axis = paths[1].iter().all(|x| x[1] == 0.0);
    let gd_escape = paths[0].iter().position(|x| x[0].hypot(x[1]) >= 1.0);
    let gd_pred = steps_to(eps, 1.0, 1.0 + 2.0 * eta);
    let sfn_escape = paths[3].iter().position(|x| x[0].hypot(x[1]) >= 1.0);
    let sfn_pred = steps_to(eps, 1.0, 1.5);
    let newton_end = paths[2][steps][0].hypot(paths[2][steps][1]);
    let near = |got: Option<usize>, pred: f64| got.is_some_and(|n| (n as f64 - pred).abs() <= 1.0);
    let checks = vec![
        Check::new(
            on_axis
                && (paths[1][steps][0] - x0 * (1.0 - 2.0 * eta).powi(steps as i32)).abs() < 1e-12,
            format!(
                "GD on the stable axis: x₂ = 0 exactly at all {steps} steps and x₁ → 0 \
                 (x₁ = {} after {steps} steps, = 0.9·(1 − 2η)ⁿ)",
                sig(paths[1][steps][0], 3)
            ),
        ),
        Check::new(
            near(gd_escape, gd_pred),
            format!(
                "GD from ε = {eps} off the axis leaves ‖x‖ < 1 at step {:?}; \
                 ⌈ln(1/ε)/ln(1 + 2η)⌉ = {gd_pred}",
                gd_escape
            ),
        ),
        Check::new(
            newton_end < 1e-15,
            format!(
                "Newton (η = 0.5) is attracted: ‖x‖ = {} after {steps} steps (halves each \
                 step)",
                sig(newton_end, 2)
            ),
        ),
        Check::new(
            near(sfn_escape, sfn_pred),
            format!(
                "saddle-free Newton leaves at step {:?}; ⌈ln(1/ε)/ln 1.5⌉ = {sfn_pred}",
                sfn_escape
            ),
        ),
    ];
    Ok(Figure {
        name: "optimiser_paths",
        title: "Gradient descent, Newton and saddle-free Newton at the saddle x₁² − x₂²".into(),
        caption: format!(
            "Iterates on f = x₁² − x₂² (seed 003's slides; H = diag(2, −2)) from x₀ = \
             ({x0}, ε), ε = {eps}, without gradient noise, {steps} steps. Gradient descent \
             (η = {eta}) multiplies x₁ by 1 − 2η and x₂ by 1 + 2η: started on the stable \
             axis (ε = 0, red) it converges to the saddle; ε off it, it escapes after \
             ⌈ln(1/ε)/ln(1 + 2η)⌉ steps. Newton (η = 0.5) steps by −H⁻¹∇f = −x in every \
             direction: the saddle attracts (seed 004). Saddle-free Newton (η = 0.5) \
             steps by −|H|⁻¹∇f: x₁ halves and x₂ grows by 1.5 per step, whatever the \
             curvature. Left: the iterates inside the window, with level sets f = ±0.25, \
             ±0.5 (grey); right: ‖x_n‖ on a log scale."
        ),
        panels: vec![plane, norms],
        columns: 2,
        checks,
    })
}

/// `escape_vs_lambda`: steps to escape against the unstable eigenvalue `|λ|` for GD,
/// saddle-free Newton and damped saddle-free Newton, with the exact step counts.
pub(crate) fn escape_vs_lambda(_s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let lambdas: Vec<f64> = (0..=12)
        .map(|k| 10f64.powf(-3.0 + k as f64 / 3.0))
        .collect();
    let (eps, eta_gd, eta_sfn, mu) = (1e-6, 0.05, 0.5, 0.1);
    let methods = [
        (
            "gradient descent, η = 0.05",
            Method::GradientDescent,
            eta_gd,
            Colour::Blue,
        ),
        (
            "saddle-free Newton, η = 0.5",
            Method::SaddleFreeNewton { damping: 0.0 },
            eta_sfn,
            Colour::Green,
        ),
        (
            "damped saddle-free Newton, μ = 0.1",
            Method::SaddleFreeNewton { damping: mu },
            eta_sfn,
            Colour::Purple,
        ),
    ];
    let factor = |m: &Method, l: f64, eta: f64| match m {
        Method::SaddleFreeNewton { damping } => 1.0 + eta * l / (l + damping),
        _ => 1.0 + eta * l,
    };
    let mut panel = Panel::new(
        "steps to escape from ε = 10⁻⁶ to ‖x‖ = 1",
        Axis::log("|λ| of the unstable direction", 8e-4, 15.0),
        Axis::log("steps", 10.0, 1e6),
    );
    let mut all_match = true;
    let mut measured: Vec<Vec<f64>> = vec![Vec::new(); methods.len()];
    for (j, &l) in lambdas.iter().enumerate() {
        let q = Quadratic::rotated(&[-l, 0.5, 2.0], 13)?;
        let x0: Vec<f64> = (0..3).map(|r| eps * q.eigenvectors()[(r, 0)]).collect();
        for (i, (_, m, eta, _)) in methods.iter().enumerate() {
            let opt = Optimiser::new(&q, *m, *eta)?;
            let spec = EscapeSpec::new(Start::Point(x0.clone()), 1.0, 100_000_000)?;
            let s = opt.escape(&spec)?;
            let n = s.mean_escape_time().map_or(f64::NAN, |e| e.estimate);
            all_match &= (n - steps_to(eps, 1.0, factor(m, l, *eta))).abs() <= 1.0;
            measured[i].push(n);
        }
        progress((j + 1) as f64 / lambdas.len() as f64);
    }
    for (i, (label, m, eta, colour)) in methods.iter().enumerate() {
        let exact: Vec<(f64, f64)> = (0..=120)
            .map(|k| 10f64.powf(-3.0 + k as f64 / 30.0))
            .map(|l| (l, (1.0f64 / eps).ln() / factor(m, l, *eta).ln()))
            .collect();
        panel = panel
            .with(Series::new(None, Kind::Dashed, Colour::Black, exact))
            .with(Series::new(
                Some(label),
                Kind::Points { radius: 3 },
                *colour,
                lambdas
                    .iter()
                    .copied()
                    .zip(measured[i].iter().copied())
                    .collect(),
            ));
    }
    // GD's slope over the smallest four |λ|, where ln(1 + η|λ|) ≈ η|λ|
    let (lx, ly): (Vec<f64>, Vec<f64>) = lambdas[..4]
        .iter()
        .zip(&measured[0][..4])
        .map(|(l, n)| (l.ln(), n.ln()))
        .unzip();
    let mx = lx.iter().sum::<f64>() / 4.0;
    let my = ly.iter().sum::<f64>() / 4.0;
    let slope = lx
        .iter()
        .zip(&ly)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / lx.iter().map(|x| (x - mx) * (x - mx)).sum::<f64>();
    let sfn_range = measured[1]
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), &n| (a.min(n), b.max(n)));
    let checks = vec![
        Check::new(
            all_match,
            "every measured step count equals ⌈ln(1/ε)/ln m(λ)⌉ (± 1 for rounding at the \
             threshold), m = 1 + η|λ| (GD), 1 + η (SFN), 1 + η|λ|/(|λ| + μ) (damped SFN)",
        ),
        Check::new(
            (slope + 1.0).abs() < 0.01,
            format!(
                "GD: log-log slope {} over |λ| ≤ 10⁻², expected −1",
                sig(slope, 4)
            ),
        ),
        Check::new(
            sfn_range.1 - sfn_range.0 <= 1.0,
            format!(
                "saddle-free Newton: {}–{} steps across |λ| = 10⁻³ … 10, independent of |λ|",
                sfn_range.0, sfn_range.1
            ),
        ),
    ];
    Ok(Figure {
        name: "escape_vs_lambda",
        title: "Escape time against the unstable curvature".into(),
        caption: format!(
            "An index-1 saddle in d = 3 with eigenvalues (−|λ|, 0.5, 2) in a random \
             orientation; each run starts ε = {eps} along the unstable eigenvector and stops \
             when ‖x‖ ≥ 1 (no noise: each point is one exact run). Gradient descent \
             (η = {eta_gd}) needs ln(1/ε)/ln(1 + η|λ|) ≈ ln(1/ε)/(η|λ|) steps: the slow-down \
             near the saddle of seed 002, ∝ 1/|λ|. Saddle-free Newton (η = {eta_sfn}) grows \
             the unstable coordinate by 1 + η whatever λ (seed 004); damped with μ = {mu} \
             it does so only for |λ| ≫ μ and behaves like GD at η/μ for |λ| ≪ μ. Newton is \
             not drawn: it is attracted at every |λ|. Dashed: the exact counts."
        ),
        panels: vec![panel],
        columns: 1,
        checks,
    })
}

/// `escape_nd`: the d-dimensional local saddle with `k` identical unstable directions
/// whose attractive noise wins (`σ² > 2a`): the probability that every one is attracted
/// (`p^k`) and the time to leave the unit ball, against `k`.
pub(crate) fn escape_nd(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let ks = [1usize, 2, 3, 4, 6, 8];
    let paths = s.pick(4_000u64, 1_000);
    let (a, sigma, tau, rho, r_in, x0) = (1.0, 2.0, 0.1, 0.3, 0.01, 0.1);
    let marginal = crate::models::SaddleSde::new(a, sigma, tau, rho)?;
    let p = interval_exit(&marginal, x0, r_in, 1.0)?.p_lower;
    let mut prob = Panel::new(
        "P(every unstable direction attracted)",
        Axis::linear("unstable directions k", 0.0, 9.0),
        Axis::log("probability", 0.01, 1.0),
    );
    let mut times = Panel::new(
        "time to leave the unit ball",
        Axis::linear("unstable directions k", 0.0, 9.0),
        Axis::linear("mean exit time", 0.0, 2.5),
    );
    let (mut pts, mut band, mut tpts, mut tband) = (vec![], vec![], vec![], vec![]);
    let (mut inside, mut single) = (0, 0);
    for (j, &k) in ks.iter().enumerate() {
        let mut av = vec![a; k];
        let mut sv = vec![sigma; k];
        let mut tv = vec![tau; k];
        let mut rv = vec![rho; k];
        av.extend([-1.0, -0.5]);
        sv.extend([0.5, 0.3]);
        tv.extend([0.2, 0.4]);
        rv.extend([0.0, -0.5]);
        let m = LocalSaddle::with_pairwise_rho(av, sv, tv, &rv)?;
        let watched: Vec<usize> = (0..k).collect();
        let mut start = vec![x0; k];
        start.extend([0.0, 0.0]);
        let st = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
            .start(start)
            .grid(Grid::new(100.0, 1e-3)?)
            .paths(paths)
            .seed(s.seed_for("escape_nd", k as u64))
            .observe(&DirectionObs::new(&m, &watched, r_in, 1.0, StopWhen::All)?)?;
        let all = st.attracted_count()[k];
        let (est, ci) = wilson(all, st.paths(), 1.0 - super::super::CHECK_ALPHA / 6.0)?;
        inside += usize::from(ci.contains(p.powi(k as i32)));
        single += usize::from(k >= 2 && ci.contains(p));
        pts.push((k as f64, est.max(1e-4)));
        band.push((ci.lower.max(1e-4), ci.upper));
        // the ball, from the same norm 0.1
        let mut b0 = vec![x0 / (k as f64).sqrt(); k];
        b0.extend([0.0, 0.0]);
        let e = NdEnsemble::new(&m, NdScheme::EulerMaruyama)
            .start(b0)
            .grid(Grid::new(100.0, 1e-3)?)
            .paths(paths)
            .seed(s.seed_for("escape_nd", 100 + k as u64))
            .observe(&BallObs::new(k + 2, 0.0, 1.0)?)?;
        if let Some(t) = e.mean_escape_time() {
            tpts.push((k as f64, t.estimate));
            tband.push((t.estimate - 2.0 * t.stderr, t.estimate + 2.0 * t.stderr));
        }
        progress((j + 1) as f64 / ks.len() as f64);
    }
    let exact: Vec<(f64, f64)> = (0..=80)
        .map(|i| {
            let k = 0.5 + 8.5 * i as f64 / 80.0;
            (k, p.powf(k))
        })
        .collect();
    prob = prob
        .with(Series::line(
            "p^k (1-D exact p, independent directions)",
            Colour::Black,
            exact,
        ))
        .with(Series::error_bars(
            "simulated, Wilson interval at 1 − 2·10⁻⁶/6",
            Colour::Blue,
            pts,
            band,
        ));
    let t_hi = tband.iter().fold(0.0f64, |m, b| m.max(b.1)) * 1.1;
    times.y = Axis::linear("mean exit time", 0.0, t_hi.max(1.0));
    times = times.with(Series::error_bars(
        "simulated, ± 2 s.e.",
        Colour::Blue,
        tpts.clone(),
        tband,
    ));
    let falling = tpts.windows(2).all(|w| w[1].1 < w[0].1);
    // every interval at confidence 1 − α/6, α = CHECK_ALPHA: the check is at level α
    let checks = vec![
        Check::new(
            inside == ks.len(),
            format!(
                "P(all k attracted) = p^k with p = {} (the 1-D scale-function value): \
                 {inside} of {} Wilson intervals (confidence 1 − 2·10⁻⁶/6 each) contain it",
                sig(p, 4),
                ks.len()
            ),
        ),
        Check::new(
            single == 0,
            format!(
                "power: the one-direction value p lies in {single} of the {} intervals \
                 for k ≥ 2 (the product is resolved)",
                ks.len() - 1
            ),
        ),
        Check::new(
            falling,
            "the mean time to leave the ball falls as unstable directions are added",
        ),
    ];
    Ok(Figure {
        name: "escape_nd",
        title: "In more unstable directions the attractive noise rarely holds them all".into(),
        caption: format!(
            "The local saddle in d = k + 2 directions: k unstable ones with (a, σ, τ, ρ) = \
             ({a}, {sigma}, {tau}, {rho}), whose attractive noise wins alone (σ² > 2a), and \
             two stable ones (a = −1, −0.5). Left: the fraction of {paths} paths in which \
             every unstable direction, started at {x0}, reaches {r_in} before 1 (each \
             direction's exit tested with the Brownian-bridge correction, EM at h = 10⁻³), \
             against p^k with p = {} the 1-D exact probability: with independent \
             directions a full trap is exponentially rarer in high dimensions (the post's \
             open question). Right: the mean time to leave the unit ball from ‖x₀‖ = 0.1.",
            sig(p, 4)
        ),
        panels: vec![prob, times],
        columns: 2,
        checks,
    })
}

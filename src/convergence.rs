//! Strong convergence orders measured on shared Brownian paths: the harness behind
//! `tests/schemes/strong_order.rs` and the report's `strong_order` figure.
//!
//! For each path a fine Brownian path of the two driving motions `(W, V)` is drawn with
//! its Lévy areas ([`BrownianPath::sample`], step `h₀ = T/2^fine_log2`, areas from
//! [`LevyArea::for_step`]). The blog's closed-form pathwise solution
//! ([`pathwise_terminal`]) on the fine path is the reference; each coarse step
//! `H = T/2^k` gets its increments and iterated integrals from the same fine path by
//! Chen's relation ([`BrownianPath::coarsen`]), so the schemes and the reference see
//! one Brownian path. The strong error `E|X_T^H − X_T^ref|` is averaged over paths for
//! Euler–Maruyama, Milstein with Lévy areas and Milstein without them
//! ([`CommutativeMilstein`]), with its sample standard error.
//!
//! The reference is itself strong order 1 in `h₀`; its own error is estimated by
//! re-evaluating it on the path coarsened to `2h₀`
//! ([`StrongErrors::reference`]), which should be well below the smallest error it
//! judges.
//!
//! Paths are seeded by [`path_rng`]`(seed, i)` and merged in index order
//! ([`run_ordered`]), so the result is the same bit for bit on any thread count.
//!
//! ```
//! use saddle_sde::convergence::{StrongOrderDesign, strong_errors};
//! use saddle_sde::models::SaddleSde;
//! let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
//! let design = StrongOrderDesign { t: 1.0, fine_log2: 8, coarse_log2: vec![2, 3, 4], paths: 64 };
//! let e = strong_errors(&m, 0.1, &design, 7, |_, _| {})?;
//! assert_eq!(e.h, vec![0.25, 0.125, 0.0625]);
//! assert!(e.milstein[2].mean() < e.em[2].mean());
//! # Ok::<(), saddle_sde::Error>(())
//! ```

use crate::analytic::saddle::pathwise_terminal;
use crate::ensemble::{MeanVar, Merge, run_ordered};
use crate::error::{Result, count, param, positive};
use crate::integrate::terminal_on_path;
use crate::models::SaddleSde;
use crate::noise::{BrownianPath, LevyArea, StepNoise, path_rng};
use crate::scheme::{CommutativeMilstein, EulerMaruyama, Milstein};

/// The design of a strong-order measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct StrongOrderDesign {
    /// Horizon `T`.
    pub t: f64,
    /// The fine step is `T/2^fine_log2` (at most 20).
    pub fine_log2: u32,
    /// The coarse steps are `T/2^k` for `k` in this list (each `< fine_log2`).
    pub coarse_log2: Vec<u32>,
    /// Number of paths (`≥ 2`).
    pub paths: u64,
}

/// Strong errors per coarse step: the mean (and its standard error) of
/// `|X_T^H − X_T^ref|` over the paths.
#[derive(Debug, Clone, PartialEq)]
pub struct StrongErrors {
    /// The coarse steps `H`, in the design's order.
    pub h: Vec<f64>,
    /// Euler–Maruyama.
    pub em: Vec<MeanVar>,
    /// Milstein with Lévy areas.
    pub milstein: Vec<MeanVar>,
    /// Milstein without Lévy areas ([`CommutativeMilstein`]).
    pub commutative: Vec<MeanVar>,
    /// `|ref(h₀) − ref(2h₀)|`: an estimate of the reference's own error.
    pub reference: MeanVar,
}

impl StrongErrors {
    /// Mean errors of one scheme's column.
    pub fn means(col: &[MeanVar]) -> Vec<f64> {
        col.iter().map(MeanVar::mean).collect()
    }

    /// The batches of [`strong_errors_in_batches`] merged in order into the whole
    /// sample; `None` if `parts` is empty or their steps differ.
    pub fn merged(parts: &[StrongErrors]) -> Option<StrongErrors> {
        let (first, rest) = parts.split_first()?;
        let mut all = first.clone();
        for p in rest {
            if p.h != all.h {
                return None;
            }
            for (a, b) in [
                (&mut all.em, &p.em),
                (&mut all.milstein, &p.milstein),
                (&mut all.commutative, &p.commutative),
            ] {
                for (x, y) in a.iter_mut().zip(b) {
                    x.merge(y);
                }
            }
            all.reference.merge(&p.reference);
        }
        Some(all)
    }
}

/// Per-path errors folded in path order.
#[derive(Clone)]
struct Acc(Vec<MeanVar>);

impl Merge for Acc {
    fn merge(&mut self, o: &Self) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            a.merge(b);
        }
    }
}

/// Measures the strong errors of EM, Milstein and Milstein without Lévy areas for the
/// saddle SDE `m` from `x0` (see the module docs); `progress(done, total)` after each
/// batch of paths.
///
/// # Errors
/// Parameter errors naming `t` (finite, `> 0`), `fine_log2` (1 to 20),
/// `coarse_log2` (non-empty, each below `fine_log2`), `paths` (`≥ 2`) or `x0`
/// (finite).
pub fn strong_errors(
    m: &SaddleSde,
    x0: f64,
    design: &StrongOrderDesign,
    seed: u64,
    progress: impl FnMut(u64, u64),
) -> Result<StrongErrors> {
    let mut one = measure(m, x0, design, seed, 1, progress)?;
    Ok(one.pop().expect("one batch"))
}

/// As [`strong_errors`], with the paths split into `batches` groups of consecutive
/// path indices (path `i` in group `⌊i·batches/paths⌋`), one [`StrongErrors`] per
/// group, in order. The groups are independent (every path has its own stream), so the
/// spread of a statistic over the groups gives its standard error even though, within
/// a group, the errors at different steps are measured on the same paths and are
/// correlated ([`batch_slope`]). [`StrongErrors::merged`] recovers the whole sample.
///
/// # Errors
/// As [`strong_errors`], and `batches` (from 2 to `paths/2`).
pub fn strong_errors_in_batches(
    m: &SaddleSde,
    x0: f64,
    design: &StrongOrderDesign,
    seed: u64,
    batches: u64,
    progress: impl FnMut(u64, u64),
) -> Result<Vec<StrongErrors>> {
    if batches < 2 || batches > design.paths / 2 {
        return Err(param(
            "batches",
            batches as f64,
            format!("in 2..={} (paths/2)", design.paths / 2),
        ));
    }
    measure(m, x0, design, seed, batches, progress)
}

fn measure(
    m: &SaddleSde,
    x0: f64,
    design: &StrongOrderDesign,
    seed: u64,
    batches: u64,
    progress: impl FnMut(u64, u64),
) -> Result<Vec<StrongErrors>> {
    positive("t", design.t)?;
    crate::error::finite("x0", x0)?;
    if !(1..=20).contains(&design.fine_log2) {
        return Err(param("fine_log2", design.fine_log2 as f64, "in 1..=20"));
    }
    count("coarse_log2", design.coarse_log2.len())?;
    if let Some(&bad) = design.coarse_log2.iter().find(|&&k| k >= design.fine_log2) {
        return Err(param(
            "coarse_log2",
            bad as f64,
            format!("< fine_log2 = {}", design.fine_log2),
        ));
    }
    if design.paths < 2 {
        return Err(param("paths", design.paths as f64, ">= 2"));
    }
    let fine = design.fine_log2;
    let n_fine = 1usize << fine;
    let h0 = design.t / n_fine as f64;
    let areas = LevyArea::for_step(h0)?;
    let k = design.coarse_log2.len();
    // per batch and path: [em; k], [mil; k], [comm; k], ref
    let w = 3 * k + 1;
    let nb = batches as usize;
    let acc = run_ordered(
        design.paths,
        || Acc(vec![MeanVar::default(); w * nb]),
        |i, acc| {
            let g = (u128::from(i) * u128::from(batches) / u128::from(design.paths)) as usize;
            let acc = &mut acc.0[w * g..w * (g + 1)];
            let mut rng = path_rng(seed, i);
            // the design was checked above: these cannot fail
            let path = BrownianPath::<2>::sample(&mut rng, design.t, n_fine, Some(&areas))
                .expect("valid fine grid");
            let exact = pathwise_terminal(m, x0, path.steps());
            let half: Vec<StepNoise<2>> = path.coarsen(2).expect("2 divides 2^fine");
            acc[3 * k].push((pathwise_terminal(m, x0, &half) - exact).abs());
            for (c, &lg) in design.coarse_log2.iter().enumerate() {
                let steps = path.coarsen(1 << (fine - lg)).expect("power of 2 divides");
                let err = |x: f64| (x - exact).abs();
                let run = |r: Result<crate::integrate::Terminal>| r.expect("finite x0").x;
                acc[c].push(err(run(terminal_on_path(m, &EulerMaruyama, x0, &steps))));
                acc[k + c].push(err(run(terminal_on_path(m, &Milstein, x0, &steps))));
                acc[2 * k + c].push(err(run(terminal_on_path(
                    m,
                    &CommutativeMilstein,
                    x0,
                    &steps,
                ))));
            }
        },
        progress,
    );
    let h: Vec<f64> = design
        .coarse_log2
        .iter()
        .map(|&lg| design.t * 0.5f64.powi(lg as i32))
        .collect();
    Ok(acc
        .0
        .chunks(w)
        .map(|v| StrongErrors {
            h: h.clone(),
            em: v[..k].to_vec(),
            milstein: v[k..2 * k].to_vec(),
            commutative: v[2 * k..3 * k].to_vec(),
            reference: v[3 * k],
        })
        .collect())
}

/// The least-squares log-log slope of one scheme's column (`col` picks it) over the
/// whole sample (the batches merged), and its batch-means standard error: the slope is
/// fitted in each batch, and `se = sd(batch slopes)/√B`. Valid although the errors at
/// different steps share paths (and are correlated): the batches are independent and
/// identically distributed, and the whole-sample slope is, to first order, the mean of
/// the batch slopes. The batches must be large enough that each batch's errors are
/// resolved (relative standard error well below 1), or the batch slopes carry the bias
/// of the logarithm.
///
/// ```
/// use saddle_sde::convergence::{StrongOrderDesign, batch_slope, strong_errors_in_batches};
/// use saddle_sde::models::SaddleSde;
/// let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3)?;
/// let design = StrongOrderDesign { t: 1.0, fine_log2: 8, coarse_log2: vec![2, 3, 4], paths: 64 };
/// let parts = strong_errors_in_batches(&m, 0.1, &design, 7, 4, |_, _| {})?;
/// let (slope, se) = batch_slope(&parts, |e| &e.em);
/// assert!(slope.is_finite() && se > 0.0);
/// # Ok::<(), saddle_sde::Error>(())
/// ```
pub fn batch_slope(
    parts: &[StrongErrors],
    col: impl Fn(&StrongErrors) -> &[MeanVar],
) -> (f64, f64) {
    let Some(whole) = StrongErrors::merged(parts) else {
        return (f64::NAN, f64::NAN);
    };
    let slope = loglog_slope(&whole.h, &StrongErrors::means(col(&whole)));
    let each: Vec<f64> = parts
        .iter()
        .map(|p| loglog_slope(&p.h, &StrongErrors::means(col(p))))
        .collect();
    let b = each.len() as f64;
    let m = each.iter().sum::<f64>() / b;
    let var = each.iter().map(|s| (s - m).powi(2)).sum::<f64>() / (b - 1.0);
    (slope, (var / b).sqrt())
}

/// Least-squares slope of `ln y` against `ln x` (the measured order); NaN with fewer
/// than two points or unequal lengths.
///
/// ```
/// let h = [0.1, 0.01, 0.001];
/// let e: Vec<f64> = h.iter().map(|v: &f64| 3.0 * v.sqrt()).collect();
/// assert!((saddle_sde::convergence::loglog_slope(&h, &e) - 0.5).abs() < 1e-12);
/// ```
pub fn loglog_slope(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.len() < 2 {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let mx = lx.iter().sum::<f64>() / n;
    let my = ly.iter().sum::<f64>() / n;
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}

//! `goe_positive_definite`: how rare minima are among random critical points (seed
//! 002's "assume the eigenvalue signs are random: the probability that all are positive
//! is 1/2ⁿ"), from the study of [`crate::landscape::goe`].
//!
//! Not registered in [`crate::report::SECTIONS`] yet: the builder is data only.

use super::super::{Axis, Check, Colour, Figure, Kind, Panel, Series, Settings};
use super::{Z_CHECK, count, sig};
use crate::error::Result;
use crate::escape::Estimate;
use crate::landscape::goe::{LD_RATE, PlainMc, PositiveDefinite, PositiveDefiniteResult, Row};

/// The figure's file stem.
const NAME: &str = "goe_positive_definite";

/// `x ± se` with three significant digits, as `(m ± s)·10ᵏ` outside `[10⁻³, 10⁴)`.
fn pm(e: Estimate) -> String {
    let a = e.estimate.abs();
    if a == 0.0 || !a.is_finite() || (1e-3..1e4).contains(&a) {
        return format!("{} ± {}", sig(e.estimate, 3), sig(e.stderr, 2));
    }
    let k = a.log10().floor() as i32;
    let scale = 10f64.powi(k);
    let sup: String = k
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                [d.to_digit(10).unwrap_or(0) as usize],
        })
        .collect();
    format!(
        "({} ± {})·10{sup}",
        sig(e.estimate / scale, 3),
        sig(e.stderr / scale, 2)
    )
}

/// `(a − b)/√(se_a² + se_b²)`.
fn z(a: Estimate, b: Estimate) -> f64 {
    (a.estimate - b.estimate) / a.stderr.hypot(b.stderr)
}

/// A point with `± 2` standard errors.
fn two_se(x: f64, e: Estimate) -> ((f64, f64), (f64, f64)) {
    (
        (x, e.estimate),
        (e.estimate - 2.0 * e.stderr, e.estimate + 2.0 * e.stderr),
    )
}

/// Points with error bars from `(point, band)` pairs.
fn bars(label: &str, colour: Colour, rows: Vec<((f64, f64), (f64, f64))>) -> Series {
    let (points, band) = rows.into_iter().unzip();
    Series::error_bars(label, colour, points, band)
}

/// `goe_positive_definite`: `P(a GOE matrix is positive definite)` against `n` on a log
/// scale, with `2⁻ⁿ` and `exp(−(ln 3/4) n²)` beside the Monte Carlo points (plain with
/// Wilson 95 % intervals where there are hits, the resampled conditional estimator
/// with ± 2 s.e.) and the fit; and saddles per minimum against `2ⁿ − 2`.
///
/// Full mode: `n = 1 … 8` with 150 000 plain samples and conditional draws, the
/// resampled estimator (50 repetitions of 1 000 particles) to `n = 12`, the fit over
/// `3 … 12`: about 4 s of one core. Quick: 40 000 samples, 40 repetitions of 400
/// particles, up to `n = 10`.
pub(crate) fn goe_positive_definite(s: &Settings, progress: &mut dyn FnMut(f64)) -> Result<Figure> {
    let r = study(s)?.run(progress)?;
    let (max_n, samples) = (
        r.rows.iter().filter(|row| row.plain.is_some()).count(),
        r.samples,
    );
    let (particles, replicates) = (r.particles, r.replicates);
    let checks = checks(&r, max_n)?;
    let panels = panels(&r, max_n);
    let f = &r.fit;
    let p8 = &r.rows[7];
    Ok(Figure {
        name: NAME,
        title: "How rare are minima? P(a random symmetric matrix is positive definite)".into(),
        caption: format!(
            "Seed 002 says that if the signs of a Hessian's n eigenvalues were random, all \
             would be positive with probability 2⁻ⁿ, so minima would be rare among critical \
             points. Here the Hessian is a GOE matrix (M_ii ~ N(0, 1), M_ij = M_ji ~ \
             N(0, ½), density ∝ exp(−tr M²/2)). Left: P_n = P(M positive definite) on a \
             log scale against n. Blue: plain Monte Carlo, {} matrices per n, the share \
             with no negative eigenvalue (nalgebra's symmetric eigenvalues) with its \
             Wilson 95 % interval, drawn where there are hits. Green: the sequential \
             conditional estimator with resampling, ± 2 s.e. (the matrix built row by \
             row, each diagonal entry drawn above the value that keeps the next Cholesky \
             pivot positive, weighted by the probability of that event, Φ̄(c_k); {} \
             particles resampled after every row; the mean of {} independent unbiased \
             estimates and their standard error). Without resampling the weights \
             degenerate (the effective share of the {} draws is {} at n = 4 and {} at \
             n = 8), so that estimator is not drawn. Red: the exact values ½ and \
             (2 − √2)/4. Orange, dashed: 2⁻ⁿ, an upper bound (each factor Φ̄(c_k) is at \
             most ½). Black: the Dean–Majumdar large deviation exp(−(ln 3/4) n²); purple, \
             dashed: the weighted fit ln P_n = −θn² + an + b over n = {} … {}, θ = {}, \
             a = {} (χ² = {} on {} degrees of freedom; ln 3/4 = 0.27465; with the exact \
             values the same model gives θ = 0.2740, the ln n term it leaves out biases \
             it by −0.0006). Right: saddles per minimum in this model, \
             P(0 < index < n)/P(index = 0) = (1 − 2P_n)/P_n (the GOE is symmetric, so \
             index n is as likely as index 0), from the resampled estimate (green, ± 2 s.e. \
             by the delta method) and from the plain index counts where there are at \
             least 20 positive definite matrices (blue, ± 2 s.e.), against the \
             heuristic's 2ⁿ − 2. What to see: the decay is Gaussian in n, not \
             exponential; at n = 8 the heuristic overstates P_8 by a factor of {} and \
             there are {} saddles per minimum, not 254.",
            count(samples),
            count(particles as u64),
            replicates,
            count(samples),
            sig(share(&r.rows[3]), 2),
            sig(share(p8), 2),
            f.from,
            f.to,
            pm(f.theta),
            pm(f.linear),
            sig(f.chi2, 3),
            f.dof,
            p8.heuristic_factor().map_or("—".to_owned(), pm),
            pm(p8.saddle_ratio().expect("n = 8 ≥ 2")),
        ),
        panels,
        columns: 2,
        checks,
    })
}

/// The study: `n = 1 … 8`, the fit to `n = 12` (quick: 10).
fn study(s: &Settings) -> Result<PositiveDefinite> {
    PositiveDefinite::new(8, s.pick(150_000, 40_000), s.seed_for(NAME, 0))?
        .particles(s.pick(1_000, 400))?
        .replicates(s.pick(50, 80))?
        .fit_range(3, s.pick(12, 10))
}

/// The conditional estimator's effective share of its draws.
fn share(row: &Row) -> f64 {
    row.conditional
        .map_or(f64::NAN, |c| c.effective_samples / c.samples as f64)
}

/// The numeric checks: the exact value at `n = 2`, agreement of the estimators, the
/// heuristic's rejection, the large-deviation rate and the saddle ratio.
fn checks(r: &PositiveDefiniteResult, max_n: usize) -> Result<Vec<Check>> {
    let mut checks = Vec::new();
    let rows = &r.rows;
    let plain = |n: usize| rows[n - 1].plain.as_ref().expect("n <= max_n");
    // exact n = 2
    let p2 = crate::landscape::goe::exact(2).expect("n = 2 is exact");
    let exact2 = Estimate {
        estimate: p2,
        stderr: 0.0,
    };
    let (zp, zr) = (
        z(plain(2).estimate(), exact2),
        z(rows[1].resampled.estimate, exact2),
    );
    checks.push(Check::new(
        zp.abs() < Z_CHECK && zr.abs() < Z_CHECK,
        format!(
            "P_2 = (2 − √2)/4 = {}: plain {} (z = {}), resampled {} (z = {}); |z| < \
             {Z_CHECK:.2} (two-sided, α = 2·10⁻⁶ each)",
            sig(p2, 6),
            pm(plain(2).estimate()),
            sig(zp, 2),
            pm(rows[1].resampled.estimate),
            sig(zr, 2)
        ),
    ));
    // plain against resampled where plain has many hits: the exact-in-k test of the
    // hits against the resampled estimate (see `plain_against_resampled`)
    let agree: Vec<(usize, f64)> = (3..=max_n)
        .filter(|&n| plain(n).hits() >= 20)
        .map(|n| Ok((n, plain_against_resampled(plain(n), &rows[n - 1])?)))
        .collect::<Result<_>>()?;
    let p_min = agree.iter().map(|a| a.1).fold(1.0, f64::min);
    checks.push(Check::new(
        !agree.is_empty() && p_min >= super::super::CHECK_ALPHA,
        format!(
            "plain and resampled agree at n = {} … {} (at least 20 hits): the plain hits \
             against Binomial(N, P̂_resampled) with the resampled s.e. folded in, smallest \
             two-sided p = {} ≥ 2·10⁻⁶ (exact in the count; α = 2·10⁻⁶ each)",
            agree.first().map_or(0, |a| a.0),
            agree.last().map_or(0, |a| a.0),
            sig(p_min, 2)
        ),
    ));
    // the heuristic
    let mut wilson_ok = true;
    for n in 2..=max_n {
        let w = plain(n).proportion().wilson(super::CONF_CHECK)?;
        wilson_ok &= w.upper < rows[n - 1].independent_signs();
    }
    let zmin = rows[1..]
        .iter()
        .map(|row| {
            let e = row.resampled.estimate;
            (row.independent_signs() - e.estimate) / e.stderr
        })
        .fold(f64::INFINITY, f64::min);
    checks.push(Check::new(
        wilson_ok && zmin > Z_CHECK,
        format!(
            "2⁻ⁿ is rejected for every n ≥ 2: above the plain Wilson interval at 1 − 2·10⁻⁶ for \
             n = 2 … {max_n}, and above the resampled estimates up to n = {} by at least \
             z = {} > {Z_CHECK:.2} (one-sided, α = 10⁻⁶ each)",
            rows.len(),
            sig(zmin, 3)
        ),
    ));
    let f8 = rows[7].heuristic_factor();
    checks.push(Check::new(
        f8.is_some_and(|f8| f8.estimate - Z_CHECK * f8.stderr > 1e6),
        format!(
            "at n = 8 the heuristic overstates P_8 by 2⁻⁸/P̂_8 = {}: more than 10⁶ at \
             {Z_CHECK:.2} s.e.",
            f8.map_or("— (P̂_8 = 0)".to_owned(), pm)
        ),
    ));
    // the rate
    let f = &r.fit;
    let zt = (f.theta.estimate - LD_RATE) / f.theta.stderr;
    let chi_crit = super::chi2_crit(f.dof as f64);
    checks.push(Check::new(
        zt.abs() < Z_CHECK && f.chi2 < chi_crit,
        format!(
            "the fit ln P_n = −θn² + an + b over n = {} … {} is consistent with the \
             Dean–Majumdar θ = ln 3/4: θ̂ = {}, z = {} (|z| < {Z_CHECK:.2}, two-sided; the \
             ln n term the model leaves out biases θ̂ by about −0.0006, {} s.e. here), \
             χ² = {} < {} (1 − 2·10⁻⁶ quantile, {} degrees of freedom); power: θ = 0 (2⁻ⁿ, \
             linear in ln P) is {} s.e. away",
            f.from,
            f.to,
            pm(f.theta),
            sig(zt, 2),
            sig(0.0006 / f.theta.stderr, 2),
            sig(f.chi2, 3),
            sig(chi_crit, 4),
            f.dof,
            sig(f.theta.estimate / f.theta.stderr, 3)
        ),
    ));
    // saddles per minimum
    let mut pr_min = 1.0f64;
    let mut compared = false;
    let mut zh_min = f64::INFINITY;
    for row in &rows[1..] {
        let Some(res) = row.saddle_ratio() else {
            zh_min = 0.0; // P̂ = 0: the heuristic is not rejected by this row
            continue;
        };
        // 2ⁿ − 2 = (1 − 2P)/P exactly when P = 2⁻ⁿ: the rejection is made on the scale
        // of P, where the resampled estimate's error is its own standard error (on the
        // ratio scale the delta-method z tends to 1/(relative s.e.), 4.8 at n = 12 in the
        // full study, however far the ratio is from 2ⁿ − 2)
        debug_assert!(res.estimate > 0.0);
        let e = row.resampled.estimate;
        let heur_p = 1.0 / (row.heuristic_saddle_ratio() + 2.0);
        zh_min = zh_min.min(((heur_p - e.estimate) / e.stderr).abs());
        if let Some(p) = row.plain.as_ref().filter(|p| p.saddle_ratio().is_some()) {
            compared = true;
            pr_min = pr_min.min(minima_against_resampled(p, row)?);
        }
    }
    checks.push(Check::new(
        compared && pr_min >= super::super::CHECK_ALPHA && zh_min > Z_CHECK,
        format!(
            "saddles per minimum: the plain index counts and (1 − 2P̂)/P̂ agree (index 0 \
             among index 0 … n − 1 against Binomial(m, P̂/(1 − P̂)), at least 20 of each, \
             smallest two-sided p = {} ≥ 2·10⁻⁶, exact in the count), and the resampled \
             ratio rejects 2ⁿ − 2 for n ≥ 2 (as P = 2⁻ⁿ against P̂: min |z| = {}); at n = 8, {} saddles per \
             minimum",
            sig(pr_min, 2),
            sig(zh_min, 3),
            rows[7].saddle_ratio().map_or("—".to_owned(), pm)
        ),
    ));
    Ok(checks)
}

/// The plain hits `k` of `N` against the resampled estimate `P̂ ± se` of the same
/// `P_n`: [`Proportion::p_value_against`](crate::uncertainty::Proportion::p_value_against),
/// the two-sided p-value of `k` under `Binomial(N, P̂)` with the resampled estimate's
/// normal error `N·se` folded in, exact in the count; the check rejects at
/// `p < 2·10⁻⁶`. Exact size (enumerating `k ~ Binomial(N, P_n)` at the de Bruijn
/// `P_n`, integrating the resampled estimate over `N(P_n, se²)` at the study's `se`):
/// quick study, `N = 40 000`, `n = 3, 4` (≈ 1 000 and 98 hits): 1.89·10⁻⁶, 1.53·10⁻⁶;
/// full study, `N = 150 000`, `n = 3, 4, 5` (≈ 3 700, 370 and 21 hits, the last tested
/// only with at least 20): 1.93·10⁻⁶, 1.75·10⁻⁶, 0.70·10⁻⁶. The Wald z it replaces,
/// `(k/N − P̂)/√(se_k² + se²)` with the plug-in `se_k`, at `|z| < 4.75`, had size
/// 2.8·10⁻⁵ at 98 hits (6.4·10⁻⁶ at 370). `Err` only if `P̂ ∉ (0, 1)`.
fn plain_against_resampled(plain: &PlainMc, row: &Row) -> Result<f64> {
    let e = row.resampled.estimate;
    plain.proportion().p_value_against(e.estimate, e.stderr)
}

/// Saddles per minimum from the plain index counts against the resampled estimate:
/// with `h`, `s`, `c` the counts of index 0, `0 < index < n` and `n` (multinomial with
/// probabilities `P`, `1 − 2P`, `P` by the GOE's symmetry), `h` given `m = h + s` is
/// `Binomial(m, q)`, `q = P/(1 − P)`, and `s/h = (1 − 2P)/P` exactly when `h/m = q`:
/// the ratio is tested on the scale of this proportion, where the count's law is
/// exact. The p-value is [`plain_against_resampled`]'s with `q̂ = P̂/(1 − P̂)` and
/// `se(q̂) = se/(1 − P̂)²` (delta method on the resampled estimate, whose relative s.e.
/// is 1–2 %), rejecting at `p < 2·10⁻⁶`. Exact size (same enumeration, `m ≈ N(1 − P_n)`;
/// at least 20 minima and 20 saddles): at most 1.93·10⁻⁶ at `N = 40 000`, `n = 3, 4`
/// and `N = 150 000`, `n = 3, 4, 5`. The delta-method z of the ratio it replaces had
/// size 6.8·10⁻⁵ at 98 minima (`N = 40 000`, `n = 4`), 1.5·10⁻⁵ at 370 and 5.7·10⁻⁴
/// at 21 (given at least 20).
fn minima_against_resampled(plain: &PlainMc, row: &Row) -> Result<f64> {
    let n = plain.index_counts.len() - 1;
    let h = plain.hits();
    let s: u64 = plain.index_counts[1..n].iter().sum();
    let e = row.resampled.estimate;
    let q = e.estimate / (1.0 - e.estimate);
    let se = e.stderr / ((1.0 - e.estimate) * (1.0 - e.estimate));
    crate::uncertainty::Proportion::new(h, h + s)?.p_value_against(q, se)
}

/// The two panels.
fn panels(r: &PositiveDefiniteResult, max_n: usize) -> Vec<Panel> {
    let rows = &r.rows;
    let top = rows.len();
    let x = || Axis::linear("n (size of the Hessian)", 0.5, top as f64 + 0.5);
    let ns: Vec<f64> = (1..=top).map(|n| n as f64).collect();
    let p_min = rows
        .iter()
        .map(|row| row.resampled.estimate.estimate - 2.0 * row.resampled.estimate.stderr)
        .fold(1.0, f64::min);
    let y_lo = 10f64.powf(p_min.log10().floor() - 1.0);
    let mut left = Panel::new("P(positive definite)", x(), Axis::log("P_n", y_lo, 1.5))
        .with(Series::new(
            Some("2⁻ⁿ (independent signs)"),
            Kind::Dashed,
            Colour::Orange,
            ns.iter().map(|&n| (n, 0.5f64.powf(n))).collect(),
        ))
        .with(Series::line(
            "exp(−(ln 3/4) n²) (Dean–Majumdar)",
            Colour::Black,
            ns.iter().map(|&n| (n, (-LD_RATE * n * n).exp())).collect(),
        ))
        .with(Series::new(
            Some("fit exp(−θn² + an + b)"),
            Kind::Dashed,
            Colour::Purple,
            (r.fit.from..=r.fit.to)
                .map(|n| (n as f64, r.fit.ln_p(n).exp()))
                .collect(),
        ))
        .with(Series::new(
            Some("exact (n = 1, 2)"),
            Kind::Points { radius: 6 },
            Colour::Red,
            rows.iter()
                .filter_map(|row| row.exact.map(|p| (row.n as f64, p)))
                .collect(),
        ));
    let plain: Vec<_> = rows
        .iter()
        .take(max_n)
        .filter_map(|row| {
            let p = row.plain.as_ref()?;
            (p.hits() > 0).then(|| {
                let w = p.wilson95();
                ((row.n as f64, p.estimate().estimate), (w.lower, w.upper))
            })
        })
        .collect();
    left = left
        .with(bars("plain Monte Carlo, Wilson 95 %", Colour::Blue, plain))
        .with(bars(
            "conditional with resampling ± 2 s.e.",
            Colour::Green,
            rows.iter()
                .map(|row| two_se(row.n as f64, row.resampled.estimate))
                .collect(),
        ));
    let saddles: Vec<_> = rows[1..]
        .iter()
        .map(|row| two_se(row.n as f64, row.saddle_ratio().expect("n >= 2")))
        .collect();
    let r_max = saddles.iter().map(|s| s.1.1).fold(1.0, f64::max);
    let plain_ratio: Vec<_> = rows[1..]
        .iter()
        .filter_map(|row| {
            let p = row.plain.as_ref().filter(|p| p.hits() >= 20)?;
            Some(two_se(row.n as f64, p.saddle_ratio()?))
        })
        .collect();
    let right = Panel::new(
        "saddles per minimum",
        x(),
        Axis::log(
            "P(0 < index < n)/P(index = 0)",
            1.0,
            10f64.powf(r_max.log10().ceil() + 1.0),
        ),
    )
    .with(Series::new(
        Some("2ⁿ − 2 (independent signs)"),
        Kind::Dashed,
        Colour::Orange,
        ns[1..].iter().map(|&n| (n, 2f64.powf(n) - 2.0)).collect(),
    ))
    .with(bars(
        "plain index counts ± 2 s.e.",
        Colour::Blue,
        plain_ratio,
    ))
    .with(bars(
        "(1 − 2P̂)/P̂, resampled ± 2 s.e.",
        Colour::Green,
        saddles,
    ));
    vec![left, right]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quick mode: every check passes, the data are sound for a log axis, the figure is
    /// the same on one and two threads; and a wrong answer is rejected: resampled
    /// estimates 20 % too high fail the n = 2 check and the agreement check.
    #[test]
    fn builds_with_every_check_passing() {
        let s = Settings::quick(1);
        let build = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| goe_positive_definite(&s, &mut |_| {}).unwrap())
        };
        let f = build(2);
        for c in &f.checks {
            assert!(c.passed, "{}", c.text);
        }
        assert_eq!(f.checks.len(), 6);
        for p in &f.panels {
            assert!(p.y.log && p.y.range.0 > 0.0 && p.y.range.0 < p.y.range.1);
            for series in &p.series {
                assert!(!series.points.is_empty(), "{:?}", series.label);
                for (i, &(_, y)) in series.points.iter().enumerate() {
                    assert!(y > 0.0 && y.is_finite(), "{:?}", series.label);
                    if let Some(&(lo, hi)) = series.band.get(i) {
                        assert!(0.0 <= lo && lo <= y && y <= hi, "{:?}", series.label);
                    }
                }
            }
        }
        assert_eq!(f, build(1));
        // power: resampled estimates 20 % too high (a factor lost or gained somewhere)
        // fail the exact n = 2 check and the agreement with plain Monte Carlo
        let mut r = study(&s).unwrap().run(&mut |_| {}).unwrap();
        for row in &mut r.rows {
            row.resampled.estimate.estimate *= 1.2;
        }
        let wrong = checks(&r, 8).unwrap();
        assert!(!wrong[0].passed, "{}", wrong[0].text);
        assert!(!wrong[1].passed, "{}", wrong[1].text);
    }
}

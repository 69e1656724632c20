//! Every public constructor and function that takes user numbers beyond the model
//! constructors — `ExitDomain`/`ExitSpec`, `Histogram`, the exact escape references,
//! the exact moments, the Richardson pair and its KS allowance, and the exact binomial
//! p-value — over arbitrary `f64` (NaN, ±inf, subnormals, ±f64::MAX
//! included): no panic, no hang (the quadrature's panel budget bounds every exact
//! reference), an `Ok` that is finite and in range, and an error that names its
//! parameter and value.

use proptest::prelude::*;
use saddle_sde::Error;
use saddle_sde::analytic::saddle::moments;
use saddle_sde::ensemble::Histogram;
use saddle_sde::escape::exact::{interval_exit, level_passage, scale_exponent};
use saddle_sde::escape::{ExitDomain, ExitSpec};
use saddle_sde::mlmc::{Coupling, Mlmc};
use saddle_sde::models::SaddleSde;
use saddle_sde::uncertainty::{Proportion, richardson_ks_allowance};

/// A value as messages show it: the shortest decimal, or scientific notation where
/// that would be long (1e9 and up, below 1e-6).
fn shown(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

/// A parameter error names its parameter, shows its value and the allowed range; any
/// other error is a typed `DoesNotExist` with a reason.
fn well_formed(e: &Error) -> bool {
    let text = e.to_string();
    match e {
        Error::Param(p) => {
            text.contains(p.name) && text.contains("must be") && text.contains(&shown(p.value))
        }
        Error::DoesNotExist { condition, .. } => !condition.is_empty(),
        _ => false,
    }
}

/// Mostly hostile values, some ordinary ones, so that both the refusals and the
/// computations are exercised.
fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>(),
        3 => -3.0..3.0f64,
        1 => prop::sample::select(vec![
            0.0, -0.0, 1.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX,
            f64::MIN, f64::MIN_POSITIVE, 5e-324, 1e-300, 1e300, 1e-12,
        ]),
    ]
}

proptest! {
    #![proptest_config(crate::common::proptest_config(512))]

    #[test]
    fn richardson_allowance_is_in_range_or_an_error(
        pairs in prop::collection::vec((num(), num()), 0..40), extra in 0usize..2, k in num()) {
        let fine: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let mut coarse: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        coarse.extend(std::iter::repeat_n(0.0, extra));
        match richardson_ks_allowance(&fine, &coarse, k) {
            Ok(r) => {
                prop_assert!((0.0..=1.0).contains(&r.b0) && (0.0..=1.0).contains(&r.q_max));
                prop_assert!(r.allowance.is_finite() && r.allowance >= r.b0);
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }

    #[test]
    fn exact_binomial_p_value_is_in_range_or_an_error(
        k in any::<u64>(), n in prop_oneof![0u64..2000, any::<u64>()], p in num(), se in num()) {
        let Ok(prop) = Proportion::new(k.min(n), n) else { return Ok(()) };
        match prop.p_value_against(p, se) {
            Ok(v) => prop_assert!((0.0..=1.0).contains(&v), "p-value {v}"),
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }

    #[test]
    fn richardson_pair_is_finite_or_an_error(a in num(), s in num(), x0 in num(), t in num(),
                                             steps in prop_oneof![0usize..50, any::<usize>()],
                                             level in prop_oneof![0usize..4, any::<usize>()],
                                             samples in prop_oneof![0u64..20, any::<u64>()]) {
        let Ok(m) = SaddleSde::new(a, s.abs(), 0.5, 0.3) else { return Ok(()) };
        // a hostile plan is refused before it runs; a plan of at most 2^16 path-steps
        // is run, the rest only validated
        let cheap = (samples as f64) * (steps as f64) * 2f64.powi(level.min(60) as i32) <= 65536.0;
        let mk = || Mlmc::new(&m, Coupling::EulerMaruyama).start(x0).horizon(t).base_steps(steps);
        let r = if cheap { mk().richardson_pair(level, samples) } else { mk().richardson_pair(level, 0) };
        match r {
            Ok((f, c)) => {
                prop_assert!(cheap && f.len() as u64 == samples && c.len() as u64 == samples);
                prop_assert!(f.iter().chain(&c).all(|v| v.is_finite()));
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }

    #[test]
    fn exit_spec_never_panics(lo in num(), hi in num(), x0 in num(), horizon in num(),
                              dt in num(), bound in num(), bins in any::<usize>()) {
        let domain = match ExitDomain::from_ends(Some(lo).filter(|v| *v != 0.0), Some(hi)) {
            Ok(d) => d,
            Err(e) => { prop_assert!(well_formed(&e), "{e}"); return Ok(()); }
        };
        match ExitSpec::new(domain, x0, horizon, dt) {
            Ok(s) => {
                prop_assert!(domain.contains(s.x0()));
                prop_assert!(s.grid().steps() >= 1 && s.grid().h() > 0.0 && s.grid().h().is_finite());
                match s.clone().with_bound(bound) {
                    Ok(b) => prop_assert!(b.bound() > s.x0().abs()),
                    Err(e) => prop_assert!(well_formed(&e), "{e}"),
                }
                // any usize: refused above the cap without allocating
                if let Err(e) = s.with_time_bins(bins) {
                    prop_assert!(well_formed(&e), "{e}");
                }
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }

    #[test]
    fn histogram_never_panics(lo in num(), hi in num(), bins in prop_oneof![1usize..5000, any::<usize>()],
                              xs in prop::collection::vec(num(), 0..50), p in num()) {
        let mut h = match Histogram::new(lo, hi, bins) {
            Ok(h) => h,
            Err(e) => { prop_assert!(well_formed(&e), "{e}"); return Ok(()); }
        };
        prop_assert!(h.resolution() > 0.0 && h.resolution().is_finite());
        for &x in &xs {
            h.push(x);
        }
        prop_assert_eq!(h.total(), xs.len() as u64);
        if let Some(q) = h.quantile(p) {
            prop_assert!(q >= h.lo() && q <= h.hi(), "quantile {} outside [{}, {}]", q, h.lo(), h.hi());
        }
        if let Some(c) = h.cdf(p) {
            prop_assert!((0.0..=1.0).contains(&c));
        }
        // a different layout is an error, never a panic or a silent mix
        if let Ok(other) = Histogram::new(lo, hi, if bins == 1 { 2 } else { 1 }) {
            let before = h.total();
            let e = h.try_merge(&other).unwrap_err();
            prop_assert!(well_formed(&e), "{e}");
            prop_assert_eq!(h.total(), before);
        }
    }

    #[test]
    fn exact_moments_are_finite_or_an_error(a in num(), s in num(), tau in num(), rho in -1.0..=1.0f64,
                                            x0 in num(), t in num()) {
        let Ok(m) = SaddleSde::new(a, s.abs(), tau, rho) else { return Ok(()) };
        match moments(&m, x0, t) {
            Ok(mo) => {
                prop_assert!(mo.mean.is_finite() && mo.second_moment.is_finite() && mo.variance.is_finite());
                prop_assert!(mo.second_moment >= 0.0 || mo.second_moment.abs() <= 1e-12 * mo.mean.abs().max(1.0),
                             "E[x²] = {}", mo.second_moment);
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }
}

proptest! {
    // A hostile case may spend a whole panel budget (10⁶ panels, 20–70 s) before it is
    // refused; 16 cases here take about a minute. Longer:
    // PROPTEST_CASES=500 cargo test --release --test inputs -- exact_escape
    #![proptest_config(crate::common::proptest_config(16))]

    #[test]
    fn exact_escape_is_in_range_or_an_error(a in num(), s in num(), tau in num(), rho in -1.0..=1.0f64,
                                            x0 in num(), lo in num(), hi in num()) {
        let Ok(m) = SaddleSde::new(a, s.abs(), tau, rho) else { return Ok(()) };
        match interval_exit(&m, x0, lo, hi) {
            Ok(e) => {
                prop_assert!((0.0..=1.0).contains(&e.p_upper) && (0.0..=1.0).contains(&e.p_lower));
                prop_assert!((e.p_upper + e.p_lower - 1.0).abs() < 1e-9);
                prop_assert!(e.mean_exit_time.is_finite() && e.mean_exit_time >= 0.0);
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
        match level_passage(&m, x0, hi) {
            Ok(p) => {
                prop_assert!((0.0..=1.0).contains(&p.probability));
                if let Some(t) = p.mean_time {
                    prop_assert!(t.is_finite() && t >= 0.0);
                }
            }
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
        match scale_exponent(&m, x0) {
            Ok(f) => prop_assert!(!f.is_nan()),
            Err(e) => prop_assert!(well_formed(&e), "{e}"),
        }
    }
}

/// A coefficient that underflows (τ² with τ = 1e-170) times a growth factor that
/// overflows (e^{1200}) is a representable term, τ²(e^{3t} − 1)/3 ≈ 4.7e180 at t = 400: not
/// 0 and not NaN. Likewise x0² e^{(2a+σ²)t} with x0 = 1e-170.
#[test]
fn moments_of_underflowed_coefficients() {
    let m = SaddleSde::new(1.0, 1.0, 1e-170, 0.0).unwrap();
    let mo = moments(&m, 0.0, 400.0).unwrap();
    // ln(τ² φ(3, 400)) = −340 ln 10 + 1200 − ln 3 (to 1e-10 relative here)
    let want = (-340.0 * 10f64.ln() + 1200.0 - 3f64.ln()).exp();
    assert!(
        (mo.second_moment / want - 1.0).abs() < 1e-10,
        "{mo:?} vs {want}"
    );
    assert!((mo.variance / want - 1.0).abs() < 1e-10, "{mo:?}");
    let g = SaddleSde::new(1.0, 1.0, 0.0, 0.0).unwrap();
    let mo = moments(&g, 1e-170, 400.0).unwrap();
    let want = (-340.0 * 10f64.ln() + 1200.0).exp();
    assert!(
        (mo.second_moment / want - 1.0).abs() < 1e-10,
        "{mo:?} vs {want}"
    );
}

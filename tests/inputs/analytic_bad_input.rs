//! Bad input to the analytic constructors: arbitrary `f64` (and `u64`) parameters give
//! either a typed error or a usable object — no panic, no hang, and no NaN from the
//! methods of an object that was constructed successfully.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_distr::Distribution;
use saddle_sde::Error;
use saddle_sde::analytic::coin_flip::CoinFlip;
use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
use saddle_sde::analytic::stationary::StationaryLaw;
use saddle_sde::analytic::uncorrelated::UncorrelatedLaw;
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::PathRng;
use statrs::distribution::{Continuous, ContinuousCDF};

/// Arbitrary bit patterns, moderate values, and tiny/huge magnitudes of both signs.
fn real() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -10.0..10.0f64,
        (-320.0..308.0f64, any::<bool>()).prop_map(|(e, neg)| {
            let v = 10f64.powf(e);
            if neg { -v } else { v }
        }),
        Just(0.0),
    ]
}

/// Correlations: arbitrary, in range, and the endpoints ±1 (the inverse-gamma case).
fn corr() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        -1.0..=1.0f64,
        Just(1.0),
        Just(-1.0),
        Just(0.0)
    ]
}

fn typed(e: &Error) -> bool {
    matches!(e, Error::Param(_) | Error::DoesNotExist { .. })
}

proptest! {
    #![proptest_config(crate::common::proptest_config(192))]

    #[test]
    fn stationary_law_is_an_error_or_usable(a in real(), s in real(), t in real(), r in corr(), x in real()) {
        let Ok(sde) = SaddleSde::new(a, s, t, r) else { return Ok(()) };
        match StationaryLaw::new(&sde) {
            Err(e) => prop_assert!(typed(&e), "{e:?}"),
            Ok(law) => {
                let (m, nu, alpha, loc) = law.pearson_parameters();
                prop_assert!(m.is_finite() && nu.is_finite() && alpha.is_finite() && loc.is_finite());
                let k = law.normalising_constant();
                prop_assert!(!k.is_nan() && k >= 0.0, "k = {k}");
                for v in [x, 0.0, loc, law.mode()] {
                    let (c, sf, p) = (law.cdf(v), law.sf(v), law.pdf(v));
                    prop_assert!((0.0..=1.0).contains(&c), "cdf({v}) = {c}");
                    prop_assert!((0.0..=1.0).contains(&sf), "sf({v}) = {sf}");
                    prop_assert!(!p.is_nan() && p >= 0.0, "pdf({v}) = {p}");
                }
                for p in [1e-12, 0.5, 1.0 - 1e-12] {
                    prop_assert!(!law.inverse_cdf(p).is_nan(), "inverse_cdf({p})");
                }
            }
        }
    }

    #[test]
    fn inverse_gamma_limit_is_an_error_or_usable(a in real(), s in real(), t in real(), r in prop_oneof![Just(1.0), Just(-1.0), corr()], x in real()) {
        let Ok(sde) = SaddleSde::new(a, s, t, r) else { return Ok(()) };
        match InverseGammaLimit::new(&sde) {
            Err(e) => prop_assert!(typed(&e), "{e:?}"),
            Ok(law) => {
                for v in [x, law.shift(), law.mode(), law.median()] {
                    let (c, sf, p) = (law.cdf(v), law.sf(v), law.pdf(v));
                    prop_assert!((0.0..=1.0).contains(&c), "cdf({v}) = {c}");
                    prop_assert!((0.0..=1.0).contains(&sf), "sf({v}) = {sf}");
                    prop_assert!(!p.is_nan() && p >= 0.0, "pdf({v}) = {p}");
                }
                for p in [1e-20, 0.5, 1.0 - 1e-12] {
                    prop_assert!(!law.inverse_cdf(p).is_nan(), "inverse_cdf({p})");
                }
                prop_assert!(law.mean().is_none_or(f64::is_finite));
                prop_assert!(law.variance().is_none_or(|v| !v.is_nan()));
            }
        }
    }

    #[test]
    fn uncorrelated_law_is_an_error_or_usable(a in real(), s in real(), tau in real(), x0 in real(), t in real(), steps in prop_oneof![0usize..64, any::<usize>()]) {
        let Ok(sde) = SaddleSde::new(a, s, tau, 0.0) else { return Ok(()) };
        match UncorrelatedLaw::new(&sde, x0, t) {
            Err(e) => prop_assert!(typed(&e), "{e:?}"),
            Ok(law) => {
                for v in [law.mean(), law.variance(), law.mean_within_variance(), law.variance_of_means()] {
                    prop_assert!(v.is_finite(), "{v}");
                }
                prop_assert!(law.component_given_w(&[]).is_err());
                match law.with_steps(steps) {
                    Err(e) => prop_assert!(typed(&e), "{e:?}"),
                    Ok(law) if steps <= 64 => {
                        let mut rng = PathRng::seed_from_u64(1);
                        let x: f64 = law.sample(&mut rng);
                        prop_assert!(!x.is_nan(), "sample = {x}");
                    }
                    Ok(_) => {}
                }
            }
        }
    }

    #[test]
    fn p_shrink_is_a_probability_without_hanging(s in real(), n in prop_oneof![0u64..200, any::<u64>()]) {
        let Ok(c) = CoinFlip::new(s) else { return Ok(()) };
        match c.p_shrink(n) {
            Err(e) => prop_assert!(typed(&e), "{e:?}"),
            Ok(p) => prop_assert!((0.0..=1.0).contains(&p), "p_shrink({n}) = {p} at sigma = {s}"),
        }
    }
}

/// The case proptest found: past the median the window sum of ~10⁻¹⁰-accurate binomial
/// terms came to 1 + 6.4·10⁻¹⁴; it is now one minus the upper tail.
#[test]
fn p_shrink_near_one_stays_a_probability() {
    let c = CoinFlip::new(1.012214139857066).unwrap();
    for n in [63u64, 142, 1000, 1 << 20] {
        let p = c.p_shrink(n).unwrap();
        assert!((0.0..=1.0).contains(&p), "p_shrink({n}) = {p}");
    }
}

/// The case proptest found in CI: τ/σ = 6.8e307/1.5e-49 overflows, so the shift −ρτ/σ
/// was −∞ and `cdf(shift)` was NaN; such a law is now refused with a typed error.
#[test]
fn inverse_gamma_limit_with_an_overflowing_shift_is_refused() {
    let sde = SaddleSde::new(
        5.249468895712625e-238,
        1.5392996551992712e-49,
        6.809595142988895e307,
        1.0,
    )
    .unwrap();
    let e = InverseGammaLimit::new(&sde).unwrap_err();
    assert!(typed(&e) && e.to_string().contains("shift"), "{e}");
}

/// The case a wider proptest search found: at `m + |ν| ≈ 4.6·10⁶` (a = −6.6·10⁶, tiny τ)
/// the centre −μ lies in the upper tail and the directly integrated lower mass came to
/// 1 + 1.9·10⁻⁹; the far side is now the complement of the near side when it exceeds ½.
#[test]
fn stationary_cdf_of_a_skewed_law_stays_a_probability() {
    let sde = SaddleSde::new(
        -6633310.446937562,
        2.7283877000070196,
        6.835876250763139e-47,
        -0.9021043910775294,
    )
    .unwrap();
    let law = StationaryLaw::new(&sde).unwrap();
    let (.., loc) = law.pearson_parameters();
    for v in [-0.0, 0.0, loc, law.mode(), 2.2601897753241447e-47] {
        let (c, sf) = (law.cdf(v), law.sf(v));
        assert!(
            (0.0..=1.0).contains(&c) && (0.0..=1.0).contains(&sf),
            "cdf({v}) = {c}, sf = {sf}"
        );
    }
}

//! Property tests of the stationary law over the whole existence region
//! (σ ∈ [0.05, 3], a/σ² ∈ [−3, 0.45], |τ| ∈ [0.1, 5], |ρ| ≤ 0.999): the closed-form
//! half-masses sum to 1, the CDF is monotone with F + S = 1, quantiles invert the CDF,
//! and the mode is a local maximum. Tolerance: the documented accuracy
//! max(1e-12, 1e-14·(m + |ν|)).

use proptest::prelude::*;
use saddle_sde::analytic::stationary::StationaryLaw;
use saddle_sde::models::SaddleSde;
use statrs::distribution::{Continuous, ContinuousCDF};

proptest! {
    #![proptest_config(crate::common::proptest_config(512))]
    #[test]
    fn stationary_law_is_consistent(
        sigma in 0.05f64..3.0,
        ratio in -3.0f64..0.45,
        tau_abs in 0.1f64..5.0,
        tau_neg in any::<bool>(),
        rho in -0.999f64..0.999,
    ) {
        let tau = if tau_neg { -tau_abs } else { tau_abs };
        let a = ratio * sigma * sigma;
        let l = StationaryLaw::new(&SaddleSde::new(a, sigma, tau, rho).unwrap()).unwrap();
        let (m, nu, alpha, lambda) = l.pearson_parameters();
        let tol = 1e-12f64.max(1e-14 * (m + nu.abs()));
        let (lo, hi) = l.split_masses();
        prop_assert!((lo + hi - 1.0).abs() < tol, "split {} + {}", lo, hi);
        let mut prev = 0.0;
        for q in [-1e4, -10.0, -1.0, -0.1, 0.0, 0.1, 1.0, 10.0, 1e4] {
            let x = lambda + alpha * q;
            let (c, s) = (l.cdf(x), l.sf(x));
            prop_assert!(c >= prev - tol, "non-monotone at {}", x);
            prop_assert!((c + s - 1.0).abs() < tol);
            prev = c;
        }
        for u in [0.05, 0.5, 0.95] {
            let x = l.inverse_cdf(u);
            if x.is_finite() {
                prop_assert!((l.cdf(x) - u).abs() < tol, "u = {}: {}", u, l.cdf(x));
            }
        }
        let md = l.mode();
        let h = 1e-3 * alpha;
        prop_assert!(l.pdf(md) >= l.pdf(md + h) && l.pdf(md) >= l.pdf(md - h));
    }
}

//! The d-dimensional local saddle through the n-dimensional driver: each direction's
//! moments must match the one-dimensional exact moments.
//!
//! d = 2, directions (a, σ, τ, ρ) = (1, 0.5, 0.3, 0.4) (unstable) and (−1, 0.5, −0.2, −0.6)
//! (stable), x0 = (0.1, 0.5), T = 1, h = 10⁻², N = 20 000 paths per scheme.
//! Statistic: z = (sample mean − exact mean)/standard error, per direction and scheme
//! (4 tests), |z| < 4.75 each: two-sided at the suite's per-test level α = 2·10⁻⁶ (`tol::Z_EACH`).
//! Discretisation bias: EM's mean is x0(1 + ah)^{1/h}, off from x0e^{a} by
//! ≈ x0·e^{a}a²h/2 = 1.4e-3 in direction 1, not negligible against its standard error
//! ≈ 4.6e-3, so the comparison is with the scheme's own exact mean x0(1 + ah)^{1/h}
//! (Milstein has the same mean recursion for this linear drift). The standard error
//! uses the SDE's exact variance, which differs from the scheme's by O(h) ≈ 1%.

use rayon::prelude::*;
use saddle_sde::analytic::saddle::variance;
use saddle_sde::integrate::{Grid, NdScheme, terminal_nd};
use saddle_sde::models::{LocalSaddle, SaddleSde};
use saddle_sde::noise::path_rng;

#[test]
fn directions_match_their_one_dimensional_moments() {
    // 4 two-sided tests, each at the suite's per-test level
    let crit = crate::common::tol::Z_EACH;
    let (a, s, t, r) = ([1.0, -1.0], [0.5, 0.5], [0.3, -0.2], [0.4, -0.6]);
    let m = LocalSaddle::with_pairwise_rho(a.to_vec(), s.to_vec(), t.to_vec(), &r).unwrap();
    let x0 = [0.1, 0.5];
    let grid = Grid::new(1.0, 1e-2).unwrap();
    let n = 20_000u64;
    for (seed, scheme) in [(1, NdScheme::EulerMaruyama), (2, NdScheme::Milstein)] {
        let ends: Vec<[f64; 2]> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut x = x0;
                terminal_nd(&m, scheme, &mut x, &grid, &mut path_rng(seed, i)).unwrap();
                x
            })
            .collect();
        for d in 0..2 {
            let one = SaddleSde::new(a[d], s[d], t[d], r[d]).unwrap();
            let exact_scheme_mean = x0[d] * (1.0 + a[d] * grid.h()).powi(grid.steps() as i32);
            let mean = ends.iter().map(|e| e[d]).sum::<f64>() / n as f64;
            let se = (variance(&one, x0[d], 1.0) / n as f64).sqrt();
            let z = (mean - exact_scheme_mean) / se;
            eprintln!(
                "{scheme:?} direction {d}: mean {mean:.5}, expected {exact_scheme_mean:.5}, z = {z:.2}"
            );
            assert!(z.abs() < crit, "z = {z}, critical {crit}");
        }
    }
}

//! Regression: the driver must rebuild the symmetric iterated integrals
//! ½(ΔZ² − h) from every step's increments. It once kept those of the first (zero)
//! increment, so Milstein without Lévy areas added a constant −½ b b' h per step — a
//! drift bias that moved the stationary law of the saddle SDE far from the truth.

use rand::SeedableRng;
use saddle_sde::integrate::{Grid, terminal};
use saddle_sde::models::{LawEquivalentSaddle, SaddleSde};
use saddle_sde::noise::{PathRng, StepNoise};
use saddle_sde::scheme::{Milstein, ScalarScheme};

#[test]
fn driver_milstein_matches_manual_steps_on_the_same_draws() {
    let m = LawEquivalentSaddle::new(SaddleSde::new(1.0, 2.0, -1.0, 0.5).unwrap());
    let grid = Grid::new(0.05, 0.01).unwrap();
    let mut rng = PathRng::seed_from_u64(9);
    let mut twin = rng.clone();
    let end = terminal(&m, &Milstein, 0.3, &grid, &mut rng).unwrap();
    let h = grid.h();
    let mut x = 0.3;
    // The Gaussian source draws a whole block's normals (64 steps; here 5 are used) in
    // one bulk fill.
    let mut z = vec![0.0; saddle_sde::noise::GAUSSIAN_BLOCK];
    saddle_sde::noise::fill_standard_normals(&mut twin, &mut z);
    for n in 0..grid.steps() {
        let noise = StepNoise::without_areas(h, [h.sqrt() * z[n]]);
        x = Milstein.step(&m, n as f64 * h, x, &noise);
    }
    assert_eq!(end.x, x);
}

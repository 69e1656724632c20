//! Pins the first outputs for fixed seeds, so that any change that alters results for a
//! fixed seed is seen (and marked value-breaking in the changelog).

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use saddle_sde::integrate::{terminal, Grid};
use saddle_sde::models::SaddleSde;
use saddle_sde::noise::{path_rng, LevyArea};
use saddle_sde::scheme::{EulerMaruyama, Milstein};

#[test]
fn path_rng_first_draws() {
    let mut r = path_rng(0, 0);
    let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
    assert_eq!(got, PINNED_U64);
}

#[test]
fn first_normals_and_area() {
    let mut r = path_rng(42, 7);
    let z: [f64; 3] = std::array::from_fn(|_| StandardNormal.sample(&mut r));
    let a = LevyArea::with_terms(3, 0.01)
        .unwrap()
        .sample(&mut r, 0.1, -0.05);
    assert_eq!(z.map(f64::to_bits), PINNED_NORMALS);
    assert_eq!(a.to_bits(), PINNED_AREA);
}

#[test]
fn first_terminal_values() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.01).unwrap();
    let em = terminal(&m, &EulerMaruyama, 0.1, &g, &mut path_rng(1, 0))
        .unwrap()
        .x;
    let mil = terminal(&m, &Milstein, 0.1, &g, &mut path_rng(1, 0))
        .unwrap()
        .x;
    assert_eq!([em.to_bits(), mil.to_bits()], PINNED_TERMINAL);
}

const PINNED_U64: [u64; 3] = [
    10802938002650996613,
    11525709953365475190,
    6733477783464282295,
];
const PINNED_NORMALS: [u64; 3] = [
    13821841021379077360,
    13827408002426771110,
    13815559267999809272,
];
const PINNED_AREA: u64 = 13799787948350653328; // -0.009128617505696629
const PINNED_TERMINAL: [u64; 2] = [13819144826971465968, 13823716998289626298];

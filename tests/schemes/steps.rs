//! Fixed-increment unit tests: each step against hand-computed values, and the
//! n-dimensional steps against the scalar ones.

use approx::assert_abs_diff_eq;
use nalgebra::DMatrix;
use saddle_sde::Correlation;
use saddle_sde::models::{Gbm, LawEquivalentSaddle, LocalSaddle, OrnsteinUhlenbeck, SaddleSde};
use saddle_sde::noise::{StepNoise, chen};
use saddle_sde::scheme::{
    CommutativeMilstein, EmWorkspace, EulerMaruyama, Milstein, MilsteinWorkspace, ScalarScheme,
};

// a = 1, σ = 0.8, τ = 0.5, ρ = 0.6 ⇒ ω = 0.4, ρτ = 0.3; at x = 0.3: G_W = 0.54, G_V = 0.4.
fn model() -> SaddleSde {
    SaddleSde::new(1.0, 0.8, 0.5, 0.6).unwrap()
}
// h = 0.01, ΔW = 0.05, ΔV = −0.02, A_WV = 0.001.
fn noise() -> StepNoise<2> {
    StepNoise::from_areas(0.01, [0.05, -0.02], [[0.0, 0.001], [-0.001, 0.0]])
}

#[test]
fn euler_maruyama_saddle() {
    // 0.3 + 1·0.3·0.01 + 0.54·0.05 + 0.4·(−0.02) = 0.322
    assert_abs_diff_eq!(
        EulerMaruyama.step(&model(), 0.0, 0.3, &noise()),
        0.322,
        epsilon = 1e-15
    );
}

#[test]
fn milstein_saddle_uses_the_levy_area() {
    // I_(W,W) = (0.05² − 0.01)/2 = −0.00375, I_(V,W) = ½(−0.02)(0.05) − 0.001 = −0.0015
    // L^W G_W = 0.54·0.8 = 0.432, L^V G_W = 0.4·0.8 = 0.32, L^· G_V = 0
    // 0.322 + 0.432·(−0.00375) + 0.32·(−0.0015) = 0.3199
    assert_abs_diff_eq!(
        Milstein.step(&model(), 0.0, 0.3, &noise()),
        0.3199,
        epsilon = 1e-15
    );
    // commutative form: I_(V,W) → ½ΔVΔW = −0.0005 ⇒ 0.322 − 0.00162 − 0.00016 = 0.32022
    assert_abs_diff_eq!(
        CommutativeMilstein.step(&model(), 0.0, 0.3, &noise()),
        0.32022,
        epsilon = 1e-15
    );
}

#[test]
fn milstein_commutative_cases_ignore_the_area() {
    // τ = 0, σ = 0 and |ρ| = 1 make σω = 0: the area must not matter.
    for m in [
        SaddleSde::new(1.0, 0.8, 0.0, 0.6).unwrap(),
        SaddleSde::new(1.0, 0.0, 0.5, 0.6).unwrap(),
        SaddleSde::new(1.0, 0.8, 0.5, -1.0).unwrap(),
    ] {
        assert!(m.is_commutative());
        let with = Milstein.step(&m, 0.0, 0.3, &noise());
        let without = Milstein.step(&m, 0.0, 0.3, &StepNoise::without_areas(0.01, [0.05, -0.02]));
        assert_abs_diff_eq!(with, without, epsilon = 1e-16);
        assert_abs_diff_eq!(
            with,
            CommutativeMilstein.step(&m, 0.0, 0.3, &noise()),
            epsilon = 1e-16
        );
    }
    assert!(!model().is_commutative());
}

#[test]
fn law_equivalent_milstein() {
    // b² = 0.54² + 0.4² = 0.4516, b b' = σ G_W = 0.432
    let m = LawEquivalentSaddle::new(model());
    let n = StepNoise::without_areas(0.01, [0.05]);
    let expect = 0.3 + 0.003 + 0.4516f64.sqrt() * 0.05 + 0.5 * 0.432 * (0.0025 - 0.01);
    assert_abs_diff_eq!(Milstein.step(&m, 0.0, 0.3, &n), expect, epsilon = 1e-15);
    assert_abs_diff_eq!(
        EulerMaruyama.step(&m, 0.0, 0.3, &n),
        0.303 + 0.4516f64.sqrt() * 0.05,
        epsilon = 1e-15
    );
}

#[test]
fn gbm_and_ou_steps() {
    let g = Gbm::new(0.1, 0.3).unwrap();
    let n = StepNoise::without_areas(0.02, [0.1]);
    // 2 + 0.1·2·0.02 + 0.3·2·0.1 + ½·0.09·2·(0.01 − 0.02)
    assert_abs_diff_eq!(
        Milstein.step(&g, 0.0, 2.0, &n),
        2.0 + 0.004 + 0.06 - 0.0009,
        epsilon = 1e-15
    );
    let o = OrnsteinUhlenbeck::new(2.0, 1.0, 0.5).unwrap();
    // 3 + 2(1 − 3)0.02 + 0.5·0.1 (Milstein = EM for additive noise)
    assert_abs_diff_eq!(
        Milstein.step(&o, 0.0, 3.0, &n),
        3.0 - 0.08 + 0.05,
        epsilon = 1e-15
    );
    assert_abs_diff_eq!(EulerMaruyama.step(&o, 0.0, 3.0, &n), 2.97, epsilon = 1e-15);
}

#[test]
fn n_dimensional_steps_match_the_scalar_ones() {
    // The Sde view of the saddle uses the correlated pair (W, U) with C = [[1, ρ], [ρ, 1]],
    // factored as L = [[1, 0], [ρ, √(1−ρ²)]]: the independent frame is exactly (W, V).
    let m = model();
    let n = noise();
    let flat: Vec<f64> = n.iterated.iter().flatten().copied().collect();
    let mut x = [0.3];
    EmWorkspace::new(&m)
        .step(&m, 0.0, &mut x, 0.01, &n.dz)
        .unwrap();
    assert_abs_diff_eq!(x[0], EulerMaruyama.step(&m, 0.0, 0.3, &n), epsilon = 1e-15);
    let mut x = [0.3];
    MilsteinWorkspace::new(&m)
        .step(&m, 0.0, &mut x, 0.01, &n.dz, &flat)
        .unwrap();
    assert_abs_diff_eq!(x[0], Milstein.step(&m, 0.0, 0.3, &n), epsilon = 1e-15);

    // A one-direction LocalSaddle is the same model.
    let l = LocalSaddle::with_pairwise_rho(vec![1.0], vec![0.8], vec![0.5], &[0.6]).unwrap();
    let mut x = [0.3];
    MilsteinWorkspace::new(&l)
        .step(&l, 0.0, &mut x, 0.01, &n.dz, &flat)
        .unwrap();
    assert_abs_diff_eq!(x[0], 0.3199, epsilon = 1e-15);
}

#[test]
fn local_saddle_directions_are_independent_models() {
    // Two directions, noises (W1, W2, U1, U2), with corr(W_i, U_i) = ρ_i only. Each
    // coordinate must step like its own SaddleSde given its own (W_i, V_i).
    let l = LocalSaddle::with_pairwise_rho(
        vec![1.0, -2.0],
        vec![0.8, 0.3],
        vec![0.5, -0.7],
        &[0.6, -0.2],
    )
    .unwrap();
    let s1 = SaddleSde::new(1.0, 0.8, 0.5, 0.6).unwrap();
    let s2 = SaddleSde::new(-2.0, 0.3, -0.7, -0.2).unwrap();
    // Independent frame of the 4×4 Cholesky: Z = (W1, W2, V1, V2).
    let dz = [0.05, -0.03, -0.02, 0.04];
    let mut flat = vec![0.0; 16];
    let area = |j: usize, k: usize| 0.001 * (j as f64 - k as f64);
    for j in 0..4 {
        for k in 0..4 {
            flat[j * 4 + k] = 0.5 * dz[j] * dz[k] + area(j, k) - if j == k { 0.005 } else { 0.0 };
        }
    }
    let mut x = [0.3, -0.1];
    MilsteinWorkspace::new(&l)
        .step(&l, 0.0, &mut x, 0.01, &dz, &flat)
        .unwrap();
    let n1 = StepNoise::from_areas(0.01, [dz[0], dz[2]], [[0.0, area(0, 2)], [area(2, 0), 0.0]]);
    let n2 = StepNoise::from_areas(0.01, [dz[1], dz[3]], [[0.0, area(1, 3)], [area(3, 1), 0.0]]);
    assert_abs_diff_eq!(x[0], Milstein.step(&s1, 0.0, 0.3, &n1), epsilon = 1e-15);
    assert_abs_diff_eq!(x[1], Milstein.step(&s2, 0.0, -0.1, &n2), epsilon = 1e-15);
    assert_eq!(l.unstable_directions(), 1);
}

#[test]
fn chen_relation_by_hand() {
    let s1 = StepNoise::from_areas(0.1, [0.2, -0.1], [[0.0, 0.01], [-0.01, 0.0]]);
    let s2 = StepNoise::from_areas(0.1, [0.3, 0.4], [[0.0, -0.02], [0.02, 0.0]]);
    let c = chen(&[s1, s2]);
    assert_abs_diff_eq!(c.h, 0.2, epsilon = 1e-15);
    assert_abs_diff_eq!(c.dz[0], 0.5, epsilon = 1e-15);
    assert_abs_diff_eq!(c.dz[1], 0.3, epsilon = 1e-15);
    // diagonal: (ΔZ² − h)/2
    assert_abs_diff_eq!(c.iterated[0][0], (0.25 - 0.2) / 2.0, epsilon = 1e-15);
    // area: A1 + A2 + ½(ΔZ1⁽¹⁾ΔZ2⁽²⁾ − ΔZ2⁽¹⁾ΔZ1⁽²⁾) = 0.01 − 0.02 + ½(0.2·0.4 + 0.1·0.3) = 0.045
    assert_abs_diff_eq!(c.area(0, 1), 0.045, epsilon = 1e-15);
    assert_abs_diff_eq!(
        c.iterated[0][1] + c.iterated[1][0],
        0.5 * 0.3,
        epsilon = 1e-15
    );
}

#[test]
fn correlated_increments_have_the_factor() {
    let c = Correlation::new(DMatrix::from_row_slice(2, 2, &[1.0, -0.6, -0.6, 1.0])).unwrap();
    let mut out = [0.0; 2];
    c.correlate(&[1.0, 1.0], &mut out).unwrap();
    assert_abs_diff_eq!(out[0], 1.0, epsilon = 1e-15);
    assert_abs_diff_eq!(out[1], -0.6 + 0.8, epsilon = 1e-15);
}

/// Correlated increments: the sample covariance of L·ΔZ/√h over N = 200 000 draws
/// matches C entry by entry. For unit-variance jointly normal X, Y with correlation c,
/// Var(XY) = 1 + c², so an off-diagonal mean product has standard error √((1 + c²)/N);
/// a diagonal one has Var(X²) = 2, standard error √(2/N).
/// 6 z-tests, |z| < 4.75 each: two-sided at the suite's per-test level α = 2·10⁻⁶.
#[test]
fn correlated_increments_have_the_correlation() {
    use saddle_sde::noise::{correlated_increments, path_rng};
    let c = Correlation::new(DMatrix::from_row_slice(
        3,
        3,
        &[1.0, 0.5, -0.3, 0.5, 1.0, 0.2, -0.3, 0.2, 1.0],
    ))
    .unwrap();
    let n = 200_000;
    let h = 0.01;
    let mut rng = path_rng(12, 0);
    let (mut dz, mut db) = ([0.0; 3], [0.0; 3]);
    let mut s = [[0.0; 3]; 3];
    for _ in 0..n {
        correlated_increments(&mut rng, &c, h, &mut dz, &mut db).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                s[i][j] += db[i] * db[j] / h;
            }
        }
    }
    for i in 0..3 {
        for j in 0..=i {
            let est = s[i][j] / n as f64;
            let target = c.matrix()[(i, j)];
            let se = if i == j {
                (2.0 / n as f64).sqrt()
            } else {
                ((1.0 + target * target) / n as f64).sqrt()
            };
            let z = (est - target) / se;
            assert!(
                z.abs() < crate::common::tol::Z_EACH,
                "C[{i},{j}]: {est} vs {target} (z = {z})"
            );
        }
    }
}

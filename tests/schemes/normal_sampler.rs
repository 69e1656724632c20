//! The law of the bulk normal sampler (`noise::fill_standard_normals`, a vectorised
//! 1024-layer ziggurat), and that its vector and portable kernels agree.
//!
//! Every test has a fixed seed, a stated statistic and critical value; the sizes are
//! chosen so that the tests have power against the errors a ziggurat can make (a wrong
//! table, a lost wedge or tail, a variance bias like the 0.998 measured for one SIMD
//! sampler on crates.io, correlated lanes).

use crate::common::tol::{ALPHA_EACH, KS_EACH, Z_EACH};
use saddle_sde::noise::{Kernel, fill_standard_normals, fill_standard_normals_with, path_rng};
use saddle_sde::uncertainty::{Proportion, ks_distance};
use statrs::distribution::{ContinuousCDF, Normal};

/// Draws `n` normals from one path generator in fills of 128 (the run engine's block
/// for two noises).
fn draw(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = path_rng(seed, 0);
    let mut z = vec![0.0; n];
    for chunk in z.chunks_mut(128) {
        fill_standard_normals(&mut rng, chunk);
    }
    z
}

/// Kolmogorov–Smirnov against Φ at N = 10⁷: reject when √N·D > 1.95 (α = 2·10⁻⁶,
/// asymptotic Kolmogorov law). Power: a variance of 0.998 shifts the CDF by up to
/// 0.001·φ(1)·1 ≈ 2.4·10⁻⁴ at |z| = 1, i.e. √N·D ≈ 0.76 on its own: KS alone would miss
/// it, which is why the moment test below exists.
#[test]
fn kolmogorov_smirnov_at_ten_million() {
    let n = 10_000_000;
    let mut z = draw(11, n);
    z.sort_by(f64::total_cmp);
    let phi = Normal::standard();
    let d = ks_distance(&z, |x| phi.cdf(x));
    let stat = (n as f64).sqrt() * d;
    assert!(stat < KS_EACH, "√N·D = {stat:.3} ≥ {KS_EACH}");
}

/// The first four moments at N = 10⁷, each a z-test with the standard error of its
/// sample power measured from the same sample: |z| < 4.75 each,
/// two-sided at the suite's per-test level α = 2·10⁻⁶. Power: the standard error of the
/// second moment is √(2/N) = 4.5·10⁻⁴, so a variance of 0.997 gives z ≈ −6.7 and fails
/// (0.998, z ≈ −4.5, was the power example at the old 3.94 and no longer fails).
#[test]
fn first_four_moments() {
    let n = 10_000_000;
    let z = draw(12, n);
    let nf = n as f64;
    // E[Z^k] for k = 1..4 is 0, 1, 0, 3.
    let exact = [0.0, 1.0, 0.0, 3.0];
    for (k, &want) in exact.iter().enumerate() {
        let p = (k + 1) as i32;
        let (mut s, mut s2) = (0.0, 0.0);
        for &v in &z {
            let w = v.powi(p);
            s += w;
            s2 += w * w;
        }
        let mean = s / nf;
        let se = ((s2 / nf - mean * mean) / (nf - 1.0)).sqrt();
        let zstat = (mean - want) / se;
        assert!(
            zstat.abs() < Z_EACH,
            "moment {}: {mean} vs {want}, se {se:.2e}, z = {zstat:.2}",
            k + 1
        );
    }
}

/// The tails at N = 10⁸: the counts beyond |z| = 3.5 (inside the ziggurat's layers and
/// wedges) and beyond |z| = 5 (only reached through the tail sampler beyond
/// R ≈ 4.039), and beyond R itself, each by the exact two-sided binomial test
/// (`Proportion::p_value_against` with an exact reference): p ≥ α = 2·10⁻⁶ (3 tests,
/// size ≤ α each; the normal z it replaces had size 5.6·10⁻⁶ beyond 5, where 57 draws are
/// expected). Power: a sampler that lost the tail (0 draws beyond 5: p = 2e⁻⁵⁷) or
/// doubled it (114: more than 7 standard errors) fails.
#[test]
fn tails_beyond_three_and_a_half_and_five() {
    let n = 100_000_000usize;
    let mut rng = path_rng(13, 0);
    let mut buf = vec![0.0; 1 << 16];
    let mut counts = [0u64; 3];
    let edges = [3.5, 4.038_849_846_109_504, 5.0];
    let mut done = 0;
    while done < n {
        let len = buf.len().min(n - done);
        fill_standard_normals(&mut rng, &mut buf[..len]);
        for &v in &buf[..len] {
            let a = v.abs();
            for (c, &e) in counts.iter_mut().zip(&edges) {
                *c += u64::from(a > e);
            }
        }
        done += len;
    }
    let phi = Normal::standard();
    for (&c, &e) in counts.iter().zip(&edges) {
        let p = 2.0 * phi.sf(e);
        let mean = n as f64 * p;
        let se = (n as f64 * p * (1.0 - p)).sqrt();
        let zstat = (c as f64 - mean) / se;
        // the exact binomial test (size ≤ α for any count; the normal z at 57 expected
        // counts beyond 5 had size 5.6·10⁻⁶, 2.8α)
        let pv = Proportion::new(c, n as u64)
            .unwrap()
            .p_value_against(p, 0.0)
            .unwrap();
        assert!(
            pv >= ALPHA_EACH,
            "beyond {e}: {c} draws, expected {mean:.1} ± {se:.1} (z = {zstat:.2}, exact p = {pv:.3e})"
        );
    }
}

/// Correlation between draws k apart (k = 1…16, which covers the eight interleaved
/// generator lanes twice) at N = 10⁷: the lag-k sample correlation has standard error
/// 1/√N under independence; |z| < 4.75 for each (two-sided at the
/// suite's per-test level α = 2·10⁻⁶). Power: a correlation of 0.002 between lanes is
/// 6.3 standard errors.
#[test]
fn no_correlation_between_nearby_draws() {
    let n = 10_000_000;
    let z = draw(14, n);
    for k in 1..=16 {
        let c: f64 = z.iter().zip(&z[k..]).map(|(a, b)| a * b).sum::<f64>() / (n - k) as f64;
        let zstat = c * ((n - k) as f64).sqrt();
        assert!(
            zstat.abs() < Z_EACH,
            "lag {k}: correlation {c:.2e}, z = {zstat:.2}"
        );
    }
}

/// The detected vector kernel (AVX-512 or AVX2 on CI's CPUs) and the portable kernel
/// give the same bits for every fill length from 1 to 300, and leave the generator in
/// the same state.
#[test]
fn vector_and_portable_kernels_agree() {
    for len in 1..=300usize {
        let mut ra = path_rng(15, len as u64);
        let mut rb = ra.clone();
        let mut a = vec![0.0; len];
        let mut b = vec![0.0; len];
        for _ in 0..3 {
            fill_standard_normals_with(Kernel::Detect, &mut ra, &mut a);
            fill_standard_normals_with(Kernel::Portable, &mut rb, &mut b);
            assert!(
                a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "length {len}"
            );
        }
        assert_eq!(ra, rb, "generator state after length {len}");
    }
    // Say which kernel was compared (visible with --nocapture).
    println!("detected kernel: {}", Kernel::detected());
}

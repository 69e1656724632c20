//! Critical values of the statistical tests, in one place.
//!
//! Every Monte Carlo test in this suite fixes its statistic, sample size, seed and
//! critical value before it is run. Every size test (an assertion that fails only by
//! chance when the code is right) is made at the same level [`ALPHA_EACH`], the
//! library's [`saddle_sde::report::CHECK_ALPHA`] = 2·10⁻⁶, which the report's own
//! checks use too. A family of k tests is k tests at [`ALPHA_EACH`] each, not one test
//! split k ways; a test with a Richardson-pair bias allowance has size ≤ 2α (the
//! allowance's own band at α too). Over the 360 size tests of the suite and the report
//! (inventoried in `docs/statistical-tests.md`) the Bonferroni bound on the probability
//! that a change of the random stream turns any of them red is the sum of their true
//! sizes, 385α = 7.7·10⁻⁴ < 10⁻³.
//!
//! The critical values below are the quantiles at [`ALPHA_EACH`], written out because
//! they are used in `const` position and checked against their formulas by
//! `the_critical_values_are_the_quantiles_at_alpha_each`. Power checks (a
//! wrong value must be rejected) use the same critical values, so a rejection is at the
//! level the acceptance is.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The significance level of every size test: 2·10⁻⁶ (see the module doc).
pub const ALPHA_EACH: f64 = saddle_sde::report::CHECK_ALPHA;

/// Two-sided z-test critical value at [`ALPHA_EACH`]: reject when |z| > `Z_EACH`.
/// Φ⁻¹(1 − α/2) = 4.753 42 at α = 2·10⁻⁶.
pub const Z_EACH: f64 = 4.753_424_308_822_899;

// the sum of the true sizes of the 360 size tests, in units of ALPHA_EACH (docs/
// statistical-tests.md, "Totals"): the Bonferroni bound stays below 10⁻³
const _: () = assert!(385.0 * ALPHA_EACH < 1e-3);

/// One-sided z-test critical value at [`ALPHA_EACH`] (a claim with a direction, e.g.
/// "the mean falls", or an upper bound): reject when z > `Z_EACH_ONE`.
/// Φ⁻¹(1 − α) = 4.611 38 at α = 2·10⁻⁶.
pub const Z_EACH_ONE: f64 = 4.611_382_362_302_668;

/// The Kolmogorov–Smirnov critical coefficient at [`ALPHA_EACH`] (asymptotic
/// Kolmogorov law): `x` with `2 Σ_{k≥1} (−1)^{k−1} e^{−2k²x²} = α`. At α = 2·10⁻⁶ the
/// terms k ≥ 2 are below 10⁻²⁴, so `x = √(ln(2/α)/2)` = 2.628 26.
pub const KS_EACH: f64 = 2.628_260_884_878_466;

/// One-sample KS critical distance for `n` draws: D > `KS_EACH/√n` rejects.
pub fn ks_crit(n: usize) -> f64 {
    KS_EACH / (n as f64).sqrt()
}

/// Two-sample KS critical distance for sizes `n`, `m`: D > `KS_EACH·√((n+m)/(nm))`.
pub fn ks_crit_two(n: usize, m: usize) -> f64 {
    let (n, m) = (n as f64, m as f64);
    KS_EACH * ((n + m) / (n * m)).sqrt()
}

/// The upper χ² critical value with `dof` degrees of freedom at [`ALPHA_EACH`]
/// (statrs' inverse CDF): reject when χ² > `chi2_crit(dof)`.
pub fn chi2_crit(dof: u32) -> f64 {
    ChiSquared::new(f64::from(dof))
        .expect("dof > 0")
        .inverse_cdf(1.0 - ALPHA_EACH)
}

/// The constants are the quantiles they claim to be (checked in every test crate that
/// includes `common`; it is a few microseconds).
#[test]
fn the_critical_values_are_the_quantiles_at_alpha_each() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b;
    assert!(
        close(Z_EACH, super::z_two_sided(ALPHA_EACH)),
        "{}",
        super::z_two_sided(ALPHA_EACH)
    );
    assert!(close(Z_EACH_ONE, super::z_upper(ALPHA_EACH)));
    assert!(close(KS_EACH, ((2.0 / ALPHA_EACH).ln() / 2.0).sqrt()));
    assert!((saddle_sde::uncertainty::kolmogorov_sf(KS_EACH) / ALPHA_EACH - 1.0).abs() < 1e-9);
    // statrs' χ² quantile at 1 − 2e-6 against mpmath: 22.5950 (1), 38.9476 (7)
    assert!((chi2_crit(1) - 22.595_04).abs() < 1e-3, "{}", chi2_crit(1));
    assert!((chi2_crit(7) - 38.947_57).abs() < 1e-3, "{}", chi2_crit(7));
}

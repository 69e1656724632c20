//! Critical values of the statistical tests, in one place.
//!
//! Every Monte Carlo test in this suite fixes its statistic, sample size, seed and
//! critical value before it is run; the critical values shared between tests are named
//! here. Each is the stated quantile rounded to the digits the tests have always used
//! (the values are not to be changed: a test's size and power were judged with them).
//! The quantiles can be recomputed with [`super::z_upper`] (standard normal) or, for
//! the Kolmogorov distribution, `2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²)`.
//!
//! Not named here: thresholds whose value is not the critical value their test's comment
//! states. They stay literals in their tests until that is settled there:
//! - `3.48` in `schemes/local_saddle.rs` and `schemes/two_point.rs`, described as
//!   Bonferroni over 4 two-sided tests at family-wise α = 0.001. That needs
//!   Φ⁻¹(1 − 0.001/8) = 3.66; 3.48 = Φ⁻¹(1 − 0.001/4) gives family-wise ≈ 0.002.
//! - `3.94` in `schemes/steps.rs`, described as 6 tests at family-wise α = 0.001
//!   (Φ⁻¹(1 − 0.001/12) = 3.76); 3.94 is the 12-test value ([`Z999_BONF12`]), so the
//!   family-wise size there is ≈ 4.9·10⁻⁴.
//! - `4.4` in `schemes/weak_order.rs`, described as 10 tests at family-wise α = 0.001
//!   with "z = 4.42"; that family needs Φ⁻¹(1 − 0.001/20) = 3.89, and 4.4 gives
//!   family-wise ≈ 1.1·10⁻⁴.

/// Two-sided z-test critical value at α = 0.001: reject when |z| > `Z999`.
///
/// Standard normal quantile Φ⁻¹(1 − α/2) = Φ⁻¹(0.9995) = 3.2905, rounded down to 3.29
/// (size 2·(1 − Φ(3.29)) = 0.001002).
pub const Z999: f64 = 3.29;

/// Two-sided z-test critical value for a family of 12 tests at family-wise α = 0.001
/// (Bonferroni: each test at α/12, two-sided): reject any test with |z| > `Z999_BONF12`.
///
/// Φ⁻¹(1 − 0.001/24) = 3.9346, rounded up to 3.94 (per-test size
/// 2·(1 − Φ(3.94)) = 8.15·10⁻⁵, family-wise size ≤ 12 × that = 9.8·10⁻⁴).
pub const Z999_BONF12: f64 = 3.94;

/// Kolmogorov–Smirnov critical coefficient at α ≈ 0.001 (asymptotic Kolmogorov law,
/// upper tail): one-sample, reject when D > `KS_001`/√N; two-sample with equal sizes N,
/// reject when D > `KS_001`·√(2/N).
///
/// P(√N·D > x) → 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²), which is 9.96·10⁻⁴ at x = 1.95 (the
/// exact 0.001 point is 1.9495).
pub const KS_001: f64 = 1.95;

//! Critical values of the statistical tests, in one place.
//!
//! Every Monte Carlo test in this suite fixes its statistic, sample size, seed and
//! critical value before it is run; the critical values shared between tests are named
//! here. Each is the stated quantile rounded to the digits the tests have always used
//! (the values are not to be changed: a test's size and power were judged with them).
//! The quantiles can be recomputed with [`super::z_upper`] (standard normal) or, for
//! the Kolmogorov distribution, `2 Σ_{k≥1} (−1)^{k−1} exp(−2k²x²)`.
//!
//! Not named here: the per-family bounds 3.48 (`schemes/local_saddle.rs`,
//! `schemes/two_point.rs`), 3.94 in `schemes/steps.rs` and 4.4 (`schemes/weak_order.rs`);
//! each test states the per-test and family-wise α its bound gives.

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

//! Random symmetric matrices from the Gaussian orthogonal ensemble (GOE), and a
//! sequential sampler of the GOE restricted to positive definite matrices, weighted so
//! that its mean weight is the probability of that event.
//!
//! The derivations are in the documentation of [`fill_goe`] (the ensemble) and of
//! [`PositiveDefiniteSampler`] (the weights and why their mean is the probability).

use nalgebra::DMatrix;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, StandardNormal};
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Fills the square matrix `m` with a GOE sample.
///
/// The GOE of size `n` is the law of a symmetric `n × n` matrix `M` with density
/// `∝ exp(−tr(M²)/2)`. Since `tr(M²) = Σ_i M_ii² + 2 Σ_{i<j} M_ij²`, the entries on and
/// above the diagonal are independent, `M_ii ~ N(0, 1)` and `M_ij = M_ji ~ N(0, ½)` for
/// `i < j`. They are drawn row by row through the lower triangle (`M_00, M_10, M_11,
/// M_20, M_21, M_22, …`: row `k`'s off-diagonals, then its diagonal), the order
/// [`PositiveDefiniteSampler`] uses too.
///
/// ```
/// use saddle_sde::nalgebra::DMatrix;
/// use saddle_sde::noise::{fill_goe, path_rng};
/// let mut m = DMatrix::zeros(3, 3);
/// fill_goe(&mut m, &mut path_rng(1, 0));
/// assert_eq!(m, m.transpose());
/// ```
///
/// # Panics
/// If `m` is not square.
pub fn fill_goe<R: Rng + ?Sized>(m: &mut DMatrix<f64>, rng: &mut R) {
    assert!(m.is_square(), "fill_goe: the matrix must be square");
    let n = m.nrows();
    for i in 0..n {
        for j in 0..i {
            let z: f64 = StandardNormal.sample(rng);
            let x = z * FRAC_1_SQRT_2;
            m[(i, j)] = x;
            m[(j, i)] = x;
        }
        m[(i, i)] = StandardNormal.sample(rng);
    }
}

/// Below this lower end [`normal_excess`] rejects from `|Z|` (or `Z`), above it from an
/// exponential: the two acceptance rates, `2Φ̄(c)` and
/// `√(2π) λ Φ̄(c) exp(λc − λ²/2)`, cross near `c = 0.25` (0.803 against 0.796).
const EXPONENTIAL_FROM: f64 = 0.25;

/// A standard normal conditioned to exceed `c`: a draw from the density
/// `φ(x)·1{x > c}/Φ̄(c)`, exactly (by rejection, no approximation of the tail). It is
/// `c + `[`normal_excess`]`(c, rng)`, rounded: use that function when the excess
/// `x − c` is what is needed, since for large `c` it carries digits that `x` cannot
/// (beyond `c ≈ 10⁸` the sum is `c` itself).
///
/// ```
/// use saddle_sde::noise::{normal_above, path_rng};
/// let mut rng = path_rng(3, 0);
/// for c in [-1.0, 0.0, 0.1, 2.0, 40.0] {
///     assert!(normal_above(c, &mut rng) > c);
/// }
/// ```
///
/// # Panics
/// If `c` is NaN or `+∞`.
pub fn normal_above<R: Rng + ?Sized>(c: f64, rng: &mut R) -> f64 {
    c + normal_excess(c, rng)
}

/// The excess `X − c > 0` of a standard normal `X` conditioned to exceed `c`, drawn
/// exactly by rejection and without forming `X`, so that it keeps its relative accuracy
/// however large `c` is (at `c = 10⁸` the excess is about `10⁻⁸`, below the spacing of
/// doubles near `c`):
///
/// - `c < 0`: draw `Z ~ N(0, 1)` until `Z > c`, return `Z − c` (acceptance `Φ̄(c) > ½`);
/// - `0 ≤ c < 0.25`: draw `|Z|` until `|Z| > c` (acceptance `2Φ̄(c) > 0.80`);
/// - `c ≥ 0.25`: Robert's exponential rejection[^robert]: propose the excess `e = E/λ`,
///   `E ~ Exp(1)`, with the optimal rate `λ = (c + √(c² + 4))/2`, and accept when an
///   independent `E' ~ Exp(1)` satisfies `E' ≥ (c + e − λ)²/2` (probability
///   `exp(−(c + e − λ)²/2)`). The acceptance rate is `√(2π) λ Φ̄(c) exp(λc − λ²/2)`:
///   0.80 at `c = 0.25`, 0.83 at 0.5, 0.88 at 1, above 0.99 from `c = 8`, tending to 1.
///   `c − λ` is formed as `−1/λ`, without cancellation.
///
/// The result is always `> 0` (a zero excess, which needs an exponential draw of 0, is
/// rejected).
///
/// ```
/// use saddle_sde::noise::{normal_excess, path_rng};
/// let mut rng = path_rng(3, 0);
/// // far in the tail the excess is nearly exponential with rate c
/// let n = 10_000;
/// let mean = (0..n).map(|_| normal_excess(1e6, &mut rng)).sum::<f64>() / n as f64;
/// assert!((mean * 1e6 - 1.0).abs() < 0.05);
/// ```
///
/// [^robert]: C. P. Robert, *Simulation of truncated normal variables*, Statistics and
///     Computing 5 (1995) 121–125.
///
/// # Panics
/// If `c` is NaN or `+∞`.
pub fn normal_excess<R: Rng + ?Sized>(c: f64, rng: &mut R) -> f64 {
    assert!(
        !c.is_nan() && c < f64::INFINITY,
        "normal_excess: the lower end must be a number below +∞, got {c}"
    );
    if c < 0.0 {
        loop {
            let z: f64 = StandardNormal.sample(rng);
            if z > c {
                return z - c;
            }
        }
    }
    if c < EXPONENTIAL_FROM {
        loop {
            let z: f64 = StandardNormal.sample(rng);
            let e = z.abs() - c;
            if e > 0.0 {
                return e;
            }
        }
    }
    // λ without overflow for any finite c, and c − λ = −1/λ without cancellation
    let lambda = 0.5 * c + 0.5 * c.hypot(2.0);
    let c_minus_lambda = -1.0 / lambda;
    loop {
        let e: f64 = Exp1.sample(rng);
        let e = e / lambda;
        let accept: f64 = Exp1.sample(rng);
        let t = c_minus_lambda + e;
        if accept >= 0.5 * t * t && e > 0.0 {
            return e;
        }
    }
}

/// `ln Φ̄(c) = ln P(N(0, 1) > c)`, to a relative error of `Φ̄` below `2·10⁻¹⁰` (the
/// accuracy of statrs' `erfc`, measured against 40-digit references; far below any
/// Monte Carlo error here) wherever it is a normal number, and beyond: `ln(erfc(c/√2)/2)` for
/// `c ≤ 30` (statrs' `erfc`),
/// and the asymptotic series
/// `ln Φ̄(c) = −c²/2 − ln(c√(2π)) + ln(1 − 1/c² + 3/c⁴ − 15/c⁶ + 105/c⁸ − 945/c¹⁰)`
/// for `c > 30` (its truncation error is below `10395/c¹² < 2·10⁻¹⁴` there).
///
/// ```
/// use saddle_sde::noise::ln_normal_sf;
/// assert!((ln_normal_sf(0.0) - 0.5f64.ln()).abs() < 1e-15);
/// // Φ̄(40) ≈ 3.656·10⁻³⁵⁰ underflows a double; its logarithm does not
/// assert!((ln_normal_sf(40.0) - (-804.6084420137538)).abs() < 1e-9);
/// ```
pub fn ln_normal_sf(c: f64) -> f64 {
    if c <= 30.0 {
        (0.5 * statrs::function::erf::erfc(c * FRAC_1_SQRT_2)).ln()
    } else {
        let r = 1.0 / (c * c);
        let series =
            1.0 - r * (1.0 - 3.0 * r * (1.0 - 5.0 * r * (1.0 - 7.0 * r * (1.0 - 9.0 * r))));
        -0.5 * c * c - (c * (2.0 * PI).sqrt()).ln() + series.ln()
    }
}

/// The sequential conditional (importance) sampler of the GOE restricted to positive
/// definite matrices: each draw fills a matrix that is positive definite and returns
/// `ln W`, `W = Π_k Φ̄(c_k)`, whose mean is `P(M ≻ 0)` for a GOE matrix `M`.
///
/// # Derivation
/// Write `A_k` for the leading `k × k` block of `M`, `b_k = (M_k0, …, M_k,k−1)` for the
/// off-diagonals of row `k` and `m_k = M_kk`. If `A_k ≻ 0` with Cholesky factor
/// `A_k = L_k L_kᵀ`, the block `A_{k+1} = [[A_k, b_k], [b_kᵀ, m_k]]` is positive
/// definite exactly when its Schur complement, the `k`-th pivot of the Cholesky (or
/// LDLᵀ) factorisation, is positive:
///
/// ```text
/// d_k = m_k − c_k > 0,    c_k = b_kᵀ A_k⁻¹ b_k = |y_k|²,   y_k = L_k⁻¹ b_k,
/// L_{k+1} = [[L_k, 0], [y_kᵀ, √d_k]]                       (c_0 = 0, d_0 = m_0),
/// ```
///
/// so `M ≻ 0` if and only if `d_k > 0` for `k = 0, …, n − 1` (Sylvester's criterion in
/// its Cholesky form). `c_k` depends only on the entries drawn before `m_k`, and `m_k`
/// is independent of them, so
///
/// ```text
/// P(d_k > 0 | A_k, b_k) = Φ̄(c_k) = P(N(0, 1) > c_k)      on {A_k ≻ 0}.
/// ```
///
/// The sampler draws the off-diagonals as the GOE does ([`fill_goe`]'s order), but each
/// diagonal entry `m_k` from `N(0, 1)` **conditioned on** `m_k > c_k` (drawn as
/// `c_k + d_k` with the pivot `d_k` from [`normal_excess`]), and returns the weight `W = Π_k Φ̄(c_k)`. Every matrix it draws is
/// positive definite. The proposal law `Q` differs from the GOE law `P` only in the
/// density of each `m_k` given the past, `φ(m)·1{m > c_k}/Φ̄(c_k)` instead of `φ(m)`, so
/// on `{M ≻ 0}` the likelihood ratio is `dP/dQ = Π_k Φ̄(c_k) = W`, and for any `f`
///
/// ```text
/// E_P[f(M) 1{M ≻ 0}] = E_Q[f(M) W],      in particular   E_Q[W] = P(M ≻ 0):
/// ```
///
/// the mean weight is an **unbiased** estimator of the probability that a GOE matrix
/// is positive definite, and weighted means of `f(M)` estimate `E[f(M) | M ≻ 0]`.
///
/// Two consequences. Since `A_k ≻ 0` gives `c_k ≥ 0`, every factor is at most
/// `Φ̄(0) = ½`, so `W ≤ 2⁻ⁿ` and hence `P(M ≻ 0) ≤ 2⁻ⁿ`, strictly for `n ≥ 2`
/// (`c_k > 0` almost surely for `k ≥ 1`): the "independent signs" guess `2⁻ⁿ` is an
/// upper bound. And `Var_Q(W) = E_Q[W²] − P² = E_P[W 1{M ≻ 0}] − P² ≤ P(2⁻ⁿ − P)`,
/// against `P(1 − P)` for the indicator of plain Monte Carlo: the variance per sample
/// is smaller by a factor of at least `(1 − P)/(2⁻ⁿ − P) > 2ⁿ − 1`.
///
/// The weight is returned as `ln W = Σ_k ln Φ̄(c_k)` ([`ln_normal_sf`]), so that it does
/// not underflow for large `n`.
///
/// **Cost per matrix:** `n(n − 1)/2` normals, `n` draws of [`normal_excess`] (about 1.2
/// proposals each, see there), `n` evaluations of `erfc` and a logarithm, and a
/// forward substitution per row: `n³/6` multiply-adds. Nothing is allocated per draw:
/// the sampler keeps the Cholesky factor of the matrix it draws.
///
/// ```
/// use saddle_sde::nalgebra::DMatrix;
/// use saddle_sde::noise::{PositiveDefiniteSampler, path_rng};
/// let mut s = PositiveDefiniteSampler::new(2);
/// let mut m = DMatrix::zeros(2, 2);
/// let n = 100_000u64;
/// let mean = (0..n).map(|i| s.sample(&mut m, &mut path_rng(5, i)).exp()).sum::<f64>() / n as f64;
/// // P(a 2×2 GOE matrix is positive definite) = (2 − √2)/4 = 0.14645; the standard
/// // deviation of W is about 0.094, so the standard error is about 3·10⁻⁴: 4 s.e.
/// assert!((mean - (2.0 - 2f64.sqrt()) / 4.0).abs() < 1.2e-3);
/// // the last matrix is L Lᵀ with L lower triangular, its diagonal positive
/// let l = s.cholesky_factor();
/// assert!(l.diagonal().iter().all(|&d| d > 0.0));
/// assert!((l * l.transpose() - &m).amax() <= 1e-12 * m.amax());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PositiveDefiniteSampler {
    /// The lower Cholesky factor of the last matrix drawn.
    l: DMatrix<f64>,
}

impl PositiveDefiniteSampler {
    /// A sampler of `n × n` matrices.
    pub fn new(n: usize) -> Self {
        Self {
            l: DMatrix::zeros(n, n),
        }
    }
    /// The size `n`.
    pub fn n(&self) -> usize {
        self.l.nrows()
    }
    /// The lower Cholesky factor `L` (`M = L Lᵀ`) of the last matrix drawn.
    pub fn cholesky_factor(&self) -> &DMatrix<f64> {
        &self.l
    }
    /// Draws a positive definite matrix into `m` from the proposal law and returns its
    /// log weight `ln W = Σ_k ln Φ̄(c_k)` (at most `−n ln 2`).
    ///
    /// The matrix is `L Lᵀ` for the factor [`cholesky_factor`](Self::cholesky_factor),
    /// whose diagonal is positive; the weight and the factor carry every digit of the
    /// pivots, but `M_kk = c_k + d_k` is rounded, so when a pivot `d_k` is below the
    /// spacing of doubles at `c_k` (`c_k` large) the rounded `m` is singular to working
    /// precision.
    ///
    /// If pivots below about `10⁻³⁰⁰` make some `c_k` overflow, the weight is 0 in
    /// floating point: the draw stops there and returns `−∞`, and only the first `k`
    /// rows of `m` are drawn.
    ///
    /// # Panics
    /// If `m` is not `n × n`.
    pub fn sample<R: Rng + ?Sized>(&mut self, m: &mut DMatrix<f64>, rng: &mut R) -> f64 {
        let n = self.n();
        assert!(
            m.nrows() == n && m.ncols() == n,
            "PositiveDefiniteSampler::sample: the matrix must be {n} × {n}"
        );
        let l = &mut self.l;
        let mut ln_w = 0.0;
        for k in 0..n {
            // row k's off-diagonals b_j, and y = L_k⁻¹ b by forward substitution, written
            // into row k of L as they come
            let mut c = 0.0;
            for j in 0..k {
                let z: f64 = StandardNormal.sample(rng);
                let b = z * FRAC_1_SQRT_2;
                m[(k, j)] = b;
                m[(j, k)] = b;
                let mut s = b;
                for i in 0..j {
                    s -= l[(j, i)] * l[(k, i)];
                }
                let y = s / l[(j, j)];
                l[(k, j)] = y;
                c += y * y;
            }
            if !c.is_finite() {
                // pivots below ~10⁻³⁰⁰ made c_k overflow (or NaN from ∞ − ∞): Φ̄(c_k)
                // and W are 0
                return f64::NEG_INFINITY;
            }
            // the pivot d_k = m_k − c_k is drawn directly, so it keeps its digits when c_k
            // is large
            let d = normal_excess(c, rng);
            m[(k, k)] = c + d;
            l[(k, k)] = d.sqrt();
            ln_w += ln_normal_sf(c);
        }
        ln_w
    }
}

/// The sequential conditional sampler of [`PositiveDefiniteSampler`] run as a particle
/// system with resampling (sequential Monte Carlo): one call is one estimate of
/// `P(M ≻ 0)` from `N` particles, unbiased, whose spread over independent calls stays
/// small where the weights of the plain sequential sampler degenerate.
///
/// # Why
/// In [`PositiveDefiniteSampler`] a pivot `d_k` drawn just above 0 (likely when `c_k` is
/// large: the excess over `c_k` is then nearly exponential with rate `c_k`) makes the
/// next rows' `c` huge, so a few draws carry all the weight: measured with 10⁵ draws,
/// the effective sample size `(ΣW)²/ΣW²` is 11 % of the draws at `n = 4`, 0.3 % at
/// `n = 6` and about 2 draws at `n = 8`. Resampling discards such partial matrices as
/// soon as their incremental weight is small.
///
/// # Algorithm
/// `N` particles, each a partial Cholesky factor `L_k`. For `k = 0, …, n − 1`:
///
/// 1. each particle draws row `k`'s off-diagonals `b` (GOE), forms `y = L_k⁻¹ b` and
///    `c = |y|²`, and gets the incremental weight `w = Φ̄(c)`, the probability that its
///    pivot will be positive;
/// 2. `p̂_k = (1/N) Σ w`;
/// 3. the particles are resampled with probabilities `∝ w` (systematic resampling: one
///    uniform per step, particle `j` copied `⌊N W_j + u⌋`-style, `E[copies] = N w_j/Σw`);
/// 4. each particle draws its pivot from the law of `m_k − c` given `m_k > c`
///    ([`normal_excess`]) and completes row `k` of its factor.
///
/// The estimate is `P̂ = Π_k p̂_k`. It is an unbiased estimator of `P(M ≻ 0)` (the
/// standard property of the particle estimate of a normalising constant, for any
/// resampling scheme with `E[copies of j] = N w_j/Σw`[^delmoral]): step `k` is the
/// sequential sampler's step with the incremental weight taken before the pivot is
/// drawn, which is possible because `Φ̄(c_k)` does not depend on the pivot. Since every
/// `p̂_k ≤ ½`, `P̂ ≤ 2⁻ⁿ` as for the single-matrix weight. Its error is measured by
/// repeating it with independent generators.
///
/// **Cost per estimate:** `N` times that of one [`PositiveDefiniteSampler`] draw, plus
/// copying the `N` partial factors at each step (`N n²(n + 1)/2` copies in all). Nothing is
/// allocated after [`new`](Self::new).
///
/// ```
/// use saddle_sde::noise::{ResampledPositiveDefinite, path_rng};
/// let mut smc = ResampledPositiveDefinite::new(2, 1000);
/// let r = 400u64;
/// let mean = (0..r).map(|i| smc.ln_estimate(&mut path_rng(5, i)).exp()).sum::<f64>() / r as f64;
/// // (2 − √2)/4 = 0.14645; 400 estimates of 1000 particles each (each ½ times a mean
/// // of 1000 values Φ̄(c) ≤ ½): the standard error is about 1.5·10⁻⁴, at most 2·10⁻⁴;
/// // 3 times the bound
/// assert!((mean - (2.0 - 2f64.sqrt()) / 4.0).abs() < 6e-4);
/// ```
///
/// [^delmoral]: P. Del Moral, *Feynman–Kac Formulae: Genealogical and Interacting
///     Particle Systems with Applications*, Springer (2004), Theorem 7.4.2; for
///     systematic resampling see C. Andrieu, A. Doucet, R. Holenstein, *Particle Markov
///     chain Monte Carlo methods*, J. R. Stat. Soc. B 72 (2010) 269–342, assumption A1.
#[derive(Debug, Clone, PartialEq)]
pub struct ResampledPositiveDefinite {
    n: usize,
    particles: usize,
    /// The particles' factors, `n × n` row-major each (lower triangle used).
    l: Vec<f64>,
    /// The resampled copies.
    next: Vec<f64>,
    /// Each particle's `c` of the current row.
    c: Vec<f64>,
    /// The resampled `c`.
    c_next: Vec<f64>,
    /// Each particle's `ln Φ̄(c)`.
    ln_w: Vec<f64>,
}

impl ResampledPositiveDefinite {
    /// An estimator for `n × n` matrices with `particles` particles.
    ///
    /// # Panics
    /// If `particles` is 0.
    pub fn new(n: usize, particles: usize) -> Self {
        assert!(
            particles >= 1,
            "ResampledPositiveDefinite: particles must be >= 1"
        );
        Self {
            n,
            particles,
            l: vec![0.0; particles * n * n],
            next: vec![0.0; particles * n * n],
            c: vec![0.0; particles],
            c_next: vec![0.0; particles],
            ln_w: vec![0.0; particles],
        }
    }
    /// The size `n`.
    pub fn n(&self) -> usize {
        self.n
    }
    /// The number of particles `N`.
    pub fn particles(&self) -> usize {
        self.particles
    }
    /// One estimate, as `ln P̂` (`P̂ ≤ 2⁻ⁿ`; `−∞` only if every particle's weight
    /// underflows at some step).
    pub fn ln_estimate<R: Rng + ?Sized>(&mut self, rng: &mut R) -> f64 {
        let (n, np) = (self.n, self.particles);
        let mut ln_p = 0.0;
        for k in 0..n {
            // 1. off-diagonals, y = L⁻¹ b into row k, c = |y|², the weight ln Φ̄(c)
            for p in 0..np {
                let l = &mut self.l[p * n * n..(p + 1) * n * n];
                let mut c = 0.0;
                for j in 0..k {
                    let z: f64 = StandardNormal.sample(rng);
                    let mut s = z * FRAC_1_SQRT_2;
                    for i in 0..j {
                        s -= l[j * n + i] * l[k * n + i];
                    }
                    let y = s / l[j * n + j];
                    l[k * n + j] = y;
                    c += y * y;
                }
                self.c[p] = c;
                // c overflows (or becomes NaN from ∞ − ∞) only after pivots below
                // ~10⁻³⁰⁰: Φ̄(c) is 0 then
                self.ln_w[p] = if !c.is_finite() {
                    f64::NEG_INFINITY
                } else {
                    ln_normal_sf(c)
                };
            }
            // 2. p̂_k, in logs: ln p̂ = top + ln((1/N) Σ exp(ln w − top))
            let top = self.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if top == f64::NEG_INFINITY {
                return f64::NEG_INFINITY;
            }
            let total: f64 = self.ln_w.iter().map(|&w| (w - top).exp()).sum();
            ln_p += top + (total / np as f64).ln();
            if !(total > 0.0 && ln_p.is_finite()) {
                // every weight is zero (or the estimate underflowed): P̂ = 0 exactly
                return f64::NEG_INFINITY;
            }
            // 3. systematic resampling: particle p copies the particle j whose interval
            // [W_{j−1}, W_j) of cumulative weight holds (u + p)·Σw/N, p = 0 … N − 1
            // (rows 0 … k); a zero weight has an empty interval, so it is never copied
            let u: f64 = rng.random();
            let step = total / np as f64;
            let (mut src, mut cum) = (0usize, (self.ln_w[0] - top).exp());
            // the last particle with a positive weight so far: rounding can put the last
            // targets just above the total, and then a zero-weight particle must not be
            // the one copied
            let mut last_pos = (0..np)
                .find(|&j| self.ln_w[j] > f64::NEG_INFINITY)
                .unwrap_or(0);
            for p in 0..np {
                let target = (u + p as f64) * step;
                while cum <= target && src + 1 < np {
                    src += 1;
                    let w = (self.ln_w[src] - top).exp();
                    cum += w;
                    if w > 0.0 {
                        last_pos = src;
                    }
                }
                let src = if self.ln_w[src] > f64::NEG_INFINITY {
                    src
                } else {
                    last_pos
                };
                let rows = (k + 1) * n;
                self.next[p * n * n..p * n * n + rows]
                    .copy_from_slice(&self.l[src * n * n..src * n * n + rows]);
                self.c_next[p] = self.c[src];
            }
            std::mem::swap(&mut self.l, &mut self.next);
            std::mem::swap(&mut self.c, &mut self.c_next);
            // 4. the pivots
            for p in 0..np {
                let d = normal_excess(self.c[p], rng);
                self.l[p * n * n + k * n + k] = d.sqrt();
            }
        }
        ln_p
    }
}

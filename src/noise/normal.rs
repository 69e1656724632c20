//! Standard normals in bulk: a 1024-layer ziggurat with a vectorised fast path.
//!
//! # The method
//!
//! The ziggurat of Marsaglia and Tsang (2000) covers the half density
//! `f(x) = exp(−x²/2)` with `N = 1024` horizontal layers of equal area `V`: layer `i`
//! is the rectangle `[0, x_i] × [f(x_i), f(x_(i+1))]`, and the base layer also holds
//! the tail beyond `R = x_1 ≈ 4.0388`. One random `u64` `b` gives
//!
//! - the layer `i` (bits 0–9),
//! - the sign (bit 10),
//! - a uniform `u = m·2⁻⁵²` in `[0, 1)` from the mantissa `m` (bits 12–63),
//!
//! and the candidate `x = u·x_i`. When `m < K_i = ⌊2⁵²·x_(i+1)/x_i⌋` the point lies
//! under the density for sure and `±x` is returned: that is the **fast path**, taken with
//! probability 0.99572. Otherwise the **slow path** finishes the same draw exactly as
//! the textbook algorithm does: in the base layer it samples the tail beyond `R`
//! (Marsaglia 1964: `x = −ln U₁/R`, `y = −ln U₂`, accept when `2y ≥ x²`); elsewhere it
//! accepts `x` when a uniform height in the layer falls under `f(x)`; and on rejection
//! it starts again with a fresh word. The output is exactly standard normal up to the
//! rounding of `f64` (the tables are computed to 60 digits by
//! `scripts/ziggurat_tables.py` and rounded once, and the slow path's `exp` and `ln` are
//! the pure-Rust [`libm`] crate's, not the platform's, so a seed gives the same normals
//! on every machine and operating system).
//!
//! # In bulk
//!
//! [`fill_standard_normals`] fills a buffer of `n` normals:
//!
//! 1. all `n` words are drawn at once ([`Rng::fill_bytes`]; for a
//!    [`PathRng`](super::PathRng) that steps eight generators in vector registers);
//! 2. in chunks of 64, each word's layer entry `(x_i, K_i)` is read from one 16-byte
//!    table row (plain loads: safe Rust has no vector gather, and on CPUs with the
//!    gather-data-sampling mitigation gathers are slow anyway), and the fast path runs
//!    on the chunk with the widest vector instructions the CPU has (AVX-512 or AVX2,
//!    chosen at run time through [`pulp`]; no `target-cpu` flag is needed), marking the
//!    ≈ 0.4 % that fail;
//! 3. the slow path finishes those in index order, drawing any further words it needs
//!    from the same generator after the `n` words of step 1.
//!
//! So a fill of `n` normals consumes `n` words and then the slow path's words (about
//! `0.006·n` of them). Every step is integer arithmetic or a correctly rounded `f64` subtraction or
//! multiplication, so the vector and the portable kernel give the same bits;
//! [`fill_standard_normals_with`] forces either, and a test compares them. The value of
//! a normal depends on the lengths of the fills that drew it: the run engine always
//! fills the same lengths for a path, whatever the thread count or the number of paths.
//!
//! [`standard_normal`] draws one normal with the same algorithm (the slow path started
//! from a fresh word); [`ZigguratNormal`] is it as a [`Distribution`].

use super::seeding::detected_arch;
use super::simd::{SIGN_BIT, fast, fast_path, fast_path_lookup};
use super::ziggurat_tables::{F, K, R, X};
use pulp::Arch;
use rand::Rng;
use rand_distr::Distribution;

/// Layers of the ziggurat.
pub const LAYERS: usize = 1024;
/// Normals converted per chunk (see the module docs).
pub const CHUNK: usize = 64;

const LAYER_MASK: u64 = (LAYERS - 1) as u64;

/// Table rows `(x_i bits, K_i)`, one 16-byte load per draw.
static ROWS: [[u64; 2]; LAYERS] = {
    let mut t = [[0u64; 2]; LAYERS];
    let mut i = 0;
    while i < LAYERS {
        t[i] = [X[i].to_bits(), K[i]];
        i += 1;
    }
    t
};

/// Which kernel runs the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Kernel {
    /// The widest vector instructions this CPU has (detected once per process).
    #[default]
    Detect,
    /// Portable code without vector extensions beyond the build's baseline, and words
    /// drawn one at a time with [`Rng::next_u64`].
    Portable,
}

impl Kernel {
    /// The instruction set [`Kernel::Detect`] picks on this CPU: `"avx512"`, `"avx2"`
    /// or `"portable"`.
    pub fn detected() -> &'static str {
        match detected_arch() {
            #[cfg(target_arch = "x86_64")]
            Arch::V4(_) => "avx512",
            #[cfg(target_arch = "x86_64")]
            Arch::V3(_) => "avx2",
            #[allow(unreachable_patterns)]
            _ => "portable",
        }
    }
}

/// Uniform in `(0, 1]` from the top 53 bits of a word.
#[inline]
fn open_closed<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 11) + 1) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Safety margin of [`wedge_by_bounds`], relative to the layer's top `F[i+1]`.
const WEDGE_MARGIN: f64 = 1.0 / (1u64 << 40) as f64;

/// The wedge test `y < exp(−x²/2)` of layer `i ≥ 1`, decided without `exp` when
/// bounds of the density settle it: the same answer as `y < libm::exp(-0.5 * x * x)`,
/// or `None`. `x` is a candidate the fast path rejected, in the layer's wedge
/// `[x_(i+1), x_i]` up to a relative `2⁻⁵¹` below `x_(i+1)` (`K_i` is a floor).
///
/// `f(x) = exp(−x²/2)` is concave on `[0, 1]` and convex on `[1, ∞)`. On a concave layer
/// (`x_i < 1`) the chord through `(x_(i+1), f(x_(i+1)))` and `(x_i, f(x_i))` lies below
/// `f` and both end tangents above it (`f′ = −x·f`); on a convex layer (`x_(i+1) > 1`)
/// the reverse. On concave layers the Taylor bounds
/// `1 − z + z²/2 − z³/6 ≤ e^(−z) ≤ 1 − z + z²/2` (`z = x²/2 ≥ 0`) tighten them where `x`
/// is small (in the top layers `f` is nearly a parabola and the chord far below it). So `y` below the lower bound is under the density
/// and `y` above the upper bound is not; the layer that holds the inflection point
/// (`i = 819`) always takes `exp`.
///
/// Why the answer is `exp`'s, bit for bit: the tables' `f(x_i)` are correctly rounded
/// values of `f` at the stored `x_i`, so within `2⁻⁵³` of them, relatively (within about
/// `2·10⁻¹⁵` of `f` at the exact edges, which does not matter here: the bounds are of
/// `f` between the stored edges); the bounds take a few flops on values of order
/// `f(x_(i+1))` (absolute error a few units of `2⁻⁵³·f(x_(i+1))`; for a candidate a
/// relative `2⁻⁵¹` outside the wedge a chord is off `f` by far less); and the computed
/// `exp` is within `(x²/2 + 2)·2⁻⁵³ ≤ 1.2·10⁻¹⁵` of `f`, relatively (the rounding of
/// `x²` and libm's error below one ulp). All are far below the margin
/// `2⁻⁴⁰·f(x_(i+1))` by which `y` must clear a bound (for the chord and the tangents, a
/// check of 20 000 candidates per layer found at most about 11 units of
/// `2⁻⁵³·f(x_(i+1))`, against the margin's 8192). `exp` is left for
/// the thin bands between the bounds and for layer 819: 0.3 % of the sampler's wedge
/// draws (`wedge_bounds_decide_as_exp_does`).
#[inline]
fn wedge_by_bounds(i: usize, x: f64, y: f64) -> Option<bool> {
    let (x0, x1, f0, f1) = (X[i + 1], X[i], F[i + 1], F[i]);
    let chord = f1 + (f0 - f1) * ((x1 - x) / (x1 - x0));
    let at_x1 = f1 * (1.0 + x1 * (x1 - x));
    let at_x0 = f0 * (1.0 - x0 * (x - x0));
    let (lo, hi) = if x0 > 1.0 {
        (at_x1.max(at_x0), chord)
    } else if x1 < 1.0 {
        let z = 0.5 * (x * x);
        let upper = 1.0 - z * (1.0 - 0.5 * z);
        let lower = upper - z * z * z * (1.0 / 6.0);
        (chord.max(lower), at_x1.min(at_x0).min(upper))
    } else {
        return None;
    };
    let m = WEDGE_MARGIN * f0;
    if y < lo - m {
        Some(true)
    } else if y >= hi + m {
        Some(false)
    } else {
        None
    }
}

/// The slow path: finishes the draw that started with word `b` (see the module docs).
#[cold]
fn finish<R: Rng + ?Sized>(mut b: u64, rng: &mut R) -> f64 {
    loop {
        let i = (b & LAYER_MASK) as usize;
        let (x, accepted) = fast(b, ROWS[i]);
        if accepted {
            return x;
        }
        let negative = b & SIGN_BIT != 0;
        if i == 0 {
            // The tail beyond R.
            loop {
                let t = -libm::log(open_closed(rng)) / R;
                let y = -libm::log(open_closed(rng));
                if 2.0 * y >= t * t {
                    return if negative { -(R + t) } else { R + t };
                }
            }
        }
        let v = (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
        let y = F[i] + (F[i + 1] - F[i]) * v;
        if wedge_by_bounds(i, x.abs(), y).unwrap_or_else(|| y < libm::exp(-0.5 * x * x)) {
            return x;
        }
        b = rng.next_u64();
    }
}

/// One standard normal by the same ziggurat (its slow path from a fresh word).
///
/// ```
/// let z = saddle_sde::noise::standard_normal(&mut saddle_sde::noise::path_rng(1, 0));
/// assert!(z.is_finite());
/// ```
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let b = rng.next_u64();
    let (x, accepted) = fast(b, ROWS[(b & LAYER_MASK) as usize]);
    if accepted { x } else { finish(b, rng) }
}

/// The standard normal law sampled by this module's ziggurat ([`standard_normal`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZigguratNormal;

impl Distribution<f64> for ZigguratNormal {
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        standard_normal(rng)
    }
}

/// Fills `out` with independent standard normals, in bulk (see the module docs).
///
/// ```
/// use saddle_sde::noise::{fill_standard_normals, path_rng};
/// let mut z = [0.0; 1000];
/// fill_standard_normals(&mut path_rng(3, 0), &mut z);
/// let mean = z.iter().sum::<f64>() / 1000.0;
/// assert!(mean.abs() < 0.2); // 6.3 standard errors
/// ```
#[inline]
pub fn fill_standard_normals<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    fill_standard_normals_with(Kernel::Detect, rng, out);
}

/// [`fill_standard_normals`] with a chosen kernel. Both kernels give the same values
/// when `rng`'s [`fill_bytes`](Rng::fill_bytes) yields the little-endian bytes of the
/// words [`next_u64`](Rng::next_u64) would (true of [`PathRng`](super::PathRng) and of
/// rand's generators; the `Rng` trait does not require it).
pub fn fill_standard_normals_with<R: Rng + ?Sized>(kernel: Kernel, rng: &mut R, out: &mut [f64]) {
    // 1. All the words first, in `out` as f64 bit patterns (drawing them long before they
    //    are read back keeps the loads below from waiting on the vector stores).
    let arch = match kernel {
        Kernel::Detect => {
            let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut *out);
            rng.fill_bytes(bytes);
            for o in out.iter_mut() {
                *o = f64::from_bits(u64::from_le(o.to_bits()));
            }
            detected_arch()
        }
        Kernel::Portable => {
            for o in out.iter_mut() {
                *o = f64::from_bits(rng.next_u64());
            }
            Arch::Scalar
        }
    };
    // 2. The fast path chunk by chunk, and 3. the slow path for its rejections, in index
    //    order (its words come after all of step 1's).
    let mut flags = [0u8; CHUNK / 8];
    for chunk in out.chunks_mut(CHUNK) {
        let n = chunk.len();
        let groups = n.div_ceil(8);
        let any = match fast_path_lookup(arch, chunk, &ROWS, &mut flags[..groups]) {
            Some(any) => any,
            None => {
                let mut rows = [[0u64; 2]; CHUNK];
                for (r, o) in rows.iter_mut().zip(chunk.iter()) {
                    *r = ROWS[(o.to_bits() & LAYER_MASK) as usize];
                }
                fast_path(arch, chunk, &rows[..n], &mut flags[..groups])
            }
        };
        if any {
            for (g, &f) in flags[..groups].iter().enumerate() {
                let mut f = f;
                while f != 0 {
                    let k = 8 * g + f.trailing_zeros() as usize;
                    f &= f - 1;
                    chunk[k] = finish(chunk[k].to_bits(), rng);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::path_rng;

    /// The generated tables are consistent: equal layer areas, f(x_i) and the
    /// thresholds (to the rounding of f64).
    #[test]
    fn tables_are_consistent() {
        let f = |x: f64| (-0.5 * x * x).exp();
        // V from the base layer, and against the tail integral (statrs' erfc is good to
        // about 1e-10 relative).
        let v = X[0] * f(R);
        let tail =
            (std::f64::consts::PI / 2.0).sqrt() * statrs::function::erf::erfc(R / 2f64.sqrt());
        assert!((v - (R * f(R) + tail)).abs() < 1e-9 * v);
        for i in 1..LAYERS {
            // Layer i has area x_i (f(x_(i+1)) − f(x_i)) = V, to the rounding of the F's.
            let area = X[i] * (F[i + 1] - F[i]);
            assert!(
                (area - v).abs() <= 8.0 * f64::EPSILON * X[i] * F[i + 1],
                "layer {i}: {area} vs {v}"
            );
            // f(x_i) from the rounded x_i: relative error up to x_i² ε plus exp's own.
            assert!((F[i] - f(X[i])).abs() <= (X[i] * X[i] + 2.0) * f64::EPSILON * F[i]);
        }
        for i in 0..LAYERS {
            let k = (X[i + 1] / X[i] * 2f64.powi(52)).floor();
            assert!((K[i] as f64 - k).abs() <= 2.0, "K[{i}]");
        }
        assert_eq!(X[LAYERS], 0.0);
        assert_eq!(F[LAYERS], 1.0);
    }

    /// The wedge's bounds decide as `exp` does, on every layer: for candidates spread
    /// over the wedge (its ends included), the sampler's extreme candidates (the least
    /// rejected mantissas `K_i…K_i + 3`, a relative `2⁻⁵¹` below the wedge at most, and
    /// the largest) and candidates drawn as the sampler draws them; with heights drawn
    /// uniformly in the layer, at `exp`'s value and its neighbouring floats, and just
    /// beyond each bound's margin. Every case is checked (a deterministic check, not a
    /// statistic). It also checks that the bounds spare `exp` on nearly all of the
    /// sampler's wedge draws (each layer weighted by its rejection probability
    /// `1 − K_i/2⁵²`), and it fails with a margin of zero (at layer ends the tables'
    /// `f(x_i)` and libm's `exp` differ by an ulp).
    #[test]
    fn wedge_bounds_decide_as_exp_does() {
        let mut rng = path_rng(11, 0);
        // the fast path's own candidate for layer i and mantissa m (sign bit clear)
        let candidate = |i: usize, m: u64| fast((m << 12) | i as u64, ROWS[i]).0;
        let (mut weighted, mut weights) = (0.0, 0.0);
        for i in 1..LAYERS {
            let (x0, x1, f0, f1) = (X[i + 1], X[i], F[i + 1], F[i]);
            let mut xs: Vec<f64> = (0..=64)
                .map(|k| x0 + (x1 - x0) * f64::from(k) / 64.0)
                .collect();
            xs.extend([x0.next_up(), x1.next_down(), x1]);
            xs.extend((0..4).map(|d| candidate(i, K[i] + d)));
            xs.push(candidate(i, (1 << 52) - 1));
            let sampled = xs.len();
            let span = (1u64 << 52) - K[i];
            xs.extend((0..64).map(|_| candidate(i, K[i] + rng.next_u64() % span)));
            let mut undecided = 0u32;
            for (n, &x) in xs.iter().enumerate() {
                let e = libm::exp(-0.5 * x * x);
                let mut ys = vec![e, e.next_up(), e.next_down(), e.next_up().next_up()];
                for _ in 0..40 {
                    let v = (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0);
                    ys.push(f1 + (f0 - f1) * v);
                }
                let m = WEDGE_MARGIN * f0;
                for d in [f0 - f1, m, 0.0] {
                    ys.extend([e - d, e + d, (e - d).next_down(), (e + d).next_up()]);
                }
                for (k, &y) in ys.iter().enumerate() {
                    let got = wedge_by_bounds(i, x, y);
                    if let Some(d) = got {
                        assert_eq!(d, y < e, "layer {i}, x {x:e}, y {y:e}");
                    }
                    if n >= sampled && (4..44).contains(&k) {
                        undecided += u32::from(got.is_none());
                    }
                }
            }
            let w = span as f64 / (1u64 << 52) as f64;
            weighted += w * f64::from(undecided) / (64.0 * 40.0);
            weights += w;
        }
        // Measured: 0.30 % (layer 819, which holds the inflection point, always takes exp).
        let share = weighted / weights;
        assert!(share < 0.01, "exp still needed on {share} of wedge draws");
    }

    /// The vector and the portable kernels give the same bits, for every length.
    #[test]
    fn kernels_agree() {
        for len in [1usize, 7, 8, 63, 64, 65, 200, 4096] {
            for seed in 0..20 {
                let mut a = vec![0.0; len];
                let mut b = vec![0.0; len];
                let mut ra = path_rng(seed, len as u64);
                let mut rb = path_rng(seed, len as u64);
                fill_standard_normals_with(Kernel::Detect, &mut ra, &mut a);
                fill_standard_normals_with(Kernel::Portable, &mut rb, &mut b);
                assert_eq!(
                    a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    b.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "len {len} seed {seed}"
                );
                assert_eq!(ra, rb);
            }
        }
    }
}

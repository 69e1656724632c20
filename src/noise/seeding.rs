//! Per-path deterministic seeding, and the generator every path uses.
//!
//! Path `i` of seed `s` gets its own [`PathRng`]: eight xoshiro256++ generators
//! (Blackman and Vigna 2021) whose 8 × 256 bits of state are the SplitMix64 outputs of
//! the counters `k + (32 i + j)·golden`, `j = 1…32`, with `k` the seed mixed once. Each
//! path owns its 32 counters (disjoint for `i < 2⁵⁹`), so no two paths of a run share a
//! lane. It depends only on `(s, i)`: the same whatever the thread count, the number of
//! paths or the order in which paths run.
//!
//! # One stream, eight lanes
//!
//! A `PathRng` is **one** stream of `u64`s: the eight generators' outputs interleaved,
//! `g₀(0), g₁(0), …, g₇(0), g₀(1), g₁(1), …`. [`next_u64`](rand::Rng::next_u64) takes the
//! next word of that stream; [`fill_bytes`](rand::Rng::fill_bytes) takes the next words
//! eight at a time, stepping all eight generators at once with the widest vector
//! instructions the CPU has (AVX-512 or AVX2, detected at run time through
//! [`pulp`]). Both give the same words in the same order, so how a stream is consumed
//! (word by word or in bulk, on any CPU) never changes a value; a test checks it.
//!
//! Each lane is a full xoshiro256++ (period `2²⁵⁶ − 1`, passes BigCrush); the lanes
//! start from independent SplitMix64 outputs, as the xoshiro authors recommend for
//! seeding.

use pulp::Arch;
use rand::TryRng;
use std::convert::Infallible;
use std::sync::OnceLock;

/// Number of xoshiro256++ generators interleaved in a [`PathRng`].
pub const LANES: usize = 8;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of stream `stream` of run `seed` (for example one level of a multilevel
/// estimator): two rounds of splitmix64, so nearby seeds and streams give unrelated
/// seeds, and `path_rng(sub_seed(seed, s), i)` is a fixed generator for each `(s, i)`.
pub(crate) fn sub_seed(seed: u64, stream: u64) -> u64 {
    let mut st = stream;
    let mut z = seed ^ splitmix64(&mut st);
    splitmix64(&mut z)
}

/// The instruction set chosen once per process for the vector kernels.
pub(crate) fn detected_arch() -> Arch {
    static ARCH: OnceLock<Arch> = OnceLock::new();
    *ARCH.get_or_init(Arch::new)
}

/// Runs `f` compiled for the instruction set chosen once per process (AVX-512, AVX2
/// or the build's baseline), through pulp's run-time dispatch. `f` should be
/// `#[inline(always)]` so that its body is compiled inside the dispatched function.
#[inline(always)]
pub(crate) fn vectorized<T>(f: impl FnOnce() -> T) -> T {
    detected_arch().dispatch(f)
}

/// A value aligned to a cache line (64 bytes, one 512-bit vector): the lanes' arrays of
/// the lock-step loops, so that their vector loads and stores never straddle two lines.
/// With the 8-byte alignment of an `f64` array, where they fell against the lines moved
/// with the depth of the call, and the same exit run took up to 17 % longer at some
/// depths than at others (`docs/performance.md`, "Two threads").
#[repr(C, align(64))]
pub(crate) struct CacheAligned<T>(pub(crate) T);

/// The generator of one path: eight interleaved xoshiro256++ lanes (see the module
/// docs). Build it with [`path_rng`]. Aligned to a cache line, so that each state word's
/// eight lanes are one aligned 512-bit vector wherever the generator lives.
#[derive(Clone, Debug, PartialEq, Eq)]
#[repr(C, align(64))]
pub struct PathRng {
    /// State words, structure of arrays: `s[w][l]` is word `w` of lane `l`.
    s: [[u64; LANES]; 4],
    /// The lane whose output is the next word of the stream.
    next: usize,
}

impl PathRng {
    /// The next word of one lane (the scalar path).
    #[inline(always)]
    fn step_lane(&mut self) -> u64 {
        let l = self.next;
        self.next = (l + 1) % LANES;
        super::simd::step_lane(&mut self.s, l)
    }

    /// Fills `dst` with the next words of the stream, whole rounds with the detected
    /// vector instructions (the same words as calling [`next_u64`](rand::Rng::next_u64)
    /// `dst.len()` times).
    pub fn fill_u64(&mut self, dst: &mut [u64]) {
        let arch = detected_arch();
        let mut rest = dst;
        if self.next != 0 && !rest.is_empty() {
            // The rest of the current round.
            let (from, to) = (self.next, (self.next + rest.len()).min(LANES));
            let (head, r) = rest.split_at_mut(to - from);
            super::simd::xoshiro_partial(arch, &mut self.s, from, to, head);
            self.next = to % LANES;
            rest = r;
        }
        let whole = rest.len() / LANES * LANES;
        let (bulk, tail) = rest.split_at_mut(whole);
        if !bulk.is_empty() {
            super::simd::xoshiro_rounds(arch, &mut self.s, bulk);
        }
        if !tail.is_empty() {
            // The start of the next round (here `next` is 0).
            super::simd::xoshiro_partial(arch, &mut self.s, 0, tail.len(), tail);
            self.next = tail.len();
        }
    }
}

impl TryRng for PathRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        // The upper bits: xoshiro's lowest bits are its weakest.
        Ok((self.step_lane() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.step_lane())
    }

    /// The next words of the stream as little-endian bytes; a partial last word uses
    /// its low bytes and is consumed whole.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        let whole = dst.len() / 8 * 8;
        let (words, tail) = dst.split_at_mut(whole);
        match bytemuck::try_cast_slice_mut::<u8, u64>(words) {
            Ok(w) => {
                self.fill_u64(w);
                // fill_u64 gives native-endian words; the bytes are little-endian.
                for v in w.iter_mut() {
                    *v = v.to_le();
                }
            }
            Err(_) => {
                for chunk in words.chunks_exact_mut(8) {
                    chunk.copy_from_slice(&self.step_lane().to_le_bytes());
                }
            }
        }
        if !tail.is_empty() {
            let b = self.step_lane().to_le_bytes();
            tail.copy_from_slice(&b[..tail.len()]);
        }
        Ok(())
    }
}

impl rand::SeedableRng for PathRng {
    type Seed = [u8; 32];

    /// The eight lanes' states from 32 SplitMix64 outputs started from the seed's four
    /// words mixed together (so that any seed, even all zeros, gives eight different,
    /// non-zero lanes).
    fn from_seed(seed: [u8; 32]) -> Self {
        let mut st = 0u64;
        for (k, w) in seed.chunks_exact(8).enumerate() {
            let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
            st = splitmix64(&mut st.wrapping_add(w).rotate_left(8 * k as u32 + 1));
        }
        lanes_from(st)
    }
}

/// Eight lanes from 32 successive SplitMix64 outputs started at `st`.
fn lanes_from(mut st: u64) -> PathRng {
    let mut s = [[0u64; LANES]; 4];
    for l in 0..LANES {
        for w in s.iter_mut() {
            w[l] = splitmix64(&mut st);
        }
    }
    // An all-zero lane would stay zero; four zero outputs in a row of SplitMix64 (a
    // bijection of a counter) cannot occur, but make it impossible by construction.
    for l in 0..LANES {
        if s.iter().all(|w| w[l] == 0) {
            s[0][l] = GOLDEN;
        }
    }
    PathRng { s, next: 0 }
}

/// The generator for path `index` of run `seed`.
///
/// ```
/// use rand::Rng;
/// use saddle_sde::noise::path_rng;
/// let a = path_rng(7, 3).next_u64();
/// assert_eq!(a, path_rng(7, 3).next_u64());
/// assert_ne!(a, path_rng(7, 4).next_u64());
/// ```
pub fn path_rng(seed: u64, index: u64) -> PathRng {
    let mut st = seed;
    let k = splitmix64(&mut st);
    // Path i's lanes use counters 32i + 1 … 32i + 32 past k: disjoint between paths.
    // (Offsets that overlap, as `k ⊕ golden·(i+1)` did, can make path i + 4 reuse
    // seven of path i's lanes for some seeds.)
    lanes_from(k.wrapping_add(index.wrapping_mul(32).wrapping_mul(GOLDEN)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// The lock-step loops' arrays and the generators start on a cache line wherever they
    /// live: on the stack at any depth, in a `Vec`, inside another value. (Without the
    /// alignment this fails at depth 0 already.)
    #[test]
    fn cache_aligned_values_start_on_a_cache_line() {
        fn addr<T>(v: &T) -> usize {
            std::ptr::from_ref(v).addr()
        }
        #[inline(never)]
        fn at_depth(k: usize) -> (usize, usize) {
            let pad = [k as u8; 24];
            if k > 0 {
                std::hint::black_box(&pad);
                return at_depth(k - 1);
            }
            let a = CacheAligned([0.0f64; 32]);
            let r = path_rng(1, 2);
            (addr(&a.0) % 64, addr(&r.s) % 64)
        }
        for k in 0..8 {
            assert_eq!(at_depth(k), (0, 0), "stack depth {k}");
        }
        let rngs: Vec<PathRng> = (0..5).map(|i| path_rng(3, i)).collect();
        assert!(rngs.iter().all(|r| addr(&r.s) % 64 == 0));
        let nested = (1u8, CacheAligned([[0.0f64; 2]; 64]));
        assert_eq!(addr(&nested.1.0) % 64, 0);
        assert_eq!(std::mem::align_of::<PathRng>(), 64);
    }

    /// Lane `l` of a `PathRng` is a plain xoshiro256++ with that lane's state.
    #[test]
    fn each_lane_is_xoshiro256plusplus() {
        use rand::SeedableRng;
        let r = path_rng(5, 9);
        let mut lanes: Vec<rand_xoshiro::Xoshiro256PlusPlus> = (0..LANES)
            .map(|l| {
                let mut seed = [0u8; 32];
                for w in 0..4 {
                    seed[8 * w..8 * w + 8].copy_from_slice(&r.s[w][l].to_le_bytes());
                }
                rand_xoshiro::Xoshiro256PlusPlus::from_seed(seed)
            })
            .collect();
        let mut r = r;
        for k in 0..1000 {
            assert_eq!(r.next_u64(), lanes[k % LANES].next_u64());
        }
    }

    /// Bulk and word-by-word consumption give the same stream, from any starting lane
    /// and for any length (the vector and scalar kernels agree bit for bit).
    #[test]
    fn bulk_and_scalar_words_agree() {
        for skip in 0..LANES {
            for len in [0usize, 1, 2, 5, 7, 8, 9, 15, 63, 64, 65, 1000] {
                let mut a = path_rng(1, 2);
                let mut b = path_rng(1, 2);
                for _ in 0..skip {
                    a.next_u64();
                    b.next_u64();
                }
                let mut bulk = vec![0u64; len];
                a.fill_u64(&mut bulk);
                let scalar: Vec<u64> = (0..len).map(|_| b.next_u64()).collect();
                assert_eq!(bulk, scalar, "skip {skip}, len {len}");
                assert_eq!(a, b);
                let mut bytes = vec![0u8; len * 8 + 3];
                a.fill_bytes(&mut bytes);
                for (k, c) in bytes.chunks(8).enumerate() {
                    let w = b.next_u64().to_le_bytes();
                    assert_eq!(c, &w[..c.len()], "bytes: skip {skip}, len {len}, word {k}");
                }
            }
        }
    }
}

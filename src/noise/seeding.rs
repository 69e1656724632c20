//! Per-path deterministic seeding.
//!
//! Path `i` of seed `s` gets its own [`Xoshiro256PlusPlus`] whose 256-bit state is
//! four successive SplitMix64 outputs started from `s ⊕ golden·(i+1)` mixed once more.
//! It depends only on `(s, i)`: the same whatever the thread count, the number of paths
//! or the order in which paths run.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator used for every path.
pub type PathRng = Xoshiro256PlusPlus;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
    let mut st = k ^ index.wrapping_add(1).wrapping_mul(GOLDEN);
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_exact_mut(8) {
        chunk.copy_from_slice(&splitmix64(&mut st).to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

//! The two vector kernels behind [`PathRng`](super::PathRng) and
//! [`fill_standard_normals`](super::fill_standard_normals), written out for AVX-512 and
//! AVX2 (through [`pulp`]'s safe wrappers of the intrinsics, chosen at run time) and
//! portably. Compilers vectorise the portable form only sometimes, so the hot loops do
//! not rely on it.
//!
//! Every kernel does the same integer operations and the same correctly rounded `f64`
//! subtraction and multiplication in the same order, so all of them give the same bits;
//! tests compare them on every length.

use super::seeding::LANES;
use pulp::Arch;

/// `2^0` as bits: `from_bits(m | ONE_BITS) − 1` is `m·2⁻⁵²` exactly for `m < 2⁵²`.
pub(crate) const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
/// Bit 10 of a word carries the sign of the normal.
pub(crate) const SIGN_BIT: u64 = 1 << 10;

/// One xoshiro256++ step of lane `l`; returns its output (the portable form, shared
/// by the scalar `PathRng::next_u64` and the portable round).
#[inline(always)]
pub(crate) fn step_lane(s: &mut [[u64; LANES]; 4], l: usize) -> u64 {
    let out = s[0][l]
        .wrapping_add(s[3][l])
        .rotate_left(23)
        .wrapping_add(s[0][l]);
    let t = s[1][l] << 17;
    s[2][l] ^= s[0][l];
    s[3][l] ^= s[1][l];
    s[1][l] ^= s[2][l];
    s[0][l] ^= s[3][l];
    s[2][l] ^= t;
    s[3][l] = s[3][l].rotate_left(45);
    out
}

/// One xoshiro256++ step of all eight lanes (portable form).
#[inline(always)]
fn round(s: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
    std::array::from_fn(|l| step_lane(s, l))
}

/// Whole rounds of the eight lanes into `words` (a multiple of [`LANES`] long).
pub(crate) fn xoshiro_rounds(arch: Arch, s: &mut [[u64; LANES]; 4], words: &mut [u64]) {
    debug_assert_eq!(words.len() % LANES, 0);
    match arch {
        #[cfg(target_arch = "x86_64")]
        Arch::V4(simd) => simd.vectorize(
            #[inline(always)]
            || x86::rounds_v4(simd, s, words),
        ),
        #[cfg(target_arch = "x86_64")]
        Arch::V3(simd) => simd.vectorize(
            #[inline(always)]
            || x86::rounds_v3(simd, s, words),
        ),
        #[allow(unreachable_patterns)]
        _ => {
            for chunk in words.chunks_exact_mut(LANES) {
                chunk.copy_from_slice(&round(s));
            }
        }
    }
}

/// One round of lanes `from..to` only, their words into `words` (`to − from` long); the
/// other lanes keep their state. The same words and states as stepping those lanes one
/// at a time ([`step_lane`]): one masked vector round with AVX-512, where a stream that
/// starts or ends between rounds (after the ziggurat's slow path drew single words) would
/// otherwise step up to seven lanes as scalar code.
pub(crate) fn xoshiro_partial(
    arch: Arch,
    s: &mut [[u64; LANES]; 4],
    from: usize,
    to: usize,
    words: &mut [u64],
) {
    assert!(from <= to && to <= LANES && words.len() == to - from);
    match arch {
        #[cfg(target_arch = "x86_64")]
        Arch::V4(simd) => simd.vectorize(
            #[inline(always)]
            || x86::partial_v4(simd, s, from, to, words),
        ),
        #[allow(unreachable_patterns)]
        _ => {
            for (w, l) in words.iter_mut().zip(from..to) {
                *w = step_lane(s, l);
            }
        }
    }
}

/// The ziggurat's fast path for one word `b` and its layer row `(x_i bits, K_i)`: the
/// signed candidate and whether it is accepted (portable form).
#[inline(always)]
pub(crate) fn fast(b: u64, row: [u64; 2]) -> (f64, bool) {
    let m = b >> 12;
    let u = f64::from_bits(m | ONE_BITS) - 1.0;
    let x = u * f64::from_bits(row[0]);
    let signed = f64::from_bits(x.to_bits() ^ ((b & SIGN_BIT) << (63 - 10)));
    (signed, m < row[1])
}

/// The fast path over `out` (words as `f64` bit patterns on entry; accepted normals on
/// exit, rejected entries keep their word), with bit `l` of `flags[g]` set when entry
/// `8g + l` is rejected. Returns whether any was. `rows.len() == out.len()` and
/// `flags.len() == out.len().div_ceil(8)`.
pub(crate) fn fast_path(arch: Arch, out: &mut [f64], rows: &[[u64; 2]], flags: &mut [u8]) -> bool {
    debug_assert_eq!(rows.len(), out.len());
    debug_assert_eq!(flags.len(), out.len().div_ceil(8));
    let whole = out.len() / 8 * 8;
    let (out, out_tail) = out.split_at_mut(whole);
    let (rows, rows_tail) = rows.split_at(whole);
    let (flags, flags_tail) = flags.split_at_mut(whole / 8);
    let mut any = match arch {
        #[cfg(target_arch = "x86_64")]
        Arch::V4(simd) => simd.vectorize(
            #[inline(always)]
            || x86::fast_v4(simd, out, rows, flags),
        ),
        #[cfg(target_arch = "x86_64")]
        Arch::V3(simd) => simd.vectorize(
            #[inline(always)]
            || x86::fast_v3(simd, out, rows, flags),
        ),
        #[allow(unreachable_patterns)]
        _ => fast_portable(out, rows, flags),
    };
    if let Some(f) = flags_tail.first_mut() {
        let mut fl = 0u8;
        for (l, (o, r)) in out_tail.iter_mut().zip(rows_tail).enumerate() {
            let (x, accepted) = fast(o.to_bits(), *r);
            if accepted {
                *o = x;
            }
            fl |= u8::from(!accepted) << l;
        }
        *f = fl;
        any |= fl != 0;
    }
    any
}

/// [`fast_path`] with the table look-up inside the vector kernel: each word's row
/// `(x_i bits, K_i)` is read from `table` at the word's low ten bits straight into a
/// vector register, with no row buffer in between (a buffer written in 16-byte stores
/// and read back in 64-byte loads stalls on the store forwarding). Returns `None` when
/// the CPU has no AVX-512 kernel for it; the caller then fills rows for
/// [`fast_path`]. Same results, bit for bit.
pub(crate) fn fast_path_lookup(
    arch: Arch,
    out: &mut [f64],
    table: &[[u64; 2]; 1024],
    flags: &mut [u8],
) -> Option<bool> {
    debug_assert_eq!(flags.len(), out.len().div_ceil(8));
    match arch {
        #[cfg(target_arch = "x86_64")]
        Arch::V4(simd) => {
            let whole = out.len() / 8 * 8;
            let (out, out_tail) = out.split_at_mut(whole);
            let (flags, flags_tail) = flags.split_at_mut(whole / 8);
            let mut any = simd.vectorize(
                #[inline(always)]
                || x86::fast_lookup_v4(simd, out, table, flags),
            );
            if let Some(f) = flags_tail.first_mut() {
                let mut fl = 0u8;
                for (l, o) in out_tail.iter_mut().enumerate() {
                    let b = o.to_bits();
                    let (x, accepted) = fast(b, table[(b & 1023) as usize]);
                    if accepted {
                        *o = x;
                    }
                    fl |= u8::from(!accepted) << l;
                }
                *f = fl;
                any |= fl != 0;
            }
            Some(any)
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// Transposes eight rows into columns of `out`: with `n = M·B` values per row
/// (`n` a multiple of 8), `out[i·L + 8g + a] = z[a][i]` (flattened) for `a < 8` and
/// `i < n`, where `out` is flattened too. In tiles of 8 × 8 held in vector registers:
/// a compiler left to itself turns the strided stores into scatters, or the loads into
/// gathers, slow on AMD's CPUs. A copy: every kernel gives the same values.
pub(crate) fn transpose_rows8<const M: usize, const B: usize, const L: usize>(
    arch: Arch,
    z: &[[[f64; M]; B]; 8],
    out: &mut [[[f64; M]; B]; L],
    g: usize,
) {
    const { assert!((M * B).is_multiple_of(8)) };
    assert!(8 * g + 8 <= L, "lane group {g} past {L} lanes");
    let z = z.as_flattened().as_flattened();
    let out = &mut out.as_flattened_mut().as_flattened_mut()[8 * g..];
    let n = M * B;
    match arch {
        #[cfg(target_arch = "x86_64")]
        Arch::V4(simd) => simd.vectorize(
            #[inline(always)]
            || x86::transpose_v4(simd, z, n, out, L),
        ),
        #[cfg(target_arch = "x86_64")]
        Arch::V3(simd) => simd.vectorize(
            #[inline(always)]
            || x86::transpose_v3(simd, z, n, out, L),
        ),
        #[allow(unreachable_patterns)]
        _ => {
            for i in 0..n {
                for a in 0..8 {
                    out[i * L + a] = z[a * n + i];
                }
            }
        }
    }
}

fn fast_portable(out: &mut [f64], rows: &[[u64; 2]], flags: &mut [u8]) -> bool {
    let mut any = 0u8;
    for ((oc, rc), f) in out
        .chunks_exact_mut(8)
        .zip(rows.chunks_exact(8))
        .zip(flags.iter_mut())
    {
        let mut fl = 0u8;
        for l in 0..8 {
            let (x, accepted) = fast(oc[l].to_bits(), rc[l]);
            if accepted {
                oc[l] = x;
            }
            fl |= u8::from(!accepted) << l;
        }
        *f = fl;
        any |= fl;
    }
    any != 0
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{LANES, ONE_BITS, SIGN_BIT};
    use core::arch::x86_64::{__m128i, __m256d, __m256i, __m512d, __m512i};
    use pulp::cast;
    use pulp::x86::{V3, V4};

    /// [`super::transpose_rows8`] with AVX-512. Per tile, each register is loaded as
    /// two halves of rows `a` and `a + 4` (the second half inserted from memory), which
    /// leaves two 4 × 4 transposes side by side: unpacks of register pairs, then one
    /// two-source permute per column (16 shuffles and 8 inserts for 64 values).
    #[inline(always)]
    pub(super) fn transpose_v4(simd: V4, z: &[f64], n: usize, out: &mut [f64], stride: usize) {
        let f = simd.avx512f;
        let lo: __m512i = cast([0u64, 1, 8, 9, 4, 5, 12, 13]);
        let hi: __m512i = cast([2u64, 3, 10, 11, 6, 7, 14, 15]);
        let half = |a: usize, i: usize| -> __m256d {
            let mut v = [0.0; 4];
            v.copy_from_slice(&z[a * n + i..a * n + i + 4]);
            cast(v)
        };
        for i0 in (0..n).step_by(8) {
            // r[q] for q < 4: columns i0..i0+4 of rows q and q + 4; r[q + 4]: the next four.
            // (an array literal, not `std::array::from_fn`: that generic helper, when
            // the compiler leaves it out of line, is compiled without AVX-512 and calls
            // each intrinsic as a function; measured 2.3× slower exit rows)
            let row = |q: usize| {
                let (a, i) = (q % 4, i0 + 4 * (q / 4));
                f._mm512_insertf64x4::<1>(f._mm512_castpd256_pd512(half(a, i)), half(a + 4, i))
            };
            let r: [__m512d; 8] = [
                row(0),
                row(1),
                row(2),
                row(3),
                row(4),
                row(5),
                row(6),
                row(7),
            ];
            for h in 0..2 {
                let [r0, r1, r2, r3] = [r[4 * h], r[4 * h + 1], r[4 * h + 2], r[4 * h + 3]];
                let t0 = f._mm512_unpacklo_pd(r0, r1);
                let t1 = f._mm512_unpackhi_pd(r0, r1);
                let t2 = f._mm512_unpacklo_pd(r2, r3);
                let t3 = f._mm512_unpackhi_pd(r2, r3);
                let cols = [
                    f._mm512_permutex2var_pd(t0, lo, t2),
                    f._mm512_permutex2var_pd(t1, lo, t3),
                    f._mm512_permutex2var_pd(t0, hi, t2),
                    f._mm512_permutex2var_pd(t1, hi, t3),
                ];
                for (c, v) in cols.into_iter().enumerate() {
                    let v: [f64; 8] = cast(v);
                    let o = (i0 + 4 * h + c) * stride;
                    out[o..o + 8].copy_from_slice(&v);
                }
            }
        }
    }

    /// [`super::transpose_rows8`] with AVX2: each tile as four 4 × 4 blocks.
    #[inline(always)]
    pub(super) fn transpose_v3(simd: V3, z: &[f64], n: usize, out: &mut [f64], stride: usize) {
        let f = simd.avx;
        for i0 in (0..n).step_by(4) {
            for a0 in [0, 4] {
                // (an array literal, not `std::array::from_fn`: see transpose_v4)
                let row = |a: usize| -> __m256d {
                    let mut v = [0.0; 4];
                    v.copy_from_slice(&z[(a0 + a) * n + i0..(a0 + a) * n + i0 + 4]);
                    cast(v)
                };
                let r: [__m256d; 4] = [row(0), row(1), row(2), row(3)];
                let t0 = f._mm256_unpacklo_pd(r[0], r[1]);
                let t1 = f._mm256_unpackhi_pd(r[0], r[1]);
                let t2 = f._mm256_unpacklo_pd(r[2], r[3]);
                let t3 = f._mm256_unpackhi_pd(r[2], r[3]);
                let cols = [
                    f._mm256_permute2f128_pd::<0x20>(t0, t2),
                    f._mm256_permute2f128_pd::<0x20>(t1, t3),
                    f._mm256_permute2f128_pd::<0x31>(t0, t2),
                    f._mm256_permute2f128_pd::<0x31>(t1, t3),
                ];
                for (c, v) in cols.into_iter().enumerate() {
                    let v: [f64; 4] = cast(v);
                    let o = (i0 + c) * stride + a0;
                    out[o..o + 4].copy_from_slice(&v);
                }
            }
        }
    }

    #[inline(always)]
    pub(super) fn rounds_v4(simd: V4, s: &mut [[u64; LANES]; 4], words: &mut [u64]) {
        let mut s0: __m512i = cast(s[0]);
        let mut s1: __m512i = cast(s[1]);
        let mut s2: __m512i = cast(s[2]);
        let mut s3: __m512i = cast(s[3]);
        for chunk in words.chunks_exact_mut(LANES) {
            let r;
            (r, [s0, s1, s2, s3]) = round_v4(simd, [s0, s1, s2, s3]);
            let r: [u64; LANES] = cast(r);
            chunk.copy_from_slice(&r);
        }
        *s = [cast(s0), cast(s1), cast(s2), cast(s3)];
    }

    /// One xoshiro256++ round of eight lanes in registers: the output and the new state.
    #[inline(always)]
    fn round_v4(simd: V4, [s0, s1, s2, s3]: [__m512i; 4]) -> (__m512i, [__m512i; 4]) {
        let f = simd.avx512f;
        let r = f._mm512_add_epi64(f._mm512_rol_epi64::<23>(f._mm512_add_epi64(s0, s3)), s0);
        let t = f._mm512_slli_epi64::<17>(s1);
        let s2 = f._mm512_xor_si512(s2, s0);
        let s3 = f._mm512_xor_si512(s3, s1);
        let s1 = f._mm512_xor_si512(s1, s2);
        let s0 = f._mm512_xor_si512(s0, s3);
        let s2 = f._mm512_xor_si512(s2, t);
        let s3 = f._mm512_rol_epi64::<45>(s3);
        (r, [s0, s1, s2, s3])
    }

    #[inline(always)]
    pub(super) fn partial_v4(
        simd: V4,
        s: &mut [[u64; LANES]; 4],
        from: usize,
        to: usize,
        words: &mut [u64],
    ) {
        let f = simd.avx512f;
        let mask = (((1u32 << to) - 1) ^ ((1u32 << from) - 1)) as u8;
        let s0: __m512i = cast(s[0]);
        let s1: __m512i = cast(s[1]);
        let s2: __m512i = cast(s[2]);
        let s3: __m512i = cast(s[3]);
        let (r, [n0, n1, n2, n3]) = round_v4(simd, [s0, s1, s2, s3]);
        s[0] = cast(f._mm512_mask_blend_epi64(mask, s0, n0));
        s[1] = cast(f._mm512_mask_blend_epi64(mask, s1, n1));
        s[2] = cast(f._mm512_mask_blend_epi64(mask, s2, n2));
        s[3] = cast(f._mm512_mask_blend_epi64(mask, s3, n3));
        let r: [u64; LANES] = cast(r);
        // (lane by lane: `copy_from_slice` of a variable length calls `memmove`)
        for (l, &v) in r.iter().enumerate() {
            if (from..to).contains(&l) {
                words[l - from] = v;
            }
        }
    }

    #[inline(always)]
    pub(super) fn rounds_v3(simd: V3, s: &mut [[u64; LANES]; 4], words: &mut [u64]) {
        let f = simd.avx2;
        macro_rules! rotl {
            ($x:expr, $k:literal) => {
                f._mm256_or_si256(
                    f._mm256_slli_epi64::<$k>($x),
                    f._mm256_srli_epi64::<{ 64 - $k }>($x),
                )
            };
        }
        let halves = |w: [u64; LANES]| -> [__m256i; 2] {
            let [a, b]: [[u64; 4]; 2] = cast(w);
            [cast(a), cast(b)]
        };
        let mut st = [halves(s[0]), halves(s[1]), halves(s[2]), halves(s[3])];
        for chunk in words.chunks_exact_mut(LANES) {
            let mut out = [[0u64; 4]; 2];
            for h in 0..2 {
                let [s0, s1, s2, s3] = [st[0][h], st[1][h], st[2][h], st[3][h]];
                let r = f._mm256_add_epi64(rotl!(f._mm256_add_epi64(s0, s3), 23), s0);
                let t = f._mm256_slli_epi64::<17>(s1);
                let s2 = f._mm256_xor_si256(s2, s0);
                let s3 = f._mm256_xor_si256(s3, s1);
                let s1 = f._mm256_xor_si256(s1, s2);
                let s0 = f._mm256_xor_si256(s0, s3);
                let s2 = f._mm256_xor_si256(s2, t);
                let s3 = rotl!(s3, 45);
                st[0][h] = s0;
                st[1][h] = s1;
                st[2][h] = s2;
                st[3][h] = s3;
                out[h] = cast(r);
            }
            let out: [u64; LANES] = cast(out);
            chunk.copy_from_slice(&out);
        }
        for (w, v) in s.iter_mut().zip(st) {
            let parts: [[u64; 4]; 2] = [cast(v[0]), cast(v[1])];
            *w = cast(parts);
        }
    }

    /// The fast path on eight words `oc` (as `f64` bit patterns) with their rows in
    /// `ra` (rows 0–3) and `rb` (rows 4–7): accepted entries become normals, rejected
    /// ones keep their word; returns the rejected mask.
    #[inline(always)]
    fn fast8_v4(simd: V4, oc: &mut [f64; 8], ra: __m512i, rb: __m512i) -> u8 {
        let f = simd.avx512f;
        // Even and odd elements of the two row vectors: the x_i and the K_i.
        let even: __m512i = cast([0u64, 2, 4, 6, 8, 10, 12, 14]);
        let odd: __m512i = cast([1u64, 3, 5, 7, 9, 11, 13, 15]);
        let xi = f._mm512_castsi512_pd(f._mm512_permutex2var_epi64(ra, even, rb));
        let ki = f._mm512_permutex2var_epi64(ra, odd, rb);
        let b: __m512i = cast(*oc);
        let m = f._mm512_srli_epi64::<12>(b);
        let one_bits = f._mm512_set1_epi64(ONE_BITS as i64);
        let u = f._mm512_sub_pd(
            f._mm512_castsi512_pd(f._mm512_or_si512(m, one_bits)),
            f._mm512_set1_pd(1.0),
        );
        let x = f._mm512_castpd_si512(f._mm512_mul_pd(u, xi));
        let sign = f._mm512_set1_epi64(SIGN_BIT as i64);
        let s = f._mm512_slli_epi64::<{ 63 - 10 }>(f._mm512_and_si512(b, sign));
        let signed = f._mm512_xor_si512(x, s);
        let accepted = f._mm512_cmplt_epu64_mask(m, ki);
        *oc = cast::<__m512i, [f64; 8]>(f._mm512_mask_blend_epi64(accepted, b, signed));
        !accepted
    }

    #[inline(always)]
    pub(super) fn fast_v4(simd: V4, out: &mut [f64], rows: &[[u64; 2]], flags: &mut [u8]) -> bool {
        let mut any = 0u8;
        for ((oc, rc), fl) in out
            .chunks_exact_mut(8)
            .zip(rows.chunks_exact(8))
            .zip(flags.iter_mut())
        {
            let oc: &mut [f64; 8] = oc.try_into().expect("chunks of 8");
            let rc: &[[u64; 2]; 8] = rc.try_into().expect("chunks of 8");
            let [ra, rb]: [[u64; 8]; 2] = cast(*rc);
            let rejected = fast8_v4(simd, oc, cast(ra), cast(rb));
            *fl = rejected;
            any |= rejected;
        }
        any != 0
    }

    #[inline(always)]
    pub(super) fn fast_lookup_v4(
        simd: V4,
        out: &mut [f64],
        table: &[[u64; 2]; 1024],
        flags: &mut [u8],
    ) -> bool {
        let f = simd.avx512f;
        let mut any = 0u8;
        for (oc, fl) in out.chunks_exact_mut(8).zip(flags.iter_mut()) {
            let oc: &mut [f64; 8] = oc.try_into().expect("chunks of 8");
            let w: [u64; 8] = cast(*oc);
            // Each row is one 16-byte load into a lane quarter of a vector register.
            let row = |l: usize| -> __m128i { cast(table[(w[l] & 1023) as usize]) };
            let ra = f._mm512_castsi128_si512(row(0));
            let ra = f._mm512_inserti32x4::<1>(ra, row(1));
            let ra = f._mm512_inserti32x4::<2>(ra, row(2));
            let ra = f._mm512_inserti32x4::<3>(ra, row(3));
            let rb = f._mm512_castsi128_si512(row(4));
            let rb = f._mm512_inserti32x4::<1>(rb, row(5));
            let rb = f._mm512_inserti32x4::<2>(rb, row(6));
            let rb = f._mm512_inserti32x4::<3>(rb, row(7));
            let rejected = fast8_v4(simd, oc, ra, rb);
            *fl = rejected;
            any |= rejected;
        }
        any != 0
    }

    #[inline(always)]
    pub(super) fn fast_v3(simd: V3, out: &mut [f64], rows: &[[u64; 2]], flags: &mut [u8]) -> bool {
        let f = simd.avx2;
        let a = simd.avx;
        let one_bits = a._mm256_set1_epi64x(ONE_BITS as i64);
        let one = a._mm256_set1_pd(1.0);
        let sign = a._mm256_set1_epi64x(SIGN_BIT as i64);
        let mut any = 0u8;
        for ((oc, rc), fl) in out
            .chunks_exact_mut(8)
            .zip(rows.chunks_exact(8))
            .zip(flags.iter_mut())
        {
            let oc: &mut [f64; 8] = oc.try_into().expect("chunks of 8");
            let rc: &[[u64; 2]; 8] = rc.try_into().expect("chunks of 8");
            let [r0, r1, r2, r3]: [[u64; 4]; 4] = cast(*rc);
            let bs: [[u64; 4]; 2] = cast(*oc);
            let mut res = [[0u64; 4]; 2];
            let mut rej = 0u8;
            for h in 0..2 {
                let (p, q): (__m256i, __m256i) = if h == 0 {
                    (cast(r0), cast(r1))
                } else {
                    (cast(r2), cast(r3))
                };
                // p = [x0 k0 x1 k1], q = [x2 k2 x3 k3].
                let xi: __m256d = a._mm256_castsi256_pd(
                    f._mm256_permute4x64_epi64::<0b11_01_10_00>(f._mm256_unpacklo_epi64(p, q)),
                );
                let ki = f._mm256_permute4x64_epi64::<0b11_01_10_00>(f._mm256_unpackhi_epi64(p, q));
                let b: __m256i = cast(bs[h]);
                let m = f._mm256_srli_epi64::<12>(b);
                let u = a._mm256_sub_pd(a._mm256_castsi256_pd(f._mm256_or_si256(m, one_bits)), one);
                let x = a._mm256_castpd_si256(a._mm256_mul_pd(u, xi));
                let s = f._mm256_slli_epi64::<{ 63 - 10 }>(f._mm256_and_si256(b, sign));
                let signed = f._mm256_xor_si256(x, s);
                // m and K_i are below 2⁵², so the signed comparison is the unsigned one.
                let accepted = f._mm256_cmpgt_epi64(ki, m);
                let r = a._mm256_blendv_pd(
                    a._mm256_castsi256_pd(b),
                    a._mm256_castsi256_pd(signed),
                    a._mm256_castsi256_pd(accepted),
                );
                res[h] = cast::<__m256d, [u64; 4]>(r);
                let acc_mask = a._mm256_movemask_pd(a._mm256_castsi256_pd(accepted)) as u8;
                rej |= (!acc_mask & 0x0F) << (4 * h);
            }
            *oc = cast(res);
            *fl = rej;
            any |= rej;
        }
        any != 0
    }

    #[allow(dead_code)]
    fn _types(_: __m512d) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arches() -> Vec<(&'static str, Arch)> {
        let mut v = vec![("portable", Arch::Scalar)];
        #[cfg(target_arch = "x86_64")]
        {
            if let Some(s) = pulp::x86::V3::try_new() {
                v.push(("avx2", Arch::V3(s)));
            }
            if let Some(s) = pulp::x86::V4::try_new() {
                v.push(("avx512", Arch::V4(s)));
            }
        }
        v
    }

    /// Every transposition kernel puts value `z[a][i]` at `out[i·L + 8g + a]` and writes
    /// nothing else, for rows of one and several tiles, one to three noises, lane groups
    /// first and last, and `L` a multiple of 8 or not (each value distinct, so a
    /// misplaced one is seen). A kernel the CPU cannot run is not checked here (CI's CPUs
    /// run both).
    #[test]
    fn transposition_kernels_place_every_value() {
        fn check<const M: usize, const B: usize, const L: usize>(name: &str, arch: Arch) {
            let mut z = [[[0.0; M]; B]; 8];
            for (k, v) in z
                .as_flattened_mut()
                .as_flattened_mut()
                .iter_mut()
                .enumerate()
            {
                *v = k as f64 + 0.5;
            }
            let n = M * B;
            for g in 0..L / 8 {
                let mut out = [[[-1.0; M]; B]; L];
                transpose_rows8(arch, &z, &mut out, g);
                let flat = out.as_flattened().as_flattened();
                let zf = z.as_flattened().as_flattened();
                for i in 0..n {
                    for c in 0..L {
                        let want = if c / 8 == g {
                            zf[(c % 8) * n + i]
                        } else {
                            -1.0
                        };
                        assert_eq!(
                            flat[i * L + c],
                            want,
                            "{name}: M {M}, B {B}, L {L}, group {g}, row {i}, column {c}"
                        );
                    }
                }
            }
        }
        for (name, arch) in arches() {
            check::<1, 8, 8>(name, arch);
            check::<2, 64, 16>(name, arch);
            check::<1, 64, 32>(name, arch);
            check::<2, 64, 20>(name, arch);
            check::<3, 64, 16>(name, arch);
        }
    }

    /// Every kernel this CPU can run gives the portable kernel's bits (on a CPU without
    /// AVX2 or AVX-512 the comparison is with itself; CI's CPUs have both).
    #[test]
    fn kernels_give_identical_bits() {
        let mut words = vec![0u64; 8 * 300];
        let mut st0 = [[0u64; LANES]; 4];
        for (k, w) in st0.iter_mut().flatten().enumerate() {
            *w = 0x9E37_79B9_7F4A_7C15u64.wrapping_mul(k as u64 + 1);
        }
        let mut reference = words.clone();
        let mut st = st0;
        xoshiro_rounds(Arch::Scalar, &mut st, &mut reference);
        let ref_state = st;
        for (name, arch) in arches() {
            let mut st = st0;
            xoshiro_rounds(arch, &mut st, &mut words);
            assert_eq!(words, reference, "{name}: words");
            assert_eq!(st, ref_state, "{name}: state");
        }
        // Partial rounds: every range of lanes, from the state the rounds left.
        for from in 0..=LANES {
            for to in from..=LANES {
                let mut want_state = ref_state;
                let want: Vec<u64> = (from..to).map(|l| step_lane(&mut want_state, l)).collect();
                for (name, arch) in arches() {
                    let mut st = ref_state;
                    let mut got = vec![0u64; to - from];
                    xoshiro_partial(arch, &mut st, from, to, &mut got);
                    assert_eq!(got, want, "{name}: partial words {from}..{to}");
                    assert_eq!(st, want_state, "{name}: partial state {from}..{to}");
                }
            }
        }
        // The fast path on those words with their table rows, for lengths that leave
        // every remainder.
        // Rejected entries for sure (the largest mantissa is at or above every K_i) in
        // the 8-wide body and in the tails of lengths 7 and 2399.
        for k in [5usize, 13, 2398] {
            reference[k] |= ((1u64 << 52) - 1) << 12;
        }
        let table: [[u64; 2]; 1024] = std::array::from_fn(|i| {
            [
                super::super::ziggurat_tables::X[i].to_bits(),
                super::super::ziggurat_tables::K[i],
            ]
        });
        for len in [1usize, 7, 8, 9, 64, 2399, 2400] {
            let rows: Vec<[u64; 2]> = reference[..len]
                .iter()
                .map(|&b| {
                    let i = (b & 1023) as usize;
                    [
                        super::super::ziggurat_tables::X[i].to_bits(),
                        super::super::ziggurat_tables::K[i],
                    ]
                })
                .collect();
            let mut want: Vec<f64> = reference[..len]
                .iter()
                .map(|&b| f64::from_bits(b))
                .collect();
            let mut want_flags = vec![0u8; len.div_ceil(8)];
            let want_any = fast_path(Arch::Scalar, &mut want, &rows, &mut want_flags);
            for (name, arch) in arches() {
                let mut got: Vec<f64> = reference[..len]
                    .iter()
                    .map(|&b| f64::from_bits(b))
                    .collect();
                let mut flags = vec![0u8; len.div_ceil(8)];
                let any = fast_path(arch, &mut got, &rows, &mut flags);
                assert_eq!(any, want_any, "{name} len {len}");
                assert_eq!(flags, want_flags, "{name} len {len}");
                assert_eq!(
                    got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    "{name} len {len}"
                );
                // and with the look-up inside the kernel, where the CPU has one
                let mut got: Vec<f64> = reference[..len]
                    .iter()
                    .map(|&b| f64::from_bits(b))
                    .collect();
                let mut flags = vec![0u8; len.div_ceil(8)];
                if let Some(any) = fast_path_lookup(arch, &mut got, &table, &mut flags) {
                    assert_eq!(any, want_any, "{name} lookup len {len}");
                    assert_eq!(flags, want_flags, "{name} lookup len {len}");
                    assert_eq!(
                        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        "{name} lookup len {len}"
                    );
                }
            }
        }
    }
}

//! Random geometry drawn from normals: directions uniform on the sphere and Haar
//! orthogonal matrices. Starts and rotated Hessians of [`crate::landscape`] come from
//! here, so that every normal of the crate is drawn in [`crate::noise`].

use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Fills `out` with a direction uniform on the unit sphere `S^{d−1}` (`d = out.len()`):
/// `d` standard normals divided by their norm (the normal law is rotation invariant).
/// Redrawn in the (probability-zero) event of a zero vector; a zero-length `out` is
/// left as it is.
///
/// ```
/// use saddle_sde::noise::{path_rng, uniform_direction};
/// let mut u = [0.0; 3];
/// uniform_direction(&mut path_rng(1, 0), &mut u);
/// assert!((u.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
pub fn uniform_direction<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    if out.is_empty() {
        return;
    }
    loop {
        let mut n2 = 0.0;
        for v in out.iter_mut() {
            let z: f64 = StandardNormal.sample(rng);
            *v = z;
            n2 += z * z;
        }
        if n2 > 0.0 {
            let inv = 1.0 / n2.sqrt();
            out.iter_mut().for_each(|v| *v *= inv);
            return;
        }
    }
}

/// A `d × d` orthogonal matrix distributed by the Haar measure on `O(d)`: the `Q` of a
/// QR decomposition of a matrix of standard normals, with each column's sign fixed so
/// that `R` has a positive diagonal (Mezzadri 2007; without the sign fix `Q` is not
/// Haar distributed).
///
/// ```
/// use saddle_sde::noise::{haar_orthogonal, path_rng};
/// let q = haar_orthogonal(&mut path_rng(2, 0), 4);
/// let e = (q.transpose() * &q - nalgebra::DMatrix::<f64>::identity(4, 4)).abs().max();
/// assert!(e < 1e-12);
/// ```
pub fn haar_orthogonal<R: Rng + ?Sized>(rng: &mut R, d: usize) -> DMatrix<f64> {
    let z = DMatrix::from_fn(d, d, |_, _| -> f64 { StandardNormal.sample(rng) });
    let qr = z.qr();
    let (mut q, r) = (qr.q(), qr.r());
    for j in 0..d {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    q
}

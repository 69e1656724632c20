//! Correlation matrices of Brownian motions: validation and factorisation.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, SymmetricEigen};

/// Tolerance for symmetry, the unit diagonal and the smallest eigenvalue.
const TOL: f64 = 1e-12;

/// A validated correlation matrix `C` with a lower-triangular factor `L`, `C = L Lᵀ`.
///
/// `C` must be square, finite, symmetric, with unit diagonal and positive semidefinite
/// (smallest eigenvalue ≥ −1e-12, from nalgebra's [`SymmetricEigen`]). Singular
/// matrices such as `[[1, 1], [1, 1]]` are allowed: the factor is then computed by a
/// semidefinite Cholesky that leaves zero columns where `C` loses rank, so that
/// `B = L Z` is exact for independent standard `Z`.
///
/// ```
/// use saddle_sde::Correlation;
/// let c = Correlation::two(0.6).unwrap();
/// let l = c.factor();
/// assert!((l[(1, 0)] - 0.6).abs() < 1e-15);
/// assert!((l[(1, 1)] - 0.8).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Correlation {
    matrix: DMatrix<f64>,
    factor: DMatrix<f64>,
}

impl Correlation {
    /// Validates `matrix` and factors it.
    ///
    /// # Errors
    /// [`Error::Correlation`] if the matrix is not square, has non-finite entries, is not
    /// symmetric, has a diagonal other than 1, or has a negative eigenvalue.
    pub fn new(matrix: DMatrix<f64>) -> Result<Self> {
        let m = matrix.nrows();
        let bad = |reason: String| Err(Error::Correlation { reason });
        if matrix.ncols() != m || m == 0 {
            return bad(format!(
                "must be square and non-empty, got {}x{}",
                m,
                matrix.ncols()
            ));
        }
        if let Some(v) = matrix.iter().find(|v| !v.is_finite()) {
            return bad(format!("entries must be finite, found {v}"));
        }
        for i in 0..m {
            if (matrix[(i, i)] - 1.0).abs() > TOL {
                return bad(format!(
                    "diagonal must be 1, found C[{i},{i}] = {}",
                    matrix[(i, i)]
                ));
            }
            for j in 0..i {
                if (matrix[(i, j)] - matrix[(j, i)]).abs() > TOL {
                    return bad(format!(
                        "must be symmetric, found C[{i},{j}] = {} but C[{j},{i}] = {}",
                        matrix[(i, j)],
                        matrix[(j, i)]
                    ));
                }
                if matrix[(i, j)].abs() > 1.0 + TOL {
                    return bad(format!(
                        "off-diagonal entries must be in [-1, 1], found C[{i},{j}] = {}",
                        matrix[(i, j)]
                    ));
                }
            }
        }
        let min_eig = SymmetricEigen::new(matrix.clone()).eigenvalues.min();
        if min_eig < -TOL {
            return bad(format!(
                "must be positive semidefinite, smallest eigenvalue is {min_eig:e}"
            ));
        }
        let factor = match matrix.clone().cholesky() {
            Some(ch) => ch.l(),
            None => semidefinite_cholesky(&matrix),
        };
        Ok(Self { matrix, factor })
    }

    /// The identity: `m` independent Brownian motions.
    pub fn identity(m: usize) -> Self {
        Self {
            matrix: DMatrix::identity(m, m),
            factor: DMatrix::identity(m, m),
        }
    }

    /// The 2×2 matrix `[[1, ρ], [ρ, 1]]`.
    ///
    /// # Errors
    /// A parameter error naming `rho` unless `ρ ∈ [−1, 1]`.
    pub fn two(rho: f64) -> Result<Self> {
        crate::error::in_closed("rho", rho, -1.0, 1.0)?;
        Self::new(DMatrix::from_row_slice(2, 2, &[1.0, rho, rho, 1.0]))
    }

    /// Number of Brownian motions.
    pub fn dim(&self) -> usize {
        self.matrix.nrows()
    }

    /// The matrix `C`.
    pub fn matrix(&self) -> &DMatrix<f64> {
        &self.matrix
    }

    /// The lower-triangular factor `L`, `C = L Lᵀ`.
    pub fn factor(&self) -> &DMatrix<f64> {
        &self.factor
    }

    /// Maps independent increments `dz` to correlated ones, `out = L dz`.
    ///
    /// # Errors
    /// [`Error::Dimension`] unless `dz` and `out` both have length `m`.
    pub fn correlate(&self, dz: &[f64], out: &mut [f64]) -> Result<()> {
        let m = self.dim();
        for (what, len) in [("dz", dz.len()), ("out", out.len())] {
            if len != m {
                return Err(Error::Dimension {
                    what,
                    expected: m,
                    got: len,
                });
            }
        }
        self.correlate_unchecked(dz, out);
        Ok(())
    }

    /// `out = L dz` for callers that checked the lengths once.
    #[inline]
    pub(crate) fn correlate_unchecked(&self, dz: &[f64], out: &mut [f64]) {
        let m = self.dim();
        for i in 0..m {
            let mut s = 0.0;
            for k in 0..=i {
                s += self.factor[(i, k)] * dz[k];
            }
            out[i] = s;
        }
    }
}

/// Cholesky for a positive-semidefinite matrix: a pivot that is (numerically) zero
/// gives a zero column.
fn semidefinite_cholesky(c: &DMatrix<f64>) -> DMatrix<f64> {
    let m = c.nrows();
    let mut l = DMatrix::<f64>::zeros(m, m);
    for j in 0..m {
        let d = c[(j, j)] - (0..j).map(|k| l[(j, k)] * l[(j, k)]).sum::<f64>();
        if d <= 1e-10 {
            continue;
        }
        let ljj = d.sqrt();
        l[(j, j)] = ljj;
        for i in j + 1..m {
            let s = c[(i, j)] - (0..j).map(|k| l[(i, k)] * l[(j, k)]).sum::<f64>();
            l[(i, j)] = s / ljj;
        }
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_matrix_is_factored_exactly() {
        let c = Correlation::two(-1.0).unwrap();
        let l = c.factor();
        let back = l * l.transpose();
        assert!((back - c.matrix()).abs().max() < 1e-14);
    }

    #[test]
    fn rejects_indefinite() {
        let m = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0]);
        assert!(matches!(
            Correlation::new(m),
            Err(Error::Correlation { .. })
        ));
    }

    #[test]
    fn rejects_asymmetric_and_bad_diagonal() {
        let m = DMatrix::from_row_slice(2, 2, &[1.0, 0.1, 0.2, 1.0]);
        assert!(Correlation::new(m).is_err());
        let m = DMatrix::from_row_slice(2, 2, &[2.0, 0.1, 0.1, 1.0]);
        assert!(Correlation::new(m).is_err());
    }

    #[test]
    fn rank_one_three_by_three() {
        let m = DMatrix::from_element(3, 3, 1.0);
        let c = Correlation::new(m.clone()).unwrap();
        let l = c.factor();
        assert!((l * l.transpose() - m).abs().max() < 1e-12);
    }
}

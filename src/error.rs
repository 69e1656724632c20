//! The crate's error type.
//!
//! Every fallible constructor and driver in the crate returns [`Error`]. Parameter
//! errors carry the parameter's name, the value that was given and the allowed range,
//! so that a message such as
//! `invalid parameter rho = 1.5: must be in [-1, 1]` can be shown to a user as is.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A parameter value outside its allowed range.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError {
    /// Name of the parameter, as it appears in the API (`"rho"`, `"dt"`, …).
    pub name: &'static str,
    /// The value that was given (may be NaN or infinite).
    pub value: f64,
    /// The allowed range, in words or interval notation (`"[-1, 1]"`, `"> 0"`).
    pub allowed: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid parameter {} = {}: must be {}",
            self.name,
            Show(self.value),
            self.allowed
        )
    }
}

/// A number in a message: the shortest decimal that reads back to it, or scientific
/// notation where that would be long (magnitudes from 1e9 up and below 1e-6), so that
/// 1e308 is not printed as a 309-digit string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Show(pub(crate) f64);

impl fmt::Display for Show {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        if v.is_finite() && v != 0.0 && !(1e-6..1e9).contains(&v.abs()) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

impl std::error::Error for ParamError {}

/// The crate's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scalar parameter is non-finite or out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// A correlation matrix is not a valid correlation matrix.
    #[error("invalid correlation matrix: {reason}")]
    Correlation {
        /// What is wrong (shape, symmetry, diagonal, or the negative eigenvalue found).
        reason: String,
    },
    /// Array lengths that must agree do not.
    #[error("dimension mismatch for {what}: expected {expected}, got {got}")]
    Dimension {
        /// Which argument has the wrong length.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A closed-form result that does not exist for these parameters
    /// (for example a stationary law when the origin is repulsive).
    #[error("{what} does not exist: {condition}")]
    DoesNotExist {
        /// The quantity asked for.
        what: &'static str,
        /// The condition under which it would exist, and which of it fails.
        condition: String,
    },
}

/// Checks `value` is finite, returning a [`ParamError`] naming `name` otherwise.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(param(name, value, "finite"))
    }
}

/// Checks `value > 0` and finite.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value > 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(param(name, value, "finite and > 0"))
    }
}

/// Checks `value >= 0` and finite.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value >= 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(param(name, value, "finite and >= 0"))
    }
}

/// Checks `lo <= value <= hi`.
pub(crate) fn in_closed(name: &'static str, value: f64, lo: f64, hi: f64) -> Result<f64> {
    if value >= lo && value <= hi {
        Ok(value)
    } else {
        Err(param(name, value, format!("in [{lo}, {hi}]")))
    }
}

/// Builds a parameter error.
pub(crate) fn param(name: &'static str, value: f64, allowed: impl Into<String>) -> Error {
    Error::Param(ParamError {
        name,
        value,
        allowed: allowed.into(),
    })
}

/// Checks a count is at least 1.
pub(crate) fn count(name: &'static str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(param(name, value as f64, ">= 1"))
    }
}

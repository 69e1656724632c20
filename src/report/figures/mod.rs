//! The figure builders, one module per group of the post's figures.

pub(crate) mod beyond;
pub(crate) mod laws;

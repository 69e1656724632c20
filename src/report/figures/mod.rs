//! The figure builders, one module per group of the post's figures.

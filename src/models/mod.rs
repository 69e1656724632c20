//! Models: what the SDE is. Each has its known answers in [`crate::analytic`].

mod known;
mod local_saddle;
mod saddle;

pub use known::{Gbm, OrnsteinUhlenbeck};
pub use local_saddle::LocalSaddle;
pub use saddle::{LawEquivalentSaddle, SaddleSde};

//! `--scheme`: one meaning for every subcommand.
//!
//! A scheme name says both the integrator and the form of the model it steps:
//! `em` and `milstein` step the two-noise SDE dx = a x dt + σ x dW + τ dU (pathwise in
//! W and U; Milstein samples the Lévy area), the `law-` names step the law-equivalent
//! one-noise form dx = a x dt + √(σ²x² + 2ρστx + τ²) dB, which has the same law (and
//! the same exit laws) but not the same paths.

use clap::ValueEnum;

/// Which scheme and which form of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    /// Euler–Maruyama on the two-noise SDE (pathwise in W, U).
    Em,
    /// Milstein with Lévy areas on the two-noise SDE (strong order 1).
    Milstein,
    /// Euler–Maruyama on the law-equivalent one-noise form (distribution only).
    LawEm,
    /// Milstein on the law-equivalent one-noise form (distribution only; no Lévy area).
    LawMilstein,
    /// EM on the law-equivalent form with two-point increments ±√h (simplified weak
    /// Euler: weak order 1, the same moment recursions as EM; distribution only;
    /// `simulate` only).
    LawTwoPoint,
}

impl SchemeArg {
    /// The name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Em => "em",
            Self::Milstein => "milstein",
            Self::LawEm => "law-em",
            Self::LawMilstein => "law-milstein",
            Self::LawTwoPoint => "law-two-point",
        }
    }
}

impl std::fmt::Display for SchemeArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

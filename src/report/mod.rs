//! The blog post's figures, reproduced from simulation and checked against the exact
//! results, figure by figure: what `saddle report` draws.
//!
//! Each [`Section`] is one figure of the post (in the post's order), or one beyond it
//! (`strong_order`, `escape_time`), or one of the figures of the other seed documents
//! (`optimiser_paths`, `escape_vs_lambda`, `goe_positive_definite`, `escape_nd`). Its builder runs the simulations through the
//! crate's engine and ensembles, computes the exact curves and the numeric checks, and
//! returns a [`Figure`]: panels of series, a caption that states every parameter, and
//! the checks. The post's claims and verdicts shown beside a figure are the rows of
//! [`crate::claims::CLAIMS`] that name it. Rendering (SVG, PNG, HTML) is the command
//! line's job; everything it shows is computed here.
//!
//! # Reproducibility
//! A figure depends on [`Settings`] only: the same seed and effort give the same
//! figure bit for bit on any thread count (every ensemble merges in path order).
//!
//! ```
//! use saddle_sde::report::{SECTIONS, Settings};
//! let s = Settings::quick(1);
//! let fig = SECTIONS.iter().find(|s| s.name == "stage_2_scr").unwrap().build(&s, &mut |_| {})?.unwrap();
//! assert!(fig.all_passed());
//! assert!(fig.csv().starts_with("panel,series,index,kind,x,y,lo,hi\n"));
//! # Ok::<(), saddle_sde::Error>(())
//! ```

mod figures;
pub mod plot;

/// The significance level of each statistical check of the report: a check that
/// compares a simulation with an exact value fails with probability at most
/// `CHECK_ALPHA` when the code is right (two-sided z at Φ⁻¹(1 − α/2) = 4.753,
/// Kolmogorov–Smirnov at `√(ln(2/α)/2)/√n` = 2.628/√n, χ² at its 1 − α quantile, Wilson
/// intervals at confidence 1 − α).
///
/// One level for every check, 2·10⁻⁶, so that the report's 70 checks and the test
/// suite's 283 (which use the same constant) have a Bonferroni family-wise
/// false-failure probability of 353 × 2·10⁻⁶ = 7.1·10⁻⁴ < 10⁻³ for any change of the
/// random stream; `docs/numerics.md` lists every check with its level. Power checks (a
/// wrong value must be rejected) use the same critical values.
pub const CHECK_ALPHA: f64 = 2e-6;

pub use plot::{Axis, Check, Colour, Figure, Kind, Panel, Series};

use crate::error::Result;

/// How much work a report does, and with which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// The seed every simulation derives its own from ([`Settings::seed_for`]).
    pub seed: u64,
    /// Fewer paths and coarser grids (the same figures and checks), for CI.
    pub quick: bool,
}

impl Settings {
    /// The full report with `seed`.
    pub fn full(seed: u64) -> Self {
        Self { seed, quick: false }
    }
    /// The quick report with `seed`.
    pub fn quick(seed: u64) -> Self {
        Self { seed, quick: true }
    }
    /// `full` or `quick`, by the effort.
    pub fn pick<T>(&self, full: T, quick: T) -> T {
        if self.quick { quick } else { full }
    }
    /// The seed of simulation `k` of figure `name`: the report's seed mixed with the
    /// name and `k` (FNV-1a then SplitMix64), so that figures use independent streams
    /// and adding a figure changes no other.
    pub fn seed_for(&self, name: &str, k: u64) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        splitmix(splitmix(self.seed ^ h).wrapping_add(k))
    }
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A figure builder: settings and a progress callback (fraction done, in `[0, 1]`).
pub type Build = fn(&Settings, &mut dyn FnMut(f64)) -> Result<Figure>;

/// One section of the report.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The figure's file stem (the post's image name where it has one).
    pub name: &'static str,
    /// The heading of the post's section it belongs to (`"Beyond the post"` for the
    /// crate's own figures).
    pub post_section: &'static str,
    /// The builder, or `None` when the figure does not exist yet (the claims that name
    /// it keep their own verdicts).
    pub build: Option<Build>,
}

impl Section {
    /// Builds the figure; `Ok(None)` when the section has no figure yet.
    ///
    /// # Errors
    /// What the figure's simulations report (none with valid settings).
    pub fn build(
        &self,
        settings: &Settings,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Option<Figure>> {
        self.build.map(|b| b(settings, progress)).transpose()
    }
}

/// The report's sections in the post's order, then the crate's own figures.
pub const SECTIONS: &[Section] = &[
    Section {
        name: "gradient_descent1",
        post_section: "We use gradient descent",
        build: Some(figures::gd::gradient_descent1),
    },
    Section {
        name: "saddle_point",
        post_section: "Saddle points",
        build: Some(figures::gd::saddle_point),
    },
    Section {
        name: "gradient_descent2",
        post_section: "Gradient descent proceeds extremely slowly near a saddle point",
        build: Some(figures::gd::gradient_descent2),
    },
    Section {
        name: "sdg_0noise",
        post_section: "Example",
        build: Some(figures::sgd::sdg_0noise),
    },
    Section {
        name: "sdg_1noise",
        post_section: "Example",
        build: Some(figures::sgd::sdg_1noise),
    },
    Section {
        name: "sdg_2noise",
        post_section: "Example",
        build: Some(figures::sgd::sdg_2noise),
    },
    Section {
        name: "stage_1_scr",
        post_section: "Attractive noise",
        build: Some(figures::coin::stage_1_scr),
    },
    Section {
        name: "stage_2_scr",
        post_section: "Attractive noise",
        build: Some(figures::coin::stage_2_scr),
    },
    Section {
        name: "stage_4_scr",
        post_section: "Attractive noise",
        build: Some(figures::coin::stage_4_scr),
    },
    Section {
        name: "stage_n",
        post_section: "Attractive noise",
        build: Some(figures::coin::stage_n),
    },
    Section {
        name: "stat_dist",
        post_section: "Stationary distribution",
        build: Some(figures::laws::stat_dist),
    },
    Section {
        name: "correlated",
        post_section: "Case 1: ξ and η are correlated",
        build: Some(figures::laws::correlated),
    },
    Section {
        name: "uncorelated",
        post_section: "Case 2: ξ and η are not correlated",
        build: Some(figures::laws::uncorelated),
    },
    Section {
        name: "perturbed_sgd",
        post_section: "Perturbed Stochastic Gradient Descent",
        build: Some(figures::strategies::perturbed_sgd),
    },
    Section {
        name: "svrg",
        post_section: "Stochastic Variance Reduction Gradient Descent (SVRGD)",
        build: Some(figures::strategies::svrg),
    },
    Section {
        name: "minibatch",
        post_section: "Increase the minibatch size",
        build: Some(figures::strategies::minibatch),
    },
    Section {
        name: "learning_rate",
        post_section: "Decrease the learning rate",
        build: Some(figures::strategies::learning_rate),
    },
    Section {
        name: "annealing",
        post_section: "Anneal the learning rate",
        build: Some(figures::strategies::annealing),
    },
    Section {
        name: "relu",
        post_section: "Use ReLu's",
        build: Some(figures::strategies::relu),
    },
    Section {
        name: "strong_order",
        post_section: "Beyond the post",
        build: Some(figures::beyond::strong_order),
    },
    Section {
        name: "escape_time",
        post_section: "Beyond the post",
        build: Some(figures::beyond::escape_time),
    },
    Section {
        name: "optimiser_paths",
        post_section: "Saddles in d dimensions (seeds 002–004)",
        build: Some(figures::landscape::optimiser_paths),
    },
    Section {
        name: "escape_vs_lambda",
        post_section: "Saddles in d dimensions (seeds 002–004)",
        build: Some(figures::landscape::escape_vs_lambda),
    },
    Section {
        name: "goe_positive_definite",
        post_section: "Saddles in d dimensions (seeds 002–004)",
        build: Some(figures::hessian::goe_positive_definite),
    },
    Section {
        name: "escape_nd",
        post_section: "Saddles in d dimensions (seeds 002–004)",
        build: Some(figures::landscape::escape_nd),
    },
];

//! The blog post's claims, each with its verdict, the tests that check it and the
//! figure that shows it: the one source of `docs/blog-claims.md` ([`markdown`]) and of
//! the `claims.json` that `saddle report` writes (`saddle claims --json`).
//!
//! A claim is a statement of *Saddle Points and Stochastic Gradient Descent* (the spec
//! of this crate), quoted or paraphrased, with a [`Verdict`]: it holds, holds only under
//! a stated condition, is wrong (with the corrected statement), or is not checked.
//! Tests are named `FILE::function` with `FILE` the path of a test file in the
//! repository (`tests/analytic/analytic_discrete.rs::coin_flip_simulation`); `FILE::*`
//! names every test in the file and `FILE::prefix_*` every test whose name starts so.
//! The test crate `claims` checks that every named file exists and defines the named
//! function, and that `docs/blog-claims.md` equals [`markdown`].
//!
//! ```
//! use saddle_sde::claims::{CLAIMS, Verdict};
//! let wrong = CLAIMS.iter().filter(|c| c.verdict == Verdict::Wrong).count();
//! assert!(wrong > 0);
//! assert_eq!(Verdict::HoldsIf.as_str(), "holds_if");
//! assert!(saddle_sde::claims::markdown().starts_with("# The blog post's claims, checked"));
//! ```

use std::fmt::Write as _;

/// What the crate found about a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// The claim holds as stated (perhaps in a sense given by [`Claim::note`]).
    Holds,
    /// The claim holds only under [`Claim::condition`].
    HoldsIf,
    /// The claim is wrong; [`Claim::corrected`] gives the corrected statement.
    Wrong,
    /// The claim is outside what the crate checks.
    NotChecked,
    /// An open question of the post, answered by derivation and measurement in
    /// [`Claim::corrected`].
    Answered,
}

impl Verdict {
    /// The verdict as spelled in `claims.json`: `"holds"`, `"holds_if"`, `"wrong"`,
    /// `"not_checked"` or `"answered"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holds => "holds",
            Self::HoldsIf => "holds_if",
            Self::Wrong => "wrong",
            Self::NotChecked => "not_checked",
            Self::Answered => "answered",
        }
    }
}

/// One claim of the post. Text fields are Markdown (inline code in backticks, bold in
/// `**`), as printed in `docs/blog-claims.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Claim {
    /// The row number, `1..=CLAIMS.len()` in order.
    pub id: u32,
    /// The heading of the post's section the claim is in.
    pub section: &'static str,
    /// The statement in the post.
    pub claim: &'static str,
    /// What the crate found.
    pub verdict: Verdict,
    /// A short qualifier printed after the verdict: `"factor 2"` in "**wrong** (factor
    /// 2)", `"almost-sure rate"` in "holds (almost-sure rate)".
    pub note: Option<&'static str>,
    /// For [`Verdict::HoldsIf`] (and only then), the condition under which the claim
    /// holds.
    pub condition: Option<&'static str>,
    /// The corrected or precise statement.
    pub corrected: Option<&'static str>,
    /// How the claim is checked besides (or instead of) the tests: `"algebra"`,
    /// `"definition"`, `"derivation only"`, or a remark on what the tests show.
    pub basis: Option<&'static str>,
    /// The tests that check the claim, as `FILE::function` (see the module docs).
    pub tests: &'static [&'static str],
    /// The report's figure (its [`Section`](crate::report::Section) name) that shows
    /// the claim.
    pub figure: Option<&'static str>,
}

impl Claim {
    /// The row's label: its id for the post's claims (`"12"`), `S` and the id for those
    /// of the other seed documents ([`SEED_CLAIMS`], whose section names the seed:
    /// `"S3"`).
    pub fn label(&self) -> String {
        if self.section.starts_with("seed 00") {
            format!("S{}", self.id)
        } else {
            self.id.to_string()
        }
    }

    /// The verdict as printed in the Markdown table: `holds`, `holds (almost-sure
    /// rate)`, `**holds if** …`, `**wrong** (factor 2)`, `not checked`.
    pub fn verdict_markdown(&self) -> String {
        let with_note = |s: &str| match self.note {
            Some(n) => format!("{s} ({n})"),
            None => s.to_string(),
        };
        match self.verdict {
            Verdict::Holds => with_note("holds"),
            Verdict::HoldsIf => match self.condition {
                Some(c) => format!("**holds if** {c}"),
                None => "**holds if**".to_string(),
            },
            Verdict::Wrong => with_note("**wrong**"),
            Verdict::NotChecked => with_note("not checked"),
            Verdict::Answered => with_note("**answered**"),
        }
    }

    /// The Test cell of the Markdown table: the tests in backticks, then the
    /// [`basis`](Claim::basis) in parentheses; `—` for none.
    pub fn tests_markdown(&self) -> String {
        let mut s = if self.tests.is_empty() {
            "—".to_string()
        } else {
            let names: Vec<String> = self.tests.iter().map(|t| format!("`{t}`")).collect();
            names.join(", ")
        };
        if let Some(b) = self.basis {
            let _ = write!(s, " ({b})");
        }
        s
    }
}

/// The claims that figure `name` of the report shows.
pub fn for_figure(name: &str) -> impl Iterator<Item = &'static Claim> + '_ {
    CLAIMS
        .iter()
        .chain(SEED_CLAIMS)
        .filter(move |c| c.figure == Some(name))
}

/// A figure of the post: what it shows and whether its stated parameters can produce
/// it. The Figures table of `docs/blog-claims.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct FigureNote {
    /// The post's image files (Markdown).
    pub files: &'static str,
    /// What the figures show.
    pub shows: &'static str,
    /// The parameters the post states.
    pub parameters: &'static str,
    /// Whether those parameters can produce the figure.
    pub reproducible: &'static str,
    /// The report's names for these figures (`saddle report` draws each under its
    /// name).
    pub report: &'static [&'static str],
}

/// The post's figures, in its order.
pub const FIGURE_NOTES: &[FigureNote] = &[
    FigureNote {
        files: "`loss_function.png` (commented out), `gradient_descent1.png`, `saddle_point.png`, `gradient_descent2.png`",
        shows: "illustrations of a loss surface, GD paths and a saddle",
        parameters: "none",
        reproducible: "nothing to check",
        report: &["gradient_descent1", "saddle_point", "gradient_descent2"],
    },
    FigureNote {
        files: "`sdg_0noise.png`, `sdg_1noise.png`, `sdg_2noise.png`",
        shows: "GD on a 2-D surface shaken by `N(0,1)` and `N(0,2)` translations",
        parameters: "the surface is not given",
        reproducible: "not reproducible; the mechanism (noise making the saddle attractive once `σ²/2 > a`) is row 16",
        report: &["sdg_0noise", "sdg_1noise", "sdg_2noise"],
    },
    FigureNote {
        files: "`stage_1_scr.jpeg`, `stage_2_scr.jpeg`, `stage_4_scr.jpeg`",
        shows: "the coin-flip trees after 1, 2, 4 steps",
        parameters: "`σ` unstated",
        reproducible: "the shrinking branches drawn match rows 5–6 only for `0 < σ < √2`",
        report: &["stage_1_scr", "stage_2_scr", "stage_4_scr"],
    },
    FigureNote {
        files: "`stage_n.png`",
        shows: "`x_n` samples, `σ = 0.1`, `n = 10, 20, 100, 1000`, red if `|x_n| ≤ |x₀|`",
        parameters: "`σ = 0.1`",
        reproducible: "yes; exact red fractions: 0.6230 (n=10), 0.5881 (20), 0.6914 (100), 0.9466 (1000) (`saddle analytic --steps n --sigma 0.1`): not monotone in `n`, but → 1",
        report: &["stage_n"],
    },
    FigureNote {
        files: "`stat_dist.png`",
        shows: "stationary densities, `a = 1, τ = −1`: `(σ, ρ) = (2, 0), (√2, 0), (2, 0.95)`",
        parameters: "given",
        reproducible: "`(2, 0)`: yes, Student-t with ν = ½, scale `1/√2` (density at 0: 0.38138). `(√2, 0)`: **no** — `a = σ²/2`, the Lyapunov rate is 0, `p ∝ (2y²+1)^{−1/2}` is not normalisable, so no stationary law exists and the curve can only be an unnormalised `p` or a finite-time histogram. `(2, 0.95)`: yes, Pearson IV with `m = ¾`, `ν = −1.521`, mode 0.6333, median 1.4311, `P(x < 0) = 0.0076`",
        report: &["stat_dist"],
    },
    FigureNote {
        files: "`correlated.png`",
        shows: "the `|ρ| = 1` stationary law, `a = 1, σ = 2, τ = −2`",
        parameters: "given (`ρ = 1` implied)",
        reproducible: "yes, but as `x = 1 + Z`, `Z ~ InvGamma(½, scale ½)`: support `(1, ∞)`, mode `4/3`; the post's formula would put it on `(−∞, 1)` with mode `−1/3`",
        report: &["correlated"],
    },
    FigureNote {
        files: "`uncorelated.png`",
        shows: "the Gaussian mixture of Case 2",
        parameters: "none",
        reproducible: "nothing to check beyond row 29",
        report: &["uncorelated"],
    },
    FigureNote {
        files: "`svrg.png`, `relu.png`",
        shows: "SVRG and ReLU dynamics",
        parameters: "none",
        reproducible: "outside the SDE model; simulated at the optimiser level by `saddle_sde::optim` against the derived limits of `optim::theory`",
        report: &["svrg", "relu"],
    },
];

/// The post's claims: rows 1–32 the analytic statements in the post's order, rows 33–41
/// the statements its figures illustrate, rows 42–45 its escape strategies.
pub const CLAIMS: &[Claim] = &[
    Claim {
        id: 1,
        section: "Saddle points",
        claim: "Near a saddle, `f ≈ −Σ_{i≤k} a_i x_i²/2 + Σ_{i>k} a_i x_i²/2` with `1 < k < m`",
        verdict: Verdict::Wrong,
        note: Some("range"),
        condition: None,
        corrected: Some(
            "a saddle needs at least one concave and one convex direction: `1 ≤ k < m` (the 2-D saddle `x² − y²` has `k = 1`)",
        ),
        basis: Some("definition"),
        tests: &[],
        figure: None,
    },
    Claim {
        id: 2,
        section: "Gradient descent will escape",
        claim: "GD update `Δx_i = a_i x_i` (i ≤ k, repulsive), `−a_i x_i` (i > k)",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: None,
        basis: Some("algebra"),
        tests: &[],
        figure: None,
    },
    Claim {
        id: 3,
        section: "Why noise hurts",
        claim: "1-D noisy model `f(x) = −(a + ξ)x² − ηx` gives `∂f/∂x = −ax − ξx − η`",
        verdict: Verdict::Wrong,
        note: Some("factor 2"),
        condition: None,
        corrected: Some(
            "`∂/∂x[−(a+ξ)x² − ηx] = −2(a+ξ)x − η`; to get `Δx = ax + ξx + η` the model must be `f = −(a+ξ)x²/2 − ηx`, as in the multi-dimensional model above it",
        ),
        basis: Some("algebra"),
        tests: &[],
        figure: None,
    },
    Claim {
        id: 4,
        section: "Attractive noise",
        claim: "Coin flip: after 2 steps the factors are `(1−σ)²`, `1−σ²` (twice), `(1+σ)²` \"if we roll two tails\"",
        verdict: Verdict::Wrong,
        note: Some("typo"),
        condition: None,
        corrected: Some("`(1+σ)²` is two **heads**"),
        basis: None,
        tests: &[],
        figure: None,
    },
    Claim {
        id: 5,
        section: "Attractive noise",
        claim: "\"the first two scaling factors are both less than one, so `|x₂| < |x₀|` with probability 3/4\"",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`0 < σ < √2`"),
        corrected: Some(
            "`|1−σ²| < 1` needs `σ < √2`; `P(|x₂|<|x₀|) = 3/4` for `0<σ<√2`, `1/4` for `√2 ≤ σ < 2`, `0` for `σ ≥ 2`",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_discrete.rs::blog_coin_flip_claims_hold_only_for_sigma_below_sqrt2",
            "tests/analytic/analytic_discrete.rs::p_shrink_matches_enumeration",
            "tests/analytic/analytic_discrete.rs::coin_flip_simulation",
        ],
        figure: Some("stage_2_scr"),
    },
    Claim {
        id: 6,
        section: "Attractive noise",
        claim: "\"`|x₄| < |x₀|` with probability at least 11/16\"",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`0 < σ < √2`"),
        corrected: Some(
            "exactly `11/16` for `σ ≤ 0.8393` (`σ³+2σ²=2`), `15/16` on `(0.8393, 1.1069)` (`(1+σ)³(σ−1)=1`), `11/16` up to `√2`, then `5/16`, `1/16` (from `1.7167`), `0` (from `2`)",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_discrete.rs::blog_coin_flip_claims_hold_only_for_sigma_below_sqrt2",
            "tests/analytic/analytic_discrete.rs::p_shrink_matches_enumeration",
            "tests/analytic/analytic_discrete.rs::coin_flip_simulation",
        ],
        figure: Some("stage_4_scr"),
    },
    Claim {
        id: 7,
        section: "Attractive noise",
        claim: "`E[x_n] = x₀` for all `n` (footnote)",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: None,
        basis: None,
        tests: &["tests/analytic/analytic_discrete.rs::coin_flip_simulation"],
        figure: None,
    },
    Claim {
        id: 8,
        section: "Attractive noise",
        claim: "The mode of `x_n` is `(1−σ²)^{n/2}x₀`",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`n` is even"),
        corrected: Some("for odd `n` there are two equally likely values, `k = (n±1)/2` heads"),
        basis: None,
        tests: &[
            "tests/analytic/analytic_discrete.rs::blog_coin_flip_claims_hold_only_for_sigma_below_sqrt2",
        ],
        figure: None,
    },
    Claim {
        id: 9,
        section: "Attractive noise",
        claim: "`x_n` \"gravitates towards zero at an average rate `−σ²/2`\"",
        verdict: Verdict::Wrong,
        note: Some("leading order only"),
        condition: None,
        corrected: Some("the a.s. per-step rate is `E ln|1+ξ| = ½ ln|1−σ²| = −σ²/2 − σ⁴/4 − …`"),
        basis: None,
        tests: &[
            "tests/analytic/analytic_discrete.rs::blog_discrete_rate_is_only_leading_order",
            "tests/analytic/analytic_discrete.rs::coin_flip_simulation",
        ],
        figure: None,
    },
    Claim {
        id: 10,
        section: "Attractive noise",
        claim: "`lim x_n = 0` with probability 1",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`0 < σ < √2`"),
        corrected: Some("a.s. convergence iff `½ ln|1−σ²| < 0`; for `σ > √2`, `|x_n| → ∞` a.s."),
        basis: None,
        tests: &[
            "tests/analytic/analytic_discrete.rs::blog_coin_flip_claims_hold_only_for_sigma_below_sqrt2",
        ],
        figure: Some("stage_n"),
    },
    Claim {
        id: 11,
        section: "Diffusive noise",
        claim: "`x_N = x₀ + Σ_{n=0}^{N} Δx_n`",
        verdict: Verdict::Wrong,
        note: Some("index"),
        condition: None,
        corrected: Some("`N` steps give `Σ_{n=0}^{N−1}` (or `Σ_{i=1}^{N}`)"),
        basis: None,
        tests: &[],
        figure: None,
    },
    Claim {
        id: 12,
        section: "Diffusive noise",
        claim: "`Σ η_i ~ N(0, τ√N)`, so `x_N ~ N(x₀, τ√N)`; \"diffuses at a rate `τ√N`\"",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("the second argument is a standard deviation and `η` is Gaussian"),
        corrected: Some(
            "in the usual (mean, variance) notation `x_N ~ N(x₀, Nτ²)`; standard deviation `τ√N`; for non-Gaussian `η` only asymptotically (CLT)",
        ),
        basis: Some("passes for variance `Nτ²`, rejects variance `τ√N`"),
        tests: &["tests/analytic/analytic_discrete.rs::diffusive_walk_law"],
        figure: None,
    },
    Claim {
        id: 13,
        section: "SDE",
        claim: "`W_t = ∫ξ/σ dt`, `V_t = ∫η/τ dt` standard BMs with correlation `ρ`; the footnote then calls the second one `U`",
        verdict: Verdict::Wrong,
        note: Some("notation"),
        condition: None,
        corrected: Some("the second motion is `U`; `V` is reserved for `(U − ρW)/√(1−ρ²)`"),
        basis: None,
        tests: &[],
        figure: None,
    },
    Claim {
        id: 14,
        section: "SDE",
        claim: "With `μ, ω, V, y` as defined, `dy = a(y−μ) dt + σy dW + ω dV`, `V ⊥ W`",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`σ > 0`, `|ρ| < 1` (for `V`)"),
        corrected: Some("`σx + ρτ = σ(x + μ)`"),
        basis: Some("law of the decomposed model"),
        tests: &[
            "tests/analytic/analytic_limits_mc.rs::*",
            "tests/analytic/analytic_finite_time.rs::mean_and_second_moment_at_time_t",
        ],
        figure: None,
    },
    Claim {
        id: 15,
        section: "SDE",
        claim: "`y_t = y₀Φ_t + ∫₀ᵗ Φ_t/Φ_s dν_s`, `ν = ωV_s − aμs`",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some("Itô product rule: `d(Φ⁻¹y) = Φ⁻¹(ω dV − aμ dt)`"),
        basis: Some("the first at ρ = 1, the second at ρ = 0"),
        tests: &[
            "tests/analytic/analytic_case1_pathwise.rs::blog_case1_formula_matches_milstein_on_the_same_path",
            "tests/analytic/analytic_finite_time.rs::mixture_sampler_matches_sde",
        ],
        figure: None,
    },
    Claim {
        id: 16,
        section: "SDE",
        claim: "Attractive noise shifts the growth rate from `a` to `a − σ²/2`; saddle attractive if `a < σ²/2`",
        verdict: Verdict::Holds,
        note: Some("almost-sure rate"),
        condition: None,
        corrected: Some(
            "`(1/t) ln|x_t| → a − σ²/2` a.s. for `τ = 0`; note `E[x_t] = x₀e^{at}` still grows",
        ),
        basis: None,
        tests: &["tests/analytic/analytic_discrete.rs::lyapunov_rate_by_simulation"],
        figure: None,
    },
    Claim {
        id: 17,
        section: "SDE",
        claim: "With `τ = 0`, `x_t = x₀e^{(a−σ²/2)t+σW_t} → 0` a.s.",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`a < σ²/2`"),
        corrected: None,
        basis: None,
        tests: &["tests/analytic/analytic_discrete.rs::lyapunov_rate_by_simulation"],
        figure: None,
    },
    Claim {
        id: 18,
        section: "SDE",
        claim: "Footnote: `−σ²/2` is \"the same convergence rate that appeared in the discrete case\"",
        verdict: Verdict::Wrong,
        note: Some("leading order only"),
        condition: None,
        corrected: Some("the discrete rate is `½ ln|1−σ²|`; they agree to `O(σ⁴)`"),
        basis: None,
        tests: &["tests/analytic/analytic_discrete.rs::blog_discrete_rate_is_only_leading_order"],
        figure: None,
    },
    Claim {
        id: 19,
        section: "Stationary distribution",
        claim: "If `a < σ²/2`, `x_t` converges to a stationary distribution",
        verdict: Verdict::Holds,
        note: Some("in law; the limit may be degenerate"),
        condition: None,
        corrected: Some(
            "convergence is **in law** only: for `τ ≠ 0` the process is a recurrent diffusion and `x_t` has no pathwise limit. With `σ = 0` the condition reads `a < 0` and the limit is the Gaussian below, so no extra `σ > 0` is needed. The limit is Pearson IV when `τ ≠ 0, |ρ| < 1`; Gaussian `N(0, τ²/(2|a|))` when `σ = 0 > a` (then `a < σ²/2` is just `a < 0`); inverse gamma (row 25) when `|ρ| = 1, aτ ≠ 0`; the point mass at `−ρτ/σ` when `τ = 0` or (`|ρ| = 1`, `a = 0`); at `a = σ²/2` there is none",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_stationary.rs::existence_conditions",
            "tests/analytic/analytic_inverse_gamma.rs::existence_conditions",
            "tests/analytic/analytic_finite_time.rs::sigma_zero_stationary_gaussian",
            "tests/analytic/analytic_limits_mc.rs::*",
        ],
        figure: None,
    },
    Claim {
        id: 20,
        section: "Stationary distribution (footnote)",
        claim: "Fokker–Planck coefficients `A(y) = a(y−μ)`, `D(y) = ½(σ²y²+ω²)`; zero flux",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: None,
        basis: None,
        tests: &["tests/analytic/analytic_limits_mc.rs::stationary_*"],
        figure: None,
    },
    Claim {
        id: 21,
        section: "Stationary distribution",
        claim: "`p(y) ∝ (σ²y²+ω²)^{a/σ²−1} exp(−2aμ atan(σy/ω)/(ωσ))`",
        verdict: Verdict::Holds,
        note: Some("sign of the atan term right; invariant under `ω → −ω`"),
        condition: None,
        corrected: Some(
            "normalisable iff `a < σ²/2`, `ω ≠ 0`, `σ > 0`; it is **Pearson type IV** with `m = 1 − a/σ²`, `ν = 2aμ/(σ|ω|)`, scale `|ω|/σ`, location `−μ` (in `x`), `k = |Γ(m+iν/2)/Γ(m)|²/(α B(m−½, ½))`",
        ),
        basis: Some("the first rejects the mirror sign"),
        tests: &[
            "tests/analytic/analytic_limits_mc.rs::stationary_blog_figure_rho_095",
            "tests/analytic/analytic_stationary.rs::density_is_normalised_by_the_closed_form_constant",
            "tests/analytic/analytic_stationary.rs::cdf_matches_quadrature_of_density",
        ],
        figure: Some("stat_dist"),
    },
    Claim {
        id: 22,
        section: "Stationary distribution",
        claim: "(implicit) for `ρ = 0`",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some("Student-t with `1 − 2a/σ²` degrees of freedom, scale `|τ|/(σ√(1−2a/σ²))`"),
        basis: None,
        tests: &[
            "tests/analytic/analytic_stationary.rs::rho_zero_reduces_to_students_t",
            "tests/analytic/analytic_limits_mc.rs::stationary_blog_figure_rho_0",
        ],
        figure: None,
    },
    Claim {
        id: 23,
        section: "Stationary distribution",
        claim: "The mode solves `0 = Y(a−σ²) − aμ`: `y = aμ/(a−σ²)`, i.e. `x = ρστ/(a−σ²)`",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some("(`x = y − μ`)"),
        basis: None,
        tests: &[
            "tests/analytic/analytic_stationary.rs::mode_is_stationary_point_of_density",
            "tests/analytic/analytic_stationary.rs::blog_mode_formula_in_y_and_x",
        ],
        figure: None,
    },
    Claim {
        id: 24,
        section: "Case 1",
        claim: "Case 1 (`V = W`): `dy = a(y − τ/σ)dt + σy dW` and `x_t = −τ/σ + (x₀+τ/σ)Φ_t − (aτ/σ)∫Φ_t/Φ_s ds`",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`ρ = 1`"),
        corrected: Some("for `ρ = −1` replace `τ` by `−τ`"),
        basis: None,
        tests: &[
            "tests/analytic/analytic_case1_pathwise.rs::blog_case1_formula_matches_milstein_on_the_same_path",
        ],
        figure: None,
    },
    Claim {
        id: 25,
        section: "Case 1, stationary",
        claim: "`lim x_t = −(γ⁻¹ + τ/σ)`, `γ` Gamma with **scale** `2|aτ|/σ³`, shape `1 − 2a/σ²`",
        verdict: Verdict::Wrong,
        note: Some("scale vs rate, and sign; and `lim` is only in law"),
        condition: None,
        corrected: Some(
            "`x_t` converges **in law**, not pathwise (it is a recurrent diffusion; Dufresne's almost-sure limit of `∫₀ᵗ e^{2(B_s − νs)} ds`-type functionals is for the time-reversed perpetuity, which has the same law at each `t`, not for `x_t` itself). In law, `x_∞ = −ρτ/σ − sign(aρτ)·γ⁻¹` with `γ ~ Gamma(shape 1 − 2a/σ², **rate** 2|aτ|/σ³)`, i.e. `γ⁻¹ ~ InvGamma(shape, scale 2|aτ|/σ³)`; requires `a < σ²/2`, `a ≠ 0`, `τ ≠ 0`. The post's sign is right only for `aρτ > 0`; at its own figure (`a=1, σ=2, τ=−2`) `x_∞ = 1 + γ⁻¹ > 1`",
        ),
        basis: Some("the first rejects both the literal formula and the scale reading"),
        tests: &[
            "tests/analytic/analytic_limits_mc.rs::inverse_gamma_blog_figure",
            "tests/analytic/analytic_inverse_gamma.rs::reciprocal_is_gamma_with_rate_not_scale",
            "tests/analytic/analytic_inverse_gamma.rs::density_is_the_zero_flux_solution",
            "tests/analytic/analytic_limits_mc.rs::inverse_gamma_*",
        ],
        figure: Some("correlated"),
    },
    Claim {
        id: 26,
        section: "Case 1, stationary",
        claim: "\"this distribution is non integrable\": infinite mean",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`0 < a < σ²/2`"),
        corrected: Some(
            "the mean exists (and is 0) iff shape `> 1`, i.e. `a < 0`; at `a = 0` the limit is the point mass at `−ρτ/σ`, with finite mean (`InverseGammaLimit` rejects `a = 0`); for `a ≥ σ²/2` there is no limit law",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_inverse_gamma.rs::moments_match_moment_equation_fixed_points",
            "tests/analytic/analytic_limits_mc.rs::inverse_gamma_negative_a",
        ],
        figure: None,
    },
    Claim {
        id: 27,
        section: "Case 1, stationary",
        claim: "The mode is at `−τσ/(σ²−a)`",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`ρ = 1`"),
        corrected: Some(
            "in general `ρστ/(a−σ²)`; at `a=1, σ=2, τ=−2`: `4/3`, which lies outside the support `x < 1` of the post's own (uncorrected) formula",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_inverse_gamma.rs::cdf_mode_median_against_independent_evaluation",
        ],
        figure: None,
    },
    Claim {
        id: 28,
        section: "Case 2",
        claim: "Case 2 (`ρ = 0`): `x_t = x₀Φ_t + ∫₀ᵗ Φ_t/Φ_s η ds`",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some("(`η ds = τ dV`)"),
        basis: None,
        tests: &["tests/analytic/analytic_finite_time.rs::mixture_sampler_matches_sde"],
        figure: None,
    },
    Claim {
        id: 29,
        section: "Case 2",
        claim: "\"Log Normal mixture of gaussians\" (figure caption)",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("'log normal' describes the component means only"),
        corrected: Some(
            "`x_t | W ~ N(x₀Φ_t, τ²Φ_t²∫₀ᵗΦ_s⁻²ds)`: a Gaussian mixture whose component **means** are exactly lognormal; the component variances are an exponential functional of `W` (not lognormal). `E[within] = τ²(e^{(2a+σ²)t}−1)/(2a+σ²)`, `Var[means] = x₀²(e^{(2a+σ²)t} − e^{2at})`",
        ),
        basis: None,
        tests: &[
            "tests/analytic/analytic_finite_time.rs::mixture_components_average_to_exact_moments",
            "tests/analytic/analytic_finite_time.rs::mixture_sampler_matches_sde",
        ],
        figure: Some("uncorelated"),
    },
    Claim {
        id: 30,
        section: "Increase the minibatch size",
        claim: "Full-batch GD \"never gets stuck\": it removes the attractive noise",
        verdict: Verdict::Holds,
        note: Some("within the model"),
        condition: None,
        corrected: Some("`σ = 0`: `x_t ~ N(x₀e^{at}, τ²(e^{2at}−1)/(2a))`, growth rate `a > 0`"),
        basis: None,
        tests: &["tests/analytic/analytic_finite_time.rs::sigma_zero_is_gaussian"],
        figure: Some("minibatch"),
    },
    Claim {
        id: 31,
        section: "Decrease the learning rate",
        claim: "A learning rate `ρ` \"decreases the attractive noise by a factor `√ρ`\"",
        verdict: Verdict::Holds,
        note: Some("diffusion scaling"),
        condition: None,
        corrected: Some(
            "with `x_{n+1} = x_n + ρΔx_n` and time `t = nρ`, the drift stays `a` and both noise intensities scale by `√ρ`: `σ² = ρ s_ξ²/B`, so `Var ln|x_t|` over a fixed `t` scales with `ρ` (measured ratio 4.01 ± 0.13 for a factor 4 in `ρ`); per step the factor is `ρ`, and the steps to escape grow like `1/ρ`",
        ),
        basis: None,
        tests: &[
            "tests/optim/strategies.rs::smaller_learning_rate_scales_the_attractive_noise_by_its_root",
        ],
        figure: Some("learning_rate"),
    },
    Claim {
        id: 32,
        section: "Stochastic Variance Reduction Gradient Descent (SVRGD)",
        claim: "At the end of every inner loop `x − x_*` exhibits an inverse gamma distribution with scale proportionate to the distance from `x_*` to the saddle point",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "in the diffusion limit (`σ² = lr s_ξ²/B`), in the trap regime `σ² > 2a`, and for an inner loop long against the relaxation time: `m·lr ≫ 1/(σ²/2 − a)`",
        ),
        corrected: Some(
            "`y = x − x*` obeys `y_{k+1} = (1 + lr(a + ξ̄_k)) y_k + lr a x*` (η cancels), in the limit `dy = a(y + x*)dt + σy dW` from `y = 0`: a Dufresne perpetuity, so `(x − x*)/x* → InverseGamma(shape 1 − 2a/σ², scale 2a/σ²)` (`optim::theory::SvrgLimit`; the row-25 law with `aμ` replaced by `a x*`). At `σ² = 8`, `lr = 10⁻³`, 10⁴ loops: KS 0.014 for `m·lr = 10`, 0.22 for `m·lr = 0.5` (critical 0.0195 at α = 0.001): at finite `m` the law is stochastically smaller; for `σ² ≤ 2a` there is no limit (`y` grows like `e^{(a−σ²/2)t}`)",
        ),
        basis: None,
        tests: &[
            "tests/optim/strategies.rs::svrg_inner_loop_is_inverse_gamma_only_in_the_long_loop_limit",
            "tests/report/strategies.rs::svrg_inner_loops_are_inverse_gamma_and_escape_geometrically",
        ],
        figure: Some("svrg"),
    },
    Claim {
        id: 33,
        section: "We use gradient descent",
        claim: "Gradient descent from a poor initial choice converges fairly quickly to a local minimum",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "x₀ is off the stable manifolds of the saddles and the step size is below 2/L, L the largest Hessian eigenvalue on the sublevel set {f ≤ f(x₀)} (then f decreases at every step; near the minimum the rate is linear, max_i |1 − lr·λ_i| per step)",
        ),
        corrected: Some(
            "a bound at the minimum alone is not enough: on the report's quartic surface lr = 0.1 satisfies it (2/λ_max = 1) yet diverges from (10, 0), where the curvature is 74",
        ),
        basis: None,
        tests: &["tests/report/figures.rs::gradient_descent_converges_linearly_to_a_minimum"],
        figure: Some("gradient_descent1"),
    },
    Claim {
        id: 34,
        section: "Saddle points",
        claim: "Along the green curve the saddle point looks like a local minimum, along the red curve like a local maximum",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "the two curves are the Hessian's eigen-directions: one positive and one negative eigenvalue",
        ),
        basis: None,
        tests: &[
            "tests/report/figures.rs::saddle_point_has_one_negative_and_one_positive_curvature",
        ],
        figure: Some("saddle_point"),
    },
    Claim {
        id: 35,
        section: "Gradient descent proceeds extremely slowly near a saddle point",
        claim: "Gradient descent proceeds slowly near a saddle point, so the x_n cluster more closely around the saddle",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "the time spent within r of the saddle grows like ln(r/ε)/ln(1 + lr·|λ₋|) as the start approaches the stable manifold at distance ε",
        ),
        basis: None,
        tests: &["tests/report/figures.rs::gradient_descent_lingers_near_the_saddle"],
        figure: Some("gradient_descent2"),
    },
    Claim {
        id: 36,
        section: "Example",
        claim: "Standard gradient descent does an excellent job of finding the minimum",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: None,
        basis: None,
        tests: SHAKING,
        figure: Some("sdg_0noise"),
    },
    Claim {
        id: 37,
        section: "Example",
        claim: "Shaken by N(0, 1) translations, SGD does not roll immediately into the basin but lingers along the ridge",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "on the report's surface the shaken runs never reach the basin floor: they settle near the minima of the translation-averaged surface, x₁ = ±√(c² − 3s²) = ±1, between the saddle and the true minima (±2, 0), and spend a measurable share of their steps near the saddle",
        ),
        basis: None,
        tests: SHAKING,
        figure: Some("sdg_1noise"),
    },
    Claim {
        id: 38,
        section: "Example",
        claim: "Shaken by N(0, 2²) translations, SGD converges fairly rapidly to the saddle point between the two minima",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "the shaking is strong enough that the surface's curvature at the saddle, averaged over the translation, turns positive",
        ),
        corrected: Some(
            "for the report's surface f = (x² − c²)²/(4c²) + y²/2 the translation-averaged surface has x-curvature −1 + 3s²/c² at the saddle, so it becomes a minimum for s > c/√3; this trap comes from the averaged surface (Jensen), not only from the post's zero-mean attractive noise",
        ),
        basis: None,
        tests: SHAKING,
        figure: Some("sdg_2noise"),
    },
    Claim {
        id: 39,
        section: "Attractive noise",
        claim: "After 1 iteration x is rescaled by 1 − σ or 1 + σ with equal probability",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: None,
        basis: None,
        tests: &["tests/analytic/analytic_discrete.rs::p_shrink_matches_enumeration"],
        figure: Some("stage_1_scr"),
    },
    Claim {
        id: 40,
        section: "Stationary distribution",
        claim: "The stationary distribution for (σ, ρ) = (√2, 0), a = 1, τ = −1 (the second curve of the figure)",
        verdict: Verdict::Wrong,
        note: Some("no such law"),
        condition: None,
        corrected: Some(
            "a = σ²/2: the Lyapunov rate is 0 and p ∝ (2y² + 1)^(−1/2) is not normalisable, so no stationary law exists; finite-time histograms keep spreading",
        ),
        basis: None,
        tests: &["tests/analytic/analytic_stationary.rs::existence_conditions"],
        figure: Some("stat_dist"),
    },
    Claim {
        id: 41,
        section: "Use ReLu's",
        claim: "ReLUs give piecewise-linear losses, which eliminates the attractive noise in the local update and dramatically changes the dynamics",
        verdict: Verdict::Holds,
        note: Some("for the stated model"),
        condition: None,
        corrected: Some(
            "with `f_j = −(a + ξ_j) w |x| − η_j x` (`optim::Optimizer::Relu`) the curvature noise becomes a kick `lr w ξ̄ sign(x)` that does not shrink with `x`: where smooth SGD is trapped (`σ² = 4 > 2a`) every ReLU run leaves. The diffusion limit is a Brownian motion with drift `a w sign x` and variance rate `lr(w²s_ξ² ± 2ρ w s_ξ s_η + s_η²)/B` on `x ≷ 0` (`optim::theory::ReluLimit`): exit in time of order `L/(a w)` instead of `ln(L/x₀)/a`; the discrete mean exit time converges to its exact value at rate `√lr`",
        ),
        basis: None,
        tests: &[
            "tests/optim/main.rs::relu_loss_removes_the_attractive_noise",
            "tests/optim/strategies.rs::relu_sgd_converges_to_a_kinked_brownian_motion",
            "tests/report/strategies.rs::relu_removes_the_attractive_noise",
        ],
        figure: Some("relu"),
    },
    Claim {
        id: 42,
        section: "Perturbed Stochastic Gradient Descent",
        claim: "Perturbation does not guarantee escape, but it increases the odds and greatly speeds passage through non-attractive saddles",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "in the diffusion limit the perturbation `p` adds `p²/lr` to `τ²` and leaves `σ` alone, so the trap condition `σ² > 2a` is unchanged: an attractive saddle keeps its Pearson IV stationary law for every `p` (at `σ² = 4`, `p/√lr = 2`: `P(|x_t| > 1)` stays at 0.70, the stationary mass 0.69). It does speed exits: at `σ² = 1` the mean exit time from `(−1, 1)` falls from 1.61 to 0.23 at `p/√lr = 2` (SDE 1.57 and 0.21)",
        ),
        basis: None,
        tests: &[
            "tests/optim/strategies.rs::perturbation_speeds_escape_but_keeps_the_trap",
            "tests/report/strategies.rs::perturbed_sgd_speeds_passage_but_guarantees_nothing",
        ],
        figure: Some("perturbed_sgd"),
    },
    Claim {
        id: 43,
        section: "Anneal the learning rate",
        claim: "Annealing the learning rate as ρ_n = ρ₀/n guarantees that we will escape the saddle point (eventually), but it may still take too long",
        verdict: Verdict::Holds,
        note: Some("with a power-law escape time"),
        condition: None,
        corrected: Some(
            "`Σρ_n` diverges while `Σρ_n²` converges, so `|x_n| ≈ Q|x₀ + S_∞| n^{aρ₀}` → ∞ a.s. (`optim::theory`): escape is certain, but `P(N > n) ~ C n^{−aρ₀}`, so for `aρ₀ ≤ 1` the mean escape time is infinite; `ρ₀/(1 + n/n₀)` has the exponent `aρ₀n₀`. Measured: `γ̂ = 0.52 ± 0.02` for `ρ₀ = 0.5` (predicted 0.5), `0.79 ± 0.02` for `ρ₀ = 0.015, n₀ = 50` (0.75)",
        ),
        basis: None,
        tests: &[
            "tests/optim/strategies.rs::annealed_escape_is_certain_with_a_power_tail",
            "tests/report/strategies.rs::annealing_escapes_with_a_power_tail",
        ],
        figure: Some("annealing"),
    },
    Claim {
        id: 44,
        section: "Stochastic Variance Reduction Gradient Descent (SVRGD)",
        claim: "SVRGD serves to correlate the two noises ξ and η",
        verdict: Verdict::Holds,
        note: Some("perfectly"),
        condition: None,
        corrected: Some(
            "in the finite-sum model the variance-reduced gradient is `−a x − ξ̄_J (x − x*)`: the slope noise `η` cancels exactly and is replaced by `−ξ̄_J x*`, perfectly correlated with the curvature noise (the `|ρ| = 1` case of the SDE within an inner loop)",
        ),
        basis: Some(
            "algebra; tests: SVRG is deterministic without curvature noise however large s_η is, and with inner loops of one step (x* = x) even with it",
        ),
        tests: &[
            "tests/optim/main.rs::svrg_cancels_the_slope_noise",
            "tests/optim/strategies.rs::svrg_needs_a_start_off_the_saddle_and_one_step_loops_are_gd",
        ],
        figure: Some("svrg"),
    },
    Claim {
        id: 45,
        section: "Increase the minibatch size",
        claim: "Using large minibatches greatly decreases the odds of being stuck at a saddle point: it reduces the attractive noise",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "in the diffusion limit `σ² = lr·s_ξ²·φ/B` (`φ = 1` with replacement, `(N − B)/(N − 1)` without), so the saddle attracts when `B/φ < lr·s_ξ²/(2a)`; at finite `lr` the discrete optimiser is trapped already below that noise (at `lr = 0.1`, `a = 1`, `B = 1`: `s_ξ* = 4.13` against the SDE's `4.47`, `s*² ≈ 2a/lr − 3a²`)",
        ),
        basis: None,
        tests: &[
            "tests/optim/main.rs::larger_minibatches_escape_the_trap",
            "tests/optim/strategies.rs::the_minibatch_crossover_is_where_the_sde_says",
            "tests/report/strategies.rs::larger_minibatches_raise_the_odds_and_the_full_batch_never_sticks",
            "tests/optim/main.rs::sgd_converges_to_its_diffusion_limit",
            "tests/optim/strategies.rs::the_law_at_a_fixed_time_converges_to_the_diffusion_limit",
            "tests/optim/main.rs::diffusion_limit_parameters",
            "tests/optim/main.rs::the_discrete_trap_threshold_differs_from_the_sde_at_finite_lr",
        ],
        figure: Some("minibatch"),
    },
    Claim {
        id: 46,
        section: "SVGRD guarantees that you will escape the saddle point",
        claim: "SVRG guarantees that you will escape the saddle point; in fact you expect to escape geometrically (in the outer loop)",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "the start is off the saddle, `x₀ ≠ 0`: η cancels and the curvature noise acts on `x − x*`, so from `x₀ = 0` every landmark stays at 0 (plain SGD escapes there through η); from `|x₀| = ε` escape to `L` takes about `ln(L/ε)/g` outer loops",
        ),
        corrected: Some(
            "the end of an inner loop is `x*(1 + Y)` with `Y` independent of `x*`, so `ln|x*_K| = ln|x*_0| + Σ ln(1 + Y_k)`: geometric growth by `g = E ln(1 + Y)` per outer loop (long loops: `Y` inverse gamma, `g = 0.800` at `σ² = 8`, measured `0.797 ± 0.013`). If `1 + lr(a + ξ_j) > 0` for every sample, every loop multiplies `|x*|` by at least `1 + lr·a` on every path: escape is certain",
        ),
        basis: None,
        tests: &[
            "tests/optim/strategies.rs::svrg_escapes_geometrically_in_the_outer_loop",
            "tests/optim/strategies.rs::svrg_needs_a_start_off_the_saddle_and_one_step_loops_are_gd",
            "tests/report/strategies.rs::svrg_inner_loops_are_inverse_gamma_and_escape_geometrically",
        ],
        figure: Some("svrg"),
    },
    Claim {
        id: 47,
        section: "Decrease the learning rate",
        claim: "A smaller learning rate doesn't guarantee that we will escape, it only increases the odds",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "the smaller rate is still above the trap threshold `lr* = 2aB/s_ξ²` (in the diffusion limit; the discrete threshold is lower)",
        ),
        corrected: Some(
            "the trap condition `σ² = lr s_ξ²/B > 2a` is linear in `lr`: below `lr* = 2aB/s_ξ²` the saddle repels (growth rate `a − σ²/2 > 0`) and escape is certain; above it the odds within a budget rise as `lr` falls. At finite `lr` the discrete threshold is lower (`B = 1`: the root of `E ln|1 + lr(a + ξ)| = 0`, `s*² ≈ 2a/lr − 3a²`)",
        ),
        basis: None,
        tests: &[
            "tests/optim/main.rs::the_discrete_trap_threshold_differs_from_the_sde_at_finite_lr",
            "tests/optim/strategies.rs::smaller_learning_rate_scales_the_attractive_noise_by_its_root",
            "tests/report/strategies.rs::smaller_learning_rates_escape_slower_and_the_discrete_trap_comes_first",
        ],
        figure: Some("learning_rate"),
    },
    Claim {
        id: 48,
        section: "Open questions",
        claim: "How does momentum affect the dynamics?",
        verdict: Verdict::Answered,
        note: Some("heavy ball"),
        condition: None,
        corrected: Some(
            "as `lr → 0` at fixed `β`, heavy ball is SGD at `lr_eff = lr/(1 − β)` (`y = x + βv/(1 − β)` is exactly SGD at `lr_eff`; no extra noise factor): `σ² = lr_eff s_ξ²/B`. The approach is slow, governed by `lr/(1 − β)²`: at `β = 0.9` the mean exit time is 26 % above the limit at `lr_eff = 0.005` and 13 % at `0.00125` (the velocity's memory moves the exit boundary out by `O(√lr_eff)`). The trap threshold falls below `2a(1 − β)/lr`: to second order in `a·lr/(1 − β)²`, `s*² ≈ 2a(1−β)/lr − a²(3 + 2β + 3β²)/(1 − β²)` (at `β = 0.9`, `lr = 10⁻⁴`: 1962, measured 1961 ± 15), but the expansion fails at `a·lr/(1 − β)² = 0.1` (`lr = 10⁻³`: it gives 162, the measured threshold is 183, not 200); and by `a·lr/(1 − β)² = 0.25` no noise level traps (at 0.2 one still does): at `lr = 0.01`, `β = 0.9` momentum escapes at `s_ξ = 6` and `10`, where SGD at its effective rate 0.1 is trapped",
        ),
        basis: Some(
            "thresholds and the no-trap boundary measured by Lyapunov exponents of the 2×2 random product; the tests check the bracket at one point and the no-trap case",
        ),
        tests: &[
            "tests/optim/strategies.rs::momentum_is_sgd_at_lr_over_one_minus_beta_in_the_limit",
            "tests/optim/strategies.rs::momentum_moves_the_trap_threshold",
        ],
        figure: None,
    },
    Claim {
        id: 49,
        section: "Open questions",
        claim: "What are the odds of the attractive noise being significantly strong? How are they affected by the dimensionality: is it less likely in high dimensions?",
        verdict: Verdict::Answered,
        note: Some("independent directions"),
        condition: None,
        corrected: Some(
            "in the local model with `k` unstable directions, each direction's law is the 1-D saddle SDE, so the saddle holds direction `i` (it reaches `r` before `R`) with the 1-D exact probability `p_i`; with independent directions it holds all of them with probability `Π p_i`, `p^k` for identical ones: a full trap is exponentially less likely in high dimensions. Measured for `k = 1…4` (`p = 0.821`: 0.823, 0.683, 0.549, 0.465 against `p^k` = 0.821, 0.675, 0.554, 0.455), and the number of attracted directions is Binomial(`k`, `p`); the box exit time is the minimum of the directions' exit times (`E[T] = ∫ Π P(T_i > t) dt`, measured)",
        ),
        basis: Some("correlated directions keep the marginals but not the product"),
        tests: &[
            "tests/landscape/escape_nd.rs::all_directions_attracted_is_a_product",
            "tests/landscape/escape_nd.rs::box_exit_time_is_the_minimum_of_independent_directions",
            "tests/report/landscape.rs::escape_nd_traps_all_directions_with_probability_p_to_the_k",
        ],
        figure: Some("escape_nd"),
    },
];

/// The claims of the crate's other seed documents (`../shared/seeds/001…004`: a Q&A,
/// lecture notes, lecture slides and a talk on Dauphin et al.) about optimisers near
/// saddles in `d` dimensions and about how rare minima are: the second table of
/// `docs/blog-claims.md`. The [`Claim::section`] names the seed; ids are numbered from 1
/// and printed as `S1`, `S2`, ….
pub const SEED_CLAIMS: &[Claim] = &[
    Claim {
        id: 1,
        section: "seed 003 (slides: GD at saddle points)",
        claim: "Gradient descent on `f = x₁² − x₂²` started on the stable axis gets stuck: it cannot escape the saddle point",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "exactly: `x₂ = 0` stays `0` at every step (in floating point too, for this diagonal Hessian) and `x₁` shrinks by `1 − 2η` per step, into `‖x‖ ≤ 10⁻¹²` after `⌈ln(0.5/10⁻¹²)/ln(1/(1 − 2η))⌉` steps; a start `10⁻¹²` off the axis escapes",
        ),
        basis: None,
        tests: &[
            "tests/landscape/quadratic.rs::gd_on_the_stable_axis_converges_to_the_saddle",
            "tests/report/landscape.rs::optimiser_paths_gd_newton_and_sfn",
        ],
        figure: Some("optimiser_paths"),
    },
    Claim {
        id: 2,
        section: "seed 003 (slides: GD at saddle points)",
        claim: "Started `ε` off the stable axis, gradient descent escapes, after a time that grows like `ln(1/ε)/|λ|`",
        verdict: Verdict::Holds,
        note: Some("constant measured"),
        condition: None,
        corrected: Some(
            "the unstable coordinate grows by `1 + η|λ|` per step, so `‖x‖` reaches `R` after `n = ⌈ln(R/ε)/ln(1 + η|λ|)⌉` steps (every measured `n` equals it, `ε = 10⁻² … 10⁻¹⁴`); in time `t = nη` this is `C·ln(R/ε)/|λ|` with `C = η|λ|/ln(1 + η|λ|)`: fitted 1.095, 1.0097, 1.0010 at `η = 0.1, 0.01, 0.001` (exact 1.097, 1.010, 1.001), so `C → 1` as `η → 0`; in steps, `ln(1/ε)/(η|λ|)`",
        ),
        basis: None,
        tests: &["tests/landscape/quadratic.rs::gd_escape_time_grows_like_log_one_over_epsilon"],
        figure: Some("optimiser_paths"),
    },
    Claim {
        id: 3,
        section: "seed 002 (lecture notes, CME 216)",
        claim: "Unless we approach the saddle point strictly along the positive-eigenvalue directions, we eventually fall away from it",
        verdict: Verdict::Holds,
        note: Some("measure zero"),
        condition: None,
        corrected: Some(
            "the stable manifold of gradient descent is the span of the positive-eigenvalue eigenvectors, a set of measure zero: 20 000 random starts near an index-2 saddle in `d = 5` all escape (99.9 % upper bound on the stuck fraction 5.4·10⁻⁴), while starts on the stable subspace are all attracted",
        ),
        basis: None,
        tests: &["tests/landscape/quadratic.rs::the_stable_manifold_has_measure_zero"],
        figure: None,
    },
    Claim {
        id: 4,
        section: "seed 002 (lecture notes, CME 216)",
        claim: "Near the saddle point the gradient becomes very small, so gradient descent takes very small steps and moves very slowly until it is far enough away",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some(
            "the small `|λ|` is the fastest unstable direction the start has a component along",
        ),
        corrected: Some(
            "the time to escape is `≈ ln(R/ε)/|λ_u|` with `λ_u` the most negative eigenvalue: against `|λ_u|` from 1 to 10⁻³ (index 1, `d = 3`) the mean escape time grows from 8.3 to 7 900, log-log slope −0.999; with a second unstable direction of eigenvalue −1 the slope is 0: a small `|λ|` slows the escape only if no steeper unstable direction exists",
        ),
        basis: None,
        tests: &[
            "tests/landscape/quadratic.rs::gd_escape_time_scales_like_one_over_the_unstable_eigenvalue",
            "tests/report/landscape.rs::escape_vs_lambda_gd_slows_and_sfn_does_not",
        ],
        figure: Some("escape_vs_lambda"),
    },
    Claim {
        id: 5,
        section: "seed 004 (talk on Dauphin et al.)",
        claim: "A step of gradient descent always points away from the saddle close to it",
        verdict: Verdict::HoldsIf,
        note: None,
        condition: Some("`f(x) < f(saddle)`, i.e. `xᵀHx < 0`"),
        corrected: Some(
            "the GD step `−ηHx` has radial component `−η xᵀHx/‖x‖ = −2η f(x)/‖x‖`: away from the saddle where `f < 0`, towards it where `f > 0` (in the stable directions), at every distance; what points away is the unstable component",
        ),
        basis: Some("algebra, checked at random points"),
        tests: &[
            "tests/landscape/quadratic.rs::gd_step_points_away_only_where_f_is_below_the_saddle",
        ],
        figure: None,
    },
    Claim {
        id: 6,
        section: "seed 002 (lecture notes, CME 216)",
        claim: "SGD's stochastic component allows moving away from the saddle point and resuming convergence",
        verdict: Verdict::Holds,
        note: Some("from the stable manifold"),
        condition: None,
        corrected: Some(
            "with Gaussian gradient noise (`s = 10⁻³`, `η = 0.1`) all 2 000 runs started exactly on the stable axis of `x₁² − x₂²` escape; noisy GD is the Euler–Maruyama scheme of the local saddle with `a_i = −λ_i`, `τ_i = √η s`, and its mean escape time from the saddle matches that SDE's exact value (at `η = 10⁻³`, `s = √10`: 1.828 ± 0.009 against 1.815); that noise can also trap is the post's point (the multiplicative noise of `optim`)",
        ),
        basis: None,
        tests: &[
            "tests/landscape/quadratic.rs::gradient_noise_frees_gd_but_not_newton",
            "tests/landscape/quadratic.rs::noisy_gd_escapes_like_its_diffusion_limit",
        ],
        figure: None,
    },
    Claim {
        id: 7,
        section: "seed 004 (talk on Dauphin et al.)",
        claim: "Newton's method rescales each direction by `1/λ_i`; where `λ_i < 0` its step points towards the saddle, which becomes an attractor",
        verdict: Verdict::Holds,
        note: None,
        condition: None,
        corrected: Some(
            "the Newton step on a quadratic is `−H⁻¹Hx = −x`: with `η = 1` every start lands on the saddle in one step, with `η = 0.5` every coordinate halves (2 000 random starts around an index-2 saddle in `d = 4`, all attracted in exactly 1 and 39 steps); with gradient noise it stays, fluctuating with variance `η²s²/(λ²(1 − (1 − η)²))` per direction (measured)",
        ),
        basis: None,
        tests: &[
            "tests/landscape/quadratic.rs::newton_is_attracted_by_the_saddle",
            "tests/landscape/quadratic.rs::gradient_noise_frees_gd_but_not_newton",
        ],
        figure: Some("optimiser_paths"),
    },
    Claim {
        id: 8,
        section: "seed 004 (talk on Dauphin et al.)",
        claim: "Saddle-free Newton, `x ← x − |H|⁻¹∇f`, is identical to Newton where `H` is positive definite but escapes saddle points",
        verdict: Verdict::Holds,
        note: Some("rate independent of |λ|"),
        condition: None,
        corrected: Some(
            "the unstable coordinate grows by exactly `1 + η` per step whatever `λ` is: 35 steps from `10⁻⁶` to 1 at `η = 0.5` for `|λ|` from 10⁻³ to 10, where GD's steps grow 8 000-fold; damped (`(|H| + μI)⁻¹`) the factor is `1 + η|λ|/(|λ| + μ)`: independent of `λ` only for `|λ| ≫ μ`, GD at `η/μ` for `|λ| ≪ μ` (measured steps equal the prediction)",
        ),
        basis: None,
        tests: &[
            "tests/landscape/quadratic.rs::saddle_free_newton_escapes_at_a_rate_independent_of_lambda",
            "tests/report/landscape.rs::escape_vs_lambda_gd_slows_and_sfn_does_not",
        ],
        figure: Some("escape_vs_lambda"),
    },
    Claim {
        id: 9,
        section: "seed 004 (talk on Dauphin et al.)",
        claim: "Damped Newton (`(H + μI)⁻¹`), one of the methods the talk compares, near a saddle",
        verdict: Verdict::Answered,
        note: None,
        condition: None,
        corrected: Some(
            "an unstable direction's factor is `1 + η|λ|/(μ − |λ|)` for `|λ| < μ` (escapes) and `1 − η|λ|/(|λ| − μ)` for `|λ| > μ`, attracted iff `|λ| > 2μ/(2 − η)`: damping frees Newton only from the flat unstable directions (`μ = 0.5`, `η = 1`: `λ = −0.3`, `−0.8` escape, `−1.5` is attracted, as simulated)",
        ),
        basis: None,
        tests: &["tests/landscape/quadratic.rs::damped_newton_escapes_only_below_its_threshold"],
        figure: None,
    },
    Claim {
        id: 10,
        section: "seed 002 (lecture notes, CME 216)",
        claim: "Assume the signs of the Hessian's eigenvalues are random: the probability that all are positive is only `1/2ⁿ`, so local minima are quite rare",
        verdict: Verdict::Wrong,
        note: Some("far too large"),
        condition: None,
        corrected: Some(
            "for a random symmetric (GOE) Hessian the eigenvalues repel and their signs are far from independent: `P_n = P(positive definite)` is ½ at `n = 1`, `(2 − √2)/4 = 0.1464` at `n = 2` (measured 0.14676 ± 0.00035 from 10⁶ eigen-decompositions), then 0.0248, 2.44·10⁻³, 1.40·10⁻⁴, 4.53·10⁻⁶, 9.0·10⁻⁸ and `(9.63 ± 0.20)·10⁻¹⁰` at `n = 8` (exact, by de Bruijn's Pfaffian, 9.69·10⁻¹⁰): `2⁻ⁿ` overstates it 5× at `n = 3` and `4·10⁶`× at `n = 8`. `ln P_n ≈ −θn² + an + b` with `θ` fitted 0.2735 ± 0.0008 over `n = 3 … 12`, against Dean and Majumdar's `ln 3/4 = 0.2747`: minima are rarer than the heuristic says, like `e^{−θn²}` rather than `2⁻ⁿ` (always `P_n ≤ 2⁻ⁿ`)",
        ),
        basis: Some(
            "beyond `n ≈ 6` plain Monte Carlo sees no hits; the estimates there come from a sequential conditional (importance) sampler with resampling, unbiased, errors from independent repetitions",
        ),
        tests: &[
            "tests/landscape/goe.rs::exact_values_at_n_1_and_2",
            "tests/landscape/goe.rs::estimators_agree_with_the_exact_reference",
            "tests/landscape/goe.rs::independence_heuristic_is_rejected",
            "tests/landscape/goe.rs::large_deviation_rate_is_ln3_over_4",
            "tests/report/landscape.rs::goe_positive_definite_against_the_heuristic",
        ],
        figure: Some("goe_positive_definite"),
    },
    Claim {
        id: 11,
        section: "seed 003 (slides: GD at saddle points)",
        claim: "The expected ratio of the number of saddle points to local minima grows exponentially with the dimension (also seed 001, and seed 004's claim that saddles proliferate)",
        verdict: Verdict::Holds,
        note: Some("faster: like e^{θn²}"),
        condition: None,
        corrected: Some(
            "in the random-matrix model (a critical point's Hessian drawn from the GOE, with no energy shift) saddles per minimum are `P(0 < index < n)/P(index = 0) = (1 − 2P_n)/P_n`: 4.8 at `n = 2`, 408 at `n = 4`, 1.04·10⁹ at `n = 8`, against the independence heuristic's `2ⁿ − 2` (254 at `n = 8`): the ratio grows faster than exponentially. For real loss surfaces the index depends on the loss value (Bray and Dean's shifted semicircle), which this model does not include",
        ),
        basis: None,
        tests: &[
            "tests/landscape/goe.rs::saddles_per_minimum",
            "tests/report/landscape.rs::goe_positive_definite_against_the_heuristic",
        ],
        figure: Some("goe_positive_definite"),
    },
];

/// The test of the shaken-surface figures (rows 36–38).
const SHAKING: &[&str] = &["tests/report/figures.rs::shaking_traps_sgd_at_the_saddle"];

/// The header of `docs/blog-claims.md`, before the claims table.
const HEADER: &str = "\
# The blog post's claims, checked

<!-- Generated from saddle_sde::claims; edit src/claims.rs, not this file. -->

Source: *Saddle Points and Stochastic Gradient Descent* (the spec of this crate).
Model: `dx = a x dt + σ x dW + τ dU` (Itô), `corr(W, U) = ρ`; `μ = ρτ/σ`,
`ω = τ√(1−ρ²)`, `y = x + μ`.

Verdicts: **holds**; **holds if …** (only under a stated condition); **wrong** (with the
corrected statement). Tests are named `FILE::function`, `FILE` a test file of the
repository (`FILE::*`: every test in the file; `FILE::prefix_*`: every test whose name
starts so); run one with `cargo test --release --test GROUP -- MODULE::function` for
`tests/GROUP/MODULE.rs`. Every test listed runs in `cargo test --release`. The Figure
column names the figure of `saddle report` that shows the claim.

This file is generated from `saddle_sde::claims` by
`cargo run --release -- claims > docs/blog-claims.md`, and a test (`tests/claims/main.rs`)
checks that it is up to date; `saddle report` writes the same rows to `claims.json`
(`saddle claims --json` prints them).
";

/// The heading and introduction of the second table ([`SEED_CLAIMS`]).
const SEEDS_INTRO: &str = "
## Statements of the other seed documents

The crate was also built from four shorter documents about optimisers near saddles in
`d` dimensions: a Q&A (seed 001), lecture notes (seed 002, CME 216), lecture slides
(seed 003) and a talk on Dauphin et al., *Identifying and attacking the saddle point
problem* (seed 004). Their claims are checked in `d` dimensions by
`saddle_sde::landscape` (optimisers on quadratic saddles, random Hessians); the Seed
column names the document. `saddle claims --json --seeds` prints these rows, and
`saddle report` writes them to `seed-claims.json`.
";

/// The sentence before the Figures table.
const FIGURES_INTRO: &str = "\
`saddle report` draws each figure under its name (the last column), beside the claims
above that name it; where the post states no parameters, the report chooses them and
states them in the caption. A figure whose claims are all `not checked` is listed there
but not drawn.
";

/// `s` as a table cell: every `|` escaped (GitHub's tables split cells at a bare `|`
/// even inside inline code, and show `\|` as `|` there too).
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// `docs/blog-claims.md`: the header, the claims table ([`CLAIMS`]), the table of the
/// other seed documents' claims ([`SEED_CLAIMS`]) and the figures table
/// ([`FIGURE_NOTES`]).
pub fn markdown() -> String {
    let mut s = String::from(HEADER);
    s.push_str("\n## Statements\n\n");
    s.push_str("| # | Statement in the post | Section | Verdict | Corrected / precise statement | Test | Figure |\n");
    s.push_str("|---|---|---|---|---|---|---|\n");
    for c in CLAIMS {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            cell(c.claim),
            cell(c.section),
            cell(&c.verdict_markdown()),
            cell(c.corrected.unwrap_or("—")),
            cell(&c.tests_markdown()),
            c.figure
                .map_or_else(|| "—".to_string(), |f| format!("`{f}`")),
        );
    }
    s.push_str(SEEDS_INTRO);
    s.push_str(
        "\n| # | Statement | Seed | Verdict | Corrected / precise statement | Test | Figure |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|\n");
    for c in SEED_CLAIMS {
        let _ = writeln!(
            s,
            "| S{} | {} | {} | {} | {} | {} | {} |",
            c.id,
            cell(c.claim),
            cell(c.section),
            cell(&c.verdict_markdown()),
            cell(c.corrected.unwrap_or("—")),
            cell(&c.tests_markdown()),
            c.figure
                .map_or_else(|| "—".to_string(), |f| format!("`{f}`")),
        );
    }
    s.push_str("\n## Figures\n\n");
    s.push_str(FIGURES_INTRO);
    s.push_str("\n| File | What it shows | Stated parameters | Can the parameters produce it? | In the report |\n");
    s.push_str("|---|---|---|---|---|\n");
    for f in FIGURE_NOTES {
        let names: Vec<String> = f.report.iter().map(|n| format!("`{n}`")).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            cell(f.files),
            cell(f.shows),
            cell(f.parameters),
            cell(f.reproducible),
            names.join(", "),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_figure(name: &str) -> bool {
        crate::report::SECTIONS.iter().any(|s| s.name == name)
    }

    #[test]
    fn ids_are_consecutive_from_one() {
        for (i, c) in CLAIMS.iter().enumerate() {
            assert_eq!(
                c.id as usize,
                i + 1,
                "claim {} is at position {}",
                c.id,
                i + 1
            );
        }
    }

    #[test]
    fn seed_ids_are_consecutive_from_one() {
        for (i, c) in SEED_CLAIMS.iter().enumerate() {
            assert_eq!(c.id as usize, i + 1, "seed claim S{}", c.id);
            assert!(c.section.starts_with("seed 00"), "S{}: {}", c.id, c.section);
            assert_eq!(c.label(), format!("S{}", c.id));
        }
        for c in CLAIMS {
            assert_eq!(c.label(), c.id.to_string());
        }
    }

    #[test]
    fn a_condition_exactly_for_holds_if() {
        for c in CLAIMS.iter().chain(SEED_CLAIMS) {
            assert_eq!(
                c.verdict == Verdict::HoldsIf,
                c.condition.is_some(),
                "claim {}: verdict {:?}, condition {:?}",
                c.id,
                c.verdict,
                c.condition
            );
        }
    }

    #[test]
    fn figures_are_the_reports() {
        for c in CLAIMS.iter().chain(SEED_CLAIMS) {
            if let Some(f) = c.figure {
                assert!(is_figure(f), "claim {}: unknown figure {f}", c.id);
            }
        }
        for n in FIGURE_NOTES {
            for f in n.report {
                assert!(is_figure(f), "figure note {}: unknown figure {f}", n.files);
            }
        }
    }

    #[test]
    fn test_references_are_file_and_function() {
        for c in CLAIMS {
            for t in c.tests {
                let (file, func) = t.split_once("::").unwrap_or(("", ""));
                assert!(
                    file.starts_with("tests/") && file.ends_with(".rs") && !func.is_empty(),
                    "claim {}: {t} is not FILE::function",
                    c.id
                );
                assert!(
                    !func.contains("::") && !func.contains(' '),
                    "claim {}: {t}",
                    c.id
                );
            }
        }
    }

    #[test]
    fn a_wrong_claim_is_corrected_and_cells_are_one_line() {
        for c in CLAIMS {
            if c.verdict == Verdict::Wrong {
                assert!(
                    c.corrected.is_some(),
                    "claim {} is wrong without a correction",
                    c.id
                );
            }
            let cells = [
                Some(c.claim),
                Some(c.section),
                c.note,
                c.condition,
                c.corrected,
                c.basis,
            ];
            for cell in cells.into_iter().flatten().chain(c.tests.iter().copied()) {
                assert!(!cell.contains('\n'), "claim {}: a cell spans lines", c.id);
                assert!(!cell.is_empty(), "claim {}: an empty cell", c.id);
            }
        }
    }

    #[test]
    fn markdown_has_a_row_per_claim() {
        let md = markdown();
        assert!(md.ends_with('\n'));
        for c in CLAIMS {
            let start = format!("| {} | {} |", c.id, cell(c.claim));
            assert_eq!(md.matches(&start).count(), 1, "claim {}", c.id);
        }
        assert!(md.contains("| 5 | "));
        assert!(md.contains("**holds if** `0 < σ < √2`"));
        assert!(md.contains("**wrong** (factor 2)"));
        assert!(md.contains("holds (almost-sure rate)"));
        assert!(md.contains("— (algebra)"));
        // `|x₂| < |x₀|` in row 5, escaped so that GitHub keeps the cell whole
        assert!(md.contains(r"`\|x₂\| < \|x₀\|`"));
    }

    #[test]
    fn claims_by_figure() {
        let ids: Vec<u32> = for_figure("stat_dist").map(|c| c.id).collect();
        assert_eq!(ids, [21, 40]);
        assert_eq!(for_figure("no such figure").count(), 0);
    }
}

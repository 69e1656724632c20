//! The figures of the other seed documents: `optimiser_paths`, `escape_vs_lambda`,
//! `escape_nd` (and `hessian_pd`). Each test builds the figure in quick mode and asserts
//! the checks that carry the verdicts of the rows citing it.

use crate::{assert_sound, build, check};
use saddle_sde::report::Settings;

/// Rows S1, S2, S7: GD on the stable axis converges to the saddle, GD ε off it and
/// saddle-free Newton escape after the predicted number of steps, Newton is attracted.
#[test]
fn optimiser_paths_gd_newton_and_sfn() {
    let f = build("optimiser_paths", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "GD on the stable axis").passed);
    assert!(check(&f, "GD from ε").passed);
    assert!(check(&f, "Newton (η = 0.5) is attracted").passed);
    assert!(check(&f, "saddle-free Newton leaves").passed);
}

/// Rows S4, S8: GD's escape steps grow like 1/|λ|; saddle-free Newton's do not depend
/// on |λ|; every count equals the exact one.
#[test]
fn escape_vs_lambda_gd_slows_and_sfn_does_not() {
    let f = build("escape_vs_lambda", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "every measured step count").passed);
    assert!(check(&f, "GD: log-log slope").passed);
    assert!(check(&f, "independent of |λ|").passed);
}

/// Row 49: P(every unstable direction attracted) = p^k for independent directions.
/// The check fails if any of the six Wilson intervals (confidence 1 − 2·10⁻⁶/6 each)
/// misses p^k.
#[test]
fn escape_nd_traps_all_directions_with_probability_p_to_the_k() {
    let f = build("escape_nd", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "P(all k attracted) = p^k").passed);
    assert!(check(&f, "power: the one-direction value p").passed);
    assert!(check(&f, "falls as unstable directions are added").passed);
}

/// Rows S10, S11: P(a GOE matrix is positive definite) against 2⁻ⁿ and the
/// large-deviation rate, and saddles per minimum. Every check of the figure must pass
/// (each states its statistic and level).
#[test]
fn goe_positive_definite_against_the_heuristic() {
    let f = build("goe_positive_definite", &Settings::quick(1));
    assert_sound(&f);
    assert!(check(&f, "P_2 = (2 − √2)/4").passed);
    assert!(check(&f, "2⁻ⁿ is rejected for every n ≥ 2").passed);
    assert!(check(&f, "the fit ln P_n").passed);
    assert!(check(&f, "saddles per minimum").passed);
    assert!(f.all_passed());
}

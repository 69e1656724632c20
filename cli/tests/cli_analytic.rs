//! `saddle analytic` end to end: the JSON schema, that every number equals the library
//! value, and one-line errors naming the parameter.

use saddle_sde::analytic::coin_flip::CoinFlip;
use saddle_sde::analytic::inverse_gamma_limit::InverseGammaLimit;
use saddle_sde::analytic::saddle::{mean, variance};
use saddle_sde::analytic::stationary::StationaryLaw;
use saddle_sde::models::SaddleSde;
use statrs::distribution::{Continuous, ContinuousCDF};
mod common;

/// Runs `saddle analytic ARGS…`.
fn run(args: &[&str]) -> std::process::Output {
    common::saddle(&[&["analytic"], args].concat())
}

/// Runs `saddle analytic ARGS…`, which must succeed, and parses its JSON.
fn json(args: &[&str]) -> serde_json::Value {
    common::json(&[&["analytic"], args].concat())
}

#[test]
fn pearson_case_matches_library() {
    let v = json(&[
        "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0.95", "--x0", "0.1", "--t", "1",
        "--steps", "4", "--json",
    ]);
    let sde = SaddleSde::new(1.0, 2.0, -1.0, 0.95).unwrap();
    let law = StationaryLaw::new(&sde).unwrap();
    assert_eq!(v["lyapunov_rate"], -1.0);
    assert_eq!(v["mean"].as_f64().unwrap(), mean(&sde, 0.1, 1.0));
    assert_eq!(v["variance"].as_f64().unwrap(), variance(&sde, 0.1, 1.0));
    let s = &v["stationary"];
    assert_eq!(s["family"], "Pearson type IV");
    assert_eq!(s["mode"].as_f64().unwrap(), law.mode());
    assert_eq!(s["median"].as_f64().unwrap(), law.median());
    assert_eq!(s["density_at_0"].as_f64().unwrap(), law.pdf(0.0));
    assert_eq!(s["cdf_at_0"].as_f64().unwrap(), law.cdf(0.0));
    assert!(v["inverse_gamma_limit"].is_null());
    assert_eq!(v["coin_flip"]["steps"], 4);
    assert_eq!(
        v["coin_flip"]["p_shrink"].as_f64().unwrap(),
        CoinFlip::new(2.0).unwrap().p_shrink(4).unwrap()
    );
}

#[test]
fn inverse_gamma_case_and_boundary() {
    let v = json(&[
        "--a", "1", "--sigma", "2", "--tau", "-2", "--rho", "1", "--x0", "0", "--t", "2", "--json",
    ]);
    let law = InverseGammaLimit::new(&SaddleSde::new(1.0, 2.0, -2.0, 1.0).unwrap()).unwrap();
    let g = &v["inverse_gamma_limit"];
    assert_eq!(g["shape"].as_f64().unwrap(), law.shape());
    assert_eq!(g["scale"].as_f64().unwrap(), law.scale());
    assert_eq!(g["shift"].as_f64().unwrap(), law.shift());
    assert_eq!(g["sign"], 1);
    assert_eq!(g["mode"].as_f64().unwrap(), law.mode());
    assert!(v["stationary"].is_null());
    assert!(v["coin_flip"].is_null());
    // the blog's σ = √2 figure: a = σ²/2, no stationary law
    let v = json(&[
        "--a",
        "1",
        "--sigma",
        "1.4142135623730951",
        "--tau",
        "-1",
        "--rho",
        "0",
        "--x0",
        "0",
        "--t",
        "1",
        "--json",
    ]);
    assert!(v["stationary"].is_null());
}

#[test]
fn table_output_without_json() {
    let out = run(&[
        "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0", "--x0", "0", "--t", "1",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("lyapunov_rate") && text.contains("stationary.family"));
}

#[test]
fn invalid_input_exits_nonzero_naming_the_parameter() {
    for (args, name) in [
        (
            vec![
                "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "1.5", "--x0", "0", "--t", "1",
            ],
            "rho",
        ),
        (
            vec![
                "--a", "1", "--sigma", "-2", "--tau", "-1", "--rho", "0", "--x0", "0", "--t", "1",
            ],
            "sigma",
        ),
        (
            vec![
                "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0", "--x0", "0", "--t", "-1",
            ],
            "t",
        ),
        (
            vec![
                "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0", "--x0", "nan", "--t", "1",
            ],
            "x0",
        ),
        (
            vec![
                "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0", "--x0", "0", "--t", "1",
                "--steps", "0",
            ],
            "steps",
        ),
        (
            vec![
                "--a", "1", "--sigma", "2", "--tau", "-1", "--rho", "0", "--x0", "0", "--t", "1e6",
            ],
            // an overflow names the term that overflows and the parameters it grows with
            // (here the τ² term: x0 = 0 removes the others), not t alone
            "its term τ² φ(2a + σ², t) overflows ((2a + σ²)t = 6.000000e6",
        ),
    ] {
        let out = run(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        let want = if name.contains(' ') {
            name.to_string()
        } else {
            format!("parameter {name} =")
        };
        assert!(err.contains(&want), "{err}");
    }
}

#[test]
fn gaussian_stationary_law_without_multiplicative_noise() {
    let v = json(&[
        "--a", "-2", "--sigma", "0", "--tau", "2", "--rho", "0", "--x0", "0", "--t", "1", "--json",
    ]);
    let n = saddle_sde::analytic::stationary::gaussian_limit(
        &SaddleSde::new(-2.0, 0.0, 2.0, 0.0).unwrap(),
    )
    .unwrap();
    assert_eq!(v["stationary"]["family"], "Gaussian");
    assert_eq!(
        v["stationary"]["density_at_0"].as_f64().unwrap(),
        n.pdf(0.0)
    );
    assert_eq!(v["stationary"]["cdf_at_0"].as_f64().unwrap(), n.cdf(0.0));
}

#[test]
fn coin_flip_needs_only_sigma_and_steps() {
    // the command docs/blog-claims.md suggests for the stage_n figure
    let v = json(&["--steps", "10", "--sigma", "0.1", "--json"]);
    let p = v["coin_flip"]["p_shrink"].as_f64().unwrap();
    assert_eq!(p, CoinFlip::new(0.1).unwrap().p_shrink(10).unwrap());
    assert!((p - 0.6230).abs() < 5e-5);
    assert!(v["mean"].is_null() && v["not_computed"]["mean"].is_string());
    let out = run(&["--steps", "10", "--sigma", "0.1"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("mean: not computed, needs --a, --tau, --rho, --x0, --t"),
        "{text}"
    );
}

#[test]
fn nothing_to_compute_is_an_error_listing_the_options() {
    let out = run(&[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--steps"));
}

#[test]
fn does_not_exist_prints_the_library_reason() {
    let out = run(&[
        "--a",
        "1",
        "--sigma",
        "1.4142135623730951",
        "--tau",
        "-1",
        "--rho",
        "0",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let sde = SaddleSde::new(1.0, std::f64::consts::SQRT_2, -1.0, 0.0).unwrap();
    let why = StationaryLaw::new(&sde).unwrap_err().to_string();
    assert!(text.contains(&why), "{text}");
    let v = json(&[
        "--a",
        "1",
        "--sigma",
        "1.4142135623730951",
        "--tau",
        "-1",
        "--rho",
        "0",
        "--json",
    ]);
    assert_eq!(v["does_not_exist"]["stationary"], why.as_str());
}

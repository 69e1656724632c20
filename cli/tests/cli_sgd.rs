//! `saddle sgd`: the JSON record, thread-count invariance and one-line errors.

mod common;

use common::{json, saddle};

const QUICK: &[&str] = &["sgd", "--runs", "2000", "--json"];

#[test]
fn json_has_the_documented_fields() {
    let v = json(QUICK);
    for key in ["p_exit_upper", "p_exit_lower", "mean_exit_steps"] {
        assert!(
            v[key]["estimate"].is_f64() && v[key]["stderr"].is_f64(),
            "{key}"
        );
    }
    assert!(v["censored"].is_u64());
    let sde = &v["sde"];
    for key in [
        "sigma",
        "tau",
        "rho",
        "p_exit_upper",
        "mean_exit_time",
        "mean_exit_steps",
    ] {
        assert!(sde[key].is_f64(), "sde.{key}");
    }
    // defaults: s_ξ = 10, s_η = 5, lr = 0.01, B = 1: σ = 1, τ = 0.5 (W1)
    assert!((sde["sigma"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!((sde["tau"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    // SVRG, annealed rates and the ReLU loss are not a saddle SDE: null, not a guess;
    // each has its own limit block instead
    for (o, block) in [
        ("svrg", "svrg_limit"),
        ("annealed", "tail"),
        ("relu", "relu_limit"),
    ] {
        let v = json(&["sgd", "--runs", "300", "--json", "--optimizer", o]);
        assert!(v["sde"].is_null(), "{o}");
        assert!(v[block].is_object(), "{o}: {block}");
        assert_eq!(v["runs"], 300);
    }
    // momentum: SGD at lr/(1 − β), one step = lr/(1 − β)
    let v = json(&[
        "sgd",
        "--runs",
        "300",
        "--json",
        "--optimizer",
        "momentum",
        "--beta",
        "0.5",
    ]);
    let tps = v["sde"]["time_per_step"].as_f64().unwrap();
    assert!((tps - 0.02).abs() < 1e-15, "{tps}");
    assert!((v["sde"]["sigma"].as_f64().unwrap() - 2f64.sqrt()).abs() < 1e-12);
    // the ReLU limit's exact values are there
    let v = json(&["sgd", "--runs", "300", "--json", "--optimizer", "relu"]);
    assert!(v["relu_limit"]["mean_exit_time"].as_f64().unwrap() > 0.0);
}

#[test]
fn results_do_not_depend_on_threads() {
    let mut one = QUICK.to_vec();
    one.extend(["--threads", "1"]);
    let mut two = QUICK.to_vec();
    two.extend(["--threads", "2"]);
    assert_eq!(json(&one), json(&two));
}

#[test]
fn bad_input_is_one_line_naming_the_parameter() {
    for (args, name) in [
        (vec!["--lr", "0"], "lr = 0"),
        (vec!["--batch", "0"], "batch = 0"),
        (vec!["--rho", "2"], "rho = 2"),
        (vec!["--x0", "5"], "x0 = 5"),
        (vec!["--samples", "2"], "samples = 2"),
        (vec!["--optimizer", "perturbed"], "perturb"),
        (vec!["--optimizer", "momentum", "--beta", "1"], "beta = 1"),
        (vec!["--optimizer", "svrg", "--inner", "0"], "inner = 0"),
        (vec!["--optimizer", "relu", "--width", "-1"], "width = -1"),
        (
            vec!["--batch", "20", "--samples", "10", "--without-replacement"],
            "batch = 20",
        ),
    ] {
        let mut a = vec!["sgd", "--runs", "10"];
        a.extend(args);
        let out = saddle(&a);
        assert!(!out.status.success(), "{a:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{a:?}: {err}");
        assert!(err.contains(name), "{a:?}: {err}");
    }
}

/// Where the limit's diffusion vanishes inside the interval (no slope noise, |ρ| = 1, the
/// full batch) there is no exact reference: the run still happens, and the reference is
/// null with a note.
#[test]
fn runs_without_an_exact_reference_still_run() {
    for extra in [
        vec!["--s-eta", "0"],
        vec!["--rho", "1"],
        vec![
            "--samples",
            "50",
            "--batch",
            "50",
            "--without-replacement",
            "--max-steps",
            "2000",
        ],
        vec!["--s-xi", "0", "--s-eta", "0", "--max-steps", "2000"],
    ] {
        let mut a = vec!["sgd", "--runs", "200", "--json"];
        a.extend(extra.iter().copied());
        let v = json(&a);
        assert_eq!(v["runs"], 200, "{extra:?}");
        assert!(v["sde"]["sigma"].is_f64(), "{extra:?}");
        assert!(v["sde"]["p_exit_upper"].is_null(), "{extra:?}");
        assert!(
            v["sde"]["note"]
                .as_str()
                .unwrap()
                .contains("no exact exit values"),
            "{extra:?}"
        );
    }
}

/// An option the chosen optimiser does not use is named in a warning on stderr, and the
/// run goes on (the result is that of the run without it).
#[test]
fn ignored_options_are_named() {
    let out = saddle(&[
        "sgd", "--runs", "100", "--json", "--beta", "0.5", "--width", "2",
    ]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--beta is ignored without --optimizer momentum"),
        "{err}"
    );
    assert!(
        err.contains("--width is ignored without --optimizer relu"),
        "{err}"
    );
    let plain = json(&["sgd", "--runs", "100", "--json"]);
    let with: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plain, with);
}

/// Output into a pipe that is already closed (`saddle sgd | head` after head exits) ends
/// the process with status 141, as SIGPIPE would, and no panic message.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_saddle"))
        .args(["sgd", "--runs", "2000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run saddle");
    drop(child.stdout.take()); // the reader goes away before any output
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(141), "{err}");
}

//! `saddle hessian`: the JSON record, the table, thread-count invariance and one-line
//! errors.

mod common;

use common::{json, saddle};

/// A small run: n = 1 … 4, the resampled estimator to n = 6 for the fit.
const QUICK: &[&str] = &[
    "hessian",
    "--max-n",
    "4",
    "--samples",
    "20000",
    "--particles",
    "100",
    "--replicates",
    "10",
    "--fit-to",
    "6",
    "--json",
];

#[test]
fn json_has_the_documented_fields() {
    let v = json(QUICK);
    let n: Vec<u64> = v["n"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    assert_eq!(n, [1, 2, 3, 4]);
    // the record: estimates with standard errors, the exact values, 2⁻ⁿ
    let p = v["p_positive_definite"].as_array().unwrap();
    assert_eq!(p.len(), 4);
    for e in p {
        assert!(e["estimate"].is_f64() && e["stderr"].is_f64(), "{e}");
    }
    let exact = v["exact"].as_array().unwrap();
    assert_eq!(exact[0].as_f64(), Some(0.5));
    let p2 = exact[1].as_f64().unwrap();
    assert!((p2 - (2.0 - 2f64.sqrt()) / 4.0).abs() < 1e-16, "{p2}");
    assert!(exact[2].is_null() && exact[3].is_null());
    let signs: Vec<f64> = v["independent_signs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(signs, [0.5, 0.25, 0.125, 0.0625]);
    // the extras, one per n
    for key in [
        "hits",
        "wilson95",
        "index_counts",
        "conditional",
        "resampled",
        "heuristic_factor",
        "saddles_per_minimum",
        "saddles_per_minimum_resampled",
        "saddles_per_minimum_independent_signs",
        "large_deviation",
    ] {
        assert_eq!(v[key].as_array().map(Vec::len), Some(4), "{key}");
    }
    // the plain estimate is hits/samples; the index counts add up to the samples
    for k in 0..4 {
        let hits = v["hits"][k].as_u64().unwrap();
        assert_eq!(v["index_counts"][k][0].as_u64(), Some(hits));
        let total: u64 = v["index_counts"][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum();
        assert_eq!(total, 20_000);
        assert_eq!(p[k]["estimate"].as_f64(), Some(hits as f64 / 20_000.0));
        let w = &v["wilson95"][k];
        assert!(w["lower"].as_f64().unwrap() <= w["upper"].as_f64().unwrap());
        assert!(v["resampled"][k]["estimate"]["stderr"].is_f64());
        assert!(v["conditional"][k]["effective_samples"].is_f64());
    }
    assert!(v["saddles_per_minimum"][0].is_null());
    assert!(v["saddles_per_minimum_resampled"][1]["estimate"].is_f64());
    assert_eq!(
        v["saddles_per_minimum_independent_signs"][3].as_f64(),
        Some(14.0)
    );
    // the fit over n = 3 … 6 and its inputs
    let fit = &v["ld_fit"];
    assert_eq!(
        (fit["from"].as_u64(), fit["to"].as_u64()),
        (Some(3), Some(6))
    );
    assert!(fit["theta"]["estimate"].is_f64() && fit["theta"]["stderr"].is_f64());
    assert_eq!(fit["ln_p"].as_array().map(Vec::len), Some(4));
    assert_eq!(fit["dof"].as_u64(), Some(1));
    assert!((v["ld_rate"].as_f64().unwrap() - 3f64.ln() / 4.0).abs() < 1e-16);
    for (key, value) in [
        ("samples", 20_000),
        ("conditional_samples", 20_000),
        ("particles", 100),
        ("replicates", 10),
        ("seed", 1),
    ] {
        assert_eq!(v[key].as_u64(), Some(value), "{key}");
    }
}

#[test]
fn results_do_not_depend_on_threads() {
    let mut one = QUICK.to_vec();
    one.extend(["--threads", "1"]);
    let mut two = QUICK.to_vec();
    two.extend(["--threads", "2"]);
    assert_eq!(json(&one), json(&two));
}

/// The table names every column and has one row per n, then the extended rows of the
/// fit and its summary.
#[test]
fn table_by_default() {
    let out = saddle(&QUICK[..QUICK.len() - 1]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "plain P̂ [Wilson 95 %]",
        "resampled ± s.e.",
        "2⁻ⁿ/P̂",
        "saddles/minimum",
        "2ⁿ − 2",
        "beyond --max-n",
        "fitted over n = 3 … 6",
        "ln 3/4 = 0.274653",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let rows = text
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.parse::<u32>().is_ok())
        })
        .count();
    assert_eq!(rows, 6, "{text}");
}

#[test]
fn bad_input_is_one_line_naming_the_parameter() {
    for (args, name) in [
        (vec!["--max-n", "0"], "max_n = 0"),
        (vec!["--max-n", "33"], "max_n = 33"),
        (vec!["--samples", "0"], "samples = 0"),
        (vec!["--particles", "1"], "particles = 1"),
        (vec!["--replicates", "1"], "replicates = 1"),
        (
            vec!["--conditional-samples", "1"],
            "conditional_samples = 1",
        ),
        (vec!["--fit-from", "1"], "fit_from = 1"),
        (vec!["--fit-from", "3", "--fit-to", "5"], "fit_to = 5"),
        (vec!["--fit-to", "40"], "fit_to = 40"),
        (vec!["--threads", "0"], "threads = 0"),
    ] {
        let mut a = vec!["hessian"];
        if args[0] != "--samples" {
            a.extend(["--samples", "10"]);
        }
        a.extend(args);
        let out = saddle(&a);
        assert!(!out.status.success(), "{a:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{a:?}: {err}");
        assert!(err.contains(name), "{a:?}: {err}");
    }
}

//! Runs that survive and scale: shards merged, and runs killed and resumed, give the
//! single uninterrupted run's result bit for bit; files of other runs, versions or
//! damaged files are refused by name.

mod common;

use common::{dir, ok, refused, saddle};
use serde_json::Value;
use std::path::Path;

/// The JSON result without its wall time (the only field that may differ).
fn result(stdout: &[u8]) -> Value {
    let mut v: Value = serde_json::from_slice(stdout).expect("one JSON value");
    if let Some(o) = v.as_object_mut() {
        o.remove("seconds");
    }
    v
}

const ESCAPE: &[&str] = &[
    "escape",
    "--paths",
    "30000",
    "--horizon",
    "5",
    "--seed",
    "11",
];
const SIMULATE: &[&str] = &[
    "simulate", "--paths", "30000", "--dt", "1e-2", "--seed", "12",
];

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn run(args: &[String]) -> Vec<u8> {
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn shards_merge_to_the_single_run_bit_for_bit() {
    let d = dir("parts-shards");
    for base in [ESCAPE, SIMULATE] {
        let whole = result(&run(&with(base, &["--json"])));
        for n in [1u32, 2, 3, 7] {
            let files: Vec<String> = (1..=n)
                .map(|k| {
                    d.join(format!("{}-{k}of{n}.part", base[0]))
                        .display()
                        .to_string()
                })
                .collect();
            for (k, f) in files.iter().enumerate() {
                let shard = format!("{}/{n}", k + 1);
                // different thread counts per shard: the result does not depend on them
                let threads = if k % 2 == 0 { "1" } else { "2" };
                run(&with(
                    base,
                    &["--shard", &shard, "--out", f, "--threads", threads],
                ));
            }
            let mut merge = vec!["merge".to_string(), "--json".to_string()];
            merge.extend(files.iter().rev().cloned()); // any order
            let merged = result(&run(&merge));
            assert_eq!(merged, whole, "{} in {n} shards", base[0]);
        }
    }
}

#[test]
fn bad_sets_of_shards_are_refused_by_name() {
    let d = dir("parts-bad");
    let f = |k: u32, n: u32| d.join(format!("s{k}of{n}.part")).display().to_string();
    for (k, n) in [(1, 3), (2, 3), (3, 3), (1, 2)] {
        run(&with(
            ESCAPE,
            &["--shard", &format!("{k}/{n}"), "--out", &f(k, n)],
        ));
    }
    let other = d.join("other.part").display().to_string();
    run(&with(
        &[
            "escape",
            "--paths",
            "30000",
            "--horizon",
            "5",
            "--seed",
            "12",
        ],
        &["--shard", "2/3", "--out", &other],
    ));

    let e = refused(&["merge", &f(1, 3), &f(3, 3)]);
    assert!(
        e.contains("missing") && e.contains(&f(1, 3)) && e.contains(&f(3, 3)),
        "{e}"
    );
    let e = refused(&["merge", &f(1, 3), &f(2, 3), &f(2, 3), &f(3, 3)]);
    assert!(e.contains("duplicated") && e.contains(&f(2, 3)), "{e}");
    let e = refused(&["merge", &f(1, 2), &f(2, 3), &f(3, 3)]);
    assert!(e.contains("overlapping"), "{e}");
    let e = refused(&["merge", &f(1, 3), &other, &f(3, 3)]);
    assert!(
        e.contains("different runs") && e.contains("seed") && e.contains(&other),
        "{e}"
    );
    let e = refused(&["merge", &f(2, 3), &f(3, 3)]);
    assert!(e.contains("missing"), "{e}");
    // a shard needs a file, and K/N must make sense
    let e = refused(
        &with(ESCAPE, &["--shard", "1/3"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(e.contains("--out"), "{e}");
    for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
        let out = saddle(
            &with(ESCAPE, &["--shard", bad, "--out", &f(9, 9)])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--shard"),
            "{bad}"
        );
    }
}

/// Rewrites a part file's header with `edit` and a fresh checksum.
fn rewrite(path: &Path, edit: impl Fn(&str) -> String) {
    let bytes = std::fs::read(path).unwrap();
    let body = &bytes[..bytes.len() - 4];
    let magic = body.iter().position(|&b| b == b'\n').unwrap() + 1;
    let nl = magic + body[magic..].iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&body[magic..nl]).unwrap();
    let mut out = body[..magic].to_vec();
    out.extend(edit(header).as_bytes());
    out.extend(&body[nl..]);
    let crc = crc32fast::hash(&out);
    out.extend(crc.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

#[test]
fn resuming_the_wrong_file_is_refused() {
    let d = dir("parts-wrong");
    let ck = d.join("ck.part");
    let ck_s = ck.display().to_string();
    // a complete checkpoint of a small run
    run(&with(ESCAPE, &["--checkpoint", &ck_s, "--json"]));
    let bytes = std::fs::read(&ck).unwrap();
    let try_with = |file: &Path, more: &[&str]| {
        let f = file.display().to_string();
        let mut a = with(ESCAPE, more);
        a.extend(["--resume".to_string(), f]);
        refused(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    // other parameters: the message names the parameter
    let e = try_with(&ck, &["--x0", "0.2"]);
    assert!(e.contains("x0") && e.contains("another run"), "{e}");
    // another subcommand
    let e = refused(&["simulate", "--resume", &ck_s]);
    assert!(e.contains("saddle escape"), "{e}");
    // another shard
    let e = try_with(
        &ck,
        &[
            "--shard",
            "1/2",
            "--out",
            &d.join("x.part").display().to_string(),
        ],
    );
    assert!(e.contains("shard"), "{e}");
    // truncated anywhere, or one byte changed anywhere: refused, never loaded
    let damaged = d.join("damaged.part");
    for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 5, bytes.len() - 1] {
        std::fs::write(&damaged, &bytes[..cut]).unwrap();
        let e = try_with(&damaged, &[]);
        assert!(
            e.contains("truncated") || e.contains("not a saddle part file"),
            "{cut}: {e}"
        );
    }
    for at in [3, 30, bytes.len() / 3, bytes.len() - 2] {
        let mut b = bytes.clone();
        b[at] ^= 0x10;
        std::fs::write(&damaged, &b).unwrap();
        let e = try_with(&damaged, &[]);
        assert!(
            e.contains("corrupted") || e.contains("not a saddle part file"),
            "{at}: {e}"
        );
    }
    // another version, with a valid checksum
    std::fs::write(&damaged, &bytes).unwrap();
    rewrite(&damaged, |h| {
        h.replacen(
            &format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\":\"0.0.1\"",
            1,
        )
    });
    let e = try_with(&damaged, &[]);
    assert!(e.contains("0.0.1") && e.contains("version"), "{e}");
    // not a part file at all
    std::fs::write(&damaged, b"{\"a\": 1}").unwrap();
    let e = try_with(&damaged, &[]);
    assert!(e.contains("not a saddle part file"), "{e}");
}

/// Kills a checkpointing run at 24 random points (SIGINT and SIGKILL alternately),
/// resuming each time, and compares the final result with the uninterrupted run.
#[test]
fn runs_killed_at_random_points_resume_to_the_same_bits() {
    common::kill::killed_and_resumed(
        &[
            "escape",
            "--paths",
            "200000",
            "--horizon",
            "20",
            "--seed",
            "5",
            "--json",
        ],
        24,
        2026,
    );
}

/// Without the `mpi` feature, `--mpi` is refused in one line that says how to build it
/// (with the feature, tests/cli_mpi.rs runs it under mpirun).
#[cfg(not(feature = "mpi"))]
#[test]
fn mpi_without_the_feature_is_refused() {
    let e = refused(&["escape", "--paths", "1000", "--mpi"]);
    assert!(e.contains("--features mpi"), "{e}");
}

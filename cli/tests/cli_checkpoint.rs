//! Checkpoints of the commands whose work is not one range of paths merged in a tree
//! (`escape-study`: table rows; `mlmc`: batches of an adaptive run) and of the
//! optimiser commands (`sgd`, `optimise`): killed at random points with SIGINT or
//! SIGKILL and resumed, each gives the uninterrupted run's result bit for bit; files of
//! other runs, commands or versions, damaged files and unfinished checkpoints without
//! --resume are refused by name.

mod common;

use common::kill::{killed_and_resumed, result};
use common::saddle;
use common::{dir, ok, refused};
use std::path::Path;

const STUDY: &[&str] = &[
    "escape-study",
    "--paths",
    "20000",
    "--ratios",
    "0.25,0.5,0.75,1.5",
    "--radii",
    "0.5,1",
    "--radius-ratios",
    "0.5,2",
    "--dt",
    "1e-2",
    "--seed",
    "3",
    "--json",
];
const MLMC: &[&str] = &["mlmc", "--eps", "2e-2", "--seed", "4", "--json"];
const SGD: &[&str] = &[
    "sgd",
    "--runs",
    "300000",
    "--max-steps",
    "20000",
    "--seed",
    "5",
    "--json",
];
const OPTIMISE: &[&str] = &[
    "optimise",
    "--noise",
    "0.1",
    "--runs",
    "1000000",
    "--max-steps",
    "10000",
    "--seed",
    "6",
    "--json",
];

#[test]
fn escape_study_killed_at_random_points_resumes_to_the_same_bytes() {
    killed_and_resumed(STUDY, 20, 2027);
}

#[test]
fn mlmc_killed_at_random_points_resumes_to_the_same_bits() {
    killed_and_resumed(MLMC, 20, 2028);
}

#[test]
fn sgd_killed_at_random_points_resumes_to_the_same_bytes() {
    killed_and_resumed(SGD, 20, 2029);
}

#[test]
fn optimise_killed_at_random_points_resumes_to_the_same_bytes() {
    killed_and_resumed(OPTIMISE, 20, 2030);
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

/// Small runs of each command, and one parameter to change with the name the message
/// must give.
const SMALL: &[(&[&str], &[&str], &str)] = &[
    (
        &[
            "escape-study",
            "--paths",
            "200",
            "--ratios",
            "0.5,2",
            "--radii",
            "1",
            "--radius-ratios",
            "0.5",
            "--dt",
            "1e-2",
            "--json",
        ],
        &["--tau", "0.4"],
        "tau",
    ),
    (
        &["mlmc", "--eps", "0.1", "--json"],
        &["--seed", "9"],
        "seed",
    ),
    (
        &["sgd", "--runs", "500", "--max-steps", "2000", "--json"],
        &["--lr", "0.02"],
        "lr",
    ),
    (
        &["optimise", "--noise", "0.1", "--runs", "500", "--json"],
        &["--method", "momentum"],
        "method",
    ),
];

#[test]
fn resuming_the_wrong_file_is_refused_by_every_command() {
    let d = dir("ckpt-wrong");
    let mut files = Vec::new();
    for (i, (base, other, name)) in SMALL.iter().enumerate() {
        let command = base[0];
        let ck = d.join(format!("{command}.part"));
        let ck_s = ck.display().to_string();
        // a complete checkpoint, and its resumption prints the same result
        let mut first: Vec<&str> = base.to_vec();
        first.extend(["--checkpoint", &ck_s]);
        let want = result(command, &ok(&first));
        let mut again: Vec<&str> = base.to_vec();
        again.extend(["--resume", &ck_s]);
        assert_eq!(result(command, &ok(&again)), want, "{command}");
        let bytes = std::fs::read(&ck).unwrap();
        let try_with = |file: &Path, more: &[&str]| {
            let f = file.display().to_string();
            let mut a: Vec<&str> = base.to_vec();
            a.extend(more);
            a.extend(["--resume", &f]);
            refused(&a)
        };
        // other parameters: the message names the parameter
        let e = try_with(&ck, other);
        assert!(e.contains(name) && e.contains("another run"), "{e}");
        // the file of another command
        let (next, _, _) = SMALL[(i + 1) % SMALL.len()];
        let mut a: Vec<&str> = next.to_vec();
        a.extend(["--resume", &ck_s]);
        let e = refused(&a);
        assert!(
            e.contains(&format!("saddle {command}")) && e.contains(next[0]),
            "{e}"
        );
        // truncated anywhere, or one byte changed anywhere: refused, never loaded
        let damaged = d.join(format!("{command}-damaged.part"));
        for cut in [0, 5, 20, bytes.len() / 2, bytes.len() - 5, bytes.len() - 1] {
            std::fs::write(&damaged, &bytes[..cut]).unwrap();
            let e = try_with(&damaged, &[]);
            assert!(
                e.contains("truncated") || e.contains("not a saddle part file"),
                "{command} {cut}: {e}"
            );
        }
        for at in [3, 30, bytes.len() / 3, bytes.len() - 2] {
            let mut b = bytes.clone();
            b[at] ^= 0x10;
            std::fs::write(&damaged, &b).unwrap();
            let e = try_with(&damaged, &[]);
            assert!(
                e.contains("corrupted") || e.contains("not a saddle part file"),
                "{command} {at}: {e}"
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
        // a header that does not describe the state, with a valid checksum
        std::fs::write(&damaged, &bytes).unwrap();
        rewrite(&damaged, |h| {
            h.replacen("\"complete\":true", "\"complete\":false", 1)
        });
        let e = try_with(&damaged, &[]);
        assert!(e.contains("disagree"), "{e}");
        // not a part file at all
        std::fs::write(&damaged, b"{\"a\": 1}").unwrap();
        let e = try_with(&damaged, &[]);
        assert!(e.contains("not a saddle part file"), "{e}");
        files.push(ck);
    }
    // these commands are not sharded: --shard is not one of their options
    for (base, _, _) in SMALL {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--shard", "1/2"]);
        let out = saddle(&a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--shard"),
            "{a:?}"
        );
    }
    // the iterates of one optimiser run are not checkpointed
    let ck = d.join("iterates.part").display().to_string();
    let e = refused(&["optimise", "--iterates", "5", "--checkpoint", &ck]);
    assert!(e.contains("iterates") && e.contains("--checkpoint"), "{e}");
    assert_eq!(files.len(), SMALL.len());
}

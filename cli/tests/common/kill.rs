//! Runs killed at random points and resumed: the shared loop of the checkpoint tests
//! (`cli_parts.rs` for `escape`, `cli_checkpoint.rs` for the other commands).
#![allow(dead_code)] // not every test binary that includes the module uses it

use super::{dir, ok, refused};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The result to compare: stdout as it is, but for `mlmc`, whose JSON records wall
/// times (the only numbers that may differ), without them.
pub fn result(command: &str, stdout: &[u8]) -> Value {
    if command != "mlmc" {
        return Value::String(String::from_utf8(stdout.to_vec()).expect("UTF-8"));
    }
    let mut v: Value = serde_json::from_slice(stdout).expect("one JSON value");
    let o = v.as_object_mut().expect("an object");
    o.remove("seconds");
    for l in o["levels"].as_array_mut().expect("levels") {
        l.as_object_mut().expect("a level").remove("seconds");
    }
    v
}

/// A small deterministic generator for the kill times (fixed seed: the same kill
/// points on every run of the test).
struct Lcg(u64);
impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Whether the part file at `path` holds a finished run (from its header line).
fn complete(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    let line = bytes.split(|&b| b == b'\n').nth(1).unwrap();
    let h: Value = serde_json::from_slice(line).unwrap();
    h["complete"].as_bool().unwrap()
}

/// Kills a checkpointing run of `base` at `kill_points` random points (SIGINT and
/// SIGKILL alternately), resuming each time, and compares every final result with the
/// uninterrupted run's. Once per chain, an unfinished checkpoint is given without
/// --resume and must be refused.
pub fn killed_and_resumed(base: &[&str], kill_points: u32, seed: u64) {
    let command = base[0];
    let d = dir(&format!("kill-{command}"));
    let t0 = Instant::now();
    let whole = result(command, &ok(base));
    // kill points spread over the uninterrupted run's length
    let span = t0.elapsed().as_secs_f64();
    let mut rng = Lcg(seed);
    let mut kills = 0;
    let mut signals = [0u32; 2];
    let mut unfinished_refused = 0;
    let mut chain = 0;
    while kills < kill_points {
        chain += 1;
        let ck = d.join(format!("ck{chain}.part"));
        let ck_s = ck.display().to_string();
        let mut resumed = false;
        let mut refusal_tried = false;
        // each chain: kill 1–3 times, then let it finish
        let kills_here = 1 + (rng.uniform() * 3.0) as u32;
        let mut n = 0;
        let final_out = loop {
            let mut args: Vec<&str> = base.to_vec();
            args.extend(["--checkpoint", &ck_s, "--checkpoint-secs", "0"]);
            if resumed {
                args.extend(["--resume", &ck_s]);
            }
            let child = Command::new(env!("CARGO_BIN_EXE_saddle"))
                .args(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            if n < kills_here {
                // at least 100 ms in, so that the signal handler is installed
                let wait = Duration::from_secs_f64(0.1 + rng.uniform() * span * 0.6);
                std::thread::sleep(wait);
                let sig = if kills % 2 == 0 { "-INT" } else { "-KILL" };
                let _ = Command::new("kill")
                    .args([sig, &child.id().to_string()])
                    .status();
                let out = child.wait_with_output().unwrap();
                n += 1;
                if out.status.success() {
                    // finished before the signal: a valid end too
                    break out.stdout;
                }
                kills += 1;
                signals[usize::from(sig == "-KILL")] += 1;
                if sig == "-INT" {
                    // SIGINT saves and stops cleanly with 130
                    assert_eq!(
                        out.status.code(),
                        Some(130),
                        "{command}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                resumed = ck.exists();
                if resumed && !refusal_tried && !complete(&ck) {
                    // an unfinished run's file without --resume: refused, left as it is
                    refusal_tried = true;
                    let before = std::fs::read(&ck).unwrap();
                    let mut again: Vec<&str> = base.to_vec();
                    again.extend(["--checkpoint", &ck_s]);
                    let e = refused(&again);
                    assert!(e.contains("unfinished") && e.contains("--resume"), "{e}");
                    // nor is it overwritten by another command's run
                    let other: &[&str] = if command == "sgd" {
                        &["optimise", "--noise", "0.1", "--runs", "100"]
                    } else {
                        &["sgd", "--runs", "100", "--max-steps", "100"]
                    };
                    let mut again = other.to_vec();
                    again.extend(["--checkpoint", &ck_s]);
                    let e = refused(&again);
                    assert!(e.contains("unfinished"), "{e}");
                    assert_eq!(std::fs::read(&ck).unwrap(), before);
                    unfinished_refused += 1;
                }
                continue;
            }
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{command}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            break out.stdout;
        };
        assert_eq!(
            result(command, &final_out),
            whole,
            "{command}: chain {chain}"
        );
    }
    // SIGINT removes its temporaries; only a SIGKILL in the middle of a write can leave one
    let stray = std::fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert!(stray as u32 <= signals[1], "{stray} stray temporaries");
    assert!(
        signals.iter().all(|&s| s >= kill_points / 2),
        "{command}: both signals used: {signals:?}"
    );
    assert!(
        unfinished_refused >= 1,
        "{command}: no kill left an unfinished file"
    );
}

//! `saddle escape --mpi` under `mpirun`: the ranks' shards, merged on rank 0, print the
//! single process's result byte for byte; a rank that fails is named by rank 0 and no
//! rank waits for it.
//!
//! Needs `mpirun` (Open MPI). Without it the tests are skipped with a message, unless
//! `SADDLE_REQUIRE_MPI=1` (as in `.ci/run`), which makes a missing `mpirun` a failure.
#![cfg(feature = "mpi")]

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_saddle");

/// The run every test splits: small, a few hundred milliseconds in one process.
const ESCAPE: &[&str] = &["escape", "--paths", "20000", "--dt", "1e-3", "--seed", "7"];

/// A launch that has not ended by then is taken for a hang.
const TIMEOUT: Duration = Duration::from_secs(300);

/// Whether `mpirun` can be used; panics when it cannot but must (SADDLE_REQUIRE_MPI=1).
fn mpirun_available() -> bool {
    let found = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("SADDLE_REQUIRE_MPI").as_deref() != Ok("1"),
            "mpirun is missing and SADDLE_REQUIRE_MPI=1: install Open MPI \
             (apt-get install libopenmpi-dev openmpi-bin)"
        );
        eprintln!(
            "skipped: mpirun is missing (install openmpi-bin; SADDLE_REQUIRE_MPI=1 makes this \
             a failure)"
        );
    }
    found
}

/// `mpirun --oversubscribe`, with `--allow-run-as-root` when this test runs as root
/// (Open MPI refuses root otherwise).
fn mpirun() -> Command {
    let mut c = Command::new("mpirun");
    c.arg("--oversubscribe");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root {
        c.arg("--allow-run-as-root");
    }
    c
}

/// Runs `cmd` to its end with its output captured; a run longer than [`TIMEOUT`] is
/// stopped and fails the test.
fn output(cmd: &mut Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the command");
    let pid = child.id().to_string();
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let t0 = Instant::now();
            while !done.load(Ordering::SeqCst) {
                if t0.elapsed() > TIMEOUT {
                    let _ = Command::new("kill").args(["-TERM", &pid]).status();
                    return true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            false
        })
    };
    let out = child.wait_with_output().expect("wait for the command");
    done.store(true, Ordering::SeqCst);
    assert!(
        !watchdog.join().expect("the watchdog"),
        "{cmd:?} did not end within {TIMEOUT:?}: a rank waits for another\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn saddle(args: &[&str]) -> Output {
    output(Command::new(BIN).args(args))
}

/// `mpirun -np n saddle ARGS… --mpi`.
fn saddle_mpi(n: u32, args: &[&str]) -> Output {
    output(
        mpirun()
            .args(["-np", &n.to_string(), BIN])
            .args(args)
            .arg("--mpi"),
    )
}

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn succeeded(what: &str, out: &Output) -> String {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

#[test]
fn ranks_merge_to_the_single_process_result_bit_for_bit() {
    if !mpirun_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("saddle-mpi-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str| dir.join(name).display().to_string();

    let one_json = succeeded(
        "one process",
        &saddle(
            &with(ESCAPE, &["--json", "--out", &file("one.json")])
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        ),
    );
    let one_text = succeeded("one process, text", &saddle(ESCAPE));
    let one_value: serde_json::Value = serde_json::from_str(&one_json).expect("JSON");
    for n in [2, 3] {
        let out_file = file(&format!("mpi{n}.json"));
        let args = with(ESCAPE, &["--json", "--out", &out_file]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let json = succeeded(&format!("-np {n}"), &saddle_mpi(n, &args));
        // the same numbers, and the same bytes: f64 printed the same way from the same bits
        let value: serde_json::Value = serde_json::from_str(&json).expect("one JSON value");
        assert_eq!(value, one_value, "-np {n}");
        assert_eq!(json, one_json, "-np {n}: printed once, by rank 0");
        assert_eq!(
            std::fs::read_to_string(&out_file).unwrap(),
            std::fs::read_to_string(file("one.json")).unwrap(),
            "-np {n}: --out"
        );
    }
    let text = succeeded("-np 2, text", &saddle_mpi(2, ESCAPE));
    assert_eq!(text, one_text);
    let _ = std::fs::remove_dir_all(&dir);
}

/// One line of `error: …`, said once by rank 0, in the launch's stderr (mpirun adds its
/// own notice of the non-zero exit around it).
fn error_line(what: &str, out: &Output) -> String {
    assert!(!out.status.success(), "{what} should fail");
    assert!(out.stdout.is_empty(), "{what}: nothing on stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error: ")).collect();
    assert_eq!(errors.len(), 1, "{what}: one error line\n{stderr}");
    errors[0].to_string()
}

#[test]
fn a_failing_rank_is_named_and_no_rank_waits_for_it() {
    if !mpirun_available() {
        return;
    }
    // rank 1 alone is given a start outside the interval (two programs, one job)
    let bad = with(ESCAPE, &["--x0", "5", "--mpi"]);
    let mut cmd = mpirun();
    cmd.args(["-np", "1", BIN])
        .args(ESCAPE)
        .args(["--mpi", ":", "-np", "1", BIN])
        .args(&bad);
    let e = error_line("rank 1 failing", &output(&mut cmd));
    assert!(e.contains("rank 1 of 2") && e.contains("x0"), "{e}");

    // ranks of different runs are refused by the checks of `saddle merge`
    let other: Vec<String> = with(ESCAPE, &["--mpi"])
        .into_iter()
        .map(|a| if a == "7" { "8".into() } else { a })
        .collect();
    let mut cmd = mpirun();
    cmd.args(["-np", "1", BIN])
        .args(ESCAPE)
        .args(["--mpi", ":", "-np", "1", BIN])
        .args(&other);
    let e = error_line("different seeds", &output(&mut cmd));
    assert!(
        e.contains("rank 0 and rank 1") && e.contains("different runs") && e.contains("seed"),
        "{e}"
    );

    // a refusal common to every rank is said once, without a rank
    let out = saddle_mpi(
        2,
        &with(ESCAPE, &["--shard", "1/2", "--out", "x.part"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let e = error_line("--mpi with --shard", &out);
    assert!(e.contains("--shard") && !e.contains("rank 0 of"), "{e}");
}

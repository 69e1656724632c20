//! `examples/quickstart.rs` runs and says what its numbers mean: a − σ²/2 = 0.5 is
//! positive, so the saddle repels.

use std::process::Command;

#[test]
fn quickstart_prints_the_right_sign() {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--release", "--example", "quickstart"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("a − σ²/2 = 0.5 (positive: paths escape the saddle)"),
        "{text}"
    );
    assert!(!text.contains("attracts"), "{text}");
    for label in ["exact:", "EM:", "Milstein:", "one-noise:"] {
        assert!(text.contains(label), "{label} missing in {text}");
    }
}

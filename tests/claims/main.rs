//! Test crate `claims`: `docs/blog-claims.md` is generated from `saddle_sde::claims`
//! and is up to date, and every test a claim names exists.
//!
//! `cargo test --release --test claims`.

use saddle_sde::claims::{CLAIMS, SEED_CLAIMS, markdown};
use std::path::Path;

/// The repository's root.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn blog_claims_md_is_generated_from_the_claims() {
    let path = root().join("docs/blog-claims.md");
    let on_disk = std::fs::read_to_string(&path).expect("read docs/blog-claims.md");
    let generated = markdown();
    if on_disk != generated {
        let line = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_string(), |i| format!("line {}", i + 1));
        panic!(
            "docs/blog-claims.md differs from saddle_sde::claims::markdown() (first at {line}); \
             regenerate it with `cargo run --release -- claims > docs/blog-claims.md`"
        );
    }
}

/// Whether `source` defines `fn name(` (or, for `name` ending in `*`, a function whose
/// name starts with the rest).
fn defines(source: &str, name: &str) -> bool {
    match name.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => source.contains(&format!("fn {prefix}")),
        None => source.contains(&format!("fn {name}(")),
    }
}

#[test]
fn every_named_test_exists() {
    let mut missing = Vec::new();
    for c in CLAIMS.iter().chain(SEED_CLAIMS) {
        for t in c.tests {
            let Some((file, name)) = t.split_once("::") else {
                missing.push(format!("claim {}: {t} is not FILE::function", c.label()));
                continue;
            };
            let path = root().join(file);
            match std::fs::read_to_string(&path) {
                Ok(source) if defines(&source, name) => {}
                Ok(_) => missing.push(format!("claim {}: {file} has no fn {name}", c.label())),
                Err(e) => missing.push(format!("claim {}: {file}: {e}", c.label())),
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn wildcards_and_prefixes_match_something() {
    assert!(defines(
        "fn stationary_blog_figure_rho_0() {}",
        "stationary_*"
    ));
    assert!(!defines("fn stationary() {}", "stationary_*"));
    assert!(defines("", "*"));
    assert!(!defines(
        "fn coin_flip_simulation_2() {}",
        "coin_flip_simulation"
    ));
}

//! `saddle claims`: the Markdown is `docs/blog-claims.md`, and `--json` is one object
//! per claim with the documented keys.

use saddle_sde::claims::CLAIMS;
mod common;

/// The keys of a claim in `claims.json`.
const KEYS: &[&str] = &[
    "id",
    "section",
    "claim",
    "verdict",
    "note",
    "condition",
    "corrected",
    "basis",
    "tests",
    "figure",
];

#[test]
fn json_has_one_object_per_claim_with_the_documented_keys() {
    let v = common::json(&["claims", "--json"]);
    let rows = v.as_array().expect("a JSON array");
    assert_eq!(rows.len(), CLAIMS.len());
    for (row, c) in rows.iter().zip(CLAIMS) {
        let obj = row.as_object().expect("one object per claim");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut want = KEYS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "claim {}", c.id);
        assert_eq!(row["id"], c.id);
        let verdict = row["verdict"].as_str().expect("verdict is a string");
        assert!(
            ["holds", "holds_if", "wrong", "not_checked", "answered"].contains(&verdict),
            "claim {}: verdict {verdict}",
            c.id
        );
        assert_eq!(verdict, c.verdict.as_str());
        assert_eq!(
            row["condition"].is_null(),
            verdict != "holds_if",
            "claim {}",
            c.id
        );
        for key in ["section", "claim"] {
            assert!(row[key].is_string(), "claim {}: {key}", c.id);
        }
        for key in ["note", "condition", "corrected", "basis", "figure"] {
            assert!(
                row[key].is_null() || row[key].is_string(),
                "claim {}: {key}",
                c.id
            );
        }
        let tests = row["tests"].as_array().expect("tests is an array");
        assert_eq!(tests.len(), c.tests.len());
        assert!(
            tests
                .iter()
                .all(|t| t.as_str().is_some_and(|t| t.contains("::")))
        );
    }
}

#[test]
fn markdown_is_docs_blog_claims_md() {
    let out = common::saddle(&["claims"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/blog-claims.md");
    let doc = std::fs::read_to_string(path).expect("read docs/blog-claims.md");
    assert!(
        String::from_utf8(out.stdout).expect("UTF-8") == doc,
        "`saddle claims` differs from docs/blog-claims.md; regenerate it with \
         `cargo run --release -- claims > docs/blog-claims.md`"
    );
}

/// `--json --seeds`: the second table's rows (the other seed documents), with the same
/// keys, each section naming its seed.
#[test]
fn seed_claims_json_has_the_second_table() {
    use saddle_sde::claims::SEED_CLAIMS;
    let v = common::json(&["claims", "--json", "--seeds"]);
    let rows = v.as_array().expect("a JSON array");
    assert_eq!(rows.len(), SEED_CLAIMS.len());
    for (row, c) in rows.iter().zip(SEED_CLAIMS) {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut want = KEYS.to_vec();
        want.sort_unstable();
        assert_eq!(keys, want, "S{}", c.id);
        assert!(row["section"].as_str().unwrap().starts_with("seed 00"));
        assert_eq!(row["verdict"], c.verdict.as_str());
    }
    // --seeds needs --json
    assert!(!common::saddle(&["claims", "--seeds"]).status.success());
}

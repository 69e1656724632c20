//! Test crate `report`: the report's figures, built in quick mode, with their checks,
//! their data and their reproducibility.
//!
//! `cargo test --release --test report`. Wall times are not tested here: `saddle report`
//! records them per figure in manifest.json.

#[path = "../common/mod.rs"]
mod common;

mod beyond;
mod figures;
mod landscape;
mod laws;
mod strategies;

use saddle_sde::report::{Figure, Kind, SECTIONS, Settings};

/// Builds the section `name` with `settings`.
pub fn build(name: &str, settings: &Settings) -> Figure {
    let section = SECTIONS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no section {name}"));
    section
        .build(settings, &mut |f| {
            assert!((0.0..=1.0).contains(&f), "progress {f}")
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .unwrap_or_else(|| panic!("{name} has no builder"))
}

/// Every check passed, every panel has non-empty series, every number is finite, and
/// the CSV stays small.
pub fn assert_sound(f: &Figure) {
    for c in &f.checks {
        assert!(c.passed, "{}: check failed: {}", f.name, c.text);
    }
    assert!(!f.checks.is_empty(), "{}: no checks", f.name);
    assert!(!f.panels.is_empty(), "{}: no panels", f.name);
    assert!(!f.caption.is_empty() && !f.title.is_empty());
    for p in &f.panels {
        assert!(!p.series.is_empty(), "{}: empty panel {}", f.name, p.title);
        assert!(p.x.range.0 < p.x.range.1 && p.y.range.0 < p.y.range.1);
        for s in &p.series {
            assert!(
                !s.points.is_empty(),
                "{}: empty series in {}",
                f.name,
                p.title
            );
            assert!(
                s.points.iter().all(|(x, y)| x.is_finite() && y.is_finite()),
                "{}: non-finite point in {} / {:?}",
                f.name,
                p.title,
                s.label
            );
            assert!(
                s.band
                    .iter()
                    .all(|(l, h)| l.is_finite() && h.is_finite() && l <= h)
            );
            if matches!(s.kind, Kind::ErrorBars | Kind::Band) {
                assert_eq!(s.band.len(), s.points.len());
            }
        }
    }
    assert!(f.csv().len() < 2_000_000, "{}: CSV too large", f.name);
}

/// The check whose text contains `needle` (exactly one).
pub fn check<'f>(f: &'f Figure, needle: &str) -> &'f saddle_sde::report::Check {
    let found: Vec<_> = f
        .checks
        .iter()
        .filter(|c| c.text.contains(needle))
        .collect();
    assert_eq!(found.len(), 1, "{}: checks containing {needle:?}", f.name);
    found[0]
}

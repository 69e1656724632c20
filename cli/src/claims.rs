//! `saddle claims`: the blog post's claims with their verdicts, as the Markdown of
//! `docs/blog-claims.md` or as the JSON array that `saddle report` writes to
//! `claims.json`. Both come from `saddle_sde::claims`.

use anyhow::Result;
use saddle_sde::claims::{CLAIMS, SEED_CLAIMS, markdown};
use serde_json::Value;

/// Arguments of `saddle claims`.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Print the claims as a JSON array (the contents of the report's `claims.json`)
    /// instead of the Markdown of `docs/blog-claims.md`.
    #[arg(long)]
    pub json: bool,
    /// With --json: the claims of the other seed documents (the second table of
    /// docs/blog-claims.md, the report's seed-claims.json) instead of the post's.
    #[arg(long, requires = "json")]
    pub seeds: bool,
}

/// The claims as a JSON array, one object per claim with the keys `id`, `section`,
/// `claim`, `verdict` (`holds`, `holds_if`, `wrong`, `not_checked`, `answered`), `note`,
/// `condition`, `corrected`, `basis`, `tests` and `figure` (`null` where absent).
pub fn claims_json() -> Value {
    // strings, integers, options and arrays of strings: serialising cannot fail
    serde_json::to_value(CLAIMS).expect("the claims serialise to JSON")
}

/// The claims of the other seed documents as a JSON array, with the keys of
/// [`claims_json`] (`section` names the seed).
pub fn seed_claims_json() -> Value {
    serde_json::to_value(SEED_CLAIMS).expect("the claims serialise to JSON")
}

/// Runs `saddle claims`.
///
/// # Errors
/// When standard output cannot be written.
pub fn run(args: Args) -> Result<()> {
    if args.json && args.seeds {
        println!("{}", serde_json::to_string_pretty(&seed_claims_json())?);
    } else if args.json {
        println!("{}", serde_json::to_string_pretty(&claims_json())?);
    } else {
        print!("{}", markdown());
    }
    Ok(())
}

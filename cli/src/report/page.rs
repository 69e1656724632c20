//! The report's pages (`index.html`, `index.md`) and `manifest.json`.

use super::Built;
use super::render;
use saddle_sde::claims::{CLAIMS, Claim, SEED_CLAIMS, Verdict};
use std::fmt::Write as _;

/// What the pages say about the run.
pub struct Meta {
    /// The crate version.
    pub version: &'static str,
    /// `--seed`.
    pub seed: u64,
    /// `--quick`.
    pub quick: bool,
    /// Worker threads used.
    pub threads: usize,
    /// The command line.
    pub command: String,
    /// Wall time so far (seconds).
    pub seconds: f64,
}

const TITLE: &str = "Saddle Points and Stochastic Gradient Descent, reproduced and checked";

fn claims_of(name: &str) -> impl Iterator<Item = &'static Claim> + '_ {
    saddle_sde::claims::for_figure(name)
}

/// Who makes the claim: `The post (row 12, “Section”)`, or for the other seed
/// documents `seed 003 (slides: …) (row S1)`.
fn source(c: &Claim) -> String {
    if SEED_CLAIMS.iter().any(|s| s == c) {
        format!("The {} (row {})", c.section, c.label())
    } else {
        format!("The post (row {}, “{}”)", c.id, c.section)
    }
}

/// The verdict in words: `holds`, `holds if …`, `wrong (…)`, `not yet checked`,
/// `answered`.
fn verdict_words(c: &Claim) -> String {
    let base = match c.verdict {
        Verdict::Holds => "holds".to_owned(),
        Verdict::HoldsIf => format!("holds if {}", c.condition.unwrap_or("(condition missing)")),
        Verdict::Wrong => "wrong".to_owned(),
        Verdict::NotChecked => "not yet checked".to_owned(),
        Verdict::Answered => "answered".to_owned(),
    };
    match (c.verdict, c.note) {
        (Verdict::HoldsIf, _) | (_, None) => base,
        (_, Some(n)) => format!("{base} ({n})"),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes `s` and renders its inline Markdown (`code`, **bold**).
fn inline_html(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in esc(s).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, p) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{p}</strong>");
                } else {
                    out.push_str(p);
                }
            }
        }
    }
    out
}

fn effort(meta: &Meta) -> &'static str {
    if meta.quick {
        "quick (fewer paths, coarser grids)"
    } else {
        "full"
    }
}

/// `index.html`: one self-contained page; the figures are the SVG files beside it.
pub fn html(meta: &Meta, built: &[Built]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<style>
body {{ font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }}
main {{ max-width: 1080px; margin: 0 auto; padding: 1.5em; background: #fff; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.25em; margin-top: 2em; border-top: 1px solid #ddd; padding-top: 1em; }}
h2 small {{ font-weight: normal; color: #666; font-size: 0.75em; }}
figure {{ margin: 0.5em 0; }} figure img {{ width: 100%; height: auto; border: 1px solid #eee; }}
figcaption {{ font-size: 0.92em; color: #333; margin-top: 0.4em; }}
.meta {{ color: #555; font-size: 0.9em; }}
.failed {{ border-left-color: #cf222e; color: #cf222e; }}
.claim {{ margin: 0.5em 0; padding: 0.5em 0.8em; border-left: 4px solid #999; background: #f6f6f6; }}
.v {{ font-weight: bold; padding: 0 0.3em; border-radius: 3px; }}
.v-holds {{ color: #1a7f37; }} .v-holds_if {{ color: #9a6700; }} .v-wrong {{ color: #cf222e; }} .v-not_checked {{ color: #666; }} .v-answered {{ color: #0969da; }}
ul.checks {{ list-style: none; padding-left: 0.2em; font-size: 0.92em; }}
li.ok::before {{ content: "✓ "; color: #1a7f37; font-weight: bold; }}
li.fail::before {{ content: "✗ "; color: #cf222e; font-weight: bold; }}
li.fail {{ color: #cf222e; }}
table {{ border-collapse: collapse; font-size: 0.85em; }} td, th {{ border: 1px solid #ddd; padding: 0.3em 0.5em; vertical-align: top; }}
code {{ font-size: 0.95em; }}
</style>
</head>
<body>
<main>
<h1>{TITLE}</h1>
<p>The figures of the blog post <em>Saddle Points and Stochastic Gradient Descent</em>, recomputed by
<code>saddle-sde</code> from simulations of <code>dx = a x dt + σ x dW + τ dU</code> (Itô, corr(W, U) = ρ) and of
the post's discrete models, with the exact results drawn over them. Beside each figure: the post's claim, the verdict
(<span class="v v-holds">holds</span>, <span class="v v-holds_if">holds if …</span>, <span class="v v-wrong">wrong</span>;
the rows of <code>docs/blog-claims.md</code>, also in <a href="claims.json">claims.json</a>) and the numeric checks behind it.</p>
<p class="meta">saddle-sde {ver} · seed {seed} · {eff} · {threads} thread(s) · {secs:.1} s ·
<code>{cmd}</code> · <a href="manifest.json">manifest.json</a></p>
<nav><ol>
"#,
        ver = meta.version,
        seed = meta.seed,
        eff = effort(meta),
        threads = meta.threads,
        secs = meta.seconds,
        cmd = esc(&meta.command),
    );
    for b in built {
        let title = b.title().to_owned();
        let _ = writeln!(
            h,
            r##"<li><a href="#{n}">{n}</a>: {t}</li>"##,
            n = b.name,
            t = esc(&title)
        );
    }
    h.push_str("</ol></nav>\n");
    for (i, b) in built.iter().enumerate() {
        let title = b.title().to_owned();
        let _ = writeln!(
            h,
            r#"<section id="{n}">
<h2>{k}. <code>{n}</code>: {t} <small>(post: {s})</small></h2>"#,
            k = i + 1,
            n = b.name,
            t = esc(&title),
            s = esc(b.post_section)
        );
        match &b.figure {
            Some(f) => {
                let (w, hgt) = render::size(f);
                let _ = writeln!(
                    h,
                    r#"<figure><img src="{n}.svg" alt="{t}" width="{w}" height="{hgt}">
<figcaption>{c} <span class="meta">Data: <a href="{n}.csv">{n}.csv</a> · <a href="{n}.png">{n}.png</a> · <a href="{n}.svg">{n}.svg</a></span></figcaption></figure>"#,
                    n = f.name,
                    t = esc(&f.title),
                    c = esc(&f.caption)
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    r#"<p class="claim">No figure yet: the post's escape strategies are not simulated at the optimiser level yet (the optimiser experiments will add this figure). Each claim below keeps its own verdict; those no test checks yet are <span class="v v-not_checked">not_checked</span> in claims.json.</p>"#
                );
            }
        }
        for c in claims_of(b.name) {
            let _ = write!(
                h,
                r#"<div class="claim">{src}: <q>{claim}</q><br>Verdict: <span class="v v-{v}">{words}</span>"#,
                src = esc(&source(c)),
                claim = inline_html(c.claim),
                v = c.verdict.as_str(),
                words = inline_html(&verdict_words(c)),
            );
            if let Some(corr) = c.corrected {
                let _ = write!(h, "<br>Precisely: {}", inline_html(corr));
            }
            h.push_str("</div>\n");
        }
        if claims_of(b.name).next().is_none() {
            h.push_str(
                r#"<div class="claim">Not a claim of the post: the crate's own check.</div>"#,
            );
            h.push('\n');
        }
        if let Some(f) = b.figure.as_ref().filter(|f| !f.all_passed()) {
            let _ = writeln!(
                h,
                r#"<div class="claim failed">⚠ {} of the checks below did not pass in this run (seed {}): the verdict is the crate's, tested with the default seed, and this run does not confirm it.</div>"#,
                f.checks.iter().filter(|c| !c.passed).count(),
                meta.seed
            );
        }
        if let Some(f) = &b.figure {
            h.push_str("<ul class=\"checks\">\n");
            for c in &f.checks {
                let _ = writeln!(
                    h,
                    r#"<li class="{}">{}</li>"#,
                    if c.passed { "ok" } else { "fail" },
                    esc(&c.text)
                );
            }
            h.push_str("</ul>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("<h2>Every claim of the post</h2>\n<table><tr><th>#</th><th>section</th><th>claim</th><th>verdict</th><th>figure</th></tr>\n");
    for c in CLAIMS {
        let fig = c
            .figure
            .map_or(String::new(), |f| format!(r##"<a href="#{f}">{f}</a>"##));
        let _ = writeln!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td><span class="v v-{}">{}</span></td><td>{fig}</td></tr>"#,
            c.id,
            esc(c.section),
            inline_html(c.claim),
            c.verdict.as_str(),
            inline_html(&verdict_words(c))
        );
    }
    h.push_str("</table>\n");
    h.push_str("<h2>Claims of the other seed documents</h2>\n<p>Lecture notes, slides and a talk on saddle-free Newton, checked in d dimensions (also in <a href=\"seed-claims.json\">seed-claims.json</a>).</p>\n<table><tr><th>#</th><th>seed</th><th>claim</th><th>verdict</th><th>figure</th></tr>\n");
    for c in SEED_CLAIMS {
        let fig = c
            .figure
            .map_or(String::new(), |f| format!(r##"<a href="#{f}">{f}</a>"##));
        let _ = writeln!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td><span class="v v-{}">{}</span></td><td>{fig}</td></tr>"#,
            c.label(),
            esc(c.section),
            inline_html(c.claim),
            c.verdict.as_str(),
            inline_html(&verdict_words(c))
        );
    }
    h.push_str("</table>\n</main>\n");
    // Marks each image as loaded or not once the page has loaded: the browser test
    // reads the marks from the rendered DOM. No network, nothing else.
    h.push_str(
        r#"<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = 0;
  imgs.forEach(function (i) {
    var loaded = i.complete && i.naturalWidth > 0;
    if (loaded) { ok += 1; }
    i.setAttribute("data-loaded", loaded ? "yes" : "no");
  });
  document.body.setAttribute("data-images", ok + "/" + imgs.length);
});
</script>
</body>
</html>
"#,
    );
    h
}

/// `index.md`: the same content for reading on a forge.
pub fn markdown(meta: &Meta, built: &[Built]) -> String {
    let mut m = String::new();
    let _ = writeln!(m, "# {TITLE}\n");
    let _ = writeln!(
        m,
        "The figures of the blog post *Saddle Points and Stochastic Gradient Descent*, recomputed by \
         `saddle-sde` from simulations of `dx = a x dt + σ x dW + τ dU` (Itô, corr(W, U) = ρ) and of the \
         post's discrete models, with the exact results drawn over them. Beside each figure: the post's \
         claim, the verdict (the rows of `docs/blog-claims.md`, also in [claims.json](claims.json)) and \
         the numeric checks behind it.\n"
    );
    let _ = writeln!(
        m,
        "saddle-sde {} · seed {} · {} · {} thread(s) · {:.1} s · `{}` · [manifest.json](manifest.json)\n",
        meta.version,
        meta.seed,
        effort(meta),
        meta.threads,
        meta.seconds,
        meta.command
    );
    for (i, b) in built.iter().enumerate() {
        let title = b.title().to_owned();
        let _ = writeln!(
            m,
            "## {}. `{}`: {title} (post: {})\n",
            i + 1,
            b.name,
            b.post_section
        );
        match &b.figure {
            Some(f) => {
                let _ = writeln!(m, "![{}]({}.png)\n", f.title, f.name);
                let _ = writeln!(
                    m,
                    "{} Data: [{n}.csv]({n}.csv) · [{n}.svg]({n}.svg)\n",
                    f.caption,
                    n = f.name
                );
            }
            None => m.push_str(
                "No figure yet: the post's escape strategies are not simulated at the optimiser level yet \
                 (the optimiser experiments will add this figure). Each claim below keeps its own verdict; \
                 those no test checks yet are `not_checked` in claims.json.\n\n",
            ),
        }
        for c in claims_of(b.name) {
            let _ = writeln!(
                m,
                "> {}: {}  \n> Verdict: **{}**{}\n",
                source(c),
                c.claim,
                verdict_words(c).replace("**", ""),
                c.corrected
                    .map_or(String::new(), |x| format!("  \n> Precisely: {x}"))
            );
        }
        if claims_of(b.name).next().is_none() {
            m.push_str("> Not a claim of the post: the crate's own check.\n\n");
        }
        if let Some(f) = b.figure.as_ref().filter(|f| !f.all_passed()) {
            let _ = writeln!(
                m,
                "> ⚠ **{} of the checks below did not pass in this run** (seed {}): the verdict is the crate's, tested with the default seed, and this run does not confirm it.\n",
                f.checks.iter().filter(|c| !c.passed).count(),
                meta.seed
            );
        }
        if let Some(f) = &b.figure {
            for c in &f.checks {
                let _ = writeln!(
                    m,
                    "- {} {}",
                    if c.passed { "✓" } else { "✗ **failed:**" },
                    c.text
                );
            }
            m.push('\n');
        }
    }
    m
}

/// `manifest.json`: version, seed, threads, the command line, and per figure its wall
/// time, files and checks.
pub fn manifest(meta: &Meta, built: &[Built]) -> anyhow::Result<String> {
    let figures: Vec<serde_json::Value> = built
        .iter()
        .map(|b| match &b.figure {
            Some(f) => serde_json::json!({
                "name": b.name,
                "wall_time_s": b.seconds,
                "files": [format!("{}.svg", f.name), format!("{}.png", f.name), format!("{}.csv", f.name)],
                "checks": f.checks.iter().map(|c| serde_json::json!({"text": c.text, "passed": c.passed})).collect::<Vec<_>>(),
            }),
            None => serde_json::json!({ "name": b.name, "wall_time_s": b.seconds, "status": "not_checked" }),
        })
        .collect();
    Ok(serde_json::to_string_pretty(&serde_json::json!({
        "crate": "saddle-sde",
        "version": meta.version,
        "seed": meta.seed,
        "quick": meta.quick,
        "threads": meta.threads,
        "command_line": meta.command,
        "wall_time_s": meta.seconds,
        "figures": figures,
    }))?)
}

//! `saddle report`: a quick report in a temporary directory, checked file by file, and
//! rendered by a real browser (headless Chromium) when one is installed. `.ci/run`
//! installs Debian's chromium and sets `SADDLE_REQUIRE_BROWSER`, so CI always runs the
//! browser test; on a developer machine without chromium the test says so (SKIPPED on
//! stderr) and passes, unless `CI` or `SADDLE_REQUIRE_BROWSER` is set.

#[allow(dead_code)]
mod common;

use common::saddle;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The figures `saddle report` draws (the sections with a builder).
fn figures() -> Vec<&'static str> {
    saddle_sde::report::SECTIONS
        .iter()
        .filter(|s| s.build.is_some())
        .map(|s| s.name)
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saddle-report-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn report(dir: &Path, threads: &str) {
    let out = saddle(&[
        "report",
        "--quick",
        "--out",
        dir.to_str().unwrap(),
        "--threads",
        threads,
    ]);
    assert!(
        out.status.success(),
        "saddle report failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One quick report shared by the tests of this file (2 threads).
fn quick_report() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = scratch("shared").join("report");
        report(&d, "2");
        d
    })
}

/// Decodes a PNG into (width, height, RGBA rows).
fn decode(path: &Path) -> (u32, u32, Vec<[u8; 4]>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bytes = &buf[..info.buffer_size()];
    let px: Vec<[u8; 4]> = match info.color_type {
        png::ColorType::Rgb => bytes.chunks(3).map(|c| [c[0], c[1], c[2], 255]).collect(),
        png::ColorType::Rgba => bytes.chunks(4).map(|c| [c[0], c[1], c[2], c[3]]).collect(),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    (info.width, info.height, px)
}

/// The share of pixels that differ from the most common one (the background).
fn non_background(px: &[[u8; 4]]) -> f64 {
    let mut freq: BTreeMap<[u8; 4], usize> = BTreeMap::new();
    for p in px {
        *freq.entry(*p).or_default() += 1;
    }
    let bg = freq.values().max().copied().unwrap_or(0);
    1.0 - bg as f64 / px.len() as f64
}

#[test]
fn every_figure_is_written_as_svg_png_and_csv() {
    let dir = quick_report();
    for name in figures() {
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.len() > 2000, "{name}.svg");
        let csv = std::fs::read_to_string(dir.join(format!("{name}.csv"))).unwrap();
        assert!(
            csv.starts_with("panel,series,index,kind,x,y,lo,hi\n"),
            "{name}.csv header"
        );
        assert!(csv.lines().count() > 2, "{name}.csv has no data");
        let (w, h, px) = decode(&dir.join(format!("{name}.png")));
        assert!(w >= 400 && h >= 400, "{name}.png is {w}×{h}");
        let share = non_background(&px);
        assert!(
            share > 0.01,
            "{name}.png is blank: {share} of pixels differ"
        );
    }
    for f in ["index.html", "index.md", "claims.json", "manifest.json"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn claims_json_matches_docs_blog_claims() {
    let dir = quick_report();
    let claims: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("claims.json")).unwrap()).unwrap();
    let claims = claims.as_array().expect("an array");
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/blog-claims.md"
    ))
    .unwrap();
    // the claim rows of the Markdown table `| # | … | Verdict | … |`
    let header: Vec<&str> = doc
        .lines()
        .find(|l| l.starts_with("| # |"))
        .expect("the claims table")
        .split(" | ")
        .map(str::trim)
        .collect();
    let col = header
        .iter()
        .position(|h| *h == "Verdict")
        .expect("a Verdict column");
    let rows: Vec<Vec<&str>> = doc
        .lines()
        .filter(|l| {
            l.starts_with("| ") && l[2..].chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .map(|l| l.split(" | ").map(str::trim).collect())
        .collect();
    assert_eq!(
        rows.len(),
        claims.len(),
        "one claims.json object per table row"
    );
    for (row, c) in rows.iter().zip(claims) {
        let id: u64 = row[0].trim_start_matches("| ").parse().unwrap();
        assert_eq!(c["id"].as_u64(), Some(id));
        let verdict = c["verdict"].as_str().unwrap();
        let cell = row[col];
        let expected = if cell.starts_with("**holds if**") {
            "holds_if"
        } else if cell.starts_with("**wrong**") {
            "wrong"
        } else if cell.starts_with("not checked") {
            "not_checked"
        } else if cell.starts_with("**answered**") {
            "answered"
        } else if cell.starts_with("holds") {
            "holds"
        } else {
            panic!("row {id}: unknown verdict cell {cell:?}")
        };
        assert_eq!(verdict, expected, "row {id}: verdict cell {cell:?}");
        for key in [
            "section",
            "claim",
            "tests",
            "figure",
            "condition",
            "corrected",
        ] {
            assert!(c.get(key).is_some(), "row {id}: key {key} missing");
        }
        assert_eq!(
            c["condition"].is_null(),
            verdict != "holds_if",
            "row {id}: condition"
        );
    }
}

#[test]
fn manifest_records_the_run_and_every_check_passes() {
    let dir = quick_report();
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["seed"], 1);
    assert_eq!(m["threads"], 2);
    assert!(
        m["command_line"]
            .as_str()
            .unwrap()
            .contains("report --quick")
    );
    let figs = m["figures"].as_array().unwrap();
    for name in figures() {
        let f = figs
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("{name}"));
        assert!(f["wall_time_s"].as_f64().unwrap() >= 0.0);
        for c in f["checks"].as_array().unwrap() {
            assert_eq!(c["passed"], true, "{name}: {}", c["text"]);
        }
    }
}

#[test]
fn csvs_are_byte_identical_for_any_thread_count() {
    let one = scratch("threads1").join("report");
    report(&one, "1");
    let two = quick_report();
    for name in figures() {
        let a = std::fs::read(one.join(format!("{name}.csv"))).unwrap();
        let b = std::fs::read(two.join(format!("{name}.csv"))).unwrap();
        assert!(a == b, "{name}.csv differs between 1 and 2 threads");
    }
}

#[test]
fn an_existing_report_is_replaced_only_by_a_complete_one() {
    let d = scratch("atomic").join("report");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("manifest.json"), r#"{"crate": "saddle-sde"}"#).unwrap();
    std::fs::write(d.join("marker"), "old").unwrap();
    // a run that fails (no thread pool of 0 threads) leaves the old report untouched
    let out = saddle(&[
        "report",
        "--quick",
        "--out",
        d.to_str().unwrap(),
        "--threads",
        "0",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("threads = 0"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("marker")).unwrap(), "old");
    let parent = d.parent().unwrap();
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(parent)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
            .collect()
    };
    assert!(leftovers().is_empty(), "temporary directory left behind");
    // a run that completes replaces it as a whole
    let out = saddle(&[
        "report",
        "--quick",
        "--only",
        "stage_1_scr",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !d.join("marker").exists(),
        "the old report was not replaced"
    );
    assert!(d.join("stage_1_scr.png").is_file() && d.join("index.html").is_file());
    assert!(
        leftovers().is_empty(),
        "temporary directory left behind: {:?}",
        leftovers()
    );
}

#[test]
fn a_directory_that_is_not_a_report_is_never_replaced() {
    let d = scratch("notareport");
    std::fs::write(d.join("precious.txt"), "keep").unwrap();
    let out = saddle(&[
        "report",
        "--quick",
        "--only",
        "stage_1_scr",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("neither empty nor a saddle report"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("precious.txt")).unwrap(),
        "keep"
    );
    // an unknown figure name is refused with the list of names
    let out = saddle(&[
        "report",
        "--only",
        "no_such_figure",
        "--out",
        d.join("r").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("only = no_such_figure") && err.contains("stat_dist"),
        "{err}"
    );
}

#[test]
fn bad_out_paths_are_refused_with_one_line() {
    let d = scratch("badout");
    let file = d.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = saddle(&["report", "--quick", "--out", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("out") && err.contains("not a directory"),
        "{err}"
    );
    let out = saddle(&[
        "report",
        "--quick",
        "--out",
        d.join("no/such/dir").to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}

fn chromium() -> Option<PathBuf> {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Ok(out) = Command::new("which").arg(name).output()
            && out.status.success()
        {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            if !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    None
}

fn chromium_cmd(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=20000",
        "--allow-file-access-from-files",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn a_real_browser_renders_the_page_with_every_image() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none()
                && std::env::var_os("SADDLE_REQUIRE_BROWSER").is_none(),
            "chromium is not installed, but CI must run the browser test (.ci/run installs it)"
        );
        eprintln!(
            "SKIPPED a_real_browser_renders_the_page_with_every_image: chromium is not installed \
             (apt-get install -y chromium; .ci/run does this)"
        );
        return;
    };
    let dir = quick_report();
    let page = format!(
        "file://{}",
        dir.join("index.html").canonicalize().unwrap().display()
    );
    let work = scratch("browser");
    let dom = chromium_cmd(&bin, &work.join("profile1"))
        .arg("--dump-dom")
        .arg(&page)
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let n = figures().len();
    assert!(
        dom.contains(&format!("data-images=\"{n}/{n}\"")),
        "not every image loaded in the browser: {}",
        dom.split("data-images=")
            .nth(1)
            .map_or("no mark", |s| &s[..s.len().min(12)])
    );
    assert!(
        !dom.contains("data-loaded=\"no\""),
        "an image failed to load"
    );
    for name in figures() {
        assert!(
            dom.contains(&format!("src=\"{name}.svg\"")),
            "{name} not on the page"
        );
        assert!(dir.join(format!("{name}.svg")).is_file());
    }
    let shot = work.join("page.png");
    let status = chromium_cmd(&bin, &work.join("profile2"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2400")
        .arg(&page)
        .output()
        .expect("run chromium");
    assert!(
        shot.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (_, _, px) = decode(&shot);
    let share = non_background(&px);
    assert!(
        share > 0.01,
        "the rendered page is blank: {share} of pixels differ"
    );
}

//! Golden diagnostics: every `tests/diagnostics/*.mix` is checked and the
//! printed errors (miette, no colour) must equal the `.stderr` file beside it.
//! Run with `MIXC_BLESS=1` to rewrite the goldens, then review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/diagnostics")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "mix"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn golden_diagnostics() {
    let bless = std::env::var_os("MIXC_BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(cases.len() >= 7, "expected the golden cases in tests/diagnostics");
    for case in cases {
        let rel = case.strip_prefix(env!("CARGO_MANIFEST_DIR")).expect("inside the crate");
        let rel = rel.strip_prefix("/").unwrap_or(rel);
        let out = Command::new(env!("CARGO_BIN_EXE_mixc"))
            .args(["check", &rel.to_string_lossy()])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .output()
            .expect("run mixc");
        // A file that cannot be read is "could not run" (2); the rest are `.mix` errors (1).
        let stem = case.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let expected =
            if matches!(stem.as_str(), "missing_source" | "missing_import" | "album_missing_song") { 2 } else { 1 };
        assert_eq!(out.status.code(), Some(expected), "{}: expected exit {expected}", rel.display());
        let stderr = String::from_utf8_lossy(&out.stderr).replace('\\', "/");
        let golden = case.with_extension("stderr");
        if bless {
            std::fs::write(&golden, stderr.as_bytes()).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != stderr {
            failures.push(format!("--- {}\n{}\n--- got:\n{}", golden.display(), expected, stderr));
        }
    }
    assert!(failures.is_empty(), "diagnostics differ (MIXC_BLESS=1 to accept):\n{}", failures.join("\n"));
}

//! Every song in `examples/` renders, and its result is sane.

use std::path::Path;

use crate::common::*;

#[test]
fn demo_song_renders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let song = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo/demo.mix");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["render", "--quiet", "-o"])
        .arg(dir.path())
        .arg(&song)
        .output()
        .expect("run mixc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (spec, main) = read_wav_f32(&dir.path().join("out/demo.wav"));
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (48_000, 24));
    let seconds = main[0].len() as f64 / 48_000.0;
    assert!((43.0..45.0).contains(&seconds), "length {seconds}");
    let peak = main.iter().flatten().fold(0f32, |m, s| m.max(s.abs()));
    assert!(peak < 1.0 && peak > 0.1, "peak {peak}");
    let (cd, cd_audio) = read_wav_f32(&dir.path().join("out/demo-cd.wav"));
    assert_eq!((cd.sample_rate, cd.bits_per_sample), (44_100, 16));
    let expected = (main[0].len() as f64 * 44_100.0 / 48_000.0).round() as usize;
    assert_eq!(cd_audio[0].len(), expected);
}

#[test]
fn every_example_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut checked = 0;
    for entry in walk(&root) {
        if entry.extension().is_some_and(|e| e == "mix") {
            let out =
                std::process::Command::new(env!("CARGO_BIN_EXE_mixc")).arg("check").arg(&entry).output().expect("run");
            assert!(out.status.success(), "{}: {}", entry.display(), String::from_utf8_lossy(&out.stderr));
            checked += 1;
        }
    }
    assert!(checked >= 1);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

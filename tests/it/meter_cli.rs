//! `mixc meter` as a user sees it: formats it reads, the table, errors and exit codes.

use std::path::PathBuf;

use crate::common::*;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name).display().to_string()
}

fn meter_json(p: &Project, files: &[String]) -> (std::process::Output, Vec<serde_json::Value>) {
    let mut args = vec!["meter", "--json"];
    args.extend(files.iter().map(String::as_str));
    let out = p.mixc(&args);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json on stdout");
    (out, json.as_array().expect("array").clone())
}

/// FLAC is lossless, so it meters exactly like the WAV it was made from; MP3
/// (192 kbit/s) lands within a fraction of a dB.
#[test]
fn meter_reads_flac_and_mp3() {
    let p = Project::new();
    let (out, rows) = meter_json(&p, &[fixture("src24.wav"), fixture("flac24.flac"), fixture("lossy.mp3")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fields = ["sample_peak_dbfs", "true_peak_dbtp", "correlation", "channels", "rate", "frames"];
    for f in fields {
        assert_eq!(rows[1][f], rows[0][f], "flac {f}");
    }
    let wav_peak = rows[0]["sample_peak_dbfs"].as_f64().expect("wav peak");
    assert!((wav_peak + 6.02).abs() < 0.05, "{wav_peak}");
    let mp3_peak = rows[2]["sample_peak_dbfs"].as_f64().expect("mp3 peak");
    assert!((mp3_peak - wav_peak).abs() < 0.5, "{mp3_peak} vs {wav_peak}");
    assert_eq!(rows[2]["rate"], 44_100);
    // 0.25 s: too short for a 400 ms window, so no loudness reading.
    assert!(rows[0]["integrated_lufs"].is_null());
}

/// Unreadable files are named on stderr, the others still measured; exit 2.
#[test]
fn meter_names_unreadable_files_and_exits_2() {
    let p = Project::new();
    p.file("notes.txt", "not audio at all, just text that goes on for a while");
    let files = ["missing.wav".to_string(), "notes.txt".to_string(), fixture("s16.wav")];
    let (out, rows) = meter_json(&p, &files);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`missing.wav`: file not found"), "{stderr}");
    assert!(stderr.contains("`notes.txt`"), "{stderr}");
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["error"].as_str().is_some_and(|e| e.contains("file not found")));
    assert!(rows[2]["sample_peak_dbfs"].as_f64().is_some());
    assert!(rows[2].get("error").is_none());
}

/// One aligned row per file under a header; a dash for readings a short file lacks.
#[test]
fn meter_prints_an_aligned_table() {
    let p = Project::new();
    let tone = sine(48_000 * 4, 48_000, 1000.0, 10f64.powf(-23.0 / 20.0), 24);
    p.wav_int("tone.wav", 48_000, 24, &[tone.clone(), tone]);
    let out = p.mixc(&["meter", "tone.wav", &fixture("mono16.wav")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("file") && lines[0].ends_with("duration"), "{text}");
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(cells, ["tone.wav", "-23.0", "0.0", "-23.0", "-23.0", "-23.0", "-23.0", "+1.00", "0:04.0"]);
    let mono: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(&mono[1..5], ["-", "-", "-", "-"]);
    assert_eq!(mono[7], "-", "no correlation for mono");
    // Right-aligned columns: every row has the same length.
    assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{text}");
}

#[test]
fn meter_needs_a_file() {
    let out = Project::new().mixc(&["meter"]);
    assert_eq!(out.status.code(), Some(2));
}

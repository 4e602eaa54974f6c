//! `mixc meter`'s output: an aligned table, or JSON with `--json`.

use std::path::Path;

use serde::Serialize;

use crate::meter::Measurement;

const HEADER: [&str; 9] = ["file", "I LUFS", "LRA LU", "max M", "max S", "peak dBFS", "TP dBTP", "corr", "duration"];

/// One file's line in the JSON output: its readings, or why it could not be read.
#[derive(Serialize)]
pub struct Entry {
    file: String,
    #[serde(flatten)]
    measurement: Option<Measurement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Entry {
    /// The readings of `path`, or why it could not be read.
    pub fn new(path: &Path, measured: Result<Measurement, String>) -> Self {
        let file = path.display().to_string();
        match measured {
            Ok(m) => Entry { file, measurement: Some(m), error: None },
            Err(e) => Entry { file, measurement: None, error: Some(e) },
        }
    }
}

/// Every entry as a JSON array, pretty-printed.
pub fn json(entries: &[Entry]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(entries)
}

/// The files that were measured, one row each, columns aligned, each line
/// ending in a newline; empty when none was.
pub fn table(entries: &[Entry]) -> String {
    let mut rows: Vec<[String; 9]> = vec![HEADER.map(String::from)];
    rows.extend(entries.iter().filter_map(|e| e.measurement.as_ref().map(|m| row(&e.file, m))));
    let mut text = String::new();
    if rows.len() == 1 {
        return text;
    }
    let mut widths = [0; 9];
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for r in &rows {
        let mut line = format!("{:<w$}", r[0], w = widths[0]);
        for (cell, w) in r.iter().zip(widths).skip(1) {
            line.push_str(&format!("  {cell:>w$}"));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

fn row(file: &str, m: &Measurement) -> [String; 9] {
    // One decimal, as Tech 3341 asks of loudness readouts.
    let level = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    let peak = |x: Option<f64>| x.map_or("-inf".to_string(), |v| format!("{v:.1}"));
    [
        file.to_string(),
        level(m.integrated_lufs),
        level(m.loudness_range_lu),
        level(m.max_momentary_lufs),
        level(m.max_short_term_lufs),
        peak(m.sample_peak_dbfs),
        peak(m.true_peak_dbtp),
        m.correlation.map_or("-".to_string(), |c| format!("{c:+.2}")),
        clock(m.duration_s),
    ]
}

/// `m:ss.s`
fn clock(seconds: f64) -> String {
    let m = (seconds / 60.0).floor();
    format!("{}:{:04.1}", m as u64, seconds - m * 60.0)
}

//! EBU Tech 3341 / 3342 conformance of the loudness meter.
//!
//! Most cases are generated in memory (24-bit grid) and fed to the library in
//! 10 ms blocks, reading M and S after each — the "live" protocol the cases
//! 9, 11, 12 and 14 need. A handful go end to end through WAV files and
//! `mixc meter --json`. Run with `--nocapture` to see every reading.

use std::path::Path;

use mixc::meter::{Measurement, Meter};

use crate::common::*;
use crate::conformance_signals::{self as sig, Case, Check};

/// The readings a check can look at; the timeline is empty for CLI runs.
#[derive(Default)]
struct Readings {
    i: Option<f64>,
    lra: Option<f64>,
    max_m: Option<f64>,
    max_s: Option<f64>,
    tp: Option<f64>,
    /// (t, M, S) after every 10 ms step.
    timeline: Vec<(f64, f64, f64)>,
}

impl Readings {
    fn from_measurement(m: &Measurement) -> Self {
        Readings {
            i: m.integrated_lufs,
            lra: m.loudness_range_lu,
            max_m: m.max_momentary_lufs,
            max_s: m.max_short_term_lufs,
            tp: m.true_peak_dbtp,
            timeline: Vec::new(),
        }
    }

    fn from_json(v: &serde_json::Value) -> Self {
        let f = |k: &str| v[k].as_f64();
        Readings {
            i: f("integrated_lufs"),
            lra: f("loudness_range_lu"),
            max_m: f("max_momentary_lufs"),
            max_s: f("max_short_term_lufs"),
            tp: f("true_peak_dbtp"),
            timeline: Vec::new(),
        }
    }
}

/// Meters in 10 ms blocks, recording M and S after each.
fn meter_live(chans: &[Vec<f32>]) -> Readings {
    let mut meter = Meter::new(chans.len(), sig::FS).expect("meter");
    let step = sig::FS as usize / 100;
    let mut timeline = Vec::with_capacity(chans[0].len() / step + 1);
    for start in (0..chans[0].len()).step_by(step) {
        let end = (start + step).min(chans[0].len());
        let block: Vec<&[f32]> = chans.iter().map(|c| &c[start..end]).collect();
        meter.add(&block);
        timeline.push((meter.step_time(), meter.momentary(), meter.short_term()));
    }
    Readings { timeline, ..Readings::from_measurement(&meter.finish()) }
}

/// Checks `value` against `expected` within the check's tolerance.
fn within(check: &Check, expected: f64, value: f64) -> bool {
    let (below, above) = check.tolerance();
    value >= expected - below - 1e-9 && value <= expected + above + 1e-9
}

/// (name, what was measured, whether it passed); `None` if these readings cannot tell.
fn evaluate(check: &Check, r: &Readings) -> Option<(String, String, bool)> {
    let single = |name: &str, value: Option<f64>, expected: f64| {
        let v = value.unwrap_or(f64::NEG_INFINITY);
        Some((format!("{name} = {expected}"), format!("{v:.3}"), within(check, expected, v)))
    };
    let after = |which: fn(&(f64, f64, f64)) -> f64, expected: f64, from: f64| {
        let sel: Vec<f64> = r.timeline.iter().filter(|p| p.0 >= from - 1e-6).map(which).collect();
        let (lo, hi) = sel.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        let ok = !sel.is_empty() && within(check, expected, lo) && within(check, expected, hi);
        Some((format!("{expected} from {from} s"), format!("{lo:.3} … {hi:.3}"), ok))
    };
    match check {
        Check::I(e) => single("I", r.i, *e),
        Check::Lra(e) => single("LRA", r.lra, *e),
        Check::MaxM(e) => single("max M", r.max_m, *e),
        Check::MaxS(e) => single("max S", r.max_s, *e),
        Check::Tp(e) => single("TP", r.tp, *e),
        _ if r.timeline.is_empty() => None,
        Check::MAfter(e, from) => after(|p| p.1, *e, *from).map(|(n, v, ok)| (format!("M = {n}"), v, ok)),
        Check::SAfter(e, from) => after(|p| p.2, *e, *from).map(|(n, v, ok)| (format!("S = {n}"), v, ok)),
        Check::MaxMSegments(e, seg) => Some(segments(check, r, |p| p.1, e, *seg)),
        Check::MaxSSegments(e, seg) => Some(segments(check, r, |p| p.2, e, *seg)),
    }
}

/// The highest reading in each segment (k·seg, (k+1)·seg] against its expected value.
fn segments(
    check: &Check,
    r: &Readings,
    which: fn(&(f64, f64, f64)) -> f64,
    expected: &[f64],
    seg: f64,
) -> (String, String, bool) {
    let maxima: Vec<f64> = (0..expected.len())
        .map(|k| {
            let inside = |t: f64| t > k as f64 * seg + 1e-6 && t <= (k + 1) as f64 * seg + 1e-6;
            r.timeline.iter().filter(|p| inside(p.0)).map(which).fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let ok = maxima.iter().zip(expected).all(|(&v, &e)| within(check, e, v));
    let worst =
        maxima.iter().zip(expected).map(|(v, e)| v - e).fold(0.0f64, |a, d| if d.abs() > a.abs() { d } else { a });
    let name = format!("max per {seg} s = {} … {}", expected[0], expected[expected.len() - 1]);
    (name, format!("worst deviation {worst:+.3}"), ok)
}

/// Evaluates every check of `case` on `r`; prints a line each and returns the failures.
fn judge(case: &Case, r: &Readings) -> Vec<String> {
    let mut failures = Vec::new();
    for check in &case.checks {
        if let Some((name, value, ok)) = evaluate(check, r) {
            println!("{:<12} {:<34} {:<24} {}", case.id, name, value, if ok { "pass" } else { "FAIL" });
            if !ok {
                failures.push(format!("{} {name}: measured {value}", case.id));
            }
        }
    }
    failures
}

/// Generates and meters (library, live) every case whose id passes `select`.
fn run_library(select: impl Fn(&str) -> bool) {
    let mut failures = Vec::new();
    let mut count = 0;
    for case in sig::cases().into_iter().filter(|c| select(&c.id)) {
        let r = meter_live(&sig::to_24_bit(&case.render()));
        failures.extend(judge(&case, &r));
        count += 1;
    }
    assert!(count > 0, "no case selected");
    assert!(failures.is_empty(), "conformance failures:\n{}", failures.join("\n"));
}

fn numbered(id: &str, prefix: &str) -> bool {
    id == prefix || id.starts_with(&format!("{prefix}-"))
}

#[test]
fn integrated_loudness_3341_cases_1_to_6_and_alignment() {
    run_library(|id| {
        ["3341-1", "3341-2", "3341-3", "3341-4", "3341-5", "3341-6", "3341-6-6ch", "3341-cal", "1770-997"].contains(&id)
    });
}

#[test]
fn short_term_3341_cases_9_10_11() {
    run_library(|id| ["3341-9", "3341-10", "3341-11"].iter().any(|p| numbered(id, p)));
}

#[test]
fn momentary_3341_cases_12_13_14() {
    run_library(|id| ["3341-12", "3341-13", "3341-14"].iter().any(|p| numbered(id, p)));
}

#[test]
fn true_peak_3341_cases_15_to_23() {
    run_library(|id| (15..=23).any(|n| id == format!("3341-{n}")));
}

#[test]
fn loudness_range_3342_cases_1_to_4() {
    run_library(|id| id.starts_with("3342-"));
}

/// A sample of the cases through 24-bit WAV files and the real binary.
#[test]
fn mixc_meter_json_passes_conformance_end_to_end() {
    let ids = ["3341-1", "3341-6", "3341-6-6ch", "1770-997", "3341-10-4", "3341-13-8", "3341-19", "3341-22", "3342-4"];
    let p = Project::new();
    let cases: Vec<Case> = sig::cases().into_iter().filter(|c| ids.contains(&c.id.as_str())).collect();
    let mut args = vec!["meter".to_string(), "--json".to_string()];
    for case in &cases {
        let file = format!("{}.wav", case.id);
        write_wav_int(&p.path(&file), sig::FS, 24, &sig::to_24_bit(&case.render()));
        args.push(file);
    }
    let out = p.mixc(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let rows = json.as_array().expect("array");
    assert_eq!(rows.len(), cases.len());
    let mut failures = Vec::new();
    for (case, row) in cases.iter().zip(rows) {
        assert_eq!(row["file"].as_str(), Some(format!("{}.wav", case.id).as_str()));
        failures.extend(judge(case, &Readings::from_json(row)));
    }
    assert!(failures.is_empty(), "conformance failures:\n{}", failures.join("\n"));
}

/// Writes every case as raw little-endian f64 (interleaved) into
/// `$MIXC_DUMP_DIR`, to compare with `gen_conformance.py --subtype DOUBLE`.
#[test]
#[ignore = "a tool: MIXC_DUMP_DIR=/tmp/x cargo test dump_conformance_signals -- --ignored"]
fn dump_conformance_signals() {
    let Some(dir) = std::env::var_os("MIXC_DUMP_DIR") else { return };
    for case in sig::cases() {
        let chans = case.render();
        let mut bytes = Vec::with_capacity(chans.len() * chans[0].len() * 8);
        for n in 0..chans[0].len() {
            chans.iter().for_each(|c| bytes.extend_from_slice(&c[n].to_le_bytes()));
        }
        std::fs::write(Path::new(&dir).join(format!("{}.f64", case.id)), bytes).expect("write dump");
    }
}

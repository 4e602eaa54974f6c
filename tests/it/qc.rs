//! `check { ... }`: delivery QC measured on what is delivered.

use crate::common::*;

const RATE: u32 = 48_000;

fn tone_project(check: &str) -> Project {
    let p = Project::new();
    // A stereo 1 kHz tone at −23 dBFS peak per channel measures −23.0 LUFS (EBU Tech 3341 case 1).
    let amp = 10f64.powf(-23.0 / 20.0);
    let x = sine(10 * RATE as usize, RATE, 1000.0, amp, 24);
    p.wav_int("tone.wav", RATE, 24, &[x.clone(), x]);
    p.file("song.mix", &format!("track a {{ source = \"tone.wav\" }}\nexport \"out.wav\"\ncheck {{\n{check}\n}}\n"));
    p
}

#[test]
fn passing_checks_write_the_deliverable_and_report_measurements() {
    let p = tone_project("    loudness = -23LUFS ± 0.1LU\n    true_peak <= -20dBTP\n    duration = 10s +- 1ms");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.lines().any(|l| l.contains("out.wav") && l.contains("-23.0")), "{err}");
    assert!(p.path("out.wav").exists());
}

#[test]
fn failing_check_exits_1_and_leaves_the_old_deliverable() {
    let p = tone_project("    loudness = -14LUFS ± 0.5LU\n    true_peak <= -1dBTP");
    p.file("out.wav", "the good master");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("loudness = -14LUFS ± 0.5LU") && err.contains("FAIL"), "{err}");
    assert!(err.contains("-23.0"), "the measured value is shown: {err}");
    assert_eq!(std::fs::read_to_string(p.path("out.wav")).expect("read"), "the good master");
}

#[test]
fn check_lines_are_checked() {
    let p = tone_project("    loudness = -14LUFS\n    peak <= -1dB\n    true_peak <= -1Hz");
    let out = p.mixc(&["check", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("needs a tolerance"), "{err}");
    assert!(err.contains("unknown setting `peak`") && err.contains("did you mean"), "{err}");
    assert!(err.contains("expected a true-peak level"), "{err}");
}

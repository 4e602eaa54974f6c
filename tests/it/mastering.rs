//! Loudness targets and true-peak ceilings, measured on the delivered files
//! with the `ebur128` crate (not with mixc's own meter).

use std::path::{Path, PathBuf};

use crate::common::*;

const RATE: u32 = 48_000;

/// Integrated loudness (LUFS) and true peak (dBTP, the louder channel) of a
/// WAV file, read back from disk and measured by the `ebur128` crate.
fn ebur128_reading(path: &Path) -> (f64, f64) {
    let (spec, audio) = read_wav_f32(path);
    let mode = ebur128::Mode::I | ebur128::Mode::TRUE_PEAK;
    let mut m = ebur128::EbuR128::new(audio.len() as u32, spec.sample_rate, mode).expect("meter");
    let planar: Vec<&[f32]> = audio.iter().map(|c| c.as_slice()).collect();
    m.add_frames_planar_f32(&planar).expect("add");
    let tp = (0..audio.len() as u32).map(|c| m.true_peak(c).expect("tp")).fold(0.0, f64::max);
    (m.loudness_global().expect("I"), 20.0 * tp.log10())
}

/// The demo song with its master's `loudness`/`true_peak` set, sources made
/// absolute, exporting 48 kHz/24-bit and 44.1 kHz/16-bit dithered.
fn demo_with_target(dir: &Path, loudness: f64) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let text = std::fs::read_to_string(root.join("demo.mix")).expect("demo.mix");
    let stems = format!("\"{}/stems/", root.display());
    let mut song: String = text
        .replace("\"stems/", &stems)
        .lines()
        .filter(|l| !l.starts_with("export"))
        .map(|l| format!("{l}\n"))
        .collect();
    let master = song.find("master {").expect("the demo has a master block");
    song.insert_str(master + "master {".len(), &format!("\n    loudness = {loudness}LUFS\n    true_peak = -1dBTP\n"));
    song.push_str("export \"hi.wav\"\nexport \"cd.wav\" { rate = 44.1kHz, bits = 16, dither = tpdf }\n");
    let path = dir.join("song.mix");
    std::fs::write(&path, song).expect("write song");
    path
}

fn render(song: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mixc"))
        .args(["render", "--quiet"])
        .arg(song)
        .output()
        .expect("run mixc")
}

fn hits_target(loudness: f64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let song = demo_with_target(dir.path(), loudness);
    let out = render(&song);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (file, rate, bits) in [("hi.wav", 48_000, 24), ("cd.wav", 44_100, 16)] {
        let path = dir.path().join(file);
        let (spec, _) = read_wav_ints(&path);
        assert_eq!((spec.sample_rate, spec.bits_per_sample), (rate, bits), "{file}");
        let (i, tp) = ebur128_reading(&path);
        assert!((i - loudness).abs() <= 0.1, "{file}: {i:.3} LUFS, target {loudness}");
        assert!(tp <= -1.0, "{file}: true peak {tp:.3} dBTP over the -1 dBTP ceiling");
    }
}

#[test]
fn demo_hits_minus_14_lufs_under_minus_1_dbtp() {
    hits_target(-14.0);
}

#[test]
fn demo_hits_minus_23_lufs_under_minus_1_dbtp() {
    hits_target(-23.0);
}

/// Loud: the demo's mix sits near −25 LUFS, so this takes about +16 dB into
/// the limiter, which works hard and bends the loudness curve.
#[test]
fn demo_hits_minus_9_lufs_under_minus_1_dbtp() {
    hits_target(-9.0);
}

fn tone_song(p: &Project, amp_db: f64, master: &str, export: &str) {
    let x = sine(10 * RATE as usize, RATE, 1000.0, 10f64.powf(amp_db / 20.0), 24);
    p.wav_int("tone.wav", RATE, 24, &[x.clone(), x]);
    p.file(
        "song.mix",
        &format!("track a {{ source = \"tone.wav\" }}\nmaster {{\n{master}\n}}\nexport \"out.wav\"{export}\n"),
    );
}

/// Without a ceiling, normalisation is a gain and nothing else: the tone comes
/// out exactly 3 dB louder, sample for sample, and reads 3 LU louder.
#[test]
fn a_target_without_ceiling_is_a_pure_gain() {
    let p = Project::new();
    tone_song(&p, -23.0, "loudness = -20LUFS", " { bits = 32f }");
    p.render_ok("song.mix", &[]);
    let (_, input) = read_wav_f32(&p.path("tone.wav"));
    let (_, out) = read_wav_f32(&p.path("out.wav"));
    let (i, _) = ebur128_reading(&p.path("out.wav"));
    assert!((i + 20.0).abs() <= 0.02, "{i}");
    let gain = 10f64.powf((-20.0 - (-23.0 + 0.007)) / 20.0);
    let worst = input[0].iter().zip(&out[0]).map(|(&x, &y)| (y as f64 - x as f64 * gain).abs()).fold(0.0, f64::max);
    // The measured loudness of the input decides the gain: ±0.02 LU is ±0.25% of level.
    assert!(worst < 0.003 * 10f64.powf(-20.0 / 20.0), "worst deviation {worst:e}");
}

/// A per-export target overrides the master's, and each file hits its own.
#[test]
fn each_export_hits_its_own_target() {
    let p = Project::new();
    tone_song(&p, -23.0, "loudness = -16LUFS\ntrue_peak = -1dBTP", "\nexport \"quiet.wav\" { loudness = -30LUFS }");
    p.render_ok("song.mix", &[]);
    let (loud, _) = ebur128_reading(&p.path("out.wav"));
    let (quiet, _) = ebur128_reading(&p.path("quiet.wav"));
    assert!((loud + 16.0).abs() <= 0.1, "{loud}");
    assert!((quiet + 30.0).abs() <= 0.1, "{quiet}");
}

/// A limiter that ends the master chain is the final limiter: the stricter of
/// its ceiling and the target's holds.
#[test]
fn the_master_limiter_ceiling_holds_when_stricter() {
    let p = Project::new();
    let master = "chain = limiter(ceiling: -3dBTP)\nloudness = -12LUFS\ntrue_peak = -1dBTP";
    tone_song(&p, -23.0, master, "");
    p.render_ok("song.mix", &[]);
    let (i, tp) = ebur128_reading(&p.path("out.wav"));
    assert!((i + 12.0).abs() <= 0.1, "{i}");
    assert!(tp <= -3.0, "{tp}");
}

#[test]
fn an_unreachable_target_fails_and_keeps_the_old_file() {
    let p = Project::new();
    // A 1 kHz tone cannot read -2 LUFS under a -12 dBTP ceiling: even a full
    // square wave at -12 dBFS reads about -10 LUFS.
    tone_song(&p, -23.0, "loudness = -2LUFS\ntrue_peak = -12dBTP", "");
    p.file("out.wav", "the good master");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot reach -2.0 LUFS under the -12.0 dBTP ceiling"), "{err}");
    assert!(err.contains("help:"), "{err}");
    assert_eq!(std::fs::read_to_string(p.path("out.wav")).expect("read"), "the good master");
}

#[test]
fn a_target_that_would_clip_asks_for_a_ceiling() {
    let p = Project::new();
    // K-weighting reads a 30 Hz tone about 8 dB low: at -1 dBFS it measures
    // about -9 LUFS, so -3 LUFS needs some +6 dB and drives its peaks over 0 dBFS.
    let x = sine(5 * RATE as usize, RATE, 30.0, 10f64.powf(-1.0 / 20.0), 24);
    p.wav_int("low.wav", RATE, 24, &[x.clone(), x]);
    p.file("song.mix", "track a { source = \"low.wav\" }\nmaster { loudness = -3LUFS }\nexport \"out.wav\"\n");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("would clip") && err.contains("true_peak = -1dBTP"), "{err}");
    assert!(!p.path("out.wav").exists());
}

#[test]
fn a_silent_mix_cannot_be_normalised() {
    let p = Project::new();
    p.wav_int("silence.wav", RATE, 24, &[vec![0.0; RATE as usize]]);
    p.file("song.mix", "track a { source = \"silence.wav\" }\nmaster { loudness = -14LUFS }\nexport \"out.wav\"\n");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("silent"), "{err}");
}

/// The summary after a render names each deliverable's loudness, gain and limiting.
#[test]
fn the_summary_reports_gain_and_limiting() {
    let p = Project::new();
    tone_song(&p, -23.0, "loudness = -10LUFS\ntrue_peak = -1dBTP", "");
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let row = err.lines().find(|l| l.contains("out.wav")).expect("a row for out.wav");
    let cols: Vec<&str> = row.split_whitespace().collect();
    // deliverable, LUFS, LRA, dBTP, peak, gain, limiter max/avg
    assert_eq!(cols[1], "-10.0", "{row}");
    let gain: f64 = cols[5].parse().expect("gain");
    assert!(gain > 12.0 && gain < 20.0, "{row}");
    assert!(cols[6].contains('/'), "{row}");
}

/// `target = PRESET` (std/delivery.mix) on the master and on one export; a
/// `loudness` written beside the preset overrides it.
#[test]
fn delivery_presets_set_targets_per_file() {
    let p = Project::new();
    let x = sine(10 * RATE as usize, RATE, 1000.0, 10f64.powf(-30.0 / 20.0), 24);
    p.wav_int("tone.wav", RATE, 24, &[x.clone(), x]);
    p.file(
        "song.mix",
        "import \"std/delivery.mix\"\ntrack a { source = \"tone.wav\" }\nmaster { target = ebu_r128 }\n\
         export \"broadcast.wav\"\nexport \"stream.wav\" { target = spotify }\n\
         export \"louder.wav\" { target = spotify, loudness = -12LUFS }\n",
    );
    let out = p.mixc(&["render", "song.mix"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    for (file, target, ceiling) in
        [("broadcast.wav", -23.0, -1.0), ("stream.wav", -14.0, -1.0), ("louder.wav", -12.0, -1.0)]
    {
        let (i, tp) = ebur128_reading(&p.path(file));
        assert!((i - target).abs() <= 0.1, "{file}: {i}");
        assert!(tp <= ceiling, "{file}: {tp}");
    }
}

/// A preset's tolerance and ceiling become QC lines of the files it applies
/// to; an export with its own target does not inherit the master's.
#[test]
fn preset_tolerances_become_checks_of_their_files() {
    use mixc::ir::{Bound, Metric};
    let p = Project::new();
    let x = sine(RATE as usize, RATE, 1000.0, 0.1, 24);
    p.wav_int("tone.wav", RATE, 24, &[x.clone(), x]);
    let text = "import \"std/delivery.mix\"\ntrack a { source = \"tone.wav\" }\nmaster { target = ebu_r128 }\n\
                export \"broadcast.wav\"\nexport \"stream.wav\" { target = spotify }\n\
                export \"own.wav\" { loudness = -16LUFS }\n";
    let path = p.file("song.mix", text);
    let graph = mixc::check::check_text(&path, text).expect("checks");
    let bounds =
        |i: usize| -> Vec<(Metric, Bound)> { graph.exports[i].checks.iter().map(|c| (c.metric, c.bound)).collect() };
    assert_eq!(bounds(0), vec![(Metric::Loudness, Bound::Within(-23.0, 0.2)), (Metric::TruePeak, Bound::AtMost(-1.0))]);
    assert_eq!(bounds(1), vec![(Metric::Loudness, Bound::Within(-14.0, 1.0)), (Metric::TruePeak, Bound::AtMost(-1.0))]);
    // Its own loudness replaces the master's (and that check); the ceiling is still the master's.
    assert_eq!(bounds(2), vec![(Metric::TruePeak, Bound::AtMost(-1.0))]);
    assert!(graph.checks.is_empty());
}

/// Turned down, a master that ends in a limiter keeps the limiter's work: the
/// delivered file is the limited master, quieter — its peak-to-loudness ratio
/// is that of the render without a target.
#[test]
fn turning_a_limited_master_down_keeps_its_limiting() {
    let p = Project::new();
    // A quiet tone with loud 2 ms bursts every 100 ms: the limiter flattens
    // the bursts, which changes the peak-to-loudness ratio by several dB.
    let quiet = sine(10 * RATE as usize, RATE, 1000.0, 0.05, 24);
    let loud = sine(10 * RATE as usize, RATE, 1000.0, 0.9, 24);
    let x: Vec<f32> = (0..quiet.len()).map(|n| if n % 4_800 < 96 { loud[n] } else { quiet[n] }).collect();
    p.wav_int("tone.wav", RATE, 24, &[x.clone(), x]);
    let song =
        |master: &str| format!("track a {{ source = \"tone.wav\" }}\nmaster {{ {master} }}\nexport \"out.wav\"\n");
    p.file("plain.mix", &song("chain = limiter(ceiling: -10dB)"));
    p.file("quiet.mix", &song("chain = limiter(ceiling: -10dB), loudness = -30LUFS, true_peak = -1dBTP"));
    let crest = |mix: &str| {
        p.render_ok(mix, &[]);
        let m = mixc::meter::measure_file(&p.path("out.wav")).expect("measure");
        (m.sample_peak_dbfs.expect("peak") - m.integrated_lufs.expect("I"), m.integrated_lufs.expect("I"))
    };
    let (plain, _) = crest("plain.mix");
    let (quiet, loudness) = crest("quiet.mix");
    assert!((loudness + 30.0).abs() <= 0.05, "{loudness}");
    assert!((plain - quiet).abs() <= 0.05, "peak over loudness: {plain:.3} dB as mixed, {quiet:.3} dB turned down");
}

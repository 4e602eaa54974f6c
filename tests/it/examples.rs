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

/// `examples/night-drive`: the demo's stems through sends, returns, a sidechain,
/// bus glue, automation and a true-peak limiter. Renders it, checks both
/// exports, the ceiling, the tails, and that the kick really ducks the bass.
#[test]
fn night_drive_renders_with_tails_ceiling_and_sidechain() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let song = root.join("examples/night-drive/night-drive.mix");
    let dir = tempfile::tempdir().expect("temp dir");
    let render = |mix: &Path, out: &Path| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_mixc"))
            .args(["render", "--quiet", "-o"])
            .arg(out)
            .arg(mix)
            .output()
            .expect("run mixc");
        assert!(o.status.success(), "{}: {}", mix.display(), String::from_utf8_lossy(&o.stderr));
    };
    let keyed = dir.path().join("keyed");
    render(&song, &keyed);

    // Both exports: 48 kHz/24-bit and 44.1 kHz/16-bit, the same song length.
    let main_path = keyed.join("out/night-drive.wav");
    let (spec, main) = read_wav_f32(&main_path);
    assert_eq!((spec.sample_rate, spec.bits_per_sample, spec.channels), (48_000, 24, 2));
    let (cd, cd_audio) = read_wav_f32(&keyed.join("out/night-drive-cd.wav"));
    assert_eq!((cd.sample_rate, cd.bits_per_sample, cd.channels), (44_100, 16, 2));
    let expected = (main[0].len() as f64 * 44_100.0 / 48_000.0).round() as usize;
    assert_eq!(cd_audio[0].len(), expected);

    // The limiter's ceiling holds in both files (4x oversampled true peak).
    for path in [&main_path, &keyed.join("out/night-drive-cd.wav")] {
        let m = mixc::meter::measure_file(path).expect("meter");
        let tp = m.true_peak_dbtp.expect("not silent");
        assert!(tp <= -1.0, "{}: true peak {tp:.2} dBTP", path.display());
    }

    // Tails: the render outlasts the longest stem by the reverb and delay tails.
    // The verb return decays with T60 = 2.2 s, and the delay return repeats every
    // 469 ms at -10.5 dB (30% feedback), about 2.8 s per 60 dB: either one alone is
    // over 2 s before the signal is 60 dB down, let alone -90 dBFS.
    let stems = root.join("examples/demo/stems");
    let longest = ["kick", "snare", "hats", "bass", "chords", "lead"]
        .iter()
        .map(|s| mixc::meter::measure_file(&stems.join(format!("{s}.flac"))).expect("stem").duration_s)
        .fold(0.0, f64::max);
    let seconds = main[0].len() as f64 / 48_000.0;
    assert!(seconds >= longest + 2.0, "render {seconds:.2} s, longest stem {longest:.2} s");
    // ...and it stops once the tails are gone: the last 100 ms are below -80 dBFS.
    let end_peak = main.iter().flat_map(|c| &c[c.len() - 4_800..]).fold(0f32, |m, s| m.max(s.abs()));
    assert!(db(end_peak as f64) < -80.0, "tail end at {:.1} dBFS", db(end_peak as f64));

    // Sidechain: the same song without the kick-keyed compressor, sources made
    // absolute. (Dropping only `key: kick` would not do: the compressor would then
    // key on the bass itself, 20 dB over its -26 dB threshold, and squash the bass
    // far harder than the kick ever ducks it.)
    let text = std::fs::read_to_string(&song).expect("read song");
    let keyed_line = |l: &str| l.trim_start().starts_with("-> compressor(") && l.contains("key: kick)");
    assert_eq!(text.lines().filter(|l| keyed_line(l)).count(), 1, "the bass compressor is keyed by the kick");
    let stems_abs = format!("\"{}/", stems.display());
    let unkeyed_text: String = text
        .replace("\"../demo/stems/", &stems_abs)
        .lines()
        .filter(|l| !keyed_line(l) && !l.starts_with("export \"out/night-drive-cd.wav\""))
        .map(|l| format!("{l}\n"))
        .collect();
    let unkeyed_mix = dir.path().join("unkeyed.mix");
    std::fs::write(&unkeyed_mix, unkeyed_text).expect("write variant");
    let unkeyed = dir.path().join("unkeyed");
    render(&unkeyed_mix, &unkeyed);
    let (_, plain) = read_wav_f32(&unkeyed.join("out/night-drive.wav"));

    // Low band (60-120 Hz, where kick and bass overlap) of the master, bars 5-12
    // (10 s..30 s: drums and bass both play), in the windows 80-300 ms after each
    // beat (625 ms at 96 bpm), where the kick has hit and its compressor holds the
    // bass down. Keyed, the bass gets out of the kick's way: less energy there. The
    // kick itself fills most of this band, so a deep bass duck moves the sum by
    // about 1 dB (measured: -1.1 dB); half of that is the bar.
    let band = |x: &[Vec<f32>]| {
        let mid: Vec<f32> = (0..x[0].len()).map(|i| 0.5 * (x[0][i] + x[1][i])).collect();
        let low = bandpass(&mid, 48_000.0, 85.0, 1.2);
        let windows: Vec<f32> = (0..32)
            .flat_map(|beat| {
                let at = 10.0 + beat as f64 * 0.625;
                low[((at + 0.08) * 48_000.0) as usize..((at + 0.3) * 48_000.0) as usize].to_vec()
            })
            .collect();
        rms(&windows)
    };
    let (with_key, without_key) = (band(&main), band(&plain));
    let drop = db(with_key) - db(without_key);
    eprintln!(
        "night-drive: {seconds:.2} s (longest stem {longest:.2} s); low band {:.2} dB keyed vs {:.2} dB unkeyed",
        db(with_key),
        db(without_key)
    );
    assert!(drop < -0.5, "sidechain ducking only moved the 60-120 Hz band by {drop:.2} dB");
}

/// RBJ cookbook band-pass (0 dB peak gain), one pass.
fn bandpass(x: &[f32], rate: f64, freq: f64, q: f64) -> Vec<f32> {
    let w = 2.0 * std::f64::consts::PI * freq / rate;
    let alpha = w.sin() / (2.0 * q);
    let a0 = 1.0 + alpha;
    let (b0, b2, a1, a2) = (alpha / a0, -alpha / a0, -2.0 * w.cos() / a0, (1.0 - alpha) / a0);
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&v| {
            let v = v as f64;
            let y = b0 * v + b2 * x2 - a1 * y1 - a2 * y2;
            (x2, x1, y2, y1) = (x1, v, y1, y);
            y as f32
        })
        .collect()
}

//! Rendering against analytic expectations: identity, pan law, unity sums,
//! timeline placement, block-length and thread-count invariance, safe outputs.

use crate::common::*;

const RATE: u32 = 48_000;

/// A 24-bit stereo source through an untouched track and master comes out bit-exact.
#[test]
fn identity_24_bit_stereo_is_bit_exact() {
    let p = Project::new();
    let l = noise(30_000, 1, 0.9, 24);
    let r = noise(30_000, 2, 0.9, 24);
    p.wav_int("src.wav", RATE, 24, &[l, r]);
    p.file("song.mix", "track a { source = \"src.wav\" }\nexport \"out.wav\"\n");
    p.render_ok("song.mix", &[]);
    let (spec_in, input) = read_wav_ints(&p.path("src.wav"));
    let (spec_out, output) = read_wav_ints(&p.path("out.wav"));
    assert_eq!(spec_out.bits_per_sample, 24);
    assert_eq!(spec_out.sample_rate, spec_in.sample_rate);
    assert_eq!(output, input);
}

/// A 16-bit source exported at 16 bits (TPDF dither by default) is still
/// unchanged: it is already on the 16-bit grid, so there is nothing to dither.
#[test]
fn identity_16_bit_with_default_dither_is_bit_exact() {
    let p = Project::new();
    let l = noise(20_000, 3, 0.5, 16);
    let r = noise(20_000, 4, 0.5, 16);
    p.wav_int("src.wav", 44_100, 16, &[l, r]);
    p.file("song.mix", "track a { source = \"src.wav\" }\nexport \"out.wav\" { bits = 16 }\n");
    p.render_ok("song.mix", &[]);
    assert_eq!(read_wav_ints(&p.path("out.wav")).1, read_wav_ints(&p.path("src.wav")).1);
}

fn render_pan(pan: &str, stereo: bool) -> Vec<Vec<f32>> {
    let p = Project::new();
    let x = sine(48_000, RATE, 1000.0, 0.5, 24);
    let chans = if stereo { vec![x.clone(), x] } else { vec![x] };
    p.wav_int("src.wav", RATE, 24, &chans);
    p.file(
        "song.mix",
        &format!("track a {{ source = \"src.wav\", pan = {pan} }}\nexport \"out.wav\" {{ bits = 32f }}\n"),
    );
    p.render_ok("song.mix", &[]);
    read_wav_f32(&p.path("out.wav")).1
}

#[test]
fn mono_centre_is_minus_3_db_per_side() {
    let out = render_pan("0%", false);
    let expected = 0.5 / 2f64.sqrt() / 2f64.sqrt(); // sine RMS × cos(π/4)
    for ch in &out {
        assert!((db(rms(ch)) - db(expected)).abs() < 0.001, "{} vs {}", db(rms(ch)), db(expected));
    }
    assert!((db(std::f64::consts::FRAC_1_SQRT_2) + 3.0103).abs() < 1e-4);
}

#[test]
fn mono_pan_follows_the_constant_power_law() {
    for pan in [-100.0, -50.0, -30.0, 25.0, 70.0] {
        let out = render_pan(&format!("{pan}%"), false);
        let theta = (pan / 100.0 + 1.0) * std::f64::consts::FRAC_PI_4;
        let src = rms(&sine(48_000, RATE, 1000.0, 0.5, 24));
        let (l, r) = (rms(&out[0]), rms(&out[1]));
        assert!((l - src * theta.cos()).abs() < 1e-6, "pan {pan}: L {l}");
        assert!((r - src * theta.sin()).abs() < 1e-6, "pan {pan}: R {r}");
    }
}

#[test]
fn stereo_centre_is_unity() {
    let out = render_pan("0%", true);
    let src = sine(48_000, RATE, 1000.0, 0.5, 24);
    assert_eq!(out[0], src);
    assert_eq!(out[1], src);
}

#[test]
fn hard_right_leaves_left_silent() {
    for stereo in [false, true] {
        let out = render_pan("+100%", stereo);
        assert!(out[0].iter().all(|&s| s == 0.0), "stereo={stereo}: left not silent");
        assert!(rms(&out[1]) > 0.3, "stereo={stereo}: right lost");
    }
}

#[test]
fn stereo_balance_fades_the_far_side() {
    let out = render_pan("+50%", true);
    let theta = 1.5 * std::f64::consts::FRAC_PI_4;
    let src = rms(&sine(48_000, RATE, 1000.0, 0.5, 24));
    assert!((rms(&out[0]) - src * (2f64.sqrt() * theta.cos())).abs() < 1e-6);
    assert!((rms(&out[1]) - src).abs() < 1e-6);
}

/// Buses and the master sum at unity: two tracks into a bus add exactly.
#[test]
fn buses_sum_at_unity() {
    let p = Project::new();
    let a = noise(10_000, 5, 0.25, 24);
    let b = noise(10_000, 6, 0.25, 24);
    p.wav_int("a.wav", RATE, 24, &[a.clone(), a.clone()]);
    p.wav_int("b.wav", RATE, 24, &[b.clone(), b.clone()]);
    p.file(
        "song.mix",
        "track a { source = \"a.wav\", out = sum }\ntrack b { source = \"b.wav\", out = sum }\nbus sum {}\nexport \"out.wav\" { bits = 32f }\n",
    );
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    for i in 0..10_000 {
        assert_eq!(out[0][i], a[i] + b[i]);
    }
}

/// Paths of different depths meet exactly: `a` reaches the master through
/// two buses, `b` directly, over many render chunks (the engine pipelines
/// levels, so `b` is read from an older step than the bus: a wrong step
/// would misalign them).
#[test]
fn paths_of_different_depths_stay_aligned_over_many_chunks() {
    let p = Project::new();
    let frames = 200_000;
    let a = noise(frames, 31, 0.25, 24);
    let b = noise(frames, 32, 0.25, 24);
    p.wav_int("a.wav", RATE, 24, &[a.clone(), a.clone()]);
    p.wav_int("b.wav", RATE, 24, &[b.clone(), b.clone()]);
    p.file(
        "song.mix",
        "track a { source = \"a.wav\", out = inner }\ntrack b { source = \"b.wav\" }\nbus inner { out = outer }\nbus outer {}\nexport \"out.wav\" { bits = 32f }\n",
    );
    for threads in ["1", "2"] {
        p.render_ok("song.mix", &["--threads", threads]);
        let out = read_wav_f32(&p.path("out.wav")).1;
        assert_eq!(out[0].len(), frames);
        for i in 0..frames {
            assert_eq!(out[0][i], a[i] + b[i], "frame {i}, {threads} threads");
        }
    }
}

/// `start` places the source on the timeline; the render lasts until it ends.
#[test]
fn start_offsets_the_source() {
    let p = Project::new();
    let x = noise(4_800, 7, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x.clone()]);
    p.file("song.mix", "track a { source = \"x.wav\", start = 250ms }\nexport \"out.wav\"\n");
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    assert_eq!(out[0].len(), 12_000 + 4_800);
    assert!(out[0][..12_000].iter().all(|&s| s == 0.0));
    assert_eq!(&out[0][12_000..], &x[..]);
}

#[test]
fn bar_beat_start_uses_tempo_and_meter() {
    let p = Project::new();
    let x = noise(1_000, 8, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    // 120 bpm: a quarter is 0.5 s; bar 2 beat 2 in 4/4 is 5 quarters = 2.5 s.
    p.file(
        "song.mix",
        "tempo = 120bpm\nmeter = 4/4\ntrack a { source = \"x.wav\", start = 2:2 }\nexport \"out.wav\"\n",
    );
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    assert_eq!(out[0].len(), 120_000 + 1_000);
    assert!(out[0][..120_000].iter().all(|&s| s == 0.0));
    assert!(out[0][120_000] != 0.0 || out[0][120_001] != 0.0);
}

const BUSY_MIX: &str = r#"
rate = 48kHz
track a { source = "a.wav", chain = highpass(40Hz) -> peak(2kHz, +4dB, q: 2), gain = -3dB, pan = -40%, out = grp }
track b { source = "b.wav", chain = low_shelf(200Hz, +3dB) -> lowpass(9kHz), pan = 30%, out = grp, send fx = -6dB }
track c { source = "c.wav", chain = high_shelf(6kHz, -2dB, slope: 0.7) -> notch(3kHz, q: 4), send fx = -10dB pre }
bus grp { chain = bandpass(1kHz, q: 0.3) -> allpass(500Hz), gain = -1dB }
bus fx  { chain = lowpass(3kHz) -> gain(-2dB) }
master { chain = peak(100Hz, -1.5dB) -> high_shelf(10kHz, +1dB, q: 0.8) }
export "out.wav" { bits = 32f }
"#;

fn busy_project() -> Project {
    let p = Project::new();
    for (i, name) in ["a.wav", "b.wav", "c.wav"].iter().enumerate() {
        let frames = 70_000 + 9_000 * i;
        let l = noise(frames, 10 + i as u64, 0.3, 24);
        if i == 1 {
            p.wav_int(name, 44_100, 24, &[l]);
        } else {
            let r = noise(frames, 20 + i as u64, 0.3, 24);
            p.wav_int(name, RATE, 24, &[l, r]);
        }
    }
    p.file("song.mix", BUSY_MIX);
    p
}

#[test]
fn block_length_17_equals_default_block() {
    let p = busy_project();
    p.render_ok("song.mix", &[]);
    let default = std::fs::read(p.path("out.wav")).expect("read");
    p.render_ok("song.mix", &["--block", "17"]);
    let odd = std::fs::read(p.path("out.wav")).expect("read");
    assert_eq!(default.len(), odd.len());
    assert!(default == odd, "block 17 output differs from the default block");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let p = busy_project();
    p.render_ok("song.mix", &["--threads", "1"]);
    let one = std::fs::read(p.path("out.wav")).expect("read");
    p.render_ok("song.mix", &["--threads", "4"]);
    let four = std::fs::read(p.path("out.wav")).expect("read");
    assert!(one == four, "thread count changed the output");
}

/// A source at 44.1 kHz in a 48 kHz session lasts round(n · 48000/44100) frames.
#[test]
fn resampled_source_has_the_converted_length() {
    let p = Project::new();
    let x = sine(44_100, 44_100, 440.0, 0.5, 24);
    p.wav_int("x.wav", 44_100, 24, &[x.clone(), x]);
    p.file("song.mix", "rate = 48kHz\ntrack a { source = \"x.wav\" }\nexport \"out.wav\"\n");
    p.render_ok("song.mix", &[]);
    let (spec, out) = read_wav_f32(&p.path("out.wav"));
    assert_eq!(spec.sample_rate, 48_000);
    assert_eq!(out[0].len(), 48_000);
    // Level survives conversion (band-limited sine well under Nyquist).
    let mid = &out[0][4_800..43_200];
    assert!((db(rms(mid)) - db(0.5 / 2f64.sqrt())).abs() < 0.01);
}

/// A render that fails leaves an existing output untouched and no temporary files.
#[test]
fn failed_render_leaves_existing_output_untouched() {
    let p = Project::new();
    let x = noise(10_000, 9, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    p.file("good.wav", "precious bytes");
    p.file("blocker", "a file where a folder should be");
    p.file("song.mix", "track a { source = \"x.wav\" }\nexport \"good.wav\"\nexport \"blocker/inner.wav\"\n");
    let out = p.mixc(&["render", "song.mix"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(p.path("good.wav")).expect("read"), "precious bytes");
    let leftovers = crate::common::temporary_files(p.dir.path());
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// A `.mix` error exits 1 and does not touch the output either.
#[test]
fn mix_error_exits_1_and_writes_nothing() {
    let p = Project::new();
    let x = noise(10_000, 9, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x]);
    p.file("out.wav", "old");
    p.file("song.mix", "track a { source = \"x.wav\", chain = lowpas(5kHz) }\nexport \"out.wav\"\n");
    let out = p.mixc(&["render", "song.mix"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(p.path("out.wav")).expect("read"), "old");
    assert!(String::from_utf8_lossy(&out.stderr).contains("lowpass"));
}

#[test]
fn export_16_bit_rate_conversion_and_dither() {
    let p = Project::new();
    let x = sine(48_000, RATE, 997.0, 0.25, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    p.file(
        "song.mix",
        "track a { source = \"x.wav\" }\nexport \"cd.wav\" { rate = 44.1kHz, bits = 16, dither = tpdf }\n",
    );
    p.render_ok("song.mix", &[]);
    let (spec, out) = read_wav_f32(&p.path("cd.wav"));
    assert_eq!((spec.sample_rate, spec.bits_per_sample), (44_100, 16));
    assert_eq!(out[0].len(), 44_100);
    let mid = &out[0][4_410..39_690];
    assert!((db(rms(mid)) - db(0.25 / 2f64.sqrt())).abs() < 0.01);
}

fn sends_mix(p: &Project, track_gain: &str, tap: &str) -> Vec<Vec<f32>> {
    let x = vec![0.5f32; 4_800];
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    let mix = format!(
        "track a {{ source = \"x.wav\", gain = {track_gain}\n    send fx = -6dB {tap}\n}}\nbus fx {{}}\nexport \"out.wav\" {{ bits = 32f }}\n"
    );
    p.file("song.mix", &mix);
    p.render_ok("song.mix", &[]);
    read_wav_f32(&p.path("out.wav")).1
}

/// A post-fader send carries the fader; the return sums at unity with the dry path.
#[test]
fn post_fader_send_follows_the_fader() {
    let p = Project::new();
    let out = sends_mix(&p, "-6dB", "");
    let (g, s) = (10f64.powf(-6.0 / 20.0), 10f64.powf(-6.0 / 20.0));
    let expected = 0.5 * g + 0.5 * g * s;
    assert!((out[0][100] as f64 - expected).abs() < 1e-6, "{} vs {expected}", out[0][100]);
}

/// A pre-fader send is independent of the fader: with the fader down, only the send remains.
#[test]
fn pre_fader_send_ignores_the_fader() {
    let p = Project::new();
    let out = sends_mix(&p, "-inf dB", "pre");
    let expected = 0.5 * 10f64.powf(-6.0 / 20.0);
    assert!((out[1][100] as f64 - expected).abs() < 1e-6, "{} vs {expected}", out[1][100]);
}

/// Mute silences a track; solo silences every other track.
#[test]
fn mute_and_solo() {
    let p = Project::new();
    p.wav_int("a.wav", RATE, 24, &[vec![0.25; 1000], vec![0.25; 1000]]);
    p.wav_int("b.wav", RATE, 24, &[vec![0.125; 1000], vec![0.125; 1000]]);
    for (settings, expected) in [("mute = true", 0.125), ("solo = true", 0.25)] {
        p.file(
            "song.mix",
            &format!("track a {{ source = \"a.wav\", {settings} }}\ntrack b {{ source = \"b.wav\" }}\nexport \"out.wav\" {{ bits = 32f }}\n"),
        );
        p.render_ok("song.mix", &[]);
        let out = read_wav_f32(&p.path("out.wav")).1;
        assert_eq!(out[0][10], expected, "{settings}");
    }
}

/// A render interrupted halfway (as Ctrl-C in `mixc watch` does) writes
/// nothing: the old output stays, and no temporary file is left.
#[test]
fn interrupted_render_leaves_existing_output_untouched() {
    let p = Project::new();
    let x = noise(400_000, 12, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    p.file("out.wav", "precious bytes");
    let song = p.file("song.mix", "track a { source = \"x.wav\", chain = lowpass(5kHz) }\nexport \"out.wav\"\n");
    let graph = mixc::pipeline::check(&song).expect("checks");
    let chunks = std::cell::Cell::new(0);
    let cancelled = || {
        chunks.set(chunks.get() + 1);
        chunks.get() > 5
    };
    let mut cache = mixc::cache::Cache::new(1 << 30);
    let result =
        mixc::pipeline::render_cached(&graph, Default::default(), &mut cache, &mut |_, _| {}, &cancelled, None);
    assert!(result.is_err(), "the render should have been cancelled");
    assert_eq!(std::fs::read_to_string(p.path("out.wav")).expect("read"), "precious bytes");
    assert_eq!(crate::common::temporary_files(p.dir.path()), Vec::<String>::new(), "temporary files left behind");
}

/// A limiter's lookahead delays its track; the plan delays the parallel path
/// to match, so two copies of a signal — one through a limiter that does not
/// need to act — stay sample-aligned, and the song starts at frame 0.
#[test]
fn latency_compensation_keeps_parallel_paths_aligned() {
    let p = Project::new();
    let x = noise(30_000, 21, 0.1, 24);
    p.wav_int("x.wav", RATE, 24, std::slice::from_ref(&x));
    let mix = "track limited { source = \"x.wav\", chain = limiter(ceiling: -1dB, lookahead: 5ms), pan = -100% }\ntrack plain { source = \"x.wav\", pan = +100% }\nexport \"out.wav\" { bits = 32f }\n";
    p.file("song.mix", mix);
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    assert_eq!(out[0].len(), 30_000, "the lookahead is removed from the output");
    assert_eq!(out[0], out[1], "the limited copy is not aligned with the plain one");
    // Hard-left mono feeds L·cos(0) = 1: the original, at its original position.
    assert_eq!(&out[1][..], &x[..]);
}

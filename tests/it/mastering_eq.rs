//! Mastering processors through the whole pipeline: linear-phase filters stay
//! aligned with their parallel paths, mid/side filters leave what they do not
//! touch bit-exact, and a multiband chain renders.

use crate::common::*;

const RATE: u32 = 48_000;

/// A 0 dB linear-phase bell is a pure delay of half its FIR; the plan delays
/// the parallel path to match and drops the latency from the output, so the
/// processed copy equals the plain one, and the source, to the last bit.
#[test]
fn linear_phase_eq_at_0_db_stays_sample_aligned_with_an_unprocessed_copy() {
    let p = Project::new();
    let x = noise(30_000, 31, 0.1, 24);
    p.wav_int("x.wav", RATE, 24, std::slice::from_ref(&x));
    let mix = "track eq { source = \"x.wav\", chain = peak(1kHz, 0dB, phase: linear), pan = -100% }\n\
               track plain { source = \"x.wav\", pan = +100% }\nexport \"out.wav\" { bits = 32f }\n";
    p.file("song.mix", mix);
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    assert_eq!(out[0].len(), 30_000, "the latency is removed from the output");
    assert_eq!(out[0], out[1], "the linear-phase copy is not aligned with the plain one");
    assert_eq!(&out[1][..], &x[..]);
}

/// A linear-phase shelf turns an impulse into a response symmetric about the
/// impulse's own position: no delay left after compensation, no phase shift.
#[test]
fn linear_phase_shelf_rings_symmetrically_about_the_original_impulse() {
    let p = Project::new();
    let at = 10_000;
    let mut x = vec![0.0f32; 20_000];
    x[at] = 0.5;
    p.wav_int("x.wav", RATE, 24, std::slice::from_ref(&x));
    let mix = "track eq { source = \"x.wav\", chain = high_shelf(3kHz, +6dB, phase: linear), pan = -100% }\n\
               track plain { source = \"x.wav\", pan = +100% }\nexport \"out.wav\" { bits = 32f }\n";
    p.file("song.mix", mix);
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    let (eq, plain) = (&out[0], &out[1]);
    assert_eq!(plain[at], 0.5);
    let peak = eq.iter().enumerate().fold((0, 0.0f32), |m, (i, &v)| if v.abs() > m.1 { (i, v.abs()) } else { m });
    assert_eq!(peak.0, at, "the filtered impulse moved");
    // +6 dB above 3 kHz: the impulse's centre tap is above 0.5.
    assert!(peak.1 > 0.5);
    for k in 1..at {
        assert!((eq[at - k] - eq[at + k]).abs() < 1e-6, "asymmetric at ±{k}: {} vs {}", eq[at - k], eq[at + k]);
    }
}

/// A side-only EQ (minimum and linear phase) leaves a mono-compatible stereo
/// source (L = R) bit-identical.
#[test]
fn side_only_eq_leaves_a_mono_stereo_source_bit_identical() {
    let p = Project::new();
    let x = noise(30_000, 32, 0.5, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x]);
    let mix = "track a {\n    source = \"x.wav\"\n    chain  = peak(3kHz, +6dB, on: side) -> high_shelf(8kHz, -3dB, phase: linear, on: side)\n}\n\
               export \"out.wav\"\n";
    p.file("song.mix", mix);
    p.render_ok("song.mix", &[]);
    let (out, source) = (read_wav_ints(&p.path("out.wav")).1, read_wav_ints(&p.path("x.wav")).1);
    for (o, s) in out.iter().zip(&source) {
        assert_eq!(&o[..s.len()], &s[..]);
        // The render goes on for the shelf's ring, silent here.
        assert!(o[s.len()..].iter().all(|&v| v == 0));
    }
}

/// A mid-only EQ leaves pure side content (L = −R) bit-identical, and
/// changes a mono-compatible source.
#[test]
fn mid_only_eq_leaves_pure_side_content_alone() {
    let p = Project::new();
    let x = noise(20_000, 33, 0.5, 24);
    let minus: Vec<f32> = x.iter().map(|v| -v).collect();
    p.wav_int("side.wav", RATE, 24, &[x.clone(), minus]);
    p.wav_int("mid.wav", RATE, 24, &[x.clone(), x]);
    for source in ["side", "mid"] {
        let mix = format!(
            "track a {{ source = \"{source}.wav\", chain = low_shelf(200Hz, +4dB, on: mid) }}\nexport \"{source}-out.wav\"\n"
        );
        p.file("song.mix", &mix);
        p.render_ok("song.mix", &[]);
    }
    let read = |f: &str| read_wav_ints(&p.path(f)).1;
    let (out, source) = (read("side-out.wav"), read("side.wav"));
    for (o, s) in out.iter().zip(&source) {
        assert_eq!(&o[..s.len()], &s[..]);
    }
    let (out, source) = (read("mid-out.wav"), read("mid.wav"));
    assert_ne!(&out[0][..source[0].len()], &source[0][..]);
}

/// A multiband with every band at ratio 1 keeps the level of white noise
/// (its all-pass changes the phase, not the magnitude).
#[test]
fn multiband_at_ratio_1_keeps_the_level() {
    let p = Project::new();
    let x = noise(48_000, 34, 0.25, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x.clone()]);
    let mix = "track a {\n    source = \"x.wav\"\n    chain  = multiband(split: [120Hz, 2kHz], threshold: -20dB, ratio: 1)\n}\n\
               export \"out.wav\" { bits = 32f }\n";
    p.file("song.mix", mix);
    p.render_ok("song.mix", &[]);
    let out = read_wav_f32(&p.path("out.wav")).1;
    let (level_in, level_out) = (db(rms(&x)), db(rms(&out[0][..x.len()])));
    assert!((level_in - level_out).abs() < 0.05, "in {level_in:.3} dB, out {level_out:.3} dB");
}

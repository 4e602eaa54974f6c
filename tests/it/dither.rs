//! `dither = shaped` end to end: the word (and its alias) reaches the encoder,
//! bit-exact sources stay bit-exact, processed audio gets the shaped noise.

use crate::common::*;

const RATE: u32 = 44_100;

/// A 16-bit source exported at 16 bits with `shaped` is unchanged: on the
/// grid, the auto dither (and with it the shaping) never switches on.
#[test]
fn identity_16_bit_with_shaped_dither_is_bit_exact() {
    let p = Project::new();
    p.wav_int("src.wav", RATE, 16, &[noise(20_000, 5, 0.5, 16), noise(20_000, 6, 0.5, 16)]);
    p.file("song.mix", "track a { source = \"src.wav\" }\nexport \"out.wav\" { bits = 16, dither = shaped }\n");
    p.render_ok("song.mix", &[]);
    assert_eq!(read_wav_ints(&p.path("out.wav")).1, read_wav_ints(&p.path("src.wav")).1);
}

/// A 24-bit sine exported at 16 bits: `shaped` and `noise_shaped` write the
/// same file (one dither seed for every export), the level is kept, and the
/// error is the shaped one — white TPDF error has power Δ²/4 (0.5 LSB RMS),
/// the improved E-weighted loop multiplies it by 1 + Σ h_k² ≈ 204 (about
/// 7 LSB RMS), which only the noise shaper can produce.
#[test]
fn shaped_dither_reaches_the_file() {
    let p = Project::new();
    let x = sine(44_100, RATE, 997.0, 0.25, 24);
    p.wav_int("x.wav", RATE, 24, &[x.clone(), x.clone()]);
    p.file(
        "song.mix",
        "track a { source = \"x.wav\" }\n\
         export \"shaped.wav\" { rate = 44.1kHz, bits = 16, dither = shaped }\n\
         export \"alias.wav\" { rate = 44.1kHz, bits = 16, dither = noise_shaped }\n\
         export \"tpdf.wav\" { rate = 44.1kHz, bits = 16, dither = tpdf }\n",
    );
    p.render_ok("song.mix", &[]);
    let shaped = read_wav_ints(&p.path("shaped.wav")).1;
    assert_eq!(shaped, read_wav_ints(&p.path("alias.wav")).1);
    let error_rms = |file: &str| {
        let out = read_wav_f32(&p.path(file)).1;
        let err: Vec<f32> = out[0].iter().zip(&x).map(|(y, x)| (y - x) * 32_768.0).collect();
        rms(&err)
    };
    let (tpdf, shaped_rms) = (error_rms("tpdf.wav"), error_rms("shaped.wav"));
    assert!((tpdf - 0.5).abs() < 0.02, "TPDF error {tpdf} LSB RMS");
    assert!((shaped_rms - 204f64.sqrt() * 0.5).abs() < 0.3, "shaped error {shaped_rms} LSB RMS");
    let out = read_wav_f32(&p.path("shaped.wav")).1;
    assert!((db(rms(&out[1])) - db(0.25 / 2f64.sqrt())).abs() < 0.01);
}

/// A misspelt word lists the choices, the new ones included.
#[test]
fn unknown_dither_lists_shaped() {
    let p = Project::new();
    p.wav_int("x.wav", RATE, 24, &[vec![0.0; 100]]);
    p.file("song.mix", "track a { source = \"x.wav\" }\nexport \"o.wav\" { bits = 16, dither = shapd }\n");
    let out = p.mixc(&["check", "song.mix"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("shaped") && err.contains("noise_shaped"), "{err}");
}

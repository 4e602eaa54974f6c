//! Sample-rate conversion tests: THD+N, alignment, exact lengths, pass-through.

use std::f64::consts::PI;

use super::{fixture, read_all};
use crate::io::resample::{SourceStream, StreamResampler};

/// Converts a mono signal in uneven blocks, as a renderer would.
fn convert(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let mut r = StreamResampler::new(1, from, to).unwrap();
    let mut out = vec![Vec::new()];
    for block in x.chunks(1000 + 37) {
        r.process(&[block], &mut out).unwrap();
    }
    r.finish(&mut out).unwrap();
    out.pop().unwrap_or_default()
}

fn sine(freq: f64, rate: u32, n: usize, amp: f64) -> Vec<f32> {
    (0..n).map(|i| (amp * (2.0 * PI * freq * i as f64 / f64::from(rate)).sin()) as f32).collect()
}

/// Least-squares fit of a·sin + b·cos + c at `freq` over `y[range]`; returns
/// (a, b, residual power / fitted power).
fn fit_sine(y: &[f32], freq: f64, rate: u32, range: std::ops::Range<usize>) -> (f64, f64, f64) {
    let w = 2.0 * PI * freq / f64::from(rate);
    let basis = |k: usize| [(w * k as f64).sin(), (w * k as f64).cos(), 1.0];
    let (mut m, mut v) = ([[0f64; 3]; 3], [0f64; 3]);
    for k in range.clone() {
        let b = basis(k);
        for i in 0..3 {
            v[i] += b[i] * f64::from(y[k]);
            for j in 0..3 {
                m[i][j] += b[i] * b[j];
            }
        }
    }
    let p = solve3(m, v);
    let (mut sig, mut res) = (0f64, 0f64);
    for k in range {
        let b = basis(k);
        let fit = p[0] * b[0] + p[1] * b[1];
        sig += fit * fit;
        res += (f64::from(y[k]) - fit - p[2]).powi(2);
    }
    (p[0], p[1], res / sig)
}

/// Cramer's rule: the 3×3 normal equations are well conditioned here.
fn solve3(m: [[f64; 3]; 3], v: [f64; 3]) -> [f64; 3] {
    let det = |a: [[f64; 3]; 3]| {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    };
    let d = det(m);
    let mut out = [0f64; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let mut mc = m;
        for r in 0..3 {
            mc[r][c] = v[r];
        }
        *o = det(mc) / d;
    }
    out
}

#[test]
fn thd_n_of_1k_sine_44k1_to_48k_is_below_minus_100_db() {
    let amp = 10f64.powf(-1.0 / 20.0);
    let y = convert(&sine(1000.0, 44_100, 88_200, amp), 44_100, 48_000);
    let (_, _, ratio) = fit_sine(&y, 1000.0, 48_000, 4_000..y.len() - 4_000);
    let thd_n = 10.0 * ratio.log10();
    eprintln!("THD+N 44.1k→48k, 1 kHz at −1 dBFS: {thd_n:.1} dB");
    assert!(thd_n < -100.0, "THD+N {thd_n:.1} dB");
}

#[test]
fn thd_n_downsampling_48k_to_44k1() {
    let amp = 10f64.powf(-1.0 / 20.0);
    let y = convert(&sine(997.0, 48_000, 96_000, amp), 48_000, 44_100);
    let (_, _, ratio) = fit_sine(&y, 997.0, 44_100, 4_000..y.len() - 4_000);
    let thd_n = 10.0 * ratio.log10();
    eprintln!("THD+N 48k→44.1k, 997 Hz at −1 dBFS: {thd_n:.1} dB");
    assert!(thd_n < -100.0, "THD+N {thd_n:.1} dB");
}

/// Output sample k must sit at input time k · from / to: a slow sine keeps
/// its phase (sin, not shifted) to a small fraction of a sample.
#[test]
fn output_sample_zero_is_input_sample_zero() {
    for (from, to) in [(44_100, 48_000), (48_000, 44_100), (44_100, 96_000), (96_000, 48_000)] {
        let f = 100.0;
        let y = convert(&sine(f, from, 40_000, 0.5), from, to);
        let (a, b, _) = fit_sine(&y, f, to, 5_000..y.len() - 5_000);
        let offset_in = b.atan2(a) / (2.0 * PI * f) * f64::from(from);
        assert!(offset_in.abs() < 1e-3, "{from}→{to}: off by {offset_in:e} input samples");
    }
}

#[test]
fn converted_length_is_rounded_ratio() {
    for (from, to) in [(44_100u32, 48_000u32), (48_000, 44_100), (44_100, 96_000), (48_000, 32_000)] {
        for n in [0usize, 1, 7, 1023, 1024, 11_025, 12_345] {
            let y = convert(&vec![0.25; n], from, to);
            let want = ((n as u128 * u128::from(to) + u128::from(from) / 2) / u128::from(from)) as usize;
            assert_eq!(y.len(), want, "{n} frames {from}→{to}");
        }
    }
}

#[test]
fn equal_rates_pass_through_bit_exact() {
    let x: Vec<f32> = (0..5000).map(|i| ((i * 7919) % 2001) as f32 / 1000.0 - 1.0).collect();
    assert_eq!(convert(&x, 48_000, 48_000), x);
    let src = read_all(&fixture("src24.wav"));
    assert_eq!(stream_all(&fixture("src24.wav"), 44_100, 512), src);
}

/// Reads a whole `SourceStream`, checking that every read but the last is full.
fn stream_all(path: &std::path::Path, rate: u32, block: usize) -> Vec<Vec<f32>> {
    let mut s = SourceStream::open(path, rate).unwrap();
    let mut out = vec![Vec::new(); s.channels()];
    let mut buf = vec![vec![0f32; block]; s.channels()];
    let mut short = false;
    loop {
        let mut parts: Vec<&mut [f32]> = buf.iter_mut().map(|b| &mut b[..]).collect();
        let n = s.read(&mut parts).unwrap();
        if n == 0 {
            return out;
        }
        assert!(!short, "a short read before the end");
        short = n < block;
        for (o, b) in out.iter_mut().zip(&buf) {
            o.extend_from_slice(&b[..n]);
        }
    }
}

#[test]
fn source_stream_converts_to_session_rate() {
    let path = fixture("src24.wav");
    let s = SourceStream::open(&path, 48_000).unwrap();
    assert_eq!(s.frames(), Some(12_000));
    let y = stream_all(&path, 48_000, 700);
    assert_eq!((y.len(), y[0].len()), (2, 12_000));
    // The 440 Hz channel keeps its level and phase through the conversion.
    let (a, b, ratio) = fit_sine(&y[0], 440.0, 48_000, 1_000..11_000);
    assert!((a - 0.5).abs() < 1e-3 && b.abs() < 1e-3, "a {a} b {b}");
    assert!(ratio < 1e-8, "residual {ratio:e}");
}

/// STANDARDS.md §7: the passband is flat to ±0.1 dB up to 0.9 · the lower
/// Nyquist, in both directions between 44.1 and 48 kHz.
#[test]
fn passband_ripple_is_within_a_tenth_of_a_db() {
    for (from, to) in [(44_100, 48_000), (48_000, 44_100)] {
        let edge = 0.9 * f64::from(from.min(to)) / 2.0;
        let mut worst = 0f64;
        for f in [20.0, 100.0, 997.0, 5_000.0, 10_000.0, 15_000.0, 18_000.0, edge] {
            let y = convert(&sine(f, from, 30_000, 0.5), from, to);
            let (a, b, _) = fit_sine(&y, f, to, 2_000..y.len() - 2_000);
            let gain_db = 20.0 * (a.hypot(b) / 0.5).log10();
            worst = worst.max(gain_db.abs());
            assert!(gain_db.abs() <= 0.1, "{from}→{to} at {f} Hz: {gain_db:+.4} dB");
        }
        eprintln!("{from}→{to}: passband ripple to {edge} Hz within ±{worst:.4} dB");
    }
}

/// STANDARDS.md §7: a 23 kHz tone, above the 22.05 kHz output Nyquist, is
/// attenuated by at least 100 dB when converting 48 → 44.1 kHz.
#[test]
fn tone_above_the_output_nyquist_is_rejected_by_100_db() {
    let amp = 10f64.powf(-1.0 / 20.0);
    let y = convert(&sine(23_000.0, 48_000, 96_000, amp), 48_000, 44_100);
    let mid = &y[4_000..y.len() - 4_000];
    let rms = (mid.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / mid.len() as f64).sqrt();
    let rejection = 20.0 * (rms / (amp / 2f64.sqrt())).log10();
    eprintln!("23 kHz tone 48k→44.1k: {rejection:.1} dB");
    assert!(rejection <= -100.0, "only {rejection:.1} dB");
}

/// Converter throughput, stereo, both directions of the demo's conversions;
/// `cargo test --release --lib resample_speed -- --ignored --nocapture`.
#[test]
#[ignore]
fn resample_speed() {
    for (from, to) in [(44_100u32, 48_000u32), (48_000, 44_100)] {
        let x = sine(997.0, from, from as usize * 30, 0.5);
        let mut r = StreamResampler::new(2, from, to).unwrap();
        let mut out = vec![Vec::new(), Vec::new()];
        let cpu = super::thread_cpu_seconds();
        for block in x.chunks(4096) {
            r.process(&[block, block], &mut out).unwrap();
        }
        r.finish(&mut out).unwrap();
        let secs = super::thread_cpu_seconds() - cpu;
        let rate = (2 * out[0].len()) as f64 / secs / 1e6;
        eprintln!("{from}→{to}: {rate:.1} M output samples/s of CPU time");
    }
}

//! Noise-shaped dither against analytic expectations: the spectrum of the
//! requantisation error, the 2–5 kHz gain over plain TPDF, the auto rule,
//! determinism and behaviour at full scale.

use std::f64::consts::TAU;

use realfft::RealFftPlanner;

use crate::deliver::noise_shape::{ntf_power, IMPROVED_E_WEIGHTED};
use crate::deliver::quantize::Quantizer;
use crate::ir::Dither;

/// 16-bit LSB in full-scale units.
const LSB: f64 = 1.0 / 32_768.0;
/// Power of the white error e = q − w with TPDF dither, in LSB²: rounding
/// (uniform over one LSB, Δ²/12) plus the dither (two independent uniforms,
/// 2·Δ²/12), independent of each other and of the signal: Δ²/4.
const WHITE_POWER: f64 = 1.0 / 12.0 + 2.0 / 12.0;
/// Welch segment length.
const SEG: usize = 8192;

fn sine(frames: usize, rate: f64, freq: f64, amp: f64) -> Vec<f32> {
    (0..frames).map(|i| (amp * (TAU * freq * i as f64 / rate).sin()) as f32).collect()
}

/// Quantises the channels at 16 bits and returns each channel's total error
/// q − v in LSB.
fn errors(dither: Dither, rate: u32, seed: u64, chans: &[Vec<f32>]) -> Vec<Vec<f64>> {
    let mut q = Quantizer::new(16, dither, seed, rate, chans.len());
    let slices: Vec<&[f32]> = chans.iter().map(|c| c.as_slice()).collect();
    let mut ints = Vec::new();
    q.quantize_planar(&slices, &mut ints);
    let n = chans.len();
    (0..n)
        .map(|c| {
            chans[c]
                .iter()
                .zip(ints.iter().skip(c).step_by(n))
                .map(|(&x, &y)| f64::from(y) - f64::from(x) / LSB)
                .collect()
        })
        .collect()
}

/// Welch power spectrum (periodic Hann, no overlap), scaled so that white
/// noise of power σ² reads σ² in every bin: bins 0..=SEG/2.
fn spectrum(x: &[f64]) -> Vec<f64> {
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(SEG);
    let window: Vec<f64> = (0..SEG).map(|i| 0.5 - 0.5 * (TAU * i as f64 / SEG as f64).cos()).collect();
    let norm: f64 = window.iter().map(|w| w * w).sum();
    let (mut input, mut output) = (fft.make_input_vec(), fft.make_output_vec());
    let mut acc = vec![0.0; SEG / 2 + 1];
    let segments = x.len() / SEG;
    for seg in x.chunks_exact(SEG) {
        for ((i, &s), w) in input.iter_mut().zip(seg).zip(&window) {
            *i = s * w;
        }
        fft.process(&mut input, &mut output).expect("fft");
        acc.iter_mut().zip(&output).for_each(|(a, c)| *a += c.norm_sqr());
    }
    acc.iter().map(|a| a / (norm * segments as f64)).collect()
}

/// Mean of `f(bin frequency)` over the bins in [lo, hi) Hz.
fn band_mean(rate: f64, lo: f64, hi: f64, f: impl Fn(usize, f64) -> f64) -> f64 {
    let bins: Vec<usize> = (1..=SEG / 2).filter(|&k| (lo..hi).contains(&(k as f64 * rate / SEG as f64))).collect();
    bins.iter().map(|&k| f(k, k as f64 * rate / SEG as f64)).sum::<f64>() / bins.len() as f64
}

fn db(p: f64) -> f64 {
    10.0 * p.log10()
}

/// Third-octave bands (base 10) from 500 Hz to 20 kHz: (centre, lo, hi).
fn third_octaves() -> impl Iterator<Item = (f64, f64, f64)> {
    (27..=43).map(|n| {
        let fc = 10f64.powf(f64::from(n) / 10.0);
        (fc, fc * 10f64.powf(-0.05), fc * 10f64.powf(0.05))
    })
}

/// (1) The error of a −60 dBFS 1 kHz sine (left) and of quiet off-grid noise
/// (right) quantised with `shaped` at 44.1 kHz has the spectrum
/// |NTF(e^jω)|²·Δ²/4 in every third-octave band from 500 Hz to 20 kHz, within
/// 1 dB — per channel, so each channel has its own error history.
#[test]
fn shaped_error_spectrum_follows_the_ntf() {
    let rate = 44_100.0;
    let frames = 64 * SEG;
    let left = sine(frames, rate, 1000.0, 1e-3);
    let right: Vec<f32> = sine(frames, rate, 317.0, 3e-4).iter().map(|x| x + 1e-5).collect();
    let errs = errors(Dither::Shaped, 44_100, 5, &[left, right]);
    for (c, err) in errs.iter().enumerate() {
        let p = spectrum(err);
        for (fc, lo, hi) in third_octaves() {
            let measured = band_mean(rate, lo, hi, |k, _| p[k]);
            let expected = band_mean(rate, lo, hi, |_, f| WHITE_POWER * ntf_power(&IMPROVED_E_WEIGHTED, f, rate));
            let diff = db(measured) - db(expected);
            assert!(diff.abs() < 1.0, "channel {c}, {fc:.0} Hz: {:.2} dB vs {:.2} dB", db(measured), db(expected));
        }
    }
}

/// Plain TPDF's error is white at Δ²/4 (the derivation the test above relies
/// on), and `shaped` puts at least 10 dB less of it into 2–5 kHz at 44.1 kHz
/// (the filter promises about 24 dB) and still at 48 kHz, where the same
/// filter runs 9 % stretched.
#[test]
fn shaped_noise_is_10_db_lower_in_2_to_5_khz() {
    for rate in [44_100u32, 48_000] {
        let r = f64::from(rate);
        let x = vec![sine(32 * SEG, r, 997.0, 1e-3)];
        let band = |dither| {
            let p = spectrum(&errors(dither, rate, 9, &x)[0]);
            band_mean(r, 2_000.0, 5_000.0, |k, _| p[k])
        };
        let (tpdf, shaped) = (band(Dither::Tpdf), band(Dither::Shaped));
        assert!((db(tpdf) - db(WHITE_POWER)).abs() < 0.3, "{rate}: TPDF {:.2} dB", db(tpdf));
        let gain = db(tpdf) - db(shaped);
        assert!(gain > 10.0, "{rate}: only {gain:.1} dB quieter in 2–5 kHz");
        assert!(gain > 20.0, "{rate}: {gain:.1} dB, the filter promises about 24");
    }
}

/// No filter fits 96 kHz (or 32 kHz): `shaped` is then exactly plain TPDF.
#[test]
fn shaped_is_plain_tpdf_where_no_filter_fits() {
    for rate in [32_000u32, 96_000] {
        let x = vec![sine(10_000, f64::from(rate), 997.0, 0.1)];
        assert_eq!(errors(Dither::Shaped, rate, 3, &x), errors(Dither::Tpdf, rate, 3, &x));
        assert!(!Quantizer::new(16, Dither::Shaped, 3, rate, 1).is_shaping());
    }
    assert!(Quantizer::new(16, Dither::Shaped, 3, 48_000, 2).is_shaping());
}

/// (3) The auto rule: stereo input on the 16-bit grid comes out bit-exact;
/// the first off-grid sample switches dither and shaping on.
#[test]
fn shaped_on_grid_input_stays_bit_exact() {
    let grid = |seed: i64| -> Vec<f32> {
        (0..20_000i64).map(|i| ((i * 7919 + seed) % 65_536 - 32_768) as f32 * LSB as f32).collect()
    };
    let (l, r) = (grid(1), grid(12_345));
    let mut q = Quantizer::new(16, Dither::Shaped, 1, 44_100, 2);
    let mut ints = Vec::new();
    q.quantize_planar(&[&l, &r], &mut ints);
    let expected: Vec<i32> =
        l.iter().zip(&r).flat_map(|(&a, &b)| [a, b]).map(|x| (f64::from(x) / LSB) as i32).collect();
    assert_eq!(ints, expected);
    assert!(!q.is_dithering());
    q.quantize_planar(&[&[0.3 * LSB as f32], &[0.0]], &mut ints);
    assert!(q.is_dithering());
}

/// (4) Same seed, same output; another seed, another output; chunked
/// `quantize_planar` equals one call and `quantize_into` on the interleaved
/// samples.
#[test]
fn shaped_is_deterministic_and_chunk_invariant() {
    let l = sine(30_000, 44_100.0, 440.0, 0.3);
    let r = sine(30_000, 44_100.0, 1234.5, 0.2);
    let whole = |seed| {
        let mut ints = Vec::new();
        Quantizer::new(16, Dither::Shaped, seed, 44_100, 2).quantize_planar(&[&l, &r], &mut ints);
        ints
    };
    assert_eq!(whole(11), whole(11));
    assert_ne!(whole(11), whole(12));
    let mut q = Quantizer::new(16, Dither::Shaped, 11, 44_100, 2);
    let (mut chunked, mut ints, mut start) = (Vec::new(), Vec::new(), 0);
    for len in [1, 7, 4096, 333, 10_000].into_iter().cycle() {
        let end = (start + len).min(l.len());
        q.quantize_planar(&[&l[start..end], &r[start..end]], &mut ints);
        chunked.extend_from_slice(&ints);
        start = end;
        if start == l.len() {
            break;
        }
    }
    assert_eq!(chunked, whole(11));
    let interleaved: Vec<f32> = l.iter().zip(&r).flat_map(|(&a, &b)| [a, b]).collect();
    let mut out = vec![0; interleaved.len()];
    Quantizer::new(16, Dither::Shaped, 11, 44_100, 2).quantize_into(&interleaved, &mut out);
    assert_eq!(out, whole(11));
}

/// (5) Full-scale and over-range input does not blow the loop up: outputs
/// stay in range, the error of every unclipped sample stays within the loop's
/// bound (1.5 LSB · (1 + Σ|h_k|)), a NaN is written as 0 without poisoning
/// what follows, and a quiet passage afterwards has the error power of a
/// fresh loop, Δ²/4 · (1 + Σ h_k²).
#[test]
fn shaped_survives_full_scale() {
    let rate = 44_100.0;
    let mut x = sine(44_100, rate, 997.0, 1.0);
    x.extend((0..44_100).map(|i| if (i / 50) % 2 == 0 { 1.0 } else { -1.0 }));
    x.extend(sine(44_100, rate, 60.0, 1.4));
    x.push(f32::NAN);
    let loud = x.len();
    x.extend(sine(16 * SEG, rate, 997.0, 1e-3));
    let mut q = Quantizer::new(16, Dither::Shaped, 2, 44_100, 1);
    let mut ints = Vec::new();
    q.quantize_planar(&[&x], &mut ints);
    let bound = 1.5 * (1.0 + IMPROVED_E_WEIGHTED.iter().map(|h| h.abs()).sum::<f64>());
    for (&s, &y) in x.iter().zip(&ints) {
        assert!((-32_768..=32_767).contains(&y));
        let v = f64::from(s) / LSB;
        if (-32_768.0..=32_767.0).contains(&v) && y != -32_768 && y != 32_767 {
            assert!((f64::from(y) - v).abs() <= bound, "error {} at {v}", f64::from(y) - v);
        }
    }
    assert_eq!(ints[loud - 1], 0, "NaN");
    let tail: Vec<f64> =
        x[loud..].iter().zip(&ints[loud..]).map(|(&s, &y)| f64::from(y) - f64::from(s) / LSB).collect();
    let power = tail.iter().map(|e| e * e).sum::<f64>() / tail.len() as f64;
    let expected = WHITE_POWER * (1.0 + IMPROVED_E_WEIGHTED.iter().map(|h| h * h).sum::<f64>());
    assert!((db(power) - db(expected)).abs() < 0.5, "{:.2} dB vs {:.2} dB", db(power), db(expected));
}

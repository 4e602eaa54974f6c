//! Tests of the saturator: aliasing measured on a spectrum, small-signal linearity.

use super::*;
use crate::dsp::tests::process_blocks;
use realfft::RealFftPlanner;

const RATE: f64 = 48_000.0;
const FFT_LEN: usize = 32_768;

fn sine(freq: f64, amplitude: f64, frames: usize) -> Vec<f32> {
    (0..frames).map(|n| (amplitude * (2.0 * std::f64::consts::PI * freq * n as f64 / RATE).sin()) as f32).collect()
}

fn saturate(signal: &[f32], drive_db: f64) -> Vec<f32> {
    let mut s = Saturate::new(drive_db, 1.0);
    s.prepare(RATE, 1, 512);
    process_blocks(&mut s, &[signal.to_vec()], &[512]).remove(0)
}

/// Power spectrum of `x[skip..skip + FFT_LEN]` under a 4-term Blackman-Harris window.
fn power_spectrum(x: &[f32], skip: usize) -> Vec<f64> {
    let n = FFT_LEN as f64;
    let mut frame: Vec<f64> = (0..FFT_LEN)
        .map(|i| {
            let t = 2.0 * std::f64::consts::PI * i as f64 / n;
            let w = 0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos();
            x[skip + i] as f64 * w
        })
        .collect();
    let fft = RealFftPlanner::<f64>::new().plan_fft_forward(FFT_LEN);
    let mut spectrum = fft.make_output_vec();
    fft.process(&mut frame, &mut spectrum).expect("lengths match");
    spectrum.iter().map(|c| c.norm_sqr()).collect()
}

/// Energy below 20 kHz away from the harmonics of `freq`, relative to the
/// fundamental, in dB.
fn alias_db(out: &[f32], freq: f64) -> f64 {
    let p = power_spectrum(out, 4096);
    let bin = |f: f64| (f * FFT_LEN as f64 / RATE).round() as usize;
    let near = |k: usize, f: f64| k.abs_diff(bin(f)) <= 6;
    let fundamental: f64 = (0..p.len()).filter(|&k| near(k, freq)).map(|k| p[k]).sum();
    let harmonic = |k: usize| (1..8).any(|h| near(k, freq * h as f64));
    let alias: f64 = (1..bin(20_000.0)).filter(|&k| !harmonic(k)).map(|k| p[k]).sum();
    10.0 * (alias / fundamental).log10()
}

#[test]
fn a_hard_driven_15_khz_sine_does_not_alias() {
    let input = sine(15_000.0, 0.9, FFT_LEN + 8192);
    for drive in [12.0, 24.0, 36.0] {
        let out = saturate(&input, drive);
        let db = alias_db(&out, 15_000.0);
        println!("15 kHz, drive +{drive} dB: aliasing {db:.1} dB");
        assert!(db < -60.0, "drive {drive}: aliasing {db} dB");
    }
    // The same measure sees plain tanh's aliasing, so it is not blind.
    let naive: Vec<f32> = input.iter().map(|&x| ((x as f64 * 15.85).tanh() / 15.85) as f32).collect();
    let db = alias_db(&naive, 15_000.0);
    println!("15 kHz, drive +24 dB, no oversampling: aliasing {db:.1} dB");
    assert!(db > -30.0);
}

#[test]
fn small_signals_pass_nearly_linearly() {
    let input = sine(1_000.0, 0.001, FFT_LEN + 8192);
    let out = saturate(&input, 12.0);
    let rms = |x: &[f32]| (x.iter().map(|&v| v as f64 * v as f64).sum::<f64>() / x.len() as f64).sqrt();
    let gain_db = 20.0 * (rms(&out[4096..]) / rms(&input[4096..])).log10();
    let p = power_spectrum(&out, 4096);
    let third = p[(3_000.0 * FFT_LEN as f64 / RATE) as usize - 3..][..7].iter().sum::<f64>();
    let fundamental = p[(1_000.0 * FFT_LEN as f64 / RATE) as usize - 3..][..7].iter().sum::<f64>();
    let h3_db = 10.0 * (third / fundamental).log10();
    println!("-60 dBFS at +12 dB drive: gain {gain_db:.5} dB, 3rd harmonic {h3_db:.1} dB");
    assert!(gain_db.abs() < 0.01, "gain {gain_db} dB");
    assert!(h3_db < -80.0, "3rd harmonic {h3_db} dB");
}

#[test]
fn dry_mix_is_the_input_delayed_by_the_latency() {
    let input = sine(440.0, 0.5, 1000);
    let mut s = Saturate::new(24.0, 0.0);
    s.prepare(RATE, 1, 64);
    let out = process_blocks(&mut s, std::slice::from_ref(&input), &[64]).remove(0);
    assert_eq!(s.latency(), LATENCY);
    assert_eq!(&out[LATENCY..], &input[..1000 - LATENCY]);
}

#[test]
fn loud_input_is_capped_near_minus_drive() {
    let out = saturate(&sine(100.0, 1.0, 4800), 12.0);
    let peak = out.iter().fold(0.0f32, |m, x| m.max(x.abs())) as f64;
    // A band-limited square overshoots by up to 9% (Gibbs).
    assert!(peak <= db_to_gain(-12.0) * 1.1, "peak {peak}");
}

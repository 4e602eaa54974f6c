//! Tests of the FDN reverb against analytic expectations: T60 from the
//! Schroeder energy decay curve, L/R decorrelation, the tail bound.

use super::*;
use crate::dsp::tests::process_blocks;

const RATE: f64 = 48_000.0;

/// The stereo response to a unit impulse on both channels.
fn impulse_response(settings: ReverbSettings, seconds: f64) -> Vec<Vec<f32>> {
    let mut r = Reverb::new(settings);
    r.prepare(RATE, 2, 4096);
    let mut input = vec![vec![0.0f32; (seconds * RATE) as usize]; 2];
    input[0][0] = 1.0;
    input[1][0] = 1.0;
    process_blocks(&mut r, &input, &[4096])
}

/// Schroeder backward integration, in dB relative to the total energy.
fn energy_decay_curve(ir: &[f32]) -> Vec<f64> {
    let mut acc = 0.0;
    let mut edc: Vec<f64> = ir
        .iter()
        .rev()
        .map(|&x| {
            acc += x as f64 * x as f64;
            acc
        })
        .collect();
    edc.reverse();
    let total = edc[0];
    edc.iter().map(|e| 10.0 * (e / total).log10()).collect()
}

/// T60 from a least-squares line through the EDC between −5 and −35 dB,
/// extrapolated to −60 dB (the T30 method of ISO 3382).
fn t60(ir: &[f32]) -> f64 {
    let edc = energy_decay_curve(ir);
    let points: Vec<(f64, f64)> = edc
        .iter()
        .enumerate()
        .filter(|(_, &db)| (-35.0..=-5.0).contains(&db))
        .map(|(i, &db)| (i as f64 / RATE, db))
        .collect();
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx) * (x - mx)).sum();
    -60.0 / (sxy / sxx)
}

#[test]
fn measured_t60_matches_decay() {
    for decay in [0.5, 1.5, 3.0] {
        for damping in [0.0, 0.5] {
            let settings = ReverbSettings { decay, damping, ..ReverbSettings::default() };
            let ir = impulse_response(settings, 2.0 * decay + 0.5);
            for (c, channel) in ir.iter().enumerate() {
                let measured = t60(channel);
                let error = (measured / decay - 1.0).abs();
                println!("decay {decay} s, damping {damping}, ch {c}: T60 {measured:.3} s ({:.1}%)", error * 100.0);
                assert!(error < 0.15, "decay {decay}, damping {damping}: measured {measured}");
            }
        }
    }
}

#[test]
fn left_and_right_tails_are_decorrelated() {
    let ir = impulse_response(ReverbSettings { decay: 2.0, ..ReverbSettings::default() }, 2.0);
    let tail = (0.05 * RATE) as usize..;
    let (l, r) = (&ir[0][tail.clone()], &ir[1][tail]);
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64).sum::<f64>();
    let rho = dot(l, r) / (dot(l, l) * dot(r, r)).sqrt();
    println!("L/R correlation of the tail: {rho:.4}");
    assert!(rho.abs() < 0.3, "correlation {rho}");
}

#[test]
fn tail_outlasts_the_measured_decay_to_minus_90_db() {
    for decay in [0.3, 1.5, 4.0] {
        let settings = ReverbSettings { decay, predelay: 0.03, size: 1.0, ..ReverbSettings::default() };
        let mut r = Reverb::new(settings);
        r.prepare(RATE, 2, 64);
        let ir = impulse_response(settings, 2.5 * decay + 1.0);
        let last_loud = ir.iter().flat_map(|ch| ch.iter().rposition(|x| x.abs() >= 3.162_277_7e-5)).max();
        let measured = last_loud.map_or(0, |i| i + 1);
        println!("decay {decay} s: -90 dB after {measured} frames, tail() {}", r.tail());
        assert!(r.tail() >= measured, "decay {decay}: tail {} < {measured}", r.tail());
    }
}

#[test]
fn predelay_delays_the_first_output() {
    let ir = impulse_response(ReverbSettings { predelay: 0.02, ..ReverbSettings::default() }, 0.1);
    let first = ir[0].iter().position(|&x| x != 0.0).unwrap_or(usize::MAX);
    assert!(first >= 960, "first output at {first}");
}

#[test]
fn damping_darkens_the_tail() {
    // Energy of the first difference (a crude high-pass) over total energy, late in the tail.
    let brightness = |damping: f64| {
        let ir = impulse_response(ReverbSettings { decay: 2.0, damping, ..ReverbSettings::default() }, 1.0);
        let late = &ir[0][24_000..];
        let hi: f64 = late.windows(2).map(|w| ((w[1] - w[0]) as f64).powi(2)).sum();
        let all: f64 = late.iter().map(|&x| (x as f64).powi(2)).sum();
        hi / all
    };
    let (bright, dark) = (brightness(0.0), brightness(1.0));
    assert!(dark < 0.5 * bright, "damping 1: {dark}, damping 0: {bright}");
}

#[test]
fn full_dry_mix_passes_input_and_mono_input_works() {
    let settings = ReverbSettings { mix: 0.0, ..ReverbSettings::default() };
    let mut r = Reverb::new(settings);
    r.prepare(RATE, 1, 64);
    let input = crate::dsp::tests::noise(1, 512, 3);
    assert_eq!(process_blocks(&mut r, &input, &[64]), input);
}

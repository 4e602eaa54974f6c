//! Multiband compressor and Linkwitz–Riley crossover tests against analytic expectations.

use std::f64::consts::PI;

use super::*;
use crate::dsp::crossover::Crossover;
use crate::dsp::tests::band;
use crate::dsp::tests::response::{log_spaced, response, response_db};

const RATES: [f64; 2] = [44_100.0, 48_000.0];
const IR_FRAMES: usize = 1 << 16;

fn impulse_response(p: &mut dyn Processor, rate: f64) -> Vec<f32> {
    p.prepare(rate, 1, 4096);
    let mut x = vec![0.0f32; IR_FRAMES];
    x[0] = 1.0;
    for block in x.chunks_mut(4096) {
        p.process(&mut [block], None);
    }
    x
}

/// Every band's impulse response, lowest band first.
fn band_responses(splits: &[f64], rate: f64) -> Vec<Vec<f32>> {
    let mut xo = Crossover::new(splits);
    xo.prepare(rate, 1, IR_FRAMES);
    let mut bands: Vec<Band> = vec![vec![vec![0.0; IR_FRAMES]]; xo.bands()];
    bands.last_mut().unwrap()[0][0] = 1.0;
    xo.split(&mut bands, IR_FRAMES);
    bands.into_iter().map(|mut b| b.remove(0)).collect()
}

/// Analytic LR4 magnitudes of the digital (bilinear, prewarped) filters at `fc`.
fn lr4(freq: f64, fc: f64, rate: f64) -> (f64, f64) {
    let x = ((PI * freq / rate).tan() / (PI * fc / rate).tan()).powi(4);
    (1.0 / (1.0 + x), x / (1.0 + x))
}

#[test]
fn crossover_bands_follow_the_linkwitz_riley_magnitudes() {
    let splits = [120.0, 2000.0];
    for rate in RATES {
        let bands = band_responses(&splits, rate);
        let mut worst = 0.0f64;
        for f in log_spaced(20.0, 20_000.0, 120).into_iter().chain(splits) {
            let (lp1, hp1) = lr4(f, splits[0], rate);
            let (lp2, hp2) = lr4(f, splits[1], rate);
            // The all-passes the lower bands pass through have magnitude 1.
            for (h, want) in bands.iter().zip([lp1, hp1 * lp2, hp1 * hp2]) {
                let (got, want) = (response_db(h, f, rate), 20.0 * want.log10());
                if want > -60.0 {
                    worst = worst.max((got - want).abs());
                }
            }
        }
        println!("{rate} Hz: worst deviation from LR4 {worst:.2e} dB");
        assert!(worst < 0.001, "{rate}: {worst} dB");
        // At a crossover both sides are at -6.02 dB.
        let two = band_responses(&[1000.0], rate);
        for h in &two {
            let at = response_db(h, 1000.0, rate);
            assert!((at - 20.0 * 0.5f64.log10()).abs() < 1e-4, "{rate}: {at} dB at the crossover");
        }
    }
}

/// All bands at ratio 1 without make-up: the sum is an all-pass.
#[test]
fn untouched_bands_sum_to_a_flat_magnitude() {
    let layouts: [&[f64]; 3] = [&[120.0, 2000.0], &[1000.0], &[60.0, 250.0, 1000.0, 4000.0, 12_000.0]];
    for rate in RATES {
        for splits in layouts {
            let bands = (0..=splits.len()).map(|_| band(-30.0, 1.0, 0.005, 0.05)).collect();
            let mut p = Multiband::new(&MultibandSpec { splits: splits.to_vec(), bands }, &[]);
            let h = impulse_response(&mut p, rate);
            let worst =
                log_spaced(20.0, 20_000.0, 200).iter().map(|&f| response_db(&h, f, rate).abs()).fold(0.0, f64::max);
            println!("{rate} Hz, splits {splits:?}: flat within {worst:.2e} dB");
            assert!(worst < 0.01, "{rate} Hz, {splits:?}: {worst} dB");
        }
    }
}

/// The amplitude of the `freq` Hz component of `x` (a whole number of periods long).
fn tone_db(x: &[f32], freq: f64, rate: f64) -> f64 {
    let (re, im) = response(x, freq, rate);
    20.0 * (2.0 * (re * re + im * im).sqrt() / x.len() as f64).log10()
}

#[test]
fn compressing_one_band_leaves_the_others_alone() {
    let rate = 48_000.0;
    let mid = band(-30.0, 4.0, 0.0001, 1.0);
    let bands = vec![band(-30.0, 1.0, 0.0001, 1.0), mid, band(-30.0, 1.0, 0.0001, 1.0)];
    let mut p = Multiband::new(&MultibandSpec { splits: vec![200.0, 5000.0], bands }, &[]);
    p.prepare(rate, 1, 512);
    let tones = [(50.0, -12.0), (1000.0, -10.0), (15_000.0, -12.0)];
    let frames = 2 * rate as usize;
    let mut x: Vec<f32> = (0..frames)
        .map(|n| {
            let t = n as f64 / rate;
            tones.iter().map(|(f, db)| 10f64.powf(db / 20.0) * (2.0 * PI * f * t).sin()).sum::<f64>() as f32
        })
        .collect();
    for block in x.chunks_mut(512) {
        p.process(&mut [block], None);
    }
    // The last half second: a whole number of periods of every tone.
    let settled = &x[frames - rate as usize / 2..];
    // Each tone leaks a little into its neighbours' bands; the bands are in
    // phase, so the band magnitudes add. The compressed band's gain is the
    // static curve's at the level the band carries.
    let band_gains = |f: f64| {
        let ((lp1, hp1), (lp2, hp2)) = (lr4(f, 200.0, rate), lr4(f, 5000.0, rate));
        [lp1, hp1 * lp2, hp1 * hp2]
    };
    let mid_level = 20.0 * (10f64.powf(-10.0 / 20.0) * band_gains(1000.0)[1]).log10();
    let mid_gain = 10f64.powf((mid.curve.output(mid_level) - mid_level) / 20.0);
    for (f, level) in tones {
        let [low, middle, high] = band_gains(f);
        let want = level + 20.0 * (low + middle * mid_gain + high).log10();
        let got = tone_db(settled, f, rate);
        println!("{f} Hz: in {level} dB, out {got:.3} dB, expected {want:.3} dB");
        assert!((got - want).abs() < 0.05, "{f} Hz: {got} dB, expected {want} dB");
    }
    // The compressed tone follows the static curve; the others pass (leaks aside).
    assert!((tone_db(settled, 1000.0, rate) - mid.curve.output(-10.0)).abs() < 0.2);
    assert!((tone_db(settled, 50.0, rate) + 12.0).abs() < 0.05);
    assert!((tone_db(settled, 15_000.0, rate) + 12.0).abs() < 0.05);
}

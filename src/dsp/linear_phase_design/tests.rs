//! Linear-phase filters against the cookbook's analytic magnitude.

use std::f64::consts::PI;

use super::*;
use crate::dsp::biquad::{BiquadSpec, FilterKind};
use crate::dsp::linear_phase::LinearPhase;
use crate::dsp::rbj::coefficients;
use crate::dsp::tests::response::{log_spaced, response_db};
use crate::dsp::Processor;

/// Settings covering every kind that takes `phase: linear`.
fn specs() -> Vec<BiquadSpec> {
    use FilterKind::*;
    vec![
        BiquadSpec::new(Highpass, 30.0),
        BiquadSpec::new(Highpass, 80.0).with_q(1.2),
        BiquadSpec::new(Lowpass, 8000.0),
        BiquadSpec::new(Peak, 60.0).with_gain_db(4.0).with_q(1.0),
        BiquadSpec::new(Peak, 3000.0).with_gain_db(-6.0).with_q(2.0),
        BiquadSpec::new(LowShelf, 100.0).with_gain_db(3.0),
        BiquadSpec::new(HighShelf, 10_000.0).with_gain_db(-4.0).with_slope(0.7),
        BiquadSpec::new(Bandpass, 1000.0),
        BiquadSpec::new(Notch, 1000.0).with_q(0.7),
    ]
}

/// The processor's impulse response, `extra` frames past twice the latency.
fn impulse_response(spec: BiquadSpec, rate: f64) -> (Vec<f32>, usize) {
    let mut p = LinearPhase::new(spec);
    p.prepare(rate, 1, 1024);
    let latency = p.latency();
    let mut x = vec![0.0f32; 2 * latency + 1 + 1024];
    x[0] = 1.0;
    for block in x.chunks_mut(1024) {
        p.process(&mut [block], None);
    }
    (x, latency)
}

#[test]
fn magnitude_follows_the_cookbook_from_40_hz_to_18_khz() {
    for rate in [44_100.0, 48_000.0] {
        for spec in specs() {
            let c = coefficients(&spec, rate);
            let (h, latency) = impulse_response(spec, rate);
            let mut worst = 0.0f64;
            for f in log_spaced(40.0, 18_000.0, 150) {
                let want = 20.0 * magnitude(&c, 2.0 * PI * f / rate).log10();
                // A notch's bottom is a kink no finite FIR follows (see the module docs).
                if want > -20.0 || spec.kind != FilterKind::Notch {
                    worst = worst.max((response_db(&h, f, rate) - want).abs());
                }
            }
            println!("{rate} Hz {:?} {} Hz: latency {latency}, worst {worst:.4} dB", spec.kind, spec.freq);
            assert!(worst < 0.01, "{rate} Hz {spec:?}: {worst} dB");
        }
    }
}

#[test]
fn impulse_response_is_symmetric_about_the_latency() {
    for spec in specs() {
        let (h, latency) = impulse_response(spec, 48_000.0);
        let peak = h.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        for k in 1..=latency {
            let (a, b) = (h[latency - k], h[latency + k]);
            assert!((a - b).abs() <= 1e-6 * peak, "{spec:?}: h[L-{k}] = {a}, h[L+{k}] = {b}");
        }
        // FFT rounding noise only, far below the −90 dB of a tail.
        assert!(h[2 * latency + 1..].iter().all(|&x| x.abs() < 1e-12), "{spec:?}: output after the FIR");
    }
}

#[test]
fn taps_are_exactly_symmetric_and_odd_in_length() {
    for spec in specs() {
        let taps = fir(&coefficients(&spec, 48_000.0), 48_000.0);
        assert_eq!(taps.len() % 2, 1);
        assert!(taps.iter().eq(taps.iter().rev()), "{spec:?}");
        assert!((MIN_HALF..=MAX_HALF).contains(&(taps.len() / 2)));
    }
}

/// A 0 dB bell has |H| = 1: its FIR is a pure delay, to the last bit.
#[test]
fn a_zero_db_bell_is_an_exact_delay() {
    let (h, latency) = impulse_response(BiquadSpec::new(FilterKind::Peak, 1000.0), 48_000.0);
    assert!(h.iter().enumerate().all(|(n, &x)| x == if n == latency { 1.0 } else { 0.0 }));
}

#[test]
fn ring_out_ends_where_the_remaining_taps_fall_below_minus_90_db() {
    let taps = fir(&coefficients(&BiquadSpec::new(FilterKind::Highpass, 30.0), 48_000.0), 48_000.0);
    let tail = ring_out(&taps);
    let latency = taps.len() / 2;
    assert!(tail > 0 && tail <= latency);
    let rest: f64 = taps[latency + tail + 1..].iter().map(|t| t.abs()).sum();
    assert!(rest < 3.2e-5, "{rest}");
    let before: f64 = taps[latency + tail..].iter().map(|t| t.abs()).sum();
    assert!(before >= 3.16e-5, "{before}");
    // A pure delay stops ringing with its input.
    let mut delta = vec![0.0; 201];
    delta[100] = 1.0;
    assert_eq!(ring_out(&delta), 0);
}

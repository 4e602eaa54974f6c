//! Mid/side processing: exact pass-through of the untouched part, the
//! filter's response on the processed one.

use std::f64::consts::PI;

use super::*;
use crate::dsp::biquad::{Biquad, BiquadSpec, FilterKind};
use crate::dsp::linear_phase::LinearPhase;
use crate::dsp::linear_phase_design::magnitude;
use crate::dsp::rbj::coefficients;
use crate::dsp::tests::response::{log_spaced, response_db};
use crate::dsp::tests::{noise, process_blocks};

const RATE: f64 = 48_000.0;

fn bell() -> BiquadSpec {
    BiquadSpec::new(FilterKind::Peak, 3000.0).with_gain_db(6.0).with_q(0.8)
}

fn run(p: &mut dyn Processor, input: &[Vec<f32>]) -> Vec<Vec<f32>> {
    p.prepare(RATE, input.len(), 256);
    process_blocks(p, input, &[256, 17, 1000])
}

#[test]
fn side_only_filter_leaves_a_mono_signal_bit_identical() {
    let x = noise(1, 20_000, 11).remove(0);
    let input = vec![x.clone(), x.clone()];
    let out = run(&mut MidSide::new(Box::new(Biquad::new(bell())), Part::Side), &input);
    assert_eq!(out, input);
    // In linear phase the same holds after the latency.
    let mut p = MidSide::new(Box::new(LinearPhase::new(bell())), Part::Side);
    let out = run(&mut p, &input);
    let latency = p.latency();
    assert!(latency > 0);
    for ch in &out {
        assert!(ch[..latency].iter().all(|&s| s == 0.0));
        assert_eq!(&ch[latency..], &x[..x.len() - latency]);
    }
}

#[test]
fn mid_only_filter_leaves_a_pure_side_signal_bit_identical() {
    let x = noise(1, 20_000, 12).remove(0);
    let input = vec![x.clone(), x.iter().map(|s| -s).collect()];
    let out = run(&mut MidSide::new(Box::new(Biquad::new(bell())), Part::Mid), &input);
    assert_eq!(out, input);
}

/// L = δ, R = 0: M = S = δ/2. The side comes out as the bell's impulse
/// response (halved); the mid comes out untouched.
#[test]
fn side_only_filter_applies_the_cookbook_response_to_the_side() {
    let mut input = vec![vec![0.0f32; 1 << 15]; 2];
    input[0][0] = 1.0;
    let out = run(&mut MidSide::new(Box::new(Biquad::new(bell())), Part::Side), &input);
    let side: Vec<f32> = out[0].iter().zip(&out[1]).map(|(l, r)| l - r).collect();
    let mid: Vec<f64> = out[0].iter().zip(&out[1]).map(|(l, r)| (*l as f64 + *r as f64) / 2.0).collect();
    assert_eq!(mid[0], 0.5);
    assert!(mid[1..].iter().all(|&m| m.abs() < 1e-7), "the mid is not an impulse");
    let c = coefficients(&bell(), RATE);
    for f in log_spaced(20.0, 20_000.0, 100) {
        let want = 20.0 * magnitude(&c, 2.0 * PI * f / RATE).log10();
        let got = response_db(&side, f, RATE);
        assert!((got - want).abs() < 1e-3, "{f} Hz: {got} dB, expected {want} dB");
    }
}

#[test]
fn mono_signals_are_all_mid() {
    let input = noise(1, 8000, 13);
    let side = run(&mut MidSide::new(Box::new(Biquad::new(bell())), Part::Side), &input);
    assert_eq!(side, input, "side-only changed a mono signal");
    let mid = run(&mut MidSide::new(Box::new(Biquad::new(bell())), Part::Mid), &input);
    let direct = run(&mut Biquad::new(bell()), &input);
    assert_eq!(mid, direct, "mid-only on mono differs from the plain filter");
}

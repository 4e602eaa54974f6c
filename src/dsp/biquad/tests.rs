//! Biquad tests against analytic expectations: the cookbook's analog prototypes, measured by running the processors.
//!
//! The expected magnitude is the analog prototype H(s) of the cookbook,
//! evaluated at s = j·tan(ω/2)/tan(ω0/2): the bilinear transform prewarped at
//! ω0, which is exactly what the digital formulas implement. It shares no code
//! with `rbj.rs`. The measured magnitude comes from running a long sine
//! through the processor, skipping the transient, and fitting a·sin + b·cos by
//! least squares (exact for a sinusoid, with no window or leakage).

use super::{coefficients, Biquad, BiquadCascade, BiquadSpec, Coeffs, FilterKind, Shape};
use crate::dsp::tests::cascade_specs;
use crate::dsp::Processor;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

const TOLERANCE_DB: f64 = 0.01;
const MEASURE_FRAMES: usize = 16_384;

/// `[s², s¹, s⁰]` coefficients of the prototype's numerator and denominator.
type Prototype = ([f64; 3], [f64; 3]);

/// The cookbook's analog prototype for `spec` (normalised so ω0 = 1).
fn prototype(spec: &BiquadSpec) -> Prototype {
    let a = if spec.kind.uses_gain() { 10f64.powf(spec.gain_db / 40.0) } else { 1.0 };
    let inv_q = match spec.shape {
        Shape::Q(q) => 1.0 / q,
        Shape::Slope(s) => ((a + 1.0 / a) * (1.0 / s - 1.0) + 2.0).sqrt(),
    };
    let den = [1.0, inv_q, 1.0];
    let sa = a.sqrt();
    match spec.kind {
        FilterKind::Lowpass => ([0.0, 0.0, 1.0], den),
        FilterKind::Highpass => ([1.0, 0.0, 0.0], den),
        FilterKind::Bandpass => ([0.0, inv_q, 0.0], den),
        FilterKind::Notch => ([1.0, 0.0, 1.0], den),
        FilterKind::Allpass => ([1.0, -inv_q, 1.0], den),
        FilterKind::Peak => ([1.0, a * inv_q, 1.0], [1.0, inv_q / a, 1.0]),
        FilterKind::LowShelf => ([a, a * sa * inv_q, a * a], [a, sa * inv_q, 1.0]),
        FilterKind::HighShelf => ([a * a, a * sa * inv_q, a], [1.0, sa * inv_q, a]),
    }
}

/// |H(jΩ)| of a prototype, with Ω the prewarped frequency.
fn prototype_gain((num, den): Prototype, omega: f64) -> f64 {
    let at = |p: [f64; 3]| (p[2] - p[0] * omega * omega).hypot(p[1] * omega);
    at(num) / at(den)
}

/// Expected gain in dB of `spec` at `f` Hz and `rate`, by the bilinear transform.
fn expected_db(spec: &BiquadSpec, f: f64, rate: f64) -> f64 {
    let omega = (PI * f / rate).tan() / (PI * spec.freq / rate).tan();
    20.0 * prototype_gain(prototype(spec), omega).log10()
}

/// Runs a sine at `f` Hz through `p` (already prepared) on every channel,
/// returning each channel's measured gain in dB. Channel c gets amplitude 1/(c+1).
fn measure_db(p: &mut dyn Processor, channels: usize, f: f64, rate: f64, skip: usize) -> Vec<f64> {
    let w = 2.0 * PI * f / rate;
    let total = skip + MEASURE_FRAMES;
    let mut audio: Vec<Vec<f32>> =
        (0..channels).map(|c| (0..total).map(|n| ((w * n as f64).sin() / (c + 1) as f64) as f32).collect()).collect();
    let mut blocks: Vec<&mut [f32]> = audio.iter_mut().map(|ch| ch.as_mut_slice()).collect();
    p.process(&mut blocks, None);
    audio.iter().enumerate().map(|(c, ch)| 20.0 * (amplitude(&ch[skip..], w, skip) * (c + 1) as f64).log10()).collect()
}

/// Least-squares amplitude of the sinusoid at `w` rad/frame in `y` (which starts at frame `offset`).
fn amplitude(y: &[f32], w: f64, offset: usize) -> f64 {
    let (mut ss, mut cc, mut sc, mut ys, mut yc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let (s, c) = (w * (i + offset) as f64).sin_cos();
        let v = v as f64;
        ss += s * s;
        cc += c * c;
        sc += s * c;
        ys += v * s;
        yc += v * c;
    }
    let det = ss * cc - sc * sc;
    let a = (ys * cc - yc * sc) / det;
    let b = (yc * ss - ys * sc) / det;
    a.hypot(b)
}

/// 20 log-spaced frequencies from 20 Hz to 20 kHz.
fn test_frequencies() -> impl Iterator<Item = f64> {
    (0..20).map(|i| 20.0 * 1000f64.powf(i as f64 / 19.0))
}

/// Measured and expected must agree within 0.01 dB; very deep points (near a
/// notch's zero) are compared as amplitudes, since 0.01 dB of −80 dB is below
/// the f32 noise of the signal itself.
fn assert_close(what: &str, measured: f64, expected: f64) {
    let ok = if expected > -60.0 {
        (measured - expected).abs() < TOLERANCE_DB
    } else {
        (10f64.powf(measured / 20.0) - 10f64.powf(expected / 20.0)).abs() < 1e-5
    };
    assert!(ok, "{what}: measured {measured:.5} dB, expected {expected:.5} dB");
}

fn settings() -> Vec<BiquadSpec> {
    use FilterKind::*;
    let s = BiquadSpec::new;
    vec![
        s(Highpass, 30.0),
        s(Highpass, 1000.0).with_q(2.0),
        s(Lowpass, 5000.0),
        s(Lowpass, 200.0).with_q(0.5),
        s(Peak, 6500.0).with_gain_db(6.0).with_q(2.0),
        s(Peak, 100.0).with_gain_db(-12.0).with_q(0.7),
        s(Peak, 1000.0).with_gain_db(3.0),
        s(LowShelf, 200.0).with_gain_db(6.0),
        s(LowShelf, 80.0).with_gain_db(-8.0).with_slope(0.5),
        s(LowShelf, 300.0).with_gain_db(4.0).with_q(2.0),
        s(HighShelf, 8000.0).with_gain_db(-6.0),
        s(HighShelf, 3000.0).with_gain_db(9.0).with_q(0.5),
        s(HighShelf, 10_000.0).with_gain_db(3.0).with_slope(0.3),
        s(Notch, 1000.0),
        s(Notch, 60.0).with_q(10.0),
        s(Bandpass, 1000.0),
        s(Bandpass, 300.0).with_q(4.0),
        s(Allpass, 1000.0),
        s(Allpass, 100.0).with_q(3.0),
    ]
}

#[test]
fn every_kind_is_covered() {
    for kind in FilterKind::ALL {
        assert!(settings().iter().any(|s| s.kind == kind), "{kind:?}");
    }
}

#[test]
fn magnitude_matches_cookbook_prototype() {
    for rate in [48_000.0, 44_100.0] {
        for spec in settings() {
            let mut p = Biquad::new(spec);
            p.prepare(rate, 2, 1 << 20);
            let skip = p.tail().min(1 << 19);
            for f in test_frequencies() {
                let expected = expected_db(&spec, f, rate);
                for (c, measured) in measure_db(&mut p, 2, f, rate, skip).into_iter().enumerate() {
                    assert_close(&format!("{spec:?} at {f:.1} Hz, {rate} Hz, ch {c}"), measured, expected);
                }
                p.reset();
            }
        }
    }
}

#[test]
fn mono_magnitude_matches_too() {
    let spec = BiquadSpec::new(FilterKind::Peak, 6500.0).with_gain_db(6.0).with_q(2.0);
    let mut p = Biquad::new(spec);
    p.prepare(48_000.0, 1, 1 << 16);
    let skip = p.tail();
    for f in test_frequencies() {
        let measured = measure_db(&mut p, 1, f, 48_000.0, skip)[0];
        assert_close(&format!("mono at {f:.1} Hz"), measured, expected_db(&spec, f, 48_000.0));
        p.reset();
    }
}

#[test]
fn cascade_magnitude_is_the_sum_of_its_stages() {
    let specs = cascade_specs();
    let rate = 48_000.0;
    let mut p = BiquadCascade::new(&specs);
    p.prepare(rate, 2, 1 << 20);
    let skip = p.tail().min(1 << 19);
    for f in test_frequencies() {
        let expected: f64 = specs.iter().map(|s| expected_db(s, f, rate)).sum();
        for measured in measure_db(&mut p, 2, f, rate, skip) {
            assert_close(&format!("cascade at {f:.1} Hz"), measured, expected);
        }
        p.reset();
    }
}

#[test]
fn frequencies_at_or_above_nyquist_are_clamped_not_nan() {
    for kind in FilterKind::ALL {
        for f in [24_000.0, 24_001.0, 96_000.0, f64::INFINITY] {
            let c = coefficients(&BiquadSpec::new(kind, f).with_gain_db(6.0), 48_000.0);
            let just_below = coefficients(&BiquadSpec::new(kind, 0.499 * 48_000.0).with_gain_db(6.0), 48_000.0);
            assert_eq!(c, just_below, "{kind:?} at {f} Hz");
            assert!(c.pole_radius() < 1.0);
        }
    }
}

#[test]
fn degenerate_parameters_stay_stable() {
    let kinds = FilterKind::ALL;
    let shapes = [Shape::Q(0.0), Shape::Q(-3.0), Shape::Q(1e9), Shape::Slope(0.0), Shape::Slope(50.0)];
    for kind in kinds {
        for shape in shapes {
            for f in [0.0, -5.0, 1e-9, 20.0] {
                let spec = BiquadSpec { kind, freq: f, gain_db: 200.0, shape };
                let c = coefficients(&spec, 44_100.0);
                let all = [c.b0, c.b1, c.b2, c.a1, c.a2];
                assert!(all.iter().all(|v| v.is_finite()), "{spec:?}: {c:?}");
                assert!(c.pole_radius() < 1.0, "{spec:?}: {c:?}");
            }
        }
    }
}

#[test]
fn nan_parameters_and_bad_rates_give_identity() {
    let spec = BiquadSpec::new(FilterKind::Peak, 1000.0).with_gain_db(6.0);
    assert_eq!(coefficients(&spec.with_q(f64::NAN), 48_000.0), Coeffs::IDENTITY);
    assert_eq!(coefficients(&spec.with_gain_db(f64::NAN), 48_000.0), Coeffs::IDENTITY);
    assert_eq!(coefficients(&BiquadSpec { freq: f64::NAN, ..spec }, 48_000.0), Coeffs::IDENTITY);
    assert_eq!(coefficients(&spec, 0.0), Coeffs::IDENTITY);
    assert_eq!(coefficients(&spec, f64::NAN), Coeffs::IDENTITY);
}

#[test]
fn defaults_follow_the_language() {
    assert_eq!(BiquadSpec::new(FilterKind::Highpass, 80.0).shape, Shape::Q(FRAC_1_SQRT_2));
    assert_eq!(BiquadSpec::new(FilterKind::Lowpass, 80.0).shape, Shape::Q(FRAC_1_SQRT_2));
    assert_eq!(BiquadSpec::new(FilterKind::Peak, 80.0).shape, Shape::Q(1.0));
    assert_eq!(BiquadSpec::new(FilterKind::LowShelf, 80.0).shape, Shape::Slope(1.0));
    assert_eq!(BiquadSpec::new(FilterKind::HighShelf, 80.0).shape, Shape::Slope(1.0));
    for kind in FilterKind::ALL {
        assert_eq!(FilterKind::from_name(kind.name()), Some(kind));
    }
}

#[test]
fn tail_bounds_the_impulse_response() {
    for rate in [44_100.0, 48_000.0] {
        for spec in settings() {
            let c = coefficients(&spec, rate);
            let tail = c.tail_frames();
            let mut p = Biquad::new(spec);
            p.prepare(rate, 1, tail + 1000);
            let mut ir = vec![0.0f32; tail + 1000];
            ir[0] = 1.0;
            p.process(&mut [ir.as_mut_slice()], None);
            let after: f32 = ir[tail..].iter().map(|x| x.abs()).sum();
            assert!(after < 3.2e-5, "{spec:?}: {after} after {tail} frames");
            // Not absurdly conservative either: within 60× the 1/e decay time.
            let tau = -1.0 / c.pole_radius().ln();
            assert!((tail as f64) < 60.0 * tau + 100.0, "{spec:?}: tail {tail}, τ {tau}");
        }
    }
}

/// Assorted cookbook stages at 48 kHz, resonant and gentle, for the kernel comparison.
fn kernel_stages(n: usize) -> Vec<Coeffs> {
    let specs = [
        BiquadSpec::new(FilterKind::Peak, 250.0).with_gain_db(6.0).with_q(2.0),
        BiquadSpec::new(FilterKind::Highpass, 20.0),
        BiquadSpec::new(FilterKind::LowShelf, 120.0).with_gain_db(-4.0),
        BiquadSpec::new(FilterKind::Lowpass, 16_000.0).with_q(8.0),
        BiquadSpec::new(FilterKind::Peak, 3_000.0).with_gain_db(-9.0).with_q(0.5),
        BiquadSpec::new(FilterKind::Notch, 50.0).with_q(30.0),
        BiquadSpec::new(FilterKind::HighShelf, 8_000.0).with_gain_db(12.0),
        BiquadSpec::new(FilterKind::Allpass, 700.0),
        BiquadSpec::new(FilterKind::Bandpass, 1_500.0).with_q(4.0),
    ];
    (0..n).map(|k| coefficients(&specs[(k * 5 + n) % specs.len()], 48_000.0)).collect()
}

/// A test signal for channel `c`: noise with bursts of huge values, of tiny
/// (denormal-range) values and of silence.
fn kernel_signal(c: usize, frames: usize) -> Vec<f32> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ (c as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d);
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    (0..frames)
        .map(|n| {
            let v = noise();
            (match (n / 700) % 6 {
                0 | 3 => v,
                1 => v * 3.0e38,
                2 => v * 1.0e-39,
                4 => 0.0,
                _ => v * 1.0e-30,
            }) as f32
        })
        .collect()
}

/// Runs `p` over `audio` in blocks of `block` frames.
fn run_blocks(p: &mut BiquadCascade, audio: &mut [Vec<f32>], block: usize) {
    let len = audio[0].len();
    for start in (0..len).step_by(block) {
        let end = len.min(start + block);
        let mut chans: Vec<&mut [f32]> = audio.iter_mut().map(|ch| &mut ch[start..end]).collect();
        p.process(&mut chans, None);
    }
}

#[test]
fn avx2_kernel_gives_the_sse2_bits() {
    if !crate::dsp::has_avx2() {
        eprintln!("no AVX2 on this CPU: only the SSE2 kernel runs");
    }
    const FRAMES: usize = 5_000;
    for stages in 1..=8 {
        let coeffs = kernel_stages(stages);
        for channels in [1, 2, 3] {
            let input: Vec<Vec<f32>> = (0..channels).map(|c| kernel_signal(c, FRAMES)).collect();
            let more: Vec<Vec<f32>> = (0..channels).map(|c| kernel_signal(c + 7, 300)).collect();
            let mut reference: Option<Vec<Vec<f32>>> = None;
            for block in [1, 17, 64, 1000, FRAMES] {
                let mut outputs = Vec::new();
                for mut p in [BiquadCascade::from_coeffs(&coeffs), BiquadCascade::from_coeffs(&coeffs).sse_only()] {
                    p.prepare(48_000.0, channels, block);
                    let mut audio = input.clone();
                    run_blocks(&mut p, &mut audio, block);
                    // The state left behind must match too: run on from it.
                    let mut after = more.clone();
                    run_blocks(&mut p, &mut after, 37.min(block));
                    audio.iter_mut().zip(after).for_each(|(a, b)| a.extend(b));
                    outputs.push(audio);
                }
                let bits = |o: &Vec<Vec<f32>>| o.iter().map(|ch| ch.iter().map(|v| v.to_bits()).collect()).collect();
                let [wide, sse]: [Vec<Vec<u32>>; 2] = [bits(&outputs[0]), bits(&outputs[1])];
                for c in 0..channels {
                    let diff = wide[c].iter().zip(&sse[c]).position(|(a, b)| a != b);
                    assert_eq!(diff, None, "{stages} stages, {channels} channels, blocks of {block}: channel {c}");
                }
                match &reference {
                    None => reference = Some(outputs.swap_remove(1)),
                    Some(r) => {
                        let r: Vec<Vec<u32>> = bits(r);
                        assert!(
                            r == sse,
                            "{stages} stages, {channels} channels: blocks of {block} differ from blocks of 1"
                        );
                    }
                }
            }
        }
    }
}

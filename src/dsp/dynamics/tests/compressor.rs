//! Compressor, expander, gate and de-esser tests against analytic expectations.

use super::{peak_db, run, sine, RATE};
use crate::dsp::dynamics::compressor::{Dynamics, DynamicsSpec};
use crate::dsp::dynamics::deesser::{DeEsser, DeEsserSpec};
use crate::dsp::dynamics::gain_computer::Curve;
use crate::dsp::Processor;

fn compressor(threshold: f64, ratio: f64, attack: f64, release: f64, knee: f64) -> Dynamics {
    let mut spec = DynamicsSpec::compressor(threshold, ratio, attack, release);
    spec.curve.knee = knee;
    spec.makeup = Some(0.0);
    let mut p = Dynamics::new(spec, &[]);
    p.prepare(RATE, 1, 4096);
    p
}

/// A 1 kHz sine stepped −40…0 dBFS in 2 dB steps settles on the static curve.
fn check_static_curve(knee: f64) -> f64 {
    let mut p = compressor(-18.0, 4.0, 0.0001, 1.0, knee);
    let curve = Curve { knee, ..DynamicsSpec::compressor(-18.0, 4.0, 0.0, 0.0).curve };
    let step = 12_000;
    let mut worst = 0.0f64;
    for k in 0..=20 {
        let level = -40.0 + 2.0 * k as f64;
        let out = run(&mut p, &[sine(1000.0, level, step, 0.0)], None, 512);
        let settled = peak_db(&out[0][step - 2400..]);
        let expected = curve.output(level);
        worst = worst.max((settled - expected).abs());
    }
    worst
}

#[test]
fn hard_knee_static_curve_within_a_tenth_of_a_db() {
    let worst = check_static_curve(0.0);
    println!("hard knee: worst deviation {worst:.4} dB");
    assert!(worst < 0.1, "{worst}");
}

#[test]
fn soft_knee_static_curve_within_a_tenth_of_a_db() {
    let worst = check_static_curve(6.0);
    println!("6 dB knee: worst deviation {worst:.4} dB");
    assert!(worst < 0.1, "{worst}");
}

/// Frames until the gain envelope first passes `target` dB (falling or rising).
fn frames_to(gains: &[f64], target: f64, falling: bool) -> usize {
    gains.iter().position(|&g| if falling { g <= target } else { g >= target }).unwrap_or(usize::MAX)
}

#[test]
fn attack_and_release_reach_one_minus_one_over_e_in_their_time() {
    // DC steps: |x| is constant, so the envelope has no ripple.
    let mut p = compressor(-18.0, 4.0, 0.010, 0.100, 0.0);
    let (quiet, loud) = (10f64.powf(-40.0 / 20.0) as f32, 10f64.powf(-10.0 / 20.0) as f32);
    let envelope = |p: &mut Dynamics, x: f32, n: usize| -> Vec<f64> {
        (0..n)
            .map(|_| {
                run(p, &[vec![x]], None, 1);
                p.gain_db()
            })
            .collect()
    };
    let step = -6.0; // (−10 + 18)·(1/4 − 1)
    let attack = envelope(&mut p, loud, 48_000);
    let t_attack = frames_to(&attack, step * (1.0 - (-1.0f64).exp()), true) as f64 / RATE;
    let release = envelope(&mut p, quiet, 48_000);
    let t_release = frames_to(&release, step * (-1.0f64).exp(), false) as f64 / RATE;
    println!("attack 10 ms measured {:.3} ms, release 100 ms measured {:.3} ms", t_attack * 1e3, t_release * 1e3);
    assert!((t_attack - 0.010).abs() < 0.001);
    assert!((t_release - 0.100).abs() < 0.010);
}

#[test]
fn keyed_compressor_ducks_by_the_curve_of_the_key_level() {
    let mut p = compressor(-18.0, 4.0, 0.0001, 1.0, 0.0);
    let frames = 24_000;
    let tone = vec![sine(220.0, -20.0, frames, 0.0)];
    // A stereo key, loud on one side only: the detector takes the max of its channels.
    let key = vec![vec![0.0; frames], sine(1000.0, -6.0, frames, 0.0)];
    let out = run(&mut p, &tone, Some(&key), 333);
    let ducked = peak_db(&out[0][frames / 2..]) - (-20.0);
    let expected = (-6.0 + 18.0) * (1.0 / 4.0 - 1.0);
    println!("keyed: ducked {ducked:.4} dB, curve says {expected} dB");
    assert!((ducked - expected).abs() < 0.1);
    // The same tone keyed by silence passes unchanged.
    p.reset();
    let silent = vec![vec![0.0; frames]];
    assert_eq!(run(&mut p, &tone, Some(&silent), 333), tone);
}

#[test]
fn automatic_makeup_restores_full_scale_and_mix_blends() {
    let mut p = Dynamics::new(DynamicsSpec::compressor(-18.0, 4.0, 0.0, 0.1), &[]);
    p.prepare(RATE, 1, 1024);
    let out = run(&mut p, &[vec![1.0; 4800]], None, 1024);
    assert!((out[0][4799] - 1.0).abs() < 1e-6, "0 dBFS in gives 0 dBFS out");
    let quiet = run(&mut p, &[vec![0.01; 48_000]], None, 1024);
    assert!((peak_db(&quiet[0][40_000..]) - (-40.0 + 13.5)).abs() < 1e-3, "below T: +13.5 dB");
    let spec = DynamicsSpec { mix: 0.5, makeup: Some(0.0), ..DynamicsSpec::compressor(-18.0, 4.0, 0.0, 0.1) };
    let mut p = Dynamics::new(spec, &[]);
    p.prepare(RATE, 1, 1024);
    let out = run(&mut p, &[vec![1.0; 4800]], None, 1024);
    let g = 10f64.powf(-13.5 / 20.0);
    assert!((out[0][4799] as f64 - (0.5 + 0.5 * g)).abs() < 1e-6);
}

#[test]
fn gate_attenuates_by_range_below_and_passes_unity_above() {
    let mut p = Dynamics::new(DynamicsSpec::gate(-30.0, -80.0, 0.0005, 0.01, 0.02), &[]);
    p.prepare(RATE, 2, 1024);
    let loud = vec![sine(100.0, -20.0, 48_000, 0.0); 2];
    assert_eq!(run(&mut p, &loud, None, 1024), loud, "above threshold: bit-exact unity");
    let quiet = vec![sine(100.0, -40.0, 48_000, 0.0); 2];
    let out = run(&mut p, &quiet, None, 1024);
    let cut = peak_db(&out[1][24_000..]) - (-40.0);
    println!("gate: cut {cut:.4} dB below threshold");
    assert!((cut - (-80.0)).abs() < 0.1);
}

#[test]
fn expander_follows_its_slope_below_threshold() {
    let mut p = Dynamics::new(DynamicsSpec::expander(-40.0, 2.0, -40.0, 0.001, 0.01, 0.05), &[]);
    p.prepare(RATE, 1, 1024);
    let out = run(&mut p, &[sine(1000.0, -50.0, 48_000, 0.0)], None, 1024);
    let gain = peak_db(&out[0][24_000..]) - (-50.0);
    assert!((gain - (-10.0)).abs() < 0.1, "{gain}");
}

/// Amplitude of the `freq` component of `x` (an integer number of cycles long).
fn amplitude(x: &[f32], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / RATE;
    let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, v)| {
        (re + *v as f64 * (w * n as f64).cos(), im + *v as f64 * (w * n as f64).sin())
    });
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

fn deesser(threshold: f64) -> DeEsser {
    let spec = DeEsserSpec { freq: 6500.0, threshold, ratio: 4.0, range: -12.0, attack: 0.001, release: 0.06 };
    let mut p = DeEsser::new(spec);
    p.prepare(RATE, 1, 1024);
    p
}

fn two_tones(high_db: f64) -> Vec<f32> {
    let (low, high) = (sine(1000.0, -12.0, 96_000, 0.0), sine(10_000.0, high_db, 96_000, 0.5));
    low.iter().zip(&high).map(|(a, b)| a + b).collect()
}

#[test]
fn deesser_is_flat_within_a_hundredth_of_a_db_below_threshold() {
    let mut worst = 0.0f64;
    for freq in [50.0, 1000.0, 5000.0, 6500.0, 8000.0, 12_000.0, 20_000.0] {
        let input = sine(freq, -40.0, 96_000, 0.0);
        let mut p = deesser(-30.0);
        let out = run(&mut p, std::slice::from_ref(&input), None, 1000);
        assert_eq!(p.gain_db(), 0.0);
        let db = 20.0 * (amplitude(&out[0][48_000..], freq) / amplitude(&input[48_000..], freq)).log10();
        worst = worst.max(db.abs());
    }
    println!("deesser untouched: worst {worst:.6} dB from flat");
    assert!(worst < 0.01, "{worst}");
}

#[test]
fn deesser_cuts_only_the_high_band_above_threshold() {
    let input = two_tones(-10.0);
    let mut p = deesser(-30.0);
    let out = run(&mut p, std::slice::from_ref(&input), None, 1000);
    let (a, b) = (&input[48_000..], &out[0][48_000..]);
    let db = |f: f64| 20.0 * (amplitude(b, f) / amplitude(a, f)).log10();
    let (low, high) = (db(1000.0), db(10_000.0));
    println!("deesser: 1 kHz {low:.4} dB, 10 kHz {high:.3} dB, band gain {:.3} dB", p.gain_db());
    assert!(low.abs() < 0.01, "1 kHz moved {low} dB");
    assert!(high < -6.0 && high > -12.5, "10 kHz {high} dB");
    // The curve asks for ≈ −14.5 dB; the range caps it at −12 (ripple between crests aside).
    assert!(p.gain_db() >= -12.0 && p.gain_db() < -11.5, "range caps the cut: {}", p.gain_db());
}

/// The frame-by-frame f64 compressor the block-wise one replaced: peak or
/// RMS level, the curve, the smoother's `next`, make-up, 10^(dB/20), mix.
fn reference(spec: &DynamicsSpec, input: &[Vec<f32>]) -> Vec<Vec<f32>> {
    use crate::dsp::dynamics::compressor::Detect;
    use crate::dsp::dynamics::detector::{GainSmoother, RmsLevel};
    let mut smoother = GainSmoother::new();
    smoother.set_times(spec.attack, spec.release, RATE);
    let mut rms = RmsLevel::default();
    rms.prepare(RATE);
    let makeup = spec.makeup.unwrap_or_else(|| spec.curve.auto_makeup());
    let mut out = input.to_vec();
    for i in 0..input[0].len() {
        let magnitude = input.iter().fold(0.0f64, |m, ch| m.max((ch[i] as f64).abs()));
        let level = match spec.detect {
            Detect::Peak => crate::dsp::dynamics::level_db(magnitude),
            Detect::Rms => rms.next(magnitude),
        };
        let gain = smoother.next(spec.curve.gain(level)) + makeup;
        let g = (1.0 - spec.mix) + spec.mix * crate::dsp::fastmath::from_db(gain);
        for ch in out.iter_mut() {
            ch[i] = crate::dsp::to_output(ch[i] as f64 * g);
        }
    }
    out
}

/// Music-like stereo: decaying plucks over a bass line, 2 s.
fn plucks() -> Vec<Vec<f32>> {
    (0..2)
        .map(|c| {
            (0..96_000)
                .map(|n| {
                    let t = n as f64 / RATE;
                    let env = (-((t * 4.0).fract()) * 6.0).exp();
                    let x = 0.6 * env * (t * (440.0 + 3.0 * c as f64) * std::f64::consts::TAU).sin()
                        + 0.2 * (t * 55.0 * std::f64::consts::TAU).sin();
                    x as f32
                })
                .collect()
        })
        .collect()
}

#[test]
fn block_wise_output_matches_the_frame_by_frame_reference() {
    use crate::dsp::dynamics::compressor::Detect;
    let knee = |k| {
        let mut s = DynamicsSpec::compressor(-24.0, 4.0, 0.005, 0.12);
        s.curve.knee = k;
        s
    };
    let specs = [
        knee(0.0),
        knee(6.0),
        DynamicsSpec { makeup: Some(3.0), mix: 0.6, ..knee(6.0) },
        DynamicsSpec { detect: Detect::Rms, ..knee(6.0) },
        DynamicsSpec::compressor(-30.0, 2.0, 0.04, 0.4),
    ];
    let input = plucks();
    for spec in specs {
        let mut p = Dynamics::new(spec, &[]);
        p.prepare(RATE, 2, 1024);
        let out = run(&mut p, &input, None, 1000);
        let want = reference(&spec, &input);
        // Compare as gains in dB where the output is above −80 dBFS.
        let mut worst = 0.0f64;
        for (a, b) in out.iter().flatten().zip(want.iter().flatten()) {
            if b.abs() > 1e-4 {
                worst = worst.max((20.0 * (*a as f64 / *b as f64).log10()).abs());
            }
        }
        println!(
            "{:?} knee {} mix {}: worst {worst:.2e} dB from the reference",
            spec.detect, spec.curve.knee, spec.mix
        );
        assert!(worst < 1e-4, "{worst} dB");
    }
}

#[test]
fn eight_lanes_give_the_same_bits_as_four() {
    use crate::dsp::dynamics::compressor::Detect;
    let mut spec = DynamicsSpec::compressor(-24.0, 4.0, 0.005, 0.12);
    spec.curve.knee = 6.0;
    let input = plucks();
    for spec in [spec, DynamicsSpec { detect: Detect::Rms, mix: 0.5, ..spec }] {
        let (mut wide, mut narrow) = (Dynamics::new(spec, &[]), Dynamics::new(spec, &[]).narrow());
        wide.prepare(RATE, 2, 1024);
        narrow.prepare(RATE, 2, 1024);
        assert_eq!(run(&mut wide, &input, None, 777), run(&mut narrow, &input, None, 777));
    }
}

/// Parameters glide (set on the 32-frame control grid, as the renderer
/// does): the output must not depend on the block length either.
#[test]
fn automation_glides_do_not_depend_on_blocks() {
    use crate::dsp::dynamics::compressor::Field::*;
    const FIELDS: &[crate::dsp::dynamics::compressor::Field] = &[Threshold, Ratio, Attack, Release, Knee, Makeup, Mix];
    let input = plucks();
    let render = |block: usize, narrow: bool| {
        let mut p = Dynamics::new(DynamicsSpec::compressor(-20.0, 3.0, 0.01, 0.1), FIELDS);
        if narrow {
            p = p.narrow();
        }
        p.prepare(RATE, 2, block);
        let mut out = input.clone();
        let frames = out[0].len();
        let mut start = 0;
        while start < frames {
            // Every 0.1 s (a multiple of 32 frames) a few parameters move.
            if start % 4800 == 0 {
                let k = (start / 4800) as f64;
                p.set_param(0, -20.0 - 2.0 * k);
                p.set_param(4, k % 3.0 * 4.0);
                if k as usize % 4 == 1 {
                    p.set_param(5, k);
                    p.set_param(6, 1.0 - 0.05 * k);
                }
            }
            let end = frames.min(start + block).min((start / 32 + 1) * 32);
            let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[start..end]).collect();
            p.process(&mut chans, None);
            start = end;
        }
        out
    };
    let whole = render(32, false);
    for (block, narrow) in [(1, false), (7, false), (32, true), (5, true)] {
        assert_eq!(render(block, narrow), whole, "blocks of {block}, narrow {narrow}");
    }
}

/// A NaN sample comes out as silence (never as a full-scale spike), and the
/// detector ignores it: the frames around it are what they are without it.
#[test]
fn a_nan_sample_comes_out_as_silence() {
    let mut x = sine(1000.0, -6.0, 2000, 0.0);
    let mut zeroed = x.clone();
    x[700] = f32::NAN;
    zeroed[700] = 0.0;
    for narrow in [false, true] {
        let make = || {
            let p = compressor(-20.0, 4.0, 0.001, 0.05, 6.0);
            if narrow {
                p.narrow()
            } else {
                p
            }
        };
        let got = run(&mut make(), std::slice::from_ref(&x), None, 64);
        let want = run(&mut make(), std::slice::from_ref(&zeroed), None, 64);
        assert_eq!(got[0][700].to_bits(), 0.0f32.to_bits());
        assert_eq!(got, want, "narrow {narrow}");
    }
}

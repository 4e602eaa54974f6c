//! Generic checks of the [`Processor`] contract, run on every processor (tests only).
//!
//! To cover a new processor, add one line to [`registry`]: a name and a
//! closure that builds it. [`check_contract`] then runs it mono and stereo.

use crate::dsp::biquad::{Biquad, BiquadCascade, BiquadSpec, FilterKind};
use crate::dsp::dynamics::compressor::{Detect, Dynamics, DynamicsSpec};
use crate::dsp::dynamics::limiter::{Limiter, LimiterSpec};
use crate::dsp::gain::Gain;
use crate::dsp::tests::{cascade_specs, noise, process_blocks};
use crate::dsp::Processor;
use crate::processor::dynamics::{self as dyn_spec, build_default as dynamics};

/// Builds a fresh, unprepared processor.
pub(crate) type Factory = Box<dyn Fn() -> Box<dyn Processor>>;

const RATE: f64 = 48_000.0;
const FRAMES: usize = 20_000;
/// −90 dBFS, the level below which a tail counts as over.
const TAIL_LEVEL: f32 = 3.162_277_7e-5;

fn entry(name: &str, factory: impl Fn() -> Box<dyn Processor> + 'static) -> (String, Factory) {
    (name.to_string(), Box::new(factory))
}

/// Every processor the contract is checked on. Add yours here.
pub(crate) fn registry() -> Vec<(String, Factory)> {
    let mut list = vec![
        entry("gain -6 dB", || Box::new(Gain::new(-6.0))),
        entry("gain +24 dB", || Box::new(Gain::new(24.0))),
        entry("gain 0 dB", || Box::new(Gain::new(0.0))),
        entry("gain -inf dB", || Box::new(Gain::new(f64::NEG_INFINITY))),
        entry("highpass 30 Hz", || Box::new(Biquad::new(BiquadSpec::new(FilterKind::Highpass, 30.0)))),
        entry("peak 6.5 kHz +6 dB q 2", || {
            let spec = BiquadSpec::new(FilterKind::Peak, 6500.0);
            Box::new(Biquad::new(spec.with_gain_db(6.0).with_q(2.0)))
        }),
        entry("lowpass above Nyquist", || Box::new(Biquad::new(BiquadSpec::new(FilterKind::Lowpass, 30_000.0)))),
        entry("cascade of 7", || Box::new(BiquadCascade::new(&cascade_specs()))),
        entry("empty cascade", || Box::new(BiquadCascade::new(&[]))),
        entry("compressor -18 dB 4:1", || {
            dynamics(&dyn_spec::COMPRESSOR, &[(0, -18.0), (1, 4.0), (2, 0.005), (3, 0.08)])
        }),
        entry("compressor knee rms mix", || {
            Box::new(Dynamics::new(
                DynamicsSpec { detect: Detect::Rms, mix: 0.5, ..DynamicsSpec::compressor(-30.0, 8.0, 0.0, 0.2) },
                &[],
            ))
        }),
        entry("expander -40 dB 1:3", || dynamics(&dyn_spec::EXPANDER, &[(0, -40.0), (1, 3.0)])),
        entry("gate -30 dB", || dynamics(&dyn_spec::GATE, &[(0, -30.0)])),
        entry("deesser 6.5 kHz -30 dB", || dynamics(&dyn_spec::DEESSER, &[(1, -30.0)])),
        entry("limiter -1 dBTP", || dynamics(&dyn_spec::LIMITER, &[])),
        entry("limiter sample peak -3 dB", || {
            Box::new(Limiter::new(LimiterSpec { ceiling: -3.0, lookahead: 0.001, release: 0.01, true_peak: false }))
        }),
    ];
    for kind in FilterKind::ALL {
        let spec = BiquadSpec::new(kind, 1000.0).with_gain_db(-9.0);
        list.push(entry(kind.name(), move || Box::new(Biquad::new(spec))));
    }
    list.extend(super::space::entries().into_iter().map(|(name, f)| entry(name, f)));
    list.extend(super::mastering::entries().into_iter().map(|(name, f)| entry(name, f)));
    list
}

#[test]
fn every_processor_keeps_the_contract() {
    for (name, factory) in registry() {
        for channels in [1, 2] {
            check_contract(&format!("{name} ({channels} ch)"), channels, &factory);
        }
    }
}

/// Runs every contract check on the processor `factory` builds.
pub(crate) fn check_contract(name: &str, channels: usize, factory: &dyn Fn() -> Box<dyn Processor>) {
    let input = noise(channels, FRAMES, 0x9e37_79b9_7f4a_7c15);
    check_block_invariance(name, &input, factory);
    // A decay into the denormal-flush range must not depend on blocks either.
    let mut impulse = vec![vec![0.0f32; FRAMES]; channels];
    impulse.iter_mut().for_each(|ch| ch[3] = 1.0);
    check_block_invariance(&format!("{name}, impulse"), &impulse, factory);
    check_reset(name, &input, factory);
    check_silence(name, channels, factory);
    check_tail(name, &input, factory);
    for (what, signal) in hostile_inputs(channels) {
        let out = run(factory(), &signal, FRAMES);
        assert_clean(&format!("{name}, {what}"), &out);
    }
}

/// One call, blocks of 17, single frames and irregular blocks all give the same bits.
fn check_block_invariance(name: &str, input: &[Vec<f32>], factory: &dyn Fn() -> Box<dyn Processor>) {
    let whole = run(factory(), input, FRAMES);
    for block in [17, 1] {
        let cut = run(factory(), input, block);
        assert_same(&format!("{name}: blocks of {block} vs one block"), &whole, &cut);
    }
    let mut p = factory();
    p.prepare(RATE, input.len(), 1000);
    let ragged = process_blocks(&mut *p, input, &[1, 999, 2, 513, 64, 7, 1000]);
    assert_same(&format!("{name}: irregular blocks"), &whole, &ragged);
}

/// After `reset`, the same input gives the same output as after `prepare`.
fn check_reset(name: &str, input: &[Vec<f32>], factory: &dyn Fn() -> Box<dyn Processor>) {
    let mut p = factory();
    p.prepare(RATE, input.len(), 256);
    let first = process_blocks(&mut *p, input, &[256]);
    p.reset();
    let second = process_blocks(&mut *p, input, &[256]);
    assert_same(&format!("{name}: after reset"), &first, &second);
}

fn check_silence(name: &str, channels: usize, factory: &dyn Fn() -> Box<dyn Processor>) {
    let silence = vec![vec![0.0f32; FRAMES]; channels];
    let out = run(factory(), &silence, 512);
    assert!(out.iter().flatten().all(|&x| x == 0.0), "{name}: silence in did not give silence out");
}

/// Once `tail()` frames of silence follow full-scale noise, the output is below −90 dBFS.
fn check_tail(name: &str, input: &[Vec<f32>], factory: &dyn Fn() -> Box<dyn Processor>) {
    let mut p = factory();
    p.prepare(RATE, input.len(), 4096);
    process_blocks(&mut *p, input, &[4096]);
    let tail = p.tail() + p.latency();
    assert!(tail < 10 * RATE as usize, "{name}: tail of {tail} frames");
    let silence = vec![vec![0.0f32; tail + 4096]; input.len()];
    let out = process_blocks(&mut *p, &silence, &[4096]);
    for (c, channel) in out.iter().enumerate() {
        let worst = channel[tail..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(worst < TAIL_LEVEL, "{name}: ch {c} at {worst} after tail {tail}");
    }
}

/// Signals meant to break a processor: extremes, tiny values, impulses.
fn hostile_inputs(channels: usize) -> Vec<(&'static str, Vec<Vec<f32>>)> {
    let make = |f: &dyn Fn(usize) -> f32| vec![(0..FRAMES).map(f).collect::<Vec<f32>>(); channels];
    let huge = f32::MAX;
    vec![
        ("alternating ±f32::MAX", make(&|i| if i % 2 == 0 { huge } else { -huge })),
        ("f32::MAX bursts", make(&|i| if (i / 50) % 2 == 0 { huge } else { -huge })),
        ("DC f32::MAX", make(&|_| huge)),
        ("tiny 1e-38", make(&|i| if i % 3 == 0 { 1e-38 } else { -1e-38 })),
        ("impulse", make(&|i| if i == 0 { 1.0 } else { 0.0 })),
        ("sparse impulses", make(&|i| if i % 4000 == 0 { -1.0 } else { 0.0 })),
        ("huge impulse", make(&|i| if i == 10 { huge } else { 0.0 })),
    ]
}

fn assert_clean(what: &str, out: &[Vec<f32>]) {
    for (c, channel) in out.iter().enumerate() {
        for (i, &x) in channel.iter().enumerate() {
            assert!(x.is_finite(), "{what}: ch {c} frame {i} is {x}");
            assert!(x == 0.0 || x.is_normal(), "{what}: ch {c} frame {i} denormal {x:e}");
        }
    }
}

fn assert_same(what: &str, a: &[Vec<f32>], b: &[Vec<f32>]) {
    for (c, (x, y)) in a.iter().zip(b).enumerate() {
        let bits = |v: &[f32]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
        if let Some(i) = bits(x).iter().zip(bits(y)).position(|(p, q)| *p != q) {
            panic!("{what}: ch {c} frame {i}: {} vs {}", x[i], y[i]);
        }
    }
}

/// Prepares `p` for blocks of `block` frames and runs the whole input through it.
fn run(mut p: Box<dyn Processor>, input: &[Vec<f32>], block: usize) -> Vec<Vec<f32>> {
    p.prepare(RATE, input.len(), block);
    process_blocks(&mut *p, input, &[block])
}

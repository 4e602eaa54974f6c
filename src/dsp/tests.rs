//! Helpers shared by the DSP tests (tests only): block-wise processing,
//! deterministic noise, a few standard settings, and frequency-response
//! measurement ([`response`]). The contract test over every processor is
//! `crate::processor::tests`.

pub(crate) mod response;

use super::biquad::{BiquadSpec, FilterKind};
use super::dynamics::compressor::DynamicsSpec;
use super::Processor;

/// Processes `input` in blocks whose lengths cycle through `pattern`.
pub(crate) fn process_blocks(p: &mut dyn Processor, input: &[Vec<f32>], pattern: &[usize]) -> Vec<Vec<f32>> {
    let mut out = input.to_vec();
    let frames = out.first().map_or(0, Vec::len);
    let mut start = 0;
    for &len in pattern.iter().cycle() {
        if start >= frames {
            break;
        }
        let end = frames.min(start + len);
        let mut block: Vec<&mut [f32]> = out.iter_mut().map(|ch| &mut ch[start..end]).collect();
        p.process(&mut block, None);
        start = end;
    }
    out
}

/// Uniform noise in −1..1 from xorshift64* (deterministic, no dependency).
pub(crate) fn noise(channels: usize, frames: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let bits = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40; // 24 random bits
        (bits as f32 / (1u64 << 23) as f32) - 1.0
    };
    (0..channels).map(|_| (0..frames).map(|_| next()).collect()).collect()
}

/// Seven varied stages: two full groups of the kernel and a partial one.
pub(crate) fn cascade_specs() -> Vec<BiquadSpec> {
    use FilterKind::*;
    vec![
        BiquadSpec::new(Highpass, 20.0),
        BiquadSpec::new(LowShelf, 120.0).with_gain_db(4.0),
        BiquadSpec::new(Peak, 400.0).with_gain_db(-3.0).with_q(1.4),
        BiquadSpec::new(Peak, 3000.0).with_gain_db(5.0).with_q(0.8),
        BiquadSpec::new(Notch, 60.0).with_q(8.0),
        BiquadSpec::new(HighShelf, 9000.0).with_gain_db(-6.0).with_q(0.9),
        BiquadSpec::new(Lowpass, 18_000.0),
    ]
}

/// A compressor band without automatic make-up.
pub(crate) fn band(threshold: f64, ratio: f64, attack: f64, release: f64) -> DynamicsSpec {
    DynamicsSpec { makeup: Some(0.0), ..DynamicsSpec::compressor(threshold, ratio, attack, release) }
}

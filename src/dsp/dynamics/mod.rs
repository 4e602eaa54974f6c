//! Dynamics processors: compressor, expander/gate, de-esser and lookahead limiter.
//!
//! The compressor family follows Giannoulis, Massberg & Reiss (JAES 2012):
//! a static gain computer on the level in dB ([`gain_computer`]), then a
//! smooth branching detector in the log domain ([`detector`]) that turns the
//! static gain into a gain envelope. The limiter follows the lookahead
//! reference design of STANDARDS §4.2, with optional 4× true-peak detection
//! ([`true_peak`]).
//!
//! Time constants everywhere: α = exp(−1/(τ·fs)), so after a step the
//! envelope has covered 1 − 1/e (63.2 %) of the step in dB after τ.

pub mod compressor;
pub mod deesser;
pub mod detector;
pub mod gain_computer;
pub mod gate;
pub mod limiter;
pub mod true_peak;
mod window;

#[cfg(test)]
mod tests;

use crate::dsp::lanes_f32::Lanes;

/// Lowest level the detector sees, in dB: log of silence is floored here so
/// the maths stays finite (the gain computer is flat this far down).
pub const LEVEL_FLOOR_DB: f64 = -120.0;

/// How long a parameter glides after `set_param`, in seconds: long enough to
/// avoid zipper noise, short enough to follow automation closely.
pub const PARAM_GLIDE_S: f64 = 0.02;

/// Starts a glide of `s` to `value` over [`PARAM_GLIDE_S`] at `rate` Hz
/// (a jump when the rate is not known yet, before `prepare`).
pub fn glide(s: &mut crate::dsp::gain::Smoother, value: f64, rate: f64) {
    s.set_target(value, crate::dsp::gain::Smoother::ramp_frames(PARAM_GLIDE_S, rate));
}

/// One-pole coefficient for time constant `tau` seconds at `rate` Hz:
/// α = exp(−1/(τ·fs)), so a step is covered to 1 − 1/e after τ. A time of
/// zero (or less, or NaN) gives α = 0: the envelope follows at once.
pub fn coefficient(tau: f64, rate: f64) -> f64 {
    if tau > 0.0 && rate > 0.0 {
        (-1.0 / (tau * rate)).exp()
    } else {
        0.0
    }
}

/// A linear magnitude in dB, floored at [`LEVEL_FLOOR_DB`].
///
/// Written with selects only, so loops over blocks vectorise: zero, NaN and
/// anything under 1e-300 read as 1e-300 (−6000 dB), floored like any other
/// level under the floor.
#[inline(always)]
pub fn level_db(magnitude: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let m = if magnitude > TINY { magnitude } else { TINY };
    let db = crate::dsp::fastmath::to_db(m);
    if db > LEVEL_FLOOR_DB {
        db
    } else {
        LEVEL_FLOOR_DB
    }
}

/// Levels in dB on f32 lanes from detector magnitudes: [`level_db`] in f32
/// (see [`to_db_lanes`](crate::dsp::fastmath::to_db_lanes)), floored at
/// [`LEVEL_FLOOR_DB`]; zero and NaN read as the floor.
#[inline(always)]
pub(crate) fn level_lanes<L: Lanes>(magnitude: L) -> L {
    let m = magnitude.max(L::splat(1e-7));
    crate::dsp::fastmath::to_db_lanes(m).max(L::splat(LEVEL_FLOOR_DB as f32))
}

/// Levels in dB from 2·(mean square) (see [`RmsLevel`](detector::RmsLevel)):
/// 10·log10 of it, i.e. [`level_lanes`] of its square root.
#[inline(always)]
pub(crate) fn rms_level_lanes<L: Lanes>(two_ms: L) -> L {
    let v = two_ms.max(L::splat(1e-14));
    (crate::dsp::fastmath::to_db_lanes(v) * L::splat(0.5)).max(L::splat(LEVEL_FLOOR_DB as f32))
}

/// Sets `out[i]` (zero on entry) to the largest magnitude across `channels`
/// at frame i, for i below the longest channel; frames a channel lacks (a
/// key shorter than the block) read as silence. `L::N` frames at a time,
/// with `maxps` (a NaN sample is ignored, like [`frame_peak`] does); `out`
/// must be a whole number of lane groups long.
#[inline(always)]
pub(crate) fn block_peak<'a, L: Lanes>(out: &mut [f32], channels: impl Iterator<Item = &'a [f32]>) {
    for ch in channels {
        let mut groups = ch.chunks_exact(L::N);
        let mut i = 0;
        for x in &mut groups {
            L::load(x).bits_and(0x7fff_ffff).max(L::load(&out[i..])).store(&mut out[i..]);
            i += L::N;
        }
        let rest = groups.remainder();
        if !rest.is_empty() {
            let mut x = [0.0f32; 8];
            x[..rest.len()].copy_from_slice(rest);
            L::load(&x).bits_and(0x7fff_ffff).max(L::load(&out[i..])).store(&mut out[i..]);
        }
    }
}

/// The largest magnitude across channels at frame `i`; a missing sample
/// (a key shorter than the block) reads as silence.
#[inline]
pub fn frame_peak(channels: &[&[f32]], i: usize) -> f64 {
    channels.iter().fold(0.0f64, |m, ch| m.max(ch.get(i).map_or(0.0, |x| (*x as f64).abs())))
}

/// Same as [`frame_peak`], on the audio being processed in place.
#[inline]
pub fn frame_peak_mut(channels: &[&mut [f32]], i: usize) -> f64 {
    channels.iter().fold(0.0f64, |m, ch| m.max(ch.get(i).map_or(0.0, |x| (*x as f64).abs())))
}

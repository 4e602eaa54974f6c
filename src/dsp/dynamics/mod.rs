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
pub(crate) mod test_signals;
#[cfg(test)]
mod tests_compressor;
#[cfg(test)]
mod tests_limiter;

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
#[inline]
pub fn level_db(magnitude: f64) -> f64 {
    if magnitude > 0.0 {
        crate::dsp::fastmath::to_db(magnitude).max(LEVEL_FLOOR_DB)
    } else {
        LEVEL_FLOOR_DB
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

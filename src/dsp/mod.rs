//! Signal processors: the [`Processor`] contract and one family per file.

pub mod biquad;
mod biquad_kernel;
pub mod convolve;
pub mod crossover;
pub mod delay;
pub mod delay_line;
pub mod dynamics;
pub mod fastmath;
pub mod gain;
mod lanes;
mod lanes_f32;
pub(crate) use lanes_f32::has_avx2;
pub mod linear_phase;
pub mod linear_phase_design;
pub mod mid_side;
pub mod multiband;
mod oversample;
pub mod pan;
pub mod rbj;
pub mod reverb;
pub mod saturate;
pub mod stereo;

#[cfg(test)]
pub(crate) mod tests;

/// Denormal-safe floor for recursive state: values below this are flushed to
/// zero so decaying filters and envelopes never enter the slow denormal range.
pub const DENORMAL_FLOOR: f64 = 1e-30;

/// Flushes a tiny value to exactly zero (see [`DENORMAL_FLOOR`]).
#[inline(always)]
pub fn flush(x: f64) -> f64 {
    if x.abs() < DENORMAL_FLOOR {
        0.0
    } else {
        x
    }
}

/// Smallest magnitude an output sample may have without being zero:
/// `f32::MIN_POSITIVE`, the smallest normal `f32`.
pub(crate) const OUTPUT_FLOOR: f64 = f32::MIN_POSITIVE as f64;

/// Rounds an internal `f64` sample to the `f32` a processor outputs.
///
/// Saturates at ±`f32::MAX`, so a huge but finite input pushed up by a gain or
/// a resonance never becomes infinity, and flushes results below the smallest
/// normal `f32` to zero, so no denormal leaves a processor.
#[inline(always)]
pub fn to_output(y: f64) -> f32 {
    let y = y.clamp(-(f32::MAX as f64), f32::MAX as f64);
    if y.abs() < OUTPUT_FLOOR {
        0.0
    } else {
        y as f32
    }
}

/// A block-based audio processor working in place on planar `f32` channels.
///
/// The contract every implementation keeps:
/// - [`prepare`](Processor::prepare) is the only method that may allocate. It is
///   called once before the first block with the sample rate, the channel count
///   (1 or 2) and the largest block that [`process`](Processor::process) will get.
/// - [`process`](Processor::process) does no allocation, no locking and no I/O.
///   It handles any block length from 1 to `max_block`, and the output does not
///   depend on how a signal is cut into blocks: one block of 1024 frames gives
///   the same samples as 1024 blocks of one frame.
/// - [`reset`](Processor::reset) returns to time zero: after it, the same input
///   gives the same output as after `prepare`.
/// - [`latency`](Processor::latency) is the delay, in frames, that the processor
///   adds on purpose (a limiter's lookahead); the plan delays parallel paths to match.
/// - [`tail`](Processor::tail) is how many frames the output goes on after the
///   input falls silent, until it is below −90 dBFS (a reverb's decay).
/// - Silence in gives silence out once the tail has passed; no NaN or infinity
///   leaves a processor for finite input.
pub trait Processor: Send {
    /// Allocates state for `channels` channels at `rate` Hz, blocks of at most `max_block` frames.
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize);

    /// Processes one block in place. `audio` holds one slice per channel, all
    /// the same length. `key` is the sidechain input, when the processor has one.
    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>);

    /// Returns to time zero.
    fn reset(&mut self);

    /// Delay added on purpose, in frames.
    fn latency(&self) -> usize {
        0
    }

    /// Frames of output after the input stops, until it falls below −90 dBFS.
    fn tail(&self) -> usize {
        0
    }

    /// Automation: sets parameter `index` (its position in the processor's
    /// registry spec) to `value` in canonical units (dB, Hz, seconds,
    /// fractions). The render calls it on a fixed grid of the timeline (never
    /// depending on block length); the processor glides to the new value
    /// inside `process` (see `gain::Smoother`), so there is no zipper noise
    /// and block-by-block output still equals sample-by-sample output.
    /// Processors without automatable parameters ignore it.
    fn set_param(&mut self, index: usize, value: f64) {
        let _ = (index, value);
    }
}

/// Calls `piece(start, len)` over `0..frames` in runs of at most `chunk`
/// frames (processors with fixed-size internal buffers).
#[inline]
pub fn in_pieces(frames: usize, chunk: usize, mut piece: impl FnMut(usize, usize)) {
    let mut start = 0;
    while start < frames {
        let len = chunk.min(frames - start);
        piece(start, len);
        start += len;
    }
}

/// Decibels to a linear gain; `-inf` gives exactly 0 and `0` exactly 1.
pub fn db_to_gain(db: f64) -> f64 {
    if db == f64::NEG_INFINITY {
        0.0
    } else if db == 0.0 {
        1.0
    } else {
        10f64.powf(db / 20.0)
    }
}

/// A linear gain to decibels (`-inf` for 0).
pub fn gain_to_db(gain: f64) -> f64 {
    if gain <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * gain.log10()
    }
}

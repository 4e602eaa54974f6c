//! Static gain ([`Gain`]) and the linear parameter ramp ([`Smoother`]) for automation.

use super::{to_output, Processor};

/// Gains above this many dB are clamped; nothing useful lies past them.
pub const MAX_GAIN_DB: f64 = 120.0;

/// Converts decibels to a linear factor. `-inf` dB is silence (0.0), values
/// above [`MAX_GAIN_DB`] are clamped, and NaN reads as unity so a bad value
/// never poisons the signal (the checker rejects it before this point).
pub fn db_to_linear(db: f64) -> f64 {
    if db.is_nan() {
        1.0
    } else if db == 0.0 {
        // Exact, not via powf, so unity gain is bit-exact (identity rule).
        1.0
    } else {
        10f64.powf(db.min(MAX_GAIN_DB) / 20.0)
    }
}

/// A fixed gain in dB on every channel.
///
/// Unity gain leaves every normal sample and zero untouched (bit-exact) and
/// only flushes denormal input to a zero of the same sign, keeping the
/// contract that no denormal leaves a processor. Otherwise the product
/// is formed in f64 and rounded once, so it is the correctly rounded result,
/// and it passes through [`to_output`] (no overflow to infinity, no denormals).
#[derive(Clone, Debug)]
pub struct Gain {
    db: f64,
    linear: f64,
}

impl Gain {
    /// A gain of `db` decibels (see [`db_to_linear`] for edge values).
    pub fn new(db: f64) -> Gain {
        Gain { db, linear: db_to_linear(db) }
    }

    /// The gain in dB, as given.
    pub fn db(&self) -> f64 {
        self.db
    }

    /// The linear factor applied.
    pub fn linear(&self) -> f64 {
        self.linear
    }
}

impl Processor for Gain {
    fn prepare(&mut self, _rate: f64, _channels: usize, _max_block: usize) {}

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        if self.linear == 1.0 {
            for x in audio.iter_mut().flat_map(|ch| ch.iter_mut()) {
                if x.is_subnormal() {
                    *x = 0.0f32.copysign(*x);
                }
            }
            return;
        }
        let g = self.linear;
        for channel in audio.iter_mut() {
            for x in channel.iter_mut() {
                *x = to_output(*x as f64 * g);
            }
        }
    }

    fn reset(&mut self) {}
}

/// A linear ramp from the current value to a target over a whole number of
/// frames, for parameter automation.
///
/// After [`set_target`](Smoother::set_target)`(t, n)` the next `n` values are
/// `v + (t − v)·k/n` for k = 1..=n, computed from k (not by adding a step, so
/// no rounding drift), and the n-th is exactly `t`: the ramp snaps to its
/// target. Afterwards the value stays `t`. A ramp of 0 frames jumps at once.
/// [`next`](Smoother::next) and [`fill`](Smoother::fill) give identical values,
/// however the frames are cut into blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Smoother {
    start: f64,
    target: f64,
    frames: u64,
    done: u64,
}

impl Smoother {
    /// A smoother resting at `value`.
    pub fn new(value: f64) -> Smoother {
        Smoother { start: value, target: value, frames: 0, done: 0 }
    }

    /// Frames in a ramp of `seconds` at `rate` Hz, rounded to the nearest
    /// frame (negative or NaN times give 0).
    pub fn ramp_frames(seconds: f64, rate: f64) -> u64 {
        let frames = (seconds * rate).round();
        if frames.is_nan() || frames <= 0.0 {
            0
        } else {
            frames as u64
        }
    }

    /// Starts a ramp from the current value to `target` over `frames` frames.
    pub fn set_target(&mut self, target: f64, frames: u64) {
        self.start = self.current();
        self.target = target;
        self.frames = frames;
        self.done = 0;
    }

    /// Jumps to `value` with no ramp.
    pub fn reset(&mut self, value: f64) {
        *self = Smoother::new(value);
    }

    /// The value most recently produced (the start value before any).
    pub fn current(&self) -> f64 {
        if self.done >= self.frames {
            self.target
        } else {
            self.start + (self.target - self.start) * (self.done as f64 / self.frames as f64)
        }
    }

    /// The value the ramp ends at.
    pub fn target(&self) -> f64 {
        self.target
    }

    /// Whether a ramp is still under way.
    pub fn is_ramping(&self) -> bool {
        self.done < self.frames
    }

    /// Advances one frame and returns its value.
    #[allow(clippy::should_implement_trait)] // never ends, so not an Iterator
    pub fn next(&mut self) -> f64 {
        if self.done < self.frames {
            self.done += 1;
        }
        self.current()
    }

    /// Fills `out` with the next `out.len()` values.
    pub fn fill(&mut self, out: &mut [f64]) {
        let mut k = 0;
        while k < out.len() && self.is_ramping() {
            out[k] = self.next();
            k += 1;
        }
        // Once the ramp is over the value is constant: no per-frame work.
        out[k..].fill(self.target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unity_gain_is_bit_exact() {
        let mut data = vec![0.1f32, -1.0, f32::MIN_POSITIVE, f32::MAX, -0.0, 1e-40, -1e-40];
        let mut g = Gain::new(0.0);
        g.prepare(48_000.0, 1, 7);
        g.process(&mut [data.as_mut_slice()], None);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let expected = [0.1f32, -1.0, f32::MIN_POSITIVE, f32::MAX, -0.0, 0.0, -0.0];
        assert_eq!(bits(&data), bits(&expected));
    }

    #[test]
    fn gain_applies_the_db_factor() {
        let mut data = vec![1.0f32, -0.5];
        let mut g = Gain::new(-6.0);
        g.process(&mut [data.as_mut_slice()], None);
        let factor = 10f64.powf(-6.0 / 20.0);
        assert_eq!(data, vec![factor as f32, (-0.5 * factor) as f32]);
        assert_eq!(Gain::new(f64::NEG_INFINITY).linear(), 0.0);
        assert_eq!(Gain::new(f64::NAN).linear(), 1.0);
    }

    #[test]
    fn gain_saturates_instead_of_overflowing() {
        let mut data = vec![f32::MAX, -f32::MAX];
        Gain::new(6.0).process(&mut [data.as_mut_slice()], None);
        assert_eq!(data, vec![f32::MAX, -f32::MAX]);
    }

    #[test]
    fn smoother_ramps_linearly_and_snaps_to_target() {
        let mut s = Smoother::new(1.0);
        s.set_target(0.3, 7);
        let values: Vec<f64> = (0..9).map(|_| s.next()).collect();
        for (k, v) in values.iter().enumerate().take(6) {
            let expected = 1.0 + (0.3 - 1.0) * (k + 1) as f64 / 7.0;
            assert!((v - expected).abs() < 1e-15);
        }
        assert_eq!(&values[6..], &[0.3, 0.3, 0.3]);
        assert!(!s.is_ramping());
    }

    #[test]
    fn smoother_fill_matches_next_however_cut() {
        let mut a = Smoother::new(-2.0);
        let mut b = a.clone();
        a.set_target(5.0, 1000);
        b.set_target(5.0, 1000);
        let singles: Vec<f64> = (0..1500).map(|_| a.next()).collect();
        let mut filled = vec![0.0; 1500];
        for chunk in filled.chunks_mut(37) {
            b.fill(chunk);
        }
        assert_eq!(singles, filled);
        assert_eq!(filled[999], 5.0);
    }

    #[test]
    fn smoother_retargets_from_where_it_is() {
        let mut s = Smoother::new(0.0);
        s.set_target(1.0, 4);
        s.next();
        s.next();
        s.set_target(0.0, 0);
        assert_eq!(s.next(), 0.0);
        assert_eq!(Smoother::ramp_frames(0.01, 48_000.0), 480);
        assert_eq!(Smoother::ramp_frames(-1.0, 48_000.0), 0);
        assert_eq!(Smoother::ramp_frames(f64::NAN, 48_000.0), 0);
    }
}

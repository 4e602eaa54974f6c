//! The crossfade used for every change the listener did not ask to hear as
//! a cut: a new render, A/B, seeks, loop jumps, pause and resume.
//!
//! The curve is equal-gain raised cosine, not equal-power: two renders of one
//! song are almost the same signal (correlated), and for correlated signals
//! gains that sum to one keep the level steady through the fade, where
//! equal-power gains would bulge by up to 3 dB in the middle. The cosine
//! shape starts and ends with zero slope, so the fade itself does not click.

/// Crossfade length: long enough not to click, short enough that a swap
/// sounds immediate.
pub const FADE_SECONDS: f64 = 0.020;

/// The fade-in gains, one per frame: `curve[i]` for the incoming signal and
/// `1 − curve[i]` for the outgoing one. Built once, outside the audio thread.
#[derive(Debug, Clone)]
pub struct Curve {
    gains: Box<[f32]>,
}

impl Curve {
    /// A curve of [`FADE_SECONDS`] at `rate` (at least one frame).
    pub fn new(rate: u32) -> Curve {
        Curve::with_frames(((rate as f64 * FADE_SECONDS).round() as usize).max(1))
    }

    pub fn with_frames(frames: usize) -> Curve {
        let frames = frames.max(1);
        let gains = (0..frames)
            .map(|i| {
                // Centred in each frame, so the first and last steps are equal.
                let t = (i as f64 + 0.5) / frames as f64;
                (0.5 - 0.5 * (std::f64::consts::PI * t).cos()) as f32
            })
            .collect();
        Curve { gains }
    }

    pub fn frames(&self) -> usize {
        self.gains.len()
    }

    /// The incoming signal's gain at frame `i` of the fade (1 past the end).
    #[inline]
    pub fn gain(&self, i: usize) -> f32 {
        self.gains.get(i).copied().unwrap_or(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_rise_from_zero_to_one_symmetrically_and_sum_to_one_with_their_mirror() {
        let c = Curve::with_frames(960);
        assert_eq!(c.frames(), 960);
        assert!(c.gain(0) > 0.0 && c.gain(0) < 1e-5);
        assert!(c.gain(959) < 1.0 && c.gain(959) > 1.0 - 1e-5);
        for i in 1..960 {
            assert!(c.gain(i) > c.gain(i - 1), "rises at {i}");
            // Incoming at i plus incoming at the mirrored frame = 1: the
            // outgoing gain is the same curve played backwards.
            assert!((c.gain(i) + c.gain(959 - i) - 1.0).abs() < 1e-6);
        }
        assert_eq!(c.gain(960), 1.0);
    }

    #[test]
    fn twenty_milliseconds_at_the_device_rate() {
        assert_eq!(Curve::new(48_000).frames(), 960);
        assert_eq!(Curve::new(44_100).frames(), 882);
    }
}

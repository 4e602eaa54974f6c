//! The level detector and gain smoother of the compressor family.
//!
//! Topology (Giannoulis et al. 2012, their recommendation): the gain computer
//! runs first on the instantaneous level, and a *smooth branching* detector
//! (Eq. 16) smooths the resulting gain in the log domain:
//!
//! y[n] = α_down·y[n−1] + (1−α_down)·x[n]   when the gain falls (x < y)
//! y[n] = α_up·y[n−1]   + (1−α_up)·x[n]     when it rises
//!
//! We chose smooth branching over smooth decoupled (Eq. 17) because each
//! branch is then a plain one-pole: after a step the gain covers exactly
//! 1 − 1/e of the step in dB after τ, for attack *and* release, so the times
//! users type mean what the docs say. (Decoupled lengthens the release by the
//! attack time.) Both are free of the attack-phase discontinuities of the
//! non-smooth forms.
//!
//! `hold` keeps the gain where it is for a number of frames before it may
//! fall again after last rising or resting — a gate's hold.

use super::coefficient;
use crate::dsp::flush;

/// Smooths a gain in dB with separate coefficients for falling and rising.
#[derive(Debug, Clone)]
pub struct GainSmoother {
    /// Coefficient while the gain falls (compressor attack, gate release).
    pub down: f64,
    /// Coefficient while the gain rises (compressor release, gate attack).
    pub up: f64,
    /// Frames to wait before falling (gate hold).
    pub hold: u64,
    held: u64,
    state: f64,
}

impl GainSmoother {
    /// A smoother at rest at 0 dB.
    pub fn new() -> GainSmoother {
        GainSmoother { down: 0.0, up: 0.0, hold: 0, held: 0, state: 0.0 }
    }

    /// Sets the falling and rising time constants (seconds) at `rate` Hz.
    pub fn set_times(&mut self, down_s: f64, up_s: f64, rate: f64) {
        self.down = coefficient(down_s, rate);
        self.up = coefficient(up_s, rate);
    }

    /// Back to 0 dB, hold counter cleared.
    pub fn reset(&mut self) {
        self.state = 0.0;
        self.held = 0;
    }

    /// The smoothed gain so far, in dB.
    pub fn value(&self) -> f64 {
        self.state
    }

    /// Advances one frame towards the static gain `target` (dB) and returns
    /// the smoothed gain. Written as y + (1−α)(x − y) so a settled state
    /// stays bit-exact at its target.
    #[inline]
    pub fn next(&mut self, target: f64) -> f64 {
        let y = self.state;
        let alpha = if target < y {
            if self.held < self.hold {
                self.held += 1;
                return y;
            }
            self.down
        } else {
            self.held = 0;
            self.up
        };
        // −inf targets (a gate's full range) are clamped by the caller's range;
        // guard anyway so the state never becomes NaN.
        let x = target.max(-1e4);
        self.state = flush(y + (1.0 - alpha) * (x - y));
        self.state
    }
}

impl Default for GainSmoother {
    fn default() -> Self {
        Self::new()
    }
}

/// Mean-square level detector for `detect: rms` (Giannoulis Eq. for RMS:
/// y² = α·y²[n−1] + (1−α)·x²), over a fixed [`RMS_WINDOW_S`] window.
/// The level reads +3.01 dB above the RMS so a sine reads its peak level
/// and thresholds mean the same in both detect modes.
#[derive(Debug, Clone, Default)]
pub struct RmsLevel {
    alpha: f64,
    mean_square: f64,
}

/// Time constant of the RMS window, in seconds.
pub const RMS_WINDOW_S: f64 = 0.01;

impl RmsLevel {
    pub fn prepare(&mut self, rate: f64) {
        self.alpha = coefficient(RMS_WINDOW_S, rate);
        self.mean_square = 0.0;
    }

    pub fn reset(&mut self) {
        self.mean_square = 0.0;
    }

    /// Feeds one frame's magnitude; returns the level in dB (sine-peak scaled).
    #[inline]
    pub fn next(&mut self, magnitude: f64) -> f64 {
        let x2 = (magnitude * magnitude).min(f64::MAX);
        self.mean_square = flush(self.mean_square + (1.0 - self.alpha) * (x2 - self.mean_square));
        // 10·log10(2·ms) = RMS in dB + 3.01 dB.
        super::level_db((2.0 * self.mean_square).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_branch_covers_one_minus_one_over_e_in_tau() {
        let rate = 48_000.0;
        let mut s = GainSmoother::new();
        s.set_times(0.010, 0.100, rate);
        for _ in 0..480 {
            s.next(-10.0);
        }
        assert!((s.value() - (-10.0 * (1.0 - (-1.0f64).exp()))).abs() < 1e-9);
        for _ in 0..100_000 {
            s.next(-10.0);
        }
        for _ in 0..4800 {
            s.next(0.0);
        }
        assert!((s.value() - (-10.0 * (-1.0f64).exp())).abs() < 1e-9);
    }

    #[test]
    fn hold_delays_the_fall() {
        let mut s = GainSmoother::new();
        s.hold = 3;
        assert_eq!([s.next(-6.0), s.next(-6.0), s.next(-6.0)], [0.0; 3]);
        assert_eq!(s.next(-6.0), -6.0);
    }
}

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
use crate::dsp::lanes::F64x2;
use crate::dsp::{flush, DENORMAL_FLOOR};

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

    /// The smoother without hold as a loop state, or `None` when `hold` is
    /// set. Handed back with [`finish`](GainSmoother::finish).
    #[inline]
    fn fast(&self) -> Option<FastSmoother> {
        let (k_down, k_up) = (1.0 - self.down, 1.0 - self.up);
        let splat = F64x2::splat;
        (self.hold == 0).then_some(FastSmoother {
            y: splat(self.state),
            alpha_down: splat(self.down),
            alpha_up: splat(self.up),
            k_down: splat(k_down),
            k_up: splat(k_up),
            lower: k_down >= k_up,
            rose: false,
        })
    }

    /// Takes back the state of a [`FastSmoother`].
    #[inline]
    fn finish(&mut self, fast: FastSmoother) {
        [self.state, _] = fast.y.to_array();
        // `next` clears the hold counter on every frame that does not fall.
        if fast.rose {
            self.held = 0;
        }
    }

    /// Whether the gain rests exactly at 0 dB.
    #[inline]
    pub fn at_rest(&self) -> bool {
        self.state == 0.0
    }

    /// Frames whose static gain is 0 dB, from rest: the state stays exactly
    /// 0 and the hold counter is cleared, as `next` would leave them.
    #[inline]
    pub fn rest(&mut self) {
        self.state = 0.0;
        self.held = 0;
    }

    /// [`next`](GainSmoother::next) over a block: each static gain in
    /// `gains` (dB) is replaced by the smoothed gain plus `makeup(i)`,
    /// rounded to f32 for the dB → linear stage.
    pub fn run(&mut self, gains: &mut [f32], makeup: impl Fn(usize) -> f64) {
        #[inline(always)]
        fn each(gains: &mut [f32], makeup: impl Fn(usize) -> f64, mut step: impl FnMut(f64) -> f64) {
            for (i, g) in gains.iter_mut().enumerate() {
                *g = (step(*g as f64) + makeup(i)) as f32;
            }
        }
        match self.fast() {
            // `lower` is fixed for the loop: one loop for each case.
            Some(mut fast) if fast.lower => {
                each(gains, makeup, |t| fast.step::<true>(t));
                self.finish(fast);
            }
            Some(mut fast) => {
                each(gains, makeup, |t| fast.step::<false>(t));
                self.finish(fast);
            }
            None => each(gains, makeup, |t| self.next(t)),
        }
    }
}

/// [`GainSmoother::next`] without hold, its state held in registers for
/// [`GainSmoother::run`]: the serial heart of the compressor (see
/// [`compressor`](super::compressor)'s docs).
///
/// Arranged so the chain from one frame's state to the next is as short as
/// it can be: y' = α·y + (1 − α)·x, where (1 − α)·x does not depend on y,
/// leaves one multiply and one add on the chain. Both branches are
/// computed, and the one `next` takes is the smaller of the two when
/// k_down ≥ k_up (the larger otherwise), since they differ by
/// (k_down − k_up)(x − y): a one-cycle `minpd`/`maxpd` instead of a compare
/// feeding the multiply (or a mispredicted branch). The denormal flush is a
/// branch that is almost never taken, so it is predicted rather than waited
/// for. The rounding differs from `next`'s y + (1 − α)(x − y) in the last
/// bit or so (and where x ≈ y the other branch may be picked, by as
/// little), so a settled state stays within an ulp of its target rather
/// than on it — but block-wise runs give the same bits as frame by frame.
#[derive(Debug, Clone)]
struct FastSmoother {
    /// The state in both lanes.
    y: F64x2,
    alpha_down: F64x2,
    alpha_up: F64x2,
    k_down: F64x2,
    k_up: F64x2,
    /// k_down ≥ k_up: the falling branch is the lower one.
    lower: bool,
    rose: bool,
}

impl FastSmoother {
    /// One frame towards the static gain `target` (dB); `LOWER` is `lower`.
    #[inline(always)]
    fn step<const LOWER: bool>(&mut self, target: f64) -> f64 {
        // In SIMD registers with `minpd`/`maxpd` intrinsics: plain `if`
        // selects on floats compile to branches on x86-64, and those
        // mispredict whenever the gain turns.
        let [y, _] = self.y.to_array();
        self.rose |= target >= y || target.is_nan();
        let x = F64x2::splat(target).max(F64x2::splat(-1e4));
        let down = self.alpha_down * self.y + self.k_down * x;
        let up = self.alpha_up * self.y + self.k_up * x;
        self.y = if LOWER { down.min(up) } else { down.max(up) };
        let [v, _] = self.y.to_array();
        // `flush`, as a branch the CPU predicts rather than a data dependency.
        if v.abs() < DENORMAL_FLOOR {
            self.y = F64x2::splat(std::hint::black_box(0.0));
        }
        v
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

    /// Feeds one frame's magnitude and returns 2·(mean square): the level is
    /// `level_db(sqrt(that))`, as [`next`](RmsLevel::next) gives it (the
    /// block-wise compressor takes it from here in f32, see
    /// [`rms_level_lanes`](super::rms_level_lanes)).
    #[inline(always)]
    pub fn mean_square(&mut self, magnitude: f64) -> f64 {
        let x2 = (magnitude * magnitude).min(f64::MAX);
        let ms = self.mean_square + (1.0 - self.alpha) * (x2 - self.mean_square);
        // `flush`, as a branch the CPU predicts rather than a data dependency.
        self.mean_square = if ms.abs() < DENORMAL_FLOOR { std::hint::black_box(0.0) } else { ms };
        2.0 * self.mean_square
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
    fn block_runs_match_frame_by_frame() {
        let targets: Vec<f32> =
            (0..3000).map(|i| -12.0 * ((i as f32 * 0.01).sin().abs() + (i % 7) as f32 * 0.1)).collect();
        for (down, up) in [(0.001, 0.02), (0.05, 0.002)] {
            for hold in [0, 5] {
                let mut a = GainSmoother::new();
                a.set_times(down, up, 48_000.0);
                a.hold = hold;
                let mut b = a.clone();
                let singles: Vec<f32> = targets.iter().map(|t| (a.next(*t as f64) + 1.5) as f32).collect();
                let mut c = b.clone();
                let mut blocks = targets.clone();
                blocks.chunks_mut(61).for_each(|chunk| b.run(chunk, |_| 1.5));
                let mut frames = targets.clone();
                frames.chunks_mut(1).for_each(|frame| c.run(frame, |_| 1.5));
                assert_eq!(frames, blocks, "down {down} up {up} hold {hold}");
                assert_eq!(c.value().to_bits(), b.value().to_bits());
                // Without hold the block-wise form rounds differently from `next`, by ulps.
                for (s, f) in singles.iter().zip(&frames) {
                    assert!((s - f).abs() <= 1e-5 * s.abs().max(1.0), "{s} vs {f}");
                }
                assert!((a.value() - b.value()).abs() < 1e-9);
            }
        }
        let mut a = RmsLevel::default();
        a.prepare(48_000.0);
        let mut b = a.clone();
        for t in &targets {
            let m = 10f64.powf(*t as f64 / 20.0);
            assert_eq!(a.next(m), super::super::level_db(b.mean_square(m).sqrt()));
        }
    }

    #[test]
    fn hold_delays_the_fall() {
        let mut s = GainSmoother::new();
        s.hold = 3;
        assert_eq!([s.next(-6.0), s.next(-6.0), s.next(-6.0)], [0.0; 3]);
        assert_eq!(s.next(-6.0), -6.0);
    }
}

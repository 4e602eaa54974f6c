//! Stereo image tools: [`Width`] (mid/side), [`Polarity`] (inversion) and
//! [`Mono`] (sum to mono). Mono input passes through `Width` and `Mono`.
//!
//! M/S follows STANDARDS.md §5: M = (L+R)/2, S = (L−R)/2, L = M+S, R = M−S,
//! width w scales S. The ½ convention (not 1/√2) is chosen so that w = 0
//! gives L = R = (L+R)/2, the same signal `mono()` gives.

use super::gain::Smoother;
use super::{to_output, Processor};

/// Ramp time for automated width.
const RAMP_SECONDS: f64 = 0.02;

/// Flushes denormal input so none leaves a pass-through processor.
fn flush_subnormals(audio: &mut [&mut [f32]]) {
    for x in audio.iter_mut().flat_map(|ch| ch.iter_mut()) {
        *x = flush_one(*x);
    }
}

/// A denormal becomes a zero of the same sign; anything else is unchanged.
#[inline(always)]
fn flush_one(x: f32) -> f32 {
    if x.is_subnormal() {
        0.0f32.copysign(x)
    } else {
        x
    }
}

/// Scales the side signal: 0 mono, 1 unchanged (bit-exact), 2 twice as wide.
#[derive(Clone, Debug)]
pub struct Width {
    amount: f64,
    smoother: Smoother,
    rate: f64,
}

impl Width {
    /// Width `amount` as a fraction (1.0 = 100% = unchanged).
    pub fn new(amount: f64) -> Width {
        Width { amount, smoother: Smoother::new(amount), rate: 0.0 }
    }
}

impl Processor for Width {
    fn prepare(&mut self, rate: f64, _channels: usize, _max_block: usize) {
        self.rate = rate;
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let [left, right] = audio else { return flush_subnormals(audio) };
        if !self.smoother.is_ramping() && self.smoother.current() == 1.0 {
            return flush_subnormals(audio);
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let w = self.smoother.next();
            if w == 1.0 {
                // The identity promise: exact, not merely M + S rounded.
                // Decided per frame, so it does not depend on block lengths.
                *l = flush_one(*l);
                *r = flush_one(*r);
                continue;
            }
            let (x, y) = (*l as f64, *r as f64);
            let mid = (x + y) * 0.5;
            let side = (x - y) * 0.5 * w;
            *l = to_output(mid + side);
            *r = to_output(mid - side);
        }
    }

    fn reset(&mut self) {
        self.smoother.reset(self.amount);
    }

    /// 0 `amount` (fraction).
    fn set_param(&mut self, index: usize, value: f64) {
        if index == 0 && value.is_finite() {
            self.smoother.set_target(value.max(0.0), Smoother::ramp_frames(RAMP_SECONDS, self.rate));
        }
    }
}

/// Inverts the polarity of the chosen channels (a mono input counts as left).
#[derive(Clone, Debug)]
pub struct Polarity {
    left: bool,
    right: bool,
}

impl Polarity {
    /// Inverts the left and/or right channel.
    pub fn new(left: bool, right: bool) -> Polarity {
        Polarity { left, right }
    }
}

impl Processor for Polarity {
    fn prepare(&mut self, _rate: f64, _channels: usize, _max_block: usize) {}

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        flush_subnormals(audio);
        // A mono signal has one polarity: either flag flips it.
        let flips: [bool; 2] = if audio.len() == 1 { [self.left || self.right; 2] } else { [self.left, self.right] };
        for (channel, flip) in audio.iter_mut().zip(flips) {
            if flip {
                channel.iter_mut().for_each(|x| *x = -*x);
            }
        }
    }

    fn reset(&mut self) {}
}

/// Both channels become (L+R)/2.
#[derive(Clone, Debug, Default)]
pub struct Mono;

impl Processor for Mono {
    fn prepare(&mut self, _rate: f64, _channels: usize, _max_block: usize) {}

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let [left, right] = audio else { return flush_subnormals(audio) };
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let m = to_output((*l as f64 + *r as f64) * 0.5);
            *l = m;
            *r = m;
        }
    }

    fn reset(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::tests::{noise, process_blocks};

    fn run(p: &mut dyn Processor, input: &[Vec<f32>]) -> Vec<Vec<f32>> {
        p.prepare(48_000.0, input.len(), 64);
        process_blocks(p, input, &[64])
    }

    #[test]
    fn full_width_is_bit_exact_identity() {
        let input = noise(2, 4096, 7);
        assert_eq!(run(&mut Width::new(1.0), &input), input);
    }

    #[test]
    fn zero_width_is_the_mono_sum_on_both_sides() {
        let input = noise(2, 4096, 8);
        let out = run(&mut Width::new(0.0), &input);
        let mono = run(&mut Mono, &input);
        for i in 0..4096 {
            let m = ((input[0][i] as f64 + input[1][i] as f64) / 2.0) as f32;
            assert_eq!((out[0][i], out[1][i]), (m, m));
            assert_eq!((mono[0][i], mono[1][i]), (m, m));
        }
    }

    #[test]
    fn width_scales_the_side_only() {
        let out = run(&mut Width::new(2.0), &[vec![1.0], vec![0.0]]);
        // M = 0.5, S = 0.5 → 1.0: L = 1.5, R = −0.5.
        assert_eq!((out[0][0], out[1][0]), (1.5, -0.5));
    }

    #[test]
    fn mono_input_passes_through() {
        let input = noise(1, 512, 9);
        assert_eq!(run(&mut Width::new(0.0), &input), input);
        assert_eq!(run(&mut Mono, &input), input);
    }

    #[test]
    fn polarity_flips_the_chosen_sides() {
        let out = run(&mut Polarity::new(false, true), &[vec![0.5], vec![0.25]]);
        assert_eq!((out[0][0], out[1][0]), (0.5, -0.25));
        let mono = run(&mut Polarity::new(false, true), &[vec![0.5]]);
        assert_eq!(mono[0][0], -0.5);
    }
}

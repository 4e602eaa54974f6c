//! Linkwitz–Riley crossovers ([`Crossover`]): one signal split into bands
//! that add up to an all-pass, so untouched bands sum to a flat magnitude.
//!
//! Each split frequency f has a 4th-order Linkwitz–Riley pair: the low-pass is
//! two cascaded 2nd-order Butterworth low-passes (RBJ, Q = 1/√2), the
//! high-pass two Butterworth high-passes. Both are −6.02 dB at f, in phase
//! with each other, and sum to the 2nd-order all-pass at f with Q = 1/√2:
//! (1 + s⁴)/(s² + √2s + 1)² = (s² − √2s + 1)/(s² + √2s + 1). The cookbook
//! designs are bilinear transforms prewarped at f, so the identity holds for
//! the digital filters too: |LP| = 1/(1 + x⁴) and |HP| = x⁴/(1 + x⁴) with
//! x = tan(πf/fs)/tan(πfc/fs).
//!
//! The tree splits from the bottom: the input is cut at the lowest split; the
//! low side is band 0, the high side is cut again at the next split, and so
//! on. Band k has passed the high-passes below it and the low-pass of its own
//! split, but not the splits above it, whose all-pass phase the bands above
//! have picked up. So band k also runs through the all-pass of every split
//! above its own: then every band carries the same phase, and the sum of
//! all bands is the cascade of the splits' all-passes — flat magnitude.

use std::f64::consts::FRAC_1_SQRT_2;

use super::biquad::{BiquadCascade, BiquadSpec, FilterKind};
use super::Processor;

/// Planar audio of one band: one buffer per channel.
pub type Band = Vec<Vec<f32>>;

/// A tree of Linkwitz–Riley crossovers; see the module docs.
#[derive(Clone, Debug)]
pub struct Crossover {
    /// Per split: the low side (two Butterworth low-passes, then the all-passes
    /// of every higher split).
    lows: Vec<BiquadCascade>,
    /// Per split: the high side (two Butterworth high-passes).
    highs: Vec<BiquadCascade>,
}

fn butterworth(kind: FilterKind, freq: f64) -> BiquadSpec {
    BiquadSpec::new(kind, freq).with_q(FRAC_1_SQRT_2)
}

impl Crossover {
    /// Crossovers at `splits` Hz, lowest first (the checker keeps them rising).
    pub fn new(splits: &[f64]) -> Crossover {
        let lows = splits
            .iter()
            .enumerate()
            .map(|(k, &f)| {
                let mut stages = vec![butterworth(FilterKind::Lowpass, f); 2];
                stages.extend(splits[k + 1..].iter().map(|&g| butterworth(FilterKind::Allpass, g)));
                BiquadCascade::new(&stages)
            })
            .collect();
        let highs = splits.iter().map(|&f| BiquadCascade::new(&[butterworth(FilterKind::Highpass, f); 2])).collect();
        Crossover { lows, highs }
    }

    /// Number of bands: one more than the splits.
    pub fn bands(&self) -> usize {
        self.highs.len() + 1
    }

    /// Prepares every filter (see [`Processor::prepare`]).
    pub fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        for f in self.lows.iter_mut().chain(&mut self.highs) {
            f.prepare(rate, channels, max_block);
        }
    }

    /// Back to time zero.
    pub fn reset(&mut self) {
        self.lows.iter_mut().chain(&mut self.highs).for_each(|f| f.reset());
    }

    /// Splits the first `len` frames of the last band, which holds the input,
    /// into every band (lowest first). Does not allocate.
    pub fn split(&mut self, bands: &mut [Band], len: usize) {
        let Some((top, below)) = bands.split_last_mut() else { return };
        for ((band, low), high) in below.iter_mut().zip(&mut self.lows).zip(&mut self.highs) {
            for (dst, src) in band.iter_mut().zip(top.iter()) {
                dst[..len].copy_from_slice(&src[..len]);
            }
            with_slices(band, len, |audio| low.process(audio, None));
            with_slices(top, len, |audio| high.process(audio, None));
        }
    }

    /// The longest ring-out of any band's path, in frames.
    pub fn tail(&self) -> usize {
        let mut above = 0usize;
        let mut longest = 0usize;
        for (low, high) in self.lows.iter().zip(&self.highs) {
            longest = longest.max(above.saturating_add(low.tail()));
            above = above.saturating_add(high.tail());
        }
        longest.max(above)
    }
}

/// Calls `f` with the first `len` frames of every channel of `band` (one or
/// two), as [`Processor::process`] takes them, without allocating.
pub fn with_slices<R>(band: &mut Band, len: usize, f: impl FnOnce(&mut [&mut [f32]]) -> R) -> R {
    match band.as_mut_slice() {
        [l, r] => f(&mut [&mut l[..len], &mut r[..len]]),
        [m] => f(&mut [&mut m[..len]]),
        _ => f(&mut []),
    }
}

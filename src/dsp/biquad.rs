//! Biquad processors: one RBJ cookbook filter ([`Biquad`]) or several in series ([`BiquadCascade`]).
//!
//! The design maths lives in [`super::rbj`] and is re-exported here. The kernel
//! is Direct Form I with state and arithmetic in f64: a 20 Hz high-pass at
//! 48 kHz has poles within 3e-3 of z = 1, where f32 state would add noise and
//! move the corner. Samples stay f32 at the edges.
//!
//! Speed: two channels share one pass, as the two lanes of one SSE2 register,
//! and up to four stages run in one pass with their state in registers (see
//! `biquad_kernel.rs`); with AVX2, two stages share one register, a few
//! frames apart, with the same bits. Longer cascades keep the signal in f64 between
//! groups of stages, in a scratch buffer allocated by `prepare`.

use super::biquad_kernel::{run_group, Frames, History, Mono, Stereo, GROUP};
use super::lanes::F64x2;
pub use super::rbj::{coefficients, BiquadSpec, Coeffs, FilterKind, Shape};
use super::{flush, Processor};

/// Filter state is flushed of near-denormal values every this many frames,
/// counted from time zero, so the result does not depend on block lengths.
/// Between flushes a value at the floor cannot decay into the denormal range.
const FLUSH_PERIOD: u64 = 64;

/// Largest scratch buffer, in frames: long blocks are processed in pieces of
/// this size so the f64 copy (16 bytes a frame) stays in the L1/L2 cache.
const SCRATCH_FRAMES: usize = 1024;

/// One stage: its design (a spec needs the rate, raw coefficients do not).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Design {
    Spec(BiquadSpec),
    Raw(Coeffs),
}

impl Design {
    fn coeffs(&self, rate: f64) -> Coeffs {
        match self {
            Design::Spec(spec) => coefficients(spec, rate),
            Design::Raw(c) => *c,
        }
    }
}

/// Several biquads in series, each channel pair processed in one pass.
///
/// Output equals running the stages one after another, except that the signal
/// stays f64 between stages (only the final output is rounded to f32).
#[derive(Clone, Debug)]
pub struct BiquadCascade {
    designs: Vec<Design>,
    coeffs: Vec<Coeffs>,
    /// Per channel pair, per group of [`GROUP`] stages: the group's input
    /// history, then each stage's output history, each `[z⁻¹, z⁻²]`. A group
    /// keeps its own copy of its input history because the previous group has
    /// already run to the end of the segment when this one starts.
    history: Vec<Vec<History>>,
    scratch: Vec<F64x2>,
    rate: f64,
    frame: u64,
    /// Whether the CPU has AVX2, for the skewed kernel (same bits either way).
    wide: bool,
}

impl BiquadCascade {
    /// A cascade of cookbook filters, first to last.
    pub fn new(specs: &[BiquadSpec]) -> BiquadCascade {
        Self::from_designs(specs.iter().copied().map(Design::Spec).collect())
    }

    /// A cascade of fixed, rate-independent coefficients (e.g. the BS.1770
    /// K-weighting table at 48 kHz).
    pub fn from_coeffs(coeffs: &[Coeffs]) -> BiquadCascade {
        Self::from_designs(coeffs.iter().copied().map(Design::Raw).collect())
    }

    fn from_designs(designs: Vec<Design>) -> BiquadCascade {
        let coeffs = vec![Coeffs::IDENTITY; designs.len()];
        BiquadCascade {
            designs,
            coeffs,
            history: Vec::new(),
            scratch: Vec::new(),
            rate: 0.0,
            frame: 0,
            wide: super::has_avx2(),
        }
    }

    /// The same cascade on the SSE2 kernel even where AVX2 is available (to
    /// compare the kernels).
    #[cfg(test)]
    pub(crate) fn sse_only(mut self) -> BiquadCascade {
        self.wide = false;
        self
    }

    /// Number of stages.
    pub fn len(&self) -> usize {
        self.designs.len()
    }

    /// Whether the cascade has no stages (it then passes audio unchanged,
    /// except that denormals are flushed to zero).
    pub fn is_empty(&self) -> bool {
        self.designs.is_empty()
    }

    /// The coefficients stage `index` runs with (identity before `prepare`).
    pub fn coeffs(&self, index: usize) -> Option<Coeffs> {
        self.coeffs.get(index).copied()
    }

    /// Replaces stage `index` with `spec`, keeping the filter state so the
    /// change is click-free for small moves. Does not allocate. Returns false
    /// when there is no such stage.
    pub fn set_spec(&mut self, index: usize, spec: BiquadSpec) -> bool {
        let Some(design) = self.designs.get_mut(index) else {
            return false;
        };
        *design = Design::Spec(spec);
        self.coeffs[index] = design.coeffs(self.rate);
        true
    }

    /// Runs the cascade over one channel pair. Up to [`GROUP`] stages run
    /// straight on the f32 channels; longer cascades go through the f64
    /// scratch so the signal is rounded to f32 only once, at the end.
    fn run_frames<F: Frames + ?Sized>(&mut self, pair: usize, io: &mut F) {
        let len = io.len();
        if self.coeffs.is_empty() {
            // Still round through `to_output`: no denormal leaves a processor.
            (0..len).for_each(|i| io.set(i, io.get(i)));
        } else if self.coeffs.len() <= GROUP {
            self.run_pair(pair, io, self.frame);
        } else {
            let mut scratch = std::mem::take(&mut self.scratch);
            let size = scratch.len().max(1);
            for start in (0..len).step_by(size) {
                let piece = &mut scratch[..(len - start).min(size)];
                piece.iter_mut().enumerate().for_each(|(i, v)| *v = io.get(start + i));
                self.run_pair(pair, piece, self.frame + start as u64);
                piece.iter().enumerate().for_each(|(i, v)| io.set(start + i, *v));
            }
            self.scratch = scratch;
        }
    }

    /// Runs every stage over `frames`, whose first frame is `frame` frames
    /// from time zero. Cuts the work at absolute multiples of [`FLUSH_PERIOD`]
    /// to flush the state there, whatever the block boundaries.
    fn run_pair<F: Frames + ?Sized>(&mut self, pair: usize, frames: &mut F, mut frame: u64) {
        let len = frames.len();
        let history = &mut self.history[pair];
        let mut start = 0;
        while start < len {
            let to_flush = FLUSH_PERIOD - frame % FLUSH_PERIOD;
            let end = len.min(start + to_flush as usize);
            for (g, coeffs) in self.coeffs.chunks(GROUP).enumerate() {
                let first = g * (GROUP + 1);
                let hist = &mut history[first..=first + coeffs.len()];
                run_group(self.wide, coeffs, hist, frames, start, end);
            }
            frame += (end - start) as u64;
            if frame % FLUSH_PERIOD == 0 {
                flush_history(history);
            }
            start = end;
        }
    }
}

fn flush_history(history: &mut [History]) {
    for v in history.iter_mut().flatten() {
        *v = v.map(flush);
    }
}

impl Processor for BiquadCascade {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        self.rate = rate;
        self.coeffs = self.designs.iter().map(|d| d.coeffs(rate)).collect();
        let pairs = channels.div_ceil(2);
        let groups = self.designs.len().div_ceil(GROUP);
        let zero = [F64x2::zero(); 2];
        self.history = vec![vec![zero; self.designs.len() + groups]; pairs];
        self.scratch = vec![F64x2::zero(); max_block.clamp(1, SCRATCH_FRAMES)];
        self.frame = 0;
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        for (pair, chans) in audio.chunks_mut(2).enumerate().take(self.history.len()) {
            match chans {
                [l, r] => self.run_frames(pair, &mut Stereo { l, r }),
                [m] => self.run_frames(pair, &mut Mono(m)),
                _ => {}
            }
        }
        self.frame += frames as u64;
    }

    fn reset(&mut self) {
        for v in self.history.iter_mut().flatten() {
            *v = [F64x2::zero(); 2];
        }
        self.frame = 0;
    }

    fn tail(&self) -> usize {
        self.coeffs.iter().fold(0usize, |t, c| t.saturating_add(c.tail_frames()))
    }
}

/// One cookbook filter: a [`BiquadCascade`] of one stage.
#[derive(Clone, Debug)]
pub struct Biquad {
    inner: BiquadCascade,
    spec: BiquadSpec,
}

impl Biquad {
    /// The filter `spec`; coefficients are computed by `prepare`.
    pub fn new(spec: BiquadSpec) -> Biquad {
        Biquad { inner: BiquadCascade::new(&[spec]), spec }
    }

    /// The current design.
    pub fn spec(&self) -> BiquadSpec {
        self.spec
    }

    /// The coefficients in use (identity before `prepare`).
    pub fn coeffs(&self) -> Coeffs {
        self.inner.coeffs(0).unwrap_or(Coeffs::IDENTITY)
    }

    /// Changes the design, keeping the state; does not allocate.
    pub fn set_spec(&mut self, spec: BiquadSpec) {
        self.spec = spec;
        self.inner.set_spec(0, spec);
    }
}

impl Processor for Biquad {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        self.inner.prepare(rate, channels, max_block);
    }

    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        self.inner.process(audio, key);
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn tail(&self) -> usize {
        self.inner.tail()
    }

    /// Parameters in the registry's order: pass filters `(freq, q)`, `peak`
    /// `(freq, gain, q)`, shelves `(freq, gain, slope, q)`. The render calls
    /// this every `CONTROL_INTERVAL` frames along the automation curve, so the
    /// coefficients follow the curve in 32-frame steps (control-rate
    /// smoothing; a DF-I filter tolerates such small steps without clicks).
    fn set_param(&mut self, index: usize, value: f64) {
        let mut spec = self.spec;
        let shelf = spec.kind.is_shelf();
        match (index, spec.kind.uses_gain(), shelf) {
            (0, _, _) => spec.freq = value,
            (1, true, _) => spec.gain_db = value,
            (1, false, _) | (2, true, false) | (3, true, true) => spec.shape = Shape::Q(value),
            (2, true, true) => spec.shape = Shape::Slope(value),
            _ => return,
        }
        if spec != self.spec {
            self.set_spec(spec);
        }
    }
}

#[cfg(test)]
mod tests;

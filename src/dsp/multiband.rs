//! The multiband compressor ([`Multiband`]): a [`Crossover`] splits the
//! signal into bands, each band runs through its own compressor
//! ([`Dynamics`]), and the bands are summed again.
//!
//! With every band at ratio 1 and no make-up the output is the crossover's
//! all-pass: flat magnitude. A band's compressor sees only its band, so a
//! loud kick pulls down the low band and leaves the vocal's band alone.
//! Each compressor links its channels (the louder one drives the gain).

use super::crossover::{with_slices, Band, Crossover};
use super::dynamics::compressor::{Dynamics, DynamicsSpec, Field};
use super::{to_output, Processor};

/// Frames processed in one pass through the bands: longer host blocks are
/// cut into pieces of this size, so the band buffers stay small.
const CHUNK: usize = 1024;

/// Settings of a [`Multiband`]: split frequencies and one compressor a band.
#[derive(Clone, Debug, PartialEq)]
pub struct MultibandSpec {
    /// Crossover frequencies in Hz, rising.
    pub splits: Vec<f64>,
    /// One compressor a band, lowest band first: `splits.len() + 1` of them.
    pub bands: Vec<DynamicsSpec>,
}

/// A multiband compressor; see the module docs.
#[derive(Clone, Debug)]
pub struct Multiband {
    crossover: Crossover,
    compressors: Vec<Dynamics>,
    buffers: Vec<Band>,
}

impl Multiband {
    /// A multiband compressor. `fields` maps `set_param` indices to the
    /// compressor settings they move (in every band at once).
    pub fn new(spec: &MultibandSpec, fields: &'static [Field]) -> Multiband {
        let crossover = Crossover::new(&spec.splits);
        let mut compressors: Vec<Dynamics> = spec.bands.iter().map(|b| Dynamics::new(*b, fields)).collect();
        // A spec with too few bands gets transparent ones (ratio 1), never a missing band.
        let spare = DynamicsSpec { makeup: Some(0.0), ..DynamicsSpec::compressor(0.0, 1.0, 0.01, 0.1) };
        compressors.resize_with(crossover.bands(), || Dynamics::new(spare, fields));
        compressors.truncate(crossover.bands());
        Multiband { crossover, compressors, buffers: Vec::new() }
    }

    /// Splits, compresses and sums one piece of at most [`CHUNK`] frames.
    fn piece(&mut self, audio: &mut [&mut [f32]], start: usize, len: usize) {
        let Some(input) = self.buffers.last_mut() else { return };
        for (dst, src) in input.iter_mut().zip(audio.iter()) {
            dst[..len].copy_from_slice(&src[start..start + len]);
        }
        self.crossover.split(&mut self.buffers, len);
        for (band, compressor) in self.buffers.iter_mut().zip(&mut self.compressors) {
            with_slices(band, len, |band| compressor.process(band, None));
        }
        for (c, channel) in audio.iter_mut().enumerate() {
            for (i, out) in channel[start..start + len].iter_mut().enumerate() {
                // Summed in band order, in f64: the same bits for any block length.
                let sum: f64 = self.buffers.iter().map(|band| band[c][i] as f64).sum();
                *out = to_output(sum);
            }
        }
    }
}

impl Processor for Multiband {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        let chunk = max_block.clamp(1, CHUNK);
        self.crossover.prepare(rate, channels, chunk);
        self.compressors.iter_mut().for_each(|c| c.prepare(rate, channels, chunk));
        self.buffers = vec![vec![vec![0.0; chunk]; channels]; self.crossover.bands()];
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let chunk = self.buffers.first().and_then(|b| b.first()).map_or(0, Vec::len);
        if chunk == 0 || audio.len() > self.buffers[0].len() {
            return;
        }
        super::in_pieces(frames, chunk, |start, len| self.piece(audio, start, len));
    }

    fn reset(&mut self) {
        self.crossover.reset();
        self.compressors.iter_mut().for_each(Processor::reset);
    }

    fn tail(&self) -> usize {
        self.crossover.tail()
    }

    /// Moves a compressor setting of every band at once (see `fields` in [`Multiband::new`]).
    fn set_param(&mut self, index: usize, value: f64) {
        self.compressors.iter_mut().for_each(|c| c.set_param(index, value));
    }
}

#[cfg(test)]
mod tests;

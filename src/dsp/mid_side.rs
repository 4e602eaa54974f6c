//! Running a processor on the mid or the side signal only ([`MidSide`]).
//!
//! M = (L+R)/2 and S = (L−R)/2, back as L = M+S and R = M−S (the convention
//! of [`Width`](super::stereo::Width), STANDARDS.md §5). One part goes through
//! the inner processor as a mono signal; the other is kept in f64, exactly,
//! and delayed by the inner processor's latency so both parts stay aligned.
//! So a side-only filter leaves a mono-compatible signal (L = R, S = 0)
//! bit-identical, and a mid-only one leaves pure side content alone.
//!
//! A mono signal is all mid: `mid` processes it, `side` passes it through.

use super::delay_line::DelayLine;
use super::{to_output, Processor};

/// Frames processed in one pass: longer host blocks are cut into pieces.
const CHUNK: usize = 1024;

/// Which part of a stereo signal is processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Mid,
    Side,
}

/// `inner` on one part of the signal; see the module docs.
pub struct MidSide {
    inner: Box<dyn Processor>,
    part: Part,
    /// The processed part, one piece at a time.
    processed: Vec<f32>,
    /// The untouched part of the same piece, already delayed.
    kept: Vec<f64>,
    delay: DelayLine,
    latency: usize,
}

impl MidSide {
    /// `inner` applied to `part` only.
    pub fn new(inner: Box<dyn Processor>, part: Part) -> MidSide {
        MidSide { inner, part, processed: Vec::new(), kept: Vec::new(), delay: DelayLine::default(), latency: 0 }
    }

    /// One piece of at most [`CHUNK`] frames, starting at `start`.
    fn piece(&mut self, audio: &mut [&mut [f32]], start: usize, len: usize) {
        let stereo = audio.len() == 2;
        for i in 0..len {
            let l = audio[0][start + i] as f64;
            let r = if stereo { audio[1][start + i] as f64 } else { l };
            let (mid, side) = ((l + r) * 0.5, (l - r) * 0.5);
            let (chosen, other) = match self.part {
                Part::Mid => (mid, side),
                Part::Side => (side, mid),
            };
            self.processed[i] = chosen as f32;
            self.delay.write(other);
            self.kept[i] = self.delay.read(self.latency);
        }
        self.inner.process(&mut [&mut self.processed[..len]], None);
        for i in 0..len {
            let (done, kept) = (self.processed[i] as f64, self.kept[i]);
            let (mid, side) = match self.part {
                Part::Mid => (done, kept),
                Part::Side => (kept, done),
            };
            // Mono: `side` is zero (kept, or the inner processor's reply to silence).
            audio[0][start + i] = to_output(mid + side);
            if stereo {
                audio[1][start + i] = to_output(mid - side);
            }
        }
    }
}

impl Processor for MidSide {
    fn prepare(&mut self, rate: f64, _channels: usize, max_block: usize) {
        let chunk = max_block.clamp(1, CHUNK);
        self.inner.prepare(rate, 1, chunk);
        self.latency = self.inner.latency();
        self.delay = DelayLine::new(self.latency);
        self.processed = vec![0.0; chunk];
        self.kept = vec![0.0; chunk];
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let chunk = self.processed.len();
        if chunk == 0 || !(1..=2).contains(&audio.len()) {
            return;
        }
        super::in_pieces(frames, chunk, |start, len| self.piece(audio, start, len));
    }

    fn reset(&mut self) {
        self.inner.reset();
        self.delay.clear();
    }

    fn latency(&self) -> usize {
        self.latency
    }

    fn tail(&self) -> usize {
        self.inner.tail()
    }

    fn set_param(&mut self, index: usize, value: f64) {
        self.inner.set_param(index, value);
    }
}

#[cfg(test)]
mod tests;

//! Sample-rate conversion (stub: to be replaced).

use std::path::Path;

use super::decode::Decoder;
use super::AudioError;

/// A source file delivered at the session rate.
pub struct SourceStream {
    decoder: Decoder,
}

impl SourceStream {
    pub fn open(path: &Path, _rate: u32) -> Result<Self, AudioError> {
        Ok(SourceStream { decoder: Decoder::open(path)? })
    }

    pub fn channels(&self) -> usize {
        self.decoder.info().channels
    }

    /// Total frames at the session rate, when known.
    pub fn frames(&self) -> Option<u64> {
        self.decoder.info().frames
    }

    /// Fills `out` completely unless the stream ends; returns frames written, 0 at the end.
    pub fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        self.decoder.read(out)
    }
}

/// Streaming conversion of a rendered signal to another rate (exports).
pub struct StreamResampler {
    channels: usize,
}

impl StreamResampler {
    pub fn new(channels: usize, _from: u32, _to: u32) -> Result<Self, String> {
        Ok(StreamResampler { channels })
    }

    /// Converts `input` (one slice per channel) and appends the result to `output`.
    pub fn process(&mut self, input: &[&[f32]], output: &mut [Vec<f32>]) -> Result<(), String> {
        for (o, i) in output.iter_mut().zip(input).take(self.channels) {
            o.extend_from_slice(i);
        }
        Ok(())
    }

    /// Flushes what is left, so the total output is round(n · to / from) frames.
    pub fn finish(&mut self, _output: &mut [Vec<f32>]) -> Result<(), String> {
        Ok(())
    }
}

//! Decoding source files to planar f32 (stub: to be replaced).

use std::path::Path;

use super::AudioError;

/// What a source file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    pub channels: usize,
    pub rate: u32,
    /// Length in frames at `rate`, when the container says.
    pub frames: Option<u64>,
    pub bits_per_sample: Option<u32>,
    /// Codec name for messages, e.g. `"pcm_s24le"`, `"flac"`.
    pub codec: String,
}

/// Reads the header of `path`: channels, rate, length.
pub fn probe(path: &Path) -> Result<SourceInfo, AudioError> {
    Err(AudioError::Open { path: path.into(), reason: "decoder not built".into() })
}

/// A streaming decoder yielding planar f32 at the file's own rate.
pub struct Decoder {
    info: SourceInfo,
}

impl Decoder {
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        probe(path).map(|info| Decoder { info })
    }

    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Reads up to `out[0].len()` frames into `out` (one slice per channel of the
    /// file); returns the frames written, 0 at the end of the stream.
    pub fn read(&mut self, _out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        Ok(0)
    }
}

//! Writing audio files (stub: to be replaced).

use std::path::Path;

use super::AudioError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    I16,
    I24,
    F32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    None,
    Tpdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Wav,
    Flac,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodeSpec {
    pub rate: u32,
    pub channels: usize,
    pub format: SampleFormat,
    pub dither: Dither,
    pub container: Container,
    /// Seed of the dither noise, so renders are reproducible.
    pub seed: u64,
}

/// Writes an audio file through a temporary file renamed on `finish`.
pub struct AudioWriter {
    _spec: EncodeSpec,
}

impl AudioWriter {
    pub fn create(path: &Path, spec: EncodeSpec) -> Result<Self, AudioError> {
        let _ = path;
        Ok(AudioWriter { _spec: spec })
    }

    /// Appends frames: one slice per channel, all the same length.
    pub fn write(&mut self, _planar: &[&[f32]]) -> Result<(), AudioError> {
        Ok(())
    }

    /// Completes the file and moves it into place.
    pub fn finish(self) -> Result<(), AudioError> {
        Ok(())
    }
}

//! Audio in: decoding every source format to planar f32, and sample-rate
//! conversion (used by sources here and by exports in `deliver`); the
//! [`AudioError`] both sides report.
//!
//! The earliest audio module: the checker opens sources, the renderer streams
//! them, and delivery resamples and reads back through it.

mod converter;
pub mod decode;
mod pcm24;
mod polyphase;
pub mod resample;
mod symph;
mod wav;

#[cfg(test)]
pub(crate) mod tests;

use std::path::PathBuf;

/// Audio that could not be read or written: which file, and why.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("cannot open `{path}`: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("cannot decode `{path}`: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("`{path}` has {channels} channels; mixc reads mono and stereo sources")]
    Channels { path: PathBuf, channels: usize },
    #[error("cannot write `{path}`: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("cannot resample `{path}`: {reason}")]
    Resample { path: PathBuf, reason: String },
}

/// A decoded sample as the renderer takes it: NaN and ±infinity (a damaged
/// float file, or an f64 beyond the f32 range) read as silence, so one bad
/// sample cannot poison a filter's state for the rest of the song.
#[inline(always)]
fn finite(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

//! Audio in and out: decoding, resampling, encoding, loudness.

mod converter;
pub mod decode;
pub mod encode;
mod flac;
mod flac_bits;
mod flac_frame;
mod flac_lpc;
mod flac_rice;
mod flac_tags;
pub mod noise_shape;
mod pcm24;
mod polyphase;
pub mod quantize;
pub mod resample;
mod symph;
pub mod tags;
mod wav;
mod wav_sink;
mod wav_tags;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_dither;
#[cfg(test)]
mod tests_flac;
#[cfg(test)]
mod tests_resample;
#[cfg(test)]
mod tests_tags;
#[cfg(test)]
mod tests_tags_tools;
#[cfg(test)]
mod tests_tags_wav;
#[cfg(test)]
mod tests_write;

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

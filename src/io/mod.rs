//! Audio in: decoding every source format to planar f32, and sample-rate
//! conversion (used by sources here and by exports in `deliver`); the
//! [`AudioError`] both sides report.
//!
//! The earliest audio module: the checker opens sources, the renderer streams
//! them, and delivery resamples and reads back through it.

pub mod conceal;
mod contain;
mod converter;
pub mod decode;
mod opus;
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

/// The largest sample magnitude a source may hold: +60 dBFS. Float files
/// legitimately go over full scale (a mix bounced hot), but by nothing like
/// a thousandfold; a value past this is damage or garbage, not audio.
pub const MAX_SAMPLE: f32 = 1_000.0;

/// A place in a file for messages: `1:02.500 (frame 3000000)`.
pub fn position(frame: u64, rate: u32) -> String {
    let seconds = frame as f64 / f64::from(rate.max(1));
    let minutes = (seconds / 60.0).floor();
    format!("{}:{:06.3} (frame {frame})", minutes as u64, seconds - minutes * 60.0)
}

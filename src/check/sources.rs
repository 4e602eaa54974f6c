//! Opening every source file at check time, so a missing or unreadable file
//! is a diagnostic on its `source = "..."` line, not a failure mid-render.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::io::decode::{probe, Decoder, SourceInfo};
use crate::io::AudioError;
use crate::source::Span;

use super::ctx::Ctx;

/// A source file that opened, with what it holds.
#[derive(Debug, Clone)]
pub struct Probed {
    pub path: PathBuf,
    pub info: SourceInfo,
}

/// Opens `written` (relative to `base`) and reads its header (accepting
/// damage there when `conceal`).
pub fn open(ctx: &mut Ctx, base: &Path, written: &str, span: Span, conceal: bool) -> Option<Probed> {
    let path = base.join(written);
    if !path.exists() {
        let reason = "no such file".to_string();
        ctx.error(Diagnostic::new(ErrorKind::MissingSource { path: written.into(), reason }, span));
        return None;
    }
    match probe(&path, conceal) {
        Ok(info) if info.channels == 0 || info.channels > 2 => {
            let kind = ErrorKind::TooManyChannels { path: written.into(), channels: info.channels };
            ctx.error(Diagnostic::new(kind, span));
            None
        }
        Ok(info) => Some(Probed { path, info }),
        Err(AudioError::Channels { channels, .. }) => {
            ctx.error(Diagnostic::new(ErrorKind::TooManyChannels { path: written.into(), channels }, span));
            None
        }
        Err(e) => {
            let reason = reason(&e);
            ctx.error(Diagnostic::new(ErrorKind::UnreadableSource { path: written.into(), reason }, span));
            None
        }
    }
}

/// The "why" of an audio error, without the path (the diagnostic shows it).
fn reason(e: &AudioError) -> String {
    match e {
        AudioError::Open { reason, .. }
        | AudioError::Decode { reason, .. }
        | AudioError::Write { reason, .. }
        | AudioError::Resample { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The render rate when the song does not set one: the sources' rate when
/// they agree, else the highest of them (nothing is lost by going up), else 48 kHz.
pub fn default_rate(probed: &[&Probed]) -> u32 {
    probed.iter().map(|p| p.info.rate).max().unwrap_or(48_000)
}

/// Length of a source at the session rate: round(n · rate / source rate), as
/// the resampler delivers it.
pub fn frames_at(info: &SourceInfo, rate: u32) -> Option<u64> {
    let n = info.frames?;
    if info.rate == rate {
        return Some(n);
    }
    Some(((n as u128 * rate as u128 + info.rate as u128 / 2) / info.rate as u128) as u64)
}

/// Counts a file's frames by decoding it, for containers that do not say.
pub fn count_frames(path: &Path, channels: usize, conceal: bool) -> Result<u64, AudioError> {
    let mut decoder = Decoder::open_with(path, conceal)?;
    let mut bufs = vec![vec![0.0f32; 8192]; channels];
    let mut total = 0u64;
    loop {
        let mut slices: Vec<&mut [f32]> = bufs.iter_mut().map(|b| b.as_mut_slice()).collect();
        let n = decoder.read(&mut slices)?;
        if n == 0 {
            return Ok(total);
        }
        total += n as u64;
    }
}

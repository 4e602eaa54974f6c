//! The general decode path through symphonia: FLAC, MP3, OGG/Vorbis, AIFF and
//! any WAV the fast path does not handle.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::{AudioBuffer, Signal};
use symphonia::core::codecs::{self, DecoderOptions, CODEC_TYPE_NULL, CODEC_TYPE_VORBIS};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::decode::SourceInfo;
use super::AudioError;

/// A demuxer + decoder pair with the part of the last packet not yet handed out.
pub(super) struct SymReader {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn codecs::Decoder>,
    track_id: u32,
    pending: Option<AudioBuffer<f32>>,
    pos: usize,
    done: bool,
    /// Frames still allowed out, when the stream's exact length is known.
    left: Option<u64>,
    path: PathBuf,
}

fn open_err(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Open { path: path.into(), reason: reason.into() }
}

fn decode_err(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Decode { path: path.into(), reason: reason.into() }
}

fn codec_name(codec: codecs::CodecType) -> String {
    match symphonia::default::get_codecs().get_codec(codec) {
        Some(d) => d.short_name.to_string(),
        None => format!("{codec}"),
    }
}

/// Opens `file` and returns the reader plus what its header says. Channels are
/// taken from the first decoded packet when the container does not state them.
pub(super) fn open(file: File, path: &Path) -> Result<(SymReader, SourceInfo), AudioError> {
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    // Gapless: the demuxer trims MP3/AAC encoder delay and padding, so lengths
    // match the original audio rather than the codec's frame grid.
    let fmt_opts = FormatOptions { enable_gapless: true, ..Default::default() };
    let probed = symphonia::default::get_probe().format(&hint, mss, &fmt_opts, &MetadataOptions::default()).map_err(
        |e| match e {
            SymError::IoError(e) => open_err(path, format!("read error: {e}")),
            _ => open_err(path, "not an audio file (no known audio format matches its contents)"),
        },
    )?;
    let format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| open_err(path, "the file holds no audio track"))?;
    let params = track.codec_params.clone();
    let track_id = track.id;
    let codec = codec_name(params.codec);
    let decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|_| open_err(path, format!("unsupported codec `{codec}`")))?;
    let mut reader = SymReader {
        format,
        decoder,
        track_id,
        pending: None,
        pos: 0,
        done: false,
        // Ogg granule positions give Vorbis's exact length, but symphonia 0.5
        // does not trim the last packet's padding (a 0.25 s fixture decodes
        // 111 frames long), so we stop there ourselves. Not for MP3: without a
        // Xing/Info tag its length is only an estimate from the bitrate.
        left: if params.codec == CODEC_TYPE_VORBIS { params.n_frames } else { None },
        path: path.into(),
    };
    let mut info = SourceInfo {
        channels: params.channels.map(|c| c.count()).unwrap_or(0),
        rate: params.sample_rate.unwrap_or(0),
        frames: params.n_frames,
        bits_per_sample: params.bits_per_sample,
        codec,
    };
    if info.channels == 0 || info.rate == 0 {
        reader.fill()?;
        if let Some(buf) = &reader.pending {
            info.channels = buf.spec().channels.count();
            info.rate = buf.spec().rate;
        }
    }
    if info.channels == 0 || info.rate == 0 {
        return Err(decode_err(path, "the file holds no decodable audio"));
    }
    Ok((reader, info))
}

impl SymReader {
    /// Decodes the next packet of our track into `pending`; at the end sets `done`.
    fn fill(&mut self) -> Result<(), AudioError> {
        while !self.done {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                // End of stream (or a truncated file: keep what decoded).
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.done = true;
                    return Ok(());
                }
                // A chained OGG stream changes its parameters: mixc reads the first.
                Err(SymError::ResetRequired) => {
                    self.done = true;
                    return Ok(());
                }
                Err(e) => return Err(decode_err(&self.path, e.to_string())),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            match self.decoder.decode(&packet) {
                Ok(decoded) => {
                    if decoded.frames() == 0 {
                        continue;
                    }
                    let buf = self.pending.get_or_insert_with(|| decoded.make_equivalent());
                    if buf.capacity() < decoded.capacity() || buf.spec() != decoded.spec() {
                        *buf = decoded.make_equivalent();
                    }
                    decoded.convert(buf);
                    self.pos = 0;
                    return Ok(());
                }
                // A damaged packet is skipped, as players do; the rest still decodes.
                Err(SymError::DecodeError(_)) => continue,
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.done = true;
                    return Ok(());
                }
                Err(e) => return Err(decode_err(&self.path, e.to_string())),
            }
        }
        Ok(())
    }

    /// Reads up to `out[0].len()` frames; 0 at the end.
    pub(super) fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let want = out.iter().map(|o| o.len()).min().unwrap_or(0);
        if want == 0 {
            return Ok(0);
        }
        loop {
            if let Some(buf) = &self.pending {
                let avail = buf.frames().saturating_sub(self.pos);
                let avail = self.left.map_or(avail, |l| avail.min(l.min(usize::MAX as u64) as usize));
                if avail > 0 {
                    let n = avail.min(want);
                    if let Some(l) = &mut self.left {
                        *l -= n as u64;
                    }
                    let channels = buf.spec().channels.count().min(out.len());
                    for (c, o) in out.iter_mut().enumerate().take(channels) {
                        for (o, x) in o[..n].iter_mut().zip(&buf.chan(c)[self.pos..self.pos + n]) {
                            *o = super::finite(*x);
                        }
                    }
                    self.pos += n;
                    return Ok(n);
                }
            }
            if self.done || self.left == Some(0) {
                return Ok(0);
            }
            self.pos = 0;
            if let Some(buf) = &mut self.pending {
                buf.clear();
            }
            self.fill()?;
        }
    }
}

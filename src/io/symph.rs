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
    /// The length the header promises, where it is exact (not MP3's
    /// estimate): a stream that ends short of it is truncated.
    promised: Option<u64>,
    /// Frames decoded so far.
    decoded: u64,
    /// FLAC packets carry their first frame's number: a jump is a gap.
    is_flac: bool,
    rate: u32,
    path: PathBuf,
    /// `on_error = conceal`: damaged audio becomes silence of its length.
    conceal: bool,
    /// Frames of silence still to hand out before the pending packet.
    pad: u64,
    pub concealed: super::conceal::Concealed,
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

/// What random bytes (or another kind of file) under an audio name are.
fn not_audio(path: &Path) -> String {
    let kind = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("wav" | "wave") => "a WAV file (no `RIFF`/`WAVE` header)",
        Some("flac") => "a FLAC file (no `fLaC` marker)",
        Some("mp3") => "an MP3 file (no MPEG audio frames)",
        Some("ogg" | "oga") => "an Ogg file (no `OggS` page)",
        Some("opus") => "an Ogg Opus file (no `OggS` page with an `OpusHead`)",
        Some("aif" | "aiff" | "aifc") => "an AIFF file (no `FORM` header)",
        _ => "an audio file (no known audio format matches its contents)",
    };
    format!("not {kind}")
}

/// The length the header promises, where it is exact.
///
/// Not MP1/2/3: their length is exact only with a Xing/Info tag, which
/// symphonia does not report apart from its estimate, so a short MP3 stream
/// is not called truncated. AIFF: symphonia 0.5 counts the `SSND` chunk's
/// 8-byte offset/block-size prefix as audio, promising 8 bytes of frames
/// more than the `COMM` chunk says (checked against `soxi`); taken off here.
fn promised_length(path: &Path, params: &codecs::CodecParameters) -> Option<u64> {
    let mpeg = [codecs::CODEC_TYPE_MP1, codecs::CODEC_TYPE_MP2, codecs::CODEC_TYPE_MP3];
    if mpeg.contains(&params.codec) {
        return None;
    }
    let frames = params.n_frames?;
    let mut magic = [0u8; 4];
    let is_aiff =
        File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok() && &magic == b"FORM";
    let frame_bytes =
        u64::from(params.bits_per_sample.unwrap_or(0).div_ceil(8)) * params.channels.map_or(0, |c| c.count() as u64);
    if is_aiff && frame_bytes > 0 {
        return Some(frames.saturating_sub(8 / frame_bytes));
    }
    Some(frames)
}

/// Opens `file` and returns the reader plus what its header says. Channels are
/// taken from the first decoded packet when the container does not state them.
pub(super) fn open(file: File, path: &Path, conceal: bool) -> Result<(SymReader, SourceInfo), AudioError> {
    super::contain::contain(|| open_uncontained(file, path, conceal))
        .unwrap_or_else(|why| Err(decoder_failed(path, 0, 0, &why)))
}

/// The decoder library gave up by panicking: the file is damaged in a way it does not expect.
fn decoder_failed(path: &Path, frame: u64, rate: u32, why: &str) -> AudioError {
    let at = if frame == 0 { "in its header".to_string() } else { format!("at {}", super::position(frame, rate)) };
    decode_err(path, format!("damaged audio {at}: the decoder cannot read it ({why})"))
}

fn open_uncontained(file: File, path: &Path, conceal: bool) -> Result<(SymReader, SourceInfo), AudioError> {
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
            SymError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                open_err(path, "truncated: the file ends inside its header")
            }
            SymError::IoError(e) => open_err(path, format!("read error: {e}")),
            // A format reader took the file, then refused its header.
            SymError::DecodeError(why) => open_err(path, format!("damaged header: {why}")),
            SymError::Unsupported(why) if !why.contains("no suitable format reader") => {
                open_err(path, format!("unsupported: {why}"))
            }
            _ => open_err(path, not_audio(path)),
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
        promised: promised_length(path, &params),
        is_flac: params.codec == codecs::CODEC_TYPE_FLAC,
        decoded: 0,
        rate: params.sample_rate.unwrap_or(0),
        path: path.into(),
        conceal,
        pad: 0,
        concealed: Default::default(),
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
            reader.rate = info.rate;
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
        match super::contain::contain(|| self.fill_uncontained()) {
            Ok(result) => result,
            Err(why) => {
                // The demuxer's state is unknown after a panic: read no further.
                self.done = true;
                self.pending = None;
                Err(decoder_failed(&self.path, self.decoded.max(1), self.rate, &why))
            }
        }
    }

    fn fill_uncontained(&mut self) -> Result<(), AudioError> {
        while !self.done {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                // The end of the stream, or of a truncated file.
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return self.end();
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
            if self.is_flac && packet.ts() > self.decoded {
                // The demuxer skipped frames it could not read (a damaged
                // frame header or CRC) and resynchronised after them.
                let at = super::position(self.decoded, self.rate);
                let missing = packet.ts() - self.decoded;
                if self.conceal {
                    self.concealed.gap(self.decoded, missing, "a FLAC frame is corrupt");
                    self.pad += missing;
                    self.decoded += missing;
                } else {
                    return Err(decode_err(
                        &self.path,
                        format!("damaged audio at {at}: {missing} frames cannot be read (a FLAC frame is corrupt)"),
                    ));
                }
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
                    self.decoded += decoded.frames() as u64;
                    self.pos = 0;
                    return Ok(());
                }
                // Players skip a damaged packet; a mastering tool must not
                // conceal it: the gap would reach the record unheard.
                Err(SymError::DecodeError(why)) if self.conceal => {
                    let frames = packet.dur();
                    self.concealed.gap(self.decoded, frames, why);
                    self.pad += frames;
                    self.decoded += frames;
                    if let Some(buf) = &mut self.pending {
                        buf.clear();
                    }
                    return Ok(());
                }
                Err(SymError::DecodeError(why)) => {
                    let at = super::position(self.decoded, self.rate);
                    return Err(decode_err(&self.path, format!("damaged audio at {at}: {why}")));
                }
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    return self.end();
                }
                Err(e) => return Err(decode_err(&self.path, e.to_string())),
            }
        }
        Ok(())
    }

    /// The stream ended: an error when the header promised more.
    fn end(&mut self) -> Result<(), AudioError> {
        self.done = true;
        match self.promised {
            Some(promised) if self.decoded < promised && self.conceal => {
                let missing = promised - self.decoded;
                let why = format!("the file is truncated: {missing} frames are missing");
                self.concealed.gap(self.decoded, missing, why);
                self.pad += missing;
                self.decoded = promised;
                Ok(())
            }
            Some(promised) if self.decoded < promised => {
                let at = super::position(self.decoded, self.rate);
                let missing = (promised - self.decoded) as f64 / f64::from(self.rate.max(1));
                Err(decode_err(
                    &self.path,
                    format!(
                        "truncated: the audio stops at {at}, but the header promises {promised} frames \
                         ({missing:.3} s more)"
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Reads up to `out[0].len()` frames; 0 at the end.
    pub(super) fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let want = out.iter().map(|o| o.len()).min().unwrap_or(0);
        if want == 0 {
            return Ok(0);
        }
        loop {
            if self.pad > 0 {
                // Silence in place of damaged audio, before the next packet.
                let n = (self.pad.min(want as u64)) as usize;
                let n = self.left.map_or(n, |l| n.min(l.min(usize::MAX as u64) as usize));
                if n > 0 {
                    out.iter_mut().for_each(|o| o[..n].fill(0.0));
                    self.pad -= n as u64;
                    if let Some(l) = &mut self.left {
                        *l -= n as u64;
                    }
                    return Ok(n);
                }
                self.pad = 0;
            }
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
                        o[..n].copy_from_slice(&buf.chan(c)[self.pos..self.pos + n]);
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

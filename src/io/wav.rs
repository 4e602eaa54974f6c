//! Fast path for RIFF/WAVE PCM and float files: a small header parser and a bulk
//! byte → planar f32 conversion.
//!
//! Why not symphonia here: the bench (`/work/shared/bench/README.md`) measured
//! 1.6 s for symphonia's generic decode path on the 16-track session against
//! ≈0.3 s for a bulk conversion loop, and the render budget at 300× real time is
//! 0.6 s in total. WAV is what stems are delivered in, so it gets a path that
//! reads large blocks and converts them with one tight loop per sample format.
//! Anything this parser does not recognise falls back to symphonia.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::AudioError;

/// `WAVE_FORMAT_PCM`, `WAVE_FORMAT_IEEE_FLOAT`, `WAVE_FORMAT_EXTENSIBLE`.
const FMT_PCM: u16 = 1;
const FMT_FLOAT: u16 = 3;
const FMT_EXTENSIBLE: u16 = 0xFFFE;

/// Bytes read per block: large enough that syscalls and loop set-up vanish.
const READ_BLOCK_BYTES: usize = 1 << 16;

/// How samples are stored in the `data` chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WavSample {
    U8,
    I16,
    I24,
    I32,
    F32,
    F64,
}

impl WavSample {
    fn width(self) -> usize {
        match self {
            WavSample::U8 => 1,
            WavSample::I16 => 2,
            WavSample::I24 => 3,
            WavSample::I32 | WavSample::F32 => 4,
            WavSample::F64 => 8,
        }
    }

    /// The name used in messages and [`super::decode::SourceInfo::codec`].
    pub(super) fn codec_name(self) -> &'static str {
        match self {
            WavSample::U8 => "pcm_u8",
            WavSample::I16 => "pcm_s16le",
            WavSample::I24 => "pcm_s24le",
            WavSample::I32 => "pcm_s32le",
            WavSample::F32 => "pcm_f32le",
            WavSample::F64 => "pcm_f64le",
        }
    }
}

/// What the header says, validated against the file's real length.
#[derive(Debug, Clone)]
pub(super) struct WavLayout {
    pub channels: usize,
    pub rate: u32,
    pub sample: WavSample,
    /// Bits that carry signal (`wValidBitsPerSample` for extensible files).
    pub valid_bits: u32,
    pub frames: u64,
    /// Frames the file really holds (fewer than `frames` only when a
    /// truncated file is concealed).
    present: u64,
    data_start: u64,
}

/// The `fmt ` chunk fields the fast path needs.
struct Fmt {
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    valid_bits: u16,
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn parse_fmt(body: &[u8]) -> Option<Fmt> {
    if body.len() < 16 {
        return None;
    }
    let mut fmt = Fmt {
        tag: le16(body, 0),
        channels: le16(body, 2),
        rate: le32(body, 4),
        bits: le16(body, 14),
        valid_bits: le16(body, 14),
    };
    // Extensible: the real format is the first two bytes of the sub-format GUID.
    if fmt.tag == FMT_EXTENSIBLE {
        if body.len() < 40 {
            return None;
        }
        fmt.valid_bits = le16(body, 18);
        fmt.tag = le16(body, 24);
    }
    Some(fmt)
}

fn sample_kind(fmt: &Fmt) -> Option<WavSample> {
    match (fmt.tag, fmt.bits) {
        (FMT_PCM, 8) => Some(WavSample::U8),
        (FMT_PCM, 16) => Some(WavSample::I16),
        (FMT_PCM, 24) => Some(WavSample::I24),
        (FMT_PCM, 32) => Some(WavSample::I32),
        (FMT_FLOAT, 32) => Some(WavSample::F32),
        (FMT_FLOAT, 64) => Some(WavSample::F64),
        _ => None,
    }
}

fn io_err(path: &Path, e: std::io::Error) -> AudioError {
    AudioError::Decode { path: path.into(), reason: format!("read error: {e}") }
}

/// Parses the RIFF header. `Ok(None)` means "not a WAV this path handles" (not
/// RIFF/WAVE, or a codec such as ADPCM) and the caller falls back to symphonia.
///
/// RF64 and BW64 (EBU Tech 3306, ITU-R BS.2088: WAV past 4 GiB) are read
/// too: their `ds64` chunk holds the 64-bit `data` size that the 32-bit
/// field marks with 0xFFFFFFFF.
pub(super) fn parse(file: &mut File, path: &Path, conceal: bool) -> Result<Option<WavLayout>, AudioError> {
    let file_len = file.metadata().map_err(|e| io_err(path, e))?.len();
    let mut head = [0u8; 12];
    if file.read_exact(&mut head).is_err() {
        return Ok(None);
    }
    let riff64 = matches!(&head[0..4], b"RF64" | b"BW64");
    if !(&head[0..4] == b"RIFF" || riff64) || &head[8..12] != b"WAVE" {
        return Ok(None);
    }
    let mut data_size64 = None;
    let mut fmt = None;
    let mut pos = 12u64;
    loop {
        let mut chunk = [0u8; 8];
        if file.read_exact(&mut chunk).is_err() {
            // No `data` chunk: let symphonia have a go and word the error.
            return Ok(None);
        }
        let size = u64::from(le32(&chunk, 4));
        pos += 8;
        match &chunk[0..4] {
            b"fmt " => {
                let mut body = vec![0u8; size.min(1024) as usize];
                file.read_exact(&mut body).map_err(|e| io_err(path, e))?;
                fmt = parse_fmt(&body);
            }
            b"ds64" if riff64 => {
                let mut body = [0u8; 16];
                file.read_exact(&mut body).map_err(|e| io_err(path, e))?;
                data_size64 = Some(u64::from(le32(&body, 8)) | u64::from(le32(&body, 12)) << 32);
            }
            b"data" => {
                let Some(fmt) = fmt else { return Ok(None) };
                return match data_size64 {
                    Some(size64) if size == u64::from(u32::MAX) => {
                        layout(&fmt, path, pos, Some(size64), file_len, conceal)
                    }
                    _ => layout(&fmt, path, pos, (size != u64::from(u32::MAX)).then_some(size), file_len, conceal),
                };
            }
            _ => {}
        }
        // Chunks are word-aligned: odd sizes carry one pad byte.
        pos += size + (size & 1);
        file.seek(SeekFrom::Start(pos)).map_err(|e| io_err(path, e))?;
    }
}

/// `size` is `None` when the header leaves it open (0xFFFFFFFF without `ds64`).
fn layout(
    fmt: &Fmt,
    path: &Path,
    data_start: u64,
    size: Option<u64>,
    file_len: u64,
    conceal: bool,
) -> Result<Option<WavLayout>, AudioError> {
    let Some(sample) = sample_kind(fmt) else {
        return Ok(None);
    };
    let channels = usize::from(fmt.channels);
    if channels == 0 || fmt.rate == 0 {
        return Err(AudioError::Decode {
            path: path.into(),
            reason: "the WAV header declares zero channels or a zero sample rate".into(),
        });
    }
    let present = file_len.saturating_sub(data_start);
    // Streaming writers leave the size at 0 or 0xFFFFFFFF: the data runs to the end.
    let size = match size {
        Some(0) | None => present,
        Some(size) => size,
    };
    let frame_bytes = (channels * sample.width()) as u64;
    if present < size && conceal {
        // `on_error = conceal`: what is there, then silence to the promised length.
        return Ok(Some(WavLayout {
            channels,
            rate: fmt.rate,
            sample,
            valid_bits: u32::from(fmt.valid_bits.max(1)),
            frames: size / frame_bytes,
            present: present / frame_bytes,
            data_start,
        }));
    }
    if present < size {
        return Err(AudioError::Decode {
            path: path.into(),
            reason: format!(
                "file is truncated at byte {file_len}: the header promises {size} bytes \
                 of audio but only {present} are present"
            ),
        });
    }
    Ok(Some(WavLayout {
        channels,
        rate: fmt.rate,
        sample,
        valid_bits: u32::from(fmt.valid_bits.max(1)),
        frames: size / frame_bytes,
        present: size / frame_bytes,
        data_start,
    }))
}

/// Streams the `data` chunk of a parsed WAV file as planar f32.
pub(super) struct WavReader {
    /// Read straight into `bytes`, a block at a time: a `BufReader` would
    /// copy every byte once more (4 % of the bench render).
    reader: File,
    layout: WavLayout,
    remaining: u64,
    bytes: Vec<u8>,
    path: PathBuf,
    /// The silence read in place of a truncated end (`on_error = conceal`).
    pub concealed: super::conceal::Concealed,
}

impl WavReader {
    pub(super) fn new(mut file: File, layout: WavLayout, path: &Path) -> Result<Self, AudioError> {
        file.seek(SeekFrom::Start(layout.data_start)).map_err(|e| io_err(path, e))?;
        let mut concealed = super::conceal::Concealed::default();
        if layout.present < layout.frames {
            let why = format!("the file is truncated: {} frames are missing", layout.frames - layout.present);
            concealed.gap(layout.present, layout.frames - layout.present, why);
        }
        Ok(WavReader {
            reader: file,
            remaining: layout.frames,
            layout,
            bytes: Vec::new(),
            path: path.into(),
            concealed,
        })
    }

    /// Reads up to `out[0].len()` frames; 0 at the end.
    pub(super) fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let frame_bytes = self.layout.channels * self.layout.sample.width();
        let want = out.iter().map(|o| o.len()).min().unwrap_or(0);
        let n = (want as u64).min(self.remaining) as usize;
        let n = n.min((READ_BLOCK_BYTES / frame_bytes).max(1));
        if n == 0 {
            return Ok(0);
        }
        let read = self.layout.frames - self.remaining;
        if read >= self.layout.present {
            // Past a concealed truncation: silence.
            out.iter_mut().for_each(|o| o[..n].fill(0.0));
            self.remaining -= n as u64;
            return Ok(n);
        }
        let n = n.min((self.layout.present - read) as usize);
        self.bytes.resize(n * frame_bytes, 0);
        self.reader.read_exact(&mut self.bytes).map_err(|e| io_err(&self.path, e))?;
        convert(self.layout.sample, &self.bytes, &mut out[..self.layout.channels], n);
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Integer PCM scales by exactly 2^-(bits-1) (a power of two, so 24-bit samples
/// land in f32 bit-exactly).
fn convert(kind: WavSample, bytes: &[u8], out: &mut [&mut [f32]], n: usize) {
    const S16: f32 = 1.0 / 32_768.0;
    const S32: f32 = 1.0 / 2_147_483_648.0;
    match kind {
        WavSample::U8 => deinterleave::<1>(bytes, out, n, |b| (f32::from(b[0]) - 128.0) / 128.0),
        WavSample::I16 => deinterleave::<2>(bytes, out, n, |b| f32::from(i16::from_le_bytes(b)) * S16),
        WavSample::I24 => match out {
            [left, right] => super::pcm24::stereo(bytes, left, right, n),
            _ => deinterleave::<3>(bytes, out, n, super::pcm24::sample),
        },
        WavSample::I32 => deinterleave::<4>(bytes, out, n, |b| i32::from_le_bytes(b) as f32 * S32),
        WavSample::F32 => deinterleave::<4>(bytes, out, n, f32::from_le_bytes),
        WavSample::F64 => deinterleave::<8>(bytes, out, n, |b| f64::from_le_bytes(b) as f32),
    }
}

/// One loop per channel layout, so the compiler sees fixed strides and
/// unrolls/vectorises mono and stereo, what the renderer reads.
#[inline(always)]
fn deinterleave<const W: usize>(bytes: &[u8], out: &mut [&mut [f32]], n: usize, conv: impl Fn([u8; W]) -> f32) {
    let word = |b: &[u8]| -> [u8; W] { std::array::from_fn(|i| b[i]) };
    match out {
        [mono] => {
            for (o, b) in mono[..n].iter_mut().zip(bytes.chunks_exact(W)) {
                *o = conv(word(b));
            }
        }
        [left, right] => {
            let frames = bytes.chunks_exact(2 * W);
            for ((l, r), b) in left[..n].iter_mut().zip(right[..n].iter_mut()).zip(frames) {
                *l = conv(word(&b[..W]));
                *r = conv(word(&b[W..]));
            }
        }
        // Surround (read by the loudness meter only): a plain strided loop.
        channels => {
            let width = channels.len() * W;
            for (i, frame) in bytes.chunks_exact(width).take(n).enumerate() {
                for (c, o) in channels.iter_mut().enumerate() {
                    o[i] = conv(word(&frame[c * W..]));
                }
            }
        }
    }
}

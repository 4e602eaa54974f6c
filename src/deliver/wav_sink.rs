//! Streaming WAV writer: `RIFF`, `fmt `, the tag chunks (`bext`, then
//! `LIST`/`INFO`), then `data`; the header is rebuilt and rewritten by
//! `finish` once the sizes (and the loudness) are known.
//!
//! Why not hound: it writes `fmt ` and `data` only, and `bext` belongs before
//! the audio. Without tags the bytes are hound's, field for field (the test
//! `untagged_wav_matches_hound_byte_for_byte` holds us to it): the older
//! 16-byte PCMWAVEFORMAT for 16-bit mono and stereo, WAVE_FORMAT_EXTENSIBLE
//! with hound's channel mask otherwise. One deliberate difference: audio of
//! odd size (24-bit mono, odd frame count) gets the pad byte RIFF asks for,
//! which hound leaves out.
//!
//! Past 4 GiB the file is RF64 (EBU Tech 3306): `RF64` for `RIFF`, a `ds64`
//! chunk with the 64-bit sizes first, and 0xFFFFFFFF in the 32-bit fields.
//! The choice is made before the first byte, from the length the render
//! will have, so a long render never hits the RIFF limit halfway.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use super::encode::EncodeSpec;
use super::tags::{Loudness, Tags};
use super::wav_tags::{bext_chunk, chunk, info_list};
use crate::ir::SampleFormat;

/// `WAVE_FORMAT_PCM`, `WAVE_FORMAT_IEEE_FLOAT`, `WAVE_FORMAT_EXTENSIBLE`.
const FMT_PCM: u16 = 1;
const FMT_FLOAT: u16 = 3;
const FMT_EXTENSIBLE: u16 = 0xFFFE;
/// KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT without their first two bytes
/// (the format tag).
const SUBTYPE_TAIL: [u8; 14] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/// Output buffer: large enough that write syscalls vanish from the profile.
const WRITE_BUFFER: usize = 1 << 18;

pub(super) struct WavSink {
    out: BufWriter<File>,
    format: SampleFormat,
    channels: usize,
    rate: u32,
    tags: Tags,
    /// Bytes before the samples; constant for the life of the file.
    header_len: u64,
    data_len: u64,
    /// Laid out as RF64 (with `ds64`).
    rf64: bool,
    /// Sample bytes of one call, reused between calls.
    bytes: Vec<u8>,
}

/// The most a 32-bit RIFF size field holds.
const RIFF_LIMIT: u64 = u32::MAX as u64;

/// Whether `frames` of this format need RF64 (with room for the header).
pub(super) fn needs_rf64(spec: &EncodeSpec) -> bool {
    spec.expected_frames.saturating_mul(spec.frame_bytes()).saturating_add(1 << 20) > RIFF_LIMIT
}

impl WavSink {
    /// Writes the header for an empty `data` chunk; `spec.tags` have been
    /// validated.
    pub(super) fn new(file: File, spec: &EncodeSpec) -> Result<Self, String> {
        let mut sink = WavSink {
            out: BufWriter::with_capacity(WRITE_BUFFER, file),
            format: spec.format,
            channels: spec.channels,
            rate: spec.rate,
            tags: spec.tags.clone(),
            header_len: 0,
            data_len: 0,
            rf64: needs_rf64(spec),
            bytes: Vec::new(),
        };
        let header = sink.header()?;
        sink.header_len = header.len() as u64;
        sink.out.write_all(&header).map_err(err)?;
        Ok(sink)
    }

    /// Replaces the `bext` loudness written by `finish` (no `bext`: no effect).
    pub(super) fn set_loudness(&mut self, loudness: Loudness) {
        if let Some(bext) = &mut self.tags.bext {
            bext.loudness = loudness;
        }
    }

    /// Appends interleaved integer samples (16- or 24-bit formats).
    pub(super) fn write_ints(&mut self, interleaved: &[i32]) -> Result<(), String> {
        match self.format {
            SampleFormat::I16 => pack::<2>(interleaved, &mut self.bytes),
            _ => pack::<3>(interleaved, &mut self.bytes),
        }
        self.append()
    }

    /// Appends planar float samples (the 32-bit float format), interleaving.
    pub(super) fn write_f32(&mut self, planar: &[&[f32]]) -> Result<(), String> {
        let frame = 4 * planar.len();
        let n = planar.first().map_or(0, |c| c.len());
        self.bytes.resize(n * frame, 0);
        for (i, out) in self.bytes.chunks_exact_mut(frame).enumerate() {
            for (o, c) in out.chunks_exact_mut(4).zip(planar) {
                o.copy_from_slice(&c[i].to_le_bytes());
            }
        }
        self.append()
    }

    fn append(&mut self) -> Result<(), String> {
        let len = self.data_len + self.bytes.len() as u64;
        // The RIFF size counts everything after its own field, pad included.
        if !self.rf64 && self.header_len - 8 + len + (len & 1) > RIFF_LIMIT {
            return Err("the render grew past 4 GiB, longer than expected when the WAV file was begun".into());
        }
        self.out.write_all(&self.bytes).map_err(err)?;
        self.data_len = len;
        Ok(())
    }

    /// Pads odd-sized audio, rewrites the header with the final sizes and
    /// loudness, and syncs to disk.
    pub(super) fn finish(mut self) -> Result<(), String> {
        if self.data_len % 2 == 1 {
            self.out.write_all(&[0]).map_err(err)?;
        }
        let header = self.header()?;
        debug_assert_eq!(header.len() as u64, self.header_len, "the header changed size");
        self.out.seek(SeekFrom::Start(0)).map_err(err)?;
        self.out.write_all(&header).map_err(err)?;
        let file = self.out.into_inner().map_err(|e| err(e.error()))?;
        file.sync_all().map_err(err)
    }

    /// Everything before the samples, for `data_len` bytes of them.
    fn header(&self) -> Result<Vec<u8>, String> {
        let mut h = b"RIFF\0\0\0\0WAVE".to_vec();
        if self.rf64 {
            h[..4].copy_from_slice(b"RF64");
            h.extend_from_slice(b"ds64");
            h.extend_from_slice(&28u32.to_le_bytes());
            // riffSize, dataSize, sampleCount: filled in below.
            h.extend_from_slice(&[0u8; 24]);
            h.extend_from_slice(&0u32.to_le_bytes());
        }
        h.extend(chunk(b"fmt ", &self.fmt())?);
        if let Some(bext) = &self.tags.bext {
            h.extend(bext_chunk(bext, &self.tags)?);
        }
        h.extend(info_list(&self.tags)?.unwrap_or_default());
        h.extend_from_slice(b"data");
        h.extend_from_slice(&(if self.rf64 { u32::MAX } else { self.data_len as u32 }).to_le_bytes());
        let riff = (h.len() - 8) as u64 + self.data_len + (self.data_len & 1);
        if self.rf64 {
            let frame_bytes = u64::from(self.format.bits().div_ceil(8)) * self.channels as u64;
            h[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
            h[20..28].copy_from_slice(&riff.to_le_bytes());
            h[28..36].copy_from_slice(&self.data_len.to_le_bytes());
            h[36..44].copy_from_slice(&(self.data_len / frame_bytes.max(1)).to_le_bytes());
        } else {
            h[4..8].copy_from_slice(&(riff as u32).to_le_bytes());
        }
        Ok(h)
    }

    /// The `fmt ` body, as hound writes it.
    fn fmt(&self) -> Vec<u8> {
        let bits = self.format.bits() as u16;
        let channels = self.channels as u16;
        let block_align = channels * bits / 8;
        let tag = if self.format == SampleFormat::F32 { FMT_FLOAT } else { FMT_PCM };
        let extensible = channels > 2 || bits > 16;
        let mut f = Vec::with_capacity(40);
        f.extend_from_slice(&(if extensible { FMT_EXTENSIBLE } else { tag }).to_le_bytes());
        f.extend_from_slice(&channels.to_le_bytes());
        f.extend_from_slice(&self.rate.to_le_bytes());
        f.extend_from_slice(&(self.rate * u32::from(block_align)).to_le_bytes());
        f.extend_from_slice(&block_align.to_le_bytes());
        f.extend_from_slice(&bits.to_le_bytes());
        if extensible {
            // cbSize, wValidBitsPerSample, dwChannelMask (one bit per
            // channel, in speaker order), SubFormat.
            f.extend_from_slice(&22u16.to_le_bytes());
            f.extend_from_slice(&bits.to_le_bytes());
            f.extend_from_slice(&(((1u64 << channels.min(18)) - 1) as u32).to_le_bytes());
            f.extend_from_slice(&tag.to_le_bytes());
            f.extend_from_slice(&SUBTYPE_TAIL);
        }
        f
    }
}

/// The low `W` little-endian bytes of each sample, into `out`.
fn pack<const W: usize>(samples: &[i32], out: &mut Vec<u8>) {
    out.resize(samples.len() * W, 0);
    for (o, v) in out.chunks_exact_mut(W).zip(samples) {
        o.copy_from_slice(&v.to_le_bytes()[..W]);
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

//! Streaming FLAC writer: frames are encoded (`flac/frame.rs`) and written as
//! they fill, and STREAMINFO (length, MD5, frame sizes) is patched in at the
//! end, so memory stays at one block however long the file is.
//!
//! flacenc is used only for the MD5 of the samples (its `Context`); its
//! encoder cannot code loud 24-bit audio compactly (see `flac/rice.rs`).

mod bits;
mod frame;
mod lpc;
mod metadata;
mod rice;

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use flacenc::source::{Context, Fill};

use super::tags::Tags;
use bits::BitWriter;
use frame::{FrameEncoder, StreamParams};
use metadata::{block_header, vorbis_comment, PICTURE, STREAMINFO, VORBIS_COMMENT};

/// Samples per channel per frame: the reference encoder's default.
const BLOCK: usize = 4096;
/// `fLaC` + metadata block header: STREAMINFO starts here, whatever blocks
/// follow it (the format requires it first).
const STREAMINFO_OFFSET: u64 = 8;

pub(super) struct FlacSink {
    out: BufWriter<File>,
    params: StreamParams,
    encoder: FrameEncoder,
    md5: Context,
    /// Little-endian sample bytes for the MD5, reused between calls.
    md5_bytes: Vec<u8>,
    /// Planar samples not yet encoded (< one block per channel).
    pending: Vec<Vec<i32>>,
    frame_number: u32,
    total: u64,
    frame_sizes: (usize, usize),
}

/// The low `W` little-endian bytes of each sample.
fn pack<const W: usize>(samples: &[i32], out: &mut [u8]) {
    for (o, v) in out.chunks_exact_mut(W).zip(samples) {
        o.copy_from_slice(&v.to_le_bytes()[..W]);
    }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl FlacSink {
    /// Writes the metadata blocks: STREAMINFO (patched by `finish`), then
    /// the Vorbis comment block when `tags` has fields, and the cover.
    pub(super) fn new(file: File, rate: u32, channels: usize, bits: u32, tags: &Tags) -> Result<Self, String> {
        if !(1..=8).contains(&channels) || !(4..=24).contains(&bits) || !(1..1 << 20).contains(&rate) {
            return Err(format!("FLAC cannot store {channels} channels of {bits} bits at {rate} Hz"));
        }
        let mut sink = FlacSink {
            out: BufWriter::with_capacity(1 << 20, file),
            params: StreamParams { rate, bps: bits },
            encoder: FrameEncoder::default(),
            md5: Context::new(bits as usize, channels),
            md5_bytes: Vec::new(),
            pending: vec![Vec::with_capacity(BLOCK); channels],
            frame_number: 0,
            total: 0,
            frame_sizes: (usize::MAX, 0),
        };
        let info = sink.streaminfo();
        let blocks: Vec<(u8, Vec<u8>)> =
            [(STREAMINFO, Some(info)), (VORBIS_COMMENT, vorbis_comment(tags)), (PICTURE, tags.picture())]
                .into_iter()
                .filter_map(|(kind, body)| body.map(|b| (kind, b)))
                .collect();
        sink.out.write_all(b"fLaC").map_err(err)?;
        for (i, (kind, body)) in blocks.iter().enumerate() {
            sink.out.write_all(&block_header(i + 1 == blocks.len(), *kind, body.len())?).map_err(err)?;
            sink.out.write_all(body).map_err(err)?;
        }
        Ok(sink)
    }

    /// Appends interleaved samples already in range for the stream's depth.
    pub(super) fn write(&mut self, interleaved: &[i32]) -> Result<(), String> {
        self.hash(interleaved)?;
        let channels = self.pending.len();
        let mut rest = interleaved;
        while !rest.is_empty() {
            let take = (BLOCK - self.pending[0].len()).min(rest.len() / channels);
            if take == 0 {
                return Err("a partial frame of samples".into());
            }
            for (c, buf) in self.pending.iter_mut().enumerate() {
                buf.extend(rest[..take * channels].iter().skip(c).step_by(channels));
            }
            rest = &rest[take * channels..];
            if self.pending[0].len() == BLOCK {
                self.encode_pending()?;
            }
        }
        Ok(())
    }

    /// Feeds the samples' little-endian bytes, as the format defines the MD5.
    fn hash(&mut self, interleaved: &[i32]) -> Result<(), String> {
        let width = self.params.bps.div_ceil(8) as usize;
        self.md5_bytes.resize(interleaved.len() * width, 0);
        // Fixed-width copies per depth: a runtime-length copy per sample
        // became a `memcpy` call each.
        match width {
            2 => pack::<2>(interleaved, &mut self.md5_bytes),
            3 => pack::<3>(interleaved, &mut self.md5_bytes),
            _ => pack::<1>(interleaved, &mut self.md5_bytes),
        }
        self.md5.fill_le_bytes(&self.md5_bytes, width).map_err(err)
    }

    fn encode_pending(&mut self) -> Result<(), String> {
        let n = self.pending[0].len();
        if n == 0 {
            return Ok(());
        }
        let planar: Vec<&[i32]> = self.pending.iter().map(|c| &c[..]).collect();
        let frame = self.encoder.encode(&planar, self.frame_number, &self.params);
        self.out.write_all(frame).map_err(err)?;
        self.frame_sizes = (self.frame_sizes.0.min(frame.len()), self.frame_sizes.1.max(frame.len()));
        self.total += n as u64;
        self.frame_number += 1;
        self.pending.iter_mut().for_each(Vec::clear);
        Ok(())
    }

    /// The 34 bytes of STREAMINFO for what has been written so far.
    fn streaminfo(&self) -> Vec<u8> {
        let mut w = BitWriter::default();
        // Fixed-blocksize stream: both limits are the nominal block size.
        w.put(16, BLOCK as u32);
        w.put(16, BLOCK as u32);
        let (min, max) = if self.frame_number == 0 { (0, 0) } else { self.frame_sizes };
        w.put(24, min as u32);
        w.put(24, max as u32);
        w.put(20, self.params.rate);
        w.put(3, self.pending.len() as u32 - 1);
        w.put(5, self.params.bps - 1);
        w.put(4, (self.total >> 32) as u32);
        w.put(32, self.total as u32);
        let md5 = if self.total == 0 { [0; 16] } else { self.md5.md5_digest() };
        md5.iter().for_each(|&b| w.put(8, u32::from(b)));
        w.align();
        w.bytes().to_vec()
    }

    /// Encodes the last short block, patches STREAMINFO and syncs to disk.
    pub(super) fn finish(mut self) -> Result<(), String> {
        self.encode_pending()?;
        let info = self.streaminfo();
        self.out.seek(SeekFrom::Start(STREAMINFO_OFFSET)).map_err(err)?;
        self.out.write_all(&info).map_err(err)?;
        let file = self.out.into_inner().map_err(|e| err(e.error()))?;
        file.sync_all().map_err(err)
    }
}

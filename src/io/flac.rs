//! Streaming FLAC writer on flacenc: frames are encoded and written as they
//! fill, and STREAMINFO (length, MD5, frame sizes) is patched in at the end, so
//! memory stays at one block however long the file is.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use flacenc::bitsink::MemSink;
use flacenc::component::{BitRepr, StreamInfo};
use flacenc::config;
use flacenc::error::{Verified, Verify};
use flacenc::source::{Context, Fill, FrameBuf};

/// Samples per channel per frame: the reference encoder's default.
const BLOCK: usize = 4096;
/// `fLaC` + metadata block header: STREAMINFO starts here.
const STREAMINFO_OFFSET: u64 = 8;

pub(super) struct FlacSink {
    out: BufWriter<File>,
    config: Verified<config::Encoder>,
    info: StreamInfo,
    frame: FrameBuf,
    context: Context,
    channels: usize,
    /// Interleaved samples not yet encoded (< one block).
    pending: Vec<i32>,
    frame_number: usize,
    /// Reused bit buffer for one encoded frame.
    bytes: MemSink<u8>,
}

/// The bytes of a STREAMINFO block or a frame.
fn serialise<T: BitRepr>(item: &T, sink: &mut MemSink<u8>) -> Result<(), String> {
    sink.clear();
    item.write(sink).map_err(err)
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl FlacSink {
    pub(super) fn new(file: File, rate: u32, channels: usize, bits: u32) -> Result<Self, String> {
        let config = config::Encoder::default().into_verified().map_err(|(_, e)| err(e))?;
        let info = StreamInfo::new(rate as usize, channels, bits as usize).map_err(err)?;
        let mut out = BufWriter::new(file);
        out.write_all(b"fLaC").map_err(err)?;
        // Last-metadata-block flag + type 0 (STREAMINFO), 24-bit length 34.
        out.write_all(&[0x80, 0, 0, 34]).map_err(err)?;
        let mut bytes = MemSink::new();
        serialise(&info, &mut bytes)?;
        out.write_all(bytes.as_slice()).map_err(err)?;
        Ok(FlacSink {
            out,
            config,
            info,
            frame: FrameBuf::with_size(channels, BLOCK).map_err(err)?,
            context: Context::new(bits as usize, channels),
            channels,
            pending: Vec::with_capacity(BLOCK * channels),
            frame_number: 0,
            bytes,
        })
    }

    /// Appends interleaved samples already in range for the stream's depth.
    pub(super) fn write(&mut self, interleaved: &[i32]) -> Result<(), String> {
        let block = BLOCK * self.channels;
        let mut rest = interleaved;
        while !rest.is_empty() {
            let take = (block - self.pending.len()).min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == block {
                self.encode_pending()?;
            }
        }
        Ok(())
    }

    fn encode_pending(&mut self) -> Result<(), String> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.frame.fill_interleaved(&self.pending).map_err(err)?;
        self.context.fill_interleaved(&self.pending).map_err(err)?;
        let frame =
            flacenc::encode_fixed_size_frame(&self.config, &self.frame, self.frame_number, &self.info).map_err(err)?;
        self.info.update_frame_info(&frame);
        serialise(&frame, &mut self.bytes)?;
        self.out.write_all(self.bytes.as_slice()).map_err(err)?;
        self.frame_number += 1;
        self.pending.clear();
        Ok(())
    }

    /// Encodes the last short block, patches STREAMINFO and syncs to disk.
    pub(super) fn finish(mut self) -> Result<(), String> {
        self.encode_pending()?;
        self.info.set_md5_digest(&self.context.md5_digest());
        // Fixed-blocksize stream: both limits are the nominal block size.
        self.info.set_block_sizes(BLOCK, BLOCK).map_err(err)?;
        self.out.seek(SeekFrom::Start(STREAMINFO_OFFSET)).map_err(err)?;
        serialise(&self.info, &mut self.bytes)?;
        self.out.write_all(self.bytes.as_slice()).map_err(err)?;
        let file = self.out.into_inner().map_err(|e| err(e.error()))?;
        file.sync_all().map_err(err)
    }
}

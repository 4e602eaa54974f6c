//! Ogg Opus files (RFC 7845) through libopus, the reference encoder
//! (`crates/opus-sys`, built from bundled source), in 20 ms frames:
//!
//! - `OpusHead` records the encoder's lookahead as the *pre-skip*, and the
//!   last page's granule position ends the stream at the master's last
//!   sample, so every conforming decoder trims both ends and the decoded
//!   length is the master's, to the sample;
//! - `OpusTags` carries the same Vorbis comment fields as FLAC.
//!
//! Opus runs at 48 kHz only; the checker sees to it that the master arrives
//! at that rate.

use std::fs::File;
use std::io::{BufWriter, Write};

use mixc_opus_sys as ffi;
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

use super::tags::Tags;
use crate::ir::OpusMode;

/// 20 ms at 48 kHz: opusenc's frame, the best for music.
const FRAME: usize = 960;
/// The largest packet libopus writes (RFC 6716 §3.4: 1275 bytes a frame).
const MAX_PACKET: usize = 1500;
pub const RATE: u32 = crate::ir::OPUS_RATE;

struct Encoder {
    raw: *mut ffi::OpusEncoder,
    channels: usize,
}

// SAFETY: an encoder state is plain memory owned by this value alone; libopus
// keeps no thread-local or global state for it, so it may move to the
// writer thread (it is never shared).
unsafe impl Send for Encoder {}

impl Drop for Encoder {
    fn drop(&mut self) {
        // SAFETY: created by `opus_encoder_create`, destroyed once here.
        unsafe { ffi::opus_encoder_destroy(self.raw) }
    }
}

impl Encoder {
    fn new(channels: usize, kbps: u32, mode: OpusMode) -> Result<(Encoder, u16), String> {
        let mut err = 0;
        // SAFETY: plain constructor; `err` receives the status.
        let raw =
            unsafe { ffi::opus_encoder_create(RATE as i32, channels as i32, ffi::OPUS_APPLICATION_AUDIO, &mut err) };
        if raw.is_null() || err != ffi::OPUS_OK {
            return Err(format!("libopus could not start: {}", ffi::error_text(err)));
        }
        let encoder = Encoder { raw, channels };
        let (vbr, constrained) = match mode {
            OpusMode::Vbr => (1, 0),
            OpusMode::Cvbr => (1, 1),
            OpusMode::Cbr => (0, 0),
        };
        for (request, value) in [
            (ffi::OPUS_SET_BITRATE_REQUEST, kbps as i32 * 1000),
            (ffi::OPUS_SET_VBR_REQUEST, vbr),
            (ffi::OPUS_SET_VBR_CONSTRAINT_REQUEST, constrained),
            // opusenc's defaults: the slowest, best analysis, tuned for music.
            (ffi::OPUS_SET_COMPLEXITY_REQUEST, 10),
            (ffi::OPUS_SET_SIGNAL_REQUEST, ffi::OPUS_SIGNAL_MUSIC),
        ] {
            // SAFETY: each of these requests takes one opus_int32.
            let status = unsafe { ffi::opus_encoder_ctl(encoder.raw, request, value) };
            if status != ffi::OPUS_OK {
                return Err(format!("libopus refused setting {request} = {value}: {}", ffi::error_text(status)));
            }
        }
        let mut lookahead: i32 = 0;
        // SAFETY: this request takes one opus_int32 pointer, written by the call.
        let status =
            unsafe { ffi::opus_encoder_ctl(encoder.raw, ffi::OPUS_GET_LOOKAHEAD_REQUEST, &mut lookahead as *mut i32) };
        if status != ffi::OPUS_OK {
            return Err(format!("libopus gave no lookahead: {}", ffi::error_text(status)));
        }
        Ok((encoder, lookahead as u16))
    }

    /// One frame of interleaved samples into `packet`; its length.
    fn encode(&mut self, interleaved: &[f32], packet: &mut [u8; MAX_PACKET]) -> Result<usize, String> {
        let frames = interleaved.len() / self.channels;
        // SAFETY: `interleaved` holds `frames` frames of this encoder's
        // channel count; `packet` has MAX_PACKET bytes of room.
        let n = unsafe {
            ffi::opus_encode_float(
                self.raw,
                interleaved.as_ptr(),
                frames as i32,
                packet.as_mut_ptr(),
                MAX_PACKET as i32,
            )
        };
        if n < 0 {
            return Err(format!("libopus failed: {}", ffi::error_text(n)));
        }
        Ok(n as usize)
    }
}

pub struct OpusSink {
    pages: PacketWriter<'static, BufWriter<File>>,
    serial: u32,
    encoder: Encoder,
    pre_skip: u64,
    /// Interleaved samples not yet a whole frame.
    pending: Vec<f32>,
    /// The last packet encoded, held back until it is known whether it ends
    /// the stream, and the granule position it completes.
    held: Option<(Vec<u8>, u64)>,
    /// Master frames received.
    frames_in: u64,
    /// 48 kHz samples given to the encoder, padding included: the granule
    /// position of the last packet (the decoder's output, pre-skip included).
    encoded: u64,
    packet: Box<[u8; MAX_PACKET]>,
}

impl OpusSink {
    pub fn new(
        file: File,
        channels: usize,
        kbps: u32,
        mode: OpusMode,
        tags: &Tags,
        seed: u64,
    ) -> Result<OpusSink, String> {
        if !(1..=2).contains(&channels) {
            return Err("mixc writes mono or stereo Opus".into());
        }
        let (encoder, pre_skip) = Encoder::new(channels, kbps, mode)?;
        let mut head = b"OpusHead".to_vec();
        head.push(1); // version
        head.push(channels as u8);
        head.extend_from_slice(&pre_skip.to_le_bytes());
        head.extend_from_slice(&RATE.to_le_bytes()); // the input rate, informative
        head.extend_from_slice(&0i16.to_le_bytes()); // output gain
        head.push(0); // channel mapping family 0: mono or L, R
        let mut tags_packet = b"OpusTags".to_vec();
        tags_packet.extend_from_slice(&tags.vorbis_comment(true));
        let serial = super::ogg_serial(seed);
        let mut pages = PacketWriter::new(BufWriter::new(file));
        let io = |e: std::io::Error| e.to_string();
        // Each header packet ends its own page (RFC 7845 §3).
        pages.write_packet(head, serial, PacketWriteEndInfo::EndPage, 0).map_err(io)?;
        pages.write_packet(tags_packet, serial, PacketWriteEndInfo::EndPage, 0).map_err(io)?;
        Ok(OpusSink {
            pages,
            serial,
            encoder,
            pre_skip: u64::from(pre_skip),
            pending: Vec::with_capacity(FRAME * channels),
            held: None,
            frames_in: 0,
            encoded: 0,
            packet: Box::new([0; MAX_PACKET]),
        })
    }

    pub fn write_f32(&mut self, planar: &[&[f32]]) -> Result<(), String> {
        let n = planar.first().map_or(0, |c| c.len());
        for i in 0..n {
            for channel in planar {
                self.pending.push(channel[i]);
            }
            if self.pending.len() == FRAME * self.encoder.channels {
                self.encode_pending()?;
            }
        }
        self.frames_in += n as u64;
        Ok(())
    }

    fn encode_pending(&mut self) -> Result<(), String> {
        let len = self.encoder.encode(&self.pending, &mut self.packet)?;
        self.pending.clear();
        self.encoded += FRAME as u64;
        if let Some((packet, granule)) = self.held.take() {
            self.pages
                .write_packet(packet, self.serial, PacketWriteEndInfo::NormalPacket, granule)
                .map_err(|e| e.to_string())?;
        }
        self.held = Some((self.packet[..len].to_vec(), self.encoded));
        Ok(())
    }

    pub fn finish(mut self) -> Result<(), String> {
        // The encoder's output lags its input by the pre-skip: silence past
        // the master's end, to the end of a frame, until its last sample is out.
        let end = self.pre_skip + self.frames_in;
        while self.encoded < end || !self.pending.is_empty() {
            self.pending.resize(FRAME * self.encoder.channels, 0.0);
            self.encode_pending()?;
        }
        // The last page's granule position ends the stream at the master's
        // last sample: decoders drop what lies past it (RFC 7845 §4.5).
        let (packet, _) = self.held.take().ok_or("an Opus stream needs at least one packet")?;
        self.pages.write_packet(packet, self.serial, PacketWriteEndInfo::EndStream, end).map_err(|e| e.to_string())?;
        let mut file = self.pages.into_inner();
        file.flush().map_err(|e| e.to_string())?;
        let file = file.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())
    }
}

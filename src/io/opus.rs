//! Ogg Opus files (RFC 7845) decoded by libopus, the reference decoder
//! (symphonia 0.5 reads the Ogg pages of an Opus stream but has no Opus
//! decoder). Always at 48 kHz, as RFC 7845 §5.1 recommends whatever the
//! `OpusHead` says the input rate was.
//!
//! The decoded length is the encoded programme's, to the sample: the
//! `OpusHead` pre-skip is dropped from the start and the last page's granule
//! position ends the stream (§4.4, §4.5); the header's output gain is
//! applied (§5.1). A stream without its end-of-stream page is truncated.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use mixc_opus_sys as ffi;
use ogg::reading::{OggReadError, PacketReader};

use super::conceal::Concealed;
use super::decode::SourceInfo;
use super::AudioError;

/// Opus decodes at 48 kHz.
const RATE: u32 = 48_000;
/// The longest packet: 120 ms at 48 kHz (RFC 6716 §3.2.5).
const MAX_FRAMES: usize = 5_760;

/// Whether `file` starts with an Ogg page holding an `OpusHead` packet.
pub(super) fn is_opus(file: &mut File) -> bool {
    let mut head = [0u8; 36];
    let is = file.seek(SeekFrom::Start(0)).is_ok()
        && file.read_exact(&mut head).is_ok()
        && &head[..4] == b"OggS"
        && &head[28..36] == b"OpusHead";
    let _ = file.seek(SeekFrom::Start(0));
    is
}

struct RawDecoder(*mut ffi::OpusDecoder);

// SAFETY: a decoder state is plain memory owned by this value alone, never
// shared; libopus keeps no global state for it.
unsafe impl Send for RawDecoder {}

impl Drop for RawDecoder {
    fn drop(&mut self) {
        // SAFETY: created by `opus_decoder_create`, destroyed once here.
        unsafe { ffi::opus_decoder_destroy(self.0) }
    }
}

/// An Ogg Opus stream being decoded, with the decoded packet not yet handed out.
pub(super) struct OpusReader {
    packets: PacketReader<BufReader<File>>,
    decoder: RawDecoder,
    serial: u32,
    channels: usize,
    /// Linear gain from the header's output gain.
    gain: f32,
    /// Decoded frames still to drop from the start (the pre-skip).
    skip: u64,
    pre_skip: u64,
    /// Interleaved frames of the last packet, and how many are handed out.
    pending: Vec<f32>,
    pending_frames: usize,
    pos: usize,
    /// Frames handed out (after the pre-skip): the next one's place.
    out: u64,
    done: bool,
    path: PathBuf,
    conceal: bool,
    pub concealed: Concealed,
}

fn open_err(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Open { path: path.into(), reason: reason.into() }
}

fn decode_err(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Decode { path: path.into(), reason: reason.into() }
}

fn ogg_reason(e: &OggReadError) -> String {
    match e {
        OggReadError::HashMismatch(..) => "an Ogg page is corrupt (its checksum does not match)".into(),
        OggReadError::NoCapturePatternFound => "an Ogg page is missing its `OggS` marker".into(),
        OggReadError::ReadError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file is truncated inside an Ogg page".into()
        }
        OggReadError::ReadError(e) => format!("read error: {e}"),
        other => format!("a damaged Ogg page ({other})"),
    }
}

/// The granule position of the last page of `serial` in the file's last
/// 64 KiB: the stream's end, pre-skip included.
fn last_granule(path: &Path, serial: u32) -> Option<u64> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(65_536);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).ok()?;
    (0..tail.len().saturating_sub(27)).rev().find_map(|i| {
        let page = &tail[i..];
        let granule = u64::from_le_bytes(page[6..14].try_into().ok()?);
        let page_serial = u32::from_le_bytes(page[14..18].try_into().ok()?);
        (&page[..4] == b"OggS" && page[4] == 0 && page_serial == serial && granule != u64::MAX).then_some(granule)
    })
}

/// Opens an Ogg Opus file: the header and the comment packet are read here.
pub(super) fn open(file: File, path: &Path, conceal: bool) -> Result<(OpusReader, SourceInfo), AudioError> {
    let mut packets = PacketReader::new(BufReader::new(file));
    let head = packets
        .read_packet()
        .map_err(|e| open_err(path, format!("damaged header: {}", ogg_reason(&e))))?
        .ok_or_else(|| open_err(path, "truncated: the file ends inside its header"))?;
    let h = &head.data;
    if h.len() < 19 || &h[..8] != b"OpusHead" {
        return Err(open_err(path, "damaged header: the first packet is not an `OpusHead`"));
    }
    if h[8] >> 4 != 0 {
        return Err(open_err(path, format!("unsupported: Ogg Opus version {}", h[8])));
    }
    let channels = usize::from(h[9]);
    let pre_skip = u64::from(u16::from_le_bytes([h[10], h[11]]));
    let gain_q8 = i16::from_le_bytes([h[16], h[17]]);
    let family = h[18];
    // Families 1 and 255 with one or two channels are one plain stream when
    // the table says so; more channels need the multistream decoder.
    let plain = match family {
        0 => (1..=2).contains(&channels),
        _ => {
            (1..=2).contains(&channels)
                && h.len() >= 21 + channels
                && h[19] == 1
                && usize::from(h[20]) == channels - 1
                && (0..channels).all(|c| usize::from(h[21 + c]) == c)
        }
    };
    if channels == 0 {
        return Err(open_err(path, "damaged header: `OpusHead` says 0 channels"));
    }
    if !plain {
        return Err(open_err(
            path,
            format!("unsupported: multichannel Opus ({channels} channels, mapping family {family})"),
        ));
    }
    // The comment packet (tags are read elsewhere).
    match packets.read_packet() {
        Ok(Some(p)) if p.data.starts_with(b"OpusTags") => {}
        Ok(_) => return Err(open_err(path, "damaged header: the `OpusTags` packet is missing")),
        Err(e) => return Err(open_err(path, format!("damaged header: {}", ogg_reason(&e)))),
    }
    let mut err = 0;
    // SAFETY: plain constructor; `err` receives the status.
    let raw = unsafe { ffi::opus_decoder_create(RATE as i32, channels as i32, &mut err) };
    if raw.is_null() || err != ffi::OPUS_OK {
        return Err(open_err(path, format!("libopus could not start: {}", ffi::error_text(err))));
    }
    let serial = head.stream_serial();
    let frames = last_granule(path, serial).map(|g| g.saturating_sub(pre_skip));
    let reader = OpusReader {
        packets,
        decoder: RawDecoder(raw),
        serial,
        channels,
        gain: 10f32.powf(f32::from(gain_q8) / 256.0 / 20.0),
        skip: pre_skip,
        pre_skip,
        pending: vec![0.0; MAX_FRAMES * channels],
        pending_frames: 0,
        pos: 0,
        out: 0,
        done: false,
        path: path.into(),
        conceal,
        concealed: Concealed::default(),
    };
    let info = SourceInfo { channels, rate: RATE, frames, bits_per_sample: None, codec: "opus".into() };
    Ok((reader, info))
}

impl OpusReader {
    /// Decodes the next packet of the stream into `pending`; at the end sets `done`.
    fn fill(&mut self) -> Result<(), AudioError> {
        self.pending_frames = 0;
        self.pos = 0;
        let packet = match self.packets.read_packet() {
            Ok(Some(p)) => p,
            Ok(None) => return self.truncated("the stream ends without its last page"),
            Err(e) => {
                let at = super::position(self.out, RATE);
                return Err(decode_err(&self.path, format!("damaged audio at {at}: {}", ogg_reason(&e))));
            }
        };
        if packet.stream_serial() != self.serial {
            return Ok(()); // another logical stream: not ours
        }
        let len = i32::try_from(packet.data.len()).unwrap_or(i32::MAX);
        // SAFETY: `pending` holds MAX_FRAMES frames of `channels` samples.
        let n = unsafe {
            ffi::opus_decode_float(
                self.decoder.0,
                packet.data.as_ptr(),
                len,
                self.pending.as_mut_ptr(),
                MAX_FRAMES as i32,
                0,
            )
        };
        let mut frames = if n >= 0 {
            n as usize
        } else if self.conceal {
            // Silence as long as the packet says it is (20 ms when it cannot say).
            // SAFETY: reads `len` bytes of the packet.
            let said = unsafe { ffi::opus_packet_get_nb_samples(packet.data.as_ptr(), len, RATE as i32) };
            let frames = if said > 0 { (said as usize).min(MAX_FRAMES) } else { 960 };
            self.pending[..frames * self.channels].fill(0.0);
            self.concealed.gap(self.out, frames as u64, format!("an Opus packet is damaged ({})", ffi::error_text(n)));
            frames
        } else {
            let at = super::position(self.out, RATE);
            return Err(decode_err(&self.path, format!("damaged audio at {at}: {}", ffi::error_text(n))));
        };
        // The pre-skip: decoded but not part of the programme.
        let dropped = self.skip.min(frames as u64) as usize;
        self.skip -= dropped as u64;
        self.pos = dropped;
        if packet.last_in_stream() {
            self.done = true;
            // The last page's granule ends the programme (RFC 7845 §4.5).
            let end = packet.absgp_page().saturating_sub(self.pre_skip);
            let here = (frames - dropped) as u64;
            let keep = end.saturating_sub(self.out).min(here);
            frames = dropped + keep as usize;
        }
        self.pending_frames = frames;
        if self.gain != 1.0 {
            let gain = self.gain;
            self.pending[..frames * self.channels].iter_mut().for_each(|x| *x *= gain);
        }
        Ok(())
    }

    /// The pages stop before the end-of-stream page: an error, or with
    /// `on_error = conceal` the end of the programme, recorded.
    fn truncated(&mut self, why: &str) -> Result<(), AudioError> {
        self.done = true;
        if self.conceal {
            self.concealed.gap(self.out, 0, format!("the file is truncated: {why}"));
            return Ok(());
        }
        let at = super::position(self.out, RATE);
        Err(decode_err(&self.path, format!("truncated: the audio stops at {at}: {why}")))
    }

    /// Reads up to `out[0].len()` frames; 0 at the end.
    pub(super) fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let want = out.iter().map(|o| o.len()).min().unwrap_or(0);
        if want == 0 {
            return Ok(0);
        }
        loop {
            let avail = self.pending_frames.saturating_sub(self.pos);
            if avail > 0 {
                let n = avail.min(want);
                for (c, o) in out.iter_mut().enumerate().take(self.channels) {
                    let interleaved = &self.pending[self.pos * self.channels..(self.pos + n) * self.channels];
                    for (x, frame) in o[..n].iter_mut().zip(interleaved.chunks_exact(self.channels)) {
                        *x = frame[c];
                    }
                }
                self.pos += n;
                self.out += n as u64;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            self.fill()?;
        }
    }
}

//! MP3 files through LAME (the reference encoder, built from the source
//! bundled in `mp3lame-sys`), constant bitrate or VBR (`-V`), joint stereo, with:
//!
//! - an ID3v2.4 tag (UTF-8 text frames) written here, ahead of the audio:
//!   LAME's own ID3 writer takes Latin-1 only, which would mangle names;
//! - LAME's Info tag (Xing header + LAME extension) in the first frame,
//!   patched in once the stream is complete: it records the encoder delay
//!   and padding, so decoders that honour it (symphonia, ffmpeg, iTunes)
//!   trim them and the decoded length is the master's, to the sample.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use mp3lame_encoder::{Bitrate, Builder, DualPcm, Encoder, FlushGap, Quality, VbrMode};

use super::tags::{TagKey, Tags};
use crate::ir::Mp3Rate;

pub struct Mp3Sink {
    file: File,
    encoder: Encoder,
    /// Where the audio (and its first frame, the Info tag) begins.
    audio_start: u64,
    out: Vec<u8>,
}

fn bitrate(kbps: u32) -> Result<Bitrate, String> {
    Ok(match kbps {
        32 => Bitrate::Kbps32,
        40 => Bitrate::Kbps40,
        48 => Bitrate::Kbps48,
        64 => Bitrate::Kbps64,
        80 => Bitrate::Kbps80,
        96 => Bitrate::Kbps96,
        112 => Bitrate::Kbps112,
        128 => Bitrate::Kbps128,
        160 => Bitrate::Kbps160,
        192 => Bitrate::Kbps192,
        224 => Bitrate::Kbps224,
        256 => Bitrate::Kbps256,
        320 => Bitrate::Kbps320,
        other => return Err(format!("LAME has no {other} kbit/s constant bitrate")),
    })
}

fn vbr_quality(q: u8) -> Result<Quality, String> {
    Ok(match q {
        0 => Quality::Best,
        1 => Quality::SecondBest,
        2 => Quality::NearBest,
        3 => Quality::VeryNice,
        4 => Quality::Nice,
        5 => Quality::Good,
        6 => Quality::Decent,
        7 => Quality::Ok,
        8 => Quality::SecondWorst,
        9 => Quality::Worst,
        other => return Err(format!("LAME has no VBR quality {other}")),
    })
}

impl Mp3Sink {
    pub fn new(mut file: File, rate: u32, channels: usize, size: Mp3Rate, tags: &Tags) -> Result<Mp3Sink, String> {
        let lame = |e: mp3lame_encoder::BuildError| format!("LAME refused the settings: {e:?}");
        let mut b = Builder::new().ok_or("LAME could not start")?;
        b.set_num_channels(channels as u8).map_err(lame)?;
        b.set_sample_rate(rate).map_err(lame)?;
        match size {
            Mp3Rate::Cbr(kbps) => b.set_brate(bitrate(kbps)?).map_err(lame)?,
            // `lame -V n`: the new VBR engine (mtrh), LAME's default for -V.
            Mp3Rate::Vbr(q) => {
                b.set_vbr_mode(VbrMode::Mtrh).map_err(lame)?;
                b.set_vbr_quality(vbr_quality(q)?).map_err(lame)?;
            }
        }
        // LAME's `-q 2`: its recommended high-quality setting.
        b.set_quality(Quality::NearBest).map_err(lame)?;
        b.set_to_write_vbr_tag(true).map_err(lame)?;
        let encoder = b.build().map_err(lame)?;
        let id3 = id3v2(tags);
        file.write_all(&id3).map_err(|e| e.to_string())?;
        Ok(Mp3Sink { file, encoder, audio_start: id3.len() as u64, out: Vec::new() })
    }

    pub fn write_f32(&mut self, planar: &[&[f32]]) -> Result<(), String> {
        let (left, right) = match planar {
            [l, r] => (*l, *r),
            [m] => (*m, *m),
            _ => return Err("MP3 holds mono or stereo".into()),
        };
        self.out.clear();
        self.out.reserve(mp3lame_encoder::max_required_buffer_size(left.len()));
        self.encoder
            .encode_to_vec(DualPcm { left, right }, &mut self.out)
            .map_err(|e| format!("LAME failed: {e:?}"))?;
        self.file.write_all(&self.out).map_err(|e| e.to_string())
    }

    pub fn finish(mut self) -> Result<(), String> {
        self.out.clear();
        self.out.reserve(7_200);
        self.encoder.flush_to_vec::<FlushGap>(&mut self.out).map_err(|e| format!("LAME failed: {e:?}"))?;
        self.file.write_all(&self.out).map_err(|e| e.to_string())?;
        // The Info tag, now that the length is known, over its placeholder frame.
        let mut tag = Vec::with_capacity(self.encoder.lame_tag_size());
        if self.encoder.lame_tag_encode_to_vec(&mut tag).is_some() {
            self.file.seek(SeekFrom::Start(self.audio_start)).map_err(|e| e.to_string())?;
            self.file.write_all(&tag).map_err(|e| e.to_string())?;
        }
        self.file.sync_all().map_err(|e| e.to_string())
    }
}

/// An ID3v2.4 tag of UTF-8 text frames; empty when there is nothing to say.
fn id3v2(tags: &Tags) -> Vec<u8> {
    let mut frames = Vec::new();
    let mut text = |id: &[u8; 4], value: &str| {
        let mut body = vec![3u8]; // UTF-8
        body.extend_from_slice(value.as_bytes());
        frames.extend_from_slice(id);
        frames.extend_from_slice(&syncsafe(body.len() as u32));
        frames.extend_from_slice(&[0, 0]);
        frames.extend_from_slice(&body);
    };
    let value = |key: &TagKey| tags.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    for (key, id) in [
        (TagKey::Title, b"TIT2"),
        (TagKey::Artist, b"TPE1"),
        (TagKey::Album, b"TALB"),
        (TagKey::Isrc, b"TSRC"),
        (TagKey::Date, b"TDRC"),
        (TagKey::Genre, b"TCON"),
    ] {
        if let Some(v) = value(&key) {
            text(id, v);
        }
    }
    if let Some(n) = value(&TagKey::TrackNumber) {
        let track = match value(&TagKey::TrackTotal) {
            Some(total) => format!("{n}/{total}"),
            None => n.to_string(),
        };
        text(b"TRCK", &track);
    }
    if let Some(cover) = &tags.cover {
        // APIC: Latin-1 MIME type, picture type 3 (front cover), an empty
        // description, the image.
        let mut body = vec![0u8];
        body.extend_from_slice(cover.mime.as_bytes());
        body.extend_from_slice(&[0, 3, 0]);
        body.extend_from_slice(&cover.data);
        frames.extend_from_slice(b"APIC");
        frames.extend_from_slice(&syncsafe(body.len() as u32));
        frames.extend_from_slice(&[0, 0]);
        frames.extend_from_slice(&body);
    }
    if frames.is_empty() {
        return Vec::new();
    }
    let mut tag = b"ID3\x04\x00\x00".to_vec();
    tag.extend_from_slice(&syncsafe(frames.len() as u32));
    tag.extend_from_slice(&frames);
    tag
}

/// 28 bits in four bytes of seven.
fn syncsafe(n: u32) -> [u8; 4] {
    [(n >> 21) as u8 & 0x7F, (n >> 14) as u8 & 0x7F, (n >> 7) as u8 & 0x7F, n as u8 & 0x7F]
}

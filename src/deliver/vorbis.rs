//! Ogg Vorbis files through libvorbis with the aoTuV tuning (the encoder
//! oggenc ships in most builds; `vorbis_rs`, C built from bundled source),
//! in quality mode (oggenc's `-q`) or aimed at a bitrate (`-b`). The last
//! page's granule position ends the stream at the master's last sample, so
//! decoders give back its length; the tags are Vorbis comments, as in FLAC.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::num::{NonZeroU32, NonZeroU8};

use vorbis_rs::{VorbisBitrateManagementStrategy, VorbisEncoder, VorbisEncoderBuilder};

use super::tags::Tags;
use crate::ir::VorbisRate;

/// Frames handed to libvorbis at a time: its documentation's advice (large
/// blocks slow its analysis down badly).
const BLOCK: usize = 4096;

struct Encoder(VorbisEncoder<BufWriter<File>>);

// SAFETY: the encoder's libvorbis state is plain memory owned by this value
// alone (no thread-local or global state in libvorbis); it moves to the
// writer thread once and is never shared.
unsafe impl Send for Encoder {}

pub struct VorbisSink {
    encoder: Encoder,
}

fn strategy(rate: VorbisRate) -> Result<VorbisBitrateManagementStrategy, String> {
    Ok(match rate {
        // libvorbis takes oggenc's quality divided by 10 (−0.1 to 1).
        VorbisRate::Quality(hundredths) => {
            VorbisBitrateManagementStrategy::QualityVbr { target_quality: f32::from(hundredths) / 1000.0 }
        }
        VorbisRate::Kbps(kbps) => VorbisBitrateManagementStrategy::Vbr {
            target_bitrate: NonZeroU32::new(kbps * 1000).ok_or("a bitrate of 0 kbit/s")?,
        },
    })
}

impl VorbisSink {
    pub fn new(
        file: File,
        rate: u32,
        channels: usize,
        quality: VorbisRate,
        tags: &Tags,
        seed: u64,
    ) -> Result<VorbisSink, String> {
        let hz = NonZeroU32::new(rate).ok_or("a rate of 0 Hz")?;
        let channels = u8::try_from(channels).ok().and_then(NonZeroU8::new).ok_or("no channels")?;
        let serial = super::ogg_serial(seed) as i32;
        let mut builder = VorbisEncoderBuilder::new_with_serial(hz, channels, BufWriter::new(file), serial);
        builder.bitrate_management_strategy(strategy(quality)?);
        for (key, value) in &tags.fields {
            builder
                .comment_tag(key.vorbis_name(), value.as_str())
                .map_err(|e| format!("tag `{}`: {e}", key.vorbis_name()))?;
        }
        if let Some(picture) = tags.picture_comment() {
            builder.comment_tag("METADATA_BLOCK_PICTURE", picture).map_err(|e| format!("the cover: {e}"))?;
        }
        let encoder = builder.build().map_err(|e| format!("libvorbis cannot encode this: {e}"))?;
        Ok(VorbisSink { encoder: Encoder(encoder) })
    }

    pub fn write_f32(&mut self, planar: &[&[f32]]) -> Result<(), String> {
        let frames = planar.first().map_or(0, |c| c.len());
        let mut start = 0;
        while start < frames {
            let end = (start + BLOCK).min(frames);
            let block: Vec<&[f32]> = planar.iter().map(|c| &c[start..end]).collect();
            self.encoder.0.encode_audio_block(&block).map_err(|e| format!("libvorbis: {e}"))?;
            start = end;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), String> {
        let mut file = self.encoder.0.finish().map_err(|e| format!("libvorbis: {e}"))?;
        file.flush().map_err(|e| e.to_string())?;
        file.get_ref().sync_all().map_err(|e| e.to_string())
    }
}

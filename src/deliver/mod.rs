//! Deliverables: the master output converted, quantised and written to every
//! `export`, each through a temporary file that replaces the target only when
//! the whole render has succeeded.
//!
//! The stage after rendering: mastering to loudness targets ([`mastering`]),
//! quantising and dither ([`quantize`], [`noise_shape`]), the encoders
//! ([`encode`]: WAV and FLAC) with their tags ([`tags`]), and judging the
//! delivered file against `check` lines ([`qc`]).

pub mod encode;
mod flac;
pub mod mastering;
pub mod mp3;
pub mod noise_shape;
pub mod opus;
pub mod qc;
pub mod quantize;
pub mod tags;
pub mod temp;
mod vorbis;
mod wav_sink;
mod wav_tags;

#[cfg(test)]
mod tests;

use std::ops::Range;

use crate::io::resample::StreamResampler;
use crate::io::AudioError;
use crate::ir::{Container, Export, Metadata, SampleFormat};
use crate::meter::{Measurement, Meter};
use encode::{AudioWriter, Completed, EncodeSpec};
use mastering::Programme;
use tags::{Bext, Loudness, TagKey, Tags};

/// Frames per write call when a whole programme is in memory.
const PROGRAMME_CHUNK: usize = 16_384;

/// One export being written.
pub struct Delivery {
    pub export: Export,
    writer: AudioWriter,
    resampler: Option<StreamResampler>,
    converted: Vec<Vec<f32>>,
    frames: u64,
    /// Measures what is delivered (after rate conversion), when asked to.
    meter: Option<Meter>,
    /// For integer files: the largest value they hold (full scale less one
    /// step), and a buffer for the clipped copy the meter reads.
    clip: Option<(f32, Vec<Vec<f32>>)>,
    /// Samples beyond full scale, clipped by the integer format.
    clipped: u64,
}

impl Delivery {
    /// Opens the temporary file for `export` of a render at `rate`.
    /// `frames`: the programme's length at `rate`, when known (0 otherwise).
    pub fn open(
        export: &Export,
        rate: u32,
        frames: u64,
        seed: u64,
        measure: bool,
        tags: Tags,
    ) -> Result<Self, AudioError> {
        let expected_frames = (frames as u128 * u128::from(export.rate)).div_ceil(u128::from(rate.max(1))) as u64;
        let spec = EncodeSpec {
            expected_frames,
            rate: export.rate,
            channels: 2,
            format: export.format,
            dither: export.dither,
            container: export.container,
            seed,
            tags,
        };
        let writer = AudioWriter::create(&export.path, spec)?;
        let resampler = if export.rate != rate {
            let r = StreamResampler::new(2, rate, export.rate)
                .map_err(|reason| AudioError::Resample { path: export.path.clone(), reason })?;
            Some(r)
        } else {
            None
        };
        let meter = if measure { Meter::new(2, export.rate).ok() } else { None };
        let full_scale = 1.0 - 1.0 / 2f64.powi(export.format.bits() as i32 - 1);
        let full_scale = if export.format == SampleFormat::F32 { 1.0 } else { full_scale };
        let clip = export.clips_at_full_scale().then(|| (full_scale as f32, vec![Vec::new(), Vec::new()]));
        Ok(Delivery {
            export: export.clone(),
            writer,
            resampler,
            converted: vec![Vec::new(), Vec::new()],
            frames: 0,
            meter,
            clip,
            clipped: 0,
        })
    }

    /// Appends a chunk of the master output.
    pub fn write(&mut self, chunk: &[&[f32]]) -> Result<(), AudioError> {
        match &mut self.resampler {
            None => {
                self.frames += chunk.first().map_or(0, |c| c.len()) as u64;
                self.measure(chunk);
                self.writer.write(chunk)
            }
            Some(r) => {
                for c in &mut self.converted {
                    c.clear();
                }
                r.process(chunk, &mut self.converted)
                    .map_err(|reason| AudioError::Resample { path: self.export.path.clone(), reason })?;
                self.flush_converted()
            }
        }
    }

    /// Writes `frames` of a programme held in memory, a chunk at a time.
    pub fn write_programme(&mut self, programme: &Programme, frames: Range<usize>) -> Result<(), AudioError> {
        let mut start = frames.start;
        while start < frames.end {
            let end = (start + PROGRAMME_CHUNK).min(frames.end);
            let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
            self.write(&chunk)?;
            start = end;
        }
        Ok(())
    }

    fn flush_converted(&mut self) -> Result<(), AudioError> {
        let view: Vec<&[f32]> = self.converted.iter().map(|c| c.as_slice()).collect();
        self.frames += view.first().map_or(0, |c| c.len()) as u64;
        if view.first().is_some_and(|c| !c.is_empty()) {
            Self::measure_into(&mut self.meter, &mut self.clip, &mut self.clipped, &view);
            self.writer.write(&view)?;
        }
        Ok(())
    }

    fn measure(&mut self, chunk: &[&[f32]]) {
        Self::measure_into(&mut self.meter, &mut self.clip, &mut self.clipped, chunk);
    }

    /// Meters `chunk` as the file will hold it: an integer format clips at
    /// full scale (counted in `clipped`), so the meter reads the clipped
    /// signal, and the summary's peaks and loudness are the file's.
    fn measure_into(
        meter: &mut Option<Meter>,
        clip: &mut Option<(f32, Vec<Vec<f32>>)>,
        clipped: &mut u64,
        chunk: &[&[f32]],
    ) {
        let Some((full_scale, copy)) = clip else {
            if let Some(m) = meter {
                m.add(chunk);
            }
            return;
        };
        let limit = *full_scale;
        // A sum of flags rather than `filter().count()`: this vectorises.
        let over: usize =
            chunk.iter().map(|c| c.iter().map(|x| usize::from(*x > limit || *x < -1.0)).sum::<usize>()).sum();
        *clipped += over as u64;
        let Some(m) = meter else { return };
        if over == 0 {
            m.add(chunk);
            return;
        }
        for (dst, src) in copy.iter_mut().zip(chunk) {
            dst.clear();
            dst.extend(src.iter().map(|x| x.clamp(-1.0, limit)));
        }
        let view: Vec<&[f32]> = copy.iter().map(|c| c.as_slice()).collect();
        m.add(&view);
    }

    /// Samples beyond full scale that the integer format clipped (0 for float files).
    pub fn clipped(&self) -> u64 {
        self.clipped
    }

    /// Flushes the resampler's tail into the file (and the meter).
    pub fn drain(&mut self) -> Result<(), AudioError> {
        if let Some(r) = &mut self.resampler {
            for c in &mut self.converted {
                c.clear();
            }
            r.finish(&mut self.converted)
                .map_err(|reason| AudioError::Resample { path: self.export.path.clone(), reason })?;
            self.flush_converted()?;
            self.resampler = None;
        }
        Ok(())
    }

    /// What the delivered signal measures (after `drain`), when measuring.
    ///
    /// The meter reads the signal handed to the encoder, after rate
    /// conversion and before quantisation: dither moves it by at most one
    /// LSB, far below a hundredth of a dB.
    pub fn measured(&self) -> Option<Measurement> {
        self.meter.as_ref().map(|m| m.finish())
    }

    /// Flushes the resampler, completes the file and moves it into place.
    /// The loudness in a WAV's `bext` chunk is `measured`, else this
    /// delivery's own meter reading.
    pub fn finish(self, measured: Option<&Measurement>) -> Result<u64, AudioError> {
        let (frames, completed) = self.complete(measured)?;
        completed.commit()?;
        Ok(frames)
    }

    /// [`finish`](Delivery::finish) without the move into place: the frames
    /// written and the complete file under its temporary name.
    pub fn complete(mut self, measured: Option<&Measurement>) -> Result<(u64, Completed), AudioError> {
        self.drain()?;
        if let Some(m) = measured.cloned().or_else(|| self.measured()) {
            self.writer.set_loudness(Loudness {
                integrated: m.integrated_lufs,
                range: m.loudness_range_lu,
                true_peak: m.true_peak_dbtp,
                max_momentary: m.max_momentary_lufs,
                max_short_term: m.max_short_term_lufs,
            });
        }
        let frames = self.frames;
        Ok((frames, self.writer.complete()?))
    }
}

/// What a lossy file gives a listener: `completed` decoded (by libopus, or
/// symphonia's MP3 decoder) and measured, as the summary and `check` lines
/// judge it. Lossless files hold what was measured on the way in.
pub fn measure_decoded(export: &Export, completed: &Completed) -> Result<Option<Measurement>, AudioError> {
    if !export.container.is_lossy() {
        return Ok(None);
    }
    crate::meter::measure_file(completed.path()).map(Some).map_err(|e| undecodable(export, e))
}

/// A lossy file that does not decode, named by its export (not by its
/// temporary name).
pub fn undecodable(export: &Export, e: AudioError) -> AudioError {
    match e {
        AudioError::Open { reason, .. } | AudioError::Decode { reason, .. } => AudioError::Write {
            path: export.path.clone(),
            reason: format!("the encoded file does not decode: {reason}; nothing was written"),
        },
        other => other,
    }
}

/// An Ogg stream's serial number from a render's dither seed, so the same
/// recipe writes the same bytes (Opus and Vorbis files).
fn ogg_serial(seed: u64) -> u32 {
    (seed ^ (seed >> 32)) as u32
}

/// The tags a song's deliverable carries: its metadata as Vorbis comments
/// (FLAC) or LIST/INFO (WAV), and for WAV a BWF `bext` chunk whose loudness
/// fields are filled in from the delivered file's measurement at `finish`.
/// Nothing time-dependent goes in (no origination date unless the song sets
/// `date`), so renders stay byte-identical.
pub fn song_tags(metadata: &Metadata, export: &Export) -> Tags {
    let mut tags = Tags::default();
    let known = [
        (TagKey::Title, &metadata.title),
        (TagKey::Artist, &metadata.artist),
        (TagKey::Album, &metadata.album),
        (TagKey::Isrc, &metadata.isrc),
    ];
    for (key, value) in known {
        if let Some(v) = value {
            tags = tags.with(key, v.clone());
        }
    }
    for (name, value) in &metadata.extra {
        let key = match name.as_str() {
            "date" | "year" => TagKey::Date,
            "genre" => TagKey::Genre,
            "comment" => TagKey::Comment,
            "track" | "tracknumber" => TagKey::TrackNumber,
            other => TagKey::Other(other.to_string()),
        };
        tags = tags.with(key, value.clone());
    }
    tags.cover = metadata.cover.clone();
    if export.container == Container::Wav {
        let description = match (&metadata.title, &metadata.artist) {
            (Some(t), Some(a)) => format!("{t} - {a}"),
            (Some(t), None) => t.clone(),
            (None, Some(a)) => a.clone(),
            (None, None) => String::new(),
        };
        let bits = export.format.bits();
        let kind = if bits == 32 { "FLOAT" } else { "PCM" };
        let bext = Bext {
            description: truncate(&description, 256),
            originator_reference: String::new(),
            coding_history: format!(
                "A={kind},F={},W={bits},M=stereo,T=mixc {}\r\n",
                export.rate,
                env!("CARGO_PKG_VERSION")
            ),
            ..Bext::default()
        };
        tags = tags.with_bext(bext);
    }
    tags
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

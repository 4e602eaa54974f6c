//! Writing audio files: WAV (hound) and FLAC (our frame encoder, `flac.rs`), streamed through a
//! temporary file in the target folder that `finish` renames into place, so a
//! failed or interrupted render never leaves a half-written deliverable.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::flac::FlacSink;
use super::quantize::Quantizer;
use super::AudioError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleFormat {
    I16,
    I24,
    F32,
}

impl SampleFormat {
    /// Bits per sample in the file.
    pub fn bits(self) -> u32 {
        match self {
            SampleFormat::I16 => 16,
            SampleFormat::I24 => 24,
            SampleFormat::F32 => 32,
        }
    }
}

/// Dither applied when quantising to an integer format (ignored for `F32`).
///
/// `Tpdf` is *auto*: no noise is added while every sample is exactly
/// representable at the target depth; the first sample that is not switches
/// TPDF dither on for the rest of the file. Sources already on the target grid
/// are thus written bit-exactly (the identity rule), processed audio is
/// dithered. See [`super::quantize::Quantizer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    None,
    Tpdf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Wav,
    Flac,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodeSpec {
    pub rate: u32,
    pub channels: usize,
    pub format: SampleFormat,
    pub dither: Dither,
    pub container: Container,
    /// Seed of the dither noise, so renders are reproducible.
    pub seed: u64,
}

enum Sink {
    Wav(hound::WavWriter<BufWriter<File>>),
    Flac(Box<FlacSink>),
}

/// Writes an audio file through a temporary file renamed on `finish`.
///
/// Dropping a writer without calling `finish` removes the temporary file and
/// leaves any existing file at the target path untouched.
pub struct AudioWriter {
    target: PathBuf,
    tmp: PathBuf,
    spec: EncodeSpec,
    sink: Option<Sink>,
    quantizer: Quantizer,
    /// Interleaved quantised samples, reused between calls.
    ints: Vec<i32>,
}

/// Output buffer: large enough that write syscalls vanish from the profile.
const WRITE_BUFFER: usize = 1 << 18;

/// `.NAME.mixc-tmp-PID` beside the target: same folder, so the final rename
/// is atomic, and hidden, so a crash leaves nothing that looks like output.
fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.mixc-tmp-{}", std::process::id()))
}

fn open_sink(file: File, spec: &EncodeSpec) -> Result<Sink, String> {
    let bits = spec.format.bits();
    match spec.container {
        Container::Wav => {
            let wav_spec = hound::WavSpec {
                channels: spec.channels as u16,
                sample_rate: spec.rate,
                bits_per_sample: bits as u16,
                sample_format: match spec.format {
                    SampleFormat::F32 => hound::SampleFormat::Float,
                    _ => hound::SampleFormat::Int,
                },
            };
            let out = BufWriter::with_capacity(WRITE_BUFFER, file);
            let w = hound::WavWriter::new(out, wav_spec).map_err(|e| e.to_string())?;
            Ok(Sink::Wav(w))
        }
        Container::Flac if spec.format == SampleFormat::F32 => {
            Err("FLAC stores 16- or 24-bit integers; use WAV for 32-bit float".into())
        }
        Container::Flac => Ok(Sink::Flac(Box::new(FlacSink::new(file, spec.rate, spec.channels, bits)?))),
    }
}

impl AudioWriter {
    pub fn create(path: &Path, spec: EncodeSpec) -> Result<Self, AudioError> {
        let werr = |reason: String| AudioError::Write { path: path.into(), reason };
        if !(1..=2).contains(&spec.channels) || spec.rate == 0 {
            return Err(werr(format!("cannot write {} channels at {} Hz", spec.channels, spec.rate)));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .map_err(|e| werr(format!("cannot create folder `{}`: {e}", parent.display())))?;
        }
        let tmp = temp_path(path);
        let file = File::create(&tmp).map_err(|e| werr(e.to_string()))?;
        let sink = open_sink(file, &spec).map_err(|reason| {
            let _ = fs::remove_file(&tmp);
            werr(reason)
        })?;
        let quantizer = Quantizer::new(spec.format.bits(), spec.dither, spec.seed);
        Ok(AudioWriter { target: path.into(), tmp, spec, sink: Some(sink), quantizer, ints: Vec::new() })
    }

    /// Appends frames: one slice per channel, all the same length.
    pub fn write(&mut self, planar: &[&[f32]]) -> Result<(), AudioError> {
        let channels = self.spec.channels;
        let n = planar.first().map_or(0, |c| c.len());
        if planar.len() != channels || planar.iter().any(|c| c.len() != n) {
            return Err(self.error(format!("expected {channels} channel slices of equal length")));
        }
        let result = match self.sink.as_mut() {
            Some(Sink::Wav(w)) if self.spec.format == SampleFormat::F32 => {
                (0..n).try_for_each(|i| planar.iter().try_for_each(|c| w.write_sample(c[i]))).map_err(|e| e.to_string())
            }
            Some(sink) => {
                // Quantised straight from the planar input, in interleaved
                // order (the dither sequence is unchanged): no float copy.
                self.quantizer.quantize_planar(planar, &mut self.ints);
                write_ints(sink, &self.ints, self.spec.format)
            }
            None => Err("the writer is closed".into()),
        };
        result.map_err(|reason| self.error(reason))
    }

    /// Completes the file and moves it into place.
    pub fn finish(mut self) -> Result<(), AudioError> {
        let result = match self.sink.take() {
            Some(Sink::Wav(w)) => finish_wav(w, &self.tmp),
            Some(Sink::Flac(f)) => f.finish(),
            None => Err("the writer is closed".into()),
        };
        result.map_err(|reason| self.error(reason))?;
        fs::rename(&self.tmp, &self.target).map_err(|e| self.error(e.to_string()))?;
        // Renamed: nothing left for `Drop` to clean up.
        self.tmp = PathBuf::new();
        Ok(())
    }

    fn error(&self, reason: String) -> AudioError {
        AudioError::Write { path: self.target.clone(), reason }
    }
}

fn write_ints(sink: &mut Sink, ints: &[i32], format: SampleFormat) -> Result<(), String> {
    match sink {
        Sink::Wav(w) if format == SampleFormat::I16 => {
            // hound's bulk 16-bit writer: one bounds check per call, not per sample.
            let mut bulk = w.get_i16_writer(ints.len() as u32);
            ints.iter().for_each(|&x| bulk.write_sample(x as i16));
            bulk.flush().map_err(|e| e.to_string())
        }
        Sink::Wav(w) => ints.iter().try_for_each(|&x| w.write_sample(x)).map_err(|e| e.to_string()),
        Sink::Flac(f) => f.write(ints),
    }
}

/// hound patches the RIFF sizes on `finalize`; the file is then reopened to
/// sync it, since `finalize` consumes the writer.
fn finish_wav(w: hound::WavWriter<BufWriter<File>>, tmp: &Path) -> Result<(), String> {
    w.finalize().map_err(|e| e.to_string())?;
    File::open(tmp).and_then(|f| f.sync_all()).map_err(|e| e.to_string())
}

impl Drop for AudioWriter {
    fn drop(&mut self) {
        // Close the file before removing it; an empty `tmp` means `finish` ran.
        drop(self.sink.take());
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

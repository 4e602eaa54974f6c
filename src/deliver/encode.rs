//! Writing audio files: WAV (`wav_sink.rs`), FLAC (our frame encoder,
//! `flac.rs`), MP3 (LAME, `mp3.rs`), Opus (libopus, `opus.rs`) and Vorbis (libvorbis, `vorbis.rs`), with
//! their metadata ([`Tags`]),
//! streamed through a temporary file in the target folder that `finish` renames into place, so a failed or
//! interrupted render never leaves a half-written deliverable.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::flac::FlacSink;
use super::mp3::Mp3Sink;
use super::opus::OpusSink;
use super::quantize::Quantizer;
use super::tags::{Loudness, Tags};
use super::temp::TempFile;
use super::vorbis::VorbisSink;
use super::wav_sink::WavSink;
use crate::io::AudioError;
use crate::ir::{Container, Dither, SampleFormat};

/// What to write. `tags` go into the file's header (Vorbis comments in FLAC;
/// `LIST`/`INFO` and `bext` in WAV); `Tags::default()` writes none.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeSpec {
    pub rate: u32,
    pub channels: usize,
    pub format: SampleFormat,
    pub dither: Dither,
    pub container: Container,
    /// Seed of the dither noise, so renders are reproducible.
    pub seed: u64,
    /// Metadata written into the file.
    pub tags: Tags,
    /// The frames the file will hold, when known (0 otherwise): a WAV file
    /// past 4 GiB is laid out as RF64 from the start, and the disk is
    /// checked for room before anything is written.
    pub expected_frames: u64,
}

enum Sink {
    Wav(Box<WavSink>),
    Flac(Box<FlacSink>),
    Mp3(Box<Mp3Sink>),
    Opus(Box<OpusSink>),
    Vorbis(Box<VorbisSink>),
}

/// Writes an audio file through a temporary file renamed on `finish`.
///
/// Dropping a writer without calling `finish` removes the temporary file and
/// leaves any existing file at the target path untouched.
pub struct AudioWriter {
    target: PathBuf,
    /// `.NAME.mixc-tmp-PID` beside the target (see [`super::temp`]).
    /// `None` once `finish` renamed it into place.
    tmp: Option<TempFile>,
    spec: EncodeSpec,
    sink: Option<Sink>,
    quantizer: Quantizer,
    /// Interleaved quantised samples, reused between calls.
    ints: Vec<i32>,
    /// Frames written so far, for messages.
    frames: u64,
}

impl EncodeSpec {
    /// Bytes of one frame of PCM: every channel's sample.
    pub fn frame_bytes(&self) -> u64 {
        u64::from(self.format.bits().div_ceil(8)) * self.channels as u64
    }
}

/// A WAV file's size is known before it is begun: refuse to start one the
/// disk cannot hold, rather than fail hours in. (FLAC's size depends on the
/// audio; it is not checked.)
fn room_for(path: &Path, spec: &EncodeSpec) -> Result<(), String> {
    if spec.container != Container::Wav || spec.expected_frames == 0 {
        return Ok(());
    }
    let needed = spec.expected_frames.saturating_mul(spec.frame_bytes()).saturating_add(1 << 16);
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match free_bytes(folder) {
        Some(free) if free < needed => Err(format!(
            "the file needs {:.1} GB and the disk holding `{}` has {:.1} GB free; nothing was written",
            needed as f64 / 1e9,
            folder.display(),
            free as f64 / 1e9
        )),
        _ => Ok(()),
    }
}

/// Bytes an unprivileged writer may still use on the file system of `dir`.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a valid NUL-terminated path; `stats` is written by the call
    // and read only when it succeeds.
    let stats = unsafe {
        if libc::statvfs(c.as_ptr(), stats.as_mut_ptr()) != 0 {
            return None;
        }
        stats.assume_init()
    };
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

fn open_sink(file: File, spec: &EncodeSpec) -> Result<Sink, String> {
    let bits = spec.format.bits();
    match spec.container {
        Container::Wav => Ok(Sink::Wav(Box::new(WavSink::new(file, spec)?))),
        Container::Flac if spec.format == SampleFormat::F32 => {
            Err("FLAC stores 16- or 24-bit integers; use WAV for 32-bit float".into())
        }
        Container::Flac => Ok(Sink::Flac(Box::new(FlacSink::new(file, spec.rate, spec.channels, bits, &spec.tags)?))),
        Container::Mp3 { rate } => {
            Ok(Sink::Mp3(Box::new(Mp3Sink::new(file, spec.rate, spec.channels, rate, &spec.tags)?)))
        }
        Container::Opus { .. } if spec.rate != super::opus::RATE => {
            Err(format!("Opus runs at 48 kHz; this master is at {} Hz", spec.rate))
        }
        Container::Opus { kbps, mode } => {
            Ok(Sink::Opus(Box::new(OpusSink::new(file, spec.channels, kbps, mode, &spec.tags, spec.seed)?)))
        }
        Container::Vorbis { rate } => {
            Ok(Sink::Vorbis(Box::new(VorbisSink::new(file, spec.rate, spec.channels, rate, &spec.tags, spec.seed)?)))
        }
    }
}

impl AudioWriter {
    pub fn create(path: &Path, spec: EncodeSpec) -> Result<Self, AudioError> {
        let werr = |reason: String| AudioError::Write { path: path.into(), reason };
        if !(1..=2).contains(&spec.channels) || spec.rate == 0 {
            return Err(werr(format!("cannot write {} channels at {} Hz", spec.channels, spec.rate)));
        }
        spec.tags.validate().map_err(werr)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .map_err(|e| werr(format!("cannot create folder `{}`: {e}", parent.display())))?;
        }
        room_for(path, &spec).map_err(werr)?;
        let tmp = TempFile::new(path);
        let file = File::create(tmp.path()).map_err(|e| werr(e.to_string()))?;
        let sink = open_sink(file, &spec).map_err(werr)?;
        let quantizer = Quantizer::new(spec.format.bits(), spec.dither, spec.seed, spec.rate, spec.channels);
        Ok(AudioWriter {
            target: path.into(),
            tmp: Some(tmp),
            spec,
            sink: Some(sink),
            quantizer,
            ints: Vec::new(),
            frames: 0,
        })
    }

    /// Appends frames: one slice per channel, all the same length.
    pub fn write(&mut self, planar: &[&[f32]]) -> Result<(), AudioError> {
        let channels = self.spec.channels;
        let n = planar.first().map_or(0, |c| c.len());
        if planar.len() != channels || planar.iter().any(|c| c.len() != n) {
            return Err(self.error(format!("expected {channels} channel slices of equal length")));
        }
        self.refuse_non_finite(planar)?;
        let result = match self.sink.as_mut() {
            Some(Sink::Wav(w)) if self.spec.format == SampleFormat::F32 => w.write_f32(planar),
            // The encoder takes the float signal: it quantises nothing.
            Some(Sink::Mp3(m)) => m.write_f32(planar),
            Some(Sink::Opus(o)) => o.write_f32(planar),
            Some(Sink::Vorbis(v)) => v.write_f32(planar),
            Some(sink) => {
                // Quantised straight from the planar input, in interleaved
                // order (the dither sequence is unchanged): no float copy.
                self.quantizer.quantize_planar(planar, &mut self.ints);
                write_ints(sink, &self.ints)
            }
            None => Err("the writer is closed".into()),
        };
        self.frames += n as u64;
        result.map_err(|reason| self.error(reason))
    }

    /// NaN, infinity or a level past +60 dBFS ([`crate::io::MAX_SAMPLE`])
    /// never reaches a file: a float file would carry it to every player,
    /// and an integer one would hide it as full-scale clipping.
    fn refuse_non_finite(&self, planar: &[&[f32]]) -> Result<(), AudioError> {
        let fits = |x: f32| x.abs() <= crate::io::MAX_SAMPLE; // false for NaN
                                                              // One branch-free pass (it vectorises); the search runs only on failure.
        if planar.iter().all(|c| c.iter().fold(true, |ok, &x| ok & fits(x))) {
            return Ok(());
        }
        let (frame, channel) = planar
            .iter()
            .enumerate()
            .filter_map(|(ch, c)| c.iter().position(|&x| !fits(x)).map(|i| (i, ch)))
            .min()
            .unwrap_or((0, 0));
        let value = planar[channel][frame];
        let what = if value.is_nan() {
            "is NaN (not a number)".to_string()
        } else if value.is_infinite() {
            "is infinite".to_string()
        } else {
            format!("reaches {:+.1} dBFS", 20.0 * f64::from(value.abs()).log10())
        };
        let at = crate::io::position(self.frames + frame as u64, self.spec.rate);
        Err(self.error(format!(
            "the mix {what} at {at}, channel {} (mixc writes nothing past +60 dBFS): a gain or processor \
             blew it up; nothing was written",
            channel + 1
        )))
    }

    /// Sets the loudness the `bext` chunk records, replacing the one given
    /// in `spec.tags`; written by `finish`. Only WAV files with a `bext`
    /// record store loudness: for others this does nothing.
    pub fn set_loudness(&mut self, loudness: Loudness) {
        if let Some(Sink::Wav(w)) = &mut self.sink {
            w.set_loudness(loudness);
        }
    }

    /// Completes the file and moves it into place.
    pub fn finish(self) -> Result<(), AudioError> {
        self.complete()?.commit()
    }

    /// Completes the file under its temporary name, to be read back (a
    /// lossy file is measured after decoding) before it is moved into place.
    pub fn complete(mut self) -> Result<Completed, AudioError> {
        let result = match self.sink.take() {
            Some(Sink::Wav(w)) => w.finish(),
            Some(Sink::Flac(f)) => f.finish(),
            Some(Sink::Mp3(m)) => m.finish(),
            Some(Sink::Opus(o)) => o.finish(),
            Some(Sink::Vorbis(v)) => v.finish(),
            None => Err("the writer is closed".into()),
        };
        result.map_err(|reason| self.error(reason))?;
        match self.tmp.take() {
            Some(tmp) => Ok(Completed { target: std::mem::take(&mut self.target), tmp }),
            None => Err(self.error("the writer is closed".into())),
        }
    }

    fn error(&self, reason: String) -> AudioError {
        AudioError::Write { path: self.target.clone(), reason }
    }
}

/// A complete file under its temporary name: dropped, it is removed.
#[derive(Debug)]
pub struct Completed {
    target: PathBuf,
    tmp: TempFile,
}

impl Completed {
    /// Where the complete file is until [`commit`](Completed::commit).
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Moves the file into place.
    pub fn commit(self) -> Result<(), AudioError> {
        let target = self.target;
        self.tmp.commit().map_err(|e| AudioError::Write { path: target, reason: e.to_string() })
    }
}

fn write_ints(sink: &mut Sink, ints: &[i32]) -> Result<(), String> {
    match sink {
        Sink::Wav(w) => w.write_ints(ints),
        Sink::Flac(f) => f.write(ints),
        Sink::Mp3(_) | Sink::Opus(_) | Sink::Vorbis(_) => Err("a lossy file is encoded from the float signal".into()),
    }
}

impl Drop for AudioWriter {
    fn drop(&mut self) {
        // Close the file; the temporary file, dropped next, removes itself
        // unless `finish` renamed it into place.
        drop(self.sink.take());
    }
}

//! Decoding source files to planar f32 at the file's own rate.
//!
//! WAV PCM/float goes through the hand-written fast path in [`super::wav`]
//! (decode speed matters: see that file); Ogg Opus through libopus
//! ([`super::opus`]); everything else goes through symphonia
//! ([`super::symph`]). Integer PCM maps to f32 as `i / 2^(bits-1)`,
//! so 16- and 24-bit sources survive bit-exactly.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::conceal::Concealed;
use super::opus::{self, OpusReader};
use super::symph::{self, SymReader};
use super::wav::{self, WavReader};
use super::AudioError;

/// Frames per read in [`Decoder::read_to_end`].
const READ_FRAMES: usize = 8192;

/// What a source file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceInfo {
    pub channels: usize,
    pub rate: u32,
    /// Length in frames at `rate`, when the container says.
    pub frames: Option<u64>,
    pub bits_per_sample: Option<u32>,
    /// Codec name for messages, e.g. `"pcm_s24le"`, `"flac"`.
    pub codec: String,
}

/// Reads the header of `path`: channels, rate, length (accepting damage
/// there when `conceal`).
pub fn probe(path: &Path, conceal: bool) -> Result<SourceInfo, AudioError> {
    Decoder::open_with(path, conceal).map(|d| d.info)
}

/// Which path decodes this file.
enum Inner {
    Wav(WavReader),
    Sym(Box<SymReader>),
    Opus(Box<OpusReader>),
}

/// A streaming decoder yielding planar f32 at the file's own rate.
pub struct Decoder {
    info: SourceInfo,
    inner: Inner,
    path: PathBuf,
    /// Frames handed out so far: where the next one sits in the file.
    frames_read: u64,
    /// `on_error = conceal`: unplayable samples zeroed here (the readers
    /// count the silence they put in place of damaged audio).
    conceal: Option<Concealed>,
}

fn open_file(path: &Path) -> Result<File, AudioError> {
    let reason = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => "file not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    let file = File::open(path).map_err(|e| AudioError::Open { path: path.into(), reason: reason(e) })?;
    let meta = file.metadata().map_err(|e| AudioError::Open { path: path.into(), reason: reason(e) })?;
    if meta.is_dir() {
        return Err(AudioError::Open { path: path.into(), reason: "is a folder, not a file".into() });
    }
    if meta.len() == 0 {
        return Err(AudioError::Open { path: path.into(), reason: "the file is empty".into() });
    }
    Ok(file)
}

impl Decoder {
    /// Opens a mono or stereo source (what the renderer accepts).
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        Self::open_with(path, false)
    }

    /// [`open`](Decoder::open), concealing damage when `conceal` (see
    /// [`super::conceal`]); [`concealed`](Decoder::concealed) says what was.
    pub fn open_with(path: &Path, conceal: bool) -> Result<Self, AudioError> {
        let decoder = Self::open_any_with(path, conceal)?;
        if decoder.info.channels > 2 {
            return Err(AudioError::Channels { path: path.into(), channels: decoder.info.channels });
        }
        Ok(decoder)
    }

    /// Opens a file with any number of channels (the loudness meter reads 5.1).
    pub fn open_any(path: &Path) -> Result<Self, AudioError> {
        Self::open_any_with(path, false)
    }

    fn open_any_with(path: &Path, conceal: bool) -> Result<Self, AudioError> {
        let mut file = open_file(path)?;
        let (info, inner) = match wav::parse(&mut file, path, conceal)? {
            Some(layout) => {
                let info = SourceInfo {
                    channels: layout.channels,
                    rate: layout.rate,
                    frames: Some(layout.frames),
                    bits_per_sample: Some(layout.valid_bits),
                    codec: layout.sample.codec_name().into(),
                };
                (info, Inner::Wav(WavReader::new(file, layout, path)?))
            }
            None if opus::is_opus(&mut file) => {
                let (reader, info) = opus::open(file, path, conceal)?;
                (info, Inner::Opus(Box::new(reader)))
            }
            None => {
                // The parser read part of the header: symphonia starts afresh.
                let (reader, info) = symph::open(open_file(path)?, path, conceal)?;
                (info, Inner::Sym(Box::new(reader)))
            }
        };
        let conceal = conceal.then(Concealed::default);
        Ok(Decoder { info, inner, path: path.into(), frames_read: 0, conceal })
    }

    pub fn info(&self) -> &SourceInfo {
        &self.info
    }

    /// Reads up to `out[0].len()` frames into `out` (one slice per channel of the
    /// file); returns the frames written, 0 at the end of the stream.
    ///
    /// May return fewer frames than asked before the end (one packet at a time);
    /// only 0 means the end.
    pub fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        if out.len() < self.info.channels {
            return Err(AudioError::Decode {
                path: self.path.clone(),
                reason: format!("{} output slices given for {} channels", out.len(), self.info.channels),
            });
        }
        let out = &mut out[..self.info.channels];
        let n = match &mut self.inner {
            Inner::Wav(r) => r.read(out)?,
            Inner::Sym(r) => r.read(out)?,
            Inner::Opus(r) => r.read(out)?,
        };
        match &mut self.conceal {
            Some(c) => zero_unplayable(out, n, self.frames_read, c),
            None => self.refuse_unplayable(out, n)?,
        }
        self.frames_read += n as u64;
        Ok(n)
    }

    /// Reads the rest of the file, handing `chunk` each block as it is
    /// decoded (one slice per channel of the file).
    pub fn read_to_end(&mut self, chunk: &mut dyn FnMut(&[&[f32]])) -> Result<(), AudioError> {
        let mut buffers = vec![vec![0.0f32; READ_FRAMES]; self.info.channels];
        loop {
            let mut outs: Vec<&mut [f32]> = buffers.iter_mut().map(|b| b.as_mut_slice()).collect();
            let n = self.read(&mut outs)?;
            if n == 0 {
                return Ok(());
            }
            let block: Vec<&[f32]> = buffers.iter().map(|b| &b[..n]).collect();
            chunk(&block);
        }
    }

    /// What `on_error = conceal` replaced so far (empty when decoding strictly).
    pub fn concealed(&self) -> Concealed {
        let mut all = self.conceal.clone().unwrap_or_default();
        match &self.inner {
            Inner::Wav(r) => all.merge(&r.concealed),
            Inner::Sym(r) => all.merge(&r.concealed),
            Inner::Opus(r) => all.merge(&r.concealed),
        }
        all
    }

    /// NaN, infinite or absurdly loud samples (a damaged float file) are an
    /// error naming the first one: passed on, one would poison every filter
    /// after it; read as silence, the damage would go unnoticed.
    fn refuse_unplayable(&self, out: &[&mut [f32]], n: usize) -> Result<(), AudioError> {
        let playable = |x: f32| x.abs() <= super::MAX_SAMPLE; // false for NaN
                                                              // One branch-free pass per channel (it vectorises); the search for the
                                                              // first bad sample runs only when there is one.
        if out.iter().all(|c| c[..n].iter().fold(true, |ok, &x| ok & playable(x))) {
            return Ok(());
        }
        let (frame, channel, value) = out
            .iter()
            .enumerate()
            .filter_map(|(ch, c)| c[..n].iter().position(|&x| !playable(x)).map(|i| (i, ch, c[i])))
            .min_by_key(|&(i, ch, _)| (i, ch))
            .unwrap_or((0, 0, f32::NAN));
        let what = if value.is_nan() {
            "is NaN (not a number)".to_string()
        } else if value.is_infinite() {
            "is infinite".to_string()
        } else {
            format!("is {value:e}, past +60 dBFS")
        };
        let count: usize = out.iter().map(|c| c[..n].iter().filter(|&&x| !playable(x)).count()).sum();
        let at = super::position(self.frames_read + frame as u64, self.info.rate);
        Err(AudioError::Decode {
            path: self.path.clone(),
            reason: format!(
                "the sample at {at}, channel {}, {what} ({count} in this block): the file is damaged",
                channel + 1
            ),
        })
    }

    /// The file this decoder reads, for messages.
    /// (See [`zero_unplayable`] for the concealing counterpart of
    /// [`refuse_unplayable`](Decoder::refuse_unplayable).)
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// `on_error = conceal`: NaN, infinite and absurd samples become 0, counted.
fn zero_unplayable(out: &mut [&mut [f32]], n: usize, frames_read: u64, concealed: &mut Concealed) {
    let playable = |x: f32| x.abs() <= super::MAX_SAMPLE; // false for NaN
    let mut first: Option<usize> = None;
    let mut count = 0u64;
    for c in out.iter_mut() {
        for (i, x) in c[..n].iter_mut().enumerate() {
            if !playable(*x) {
                *x = 0.0;
                count += 1;
                first = Some(first.map_or(i, |f| f.min(i)));
            }
        }
    }
    if let Some(i) = first {
        concealed.zeroed(frames_read + i as u64, count, "a NaN, infinite or absurd sample");
    }
}

//! Where a song's master output waits while it is mastered: in memory when
//! it is short, in a temporary file on disk when it is long, so that peak
//! memory stays flat however long the programme is (a 10-hour stereo
//! programme is 13.8 GB of f32). Every mastering pass then streams it
//! chunk by chunk ([`Held::replay`]), from memory or from the file, and the
//! two give the same samples bit for bit.
//!
//! The bound is [`DEFAULT_BOUND_MIB`] of audio (about 5¾ minutes of stereo
//! at 48 kHz), or `MIXC_HOLD_MIB` from the environment.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::Programme;
use crate::deliver::temp::TempFile;
use crate::io::resample::StreamResampler;
use crate::io::AudioError;
use crate::meter::Meter;

/// Where a replay hands each chunk (one slice per channel).
pub type ChunkSink<'a> = dyn FnMut(&[&[f32]]) -> Result<(), AudioError> + 'a;

/// Audio held in memory before the rest goes to disk, MiB.
pub const DEFAULT_BOUND_MIB: u64 = 128;

/// Frames per chunk when a held programme is replayed.
pub const CHUNK: usize = 16_384;

/// The bound in bytes: `MIXC_HOLD_MIB`, or the default.
pub fn bound_bytes() -> u64 {
    let mib = std::env::var("MIXC_HOLD_MIB").ok().and_then(|v| v.trim().parse::<u64>().ok());
    mib.unwrap_or(DEFAULT_BOUND_MIB).saturating_mul(1 << 20)
}

/// A whole master output, at its rate, replayable as often as mastering needs.
pub struct Held {
    rate: u32,
    channels: usize,
    frames: usize,
    store: Store,
    loudness: OnceLock<Option<f64>>,
}

enum Store {
    Memory(Programme),
    /// Interleaved little-endian f32 frames; removed with the [`TempFile`].
    Disk {
        file: File,
        _temp: TempFile,
        path: PathBuf,
    },
}

impl Held {
    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    pub fn frames(&self) -> usize {
        self.frames
    }

    /// The programme, when it is held in memory.
    pub fn in_memory(&self) -> Option<&Programme> {
        match &self.store {
            Store::Memory(p) => Some(p),
            Store::Disk { .. } => None,
        }
    }

    /// Hands the programme to `each` in chunks of [`CHUNK`] frames, in order.
    pub fn replay(&self, each: &mut ChunkSink) -> Result<(), AudioError> {
        match &self.store {
            Store::Memory(p) => replay(p, each),
            Store::Disk { file, path, .. } => {
                let frame_bytes = self.channels * 4;
                let mut bytes = vec![0u8; CHUNK * frame_bytes];
                let mut planar = vec![Vec::with_capacity(CHUNK); self.channels];
                let mut start = 0;
                while start < self.frames {
                    let n = (self.frames - start).min(CHUNK);
                    read_at(file, &mut bytes[..n * frame_bytes], (start * frame_bytes) as u64)
                        .map_err(|e| AudioError::Decode { path: path.clone(), reason: format!("read error: {e}") })?;
                    for (c, plane) in planar.iter_mut().enumerate() {
                        plane.clear();
                        plane.extend(bytes[..n * frame_bytes].chunks_exact(frame_bytes).map(|f| {
                            let at = c * 4;
                            f32::from_le_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]])
                        }));
                    }
                    let view: Vec<&[f32]> = planar.iter().map(|p| p.as_slice()).collect();
                    each(&view)?;
                    start += n;
                }
                Ok(())
            }
        }
    }

    /// The programme's integrated loudness, LUFS (measured once, on first use).
    pub fn loudness(&self) -> Result<Option<f64>, AudioError> {
        if let Some(l) = self.loudness.get() {
            return Ok(*l);
        }
        let Ok(mut meter) = Meter::new(self.channels, self.rate) else { return Ok(None) };
        self.replay(&mut |chunk| {
            meter.add(chunk);
            Ok(())
        })?;
        let measured = meter.finish().integrated_lufs;
        Ok(*self.loudness.get_or_init(|| measured))
    }
}

/// Hands `programme` to `each` in chunks of [`CHUNK`] frames, in order.
pub fn replay(programme: &Programme, each: &mut ChunkSink) -> Result<(), AudioError> {
    let frames = programme.frames();
    let mut start = 0;
    while start < frames {
        let end = (start + CHUNK).min(frames);
        let chunk: Vec<&[f32]> = programme.channels.iter().map(|c| &c[start..end]).collect();
        each(&chunk)?;
        start = end;
    }
    Ok(())
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = file.try_clone()?;
    f.seek(SeekFrom::Start(offset))?;
    f.read_exact(buf)
}

/// Collects a render's master output: in memory up to the bound, then the
/// whole of it in a temporary file beside `spill_near` (an output's folder,
/// whose disk the outputs go to anyway); converted to the held rate on the
/// way in when [`converting`](Holder::converting).
pub struct Holder {
    /// The converter from the render's rate, its output buffer, and the
    /// file named in its errors.
    converter: Option<(StreamResampler, Vec<Vec<f32>>, PathBuf)>,
    rate: u32,
    channels: usize,
    frames: usize,
    bound: u64,
    spill_near: PathBuf,
    memory: Programme,
    disk: Option<(BufWriter<File>, TempFile, PathBuf)>,
    bytes: Vec<u8>,
}

impl Holder {
    pub fn new(rate: u32, channels: usize, bound: u64, spill_near: &Path) -> Holder {
        Holder {
            converter: None,
            rate,
            channels,
            frames: 0,
            bound,
            spill_near: spill_near.into(),
            memory: Programme::new(rate, channels),
            disk: None,
            bytes: Vec::new(),
        }
    }

    /// Takes a render at `from` Hz, converted to the held rate (`source`
    /// names the song in errors).
    pub fn converting(mut self, from: u32, source: &Path) -> Result<Holder, AudioError> {
        if from != self.rate {
            let resampler = StreamResampler::new(self.channels, from, self.rate)
                .map_err(|reason| AudioError::Resample { path: source.into(), reason })?;
            self.converter = Some((resampler, vec![Vec::new(); self.channels], source.into()));
        }
        Ok(self)
    }

    /// Appends one chunk (one slice per channel).
    pub fn push(&mut self, chunk: &[&[f32]]) -> Result<(), AudioError> {
        let Some((mut resampler, mut converted, source)) = self.converter.take() else { return self.store(chunk) };
        converted.iter_mut().for_each(Vec::clear);
        let result = match resampler.process(chunk, &mut converted) {
            Ok(()) => self.store(&converted.iter().map(|c| c.as_slice()).collect::<Vec<_>>()),
            Err(reason) => Err(AudioError::Resample { path: source.clone(), reason }),
        };
        self.converter = Some((resampler, converted, source));
        result
    }

    fn store(&mut self, chunk: &[&[f32]]) -> Result<(), AudioError> {
        let n = chunk.first().map_or(0, |c| c.len());
        let bytes = ((self.frames + n) * self.channels * 4) as u64;
        if self.disk.is_none() && bytes > self.bound {
            self.spill()?;
        }
        self.frames += n;
        match &mut self.disk {
            None => {
                self.memory.push(chunk);
                Ok(())
            }
            Some((writer, _, path)) => write_interleaved(writer, path, &mut self.bytes, chunk),
        }
    }

    /// Moves what is in memory to a new temporary file; the rest follows it there.
    fn spill(&mut self) -> Result<(), AudioError> {
        let folder = self.spill_near.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(folder) = folder {
            std::fs::create_dir_all(folder)
                .map_err(|e| AudioError::Write { path: folder.to_path_buf(), reason: e.to_string() })?;
        }
        let temp = TempFile::new(&self.spill_near);
        let path = temp.path().to_path_buf();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| AudioError::Write { path: path.clone(), reason: e.to_string() })?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        let held = std::mem::replace(&mut self.memory, Programme::new(self.rate, self.channels));
        let mut start = 0;
        while start < held.frames() {
            let end = (start + CHUNK).min(held.frames());
            let chunk: Vec<&[f32]> = held.channels.iter().map(|c| &c[start..end]).collect();
            write_interleaved(&mut writer, &path, &mut self.bytes, &chunk)?;
            start = end;
        }
        self.disk = Some((writer, temp, path));
        Ok(())
    }

    /// Where the programme went on disk, when it did.
    pub fn spilled_to(&self) -> Option<&Path> {
        self.disk.as_ref().map(|(_, _, p)| p.as_path())
    }

    pub fn finish(mut self) -> Result<Held, AudioError> {
        if let Some((mut resampler, mut converted, source)) = self.converter.take() {
            converted.iter_mut().for_each(Vec::clear);
            resampler.finish(&mut converted).map_err(|reason| AudioError::Resample { path: source, reason })?;
            self.store(&converted.iter().map(|c| c.as_slice()).collect::<Vec<_>>())?;
        }
        let store = match self.disk {
            None => Store::Memory(self.memory),
            Some((writer, temp, path)) => {
                let file = writer
                    .into_inner()
                    .map_err(|e| AudioError::Write { path: path.clone(), reason: e.error().to_string() })?;
                Store::Disk { file, _temp: temp, path }
            }
        };
        Ok(Held { rate: self.rate, channels: self.channels, frames: self.frames, store, loudness: OnceLock::new() })
    }
}

fn write_interleaved(
    writer: &mut BufWriter<File>,
    path: &Path,
    bytes: &mut Vec<u8>,
    chunk: &[&[f32]],
) -> Result<(), AudioError> {
    let n = chunk.first().map_or(0, |c| c.len());
    bytes.clear();
    for i in 0..n {
        for c in chunk {
            bytes.extend_from_slice(&c[i].to_le_bytes());
        }
    }
    writer.write_all(bytes).map_err(|e| AudioError::Write { path: path.into(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(frames: usize) -> Vec<Vec<f32>> {
        vec![(0..frames).map(|i| i as f32 * 1e-6).collect(), (0..frames).map(|i| -(i as f32) * 1e-6).collect()]
    }

    fn replayed(held: &Held) -> Vec<Vec<f32>> {
        let mut out = vec![Vec::new(), Vec::new()];
        held.replay(&mut |chunk| {
            out.iter_mut().zip(chunk).for_each(|(o, c)| o.extend_from_slice(c));
            Ok(())
        })
        .unwrap();
        out
    }

    /// Past the bound the programme goes to disk, and comes back bit for bit;
    /// the file is gone when the programme is dropped.
    #[test]
    fn a_spilled_programme_replays_exactly_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let x = ramp(100_000);
        let mut holder = Holder::new(48_000, 2, 64 * 1024, &dir.path().join("song.wav"));
        for start in (0..x[0].len()).step_by(3_000) {
            let end = (start + 3_000).min(x[0].len());
            holder.push(&[&x[0][start..end], &x[1][start..end]]).unwrap();
        }
        let spilled = holder.spilled_to().expect("past the bound").to_path_buf();
        let held = holder.finish().unwrap();
        assert!(held.in_memory().is_none());
        assert_eq!(held.frames(), 100_000);
        assert_eq!(replayed(&held), x);
        drop(held);
        assert!(!spilled.exists());
    }

    #[test]
    fn a_short_programme_stays_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let x = ramp(1_000);
        let mut holder = Holder::new(48_000, 2, 1 << 20, &dir.path().join("song.wav"));
        holder.push(&[&x[0], &x[1]]).unwrap();
        assert!(holder.spilled_to().is_none());
        let held = holder.finish().unwrap();
        assert_eq!(held.in_memory().map(|p| p.channels.clone()), Some(x.clone()));
        assert_eq!(replayed(&held), x);
    }
}

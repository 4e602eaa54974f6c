//! Writing an album's deliverables: every audio file and CUE sheet goes to a
//! temporary file first; nothing is moved into place until all of them,
//! for every export, are complete. Dropping a [`Pending`] removes them all.

use std::path::{Path, PathBuf};

use super::master::{Mastered, Songs};
use super::tags;
use super::{cue, Album, AlbumExport, Files};
use crate::deliver::encode::Completed;
use crate::deliver::temp::TempFile;
use crate::deliver::Delivery;
use crate::io::AudioError;
use crate::ir::Export;

/// Files written to their temporary paths, not yet in place.
#[derive(Default)]
pub struct Pending {
    /// Each file, complete under its temporary name.
    audio: Vec<Completed>,
    texts: Vec<TempText>,
}

impl Pending {
    /// Writes every file of one mastered export (and its CUE sheet); for a
    /// lossy export, what its files measure once decoded.
    pub fn add(
        &mut self,
        album: &Album,
        songs: &Songs,
        export: &AlbumExport,
        mastered: &Mastered,
        pool: &rayon::ThreadPool,
    ) -> Result<Option<super::measure::Measured>, AudioError> {
        let layout = songs.layout;
        let paths = export.paths(album);
        let rate = export.export.rate;
        let mut files = Vec::new();
        for (i, (file, path)) in mastered.files.iter().zip(&paths).enumerate() {
            let target = Export { path: path.clone(), ..export.export.clone() };
            let (tags, measured) = match export.files {
                Files::Whole => (tags::album_tags(album, &target), &mastered.measured.album),
                Files::PerSong(_) => (tags::song_tags(album, i, &target), &mastered.measured.songs[i]),
            };
            let frames = (file.frames.end - file.frames.start) as u64;
            let d = Delivery::open(&target, rate, frames, file.seed, false, tags)?;
            files.push((d, measured.clone(), file.frames.clone()));
        }
        // The album streams once through all its files, each taking its span.
        let (mut pos, mut current) = (0usize, 0usize);
        super::master::deliver(songs, mastered, rate, pool, &mut |chunk| {
            let n = chunk.first().map_or(0, |c| c.len());
            let mut done = 0;
            while done < n {
                while current + 1 < files.len() && pos >= files[current].2.end {
                    current += 1;
                }
                let last = current + 1 >= files.len();
                let Some((d, _, span)) = files.get_mut(current) else { break };
                let take = if last { n - done } else { (span.end - pos).min(n - done) };
                let part: Vec<&[f32]> = chunk.iter().map(|c| &c[done..done + take]).collect();
                d.write(&part)?;
                done += take;
                pos += take;
            }
            Ok(())
        })?;
        let first = self.audio.len();
        for (d, measured, _) in files {
            self.audio.push(d.complete(Some(&measured))?.1);
        }
        if let Some(cue_path) = export.cue_path() {
            let name = export.export.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = cue::sheet(album, layout, &name);
            self.texts.push(TempText::write(&cue_path, &text)?);
        }
        if !export.export.container.is_lossy() {
            return Ok(None);
        }
        let paths: Vec<&Path> = self.audio[first..].iter().map(|c| c.path()).collect();
        let decoded = super::measure::measure_decoded(&export.export, rate, &mastered.files, &mastered.tracks, &paths)?;
        Ok(Some(decoded))
    }

    /// Where the files written so far end, to [`roll back`](Pending::roll_back) to.
    pub fn mark(&self) -> (usize, usize) {
        (self.audio.len(), self.texts.len())
    }

    /// Removes the files written since `mark` (an export written again).
    pub fn roll_back(&mut self, mark: (usize, usize)) {
        self.audio.truncate(mark.0);
        self.texts.truncate(mark.1);
    }

    /// Moves every file into place: the audio, then the CUE sheets.
    pub fn commit(self) -> Result<(), AudioError> {
        for file in self.audio {
            file.commit()?;
        }
        for t in self.texts {
            t.commit()?;
        }
        Ok(())
    }
}

/// A text file at a temporary path beside its target, removed unless committed.
struct TempText {
    tmp: TempFile,
    target: PathBuf,
}

impl TempText {
    fn write(target: &Path, text: &str) -> Result<TempText, AudioError> {
        let werr = |e: std::io::Error| AudioError::Write { path: target.into(), reason: e.to_string() };
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(werr)?;
        }
        let tmp = TempFile::new(target);
        std::fs::write(tmp.path(), text).map_err(werr)?;
        Ok(TempText { tmp, target: target.into() })
    }

    fn commit(self) -> Result<(), AudioError> {
        let TempText { tmp, target } = self;
        tmp.commit().map_err(|e| AudioError::Write { path: target, reason: e.to_string() })
    }
}

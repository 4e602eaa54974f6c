//! Writing an album's deliverables: every audio file and CUE sheet goes to a
//! temporary file first; nothing is moved into place until all of them,
//! for every export, are complete. Dropping a [`Pending`] removes them all.

use std::path::{Path, PathBuf};

use super::master::Mastered;
use super::sequence::Layout;
use super::tags;
use super::{cue, Album, AlbumExport, Files};
use crate::deliver::temp::TempFile;
use crate::deliver::Delivery;
use crate::io::AudioError;
use crate::ir::Export;
use crate::meter::Measurement;

/// Files written to their temporary paths, not yet in place.
#[derive(Default)]
pub struct Pending {
    /// Each file, with what it measures (for a WAV's `bext` loudness).
    audio: Vec<(Delivery, Measurement)>,
    texts: Vec<TempText>,
}

impl Pending {
    /// Writes every file of one mastered export (and its CUE sheet).
    pub fn add(
        &mut self,
        album: &Album,
        layout: &Layout,
        export: &AlbumExport,
        mastered: &Mastered,
    ) -> Result<(), AudioError> {
        let paths = export.paths(album);
        for (i, (file, path)) in mastered.files.iter().zip(&paths).enumerate() {
            let target = Export { path: path.clone(), ..export.export.clone() };
            let (tags, measured) = match export.files {
                Files::Whole => (tags::album_tags(album, &target), &mastered.measured.album),
                Files::PerSong(_) => (tags::song_tags(album, i, &target), &mastered.measured.songs[i]),
            };
            let mut d = Delivery::open(
                &target,
                mastered.delivered.rate,
                (file.frames.end - file.frames.start) as u64,
                file.seed,
                false,
                tags,
            )?;
            d.write_programme(&mastered.delivered, file.frames.clone())?;
            self.audio.push((d, measured.clone()));
        }
        if let Some(cue_path) = export.cue_path() {
            let name = export.export.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = cue::sheet(album, layout, &name);
            self.texts.push(TempText::write(&cue_path, &text)?);
        }
        Ok(())
    }

    /// Moves every file into place: the audio, then the CUE sheets.
    pub fn commit(self) -> Result<(), AudioError> {
        for (d, measured) in self.audio {
            d.finish(Some(&measured))?;
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

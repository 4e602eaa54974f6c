//! Albums: songs in order, one loudness decision for the whole record, and
//! deliverables a distributor accepts.
//!
//! An album file holds one `album "Title" { ... }` block and `export` lines.
//! Each `song "file.mix"` is its own song, checked and rendered by its own
//! graph exactly as if rendered alone (its own `export`, `check`, `loudness`
//! and `true_peak` lines are ignored: the album decides those). Then:
//!
//! - [`check`]: the album file → [`Album`] (every song checked too).
//! - [`render`]: every song rendered in parallel into memory, converted to
//!   the album rate; [`sequence`] lays them out with gaps or crossfades;
//!   [`master`] finds, per export, the gain that puts the whole delivered
//!   album on its target (or each song on it, with `normalize = per_song`)
//!   with every song's final limiter holding the ceiling; [`write`] writes
//!   the single file with its [`cue`] sheet, or one file per song from a
//!   [`template`], all through temporary files.

pub mod check;
mod check_songs;
pub mod cue;
pub mod master;
mod measure;
pub mod render;
pub mod sequence;
mod stream;
pub mod tags;
pub mod template;
mod write;

use std::path::{Path, PathBuf};

use crate::ir::{Export, MixGraph, QcCheck, Target};

pub use check::check_path as check;
pub use render::{render, AlbumSummary, ExportSummary, SongSummary};

/// A checked album: every song checked, every setting in canonical units.
#[derive(Debug, Clone)]
pub struct Album {
    /// The album file.
    pub path: PathBuf,
    pub title: String,
    pub artist: Option<String>,
    /// Other album metadata (`genre`, `year`, ...), in file order.
    pub extra: Vec<(String, String)>,
    /// `cover = "front.jpg"`: the album's files, and each song's that has none of its own.
    pub cover: Option<crate::ir::Cover>,
    /// The record's loudness target and true-peak ceiling.
    pub target: Target,
    /// QC lines from the album's `target = PRESET`: every export's album
    /// (each song, with `normalize = per_song`) must pass them.
    pub checks: Vec<QcCheck>,
    pub normalize: Normalize,
    /// The rate songs are sequenced at: `rate = ...`, else the first song's.
    pub rate: u32,
    /// At least one, in album order.
    pub songs: Vec<Song>,
    pub exports: Vec<AlbumExport>,
}

/// How the loudness target applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalize {
    /// One gain for the whole record, from the loudness of the whole
    /// programme: songs keep the levels they were mixed at.
    Album,
    /// Each song to the target on its own (streaming singles).
    PerSong,
}

/// One song of an album.
#[derive(Debug, Clone)]
pub struct Song {
    /// The song's `.mix` file.
    pub path: PathBuf,
    /// The path as written in the album file.
    pub written: String,
    /// The song, checked; with an album target, a limiter that ended its
    /// master chain has moved to `final_limiter`.
    pub graph: MixGraph,
    /// The album's `title` for it, else the song file's, else the file name.
    pub title: String,
    pub artist: Option<String>,
    pub isrc: Option<String>,
    /// What comes between this song and the next (nothing after the last).
    pub after: Transition,
    /// The `song "..."` line in the album file.
    pub span: crate::source::Span,
}

/// Between two songs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transition {
    /// Seconds of silence after the song (`0.0` = gapless).
    Gap(f64),
    /// Seconds the song overlaps the next one: a linear fade out of this
    /// song and into the next, which can never sum over the ceiling.
    Crossfade(f64),
}

/// One `export` of an album file.
#[derive(Debug, Clone)]
pub struct AlbumExport {
    /// Format, rate, dither and targets; `path` is the file (single-file
    /// exports) or the template resolved as written.
    pub export: Export,
    /// The folder relative paths resolve from.
    pub base: PathBuf,
    pub files: Files,
}

/// What an album export writes.
#[derive(Debug, Clone, PartialEq)]
pub enum Files {
    /// The whole album in one file, with a CUE sheet beside it.
    Whole,
    /// One file per song, named from a template (`{n}-{title}.wav`).
    PerSong(template::Template),
}

impl Album {
    /// Sends relative export paths under `dir` instead of the album file's folder.
    pub fn redirect_exports(&mut self, dir: &Path) {
        for e in &mut self.exports {
            if Path::new(&e.export.written).is_relative() {
                e.base = dir.to_path_buf();
                e.export.path = dir.join(&e.export.written);
            }
        }
    }
}

impl AlbumExport {
    /// The files this export writes, in song order (one for a single file).
    pub fn paths(&self, album: &Album) -> Vec<PathBuf> {
        match &self.files {
            Files::Whole => vec![self.export.path.clone()],
            Files::PerSong(t) => {
                (0..album.songs.len()).map(|i| self.base.join(t.expand(&template::Fields::of(album, i)))).collect()
            }
        }
    }

    /// The CUE sheet beside a single-file export.
    pub fn cue_path(&self) -> Option<PathBuf> {
        (self.files == Files::Whole).then(|| self.export.path.with_extension("cue"))
    }
}

/// Whether the file at `path` is an album file (it parses and holds an
/// `album` block). A file that does not parse is not: the song checker
/// reports its syntax errors.
pub fn is_album(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    crate::syntax::parse(crate::source::FileId(0), &text)
        .is_ok_and(|m| m.items.iter().any(|i| matches!(i, crate::syntax::ast::Item::Album(_))))
}

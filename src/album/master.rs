//! Mastering an album for one export: the gain with which the *delivered*
//! album hits its loudness target, while every song's final limiter holds
//! the true-peak ceiling.
//!
//! With `normalize = album` there is one gain for the whole record, found
//! from the integrated loudness of the whole sequenced programme (songs and
//! gaps through one meter), so songs keep the levels they were mixed at.
//! A limiter lowers loudness where it acts, so the gain is searched (the
//! safeguarded secant of [`crate::deliver::mastering::normalise`]) on the album as
//! delivered: gain → each song's final limiter → sequence → rate conversion
//! → the exact quantised samples of the files → meter. With `per_song`,
//! each song has its own gain and search, on its own loudness. A song whose
//! true peak ends up over the ceiling (rate conversion and dither can move
//! inter-sample peaks) gets its limiter's ceiling lowered by the excess.

use std::ops::Range;

use super::measure::{AlbumMeasurer, FileSpan, Measured};
use super::sequence::Layout;
use super::stream::{stream, Finish};
use super::{AlbumExport, Files, Normalize};
use crate::deliver::mastering::finish::Reduction;
use crate::deliver::mastering::held::{ChunkSink, Held};
use crate::deliver::mastering::normalise::{final_limiter, Search, MAX_PASSES};
use crate::deliver::mastering::{NormaliseError, Programme, Request};
use crate::dsp::dynamics::limiter::LimiterSpec;
use crate::io::AudioError;
use crate::ir::Target;

/// What every export of an album is mastered from.
pub struct Songs<'a> {
    /// Each song's master output at the album rate, before any final
    /// limiter: in memory, or on disk when the album is long.
    pub programmes: &'a [Held],
    /// Each song's own final limiter (the one that ended its master chain).
    pub limiters: Vec<Option<LimiterSpec>>,
    pub layout: &'a Layout,
    pub normalize: Normalize,
    /// Integrated loudness at unity gain, unlimited: the album's and each song's.
    pub raw_album: Option<f64>,
    pub raw_songs: Vec<Option<f64>>,
}

/// One export, mastered and measured, ready to write.
pub struct Mastered {
    /// The whole album at the export's rate, before quantisation, when the
    /// songs are held in memory; otherwise [`deliver`] streams it again.
    pub delivered: Option<Programme>,
    /// The files it is cut into (one for a single-file export).
    pub files: Vec<FileSpan>,
    /// Each song's track of `delivered` (see [`cut`]).
    pub tracks: Vec<Range<usize>>,
    pub measured: Measured,
    /// Per song: gain ahead of its final limiter, dB.
    pub gains: Vec<f64>,
    pub reductions: Vec<Option<Reduction>>,
    /// Per song: its final limiter as the search left it.
    pub limiters: Vec<Option<LimiterSpec>>,
    /// Per song: the ceiling its limiter finally had.
    pub ceilings: Vec<Option<f64>>,
    pub passes: usize,
}

/// Masters `songs` for `export` (of target `target`, dither seeds from
/// `seed`), starting the search from `warm` gains when given.
pub fn master(
    songs: &Songs,
    export: &AlbumExport,
    target: Target,
    seed: &dyn Fn(usize) -> u64,
    warm: Option<&[f64]>,
    pool: &rayon::ThreadPool,
) -> Result<Mastered, NormaliseError> {
    let n = songs.programmes.len();
    let shared = songs.normalize == Normalize::Album;
    let mut limiters: Vec<Option<LimiterSpec>> = songs
        .limiters
        .iter()
        .map(|l| final_limiter(&Request { export: &export.export, target, limiter: *l, seed: 0, fixed_gain_db: None }))
        .collect();
    let mut searches = start(songs, target, warm)?;
    let mut passes = 0;
    loop {
        passes += 1;
        let gains: Vec<f64> = (0..n).map(|i| searches[if shared { 0 } else { i }].gain()).collect();
        let rate = export.export.rate;
        let (files, tracks) = cut(songs.layout, export, delivered_frames(songs.layout, rate), seed);
        let convert = |reason: String| NormaliseError::Convert { rate, reason };
        let mut measurer = AlbumMeasurer::new(&export.export, rate, 2, &files, &tracks).map_err(convert)?;
        let keep = songs.programmes.iter().all(|p| p.in_memory().is_some());
        let mut delivered = keep.then(|| Programme::new(rate, 2));
        let reductions = pass(songs, &gains, &limiters, rate, pool, &mut |chunk| {
            measurer.add(chunk);
            if let Some(d) = &mut delivered {
                d.push(chunk);
            }
            Ok(())
        })?;
        let measured = measurer.finish();
        let overs: Vec<(usize, f64)> = (0..n)
            .filter_map(|i| match (target.true_peak, measured.songs[i].true_peak_dbtp) {
                (Some(c), Some(tp)) if tp > c => Some((i, tp - c)),
                _ => None,
            })
            .collect();
        for i in (0..n).filter(|i| limiters[*i].is_none()) {
            check_clipping(export, target, gains[i], &measured.songs[i])?;
        }
        let loudness =
            |i: usize| if shared { measured.album.integrated_lufs } else { measured.songs[i].integrated_lufs };
        let unlanded: Vec<usize> = (0..searches.len()).filter(|&i| !searches[i].landed(loudness(i))).collect();
        if overs.is_empty() && unlanded.is_empty() {
            let ceilings = limiters.iter().map(|l| l.map(|l| l.ceiling)).collect();
            return Ok(Mastered { delivered, files, tracks, measured, gains, reductions, limiters, ceilings, passes });
        }
        let stuck = unlanded.iter().any(|&i| searches[i].exhausted());
        if passes >= MAX_PASSES || (overs.is_empty() && stuck) {
            let i = unlanded.first().copied().unwrap_or(0);
            return Err(NormaliseError::Unreachable {
                target: target.loudness.unwrap_or(f64::NAN),
                ceiling: target.true_peak.unwrap_or(0.0),
                gain: gains[i],
                reached: loudness(i).unwrap_or(f64::NEG_INFINITY),
            });
        }
        if overs.is_empty() {
            for i in unlanded {
                searches[i].update(gains[if shared { 0 } else { i }], loudness(i).ok_or(NormaliseError::Silent)?);
            }
        }
        for (i, excess) in overs {
            if let Some(l) = limiters[i].as_mut() {
                l.ceiling -= excess + 0.02;
            }
            searches[if shared { 0 } else { i }].forget();
        }
    }
}

/// The searches to start from: one for the album, or one per song (a
/// silent song keeps unity gain); fixed at unity without a loudness target.
fn start(songs: &Songs, target: Target, warm: Option<&[f64]>) -> Result<Vec<Search>, NormaliseError> {
    let Some(t) = target.loudness else {
        let count = if songs.normalize == Normalize::Album { 1 } else { songs.raw_songs.len() };
        return Ok((0..count).map(|_| Search::fixed(0.0)).collect());
    };
    let warm = |i: usize| warm.and_then(|w| w.get(i).copied());
    match songs.normalize {
        Normalize::Album => {
            let raw = songs.raw_album.ok_or(NormaliseError::Silent)?;
            Ok(vec![Search::new(t, warm(0).unwrap_or(t - raw))])
        }
        Normalize::PerSong => Ok(songs
            .raw_songs
            .iter()
            .enumerate()
            .map(|(i, raw)| match raw {
                Some(raw) => Search::new(t, warm(i).unwrap_or(t - raw)),
                None => Search::fixed(0.0),
            })
            .collect()),
    }
}

/// Every song × its gain through its final limiter, sequenced, converted
/// to `rate`, into `sink`.
fn pass(
    songs: &Songs,
    gains: &[f64],
    limiters: &[Option<LimiterSpec>],
    rate: u32,
    pool: &rayon::ThreadPool,
    sink: &mut ChunkSink,
) -> Result<Vec<Option<Reduction>>, NormaliseError> {
    // As for a song alone: a song turned down keeps its own limiter where it
    // was written, before the gain; turned up, the gain drives the limiter.
    let finish: Vec<Finish> = (0..gains.len())
        .map(|i| Finish {
            before: songs.limiters[i].as_ref().filter(|_| gains[i] <= 0.0),
            gain_db: gains[i],
            after: limiters[i].as_ref(),
        })
        .collect();
    stream(songs.programmes, songs.layout, &finish, rate, pool, sink).map_err(|e| match e {
        AudioError::Resample { reason, .. } => NormaliseError::Convert { rate, reason },
        other => NormaliseError::Held(other.to_string()),
    })
}

/// Writes a mastered album into `sink`: from memory when the search kept
/// it, else by streaming the songs once more with the gains and limiters it
/// found (the same samples it measured).
pub fn deliver(
    songs: &Songs,
    mastered: &Mastered,
    rate: u32,
    pool: &rayon::ThreadPool,
    sink: &mut ChunkSink,
) -> Result<(), AudioError> {
    if let Some(d) = &mastered.delivered {
        return crate::deliver::mastering::held::replay(d, sink);
    }
    pass(songs, &mastered.gains, &mastered.limiters, rate, pool, sink)
        .map(|_| ())
        .map_err(|e| AudioError::Write { path: "(the album)".into(), reason: e.to_string() })
}

/// Frames of the album delivered at `rate`: the resampler's round(n · to / from).
pub fn delivered_frames(layout: &Layout, rate: u32) -> usize {
    layout.at(layout.total, rate) as usize
}

/// The files of `export` (with their dither seeds) and the songs' tracks,
/// in frames of the delivered album of `frames` frames at the export's rate.
/// A song's track runs from its start to the next song's start (so it holds
/// the gap after the song): it is what a CUE sheet marks, what a per-song
/// file holds and what a song is measured over, so the files played in
/// order are the album.
pub fn cut(
    layout: &Layout,
    export: &AlbumExport,
    frames: usize,
    seed: &dyn Fn(usize) -> u64,
) -> (Vec<FileSpan>, Vec<Range<usize>>) {
    let rate = export.export.rate;
    let n = layout.starts.len();
    let start = |i: usize| if i < n { (layout.at(layout.starts[i], rate) as usize).min(frames) } else { frames };
    let tracks: Vec<Range<usize>> = (0..n).map(|i| start(i)..start(i + 1)).collect();
    let files = match export.files {
        Files::Whole => vec![FileSpan { frames: 0..frames, seed: seed(0) }],
        Files::PerSong(_) => {
            tracks.iter().enumerate().map(|(i, t)| FileSpan { frames: t.clone(), seed: seed(i) }).collect()
        }
    };
    (files, tracks)
}

/// Without a ceiling, gain alone must not push an integer file into clipping.
fn check_clipping(
    export: &AlbumExport,
    target: Target,
    gain_db: f64,
    measured: &crate::meter::Measurement,
) -> Result<(), NormaliseError> {
    let integer = export.export.clips_at_full_scale();
    let peak = measured.sample_peak_dbfs.unwrap_or(f64::NEG_INFINITY);
    match target.loudness {
        Some(t) if integer && gain_db > 0.0 && peak > -0.001 => {
            Err(NormaliseError::Clips { target: t, gain: gain_db, peak })
        }
        _ => Ok(()),
    }
}

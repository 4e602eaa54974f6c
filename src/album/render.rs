//! Rendering an album: every song held (in parallel; on disk when long), sequenced,
//! mastered for each export, written only when every file is complete.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::master::{self, Mastered, Songs};
use super::sequence::{self, Layout};
use super::write::Pending;
use super::{Album, AlbumExport, Files, Normalize};
use crate::cache::Mode;
use crate::deliver::mastering::decoded_ceiling::Lowering;
use crate::deliver::mastering::held::{bound_bytes, Held, Holder};
use crate::deliver::mastering::{NormaliseError, Reduction};
use crate::io::AudioError;
use crate::ir::{SampleFormat, Target};
use crate::meter::{Measurement, Meter};
use crate::pipeline::{self, Error, QcFailure, RunOptions};
use crate::render::{RenderError, RenderOptions};

/// What an album render did.
#[derive(Debug, Clone)]
pub struct AlbumSummary {
    pub layout: Layout,
    /// Per song, as delivered in the first export.
    pub songs: Vec<SongSummary>,
    pub exports: Vec<ExportSummary>,
    pub elapsed: Duration,
}

/// One song of the record, as delivered in the album's first export.
#[derive(Debug, Clone)]
pub struct SongSummary {
    pub measured: Measurement,
    /// Integrated loudness as mixed (unity gain, no final limiter), LUFS.
    pub raw_lufs: Option<f64>,
    pub gain_db: f64,
    /// The final limiter's work on this song.
    pub limiter: Option<Reduction>,
    /// The ceiling the limiter finally had.
    pub ceiling: Option<f64>,
    /// Loudness the limiter took away (as mixed + gain − delivered), LU.
    pub limited_lu: Option<f64>,
}

impl SongSummary {
    /// Whether the ceiling forced the limiter to act here (more than 0.1 dB anywhere).
    pub fn limited(&self) -> bool {
        self.limiter.is_some_and(|r| r.max_db > 0.1)
    }
}

/// One export of the album.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// The path as written in the album file.
    pub written: String,
    pub files: Vec<PathBuf>,
    pub cue: Option<PathBuf>,
    pub rate: u32,
    pub format: SampleFormat,
    pub container: crate::ir::Container,
    /// The whole album as delivered (a lossy export's as its files decode).
    pub measured: Measurement,
    pub gains: Vec<f64>,
    pub passes: usize,
    /// One file per song (else the whole album in one file).
    pub per_song: bool,
}

/// Renders `album` to every export. `progress(done, total)` may be called
/// from any worker thread.
pub fn render(album: &Album, options: RunOptions, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<AlbumSummary, Error> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.render.threads.unwrap_or(0))
        .build()
        .map_err(|e| Error::Render(RenderError::Threads(e.to_string())))?;
    let programmes = render_songs(album, options, &pool, progress)?;
    let lengths: Vec<u64> = programmes.iter().map(|p| p.frames() as u64).collect();
    let after: Vec<_> = album.songs.iter().map(|s| s.after).collect();
    let layout = sequence::layout(album.rate, &lengths, &after);
    let held_err = |e: AudioError| Error::Target {
        path: album.path.clone(),
        error: crate::deliver::mastering::NormaliseError::Held(e.to_string()),
    };
    let raw_songs: Vec<Option<f64>> =
        pool.install(|| programmes.par_iter().map(|p| p.loudness()).collect::<Result<_, _>>()).map_err(held_err)?;
    let raw_album = raw_loudness(&programmes, &layout, &pool).map_err(held_err)?;
    let songs = Songs {
        programmes: &programmes,
        limiters: album
            .songs
            .iter()
            .map(|s| s.graph.final_limiter.as_ref().map(|l| crate::processor::dynamics::limiter_spec(&l.params)))
            .collect(),
        layout: &layout,
        normalize: album.normalize,
        raw_album,
        raw_songs: raw_songs.clone(),
    };
    let mut pending = Pending::default();
    let mut failures = Vec::new();
    let mut exports = Vec::new();
    let mut summaries: Option<Vec<SongSummary>> = None;
    let mut warm: Option<Vec<f64>> = None;
    for export in &album.exports {
        let target = export.export.target.or(album.target);
        // Each file's dither seed is fixed (renders are reproducible) and
        // depends only on its place, so two exports at one rate and depth
        // hold the same samples.
        let seed = |file: usize| file as u64 + 1;
        let mastered = master_and_write(&songs, album, export, target, &seed, warm.as_deref(), &pool, &mut pending)?;
        failures.extend(judge(album, export, &mastered));
        exports.push(ExportSummary {
            written: export.export.written.clone(),
            files: export.paths(album),
            cue: export.cue_path(),
            rate: export.export.rate,
            format: export.export.format,
            container: export.export.container,
            measured: mastered.measured.album.clone(),
            gains: mastered.gains.clone(),
            passes: mastered.passes,
            per_song: matches!(export.files, Files::PerSong(_)),
        });
        warm = Some(mastered.gains.clone());
        // The report shows the songs as the first export delivers them.
        summaries.get_or_insert_with(|| song_summaries(&mastered, &raw_songs));
    }
    if !failures.is_empty() {
        return Err(Error::Qc(failures));
    }
    pending.commit()?;
    Ok(AlbumSummary { layout, songs: summaries.unwrap_or_default(), exports, elapsed: started.elapsed() })
}

/// Masters one export and writes its files under temporary names; a lossy
/// export is then judged, and reported, as its files decode. With `true_peak
/// = ... after decoding`, while the decoded album (or any song of it) is over
/// the ceiling, the export is mastered and written again with the limiters
/// lower (see [`crate::deliver::mastering::decoded_ceiling`]).
#[allow(clippy::too_many_arguments)]
fn master_and_write(
    songs: &Songs,
    album: &Album,
    export: &AlbumExport,
    target: Target,
    seed: &dyn Fn(usize) -> u64,
    warm: Option<&[f64]>,
    pool: &rayon::ThreadPool,
    pending: &mut Pending,
) -> Result<Mastered, Error> {
    let ceiling = target.true_peak.filter(|_| target.after_decoding && export.export.container.is_lossy());
    let path = || export.export.path.clone();
    let mut lowering = Lowering::default();
    let give_up = |c: f64, over: f64, l: &Lowering| Error::Target {
        path: path(),
        error: NormaliseError::DecodedOver { ceiling: c, decoded: c + over, lowered: l.db, passes: l.passes },
    };
    loop {
        let lowered = Target { true_peak: target.true_peak.map(|c| c - lowering.db), ..target };
        let mut mastered = match master::master(songs, export, lowered, seed, warm, pool) {
            Ok(m) => m,
            Err(NormaliseError::Unreachable { .. }) if lowering.db > 0.0 => {
                return Err(give_up(ceiling.unwrap_or(0.0), lowering.last_overshoot(), &lowering));
            }
            Err(error) => return Err(Error::Target { path: path(), error }),
        };
        let mark = pending.mark();
        if let Some(decoded) = pending.add(album, songs, export, &mastered, pool)? {
            mastered.measured = decoded;
        }
        let peak = std::iter::once(&mastered.measured.album)
            .chain(&mastered.measured.songs)
            .filter_map(|m| m.true_peak_dbtp)
            .fold(f64::NEG_INFINITY, f64::max);
        let (c, over) = match ceiling {
            Some(c) if peak > c => (c, peak - c),
            _ => return Ok(mastered),
        };
        if lowering.next(over).is_none() {
            return Err(give_up(c, over, &lowering));
        }
        pending.roll_back(mark);
    }
}

/// Every song rendered (in parallel, each on its share of the threads) at
/// the album rate, before any final limiter; held in memory, or on disk
/// past each song's share of the bound (see `deliver::mastering::held`).
fn render_songs(
    album: &Album,
    options: RunOptions,
    pool: &rayon::ThreadPool,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Held>, Error> {
    let each = (pool.current_num_threads() / album.songs.len()).max(1);
    let bound = bound_bytes() / album.songs.len().max(1) as u64;
    let song_options = RunOptions { render: RenderOptions { threads: Some(each) }, ..options };
    let plans: Vec<_> = album.songs.iter().map(|s| pipeline::make_plan(&s.graph, song_options)).collect();
    let totals: Vec<u64> = plans.iter().map(|p| p.length + p.latency as u64).collect();
    let total: u64 = totals.iter().sum();
    let done: Vec<AtomicU64> = totals.iter().map(|_| AtomicU64::new(0)).collect();
    let results: Vec<Result<Held, Error>> = pool.install(|| {
        plans
            .into_par_iter()
            .zip(&album.songs)
            .enumerate()
            .map(|(i, (plan, song))| {
                let modes = vec![Mode::Compute { capture: false }; plan.nodes.len()];
                let mut tick = |d: u64, _: u64| {
                    done[i].store(d, Ordering::Relaxed);
                    progress(done.iter().map(|d| d.load(Ordering::Relaxed)).sum(), total);
                };
                // Held beside the album's first export (the disk the outputs go to).
                let stem = song.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                let near = match album.exports.first() {
                    // Numbered: two songs may share a file name in different folders.
                    Some(e) => e.export.path.with_file_name(format!("{:02}-{stem}.programme", i + 1)),
                    None => song.path.with_extension("programme"),
                };
                let holder = Holder::new(album.rate, 2, bound, &near).converting(song.graph.rate, &song.path)?;
                let (held, _, _) =
                    pipeline::mastered::render_programme(plan, modes, song_options, holder, &mut tick, &|| false)?;
                Ok(held)
            })
            .collect()
    });
    results.into_iter().collect()
}

/// The album's and the export's QC lines (from `target = PRESET`) judged on
/// what the export normalised: the whole album, or each song's track.
fn judge(album: &Album, export: &AlbumExport, m: &Mastered) -> Vec<QcFailure> {
    let checks: Vec<_> = album.checks.iter().chain(&export.export.checks).cloned().collect();
    if checks.is_empty() {
        return Vec::new();
    }
    let judged: Vec<(PathBuf, &Measurement)> = match album.normalize {
        Normalize::Album => vec![(export.export.path.clone(), &m.measured.album)],
        Normalize::PerSong => {
            let paths = export.paths(album);
            let path = |i: usize| paths.get(i).unwrap_or(&paths[0]).clone();
            m.measured.songs.iter().enumerate().map(|(i, s)| (path(i), s)).collect()
        }
    };
    judged
        .into_iter()
        .filter_map(|(path, measured)| {
            let verdicts = crate::deliver::qc::judge(&checks, measured);
            verdicts.iter().any(|v| !v.pass).then_some(QcFailure { path, verdicts })
        })
        .collect()
}

/// Integrated loudness of the whole album as mixed: songs at unity gain,
/// unlimited, sequenced.
fn raw_loudness(songs: &[Held], layout: &Layout, pool: &rayon::ThreadPool) -> Result<Option<f64>, AudioError> {
    let Ok(mut meter) = Meter::new(2, layout.rate) else { return Ok(None) };
    let unity = vec![super::stream::Finish { before: None, gain_db: 0.0, after: None }; songs.len()];
    super::stream::stream(songs, layout, &unity, layout.rate, pool, &mut |chunk| {
        meter.add(chunk);
        Ok(())
    })?;
    Ok(meter.finish().integrated_lufs)
}

fn song_summaries(m: &Mastered, raw: &[Option<f64>]) -> Vec<SongSummary> {
    (0..m.gains.len())
        .map(|i| {
            let measured = m.measured.songs[i].clone();
            let limited_lu = match (raw[i], measured.integrated_lufs) {
                (Some(r), Some(d)) => Some(r + m.gains[i] - d),
                _ => None,
            };
            SongSummary {
                measured,
                raw_lufs: raw[i],
                gain_db: m.gains[i],
                limiter: m.reductions[i],
                ceiling: m.ceilings[i],
                limited_lu,
            }
        })
        .collect()
}

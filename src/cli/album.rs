//! What `mixc render` and `mixc check` print for an album file.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mixc::album::{self, Album, AlbumSummary, Normalize};
use mixc::pipeline::{Error, RunOptions};
use mixc::render::RenderOptions;

use crate::cli::render::{clock, fail, RenderArgs, HARD_LIMITING_DB};

/// `mixc render ALBUM`: returns the exit code.
pub fn render(file: &Path, args: RenderArgs) -> u8 {
    let mut album = match album::check(file) {
        Ok(a) => a,
        Err(report) => return fail(&Error::Mix(report)),
    };
    if album.exports.is_empty() {
        eprintln!("error: nothing to render: `{}` has no `export` line", file.display());
        eprintln!("help: add a line like `export \"out/album.flac\"` or `export \"out/{{n}}-{{title}}.wav\"`");
        return 1;
    }
    if let Some(dir) = &args.out_dir {
        album.redirect_exports(dir);
    }
    let options = RunOptions { render: RenderOptions { threads: args.threads }, block: args.block };
    let started = Instant::now();
    let show = !args.quiet && std::io::stderr().is_terminal();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    let progress = |done: u64, total: u64| {
        if !show || started.elapsed().as_millis() < 400 {
            return;
        }
        let Ok(mut bar) = bar.lock() else { return };
        let b = bar.get_or_insert_with(|| {
            let style = ProgressStyle::with_template("{spinner} rendering songs [{bar:40}] {percent}% {eta} left")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            let b = ProgressBar::new(total);
            b.set_style(style.progress_chars("=> "));
            b
        });
        b.set_position(done);
    };
    let result = album::render(&album, options, &progress);
    if let Some(b) = bar.into_inner().ok().flatten() {
        b.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            if !args.quiet {
                print_report(file, &album, &summary);
            }
            0
        }
        Err(e) => fail(&e),
    }
}

/// `mixc check ALBUM`: returns the exit code.
pub fn check(file: &Path) -> u8 {
    match album::check(file) {
        Ok(a) => {
            eprintln!(
                "{}: ok (album `{}`, {}, {})",
                file.display(),
                a.title,
                count(a.songs.len(), "song"),
                count(a.exports.len(), "export")
            );
            0
        }
        Err(report) => fail(&Error::Mix(report)),
    }
}

/// The album report: every song as delivered in the first export, then the
/// album's loudness, then every export.
fn print_report(file: &Path, album: &Album, s: &AlbumSummary) {
    let rate = s.layout.rate as f64;
    let how = match (album.target.loudness, album.normalize) {
        (Some(t), Normalize::Album) => format!("album-normalised to {t:.1} LUFS"),
        (Some(t), Normalize::PerSong) => format!("each song normalised to {t:.1} LUFS"),
        (None, _) => "levels as mixed".into(),
    };
    let ceiling = album.target.true_peak.map_or(String::new(), |c| format!(", ceiling {c:.1} dBTP"));
    eprintln!(
        "rendered album `{}` ({}): {}, {}, {how}{ceiling} ({:.2} s)",
        album.title,
        file.display(),
        count(album.songs.len(), "song"),
        clock(s.layout.total as f64 / rate),
        s.elapsed.as_secs_f64()
    );
    let first = s.exports.first().map_or(String::new(), |e| e.written.clone());
    eprintln!("  songs as delivered in {first}:");
    eprintln!(
        "  {:>3}  {:<24} {:>7} {:>7} {:>7} {:>5} {:>6} {:>7}  limiter",
        "#", "song", "start", "length", "LUFS", "LRA", "dBTP", "gain"
    );
    let db = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    for (i, (song, sum)) in album.songs.iter().zip(&s.songs).enumerate() {
        let m = &sum.measured;
        let start = s.layout.starts[i] as f64 / rate;
        let limiter = match (sum.limited(), sum.limiter) {
            (true, Some(r)) => format!(
                "forced: {:.1} dB max, {:.2} dB mean, -{:.2} LU",
                r.max_db,
                r.mean_db,
                sum.limited_lu.unwrap_or(0.0).max(0.0)
            ),
            (false, Some(_)) => "idle (under the ceiling)".into(),
            (_, None) => "none".into(),
        };
        eprintln!(
            "  {:>3}  {:<24} {:>7} {:>7} {:>7} {:>5} {:>6} {:>+7.2}  {limiter}",
            i + 1,
            truncate(&song.title, 24),
            clock(start),
            clock(s.layout.lengths[i] as f64 / rate),
            db(m.integrated_lufs),
            m.loudness_range_lu.map_or("-".into(), |v| format!("{v:.1}")),
            db(m.true_peak_dbtp),
            sum.gain_db,
        );
        if let Some(r) = sum.limiter.filter(|r| r.mean_db > HARD_LIMITING_DB) {
            eprintln!(
                "       warning: the limiter works hard on this song ({:.1} dB on average): expect a squashed sound; \
                 a denser mix or a lower album target limits less",
                r.mean_db
            );
        }
        let off = s.layout.off_frame(s.layout.starts[i]);
        if off > 0.0 {
            eprintln!("       gapless start {:.1} ms off a CD frame: its CUE mark is rounded", off * 1e3);
        }
    }
    for e in &s.exports {
        let m = &e.measured;
        let files = match (&e.cue, e.per_song) {
            (Some(cue), _) => format!(
                "{} + {}",
                e.written,
                cue.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned())
            ),
            (None, true) => format!("{} ({} files)", e.written, e.files.len()),
            (None, false) => e.written.clone(),
        };
        let format = match e.container.lossy_description() {
            Some(codec) => format!("{codec}, as decoded"),
            None => format!("{}-bit", e.format.bits()),
        };
        eprintln!(
            "  album in {files}: {} LUFS integrated, LRA {} LU, {} dBTP, {} Hz {format}, {} pass{}",
            m.integrated_lufs.map_or("-".into(), |v| format!("{v:.2}")),
            m.loudness_range_lu.map_or("-".into(), |v| format!("{v:.1}")),
            db(m.true_peak_dbtp),
            e.rate,
            e.passes,
            if e.passes == 1 { "" } else { "es" }
        );
    }
}

/// `1 song`, `3 songs`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

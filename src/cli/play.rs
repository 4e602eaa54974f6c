//! `mixc watch --play`, `mixc play` and `mixc devices`: the command-line
//! side of [`mixc::play`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mixc::pipeline::RunOptions;
use mixc::play::output;
use mixc::play::player::Cue;
use mixc::play::{Input, PlayOptions};
use mixc::render::RenderOptions;
use mixc::watch::WatchOptions;

use crate::cli::ListenArgs;

/// Quiet time after a file event before rendering, while playing: shorter
/// than plain `watch`'s, since here it is heard (see the README's
/// save-to-hear figure); a save's write-and-rename events come within a
/// millisecond or two of each other.
const PLAY_DEBOUNCE: Duration = Duration::from_millis(30);

/// `mixc watch FILE --play`.
pub fn watch(file: &Path, out_dir: Option<PathBuf>, threads: Option<usize>, cache_mb: usize, listen: ListenArgs) -> u8 {
    let options = WatchOptions {
        run: run_options(threads),
        out_dir,
        cache_bytes: cache_mb.saturating_mul(1 << 20),
        debounce: PLAY_DEBOUNCE,
        listen: true,
        follow: true,
        scratch: None,
    };
    let banner = format!("watching {} and playing it", file.display());
    start(Input::Song { file: file.to_path_buf(), options }, listen, Some(&banner))
}

/// `mixc play FILE`: a song rendered once into memory (its exports go to a
/// scratch folder that is removed afterwards), or an audio file.
pub fn play(file: &Path, threads: Option<usize>, listen: ListenArgs) -> u8 {
    if file.extension().is_some_and(|e| e.eq_ignore_ascii_case("mix")) {
        if mixc::album::is_album(file) {
            eprintln!("error: `mixc play` takes a song or an audio file; `{}` is an album", file.display());
            eprintln!("help: play one of its songs, or render it and play the file");
            return 2;
        }
        let scratch = std::env::temp_dir().join(format!("mixc-play-{}", std::process::id()));
        let options = WatchOptions {
            run: run_options(threads),
            out_dir: None,
            cache_bytes: 2048 << 20,
            debounce: PLAY_DEBOUNCE,
            listen: true,
            follow: false,
            scratch: Some(scratch.clone()),
        };
        let code = start(Input::Song { file: file.to_path_buf(), options }, listen, None);
        let _ = std::fs::remove_dir_all(&scratch);
        return code;
    }
    start(Input::Audio(file.to_path_buf()), listen, None)
}

/// Renders leave one core to the audio callback unless told otherwise.
fn run_options(threads: Option<usize>) -> RunOptions {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    RunOptions { render: RenderOptions { threads: threads.or(Some(cores.saturating_sub(1).max(1))) }, block: None }
}

/// Checks the options, then plays; `banner` is printed once they are good.
fn start(input: Input, listen: ListenArgs, banner: Option<&str>) -> u8 {
    if listen.device.as_deref() != Some(output::CLOCK) && !output::SOUND_CARD {
        eprintln!("error: {}", output::OutputError::NoPlayback);
        return 2;
    }
    let looping = match listen.looping.as_deref().map(mixc::play::position::parse_range).transpose() {
        Ok(l) => l.map(|(a, b)| (a, b, listen.looping.clone().unwrap_or_default())),
        Err(e) => {
            eprintln!("error: invalid value for '--loop': {e}");
            return 2;
        }
    };
    if let Some(banner) = banner {
        eprintln!("{banner}");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handler = Arc::clone(&stop);
    // In raw mode Ctrl-C is a key; this catches it (and `kill -INT`) otherwise.
    let _ = ctrlc::set_handler(move || handler.store(true, Ordering::SeqCst));
    let options = PlayOptions { device: listen.device, cue: Cue { from: listen.from, looping } };
    let code = mixc::play::play(input, options, stop, &mut crate::cli::watch::print);
    eprintln!("stopped");
    code
}

/// `mixc devices`.
pub fn devices() -> u8 {
    let list = output::devices();
    let width = list.iter().map(|d| d.name.len()).max().unwrap_or(0);
    for d in &list {
        let mark = if d.default { "*" } else { " " };
        println!("{mark} {:width$}  {}", d.name, d.detail);
    }
    if output::SOUND_CARD {
        println!("(* the default; `--device NAME` takes a name, its part after `host:`, or a unique part of it)");
    } else {
        eprintln!("note: {}", output::OutputError::NoPlayback);
    }
    0
}

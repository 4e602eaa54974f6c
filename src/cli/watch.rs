//! What `mixc watch` prints: one line per pass.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mixc::pipeline::RunOptions;
use mixc::render::RenderOptions;
use mixc::watch::{self, Outcome, Wake, WatchOptions};

/// Quiet time after a file event before rendering: editors save by writing
/// a temporary file and renaming it, a burst of events within milliseconds.
pub const DEBOUNCE: Duration = Duration::from_millis(120);

/// `mixc watch`: returns the exit code.
pub fn watch(file: &Path, out_dir: Option<PathBuf>, threads: Option<usize>, cache_mb: usize) -> u8 {
    let options = WatchOptions {
        run: RunOptions { render: RenderOptions { threads }, block: None },
        out_dir,
        cache_bytes: cache_mb.saturating_mul(1 << 20),
        debounce: DEBOUNCE,
        listen: false,
        follow: true,
        scratch: None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let handler_stop = Arc::clone(&stop);
    let waker: Arc<Mutex<Option<std::sync::mpsc::Sender<Wake>>>> = Arc::default();
    let handler_waker = Arc::clone(&waker);
    // Ctrl-C cancels a render in progress (its temporary files are removed)
    // and ends the loop; a second Ctrl-C is not needed.
    let _ = ctrlc::set_handler(move || {
        handler_stop.store(true, Ordering::SeqCst);
        if let Ok(guard) = handler_waker.lock() {
            if let Some(tx) = guard.as_ref() {
                let _ = tx.send(Wake::Stop);
            }
        }
    });
    eprintln!("watching {} (Ctrl-C to stop)", file.display());
    let on_start = |tx| {
        if let Ok(mut guard) = waker.lock() {
            *guard = Some(tx);
        }
    };
    match watch::watch(file, options, stop, on_start, &mut print) {
        Ok(()) => {
            eprintln!("stopped");
            0
        }
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            2
        }
    }
}

pub fn print(outcome: Outcome) {
    let time = clock_time();
    match outcome {
        Outcome::Rendered { changed, incremental, summary } => {
            let changed =
                if changed.len() == incremental.nodes { "everything".to_string() } else { changed.join(", ") };
            let peak = mixc::dsp::gain_to_db(summary.peak as f64);
            eprintln!(
                "[{time}] changed: {changed} | re-rendered {} of {} nodes ({}) in {:.2} s | {} | peak {} dBFS",
                incremental.computed.len(),
                incremental.nodes,
                incremental.computed.join(", "),
                summary.elapsed.as_secs_f64(),
                crate::cli::render::clock(summary.frames as f64 / summary.rate as f64),
                if peak.is_finite() { format!("{peak:.1}") } else { "-inf".into() },
            );
        }
        Outcome::Unchanged => eprintln!("[{time}] no change to the output"),
        Outcome::Invalid(e) => {
            crate::cli::render::fail(&e);
            eprintln!("[{time}] not rendered: fix the errors above; the last good output stays");
        }
        Outcome::Failed(e) => {
            eprintln!("[{time}] render failed: {e}; the last good output stays");
        }
        // The player takes the audio; there is nothing to print.
        Outcome::Audio(_) => {}
        Outcome::NoSuchNode { name, suggestion } => {
            let hint = suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
            eprintln!("[{time}] cannot solo `{name}`: the song has no track or bus of that name{hint}");
        }
    }
}

/// `hh:mm:ss` (UTC) for the log lines.
fn clock_time() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}

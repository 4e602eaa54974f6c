//! `mixc watch`: render, then re-render on every save — only the nodes whose
//! content changed — keeping the last good output when an edit is broken.
//!
//! Parent folders are watched, not files: editors save by writing a temporary
//! file and renaming it over the original, which a watch on the file itself
//! would miss after the first save.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::cache::Cache;
use crate::pipeline::{self, Error, Incremental, RunOptions, Summary};

/// Settings of a watch session.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    pub run: RunOptions,
    /// Relative export paths go here instead of beside the `.mix` file.
    pub out_dir: Option<PathBuf>,
    /// Memory for cached node outputs.
    pub cache_bytes: usize,
    /// Quiet time after the last file event before re-rendering.
    pub debounce: Duration,
    /// Hand each good render's audio to the report as [`Outcome::Audio`] (`--play`).
    pub listen: bool,
    /// Watch the files and render again on every change; `false` renders
    /// once and then only on a [`Wake::Solo`] (`mixc play song.mix`).
    pub follow: bool,
    /// Write every export into this folder instead (`mixc play`: the files
    /// are not wanted, but mastering to a target needs its deliverables).
    pub scratch: Option<PathBuf>,
}

/// What one pass of the loop did.
#[derive(Debug)]
pub enum Outcome {
    /// Rendered: which nodes changed, which were computed, the result.
    Rendered { changed: Vec<String>, incremental: Incremental, summary: Summary },
    /// The file checks, and nothing that affects the output changed.
    Unchanged,
    /// The `.mix` file has errors: the last good output stays.
    Invalid(Error),
    /// The render failed (unreadable audio, ...): the last good output stays.
    Failed(Error),
    /// A render's audio, complete (sent before its `Rendered`, while the
    /// exports are still being finished), when [`WatchOptions::listen`].
    Audio(Heard),
    /// A solo asked for a node the song does not have.
    NoSuchNode { name: String, suggestion: Option<String> },
}

/// What a render sounds like, and the song's timing for showing positions.
#[derive(Debug)]
pub struct Heard {
    pub programme: crate::deliver::mastering::Programme,
    pub timing: crate::check::timing::Timing,
}

/// What wakes the loop.
pub enum Wake {
    Files(notify::Result<notify::Event>),
    Stop,
    /// Render again with only this node audible (`None`: as written).
    Solo(Option<String>),
}

/// Renders `file` now and after every relevant change, until a `Wake::Stop`
/// arrives on the channel whose sender `on_start` receives (hand it to a
/// Ctrl-C handler). `stop` is also polled during renders, to cancel them.
pub fn watch(
    file: &Path,
    options: WatchOptions,
    stop: Arc<AtomicBool>,
    on_start: impl FnOnce(Sender<Wake>),
    report: &mut dyn FnMut(Outcome),
) -> notify::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel::<Wake>();
    let events = tx.clone();
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = events.send(Wake::Files(e));
    })?;
    on_start(tx);
    let mut session = Session::new(file, options);
    let mut watched_dirs: HashSet<PathBuf> = HashSet::new();
    loop {
        let outcome = session.run(&stop, report);
        // Watch before reporting: a save made right after the report is seen.
        for dir in session.dirs().into_iter().filter(|_| session.options.follow) {
            if watched_dirs.insert(dir.clone()) {
                watcher.watch(&dir, RecursiveMode::NonRecursive)?;
            }
        }
        report(outcome);
        match wait_for_change(&rx, &session.watched, session.options.debounce) {
            Next::Render if !stop.load(Ordering::SeqCst) => {}
            Next::Solo(name) if !stop.load(Ordering::SeqCst) => session.solo = name,
            _ => return Ok(()),
        }
    }
}

/// Why the loop wakes up.
enum Next {
    Render,
    Solo(Option<String>),
    Stop,
}

/// Blocks until a watched file changed (then waits for quiet) or a solo is asked for.
fn wait_for_change(rx: &Receiver<Wake>, watched: &HashSet<PathBuf>, debounce: Duration) -> Next {
    loop {
        match rx.recv() {
            Ok(Wake::Files(Ok(event))) if relevant(&event, watched) => break,
            Ok(Wake::Files(_)) => continue,
            Ok(Wake::Solo(name)) => return Next::Solo(name),
            Ok(Wake::Stop) | Err(_) => return Next::Stop,
        }
    }
    let mut quiet_since = Instant::now();
    loop {
        match rx.recv_timeout(debounce.saturating_sub(quiet_since.elapsed())) {
            Ok(Wake::Files(Ok(event))) if relevant(&event, watched) => quiet_since = Instant::now(),
            Ok(Wake::Files(_)) => {}
            // The solo applies to the render the saves asked for.
            Ok(Wake::Solo(name)) => return Next::Solo(name),
            Ok(Wake::Stop) | Err(RecvTimeoutError::Disconnected) => return Next::Stop,
            Err(RecvTimeoutError::Timeout) => return Next::Render,
        }
    }
}

fn relevant(event: &notify::Event, watched: &HashSet<PathBuf>) -> bool {
    let writes = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_));
    writes && event.paths.iter().any(|p| watched.contains(&canonical(p)))
}

/// A path's canonical form, even when the file itself is gone (renamed away):
/// its folder canonicalised, plus its name.
fn canonical(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()).join(name)
        }
        _ => path.to_path_buf(),
    }
}

/// The state kept between passes.
struct Session {
    file: PathBuf,
    options: WatchOptions,
    cache: Cache,
    /// Node name → content hash of the last good render.
    last: HashMap<String, u64>,
    last_exports: Vec<crate::ir::Export>,
    /// Canonical paths of every file the last pass read.
    watched: HashSet<PathBuf>,
    /// The node soloed for listening, if any.
    solo: Option<String>,
}

impl Session {
    fn new(file: &Path, options: WatchOptions) -> Self {
        let cache = Cache::new(options.cache_bytes);
        let watched = [canonical(file)].into_iter().collect();
        let last = HashMap::new();
        Session { file: file.to_path_buf(), options, cache, last, last_exports: Vec::new(), watched, solo: None }
    }

    fn dirs(&self) -> Vec<PathBuf> {
        self.watched.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect()
    }

    fn run(&mut self, stop: &AtomicBool, report: &mut dyn FnMut(Outcome)) -> Outcome {
        let mut graph = match pipeline::check(&self.file) {
            Ok(g) => g,
            Err(e) => {
                if let Error::Mix(report) = &e {
                    self.watch_files(report.files());
                }
                return Outcome::Invalid(e);
            }
        };
        self.watch_files(graph.inputs.clone());
        if let Some(dir) = &self.options.out_dir {
            graph.redirect_exports(dir);
        }
        if let Some(dir) = &self.options.scratch {
            for (i, e) in graph.exports.iter_mut().enumerate() {
                let name = e.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                e.path = dir.join(format!("{i}-{name}"));
            }
        }
        if let Some(name) = &self.solo {
            if let Err(suggestion) = crate::check::solo::solo(&mut graph, name) {
                let name = self.solo.take().unwrap_or_default();
                return Outcome::NoSuchNode { name, suggestion };
            }
        }
        let hashes = pipeline::hashes(&graph, self.options.run);
        let changed: Vec<String> =
            hashes.iter().filter(|(n, h)| self.last.get(n) != Some(h)).map(|(n, _)| n.clone()).collect();
        if changed.is_empty() && graph.exports == self.last_exports {
            return Outcome::Unchanged;
        }
        let cancelled = || stop.load(Ordering::SeqCst);
        let timing = crate::check::timing::Timing { tempo: graph.tempo, meter: graph.meter };
        let mut listen = |programme| report(Outcome::Audio(Heard { programme, timing }));
        let listen: Option<pipeline::Listener> = if self.options.listen { Some(&mut listen) } else { None };
        let run = self.options.run;
        match pipeline::render_cached(&graph, run, &mut self.cache, &mut |_, _| {}, &cancelled, listen) {
            Ok((summary, incremental)) => {
                self.last = hashes.into_iter().collect();
                self.last_exports = graph.exports.clone();
                Outcome::Rendered { changed, incremental, summary }
            }
            Err(e) => Outcome::Failed(e),
        }
    }

    fn watch_files(&mut self, files: Vec<PathBuf>) {
        self.watched = files.iter().map(|p| canonical(p)).collect();
        self.watched.insert(canonical(&self.file));
    }
}

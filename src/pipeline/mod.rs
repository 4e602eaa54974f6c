//! The whole pipeline for one song: check, plan, render, deliver.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cache::{Cache, CachedOutput, Mode};
use crate::deliver::Delivery;
use crate::diagnostic::Report;
use crate::io::AudioError;
use crate::ir::MixGraph;
use crate::plan::{plan, PlanOptions};
use crate::render::{render_with, RenderError, RenderOptions};

pub mod mastered;
pub mod preview;

/// Why a run did not produce its outputs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Mistakes in the `.mix` file (exit code 1).
    #[error("{0}")]
    Mix(Report),
    /// Audio that could not be read or written (exit code 2).
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A deliverable failed the song's `check` lines (exit code 1); nothing was replaced.
    #[error("delivery check failed")]
    Qc(Vec<QcFailure>),
    /// A loudness target or ceiling that cannot be met (exit code 1); nothing was replaced.
    #[error("{}: {error}", path.display())]
    Target { path: PathBuf, error: crate::deliver::mastering::NormaliseError },
}

/// The verdicts on one deliverable that failed QC.
#[derive(Debug, Clone)]
pub struct QcFailure {
    pub path: PathBuf,
    pub verdicts: Vec<crate::deliver::qc::Verdict>,
}

impl Error {
    /// 1 when the `.mix` file is at fault, 2 when mixc could not run.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Mix(report) if report.could_not_run() => 2,
            // The held programme could not be read back from disk: not the `.mix`'s fault.
            Error::Target { error: crate::deliver::mastering::NormaliseError::Held(_), .. } => 2,
            Error::Mix(_) | Error::Qc(_) | Error::Target { .. } => 1,
            _ => 2,
        }
    }
}

/// Settings of a render run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub render: RenderOptions,
    /// Frames per block; `None` for the default.
    pub block: Option<usize>,
}

/// What one written file holds.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub frames: u64,
    pub rate: u32,
    /// What kind of file: a lossy one's measurement is of the decoded file.
    pub container: crate::ir::Container,
    /// The delivered file's measurement.
    pub measured: Option<crate::meter::Measurement>,
    /// What the mastering stage did (loudness targets, final limiter), when it ran.
    pub mastered: Option<crate::deliver::mastering::normalise::MasterReport>,
    /// Samples beyond full scale that the file's integer format clipped.
    pub clipped: u64,
}

/// The result of a render.
#[derive(Debug, Clone)]
pub struct Summary {
    pub written: Vec<Written>,
    /// Length of the mix at the session rate.
    pub frames: u64,
    pub rate: u32,
    /// Sample peak of the master output, linear.
    pub peak: f32,
    pub elapsed: Duration,
    /// Bytes of master output that mastering held on disk rather than in
    /// memory (a long programme), when it did.
    pub held_on_disk: Option<u64>,
    /// Damage concealed in sources read with `on_error = conceal`.
    pub concealed: Vec<crate::io::conceal::ConcealedIn>,
}

/// Checks the file (exit-code-1 errors).
pub fn check(path: &Path) -> Result<MixGraph, Error> {
    crate::check::check_path(path).map_err(Error::Mix)
}

/// Renders a checked graph to all of its exports.
///
/// Deliveries (resampling, quantising, encoding) run on their own thread,
/// one chunk behind the render, so the serial export work overlaps with the
/// parallel render of the next chunk.
pub fn render_graph(
    graph: &MixGraph,
    options: RunOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, Error> {
    let plan = make_plan(graph, options);
    let modes = vec![Mode::Compute { capture: false }; plan.nodes.len()];
    deliver(graph, plan, modes, options, progress, &|| false, None).map(|(summary, _)| summary)
}

/// Which nodes an incremental render computed.
#[derive(Debug, Clone)]
pub struct Incremental {
    /// Names of the nodes computed (the others were replayed or idle).
    pub computed: Vec<String>,
    pub nodes: usize,
}

/// What a listener is handed: the whole output as it will be heard.
pub type Listener<'a> = &'a mut dyn FnMut(crate::deliver::mastering::Programme);

/// Renders `graph`, computing only nodes whose content hash is not in `cache`,
/// and keeps what it computed there. `cancelled` is polled between chunks.
///
/// `listen`, when given, is handed the output to play (`mixc watch --play`)
/// as soon as it is complete — before the exports are finished, so hearing
/// an edit does not wait for the encoders. Without a loudness target that is
/// the master output at the session rate; with one, the first export's
/// mastered audio (at its rate, before quantising).
pub fn render_cached(
    graph: &MixGraph,
    options: RunOptions,
    cache: &mut Cache,
    progress: &mut dyn FnMut(u64, u64),
    cancelled: &dyn Fn() -> bool,
    listen: Option<Listener>,
) -> Result<(Summary, Incremental), Error> {
    let plan = make_plan(graph, options);
    let modes = cache.modes(&plan);
    let hashes: Vec<u64> = plan.nodes.iter().map(|n| n.hash).collect();
    let computed = plan
        .nodes
        .iter()
        .zip(&modes)
        .filter(|(_, m)| matches!(m, Mode::Compute { .. }))
        .map(|(n, _)| n.name.clone())
        .collect();
    let nodes = plan.nodes.len();
    let (summary, captured) = deliver(graph, plan, modes, options, progress, cancelled, listen)?;
    cache.store(&hashes, captured);
    Ok((summary, Incremental { computed, nodes }))
}

/// Every node's name and content hash as it would render, master last.
pub fn hashes(graph: &MixGraph, options: RunOptions) -> Vec<(String, u64)> {
    make_plan(graph, options).nodes.iter().map(|n| (n.name.clone(), n.hash)).collect()
}

/// The render plan of `graph` under `options`.
pub fn make_plan(graph: &MixGraph, options: RunOptions) -> crate::plan::Plan {
    plan(graph, PlanOptions { block: options.block.unwrap_or(crate::plan::DEFAULT_BLOCK) })
}

/// The dither seed of every export: fixed, so renders are reproducible, and
/// the same for all, so a WAV and a FLAC at one rate and depth hold the same
/// samples.
pub fn seed(_export: usize) -> u64 {
    1
}

fn deliver(
    graph: &MixGraph,
    plan: crate::plan::Plan,
    modes: Vec<Mode>,
    options: RunOptions,
    progress: &mut dyn FnMut(u64, u64),
    cancelled: &dyn Fn() -> bool,
    listen: Option<Listener>,
) -> Result<(Summary, Vec<Option<CachedOutput>>), Error> {
    if mastered::needs_barrier(graph) {
        return mastered::deliver(graph, plan, modes, options, progress, cancelled, listen);
    }
    let mut heard = listen.is_some().then(|| crate::deliver::mastering::Programme::new(graph.rate, 2));
    let heard_in_sink = &mut heard;
    let deliveries = graph
        .exports
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Delivery::open(e, graph.rate, plan.length, seed(i), true, crate::deliver::song_tags(&graph.metadata, e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (tx, rx) = ToExports::channel(listen.is_some());
    let checks = graph.checks.clone();
    let writer = std::thread::spawn(move || write_all(deliveries, rx, &checks));
    let done = tx.clone();
    let mut sink = move |chunk: &[&[f32]]| -> Result<(), AudioError> {
        if cancelled() {
            return Err(AudioError::Write { path: PathBuf::from("(exports)"), reason: "cancelled".into() });
        }
        if let Some(h) = heard_in_sink.as_mut() {
            h.push(chunk);
        }
        // A closed channel means the writer failed; its error comes from `join`.
        tx.send(ToWriter::Chunk(chunk.iter().map(|c| c.to_vec()).collect())).map_err(|_| AudioError::Write {
            path: PathBuf::from("(exports)"),
            reason: "the export writer stopped".into(),
        })
    };
    let rendered = render_with(plan, modes, options.render, &mut sink, progress);
    drop(sink);
    if let (Ok(_), Some(listen), Some(heard)) = (&rendered, listen, heard) {
        listen(heard);
    }
    // Only a complete render tells the writer to finish (rename into place);
    // otherwise the channel just closes and the temporary files are removed.
    if rendered.is_ok() {
        let _ = done.send(ToWriter::Done);
    }
    drop(done);
    let written = writer.join().unwrap_or_else(|_| {
        Err(AudioError::Write { path: PathBuf::from("(exports)"), reason: "the export writer panicked".into() }.into())
    });
    // A render error wins over the writer's "channel closed"; a writer error
    // wins over the render's "writer stopped".
    let ((stats, captured), written) = match (rendered, written) {
        (Err(RenderError::Audio(AudioError::Write { reason, .. })), Err(w)) if reason.contains("writer stopped") => {
            return Err(w)
        }
        (Err(e), _) => return Err(e.into()),
        (Ok(_), Err(w)) => return Err(w),
        (Ok(rendered), Ok(written)) => (rendered, written),
    };
    let summary = Summary {
        written,
        frames: stats.frames,
        rate: stats.rate,
        peak: stats.peak,
        elapsed: stats.elapsed,
        held_on_disk: None,
        concealed: stats.concealed,
    };
    Ok((summary, captured))
}

/// The render's end of the channel to the export thread.
///
/// Bounded (two chunks) by default: the render waits for the encoders, so
/// memory stays small however long the song. While someone listens (`watch
/// --play`) it is unbounded: the player needs the whole render before it can
/// swap it in, and the encoders (resampling, metering every file) take many
/// times longer than an incremental render, so waiting for them would delay
/// hearing an edit by the time it takes to write the files. The player holds
/// the whole song anyway; the queue at most doubles that.
#[derive(Clone)]
enum ToExports {
    Bounded(std::sync::mpsc::SyncSender<ToWriter>),
    Unbounded(std::sync::mpsc::Sender<ToWriter>),
}

impl ToExports {
    fn channel(unbounded: bool) -> (ToExports, std::sync::mpsc::Receiver<ToWriter>) {
        if unbounded {
            let (tx, rx) = std::sync::mpsc::channel();
            (ToExports::Unbounded(tx), rx)
        } else {
            let (tx, rx) = std::sync::mpsc::sync_channel(2);
            (ToExports::Bounded(tx), rx)
        }
    }

    /// `Err` when the writer has stopped.
    fn send(&self, message: ToWriter) -> Result<(), ()> {
        match self {
            ToExports::Bounded(tx) => tx.send(message).map_err(|_| ()),
            ToExports::Unbounded(tx) => tx.send(message).map_err(|_| ()),
        }
    }
}

/// What the render sends the export thread.
enum ToWriter {
    Chunk(Vec<Vec<f32>>),
    /// The render completed: finish the files.
    Done,
}

/// The export thread: writes every chunk to every delivery and finishes them
/// all on `Done`. Without `Done` (a failed or cancelled render) the deliveries
/// are dropped, which removes their temporary files.
fn write_all(
    mut deliveries: Vec<Delivery>,
    messages: std::sync::mpsc::Receiver<ToWriter>,
    checks: &[crate::ir::QcCheck],
) -> Result<Vec<Written>, Error> {
    let mut complete = false;
    for message in messages {
        match message {
            ToWriter::Chunk(chunk) => {
                let view: Vec<&[f32]> = chunk.iter().map(|c| c.as_slice()).collect();
                for d in &mut deliveries {
                    d.write(&view)?;
                }
            }
            ToWriter::Done => {
                complete = true;
                break;
            }
        }
    }
    if !complete {
        let reason = "the render did not complete".into();
        return Err(AudioError::Write { path: PathBuf::from("(exports)"), reason }.into());
    }
    // Every file is completed under its temporary name; a lossy one is
    // measured after decoding. QC before anything is moved into place: a
    // failing deliverable replaces nothing.
    let mut complete = Vec::new();
    for d in deliveries {
        let (export, measured, clipped) = (d.export.clone(), d.measured(), d.clipped());
        let (frames, file) = d.complete(None)?;
        let measured = crate::deliver::measure_decoded(&export, &file)?.or(measured);
        complete.push((export, frames, measured, clipped, file));
    }
    let mut failures = Vec::new();
    for (export, _, measured, ..) in &complete {
        if let Some(m) = measured {
            let checks: Vec<_> = checks.iter().chain(&export.checks).cloned().collect();
            let verdicts = crate::deliver::qc::judge(&checks, m);
            if verdicts.iter().any(|v| !v.pass) {
                failures.push(QcFailure { path: export.path.clone(), verdicts });
            }
        }
    }
    if !failures.is_empty() {
        return Err(Error::Qc(failures));
    }
    let mut written = Vec::new();
    for (export, frames, measured, clipped, file) in complete {
        file.commit()?;
        let (path, rate, container) = (export.path, export.rate, export.container);
        written.push(Written { path, frames, rate, container, measured, mastered: None, clipped });
    }
    Ok(written)
}

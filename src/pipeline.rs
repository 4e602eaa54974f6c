//! The whole pipeline for one song: check, plan, render, deliver.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::deliver::Delivery;
use crate::diagnostic::Report;
use crate::io::AudioError;
use crate::ir::MixGraph;
use crate::plan::{plan, PlanOptions};
use crate::render::{render, RenderError, RenderOptions};

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
}

impl Error {
    /// 1 when the `.mix` file is at fault, 2 when mixc could not run.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Mix(_) => 1,
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
    let plan = plan(graph, PlanOptions { block: options.block.unwrap_or(crate::render::DEFAULT_BLOCK) });
    let deliveries = graph
        .exports
        .iter()
        .enumerate()
        .map(|(i, e)| Delivery::open(e, graph.rate, i as u64 + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<f32>>>(2);
    let writer = std::thread::spawn(move || write_all(deliveries, rx));
    let mut sink = move |chunk: &[&[f32]]| -> Result<(), AudioError> {
        // A closed channel means the writer failed; its error comes from `join`.
        tx.send(chunk.iter().map(|c| c.to_vec()).collect()).map_err(|_| AudioError::Write {
            path: PathBuf::from("(exports)"),
            reason: "the export writer stopped".into(),
        })
    };
    let rendered = render(plan, options.render, &mut sink, progress);
    drop(sink); // closes the channel: the writer finishes the files
    let written = writer.join().unwrap_or_else(|_| {
        Err(AudioError::Write { path: PathBuf::from("(exports)"), reason: "the export writer panicked".into() })
    });
    // A render error wins over the writer's "channel closed"; a writer error
    // wins over the render's "writer stopped".
    let written = match (rendered, written) {
        (Err(RenderError::Audio(AudioError::Write { reason, .. })), Err(w)) if reason.contains("writer stopped") => {
            return Err(w.into())
        }
        (Err(e), _) => return Err(e.into()),
        (Ok(_), Err(w)) => return Err(w.into()),
        (Ok(stats), Ok(written)) => (stats, written),
    };
    let (stats, written) = written;
    Ok(Summary { written, frames: stats.frames, rate: stats.rate, peak: stats.peak, elapsed: stats.elapsed })
}

/// The export thread: writes every chunk to every delivery, then finishes
/// them all. Dropping a delivery early (on error) removes its temporary file.
fn write_all(
    mut deliveries: Vec<Delivery>,
    chunks: std::sync::mpsc::Receiver<Vec<Vec<f32>>>,
) -> Result<Vec<Written>, AudioError> {
    for chunk in chunks {
        let view: Vec<&[f32]> = chunk.iter().map(|c| c.as_slice()).collect();
        for d in &mut deliveries {
            d.write(&view)?;
        }
    }
    let mut written = Vec::new();
    for d in deliveries {
        let (path, rate) = (d.export.path.clone(), d.export.rate);
        let frames = d.finish()?;
        written.push(Written { path, frames, rate });
    }
    Ok(written)
}

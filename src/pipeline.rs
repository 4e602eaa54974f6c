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
pub fn render_graph(
    graph: &MixGraph,
    options: RunOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, Error> {
    let plan = plan(graph, PlanOptions { block: options.block.unwrap_or(crate::render::DEFAULT_BLOCK) });
    let mut deliveries = graph
        .exports
        .iter()
        .enumerate()
        .map(|(i, e)| Delivery::open(e, graph.rate, i as u64 + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sink = |chunk: &[&[f32]]| -> Result<(), AudioError> {
        for d in &mut deliveries {
            d.write(chunk)?;
        }
        Ok(())
    };
    // On any error the deliveries are dropped here, which removes their
    // temporary files and leaves existing outputs untouched.
    let stats = render(plan, options.render, &mut sink, progress)?;
    let mut written = Vec::new();
    for d in deliveries {
        let (path, rate) = (d.export.path.clone(), d.export.rate);
        let frames = d.finish()?;
        written.push(Written { path, frames, rate });
    }
    Ok(Summary { written, frames: stats.frames, rate: stats.rate, peak: stats.peak, elapsed: stats.elapsed })
}

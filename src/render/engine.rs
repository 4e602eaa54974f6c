//! The render loop, pipelined: in step t every level L renders chunk t − L,
//! so all nodes of the graph run in parallel in every step (a master chain
//! does not wait alone for the tracks, nor they for it). Each node keeps the
//! outputs later levels still need ([`History`]).

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::io::AudioError;
use crate::plan::Plan;

use super::history::History;
use super::node::NodeRun;
use super::BLOCKS_PER_CHUNK;
use crate::cache::{CachedOutput, Mode};

/// How to run a render (none of it changes the output).
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
}

/// Where the master output goes, chunk by chunk (planar stereo).
pub type Sink<'a> = dyn FnMut(&[&[f32]]) -> Result<(), AudioError> + 'a;

/// What a finished render measured.
#[derive(Debug, Clone)]
pub struct RenderStats {
    pub frames: u64,
    pub rate: u32,
    /// Largest absolute sample of the master output.
    pub peak: f32,
    pub elapsed: Duration,
    /// Sources read with `on_error = conceal` that had damage replaced.
    pub concealed: Vec<crate::io::conceal::ConcealedIn>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// Runs `plan`, handing each chunk of master output (stereo, planar) to
/// `sink`, and `progress(done, total)` after each chunk.
pub fn render(
    plan: Plan,
    options: RenderOptions,
    sink: &mut Sink<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RenderStats, RenderError> {
    let modes = vec![Mode::Compute { capture: false }; plan.nodes.len()];
    render_with(plan, modes, options, sink, progress).map(|(stats, _)| stats)
}

/// Like [`render`], with each node's [`Mode`] given (cached replays for
/// `mixc watch`); also returns what the computing nodes captured.
pub fn render_with(
    plan: Plan,
    modes: Vec<Mode>,
    options: RenderOptions,
    sink: &mut Sink<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(RenderStats, Vec<Option<CachedOutput>>), RenderError> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|e| RenderError::Threads(e.to_string()))?;
    let chunk = plan.block * BLOCKS_PER_CHUNK;
    let (rate, block, latency, length) = (plan.rate, plan.block, plan.latency as u64, plan.length);
    let mut level_of = vec![0usize; plan.nodes.len()];
    for (l, range) in plan.levels.iter().enumerate() {
        level_of[range.clone()].fill(l);
    }
    let mut nodes = plan
        .nodes
        .into_iter()
        .zip(modes)
        .map(|(n, mode)| NodeRun::new(n, mode, rate, chunk, block))
        .collect::<Result<Vec<_>, _>>()?;
    for (node, &level) in nodes.iter_mut().zip(&level_of) {
        node.level = level;
    }
    let reads: Vec<Vec<usize>> = nodes.iter().map(|n| n.reads()).collect();
    let mut history = History::new(level_of, &reads, |n| nodes[n].blank_outputs());
    let total = length + latency;
    let chunks = total.div_ceil(chunk as u64);
    let last_level = plan.levels.len().saturating_sub(1) as u64;
    let mut peak = 0f32;
    for step in 0..chunks + last_level {
        pool.install(|| run_step(&mut nodes, &history, step, chunks, chunk, total))?;
        // The master, alone in the last level, finished chunk `step − last_level`.
        if let (Some(master), Some(c)) = (nodes.last(), step.checked_sub(last_level)) {
            let pos = c * chunk as u64;
            let frames = (total - pos).min(chunk as u64) as usize;
            // Drop the master's latency from the start of the output.
            let skip = latency.saturating_sub(pos).min(frames as u64) as usize;
            let view: Vec<&[f32]> = master.out.chans.iter().map(|c| &c[skip..frames]).collect();
            peak = view.iter().flat_map(|c| c.iter()).fold(peak, |p, s| p.max(s.abs()));
            if frames > skip {
                sink(&view)?;
            }
            progress(pos + frames as u64, total);
        }
        history.rotate(&mut nodes);
    }
    let captured = nodes.iter_mut().map(|n| n.captured.take()).collect();
    let concealed = nodes.iter().filter_map(|n| n.concealed()).filter(|c| !c.what.is_empty()).collect();
    Ok((RenderStats { frames: length, rate, peak, elapsed: started.elapsed(), concealed }, captured))
}

/// One step of the pipeline: every level at once, level L on chunk
/// `step − L` (when there is such a chunk). A node reads only what earlier
/// levels made for the same chunk in earlier steps ([`History`]) and writes
/// only its own buffers, so all run in parallel, and each node sees the same
/// inputs in the same order whatever the thread count.
fn run_step(
    nodes: &mut [NodeRun],
    history: &History,
    step: u64,
    chunks: u64,
    chunk: usize,
    total: u64,
) -> Result<(), AudioError> {
    // The most downstream levels first: their work is on the critical path
    // of the next steps.
    nodes.par_iter_mut().rev().try_for_each(|n| {
        let Some(c) = step.checked_sub(n.level as u64).filter(|&c| c < chunks) else {
            return Ok(());
        };
        let pos = c * chunk as u64;
        n.process(pos, (total - pos).min(chunk as u64) as usize, history)
    })
}

//! The render loop: chunk by chunk, level by level, nodes of a level in parallel.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::io::AudioError;
use crate::plan::Plan;

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
#[derive(Debug, Clone, Copy)]
pub struct RenderStats {
    pub frames: u64,
    pub rate: u32,
    /// Largest absolute sample of the master output.
    pub peak: f32,
    pub elapsed: Duration,
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
    let levels = plan.levels.clone();
    let mut nodes = plan
        .nodes
        .into_iter()
        .zip(modes)
        .map(|(n, mode)| NodeRun::new(n, mode, rate, chunk, block))
        .collect::<Result<Vec<_>, _>>()?;
    let total = length + latency;
    let mut pos = 0u64;
    let mut peak = 0f32;
    while pos < total {
        let frames = (total - pos).min(chunk as u64) as usize;
        pool.install(|| run_levels(&mut nodes, &levels, pos, frames))?;
        let master = nodes.last().map(|m| &m.out);
        if let Some(master) = master {
            // Drop the master's latency from the start of the output.
            let skip = latency.saturating_sub(pos).min(frames as u64) as usize;
            let view: Vec<&[f32]> = master.chans.iter().map(|c| &c[skip..frames]).collect();
            peak = view.iter().flat_map(|c| c.iter()).fold(peak, |p, s| p.max(s.abs()));
            if frames > skip {
                sink(&view)?;
            }
        }
        pos += frames as u64;
        progress(pos.min(total), total);
    }
    let captured = nodes.iter_mut().map(|n| n.captured.take()).collect();
    Ok((RenderStats { frames: length, rate, peak, elapsed: started.elapsed() }, captured))
}

/// One chunk through every level. Inside a level each node writes only its
/// own buffers and reads only earlier levels', so they run in parallel and
/// the result does not depend on the thread count.
fn run_levels(
    nodes: &mut [NodeRun],
    levels: &[std::ops::Range<usize>],
    pos: u64,
    frames: usize,
) -> Result<(), AudioError> {
    for level in levels {
        let (done, rest) = nodes.split_at_mut(level.start);
        let current = &mut rest[..level.len()];
        let done: &[NodeRun] = done;
        if current.len() == 1 {
            current[0].process(pos, frames, done)?;
        } else {
            current.par_iter_mut().try_for_each(|n| n.process(pos, frames, done))?;
        }
    }
    Ok(())
}

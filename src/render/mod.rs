//! Running a [`crate::plan::Plan`]: the chunked, parallel block loop.

mod buffer;
mod delay;
mod engine;
mod history;
mod node;

pub use engine::{render, render_with, RenderError, RenderOptions, RenderStats, Sink};

/// Blocks per chunk: the unit of parallel work across nodes. Large chunks
/// keep threads busy with little synchronisation (the bench README's lesson:
/// parallelise across tracks in large chunks, not per block).
pub const BLOCKS_PER_CHUNK: usize = 16;

/// Automated processor parameters are updated on this grid of the timeline
/// (in frames), whatever the block length, so output never depends on it.
pub const CONTROL_INTERVAL: u64 = 32;

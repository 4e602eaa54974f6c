//! The render plan: nodes in an order that runs level by level, processors
//! built and prepared, the render length fixed.

pub mod envelope;
mod fuse;
pub mod hash;
mod schedule;

pub use schedule::{plan, NodePlan, Plan, PlanInput, PlanOptions};

/// Frames per processing block (picked by benchmark: see `benches/`).
pub const DEFAULT_BLOCK: usize = 1024;

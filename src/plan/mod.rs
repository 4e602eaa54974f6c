//! The render plan: nodes in an order that runs level by level, processors
//! built and prepared, the render length fixed.

mod fuse;
pub mod hash;
mod schedule;

pub use schedule::{plan, NodePlan, Plan, PlanInput, PlanOptions};

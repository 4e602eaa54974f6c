//! mixc: mixing and mastering as code.
//!
//! The pipeline, one stage per module: [`syntax`] parses text into an AST,
//! [`check`] resolves it into an [`ir::MixGraph`], [`plan`] orders it into a
//! [`plan::Plan`], [`render`] runs the plan block by block, [`deliver`] writes
//! the exports, and [`pipeline`] strings them together.

pub mod check;
pub mod deliver;
pub mod diagnostic;
mod diagnostic_render;
pub mod dsp;
pub mod io;
pub mod ir;
pub mod meter;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod source;
pub mod syntax;

//! mixc: mixing and mastering as code.
//!
//! The pipeline, one stage per module: [`syntax`] parses text into an AST,
//! [`check`] resolves it into a [`ir::MixGraph`], [`plan`] orders it into a
//! [`plan::Plan`], [`render`] runs the plan block by block, and [`io`] reads
//! sources and writes deliverables.

pub mod diagnostic;
mod diagnostic_render;
pub mod dsp;
pub mod io;
pub mod source;
pub mod syntax;

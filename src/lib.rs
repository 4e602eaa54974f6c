//! mixc: mixing and mastering as code.
//!
//! The pipeline, one stage per module: [`syntax`] parses text into an AST,
//! [`check`] resolves it (reading [`processor`]'s specs) into an
//! [`ir::MixGraph`], [`plan`] orders it into a [`plan::Plan`], [`render`] runs
//! the plan block by block, [`deliver`] masters and writes the exports, and
//! [`report`] turns results into text and pictures; [`pipeline`] strings the
//! stages together for a song, [`album`] for many. An earlier stage never
//! imports a later one (`ARCHITECTURE.md`, kept by `tests/it/layering.rs`).

// Diagnostics travel in `Result::Err` through the checker; they are the cold
// path (a mistake in a file), and boxing every one buys nothing measurable.
#![allow(clippy::result_large_err)]

pub mod album;
pub mod cache;
pub mod check;
pub mod deliver;
pub mod diagnostic;
pub mod dsp;
pub mod io;
pub mod ir;
pub mod meter;
pub mod pipeline;
pub mod plan;
pub mod play;
pub mod processor;
pub mod render;
pub mod report;
pub mod source;
pub mod syntax;
pub mod watch;

//! What the language knows of processors, apart from the checker that reads
//! it: the parameter types ([`value`]: kinds and values in canonical units),
//! the [`registry`] of processor specs (parameters with kind, range, default
//! and docs, and how each processor is built), and one table per family.
//!
//! The checker, `mixc help`, the planner and the graph view read these
//! declarations; nothing here knows the checker. The signal processing
//! itself, and the [`crate::dsp::Processor`] trait it implements, are in
//! [`crate::dsp`].

pub mod dynamics;
pub mod eq;
pub mod multiband;
pub mod registry;
pub mod space;
pub mod value;

#[cfg(test)]
mod tests;

//! Dynamics processors in the registry: compressor, gate, de-esser, limiter.

use super::registry::ProcessorSpec;

/// Every dynamics processor.
pub const ALL: &[&ProcessorSpec] = &[];

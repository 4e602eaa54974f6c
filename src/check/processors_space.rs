//! Time, space and colour processors in the registry: delay, reverb,
//! convolution, saturation, width, polarity, mono.

use super::registry::ProcessorSpec;

/// Every time/space processor.
pub const ALL: &[&ProcessorSpec] = &[];

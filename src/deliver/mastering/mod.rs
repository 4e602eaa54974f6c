//! Mastering after the mix: the barrier where a song's whole master output is
//! known, normalised to a loudness target and made safe under a true-peak
//! ceiling, measured *as delivered* (after rate conversion and dither).
//!
//! - [`Programme`]: a master output in memory; [`held`]: the master output
//!   of one render, in memory or, when long, on disk (the barrier: loudness
//!   is a property of the whole programme), replayed by every pass.
//! - [`finish`]: gain, then the final limiter, latency removed.
//! - [`delivered`]: rate conversion and the exact quantised samples a file
//!   will hold, and their measurement.
//! - [`decoded_ceiling`]: how far below a ceiling held *after decoding*
//!   the limiter must go.
//! - [`normalise`]: the loop that finds the gain (and, when needed, a lower
//!   limiter ceiling) with which the *delivered* file hits its target.

pub mod decoded_ceiling;
pub mod delivered;
pub mod finish;
pub mod held;
pub mod normalise;

pub use finish::Reduction;
pub use normalise::{normalise, Mastered, NormaliseError, Request};

/// A whole rendered master output: planar stereo at the session rate.
#[derive(Debug, Clone, Default)]
pub struct Programme {
    pub rate: u32,
    pub channels: Vec<Vec<f32>>,
}

impl Programme {
    pub fn new(rate: u32, channels: usize) -> Programme {
        Programme { rate, channels: vec![Vec::new(); channels] }
    }

    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, |c| c.len())
    }

    /// Appends one chunk (one slice per channel).
    pub fn push(&mut self, chunk: &[&[f32]]) {
        for (c, part) in self.channels.iter_mut().zip(chunk) {
            c.extend_from_slice(part);
        }
    }

    pub fn view(&self) -> Vec<&[f32]> {
        self.channels.iter().map(|c| c.as_slice()).collect()
    }
}

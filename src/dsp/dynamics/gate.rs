//! Expander and gate settings: the [`Dynamics`](super::compressor::Dynamics)
//! engine with the curve's slope below the threshold.
//!
//! An expander of ratio R turns a level x under the threshold T into
//! T + R·(x − T) (1:R downward expansion); a gate is R = ∞, so anything under
//! T drops straight to `range`. Both never cut deeper than `range`. Attack is
//! how fast the gain rises (opening), release how fast it falls (closing),
//! and hold how long the gain stays put after the level drops under T.
//!
//! Hold matters more than it looks: with peak detection after the gain
//! computer (Giannoulis' topology), the instantaneous level crosses −∞ at
//! every zero crossing, so without hold the gain would start closing twice a
//! cycle. A hold longer than half the period of the lowest note (10 ms
//! covers 50 Hz) keeps a steady tone above T at exactly unity.

use super::compressor::{Detect, DynamicsSpec};
use super::gain_computer::{Curve, Side};

impl DynamicsSpec {
    /// A downward expander: ratio 1:`ratio` under `threshold`, at most `range` dB of cut.
    pub fn expander(threshold: f64, ratio: f64, range: f64, attack: f64, hold: f64, release: f64) -> DynamicsSpec {
        let curve = Curve { side: Side::Below, threshold, ratio, knee: 0.0, range };
        DynamicsSpec { curve, attack, hold, release, makeup: Some(0.0), detect: Detect::Peak, mix: 1.0 }
    }

    /// A gate: `range` dB under `threshold`, open above it.
    pub fn gate(threshold: f64, range: f64, attack: f64, hold: f64, release: f64) -> DynamicsSpec {
        DynamicsSpec::expander(threshold, f64::INFINITY, range, attack, hold, release)
    }
}

//! Options of the EQ family: `phase` (the cookbook biquad or its
//! linear-phase twin) and `on` (both channels, the mid or the side), and how
//! they wrap the filter.

use crate::check::registry::{Default, ParamSpec, Params};
use crate::check::value::Kind;
use crate::dsp::biquad::{Biquad, BiquadSpec};
use crate::dsp::linear_phase::LinearPhase;
use crate::dsp::mid_side::{MidSide, Part};
use crate::dsp::Processor;

pub const PHASE: ParamSpec = ParamSpec {
    name: "phase",
    kind: Kind::Name,
    choices: &["minimum", "linear"],
    default: Default::Unset,
    min: 0.0,
    max: 0.0,
    doc: "`minimum` (default): the cookbook biquad; `linear`: the same magnitude with no phase shift, \
          as an FIR (latency of half its length, compensated; pre-rings; not automatable)",
};

pub const ON: ParamSpec = ParamSpec {
    name: "on",
    kind: Kind::Name,
    choices: &["stereo", "mid", "side"],
    default: Default::Unset,
    min: 0.0,
    max: 0.0,
    doc: "`stereo` (default): both channels; `mid`: only M = (L+R)/2; `side`: only S = (L-R)/2",
};

/// Where a filter's options sit among its parameters.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// `phase`, for the kinds that have it (not `allpass`: its magnitude is 1).
    pub phase: Option<usize>,
    pub on: usize,
}

impl Options {
    /// Whether the call asks for linear phase.
    pub fn linear(self, p: &Params) -> bool {
        self.phase.and_then(|i| p.text(i)) == Some("linear")
    }

    /// The part of the signal the call filters; `None` for both channels.
    fn part(self, p: &Params) -> Option<Part> {
        match p.text(self.on) {
            Some("mid") => Some(Part::Mid),
            Some("side") => Some(Part::Side),
            _ => None,
        }
    }

    /// The plain biquad, when the options leave it one (so it may fuse).
    pub fn plain(self, p: &Params, spec: BiquadSpec) -> Option<BiquadSpec> {
        (!self.linear(p) && self.part(p).is_none()).then_some(spec)
    }

    /// The filter `spec` with the call's options.
    pub fn build(self, p: &Params, spec: BiquadSpec) -> Box<dyn Processor> {
        let filter: Box<dyn Processor> =
            if self.linear(p) { Box::new(LinearPhase::new(spec)) } else { Box::new(Biquad::new(spec)) };
        match self.part(p) {
            Some(part) => Box::new(MidSide::new(filter, part)),
            None => filter,
        }
    }
}

//! Options of the EQ family: `phase` (the cookbook biquad or its
//! linear-phase twin) and `on` (both channels, the mid or the side), and how
//! they wrap the filter.

use crate::dsp::biquad::{Biquad, BiquadSpec};
use crate::dsp::linear_phase::LinearPhase;
use crate::dsp::mid_side::{MidSide, Part};
use crate::dsp::Processor;
use crate::processor::registry::{Default, ParamSpec, Params};
use crate::processor::value::Kind;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::biquad::FilterKind;
    use crate::processor::eq::PEAK;
    use crate::processor::registry::ParamValue;

    fn bell(phase: Option<&str>, on: Option<&str>) -> Params {
        let word = |w: Option<&str>| w.map(|w| ParamValue::Text(w.into()));
        Params { values: vec![None, None, None, word(phase), word(on)] }
    }

    #[test]
    fn only_a_plain_minimum_phase_stereo_filter_fuses() {
        let spec = BiquadSpec::new(FilterKind::Peak, 1000.0);
        let options = Options { phase: Some(3), on: 4 };
        assert_eq!(options.plain(&bell(None, None), spec), Some(spec));
        assert_eq!(options.plain(&bell(Some("minimum"), Some("stereo")), spec), Some(spec));
        assert_eq!(options.plain(&bell(Some("linear"), None), spec), None);
        assert_eq!(options.plain(&bell(None, Some("side")), spec), None);
    }

    #[test]
    fn linear_phase_reports_its_latency_and_mid_side_passes_it_on() {
        for on in [None, Some("mid")] {
            let mut p = (PEAK.build)(&Params {
                values: vec![
                    Some(ParamValue::Number(1000.0)),
                    Some(ParamValue::Number(3.0)),
                    Some(ParamValue::Number(1.0)),
                    Some(ParamValue::Text("linear".into())),
                    on.map(|w| ParamValue::Text(w.into())),
                ],
            });
            p.prepare(48_000.0, 2, 256);
            assert!(p.latency() > 0, "{on:?}");
        }
    }
}

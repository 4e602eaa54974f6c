//! Fusing neighbouring processors into one pass: runs of RBJ biquads become
//! one `BiquadCascade` (one trip through memory, one f32↔f64 conversion per
//! sample instead of one per filter), and fixed gains next to them fold into
//! the first biquad's numerator. This is the biggest single speed-up of a
//! typical channel strip (EQ bands + a trim), per the bench profile.
//!
//! Labelled processors (`eq: peak(...)`) stay on their own: automation
//! addresses them by label. So do filters in linear phase or on the mid or
//! side only: they are not one plain biquad.

use crate::dsp::biquad::BiquadCascade;
use crate::dsp::gain::Gain;
use crate::dsp::rbj::{coefficients, Coeffs};
use crate::dsp::Processor;
use crate::ir::ProcessorCall;
use crate::processor::registry::Fuse;

/// A built processor and the call it came from (`None` for a fused run).
pub type Built = (Box<dyn Processor>, Option<usize>);

/// Builds and prepares a node's chain, fusing where it may.
pub fn build_chain(calls: &[ProcessorCall], rate: f64, channels: usize, block: usize) -> Vec<Built> {
    let mut out: Vec<Built> = Vec::new();
    let mut run = Run::default();
    for (i, call) in calls.iter().enumerate() {
        let step = match call.spec.fuse {
            _ if call.label.is_some() => None,
            Fuse::Biquad(spec) => spec(&call.params).map(|s| Step::Biquad(coefficients(&s, rate))),
            Fuse::Gain(gain) => Some(Step::Gain(gain(&call.params))),
            Fuse::No => None,
        };
        match step {
            Some(Step::Biquad(c)) => run.coeffs.push(c),
            Some(Step::Gain(g)) => run.gain *= g,
            None => {
                run.flush(&mut out);
                out.push(((call.spec.build)(&call.params), Some(i)));
                continue;
            }
        }
        run.len += 1;
    }
    run.flush(&mut out);
    for (p, _) in &mut out {
        p.prepare(rate, channels, block);
    }
    out
}

/// What a fusable call adds to a run.
enum Step {
    Biquad(Coeffs),
    Gain(f64),
}

/// A run of fusable processors being collected.
struct Run {
    coeffs: Vec<Coeffs>,
    gain: f64,
    len: usize,
}

impl Default for Run {
    fn default() -> Self {
        Run { coeffs: Vec::new(), gain: 1.0, len: 0 }
    }
}

impl Run {
    fn flush(&mut self, out: &mut Vec<Built>) {
        if self.len == 0 {
            return;
        }
        if self.coeffs.is_empty() {
            out.push((Box::new(Gain::new(crate::dsp::gain_to_db(self.gain))), None));
        } else {
            // A fixed gain commutes with linear filters: scaling the first
            // numerator is the same system with one multiply fewer per sample.
            if let Some(first) = self.coeffs.first_mut() {
                first.b0 *= self.gain;
                first.b1 *= self.gain;
                first.b2 *= self.gain;
            }
            out.push((Box::new(BiquadCascade::from_coeffs(&self.coeffs)), None));
        }
        *self = Run::default();
    }
}

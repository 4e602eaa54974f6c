//! Per-band arguments (`threshold: [-20dB, -18dB, -24dB]`): which processors
//! take them, and the checks a list needs beyond its items' units and ranges:
//! not empty, split frequencies rising and not too many, and as many values
//! as the splits make bands.

use crate::check::ctx::Ctx;
use crate::check::processors::multiband;
use crate::check::registry::{ParamValue, Params, ProcessorSpec};
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::source::Span;

/// How a processor takes per-band values.
#[derive(Debug)]
pub struct Banded {
    /// The parameter holding the split frequencies (a list, rising).
    pub split: usize,
    /// Parameters taking one value for all bands, or a list of one a band.
    pub per_band: &'static [usize],
    pub max_splits: usize,
}

impl Banded {
    /// Whether parameter `index` may be a list.
    pub fn takes_list(&self, index: usize) -> bool {
        index == self.split || self.per_band.contains(&index)
    }
}

/// Every banded processor, by name.
const BANDED: &[(&str, Banded)] = &[(
    multiband::MULTIBAND.name,
    Banded { split: multiband::SPLIT, per_band: multiband::PER_BAND, max_splits: multiband::MAX_SPLITS },
)];

/// How `spec` takes per-band values, if it does.
pub fn banded(spec: &ProcessorSpec) -> Option<&'static Banded> {
    BANDED.iter().find(|(name, _)| *name == spec.name).map(|(_, b)| b)
}

/// Checks one list argument, its items already checked (`values`, each with
/// its span); `span` is the whole list. Reports every problem.
pub fn check_list(ctx: &mut Ctx, spec: &ProcessorSpec, index: usize, values: &[(f64, Span)], span: Span) -> bool {
    let Some(banded) = banded(spec) else { return true };
    let name = spec.params[index].name;
    if values.is_empty() {
        let kind = ErrorKind::EmptyList { processor: spec.name.into(), name: name.into() };
        ctx.error(Diagnostic::new(kind, span));
        return false;
    }
    if index != banded.split {
        return true;
    }
    let mut ok = true;
    for pair in values.windows(2) {
        let [(low, low_span), (high, high_span)] = pair else { continue };
        if high <= low {
            let kind =
                ErrorKind::SplitOrder { split: ctx.text(*high_span).into(), previous: ctx.text(*low_span).into() };
            ctx.error(Diagnostic::new(kind, *high_span).with_note(*low_span, "the split before it"));
            ok = false;
        }
    }
    if values.len() > banded.max_splits {
        let kind = ErrorKind::TooManyBands { processor: spec.name.into(), given: values.len(), max: banded.max_splits };
        ctx.error(Diagnostic::new(kind, span));
        ok = false;
    }
    ok
}

/// Checks that every per-band list of a checked call has one value a band.
pub fn check_counts(ctx: &mut Ctx, spec: &ProcessorSpec, params: &Params, spans: &[Option<Span>]) -> bool {
    let Some(banded) = banded(spec) else { return true };
    let Some(Some(ParamValue::List(splits))) = params.values.get(banded.split) else { return true };
    let bands = splits.len() + 1;
    let mut ok = true;
    for &i in banded.per_band {
        let (Some(Some(ParamValue::List(values))), Some(Some(span))) = (params.values.get(i), spans.get(i)) else {
            continue;
        };
        if values.len() != bands {
            let kind = ErrorKind::BandCount {
                processor: spec.name.into(),
                name: spec.params[i].name.into(),
                given: values.len(),
                bands,
            };
            let mut diag = Diagnostic::new(kind, *span);
            if let Some(Some(split)) = spans.get(banded.split) {
                diag = diag.with_note(*split, format!("these splits make {bands} bands"));
            }
            ctx.error(diag);
            ok = false;
        }
    }
    ok
}

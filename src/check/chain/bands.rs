//! Per-band arguments (`threshold: [-20dB, -18dB, -24dB]`): which processors
//! take them, and the checks a list needs beyond its items' units and ranges:
//! not empty, split frequencies rising and not too many, and as many values
//! as the splits make bands.

use crate::check::ctx::Ctx;
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::processor::multiband;
use crate::processor::registry::{ParamValue, Params, ProcessorSpec};
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::check::check_text;
    use crate::diagnostic::ErrorKind;
    use crate::processor::registry::{ParamValue, Params};

    /// The checked parameters of the master's only processor.
    fn master_call(text: &str) -> Result<Params, Vec<ErrorKind>> {
        match check_text(Path::new("song.mix"), text) {
            Ok(graph) => Ok(graph.nodes.last().expect("master").chain[0].params.clone()),
            Err(report) => Err(report.diagnostics.into_iter().map(|d| d.kind).collect()),
        }
    }

    #[test]
    fn lists_and_single_values_become_canonical_numbers() {
        let text = "tempo = 120bpm\nmaster { chain = multiband(split: [120Hz, 2kHz], \
                    threshold: [-20dB, -18dB, -24dB], ratio: 2, attack: [1/16, 10ms, 5ms]) }\n";
        let p = master_call(text).expect("checks");
        assert_eq!(p.values[0], Some(ParamValue::List(vec![120.0, 2000.0])));
        assert_eq!(p.values[1], Some(ParamValue::List(vec![-20.0, -18.0, -24.0])));
        assert_eq!(p.values[2], Some(ParamValue::Number(2.0)));
        // A sixteenth note at 120 bpm is 125 ms.
        assert_eq!(p.values[3], Some(ParamValue::List(vec![0.125, 0.01, 0.005])));
    }

    #[test]
    fn lists_come_from_lets_and_hold_chain_parameters() {
        let text =
            "let splits = [1kHz]\nchain c(t = -20dB) = multiband(split: splits, threshold: [t, -30dB], ratio: 2)\n\
                    master { chain = c(t: -10dB) }\n";
        let p = master_call(text).expect("checks");
        assert_eq!(p.values[0], Some(ParamValue::List(vec![1000.0])));
        assert_eq!(p.values[1], Some(ParamValue::List(vec![-10.0, -30.0])));
    }

    #[test]
    fn every_mistake_in_a_call_is_reported_at_once() {
        let text =
            "master { chain = multiband(split: [2kHz, 1kHz], threshold: [-20dB], ratio: [2, 3, 4], knee: []) }\n";
        let kinds = master_call(text).expect_err("mistakes");
        assert!(
            matches!(&kinds[0], ErrorKind::SplitOrder { split, previous } if split == "1kHz" && previous == "2kHz")
        );
        assert!(matches!(&kinds[1], ErrorKind::EmptyList { name, .. } if name == "knee"));
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        let text = "master { chain = multiband(split: [1kHz, 2kHz], threshold: [-20dB], ratio: [2, 3, 4, 5]) }\n";
        let kinds = master_call(text).expect_err("mistakes");
        let counts: Vec<(usize, usize)> = kinds
            .iter()
            .filter_map(|k| match k {
                ErrorKind::BandCount { given, bands, .. } => Some((*given, *bands)),
                _ => None,
            })
            .collect();
        assert_eq!(counts, [(1, 3), (4, 3)]);
    }

    #[test]
    fn a_list_where_one_value_belongs_is_the_wrong_kind() {
        let kinds = master_call("master { chain = peak([1kHz, 2kHz], +3dB) }\n").expect_err("a list");
        assert!(matches!(&kinds[..], [ErrorKind::WrongKind { found, .. }] if found.contains("(a list)")));
    }
}

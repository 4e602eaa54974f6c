//! Limits that need the whole song: no filter frequency at or above the
//! Nyquist frequency of the render rate (known only once every source is
//! probed), and the longest programme mixc renders.

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::MixGraph;
use crate::processor::registry::ParamValue;
use crate::processor::value::{fmt_number, Kind};
use crate::source::Span;

/// The longest programme, and the latest start: 24 hours. Enough for a
/// 10-hour ambient piece or a day-long installation; a position past it is
/// a typo (`start = 99999999999:1`), and rendering it would fill the disk.
pub const MAX_PROGRAMME_SECONDS: f64 = 24.0 * 3600.0;

/// An error for a time past [`MAX_PROGRAMME_SECONDS`].
pub fn too_long(what: &str, written: &str, span: Span) -> Diagnostic {
    let kind =
        ErrorKind::OutOfRange { what: what.into(), value: written.into(), range: "at most 24 hours (`24h`)".into() };
    Diagnostic::new(kind, span)
}

/// One error for each frequency parameter at or above half the render rate:
/// a filter there has no meaning (its coefficients fold back to a different
/// frequency or blow up).
pub fn frequencies_below_nyquist(graph: &MixGraph) -> Vec<Diagnostic> {
    let nyquist = f64::from(graph.rate) / 2.0;
    let mut diagnostics = Vec::new();
    for call in graph.nodes.iter().flat_map(|n| &n.chain) {
        for (i, spec) in call.spec.params.iter().enumerate() {
            if spec.kind != Kind::Frequency {
                continue;
            }
            let highest = match call.params.values.get(i) {
                Some(Some(ParamValue::Number(x))) => *x,
                Some(Some(ParamValue::List(xs))) => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                _ => continue,
            };
            if highest < nyquist {
                continue;
            }
            let kind = ErrorKind::Other {
                message: format!(
                    "`{}` of `{}` is {} Hz, at or above the Nyquist frequency ({} Hz at a rate of {} Hz)",
                    spec.name,
                    call.spec.name,
                    fmt_number(highest),
                    fmt_number(nyquist),
                    graph.rate
                ),
                help: Some(format!(
                    "at this rate frequencies go up to {} Hz: lower it, or raise the song's `rate`",
                    fmt_number(nyquist)
                )),
            };
            let span = call.param_spans.get(i).copied().flatten().unwrap_or(call.span);
            diagnostics.push(Diagnostic::new(kind, span));
        }
    }
    diagnostics
}

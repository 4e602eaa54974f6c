//! `check { ... }`: delivery QC lines, checked for metric, unit and operator.

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::ir::{Bound, Metric, QcCheck};
use crate::processor::value::Kind;
use crate::syntax::ast::{CheckBlock, CompareOp, Setting};

use super::ctx::Ctx;

const METRICS: &[(&str, Metric, Kind)] = &[
    ("loudness", Metric::Loudness, Kind::Loudness),
    ("true_peak", Metric::TruePeak, Kind::TruePeak),
    ("sample_peak", Metric::SamplePeak, Kind::Level),
    ("lra", Metric::LoudnessRange, Kind::LoudnessUnits),
    ("loudness_range", Metric::LoudnessRange, Kind::LoudnessUnits),
    ("duration", Metric::Duration, Kind::Time),
];

/// Checks every line of a `check` block.
pub fn lines(ctx: &mut Ctx, block: &CheckBlock) -> Vec<QcCheck> {
    block.lines.iter().filter_map(|line| one(ctx, line)).collect()
}

fn one(ctx: &mut Ctx, line: &Setting) -> Option<QcCheck> {
    let key = line.key.node.as_str();
    let Some(&(_, metric, kind)) = METRICS.iter().find(|(k, _, _)| *k == key) else {
        let valid: Vec<String> = METRICS.iter().map(|(k, _, _)| k.to_string()).collect();
        let suggestion = suggest(key, METRICS.iter().map(|(k, _, _)| *k));
        let kind = ErrorKind::UnknownSetting { block: "a `check` block".into(), name: key.into(), suggestion, valid };
        ctx.error(Diagnostic::new(kind, line.key.span));
        return None;
    };
    if let Some(word) = &line.after {
        let kind = ErrorKind::Other {
            message: "a `check` line has no `after decoding`: lossy files are always checked after decoding".into(),
            help: Some(
                "drop it here; to hold a ceiling on the decoded file, write `true_peak = -1dBTP after decoding` \
                        on the master or the export"
                    .into(),
            ),
        };
        ctx.error(Diagnostic::new(kind, word.span));
        return None;
    }
    let value = ctx.number(&line.value, kind)?;
    let tolerance = match &line.tolerance {
        Some(t) => Some(ctx.number(t, tolerance_kind(kind))?.abs()),
        None => None,
    };
    let bound = match (line.op.node, tolerance) {
        (CompareOp::Eq, Some(t)) => Bound::Within(value, t),
        (CompareOp::Eq, None) => {
            let kind = ErrorKind::Other {
                message: format!("`{key} = ...` needs a tolerance"),
                help: Some(format!(
                    "write it like `{key} = {} ± 0.5{}` or use `<=` / `>=`",
                    ctx.text(line.value.span),
                    tolerance_unit(kind)
                )),
            };
            ctx.error(Diagnostic::new(kind, line.value.span));
            return None;
        }
        (op, Some(_)) => {
            let kind = ErrorKind::Other {
                message: "a tolerance only goes with `=`".into(),
                help: Some(format!("drop the `±` part, or write `{key} = value ± tolerance`")),
            };
            ctx.error(Diagnostic::new(kind, line.op.span));
            let _ = op;
            return None;
        }
        (CompareOp::Le, None) => Bound::AtMost(value),
        (CompareOp::Ge, None) => Bound::AtLeast(value),
        (CompareOp::Lt, None) => Bound::Below(value),
        (CompareOp::Gt, None) => Bound::Above(value),
    };
    let text = ctx.text(line.span).trim().to_string();
    Some(QcCheck { metric, bound, text, span: line.span })
}

/// Loudness tolerances are in LU; others in the metric's own unit.
fn tolerance_kind(kind: Kind) -> Kind {
    match kind {
        Kind::Loudness => Kind::LoudnessUnits,
        Kind::TruePeak | Kind::Level => Kind::Level,
        other => other,
    }
}

fn tolerance_unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Loudness | Kind::LoudnessUnits => "LU",
        Kind::Time => "s",
        _ => "dB",
    }
}

//! `automate NODE.PARAM { position value [curve] ... }`: resolving the target
//! and checking every breakpoint.

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::ir::{AutoTarget, Automation, Breakpoint, Curve, ProcessorCall};
use crate::processor::value::Kind;
use crate::syntax::ast::{self, Ident};

use super::ctx::Ctx;
use super::eval::eval;
use super::nodes::Draft;
use super::timing::{frames, Timing};

/// Checks one `automate` block against the drafts; returns the draft index and lane.
pub fn lane(
    ctx: &mut Ctx,
    auto: &ast::Automation,
    drafts: &[Draft],
    timing: &Timing,
    rate: u32,
) -> Option<(usize, Automation)> {
    let (node, target, kind) = target(ctx, &auto.target, drafts)?;
    // The same ranges as the setting or parameter the lane moves.
    let (lo, hi, range) = match target {
        AutoTarget::Gain => (f64::NEG_INFINITY, super::nodes::MAX_FADER_DB, "from -inf dB to +48dB".to_string()),
        AutoTarget::Pan => (-1.0, 1.0, "from -100% to +100%".to_string()),
        AutoTarget::Param { call, param } => {
            let spec = &drafts[node].chain[call].spec.params[param];
            (spec.min, spec.max, super::chain::range_text(spec.min, spec.max, spec.kind))
        }
    };
    let mut points: Vec<Breakpoint> = Vec::new();
    for bp in &auto.points {
        let position = eval(&bp.position, &ctx.scope()).and_then(|v| timing.position(&v, bp.position.span));
        let position = match position {
            Ok(p) if p > super::limits::MAX_PROGRAMME_SECONDS => {
                ctx.error(super::limits::too_long("a breakpoint", ctx.text(bp.position.span), bp.position.span));
                continue;
            }
            Ok(p) if p >= 0.0 => p,
            Ok(_) => {
                let kind = ErrorKind::Other { message: "automation cannot start before the song".into(), help: None };
                ctx.error(Diagnostic::new(kind, bp.position.span));
                continue;
            }
            Err(e) => {
                ctx.error(e);
                continue;
            }
        };
        let Some(value) = ctx.value(&bp.value, kind).and_then(|v| v.number()) else { continue };
        if !(lo..=hi).contains(&value) {
            let kind = ErrorKind::OutOfRange {
                what: "the value".into(),
                value: ctx.text(bp.value.span).into(),
                range: range.clone(),
            };
            ctx.error(Diagnostic::new(kind, bp.value.span));
            continue;
        }
        let curve = match bp.curve.as_ref().map(|c| c.node.as_str()) {
            None | Some("linear") => Curve::Linear,
            Some("smooth") => Curve::Smooth,
            Some("hold") => Curve::Hold,
            Some(other) => {
                let kind = ErrorKind::UnknownWord {
                    what: "curve",
                    word: other.into(),
                    valid: vec!["linear".into(), "smooth".into(), "hold".into()],
                };
                ctx.error(Diagnostic::new(kind, bp.curve.as_ref().map_or(bp.span, |c| c.span)));
                continue;
            }
        };
        let frame = frames(position, rate);
        if points.last().is_some_and(|p| p.frame > frame) {
            let kind = ErrorKind::Other {
                message: "breakpoints must be in time order".into(),
                help: Some("move this line above the ones that come later in the song".into()),
            };
            ctx.error(Diagnostic::new(kind, bp.position.span));
            continue;
        }
        points.push(Breakpoint { frame, value, curve });
    }
    if points.is_empty() {
        return None;
    }
    Some((node, Automation { target, points, span: auto.span }))
}

/// Resolves `node.gain`, `node.pan` or `node.label.param`.
fn target(ctx: &mut Ctx, path: &[Ident], drafts: &[Draft]) -> Option<(usize, AutoTarget, Kind)> {
    let first = path.first()?;
    let Some(node) = drafts.iter().position(|d| d.name == first.node) else {
        let suggestion = suggest(&first.node, drafts.iter().map(|d| d.name.as_str()));
        let kind = ErrorKind::UnknownName { what: "track or bus", name: first.node.clone(), suggestion };
        ctx.error(Diagnostic::new(kind, first.span));
        return None;
    };
    match path {
        [_, p] if p.node == "gain" => Some((node, AutoTarget::Gain, Kind::Level)),
        [_, p] if p.node == "pan" => Some((node, AutoTarget::Pan, Kind::Percent)),
        [_, label, param] => processor_param(ctx, &drafts[node], label, param).map(|(t, k)| (node, t, k)),
        _ => {
            let last = path.last().unwrap_or(first);
            let labels: Vec<&str> = drafts[node].chain.iter().filter_map(|c| c.label.as_deref()).collect();
            let kind = ErrorKind::Other {
                message: format!("cannot automate `{}`", names(path)),
                help: Some(format!(
                    "automate `{0}.gain`, `{0}.pan`, or `{0}.LABEL.PARAM` for a processor labelled in the chain{1}",
                    first.node,
                    if labels.is_empty() { String::new() } else { format!(" (labels here: {})", labels.join(", ")) }
                )),
            };
            ctx.error(Diagnostic::new(kind, first.span.to(last.span)));
            None
        }
    }
}

fn processor_param(ctx: &mut Ctx, draft: &Draft, label: &Ident, param: &Ident) -> Option<(AutoTarget, Kind)> {
    let Some(call) = draft.chain.iter().position(|c| c.label.as_deref() == Some(label.node.as_str())) else {
        let labels = draft.chain.iter().filter_map(|c| c.label.as_deref());
        let suggestion = suggest(&label.node, labels);
        let kind = ErrorKind::UnknownName { what: "processor label", name: label.node.clone(), suggestion };
        ctx.error(Diagnostic::new(kind, label.span));
        return None;
    };
    let spec = draft.chain[call].spec;
    let numeric = |k: Kind| !matches!(k, Kind::Name | Kind::Text);
    match spec.param_index(&param.node).filter(|&i| numeric(spec.params[i].kind)) {
        Some(i) => match fixed(&draft.chain[call], i) {
            Some(kind) => {
                ctx.error(Diagnostic::new(kind, param.span));
                None
            }
            None => Some((AutoTarget::Param { call, param: i }, spec.params[i].kind)),
        },
        None => {
            let valid: Vec<String> =
                spec.params.iter().filter(|p| numeric(p.kind)).map(|p| p.name.to_string()).collect();
            let suggestion = suggest(&param.node, valid.iter().map(|s| s.as_str()));
            let kind = ErrorKind::UnknownParameter {
                processor: spec.name.into(),
                name: param.node.clone(),
                suggestion,
                valid,
            };
            ctx.error(Diagnostic::new(kind, param.span));
            None
        }
    }
}

/// Numeric parameters a processor takes once, when it is built: (processor,
/// parameter, what to do instead). Their `set_param` ignores them, so
/// automating them would silently do nothing.
const SET_ONCE: &[(&str, &str, &str)] = &[
    (
        "limiter",
        "lookahead",
        "the lookahead is the limiter's latency, fixed for the render; automate `ceiling` or `release`",
    ),
    ("reverb", "size", "the size sets the reverb's delay lengths once; automate `decay`, `damping`, `width` or `mix`"),
    ("reverb", "predelay", "the predelay is set once; automate `decay`, `damping`, `width` or `mix`"),
    ("delay", "lowpass", "the feedback filters are set once; automate `time`, `feedback` or `mix`"),
    ("delay", "highpass", "the feedback filters are set once; automate `time`, `feedback` or `mix`"),
];

/// Why parameter `param` of `call` cannot move once the processor is built:
/// a linear-phase filter's FIR (and its latency) and a crossover's splits
/// are designed once.
fn fixed(call: &ProcessorCall, param: usize) -> Option<ErrorKind> {
    let name = call.spec.params[param].name;
    let what = format!("`{name}` of `{}`", call.label.as_deref().unwrap_or(call.spec.name));
    let linear = call.spec.param_index("phase").and_then(|i| call.params.text(i)) == Some("linear");
    if linear {
        let help = "a linear-phase filter is designed once; automate a `phase: minimum` filter instead".into();
        return Some(ErrorKind::NotAutomatable { what, help });
    }
    if let Some((_, _, help)) = SET_ONCE.iter().find(|(p, n, _)| *p == call.spec.name && *n == name) {
        return Some(ErrorKind::NotAutomatable { what, help: (*help).into() });
    }
    if super::chain::bands::banded(call.spec).is_some_and(|b| b.split == param) {
        let help = "the crossovers are fixed; automate the bands' settings instead".into();
        return Some(ErrorKind::NotAutomatable { what, help });
    }
    None
}

fn names(path: &[Ident]) -> String {
    path.iter().map(|i| i.node.as_str()).collect::<Vec<_>>().join(".")
}

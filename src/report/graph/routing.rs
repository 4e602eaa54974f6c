//! The routing as a drawing sees it: one box per track, bus and master, and
//! an edge per `out`, send and sidechain key, each with its label.

use std::collections::HashMap;
use std::path::Path;

use crate::ir::{MixGraph, NodeRole, ProcessorCall, Tap};
use crate::processor::registry::ParamValue;
use crate::processor::value::{fmt_number, Kind};
use crate::syntax::ast::{Entry, ExprKind, Item};

/// A box in the drawing.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    pub name: String,
    pub role: NodeRole,
    /// Lines under the name: the chain, then fader and pan when not default.
    pub details: Vec<String>,
    /// Muted, or silenced by another node's solo.
    pub silent: bool,
}

/// How an edge is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `out = ...`: solid.
    Out,
    /// `send ...`: dashed.
    Send,
    /// A processor's sidechain `key`: dotted.
    Key,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub label: String,
}

/// Boxes in processing order (master last) and the edges between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    pub boxes: Vec<NodeBox>,
    pub edges: Vec<Edge>,
}

/// Chain stages per label line, so wide chains wrap instead of stretching the box.
const STAGES_PER_LINE: usize = 2;

impl Routing {
    /// `outs` maps a node to its `out` target as written (see [`outs_in_file`]);
    /// the graph alone cannot tell an `out` from a unity post-fader send.
    pub fn new(graph: &MixGraph, outs: &HashMap<String, String>) -> Self {
        let boxes = graph.nodes.iter().map(node_box).collect();
        let mut edges = Vec::new();
        for (to, node) in graph.nodes.iter().enumerate() {
            for input in &node.inputs {
                let from_name = &graph.nodes[input.from].name;
                let out_target = outs.get(from_name).map_or("master", String::as_str);
                let is_out = out_target == node.name
                    && input.tap == Tap::PostFader
                    && input.gain == 1.0
                    && !edges.iter().any(|e: &Edge| e.from == input.from && e.kind == EdgeKind::Out);
                let (kind, label) = if is_out {
                    (EdgeKind::Out, String::new())
                } else {
                    let tap = if input.tap == Tap::PreFader { "pre" } else { "post" };
                    (EdgeKind::Send, format!("{}dB {tap}", signed(crate::dsp::gain_to_db(input.gain as f64))))
                };
                edges.push(Edge { from: input.from, to, kind, label });
            }
            for call in &node.chain {
                for (i, value) in call.params.values.iter().enumerate() {
                    let Some(ParamValue::Node(key)) = value else { continue };
                    let Some(from) = graph.find(key) else { continue };
                    let param = call.spec.params.get(i).map_or("key", |p| p.name);
                    edges
                        .push(Edge { from, to, kind: EdgeKind::Key, label: format!("{param} → {}", call.spec.name) });
                }
            }
        }
        Routing { boxes, edges }
    }
}

fn node_box(node: &crate::ir::Node) -> NodeBox {
    let stages: Vec<String> = node.chain.iter().map(stage_label).collect();
    let mut details: Vec<String> = stages.chunks(STAGES_PER_LINE).map(|c| c.join(" → ")).collect();
    for line in details.iter_mut().skip(1) {
        line.insert_str(0, "→ ");
    }
    let gain_db = crate::dsp::gain_to_db(node.gain);
    if gain_db.abs() > 1e-9 {
        details.push(format!("gain {}dB", signed(gain_db)));
    }
    if node.pan.abs() > 1e-9 {
        details.push(format!("pan {}%", signed(node.pan * 100.0)));
    }
    NodeBox { name: node.name.clone(), role: node.role, details, silent: node.silent }
}

/// `peak 60Hz +3dB`: the processor and the arguments the user gave,
/// positional ones with a unit bare, the rest as `name value`.
pub fn stage_label(call: &ProcessorCall) -> String {
    let mut parts =
        vec![call.label.as_ref().map_or(call.spec.name.to_string(), |l| format!("{l}: {}", call.spec.name))];
    for (i, (value, spec)) in call.params.values.iter().zip(call.spec.params).enumerate() {
        let given = call.param_spans.get(i).is_some_and(Option::is_some);
        let Some(value) = value.as_ref().filter(|_| given) else { continue };
        let shown = show_value(value, spec.kind);
        // A unit says what a value is (`60Hz`); a bare number needs its name (`q 1.4`).
        let self_evident = matches!(spec.kind, Kind::Level | Kind::Frequency | Kind::Time | Kind::Loudness);
        parts.push(if i < call.spec.positional && self_evident { shown } else { format!("{} {shown}", spec.name) });
    }
    parts.join(" ")
}

fn show_value(value: &ParamValue, kind: Kind) -> String {
    let x = match value {
        ParamValue::Number(x) => *x,
        ParamValue::List(v) => {
            let items: Vec<String> = v.iter().map(|&x| show_value(&ParamValue::Number(x), kind)).collect();
            return format!("[{}]", items.join(", "));
        }
        ParamValue::SamplePeak(x) => return format!("{}dB", signed(*x)),
        ParamValue::Text(t) => return t.clone(),
        ParamValue::Node(n) => return n.clone(),
        ParamValue::Audio(a) => return a.path.file_name().map_or(String::new(), |f| f.to_string_lossy().into()),
    };
    match kind {
        Kind::Level => format!("{}dB", signed(x)),
        Kind::Loudness => format!("{}LUFS", fmt_number(x)),
        Kind::LoudnessUnits => format!("{}LU", fmt_number(x)),
        Kind::TruePeak => format!("{}dBTP", fmt_number(x)),
        Kind::Frequency if x >= 1000.0 => format!("{}kHz", fmt_number(x / 1000.0)),
        Kind::Frequency => format!("{}Hz", fmt_number(x)),
        Kind::Time if x < 1.0 => format!("{}ms", fmt_number(x * 1000.0)),
        Kind::Time => format!("{}s", fmt_number(x)),
        Kind::Percent => format!("{}%", fmt_number(x * 100.0)),
        _ => fmt_number(x),
    }
}

/// `+3`, `-2.5`, `0`: levels read better with their sign.
fn signed(x: f64) -> String {
    let s = fmt_number(x);
    if x > 0.0 && x.is_finite() {
        format!("+{s}")
    } else {
        s
    }
}

/// Each node's `out` target as written in the file's track and bus blocks.
/// A file that cannot be read or parsed here gives no entries (the checker
/// has already accepted it, so that does not happen in practice).
pub fn outs_in_file(file: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(file) else { return HashMap::new() };
    let Ok(module) = crate::syntax::parse(crate::source::FileId(0), &text) else { return HashMap::new() };
    let mut outs = HashMap::new();
    for item in &module.items {
        let Item::Node(block) = item else { continue };
        let Some(name) = &block.name else { continue };
        for entry in &block.entries {
            if let Entry::Setting(s) = entry {
                if let (true, ExprKind::Name(target)) = (s.key.node == "out", &s.value.kind) {
                    outs.insert(name.node.clone(), target.clone());
                }
            }
        }
    }
    outs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Input, Metadata, Node};
    use crate::processor::registry::{self, Params};

    fn node(name: &str, role: NodeRole, inputs: Vec<Input>, chain: Vec<ProcessorCall>) -> Node {
        let span = Default::default();
        Node {
            name: name.into(),
            role,
            span,
            source: None,
            channels: 2,
            chain,
            gain: 1.0,
            pan: 0.0,
            silent: false,
            inputs,
            automation: Vec::new(),
        }
    }

    /// No processor takes a node yet; any `ParamValue::Node` must still draw a key edge.
    #[test]
    fn sidechain_keys_are_dotted_edges() {
        let spec = registry::lookup("highpass").expect("highpass exists");
        let mut values = vec![None; spec.params.len()];
        values[0] = Some(ParamValue::Node("kick".into()));
        let call = ProcessorCall {
            spec,
            params: Params { values },
            param_spans: vec![None; spec.params.len()],
            label: None,
            span: Default::default(),
        };
        let post = |from| Input { from, gain: 1.0, tap: Tap::PostFader };
        let nodes = vec![
            node("kick", NodeRole::Track, vec![], vec![]),
            node("bass", NodeRole::Track, vec![], vec![call]),
            node("master", NodeRole::Master, vec![post(0), post(1)], vec![]),
        ];
        let graph = MixGraph {
            rate: 48000,
            tempo: None,
            meter: (4, 4),
            metadata: Metadata::default(),
            nodes,
            exports: vec![],
            length: None,
            inputs: vec![],
            checks: vec![],
            target: Default::default(),
            final_limiter: None,
        };
        let r = Routing::new(&graph, &HashMap::new());
        let keys: Vec<_> = r.edges.iter().filter(|e| e.kind == EdgeKind::Key).collect();
        assert_eq!(keys.len(), 1);
        assert_eq!((keys[0].from, keys[0].to), (0, 1));
        assert!(super::super::dot::write(&r).contains("\"kick\" -> \"bass\" [style=dotted"));
        assert_eq!(r.edges.iter().filter(|e| e.kind == EdgeKind::Out).count(), 2);
    }

    #[test]
    fn stage_labels_show_given_arguments_with_units() {
        let spec = registry::lookup("peak").expect("peak exists");
        let mut values = vec![None; spec.params.len()];
        let mut spans = vec![None; spec.params.len()];
        for (i, v) in [(0, 60.0), (1, 3.0), (2, 1.4)] {
            values[i] = Some(ParamValue::Number(v));
            spans[i] = Some(Default::default());
        }
        let call = ProcessorCall {
            spec,
            params: Params { values },
            param_spans: spans,
            label: None,
            span: Default::default(),
        };
        assert_eq!(stage_label(&call), "peak 60Hz +3dB q 1.4");
    }
}

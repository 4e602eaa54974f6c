//! Building a [`Plan`] from a [`MixGraph`]: levels for parallel rendering,
//! latency compensation, and the render length with every tail.

use std::ops::Range;

use super::envelope::Envelope;
use crate::dsp::Processor;
use crate::ir::{AutoTarget, Export, Metadata, MixGraph, NodeRole, Source, Tap};
use crate::processor::registry::ParamValue;

/// Options that shape the plan but not the sound.
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions {
    /// Frames per processing block.
    pub block: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { block: super::DEFAULT_BLOCK }
    }
}

/// An input of a node in the plan.
#[derive(Debug, Clone)]
pub struct PlanInput {
    /// Index into [`Plan::nodes`]; always in an earlier level.
    pub from: usize,
    pub gain: f32,
    pub tap: Tap,
    /// Frames of delay that line this input up with the node's other inputs.
    pub delay: usize,
}

/// One node, ready to run.
pub struct NodePlan {
    pub name: String,
    pub role: NodeRole,
    pub source: Option<Source>,
    /// Channels through the chain (1 or 2).
    pub channels: usize,
    /// Built and prepared processors.
    pub chain: Vec<Box<dyn Processor>>,
    /// For each processor of `chain`: the plan index of its sidechain key node.
    pub keys: Vec<Option<usize>>,
    /// Left and right gains after the chain, pan law included, without the fader.
    pub pan: [f64; 2],
    /// The fader, linear.
    pub fader: f64,
    /// The static pan position (−1..1), for automated pan.
    pub pan_position: f64,
    /// Fader automation in dB (added to `fader`), and pan automation.
    pub gain_env: Option<Envelope>,
    pub pan_env: Option<Envelope>,
    /// Automated processor parameters: (index into `chain`, parameter index, lane).
    pub param_envs: Vec<(usize, usize, Envelope)>,
    pub silent: bool,
    pub inputs: Vec<PlanInput>,
    /// Whether some send taps this node before its fader.
    pub feeds_pre: bool,
    /// Content hash (see `plan::hash`).
    pub hash: u64,
}

/// The whole render, ready to run.
///
/// Invariants: nodes are grouped by `levels` — every input of a node lies in
/// an earlier level, so a level's nodes can run in parallel; the master is the
/// last node, alone in the last level; `length` includes every tail.
pub struct Plan {
    pub rate: u32,
    pub block: usize,
    pub nodes: Vec<NodePlan>,
    pub levels: Vec<Range<usize>>,
    /// Frames of output, after the master's latency is removed.
    pub length: u64,
    /// Frames the master's output is late by (dropped from the start).
    pub latency: usize,
    pub exports: Vec<Export>,
    pub metadata: Metadata,
}

/// Plans the render of a checked graph. Cannot fail.
pub fn plan(graph: &MixGraph, options: PlanOptions) -> Plan {
    let rate = graph.rate;
    let block = options.block.max(1);
    let levels_of = levels(graph);
    // Stable order by level, then by graph order.
    let mut order: Vec<usize> = (0..graph.nodes.len()).collect();
    order.sort_by_key(|&i| (levels_of[i], i));
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut nodes: Vec<NodePlan> = order.iter().map(|&old| node_plan(graph, old, &new_index, rate, block)).collect();
    let latency = compensate(&mut nodes);
    mark_pre_taps(&mut nodes);
    let levels = ranges(&order.iter().map(|&i| levels_of[i]).collect::<Vec<_>>());
    let length = graph.length.unwrap_or_else(|| natural_length(&nodes, rate));
    let hashes = super::hash::node_hashes(graph, length);
    for (node, &old) in nodes.iter_mut().zip(&order) {
        node.hash = hashes[old];
    }
    Plan {
        rate,
        block,
        nodes,
        levels,
        length,
        latency,
        exports: graph.exports.clone(),
        metadata: graph.metadata.clone(),
    }
}

/// Level of each node: 0 for nodes without inputs, else one more than its deepest input.
fn levels(graph: &MixGraph) -> Vec<usize> {
    let mut level = vec![0usize; graph.nodes.len()];
    // Graph nodes are in topological order, so inputs are done first.
    for (i, node) in graph.nodes.iter().enumerate() {
        level[i] = node.inputs.iter().map(|inp| level[inp.from] + 1).max().unwrap_or(0);
    }
    level
}

fn ranges(levels: &[usize]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, &l) in levels.iter().enumerate() {
        match out.last_mut() {
            Some(r) if levels[r.start] == l => r.end = i + 1,
            _ => out.push(i..i + 1),
        }
    }
    out
}

fn node_plan(graph: &MixGraph, old: usize, new_index: &[usize], rate: u32, block: usize) -> NodePlan {
    let node = &graph.nodes[old];
    let calls = with_initial_automation(node);
    let built = super::fuse::build_chain(&calls, rate as f64, node.channels, block);
    let (gain_env, pan_env, param_envs) = lanes(node, &built);
    let keys = built
        .iter()
        .map(|(_, call)| {
            let call = &node.chain[(*call)?];
            let name = (0..call.params.values.len()).find_map(|i| call.params.node(i))?;
            graph.find(name).map(|k| new_index[k])
        })
        .collect();
    let chain = built.into_iter().map(|(p, _)| p).collect();
    let pan = if node.channels == 1 {
        let (l, r) = crate::dsp::pan::mono_pan_gains(node.pan);
        [l, r]
    } else {
        let (l, r) = crate::dsp::pan::balance_gains(node.pan);
        [l, r]
    };
    let mut inputs: Vec<PlanInput> =
        node.inputs.iter().map(|i| PlanInput { from: new_index[i.from], gain: i.gain, tap: i.tap, delay: 0 }).collect();
    inputs.sort_by_key(|i| i.from);
    NodePlan {
        name: node.name.clone(),
        role: node.role,
        source: node.source.clone(),
        channels: node.channels,
        chain,
        keys,
        pan,
        fader: node.gain,
        pan_position: node.pan,
        gain_env,
        pan_env,
        param_envs,
        silent: node.silent,
        inputs,
        feeds_pre: false,
        hash: 0,
    }
}

/// The chain's calls with automated parameters starting at their lane's
/// first value, so nothing glides at time zero.
fn with_initial_automation(node: &crate::ir::Node) -> Vec<crate::ir::ProcessorCall> {
    let mut calls = node.chain.clone();
    for lane in &node.automation {
        if let AutoTarget::Param { call, param } = lane.target {
            let first = Envelope::new(lane.points.clone(), false).value_at(0);
            calls[call].params.values[param] = Some(ParamValue::Number(first));
        }
    }
    calls
}

type Lanes = (Option<Envelope>, Option<Envelope>, Vec<(usize, usize, Envelope)>);

/// The node's automation lanes, with processor lanes pointing into the built chain.
fn lanes(node: &crate::ir::Node, built: &[super::fuse::Built]) -> Lanes {
    let (mut gain, mut pan, mut params) = (None, None, Vec::new());
    for lane in &node.automation {
        match lane.target {
            AutoTarget::Gain => gain = Some(Envelope::new(lane.points.clone(), true)),
            AutoTarget::Pan => pan = Some(Envelope::new(lane.points.clone(), false)),
            AutoTarget::Param { call, param } => {
                let db = node.chain[call].spec.params[param].kind == crate::processor::value::Kind::Level;
                if let Some(index) = built.iter().position(|(_, c)| *c == Some(call)) {
                    params.push((index, param, Envelope::new(lane.points.clone(), db)));
                }
            }
        }
    }
    (gain, pan, params)
}

/// Delays inputs so that every path into a node arrives equally late, and
/// returns how late the master's output is. Nodes are in level order.
fn compensate(nodes: &mut [NodePlan]) -> usize {
    let mut out_latency = vec![0usize; nodes.len()];
    for i in 0..nodes.len() {
        let summed = |inp: &&mut PlanInput| inp.tap != Tap::Key;
        let arrival =
            nodes[i].inputs.iter().filter(|i| i.tap != Tap::Key).map(|inp| out_latency[inp.from]).max().unwrap_or(0);
        for inp in nodes[i].inputs.iter_mut().filter(summed) {
            inp.delay = arrival - out_latency[inp.from];
        }
        out_latency[i] = arrival + nodes[i].chain.iter().map(|p| p.latency()).sum::<usize>();
    }
    out_latency.last().copied().unwrap_or(0)
}

fn mark_pre_taps(nodes: &mut [NodePlan]) {
    let pre: Vec<usize> =
        nodes.iter().flat_map(|n| n.inputs.iter().filter(|i| i.tap == Tap::PreFader).map(|i| i.from)).collect();
    for from in pre {
        nodes[from].feeds_pre = true;
    }
}

/// The last source's end plus the longest tail from it to the output.
fn natural_length(nodes: &[NodePlan], rate: u32) -> u64 {
    // tail_down[i]: frames a signal leaving node i's input takes to die out at the master.
    let mut tail_down = vec![0u64; nodes.len()];
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for inp in n.inputs.iter().filter(|i| i.tap != Tap::Key) {
            consumers[inp.from].push(i);
        }
    }
    for i in (0..nodes.len()).rev() {
        let own: u64 = nodes[i].chain.iter().map(|p| p.tail() as u64).sum();
        let after = consumers[i].iter().map(|&c| tail_down[c]).max().unwrap_or(0);
        tail_down[i] = own + after;
    }
    nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.source.as_ref().map(|s| s.start + s.frames + round_tail(tail_down[i], rate)))
        .max()
        .unwrap_or(0)
}

/// Tails are rounded up to a tenth of a second: the song never ends early,
/// and nudging an EQ (which moves its filter's tail by a few samples) does
/// not change the length — so `mixc watch` can keep every other node's
/// cached output. A mix without tails keeps the sources' exact length.
fn round_tail(tail: u64, rate: u32) -> u64 {
    let step = (rate as u64 / 10).max(1);
    tail.div_ceil(step) * step
}

//! Routing: resolving `out` and `send` targets into a petgraph DAG, reporting
//! cycles as their path, and ordering nodes so every input comes first.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::ir::Tap;
use crate::processor::registry::ParamValue;
use crate::source::Span;
use crate::syntax::ast::NodeKind;

use super::ctx::Ctx;
use super::nodes::Draft;

/// An edge of the mix: `from` feeds `to`.
#[derive(Debug, Clone)]
pub struct Edge {
    pub gain_db: f64,
    pub tap: Tap,
    /// The text that made the edge (the `out` value or the send's target).
    pub span: Span,
}

/// Drafts in processing order with their resolved inputs.
pub struct Routing {
    /// Draft indices, every node after its inputs; the master last.
    pub order: Vec<usize>,
    /// For each draft index: `(from draft index, edge)`.
    pub inputs: Vec<Vec<(usize, Edge)>>,
}

/// Resolves targets and checks for cycles. `drafts` must contain the master.
pub fn route(ctx: &mut Ctx, drafts: &[Draft]) -> Option<Routing> {
    let index: HashMap<&str, usize> = drafts.iter().enumerate().map(|(i, d)| (d.name.as_str(), i)).collect();
    let mut graph: DiGraph<usize, Edge> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..drafts.len()).map(|i| graph.add_node(i)).collect();
    let mut ok = true;
    for (i, d) in drafts.iter().enumerate() {
        if d.kind == NodeKind::Master {
            continue;
        }
        let (target, span) = d.out.clone().unwrap_or_else(|| ("master".into(), d.span));
        match resolve(ctx, drafts, &index, &target, span, "bus", true) {
            Some(to) => {
                graph.add_edge(nodes[i], nodes[to], Edge { gain_db: 0.0, tap: Tap::PostFader, span });
            }
            None => ok = false,
        }
        for s in &d.sends {
            match resolve(ctx, drafts, &index, &s.target, s.span, "bus", false) {
                Some(to) => {
                    graph.add_edge(nodes[i], nodes[to], Edge { gain_db: s.gain_db, tap: s.tap, span: s.span });
                }
                None => ok = false,
            }
        }
    }
    ok &= add_keys(ctx, drafts, &index, &nodes, &mut graph);
    if !report_cycles(ctx, &graph, drafts) || !ok {
        return None;
    }
    let order = topological(&graph);
    let mut inputs = vec![Vec::new(); drafts.len()];
    for e in graph.edge_references() {
        inputs[graph[e.target()]].push((graph[e.source()], e.weight().clone()));
    }
    Some(Routing { order, inputs })
}

/// Adds an edge for every sidechain `key:` in a chain: the key node must be
/// rendered before the node whose processor listens to it.
fn add_keys(
    ctx: &mut Ctx,
    drafts: &[Draft],
    index: &HashMap<&str, usize>,
    nodes: &[NodeIndex],
    graph: &mut DiGraph<usize, Edge>,
) -> bool {
    let mut ok = true;
    for (i, d) in drafts.iter().enumerate() {
        for call in &d.chain {
            for (v, span) in call.params.values.iter().zip(&call.param_spans) {
                let (Some(ParamValue::Node(name)), Some(span)) = (v, span) else { continue };
                match index.get(name.as_str()) {
                    Some(&k) if drafts[k].kind != NodeKind::Master => {
                        graph.add_edge(nodes[k], nodes[i], Edge { gain_db: 0.0, tap: Tap::Key, span: *span });
                    }
                    Some(_) => {
                        let kind = ErrorKind::Other {
                            message: "the master cannot be a sidechain key".into(),
                            help: Some("key from a track or a bus".into()),
                        };
                        ctx.error(Diagnostic::new(kind, *span));
                        ok = false;
                    }
                    None => {
                        let candidates = drafts.iter().filter(|d| d.kind != NodeKind::Master).map(|d| d.name.as_str());
                        let suggestion = suggest(name, candidates);
                        let kind = ErrorKind::UnknownName { what: "track or bus", name: name.clone(), suggestion };
                        ctx.error(Diagnostic::new(kind, *span));
                        ok = false;
                    }
                }
            }
        }
    }
    ok
}

/// Finds the bus (or master, when `master_ok`) a name refers to.
fn resolve(
    ctx: &mut Ctx,
    drafts: &[Draft],
    index: &HashMap<&str, usize>,
    target: &str,
    span: Span,
    what: &'static str,
    master_ok: bool,
) -> Option<usize> {
    match index.get(target) {
        Some(&i) if drafts[i].kind == NodeKind::Bus => Some(i),
        Some(&i) if drafts[i].kind == NodeKind::Master && master_ok => Some(i),
        Some(&i) => {
            let role = if drafts[i].kind == NodeKind::Track { "a track" } else { "the master" };
            let kind = ErrorKind::Other {
                message: format!("cannot route to `{target}`: it is {role}"),
                help: Some("route to a bus, or to `master`; sends go to buses".into()),
            };
            ctx.error(Diagnostic::new(kind, span));
            None
        }
        None => {
            let candidates = drafts
                .iter()
                .filter(|d| d.kind == NodeKind::Bus || (master_ok && d.kind == NodeKind::Master))
                .map(|d| d.name.as_str());
            let suggestion = suggest(target, candidates);
            ctx.error(Diagnostic::new(ErrorKind::UnknownName { what, name: target.into(), suggestion }, span));
            None
        }
    }
}

/// Reports each strongly connected component as a cycle; true when there are none.
fn report_cycles(ctx: &mut Ctx, graph: &DiGraph<usize, Edge>, drafts: &[Draft]) -> bool {
    let mut clean = true;
    for scc in tarjan_scc(graph) {
        let self_loop = scc.len() == 1 && graph.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        clean = false;
        let start = *scc.iter().min_by_key(|n| graph[**n]).unwrap_or(&scc[0]);
        let (path, edges) = cycle_path(graph, &scc, start);
        let names: Vec<String> = path.iter().map(|n| drafts[graph[*n]].name.clone()).collect();
        // Point at the key when one closes the loop: that is the line to change.
        let key = edges.iter().rev().find(|e| e.tap == Tap::Key);
        let closing = key.or(edges.last()).map(|e| e.span).unwrap_or_default();
        let kind = match key {
            Some(_) => ErrorKind::SidechainCycle { path: names },
            None => ErrorKind::RoutingCycle { path: names },
        };
        ctx.error(Diagnostic::new(kind, closing));
    }
    clean
}

/// A path start -> ... -> start inside one component, and its edges.
fn cycle_path(graph: &DiGraph<usize, Edge>, scc: &[NodeIndex], start: NodeIndex) -> (Vec<NodeIndex>, Vec<Edge>) {
    let mut path = vec![start];
    let mut spans: Vec<Edge> = Vec::new();
    let mut current = start;
    // Walk inside the component, preferring an edge back to the start; a
    // strongly connected component always leads back within len steps.
    for _ in 0..=scc.len() {
        let mut edges: Vec<_> =
            graph.edges_directed(current, Direction::Outgoing).filter(|e| scc.contains(&e.target())).collect();
        edges.sort_by_key(|e| (e.target() != start, path.contains(&e.target()), graph[e.target()]));
        let Some(e) = edges.first() else { break };
        spans.push(e.weight().clone());
        path.push(e.target());
        if e.target() == start {
            break;
        }
        current = e.target();
    }
    (path, spans)
}

/// Kahn's algorithm, taking the earliest-declared ready node first so the
/// order (and so every sum) is the same on every run.
fn topological(graph: &DiGraph<usize, Edge>) -> Vec<usize> {
    let mut indegree: Vec<usize> =
        graph.node_indices().map(|n| graph.edges_directed(n, Direction::Incoming).count()).collect();
    let mut ready: BinaryHeap<Reverse<usize>> =
        graph.node_indices().filter(|n| indegree[n.index()] == 0).map(|n| Reverse(graph[n])).collect();
    let mut order = Vec::with_capacity(indegree.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for e in graph.edges_directed(NodeIndex::new(i), Direction::Outgoing) {
            let t = e.target().index();
            indegree[t] -= 1;
            if indegree[t] == 0 {
                ready.push(Reverse(graph[e.target()]));
            }
        }
    }
    order
}

//! The outputs nodes made in earlier steps of the pipelined render loop.
//!
//! The engine runs every level at once, each on its own chunk: in step t,
//! level L renders chunk t − L (see [`super::engine`]). A node at level L
//! therefore reads an input at level L′ < L from L − L′ steps ago. Each node
//! keeps that many past outputs, no more: a ring whose slot k holds what the
//! node's buffers held k + 1 steps ago. After each step the node's fresh
//! buffers swap places with its oldest slot, so nothing is copied.

use std::collections::VecDeque;

use super::buffer::Planar;
use super::node::NodeRun;

/// One step's output of a node: after the fader, and before it when a send taps it.
pub struct Outputs {
    pub out: Planar,
    pub pre: Option<Planar>,
}

/// Every node's past outputs, indexed like the plan's nodes.
pub struct History {
    rings: Vec<VecDeque<Outputs>>,
    level: Vec<usize>,
}

impl History {
    /// Rings for nodes at `level` (plan order) whose inputs are `inputs`
    /// (plan indices, keys included); `shape(n)` gives node n's buffers as
    /// zeroed [`Outputs`].
    pub fn new(level: Vec<usize>, inputs: &[Vec<usize>], shape: impl Fn(usize) -> Outputs) -> History {
        let mut depth = vec![0usize; level.len()];
        for (reader, from) in inputs.iter().enumerate() {
            for &f in from {
                depth[f] = depth[f].max(level[reader].saturating_sub(level[f]));
            }
        }
        let rings = depth.iter().enumerate().map(|(n, &d)| (0..d).map(|_| shape(n)).collect()).collect();
        History { rings, level }
    }

    /// The output of node `from` that a node at `reader_level` reads in this
    /// step: the one `from` made for the same chunk.
    pub fn out(&self, from: usize, reader_level: usize) -> &Planar {
        &self.slot(from, reader_level).out
    }

    /// Node `from`'s pre-fader output (its post-fader one when no send taps it early).
    pub fn pre(&self, from: usize, reader_level: usize) -> &Planar {
        let slot = self.slot(from, reader_level);
        slot.pre.as_ref().unwrap_or(&slot.out)
    }

    fn slot(&self, from: usize, reader_level: usize) -> &Outputs {
        let lag = reader_level - self.level[from];
        &self.rings[from][lag - 1]
    }

    /// Ends a step: each node's fresh buffers become its slot 0, and its
    /// oldest slot's buffers become the ones it writes next.
    pub fn rotate(&mut self, nodes: &mut [NodeRun]) {
        for (ring, node) in self.rings.iter_mut().zip(nodes) {
            let Some(mut oldest) = ring.pop_back() else { continue };
            let (out, pre) = node.buffers_mut();
            std::mem::swap(out, &mut oldest.out);
            if let (Some(p), Some(q)) = (pre, oldest.pre.as_mut()) {
                std::mem::swap(p, q);
            }
            ring.push_front(oldest);
        }
    }
}

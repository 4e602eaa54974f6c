//! Node outputs kept between renders (`mixc watch`), by content hash.
//!
//! After a render, the outputs of the nodes it computed are kept, up to a
//! memory cap. Before the next render each node is classified: its hash is
//! cached → it is *replayed* from memory when something downstream needs it,
//! or left *idle*; otherwise it is *computed* (and captured for next time).

use std::collections::HashMap;
use std::sync::Arc;

use crate::plan::Plan;

/// A node's whole output: post-fader stereo, and the pre-fader tap when a send uses it.
#[derive(Debug, Default)]
pub struct CachedOutput {
    pub out: [Vec<f32>; 2],
    pub pre: Option<[Vec<f32>; 2]>,
}

impl CachedOutput {
    pub fn frames(&self) -> usize {
        self.out[0].len()
    }

    pub fn bytes(&self) -> usize {
        (self.out[0].len() * 2) * 4 * if self.pre.is_some() { 2 } else { 1 }
    }
}

/// What a node does in one render.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Render it; keep its output afterwards when `capture`.
    Compute { capture: bool },
    /// Copy its output from the cache.
    Replay(Arc<CachedOutput>),
    /// Nothing downstream needs it this time.
    Idle,
}

/// Cached node outputs under a memory cap.
#[derive(Debug)]
pub struct Cache {
    entries: HashMap<u64, Arc<CachedOutput>>,
    cap_bytes: usize,
}

impl Cache {
    pub fn new(cap_bytes: usize) -> Self {
        Cache { entries: HashMap::new(), cap_bytes }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.entries.values().map(|e| e.bytes()).sum()
    }

    /// Decides each node's mode for rendering `plan`.
    pub fn modes(&self, plan: &Plan) -> Vec<Mode> {
        let total = (plan.length + plan.latency as u64) as usize;
        let cached: Vec<Option<&Arc<CachedOutput>>> = plan
            .nodes
            .iter()
            .map(|n| self.entries.get(&n.hash).filter(|c| c.frames() >= total && (c.pre.is_some() || !n.feeds_pre)))
            .collect();
        let dirty: Vec<bool> = cached.iter().map(|c| c.is_none()).collect();
        let mut needed = dirty.clone();
        for (i, n) in plan.nodes.iter().enumerate() {
            if dirty[i] {
                for input in &n.inputs {
                    needed[input.from] = true;
                }
            }
        }
        let mut budget = self.cap_bytes.saturating_sub(self.kept_bytes(plan, &dirty));
        let per_node = total * 2 * 4;
        let mut modes = vec![Mode::Idle; plan.nodes.len()];
        // Capture nodes nearest the master first: they save the most work.
        for i in (0..plan.nodes.len()).rev() {
            modes[i] = match (cached[i], needed[i]) {
                (Some(c), true) => Mode::Replay(Arc::clone(c)),
                (Some(_), false) => Mode::Idle,
                (None, _) => {
                    let bytes = per_node * if plan.nodes[i].feeds_pre { 2 } else { 1 };
                    let capture = bytes <= budget;
                    if capture {
                        budget -= bytes;
                    }
                    Mode::Compute { capture }
                }
            };
        }
        modes
    }

    fn kept_bytes(&self, plan: &Plan, dirty: &[bool]) -> usize {
        plan.nodes
            .iter()
            .zip(dirty)
            .filter(|(_, d)| !**d)
            .filter_map(|(n, _)| self.entries.get(&n.hash))
            .map(|e| e.bytes())
            .sum()
    }

    /// Keeps what `plan` uses and adds what the render captured; forgets the rest.
    pub fn store(&mut self, plan_hashes: &[u64], captured: Vec<Option<CachedOutput>>) {
        let mut next = HashMap::new();
        for (hash, cap) in plan_hashes.iter().zip(captured) {
            if let Some(c) = cap {
                next.insert(*hash, Arc::new(c));
            } else if let Some(e) = self.entries.get(hash) {
                next.insert(*hash, Arc::clone(e));
            }
        }
        self.entries = next;
    }
}

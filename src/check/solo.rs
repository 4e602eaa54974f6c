//! Solo for listening (`s` while playing): one node audible, with what
//! feeds it and everything it flows through, without editing the file.
//!
//! It follows the `.mix` file's own `solo` rule (see `check/build.rs`):
//! tracks that neither are the soloed node nor feed it are silenced; buses
//! are never silenced, so a soloed track's sends still reach their returns.
//! Silencing changes only those tracks' content hashes, so the re-render
//! replays every other node from the cache.

use crate::ir::{MixGraph, NodeRole};

/// Solos `name` in `graph`; `Err` with a "did you mean" when there is no such node.
pub fn solo(graph: &mut MixGraph, name: &str) -> Result<(), Option<String>> {
    let Some(target) = graph.find(name) else {
        return Err(crate::diagnostic::suggest(name, graph.nodes.iter().map(|n| n.name.as_str())));
    };
    if graph.nodes[target].role == NodeRole::Master {
        return Ok(());
    }
    // Everything upstream of the soloed node (its inputs, theirs, ...).
    let mut feeds = vec![false; graph.nodes.len()];
    feeds[target] = true;
    let mut stack = vec![target];
    while let Some(n) = stack.pop() {
        for input in &graph.nodes[n].inputs {
            if !feeds[input.from] {
                feeds[input.from] = true;
                stack.push(input.from);
            }
        }
    }
    for (node, feeds) in graph.nodes.iter_mut().zip(feeds) {
        if node.role == NodeRole::Track && !feeds {
            node.silent = true;
        }
    }
    Ok(())
}

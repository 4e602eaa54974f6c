//! Content hashes of nodes, for `mixc watch`: a node's hash covers everything
//! its output depends on — its role, chain and parameters, fader, pan, mute,
//! automation, source file identity (path, size, modification time), the
//! render rate and length, and the hashes of its inputs. Equal hash, equal
//! output; so a re-render computes only nodes whose hash changed.

use std::hash::{DefaultHasher, Hash, Hasher};

use crate::ir::{MixGraph, Node, ProcessorCall, Source};
use crate::processor::registry::ParamValue;

/// One hash per node of `graph`, in graph order.
pub fn node_hashes(graph: &MixGraph, length: u64) -> Vec<u64> {
    let mut hashes: Vec<u64> = Vec::with_capacity(graph.nodes.len());
    for node in &graph.nodes {
        let mut h = DefaultHasher::new();
        (graph.rate, length).hash(&mut h);
        hash_node(node, &mut h);
        for input in &node.inputs {
            (hashes[input.from], input.gain.to_bits(), input.tap as u8).hash(&mut h);
        }
        hashes.push(h.finish());
    }
    hashes
}

fn hash_node(node: &Node, h: &mut DefaultHasher) {
    (node.role as u8, node.channels, node.gain.to_bits(), node.pan.to_bits(), node.silent).hash(h);
    if let Some(src) = &node.source {
        hash_source(src, h);
    }
    for call in &node.chain {
        hash_call(call, h);
    }
    for lane in &node.automation {
        format!("{:?}", lane.target).hash(h);
        for p in &lane.points {
            (p.frame, p.value.to_bits(), p.curve as u8).hash(h);
        }
    }
}

fn hash_source(src: &Source, h: &mut DefaultHasher) {
    (&src.path, src.start, src.frames, src.rate, src.channels).hash(h);
    file_identity(&src.path, h);
}

/// Size and modification time: a replaced file (same name) changes the hash.
fn file_identity(path: &std::path::Path, h: &mut DefaultHasher) {
    if let Ok(meta) = std::fs::metadata(path) {
        meta.len().hash(h);
        if let Ok(modified) = meta.modified() {
            modified.hash(h);
        }
    }
}

fn hash_call(call: &ProcessorCall, h: &mut DefaultHasher) {
    (call.spec.name, &call.label).hash(h);
    for value in &call.params.values {
        match value {
            None => 0u8.hash(h),
            Some(ParamValue::Number(x)) => (1u8, x.to_bits()).hash(h),
            Some(ParamValue::Text(t)) => (2u8, t).hash(h),
            Some(ParamValue::Node(n)) => (3u8, n).hash(h),
            Some(ParamValue::SamplePeak(x)) => (5u8, x.to_bits()).hash(h),
            Some(ParamValue::List(v)) => (6u8, v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()).hash(h),
            Some(ParamValue::Audio(clip)) => {
                (4u8, &clip.path, clip.rate, clip.channels.len(), clip.channels[0].len()).hash(h);
                file_identity(&clip.path, h);
            }
        }
    }
}

//! Assembling the [`MixGraph`] from checked drafts, sources and routing.

use std::path::Path;

use crate::ir::{Export, Input, MixGraph, Node, NodeRole, Source};
use crate::syntax::ast::NodeKind;

use super::ctx::Ctx;
use super::nodes::Draft;
use super::routing::Routing;
use super::sources::{self, Probed};
use super::timing::frames;
use super::Song;

/// The master as it is when the file has no `master` block.
pub fn empty_master() -> Draft {
    Draft::new("master".into(), NodeKind::Master, Default::default())
}

/// Opens every track's source; returns the session rate and what opened.
pub fn open_sources(ctx: &mut Ctx, drafts: &[Draft], rate: Option<u32>, base: &Path) -> (u32, Vec<Option<Probed>>) {
    let mut probed: Vec<Option<Probed>> = drafts
        .iter()
        .map(|d| d.source.as_ref().and_then(|(path, span)| sources::open(ctx, base, path, *span, d.conceal)))
        .collect();
    let rate = rate.unwrap_or_else(|| sources::default_rate(&probed.iter().flatten().collect::<Vec<_>>()));
    for (p, d) in probed.iter_mut().zip(drafts) {
        let Some(found) = p else { continue };
        if found.info.frames.is_none() {
            match sources::count_frames(&found.path, found.info.channels, d.conceal) {
                Ok(n) => found.info.frames = Some(n),
                Err(e) => {
                    let (written, span) = d.source.clone().unwrap_or_default();
                    let kind = crate::diagnostic::ErrorKind::UnreadableSource { path: written, reason: e.to_string() };
                    ctx.error(crate::diagnostic::Diagnostic::new(kind, span));
                    *p = None;
                }
            }
        }
    }
    (rate, probed)
}

/// Builds the graph: nodes in processing order, inputs by new index.
pub fn graph(
    drafts: Vec<Draft>,
    probed: Vec<Option<Probed>>,
    mut lanes: Vec<Vec<crate::ir::Automation>>,
    routing: Routing,
    rate: u32,
    song: Song,
    exports: Vec<Export>,
) -> MixGraph {
    let mut new_index = vec![0usize; drafts.len()];
    for (new, &old) in routing.order.iter().enumerate() {
        new_index[old] = new;
    }
    let audible = audible(&drafts, &routing);
    let mut nodes = Vec::with_capacity(drafts.len());
    for &old in &routing.order {
        let d = &drafts[old];
        let source = probed[old].as_ref().map(|p| Source {
            path: p.path.clone(),
            start: frames(d.start, rate),
            channels: p.info.channels,
            rate: p.info.rate,
            frames: sources::frames_at(&p.info, rate).unwrap_or(0),
            conceal: d.conceal,
        });
        let mut inputs: Vec<Input> = routing.inputs[old]
            .iter()
            .map(|(from, e)| Input {
                from: new_index[*from],
                gain: crate::dsp::db_to_gain(e.gain_db) as f32,
                tap: e.tap,
            })
            .collect();
        inputs.sort_by_key(|i| i.from);
        nodes.push(Node {
            name: d.name.clone(),
            role: match d.kind {
                NodeKind::Track => NodeRole::Track,
                NodeKind::Bus => NodeRole::Bus,
                NodeKind::Master => NodeRole::Master,
            },
            span: d.span,
            channels: source.as_ref().map_or(2, |s| s.channels),
            source,
            chain: d.chain.clone(),
            gain: crate::dsp::db_to_gain(d.gain_db),
            pan: d.pan,
            silent: !audible[old],
            inputs,
            automation: std::mem::take(&mut lanes[old]),
        });
    }
    MixGraph {
        rate,
        tempo: song.timing.tempo,
        meter: song.timing.meter,
        metadata: song.metadata,
        nodes,
        exports,
        length: song.length.map(|s| frames(s, rate)),
        inputs: Vec::new(),
        checks: Vec::new(),
        target: Default::default(),
        final_limiter: None,
    }
}

/// Mute and solo: with any solo, a track plays only if it or a bus it flows
/// into (through `out`) is soloed. Buses are never muted by others' solos, so
/// returns keep carrying soloed tracks' sends.
fn audible(drafts: &[Draft], routing: &Routing) -> Vec<bool> {
    let any_solo = drafts.iter().any(|d| d.solo);
    // out target of each draft (sends do not carry solo).
    let mut out_of = vec![None; drafts.len()];
    for (to, ins) in routing.inputs.iter().enumerate() {
        for (from, e) in ins {
            if e.tap == crate::ir::Tap::PostFader && e.gain_db == 0.0 && drafts[*from].out_target_is(&drafts[to].name) {
                out_of[*from] = Some(to);
            }
        }
    }
    (0..drafts.len())
        .map(|i| {
            let d = &drafts[i];
            if d.mute {
                return false;
            }
            if !any_solo || d.kind != NodeKind::Track {
                return true;
            }
            let mut at = Some(i);
            let mut steps = 0;
            while let Some(n) = at {
                if drafts[n].solo {
                    return true;
                }
                steps += 1;
                at = if steps > drafts.len() { None } else { out_of[n] };
            }
            false
        })
        .collect()
}

//! The checker: from a parsed file (and its imports) to a [`MixGraph`], or
//! every problem in the file at once.

pub mod audio_params;
pub mod automation;
pub mod chain;
pub mod ctx;
pub mod eval;
pub mod exports;
mod exports_lossy;
pub mod imports;
pub mod nodes;
pub mod qc;
pub mod routing;
pub mod settings;
pub mod solo;
pub mod sources;
pub mod stdlib;
pub mod timing;

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, ErrorKind, Report};
use crate::ir::{Metadata, MixGraph};
use crate::processor::value::{Kind, Value};
use crate::source::SourceMap;
use crate::syntax::ast::{Item, NodeKind};

use ctx::Ctx;
use nodes::Draft;
use timing::Timing;

const SONG_KEYS: &[&str] = &[
    "title",
    "cover",
    "artist",
    "album",
    "isrc",
    "composer",
    "genre",
    "year",
    "comment",
    "copyright",
    "rate",
    "tempo",
    "meter",
    "length",
];

/// The report for a `.mix` (or album) file that cannot be read.
pub(crate) fn unreadable(path: &Path, error: &std::io::Error) -> Report {
    let mut sources = SourceMap::new();
    let id = sources.add(path, path.to_string_lossy(), "");
    let shown = path.display();
    let (message, help) = if path.is_dir() {
        (format!("`{shown}` is a folder"), "give the `.mix` file itself".to_string())
    } else if error.kind() == std::io::ErrorKind::NotFound {
        (format!("`{shown}` does not exist"), "check the path (it is relative to the current folder)".to_string())
    } else if error.kind() == std::io::ErrorKind::InvalidData {
        (
            format!("`{shown}` is not a text file"),
            format!("mixc reads `.mix` files; to measure an audio file, run `mixc meter {shown}`"),
        )
    } else {
        (format!("cannot read `{shown}`: {error}"), "check the path and that the file is readable".to_string())
    };
    let kind = ErrorKind::CannotRead { message, help };
    let diag = Diagnostic::new(kind, crate::source::Span::new(id, 0, 0));
    Report { sources, diagnostics: vec![diag] }
}

/// Reads and checks the `.mix` file at `path`.
pub fn check_path(path: &Path) -> Result<MixGraph, Report> {
    let text = read_mix(path)?;
    check_text(path, &text)
}

/// The text of a `.mix` (or album) file. Bytes that are not UTF-8 are an
/// error pointing at the first of them; a file that starts like audio is
/// told to `mixc meter`.
pub(crate) fn read_mix(path: &Path) -> Result<String, Report> {
    let bytes = std::fs::read(path).map_err(|e| unreadable(path, &e))?;
    let looks_like_audio = [&b"RIFF"[..], b"RF64", b"fLaC", b"OggS", b"ID3", b"FORM", b"\xff\xfb"]
        .iter()
        .any(|magic| bytes.starts_with(magic));
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) if looks_like_audio => {
            Err(unreadable(path, &std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
        }
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut sources = SourceMap::new();
            let id = sources.add(path, path.to_string_lossy(), text.as_str());
            // Everything before `at` is unchanged in the lossy text; the bad
            // byte became U+FFFD, three bytes long.
            let span = crate::source::Span::new(id, at, at + '\u{FFFD}'.len_utf8());
            let kind = ErrorKind::CannotRead {
                message: format!("`{}` is not UTF-8 text: byte 0x{byte:02X} cannot be read", path.display()),
                help: "save the file as UTF-8 (in most editors: \"Save with Encoding\" → UTF-8)".into(),
            };
            Err(Report { sources, diagnostics: vec![Diagnostic::new(kind, span)] })
        }
    }
}

/// Checks `text` as if read from `path` (imports and sources resolve from its folder).
pub fn check_text(path: &Path, text: &str) -> Result<MixGraph, Report> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let loaded = imports::load(path, text, &mut sources, &mut diags);
    let graph = loaded.and_then(|loaded| {
        let mut ctx = Ctx::new(&sources, &loaded);
        let base = path.parent().unwrap_or(Path::new("."));
        let graph = song(&mut ctx, &loaded.root.items, base);
        diags.extend(ctx.diags);
        graph
    });
    match graph {
        Some(mut g) if diags.is_empty() => {
            g.inputs = input_files(&sources, &g);
            // Checks of the finished graph: they need every source probed.
            let mut late = limits::frequencies_below_nyquist(&g);
            late.extend(exports::no_export_overwrites_an_input(&g));
            if late.is_empty() {
                Ok(g)
            } else {
                late.sort_by_key(|d| (d.span.file, d.span.start));
                Err(Report { sources, diagnostics: late })
            }
        }
        _ => {
            diags.sort_by_key(|d| (d.span.file, d.span.start));
            Err(Report { sources, diagnostics: diags })
        }
    }
}

/// The `.mix` files loaded (not the embedded library), every source and
/// every audio file a parameter names.
fn input_files(sources: &SourceMap, graph: &MixGraph) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> =
        sources.files().map(|(_, f)| f.path.clone()).filter(|p| !p.starts_with("std/")).collect();
    files.extend(graph.metadata.cover.iter().map(|c| c.path.clone()));
    for node in &graph.nodes {
        files.extend(node.source.iter().map(|s| s.path.clone()));
        for call in &node.chain {
            files.extend(call.params.values.iter().flatten().filter_map(|v| match v {
                crate::processor::registry::ParamValue::Audio(clip) => Some(clip.path.clone()),
                _ => None,
            }));
        }
    }
    files
}

/// With a loudness target, a limiter at the end of the master chain moves
/// after the normalising gain (see `MixGraph::final_limiter`) — unless its
/// parameters are automated: then it stays where it is, and the mastering
/// stage adds a true-peak limiter of its own.
fn split_final_limiter(
    drafts: &mut [Draft],
    master_lanes: &[crate::ir::Automation],
    target: &crate::ir::Target,
    exports: &[crate::ir::Export],
) -> Option<crate::ir::ProcessorCall> {
    let any_target = target.is_set() || exports.iter().any(|e| e.target.is_set());
    let master = drafts.last_mut()?;
    let last = master.chain.len().checked_sub(1)?;
    let automated =
        master_lanes.iter().any(|l| matches!(l.target, crate::ir::AutoTarget::Param { call, .. } if call == last));
    if any_target && !automated && master.chain[last].spec.name == "limiter" {
        master.chain.pop()
    } else {
        None
    }
}

/// Song-level settings.
struct Song {
    timing: Timing,
    rate: Option<u32>,
    length: Option<f64>,
    metadata: Metadata,
}

fn song(ctx: &mut Ctx, items: &[Item], base: &Path) -> Option<MixGraph> {
    unsupported_items(ctx, items);
    let settings = items.iter().filter_map(|i| match i {
        Item::Setting(s) => Some(s),
        _ => None,
    });
    let mut song = song_settings(ctx, settings);
    let cover = items.iter().rev().find_map(|i| match i {
        Item::Setting(s) if s.key.node == "cover" => Some(s),
        _ => None,
    });
    song.metadata.cover = cover.and_then(|s| cover::read(ctx, s, base));
    ctx.tempo = song.timing.tempo;
    let mut drafts = node_drafts(ctx, items, &song.timing);
    let routing = routing::route(ctx, &drafts);
    let (rate, probed) = build::open_sources(ctx, &drafts, song.rate, base);
    audio_params::load(ctx, &mut drafts, base, rate);
    let mut lanes = vec![Vec::new(); drafts.len()];
    for item in items {
        if let Item::Automate(a) = item {
            if let Some((node, lane)) = automation::lane(ctx, a, &drafts, &song.timing, rate) {
                lanes[node].push(lane);
            }
        }
    }
    let exports: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Export(e) => Some(e),
            _ => None,
        })
        .filter_map(|e| exports::no_placeholders(ctx, e).then(|| exports::export(ctx, e, base, rate)).flatten())
        .collect();
    exports::no_two_write_one_file(ctx, &exports);
    let checks: Vec<_> = items
        .iter()
        .filter_map(|i| match i {
            Item::Check(c) => Some(c),
            _ => None,
        })
        .flat_map(|c| qc::lines(ctx, c))
        .collect();
    let routing = routing?;
    if !ctx.diags.is_empty() {
        return None;
    }
    let target = drafts.last().map(|m| m.target).unwrap_or_default();
    let preset_checks = drafts.last().map(|m| m.target_checks.clone()).unwrap_or_default();
    let master_lanes = lanes.last().map(|l| l.as_slice()).unwrap_or(&[]);
    let final_limiter = split_final_limiter(&mut drafts, master_lanes, &target, &exports);
    let mut graph = build::graph(drafts, probed, lanes, routing, rate, song, exports);
    graph.checks = checks;
    // The master's preset checks go to the files that inherit its target.
    for export in &mut graph.exports {
        let inherited = preset_checks.iter().filter(|c| match c.metric {
            crate::ir::Metric::Loudness => export.target.loudness.is_none(),
            _ => export.target.true_peak.is_none(),
        });
        let own = std::mem::take(&mut export.checks);
        export.checks = inherited.cloned().chain(own).collect();
    }
    graph.target = target;
    graph.final_limiter = final_limiter;
    Some(graph)
}

mod build;
pub mod cover;
pub mod limits;
pub mod targets;

fn song_settings<'s>(ctx: &mut Ctx, settings: impl IntoIterator<Item = &'s crate::syntax::ast::Setting>) -> Song {
    let settings = collect_song(ctx, settings);
    let mut song = Song { timing: Timing::default(), rate: None, length: None, metadata: Metadata::default() };
    for (key, s) in &settings {
        let v = &s.value;
        match key.as_str() {
            "rate" => song.rate = rate(ctx, v),
            "tempo" => song.timing.tempo = ctx.number(v, Kind::Tempo).filter(|t| *t > 0.0),
            "meter" => {
                if let Some(Value::Meter { num, den }) = ctx.value(v, Kind::Meter) {
                    song.timing.meter = (num.max(1), den.max(1));
                }
            }
            _ => {}
        }
    }
    for (key, s) in &settings {
        match key.as_str() {
            "length" => {
                let scope = ctx.scope();
                match eval::eval(&s.value, &scope).and_then(|v| song.timing.position(&v, s.value.span)) {
                    Ok(secs) if secs <= 0.0 => {
                        let kind = ErrorKind::OutOfRange {
                            what: "length".into(),
                            value: ctx.text(s.value.span).into(),
                            range: "longer than 0s".into(),
                        };
                        ctx.error(Diagnostic::new(kind, s.value.span));
                    }
                    Ok(secs) if secs > limits::MAX_PROGRAMME_SECONDS => {
                        ctx.error(limits::too_long("length", ctx.text(s.value.span), s.value.span))
                    }
                    Ok(secs) => song.length = Some(secs),
                    Err(e) => ctx.error(e),
                }
            }
            "rate" | "tempo" | "meter" | "cover" => {}
            other => {
                if let Some(Value::Text(t)) = ctx.value(&s.value, Kind::Text) {
                    match other {
                        "title" => song.metadata.title = Some(t),
                        "artist" => song.metadata.artist = Some(t),
                        "album" => song.metadata.album = Some(t),
                        "isrc" => song.metadata.isrc = Some(t),
                        _ => song.metadata.extra.push((other.to_string(), t)),
                    }
                }
            }
        }
    }
    song
}

fn collect_song<'s>(
    ctx: &mut Ctx,
    settings: impl IntoIterator<Item = &'s crate::syntax::ast::Setting>,
) -> Vec<(String, &'s crate::syntax::ast::Setting)> {
    let map: HashMap<String, &crate::syntax::ast::Setting> = settings::collect(ctx, "the song", SONG_KEYS, settings);
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by_key(|(_, s)| s.span.start);
    v
}

/// A session or export rate: a whole number of Hz from 8 kHz to 768 kHz.
pub(crate) fn rate(ctx: &mut Ctx, v: &crate::syntax::ast::Expr) -> Option<u32> {
    let hz = ctx.number(v, Kind::Frequency)?;
    if (8000.0..=768_000.0).contains(&hz) && hz.fract() == 0.0 {
        return Some(hz as u32);
    }
    let kind = ErrorKind::OutOfRange {
        what: "rate".into(),
        value: ctx.text(v.span).into(),
        range: "a whole number of Hz from 8kHz to 768kHz".into(),
    };
    ctx.error(Diagnostic::new(kind, v.span));
    None
}

/// Drafts of every node, with the master last (an empty one if none is written).
fn node_drafts(ctx: &mut Ctx, items: &[Item], timing: &Timing) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut master: Option<Draft> = None;
    for item in items {
        let Item::Node(block) = item else { continue };
        let d = nodes::draft(ctx, block, timing);
        let clash = drafts.iter().chain(master.iter()).find(|o| o.name == d.name).map(|o| o.span);
        if let Some(first) = clash {
            let what = if d.kind == NodeKind::Master { "the master" } else { "node" };
            let kind = ErrorKind::DuplicateName { what, name: d.name.clone() };
            ctx.error(Diagnostic::new(kind, d.span).with_note(first, "first defined here"));
            continue;
        }
        if d.kind == NodeKind::Master {
            master = Some(d);
        } else {
            drafts.push(d);
        }
    }
    drafts.push(master.unwrap_or_else(build::empty_master));
    drafts
}

/// An `album` block makes a file an album, not a song: `mixc render` and
/// `mixc check` take it (see [`crate::album`]); anything that wants a song
/// (`graph`, `watch`, a `song` of another album) says so.
fn unsupported_items(ctx: &mut Ctx, items: &[Item]) {
    for item in items {
        let Item::Album(a) = item else { continue };
        let kind = ErrorKind::Other {
            message: "this is an album file, not a song".into(),
            help: Some(
                "`mixc render` and `mixc check` take album files; `graph`, `watch` and an album's `song` lines need \
                 a song"
                    .into(),
            ),
        };
        ctx.error(Diagnostic::new(kind, a.span));
    }
}

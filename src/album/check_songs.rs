//! The songs of an album: each checked on its own, as if rendered alone; a
//! song's errors are shown in its own file, after a line in the album file
//! that says which song they belong to.

use std::collections::HashMap;
use std::path::Path;

use crate::check::ctx::Ctx;
use crate::diagnostic::{Diagnostic, ErrorKind, Report};
use crate::ir::{AutoTarget, MixGraph};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::SongDecl;

use super::{Album, Transition};

/// A song file that did not check: its report, and where the album lists it.
pub struct SongFile {
    span: Span,
    path: String,
    report: Report,
}

/// Checks the song `decl` names. A missing file is reported in `ctx`
/// (`Ok(None)`); a song with errors of its own comes back as `Err`.
pub fn check(ctx: &mut Ctx, decl: &SongDecl, base: &Path) -> Result<Option<MixGraph>, SongFile> {
    let path = base.join(&decl.path.node);
    if let Err(e) = std::fs::metadata(&path) {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => format!("no file at `{}`", path.display()),
            _ => e.to_string(),
        };
        let kind = ErrorKind::MissingSong { path: decl.path.node.clone(), reason };
        ctx.error(Diagnostic::new(kind, decl.path.span));
        return Ok(None);
    }
    match crate::check::check_path(&path) {
        Ok(graph) => Ok(Some(graph)),
        Err(report) => Err(SongFile { span: decl.path.span, path: path.to_string_lossy().into_owned(), report }),
    }
}

/// The diagnostics of a song that did not check, moved into the album's
/// source map: first the album's line for the song, then the song's own.
pub fn merge(sources: &mut SourceMap, song: SongFile) -> Vec<Diagnostic> {
    let mut ids: HashMap<FileId, FileId> = HashMap::new();
    for (id, file) in song.report.sources.files() {
        ids.insert(id, sources.add(file.path.clone(), file.name.clone(), file.text.clone()));
    }
    let remap = |span: Span| Span { file: ids.get(&span.file).copied().unwrap_or(span.file), ..span };
    let count = song.report.diagnostics.len();
    let mut out = vec![Diagnostic::new(ErrorKind::SongHasErrors { path: song.path, count }, song.span)];
    out.extend(song.report.diagnostics.into_iter().map(|d| Diagnostic {
        span: remap(d.span),
        notes: d.notes.into_iter().map(|(s, t)| (remap(s), t)).collect(),
        ..d
    }));
    out
}

/// With an album target, a limiter that ends a song's master chain moves
/// after the album's gain (as `check` does for a song with a target of its
/// own), unless its parameters are automated.
pub fn split_final_limiter(graph: &mut MixGraph) {
    if graph.final_limiter.is_some() {
        return;
    }
    let master = graph.master();
    let node = &mut graph.nodes[master];
    let Some(last) = node.chain.len().checked_sub(1) else { return };
    let automated = node.automation.iter().any(|l| matches!(l.target, AutoTarget::Param { call, .. } if call == last));
    if !automated && node.chain[last].spec.name == "limiter" {
        graph.final_limiter = node.chain.pop();
    }
}

/// A crossfade must not be longer than either song it joins.
pub fn crossfades_fit(ctx: &mut Ctx, album: &Album) {
    let seconds = |i: usize| {
        let graph = &album.songs[i].graph;
        let plan = crate::pipeline::make_plan(graph, Default::default());
        plan.length as f64 / graph.rate as f64
    };
    for i in 0..album.songs.len().saturating_sub(1) {
        let Transition::Crossfade(x) = album.songs[i].after else { continue };
        let shortest = seconds(i).min(seconds(i + 1));
        if x > shortest {
            let kind = ErrorKind::Other {
                message: format!("the crossfade ({x} s) is longer than a song it joins ({shortest:.2} s)"),
                help: Some("shorten the crossfade, or use a `gap`".into()),
            };
            ctx.error(Diagnostic::new(kind, album.songs[i].span));
        }
    }
}

//! Checking an album file: the `album` block, its songs and the exports.
//! Every problem is reported at once, the songs' own included (see
//! [`super::check_songs`]).

use std::collections::HashMap;
use std::path::Path;

use crate::check::ctx::Ctx;
use crate::check::exports::word;
use crate::check::settings::collect;
use crate::check::{exports, imports, rate};
use crate::diagnostic::{suggest, Diagnostic, ErrorKind, Report};
use crate::ir::{QcCheck, Target};
use crate::processor::value::{Kind, Value};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{AlbumDecl, Entry, ExportDecl, Expr, Item, Setting, SongDecl};

use super::check_songs::{self, SongFile};
use super::template::{self, Template, TemplateError};
use super::{Album, AlbumExport, Files, Normalize, Song, Transition};

const ALBUM_KEYS: &[&str] = &[
    "artist",
    "cover",
    "target",
    "loudness",
    "true_peak",
    "normalize",
    "gap",
    "crossfade",
    "rate",
    "genre",
    "year",
    "composer",
    "comment",
    "copyright",
];
const SONG_KEYS: &[&str] = &["gap", "crossfade", "title", "artist", "isrc"];
/// Between songs when the album says nothing (the Red Book's usual pregap).
const DEFAULT_GAP: f64 = 2.0;

/// Reads and checks the album file at `path` and every song it lists.
pub fn check_path(path: &Path) -> Result<Album, Report> {
    let text = crate::check::read_mix(path)?;
    check_text(path, &text)
}

/// Checks `text` as if read from `path` (songs resolve from its folder).
pub fn check_text(path: &Path, text: &str) -> Result<Album, Report> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let Some(loaded) = imports::load(path, text, &mut sources, &mut diags) else {
        return Err(Report { sources, diagnostics: diags });
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut ctx = Ctx::new(&sources, &loaded);
    let checked = album(&mut ctx, &loaded.root.items, path, base);
    diags.extend(ctx.diags);
    let (album, failed) = checked;
    for song in failed {
        diags.extend(check_songs::merge(&mut sources, song));
    }
    match album {
        Some(album) if diags.is_empty() => Ok(album),
        _ => Err(Report { sources, diagnostics: diags }),
    }
}

/// The album's own settings, checked.
struct Settings {
    artist: Option<String>,
    extra: Vec<(String, String)>,
    target: Target,
    checks: Vec<QcCheck>,
    normalize: Normalize,
    after: Option<Transition>,
    rate: Option<u32>,
    cover: Option<crate::ir::Cover>,
}

/// The album, or `None` with the problems in `ctx`; also the songs that did
/// not check, whose diagnostics live in their own source maps.
fn album(ctx: &mut Ctx, items: &[Item], path: &Path, base: &Path) -> (Option<Album>, Vec<SongFile>) {
    let (decl, export_decls) = top_level(ctx, items);
    let Some(decl) = decl else { return (None, Vec::new()) };
    let settings = album_settings(ctx, decl, base);
    let mut songs = Vec::new();
    let mut failed = Vec::new();
    for entry in &decl.entries {
        match entry {
            Entry::Song(s) => match song(ctx, s, base, settings.after) {
                Ok(Some(song)) => songs.push(song),
                Ok(None) => {}
                Err(f) => failed.push(f),
            },
            Entry::Send(s) => {
                let kind = ErrorKind::NotInAlbum { what: "a `send`".into(), setting: false };
                ctx.error(Diagnostic::new(kind, s.span));
            }
            Entry::Setting(_) => {}
        }
    }
    if !decl.entries.iter().any(|e| matches!(e, Entry::Song(_))) {
        let kind =
            ErrorKind::MissingSetting { block: "the album".into(), name: "song", example: "song \"01-intro.mix\"" };
        ctx.error(Diagnostic::new(kind, decl.title.span));
    }
    let Some(last) = songs.last_mut() else { return (None, failed) };
    last.after = Transition::Gap(0.0);
    let rate = settings.rate.unwrap_or(songs[0].graph.rate);
    let exports = export_decls.iter().filter_map(|e| export(ctx, e, base, rate)).collect();
    let mut album = Album {
        path: path.to_path_buf(),
        title: decl.title.node.clone(),
        artist: settings.artist,
        extra: settings.extra,
        cover: settings.cover,
        target: settings.target,
        checks: settings.checks,
        normalize: settings.normalize,
        rate,
        songs,
        exports,
    };
    if album.target.is_set() || album.exports.iter().any(|e| e.export.target.is_set()) {
        for song in &mut album.songs {
            check_songs::split_final_limiter(&mut song.graph);
        }
    }
    check_songs::crossfades_fit(ctx, &album);
    distinct_files(ctx, &album, &export_decls);
    clear_of_inputs(ctx, &album, &export_decls);
    let ok = failed.is_empty() && ctx.diags.is_empty();
    (ok.then_some(album), failed)
}

/// The `album` block and the `export` lines; everything else is refused.
fn top_level<'a>(ctx: &mut Ctx, items: &'a [Item]) -> (Option<&'a AlbumDecl>, Vec<&'a ExportDecl>) {
    let mut album: Option<&AlbumDecl> = None;
    let mut exports = Vec::new();
    for item in items {
        let (what, span, setting) = match item {
            Item::Album(a) => {
                if let Some(first) = album {
                    let kind = ErrorKind::DuplicateName { what: "album", name: a.title.node.clone() };
                    let diag = Diagnostic::new(kind, a.title.span).with_note(first.title.span, "first album here");
                    ctx.error(diag);
                } else {
                    album = Some(a);
                }
                continue;
            }
            Item::Export(e) => {
                exports.push(e);
                continue;
            }
            Item::Import(_) | Item::Let(_) | Item::Chain(_) | Item::Delivery(_) => continue,
            Item::Node(n) => (format!("a `{}`", ctx.text(n.kind.span)), n.span, false),
            Item::Automate(a) => ("`automate`".into(), a.span, false),
            Item::Check(c) => ("a `check` block".into(), c.span, false),
            Item::Setting(s) => (format!("the setting `{}`", s.key.node), s.span, true),
        };
        ctx.error(Diagnostic::new(ErrorKind::NotInAlbum { what, setting }, span));
    }
    (album, exports)
}

fn album_settings(ctx: &mut Ctx, decl: &AlbumDecl, base: &Path) -> Settings {
    let settings = decl.entries.iter().filter_map(|e| match e {
        Entry::Setting(s) => Some(s),
        _ => None,
    });
    let map = collect(ctx, "the album", ALBUM_KEYS, settings);
    let mut out = Settings {
        artist: None,
        extra: Vec::new(),
        target: Target::default(),
        checks: Vec::new(),
        normalize: Normalize::Album,
        after: None,
        rate: None,
        cover: None,
    };
    let mut ordered: Vec<(&String, &&Setting)> = map.iter().collect();
    ordered.sort_by_key(|(_, s)| s.span.start);
    for (key, s) in ordered {
        match key.as_str() {
            "normalize" => {
                if let Some(w) = word(ctx, &s.value, "normalisation", &["album", "per_song"]) {
                    out.normalize = if w == "per_song" { Normalize::PerSong } else { Normalize::Album };
                }
            }
            "rate" => out.rate = rate(ctx, &s.value),
            "cover" => out.cover = crate::check::cover::read(ctx, s, base),
            "gap" | "crossfade" | "target" | "loudness" | "true_peak" => {}
            other => {
                if let Some(t) = text(ctx, &s.value) {
                    match other {
                        "artist" => out.artist = Some(t),
                        _ => out.extra.push((other.to_string(), t)),
                    }
                }
            }
        }
    }
    out.after = transition(ctx, &map);
    (out.target, out.checks) = crate::check::targets::resolve(ctx, &map).unwrap_or_default();
    out
}

/// `gap` or `crossfade` of a block; `None` when neither is set (or one is wrong).
fn transition(ctx: &mut Ctx, map: &HashMap<String, &Setting>) -> Option<Transition> {
    let gap = map.get("gap").and_then(|s| seconds(ctx, s, true)).map(Transition::Gap);
    let crossfade = map.get("crossfade").and_then(|s| seconds(ctx, s, false)).map(|x| {
        if x > 0.0 {
            Transition::Crossfade(x)
        } else {
            Transition::Gap(0.0)
        }
    });
    if let (Some(g), Some(x)) = (map.get("gap"), map.get("crossfade")) {
        let kind = ErrorKind::Other {
            message: "`gap` and `crossfade` are both set".into(),
            help: Some("a transition is either a gap of silence or a crossfade: keep one of them".into()),
        };
        ctx.error(Diagnostic::new(kind, x.key.span).with_note(g.key.span, "gap set here"));
        return None;
    }
    crossfade.or(gap)
}

fn seconds(ctx: &mut Ctx, s: &Setting, gap: bool) -> Option<f64> {
    let v = ctx.number(&s.value, Kind::Time)?;
    if v < 0.0 {
        let value = ctx.text(s.value.span).to_string();
        let kind = if gap {
            ErrorKind::NegativeGap { value }
        } else {
            ErrorKind::OutOfRange { what: "crossfade".into(), value, range: "0s or more".into() }
        };
        ctx.error(Diagnostic::new(kind, s.value.span));
        return None;
    }
    Some(v)
}

/// One `song "file.mix" { ... }`: its settings, then the file itself. A
/// song file that does not check comes back as `Err` with its report.
fn song(
    ctx: &mut Ctx,
    decl: &SongDecl,
    base: &Path,
    album_after: Option<Transition>,
) -> Result<Option<Song>, SongFile> {
    let map = collect(ctx, "a song", SONG_KEYS, &decl.settings);
    let after = transition(ctx, &map).or(album_after).unwrap_or(Transition::Gap(DEFAULT_GAP));
    let mut title = None;
    let mut artist = None;
    let mut isrc = None;
    for key in ["title", "artist", "isrc"] {
        let Some(s) = map.get(key) else { continue };
        let Some(t) = text(ctx, &s.value) else { continue };
        match key {
            "title" => title = Some(t),
            "artist" => artist = Some(t),
            _ => isrc = check_isrc(ctx, &t, s.value.span),
        }
    }
    let graph = check_songs::check(ctx, decl, base)?;
    let Some(graph) = graph else { return Ok(None) };
    let path = base.join(&decl.path.node);
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Some(Song {
        title: title.or_else(|| graph.metadata.title.clone()).unwrap_or(stem),
        artist: artist.or_else(|| graph.metadata.artist.clone()),
        isrc: isrc.or_else(|| graph.metadata.isrc.clone()),
        path,
        written: decl.path.node.clone(),
        graph,
        after,
        span: decl.span,
    }))
}

/// An ISRC: CC-XXX-YY-NNNNN (hyphens optional), stored without hyphens.
fn check_isrc(ctx: &mut Ctx, text: &str, span: Span) -> Option<String> {
    let code: String = text.chars().filter(|c| *c != '-').collect::<String>().to_ascii_uppercase();
    let b = code.as_bytes();
    let ok = b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5].iter().all(u8::is_ascii_alphanumeric)
        && b[5..].iter().all(u8::is_ascii_digit);
    if ok {
        return Some(code);
    }
    let kind = ErrorKind::Other {
        message: format!("`{text}` is not an ISRC"),
        help: Some(
            "an ISRC is 12 characters: country (2 letters), registrant (3 letters or digits), year (2 digits) and \
             number (5 digits), like `GBXXX2600002`"
                .into(),
        ),
    };
    ctx.error(Diagnostic::new(kind, span));
    None
}

/// One album `export`: a single file, or a template with one file per song.
fn export(ctx: &mut Ctx, decl: &ExportDecl, base: &Path, rate: u32) -> Option<AlbumExport> {
    let files = if template::is_template(&decl.path.node) {
        match Template::parse(&decl.path.node) {
            Ok(t) => Some(Files::PerSong(t)),
            Err(errors) => {
                for e in errors {
                    template_error(ctx, decl, e);
                }
                None
            }
        }
    } else {
        Some(Files::Whole)
    };
    let export = exports::export(ctx, decl, base, rate)?;
    Some(AlbumExport { export, base: base.to_path_buf(), files: files? })
}

fn template_error(ctx: &mut Ctx, decl: &ExportDecl, error: TemplateError) {
    // Point into the string when it has no escapes (offsets then match the text).
    let span = decl.path.span;
    let exact = ctx.text(span) == format!("\"{}\"", decl.path.node);
    let at = |start: usize, end: usize| {
        if exact {
            Span::new(span.file, span.start + 1 + start, span.start + 1 + end)
        } else {
            span
        }
    };
    let valid: Vec<String> = template::PLACEHOLDERS.iter().map(|p| p.to_string()).collect();
    let diag = match error {
        TemplateError::Unknown { name, start, end } => {
            let suggestion = suggest(&name, template::PLACEHOLDERS.iter().copied());
            Diagnostic::new(ErrorKind::UnknownPlaceholder { name, suggestion, valid }, at(start, end))
        }
        TemplateError::Unclosed { start } => {
            let kind = ErrorKind::Other {
                message: "a placeholder in the export path has no closing `}`".into(),
                help: Some(format!("placeholders look like `{{title}}`; valid: {}", valid.join(", "))),
            };
            Diagnostic::new(kind, at(start, start + 1))
        }
    };
    ctx.error(diag);
}

/// Two songs (or two exports) must not write the same file.
fn distinct_files(ctx: &mut Ctx, album: &Album, decls: &[&ExportDecl]) {
    let mut seen: HashMap<std::path::PathBuf, Span> = HashMap::new();
    for (export, decl) in album.exports.iter().zip(decls) {
        for path in export.paths(album).into_iter().chain(export.cue_path()) {
            if let Some(first) = seen.get(&path) {
                let kind = ErrorKind::Other {
                    message: format!("two deliverables would be written to `{}`", path.display()),
                    help: Some("use `{n}` or `{title}` in a per-song path, and give every export its own".into()),
                };
                ctx.error(Diagnostic::new(kind, decl.path.span).with_note(*first, "also written by this export"));
                break;
            }
            seen.insert(path, decl.path.span);
        }
    }
}

/// No deliverable may land on a file the album reads: the album file, a
/// song's `.mix`, its imports or its sources (compared as the file system
/// resolves them, links and `..` included).
fn clear_of_inputs(ctx: &mut Ctx, album: &Album, decls: &[&ExportDecl]) {
    let read = std::iter::once(&album.path).chain(album.songs.iter().flat_map(|s| &s.graph.inputs));
    let inputs: Vec<(std::path::PathBuf, &Path)> = read.map(|p| (crate::ir::resolved(p), p.as_path())).collect();
    for (export, decl) in album.exports.iter().zip(decls) {
        for path in export.paths(album).into_iter().chain(export.cue_path()) {
            let target = crate::ir::resolved(&path);
            let Some((_, input)) = inputs.iter().find(|(r, _)| *r == target) else { continue };
            let kind = ErrorKind::Other {
                message: format!(
                    "exporting to `{}` would overwrite `{}`, which this album reads",
                    path.display(),
                    input.display()
                ),
                help: Some("write the album to files of its own, for example under `out/`".into()),
            };
            ctx.error(Diagnostic::new(kind, decl.path.span));
            break;
        }
    }
}

fn text(ctx: &mut Ctx, expr: &Expr) -> Option<String> {
    match ctx.value(expr, Kind::Text)? {
        Value::Text(t) => Some(t),
        _ => None,
    }
}

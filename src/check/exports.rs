//! `export` statements: where deliverables go and in which format.

use std::path::Path;

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::Export;
use crate::ir::{Container, Dither, SampleFormat};
use crate::processor::value::{Bits, Kind, Value};
use crate::syntax::ast::ExportDecl;

use super::ctx::Ctx;
use super::settings::collect;

const EXPORT_KEYS: &[&str] =
    &["rate", "bits", "dither", "format", "bitrate", "mode", "quality", "vbr", "target", "loudness", "true_peak"];

/// Checks one `export`. Defaults (LANGUAGE.md): the session rate, 24 bits,
/// TPDF dither at 16 bits and below, none at 24 bits and 32f.
pub fn export(ctx: &mut Ctx, decl: &ExportDecl, base: &Path, session_rate: u32) -> Option<Export> {
    let settings = collect(ctx, "an export", EXPORT_KEYS, &decl.settings);
    let mut ok = true;
    let rate = match settings.get("rate") {
        Some(s) => match ctx.number(&s.value, Kind::Frequency) {
            Some(hz) if (8000.0..=768_000.0).contains(&hz) && hz.fract() == 0.0 => hz as u32,
            Some(_) => {
                let kind = ErrorKind::OutOfRange {
                    what: "export rate".into(),
                    value: ctx.text(s.value.span).into(),
                    range: "a whole number of Hz from 8kHz to 768kHz".into(),
                };
                ctx.error(Diagnostic::new(kind, s.value.span));
                ok = false;
                session_rate
            }
            None => {
                ok = false;
                session_rate
            }
        },
        None => session_rate,
    };
    let format = match settings.get("bits") {
        Some(s) => match ctx.value(&s.value, Kind::Bits) {
            Some(Value::Bits(Bits::Int(16))) => SampleFormat::I16,
            Some(Value::Bits(Bits::Int(24))) => SampleFormat::I24,
            Some(Value::Bits(Bits::Float32)) => SampleFormat::F32,
            Some(_) => {
                let kind = ErrorKind::UnknownWord {
                    what: "bit depth",
                    word: ctx.text(s.value.span).into(),
                    valid: vec!["16".into(), "24".into(), "32f".into()],
                };
                ctx.error(Diagnostic::new(kind, s.value.span));
                ok = false;
                SampleFormat::I24
            }
            None => {
                ok = false;
                SampleFormat::I24
            }
        },
        None => SampleFormat::I24,
    };
    let dither = match settings.get("dither") {
        Some(s) => {
            word(ctx, &s.value, "dither", &["none", "tpdf", "shaped", "noise_shaped"]).map(|w| match w.as_str() {
                "tpdf" => Dither::Tpdf,
                "shaped" | "noise_shaped" => Dither::Shaped,
                _ => Dither::None,
            })
        }
        None if format == SampleFormat::I16 => Some(Dither::Tpdf),
        None => Some(Dither::None),
    };
    let container = container(ctx, decl, settings.get("format").map(|s| &s.value));
    let targets = super::targets::resolve(ctx, &settings);
    ok &= targets.is_some();
    let (target, checks) = targets.unwrap_or_default();
    if !ok {
        return None;
    }
    let mut container = container?;
    let (mut format, mut dither, mut rate) = (format, dither, rate);
    if container.is_lossy() {
        (container, rate) = super::exports_lossy::settings(ctx, decl, &settings, container, rate)?;
        // The encoder takes the float mix: nothing is quantised or dithered.
        (format, dither) = (SampleFormat::F32, Some(Dither::None));
    } else if !super::exports_lossy::none_given(ctx, &settings) {
        return None;
    }
    if container == Container::Flac && format == SampleFormat::F32 {
        let kind = ErrorKind::Other {
            message: "FLAC holds integer samples only".into(),
            help: Some("use `bits = 16` or `bits = 24` for FLAC, or export `32f` as WAV".into()),
        };
        ctx.error(Diagnostic::new(kind, decl.span));
        return None;
    }
    Some(Export {
        path: base.join(&decl.path.node),
        written: decl.path.node.clone(),
        rate,
        format,
        dither: dither?,
        container,
        target,
        checks,
        span: decl.span,
    })
}

/// A song's export path is used as written: `{title}` and the like are
/// album templates (see `album`), and would otherwise end up in the file name.
/// False (after an error) when the path has one.
pub fn no_placeholders(ctx: &mut Ctx, decl: &ExportDecl) -> bool {
    let path = &decl.path.node;
    let Some(open) = path.find('{').filter(|&i| path[i..].contains('}')) else {
        return true;
    };
    let close = open + path[open..].find('}').unwrap_or(0);
    let kind = ErrorKind::Other {
        message: format!("`{}` in a song's export path would be written as it stands", &path[open..=close]),
        help: Some(
            "placeholders such as `{n}` and `{title}` name the per-song files of an album export; \
             write the song's file name out here"
                .into(),
        ),
    };
    ctx.error(Diagnostic::new(kind, decl.path.span));
    false
}

/// An error for each export that writes a file an earlier one writes: the
/// second would replace the first (and their temporary files would collide).
/// Paths are compared after resolving `.` and `..`, so `out.wav` and
/// `./out.wav` are the same file.
pub fn no_two_write_one_file(ctx: &mut Ctx, exports: &[Export]) {
    let key = |e: &Export| crate::ir::without_dots(&e.path);
    for (i, e) in exports.iter().enumerate() {
        if let Some(first) = exports[..i].iter().find(|f| key(f) == key(e)) {
            let kind = ErrorKind::DuplicateExport { path: e.written.clone() };
            ctx.error(Diagnostic::new(kind, e.span).with_note(first.span, "first written here"));
        }
    }
}

/// An error for each export that would replace a file the song reads (a
/// source, an audio file a parameter names, an import or the `.mix` itself):
/// mixc never writes over its own input.
pub fn no_export_overwrites_an_input(graph: &crate::ir::MixGraph) -> Vec<Diagnostic> {
    graph
        .exports_over_inputs()
        .into_iter()
        .map(|(export, input)| {
            let kind = ErrorKind::Other {
                message: format!(
                    "exporting to `{}` would overwrite `{}`, which this song reads",
                    export.written,
                    input.display()
                ),
                help: Some("write the mix to a file of its own, for example under `out/`".into()),
            };
            Diagnostic::new(kind, export.span)
        })
        .collect()
}

/// One of the words in `valid`, or a diagnostic listing them.
pub(crate) fn word(
    ctx: &mut Ctx,
    expr: &crate::syntax::ast::Expr,
    what: &'static str,
    valid: &[&str],
) -> Option<String> {
    match ctx.value(expr, Kind::Name)? {
        Value::Name(w) if valid.contains(&w.as_str()) => Some(w),
        _ => {
            let kind = ErrorKind::UnknownWord {
                what,
                word: ctx.text(expr.span).into(),
                valid: valid.iter().map(|v| v.to_string()).collect(),
            };
            ctx.error(Diagnostic::new(kind, expr.span));
            None
        }
    }
}

/// The container, from `format = ...` or else the file extension.
fn container(ctx: &mut Ctx, decl: &ExportDecl, format: Option<&crate::syntax::ast::Expr>) -> Option<Container> {
    let extension =
        Path::new(&decl.path.node).extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let name = match format {
        Some(expr) => {
            let name = word(ctx, expr, "format", &["wav", "flac", "mp3", "opus", "vorbis"])?;
            // A file named for the other container would mislead every player.
            let named = match extension.as_str() {
                "wav" | "wave" => Some("wav"),
                "flac" => Some("flac"),
                "mp3" => Some("mp3"),
                "opus" => Some("opus"),
                "ogg" | "oga" => Some("vorbis"),
                _ => None,
            };
            if let Some(named) = named.filter(|n| *n != name) {
                let stem = Path::new(&decl.path.node).with_extension(&name);
                let kind = ErrorKind::Other {
                    message: format!("`format = {name}` but the file is named `.{extension}`"),
                    help: Some(format!(
                        "name it `{}`, or leave out `format` to write {}",
                        stem.display(),
                        named.to_uppercase()
                    )),
                };
                ctx.error(Diagnostic::new(kind, expr.span).with_note(decl.path.span, "named here"));
                return None;
            }
            name
        }
        None => extension,
    };
    match name.as_str() {
        "wav" | "wave" => Some(Container::Wav),
        "flac" => Some(Container::Flac),
        "mp3" => Some(Container::Mp3 { rate: crate::ir::Mp3Rate::Cbr(320) }),
        "opus" => Some(Container::Opus { kbps: crate::ir::OPUS_DEFAULT_KBPS, mode: crate::ir::OpusMode::Vbr }),
        "ogg" | "oga" | "vorbis" => Some(Container::Vorbis { rate: crate::ir::VORBIS_DEFAULT }),
        other => {
            let kind = ErrorKind::Other {
                message: if other.is_empty() {
                    "the export path has no file extension".into()
                } else {
                    format!("mixc cannot write `.{other}` files")
                },
                help: Some(
                    "end the path in `.wav`, `.flac`, `.mp3`, `.opus` or `.ogg` (Vorbis), or add `format = wav`".into(),
                ),
            };
            ctx.error(Diagnostic::new(kind, decl.path.span));
            None
        }
    }
}

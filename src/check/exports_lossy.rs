//! The settings of lossy exports (MP3, Opus, Vorbis): bitrate, Opus's
//! bitrate mode, Vorbis's quality, the rates each format holds, and a
//! spanned refusal of what an encoder that takes the float mix cannot
//! honour (a bit depth, dither) or what belongs to another format.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::{
    Container, Mp3Rate, OpusMode, VorbisRate, MP3_BITRATES, MP3_RATES, OPUS_BITRATES, VORBIS_BITRATES, VORBIS_DEFAULT,
    VORBIS_QUALITY,
};
use crate::processor::value::Kind;
use crate::syntax::ast::{ExportDecl, Setting};

use super::ctx::Ctx;

type Settings<'a> = HashMap<String, &'a Setting>;

/// The container with its settings, and the rate to deliver at; `None`
/// after an error.
pub fn settings(
    ctx: &mut Ctx,
    decl: &ExportDecl,
    settings: &Settings,
    container: Container,
    rate: u32,
) -> Option<(Container, u32)> {
    let name = match container {
        Container::Opus { .. } => "an Opus file",
        Container::Vorbis { .. } => "an Ogg Vorbis file",
        _ => "an MP3 file",
    };
    let mut ok = true;
    for key in ["bits", "dither"] {
        if let Some(s) = settings.get(key) {
            let kind = ErrorKind::Other {
                message: format!("{name} has no `{key}`: the encoder takes the float mix and quantises nothing"),
                help: Some(format!("leave out `{key}`; for a 16- or 24-bit master, export `.wav` or `.flac` too")),
            };
            ctx.error(Diagnostic::new(kind, s.key.span));
            ok = false;
        }
    }
    // Each format's own words, refused on the others.
    let owners: [(&str, &str, bool); 3] = [
        ("mode", "Opus", matches!(container, Container::Opus { .. })),
        ("vbr", "MP3 (LAME's `-V`)", matches!(container, Container::Mp3 { .. })),
        ("quality", "Ogg Vorbis", matches!(container, Container::Vorbis { .. })),
    ];
    for (key, owner, here) in owners {
        if let Some(s) = settings.get(key).filter(|_| !here) {
            let kind = ErrorKind::Other {
                message: format!("{name} takes no `{key}`: `{key}` is for {owner}"),
                help: Some(format!("leave out `{key}`; `bitrate` sets the size of {name}")),
            };
            ctx.error(Diagnostic::new(kind, s.key.span));
            ok = false;
        }
    }
    let result = match container {
        Container::Mp3 { .. } => mp3(ctx, decl, settings, rate).map(|size| (Container::Mp3 { rate: size }, rate)),
        Container::Opus { .. } => opus(ctx, settings),
        Container::Vorbis { .. } => vorbis(ctx, settings).map(|r| (Container::Vorbis { rate: r }, rate)),
        other => Some((other, rate)),
    };
    result.filter(|_| ok)
}

/// False (after an error) when a lossless export is given a lossy setting.
pub fn none_given(ctx: &mut Ctx, settings: &Settings) -> bool {
    let mut ok = true;
    for key in ["bitrate", "mode", "quality", "vbr"] {
        if let Some(s) = settings.get(key) {
            let kind = ErrorKind::Other {
                message: format!("`{key}` is for lossy files; WAV and FLAC keep every sample"),
                help: Some("leave it out, or export `.mp3`, `.opus` or `.ogg`".into()),
            };
            ctx.error(Diagnostic::new(kind, s.key.span));
            ok = false;
        }
    }
    ok
}

/// An MP3 export's bitrate (default 320 kbit/s), after checking its rate:
/// MPEG-1 Layer III holds 32, 44.1 and 48 kHz.
fn mp3(ctx: &mut Ctx, decl: &ExportDecl, settings: &Settings, rate: u32) -> Option<Mp3Rate> {
    let mut ok = true;
    if !MP3_RATES.contains(&rate) {
        let span = settings.get("rate").map_or(decl.span, |s| s.value.span);
        let kind = ErrorKind::Other {
            message: format!("an MP3 file holds 32, 44.1 or 48 kHz, not {} Hz", rate),
            help: Some("add `rate = 44.1kHz` (or `48kHz`) to this export: mixc converts the rate".into()),
        };
        ctx.error(Diagnostic::new(kind, span));
        ok = false;
    }
    if let (Some(v), Some(b)) = (settings.get("vbr"), settings.get("bitrate")) {
        let kind = ErrorKind::Other {
            message: "an MP3 file is sized by `bitrate` (constant) or by `vbr` (LAME's `-V`), not both".into(),
            help: Some("keep one: `vbr = 0` is LAME's `-V 0`, about 245 kbit/s".into()),
        };
        ctx.error(Diagnostic::new(kind, v.key.span).with_note(b.key.span, "bitrate set here"));
        return None;
    }
    if let Some(v) = settings.get("vbr") {
        let q = ctx.number(&v.value, Kind::Number)?;
        if q.fract() != 0.0 || !(0.0..=9.0).contains(&q) {
            let kind = ErrorKind::OutOfRange {
                what: "MP3 VBR quality".into(),
                value: ctx.text(v.value.span).into(),
                range: "a whole number from 0 (best, largest) to 9 (smallest), as LAME's `-V`".into(),
            };
            ctx.error(Diagnostic::new(kind, v.value.span));
            return None;
        }
        return Some(Mp3Rate::Vbr(q as u8)).filter(|_| ok);
    }
    let kbps = match settings.get("bitrate") {
        None => Some(320),
        Some(s) => match ctx.number(&s.value, Kind::Bitrate) {
            Some(k) if k.fract() == 0.0 && MP3_BITRATES.contains(&(k as u32)) => Some(k as u32),
            Some(_) => {
                let kind = ErrorKind::UnknownWord {
                    what: "MP3 bitrate",
                    word: ctx.text(s.value.span).into(),
                    valid: MP3_BITRATES.iter().map(|b| format!("{b}kbps")).collect(),
                };
                ctx.error(Diagnostic::new(kind, s.value.span));
                None
            }
            None => None,
        },
    };
    kbps.filter(|_| ok).map(Mp3Rate::Cbr)
}

/// An Opus export: bitrate (default 160 kbit/s), mode (default `vbr`, as
/// opusenc), always at 48 kHz. A rate left out means 48 kHz (mixc converts
/// the master, as opusenc does); another rate asked for is an error, since
/// the file could not hold it.
fn opus(ctx: &mut Ctx, settings: &Settings) -> Option<(Container, u32)> {
    let mut ok = true;
    if let Some(s) = settings.get("rate") {
        let hz = ctx.number(&s.value, Kind::Frequency);
        if hz.is_some_and(|hz| hz != f64::from(crate::ir::OPUS_RATE)) {
            let kind = ErrorKind::Other {
                message: format!("an Opus file is always 48 kHz, not {}", ctx.text(s.value.span)),
                help: Some(
                    "write `rate = 48kHz`, or leave `rate` out: mixc converts the master to 48 kHz for Opus".into(),
                ),
            };
            ctx.error(Diagnostic::new(kind, s.value.span));
            ok = false;
        }
    }
    let kbps = match settings.get("bitrate") {
        None => Some(crate::ir::OPUS_DEFAULT_KBPS),
        Some(s) => kbps_in(ctx, s, "Opus bitrate", &OPUS_BITRATES),
    };
    let mode = match settings.get("mode") {
        None => Some(OpusMode::Vbr),
        Some(s) => super::exports::word(ctx, &s.value, "Opus bitrate mode", &["vbr", "cvbr", "cbr"]).map(|w| {
            match w.as_str() {
                "cvbr" => OpusMode::Cvbr,
                "cbr" => OpusMode::Cbr,
                _ => OpusMode::Vbr,
            }
        }),
    };
    match (kbps, mode) {
        (Some(kbps), Some(mode)) if ok => Some((Container::Opus { kbps, mode }, crate::ir::OPUS_RATE)),
        _ => None,
    }
}

/// An Ogg Vorbis export's size: `quality = 6` (oggenc's `-q`, −1 to 10, the
/// default 6) or `bitrate = 192kbps` (oggenc's `-b`), not both. Any rate.
fn vorbis(ctx: &mut Ctx, settings: &Settings) -> Option<VorbisRate> {
    match (settings.get("quality"), settings.get("bitrate")) {
        (Some(q), Some(b)) => {
            let kind = ErrorKind::Other {
                message: "an Ogg Vorbis file is sized by `quality` or by `bitrate`, not both".into(),
                help: Some("keep one: `quality = 6` (about 190 kbit/s) is what oggenc users write".into()),
            };
            ctx.error(Diagnostic::new(kind, b.key.span).with_note(q.key.span, "quality set here"));
            None
        }
        (Some(q), None) => {
            let v = ctx.number(&q.value, Kind::Number)?;
            if !VORBIS_QUALITY.contains(&v) {
                let kind = ErrorKind::OutOfRange {
                    what: "Vorbis quality".into(),
                    value: ctx.text(q.value.span).into(),
                    range: format!("from {} to {} (oggenc's `-q`)", VORBIS_QUALITY.start(), VORBIS_QUALITY.end()),
                };
                ctx.error(Diagnostic::new(kind, q.value.span));
                return None;
            }
            Some(VorbisRate::Quality((v * 100.0).round() as i16))
        }
        (None, Some(b)) => kbps_in(ctx, b, "Vorbis bitrate", &VORBIS_BITRATES).map(VorbisRate::Kbps),
        (None, None) => Some(VORBIS_DEFAULT),
    }
}

/// A `bitrate` that must be a whole number of kbit/s in `range`; `None`
/// after an error naming the range.
fn kbps_in(ctx: &mut Ctx, s: &Setting, what: &str, range: &std::ops::RangeInclusive<u32>) -> Option<u32> {
    let k = ctx.number(&s.value, Kind::Bitrate)?;
    if k.fract() == 0.0 && range.contains(&(k as u32)) {
        return Some(k as u32);
    }
    let kind = ErrorKind::OutOfRange {
        what: what.into(),
        value: ctx.text(s.value.span).into(),
        range: format!("a whole number of kbps from {}kbps to {}kbps", range.start(), range.end()),
    };
    ctx.error(Diagnostic::new(kind, s.value.span));
    None
}

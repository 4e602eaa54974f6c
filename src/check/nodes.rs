//! Tracks, buses and the master: their settings, checked one block at a time.

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::{ProcessorCall, Tap};
use crate::processor::value::{Kind, Value};
use crate::source::Span;
use crate::syntax::ast::{Entry, NodeBlock, NodeKind, SendTap};

use super::chain;
use super::ctx::Ctx;
use super::settings::{boolean, collect};
use super::timing::Timing;

const TRACK_KEYS: &[&str] = &["source", "on_error", "chain", "gain", "pan", "out", "start", "mute", "solo"];
const BUS_KEYS: &[&str] = &["chain", "gain", "pan", "out", "mute", "solo"];
const MASTER_KEYS: &[&str] = &["chain", "gain", "target", "loudness", "true_peak"];

/// A node as written, before routing is resolved.
#[derive(Debug, Clone)]
pub struct Draft {
    pub name: String,
    pub kind: NodeKind,
    /// The span of the name (or of `master`).
    pub span: Span,
    /// The source path as written, and the span of the string.
    pub source: Option<(String, Span)>,
    /// `on_error = conceal`: damaged audio in the source becomes silence,
    /// with a warning, instead of stopping the render.
    pub conceal: bool,
    /// Seconds.
    pub start: f64,
    pub chain: Vec<ProcessorCall>,
    /// dB.
    pub gain_db: f64,
    /// −1..+1.
    pub pan: f64,
    pub mute: bool,
    pub solo: bool,
    /// Target name and the span of the `out` value.
    pub out: Option<(String, Span)>,
    pub sends: Vec<SendDraft>,
    /// The master's loudness targets.
    pub target: crate::ir::Target,
    /// QC lines its `target = PRESET` brings.
    pub target_checks: Vec<crate::ir::QcCheck>,
}

#[derive(Debug, Clone)]
pub struct SendDraft {
    pub target: String,
    pub span: Span,
    pub gain_db: f64,
    pub tap: Tap,
}

/// Checks one `track`, `bus` or `master` block.
pub fn draft(ctx: &mut Ctx, block: &NodeBlock, timing: &Timing) -> Draft {
    let (name, span) = match &block.name {
        Some(n) => (n.node.clone(), n.span),
        None => ("master".to_string(), block.kind.span),
    };
    let mut d = Draft::new(name, block.kind.node, span);
    let (what, keys) = match block.kind.node {
        NodeKind::Track => (format!("track `{}`", d.name), TRACK_KEYS),
        NodeKind::Bus => (format!("bus `{}`", d.name), BUS_KEYS),
        NodeKind::Master => ("`master`".to_string(), MASTER_KEYS),
    };
    let settings = block.entries.iter().filter_map(|e| match e {
        Entry::Setting(s) => Some(s),
        _ => None,
    });
    let settings = collect(ctx, &what, keys, settings);
    for (key, s) in &settings {
        apply(ctx, &mut d, key, s, timing);
    }
    if block.kind.node == NodeKind::Master {
        if let Some((target, checks)) = super::targets::resolve(ctx, &settings) {
            (d.target, d.target_checks) = (target, checks);
        }
    }
    for entry in &block.entries {
        match entry {
            Entry::Send(send) if block.kind.node == NodeKind::Master => {
                let kind = ErrorKind::NotAllowedHere { what: "a send".into(), here: "on the master" };
                ctx.error(Diagnostic::new(kind, send.span));
            }
            Entry::Send(send) => {
                let range = f64::NEG_INFINITY..=MAX_FADER_DB;
                if let Some(gain_db) =
                    within(ctx, &send.level, Kind::Level, range, "send level", "from -inf dB to +48dB")
                {
                    let tap = match send.tap.as_ref().map(|t| t.node) {
                        Some(SendTap::Pre) => Tap::PreFader,
                        _ => Tap::PostFader,
                    };
                    d.sends.push(SendDraft { target: send.target.node.clone(), span: send.target.span, gain_db, tap });
                }
            }
            Entry::Song(song) => {
                let kind = ErrorKind::NotAllowedHere { what: "a `song`".into(), here: "outside an `album` block" };
                ctx.error(Diagnostic::new(kind, song.span));
            }
            Entry::Setting(_) => {}
        }
    }
    if block.kind.node == NodeKind::Track && d.source.is_none() {
        let kind = ErrorKind::MissingSetting { block: what, name: "source", example: "source = \"stems/kick.wav\"" };
        ctx.error(Diagnostic::new(kind, d.span));
    }
    d
}

fn apply(ctx: &mut Ctx, d: &mut Draft, key: &str, s: &crate::syntax::ast::Setting, timing: &Timing) {
    let v = &s.value;
    match key {
        "source" => {
            if let Some(Value::Text(path)) = ctx.value(v, Kind::Text) {
                d.source = Some((path, v.span));
            }
        }
        "on_error" => {
            d.conceal = super::exports::word(ctx, v, "on_error", &["stop", "conceal"]).as_deref() == Some("conceal")
        }
        "chain" => d.chain = chain::expand(ctx, v),
        "gain" => d.gain_db = fader(ctx, v).unwrap_or(0.0),
        "pan" => d.pan = pan(ctx, v).unwrap_or(0.0),
        "out" => {
            if let Some(Value::Name(target)) = ctx.value(v, Kind::Name) {
                d.out = Some((target, v.span));
            }
        }
        "start" => {
            let scope = ctx.scope();
            let value = super::eval::eval(v, &scope).and_then(|val| timing.position(&val, v.span));
            match value {
                Ok(s) if s > super::limits::MAX_PROGRAMME_SECONDS => {
                    ctx.error(super::limits::too_long("start", ctx.text(v.span), v.span))
                }
                Ok(s) if s >= 0.0 => d.start = s,
                Ok(_) => ctx.error(negative(v.span)),
                Err(e) => ctx.error(e),
            }
        }
        "mute" => d.mute = boolean(ctx, s).unwrap_or(false),
        "solo" => d.solo = boolean(ctx, s).unwrap_or(false),
        _ => {}
    }
}

/// The fader: up to +48 dB, as the `gain()` processor; `-inf dB` silences.
/// More would take a full-scale signal past what a float file holds.
fn fader(ctx: &mut Ctx, v: &crate::syntax::ast::Expr) -> Option<f64> {
    within(ctx, v, Kind::Level, f64::NEG_INFINITY..=MAX_FADER_DB, "gain", "from -inf dB to +48dB")
}

/// The highest fader or send gain, in dB.
pub const MAX_FADER_DB: f64 = 48.0;

fn pan(ctx: &mut Ctx, v: &crate::syntax::ast::Expr) -> Option<f64> {
    within(ctx, v, Kind::Percent, -1.0..=1.0, "pan", "from -100% (hard left) to +100% (hard right)")
}

/// The number in `v` when it lies in `range`; a spanned diagnostic otherwise.
fn within(
    ctx: &mut Ctx,
    v: &crate::syntax::ast::Expr,
    kind: Kind,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
    range_text: &str,
) -> Option<f64> {
    let x = ctx.number(v, kind)?;
    if range.contains(&x) {
        return Some(x);
    }
    let kind =
        ErrorKind::OutOfRange { what: what.into(), value: ctx.text(v.span).to_string(), range: range_text.into() };
    ctx.error(Diagnostic::new(kind, v.span));
    None
}

fn negative(span: Span) -> Diagnostic {
    let kind = ErrorKind::Other {
        message: "a source cannot start before the beginning of the song".into(),
        help: Some("use `start = 0s` or a later time".into()),
    };
    Diagnostic::new(kind, span)
}

impl Draft {
    /// A node with every setting at its default.
    pub fn new(name: String, kind: NodeKind, span: Span) -> Draft {
        Draft {
            name,
            kind,
            span,
            source: None,
            conceal: false,
            start: 0.0,
            chain: Vec::new(),
            gain_db: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            out: None,
            sends: Vec::new(),
            target: Default::default(),
            target_checks: Vec::new(),
        }
    }

    /// Whether this node's `out` (default `master`) is `name`.
    pub fn out_target_is(&self, name: &str) -> bool {
        match &self.out {
            Some((t, _)) => t == name,
            None => name == "master",
        }
    }
}

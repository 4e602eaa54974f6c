//! `loudness` and `true_peak` settings (on the master and on each export):
//! the targets the mastering stage normalises to.

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::ir::Target;
use crate::syntax::ast::Setting;

use super::ctx::Ctx;
use super::value::Kind;

/// The keys this module handles.
pub const KEYS: &[&str] = &["loudness", "true_peak"];

/// Integrated loudness a target may ask for, LUFS.
const LOUDNESS: (f64, f64) = (-60.0, 0.0);
/// True-peak ceilings a target may ask for, dBTP.
const TRUE_PEAK: (f64, f64) = (-20.0, 0.0);

/// Applies one target setting to `target`; `false` if it was wrong.
pub fn apply(ctx: &mut Ctx, key: &str, s: &Setting, target: &mut Target) -> bool {
    let (kind, (min, max), what) = match key {
        "loudness" => (Kind::Loudness, LOUDNESS, "the loudness target"),
        "true_peak" => (Kind::TruePeak, TRUE_PEAK, "the true-peak ceiling"),
        _ => return true,
    };
    let Some(v) = ctx.number(&s.value, kind) else { return false };
    if !(min..=max).contains(&v) {
        let unit = if key == "loudness" { "LUFS" } else { "dBTP" };
        let kind = ErrorKind::OutOfRange {
            what: what.into(),
            value: ctx.text(s.value.span).into(),
            range: format!("from {min}{unit} to {max}{unit}"),
        };
        ctx.error(Diagnostic::new(kind, s.value.span));
        return false;
    }
    match key {
        "loudness" => target.loudness = Some(v),
        _ => target.true_peak = Some(v),
    }
    true
}

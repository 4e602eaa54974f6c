//! `loudness`, `true_peak` and `target` settings (on the master and on each
//! export): what the mastering stage normalises to. `target = NAME` names a
//! `delivery` preset (`std/delivery.mix`); `loudness`/`true_peak` written
//! beside it override the preset's values.

use std::collections::HashMap;

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::ir::{Bound, Metric, QcCheck, Target};
use crate::processor::value::{Kind, Value};
use crate::syntax::ast::{DeliveryDecl, Setting};

use super::ctx::Ctx;
use super::settings::collect;

/// The keys of a `delivery` block.
const PRESET_KEYS: &[&str] = &["loudness", "true_peak", "tolerance"];

/// Integrated loudness a target may ask for, LUFS.
const LOUDNESS: (f64, f64) = (-60.0, 0.0);
/// True-peak ceilings a target may ask for, dBTP.
const TRUE_PEAK: (f64, f64) = (-20.0, 0.0);

/// A block's target, and the QC lines its preset brings (a preset with a
/// `tolerance` checks the delivered file against it). `None` after an error.
pub fn resolve(ctx: &mut Ctx, settings: &HashMap<String, &Setting>) -> Option<(Target, Vec<QcCheck>)> {
    let mut target = Target::default();
    let mut checks = Vec::new();
    let mut ok = true;
    if let Some(s) = settings.get("target") {
        match preset(ctx, s) {
            Some((t, c)) => (target, checks) = (t, c),
            None => ok = false,
        }
    }
    for key in ["loudness", "true_peak"] {
        if let Some(s) = settings.get(key) {
            ok &= apply(ctx, key, s, &mut target);
        }
    }
    // An explicit value wins over the preset's, and its check goes with it.
    checks.retain(|c| match c.metric {
        Metric::Loudness => !settings.contains_key("loudness"),
        _ => !settings.contains_key("true_peak"),
    });
    ok.then_some((target, checks))
}

/// Applies one `loudness` or `true_peak` setting to `target`; `false` if it was wrong.
fn apply(ctx: &mut Ctx, key: &str, s: &Setting, target: &mut Target) -> bool {
    let (kind, (min, max), what) = match key {
        "loudness" => (Kind::Loudness, LOUDNESS, "the loudness target"),
        _ => (Kind::TruePeak, TRUE_PEAK, "the true-peak ceiling"),
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
        _ => {
            target.true_peak = Some(v);
            target.after_decoding = s.after.is_some();
        }
    }
    true
}

/// `target = NAME`: the named `delivery` preset.
fn preset(ctx: &mut Ctx, s: &Setting) -> Option<(Target, Vec<QcCheck>)> {
    let Some(Value::Name(name)) = ctx.value(&s.value, Kind::Name) else { return None };
    let Some(decl) = ctx.deliveries.get(&name) else {
        ctx.error(unknown_preset(ctx, &name, s));
        return None;
    };
    let decl: &DeliveryDecl = decl;
    let settings = collect(ctx, &format!("delivery `{name}`"), PRESET_KEYS, &decl.settings);
    let mut target = Target::default();
    let mut ok = true;
    for key in ["loudness", "true_peak"] {
        if let Some(p) = settings.get(key) {
            ok &= apply(ctx, key, p, &mut target);
        }
    }
    let tolerance = match settings.get("tolerance") {
        Some(t) => ctx.number(&t.value, Kind::LoudnessUnits).map(f64::abs),
        None => None,
    };
    if !ok {
        return None;
    }
    let mut checks = Vec::new();
    if let (Some(l), Some(t)) = (target.loudness, tolerance) {
        let text = format!("loudness = {l}LUFS ± {t}LU (from `{name}`)");
        checks.push(QcCheck { metric: Metric::Loudness, bound: Bound::Within(l, t), text, span: s.value.span });
    }
    if let Some(tp) = target.true_peak {
        let text = format!("true_peak <= {tp}dBTP (from `{name}`)");
        checks.push(QcCheck { metric: Metric::TruePeak, bound: Bound::AtMost(tp), text, span: s.value.span });
    }
    Some((target, checks))
}

/// An unknown preset: a "did you mean" among those in scope, or the import
/// that brings the standard ones.
fn unknown_preset(ctx: &Ctx, name: &str, s: &Setting) -> Diagnostic {
    let standard = standard_presets();
    let in_scope: Vec<&str> = ctx.deliveries.keys().map(|k| k.as_str()).collect();
    let help = if standard.iter().any(|p| p == name) {
        format!("`{name}` is defined in the standard library: add `import \"std/delivery.mix\"` at the top")
    } else if let Some(close) = suggest(name, in_scope.iter().copied().chain(standard.iter().map(|s| s.as_str()))) {
        format!("did you mean `{close}`? (standard presets come with `import \"std/delivery.mix\"`)")
    } else {
        format!(
            "define it with `delivery {name} {{ loudness = -14LUFS, true_peak = -1dBTP }}`, or use one of the \
             standard presets ({}) with `import \"std/delivery.mix\"`",
            standard.join(", ")
        )
    };
    let kind = ErrorKind::Other { message: format!("unknown delivery target `{name}`"), help: Some(help) };
    Diagnostic::new(kind, s.value.span)
}

/// The names `std/delivery.mix` defines.
fn standard_presets() -> Vec<String> {
    let text = super::stdlib::get("std/delivery.mix").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("delivery "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

//! Settings blocks: which keys a block takes, duplicates, `check`-only operators.

use std::collections::HashMap;

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::syntax::ast::{CompareOp, Setting};

use super::ctx::Ctx;

/// Returns the settings of a block by key, reporting unknown keys (with a
/// suggestion), keys set twice, and comparison operators outside `check`.
pub fn collect<'s>(
    ctx: &mut Ctx,
    block: &str,
    valid: &[&str],
    settings: impl IntoIterator<Item = &'s Setting>,
) -> HashMap<String, &'s Setting> {
    let mut out: HashMap<String, &Setting> = HashMap::new();
    for s in settings {
        let key = s.key.node.as_str();
        if s.op.node != CompareOp::Eq || s.tolerance.is_some() {
            let kind = ErrorKind::NotAllowedHere {
                what: "a comparison".into(),
                here: "outside a `check` block; settings take `=` and one value",
            };
            ctx.error(Diagnostic::new(kind, s.op.span));
            continue;
        }
        if s.after.is_some() && !after_decoding(ctx, s) {
            continue;
        }
        if !valid.contains(&key) {
            let suggestion = suggest(key, valid.iter().copied());
            let kind = ErrorKind::UnknownSetting {
                block: block.to_string(),
                name: key.to_string(),
                suggestion,
                valid: valid.iter().map(|v| v.to_string()).collect(),
            };
            ctx.error(Diagnostic::new(kind, s.key.span));
            continue;
        }
        if let Some(first) = out.get(key) {
            let first = first.key.span;
            let kind = ErrorKind::DuplicateSetting { name: key.to_string() };
            ctx.error(Diagnostic::new(kind, s.key.span).with_note(first, "first set here"));
            continue;
        }
        out.insert(key.to_string(), s);
    }
    out
}

/// `after decoding` belongs to a `true_peak` ceiling alone; false (after an
/// error) anywhere else or with another word.
pub fn after_decoding(ctx: &mut Ctx, s: &Setting) -> bool {
    let Some(word) = &s.after else { return true };
    if s.key.node != "true_peak" {
        let kind = ErrorKind::Other {
            message: format!("`after decoding` goes with a `true_peak` ceiling, not with `{}`", s.key.node),
            help: Some("write `true_peak = -1dBTP after decoding` on the master or a lossy export".into()),
        };
        ctx.error(Diagnostic::new(kind, word.span));
        return false;
    }
    if word.node != "decoding" {
        let kind = ErrorKind::UnknownWord {
            what: "word after `after`",
            word: word.node.clone(),
            valid: vec!["decoding".into()],
        };
        ctx.error(Diagnostic::new(kind, word.span));
        return false;
    }
    true
}

/// `true`/`false` (also `yes`/`no`, `on`/`off`).
pub fn boolean(ctx: &mut Ctx, setting: &Setting) -> Option<bool> {
    let word = ctx.text(setting.value.span).trim().to_ascii_lowercase();
    match word.as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => {
            let kind = ErrorKind::UnknownWord { what: "switch", word, valid: vec!["true".into(), "false".into()] };
            ctx.error(Diagnostic::new(kind, setting.value.span));
            None
        }
    }
}

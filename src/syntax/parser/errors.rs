//! Pest failures as diagnostics: plain-English "expected", the token found, a tight span.
//!
//! Pest reports the furthest position it reached and the rules it tried
//! there. Rule names mean nothing to users, so one table ([`phrase`]) says
//! each in English, and a small policy picks which of them are worth saying.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::scan::Brackets;
use super::Rule;
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::source::{FileId, Span};

/// How much an expected rule is worth mentioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Weight {
    /// Something that would have ended the construct (`}`, a newline).
    Closer,
    /// Something the construct needed.
    Needed,
    /// An optional continuation (a unit, `±`, `pre`): noise when anything else fits.
    Optional,
}

const VALUE: &str = "a value such as `-3dB` or `\"file.wav\"`";

/// The one table of what each rule is called in an error message.
fn phrase(rule: Rule) -> Option<(&'static str, Weight)> {
    use Weight::*;
    Some(match rule {
        Rule::EOI => ("end of file", Closer),
        Rule::item_end => ("end of line", Closer),
        Rule::entry_end => ("a newline, `,` or `;`", Closer),
        Rule::rbrace => ("`}`", Closer),
        Rule::rparen => ("`)`", Closer),
        Rule::rbracket => ("`]`", Closer),
        Rule::comma => ("`,`", Closer),
        Rule::item | Rule::file => ("a statement such as `track NAME { ... }` or `key = value`", Needed),
        Rule::entry | Rule::setting | Rule::setting_key => ("a setting such as `gain = -3dB`", Needed),
        Rule::breakpoint => ("a breakpoint such as `500ms  -6dB`", Needed),
        Rule::expr | Rule::stage | Rule::arg | Rule::list | Rule::quantity => (VALUE, Needed),
        Rule::bar_beat | Rule::fraction | Rule::name | Rule::call | Rule::labelled_call => (VALUE, Needed),
        Rule::next_stage | Rule::callee | Rule::label => ("a processor such as `lowpass(4kHz)`", Needed),
        Rule::string => ("a string such as `\"file.wav\"`", Needed),
        Rule::str_close => ("a closing `\"`", Needed),
        Rule::eq | Rule::op => ("`=`", Needed),
        Rule::lbrace | Rule::block | Rule::settings => ("`{`", Needed),
        Rule::args | Rule::params => ("`(`", Optional),
        Rule::let_name => ("a name for the constant, such as `vox_level`", Needed),
        Rule::chain_name => ("a name for the chain, such as `vocal`", Needed),
        Rule::param | Rule::param_name => ("a parameter name such as `presence`", Needed),
        Rule::node_name => ("a name such as `kick`", Needed),
        Rule::send_target => ("the name of a bus to send to", Needed),
        Rule::target_path | Rule::path_seg => ("a dotted target such as `vox.gain`", Needed),
        Rule::arg_name => ("an argument name", Optional),
        Rule::number | Rule::uint | Rule::inf => ("a number", Optional),
        Rule::unit => ("a unit such as `dB`", Optional),
        Rule::tolerance => ("`±`", Optional),
        Rule::after | Rule::kw_after => ("`after decoding`", Optional),
        Rule::after_word => ("`decoding`", Needed),
        Rule::tap => ("`pre` or `post`", Optional),
        Rule::curve => ("a curve such as `smooth`", Optional),
        // Keywords, item kinds and helpers are only ever reported through
        // the rule that contains them (`item`, `entry`, ...).
        _ => return None,
    })
}

/// Turns a pest error into a syntax diagnostic pointing at the offending token.
pub(super) fn from_pest(file: FileId, text: &str, err: &Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let pos = pos.min(text.len());
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let (found, len) = found_at(text, pos);
    let at_eof = pos >= text.len();
    let expected = expected_phrase(&positives, at_eof);
    let kind = ErrorKind::Syntax { expected, found };
    // A caret past the last line is easy to miss (and miette may not draw
    // it); at the end of the file, point just after the last thing written.
    let shown = if at_eof { text.trim_end().len() } else { pos };
    let diag = Diagnostic::new(kind, Span::new(file, shown, shown + len));
    add_opener_note(diag, text, pos, &positives)
}

/// The English list of what would have fitted, most useful first.
fn expected_phrase(positives: &[Rule], at_eof: bool) -> String {
    let mut found: Vec<(&str, Weight)> = positives.iter().filter_map(|r| phrase(*r)).collect();
    // At the end of the file the real problem is whatever was left open.
    let closers = [Rule::rbrace, Rule::rparen, Rule::rbracket, Rule::str_close];
    if at_eof && positives.iter().any(|r| closers.contains(r)) {
        found.retain(|(p, _)| closers.iter().filter_map(|r| phrase(*r)).any(|(c, _)| c == *p));
    }
    // VALUE already offers a string as an example.
    if found.iter().any(|(p, _)| *p == VALUE) {
        found.retain(|(p, _)| !p.starts_with("a string"));
    }
    if found.iter().any(|(_, w)| *w != Weight::Optional) {
        found.retain(|(_, w)| *w != Weight::Optional);
    }
    found.sort_by_key(|(_, w)| *w);
    let mut phrases: Vec<&str> = Vec::new();
    for (p, _) in found {
        if !phrases.contains(&p) {
            phrases.push(p);
        }
    }
    english_list(&phrases)
}

fn english_list(items: &[&str]) -> String {
    match items {
        [] => "valid `.mix` syntax".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What is at `pos`, said for a user, and how many bytes it covers.
fn found_at(text: &str, pos: usize) -> (String, usize) {
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".to_string(), 0);
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '%';
    let len = if is_word(c) {
        rest.find(|c: char| !is_word(c)).unwrap_or(rest.len())
    } else if c == '"' {
        // The whole string, or to the end of the line if it never closes.
        rest[1..].find(['"', '\n']).map_or(rest.len(), |i| i + 2)
    } else if ["->", "<=", ">=", "+-"].iter().any(|op| rest.starts_with(op)) {
        2
    } else {
        c.len_utf8()
    };
    let token = &rest[..len];
    (format!("`{}`", token.trim_end_matches('\n')), len)
}

/// When a closer was expected, points at the bracket or quote it would close.
fn add_opener_note(diag: Diagnostic, text: &str, pos: usize, positives: &[Rule]) -> Diagnostic {
    let wanted = [(Rule::rbrace, '{'), (Rule::rparen, '('), (Rule::rbracket, '[')];
    let open = Brackets::open_at(text, pos);
    if positives.contains(&Rule::str_close) {
        if let Some(&(at, _)) = open.last().filter(|(_, c)| *c == '"') {
            let span = Span::new(diag.span.file, at, at + 1);
            return diag.with_note(span, "the string starts here");
        }
    }
    for (rule, opener) in wanted {
        if !positives.contains(&rule) {
            continue;
        }
        if let Some(&(at, _)) = open.iter().rev().find(|(_, c)| *c == opener) {
            let span = Span::new(diag.span.file, at, at + 1);
            return diag.with_note(span, format!("this `{opener}` is not closed"));
        }
    }
    diag
}

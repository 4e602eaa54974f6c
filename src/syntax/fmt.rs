//! `mixc fmt`: the canonical layout of a `.mix` file, comments kept.
//!
//! The layout is printed from the parsed tree, not patched into the text, so
//! it cannot depend on how the input happened to be spaced. Leaves (numbers,
//! strings, names) are copied from the source exactly as written, and the
//! comments the grammar skips are found by [`super::trivia`] and put back by
//! position. The rules:
//!
//! - 4-space indentation inside blocks; one entry a line in a multi-line block.
//! - `=` (and `<=`, `>=` in `check`) aligned across consecutive settings of a
//!   block; `let`s align with `let`s and `send`s with `send`s. A blank line
//!   ends the run.
//! - A block written on one line (`track snare { source = "x", out = drums }`)
//!   stays on one line if it fits in 100 columns, and is opened up one entry a
//!   line otherwise. A block written over several lines is never joined. The
//!   `{` of consecutive one-line blocks is aligned.
//! - Chains: the author's line breaks between stages are kept; a line that
//!   would pass 100 columns is broken before the `->` that overflows. A
//!   continuation starts with `->` aligned under the first stage. A `chain`
//!   definition too long for one line moves its body to the next line.
//! - `automate` blocks: one breakpoint a line, columns padded to the widest.
//! - One space around `=`, `->`, `±`; `, ` between arguments; `name: value`.
//! - Blank lines between items and entries are kept, at most one in a row.
//! - End-of-line comments stay on their line. Within a run of lines with no
//!   blank line between, they share one column: the leftmost column any of
//!   them was written at, moved right until every one clears its code by two
//!   spaces — except that a line reaching more than 20 columns past it keeps
//!   its comment two spaces after its code instead of pushing the others.
//!
//! Formatting never changes meaning: [`format`] re-parses its output and
//! refuses to return text whose tree (spans aside) or comments differ.

use super::ast::Module;
use super::trivia::{self, Comment};
use crate::diagnostic::Diagnostic;
use crate::source::FileId;

/// Lines are kept to this many columns where the layout allows a choice.
pub const WIDTH: usize = 100;
/// Indentation of one block level.
pub const INDENT: usize = 4;

/// Why a file was not formatted.
#[derive(Debug)]
pub enum FmtError {
    /// The file does not parse; the diagnostics say where.
    Syntax(Vec<Diagnostic>),
    /// The formatter's own check failed: a bug in mixc, the file is left alone.
    Internal(String),
}

/// Formats one file's text.
pub fn format(file: FileId, text: &str) -> Result<String, FmtError> {
    let module = super::parse(file, text).map_err(FmtError::Syntax)?;
    let out = super::fmt_print::print(text, &module);
    verify(file, text, &module, &out)?;
    Ok(out)
}

/// One line of output before the comment column is known.
#[derive(Debug, Clone)]
pub enum Line {
    /// Code (indentation included) and maybe an end-of-line comment.
    Code {
        text: String,
        comment: Option<Comment>,
    },
    /// A comment on a line of its own, indentation included.
    Comment(String),
    Blank,
}

/// Joins lines, placing end-of-line comments run by run (see the module docs).
pub fn render(lines: &[Line]) -> String {
    let mut out = String::new();
    for (n, run) in lines.split(|l| matches!(l, Line::Blank)).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let col = comment_column(run);
        for line in run {
            match line {
                Line::Code { text, comment: Some(c) } => {
                    let width = trivia::width(text);
                    let pad = if width + 2 <= col { col - width } else { 2 };
                    out.push_str(&format!("{text}{}{}\n", " ".repeat(pad), c.text));
                }
                Line::Code { text, comment: None } | Line::Comment(text) => {
                    out.push_str(text.trim_end());
                    out.push('\n');
                }
                Line::Blank => {}
            }
        }
    }
    out
}

/// How far right of a run's column a line's code may reach and still move
/// the whole run's comments; longer lines are outliers and do not.
const SLACK: usize = 20;

/// The shared column of a run's end-of-line comments: start from the leftmost
/// column one was written at and widen it to clear every line's code, except
/// outlier lines (reaching more than [`SLACK`] columns past it), which keep
/// their comment two spaces after the code. Widening stops at a fixed point,
/// which makes the rule idempotent: formatted output yields the same column.
fn comment_column(run: &[Line]) -> usize {
    let commented: Vec<(usize, usize)> = run
        .iter()
        .filter_map(|l| match l {
            Line::Code { text, comment: Some(c) } => Some((trivia::width(text) + 2, c.col)),
            _ => None,
        })
        .collect();
    let Some(mut col) = commented.iter().map(|c| c.1).min() else { return 0 };
    if !commented.iter().any(|&(need, _)| need <= col + SLACK) {
        col = commented.iter().map(|c| c.0).min().unwrap_or(col);
    }
    loop {
        let next = commented.iter().map(|c| c.0).filter(|&need| need <= col + SLACK).fold(col, usize::max);
        if next == col {
            return col;
        }
        col = next;
    }
}

/// Re-parses the output and compares it with the input: same tree (spans
/// aside), same comments in the same order.
fn verify(file: FileId, text: &str, before: &Module, out: &str) -> Result<(), FmtError> {
    let after = super::parse(file, out).map_err(|d| {
        let first = d.first().map(|d| format!("{d:?}")).unwrap_or_default();
        FmtError::Internal(format!("the formatted text does not parse: {first}"))
    })?;
    if without_spans(&format!("{:?}", before.items)) != without_spans(&format!("{:?}", after.items)) {
        return Err(FmtError::Internal("formatting would change the meaning of the file".into()));
    }
    let texts = |s: &str| trivia::comments(s).into_iter().map(|c| c.text).collect::<Vec<_>>();
    if texts(text) != texts(out) {
        return Err(FmtError::Internal("formatting would lose or reorder a comment".into()));
    }
    Ok(())
}

/// A tree's debug text with every `Span { .. }` blanked, so that two trees
/// can be compared for meaning alone.
pub fn without_spans(debug: &str) -> String {
    const OPEN: &str = "Span { ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        // A span's fields hold no braces (`FileId(0)`), so the next `}` closes it.
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;

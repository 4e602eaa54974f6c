//! The formatter's printer: walks the tree in source order, emits [`Line`]s
//! and puts every comment back where it was (see [`super::fmt`] for the rules).

use super::ast::{Entry, Item, Module, NodeKind, Setting};
use super::fmt::{render, Line};
use super::fmt_block::end_of;
use super::trivia::{self, Comment};
use crate::source::Span;

/// Prints `module` (parsed from `text`) in the canonical layout.
pub fn print(text: &str, module: &Module) -> String {
    let mut p = Printer::new(text);
    let els: Vec<El> = module.items.iter().map(El::Item).collect();
    p.sequence(&els, 0, text.len());
    render(&p.lines)
}

/// Anything that sits on its own line(s) in a sequence.
#[derive(Clone, Copy)]
pub(super) enum El<'m> {
    Item(&'m Item),
    Entry(&'m Entry),
    Setting(&'m Setting),
    Point(&'m super::ast::Breakpoint),
}

impl El<'_> {
    pub(super) fn span(self) -> Span {
        match self {
            El::Item(Item::Import(s)) => s.span,
            El::Item(Item::Setting(s)) | El::Entry(Entry::Setting(s)) | El::Setting(s) => s.span,
            El::Item(Item::Let(l)) => l.span,
            El::Item(Item::Chain(c)) => c.span,
            El::Item(Item::Node(n)) => n.span,
            El::Item(Item::Automate(a)) => a.span,
            El::Item(Item::Export(e)) => e.span,
            El::Item(Item::Check(c)) => c.span,
            El::Item(Item::Album(a)) => a.span,
            El::Item(Item::Delivery(d)) => d.span,
            El::Entry(Entry::Send(s)) => s.span,
            El::Entry(Entry::Song(s)) => s.span,
            El::Point(b) => b.span,
        }
    }
}

/// Which lines align with which: only neighbours of the same kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Setting,
    Let,
    Send,
    /// The `{` of one-line blocks that start with the same keyword.
    OneLine(&'static str),
}

pub(super) struct Printer<'a> {
    pub text: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet printed.
    next: usize,
    pub lines: Vec<Line>,
    /// End of the last thing printed, for finding blank lines.
    last_end: usize,
    /// True right after `{` (and at the top of the file): no blank line here.
    at_start: bool,
    /// Column widths of the `automate` block being printed.
    pub point_cols: (usize, usize),
}

impl<'a> Printer<'a> {
    fn new(text: &'a str) -> Self {
        let comments = trivia::comments(text);
        Printer { text, comments, next: 0, lines: Vec::new(), last_end: 0, at_start: true, point_cols: (0, 0) }
    }

    pub(super) fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Offset of the first `ch` at or after `from` (the grammar guarantees one;
    /// the re-parse check catches it if not).
    pub(super) fn find(&self, from: usize, ch: char) -> usize {
        self.text.get(from..).and_then(|t| t.find(ch)).map_or(from, |i| from + i)
    }

    pub(super) fn newline_between(&self, a: usize, b: usize) -> bool {
        trivia::has_newline(self.text.get(a..b).unwrap_or(""))
    }

    /// Emits a code line whose text ends at `src_end` in the source, taking the
    /// comment that followed that point on its source line.
    pub(super) fn line(&mut self, text: String, src_end: usize) {
        let mut comment = None;
        if let Some(c) = self.comments.get(self.next) {
            if c.start >= src_end && trivia::is_trailing_gap(&self.text[src_end..c.start]) {
                comment = Some(c.clone());
                self.next += 1;
            }
        }
        self.lines.push(Line::Code { text, comment });
        self.at_start = false;
    }

    /// Emits the comments that start before `before` on lines of their own.
    /// Blank lines before them are kept when `blanks` (not inside a chain).
    pub(super) fn flush(&mut self, before: usize, indent: usize, blanks: bool) {
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < before).cloned() {
            if blanks {
                self.gap(c.start);
            }
            self.lines.push(Line::Comment(format!("{}{}", " ".repeat(indent), c.text)));
            self.at_start = false;
            self.last_end = c.end;
            self.next += 1;
        }
    }

    /// A blank line before something starting at `start` if the source had one.
    fn gap(&mut self, start: usize) {
        let between = self.text.get(self.last_end..start).unwrap_or("");
        if !self.at_start && trivia::has_blank_line(between) {
            self.lines.push(Line::Blank);
        }
    }

    /// Starts the inside of a block whose `{` is at `open`.
    pub(super) fn enter(&mut self, open: usize) {
        self.last_end = open + 1;
        self.at_start = true;
    }

    /// Prints items or entries at one level, up to the offset `end`.
    pub(super) fn sequence(&mut self, els: &[El<'_>], indent: usize, end: usize) {
        let pads = self.pads(els, indent);
        for (&el, pad) in els.iter().zip(pads) {
            let span = el.span();
            self.flush(span.start, indent, true);
            self.gap(span.start);
            self.el(el, indent, pad);
            self.last_end = span.end;
        }
        self.flush(end, indent, true);
    }

    /// Per element, the width its head is padded to: the widest head among
    /// its run of same-kind neighbours with no blank line between.
    fn pads(&self, els: &[El<'_>], indent: usize) -> Vec<usize> {
        let aligns: Vec<Option<(Align, usize)>> = els.iter().map(|&e| self.align(e, indent)).collect();
        let mut pads = vec![0; els.len()];
        let mut start = 0;
        for i in 0..=els.len() {
            let joined = i > 0
                && i < els.len()
                && aligns[i].is_some()
                && aligns[i].map(|a| a.0) == aligns[i - 1].map(|a| a.0)
                && !trivia::has_blank_line(self.text.get(els[i - 1].span().end..els[i].span().start).unwrap_or(""));
            if i == els.len() || !joined {
                let widest = aligns[start..i].iter().flatten().map(|a| a.1).max().unwrap_or(0);
                pads[start..i].iter_mut().for_each(|p| *p = widest);
                start = i;
            }
        }
        pads
    }

    fn el(&mut self, el: El<'_>, indent: usize, pad: usize) {
        let ind = " ".repeat(indent);
        match el {
            El::Item(Item::Import(s)) => self.line(format!("{ind}import {}", self.slice(s.span)), s.span.end),
            El::Item(Item::Setting(s)) | El::Entry(Entry::Setting(s)) | El::Setting(s) => self.setting(s, indent, pad),
            El::Item(Item::Let(l)) => {
                let head = format!("{ind}{:<pad$} =", format!("let {}", l.name.node));
                let eq = self.find(l.name.span.end, '=');
                self.rhs(head, eq + 1, &l.value, String::new(), end_of(&l.value), indent);
            }
            El::Item(Item::Chain(c)) => self.chain_def(c, indent),
            El::Item(Item::Automate(a)) => self.automate(a, indent),
            El::Entry(Entry::Send(s)) => {
                let head = format!("{ind}{:<pad$} =", format!("send {}", s.target.node));
                let eq = self.find(s.target.span.end, '=');
                let tap = s.tap.as_ref().map(|t| format!(" {}", self.slice(t.span))).unwrap_or_default();
                let end = s.tap.as_ref().map_or(end_of(&s.level), |t| t.span.end);
                self.rhs(head, eq + 1, &s.level, tap, end, indent);
            }
            El::Point(b) => self.point(b, indent),
            other => match self.block_parts(other) {
                Some(parts) => self.block(parts, indent, pad),
                // Only a bodyless `export`/`song` has no block parts.
                None => {
                    let (head, end) = self.head_only(other);
                    self.line(format!("{ind}{head}"), end);
                }
            },
        }
    }

    fn setting(&mut self, s: &Setting, indent: usize, pad: usize) {
        let head = format!("{}{:<pad$} {}", " ".repeat(indent), s.key.node, self.slice(s.op.span));
        let mut tail = s.tolerance.as_ref().map(|t| self.tolerance(s, t)).unwrap_or_default();
        let mut end = s.tolerance.as_ref().map_or(end_of(&s.value), |t| t.span.end);
        if let Some(word) = &s.after {
            tail.push_str(&format!(" after {}", word.node));
            end = word.span.end;
        }
        self.rhs(head, s.op.span.end, &s.value, tail, end, indent);
    }

    /// ` ± 0.5LU`, keeping `±` or `+-` as written.
    pub(super) fn tolerance(&self, s: &Setting, tol: &super::ast::Expr) -> String {
        let sym = self.text.get(end_of(&s.value)..tol.span.start).unwrap_or("±").trim();
        format!(" {sym} {}", self.inline(tol))
    }

    /// Where `el` aligns, and the width of its head.
    fn align(&self, el: El<'_>, indent: usize) -> Option<(Align, usize)> {
        let w = trivia::width;
        match el {
            El::Item(Item::Setting(s)) | El::Entry(Entry::Setting(s)) | El::Setting(s) => {
                Some((Align::Setting, w(&s.key.node)))
            }
            El::Item(Item::Let(l)) => Some((Align::Let, w(&l.name.node) + 4)),
            El::Entry(Entry::Send(s)) => Some((Align::Send, w(&s.target.node) + 5)),
            El::Item(Item::Export(_)) => self.one_line_align(el, indent, "export"),
            El::Entry(Entry::Song(_)) => self.one_line_align(el, indent, "song"),
            El::Item(Item::Node(n)) => {
                let keyword = match n.kind.node {
                    NodeKind::Track => "track",
                    NodeKind::Bus => "bus",
                    NodeKind::Master => "master",
                };
                self.one_line_align(el, indent, keyword)
            }
            _ => None,
        }
    }

    /// A bodyless `export`/`song` joins its neighbours' run without widening it.
    fn one_line_align(&self, el: El<'_>, indent: usize, keyword: &'static str) -> Option<(Align, usize)> {
        match self.block_parts(el) {
            None => Some((Align::OneLine(keyword), 0)),
            Some(parts) => self.one_line(&parts, indent).map(|_| (Align::OneLine(keyword), trivia::width(&parts.head))),
        }
    }
}

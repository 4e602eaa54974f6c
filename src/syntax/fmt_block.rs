//! The formatter's layout of blocks, chains and values: when a block stays on
//! one line, where a chain breaks, how `automate` columns line up.

use super::ast::{Automation, Breakpoint, ChainDef, Entry, Expr, ExprKind, Item, NodeKind};
use super::fmt::{INDENT, WIDTH};
use super::fmt_print::{El, Printer};
use super::trivia::width;

/// A `head { entries }` construct, located in the source.
pub(super) struct BlockParts<'m> {
    pub head: String,
    /// Offsets of the `{` and the `}`.
    pub open: usize,
    pub close: usize,
    pub els: Vec<El<'m>>,
}

impl<'a> Printer<'a> {
    /// The parts of a braced construct, or `None` for anything else (and for
    /// an `export`/`song` without settings).
    pub(super) fn block_parts<'m>(&self, el: El<'m>) -> Option<BlockParts<'m>> {
        let (head, after, span, els): (String, usize, _, Vec<El<'m>>) = match el {
            El::Item(Item::Node(n)) => {
                let head = match (&n.kind.node, &n.name) {
                    (NodeKind::Track, Some(name)) => format!("track {}", name.node),
                    (NodeKind::Bus, Some(name)) => format!("bus {}", name.node),
                    _ => "master".to_string(),
                };
                let after = n.name.as_ref().map_or(n.kind.span.end, |name| name.span.end);
                (head, after, n.span, n.entries.iter().map(El::Entry).collect())
            }
            El::Item(Item::Export(e)) if !e.settings.is_empty() => {
                let head = format!("export {}", self.slice(e.path.span));
                (head, e.path.span.end, e.span, e.settings.iter().map(El::Setting).collect())
            }
            El::Entry(Entry::Song(s)) if !s.settings.is_empty() => {
                let head = format!("song {}", self.slice(s.path.span));
                (head, s.path.span.end, s.span, s.settings.iter().map(El::Setting).collect())
            }
            El::Item(Item::Check(c)) => {
                ("check".into(), c.span.start, c.span, c.lines.iter().map(El::Setting).collect())
            }
            El::Item(Item::Delivery(d)) => {
                let head = format!("delivery {}", d.name.node);
                (head, d.name.span.end, d.span, d.settings.iter().map(El::Setting).collect())
            }
            El::Item(Item::Album(a)) => {
                let head = format!("album {}", self.slice(a.title.span));
                (head, a.title.span.end, a.span, a.entries.iter().map(El::Entry).collect())
            }
            _ => return None,
        };
        Some(BlockParts { head, open: self.find(after, '{'), close: span.end.saturating_sub(1), els })
    }

    /// `export "x"` or `song "x"` with no settings, and where it ends.
    pub(super) fn head_only(&self, el: El<'_>) -> (String, usize) {
        match el {
            El::Item(Item::Export(e)) => (format!("export {}", self.slice(e.path.span)), e.path.span.end),
            El::Entry(Entry::Song(s)) => (format!("song {}", self.slice(s.path.span)), s.path.span.end),
            other => (self.slice(other.span()).to_string(), other.span().end),
        }
    }

    /// The ` { a, b }` tail if the block was written on one line and still
    /// fits (unpadded) in [`WIDTH`] columns at `indent`.
    pub(super) fn one_line(&self, parts: &BlockParts<'_>, indent: usize) -> Option<String> {
        if self.newline_between(parts.open, parts.close) {
            return None;
        }
        let inner = parts.els.iter().map(|&e| self.inline_el(e)).collect::<Option<Vec<_>>>()?;
        let body = if inner.is_empty() { " {}".to_string() } else { format!(" {{ {} }}", inner.join(", ")) };
        (indent + width(&parts.head) + width(&body) <= WIDTH).then_some(body)
    }

    /// An entry as it reads inside a one-line block.
    fn inline_el(&self, el: El<'_>) -> Option<String> {
        match el {
            El::Entry(Entry::Setting(s)) | El::Setting(s) => {
                let tol = s.tolerance.as_ref().map(|t| self.tolerance(s, t)).unwrap_or_default();
                let after = s.after.as_ref().map(|w| format!(" after {}", w.node)).unwrap_or_default();
                Some(format!("{} {} {}{tol}{after}", s.key.node, self.slice(s.op.span), self.inline(&s.value)))
            }
            El::Entry(Entry::Send(s)) => {
                let tap = s.tap.as_ref().map(|t| format!(" {}", self.slice(t.span))).unwrap_or_default();
                Some(format!("send {} = {}{tap}", s.target.node, self.inline(&s.level)))
            }
            El::Entry(Entry::Song(_)) => match self.block_parts(el) {
                Some(parts) => {
                    let inner = parts.els.iter().map(|&e| self.inline_el(e)).collect::<Option<Vec<_>>>()?;
                    Some(format!("{} {{ {} }}", parts.head, inner.join(", ")))
                }
                None => Some(self.head_only(el).0),
            },
            _ => None,
        }
    }

    pub(super) fn block(&mut self, parts: BlockParts<'_>, indent: usize, pad: usize) {
        let ind = " ".repeat(indent);
        if let Some(body) = self.one_line(&parts, indent) {
            self.line(format!("{ind}{:<pad$}{body}", parts.head), parts.close + 1);
            return;
        }
        self.line(format!("{ind}{} {{", parts.head), parts.open + 1);
        self.enter(parts.open);
        self.sequence(&parts.els, indent + INDENT, parts.close);
        self.line(format!("{ind}}}"), parts.close + 1);
    }

    pub(super) fn automate(&mut self, a: &Automation, indent: usize) {
        let ind = " ".repeat(indent);
        let path: Vec<&str> = a.target.iter().map(|s| s.node.as_str()).collect();
        let after = a.target.last().map_or(a.span.start, |s| s.span.end);
        let (open, close) = (self.find(after, '{'), a.span.end.saturating_sub(1));
        self.line(format!("{ind}automate {} {{", path.join(".")), open + 1);
        let cols = |f: &dyn Fn(&Breakpoint) -> String| a.points.iter().map(|b| width(&f(b))).max().unwrap_or(0);
        self.point_cols = (cols(&|b| self.inline(&b.position)), cols(&|b| self.inline(&b.value)));
        self.enter(open);
        let els: Vec<El> = a.points.iter().map(El::Point).collect();
        self.sequence(&els, indent + INDENT, close);
        self.line(format!("{ind}}}"), close + 1);
    }

    /// One breakpoint: position, value and curve in padded columns.
    pub(super) fn point(&mut self, b: &Breakpoint, indent: usize) {
        let (p, v) = self.point_cols;
        let curve = b.curve.as_ref().map(|c| c.node.as_str()).unwrap_or("");
        let text =
            format!("{}{:<p$}  {:<v$}  {curve}", " ".repeat(indent), self.inline(&b.position), self.inline(&b.value));
        let end = b.curve.as_ref().map_or(end_of(&b.value), |c| c.span.end);
        self.line(text.trim_end().to_string(), end);
    }

    pub(super) fn chain_def(&mut self, c: &ChainDef, indent: usize) {
        let params: Vec<String> = c
            .params
            .iter()
            .map(|p| match &p.default {
                Some(d) => format!("{} = {}", p.name.node, self.inline(d)),
                None => p.name.node.clone(),
            })
            .collect();
        let after_params = c.params.last().map_or(c.name.span.end, |p| p.span.end);
        let has_parens = self.text.get(c.name.span.end..).is_some_and(|t| t.trim_start().starts_with('('));
        let close = if has_parens { self.find(after_params, ')') + 1 } else { c.name.span.end };
        let parens = if has_parens { format!("({})", params.join(", ")) } else { String::new() };
        let head = format!("{}chain {}{parens} =", " ".repeat(indent), c.name.node);
        let eq = self.find(close, '=') + 1;
        // A body that starts with a call may move to the next line: a call
        // there cannot be mistaken for a new statement.
        let too_long = width(&head) + 1 + width(&self.inline(&c.body)) > WIDTH;
        let movable = too_long && !self.has_breaks(&c.body) && starts_with_call(&c.body);
        if movable && !self.newline_between(eq, c.body.span.start) {
            self.line(head, eq);
            self.expr_lines(" ".repeat(indent + INDENT), &c.body, String::new(), end_of(&c.body));
        } else {
            self.rhs(head, eq, &c.body, String::new(), end_of(&c.body), indent);
        }
    }

    /// `head = value`: keeps a value the author started on the next line there.
    pub(super) fn rhs(&mut self, head: String, eq_end: usize, value: &Expr, after: String, end: usize, indent: usize) {
        if self.newline_between(eq_end, value.span.start) {
            self.line(head, eq_end);
            self.flush(value.span.start, indent + INDENT, false);
            self.expr_lines(" ".repeat(indent + INDENT), value, after, end);
        } else {
            self.expr_lines(format!("{head} "), value, after, end);
        }
    }

    /// A value after `prefix`; a chain breaks where the author broke it and
    /// before any `->` that would pass [`WIDTH`], continuing under its first stage.
    fn expr_lines(&mut self, prefix: String, value: &Expr, after: String, end: usize) {
        let stages = match &value.kind {
            ExprKind::Chain(stages) => stages.as_slice(),
            _ => std::slice::from_ref(value),
        };
        let column = width(&prefix);
        let mut cur = prefix;
        for (i, stage) in stages.iter().enumerate() {
            let text = self.inline(stage);
            if i == 0 {
                cur.push_str(&text);
                continue;
            }
            let prev_end = stages[i - 1].span.end;
            if self.newline_between(prev_end, stage.span.start) || width(&cur) + 4 + width(&text) > WIDTH {
                self.line(std::mem::take(&mut cur), prev_end);
                self.flush(stage.span.start, column, false);
                cur = format!("{}-> {text}", " ".repeat(column));
            } else {
                cur.push_str(&format!(" -> {text}"));
            }
        }
        cur.push_str(&after);
        self.line(cur, end);
    }

    fn has_breaks(&self, value: &Expr) -> bool {
        self.newline_between(value.span.start, end_of(value))
    }

    /// A value on one line, leaves as written.
    pub(super) fn inline(&self, e: &Expr) -> String {
        let join = |xs: &[Expr], sep: &str| xs.iter().map(|x| self.inline(x)).collect::<Vec<_>>().join(sep);
        match &e.kind {
            ExprKind::Call(call) => {
                let args: Vec<String> = call
                    .args
                    .iter()
                    .map(|a| match &a.name {
                        Some(n) => format!("{}: {}", n.node, self.inline(&a.value)),
                        None => self.inline(&a.value),
                    })
                    .collect();
                let label = call.label.as_ref().map(|l| format!("{}: ", l.node)).unwrap_or_default();
                format!("{label}{}({})", call.name.node, args.join(", "))
            }
            ExprKind::Chain(stages) => join(stages, " -> "),
            ExprKind::List(items) => format!("[{}]", join(items, ", ")),
            // `-inf  dB` is the only leaf with inner space; strings are kept verbatim.
            ExprKind::Quantity(_) => self.slice(e.span).split_whitespace().collect::<Vec<_>>().join(" "),
            _ => self.slice(e.span).to_string(),
        }
    }
}

/// Where a value's text ends. A chain's own span runs on over the spaces and
/// comment after it (the grammar skips them looking for another `->`).
pub(super) fn end_of(e: &Expr) -> usize {
    match &e.kind {
        ExprKind::Chain(stages) => stages.last().map_or(e.span.end, end_of),
        _ => e.span.end,
    }
}

fn starts_with_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Chain(stages) => stages.first().is_some_and(starts_with_call),
        ExprKind::Call(c) => c.label.is_none(),
        _ => false,
    }
}

//! Printing [`Diagnostic`]s through miette's graphical handler.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostic::{Diagnostic, Report};
use crate::source::{SourceMap, Span};

/// A diagnostic bound to the text of its file, in miette's terms.
struct Bound {
    message: String,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Bound>,
    /// A note attached to another diagnostic (printed as advice, not an error).
    note: bool,
}

impl fmt::Debug for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Bound {}

impl miette::Diagnostic for Bound {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.note.then_some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
        }
    }
}

fn source_span(span: Span) -> SourceSpan {
    SourceSpan::new(span.start.into(), span.len())
}

fn named_source(sources: &SourceMap, span: Span) -> NamedSource<String> {
    let file = sources.get(span.file);
    NamedSource::new(file.name.clone(), file.text.to_string()).with_language("mix")
}

fn bind(sources: &SourceMap, diag: &Diagnostic) -> Bound {
    let mut labels = vec![LabeledSpan::new_primary_with_span(Some(diag.kind.label()), source_span(diag.span))];
    let mut related = Vec::new();
    for (span, text) in &diag.notes {
        if span.file == diag.span.file {
            labels.push(LabeledSpan::new_with_span(Some(text.clone()), source_span(*span)));
        } else {
            related.push(Bound {
                message: text.clone(),
                help: None,
                source: named_source(sources, *span),
                labels: vec![LabeledSpan::new_primary_with_span(None, source_span(*span))],
                related: Vec::new(),
                note: true,
            });
        }
    }
    Bound {
        message: diag.kind.message(),
        help: diag.kind.help(),
        source: named_source(sources, diag.span),
        labels,
        related,
        note: false,
    }
}

/// Renders every diagnostic of `report`, one after another.
pub fn render(report: &Report, color: bool, width: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_context_lines(1);
    let mut out = String::new();
    for diag in &report.diagnostics {
        let bound = bind(&report.sources, diag);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &bound);
        out.push('\n');
    }
    let n = report.diagnostics.len();
    if n > 1 {
        out.push_str(&format!("error: {n} problems found\n"));
    }
    out
}

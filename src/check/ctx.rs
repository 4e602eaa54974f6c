//! The checker's shared state: the scope, the source text, collected errors.

use std::collections::HashMap;

use crate::diagnostic::Diagnostic;
use crate::processor::value::{Kind, Value};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{ChainDef, DeliveryDecl, Expr};

use super::eval::{eval, expect, Scope};

/// What every checking function needs: names in scope and a place for errors.
pub struct Ctx<'a> {
    pub sources: &'a SourceMap,
    pub lets: &'a HashMap<String, Expr>,
    pub chains: &'a HashMap<String, ChainDef>,
    pub deliveries: &'a HashMap<String, DeliveryDecl>,
    pub diags: Vec<Diagnostic>,
    /// The song's tempo, once known (for note-length parameters).
    pub tempo: Option<f64>,
}

impl<'a> Ctx<'a> {
    /// A fresh context over the files `sources` and what `loaded` collected from them.
    pub fn new(sources: &'a SourceMap, loaded: &'a super::imports::Loaded) -> Ctx<'a> {
        Ctx {
            sources,
            lets: &loaded.lets,
            chains: &loaded.chains,
            deliveries: &loaded.deliveries,
            diags: Vec::new(),
            tempo: None,
        }
    }

    /// The source text under `span`.
    pub fn text(&self, span: Span) -> &str {
        let text = &self.sources.get(span.file).text;
        text.get(span.start..span.end).unwrap_or("")
    }

    pub fn scope(&self) -> Scope<'a> {
        Scope { lets: Some(self.lets), params: None }
    }

    pub fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    /// Evaluates `expr` in the song scope and checks it is of `kind`.
    pub fn value(&mut self, expr: &Expr, kind: Kind) -> Option<Value> {
        let scope = self.scope();
        self.value_in(expr, kind, &scope)
    }

    /// Like [`Ctx::value`] in a given scope (a chain body's).
    pub fn value_in(&mut self, expr: &Expr, kind: Kind, scope: &Scope) -> Option<Value> {
        let result = eval(expr, scope).and_then(|v| expect(v, kind, expr.span, self.text(expr.span)));
        match result {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// A number of `kind` in canonical units.
    pub fn number(&mut self, expr: &Expr, kind: Kind) -> Option<f64> {
        self.value(expr, kind).and_then(|v| v.number())
    }
}

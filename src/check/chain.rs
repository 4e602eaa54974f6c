//! Chains: expanding `a -> b -> c`, calls to `chain` definitions, and checking
//! every processor call's arguments against the registry.

use std::collections::HashMap;

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::ir::ProcessorCall;
use crate::syntax::ast::{Arg, Call, ChainDef, Expr, ExprKind};

pub(super) mod bands;

use super::ctx::Ctx;
use super::eval::{eval, expect, Scope};
use crate::processor::registry::{self, Default, ParamValue, Params, ProcessorSpec, PLANNED};
use crate::processor::value::{fmt_in_unit, Kind, Value};
use crate::source::Span;

/// Expands a chain expression into processor calls, reporting every problem.
pub fn expand(ctx: &mut Ctx, expr: &Expr) -> Vec<ProcessorCall> {
    let scope = ctx.scope();
    let mut out = Vec::new();
    Expander { ctx, stack: Vec::new() }.expr(expr, &scope, &mut out);
    out
}

struct Expander<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    /// Chains being expanded, for recursion reports.
    stack: Vec<String>,
}

impl<'a> Expander<'_, 'a> {
    fn expr(&mut self, expr: &Expr, scope: &Scope, out: &mut Vec<ProcessorCall>) {
        match &expr.kind {
            ExprKind::Chain(stages) => stages.iter().for_each(|s| self.expr(s, scope, out)),
            ExprKind::Call(call) => self.call(call, scope, out),
            ExprKind::Name(name) => self.bare_name(name, expr, scope, out),
            _ => {
                let found = format!("`{}`", self.ctx.text(expr.span));
                let kind = ErrorKind::WrongKind {
                    expected: "a chain of processors".into(),
                    found,
                    example: "highpass(80Hz) -> peak(3kHz, +2dB)".into(),
                };
                self.ctx.error(Diagnostic::new(kind, expr.span));
            }
        }
    }

    /// `chain = vocal` — a chain (or `let`) used without parentheses.
    fn bare_name(&mut self, name: &str, expr: &Expr, scope: &Scope, out: &mut Vec<ProcessorCall>) {
        if let Some(value) = self.ctx.lets.get(name) {
            let value = value.clone();
            return self.expr(&value, scope, out);
        }
        let call = Call {
            label: None,
            name: crate::syntax::ast::Spanned::new(name.to_string(), expr.span),
            args: Vec::new(),
            args_span: expr.span,
        };
        self.call(&call, scope, out)
    }

    fn call(&mut self, call: &Call, scope: &Scope, out: &mut Vec<ProcessorCall>) {
        let name = call.name.node.as_str();
        if let Some(spec) = registry::lookup(name) {
            if let Some((params, param_spans)) = self.args(spec, call, scope) {
                let label = call.label.as_ref().map(|l| l.node.clone());
                let span = call.name.span.to(call.args_span);
                if let Some(l) = &call.label {
                    // Automation addresses a processor by its label: two would be ambiguous.
                    if let Some(first) = out.iter().find(|p| p.label.as_deref() == Some(l.node.as_str())) {
                        let kind = ErrorKind::DuplicateName { what: "label", name: l.node.clone() };
                        self.ctx.error(Diagnostic::new(kind, l.span).with_note(first.span, "first used here"));
                        return;
                    }
                }
                out.push(ProcessorCall { spec, params, param_spans, label, span });
            }
        } else if let Some(def) = self.ctx.chains.get(name) {
            let def = def.clone();
            self.chain_call(&def, call, scope, out);
        } else if PLANNED.contains(&name) {
            let kind = ErrorKind::NotYetSupported {
                what: format!("the `{name}` processor"),
                help: "it is planned; for now use the EQ family and `gain` (`mixc help` lists what works)".into(),
            };
            self.ctx.error(Diagnostic::new(kind, call.name.span));
        } else {
            let mut candidates: Vec<&str> = registry::names().collect();
            candidates.extend(self.ctx.chains.keys().map(String::as_str));
            let suggestion = suggest(name, candidates);
            let kind = ErrorKind::UnknownProcessor { name: name.to_string(), suggestion };
            self.ctx.error(Diagnostic::new(kind, call.name.span));
        }
    }

    /// Checks a processor call's arguments: position, names, kinds, ranges.
    fn args(
        &mut self,
        spec: &'static ProcessorSpec,
        call: &Call,
        scope: &Scope,
    ) -> Option<(Params, Vec<Option<Span>>)> {
        let mut values: Vec<Option<ParamValue>> = vec![None; spec.params.len()];
        let mut spans: Vec<Option<Span>> = vec![None; spec.params.len()];
        let mut given = vec![false; spec.params.len()];
        let mut ok = true;
        for (i, arg) in call.args.iter().enumerate() {
            let Some(index) = self.arg_index(spec, arg, i) else {
                ok = false;
                continue;
            };
            if std::mem::replace(&mut given[index], true) {
                let kind =
                    ErrorKind::DuplicateArgument { processor: spec.name.into(), name: spec.params[index].name.into() };
                self.ctx.error(Diagnostic::new(kind, arg.span));
                ok = false;
                continue;
            }
            match self.arg_value(spec, index, arg, scope) {
                Some(v) => {
                    values[index] = Some(v);
                    spans[index] = Some(arg.value.span);
                }
                None => ok = false,
            }
        }
        for (i, p) in spec.params.iter().enumerate() {
            match (given[i], p.default) {
                (false, Default::Required) => {
                    let kind = ErrorKind::MissingArgument {
                        processor: spec.name.into(),
                        name: p.name.into(),
                        kind: p.kind.describe().trim_start_matches("a ").into(),
                    };
                    self.ctx.error(Diagnostic::new(kind, call.name.span.to(call.args_span)));
                    ok = false;
                }
                (false, Default::Value(v)) => values[i] = Some(ParamValue::Number(v)),
                _ => {}
            }
        }
        let params = Params { values };
        ok &= bands::check_counts(self.ctx, spec, &params, &spans);
        ok.then_some((params, spans))
    }

    fn arg_index(&mut self, spec: &ProcessorSpec, arg: &Arg, position: usize) -> Option<usize> {
        match &arg.name {
            Some(name) => spec.param_index(&name.node).or_else(|| {
                let valid: Vec<String> = spec.params.iter().map(|p| p.name.to_string()).collect();
                let suggestion = suggest(&name.node, spec.params.iter().map(|p| p.name));
                let kind = ErrorKind::UnknownParameter {
                    processor: spec.name.into(),
                    name: name.node.clone(),
                    suggestion,
                    valid,
                };
                self.ctx.error(Diagnostic::new(kind, name.span));
                None
            }),
            None if position < spec.positional => Some(position),
            None => {
                let given = position + 1;
                let kind = ErrorKind::TooManyArguments { processor: spec.name.into(), takes: spec.positional, given };
                self.ctx.error(Diagnostic::new(kind, arg.span));
                None
            }
        }
    }

    fn arg_value(&mut self, spec: &ProcessorSpec, index: usize, arg: &Arg, scope: &Scope) -> Option<ParamValue> {
        if let Some(banded) = bands::banded(spec).filter(|b| b.takes_list(index)) {
            return self.list_arg(spec, index, arg, scope, banded);
        }
        let p = &spec.params[index];
        match p.kind {
            Kind::Name => return self.word_arg(spec, index, arg, scope),
            Kind::Text => match self.ctx.value_in(&arg.value, Kind::Text, scope)? {
                Value::Text(t) => return Some(ParamValue::Text(t)),
                _ => return None,
            },
            _ => {}
        }
        if p.kind == Kind::TruePeak {
            if let Ok(Value::Level(x)) = eval(&arg.value, scope) {
                return self.in_range(spec, index, arg.value.span, x).map(ParamValue::SamplePeak);
            }
        }
        let v = self.number_arg(p.kind, arg, scope)?;
        self.in_range(spec, index, arg.value.span, v).map(ParamValue::Number)
    }

    /// A per-band parameter: one value for every band, or a list of one a
    /// band, each item checked like a single value (see `bands`).
    fn list_arg(
        &mut self,
        spec: &ProcessorSpec,
        index: usize,
        arg: &Arg,
        scope: &Scope,
        banded: &bands::Banded,
    ) -> Option<ParamValue> {
        let kind = spec.params[index].kind;
        let items = match eval(&arg.value, scope) {
            Ok(Value::List(items)) => items,
            Ok(single) => {
                let x = self.number_of(kind, single, arg.value.span)?;
                let x = self.in_range(spec, index, arg.value.span, x)?;
                return Some(if index == banded.split { ParamValue::List(vec![x]) } else { ParamValue::Number(x) });
            }
            Err(d) => {
                self.ctx.error(d);
                return None;
            }
        };
        let mut values = Vec::new();
        let mut ok = true;
        for (item, span) in items {
            match self.number_of(kind, item, span).and_then(|x| self.in_range(spec, index, span, x)) {
                Some(x) => values.push((x, span)),
                None => ok = false,
            }
        }
        ok &= bands::check_list(self.ctx, spec, index, &values, arg.value.span);
        ok.then(|| ParamValue::List(values.into_iter().map(|(x, _)| x).collect()))
    }

    /// `v` when it lies in the parameter's range; a diagnostic at `span` otherwise.
    fn in_range(&mut self, spec: &ProcessorSpec, index: usize, span: Span, v: f64) -> Option<f64> {
        let p = &spec.params[index];
        if v.is_nan() || v < p.min || v > p.max {
            let kind = ErrorKind::OutOfRange {
                what: format!("`{}` of `{}`", p.name, spec.name),
                value: self.ctx.text(span).to_string(),
                range: range_text(p.min, p.max, p.kind),
            };
            self.ctx.error(Diagnostic::new(kind, span));
            return None;
        }
        Some(v)
    }

    /// A number of `kind`; times also accept note lengths at the song's tempo.
    fn number_arg(&mut self, kind: Kind, arg: &Arg, scope: &Scope) -> Option<f64> {
        match eval(&arg.value, scope) {
            Ok(value) => self.number_of(kind, value, arg.value.span),
            Err(d) => {
                self.ctx.error(d);
                None
            }
        }
    }

    /// `value` (written at `span`) as a number of `kind`.
    fn number_of(&mut self, kind: Kind, value: Value, span: Span) -> Option<f64> {
        if let (Kind::Time, Value::NoteLength(quarters)) = (kind, &value) {
            let timing = super::timing::Timing { tempo: self.ctx.tempo, meter: (4, 4) };
            return match timing.note_seconds(*quarters, span) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.ctx.error(e);
                    None
                }
            };
        }
        match expect(value, kind, span, self.ctx.text(span)) {
            Ok(v) => v.number(),
            Err(d) => {
                self.ctx.error(d);
                None
            }
        }
    }

    /// A word from the parameter's choices, or a node name for a sidechain key.
    fn word_arg(&mut self, spec: &ProcessorSpec, index: usize, arg: &Arg, scope: &Scope) -> Option<ParamValue> {
        let p = &spec.params[index];
        let Value::Name(word) = self.ctx.value_in(&arg.value, Kind::Name, scope)? else { return None };
        if p.choices.is_empty() {
            return Some(ParamValue::Node(word));
        }
        if p.choices.contains(&word.as_str()) {
            return Some(ParamValue::Text(word));
        }
        let kind =
            ErrorKind::UnknownWord { what: "choice", word, valid: p.choices.iter().map(|c| c.to_string()).collect() };
        self.ctx.error(Diagnostic::new(kind, arg.value.span));
        None
    }

    /// Expands a call to a `chain` definition with its arguments bound.
    fn chain_call(&mut self, def: &ChainDef, call: &Call, scope: &Scope, out: &mut Vec<ProcessorCall>) {
        let name = def.name.node.clone();
        if self.stack.contains(&name) {
            let mut path = self.stack.clone();
            path.push(name.clone());
            let kind = ErrorKind::Other {
                message: format!("chain `{name}` calls itself: {}", path.join(" -> ")),
                help: Some("a chain cannot contain itself; remove the recursive call".into()),
            };
            self.ctx.error(Diagnostic::new(kind, call.name.span).with_note(def.name.span, "defined here"));
            return;
        }
        let Some(bound) = self.bind(def, call, scope) else { return };
        let lets = self.ctx.lets;
        let inner = Scope { lets: Some(lets), params: Some(&bound) };
        self.stack.push(name);
        self.expr(&def.body, &inner, out);
        self.stack.pop();
    }

    /// Binds a chain call's arguments to the definition's parameters.
    fn bind(&mut self, def: &ChainDef, call: &Call, scope: &Scope) -> Option<HashMap<String, Value>> {
        let mut bound = HashMap::new();
        let mut ok = true;
        for (i, arg) in call.args.iter().enumerate() {
            let param = match &arg.name {
                Some(n) => def.params.iter().find(|p| p.name.node == n.node),
                None => def.params.get(i),
            };
            let Some(param) = param else {
                self.unknown_chain_arg(def, arg, i);
                ok = false;
                continue;
            };
            let value = eval(&arg.value, scope);
            let expected = param.default.as_ref().and_then(|d| eval(d, &self.ctx.scope()).ok());
            let checked = match (value, expected) {
                (Ok(v), Some(d)) => expect(v, d.kind(), arg.value.span, self.ctx.text(arg.value.span)),
                (v, _) => v,
            };
            match checked {
                Ok(v) => {
                    bound.insert(param.name.node.clone(), v);
                }
                Err(d) => {
                    let note = format!("`{}` of chain `{}` is defined here", param.name.node, def.name.node);
                    self.ctx.error(d.with_note(param.span, note));
                    ok = false;
                }
            }
        }
        for param in &def.params {
            if bound.contains_key(&param.name.node) {
                continue;
            }
            match &param.default {
                Some(d) => match eval(d, &self.ctx.scope()) {
                    Ok(v) => {
                        bound.insert(param.name.node.clone(), v);
                    }
                    Err(e) => self.ctx.error(e),
                },
                None if ok => {
                    let kind = ErrorKind::MissingArgument {
                        processor: def.name.node.clone(),
                        name: param.name.node.clone(),
                        kind: "value".into(),
                    };
                    self.ctx.error(
                        Diagnostic::new(kind, call.name.span.to(call.args_span))
                            .with_note(param.span, "parameter defined here"),
                    );
                    ok = false;
                }
                None => {}
            }
        }
        ok.then_some(bound)
    }

    fn unknown_chain_arg(&mut self, def: &ChainDef, arg: &Arg, position: usize) {
        let diag = match &arg.name {
            Some(n) => {
                let valid: Vec<String> = def.params.iter().map(|p| p.name.node.clone()).collect();
                let suggestion = suggest(&n.node, valid.iter().map(|s| s.as_str()));
                let kind = ErrorKind::UnknownParameter {
                    processor: def.name.node.clone(),
                    name: n.node.clone(),
                    suggestion,
                    valid,
                };
                Diagnostic::new(kind, n.span)
            }
            None => {
                let kind = ErrorKind::TooManyArguments {
                    processor: def.name.node.clone(),
                    takes: def.params.len(),
                    given: position + 1,
                };
                Diagnostic::new(kind, arg.span)
            }
        };
        self.ctx.error(diag.with_note(def.name.span, "chain defined here"));
    }
}

/// "from 20Hz to 20kHz" in the parameter's own unit.
pub(super) fn range_text(min: f64, max: f64, kind: Kind) -> String {
    format!("from {} to {}", fmt_in_unit(min, kind), fmt_in_unit(max, kind))
}

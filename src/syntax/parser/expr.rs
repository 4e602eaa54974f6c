//! Values: chains, calls, lists, quantities with units, positions, note lengths, strings.

use pest::iterators::Pair;

use super::{children, Builder, Built, Rule};
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::source::Span;
use crate::syntax::ast::{Arg, Call, Expr, ExprKind, NoteModifier, Quantity, Spanned, Unit};

impl Builder {
    /// `a -> b -> c`, or a single stage standing alone.
    pub(super) fn expr(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let mut stages = children(pair).map(|p| self.stage(p)).collect::<Built<Vec<_>>>()?;
        if stages.len() == 1 {
            if let Some(only) = stages.pop() {
                return Ok(only);
            }
        }
        Ok(Expr { kind: ExprKind::Chain(stages), span })
    }

    /// A `stage` or `next_stage`: a (labelled) call or a plain value.
    fn stage(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let inner = children(pair).next().ok_or_else(|| self.internal(span, "empty stage"))?;
        match inner.as_rule() {
            Rule::labelled_call => self.labelled_call(inner),
            Rule::call => self.call(inner, None),
            _ => self.atom(inner),
        }
    }

    fn labelled_call(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let label = self.ident(&self.take(&mut it, Rule::label, span)?);
        let call = self.take(&mut it, Rule::call, span)?;
        let mut expr = self.call(call, Some(label))?;
        // The label is part of what the user wrote for this stage.
        expr.span = span;
        Ok(expr)
    }

    fn call(&self, pair: Pair<'_, Rule>, label: Option<Spanned<String>>) -> Built<Expr> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let name = self.ident(&self.take(&mut it, Rule::callee, span)?);
        let args_pair = self.take(&mut it, Rule::args, span)?;
        let args_span = self.span(&args_pair);
        let args = children(args_pair).map(|p| self.arg(p)).collect::<Built<_>>()?;
        let call = Call { label, name, args, args_span };
        Ok(Expr { kind: ExprKind::Call(call), span })
    }

    fn arg(&self, pair: Pair<'_, Rule>) -> Built<Arg> {
        let span = self.span(&pair);
        let mut it = children(pair).peekable();
        let name = self.take_if(&mut it, Rule::arg_name).map(|p| self.ident(&p));
        let value = self.expr(self.take(&mut it, Rule::expr, span)?)?;
        Ok(Arg { name, value, span })
    }

    /// A value that is not a chain or call: the grammar's `atom`.
    pub(super) fn atom(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::list => ExprKind::List(children(pair).map(|p| self.expr(p)).collect::<Built<_>>()?),
            Rule::string => ExprKind::Str(self.string_lit(pair)?.node),
            Rule::bar_beat => self.bar_beat(pair)?,
            Rule::fraction => self.fraction(pair)?,
            Rule::quantity => ExprKind::Quantity(self.quantity(pair)?),
            Rule::name => ExprKind::Name(pair.as_str().to_string()),
            other => return Err(self.internal(span, &format!("unexpected value {other:?}"))),
        };
        Ok(Expr { kind, span })
    }

    /// `± 0.5LU`
    pub(super) fn tolerance(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let inner = children(pair).next().ok_or_else(|| self.internal(span, "empty tolerance"))?;
        self.atom(inner)
    }

    /// `17:3.5`
    fn bar_beat(&self, pair: Pair<'_, Rule>) -> Built<ExprKind> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let bar = self.number(&self.take(&mut it, Rule::uint, span)?)?;
        let beat = self.number(&self.take(&mut it, Rule::number, span)?)?;
        Ok(ExprKind::BarBeat { bar, beat })
    }

    /// `1/8`, `1/4.`, `1/8t`, `4/4`
    fn fraction(&self, pair: Pair<'_, Rule>) -> Built<ExprKind> {
        let span = self.span(&pair);
        let mut it = children(pair);
        let num = self.uint(&self.take(&mut it, Rule::uint, span)?)?;
        let den_pair = self.take(&mut it, Rule::uint, span)?;
        let den = self.uint(&den_pair)?;
        if den == 0 {
            return Err(self.syntax("a note length such as `1/8`", "a zero denominator", self.span(&den_pair)));
        }
        let modifier = match it.next().map(|m| m.as_str().to_string()) {
            Some(m) if m == "." => NoteModifier::Dotted,
            Some(_) => NoteModifier::Triplet,
            None => NoteModifier::Plain,
        };
        Ok(ExprKind::Fraction { num, den, modifier })
    }

    /// `-3dB`, `-inf dB`, `1m30s`, `4`
    fn quantity(&self, pair: Pair<'_, Rule>) -> Built<Quantity> {
        let span = self.span(&pair);
        let written = pair.as_str();
        let mut it = children(pair).peekable();
        let sign = self.take_if(&mut it, Rule::sign).map(|s| s.as_str() == "-");
        let rest: Vec<_> = it.collect();
        let (magnitude, unit) = match rest.first().map(|p| p.as_rule()) {
            Some(Rule::inf) => (f64::INFINITY, rest.get(1).map_or(Unit::None, |u| unit_of(u.as_str()))),
            _ => self.magnitude(&rest, written, span)?,
        };
        let value = if sign == Some(true) { -magnitude } else { magnitude };
        Ok(Quantity { value, unit, signed: sign.is_some() })
    }

    /// The number and unit of a quantity; several parts (`1m30s`) fold into seconds.
    fn magnitude(&self, parts: &[Pair<'_, Rule>], written: &str, span: Span) -> Built<(f64, Unit)> {
        let mut pairs: Vec<(f64, Option<&str>)> = Vec::new();
        for p in parts {
            match (p.as_rule(), pairs.last_mut()) {
                (Rule::unit, Some((_, unit @ None))) => *unit = Some(p.as_str()),
                _ => pairs.push((self.number(p)?, None)),
            }
        }
        match pairs.as_slice() {
            [(n, unit)] => Ok((*n, unit.map_or(Unit::None, unit_of))),
            _ => self.compound_time(&pairs, written, span),
        }
    }

    fn compound_time(&self, parts: &[(f64, Option<&str>)], written: &str, span: Span) -> Built<(f64, Unit)> {
        let mut seconds = 0.0;
        for (n, unit) in parts {
            let scale = match unit {
                Some("h") => 3600.0,
                Some("m") => 60.0,
                Some("s") => 1.0,
                Some("ms") => 0.001,
                _ if parts.len() > 1 && parts[..parts.len() - 1].iter().any(|(_, u)| matches!(u, Some("e" | "E"))) => {
                    // `1e9dB` reads as 1, `e`, 9, `dB`: an exponent, not a time.
                    let found = format!("`{written}`");
                    return Err(self.syntax(
                        "a number written out in full (mixc reads no exponents such as `1e9`)",
                        &found,
                        span,
                    ));
                }
                _ => {
                    let found = format!("`{written}`");
                    return Err(self.syntax("a compound time such as `1h20m` or `1m30s`", &found, span));
                }
            };
            seconds += n * scale;
        }
        Ok((seconds, Unit::S))
    }

    /// A written decimal number; too large to represent is an error, not `inf`.
    fn number(&self, pair: &Pair<'_, Rule>) -> Built<f64> {
        let text = pair.as_str();
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.syntax("a number no larger than about 1e308", &format!("`{text}`"), self.span(pair))),
        }
    }

    fn uint(&self, pair: &Pair<'_, Rule>) -> Built<u32> {
        let text = pair.as_str();
        text.parse::<u32>()
            .map_err(|_| self.syntax("a whole number below 4294967296", &format!("`{text}`"), self.span(pair)))
    }

    /// A string literal with its escapes resolved; the span covers the quotes.
    pub(super) fn string_lit(&self, pair: Pair<'_, Rule>) -> Built<Spanned<String>> {
        let span = self.span(&pair);
        let body = self.take(&mut children(pair), Rule::str_body, span)?;
        let start = body.as_span().start();
        let mut out = String::with_capacity(body.as_str().len());
        let mut chars = body.as_str().char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escaped = chars.next().map(|(_, e)| e);
            match escaped {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                _ => return Err(self.bad_escape(start + i, escaped)),
            }
        }
        Ok(Spanned::new(out, span))
    }

    fn bad_escape(&self, at: usize, escaped: Option<char>) -> Box<Diagnostic> {
        let len = 1 + escaped.map_or(0, char::len_utf8);
        let found = format!("`\\{}`", escaped.map(String::from).unwrap_or_default());
        let expected = "an escape such as `\\\"`, `\\\\`, `\\n` or `\\t`";
        self.syntax(expected, &found, Span::new(self.file, at, at + len))
    }

    fn syntax(&self, expected: &str, found: &str, span: Span) -> Box<Diagnostic> {
        let kind = ErrorKind::Syntax { expected: expected.to_string(), found: found.to_string() };
        Box::new(Diagnostic::new(kind, span))
    }
}

/// Units as written, case-sensitive; anything else is kept for the checker to name.
fn unit_of(text: &str) -> Unit {
    match text {
        "dB" => Unit::Db,
        "LUFS" => Unit::Lufs,
        "LU" => Unit::Lu,
        "dBTP" => Unit::Dbtp,
        "Hz" => Unit::Hz,
        "kHz" => Unit::KHz,
        "ms" => Unit::Ms,
        "s" => Unit::S,
        "m" => Unit::Min,
        "h" => Unit::Hour,
        "bpm" => Unit::Bpm,
        "kbps" => Unit::Kbps,
        "%" => Unit::Percent,
        "f" => Unit::Float,
        other => Unit::Unknown(other.to_string()),
    }
}

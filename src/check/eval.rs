//! Evaluating expressions to [`Value`]s: units, `let` names and chain parameters.

use std::collections::HashMap;

use crate::diagnostic::{suggest, Diagnostic, ErrorKind};
use crate::processor::value::{Bits, Kind, Value};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, NoteModifier, Quantity, Unit};

/// Names visible to an expression: `let` constants and, inside a chain body,
/// the chain's parameters (already evaluated at the call site).
#[derive(Default, Clone)]
pub struct Scope<'a> {
    pub lets: Option<&'a HashMap<String, Expr>>,
    pub params: Option<&'a HashMap<String, Value>>,
}

const MAX_LET_DEPTH: usize = 32;

/// Evaluates `expr` to a value. Bare names that are not `let`s or parameters
/// stay names (a bus, a choice like `tpdf`) for the caller to interpret.
pub fn eval(expr: &Expr, scope: &Scope) -> Result<Value, Diagnostic> {
    eval_depth(expr, scope, 0)
}

fn eval_depth(expr: &Expr, scope: &Scope, depth: usize) -> Result<Value, Diagnostic> {
    match &expr.kind {
        ExprKind::Quantity(q) => quantity(q, expr.span),
        ExprKind::Str(s) => Ok(Value::Text(s.clone())),
        ExprKind::Name(name) => {
            if let Some(v) = scope.params.and_then(|p| p.get(name)) {
                return Ok(v.clone());
            }
            match scope.lets.and_then(|l| l.get(name)) {
                Some(_) if depth >= MAX_LET_DEPTH => Err(Diagnostic::new(
                    ErrorKind::Other {
                        message: format!("`let {name}` refers to itself"),
                        help: Some("give the constant a value that does not use its own name".into()),
                    },
                    expr.span,
                )),
                Some(e) => eval_depth(e, scope, depth + 1),
                None => Ok(Value::Name(name.clone())),
            }
        }
        ExprKind::BarBeat { bar, beat } => Ok(Value::BarBeat { bar: *bar, beat: *beat }),
        ExprKind::Fraction { num, den, modifier } => Ok(fraction(*num, *den, *modifier)),
        ExprKind::Call(_) | ExprKind::Chain(_) => Err(wrong_kind_found("a value", "a processor chain", expr.span)),
        ExprKind::List(items) => {
            items.iter().map(|e| Ok((eval_depth(e, scope, depth)?, e.span))).collect::<Result<_, _>>().map(Value::List)
        }
    }
}

/// A bare `n/d` is a meter when it reads like one and a note length otherwise;
/// both are kept and [`expect`] converts between them.
fn fraction(num: u32, den: u32, modifier: NoteModifier) -> Value {
    let beats = 4.0 * num as f64 / den.max(1) as f64;
    match modifier {
        NoteModifier::Plain => Value::NoteLength(beats),
        NoteModifier::Dotted => Value::NoteLength(beats * 1.5),
        NoteModifier::Triplet => Value::NoteLength(beats * 2.0 / 3.0),
    }
}

fn quantity(q: &Quantity, span: Span) -> Result<Value, Diagnostic> {
    let x = q.value;
    Ok(match &q.unit {
        Unit::None => Value::Number(x),
        Unit::Db => Value::Level(x),
        Unit::Lufs => Value::Loudness(x),
        Unit::Lu => Value::LoudnessUnits(x),
        Unit::Dbtp => Value::TruePeak(x),
        Unit::Hz => Value::Frequency(x),
        Unit::KHz => Value::Frequency(x * 1000.0),
        Unit::Ms => Value::Time(x / 1000.0),
        Unit::S => Value::Time(x),
        Unit::Min => Value::Time(x * 60.0),
        Unit::Hour => Value::Time(x * 3600.0),
        Unit::Bpm => Value::Tempo(x),
        Unit::Kbps => Value::Bitrate(x),
        Unit::Percent => Value::Percent(x / 100.0),
        Unit::Float if x == 32.0 => Value::Bits(Bits::Float32),
        Unit::Float => {
            return Err(Diagnostic::new(
                ErrorKind::Other {
                    message: format!("`{}f` is not a sample format", crate::processor::value::fmt_number(x)),
                    help: Some("the float format is `32f`; integer depths are `16` and `24`".into()),
                },
                span,
            ))
        }
        Unit::Unknown(u) => {
            let known = ["dB", "LUFS", "LU", "dBTP", "Hz", "kHz", "ms", "s", "m", "h", "bpm", "kbps", "%"];
            let suggestion = suggest(u, known).or_else(|| unit_alias(u).map(String::from));
            return Err(Diagnostic::new(ErrorKind::UnknownUnit { unit: u.clone(), suggestion }, span));
        }
    })
}

/// Spellings people bring from other tools.
fn unit_alias(u: &str) -> Option<&'static str> {
    match u.to_ascii_lowercase().as_str() {
        "dbfs" | "db" => Some("dB"),
        "lkfs" | "lufs" => Some("LUFS"),
        "khz" => Some("kHz"),
        "hz" => Some("Hz"),
        "sec" | "secs" | "seconds" => Some("s"),
        "msec" | "msecs" => Some("ms"),
        "min" | "mins" => Some("m"),
        "dbtp" => Some("dBTP"),
        _ => None,
    }
}

fn wrong_kind_found(expected: &str, found: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        ErrorKind::WrongKind { expected: expected.into(), found: found.into(), example: "-3dB".into() },
        span,
    )
}

/// How a value reads when it is the wrong kind: "`30Hz` (a frequency)".
pub fn describe_found(value: &Value, text: &str) -> String {
    format!("`{}` ({})", text.trim(), value.kind().describe())
}

/// Checks that `value` is of `kind`, converting where the language allows
/// (a plain number where bits are expected, a meter-shaped fraction).
pub fn expect(value: Value, kind: Kind, span: Span, text: &str) -> Result<Value, Diagnostic> {
    let converted = match (&value, kind) {
        (v, k) if v.kind() == k => Some(value.clone()),
        (Value::Number(x), Kind::Bits) if *x == 16.0 || *x == 24.0 => Some(Value::Bits(Bits::Int(*x as u32))),
        (Value::NoteLength(_), Kind::Meter) => meter_from_text(text),
        (Value::Level(x), Kind::Loudness) if x.is_finite() => None,
        _ => None,
    };
    if let (Value::Number(_), Kind::Bits) = (&value, kind) {
        if converted.is_none() {
            let kind = ErrorKind::UnknownWord {
                what: "bit depth",
                word: text.trim().to_string(),
                valid: vec!["16".into(), "24".into(), "32f".into()],
            };
            return Err(Diagnostic::new(kind, span));
        }
    }
    converted.ok_or_else(|| {
        Diagnostic::new(
            ErrorKind::WrongKind {
                expected: kind.describe().into(),
                found: describe_found(&value, text),
                example: kind.example().into(),
            },
            span,
        )
    })
}

fn meter_from_text(text: &str) -> Option<Value> {
    let (n, d) = text.trim().split_once('/')?;
    Some(Value::Meter { num: n.trim().parse().ok()?, den: d.trim().parse().ok()? })
}

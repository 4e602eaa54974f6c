//! Song-level time: tempo and meter, and turning positions into seconds.

use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::processor::value::{fmt_number, Value};
use crate::source::Span;

/// Tempo and meter of a song.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    /// Quarter notes per minute.
    pub tempo: Option<f64>,
    /// Beats per bar and the note value of a beat (4/4, 6/8).
    pub meter: (u32, u32),
}

impl Default for Timing {
    fn default() -> Self {
        Timing { tempo: None, meter: (4, 4) }
    }
}

impl Timing {
    /// Seconds for a time or a `bar:beat` position. `bar:beat` is 1-based;
    /// a beat is one note of the meter's denominator, and the tempo counts
    /// quarter notes, as DAWs do.
    pub fn position(&self, value: &Value, span: Span) -> Result<f64, Diagnostic> {
        match *value {
            Value::Time(s) => Ok(s),
            Value::BarBeat { bar, beat } => {
                let tempo = self
                    .tempo
                    .ok_or_else(|| Diagnostic::new(ErrorKind::NeedsTempo { what: "a `bar:beat` position" }, span))?;
                if bar < 1.0 || beat < 1.0 {
                    let kind = ErrorKind::Other {
                        message: "bars and beats count from 1".into(),
                        help: Some("the first beat of the song is `1:1`".into()),
                    };
                    return Err(Diagnostic::new(kind, span));
                }
                let (num, den) = self.meter;
                if beat >= num as f64 + 1.0 {
                    let (carry, rest) = (((beat - 1.0) / num as f64).floor(), (beat - 1.0) % num as f64 + 1.0);
                    let kind = ErrorKind::Other {
                        message: format!("beat {} is past the end of a {num}/{den} bar", fmt_number(beat)),
                        help: Some(format!(
                            "a {num}/{den} bar has beats 1 to {num}: that position is `{}:{}`",
                            fmt_number(bar + carry),
                            fmt_number(rest)
                        )),
                    };
                    return Err(Diagnostic::new(kind, span));
                }
                let beats = (bar - 1.0) * num as f64 + (beat - 1.0);
                Ok(beats * (4.0 / den as f64) * 60.0 / tempo)
            }
            Value::NoteLength(quarters) => self.note_seconds(quarters, span),
            _ => Err(Diagnostic::new(
                ErrorKind::WrongKind {
                    expected: "a time or a bar:beat position".into(),
                    found: value.kind().describe().into(),
                    example: "2s".into(),
                },
                span,
            )),
        }
    }

    /// Seconds of a note length given in quarter notes.
    pub fn note_seconds(&self, quarters: f64, span: Span) -> Result<f64, Diagnostic> {
        let tempo = self.tempo.ok_or_else(|| Diagnostic::new(ErrorKind::NeedsTempo { what: "a note length" }, span))?;
        Ok(quarters * 60.0 / tempo)
    }
}

/// Seconds to whole frames at `rate`, rounded to the nearest frame.
pub fn frames(seconds: f64, rate: u32) -> u64 {
    (seconds * rate as f64).round().max(0.0) as u64
}

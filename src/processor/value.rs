//! Checked values: what an expression means once its unit is known.

use std::fmt;

/// The kind of a value, as the checker and error messages talk about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `-3dB`, `-inf dB`
    Level,
    /// `-14LUFS`
    Loudness,
    /// `1LU`
    LoudnessUnits,
    /// `-1dBTP`
    TruePeak,
    /// `30Hz`, `2.5kHz`
    Frequency,
    /// `5ms`, `2.4s`, `1m30s`
    Time,
    /// `17:3` (bar:beat)
    BarBeat,
    /// `1/8`, `1/4.`, `1/8t`
    NoteLength,
    /// `4`, `0.707`
    Number,
    /// `35%`
    Percent,
    /// `16`, `24`, `32f`
    Bits,
    /// `96bpm`
    Tempo,
    /// `320kbps`
    Bitrate,
    /// `4/4`
    Meter,
    /// `"text"`
    Text,
    /// a bare word: a name or a choice such as `tpdf`
    Name,
    /// `highpass(30Hz) -> peak(...)`
    Chain,
    /// `[a, b]`
    List,
}

impl Kind {
    /// How the kind reads in a sentence ("expected a frequency").
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Level => "a level",
            Kind::Loudness => "a loudness",
            Kind::LoudnessUnits => "a loudness difference",
            Kind::TruePeak => "a true-peak level",
            Kind::Frequency => "a frequency",
            Kind::Time => "a time",
            Kind::BarBeat => "a bar:beat position",
            Kind::NoteLength => "a note length",
            Kind::Number => "a plain number",
            Kind::Percent => "a percentage",
            Kind::Bits => "a bit depth",
            Kind::Tempo => "a tempo",
            Kind::Bitrate => "a bitrate",
            Kind::Meter => "a meter",
            Kind::Text => "a string",
            Kind::Name => "a name",
            Kind::Chain => "a chain of processors",
            Kind::List => "a list",
        }
    }

    /// A literal of this kind, for "write it like ..." help.
    pub fn example(self) -> &'static str {
        match self {
            Kind::Level => "-3dB",
            Kind::Loudness => "-14LUFS",
            Kind::LoudnessUnits => "0.5LU",
            Kind::TruePeak => "-1dBTP",
            Kind::Frequency => "100Hz",
            Kind::Time => "250ms",
            Kind::BarBeat => "17:1",
            Kind::NoteLength => "1/8",
            Kind::Number => "0.7",
            Kind::Percent => "-30%",
            Kind::Bits => "24",
            Kind::Tempo => "120bpm",
            Kind::Bitrate => "320kbps",
            Kind::Meter => "4/4",
            Kind::Text => "\"file.wav\"",
            Kind::Name => "drums",
            Kind::Chain => "highpass(80Hz) -> peak(3kHz, +2dB)",
            Kind::List => "[100Hz, 1kHz]",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Bit depth of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bits {
    Int(u32),
    Float32,
}

/// A value in canonical units: dB, LUFS, LU, dBTP, Hz, seconds, beats, bpm.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Level(f64),
    Loudness(f64),
    LoudnessUnits(f64),
    TruePeak(f64),
    Frequency(f64),
    Time(f64),
    /// 1-based bar and beat as written.
    BarBeat {
        bar: f64,
        beat: f64,
    },
    /// In quarter-note beats (`1/8` = 0.5).
    NoteLength(f64),
    Number(f64),
    /// As a fraction (`35%` = 0.35).
    Percent(f64),
    Bits(Bits),
    Tempo(f64),
    /// kbit/s.
    Bitrate(f64),
    Meter {
        num: u32,
        den: u32,
    },
    Text(String),
    Name(String),
    /// `[a, b]`: each item with where it was written, for errors about one item.
    List(Vec<(Value, crate::source::Span)>),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Level(_) => Kind::Level,
            Value::Loudness(_) => Kind::Loudness,
            Value::LoudnessUnits(_) => Kind::LoudnessUnits,
            Value::TruePeak(_) => Kind::TruePeak,
            Value::Frequency(_) => Kind::Frequency,
            Value::Time(_) => Kind::Time,
            Value::BarBeat { .. } => Kind::BarBeat,
            Value::NoteLength(_) => Kind::NoteLength,
            Value::Number(_) => Kind::Number,
            Value::Percent(_) => Kind::Percent,
            Value::Bits(_) => Kind::Bits,
            Value::Tempo(_) => Kind::Tempo,
            Value::Bitrate(_) => Kind::Bitrate,
            Value::Meter { .. } => Kind::Meter,
            Value::Text(_) => Kind::Text,
            Value::Name(_) => Kind::Name,
            Value::List(_) => Kind::List,
        }
    }

    /// The number in canonical units, for numeric kinds.
    pub fn number(&self) -> Option<f64> {
        match *self {
            Value::Level(x)
            | Value::Loudness(x)
            | Value::LoudnessUnits(x)
            | Value::TruePeak(x)
            | Value::Frequency(x)
            | Value::Time(x)
            | Value::NoteLength(x)
            | Value::Number(x)
            | Value::Percent(x)
            | Value::Tempo(x)
            | Value::Bitrate(x) => Some(x),
            _ => None,
        }
    }
}

/// Formats a number the way users write it: no trailing zeros.
/// `x` (canonical units) written in `kind`'s unit as users write it:
/// `-3dB`, `120Hz`, `5ms`, `50%`; plain for other kinds.
pub fn fmt_in_unit(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Level => format!("{}dB", fmt_number(x)),
        Kind::TruePeak => format!("{}dBTP", fmt_number(x)),
        Kind::Loudness => format!("{}LUFS", fmt_number(x)),
        Kind::LoudnessUnits => format!("{}LU", fmt_number(x)),
        Kind::Frequency if x >= 1000.0 => format!("{}kHz", fmt_number(x / 1000.0)),
        Kind::Frequency => format!("{}Hz", fmt_number(x)),
        Kind::Time if x >= 1.0 => format!("{}s", fmt_number(x)),
        Kind::Time => format!("{}ms", fmt_number(x * 1000.0)),
        Kind::Percent => format!("{}%", fmt_number(x * 100.0)),
        _ => fmt_number(x),
    }
}

pub fn fmt_number(x: f64) -> String {
    if x == f64::NEG_INFINITY {
        return "-inf".into();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

//! The processor registry: every processor's parameters (kind, range,
//! default) and how to build it. The grammar knows no processor names; the
//! checker looks calls up here. Each family's table is its own file
//! (`eq.rs`, `dynamics.rs`, `multiband.rs`, `space.rs`), listed in `TABLES`.

use crate::dsp::Processor;

use super::value::Kind;

/// Where a parameter's value comes from when the call does not give one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// The call must give it.
    Required,
    /// This value, in canonical units.
    Value(f64),
    /// Left unset; the processor decides (e.g. a shelf's `q` when `slope` is used).
    Unset,
}

/// One parameter of a processor.
///
/// Kinds with a special meaning here: [`Kind::Name`] takes a word from
/// `choices` (or, when `choices` is empty, a track or bus — a sidechain key,
/// which becomes a graph edge); [`Kind::Text`] takes a path to an audio file,
/// decoded at check time; [`Kind::Time`] also accepts note lengths (`1/8`)
/// when the song has a tempo; [`Kind::Percent`] is stored as a fraction.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: Kind,
    /// Valid words for a [`Kind::Name`] parameter; empty for a node reference.
    pub choices: &'static [&'static str],
    pub default: Default,
    /// Inclusive range in canonical units (dB, Hz, s, plain).
    pub min: f64,
    pub max: f64,
    pub doc: &'static str,
}

/// Decoded audio a parameter refers to (an impulse response), at the session rate.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioClip {
    pub path: std::path::PathBuf,
    pub rate: u32,
    /// One vector per channel (1 or 2).
    pub channels: Vec<Vec<f32>>,
}

/// One checked argument.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// In canonical units: dB, Hz, seconds (note lengths already converted
    /// with the tempo), fractions for percentages, plain numbers.
    Number(f64),
    /// A word such as `rms`, or a string.
    Text(String),
    /// A track or bus (a sidechain `key`), by name.
    Node(String),
    /// An audio file, decoded at check time.
    Audio(std::sync::Arc<AudioClip>),
    /// A level in plain `dB` where a true-peak level (`dBTP`) is expected:
    /// the processor limits sample peaks instead of true peaks.
    SamplePeak(f64),
    /// One number a band, lowest band first (`threshold: [-20dB, -24dB]`),
    /// in canonical units; see `check::chain::bands`.
    List(Vec<f64>),
}

/// Checked arguments of one call, in the order of the spec's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub values: Vec<Option<ParamValue>>,
}

impl Params {
    /// The number in parameter `i`; `fallback` when unset.
    pub fn get(&self, i: usize, fallback: f64) -> f64 {
        self.opt(i).unwrap_or(fallback)
    }

    /// The number in parameter `i`, if set.
    pub fn opt(&self, i: usize) -> Option<f64> {
        match self.values.get(i) {
            Some(Some(ParamValue::Number(x) | ParamValue::SamplePeak(x))) => Some(*x),
            _ => None,
        }
    }

    /// The numbers in parameter `i` for `bands` bands: a list as given, or
    /// one number (the parameter's value, else `fallback`) for every band.
    pub fn bands(&self, i: usize, bands: usize, fallback: f64) -> Vec<f64> {
        match self.values.get(i) {
            Some(Some(ParamValue::List(v))) => v.clone(),
            _ => vec![self.get(i, fallback); bands],
        }
    }

    /// Whether parameter `i` was written in `dB` where `dBTP` was possible.
    pub fn is_sample_peak(&self, i: usize) -> bool {
        matches!(self.values.get(i), Some(Some(ParamValue::SamplePeak(_))))
    }

    /// The word or string in parameter `i`, if set.
    pub fn text(&self, i: usize) -> Option<&str> {
        match self.values.get(i) {
            Some(Some(ParamValue::Text(t))) => Some(t),
            _ => None,
        }
    }

    /// The node named by parameter `i` (a sidechain key), if set.
    pub fn node(&self, i: usize) -> Option<&str> {
        match self.values.get(i) {
            Some(Some(ParamValue::Node(n))) => Some(n),
            _ => None,
        }
    }

    /// The audio in parameter `i`, if set.
    pub fn audio(&self, i: usize) -> Option<&std::sync::Arc<AudioClip>> {
        match self.values.get(i) {
            Some(Some(ParamValue::Audio(a))) => Some(a),
            _ => None,
        }
    }
}

/// How the plan may merge a processor with its neighbours into one pass.
#[derive(Debug, Clone, Copy)]
pub enum Fuse {
    /// Runs on its own.
    No,
    /// One RBJ biquad, when the call's options allow it (`None` for a
    /// linear-phase or mid/side filter): consecutive ones become one cascade.
    Biquad(fn(&Params) -> Option<crate::dsp::biquad::BiquadSpec>),
    /// A fixed linear gain: folded into a neighbouring biquad's numerator.
    Gain(fn(&Params) -> f64),
}

/// A processor as the language sees it.
pub struct ProcessorSpec {
    pub name: &'static str,
    pub summary: &'static str,
    /// Parameters; the first `positional` may also be given by position.
    pub params: &'static [ParamSpec],
    pub positional: usize,
    pub build: fn(&Params) -> Box<dyn Processor>,
    pub fuse: Fuse,
}

impl std::fmt::Debug for ProcessorSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProcessorSpec({})", self.name)
    }
}

impl ProcessorSpec {
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// Processors that are planned but not built yet: calls to them get a clear
/// "not supported yet" instead of "unknown processor".
pub const PLANNED: &[&str] = &[];

/// Every processor table, in the order `mixc help` lists them.
const TABLES: &[&[&ProcessorSpec]] = &[super::eq::ALL, super::dynamics::ALL, super::multiband::ALL, super::space::ALL];

/// Every processor.
pub fn all() -> impl Iterator<Item = &'static ProcessorSpec> {
    TABLES.iter().flat_map(|t| t.iter().copied())
}

/// Looks a processor up by name.
pub fn lookup(name: &str) -> Option<&'static ProcessorSpec> {
    all().find(|p| p.name == name)
}

/// All processor names, for suggestions and `mixc help`.
pub fn names() -> impl Iterator<Item = &'static str> {
    all().map(|p| p.name)
}

//! The processor registry: every processor's parameters (kind, range,
//! default) and how to build it. The grammar knows no processor names; the
//! checker looks calls up here, so adding a processor changes only this file
//! and its DSP module.

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
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub default: Default,
    /// Inclusive range in canonical units (dB, Hz, s, plain).
    pub min: f64,
    pub max: f64,
    pub doc: &'static str,
}

/// Checked arguments of one call, in the order of the spec's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub values: Vec<Option<f64>>,
}

impl Params {
    /// The value of parameter `i`; `fallback` when unset.
    pub fn get(&self, i: usize, fallback: f64) -> f64 {
        self.values.get(i).copied().flatten().unwrap_or(fallback)
    }

    pub fn opt(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied().flatten()
    }
}

/// A processor as the language sees it.
pub struct ProcessorSpec {
    pub name: &'static str,
    pub summary: &'static str,
    /// Parameters; the first `positional` may also be given by position.
    pub params: &'static [ParamSpec],
    pub positional: usize,
    pub build: fn(&Params) -> Box<dyn Processor>,
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
pub const PLANNED: &[&str] = &[
    "compressor",
    "limiter",
    "gate",
    "expander",
    "deesser",
    "delay",
    "reverb",
    "convolve",
    "saturate",
    "width",
    "polarity",
    "mono",
    "multiband",
];

/// Looks a processor up by name.
pub fn lookup(name: &str) -> Option<&'static ProcessorSpec> {
    super::processors::ALL.iter().copied().find(|p| p.name == name)
}

/// All processor names, for suggestions and `mixc help`.
pub fn names() -> impl Iterator<Item = &'static str> {
    super::processors::ALL.iter().map(|p| p.name)
}

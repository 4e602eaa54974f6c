//! The EQ and gain processors: their parameters, and how each is built (and fused).

use crate::dsp::biquad::{BiquadSpec, FilterKind, Shape};
use crate::dsp::gain::Gain;

use super::registry::{Default, Fuse, ParamSpec, Params, ProcessorSpec};
use super::value::Kind;

pub mod options;

use options::{Options, ON, PHASE};

const FREQ: ParamSpec = ParamSpec {
    name: "freq",
    kind: Kind::Frequency,
    choices: &[],
    default: Default::Required,
    min: 1.0,
    max: 200_000.0,
    doc: "centre or corner frequency (clamped just below Nyquist)",
};
const Q_PASS: ParamSpec = ParamSpec {
    name: "q",
    kind: Kind::Number,
    choices: &[],
    default: Default::Value(std::f64::consts::FRAC_1_SQRT_2),
    min: 0.025,
    max: 100.0,
    doc: "quality factor (0.7071 = Butterworth)",
};
const Q_PEAK: ParamSpec = ParamSpec { default: Default::Value(1.0), doc: "quality factor (bandwidth)", ..Q_PASS };
const Q_SHELF: ParamSpec = ParamSpec { default: Default::Unset, doc: "quality factor; overrides `slope`", ..Q_PASS };
const GAIN: ParamSpec = ParamSpec {
    name: "gain",
    kind: Kind::Level,
    choices: &[],
    default: Default::Required,
    min: -60.0,
    max: 60.0,
    doc: "boost (+) or cut (-)",
};
const SLOPE: ParamSpec = ParamSpec {
    name: "slope",
    kind: Kind::Number,
    choices: &[],
    default: Default::Value(1.0),
    min: 0.01,
    max: 10.0,
    doc: "shelf slope S (1.0 = steepest without overshoot)",
};

/// Where `phase` and `on` sit: after the filter's own parameters.
const PASS: Options = Options { phase: Some(2), on: 3 };
const BELL: Options = Options { phase: Some(3), on: 4 };
const SHELF: Options = Options { phase: Some(4), on: 5 };

macro_rules! pass_filter {
    ($ident:ident, $name:literal, $kind:expr, $summary:literal) => {
        pass_filter!($ident, $name, $kind, $summary, &[FREQ, Q_PASS, PHASE, ON], PASS);
    };
    ($ident:ident, $name:literal, $kind:expr, $summary:literal, $params:expr, $options:expr) => {
        pub const $ident: ProcessorSpec = ProcessorSpec {
            name: $name,
            summary: $summary,
            params: $params,
            positional: 2,
            build: |p| $options.build(p, pass_spec($kind, p)),
            fuse: Fuse::Biquad(|p| $options.plain(p, pass_spec($kind, p))),
        };
    };
}

const Q_PASS_DEFAULT: f64 = std::f64::consts::FRAC_1_SQRT_2;

fn pass_spec(kind: FilterKind, p: &Params) -> BiquadSpec {
    BiquadSpec { kind, freq: p.get(0, 1000.0), gain_db: 0.0, shape: Shape::Q(p.get(1, Q_PASS_DEFAULT)) }
}

fn peak_spec(p: &Params) -> BiquadSpec {
    BiquadSpec {
        kind: FilterKind::Peak,
        freq: p.get(0, 1000.0),
        gain_db: p.get(1, 0.0),
        shape: Shape::Q(p.get(2, 1.0)),
    }
}

pass_filter!(HIGHPASS, "highpass", FilterKind::Highpass, "12 dB/octave high-pass (RBJ cookbook)");
pass_filter!(LOWPASS, "lowpass", FilterKind::Lowpass, "12 dB/octave low-pass (RBJ cookbook)");
pass_filter!(BANDPASS, "bandpass", FilterKind::Bandpass, "band-pass, 0 dB at the centre (RBJ cookbook)");
pass_filter!(NOTCH, "notch", FilterKind::Notch, "notch (RBJ cookbook)");
// No `phase` for the all-pass: its magnitude is 1, so linear phase would be a plain delay.
pass_filter!(
    ALLPASS,
    "allpass",
    FilterKind::Allpass,
    "all-pass: phase only (RBJ cookbook)",
    &[FREQ, Q_PASS, ON],
    Options { phase: None, on: 2 }
);

pub const PEAK: ProcessorSpec = ProcessorSpec {
    name: "peak",
    summary: "peaking EQ bell (RBJ cookbook)",
    params: &[FREQ, GAIN, Q_PEAK, PHASE, ON],
    positional: 3,
    build: |p| BELL.build(p, peak_spec(p)),
    fuse: Fuse::Biquad(|p| BELL.plain(p, peak_spec(p))),
};

fn shelf(kind: FilterKind, p: &Params) -> BiquadSpec {
    let shape = match p.opt(3) {
        Some(q) => Shape::Q(q),
        None => Shape::Slope(p.get(2, 1.0)),
    };
    BiquadSpec { kind, freq: p.get(0, 1000.0), gain_db: p.get(1, 0.0), shape }
}

pub const LOW_SHELF: ProcessorSpec = ProcessorSpec {
    name: "low_shelf",
    summary: "low shelf (RBJ cookbook)",
    params: &[FREQ, GAIN, SLOPE, Q_SHELF, PHASE, ON],
    positional: 3,
    build: |p| SHELF.build(p, shelf(FilterKind::LowShelf, p)),
    fuse: Fuse::Biquad(|p| SHELF.plain(p, shelf(FilterKind::LowShelf, p))),
};

pub const HIGH_SHELF: ProcessorSpec = ProcessorSpec {
    name: "high_shelf",
    summary: "high shelf (RBJ cookbook)",
    params: &[FREQ, GAIN, SLOPE, Q_SHELF, PHASE, ON],
    positional: 3,
    build: |p| SHELF.build(p, shelf(FilterKind::HighShelf, p)),
    fuse: Fuse::Biquad(|p| SHELF.plain(p, shelf(FilterKind::HighShelf, p))),
};

pub const GAIN_PROC: ProcessorSpec = ProcessorSpec {
    name: "gain",
    summary: "a fixed gain change",
    params: &[ParamSpec { min: f64::NEG_INFINITY, max: 48.0, doc: "gain in dB", ..GAIN }],
    positional: 1,
    build: |p| Box::new(Gain::new(p.get(0, 0.0))),
    fuse: Fuse::Gain(|p| crate::dsp::db_to_gain(p.get(0, 0.0))),
};

/// Every processor, in the order `mixc help` lists them.
pub const ALL: &[&ProcessorSpec] =
    &[&GAIN_PROC, &HIGHPASS, &LOWPASS, &PEAK, &LOW_SHELF, &HIGH_SHELF, &NOTCH, &BANDPASS, &ALLPASS];

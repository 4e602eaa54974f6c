//! Dynamics processors in the registry: compressor, expander, gate, de-esser, limiter.
//!
//! Times are time constants: α = exp(−1/(τ·fs)), so the gain covers
//! 1 − 1/e (63 %) of a step in dB after the time given.

use crate::dsp::dynamics::compressor::{Detect, Dynamics, DynamicsSpec, Field};
use crate::dsp::dynamics::deesser::{DeEsser, DeEsserSpec};
use crate::dsp::dynamics::limiter::{Limiter, LimiterSpec};

use super::registry::{Default, Fuse, ParamSpec, Params, ProcessorSpec};
use super::value::Kind;

const fn level(name: &'static str, default: Default, min: f64, max: f64, doc: &'static str) -> ParamSpec {
    ParamSpec { name, kind: Kind::Level, choices: &[], default, min, max, doc }
}

const fn time(name: &'static str, default: Default, max: f64, doc: &'static str) -> ParamSpec {
    ParamSpec { name, kind: Kind::Time, choices: &[], default, min: 0.0, max, doc }
}

const THRESHOLD: ParamSpec =
    level("threshold", Default::Required, -120.0, 24.0, "level where the curve bends, in dBFS (sine peak)");
const RATIO: ParamSpec = ParamSpec {
    name: "ratio",
    kind: Kind::Number,
    choices: &[],
    default: Default::Required,
    min: 1.0,
    max: 100.0,
    doc: "input dB over threshold per output dB (4 = 4:1); for ∞ use `limiter`",
};
const ATTACK: ParamSpec =
    time("attack", Default::Required, 1.0, "time constant of the falling gain: 63% (1-1/e) of a dB step after it");
const RELEASE: ParamSpec =
    time("release", Default::Required, 10.0, "time constant of the rising gain: 63% (1-1/e) of a dB step after it");
const KNEE: ParamSpec = level(
    "knee",
    Default::Value(0.0),
    0.0,
    48.0,
    "soft-knee width in dB, centred on the threshold (Giannoulis et al.)",
);
const MAKEUP: ParamSpec = level(
    "makeup",
    Default::Unset,
    -48.0,
    48.0,
    "gain after compression; unset: automatic, -T(1-1/R), so 0 dBFS in gives 0 dBFS out",
);
const DETECT: ParamSpec = ParamSpec {
    name: "detect",
    kind: Kind::Name,
    choices: &["peak", "rms"],
    default: Default::Unset,
    min: 0.0,
    max: 0.0,
    doc: "`peak` (default) or `rms` (10 ms window, +3 dB so a sine reads its peak)",
};
const MIX: ParamSpec = ParamSpec {
    name: "mix",
    kind: Kind::Percent,
    choices: &[],
    default: Default::Value(1.0),
    min: 0.0,
    max: 1.0,
    doc: "share of the processed signal; below 100% blends in the dry signal (parallel compression)",
};
const KEY: ParamSpec = ParamSpec {
    name: "key",
    kind: Kind::Name,
    choices: &[],
    default: Default::Unset,
    min: 0.0,
    max: 0.0,
    doc: "track or bus whose level drives the gain (sidechain); default: the signal itself",
};
const RANGE: ParamSpec = level("range", Default::Value(-80.0), -120.0, 0.0, "deepest cut, in dB");
const HOLD: ParamSpec = time(
    "hold",
    Default::Value(0.01),
    5.0,
    "how long the gain waits before closing; keep above half a period of the lowest note",
);

pub const COMPRESSOR: ProcessorSpec = ProcessorSpec {
    name: "compressor",
    summary: "feed-forward compressor, soft knee, log-domain smooth detector (Giannoulis et al. 2012)",
    params: &[THRESHOLD, RATIO, ATTACK, RELEASE, KNEE, MAKEUP, DETECT, MIX, KEY],
    positional: 4,
    build: |p| {
        let mut spec = DynamicsSpec::compressor(p.get(0, 0.0), p.get(1, 1.0), p.get(2, 0.0), p.get(3, 0.0));
        spec.curve.knee = p.get(4, 0.0);
        spec.makeup = p.opt(5);
        spec.detect = detect(p, 6);
        spec.mix = p.get(7, 1.0);
        Box::new(Dynamics::new(spec, COMPRESSOR_FIELDS))
    },
    fuse: Fuse::No,
};
use Field::*;
const COMPRESSOR_FIELDS: &[Field] = &[Threshold, Ratio, Attack, Release, Knee, Makeup, Fixed, Mix, Fixed];

pub const EXPANDER: ProcessorSpec = ProcessorSpec {
    name: "expander",
    summary: "downward expander: 1:ratio below the threshold, at most `range` of cut",
    params: &[
        THRESHOLD,
        ParamSpec { doc: "output dB per input dB under the threshold (2 = 1:2)", ..RATIO },
        ParamSpec { default: Default::Value(-40.0), ..RANGE },
        ParamSpec { default: Default::Value(0.001), doc: "opening time constant (63% of the step)", ..ATTACK },
        HOLD,
        ParamSpec { default: Default::Value(0.1), doc: "closing time constant (63% of the step)", ..RELEASE },
        KEY,
    ],
    positional: 2,
    build: |p| {
        let (t, r, range) = (p.get(0, 0.0), p.get(1, 1.0), p.get(2, -40.0));
        let spec = DynamicsSpec::expander(t, r, range, p.get(3, 0.001), p.get(4, 0.01), p.get(5, 0.1));
        Box::new(Dynamics::new(spec, &[Threshold, Ratio, Range, Attack, Hold, Release, Fixed]))
    },
    fuse: Fuse::No,
};

pub const GATE: ProcessorSpec = ProcessorSpec {
    name: "gate",
    summary: "noise gate: `range` of cut below the threshold, unity above",
    params: &[
        THRESHOLD,
        RANGE,
        ParamSpec { default: Default::Value(0.0005), doc: "opening time constant (63% of the step)", ..ATTACK },
        HOLD,
        ParamSpec { default: Default::Value(0.1), doc: "closing time constant (63% of the step)", ..RELEASE },
        KEY,
    ],
    positional: 1,
    build: |p| {
        let spec = DynamicsSpec::gate(p.get(0, 0.0), p.get(1, -80.0), p.get(2, 0.0005), p.get(3, 0.01), p.get(4, 0.1));
        Box::new(Dynamics::new(spec, &[Threshold, Range, Attack, Hold, Release, Fixed]))
    },
    fuse: Fuse::No,
};

pub const DEESSER: ProcessorSpec = ProcessorSpec {
    name: "deesser",
    summary: "split-band de-esser: cuts only the band above `freq` when it is loud",
    params: &[
        ParamSpec {
            name: "freq",
            kind: Kind::Frequency,
            choices: &[],
            default: Default::Value(6500.0),
            min: 1000.0,
            max: 20_000.0,
            doc: "split frequency: a 12 dB/oct high-pass and its exact complement",
        },
        ParamSpec { doc: "level of the high band where the cut starts", ..THRESHOLD },
        ParamSpec { default: Default::Value(4.0), ..RATIO },
        ParamSpec { default: Default::Value(-12.0), min: -48.0, doc: "deepest cut of the high band", ..RANGE },
        ParamSpec { default: Default::Value(0.001), ..ATTACK },
        ParamSpec { default: Default::Value(0.06), ..RELEASE },
    ],
    positional: 2,
    build: |p| {
        let spec = DeEsserSpec {
            freq: p.get(0, 6500.0),
            threshold: p.get(1, 0.0),
            ratio: p.get(2, 4.0),
            range: p.get(3, -12.0),
            attack: p.get(4, 0.001),
            release: p.get(5, 0.06),
        };
        Box::new(DeEsser::new(spec))
    },
    fuse: Fuse::No,
};

pub const LIMITER: ProcessorSpec = ProcessorSpec {
    name: "limiter",
    summary: "lookahead brick-wall limiter; true-peak (4x oversampled) detection",
    params: &[
        ParamSpec {
            name: "ceiling",
            kind: Kind::TruePeak,
            choices: &[],
            default: Default::Value(-1.0),
            min: -60.0,
            max: 0.0,
            doc: "highest peak out: in dBTP, true peak (4x oversampled; aims 0.3 dB under it); in dB, sample peak",
        },
        ParamSpec {
            name: "lookahead",
            kind: Kind::Time,
            choices: &[],
            default: Default::Value(0.005),
            min: 0.0005,
            max: 0.1,
            doc: "how early the gain starts to fall before a peak; also the latency (fixed, not automatable)",
        },
        ParamSpec { default: Default::Value(0.05), doc: "time constant of the gain's recovery (63%)", ..RELEASE },
    ],
    positional: 1,
    build: |p| Box::new(Limiter::new(limiter_spec(p))),
    fuse: Fuse::No,
};

/// A `limiter(...)` call's settings (also used for the final limiter of a normalised master).
pub fn limiter_spec(p: &Params) -> LimiterSpec {
    LimiterSpec {
        ceiling: p.get(0, -1.0),
        lookahead: p.get(1, 0.005),
        release: p.get(2, 0.05),
        true_peak: !p.is_sample_peak(0),
    }
}

fn detect(p: &Params, i: usize) -> Detect {
    match p.text(i) {
        Some("rms") => Detect::Rms,
        _ => Detect::Peak,
    }
}

/// Build a processor from a spec's defaults, for tests.
#[cfg(test)]
pub(crate) fn build_default(spec: &ProcessorSpec, values: &[(usize, f64)]) -> Box<dyn crate::dsp::Processor> {
    let mut params = Params { values: vec![None; spec.params.len()] };
    for (i, p) in spec.params.iter().enumerate() {
        if let Default::Value(v) = p.default {
            params.values[i] = Some(super::registry::ParamValue::Number(v));
        }
    }
    for &(i, v) in values {
        params.values[i] = Some(super::registry::ParamValue::Number(v));
    }
    (spec.build)(&params)
}

/// Every dynamics processor.
pub const ALL: &[&ProcessorSpec] = &[&COMPRESSOR, &EXPANDER, &GATE, &DEESSER, &LIMITER];

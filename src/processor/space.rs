//! Time, space and colour processors in the registry: delay, reverb,
//! convolution, saturation, width, polarity, mono.
//!
//! Every wet/dry `mix` defaults to 100%: LANGUAGE.md puts `delay` and
//! `reverb` on return buses fed by sends, where the bus must carry only the
//! effect. On an insert, write `mix: 25%` (or use a send).

use crate::dsp::convolve::Convolve;
use crate::dsp::delay::{Delay, DelaySettings, MAX_FEEDBACK, MAX_TIME};
use crate::dsp::reverb::{Reverb, ReverbSettings};
use crate::dsp::saturate::Saturate;
use crate::dsp::stereo::{Mono, Polarity, Width};

use super::registry::{Default, Fuse, ParamSpec, ProcessorSpec};
use super::value::Kind;

const MIX: ParamSpec = ParamSpec {
    name: "mix",
    kind: Kind::Percent,
    choices: &[],
    default: Default::Value(1.0),
    min: 0.0,
    max: 1.0,
    doc: "wet share: 100% effect only (for return buses), 0% dry only",
};

const FEEDBACK_FILTER: ParamSpec = ParamSpec {
    name: "lowpass",
    kind: Kind::Frequency,
    choices: &[],
    default: Default::Unset,
    min: 10.0,
    max: 200_000.0,
    doc: "low-pass in the feedback path: each repeat darker (12 dB/oct)",
};

pub const DELAY: ProcessorSpec = ProcessorSpec {
    name: "delay",
    summary: "echo with feedback; `1/8` times follow the tempo; exact for whole-frame times",
    params: &[
        ParamSpec {
            name: "time",
            kind: Kind::Time,
            choices: &[],
            default: Default::Required,
            min: 0.0,
            max: MAX_TIME,
            doc: "delay time, or a note length such as `1/8` (at least one frame; automation glides)",
        },
        ParamSpec {
            name: "feedback",
            kind: Kind::Percent,
            default: Default::Value(0.0),
            max: MAX_FEEDBACK,
            doc: "level of each repeat relative to the one before",
            ..MIX
        },
        MIX,
        ParamSpec {
            name: "mode",
            kind: Kind::Name,
            choices: &["normal", "pingpong"],
            default: Default::Unset,
            min: 0.0,
            max: 0.0,
            doc: "`normal` (default) or `pingpong`: repeats alternate left and right",
        },
        FEEDBACK_FILTER,
        ParamSpec {
            name: "highpass",
            doc: "high-pass in the feedback path: each repeat thinner (12 dB/oct)",
            ..FEEDBACK_FILTER
        },
    ],
    positional: 1,
    build: |p| {
        let settings = DelaySettings {
            time: p.get(0, 0.25),
            feedback: p.get(1, 0.0),
            mix: p.get(2, 1.0),
            pingpong: p.text(3) == Some("pingpong"),
            lowpass: p.opt(4),
            highpass: p.opt(5),
        };
        Box::new(Delay::new(settings))
    },
    fuse: Fuse::No,
};

const UNIT: ParamSpec = ParamSpec {
    name: "size",
    kind: Kind::Number,
    choices: &[],
    default: Default::Value(0.5),
    min: 0.0,
    max: 1.0,
    doc: "room size 0..1: spacing of the echoes (fixed for the render)",
};

pub const REVERB: ProcessorSpec = ProcessorSpec {
    name: "reverb",
    summary: "stereo algorithmic reverb (16-line feedback delay network)",
    params: &[
        UNIT,
        ParamSpec {
            name: "decay",
            kind: Kind::Time,
            default: Default::Value(1.5),
            min: 0.05,
            max: 20.0,
            doc: "T60: time for the low and mid frequencies to fall by 60 dB",
            ..UNIT
        },
        ParamSpec { name: "damping", doc: "0..1: how much faster the highs die (1 = about 7x)", ..UNIT },
        ParamSpec {
            name: "predelay",
            kind: Kind::Time,
            default: Default::Value(0.0),
            max: 0.5,
            doc: "gap before the reverb starts (fixed for the render)",
            ..UNIT
        },
        ParamSpec {
            name: "width",
            kind: Kind::Percent,
            default: Default::Value(1.0),
            max: 2.0,
            doc: "stereo width of the reverb: 0% mono, 100% as generated",
            ..UNIT
        },
        MIX,
    ],
    positional: 0,
    build: |p| {
        let settings = ReverbSettings {
            size: p.get(0, 0.5),
            decay: p.get(1, 1.5),
            damping: p.get(2, 0.5),
            predelay: p.get(3, 0.0),
            width: p.get(4, 1.0),
            mix: p.get(5, 1.0),
        };
        Box::new(Reverb::new(settings))
    },
    fuse: Fuse::No,
};

pub const CONVOLVE: ProcessorSpec = ProcessorSpec {
    name: "convolve",
    summary: "convolution with an impulse response file (zero latency)",
    params: &[
        ParamSpec {
            name: "ir",
            kind: Kind::Text,
            choices: &[],
            default: Default::Required,
            min: 0.0,
            max: 0.0,
            doc: "impulse response file, mono or stereo (L→L, R→R), used as recorded",
        },
        MIX,
    ],
    positional: 1,
    build: |p| {
        let ir = p.audio(0).map(|clip| clip.channels.as_slice()).unwrap_or(&[]);
        Box::new(Convolve::new(ir, p.get(1, 1.0)))
    },
    fuse: Fuse::No,
};

pub const SATURATE: ProcessorSpec = ProcessorSpec {
    name: "saturate",
    summary: "soft tanh saturation, 8x oversampled; quiet material keeps its level",
    params: &[
        ParamSpec {
            name: "drive",
            kind: Kind::Level,
            choices: &[],
            default: Default::Value(6.0),
            min: 0.0,
            max: 36.0,
            doc: "how hard peaks hit the curve; louder peaks approach -drive dBFS",
        },
        MIX,
    ],
    positional: 1,
    build: |p| Box::new(Saturate::new(p.get(0, 6.0), p.get(1, 1.0))),
    fuse: Fuse::No,
};

pub const WIDTH: ProcessorSpec = ProcessorSpec {
    name: "width",
    summary: "mid/side width: 0% mono, 100% unchanged, 200% twice the side",
    params: &[ParamSpec { name: "amount", max: 2.0, doc: "side level: 0% mono, 100% exact identity", ..MIX }],
    positional: 1,
    build: |p| Box::new(Width::new(p.get(0, 1.0))),
    fuse: Fuse::No,
};

pub const POLARITY: ProcessorSpec = ProcessorSpec {
    name: "polarity",
    summary: "inverts the polarity of both channels, or one",
    params: &[ParamSpec {
        name: "invert",
        kind: Kind::Name,
        choices: &["both", "left", "right"],
        default: Default::Unset,
        min: 0.0,
        max: 0.0,
        doc: "`both` (default), `left` or `right`",
    }],
    positional: 1,
    build: |p| {
        let (left, right) = match p.text(0) {
            Some("left") => (true, false),
            Some("right") => (false, true),
            _ => (true, true),
        };
        Box::new(Polarity::new(left, right))
    },
    fuse: Fuse::No,
};

pub const MONO: ProcessorSpec = ProcessorSpec {
    name: "mono",
    summary: "sums to mono: both channels become (L+R)/2",
    params: &[],
    positional: 0,
    build: |_| Box::new(Mono),
    fuse: Fuse::No,
};

/// Every time/space processor.
pub const ALL: &[&ProcessorSpec] = &[&DELAY, &REVERB, &CONVOLVE, &SATURATE, &WIDTH, &POLARITY, &MONO];

#[cfg(test)]
mod tests {
    use super::super::registry::{AudioClip, ParamValue, Params};
    use super::*;

    fn params(values: Vec<Option<ParamValue>>) -> Params {
        Params { values }
    }

    #[test]
    fn every_parameter_is_documented_and_defaults_lie_in_range() {
        for spec in ALL {
            for p in spec.params {
                assert!(!p.doc.is_empty(), "{}.{}", spec.name, p.name);
                if let Default::Value(v) = p.default {
                    assert!((p.min..=p.max).contains(&v), "{}.{} default {v}", spec.name, p.name);
                }
            }
        }
    }

    #[test]
    fn calls_build_working_processors() {
        let clip = AudioClip { path: "ir.wav".into(), rate: 48_000, channels: vec![vec![0.0, 0.5]] };
        let cases = [
            (
                &DELAY,
                params(vec![Some(ParamValue::Number(0.25)), None, None, Some(ParamValue::Text("pingpong".into()))]),
            ),
            (&REVERB, params(vec![None; 6])),
            (&CONVOLVE, params(vec![Some(ParamValue::Audio(std::sync::Arc::new(clip))), None])),
            (&SATURATE, params(vec![None, None])),
            (&WIDTH, params(vec![Some(ParamValue::Number(0.0))])),
            (&POLARITY, params(vec![Some(ParamValue::Text("left".into()))])),
            (&MONO, params(vec![])),
        ];
        for (spec, p) in cases {
            let mut proc = (spec.build)(&p);
            proc.prepare(48_000.0, 2, 16);
            let (mut l, mut r) = (vec![1.0f32; 16], vec![0.0f32; 16]);
            proc.process(&mut [l.as_mut_slice(), r.as_mut_slice()], None);
            assert!(l.iter().chain(&r).all(|x| x.is_finite()), "{}", spec.name);
        }
    }
}

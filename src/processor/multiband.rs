//! The multiband compressor in the registry: split frequencies, then the
//! compressor settings, each one value for every band or a list of one a band.
//! Automating a setting moves every band to the same value; the splits are
//! fixed. Unlike `compressor`, there is no automatic make-up: it would lift
//! each band by a different amount and tilt the spectrum.
//!
//! ```text
//! multiband(split: [120Hz, 2kHz], threshold: [-20dB, -18dB, -24dB], ratio: [2, 1, 3], attack: 10ms)
//! ```

use crate::dsp::dynamics::compressor::{Detect, DynamicsSpec, Field};
use crate::dsp::multiband::{Multiband, MultibandSpec};
use crate::processor::registry::{Default, Fuse, ParamSpec, Params, ProcessorSpec};
use crate::processor::value::Kind;

/// Most split frequencies (six bands).
pub const MAX_SPLITS: usize = 5;
/// Index of `split`.
pub const SPLIT: usize = 0;
/// Indices of the parameters that take one value a band.
pub const PER_BAND: &[usize] = &[1, 2, 3, 4, 5, 6];

const fn param(name: &'static str, kind: Kind, default: Default, min: f64, max: f64, doc: &'static str) -> ParamSpec {
    ParamSpec { name, kind, choices: &[], default, min, max, doc }
}

pub const MULTIBAND: ProcessorSpec = ProcessorSpec {
    name: "multiband",
    summary: "multiband compressor: Linkwitz-Riley bands (24 dB/oct, summing flat), one compressor each",
    params: &[
        param(
            "split",
            Kind::Frequency,
            Default::Required,
            20.0,
            20_000.0,
            "crossover frequencies, rising: `[120Hz, 2kHz]` makes 3 bands (1 to 5 splits; fixed, not automatable)",
        ),
        param(
            "threshold",
            Kind::Level,
            Default::Required,
            -120.0,
            24.0,
            "where each band's curve bends, dBFS sine peak: one level, or a list of one a band, lowest first \
             (automation sets every band to the same value)",
        ),
        param(
            "ratio",
            Kind::Number,
            Default::Required,
            1.0,
            100.0,
            "input dB over threshold per output dB; 1 leaves a band alone; or a list",
        ),
        param(
            "attack",
            Kind::Time,
            Default::Value(0.01),
            0.0,
            1.0,
            "time constant of the falling gain (63%); or a list",
        ),
        param(
            "release",
            Kind::Time,
            Default::Value(0.1),
            0.0,
            10.0,
            "time constant of the rising gain (63%); or a list",
        ),
        param(
            "knee",
            Kind::Level,
            Default::Value(0.0),
            0.0,
            48.0,
            "soft-knee width in dB, centred on the threshold; or a list",
        ),
        param(
            "makeup",
            Kind::Level,
            Default::Value(0.0),
            -48.0,
            48.0,
            "gain after each band's compressor (no automatic make-up here); or a list",
        ),
        ParamSpec {
            name: "detect",
            kind: Kind::Name,
            choices: &["peak", "rms"],
            default: Default::Unset,
            min: 0.0,
            max: 0.0,
            doc: "`peak` (default) or `rms`, for every band",
        },
    ],
    positional: 3,
    build: |p| Box::new(Multiband::new(&spec(p), FIELDS)),
    fuse: Fuse::No,
};

/// What each parameter moves in every band's compressor, for automation.
const FIELDS: &[Field] = &[
    Field::Fixed,
    Field::Threshold,
    Field::Ratio,
    Field::Attack,
    Field::Release,
    Field::Knee,
    Field::Makeup,
    Field::Fixed,
];

/// The checked call as DSP settings.
fn spec(p: &Params) -> MultibandSpec {
    let splits = p.bands(SPLIT, 1, 1000.0);
    let n = splits.len() + 1;
    let values = |i: usize, fallback: f64| p.bands(i, n, fallback);
    let (threshold, ratio, attack) = (values(1, 0.0), values(2, 1.0), values(3, 0.01));
    let (release, knee, makeup) = (values(4, 0.1), values(5, 0.0), values(6, 0.0));
    let detect = if p.text(7) == Some("rms") { Detect::Rms } else { Detect::Peak };
    let bands = (0..n)
        .map(|b| {
            let mut band = DynamicsSpec::compressor(threshold[b], ratio[b], attack[b], release[b]);
            band.curve.knee = knee[b];
            band.makeup = Some(makeup[b]);
            band.detect = detect;
            band
        })
        .collect();
    MultibandSpec { splits, bands }
}

/// The mastering processors.
pub const ALL: &[&ProcessorSpec] = &[&MULTIBAND];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::processor::registry::ParamValue;

    #[test]
    fn lists_and_single_values_give_one_compressor_a_band() {
        let mut values = vec![None; MULTIBAND.params.len()];
        values[SPLIT] = Some(ParamValue::List(vec![120.0, 2000.0]));
        values[1] = Some(ParamValue::List(vec![-20.0, -18.0, -24.0]));
        values[2] = Some(ParamValue::Number(2.0));
        let s = spec(&Params { values });
        assert_eq!(s.splits, [120.0, 2000.0]);
        let thresholds: Vec<f64> = s.bands.iter().map(|b| b.curve.threshold).collect();
        assert_eq!(thresholds, [-20.0, -18.0, -24.0]);
        assert!(s.bands.iter().all(|b| b.curve.ratio == 2.0 && b.makeup == Some(0.0) && b.attack == 0.01));
    }

    #[test]
    fn every_parameter_is_documented_and_defaults_lie_in_range() {
        for p in MULTIBAND.params {
            assert!(!p.doc.is_empty(), "{}", p.name);
            if let Default::Value(v) = p.default {
                assert!((p.min..=p.max).contains(&v), "{} default {v}", p.name);
            }
        }
        assert_eq!(FIELDS.len(), MULTIBAND.params.len());
    }
}

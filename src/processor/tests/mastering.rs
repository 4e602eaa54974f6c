//! The mastering processors as the contract harness sees them (tests only):
//! multiband compression, linear-phase filters, mid/side filtering.

use crate::dsp::biquad::{Biquad, BiquadSpec, FilterKind};
use crate::dsp::dynamics::compressor::Detect;
use crate::dsp::linear_phase::LinearPhase;
use crate::dsp::mid_side::{MidSide, Part};
use crate::dsp::multiband::{Multiband, MultibandSpec};
use crate::dsp::tests::band;
use crate::dsp::Processor;

type Build = fn() -> Box<dyn Processor>;

/// Varied settings of every processor in this family, for [`super::contract::registry`].
pub(crate) fn entries() -> Vec<(&'static str, Build)> {
    vec![
        ("multiband 120 Hz / 2 kHz", || {
            let bands = vec![band(-20.0, 2.0, 0.03, 0.25), band(-18.0, 1.0, 0.01, 0.1), band(-24.0, 3.0, 0.003, 0.05)];
            Box::new(Multiband::new(&MultibandSpec { splits: vec![120.0, 2000.0], bands }, &[]))
        }),
        ("multiband 5 splits, rms, soft knee, make-up", || {
            let mut b = band(-30.0, 4.0, 0.001, 0.05);
            b.detect = Detect::Rms;
            b.curve.knee = 6.0;
            b.makeup = Some(3.0);
            let splits = vec![60.0, 250.0, 1000.0, 4000.0, 30_000.0];
            Box::new(Multiband::new(&MultibandSpec { splits, bands: vec![b; 6] }, &[]))
        }),
        ("linear-phase highpass 30 Hz", || Box::new(LinearPhase::new(BiquadSpec::new(FilterKind::Highpass, 30.0)))),
        ("linear-phase peak 3 kHz +6 dB", || {
            Box::new(LinearPhase::new(BiquadSpec::new(FilterKind::Peak, 3000.0).with_gain_db(6.0)))
        }),
        ("linear-phase peak 0 dB", || Box::new(LinearPhase::new(BiquadSpec::new(FilterKind::Peak, 1000.0)))),
        ("linear-phase notch 1 kHz", || Box::new(LinearPhase::new(BiquadSpec::new(FilterKind::Notch, 1000.0)))),
        ("side-only peak 3 kHz +4 dB", || {
            let eq = Biquad::new(BiquadSpec::new(FilterKind::Peak, 3000.0).with_gain_db(4.0));
            Box::new(MidSide::new(Box::new(eq), Part::Side))
        }),
        ("mid-only low shelf 100 Hz -3 dB", || {
            let eq = Biquad::new(BiquadSpec::new(FilterKind::LowShelf, 100.0).with_gain_db(-3.0));
            Box::new(MidSide::new(Box::new(eq), Part::Mid))
        }),
        ("side-only linear-phase high shelf 8 kHz +3 dB", || {
            let eq = LinearPhase::new(BiquadSpec::new(FilterKind::HighShelf, 8000.0).with_gain_db(3.0));
            Box::new(MidSide::new(Box::new(eq), Part::Side))
        }),
    ]
}

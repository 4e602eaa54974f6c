//! The time, space and colour processors as the contract harness sees them (tests only).

use crate::dsp::convolve::Convolve;
use crate::dsp::delay::{Delay, DelaySettings};
use crate::dsp::reverb::{Reverb, ReverbSettings};
use crate::dsp::saturate::Saturate;
use crate::dsp::stereo::{Mono, Polarity, Width};
use crate::dsp::tests::noise;
use crate::dsp::Processor;

type Build = fn() -> Box<dyn Processor>;

/// Varied settings of every processor in this family, for [`super::contract::registry`].
pub(crate) fn entries() -> Vec<(&'static str, Build)> {
    vec![
        ("delay 50 ms", || Box::new(Delay::new(DelaySettings::new(0.05)))),
        ("delay 1/8 at 120 bpm, feedback 35%", || {
            Box::new(Delay::new(DelaySettings { feedback: 0.35, ..DelaySettings::new(0.25) }))
        }),
        ("delay ping-pong, filtered, 30% mix", || {
            let settings = DelaySettings {
                feedback: 0.6,
                mix: 0.3,
                pingpong: true,
                lowpass: Some(3000.0),
                highpass: Some(200.0),
                ..DelaySettings::new(0.0123)
            };
            Box::new(Delay::new(settings))
        }),
        ("delay of 0 s", || Box::new(Delay::new(DelaySettings { feedback: 0.9, ..DelaySettings::new(0.0) }))),
        ("reverb default", || Box::new(Reverb::new(ReverbSettings::default()))),
        ("reverb as in LANGUAGE.md", || {
            let settings = ReverbSettings { size: 0.8, decay: 2.4, damping: 0.5, predelay: 0.02, ..Default::default() };
            Box::new(Reverb::new(settings))
        }),
        ("reverb small, bright, narrow, 25% mix", || {
            let settings = ReverbSettings { size: 0.0, decay: 0.2, damping: 0.0, width: 0.3, mix: 0.25, predelay: 0.0 };
            Box::new(Reverb::new(settings))
        }),
        ("convolve unit impulse", || Box::new(Convolve::new(&[vec![1.0]], 1.0))),
        ("convolve decaying noise, 6000 taps", || Box::new(Convolve::new(&decaying_noise(1, 6000), 1.0))),
        ("convolve stereo IR, 50% mix", || Box::new(Convolve::new(&decaying_noise(2, 700), 0.5))),
        ("saturate +6 dB", || Box::new(Saturate::new(6.0, 1.0))),
        ("saturate +36 dB, 40% mix", || Box::new(Saturate::new(36.0, 0.4))),
        ("width 100%", || Box::new(Width::new(1.0))),
        ("width 0%", || Box::new(Width::new(0.0))),
        ("width 180%", || Box::new(Width::new(1.8))),
        ("polarity left", || Box::new(Polarity::new(true, false))),
        ("polarity both", || Box::new(Polarity::new(true, true))),
        ("mono", || Box::new(Mono)),
    ]
}

/// A noise impulse response fading by 60 dB over its length.
fn decaying_noise(channels: usize, len: usize) -> Vec<Vec<f32>> {
    let mut ir = noise(channels, len, 42);
    for ch in &mut ir {
        ch.iter_mut().enumerate().for_each(|(i, x)| *x *= 10f32.powf(-3.0 * i as f32 / len as f32));
    }
    ir
}

//! The time, space and colour processors as the contract harness sees them (tests only).

use super::delay::{Delay, DelaySettings};
use super::stereo::{Mono, Polarity, Width};
use super::Processor;

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
        ("width 100%", || Box::new(Width::new(1.0))),
        ("width 0%", || Box::new(Width::new(0.0))),
        ("width 180%", || Box::new(Width::new(1.8))),
        ("polarity left", || Box::new(Polarity::new(true, false))),
        ("polarity both", || Box::new(Polarity::new(true, true))),
        ("mono", || Box::new(Mono)),
    ]
}

//! A cookbook filter in linear phase ([`LinearPhase`]): the biquad's
//! magnitude with no phase shift, as a symmetric FIR
//! ([`linear_phase_design`](super::linear_phase_design)) run through the
//! partitioned FFT convolution of [`Convolve`].
//!
//! The price is latency: half the FIR, reported by [`Processor::latency`] so
//! the plan delays parallel paths to match, and pre-ringing before
//! transients. The FIR depends on the sample rate, so it is designed in
//! `prepare`; its parameters are fixed (not automatable).

use super::convolve::Convolve;
use super::delay_line::DelayLine;
use super::linear_phase_design::{fir, ring_out};
use super::rbj::{coefficients, BiquadSpec};
use super::{to_output, Processor};

/// How the FIR runs.
enum Engine {
    /// Not prepared yet.
    Idle,
    /// The FIR is a unit impulse (a 0 dB bell or shelf): an exact delay,
    /// one line a channel, rather than an FFT's rounding noise around it.
    Delay(Vec<DelayLine>),
    Fir(Box<Convolve>),
}

/// The linear-phase twin of one cookbook filter; see the module docs.
pub struct LinearPhase {
    spec: BiquadSpec,
    engine: Engine,
    latency: usize,
    tail: usize,
}

impl LinearPhase {
    /// The linear-phase version of `spec`; designed by `prepare`.
    pub fn new(spec: BiquadSpec) -> LinearPhase {
        LinearPhase { spec, engine: Engine::Idle, latency: 0, tail: 0 }
    }
}

impl Processor for LinearPhase {
    fn prepare(&mut self, rate: f64, channels: usize, max_block: usize) {
        let taps = fir(&coefficients(&self.spec, rate), rate);
        self.latency = taps.len() / 2;
        self.tail = ring_out(&taps);
        let unit = taps.iter().enumerate().all(|(n, &t)| t == if n == self.latency { 1.0 } else { 0.0 });
        self.engine = if unit {
            Engine::Delay((0..channels).map(|_| DelayLine::new(self.latency)).collect())
        } else {
            let taps: Vec<f32> = taps.iter().map(|&t| t as f32).collect();
            let mut fir = Convolve::new(&[taps], 1.0);
            fir.prepare(rate, channels, max_block);
            Engine::Fir(Box::new(fir))
        };
    }

    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        match &mut self.engine {
            Engine::Idle => {}
            Engine::Delay(lines) => {
                for (channel, line) in audio.iter_mut().zip(lines) {
                    for x in channel.iter_mut() {
                        line.write(*x as f64);
                        *x = to_output(line.read(self.latency));
                    }
                }
            }
            Engine::Fir(fir) => fir.process(audio, key),
        }
    }

    fn reset(&mut self) {
        match &mut self.engine {
            Engine::Idle => {}
            Engine::Delay(lines) => lines.iter_mut().for_each(DelayLine::clear),
            Engine::Fir(fir) => fir.reset(),
        }
    }

    /// Half the FIR: the centre tap's delay.
    fn latency(&self) -> usize {
        self.latency
    }

    /// The ring after the centre tap, until it is below −90 dBFS.
    fn tail(&self) -> usize {
        self.tail
    }
}

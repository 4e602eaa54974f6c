//! The split-band de-esser.
//!
//! A 12 dB/octave RBJ high-pass at `freq` splits off the high band h; the
//! low band is the exact complement x − h, so the output
//! out = (x − h) + g·h = x − (1 − g)·h
//! is the input itself, bit for bit, whenever no reduction happens (g = 1).
//! The detector reads the peak of the high band across channels (stereo
//! linked), runs the compressor gain computer and smooth branching detector
//! (see [`super::detector`]) and never cuts deeper than `range`.

use super::detector::GainSmoother;
use super::gain_computer::{Curve, Side};
use super::{glide, level_db};
use crate::dsp::gain::Smoother;
use crate::dsp::rbj::{coefficients, BiquadSpec, Coeffs, FilterKind};
use crate::dsp::{db_to_gain, flush, to_output, Processor};

/// Settings of a [`DeEsser`], in Hz, dB, plain ratio and seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeEsserSpec {
    pub freq: f64,
    pub threshold: f64,
    pub ratio: f64,
    /// Deepest cut of the high band, dB ≤ 0.
    pub range: f64,
    pub attack: f64,
    pub release: f64,
}

/// Direct Form I state of one channel's high-pass: x[n−1], x[n−2], y[n−1], y[n−2].
type State = [f64; 4];

/// A split-band de-esser (see the module docs).
#[derive(Debug, Clone)]
pub struct DeEsser {
    spec: DeEsserSpec,
    freq: f64,
    threshold: Smoother,
    ratio: Smoother,
    range: Smoother,
    coeffs: Coeffs,
    state: Vec<State>,
    /// Each channel's high band for the current frame.
    high: Vec<f64>,
    smoother: GainSmoother,
    rate: f64,
}

impl DeEsser {
    pub fn new(spec: DeEsserSpec) -> DeEsser {
        DeEsser {
            spec,
            freq: spec.freq,
            threshold: Smoother::new(spec.threshold),
            ratio: Smoother::new(spec.ratio),
            range: Smoother::new(spec.range),
            coeffs: Coeffs::IDENTITY,
            state: Vec::new(),
            high: Vec::new(),
            smoother: GainSmoother::new(),
            rate: 0.0,
        }
    }

    /// The smoothed cut of the high band, dB.
    pub fn gain_db(&self) -> f64 {
        self.smoother.value()
    }

    fn design(&mut self) {
        self.coeffs = coefficients(&BiquadSpec::new(FilterKind::Highpass, self.freq), self.rate);
    }

    /// The next frame's gain for the high band, from its peak `magnitude`.
    #[inline]
    fn band_gain(&mut self, magnitude: f64) -> f64 {
        let curve = Curve {
            side: Side::Above,
            threshold: self.threshold.next(),
            ratio: self.ratio.next(),
            knee: 0.0,
            range: self.range.next(),
        };
        db_to_gain(self.smoother.next(curve.gain(level_db(magnitude))))
    }
}

#[inline]
fn high_pass(c: &Coeffs, s: &mut State, x: f64) -> f64 {
    let y = c.b0 * x + c.b1 * s[0] + c.b2 * s[1] - c.a1 * s[2] - c.a2 * s[3];
    *s = [x, s[0], flush(y), flush(s[2])];
    y
}

impl Processor for DeEsser {
    fn prepare(&mut self, rate: f64, channels: usize, _max_block: usize) {
        self.rate = rate;
        self.state = vec![[0.0; 4]; channels];
        self.high = vec![0.0; channels];
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let channels = audio.len().min(self.state.len());
        for i in 0..frames {
            let mut peak = 0.0f64;
            for c in 0..channels {
                let h = high_pass(&self.coeffs, &mut self.state[c], audio[c][i] as f64);
                self.high[c] = h;
                peak = peak.max(h.abs());
            }
            let g = self.band_gain(peak);
            if g == 1.0 {
                continue; // Nothing to take away: the input passes untouched.
            }
            for c in 0..channels {
                audio[c][i] = to_output(audio[c][i] as f64 - (1.0 - g) * self.high[c]);
            }
        }
    }

    fn reset(&mut self) {
        self.freq = self.spec.freq;
        self.design();
        self.threshold.reset(self.spec.threshold);
        self.ratio.reset(self.spec.ratio);
        self.range.reset(self.spec.range);
        self.smoother.set_times(self.spec.attack, self.spec.release, self.rate);
        self.smoother.reset();
        self.state.iter_mut().for_each(|s| *s = [0.0; 4]);
    }

    fn tail(&self) -> usize {
        self.coeffs.tail_frames()
    }

    /// Parameters: 0 freq (jumps: the split stays exact), 1 threshold, 2 ratio,
    /// 3 range (these glide), 4 attack, 5 release.
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            0 => {
                self.freq = value;
                self.design();
            }
            1 => glide(&mut self.threshold, value, self.rate),
            2 => glide(&mut self.ratio, value, self.rate),
            3 => glide(&mut self.range, value, self.rate),
            4 => self.smoother.down = super::coefficient(value, self.rate),
            5 => self.smoother.up = super::coefficient(value, self.rate),
            _ => {}
        }
    }
}

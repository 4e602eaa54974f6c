//! The feed-forward compressor/expander engine ([`Dynamics`]) behind
//! `compressor`, `expander` and `gate`.
//!
//! Per frame: the detector level x_G (peak: 20·log10 of the largest |sample|
//! across channels, so stereo is linked; rms: see [`RmsLevel`]) of the audio,
//! or of the sidechain `key` when one is given; the static gain
//! y_G − x_G from the [`Curve`]; the smooth branching detector in the log
//! domain ([`GainSmoother`]); then the make-up gain, and `mix` blends the
//! processed signal with the dry one (parallel compression):
//! out = x·((1 − mix) + mix·10^((gain + makeup)/20)).
//!
//! Attack and release are time constants: α = exp(−1/(τ·fs)), so the gain
//! covers 1 − 1/e (63.2 %) of a step in dB in τ. For a compressor attack is
//! the falling gain; for an expander or gate attack is the *rising* gain
//! (opening) and release the falling one (closing).
//!
//! Make-up gain when `makeup` is not given: −(y_G(0 dBFS) − 0), the gain that
//! brings a 0 dBFS signal back to 0 dBFS: −T(1 − 1/R) for a hard knee
//! (see [`Curve::auto_makeup`]). It follows threshold, ratio and knee automation.

use super::detector::{GainSmoother, RmsLevel};
use super::gain_computer::{Curve, Side};
use super::{frame_peak, frame_peak_mut, glide, level_db};
use crate::dsp::gain::Smoother;
use crate::dsp::{to_output, Processor};

/// How the detector measures level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detect {
    Peak,
    Rms,
}

/// What a `set_param` index refers to, per processor (its registry order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Threshold,
    Ratio,
    Knee,
    Range,
    Attack,
    Hold,
    Release,
    Makeup,
    Mix,
    /// Not automatable (a choice or a sidechain key).
    Fixed,
}

/// Settings of a [`Dynamics`] processor, in dB, seconds, plain ratio and fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DynamicsSpec {
    pub curve: Curve,
    pub attack: f64,
    pub hold: f64,
    pub release: f64,
    /// `None`: automatic make-up (compression only).
    pub makeup: Option<f64>,
    pub detect: Detect,
    pub mix: f64,
}

impl DynamicsSpec {
    /// A compressor with a hard knee, auto make-up, peak detection, 100 % mix.
    pub fn compressor(threshold: f64, ratio: f64, attack: f64, release: f64) -> DynamicsSpec {
        let curve = Curve { side: Side::Above, threshold, ratio, knee: 0.0, range: f64::NEG_INFINITY };
        DynamicsSpec { curve, attack, hold: 0.0, release, makeup: None, detect: Detect::Peak, mix: 1.0 }
    }
}

/// Smoothed, automatable values of the curve and output stage.
#[derive(Debug, Clone)]
struct Live {
    threshold: Smoother,
    ratio: Smoother,
    knee: Smoother,
    range: Smoother,
    makeup: Option<Smoother>,
    mix: Smoother,
}

impl Live {
    fn new(spec: &DynamicsSpec) -> Live {
        let c = &spec.curve;
        Live {
            threshold: Smoother::new(c.threshold),
            ratio: Smoother::new(c.ratio),
            knee: Smoother::new(c.knee),
            range: Smoother::new(c.range),
            makeup: spec.makeup.map(Smoother::new),
            mix: Smoother::new(spec.mix),
        }
    }

    /// The curve where the glides are now, without advancing them.
    fn curve_now(&self, side: Side) -> Curve {
        Curve {
            side,
            threshold: self.threshold.current(),
            ratio: self.ratio.current(),
            knee: self.knee.current(),
            range: self.range.current(),
        }
    }

    /// Whether any setting is still gliding to an automated value.
    fn is_ramping(&self) -> bool {
        [&self.threshold, &self.ratio, &self.knee, &self.range, &self.mix].iter().any(|s| s.is_ramping())
            || self.makeup.as_ref().is_some_and(|m| m.is_ramping())
    }

    /// Advances every glide one frame; returns the curve, make-up (dB) and mix.
    #[inline]
    fn next(&mut self, side: Side) -> (Curve, f64, f64) {
        let curve = Curve {
            side,
            threshold: self.threshold.next(),
            ratio: self.ratio.next(),
            knee: self.knee.next(),
            range: self.range.next(),
        };
        let makeup = match &mut self.makeup {
            Some(m) => m.next(),
            None => curve.auto_makeup(),
        };
        (curve, makeup, self.mix.next())
    }
}

/// A compressor, expander or gate (see the module docs).
#[derive(Debug, Clone)]
pub struct Dynamics {
    spec: DynamicsSpec,
    fields: &'static [Field],
    live: Live,
    /// Attack, hold and release now (automation changes them; `reset` restores `spec`'s).
    times: [f64; 3],
    smoother: GainSmoother,
    rms: RmsLevel,
    rate: f64,
    /// The last gain in dB and its linear factor.
    last_db: f64,
    last_factor: f64,
}

impl Dynamics {
    /// A processor with `spec`; `fields` maps `set_param` indices to settings.
    pub fn new(spec: DynamicsSpec, fields: &'static [Field]) -> Dynamics {
        let live = Live::new(&spec);
        let times = [spec.attack, spec.hold, spec.release];
        let smoother = GainSmoother::new();
        Dynamics {
            spec,
            fields,
            live,
            times,
            smoother,
            rms: RmsLevel::default(),
            rate: 0.0,
            last_db: 0.0,
            last_factor: 1.0,
        }
    }

    /// The smoothed gain in dB (before make-up), for tests and meters.
    pub fn gain_db(&self) -> f64 {
        self.smoother.value()
    }

    fn set_times(&mut self) {
        let [attack, hold, release] = self.times;
        let (down, up) = match self.spec.curve.side {
            Side::Above => (attack, release),
            Side::Below => (release, attack),
        };
        self.smoother.set_times(down, up, self.rate);
        self.smoother.hold = Smoother::ramp_frames(hold, self.rate);
    }

    /// The gain factor for one frame whose detector magnitude is `magnitude`.
    #[inline]
    fn frame_gain(&mut self, magnitude: f64) -> f64 {
        let (curve, makeup, mix) = self.live.next(self.spec.curve.side);
        self.frame_gain_with(magnitude, &curve, makeup, mix)
    }

    /// [`Dynamics::frame_gain`] with the curve, make-up and mix given (they
    /// are constant over a block when no parameter is gliding).
    #[inline]
    fn frame_gain_with(&mut self, magnitude: f64, curve: &Curve, makeup: f64, mix: f64) -> f64 {
        let level = match self.spec.detect {
            Detect::Peak => level_db(magnitude),
            Detect::Rms => self.rms.next(magnitude),
        };
        let gain_db = self.smoother.next(curve.gain(level)) + makeup;
        // Held or settled gains repeat exactly: skip the exponential then.
        if gain_db.to_bits() != self.last_db.to_bits() {
            self.last_db = gain_db;
            self.last_factor = crate::dsp::fastmath::from_db(gain_db);
        }
        (1.0 - mix) + mix * self.last_factor
    }
}

impl Processor for Dynamics {
    fn prepare(&mut self, rate: f64, _channels: usize, _max_block: usize) {
        self.rate = rate;
        self.rms.prepare(rate);
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let side = self.spec.curve.side;
        // No glide under way: the curve is the same for every frame of the block.
        let steady = (!self.live.is_ramping()).then(|| {
            let curve = self.live.curve_now(side);
            let makeup = self.live.makeup.as_ref().map_or_else(|| curve.auto_makeup(), |m| m.current());
            (curve, makeup, self.live.mix.current())
        });
        for i in 0..frames {
            let magnitude = match key {
                Some(k) => frame_peak(k, i),
                None => frame_peak_mut(audio, i),
            };
            let g = match &steady {
                Some((curve, makeup, mix)) => self.frame_gain_with(magnitude, curve, *makeup, *mix),
                None => self.frame_gain(magnitude),
            };
            for ch in audio.iter_mut() {
                ch[i] = to_output(ch[i] as f64 * g);
            }
        }
    }

    fn reset(&mut self) {
        self.live = Live::new(&self.spec);
        self.times = [self.spec.attack, self.spec.hold, self.spec.release];
        self.set_times();
        self.smoother.reset();
        self.rms.reset();
    }

    fn set_param(&mut self, index: usize, value: f64) {
        let rate = self.rate;
        let live = &mut self.live;
        match self.fields.get(index).copied().unwrap_or(Field::Fixed) {
            Field::Threshold => glide(&mut live.threshold, value, rate),
            Field::Ratio => glide(&mut live.ratio, value, rate),
            Field::Knee => glide(&mut live.knee, value, rate),
            Field::Range => glide(&mut live.range, value, rate),
            Field::Mix => glide(&mut live.mix, value, rate),
            Field::Makeup => {
                let auto = live.curve_now(self.spec.curve.side).auto_makeup();
                glide(live.makeup.get_or_insert_with(|| Smoother::new(auto)), value, rate);
            }
            Field::Attack => self.times[0] = value,
            Field::Hold => self.times[1] = value,
            Field::Release => self.times[2] = value,
            Field::Fixed => {}
        }
        self.set_times();
    }
}

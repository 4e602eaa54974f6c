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
//!
//! ## Block-wise processing
//!
//! Only two steps carry state from frame to frame: the gain smoother (and the
//! RMS mean square). Everything else is a pure function of the frame's own
//! samples and parameters. So [`Dynamics::process`] cuts the block into
//! chunks of `CHUNK` (64) frames and runs each stage over a whole chunk before
//! the next, in stack buffers: the peak across channels, the level in dB
//! (the polynomial log of [`crate::dsp::fastmath`]), the static gain
//! ([`Shape`]: the curve with selects instead of branches), then the serial
//! smoothing recursion alone, then make-up, dB → linear and the blend, and
//! the multiply. The pure stages are branch-free, so the compiler vectorises
//! them; the serial loop is a select, a multiply-add and a flush per frame.
//!
//! Every frame still goes through the same operations in the same order as
//! frame-by-frame processing would: no sum or other reduction crosses frames.
//! Chunk boundaries therefore change nothing, and the output does not depend
//! on the block length (the contract test runs blocks of 1, 17 and ragged
//! ones against one call). Parameters glide per frame as before: when a glide
//! is under way the chunk's curves are built frame by frame
//! ([`Smoother::fill`] gives the same values as `next`), otherwise one curve
//! serves the whole chunk.

use super::detector::{GainSmoother, RmsLevel};
use super::gain_computer::{Curve, Shape, ShapeLanes, Side, SHAPE_FIELDS};
use super::{block_peak, glide, level_lanes, rms_level_lanes};
use crate::dsp::fastmath::from_db_lanes;
use crate::dsp::gain::Smoother;
#[cfg(target_arch = "x86_64")]
use crate::dsp::lanes_f32::F32x8;
use crate::dsp::lanes_f32::{has_avx2, F32x4, Lanes};
use crate::dsp::Processor;

/// Frames each stage of [`Dynamics::process`] runs over before the next
/// (a multiple of 8, the most f32 lanes).
const CHUNK: usize = 64;

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

    /// The make-up gain (dB) for `curve`: the glide's, or automatic.
    fn makeup_for(makeup: Option<f64>, curve: &Curve) -> f64 {
        makeup.unwrap_or_else(|| curve.auto_makeup())
    }

    /// When no glide is under way: the curve's shape and the make-up and mix,
    /// the same for every frame of a chunk.
    fn steady(&self, side: Side) -> Option<(Shape, f64, f64)> {
        if self.is_ramping() {
            return None;
        }
        let curve = self.curve_now(side);
        let makeup = Live::makeup_for(self.makeup.as_ref().map(|m| m.current()), &curve);
        Some((Shape::new(&curve), makeup, self.mix.current()))
    }

    /// While a glide is under way: the settings of the next `n` frames,
    /// advancing every glide one frame per frame ([`Smoother::fill`] gives
    /// the values `next` would). Frame by frame the same values as
    /// [`steady`](Live::steady) once the glides are over.
    fn ramp(&mut self, side: Side, n: usize, ramp: &mut Ramp) {
        let mut lanes = [[0.0f64; CHUNK]; 5];
        let [threshold, ratio, knee, range, mix] = &mut lanes;
        self.threshold.fill(&mut threshold[..n]);
        self.ratio.fill(&mut ratio[..n]);
        self.knee.fill(&mut knee[..n]);
        self.range.fill(&mut range[..n]);
        self.mix.fill(&mut mix[..n]);
        if let Some(m) = &mut self.makeup {
            m.fill(&mut ramp.makeup[..n]);
        }
        for i in 0..n {
            let curve = Curve { side, threshold: threshold[i], ratio: ratio[i], knee: knee[i], range: range[i] };
            for (field, v) in ramp.shape.iter_mut().zip(Shape::new(&curve).fields_f32()) {
                field[i] = v;
            }
            if self.makeup.is_none() {
                ramp.makeup[i] = curve.auto_makeup();
            }
            ramp.mix[i] = mix[i] as f32;
        }
    }
}

/// Per-frame settings of a chunk while a glide is under way.
struct Ramp {
    /// The curve's [`Shape`], field by field (see [`Shape::fields_f32`]).
    shape: [[f32; CHUNK]; SHAPE_FIELDS],
    makeup: [f64; CHUNK],
    mix: [f32; CHUNK],
}

/// The settings of a chunk as the stages read them: for each frame
/// (make-up) or each group of `L::N` frames at a multiple of `L::N`
/// (shape, mix). A trait rather than closures: closures may stay calls, and
/// then AVX2 lanes would not be inlined into AVX2 code.
trait Settings<L: Lanes> {
    fn shape(&self, i: usize) -> ShapeLanes<L>;
    fn makeup(&self, i: usize) -> f64;
    fn mix(&self, i: usize) -> L;
}

/// The same settings for every frame.
struct Fixed<L> {
    shape: ShapeLanes<L>,
    makeup: f64,
    mix: L,
}

impl<L: Lanes> Settings<L> for Fixed<L> {
    #[inline(always)]
    fn shape(&self, _: usize) -> ShapeLanes<L> {
        self.shape
    }
    #[inline(always)]
    fn makeup(&self, _: usize) -> f64 {
        self.makeup
    }
    #[inline(always)]
    fn mix(&self, _: usize) -> L {
        self.mix
    }
}

impl<L: Lanes> Settings<L> for Ramp {
    #[inline(always)]
    fn shape(&self, i: usize) -> ShapeLanes<L> {
        ShapeLanes::load(&self.shape, i)
    }
    #[inline(always)]
    fn makeup(&self, i: usize) -> f64 {
        self.makeup[i]
    }
    #[inline(always)]
    fn mix(&self, i: usize) -> L {
        L::load(&self.mix[i..])
    }
}

/// The stages of one chunk after the peak detector: `buf[..n]` holds the
/// detector magnitudes and receives the gain factors, `L::N` frames at a
/// time (lanes past `n` compute on zeros and are never read).
#[inline(always)]
fn gain_factors<L: Lanes>(
    buf: &mut [f32; CHUNK],
    n: usize,
    detect: Detect,
    smoother: &mut GainSmoother,
    rms: &mut RmsLevel,
    settings: &impl Settings<L>,
) {
    let groups = (0..n).step_by(L::N);
    // Level in dB, then the static gain.
    match detect {
        Detect::Peak => {
            for i in groups.clone() {
                settings.shape(i).gain(level_lanes(L::load(&buf[i..]))).store(&mut buf[i..]);
            }
        }
        Detect::Rms => {
            // The mean square is serial (f64); its log is not.
            for v in &mut buf[..n] {
                *v = rms.mean_square(*v as f64).min(f32::MAX as f64) as f32;
            }
            for i in groups.clone() {
                settings.shape(i).gain(rms_level_lanes(L::load(&buf[i..]))).store(&mut buf[i..]);
            }
        }
    }
    // The serial step: smoothing, plus the make-up.
    smoother.run(&mut buf[..n], |i| settings.makeup(i));
    // dB → linear and the dry/wet blend: (1 − mix) + mix·10^(dB/20).
    let one = L::splat(1.0);
    let first = buf[0];
    if buf[..n].iter().all(|v| v.to_bits() == first.to_bits()) {
        // Held or settled gains repeat exactly: one exponential for all.
        let factor = from_db_lanes(L::splat(first));
        for i in groups {
            let m = settings.mix(i);
            ((one - m) + m * factor).store(&mut buf[i..]);
        }
    } else {
        for i in groups {
            let m = settings.mix(i);
            ((one - m) + m * from_db_lanes(L::load(&buf[i..]))).store(&mut buf[i..]);
        }
    }
}

/// `x[i]·factor[i]` into `x`, `L::N` frames at a time in f32: like
/// [`to_output`](crate::dsp::to_output)(x·g) — the f32 product is the exact
/// product correctly rounded, saturated at ±`f32::MAX` and flushed to +0
/// below the smallest normal f32 — except that a product just under the
/// smallest normal that rounds up to it is kept, and a NaN becomes 0.
#[inline(always)]
fn apply<L: Lanes>(x: &mut [f32], factor: &[f32; CHUNK]) {
    // A function, not a closure: closures may stay calls, and then the
    // AVX2 lanes would not be inlined into AVX2 code.
    #[inline(always)]
    fn scale<L: Lanes>(q: &mut [f32], factor: &[f32]) {
        let c = L::splat;
        // `maxps`/`minps` return their second operand when either is NaN, so
        // a NaN product passes the limits and then fails the ordered compare
        // of the flush: it comes out as 0, never as a full-scale spike.
        let y = c(f32::MAX).min(c(-f32::MAX).max(L::load(q) * L::load(factor)));
        // Kept where |y| ≥ the smallest normal, i.e. > the largest subnormal.
        let largest_subnormal = f32::from_bits(f32::MIN_POSITIVE.to_bits() - 1);
        y.bits_and(0x7fff_ffff).gt_select(c(largest_subnormal), y, c(0.0)).store(q);
    }
    let mut groups = x.chunks_exact_mut(L::N);
    let mut i = 0;
    for q in &mut groups {
        scale::<L>(q, &factor[i..]);
        i += L::N;
    }
    // The last few frames through the same lanes, so every frame gets the
    // same arithmetic wherever the block ends.
    let rest = groups.into_remainder();
    if !rest.is_empty() {
        let mut q = [0.0f32; 8];
        q[..rest.len()].copy_from_slice(rest);
        scale::<L>(&mut q, &factor[i..]);
        rest.copy_from_slice(&q[..rest.len()]);
    }
}

/// The settings of a chunk when no glide is under way, kept until a
/// parameter changes.
#[derive(Debug, Clone, Copy)]
struct Steady {
    shape: Shape,
    makeup: f64,
    mix: f64,
    /// [`Shape::zero_band`].
    zero_band: (f32, f32),
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
    /// The steady settings, once computed (cleared by `set_param` and `reset`).
    steady: Option<Steady>,
    /// Eight lanes at a time (AVX2) rather than four (SSE2): the same bits.
    wide: bool,
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
            steady: None,
            wide: has_avx2(),
        }
    }

    /// Uses four lanes even where eight would run (to test they agree).
    #[cfg(test)]
    pub(crate) fn narrow(mut self) -> Dynamics {
        self.wide = false;
        self
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

    /// The steady settings for this chunk, or `None` while a glide is under way.
    fn steady(&mut self) -> Option<Steady> {
        if self.steady.is_none() {
            let side = self.spec.curve.side;
            self.steady = self.live.steady(side).map(|(shape, makeup, mix)| Steady {
                shape,
                makeup,
                mix,
                zero_band: shape.zero_band(),
            });
        }
        self.steady
    }

    /// The whole block, `L::N` lanes at a time.
    #[inline(always)]
    fn process_lanes<L: Lanes>(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let mut start = 0;
        while start < frames {
            let end = frames.min(start + CHUNK);
            self.process_chunk::<L>(audio, key, start, end);
            start = end;
        }
    }

    /// [`process_lanes`](Dynamics::process_lanes) with eight lanes, compiled for AVX2.
    ///
    /// # Safety
    /// The CPU must have AVX2 (`has_avx2`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn process_wide(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        self.process_lanes::<F32x8>(audio, key)
    }

    /// One chunk of at most `CHUNK` frames, `start..end` of the block (see
    /// the module docs).
    #[inline(always)]
    fn process_chunk<L: Lanes>(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>, start: usize, end: usize) {
        let n = end - start;
        // Past `n`, lanes compute on zeros and are never read.
        let mut buf = [0.0f32; CHUNK];
        // Detector magnitude: the largest |sample| across channels (stereo link).
        match key {
            Some(k) => block_peak::<L>(&mut buf, k.iter().map(|ch| ch.get(start..end.min(ch.len())).unwrap_or(&[]))),
            None => block_peak::<L>(&mut buf, audio.iter().map(|ch| &ch[start..end])),
        }
        let (side, detect) = (self.spec.curve.side, self.spec.detect);
        match self.steady() {
            Some(Steady { shape, makeup, mix, zero_band: (lo, hi) }) => {
                // No glide under way: one curve for the whole chunk.
                let settings = Fixed { shape: ShapeLanes::<L>::splat(&shape), makeup, mix: L::splat(mix as f32) };
                let (smoother, rms) = (&mut self.smoother, &mut self.rms);
                let idle = || buf[..n].iter().fold(true, |ok, m| ok & (*m > lo) & (*m < hi));
                if detect == Detect::Peak && smoother.at_rest() && idle() {
                    // Every static gain is exactly 0 dB (see `Shape::zero_band`)
                    // and the gain rests there: the frames' factor, computed
                    // once, with no logs.
                    smoother.rest();
                    let db = L::splat((0.0 + makeup) as f32);
                    let mut factor = [0.0f32; 8];
                    let mix = settings.mix;
                    ((L::splat(1.0) - mix) + mix * from_db_lanes(db)).store(&mut factor);
                    buf.fill(factor[0]);
                } else {
                    gain_factors(&mut buf, n, detect, smoother, rms, &settings);
                }
            }
            None => {
                // A glide under way: settings frame by frame.
                let mut ramp = Ramp { shape: [[0.0; CHUNK]; SHAPE_FIELDS], makeup: [0.0; CHUNK], mix: [0.0; CHUNK] };
                self.live.ramp(side, n, &mut ramp);
                gain_factors::<L>(&mut buf, n, detect, &mut self.smoother, &mut self.rms, &ramp);
            }
        }
        for ch in audio.iter_mut() {
            apply::<L>(&mut ch[start..end], &buf);
        }
    }
}

impl Processor for Dynamics {
    fn prepare(&mut self, rate: f64, _channels: usize, _max_block: usize) {
        self.rate = rate;
        self.rms.prepare(rate);
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is only set when the CPU has AVX2.
            unsafe { self.process_wide(audio, key) };
            return;
        }
        self.process_lanes::<F32x4>(audio, key)
    }

    fn reset(&mut self) {
        self.steady = None;
        self.live = Live::new(&self.spec);
        self.times = [self.spec.attack, self.spec.hold, self.spec.release];
        self.set_times();
        self.smoother.reset();
        self.rms.reset();
    }

    fn set_param(&mut self, index: usize, value: f64) {
        self.steady = None;
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

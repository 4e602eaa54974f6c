//! The lookahead brick-wall limiter (STANDARDS §4.2), with optional 4×
//! true-peak detection (§4.3).
//!
//! Per frame n: the detector gives the peak of the input around frame n
//! (the sample itself, or with `true_peak` the 4× oversampled points, see
//! [`super::true_peak`]); the required gain is r[n] = min(1, ceiling/peak).
//! The audio is delayed by L frames (the lookahead, reported as `latency`).
//! A running minimum of r over W frames, a one-pole release on rising gain,
//! then a moving mean over M frames give the gain g, applied to the delayed
//! audio: out[m] = g[m]·x[m − L].
//!
//! Why it never overshoots: g[m] is a mean of M minima, each over W frames,
//! so g[m] ≤ r[n] for every m in [n + M − 1, n + W − 1]. When r[n] covers
//! input frames n + a ..= n + b, those leave the delay line at m = n + L + a
//! ..= n + L + b, so M = L + a + 1 and W = L + b + 1. Sample peaks: a = b = 0.
//! True peaks: frame n reports on x[n − CENTRE] and the points after it; the
//! gain must also be down on [`NEIGHBOURS`] frames either side, because the
//! interpolated output between samples depends on its neighbours' gains.
//!
//! True-peak mode aims [`TRUE_PEAK_MARGIN_DB`] under the ceiling: gain
//! applied at 1× still bends the waveform between samples a little, and
//! another meter's interpolator reads slightly differently. A final clamp
//! guards the last unit of f32 rounding of sample peaks; in tests it never
//! has to act by more than rounding (see `clamped`).

use super::block_peak;
use super::true_peak::{TruePeak, CENTRE};
use super::window::{MinWindow, MovingMean};
use super::{coefficient, glide};
use crate::dsp::gain::Smoother;
use crate::dsp::lanes_f32::F32x4;
use crate::dsp::{db_to_gain, to_output, Processor};

/// Frames either side of a true peak over which the gain is held down.
pub const NEIGHBOURS: usize = 4;
/// How far under the ceiling true-peak mode aims, in dB.
pub const TRUE_PEAK_MARGIN_DB: f64 = 0.3;

/// Settings of a [`Limiter`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterSpec {
    /// Ceiling in dB (dBFS, or dBTP when `true_peak`).
    pub ceiling: f64,
    /// Lookahead in seconds.
    pub lookahead: f64,
    /// Release time constant in seconds (1 − 1/e convention).
    pub release: f64,
    /// Detect on the 4× oversampled signal.
    pub true_peak: bool,
}

/// A stereo-linked lookahead limiter.
#[derive(Debug, Clone)]
pub struct Limiter {
    spec: LimiterSpec,
    rate: f64,
    lookahead: usize,
    ceiling: Smoother,
    release_alpha: f64,
    detector: TruePeak,
    min: MinWindow,
    mean: MovingMean,
    held: f64,
    /// Per channel the audio delay line; a last ring holds each frame's ceiling.
    delay: Vec<Vec<f64>>,
    pos: usize,
    /// Frames where the final clamp changed a sample by more than rounding.
    pub(crate) clamped: u64,
}

impl Limiter {
    pub fn new(spec: LimiterSpec) -> Limiter {
        Limiter {
            spec,
            rate: 0.0,
            lookahead: 0,
            ceiling: Smoother::new(linear_ceiling(&spec, spec.ceiling)),
            release_alpha: 0.0,
            detector: TruePeak::new(0),
            min: MinWindow::new(1),
            mean: MovingMean::new(1, 1.0),
            held: 1.0,
            delay: Vec::new(),
            pos: 0,
            clamped: 0,
        }
    }

    /// Frames covered by one detection, relative to its frame: (a, b).
    fn span(&self) -> (usize, usize) {
        if self.spec.true_peak {
            (CENTRE + NEIGHBOURS, (CENTRE - 1).saturating_sub(NEIGHBOURS))
        } else {
            (0, 0)
        }
    }

    /// Computes the gain for the frame just detected with peak `peak`.
    #[inline]
    fn gain(&mut self, peak: f64, ceiling: f64) -> f64 {
        let required = if peak > ceiling { ceiling / peak } else { 1.0 };
        let m = self.min.push(required);
        // One-pole release towards a rising minimum; falls are followed at once
        // (the moving mean makes them smooth). Snap when within 1e-12.
        let h = self.held + (1.0 - self.release_alpha) * (m - self.held);
        self.held = if m - h < 1e-12 { m } else { h.min(m) };
        self.mean.push(self.held)
    }
}

/// The linear level the limiter aims at for a ceiling of `db`.
fn linear_ceiling(spec: &LimiterSpec, db: f64) -> f64 {
    let margin = if spec.true_peak { TRUE_PEAK_MARGIN_DB } else { 0.0 };
    db_to_gain(db.min(24.0) - margin)
}

impl Processor for Limiter {
    fn prepare(&mut self, rate: f64, channels: usize, _max_block: usize) {
        self.rate = rate;
        let (before, after) = self.span();
        // The lookahead must at least cover the detector's span.
        let wanted = Smoother::ramp_frames(self.spec.lookahead, rate) as usize;
        self.lookahead = wanted.max(before).max(1);
        self.release_alpha = coefficient(self.spec.release, rate);
        self.detector = TruePeak::new(channels);
        self.min = MinWindow::new(self.lookahead + 1 - after);
        self.mean = MovingMean::new(self.lookahead + 1 - before, 1.0);
        self.delay = vec![vec![0.0; self.lookahead]; channels + 1];
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        let frames = audio.first().map_or(0, |ch| ch.len());
        let mut start = 0;
        while start < frames {
            let end = frames.min(start + CHUNK);
            self.process_chunk(audio, start, end);
            start = end;
        }
    }

    fn reset(&mut self) {
        let c = self.ceiling.target();
        self.ceiling.reset(c);
        self.detector.reset();
        self.min.reset();
        self.mean.reset();
        self.held = 1.0;
        let rings = self.delay.len();
        for (k, ring) in self.delay.iter_mut().enumerate() {
            ring.fill(if k + 1 == rings { c } else { 0.0 });
        }
        self.pos = 0;
        self.clamped = 0;
    }

    fn latency(&self) -> usize {
        self.lookahead
    }

    /// Parameters: 0 ceiling (dB), 1 lookahead (fixed: it sets the latency), 2 release (s).
    fn set_param(&mut self, index: usize, value: f64) {
        match index {
            0 => glide(&mut self.ceiling, linear_ceiling(&self.spec, value), self.rate),
            2 => self.release_alpha = coefficient(value, self.rate),
            _ => {}
        }
    }
}

/// Frames each stage of [`Limiter::process`] runs over before the next (a
/// multiple of 8, the most f32 lanes of [`block_peak`]).
const CHUNK: usize = 64;

impl Limiter {
    /// One chunk, `start..end` of the block, stage by stage: the ceilings,
    /// the detector, the gains (serial: running minimum, release, moving
    /// mean), then the delay lines channel by channel. Every frame goes
    /// through the same operations as it would alone, so chunks change
    /// nothing.
    fn process_chunk(&mut self, audio: &mut [&mut [f32]], start: usize, end: usize) {
        let n = end - start;
        let channels = audio.len().min(self.delay.len().saturating_sub(1));
        let mut ceiling = [0.0f64; CHUNK];
        self.ceiling.fill(&mut ceiling[..n]);
        let mut gain = [0.0f64; CHUNK];
        if self.spec.true_peak {
            for (i, g) in gain[..n].iter_mut().enumerate() {
                *g = self.detector.push(|c| audio.get(c).and_then(|ch| ch.get(start + i)).map_or(0.0, |x| *x as f64));
            }
        } else {
            // The largest |sample| across channels, as `frame_peak_mut` (exact in f32).
            let mut peak = [0.0f32; CHUNK];
            block_peak::<F32x4>(&mut peak, audio.iter().map(|ch| &ch[start..end]));
            gain.iter_mut().zip(peak).for_each(|(g, p)| *g = p as f64);
        }
        for (g, c) in gain[..n].iter_mut().zip(&ceiling) {
            *g = self.gain(*g, *c);
        }
        // The delay lines: ring positions pos.. for the chunk, in runs that
        // do not wrap. The last ring holds each frame's ceiling, so the
        // output is clamped to the ceiling of the frame it came in with.
        let mut out_ceiling = [0.0f64; CHUNK];
        let (ring_len, pos) = (self.lookahead, self.pos);
        let runs = |f: &mut dyn FnMut(usize, usize, usize)| {
            let (mut i, mut p) = (0, pos);
            while i < n {
                let len = (n - i).min(ring_len - p);
                f(i, p, len);
                i += len;
                p = if p + len == ring_len { 0 } else { p + len };
            }
        };
        let ceilings = &mut self.delay[channels];
        runs(&mut |i, p, len| {
            for ((o, r), c) in out_ceiling[i..i + len].iter_mut().zip(&mut ceilings[p..p + len]).zip(&ceiling[i..]) {
                *o = std::mem::replace(r, *c);
            }
        });
        for (c, ch) in audio.iter_mut().enumerate().take(channels) {
            let (ring, clamped) = (&mut self.delay[c], &mut self.clamped);
            let ch = &mut ch[start..end];
            runs(&mut |i, p, len| {
                let frames = ch[i..i + len].iter_mut().zip(&mut ring[p..p + len]);
                for ((x, r), (g, limit)) in frames.zip(gain[i..].iter().zip(&out_ceiling[i..])) {
                    let delayed = std::mem::replace(r, *x as f64);
                    *x = clamp(delayed * g, *limit, clamped);
                }
            });
        }
        self.pos = (pos + n) % ring_len;
    }
}

/// Rounds to f32 and keeps |y| ≤ ceiling against the last rounding step,
/// counting in `clamped` the samples it had to move by more than rounding.
#[inline]
fn clamp(y: f64, ceiling: f64, clamped: &mut u64) -> f32 {
    let limit = ceiling as f32;
    // The f32 nearest the ceiling may lie just above it: step one below.
    let limit = if limit as f64 > ceiling { f32::from_bits(limit.to_bits() - 1) } else { limit };
    let out = to_output(y);
    if out.abs() <= limit {
        return out;
    }
    if y.abs() > ceiling * (1.0 + 1e-9) {
        *clamped += 1;
    }
    limit.copysign(out)
}

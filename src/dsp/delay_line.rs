//! Building blocks for the time-based processors: a circular [`DelayLine`]
//! with integer and fractional reads, and a per-sample biquad [`Section`].
//!
//! State is f64: a feedback loop recirculates its own rounding error, and at
//! f32 that error would be audible as noise in a long reverb tail.

use super::flush;
use super::rbj::{coefficients, BiquadSpec, Coeffs};

/// A circular buffer of past samples. `read(d)` returns the sample written
/// `d` frames before the most recent `write` (`d = 0` is that sample).
#[derive(Clone, Debug, Default)]
pub struct DelayLine {
    buf: Vec<f64>,
    /// Index of the most recent write.
    pos: usize,
}

impl DelayLine {
    /// A line able to return samples up to `max_delay` frames old (allocates).
    pub fn new(max_delay: usize) -> DelayLine {
        DelayLine { buf: vec![0.0; max_delay + 2], pos: 0 }
    }

    /// The oldest delay, in frames, this line can return.
    pub fn capacity(&self) -> usize {
        self.buf.len().saturating_sub(2)
    }

    /// Clears the history.
    pub fn clear(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }

    /// Stores the next sample (flushed of near-denormal values).
    #[inline(always)]
    pub fn write(&mut self, x: f64) {
        if self.buf.is_empty() {
            return;
        }
        self.pos = if self.pos + 1 == self.buf.len() { 0 } else { self.pos + 1 };
        self.buf[self.pos] = flush(x);
    }

    /// The sample written `d` frames before the latest (clamped to the capacity).
    #[inline(always)]
    pub fn read(&self, d: usize) -> f64 {
        let len = self.buf.len();
        if len == 0 {
            return 0.0;
        }
        let d = d.min(len - 1);
        let i = if self.pos >= d { self.pos - d } else { self.pos + len - d };
        self.buf[i]
    }

    /// A fractional delay by linear interpolation. A whole-number `d` reads
    /// one sample with weight exactly 1, so integer delays are exact.
    #[inline(always)]
    pub fn read_frac(&self, d: f64) -> f64 {
        let d = d.clamp(0.0, self.capacity() as f64);
        let whole = d.floor();
        let frac = d - whole;
        let a = self.read(whole as usize);
        if frac == 0.0 {
            a
        } else {
            a + (self.read(whole as usize + 1) - a) * frac
        }
    }
}

/// One RBJ biquad run a sample at a time (Direct Form I, f64), for use inside
/// feedback loops where a block-based filter cannot go.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    c: Coeffs,
    x1: f64,
    x2: f64,
    y1: f64,
    y2: f64,
}

impl Section {
    /// The filter `spec` designed at `rate` Hz, at rest.
    pub fn new(spec: &BiquadSpec, rate: f64) -> Section {
        Section { c: coefficients(spec, rate), x1: 0.0, x2: 0.0, y1: 0.0, y2: 0.0 }
    }

    /// The filter's coefficients.
    pub fn coeffs(&self) -> Coeffs {
        self.c
    }

    /// Clears the state.
    pub fn clear(&mut self) {
        *self = Section { c: self.c, x1: 0.0, x2: 0.0, y1: 0.0, y2: 0.0 };
    }

    /// Filters one sample.
    #[inline(always)]
    pub fn tick(&mut self, x: f64) -> f64 {
        let c = &self.c;
        let y = c.b0 * x + c.b1 * self.x1 + c.b2 * self.x2 - c.a1 * self.y1 - c.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = flush(y);
        self.y1
    }
}

/// A Schroeder all-pass: flat magnitude, smeared phase; it turns a click
/// into a dense burst, which is what a reverb's input diffusion wants.
#[derive(Clone, Debug, Default)]
pub struct Allpass {
    line: DelayLine,
    delay: usize,
    g: f64,
}

impl Allpass {
    /// An all-pass of `delay` frames (at least 1) and coefficient `g` (allocates).
    pub fn new(delay: usize, g: f64) -> Allpass {
        let delay = delay.max(1);
        Allpass { line: DelayLine::new(delay), delay, g }
    }

    /// Frames until its ringing falls by 90 dB.
    pub fn ring_frames(&self) -> usize {
        let loops = (3.2e-5f64.ln() / self.g.abs().max(1e-3).ln()).ceil().max(1.0);
        self.delay * (loops as usize + 1)
    }

    /// Clears the state.
    pub fn clear(&mut self) {
        self.line.clear();
    }

    /// Filters one sample: w = x + g·w[n−M], y = −g·w + w[n−M].
    #[inline(always)]
    pub fn tick(&mut self, x: f64) -> f64 {
        let old = self.line.read(self.delay - 1);
        let w = x + self.g * old;
        self.line.write(w);
        old - self.g * w
    }
}

/// Frames in `seconds` at `rate` Hz, rounded to the nearest frame; negative,
/// NaN or infinite times give 0.
pub fn frames(seconds: f64, rate: f64) -> usize {
    let f = (seconds * rate).round();
    if f.is_finite() && f > 0.0 {
        f as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_return_what_was_written_d_frames_ago() {
        let mut line = DelayLine::new(5);
        for x in 1..=9 {
            line.write(x as f64);
        }
        assert_eq!(line.read(0), 9.0);
        assert_eq!(line.read(5), 4.0);
        assert_eq!(line.read_frac(99.0), 4.0, "clamped to the capacity");
        assert_eq!(line.read_frac(2.0), 7.0);
        assert_eq!(line.read_frac(2.25), 6.75);
    }

    #[test]
    fn frames_round_and_refuse_nonsense() {
        assert_eq!(frames(0.25, 48_000.0), 12_000);
        assert_eq!(frames(-1.0, 48_000.0), 0);
        assert_eq!(frames(f64::NAN, 48_000.0), 0);
    }
}

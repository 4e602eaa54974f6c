//! Polyphase FIR oversampling by [`FACTOR`]: [`Upsampler`] and [`Downsampler`]
//! sharing one Kaiser-windowed sinc low-pass.
//!
//! The filter has 8·40 + 1 = 321 taps at the high rate, cut off at the base
//! Nyquist frequency, Kaiser β = 10 (about 100 dB stopband, transition ≈ 20
//! to 28 kHz at a 48 kHz base rate). Linear phase, so the pair delays by
//! exactly [`LATENCY`] base-rate frames. Only needed outputs are computed:
//! the upsampler runs one phase per high-rate frame (41 taps), the
//! downsampler one dot product per base-rate frame.

/// Oversampling factor.
pub const FACTOR: usize = 8;
/// Taps per polyphase branch.
const TAPS_PER_PHASE: usize = 40;
/// Filter length at the high rate.
const TAPS: usize = FACTOR * TAPS_PER_PHASE + 1;
/// Kaiser window shape: ≈100 dB stopband.
const BETA: f64 = 10.0;
/// Delay of an up-then-down pair, in base-rate frames: (TAPS − 1)/FACTOR.
pub const LATENCY: usize = TAPS_PER_PHASE;

/// The zeroth-order modified Bessel function, by its power series.
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..64 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The low-pass taps, unity DC gain.
fn design() -> Vec<f64> {
    let centre = (TAPS - 1) as f64 / 2.0;
    let cutoff = 0.5 / FACTOR as f64; // cycles per high-rate sample
    let taps: Vec<f64> = (0..TAPS)
        .map(|i| {
            let t = i as f64 - centre;
            let sinc = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            let r = t / centre;
            sinc * bessel_i0(BETA * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(BETA)
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    taps.iter().map(|h| h / sum).collect()
}

/// A history of the last `len` samples, newest first in `window()`, kept
/// contiguous by writing each sample twice.
#[derive(Clone, Debug)]
struct History {
    buf: Vec<f64>,
    pos: usize,
    len: usize,
}

impl History {
    fn new(len: usize) -> History {
        History { buf: vec![0.0; 2 * len], pos: 0, len }
    }

    #[inline(always)]
    fn push(&mut self, x: f64) {
        self.pos = if self.pos == 0 { self.len - 1 } else { self.pos - 1 };
        self.buf[self.pos] = x;
        self.buf[self.pos + self.len] = x;
    }

    /// `[x[n − skip], x[n − skip − 1], …]`, `len − skip` of them.
    #[inline(always)]
    fn window(&self, skip: usize) -> &[f64] {
        &self.buf[self.pos + skip..self.pos + self.len]
    }

    fn clear(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Base rate in, [`FACTOR`] frames out per frame.
#[derive(Clone, Debug)]
pub struct Upsampler {
    /// Per phase p: taps h[p + k·FACTOR]·FACTOR for k = 0.. (zero-padded).
    phases: Vec<Vec<f64>>,
    history: History,
}

impl Default for Upsampler {
    fn default() -> Upsampler {
        let h = design();
        let phases = (0..FACTOR)
            .map(|p| (0..=TAPS_PER_PHASE).map(|k| h.get(p + k * FACTOR).map_or(0.0, |v| v * FACTOR as f64)).collect())
            .collect();
        Upsampler { phases, history: History::new(TAPS_PER_PHASE + 1) }
    }
}

impl Upsampler {
    /// Takes one base-rate frame and fills `out` with the high-rate frames.
    #[inline(always)]
    pub fn process(&mut self, x: f64, out: &mut [f64; FACTOR]) {
        self.history.push(x);
        let window = self.history.window(0);
        for (o, taps) in out.iter_mut().zip(&self.phases) {
            *o = dot(taps, window);
        }
    }

    /// Clears the history.
    pub fn clear(&mut self) {
        self.history.clear();
    }
}

/// [`FACTOR`] frames in, one base-rate frame out.
#[derive(Clone, Debug)]
pub struct Downsampler {
    taps: Vec<f64>,
    history: History,
}

impl Default for Downsampler {
    fn default() -> Downsampler {
        Downsampler { taps: design(), history: History::new(TAPS + FACTOR) }
    }
}

impl Downsampler {
    /// Takes the high-rate frames of one base frame and returns the output,
    /// sampled at the first of them so the pair's delay is whole frames.
    #[inline(always)]
    pub fn process(&mut self, input: &[f64; FACTOR]) -> f64 {
        input.iter().for_each(|&v| self.history.push(v));
        dot(&self.taps, self.history.window(FACTOR - 1))
    }

    /// Clears the history.
    pub fn clear(&mut self) {
        self.history.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_then_down_is_a_delay_of_latency_frames_in_the_passband() {
        let (mut up, mut down) = (Upsampler::default(), Downsampler::default());
        let mut buf = [0.0; FACTOR];
        let tone = |n: usize| (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 48_000.0).sin();
        let out: Vec<f64> = (0..2000)
            .map(|n| {
                up.process(tone(n), &mut buf);
                down.process(&buf)
            })
            .collect();
        let worst = (500..2000).fold(0.0f64, |m, n| m.max((out[n] - tone(n - LATENCY)).abs()));
        assert!(worst < 1e-4, "error {worst}");
    }
}

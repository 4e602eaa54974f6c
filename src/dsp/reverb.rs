//! Stereo algorithmic reverb ([`Reverb`]): a 16-line feedback delay network.
//!
//! Why an FDN rather than Freeverb: Freeverb's comb feedback is one number
//! (`room`), so its T60 is only loosely tied to any time a user can type,
//! while an FDN's per-line gain g_i = 10^(−3·m_i/(fs·T60)) makes every
//! recirculation lose exactly the energy that gives the requested `decay`
//! (Jot 1991, STANDARDS.md §8). A 16×16 Hadamard matrix (orthogonal, so the
//! loop is lossless before the gains) mixes every line into every other in
//! 64 additions, giving a dense, colourless tail; Freeverb's parallel combs
//! ring metallically on long decays.
//!
//! Signal flow: predelay → per-channel input diffusion (four Schroeder
//! all-passes, different lengths left and right) → injection (left into even
//! lines, right into odd) → the loop: delay, absorption filter, Hadamard →
//! output taps on two orthogonal sign patterns (so L and R are decorrelated)
//! → M/S `width` → dry/wet `mix`.
//!
//! `damping` makes highs die faster: each line's absorption is a one-pole
//! low-pass whose DC gain gives T60 = `decay` and whose Nyquist gain gives
//! T60 = `decay`·(1 − 0.85·damping). So `decay` is the low-frequency T60.

use super::delay_line::{frames, Allpass, DelayLine};
use super::gain::Smoother;
use super::{flush, to_output, Processor};

/// Lines in the network (a power of two, for the fast Hadamard transform).
const LINES: usize = 16;
/// Line lengths at `size` 0.5, in ms: spread out so their echoes interleave.
const BASE_MS: [f64; LINES] =
    [23.1, 25.3, 27.7, 29.9, 32.5, 35.1, 38.3, 41.2, 44.9, 48.3, 52.6, 56.9, 61.7, 66.8, 72.3, 78.4];
/// Input diffusers (ms, coefficient), left and right differing so the two
/// channels decorrelate from the first reflection on.
const DIFFUSE_L: [(f64, f64); 4] = [(4.77, 0.7), (3.59, 0.7), (2.73, 0.625), (1.91, 0.625)];
const DIFFUSE_R: [(f64, f64); 4] = [(4.97, 0.7), (3.41, 0.7), (2.87, 0.625), (1.73, 0.625)];
/// Walsh rows for the output taps: orthogonal sign patterns.
const TAP_L: usize = 0b0101;
const TAP_R: usize = 0b1010;
/// Output tap gain: 1/√16, so a unit of energy in the lines reads as one.
const TAP_GAIN: f64 = 0.25;
/// Coefficients are recomputed on this grid of frames (counted from time
/// zero, so output does not depend on block lengths) while automation ramps.
const COEFF_PERIOD: u64 = 32;
/// Ramp time of automated parameters.
const RAMP_SECONDS: f64 = 0.05;
/// Headroom in dB the tail estimate allows above full scale: a loud, long
/// input can build the network up well past 0 dBFS.
const TAIL_HEADROOM_DB: f64 = 30.0;

/// Everything a `reverb(...)` call sets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReverbSettings {
    /// Room size 0..1: scales the line lengths by 0.35..1.65.
    pub size: f64,
    /// Low-frequency T60 in seconds.
    pub decay: f64,
    /// High-frequency damping 0..1.
    pub damping: f64,
    /// Predelay in seconds.
    pub predelay: f64,
    /// Stereo width of the wet signal (1 = as generated, 0 = mono).
    pub width: f64,
    /// Wet fraction.
    pub mix: f64,
}

impl Default for ReverbSettings {
    fn default() -> ReverbSettings {
        ReverbSettings { size: 0.5, decay: 1.5, damping: 0.5, predelay: 0.0, width: 1.0, mix: 1.0 }
    }
}

/// Per-line loop state.
#[derive(Clone, Debug, Default)]
struct Line {
    delay: DelayLine,
    len: usize,
    /// Absorption: y = k·(1 − b)·x + b·y.
    k: f64,
    b: f64,
    state: f64,
}

/// The reverb; see the module docs.
#[derive(Clone, Debug)]
pub struct Reverb {
    settings: ReverbSettings,
    rate: f64,
    predelay: Vec<DelayLine>,
    predelay_frames: usize,
    diffusers: [Vec<Allpass>; 2],
    lines: Vec<Line>,
    decay: Smoother,
    damping: Smoother,
    width: Smoother,
    mix: Smoother,
    /// Decay and damping the current coefficients were computed for.
    designed: (f64, f64),
    frame: u64,
}

impl Reverb {
    /// A reverb with `settings`; `prepare` allocates the network.
    pub fn new(settings: ReverbSettings) -> Reverb {
        Reverb {
            settings,
            rate: 0.0,
            predelay: Vec::new(),
            predelay_frames: 0,
            diffusers: [Vec::new(), Vec::new()],
            lines: Vec::new(),
            decay: Smoother::new(settings.decay),
            damping: Smoother::new(settings.damping),
            width: Smoother::new(settings.width),
            mix: Smoother::new(settings.mix),
            designed: (f64::NAN, f64::NAN),
            frame: 0,
        }
    }

    /// Sets every line's absorption for low-frequency T60 `decay` and `damping`.
    fn design(&mut self, decay: f64, damping: f64) {
        let t60 = decay.max(1e-3);
        let ratio = (1.0 - 0.85 * damping.clamp(0.0, 1.0)).max(0.05);
        for line in &mut self.lines {
            let g_dc = 10f64.powf(-3.0 * line.len as f64 / (self.rate * t60));
            // Nyquist gain g_dc^(1/ratio) = k·(1 − b)/(1 + b), solved for b.
            let r = g_dc.powf(1.0 / ratio - 1.0);
            line.k = g_dc;
            line.b = (1.0 - r) / (1.0 + r);
        }
        self.designed = (decay, damping);
    }

    fn build_diffusers(&self, table: &[(f64, f64); 4]) -> Vec<Allpass> {
        table.iter().map(|&(ms, g)| Allpass::new(prime_at_least(frames(ms / 1000.0, self.rate)), g)).collect()
    }

    /// Line lengths for the settings' size: distinct primes, so no two lines
    /// share a mode and the echo pattern does not repeat.
    fn line_lengths(&self) -> Vec<usize> {
        let scale = 0.35 + 1.3 * self.settings.size.clamp(0.0, 1.0);
        let mut lengths: Vec<usize> = Vec::with_capacity(LINES);
        for ms in BASE_MS {
            let mut m = prime_at_least(frames(ms * scale / 1000.0, self.rate).max(2));
            while lengths.contains(&m) {
                m = prime_at_least(m + 1);
            }
            lengths.push(m);
        }
        lengths
    }

    /// One frame of the network: the diffused input pair in, the wet pair out.
    #[inline(always)]
    fn tick(&mut self, input: [f64; 2]) -> [f64; 2] {
        let mut v = [0.0; LINES];
        let (mut out_l, mut out_r) = (0.0, 0.0);
        for (i, line) in self.lines.iter_mut().enumerate() {
            let o = line.delay.read(line.len - 1);
            line.state = flush(line.k * (1.0 - line.b) * o + line.b * line.state);
            v[i] = line.state;
            out_l += sign(i & TAP_L) * line.state;
            out_r += sign(i & TAP_R) * line.state;
        }
        hadamard(&mut v);
        for (i, line) in self.lines.iter_mut().enumerate() {
            line.delay.write(v[i] + input[i & 1]);
        }
        [out_l * TAP_GAIN, out_r * TAP_GAIN]
    }

    /// Predelay and diffusion of one frame.
    #[inline(always)]
    fn diffuse(&mut self, dry: [f64; 2]) -> [f64; 2] {
        let mut x = [0.0; 2];
        for c in 0..2 {
            self.predelay[c].write(dry[c]);
            let delayed = self.predelay[c].read(self.predelay_frames);
            x[c] = self.diffusers[c].iter_mut().fold(delayed, |s, ap| ap.tick(s));
        }
        x
    }

    /// One frame: the wet pair after `width`, and the `mix` to blend it with.
    #[inline(always)]
    fn frame(&mut self, dry: [f64; 2]) -> ([f64; 2], f64) {
        self.step_coefficients();
        let diffused = self.diffuse(dry);
        let [wl, wr] = self.tick(diffused);
        let (width, mix) = (self.width.next(), self.mix.next());
        let (mid, side) = ((wl + wr) * 0.5, (wl - wr) * 0.5 * width);
        ([mid + side, mid - side], mix)
    }

    fn step_coefficients(&mut self) {
        let (decay, damping) = (self.decay.next(), self.damping.next());
        if self.frame % COEFF_PERIOD == 0 && (decay, damping) != self.designed {
            self.design(decay, damping);
        }
        self.frame += 1;
    }
}

/// +1 for an even number of set bits, −1 for odd: entry of a Walsh row.
#[inline(always)]
fn sign(bits: usize) -> f64 {
    if bits.count_ones() % 2 == 0 {
        1.0
    } else {
        -1.0
    }
}

/// The orthonormal 16-point Hadamard transform, in place.
#[inline(always)]
fn hadamard(v: &mut [f64; LINES]) {
    let mut h = 1;
    while h < LINES {
        for i in (0..LINES).step_by(2 * h) {
            for j in i..i + h {
                let (a, b) = (v[j], v[j + h]);
                v[j] = a + b;
                v[j + h] = a - b;
            }
        }
        h *= 2;
    }
    v.iter_mut().for_each(|x| *x *= 0.25);
}

/// The smallest prime ≥ n (n ≥ 2).
fn prime_at_least(n: usize) -> usize {
    let is_prime = |k: usize| k >= 2 && (2..).take_while(|d| d * d <= k).all(|d| k % d != 0);
    (n.max(2)..).find(|&k| is_prime(k)).unwrap_or(n)
}

impl Processor for Reverb {
    fn prepare(&mut self, rate: f64, _channels: usize, _max_block: usize) {
        self.rate = rate;
        self.predelay_frames = frames(self.settings.predelay, rate);
        self.predelay = (0..2).map(|_| DelayLine::new(self.predelay_frames)).collect();
        self.diffusers = [self.build_diffusers(&DIFFUSE_L), self.build_diffusers(&DIFFUSE_R)];
        let lengths = self.line_lengths();
        self.lines = lengths.iter().map(|&len| Line { delay: DelayLine::new(len), len, ..Line::default() }).collect();
        self.reset();
    }

    fn process(&mut self, audio: &mut [&mut [f32]], _key: Option<&[&[f32]]>) {
        if self.lines.is_empty() {
            return;
        }
        match audio {
            [left, right] => {
                for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                    let dry = [*l as f64, *r as f64];
                    let ([wl, wr], mix) = self.frame(dry);
                    *l = to_output(dry[0] * (1.0 - mix) + wl * mix);
                    *r = to_output(dry[1] * (1.0 - mix) + wr * mix);
                }
            }
            [mono] => {
                for x in mono.iter_mut() {
                    let dry = *x as f64;
                    let ([wl, wr], mix) = self.frame([dry, dry]);
                    *x = to_output(dry * (1.0 - mix) + (wl + wr) * 0.5 * mix);
                }
            }
            _ => {}
        }
    }

    fn reset(&mut self) {
        self.predelay.iter_mut().for_each(DelayLine::clear);
        self.diffusers.iter_mut().flatten().for_each(Allpass::clear);
        for line in &mut self.lines {
            line.delay.clear();
            line.state = 0.0;
        }
        let s = self.settings;
        self.decay.reset(s.decay);
        self.damping.reset(s.damping);
        self.width.reset(s.width);
        self.mix.reset(s.mix);
        self.frame = 0;
        self.design(s.decay, s.damping);
    }

    /// Predelay, diffusion and the longest line, then the low-frequency decay
    /// down by 90 dB plus [`TAIL_HEADROOM_DB`].
    fn tail(&self) -> usize {
        let t60 = self.decay.target().max(self.decay.current());
        let decay = frames(t60 * (90.0 + TAIL_HEADROOM_DB) / 60.0, self.rate);
        let longest = self.lines.iter().map(|l| l.len).max().unwrap_or(0);
        let diffusion: usize = self.diffusers.iter().flatten().map(Allpass::ring_frames).max().unwrap_or(0) * 4;
        self.predelay_frames + diffusion + longest + decay
    }

    /// 1 `decay` (s), 2 `damping`, 4 `width`, 5 `mix`; `size` and `predelay`
    /// change the network's lengths and are fixed for the render.
    fn set_param(&mut self, index: usize, value: f64) {
        let ramp = Smoother::ramp_frames(RAMP_SECONDS, self.rate);
        match index {
            1 => self.decay.set_target(value.max(1e-3), ramp),
            2 => self.damping.set_target(value.clamp(0.0, 1.0), ramp),
            4 => self.width.set_target(value.max(0.0), ramp),
            5 => self.mix.set_target(value.clamp(0.0, 1.0), ramp),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;

//! Designing the linear-phase twin of a cookbook biquad: a symmetric FIR
//! whose magnitude is the biquad's and whose phase is a pure delay.
//!
//! Frequency sampling: |H| is evaluated analytically on a dense FFT grid,
//! taken as a zero-phase (real, even) spectrum and transformed back; the
//! centre 2L + 1 samples of that impulse response, tapered by a Tukey window
//! (flat over the inner half, a raised cosine over the outer half), are the
//! taps, delayed by L so the filter is causal. The latency is L.
//!
//! L starts where the biquad's slowest mode (its pole, or a zero off the unit
//! circle) has decayed by e⁻²⁰, so the taper touches only a negligible ring.
//! The FIR's own response is then measured on the same grid and L doubled
//! until it is within [`TOLERANCE`] of the biquad from 20 Hz to 20 kHz (or L
//! reaches [`MAX_HALF`]). Filters with zeros on the unit circle (notch,
//! band-pass) have a kink in |H| that no finite FIR follows to the bottom; a
//! notch's depth is limited by the length.

use std::f64::consts::PI;

use realfft::num_complex::Complex;
use realfft::RealFftPlanner;

use super::rbj::Coeffs;

/// Shortest half-length, in frames.
pub const MIN_HALF: usize = 64;
/// Longest half-length: 0.68 s at 48 kHz.
pub const MAX_HALF: usize = 32_768;
/// Decay (in nepers, e⁻ⁿ) of the slowest mode over the first guess of L.
const DECAY_NEPERS: f64 = 20.0;
/// Largest error allowed: relative to |H| (1e-3 ≈ 0.009 dB) where |H| is
/// above [`FLOOR`], relative to the floor below it.
const TOLERANCE: f64 = 1e-3;
/// −40 dB.
const FLOOR: f64 = 0.01;
/// The range whose accuracy decides the length.
const CHECKED_HZ: (f64, f64) = (20.0, 20_000.0);
/// Taps smaller than this fraction of the largest are exactly zero (−240 dB),
/// so a 0 dB bell or shelf is an exact delay.
const SNAP: f64 = 1e-12;
/// −90 dBFS: the ring-out that counts as silence (as in `Coeffs::tail_frames`).
const TAIL_LEVEL: f64 = 3.162_277_660_168_379_5e-5;

/// |H(e^{jw})| of a biquad at `w` radians per sample.
pub fn magnitude(c: &Coeffs, w: f64) -> f64 {
    let z1 = Complex::from_polar(1.0, -w);
    let z2 = z1 * z1;
    let num = c.b0 + z1 * c.b1 + z2 * c.b2;
    let den = 1.0 + z1 * c.a1 + z2 * c.a2;
    (num / den).norm()
}

/// The symmetric taps (odd length 2L + 1, centre at L) for `c` at `rate` Hz.
pub fn fir(c: &Coeffs, rate: f64) -> Vec<f64> {
    let mut half = first_half(c);
    loop {
        let grid = (4 * (2 * half + 1)).next_power_of_two();
        let target: Vec<f64> = (0..=grid / 2).map(|k| magnitude(c, 2.0 * PI * k as f64 / grid as f64)).collect();
        let taps = windowed(&target, grid, half);
        if half >= MAX_HALF || accurate(&taps, &target, grid, rate) {
            return taps;
        }
        half = (half * 2).min(MAX_HALF);
    }
}

/// Frames after the latency until the output of full-scale input has died
/// below −90 dBFS. Once the input has been silent for n frames, the output
/// is a sum over the taps after n, bounded by the sum of their magnitudes:
/// the tail ends at the last tap n where that sum still reaches −90 dB.
pub fn ring_out(taps: &[f64]) -> usize {
    let latency = taps.len() / 2;
    let mut rest = 0.0;
    for (n, t) in taps.iter().enumerate().rev() {
        rest += t.abs();
        if rest >= TAIL_LEVEL {
            return n.saturating_sub(latency);
        }
    }
    0
}

/// L from the slowest decaying mode: the largest pole radius, or the zero
/// radius (mirrored inside the unit circle) when a zero lies closer to it.
fn first_half(c: &Coeffs) -> usize {
    let zeros = if c.b0 != 0.0 {
        Coeffs { b0: 1.0, b1: 0.0, b2: 0.0, a1: c.b1 / c.b0, a2: c.b2 / c.b0 }.pole_radius()
    } else {
        0.0
    };
    let zeros = if zeros > 1.0 { 1.0 / zeros } else { zeros };
    // A zero on the unit circle is a kink, not a decaying mode (see the module docs).
    let zeros = if zeros > 1.0 - 1e-9 { 0.0 } else { zeros };
    let r = c.pole_radius().max(zeros);
    if !(r > 0.0 && r < 1.0) {
        return MIN_HALF;
    }
    let half = DECAY_NEPERS / -r.ln();
    if half.is_finite() {
        (half.ceil() as usize).clamp(MIN_HALF, MAX_HALF)
    } else {
        MAX_HALF
    }
}

/// The zero-phase impulse response of `target` (bins 0..=grid/2 of a real,
/// even spectrum), cut to ±`half`, tapered and delayed by `half`.
fn windowed(target: &[f64], grid: usize, half: usize) -> Vec<f64> {
    let inverse = RealFftPlanner::<f64>::new().plan_fft_inverse(grid);
    let mut spectrum: Vec<Complex<f64>> = target.iter().map(|&m| Complex::new(m, 0.0)).collect();
    let mut time = inverse.make_output_vec();
    let _ = inverse.process(&mut spectrum, &mut time);
    let flat = half / 2;
    let taper = (half - flat + 1) as f64;
    let mut taps = vec![0.0; 2 * half + 1];
    for n in 0..=half {
        let w = if n <= flat { 1.0 } else { 0.5 * (1.0 + (PI * (n - flat) as f64 / taper).cos()) };
        let h = time[n] / grid as f64 * w;
        taps[half + n] = h;
        taps[half - n] = h;
    }
    let largest = taps.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    taps.iter_mut().filter(|t| t.abs() < SNAP * largest).for_each(|t| *t = 0.0);
    taps
}

/// Whether the taps' magnitude is within [`TOLERANCE`] of `target` over [`CHECKED_HZ`].
fn accurate(taps: &[f64], target: &[f64], grid: usize, rate: f64) -> bool {
    let half = taps.len() / 2;
    let forward = RealFftPlanner::<f64>::new().plan_fft_forward(grid);
    let mut time = forward.make_input_vec();
    // Zero phase: the centre tap at index 0, the left half wrapped to the end.
    for n in 0..=half {
        time[n] = taps[half + n];
        if n > 0 {
            time[grid - n] = taps[half - n];
        }
    }
    let mut spectrum = forward.make_output_vec();
    let _ = forward.process(&mut time, &mut spectrum);
    let bin_hz = rate / grid as f64;
    let top = CHECKED_HZ.1.min(0.49 * rate);
    target
        .iter()
        .zip(&spectrum)
        .enumerate()
        .filter(|(k, _)| (CHECKED_HZ.0..=top).contains(&(*k as f64 * bin_hz)))
        .all(|(_, (&want, got))| (got.re - want).abs() <= TOLERANCE * want.max(FLOOR))
}

#[cfg(test)]
mod tests;

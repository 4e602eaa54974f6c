//! Measuring frequency responses, for tests.

use std::f64::consts::PI;

/// The complex response of impulse response `h` at `freq` Hz.
pub fn response(h: &[f32], freq: f64, rate: f64) -> (f64, f64) {
    let w = 2.0 * PI * freq / rate;
    h.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &x)| {
        let (s, c) = (w * n as f64).sin_cos();
        (re + x as f64 * c, im - x as f64 * s)
    })
}

/// |H| in dB of impulse response `h` at `freq` Hz.
pub fn response_db(h: &[f32], freq: f64, rate: f64) -> f64 {
    let (re, im) = response(h, freq, rate);
    10.0 * (re * re + im * im).log10()
}

/// `count` frequencies spaced evenly on a log scale from `lo` to `hi`.
pub fn log_spaced(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    (0..count).map(|i| lo * (hi / lo).powf(i as f64 / (count - 1) as f64)).collect()
}

//! Tests of the dynamics processors (`compressor`, `limiter`), and the test
//! signals and measurements they share.

mod compressor;
mod limiter;

use crate::dsp::Processor;

pub const RATE: f64 = 48_000.0;

/// A sine of `freq` Hz and peak `db` dBFS, `frames` long, starting at phase `phase`.
pub fn sine(freq: f64, db: f64, frames: usize, phase: f64) -> Vec<f32> {
    let a = 10f64.powf(db / 20.0);
    (0..frames).map(|n| (a * (2.0 * std::f64::consts::PI * freq * n as f64 / RATE + phase).sin()) as f32).collect()
}

/// Largest |x| in dB.
pub fn peak_db(x: &[f32]) -> f64 {
    let p = x.iter().fold(0.0f64, |m, v| m.max((*v as f64).abs()));
    20.0 * p.log10()
}

/// Runs `p` (prepared at [`RATE`]) over planar `input` in blocks of `block`, with an optional key.
pub fn run(p: &mut dyn Processor, input: &[Vec<f32>], key: Option<&[Vec<f32>]>, block: usize) -> Vec<Vec<f32>> {
    let mut out = input.to_vec();
    let frames = out[0].len();
    let mut start = 0;
    while start < frames {
        let end = frames.min(start + block);
        let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[start..end]).collect();
        let keys: Option<Vec<&[f32]>> = key.map(|k| k.iter().map(|c| &c[start..end]).collect());
        p.process(&mut chans, keys.as_deref());
        start = end;
    }
    out
}

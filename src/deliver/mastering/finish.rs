//! The last processing a master gets before delivery: the normalising gain,
//! then the final (true-peak) limiter, with the limiter's lookahead latency
//! removed so the output lines up with the programme frame for frame.

use serde::Serialize;

use super::Programme;
use crate::dsp::dynamics::limiter::{Limiter, LimiterSpec};
use crate::dsp::{gain_to_db, Processor};

/// Frames per limiter call (the limiter's output does not depend on it).
const BLOCK: usize = 4096;

/// How hard the final limiter worked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Reduction {
    /// Deepest gain reduction, dB (≥ 0).
    pub max_db: f64,
    /// Mean gain reduction over the whole programme, dB (≥ 0).
    pub mean_db: f64,
    /// Share of frames the limiter turned down by more than 0.1 dB.
    pub active: f64,
}

/// `programme` × `gain_db`, through `limiter` when given.
pub fn finish(programme: &Programme, gain_db: f64, limiter: Option<&LimiterSpec>) -> (Programme, Option<Reduction>) {
    finish_with(programme, None, gain_db, limiter)
}

/// `programme` through `before` (at its own level), × `gain_db`, through
/// `after`. The reduction is that of both limiters together.
pub fn finish_with(
    programme: &Programme,
    before: Option<&LimiterSpec>,
    gain_db: f64,
    after: Option<&LimiterSpec>,
) -> (Programme, Option<Reduction>) {
    let gain = crate::dsp::db_to_gain(gain_db);
    let scaled = |channels: &[Vec<f32>]| -> Vec<Vec<f32>> {
        channels.iter().map(|c| c.iter().map(|&x| (x as f64 * gain) as f32).collect()).collect()
    };
    if before.is_none() && after.is_none() {
        return (Programme { rate: programme.rate, channels: scaled(&programme.channels) }, None);
    }
    let mut channels = match before {
        Some(spec) => limit(programme.rate, programme.channels.clone(), spec),
        None => programme.channels.clone(),
    };
    if gain_db != 0.0 {
        channels = scaled(&channels);
    }
    if let Some(spec) = after {
        channels = limit(programme.rate, channels, spec);
    }
    let reduction = reduction(programme, gain, &channels);
    (Programme { rate: programme.rate, channels }, Some(reduction))
}

/// `channels` through a limiter built from `spec`, its latency removed.
fn limit(rate: u32, mut channels: Vec<Vec<f32>>, spec: &LimiterSpec) -> Vec<Vec<f32>> {
    let frames = channels.first().map_or(0, |c| c.len());
    let mut limiter = Limiter::new(*spec);
    limiter.prepare(rate as f64, channels.len(), BLOCK);
    let latency = limiter.latency();
    // The input, then `latency` frames of silence to flush the lookahead.
    for c in &mut channels {
        c.resize(frames + latency, 0.0);
    }
    let mut start = 0;
    while start < frames + latency {
        let end = (start + BLOCK).min(frames + latency);
        let mut block: Vec<&mut [f32]> = channels.iter_mut().map(|c| &mut c[start..end]).collect();
        limiter.process(&mut block, None);
        start = end;
    }
    for c in &mut channels {
        c.drain(..latency);
    }
    channels
}

/// The limiter's gain per frame, read back from its input and output: the
/// limiter is stereo-linked, so the louder channel of a frame gives the ratio.
/// Frames too quiet to tell (below −80 dBFS in) are skipped.
fn reduction(input: &Programme, gain: f64, output: &[Vec<f32>]) -> Reduction {
    let mut r = Reduction::default();
    let (mut sum, mut counted, mut active) = (0.0f64, 0u64, 0u64);
    for i in 0..input.frames() {
        let (mut x, mut y) = (0.0f64, 0.0f64);
        for (inp, out) in input.channels.iter().zip(output) {
            let a = (inp[i] as f64 * gain).abs();
            if a > x {
                x = a;
                y = (out[i] as f64).abs();
            }
        }
        if x < 1e-4 {
            continue;
        }
        // f32 rounding of the output reads as a few 1e-7 dB: not reduction.
        let db = (-gain_to_db(y / x)).max(0.0);
        let db = if db < 1e-5 { 0.0 } else { db };
        r.max_db = r.max_db.max(db);
        sum += db;
        counted += 1;
        if db > 0.1 {
            active += 1;
        }
    }
    if counted > 0 {
        r.mean_db = sum / counted as f64;
        r.active = active as f64 / counted as f64;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    fn spec(ceiling: f64, true_peak: bool) -> LimiterSpec {
        LimiterSpec { ceiling, lookahead: 0.005, release: 0.05, true_peak }
    }

    /// The lookahead is taken out again: an impulse under the ceiling comes out
    /// where it went in, at its level.
    #[test]
    fn the_limiter_latency_is_removed() {
        let mut x = vec![0.0f32; RATE as usize];
        x[5_000] = 0.25;
        let programme = Programme { rate: RATE, channels: vec![x.clone(), x] };
        let (out, r) = finish(&programme, 0.0, Some(&spec(-1.0, true)));
        assert_eq!(out.frames(), RATE as usize);
        let (at, peak) =
            out.channels[0]
                .iter()
                .enumerate()
                .fold((0, 0f32), |m, (i, &s)| if s.abs() > m.1 { (i, s.abs()) } else { m });
        assert_eq!((at, peak), (5_000, 0.25));
        assert_eq!(r.map(|r| r.max_db), Some(0.0));
    }

    /// A full-scale sine into a −6 dB sample-peak ceiling is held 6.02 dB down.
    #[test]
    fn the_reduction_is_the_limiters_depth() {
        let x: Vec<f32> =
            (0..RATE).map(|n| (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / RATE as f64).sin() as f32).collect();
        let programme = Programme { rate: RATE, channels: vec![x.clone(), x] };
        let (out, r) = finish(&programme, 0.0, Some(&spec(-6.0, false)));
        let r = r.expect("a limiter ran");
        let depth = -20.0 * 0.5f64.log10();
        assert!((r.max_db - depth).abs() < 0.05, "{r:?}");
        assert!(r.mean_db > depth - 0.3 && r.mean_db <= r.max_db, "{r:?}");
        assert!(r.active > 0.95, "{r:?}");
        let peak = out.channels[0].iter().fold(0f32, |m, s| m.max(s.abs()));
        assert!(peak as f64 <= 0.5012, "{peak}");
    }

    /// Without a limiter, finishing is the gain, exactly.
    #[test]
    fn without_a_limiter_only_the_gain_applies() {
        let programme = Programme { rate: RATE, channels: vec![vec![0.5, -0.25], vec![0.125, 0.0]] };
        let (out, r) = finish(&programme, -6.020599913279624, None);
        assert!(r.is_none());
        assert_eq!(out.channels, vec![vec![0.25, -0.125], vec![0.0625, 0.0]]);
    }
}
